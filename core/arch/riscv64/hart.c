/* The RV64GC hart as an arch_ops, and what devices and boards call on it. */
#include <stdlib.h>
#include <string.h>

#include "rv.h"

static rv_shared *shared_list;

rv_shared *rv_shared_get(machine *m)
{
	rv_shared *s;

	for (s = shared_list; s; s = s->next)
		if (s->m == m)
			break;
	if (!s) {
		s = kwb_zalloc(sizeof(*s));
		s->m = m;
		s->next = shared_list;
		shared_list = s;
	}
	s->refs++;
	return s;
}

static void shared_put(rv_shared *s)
{
	if (--s->refs)
		return;
	rv_decode_free_all(s);
	for (rv_shared **pp = &shared_list; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	free(s);
}

/* Pick the TLB sets for the current privilege, MPRV and SUM. */
void rv_update_mode(rv_hart *h)
{
	int eff = h->priv, set;

	if (eff == PRV_M && (h->mstatus & MSTATUS_MPRV))
		eff = (int)((h->mstatus >> 11) & 3);
	set = eff == PRV_M ? 3 : eff == PRV_S ? ((h->mstatus & MSTATUS_SUM) ? 2 : 1) : 0;
	h->tr = h->tlb_r[set];
	h->tw = h->tlb_w[set];
	h->ti = h->tlb_x[h->priv == PRV_M ? 3 : h->priv == PRV_S ? 1 : 0];
}

static void rv_cpu_reset(cpu *c)
{
	rv_hart *h = HART(c);
	const reg_desc *r = riscv64_regs.regs;

	rv_resv_clear(h);
	memset(h->x, 0, sizeof(h->x));
	memset(h->f, 0, sizeof(h->f));
	h->pc = r[RV_pc].reset;
	h->priv = (int)r[RV_priv].reset;
	h->mstatus = r[RV_mstatus].reset;
	h->misa = r[RV_misa].reset;
	h->mhartid = (uint64_t)c->index;
	h->medeleg = h->mideleg = h->mie = h->mip_sw = h->mip_hw = 0;
	h->mtvec = h->mscratch = h->mepc = h->mcause = h->mtval = 0;
	h->mcounteren = h->menvcfg = 0;
	h->stvec = h->sscratch = h->sepc = h->scause = h->stval = 0;
	h->scounteren = h->senvcfg = h->satp = 0;
	rv_pmu_reset(h, h->cfg.pmu_num);
	rv_sstc_reset(h);
	rv_trig_reset(h);
	h->fflags = h->frm = 0;
	memset(h->pmpcfg, 0, sizeof(h->pmpcfg));
	memset(h->pmpaddr, 0, sizeof(h->pmpaddr));
	h->npmp = 0;
	h->wfi = false;
	rv_tlb_flush(h);
	rv_update_mode(h);
}

static cpu *rv_cpu_create(machine *m, int index)
{
	rv_hart *h = kwb_zalloc(sizeof(*h));

	const char *bug = getenv("KWB_DIFFTEST_PLANT_BUG");

	rv_csr_init();
	rv_planted_addi_bug = bug && !strcmp(bug, "addi");
	h->c.m = m;
	h->c.arch = &riscv64_arch;
	h->c.index = index;
	h->sh = rv_shared_get(m);
	h->xpage = rv_xpage_new();
	rv_config_parse(&h->cfg, m->opt ? m->opt->cpu_model : NULL);
	rv_sstc_init(h);
	rv_cpu_reset(&h->c);
	return &h->c;
}

static void rv_cpu_free(cpu *c)
{
	rv_hart *h = HART(c);

	if (!c)
		return;
	rv_resv_clear(h);
	event_cancel(c->m, &h->sstc.timer);
	shared_put(h->sh);
	free(h->xpage);
	free(h);
}

static uint64_t rv_get_pc(cpu *c)
{
	return HART(c)->pc;
}

static void rv_set_pc(cpu *c, uint64_t pc)
{
	HART(c)->pc = pc & ~1ull;
}

static void rv_flush_decode(cpu *c)
{
	rv_hart *h = HART(c);
	h->sh->gen++;
	rv_tlb_flush(h);
}

static void rv_flush_tlb(cpu *c)
{
	rv_tlb_flush(HART(c));
}

static const char *rv_mode_name(cpu *c)
{
	static const char *const names[4] = { "U", "S", "?", "M" };
	return names[HART(c)->priv & 3];
}

void riscv_set_mip(cpu *c, uint32_t mask, int level)
{
	rv_hart *h = HART(c);

	if (level)
		h->mip_hw |= mask;
	else
		h->mip_hw &= ~(uint64_t)mask;
	if (level && (mask & h->mie))
		c->waiting = false;
}

void riscv_set_boot(cpu *c, uint64_t pc, uint64_t a0, uint64_t a1)
{
	rv_hart *h = HART(c);

	h->pc = pc & ~1ull;
	h->x[10] = a0;
	h->x[11] = a1;
	h->priv = PRV_M;
	h->wfi = false;
	rv_update_mode(h);
}

uint64_t riscv_mtime(struct machine *m)
{
	return (uint64_t)((unsigned __int128)riscv_time_ns(m) * RISCV_TIMEBASE_HZ / 1000000000u);
}

/* The instruction reading the clock (time CSR, mtime) or arming the timer
 * (mtimecmp) counts as executed, as with QEMU's -icount: difftest needs
 * the same values and deadlines. */
uint64_t riscv_time_ns(struct machine *m)
{
	return clock_now(m) + (m->current ? 1 : 0);
}

const arch_ops riscv64_arch = {
	.name = "riscv64",
	.regs = &riscv64_regs,
	.cpu_create = rv_cpu_create,
	.cpu_free = rv_cpu_free,
	.cpu_reset = rv_cpu_reset,
	.cpu_run = rv_run,
	.reg_read = rv_reg_read,
	.reg_write = rv_reg_write,
	.get_pc = rv_get_pc,
	.set_pc = rv_set_pc,
	.debug_translate = rv_debug_translate,
	.mmu_enabled = rv_mmu_enabled,
	.flush_decode = rv_flush_decode,
	.flush_tlb = rv_flush_tlb,
	.mode_name = rv_mode_name,
	.disasm = rv_disasm,
	.state_desc = rv_state_desc,
};
