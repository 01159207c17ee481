/* -d mmu records of an AArch64 CPU (trace_hooks_a64.c): call only when
 * trace_on(m->trace, TRACE_MMU) holds. */
#ifndef KWB_TRACE_HOOKS_A64_H
#define KWB_TRACE_HOOKS_A64_H

#include "a64_int.h"
#include "../../trace_hooks.h"

/* SCTLR_EL1, TTBR0/1_EL1 or TCR_EL1 (index idx) written; old value. */
void a64_trace_sysreg(a64_cpu *s, int idx, uint64_t old);
/* TLBI (CRm 3 = inner shareable, 7 = local; op2 the operation; x = Xt). */
void a64_trace_tlbi(a64_cpu *s, unsigned crm, unsigned op2, uint64_t x);
/* A stage 1 walk for a real access (TLB miss) at el, and its outcome. */
void a64_walk_traced(a64_cpu *s, uint64_t va, int acc, int el, a64_tr *t);
/* A software TLB entry filled: kind "R", "W" or "X". */
void a64_trace_fill(a64_cpu *s, const char *kind, int el, uint64_t va, paddr_t pa);

#endif
