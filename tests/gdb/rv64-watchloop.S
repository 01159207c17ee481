/*
 * tests/gdb/jit-watch.test's RV64 guest (M-mode): a hot loop the JIT
 * compiles, whose loads and stores of every size land beside the watched
 * byte buf+19 (never on it) until bit 17 of the count is set; then its
 * byte load through t3 reaches buf+19 and its halfword store buf+18..19
 * (byte 19: count + 0x42).
 */
	.section .text
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park
	lla	t2, buf
	li	s1, 0
	.globl loop
loop:
	addi	s1, s1, 1
	sb	s1, 18(t2)
	sb	s1, 20(t2)
	sh	s1, 16(t2)
	sh	s1, 20(t2)
	sw	s1, 12(t2)
	sw	s1, 20(t2)
	sd	s1, 8(t2)
	sd	s1, 24(t2)
	lbu	t5, 18(t2)
	lhu	t5, 20(t2)
	ld	t5, 8(t2)
	srli	t3, s1, 16
	andi	t3, t3, 2
	addi	t3, t3, 17		/* 17, then 19 */
	add	t3, t3, t2
	addi	t4, s1, 0x42
	slli	t4, t4, 8		/* count + 0x42 in its second byte */
	.globl hit_load
hit_load:
	lbu	t6, 0(t3)
	/* a halfword at t3 - 1 (16, then 18): a store whose last byte is
	 * the watched one must leave the JIT too */
	.globl hit_store
hit_store:
	sh	t4, -1(t3)
	j	loop

	.globl park
park:
	wfi
	j	park

	.section .data
	.balign 4096		/* a page of its own: stores to a code page leave the JIT */
	.globl buf
buf:
	.space	64
