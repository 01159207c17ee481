/* Privilege: exceptions with cause/epc/tval, delegation to S, M/S/U
 * transitions (mret/sret), counters and counter enables, TW/TSR/TVM,
 * PMP, interrupts (CLINT software and timer, S software via mip) with
 * direct and vectored mtvec, WFI wake-up, unimplemented CSRs. */
#include "common.h"

#define CLINT_MSIP 0x2000000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME 0x200bff8

/* The next trap resumes at label (in the mode the handler runs in). */
#define EXPECT(label) la t0, label; la t1, resume; sd t0, 0(t1); li s8, -1
#define CAUSE_IS(v, n) CHECK(s8, v, n)
#define TVAL_IS(v, n) CHECK(s10, v, n)

TEST_START
main:
	la t0, m_handler
	csrw mtvec, t0
	/* PMP: everything RWX for S/U (NAPOT over the whole space) */
	li t0, -1
	csrw pmpaddr0, t0
	li t0, 0x1f			/* NAPOT, X W R */
	csrw pmpcfg0, t0
	csrr t1, pmpcfg0
	CHECK(t1, 0x1f, 1)

	/* illegal instruction: tval = the instruction bits */
	EXPECT(1f)
2:	csrr t1, 0x7c0			/* not implemented */
1:	CAUSE_IS(2, 2)
	TVAL_IS(0x7c002373, 3)
	la t0, 2b
	bne s9, t0, bad
	/* writing a read-only CSR is illegal, reading it is fine */
	csrr t1, mhartid
	CHECK(t1, 0, 4)
	EXPECT(1f)
	csrw mhartid, zero
1:	CAUSE_IS(2, 5)
	csrr t1, misa
	CHECK(t1, 0x800000000014112d, 6)
	/* ecall from M */
	EXPECT(1f)
	ecall
1:	CAUSE_IS(11, 7)
	/* ebreak: epc = pc, tval = 0 (QEMU 7.2; the spec allows 0 or the pc) */
	EXPECT(1f)
2:	ebreak
1:	CAUSE_IS(3, 8)
	la t0, 2b
	bne s9, t0, bad
	bnez s10, bad
	/* counters advance */
	csrr t1, cycle
	csrr t2, instret
	nop
	csrr t3, instret
	bleu t3, t2, bad
	rdtime t1

	/* ---- to S-mode: ecall from S goes to M unless delegated ---- */
	li t0, (1 << 8) | (1 << 2)	/* delegate ecall-from-U and illegal to S */
	csrw medeleg, t0
	la t0, s_handler
	csrw stvec, t0
	csrw mcounteren, zero
	EXPECT(in_s)
	li t0, 3 << 11
	csrc mstatus, t0
	li t0, 1 << 11			/* MPP = S */
	csrs mstatus, t0
	la t0, in_s
	csrw mepc, t0
	mret
in_s:	/* S-mode (resume was used as the mret target: s8 is still -1) */
	CHECK(s8, -1, 10)
	EXPECT(1f)
	ecall
1:	CAUSE_IS(9, 11)			/* ecall from S, handled in M (now M) */
	/* back to S */
	li t0, 3 << 11
	csrc mstatus, t0
	li t0, 1 << 11
	csrs mstatus, t0
	la t0, 2f
	csrw mepc, t0
	mret
2:	/* cycle with mcounteren.CY = 0 is illegal in S: illegal is delegated -> S handler */
	EXPECT(1f)
	csrr t1, cycle
1:	CAUSE_IS(2, 12)
	csrr t1, sstatus		/* still in S: sstatus readable */
	/* M CSRs from S are illegal */
	EXPECT(1f)
	csrr t1, mstatus
1:	CAUSE_IS(2, 13)
	TVAL_IS(0x30002373, 14)
	/* sret to U */
	li t0, 1 << 8
	csrc sstatus, t0		/* SPP = U */
	la t0, in_u
	csrw sepc, t0
	sret
in_u:	EXPECT(1f)
	ecall
1:	CAUSE_IS(8, 15)			/* delegated: S handler */
	/* S handler returned to S; go to M via ecall (not delegated) */
	EXPECT(1f)
	ecall
1:	CAUSE_IS(9, 16)
	/* now in M. TW: wfi in S traps */
	li t0, 1 << 21
	csrs mstatus, t0
	li t0, 3 << 11
	csrc mstatus, t0
	li t0, 1 << 11
	csrs mstatus, t0
	csrw medeleg, zero
	la t0, 2f
	csrw mepc, t0
	mret
2:	EXPECT(1f)
	wfi
1:	CAUSE_IS(2, 17)
	TVAL_IS(0x10500073, 18)
	/* in M again. TSR: sret in S traps; TVM: satp in S traps */
	li t0, (1 << 21)
	csrc mstatus, t0
	li t0, (1 << 22) | (1 << 20) | (1 << 11)
	csrs mstatus, t0
	la t0, 2f
	csrw mepc, t0
	mret
2:	EXPECT(1f)
	sret
1:	CAUSE_IS(2, 19)
	li t0, 1 << 11
	csrs mstatus, t0
	la t0, 2f
	csrw mepc, t0
	mret
2:	EXPECT(1f)
	csrr t1, satp
1:	CAUSE_IS(2, 20)
	li t0, (1 << 22) | (1 << 20)
	csrc mstatus, t0

	/* ---- PMP: a read-only NA4... NAPOT page for S; M unaffected ---- */
	la t0, pmp_page
	srli t0, t0, 2
	ori t0, t0, (4096 / 8 - 1) >> 0	/* NAPOT 4 KiB: low 9 bits set */
	csrw pmpaddr0, t0
	li t0, -1
	csrw pmpaddr1, t0
	li t0, (0x1f << 8) | 0x19	/* entry 0: NAPOT R; entry 1: NAPOT RWX */
	csrw pmpcfg0, t0
	la s0, pmp_page
	sd zero, 0(s0)			/* M: allowed (not locked) */
	li t0, 1 << 11
	csrs mstatus, t0
	la t0, 2f
	csrw mepc, t0
	mret
2:	ld t1, 0(s0)			/* S read ok */
	EXPECT(1f)
	sd t1, 8(s0)
1:	CAUSE_IS(7, 21)
	addi t0, s0, 8
	bne s10, t0, bad
	/* locked entry applies to M too */
	EXPECT(1f)
	ecall
1:	li t0, 0x80
	csrs pmpcfg0, t0		/* L on entry 0 */
	EXPECT(1f)
	sd t1, 16(s0)
1:	CAUSE_IS(7, 22)
	csrr t1, pmpcfg0
	CHECK(t1, 0x1f99, 23)
	li t0, 0x80
	csrc pmpcfg0, t0		/* locked: cannot clear */
	csrr t1, pmpcfg0
	CHECK(t1, 0x1f99, 24)

	/* ---- interrupts ---- */
	/* machine software interrupt through the CLINT, vectored mtvec */
	la t0, vec_table
	ori t0, t0, 1
	csrw mtvec, t0
	li t0, 1 << 3
	csrw mie, t0
	csrsi mstatus, 8
	EXPECT(1f)
	li t1, CLINT_MSIP
	li t2, 1
	sw t2, 0(t1)
	nop
	nop
1:	CHECK(s8, 0x8000000000000003, 30)
	CHECK(s11, 3, 25)		/* arrived through vector entry 3 */
	/* timer: mtimecmp = mtime + 1000, wfi sleeps until it fires */
	csrci mstatus, 8
	li t0, 1 << 7
	csrw mie, t0
	li t1, CLINT_MTIME
	ld t2, 0(t1)
	addi t2, t2, 1000
	li t1, CLINT_MTIMECMP
	sd t2, 0(t1)
	wfi
	csrr t1, mip
	andi t1, t1, 1 << 7
	CHECK(t1, 1 << 7, 31)
	EXPECT(1f)
	csrsi mstatus, 8
	nop
1:	CHECK(s8, 0x8000000000000007, 32)
	CHECK(s11, 7, 26)
	li t1, CLINT_MTIME
	ld t2, 0(t1)
	li t1, CLINT_MTIMECMP
	ld t3, 0(t1)
	bgeu t2, t3, 3f
	FAIL(33)
3:
	/* supervisor software interrupt delegated to S, raised by M through mip */
	la t0, m_handler
	csrw mtvec, t0
	csrci mstatus, 8
	li t0, 1 << 1
	csrw mideleg, t0
	csrw mie, t0
	li t0, (1 << 11) | (1 << 1)	/* MPP = S; SIE */
	csrs mstatus, t0
	csrsi mip, 2
	csrr t1, sip
	CHECK(t1, 2, 27)
	la t0, 2f
	csrw mepc, t0
	EXPECT(1f)
	mret
2:	nop
	FAIL(34)
1:	CHECK(s8, 0x8000000000000001, 35)
	csrr t1, sstatus		/* handled in S: still S */
	EXPECT(1f)
	ecall
1:	j test_pass

bad:	FAIL(98)
bad_irq:
	FAIL(97)

	/* M handler: record, return in M to resume (interrupts: disable source) */
	.align 2
m_handler:
	csrr s8, mcause
	csrr s9, mepc
	csrr s10, mtval
	bltz s8, m_irq
m_ret:	la t0, resume
	ld t0, 0(t0)
	csrw mepc, t0
	li t0, 3 << 11
	csrs mstatus, t0
	li t0, 1 << 7
	csrc mstatus, t0		/* MPIE = 0: stay masked */
	mret
m_irq:	csrw mie, zero
	li t1, CLINT_MSIP
	sw zero, 0(t1)
	j m_ret
	/* S handler: record, return in S */
	.align 2
s_handler:
	csrr s8, scause
	csrr s9, sepc
	csrr s10, stval
	bltz s8, s_irq
s_ret:	la t0, resume
	ld t0, 0(t0)
	csrw sepc, t0
	li t0, 1 << 8
	csrs sstatus, t0
	sret
s_irq:	csrw sie, zero
	j s_ret
	.align 8
	.option push
	.option norvc
vec_table:				/* each slot says which one it is */
	j vec_other
	j vec_other
	j vec_other
	j vec3
	j vec_other
	j vec_other
	j vec_other
	j vec7
	.option pop
vec3:	li s11, 3
	j m_handler
vec7:	li s11, 7
	j m_handler
vec_other:
	li s11, 0
	j m_handler

	.data
	.align 3
resume:	.dword 0
	.align 12
pmp_page: .skip 4096
	.text
TEST_END
