/*
 * GICv3: distributor, one redistributor per CPU, and the CPU interface
 * reached through the ICC_* system registers. Single security state
 * (GICD_CTLR.DS = 1), affinity routing always on, 5 priority bits as
 * QEMU, LPIs (for the ITS, gicv3_its.c) with their tables in guest memory.
 * Group 1 interrupts raise IRQ; group 0 interrupts are never signalled
 * (Linux puts everything in group 1).
 */
#ifndef KWB_GICV3_H
#define KWB_GICV3_H

#include "../kwb.h"
#include "../bus.h"

struct machine;

#define GICV3_NR_IRQS 256	/* INTIDs 0..255: 16 SGIs, 16 PPIs, 224 SPIs (GICD_TYPER as QEMU 7.2 virt: ITLinesNumber 7) */
#define GICV3_MAX_CPUS 8
#define GICV3_DIST_SIZE 0x10000
#define GICV3_REDIST_STRIDE 0x20000	/* RD_base + SGI_base frames per CPU */
#define GICV3_SPURIOUS 1023

typedef struct gicv3 gicv3;

/* The CPUs' IRQ inputs, driven whenever a CPU's signalled state changes. */
typedef void (*gicv3_irq_fn)(void *opaque, int cpu, int level);

/* A GIC for ncpus CPUs whose MPIDR_EL1 values are mpidr[]. */
gicv3 *gicv3_new(int ncpus, const uint64_t *mpidr, gicv3_irq_fn set_irq, void *opaque);
void gicv3_reset(gicv3 *g);
void gicv3_free(gicv3 *g);

extern const mmio_ops gicv3_dist_ops;	/* opaque: gicv3 *, GICD frame */
extern const mmio_ops gicv3_redist_ops;	/* opaque: gicv3 *, ncpus x 128K frames */

/* SPI input n (INTID n + 32): the line level. Edge-configured SPIs latch
 * pending on a rising edge; level ones are pending while high. */
void gicv3_set_spi(gicv3 *g, int spi, int level);
/* Per-CPU PPI input (INTID 16..31), e.g. the generic timer. */
void gicv3_set_private(gicv3 *g, int cpu, int intid, int level);

/* LPIs (INTIDs 8192..65535), for the ITS: their pending and configuration
 * tables are in guest memory behind GICR_PENDBASER/PROPBASER (read and
 * written through b, gicv3_set_bus; a board GIC has the machine's bus).
 * Set or clear one on a CPU's redistributor (nothing while its
 * GICR_CTLR.EnableLPIs is 0 or past PROPBASER.IDbits); read its pending
 * bit; re-read the configuration table (INV, INVALL). */
void gicv3_set_bus(gicv3 *g, bus *b);
void gicv3_lpi_set(gicv3 *g, int cpu, uint32_t intid, int level);
bool gicv3_lpi_pending(gicv3 *g, int cpu, uint32_t intid);
void gicv3_lpi_reload(gicv3 *g, int cpu);
void gicv3_lpi_move_all(gicv3 *g, int from, int to);
int gicv3_ncpus(gicv3 *g);

/* The ICC_* registers of a CPU by sysreg encoding (SYSREG_ENC); false for
 * an encoding that is not a GIC CPU interface register. */
bool gicv3_icc_read(gicv3 *g, int cpu, uint32_t enc, uint64_t *value);
bool gicv3_icc_write(gicv3 *g, int cpu, uint32_t enc, uint64_t value);

#endif
