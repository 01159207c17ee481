/*
 * AdvSIMD integer data processing, vector and scalar forms (three same,
 * three different, two-register misc, across lanes, shifts by immediate,
 * by element), and the dispatch of every AdvSIMD class (FP ones are in
 * fpsimd_vfp.c, moves and permutes in fpsimd_move.c).
 * Lanes are unpacked into uint64_t arrays, the operation runs in one loop
 * per opcode (switch outside the loop), then the result is packed back:
 * no per-lane function pointers. The ops glibc's string routines live on
 * take fast paths on host vectors instead.
 */
#include "fpsimd.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

/* Saturate v to esz bits, signed or unsigned, setting QC. */
static uint64_t sat(a64_cpu *s, s128 v, unsigned esz, bool to_unsigned)
{
	unsigned eb = 8 << esz;
	s128 lo, hi;

	if (to_unsigned) {
		lo = 0;
		hi = ((s128)1 << eb) - 1;
	} else {
		hi = ((s128)1 << (eb - 1)) - 1;
		lo = -hi - 1;
	}
	if (v > hi) {
		s->fpsr |= FPSR_QC;
		v = hi;
	} else if (v < lo) {
		s->fpsr |= FPSR_QC;
		v = lo;
	}
	return (uint64_t)v & emask(esz);
}

enum { SAT_NONE, SAT_S, SAT_U };

/* Shift one element by a signed amount (register shifts, and immediate
 * shifts expressed the same way); rnd rounds right shifts. */
static uint64_t shift_elem(a64_cpu *s, uint64_t a, int sh, unsigned esz, bool sgn,
			   bool rnd, int satmode)
{
	s128 e = sgn ? (s128)sx(a, esz) : (s128)a, r;

	if (sh >= 0) {
		if (e == 0)
			r = 0;
		else if (sh >= 64)
			r = satmode ? (e < 0 ? -((s128)1 << 100) : ((s128)1 << 100)) : 0;
		else
			r = e * ((s128)1 << sh);
	} else {
		int k = -sh;
		if (k > 64)
			r = rnd ? 0 : (e < 0 ? -1 : 0);
		else
			r = (e + (rnd ? ((s128)1 << (k - 1)) : 0)) >> k;
	}
	if (satmode)
		return sat(s, r, esz, satmode == SAT_U);
	return (uint64_t)r & emask(esz);
}

static uint64_t pmul8(uint64_t a, uint64_t b)
{
	uint64_t r = 0;
	a &= 0xff;
	for (int i = 0; i < 8; i++)
		if (b & (1u << i))
			r ^= a << i;
	return r;
}

static uint64_t sqdmulh(a64_cpu *s, uint64_t a, uint64_t b, unsigned esz, bool rnd)
{
	unsigned eb = 8 << esz;
	s128 p = 2 * (s128)sx(a, esz) * sx(b, esz);
	if (rnd)
		p += (s128)1 << (eb - 1);
	return sat(s, p >> eb, esz, false);
}

/* ------------------------------------------------------------------ */

/*
 * Fast paths on host vectors (GCC/Clang generic vector types, SSE2 on
 * x86-64) for the element-wise integer ops glibc's string and memory
 * routines run in their inner loops. Comparisons yield all-ones lanes
 * exactly as AdvSIMD does.
 */
typedef uint8_t vu8 __attribute__((vector_size(16)));
typedef int8_t vs8 __attribute__((vector_size(16)));
typedef uint16_t vu16 __attribute__((vector_size(16)));
typedef int16_t vs16 __attribute__((vector_size(16)));
typedef uint32_t vu32 __attribute__((vector_size(16)));
typedef int32_t vs32 __attribute__((vector_size(16)));
typedef uint64_t vu64 __attribute__((vector_size(16)));
typedef int64_t vs64 __attribute__((vector_size(16)));

#if defined(__clang__) || __GNUC__ >= 12
#define SHUFFLE(x, y, ...) __builtin_shufflevector(x, y, __VA_ARGS__)
#else
#define SHUFFLE(x, y, ...) __builtin_shuffle(x, y, (__typeof__(x)){ __VA_ARGS__ })
#endif
/* even and odd lanes of the concatenation x:y, for the pairwise ops */
#define EVENS16 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
#define ODDS16 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31
#define EVENS8 0, 2, 4, 6, 8, 10, 12, 14
#define ODDS8 1, 3, 5, 7, 9, 11, 13, 15
#define EVENS4 0, 2, 4, 6
#define ODDS4 1, 3, 5, 7
#define EVENS2 0, 2
#define ODDS2 1, 3

/* key = U:opcode of the three-same class; pairwise ops arrive remapped. */
#define FAST_OPS(VU, VS)						\
	switch (key) {							\
	case 0x10: r = a + b; break;					\
	case 0x30: r = a - b; break;					\
	case 0x31: r = (VU)(a == b); break;				\
	case 0x11: r = (VU)((a & b) != 0); break;			\
	case 0x06: r = (VU)((VS)a > (VS)b); break;			\
	case 0x26: r = (VU)(a > b); break;				\
	case 0x07: r = (VU)((VS)a >= (VS)b); break;			\
	case 0x27: r = (VU)(a >= b); break;				\
	case 0x0c: mk = (VU)((VS)a > (VS)b); r = (a & mk) | (b & ~mk); break; \
	case 0x2c: mk = (VU)(a > b); r = (a & mk) | (b & ~mk); break;	\
	case 0x0d: mk = (VU)((VS)a < (VS)b); r = (a & mk) | (b & ~mk); break; \
	case 0x2d: mk = (VU)(a < b); r = (a & mk) | (b & ~mk); break;	\
	case 0x0e: mk = (VU)((VS)a > (VS)b); r = ((a - b) & mk) | ((b - a) & ~mk); break; \
	case 0x2e: mk = (VU)(a > b); r = ((a - b) & mk) | ((b - a) & ~mk); break; \
	case 0x13: r = a * b; break;					\
	case 0x12: r = d + a * b; break;				\
	case 0x32: r = d - a * b; break;				\
	default: return false;						\
	}

#define FAST_BODY(VU, VS, EV, OD)					\
	{								\
		VU a, b, d, r, mk, x, y;				\
		memcpy(&x, vn, 16);					\
		memcpy(&y, vm, 16);					\
		memcpy(&d, vd, 16);					\
		if (pairwise) {						\
			if (!q) {					\
				memcpy((uint8_t *)&x + 8, vm, 8);	\
				y = x;					\
			}						\
			a = SHUFFLE(x, y, EV);		\
			b = SHUFFLE(x, y, OD);		\
		} else {						\
			a = x;						\
			b = y;						\
		}							\
		(void)mk;						\
		FAST_OPS(VU, VS)					\
		memcpy(out, &r, 16);					\
		return true;						\
	}

static bool three_same_fast(unsigned key, unsigned esz, bool q, bool pairwise, void *out,
			    const void *vd, const void *vn, const void *vm)
{
	switch (esz) {
	case 0: FAST_BODY(vu8, vs8, EVENS16, ODDS16)
	case 1: FAST_BODY(vu16, vs16, EVENS8, ODDS8)
	case 2: FAST_BODY(vu32, vs32, EVENS4, ODDS4)
	default: FAST_BODY(vu64, vs64, EVENS2, ODDS2)
	}
}

static int int_three_same(a64_cpu *s, uint32_t insn, bool scalar)
{
	unsigned u = bits(insn, 29, 29), esz = bits(insn, 23, 22);
	unsigned q = bits(insn, 30, 30), opc = bits(insn, 15, 11);
	unsigned rd = RD(insn), rn = RN(insn), rm = RM(insn);

	if (opc >= 0x18)
		return fpsimd_fp_three_same(s, insn, scalar);
	if (opc == 3 && !scalar) {	/* bitwise: whole register */
		uint64_t r[2], *dd = s->v[rd].d;
		const uint64_t *nn = s->v[rn].d, *mm = s->v[rm].d;
		for (int i = 0; i < 2; i++) {
			switch (u << 2 | esz) {
			case 0: r[i] = nn[i] & mm[i]; break;
			case 1: r[i] = nn[i] & ~mm[i]; break;
			case 2: r[i] = nn[i] | mm[i]; break;
			case 3: r[i] = nn[i] | ~mm[i]; break;
			case 4: r[i] = nn[i] ^ mm[i]; break;
			case 5: r[i] = (dd[i] & nn[i]) | (~dd[i] & mm[i]); break;
			case 6: r[i] = (dd[i] & ~mm[i]) | (nn[i] & mm[i]); break;
			default: r[i] = (dd[i] & mm[i]) | (nn[i] & ~mm[i]); break;
			}
		}
		dd[0] = r[0];
		dd[1] = q ? r[1] : 0;
		return 0;
	}
	if (scalar) {
		switch (opc) {
		case 1: case 5: case 9: case 11:
			break;
		case 6: case 7: case 8: case 10: case 16: case 17:
			if (esz != 3)
				return -1;
			break;
		case 22:
			if (esz == 0 || esz == 3)
				return -1;
			break;
		default:
			return -1;
		}
	} else {
		if (esz == 3 && !q)
			return -1;
		switch (opc) {
		case 0: case 2: case 4: case 12: case 13: case 14: case 15:
		case 18: case 20: case 21:
			if (esz == 3)
				return -1;
			break;
		case 19:
			if (esz == 3 || (u && esz != 0))
				return -1;
			break;
		case 22:
			if (esz == 0 || esz == 3)
				return -1;
			break;
		case 23:
			if (u)
				return -1;
			break;
		}
	}

	if (!scalar) {
		unsigned key = u << 5 | opc;
		bool pw = opc >= 20 && opc != 22;
		a64_vreg r;
		if (pw)
			key = opc == 23 ? 0x10 : (u << 5) | (opc == 20 ? 0x0c : 0x0d);
		if (three_same_fast(key, esz, q, pw, &r, &s->v[rd], &s->v[rn], &s->v[rm])) {
			s->v[rd].d[0] = r.d[0];
			s->v[rd].d[1] = q ? r.d[1] : 0;
			return 0;
		}
	}

	unsigned n = scalar ? 1 : (q ? 16 : 8) >> esz;
	uint64_t a[16], b[16], r[16], m = emask(esz);
	unpack(&s->v[rn], esz, n, 0, a);
	unpack(&s->v[rm], esz, n, 0, b);
	if (opc >= 20 && opc != 22) {	/* pairwise: operate on adjacent pairs of Vm:Vn */
		uint64_t c[32];
		memcpy(c, a, n * 8);
		memcpy(c + n, b, n * 8);
		for (unsigned i = 0; i < n; i++) {
			a[i] = c[2 * i];
			b[i] = c[2 * i + 1];
		}
		opc = opc == 20 ? 12 : opc == 21 ? 13 : 16;
		u = opc == 16 ? 0 : u;
	}

#define LOOP(expr) for (unsigned i = 0; i < n; i++) r[i] = (expr) & m; break
#define SA sx(a[i], esz)
#define SB sx(b[i], esz)
	switch (u << 5 | opc) {
	case 0x00: LOOP((uint64_t)((SA + SB) >> 1));			/* SHADD */
	case 0x20: LOOP((uint64_t)(((u128)a[i] + b[i]) >> 1));		/* UHADD */
	case 0x01: LOOP(sat(s, (s128)SA + SB, esz, false));		/* SQADD */
	case 0x21: LOOP(sat(s, (s128)a[i] + b[i], esz, true));		/* UQADD */
	case 0x02: LOOP((uint64_t)((SA + SB + 1) >> 1));		/* SRHADD */
	case 0x22: LOOP((uint64_t)(((u128)a[i] + b[i] + 1) >> 1));	/* URHADD */
	case 0x04: LOOP((uint64_t)((SA - SB) >> 1));			/* SHSUB */
	case 0x24: LOOP((uint64_t)(((s128)a[i] - (s128)b[i]) >> 1));	/* UHSUB */
	case 0x05: LOOP(sat(s, (s128)SA - SB, esz, false));		/* SQSUB */
	case 0x25: LOOP(sat(s, (s128)a[i] - (s128)b[i], esz, true));	/* UQSUB */
	case 0x06: LOOP(SA > SB ? ~0ull : 0);				/* CMGT */
	case 0x26: LOOP(a[i] > b[i] ? ~0ull : 0);			/* CMHI */
	case 0x07: LOOP(SA >= SB ? ~0ull : 0);				/* CMGE */
	case 0x27: LOOP(a[i] >= b[i] ? ~0ull : 0);			/* CMHS */
	case 0x08: case 0x28: case 0x09: case 0x29:
	case 0x0a: case 0x2a: case 0x0b: case 0x2b:	/* [SU][Q][R]SHL */
		for (unsigned i = 0; i < n; i++)
			r[i] = shift_elem(s, a[i], (int8_t)b[i], esz, !u, opc & 2,
					  (opc & 1) ? (u ? SAT_U : SAT_S) : SAT_NONE);
		break;
	case 0x0c: LOOP(SA > SB ? a[i] : b[i]);				/* SMAX */
	case 0x2c: LOOP(a[i] > b[i] ? a[i] : b[i]);			/* UMAX */
	case 0x0d: LOOP(SA < SB ? a[i] : b[i]);				/* SMIN */
	case 0x2d: LOOP(a[i] < b[i] ? a[i] : b[i]);			/* UMIN */
	case 0x0e: LOOP(SA > SB ? a[i] - b[i] : b[i] - a[i]);		/* SABD */
	case 0x2e: LOOP(a[i] > b[i] ? a[i] - b[i] : b[i] - a[i]);	/* UABD */
	case 0x0f: case 0x2f: {						/* [SU]ABA */
		uint64_t d[16];
		unpack(&s->v[rd], esz, n, 0, d);
		LOOP(d[i] + ((u ? a[i] > b[i] : SA > SB) ? a[i] - b[i] : b[i] - a[i]));
	}
	case 0x10: LOOP(a[i] + b[i]);					/* ADD */
	case 0x30: LOOP(a[i] - b[i]);					/* SUB */
	case 0x11: LOOP((a[i] & b[i]) ? ~0ull : 0);			/* CMTST */
	case 0x31: LOOP(a[i] == b[i] ? ~0ull : 0);			/* CMEQ */
	case 0x12: case 0x32: {						/* MLA, MLS */
		uint64_t d[16];
		unpack(&s->v[rd], esz, n, 0, d);
		LOOP(u ? d[i] - a[i] * b[i] : d[i] + a[i] * b[i]);
	}
	case 0x13: LOOP(a[i] * b[i]);					/* MUL */
	case 0x33: LOOP(pmul8(a[i], b[i]));				/* PMUL */
	case 0x16: LOOP(sqdmulh(s, a[i], b[i], esz, false));		/* SQDMULH */
	case 0x36: LOOP(sqdmulh(s, a[i], b[i], esz, true));		/* SQRDMULH */
	default:
		return -1;
	}
	put_lanes(s, rd, esz, n, r);
	return 0;
}

/* ------------------------------------------------------------------ */

static int three_different(a64_cpu *s, uint32_t insn, bool scalar)
{
	unsigned u = bits(insn, 29, 29), esz = bits(insn, 23, 22);
	unsigned q = bits(insn, 30, 30), opc = bits(insn, 15, 12);
	unsigned rd = RD(insn), n = scalar ? 1 : 8 >> esz, half = scalar ? 0 : q * n;
	unsigned wesz = esz + 1;
	uint64_t a[8], b[8], d[8], r[8], wm;

	if (esz == 3)
		return -1;
	wm = emask(wesz);
	if (scalar && ((opc != 9 && opc != 11 && opc != 13) || u || esz == 0))
		return -1;
	if ((opc == 9 || opc == 11 || opc == 13) && (u || esz == 0))
		return -1;
	if (opc == 14 && (u || (esz != 0)))
		return -1;	/* PMULL: 8-bit only (64-bit needs the crypto extension) */
	if (opc == 15)
		return -1;

	bool wide_a = opc == 1 || opc == 3;	/* [SU]ADDW, [SU]SUBW */
	bool narrow = opc == 4 || opc == 6;	/* ADDHN, SUBHN */
	if (wide_a || narrow)
		unpack(&s->v[RN(insn)], wesz, n, 0, a);
	else
		unpack(&s->v[RN(insn)], esz, n, half, a);
	if (narrow)
		unpack(&s->v[RM(insn)], wesz, n, 0, b);
	else
		unpack(&s->v[RM(insn)], esz, n, half, b);
	if (narrow) {
		uint64_t rnd = u ? 1ull << ((8 << esz) - 1) : 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t v = opc == 4 ? a[i] + b[i] : a[i] - b[i];
			r[i] = (((v + rnd) & wm) >> (8 << esz)) & emask(esz);
		}
		a64_vreg res = s->v[rd];
		if (!q)
			res.d[1] = 0;
		pack(&res, esz, n, half, r);
		s->v[rd] = res;
		return 0;
	}
	/* widen the narrow operands */
	for (unsigned i = 0; i < n; i++) {
		if (!wide_a)
			a[i] = u ? a[i] : (uint64_t)sx(a[i], esz) & wm;
		b[i] = u ? b[i] : (uint64_t)sx(b[i], esz) & wm;
	}
	unpack(&s->v[rd], wesz, n, 0, d);
#define SW(x) sx(x, wesz)
	for (unsigned i = 0; i < n; i++) {
		uint64_t abd = u ? (a[i] > b[i] ? a[i] - b[i] : b[i] - a[i])
				 : (SW(a[i]) > SW(b[i]) ? a[i] - b[i] : b[i] - a[i]);
		switch (opc) {
		case 0: case 1: r[i] = a[i] + b[i]; break;
		case 2: case 3: r[i] = a[i] - b[i]; break;
		case 5: r[i] = d[i] + abd; break;
		case 7: r[i] = abd; break;
		case 8: r[i] = d[i] + a[i] * b[i]; break;
		case 10: r[i] = d[i] - a[i] * b[i]; break;
		case 12: r[i] = a[i] * b[i]; break;
		case 14: r[i] = pmul8(a[i], b[i]); break;
		default: {	/* SQDMLAL, SQDMLSL, SQDMULL */
			uint64_t p = sat(s, 2 * (s128)SW(a[i]) * SW(b[i]), wesz, false);
			if (opc == 9)
				p = sat(s, (s128)SW(d[i]) + SW(p), wesz, false);
			else if (opc == 11)
				p = sat(s, (s128)SW(d[i]) - SW(p), wesz, false);
			r[i] = p;
			break;
		}
		}
		r[i] &= wm;
	}
	put_lanes(s, rd, wesz, n, r);
	return 0;
}

/* ------------------------------------------------------------------ */

static uint64_t rbit8(uint64_t x)
{
	x = ((x & 0xf0) >> 4) | ((x & 0x0f) << 4);
	x = ((x & 0xcc) >> 2) | ((x & 0x33) << 2);
	return ((x & 0xaa) >> 1) | ((x & 0x55) << 1);
}

#define MISC_BODY(VU, VS)						\
	{								\
		VU a, r, z = { 0 };					\
		memcpy(&a, vn, 16);					\
		switch (key) {						\
		case 0x08: r = (VU)((VS)a > (VS)z); break;		\
		case 0x28: r = (VU)((VS)a >= (VS)z); break;		\
		case 0x09: r = (VU)(a == z); break;			\
		case 0x29: r = (VU)((VS)a <= (VS)z); break;		\
		case 0x0a: r = (VU)((VS)a < (VS)z); break;		\
		case 0x2b: r = z - a; break;				\
		default: return false;					\
		}							\
		memcpy(out, &r, 16);					\
		return true;						\
	}

static bool two_misc_fast(unsigned key, unsigned esz, void *out, const void *vn)
{
	if (key == 0x05) {		/* CNT: bytewise population count */
		uint64_t w[2];
		memcpy(w, vn, 16);
		for (int i = 0; i < 2; i++) {
			uint64_t x = w[i];
			x = x - ((x >> 1) & 0x5555555555555555ull);
			x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
			w[i] = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
		}
		memcpy(out, w, 16);
		return true;
	}
	switch (esz) {
	case 0: MISC_BODY(vu8, vs8)
	case 1: MISC_BODY(vu16, vs16)
	case 2: MISC_BODY(vu32, vs32)
	default: MISC_BODY(vu64, vs64)
	}
}

static int two_misc(a64_cpu *s, uint32_t insn, bool scalar)
{
	unsigned u = bits(insn, 29, 29), esz = bits(insn, 23, 22);
	unsigned q = bits(insn, 30, 30), opc = bits(insn, 16, 12);
	unsigned rd = RD(insn), rn = RN(insn), eb = 8 << esz;
	unsigned n = scalar ? 1 : (q ? 16 : 8) >> esz;
	uint64_t a[16], r[16], m = emask(esz);

	if (opc >= 0x16 || (opc >= 0x0c && opc <= 0x0f))
		return fpsimd_fp_two_misc(s, insn, scalar);

	if (opc == 0x12 || opc == 0x13 || opc == 0x14) {	/* narrowing, SHLL */
		if (esz == 3)
			return -1;
		unsigned cnt = scalar ? 1 : 8 >> esz, wesz = esz + 1;
		if (opc == 0x13) {				/* SHLL */
			if (!u || scalar)
				return -1;
			unpack(&s->v[rn], esz, cnt, q ? cnt : 0, a);
			for (unsigned i = 0; i < cnt; i++)
				r[i] = a[i] << eb;
			put_lanes(s, rd, wesz, cnt, r);
			return 0;
		}
		if (scalar && opc == 0x12 && !u)
			return -1;
		unpack(&s->v[rn], wesz, cnt, 0, a);
		for (unsigned i = 0; i < cnt; i++) {
			if (opc == 0x12 && !u)			/* XTN */
				r[i] = a[i] & m;
			else if (opc == 0x12)			/* SQXTUN */
				r[i] = sat(s, sx(a[i], wesz), esz, true);
			else if (!u)				/* SQXTN */
				r[i] = sat(s, sx(a[i], wesz), esz, false);
			else					/* UQXTN */
				r[i] = sat(s, a[i], esz, true);
		}
		if (scalar) {
			put_lanes(s, rd, esz, 1, r);
			return 0;
		}
		a64_vreg res = s->v[rd];
		if (!q)
			res.d[1] = 0;
		pack(&res, esz, cnt, q ? cnt : 0, r);
		s->v[rd] = res;
		return 0;
	}

	if (scalar) {
		switch (opc) {
		case 0x03: case 0x07: break;
		case 0x08: case 0x09: case 0x0a: case 0x0b:
			if (esz != 3)
				return -1;
			break;
		default:
			return -1;
		}
	} else if (esz == 3 && !q) {
		return -1;
	} else if ((opc != 5 || esz == 0) && two_misc_fast(u << 5 | opc, esz, r, &s->v[rn])) {
		s->v[rd].d[0] = r[0];
		s->v[rd].d[1] = q ? r[1] : 0;
		return 0;
	}
	unpack(&s->v[rn], esz, n, 0, a);

	switch (u << 5 | opc) {
	case 0x00: case 0x20: case 0x01: {	/* REV64, REV32, REV16 */
		unsigned cont = opc == 1 ? 1 : u ? 2 : 3;	/* log2 container bytes */
		if (esz >= cont)
			return -1;
		unsigned per = 1u << (cont - esz);
		for (unsigned i = 0; i < n; i++)
			r[i] = a[(i & ~(per - 1)) + (per - 1 - (i & (per - 1)))];
		break;
	}
	case 0x02: case 0x22: case 0x06: case 0x26: {	/* [SU]ADDLP, [SU]ADALP */
		if (esz == 3)
			return -1;
		unsigned wesz = esz + 1, cnt = n / 2;
		uint64_t d[8];
		unpack(&s->v[rd], wesz, cnt, 0, d);
		for (unsigned i = 0; i < cnt; i++) {
			uint64_t x = u ? a[2 * i] : (uint64_t)sx(a[2 * i], esz);
			uint64_t y = u ? a[2 * i + 1] : (uint64_t)sx(a[2 * i + 1], esz);
			r[i] = (x + y + (opc == 6 ? d[i] : 0)) & emask(wesz);
		}
		put_lanes(s, rd, wesz, cnt, r);
		return 0;
	}
	case 0x03: case 0x23: {			/* SUQADD, USQADD */
		uint64_t d[16];
		unpack(&s->v[rd], esz, n, 0, d);
		for (unsigned i = 0; i < n; i++)
			r[i] = u ? sat(s, (s128)d[i] + sx(a[i], esz), esz, true)
				 : sat(s, (s128)sx(d[i], esz) + (s128)a[i], esz, false);
		break;
	}
	case 0x04:				/* CLS */
		if (esz == 3)
			return -1;
		for (unsigned i = 0; i < n; i++) {
			uint64_t v = a[i] ^ (uint64_t)(sx(a[i], esz) >> 1);
			v &= m >> 1;
			r[i] = v ? (unsigned)__builtin_clzll(v) - (64 - eb) - 1 : eb - 1;
		}
		break;
	case 0x24:				/* CLZ */
		if (esz == 3)
			return -1;
		for (unsigned i = 0; i < n; i++)
			r[i] = a[i] ? (unsigned)__builtin_clzll(a[i]) - (64 - eb) : eb;
		break;
	case 0x05:				/* CNT */
		if (esz)
			return -1;
		for (unsigned i = 0; i < n; i++)
			r[i] = __builtin_popcountll(a[i]);
		break;
	case 0x25:				/* NOT, RBIT */
		if (esz > 1)
			return -1;
		n = q ? 16 : 8;
		if (esz == 0) {
			s->v[rd].d[0] = ~s->v[rn].d[0];
			s->v[rd].d[1] = q ? ~s->v[rn].d[1] : 0;
			return 0;
		}
		unpack(&s->v[rn], 0, n, 0, a);
		for (unsigned i = 0; i < n; i++)
			r[i] = rbit8(a[i]);
		esz = 0;
		m = 0xff;
		break;
	case 0x07: for (unsigned i = 0; i < n; i++) r[i] = sat(s, (s128)sx(a[i], esz) < 0 ? -(s128)sx(a[i], esz) : sx(a[i], esz), esz, false); break;	/* SQABS */
	case 0x27: for (unsigned i = 0; i < n; i++) r[i] = sat(s, -(s128)sx(a[i], esz), esz, false); break;	/* SQNEG */
	case 0x08: for (unsigned i = 0; i < n; i++) r[i] = sx(a[i], esz) > 0 ? m : 0; break;	/* CMGT #0 */
	case 0x28: for (unsigned i = 0; i < n; i++) r[i] = sx(a[i], esz) >= 0 ? m : 0; break;	/* CMGE #0 */
	case 0x09: for (unsigned i = 0; i < n; i++) r[i] = a[i] == 0 ? m : 0; break;		/* CMEQ #0 */
	case 0x29: for (unsigned i = 0; i < n; i++) r[i] = sx(a[i], esz) <= 0 ? m : 0; break;	/* CMLE #0 */
	case 0x0a: for (unsigned i = 0; i < n; i++) r[i] = sx(a[i], esz) < 0 ? m : 0; break;	/* CMLT #0 */
	case 0x0b: for (unsigned i = 0; i < n; i++) r[i] = (sx(a[i], esz) < 0 ? -a[i] : a[i]) & m; break; /* ABS */
	case 0x2b: for (unsigned i = 0; i < n; i++) r[i] = -a[i] & m; break;			/* NEG */
	default:
		return -1;
	}
	put_lanes(s, rd, esz, n, r);
	return 0;
}

/* ------------------------------------------------------------------ */

static int across_lanes(a64_cpu *s, uint32_t insn, bool scalar)
{
	(void)scalar;
	unsigned u = bits(insn, 29, 29), esz = bits(insn, 23, 22);
	unsigned q = bits(insn, 30, 30), opc = bits(insn, 16, 12);
	unsigned n = (q ? 16 : 8) >> esz;
	uint64_t a[16], r;

	if (opc == 0x0c || opc == 0x0f) {	/* FMAXNMV, FMINNMV, FMAXV, FMINV */
		if (!u || !q || (esz & 1))
			return -1;
		enum fp_op op = opc == 0x0c ? (esz ? FOP_MINNM : FOP_MAXNM)
					    : (esz ? FOP_MIN : FOP_MAX);
		unpack(&s->v[RN(insn)], FMT_S, 4, 0, a);
		r = fp_op2(s, op, FMT_S, fp_op2(s, op, FMT_S, a[0], a[1]),
			   fp_op2(s, op, FMT_S, a[2], a[3]));
		vreg_set_scalar(s, RD(insn), FMT_S, r);
		return 0;
	}
	if (esz == 3 || (esz == 2 && !q))
		return -1;
	if (esz == 0 && u && (opc == 0x0a || opc == 0x1a)) {	/* UMAXV, UMINV .b */
		const uint8_t *b = s->v[RN(insn)].b;
		unsigned m = b[0];
		for (unsigned i = 1; i < n; i++)
			m = opc == 0x0a ? (b[i] > m ? b[i] : m) : (b[i] < m ? b[i] : m);
		vreg_set_scalar(s, RD(insn), 0, m);
		return 0;
	}
	unpack(&s->v[RN(insn)], esz, n, 0, a);
	switch (u << 5 | opc) {
	case 0x03: case 0x23:			/* SADDLV, UADDLV */
		r = 0;
		for (unsigned i = 0; i < n; i++)
			r += u ? a[i] : (uint64_t)sx(a[i], esz);
		vreg_set_scalar(s, RD(insn), esz + 1, r);
		return 0;
	case 0x1b:				/* ADDV */
		r = 0;
		for (unsigned i = 0; i < n; i++)
			r += a[i];
		break;
	case 0x0a: case 0x1a:			/* SMAXV, SMINV */
		r = a[0];
		for (unsigned i = 1; i < n; i++)
			if (opc == 0x0a ? sx(a[i], esz) > sx(r, esz) : sx(a[i], esz) < sx(r, esz))
				r = a[i];
		break;
	case 0x2a: case 0x3a:			/* UMAXV, UMINV */
		r = a[0];
		for (unsigned i = 1; i < n; i++)
			if (opc == 0x0a ? a[i] > r : a[i] < r)
				r = a[i];
		break;
	default:
		return -1;
	}
	vreg_set_scalar(s, RD(insn), esz, r);
	return 0;
}

static int scalar_pairwise(a64_cpu *s, uint32_t insn, bool scalar)
{
	(void)scalar;
	unsigned u = bits(insn, 29, 29), a = bits(insn, 23, 23), sz = bits(insn, 22, 22);
	unsigned opc = bits(insn, 16, 12), fmt = FMT_S + sz;
	const a64_vreg *vn = &s->v[RN(insn)];

	if (!u) {
		if (opc != 0x1b || bits(insn, 23, 22) != 3)	/* ADDP */
			return -1;
		vreg_set_scalar(s, RD(insn), 3, vn->d[0] + vn->d[1]);
		return 0;
	}
	uint64_t x = lane_get(vn, fmt, 0), y = lane_get(vn, fmt, 1);
	enum fp_op op;
	switch (a << 5 | opc) {
	case 0x0c: op = FOP_MAXNM; break;
	case 0x2c: op = FOP_MINNM; break;
	case 0x0d: op = FOP_ADD; break;
	case 0x0f: op = FOP_MAX; break;
	case 0x2f: op = FOP_MIN; break;
	default: return -1;
	}
	vreg_set_scalar(s, RD(insn), fmt, fp_op2(s, op, fmt, x, y));
	return 0;
}

/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */

static int shift_imm(a64_cpu *s, uint32_t insn, bool scalar)
{
	unsigned q = bits(insn, 30, 30), u = bits(insn, 29, 29);
	unsigned immh = bits(insn, 22, 19), immhb = bits(insn, 22, 16);
	unsigned opc = bits(insn, 15, 11), rd = RD(insn), rn = RN(insn);
	if (!immh)
		return -1;	/* scalar form of the modified-immediate space */
	unsigned esz = 31 - __builtin_clz(immh), eb = 8 << esz;
	int rshift = 2 * eb - immhb, lshift = immhb - eb;
	uint64_t a[16], r[16], d[16], m = emask(esz);

	if (opc == 0x1c || opc == 0x1f) {	/* [SU]CVTF, FCVTZ[SU] fixed point */
		if (esz < 2 || (!scalar && esz == 3 && !q))
			return -1;
		unsigned n = scalar ? 1 : (q ? 16 : 8) >> esz;
		unpack(&s->v[rn], esz, n, 0, a);
		for (unsigned i = 0; i < n; i++)
			r[i] = opc == 0x1c ? int_to_fp(s, esz, a[i], eb, rshift, u)
					   : fp_to_int(s, esz, a[i], RM_ZERO, rshift, eb, u);
		put_lanes(s, rd, esz, n, r);
		return 0;
	}
	if (opc >= 0x10 && opc <= 0x14) {	/* narrowing and widening */
		if (esz == 3)
			return -1;
		unsigned cnt = scalar ? 1 : 8 >> esz, wesz = esz + 1;
		if (opc == 0x14) {		/* [SU]SHLL */
			if (scalar)
				return -1;
			unpack(&s->v[rn], esz, cnt, q ? cnt : 0, a);
			for (unsigned i = 0; i < cnt; i++)
				r[i] = ((u ? a[i] : (uint64_t)sx(a[i], esz)) << lshift) & emask(wesz);
			put_lanes(s, rd, wesz, cnt, r);
			return 0;
		}
		/* right shift amount relative to the wide element */
		int sh = -(int)(2 * eb - immhb);
		bool rnd = opc & 1;
		if (scalar && !u && opc < 0x12)
			return -1;		/* SHRN/RSHRN have no scalar form */
		if (opc == 0x10 && !u && !q) {	/* SHRN: glibc's strlen/memchr syndrome */
			a64_vreg res = { .d = { 0, 0 } };
			const a64_vreg *src = &s->v[rn];
			unsigned k = -sh;
			switch (esz) {
			case 0: for (int i = 0; i < 8; i++) res.b[i] = (uint8_t)(src->h[i] >> k); break;
			case 1: for (int i = 0; i < 4; i++) res.h[i] = (uint16_t)(src->s[i] >> k); break;
			default: for (int i = 0; i < 2; i++) res.s[i] = (uint32_t)(src->d[i] >> k); break;
			}
			s->v[rd] = res;
			return 0;
		}
		unpack(&s->v[rn], wesz, cnt, 0, a);
		for (unsigned i = 0; i < cnt; i++) {
			if (opc < 0x12 && !u)	/* SHRN, RSHRN */
				r[i] = shift_elem(s, a[i], sh, wesz, false, rnd, SAT_NONE) & m;
			else {
				/* SQSHRUN (u, <0x12), SQSHRN (!u), UQSHRN (u) */
				bool sgn = opc < 0x12 || !u;
				uint64_t w = shift_elem(s, a[i], sh, wesz, sgn, rnd, SAT_NONE);
				s128 v = sgn ? (s128)sx(w, wesz) : (s128)w;
				r[i] = sat(s, v, esz, opc < 0x12 || u);
			}
		}
		if (scalar) {
			put_lanes(s, rd, esz, 1, r);
			return 0;
		}
		a64_vreg res = s->v[rd];
		if (!q)
			res.d[1] = 0;
		pack(&res, esz, cnt, q ? cnt : 0, r);
		s->v[rd] = res;
		return 0;
	}

	if (scalar ? esz != 3 && !(opc == 0x0c || opc == 0x0e) : (esz == 3 && !q))
		return -1;
	unsigned n = scalar ? 1 : (q ? 16 : 8) >> esz;
	unpack(&s->v[rn], esz, n, 0, a);
	switch (u << 5 | opc) {
	case 0x00: case 0x20: case 0x04: case 0x24:		/* [SU]SHR, [SU]RSHR */
	case 0x02: case 0x22: case 0x06: case 0x26:		/* [SU]SRA, [SU]RSRA */
		unpack(&s->v[rd], esz, n, 0, d);
		for (unsigned i = 0; i < n; i++) {
			r[i] = shift_elem(s, a[i], -rshift, esz, !u, opc & 4, SAT_NONE);
			if (opc & 2)
				r[i] = (r[i] + d[i]) & m;
		}
		break;
	case 0x28: {						/* SRI */
		unpack(&s->v[rd], esz, n, 0, d);
		uint64_t keep = rshift == (int)eb ? m : ~(m >> rshift) & m;
		for (unsigned i = 0; i < n; i++)
			r[i] = (d[i] & keep) | (rshift == (int)eb ? 0 : a[i] >> rshift);
		break;
	}
	case 0x0a:						/* SHL */
		for (unsigned i = 0; i < n; i++)
			r[i] = (a[i] << lshift) & m;
		break;
	case 0x2a: {						/* SLI */
		unpack(&s->v[rd], esz, n, 0, d);
		uint64_t keep = (1ull << lshift) - 1;
		for (unsigned i = 0; i < n; i++)
			r[i] = ((d[i] & keep) | (a[i] << lshift)) & m;
		break;
	}
	case 0x2c:						/* SQSHLU */
		for (unsigned i = 0; i < n; i++)
			r[i] = shift_elem(s, a[i], lshift, esz, true, false, SAT_U);
		break;
	case 0x0e: case 0x2e:					/* SQSHL, UQSHL (imm) */
		for (unsigned i = 0; i < n; i++)
			r[i] = shift_elem(s, a[i], lshift, esz, !u, false, u ? SAT_U : SAT_S);
		break;
	default:
		return -1;
	}
	put_lanes(s, rd, esz, n, r);
	return 0;
}

/* ------------------------------------------------------------------ */

static int by_element(a64_cpu *s, uint32_t insn, bool scalar)
{
	unsigned q = bits(insn, 30, 30), u = bits(insn, 29, 29);
	unsigned esz = bits(insn, 23, 22), opc = bits(insn, 15, 12);
	unsigned L = bits(insn, 21, 21), M = bits(insn, 20, 20), H = bits(insn, 11, 11);
	unsigned rm = bits(insn, 19, 16), rd = RD(insn), rn = RN(insn), idx;
	bool fp = opc == 1 || opc == 5 || opc == 9;
	uint64_t a[16], r[16], d[16], e;

	if (fp) {
		unsigned sz = esz & 1, fmt = FMT_S + sz;
		if (esz < 2 || (sz && L) || (sz && !q && !scalar) || (u && opc != 9))
			return -1;
		idx = sz ? H : H << 1 | L;
		rm |= M << 4;
		unsigned n = scalar ? 1 : (q ? 16 : 8) >> fmt;
		e = lane_get(&s->v[rm], fmt, idx);
		unpack(&s->v[rn], fmt, n, 0, a);
		unpack(&s->v[rd], fmt, n, 0, d);
		for (unsigned i = 0; i < n; i++) {
			if (opc == 9)
				r[i] = fp_op2(s, u ? FOP_MULX : FOP_MUL, fmt, a[i], e);
			else
				r[i] = fp_muladd(s, fmt, d[i], opc == 5 ? fp_neg(fmt, a[i]) : a[i], e);
		}
		put_lanes(s, rd, fmt, n, r);
		return 0;
	}
	if (esz == 1) {
		idx = H << 2 | L << 1 | M;
	} else if (esz == 2) {
		idx = H << 1 | L;
		rm |= M << 4;
	} else {
		return -1;
	}
	e = lane_get(&s->v[rm], esz, idx);
	bool longop = opc == 2 || opc == 3 || opc == 6 || opc == 7 || opc == 10 || opc == 11;
	if (scalar && !(opc == 3 || opc == 7 || opc == 11 || opc == 12 || opc == 13))
		return -1;
	if (u && !(opc == 0 || opc == 2 || opc == 4 || opc == 6 || opc == 10))
		return -1;
	if (!u && (opc == 0 || opc == 4))
		return -1;
	if (longop) {
		unsigned cnt = scalar ? 1 : 8 >> esz, wesz = esz + 1;
		uint64_t wm = emask(wesz);
		unpack(&s->v[rn], esz, cnt, scalar ? 0 : q * cnt, a);
		unpack(&s->v[rd], wesz, cnt, 0, d);
		for (unsigned i = 0; i < cnt; i++) {
			if (opc & 1) {	/* SQDMLAL, SQDMLSL, SQDMULL */
				uint64_t p = sat(s, 2 * (s128)sx(a[i], esz) * sx(e, esz), wesz, false);
				if (opc == 3)
					p = sat(s, (s128)sx(d[i], wesz) + sx(p, wesz), wesz, false);
				else if (opc == 7)
					p = sat(s, (s128)sx(d[i], wesz) - sx(p, wesz), wesz, false);
				r[i] = p;
			} else {
				uint64_t p = u ? a[i] * e : (uint64_t)(sx(a[i], esz) * sx(e, esz));
				r[i] = (opc == 2 ? d[i] + p : opc == 6 ? d[i] - p : p) & wm;
			}
		}
		put_lanes(s, rd, wesz, cnt, r);
		return 0;
	}
	unsigned n = scalar ? 1 : (q ? 16 : 8) >> esz;
	uint64_t m = emask(esz);
	unpack(&s->v[rn], esz, n, 0, a);
	unpack(&s->v[rd], esz, n, 0, d);
	for (unsigned i = 0; i < n; i++) {
		switch (opc) {
		case 0: r[i] = (d[i] + a[i] * e) & m; break;
		case 4: r[i] = (d[i] - a[i] * e) & m; break;
		case 8: r[i] = (a[i] * e) & m; break;
		case 12: r[i] = sqdmulh(s, a[i], e, esz, false); break;
		case 13: r[i] = sqdmulh(s, a[i], e, esz, true); break;
		default: return -1;
		}
	}
	put_lanes(s, rd, esz, n, r);
	return 0;
}

/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */

/* The AdvSIMD classes, vector and scalar (bit 28), as mask/value pairs
 * (first match wins: modified immediate before shifts). */
static const struct {
	uint32_t mask, value;
	int (*fn)(a64_cpu *s, uint32_t insn, bool scalar);
} vec_classes[] = {
	{ 0x01000400, 0x01000000, by_element },
	{ 0x11f80400, 0x01000400, fpsimd_modified_imm },
	{ 0x01800400, 0x01000400, shift_imm },
	{ 0x01200400, 0x00200400, int_three_same },
	{ 0x01200c00, 0x00200000, three_different },
	{ 0x013e0c00, 0x00200800, two_misc },
	{ 0x113e0c00, 0x00300800, across_lanes },
	{ 0x113e0c00, 0x10300800, scalar_pairwise },
	{ 0x01e08400, 0x00000400, fpsimd_copy },
	{ 0x31e08c00, 0x00000000, fpsimd_tbl },
	{ 0x31208c00, 0x00000800, fpsimd_permute },
	{ 0x31e08400, 0x20000000, fpsimd_ext },
};

int fpsimd_exec_vec(a64_cpu *s, uint32_t insn)
{
	bool scalar = bits(insn, 28, 28);

	if ((insn & 0x80000000u) || (scalar && !bits(insn, 30, 30)))
		return -1;
	for (unsigned i = 0; i < ARRAY_SIZE(vec_classes); i++)
		if ((insn & vec_classes[i].mask) == vec_classes[i].value)
			return vec_classes[i].fn(s, insn, scalar);
	return -1;	/* crypto, FP16, v8.1+ classes */
}
