/* -d irq / -d mmu records of the hart (trace_hooks_rv.c): call only when
 * trace_on(m->trace, TRACE_IRQ / TRACE_MMU) holds. */
#ifndef KWB_TRACE_HOOKS_RV_H
#define KWB_TRACE_HOOKS_RV_H

#include "rv.h"
#include "../../trace_hooks.h"

/* mip bits written by software (csrw mip/sip) changed from old. */
void rv_trace_mip_sw(rv_hart *h, uint64_t old);
/* satp written (old value, new is h->satp). */
void rv_trace_satp(rv_hart *h, uint64_t old);
/* sfence.vma: rs1/rs2 are register numbers (0: all), va/asid their values. */
void rv_trace_sfence(rv_hart *h, int rs1, uint64_t va, int rs2, uint64_t asid);
/* A page-table walk for a real access (TLB miss) and its outcome. */
void rv_trace_walk(rv_hart *h, uint64_t va, int access, int priv, const walk_log *log);
/* A software TLB entry filled: kind "R", "W" or "X". */
void rv_trace_fill(rv_hart *h, const char *kind, uint64_t va, paddr_t pa);

#endif
