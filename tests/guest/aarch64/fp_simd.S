// FP/AdvSIMD on the virt board: glibc-style string loops (LD1, CMEQ,
// UMAXP, SHRN, FMOV, ADDP), structure loads/stores, FPCR rounding and
// FPSR flags through MRS/MSR, FP <-> integer conversions.
#include "common.inc"
	.text
	.globl _start
_start:
	ldr x0, =0x40600000
	mov sp, x0
	mov x0, #(3 << 20)		// CPACR_EL1.FPEN: no FP/SIMD traps
	msr cpacr_el1, x0
	isb
	ldr x29, =0x40500000		// scratch data

	// Fill 256 bytes with 1..255,0 pattern: byte i = (i + 1) & 0xff
	mov x0, x29
	mov x1, #0
1:	add x2, x1, #1
	strb w2, [x0, x1]
	add x1, x1, #1
	cmp x1, #256
	b.ne 1b

	// strlen from every offset 0..31: the NUL is at 255
	mov x10, #0
2:	add x0, x29, x10
	bl simd_strlen
	mov x1, #255
	sub x1, x1, x10
	CHECKR x0, x1
	add x10, x10, #1
	cmp x10, #32
	b.ne 2b

	// memchr-like search for byte 0x80 (at index 127) with SHRN syndrome
	mov x0, x29
	mov w1, #0x80
	bl simd_find
	CHECK x0, 127

	// memcpy 256 bytes with LD1/ST1 {4 regs} post-index, then compare
	add x1, x29, #0x400
	mov x0, x29
	mov x2, #4
3:	ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x0], #64
	st1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x1], #64
	subs x2, x2, #1
	b.ne 3b
	CHECK x0, 0x40500100
	mov x3, #0
4:	ldrb w4, [x29, x3]
	add x5, x29, #0x400
	ldrb w5, [x5, x3]
	CHECKR x4, x5
	add x3, x3, #1
	cmp x3, #256
	b.ne 4b

	// LD4 de-interleaves, ST4 re-interleaves: round trip
	mov x0, x29
	ld4 {v4.16b, v5.16b, v6.16b, v7.16b}, [x0]
	umov w1, v5.b[3]		// byte 4*3+1 = 13 -> value 14
	CHECK x1, 14
	add x0, x29, #0x800
	st4 {v4.16b, v5.16b, v6.16b, v7.16b}, [x0]
	ldr x1, [x29, #56]
	ldr x2, [x0, #56]
	CHECKR x1, x2

	// UADDLV over 16 bytes of 1..16
	ldr q0, [x29]
	uaddlv h1, v0.16b
	fmov w1, s1
	CHECK x1, 136
	// CNT + ADDV: popcount of 0x0f0f...
	movi v2.16b, #0x0f
	cnt v2.16b, v2.16b
	addv b2, v2.16b
	umov w1, v2.b[0]
	CHECK x1, 64

	// FPCR.RMode = round towards zero: 1/3 rounded down
	fmov d0, #1.0
	fmov d1, #3.0
	msr fpsr, xzr
	mov x0, #(3 << 22)
	msr fpcr, x0
	fdiv d2, d0, d1
	fmov x1, d2
	CHECK x1, 0x3fd5555555555555
	mrs x2, fpsr
	CHECK x2, 0x10			// IXC
	mov x0, #(1 << 22)		// round towards +inf
	msr fpcr, x0
	fdiv d2, d0, d1
	fmov x1, d2
	CHECK x1, 0x3fd5555555555556
	msr fpcr, xzr
	// division by zero: DZC, +inf
	msr fpsr, xzr
	movi d3, #0
	fdiv d4, d0, d3
	fmov x1, d4
	CHECK x1, 0x7ff0000000000000
	mrs x2, fpsr
	CHECK x2, 0x2
	// FCVTZS saturates with IOC; SCVTF back
	msr fpsr, xzr
	ldr x0, =0x4415af1d78b58c40	// 1e20
	fmov d5, x0
	fcvtzs x1, d5
	CHECK x1, 0x7fffffffffffffff
	mrs x2, fpsr
	CHECK x2, 0x1
	mov x0, #-7
	scvtf s6, x0
	fcvtzs w1, s6
	CHECK x1, 0xfffffff9
	// FCMP into NZCV, then FCSEL
	fcmp d0, d1
	cset x1, mi
	CHECK x1, 1
	fcsel d7, d0, d1, gt
	fmov x1, d7
	CHECK x1, 0x4008000000000000
	// QC from a saturating add, cleared by MSR FPSR
	msr fpsr, xzr
	movi v0.16b, #0x7f
	sqadd v1.16b, v0.16b, v0.16b
	mrs x2, fpsr
	CHECK x2, 0x08000000
	umov w1, v1.b[15]
	CHECK x1, 0x7f
	PASS
fail:	b fail

// x0 = string: returns its length (glibc's AdvSIMD strlen idea: 16 bytes
// at a time from the aligned block, syndrome via SHRN #4).
simd_strlen:
	bic x1, x0, #15
	ld1 {v0.16b}, [x1]
	cmeq v0.16b, v0.16b, #0
	shrn v0.8b, v0.8h, #4
	fmov x2, d0
	lsl x3, x0, #2			// ignore bytes before the start
	lsr x2, x2, x3
	cbz x2, 2f
	rbit x2, x2
	clz x2, x2
	lsr x0, x2, #2
	ret
2:	add x1, x1, #16
	ld1 {v0.16b}, [x1]
	cmeq v0.16b, v0.16b, #0
	umaxp v1.16b, v0.16b, v0.16b
	fmov x2, d1
	cbz x2, 2b
	shrn v0.8b, v0.8h, #4
	fmov x2, d0
	rbit x2, x2
	clz x2, x2
	add x1, x1, x2, lsr #2
	sub x0, x1, x0
	ret

// x0 = buffer (16-aligned), w1 = byte: index of its first occurrence
simd_find:
	dup v1.16b, w1
	mov x3, x0
1:	ld1 {v0.16b}, [x3], #16
	cmeq v0.16b, v0.16b, v1.16b
	addp v2.2d, v0.2d, v0.2d
	fmov x2, d2
	cbz x2, 1b
	shrn v0.8b, v0.8h, #4
	fmov x2, d0
	rbit x2, x2
	clz x2, x2
	sub x3, x3, #16
	add x3, x3, x2, lsr #2
	sub x0, x3, x0
	ret
