/*
 * tests/gdb/jit-watch.test's AArch64 guest (EL1, MMU off): a hot loop the
 * JIT compiles, whose loads and stores of every size land beside the
 * watched byte buf+19 (never on it) until bit 17 of the count is set; then
 * its register-offset load and store reach buf+19 (value count + 0x42).
 */
	.text
	.globl _start
_start:
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	cbnz	x0, park
	adr	x2, buf
	mov	x19, #0
	.globl loop
loop:
	add	x19, x19, #1
	strb	w19, [x2, #18]
	strb	w19, [x2, #20]
	strh	w19, [x2, #16]
	strh	w19, [x2, #20]
	str	w19, [x2, #12]
	str	w19, [x2, #20]
	str	x19, [x2, #8]
	str	x19, [x2, #24]
	ldrb	w5, [x2, #18]
	ldrh	w5, [x2, #20]
	ldr	x5, [x2, #8]
	lsr	x3, x19, #16
	and	x3, x3, #2
	add	x3, x3, #17		/* 17, then 19 */
	add	x4, x19, #0x42
	.globl hit_load
hit_load:
	ldrb	w6, [x2, x3]
	.globl hit_store
hit_store:
	strb	w4, [x2, x3]
	b	loop

	.globl park
park:
	wfi
	b	park

	.data
	.balign 4096		/* a page of its own: stores to a code page leave the JIT */
	.globl buf
buf:
	.space	64
