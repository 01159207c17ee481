/*
 * Private to the AArch64 integer core: decode cache, software TLB,
 * translation, exceptions and the instruction handlers' helpers.
 */
#ifndef KWB_A64_INT_H
#define KWB_A64_INT_H

#include <string.h>
#include "a64.h"

/* ---- decoded-instruction cache: one page of handlers per physical page ---- */
typedef int (*a64_fn)(a64_cpu *s, uint32_t insn);	/* 0: next insn, 1: pc was set */

/*
 * Threaded dispatch: a decoded slot's handler executes its instruction,
 * counts it, and tail-calls the next slot, so straight-line code runs
 * without returning to the loop. It returns 1 when the pc was set (branch,
 * exception, stop request), 0 when the chain ran out (budget, or the
 * sentinel slot after the page's last instruction).
 */
typedef struct a64_dent a64_dent;
typedef int (*a64_tfn)(a64_cpu *s, a64_dent *d);
struct a64_dent {
	a64_tfn fn;
	uint32_t insn;
	uint32_t hits;		/* chains started here (jit.c compiles hot ones) */
};

typedef struct a64_page {
	paddr_t pa;			/* physical page address */
	struct a64_page *next;		/* hash chain */
	uint64_t gen;			/* decoded under this a64_shared.gen */
	uint32_t hot;			/* backward branches taken since the last compile */
	uint32_t jit;			/* compiled blocks on it (jit.c) */
	bool bp_marked;			/* a64_mark_bps ran since the last clear */
	a64_dent e[1025];		/* e[1024]: sentinel ending the chain */
} a64_page;

#define A64_PAGE_HASH 4096
/* Decoded pages kept before all are dropped (16 KB each: 128 MB): a guest
 * executing from ever more pages must not grow host memory without bound. */
#ifndef A64_MAX_PAGES
#define A64_MAX_PAGES 8192
#endif

/* Per machine, shared by its CPUs (code written by one CPU must drop the
 * decoded pages every CPU uses). */
typedef struct a64_shared {
	machine *m;
	int refs;
	a64_sysreg_handler gic;
	bool has_gic;
	a64_page *hash[A64_PAGE_HASH];
	uint64_t gen;		/* bumped to drop every decoded page lazily */
	int npages;
	/* one bit per RAM page: page has decoded code, stores must check */
	uint64_t *code_bits;
	paddr_t ram_base;
	uint64_t ram_pages;
	/* jit.c: compiled blocks, dropped with the decoded pages */
	uint8_t *jit_buf;
	size_t jit_used;
	uint64_t jit_blocks;
	bool jit_flush;		/* the buffer is full: drop all pages at the next run */
} a64_shared;

/* ---- software TLB ---- */
#define TLB_BITS 8
#define TLB_SIZE (1 << TLB_BITS)
/* Lookups compare a tag with the page of the address (data: with the
 * access's misalignment bits kept, so a misaligned access misses): keys
 * have bits 3-11 clear (accesses are at most 8 bytes), the invalid tag
 * has them set, so no address ever
 * matches an invalid entry, not even one in the top page. "Still in this
 * page" checks compare the same way (a64_same_page), never by XOR. */
#define TLB_INVALID (~0ull)
/* In a read/write tag: the page holds a debugger watchpoint; the inline
 * fast path never matches it (its keys have bits 11..3 clear), the slow
 * path checks the watchpoints and uses the cached translation. */
#define TLB_WATCH 0x800ull

typedef struct tlb_entry {
	uint64_t tag;		/* va & ~0xfff, or TLB_INVALID */
	uintptr_t addend;	/* host address - va */
} tlb_entry;

typedef struct xtlb_entry {
	uint64_t tag;
	uint8_t *host;		/* host address of the page */
	a64_page *pg;
	paddr_t pa;
	bool bp;		/* page has a code breakpoint: its slots are marked */
	bool bp_slow;		/* ... that cannot be marked: one instruction at a time */
} xtlb_entry;

/* pc is still in the page of exec TLB entry e (false once e is invalid) */
static inline bool a64_same_page(const xtlb_entry *e, uint64_t pc)
{
	return (pc & ~0xfffull) == e->tag;
}

/* A CPU model: its ID registers as QEMU 7.2 presents the same -cpu
 * (ID_PFR1.GIC and ID_AA64PFR0.GIC are added at read time when the GIC
 * has a system register interface, as QEMU's id_pfr1_read does). */
typedef struct a64_model {
	const char *name;
	bool lse;		/* FEAT_LSE atomics (advertised in ID_AA64ISAR0) */
	uint32_t ccsidr[3];	/* L1D, L1I, L2 (CSSELR 0, 1, 2) */
	struct { int idx; uint64_t val; } id[32];
} a64_model;

typedef struct a64_core {
	a64_cpu s;
	/* [0] EL0 permissions (EL0 and LDTR/STTR), [1] EL1 */
	tlb_entry rt[2][TLB_SIZE], wt[2][TLB_SIZE];
	xtlb_entry xt[2][TLB_SIZE];
	a64_shared *sh;
	const a64_model *model;
	uint64_t bus_gen, bp_gen, write_gen;
	int stop;		/* CPU_EXIT_* to return at the next boundary, or 0 */
	uint64_t exc_seq;	/* bumped by every exception taken */
	uint64_t end_chain;	/* icount at which a handler chain returns */
	bool fetch_faulted;	/* the last fetch faulted (nothing ran since) */
	uint64_t abort_icount;	/* icount left by the last uncounted data abort */
	xtlb_entry *cur;	/* page the chain runs in (for lazy decode) */
	/* resume after a watchpoint stop: don't stop again on the same insn */
	uint64_t watch_skip_icount;
	bool watch_skip;
	bool trace_mem;		/* -d mem: data pages stay out of the TLBs */
	/* ASIDs: the TLBs hold global entries and the current ASID's; an
	 * index whose rt/wt/xt entry may be non-global (nG) has its bit set,
	 * so an ASID change drops only those (a64_tlb_flush_ng). */
	uint64_t ng_bits[2][TLB_SIZE / 64];
	bool global_lo;		/* a global entry below the TTBR1 range is cached */
	bool ttbr_flushed_all;	/* the last TTBR write flushed global entries too (-d mmu) */
	/* Self-hosted debug, derived from the debug registers in sys[] by
	 * a64_dbg_update() (not state of its own: recomputed after reset,
	 * register writes and a state load). */
	struct {
		bool bp_on;	/* an enabled breakpoint: exec TLB flags pages */
		bool wp_on;	/* an enabled watchpoint: its pages stay uncached */
		bool ss_on;	/* MDSCR_EL1.SS unlocked: one instruction at a time */
	} hw;
	/* PMU (pmu.c): the counters are in sys[] as of the last sync; the
	 * sources' values then, the line and the event (state_a64.c). */
	struct {
		bool on;		/* PMCR.E and a counter enabled: EL changes sync */
		int irq;		/* level driven on PPI 7 */
		uint64_t base_insn, base_ns;
		event ev;		/* the earliest possible overflow */
	} pmu;
	uint64_t sys_store[A64R_COUNT];
	/* The watched bytes of each rt/wt entry tagged TLB_WATCH
	 * (dbg_watch_bits_of, set when it is filled): [write][el][index],
	 * 16 bytes apiece as the entries (the JIT finds an entry's at a fixed
	 * distance from it) */
	dbg_wbits wbits[2][2][TLB_SIZE];
} a64_core;

static inline a64_core *CORE(a64_cpu *s) { return (a64_core *)s; }

/* ---- translation ---- */
enum a64_fault { F_NONE, F_TRANS, F_ADDRSIZE, F_ACCESS, F_PERM, F_ALIGN, F_EXT };
enum { P_R = 1, P_W = 2, P_X = 4 };

typedef struct a64_tr {
	paddr_t pa;
	int fault, level;
	uint8_t perm[2];	/* P_* for EL0, EL1 */
	uint8_t attr;		/* MAIR attribute byte */
	uint8_t sh;
	bool ng;
} a64_tr;

/* The one walker: no side effects, fills log if non-NULL. */
void a64_walk(a64_cpu *s, uint64_t va, a64_tr *t, walk_log *log);
/* Translate for an access at el (0/1) with faults raised; host is the
 * page's host pointer or NULL for MMIO. Returns false after raising the
 * exception (or recording a debug stop). */
bool a64_translate(a64_cpu *s, uint64_t va, int acc, int el, paddr_t *pa, uint8_t **host, bool *ng);
bool a64_mem_slow(a64_cpu *s, uint64_t va, unsigned size, int acc, int el, uint64_t *val);
void a64_tlb_flush(a64_cpu *s);
void a64_tlb_flush_writes(a64_cpu *s);
void a64_tlb_flush_ng(a64_cpu *s);
void a64_tlb_ttbr_written(a64_cpu *s, int idx, uint64_t old);
/* Every TLB fill records here whether its translation was global. */
static inline void a64_tlb_note_fill(a64_cpu *s, int el, uint64_t va, bool ng)
{
	a64_core *k = (a64_core *)s;
	unsigned i = (va >> 12) & (TLB_SIZE - 1);

	if (ng)
		k->ng_bits[el][i / 64] |= 1ull << (i % 64);
	else if (!(va >> 55 & 1))
		k->global_lo = true;
}
void a64_tlb_flush_va(machine *m, uint64_t va);
void a64_tlb_flush_all_cpus(machine *m);
void a64_code_written(a64_shared *sh, paddr_t pa);
void a64_decode_flush_all(a64_shared *sh);
void a64_mark_code(a64_shared *sh, paddr_t pa);
void a64_free_pages(a64_shared *sh);
int a64_fault_code(int fault, int level);

/* An aligned access to a page cached with TLB_WATCH that touches no
 * watched byte: true, and it may use the entry as the fast path does (the
 * others take the slow path, which checks the watchpoints). */
static inline bool a64_watch_pass(a64_cpu *s, const tlb_entry *e, bool write, int el, uint64_t va, unsigned size)
{
	return e->tag == ((va & (~0xfffull | (size - 1))) | TLB_WATCH) &&
	       !dbg_watch_bits_touch(CORE(s)->wbits[write][el][(va >> 12) & (TLB_SIZE - 1)].bits, va & 0xfff, size);
}

/* Loads/stores at a given EL's permissions; fast path inline. */
static inline bool a64_ld(a64_cpu *s, uint64_t va, unsigned size, int el, uint64_t *v)
{
	tlb_entry *e = &CORE(s)->rt[el][(va >> 12) & (TLB_SIZE - 1)];
	if (likely(e->tag == (va & (~0xfffull | (size - 1)))) || unlikely(a64_watch_pass(s, e, false, el, va, size))) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)(va + e->addend);
		switch (size) {
		case 1: *v = *p; return true;
		case 2: { uint16_t x; memcpy(&x, p, 2); *v = x; return true; }
		case 4: { uint32_t x; memcpy(&x, p, 4); *v = x; return true; }
		default: { uint64_t x; memcpy(&x, p, 8); *v = x; return true; }
		}
	}
	return a64_mem_slow(s, va, size, ACC_READ, el, v);
}

static inline bool a64_st(a64_cpu *s, uint64_t va, unsigned size, int el, uint64_t v)
{
	tlb_entry *e = &CORE(s)->wt[el][(va >> 12) & (TLB_SIZE - 1)];
	if (likely(e->tag == (va & (~0xfffull | (size - 1)))) || unlikely(a64_watch_pass(s, e, true, el, va, size))) {
		uint8_t *p = (uint8_t *)(uintptr_t)(va + e->addend);
		switch (size) {
		case 1: *p = (uint8_t)v; return true;
		case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return true; }
		case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return true; }
		default: memcpy(p, &v, 8); return true;
		}
	}
	return a64_mem_slow(s, va, size, ACC_WRITE, el, &v);
}

/* Fast-path helpers for the specialised handlers: on a miss the caller
 * tail-calls the generic handler, which redoes the access the slow way. */
static inline bool a64_fast_base(a64_cpu *s, unsigned rn, uint64_t *va)
{
	if (rn != 31) {
		*va = s->x[rn];
		return true;
	}
	*va = s->sp_el[s->ps.sp ? s->ps.el : 0];
	return !(*va & 15);	/* misaligned SP: let the generic path check SA */
}

static inline uint8_t *a64_fast_ptr(a64_cpu *s, uint64_t va, unsigned size, bool write)
{
	tlb_entry *e = &(write ? CORE(s)->wt : CORE(s)->rt)[s->ps.el][(va >> 12) & (TLB_SIZE - 1)];
	if (likely(e->tag == (va & (~0xfffull | (size - 1)))) ||
	    unlikely(a64_watch_pass(s, e, write, s->ps.el, va, size)))
		return (uint8_t *)(uintptr_t)(va + e->addend);
	return NULL;
}

/* ---- exceptions ---- */
enum { EC_UNKNOWN = 0x00, EC_WFX = 0x01, EC_FP = 0x07, EC_ILLEGAL = 0x0e, EC_SVC = 0x15, EC_HVC = 0x16,
       EC_SMC = 0x17, EC_SYS = 0x18, EC_IABT_LOW = 0x20, EC_IABT = 0x21, EC_PCALIGN = 0x22,
       EC_DABT_LOW = 0x24, EC_DABT = 0x25, EC_SPALIGN = 0x26, EC_BRK = 0x3c };
enum { EXC_SYNC = 0, EXC_IRQ = 0x80, EXC_FIQ = 0x100 };

/* Take an exception to EL1 with ELR = elr. */
void a64_take(a64_cpu *s, int kind, uint32_t esr, uint64_t elr);
/* Synchronous exception for the instruction at s->pc. Returns 1 (pc set). */
int a64_sync(a64_cpu *s, unsigned ec, uint32_t iss);
int a64_abort(a64_cpu *s, bool exec, int fault, int level, uint64_t va, bool write, bool cm);
int a64_undef_insn(a64_cpu *s);
uint32_t a64_pstate_pack(a64_cpu *s);
void a64_pstate_unpack(a64_cpu *s, uint32_t v);
int a64_eret(a64_cpu *s);
bool a64_irq_pending(a64_cpu *s);

/* ---- system registers ---- */
int a64_sysreg_index(uint32_t enc);	/* -1 if not in the table */
/* -d int / -d unimp (trace_a64.c); only called while m->trace is set. */
void a64_trace_take(a64_cpu *s, int kind, uint32_t esr, uint64_t ret, int from_el, uint64_t from_pc);
/* Architectural access from MRS/MSR (checks done by the caller). */
bool a64_sysreg_read(a64_cpu *s, int idx, uint64_t *v, bool debugger);
bool a64_sysreg_write(a64_cpu *s, int idx, uint64_t v);
bool a64_sysreg_plain_read(int idx);
a64_shared *a64_shared_get(machine *m);
void a64_apply_model(a64_cpu *s);

/* ---- self-hosted debug (hwdebug.c) ---- */
bool a64_dbg_is_reg(int idx);
uint64_t a64_dbg_write_value(int idx, uint64_t v);
void a64_dbg_update(a64_cpu *s);
bool a64_gbp_page(a64_cpu *s, uint64_t va);
bool a64_gwp_page(a64_cpu *s, uint64_t va);
bool a64_gbp_hit(a64_cpu *s);
bool a64_gwp_hit(a64_cpu *s, uint64_t va, unsigned size, int acc, int access_el);
bool a64_swstep_active(a64_cpu *s);
void a64_swstep_exc(a64_cpu *s, bool isv, bool ex);

/* ---- PMU (pmu.c) ---- */
bool a64_pmu_read(a64_cpu *s, int idx, uint64_t *v);
bool a64_pmu_write(a64_cpu *s, int idx, uint64_t v);
bool a64_pmu_el0_ok(a64_cpu *s, int idx, bool read);
void a64_pmu_el_change(a64_cpu *s);	/* before and after an EL change while pmu.on */
void a64_pmu_reset(a64_cpu *s);

/* ---- decode ---- */
a64_tfn a64_decode(uint32_t insn);
/* Mark the slots of the page's breakpoints (see dbg_bp_offsets); false
 * when they cannot be listed. */
bool a64_mark_bps(a64_core *k, xtlb_entry *e);
void a64_page_clear(a64_page *pg);
a64_tfn a64_slot_decode(a64_core *k, a64_dent *d);
/* a decoded slot running its instruction's own handler (not undecoded,
 * a breakpoint, the page end or UNDEFINED) */
bool a64_slot_plain(a64_tfn fn);

/* ---- jit.c ---- */
#define A64_JIT_HOT 64	/* taken backward branches on a page before a compile */
#define A64_JIT_ENTRY_HOT 128	/* chains started at a slot before a compile */
void a64_jit_hot(a64_cpu *s, a64_dent *target);
void a64_jit_entry(a64_cpu *s, a64_dent *d);

/* A chain starts at d (a branch target, a return, an exception vector):
 * code entered often is compiled even when no loop in it is hot
 * (function bodies). */
static inline void a64_jit_count(a64_cpu *s, a64_dent *d)
{
	if (unlikely(++d->hits == A64_JIT_ENTRY_HOT))
		a64_jit_entry(s, d);
}
void a64_jit_reset(a64_shared *sh);
void a64_jit_free(a64_shared *sh);

/* handlers by group */
int a64_x_dp_imm(a64_cpu *s, uint32_t insn);
int a64_x_undef(a64_cpu *s, uint32_t insn);

#ifdef KWB_JIT_STAT
void a64_jit_stat(a64_cpu *s, a64_dent *d);
#define A64_STAT(s, d) a64_jit_stat(s, d)
#else
#define A64_STAT(s, d) ((void)0)
#endif
/* A branch (no exception, no EL change) set pc off the chain's page: go
 * on there without the run loop when it would do just that (cpu.c). */
int a64_next_page(a64_cpu *s);

/* Wraps a handler into a threaded slot handler (see a64_dent). */
#define A64_THREAD(h) \
static int t_##h(a64_cpu *s, a64_dent *d) \
{ \
	A64_STAT(s, d); \
	s->c.icount++; \
	if (h(s, d->insn)) \
		return 1; \
	s->pc += 4; \
	if (unlikely(s->c.icount >= CORE(s)->end_chain)) \
		return 0; \
	d++; \
	return d->fn(s, d); \
}

/* For direct branches (no exception, no EL change): a taken branch to the
 * same page continues the chain at the target, unless an interrupt or an
 * exit request is pending. */
#define A64_THREAD_BRANCH(h) \
static int t_##h(a64_cpu *s, a64_dent *d) \
{ \
	a64_core *k = CORE(s); \
	A64_STAT(s, d); \
	s->c.icount++; \
	if (!h(s, d->insn)) { \
		s->pc += 4; \
		if (unlikely(s->c.icount >= k->end_chain)) \
			return 0; \
		d++; \
		return d->fn(s, d); \
	} \
	if (!a64_same_page(k->cur, s->pc)) \
		return a64_next_page(s); \
	if (s->c.icount >= k->end_chain || s->c.exit_request || s->irq_line || s->fiq_line) \
		return 1; \
	{ \
		a64_dent *t = &k->cur->pg->e[(s->pc & 0xfff) >> 2]; \
		/* a loop: its head is compiled when hot (jit.c) */ \
		if (t <= d && unlikely(++k->cur->pg->hot >= A64_JIT_HOT)) \
			a64_jit_hot(s, t); \
		else if (t > d) \
			a64_jit_count(s, t); \
		d = t; \
	} \
	return d->fn(s, d); \
}

static inline uint64_t *a64_spref(a64_cpu *s)
{
	return &s->sp_el[s->ps.sp ? s->ps.el : 0];
}

static inline bool a64_cond(a64_cpu *s, unsigned c)
{
	bool r;
	switch (c >> 1) {
	case 0: r = s->ps.z; break;
	case 1: r = s->ps.c; break;
	case 2: r = s->ps.n; break;
	case 3: r = s->ps.v; break;
	case 4: r = s->ps.c && !s->ps.z; break;
	case 5: r = s->ps.n == s->ps.v; break;
	case 6: r = s->ps.n == s->ps.v && !s->ps.z; break;
	default: return true;
	}
	return (c & 1) ? !r : r;
}

static inline bool a64_fp_enabled(a64_cpu *s)
{
	unsigned fpen = (s->sys[A64R_CPACR_EL1] >> 20) & 3;
	return fpen == 3 || (fpen == 1 && s->ps.el == 1);
}

#endif
