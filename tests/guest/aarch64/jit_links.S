// A compiled block entered across pages (a64_next_page, from a compiled
// caller's exit or the interpreter's branch) must not outlive what it was
// compiled from, whatever caches the way there (the exec TLB, a jump
// cache keyed by pc as tried in session 6, links between blocks): called
// 300 times from another page (compiled), the function is (1) rewritten
// in place by a store (self-modifying code: the page's blocks go), and (2)
// its virtual page remapped to other code (PTE write, TLBI VAE1: the exec
// TLB entry now maps another decoded page), then back. Each time the next
// call must run the new code, once and again after it is compiled in turn.
#include "common.inc"
	.equ AF, 1 << 10
	.equ PG, 3 | AF
	.equ BLK, 1 | AF
	.equ SCTLR_ON, 0x30d00801
	.equ L0, 0x40400000		// TTBR0: RAM identity + VA 0x80000000
	.equ L1, 0x40401000
	.equ L2, 0x40402000
	.equ L3, 0x40403000
	.equ PAGE_A, 0x40300000		// g, returning 3
	.equ PAGE_B, 0x40301000		// g, returning 4
	.equ VA_G, 0x80000000
	.equ MOVZ_X0_2, 0xd2800040
	.equ MOVZ_X0_3, 0xd2800060
	.equ MOVZ_X0_4, 0xd2800080

	// VA_G's page now maps `page` (the old translation invalidated)
	.macro MAP_G page
	PTE L3, 0, \page | PG
	dsb ish
	ldr x0, =VA_G >> 12
	tlbi vae1, x0
	dsb ish
	isb
	.endm
	.text
	.globl _start
_start:
	ldr x0, =0x40600000
	mov sp, x0
	adr x0, vectors
	msr vbar_el1, x0

	// (1) f on its own page, hot, then rewritten
	bl call_f_300
	CHECK x0, 1
	adr x1, f
	ldr w2, =MOVZ_X0_2
	str w2, [x1]
	dc cvau, x1
	dsb ish
	ic ivau, x1
	dsb ish
	isb
	bl f
	CHECK x0, 2
	bl call_f_300
	CHECK x0, 2

	// (2) g at VA_G, on PAGE_A, hot; then VA_G maps PAGE_B
	ldr x0, =PAGE_A
	ldr w1, =MOVZ_X0_3
	bl copy_g
	ldr x0, =PAGE_B
	ldr w1, =MOVZ_X0_4
	bl copy_g
	dsb ish
	ic iallu
	dsb ish
	isb
	ldr x0, =0xff
	msr mair_el1, x0
	PTE L0, 0, L1 | 3
	PTE L1, 0, 0x00000000 | BLK		// devices (the UART for FAIL)
	PTE L1, 1, 0x40000000 | BLK		// RAM, this code
	PTE L1, 2, L2 | 3
	PTE L2, 0, L3 | 3
	PTE L3, 0, PAGE_A | PG
	ldr x0, =L0
	msr ttbr0_el1, x0
	// T0SZ 16, EPD1 (no TTBR1 walks), IPS 48 bits
	ldr x0, =(16 | (1 << 23) | (5 << 32))
	msr tcr_el1, x0
	tlbi vmalle1
	dsb sy
	ldr x0, =SCTLR_ON
	msr sctlr_el1, x0
	isb
	bl call_g_300
	CHECK x0, 3
	MAP_G PAGE_B
	ldr x10, =VA_G
	blr x10
	CHECK x0, 4
	bl call_g_300
	CHECK x0, 4
	// and back: the first page's block is found again, not the second's
	MAP_G PAGE_A
	bl call_g_300
	CHECK x0, 3
	PASS
	FAIL_LOOP

call_f_300:
	mov x21, x30
	mov x20, #300
1:	bl f
	subs x20, x20, #1
	b.ne 1b
	ret x21

call_g_300:
	mov x21, x30
	mov x20, #300
	ldr x10, =VA_G
1:	blr x10
	subs x20, x20, #1
	b.ne 1b
	ret x21

// copy g_template to page x0 with its first instruction w1
copy_g:
	adr x2, g_template
	adr x3, g_template_end
	str w1, [x0], #4
	add x2, x2, #4
1:	ldr w4, [x2], #4
	str w4, [x0], #4
	cmp x2, x3
	b.lo 1b
	ret

g_template:
	movz x0, #0		// replaced
	add x1, x1, #1
	add x2, x2, #2
	add x3, x3, #3
	add x4, x4, #4
	add x5, x5, #5
	ret
g_template_end:

	.balign 2048
vectors:
	.rept 16
	b fail
	.balign 128
	.endr

	// f alone on its page, long enough to be compiled
	.balign 4096
f:
	movz x0, #1
	add x1, x1, #1
	add x2, x2, #2
	add x3, x3, #3
	add x4, x4, #4
	add x5, x5, #5
	ret
