/* RV64IM: ALU, W-op sign extension, shifts, M corner cases, loads, branches, jumps. */
#include "common.h"
TEST_START
main:
	TEST_RR(add, 0x7fffffffffffffff, 1, 0x8000000000000000, 1)
	TEST_RR(sub, 0, 1, -1, 2)
	TEST_RR(addw, 0x7fffffff, 1, 0xffffffff80000000, 3)
	TEST_RR(subw, 0x100000000, 1, -1, 4)
	TEST_RI(addiw, 0xffffffff, 1, 0, 5)
	TEST_RI(addiw, 0x7fffffff, 1, 0xffffffff80000000, 6)
	TEST_RR(sll, 1, 63, 0x8000000000000000, 7)
	TEST_RR(sll, 1, 64, 1, 8)		/* shift amount is mod 64 */
	TEST_RR(sllw, 1, 31, 0xffffffff80000000, 9)
	TEST_RR(sllw, 1, 32, 1, 10)
	TEST_RR(srl, 0x8000000000000000, 63, 1, 11)
	TEST_RR(sra, 0x8000000000000000, 63, -1, 12)
	TEST_RR(srlw, 0xffffffff80000000, 31, 1, 13)
	TEST_RR(sraw, 0x80000000, 31, -1, 14)
	TEST_RR(srlw, 0x80000000, 0, 0xffffffff80000000, 15)
	TEST_RI(slli, 3, 62, 0xc000000000000000, 16)
	TEST_RI(srai, 0x8000000000000000, 4, 0xf800000000000000, 17)
	TEST_RI(srli, 0x8000000000000000, 4, 0x0800000000000000, 18)
	TEST_RI(slliw, 0x1, 31, 0xffffffff80000000, 19)
	TEST_RI(sraiw, 0x80000000, 4, 0xfffffffff8000000, 20)
	TEST_RI(srliw, 0x80000000, 4, 0x08000000, 21)
	TEST_RR(slt, -1, 0, 1, 22)
	TEST_RR(sltu, -1, 0, 0, 23)
	TEST_RI(slti, -5, -4, 1, 24)
	TEST_RI(sltiu, 5, -1, 1, 25)		/* imm sign-extended then unsigned */
	TEST_RI(xori, 0x0f, -1, 0xfffffffffffffff0, 26)
	TEST_RI(ori, 0x100, 0x0ff, 0x1ff, 27)
	TEST_RI(andi, -1, 0x7ff, 0x7ff, 28)
	TEST_RR(and, 0xff00, 0x0ff0, 0x0f00, 29)
	TEST_RR(or, 0xff00, 0x0ff0, 0xfff0, 30)
	TEST_RR(xor, 0xff00, 0x0ff0, 0xf0f0, 31)
	/* M */
	TEST_RR(mul, 0x100000001, 0x100000001, 0x200000001, 40)
	TEST_RR(mulh, -1, -1, 0, 41)
	TEST_RR(mulhu, -1, -1, 0xfffffffffffffffe, 42)
	TEST_RR(mulhsu, -1, -1, -1, 43)
	TEST_RR(mulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000, 44)
	TEST_RR(mulw, 0x7fffffff, 2, -2, 45)
	TEST_RR(div, 7, 0, -1, 46)
	TEST_RR(divu, 7, 0, -1, 47)
	TEST_RR(rem, 7, 0, 7, 48)
	TEST_RR(remu, 7, 0, 7, 49)
	TEST_RR(div, 0x8000000000000000, -1, 0x8000000000000000, 50)
	TEST_RR(rem, 0x8000000000000000, -1, 0, 51)
	TEST_RR(div, -7, 2, -3, 52)
	TEST_RR(rem, -7, 2, -1, 53)
	TEST_RR(divw, 0x80000000, -1, 0xffffffff80000000, 54)
	TEST_RR(remw, 0x80000000, -1, 0, 55)
	TEST_RR(divw, 5, 0, -1, 56)
	TEST_RR(divuw, 5, 0, -1, 57)
	TEST_RR(remw, 0xfffffffb, 0, -5, 58)
	TEST_RR(remuw, 0xfffffffb, 0, -5, 59)
	TEST_RR(divuw, 0xffffffff, 1, -1, 60)
	TEST_RR(divw, 0x1ffffffff, 1, -1, 61)	/* upper bits ignored */
	/* lui/auipc */
	lui s4, 0x80000
	CHECK(s4, 0xffffffff80000000, 70)
1:	auipc s4, 0
	la s5, 1b
	bne s4, s5, bad_auipc
	/* loads: sign and zero extension */
	la s0, data
	lb s4, 0(s0)
	CHECK(s4, -128, 80)
	lbu s4, 0(s0)
	CHECK(s4, 0x80, 81)
	lh s4, 2(s0)
	CHECK(s4, -32768, 82)
	lhu s4, 2(s0)
	CHECK(s4, 0x8000, 83)
	lw s4, 4(s0)
	CHECK(s4, 0xffffffff80000000, 84)
	lwu s4, 4(s0)
	CHECK(s4, 0x80000000, 85)
	ld s4, 8(s0)
	CHECK(s4, 0x0123456789abcdef, 86)
	/* stores of each width */
	li s2, 0x1122334455667788
	sd s2, 16(s0)
	sb zero, 16(s0)
	sh zero, 18(s0)
	sw zero, 20(s0)
	ld s4, 16(s0)
	CHECK(s4, 0x7700, 87)
	sd s2, 16(s0)
	li s3, 0xaa
	sb s3, 17(s0)
	ld s4, 16(s0)
	CHECK(s4, 0x112233445566aa88, 88)
	/* misaligned loads and stores are performed */
	ld s4, 9(s0)
	CHECK(s4, 0x880123456789abcd, 89)
	sw s2, 33(s0)
	lwu s4, 33(s0)
	CHECK(s4, 0x55667788, 90)
	li s3, 0x0102030405060708
	la s5, page_end
	sd s3, -4(s5)			/* crosses into the next page */
	ld s4, -4(s5)
	CHECK(s4, 0x0102030405060708, 91)
	/* branches */
	li s2, -1
	li s3, 1
	blt s2, s3, 2f
	FAIL(100)
2:	bltu s2, s3, 3f
	bgeu s2, s3, 4f
3:	FAIL(101)
4:	bge s3, s2, 5f
	FAIL(102)
5:	beq s2, s2, 6f
	FAIL(103)
6:	bne s2, s2, 7f
	j 8f
7:	FAIL(104)
	/* jal/jalr link and target (jalr clears bit 0; rd == rs1) */
8:	la s2, 9f
	addi s2, s2, 1
	jalr s2, 0(s2)
10:	FAIL(105)
9:	la s3, 10b
	bne s2, s3, bad_jalr
	/* x0 stays zero */
	addi zero, zero, 5
	bnez zero, bad_x0
	j test_pass
bad_auipc: FAIL(71)
bad_jalr: FAIL(106)
bad_x0: FAIL(107)
	.data
	.align 4
data:	.byte 0x80, 0, 0x00, 0x80
	.word 0x80000000
	.dword 0x0123456789abcdef
	.skip 64
	.align 12
	.skip 4092
page_end: .skip 64
	.text
TEST_END
