/* CPU-bound loop for the MIPS figure: ld/addi/sd/addi/bnez, 100M iterations. */
#include "common.h"
TEST_START
main:
	la s0, counter
	li s1, 100000000
loop:
	ld t0, 0(s0)
	addi t0, t0, 1
	sd t0, 0(s0)
	addi s1, s1, -1
	bnez s1, loop
	ld t0, 0(s0)
	li t1, 100000000
	bne t0, t1, bad
	j test_pass
bad:
	FAIL(1)
	.data
	.align 12
counter: .dword 0
	.text
TEST_END
