/*
 * Instruction decode: the pattern tables are scanned once per instruction
 * word; the run loop caches the handler in the decoded page.
 */
#include "a64_int.h"
#include "exec.h"

static a64_fn scan(const a64_pattern *p, uint32_t insn)
{
	for (; p->fn; p++)
		if ((insn & p->mask) == p->value)
			return p->fn;
	return NULL;
}

a64_fn a64_decode(uint32_t insn)
{
	unsigned op0 = insn >> 25 & 15;
	a64_fn fn = NULL;

	if ((op0 & 0xe) == 0x8 || (op0 & 7) == 5)
		fn = scan(a64_dp_patterns, insn);
	else if ((op0 & 5) == 4)
		fn = scan(a64_ldst_patterns, insn);
	else if ((op0 & 0xe) == 0xa || (op0 & 7) == 7)
		fn = scan(a64_sys_patterns, insn);
	return fn ? fn : a64_x_undef;
}
