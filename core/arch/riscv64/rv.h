/*
 * RV64GC hart state, private to core/arch/riscv64.
 *
 * Execution model: decoded instructions live in per-physical-page arrays
 * (one slot per halfword, decoded lazily on first execution). A handler
 * returns the slot of the next instruction while it stays on the same
 * page, or NULL after it has set h->pc (taken branch off the page, trap).
 * The pc of a slot is implied by its position, so straight-line code never
 * touches h->pc.
 */
#ifndef KWB_RV_H
#define KWB_RV_H

#include "riscv64.h"
#include "../../machine.h"

/* Table indices (= gdb register numbers) from the one register table. */
enum rv_reg {
#define REG(name, ...) RV_##name,
#include "regs.def"
#undef REG
	RV_NREGS
};
#define RV_F0 RV_ft0

enum { PRV_U = 0, PRV_S = 1, PRV_M = 3 };

/* The events QEMU 7.2's PMU counts (counters.c). */
enum { RV_PMU_CYCLES, RV_PMU_INSTRUCTIONS, RV_PMU_DTLB_READ_MISS, RV_PMU_DTLB_WRITE_MISS,
       RV_PMU_ITLB_MISS, RV_PMU_EVENTS };

#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (3ull << 32)
#define MSTATUS_SXL (3ull << 34)
#define MSTATUS_SD (1ull << 63)

enum rv_exc {
	EXC_INSN_MISALIGNED = 0, EXC_INSN_ACCESS = 1, EXC_ILLEGAL = 2, EXC_BREAKPOINT = 3,
	EXC_LOAD_MISALIGNED = 4, EXC_LOAD_ACCESS = 5, EXC_STORE_MISALIGNED = 6,
	EXC_STORE_ACCESS = 7, EXC_ECALL_U = 8, EXC_ECALL_S = 9, EXC_ECALL_M = 11,
	EXC_INSN_PAGE = 12, EXC_LOAD_PAGE = 13, EXC_STORE_PAGE = 15,
};
#define CAUSE_IRQ (1ull << 63)

struct rv_hart;
struct rv_insn;
/* left: instructions this chunk may still run, this one included (>= 1). */
typedef const struct rv_insn *(*rv_fn)(struct rv_hart *h, const struct rv_insn *d, int64_t left);

/* One decoded instruction. rd 0 is decoded as 32 (a sink register) so
 * handlers never need to test for x0. */
typedef struct rv_insn {
	rv_fn fn;
	int32_t imm;		/* immediate / CSR number / rm|rs3 for FP */
	uint8_t rd, rs1, rs2;
	uint8_t step;		/* length in halfwords: 1 (RVC) or 2 */
} rv_insn;

#define RV_PAGE_SLOTS 2048

typedef struct rv_dpage {
	paddr_t pa;
	struct rv_dpage *hnext;
	uint8_t *host;
	uint64_t gen;		/* decode generation it was filled in */
	bool zombie;
	/* breakpoint slots marked for this virtual page and bp generation */
	uint64_t bp_va, bp_gen;
	uint32_t hot;		/* backward branches taken since the last compile */
	uint32_t jit;		/* compiled blocks on it (jit.c) */
	rv_insn e[RV_PAGE_SLOTS + 1];	/* + sentinel: falls off the page */
} rv_dpage;

#define RV_DHASH 1024

/* Per-machine state shared by the harts (one host thread runs them all). */
typedef struct rv_shared {
	machine *m;
	int refs;
	struct rv_shared *next;
	rv_dpage *hash[RV_DHASH];
	int npages;
	uint64_t gen;		/* bumped by fence.i: pages refill lazily */
	uint64_t foreign_seen;	/* bus.foreign_writes at the last fence.i */
	rv_dpage *zombies;	/* invalidated pages freed at a safe point */
	int nresv;		/* harts holding an LR reservation */
	bool flush_pending;	/* too many decoded pages: drop all at a safe point */
	/* jit.c: compiled blocks, dropped with the decoded pages */
	uint8_t *jit_buf;
	size_t jit_used;
	uint64_t jit_blocks;
} rv_shared;

static inline struct rv_dpage *rv_dpage_of(const rv_insn *page)
{
	return (struct rv_dpage *)((uintptr_t)page - offsetof(struct rv_dpage, e));
}

/* jit.c: taken backward branches on a page before their target is compiled */
#define RV_JIT_HOT 64
void rv_jit_hot(struct rv_hart *h, const rv_insn *target);
void rv_jit_reset(rv_shared *sh);
void rv_jit_free(rv_shared *sh);

typedef struct rv_tlbe {
	uint64_t tag;		/* virtual page, or RV_TLB_INVALID */
	uintptr_t add;		/* host = va + add */
} rv_tlbe;

typedef struct rv_itlbe {
	uint64_t tag;
	rv_dpage *dp;
	bool bp;		/* page has a code breakpoint */
} rv_itlbe;

#define RV_TLB_SIZE 256

/*
 * A data access looks its entry up with rv_tlb_key(va, size): the page of
 * va with the access's misalignment bits kept, so a misaligned access never
 * matches a filled entry (a page, low 12 bits clear) and takes the slow
 * path. Fetches and AMOs look up the page itself. Every key has bits 3-11
 * clear (accesses are at most 8 bytes); the invalid tag has them set, so no
 * key can match an invalid entry, whose host addend is stale (using it
 * would reach host memory). Filled tags are always page-aligned.
 */
#define RV_TLB_INVALID (~0ull)
/* In a read/write tag: the page holds a debugger watchpoint; no fast-path
 * key has bit 11 set, so every access takes the slow path, which checks
 * the watchpoints and uses the cached translation (access_one). */
#define RV_TLB_WATCH 0x800ull
_Static_assert((RV_TLB_INVALID & 0xff8) != 0, "a TLB key could match an invalid entry");

static inline uint64_t rv_tlb_key(uint64_t va, unsigned size)
{
	return va & (~0xfffull | (size - 1));
}
/* TLB sets: 0 U, 1 S, 2 S with SUM, 3 M. */
#define RV_TLB_SETS 4

#define RV_TRIGGERS 2	/* QEMU 7.2's RV_MAX_TRIGGERS */

typedef struct rv_hart {
	cpu c;
	rv_shared *sh;
	uint64_t x[33];		/* x[32] is the sink for writes to x0 */
	uint64_t f[32];
	uint64_t pc;
	int priv;

	/* execution state */
	const rv_insn *page;	/* slots of the page being executed */
	uint64_t page_va;
	uint8_t *page_host;
	rv_dpage *xpage;	/* scratch context for insns crossing a page */
	int64_t chunk, left;	/* chunk length / what was left when the chain returned */
	int64_t cut;		/* budget given up by ending the block early */
	bool ended;		/* rv_end_block() was called in this chunk */
	bool running;		/* inside rv_run: the chunk counters are live */
	uint64_t icount0;	/* c.icount at chunk start */
	enum cpu_exit exit;
	bool wfi;
	bool fetch_faulted;	/* a fetch fault happened at fetch_fault_icount */
	uint64_t fetch_fault_icount;
	bool bp_page;		/* executing a page whose breakpoints could not be
				 * marked in its slots: one instruction at a time */
	bool trace_exec;	/* -d exec wants every instruction */
	bool trace_mem;		/* -d mem: data pages stay out of the TLB */
	paddr_t page_pa;
	uint64_t bp_gen, bus_gen, write_gen;

	/* TLB */
	rv_tlbe *tr, *tw;	/* current data sets */
	rv_itlbe *ti;		/* current exec set */
	rv_tlbe tlb_r[RV_TLB_SETS][RV_TLB_SIZE];
	rv_tlbe tlb_w[RV_TLB_SETS][RV_TLB_SIZE];
	rv_itlbe tlb_x[RV_TLB_SETS][RV_TLB_SIZE];
	/* Entries filled from superpages, so sfence.vma of one address can
	 * drop them (they cover more than their own 4K); on overflow
	 * tlb_super makes it flush everything. */
	bool tlb_super, last_super;
	/* ASIDs: the TLBs hold global entries (PTE.G, or no translation) and
	 * the current satp's; an index whose entry in a set may be non-global
	 * has its bit set, so a satp write drops only those (rv_tlb_flush_ng). */
	uint64_t ng_bits[RV_TLB_SETS][RV_TLB_SIZE / 64];
	bool last_global;	/* the last rv_translate's mapping was global */
#define RV_MAX_SUPER 64
	rv_tlbe *super_d[RV_MAX_SUPER];
	rv_itlbe *super_x[RV_MAX_SUPER];
	int nsuper_d, nsuper_x;

	/* LR/SC */
	bool resv_valid;
	uintptr_t resv_host;
	paddr_t resv_pa;	/* resv_host as saved in a snapshot (state_rv.c) */
	uint8_t rom_scratch[8];	/* an AMO's target in ROM: its write is dropped */

	/* CSR state */
	uint64_t mstatus, misa, medeleg, mideleg, mie, mip_sw, mip_hw;
	uint64_t mtvec, mscratch, mepc, mcause, mtval, mcounteren, menvcfg;
	uint64_t stvec, sscratch, sepc, scause, stval, scounteren, senvcfg, satp;
	uint64_t mhartid;
	/* What this hart has of QEMU's optional parts (-cpu rv64,...) */
	struct rv_config {
		int pmu_num;	/* HPM counters 3..3+pmu_num-1 (QEMU's pmu-num) */
		bool sstc;	/* Sstc: stimecmp, menvcfg.STCE */
		bool debug;	/* Sdtrig triggers */
	} cfg;
	/* Counters (counters.c) */
	struct rv_pmu {
		uint64_t base[32], at[32];	/* value = base + (icount - at) while following */
		uint64_t mhpmevent[32];
		uint64_t mcountinhibit;		/* stored whole, as QEMU 7.2 */
		uint32_t follows;		/* counters following the instruction count */
		uint8_t event_ctr[RV_PMU_EVENTS];	/* counter of each event, 0: none */
		bool tlb_events;		/* a TLB-miss event is counted */
		int num;
	} pmu;
	/* Sstc (sstc.c) */
	struct rv_sstc {
		uint64_t stimecmp;
		event timer;	/* raises mip.STIP at the deadline */
	} sstc;
	/* Sdtrig (trigger.c) */
	struct rv_trig {
		uint64_t tselect;
		uint64_t tdata1[RV_TRIGGERS], tdata2[RV_TRIGGERS], tdata3[RV_TRIGGERS];
		bool exec;	/* an execute trigger is armed: one at a time */
		bool data;	/* a load/store trigger is armed: no data TLB */
	} trig;
	bool yield;		/* this run ends after a wfi that did not wait (exec.c) */
	uint32_t fflags, frm;
	uint8_t pmpcfg[16];
	uint64_t pmpaddr[16];
	int npmp;		/* highest active entry + 1 */
	/* The watched bytes of each read/write TLB entry tagged RV_TLB_WATCH
	 * (set when it is filled; flat set*size index, 16 bytes apiece as the
	 * entries, so the JIT finds an entry's at a fixed distance from it) */
	dbg_wbits wbits_r[RV_TLB_SETS * RV_TLB_SIZE], wbits_w[RV_TLB_SETS * RV_TLB_SIZE];
} rv_hart;

#define HART(c) ((rv_hart *)(c))

/* config.c: -cpu rv64[,PROP=VALUE...] (usage error on anything else) */
void rv_config_parse(struct rv_config *cfg, const char *model);

/* counters.c */
bool rv_pmu_hpm_exists(const rv_hart *h, int ctr);
uint64_t rv_pmu_read(rv_hart *h, int idx);
void rv_pmu_write(rv_hart *h, int idx, uint64_t v);
void rv_pmu_tlb_miss(rv_hart *h, int access);
void rv_pmu_reset(rv_hart *h, int num);

static inline uint64_t rv_pc_of(const rv_hart *h, const rv_insn *d)
{
	return h->page_va + ((uint64_t)(d - h->page) << 1);
}

/*
 * Threaded dispatch: every handler ends by counting itself and tail-calling
 * the next slot's handler, with the remaining budget in a register, so
 * straight-line code and in-page branches run without returning to the
 * loop. The chain returns the next slot when the chunk is used up (or the
 * block was ended), NULL when control left the page (h->pc set) or a trap
 * was taken; h->left says how much of the chunk is left.
 *
 * Handlers store `left` in h->left before calling anything that may trap,
 * stop or end the block, and reload it after (RV_SYNC_IN/OUT).
 */
static inline const struct rv_insn *rv_dispatch(rv_hart *h, const struct rv_insn *nd, int64_t left)
{
	if (likely(--left > 0) && likely(nd != NULL))
		return nd->fn(h, nd, left);
	h->left = left;
	return nd;
}

/* Control left the page for h->pc (a jump, a branch, falling off its
 * end): continue the chain there when its decoded page is at hand (exec
 * TLB hit, current, no breakpoint to check), the hart runs threaded (not
 * one instruction at a time for breakpoints, -d exec or execute triggers:
 * run_page_bp goes on through a page end with its whole budget) and
 * nothing asks the loop to look (budget, a request, a pending flush); else
 * return NULL to the loop, which enters the page the slow way. The
 * chunk's accounting is the budget alone, so where chunks end changes
 * nothing the guest sees. */
static inline const struct rv_insn *rv_next_page(rv_hart *h, int64_t left)
{
	uint64_t va = h->pc;
	const rv_itlbe *e = &h->ti[(va >> 12) & (RV_TLB_SIZE - 1)];
	const rv_dpage *dp = e->dp;

	if (likely(left > 0) && e->tag == (va & ~0xfffull) && !e->bp && dp->gen == h->sh->gen &&
	    !h->bp_page && !h->trace_exec && !h->trig.exec && !h->c.exit_request && !h->sh->flush_pending) {
		const rv_insn *nd = &dp->e[(va & 0xfff) >> 1];
		h->page = dp->e;
		h->page_va = va & ~0xfffull;
		h->page_host = dp->host;
		h->page_pa = dp->pa;
		return nd->fn(h, nd, left);
	}
	h->left = left;
	return NULL;
}

#define RV_OP(name) const rv_insn *op_##name(rv_hart *h, const rv_insn *d, int64_t left)
#define RV_NEXT return rv_dispatch(h, d + d->step, left)
#define RV_SYNC_IN() (h->left = left)
#define RV_SYNC_OUT() (left = h->left)
#define RV_ILLEGAL() return (h->left = left, rv_illegal(h, d))
#define RV_RAISE(cause, tval) return (h->left = left, rv_raise(h, d, (cause), (tval)))
/* End the block after this instruction (from a handler). */
#define RV_END_BLOCK() (h->ended = true, h->cut += left - 1, left = 1)

/* End the block after the current instruction (from a helper, between
 * RV_SYNC_IN and RV_SYNC_OUT). */
static inline void rv_end_block(rv_hart *h)
{
	h->cut += h->left - 1;
	h->left = 1;
	h->ended = true;
}

static inline void rv_sync_icount(rv_hart *h)
{
	if (h->running)
		h->c.icount = h->icount0 + (uint64_t)(h->chunk - h->left - h->cut);
}

static inline uint64_t rv_mip(const rv_hart *h)
{
	return h->mip_sw | h->mip_hw;
}

/* hart.c */
void rv_update_mode(rv_hart *h);
rv_shared *rv_shared_get(machine *m);

/* trap.c */
void rv_take_trap(rv_hart *h, uint64_t cause, uint64_t tval, uint64_t pc);
const rv_insn *rv_raise(rv_hart *h, const rv_insn *d, uint64_t cause, uint64_t tval);
void rv_fetch_fault(rv_hart *h, uint64_t cause, uint64_t tval, uint64_t pc);
const rv_insn *rv_illegal(rv_hart *h, const rv_insn *d);
const rv_insn *rv_illegal_csr(rv_hart *h, const rv_insn *d);
bool rv_check_interrupts(rv_hart *h);
uint64_t rv_pending_irqs(const rv_hart *h);
uint32_t rv_insn_bits(rv_hart *h, const rv_insn *d);

extern const reg_table riscv64_regs;

/* trace_rv.c: called only when m->trace is set */
void rv_trace_trap(rv_hart *h, int from, uint64_t cause, uint64_t tval, uint64_t epc);
void rv_trace_illegal(rv_hart *h, uint64_t pc, uint32_t bits);
void rv_trace_mem(rv_hart *h, const struct rv_insn *d, uint64_t va, paddr_t pa, unsigned size, int acc,
		  uint64_t value);

/* csr.c */
bool rv_csr_allowed(rv_hart *h, uint32_t csrno, int idx, bool write);
void rv_csr_init(void);
extern uint64_t rv_planted_addi_bug;	/* KWB_DIFFTEST_PLANT_BUG=addi (difftest self-check) */
int rv_csr_index(uint32_t csrno);	/* table index or -1 */
/* Returns false: illegal instruction. */
bool rv_csr_read(rv_hart *h, int idx, uint64_t *v);
bool rv_csr_write(rv_hart *h, int idx, uint64_t v);
uint64_t rv_mstatus_read(const rv_hart *h);

/* trigger.c */
void rv_trig_reset(rv_hart *h);
void rv_trig_update(rv_hart *h);
bool rv_trig_read(rv_hart *h, int idx, uint64_t *v);
bool rv_trig_write(rv_hart *h, int idx, uint64_t v);
bool rv_trig_exec_hit(const rv_hart *h, uint64_t pc);
bool rv_trig_data_hit(const rv_hart *h, uint64_t va, unsigned size, int access);

/* sstc.c */
void rv_sstc_init(rv_hart *h);
void rv_sstc_reset(rv_hart *h);
void rv_sstc_write(rv_hart *h, uint64_t v);

/* mmu.c */
/* Translate va for access (ACC_*) as the hart would (PMP included);
 * returns 0 with *pa, or the exception cause. *cacheable says the whole
 * page may be cached in the TLB for that access (one PMP answer). */
int rv_translate(rv_hart *h, uint64_t va, int access, paddr_t *pa, bool *cacheable);
void rv_tlb_flush(rv_hart *h);
void rv_tlb_flush_ng(rv_hart *h);
/* Every TLB fill records whether its translation was global (set = the
 * entry's TLB set, from the array it is in). */
static inline void rv_tlb_note_fill(rv_hart *h, int set, uint64_t va)
{
	unsigned i = (va >> 12) & (RV_TLB_SIZE - 1);

	if (!h->last_global)
		h->ng_bits[set][i / 64] |= 1ull << (i % 64);
}
void rv_tlb_flush_va(rv_hart *h, uint64_t va);
void rv_tlb_note_super_d(rv_hart *h, rv_tlbe *e);
void rv_tlb_note_super_x(rv_hart *h, rv_itlbe *e);
bool rv_load_slow(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, uint64_t *v);
bool rv_store_slow(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, uint64_t v);
/* Host pointer for an aligned LR/SC/AMO access, or NULL after raising the
 * fault (or stopping for a watchpoint). */
uint8_t *rv_amo_ptr(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, int access);
void rv_resv_break(rv_hart *h, paddr_t pa);
int rv_debug_translate(cpu *c, vaddr_t va, int access, paddr_t *pa, walk_log *log);
bool rv_mmu_enabled(cpu *c);

/* Loads/stores through the TLB with the slow path behind (FP, helpers). */
/* An aligned access to a page cached with RV_TLB_WATCH that touches no
 * watched byte: its host address, as the fast path's (else NULL: the slow
 * path checks the watchpoints). */
static inline void *rv_watch_pass(const rv_hart *h, const rv_tlbe *e, bool write, uint64_t va, unsigned size)
{
	const uint64_t *bits;

	if (e->tag != (rv_tlb_key(va, size) | RV_TLB_WATCH))
		return NULL;
	bits = write ? h->wbits_w[e - h->tlb_w[0]].bits : h->wbits_r[e - h->tlb_r[0]].bits;
	if (dbg_watch_bits_touch(bits, va & 0xfff, size))
		return NULL;
	return (void *)(uintptr_t)(va + e->add);
}

static inline bool rv_load(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, uint64_t *v)
{
	const rv_tlbe *e = &h->tr[(va >> 12) & (RV_TLB_SIZE - 1)];

	if (likely(e->tag == rv_tlb_key(va, size)) || rv_watch_pass(h, e, false, va, size)) {
		*v = 0;
		__builtin_memcpy(v, (void *)(uintptr_t)(va + e->add), size);
		return true;
	}
	return rv_load_slow(h, d, va, size, v);
}

void rv_resv_break_host(rv_hart *h, uintptr_t host, unsigned len);

static inline bool rv_store(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, uint64_t v)
{
	const rv_tlbe *e = &h->tw[(va >> 12) & (RV_TLB_SIZE - 1)];
	if (likely(e->tag == rv_tlb_key(va, size)) || rv_watch_pass(h, e, true, va, size)) {
		uintptr_t p = (uintptr_t)(va + e->add);
		if (unlikely(h->sh->nresv))
			rv_resv_break_host(h, p, size);
		__builtin_memcpy((void *)p, &v, size);
		return true;
	}
	return rv_store_slow(h, d, va, size, v);
}

/* decode.c / exec.c */
const rv_insn *rv_enter_page(rv_hart *h);
/* The sentinel after a page's last slot (not an instruction). */
bool rv_slot_is_page_end(const rv_insn *d);
/* A slot marked with a breakpoint (checked before it is traced). */
bool rv_slot_is_bp(const rv_insn *d);
void rv_decode_flush_all(rv_shared *sh);
void rv_decode_free_all(rv_shared *sh);
void rv_code_write(rv_hart *h, paddr_t pa, unsigned len);
bool rv_is_code_page(rv_shared *sh, paddr_t pa);
enum cpu_exit rv_run(cpu *c, int64_t max_insns);
int rv_disasm(cpu *c, uint64_t pc, uint32_t insn, char *buf, size_t len);
void rv_decode_free_zombies(rv_shared *sh);
rv_dpage *rv_xpage_new(void);
uint32_t rv_expand_rvc(uint16_t c);
void rv_resv_clear(rv_hart *h);
void rv_resv_break_host(rv_hart *h, uintptr_t host, unsigned len);
int rv_reg_read(cpu *c, int idx, uint8_t *buf);
/* state_rv.c */
const struct state_desc *rv_state_desc(void);
int rv_reg_write(cpu *c, int idx, const uint8_t *buf);

/* fpu.c: FP instruction handlers are in exec tables */

#endif
