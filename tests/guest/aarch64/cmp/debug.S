// Self-hosted debug: breakpoints, watchpoints and software step, their
// exceptions (EC 0x30-0x35: ESR, FAR, ELR, SPSR) and MDE/KDE/PSTATE.D
// gating, at EL1 and EL0, on kwb and QEMU alike. Each EL0 block ends with
// svc #0, which comes back after it at EL1: use each block once.
	.include "cmp.inc"
	.macro EL0 label		// run \label at EL0 (it ends with svc #0)
	adr x0, \label
	msr elr_el1, x0
	msr spsr_el1, xzr
	isb
	eret
	.endm
	.macro EL1D0 label		// run \label at EL1h with PSTATE.D clear
	adr x0, \label
	msr elr_el1, x0
	mov x0, #0x1c5
	msr spsr_el1, x0
	isb
	eret
	.endm
	START
main:
	DUMP oslsr_el1
	msr oslar_el1, xzr		// the OS lock is set at reset: unlock
	isb
	DUMP oslsr_el1
	DUMP id_aa64dfr0_el1

	SAY "bp el1 (MDE, KDE, D clear)\n"
	adr x0, bp1
	msr dbgbvr0_el1, x0
	ldr x0, =0x1e7			// E, PMC EL0+EL1, BAS 0xf
	msr dbgbcr0_el1, x0
	DUMP dbgbcr0_el1
	ldr x0, =0xa000			// MDE, KDE
	msr mdscr_el1, x0
	isb
	msr daifclr, #8
bp1:	nop				// breakpoint: skipped by the handler
	msr daifset, #8
	SAY "bp el1 with D set\n"
	b bp1b
bp1b:	adr x0, bp2
	msr dbgbvr0_el1, x0
	isb
bp2:	nop				// D set: no exception
	SAY "bp el1 KDE clear\n"
	ldr x0, =0x8000
	msr mdscr_el1, x0
	adr x0, bp3
	msr dbgbvr0_el1, x0
	msr daifclr, #8
	isb
bp3:	nop				// KDE clear: no exception at EL1
	msr daifset, #8

	SAY "bp el0 (PMC EL0)\n"
	adr x0, el0bp
	msr dbgbvr0_el1, x0
	ldr x0, =0x1e5			// E, PMC EL0 only
	msr dbgbcr0_el1, x0
	isb
	EL0 el0_1
el0_1:	bl el0bp
	svc #0
	SAY "bp el0, MDE clear\n"
	msr mdscr_el1, xzr
	isb
	EL0 el0_2
el0_2:	bl el0bp
	svc #0
	SAY "bp linked to a context ID (bp 4)\n"
	ldr x0, =0x8000
	msr mdscr_el1, x0
	mov x0, #0x42
	msr contextidr_el1, x0
	msr dbgbvr4_el1, x0
	ldr x0, =0x3001e7		// E, BT 3 (linked context ID), PMC 11
	msr dbgbcr4_el1, x0
	ldr x0, =0x1401e5		// E, BT 1 (linked address), LBN 4, PMC EL0
	msr dbgbcr0_el1, x0
	isb
	EL0 el0_2a			// matches: exception at el0bp
el0_2a:	bl el0bp
	svc #0
	mov x0, #0x43
	msr contextidr_el1, x0
	isb
	EL0 el0_2b			// other context: none
el0_2b:	bl el0bp
	svc #0
	msr dbgbcr0_el1, xzr
	msr dbgbcr4_el1, xzr

	SAY "wp store, 8 bytes\n"
	adr x2, wdata
	msr dbgwvr0_el1, x2
	ldr x0, =0x1ff7			// E, PAC 11, LSC store, BAS 0xff
	msr dbgwcr0_el1, x0
	ldr x0, =0xa000
	msr mdscr_el1, x0
	isb
	msr daifclr, #8
	ldr x1, [x2]			// load: no exception
	str x1, [x2, #4]		// store: exception, FAR wdata+4
	strb w1, [x2, #7]
	strb w1, [x2, #8]		// past the 8 bytes: none
	SAY "wp load, BAS bytes 2-3\n"
	ldr x0, =0x198f			// E, PAC 11, LSC load, BAS 0x0c
	msr dbgwcr0_el1, x0
	isb
	ldrb w1, [x2, #1]		// none
	ldrb w1, [x2, #3]		// FAR wdata+3
	ldr x1, [x2]			// FAR wdata+2 (the higher address)
	str x1, [x2]			// store: none
	ldp x3, x4, [x2, #-8]		// the second access: FAR wdata+2
	SAY "wp mask 64 bytes, any access, EL0 only\n"
	add x3, x2, #64
	msr dbgwvr1_el1, x3
	ldr x0, =0x060001fd		// E, PAC EL0, LSC any, BAS 0xff, MASK 6
	msr dbgwcr1_el1, x0
	msr dbgwcr0_el1, xzr
	isb
	ldr x1, [x3, #8]		// EL1: none
	EL0 el0_3
el0_3:	ldr x1, [x3, #56]		// FAR wdata+120
	str x1, [x3, #-8]		// below: none
	stp w1, w1, [x3, #60]		// FAR wdata+124
	svc #0
	msr daifset, #8
	msr dbgwcr1_el1, xzr

	SAY "step el0\n"
	ldr x0, =0xa001			// MDE, KDE, SS
	msr mdscr_el1, x0
	adr x2, wdata
	adr x0, el0_4
	msr elr_el1, x0
	mov x0, #(1 << 21)		// SPSR.SS: step the first instruction
	msr spsr_el1, x0
	isb
	eret
el0_4:	add x1, x1, #1
	ldxr x3, [x2]			// ISS.EX
	b 1f
1:	svc #0				// SPSR.SS 0 in the SVC's SPSR
	SAY "step el0, SPSR.SS clear: active-pending\n"
	adr x0, el0_5
	msr elr_el1, x0
	msr spsr_el1, xzr
	isb
	eret
el0_5:	nop
	svc #0
	SAY "step el1 (KDE, D clear)\n"
	adr x0, el1_6
	msr elr_el1, x0
	ldr x0, =0x2001c5
	msr spsr_el1, x0
	isb
	eret
el1_6:	nop
	msr daifset, #8			// stepped; D set: no more steps
	nop
	SAY "step el1, KDE clear: none\n"
	ldr x0, =0x8001			// MDE, SS
	msr mdscr_el1, x0
	EL1D0 el1_7
el1_7:	nop
	msr daifset, #8
	SAY "step and bp on the same instruction: step first\n"
	ldr x0, =0xa001
	msr mdscr_el1, x0
	adr x0, el0_8
	msr dbgbvr0_el1, x0
	ldr x0, =0x1e5
	msr dbgbcr0_el1, x0
	adr x0, el0_8
	msr elr_el1, x0
	mov x0, #0			// pending at once: the step exception, then the bp
	msr spsr_el1, x0
	isb
	eret
el0_8:	nop
	svc #0
	msr dbgbcr0_el1, xzr
	msr mdscr_el1, xzr
	SAY "brk\n"
	brk #0x77
	DUMP mdscr_el1
	END
	.text
el0bp:	nop				// an EL0 subroutine with a breakpoint
	nop				// (the handler skips the first)
	ret
	.data
	.balign 64
	.skip 64
wdata:	.quad 0x1122334455667788, 0, 0, 0, 0, 0, 0, 0
	.skip 256
