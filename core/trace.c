/*
 * Trace state, flag parsing, filters and output (see trace.h). The
 * architecture decodes its own exception causes; this file only formats
 * and filters records.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "trace.h"
#include "symbols/symbols.h"

_Static_assert(TRACE_MAX_CPUS == KWB_MAX_CPUS, "trace per-CPU arrays");

static const struct {
	const char *name;
	unsigned flag;
} flag_names[] = {
	{ "exec", TRACE_EXEC }, { "in_asm", TRACE_EXEC },
	{ "int", TRACE_INT }, { "unimp", TRACE_UNIMP }, { "guest_errors", TRACE_UNIMP },
	{ "smmu", TRACE_SMMU }, { "func", TRACE_FUNC }, { "irq", TRACE_IRQ }, { "mmu", TRACE_MMU },
	{ "all", TRACE_EXEC | TRACE_INT | TRACE_UNIMP | TRACE_SMMU | TRACE_IRQ | TRACE_MMU },
};

trace_state *trace_get(machine *m)
{
	trace_state *t = m->trace;

	if (!t) {
		t = kwb_zalloc(sizeof(*t));
		t->cpu = t->el = -1;
		t->out = stderr;
		m->trace = t;
	}
	return t;
}

void trace_free(machine *m)
{
	trace_state *t = m->trace;

	if (!t)
		return;
	if (t->own_out)
		fclose(t->out);
	free(t->ring);
	free(t);
	m->trace = NULL;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

/* A number or, with vmlinux symbols, a symbol name. */
static bool parse_addr(machine *m, const char *s, uint64_t *v)
{
	return parse_u64(s, v) || (m->symbols && symbols_lookup(m, s, v));
}

void trace_set_ring(machine *m, unsigned n)
{
	trace_state *t = trace_get(m);

	free(t->ring);
	t->ring = n ? kwb_zalloc((size_t)n * sizeof(*t->ring)) : NULL;
	t->ring_size = n;
	t->ring_head = t->ring_count = 0;
}

int trace_set(machine *m, const char *spec, char *err, size_t errlen)
{
	unsigned flags = 0, ring = 0;
	int cpu = -1, el = -1;
	bool has_range = false, want_ring = false;
	uint64_t lo = 0, hi = 0, v;
	char *copy = strdup(spec), *save = NULL, *tok;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq) {
			*eq++ = 0;
			if (!strcmp(tok, "cpu") && parse_u64(eq, &v) && v < KWB_MAX_CPUS) {
				cpu = (int)v;
			} else if (!strcmp(tok, "el") && parse_u64(eq, &v) && v <= 3) {
				el = (int)v;
			} else if (!strcmp(tok, "ring") && parse_u64(eq, &v) && v > 0 && v <= 1000000) {
				ring = (unsigned)v;
				want_ring = true;
			} else if (!strcmp(tok, "range")) {
				char *dash = strchr(eq, '-');
				if (!dash)
					goto bad;
				*dash = 0;
				if (!parse_addr(m, eq, &lo) || !parse_addr(m, dash + 1, &hi) || hi <= lo)
					goto bad;
				has_range = true;
			} else {
				goto bad;
			}
			continue;
		}
		if (!strcmp(tok, "off") || !strcmp(tok, "none"))
			continue;
		if (!strcmp(tok, "help")) {
			snprintf(err, errlen, "trace flags: exec (in_asm), int, unimp (guest_errors), smmu, func, irq, mmu, "
				 "all, off; "
				 "filters cpu=N, el=N, range=START-END; ring=N");
			rc = -1;
			goto out;
		}
		if (!strcmp(tok, "nochain"))	/* QEMU spelling: kwb always traces every insn */
			continue;
		size_t i;
		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (!strcmp(tok, flag_names[i].name))
				break;
		if (i == sizeof(flag_names) / sizeof(flag_names[0])) {
			snprintf(err, errlen, "unknown trace flag '%s' (exec, int, unimp, smmu, func, irq, mmu, cpu=N, el=N, "
				 "range=START-END, ring=N, off)", tok);
			rc = -1;
			goto out;
		}
		flags |= flag_names[i].flag;
	}
	trace_state *t = trace_get(m);
	t->flags = flags;
	t->cpu = cpu;
	t->el = el;
	t->has_range = has_range;
	t->lo = lo;
	t->hi = hi;
	if (want_ring)
		trace_set_ring(m, ring);
	t->panic_known = m->symbols && symbols_lookup(m, "panic", &t->panic_va);
	for (int i = 0; i < m->ncpus; i++)
		if (m->cpus[i])
			m->cpus[i]->exit_request = true;	/* re-check at the next quantum */
	goto out;
bad:
	snprintf(err, errlen, "bad trace option '%s=%s'", tok, tok + strlen(tok) + 1);
	rc = -1;
out:
	free(copy);
	return rc;
}

void trace_describe(machine *m, char *buf, size_t len)
{
	trace_state *t = m->trace;
	size_t n = 0;

	buf[0] = 0;
	if (!t || !t->flags) {
		n += snprintf(buf + n, len - n, "off");
	} else {
		const char *sep = "";
		if (t->flags & TRACE_EXEC) { n += snprintf(buf + n, len - n, "%sexec", sep); sep = ","; }
		if (t->flags & TRACE_INT) { n += snprintf(buf + n, len - n, "%sint", sep); sep = ","; }
		if (t->flags & TRACE_UNIMP) { n += snprintf(buf + n, len - n, "%sunimp", sep); sep = ","; }
		if (t->flags & TRACE_SMMU) { n += snprintf(buf + n, len - n, "%ssmmu", sep); sep = ","; }
		if (t->flags & TRACE_FUNC) { n += snprintf(buf + n, len - n, "%sfunc", sep); sep = ","; }
		if (t->flags & TRACE_IRQ) { n += snprintf(buf + n, len - n, "%sirq", sep); sep = ","; }
		if (t->flags & TRACE_MMU) { n += snprintf(buf + n, len - n, "%smmu", sep); sep = ","; }
		if (t->cpu >= 0 && n < len)
			n += snprintf(buf + n, len - n, " cpu=%d", t->cpu);
		if (t->el >= 0 && n < len)
			n += snprintf(buf + n, len - n, " el=%d", t->el);
		if (t->has_range && n < len)
			n += snprintf(buf + n, len - n, " range=0x%llx-0x%llx", (unsigned long long)t->lo,
				      (unsigned long long)t->hi);
	}
	if (t && t->ring_size && n < len)
		n += snprintf(buf + n, len - n, " ring=%u (%u held)", t->ring_size, t->ring_count);
	if (t && n < len)
		snprintf(buf + n, len - n, "%s, %llu records", t->ring_size ? "" : " to file",
			 (unsigned long long)t->records);
}

void trace_init(machine *m)
{
	const kwb_options *o = m->opt;
	char err[256];

	if (!o->trace_flags && !o->trace_file)
		return;
	trace_state *t = trace_get(m);
	if (o->trace_file) {
		FILE *f = fopen(o->trace_file, "w");
		if (!f)
			kwb_usage_error("-D %s: %s", o->trace_file, strerror(errno));
		setvbuf(f, NULL, _IOFBF, 1 << 16);
		t->out = f;
		t->own_out = true;
	}
	if (o->trace_flags && trace_set(m, o->trace_flags, err, sizeof(err)) < 0)
		kwb_usage_error("-d %s: %s", o->trace_flags, err);
}

void trace_emit(machine *m, const char *fmt, ...)
{
	trace_state *t = m->trace;
	va_list ap;

	t->records++;
	va_start(ap, fmt);
	if (t->ring) {
		t->ring[t->ring_head].raw = false;
		vsnprintf(t->ring[t->ring_head].text, TRACE_LINE, fmt, ap);
		t->ring_head = (t->ring_head + 1) % t->ring_size;
		if (t->ring_count < t->ring_size)
			t->ring_count++;
	} else {
		vfprintf(t->out, fmt, ap);
		fputc('\n', t->out);
	}
	va_end(ap);
}

static const char *sym(machine *m, uint64_t pc, char *buf, size_t len);

static void format_exec(machine *m, cpu *c, uint64_t pc, uint32_t insn, int el, char *buf, size_t len)
{
	char dis[96], name[128];

	m->arch->disasm(c, pc, insn, dis, sizeof(dis));
	sym(m, pc, name, sizeof(name));
	snprintf(buf, len, "exec cpu%d EL%d 0x%016llx%s%s%s: %08x  %s", c->index, el, (unsigned long long)pc,
		 name[0] ? " <" : "", name, name[0] ? ">" : "", insn, dis);
}

unsigned trace_ring_each(machine *m, void (*fn)(void *opaque, const char *line), void *opaque)
{
	trace_state *t = m->trace;

	if (!t || !t->ring)
		return 0;
	unsigned first = (t->ring_head + t->ring_size - t->ring_count) % t->ring_size;
	char line[TRACE_LINE];
	for (unsigned i = 0; i < t->ring_count; i++) {
		trace_rec *r = &t->ring[(first + i) % t->ring_size];
		if (r->raw) {
			format_exec(m, r->cpu < m->ncpus ? m->cpus[r->cpu] : m->cpus[0], r->pc, r->insn, r->el,
				    line, sizeof(line));
			fn(opaque, line);
		} else {
			fn(opaque, r->text);
		}
	}
	return t->ring_count;
}

static bool want(trace_state *t, cpu *c, int el, uint64_t pc)
{
	if (t->cpu >= 0 && t->cpu != c->index)
		return false;
	if (t->el >= 0 && t->el != el)
		return false;
	return !t->has_range || (pc >= t->lo && pc < t->hi);
}

bool trace_exec_wanted(cpu *c)
{
	trace_state *t = c->m->trace;

	return t && (t->flags & (TRACE_EXEC | TRACE_FUNC)) && (t->cpu < 0 || t->cpu == c->index);
}

static const char *sym(machine *m, uint64_t pc, char *buf, size_t len)
{
	if (!m->symbols || !symbols_format(m, pc, buf, len))
		buf[0] = 0;
	return buf;
}

static void print_line(void *opaque, const char *line)
{
	fprintf(opaque, "%s\n", line);
}

static void dump_on_panic(machine *m, trace_state *t)
{
	fprintf(t->out, "trace: the guest called panic(); the last %u records:\n", t->ring_count);
	trace_ring_each(m, print_line, t->out);
	fflush(t->out);
}

enum func_kind { FUNC_NONE, FUNC_CALL, FUNC_RET };

/* BL/BLR and RET; RISC-V jal/jalr linking ra, jalr x0, 0(ra) (also the
 * compressed c.jalr / c.jr ra). */
static enum func_kind func_kind(machine *m, uint32_t insn)
{
	if (m->arch->name[0] == 'a') {
		if ((insn & 0xfc000000) == 0x94000000 || (insn & 0xfffffc1f) == 0xd63f0000)
			return FUNC_CALL;
		if ((insn & 0xfffffc1f) == 0xd65f0000 || insn == 0xd65f0bff || insn == 0xd65f0fff)
			return FUNC_RET;
		return FUNC_NONE;
	}
	if ((insn & 3) != 3) {
		insn &= 0xffff;
		if ((insn & 0xf07f) == 0x9002 && (insn & 0x0f80))
			return FUNC_CALL;
		return insn == 0x8082 ? FUNC_RET : FUNC_NONE;
	}
	if (((insn & 0x7f) == 0x6f || (insn & 0x707f) == 0x67) && (insn >> 7 & 31) == 1)
		return FUNC_CALL;
	return insn == 0x00008067 ? FUNC_RET : FUNC_NONE;
}

/* The call's target is where the CPU goes next: reported at the next
 * instruction, so BLR/jalr need no register decoding. */
static void trace_func(machine *m, trace_state *t, cpu *c, uint64_t pc, uint32_t insn, int el)
{
	int i = c->index;
	char name[128], site[128];

	if (t->call_pending[i]) {
		t->call_pending[i] = false;
		if (want(t, c, el, t->call_site[i])) {
			sym(m, pc, name, sizeof(name));
			sym(m, t->call_site[i], site, sizeof(site));
			trace_emit(m, "func cpu%d 0x%016llx%s%s%s: %*scall %s [0x%016llx]", i,
				   (unsigned long long)t->call_site[i], site[0] ? " <" : "", site,
				   site[0] ? ">" : "", 2 * (t->depth[i] < 64 ? t->depth[i] : 64), "",
				   name[0] ? name : "?", (unsigned long long)pc);
		}
		t->depth[i]++;
	}
	switch (func_kind(m, insn)) {
	case FUNC_CALL:
		t->call_pending[i] = true;
		t->call_site[i] = pc;
		break;
	case FUNC_RET:
		if (t->depth[i] > 0)
			t->depth[i]--;
		if (want(t, c, el, pc)) {
			sym(m, pc, site, sizeof(site));
			trace_emit(m, "func cpu%d 0x%016llx%s%s%s: %*sret", i, (unsigned long long)pc,
				   site[0] ? " <" : "", site, site[0] ? ">" : "",
				   2 * (t->depth[i] < 64 ? t->depth[i] : 64), "");
		}
		break;
	default:
		break;
	}
}

void trace_exec(cpu *c, uint64_t pc, uint32_t insn, int el)
{
	machine *m = c->m;
	trace_state *t = m->trace;
	char line[TRACE_LINE];

	if (unlikely(t->panic_known && pc == t->panic_va && t->ring))
		dump_on_panic(m, t);
	if (t->flags & TRACE_FUNC)
		trace_func(m, t, c, pc, insn, el);
	if (!(t->flags & TRACE_EXEC) || !want(t, c, el, pc))
		return;
	if (t->ring) {
		trace_rec *r = &t->ring[t->ring_head];
		r->raw = true;
		r->pc = pc;
		r->insn = insn;
		r->cpu = (uint8_t)c->index;
		r->el = (uint8_t)el;
		t->ring_head = (t->ring_head + 1) % t->ring_size;
		if (t->ring_count < t->ring_size)
			t->ring_count++;
		t->records++;
		return;
	}
	format_exec(m, c, pc, insn, el, line, sizeof(line));
	trace_emit(m, "%s", line);
}

void trace_int(cpu *c, int from_el, int to_el, uint64_t pc, const char *what, uint64_t ret,
	       uint64_t vector)
{
	machine *m = c->m;
	trace_state *t = m->trace;
	char name[128];

	if (!want(t, c, from_el, pc))
		return;
	sym(m, ret, name, sizeof(name));
	trace_emit(m, "int cpu%d %s EL%d->EL%d ret=0x%016llx%s%s%s vector=0x%016llx", c->index, what, from_el,
		   to_el, (unsigned long long)ret, name[0] ? " <" : "", name, name[0] ? ">" : "",
		   (unsigned long long)vector);
}

void trace_unimp(cpu *c, int el, uint64_t pc, const char *what)
{
	machine *m = c->m;
	trace_state *t = m->trace;
	char name[128];

	if (!want(t, c, el, pc))
		return;
	sym(m, pc, name, sizeof(name));
	trace_emit(m, "unimp cpu%d EL%d 0x%016llx%s%s%s: %s", c->index, el, (unsigned long long)pc,
		   name[0] ? " <" : "", name, name[0] ? ">" : "", what);
}
