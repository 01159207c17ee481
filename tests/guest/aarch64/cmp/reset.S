// System registers as a CPU leaves reset at EL1 (no firmware): QEMU 7.2's
// reset_sctlr (0x00c50838: SA, SA0, nTWI, nTWE set: SP alignment checked,
// EL0 wfi/wfe not trapped), the same on cortex-a57, cortex-a53 and max.
// run: -cpu cortex-a57
// run: -cpu cortex-a53
// run: -cpu max
	.include "cmp.inc"
	START
main:
	DUMP sctlr_el1
	DUMP mpidr_el1
	DUMP cpacr_el1
	DUMP cntkctl_el1
	DUMP mdscr_el1
	END
