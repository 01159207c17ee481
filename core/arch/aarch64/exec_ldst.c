/* Loads and stores: general and SIMD&FP registers, pairs, exclusives. */
#include "a64_int.h"
#include "exec.h"

/* Base register value; raises the SP alignment fault (SCTLR.SA/SA0). */
static inline bool base_addr(a64_cpu *s, unsigned rn, uint64_t *va)
{
	if (rn != 31) {
		*va = s->x[rn];
		return true;
	}
	*va = *a64_spref(s);
	if (unlikely(*va & 15) && (s->sys[A64R_SCTLR_EL1] >> (s->ps.el ? 3 : 4) & 1)) {
		a64_sync(s, EC_SPALIGN, 0);
		return false;
	}
	return true;
}

static inline void set_base(a64_cpu *s, unsigned rn, uint64_t v)
{
	if (rn == 31)
		*a64_spref(s) = v;
	else
		s->x[rn] = v;
}

static int fp_trap(a64_cpu *s)
{
	return a64_sync(s, EC_FP, 0x1e00000);
}

/* SIMD&FP register load/store of 1..16 bytes (loads zero the rest). */
static bool fp_access(a64_cpu *s, uint64_t va, unsigned bytes, bool load, unsigned rt, int el)
{
	a64_vreg *v = &s->v[rt];
	uint64_t lo, hi = 0;

	if (load) {
		if (bytes == 16) {
			if (!a64_ld(s, va, 8, el, &lo) || !a64_ld(s, va + 8, 8, el, &hi))
				return false;
		} else if (!a64_ld(s, va, bytes, el, &lo)) {
			return false;
		}
		v->d[0] = lo;
		v->d[1] = hi;
		return true;
	}
	if (bytes == 16)
		return a64_st(s, va, 8, el, v->d[0]) && a64_st(s, va + 8, 8, el, v->d[1]);
	return a64_st(s, va, bytes, el, v->d[0] & (bytes == 8 ? ~0ull : (1ull << (bytes * 8)) - 1));
}

/* type: 0 store, 1 load zero-extended, 2 load sign-extended to 64, 3 to 32 */
static inline bool gpr_access(a64_cpu *s, uint64_t va, unsigned size, unsigned type, unsigned rt, int el)
{
	uint64_t v;

	if (type == 0)
		return a64_st(s, va, 1u << size, el, a64_xreg(s, rt));
	if (!a64_ld(s, va, 1u << size, el, &v))
		return false;
	if (type == 2)
		v = sext(v, 8u << size);
	else if (type == 3)
		v = (uint32_t)sext(v, 8u << size);
	a64_set_xreg(s, rt, v);
	return true;
}

/* Shared tail of the single-register forms. */
static int ldst_one(a64_cpu *s, uint32_t insn, uint64_t va, int el, bool wb, uint64_t wbval)
{
	unsigned size = insn >> 30, opc = insn >> 22 & 3, rt = insn & 31;
	bool ok;

	if (insn >> 26 & 1) {
		unsigned bytes = 1u << size;
		if (opc & 2) {
			if (size)
				return a64_undef_insn(s);
			bytes = 16;
		}
		if (!a64_fp_enabled(s))
			return fp_trap(s);
		ok = fp_access(s, va, bytes, opc & 1, rt, el);
	} else {
		if (opc >= 2 && size == 3)
			return opc == 2 ? 0 : a64_undef_insn(s);	/* PRFM */
		if (opc == 3 && size == 2)
			return a64_undef_insn(s);
		ok = gpr_access(s, va, size, opc, rt, el);
	}
	if (!ok)
		return 1;
	if (wb)
		set_base(s, insn >> 5 & 31, wbval);
	return 0;
}

/* Zero-extending load or store of a general register through the TLB at
 * the current EL; false on a miss or another form (then the slow way). */
static inline bool fast_gpr(a64_cpu *s, uint32_t insn, uint64_t va)
{
	unsigned size = insn >> 30, opc = insn >> 22 & 3, rt = insn & 31;
	uint8_t *p;

	if ((insn >> 26 & 1) || opc > 1 || !(p = a64_fast_ptr(s, va, 1u << size, opc == 0)))
		return false;
	if (opc == 0) {
		uint64_t v = a64_xreg(s, rt);
		switch (size) {
		case 0: *p = (uint8_t)v; break;
		case 1: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
		case 2: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
		default: memcpy(p, &v, 8); break;
		}
	} else {
		uint64_t v;
		switch (size) {
		case 0: v = *p; break;
		case 1: { uint16_t x; memcpy(&x, p, 2); v = x; break; }
		case 2: { uint32_t x; memcpy(&x, p, 4); v = x; break; }
		default: memcpy(&v, p, 8); break;
		}
		a64_set_xreg(s, rt, v);
	}
	return true;
}

static int x_ldst_uimm(a64_cpu *s, uint32_t insn)
{
	unsigned size = insn >> 30, scale = size;
	uint64_t va;

	if ((insn >> 26 & 1) && (insn >> 23 & 1))
		scale = 4;
	if (!base_addr(s, insn >> 5 & 31, &va))
		return 1;
	va += (uint64_t)(insn >> 10 & 0xfff) << scale;
	if (fast_gpr(s, insn, va))
		return 0;
	return ldst_one(s, insn, va, s->ps.el, false, 0);
}

static int x_ldst_imm9(a64_cpu *s, uint32_t insn)
{
	unsigned mode = insn >> 10 & 3, rn = insn >> 5 & 31;
	uint64_t base, off = sext(insn >> 12 & 0x1ff, 9);
	int el = s->ps.el;

	if (!base_addr(s, rn, &base))
		return 1;
	if (mode == 2) {
		if (insn >> 26 & 1)
			return a64_undef_insn(s);
		el = 0;		/* LDTR/STTR: EL0 permissions */
	}
	if (mode == 0 && fast_gpr(s, insn, base + off))
		return 0;
	switch (mode) {
	case 0: case 2: return ldst_one(s, insn, base + off, el, false, 0);
	case 1: return ldst_one(s, insn, base, el, true, base + off);
	default: return ldst_one(s, insn, base + off, el, true, base + off);
	}
}

static int x_ldst_regoff(a64_cpu *s, uint32_t insn)
{
	unsigned size = insn >> 30, opt = insn >> 13 & 7, rm = insn >> 16 & 31;
	unsigned scale = size;
	uint64_t base, off = a64_xreg(s, rm);

	if (!(opt & 2))
		return a64_undef_insn(s);
	if ((insn >> 26 & 1) && (insn >> 23 & 1))
		scale = 4;
	if (!base_addr(s, insn >> 5 & 31, &base))
		return 1;
	switch (opt) {
	case 2: off = (uint32_t)off; break;
	case 6: off = (uint64_t)(int64_t)(int32_t)off; break;
	default: break;
	}
	if (insn >> 12 & 1)
		off <<= scale;
	if (fast_gpr(s, insn, base + off))
		return 0;
	return ldst_one(s, insn, base + off, s->ps.el, false, 0);
}

static int x_ldr_lit(a64_cpu *s, uint32_t insn)
{
	unsigned opc = insn >> 30, rt = insn & 31;
	uint64_t va = s->pc + (sext(insn >> 5 & 0x7ffff, 19) << 2), v;

	if (insn >> 26 & 1) {
		if (opc == 3)
			return a64_undef_insn(s);
		if (!a64_fp_enabled(s))
			return fp_trap(s);
		return fp_access(s, va, 4u << opc, true, rt, s->ps.el) ? 0 : 1;
	}
	if (opc == 3)
		return 0;	/* PRFM literal */
	if (!a64_ld(s, va, opc == 1 ? 8 : 4, s->ps.el, &v))
		return 1;
	a64_set_xreg(s, rt, opc == 2 ? sext(v, 32) : v);
	return 0;
}

static int x_ldst_pair(a64_cpu *s, uint32_t insn)
{
	unsigned opc = insn >> 30, mode = insn >> 23 & 3, load = insn >> 22 & 1;
	unsigned rt2 = insn >> 10 & 31, rn = insn >> 5 & 31, rt = insn & 31, scale;
	bool fp = insn >> 26 & 1;
	uint64_t base, va, off;
	int el = s->ps.el;

	if (fp) {
		if (opc == 3)
			return a64_undef_insn(s);
		scale = 2 + opc;
	} else {
		if (opc == 3 || (opc == 1 && (!load || mode == 0)))
			return a64_undef_insn(s);
		scale = opc == 2 ? 3 : 2;
	}
	if (fp && !a64_fp_enabled(s))
		return fp_trap(s);
	if (!base_addr(s, rn, &base))
		return 1;
	off = sext(insn >> 15 & 0x7f, 7) << scale;
	va = mode == 1 ? base : base + off;
	unsigned n = 1u << scale;
	if (fp) {
		if (load) {
			a64_vreg a = s->v[rt];
			if (!fp_access(s, va, n, true, rt, el))
				return 1;
			if (!fp_access(s, va + n, n, true, rt2, el)) {
				s->v[rt] = a;
				return 1;
			}
		} else if (!fp_access(s, va, n, false, rt, el) || !fp_access(s, va + n, n, false, rt2, el)) {
			return 1;
		}
	} else if (load) {
		uint64_t a, b;
		if (!a64_ld(s, va, n, el, &a) || !a64_ld(s, va + n, n, el, &b))
			return 1;
		if (opc == 1) {
			a = sext(a, 32);
			b = sext(b, 32);
		}
		a64_set_xreg(s, rt, a);
		a64_set_xreg(s, rt2, b);
	} else {
		if (!a64_st(s, va, n, el, a64_xreg(s, rt)) || !a64_st(s, va + n, n, el, a64_xreg(s, rt2)))
			return 1;
	}
	if (mode == 1 || mode == 3)
		set_base(s, rn, base + off);
	return 0;
}

static int align_fault(a64_cpu *s, uint64_t va, bool write)
{
	return a64_abort(s, false, F_ALIGN, 0, va, write, false);
}

/* ---- FEAT_LSE (only when the CPU model advertises it) ---- */

static inline uint64_t zext(uint64_t v, unsigned n)
{
	return n == 8 ? v : v & ((1ull << (n * 8)) - 1);
}

/* CAS/CASA/CASL/CASAL (B/H/W/X) and CASP (W/X pairs) */
static int cas(a64_cpu *s, uint32_t insn, bool pair)
{
	unsigned size = insn >> 30, rs = insn >> 16 & 31, rn = insn >> 5 & 31, rt = insn & 31;
	unsigned n = pair ? 4u << (size & 1) : 1u << size;
	int el = s->ps.el;
	uint64_t va, a, b = 0;

	if (!CORE(s)->model->lse || (insn >> 10 & 31) != 31 || (pair && ((rs | rt) & 1)))
		return a64_undef_insn(s);
	if (!base_addr(s, rn, &va))
		return 1;
	if (va & ((pair ? 2 * n : n) - 1))
		return a64_abort(s, false, F_ALIGN, 0, va, true, false);
	if (!a64_ld(s, va, n, el, &a) || (pair && !a64_ld(s, va + n, n, el, &b)))
		return 1;
	if (a == zext(a64_xreg(s, rs), n) && (!pair || b == zext(a64_xreg(s, rs + 1), n))) {
		if (!a64_st(s, va, n, el, a64_xreg(s, rt)) ||
		    (pair && !a64_st(s, va + n, n, el, a64_xreg(s, rt + 1))))
			return 1;
	}
	a64_set_xreg(s, rs, a);
	if (pair)
		a64_set_xreg(s, rs + 1, b);
	return 0;
}

/* LDADD/LDCLR/LDEOR/LDSET/LD{S,U}{MAX,MIN}/SWP (and the ST* aliases) */
static int x_atomic(a64_cpu *s, uint32_t insn)
{
	unsigned size = insn >> 30, rs = insn >> 16 & 31, o3 = insn >> 15 & 1, opc = insn >> 12 & 7;
	unsigned rn = insn >> 5 & 31, rt = insn & 31, n = 1u << size, bitsz = 8 * n;
	int el = s->ps.el;
	uint64_t va, old, v, r;

	if (!CORE(s)->model->lse || (insn >> 26 & 1) || (o3 && opc))
		return a64_undef_insn(s);
	if (!base_addr(s, rn, &va))
		return 1;
	if (va & (n - 1))
		return a64_abort(s, false, F_ALIGN, 0, va, true, false);
	if (!a64_ld(s, va, n, el, &old))
		return 1;
	v = zext(a64_xreg(s, rs), n);
	if (o3) {
		r = v;
	} else {
		int64_t so = (int64_t)sext(old, bitsz), sv = (int64_t)sext(v, bitsz);
		switch (opc) {
		case 0: r = old + v; break;
		case 1: r = old & ~v; break;
		case 2: r = old ^ v; break;
		case 3: r = old | v; break;
		case 4: r = so > sv ? old : v; break;
		case 5: r = so < sv ? old : v; break;
		case 6: r = old > v ? old : v; break;
		default: r = old < v ? old : v; break;
		}
	}
	if (!a64_st(s, va, n, el, zext(r, n)))
		return 1;
	a64_set_xreg(s, rt, old);
	return 0;
}

static int x_excl(a64_cpu *s, uint32_t insn)
{
	unsigned size = insn >> 30, o2 = insn >> 23 & 1, load = insn >> 22 & 1, o1 = insn >> 21 & 1;
	unsigned rs = insn >> 16 & 31, o0 = insn >> 15 & 1, rt2 = insn >> 10 & 31;
	unsigned rn = insn >> 5 & 31, rt = insn & 31;
	unsigned n = 1u << size, total = o1 ? 2 * n : n;
	int el = s->ps.el;
	uint64_t va, a, b = 0;

	if (o2 && o1)
		return cas(s, insn, false);
	if (o1 && size < 2)
		return cas(s, insn, true);
	if (o2 && !o0)
		return a64_undef_insn(s);	/* LDLAR/STLLR: no LOR */
	if (!base_addr(s, rn, &va))
		return 1;
	if (va & (total - 1))
		return align_fault(s, va, !load);
	if (o2) {
		/* LDAR / STLR */
		if (load) {
			if (!a64_ld(s, va, n, el, &a))
				return 1;
			a64_set_xreg(s, rt, a);
			return 0;
		}
		return a64_st(s, va, n, el, a64_xreg(s, rt)) ? 0 : 1;
	}
	if (load) {
		if (!a64_ld(s, va, n, el, &a) || (o1 && !a64_ld(s, va + n, n, el, &b)))
			return 1;
		s->excl_valid = true;
		s->excl_addr = va;
		s->excl_size = total;
		s->excl_val[0] = a;
		s->excl_val[1] = b;
		a64_set_xreg(s, rt, a);
		if (o1)
			a64_set_xreg(s, rt2, b);
		return 0;
	}
	/* store exclusive: succeeds only if the monitor covers this address
	 * and memory still holds what LDXR saw (another CPU's store in
	 * between must make it fail, as the global monitor would) */
	bool ok = s->excl_valid && s->excl_addr == va && s->excl_size == total;
	if (ok) {
		if (!a64_ld(s, va, n, el, &a) || (o1 && !a64_ld(s, va + n, n, el, &b)))
			return 1;
		ok = a == s->excl_val[0] && (!o1 || b == s->excl_val[1]);
	}
	if (ok) {
		if (!a64_st(s, va, n, el, a64_xreg(s, rt)) || (o1 && !a64_st(s, va + n, n, el, a64_xreg(s, rt2))))
			return 1;
	}
	s->excl_valid = false;
	a64_set_xreg(s, rs, ok ? 0 : 1);
	return 0;
}

static int x_simd_ldst(a64_cpu *s, uint32_t insn)
{
	a64_core *k = CORE(s);
	uint64_t seq = k->exc_seq;

	if (!a64_fp_enabled(s))
		return fp_trap(s);
	if (a64_exec_simd_ldst(s, insn) < 0)
		return a64_undef_insn(s);
	return k->exc_seq != seq || k->stop ? 1 : 0;
}

/* ---- specialised fast paths (fall back to the generic handlers) ---- */

static int x_ldr64_uimm(a64_cpu *s, uint32_t insn)
{
	uint64_t va;
	uint8_t *p;

	if (!a64_fast_base(s, insn >> 5 & 31, &va) ||
	    !(p = a64_fast_ptr(s, va + ((uint64_t)(insn >> 10 & 0xfff) << 3), 8, false)))
		return x_ldst_uimm(s, insn);
	uint64_t v;
	memcpy(&v, p, 8);
	a64_set_xreg(s, insn & 31, v);
	return 0;
}

static int x_str64_uimm(a64_cpu *s, uint32_t insn)
{
	uint64_t va;
	uint8_t *p;

	if (!a64_fast_base(s, insn >> 5 & 31, &va) ||
	    !(p = a64_fast_ptr(s, va + ((uint64_t)(insn >> 10 & 0xfff) << 3), 8, true)))
		return x_ldst_uimm(s, insn);
	uint64_t v = a64_xreg(s, insn & 31);
	memcpy(p, &v, 8);
	return 0;
}

static int x_ldst32_uimm(a64_cpu *s, uint32_t insn)
{
	uint64_t va;
	uint8_t *p;
	bool load = insn >> 22 & 1;

	if (!a64_fast_base(s, insn >> 5 & 31, &va) ||
	    !(p = a64_fast_ptr(s, va + ((uint64_t)(insn >> 10 & 0xfff) << 2), 4, !load)))
		return x_ldst_uimm(s, insn);
	uint32_t v;
	if (load) {
		memcpy(&v, p, 4);
		a64_set_xreg(s, insn & 31, v);
	} else {
		v = (uint32_t)a64_xreg(s, insn & 31);
		memcpy(p, &v, 4);
	}
	return 0;
}

/* LDR/STR Xt with pre/post index (stack push/pop) */
static int x_ldst64_idx(a64_cpu *s, uint32_t insn)
{
	unsigned rn = insn >> 5 & 31;
	uint64_t base, off = sext(insn >> 12 & 0x1ff, 9), v;
	bool load = insn >> 22 & 1;
	uint8_t *p;

	if (!a64_fast_base(s, rn, &base) ||
	    !(p = a64_fast_ptr(s, insn >> 11 & 1 ? base + off : base, 8, !load)))
		return x_ldst_imm9(s, insn);
	if (load)
		memcpy(&v, p, 8);
	else {
		v = a64_xreg(s, insn & 31);
		memcpy(p, &v, 8);
	}
	if (rn == 31)
		*a64_spref(s) = base + off;
	else
		s->x[rn] = base + off;
	if (load)
		a64_set_xreg(s, insn & 31, v);
	return 0;
}

/* LDP/STP Xt1, Xt2 (no-allocate, signed offset, pre, post) */
static int x_ldstp64(a64_cpu *s, uint32_t insn)
{
	unsigned mode = insn >> 23 & 3, rn = insn >> 5 & 31;
	uint64_t base, off = sext(insn >> 15 & 0x7f, 7) << 3, va, a, b;
	bool load = insn >> 22 & 1;
	uint8_t *p, *q;

	if (!a64_fast_base(s, rn, &base))
		return x_ldst_pair(s, insn);
	va = mode == 1 ? base : base + off;
	if (!(p = a64_fast_ptr(s, va, 8, !load)) || !(q = a64_fast_ptr(s, va + 8, 8, !load)))
		return x_ldst_pair(s, insn);
	if (load) {
		memcpy(&a, p, 8);
		memcpy(&b, q, 8);
	} else {
		a = a64_xreg(s, insn & 31);
		b = a64_xreg(s, insn >> 10 & 31);
		memcpy(p, &a, 8);
		memcpy(q, &b, 8);
	}
	if (mode & 1) {
		if (rn == 31)
			*a64_spref(s) = base + off;
		else
			s->x[rn] = base + off;
	}
	if (load) {
		a64_set_xreg(s, insn & 31, a);
		a64_set_xreg(s, insn >> 10 & 31, b);
	}
	return 0;
}

A64_THREAD(x_ldr64_uimm)
A64_THREAD(x_str64_uimm)
A64_THREAD(x_ldst32_uimm)
A64_THREAD(x_ldst64_idx)
A64_THREAD(x_ldstp64)
A64_THREAD(x_ldst_uimm)
A64_THREAD(x_ldst_imm9)
A64_THREAD(x_ldst_regoff)
A64_THREAD(x_ldr_lit)
A64_THREAD(x_ldst_pair)
A64_THREAD(x_excl)
A64_THREAD(x_atomic)
A64_THREAD(x_simd_ldst)

const a64_pattern a64_ldst_patterns[] = {
	{ 0xffc00000, 0xf9400000, t_x_ldr64_uimm },
	{ 0xffc00000, 0xf9000000, t_x_str64_uimm },
	{ 0xff800000, 0xb9000000, t_x_ldst32_uimm },
	{ 0xffa00400, 0xf8000400, t_x_ldst64_idx },
	{ 0xfe000000, 0xa8000000, t_x_ldstp64 },
	{ 0x3b000000, 0x39000000, t_x_ldst_uimm },
	{ 0x3b200000, 0x38000000, t_x_ldst_imm9 },
	{ 0x3b200c00, 0x38200800, t_x_ldst_regoff },
	{ 0x3b000000, 0x18000000, t_x_ldr_lit },
	{ 0x3a000000, 0x28000000, t_x_ldst_pair },
	{ 0x3f000000, 0x08000000, t_x_excl },
	{ 0x3f200c00, 0x38200000, t_x_atomic },
	{ 0xbe000000, 0x0c000000, t_x_simd_ldst },
	{ 0, 0, NULL },
};
