/*
 * AArch64 CPU state, private to core/arch/aarch64. Shared by the integer
 * core (decode/execute), the FP/AdvSIMD unit, system registers, the MMU,
 * exceptions, the timer and PSCI.
 */
#ifndef KWB_A64_H
#define KWB_A64_H

#include "aarch64.h"
#include "../../machine.h"

typedef union a64_vreg {
	uint8_t b[16];
	uint16_t h[8];
	uint32_t s[4];
	uint64_t d[2];
	float f[4];
	double df[2];
} a64_vreg;

/* PSTATE fields kept unpacked for speed. */
typedef struct a64_pstate {
	uint32_t n, z, c, v;	/* 0/1 */
	uint32_t daif;		/* D A I F in bits 9..6 as in SPSR */
	uint32_t el;		/* 0 or 1 (2 with virtualization=on later) */
	uint32_t sp;		/* SPSel: 1 = SP_ELx, 0 = SP_EL0 */
	uint32_t ss, il, pan, uao;
} a64_pstate;

typedef struct a64_cpu {
	cpu c;			/* must be first */
	uint64_t x[32];		/* x[31] is unused: SP and XZR are handled by accessors */
	uint64_t sp_el[4];	/* SP_EL0.. SP_EL3 */
	uint64_t pc;
	a64_pstate ps;
	a64_vreg v[32];
	uint32_t fpcr, fpsr;
	/* System registers by register-table index (the table's storage). */
	uint64_t *sys;
	/* exclusive monitor */
	bool excl_valid;
	paddr_t excl_addr;
	unsigned excl_size;
	uint64_t excl_val[2];
	/* interrupt inputs */
	int irq_line, fiq_line;
	void *priv;		/* decode cache / TLB owned by the integer core */
	/* Per-CPU state of the board's devices (generic timer, GIC CPU
	 * interface), owned by timer.c / the GIC model; NULL until set.
	 * Plain heap blocks: cpu_free() frees them. */
	void *timer;
	void *gic;
} a64_cpu;

static inline a64_cpu *A64(cpu *c) { return (a64_cpu *)c; }

/*
 * FP/AdvSIMD unit (fpsimd.c): executes an instruction in the FP/SIMD
 * encoding space (op0 = x111 data processing SIMD&FP; SIMD loads/stores
 * are decoded by the integer core's load/store unit and call
 * a64_vreg_load/store helpers below).
 * Returns 0 if executed, -1 if UNDEFINED (the caller raises the exception).
 * The caller has already checked CPACR_EL1.FPEN.
 */
int a64_exec_fpsimd(a64_cpu *s, uint32_t insn);
/* AdvSIMD load/store multiple/single structures (LD1-LD4, ST1-ST4, LD1R..):
 * also in the FP/SIMD unit. Same return convention. */
int a64_exec_simd_ldst(a64_cpu *s, uint32_t insn);

/*
 * Data memory access through the MMU, implemented by the integer core.
 * On a fault the exception has already been taken and false is returned:
 * the instruction must be abandoned (no register written). Little-endian;
 * size is 1, 2, 4 or 8.
 */
bool a64_read(a64_cpu *s, uint64_t va, unsigned size, uint64_t *value);
bool a64_write(a64_cpu *s, uint64_t va, unsigned size, uint64_t value);
/* General register read/write where register 31 means XZR (x[31] is kept
 * zero so reads need no branch; never store to x[31] directly). */
static inline uint64_t a64_xreg(a64_cpu *s, unsigned r) { return s->x[r]; }
static inline void a64_set_xreg(a64_cpu *s, unsigned r, uint64_t v) { s->x[r] = v; s->x[31] = 0; }
/* Base register read where register 31 means the current SP. */
uint64_t a64_sp(a64_cpu *s);
void a64_set_sp(a64_cpu *s, uint64_t v);


/*
 * System register table flags (arch-private bits of reg_desc.flags, set in
 * regs.def). Accesses to A64F_GIC registers go to the handler installed
 * with a64_set_gic_handler(); A64F_TIMER registers (CNT*) go to
 * a64_timer_read/write below. EL0 access rules are checked by the core
 * before the hooks are called.
 */
enum a64_reg_flags {
	A64F_EL0R = 1u << 16,	/* readable at EL0 */
	A64F_EL0W = 1u << 17,	/* writable at EL0 */
	A64F_WO = 1u << 18,	/* write-only: MRS is UNDEFINED */
	A64F_GIC = 1u << 19,	/* ICC_*: routed to the GIC handler */
	A64F_TIMER = 1u << 20,	/* CNT*: routed to a64_timer_read/write */
	A64F_RAZWI = 1u << 21,	/* reads as zero, writes ignored (PMU, ...) */
	A64F_TLB = 1u << 22,	/* write flushes the TLB (TTBRn, TCR, SCTLR) */
	A64F_RDSE = 1u << 23,	/* read has side effects: gdb reads refused */
	A64F_EL2 = 1u << 24,	/* not accessible from EL1 (gdb only) */
	A64F_SPECIAL = 1u << 25,/* value lives outside sys[] (PSTATE, SP, ...) */
	A64F_PMU = 1u << 26,	/* PM*: routed to a64_pmu_read/write (pmu.c) */
};

/* The register table (regs.def), also aarch64_arch.regs. */
extern const reg_table aarch64_regs;

/* Table index of a register (regs.def order), e.g. A64R_TCR_EL1. */
enum a64_reg_index {
#define REG(name, bits, feat, acc, type, group, enc, reset, flags) A64R_##name,
#include "regs.def"
#undef REG
	A64R_COUNT
};

/*
 * Generic timer (core/arch/aarch64/timer.c, board helper). enc is
 * SYSREG_ENC(op0,op1,CRn,CRm,op2) of a CNT* register: CNTFRQ_EL0,
 * CNTPCT_EL0, CNTVCT_EL0, CNTKCTL_EL1, CNTP_{CTL,CVAL,TVAL}_EL0,
 * CNTV_{CTL,CVAL,TVAL}_EL0. Return false to make the access UNDEFINED.
 * The core provides weak defaults (plain storage in s->sys[], counters
 * from clock_now()) so it links without timer.c. a64_timer_reset is
 * called from cpu_reset.
 */
bool a64_timer_read(a64_cpu *s, uint32_t enc, uint64_t *value);
bool a64_timer_write(a64_cpu *s, uint32_t enc, uint64_t value);
void a64_timer_reset(a64_cpu *s);
/* The timer block's state description (s->timer), nested in the CPU's. */
extern const struct state_desc a64_timer_state;
/* The CPU's state description (state_a64.c). */
const struct state_desc *a64_state_desc(void);

/* Raise an UNDEFINED instruction exception for the instruction at s->pc
 * (for the FP/SIMD unit when it needs to fault itself; usually it just
 * returns -1). */
void a64_undef(a64_cpu *s);

#endif
