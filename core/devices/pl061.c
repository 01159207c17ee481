/*
 * Arm PrimeCell PL061 GPIO controller, as QEMU's virt board has it at
 * 0x09030000 on SPI 7: eight lines, each an input (driven by a board
 * device: the power button on line 3) or an output (driven by DATA),
 * edge or level interrupts per line (IS, IBE, IEV), a mask (IE) and the
 * raw and masked status. As QEMU's: lines not driven as outputs are
 * pulled down, DATA is read and written through the address mask
 * (address bits 9:2 select the lines), no Luminary registers.
 */
#include <stdlib.h>

#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"
#include "pl061.h"

enum {
	GPIODIR = 0x400, GPIOIS = 0x404, GPIOIBE = 0x408, GPIOIEV = 0x40c, GPIOIE = 0x410,
	GPIORIS = 0x414, GPIOMIS = 0x418, GPIOIC = 0x41c, GPIOAFSEL = 0x420,
};

/* PeriphID 0x00041061, CellID 0xb105f00d, from 0xfd0 (QEMU's table) */
static const uint8_t pl061_id[12] = {
	0x00, 0x00, 0x00, 0x00, 0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

typedef struct pl061 {
	machine *m;
	irq_line irq;
	/* guest-visible state, QEMU's vmstate fields of a non-Luminary PL061 */
	uint32_t data, old_in_data, dir, isense, ibe, iev, im, istate, afsel;
	uint32_t cr;		/* the commit register (AFSEL mask), 0xff */
} pl061;

/* Inputs that changed set their edge interrupts; levels are re-evaluated. */
static void update(pl061 *s)
{
	uint8_t changed = (uint8_t)((s->old_in_data ^ s->data) & ~s->dir);

	if (changed) {
		s->old_in_data = s->data;
		for (int i = 0; i < 8; i++) {
			uint8_t mask = (uint8_t)(1u << i);
			if (!(changed & mask) || (s->isense & mask))
				continue;
			if (s->ibe & mask)
				s->istate |= mask;			/* both edges */
			else
				s->istate |= ~(s->data ^ s->iev) & mask;	/* the IEV edge */
		}
	}
	s->istate |= ~(s->data ^ s->iev) & s->isense;		/* level */
	irq_set(&s->irq, (s->istate & s->im) != 0);
}

void pl061_set_line(void *dev, int line, int level)
{
	pl061 *s = dev;
	uint32_t mask = 1u << line;

	if (s->dir & mask)
		return;		/* an output: the outside does not drive it */
	s->data = (s->data & ~mask) | (level ? mask : 0);
	trace_dev(s->m, "pl061", "line %d %s", line, level ? "high" : "low");
	update(s);
}

static uint64_t pl061_value(pl061 *s, uint64_t off)
{
	if (off < 0x400)
		return s->data & (off >> 2);
	if (off >= 0xfd0 && off < 0x1000)
		return pl061_id[(off - 0xfd0) >> 2];
	switch (off) {
	case GPIODIR: return s->dir;
	case GPIOIS: return s->isense;
	case GPIOIBE: return s->ibe;
	case GPIOIEV: return s->iev;
	case GPIOIE: return s->im;
	case GPIORIS: return s->istate;
	case GPIOMIS: return s->istate & s->im;
	case GPIOAFSEL: return s->afsel;
	}
	return 0;
}

static uint64_t pl061_read(void *opaque, uint64_t off, unsigned size)
{
	(void)size;
	return pl061_value(opaque, off);
}

static bool pl061_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	(void)size;
	*v = pl061_value(opaque, off);
	return true;
}

static void pl061_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	pl061 *s = opaque;
	uint32_t mask;

	(void)size;
	if (off < 0x400) {
		mask = (uint32_t)(off >> 2) & s->dir;	/* outputs the address selects */
		s->data = (s->data & ~mask) | ((uint32_t)v & mask);
		update(s);
		return;
	}
	switch (off) {
	case GPIODIR: s->dir = v & 0xff; break;
	case GPIOIS: s->isense = v & 0xff; break;
	case GPIOIBE: s->ibe = v & 0xff; break;
	case GPIOIEV: s->iev = v & 0xff; break;
	case GPIOIE: s->im = v & 0xff; break;
	case GPIOIC: s->istate &= ~(uint32_t)v; break;
	case GPIOAFSEL: s->afsel = (s->afsel & ~s->cr) | ((uint32_t)v & s->cr); break;
	default: return;	/* read-only or reserved */
	}
	update(s);
}

static const char *pl061_reg_name(void *opaque, uint64_t off)
{
	static const char *const names[] = { "GPIODIR", "GPIOIS", "GPIOIBE", "GPIOIEV", "GPIOIE",
					      "GPIORIS", "GPIOMIS", "GPIOIC", "GPIOAFSEL" };
	(void)opaque;
	if (off < 0x400)
		return "GPIODATA";
	if (off >= 0xfd0 && off < 0x1000)
		return off < 0xff0 ? "GPIOPeriphID" : "GPIOPCellID";
	return off >= GPIODIR && off <= GPIOAFSEL && !(off & 3) ? names[(off - GPIODIR) / 4] : NULL;
}

static const mmio_ops pl061_ops = {
	.read = pl061_read, .write = pl061_write, .peek = pl061_peek, .reg_name = pl061_reg_name,
};

static void pl061_reset(void *state)
{
	pl061 *s = state;

	s->data = s->old_in_data = s->dir = 0;
	s->isense = s->ibe = s->iev = s->im = s->istate = s->afsel = 0;
	s->cr = 0xff;
	irq_set(&s->irq, 0);
}

static void *pl061_create(machine *m, const board_device *d)
{
	pl061 *s = kwb_zalloc(sizeof(*s));

	s->m = m;
	if (d->nirqs)
		s->irq = machine_irq(m, d->irqs[0]);
	bus_add_mmio(&m->bus, d->name, d->base, d->size, &pl061_ops, s);
	pl061_reset(s);
	return s;
}

static int pl061_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	int node = fdtu_node_at(fdt, parent, d->name, d->base);
	uint32_t clk = fdtu_phandle_of(fdt, "/apb-pclk");

	(void)m; (void)state;
	fdtu_reg(fdt, node, d->base, d->size);
	fdtu_strings(fdt, node, "compatible", "arm,pl061", "arm,primecell", NULL);
	fdtu_u32(fdt, node, "#gpio-cells", 2);
	fdtu_empty(fdt, node, "gpio-controller");
	fdtu_cells(fdt, node, "interrupts", (uint32_t[]){ 0, (uint32_t)d->irqs[0], 4 }, 3);
	fdtu_u32(fdt, node, "clocks", clk);
	fdtu_string(fdt, node, "clock-names", "apb_pclk");
	fdtu_phandle(fdt, node);
	return node;
}

static void pl061_free(void *state)
{
	free(state);
}

/* The interrupt line's level follows from istate & im (the GIC keeps it). */
static const state_field pl061_fields[] = {
	ST_U32(pl061, data),
	ST_U32(pl061, old_in_data),
	ST_U32(pl061, dir),
	ST_U32(pl061, isense),
	ST_U32(pl061, ibe),
	ST_U32(pl061, iev),
	ST_U32(pl061, im),
	ST_U32(pl061, istate),
	ST_U32(pl061, afsel),
	ST_U32(pl061, cr),
	ST_END
};
static const state_desc pl061_state = { .name = "pl061", .version = 1, .fields = pl061_fields };

DEVICE_TYPE(pl061_type) {
	.name = "pl061",
	.create = pl061_create,
	.fdt = pl061_fdt,
	.reset = pl061_reset,
	.free = pl061_free,
	.state = &pl061_state,
};
