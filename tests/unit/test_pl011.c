/* PL011 UART: ID registers, flags, TX, RX FIFO and the interrupt level. */
#include <string.h>

#include "check.h"
#include "../../core/devices/pl011.h"

static int irq_level, irq_edges;
static char txbuf[64];
static int txlen;

static void set_irq(void *opaque, int n, int level)
{
	(void)opaque; (void)n;
	if (level != irq_level)
		irq_edges++;
	irq_level = level;
}

static void tx(void *opaque, uint8_t b)
{
	(void)opaque;
	if (txlen < (int)sizeof(txbuf) - 1)
		txbuf[txlen++] = (char)b;
}

static pl011 *make(void)
{
	irq_level = irq_edges = txlen = 0;
	memset(txbuf, 0, sizeof(txbuf));
	return pl011_new((irq_line){ .set = set_irq, .n = 1 }, tx, NULL);
}

static uint64_t rd(pl011 *u, uint64_t off, unsigned size) { return pl011_ops.read(u, off, size); }
static void wr(pl011 *u, uint64_t off, uint64_t v, unsigned size) { pl011_ops.write(u, off, v, size); }

static void test_ids(void)
{
	pl011 *u = make();
	uint32_t pid = 0, cid = 0;

	for (int i = 0; i < 4; i++) {
		pid |= (uint32_t)(rd(u, 0xfe0 + 4 * i, 4) & 0xff) << (8 * i);
		cid |= (uint32_t)(rd(u, 0xff0 + 4 * i, 4) & 0xff) << (8 * i);
	}
	CHECK_EQ(pid & 0xfffff, 0x41011);
	CHECK_EQ(cid, 0xb105f00d);
	CHECK_EQ(rd(u, 0xfe0, 2), 0x11);
	CHECK_EQ(rd(u, 0xff0, 1), 0x0d);
	pl011_free(u);
}

static void test_tx_and_flags(void)
{
	pl011 *u = make();
	uint32_t fr = (uint32_t)rd(u, 0x18, 4);

	CHECK_EQ(fr & 0x80, 0x80);	/* TXFE */
	CHECK_EQ(fr & 0x10, 0x10);	/* RXFE */
	CHECK_EQ(fr & 0x28, 0);		/* not TXFF, not BUSY */
	wr(u, 0x00, 'h', 1);		/* earlycon: byte write */
	wr(u, 0x00, 'i', 2);		/* driver: 16-bit write */
	wr(u, 0x00, '!', 4);
	CHECK(!strcmp(txbuf, "hi!"));
	CHECK_EQ(rd(u, 0x30, 2), 0x300);	/* CR reset: TXE | RXE */
	wr(u, 0x24, 13, 2);
	wr(u, 0x28, 1, 2);
	wr(u, 0x2c, 0x70, 2);
	CHECK_EQ(rd(u, 0x24, 2), 13);
	CHECK_EQ(rd(u, 0x28, 2), 1);
	CHECK_EQ(rd(u, 0x2c, 2), 0x70);
	CHECK_EQ(rd(u, 0x34, 2), 0x12);	/* IFLS */
	pl011_free(u);
}

static void test_tx_interrupt(void)
{
	pl011 *u = make();

	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(u, 0x3c, 2) & 0x20, 0x20);	/* TXRIS while the FIFO is empty */
	wr(u, 0x38, 0x20, 2);			/* TXIM */
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(u, 0x40, 2), 0x20);
	wr(u, 0x44, 0x20, 2);			/* ICR cannot hide an empty FIFO */
	CHECK_EQ(irq_level, 1);
	wr(u, 0x38, 0, 2);
	CHECK_EQ(irq_level, 0);
	pl011_free(u);
}

static void test_rx(void)
{
	pl011 *u = make();
	const uint8_t in[] = "abcdefghijklmnopqrstuvwxyz";

	wr(u, 0x38, 0x50, 2);			/* RXIM | RTIM, as Linux */
	CHECK_EQ(pl011_can_receive(u), 1);	/* FIFO off: one holding register */
	wr(u, 0x2c, 0x70, 2);			/* FEN, 8 bits */
	CHECK_EQ(pl011_can_receive(u), 16);
	pl011_receive(u, in, 20);		/* only 16 fit */
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(u, 0x40, 2) & 0x10, 0x10);
	CHECK_EQ(rd(u, 0x18, 2) & 0x50, 0x40);	/* RXFF, not RXFE */
	CHECK_EQ(pl011_can_receive(u), 0);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(rd(u, 0x00, 2), in[i]);
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(u, 0x18, 2) & 0x10, 0x10);	/* RXFE */
	CHECK_EQ(rd(u, 0x00, 2), 0);		/* empty reads 0 */
	pl011_receive(u, in, 1);
	CHECK_EQ(irq_level, 1);
	wr(u, 0x44, 0x50, 2);			/* ICR clears RXRIS */
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(u, 0x00, 1), 'a');		/* data still there */
	pl011_reset(u);
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(u, 0x38, 2), 0);
	pl011_free(u);
}

int main(void)
{
	RUN(test_ids);
	RUN(test_tx_and_flags);
	RUN(test_tx_interrupt);
	RUN(test_rx);
	return CHECK_DONE();
}
