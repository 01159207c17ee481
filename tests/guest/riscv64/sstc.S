/* Sstc: stimecmp raises mip.STIP when time reaches it, menvcfg.STCE makes
 * STIP the timer's alone and lets S-mode at stimecmp (with mcounteren.TM),
 * the timer interrupt reaches S through mideleg and wakes wfi. Runs on
 * QEMU 7.2 too (guest.test). */
#include "common.h"

#define STCE_HI 0x8000		/* menvcfg bit 63, as li t0, STCE_HI; slli t0, t0, 48 */
#define EXPECT(label) la t0, label; la t1, resume; sd t0, 0(t1); li s8, -1
#define STIP_IS(v, n) csrr t1, mip; andi t1, t1, 1 << 5; CHECK(t1, v, n)
#define SET_STCE li t0, STCE_HI; slli t0, t0, 48; csrs menvcfg, t0
#define CLEAR_STCE li t0, STCE_HI; slli t0, t0, 48; csrc menvcfg, t0
/* M -> S at label (MPP = S) */
#define TO_S(label) li t0, 3 << 11; csrc mstatus, t0; li t0, 1 << 11; csrs mstatus, t0; \
	la t0, label; csrw mepc, t0; mret

TEST_START
main:
	la t0, m_handler
	csrw mtvec, t0
	li t0, -1			/* PMP: everything for S/U */
	csrw pmpaddr0, t0
	li t0, 0x1f
	csrw pmpcfg0, t0

	/* menvcfg/senvcfg: the bits QEMU 7.2 keeps */
	li t0, -1
	csrw menvcfg, t0
	csrr t1, menvcfg
	CHECK(t1, 0xc0000000000000f1, 1)
	csrw menvcfg, zero
	csrw senvcfg, t0
	csrr t1, senvcfg
	CHECK(t1, 0xf1, 2)
	csrw senvcfg, zero

	/* STCE = 0: M still arms the timer; STIP is also software's */
	li t0, -1
	csrw stimecmp, t0
	csrr t1, stimecmp
	CHECK(t1, -1, 3)
	STIP_IS(0, 4)
	csrw stimecmp, zero		/* in the past: at once */
	STIP_IS(1 << 5, 5)
	li t0, 1 << 5; csrc mip, t0
	STIP_IS(0, 6)
	li t0, 1 << 5; csrs mip, t0
	STIP_IS(1 << 5, 7)
	li t0, 1 << 5; csrc mip, t0

	/* STCE = 1: software writes of mip.STIP are ignored */
	SET_STCE
	csrw stimecmp, zero
	STIP_IS(1 << 5, 8)
	li t0, 1 << 5; csrc mip, t0
	STIP_IS(1 << 5, 9)
	li t0, -1
	csrw stimecmp, t0
	STIP_IS(0, 10)
	li t0, 1 << 5; csrs mip, t0
	STIP_IS(0, 11)

	/* deadline: STIP stays low until time passes stimecmp */
	rdtime s2
	addi s3, s2, 100		/* 10 us: 10000 instructions */
	csrw stimecmp, s3
	STIP_IS(0, 12)
1:	csrr t1, mip
	andi t1, t1, 1 << 5
	bnez t1, 2f
	rdtime t2
	addi t3, s3, 2
	bltu t2, t3, 1b
	FAIL(13)			/* time went 2 ticks past: STIP must be up */
2:	rdtime t2
	bgeu t2, s3, 3f
	FAIL(14)			/* raised early */
3:
	/* wfi wakes for STIP enabled in mie (MIE off: no trap) */
	li t0, 1 << 5
	csrw mie, t0
	rdtime s2
	addi s3, s2, 50
	csrw stimecmp, s3
	wfi
	rdtime t2
	bgeu t2, s3, 4f
	FAIL(15)
4:	STIP_IS(1 << 5, 16)
	csrw mie, zero

	/* S-mode access: needs mcounteren.TM and STCE */
	li t0, 1 << 2			/* illegal instruction -> S */
	csrw medeleg, t0
	la t0, s_handler
	csrw stvec, t0
	li t0, 2
	csrw mcounteren, t0		/* TM */
	TO_S(1f)
1:	li t0, -1
	csrw stimecmp, t0		/* allowed */
	csrr t1, stimecmp
	CHECK(t1, -1, 17)
	EXPECT(1f)
	ecall				/* back to M */
1:	csrw mcounteren, zero
	TO_S(1f)
1:	EXPECT(2f)
	csrr t1, stimecmp
2:	CHECK(s8, 2, 18)		/* TM = 0: illegal */
	EXPECT(1f)
	ecall
1:	li t0, 2
	csrw mcounteren, t0
	CLEAR_STCE
	TO_S(1f)
1:	EXPECT(2f)
	csrw stimecmp, zero
2:	CHECK(s8, 2, 19)		/* STCE = 0: illegal */
	EXPECT(1f)
	ecall
1:	SET_STCE
	li t0, 1 << 8			/* to U: never allowed */
	csrc mstatus, t0
	li t0, 3 << 11
	csrc mstatus, t0
	la t0, 1f
	csrw mepc, t0
	mret
1:	EXPECT(2f)
	csrr t1, stimecmp
2:	CHECK(s8, 2, 20)
	EXPECT(1f)
	ecall				/* from U to M */
1:
	/* the timer interrupt delegated to S, armed from S */
	li t0, 1 << 5
	csrw mideleg, t0
	csrw mie, t0
	csrw medeleg, zero
	TO_S(1f)
1:	csrsi sstatus, 2		/* SIE */
	rdtime t2
	addi t2, t2, 30
	EXPECT(2f)			/* (uses t0, t1) */
	csrw stimecmp, t2
3:	j 3b				/* the interrupt ends the wait */
2:	li t0, 0x8000000000000005
	bne s8, t0, bad
	csrr t1, sip
	CHECK(t1, 1 << 5, 21)		/* handler does not clear: still pending */
	csrr t1, sstatus
	andi t1, t1, 2
	CHECK(t1, 0, 22)		/* SIE off after the trap */
	li t0, -1
	csrw stimecmp, t0		/* S clears it by moving the compare */
	csrr t1, sip
	CHECK(t1, 0, 23)
	EXPECT(1f)
	ecall
1:	j test_pass

bad:	FAIL(99)

	.align 2
m_handler:
	csrr s8, mcause
	csrr s9, mepc
	la t0, resume
	ld t0, 0(t0)
	csrw mepc, t0
	li t0, 3 << 11			/* resume in M */
	csrs mstatus, t0
	mret
	.align 2
s_handler:
	csrr s8, scause
	csrr s9, sepc
	la t0, resume
	ld t0, 0(t0)
	csrw sepc, t0
	li t0, 1 << 8			/* resume in S, SIE off */
	csrs sstatus, t0
	li t0, 1 << 5
	csrc sstatus, t0
	sret

	.data
	.align 3
resume:	.dword 0
	.text
TEST_END
