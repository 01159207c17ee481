/*
 * AdvSIMD load/store multiple structures (LD1-LD4/ST1-ST4) and single
 * structures (lane forms, LD1R-LD4R), with the post-index forms.
 * Memory is moved in 8-byte chunks through a small buffer and the
 * (de)interleaving is done on the host: glibc's memcpy/strlen loops live
 * here. Loads write no register until every access has succeeded.
 */
#include "fpsimd.h"

static uint64_t base_reg(a64_cpu *s, unsigned rn)
{
	return rn == 31 ? a64_sp(s) : s->x[rn];
}

static void writeback(a64_cpu *s, uint32_t insn, uint64_t addr, uint64_t total)
{
	unsigned rn = bits(insn, 9, 5), rm = bits(insn, 20, 16);
	uint64_t off = rm == 31 ? total : s->x[rm];

	if (rn == 31)
		a64_set_sp(s, addr + off);
	else
		s->x[rn] = addr + off;
}

static bool mem_read_block(a64_cpu *s, uint64_t addr, uint8_t *buf, unsigned len)
{
	for (unsigned i = 0; i < len; i += 8) {
		uint64_t v;
		if (!a64_read(s, addr + i, 8, &v))
			return false;
		memcpy(buf + i, &v, 8);
	}
	return true;
}

static bool mem_write_block(a64_cpu *s, uint64_t addr, const uint8_t *buf, unsigned len)
{
	for (unsigned i = 0; i < len; i += 8) {
		uint64_t v;
		memcpy(&v, buf + i, 8);
		if (!a64_write(s, addr + i, 8, v))
			return false;
	}
	return true;
}

static int ldst_multiple(a64_cpu *s, uint32_t insn)
{
	static const int8_t rpt_of[16] = { 1, -1, 4, -1, 1, -1, 3, 1, 1, -1, 2 };
	static const int8_t selem_of[16] = { 4, -1, 1, -1, 3, -1, 1, 1, 2, -1, 1 };
	unsigned q = bits(insn, 30, 30), load = bits(insn, 22, 22);
	unsigned opc = bits(insn, 15, 12), esz = bits(insn, 11, 10);
	unsigned rt = bits(insn, 4, 0), post = bits(insn, 23, 23);
	unsigned bytes = q ? 16 : 8;

	if (opc > 10 || rpt_of[opc] < 0 || bits(insn, 21, 21))
		return -1;
	if (!post && bits(insn, 20, 16))
		return -1;
	unsigned rpt = rpt_of[opc], selem = selem_of[opc];
	if (esz == 3 && !q && selem > 1)
		return -1;

	uint64_t addr = base_reg(s, bits(insn, 9, 5));
	unsigned nregs = rpt * selem, total = nregs * bytes;
	uint8_t buf[64];
	a64_vreg tmp[4];

	if (load) {
		if (!mem_read_block(s, addr, buf, total))
			return 0;
		if (selem == 1) {
			for (unsigned r = 0; r < nregs; r++) {
				a64_vreg *v = &s->v[(rt + r) & 31];
				memcpy(v->b, buf + r * bytes, bytes);
				if (!q)
					v->d[1] = 0;
			}
		} else {
			unsigned ebytes = 1u << esz, nel = bytes >> esz;
			const uint8_t *p = buf;
			memset(tmp, 0, sizeof(tmp));
			for (unsigned e = 0; e < nel; e++)
				for (unsigned r = 0; r < selem; r++, p += ebytes)
					memcpy(tmp[r].b + e * ebytes, p, ebytes);
			for (unsigned r = 0; r < selem; r++)
				s->v[(rt + r) & 31] = tmp[r];
		}
	} else {
		if (selem == 1) {
			for (unsigned r = 0; r < nregs; r++)
				memcpy(buf + r * bytes, s->v[(rt + r) & 31].b, bytes);
		} else {
			unsigned ebytes = 1u << esz, nel = bytes >> esz;
			uint8_t *p = buf;
			for (unsigned e = 0; e < nel; e++)
				for (unsigned r = 0; r < selem; r++, p += ebytes)
					memcpy(p, s->v[(rt + r) & 31].b + e * ebytes, ebytes);
		}
		if (!mem_write_block(s, addr, buf, total))
			return 0;
	}
	if (post)
		writeback(s, insn, addr, total);
	return 0;
}

static int ldst_single(a64_cpu *s, uint32_t insn)
{
	unsigned q = bits(insn, 30, 30), load = bits(insn, 22, 22);
	unsigned opc = bits(insn, 15, 13), S = bits(insn, 12, 12);
	unsigned size = bits(insn, 11, 10), rt = bits(insn, 4, 0);
	unsigned selem = ((opc & 1) << 1 | bits(insn, 21, 21)) + 1;
	unsigned scale = opc >> 1, index;
	bool replicate = false;

	if (!bits(insn, 23, 23) && bits(insn, 20, 16))
		return -1;
	switch (scale) {
	case 0:
		index = q << 3 | S << 2 | size;
		break;
	case 1:
		if (size & 1)
			return -1;
		index = q << 2 | S << 1 | size >> 1;
		break;
	case 2:
		if (size & 2)
			return -1;
		if (!(size & 1)) {
			index = q << 1 | S;
		} else {
			if (S)
				return -1;
			index = q;
			scale = 3;
		}
		break;
	default:
		if (!load || S)
			return -1;
		scale = size;
		index = 0;
		replicate = true;
		break;
	}

	uint64_t addr = base_reg(s, bits(insn, 9, 5));
	unsigned ebytes = 1u << scale;
	uint64_t val[4];

	if (load) {
		for (unsigned r = 0; r < selem; r++)
			if (!a64_read(s, addr + r * ebytes, ebytes, &val[r]))
				return 0;
		for (unsigned r = 0; r < selem; r++) {
			a64_vreg *v = &s->v[(rt + r) & 31];
			if (replicate) {
				unsigned n = (q ? 16 : 8) >> scale;
				for (unsigned e = 0; e < n; e++)
					lane_set(v, scale, e, val[r]);
				if (!q)
					v->d[1] = 0;
			} else {
				lane_set(v, scale, index, val[r]);
			}
		}
	} else {
		for (unsigned r = 0; r < selem; r++)
			if (!a64_write(s, addr + r * ebytes, ebytes,
				       lane_get(&s->v[(rt + r) & 31], scale, index)))
				return 0;
	}
	if (bits(insn, 23, 23))
		writeback(s, insn, addr, selem * ebytes);
	return 0;
}

int a64_exec_simd_ldst(a64_cpu *s, uint32_t insn)
{
	/* 0 Q 0011 0 0|1 (single) post L ... */
	if ((insn & 0xbe000000) != 0x0c000000)
		return -1;
	return bits(insn, 24, 24) ? ldst_single(s, insn) : ldst_multiple(s, insn);
}
