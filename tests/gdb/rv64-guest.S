/*
 * Tiny bare-metal RV64 guest for the gdb tests (-bios none: runs in
 * M-mode from 0x80000000). Hart 0 loops: counter = ++s1 (a store),
 * reads it back (a load), calls func, and every 16 rounds makes an
 * ecall that the trap handler skips, forever. `poweroff` (reached only
 * when the debugger sets pc there) powers off through the sifive_test
 * device with code 0. Other harts sleep in WFI.
 */
	.section .text
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park
	lla	t1, trap_vec
	csrw	mtvec, t1
	lla	sp, stack_top
	li	s1, 0
	li	a0, 0
loop:
	addi	s1, s1, 1
	lla	t2, counter
	sd	s1, 0(t2)
	ld	s2, 0(t2)
	call	func
	li	a0, 8
	call	cfunc
	call	cwait
	andi	t3, s1, 15
	bnez	t3, no_ecall
	.globl trap_point
trap_point:
	ecall
no_ecall:
	j	loop
	.globl poweroff
poweroff:
	li	t5, 0x100000
	li	t6, 0x5555
	sw	t6, 0(t5)
1:	j	1b

	.globl func
func:
	addi	a0, a0, 1
	ret

	.balign 4
	.globl trap_vec
trap_vec:
	csrr	t4, mepc
	addi	t4, t4, 4
	csrw	mepc, t4
	mret

	.globl park
park:
	wfi
	j	park

	.section .data
	.balign 8
	.globl counter
counter:
	.dword	0
	.balign 16
	.space	4096
stack_top:
