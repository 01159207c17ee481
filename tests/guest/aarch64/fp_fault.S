// AdvSIMD structure loads/stores that fault with the MMU on: a load that
// runs into an unmapped page takes a data abort with the exact ESR/FAR and
// no base write-back; stores report WnR; a 16-byte LD1 crossing into the
// unmapped page faults at its first byte there. (Destination registers of
// a faulting load are UNKNOWN architecturally; kwb leaves them unchanged,
// checked by the unit test, not here: this file also passes on QEMU.)
#include "common.inc"
	.equ AF, 1 << 10
	.equ BLK, 1 | AF
	.equ PG, 3 | AF
	.equ SCTLR_ON, 0x30d00801
	.equ L0, 0x40400000
	.equ L1, 0x40401000
	.equ L2, 0x40402000
	.equ T1, 0x40404000
	.equ T2, 0x40405000
	.equ T3, 0x40406000
	.equ VA, 0x0000123456000000
	.text
	.globl _start
_start:
	ldr x0, =0x40600000
	mov sp, x0
	adr x0, vectors
	msr vbar_el1, x0
	mov x0, #(3 << 20)		// CPACR_EL1.FPEN
	msr cpacr_el1, x0
	isb
	mov x22, #0
	ldr x0, =0xff
	msr mair_el1, x0
	// clear the table pages
	ldr x0, =L0
	mov x1, #(7 * 4096 / 16)
1:	stp xzr, xzr, [x0], #16
	subs x1, x1, #1
	b.ne 1b
	PTE L0, 0, L1 | 3
	PTE L1, 1, L2 | 3
	PTE L2, 0, 0x40000000 | BLK	// code
	PTE L2, 1, 0x40200000 | BLK
	PTE L2, 2, 0x40400000 | BLK	// tables
	PTE L2, 3, 0x40600000 | BLK	// stack
	PTE L0, (VA >> 39) & 511, T1 | 3
	PTE T1, (VA >> 30) & 511, T2 | 3
	PTE T2, (VA >> 21) & 511, T3 | 3
	PTE T3, 0, 0x40300000 | PG	// VA -> 0x40300000; VA + 0x1000 unmapped
	ldr x0, =L0
	msr ttbr0_el1, x0
	ldr x0, =(16 | (1 << 23) | (5 << 32))
	msr tcr_el1, x0
	tlbi vmalle1
	dsb sy
	ldr x0, =SCTLR_ON
	msr sctlr_el1, x0
	isb

	// the last 32 bytes of the mapped page: 0xa0..0xbf
	ldr x2, =VA
	add x3, x2, #0xfe0
	mov x4, #0xa0
2:	strb w4, [x3], #1
	add x4, x4, #1
	cmp x4, #0xc0
	b.ne 2b

	// LD1 {4 regs}: 32 bytes mapped, then the fault
	add x0, x2, #0xfe0
	mov x5, x0
	ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x0], #64
	CHECK x22, 1
	CHECK x20, 0x96000007		// data abort, translation fault level 3
	add x6, x2, #0x1000
	CHECKR x21, x6
	CHECKR x0, x5			// base not written back

	// the same load, all mapped, works and writes back
	add x0, x2, #0xfc0
	ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x0], #64
	CHECK x22, 1
	add x6, x2, #0x1000
	CHECKR x0, x6
	umov x7, v3.d[1]
	CHECK x7, 0xbfbebdbcbbbab9b8

	// LD1 of 16 bytes crossing into the unmapped page
	add x0, x2, #0xff8
	ld1 {v4.16b}, [x0]
	CHECK x22, 2
	add x6, x2, #0x1000
	CHECKR x21, x6

	// ST2: store fault reports WnR
	add x0, x2, #0xff0
	st2 {v0.2d, v1.2d}, [x0], #32
	CHECK x22, 3
	CHECK x20, 0x96000047
	add x6, x2, #0xff0
	CHECKR x0, x6

	// single lane and replicate loads in the unmapped page
	add x0, x2, #0x1000
	add x0, x0, #4
	ld1 {v5.s}[1], [x0]
	CHECK x22, 4
	CHECKR x21, x0
	ld3r {v5.8b, v6.8b, v7.8b}, [x0], #3
	CHECK x22, 5
	CHECKR x21, x0
	PASS
fail:	b fail

	.balign 2048
vectors:
	.rept 4				// current EL, SP_EL0
	b fail
	.balign 128
	.endr
	mrs x20, esr_el1		// current EL, SP_ELx: record, skip
	mrs x21, far_el1
	add x22, x22, #1
	mrs x19, elr_el1
	add x19, x19, #4
	msr elr_el1, x19
	eret
	.balign 128
	.rept 11
	b fail
	.balign 128
	.endr
