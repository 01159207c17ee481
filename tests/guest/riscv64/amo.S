/* A: LR/SC success and failure, AMO results and sign extension, alignment. */
#include "common.h"
TEST_START
main:
	la s0, adata
	li t0, 5
	sd t0, 0(s0)
	/* LR/SC succeeds */
	lr.d t1, (s0)
	CHECK(t1, 5, 1)
	li t2, 6
	sc.d t3, t2, (s0)
	CHECK(t3, 0, 2)
	ld t1, 0(s0)
	CHECK(t1, 6, 3)
	/* SC without a reservation fails and does not store */
	li t2, 7
	sc.d t3, t2, (s0)
	CHECK(t3, 1, 4)
	ld t1, 0(s0)
	CHECK(t1, 6, 5)
	/* SC to another address than the LR fails */
	lr.d t1, (s0)
	addi a2, s0, 64
	sc.d t3, t2, (a2)
	bnez t3, 1f
	FAIL(6)
1:	ld t1, 64(s0)
	CHECK(t1, 0, 7)
	/* a trap between LR and SC clears the reservation */
	la t0, after_ecall
	csrw mtvec, t0
	lr.d t1, (s0)
	ecall
	.align 2
after_ecall:
	la t0, trap_unexpected
	csrw mtvec, t0
	sc.d t3, t2, (s0)
	CHECK(t3, 1, 8)
	/* word LR sign-extends, SC.W stores 32 bits */
	li t0, 0x80000000
	sw t0, 8(s0)
	lr.w t1, (s0)
	CHECK(t1, 6, 9)
	sc.w t3, t0, (s0)
	CHECK(t3, 0, 10)
	lr.w t1, (s0)
	CHECK(t1, 0xffffffff80000000, 11)
	sc.w t3, zero, (s0)
	/* AMOs return the old value */
	addi s1, s0, 16
	addi s2, s0, 24
	li t0, 10
	sd t0, 16(s0)
	li t2, 3
	amoadd.d t1, t2, (s1)
	CHECK(t1, 10, 20)
	ld t1, 16(s0)
	CHECK(t1, 13, 21)
	amoswap.d t1, t2, (s0)
	amoxor.d t1, t2, (s1)		/* 13 ^ 3 = 14 */
	amoor.d t1, t2, (s1)		/* 14 | 3 = 15 */
	amoand.d t1, t2, (s1)		/* 15 & 3 = 3 */
	ld t1, 16(s0)
	CHECK(t1, 3, 22)
	li t2, -1
	amomin.d t1, t2, (s1)
	ld t1, 16(s0)
	CHECK(t1, -1, 23)
	li t2, 5
	amomax.d t1, t2, (s1)
	ld t1, 16(s0)
	CHECK(t1, 5, 24)
	li t2, -1
	amominu.d t1, t2, (s1)
	ld t1, 16(s0)
	CHECK(t1, 5, 25)
	amomaxu.d t1, t2, (s1)
	ld t1, 16(s0)
	CHECK(t1, -1, 26)
	/* word AMOs: 32-bit arithmetic, sign-extended result */
	li t0, 0x7fffffff
	sw t0, 24(s0)
	li t2, 1
	amoadd.w t1, t2, (s2)
	CHECK(t1, 0x7fffffff, 30)
	amoadd.w t1, t2, (s2)
	CHECK(t1, 0xffffffff80000000, 31)
	li t2, 0
	amomin.w t1, t2, (s2)		/* min(0x80000001 as int32, 0) */
	lw t1, 24(s0)
	CHECK(t1, 0xffffffff80000001, 32)
	amomaxu.w t1, t2, (s2)
	lw t1, 24(s0)
	CHECK(t1, 0xffffffff80000001, 33)
	amominu.w t1, t2, (s2)
	lw t1, 24(s0)
	CHECK(t1, 0, 34)
	lw t1, 28(s0)			/* neighbour untouched */
	CHECK(t1, 0, 35)
	/* misaligned AMO: store/AMO misaligned (6); LR: load misaligned (4) */
	la t0, 2f
	csrw mtvec, t0
	addi a1, s0, 1
3:	amoadd.d t1, t2, (a1)
	j bad
	.align 2
2:	csrr t1, mcause
	CHECK(t1, 6, 40)
	csrr t1, mtval
	bne t1, a1, bad
	csrr t1, mepc
	la t0, 3b
	bne t1, t0, bad
	la t0, 4f
	csrw mtvec, t0
	lr.w t1, (a1)
	j bad
	.align 2
4:	csrr t1, mcause
	CHECK(t1, 4, 41)
	j test_pass
bad:	FAIL(99)
	.data
	.align 6
adata:	.skip 128
	.text
TEST_END
