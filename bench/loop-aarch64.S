/* CPU-bound loop: 5 instructions per iteration (ldr/add/str/sub/cbnz),
 * then PSCI SYSTEM_OFF through HVC. */
	.section .text
	.globl _start, loop_top, counter
_start:
	ldr	x0, =ITERATIONS
	adr	x1, counter
loop_top:
1:	ldr	x2, [x1]
	add	x2, x2, #1
	str	x2, [x1]
	sub	x0, x0, #1
	cbnz	x0, 1b
	ldr	x0, =0x84000008
	hvc	#0
2:	b	2b
	.section .data
	.balign 4096	/* keep data off the code page (QEMU retranslates on code-page stores) */
counter: .quad 0
