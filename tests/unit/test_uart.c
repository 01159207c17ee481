/* NS16550A registers: divisor latch, IIR priorities, THRE and RX
 * interrupts through the PLIC, the 16-byte FIFO with overrun (in
 * loopback, so no back end is needed). */
#include <string.h>

#include "check.h"
#include "core/devices/plic.h"
#include "core/machine.h"

#define UART 0x10000000ull
enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };
#define FCR IIR
#define THR RBR
#define DLL RBR
#define DLM IER
#define PLIC_PENDING 0xc001000ull

static machine m;

static uint8_t rd(int reg)
{
	uint64_t v = 0xdead;
	CHECK(bus_read(&m.bus, UART + reg, 1, &v) == BUS_OK);
	return (uint8_t)v;
}

static void wr(int reg, uint8_t v)
{
	CHECK(bus_write(&m.bus, UART + reg, 1, v) == BUS_OK);
}

/* The UART's interrupt line: IIR read without side effects (the PLIC's
 * pending bit latches each rise, so it does not show the level). */
static bool irq_pending(void)
{
	uint8_t iir = 0xff;
	CHECK(bus_debug_read(&m.bus, UART + IIR, &iir, 1) == 0);
	return !(iir & 1);
}

/* The PLIC's pending bit for source 10; claiming it (context 1) clears it. */
static bool plic_pending(void)
{
	uint64_t v = 0;
	CHECK(bus_read(&m.bus, PLIC_PENDING, 4, &v) == BUS_OK);
	return v >> 10 & 1;
}

static void teardown(void)
{
	for (int i = 0; i < m.ndev; i++)
		device_type_find(m.dev_desc[i]->type)->free(m.dev_state[i]);
	bus_free(&m.bus);
	m.ndev = 0;
}

static void setup(void)
{
	const board_desc *b = board_find("riscv64", "virt");

	teardown();
	m = (machine){ .ncpus = 1, .board = b };
	CHECK(b != NULL);
	if (!b)
		return;
	for (const board_device *d = b->devices; d->type; d++) {
		const device_type *t = device_type_find(d->type);
		if (strcmp(d->type, "plic") && strcmp(d->type, "ns16550a"))
			continue;
		m.dev_desc[m.ndev] = d;
		m.dev_state[m.ndev] = t->create(&m, d);
		t->reset(m.dev_state[m.ndev++]);
	}
}

static void registers_and_divisor(void)
{
	setup();
	CHECK_EQ(rd(LSR), 0x60);	/* THRE | TEMT, no data */
	CHECK_EQ(rd(IIR), 0x01);	/* no interrupt, FIFOs off */
	CHECK_EQ(rd(MSR), 0xb0);	/* DCD | DSR | CTS */
	wr(LCR, 0x83);
	wr(DLL, 0x12);
	wr(DLM, 0x34);
	CHECK_EQ(rd(DLL), 0x12);
	CHECK_EQ(rd(DLM), 0x34);
	wr(LCR, 0x03);
	CHECK_EQ(rd(LCR), 0x03);
	CHECK_EQ(rd(IER), 0x00);	/* DLM did not go to IER */
	wr(SCR, 0x5a);
	CHECK_EQ(rd(SCR), 0x5a);
	wr(FCR, 0xc7);
	CHECK_EQ(rd(IIR), 0xc1);	/* FIFOs on */
	wr(MCR, 0x1f);			/* loopback: modem outputs feed inputs */
	CHECK_EQ(rd(MSR), 0xf0);
	wr(MCR, 0x10 | 0x02);
	CHECK_EQ(rd(MSR), 0x10);	/* RTS -> CTS */
	CHECK(!irq_pending());
}

static void thre_interrupt(void)
{
	setup();
	wr(FCR, 0x01);
	wr(IER, 0x02);			/* enabling THRI with an empty THR raises it */
	CHECK_EQ(rd(IIR), 0xc2);
	CHECK(!irq_pending());		/* that IIR read acknowledged it */
	CHECK_EQ(rd(IIR), 0xc1);
	wr(IER, 0x00);
	wr(IER, 0x02);			/* re-asserted on re-enable (8250 THRE test) */
	CHECK(irq_pending());
	wr(IER, 0x00);
	CHECK(!irq_pending());
	wr(IER, 0x02);
	CHECK_EQ(rd(IIR), 0xc2);
	wr(MCR, 0x10);
	wr(THR, 'x');			/* sent at once: THR empty again */
	CHECK(irq_pending());
	CHECK_EQ(rd(LSR) & 0x60, 0x60);
	/* The PLIC pends the source at each rise and keeps it when the line
	 * drops (QEMU 7.2); resetting the TX FIFO re-arms THRE. */
	CHECK(plic_pending());
	wr(IER, 0x00);
	CHECK(!irq_pending());
	CHECK(plic_pending());
	CHECK_EQ(rd(IIR), 0xc1);
	wr(IER, 0x02);
	CHECK_EQ(rd(IIR), 0xc2);
	CHECK(!irq_pending());
	wr(FCR, 0x05);			/* clear TX: the THR is empty */
	CHECK(irq_pending());
}

static void rx_fifo_and_priorities(void)
{
	setup();
	wr(FCR, 0xc1);			/* FIFO on, trigger level 14 */
	wr(MCR, 0x10);
	wr(IER, 0x07);
	CHECK_EQ(rd(IIR), 0xc2);	/* only THRE so far; acknowledged */
	wr(THR, 'a');
	/* data below the trigger level reports a timeout, above THRE */
	CHECK_EQ(rd(IIR), 0xcc);
	CHECK(irq_pending());
	CHECK_EQ(rd(LSR) & 0x01, 0x01);
	CHECK_EQ(rd(RBR), 'a');
	CHECK_EQ(rd(LSR) & 0x01, 0x00);
	CHECK_EQ(rd(IIR), 0xc2);	/* the write left THRE pending */
	for (int i = 0; i < 14; i++)
		wr(THR, (uint8_t)('A' + i));
	CHECK_EQ(rd(IIR), 0xc4);	/* at the trigger level */
	wr(THR, 'O');
	wr(THR, 'P');
	wr(THR, '!');			/* 17th byte: overrun */
	CHECK_EQ(rd(IIR), 0xc6);	/* line status first */
	CHECK_EQ(rd(LSR), 0x63);	/* OE | DR | THRE | TEMT, read clears OE */
	CHECK_EQ(rd(LSR), 0x61);
	for (int i = 0; i < 14; i++)
		CHECK_EQ(rd(RBR), 'A' + i);
	CHECK_EQ(rd(RBR), 'O');
	CHECK_EQ(rd(RBR), 'P');		/* '!' was lost */
	CHECK_EQ(rd(LSR) & 0x01, 0);
	CHECK_EQ(rd(IIR), 0xc2);
	CHECK(!irq_pending());
	wr(THR, 'z');
	wr(FCR, 0xc3);			/* clear RX */
	CHECK_EQ(rd(LSR) & 0x01, 0);
	wr(IER, 0);
	CHECK(!irq_pending());
}

int main(void)
{
	RUN(registers_and_divisor);
	RUN(thre_interrupt);
	RUN(rx_fifo_and_priorities);
	teardown();
	return CHECK_DONE();
}
