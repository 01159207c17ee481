/*
 * Entry point of the FP/AdvSIMD unit for the "data processing: scalar FP
 * and AdvSIMD" encoding space (op0 = x111): scalar FP (bit 30 clear, bit
 * 28 set) or AdvSIMD vector/scalar.
 */
#include "fpsimd.h"

int a64_exec_fpsimd(a64_cpu *s, uint32_t insn)
{
	if ((insn & 0x0e000000u) != 0x0e000000u)
		return -1;
	int r = fpsimd_exec_crypto(s, insn);
	if (r <= 0)
		return r;
	if (bits(insn, 28, 28) && !bits(insn, 30, 30))
		return fpsimd_exec_fp(s, insn);
	return fpsimd_exec_vec(s, insn);
}
