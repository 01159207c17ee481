/* Integer data processing: immediate and register forms. */
#include "a64_int.h"
#include "exec.h"

static inline uint64_t add_flags(a64_cpu *s, uint64_t a, uint64_t b, unsigned cin, bool sf)
{
	if (sf) {
		uint64_t r = a + b + cin;
		s->ps.n = r >> 63;
		s->ps.z = r == 0;
		s->ps.c = cin ? r <= a : r < a;
		s->ps.v = ((a ^ r) & (b ^ r)) >> 63;
		return r;
	}
	uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;
	uint64_t r = (uint64_t)a32 + b32 + cin;
	uint32_t r32 = (uint32_t)r;
	s->ps.n = r32 >> 31;
	s->ps.z = r32 == 0;
	s->ps.c = (uint32_t)(r >> 32);
	s->ps.v = ((a32 ^ r32) & (b32 ^ r32)) >> 31;
	return r32;
}

static inline void logic_flags(a64_cpu *s, uint64_t r, bool sf)
{
	s->ps.n = sf ? r >> 63 : (r >> 31) & 1;
	s->ps.z = r == 0;
	s->ps.c = 0;
	s->ps.v = 0;
}

static inline uint64_t shift_reg(uint64_t v, unsigned type, unsigned amt, bool sf)
{
	if (!amt)
		return v;
	if (sf) {
		switch (type) {
		case 0: return v << amt;
		case 1: return v >> amt;
		case 2: return (uint64_t)((int64_t)v >> amt);
		default: return (v >> amt) | (v << (64 - amt));
		}
	}
	uint32_t w = (uint32_t)v;
	switch (type) {
	case 0: return (uint32_t)(w << amt);
	case 1: return w >> amt;
	case 2: return (uint32_t)((int32_t)w >> amt);
	default: return (uint32_t)((w >> amt) | (w << (32 - amt)));
	}
}

static inline uint64_t extend_reg(uint64_t v, unsigned option, unsigned shift)
{
	switch (option) {
	case 0: v = (uint8_t)v; break;
	case 1: v = (uint16_t)v; break;
	case 2: v = (uint32_t)v; break;
	case 3: break;
	case 4: v = (uint64_t)(int64_t)(int8_t)v; break;
	case 5: v = (uint64_t)(int64_t)(int16_t)v; break;
	case 6: v = (uint64_t)(int64_t)(int32_t)v; break;
	default: break;
	}
	return v << shift;
}

/* DecodeBitMasks for logical immediates; false if reserved. */
bool a64_bitmask(unsigned n, unsigned imms, unsigned immr, bool sf, uint64_t *out)
{
	unsigned x = (n << 6) | (~imms & 0x3f);
	if (!x)
		return false;
	int len = 31 - __builtin_clz(x);
	if (len < 1 || (!sf && n))
		return false;
	unsigned esize = 1u << len, levels = esize - 1;
	unsigned S = imms & levels, R = immr & levels;
	if (S == levels)
		return false;
	uint64_t emask = esize == 64 ? ~0ull : (1ull << esize) - 1;
	uint64_t w = (S + 1 == 64) ? ~0ull : (1ull << (S + 1)) - 1;
	if (R)
		w = ((w >> R) | (w << (esize - R))) & emask;
	for (unsigned e = esize; e < 64; e *= 2)
		w |= w << e;
	*out = sf ? w : (uint32_t)w;
	return true;
}

/* ---- data processing, immediate ---- */

static int x_adr(a64_cpu *s, uint32_t insn)
{
	uint64_t imm = sext((insn >> 5 & 0x7ffff) << 2 | (insn >> 29 & 3), 21);
	unsigned rd = insn & 31;
	if (insn >> 31)
		a64_set_xreg(s, rd, (s->pc & ~0xfffull) + (imm << 12));
	else
		a64_set_xreg(s, rd, s->pc + imm);
	return 0;
}

/* ADD/SUB (immediate, extended register): Rd may be SP unless flags are set. */
static inline int addsub_result(a64_cpu *s, bool sf, bool sub, bool setf, unsigned rd,
				uint64_t a, uint64_t b)
{
	uint64_t r;

	if (setf) {
		r = sub ? add_flags(s, a, ~b, 1, sf) : add_flags(s, a, b, 0, sf);
		a64_set_xreg(s, rd, r);
		return 0;
	}
	r = sub ? a - b : a + b;
	if (!sf)
		r = (uint32_t)r;
	if (rd == 31)
		*a64_spref(s) = r;
	else
		s->x[rd] = r;
	return 0;
}

static int x_addsub_imm(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31, sub = insn >> 30 & 1, setf = insn >> 29 & 1;
	uint64_t imm = (insn >> 10 & 0xfff) << (insn >> 22 & 1 ? 12 : 0);
	unsigned rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t a = rn == 31 ? *a64_spref(s) : s->x[rn];

	return addsub_result(s, sf, sub, setf, rd, a, imm);
}

/* the commonest forms, specialised */
/* ADD/SUB Xd|SP, Xn|SP, #imm: the commonest forms, SP included */
static inline uint64_t *sp_or_x(a64_cpu *s, unsigned r)
{
	return r == 31 ? a64_spref(s) : &s->x[r];
}

static int x_add64_imm(a64_cpu *s, uint32_t insn)
{
	uint64_t imm = (insn >> 10 & 0xfff) << (insn >> 22 & 1 ? 12 : 0);
	*sp_or_x(s, insn & 31) = *sp_or_x(s, insn >> 5 & 31) + imm;
	return 0;
}

/* N:immr:imms -> mask (0 = reserved), built once; [1] for 32-bit forms */
static uint64_t bitmask_tab[2][1 << 13];

static void bitmask_init(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(bitmask_tab[0]); i++) {
		if (!a64_bitmask(i >> 12, i & 63, i >> 6 & 63, true, &bitmask_tab[0][i]))
			bitmask_tab[0][i] = 0;
		if (!a64_bitmask(i >> 12, i & 63, i >> 6 & 63, false, &bitmask_tab[1][i]))
			bitmask_tab[1][i] = 0;
	}
}

static int x_subs64_imm(a64_cpu *s, uint32_t insn)
{
	unsigned rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t imm = (insn >> 10 & 0xfff) << (insn >> 22 & 1 ? 12 : 0);
	uint64_t a = rn == 31 ? *a64_spref(s) : s->x[rn], r = a - imm;

	s->ps.n = r >> 63;
	s->ps.z = r == 0;
	s->ps.c = a >= imm;
	s->ps.v = ((a ^ imm) & (a ^ r)) >> 63;
	a64_set_xreg(s, rd, r);
	return 0;
}

static int x_sub64_imm(a64_cpu *s, uint32_t insn)
{
	uint64_t imm = (insn >> 10 & 0xfff) << (insn >> 22 & 1 ? 12 : 0);
	*sp_or_x(s, insn & 31) = *sp_or_x(s, insn >> 5 & 31) - imm;
	return 0;
}

/* ADD/SUB Xd, Xn, Xm, LSL #n (no flags) */
static int x_addsub64_lsl(a64_cpu *s, uint32_t insn)
{
	unsigned rm = insn >> 16 & 31, amt = insn >> 10 & 63, rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t b = a64_xreg(s, rm) << amt, a = a64_xreg(s, rn);
	a64_set_xreg(s, rd, insn >> 30 & 1 ? a - b : a + b);
	return 0;
}

static int x_logic_imm(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31;
	unsigned opc = insn >> 29 & 3, rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t imm, a = a64_xreg(s, rn), r;

	if (unlikely(!bitmask_tab[0][1]))
		bitmask_init();
	imm = bitmask_tab[!sf][insn >> 10 & 0x1fff];
	if (!imm)
		return a64_undef_insn(s);
	switch (opc) {
	case 0: r = a & imm; break;
	case 1: r = a | imm; break;
	case 2: r = a ^ imm; break;
	default: r = a & imm; break;
	}
	if (!sf)
		r = (uint32_t)r;
	if (opc == 3) {
		logic_flags(s, r, sf);
		a64_set_xreg(s, rd, r);
	} else if (rd == 31) {
		*a64_spref(s) = r;
	} else {
		s->x[rd] = r;
	}
	return 0;
}

static int x_movewide(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31;
	unsigned opc = insn >> 29 & 3, hw = insn >> 21 & 3, rd = insn & 31;
	uint64_t imm = (uint64_t)(insn >> 5 & 0xffff) << (hw * 16), r;

	if (opc == 1 || (!sf && hw > 1))
		return a64_undef_insn(s);
	if (opc == 0)
		r = ~imm;
	else if (opc == 2)
		r = imm;
	else
		r = (a64_xreg(s, rd) & ~(0xffffull << (hw * 16))) | imm;
	a64_set_xreg(s, rd, sf ? r : (uint32_t)r);
	return 0;
}

static inline uint64_t mask_bits(unsigned n)
{
	return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static int x_bitfield(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31;
	unsigned opc = insn >> 29 & 3, n = insn >> 22 & 1;
	unsigned R = insn >> 16 & 63, S = insn >> 10 & 63, rn = insn >> 5 & 31, rd = insn & 31;
	unsigned size = sf ? 64 : 32;
	uint64_t src = a64_xreg(s, rn), dst = a64_xreg(s, rd), r;

	if (opc == 3 || n != sf || (!sf && (R > 31 || S > 31)))
		return a64_undef_insn(s);
	if (!sf)
		src = (uint32_t)src;
	if (S >= R) {
		unsigned w = S - R + 1;
		uint64_t f = (src >> R) & mask_bits(w);
		if (opc == 0)
			r = sext(f, w);
		else if (opc == 2)
			r = f;
		else
			r = (dst & ~mask_bits(w)) | f;
	} else {
		unsigned w = S + 1, pos = size - R;
		uint64_t f = src & mask_bits(w);
		if (opc == 0)
			r = sext(f, w) << pos;
		else if (opc == 2)
			r = f << pos;
		else
			r = (dst & ~(mask_bits(w) << pos)) | (f << pos);
	}
	a64_set_xreg(s, rd, sf ? r : (uint32_t)r);
	return 0;
}

static int x_extr(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31;
	unsigned n = insn >> 22 & 1, rm = insn >> 16 & 31, lsb = insn >> 10 & 63;
	unsigned rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t hi = a64_xreg(s, rn), lo = a64_xreg(s, rm), r;

	if (n != sf || (insn >> 29 & 3) || (insn >> 21 & 1) || (!sf && lsb > 31))
		return a64_undef_insn(s);
	if (sf)
		r = lsb ? (lo >> lsb) | (hi << (64 - lsb)) : lo;
	else
		r = (uint32_t)((((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo) >> lsb);
	a64_set_xreg(s, rd, r);
	return 0;
}

/* ---- data processing, register ---- */

static int x_logic_reg(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31;
	unsigned opc = insn >> 29 & 3, type = insn >> 22 & 3, neg = insn >> 21 & 1;
	unsigned rm = insn >> 16 & 31, amt = insn >> 10 & 63, rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t a = a64_xreg(s, rn), b, r;

	if (!sf && amt > 31)
		return a64_undef_insn(s);
	b = shift_reg(a64_xreg(s, rm), type, amt, sf);
	if (neg)
		b = ~b;
	switch (opc) {
	case 0: r = a & b; break;
	case 1: r = a | b; break;
	case 2: r = a ^ b; break;
	default: r = a & b; break;
	}
	if (!sf)
		r = (uint32_t)r;
	if (opc == 3)
		logic_flags(s, r, sf);
	a64_set_xreg(s, rd, r);
	return 0;
}

/* MOV xd, xm (ORR xd, xzr, xm) */
static int x_mov_reg(a64_cpu *s, uint32_t insn)
{
	unsigned rm = insn >> 16 & 31, rd = insn & 31;
	uint64_t v = a64_xreg(s, rm);
	a64_set_xreg(s, rd, insn >> 31 ? v : (uint32_t)v);
	return 0;
}

static int x_addsub_reg(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31, sub = insn >> 30 & 1, setf = insn >> 29 & 1;
	unsigned type = insn >> 22 & 3, rm = insn >> 16 & 31, amt = insn >> 10 & 63;
	unsigned rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t a = a64_xreg(s, rn), b, r;

	if (type == 3 || (!sf && amt > 31))
		return a64_undef_insn(s);
	b = shift_reg(a64_xreg(s, rm), type, amt, sf);
	if (setf)
		r = sub ? add_flags(s, a, ~b, 1, sf) : add_flags(s, a, b, 0, sf);
	else {
		r = sub ? a - b : a + b;
		if (!sf)
			r = (uint32_t)r;
	}
	a64_set_xreg(s, rd, r);
	return 0;
}

static int x_addsub_ext(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31, sub = insn >> 30 & 1, setf = insn >> 29 & 1;
	unsigned rm = insn >> 16 & 31, opt = insn >> 13 & 7, sh = insn >> 10 & 7;
	unsigned rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t a = rn == 31 ? *a64_spref(s) : s->x[rn], b;

	if (sh > 4 || (insn >> 22 & 3))
		return a64_undef_insn(s);
	b = extend_reg(a64_xreg(s, rm), opt, sh);
	return addsub_result(s, sf, sub, setf, rd, a, b);
}

static int x_adc(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31, sub = insn >> 30 & 1, setf = insn >> 29 & 1;
	unsigned rm = insn >> 16 & 31, rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t a = a64_xreg(s, rn), b = a64_xreg(s, rm), r;

	if (insn >> 10 & 63)
		return a64_undef_insn(s);
	if (sub)
		b = ~b;
	if (setf)
		r = add_flags(s, a, b, s->ps.c, sf);
	else {
		r = a + b + s->ps.c;
		if (!sf)
			r = (uint32_t)r;
	}
	a64_set_xreg(s, rd, r);
	return 0;
}

static int x_ccmp(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31, sub = insn >> 30 & 1;
	unsigned rm = insn >> 16 & 31, cond = insn >> 12 & 15, rn = insn >> 5 & 31, nzcv = insn & 15;
	uint64_t a, b;

	if (!(insn >> 29 & 1) || (insn >> 10 & 1) || (insn >> 4 & 1))
		return a64_undef_insn(s);
	if (a64_cond(s, cond)) {
		a = a64_xreg(s, rn);
		b = insn >> 11 & 1 ? rm : a64_xreg(s, rm);
		if (sub)
			add_flags(s, a, ~b, 1, sf);
		else
			add_flags(s, a, b, 0, sf);
	} else {
		s->ps.n = nzcv >> 3 & 1;
		s->ps.z = nzcv >> 2 & 1;
		s->ps.c = nzcv >> 1 & 1;
		s->ps.v = nzcv & 1;
	}
	return 0;
}

static int x_csel(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31, inv = insn >> 30 & 1;
	unsigned rm = insn >> 16 & 31, cond = insn >> 12 & 15, o2 = insn >> 10 & 3;
	unsigned rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t r;

	if ((insn >> 29 & 1) || o2 > 1)
		return a64_undef_insn(s);
	if (a64_cond(s, cond)) {
		r = a64_xreg(s, rn);
	} else {
		r = a64_xreg(s, rm);
		if (inv)
			r = ~r;
		if (o2)
			r++;
	}
	a64_set_xreg(s, rd, sf ? r : (uint32_t)r);
	return 0;
}

static uint32_t crc32_tab[2][256];

static void crc_init(void)
{
	static const uint32_t poly[2] = { 0xedb88320u, 0x82f63b78u };
	for (int t = 0; t < 2; t++)
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ poly[t] : c >> 1;
			crc32_tab[t][i] = c;
		}
}

static int x_dp2(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31;
	unsigned rm = insn >> 16 & 31, op = insn >> 10 & 63, rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t a = a64_xreg(s, rn), b = a64_xreg(s, rm), r;
	unsigned size = sf ? 64 : 32;

	if (insn >> 29 & 1)
		return a64_undef_insn(s);
	if (!sf) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	switch (op) {
	case 2:
		r = b ? a / b : 0;
		break;
	case 3:
		if (!b)
			r = 0;
		else if (sf)
			r = (a == 1ull << 63 && b == ~0ull) ? a : (uint64_t)((int64_t)a / (int64_t)b);
		else
			r = ((uint32_t)a == 1u << 31 && (uint32_t)b == ~0u) ? a
				: (uint32_t)((int32_t)a / (int32_t)b);
		break;
	case 8: r = a << (b & (size - 1)); break;
	case 9: r = a >> (b & (size - 1)); break;
	case 10:
		r = sf ? (uint64_t)((int64_t)a >> (b & 63)) : (uint32_t)((int32_t)a >> (b & 31));
		break;
	case 11: {
		unsigned n = b & (size - 1);
		r = n ? (a >> n) | (a << (size - n)) : a;
		break;
	}
	case 16: case 17: case 18: case 19: case 20: case 21: case 22: case 23: {
		unsigned sz = op & 3, c = op >> 2 & 1;
		if ((sz == 3) != sf)
			return a64_undef_insn(s);
		if (!crc32_tab[0][1])
			crc_init();
		uint32_t crc = (uint32_t)a;
		uint64_t v = a64_xreg(s, rm);
		for (unsigned i = 0; i < (1u << sz); i++)
			crc = crc32_tab[c][(crc ^ (v >> (8 * i))) & 0xff] ^ (crc >> 8);
		a64_set_xreg(s, rd, crc);
		return 0;
	}
	default:
		return a64_undef_insn(s);
	}
	a64_set_xreg(s, rd, sf ? r : (uint32_t)r);
	return 0;
}

static uint64_t rbit64(uint64_t v)
{
	v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
	v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
	v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
	return __builtin_bswap64(v);
}

static int x_dp1(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31;
	unsigned op = insn >> 10 & 63, rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t a = a64_xreg(s, rn), r;

	if ((insn >> 16 & 31) || (insn >> 29 & 1))
		return a64_undef_insn(s);
	if (!sf)
		a = (uint32_t)a;
	switch (op) {
	case 0: r = sf ? rbit64(a) : rbit64(a) >> 32; break;
	case 1: {
		uint64_t m = 0x00ff00ff00ff00ffull;
		r = ((a >> 8) & m) | ((a & m) << 8);
		break;
	}
	case 2:
		if (sf) {
			uint64_t t = __builtin_bswap64(a);
			r = (t >> 32) | (t << 32);
		} else {
			r = __builtin_bswap32((uint32_t)a);
		}
		break;
	case 3:
		if (!sf)
			return a64_undef_insn(s);
		r = __builtin_bswap64(a);
		break;
	case 4:
		r = sf ? (a ? __builtin_clzll(a) : 64) : (a ? __builtin_clz((uint32_t)a) : 32);
		break;
	case 5:
		if (sf)
			r = (a ^ ((int64_t)a >> 1)) & ~(1ull << 63) ? __builtin_clzll((a ^ ((int64_t)a >> 1)) & ~(1ull << 63)) - 1 : 63;
		else {
			uint32_t w = (uint32_t)a, x = (w ^ (uint32_t)((int32_t)w >> 1)) & 0x7fffffffu;
			r = x ? __builtin_clz(x) - 1 : 31;
		}
		break;
	default:
		return a64_undef_insn(s);
	}
	a64_set_xreg(s, rd, sf ? r : (uint32_t)r);
	return 0;
}

static int x_dp3(a64_cpu *s, uint32_t insn)
{
	bool sf = insn >> 31;
	unsigned op31 = insn >> 21 & 7, o0 = insn >> 15 & 1;
	unsigned rm = insn >> 16 & 31, ra = insn >> 10 & 31, rn = insn >> 5 & 31, rd = insn & 31;
	uint64_t a = a64_xreg(s, rn), b = a64_xreg(s, rm), c = a64_xreg(s, ra), r;

	if (insn >> 29 & 3)
		return a64_undef_insn(s);
	switch (op31) {
	case 0:
		r = o0 ? c - a * b : c + a * b;
		if (!sf)
			r = (uint32_t)r;
		break;
	case 1: case 5: {
		if (!sf)
			return a64_undef_insn(s);
		uint64_t p = op31 == 1 ? (uint64_t)((int64_t)(int32_t)a * (int64_t)(int32_t)b)
				       : (uint64_t)(uint32_t)a * (uint32_t)b;
		r = o0 ? c - p : c + p;
		break;
	}
	case 2:
		if (!sf || o0)
			return a64_undef_insn(s);
		r = (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
		break;
	case 6:
		if (!sf || o0)
			return a64_undef_insn(s);
		r = (uint64_t)(((unsigned __int128)a * b) >> 64);
		break;
	default:
		return a64_undef_insn(s);
	}
	a64_set_xreg(s, rd, r);
	return 0;
}

static int x_subs_reg_cmp(a64_cpu *s, uint32_t insn)
{
	/* CMP xn, xm without shift: the commonest compare */
	unsigned rm = insn >> 16 & 31, rn = insn >> 5 & 31;
	add_flags(s, a64_xreg(s, rn), ~a64_xreg(s, rm), 1, true);
	return 0;
}

A64_THREAD(x_adr)
A64_THREAD(x_add64_imm)
A64_THREAD(x_sub64_imm)
A64_THREAD(x_subs64_imm)
A64_THREAD(x_addsub64_lsl)
A64_THREAD(x_addsub_imm)
A64_THREAD(x_logic_imm)
A64_THREAD(x_movewide)
A64_THREAD(x_bitfield)
A64_THREAD(x_extr)
A64_THREAD(x_mov_reg)
A64_THREAD(x_logic_reg)
A64_THREAD(x_subs_reg_cmp)
A64_THREAD(x_addsub_reg)
A64_THREAD(x_addsub_ext)
A64_THREAD(x_adc)
A64_THREAD(x_ccmp)
A64_THREAD(x_csel)
A64_THREAD(x_dp2)
A64_THREAD(x_dp1)
A64_THREAD(x_dp3)

const a64_pattern a64_dp_patterns[] = {
	{ 0x1f000000, 0x10000000, t_x_adr },
	{ 0xff800000, 0x91000000, t_x_add64_imm },
	{ 0xff800000, 0xd1000000, t_x_sub64_imm },
	{ 0xff800000, 0xf1000000, t_x_subs64_imm },
	{ 0xbfe00000, 0x8b000000, t_x_addsub64_lsl },
	{ 0x1f800000, 0x11000000, t_x_addsub_imm },
	{ 0x1f800000, 0x12000000, t_x_logic_imm },
	{ 0x1f800000, 0x12800000, t_x_movewide },
	{ 0x1f800000, 0x13000000, t_x_bitfield },
	{ 0x1f800000, 0x13800000, t_x_extr },
	{ 0x7fe0ffe0, 0x2a0003e0, t_x_mov_reg },
	{ 0x1f000000, 0x0a000000, t_x_logic_reg },
	{ 0xffe0fc1f, 0xeb00001f, t_x_subs_reg_cmp },
	{ 0x1f200000, 0x0b000000, t_x_addsub_reg },
	{ 0x1f200000, 0x0b200000, t_x_addsub_ext },
	{ 0x1fe00000, 0x1a000000, t_x_adc },
	{ 0x1fe00000, 0x1a400000, t_x_ccmp },
	{ 0x1fe00000, 0x1a800000, t_x_csel },
	{ 0x5fe00000, 0x1ac00000, t_x_dp2 },
	{ 0x5fe00000, 0x5ac00000, t_x_dp1 },
	{ 0x1f000000, 0x1b000000, t_x_dp3 },
	{ 0, 0, NULL },
};
