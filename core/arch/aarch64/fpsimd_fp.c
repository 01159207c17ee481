/*
 * Scalar floating point: data processing (1, 2, 3 sources), compares,
 * conditional compare/select, FMOV immediate, conversions to and from
 * integers (plain and fixed point) and FMOV between register files.
 */
#include "fpsimd.h"

static bool cond_holds(a64_cpu *s, unsigned cond)
{
	const a64_pstate *p = &s->ps;
	bool r;
	switch (cond >> 1) {
	case 0: r = p->z; break;
	case 1: r = p->c; break;
	case 2: r = p->n; break;
	case 3: r = p->v; break;
	case 4: r = p->c && !p->z; break;
	case 5: r = p->n == p->v; break;
	case 6: r = p->n == p->v && !p->z; break;
	default: return true;
	}
	return (cond & 1) ? !r : r;
}

static void set_nzcv(a64_cpu *s, unsigned nzcv)
{
	s->ps.n = nzcv >> 3 & 1;
	s->ps.z = nzcv >> 2 & 1;
	s->ps.c = nzcv >> 1 & 1;
	s->ps.v = nzcv & 1;
}

static inline uint64_t freg(a64_cpu *s, unsigned r, int fmt)
{
	return fmt == FMT_D ? s->v[r].d[0] : fmt == FMT_S ? s->v[r].s[0] : s->v[r].h[0];
}

/* type field (bits 23:22) to format; half only where the caller allows. */
static int type_fmt(unsigned type)
{
	return type == 0 ? FMT_S : type == 1 ? FMT_D : type == 3 ? FMT_H : -1;
}

static int fp_int_convert(a64_cpu *s, uint32_t insn)
{
	unsigned sf = bits(insn, 31, 31), type = bits(insn, 23, 22);
	unsigned rmode = bits(insn, 20, 19), opc = bits(insn, 18, 16);
	unsigned rd = bits(insn, 4, 0), rn = bits(insn, 9, 5), ibits = sf ? 64 : 32;
	int fmt = type_fmt(type);

	if (opc >= 6) {		/* FMOV between general and FP registers */
		bool to_fp = opc == 7;
		if (rmode == 1 && sf && type == 2) {	/* top half of Vd/Vn */
			if (to_fp)
				s->v[rd].d[1] = a64_xreg(s, rn);
			else
				a64_set_xreg(s, rd, s->v[rn].d[1]);
			return 0;
		}
		if (rmode || !((sf && type == 1) || (!sf && type == 0)))
			return -1;
		if (to_fp)
			vreg_set_scalar(s, rd, fmt, a64_xreg(s, rn));
		else
			a64_set_xreg(s, rd, freg(s, rn, fmt));
		return 0;
	}
	if (fmt < 0 || fmt == FMT_H)
		return -1;
	if (opc == 2 || opc == 3) {		/* SCVTF, UCVTF */
		if (rmode)
			return -1;
		uint64_t v = a64_xreg(s, rn);
		vreg_set_scalar(s, rd, fmt, int_to_fp(s, fmt, v, ibits, 0, opc == 3));
		return 0;
	}
	static const int8_t rm_of[4][3] = {	/* rmode x opc>>1 (0: N, 2: A) */
		{ RM_TIEEVEN, -1, RM_TIEAWAY }, { RM_POSINF, -1, -1 },
		{ RM_NEGINF, -1, -1 }, { RM_ZERO, -1, -1 },
	};
	int rm = rm_of[rmode][opc >> 1];
	if (rm < 0)
		return -1;
	a64_set_xreg(s, rd, fp_to_int(s, fmt, freg(s, rn, fmt), rm, 0, ibits, opc & 1));
	return 0;
}

static int fp_fixed_convert(a64_cpu *s, uint32_t insn)
{
	unsigned sf = bits(insn, 31, 31), type = bits(insn, 23, 22);
	unsigned rmode = bits(insn, 20, 19), opc = bits(insn, 18, 16);
	unsigned scale = bits(insn, 15, 10), fbits = 64 - scale, ibits = sf ? 64 : 32;
	unsigned rd = bits(insn, 4, 0), rn = bits(insn, 9, 5);
	int fmt = type_fmt(type);

	if (fmt < 0 || fmt == FMT_H || (!sf && scale < 32))
		return -1;
	if (rmode == 0 && (opc == 2 || opc == 3)) {
		vreg_set_scalar(s, rd, fmt, int_to_fp(s, fmt, a64_xreg(s, rn), ibits, fbits, opc == 3));
		return 0;
	}
	if (rmode == 3 && opc < 2) {
		a64_set_xreg(s, rd, fp_to_int(s, fmt, freg(s, rn, fmt), RM_ZERO, fbits, ibits, opc));
		return 0;
	}
	return -1;
}

static int fp_dp1(a64_cpu *s, uint32_t insn, int fmt)
{
	unsigned opc = bits(insn, 20, 15), rd = bits(insn, 4, 0);
	uint64_t a = freg(s, bits(insn, 9, 5), fmt), r;

	if ((opc & 0x3c) == 0x04) {		/* FCVT */
		int to = type_fmt(opc & 3);
		if (to < 0 || to == fmt)
			return -1;
		vreg_set_scalar(s, rd, to, fp_convert(s, fmt, to, a));
		return 0;
	}
	if (fmt == FMT_H)
		return -1;
	switch (opc) {
	case 0x00: r = a; break;				/* FMOV */
	case 0x01: r = fp_abs(fmt, a); break;			/* FABS */
	case 0x02: r = fp_neg(fmt, a); break;			/* FNEG */
	case 0x03: r = fp_sqrt(s, fmt, a); break;		/* FSQRT */
	case 0x08: r = fp_round_int(s, fmt, a, RM_TIEEVEN, false); break;
	case 0x09: r = fp_round_int(s, fmt, a, RM_POSINF, false); break;
	case 0x0a: r = fp_round_int(s, fmt, a, RM_NEGINF, false); break;
	case 0x0b: r = fp_round_int(s, fmt, a, RM_ZERO, false); break;
	case 0x0c: r = fp_round_int(s, fmt, a, RM_TIEAWAY, false); break;
	case 0x0e: r = fp_round_int(s, fmt, a, fp_rmode(s), true); break;	/* FRINTX */
	case 0x0f: r = fp_round_int(s, fmt, a, fp_rmode(s), false); break;	/* FRINTI */
	default: return -1;
	}
	vreg_set_scalar(s, rd, fmt, r);
	return 0;
}

static int fp_dp2(a64_cpu *s, uint32_t insn, int fmt)
{
	static const int8_t ops[9] = {
		FOP_MUL, FOP_DIV, FOP_ADD, FOP_SUB, FOP_MAX, FOP_MIN, FOP_MAXNM, FOP_MINNM, FOP_MUL,
	};
	unsigned opc = bits(insn, 15, 12);
	uint64_t a = freg(s, bits(insn, 9, 5), fmt), b = freg(s, bits(insn, 20, 16), fmt);

	if (opc > 8)
		return -1;
	uint64_t r = fp_op2(s, ops[opc], fmt, a, b);
	vreg_set_scalar(s, bits(insn, 4, 0), fmt, opc == 8 ? fp_neg(fmt, r) : r);	/* FNMUL */
	return 0;
}

static int fp_dp3(a64_cpu *s, uint32_t insn, int fmt)
{
	unsigned o1 = bits(insn, 21, 21), o0 = bits(insn, 15, 15);
	uint64_t n = freg(s, bits(insn, 9, 5), fmt), m = freg(s, bits(insn, 20, 16), fmt);
	uint64_t a = freg(s, bits(insn, 14, 10), fmt);

	if (o1)
		a = fp_neg(fmt, a);		/* FNMADD, FNMSUB */
	if (o0 != o1)
		n = fp_neg(fmt, n);		/* FMSUB, FNMADD */
	vreg_set_scalar(s, bits(insn, 4, 0), fmt, fp_muladd(s, fmt, a, n, m));
	return 0;
}

int fpsimd_exec_fp(a64_cpu *s, uint32_t insn)
{
	unsigned type = bits(insn, 23, 22), rd = bits(insn, 4, 0), rn = bits(insn, 9, 5);
	int fmt = type_fmt(type);

	if (bits(insn, 29, 29))
		return -1;
	if (bits(insn, 24, 24))
		return bits(insn, 31, 31) || fmt < 0 || fmt == FMT_H ? -1 : fp_dp3(s, insn, fmt);
	if (!bits(insn, 21, 21))
		return fp_fixed_convert(s, insn);
	if (bits(insn, 15, 10) == 0)
		return fp_int_convert(s, insn);
	if (bits(insn, 31, 31) || fmt < 0)
		return -1;
	switch (bits(insn, 11, 10)) {
	case 1: {				/* FCCMP, FCCMPE */
		if (fmt == FMT_H)
			return -1;
		if (cond_holds(s, bits(insn, 15, 12)))
			set_nzcv(s, fp_compare(s, fmt, freg(s, rn, fmt),
					       freg(s, bits(insn, 20, 16), fmt), bits(insn, 4, 4)));
		else
			set_nzcv(s, bits(insn, 3, 0));
		return 0;
	}
	case 2:
		return fmt == FMT_H ? -1 : fp_dp2(s, insn, fmt);
	case 3:					/* FCSEL */
		if (fmt == FMT_H)
			return -1;
		vreg_set_scalar(s, rd, fmt, freg(s, cond_holds(s, bits(insn, 15, 12)) ? rn
						    : bits(insn, 20, 16), fmt));
		return 0;
	}
	if (bits(insn, 12, 12)) {		/* FMOV (scalar, immediate) */
		if (bits(insn, 9, 5) || fmt == FMT_H)
			return -1;
		vreg_set_scalar(s, rd, fmt, fpsimd_expand_imm(bits(insn, 20, 13), fmt));
		return 0;
	}
	if (bits(insn, 13, 13)) {		/* FCMP, FCMPE */
		if (bits(insn, 15, 14) || bits(insn, 2, 0) || fmt == FMT_H)
			return -1;
		uint64_t b = bits(insn, 3, 3) ? 0 : freg(s, bits(insn, 20, 16), fmt);
		set_nzcv(s, fp_compare(s, fmt, freg(s, rn, fmt), b, bits(insn, 4, 4)));
		return 0;
	}
	if (bits(insn, 14, 14))
		return fp_dp1(s, insn, fmt);
	return -1;
}
