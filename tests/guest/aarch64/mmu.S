// VMSAv8-64 stage 1: 4K/48, 4K/39, 16K/48, 64K/42, TTBR1, faults with
// exact ESR/FAR (translation, access flag, permission with WnR, range),
// AT -> PAR_EL1, EL0 access checks, LDTR/STTR, EL0 MRS of an ID register, SVC from EL0.
#include "common.inc"
	.equ AF, 1 << 10
	.equ BLK, 1 | AF            // block, AttrIndx 0, AP 00
	.equ PG, 3 | AF
	.equ AP_EL0RW, 1 << 6
	.equ AP_RO, 2 << 6
	.equ AP_RO_ALL, 3 << 6
	.equ SCTLR_ON, 0x30d00801
	.equ SCTLR_OFF, 0x30d00800
	.text
	.globl _start
_start:
	ldr x0, =0x40600000
	mov sp, x0
	adr x0, vectors
	msr vbar_el1, x0
	mov x22, #0
	ldr x0, =0xff
	msr mair_el1, x0

	// ---- A: 4K granule, 48-bit VA ----
	.equ A_L0, 0x40400000
	.equ A_L1, 0x40401000
	.equ A_L2, 0x40402000
	.equ A_T1, 0x40404000
	.equ A_T2, 0x40405000
	.equ A_T3, 0x40406000
	.equ VA_A, 0x0000123456000000
	PTE A_L0, 0, A_L1 | 3
	PTE A_L1, 1, A_L2 | 3
	PTE A_L2, 0, 0x40000000 | BLK | AP_RO_ALL    // code: RO at EL1 and EL0, executable
	PTE A_L2, 1, 0x40200000 | BLK                // data: EL1 RW
	PTE A_L2, 2, 0x40400000 | BLK                // tables
	PTE A_L2, 3, 0x40600000 | BLK | AP_EL0RW     // user data
	PTE A_L0, (VA_A >> 39) & 511, A_T1 | 3
	PTE A_T1, (VA_A >> 30) & 511, A_T2 | 3
	PTE A_T2, (VA_A >> 21) & 511, A_T3 | 3
	PTE A_T3, 0, 0x40300000 | PG                 // VA_A -> 0x40300000
	PTE A_T3, 2, 0x40301000 | 3                  // AF clear
	PTE A_T3, 3, 0x40302000 | PG | AP_RO         // read-only
	ldr x0, =A_L0
	msr ttbr0_el1, x0
	ldr x0, =(16 | (1 << 23) | (5 << 32))
	msr tcr_el1, x0
	bl mmu_on
	ldr x2, =VA_A
	ldr x3, =0x1122334455667788
	str x3, [x2, #8]
	ldr x4, =0x40300008
	ldr x5, [x4]
	CHECK x5, 0x1122334455667788
	// translation fault, level 3 (entry 1 is empty)
	add x6, x2, #0x1000
	ldr x7, [x6, #16]
	CHECK x20, 0x96000007
	add x8, x6, #16
	CHECKR x21, x8
	CHECK x22, 1
	// access flag fault, level 3
	add x6, x2, #0x2000
	ldr x7, [x6]
	CHECK x20, 0x9600000b
	// permission fault on write, level 3, WnR
	add x6, x2, #0x3000
	ldr x7, [x6]            // readable
	CHECK x22, 2
	str x7, [x6]
	CHECK x20, 0x9600004f
	CHECKR x21, x6
	// level 0 translation fault (empty L0 entry)
	ldr x6, =0x0000700000000000
	ldr x7, [x6]
	CHECK x20, 0x96000004
	// outside the 48-bit TTBR0 range: level 0
	ldr x6, =0x0001000000000000
	ldr x7, [x6]
	CHECK x20, 0x96000004
	CHECKR x21, x6
	// store to the RO code block: permission fault level 2
	adr x6, _start
	str x7, [x6]
	CHECK x20, 0x9600004e
	CHECK x22, 6
	// address size fault: output address beyond TCR.IPS (32 bits here)
	PTE A_T3, 4, 0x100000000 | PG
	ldr x0, =(16 | (1 << 23))
	msr tcr_el1, x0
	isb
	add x6, x2, #0x4000
	ldr x7, [x6]
	CHECK x20, 0x96000003
	ldr x7, [x2, #8]           // below 4 GB: still fine
	ldr x0, =(16 | (1 << 23) | (5 << 32))
	msr tcr_el1, x0
	isb
	mov x22, #6
	// AT
	at s1e1r, x2
	isb
	mrs x9, par_el1
	ldr x0, =0xfffffffff001
	and x9, x9, x0
	CHECK x9, 0x40300000
	add x6, x2, #0x1000
	at s1e1w, x6
	mrs x9, par_el1
	and x9, x9, #0x7f
	CHECK x9, (0x07 << 1) | 1
	add x6, x2, #0x3000
	at s1e1w, x6
	mrs x9, par_el1
	and x9, x9, #0x7f
	CHECK x9, (0x0f << 1) | 1
	at s1e0r, x2            // kernel-only page at EL0: permission
	mrs x9, par_el1
	and x9, x9, #0x7f
	CHECK x9, (0x0f << 1) | 1
	// TLB: remap VA_A to another page; stale until TLBI
	PTE A_T3, 0, 0x40303000 | PG
	dsb sy
	tlbi vale1, x2
	dsb sy
	isb
	ldr x10, [x2, #8]
	CHECK x10, 0
	// ASIDs: a non-global entry belongs to the ASID it was filled under.
	// Root B maps the code like A but VA_A elsewhere; switching TTBR0
	// (ASID 1 -> 2, no TLBI) must not reuse ASID 1's entry for VA_A, and
	// TLBI ASIDE1 must drop ASID 1's entries.
	.equ NG, 1 << 11
	.equ B_L0, 0x40407000
	.equ B_T1, 0x40408000
	.equ B_T2, 0x40409000
	.equ B_T3, 0x4040a000
	ldr x6, =0x40310008
	mov x7, #0x1111
	str x7, [x6]
	ldr x6, =0x40311008
	mov x7, #0x2222
	str x7, [x6]
	ldr x6, =0x40312008
	mov x7, #0x3333
	str x7, [x6]
	PTE A_T3, 0, 0x40310000 | PG | NG
	PTE B_L0, 0, A_L1 | 3
	PTE B_L0, (VA_A >> 39) & 511, B_T1 | 3
	PTE B_T1, (VA_A >> 30) & 511, B_T2 | 3
	PTE B_T2, (VA_A >> 21) & 511, B_T3 | 3
	PTE B_T3, 0, 0x40311000 | PG | NG
	ldr x0, =(A_L0 | (1 << 48))
	dsb sy
	msr ttbr0_el1, x0
	tlbi vmalle1
	dsb sy
	isb
	ldr x10, [x2, #8]
	CHECK x10, 0x1111
	ldr x0, =(B_L0 | (2 << 48))
	msr ttbr0_el1, x0
	isb
	ldr x10, [x2, #8]
	CHECK x10, 0x2222
	ldr x0, =(A_L0 | (1 << 48))
	msr ttbr0_el1, x0
	isb
	ldr x10, [x2, #8]
	CHECK x10, 0x1111
	PTE A_T3, 0, 0x40312000 | PG | NG
	dsb sy
	ldr x0, =(1 << 48)
	tlbi aside1, x0
	dsb sy
	isb
	ldr x10, [x2, #8]
	CHECK x10, 0x3333
	PTE A_T3, 0, 0x40303000 | PG
	ldr x0, =A_L0
	msr ttbr0_el1, x0
	tlbi vmalle1
	dsb sy
	isb

	// unprivileged access from EL1
	ldr x6, =0x40600000
	str x3, [x6]
	ldtr x11, [x6]
	CHECK x11, 0x1122334455667788
	ldr x6, =0x40200000
	mov x12, #0
	ldtr x12, [x6]          // EL1-only page: permission fault level 2
	CHECK x20, 0x9600000e
	CHECK x12, 0
	sttr x3, [x6]
	CHECK x20, 0x9600004e

	// ---- EL0 ----
	mov x0, #2                 // CNTKCTL_EL1.EL0VCTEN only
	msr cntkctl_el1, x0
	adr x23, back_from_el0
	adr x0, el0_code
	msr elr_el1, x0
	msr spsr_el1, xzr
	ldr x0, =0x40700000
	msr sp_el0, x0
	eret
el0_code:
	ldr x6, =0x40600000
	ldr x7, [x6]            // user RW: ok
	mov x24, x7
	ldr x6, =0x40200000
	ldr x7, [x6]            // EL1-only: DABT from EL0, level 2 permission
	mov x25, x20
	mrs x7, midr_el1        // UNDEFINED at EL0 without FEAT_IDST: EC 0
	mov x26, x20
	mrs x9, cntvct_el0         // EL0VCTEN: allowed
	mov x20, #0
	mrs x10, cntpct_el0        // EL0PCTEN clear: trapped
	mov x11, x20
	mov x20, #0
	mrs x10, ctr_el0           // SCTLR_EL1.UCT clear: trapped
	mov x12, x20
	msr tpidr_el0, x3
	mrs x13, tpidr_el0
	mov x20, #0
	msr tpidrro_el0, x3        // read-only at EL0: UNDEFINED
	mov x14, x20
	svc #0x77
back_from_el0:
	mov x28, #5000
	cbz x9, fail
	lsr x11, x11, #26
	CHECK x11, 0x18
	lsr x12, x12, #26
	CHECK x12, 0x18
	CHECKR x13, x3
	CHECK x14, 0x02000000
	CHECK x24, 0x1122334455667788
	CHECK x25, 0x9200000e
	ldr x0, =0xfe000000
	and x26, x26, x0
	CHECK x26, 0x02000000
	CHECK x20, 0x56000077
	mrs x0, currentel
	CHECK x0, 4

	// ---- TTBR1, 4K, 48-bit ----
	.equ B1_L0, 0x40410000
	.equ B1_L1, 0x40411000
	.equ VA_HI, 0xffff800040000000
	PTE B1_L0, (VA_HI >> 39) & 511, B1_L1 | 3
	PTE B1_L1, (VA_HI >> 30) & 511, 0x40000000 | BLK
	bl mmu_off
	ldr x0, =B1_L0
	msr ttbr1_el1, x0
	ldr x0, =(16 | (16 << 16) | (2 << 30) | (5 << 32))
	msr tcr_el1, x0
	bl mmu_on
	ldr x2, =VA_HI + 0x300000
	ldr x5, [x2, #8]
	CHECK x5, 0x1122334455667788
	ldr x2, =0xffff7fff00000000   // below the TTBR1 range
	ldr x5, [x2]
	CHECK x20, 0x96000004

	// ---- 4K granule, 39-bit VA (walk starts at level 1) ----
	.equ C_L1, 0x40420000
	.equ C_T2, 0x40421000
	.equ C_T3, 0x40422000
	.equ VA_C, 0x0000008012345000
	.equ VA_C0, 0x0000001000000000
	PTE C_L1, 1, A_L2 | 3
	PTE C_L1, (VA_C0 >> 30) & 511, C_T2 | 3
	PTE C_T2, (VA_C0 >> 21) & 511, C_T3 | 3
	PTE C_T3, (VA_C0 >> 12) & 511, 0x40300000 | PG
	bl mmu_off
	ldr x0, =C_L1
	msr ttbr0_el1, x0
	ldr x0, =(25 | (1 << 23) | (5 << 32))
	msr tcr_el1, x0
	bl mmu_on
	ldr x2, =VA_C0
	ldr x5, [x2, #8]
	CHECK x5, 0x1122334455667788
	ldr x2, =VA_C          // beyond 39 bits
	ldr x5, [x2]
	CHECK x20, 0x96000004
	ldr x2, =VA_C0 + 0x40000000   // empty level 1 entry
	ldr x5, [x2]
	CHECK x20, 0x96000005

	// ---- 16K granule, 48-bit VA: level 0 has 2 entries, 32 MB blocks ----
	.equ D_L0, 0x40430000
	.equ D_L1, 0x40434000
	.equ D_L2, 0x40438000
	.equ D_T1, 0x4043c000
	.equ D_T2, 0x40440000
	.equ D_T3, 0x40444000
	.equ VA_D, 0x0000800012344000
	PTE D_L0, 0, D_L1 | 3
	PTE D_L1, 0, D_L2 | 3
	PTE D_L2, 32, 0x40000000 | BLK
	PTE D_L0, 1, D_T1 | 3
	PTE D_T1, (VA_D >> 36) & 2047, D_T2 | 3
	PTE D_T2, (VA_D >> 25) & 2047, D_T3 | 3
	PTE D_T3, (VA_D >> 14) & 2047, 0x40300000 | PG
	bl mmu_off
	ldr x0, =D_L0
	msr ttbr0_el1, x0
	ldr x0, =(16 | (2 << 14) | (1 << 23) | (5 << 32))
	msr tcr_el1, x0
	bl mmu_on
	ldr x2, =VA_D
	ldr x5, [x2, #8]
	CHECK x5, 0x1122334455667788
	ldr x5, [x2, #0x3008]   // same 16K page, PA 0x40303008
	CHECK x5, 0
	add x2, x2, #0x4000
	ldr x5, [x2]
	CHECK x20, 0x96000007

	// ---- 64K granule, 42-bit VA: levels 2 and 3, 512 MB blocks ----
	.equ E_L2, 0x40450000
	.equ E_T3, 0x40460000
	.equ VA_E, 0x0000020000010000
	PTE E_L2, 2, 0x40000000 | BLK
	PTE E_L2, (VA_E >> 29) & 8191, E_T3 | 3
	PTE E_T3, (VA_E >> 16) & 8191, 0x40300000 | PG
	bl mmu_off
	ldr x0, =E_L2
	msr ttbr0_el1, x0
	ldr x0, =(22 | (1 << 14) | (1 << 23) | (5 << 32))
	msr tcr_el1, x0
	bl mmu_on
	ldr x2, =VA_E
	ldr x5, [x2, #8]
	CHECK x5, 0x1122334455667788
	ldr x5, [x2, #0x3008]
	CHECK x5, 0
	ldr x2, =VA_E + 0x10000
	ldr x5, [x2]
	CHECK x20, 0x96000007
	ldr x2, =0x0000040000000000   // beyond 42 bits
	ldr x5, [x2]
	CHECK x20, 0x96000004

	bl mmu_off
	PASS
	FAIL_LOOP

mmu_on:
	tlbi vmalle1
	dsb sy
	ldr x0, =SCTLR_ON
	msr sctlr_el1, x0
	isb
	ret
mmu_off:
	ldr x0, =SCTLR_OFF
	msr sctlr_el1, x0
	isb
	ret

	.balign 2048
vectors:
	.rept 4                  // current EL, SP_EL0
	b fail
	.balign 128
	.endr
	// current EL, SP_ELx: record, skip the instruction
	mrs x20, esr_el1
	mrs x21, far_el1
	add x22, x22, #1
	mrs x19, elr_el1
	add x19, x19, #4
	msr elr_el1, x19
	eret
	.balign 128
	.rept 3
	b fail
	.balign 128
	.endr
	// lower EL, AArch64, sync
	mrs x20, esr_el1
	mrs x21, far_el1
	add x22, x22, #1
	lsr x19, x20, #26
	cmp x19, #0x15
	b.ne 1f
	br x23                   // SVC: continue at EL1
1:	mrs x19, elr_el1
	add x19, x19, #4
	msr elr_el1, x19
	eret
