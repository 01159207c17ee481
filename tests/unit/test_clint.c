/* CLINT: msip drives MIP_MSIP; mtimecmp raises MIP_MTIP by an event at the
 * exact virtual time mtime reaches it (no polling), and lowers it when
 * moved ahead; mtime reads the virtual clock. Uses real riscv64 harts. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/monitor.h"
#include "core/arch/riscv64/riscv64.h"
#include "core/machine.h"
#include "core/state.h"

#define CLINT 0x2000000ull
#define MSIP(h) (CLINT + 4 * (h))
#define MTIMECMP(h) (CLINT + 0x4000 + 8 * (h))
#define MTIME (CLINT + 0xbff8)

static machine m;
static int mip_idx;
static void *clint;

static uint64_t mip(int hart)
{
	uint64_t v = 0;
	CHECK(m.arch->reg_read(m.cpus[hart], mip_idx, (uint8_t *)&v) == 0);
	return v;
}

static uint64_t rd(paddr_t a, unsigned size)
{
	uint64_t v = 0xdead;
	CHECK(bus_read(&m.bus, a, size, &v) == BUS_OK);
	return v;
}

static void wr(paddr_t a, unsigned size, uint64_t v)
{
	CHECK(bus_write(&m.bus, a, size, v) == BUS_OK);
}

/* Advance virtual time to ns, firing due events as the loop would. */
static void run_to(uint64_t ns)
{
	m.round_start = ns;
	clock_fire_due(&m);
}

static void teardown(void)
{
	if (clint)
		device_type_find("clint")->free(clint);
	for (int i = 0; i < m.ncpus; i++) {
		riscv64_arch.cpu_free(m.cpus[i]);
		m.cpus[i] = NULL;	/* the last hart's free walks m.cpus */
	}
	bus_free(&m.bus);
	clint = NULL;
}

static void setup(void)
{
	static const board_device d = { .type = "clint", .name = "clint", .base = CLINT,
					 .size = 0x10000 };
	const device_type *t = device_type_find("clint");

	teardown();
	m = (machine){ .ncpus = 2, .arch = &riscv64_arch };
	for (int i = 0; i < m.ncpus; i++)
		m.cpus[i] = riscv64_arch.cpu_create(&m, i);
	mip_idx = regtab_find(riscv64_arch.regs, "mip");
	CHECK(t != NULL && mip_idx >= 0);
	clint = t->create(&m, &d);
	t->reset(clint);
}

static void software_interrupts(void)
{
	setup();
	wr(MSIP(1), 4, 1);
	CHECK_EQ(mip(1) & MIP_MSIP, MIP_MSIP);
	CHECK_EQ(mip(0) & MIP_MSIP, 0);
	CHECK_EQ(rd(MSIP(1), 4), 1);
	wr(MSIP(1), 4, 0xfffffffe);		/* only bit 0 exists */
	CHECK_EQ(mip(1) & MIP_MSIP, 0);
	CHECK_EQ(rd(MSIP(1), 4), 0);
	CHECK_EQ(rd(MSIP(2), 4), 0);		/* no hart 2 */
}

static void timer_at_exact_time(void)
{
	setup();
	/* mtimecmp 0 at reset: MTIP high until written, as on QEMU 7.2 */
	CHECK_EQ(mip(0) & MIP_MTIP, MIP_MTIP);
	CHECK_EQ(mip(1) & MIP_MTIP, MIP_MTIP);
	wr(MTIMECMP(1), 8, ~0ull);
	CHECK_EQ(mip(1) & MIP_MTIP, 0);
	run_to(1000);				/* 10 ticks of 100 ns */
	CHECK_EQ(rd(MTIME, 8), 10);
	CHECK_EQ(rd(MTIME + 4, 4), 0);
	wr(MTIMECMP(0), 8, 25);
	CHECK_EQ(rd(MTIMECMP(0), 8), 25);
	CHECK_EQ(mip(0) & MIP_MTIP, 0);
	CHECK(m.events != NULL);
	CHECK_EQ(m.events ? m.events->when : 0, 2500);	/* armed, not polled */
	run_to(2499);
	CHECK_EQ(mip(0) & MIP_MTIP, 0);
	run_to(2500);
	CHECK_EQ(mip(0) & MIP_MTIP, MIP_MTIP);
	CHECK_EQ(mip(1) & MIP_MTIP, 0);
	/* moving the compare ahead lowers the level and re-arms */
	wr(MTIMECMP(0), 8, 100);
	CHECK_EQ(mip(0) & MIP_MTIP, 0);
	run_to(10000);
	CHECK_EQ(mip(0) & MIP_MTIP, MIP_MTIP);
	/* a compare in the past raises it at once; ~0 means never */
	wr(MTIMECMP(1), 8, 5);
	CHECK_EQ(mip(1) & MIP_MTIP, MIP_MTIP);
	wr(MTIMECMP(1), 8, ~0ull);
	CHECK_EQ(mip(1) & MIP_MTIP, 0);
	wr(MTIMECMP(0), 8, ~0ull);
	CHECK(m.events == NULL);
	run_to(1ull << 62);
	CHECK_EQ(mip(1) & MIP_MTIP, 0);
}

static void timer_32bit_halves(void)
{
	setup();
	wr(MTIMECMP(1), 4, 0xffffffff);		/* low first, RV32 style */
	wr(MTIMECMP(1) + 4, 4, 0);
	CHECK_EQ(rd(MTIMECMP(1), 8), 0xffffffff);
	CHECK_EQ(rd(MTIMECMP(1) + 4, 4), 0);
	CHECK_EQ(rd(MTIMECMP(1), 4), 0xffffffff);
	run_to(0xffffffffull * 100);
	CHECK_EQ(mip(1) & MIP_MTIP, MIP_MTIP);
	/* the debugger reads bytes without side effects */
	uint8_t b[8];
	CHECK(bus_debug_read(&m.bus, MTIMECMP(1), b, 8) == BUS_OK);
	CHECK_EQ(b[0], 0xff);
	CHECK_EQ(b[4], 0);
}

static void monitor_info_clint(void)
{
	static const board_device d = { .type = "clint", .name = "clint", .base = CLINT,
					 .size = 0x10000 };
	mon_out o = { 0 };
	mon_ctx c = { .m = &m, .out = &o };

	setup();
	m.dev_desc[0] = &d;
	m.dev_state[0] = clint;
	m.ndev = 1;
	/* info clint prints the CLINT's state description */
	state_register(&m, "clint@2000000", device_type_find("clint")->state, clint);
	run_to(1000);
	wr(MSIP(1), 4, 1);
	wr(MTIMECMP(0), 8, 25);
	wr(MTIMECMP(1), 8, ~0ull);
	CHECK(monitor_run(&c, "info clint") == 0);
	CHECK(o.buf && strstr(o.buf, "mtime 10 (10000000 Hz)\n"));
	CHECK(o.buf && strstr(o.buf, "hart 0: msip 0, mtimecmp 25 (in 15 ticks)\n"));
	CHECK(o.buf && strstr(o.buf, "hart 1: msip 1, mtimecmp 18446744073709551615 (off)\n"));
	free(o.buf);
	m.ndev = 0;
	state_free_all(&m);
}

int main(void)
{
	RUN(software_interrupts);
	RUN(timer_at_exact_time);
	RUN(timer_32bit_halves);
	RUN(monitor_info_clint);
	teardown();
	return CHECK_DONE();
}
