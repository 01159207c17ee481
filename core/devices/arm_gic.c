/* The Arm GIC as the rest of an AArch64 machine sees it (arm_gic.h). */
#include <stdio.h>

#include "arm_gic.h"
#include "../machine.h"
#include "../trace_hooks.h"

/* On an AArch64 machine the irqchip is always an arm_gic: the CPU's timers
 * call this on every change of their output, so no lookup here. */
void arm_gic_set_ppi(machine *m, int cpu, int intid, int level)
{
	arm_gic *g = m->irqchip;

	if (g)
		g->set_private(g, cpu, intid, level);
}

void arm_gic_set_spi(machine *m, int spi, int level)
{
	arm_gic *g = m->irqchip;

	if (g)
		g->set_spi(g, spi, level);
}

const char *arm_gic_intid_name(machine *m, int intid, char *buf, size_t len)
{
	static const char *const ppi[16] = {
		[7] = "pmu", [9] = "vgic", [10] = "hyp timer", [11] = "virt timer", [13] = "secure timer",
		[14] = "phys timer",
	};
	const char *dev = NULL;

	if (intid < 16)
		snprintf(buf, len, "SGI %d", intid);
	else if (intid < 32)
		snprintf(buf, len, "PPI %d%s%s%s", intid, ppi[intid - 16] ? " (" : "",
			 ppi[intid - 16] ? ppi[intid - 16] : "", ppi[intid - 16] ? ")" : "");
	else if (intid >= 8192)
		snprintf(buf, len, "LPI %d", intid);
	else if (m && (dev = trace_irq_source(m, intid - 32)))
		snprintf(buf, len, "SPI %d (%s)", intid, dev);
	else
		snprintf(buf, len, "SPI %d", intid);
	return buf;
}
