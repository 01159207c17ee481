/* RVC: every RV64C encoding executed and checked; 0x0000 is illegal. */
#include "common.h"
TEST_START
main:
	la s0, cdata
	mv x8, s0			/* c.* loads/stores use x8..x15 */
	c.li a0, -3
	CHECK(a0, -3, 1)
	c.lui a1, 0x1f			/* 0x1f000 */
	CHECK(a1, 0x1f000, 2)
	c.lui a1, 0xfffe0		/* sign-extended nzimm */
	CHECK(a1, 0xfffffffffffe0000, 3)
	c.li a0, 5
	c.addi a0, -1
	CHECK(a0, 4, 4)
	li a0, 0x7fffffff
	c.addiw a0, 1
	CHECK(a0, 0xffffffff80000000, 5)
	mv a2, sp
	c.addi16sp sp, -64
	addi a3, sp, 64
	bne a2, a3, bad
	c.addi16sp sp, 64
	c.addi4spn a4, sp, 8
	addi a5, sp, 8
	bne a4, a5, bad
	li a0, 0x81
	c.slli a0, 60
	CHECK(a0, 0x1000000000000000, 6)
	li a4, 0x8000000000000000
	c.srli a4, 63
	CHECK(a4, 1, 7)
	li a4, 0x8000000000000000
	c.srai a4, 63
	CHECK(a4, -1, 8)
	li a4, 0x1234
	c.andi a4, -16
	CHECK(a4, 0x1230, 9)
	li a4, 10
	li a5, 3
	c.sub a4, a5
	CHECK(a4, 7, 10)
	c.xor a4, a5
	CHECK(a4, 4, 11)
	c.or a4, a5
	CHECK(a4, 7, 12)
	c.and a4, a5
	CHECK(a4, 3, 13)
	li a4, 0x7fffffff
	li a5, 1
	c.addw a4, a5
	CHECK(a4, 0xffffffff80000000, 14)
	li a4, 0
	c.subw a4, a5
	CHECK(a4, -1, 15)
	c.mv a0, a5
	CHECK(a0, 1, 16)
	c.add a0, a5
	CHECK(a0, 2, 17)
	/* loads/stores */
	li a4, 0x1122334455667788
	c.sd a4, 8(x8)
	c.ld a5, 8(x8)
	bne a4, a5, bad
	c.sw a4, 16(x8)
	c.lw a5, 16(x8)
	CHECK(a5, 0x55667788, 18)
	li a4, 0x80000000
	c.sw a4, 16(x8)
	c.lw a5, 16(x8)
	CHECK(a5, 0xffffffff80000000, 19)
	addi sp, sp, -32
	li a4, 42
	c.sdsp a4, 8(sp)
	c.ldsp a5, 8(sp)
	CHECK(a5, 42, 20)
	c.swsp a4, 16(sp)
	c.lwsp a5, 16(sp)
	CHECK(a5, 42, 21)
	li t0, 0x4008000000000000	/* 3.0 */
	fmv.d.x fa0, t0
	c.fsd fa0, 24(x8)
	c.fld fa1, 24(x8)
	fmv.x.d t1, fa1
	bne t0, t1, bad
	c.fsdsp fa0, 24(sp)
	c.fldsp fa2, 24(sp)
	fmv.x.d t1, fa2
	bne t0, t1, bad
	addi sp, sp, 32
	/* control flow */
	li a4, 0
	c.beqz a4, 1f
	j bad
1:	c.bnez a4, bad
	li a4, 1
	c.bnez a4, 2f
	j bad
2:	c.j 3f
	j bad
3:	la a4, 4f
	c.jr a4
	j bad
4:	la a4, 5f
	c.jalr a4
6:	j 7f
5:	la a5, 6b
	bne ra, a5, bad
	ret
7:	/* c.ebreak traps with cause 3, mepc at it */
	la t0, 8f
	csrw mtvec, t0
9:	c.ebreak
	j bad
	.align 2
8:	csrr t1, mcause
	CHECK(t1, 3, 22)
	csrr t1, mepc
	la t2, 9b
	bne t1, t2, bad
	/* 0x0000 is illegal: mtval = 0 bits, mepc at it */
	la t0, 10f
	csrw mtvec, t0
11:	.2byte 0x0000
	j bad
	.align 2
10:	csrr t1, mcause
	CHECK(t1, 2, 23)
	csrr t1, mepc
	la t2, 11b
	bne t1, t2, bad
	/* c.nop */
	c.nop
	j test_pass
bad:	FAIL(99)
	.data
	.align 4
cdata:	.skip 64
	.text
TEST_END
