/* CPU-bound loop: 5 instructions per iteration (ld/addi/sd/addi/bnez),
 * then power off through the SiFive test device. a0 = iterations is
 * patched in by the bench script through the symbol `iterations`. */
	.section .text
	.globl _start, loop_top, counter
_start:
	la	t3, iterations
	ld	t0, 0(t3)
	la	t1, counter
loop_top:
1:	ld	t2, 0(t1)
	addi	t2, t2, 1
	sd	t2, 0(t1)
	addi	t0, t0, -1
	bnez	t0, 1b
	li	t4, 0x100000
	li	t5, 0x5555
	sw	t5, 0(t4)
2:	j	2b
	.section .data
	.balign 4096	/* keep data off the code page (QEMU retranslates on code-page stores) */
iterations: .dword ITERATIONS
counter: .dword 0
