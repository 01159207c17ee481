// CPU-bound loop for measuring MIPS: 8 instructions per iteration
// (ALU, load/store to the stack, compare-and-branch). PSCI SYSTEM_OFF at the end.
	.text
	.globl _start
_start:
	ldr x0, =0x40800000
	mov sp, x0
	ldr x1, =100000000        // iterations
	mov x2, #0
1:	add x2, x2, x1
	eor x3, x2, x1, lsl #3
	str x3, [sp, #-16]!
	ldr x4, [sp], #16
	add x2, x2, x4
	subs x1, x1, #1
	and x5, x2, #0xff
	b.ne 1b
	ldr x0, =0x84000008
	hvc #0
	b .
