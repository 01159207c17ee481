/*
 * F and D on the host's IEEE-754 unit: the rounding mode is set per
 * instruction (fesetround) and the exception flags read back
 * (fetestexcept); x86-64 and AArch64 both detect tininess after
 * rounding, as RISC-V does. Operands and results go through volatile
 * so the compiler cannot move arithmetic across the fenv calls.
 * What the host cannot express is done here: round-to-nearest-max-
 * magnitude (RMM) fixes up exact ties, NaNs are canonicalised, singles
 * are NaN-boxed, and conversions to integers saturate as the spec says.
 */
#include <fenv.h>
#include <math.h>
#include <string.h>

#include "rv.h"
#include "rv_ops.h"

#define OP(name) RV_OP(name)
#define NEXT RV_NEXT

enum { RM_RNE, RM_RTZ, RM_RDN, RM_RUP, RM_RMM };
enum { FF_NX = 1, FF_UF = 2, FF_OF = 4, FF_DZ = 8, FF_NV = 16 };

#define CANON_S 0x7fc00000u
#define CANON_D 0x7ff8000000000000ull

static inline bool fs_off(const rv_hart *h)
{
	return !(h->mstatus & MSTATUS_FS);
}

static inline uint32_t fs_bits(const rv_hart *h, int r)
{
	uint64_t v = h->f[r];
	return (v >> 32) == 0xffffffffu ? (uint32_t)v : CANON_S;
}
static inline float fs_get(const rv_hart *h, int r)
{
	uint32_t b = fs_bits(h, r);
	float f;
	memcpy(&f, &b, 4);
	return f;
}
static inline double fd_get(const rv_hart *h, int r)
{
	double f;
	memcpy(&f, &h->f[r], 8);
	return f;
}
static inline void fs_setbits(rv_hart *h, int r, uint32_t b)
{
	h->f[r] = 0xffffffff00000000ull | b;
	h->mstatus |= MSTATUS_FS;
}
static inline void fd_setbits(rv_hart *h, int r, uint64_t b)
{
	h->f[r] = b;
	h->mstatus |= MSTATUS_FS;
}
static inline void fs_set(rv_hart *h, int r, float f)
{
	uint32_t b;
	memcpy(&b, &f, 4);
	fs_setbits(h, r, isnan(f) ? CANON_S : b);
}
static inline void fd_set(rv_hart *h, int r, double f)
{
	uint64_t b;
	memcpy(&b, &f, 8);
	fd_setbits(h, r, isnan(f) ? CANON_D : b);
}

static const int host_rm[5] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD, FE_TONEAREST };

/* The instruction's rounding mode, or -1 if reserved (illegal). */
static inline int get_rm(const rv_hart *h, const rv_insn *d)
{
	int rm = d->imm & 7;
	if (rm == 7)
		rm = (int)h->frm;
	return rm > RM_RMM ? -1 : rm;
}

static inline void fp_begin(int rm)
{
	if (host_rm[rm] != FE_TONEAREST)
		fesetround(host_rm[rm]);
	feclearexcept(FE_ALL_EXCEPT);
}

static inline void fp_end(rv_hart *h, int rm)
{
	int e = fetestexcept(FE_ALL_EXCEPT);
	if (host_rm[rm] != FE_TONEAREST)
		fesetround(FE_TONEAREST);
	h->fflags |= (e & FE_INVALID ? FF_NV : 0) | (e & FE_DIVBYZERO ? FF_DZ : 0) |
		     (e & FE_OVERFLOW ? FF_OF : 0) | (e & FE_UNDERFLOW ? FF_UF : 0) |
		     (e & FE_INEXACT ? FF_NX : 0);
	h->mstatus |= MSTATUS_FS;
}

static inline bool is_snan_s(uint32_t b)
{
	return (b & 0x7f800000) == 0x7f800000 && (b & 0x7fffff) && !(b & 0x400000);
}
static inline bool is_snan_d(uint64_t b)
{
	return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull) &&
	       !(b & 0x8000000000000ull);
}

/* RMM: r was rounded to nearest-even and err = exact - r. On an exact
 * tie pick the neighbour further from zero. */
#define RMM_FIX(T, NEXTAFTER, r, err) do { \
	if ((err) != 0 && isfinite(r)) { \
		T c_ = NEXTAFTER(r, (err) > 0 ? (T)INFINITY : -(T)INFINITY); \
		if (c_ - (r) == 2 * (err) && fabs((double)c_) > fabs((double)(r))) \
			(r) = c_; \
	} } while (0)

#define FP_PROLOGUE(rmvar) \
	int rmvar = get_rm(h, d); \
	if (fs_off(h) || rmvar < 0) \
		RV_ILLEGAL()

/* ---- arithmetic ---- */

#define ARITH(name, T, GET, SET, NEXTAFTER, FMA, expr, errexpr) \
	OP(name) { \
		FP_PROLOGUE(rm); \
		volatile T a = GET(h, d->rs1), b = GET(h, d->rs2); \
		volatile T r; \
		fp_begin(rm); \
		r = (expr); \
		fp_end(h, rm); \
		T res = r; \
		if (rm == RM_RMM) { \
			T A = a, B = b, R = r, err = (errexpr); \
			(void)A; (void)B; (void)R; \
			RMM_FIX(T, NEXTAFTER, res, err); \
		} \
		SET(h, d->rd, res); \
		NEXT; \
	}

/* Error terms of the nearest rounding (exact in round-to-nearest). */
#define ADD_ERR(R, A, B) ((A - (R - (R - A))) + (B - (R - A)))
ARITH(fadd_s, float, fs_get, fs_set, nextafterf, fmaf, a + b, ADD_ERR(R, A, B))
ARITH(fsub_s, float, fs_get, fs_set, nextafterf, fmaf, a - b, ADD_ERR(R, A, -B))
ARITH(fmul_s, float, fs_get, fs_set, nextafterf, fmaf, a * b, fmaf(A, B, -R))
ARITH(fdiv_s, float, fs_get, fs_set, nextafterf, fmaf, a / b, 0)	/* no exact ties */
ARITH(fadd_d, double, fd_get, fd_set, nextafter, fma, a + b, ADD_ERR(R, A, B))
ARITH(fsub_d, double, fd_get, fd_set, nextafter, fma, a - b, ADD_ERR(R, A, -B))
ARITH(fmul_d, double, fd_get, fd_set, nextafter, fma, a * b, fma(A, B, -R))
ARITH(fdiv_d, double, fd_get, fd_set, nextafter, fma, a / b, 0)

OP(fsqrt_s)
{
	FP_PROLOGUE(rm);
	volatile float a = fs_get(h, d->rs1), r;
	fp_begin(rm);
	r = sqrtf(a);
	fp_end(h, rm);
	fs_set(h, d->rd, r);
	NEXT;
}
OP(fsqrt_d)
{
	FP_PROLOGUE(rm);
	volatile double a = fd_get(h, d->rs1), r;
	fp_begin(rm);
	r = sqrt(a);
	fp_end(h, rm);
	fd_set(h, d->rd, r);
	NEXT;
}

/* RMM for a fused multiply-add: r was rounded to nearest-even. The exact
 * a*b+c is formed in binary128 (a*b is exact there); if that is exact too
 * and lies halfway between r and its neighbour, take the one further from
 * zero. An inexact binary128 sum cannot be a tie of a narrower format. */
static double fma_rmm_fix(double r, double a, double b, double c, bool single)
{
	volatile __float128 q;
	__float128 nb, lo, hi;
	double n;
	int ex;

	if (!isfinite(r))
		return r;
	feclearexcept(FE_ALL_EXCEPT);
	q = (__float128)a * (__float128)b + (__float128)c;
	ex = fetestexcept(FE_INEXACT);
	feclearexcept(FE_ALL_EXCEPT);
	if (ex || q == (__float128)r)
		return r;
	n = single ? (double)nextafterf((float)r, q > (__float128)r ? INFINITY : -INFINITY)
		   : nextafter(r, q > (__float128)r ? INFINITY : -INFINITY);
	nb = (__float128)n;
	lo = q - (__float128)r;
	hi = nb - q;
	if (isfinite(n) && lo == hi && fabs(n) > fabs(r))
		return n;
	return r;
}

#define FMA_OP(name, T, GET, SET, FMA, na, nc) \
	OP(name) { \
		FP_PROLOGUE(rm); \
		int rs3 = (d->imm >> 3) & 31; \
		volatile T a = GET(h, d->rs1), b = GET(h, d->rs2), c = GET(h, rs3), r; \
		T res; \
		fp_begin(rm); \
		r = FMA(na a, b, nc c); \
		fp_end(h, rm); \
		res = r; \
		if (rm == RM_RMM) \
			res = (T)fma_rmm_fix(res, na (double)a, (double)b, nc (double)c, \
					    sizeof(T) == 4); \
		SET(h, d->rd, res); \
		NEXT; \
	}
FMA_OP(fmadd_s, float, fs_get, fs_set, fmaf, +, +)
FMA_OP(fmsub_s, float, fs_get, fs_set, fmaf, +, -)
FMA_OP(fnmsub_s, float, fs_get, fs_set, fmaf, -, +)
FMA_OP(fnmadd_s, float, fs_get, fs_set, fmaf, -, -)
FMA_OP(fmadd_d, double, fd_get, fd_set, fma, +, +)
FMA_OP(fmsub_d, double, fd_get, fd_set, fma, +, -)
FMA_OP(fnmsub_d, double, fd_get, fd_set, fma, -, +)
FMA_OP(fnmadd_d, double, fd_get, fd_set, fma, -, -)

/* ---- sign injection, min/max, compare, classify, moves ---- */

#define NO_RM_PROLOGUE() if (fs_off(h)) RV_ILLEGAL()

OP(fsgnj_s) { NO_RM_PROLOGUE(); fs_setbits(h, d->rd, (fs_bits(h, d->rs1) & 0x7fffffff) | (fs_bits(h, d->rs2) & 0x80000000)); NEXT; }
OP(fsgnjn_s) { NO_RM_PROLOGUE(); fs_setbits(h, d->rd, (fs_bits(h, d->rs1) & 0x7fffffff) | (~fs_bits(h, d->rs2) & 0x80000000)); NEXT; }
OP(fsgnjx_s) { NO_RM_PROLOGUE(); fs_setbits(h, d->rd, fs_bits(h, d->rs1) ^ (fs_bits(h, d->rs2) & 0x80000000)); NEXT; }
#define SIGN_D (1ull << 63)
OP(fsgnj_d) { NO_RM_PROLOGUE(); fd_setbits(h, d->rd, (h->f[d->rs1] & ~SIGN_D) | (h->f[d->rs2] & SIGN_D)); NEXT; }
OP(fsgnjn_d) { NO_RM_PROLOGUE(); fd_setbits(h, d->rd, (h->f[d->rs1] & ~SIGN_D) | (~h->f[d->rs2] & SIGN_D)); NEXT; }
OP(fsgnjx_d) { NO_RM_PROLOGUE(); fd_setbits(h, d->rd, h->f[d->rs1] ^ (h->f[d->rs2] & SIGN_D)); NEXT; }

#define MINMAX(name, T, BITS, GET, SETB, SET, SNAN, CANON, is_max) \
	OP(name) { \
		NO_RM_PROLOGUE(); \
		T a = GET(h, d->rs1), b = GET(h, d->rs2); \
		BITS xa, xb; memcpy(&xa, &a, sizeof(a)); memcpy(&xb, &b, sizeof(b)); \
		if (SNAN(xa) || SNAN(xb)) \
			h->fflags |= FF_NV; \
		if (isnan(a) && isnan(b)) { SETB(h, d->rd, CANON); NEXT; } \
		if (isnan(a)) { SETB(h, d->rd, xb); NEXT; } \
		if (isnan(b)) { SETB(h, d->rd, xa); NEXT; } \
		if (a == b) { /* +0/-0: min prefers -0, max prefers +0 */ \
			SETB(h, d->rd, is_max ? (xa & xb) : (xa | xb)); NEXT; } \
		SET(h, d->rd, (is_max ? a > b : a < b) ? a : b); \
		NEXT; \
	}
MINMAX(fmin_s, float, uint32_t, fs_get, fs_setbits, fs_set, is_snan_s, CANON_S, 0)
MINMAX(fmax_s, float, uint32_t, fs_get, fs_setbits, fs_set, is_snan_s, CANON_S, 1)
MINMAX(fmin_d, double, uint64_t, fd_get, fd_setbits, fd_set, is_snan_d, CANON_D, 0)
MINMAX(fmax_d, double, uint64_t, fd_get, fd_setbits, fd_set, is_snan_d, CANON_D, 1)

#define CMP(name, T, BITS, GET, SNAN, expr, signaling) \
	OP(name) { \
		NO_RM_PROLOGUE(); \
		T a = GET(h, d->rs1), b = GET(h, d->rs2); \
		BITS xa, xb; memcpy(&xa, &a, sizeof(a)); memcpy(&xb, &b, sizeof(b)); \
		if (isnan(a) || isnan(b)) { \
			if ((signaling) || SNAN(xa) || SNAN(xb)) \
				h->fflags |= FF_NV; \
			h->x[d->rd] = 0; \
		} else { \
			h->x[d->rd] = (expr); \
		} \
		h->mstatus |= MSTATUS_FS; \
		NEXT; \
	}
CMP(feq_s, float, uint32_t, fs_get, is_snan_s, a == b, 0)
CMP(flt_s, float, uint32_t, fs_get, is_snan_s, a < b, 1)
CMP(fle_s, float, uint32_t, fs_get, is_snan_s, a <= b, 1)
CMP(feq_d, double, uint64_t, fd_get, is_snan_d, a == b, 0)
CMP(flt_d, double, uint64_t, fd_get, is_snan_d, a < b, 1)
CMP(fle_d, double, uint64_t, fd_get, is_snan_d, a <= b, 1)

static uint64_t classify(bool neg, int fpc, bool snan)
{
	switch (fpc) {
	case FP_INFINITE: return neg ? 1u << 0 : 1u << 7;
	case FP_NORMAL: return neg ? 1u << 1 : 1u << 6;
	case FP_SUBNORMAL: return neg ? 1u << 2 : 1u << 5;
	case FP_ZERO: return neg ? 1u << 3 : 1u << 4;
	default: return snan ? 1u << 8 : 1u << 9;
	}
}
OP(fclass_s)
{
	NO_RM_PROLOGUE();
	uint32_t b = fs_bits(h, d->rs1);
	h->x[d->rd] = classify(b >> 31, fpclassify(fs_get(h, d->rs1)), is_snan_s(b));
	NEXT;
}
OP(fclass_d)
{
	NO_RM_PROLOGUE();
	uint64_t b = h->f[d->rs1];
	h->x[d->rd] = classify(b >> 63, fpclassify(fd_get(h, d->rs1)), is_snan_d(b));
	NEXT;
}

OP(fmv_x_w) { NO_RM_PROLOGUE(); h->x[d->rd] = (uint64_t)(int64_t)(int32_t)(uint32_t)h->f[d->rs1]; NEXT; }
OP(fmv_w_x) { NO_RM_PROLOGUE(); fs_setbits(h, d->rd, (uint32_t)h->x[d->rs1]); NEXT; }
OP(fmv_x_d) { NO_RM_PROLOGUE(); h->x[d->rd] = h->f[d->rs1]; NEXT; }
OP(fmv_d_x) { NO_RM_PROLOGUE(); fd_setbits(h, d->rd, h->x[d->rs1]); NEXT; }

/* ---- conversions ---- */

static double round_rm(double x, int rm)
{
	switch (rm) {
	case RM_RTZ: return trunc(x);
	case RM_RDN: return floor(x);
	case RM_RUP: return ceil(x);
	case RM_RMM: return round(x);
	default: return nearbyint(x);	/* host mode is round-to-nearest here */
	}
}

/* To a signed/unsigned integer of `bits` with saturation and flags. */
static uint64_t to_int(rv_hart *h, double x, int rm, bool is_signed, int nbits)
{
	double r, lo, hi;

	if (isnan(x)) {
		h->fflags |= FF_NV;
		return is_signed ? (nbits == 32 ? (uint64_t)INT32_MAX : (uint64_t)INT64_MAX)
				 : (nbits == 32 ? (uint64_t)(int64_t)(int32_t)UINT32_MAX : UINT64_MAX);
	}
	r = round_rm(x, rm);
	lo = is_signed ? -ldexp(1, nbits - 1) : 0;
	hi = is_signed ? ldexp(1, nbits - 1) : ldexp(1, nbits);	/* exclusive */
	if (r < lo || r >= hi) {
		h->fflags |= FF_NV;
		if (r < lo)
			return is_signed ? (nbits == 32 ? (uint64_t)(int64_t)INT32_MIN : (uint64_t)INT64_MIN) : 0;
		return is_signed ? (nbits == 32 ? (uint64_t)INT32_MAX : (uint64_t)INT64_MAX)
				 : (nbits == 32 ? (uint64_t)(int64_t)(int32_t)UINT32_MAX : UINT64_MAX);
	}
	if (r != x)
		h->fflags |= FF_NX;
	if (is_signed)
		return nbits == 32 ? (uint64_t)(int64_t)(int32_t)r : (uint64_t)(int64_t)r;
	return nbits == 32 ? (uint64_t)(int64_t)(int32_t)(uint32_t)r : (uint64_t)r;
}

#define TO_INT(name, GET, is_signed, nbits) \
	OP(name) { \
		FP_PROLOGUE(rm); \
		h->x[d->rd] = to_int(h, (double)GET(h, d->rs1), rm, is_signed, nbits); \
		h->mstatus |= MSTATUS_FS; \
		NEXT; \
	}
TO_INT(fcvt_w_s, fs_get, true, 32)
TO_INT(fcvt_wu_s, fs_get, false, 32)
TO_INT(fcvt_l_s, fs_get, true, 64)
TO_INT(fcvt_lu_s, fs_get, false, 64)
TO_INT(fcvt_w_d, fd_get, true, 32)
TO_INT(fcvt_wu_d, fd_get, false, 32)
TO_INT(fcvt_l_d, fd_get, true, 64)
TO_INT(fcvt_lu_d, fd_get, false, 64)

/* From an integer (exact value X); RMM ties fixed in integer arithmetic. */
#define FROM_INT(name, T, SET, NEXTAFTER, ITYPE, src) \
	OP(name) { \
		FP_PROLOGUE(rm); \
		ITYPE x = (ITYPE)(src); \
		volatile ITYPE vx = x; \
		volatile T r; \
		fp_begin(rm); \
		r = (T)vx; \
		fp_end(h, rm); \
		T res = r; \
		if (rm == RM_RMM && isfinite(res)) { \
			__int128 X = (__int128)x, R = (__int128)res; \
			if (X != R) { \
				T c = NEXTAFTER(res, X > R ? (T)INFINITY : -(T)INFINITY); \
				if (isfinite(c) && (__int128)c - X == X - R && fabs((double)c) > fabs((double)res)) \
					res = c; \
			} \
		} \
		SET(h, d->rd, res); \
		NEXT; \
	}
FROM_INT(fcvt_s_w, float, fs_set, nextafterf, int32_t, h->x[d->rs1])
FROM_INT(fcvt_s_wu, float, fs_set, nextafterf, uint32_t, h->x[d->rs1])
FROM_INT(fcvt_s_l, float, fs_set, nextafterf, int64_t, h->x[d->rs1])
FROM_INT(fcvt_s_lu, float, fs_set, nextafterf, uint64_t, h->x[d->rs1])
FROM_INT(fcvt_d_w, double, fd_set, nextafter, int32_t, h->x[d->rs1])
FROM_INT(fcvt_d_wu, double, fd_set, nextafter, uint32_t, h->x[d->rs1])
FROM_INT(fcvt_d_l, double, fd_set, nextafter, int64_t, h->x[d->rs1])
FROM_INT(fcvt_d_lu, double, fd_set, nextafter, uint64_t, h->x[d->rs1])

OP(fcvt_s_d)
{
	FP_PROLOGUE(rm);
	volatile double a = fd_get(h, d->rs1);
	volatile float r;
	fp_begin(rm);
	r = (float)a;
	fp_end(h, rm);
	float res = r;
	if (rm == RM_RMM && isfinite(res) && (double)res != a) {
		double x = a;
		float c = nextafterf(res, x > res ? INFINITY : -INFINITY);
		if (isfinite(c) && (double)c - x == x - (double)res && fabsf(c) > fabsf(res))
			res = c;
	}
	fs_set(h, d->rd, res);
	NEXT;
}

OP(fcvt_d_s)
{
	FP_PROLOGUE(rm);
	volatile float a = fs_get(h, d->rs1);
	volatile double r;
	fp_begin(rm);
	r = (double)a;
	fp_end(h, rm);
	fd_set(h, d->rd, r);
	NEXT;
}

/* ---- loads and stores ---- */

OP(flw)
{
	uint64_t v;
	if (fs_off(h))
		RV_ILLEGAL();
	RV_SYNC_IN();
	if (!rv_load(h, d, h->x[d->rs1] + (int64_t)d->imm, 4, &v))
		return NULL;
	RV_SYNC_OUT();
	fs_setbits(h, d->rd, (uint32_t)v);
	NEXT;
}
OP(fld)
{
	uint64_t v;
	if (fs_off(h))
		RV_ILLEGAL();
	RV_SYNC_IN();
	if (!rv_load(h, d, h->x[d->rs1] + (int64_t)d->imm, 8, &v))
		return NULL;
	RV_SYNC_OUT();
	fd_setbits(h, d->rd, v);
	NEXT;
}
OP(fsw)
{
	if (fs_off(h))
		RV_ILLEGAL();
	RV_SYNC_IN();
	if (!rv_store(h, d, h->x[d->rs1] + (int64_t)d->imm, 4, (uint32_t)h->f[d->rs2]))
		return NULL;
	RV_SYNC_OUT();
	NEXT;
}
OP(fsd)
{
	if (fs_off(h))
		RV_ILLEGAL();
	RV_SYNC_IN();
	if (!rv_store(h, d, h->x[d->rs1] + (int64_t)d->imm, 8, h->f[d->rs2]))
		return NULL;
	RV_SYNC_OUT();
	NEXT;
}
