/* Bare-metal start for C bench guests: stack, bench_main, then PSCI
 * SYSTEM_OFF through HVC. */
	.section .text.start
	.globl _start
_start:
	adrp	x0, stack_top
	add	x0, x0, :lo12:stack_top
	mov	sp, x0
	bl	bench_main
	ldr	x0, =0x84000008
	hvc	#0
1:	b	1b
	.section .bss
	.balign 16
	.space 16384
stack_top:
