/* Sdtrig as QEMU 7.2 has it: two triggers (tselect keeps 0..1), tinfo 0x44
 * (types 2 and 6), tdata1 legalised (writes of another type ignored, the
 * unimplemented fields read 0, an unsupported size dropped), tdata3 reads
 * 0, no tcontrol; execute, store and load address matches with M/S/U
 * enables raise a breakpoint exception (mcause 3, mtval 0, mepc the
 * instruction, the access not made); an access overlapping the sized
 * range matches. Runs on QEMU 7.2 alike (guest.test). */
#include "common.h"

#define TYPE2 (2 << 60)
#define TYPE6 (6 << 60)
#define T_LOAD 1
#define T_STORE 2
#define T_EXEC 4
#define T_U (1 << 3)
#define T_S (1 << 4)
#define T_M (1 << 6)
/* The next trap resumes at label; s9 = mcause, s10 = mepc, s11 = mtval */
#define EXPECT(label) la t0, label; la t1, resume; sd t0, 0(t1); li s9, -1; li s10, -1; li s11, -1
#define TRIG(n, ctrl, addr) li t0, n; csrw tselect, t0; li t0, ctrl; csrw tdata1, t0; la t0, addr; csrw tdata2, t0

TEST_START
main:
	la t0, m_handler
	csrw mtvec, t0
	li t0, -1			/* PMP: everything for S/U */
	csrw pmpaddr0, t0
	li t0, 0x1f
	csrw pmpcfg0, t0

	/* the registers */
	csrr t0, tinfo
	CHECK(t0, 0x44, 1)
	csrr t0, tselect
	CHECK(t0, 0, 2)
	csrr t0, tdata1
	CHECK(t0, TYPE2, 3)
	li t0, 1
	csrw tselect, t0
	li t0, 2
	csrw tselect, t0		/* ignored: two triggers */
	csrr t0, tselect
	CHECK(t0, 1, 4)
	csrr t0, tdata1
	CHECK(t0, TYPE2, 5)
	li t0, 0x1234
	csrw tdata2, t0
	csrw tselect, x0
	csrr t0, tdata2
	CHECK(t0, 0, 6)			/* per trigger */
	li t0, 1
	csrw tselect, t0
	csrr t0, tdata2
	CHECK(t0, 0x1234, 7)
	csrw tselect, x0
	/* legalisation: match/chain/action/timing/select/hit read 0, size 3 kept */
	li t0, TYPE2 | (1 << 20) | (1 << 19) | (0xf << 12) | (1 << 11) | (1 << 7) | (3 << 16) | T_M | T_STORE
	csrw tdata1, t0
	csrr t0, tdata1
	CHECK(t0, TYPE2 | (3 << 16) | T_M | T_STORE, 10)
	li t0, TYPE2 | (1 << 21) | T_S		/* size 4 (6 bytes): unsupported, dropped */
	csrw tdata1, t0
	csrr t0, tdata1
	CHECK(t0, TYPE2 | T_S, 11)
	li t0, -1			/* type 15: ignored */
	csrw tdata1, t0
	csrr t0, tdata1
	CHECK(t0, TYPE2 | T_S, 12)
	csrw tdata1, x0			/* type 0: ignored */
	csrr t0, tdata1
	CHECK(t0, TYPE2 | T_S, 13)
	li t0, TYPE6 | (1 << 24) | (1 << 23) | (5 << 16) | (1 << 7) | T_U | T_LOAD
	csrw tdata1, t0
	csrr t0, tdata1
	CHECK(t0, TYPE6 | (1 << 24) | (1 << 23) | (5 << 16) | T_U | T_LOAD, 14)
	li t0, TYPE2
	csrw tdata1, t0
	csrr t0, tdata1
	CHECK(t0, TYPE2, 15)
	li t0, -1
	csrw tdata3, t0
	csrr t0, tdata3
	CHECK(t0, 0, 16)

	/* execute match in M-mode */
	TRIG(0, TYPE2 | T_M | T_EXEC, x_target)
	EXPECT(x_after)
	nop
x_target:
	li s9, 0x99			/* not reached */
x_after:
	CHECK(s9, 3, 20)
	la t0, x_target
	bne s10, t0, 1f
	CHECK(s11, 0, 21)
	j 2f
1:	FAIL(22)
2:
	/* not armed for M: runs through */
	TRIG(0, TYPE2 | T_S | T_U | T_EXEC, x2_target)
	EXPECT(fail_trap)
x2_target:
	nop
	CHECK(s9, -1, 23)
	/* type 6 execute, S-mode */
	TRIG(1, TYPE6 | T_S | T_EXEC, s_target)
	EXPECT(s_after)
	li t0, 3 << 11
	csrc mstatus, t0
	li t0, 1 << 11
	csrs mstatus, t0
	la t0, s_code
	csrw mepc, t0
	mret
s_code:
	nop
s_target:
	ecall				/* not reached */
s_after:
	CHECK(s9, 3, 24)
	la t0, s_target
	bne s10, t0, 3f
	j 4f
3:	FAIL(25)
4:	TRIG(1, TYPE2, word)		/* off */
	TRIG(0, TYPE2, word)

	/* store match: not stored */
	TRIG(0, TYPE2 | T_M | T_STORE, word)
	EXPECT(st_after)
	la t2, word
	li t3, 7
st_insn:
	sd t3, 0(t2)
st_after:
	CHECK(s9, 3, 30)
	la t0, st_insn
	bne s10, t0, 5f
	CHECK(s11, 0, 31)
	ld t4, word
	CHECK(t4, 0, 32)
	j 6f
5:	FAIL(33)
6:	/* a load does not match a store trigger */
	EXPECT(fail_trap)
	la t2, word
	ld t4, 0(t2)
	CHECK(s9, -1, 34)

	/* load match, 1 byte at word+3 (type 6 size 1): an 8-byte load of
	 * word overlaps it, one of word+8 does not, a byte at word+2 neither */
	li t0, 0
	csrw tselect, t0
	li t0, TYPE6 | (1 << 16) | T_M | T_LOAD
	csrw tdata1, t0
	la t0, word
	addi t0, t0, 3
	csrw tdata2, t0
	EXPECT(fail_trap)
	la t2, word
	ld t4, 8(t2)
	lbu t4, 2(t2)
	CHECK(s9, -1, 40)
	EXPECT(ld_after)
	la t2, word
ld_insn:
	ld t4, 0(t2)
ld_after:
	CHECK(s9, 3, 41)
	la t0, ld_insn
	bne s10, t0, 7f
	j 8f
7:	FAIL(42)
8:	/* size any (type 2): 8 bytes from the address */
	li t0, TYPE2 | T_M | T_LOAD
	csrw tdata1, t0
	la t0, word
	csrw tdata2, t0
	EXPECT(ld2_after)
	la t2, word
	lbu t4, 7(t2)
ld2_after:
	CHECK(s9, 3, 43)
	EXPECT(fail_trap)
	lbu t4, 8(t2)
	CHECK(s9, -1, 44)
	/* an AMO is a load and a store */
	li t0, TYPE2 | T_M | T_STORE
	csrw tdata1, t0
	EXPECT(amo_after)
	li t3, 1
	amoadd.d t4, t3, (t2)
amo_after:
	CHECK(s9, 3, 45)
	ld t4, word
	CHECK(t4, 0, 46)
	/* disarmed: no privilege bit */
	li t0, TYPE2 | T_STORE | T_LOAD | T_EXEC
	csrw tdata1, t0
	EXPECT(fail_trap)
	sd t3, 0(t2)
	ld t4, 0(t2)
	CHECK(t4, 1, 47)
	CHECK(s9, -1, 48)
	j test_pass

fail_trap:
	FAIL(99)

	.align 2
m_handler:
	csrr s9, mcause
	csrr s10, mepc
	csrr s11, mtval
	li t0, 3 << 11			/* back in M-mode */
	csrs mstatus, t0
	ld t0, resume
	csrw mepc, t0
	mret
TEST_END
	.data
	.align 3
resume: .dword 0
word: .dword 0, 0
