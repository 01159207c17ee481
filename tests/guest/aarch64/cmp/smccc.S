// SMCCC over HVC (QEMU 7.2's conduit without EL2/EL3): PSCI answers, every
// other function ID (SMCCC_VERSION and ARCH_FEATURES included) returns
// NOT_SUPPORTED; SMC is UNDEFINED; HVC at EL0 is UNDEFINED.
	.include "cmp.inc"
	START
main:
	adr x21, ids
1:	ldp x22, x23, [x21], #16
	cmn x22, #1
	b.eq 2f
	SHOW id, x22
	mov x0, x22
	mov x1, x23
	hvc #0
	SHOW hvc, x0
	mov x0, x22
	mov x1, x23
	smc #0
	SHOW smc, x0
	b 1b
2:	// HVC #1 with a PSCI ID: still NOT_SUPPORTED (only HVC #0 is PSCI)
	ldr x0, =0x84000000
	hvc #1
	SHOW hvc1, x0
	// HVC from EL0
	adr x0, 3f
	msr elr_el1, x0
	msr spsr_el1, xzr
	ldr x0, =0x84000000
	eret
3:	hvc #0
	svc #0
	END
	.data
	.balign 8
ids:	.quad 0x80000000, 0			// SMCCC_VERSION
	.quad 0x80000001, 0x80000000		// SMCCC_ARCH_FEATURES(VERSION)
	.quad 0x80000001, 0x80008000		// ARCH_WORKAROUND_1
	.quad 0x80000001, 0x80007fff		// ARCH_WORKAROUND_2
	.quad 0x80000001, 0x84000000
	.quad 0x80000002, 0
	.quad 0x84000000, 0			// PSCI_VERSION
	.quad 0x8400000a, 0x80000000		// PSCI_FEATURES(SMCCC_VERSION)
	.quad 0x8400000a, 0x84000001
	.quad 0x8400000a, 0x84000005
	.quad 0xc4000003, 0			// CPU_ON(0): ALREADY_ON
	.quad 0xc2000000, 0
	.quad 0x86000000, 0
	.quad 0xbf00ff01, 0
	.quad 0x04000000, 0			// a yielding call
	.quad 0x12345678, 0
	.quad 0x00000000, 0
	.quad 0x184000000, 0			// PSCI_VERSION with bit 32 set
	.quad -1, 0
