// Exceptions and their syndromes, exclusives, DC ZVA, self-modifying code,
// FP access trap, GIC SGI and generic-timer IRQs, WFI wake-up.
// machine: virt,gic-version=3
#include "common.inc"
	.text
	.globl _start
_start:
	ldr x0, =0x40600000
	mov sp, x0
	adr x0, vectors
	msr vbar_el1, x0
	mov x22, #0
	mov x23, #0
	ldr x29, =0x40500000       // scratch data

	// SVC: ESR, ELR = next instruction
	svc #0x1234
1:	CHECK x20, 0x56001234
	adr x0, 1b
	CHECKR x21, x0
	// BRK: ELR = the BRK itself (handler skips it)
	brk #0x55
	CHECK x20, 0xf2000055
	// UNDEF (HLT, UDF, MSR to a read-only register)
	hlt #0
	CHECK x20, 0x02000000
	mov x20, #0
	.inst 0x00000000
	CHECK x20, 0x02000000
	mov x20, #0
	msr s3_0_c0_c0_0, x0         // MIDR_EL1 is read-only
	CHECK x20, 0x02000000
	// SP alignment fault (SCTLR_EL1.SA)
	ldr x0, =0x30d00808
	msr sctlr_el1, x0
	isb
	mov x1, sp
	add x0, x1, #8
	mov sp, x0
	ldr x2, [sp]
	CHECK x20, 0x9a000000
	mov sp, x1
	ldr x0, =0x30d00800
	msr sctlr_el1, x0
	// PC alignment fault: ELR and FAR = the bad target
	adr x23, 2f
	adr x0, 2f
	add x0, x0, #2
	br x0
2:	CHECK x20, 0x8a000000
	adr x0, 2b
	add x0, x0, #2
	CHECKR x21, x0
	// exclusives
	ldr x0, =0x40500100
	mov x1, #5
	str x1, [x0]
	ldxr x2, [x0]
	add x2, x2, #1
	stxr w3, x2, [x0]
	CHECK x3, 0
	ldr x4, [x0]
	CHECK x4, 6
	ldxr x2, [x0]
	clrex
	stxr w3, x2, [x0]
	CHECK x3, 1
	ldxr x2, [x0]
	stxr w3, x2, [x0, #0]
	add x5, x0, #8
	ldxr x2, [x0]
	stxr w3, x2, [x5]          // other address: fails
	CHECK x3, 1
	ldxr x2, [x0]
	svc #0                     // exception return clears the monitor
	stxr w3, x2, [x0]
	CHECK x3, 1
	ldxr w2, [x0]
	str w2, [x0]               // same value written: the monitor compares values
	stxr w3, w2, [x0]
	ldxp x6, x7, [x0]
	stxp w3, x7, x6, [x0]
	CHECK x3, 0
	add x5, x0, #4
	ldxr x2, [x5]              // misaligned: alignment fault
	CHECK x20, 0x96000021
	CHECKR x21, x5
	ldar x8, [x0]
	stlr x8, [x0, #0]
	// DC ZVA (DCZID_EL0 = 4: 64 bytes)
	mrs x0, dczid_el0
	CHECK x0, 4
	ldr x0, =0x40500240
	mov x1, #-1
	stp x1, x1, [x0, #-16]
	stp x1, x1, [x0]
	stp x1, x1, [x0, #48]
	stp x1, x1, [x0, #64]
	add x2, x0, #20
	dc zva, x2
	ldr x3, [x0]
	CHECK x3, 0
	ldr x3, [x0, #56]
	CHECK x3, 0
	ldr x3, [x0, #64]
	CHECK x3, -1
	ldr x3, [x0, #-8]
	CHECK x3, -1
	// self-modifying code: rewrite "mov x0, #1" to "mov x0, #2"
	bl smc_fn
	CHECK x0, 1
	adr x1, smc_fn
	ldr w2, =0xd2800040        // mov x0, #2
	str w2, [x1]
	bl smc_fn
	CHECK x0, 2
	ldr w2, =0xd2800060        // mov x0, #3, with cache maintenance
	str w2, [x1]
	dc cvau, x1
	dsb ish
	ic ivau, x1
	dsb ish
	isb
	bl smc_fn
	CHECK x0, 3
	// FP/SIMD access trap (CPACR_EL1.FPEN = 0), then enabled
	msr cpacr_el1, xzr
	isb
	mov x20, #0
	mrs x1, fpcr
	CHECK x20, 0x1fe00000
	mov x20, #0
	fmov d0, x1
	CHECK x20, 0x1fe00000
	mov x0, #3 << 20
	msr cpacr_el1, x0
	isb
	mov x1, #42
	fmov d0, x1
	fmov x2, d0
	CHECK x2, 42
	// unallocated ID register: RAZ
	mrs x0, s3_0_c0_c3_7
	CHECK x0, 0
	mrs x0, currentel
	CHECK x0, 4

	// GICv3: redistributor awake, SGI 1 and PPI 27 enabled, group 1
	.equ GICD, 0x08000000
	.equ GICR, 0x080a0000
	.equ SGI, GICR + 0x10000
	ldr x0, =GICD
	mov w1, #0x12              // ARE_NS | EnableGrp1NS
	str w1, [x0]
	ldr x0, =GICR
	str wzr, [x0, #0x14]       // GICR_WAKER: ProcessorSleep = 0
	ldr x0, =SGI
	mov w1, #-1
	str w1, [x0, #0x80]        // IGROUPR0
	ldr w1, =(1 << 1) | (1 << 27)
	str w1, [x0, #0x100]       // ISENABLER0
	mov x1, #0x1
	msr icc_sre_el1, x1
	mov x1, #0xf0
	msr icc_pmr_el1, x1
	mov x1, #1
	msr icc_igrpen1_el1, x1
	isb
	mov x24, #0                // IRQ count
	mov x25, #0                // last INTID
	ldr x1, =(1 << 24) | 1     // INTID 1, target list: CPU 0
	msr icc_sgi1r_el1, x1
	isb
	CHECK x24, 0               // masked
	msr daifclr, #2
	isb
	nop
	CHECK x24, 1
	CHECK x25, 1
	// generic timer: virtual timer fires PPI 27; WFI wakes with IRQs masked
	msr daifset, #2
	mrs x1, cntfrq_el0
	CHECK x1, 62500000
	mrs x1, cntvct_el0
	add x1, x1, #200
	msr cntv_cval_el0, x1
	mov x1, #1
	msr cntv_ctl_el0, x1
	isb
	wfi
	mrs x2, cntvct_el0
	mrs x3, cntv_cval_el0
	cmp x2, x3
	mov x28, #9000
	b.lo fail
	mrs x4, isr_el1
	CHECK x4, 0x80             // IRQ pending
	msr daifclr, #2
	isb
	nop
	CHECK x24, 2
	CHECK x25, 27
	// synchronous exception taken with SP_EL0 selected: vector +0x000
	msr spsel, #0
	mov x26, #0
	svc #1
	CHECK x26, 0x5e0
	mrs x0, spsel
	CHECK x0, 0
	msr spsel, #1
	// illegal exception return (SPSR.M = EL2h, absent): IL set, EC 0x0e
	adr x0, 6f
	msr elr_el1, x0
	mov x0, #0x3c9
	msr spsr_el1, x0
	adr x23, 7f
	eret
6:	b fail
7:	CHECK x20, 0x3a000000
	mov x0, x18                 // SPSR of the illegal-state exception
	lsr x0, x0, #20
	and x0, x0, #1
	CHECK x0, 1                // SPSR.IL
	// IRQ taken from EL0: vector +0x480, SPSR says EL0t
	mrs x1, cntvct_el0
	add x1, x1, #300
	msr cntv_cval_el0, x1
	mov x1, #1
	msr cntv_ctl_el0, x1
	adr x23, 5f
	adr x0, el0_spin
	msr elr_el1, x0
	msr spsr_el1, xzr          // EL0t, interrupts unmasked
	eret
5:	CHECK x24, 3
	CHECK x25, 27
	mrs x0, spsr_el1
	CHECK x0, 0
	mrs x0, currentel
	CHECK x0, 4
	PASS
	FAIL_LOOP
el0_spin:
	b el0_spin

	.balign 64
smc_fn:
	mov x0, #1
	ret

	.balign 2048
vectors:
	// current EL with SP_EL0, sync
	mov x26, #0x5e0
	eret
	.balign 128
	.rept 3
	b fail
	.balign 128
	.endr
	// current EL, SP_ELx, sync: record; skip (or go to x23)
	mrs x20, esr_el1
	mrs x21, far_el1
	lsr x19, x20, #26
	cmp x19, #0x15
	b.ne 1f
	mrs x21, elr_el1            // SVC: report ELR instead
1:	add x22, x22, #1
	mrs x18, spsr_el1           // as taken; IL cleared for the return
	bic x17, x18, #(1 << 20)    // (an IL=1 return would trap again)
	msr spsr_el1, x17
	cbz x23, 2f
	msr elr_el1, x23
	mov x23, #0
	eret
2:	cmp x19, #0x15
	b.eq 3f
	mrs x19, elr_el1
	add x19, x19, #4
	msr elr_el1, x19
3:	eret
	.balign 128
	// IRQ: acknowledge, mask the timer, EOI
	mrs x25, icc_iar1_el1
	add x24, x24, #1
	cmp x25, #27
	b.ne 4f
	mov x19, #3                // ENABLE | IMASK
	msr cntv_ctl_el0, x19
4:	msr icc_eoir1_el1, x25
	eret
	.balign 128
	.rept 2
	b fail
	.balign 128
	.endr
	// lower EL, AArch64: sync, then IRQ (continue at EL1 in x23)
	b fail
	.balign 128
	mrs x25, icc_iar1_el1
	add x24, x24, #1
	mov x19, #3
	msr cntv_ctl_el0, x19
	msr icc_eoir1_el1, x25
	br x23
	.balign 128
