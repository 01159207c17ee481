/*
 * A riscv64 Linux user program (static, no libc) for the hostile-access
 * test: argv[1][0] picks one access at a bad or misaligned address; the
 * kernel must turn each fault into a signal (the shell prints the status)
 * while the emulator keeps running. Accesses that succeed exit 0, or with
 * the value SC returned.
 */
#define NPROBES 12
	.globl _start
_start:
	ld a0, 0(sp)		/* argc */
	li t0, 2
	blt a0, t0, 1f
	ld a1, 16(sp)		/* argv[1] */
	lbu t0, 0(a1)
	addi t0, t0, -'a'
	li t1, NPROBES
	bgeu t0, t1, 1f
	slli t0, t0, 2
	la t1, table
	add t1, t1, t0
	jr t1
1:	li a0, 2
	j exit

	.option push
	.option norvc	/* 4-byte entries */
table:
	j p_lw		/* a: lw 1(zero) */
	j p_ld		/* b: ld 9(zero) */
	j p_sd		/* c: sd at 0x11 */
	j p_flw		/* d: flw at 1 */
	j p_amo		/* e: amoadd.w at 1 (misaligned AMO) */
	j p_lr		/* f: lr.w at 1 (misaligned LR) */
	j p_clw		/* g: c.lw at 1 */
	j p_stack	/* h: misaligned ld/sd on the stack: performed */
	j p_fetch	/* i: jump to 1 (fetch at 0) */
	j p_sc		/* j: sc.w at 1: fails without a trap */
	j p_fld		/* k: fld at 9 */
	j p_kernel	/* l: ld from a kernel address, misaligned */
	.option pop

p_lw:	li a5, 1
	lw a0, 0(a5)
	j ok
p_ld:	ld a0, 9(zero)
	j ok
p_sd:	sd a0, 0x11(zero)
	j ok
p_flw:	li a5, 1
	flw fa0, 0(a5)
	j ok
p_amo:	li a5, 1
	amoadd.w a0, a0, (a5)
	j ok
p_lr:	li a5, 1
	lr.w a0, (a5)
	j ok
p_clw:	li a5, 1
	c.lw a0, 0(a5)
	j ok
p_stack:
	addi sp, sp, -32
	li t0, 0x8877665544332211
	sd t0, 0(sp)
	sd t0, 8(sp)
	sd t0, 3(sp)
	li t1, 0x5544887766554433
	li a0, 1
	ld t2, 5(sp)
	bne t2, t1, exit
	j ok
p_fetch:
	li a5, 1
	jalr a5
	j ok
p_sc:	li a5, 1
	sc.w a0, a0, (a5)
	j exit
p_fld:	fld fa0, 9(zero)
	j ok
p_kernel:
	li a5, 0xffffffff80000003
	ld a0, 0(a5)
	j ok
ok:	li a0, 0
exit:	li a7, 93		/* exit */
	ecall
