/*
 * A small x86-64 instruction emitter for the template JITs of the guest
 * CPUs (core/arch/ * /jit.c). Only what the templates use: 64/32-bit ALU
 * on registers, [base + disp32] memory operands, immediates, jumps with
 * patchable rel32. A buffer that runs out of room sets `full` and the
 * caller drops what it emitted.
 */
#ifndef KWB_X86EMIT_H
#define KWB_X86EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum { XAX, XCX, XDX, XBX, XSP, XBP, XSI, XDI, X8, X9, X10, X11, X12, X13, X14, X15 };

typedef struct xbuf {
	uint8_t *p, *end;
	bool full;
} xbuf;

static inline void xb_byte(xbuf *b, unsigned v)
{
	if (b->p < b->end)
		*b->p++ = (uint8_t)v;
	else
		b->full = true;
}

static inline void xb_u32(xbuf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		xb_byte(b, v >> (8 * i));
}

static inline void xb_u64(xbuf *b, uint64_t v)
{
	xb_u32(b, (uint32_t)v);
	xb_u32(b, (uint32_t)(v >> 32));
}

/* One instruction with a ModRM operand: opcode bytes opc (1-3, low byte
 * first), reg field `reg` (a register or an opcode extension), and rm a
 * register (mem false) or [rm + disp] (mem true). w: REX.W. pfx: a
 * legacy prefix (0x66) or 0. */
static inline void xb_op(xbuf *b, unsigned pfx, bool w, uint32_t opc, int nopc, int reg, bool mem, int rm,
			 int32_t disp)
{
	unsigned rex = 0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((rm & 8) ? 1 : 0);

	if (pfx)
		xb_byte(b, pfx);
	if (rex != 0x40)
		xb_byte(b, rex);
	for (int i = 0; i < nopc; i++)
		xb_byte(b, opc >> (8 * i));
	if (!mem) {
		xb_byte(b, 0xc0 | (reg & 7) << 3 | (rm & 7));
		return;
	}
	xb_byte(b, 0x80 | (reg & 7) << 3 | (rm & 7));
	if ((rm & 7) == XSP)
		xb_byte(b, 0x24);	/* SIB: base only */
	xb_u32(b, (uint32_t)disp);
}

/* reg-reg forms: dst op= src (opcode "op r/m, r") */
#define X_ADD 0x01
#define X_OR 0x09
#define X_AND 0x21
#define X_SUB 0x29
#define X_XOR 0x31
#define X_CMP 0x39
#define X_MOV 0x89
static inline void x_rr(xbuf *b, bool w, unsigned op, int dst, int src)
{
	xb_op(b, 0, w, op, 1, src, false, dst, 0);
}

/* dst op= imm32 (sign-extended): ext is the /digit */
enum { XI_ADD = 0, XI_OR = 1, XI_AND = 4, XI_SUB = 5, XI_XOR = 6, XI_CMP = 7 };
static inline void x_ri(xbuf *b, bool w, int ext, int dst, int32_t imm)
{
	xb_op(b, 0, w, 0x81, 1, ext, false, dst, 0);
	xb_u32(b, (uint32_t)imm);
}

/* op [base + disp], imm32 (cmp qword/dword) */
static inline void x_mi(xbuf *b, bool w, int ext, int base, int32_t disp, int32_t imm)
{
	xb_op(b, 0, w, 0x81, 1, ext, true, base, disp);
	xb_u32(b, (uint32_t)imm);
}

/* dst op= [base + disp] (opcode "op r, r/m" = op + 2) */
static inline void x_rm(xbuf *b, bool w, unsigned op, int dst, int base, int32_t disp)
{
	xb_op(b, 0, w, op + 2, 1, dst, true, base, disp);
}

/* [base + disp] = src, size 1/2/4/8 */
static inline void x_store(xbuf *b, int size, int base, int32_t disp, int src)
{
	if (size == 1)
		xb_op(b, 0, false, 0x88, 1, src, true, base, disp);
	else
		xb_op(b, size == 2 ? 0x66 : 0, size == 8, 0x89, 1, src, true, base, disp);
}

/* dst = [base + disp], size 1/2/4/8, sign- or zero-extended to 64 bits */
static inline void x_load(xbuf *b, int size, bool sign, int dst, int base, int32_t disp)
{
	switch (size) {
	case 1: xb_op(b, 0, sign, sign ? 0xbe0f : 0xb60f, 2, dst, true, base, disp); break;
	case 2: xb_op(b, 0, sign, sign ? 0xbf0f : 0xb70f, 2, dst, true, base, disp); break;
	case 4:
		if (sign)
			xb_op(b, 0, true, 0x63, 1, dst, true, base, disp);	/* movsxd */
		else
			xb_op(b, 0, false, 0x8b, 1, dst, true, base, disp);
		break;
	default: xb_op(b, 0, true, 0x8b, 1, dst, true, base, disp); break;
	}
}

static inline void x_mov(xbuf *b, int dst, int src)
{
	if (dst != src)
		x_rr(b, true, X_MOV, dst, src);
}

/* dst = sign-extended imm32 / any imm64 */
static inline void x_movi(xbuf *b, int dst, uint64_t imm)
{
	if (imm == 0) {
		x_rr(b, false, X_XOR, dst, dst);
	} else if (imm <= 0xffffffffu) {
		if (dst & 8)
			xb_byte(b, 0x41);
		xb_byte(b, 0xb8 + (dst & 7));
		xb_u32(b, (uint32_t)imm);
	} else if ((int64_t)imm == (int32_t)imm) {
		xb_op(b, 0, true, 0xc7, 1, 0, false, dst, 0);
		xb_u32(b, (uint32_t)imm);
	} else {
		xb_byte(b, 0x48 | ((dst & 8) ? 1 : 0));
		xb_byte(b, 0xb8 + (dst & 7));
		xb_u64(b, imm);
	}
}

/* movsxd dst, src32 */
static inline void x_sext32(xbuf *b, int dst, int src)
{
	xb_op(b, 0, true, 0x63, 1, dst, false, src, 0);
}

/* shifts: ext 4 shl, 5 shr, 7 sar; by imm8 or by cl */
enum { XS_SHL = 4, XS_SHR = 5, XS_SAR = 7 };
static inline void x_shi(xbuf *b, bool w, int ext, int dst, unsigned n)
{
	xb_op(b, 0, w, 0xc1, 1, ext, false, dst, 0);
	xb_byte(b, n);
}
static inline void x_shcl(xbuf *b, bool w, int ext, int dst)
{
	xb_op(b, 0, w, 0xd3, 1, ext, false, dst, 0);
}

/* imul dst, src */
static inline void x_imul(xbuf *b, bool w, int dst, int src)
{
	xb_op(b, 0, w, 0xaf0f, 2, dst, false, src, 0);
}

/* rdx:rax = rax * src: ext 4 mul, 5 imul */
static inline void x_mul1(xbuf *b, int ext, int src)
{
	xb_op(b, 0, true, 0xf7, 1, ext, false, src, 0);
}

/* bswap r32 (upper half cleared) / r64 */
static inline void x_bswap(xbuf *b, bool w, int r)
{
	if (w || (r & 8))
		xb_byte(b, 0x40 | (w ? 8 : 0) | ((r & 8) ? 1 : 0));
	xb_byte(b, 0x0f);
	xb_byte(b, 0xc8 + (r & 7));
}

/* condition codes */
enum { XC_O = 0, XC_NO = 1, XC_B = 2, XC_AE = 3, XC_E = 4, XC_NE = 5, XC_BE = 6, XC_A = 7, XC_S = 8, XC_NS = 9,
       XC_L = 12, XC_GE = 13, XC_LE = 14, XC_G = 15 };

/* setcc al-style low byte of dst, then zero-extend */
static inline void x_setcc(xbuf *b, int cc, int dst)
{
	xb_op(b, 0, false, 0x900f | (unsigned)cc << 8, 2, 0, false, dst, 0);
	xb_op(b, 0, false, 0xb60f, 2, dst, false, dst, 0);
}

/* jcc/jmp rel32: returns where the rel32 is, for x_patch */
static inline uint8_t *x_jcc(xbuf *b, int cc)
{
	xb_byte(b, 0x0f);
	xb_byte(b, 0x80 | cc);
	xb_u32(b, 0);
	return b->p - 4;
}
static inline uint8_t *x_jmp(xbuf *b)
{
	xb_byte(b, 0xe9);
	xb_u32(b, 0);
	return b->p - 4;
}
/* point the rel32 at `at` to `to` */
static inline void x_patch(xbuf *b, uint8_t *at, const uint8_t *to)
{
	if (b->full || !at)
		return;
	int32_t rel = (int32_t)(to - (at + 4));
	memcpy(at, &rel, 4);
}

static inline void x_push(xbuf *b, int r)
{
	if (r & 8)
		xb_byte(b, 0x41);
	xb_byte(b, 0x50 + (r & 7));
}
static inline void x_pop(xbuf *b, int r)
{
	if (r & 8)
		xb_byte(b, 0x41);
	xb_byte(b, 0x58 + (r & 7));
}
static inline void x_ret(xbuf *b)
{
	xb_byte(b, 0xc3);
}
/* jmp reg / jmp [reg] */
static inline void x_jmp_r(xbuf *b, int r)
{
	xb_op(b, 0, false, 0xff, 1, 4, false, r, 0);
}
static inline void x_jmp_m(xbuf *b, int base, int32_t disp)
{
	xb_op(b, 0, false, 0xff, 1, 4, true, base, disp);
}

#endif
