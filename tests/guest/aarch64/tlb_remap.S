// A page remapped by the code running in it: after the PTE write, TLBI,
// DSB and ISB the next instruction comes from the new page. Done in the
// top page of the address space (VA 0xfffffffffffff000, whose tag once
// equalled the software TLB's invalid tag in the same-page check, so kwb
// kept running the old page) and in the page below it.
#include "common.inc"
	.equ AF, 1 << 10
	.equ PG, 3 | AF
	.equ BLK, 1 | AF
	.equ SCTLR_ON, 0x30d00801
	.equ L0, 0x40400000		// TTBR0: identity, the first 2 GiB
	.equ L1, 0x40401000
	.equ T1_L0, 0x40402000		// TTBR1: the top 4 MiB
	.equ T1_L1, 0x40403000
	.equ T1_L2, 0x40404000
	.equ T1_L3, 0x40405000
	.equ PAGE_A, 0x40300000		// the code first mapped
	.equ PAGE_B, 0x40301000		// the same code, but "movz x0, #2"
	.equ MOVZ_X0_2, 0xd2800040
	.text
	.globl _start
_start:
	ldr x0, =0x40600000
	mov sp, x0
	adr x0, vectors
	msr vbar_el1, x0
	ldr x0, =0xff
	msr mair_el1, x0
	PTE L0, 0, L1 | 3
	PTE L1, 0, 0x00000000 | BLK		// devices (the UART for FAIL)
	PTE L1, 1, 0x40000000 | BLK
	PTE T1_L0, 511, T1_L1 | 3
	PTE T1_L1, 511, T1_L2 | 3
	PTE T1_L2, 511, T1_L3 | 3
	// both pages: the template at the same offset; B says 2
	ldr x0, =PAGE_A
	bl copy_template
	ldr x0, =PAGE_B
	bl copy_template
	adr x0, patch
	adr x1, template
	sub x0, x0, x1
	ldr x1, =PAGE_B
	add x0, x0, x1
	ldr w1, =MOVZ_X0_2
	str w1, [x0]
	dc cvau, x0
	dsb ish
	ic iallu
	dsb ish
	isb
	ldr x0, =L0
	msr ttbr0_el1, x0
	ldr x0, =T1_L0
	msr ttbr1_el1, x0
	// T0SZ 16, T1SZ 16, TG1 4K, IPS 48 bits
	ldr x0, =(16 | (16 << 16) | (2 << 30) | (5 << 32))
	msr tcr_el1, x0
	tlbi vmalle1
	dsb sy
	ldr x0, =SCTLR_ON
	msr sctlr_el1, x0
	isb

	// the top page
	mov x0, #0
	PTE T1_L3, 511, PAGE_A | PG
	ldr x1, =T1_L3 + 511 * 8
	ldr x2, =PAGE_B | PG
	adr x9, 1f
	ldr x10, =0xfffffffffffff000
	tlbi vmalle1
	dsb sy
	isb
	br x10
1:	CHECK x0, 2
	// the page below it
	mov x0, #0
	PTE T1_L3, 510, PAGE_A | PG
	ldr x1, =T1_L3 + 510 * 8
	adr x9, 2f
	ldr x10, =0xffffffffffffe000
	tlbi vmalle1
	dsb sy
	isb
	br x10
2:	CHECK x0, 2
	PASS
	FAIL_LOOP

// copy the template to page x0
copy_template:
	adr x1, template
	adr x2, template_end
3:	ldr w3, [x1], #4
	str w3, [x0], #4
	cmp x1, x2
	b.lo 3b
	ret

// Runs in the remapped page: x1 = its PTE, x2 = the new PTE, x9 = return.
template:
	str x2, [x1]
	dsb ish
	tlbi vmalle1
	dsb ish
	isb
patch:	movz x0, #1
	br x9
template_end:

	.balign 2048
vectors:
	.rept 16
	b fail
	.balign 128
	.endr
