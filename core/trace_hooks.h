/*
 * Helpers for the device and MMU traces (-d irq, -d mmu): one record per
 * state change, "irq cpuN ..." / "mmu cpuN ...". Callers check
 * trace_on(m->trace, TRACE_IRQ / TRACE_MMU) first, so with tracing off a
 * device or walk pays one predicted-false test and nothing here runs.
 */
#ifndef KWB_TRACE_HOOKS_H
#define KWB_TRACE_HOOKS_H

#include "kwb.h"
#include "trace.h"

struct machine;
struct cpu;
struct walk_log;

/* "irq cpuN <text>", or "irq <text>" for cpu < 0; the cpu=N filter drops
 * records of other CPUs (records that concern no CPU always pass). */
void trace_irq(struct machine *m, int cpu, const char *fmt, ...) KWB_PRINTF(3, 4);
/* "mmu cpuN <text>", with the cpu=N filter. */
void trace_mmu(struct cpu *c, const char *fmt, ...) KWB_PRINTF(2, 3);
/* A walk for a real access: "mmu cpuN walk <what> va=... <ctx>: L<n>=desc
 * ... -> <log->result>". */
void trace_mmu_walk(struct cpu *c, const char *what, uint64_t va, const char *ctx,
		    const struct walk_log *log);
/* The board device wired to interrupt-controller input n (SPI number /
 * PLIC source), or NULL. */
const char *trace_irq_source(struct machine *m, int n);

#endif
