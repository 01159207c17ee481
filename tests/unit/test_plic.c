/* PLIC: priorities, enables, threshold, claim/complete of level sources,
 * on the virt board's PLIC without a CPU (outputs read back directly). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/monitor.h"
#include "core/devices/plic.h"
#include "core/machine.h"
#include "core/state.h"

#define PLIC 0xc000000ull
#define PRIO(n) (PLIC + 4 * (n))
#define PENDING(w) (PLIC + 0x1000 + 4 * (w))
#define ENABLE(ctx, w) (PLIC + 0x2000 + 0x80 * (ctx) + 4 * (w))
#define THRESHOLD(ctx) (PLIC + 0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx) (THRESHOLD(ctx) + 4)

static machine m;
static plic *pl;

static uint32_t rd(paddr_t a)
{
	uint64_t v = 0xdead;
	CHECK(bus_read(&m.bus, a, 4, &v) == BUS_OK);
	return (uint32_t)v;
}

static void wr(paddr_t a, uint32_t v)
{
	CHECK(bus_write(&m.bus, a, 4, v) == BUS_OK);
}

static void setup(void)
{
	static const board_device d = { .type = "plic", .name = "plic", .base = PLIC, .size = 0x600000 };
	const device_type *t = device_type_find("plic");

	if (pl)
		t->free(pl);
	bus_free(&m.bus);
	m = (machine){ .ncpus = 2 };
	m.board = board_find("riscv64", "virt");
	CHECK(t != NULL && m.board != NULL);
	pl = t->create(&m, &d);
	t->reset(pl);
	CHECK(m.irqchip == pl);
}

/* QEMU 7.2's PLIC: a source pends each time its line is driven high
 * (claimed or not), a claim clears it, a line going low does not, and a
 * completion does not pend a line that stays high. */
static void claim_complete_level(void)
{
	irq_line uart;

	setup();
	uart = machine_irq(&m, 10);
	wr(PRIO(10), 1);
	wr(ENABLE(1, 0), 1u << 10);		/* hart 0, S-mode */
	irq_set(&uart, 1);
	CHECK_EQ(rd(PENDING(0)), 1u << 10);
	CHECK(plic_context_output(pl, 1));
	CHECK(!plic_context_output(pl, 0));	/* M context has it disabled */
	CHECK(!plic_context_output(pl, 3));
	CHECK_EQ(rd(CLAIM(1)), 10);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK(!plic_context_output(pl, 1));
	CHECK_EQ(rd(CLAIM(1)), 0);		/* in service: nothing more */
	/* still high at completion, not driven again: not pending */
	wr(CLAIM(1), 10);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK(!plic_context_output(pl, 1));
	/* driven high again while claimed: pending, delivered after complete */
	CHECK_EQ(rd(CLAIM(1)), 0);
	irq_set(&uart, 1);
	CHECK_EQ(rd(PENDING(0)), 1u << 10);
	CHECK_EQ(rd(CLAIM(1)), 10);
	irq_set(&uart, 1);
	CHECK_EQ(rd(PENDING(0)), 1u << 10);
	CHECK(!plic_context_output(pl, 1));	/* claimed */
	wr(CLAIM(1), 10);
	CHECK(plic_context_output(pl, 1));
	/* a source that drops before being claimed stays pending */
	irq_set(&uart, 0);
	CHECK_EQ(rd(PENDING(0)), 1u << 10);
	CHECK_EQ(rd(CLAIM(1)), 10);
	wr(CLAIM(1), 10);
	CHECK_EQ(rd(PENDING(0)), 0);
	CHECK(!plic_context_output(pl, 1));
}

static void priority_and_threshold(void)
{
	setup();
	wr(PRIO(3), 2);
	wr(PRIO(5), 5);
	wr(PRIO(7), 5);
	wr(PRIO(40), 9);			/* 3 bits: reads back 1 */
	CHECK_EQ(rd(PRIO(40)), 1);
	wr(ENABLE(2, 0), (1u << 3) | (1u << 5) | (1u << 7) | 1u);	/* hart 1, M */
	wr(ENABLE(2, 1), 1u << (40 - 32));
	CHECK_EQ(rd(ENABLE(2, 0)), (1u << 3) | (1u << 5) | (1u << 7));	/* no source 0 */
	irq_line l3 = machine_irq(&m, 3), l5 = machine_irq(&m, 5), l7 = machine_irq(&m, 7),
		 l40 = machine_irq(&m, 40);
	irq_set(&l3, 1);
	irq_set(&l5, 1);
	irq_set(&l7, 1);
	irq_set(&l40, 1);
	wr(THRESHOLD(2), 5);			/* nothing above 5 */
	CHECK(!plic_context_output(pl, 2));
	wr(THRESHOLD(2), 4);
	CHECK(plic_context_output(pl, 2));
	CHECK(!plic_context_output(pl, 0));
	wr(THRESHOLD(2), 0);
	/* highest priority first, lowest id among equals */
	CHECK_EQ(rd(CLAIM(2)), 5);
	CHECK_EQ(rd(CLAIM(2)), 7);
	CHECK_EQ(rd(CLAIM(2)), 3);
	CHECK_EQ(rd(CLAIM(2)), 40);
	CHECK_EQ(rd(CLAIM(2)), 0);
	CHECK(!plic_context_output(pl, 2));
	/* completing an id this context has not enabled is ignored */
	irq_set(&l3, 0);
	wr(ENABLE(2, 0), 0);
	wr(CLAIM(2), 3);
	wr(ENABLE(2, 0), 1u << 3);
	CHECK_EQ(rd(CLAIM(2)), 0);		/* 3 is still in service */
	wr(CLAIM(2), 3);
	CHECK_EQ(rd(PENDING(0)), 0);		/* 5, 7 in service, not driven again */
	/* priority 0 never interrupts */
	wr(PRIO(5), 0);
	wr(ENABLE(2, 0), (1u << 3) | (1u << 5));
	wr(CLAIM(2), 5);
	irq_set(&l5, 1);
	CHECK_EQ(rd(PENDING(0)), 1u << 5);
	CHECK(!plic_context_output(pl, 2));
}

static void bad_offsets(void)
{
	uint64_t v;

	setup();
	wr(PRIO(0), 7);
	CHECK_EQ(rd(PRIO(0)), 0);
	CHECK_EQ(rd(ENABLE(4, 0)), 0);		/* context 4 does not exist with 2 harts */
	wr(ENABLE(4, 0), ~0u);
	CHECK_EQ(rd(CLAIM(9)), 0);
	wr(CLAIM(9), 1);
	CHECK_EQ(rd(PLIC + 0x5ffffc), 0);
	CHECK(bus_read(&m.bus, PLIC + 2, 2, &v) == BUS_OK);
	CHECK_EQ(v, 0);
	/* peek (debugger reads) never claims */
	irq_line l = machine_irq(&m, 1);
	wr(PRIO(1), 1);
	wr(ENABLE(0, 0), 2);
	irq_set(&l, 1);
	uint32_t buf = 0;
	CHECK(bus_debug_read(&m.bus, CLAIM(0), &buf, 4) == BUS_OK);
	CHECK_EQ(buf, 1);
	CHECK_EQ(rd(PENDING(0)), 2);
	CHECK(plic_context_output(pl, 0));
}

static void monitor_info_plic(void)
{
	static const board_device sd = { .type = "plic", .name = "plic", .base = PLIC,
					  .size = 0x600000 };
	mon_out o = { 0 };
	mon_ctx c = { .m = &m, .out = &o };
	irq_line l;

	setup();
	/* machine_device() finds the PLIC through the device list */
	m.dev_desc[0] = &sd;
	m.dev_state[0] = pl;
	m.ndev = 1;
	/* info plic prints the PLIC's state description */
	state_register(&m, "plic@c000000", device_type_find("plic")->state, pl);
	l = machine_irq(&m, 10);
	wr(PRIO(10), 3);
	wr(ENABLE(3, 0), 1u << 10);
	irq_set(&l, 1);
	CHECK(monitor_run(&c, "info plic") == 0);
	CHECK(o.buf && strstr(o.buf, "context 3 (hart 1 S): threshold 0, SEIP high, next claim 10, "
			       "enabled: 10\n"));
	CHECK(o.buf && strstr(o.buf, "context 0 (hart 0 M): threshold 0, MEIP low, next claim 0, "
			       "enabled:\n"));
	CHECK(o.buf && strstr(o.buf, "source 10: priority 3, line high, pending\n"));
	free(o.buf);
	m.ndev = 0;
	state_free_all(&m);
}

int main(void)
{
	RUN(claim_complete_level);
	RUN(priority_and_threshold);
	RUN(bad_offsets);
	RUN(monitor_info_plic);
	device_type_find("plic")->free(pl);
	bus_free(&m.bus);
	return CHECK_DONE();
}
