/*
 * Decoding: the pattern table (insns.def) is parsed once into mask/match
 * pairs; RVC instructions are expanded to their 32-bit equivalents first.
 * Decoded pages are shared by the harts of a machine and keyed by
 * physical address; stores to a page with decoded code invalidate it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rv.h"
#include "trace_hooks_rv.h"
#include "rv_ops.h"

enum rv_fmt { FMT_R, FMT_I, FMT_S, FMT_B, FMT_U, FMT_J, FMT_SH, FMT_CSR, FMT_N };

typedef struct rv_pattern {
	const char *name;
	const char *bits;
	enum rv_fmt fmt;
	const char *args;
	rv_fn fn;
	uint32_t mask, match;
} rv_pattern;

static rv_pattern patterns[] = {
#define I(h, bits, fmt, args) { #h, bits, fmt, args, op_##h, 0, 0 },
#include "insns.def"
#undef I
};
static bool patterns_ready;

static void patterns_init(void)
{
	if (patterns_ready)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(patterns); i++) {
		int bit = 31;
		for (const char *p = patterns[i].bits; *p; p++) {
			if (*p == ' ')
				continue;
			if (*p != '?')
				patterns[i].mask |= 1u << bit;
			if (*p == '1')
				patterns[i].match |= 1u << bit;
			bit--;
		}
		if (bit != -1)
			kwb_fatal("riscv64: insns.def: pattern for %s is not 32 bits", patterns[i].name);
	}
	patterns_ready = true;
}

static const rv_pattern *find_pattern(uint32_t raw)
{
	for (size_t i = 0; i < ARRAY_SIZE(patterns); i++)
		if ((raw & patterns[i].mask) == patterns[i].match)
			return &patterns[i];
	return NULL;
}

/* ---- RVC expansion ---- */

static uint32_t enc_r(uint32_t op, uint32_t rd, uint32_t f3, uint32_t rs1, uint32_t rs2, uint32_t f7)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
static uint32_t enc_i(uint32_t op, uint32_t rd, uint32_t f3, uint32_t rs1, int32_t imm)
{
	return (uint32_t)imm << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
static uint32_t enc_s(uint32_t op, uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
	return (uint32_t)(imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7 | op;
}
static uint32_t enc_b(uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
	uint32_t i = (uint32_t)imm;
	return ((i >> 12) & 1) << 31 | ((i >> 5) & 63) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       ((i >> 1) & 15) << 8 | ((i >> 11) & 1) << 7 | 0x63;
}
static uint32_t enc_j(uint32_t rd, int32_t imm)
{
	uint32_t i = (uint32_t)imm;
	return ((i >> 20) & 1) << 31 | ((i >> 1) & 0x3ff) << 21 | ((i >> 11) & 1) << 20 |
	       ((i >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}

#define CB(hi, lo) ((uint32_t)bits(c, hi, lo))

/* Returns the 32-bit equivalent of a compressed instruction, 0 if illegal. */
uint32_t rv_expand_rvc(uint16_t c)
{
	uint32_t rd = CB(11, 7), rs2 = CB(6, 2), rdp = CB(4, 2) + 8, rs1p = CB(9, 7) + 8;
	int32_t imm6 = (int32_t)sext(CB(12, 12) << 5 | CB(6, 2), 6);
	uint32_t f3 = CB(15, 13);

	switch (c & 3) {
	case 0:
		switch (f3) {
		case 0: {
			uint32_t u = CB(12, 11) << 4 | CB(10, 7) << 6 | CB(6, 6) << 2 | CB(5, 5) << 3;
			return u ? enc_i(0x13, rdp, 0, 2, (int32_t)u) : 0;
		}
		case 1: return enc_i(0x07, rdp, 3, rs1p, (int32_t)(CB(12, 10) << 3 | CB(6, 5) << 6));
		case 2: return enc_i(0x03, rdp, 2, rs1p, (int32_t)(CB(12, 10) << 3 | CB(6, 6) << 2 | CB(5, 5) << 6));
		case 3: return enc_i(0x03, rdp, 3, rs1p, (int32_t)(CB(12, 10) << 3 | CB(6, 5) << 6));
		case 5: return enc_s(0x27, 3, rs1p, rdp, (int32_t)(CB(12, 10) << 3 | CB(6, 5) << 6));
		case 6: return enc_s(0x23, 2, rs1p, rdp, (int32_t)(CB(12, 10) << 3 | CB(6, 6) << 2 | CB(5, 5) << 6));
		case 7: return enc_s(0x23, 3, rs1p, rdp, (int32_t)(CB(12, 10) << 3 | CB(6, 5) << 6));
		}
		return 0;
	case 1:
		switch (f3) {
		case 0: return enc_i(0x13, rd, 0, rd, imm6);
		case 1: return rd ? enc_i(0x1b, rd, 0, rd, imm6) : 0;
		case 2: return enc_i(0x13, rd, 0, 0, imm6);
		case 3:
			if (rd == 2) {
				int32_t i = (int32_t)sext(CB(12, 12) << 9 | CB(6, 6) << 4 | CB(5, 5) << 6 |
							  CB(4, 3) << 7 | CB(2, 2) << 5, 10);
				return i ? enc_i(0x13, 2, 0, 2, i) : 0;
			}
			return imm6 ? (uint32_t)imm6 << 12 | rd << 7 | 0x37 : 0;
		case 4:
			switch (CB(11, 10)) {
			case 0: return enc_i(0x13, rs1p, 5, rs1p, (int32_t)(CB(12, 12) << 5 | CB(6, 2)));
			case 1: return enc_i(0x13, rs1p, 5, rs1p, (int32_t)(CB(12, 12) << 5 | CB(6, 2) | 0x400));
			case 2: return enc_i(0x13, rs1p, 7, rs1p, imm6);
			default: {
				static const uint8_t f3s[4] = { 0, 4, 6, 7 };
				uint32_t op = CB(6, 5);
				if (!CB(12, 12))
					return enc_r(0x33, rs1p, f3s[op], rs1p, rdp, op == 0 ? 0x20 : 0);
				if (op == 0)
					return enc_r(0x3b, rs1p, 0, rs1p, rdp, 0x20);
				if (op == 1)
					return enc_r(0x3b, rs1p, 0, rs1p, rdp, 0);
				return 0;
			}
			}
		case 5:
			return enc_j(0, (int32_t)sext(CB(12, 12) << 11 | CB(11, 11) << 4 | CB(10, 9) << 8 |
						      CB(8, 8) << 10 | CB(7, 7) << 6 | CB(6, 6) << 7 |
						      CB(5, 3) << 1 | CB(2, 2) << 5, 12));
		case 6:
		case 7:
			return enc_b(f3 == 6 ? 0 : 1, rs1p, 0,
				     (int32_t)sext(CB(12, 12) << 8 | CB(11, 10) << 3 | CB(6, 5) << 6 |
						   CB(4, 3) << 1 | CB(2, 2) << 5, 9));
		}
		return 0;
	case 2:
		switch (f3) {
		case 0: return enc_i(0x13, rd, 1, rd, (int32_t)(CB(12, 12) << 5 | CB(6, 2)));
		case 1: return enc_i(0x07, rd, 3, 2, (int32_t)(CB(12, 12) << 5 | CB(6, 5) << 3 | CB(4, 2) << 6));
		case 2: return rd ? enc_i(0x03, rd, 2, 2, (int32_t)(CB(12, 12) << 5 | CB(6, 4) << 2 | CB(3, 2) << 6)) : 0;
		case 3: return rd ? enc_i(0x03, rd, 3, 2, (int32_t)(CB(12, 12) << 5 | CB(6, 5) << 3 | CB(4, 2) << 6)) : 0;
		case 4:
			if (!CB(12, 12)) {
				if (!rs2)
					return rd ? enc_i(0x67, 0, 0, rd, 0) : 0;
				return enc_r(0x33, rd, 0, 0, rs2, 0);
			}
			if (!rs2)
				return rd ? enc_i(0x67, 1, 0, rd, 0) : 0x00100073;
			return enc_r(0x33, rd, 0, rd, rs2, 0);
		case 5: return enc_s(0x27, 3, 2, rs2, (int32_t)(CB(12, 10) << 3 | CB(9, 7) << 6));
		case 6: return enc_s(0x23, 2, 2, rs2, (int32_t)(CB(12, 9) << 2 | CB(8, 7) << 6));
		case 7: return enc_s(0x23, 3, 2, rs2, (int32_t)(CB(12, 10) << 3 | CB(9, 7) << 6));
		}
	}
	return 0;
}

/* ---- decoding one instruction into a slot ---- */

static const rv_pattern *decode_fields(uint32_t raw, rv_insn *d)
{
	const rv_pattern *p;
	int step = 2;

	patterns_init();
	if ((raw & 3) != 3) {
		raw = rv_expand_rvc((uint16_t)raw);
		step = 1;
	}
	p = raw ? find_pattern(raw) : NULL;
	d->step = (uint8_t)step;
	d->rd = (uint8_t)bits(raw, 11, 7);
	d->rs1 = (uint8_t)bits(raw, 19, 15);
	d->rs2 = (uint8_t)bits(raw, 24, 20);
	d->imm = 0;
	if (!p) {
		d->fn = op_illegal;
		return NULL;
	}
	d->fn = p->fn;
	switch (p->fmt) {
	case FMT_I: d->imm = (int32_t)raw >> 20; break;
	case FMT_S: d->imm = (int32_t)sext(bits(raw, 31, 25) << 5 | bits(raw, 11, 7), 12); break;
	case FMT_B:
		d->imm = (int32_t)sext(bits(raw, 31, 31) << 12 | bits(raw, 7, 7) << 11 |
				       bits(raw, 30, 25) << 5 | bits(raw, 11, 8) << 1, 13);
		break;
	case FMT_U: d->imm = (int32_t)(raw & 0xfffff000u); break;
	case FMT_J:
		d->imm = (int32_t)sext(bits(raw, 31, 31) << 20 | bits(raw, 19, 12) << 12 |
				       bits(raw, 20, 20) << 11 | bits(raw, 30, 21) << 1, 21);
		break;
	case FMT_SH: d->imm = (int32_t)bits(raw, 25, 20); break;
	case FMT_CSR: d->imm = (int32_t)bits(raw, 31, 20); break;
	case FMT_R: d->imm = (int32_t)(bits(raw, 14, 12) | bits(raw, 31, 27) << 3); break;
	case FMT_N: break;
	}
	/* Writes to x0 go to the sink register x[32]. */
	if (p->args[0] == 'd' && d->rd == 0)
		d->rd = 32;
	return p;
}

/* ---- decoded pages ---- */

static const rv_insn *op_decode(rv_hart *h, const rv_insn *d, int64_t left);
static const rv_insn *op_cross(rv_hart *h, const rv_insn *d, int64_t left);

/* The slot after the last one: falls through to the next page (not an
 * instruction: not counted). */
static const rv_insn *op_page_end(rv_hart *h, const rv_insn *d, int64_t left)
{
	h->pc = rv_pc_of(h, d);
	if (h->page == h->xpage->e) {	/* after an instruction crossing pages: the loop's */
		h->left = left;
		return NULL;
	}
	return rv_next_page(h, left);	/* not an instruction: nothing counted */
}

bool rv_slot_is_page_end(const rv_insn *d)
{
	return d->fn == op_page_end;
}

static void dpage_reset(rv_dpage *dp, uint64_t gen)
{
	for (int i = 0; i < RV_PAGE_SLOTS; i++)
		dp->e[i] = (rv_insn){ .fn = op_decode };
	dp->e[RV_PAGE_SLOTS] = (rv_insn){ .fn = op_page_end };
	dp->gen = gen;
	dp->bp_gen = ~0ull;
	dp->hot = 0;
	dp->jit = 0;
}

static unsigned dhash(paddr_t pa)
{
	return (unsigned)((pa >> 12) * 0x9e3779b1u) % RV_DHASH;
}

static rv_dpage *dpage_find(rv_shared *sh, paddr_t pa)
{
	for (rv_dpage *dp = sh->hash[dhash(pa)]; dp; dp = dp->hnext)
		if (dp->pa == pa)
			return dp;
	return NULL;
}

bool rv_is_code_page(rv_shared *sh, paddr_t pa)
{
	return dpage_find(sh, pa & ~0xfffull) != NULL;
}

static void each_hart(rv_shared *sh, void (*fn)(rv_hart *h, void *arg), void *arg)
{
	machine *m = sh->m;
	for (int i = 0; i < m->ncpus; i++)
		if (m->cpus[i] && HART(m->cpus[i])->sh == sh)
			fn(HART(m->cpus[i]), arg);
}

static void drop_itlb(rv_hart *h, void *arg)
{
	for (int s = 0; s < RV_TLB_SETS; s++)
		for (int i = 0; i < RV_TLB_SIZE; i++)
			if (!arg || h->tlb_x[s][i].dp == arg)
				h->tlb_x[s][i].tag = RV_TLB_INVALID;
}

static void drop_write_tlb(rv_hart *h, void *host)
{
	for (int s = 0; s < RV_TLB_SETS; s++)
		for (int i = 0; i < RV_TLB_SIZE; i++) {
			rv_tlbe *e = &h->tlb_w[s][i];
			if (e->tag != RV_TLB_INVALID && (e->tag & ~RV_TLB_WATCH) + e->add == (uintptr_t)host)
				e->tag = RV_TLB_INVALID;
		}
}

#define RV_MAX_DPAGES 3072

static rv_dpage *dpage_get(rv_shared *sh, paddr_t pa, uint8_t *host)
{
	rv_dpage *dp = dpage_find(sh, pa);
	unsigned b;

	if (dp)
		return dp;
	if (sh->npages >= RV_MAX_DPAGES)
		sh->flush_pending = true;	/* done at the next safe point */
	dp = malloc(sizeof(*dp));
	if (!dp)
		kwb_fatal("out of memory for decoded instructions");
	dp->pa = pa;
	dp->host = host;
	dp->zombie = false;
	dpage_reset(dp, sh->gen);
	b = dhash(pa);
	dp->hnext = sh->hash[b];
	sh->hash[b] = dp;
	sh->npages++;
	/* Stores to this page must now take the slow path, which snoops code. */
	each_hart(sh, (void (*)(rv_hart *, void *))drop_write_tlb, host);
	return dp;
}

static void dpage_remove(rv_shared *sh, rv_dpage *dp)
{
	for (rv_dpage **pp = &sh->hash[dhash(dp->pa)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == dp) {
			*pp = dp->hnext;
			break;
		}
	}
	sh->npages--;
	each_hart(sh, drop_itlb, dp);
	/* A hart may be executing in it: free at the next safe point. */
	dp->zombie = true;
	dp->hnext = sh->zombies;
	sh->zombies = dp;
}

void rv_decode_free_zombies(rv_shared *sh)
{
	while (sh->zombies) {
		rv_dpage *dp = sh->zombies;
		sh->zombies = dp->hnext;
		free(dp);
	}
}

static void free_pages(rv_shared *sh)
{
	for (int b = 0; b < RV_DHASH; b++) {
		while (sh->hash[b]) {
			rv_dpage *dp = sh->hash[b];
			sh->hash[b] = dp->hnext;
			free(dp);
		}
	}
	sh->npages = 0;
	sh->flush_pending = false;
	rv_decode_free_zombies(sh);
}

/* Safe point only: no hart is executing from a decoded page. */
void rv_decode_flush_all(rv_shared *sh)
{
	free_pages(sh);
	rv_jit_reset(sh);
	each_hart(sh, drop_itlb, NULL);
}

/* The last hart is gone: no TLB refers to the pages any more. */
void rv_decode_free_all(rv_shared *sh)
{
	free_pages(sh);
	rv_jit_free(sh);
}

/* A store reached a page with decoded code (slow path). */
void rv_code_write(rv_hart *h, paddr_t pa, unsigned len)
{
	rv_dpage *dp = dpage_find(h->sh, pa & ~0xfffull);
	int first, last;

	if (!dp)
		return;
	first = (int)((pa & 0xfff) >> 1) - 1;	/* a 4-byte insn may start before */
	last = (int)(((pa & 0xfff) + len - 1) >> 1);
	if (first < 0)
		first = 0;
	if (last >= RV_PAGE_SLOTS)
		last = RV_PAGE_SLOTS - 1;
	for (int i = first; i <= last; i++) {
		if (dp->e[i].fn != op_decode) {
			if (h->page == dp->e)
				rv_end_block(h);
			dpage_remove(h->sh, dp);
			return;
		}
	}
}

static const rv_insn *op_decode(rv_hart *h, const rv_insn *d, int64_t left)
{
	rv_insn *w = (rv_insn *)d;
	unsigned off = (unsigned)((d - h->page) << 1);
	const uint8_t *p = h->page_host + off;
	uint32_t raw = p[0] | p[1] << 8;

	if ((raw & 3) == 3) {
		if (off == 4094) {
			w->fn = op_cross;
			return op_cross(h, d, left);
		}
		raw |= (uint32_t)(p[2] | p[3] << 8) << 16;
	}
	decode_fields(raw, w);
	return w->fn(h, w, left);
}

/* A 32-bit instruction whose second half is on the next page: fetched
 * and decoded every time into a scratch context whose other slots all
 * leave it (so the fall-through and in-"page" branches compute the right pc). */
static const rv_insn *op_cross(rv_hart *h, const rv_insn *d, int64_t left)
{
	uint64_t pc = rv_pc_of(h, d);
	paddr_t pa;
	bool cacheable;
	uint8_t *hi;
	int r = rv_translate(h, pc + 2, ACC_EXEC, &pa, &cacheable);
	uint32_t raw;
	rv_insn *x = &h->xpage->e[0];

	if (!r && !(hi = bus_ram_ptr(&h->c.m->bus, pa, 2)))
		r = EXC_INSN_ACCESS;
	if (r) {
		h->left = left;
		rv_fetch_fault(h, (uint64_t)r, pc + 2, pc);
		return NULL;
	}
	raw = h->page_host[4094] | h->page_host[4095] << 8 | (uint32_t)(hi[0] | hi[1] << 8) << 16;
	decode_fields(raw, x);
	h->page = h->xpage->e;
	h->page_va = pc;
	return x->fn(h, x, left);
}

/* A slot holding a breakpoint (mark_bps): stop before the instruction when
 * the debugger's point matches this pc (the page may be reached through
 * another virtual address too), else run it from the scratch context, as
 * an instruction crossing a page is. */
static const rv_insn *op_bp(rv_hart *h, const rv_insn *d, int64_t left)
{
	uint64_t pc = rv_pc_of(h, d);
	unsigned off = (unsigned)(pc & 0xfff);
	const uint8_t *p = h->page_host + off;
	uint32_t raw = p[0] | p[1] << 8;
	rv_insn *x = &h->xpage->e[0];

	h->left = left;
	rv_sync_icount(h);	/* the debugger compares icount */
	if (dbg_bp_hit(&h->c, pc, h->page_pa + off)) {
		h->exit = CPU_EXIT_DEBUG;
		h->pc = pc;
		return NULL;
	}
	if ((raw & 3) == 3) {
		if (off == 4094)
			return op_cross(h, d, left);
		raw |= (uint32_t)(p[2] | p[3] << 8) << 16;
	}
	decode_fields(raw, x);
	h->page = h->xpage->e;
	h->page_va = pc;
	return x->fn(h, x, left);
}

/* Put op_bp in the slots of the page's breakpoints; false when they cannot
 * be listed (then the page runs one instruction at a time). */
static bool mark_bps(rv_hart *h, rv_dpage *dp, uint64_t vpage)
{
	machine *m = h->c.m;
	uint64_t gen = dbg_bp_generation(m);
	uint16_t offs[64];
	int n;

	if (dp->bp_gen == gen && dp->bp_va == vpage)
		return true;
	n = dbg_bp_offsets(m, vpage, dp->pa, offs, ARRAY_SIZE(offs));
	if (n < 0)
		return false;
	/* a compiled block must not run over a breakpoint slot: decode the
	 * page again (no block of it is running: this is a page entry) */
	if (dp->jit)
		dpage_reset(dp, dp->gen);
	for (int i = 0; i < n; i++)
		if (!(offs[i] & 1))
			dp->e[offs[i] >> 1] = (rv_insn){ .fn = op_bp };
	dp->bp_gen = gen;
	dp->bp_va = vpage;
	return true;
}

bool rv_slot_is_bp(const rv_insn *d)
{
	return d->fn == op_bp;
}

rv_dpage *rv_xpage_new(void)
{
	rv_dpage *dp = kwb_zalloc(sizeof(*dp));
	for (int i = 0; i <= RV_PAGE_SLOTS; i++)
		dp->e[i] = (rv_insn){ .fn = op_page_end };
	return dp;
}

/* Fetch: find (or make) the decoded page for h->pc. Returns NULL after
 * raising a fetch fault. */
const rv_insn *rv_enter_page(rv_hart *h)
{
	uint64_t va = h->pc, vpage = va & ~0xfffull;
	rv_itlbe *e = &h->ti[(va >> 12) & (RV_TLB_SIZE - 1)];
	rv_dpage *dp;

	if (likely(e->tag == vpage)) {
		dp = e->dp;
		h->bp_page = e->bp;
	} else {
		machine *m = h->c.m;
		paddr_t pa;
		bool cacheable;
		uint8_t *host;
		int r = rv_translate(h, va, ACC_EXEC, &pa, &cacheable);

		if (!r && !(host = bus_ram_ptr(&m->bus, pa & ~0xfffull, 4096)))
			r = EXC_INSN_ACCESS;
		if (r) {
			rv_fetch_fault(h, (uint64_t)r, va, va);
			return NULL;
		}
		dp = dpage_get(h->sh, pa & ~0xfffull, host);
		h->bp_page = dbg_bp_page(m, va) || dbg_bp_page(m, pa);
		if (cacheable) {
			e->tag = vpage;
			rv_tlb_note_fill(h, (int)((h->ti - &h->tlb_x[0][0]) / RV_TLB_SIZE), va);
			e->dp = dp;
			e->bp = h->bp_page;
			if (h->last_super)
				rv_tlb_note_super_x(h, e);
			if (unlikely(trace_on(m->trace, TRACE_MMU)))
				rv_trace_fill(h, "X", va, pa);
		}
	}
	if (unlikely(dp->gen != h->sh->gen))
		dpage_reset(dp, h->sh->gen);
	if (unlikely(h->bp_page))
		h->bp_page = !mark_bps(h, dp, vpage);
	h->page = dp->e;
	h->page_va = vpage;
	h->page_host = dp->host;
	h->page_pa = dp->pa;
	return &dp->e[(va & 0xfff) >> 1];
}

/* ---- disassembly from the same table ---- */

static const char *const xname[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
	"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};
static const char *const fname[32] = {
	"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3",
	"fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11",
	"ft8", "ft9", "ft10", "ft11",
};

int rv_disasm(cpu *c, uint64_t pc, uint32_t insn, char *buf, size_t len)
{
	rv_insn d;
	const rv_pattern *p;
	int ilen = (insn & 3) == 3 ? 4 : 2;
	size_t n = 0;
	char name[24];

	(void)c;
	if (!len)
		return ilen;
	p = decode_fields(ilen == 2 ? insn & 0xffff : insn, &d);
	if (!p) {
		snprintf(buf, len, ilen == 2 ? ".2byte 0x%04x" : ".4byte 0x%08x",
			 ilen == 2 ? insn & 0xffff : insn);
		return ilen;
	}
	snprintf(name, sizeof(name), "%s%s", ilen == 2 ? "c." : "", p->name);
	for (char *q = name; *q; q++)
		if (*q == '_')
			*q = '.';
	n = (size_t)snprintf(buf, len, "%-10s", name);
	for (const char *a = p->args; *a && n < len; a++) {
		int w = 0;
		unsigned rd = d.rd == 32 ? 0 : d.rd;
		switch (*a) {
		case 'd': w = snprintf(buf + n, len - n, "%s", xname[rd]); break;
		case 'D': w = snprintf(buf + n, len - n, "%s", fname[d.rd & 31]); break;
		case 's': w = snprintf(buf + n, len - n, "%s", xname[d.rs1]); break;
		case 'S': w = snprintf(buf + n, len - n, "%s", fname[d.rs1]); break;
		case 't': w = snprintf(buf + n, len - n, "%s", xname[d.rs2]); break;
		case 'T': w = snprintf(buf + n, len - n, "%s", fname[d.rs2]); break;
		case 'R': w = snprintf(buf + n, len - n, "%s", fname[(d.imm >> 3) & 31]); break;
		case 'i': w = snprintf(buf + n, len - n, "%d", d.imm); break;
		case 'u': w = snprintf(buf + n, len - n, "0x%x", (uint32_t)d.imm >> 12); break;
		case 'o': w = snprintf(buf + n, len - n, "%d(%s)", d.imm, xname[d.rs1]); break;
		case 'b': case 'j':
			w = snprintf(buf + n, len - n, "0x%llx", (unsigned long long)(pc + (int64_t)d.imm));
			break;
		case 'c': {
			int idx = rv_csr_index((uint32_t)d.imm);
			if (idx >= 0)
				w = snprintf(buf + n, len - n, "%s", riscv64_regs.regs[idx].name);
			else
				w = snprintf(buf + n, len - n, "0x%03x", (unsigned)d.imm);
			break;
		}
		case 'z': w = snprintf(buf + n, len - n, "%u", d.rs1); break;
		default: w = snprintf(buf + n, len - n, "%c", *a); break;
		}
		if (w > 0)
			n += (size_t)w;
	}
	/* trim trailing padding for operand-less instructions */
	while (n > 0 && n < len && buf[n - 1] == ' ')
		buf[--n] = 0;
	return ilen;
}
