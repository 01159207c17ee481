// Unit-test snippets for tests/unit/test_a64_insn.c (loaded at 0x40080000,
// MMU off, EL1h; each ends in a branch-to-self). gen_progs.py assembles them.
// PROG arith
	mov x0, #-1
	adds x1, x0, #1            // 0, C=1 Z=1
	mrs x2, nzcv
	mov x3, #0x7fffffffffffffff
	adds x4, x3, #1            // V=1 N=1
	mrs x5, nzcv
	mov w6, #0x80000000
	subs w7, w6, #1            // 0x7fffffff, C=1 V=1
	mrs x8, nzcv
	mov x9, #5
	sub x10, x9, x9, lsl #1    // -5
	adc x11, x9, x9            // C=1 from subs: 11
	mov x12, #3
	add x13, x9, w12, uxtw #2  // 5 + 12 = 17
	mov x14, #-2
	add x15, x9, w14, sxtw     // 3
	ccmp x9, #5, #0, eq        // last flags: from subs w7 (Z=0) -> nzcv = 0
	mrs x16, nzcv
	cmp x9, #5
	ccmp x9, #4, #2, eq        // eq true: compare 5-4 -> C=1
	mrs x17, nzcv
	csinc x18, x9, x12, ne     // ne false (5-4 -> Z=0 -> ne true) -> x9=5
	csneg x19, x9, x12, eq     // eq false -> -3
	cset w20, hi
	mov x25, #0x40100000
	mov sp, x25
	add sp, sp, #16
	mov x21, sp
	sbcs x22, xzr, xzr         // C from cmp (hi: c=1) -> 0 - 0 - 0 = 0
	negs x23, x9
	mrs x24, nzcv
// PROG logic
	mov x0, #0x00ff00ff00ff00ff
	and x1, x0, #0xf0f0f0f0f0f0f0f0
	orr w2, wzr, #0x55555555
	eor x3, x0, #0xffff0000ffff0000
	ands x4, x0, #0xff00000000000000
	mrs x5, nzcv
	movz x6, #0x1234, lsl #32
	movk x6, #0x5678, lsl #16
	movn w7, #0
	ubfx x8, x6, #16, #16      // 0x5678
	sbfx x9, x6, #20, #4       // 0x5 -> 5
	mov x10, #0xf0
	sbfx x10, x10, #4, #4      // -1
	bfi x11, x6, #8, #8        // x11 = 0 initially -> 0
	mov x11, #-1
	bfi x11, xzr, #8, #8       // 0xffffffffffff00ff
	lsl x12, x6, #4
	asr x13, x11, #60          // -1
	ror x14, x6, #8
	extr x15, x6, x0, #32
	mov x16, #0x8000000000000000
	lsr x17, x16, #63
	ubfiz w18, w0, #28, #4     // 0xf0000000
	sxtb x19, w0               // -1
	sxth w20, w0               // 0xff
	bic x21, x0, x0, lsl #8
	orn w22, wzr, w0
	eon x23, x0, x0, ror #4
	tst x0, #0x100
	mrs x24, nzcv
// PROG muldiv
	mov x0, #7
	mov x1, #-3
	mul x2, x0, x1            // -21
	sdiv x3, x2, x0           // -3
	udiv x4, x0, xzr          // 0
	mov x5, #0x8000000000000000
	mov x6, #-1
	sdiv x7, x5, x6           // 0x8000000000000000
	smulh x8, x5, x6          // 0 (2^63)
	umulh x9, x6, x6          // 0xfffffffffffffffe
	smaddl x10, w1, w0, x0    // -21 + 7 = -14
	umaddl x11, w1, w0, xzr   // 0xfffffffd * 7
	msub x12, x0, x0, x0      // 7 - 49 = -42
	clz x13, x0               // 61
	cls x14, x1               // 62
	rbit w15, w0              // 0xe0000000
	rev x16, x5               // 0x80
	rev16 w17, w0             // 0x0700
	rev32 x18, x0             // 0x07000000
	mov x19, #0xff
	crc32b w20, wzr, w19
	crc32cx w21, wzr, x6
	lsl x22, x0, x0           // 7 << 7 = 896
	mov w23, #1
	ror w24, w23, w0          // 1 ror 7 -> 0x02000000
	asr x25, x1, x0           // -1
	clz w26, wzr              // 32
// PROG ldst
	ldr x0, =0x40100000
	mov x1, #0x1122
	movk x1, #0x3344, lsl #16
	movk x1, #0x5566, lsl #32
	movk x1, #0x7788, lsl #48
	str x1, [x0]
	ldrb w2, [x0, #1]         // 0x11
	ldrsb x3, [x0, #7]        // 0x77
	ldrsh w4, [x0, #6]        // 0x7788
	ldr w5, [x0, #4]          // 0x77885566
	ldrsw x6, [x0, #4]
	str x1, [x0, #16]!        // x0 = +16
	ldr x7, [x0], #-16        // x0 back
	stp x1, x0, [x0, #32]
	ldp x8, x9, [x0, #32]
	ldpsw x10, x11, [x0]      // 0x33441122, 0x77885566 sign-extended
	mov x12, #3
	ldr x13, [x0, x12, lsl #3]   // [x0+24] = 0
	strh w1, [x0, #40]
	ldurh w14, [x0, #40]
	ldr x15, lit
	ldxr x16, [x0]
	stxr w17, x12, [x0]       // 0 ok
	ldr x18, [x0]             // 3
	stxr w19, x12, [x0]       // 1: no monitor
	add x27, x0, #32
	ldaxp x20, x21, [x27]
	stlxp w22, x21, x20, [x27]
	ldp x23, x24, [x0, #32]
	ldur x25, [x0, #3]        // misaligned
	add x28, x0, #4093
	str x1, [x28]             // crosses a page
	ldr x26, [x28]
	b 2f
lit:	.quad 0xdeadbeefcafef00d
2:
// PROG branch
	mov x0, #0
	mov x1, #100
1:	add x0, x0, x1
	subs x1, x1, #1
	b.ne 1b                   // x0 = 5050
	mov x2, #0
	cbz x2, 3f
	mov x2, #99
3:	tbnz x0, #1, 4f           // 5050 = 0b1001110111010: bit1 = 1
	mov x2, #98
4:	bl fn
	adr x5, fn
	blr x5
	mov x6, #0
	tbz x6, #63, 5f
	mov x6, #1
5:	b 6f
fn:	add x3, x3, #1
	ret
6:
// PROG exc
	adr x0, vectors
	msr vbar_el1, x0
	mov x1, #0
	svc #0x42
	mov x10, x1
	brk #7                    // handler skips it
	mov x11, x1
	.inst 0x00000000          // udf
	mov x12, x1
	msr daifclr, #2
	mrs x13, daif
	mrs x14, currentel
	mrs x15, id_aa64mmfr0_el1
	mrs x16, s3_0_c0_c7_7     // unallocated ID: RAZ
	msr spsel, #0
	mov x17, sp
	msr spsel, #1
	mrs x18, midr_el1
	b 9f
	.balign 2048
vectors:
	.rept 4
	b .
	.balign 128
	.endr
	// current EL with SPx: sync
	mrs x1, esr_el1
	mrs x2, elr_el1
	lsr x3, x1, #26
	cmp x3, #0x15
	b.eq 7f
	add x2, x2, #4            // brk/udf: skip the instruction
	msr elr_el1, x2
7:	eret
	.balign 2048
9:
