/*
 * GICv2m MSI frame (QEMU 7.2's arm-gicv2m on virt with gic-version=2): a
 * write of an INTID to MSI_SETSPI_NS pulses that SPI of the machine's GIC
 * (Linux configures them edge-triggered), so PCI MSI/MSI-X reach a GICv2.
 * Board device: base = the frame, irqs[0] = the first SPI, param = how
 * many (QEMU: SPIs 48..111, INTIDs 80..143). Its DT node goes under the
 * GIC's, as QEMU's does. No state: every write is one complete pulse (an
 * empty description says so).
 */
#include <stdio.h>
#include <stdlib.h>

#include <libfdt.h>

#include "arm_gic.h"
#include "gicv2.h"
#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../state.h"
#include "../trace_hooks.h"

enum { V2M_MSI_TYPER = 0x008, V2M_MSI_IIDR = 0xfcc };
#define V2M_IIDR 0x05100000u	/* QEMU's own product ID ('Q' << 20) */

typedef struct gicv2m {
	machine *m;
	int first_spi, nspis;
} gicv2m;

static uint64_t v2m_read(void *opaque, uint64_t off, unsigned size)
{
	gicv2m *v = opaque;
	uint32_t r = 0;

	switch (off & ~3ull) {
	case V2M_MSI_TYPER: r = (uint32_t)(v->first_spi + 32) << 16 | (uint32_t)v->nspis; break;
	case V2M_MSI_IIDR: r = V2M_IIDR; break;
	}
	r >>= 8 * (off & 3);
	return size >= 4 ? r : r & ((1u << (8 * size)) - 1);
}

static void v2m_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	gicv2m *v = opaque;
	int spi = (int)(val & 0x3ff) - 32 - v->first_spi;

	if (off != GICV2M_SETSPI_NS || size < 2)
		return;
	if (spi < 0 || spi >= v->nspis) {
		if (unlikely(trace_on(v->m->trace, TRACE_IRQ)))
			trace_irq(v->m, -1, "gicv2m MSI_SETSPI_NS %u: not one of SPIs %d-%d, ignored",
				  (unsigned)(val & 0x3ff), v->first_spi + 32, v->first_spi + 31 + v->nspis);
		return;
	}
	if (unlikely(trace_on(v->m->trace, TRACE_IRQ)))
		trace_irq(v->m, -1, "gicv2m MSI_SETSPI_NS: pulse SPI %d", spi + v->first_spi + 32);
	arm_gic_set_spi(v->m, v->first_spi + spi, 1);
	arm_gic_set_spi(v->m, v->first_spi + spi, 0);
}

static bool v2m_peek(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	*val = v2m_read(opaque, off, size);
	return true;
}

static const char *v2m_reg_name(void *opaque, uint64_t off)
{
	(void)opaque;
	switch (off) {
	case V2M_MSI_TYPER: return "MSI_TYPER";
	case GICV2M_SETSPI_NS: return "MSI_SETSPI_NS";
	case V2M_MSI_IIDR: return "MSI_IIDR";
	}
	return NULL;
}

static const mmio_ops v2m_ops = {
	.read = v2m_read, .write = v2m_write, .peek = v2m_peek, .reg_name = v2m_reg_name,
};

static void *v2m_create(machine *m, const board_device *d)
{
	gicv2m *v = kwb_zalloc(sizeof(*v));

	v->m = m;
	v->first_spi = d->irqs[0];
	v->nspis = (int)d->param;
	bus_add_mmio(&m->bus, "gicv2m", d->base, GICV2M_SIZE, &v2m_ops, v);
	return v;
}

/* Under the GIC's node: v2m@8020000 { compatible = "arm,gic-v2m-frame";
 * msi-controller; reg; phandle }; the PCIe host's msi-map points here. */
static int v2m_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	char path[64];
	int gic, node;

	(void)m; (void)state; (void)parent;
	snprintf(path, sizeof(path), "/intc@%llx", (unsigned long long)(d->base & ~0xfffffull));
	gic = fdtu_path(fdt, path);
	node = fdtu_node_at(fdt, gic, d->name, d->base);
	fdtu_string(fdt, node, "compatible", "arm,gic-v2m-frame");
	fdtu_empty(fdt, node, "msi-controller");
	fdtu_reg(fdt, node, d->base, GICV2M_SIZE);
	fdtu_phandle(fdt, node);
	return node;
}

static void v2m_free(void *state)
{
	free(state);
}

static const state_field gicv2m_fields[] = { ST_END };
static const state_desc gicv2m_state = { .name = "gicv2m", .version = 1, .fields = gicv2m_fields };

DEVICE_TYPE(gicv2m_type) {
	.name = "gicv2m",
	.create = v2m_create,
	.fdt = v2m_fdt,
	.free = v2m_free,
	.state = &gicv2m_state,
};
