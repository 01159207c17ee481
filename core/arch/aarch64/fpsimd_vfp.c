/*
 * AdvSIMD floating point, vector and scalar forms: three same (arithmetic,
 * compares, pairwise, FMLA), two-register misc (FRINT*, FCVT* to integer,
 * [SU]CVTF, estimates, compares with zero, FCVTN/FCVTL/FCVTXN). Each lane
 * goes through the IEEE operations of fpsimd_softfloat.c.
 */
#include "fpsimd.h"

int fpsimd_fp_three_same(a64_cpu *s, uint32_t insn, bool scalar)
{
	unsigned u = bits(insn, 29, 29), a = bits(insn, 23, 23), sz = bits(insn, 22, 22);
	unsigned q = bits(insn, 30, 30), opc = bits(insn, 15, 11);
	unsigned key = u << 6 | a << 5 | opc, fmt = FMT_S + sz;
	unsigned n = scalar ? 1 : (q ? 16 : 8) >> fmt;
	uint64_t x[4], y[4], d[4], r[4];

	if (!scalar && sz && !q)
		return -1;
	unpack(&s->v[RN(insn)], fmt, n, 0, x);
	unpack(&s->v[RM(insn)], fmt, n, 0, y);
	unpack(&s->v[RD(insn)], fmt, n, 0, d);

	bool pairwise = !scalar && (key == 0x58 || key == 0x5a || key == 0x5e ||
				    key == 0x78 || key == 0x7e);
	if (pairwise) {
		uint64_t c[8];
		for (unsigned i = 0; i < n; i++) {
			c[i] = x[i];
			c[n + i] = y[i];
		}
		for (unsigned i = 0; i < n; i++) {
			x[i] = c[2 * i];
			y[i] = c[2 * i + 1];
		}
	}
	static const struct { uint8_t key; int8_t op; bool vec_only; } ops[] = {
		{ 0x18, FOP_MAXNM, 1 }, { 0x1a, FOP_ADD, 1 }, { 0x1b, FOP_MULX, 0 },
		{ 0x1e, FOP_MAX, 1 }, { 0x1f, FOP_RECPS, 0 },
		{ 0x38, FOP_MINNM, 1 }, { 0x3a, FOP_SUB, 1 }, { 0x3e, FOP_MIN, 1 },
		{ 0x3f, FOP_RSQRTS, 0 },
		{ 0x58, FOP_MAXNM, 1 }, { 0x5a, FOP_ADD, 1 }, { 0x5b, FOP_MUL, 1 },
		{ 0x5e, FOP_MAX, 1 }, { 0x5f, FOP_DIV, 1 },
		{ 0x78, FOP_MINNM, 1 }, { 0x7a, FOP_ABD, 0 }, { 0x7e, FOP_MIN, 1 },
	};
	for (unsigned k = 0; k < ARRAY_SIZE(ops); k++) {
		if (ops[k].key != key)
			continue;
		if (scalar && ops[k].vec_only)
			return -1;
		for (unsigned i = 0; i < n; i++)
			r[i] = fp_op2(s, ops[k].op, fmt, x[i], y[i]);
		put_lanes(s, RD(insn), fmt, n, r);
		return 0;
	}
	switch (key) {
	case 0x19: case 0x39:	/* FMLA, FMLS */
		if (scalar)
			return -1;
		for (unsigned i = 0; i < n; i++)
			r[i] = fp_muladd(s, fmt, d[i], a ? fp_neg(fmt, x[i]) : x[i], y[i]);
		break;
	case 0x1c: case 0x5c: case 0x7c:	/* FCMEQ, FCMGE, FCMGT */
		for (unsigned i = 0; i < n; i++)
			r[i] = fp_cmp_cond(s, fmt, x[i], y[i], key == 0x1c ? 0 : key == 0x5c ? 1 : 2)
				? emask(fmt) : 0;
		break;
	case 0x5d: case 0x7d:	/* FACGE, FACGT */
		for (unsigned i = 0; i < n; i++)
			r[i] = fp_cmp_cond(s, fmt, fp_abs(fmt, x[i]), fp_abs(fmt, y[i]),
					   key == 0x5d ? 1 : 2) ? emask(fmt) : 0;
		break;
	default:
		return -1;
	}
	put_lanes(s, RD(insn), fmt, n, r);
	return 0;
}

int fpsimd_fp_two_misc(a64_cpu *s, uint32_t insn, bool scalar)
{
	unsigned u = bits(insn, 29, 29), a = bits(insn, 23, 23), sz = bits(insn, 22, 22);
	unsigned q = bits(insn, 30, 30), opc = bits(insn, 16, 12), rd = RD(insn);
	unsigned fmt = FMT_S + sz, n = scalar ? 1 : (q ? 16 : 8) >> fmt;
	unsigned key = u << 6 | a << 5 | opc;
	uint64_t x[4], r[4];
	a64_vreg res;

	/* conversions between precisions */
	if (key == 0x16 || key == 0x56) {	/* FCVTN, FCVTXN */
		if (key == 0x56 && !sz)
			return -1;
		if (scalar && key != 0x56)
			return -1;
		unsigned from = sz ? FMT_D : FMT_S, to = from - 1, cnt = scalar ? 1 : 8 >> to;
		unpack(&s->v[RN(insn)], from, cnt, 0, x);
		for (unsigned i = 0; i < cnt; i++)
			r[i] = key == 0x56 ? fp_convert_odd(s, x[i]) : fp_convert(s, from, to, x[i]);
		if (scalar) {
			put_lanes(s, rd, to, 1, r);
			return 0;
		}
		res = s->v[rd];
		if (!q)
			res.d[1] = 0;
		pack(&res, to, cnt, q ? cnt : 0, r);
		s->v[rd] = res;
		return 0;
	}
	if (key == 0x17) {			/* FCVTL */
		if (scalar)
			return -1;
		unsigned to = sz ? FMT_D : FMT_S, from = to - 1, cnt = 8 >> from;
		unpack(&s->v[RN(insn)], from, cnt, q ? cnt : 0, x);
		for (unsigned i = 0; i < cnt; i++)
			r[i] = fp_convert(s, from, to, x[i]);
		put_lanes(s, rd, to, cnt, r);
		return 0;
	}
	if (!scalar && sz && !q)
		return -1;
	if (scalar && (opc == 0x18 || opc == 0x19))
		return -1;	/* FRINT* have no AdvSIMD scalar form */
	unpack(&s->v[RN(insn)], fmt, n, 0, x);
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = x[i];
		switch (key) {
		case 0x18: r[i] = fp_round_int(s, fmt, v, RM_TIEEVEN, false); break;
		case 0x58: r[i] = fp_round_int(s, fmt, v, RM_TIEAWAY, false); break;
		case 0x38: r[i] = fp_round_int(s, fmt, v, RM_POSINF, false); break;
		case 0x79: r[i] = fp_round_int(s, fmt, v, fp_rmode(s), false); break;
		case 0x19: r[i] = fp_round_int(s, fmt, v, RM_NEGINF, false); break;
		case 0x59: r[i] = fp_round_int(s, fmt, v, fp_rmode(s), true); break;
		case 0x39: r[i] = fp_round_int(s, fmt, v, RM_ZERO, false); break;
		case 0x1a: case 0x5a: r[i] = fp_to_int(s, fmt, v, RM_TIEEVEN, 0, 8 << fmt, u); break;
		case 0x3a: case 0x7a: r[i] = fp_to_int(s, fmt, v, RM_POSINF, 0, 8 << fmt, u); break;
		case 0x1b: case 0x5b: r[i] = fp_to_int(s, fmt, v, RM_NEGINF, 0, 8 << fmt, u); break;
		case 0x3b: case 0x7b: r[i] = fp_to_int(s, fmt, v, RM_ZERO, 0, 8 << fmt, u); break;
		case 0x1c: case 0x5c: r[i] = fp_to_int(s, fmt, v, RM_TIEAWAY, 0, 8 << fmt, u); break;
		case 0x1d: case 0x5d: r[i] = int_to_fp(s, fmt, v, 8 << fmt, 0, u); break;
		case 0x3c: case 0x7c:	/* URECPE, URSQRTE */
			if (scalar || sz)
				return -1;
			r[i] = u ? u_rsqrte((uint32_t)v) : u_recpe((uint32_t)v);
			break;
		case 0x3d: r[i] = fp_recpe(s, fmt, v); break;
		case 0x7d: r[i] = fp_rsqrte(s, fmt, v); break;
		case 0x3f:	/* FRECPX (scalar only) */
			if (!scalar)
				return -1;
			r[i] = fp_recpx(s, fmt, v);
			break;
		case 0x2c: r[i] = fp_cmp_cond(s, fmt, v, 0, 2) ? emask(fmt) : 0; break;
		case 0x6c: r[i] = fp_cmp_cond(s, fmt, v, 0, 1) ? emask(fmt) : 0; break;
		case 0x2d: r[i] = fp_cmp_cond(s, fmt, v, 0, 0) ? emask(fmt) : 0; break;
		case 0x6d: r[i] = fp_cmp_cond(s, fmt, 0, v, 1) ? emask(fmt) : 0; break;
		case 0x2e: r[i] = fp_cmp_cond(s, fmt, 0, v, 2) ? emask(fmt) : 0; break;
		case 0x2f: if (scalar) return -1; r[i] = fp_abs(fmt, v); break;
		case 0x6f: if (scalar) return -1; r[i] = fp_neg(fmt, v); break;
		case 0x7f: if (scalar) return -1; r[i] = fp_sqrt(s, fmt, v); break;
		default:
			return -1;
		}
	}
	put_lanes(s, rd, fmt, n, r);
	return 0;
}
