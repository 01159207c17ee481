/*
 * Page-table walkers (see ptwalk.h). A walk is described per depth (0 =
 * root): the VA shift it resolves, how many entries its table has, and the
 * architectural level name. Recursion depth is at most 5 and every table
 * read is counted, so a corrupt or cyclic table cannot make a dump loop.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/ptwalk.h"

#define A64_OA_MASK 0x0000fffffffff000ull	/* OA[47:12] */
#define A64_LEAF_ATTRS 0x007c000000000ffcull	/* lower [11:2], upper [54:50] */
#define A64_PXN (1ull << 53)
#define A64_UXN (1ull << 54)
#define A64_AP_RO (1ull << 7)
#define A64_AP_USER (1ull << 6)
#define RV_V 1
#define RV_R 2
#define RV_W 4
#define RV_X 8
#define RV_RESERVED (0x7full << 54)

typedef struct shape {
	int depths;
	unsigned shift[6];
	unsigned entries[6];
	int level[6];
} shape;

static void get_shape(const pt_regime *r, shape *s)
{
	unsigned g = r->granule, per = g - 3;

	if (r->fmt == PT_RISCV) {
		g = 12;
		per = 9;
	}
	s->depths = (int)((r->va_bits - g + per - 1) / per);
	for (int d = 0; d < s->depths; d++) {
		int from_last = s->depths - 1 - d;
		s->shift[d] = g + from_last * per;
		s->entries[d] = 1u << per;
		s->level[d] = r->fmt == PT_RISCV ? from_last : 3 - from_last;
	}
	s->entries[0] = 1u << (r->va_bits - s->shift[0]);
}

int pt_check(const pt_regime *r, char *err, size_t errlen)
{
	if (r->fmt == PT_RISCV) {
		if (r->va_bits != 39 && r->va_bits != 48 && r->va_bits != 57) {
			snprintf(err, errlen, "RISC-V: %u-bit VA is not Sv39/Sv48/Sv57", r->va_bits);
			return -1;
		}
		return 0;
	}
	if (r->granule != 12 && r->granule != 14 && r->granule != 16) {
		snprintf(err, errlen, "AArch64: granule 2^%u is not 4K/16K/64K", r->granule);
		return -1;
	}
	if (r->va_bits < 25 || r->va_bits > 48) {
		snprintf(err, errlen, "AArch64: %u-bit VA (TxSZ %u) not supported (25..48)", r->va_bits,
			 64 - r->va_bits);
		return -1;
	}
	return 0;
}

int pt_regime_aarch64(pt_regime *r, uint64_t ttbr, uint64_t tcr, uint64_t mair, bool upper,
		      char *err, size_t errlen)
{
	unsigned tsz = upper ? bits(tcr, 21, 16) : bits(tcr, 5, 0);
	unsigned tg = upper ? bits(tcr, 31, 30) : bits(tcr, 15, 14);
	bool epd = upper ? bits(tcr, 23, 23) : bits(tcr, 7, 7);
	static const unsigned tg0[4] = { 12, 16, 14, 0 }, tg1[4] = { 0, 14, 12, 16 };
	shape s;

	memset(r, 0, sizeof(*r));
	r->fmt = PT_AARCH64;
	r->upper = upper;
	r->mair = mair;
	r->name = upper ? "TTBR1_EL1" : "TTBR0_EL1";
	r->granule = upper ? tg1[tg] : tg0[tg];
	r->va_bits = 64 - tsz;
	if (epd) {
		snprintf(err, errlen, "%s walks are disabled (TCR_EL1.EPD%d=1)", r->name, upper);
		return -1;
	}
	if (!r->granule) {
		snprintf(err, errlen, "TCR_EL1.TG%d=%u is reserved", upper, tg);
		return -1;
	}
	if (r->va_bits > 48)	/* TxSZ below 16 without FEAT_LVA: treated as 16 */
		r->va_bits = 48;
	if (pt_check(r, err, errlen))
		return -1;
	get_shape(r, &s);
	r->root = ttbr & 0x0000fffffffffffeull & ~((uint64_t)s.entries[0] * 8 - 1);
	return 0;
}

int pt_regime_riscv(pt_regime *r, uint64_t satp, char *err, size_t errlen)
{
	unsigned mode = satp >> 60;

	memset(r, 0, sizeof(*r));
	r->fmt = PT_RISCV;
	r->granule = 12;
	r->name = "satp";
	r->root = (satp & ((1ull << 44) - 1)) << 12;
	switch (mode) {
	case 8: r->va_bits = 39; return 0;
	case 9: r->va_bits = 48; return 0;
	case 10: r->va_bits = 57; return 0;
	case 0: snprintf(err, errlen, "satp MODE is Bare: translation is off"); return -1;
	default: snprintf(err, errlen, "satp MODE %u is reserved", mode); return -1;
	}
}

enum dkind { D_INVALID, D_TABLE, D_LEAF };

/* Decodes desc at depth d; *addr = next table or output base. */
static enum dkind decode(const pt_regime *r, const shape *s, int d, uint64_t desc, paddr_t *addr,
			 char *why, size_t whylen)
{
	bool last = d == s->depths - 1;

	if (r->fmt == PT_AARCH64) {
		if (!(desc & 1)) {
			snprintf(why, whylen, "invalid (bit 0 clear)");
			return D_INVALID;
		}
		if ((desc & 3) == 3 && !last) {
			*addr = desc & A64_OA_MASK & ~((1ull << r->granule) - 1);
			return D_TABLE;
		}
		if ((desc & 3) == 3) {
			*addr = desc & A64_OA_MASK & ~((1ull << r->granule) - 1);
			return D_LEAF;
		}
		if (last) {
			snprintf(why, whylen, "reserved descriptor (0b01) at level 3");
			return D_INVALID;
		}
		if (s->level[d] < (r->granule == 12 ? 1 : 2)) {
			snprintf(why, whylen, "block not allowed at level %d with a %uK granule",
				 s->level[d], 1u << (r->granule - 10));
			return D_INVALID;
		}
		*addr = desc & A64_OA_MASK & ~((1ull << s->shift[d]) - 1);
		return D_LEAF;
	}
	if (!(desc & RV_V)) {
		snprintf(why, whylen, "invalid (V=0)");
		return D_INVALID;
	}
	if ((desc & (RV_R | RV_W)) == RV_W) {
		snprintf(why, whylen, "reserved (W without R)");
		return D_INVALID;
	}
	if (desc & RV_RESERVED) {
		snprintf(why, whylen, "reserved bits 60:54 set");
		return D_INVALID;
	}
	*addr = ((desc >> 10) & ((1ull << 44) - 1)) << 12;
	if (!(desc & (RV_R | RV_X))) {
		if (last) {
			snprintf(why, whylen, "pointer PTE at level 0");
			return D_INVALID;
		}
		return D_TABLE;
	}
	if (*addr & ((1ull << s->shift[d]) - 1)) {
		snprintf(why, whylen, "misaligned superpage (PPN low bits set)");
		return D_INVALID;
	}
	return D_LEAF;
}

/* Table descriptor limits (APTable, XNTable, PXNTable) folded into a leaf. */
static uint64_t a64_fold(uint64_t leaf_attrs, uint64_t table_bits)
{
	if (table_bits & (1ull << 62))
		leaf_attrs |= A64_AP_RO;
	if (table_bits & (1ull << 61))
		leaf_attrs &= ~A64_AP_USER;
	if (table_bits & (1ull << 60))
		leaf_attrs |= A64_UXN;
	if (table_bits & (1ull << 59))
		leaf_attrs |= A64_PXN;
	return leaf_attrs;
}

static uint64_t leaf_attrs(const pt_regime *r, uint64_t desc, bool block, uint64_t table_bits)
{
	if (r->fmt == PT_RISCV)
		return desc & (0x3ffull | (0xfull << 60));
	return a64_fold(desc & A64_LEAF_ATTRS, table_bits) | (block ? 1 : 0);
}

static const char *mair_type(uint8_t a)
{
	switch (a) {
	case 0x00: return "DEVICE/nGnRnE";
	case 0x04: return "DEVICE/nGnRE";
	case 0x08: return "DEVICE/nGRE";
	case 0x0c: return "DEVICE/GRE";
	case 0x44: return "MEM/NORMAL-NC";
	case 0xbb: return "MEM/NORMAL-WT";
	case 0xf0: return "MEM/NORMAL-TAGGED";
	case 0xff: return "MEM/NORMAL";
	default: return NULL;
	}
}

void pt_attr_string(const pt_regime *r, uint64_t a, char *buf, size_t len)
{
	if (r->fmt == PT_RISCV) {
		static const char *pbmt[4] = { "", " NC", " IO", " PBMT3" };
		snprintf(buf, len, "%c %c %c %c %c %c %c %c%s%s",
			 a & 0x80 ? 'D' : '.', a & 0x40 ? 'A' : '.', a & 0x20 ? 'G' : '.',
			 a & 0x10 ? 'U' : '.', a & RV_X ? 'X' : '.', a & RV_W ? 'W' : '.',
			 a & RV_R ? 'R' : '.', a & RV_V ? 'V' : '.', pbmt[bits(a, 62, 61)],
			 a >> 63 ? " NAPOT" : "");
		return;
	}
	static const char *sh[4] = { "NSH", "SH?", "OSH", "SHD" };
	uint8_t attr = (uint8_t)(r->mair >> (8 * bits(a, 4, 2)));
	const char *type = mair_type(attr);
	char t[24];

	if (!type) {
		snprintf(t, sizeof(t), "MAIR[%u]=0x%02x", (unsigned)bits(a, 4, 2), attr);
		type = t;
	}
	snprintf(buf, len, "%s %s %s%s%s%s%s%s%s%s%s %s",
		 a & A64_AP_RO ? "ro" : "RW", a & A64_PXN ? "NX" : "x ", sh[bits(a, 9, 8)],
		 a & (1 << 10) ? " AF" : "   ", a & (1 << 11) ? " NG" : "   ",
		 a & (1ull << 52) ? " CON" : "", a & 1 ? " BLK" : "", a & A64_UXN ? " UXN" : "",
		 a & A64_AP_USER ? " USER" : "", a & (1ull << 51) ? " DBM" : "",
		 a & (1 << 5) ? " NS" : "", type);
}

void pt_size_string(uint64_t size, char *buf, size_t len)
{
	static const char unit[] = "KMGTPE";
	int u = -1;

	while (u < 5 && size >= 1024 && !(size & 1023)) {
		size >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%lluB", (unsigned long long)size);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)size, unit[u]);
}

static bool va_ok(const pt_regime *r, vaddr_t va)
{
	uint64_t top = va >> (r->va_bits - 1);

	if (r->fmt == PT_RISCV)
		return top == 0 || top == (~0ull >> (r->va_bits - 1));
	if (r->upper)
		return (va >> r->va_bits) == (~0ull >> r->va_bits);
	return (va >> r->va_bits) == 0;
}

static uint64_t read_desc(pt_read_fn rd, void *opaque, paddr_t pa, bool *ok)
{
	uint8_t b[8];
	uint64_t v = 0;

	*ok = rd(opaque, pa, b, 8) == 8;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

int pt_translate(const pt_regime *r, pt_read_fn rd, void *opaque, vaddr_t va, paddr_t *pa,
		 walk_log *log)
{
	walk_log dummy;
	char err[96];
	uint64_t table_bits = 0;
	paddr_t table = r->root;
	shape s;

	if (!log)
		log = &dummy;
	memset(log, 0, sizeof(*log));
	if (pt_check(r, err, sizeof(err))) {
		snprintf(log->result, sizeof(log->result), "%s", err);
		return -1;
	}
	if (!va_ok(r, va)) {
		snprintf(log->result, sizeof(log->result),
			 "fault: VA 0x%llx outside the %u-bit %s range of %s",
			 (unsigned long long)va, r->va_bits,
			 r->fmt == PT_RISCV ? "sign-extended" : r->upper ? "upper" : "lower", r->name);
		return -1;
	}
	get_shape(r, &s);
	for (int d = 0; d < s.depths; d++) {
		uint64_t idx = (va >> s.shift[d]) & (s.entries[d] - 1);
		walk_step *st = &log->steps[log->count++];
		char why[80] = "";
		paddr_t next = 0;
		bool ok;
		enum dkind k;

		st->level = s.level[d];
		st->table = table;
		st->desc_addr = table + idx * 8;
		st->desc = read_desc(rd, opaque, st->desc_addr, &ok);
		if (!ok) {
			snprintf(st->note, sizeof(st->note), "unreadable");
			snprintf(log->result, sizeof(log->result),
				 "fault: level %d descriptor at PA 0x%llx is not in memory", s.level[d],
				 (unsigned long long)st->desc_addr);
			return -1;
		}
		k = decode(r, &s, d, st->desc, &next, why, sizeof(why));
		if (k == D_INVALID) {
			snprintf(st->note, sizeof(st->note), "%s", why);
			snprintf(log->result, sizeof(log->result), "fault: translation fault at level %d: %s",
				 s.level[d], why);
			return -1;
		}
		if (k == D_TABLE) {
			if (r->fmt == PT_AARCH64)
				table_bits |= st->desc & (0xfull << 59);
			snprintf(st->note, sizeof(st->note), "table -> 0x%llx", (unsigned long long)next);
			table = next;
			continue;
		}
		{
			char attrs[80], sz[16];
			uint64_t size = 1ull << s.shift[d];
			pt_attr_string(r, leaf_attrs(r, st->desc, d != s.depths - 1, table_bits), attrs,
				       sizeof(attrs));
			*pa = next | (va & (size - 1));
			pt_size_string(size, sz, sizeof(sz));
			snprintf(st->note, sizeof(st->note), "%.9s %.7s %.64s",
				 d == s.depths - 1 ? "page" : r->fmt == PT_RISCV ? "superpage" : "block",
				 sz, attrs);
			snprintf(log->result, sizeof(log->result), "PA 0x%llx (%s)",
				 (unsigned long long)*pa, attrs);
			return 0;
		}
	}
	snprintf(log->result, sizeof(log->result), "fault: walk did not end");
	return -1;
}

typedef struct walker {
	const pt_regime *r;
	shape s;
	pt_read_fn rd;
	void *opaque;
	int max_tables;
	pt_leaf_fn fn;
	void *fn_opaque;
	pt_stats *st;
	uint64_t *buf[6];
	bool stop;
} walker;

static vaddr_t make_va(const walker *w, uint64_t va)
{
	if (w->r->fmt == PT_RISCV)
		return sext(va, w->r->va_bits);
	return w->r->upper ? va | (~0ull << w->r->va_bits) : va;
}

static void walk_table(walker *w, int d, paddr_t table, uint64_t va_base, uint64_t table_bits)
{
	unsigned n = w->s.entries[d];
	uint64_t *t = w->buf[d];

	if (w->st->tables >= w->max_tables) {
		w->st->capped = w->stop = true;
		return;
	}
	w->st->tables++;
	if (w->rd(w->opaque, table, t, n * 8) != n * 8) {
		w->st->bad++;
		return;
	}
	for (unsigned i = 0; i < n && !w->stop; i++) {
		uint64_t desc = le64toh(t[i]);
		uint64_t va = va_base | (uint64_t)i << w->s.shift[d];
		char why[80];
		paddr_t next;
		enum dkind k = decode(w->r, &w->s, d, desc, &next, why, sizeof(why));

		if (k == D_INVALID) {
			if (desc & 1)	/* valid bit set but unusable: count it */
				w->st->bad++;
			continue;
		}
		if (k == D_TABLE) {
			walk_table(w, d + 1, next, va,
				   w->r->fmt == PT_AARCH64 ? table_bits | (desc & (0xfull << 59)) : 0);
			continue;
		}
		pt_leaf l = {
			.va = make_va(w, va), .pa = next, .size = 1ull << w->s.shift[d],
			.level = w->s.level[d],
			.attrs = leaf_attrs(w->r, desc, d != w->s.depths - 1, table_bits),
		};
		w->st->leaves++;
		if (!w->fn(w->fn_opaque, &l)) {
			w->st->capped = w->stop = true;
			return;
		}
	}
}

int pt_walk(const pt_regime *r, pt_read_fn rd, void *opaque, int max_tables,
	    pt_leaf_fn fn, void *fn_opaque, pt_stats *st)
{
	walker w = { .r = r, .rd = rd, .opaque = opaque, .max_tables = max_tables, .fn = fn,
		     .fn_opaque = fn_opaque, .st = st };
	char err[96];

	memset(st, 0, sizeof(*st));
	if (pt_check(r, err, sizeof(err)))
		return -1;
	get_shape(r, &w.s);
	for (int d = 0; d < w.s.depths; d++)
		w.buf[d] = kwb_zalloc(w.s.entries[d] * 8);
	walk_table(&w, 0, r->root, 0, 0);
	for (int d = 0; d < w.s.depths; d++)
		free(w.buf[d]);
	return st->capped ? 1 : 0;
}

typedef struct merger {
	pt_leaf cur;
	bool have;
	pt_leaf_fn fn;
	void *opaque;
} merger;

static bool merge_leaf(void *p, const pt_leaf *l)
{
	merger *m = p;

	if (m->have && m->cur.va + m->cur.size == l->va && m->cur.pa + m->cur.size == l->pa &&
	    m->cur.attrs == l->attrs) {
		m->cur.size += l->size;
		return true;
	}
	if (m->have && !m->fn(m->opaque, &m->cur)) {
		m->have = false;
		return false;
	}
	m->cur = *l;
	m->have = true;
	return true;
}

int pt_dump(const pt_regime *r, pt_read_fn rd, void *opaque, int max_tables,
	    pt_leaf_fn fn, void *fn_opaque, pt_stats *st)
{
	merger m = { .fn = fn, .opaque = fn_opaque };
	int ret = pt_walk(r, rd, opaque, max_tables, merge_leaf, &m, st);

	if (m.have && !fn(fn_opaque, &m.cur))
		st->capped = true;
	return ret < 0 ? ret : st->capped ? 1 : 0;
}
