/*
 * The AArch64 CPU: arch_ops, the run loop, PSTATE and exception
 * entry/return, and what boards call (aarch64.h).
 *
 * Speed comes from three caches: decoded pages keyed by physical page
 * (shared by the machine's CPUs; stores to a page holding decoded code drop
 * it), an exec TLB mapping a virtual page to its decoded page and host
 * memory, and read/write TLBs holding host pointers (never MMIO, never a
 * page with a watchpoint, never a write entry for a code page). Slots run
 * threaded (see a64_dent); the loop only sees branches that leave the page,
 * exceptions, and the budget, and checks interrupts and exit requests there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <capstone/capstone.h>
#include "a64_int.h"
#include "../../trace.h"
#include "trace_hooks_a64.h"

/* ---- PSTATE ---- */

uint32_t a64_pstate_pack(a64_cpu *s)
{
	a64_pstate *p = &s->ps;
	return p->n << 31 | p->z << 30 | p->c << 29 | p->v << 28 | p->uao << 23 | p->pan << 22 |
	       p->ss << 21 | p->il << 20 | (p->daif & 0x3c0) | p->el << 2 | p->sp;
}

void a64_pstate_unpack(a64_cpu *s, uint32_t v)
{
	a64_pstate *p = &s->ps;
	p->n = v >> 31 & 1;
	p->z = v >> 30 & 1;
	p->c = v >> 29 & 1;
	p->v = v >> 28 & 1;
	p->uao = 0;
	p->pan = 0;
	p->ss = v >> 21 & 1;
	p->il = v >> 20 & 1;
	p->daif = v & 0x3c0;
	p->el = (v >> 2 & 3) ? 1 : 0;	/* no EL2/EL3 */
	p->sp = v & 1;
}

bool a64_irq_pending(a64_cpu *s)
{
	return (s->irq_line && !(s->ps.daif & 0x80)) || (s->fiq_line && !(s->ps.daif & 0x40));
}

/* ---- exceptions ---- */

void a64_take(a64_cpu *s, int kind, uint32_t esr, uint64_t elr)
{
	uint64_t off, from_pc = s->pc;
	int from_el = s->ps.el;
	bool pmu = unlikely(CORE(s)->pmu.on);

	if (pmu)
		a64_pmu_el_change(s);	/* count what ran at the old EL */

	if (s->ps.el == 0)
		off = 0x400;
	else
		off = s->ps.sp ? 0x200 : 0;
	s->sys[A64R_SPSR_EL1] = a64_pstate_pack(s);
	s->sys[A64R_ELR_EL1] = elr;
	if (kind == EXC_SYNC)
		s->sys[A64R_ESR_EL1] = esr;
	s->ps.el = 1;
	s->ps.sp = 1;
	s->ps.daif = 0x3c0;
	s->ps.ss = 0;
	s->ps.il = 0;
	s->excl_valid = false;
	CORE(s)->exc_seq++;
	s->c.nexc++;
	s->pc = (s->sys[A64R_VBAR_EL1] & ~0x7ffull) + off + kind;
	if (pmu)
		a64_pmu_el_change(s);	/* the new EL's filters */
	if (unlikely(trace_on(s->c.m->trace, ~0u)))
		a64_trace_take(s, kind, esr, elr, from_el, kind == EXC_SYNC && !(esr >> 26) ? elr : from_pc);
}

int a64_sync(a64_cpu *s, unsigned ec, uint32_t iss)
{
	a64_take(s, EXC_SYNC, ec << 26 | 1u << 25 | (iss & 0x1ffffff), s->pc);
	return 1;
}

int a64_undef_insn(a64_cpu *s)
{
	return a64_sync(s, EC_UNKNOWN, 0);
}

void a64_undef(a64_cpu *s)
{
	a64_undef_insn(s);
}

int a64_x_undef(a64_cpu *s, uint32_t insn)
{
	(void)insn;
	return a64_undef_insn(s);
}

int a64_fault_code(int fault, int level)
{
	switch (fault) {
	case F_TRANS: return 0x04 + level;
	case F_ADDRSIZE: return 0x00 + level;
	case F_ACCESS: return 0x08 + level;
	case F_PERM: return 0x0c + level;
	case F_ALIGN: return 0x21;
	default: return 0x10;
	}
}

int a64_abort(a64_cpu *s, bool exec, int fault, int level, uint64_t va, bool write, bool cm)
{
	unsigned ec = exec ? EC_IABT : EC_DABT;
	uint32_t iss = a64_fault_code(fault, level);

	if (s->ps.el == 0)
		ec -= 1;
	if (!exec) {
		/* The access faulted: the instruction did not run, as with
		 * QEMU's -icount (it counts the one that traps by its
		 * encoding). Aborting again with nothing run in between
		 * counts, so an abort loop still advances time. */
		a64_core *k = CORE(s);
		if (s->c.icount && s->c.icount - 1 != k->abort_icount)
			k->abort_icount = --s->c.icount;
		iss |= (write ? 1u << 6 : 0) | (cm ? 1u << 8 : 0);
	}
	s->sys[A64R_FAR_EL1] = va;
	return a64_sync(s, ec, iss);
}

int a64_eret(a64_cpu *s)
{
	uint64_t spsr = s->sys[A64R_SPSR_EL1];
	uint64_t elr = s->sys[A64R_ELR_EL1];
	bool pmu = unlikely(CORE(s)->pmu.on);

	if (s->ps.el == 0)
		return a64_undef_insn(s);
	if (pmu)
		a64_pmu_el_change(s);
	a64_pstate_unpack(s, (uint32_t)spsr);
	if ((spsr & 0x10) || ((spsr >> 2) & 3) > 1) {
		/* AArch32 or a missing EL: illegal return, stay at EL1 */
		s->ps.el = 1;
		s->ps.il = 1;
	}
	if (s->ps.ss && !a64_swstep_active(s))
		s->ps.ss = 0;
	if (pmu)
		a64_pmu_el_change(s);
	s->excl_valid = false;
	s->pc = elr;
	if (s->ps.il)	/* the next instruction, whichever block it is in, traps */
		return a64_sync(s, EC_ILLEGAL, 0);
	return 1;
}

/* ---- what boards call ---- */

void a64_set_irq(cpu *c, int line, int level)
{
	a64_cpu *s = A64(c);

	if (line == A64_FIQ)
		s->fiq_line = level;
	else
		s->irq_line = level;
	if (level)
		c->waiting = false;
}

void a64_set_boot(cpu *c, uint64_t pc, uint64_t x0)
{
	a64_cpu *s = A64(c);

	s->pc = pc;
	s->x[0] = x0;
	s->x[1] = s->x[2] = s->x[3] = 0;
	s->ps.el = 1;
	s->ps.sp = 1;
	s->ps.daif = 0x3c0;
}

uint64_t a64_mpidr(cpu *c)
{
	return 0x80000000ull | (c->index % 16) | (uint64_t)(c->index / 16) << 8;
}

void a64_power_on(cpu *c, uint64_t pc, uint64_t x0)
{
	c->m->arch->cpu_reset(c);
	a64_set_boot(c, pc, x0);
	c->powered = true;
	c->waiting = false;
	machine_kick(c->m);
}

uint64_t a64_sp(a64_cpu *s)
{
	return *a64_spref(s);
}

void a64_set_sp(a64_cpu *s, uint64_t v)
{
	*a64_spref(s) = v;
}

/* ---- the run loop ---- */

static void check_generations(a64_core *k)
{
	machine *m = k->s.c.m;
	uint64_t g = dbg_bp_generation(m);

	if (k->bus_gen != m->bus.generation || k->bp_gen != g) {
		k->bus_gen = m->bus.generation;
		k->bp_gen = g;
		k->write_gen = m->bus.write_generation;
		a64_tlb_flush(&k->s);
	} else if (k->write_gen != m->bus.write_generation) {
		k->write_gen = m->bus.write_generation;
		a64_tlb_flush_writes(&k->s);
	}
}

/* Fill the exec TLB entry for pc; false if an exception was taken. */
static xtlb_entry *fetch_page(a64_core *k)
{
	a64_cpu *s = &k->s;
	uint64_t pc = s->pc;
	int el = s->ps.el;
	xtlb_entry *e = &k->xt[el][(pc >> 12) & (TLB_SIZE - 1)];
	paddr_t pa;
	uint8_t *host;
	bool ng;

	if (likely(e->tag == (pc & ~0xfffull)))
		return e;
	if (!a64_translate(s, pc, ACC_EXEC, el, &pa, &host, &ng))
		return NULL;
	pa &= ~0xfffull;
	if (!host) {
		a64_abort(s, true, F_EXT, 0, pc, false, false);
		return NULL;
	}
	a64_shared *sh = k->sh;
	unsigned h = (pa >> 12) & (A64_PAGE_HASH - 1);
	a64_page *pg;
	for (pg = sh->hash[h]; pg && pg->pa != pa; pg = pg->next)
		;
	if (!pg && sh->npages >= A64_MAX_PAGES) {
		a64_free_pages(sh);
		a64_tlb_flush_all_cpus(sh->m);
	}
	if (!pg) {
		sh->npages++;
		pg = kwb_zalloc(sizeof(*pg));
		a64_page_clear(pg);
		pg->pa = pa;
		pg->gen = sh->gen;
		pg->next = sh->hash[h];
		sh->hash[h] = pg;
	} else if (pg->gen != sh->gen) {
		a64_page_clear(pg);
		pg->gen = sh->gen;
	}
	e->tag = pc & ~0xfffull;
	a64_tlb_note_fill(s, el, pc, ng);
	e->host = host;
	e->pg = pg;
	e->pa = pa;
	e->bp = dbg_bp_page(s->c.m, pc) || dbg_bp_page(s->c.m, pa) || a64_gbp_page(s, pc);
	/* the debugger's breakpoints mark their slots; the guest's own (and
	 * ranges too wide to list) need every instruction checked */
	e->bp_slow = e->bp && (!a64_mark_bps(k, e) || a64_gbp_page(s, pc));
	if (unlikely(trace_on(s->c.m->trace, TRACE_MMU)))
		a64_trace_fill(s, "X", el, pc, pa);
	return e;
}

/* Control left the chain's page for s->pc by a branch (no exception, no
 * EL change; a64_int.h's branch handlers, br/blr/ret, the page end, the
 * JIT's exits): go on in pc's page as the run loop would, when its exec
 * TLB entry is there and nothing asks the loop to look (the chain's
 * budget, an exit request, an interrupt line, a stop, a misaligned pc, a
 * page that runs one instruction at a time; exec tracing and the guest's
 * software step end every chain after one instruction). The loop would do
 * the same at this point, so where chains end is not guest-visible, and
 * end_chain still bounds a chain. Returns as a handler does. */
int a64_next_page(a64_cpu *s)
{
	a64_core *k = CORE(s);
	uint64_t pc = s->pc;
	xtlb_entry *e = &k->xt[s->ps.el][(pc >> 12) & (TLB_SIZE - 1)];
	a64_dent *d;

	if (s->c.icount >= k->end_chain || s->c.exit_request || s->irq_line || s->fiq_line || k->stop ||
	    (pc & 3) || !a64_same_page(e, pc) || e->bp_slow)
		return 1;
	k->cur = e;
	d = &e->pg->e[(pc & 0xfff) >> 2];
	a64_jit_count(s, d);
	return d->fn(s, d);
}

void a64_free_pages(a64_shared *sh)
{
	for (int i = 0; i < A64_PAGE_HASH; i++) {
		a64_page *p = sh->hash[i], *n;
		for (; p; p = n) {
			n = p->next;
			free(p);
		}
		sh->hash[i] = NULL;
	}
	sh->npages = 0;
	a64_jit_reset(sh);
}

static enum cpu_exit run(cpu *c, int64_t max)
{
	a64_core *k = (a64_core *)c;
	a64_cpu *s = &k->s;
	uint64_t end;

	if (c->step_remaining > 0 && max > c->step_remaining)
		max = c->step_remaining;	/* stepping is exact */
	end = c->icount + (max > 0 ? (uint64_t)max : 0);
	enum cpu_exit why = CPU_EXIT_BUDGET;
	/* exec tracing: decided per run, then one instruction per step */
	bool trace = unlikely(trace_on(c->m->trace, ~0u)) && trace_exec_wanted(c);

	check_generations(k);
	if (unlikely(k->sh->jit_flush)) {	/* code buffer full: start again */
		a64_free_pages(k->sh);
		a64_tlb_flush_all_cpus(c->m);
	}
	if (unlikely((trace_on(c->m->trace, TRACE_MEM) && trace_mem_wanted(c)) != k->trace_mem)) {
		k->trace_mem = !k->trace_mem;
		a64_tlb_flush(s);	/* on: every data access misses from now on */
	}
	k->stop = 0;
	if (!c->powered)
		return CPU_EXIT_OFF;
	if (c->waiting && !s->irq_line && !s->fiq_line)
		return CPU_EXIT_WFI;
	while (c->icount < end) {
		if (unlikely(c->exit_request)) {
			c->exit_request = false;
			why = CPU_EXIT_REQUEST;
			break;
		}
		if (unlikely((s->irq_line | s->fiq_line) && a64_irq_pending(s)) &&
		    !(c->step_remaining && c->step_mask_irq)) {
			bool fiq = s->fiq_line && !(s->ps.daif & 0x40);
			a64_take(s, fiq ? EXC_FIQ : EXC_IRQ, 0, s->pc);
		}
		if (unlikely(s->ps.il)) {
			/* after an illegal exception return */
			a64_sync(s, EC_ILLEGAL, 0);
			c->icount++;
			continue;
		}
		if (unlikely(s->pc & 3)) {
			s->sys[A64R_FAR_EL1] = s->pc;
			a64_sync(s, EC_PCALIGN, 0);
			c->icount++;
			continue;
		}
		xtlb_entry *e = fetch_page(k);
		if (unlikely(!e)) {
			/* An instruction abort runs no instruction (QEMU's icount
			 * agrees); a fault fetching the vector too counts, so an
			 * abort loop still advances time. */
			if (k->fetch_faulted)
				c->icount++;
			k->fetch_faulted = true;
			if (k->stop)
				goto stopped;
			continue;
		}
		k->fetch_faulted = false;
		a64_page *pg = e->pg;
		int el = s->ps.el;
		for (;;) {
			a64_dent *d = &pg->e[(s->pc & 0xfff) >> 2];
			bool stepping = false;
			uint64_t seq = 0;
			uint32_t insn = 0;

			k->cur = e;	/* a chain may have gone on to other pages */
			if (unlikely(e->bp_slow | trace | k->hw.ss_on)) {
				/* breakpoints that could not be marked, exec
				 * tracing or the guest's software step: one
				 * instruction at a time */
				if (e->bp && dbg_bp_hit(c, s->pc, e->pa + (s->pc & 0xfff))) {
					why = CPU_EXIT_DEBUG;
					goto out;
				}
				if (k->hw.ss_on && a64_swstep_active(s)) {
					if (!s->ps.ss) {
						/* active-pending: the step exception
						 * comes first (it counts, as QEMU's) */
						a64_swstep_exc(s, false, false);
						c->icount++;
						break;
					}
					stepping = true;
					seq = k->exc_seq;
					memcpy(&insn, e->host + (s->pc & 0xfff), 4);
				}
				if (e->bp && k->hw.bp_on && a64_gbp_hit(s))
					break;
				if (trace) {
					memcpy(&insn, e->host + (s->pc & 0xfff), 4);
					trace_exec(c, s->pc, insn, el);
				}
				k->end_chain = c->icount + 1;
			} else {
				/* bounded chains: bounded stack even without tail calls */
				k->end_chain = end - c->icount > 4096 ? c->icount + 4096 : end;
				a64_jit_count(s, d);
			}
			int ran = d->fn(s, d);
			if (unlikely(stepping) && k->exc_seq == seq && s->c.powered) {
				/* stepped without an exception: active-pending, and
				 * the step exception is taken at once (as QEMU) */
				s->ps.ss = 0;
				a64_swstep_exc(s, true, (insn & 0x3fc00000) == 0x08400000);
				break;
			}
			if (!ran)
				break;		/* budget or end of page */
			/* branch within the same page at the same EL: stay
			 * here unless something needs the outer loop */
			if (!a64_same_page(e, s->pc) || (s->pc & 3) || c->icount >= end ||
			    k->stop || c->exit_request || s->irq_line || s->fiq_line ||
			    s->ps.el != (unsigned)el)
				break;
		}
		if (unlikely(k->stop))
			goto stopped;
	}
	goto out;
stopped:
	why = k->stop;
	k->stop = 0;
out:
	return why;
}

static enum cpu_exit cpu_run(cpu *c, int64_t max)
{
	return run(c, max);
}

/* ---- create / reset ---- */

static cpu *cpu_create(machine *m, int index)
{
	a64_core *k = kwb_zalloc(sizeof(*k));

	k->s.c.m = m;
	k->s.c.arch = &aarch64_arch;
	k->s.c.index = index;
	k->s.sys = k->sys_store;
	k->sh = a64_shared_get(m);
	k->sh->refs++;
	return &k->s.c;
}

static void cpu_free(cpu *c)
{
	a64_core *k = (a64_core *)c;
	a64_shared *sh = k->sh;

	if (sh && --sh->refs == 0) {
		a64_free_pages(sh);
		a64_jit_free(sh);
		free(sh->code_bits);
		sh->code_bits = NULL;
		sh->m = NULL;
	}
	if (c->m)
		event_cancel(c->m, &k->pmu.ev);
	free(k->s.timer);
	free(k->s.gic);
	free(k);
}

static void cpu_reset(cpu *c)
{
	a64_cpu *s = A64(c);
	const reg_table *t = &aarch64_regs;

	memset(s->x, 0, sizeof(s->x));
	memset(s->sp_el, 0, sizeof(s->sp_el));
	memset(s->v, 0, sizeof(s->v));
	memset(&s->ps, 0, sizeof(s->ps));
	s->fpcr = s->fpsr = 0;
	for (int i = 0; i < t->count; i++)
		s->sys[i] = t->regs[i].reset;
	a64_apply_model(s);
	s->sys[A64R_MPIDR_EL1] = a64_mpidr(c);
	s->pc = 0;
	s->ps.el = 1;
	s->ps.sp = 1;
	s->ps.daif = 0x3c0;
	s->excl_valid = false;
	s->irq_line = s->fiq_line = 0;
	a64_timer_reset(s);
	a64_pmu_reset(s);
	a64_dbg_update(s);	/* flushes the TLBs */
}

/* ---- registers for the debugger ---- */

static void put64(uint8_t *b, uint64_t v) { memcpy(b, &v, 8); }
static uint64_t get64(const uint8_t *b) { uint64_t v; memcpy(&v, b, 8); return v; }

static int reg_read(cpu *c, int idx, uint8_t *buf)
{
	a64_cpu *s = A64(c);
	uint64_t v;

	if (idx < 0 || idx >= A64R_COUNT)
		return -1;
	if (idx <= A64R_x30) {
		put64(buf, s->x[idx]);
	} else if (idx == A64R_sp) {
		put64(buf, a64_sp(s));
	} else if (idx == A64R_pc) {
		put64(buf, s->pc);
	} else if (idx == A64R_cpsr) {
		uint32_t p = a64_pstate_pack(s);
		memcpy(buf, &p, 4);
	} else if (idx >= A64R_v0 && idx <= A64R_v31) {
		memcpy(buf, &s->v[idx - A64R_v0], 16);
	} else if (idx == A64R_fpsr || idx == A64R_fpcr) {
		uint32_t f = idx == A64R_fpsr ? s->fpsr : s->fpcr;
		memcpy(buf, &f, 4);
	} else {
		if (!a64_sysreg_read(s, idx, &v, true))
			return -1;
		put64(buf, v);
	}
	return 0;
}

static int reg_write(cpu *c, int idx, const uint8_t *buf)
{
	a64_cpu *s = A64(c);

	if (idx < 0 || idx >= A64R_COUNT)
		return -1;
	if (idx <= A64R_x30) {
		s->x[idx] = get64(buf);
	} else if (idx == A64R_sp) {
		a64_set_sp(s, get64(buf));
	} else if (idx == A64R_pc) {
		s->pc = get64(buf);
	} else if (idx == A64R_cpsr) {
		uint32_t p;
		memcpy(&p, buf, 4);
		a64_pstate_unpack(s, p);
		a64_tlb_flush(s);
	} else if (idx >= A64R_v0 && idx <= A64R_v31) {
		memcpy(&s->v[idx - A64R_v0], buf, 16);
	} else if (idx == A64R_fpsr || idx == A64R_fpcr) {
		uint32_t f;
		memcpy(&f, buf, 4);
		if (idx == A64R_fpsr)
			s->fpsr = f;
		else
			s->fpcr = f;
	} else if (aarch64_regs.regs[idx].access == REG_RO) {
		/* Feature ID registers (op0=3, CRn=0, not MIDR/MPIDR/REVIDR)
		 * describe the model: a debugger may set them (difftest presents
		 * QEMU's); other RO ones stay. */
		uint32_t enc = aarch64_regs.regs[idx].encoding;
		if ((enc >> 14) != 3 || ((enc >> 7) & 15) != 0 || (enc & 0x3ff8) == 0)
			return -1;
		s->sys[idx] = get64(buf);
	} else if (!a64_sysreg_write(s, idx, get64(buf))) {
		return -1;
	}
	return 0;
}

static uint64_t get_pc(cpu *c) { return A64(c)->pc; }
static void set_pc(cpu *c, uint64_t pc) { A64(c)->pc = pc; }

static int debug_translate(cpu *c, vaddr_t va, int access, paddr_t *pa, walk_log *log)
{
	a64_cpu *s = A64(c);
	a64_tr t;
	int el = s->ps.el;

	a64_walk(s, va, &t, log);
	if (t.fault)
		return -1;
	if (access && (t.perm[el] & access) != access) {
		if (log)
			snprintf(log->result, sizeof(log->result), "permission fault (level %d) for %s at EL%d",
				 t.level, access & ACC_WRITE ? "write" : access & ACC_EXEC ? "exec" : "read", el);
		return -1;
	}
	*pa = t.pa;
	return 0;
}

static bool mmu_enabled(cpu *c)
{
	return A64(c)->sys[A64R_SCTLR_EL1] & 1;
}

static void flush_decode(cpu *c)
{
	a64_decode_flush_all(((a64_core *)c)->sh);
	a64_tlb_flush(A64(c));
}

static void flush_tlb(cpu *c)
{
	a64_tlb_flush(A64(c));
}

static const char *mode_name(cpu *c)
{
	a64_cpu *s = A64(c);
	static const char *const names[] = { "EL0t", "EL0t", "EL1t", "EL1h" };
	return names[s->ps.el * 2 + (s->ps.el ? s->ps.sp : 0)];
}

static int disasm(cpu *c, uint64_t pc, uint32_t insn, char *buf, size_t len)
{
	static csh handle;
	static bool opened, failed;
	cs_insn *ci;
	size_t n;

	(void)c;
	if (!opened && !failed) {
		if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle) == CS_ERR_OK)
			opened = true;
		else
			failed = true;
	}
	if (opened && (n = cs_disasm(handle, (const uint8_t *)&insn, 4, pc, 1, &ci)) > 0) {
		snprintf(buf, len, "%s%s%s", ci->mnemonic, ci->op_str[0] ? " " : "", ci->op_str);
		cs_free(ci, n);
	} else {
		snprintf(buf, len, ".inst 0x%08x", insn);
	}
	return 4;
}

const arch_ops aarch64_arch = {
	.name = "aarch64",
	.regs = &aarch64_regs,
	.cpu_create = cpu_create,
	.cpu_free = cpu_free,
	.cpu_reset = cpu_reset,
	.cpu_run = cpu_run,
	.reg_read = reg_read,
	.reg_write = reg_write,
	.get_pc = get_pc,
	.set_pc = set_pc,
	.debug_translate = debug_translate,
	.mmu_enabled = mmu_enabled,
	.flush_decode = flush_decode,
	.flush_tlb = flush_tlb,
	.mode_name = mode_name,
	.disasm = disasm,
	.state_desc = a64_state_desc,
};
