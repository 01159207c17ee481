/*
 * IEEE operations with Arm semantics on raw bit patterns. The arithmetic
 * itself runs on the host FPU (one correctly rounded operation, with the
 * host rounding mode set from FPCR and the host exception flags read
 * back); what differs between x86 and Arm is done here: NaN selection and
 * quieting, the default NaN, flush-to-zero of inputs and outputs, and
 * tininess detected before rounding. Half precision (FCVT only in v8.0),
 * estimates and integer conversions are done in software.
 */
#include <fenv.h>
#include <math.h>
#include "fpsimd.h"

/*
 * Host FP environment around one operation: rounding mode in, exception
 * flags out (as FPSR bits). On x86-64 this is the SSE control/status
 * register itself: fenv's functions also save and load the x87 state and
 * cost several times the arithmetic.
 */
#if defined(__x86_64__)
#include <xmmintrin.h>
typedef unsigned host_env;
static const unsigned mx_rc[4] = { 0x0000, 0x4000, 0x2000, 0x6000 };

/* All exceptions masked, no DAZ/FTZ, flags clear, the rounding mode. */
static inline host_env host_begin(int rmode)
{
	unsigned saved = _mm_getcsr();
	_mm_setcsr(0x1f80u | mx_rc[rmode]);
	return saved;
}

static inline void host_set_rmode(int rmode)
{
	_mm_setcsr((_mm_getcsr() & ~0x6000u) | mx_rc[rmode]);
}

static inline uint32_t host_flags(void)
{
	unsigned m = _mm_getcsr();
	return (m & 1 ? FPSR_IOC : 0) | (m & 4 ? FPSR_DZC : 0) | (m & 8 ? FPSR_OFC : 0) |
	       (m & 0x20 ? FPSR_IXC : 0);
}

static inline void host_end(host_env saved)
{
	_mm_setcsr(saved);
}
#else
typedef int host_env;
static const int host_rmode[4] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };

static inline host_env host_begin(int rmode)
{
	fesetround(host_rmode[rmode]);
	feclearexcept(FE_ALL_EXCEPT);
	return 0;
}

static inline void host_set_rmode(int rmode)
{
	fesetround(host_rmode[rmode]);
}

static inline uint32_t host_flags(void)
{
	int ex = fetestexcept(FE_ALL_EXCEPT);
	return (ex & FE_INVALID ? FPSR_IOC : 0) | (ex & FE_DIVBYZERO ? FPSR_DZC : 0) |
	       (ex & FE_OVERFLOW ? FPSR_OFC : 0) | (ex & FE_INEXACT ? FPSR_IXC : 0);
}

static inline void host_end(host_env saved)
{
	(void)saved;
	fesetround(FE_TONEAREST);
}
#endif

static inline unsigned fbits_of(int fmt) { return fmt == FMT_H ? 10 : fmt == FMT_S ? 23 : 52; }
static inline unsigned ebits_of(int fmt) { return fmt == FMT_H ? 5 : fmt == FMT_S ? 8 : 11; }
static inline uint64_t frac_of(int fmt, uint64_t a) { return a & ((1ull << fbits_of(fmt)) - 1); }
static inline uint64_t exp_of(int fmt, uint64_t a)
{
	return (a >> fbits_of(fmt)) & ((1u << ebits_of(fmt)) - 1);
}
static inline uint64_t exp_max(int fmt) { return (1u << ebits_of(fmt)) - 1; }
static inline bool is_nan(int fmt, uint64_t a) { return exp_of(fmt, a) == exp_max(fmt) && frac_of(fmt, a); }
static inline uint64_t quiet_bit(int fmt) { return 1ull << (fbits_of(fmt) - 1); }
static inline bool is_snan(int fmt, uint64_t a) { return is_nan(fmt, a) && !(a & quiet_bit(fmt)); }
static inline bool is_inf(int fmt, uint64_t a) { return exp_of(fmt, a) == exp_max(fmt) && !frac_of(fmt, a); }
static inline bool is_zero(int fmt, uint64_t a) { return fp_abs(fmt, a) == 0; }
static inline uint64_t sign_of(int fmt, uint64_t a) { return a & fp_sign_bit(fmt); }
static inline uint64_t inf_of(int fmt, uint64_t sign) { return sign | exp_max(fmt) << fbits_of(fmt); }
static inline uint64_t min_normal(int fmt) { return 1ull << fbits_of(fmt); }
static inline uint64_t max_normal(int fmt, uint64_t sign) { return inf_of(fmt, sign) - 1; }

static uint64_t default_nan(int fmt)
{
	return inf_of(fmt, 0) | quiet_bit(fmt);
}

static double to_double(int fmt, uint64_t a);

/* FZ: denormal single/double inputs become zero (IDC). */
static inline uint64_t flush_in(a64_cpu *s, int fmt, uint64_t a)
{
	if ((s->fpcr & FPCR_FZ) && fmt != FMT_H && exp_of(fmt, a) == 0 && frac_of(fmt, a)) {
		s->fpsr |= FPSR_IDC;
		return sign_of(fmt, a);
	}
	return a;
}

static uint64_t process_nan(a64_cpu *s, int fmt, uint64_t a)
{
	if (is_snan(fmt, a)) {
		s->fpsr |= FPSR_IOC;
		a |= quiet_bit(fmt);
	}
	return (s->fpcr & FPCR_DN) ? default_nan(fmt) : a;
}

/* Arm NaN selection: the first signalling NaN, then the first quiet one. */
static bool process_nans(a64_cpu *s, int fmt, const uint64_t *ops, int n, uint64_t *r)
{
	for (int i = 0; i < n; i++)
		if (is_snan(fmt, ops[i])) {
			*r = process_nan(s, fmt, ops[i]);
			return true;
		}
	for (int i = 0; i < n; i++)
		if (is_nan(fmt, ops[i])) {
			*r = process_nan(s, fmt, ops[i]);
			return true;
		}
	return false;
}

/* ------------------------------------------------------------------ */
/* host arithmetic */

enum { H_ADD, H_SUB, H_MUL, H_DIV, H_SQRT, H_FMA, H_D2S };

static inline float f32(uint64_t a) { float f; uint32_t u = (uint32_t)a; memcpy(&f, &u, 4); return f; }
static inline double f64(uint64_t a) { double d; memcpy(&d, &a, 8); return d; }
static inline uint64_t bits32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline uint64_t bits64(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

static uint64_t host_calc(int op, int fmt, uint64_t a, uint64_t b, uint64_t c)
{
	if (op == H_D2S) {
		volatile double x = f64(a);
		volatile float r = (float)x;
		return bits32(r);
	}
	if (fmt == FMT_S) {
		volatile float x = f32(a), y = f32(b), z = f32(c), r;
		switch (op) {
		case H_ADD: r = x + y; break;
		case H_SUB: r = x - y; break;
		case H_MUL: r = x * y; break;
		case H_DIV: r = x / y; break;
		case H_SQRT: r = sqrtf(x); break;
		default: r = fmaf(y, z, x); break;
		}
		return bits32(r);
	}
	volatile double x = f64(a), y = f64(b), z = f64(c), r;
	switch (op) {
	case H_ADD: r = x + y; break;
	case H_SUB: r = x - y; break;
	case H_MUL: r = x * y; break;
	case H_DIV: r = x / y; break;
	case H_SQRT: r = sqrt(x); break;
	default: r = fma(y, z, x); break;
	}
	return bits64(r);
}

/* One host operation on non-NaN operands, result format fmt, with Arm's
 * flags, default NaN, tininess-before-rounding and flush-to-zero. */
static uint64_t host_round(a64_cpu *s, int op, int fmt, uint64_t a, uint64_t b, uint64_t c,
			   int rmode)
{
	host_env env = host_begin(rmode);
	uint64_t r = host_calc(op, fmt, a, b, c);
	uint32_t fl = host_flags();
	if (is_nan(fmt, r)) {
		r = default_nan(fmt);
	} else {
		uint64_t mag = fp_abs(fmt, r);
		bool tiny = false;
		if (mag < min_normal(fmt))
			tiny = mag != 0 || (fl & FPSR_IXC);
		else if (mag == min_normal(fmt) && (fl & FPSR_IXC)) {
			/* rounded up to the smallest normal: was it tiny before? */
			host_set_rmode(RM_ZERO);
			tiny = fp_abs(fmt, host_calc(op, fmt, a, b, c)) < min_normal(fmt);
		}
		if (tiny && (s->fpcr & FPCR_FZ)) {
			r = sign_of(fmt, r);
			fl = (fl & ~FPSR_IXC) | FPSR_UFC;
		} else if (tiny && (fl & FPSR_IXC)) {
			fl |= FPSR_UFC;
		}
	}
	host_end(env);
	s->fpsr |= fl;
	return r;
}

/* ------------------------------------------------------------------ */

static uint64_t fp_two(int fmt, uint64_t sign)
{
	return sign | (fmt == FMT_S ? 0x40000000ull : 0x4000000000000000ull);
}

static uint64_t fp_const(int fmt, double d)
{
	return fmt == FMT_S ? bits32((float)d) : bits64(d);
}

static int fp_lt(int fmt, uint64_t a, uint64_t b)
{
	return to_double(fmt, a) < to_double(fmt, b);
}

uint64_t fp_op2(a64_cpu *s, enum fp_op op, int fmt, uint64_t a, uint64_t b)
{
	uint64_t ops[2], r;

	a = flush_in(s, fmt, a);
	b = flush_in(s, fmt, b);
	if (op == FOP_MAXNM || op == FOP_MINNM) {
		bool qa = is_nan(fmt, a) && !is_snan(fmt, a), qb = is_nan(fmt, b) && !is_snan(fmt, b);
		uint64_t other = inf_of(fmt, op == FOP_MAXNM ? fp_sign_bit(fmt) : 0);
		if (qa && !qb)
			a = other;
		else if (qb && !qa)
			b = other;
		op = op == FOP_MAXNM ? FOP_MAX : FOP_MIN;
	}
	if (op == FOP_RECPS || op == FOP_RSQRTS)
		a = fp_neg(fmt, a);
	ops[0] = a;
	ops[1] = b;
	if (process_nans(s, fmt, ops, 2, &r))
		return op == FOP_ABD ? fp_abs(fmt, r) : r;

	switch (op) {
	case FOP_ADD: return host_round(s, H_ADD, fmt, a, b, 0, fp_rmode(s));
	case FOP_SUB: return host_round(s, H_SUB, fmt, a, b, 0, fp_rmode(s));
	case FOP_ABD: return fp_abs(fmt, host_round(s, H_SUB, fmt, a, b, 0, fp_rmode(s)));
	case FOP_DIV: return host_round(s, H_DIV, fmt, a, b, 0, fp_rmode(s));
	case FOP_MUL: return host_round(s, H_MUL, fmt, a, b, 0, fp_rmode(s));
	case FOP_MAX:
	case FOP_MIN:
		if (is_zero(fmt, a) && is_zero(fmt, b))
			return op == FOP_MAX ? a & b : a | b;
		return (fp_lt(fmt, a, b) ^ (op == FOP_MAX)) ? a : b;
	default:
		break;
	}
	bool special = (is_inf(fmt, a) && is_zero(fmt, b)) || (is_zero(fmt, a) && is_inf(fmt, b));
	switch (op) {
	case FOP_MULX:
		if (special)
			return fp_two(fmt, sign_of(fmt, a ^ b));
		return host_round(s, H_MUL, fmt, a, b, 0, fp_rmode(s));
	case FOP_RECPS:
		if (special)
			return fp_two(fmt, 0);
		return host_round(s, H_FMA, fmt, fp_const(fmt, 2.0), a, b, fp_rmode(s));
	default:	/* FOP_RSQRTS: (3 - a * b) / 2 */
		if (special)
			return fp_const(fmt, 1.5);
		if (is_inf(fmt, a) || is_inf(fmt, b))
			return inf_of(fmt, sign_of(fmt, a ^ b));
		/* one rounding, no spurious overflow: 1.5 + (a / 2) * b, halving
		 * whichever operand halves exactly */
		if (exp_of(fmt, a) > 1)
			return host_round(s, H_FMA, fmt, fp_const(fmt, 1.5), a - min_normal(fmt), b,
					  fp_rmode(s));
		if (exp_of(fmt, b) > 1)
			return host_round(s, H_FMA, fmt, fp_const(fmt, 1.5), a, b - min_normal(fmt),
					  fp_rmode(s));
		/* both tiny: a * b is far below 1.5, (3 + a * b) / 2 rounds once */
		r = host_round(s, H_FMA, fmt, fp_const(fmt, 3.0), a, b, fp_rmode(s));
		return host_round(s, H_MUL, fmt, r, fp_const(fmt, 0.5), 0, fp_rmode(s));
	}
}

uint64_t fp_muladd(a64_cpu *s, int fmt, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t ops[3], r;

	ops[0] = a = flush_in(s, fmt, a);
	ops[1] = b = flush_in(s, fmt, b);
	ops[2] = c = flush_in(s, fmt, c);
	bool inf_zero = (is_inf(fmt, b) && is_zero(fmt, c)) || (is_zero(fmt, b) && is_inf(fmt, c));
	if (is_nan(fmt, a) && !is_snan(fmt, a) && inf_zero && !is_snan(fmt, b) && !is_snan(fmt, c)) {
		s->fpsr |= FPSR_IOC;
		return default_nan(fmt);
	}
	if (process_nans(s, fmt, ops, 3, &r))
		return r;
	return host_round(s, H_FMA, fmt, a, b, c, fp_rmode(s));
}

uint64_t fp_sqrt(a64_cpu *s, int fmt, uint64_t a)
{
	a = flush_in(s, fmt, a);
	if (is_nan(fmt, a))
		return process_nan(s, fmt, a);
	return host_round(s, H_SQRT, fmt, a, 0, 0, fp_rmode(s));
}

unsigned fp_compare(a64_cpu *s, int fmt, uint64_t a, uint64_t b, bool signal_qnan)
{
	a = flush_in(s, fmt, a);
	b = flush_in(s, fmt, b);
	if (is_nan(fmt, a) || is_nan(fmt, b)) {
		if (signal_qnan || is_snan(fmt, a) || is_snan(fmt, b))
			s->fpsr |= FPSR_IOC;
		return 0x3;
	}
	double x = to_double(fmt, a), y = to_double(fmt, b);
	return x == y ? 0x6 : x < y ? 0x8 : 0x2;
}

bool fp_cmp_cond(a64_cpu *s, int fmt, uint64_t a, uint64_t b, int cond)
{
	a = flush_in(s, fmt, a);
	b = flush_in(s, fmt, b);
	if (is_nan(fmt, a) || is_nan(fmt, b)) {
		if (cond || is_snan(fmt, a) || is_snan(fmt, b))
			s->fpsr |= FPSR_IOC;
		return false;
	}
	double x = to_double(fmt, a), y = to_double(fmt, b);
	return cond == 0 ? x == y : cond == 1 ? x >= y : x > y;
}

/* ------------------------------------------------------------------ */
/* conversions */

static double to_double(int fmt, uint64_t a)
{
	if (fmt == FMT_D)
		return f64(a);
	if (fmt == FMT_S)
		return (double)f32(a);
	/* half: exact */
	int e = (int)exp_of(FMT_H, a);
	uint64_t f = frac_of(FMT_H, a);
	double v;
	if (e == 31)
		v = f ? NAN : INFINITY;
	else if (e == 0)
		v = ldexp((double)f, -24);
	else
		v = ldexp((double)(f | 1024), e - 25);
	return sign_of(FMT_H, a) ? -v : v;
}

static uint64_t from_double_exact(int fmt, double d)
{
	return fmt == FMT_D ? bits64(d) : bits32((float)d);
}

/* Round a finite nonzero double to half precision. */
static uint64_t round_to_half(a64_cpu *s, double d, int rmode)
{
	uint64_t db = bits64(d), sign = db >> 63 << 15;
	int e = (int)((db >> 52) & 0x7ff);
	uint64_t m = db & ((1ull << 52) - 1);
	int exp;	/* value = m * 2^exp */
	if (e) {
		m |= 1ull << 52;
		exp = e - 1075;
	} else {
		exp = -1074;
	}
	int top = 63 - __builtin_clzll(m);	/* value in [2^(top+exp), 2^(top+exp+1)) */
	int E = top + exp;
	int q = (E < -14 ? -14 : E) - 10;	/* quantum exponent */
	int shift = q - exp;
	uint64_t kept, rem, halfway;
	bool inexact;
	if (shift <= 0) {
		kept = m << -shift;
		rem = 0;
		halfway = 1;
	} else if (shift >= 64) {
		kept = 0;
		rem = 1;	/* nonzero, below half */
		halfway = 2;
	} else {
		kept = m >> shift;
		rem = m & ((1ull << shift) - 1);
		halfway = 1ull << (shift - 1);
	}
	inexact = rem != 0;
	bool up = false;
	switch (rmode) {
	case RM_TIEEVEN: up = rem > halfway || (rem == halfway && shift > 0 && (kept & 1)); break;
	case RM_TIEAWAY: up = rem >= halfway && shift > 0; break;
	case RM_POSINF: up = inexact && !sign; break;
	case RM_NEGINF: up = inexact && sign; break;
	default: break;
	}
	if (shift <= 0)
		up = false;
	kept += up;
	if (inexact) {
		s->fpsr |= FPSR_IXC;
		if (E < -14)
			s->fpsr |= FPSR_UFC;
	}
	if (kept >= 2048) {
		kept >>= 1;
		q++;
	}
	if (kept < 1024)
		return sign | kept;	/* subnormal (or rounded to a normal below) */
	int biased = q + 10 + 15;
	if (biased >= 31) {
		s->fpsr |= FPSR_OFC | FPSR_IXC;
		bool to_inf = rmode == RM_TIEEVEN || rmode == RM_TIEAWAY ||
			      (rmode == RM_POSINF && !sign) || (rmode == RM_NEGINF && sign);
		return sign | (to_inf ? 0x7c00 : 0x7bff);
	}
	return sign | (uint64_t)biased << 10 | (kept & 0x3ff);
}

uint64_t fp_convert(a64_cpu *s, int from, int to, uint64_t a)
{
	a = flush_in(s, from, a);
	if (is_nan(from, a)) {
		if (is_snan(from, a))
			s->fpsr |= FPSR_IOC;
		if (s->fpcr & FPCR_DN)
			return default_nan(to);
		uint64_t f = frac_of(from, a) | quiet_bit(from);
		int d = (int)fbits_of(to) - (int)fbits_of(from);
		f = d >= 0 ? f << d : f >> -d;
		return (sign_of(from, a) ? fp_sign_bit(to) : 0) | inf_of(to, 0) | f;
	}
	if (is_inf(from, a))
		return inf_of(to, sign_of(from, a) ? fp_sign_bit(to) : 0);
	if (is_zero(from, a))
		return sign_of(from, a) ? fp_sign_bit(to) : 0;
	if (to == FMT_H)
		return round_to_half(s, to_double(from, a), fp_rmode(s));
	if (from == FMT_D && to == FMT_S)
		return host_round(s, H_D2S, FMT_S, a, 0, 0, fp_rmode(s));
	return from_double_exact(to, to_double(from, a));	/* widening: exact */
}

uint64_t fp_convert_odd(a64_cpu *s, uint64_t d)
{
	d = flush_in(s, FMT_D, d);
	if (is_nan(FMT_D, d) || is_inf(FMT_D, d) || is_zero(FMT_D, d))
		return fp_convert(s, FMT_D, FMT_S, d);
	uint32_t saved = s->fpsr;
	s->fpsr = 0;
	uint64_t r = host_round(s, H_D2S, FMT_S, d, 0, 0, RM_ZERO);
	if (s->fpsr & FPSR_IXC)
		r |= 1;
	s->fpsr |= saved;
	return r;
}

static double round_by_mode(double x, int rmode)
{
	switch (rmode) {
	case RM_POSINF: return ceil(x);
	case RM_NEGINF: return floor(x);
	case RM_ZERO: return trunc(x);
	case RM_TIEAWAY: return round(x);
	default: {
		double f = floor(x), d = x - f;
		if (d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0))
			f += 1;
		return copysign(f, x);
	}
	}
}

uint64_t fp_to_int(a64_cpu *s, int fmt, uint64_t a, int rmode, unsigned fbits,
		   unsigned ibits, bool is_unsigned)
{
	a = flush_in(s, fmt, a);
	if (is_nan(fmt, a)) {
		s->fpsr |= FPSR_IOC;
		return 0;
	}
	double x = ldexp(to_double(fmt, a), (int)fbits), r = round_by_mode(x, rmode);
	uint64_t mask = ibits == 64 ? ~0ull : (1ull << ibits) - 1, v;
	if (is_unsigned) {
		if (r >= ldexp(1.0, (int)ibits)) {
			s->fpsr |= FPSR_IOC;
			return mask;
		}
		if (r < 0) {
			s->fpsr |= FPSR_IOC;
			return 0;
		}
		v = (uint64_t)r;
	} else {
		double lim = ldexp(1.0, (int)ibits - 1);
		if (r >= lim) {
			s->fpsr |= FPSR_IOC;
			return mask >> 1;
		}
		if (r < -lim) {
			s->fpsr |= FPSR_IOC;
			return (mask >> 1) + 1;
		}
		v = (uint64_t)(int64_t)r & mask;
	}
	if (r != x)
		s->fpsr |= FPSR_IXC;
	return v;
}

uint64_t int_to_fp(a64_cpu *s, int fmt, uint64_t v, unsigned ibits, unsigned fbits,
		   bool is_unsigned)
{
	int rmode = fp_rmode(s);
	uint64_t r;

	if (!is_unsigned)
		v = sext(v, ibits);
	else if (ibits < 64)
		v &= (1ull << ibits) - 1;
	host_env env = host_begin(rmode);
	if (fmt == FMT_S) {
		volatile float f = is_unsigned ? (float)v : (float)(int64_t)v;
		f = f * (float)ldexp(1.0, -(int)fbits);
		r = bits32(f);
	} else {
		volatile double d = is_unsigned ? (double)v : (double)(int64_t)v;
		d = d * ldexp(1.0, -(int)fbits);
		r = bits64(d);
	}
	s->fpsr |= host_flags() & FPSR_IXC;
	host_end(env);
	return r;
}

uint64_t fp_round_int(a64_cpu *s, int fmt, uint64_t a, int rmode, bool exact)
{
	a = flush_in(s, fmt, a);
	if (is_nan(fmt, a))
		return process_nan(s, fmt, a);
	if (is_inf(fmt, a) || is_zero(fmt, a))
		return a;
	double x = to_double(fmt, a), r = round_by_mode(x, rmode);
	if (exact && r != x)
		s->fpsr |= FPSR_IXC;
	return from_double_exact(fmt, r);
}

/* ------------------------------------------------------------------ */
/* estimates (the architecture's exact tables, computed) */

static unsigned recip_estimate(unsigned a)
{
	a = a * 2 + 1;
	unsigned b = (1u << 19) / a;
	return (b + 1) / 2;
}

static unsigned rsqrt_estimate(unsigned a)
{
	if (a < 256)
		a = a * 2 + 1;
	else
		a = ((a >> 1) << 1) * 2 + 2;
	uint64_t b = 512;
	while ((uint64_t)a * (b + 1) * (b + 1) < (1ull << 28))
		b++;
	return (unsigned)((b + 1) / 2);
}

uint32_t u_recpe(uint32_t a)
{
	if (!(a >> 31))
		return 0xffffffffu;
	return (uint32_t)recip_estimate(a >> 23) << 23;
}

uint32_t u_rsqrte(uint32_t a)
{
	if (!(a >> 30))
		return 0xffffffffu;
	return (uint32_t)rsqrt_estimate(a >> 23) << 23;
}

/* Fraction as 52 bits (double layout) for the estimate tables. */
static uint64_t frac52(int fmt, uint64_t a)
{
	return fmt == FMT_D ? frac_of(fmt, a) : frac_of(fmt, a) << 29;
}

static uint64_t pack_est(int fmt, uint64_t sign, int64_t exp, uint64_t f52)
{
	if (fmt == FMT_D)
		return sign | (uint64_t)exp << 52 | f52;
	return sign | (uint64_t)exp << 23 | f52 >> 29;
}

uint64_t fp_recpe(a64_cpu *s, int fmt, uint64_t a)
{
	const uint64_t M52 = (1ull << 52) - 1;
	a = flush_in(s, fmt, a);
	uint64_t sign = sign_of(fmt, a);
	if (is_nan(fmt, a))
		return process_nan(s, fmt, a);
	if (is_inf(fmt, a))
		return sign;
	if (is_zero(fmt, a)) {
		s->fpsr |= FPSR_DZC;
		return inf_of(fmt, sign);
	}
	double mag = fabs(to_double(fmt, a));
	if (mag < ldexp(1.0, fmt == FMT_D ? -1024 : -128)) {
		int rm = fp_rmode(s);
		bool to_inf = rm == RM_TIEEVEN || (rm == RM_POSINF && !sign) || (rm == RM_NEGINF && sign);
		s->fpsr |= FPSR_OFC | FPSR_IXC;
		return to_inf ? inf_of(fmt, sign) : max_normal(fmt, sign);
	}
	if ((s->fpcr & FPCR_FZ) && mag >= ldexp(1.0, fmt == FMT_D ? 1022 : 126)) {
		s->fpsr |= FPSR_UFC;
		return sign;
	}
	int64_t exp = (int64_t)exp_of(fmt, a);
	uint64_t f = frac52(fmt, a);
	if (exp == 0) {
		if (!(f >> 51)) {
			exp = -1;
			f = (f << 2) & M52;
		} else {
			f = (f << 1) & M52;
		}
	}
	unsigned est = recip_estimate(256 | (unsigned)(f >> 44));
	int64_t rexp = (fmt == FMT_D ? 2045 : 253) - exp;
	f = (uint64_t)(est & 0xff) << 44;
	if (rexp == 0) {
		f = 1ull << 51 | f >> 1;
	} else if (rexp == -1) {
		f = 1ull << 50 | f >> 2;
		rexp = 0;
	}
	return pack_est(fmt, sign, rexp, f);
}

uint64_t fp_rsqrte(a64_cpu *s, int fmt, uint64_t a)
{
	const uint64_t M52 = (1ull << 52) - 1;
	a = flush_in(s, fmt, a);
	uint64_t sign = sign_of(fmt, a);
	if (is_nan(fmt, a))
		return process_nan(s, fmt, a);
	if (is_zero(fmt, a)) {
		s->fpsr |= FPSR_DZC;
		return inf_of(fmt, sign);
	}
	if (sign) {
		s->fpsr |= FPSR_IOC;
		return default_nan(fmt);
	}
	if (is_inf(fmt, a))
		return 0;
	int64_t exp = (int64_t)exp_of(fmt, a);
	uint64_t f = frac52(fmt, a);
	if (exp == 0) {
		while (!(f >> 51)) {
			f = (f << 1) & M52;
			exp--;
		}
		f = (f << 1) & M52;
	}
	unsigned scaled = (exp & 1) ? 128 | (unsigned)(f >> 45) : 256 | (unsigned)(f >> 44);
	int64_t rexp = ((fmt == FMT_D ? 3068 : 380) - exp) / 2;
	unsigned est = rsqrt_estimate(scaled);
	return pack_est(fmt, 0, rexp, (uint64_t)(est & 0xff) << 44);
}

uint64_t fp_recpx(a64_cpu *s, int fmt, uint64_t a)
{
	a = flush_in(s, fmt, a);
	if (is_nan(fmt, a))
		return process_nan(s, fmt, a);
	uint64_t e = exp_of(fmt, a), emax = exp_max(fmt);
	e = e == 0 ? emax - 1 : (~e & emax);
	return sign_of(fmt, a) | e << fbits_of(fmt);
}
