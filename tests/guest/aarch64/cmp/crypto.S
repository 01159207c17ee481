// The crypto extension (ID_AA64ISAR0 AES 2, SHA1, SHA2): every AES, SHA1,
// SHA256 and 64-bit PMULL instruction on fixed inputs, results printed.
	.arch armv8-a+crypto
	.include "cmp.inc"
	.macro VSHOW reg
	mov x0, \reg\().d[1]
	bl puthex_raw
	mov x0, \reg\().d[0]
	bl puthex
	.endm
	.macro LOADV
	adr x1, inputs
	ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x1]
	.endm
	START
main:
	mrs x0, cpacr_el1
	orr x0, x0, #(3 << 20)		// FP/SIMD on
	msr cpacr_el1, x0
	isb
	DUMP id_aa64isar0_el1
	.irp insn, aese, aesd
	LOADV
	\insn v0.16b, v1.16b
	SAY "\insn="
	VSHOW v0
	.endr
	.irp insn, aesmc, aesimc
	LOADV
	\insn v0.16b, v2.16b
	SAY "\insn="
	VSHOW v0
	.endr
	LOADV
	aese v0.16b, v1.16b		// a round and its inverse
	aesmc v0.16b, v0.16b
	aesimc v0.16b, v0.16b
	aesd v0.16b, v1.16b
	SAY "aes-roundtrip="
	VSHOW v0
	.irp insn, sha1c, sha1p, sha1m
	LOADV
	\insn q0, s1, v2.4s
	SAY "\insn="
	VSHOW v0
	.endr
	LOADV
	sha1su0 v0.4s, v1.4s, v2.4s
	SAY "sha1su0="
	VSHOW v0
	LOADV
	sha1su1 v0.4s, v1.4s
	SAY "sha1su1="
	VSHOW v0
	LOADV
	sha1h s0, s3
	SAY "sha1h="
	VSHOW v0
	LOADV
	sha256h q0, q1, v2.4s
	SAY "sha256h="
	VSHOW v0
	LOADV
	sha256h2 q0, q1, v2.4s
	SAY "sha256h2="
	VSHOW v0
	LOADV
	sha256su0 v0.4s, v1.4s
	SAY "sha256su0="
	VSHOW v0
	LOADV
	sha256su1 v0.4s, v1.4s, v2.4s
	SAY "sha256su1="
	VSHOW v0
	LOADV
	pmull v0.1q, v1.1d, v2.1d
	SAY "pmull="
	VSHOW v0
	LOADV
	pmull2 v0.1q, v1.2d, v3.2d
	SAY "pmull2="
	VSHOW v0
	END
	.data
	.balign 16
inputs:	.quad 0x0123456789abcdef, 0xfedcba9876543210
	.quad 0x243f6a8885a308d3, 0x13198a2e03707344
	.quad 0xa4093822299f31d0, 0x082efa98ec4e6c89
	.quad 0x452821e638d01377, 0xbe5466cf34e90c6c
