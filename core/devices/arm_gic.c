/* The Arm GIC as the rest of an AArch64 machine sees it (arm_gic.h). */
#include <stddef.h>
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

void arm_gic_bank_diff(int n, const arm_gic_bank *o, const arm_gic_bank *b,
		       void (*report)(void *ctx, int intid, const char *what), void *ctx)
{
	static const struct {
		size_t off;
		const char *set, *clear;
	} f[] = {
		{ offsetof(arm_gic_bank, group), "group 1", "group 0" },
		{ offsetof(arm_gic_bank, edge), "edge-triggered", "level-sensitive" },
		{ offsetof(arm_gic_bank, enable), "enabled", "disabled" },
		{ offsetof(arm_gic_bank, pend), "pending", "pending cleared" },
		{ offsetof(arm_gic_bank, active), "active", "active cleared" },
	};
	char prio[24];

	for (size_t k = 0; k < ARRAY_SIZE(f); k++) {
		uint32_t was = *(const uint32_t *)((const char *)o + f[k].off);
		uint32_t now = *(const uint32_t *)((const char *)b + f[k].off);

		for (uint32_t d = was ^ now; d; d &= d - 1) {
			int i = __builtin_ctz(d);

			report(ctx, n * 32 + i, now >> i & 1 ? f[k].set : f[k].clear);
		}
	}
	for (int i = 0; i < 32; i++)
		if (o->prio[i] != b->prio[i]) {
			snprintf(prio, sizeof(prio), "priority 0x%02x", b->prio[i]);
			report(ctx, n * 32 + i, prio);
		}
}
