/*
 * Weak defaults for the parts of the AArch64 CPU other files provide
 * (FP/AdvSIMD unit, generic timer, PSCI), so the build always links.
 * The real implementations override these at link time.
 */
#include "a64.h"

__attribute__((weak)) int a64_exec_fpsimd(a64_cpu *s, uint32_t insn)
{
	(void)s; (void)insn;
	return -1;
}

__attribute__((weak)) int a64_exec_simd_ldst(a64_cpu *s, uint32_t insn)
{
	(void)s; (void)insn;
	return -1;
}

/* Counter at CNTFRQ from virtual nanoseconds. */
static uint64_t counter(a64_cpu *s)
{
	return (uint64_t)((unsigned __int128)clock_now(s->c.m) * A64_CNTFRQ / 1000000000u);
}

__attribute__((weak)) bool a64_timer_read(a64_cpu *s, uint32_t enc, uint64_t *value)
{
	int i = regtab_find_encoding(s->c.arch->regs, enc);

	if (i < 0)
		return false;
	if (i == A64R_CNTPCT_EL0 || i == A64R_CNTVCT_EL0)
		*value = counter(s);
	else if (i == A64R_CNTV_TVAL_EL0)
		*value = (uint32_t)(s->sys[A64R_CNTV_CVAL_EL0] - counter(s));
	else if (i == A64R_CNTP_TVAL_EL0)
		*value = (uint32_t)(s->sys[A64R_CNTP_CVAL_EL0] - counter(s));
	else
		*value = s->sys[i];
	return true;
}

__attribute__((weak)) bool a64_timer_write(a64_cpu *s, uint32_t enc, uint64_t value)
{
	int i = regtab_find_encoding(s->c.arch->regs, enc);

	if (i < 0)
		return false;
	if (i == A64R_CNTV_TVAL_EL0)
		s->sys[A64R_CNTV_CVAL_EL0] = counter(s) + (uint64_t)(int64_t)(int32_t)value;
	else if (i == A64R_CNTP_TVAL_EL0)
		s->sys[A64R_CNTP_CVAL_EL0] = counter(s) + (uint64_t)(int64_t)(int32_t)value;
	else if (i != A64R_CNTPCT_EL0 && i != A64R_CNTVCT_EL0)
		s->sys[i] = value;
	return true;
}

__attribute__((weak)) void a64_timer_reset(a64_cpu *s)
{
	(void)s;
}

__attribute__((weak)) bool a64_psci_call(cpu *c)
{
	(void)c;
	return false;
}
