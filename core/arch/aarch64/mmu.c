/*
 * VMSAv8-64 stage 1 (EL1&0): one side-effect-free walker used by real
 * accesses, AT, and the debugger; the software TLB holding host pointers;
 * the memory slow path (MMIO, page crossings, watchpoints, code writes).
 */
#include <stdio.h>
#include "a64_int.h"
#include "../../trace.h"
#include "trace_hooks_a64.h"

static const char *const fault_names[] = {
	"none", "translation fault", "address size fault", "access flag fault",
	"permission fault", "alignment fault", "external abort on walk",
};

static void log_step(walk_log *log, int level, paddr_t table, paddr_t da, uint64_t desc, const char *fmt, ...)
	KWB_PRINTF(6, 7);

#include <stdarg.h>
static void log_step(walk_log *log, int level, paddr_t table, paddr_t da, uint64_t desc, const char *fmt, ...)
{
	va_list ap;
	walk_step *w;

	if (!log || log->count == (int)ARRAY_SIZE(log->steps))
		return;
	w = &log->steps[log->count++];
	w->level = level;
	w->table = table;
	w->desc_addr = da;
	w->desc = desc;
	va_start(ap, fmt);
	vsnprintf(w->note, sizeof(w->note), fmt, ap);
	va_end(ap);
}

static void set_fault(a64_tr *t, walk_log *log, int fault, int level)
{
	t->fault = fault;
	t->level = level;
	if (log)
		snprintf(log->result, sizeof(log->result), "%s, level %d (DFSC 0x%02x)",
			 fault_names[fault], level, a64_fault_code(fault, level));
}

void a64_walk(a64_cpu *s, uint64_t va, a64_tr *t, walk_log *log)
{
	uint64_t sctlr = s->sys[A64R_SCTLR_EL1], tcr = s->sys[A64R_TCR_EL1];

	memset(t, 0, sizeof(*t));
	if (log) {
		log->count = 0;
		log->result[0] = 0;
	}
	if (!(sctlr & 1)) {
		t->pa = va;
		t->perm[0] = t->perm[1] = P_R | P_W | P_X;
		t->level = 3;
		if (va >> 48)
			set_fault(t, log, F_ADDRSIZE, 0);
		else if (log)
			snprintf(log->result, sizeof(log->result), "PA 0x%llx (MMU off)", (unsigned long long)va);
		return;
	}

	bool hi = va >> 55 & 1;
	unsigned tsz = hi ? (tcr >> 16) & 63 : tcr & 63;
	bool tbi = hi ? tcr >> 38 & 1 : tcr >> 37 & 1;
	bool epd = hi ? tcr >> 23 & 1 : tcr >> 7 & 1;
	unsigned tg = hi ? (tcr >> 30) & 3 : (tcr >> 14) & 3;
	unsigned g = hi ? (tg == 1 ? 14 : tg == 3 ? 16 : 12) : (tg == 2 ? 14 : tg == 1 ? 16 : 12);

	if (tsz < 16)
		tsz = 16;
	if (tsz > 39)
		tsz = 39;
	unsigned inbits = 64 - tsz;
	uint64_t top = tbi ? sext(va, 56) : va;
	if ((uint64_t)((int64_t)top >> inbits) != (hi ? ~0ull : 0) || epd) {
		set_fault(t, log, F_TRANS, 0);
		if (log)
			snprintf(log->result, sizeof(log->result), "translation fault, level 0: VA outside TTBR%d range%s",
				 hi, epd ? " (walks disabled by EPD)" : "");
		return;
	}

	unsigned stride = g - 3;
	unsigned levels = (inbits - g + stride - 1) / stride;
	int level = 4 - levels;
	unsigned firstbits = inbits - g - (levels - 1) * stride;
	uint64_t ttbr = hi ? s->sys[A64R_TTBR1_EL1] : s->sys[A64R_TTBR0_EL1];
	paddr_t table = ttbr & 0x0000fffffffffffeull & ~((8ull << firstbits) - 1);
	/* output size: TCR.IPS capped at what ID_AA64MMFR0.PARange says
	 * (44 bits on cortex-a57, 40 on cortex-a53), as QEMU does */
	static const uint8_t ips_bits[8] = { 32, 36, 40, 42, 44, 48, 48, 48 };
	unsigned ips = tcr >> 32 & 7, parange = s->sys[A64R_ID_AA64MMFR0_EL1] & 7;
	uint64_t pa_limit = 1ull << ips_bits[ips < parange ? ips : parange];

	if (table >= pa_limit) {
		set_fault(t, log, F_ADDRSIZE, 4 - levels);
		return;
	}
	unsigned ap_table = 0;
	bool uxn_t = false, pxn_t = false;
	bus *b = &s->c.m->bus;

	for (;; level++) {
		unsigned shift = g + (3 - level) * stride;
		unsigned nbits = level == 4 - (int)levels ? firstbits : stride;
		paddr_t da = table + ((va >> shift) & ((1ull << nbits) - 1)) * 8;
		uint8_t *p = bus_ram_ptr(b, da, 8);
		uint64_t desc;

		if (!p) {
			log_step(log, level, table, da, 0, "descriptor not in RAM");
			set_fault(t, log, F_EXT, level);
			return;
		}
		memcpy(&desc, p, 8);
		if (!(desc & 1)) {
			log_step(log, level, table, da, desc, "invalid");
			set_fault(t, log, F_TRANS, level);
			return;
		}
		if (level < 3 && (desc & 2)) {
			ap_table |= desc >> 61 & 3;
			uxn_t |= desc >> 60 & 1;
			pxn_t |= desc >> 59 & 1;
			log_step(log, level, table, da, desc, "table -> 0x%llx%s%s%s%s",
				 (unsigned long long)(desc & 0x0000ffffffffffffull & ~((1ull << g) - 1)),
				 desc >> 61 & 1 ? " APT0" : "", desc >> 62 & 1 ? " APT1(RO)" : "",
				 desc >> 60 & 1 ? " UXNT" : "", desc >> 59 & 1 ? " PXNT" : "");
			table = desc & 0x0000ffffffffffffull & ~((1ull << g) - 1);
			if (table >= pa_limit) {
				set_fault(t, log, F_ADDRSIZE, level);
				return;
			}
			continue;
		}
		bool block_ok = level == 3 || (g == 12 ? level >= 1 : level == 2);
		if (!block_ok || (level == 3 && !(desc & 2))) {
			log_step(log, level, table, da, desc, "reserved descriptor");
			set_fault(t, log, F_TRANS, level);
			return;
		}
		uint64_t omask = (1ull << shift) - 1;
		unsigned ap = desc >> 6 & 3;
		bool pxn = desc >> 53 & 1, uxn = desc >> 54 & 1;
		log_step(log, level, table, da, desc, "%s AttrIndx=%u AP=%u SH=%u%s%s%s%s",
			 level == 3 ? "page" : "block", (unsigned)(desc >> 2 & 7), ap, (unsigned)(desc >> 8 & 3),
			 desc >> 10 & 1 ? " AF" : " !AF", desc >> 11 & 1 ? " nG" : "", pxn ? " PXN" : "",
			 uxn ? " UXN" : "");
		t->level = level;
		t->pa = (desc & 0x0000ffffffffffffull & ~omask) | (va & omask);
		if (t->pa >= pa_limit) {
			set_fault(t, log, F_ADDRSIZE, level);
			return;
		}
		if (!(desc >> 10 & 1)) {
			set_fault(t, log, F_ACCESS, level);
			return;
		}
		bool w1 = !(ap & 2) && !(ap_table & 2);
		bool r0 = (ap & 1) && !(ap_table & 1);
		bool w0 = ap == 1 && !(ap_table & 3);
		bool wxn = sctlr >> 19 & 1;
		t->perm[1] = P_R | (w1 ? P_W : 0) |
			     (!pxn && !pxn_t && !(ap == 1) && !(wxn && w1) ? P_X : 0);
		t->perm[0] = (r0 ? P_R : 0) | (w0 ? P_W : 0) | (!uxn && !uxn_t && !(wxn && w0) ? P_X : 0);
		t->attr = (uint8_t)(s->sys[A64R_MAIR_EL1] >> (8 * (desc >> 2 & 7)));
		t->sh = desc >> 8 & 3;
		t->ng = desc >> 11 & 1;
		if (log)
			snprintf(log->result, sizeof(log->result), "PA 0x%llx EL1:%s%s%s EL0:%s%s%s attr 0x%02x",
				 (unsigned long long)t->pa, t->perm[1] & P_R ? "r" : "-", t->perm[1] & P_W ? "w" : "-",
				 t->perm[1] & P_X ? "x" : "-", t->perm[0] & P_R ? "r" : "-",
				 t->perm[0] & P_W ? "w" : "-", t->perm[0] & P_X ? "x" : "-", t->attr);
		return;
	}
}

bool a64_translate(a64_cpu *s, uint64_t va, int acc, int el, paddr_t *pa, uint8_t **host, bool *ng)
{
	a64_tr t;
	bool exec = acc == ACC_EXEC;

	if (unlikely(trace_on(s->c.m->trace, TRACE_MMU)))
		a64_walk_traced(s, va, acc, el, &t);
	else
		a64_walk(s, va, &t, NULL);
	if (t.fault) {
		a64_abort(s, exec, t.fault, t.level, va, acc == ACC_WRITE, false);
		return false;
	}
	if (!(t.perm[el] & acc)) {
		a64_abort(s, exec, F_PERM, t.level, va, acc == ACC_WRITE, false);
		return false;
	}
	*pa = t.pa;
	/* ROM and ROM devices (flash) take their writes through the bus */
	*host = acc == ACC_WRITE ? bus_ram_ptr_w(&s->c.m->bus, t.pa & ~0xfffull, 0x1000)
				 : bus_ram_ptr(&s->c.m->bus, t.pa & ~0xfffull, 0x1000);
	*ng = t.ng;
	return true;
}

/* ---- TLB maintenance ---- */

void a64_tlb_flush(a64_cpu *s)
{
	a64_core *k = CORE(s);

	for (int el = 0; el < 2; el++)
		for (int i = 0; i < TLB_SIZE; i++) {
			k->rt[el][i].tag = TLB_INVALID;
			k->wt[el][i].tag = TLB_INVALID;
			k->xt[el][i].tag = TLB_INVALID;
		}
	memset(k->ng_bits, 0, sizeof(k->ng_bits));
	k->global_lo = false;
}

/* Drop the entries that may be non-global: the ASID they were filled
 * under is no longer current (or TLBI by ASID). Global ones stay. */
void a64_tlb_flush_ng(a64_cpu *s)
{
	a64_core *k = CORE(s);

	for (int el = 0; el < 2; el++)
		for (int w = 0; w < TLB_SIZE / 64; w++) {
			for (uint64_t b = k->ng_bits[el][w]; b; b &= b - 1) {
				int i = w * 64 + __builtin_ctzll(b);
				k->rt[el][i].tag = TLB_INVALID;
				k->wt[el][i].tag = TLB_INVALID;
				k->xt[el][i].tag = TLB_INVALID;
			}
			k->ng_bits[el][w] = 0;
		}
}

/*
 * TTBR0/TTBR1 written (a context switch, or new tables). The TLBs keep one
 * ASID's non-global entries, so those go; global entries stay unless the
 * tables they may have come from were replaced (a new TTBR1 base, or a new
 * TTBR0 base while a global entry from the low range is cached), where the
 * architecture would make software invalidate anyway.
 */
void a64_tlb_ttbr_written(a64_cpu *s, int idx, uint64_t old)
{
	a64_core *k = CORE(s);
	uint64_t baddr = 0x0000fffffffffffeull, v = s->sys[idx];

	k->ttbr_flushed_all = ((old ^ v) & baddr) && (idx == A64R_TTBR1_EL1 || k->global_lo);
	if (k->ttbr_flushed_all)
		a64_tlb_flush(s);
	else
		a64_tlb_flush_ng(s);
}

void a64_tlb_flush_all_cpus(machine *m)
{
	for (int i = 0; i < m->ncpus; i++)
		if (m->cpus[i])
			a64_tlb_flush(A64(m->cpus[i]));
}

/* Drop every cached write entry (the next write to each page takes the
 * slow path: history's new epoch, a page that became code). */
void a64_tlb_flush_writes(a64_cpu *s)
{
	a64_core *k = CORE(s);

	for (int el = 0; el < 2; el++)
		for (int i = 0; i < TLB_SIZE; i++)
			k->wt[el][i].tag = TLB_INVALID;
}

static void flush_writes_all_cpus(machine *m)
{
	for (int c = 0; c < m->ncpus; c++)
		if (m->cpus[c])
			a64_tlb_flush_writes(A64(m->cpus[c]));
}

/* By VA: entries are 4K, pages may be up to 64K; the index ignores the
 * top byte, so tagged addresses go too. */
void a64_tlb_flush_va(machine *m, uint64_t va)
{
	unsigned first = (va >> 12) & ~15u;

	for (int c = 0; c < m->ncpus; c++) {
		if (!m->cpus[c])
			continue;
		a64_core *k = CORE(A64(m->cpus[c]));
		for (unsigned j = 0; j < 16; j++) {
			unsigned i = (first + j) & (TLB_SIZE - 1);
			for (int el = 0; el < 2; el++) {
				k->rt[el][i].tag = TLB_INVALID;
				k->wt[el][i].tag = TLB_INVALID;
				k->xt[el][i].tag = TLB_INVALID;
			}
		}
	}
}

/* ---- decoded code tracking ---- */

static bool is_code(a64_shared *sh, paddr_t pa)
{
	uint64_t pn = (pa - sh->ram_base) >> 12;
	if (pa < sh->ram_base || pn >= sh->ram_pages)
		return false;
	return sh->code_bits[pn / 64] >> (pn % 64) & 1;
}

void a64_code_written(a64_shared *sh, paddr_t pa)
{
	uint64_t pn = (pa - sh->ram_base) >> 12;
	paddr_t page = pa & ~0xfffull;

	if (pa >= sh->ram_base && pn < sh->ram_pages)
		sh->code_bits[pn / 64] &= ~(1ull << (pn % 64));
	for (a64_page *p = sh->hash[(page >> 12) & (A64_PAGE_HASH - 1)]; p; p = p->next)
		if (p->pa == page)
			a64_page_clear(p);
}

/* Pages are cleared when next fetched (fetch_page compares generations);
 * dropping the exec TLBs makes every CPU go through that check. The code
 * bits stay: stores to a page that was code keep being checked. */
void a64_decode_flush_all(a64_shared *sh)
{
	sh->gen++;
	a64_tlb_flush_all_cpus(sh->m);
}

void a64_mark_code(a64_shared *sh, paddr_t pa)
{
	uint64_t pn;

	if (!sh->code_bits) {
		bus_region *r = sh->m->bus.ram;
		if (!r)
			return;
		sh->ram_base = r->base;
		sh->ram_pages = r->size >> 12;
		sh->code_bits = kwb_zalloc((sh->ram_pages + 63) / 64 * 8);
	}
	pn = (pa - sh->ram_base) >> 12;
	if (pa < sh->ram_base || pn >= sh->ram_pages)
		return;
	if (sh->code_bits[pn / 64] >> (pn % 64) & 1)
		return;
	sh->code_bits[pn / 64] |= 1ull << (pn % 64);
	flush_writes_all_cpus(sh->m);
}

/* ---- the slow path ---- */

/* Translate one data access; handles watchpoints and TLB fills. */
/* A debugger watchpoint matched: stop before the access, pc at the
 * instruction (once: resuming runs it). */
static bool watch_stop(a64_cpu *s, uint64_t va, paddr_t pa, unsigned size, int acc)
{
	a64_core *k = CORE(s);

	if ((k->watch_skip && s->c.icount == k->watch_skip_icount) || !dbg_watch_hit(&s->c, va, pa, size, acc))
		return false;
	s->c.icount--;
	k->watch_skip = true;
	k->watch_skip_icount = s->c.icount + 1;
	k->stop = CPU_EXIT_DEBUG;
	return true;
}

/* The physical address of RAM at host pointer p (watched pages only). */
static paddr_t host_pa(bus *b, const uint8_t *p)
{
	if (b->ram && p >= b->ram->host && p < b->ram->host + b->ram->size)
		return b->ram->base + (paddr_t)(p - b->ram->host);
	for (int i = 0; i < b->count; i++) {
		bus_region *r = &b->regions[i];
		if (r->host && p >= r->host && p < r->host + r->size)
			return r->base + (paddr_t)(p - r->host);
	}
	return ~0ull;
}

/*
 * An access to a page holding a debugger watchpoint whose translation is
 * cached with TLB_WATCH (so the inline fast path misses it): check the
 * watchpoints and access the page without walking. False when the entry
 * does not serve this access.
 */
static bool watched_access(a64_cpu *s, uint64_t va, unsigned size, int acc, int el, uint64_t *val,
			   paddr_t *pa_out, bool *ok)
{
	a64_core *k = CORE(s);
	tlb_entry *e = &(acc == ACC_WRITE ? k->wt : k->rt)[el][(va >> 12) & (TLB_SIZE - 1)];
	uint8_t *p;
	paddr_t pa;

	if (e->tag != ((va & ~0xfffull) | TLB_WATCH) || (va & 0xfff) + size > 0x1000)
		return false;
	p = (uint8_t *)(uintptr_t)(va + e->addend);
	pa = host_pa(&s->c.m->bus, p);
	*ok = !watch_stop(s, va, pa, size, acc);
	if (*ok && acc == ACC_WRITE) {
		if (is_code(k->sh, pa))
			a64_code_written(k->sh, pa);
		memcpy(p, val, size);
	} else if (*ok) {
		*val = 0;
		memcpy(val, p, size);
	}
	*pa_out = pa;
	return true;
}

static bool xlate_data(a64_cpu *s, uint64_t va, unsigned size, int acc, int el, paddr_t *pa, uint8_t **host)
{
	a64_core *k = CORE(s);
	machine *m = s->c.m;
	bool cache = true;
	uint64_t flag = 0;
	bool ng;

	if (!a64_translate(s, va, acc, el, pa, host, &ng))
		return false;
	if (unlikely(dbg_watch_page(m, va) || dbg_watch_page(m, *pa))) {
		flag = TLB_WATCH;	/* cached, but every access comes here */
		if (watch_stop(s, va, *pa, size, acc))
			return false;
	}
	/* the guest's own watchpoints, after the debugger's (each to its owner) */
	if (unlikely(k->hw.wp_on) && a64_gwp_page(s, va)) {
		cache = false;
		if (a64_gwp_hit(s, va, size, acc, el))
			return false;
	}
	if (!*host)
		return true;
	if (acc == ACC_WRITE)	/* the page may stay writable in the TLB */
		bus_will_store(&m->bus, *pa & ~0xfffull, 0x1000);
	if (acc == ACC_WRITE && is_code(k->sh, *pa))
		a64_code_written(k->sh, *pa);
	if (cache && !k->trace_mem) {
		tlb_entry *e = acc == ACC_WRITE ? &k->wt[el][(va >> 12) & (TLB_SIZE - 1)]
						: &k->rt[el][(va >> 12) & (TLB_SIZE - 1)];
		if (flag) {	/* only accesses touching a watched byte miss */
			const dbg_watch_bits *wb = dbg_watch_bits_of(m, va & ~0xfffull, *pa & ~0xfffull);
			if (!(acc == ACC_WRITE ? wb->any_wr : wb->any_rd))
				flag = 0;
			dbg_wbits_set(&k->wbits[acc == ACC_WRITE][el][(va >> 12) & (TLB_SIZE - 1)],
				      acc == ACC_WRITE ? wb->wr : wb->rd, va & ~0xfffull);
		}
		e->tag = (va & ~0xfffull) | flag;
		e->addend = (uintptr_t)*host - (va & ~0xfffull);
		a64_tlb_note_fill(s, el, va, ng);
		if (unlikely(trace_on(m->trace, TRACE_MMU)))
			a64_trace_fill(s, acc == ACC_WRITE ? "W" : "R", el, va, *pa);
	}
	return true;
}

static bool mem_slow(a64_cpu *s, uint64_t va, unsigned size, int acc, int el, uint64_t *val, paddr_t *pa_out)
{
	paddr_t pa = 0, pa2 = 0;
	uint8_t *host, *host2 = NULL;
	unsigned first = size;
	bool ok;

	if (unlikely(watched_access(s, va, size, acc, el, val, pa_out, &ok)))
		return ok;

	if (unlikely((va & 0xfff) + size > 0x1000)) {
		first = 0x1000 - (va & 0xfff);
		if (!xlate_data(s, va, first, acc, el, &pa, &host) ||
		    !xlate_data(s, (va + size) & ~0xfffull, size - first, acc, el, &pa2, &host2))
			return false;
	} else if ((acc == ACC_WRITE ? CORE(s)->wt : CORE(s)->rt)[el][(va >> 12) & (TLB_SIZE - 1)].tag ==
		   (va & ~0xfffull)) {
		/* misaligned but within a cached page */
		tlb_entry *e = &(acc == ACC_WRITE ? CORE(s)->wt : CORE(s)->rt)[el][(va >> 12) & (TLB_SIZE - 1)];
		uint8_t *p = (uint8_t *)(uintptr_t)(va + e->addend);
		if (acc == ACC_WRITE)
			memcpy(p, val, size);
		else {
			*val = 0;
			memcpy(val, p, size);
		}
		pa = ~0ull;	/* not known here: never so while -d mem keeps the TLB empty */
		goto done;
	} else if (!xlate_data(s, va, size, acc, el, &pa, &host)) {
		return false;
	}
	if (likely(host && first == size)) {
		uint8_t *p = host + (pa & 0xfff);
		if (acc == ACC_WRITE)
			memcpy(p, val, size);
		else {
			*val = 0;
			memcpy(val, p, size);
		}
		goto done;
	}
	/* A device access may raise an interrupt or make the CPU leave: the
	 * handler chain ends after this instruction, so where that takes
	 * effect never depends on where the chain began (a stop, a breakpoint
	 * page, history re-executing from a checkpoint). */
	CORE(s)->end_chain = s->c.icount;
	if (first != size) {
		uint8_t buf[8];
		if (acc == ACC_WRITE)
			memcpy(buf, val, 8);
		for (unsigned i = 0; i < size; i++) {
			paddr_t bpa = i < first ? pa + i : pa2 + (i - first);
			uint8_t *h = i < first ? host : host2;
			uint64_t v = 0;
			if (h) {
				uint8_t *p = h + (bpa & 0xfff);
				if (acc == ACC_WRITE)
					*p = buf[i];
				else
					buf[i] = *p;
			} else if (acc == ACC_WRITE) {
				if (bus_write(&s->c.m->bus, bpa, 1, buf[i]))
					goto ext;
			} else {
				if (bus_read(&s->c.m->bus, bpa, 1, &v))
					goto ext;
				buf[i] = (uint8_t)v;
			}
		}
		if (acc != ACC_WRITE) {
			*val = 0;
			memcpy(val, buf, size);
		}
		goto done;
	}
	if (acc == ACC_WRITE) {
		if (bus_write(&s->c.m->bus, pa, size, *val) == BUS_OK)
			goto done;
	} else {
		if (bus_read(&s->c.m->bus, pa, size, val) == BUS_OK)
			goto done;
	}
ext:
	a64_abort(s, false, F_EXT, 0, va, acc == ACC_WRITE, false);
	return false;
done:
	*pa_out = pa;
	return true;
}

bool a64_mem_slow(a64_cpu *s, uint64_t va, unsigned size, int acc, int el, uint64_t *val)
{
	paddr_t pa;

	if (!mem_slow(s, va, size, acc, el, val, &pa))
		return false;
	if (unlikely(trace_on(s->c.m->trace, TRACE_MEM | TRACE_MMIO)) && pa != ~0ull)
		trace_mem(&s->c, s->ps.el, s->pc, va, pa, size, acc, *val);
	return true;
}

bool a64_read(a64_cpu *s, uint64_t va, unsigned size, uint64_t *value)
{
	return a64_ld(s, va, size, s->ps.el, value);
}

bool a64_write(a64_cpu *s, uint64_t va, unsigned size, uint64_t value)
{
	return a64_st(s, va, size, s->ps.el, value);
}
