/* Exceptions and interrupts: delegation, priorities, trap entry. */
#include <stdio.h>
#include <stdlib.h>

#include "rv.h"
#include "../../trace.h"

/* KWB_RV_TRAPS=1 in the environment logs every trap to stderr. */
static int trace_traps = -1;

void rv_take_trap(rv_hart *h, uint64_t cause, uint64_t tval, uint64_t pc)
{
	bool irq = cause & CAUSE_IRQ;
	unsigned code = (unsigned)(cause & 63);
	uint64_t deleg = irq ? h->mideleg : h->medeleg;
	uint64_t s = h->mstatus;
	int from = h->priv;

	h->c.nexc++;
	if (trace_traps < 0)
		trace_traps = getenv("KWB_RV_TRAPS") != NULL;
	if (trace_traps)
		fprintf(stderr, "rv%d: trap cause %#llx tval %#llx pc %#llx priv %d icount %llu\n",
			h->c.index, (unsigned long long)cause, (unsigned long long)tval,
			(unsigned long long)pc, h->priv, (unsigned long long)h->c.icount);
	rv_resv_clear(h);
	h->wfi = false;
	if (h->priv <= PRV_S && ((deleg >> code) & 1)) {
		h->scause = cause;
		h->sepc = pc;
		h->stval = tval;
		s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
		s = (s & ~(MSTATUS_SIE | MSTATUS_SPP)) | (h->priv == PRV_S ? MSTATUS_SPP : 0);
		h->priv = PRV_S;
		h->pc = (h->stvec & ~3ull) + ((irq && (h->stvec & 1)) ? 4ull * code : 0);
	} else {
		h->mcause = cause;
		h->mepc = pc;
		h->mtval = tval;
		s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
		s = (s & ~(MSTATUS_MIE | MSTATUS_MPP)) | ((uint64_t)h->priv << 11);
		h->priv = PRV_M;
		h->pc = (h->mtvec & ~3ull) + ((irq && (h->mtvec & 1)) ? 4ull * code : 0);
	}
	h->mstatus = s;
	rv_update_mode(h);
	if (unlikely(trace_on(h->c.m->trace, ~0u)))
		rv_trace_trap(h, from, cause, tval, pc);
}

const rv_insn *rv_raise(rv_hart *h, const rv_insn *d, uint64_t cause, uint64_t tval)
{
	rv_take_trap(h, cause, tval, rv_pc_of(h, d));
	/* An instruction that traps by what it is (ecall, ebreak, an unknown
	 * encoding) counts; one stopped while it runs (a load/store fault, a
	 * CSR access check) does not: QEMU's -icount, which difftest needs. */
	if (!((cause >= EXC_LOAD_MISALIGNED && cause <= EXC_STORE_ACCESS) || cause == EXC_LOAD_PAGE ||
	      cause == EXC_STORE_PAGE))
		h->left--;
	return NULL;
}

/*
 * A fetch fault (the instruction's page, or the second half of one that
 * crosses a page) runs no instruction, so it does not count, as with QEMU's
 * -icount (its translator faults before any instruction of the block
 * runs). A fault again with nothing run in between (a fault fetching the
 * vector) counts, so a fault loop still advances time. Counting every
 * fetch fault put kwb's clock 1 ns ahead of QEMU's at Linux's first
 * (relocate_enable_mmu), which the difftest's PC pass met as a timer
 * interrupt one instruction early tens of millions of instructions later.
 */
void rv_fetch_fault(rv_hart *h, uint64_t cause, uint64_t tval, uint64_t pc)
{
	uint64_t now;

	rv_sync_icount(h);
	now = h->c.icount;
	rv_take_trap(h, cause, tval, pc);
	if (h->fetch_faulted && h->fetch_fault_icount == now) {
		h->left--;
		now++;
	}
	h->fetch_faulted = true;
	h->fetch_fault_icount = now;
}

/* Illegal by a CSR access check while running: not counted (see above). */
const rv_insn *rv_illegal_csr(rv_hart *h, const rv_insn *d)
{
	const rv_insn *r = rv_illegal(h, d);
	h->left++;
	return r;
}

/* The instruction's encoding, re-read from memory (for mtval/stval). */
uint32_t rv_insn_bits(rv_hart *h, const rv_insn *d)
{
	uint64_t pc = rv_pc_of(h, d);
	uint16_t half[2] = { 0, 0 };

	for (int i = 0; i < 2; i++) {
		paddr_t pa;
		if (rv_debug_translate(&h->c, pc + 2 * i, ACC_EXEC, &pa, NULL) ||
		    bus_debug_read(&h->c.m->bus, pa, &half[i], 2))
			return 0;
		if (i == 0 && (half[0] & 3) != 3)
			return half[0];
	}
	return half[0] | (uint32_t)half[1] << 16;
}

const rv_insn *rv_illegal(rv_hart *h, const rv_insn *d)
{
	uint32_t bits = rv_insn_bits(h, d);

	if (unlikely(trace_on(h->c.m->trace, ~0u)))
		rv_trace_illegal(h, rv_pc_of(h, d), bits);
	return rv_raise(h, d, EXC_ILLEGAL, bits);
}

/* Interrupts that would be taken now, by target privilege and enables. */
uint64_t rv_pending_irqs(const rv_hart *h)
{
	uint64_t p = rv_mip(h) & h->mie, r = 0;

	if (!p)
		return 0;
	if (h->priv < PRV_M || (h->mstatus & MSTATUS_MIE))
		r |= p & ~h->mideleg;
	if (h->priv < PRV_S || (h->priv == PRV_S && (h->mstatus & MSTATUS_SIE)))
		r |= p & h->mideleg;
	return r;
}

bool rv_check_interrupts(rv_hart *h)
{
	static const unsigned order[] = { 11, 3, 7, 9, 1, 5 };
	uint64_t r = rv_pending_irqs(h);

	if (!r)
		return false;
	/* Interrupts for M-mode come before those delegated to S-mode. */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t set = pass == 0 ? r & ~h->mideleg : r & h->mideleg;
		for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
			if (set & (1ull << order[i])) {
				rv_take_trap(h, CAUSE_IRQ | order[i], 0, h->pc);
				return true;
			}
		}
	}
	return false;
}
