/*
 * The core's debug interface: breakpoints, watchpoints, stops, resume
 * actions, and side-effect-free register and memory access.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "debug_internal.h"
#include "history.h"
#include "trace.h"

#define PAGE_HASH 4096	/* counting filter of 4K pages holding a bp/watch */

typedef struct dbg_point {
	enum bp_type type;
	uint64_t addr, len;
	bool has_alias;
	paddr_t alias;		/* kernel-image physical alias of a virtual code bp */
	dbg_cond_fn cond;	/* stop only when it says so */
	void *cond_opaque;
	bool internal;		/* dbg_hook_pc: not a debugger's point */
} dbg_point;

struct dbg_state {
	dbg_point *points;
	int npoints, cap;
	int ncode, nwatch;
	int nwide;		/* points spanning too many pages to mark */
	uint16_t code_pages[PAGE_HASH];
	uint16_t watch_pages[PAGE_HASH];
	uint64_t generation;
	/* dbg_watch_bits_of's cache (dropped when the points change) */
	struct watch_map {
		struct watch_map *next;
		uint64_t va_page;
		paddr_t pa_page;
		dbg_watch_bits bits;
	} *wmaps[64];

	enum resume_action actions[KWB_MAX_CPUS];
	/* A CPU resumed at a breakpoint must not hit it again before moving. */
	uint64_t resume_pc[KWB_MAX_CPUS], resume_icount[KWB_MAX_CPUS];

	bool pending;
	stop_info stop, last;
	bool step_irq;
	dbg_stop_fn listener;
	void *listener_opaque;
	dbg_alias_fn alias;
	void *alias_opaque;
	const dbg_symbol_ops *sym;
	void *sym_opaque;

	/* history (debug_internal.h): points suppressed while it travels, a
	 * moment to stop at before an instruction, a watchpoint hit to pass */
	bool suppress;
	bool pos_watch;
	int pw_cpu;
	uint64_t pw_icount, pw_nexc;
	bool wskip;
	int wskip_cpu;
	uint64_t wskip_icount, wskip_nexc;
};

static inline unsigned page_slot(uint64_t addr)
{
	uint64_t p = addr >> 12;
	return (unsigned)((p ^ (p >> 12) ^ (p >> 24) ^ (p >> 36)) & (PAGE_HASH - 1));
}

static bool is_code(enum bp_type t) { return t == BP_SW || t == BP_HW || t == BP_PHYS; }
static bool is_phys(enum bp_type t) { return t >= BP_PHYS; }

static void wmaps_free(dbg_state *d)
{
	for (unsigned i = 0; i < sizeof(d->wmaps) / sizeof(d->wmaps[0]); i++)
		while (d->wmaps[i]) {
			struct watch_map *w = d->wmaps[i];
			d->wmaps[i] = w->next;
			free(w);
		}
}

dbg_state *dbg_create(machine *m)
{
	dbg_state *d = kwb_zalloc(sizeof(*d));
	(void)m;
	for (int i = 0; i < KWB_MAX_CPUS; i++)
		d->actions[i] = RESUME_CONTINUE;
	d->resume_pc[0] = ~0ull;
	return d;
}

void dbg_free(machine *m)
{
	if (m->dbg) {
		free(m->dbg->points);
		wmaps_free(m->dbg);
	}
	free(m->dbg);
	m->dbg = NULL;
}

void dbg_set_alias(machine *m, dbg_alias_fn fn, void *opaque)
{
	m->dbg->alias = fn;
	m->dbg->alias_opaque = opaque;
}

void dbg_set_symbols(machine *m, const dbg_symbol_ops *ops, void *opaque)
{
	m->dbg->sym = ops;
	m->dbg->sym_opaque = opaque;
}

bool dbg_sym_lookup(machine *m, const char *name, uint64_t *va)
{
	dbg_state *d = m->dbg;

	return d && d->sym && d->sym->lookup(d->sym_opaque, name, va);
}

bool dbg_sym_format(machine *m, uint64_t va, char *buf, size_t len)
{
	dbg_state *d = m->dbg;

	return d && d->sym && d->sym->format(d->sym_opaque, va, buf, len);
}

int dbg_sym_text_ranges(machine *m, const char *glob, void (*fn)(void *ctx, uint64_t lo, uint64_t hi),
			void *ctx)
{
	dbg_state *d = m->dbg;

	return d && d->sym ? d->sym->text_ranges(d->sym_opaque, glob, fn, ctx) : -1;
}

/* ---- registers ---- */

const reg_table *dbg_regs(machine *m) { return m->arch->regs; }

static cpu *get_cpu(machine *m, int idx)
{
	return idx >= 0 && idx < m->ncpus ? m->cpus[idx] : NULL;
}

int dbg_reg_read(machine *m, int cpu_idx, int idx, uint8_t *buf)
{
	cpu *c = get_cpu(m, cpu_idx);
	if (!c || idx < 0 || idx >= m->arch->regs->count)
		return -1;
	return m->arch->reg_read(c, idx, buf);
}

int dbg_reg_write(machine *m, int cpu_idx, int idx, const uint8_t *buf)
{
	cpu *c = get_cpu(m, cpu_idx);
	if (!c || idx < 0 || idx >= m->arch->regs->count || m->arch->regs->regs[idx].access == REG_RO)
		return -1;
	/* A CPU whose registers the debugger sets (set $pc = ...) runs from
	 * them on resume, even if it was waiting for an interrupt. */
	hist_note_write(m, false, cpu_idx, (uint64_t)idx, 0, buf, (m->arch->regs->regs[idx].bitsize + 7) / 8);
	c->waiting = false;
	return m->arch->reg_write(c, idx, buf);
}

uint64_t dbg_pc(machine *m, int cpu_idx)
{
	cpu *c = get_cpu(m, cpu_idx);
	return c ? m->arch->get_pc(c) : 0;
}

/* ---- memory ---- */

int dbg_translate(machine *m, int cpu_idx, vaddr_t va, paddr_t *pa, walk_log *log)
{
	cpu *c = get_cpu(m, cpu_idx);
	dbg_state *d = m->dbg;

	if (!c)
		return -1;
	if (!m->arch->mmu_enabled(c)) {
		if (d->alias && d->alias(d->alias_opaque, va, pa, false))
			return 0;
		*pa = va;
		if (log)
			snprintf(log->result, sizeof(log->result), "translation off: PA 0x%llx",
				 (unsigned long long)va);
		return 0;
	}
	if (m->arch->debug_translate(c, va, ACC_READ, pa, log) == 0)
		return 0;
	/* Not mapped (yet: arm64's TTBR1 is empty until the kernel maps
	 * itself): the image's alias, where the kernel really is. */
	if (d->alias && d->alias(d->alias_opaque, va, pa, true))
		return 0;
	return -1;
}

static size_t mem_xfer(machine *m, int cpu_idx, uint64_t addr, void *buf, size_t len,
		       unsigned flags, bool write)
{
	size_t done = 0;

	while (done < len) {
		uint64_t a = addr + done;
		size_t n = 4096 - (a & 4095);
		paddr_t pa = a;
		int r;

		if (n > len - done)
			n = len - done;
		if (!(flags & DBG_PHYS) && dbg_translate(m, cpu_idx, a, &pa, NULL) < 0)
			break;
		if (write)
			r = bus_debug_write(&m->bus, pa, (const uint8_t *)buf + done, n);
		else
			r = bus_debug_read(&m->bus, pa, (uint8_t *)buf + done, n);
		if (r != BUS_OK) {
			/* Retry byte by byte to return a precise short count. */
			size_t i;
			for (i = 0; i < n; i++) {
				if (write ? bus_debug_write(&m->bus, pa + i, (const uint8_t *)buf + done + i, 1)
					  : bus_debug_read(&m->bus, pa + i, (uint8_t *)buf + done + i, 1))
					break;
			}
			done += i;
			break;
		}
		done += n;
	}
	return done;
}

size_t dbg_mem_read(machine *m, int cpu, uint64_t addr, void *buf, size_t len, unsigned flags)
{
	return mem_xfer(m, cpu, addr, buf, len, flags, false);
}

size_t dbg_mem_write(machine *m, int cpu, uint64_t addr, const void *buf, size_t len, unsigned flags)
{
	size_t n;

	hist_note_write(m, true, cpu, addr, flags, buf, len);	/* replayed at this moment */
	n = mem_xfer(m, cpu, addr, (void *)buf, len, flags, true);

	/* The debugger may have written code: drop decoded instructions. */
	if (n)
		for (int i = 0; i < m->ncpus; i++)
			m->arch->flush_decode(m->cpus[i]);
	return n;
}

int dbg_ram_ranges(machine *m, paddr_t *base, uint64_t *size, int max)
{
	int n = 0;

	for (int i = 0; i < m->bus.count && n < max; i++) {
		const bus_region *r = &m->bus.regions[i];

		if (r->host && !r->readonly && !r->ops) {
			base[n] = r->base;
			size[n++] = r->size;
		}
	}
	return n;
}

/* ---- breakpoints and watchpoints ---- */

/* Mark the pages of [addr, addr+len); ranges too wide to list make every
 * page "maybe" (slow path everywhere while they exist). */
static void count_range(dbg_state *d, uint16_t *pages, uint64_t addr, uint64_t len, int delta)
{
	uint64_t first = addr >> 12, last = (addr + (len ? len : 1) - 1) >> 12;

	if (last - first >= 16) {
		d->nwide += delta;
		return;
	}
	for (uint64_t pg = first; pg <= last; pg++)
		pages[page_slot(pg << 12)] += delta;
}

static void count_pages(dbg_state *d, const dbg_point *p, int delta)
{
	uint16_t *pages = is_code(p->type) ? d->code_pages : d->watch_pages;

	count_range(d, pages, p->addr, p->len, delta);
	if (p->has_alias)
		count_range(d, pages, p->alias, p->len, delta);
}

static void points_changed(machine *m)
{
	m->dbg->generation++;
	wmaps_free(m->dbg);
	for (int i = 0; i < m->ncpus; i++) {
		m->arch->flush_decode(m->cpus[i]);
		m->arch->flush_tlb(m->cpus[i]);
	}
}

int dbg_bp_insert(machine *m, enum bp_type type, uint64_t addr, uint64_t len)
{
	dbg_state *d = m->dbg;
	dbg_point p = { .type = type, .addr = addr, .len = len };

	if (type > BP_PWATCH_A || (!is_code(type) && (len == 0 || len > (1u << 20))) ||
	    (len && addr + len - 1 < addr))		/* wraps past 2^64 */
		return -1;
	for (int i = 0; i < d->npoints; i++)
		if (d->points[i].type == type && d->points[i].addr == addr && d->points[i].len == len &&
		    !d->points[i].internal)
			return 0;	/* gdb may insert twice; keep one */
	if (!is_phys(type) && d->alias)
		p.has_alias = d->alias(d->alias_opaque, addr, &p.alias, false);
	if (d->npoints == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->points = kwb_realloc(d->points, d->cap * sizeof(*d->points));
	}
	d->points[d->npoints++] = p;
	if (is_code(type))
		d->ncode++;
	else
		d->nwatch++;
	count_pages(d, &p, 1);
	points_changed(m);
	return 0;
}

int dbg_bp_remove(machine *m, enum bp_type type, uint64_t addr, uint64_t len)
{
	dbg_state *d = m->dbg;

	for (int i = 0; i < d->npoints; i++) {
		dbg_point *p = &d->points[i];
		if (p->type != type || p->addr != addr || (!is_code(type) && p->len != len) || p->internal)
			continue;
		count_pages(d, p, -1);
		if (is_code(type))
			d->ncode--;
		else
			d->nwatch--;
		*p = d->points[--d->npoints];
		points_changed(m);
		return 0;
	}
	return -1;
}

void dbg_bp_remove_all(machine *m)
{
	dbg_state *d = m->dbg;
	int keep = 0;

	d->ncode = d->nwatch = d->nwide = 0;
	memset(d->code_pages, 0, sizeof(d->code_pages));
	memset(d->watch_pages, 0, sizeof(d->watch_pages));
	for (int i = 0; i < d->npoints; i++) {
		if (!d->points[i].internal)
			continue;
		d->points[keep] = d->points[i];
		count_pages(d, &d->points[keep++], 1);
		d->ncode++;
	}
	d->npoints = keep;
	points_changed(m);
}

int dbg_hook_pc(machine *m, paddr_t pa, dbg_cond_fn fn, void *opaque)
{
	dbg_state *d = m->dbg;
	dbg_point p = { .type = BP_PHYS, .addr = pa, .cond = fn, .cond_opaque = opaque,
			.internal = true };

	for (int i = 0; i < d->npoints; i++)
		if (d->points[i].internal && d->points[i].addr == pa && d->points[i].cond == fn) {
			d->points[i].cond_opaque = opaque;
			return 0;
		}
	if (d->npoints == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->points = kwb_realloc(d->points, d->cap * sizeof(*d->points));
	}
	d->points[d->npoints++] = p;
	d->ncode++;
	count_pages(d, &p, 1);
	points_changed(m);
	return 0;
}

int dbg_bp_set_cond(machine *m, enum bp_type type, uint64_t addr, uint64_t len, dbg_cond_fn fn, void *opaque)
{
	dbg_state *d = m->dbg;

	for (int i = 0; i < d->npoints; i++) {
		dbg_point *p = &d->points[i];
		if (p->type == type && p->addr == addr && (is_code(type) || p->len == len) && !p->internal) {
			p->cond = fn;
			p->cond_opaque = opaque;
			return 0;
		}
	}
	return -1;
}

uint64_t dbg_bp_generation(machine *m) { return m->dbg->generation; }

bool dbg_bp_page(machine *m, uint64_t addr)
{
	dbg_state *d = m->dbg;

	if (unlikely(d->pos_watch))
		return true;
	return d->ncode && !d->suppress && (d->code_pages[page_slot(addr)] || d->nwide);
}

bool dbg_watch_page(machine *m, uint64_t addr)
{
	dbg_state *d = m->dbg;
	return d->nwatch && !d->suppress && (d->watch_pages[page_slot(addr)] || d->nwide);
}

/* Set the bits of [lo, lo + len) that fall in the page at page. */
static void mark_bytes(uint64_t *bits, uint64_t page, uint64_t lo, uint64_t len)
{
	uint64_t from = lo > page ? lo : page, end = lo + len;	/* no wrap: checked at insert */

	if (end > page + 0x1000)
		end = page + 0x1000;
	for (uint64_t a = from; a < end; a++)
		bits[(a - page) >> 6] |= 1ull << ((a - page) & 63);
}

void dbg_wbits_set(dbg_wbits *w, const uint64_t *bits, uint64_t va_page)
{
	uint32_t lo = 0x10000, hi = 0;

	for (int i = 0; i < 64; i++)
		if (bits[i]) {
			if (lo == 0x10000)
				lo = (uint32_t)(i * 64 + __builtin_ctzll(bits[i]));
			hi = (uint32_t)(i * 64 + 63 - __builtin_clzll(bits[i]));
		}
	w->bits = bits;
	if (lo == 0x10000) {	/* none: every access of the page is outside */
		w->near = (uint32_t)va_page + 0x2000;
		w->span = 0;
	} else {
		w->near = (uint32_t)va_page + lo - 7;
		w->span = hi - lo + 7;
	}
}

const dbg_watch_bits *dbg_watch_bits_of(machine *m, uint64_t va_page, paddr_t pa_page)
{
	static const dbg_watch_bits none;
	dbg_state *d = m->dbg;
	unsigned h = (unsigned)((va_page >> 12) ^ (pa_page >> 12)) & 63;
	struct watch_map *w;
	dbg_watch_bits b = { 0 };

	for (w = d->wmaps[h]; w; w = w->next)
		if (w->va_page == va_page && w->pa_page == pa_page)
			return &w->bits;
	for (int i = 0; i < d->npoints && !d->suppress; i++) {
		const dbg_point *p = &d->points[i];
		enum bp_type kind = is_phys(p->type) ? p->type - BP_PWATCH_W + BP_WATCH_W : p->type;

		if (is_code(p->type))
			continue;
		for (int dir = 0; dir < 2; dir++) {
			uint64_t *bits = dir ? b.wr : b.rd;
			if (kind == (dir ? BP_WATCH_R : BP_WATCH_W))
				continue;
			if (is_phys(p->type)) {
				mark_bytes(bits, pa_page, p->addr, p->len);
				continue;
			}
			mark_bytes(bits, va_page, p->addr, p->len);
			if (p->has_alias)	/* reached physically: dbg_watch_hit decides */
				mark_bytes(bits, pa_page, p->alias, p->len);
		}
	}
	for (int i = 0; i < 64; i++) {
		b.any_rd |= b.rd[i] != 0;
		b.any_wr |= b.wr[i] != 0;
	}
	if (!b.any_rd && !b.any_wr)
		return &none;	/* not kept: a wide range makes every page "maybe" */
	w = kwb_zalloc(sizeof(*w));
	w->va_page = va_page;
	w->pa_page = pa_page;
	w->bits = b;
	w->next = d->wmaps[h];
	d->wmaps[h] = w;
	return &w->bits;
}

int dbg_bp_offsets(machine *m, uint64_t va_page, paddr_t pa_page, uint16_t *offs, int max)
{
	dbg_state *d = m->dbg;
	int n = 0;

	if (d->nwide || d->pos_watch)
		return -1;
	if (d->suppress)
		return 0;
	for (int i = 0; i < d->npoints; i++) {
		dbg_point *p = &d->points[i];
		bool here;
		if (!is_code(p->type))
			continue;
		here = p->type == BP_PHYS ? (p->addr & ~0xfffull) == pa_page : (p->addr & ~0xfffull) == va_page;
		if (here) {
			if (n == max)
				return -1;
			offs[n++] = p->addr & 0xfff;
		}
		if (p->type != BP_PHYS && p->has_alias && (p->alias & ~0xfffull) == pa_page) {
			if (n == max)
				return -1;
			offs[n++] = p->alias & 0xfff;
		}
	}
	return n;
}

static void report_point(cpu *c, enum stop_reason r, uint64_t addr, bool foreign)
{
	machine *m = c->m;

	dbg_report_stop(m, c->index, r, addr);
	if (m->dbg->pending && m->dbg->stop.cpu == c->index && m->dbg->stop.reason == r) {
		m->dbg->stop.foreign = foreign;
		if (m->trace)	/* a trace ring shows how the CPU got here */
			trace_stop(c, r == STOP_SWBREAK || r == STOP_HWBREAK ? "breakpoint" : "watchpoint", addr);
	}
}

/* The CPU runs the kernel code at alias (a breakpoint's physical alias,
 * ppc == alias): with translation off, or on through an identity map
 * (pc == ppc, arm64's idmap), or at the image's current VA (KASLR) - never
 * another mapping of that memory (freed init pages reused by a process). */
static bool runs_image_code(cpu *c, vaddr_t pc, paddr_t ppc)
{
	dbg_state *d = c->m->dbg;
	paddr_t pa;

	return pc == ppc || !c->m->arch->mmu_enabled(c) ||
	       (d->alias && d->alias(d->alias_opaque, pc, &pa, true) && pa == ppc);
}

bool dbg_bp_hit(cpu *c, vaddr_t pc, paddr_t ppc)
{
	machine *m = c->m;
	dbg_state *d = m->dbg;
	dbg_point *alias_hit = NULL;

	if (unlikely(d->pos_watch) && c->index == d->pw_cpu && c->icount == d->pw_icount &&
	    c->nexc == d->pw_nexc) {
		dbg_report_stop(m, c->index, STOP_HISTORY, pc);
		return true;
	}
	if (d->suppress)
		return false;
	if (pc == d->resume_pc[c->index] && c->icount == d->resume_icount[c->index])
		return false;
	/* An exact match wins over a hit through the physical alias; a point
	 * with a condition counts only when the condition holds (and the
	 * alias is not tried once an exact point was there: gdb puts the
	 * same condition on both copies, and commands must run once). */
	bool exact = false;
	for (int i = 0; i < d->npoints; i++) {
		dbg_point *p = &d->points[i];
		if (!is_code(p->type) || (p->type == BP_PHYS ? ppc != p->addr : pc != p->addr))
			continue;
		if (p->internal) {	/* a hook watching this pc, not a breakpoint */
			if (p->cond(p->cond_opaque, m, c->index, pc)) {
				report_point(c, STOP_HWBREAK, p->addr, true);
				return true;
			}
			continue;
		}
		exact = true;
		if (p->cond && !p->cond(p->cond_opaque, m, c->index, pc))
			continue;
		report_point(c, p->type == BP_SW ? STOP_SWBREAK : STOP_HWBREAK, p->addr, p->type == BP_PHYS);
		return true;
	}
	for (int i = 0; i < d->npoints && !exact; i++) {
		dbg_point *p = &d->points[i];
		if (p->type == BP_PHYS || !is_code(p->type) || !p->has_alias || ppc != p->alias ||
		    !runs_image_code(c, pc, ppc))
			continue;
		if (p->cond && !p->cond(p->cond_opaque, m, c->index, pc))
			continue;
		alias_hit = p;
		break;
	}
	if (alias_hit) {
		report_point(c, alias_hit->type == BP_SW ? STOP_SWBREAK : STOP_HWBREAK, alias_hit->addr,
			     true);
		return true;
	}
	return false;
}

bool dbg_watch_hit(cpu *c, vaddr_t va, paddr_t pa, unsigned len, int access)
{
	machine *m = c->m;
	dbg_state *d = m->dbg;

	if (d->suppress)
		return false;
	if (d->wskip && c->index == d->wskip_cpu && c->icount == d->wskip_icount &&
	    c->nexc == d->wskip_nexc) {
		d->wskip = false;	/* the access history resumed at goes through */
		return false;
	}

	for (int i = 0; i < d->npoints; i++) {
		dbg_point *p = &d->points[i];
		uint64_t a = is_phys(p->type) ? pa : va, base = p->addr;
		bool via_alias = false;
		enum bp_type kind;

		if (is_code(p->type))
			continue;
		if (a + len <= base || a >= base + p->len) {
			paddr_t still;

			/* A kernel VA watched while that data is reached physically,
			 * as long as the kernel has not freed it (init data). */
			if (!p->has_alias || pa + len <= p->alias || pa >= p->alias + p->len)
				continue;
			if (m->arch->mmu_enabled(c) && d->alias &&
			    !d->alias(d->alias_opaque, p->addr, &still, true))
				continue;
			a = p->addr + (pa - p->alias);
			via_alias = true;
		}
		kind = is_phys(p->type) ? p->type - BP_PWATCH_W + BP_WATCH_W : p->type;
		if ((kind == BP_WATCH_W && !(access & ACC_WRITE)) ||
		    (kind == BP_WATCH_R && !(access & ACC_READ)))
			continue;
		report_point(c, kind == BP_WATCH_W ? STOP_WATCH : kind == BP_WATCH_R ? STOP_RWATCH : STOP_AWATCH,
			     a > base ? a : base, is_phys(p->type) || via_alias);
		return true;
	}
	return false;
}

/* ---- execution control ---- */

void dbg_report_stop(machine *m, int cpu, enum stop_reason r, uint64_t addr)
{
	dbg_state *d = m->dbg;

	/* The first stop of a round wins, except that shutdown always does. */
	if (d->pending && r != STOP_SHUTDOWN)
		return;
	d->pending = true;
	d->stop = (stop_info){ .reason = r, .cpu = cpu, .addr = addr, .exit_code = m->exit_code };
	/* A CPU that hits a breakpoint, a watchpoint or the end of a step
	 * leaves its loop by itself, and the loop looks for a pending stop
	 * between slices: only what the guest did (power-off, reset) makes
	 * every CPU leave at once, cutting the round as any device request
	 * does. A debugger stop never changes the run (history replays it). */
	if (r == STOP_SHUTDOWN || r == STOP_RESET || r == STOP_POWEROFF)
		machine_kick(m);
}

void dbg_request_stop(machine *m)
{
	if (m->state == RUN_RUNNING)
		dbg_report_stop(m, m->current ? m->current->index : 0, STOP_INTERRUPT, 0);
}

void dbg_stop_now(machine *m, int cpu, enum stop_reason r, uint64_t addr)
{
	m->dbg->last = (stop_info){ .reason = r, .cpu = cpu, .addr = addr };
	m->state = RUN_STOPPED;
}

void dbg_resume(machine *m, const enum resume_action *actions)
{
	dbg_state *d = m->dbg;

	for (int i = 0; i < m->ncpus; i++) {
		d->actions[i] = actions ? actions[i] : RESUME_CONTINUE;
		d->resume_pc[i] = m->arch->get_pc(m->cpus[i]);
		d->resume_icount[i] = m->cpus[i]->icount;
	}
	if (m->state != RUN_SHUTDOWN)
		m->state = RUN_RUNNING;
}

bool dbg_is_stopped(machine *m) { return m->state != RUN_RUNNING; }
const stop_info *dbg_last_stop(machine *m) { return &m->dbg->last; }
void dbg_set_step_irq(machine *m, bool allow_irq) { m->dbg->step_irq = allow_irq; }
bool dbg_step_irq(machine *m) { return m->dbg->step_irq; }

void dbg_set_stop_listener(machine *m, dbg_stop_fn fn, void *opaque)
{
	m->dbg->listener = fn;
	m->dbg->listener_opaque = opaque;
}

enum resume_action dbg_action(machine *m, int cpu) { return m->dbg->actions[cpu]; }
bool dbg_stop_pending(machine *m) { return m->dbg->pending; }
bool dbg_has_listener(machine *m) { return m->dbg->listener != NULL; }

const stop_info *dbg_take_stop(machine *m)
{
	dbg_state *d = m->dbg;
	d->pending = false;
	d->last = d->stop;
	for (int i = 0; i < m->ncpus; i++)
		m->cpus[i]->exit_request = false;
	return &d->last;
}

void dbg_notify_stop(machine *m, const stop_info *s)
{
	if (m->dbg->listener)
		m->dbg->listener(m->dbg->listener_opaque, s);
}

/* ---- for history (debug_internal.h) ---- */

void dbg_suppress_points(machine *m, bool on)
{
	if (m->dbg->suppress == on)
		return;
	m->dbg->suppress = on;
	points_changed(m);
}

void dbg_set_pos_watch(machine *m, int cpu, uint64_t icount, uint64_t nexc)
{
	dbg_state *d = m->dbg;

	d->pos_watch = cpu >= 0;
	d->pw_cpu = cpu;
	d->pw_icount = icount;
	d->pw_nexc = nexc;
	points_changed(m);
}

bool dbg_pos_watch_on(machine *m)
{
	return m->dbg->pos_watch;
}

void dbg_pass_stop(machine *m, const stop_info *s)
{
	dbg_state *d = m->dbg;
	cpu *c = get_cpu(m, s->cpu);

	if (!c)
		return;
	if (s->reason == STOP_SWBREAK || s->reason == STOP_HWBREAK) {
		d->resume_pc[c->index] = m->arch->get_pc(c);
		d->resume_icount[c->index] = c->icount;
	} else if (s->reason == STOP_WATCH || s->reason == STOP_RWATCH || s->reason == STOP_AWATCH) {
		d->wskip = true;
		d->wskip_cpu = c->index;
		d->wskip_icount = c->icount;
		d->wskip_nexc = c->nexc;
	}
}

void dbg_forget_resume(machine *m)
{
	dbg_state *d = m->dbg;

	for (int i = 0; i < m->ncpus; i++)
		d->resume_pc[i] = ~0ull;
	d->wskip = false;
}

void dbg_report_stop_info(machine *m, const stop_info *s)
{
	dbg_state *d = m->dbg;

	if (d->pending)
		return;
	d->pending = true;
	d->stop = *s;
}

void dbg_set_actions_internal(machine *m, enum resume_action a)
{
	for (int i = 0; i < m->ncpus; i++)
		m->dbg->actions[i] = a;
}

const stop_info *dbg_pending_stop(machine *m)
{
	return &m->dbg->stop;
}
