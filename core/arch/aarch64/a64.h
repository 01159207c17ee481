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
/* General register read/write where register 31 means XZR. */
static inline uint64_t a64_xreg(a64_cpu *s, unsigned r) { return r == 31 ? 0 : s->x[r]; }
static inline void a64_set_xreg(a64_cpu *s, unsigned r, uint64_t v) { if (r != 31) s->x[r] = v; }
/* Base register read where register 31 means the current SP. */
uint64_t a64_sp(a64_cpu *s);
void a64_set_sp(a64_cpu *s, uint64_t v);

#endif
