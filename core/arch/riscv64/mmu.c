/*
 * Address translation: Sv39/Sv48/Sv57 walks (one walker: the debugger's
 * side-effect-free translation uses it with updates off), PMP, the
 * software TLB fill, and the slow paths of loads, stores and AMOs.
 *
 * A/D bits are set by the walker (hardware update, as QEMU does) rather
 * than raising page faults. Misaligned loads and stores are performed
 * instead of trapping (as QEMU 7.2 does, see rv_load_slow); LR/AMOs must be
 * aligned.
 */
#include <stdio.h>
#include <string.h>

#include "rv.h"
#include "trace_hooks_rv.h"
#include "../../trace.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN(p) (((p) >> 10) & ((1ull << 44) - 1))

static int page_fault(int access)
{
	return access == ACC_EXEC ? EXC_INSN_PAGE : (access & ACC_WRITE) ? EXC_STORE_PAGE : EXC_LOAD_PAGE;
}

static int access_fault(int access)
{
	return access == ACC_EXEC ? EXC_INSN_ACCESS : (access & ACC_WRITE) ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
}

/* ---- PMP ---- */

static void pmp_range(const rv_hart *h, int i, uint64_t *lo, uint64_t *hi)
{
	uint64_t a = h->pmpaddr[i];

	switch ((h->pmpcfg[i] >> 3) & 3) {
	case 1:	/* TOR */
		*lo = i ? h->pmpaddr[i - 1] << 2 : 0;
		*hi = a << 2;
		break;
	case 2:	/* NA4 */
		*lo = a << 2;
		*hi = *lo + 4;
		break;
	case 3: {	/* NAPOT */
		int t = __builtin_ctzll(~a);
		if (t >= 54) {
			*lo = 0;
			*hi = ~0ull;
		} else {
			*lo = (a & ~((1ull << t) - 1)) << 2;
			*hi = *lo + (8ull << t);
		}
		break;
	}
	default:
		*lo = *hi = 0;
	}
}

/* Returns true if allowed; *page_ok says the whole 4K page has the same
 * answer (so the TLB may cache it). */
static bool pmp_check(const rv_hart *h, paddr_t pa, unsigned len, int access, int priv, bool *page_ok)
{
	paddr_t page = pa & ~0xfffull;

	*page_ok = true;
	for (int i = 0; i < h->npmp; i++) {
		uint64_t lo, hi;
		uint8_t cfg = h->pmpcfg[i];
		if (!(cfg & 0x18))
			continue;
		pmp_range(h, i, &lo, &hi);
		if (lo >= hi)
			continue;
		if (pa + len <= lo || pa >= hi) {
			if (page < hi && lo < page + 4096)
				*page_ok = false;
			continue;
		}
		if (pa < lo || pa + len > hi)
			return false;	/* straddles the entry */
		if (page < lo || page + 4096 > hi)
			*page_ok = false;
		if (priv == PRV_M && !(cfg & 0x80))
			return true;
		if (access == ACC_EXEC)
			return cfg & 4;
		if ((access & ACC_READ) && !(cfg & 1))
			return false;
		if ((access & ACC_WRITE) && !(cfg & 2))
			return false;
		return true;
	}
	return priv == PRV_M;
}

/* ---- the walker ---- */

static uint64_t ram_read64(machine *m, paddr_t pa, bool *ok)
{
	uint8_t *p = bus_ram_ptr(&m->bus, pa, 8);
	uint64_t v = 0;

	*ok = p != NULL;
	if (p)
		memcpy(&v, p, 8);
	return v;
}

enum walk_flags { WALK_UPDATE = 1, WALK_CHECK = 2 };

/* Translate va through satp. With WALK_CHECK the permission rules of
 * priv/SUM/MXR apply; with WALK_UPDATE A/D are set and PMP checks the
 * PTE reads. Returns 0 or an exception cause. */
static int walk(rv_hart *h, uint64_t va, int access, int priv, unsigned flags, paddr_t *pa,
		walk_log *log, bool *super)
{
	bool global = false;

	machine *m = h->c.m;
	int levels = (int)(h->satp >> 60) - 5;	/* 8 -> 3, 9 -> 4, 10 -> 5 */
	int vabits = 12 + 9 * levels;
	paddr_t table = (h->satp & ((1ull << 44) - 1)) << 12;

	if (sext(va, (unsigned)vabits) != va) {
		if (log)
			snprintf(log->result, sizeof(log->result), "page fault: VA not canonical for Sv%d", vabits);
		return page_fault(access);
	}
	for (int lvl = levels - 1; lvl >= 0; lvl--) {
		paddr_t pte_addr = table + ((va >> (12 + 9 * lvl)) & 511) * 8;
		bool ok, page_ok;
		uint64_t pte;

		if ((flags & WALK_UPDATE) && !pmp_check(h, pte_addr, 8, ACC_READ, PRV_S, &page_ok))
			return access_fault(access);
		pte = ram_read64(m, pte_addr, &ok);
		if (log && log->count < (int)ARRAY_SIZE(log->steps)) {
			walk_step *s = &log->steps[log->count++];
			s->level = lvl;
			s->table = table;
			s->desc_addr = pte_addr;
			s->desc = pte;
			snprintf(s->note, sizeof(s->note), "%s%s%s%s%s%s%s%s%s",
				 !ok ? "not RAM " : "", pte & PTE_V ? "V" : "-", pte & PTE_R ? "R" : "-",
				 pte & PTE_W ? "W" : "-", pte & PTE_X ? "X" : "-", pte & PTE_U ? "U" : "-",
				 pte & PTE_G ? "G" : "-", pte & PTE_A ? "A" : "-", pte & PTE_D ? "D" : "-");
		}
		if (!ok) {
			if (log)
				snprintf(log->result, sizeof(log->result), "access fault: PTE at 0x%llx not in RAM",
					 (unsigned long long)pte_addr);
			return access_fault(access);
		}
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte >> 54)) {
			if (log)
				snprintf(log->result, sizeof(log->result), "page fault: invalid PTE at level %d", lvl);
			return page_fault(access);
		}
		global |= (pte & PTE_G) != 0;	/* G on a pointer covers what is below */
		if (!(pte & (PTE_R | PTE_X))) {
			table = PTE_PPN(pte) << 12;
			continue;
		}
		/* leaf */
		if (flags & WALK_CHECK) {
			bool allowed;
			if (access == ACC_EXEC)
				allowed = (pte & PTE_X) && (priv == PRV_U ? (pte & PTE_U) : !(pte & PTE_U));
			else {
				allowed = true;
				if ((access & ACC_READ) &&
				    !((pte & PTE_R) || ((h->mstatus & MSTATUS_MXR) && (pte & PTE_X))))
					allowed = false;
				if ((access & ACC_WRITE) && !(pte & PTE_W))
					allowed = false;
				if (priv == PRV_U && !(pte & PTE_U))
					allowed = false;
				if (priv == PRV_S && (pte & PTE_U) && !(h->mstatus & MSTATUS_SUM))
					allowed = false;
			}
			if (!allowed) {
				if (log)
					snprintf(log->result, sizeof(log->result), "page fault: permission");
				return page_fault(access);
			}
		}
		if (lvl && (PTE_PPN(pte) & ((1ull << (9 * lvl)) - 1))) {
			if (log)
				snprintf(log->result, sizeof(log->result), "page fault: misaligned superpage");
			return page_fault(access);
		}
		if ((flags & WALK_UPDATE) &&
		    (!(pte & PTE_A) || ((access & ACC_WRITE) && !(pte & PTE_D)))) {
			uint8_t *p = bus_ram_ptr(&m->bus, pte_addr, 8);
			pte |= PTE_A | ((access & ACC_WRITE) ? PTE_D : 0);
			bus_will_store(&m->bus, pte_addr, 8);
			if (unlikely(rv_is_code_page(h->sh, pte_addr)))	/* snooped as a store */
				rv_code_write(h, pte_addr, 8);
			memcpy(p, &pte, 8);
		}
		uint64_t off_mask = (1ull << (12 + 9 * lvl)) - 1;
		*pa = ((PTE_PPN(pte) << 12) & ~off_mask) | (va & off_mask);
		if (super) {
			*super = lvl > 0;
			h->last_global = global;
		}
		if (log)
			snprintf(log->result, sizeof(log->result), "PA 0x%llx %s%s%s%s%s%s",
				 (unsigned long long)*pa, lvl ? (lvl == 1 ? "2M " : lvl == 2 ? "1G " : "huge ") : "",
				 pte & PTE_R ? "R" : "-", pte & PTE_W ? "W" : "-", pte & PTE_X ? "X" : "-",
				 pte & PTE_U ? "U" : "-", pte & PTE_D ? "D" : "-");
		return 0;
	}
	if (log)
		snprintf(log->result, sizeof(log->result), "page fault: no leaf PTE");
	return page_fault(access);
}

static int data_priv(const rv_hart *h)
{
	if (h->priv == PRV_M && (h->mstatus & MSTATUS_MPRV))
		return (int)((h->mstatus >> 11) & 3);
	return h->priv;
}

/* -d mmu: the same walk, logged. */
static __attribute__((noinline)) int walk_traced(rv_hart *h, uint64_t va, int access, int priv, paddr_t *pa,
						 bool *super)
{
	walk_log log = { .count = 0 };
	int r = walk(h, va, access, priv, WALK_UPDATE | WALK_CHECK, pa, &log, super);

	rv_trace_walk(h, va, access, priv, &log);
	return r;
}

int rv_translate(rv_hart *h, uint64_t va, int access, paddr_t *pa, bool *cacheable)
{
	int priv = access == ACC_EXEC ? h->priv : data_priv(h);
	bool super = false, page_ok;

	if (unlikely(h->pmu.tlb_events))
		rv_pmu_tlb_miss(h, access);
	if (priv == PRV_M || !(h->satp >> 60)) {
		*pa = va;
		h->last_global = true;	/* no translation: the same under any ASID */
	} else {
		int r = unlikely(trace_on(h->c.m->trace, TRACE_MMU)) ? walk_traced(h, va, access, priv, pa, &super) :
			walk(h, va, access, priv, WALK_UPDATE | WALK_CHECK, pa, NULL, &super);
		if (r)
			return r;
	}
	if (!pmp_check(h, *pa, 1, access, priv, &page_ok))
		return access_fault(access);
	h->last_super = super;
	*cacheable = page_ok;
	return 0;
}

int rv_debug_translate(cpu *c, vaddr_t va, int access, paddr_t *pa, walk_log *log)
{
	rv_hart *h = HART(c);
	int priv = access == ACC_EXEC ? h->priv : data_priv(h);

	if (log) {
		log->count = 0;
		log->result[0] = 0;
	}
	if (priv == PRV_M || !(h->satp >> 60)) {
		*pa = va;
		if (log)
			snprintf(log->result, sizeof(log->result), "PA 0x%llx (translation off in %s-mode)",
				 (unsigned long long)va, priv == PRV_M ? "M" : priv == PRV_S ? "S" : "U");
		return 0;
	}
	return walk(h, va, access ? access : ACC_READ, priv, 0, pa, log, NULL) ? -1 : 0;
}

bool rv_mmu_enabled(cpu *c)
{
	rv_hart *h = HART(c);
	return h->priv != PRV_M && (h->satp >> 60);
}

/* ---- the TLB ---- */

void rv_tlb_flush(rv_hart *h)
{
	for (int s = 0; s < RV_TLB_SETS; s++)
		for (int i = 0; i < RV_TLB_SIZE; i++) {
			h->tlb_r[s][i].tag = RV_TLB_INVALID;
			h->tlb_w[s][i].tag = RV_TLB_INVALID;
			h->tlb_x[s][i].tag = RV_TLB_INVALID;
		}
	h->tlb_super = false;
	h->nsuper_d = h->nsuper_x = 0;
	memset(h->ng_bits, 0, sizeof(h->ng_bits));
}

/* satp changed its ASID or root: drop the entries that may be non-global
 * (filled under the old satp). Global ones stay, as on hardware until an
 * sfence.vma, which software issues when it changes global mappings. */
void rv_tlb_flush_ng(rv_hart *h)
{
	for (int s = 0; s < RV_TLB_SETS; s++)
		for (int w = 0; w < RV_TLB_SIZE / 64; w++) {
			for (uint64_t b = h->ng_bits[s][w]; b; b &= b - 1) {
				int i = w * 64 + __builtin_ctzll(b);
				h->tlb_r[s][i].tag = RV_TLB_INVALID;
				h->tlb_w[s][i].tag = RV_TLB_INVALID;
				h->tlb_x[s][i].tag = RV_TLB_INVALID;
			}
			h->ng_bits[s][w] = 0;
		}
}

void rv_tlb_note_super_d(rv_hart *h, rv_tlbe *e)
{
	if (h->nsuper_d < RV_MAX_SUPER)
		h->super_d[h->nsuper_d++] = e;
	else
		h->tlb_super = true;
}

void rv_tlb_note_super_x(rv_hart *h, rv_itlbe *e)
{
	if (h->nsuper_x < RV_MAX_SUPER)
		h->super_x[h->nsuper_x++] = e;
	else
		h->tlb_super = true;
}

void rv_tlb_flush_va(rv_hart *h, uint64_t va)
{
	uint64_t page = va & ~0xfffull;
	unsigned i = (va >> 12) & (RV_TLB_SIZE - 1);

	if (h->tlb_super) {
		rv_tlb_flush(h);
		return;
	}
	for (int i = 0; i < h->nsuper_d; i++)
		h->super_d[i]->tag = RV_TLB_INVALID;
	for (int i = 0; i < h->nsuper_x; i++)
		h->super_x[i]->tag = RV_TLB_INVALID;
	h->nsuper_d = h->nsuper_x = 0;
	for (int s = 0; s < RV_TLB_SETS; s++) {
		if ((h->tlb_r[s][i].tag & ~RV_TLB_WATCH) == page)
			h->tlb_r[s][i].tag = RV_TLB_INVALID;
		if ((h->tlb_w[s][i].tag & ~RV_TLB_WATCH) == page)
			h->tlb_w[s][i].tag = RV_TLB_INVALID;
		if (h->tlb_x[s][i].tag == page)
			h->tlb_x[s][i].tag = RV_TLB_INVALID;
	}
}

static bool watched(machine *m, uint64_t va, paddr_t pa)
{
	return dbg_watch_page(m, va) || dbg_watch_page(m, pa);
}

/* A watchpoint matched: stop before the access, at this instruction. */
static bool watch_stop(rv_hart *h, const rv_insn *d)
{
	h->pc = rv_pc_of(h, d);
	h->exit = CPU_EXIT_DEBUG;	/* not executed, not counted */
	rv_end_block(h);
	return false;
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

/* An access to a watched page cached with RV_TLB_WATCH: check the
 * watchpoints, then access RAM without walking. False: not this entry's. */
static bool watched_access(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, int access,
			   uint64_t *v, bool *ok)
{
	machine *m = h->c.m;
	rv_tlbe *e = &(access == ACC_READ ? h->tr : h->tw)[(va >> 12) & (RV_TLB_SIZE - 1)];
	uint8_t *p;
	paddr_t pa;

	if (e->tag != ((va & ~0xfffull) | RV_TLB_WATCH) || (va & 0xfff) + size > 0x1000)
		return false;
	p = (uint8_t *)(uintptr_t)(va + e->add);
	pa = host_pa(&m->bus, p);
	rv_sync_icount(h);
	if (dbg_watch_hit(&h->c, va, pa, size, access)) {
		*ok = watch_stop(h, d);
		return true;
	}
	*ok = true;
	if (access == ACC_READ) {
		*v = 0;
		memcpy(v, p, size);
	} else {
		if (rv_is_code_page(h->sh, pa))
			rv_code_write(h, pa, size);
		if (h->sh->nresv)
			rv_resv_break_host(h, (uintptr_t)p, size);
		memcpy(p, v, size);
	}
	if (unlikely(trace_on(m->trace, TRACE_MEM)))
		rv_trace_mem(h, d, va, pa, size, access, *v);
	return true;
}

/* One access within a page: RAM through the host pointer (and cache the
 * page), else MMIO through the bus. */
static bool access_one(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, int access,
		       uint64_t *v)
{
	machine *m = h->c.m;
	paddr_t pa;
	bool cacheable, watch, ok;
	bus_region *r;
	int e;

	if (unlikely(watched_access(h, d, va, size, access, v, &ok)))
		return ok;
	e = rv_translate(h, va, access, &pa, &cacheable);

	if (e) {
		rv_raise(h, d, (uint64_t)e, va);
		return false;
	}
	if (!pmp_check(h, pa, size, access, access == ACC_EXEC ? h->priv : data_priv(h), &watch)) {
		rv_raise(h, d, (uint64_t)access_fault(access), va);
		return false;
	}
	watch = watched(m, va, pa);
	if (watch)
		rv_sync_icount(h);
	if (watch && dbg_watch_hit(&h->c, va, pa, size, access))
		return watch_stop(h, d);
	/* a guest trigger (Sdtrig): a breakpoint exception, nothing accessed */
	if (unlikely(h->trig.data) && rv_trig_data_hit(h, va, size, access)) {
		rv_take_trap(h, EXC_BREAKPOINT, 0, rv_pc_of(h, d));
		return false;
	}
	r = bus_find(&m->bus, pa);
	if (r && r->host && size <= r->size - (pa - r->base)) {
		uint8_t *p = r->host + (pa - r->base);
		uint8_t *page = bus_ram_ptr(&m->bus, pa & ~0xfffull, 4096);
		uint64_t tag = va & ~0xfffull;
		rv_tlbe *e2;
		if (access == ACC_READ) {
			*v = 0;
			memcpy(v, p, size);
			e2 = &h->tr[(va >> 12) & (RV_TLB_SIZE - 1)];
		} else {
			if (unlikely(trace_on(m->trace, TRACE_MEM)))
				rv_trace_mem(h, d, va, pa, size, access, *v);
			if (r->readonly)	/* ROM: ignored; ROM device: a command */
				return bus_write(&m->bus, pa, size, *v), true;
			/* the page may stay writable in the TLB */
			bus_will_store(&m->bus, pa & ~0xfffull, 0x1000);
			if (rv_is_code_page(h->sh, pa)) {
				rv_code_write(h, pa, size);
				cacheable = false;
			}
			if (h->sh->nresv)
				rv_resv_break_host(h, (uintptr_t)p, size);
			memcpy(p, v, size);
			e2 = &h->tw[(va >> 12) & (RV_TLB_SIZE - 1)];
		}
		if (unlikely(trace_on(m->trace, TRACE_MEM)) && access == ACC_READ)
			rv_trace_mem(h, d, va, pa, size, access, *v);
		if (cacheable && !h->trace_mem && !h->trig.data && page &&
		    !(access == ACC_WRITE && rv_is_code_page(h->sh, pa))) {
			uint64_t flag = 0;
			if (watch) {	/* only accesses touching a watched byte miss */
				const dbg_watch_bits *wb = dbg_watch_bits_of(m, tag, pa & ~0xfffull);
				/* a write entry also serves AMOs, which read (rv_amo_ptr) */
				if (access == ACC_READ ? wb->any_rd : (wb->any_wr || wb->any_rd))
					flag = RV_TLB_WATCH;
				if (access == ACC_READ)
					dbg_wbits_set(&h->wbits_r[e2 - h->tlb_r[0]], wb->rd, tag);
				else
					dbg_wbits_set(&h->wbits_w[e2 - h->tlb_w[0]], wb->wr, tag);
			}
			e2->tag = tag | flag;
			rv_tlb_note_fill(h, (int)((access == ACC_READ ? h->tr - &h->tlb_r[0][0] : h->tw - &h->tlb_w[0][0]) /
						  RV_TLB_SIZE), va);
			e2->add = (uintptr_t)page - tag;
			if (h->last_super)
				rv_tlb_note_super_d(h, e2);
			if (unlikely(trace_on(m->trace, TRACE_MMU)))
				rv_trace_fill(h, access == ACC_READ ? "R" : "W", va, pa);
		}
		return true;
	}
	/* MMIO (or nothing): devices may change interrupt state, so the
	 * block ends here; time must be exact for them. */
	rv_sync_icount(h);
	rv_end_block(h);
	if (access == ACC_READ ? bus_read(&m->bus, pa, size, v) : bus_write(&m->bus, pa, size, *v)) {
		rv_raise(h, d, (uint64_t)access_fault(access), va);
		return false;
	}
	if (unlikely(trace_on(m->trace, TRACE_MEM | TRACE_MMIO)))
		rv_trace_mem(h, d, va, pa, size, access, *v);
	return true;
}

/* Translate the page of va for a misaligned access part; raises the fault
 * naming va. *ram: the page is RAM (read or written as its bytes). */
static bool part_page(rv_hart *h, const rv_insn *d, uint64_t va, int access, bool *ram)
{
	paddr_t pa;
	bool cacheable;
	bus_region *r;
	int e = rv_translate(h, va, access, &pa, &cacheable);

	if (e) {
		rv_raise(h, d, (uint64_t)e, va);
		return false;
	}
	r = bus_find(&h->c.m->bus, pa);
	*ram = r && r->host;
	return true;
}

/*
 * Misaligned loads are performed, as QEMU 7.2's softmmu does them (the
 * reference for what the guest sees): the two naturally aligned accesses
 * of the same size that cover the load, combined. The page of each part is
 * translated first, so a fault on the first page names va and one on the
 * second names that page's first byte. A part in RAM is read as the bytes
 * the load covers (watchpoints and -d mem see those); a part on a device or
 * on nothing is one aligned access, so the device sees what it sees under
 * QEMU and a fault there names the aligned address.
 */
bool rv_load_slow(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, uint64_t *v)
{
	uint64_t base = va & ~(uint64_t)(size - 1), part[2] = { 0, 0 };
	unsigned shift = (unsigned)(va - base) * 8;

	if (likely(!shift))
		return access_one(h, d, va, size, ACC_READ, v);
	for (int i = 0; i < 2; i++) {
		uint64_t a = base + (uint64_t)i * size;	/* the aligned part */
		uint64_t from = i ? a : va, to = i ? va + size : a + size;
		bool ram;

		if (!part_page(h, d, from, ACC_READ, &ram))
			return false;
		if (!ram) {
			if (!access_one(h, d, a, size, ACC_READ, &part[i]))
				return false;
			continue;
		}
		for (uint64_t b = from; b != to; b++) {
			uint64_t byte;
			if (!access_one(h, d, b, 1, ACC_READ, &byte))
				return false;
			part[i] |= byte << (8 * (b - a));
		}
	}
	*v = part[0] >> shift | part[1] << (size * 8 - shift);
	if (size < 8)
		*v &= (1ull << (size * 8)) - 1;
	return true;
}

/* Misaligned stores are performed byte by byte, after translating the page
 * of va and, when the store crosses into the next page, that page (a fault
 * there names its first byte, as QEMU's): a faulting page leaves memory
 * alone. */
bool rv_store_slow(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, uint64_t v)
{
	uint64_t last = va + size - 1;
	bool ram;

	if (likely(!(va & (size - 1))))
		return access_one(h, d, va, size, ACC_WRITE, &v);
	if (!part_page(h, d, va, ACC_WRITE, &ram))
		return false;
	if (((va ^ last) & ~0xfffull) && !part_page(h, d, last & ~0xfffull, ACC_WRITE, &ram))
		return false;
	for (unsigned i = 0; i < size; i++) {
		uint64_t b = (v >> (8 * i)) & 0xff;
		if (!access_one(h, d, va + i, 1, ACC_WRITE, &b))
			return false;
	}
	return true;
}

uint8_t *rv_amo_ptr(rv_hart *h, const rv_insn *d, uint64_t va, unsigned size, int access)
{
	machine *m = h->c.m;
	paddr_t pa;
	bool cacheable;
	bus_region *r;
	int e;

	if (va & (size - 1)) {
		rv_raise(h, d, access == ACC_READ ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED, va);
		return NULL;
	}
	{
		/* LR reads through the read TLB, SC and AMOs the write TLB */
		const rv_tlbe *t = &(access == ACC_READ ? h->tr : h->tw)[(va >> 12) & (RV_TLB_SIZE - 1)];
		if (t->tag == rv_tlb_key(va, size))
			return (uint8_t *)(uintptr_t)(va + t->add);
	}
	e = rv_translate(h, va, access == ACC_READ ? ACC_READ : ACC_WRITE, &pa, &cacheable);
	if (!e && access != ACC_READ) {
		/* AMOs need read permission too */
		paddr_t pa2;
		bool c2;
		e = rv_translate(h, va, ACC_READ, &pa2, &c2);
		if (e)
			e = e == EXC_LOAD_PAGE ? EXC_STORE_PAGE : EXC_STORE_ACCESS;
	}
	if (e) {
		rv_raise(h, d, (uint64_t)e, va);
		return NULL;
	}
	if (watched(m, va, pa) && dbg_watch_hit(&h->c, va, pa, size, access)) {
		watch_stop(h, d);
		return NULL;
	}
	if (unlikely(h->trig.data) && rv_trig_data_hit(h, va, size, access)) {
		rv_take_trap(h, EXC_BREAKPOINT, 0, rv_pc_of(h, d));
		return NULL;
	}
	r = bus_find(&m->bus, pa);
	if (!r || !r->host) {
		/* Not RAM: QEMU performs an AMO there as a load, then a store,
		 * so where nothing answers the load faults first. */
		rv_raise(h, d, access & ACC_READ ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS, va);
		return NULL;
	}
	if (access != ACC_READ && r->readonly) {
		/* ROM: the old value is read, the write is dropped (QEMU) */
		memcpy(h->rom_scratch, r->host + (pa - r->base), size);
		return h->rom_scratch;
	}
	if (access != ACC_READ && rv_is_code_page(h->sh, pa)) {
		rv_code_write(h, pa, size);
	} else if (access != ACC_READ && cacheable && !h->trace_mem && !h->trig.data && !watched(m, va, pa)) {
		/* the page stays writable in the TLB, as after a store
		 * (access_one): the next AMOs on it walk no page table */
		rv_tlbe *t = &h->tw[(va >> 12) & (RV_TLB_SIZE - 1)];
		bus_will_store(&m->bus, pa & ~0xfffull, 0x1000);
		t->tag = va & ~0xfffull;
		rv_tlb_note_fill(h, (int)((h->tw - &h->tlb_w[0][0]) / RV_TLB_SIZE), va);
		t->add = (uintptr_t)(r->host + ((pa & ~0xfffull) - r->base)) - (va & ~0xfffull);
		if (h->last_super)
			rv_tlb_note_super_d(h, t);
	}
	if (access != ACC_READ)
		bus_will_store(&m->bus, pa, size);
	if (unlikely(trace_on(m->trace, TRACE_MEM))) {	/* LR: the value read; SC/AMO: the old value */
		uint64_t old = 0;
		memcpy(&old, r->host + (pa - r->base), size);
		rv_trace_mem(h, d, va, pa, size, access == ACC_READ ? ACC_READ : ACC_READ | ACC_WRITE, old);
	}
	return r->host + (pa - r->base);
}
