/*
 * What the rest of an AArch64 machine needs from its Arm GIC, whichever
 * version the board built (gicv2.c or gicv3.c): the board's SPI inputs and
 * the per-CPU PPIs (generic timers, PMU). The machine's irqchip points at
 * the model's arm_gic (its first member). (`monitor info gic` is each
 * model's state description, core/state.h.)
 */
#ifndef KWB_ARM_GIC_H
#define KWB_ARM_GIC_H

#include "../kwb.h"

struct machine;

typedef struct arm_gic arm_gic;
struct arm_gic {
	const char *name;	/* "gicv2", "gicv3": traces and monitor */
	/* SPI input n (INTID n + 32) */
	void (*set_spi)(arm_gic *g, int spi, int level);
	/* per-CPU PPI input (INTID 16..31) */
	void (*set_private)(arm_gic *g, int cpu, int intid, int level);
};

/* Inputs by machine (m->irqchip is an arm_gic on AArch64); no-ops when
 * there is no GIC. */
void arm_gic_set_spi(struct machine *m, int spi, int level);
void arm_gic_set_ppi(struct machine *m, int cpu, int intid, int level);

/* 32 INTIDs' configuration and state, as both models keep them (a
 * distributor's SPI bank, a CPU's SGIs and PPIs). */
typedef struct arm_gic_bank {
	uint32_t group;		/* 1 = group 1 */
	uint32_t enable;
	uint32_t pend;		/* latched pending (edges, ISPENDR, SGIs) */
	uint32_t active;
	uint32_t level;		/* input line levels */
	uint32_t edge;		/* 1 = edge-triggered (ICFGR bit 1 of the field) */
	uint8_t prio[32];
} arm_gic_bank;

/* Calls report(ctx, INTID, what) for every INTID of bank n whose
 * configuration or state differs between o and b ("enabled", "pending
 * cleared", "priority 0x80"): what `-d irq` prints after a register write. */
void arm_gic_bank_diff(int n, const arm_gic_bank *o, const arm_gic_bank *b,
		       void (*report)(void *ctx, int intid, const char *what), void *ctx);

/* "PPI 27 (virt timer)", "SPI 33 (pl011)", "LPI 8192": an INTID as
 * Linux's /proc/interrupts numbers it, with the board device wired there. */
const char *arm_gic_intid_name(struct machine *m, int intid, char *buf, size_t len);

#endif
