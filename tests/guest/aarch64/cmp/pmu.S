// PMUv3 as QEMU's cortex-a57 (under -icount shift=0, kwb's clock): the ID
// values, counting instructions and cycles between two reads, EL0/EL1
// filtering, SW_INCR, PMCR.P/C/D, PMUSERENR traps, and the overflow
// interrupt on PPI 7 (INTID 23) through the GICv3, at the same
// instruction on both.
// run: -cpu cortex-a57
// run: -cpu cortex-a53
	.include "cmp.inc"
	.macro DELTA reg, n		// print how much \reg advanced over n nops
	mrs x21, \reg
	.rept \n
	nop
	.endr
	mrs x22, \reg
	sub x0, x22, x21
	bl puthex
	.endm
	START
main:
	DUMP pmcr_el0
	DUMP pmceid0_el0
	DUMP pmceid1_el0
	DUMP id_aa64dfr0_el1
	SAY "pmcr writable bits\n"
	ldr x0, =0xffffffff
	msr pmcr_el0, x0
	DUMP pmcr_el0
	msr pmcr_el0, xzr
	SAY "counters: instructions (0), cycles (1), cycle counter\n"
	mov x0, #0x08
	msr pmevtyper0_el0, x0
	mov x0, #0x11
	msr pmevtyper1_el0, x0
	mov x0, #0x1e			// unsupported (CHAIN): does not count
	msr pmevtyper2_el0, x0
	ldr x0, =0x80000007
	msr pmcntenset_el0, x0
	DUMP pmcntenset_el0
	DUMP pmcntenclr_el0
	mov x0, #1
	msr pmcr_el0, x0		// E
	isb
	DELTA pmevcntr0_el0, 10
	DELTA pmevcntr1_el0, 10
	DELTA pmccntr_el0, 10
	DELTA pmevcntr2_el0, 10
	SAY "PMCR.D: cycle counter / 64\n"
	mov x0, #9
	msr pmcr_el0, x0
	DELTA pmccntr_el0, 200
	mov x0, #1
	msr pmcr_el0, x0
	SAY "filter: instructions at EL0 only (P set)\n"
	ldr x0, =0x80000008
	msr pmevtyper0_el0, x0
	mrs x23, pmevcntr0_el0
	adr x0, 1f
	msr elr_el1, x0
	msr spsr_el1, xzr
	isb
	eret
1:	nop
	nop
	nop
	svc #0
	mrs x0, pmevcntr0_el0
	sub x0, x0, x23
	bl puthex
	SAY "PMSWINC (event 0), PMXEVTYPER/PMXEVCNTR through PMSELR\n"
	mov x0, #3
	msr pmselr_el0, x0
	msr pmxevtyper_el0, xzr
	mov x0, #0x10
	msr pmxevcntr_el0, x0
	mov x0, #8
	msr pmcntenset_el0, x0
	msr pmswinc_el0, x0
	msr pmswinc_el0, x0
	DUMP pmevcntr3_el0
	DUMP pmxevcntr_el0
	SAY "overflow of a 32-bit counter sets PMOVS\n"
	mvn w0, wzr
	msr pmevcntr3_el0, x0
	mov x0, #8
	msr pmswinc_el0, x0
	DUMP pmevcntr3_el0
	DUMP pmovsset_el0
	msr pmovsclr_el0, x0
	DUMP pmovsclr_el0
	SAY "PMCR.P and PMCR.C reset the counters\n"
	mov x0, #7
	msr pmcr_el0, x0
	mrs x0, pmevcntr3_el0
	bl puthex
	msr pmcr_el0, xzr
	DUMP pmccntr_el0
	SAY "EL0 access: PMUSERENR clear traps (EC 0x18), EN allows\n"
	adr x0, 2f
	msr elr_el1, x0
	msr spsr_el1, xzr
	isb
	eret
2:	mrs x0, pmccntr_el0
	mrs x0, pmuserenr_el0
	svc #0
	mov x0, #1
	msr pmuserenr_el0, x0
	adr x0, 3f
	msr elr_el1, x0
	msr spsr_el1, xzr
	isb
	eret
3:	mrs x0, pmcr_el0
	svc #0
	msr pmuserenr_el0, xzr
	// QEMU 7.2 notices an overflow when the counter is next accessed (its
	// timer does not cut the running block), kwb at the instruction:
	// the interrupt is unmasked after a read so both take it there.
	SAY "overflow interrupt: PPI 7 after 40 instructions\n"
	bl gic_init
	adr x0, irq_vectors
	msr vbar_el1, x0
	isb
	msr pmcr_el0, xzr
	msr pmcntenclr_el0, x0
	mov x0, #0x08
	msr pmevtyper0_el0, x0
	mov w0, #-40
	msr pmevcntr0_el0, x0
	mov x0, #1
	msr pmintenset_el1, x0
	msr pmcntenset_el0, x0
	msr pmcr_el0, x0
	.rept 60
	nop
	.endr
	mrs x0, pmevcntr0_el0
	msr daifclr, #2
	nop
	msr daifset, #2
	DUMP pmintenset_el1
	DUMP pmovsset_el0
	END

gic_init:
	ldr x1, =0x08000000		// GICD_CTLR: ARE, group 1
	mov w0, #0x12
	str w0, [x1]
	ldr x1, =0x080a0000		// GICR_WAKER of CPU 0: awake
	str wzr, [x1, #0x14]
	add x1, x1, #0x10000		// SGI_base
	mov w0, #(1 << 23)
	str w0, [x1, #0x80]		// IGROUPR0: group 1
	str w0, [x1, #0x100]		// ISENABLER0
	mov w0, #0x80
	strb w0, [x1, #0x400 + 23]	// priority
	mov x0, #7
	msr icc_sre_el1, x0
	isb
	mov x0, #0xff
	msr icc_pmr_el1, x0
	mov x0, #1
	msr icc_igrpen1_el1, x0
	isb
	ret

	.balign 2048
irq_vectors:
	.rept 5
	b .
	.balign 128
	.endr
	// current EL, SP_ELx, IRQ
	stp x0, x30, [sp, #-16]!
	stp x9, x10, [sp, #-16]!
	mrs x9, icc_iar1_el1
	SAY "irq INTID="
	mov x0, x9
	bl puthex
	SAY "elr="
	mrs x0, elr_el1
	bl puthex
	SAY "pmovs="
	mrs x0, pmovsset_el0
	bl puthex
	mrs x0, pmovsset_el0
	msr pmovsclr_el0, x0		// the line drops
	msr icc_eoir1_el1, x9
	isb
	ldp x9, x10, [sp], #16
	ldp x0, x30, [sp], #16
	eret
