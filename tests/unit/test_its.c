/* GICv3 ITS and LPIs on the virt board (gic-version=3): the flow Linux
 * uses (tables, MAPC/MAPD/MAPTI, an MSI by DeviceID through the doorbell
 * becoming an LPI a CPU acknowledges), two-level tables, MOVI/MOVALL
 * between CPUs, MSI-X from a PCI function through the ITS (masking and
 * pending bits), and hostile input: tables and queues anywhere, random
 * commands (nothing may reach host memory: run under make asan). The
 * registers and what QEMU does with bad commands are compared with QEMU
 * itself in tests/guest/aarch64/cmp/gicv3_its.S. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/devices/gicv3.h"
#include "core/devices/pcie_ecam.h"
#include "core/machine.h"
#include "core/monitor.h"
#include "core/msi.h"
#include "core/options.h"
#include "core/regtab.h"
#include "core/state.h"

#define GICD 0x08000000ull
#define GITS 0x08080000ull
#define TRANSLATER (GITS + 0x10040)
#define GICR 0x080a0000ull
#define RD(cpu) (GICR + (uint64_t)(cpu) * 0x20000)
#define PROPB 0x40400000ull
#define PENDB(cpu) (0x40410000ull + (uint64_t)(cpu) * 0x10000)
#define CMDQ 0x40440000ull
#define DEVT 0x40450000ull
#define COLT 0x40460000ull
#define ITT 0x40470000ull

#define ICC(crn, crm, op2) SYSREG_ENC(3, 0, crn, crm, op2)
#define IAR1 ICC(12, 12, 0)
#define EOIR1 ICC(12, 12, 1)
#define PMR ICC(4, 6, 0)
#define IGRPEN1 ICC(12, 12, 7)

static machine *board(const char *mopt, const char *smp)
{
	char *argv[] = { "kwb", "-arch", "aarch64", "-M", (char *)mopt, "-m", "64M", "-smp", (char *)smp,
			 "-serial", "none", NULL };
	kwb_options *opt = kwb_zalloc(sizeof(*opt));

	options_parse(opt, 11, argv);
	return machine_create(opt);
}

static void done(machine *m)
{
	const kwb_options *opt = m->opt;
	machine_free(m);
	free((void *)opt);
}

static uint64_t rd(machine *m, uint64_t pa, unsigned size)
{
	uint64_t v = 0;
	bus_read(&m->bus, pa, size, &v);
	return v;
}

static void wr(machine *m, uint64_t pa, uint64_t v, unsigned size)
{
	bus_write(&m->bus, pa, size, v);
}

static uint64_t icc(machine *m, int cpu, uint32_t enc)
{
	uint64_t v = 0;
	CHECK(gicv3_icc_read(m->irqchip, cpu, enc, &v));
	return v;
}

static int ncmd;

/* One command at the next queue slot, then CWRITER past it. */
static void cmd(machine *m, uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3)
{
	uint64_t c[4] = { d0, d1, d2, d3 };

	bus_copy_to(&m->bus, CMDQ + (uint64_t)ncmd * 32, c, 32);
	ncmd = (ncmd + 1) % 128;
	wr(m, GITS + 0x88, (uint64_t)ncmd * 32, 8);
}

#define MAPC(col, cpu) cmd(m, 0x09, 0, 1ull << 63 | (uint64_t)(cpu) << 16 | (col), 0)
#define MAPD(dev, bits, itt) cmd(m, (uint64_t)(dev) << 32 | 0x08, (bits) - 1, 1ull << 63 | (itt), 0)
#define MAPTI(dev, ev, lpi, col) cmd(m, (uint64_t)(dev) << 32 | 0x0a, (uint64_t)(lpi) << 32 | (ev), (col), 0)

/* What irq-gic-v3(-its).c does, short: LPIs on for every CPU, the ITS
 * with flat tables (or a two-level device table), collection n -> CPU n. */
static void linux_init(machine *m, int ncpus, bool indirect)
{
	uint8_t cfg[64];

	ncmd = 0;
	memset(cfg, 0xa1, sizeof(cfg));			/* LPIs 8192..8255: priority 0xa0, enabled */
	bus_copy_to(&m->bus, PROPB, cfg, sizeof(cfg));
	wr(m, GICD, 0x13, 4);
	for (int c = 0; c < ncpus; c++) {
		wr(m, RD(c) + 0x14, 0, 4);
		wr(m, RD(c) + 0x70, PROPB | 15, 8);
		wr(m, RD(c) + 0x78, PENDB(c), 8);
		wr(m, RD(c), 1, 4);
		CHECK(gicv3_icc_write(m->irqchip, c, PMR, 0xf0));
		CHECK(gicv3_icc_write(m->irqchip, c, IGRPEN1, 1));
	}
	wr(m, GITS + 0x80, CMDQ | 1ull << 63, 8);
	if (indirect) {	/* one 4K level-1 page; level 2 pages for devices 0..511 and 1024..1535 */
		uint64_t l1[3] = { 1ull << 63 | (DEVT + 0x1000), 0, 1ull << 63 | (DEVT + 0x2000) };
		bus_copy_to(&m->bus, DEVT, l1, sizeof(l1));
		wr(m, GITS + 0x100, DEVT | 1ull << 63 | 1ull << 62 | 0ull << 8, 8);
	} else {
		wr(m, GITS + 0x100, DEVT | 1ull << 63 | 2ull << 8, 8);
	}
	wr(m, GITS + 0x108, COLT | 1ull << 63 | 2ull << 8, 8);
	wr(m, GITS, 1, 4);
	for (int c = 0; c < ncpus; c++)
		MAPC(c, c);
}

static void test_registers(void)
{
	machine *m = board("virt,gic-version=3", "1");
	machine *noits = board("virt,gic-version=3,its=off", "1");

	CHECK(machine_device(m, "gicv3-its") && !machine_device(noits, "gicv3-its"));
	CHECK_EQ(rd(m, GITS, 4), 0x80000000);		/* quiescent, disabled */
	CHECK_EQ(rd(m, GITS + 0x8, 8), 0x0000001f0001efb1ull);
	CHECK_EQ(rd(m, GITS + 0x100, 8), 0x0107000000000200ull);
	CHECK_EQ(rd(m, GITS + 0x108, 8), 0x0407000000000200ull);
	CHECK_EQ(rd(m, GITS + 0x110, 8), 0);
	wr(m, GITS + 0x110, ~0ull, 8);			/* BASER2: RAZ/WI */
	CHECK_EQ(rd(m, GITS + 0x110, 8), 0);
	wr(m, GITS + 0x100, ~0ull, 8);			/* Type and Entry_Size are read-only */
	CHECK_EQ(rd(m, GITS + 0x100, 8) >> 56 & 7, 1);	/* devices */
	CHECK_EQ(rd(m, GITS + 0x100, 8) >> 48 & 0x1f, 7);	/* 8-byte entries */
	CHECK_EQ(rd(m, GITS + 0xffe8, 4), 0x3b);
	CHECK_EQ(rd(noits, GITS, 4), 0);		/* nothing there */
	done(m);
	done(noits);
}

/* An MSI by DeviceID: the doorbell a PCI function's write reaches. */
static void test_msi_to_lpi(void)
{
	machine *m = board("virt,gic-version=3", "1");
	uint64_t dte = 0, ite = 0;

	linux_init(m, 1, false);
	MAPD(0x8, 2, ITT);
	MAPTI(0x8, 0, 8192, 0);
	MAPTI(0x8, 1, 8200, 0);
	CHECK_EQ(rd(m, GITS + 0x90, 8), (uint64_t)ncmd * 32);
	bus_copy_from(&m->bus, DEVT + 8 * 8, &dte, 8);
	CHECK_EQ(dte, 1 | 1 << 1 | (ITT >> 8) << 6);	/* QEMU's DTE */
	bus_copy_from(&m->bus, ITT + 12, &ite, 8);
	CHECK_EQ(ite, 3 | 8200ull << 2);		/* QEMU's ITE: valid, physical, INTID, ICID 0 */
	CHECK_EQ(msi_write(m, TRANSLATER, 1, 0x8), 0);
	CHECK_EQ(rd(m, PENDB(0) + 8200 / 8, 1), 1u << (8200 % 8));
	CHECK_EQ(icc(m, 0, IAR1), 8200);
	CHECK_EQ(rd(m, PENDB(0) + 8200 / 8, 1), 0);
	CHECK(gicv3_icc_write(m->irqchip, 0, EOIR1, 8200));
	CHECK_EQ(icc(m, 0, IAR1), 1023);
	msi_write(m, TRANSLATER, 1, 0x9);		/* another requester: not mapped */
	msi_write(m, TRANSLATER, 7, 0x8);		/* past the device's events */
	CHECK_EQ(icc(m, 0, IAR1), 1023);
	/* priorities: 8192 at 0x80 wins over 8200 at 0xa0 */
	wr(m, PROPB, 0x81, 1);
	cmd(m, 0x0d, 0, 0, 0);				/* INVALL collection 0 */
	msi_write(m, TRANSLATER, 1, 0x8);
	msi_write(m, TRANSLATER, 0, 0x8);
	CHECK_EQ(icc(m, 0, IAR1), 8192);
	CHECK(gicv3_icc_write(m->irqchip, 0, EOIR1, 8192));
	CHECK_EQ(icc(m, 0, IAR1), 8200);
	done(m);
}

static void test_two_level_and_cpus(void)
{
	machine *m = board("virt,gic-version=3", "2");

	linux_init(m, 2, true);
	MAPD(0x108, 1, ITT);				/* level-2 page 0 (devices 0..511) */
	MAPTI(0x108, 0, 8193, 1);			/* collection 1: CPU 1 */
	MAPD(0x208, 1, ITT + 0x100);			/* page 1 has no level-2 table: ignored */
	MAPTI(0x208, 0, 8194, 0);
	msi_write(m, TRANSLATER, 0, 0x108);
	msi_write(m, TRANSLATER, 0, 0x208);
	CHECK_EQ(icc(m, 0, IAR1), 1023);
	CHECK_EQ(icc(m, 1, IAR1), 8193);
	CHECK(gicv3_icc_write(m->irqchip, 1, EOIR1, 8193));
	/* MOVI to collection 0 while pending: it moves to CPU 0 */
	msi_write(m, TRANSLATER, 0, 0x108);
	cmd(m, 0x108ull << 32 | 0x01, 0, 0, 0);
	CHECK_EQ(icc(m, 1, IAR1), 1023);
	CHECK_EQ(icc(m, 0, IAR1), 8193);
	/* MOVALL CPU 0 -> CPU 1 */
	cmd(m, 0x03 | 0x108ull << 32, 0, 0, 0);		/* INT: pending on CPU 0 */
	cmd(m, 0x0e, 0, 0, 1ull << 16);
	CHECK(gicv3_lpi_pending(m->irqchip, 1, 8193) && !gicv3_lpi_pending(m->irqchip, 0, 8193));
	done(m);
}

/* MSI-X from a PCI function, through the SMMU-less host to the ITS with
 * its RID as DeviceID: masked vectors pend in the PBA, unmasking sends. */
static uint64_t bar_read(pci_dev *d, int bar, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	(void)bar;
	pci_msix_read(d, off, size, &v);
	return v;
}

static void bar_write(pci_dev *d, int bar, uint64_t off, uint64_t v, unsigned size)
{
	(void)bar;
	pci_msix_write(d, off, v, size);
}

static const pci_dev_ops msix_ops = { .bar_read = bar_read, .bar_write = bar_write };

static void test_msix(void)
{
	machine *m = board("virt,gic-version=3", "1");
	pcie_host *h = machine_device(m, "pcie-ecam");
	pci_dev *d = kwb_zalloc(sizeof(*d));
	uint64_t ecam = h->ecam_base + (3u << 15), bar = 0x10100000ull;

	linux_init(m, 1, false);
	pci_dev_init(d, "msix-test", 0x1234, 0x5678, 0, 0xff0000, 0, 0);
	d->ops = &msix_ops;
	pci_add_bar32(d, 1, 0x1000);
	pci_msix_init(d, 3, 1, 0, 0x800);
	pcie_plug(h, d, 3 << 3);
	MAPD(3 << 3, 2, ITT);
	MAPTI(3 << 3, 0, 8195, 0);
	MAPTI(3 << 3, 2, 8196, 0);
	wr(m, ecam + 0x14, bar, 4);			/* BAR1 */
	wr(m, ecam + 0x04, 0x6, 2);			/* memory, bus master */
	CHECK_EQ(rd(m, ecam + 0x34, 1), 0x40);		/* the capability */
	CHECK_EQ(rd(m, ecam + 0x40, 4), 0x00020011);	/* MSI-X, table size 3 */
	CHECK_EQ(rd(m, bar + 12, 4), 1);		/* vectors masked at reset */
	pci_msix_notify(d, 0);				/* MSI-X off: nothing */
	CHECK_EQ(d->msix.pba, 0);
	wr(m, ecam + 0x42, 0x8000, 2);			/* enable */
	for (int v = 0; v < 3; v++) {
		wr(m, bar + 16 * v, TRANSLATER, 8);
		wr(m, bar + 16 * v + 8, (uint32_t)v, 4);
	}
	pci_msix_notify(d, 2);				/* masked: pending */
	CHECK_EQ(rd(m, bar + 0x800, 8), 4);
	CHECK_EQ(icc(m, 0, IAR1), 1023);
	wr(m, bar + 16 * 2 + 12, 0, 4);			/* unmask: sent */
	CHECK_EQ(rd(m, bar + 0x800, 8), 0);
	CHECK_EQ(icc(m, 0, IAR1), 8196);
	CHECK(gicv3_icc_write(m->irqchip, 0, EOIR1, 8196));
	wr(m, bar + 12, 0, 4);
	wr(m, ecam + 0x42, 0xc000, 2);			/* function mask */
	pci_msix_notify(d, 0);
	CHECK_EQ(icc(m, 0, IAR1), 1023);
	wr(m, ecam + 0x42, 0x8000, 2);
	CHECK_EQ(icc(m, 0, IAR1), 8195);
	done(m);
}

/* Tables, queues and ITTs anywhere, random commands: refused, stalled or
 * ignored, never a host access (ASan), and the queue goes on. */
static void test_hostile(void)
{
	machine *m = board("virt,gic-version=3", "2");
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	static const uint64_t where[] = { 0, 0x40000000ull - 8, 0x43fffff8ull, 0x44000000ull, ~0ull,
					  0x000fffffffffff00ull, 0x7fffffffffffffffull, 0x08080000ull };

	linux_init(m, 2, false);
	MAPD(1, 16, 0x43ffff00ull);			/* an ITT running past the end of RAM */
	MAPTI(1, 21, 8192, 0);				/* its entry: 0x43fffffc..0x44000007 */
	CHECK_EQ(rd(m, GITS + 0x90, 8) & 1, 1);		/* stalled: the ITE write leaves RAM */
	wr(m, GITS + 0x90, (uint64_t)ncmd * 32, 8);	/* skip it */
	CHECK_EQ(rd(m, GITS + 0x90, 8), (uint64_t)ncmd * 32);
	for (int i = 0; i < 4000; i++) {
		uint64_t c[4];
		for (int k = 0; k < 4; k++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			c[k] = rng;
		}
		c[0] = (c[0] & ~0xffull) | (c[0] & 0x0f);	/* mostly real opcodes */
		if (i % 7 == 0)
			c[2] = (c[2] & 0xffff) | where[i % 8];
		if (i % 3 == 0)
			c[0] = (c[0] & 0xffffffffull) | (c[1] & 0x3ff) << 32;	/* small DeviceIDs */
		cmd(m, c[0], c[1], c[2], c[3]);
		if (rd(m, GITS + 0x90, 8) & 1)
			wr(m, GITS + 0x90, (uint64_t)ncmd * 32, 8);
		msi_write(m, TRANSLATER, (uint32_t)c[3], (uint32_t)c[1] & 0x3ff);
		if (i % 500 == 0) {	/* whole tables and queues moved about */
			wr(m, GITS, 0, 4);
			wr(m, GITS + 0x80, (where[i / 500 % 8] & ~0xfffull) | 1ull << 63 | (c[1] & 0xff), 8);
			wr(m, GITS + 0x100, (where[(i / 500 + 3) % 8] & 0x0000fffffffff000ull) | 1ull << 63 |
			   (c[2] & 0x40000000000003ffull), 8);
			wr(m, GITS, 1, 4);
			wr(m, GITS + 0x80, CMDQ | 1ull << 63, 8);	/* ignored while enabled */
			wr(m, GITS, 0, 4);
			wr(m, GITS + 0x80, CMDQ | 1ull << 63, 8);
			wr(m, GITS, 1, 4);
			ncmd = 0;
		}
		if (i % 250 == 0)	/* LPI tables anywhere too */
			for (int cpu = 0; cpu < 2; cpu++) {
				wr(m, RD(cpu), 0, 4);
				wr(m, RD(cpu) + 0x70, where[(i / 250 + cpu) % 8] | 15, 8);
				wr(m, RD(cpu) + 0x78, where[(i / 250 + cpu + 1) % 8], 8);
				wr(m, RD(cpu), 1, 4);
			}
	}
	for (int cpu = 0; cpu < 2; cpu++)
		for (int k = 0; k < 8; k++) {
			uint64_t v = icc(m, cpu, IAR1);
			if (v != 1023)
				gicv3_icc_write(m->irqchip, cpu, EOIR1, v);
		}
	done(m);
}

static void test_state(void)
{
	machine *m = board("virt,gic-version=3", "1");
	state_instance *si = state_find(m, "its@8080000");
	state_buf a = { 0 };
	mon_out o = { 0 };
	mon_ctx c = { .m = m, .out = &o };
	char err[256] = "";

	CHECK(si && !strcmp(si->desc->name, "gicv3-its"));
	linux_init(m, 1, false);
	MAPD(0x8, 2, ITT);
	MAPTI(0x8, 0, 8192, 0);
	state_save_all(m, &a);
	msi_write(m, TRANSLATER, 0, 0x8);
	wr(m, GITS, 0, 4);
	CHECK_EQ(state_load_all(m, a.data, a.len, err, sizeof(err)), 0);
	CHECK_EQ(rd(m, GITS, 4), 0x80000001);
	CHECK_EQ(rd(m, GITS + 0x90, 8), (uint64_t)ncmd * 32);
	CHECK_EQ(monitor_run(&c, "info gic"), 0);
	CHECK(o.buf && strstr(o.buf, "decoded: ITS enabled") && strstr(o.buf, "collection 0 -> cpu0") &&
	      strstr(o.buf, "device 0x8 (00:01.0): ITT 0x40470000, 4 events: 0->LPI 8192/col 0"));
	free(o.buf);
	state_buf_free(&a);
	done(m);
}

int main(void)
{
	RUN(test_registers);
	RUN(test_msi_to_lpi);
	RUN(test_two_level_and_cpus);
	RUN(test_msix);
	RUN(test_hostile);
	RUN(test_state);
	return CHECK_DONE();
}
