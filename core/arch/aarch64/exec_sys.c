/* Branches, exception generation, system instructions, MRS/MSR, FP dispatch. */
#include "a64_int.h"
#include "exec.h"
#include "trace_hooks_a64.h"

extern const reg_table aarch64_regs;

/* ---- branches ---- */

static int x_b(a64_cpu *s, uint32_t insn)
{
	if (insn >> 31)
		s->x[30] = s->pc + 4;
	s->pc += sext(insn & 0x3ffffff, 26) << 2;
	return 1;
}

static int x_bcond(a64_cpu *s, uint32_t insn)
{
	if (!a64_cond(s, insn & 15))
		return 0;
	s->pc += sext(insn >> 5 & 0x7ffff, 19) << 2;
	return 1;
}

static int x_cbz(a64_cpu *s, uint32_t insn)
{
	uint64_t v = a64_xreg(s, insn & 31);
	if (!(insn >> 31))
		v = (uint32_t)v;
	if ((v == 0) == !(insn >> 24 & 1)) {
		s->pc += sext(insn >> 5 & 0x7ffff, 19) << 2;
		return 1;
	}
	return 0;
}

static int x_tbz(a64_cpu *s, uint32_t insn)
{
	unsigned bit = (insn >> 31) << 5 | (insn >> 19 & 31);
	unsigned set = a64_xreg(s, insn & 31) >> bit & 1;
	if (set == (insn >> 24 & 1)) {
		s->pc += sext(insn >> 5 & 0x3fff, 14) << 2;
		return 1;
	}
	return 0;
}

static int x_br_reg(a64_cpu *s, uint32_t insn)
{
	unsigned opc = insn >> 21 & 15, rn = insn >> 5 & 31;
	uint64_t target;

	if ((insn >> 16 & 31) != 31 || (insn >> 10 & 63) || (insn & 31))
		return a64_undef_insn(s);
	switch (opc) {
	case 0: case 2:
		s->pc = a64_xreg(s, rn);
		return 1;
	case 1:
		target = a64_xreg(s, rn);
		s->x[30] = s->pc + 4;
		s->pc = target;
		return 1;
	case 4:
		if (rn != 31)
			return a64_undef_insn(s);
		a64_eret(s);
		return 1;
	default:
		return a64_undef_insn(s);
	}
}

/* ---- exception generation ---- */

/*
 * HVC is the SMCCC conduit (the DT's psci method, as QEMU's virt without
 * EL2/EL3): PSCI calls are answered, every other function ID (fast or
 * yielding, SMCCC_VERSION and SMCCC_ARCH_FEATURES included) returns
 * NOT_SUPPORTED as QEMU 7.2 does. SMC without EL3 is UNDEFINED (QEMU too).
 */
static int hvc_call(a64_cpu *s)
{
	a64_core *k = CORE(s);

	if (s->ps.el == 0)
		return a64_undef_insn(s);
	s->pc += 4;
	if (a64_psci_call(&s->c)) {	/* any immediate, as QEMU */
		if (!s->c.powered)
			k->stop = CPU_EXIT_OFF;
		return 1;
	}
	s->x[0] = ~0ull;	/* SMCCC: NOT_SUPPORTED */
	return 1;
}

static int x_excgen(a64_cpu *s, uint32_t insn)
{
	unsigned opc = insn >> 21 & 7, imm = insn >> 5 & 0xffff, ll = insn & 3;

	if (insn >> 2 & 7)
		return a64_undef_insn(s);
	if (opc == 0 && ll == 1) {
		s->pc += 4;	/* preferred return: the next instruction */
		s->ps.ss = 0;	/* a stepped SVC completed: SPSR.SS = 0 */
		return a64_sync(s, EC_SVC, imm);
	}
	if (opc == 0 && ll == 2)
		return hvc_call(s);
	if (opc == 1 && ll == 0)
		return a64_sync(s, EC_BRK, imm);
	return a64_undef_insn(s);
}

/* ---- system ---- */

static uint32_t sys_iss(uint32_t insn)
{
	unsigned op0 = insn >> 19 & 3, op1 = insn >> 16 & 7, crn = insn >> 12 & 15;
	unsigned crm = insn >> 8 & 15, op2 = insn >> 5 & 7, rt = insn & 31, l = insn >> 21 & 1;
	return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | rt << 5 | crm << 1 | l;
}

static int sys_trap(a64_cpu *s, uint32_t insn)
{
	return a64_sync(s, EC_SYS, sys_iss(insn));
}

static int next_block(a64_cpu *s)
{
	s->pc += 4;
	return 1;
}

static int hint(a64_cpu *s, unsigned op)
{
	a64_core *k = CORE(s);
	uint64_t sctlr = s->sys[A64R_SCTLR_EL1];

	switch (op) {
	case 2:		/* WFE: no event stream, behaves as a NOP */
		if (s->ps.el == 0 && !(sctlr >> 18 & 1))
			return a64_sync(s, EC_WFX, 0x1e00001);
		return 0;
	case 3:		/* WFI */
		if (s->ps.el == 0 && !(sctlr >> 16 & 1))
			return a64_sync(s, EC_WFX, 0x1e00000);
		if (s->irq_line || s->fiq_line)
			return 0;
		k->stop = CPU_EXIT_WFI;
		return next_block(s);
	default:	/* NOP, YIELD, SEV, SEVL, and hints this CPU lacks */
		return 0;
	}
}

static int daif_set(a64_cpu *s, uint32_t insn, bool set)
{
	unsigned crm = insn >> 8 & 15;

	if (s->ps.el == 0 && !(s->sys[A64R_SCTLR_EL1] >> 9 & 1))
		return sys_trap(s, insn);
	if (set)
		s->ps.daif |= crm << 6;
	else
		s->ps.daif &= ~(crm << 6);
	return next_block(s);
}

static int at_insn(a64_cpu *s, unsigned op2, uint64_t va)
{
	a64_tr t;
	int el = op2 & 2 ? 0 : 1, acc = op2 & 1 ? P_W : P_R;
	uint64_t par;

	a64_walk(s, va, &t, NULL);
	if (!t.fault && !(t.perm[el] & acc)) {
		t.fault = F_PERM;
	}
	if (t.fault)
		par = 1 | (uint64_t)a64_fault_code(t.fault, t.level) << 1 | 1u << 11;
	else
		par = (t.pa & 0x0000fffffffff000ull) | (uint64_t)t.attr << 56 | (uint64_t)t.sh << 7 | 1u << 11;
	s->sys[A64R_PAR_EL1] = par;
	return 0;
}

static int sys_insn(a64_cpu *s, uint32_t insn)
{
	unsigned op1 = insn >> 16 & 7, crn = insn >> 12 & 15, crm = insn >> 8 & 15;
	unsigned op2 = insn >> 5 & 7, rt = insn & 31;
	uint64_t sctlr = s->sys[A64R_SCTLR_EL1], x = a64_xreg(s, rt);
	machine *m = s->c.m;
	bool el0 = s->ps.el == 0;

	if (crn == 8 && op1 == 0) {		/* TLBI */
		if (el0 || (crm != 3 && crm != 7))
			return a64_undef_insn(s);
		if (unlikely(trace_on(m->trace, TRACE_MMU)))
			a64_trace_tlbi(s, crm, op2, x);
		if (op2 == 1 || op2 == 3 || op2 == 5 || op2 == 7)
			a64_tlb_flush_va(m, sext((x & 0xfffffffffffull) << 12, 56));
		else if (op2 == 2)	/* ASIDE1: global entries stay */
			for (int i = 0; i < m->ncpus; i++)
				a64_tlb_flush_ng(A64(m->cpus[i]));
		else
			a64_tlb_flush_all_cpus(m);
		return next_block(s);
	}
	if (crn != 7)
		return a64_undef_insn(s);
	if (op1 == 0) {
		if (el0)
			return a64_undef_insn(s);
		if ((crm == 1 || crm == 5) && op2 == 0) {	/* IC IALLUIS / IALLU */
			a64_decode_flush_all(CORE(s)->sh);
			return next_block(s);
		}
		if (crm == 8 && op2 < 4)
			return at_insn(s, op2, x);
		if ((crm == 6 && (op2 == 1 || op2 == 2)) || ((crm == 10 || crm == 14) && op2 == 2))
			return 0;	/* DC IVAC/ISW/CSW/CISW */
		return a64_undef_insn(s);
	}
	if (op1 != 3)
		return a64_undef_insn(s);
	if (crm == 4 && op2 == 1) {		/* DC ZVA */
		if (el0 && !(sctlr >> 14 & 1))
			return sys_trap(s, insn);
		uint64_t va = x & ~63ull;
		for (int i = 0; i < 8; i++)
			if (!a64_st(s, va + i * 8, 8, s->ps.el, 0))
				return 1;
		return 0;
	}
	if (el0 && !(sctlr >> 26 & 1))
		return sys_trap(s, insn);
	if (crm == 5 && op2 == 1) {		/* IC IVAU */
		a64_tr t;
		a64_walk(s, x, &t, NULL);
		if (!t.fault)
			a64_code_written(CORE(s)->sh, t.pa);
		return next_block(s);
	}
	if ((crm == 10 || crm == 11 || crm == 12 || crm == 13 || crm == 14) && op2 == 1)
		return 0;	/* DC CVAC/CVAU/CVAP/CVADP/CIVAC */
	return a64_undef_insn(s);
}

static uint64_t cntkctl(a64_cpu *s)
{
	uint64_t v = 0;
	a64_timer_read(s, SYSREG_ENC(3, 0, 14, 1, 0), &v);
	return v;
}

/* EL0 access to registers whose EL0 access is controlled by EL1 */
static bool el0_allowed(a64_cpu *s, int idx, bool read)
{
	uint32_t f = aarch64_regs.regs[idx].flags;
	uint64_t k;

	switch (idx) {
	case A64R_CTR_EL0: return s->sys[A64R_SCTLR_EL1] >> 15 & 1;
	case A64R_DAIF: return s->sys[A64R_SCTLR_EL1] >> 9 & 1;
	case A64R_CNTFRQ_EL0: return (cntkctl(s) & 3) != 0;
	case A64R_CNTPCT_EL0: return cntkctl(s) & 1;
	case A64R_CNTVCT_EL0: return cntkctl(s) >> 1 & 1;
	case A64R_CNTV_CTL_EL0: case A64R_CNTV_CVAL_EL0: case A64R_CNTV_TVAL_EL0:
		return cntkctl(s) >> 8 & 1;
	case A64R_CNTP_CTL_EL0: case A64R_CNTP_CVAL_EL0: case A64R_CNTP_TVAL_EL0:
		k = cntkctl(s);
		return k >> 9 & 1;
	default:
		if (f & A64F_PMU)
			return a64_pmu_el0_ok(s, idx, read);
		return read ? f & A64F_EL0R : f & A64F_EL0W;
	}
}

/* EL0 reads of the ID space trap to EL1 as system register accesses only
 * with FEAT_IDST (ID_AA64MMFR2_EL1.IDS); before it (cortex-a57, QEMU's
 * model) they are UNDEFINED. Linux emulates both. */
static int el0_idreg_trap(a64_cpu *s, uint32_t insn)
{
	if (s->sys[A64R_ID_AA64MMFR2_EL1] >> 36 & 0xf)
		return sys_trap(s, insn);
	return a64_undef_insn(s);
}

static int mrs_msr(a64_cpu *s, uint32_t insn)
{
	bool read = insn >> 21 & 1;
	unsigned op0 = insn >> 19 & 3, op1 = insn >> 16 & 7, crn = insn >> 12 & 15, crm = insn >> 8 & 15;
	unsigned rt = insn & 31;
	int idx = a64_sysreg_index(insn >> 5 & 0xffff);
	bool idreg = op0 == 3 && op1 == 0 && crn == 0;
	uint64_t v;

	if (idx < 0) {
		if (read && idreg && crm >= 1 && crm <= 7) {
			if (s->ps.el == 0)
				return el0_idreg_trap(s, insn);
			a64_set_xreg(s, rt, 0);	/* unallocated ID space: RAZ */
			return 0;
		}
		return a64_undef_insn(s);
	}
	const reg_desc *r = &aarch64_regs.regs[idx];
	if ((r->flags & A64F_EL2) || (read && (r->flags & A64F_WO)) || (!read && r->access == REG_RO))
		return a64_undef_insn(s);
	if (s->ps.el == 0 && !el0_allowed(s, idx, read)) {
		if (idreg)
			return el0_idreg_trap(s, insn);
		if (idx == A64R_CTR_EL0 || idx == A64R_DAIF || (r->flags & (A64F_TIMER | A64F_PMU)))
			return sys_trap(s, insn);
		return a64_undef_insn(s);
	}
	if ((idx == A64R_fpcr || idx == A64R_fpsr) && !a64_fp_enabled(s))
		return a64_sync(s, EC_FP, 0x1e00000);
	if (read) {
		if (!a64_sysreg_read(s, idx, &v, false))
			return a64_undef_insn(s);
		a64_set_xreg(s, rt, v);
		return 0;
	}
	if (!a64_sysreg_write(s, idx, a64_xreg(s, rt)))
		return a64_undef_insn(s);
	return next_block(s);	/* state may have changed (DAIF, TLB, IRQs) */
}

static int x_system(a64_cpu *s, uint32_t insn)
{
	unsigned l = insn >> 21 & 1, op0 = insn >> 19 & 3, op1 = insn >> 16 & 7, crn = insn >> 12 & 15;
	unsigned crm = insn >> 8 & 15, op2 = insn >> 5 & 7, rt = insn & 31;

	if (op0 >= 2)
		return mrs_msr(s, insn);
	if (l)
		return a64_undef_insn(s);
	if (op0 == 1)
		return sys_insn(s, insn);
	if (rt != 31)
		return a64_undef_insn(s);
	if (crn == 2 && op1 == 3)
		return hint(s, crm << 3 | op2);
	if (crn == 3 && op1 == 3) {
		switch (op2) {
		case 2: s->excl_valid = false; return 0;	/* CLREX */
		case 4: case 5: return 0;			/* DSB, DMB */
		case 6: return next_block(s);			/* ISB */
		default: return a64_undef_insn(s);
		}
	}
	if (crn == 4) {
		if (op1 == 3 && op2 == 6)
			return daif_set(s, insn, true);
		if (op1 == 3 && op2 == 7)
			return daif_set(s, insn, false);
		if (op1 == 0 && op2 == 5 && s->ps.el) {
			s->ps.sp = crm & 1;
			return next_block(s);
		}
	}
	return a64_undef_insn(s);
}

static int x_fpsimd(a64_cpu *s, uint32_t insn)
{
	a64_core *k = CORE(s);
	uint64_t seq = k->exc_seq;

	if (!a64_fp_enabled(s))
		return a64_sync(s, EC_FP, 0x1e00000);
	if (a64_exec_fpsimd(s, insn) < 0)
		return a64_undef_insn(s);
	return k->exc_seq != seq || k->stop ? 1 : 0;
}

A64_THREAD_BRANCH(x_b)
A64_THREAD_BRANCH(x_bcond)
A64_THREAD_BRANCH(x_cbz)
A64_THREAD_BRANCH(x_tbz)
A64_THREAD(x_system)
/* br, blr, ret go on at their target without the run loop when they can */
static int t_x_br_reg(a64_cpu *s, a64_dent *d)
{
	uint32_t insn = d->insn;

	A64_STAT(s, d);
	s->c.icount++;
	x_br_reg(s, insn);
	if ((insn & 0xfe1ffc1f) == 0xd61f0000 && (insn >> 21 & 15) <= 2)
		return a64_next_page(s);
	return 1;
}
A64_THREAD(x_excgen)
A64_THREAD(x_fpsimd)

const a64_pattern a64_sys_patterns[] = {
	{ 0x7c000000, 0x14000000, t_x_b },
	{ 0xff000010, 0x54000000, t_x_bcond },
	{ 0x7e000000, 0x34000000, t_x_cbz },
	{ 0x7e000000, 0x36000000, t_x_tbz },
	{ 0xffc00000, 0xd5000000, t_x_system },
	{ 0xfe000000, 0xd6000000, t_x_br_reg },
	{ 0xff000000, 0xd4000000, t_x_excgen },
	{ 0x0e000000, 0x0e000000, t_x_fpsimd },
	{ 0, 0, NULL },
};
