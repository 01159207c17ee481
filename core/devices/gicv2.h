/*
 * GICv2 as QEMU 7.2's virt builds it for gic-version=2 (its default): a
 * distributor with 288 INTIDs, a memory-mapped CPU interface per CPU, no
 * security extensions (all of the register file is visible, group 0 and
 * group 1 both usable, group 0 can be FIQ), 8 priority bits, and the
 * GICv2m MSI frame that turns a write of an INTID into an edge on an SPI.
 * Banked registers (SGIs/PPIs, GICC) belong to the CPU making the access.
 */
#ifndef KWB_GICV2_H
#define KWB_GICV2_H

#include "../kwb.h"
#include "../bus.h"

#define GICV2_NR_IRQS 288	/* GICD_TYPER.ITLinesNumber 8, as QEMU 7.2's virt */
#define GICV2_MAX_CPUS 8
#define GICV2_DIST_SIZE 0x1000	/* what answers; the DT names 64K frames */
#define GICV2_CPU_SIZE 0x2000	/* GICC, and GICC_DIR at 0x1000 */
#define GICV2M_SIZE 0x1000
#define GICV2_SPURIOUS 1023

typedef struct gicv2 gicv2;

/* A CPU's IRQ (line 0) or FIQ (line 1) input, driven on every change. */
typedef void (*gicv2_irq_fn)(void *opaque, int cpu, int line, int level);

gicv2 *gicv2_new(int ncpus, gicv2_irq_fn set_irq, void *opaque);
void gicv2_reset(gicv2 *g);
void gicv2_free(gicv2 *g);
/* Without a machine (unit tests): the CPU whose banked registers MMIO
 * accesses see. On a board it is the running CPU. */
void gicv2_set_accessing_cpu(gicv2 *g, int cpu);

extern const mmio_ops gicv2_dist_ops;	/* opaque: gicv2 * */
extern const mmio_ops gicv2_cpu_ops;	/* opaque: gicv2 * */

/* SPI input n (INTID n + 32), and a CPU's PPI (INTID 16..31). */
void gicv2_set_spi(gicv2 *g, int spi, int level);
void gicv2_set_private(gicv2 *g, int cpu, int intid, int level);

/* GICv2m: MSI_SETSPI_NS turns an INTID in [base, base + count) into an
 * edge on that SPI of the machine's GIC. */
#define GICV2M_SETSPI_NS 0x040

#endif
