/*
 * Trace state, flag parsing, filters and output (see trace.h). The
 * architecture decodes its own exception causes; this file only formats
 * and filters records.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "machine.h"
#include "trace.h"

_Static_assert(TRACE_MAX_CPUS == KWB_MAX_CPUS, "trace per-CPU arrays");

static const struct {
	const char *name;
	unsigned flag;
} flag_names[] = {
	{ "exec", TRACE_EXEC }, { "in_asm", TRACE_EXEC },
	{ "int", TRACE_INT }, { "unimp", TRACE_UNIMP }, { "guest_errors", TRACE_UNIMP },
	{ "smmu", TRACE_SMMU }, { "func", TRACE_FUNC }, { "irq", TRACE_IRQ }, { "mmu", TRACE_MMU },
	{ "mem", TRACE_MEM }, { "mmio", TRACE_MMIO }, { "dev", TRACE_DEV },
	{ "all", TRACE_EXEC | TRACE_INT | TRACE_UNIMP | TRACE_SMMU | TRACE_IRQ | TRACE_MMU | TRACE_MEM |
		 TRACE_DEV },
};

static bool is_riscv(const machine *m)
{
	return m->arch->name[0] == 'r';
}

const char *trace_level(machine *m, int el, char buf[8])
{
	if (is_riscv(m))
		snprintf(buf, 8, "%s", el == 3 ? "M" : el == 1 ? "S" : el == 0 ? "U" : "H");
	else
		snprintf(buf, 8, "EL%d", el & 3);
	return buf;
}

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
	free(t->ranges);
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
	return parse_u64(s, v) || dbg_sym_lookup(m, s, v);
}

typedef struct range_list {
	trace_range *r;
	int n, cap;
} range_list;

static void range_add(range_list *l, uint64_t lo, uint64_t hi)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->r = realloc(l->r, (size_t)l->cap * sizeof(*l->r));
		if (!l->r)
			kwb_fatal("out of memory");
	}
	l->r[l->n++] = (trace_range){ lo, hi };
}

static int range_cmp(const void *a, const void *b)
{
	const trace_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge, so want() is one binary search. */
static void range_merge(range_list *l)
{
	int n = 0;

	if (!l->n)
		return;
	qsort(l->r, (size_t)l->n, sizeof(*l->r), range_cmp);
	for (int i = 0; i < l->n; i++) {
		if (n && l->r[i].lo <= l->r[n - 1].hi) {
			if (l->r[i].hi > l->r[n - 1].hi)
				l->r[n - 1].hi = l->r[i].hi;
		} else {
			l->r[n++] = l->r[i];
		}
	}
	l->n = n;
}

static void range_add_cb(void *ctx, uint64_t lo, uint64_t hi)
{
	range_add(ctx, lo, hi);
}

static bool in_ranges(const trace_state *t, uint64_t pc)
{
	int lo = 0, hi = t->nranges - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (pc < t->ranges[mid].lo)
			hi = mid - 1;
		else if (pc >= t->ranges[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* el=N, or on RISC-V el=U|S|M (also spelt priv=). */
static bool parse_level(machine *m, const char *s, int *el)
{
	uint64_t v;

	if (is_riscv(m) && s[0] && !s[1]) {
		const char *p = strchr("USHM", s[0] & ~0x20);
		if (p && s[0] & ~0x20) {
			*el = (int)(p - "USHM");
			return true;
		}
	}
	if (!parse_u64(s, &v) || v > 3)
		return false;
	*el = (int)v;
	return true;
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
	bool want_ring = false;
	uint64_t lo = 0, hi = 0, v;
	range_list rl = { 0 };
	char filters[160] = "";
	size_t flen = 0;
	char *copy = strdup(spec), *save = NULL, *tok;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq) {
			*eq++ = 0;
			if (!strcmp(tok, "cpu") && parse_u64(eq, &v) && v < KWB_MAX_CPUS) {
				cpu = (int)v;
			} else if ((!strcmp(tok, "el") || !strcmp(tok, "priv")) && parse_level(m, eq, &el)) {
			} else if (!strcmp(tok, "ring") && parse_u64(eq, &v) && v > 0 && v <= 1000000) {
				ring = (unsigned)v;
				want_ring = true;
			} else if (!strcmp(tok, "range")) {
				char *dash = strchr(eq, '-');
				if (!dash)
					goto bad;
				*dash = 0;
				if (!parse_addr(m, eq, &lo) || !parse_addr(m, dash + 1, &hi) || hi <= lo) {
					*dash = '-';
					goto bad;
				}
				*dash = '-';
				range_add(&rl, lo, hi);
				flen += (size_t)snprintf(filters + flen, flen < sizeof(filters) ? sizeof(filters) - flen : 0,
							 " range=0x%llx-0x%llx", (unsigned long long)lo,
							 (unsigned long long)hi);
			} else if (!strcmp(tok, "sym")) {
				int n = dbg_sym_text_ranges(m, eq, range_add_cb, &rl);
				if (n <= 0) {
					snprintf(err, errlen, n < 0 ? "sym=%s: no vmlinux symbols (use -symbols FILE)"
								    : "sym=%s: no function symbol matches", eq);
					rc = -1;
					goto out;
				}
				flen += (size_t)snprintf(filters + flen, flen < sizeof(filters) ? sizeof(filters) - flen : 0,
							 " sym=%s", eq);
			} else {
				goto bad;
			}
			continue;
		}
		if (!strcmp(tok, "off") || !strcmp(tok, "none"))
			continue;
		if (!strcmp(tok, "help")) {
			snprintf(err, errlen, "trace flags: exec (in_asm), int, unimp (guest_errors), mem, mmio, dev, func, "
				 "smmu, irq, mmu, all, off; filters cpu=N, el=N (RISC-V: el=U|S|M), "
				 "range=START-END, sym=GLOB; ring=N");
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
			snprintf(err, errlen, "unknown trace flag '%s' (exec, int, unimp, mem, mmio, dev, func, smmu, irq, "
				 "mmu, cpu=N, el=N, range=START-END, sym=GLOB, ring=N, off)", tok);
			rc = -1;
			goto out;
		}
		flags |= flag_names[i].flag;
	}
	trace_state *t = trace_get(m);
	range_merge(&rl);
	t->flags = flags;
	t->cpu = cpu;
	t->el = el;
	free(t->ranges);
	t->ranges = rl.r;
	t->nranges = rl.n;
	rl.r = NULL;
	snprintf(t->filter_text, sizeof(t->filter_text), "%s", filters);
	if (want_ring)
		trace_set_ring(m, ring);
	t->panic_known = dbg_sym_lookup(m, "panic", &t->panic_va);
	for (int i = 0; i < m->ncpus; i++)
		if (m->cpus[i])
			m->cpus[i]->exit_request = true;	/* re-check at the next quantum */
	goto out;
bad:
	snprintf(err, errlen, "bad trace option '%s=%s'", tok, tok + strlen(tok) + 1);
	rc = -1;
out:
	free(rl.r);
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
		if (t->flags & TRACE_MEM) { n += snprintf(buf + n, len - n, "%smem", sep); sep = ","; }
		if (t->flags & TRACE_MMIO) { n += snprintf(buf + n, len - n, "%smmio", sep); sep = ","; }
		if (t->flags & TRACE_DEV) { n += snprintf(buf + n, len - n, "%sdev", sep); sep = ","; }
		if (t->cpu >= 0 && n < len)
			n += snprintf(buf + n, len - n, " cpu=%d", t->cpu);
		if (t->el >= 0 && n < len) {
			char lv[8];
			if (is_riscv(m))
				n += snprintf(buf + n, len - n, " el=%s", trace_level(m, t->el, lv));
			else
				n += snprintf(buf + n, len - n, " el=%d", t->el);
		}
		if (t->filter_text[0] && n < len)
			n += snprintf(buf + n, len - n, "%s", t->filter_text);
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
	char dis[96], name[128], lv[8];

	m->arch->disasm(c, pc, insn, dis, sizeof(dis));
	sym(m, pc, name, sizeof(name));
	/* RISC-V: a compressed instruction shows as its 16 bits */
	snprintf(buf, len, "exec cpu%d %s 0x%016llx%s%s%s: %0*x  %s", c->index, trace_level(m, el, lv),
		 (unsigned long long)pc, name[0] ? " <" : "", name, name[0] ? ">" : "",
		 is_riscv(m) && (insn & 3) != 3 ? 4 : 8, is_riscv(m) && (insn & 3) != 3 ? insn & 0xffff : insn,
		 dis);
}

/* The last n records of the ring, oldest first. */
static unsigned ring_last(machine *m, unsigned n, void (*fn)(void *opaque, const char *line), void *opaque)
{
	trace_state *t = m->trace;

	if (!t || !t->ring)
		return 0;
	if (n > t->ring_count)
		n = t->ring_count;
	unsigned first = (t->ring_head + t->ring_size - n) % t->ring_size;
	char line[TRACE_LINE];
	for (unsigned i = 0; i < n; i++) {
		trace_rec *r = &t->ring[(first + i) % t->ring_size];
		if (r->raw) {
			format_exec(m, r->cpu < m->ncpus ? m->cpus[r->cpu] : m->cpus[0], r->pc, r->insn, r->el,
				    line, sizeof(line));
			fn(opaque, line);
		} else {
			fn(opaque, r->text);
		}
	}
	return n;
}

unsigned trace_ring_each(machine *m, void (*fn)(void *opaque, const char *line), void *opaque)
{
	return ring_last(m, ~0u, fn, opaque);
}

static bool want(trace_state *t, cpu *c, int el, uint64_t pc)
{
	if (t->cpu >= 0 && t->cpu != c->index)
		return false;
	if (t->el >= 0 && t->el != el)
		return false;
	return !t->nranges || in_ranges(t, pc);
}

bool trace_exec_wanted(cpu *c)
{
	trace_state *t = c->m->trace;

	return t && (t->flags & (TRACE_EXEC | TRACE_FUNC)) && (t->cpu < 0 || t->cpu == c->index);
}

static const char *sym(machine *m, uint64_t pc, char *buf, size_t len)
{
	if (!dbg_sym_format(m, pc, buf, len))
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

	if (t->exec_hook) {
		t->exec_hook(t->hook_opaque, c, pc, insn);
		return;
	}
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
	char name[128], from[8], to[8];

	if (t->int_hook) {
		t->int_hook(t->hook_opaque, c, pc, ret, vector, what);
		return;
	}
	if (!want(t, c, from_el, pc))
		return;
	sym(m, ret, name, sizeof(name));
	trace_emit(m, "int cpu%d %s %s->%s ret=0x%016llx%s%s%s vector=0x%016llx", c->index, what,
		   trace_level(m, from_el, from), trace_level(m, to_el, to), (unsigned long long)ret,
		   name[0] ? " <" : "", name, name[0] ? ">" : "", (unsigned long long)vector);
}

void trace_unimp(cpu *c, int el, uint64_t pc, const char *what)
{
	machine *m = c->m;
	trace_state *t = m->trace;
	char name[128], lv[8];

	if (!want(t, c, el, pc))
		return;
	sym(m, pc, name, sizeof(name));
	trace_emit(m, "unimp cpu%d %s 0x%016llx%s%s%s: %s", c->index, trace_level(m, el, lv),
		   (unsigned long long)pc, name[0] ? " <" : "", name, name[0] ? ">" : "", what);
}

bool trace_mem_wanted(cpu *c)
{
	trace_state *t = c->m->trace;

	return t && (t->flags & TRACE_MEM) && (t->cpu < 0 || t->cpu == c->index);
}

/* A region named after its DT node ("serial") is shown as its device
 * model ("ns16550a"); regions a model names itself ("gicv3-dist") as is. */
static const char *device_name(machine *m, const bus_region *r)
{
	for (int i = 0; i < m->ndev; i++) {
		const board_device *d = m->dev_desc[i];
		if (d->base == r->base && !strcmp(d->name, r->name))
			return d->type;
	}
	return r->name;
}

void trace_mem(cpu *c, int el, uint64_t pc, uint64_t va, paddr_t pa, unsigned size, int acc, uint64_t value)
{
	machine *m = c->m;
	trace_state *t = m->trace;
	char name[128], lv[8], reg[24];
	const char *rn = NULL;
	bus_region *r;
	int digits = 2 * (int)(size < 8 ? size : 8);

	if (!(t->flags & (TRACE_MEM | TRACE_MMIO)))
		return;
	r = bus_find(&m->bus, pa);
	if (r && r->host && !(t->flags & TRACE_MEM))
		return;		/* mmio alone: RAM accesses are not wanted */
	if (!want(t, c, el, pc))
		return;
	sym(m, pc, name, sizeof(name));
	if (size < 8)
		value &= (1ull << (8 * size)) - 1;
	if (r && !r->host) {
		if (r->ops->reg_name)
			rn = r->ops->reg_name(r->opaque, pa - r->base);
		const char *slash = rn ? strchr(rn, '/') : NULL;
		if (slash && !strchr(slash + 1, '/') && !strchr(rn, ' ')) {
			/* "RBR/THR": the register read / the one written */
			if (acc == ACC_WRITE) {
				rn = slash + 1;
			} else {
				snprintf(reg, sizeof(reg), "%.*s", (int)(slash - rn), rn);
				rn = reg;
			}
		}
		if (!rn) {
			snprintf(reg, sizeof(reg), "+0x%llx", (unsigned long long)(pa - r->base));
			rn = reg;
		}
		trace_emit(m, "mmio cpu%d %s 0x%016llx%s%s%s: %s@0x%llx %s %s 0x%llx size=%u va=0x%llx", c->index,
			   trace_level(m, el, lv), (unsigned long long)pc, name[0] ? " <" : "", name,
			   name[0] ? ">" : "", device_name(m, r), (unsigned long long)r->base, rn,
			   acc == ACC_WRITE ? "write" : "read", (unsigned long long)value, size,
			   (unsigned long long)va);
		return;
	}
	trace_emit(m, "mem cpu%d %s 0x%016llx%s%s%s: %s 0x%0*llx size=%u va=0x%llx pa=0x%llx%s", c->index,
		   trace_level(m, el, lv), (unsigned long long)pc, name[0] ? " <" : "", name, name[0] ? ">" : "",
		   acc == ACC_WRITE ? "store" : acc == ACC_READ ? "load" : "amo-old", digits,
		   (unsigned long long)value, size, (unsigned long long)va, (unsigned long long)pa,
		   r ? "" : " (unmapped)");
}

void trace_dev_emit(machine *m, const char *dev, const char *fmt, ...)
{
	char what[TRACE_LINE - 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	trace_emit(m, "dev %s: %s", dev, what);
}

const char *trace_char(unsigned byte)
{
	static char buf[4][8];
	static unsigned next;
	char *b = buf[next++ % 4];

	if (byte == '\n' || byte == '\r')
		snprintf(b, 8, " '\\%c'", byte == '\n' ? 'n' : 'r');
	else if (byte >= 0x20 && byte < 0x7f)
		snprintf(b, 8, " '%c'", byte);
	else
		b[0] = 0;
	return b;
}

void trace_stop(cpu *c, const char *why, uint64_t addr)
{
	machine *m = c->m;
	trace_state *t = m->trace;
	uint64_t fresh;

	if (!t || !t->ring)
		return;
	fresh = t->records - t->dumped;
	t->dumped = t->records;
	if (!fresh)
		return;
	fprintf(t->out, "trace: cpu%d stopped at %s 0x%llx; the last %u records:\n", c->index, why,
		(unsigned long long)addr, fresh < t->ring_count ? (unsigned)fresh : t->ring_count);
	ring_last(m, fresh < t->ring_count ? (unsigned)fresh : t->ring_count, print_line, t->out);
	fflush(t->out);
}
