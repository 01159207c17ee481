/* Bare-metal start for C bench guests: stack, bench_main, then power off
 * through the SiFive test device. */
	.section .text.start
	.globl _start
_start:
	la	sp, stack_top
	call	bench_main
	li	t4, 0x100000
	li	t5, 0x5555
	sw	t5, 0(t4)
1:	j	1b
	.section .bss
	.balign 16
	.space 16384
stack_top:
