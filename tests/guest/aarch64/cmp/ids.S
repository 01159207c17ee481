// The ID registers as QEMU 7.2 presents cortex-a57, cortex-a53 (GICv3).
// run: -cpu cortex-a57
// run: -cpu cortex-a53
	.include "cmp.inc"
	START
main:
	DUMP midr_el1
	DUMP mpidr_el1
	DUMP revidr_el1
	.irp crm, 1, 2, 3, 4, 5, 6, 7
	.irp op2, 0, 1, 2, 3, 4, 5, 6, 7
	DUMP s3_0_c0_c\crm\()_\op2
	.endr
	.endr
	DUMP ctr_el0
	DUMP dczid_el0
	DUMP clidr_el1
	DUMP aidr_el1
	.irp sel, 0, 1, 2, 3
	mov x0, #\sel
	msr csselr_el1, x0
	isb
	DUMP ccsidr_el1
	.endr
	DUMP oslsr_el1
	DUMP mdscr_el1
	DUMP osdlr_el1
	END
