// The OS lock and the double lock disable the guest's breakpoints,
// watchpoints and software step (AArch64.GenerateDebugExceptionsFrom).
// kwb only: QEMU 7.2 ignores both locks (cmp/debug.S covers the rest on
// both). x22 counts debug exceptions, x20 holds the last ESR.
#include "common.inc"
	.text
	.globl _start
_start:
	adr x0, vectors
	msr vbar_el1, x0
	mov x22, #0
	ldr x29, =0x40500000
	mrs x0, oslsr_el1
	CHECK x0, 0xa			// locked at reset (OSLM 0b10, OSLK)
	adr x0, bp
	msr dbgbvr0_el1, x0
	ldr x0, =0x1e7			// E, EL0+EL1, BAS 0xf
	msr dbgbcr0_el1, x0
	msr dbgwvr0_el1, x29
	ldr x0, =0x1ff7			// E, EL0+EL1, store, 8 bytes
	msr dbgwcr0_el1, x0
	ldr x0, =0xa000			// MDE, KDE
	msr mdscr_el1, x0
	msr daifclr, #8
	isb
	bl probe			// OS lock set: nothing
	CHECK x22, 0
	msr oslar_el1, xzr
	isb
	mrs x0, oslsr_el1
	CHECK x0, 0x8
	bl probe			// unlocked: breakpoint and watchpoint
	CHECK x22, 2
	CHECK x20, 0xc6000022		// the breakpoint came last
	mov x0, #1			// double lock (DBGPRCR.CORENPDRQ clear)
	msr osdlr_el1, x0
	isb
	bl probe
	CHECK x22, 2
	msr dbgprcr_el1, x0		// CORENPDRQ: the double lock does not hold
	isb
	bl probe
	CHECK x22, 4
	msr dbgprcr_el1, xzr
	ldr x0, =0xa001			// software step from EL1 (KDE, D clear)
	msr mdscr_el1, x0
	mov x0, #1
	msr oslar_el1, x0		// OS lock again: ERET drops SPSR.SS
	adr x0, 1f
	msr elr_el1, x0
	ldr x0, =0x2001c5
	msr spsr_el1, x0
	isb
	eret
1:	nop
	nop
	CHECK x22, 4
	mrs x0, daif
	CHECK x0, 0x1c0
	msr daifset, #8
	PASS
probe:	str xzr, [x29]
bp:	nop
	ret
	FAIL_LOOP
	.balign 2048
vectors:
	.rept 4
	b fail
	.balign 128
	.endr
	mrs x20, esr_el1		// current EL, SP_ELx, sync: count, skip
	add x22, x22, #1
	mrs x21, elr_el1
	add x21, x21, #4
	msr elr_el1, x21
	eret
	.balign 128
	.rept 11
	b fail
	.balign 128
	.endr
