/* Two harts increment shared counters 100000 times each: with LR/SC (a
 * store by the other hart between LR and SC must make the SC fail, or
 * updates are lost), with AMOs, and hand over with a flag. Run with -smp 2. */
#include "common.h"
#define N 100000

	.section .text.init
	.globl _start
_start:
	csrr a0, mhartid
	la sp, stack_top
	slli t0, a0, 12
	sub sp, sp, t0			/* 4 KiB of stack per hart */
	la t0, trap_unexpected
	csrw mtvec, t0
	la s0, counters
	li s1, N
1:	lr.d t0, (s0)
	andi t5, s1, 15			/* a window of varying length, so the */
5:	addi t5, t5, -1			/* quantum often ends inside it */
	bgez t5, 5b
	addi t0, t0, 1
	sc.d t1, t0, (s0)
	bnez t1, 1b
	li t2, 1
	addi a2, s0, 8
	amoadd.d zero, t2, (a2)
	/* plain read-modify-write under a spin lock taken with amoswap */
	addi a1, s0, 24
2:	li t2, 1
	amoswap.d.aq t3, t2, (a1)
	bnez t3, 2b
	ld t4, 16(s0)
	addi t4, t4, 1
	sd t4, 16(s0)
	amoswap.d.rl zero, zero, (a1)
	addi s1, s1, -1
	bnez s1, 1b
	/* done: hart 1 raises its flag and parks; hart 0 waits and checks */
	bnez a0, hart1_done
3:	ld t0, 32(s0)
	beqz t0, 3b
	ld t0, 0(s0)
	li t1, 2 * N
	bne t0, t1, lost_lrsc
	ld t0, 8(s0)
	bne t0, t1, lost_amo
	ld t0, 16(s0)
	bne t0, t1, lost_lock
	j test_pass
hart1_done:
	li t0, 1
	sd t0, 32(s0)
4:	wfi
	j 4b
lost_lrsc: FAIL(1)
lost_amo: FAIL(2)
lost_lock: FAIL(3)
main:	j main
	.data
	.align 6
counters: .dword 0, 0, 0, 0, 0
	.text
	.pushsection .text.x
	TEST_END
	.popsection
