/*
 * Prologue for random guest code and MMIO fuzz on the aarch64 virt board
 * (tests/fuzz/random-guest.test, mmio.test): a raw image loaded at
 * 0x40080000 and entered at EL1, MMU off. -D options:
 *   LEVEL 1|0     run the payload at EL1 or EL0
 *   PAGING 0|1    MMU on: identity map, 1 GB blocks (39-bit VA): devices
 *                 [0, 1G) and [256G, 257G) (high ECAM), RAM [1G, 2G)
 *                 read-only (so EL1 may execute it while EL0 can too)
 *   MMIO 0|1      0: jump to the random code at +0x10000, exceptions go
 *                 into it (VBAR = +0x10800); 1: run the access table at
 *                 +0x10000 (u64 count, then {addr, value, size} u64
 *                 triples), every exception skipping the access, then
 *                 PSCI SYSTEM_OFF (from EL0 through an SVC)
 */
#define BASE 0x40080000
#define PAYLOAD (BASE + 0x10000)

	.text
	.global _start
_start:
#if MMIO
	adr	x0, skip_vectors
#else
	ldr	x0, =PAYLOAD + 0x800
#endif
	msr	vbar_el1, x0
#if PAGING
	ldr	x0, =0xff00			/* attr 0 device nGnRnE, attr 1 normal WB */
	msr	mair_el1, x0
	ldr	x0, =(25 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 23 | 5 << 32)
	msr	tcr_el1, x0
	adr	x0, l1_table
	msr	ttbr0_el1, x0
	isb
	mrs	x0, sctlr_el1
	orr	x0, x0, #1			/* M */
	orr	x0, x0, #(1 << 2)		/* C */
	orr	x0, x0, #(1 << 12)		/* I */
	msr	sctlr_el1, x0
	isb
#endif
#if MMIO
	adr	x0, mmio_loop
#else
	ldr	x0, =PAYLOAD
#endif
#if LEVEL == 0
	msr	elr_el1, x0
	msr	spsr_el1, xzr			/* EL0t, interrupts unmasked */
	eret
#else
	br	x0
#endif

/* MMIO mode: x19 table, x20 count. x30 belongs to the exception handler. */
mmio_loop:
	ldr	x19, =PAYLOAD
	ldr	x20, [x19], #8
1:	cbz	x20, 9f
	sub	x20, x20, #1
	ldp	x1, x2, [x19], #16
	ldr	x3, [x19], #8
	cmp	x3, #1
	b.eq	2f
	cmp	x3, #2
	b.eq	3f
	cmp	x3, #4
	b.eq	4f
	str	x2, [x1]
	ldr	x4, [x1]
	b	1b
2:	strb	w2, [x1]
	ldrb	w4, [x1]
	b	1b
3:	strh	w2, [x1]
	ldrh	w4, [x1]
	b	1b
4:	str	w2, [x1]
	ldr	w4, [x1]
	b	1b
9:	svc	#0				/* EL0: to EL1 for the power-off */
poweroff:
	ldr	x0, =0x84000008			/* PSCI SYSTEM_OFF */
	hvc	#0
	b	poweroff

	.macro skip
	mrs	x30, elr_el1
	add	x30, x30, #4
	msr	elr_el1, x30
	eret
	.balign 128
	.endm
	.balign 2048
skip_vectors:
	.rept 8
	skip
	.endr
	mrs	x30, esr_el1			/* lower EL, synchronous: an SVC powers off */
	lsr	x30, x30, #26
	cmp	x30, #0x15
	b.eq	poweroff
	skip
	.rept 7
	skip
	.endr

	.ltorg
	.balign 4096
l1_table:
	.quad	0x0000000000000000 | 0x60000000000401 | 1 << 6	/* [0, 1G) device, XN, EL0 RW */
	.quad	0x0000000040000000 | 0x7c5			/* [1G, 2G) normal, AF, ISH, RO EL1+EL0 */
	.rept 254
	.quad	0
	.endr
	.quad	0x0000004000000000 | 0x60000000000401 | 1 << 6	/* [256G, 257G) high ECAM */
	.rept 255
	.quad	0
	.endr
