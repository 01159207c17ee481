/*
 * AdvSIMD moves: copy (DUP, INS, UMOV, SMOV), modified immediate (MOVI,
 * MVNI, ORR, BIC, FMOV vector), permutes (ZIP, UZP, TRN), EXT and TBL/TBX.
 */
#include "fpsimd.h"

int fpsimd_copy(a64_cpu *s, uint32_t insn, bool scalar)
{
	unsigned q = bits(insn, 30, 30), op = bits(insn, 29, 29);
	unsigned imm5 = bits(insn, 20, 16), imm4 = bits(insn, 14, 11);
	unsigned rd = RD(insn), rn = RN(insn);

	if (!(imm5 & 15))
		return -1;
	unsigned esz = __builtin_ctz(imm5), idx = imm5 >> (esz + 1);
	static const uint64_t rep[4] = {	/* replicate an element over 64 bits */
		0x0101010101010101ull, 0x0001000100010001ull, 0x0000000100000001ull, 1,
	};
	uint64_t x;

	if (scalar) {			/* DUP (element), scalar: MOV Vd, Vn.T[i] */
		if (op || imm4)
			return -1;
		vreg_set_scalar(s, rd, esz, lane_get(&s->v[rn], esz, idx));
		return 0;
	}
	if (op) {			/* INS (element) */
		if (!q)
			return -1;
		lane_set(&s->v[rd], esz, idx, lane_get(&s->v[rn], esz, imm4 >> esz));
		return 0;
	}
	switch (imm4) {
	case 0:				/* DUP (element) */
	case 1:				/* DUP (general) */
		if (esz == 3 && !q)
			return -1;
		x = imm4 ? a64_xreg(s, rn) & emask(esz) : lane_get(&s->v[rn], esz, idx);
		x *= rep[esz];
		s->v[rd].d[0] = x;
		s->v[rd].d[1] = q ? x : 0;
		return 0;
	case 3:				/* INS (general) */
		if (!q)
			return -1;
		lane_set(&s->v[rd], esz, idx, a64_xreg(s, rn));
		return 0;
	case 5:				/* SMOV */
		if (esz >= 2 + q)
			return -1;
		x = sext(lane_get(&s->v[rn], esz, idx), 8 << esz);
		a64_set_xreg(s, rd, q ? x : (uint32_t)x);
		return 0;
	case 7:				/* UMOV */
		if (q != (esz == 3))
			return -1;
		a64_set_xreg(s, rd, lane_get(&s->v[rn], esz, idx));
		return 0;
	}
	return -1;
}

uint64_t fpsimd_expand_imm(unsigned imm8, int fmt)
{
	uint64_t sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, low6 = imm8 & 0x3f;
	if (fmt == FMT_S)
		return sign << 31 | (b6 ? 0x3e000000ull : 0x40000000ull) | low6 << 19;
	return sign << 63 | (b6 ? 0x3fc0000000000000ull : 0x4000000000000000ull) | low6 << 48;
}

int fpsimd_modified_imm(a64_cpu *s, uint32_t insn, bool scalar)
{
	(void)scalar;
	unsigned q = bits(insn, 30, 30), op = bits(insn, 29, 29);
	unsigned cmode = bits(insn, 15, 12), rd = RD(insn);
	uint64_t imm8 = bits(insn, 18, 16) << 5 | bits(insn, 9, 5), imm;

	if (bits(insn, 11, 11))
		return -1;
	switch (cmode >> 1) {
	case 0: case 1: case 2: case 3:
		imm = imm8 << (8 * (cmode >> 1));
		imm |= imm << 32;
		break;
	case 4: case 5:
		imm = imm8 << (8 * ((cmode >> 1) & 1));
		imm |= imm << 16;
		imm |= imm << 32;
		break;
	case 6:
		imm = cmode & 1 ? (imm8 << 16 | 0xffff) : (imm8 << 8 | 0xff);
		imm |= imm << 32;
		break;
	default:
		if (!(cmode & 1)) {
			if (!op) {
				imm = imm8 * 0x0101010101010101ull;
			} else {
				imm = 0;
				for (int i = 0; i < 8; i++)
					if (imm8 & (1u << i))
						imm |= 0xffull << (8 * i);
			}
		} else if (!op) {
			imm = fpsimd_expand_imm(imm8, FMT_S);
			imm |= imm << 32;
		} else {
			if (!q)
				return -1;
			imm = fpsimd_expand_imm(imm8, FMT_D);
		}
		s->v[rd].d[0] = imm;
		s->v[rd].d[1] = q ? imm : 0;
		return 0;
	}
	uint64_t *d = s->v[rd].d;
	bool orr_bic = cmode < 12 && (cmode & 1);
	for (int i = 0; i < 2; i++) {
		if (!orr_bic)
			d[i] = op ? ~imm : imm;		/* MOVI, MVNI */
		else
			d[i] = op ? d[i] & ~imm : d[i] | imm;	/* BIC, ORR */
	}
	if (!q)
		d[1] = 0;
	return 0;
}

int fpsimd_permute(a64_cpu *s, uint32_t insn, bool scalar)
{
	(void)scalar;
	unsigned q = bits(insn, 30, 30), esz = bits(insn, 23, 22);
	unsigned opc = bits(insn, 14, 12), part = opc >> 2;
	unsigned n = (q ? 16 : 8) >> esz;
	uint64_t a[16], b[16], r[16];

	if (esz == 3 && !q)
		return -1;
	unpack(&s->v[RN(insn)], esz, n, 0, a);
	unpack(&s->v[RM(insn)], esz, n, 0, b);
	switch (opc & 3) {
	case 1:	/* UZP */
		for (unsigned i = 0; i < n / 2; i++) {
			r[i] = a[2 * i + part];
			r[n / 2 + i] = b[2 * i + part];
		}
		break;
	case 2:	/* TRN */
		for (unsigned i = 0; i < n / 2; i++) {
			r[2 * i] = a[2 * i + part];
			r[2 * i + 1] = b[2 * i + part];
		}
		break;
	case 3:	/* ZIP */
		for (unsigned i = 0; i < n / 2; i++) {
			r[2 * i] = a[part * n / 2 + i];
			r[2 * i + 1] = b[part * n / 2 + i];
		}
		break;
	default:
		return -1;
	}
	put_lanes(s, RD(insn), esz, n, r);
	return 0;
}

int fpsimd_ext(a64_cpu *s, uint32_t insn, bool scalar)
{
	(void)scalar;
	unsigned q = bits(insn, 30, 30), pos = bits(insn, 14, 11);
	unsigned bytes = q ? 16 : 8;
	uint8_t c[32];

	if (bits(insn, 23, 22) || (!q && pos >= 8))
		return -1;
	memcpy(c, s->v[RN(insn)].b, bytes);
	memcpy(c + bytes, s->v[RM(insn)].b, bytes);
	a64_vreg r = { .d = { 0, 0 } };
	memcpy(r.b, c + pos, bytes);
	s->v[RD(insn)] = r;
	return 0;
}

int fpsimd_tbl(a64_cpu *s, uint32_t insn, bool scalar)
{
	(void)scalar;
	unsigned q = bits(insn, 30, 30), len = bits(insn, 14, 13) + 1;
	unsigned tbx = bits(insn, 12, 12), rn = RN(insn), bytes = q ? 16 : 8;
	uint8_t table[64];
	a64_vreg idx = s->v[RM(insn)], r = s->v[RD(insn)];

	if (bits(insn, 23, 22))
		return -1;
	for (unsigned i = 0; i < len; i++)
		memcpy(table + 16 * i, s->v[(rn + i) & 31].b, 16);
	for (unsigned i = 0; i < bytes; i++) {
		unsigned x = idx.b[i];
		if (x < 16 * len)
			r.b[i] = table[x];
		else if (!tbx)
			r.b[i] = 0;
	}
	if (!q)
		r.d[1] = 0;
	s->v[RD(insn)] = r;
	return 0;
}
