/*
 * Arm PrimeCell PL011 UART as Linux's amba-pl011 and earlycon drive it:
 * 8/16/32-bit register access, PrimeCell ID registers for the AMBA bus
 * probe, an RX FIFO fed by the chardev, and transmission that completes
 * at once (so the TX FIFO is always empty: TXFE set, TXRIS kept set as in
 * QEMU). The interrupt output is the level (RIS & IMSC) != 0.
 */
#include <stdlib.h>
#include <string.h>

#include "pl011.h"
#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

#define FIFO_DEPTH 16

enum {
	UARTDR = 0x000, UARTRSR = 0x004, UARTFR = 0x018, UARTILPR = 0x020,
	UARTIBRD = 0x024, UARTFBRD = 0x028, UARTLCR_H = 0x02c, UARTCR = 0x030,
	UARTIFLS = 0x034, UARTIMSC = 0x038, UARTRIS = 0x03c, UARTMIS = 0x040,
	UARTICR = 0x044, UARTDMACR = 0x048,
};

#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
#define LCR_FEN (1u << 4)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_ALL 0x7ffu

static const uint8_t pl011_id[8] = {	/* 0xFE0..0xFFC: PeriphID 0x00041011, CellID 0xb105f00d */
	0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

struct pl011 {
	irq_line irq;
	void (*tx)(void *opaque, uint8_t byte);
	void *opaque;
	uint16_t rx[FIFO_DEPTH];
	int rx_head, rx_count;
	uint32_t rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
	int irq_out;
};

static int fifo_depth(pl011 *u)
{
	return (u->lcr_h & LCR_FEN) ? FIFO_DEPTH : 1;
}

static void update(pl011 *u)
{
	int level = ((u->ris | INT_TX) & u->imsc) != 0;

	if (level != u->irq_out) {
		u->irq_out = level;
		irq_set(&u->irq, level);
	}
}

static uint32_t flags(pl011 *u)
{
	uint32_t fr = FR_TXFE;

	if (u->rx_count == 0)
		fr |= FR_RXFE;
	if (u->rx_count >= fifo_depth(u))
		fr |= FR_RXFF;
	return fr;
}

static uint32_t read_dr(pl011 *u)
{
	uint32_t v;

	if (u->rx_count == 0)
		return 0;
	v = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % FIFO_DEPTH;
	u->rx_count--;
	u->rsr = (v >> 8) & 0xf;
	if (u->rx_count == 0)
		u->ris &= ~INT_RX;
	update(u);
	return v;
}

static uint32_t reg_read(pl011 *u, uint32_t off)
{
	if (off >= 0xfe0 && off < 0x1000)
		return pl011_id[(off - 0xfe0) / 4];
	switch (off) {
	case UARTDR: return read_dr(u);
	case UARTRSR: return u->rsr;
	case UARTFR: return flags(u);
	case UARTILPR: return u->ilpr;
	case UARTIBRD: return u->ibrd;
	case UARTFBRD: return u->fbrd;
	case UARTLCR_H: return u->lcr_h;
	case UARTCR: return u->cr;
	case UARTIFLS: return u->ifls;
	case UARTIMSC: return u->imsc;
	case UARTRIS: return u->ris | INT_TX;
	case UARTMIS: return (u->ris | INT_TX) & u->imsc;
	case UARTDMACR: return u->dmacr;
	}
	return 0;
}

static void reg_write(pl011 *u, uint32_t off, uint32_t v)
{
	switch (off) {
	case UARTDR:
		if (u->tx)
			u->tx(u->opaque, (uint8_t)v);
		break;
	case UARTRSR: u->rsr = 0; break;
	case UARTILPR: u->ilpr = v & 0xff; break;
	case UARTIBRD: u->ibrd = v & 0xffff; break;
	case UARTFBRD: u->fbrd = v & 0x3f; break;
	case UARTLCR_H:
		if ((v ^ u->lcr_h) & LCR_FEN) {	/* toggling FEN flushes the FIFOs */
			u->rx_count = 0;
			u->ris &= ~INT_RX;
		}
		u->lcr_h = v & 0xff;
		break;
	case UARTCR: u->cr = v & 0xff87; break;
	case UARTIFLS: u->ifls = v & 0x3f; break;
	case UARTIMSC: u->imsc = v & INT_ALL; break;
	case UARTICR: u->ris &= ~v; break;
	case UARTDMACR: u->dmacr = v & 7; break;
	}
	update(u);
}

/* The driver uses 16-bit accesses, earlycon 8-bit DR writes and 32-bit
 * FR reads: every register is at a word offset and narrower accesses see
 * its low bits. */
static uint64_t pl011_read(void *opaque, uint64_t off, unsigned size)
{
	(void)size;
	if (off & 3)
		return 0;
	return reg_read(opaque, (uint32_t)off);
}

static void pl011_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	(void)size;
	if (!(off & 3))
		reg_write(opaque, (uint32_t)off, (uint32_t)v);
}

static bool pl011_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	pl011 *u = opaque;

	(void)size;
	if (off == UARTDR)		/* reading DR would consume a byte */
		*v = u->rx_count ? u->rx[u->rx_head] : 0;
	else
		*v = (off & 3) ? 0 : reg_read(u, (uint32_t)off);
	return true;
}

static const char *pl011_reg_name(void *opaque, uint64_t off)
{
	static const char *const names[] = {
		[UARTDR / 4] = "UARTDR", [UARTRSR / 4] = "UARTRSR", [UARTFR / 4] = "UARTFR",
		[UARTILPR / 4] = "UARTILPR", [UARTIBRD / 4] = "UARTIBRD", [UARTFBRD / 4] = "UARTFBRD",
		[UARTLCR_H / 4] = "UARTLCR_H", [UARTCR / 4] = "UARTCR", [UARTIFLS / 4] = "UARTIFLS",
		[UARTIMSC / 4] = "UARTIMSC", [UARTRIS / 4] = "UARTRIS", [UARTMIS / 4] = "UARTMIS",
		[UARTICR / 4] = "UARTICR", [UARTDMACR / 4] = "UARTDMACR",
	};
	(void)opaque;
	if (off >= 0xfe0 && off < 0x1000)
		return off < 0xff0 ? "UARTPeriphID" : "UARTPCellID";
	return off / 4 < ARRAY_SIZE(names) && !(off & 3) ? names[off / 4] : NULL;
}

const mmio_ops pl011_ops = {
	.read = pl011_read, .write = pl011_write, .peek = pl011_peek, .reg_name = pl011_reg_name,
};

int pl011_can_receive(void *opaque)
{
	pl011 *u = opaque;
	return fifo_depth(u) - u->rx_count;
}

void pl011_receive(void *opaque, const uint8_t *buf, int len)
{
	pl011 *u = opaque;

	for (int i = 0; i < len && u->rx_count < fifo_depth(u); i++) {
		u->rx[(u->rx_head + u->rx_count) % FIFO_DEPTH] = buf[i];
		u->rx_count++;
	}
	if (u->rx_count)
		u->ris |= INT_RX;	/* trigger level 1, as QEMU */
	update(u);
}

void pl011_reset(pl011 *u)
{
	u->rx_head = u->rx_count = 0;
	u->rsr = u->ilpr = u->ibrd = u->fbrd = u->lcr_h = u->imsc = u->ris = u->dmacr = 0;
	u->cr = 0x300;		/* TXE | RXE */
	u->ifls = 0x12;		/* half-full triggers */
	update(u);
}

pl011 *pl011_new(irq_line irq, void (*tx)(void *opaque, uint8_t byte), void *opaque)
{
	pl011 *u = kwb_zalloc(sizeof(*u));

	u->irq = irq;
	u->tx = tx;
	u->opaque = opaque;
	pl011_reset(u);
	return u;
}

void pl011_free(pl011 *u)
{
	free(u);
}

/* ---- the "pl011" board device: console on m->serial ---- */

typedef struct pl011_dev {
	pl011 *u;
	machine *m;
	chardev_frontend fe;
} pl011_dev;

static void dev_tx(void *opaque, uint8_t byte)
{
	pl011_dev *s = opaque;

	trace_dev(s->m, "pl011", "tx 0x%02x%s", byte, trace_char(byte));
	if (s->m->serial)
		chardev_write(s->m->serial, &byte, 1);
}

static void dev_receive(void *opaque, const uint8_t *buf, int len)
{
	pl011_dev *s = opaque;

	for (int i = 0; i < len && i < pl011_can_receive(s->u); i++)
		trace_dev(s->m, "pl011", "rx 0x%02x%s", buf[i], trace_char(buf[i]));
	pl011_receive(s->u, buf, len);
}

static int dev_can_receive(void *opaque)
{
	return pl011_can_receive(((pl011_dev *)opaque)->u);
}

static void *pl011_dev_create(machine *m, const board_device *d)
{
	pl011_dev *s = kwb_zalloc(sizeof(*s));
	irq_line irq = d->nirqs ? machine_irq(m, d->irqs[0]) : (irq_line){ 0 };

	s->m = m;
	s->u = pl011_new(irq, dev_tx, s);
	s->fe = (chardev_frontend){ .can_receive = dev_can_receive, .receive = dev_receive, .opaque = s };
	bus_add_mmio(&m->bus, d->name, d->base, d->size, &pl011_ops, s->u);
	if (m->serial)		/* the console (QEMU's serial_hd(0)) */
		chardev_attach(m->serial, &s->fe);
	return s;
}

static int pl011_dev_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	uint32_t clk = fdtu_phandle_of(fdt, "/apb-pclk");
	uint32_t clocks[2] = { clk, clk };
	uint32_t intr[3] = { 0, (uint32_t)d->irqs[0], 4 };	/* SPI, level-high */
	int node = fdtu_node_at(fdt, parent, d->name, d->base);

	(void)m; (void)state;
	fdtu_strings(fdt, node, "compatible", "arm,pl011", "arm,primecell", NULL);
	fdtu_reg(fdt, node, d->base, d->size);
	if (d->nirqs)
		fdtu_cells(fdt, node, "interrupts", intr, 3);
	fdtu_cells(fdt, node, "clocks", clocks, 2);
	fdtu_strings(fdt, node, "clock-names", "uartclk", "apb_pclk", NULL);
	return node;
}

static void pl011_dev_reset(void *state)
{
	pl011_dev *s = state;
	pl011_reset(s->u);
	trace_dev(s->m, "pl011", "reset");
}

static void pl011_dev_free(void *state)
{
	pl011_dev *s = state;
	pl011_free(s->u);
	free(s);
}

/* The RX FIFO is a ring: rx[rx_head..] holds rx_count entries (data and
 * error bits). irq_out is the level last driven to the GIC. */
static const state_field pl011_model_fields[] = {
	ST_UINT_ARRAY(pl011, rx),
	ST_INT(pl011, rx_head),
	ST_INT(pl011, rx_count),
	ST_U32(pl011, rsr),
	ST_U32(pl011, ilpr),
	ST_U32(pl011, ibrd),
	ST_U32(pl011, fbrd),
	ST_U32(pl011, lcr_h),
	ST_U32(pl011, cr),
	ST_U32(pl011, ifls),
	ST_U32(pl011, imsc),
	ST_U32(pl011, ris),
	ST_U32(pl011, dmacr),
	ST_INT(pl011, irq_out),
	ST_END
};
static const state_desc pl011_model_state = { .name = "pl011-model", .version = 1,
					      .fields = pl011_model_fields };
static const state_field pl011_dev_fields[] = {
	ST_PTR(pl011_dev, u, pl011_model_state),
	ST_END
};
static const state_desc pl011_state = { .name = "pl011", .version = 1, .fields = pl011_dev_fields };

DEVICE_TYPE(pl011_type) {
	.name = "pl011",
	.create = pl011_dev_create,
	.fdt = pl011_dev_fdt,
	.reset = pl011_dev_reset,
	.free = pl011_dev_free,
	.state = &pl011_state,
};
