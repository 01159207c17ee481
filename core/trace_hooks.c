/*
 * Record formatting for -d irq and -d mmu (see trace_hooks.h). Filters
 * are applied here, since the device and MMU code know the CPU but not
 * the trace state's layout.
 */
#include <stdarg.h>
#include <stdio.h>

#include "machine.h"
#include "trace_hooks.h"

static bool cpu_wanted(machine *m, int cpu)
{
	const trace_state *t = m->trace;

	return cpu < 0 || t->cpu < 0 || t->cpu == cpu;
}

void trace_irq(machine *m, int cpu, const char *fmt, ...)
{
	char text[TRACE_LINE];
	va_list ap;

	if (!cpu_wanted(m, cpu))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (cpu >= 0)
		trace_emit(m, "irq cpu%d %s", cpu, text);
	else
		trace_emit(m, "irq %s", text);
}

void trace_mmu(cpu *c, const char *fmt, ...)
{
	char text[TRACE_LINE];
	va_list ap;

	if (!cpu_wanted(c->m, c->index))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	trace_emit(c->m, "mmu cpu%d %s", c->index, text);
}

void trace_mmu_walk(cpu *c, const char *what, uint64_t va, const char *ctx, const walk_log *log)
{
	char steps[TRACE_LINE];
	size_t n = 0;

	if (!cpu_wanted(c->m, c->index))
		return;
	steps[0] = 0;
	for (int i = 0; i < log->count && n < sizeof(steps); i++)
		n += (size_t)snprintf(steps + n, sizeof(steps) - n, " L%d=0x%016llx", log->steps[i].level,
				      (unsigned long long)log->steps[i].desc);
	trace_emit(c->m, "mmu cpu%d walk %s va=0x%016llx %s:%s -> %s", c->index, what,
		   (unsigned long long)va, ctx, steps, log->result);
}

const char *trace_irq_source(machine *m, int n)
{
	for (int i = 0; i < m->ndev; i++) {
		const board_device *d = m->dev_desc[i];
		for (int j = 0; d && j < d->nirqs; j++)
			if (d->irqs[j] == n)
				return d->name;
	}
	return NULL;
}
