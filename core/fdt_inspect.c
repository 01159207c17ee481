/* Checked decoding and dts printing of untrusted flattened device trees. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt_inspect.h"

#define FDT_MAGIC_VALUE 0xd00dfeedu
#define TOK_BEGIN_NODE 1
#define TOK_END_NODE 2
#define TOK_PROP 3
#define TOK_NOP 4
#define TOK_END 9

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

KWB_PRINTF(4, 5)
static void fail(char *err, size_t errlen, const char *what, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s: ", what);

	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}

uint32_t fdti_check_header(const void *hdr, size_t len, const char *what,
			   char *err, size_t errlen)
{
	const uint8_t *h = hdr;
	uint32_t magic, total, off_struct, off_strings, off_rsv, version, last_comp;
	uint64_t size_strings, size_struct;

	if (len < 4) {
		fail(err, errlen, what, "not readable");
		return 0;
	}
	magic = be32(h);
	if (magic != FDT_MAGIC_VALUE) {
		fail(err, errlen, what, "bad magic 0x%08x (expected 0xd00dfeed)", magic);
		return 0;
	}
	if (len < FDTI_HEADER_SIZE) {
		fail(err, errlen, what, "header truncated (%zu of %d bytes readable)", len,
		     FDTI_HEADER_SIZE);
		return 0;
	}
	total = be32(h + 4);
	off_struct = be32(h + 8);
	off_strings = be32(h + 12);
	off_rsv = be32(h + 16);
	version = be32(h + 20);
	last_comp = be32(h + 24);
	size_strings = be32(h + 32);
	if (version < 16 || last_comp > 17) {
		fail(err, errlen, what, "unsupported version %u (last compatible %u; kwb reads 16 "
		     "and 17)", version, last_comp);
		return 0;
	}
	/* Version 16 has no size_dt_struct: the block runs to the end. */
	size_struct = version >= 17 ? be32(h + 36) : (off_struct < total ? total - off_struct : 0);
	if (total < FDTI_HEADER_SIZE || total > FDTI_MAX_SIZE) {
		fail(err, errlen, what, "totalsize %u is absurd (expected %d to %u bytes)", total,
		     FDTI_HEADER_SIZE, FDTI_MAX_SIZE);
		return 0;
	}
	if (off_rsv < FDTI_HEADER_SIZE || off_rsv % 8 || (uint64_t)off_rsv + 16 > total) {
		fail(err, errlen, what, "off_mem_rsvmap 0x%x out of range (totalsize 0x%x)",
		     off_rsv, total);
		return 0;
	}
	if (off_struct < FDTI_HEADER_SIZE || off_struct % 4 || off_struct + size_struct > total) {
		fail(err, errlen, what,
		     "struct block [0x%x, +0x%llx) out of range or misaligned (totalsize 0x%x)",
		     off_struct, (unsigned long long)size_struct, total);
		return 0;
	}
	if (off_strings < FDTI_HEADER_SIZE || off_strings + size_strings > total) {
		fail(err, errlen, what, "strings block [0x%x, +0x%llx) out of range (totalsize 0x%x)",
		     off_strings, (unsigned long long)size_strings, total);
		return 0;
	}
	return total;
}

static void *grow(void *p, int n, int *cap, size_t elem)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	return kwb_realloc(p, (size_t)*cap * elem);
}

/* A NUL-terminated string starting at s inside [s, end), at most max
 * characters: its length, or -1. */
static long bounded_strlen(const uint8_t *s, const uint8_t *end, size_t max)
{
	size_t room = (size_t)(end - s);
	const uint8_t *z = memchr(s, 0, room < max + 1 ? room : max + 1);

	return z ? (long)(z - s) : -1;
}

static int cmp_phandle(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

int fdti_parse(fdt_tree *t, const void *blob, size_t len, const char *what,
	       char *err, size_t errlen)
{
	const uint8_t *b = blob, *s_base, *s_end, *strs, *strs_end;
	uint32_t total, off;
	int ncap = 0, pcap = 0, rcap = 0, stack[FDTI_MAX_DEPTH + 1], depth = 0;
	bool root_done = false;

	memset(t, 0, sizeof(*t));
	total = fdti_check_header(blob, len, what, err, errlen);
	if (!total)
		return -1;
	if (total > len) {
		fail(err, errlen, what, "totalsize 0x%x but only 0x%zx bytes readable", total, len);
		return -1;
	}
	t->blob = b;
	t->size = total;
	t->version = be32(b + 20);
	t->boot_cpuid = be32(b + 28);
	s_base = b + be32(b + 8);
	s_end = s_base + (t->version >= 17 ? be32(b + 36) : total - be32(b + 8));
	strs = b + be32(b + 12);
	strs_end = strs + be32(b + 32);

	for (off = be32(b + 16);; off += 16) {
		uint64_t addr, size;
		if ((uint64_t)off + 16 > total) {
			fail(err, errlen, what, "memory reservation map runs past totalsize");
			goto bad;
		}
		addr = be64(b + off);
		size = be64(b + off + 8);
		if (!addr && !size)
			break;
		t->rsv = grow(t->rsv, t->nrsv, &rcap, sizeof(*t->rsv));
		t->rsv[t->nrsv][0] = addr;
		t->rsv[t->nrsv++][1] = size;
	}

	for (const uint8_t *p = s_base;;) {
		uint32_t tok, so = (uint32_t)(p - s_base);
		if (p + 4 > s_end) {
			fail(err, errlen, what, "struct block ends at offset 0x%x without FDT_END", so);
			goto bad;
		}
		tok = be32(p);
		p += 4;
		if (root_done && tok != TOK_NOP && tok != TOK_END) {
			fail(err, errlen, what, "token 0x%x after the root node at struct offset 0x%x",
			     tok, so);
			goto bad;
		}
		switch (tok) {
		case TOK_BEGIN_NODE: {
			long n = bounded_strlen(p, s_end, FDTI_MAX_NAME);
			fdti_node *nd;
			if (n < 0) {
				fail(err, errlen, what, "unterminated or too long (> %d) node name at "
				     "struct offset 0x%x", FDTI_MAX_NAME, so + 4);
				goto bad;
			}
			if (depth == FDTI_MAX_DEPTH) {
				fail(err, errlen, what, "nodes nested deeper than %d at struct offset 0x%x",
				     FDTI_MAX_DEPTH, so);
				goto bad;
			}
			t->nodes = grow(t->nodes, t->nnodes, &ncap, sizeof(*t->nodes));
			nd = &t->nodes[t->nnodes];
			nd->name = (const char *)p;
			nd->parent = depth ? stack[depth - 1] : -1;
			nd->depth = depth;
			nd->end = -1;
			nd->first_prop = nd->last_prop = -1;
			nd->phandle = 0;
			stack[depth++] = t->nnodes++;
			/* (padding of a name at the very end is clamped) */
			p += (size_t)(s_end - p) < (((size_t)n + 4) & ~(size_t)3) ? (size_t)(s_end - p)
			     : (((size_t)n + 4) & ~(size_t)3);
			break;
		}
		case TOK_END_NODE:
			if (!depth) {
				fail(err, errlen, what, "FDT_END_NODE outside any node at struct offset 0x%x",
				     so);
				goto bad;
			}
			t->nodes[stack[--depth]].end = t->nnodes;
			root_done = depth == 0;
			break;
		case TOK_PROP: {
			uint32_t plen, nameoff;
			long n;
			fdti_prop *pr;
			fdti_node *nd;
			if (!depth) {
				fail(err, errlen, what, "property outside any node at struct offset 0x%x", so);
				goto bad;
			}
			if (p + 8 > s_end) {
				fail(err, errlen, what, "property header at struct offset 0x%x runs past "
				     "the struct block", so);
				goto bad;
			}
			plen = be32(p);
			nameoff = be32(p + 4);
			if (plen > (size_t)(s_end - (p + 8))) {
				fail(err, errlen, what, "property length %u at struct offset 0x%x runs past "
				     "the struct block", plen, so);
				goto bad;
			}
			if (nameoff >= (size_t)(strs_end - strs) ||
			    (n = bounded_strlen(strs + nameoff, strs_end, FDTI_MAX_NAME)) < 0) {
				fail(err, errlen, what, "property name offset 0x%x at struct offset 0x%x: "
				     "outside the strings block or unterminated", nameoff, so);
				goto bad;
			}
			t->props = grow(t->props, t->nprops, &pcap, sizeof(*t->props));
			pr = &t->props[t->nprops];
			pr->name = (const char *)strs + nameoff;
			pr->val = p + 8;
			pr->len = plen;
			pr->node = stack[depth - 1];
			pr->next = -1;
			nd = &t->nodes[pr->node];
			if (nd->last_prop >= 0)
				t->props[nd->last_prop].next = t->nprops;
			else
				nd->first_prop = t->nprops;
			nd->last_prop = t->nprops++;
			if (plen == 4 && (!strcmp(pr->name, "phandle") ||
					  (!nd->phandle && !strcmp(pr->name, "linux,phandle"))))
				nd->phandle = be32(pr->val);
			p += 8 + plen;
			p += (size_t)(s_end - p) < (size_t)(-plen & 3) ? (size_t)(s_end - p) : (-plen & 3);
			break;
		}
		case TOK_NOP:
			break;
		case TOK_END:
			if (depth || !root_done) {
				fail(err, errlen, what, "FDT_END at struct offset 0x%x %s", so,
				     depth ? "inside a node" : "before any node");
				goto bad;
			}
			goto done;
		default:
			fail(err, errlen, what, "bad token 0x%08x at struct offset 0x%x", tok, so);
			goto bad;
		}
	}
done:
	for (int i = 0; i < t->nnodes; i++)
		if (t->nodes[i].phandle)
			t->nphandles++;
	t->phandles = kwb_zalloc(sizeof(*t->phandles) * (t->nphandles + 1));
	for (int i = 0, k = 0; i < t->nnodes; i++)
		if (t->nodes[i].phandle) {
			t->phandles[k][0] = t->nodes[i].phandle;
			t->phandles[k++][1] = i;
		}
	qsort(t->phandles, t->nphandles, sizeof(*t->phandles), cmp_phandle);
	return 0;
bad:
	fdti_free(t);
	return -1;
}

void fdti_free(fdt_tree *t)
{
	free(t->nodes);
	free(t->props);
	free(t->rsv);
	free(t->phandles);
	memset(t, 0, sizeof(*t));
}

static int phandle_node(const fdt_tree *t, uint32_t ph)
{
	uint32_t key[2] = { ph, 0 };
	const uint32_t (*hit)[2];

	if (!ph || ph == 0xffffffffu)
		return -1;
	hit = bsearch(key, t->phandles, t->nphandles, sizeof(*t->phandles), cmp_phandle);
	return hit ? (int)(*hit)[1] : -1;
}

/* Children of node n: from n + 1, skipping each child's subtree. */
#define for_each_child(t, n, c) \
	for (int c = (n) + 1; c < (t)->nodes[n].end; c = (t)->nodes[c].end)

static bool name_matches(const char *name, const char *want, size_t wlen, bool exact)
{
	if (exact)
		return strlen(name) == wlen && !memcmp(name, want, wlen);
	return !memchr(want, '@', wlen) && !strncmp(name, want, wlen) && name[wlen] == '@';
}

int fdti_find(const fdt_tree *t, const char *path)
{
	int node = 0;

	if (!t->nnodes || path[0] != '/')
		return -1;
	for (const char *p = path; *p;) {
		const char *e;
		size_t n;
		int found = -1, fuzzy = -1, nfuzzy = 0;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		for_each_child(t, node, c) {
			if (name_matches(t->nodes[c].name, p, n, true)) {
				found = c;
				break;
			}
			if (name_matches(t->nodes[c].name, p, n, false)) {
				fuzzy = c;
				nfuzzy++;
			}
		}
		if (found < 0 && nfuzzy == 1)
			found = fuzzy;
		if (found < 0)
			return -1;
		node = found;
		p += n;
	}
	return node;
}

int fdti_prop_find(const fdt_tree *t, int node, const char *name)
{
	for (int p = t->nodes[node].first_prop; p >= 0; p = t->props[p].next)
		if (!strcmp(t->props[p].name, name))
			return p;
	return -1;
}

void fdti_path(const fdt_tree *t, int node, char *buf, size_t len)
{
	int chain[FDTI_MAX_DEPTH + 1], n = 0;
	size_t used = 0;

	if (!len)
		return;
	buf[0] = 0;
	for (int i = node; i > 0 && n <= FDTI_MAX_DEPTH; i = t->nodes[i].parent)
		chain[n++] = i;
	if (!n)
		snprintf(buf, len, "/");
	while (n-- > 0 && used < len) {
		int w = snprintf(buf + used, len - used, "/%s", t->nodes[chain[n]].name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* ---- dts printing ---- */

/* Names come from the blob: anything unprintable is shown escaped, so
 * output stays one item per line. */
static void put_name(mon_out *o, const char *s)
{
	for (; *s; s++)
		if (*s > 0x20 && *s < 0x7f)
			mon_printf(o, "%c", *s);
		else
			mon_printf(o, "\\x%02x", (uint8_t)*s);
}

static bool is_string_list(const uint8_t *v, uint32_t len)
{
	if (!len || v[len - 1])
		return false;
	for (uint32_t i = 0; i < len; i++) {
		if (!v[i]) {
			if (i == 0 || !v[i - 1])
				return false;	/* empty string: not dtc's idea of text */
		} else if (v[i] < 0x20 || v[i] >= 0x7f) {
			return false;
		}
	}
	return true;
}

static void put_strings(mon_out *o, const uint8_t *v, uint32_t len)
{
	mon_printf(o, "\"");
	for (uint32_t i = 0; i + 1 < len; i++) {
		if (!v[i])
			mon_printf(o, "\", \"");
		else if (v[i] == '"' || v[i] == '\\')
			mon_printf(o, "\\%c", v[i]);
		else
			mon_printf(o, "%c", v[i]);
	}
	mon_printf(o, "\"");
}

/* Properties whose cells hold phandles: each phandle is followed by as many
 * argument cells as the target's cells_prop says (cells_prop NULL: plain
 * phandle lists), between lead and trail plain cells for the *-map forms. */
static const struct phandle_prop {
	const char *name, *cells_prop;
	int lead, trail, cells_default;
} phandle_props[] = {
	{ "interrupt-parent", NULL, 0, 0, 0 },
	{ "next-level-cache", NULL, 0, 0, 0 },
	{ "cpu", NULL, 0, 0, 0 },
	{ "cpu-idle-states", NULL, 0, 0, 0 },
	{ "memory-region", NULL, 0, 0, 0 },
	{ "clocks", "#clock-cells", 0, 0, -1 },
	{ "iommus", "#iommu-cells", 0, 0, -1 },
	{ "interrupts-extended", "#interrupt-cells", 0, 0, -1 },
	{ "msi-parent", "#msi-cells", 0, 0, 0 },
	{ "resets", "#reset-cells", 0, 0, -1 },
	{ "power-domains", "#power-domain-cells", 0, 0, -1 },
	{ "dmas", "#dma-cells", 0, 0, -1 },
	{ "phys", "#phy-cells", 0, 0, -1 },
	{ "mboxes", "#mbox-cells", 0, 0, -1 },
	{ "iommu-map", "#iommu-cells", 1, 1, -1 },
	{ "msi-map", "#msi-cells", 1, 1, 0 },
};

static int target_cells(const fdt_tree *t, int node, const struct phandle_prop *pp)
{
	int p;

	if (!pp->cells_prop)
		return 0;
	p = fdti_prop_find(t, node, pp->cells_prop);
	if (p < 0 || t->props[p].len != 4)
		return pp->cells_default;
	return be32(t->props[p].val) > 255 ? -1 : (int)be32(t->props[p].val);
}

/* The cells with phandles resolved, or false when they do not decode
 * cleanly (then the caller prints plain cells). Checks before printing. */
static bool put_phandle_cells(const fdt_tree *t, const struct phandle_prop *pp, const uint8_t *v,
			      uint32_t ncells, mon_out *o)
{
	for (int pass = 0; pass < 2; pass++) {
		uint32_t i = 0;
		if (pass)
			mon_printf(o, "<");
		while (i < ncells) {
			int node, args;
			if (i + pp->lead + 1 > ncells)
				return false;
			for (int k = 0; k < pp->lead; k++, i++)
				if (pass)
					mon_printf(o, "%s0x%x", i ? " " : "", be32(v + 4 * i));
			node = phandle_node(t, be32(v + 4 * i));
			if (node < 0 || (args = target_cells(t, node, pp)) < 0 ||
			    i + 1 + args + pp->trail > ncells)
				return false;
			if (pass) {
				char path[1024];
				fdti_path(t, node, path, sizeof(path));
				mon_printf(o, "%s&{", i ? " " : "");
				put_name(o, path);
				mon_printf(o, "}");
			}
			i++;
			for (int k = 0; k < args + pp->trail; k++, i++)
				if (pass)
					mon_printf(o, " 0x%x", be32(v + 4 * i));
		}
		if (pass)
			mon_printf(o, ">");
	}
	return true;
}

static void put_value(const fdt_tree *t, const fdti_prop *p, mon_out *o)
{
	if (p->len % 4 == 0)
		for (size_t i = 0; i < ARRAY_SIZE(phandle_props); i++)
			if (!strcmp(p->name, phandle_props[i].name)) {
				mon_out tmp = { 0 };
				if (put_phandle_cells(t, &phandle_props[i], p->val, p->len / 4, &tmp))
					mon_printf(o, "%s", tmp.buf);
				free(tmp.buf);
				if (tmp.len)
					return;
				break;
			}
	if (is_string_list(p->val, p->len)) {
		put_strings(o, p->val, p->len);
	} else if (p->len % 4 == 0) {
		mon_printf(o, "<");
		for (uint32_t i = 0; i < p->len; i += 4)
			mon_printf(o, "%s0x%x", i ? " " : "", be32(p->val + i));
		mon_printf(o, ">");
	} else {
		mon_printf(o, "[");
		for (uint32_t i = 0; i < p->len; i++)
			mon_printf(o, "%s%02x", i ? " " : "", p->val[i]);
		mon_printf(o, "]");
	}
}

static void indent(mon_out *o, const char *prefix, int depth)
{
	mon_printf(o, "%s", prefix);
	for (int i = 0; i < depth; i++)
		mon_printf(o, "\t");
}

static void put_prop(const fdt_tree *t, int pi, const char *prefix, int depth, mon_out *o)
{
	const fdti_prop *p = &t->props[pi];

	indent(o, prefix, depth);
	put_name(o, p->name);
	if (p->len) {
		mon_printf(o, " = ");
		put_value(t, p, o);
	}
	mon_printf(o, ";\n");
}

static void put_node(const fdt_tree *t, int n, const char *prefix, int depth, mon_out *o)
{
	indent(o, prefix, depth);
	if (n == 0)
		mon_printf(o, "/");
	else
		put_name(o, t->nodes[n].name);
	mon_printf(o, " {\n");
	for (int p = t->nodes[n].first_prop; p >= 0; p = t->props[p].next)
		put_prop(t, p, prefix, depth + 1, o);
	for_each_child(t, n, c) {
		if (t->nodes[n].first_prop >= 0 || c != n + 1)
			mon_printf(o, "%s\n", prefix);
		put_node(t, c, prefix, depth + 1, o);
	}
	indent(o, prefix, depth);
	mon_printf(o, "};\n");
}

void fdti_print_dts(const fdt_tree *t, mon_out *o)
{
	mon_printf(o, "/dts-v1/;\n\n");
	for (int i = 0; i < t->nrsv; i++)
		mon_printf(o, "/memreserve/ 0x%llx 0x%llx;\n", (unsigned long long)t->rsv[i][0],
			   (unsigned long long)t->rsv[i][1]);
	if (t->nrsv)
		mon_printf(o, "\n");
	if (t->nnodes)
		put_node(t, 0, "", 0, o);
}

void fdti_print_node(const fdt_tree *t, int node, mon_out *o)
{
	put_node(t, node, "", 0, o);
}

void fdti_print_prop(const fdt_tree *t, int prop, mon_out *o)
{
	put_prop(t, prop, "", 0, o);
}

void fdti_print_paths(const fdt_tree *t, mon_out *o)
{
	char path[4096];

	for (int i = 0; i < t->nnodes; i++) {
		fdti_path(t, i, path, sizeof(path));
		put_name(o, path);
		mon_printf(o, "\n");
	}
}

/* ---- diff ---- */

typedef struct differ {
	const fdt_tree *a, *b;
	mon_out *o;
	int count;
	int hunk_a, hunk_b;	/* node whose @@ header was printed, -1 none */
} differ;

static void hunk(differ *d, int na, int nb)
{
	char path[4096];

	if (d->hunk_a == na && d->hunk_b == nb)
		return;
	d->hunk_a = na;
	d->hunk_b = nb;
	fdti_path(d->a, na, path, sizeof(path));
	mon_printf(d->o, "@@ ");
	put_name(d->o, path);
	mon_printf(d->o, " @@\n");
}

static int child_named(const fdt_tree *t, int n, const char *name)
{
	for_each_child(t, n, c)
		if (!strcmp(t->nodes[c].name, name))
			return c;
	return -1;
}

static void diff_node(differ *d, int na, int nb, int depth)
{
	const fdt_tree *a = d->a, *b = d->b;

	for (int p = a->nodes[na].first_prop; p >= 0; p = a->props[p].next) {
		int q = fdti_prop_find(b, nb, a->props[p].name);
		if (q >= 0 && a->props[p].len == b->props[q].len &&
		    !memcmp(a->props[p].val, b->props[q].val, a->props[p].len))
			continue;
		hunk(d, na, nb);
		put_prop(a, p, "-", depth + 1, d->o);
		if (q >= 0)
			put_prop(b, q, "+", depth + 1, d->o);
		d->count++;
	}
	for (int q = b->nodes[nb].first_prop; q >= 0; q = b->props[q].next)
		if (fdti_prop_find(a, na, b->props[q].name) < 0) {
			hunk(d, na, nb);
			put_prop(b, q, "+", depth + 1, d->o);
			d->count++;
		}
	for_each_child(a, na, c) {
		int other = child_named(b, nb, a->nodes[c].name);
		if (other >= 0) {
			diff_node(d, c, other, depth + 1);
			continue;
		}
		hunk(d, na, nb);
		put_node(a, c, "-", depth + 1, d->o);
		d->count++;
	}
	for_each_child(b, nb, c)
		if (child_named(a, na, b->nodes[c].name) < 0) {
			hunk(d, na, nb);
			put_node(b, c, "+", depth + 1, d->o);
			d->count++;
		}
}

int fdti_diff(const fdt_tree *a, const fdt_tree *b, const char *name_a, const char *name_b,
	      mon_out *o)
{
	differ d = { a, b, o, 0, -1, -1 };

	mon_printf(o, "--- %s\n+++ %s\n", name_a, name_b);
	if (a->nrsv != b->nrsv || (a->nrsv && memcmp(a->rsv, b->rsv, sizeof(*a->rsv) * a->nrsv))) {
		mon_printf(o, "@@ /memreserve/ @@\n");
		for (int i = 0; i < a->nrsv; i++)
			mon_printf(o, "-/memreserve/ 0x%llx 0x%llx;\n", (unsigned long long)a->rsv[i][0],
				   (unsigned long long)a->rsv[i][1]);
		for (int i = 0; i < b->nrsv; i++)
			mon_printf(o, "+/memreserve/ 0x%llx 0x%llx;\n", (unsigned long long)b->rsv[i][0],
				   (unsigned long long)b->rsv[i][1]);
		d.count++;
	}
	if (a->nnodes && b->nnodes)
		diff_node(&d, 0, 0, 0);
	return d.count;
}
