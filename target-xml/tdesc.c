/* Target description XML from the register table (see tdesc.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tdesc.h"
#include "core/cpu.h"

/* The arch tables may not be linked into every program (unit tests). */
extern const arch_ops riscv64_arch __attribute__((weak));
extern const arch_ops aarch64_arch __attribute__((weak));

typedef struct sbuf {
	char *s;
	size_t len, cap;
} sbuf;

static void KWB_PRINTF(2, 3) sb_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 0) + 256;
		b->s = kwb_realloc(b->s, b->cap);
	}
	b->len += (size_t)n;
}

static char *target_doc(const reg_table *t, sbuf *b)
{
	sb_printf(b, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n");
	sb_printf(b, "<target version=\"1.0\">\n");
	if (t->gdb_arch)
		sb_printf(b, "  <architecture>%s</architecture>\n", t->gdb_arch);
	for (int f = 0; f < t->nfeatures; f++)
		sb_printf(b, "  <xi:include href=\"%s\"/>\n", t->features[f].xmlname);
	sb_printf(b, "</target>\n");
	return b->s;
}

static char *feature_doc(const reg_table *t, int f, sbuf *b)
{
	const char *types = t->feature_types ? t->feature_types(f) : NULL;

	sb_printf(b, "<?xml version=\"1.0\"?>\n<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n");
	sb_printf(b, "<feature name=\"%s\">\n", t->features[f].name);
	if (types)
		sb_printf(b, "%s", types);
	for (int i = 0; i < t->count; i++) {
		const reg_desc *r = &t->regs[i];

		if (r->feature != f)
			continue;
		sb_printf(b, "  <reg name=\"%s\" bitsize=\"%u\" regnum=\"%d\" type=\"%s\"",
			  r->name, r->bitsize, i, r->type ? r->type : "int");
		if (r->group)
			sb_printf(b, " group=\"%s\"", r->group);
		sb_printf(b, "/>\n");
	}
	sb_printf(b, "</feature>\n");
	return b->s;
}

char *tdesc_xml(const reg_table *t, const char *annex, size_t *len)
{
	sbuf b = { .s = kwb_zalloc(4096), .cap = 4096 };

	if (!strcmp(annex, "target.xml")) {
		target_doc(t, &b);
	} else {
		int f;

		for (f = 0; f < t->nfeatures; f++)
			if (!strcmp(annex, t->features[f].xmlname))
				break;
		if (f == t->nfeatures) {
			free(b.s);
			return NULL;
		}
		feature_doc(t, f, &b);
	}
	*len = b.len;
	return b.s;
}

static int write_doc(const reg_table *t, const char *dir, const char *annex)
{
	char path[4096];
	size_t len;
	char *doc = tdesc_xml(t, annex, &len);
	FILE *fp;
	int ok;

	if (!doc)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, annex);
	fp = fopen(path, "w");
	if (!fp) {
		fprintf(stderr, "kwb: %s: %s\n", path, strerror(errno));
		free(doc);
		return -1;
	}
	ok = fwrite(doc, 1, len, fp) == len;
	ok &= fclose(fp) == 0;
	free(doc);
	if (!ok) {
		fprintf(stderr, "kwb: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

int tdesc_dump(const char *arch, const char *dir)
{
	const arch_ops *a = NULL;

	if (!strcasecmp(arch, "riscv64"))
		a = &riscv64_arch;
	else if (!strcasecmp(arch, "aarch64") || !strcasecmp(arch, "arm64"))
		a = &aarch64_arch;
	if (!a || !a->regs) {
		fprintf(stderr, "kwb: -dump-target-xml: unknown or unavailable architecture '%s'\n",
			arch);
		return -1;
	}
	if (write_doc(a->regs, dir, "target.xml"))
		return -1;
	for (int f = 0; f < a->regs->nfeatures; f++)
		if (write_doc(a->regs, dir, a->regs->features[f].xmlname))
			return -1;
	return 0;
}
