/*
 * Prologue for random guest code and MMIO fuzz on the riscv64 virt board
 * (tests/fuzz/random-guest.test, mmio.test): a raw image at 0x80000000,
 * run with -bios none (entered in M-mode). -D options:
 *   LEVEL 3|1|0   run the payload in M, S or U mode (PMP opens everything)
 *   PAGING 0|1    satp Sv39: identity gigapages for devices [0, 1G) and
 *                 RAM [2G, 3G) (user pages in U mode)
 *   MMIO 0|1      0: jump to the random code at +0x10000, traps go into
 *                 it (mtvec/stvec +0x800/+0x900, every exception
 *                 delegated to S below M); 1: run the access table at
 *                 +0x10000 (u64 count, then {addr, value, size} u64
 *                 triples), every trap skipping the access (in M), then
 *                 power off through the test device
 */
#define BASE 0x80000000
#define PAYLOAD (BASE + 0x10000)

	.option norvc
	.text
	.global _start
_start:
#if MMIO
	lla	t0, skip_trap
#else
	li	t0, PAYLOAD + 0x800
#endif
	csrw	mtvec, t0
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f			/* NAPOT, RWX */
	csrw	pmpcfg0, t0
#if !MMIO && LEVEL < 3
	li	t0, 0xb3ff			/* every exception but ecalls from S/M to S */
	csrw	medeleg, t0
	li	t0, PAYLOAD + 0x900
	csrw	stvec, t0
#endif
#if PAGING
	lla	t0, root_table
	srli	t0, t0, 12
	li	t1, 8 << 60
	or	t0, t0, t1
	csrw	satp, t0
	sfence.vma
#endif
#if MMIO
	lla	t0, mmio_loop
#else
	li	t0, PAYLOAD
#endif
#if LEVEL == 3
	jr	t0
#else
	csrw	mepc, t0
	li	t1, 3 << 11
	csrc	mstatus, t1
	li	t1, LEVEL << 11
	csrs	mstatus, t1
	mret
#endif

/* MMIO mode: s0 table, s1 count; t6 belongs to the trap handler. */
mmio_loop:
	li	s0, PAYLOAD
	ld	s1, 0(s0)
	addi	s0, s0, 8
1:	beqz	s1, 9f
	addi	s1, s1, -1
	ld	a0, 0(s0)
	ld	a1, 8(s0)
	ld	a2, 16(s0)
	addi	s0, s0, 24
	li	t1, 1
	beq	a2, t1, 2f
	li	t1, 2
	beq	a2, t1, 3f
	li	t1, 4
	beq	a2, t1, 4f
	sd	a1, 0(a0)
	ld	a3, 0(a0)
	j	1b
2:	sb	a1, 0(a0)
	lbu	a3, 0(a0)
	j	1b
3:	sh	a1, 0(a0)
	lhu	a3, 0(a0)
	j	1b
4:	sw	a1, 0(a0)
	lwu	a3, 0(a0)
	j	1b
9:	li	t0, 0x100000			/* sifive_test: FINISHER_PASS */
	li	t1, 0x5555
	sw	t1, 0(t0)
	j	9b

	.balign 4
skip_trap:
	csrr	t6, mepc
	addi	t6, t6, 4
	csrw	mepc, t6
	mret

	.balign 4096
root_table:
#if LEVEL == 0
#define PTE_FLAGS 0xdf					/* D A U X W R V */
#else
#define PTE_FLAGS 0xcf					/* D A X W R V */
#endif
	.quad	(0x00000000 >> 12) << 10 | PTE_FLAGS
	.quad	0
	.quad	(0x80000000 >> 12) << 10 | PTE_FLAGS
	.rept 509
	.quad	0
	.endr
