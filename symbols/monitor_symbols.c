/*
 * Monitor commands for kernel symbols and physical memory: sym, vtop,
 * ptdump, pbreak, pwatch, pdelete. Addresses may be numbers or symbol
 * expressions (NAME, NAME+OFF); guest memory is read only through the
 * debug interface (dbg_mem_read with DBG_PHYS for page tables).
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/machine.h"
#include "core/monitor.h"
#include "symbols/ptwalk.h"
#include "symbols/symbols.h"

#define PTDUMP_MAX_LINES 1000
#define PTDUMP_MAX_TABLES 8192

static bool parse_number(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return *end == 0 && errno != ERANGE;	/* more than 64 bits: refused */
}

/* NUMBER, NAME, NAME+OFF, NAME-OFF. *named says a symbol was used.
 * Returns 0, -1 (not an address: no such symbol...), or -2 for one that
 * cannot be an address (wider than 64 bits, wrapping past 0 or 2^64). */
static int parse_addr(mon_ctx *c, const char *arg, uint64_t *v, bool *named)
{
	char name[256];
	const char *op;
	uint64_t off = 0, base;
	size_t n;

	if (named)
		*named = false;
	if (parse_number(arg, v))
		return 0;
	if (*arg >= '0' && *arg <= '9') {	/* no symbol starts with a digit */
		mon_printf(c->out, "bad address '%s' (a number of at most 64 bits)\n", arg);
		return -2;
	}
	op = strpbrk(arg, "+-");
	n = op ? (size_t)(op - arg) : strlen(arg);
	if (n == 0 || n >= sizeof(name) || (op && !parse_number(op + 1, &off))) {
		mon_printf(c->out, "bad address '%s'\n", arg);
		return -1;
	}
	memcpy(name, arg, n);
	name[n] = 0;
	if (!symbols_get(c->m)) {
		mon_printf(c->out, "'%s': no kernel symbols loaded (use -symbols vmlinux)\n", arg);
		return -1;
	}
	if (!symbols_lookup(c->m, name, &base)) {
		mon_printf(c->out, "no symbol '%s'\n", name);
		return -1;
	}
	if (op && (*op == '-' ? off > base : base + off < base)) {
		mon_printf(c->out, "'%s' wraps past the %s of the address space\n", arg,
			   *op == '-' ? "start" : "end");
		return -2;
	}
	*v = op && *op == '-' ? base - off : base + off;
	if (named)
		*named = true;
	return 0;
}

static int reg_u64(machine *m, int cpu, const char *name, uint64_t *v)
{
	const reg_table *t = dbg_regs(m);
	int idx = t ? regtab_find(t, name) : -1;
	uint8_t buf[16] = { 0 };

	*v = 0;
	if (idx < 0 || dbg_reg_read(m, cpu, idx, buf) < 0)
		return -1;
	for (int i = 7; i >= 0; i--)
		*v = *v << 8 | buf[i];
	return 0;
}

static bool is_aarch64(machine *m)
{
	return !strcmp(m->arch->name, "aarch64");
}

/* ---- sym ---- */

static void print_sym_line(mon_ctx *c, const vmlinux *v, const ksym *s)
{
	const ksection *sec = vmlinux_section_at(v, s->addr);
	const char *what;
	paddr_t pa;

	mon_printf(c->out, "%s = 0x%016llx %c size 0x%llx %s", ksym_name(v, s), (unsigned long long)s->addr,
		   s->kind, (unsigned long long)s->size, sec ? sec->name : "");
	if (symbols_va_to_pa(c->m, s->addr, &pa, &what))
		mon_printf(c->out, "  PA 0x%llx (%s)", (unsigned long long)pa, what);
	mon_printf(c->out, "\n");
}

struct sym_ctx { mon_ctx *c; const vmlinux *v; int shown; };

static void show_named(const ksym *s, void *p)
{
	struct sym_ctx *x = p;

	if (x->shown++ < 8)
		print_sym_line(x->c, x->v, s);
}

static int sym_by_name(mon_ctx *c, const vmlinux *v, const char *name)
{
	struct sym_ctx x = { c, v, 0 };
	int n = vmlinux_each_named(v, name, show_named, &x), similar = 0;

	if (n > 8)
		mon_printf(c->out, "... %d symbols called %s\n", n, name);
	if (n)
		return 0;
	mon_printf(c->out, "no symbol '%s'", name);
	for (int i = 0; i < v->nsyms && similar < 16; i++) {
		const char *s = ksym_name(v, &v->syms[i]);
		if (strstr(s, name))
			mon_printf(c->out, "%s%s", similar++ ? ", " : "; similar: ", s);
	}
	mon_printf(c->out, "%s\n", similar == 16 ? ", ..." : "");
	return -1;
}

static void print_range(mon_ctx *c, const kmap_range *r)
{
	if (r->size)
		mon_printf(c->out, "%-13s VA 0x%016llx-0x%016llx -> PA 0x%llx\n", r->what,
			   (unsigned long long)r->va, (unsigned long long)(r->va + r->size - 1),
			   (unsigned long long)r->pa);
}

/* What is loaded, the aliases, and how to give gdb symbols for the
 * physical addresses the kernel runs at before its MMU is on. */
static int sym_info(mon_ctx *c, kwb_symbols *s)
{
	const vmlinux *v = s->vm;

	mon_printf(c->out, "%s: %s, %d symbols, %d sections, %d PT_LOAD\n", v->path, v->arch,
		   v->nsyms, v->nsections, v->nsegments);
	if (!s->have_map) {
		mon_printf(c->out, "kernel load address unknown: no VA->PA alias\n");
		return 0;
	}
	symbols_va_to_pa(c->m, s->map.image.va, NULL, NULL);	/* refreshes the linear map, slide */
	print_range(c, &s->map.image);
	print_range(c, &s->map.linear);
	if (s->map.slide)
		mon_printf(c->out, "KASLR: the kernel moved its image by 0x%llx from the link addresses "
			   "(gdb: symbol-file %s -o 0x%llx)\n", (unsigned long long)s->map.slide, v->path,
			   (unsigned long long)s->map.slide);
	if (s->map.image.pa == s->map.link_va)
		mon_printf(c->out, "the image runs at its link addresses: no physical alias needed\n");
	else
		mon_printf(c->out, "symbols at the physical addresses (MMU off) in gdb:\n"
			   "  add-symbol-file %s -o 0x%llx\n", v->path,
			   (unsigned long long)(s->map.image.pa - s->map.link_va));
	return 0;
}

static int cmd_sym(mon_ctx *c, int argc, char **argv)
{
	kwb_symbols *s = symbols_get(c->m);
	char buf[300];
	const char *what;
	uint64_t addr, off;
	vaddr_t va;
	paddr_t pa;
	const ksym *k;

	if (argc > 2) {
		mon_printf(c->out, "usage: sym [ADDR|NAME]\n");
		return -1;
	}
	if (!s) {
		mon_printf(c->out, "no kernel symbols loaded (use -symbols vmlinux)\n");
		return -1;
	}
	if (argc == 1)
		return sym_info(c, s);
	if (!parse_number(argv[1], &addr)) {
		int r = strpbrk(argv[1], "+-") || (argv[1][0] >= '0' && argv[1][0] <= '9')
			? parse_addr(c, argv[1], &addr, NULL) : -1;
		if (r == 0)
			goto by_addr;
		if (r == -2)
			return -1;	/* said why */
		return sym_by_name(c, s->vm, argv[1]);
	}
by_addr:
	if ((k = vmlinux_sym_at(s->vm, addr, &off))) {
		vmlinux_format(s->vm, addr, buf, sizeof(buf));
		mon_printf(c->out, "0x%llx = %s (%c, %s)", (unsigned long long)addr, buf, k->kind,
			   vmlinux_section_at(s->vm, addr)->name);
		if (symbols_va_to_pa(c->m, addr, &pa, &what))
			mon_printf(c->out, "  PA 0x%llx (%s)", (unsigned long long)pa, what);
		mon_printf(c->out, "\n");
		return 0;
	}
	if (symbols_pa_to_va(c->m, addr, &va, &what) && vmlinux_format(s->vm, va, buf, sizeof(buf))) {
		mon_printf(c->out, "PA 0x%llx = VA 0x%llx (%s) = %s\n", (unsigned long long)addr,
			   (unsigned long long)va, what, buf);
		return 0;
	}
	mon_printf(c->out, "0x%llx: no kernel symbol (neither a kernel VA nor a PA of the kernel image)\n",
		   (unsigned long long)addr);
	return -1;
}

/* ---- page tables ---- */

typedef struct mem_reader { machine *m; int cpu; } mem_reader;

static size_t read_phys(void *opaque, paddr_t pa, void *buf, size_t len)
{
	mem_reader *r = opaque;
	return dbg_mem_read(r->m, r->cpu, pa, buf, len, DBG_PHYS);
}

/* The CPU's current regimes: AArch64 TTBR0/TTBR1, RISC-V satp. Returns 0,
 * 1 when that regime does not translate now (err says why: an answer, not
 * a failure), or -1 for a bad name or unreadable registers. */
static int cpu_regime(mon_ctx *c, const char *which, pt_regime *r, char *err, size_t errlen)
{
	uint64_t tcr, mair, ttbr, satp;

	if (is_aarch64(c->m)) {
		bool upper = !strcasecmp(which, "ttbr1");
		if (strcasecmp(which, "ttbr0") && !upper) {
			snprintf(err, errlen, "'%s': AArch64 regimes are ttbr0 and ttbr1", which);
			return -1;
		}
		if (reg_u64(c->m, c->cpu, "TCR_EL1", &tcr) || reg_u64(c->m, c->cpu, "MAIR_EL1", &mair) ||
		    reg_u64(c->m, c->cpu, upper ? "TTBR1_EL1" : "TTBR0_EL1", &ttbr)) {
			snprintf(err, errlen, "cannot read TCR_EL1/MAIR_EL1/TTBRn_EL1 of CPU#%d", c->cpu);
			return -1;
		}
		if (!tcr) {
			snprintf(err, errlen, "TCR_EL1 is 0: the MMU has not been set up yet");
			return 1;
		}
		return pt_regime_aarch64(r, ttbr, tcr, mair, upper, err, errlen) ? 1 : 0;
	}
	if (strcasecmp(which, "satp")) {
		snprintf(err, errlen, "'%s': the RISC-V regime is satp", which);
		return -1;
	}
	if (reg_u64(c->m, c->cpu, "satp", &satp)) {
		snprintf(err, errlen, "cannot read satp of CPU#%d", c->cpu);
		return -1;
	}
	return pt_regime_riscv(r, satp, err, errlen) ? 1 : 0;
}

static void describe_regime(mon_ctx *c, const pt_regime *r)
{
	if (r->fmt == PT_RISCV)
		mon_printf(c->out, "%s: root 0x%llx, Sv%u\n", r->name, (unsigned long long)r->root, r->va_bits);
	else
		mon_printf(c->out, "%s: root 0x%llx, %uK granule, %u-bit VA\n", r->name,
			   (unsigned long long)r->root, 1u << (r->granule - 10), r->va_bits);
}

static void print_walk(mon_ctx *c, const walk_log *log)
{
	for (int i = 0; i < log->count && i < (int)ARRAY_SIZE(log->steps); i++) {
		const walk_step *s = &log->steps[i];
		mon_printf(c->out, "  L%d table 0x%llx [0x%llx] = 0x%016llx  %s\n", s->level,
			   (unsigned long long)s->table, (unsigned long long)s->desc_addr,
			   (unsigned long long)s->desc, s->note);
	}
	if (log->result[0])
		mon_printf(c->out, "  %s\n", log->result);
}

static int cmd_vtop(mon_ctx *c, int argc, char **argv)
{
	machine *m = c->m;
	walk_log log;
	char name[300];
	const char *what;
	uint64_t va;
	paddr_t pa, alias;
	bool mmu;
	int r;

	if (argc != 2) {
		mon_printf(c->out, "usage: vtop ADDR\n");
		return -1;
	}
	if (parse_addr(c, argv[1], &va, NULL))
		return -1;
	if (c->cpu < 0 || c->cpu >= m->ncpus) {
		mon_printf(c->out, "no CPU#%d\n", c->cpu);
		return -1;
	}
	mmu = m->arch->mmu_enabled(m->cpus[c->cpu]);
	symbols_format(m, va, name, sizeof(name));
	mon_printf(c->out, "CPU#%d VA 0x%llx%s%s%s: translation %s\n", c->cpu, (unsigned long long)va,
		   name[0] ? " <" : "", name, name[0] ? ">" : "", mmu ? "on" : "off");
	memset(&log, 0, sizeof(log));
	r = dbg_translate(m, c->cpu, va, &pa, &log);
	if (mmu && log.count == 0 && !log.result[0]) {
		/* The CPU did not describe its walk: show kwb's own. */
		pt_regime reg;
		char err[160];
		mem_reader rd = { m, c->cpu };
		bool hi = is_aarch64(m) && (va >> 63);
		paddr_t own;
		if (cpu_regime(c, is_aarch64(m) ? (hi ? "ttbr1" : "ttbr0") : "satp", &reg, err, sizeof(err)) == 0) {
			describe_regime(c, &reg);
			pt_translate(&reg, read_phys, &rd, va, &own, &log);
		}
	}
	print_walk(c, &log);
	if (symbols_va_to_pa(m, va, &alias, &what) && (!mmu || r == 0))
		mon_printf(c->out, "  %s alias: PA 0x%llx%s\n", what, (unsigned long long)alias,
			   !mmu ? " (used while translation is off)"
			   : strstr(log.result, "fault") ? " (not mapped: the debugger uses the alias)"
			   : pa == alias ? "" : " (differs from the walk)");
	if (r < 0) {
		mon_printf(c->out, "=> not mapped\n");
		return 0;	/* the fault is the answer */
	}
	mon_printf(c->out, "=> PA 0x%llx\n", (unsigned long long)pa);
	return 0;
}

typedef struct dump_ctx {
	mon_ctx *c;
	const pt_regime *r;
	int lines;
	const char *region;
} dump_ctx;

/* Which known kernel region a VA is in, for ptdump's section markers. */
static const char *region_of(machine *m, vaddr_t va)
{
	const char *what = NULL;
	kwb_symbols *s = symbols_get(m);

	if (s && s->have_map)
		kernel_map_va_to_pa(&s->map, va, &(paddr_t){ 0 }, &what);
	return what;
}

static bool dump_line(void *p, const pt_leaf *l)
{
	dump_ctx *d = p;
	char attrs[96], size[16], name[128] = "";
	kwb_symbols *s = symbols_get(d->c->m);
	const char *region;
	uint64_t off;
	const ksym *k;

	if (d->lines >= PTDUMP_MAX_LINES)
		return false;
	d->lines++;
	region = region_of(d->c->m, l->va);
	if (region != d->region && region)
		mon_printf(d->c->out, "---[ %s ]---\n", region);
	d->region = region;
	pt_attr_string(d->r, l->attrs, attrs, sizeof(attrs));
	pt_size_string(l->size, size, sizeof(size));
	if (s && (k = vmlinux_sym_at(s->vm, l->va, &off)) && off == 0)
		snprintf(name, sizeof(name), "  <%s>", ksym_name(s->vm, k));
	mon_printf(d->c->out, "0x%016llx-0x%016llx -> 0x%012llx %6s L%d %s%s\n",
		   (unsigned long long)l->va, (unsigned long long)(l->va + l->size - 1),
		   (unsigned long long)l->pa, size, l->level, attrs, name);
	return true;
}

static int dump_regime(mon_ctx *c, const pt_regime *r)
{
	mem_reader rd = { c->m, c->cpu };
	dump_ctx d = { .c = c, .r = r };
	pt_stats st;
	int ret;

	describe_regime(c, r);
	ret = pt_dump(r, read_phys, &rd, PTDUMP_MAX_TABLES, dump_line, &d, &st);
	if (ret < 0) {
		mon_printf(c->out, "bad regime\n");
		return -1;
	}
	mon_printf(c->out, "%d ranges, %d leaves, %d tables read, %d bad descriptors/tables%s\n",
		   d.lines, st.leaves, st.tables, st.bad,
		   !st.capped ? "" : d.lines >= PTDUMP_MAX_LINES ? " (stopped at the line limit)"
								 : " (stopped at the table-read limit)");
	return 0;
}

static int cmd_ptdump(mon_ctx *c, int argc, char **argv)
{
	machine *m = c->m;
	pt_regime r;
	char err[160];
	uint64_t root;
	bool named;
	const char *fmt = argc > 2 ? argv[2] : NULL;

	if (argc > 3) {
		mon_printf(c->out, "usage: ptdump [ttbr0|ttbr1|satp|ROOT [ttbr0|ttbr1|sv39|sv48|sv57]]\n");
		return -1;
	}
	if (c->cpu < 0 || c->cpu >= m->ncpus) {
		mon_printf(c->out, "no CPU#%d\n", c->cpu);
		return -1;
	}
	if (argc == 1 && is_aarch64(m)) {
		int ret = 0;
		for (int half = 0; half < 2 && ret == 0; half++) {
			int k = cpu_regime(c, half ? "ttbr1" : "ttbr0", &r, err, sizeof(err));
			if (k)
				mon_printf(c->out, "%s\n", err);
			else if (!r.root)
				mon_printf(c->out, "%s: root is 0, nothing to walk\n", r.name);
			else
				k = dump_regime(c, &r);
			ret = k < 0 ? -1 : 0;
		}
		return ret;
	}
	if (argc == 1 || !strcasecmp(argv[1], "ttbr0") || !strcasecmp(argv[1], "ttbr1") ||
	    !strcasecmp(argv[1], "satp")) {
		int k = cpu_regime(c, argc == 1 ? "satp" : argv[1], &r, err, sizeof(err));
		if (k) {
			mon_printf(c->out, "%s\n", err);
			return k < 0 ? -1 : 0;
		}
		return dump_regime(c, &r);
	}
	/* an explicit root: PA, or a symbol (swapper_pg_dir) through its alias */
	if (parse_addr(c, argv[1], &root, &named))
		return -1;
	if (named && dbg_translate(m, c->cpu, root, &root, NULL) < 0) {
		mon_printf(c->out, "%s: cannot find its physical address\n", argv[1]);
		return -1;
	}
	if (is_aarch64(m)) {
		bool upper = !fmt || strcasecmp(fmt, "ttbr0");
		if (fmt && upper && strcasecmp(fmt, "ttbr1")) {
			mon_printf(c->out, "'%s': expected ttbr0 or ttbr1\n", fmt);
			return -1;
		}
		if (cpu_regime(c, upper ? "ttbr1" : "ttbr0", &r, err, sizeof(err))) {
			/* TCR_EL1 not usable yet: the kernel's 4K granule, 48-bit layout */
			uint64_t tcr = 16 | 16ull << 16 | 2ull << 30;
			pt_regime_aarch64(&r, 0, tcr, 0, upper, err, sizeof(err));
		}
	} else {
		uint64_t satp = 0;
		unsigned mode = 8;
		reg_u64(m, c->cpu, "satp", &satp);
		if (satp >> 60 >= 8 && satp >> 60 <= 10)
			mode = satp >> 60;
		if (fmt) {
			mode = !strcasecmp(fmt, "sv39") ? 8 : !strcasecmp(fmt, "sv48") ? 9
			     : !strcasecmp(fmt, "sv57") ? 10 : 0;
			if (!mode) {
				mon_printf(c->out, "'%s': expected sv39, sv48 or sv57\n", fmt);
				return -1;
			}
		}
		pt_regime_riscv(&r, (uint64_t)mode << 60, err, sizeof(err));
	}
	r.root = root;
	r.name = "root";
	return dump_regime(c, &r);
}

/* ---- physical breakpoints and watchpoints ---- */

typedef struct ppoint { machine *m; enum bp_type type; uint64_t addr, len; } ppoint;
static ppoint ppoints[64];
static int nppoints;

static const char *ptype_name(enum bp_type t)
{
	switch (t) {
	case BP_PHYS: return "break";
	case BP_PWATCH_W: return "watch write";
	case BP_PWATCH_R: return "watch read";
	case BP_PWATCH_A: return "watch access";
	default: return "?";
	}
}

static int add_point(mon_ctx *c, enum bp_type t, uint64_t pa, uint64_t len)
{
	char name[300];

	for (int i = 0; i < nppoints; i++)
		if (ppoints[i].m == c->m && ppoints[i].type == t && ppoints[i].addr == pa && ppoints[i].len == len) {
			mon_printf(c->out, "already set\n");
			return 0;
		}
	if (nppoints == (int)ARRAY_SIZE(ppoints)) {
		mon_printf(c->out, "too many physical breakpoints/watchpoints (%d)\n", nppoints);
		return -1;
	}
	if (dbg_bp_insert(c->m, t, pa, len) < 0) {
		mon_printf(c->out, "cannot set a physical %s at 0x%llx (length %llu)\n", ptype_name(t),
			   (unsigned long long)pa, (unsigned long long)len);
		return -1;
	}
	ppoints[nppoints++] = (ppoint){ c->m, t, pa, len };
	symbols_format(c->m, pa, name, sizeof(name));
	mon_printf(c->out, "physical %s at PA 0x%llx", ptype_name(t), (unsigned long long)pa);
	if (t != BP_PHYS)
		mon_printf(c->out, " length %llu", (unsigned long long)len);
	mon_printf(c->out, "%s%s%s\n", name[0] ? " <" : "", name, name[0] ? ">" : "");
	return 0;
}

static void list_points(mon_ctx *c)
{
	int n = 0;

	for (int i = 0; i < nppoints; i++) {
		if (ppoints[i].m != c->m)
			continue;
		mon_printf(c->out, "physical %s at PA 0x%llx", ptype_name(ppoints[i].type),
			   (unsigned long long)ppoints[i].addr);
		if (ppoints[i].type != BP_PHYS)
			mon_printf(c->out, " length %llu", (unsigned long long)ppoints[i].len);
		mon_printf(c->out, "\n");
		n++;
	}
	if (!n)
		mon_printf(c->out, "no physical breakpoints or watchpoints\n");
}

/* A physical address: a number, or a symbol's kernel-image alias. */
static int parse_pa(mon_ctx *c, const char *arg, uint64_t *pa)
{
	bool named;

	if (parse_addr(c, arg, pa, &named))
		return -1;
	if (named && !symbols_va_to_pa(c->m, *pa, pa, NULL)) {
		mon_printf(c->out, "%s: not in the kernel image, give a physical address\n", arg);
		return -1;
	}
	return 0;
}

static int cmd_pbreak(mon_ctx *c, int argc, char **argv)
{
	uint64_t pa;

	if (argc == 1) {
		list_points(c);
		return 0;
	}
	if (argc != 2) {
		mon_printf(c->out, "usage: pbreak [PA]\n");
		return -1;
	}
	if (parse_pa(c, argv[1], &pa))
		return -1;
	return add_point(c, BP_PHYS, pa, 4);
}

static int cmd_pwatch(mon_ctx *c, int argc, char **argv)
{
	uint64_t pa, len;
	enum bp_type t = BP_PWATCH_W;

	if (argc < 3 || argc > 4) {
		mon_printf(c->out, "usage: pwatch PA LEN [r|w|a]\n");
		return -1;
	}
	if (parse_pa(c, argv[1], &pa))
		return -1;
	if (!parse_number(argv[2], &len) || !len || len > (1u << 20)) {
		mon_printf(c->out, "bad length '%s' (1 to 1048576)\n", argv[2]);
		return -1;
	}
	if (pa + len - 1 < pa) {	/* as the Z2 packet refuses it */
		mon_printf(c->out, "PA 0x%llx + %llu wraps past the end of the address space\n",
			   (unsigned long long)pa, (unsigned long long)len);
		return -1;
	}
	if (argc == 4) {
		if (!strcmp(argv[3], "r"))
			t = BP_PWATCH_R;
		else if (!strcmp(argv[3], "a"))
			t = BP_PWATCH_A;
		else if (strcmp(argv[3], "w")) {
			mon_printf(c->out, "'%s': expected r, w or a\n", argv[3]);
			return -1;
		}
	}
	return add_point(c, t, pa, len);
}

static int cmd_pdelete(mon_ctx *c, int argc, char **argv)
{
	uint64_t pa = 0;
	int removed = 0;

	if (argc > 2) {
		mon_printf(c->out, "usage: pdelete [PA]\n");
		return -1;
	}
	if (argc == 2 && parse_pa(c, argv[1], &pa))
		return -1;
	for (int i = 0; i < nppoints;) {
		ppoint *p = &ppoints[i];
		if (p->m != c->m || (argc == 2 && p->addr != pa)) {
			i++;
			continue;
		}
		dbg_bp_remove(c->m, p->type, p->addr, p->len);
		*p = ppoints[--nppoints];
		removed++;
	}
	mon_printf(c->out, "removed %d physical breakpoint%s/watchpoint%s\n", removed,
		   removed == 1 ? "" : "s", removed == 1 ? "" : "s");
	return argc == 2 && !removed ? -1 : 0;
}

MONITOR_COMMANDS(symbol_commands) {
	{ "sym", "[ADDR|NAME]", "kernel symbol+offset of a VA or PA, a symbol's VA and PA; no argument: the VA->PA map", cmd_sym },
	{ "vtop", "ADDR", "translate a VA on the selected CPU, level by level", cmd_vtop },
	{ "ptdump", "[ttbr0|ttbr1|satp|ROOT [fmt]]", "dump page tables (merged ranges, attributes)", cmd_ptdump },
	{ "pbreak", "[PA]", "breakpoint on a physical PC (no argument: list)", cmd_pbreak },
	{ "pwatch", "PA LEN [r|w|a]", "watchpoint on physical memory", cmd_pwatch },
	{ "pdelete", "[PA]", "remove physical breakpoints/watchpoints", cmd_pdelete },
	{ 0 }
};
