// machine: virt,gic-version=3
// kwb's PMU overflow interrupt comes at the instruction that overflows the
// counter (INST_RETIRED counted from the instruction after the enabling
// MSR): with the counter at -40 and IRQs unmasked, the IRQ (PPI 7, INTID
// 23) is taken before the 41st instruction. (QEMU 7.2 raises it when the
// counter is next accessed or its block ends: cmp/pmu.S compares both
// after a read.) Also: the cycle counter overflowing at 32 bits without
// PMCR.LC, and at 64 bits with it.
#include "common.inc"
	.text
	.globl _start
_start:
	ldr x0, =0x40600000
	mov sp, x0
	adr x0, vectors
	msr vbar_el1, x0
	mov x22, #0
	ldr x0, =0x08000000		// GICD_CTLR: ARE, group 1
	mov w1, #0x12
	str w1, [x0]
	ldr x0, =0x080a0000
	str wzr, [x0, #0x14]		// GICR_WAKER
	add x0, x0, #0x10000
	mov w1, #(1 << 23)
	str w1, [x0, #0x80]		// IGROUPR0
	str w1, [x0, #0x100]		// ISENABLER0
	mov x1, #7
	msr icc_sre_el1, x1
	isb
	mov x1, #0xff
	msr icc_pmr_el1, x1
	mov x1, #1
	msr icc_igrpen1_el1, x1
	isb
	mov x0, #0x08			// INST_RETIRED on counter 0
	msr pmevtyper0_el0, x0
	mov w0, #-40
	msr pmevcntr0_el0, x0
	mov x0, #1
	msr pmintenset_el1, x0
	msr pmcntenset_el0, x0
	msr daifclr, #2
	msr pmcr_el0, x0		// E: counting starts after this
start:	.rept 60
	nop
	.endr
	msr daifset, #2
	CHECK x22, 1
	adr x0, start + 40 * 4
	CHECKR x21, x0
	CHECK x20, 23
	// cycle counter: 32-bit overflow without LC, 64-bit with
	msr pmcr_el0, xzr
	msr pmcntenclr_el0, x0
	ldr x0, =0xfffffff0
	msr pmccntr_el0, x0
	ldr x0, =0x80000000
	msr pmcntenset_el0, x0
	mov x0, #1
	msr pmcr_el0, x0
	.rept 20
	nop
	.endr
	mrs x0, pmovsset_el0
	CHECK x0, 0x80000000
	mrs x0, pmccntr_el0
	lsr x0, x0, #32
	CHECK x0, 1			// still 64 bits wide
	ldr x0, =0x80000000
	msr pmovsclr_el0, x0
	ldr x0, =0xfffffff0
	msr pmccntr_el0, x0
	mov x0, #(1 | 1 << 6)		// E, LC
	msr pmcr_el0, x0
	.rept 20
	nop
	.endr
	mrs x0, pmovsset_el0
	CHECK x0, 0
	PASS
	FAIL_LOOP
	.balign 2048
vectors:
	.rept 5
	b fail
	.balign 128
	.endr
	mrs x20, icc_iar1_el1		// current EL, SP_ELx, IRQ
	mrs x21, elr_el1
	add x22, x22, #1
	mrs x19, pmovsset_el0
	msr pmovsclr_el0, x19
	msr icc_eoir1_el1, x20
	eret
	.balign 128
	.rept 10
	b fail
	.balign 128
	.endr
