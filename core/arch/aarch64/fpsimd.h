/*
 * FP/AdvSIMD unit, private to the fpsimd*.c files: lane access helpers and
 * the IEEE operations (fpsimd_softfloat.c) shared by the scalar FP and the
 * vector code. FP values travel as raw bit patterns so that NaN payloads,
 * signed zeros and denormals are exactly what the architecture says.
 */
#ifndef KWB_FPSIMD_H
#define KWB_FPSIMD_H

#include <string.h>
#include "a64.h"

/* FPSR cumulative exception bits and QC. */
enum {
	FPSR_IOC = 1u << 0, FPSR_DZC = 1u << 1, FPSR_OFC = 1u << 2,
	FPSR_UFC = 1u << 3, FPSR_IXC = 1u << 4, FPSR_IDC = 1u << 7,
	FPSR_QC = 1u << 27,
};
#define FPCR_DN (1u << 25)
#define FPCR_FZ (1u << 24)
#define FPCR_RMODE(fpcr) (((fpcr) >> 22) & 3)

/* Rounding modes: the FPCR.RMode encodings, then the two extra ones. */
enum { RM_TIEEVEN, RM_POSINF, RM_NEGINF, RM_ZERO, RM_TIEAWAY };

/* FP formats by log2 of the size in bytes. */
enum { FMT_H = 1, FMT_S = 2, FMT_D = 3 };

/* Two-operand FP operations (fp_op2). */
enum fp_op {
	FOP_ADD, FOP_SUB, FOP_MUL, FOP_DIV, FOP_MAX, FOP_MIN, FOP_MAXNM,
	FOP_MINNM, FOP_MULX, FOP_RECPS, FOP_RSQRTS, FOP_ABD,
};

uint64_t fp_op2(a64_cpu *s, enum fp_op op, int fmt, uint64_t a, uint64_t b);
/* a + b * c with one rounding (FPMulAdd(addend = a, b, c)). */
uint64_t fp_muladd(a64_cpu *s, int fmt, uint64_t a, uint64_t b, uint64_t c);
uint64_t fp_sqrt(a64_cpu *s, int fmt, uint64_t a);
/* FCMP/FCMPE: NZCV in bits 3..0. signal_qnan: FCMPE semantics. */
unsigned fp_compare(a64_cpu *s, int fmt, uint64_t a, uint64_t b, bool signal_qnan);
/* Vector compares: cond 0 = EQ, 1 = GE, 2 = GT. */
bool fp_cmp_cond(a64_cpu *s, int fmt, uint64_t a, uint64_t b, int cond);
uint64_t fp_convert(a64_cpu *s, int from, int to, uint64_t a);
/* FCVTXN: double to single, rounding to odd. */
uint64_t fp_convert_odd(a64_cpu *s, uint64_t d);
/* FP to integer of ibits (32/64, or 8..64 for vectors), fbits fraction
 * bits, saturating; rmode as RM_*. */
uint64_t fp_to_int(a64_cpu *s, int fmt, uint64_t a, int rmode, unsigned fbits,
		   unsigned ibits, bool is_unsigned);
uint64_t int_to_fp(a64_cpu *s, int fmt, uint64_t v, unsigned ibits, unsigned fbits,
		   bool is_unsigned);
/* FRINT*: exact = raise Inexact (FRINTX). */
uint64_t fp_round_int(a64_cpu *s, int fmt, uint64_t a, int rmode, bool exact);
uint64_t fp_recpe(a64_cpu *s, int fmt, uint64_t a);
uint64_t fp_rsqrte(a64_cpu *s, int fmt, uint64_t a);
uint64_t fp_recpx(a64_cpu *s, int fmt, uint64_t a);
uint32_t u_recpe(uint32_t a);
uint32_t u_rsqrte(uint32_t a);

static inline uint64_t fp_sign_bit(int fmt) { return 1ull << ((8 << fmt) - 1); }
static inline uint64_t fp_neg(int fmt, uint64_t a) { return a ^ fp_sign_bit(fmt); }
static inline uint64_t fp_abs(int fmt, uint64_t a) { return a & ~fp_sign_bit(fmt); }
static inline int fp_rmode(const a64_cpu *s) { return FPCR_RMODE(s->fpcr); }

/* Lane access: esz is log2 of the element size in bytes (0..3). */
static inline uint64_t lane_get(const a64_vreg *v, unsigned esz, unsigned i)
{
	switch (esz) {
	case 0: return v->b[i];
	case 1: return v->h[i];
	case 2: return v->s[i];
	default: return v->d[i];
	}
}

static inline void lane_set(a64_vreg *v, unsigned esz, unsigned i, uint64_t x)
{
	switch (esz) {
	case 0: v->b[i] = (uint8_t)x; break;
	case 1: v->h[i] = (uint16_t)x; break;
	case 2: v->s[i] = (uint32_t)x; break;
	default: v->d[i] = x; break;
	}
}

/* Write a result of `bytes` (8 or 16) to Vd, zeroing the rest. */
static inline void vreg_write(a64_cpu *s, unsigned rd, const a64_vreg *r, unsigned bytes)
{
	s->v[rd].d[0] = r->d[0];
	s->v[rd].d[1] = bytes > 8 ? r->d[1] : 0;
}

/* Scalar write: the low esz-sized element, the rest of the register zeroed. */
static inline void vreg_set_scalar(a64_cpu *s, unsigned rd, unsigned esz, uint64_t x)
{
	s->v[rd].d[0] = esz == 3 ? x : x & ((1ull << (8 << esz)) - 1);
	s->v[rd].d[1] = 0;
}

/* Instruction fields, element masks and lanes unpacked to uint64_t arrays
 * (the AdvSIMD files run one loop per opcode over such arrays). */
#define RD(i) bits(i, 4, 0)
#define RN(i) bits(i, 9, 5)
#define RM(i) bits(i, 20, 16)

static inline uint64_t emask(unsigned esz)
{
	return esz == 3 ? ~0ull : (1ull << (8 << esz)) - 1;
}

static inline int64_t sx(uint64_t v, unsigned esz)
{
	return (int64_t)sext(v, 8 << esz);
}

static inline void unpack(const a64_vreg *v, unsigned esz, unsigned n, unsigned first, uint64_t *o)
{
	switch (esz) {
	case 0: for (unsigned i = 0; i < n; i++) o[i] = v->b[first + i]; break;
	case 1: for (unsigned i = 0; i < n; i++) o[i] = v->h[first + i]; break;
	case 2: for (unsigned i = 0; i < n; i++) o[i] = v->s[first + i]; break;
	default: for (unsigned i = 0; i < n; i++) o[i] = v->d[first + i]; break;
	}
}

static inline void pack(a64_vreg *v, unsigned esz, unsigned n, unsigned first, const uint64_t *x)
{
	switch (esz) {
	case 0: for (unsigned i = 0; i < n; i++) v->b[first + i] = (uint8_t)x[i]; break;
	case 1: for (unsigned i = 0; i < n; i++) v->h[first + i] = (uint16_t)x[i]; break;
	case 2: for (unsigned i = 0; i < n; i++) v->s[first + i] = (uint32_t)x[i]; break;
	default: for (unsigned i = 0; i < n; i++) v->d[first + i] = x[i]; break;
	}
}

/* Write n lanes of esz to Vd: a full vector (bytes 16), a 64-bit one or a
 * scalar; everything above is zeroed. */
static inline void put_lanes(a64_cpu *s, unsigned rd, unsigned esz, unsigned n, const uint64_t *x)
{
	a64_vreg r = { .d = { 0, 0 } };
	pack(&r, esz, n, 0, x);
	s->v[rd] = r;
}

int fpsimd_exec_fp(a64_cpu *s, uint32_t insn);	/* scalar FP (fpsimd_fp.c) */
int fpsimd_exec_vec(a64_cpu *s, uint32_t insn);	/* AdvSIMD (fpsimd_vec.c) */
/* AdvSIMD classes in fpsimd_vfp.c and fpsimd_move.c (scalar: bit 28). */
int fpsimd_fp_three_same(a64_cpu *s, uint32_t insn, bool scalar);
int fpsimd_fp_two_misc(a64_cpu *s, uint32_t insn, bool scalar);
int fpsimd_copy(a64_cpu *s, uint32_t insn, bool scalar);
int fpsimd_modified_imm(a64_cpu *s, uint32_t insn, bool scalar);
int fpsimd_permute(a64_cpu *s, uint32_t insn, bool scalar);
int fpsimd_ext(a64_cpu *s, uint32_t insn, bool scalar);
int fpsimd_tbl(a64_cpu *s, uint32_t insn, bool scalar);
/* VFPExpandImm: the 8-bit FP immediate of FMOV (scalar and vector). */
uint64_t fpsimd_expand_imm(unsigned imm8, int fmt);

/* fpsimd_crypto.c: 0 executed, -1 UNDEFINED, 1 not a crypto instruction */
int fpsimd_exec_crypto(a64_cpu *s, uint32_t insn);

#endif
