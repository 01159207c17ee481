/* Bus, event queue and breakpoint bookkeeping, without a CPU. */
#include <string.h>

#include "check.h"
#include "core/machine.h"
#include "core/debug_internal.h"

static uint64_t last_off, last_val;
static uint64_t mmio_read(void *o, uint64_t off, unsigned size) { (void)o; return off * 0x10 + size; }
static void mmio_write(void *o, uint64_t off, uint64_t v, unsigned size) { (void)o; (void)size; last_off = off; last_val = v; }
static const mmio_ops test_ops = { .read = mmio_read, .write = mmio_write };

static void bus_ram_and_mmio(void)
{
	bus b = { 0 };
	uint64_t v;
	uint8_t buf[16];

	bus_add_ram(&b, "ram", 0x80000000, 0x100000);
	bus_add_mmio(&b, "dev", 0x10000000, 0x100, &test_ops, NULL);
	CHECK(bus_write(&b, 0x80000010, 8, 0x1122334455667788ull) == BUS_OK);
	CHECK(bus_read(&b, 0x80000010, 4, &v) == BUS_OK);
	CHECK_EQ(v, 0x55667788);
	CHECK(bus_read(&b, 0x10000004, 2, &v) == BUS_OK);
	CHECK_EQ(v, 0x42);
	CHECK(bus_write(&b, 0x10000008, 4, 7) == BUS_OK);
	CHECK_EQ(last_off, 8);
	CHECK_EQ(last_val, 7);
	CHECK(bus_read(&b, 0x20000000, 4, &v) == BUS_UNMAPPED);
	CHECK(bus_read(&b, 0x800ffffe, 4, &v) == BUS_UNMAPPED);	/* crosses the end */
	CHECK(bus_ram_ptr(&b, 0x80000000, 0x100000) != NULL);
	CHECK(bus_ram_ptr(&b, 0x80000000, 0x100001) == NULL);
	/* the debugger never triggers MMIO side effects */
	CHECK(bus_debug_read(&b, 0x10000000, buf, 4) != BUS_OK);
	CHECK(bus_debug_read(&b, 0x80000010, buf, 8) == BUS_OK);
	CHECK_EQ(buf[0], 0x88);
	bus_free(&b);
}

static int fired[4], order_idx;
static void fire(void *p) { fired[order_idx++] = (int)(intptr_t)p; }

static void events_in_time_order(void)
{
	machine m = { 0 };
	event a, b, c;

	event_init(&a, "a", fire, (void *)1);
	event_init(&b, "b", fire, (void *)2);
	event_init(&c, "c", fire, (void *)3);
	event_schedule(&m, &a, 300);
	event_schedule(&m, &b, 100);
	event_schedule(&m, &c, 200);
	event_schedule(&m, &c, 100);	/* reschedule: after b (FIFO at equal times) */
	m.round_start = 150;
	clock_fire_due(&m);
	CHECK_EQ(order_idx, 2);
	CHECK_EQ(fired[0], 2);
	CHECK_EQ(fired[1], 3);
	event_cancel(&m, &a);
	m.round_start = 1000;
	clock_fire_due(&m);
	CHECK_EQ(order_idx, 2);
	CHECK(m.events == NULL);
}

int main(void)
{
	RUN(bus_ram_and_mmio);
	RUN(events_in_time_order);
	return CHECK_DONE();
}
