/* GICv2 model: the flows Linux's irq-gic.c uses, SGIs between CPUs with
 * their source, groups and FIQ, QEMU's priority rules, GICv2m, and the
 * state description on a real board (save, change, restore, lines
 * driven again). Register values themselves are compared with QEMU by
 * tests/guest/aarch64/gic.test. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/devices/gicv2.h"
#include "core/machine.h"
#include "core/monitor.h"
#include "core/options.h"
#include "core/regtab.h"
#include "core/state.h"

static int line_level[4][2], line_changes[4];

static void set_line(void *opaque, int cpu, int line, int level)
{
	(void)opaque;
	line_level[cpu][line] = level;
	line_changes[cpu]++;
}

static uint32_t dr(gicv2 *g, int cpu, uint32_t off)
{
	gicv2_set_accessing_cpu(g, cpu);
	return (uint32_t)gicv2_dist_ops.read(g, off, 4);
}
static void dw(gicv2 *g, int cpu, uint32_t off, uint32_t v)
{
	gicv2_set_accessing_cpu(g, cpu);
	gicv2_dist_ops.write(g, off, v, 4);
}
static uint32_t cr(gicv2 *g, int cpu, uint32_t off)
{
	gicv2_set_accessing_cpu(g, cpu);
	return (uint32_t)gicv2_cpu_ops.read(g, off, 4);
}
static void cw(gicv2 *g, int cpu, uint32_t off, uint32_t v)
{
	gicv2_set_accessing_cpu(g, cpu);
	gicv2_cpu_ops.write(g, off, v, 4);
}

/* What irq-gic.c does: gic_dist_init on CPU 0, gic_cpu_init on each. */
static gicv2 *linux_init(int ncpus)
{
	gicv2 *g = gicv2_new(ncpus, set_line, NULL);

	memset(line_level, 0, sizeof(line_level));
	memset(line_changes, 0, sizeof(line_changes));
	dw(g, 0, 0x000, 0);
	for (int i = 32; i < GICV2_NR_IRQS; i += 16)
		dw(g, 0, 0xc00 + i / 4, 0);
	for (int i = 32; i < GICV2_NR_IRQS; i += 4)
		dw(g, 0, 0x800 + i, 0x01010101);	/* to CPU 0 */
	for (int i = 32; i < GICV2_NR_IRQS; i += 4)
		dw(g, 0, 0x400 + i, 0xa0a0a0a0);
	for (int i = 32; i < GICV2_NR_IRQS; i += 32) {
		dw(g, 0, 0x380 + i / 8, ~0u);
		dw(g, 0, 0x180 + i / 8, ~0u);
	}
	dw(g, 0, 0x000, 1);
	for (int c = 0; c < ncpus; c++) {
		dw(g, c, 0x380, ~0u);
		dw(g, c, 0x180, 0xffff0000);
		dw(g, c, 0x100, 0x0000ffff);
		for (int i = 0; i < 32; i += 4)
			dw(g, c, 0x400 + i, 0xa0a0a0a0);
		cw(g, c, 0x04, 0xf0);
		cw(g, c, 0x00, 1);
	}
	return g;
}

static void test_ids_and_reset(void)
{
	gicv2 *g = gicv2_new(2, set_line, NULL);

	CHECK_EQ(dr(g, 0, 0x004), 0x28);		/* ITLinesNumber 8, CPUNumber 1 */
	CHECK_EQ(dr(g, 0, 0x008), 0x43b);
	CHECK_EQ(dr(g, 0, 0xfe8), 0x2b);		/* PIDR2: GICv2 */
	CHECK_EQ(dr(g, 0, 0x100), 0xffff);		/* SGIs always enabled */
	CHECK_EQ(dr(g, 0, 0xc00), 0xaaaaaaaa);
	CHECK_EQ(dr(g, 1, 0x800), 0x02020202);		/* ITARGETSR0: the reader */
	CHECK_EQ(cr(g, 0, 0xfc), 0x2043b);
	CHECK_EQ(cr(g, 0, 0x1c), 1);			/* ABPR */
	CHECK_EQ(cr(g, 0, 0x14), 0xff);
	CHECK_EQ(cr(g, 0, 0x0c), 1023);
	gicv2_free(g);
	g = gicv2_new(1, set_line, NULL);
	CHECK_EQ(dr(g, 0, 0x004), 0x08);
	dw(g, 0, 0x820, 0xffffffff);
	CHECK_EQ(dr(g, 0, 0x820), 0);			/* uniprocessor: RAZ/WI */
	gicv2_free(g);
}

/* The timer PPI: level, acknowledged, EOI with the line still high makes
 * it pending again; masked, it goes away. */
static void test_level_ppi(void)
{
	gicv2 *g = linux_init(2);

	dw(g, 1, 0x100, 1u << 27);
	gicv2_set_private(g, 1, 27, 1);
	CHECK_EQ(line_level[1][0], 1);
	CHECK_EQ(line_level[0][0], 0);
	CHECK_EQ(cr(g, 1, 0x18), 27);
	CHECK_EQ(cr(g, 1, 0x0c), 27);
	CHECK_EQ(line_level[1][0], 0);			/* active: not signalled */
	CHECK_EQ(cr(g, 1, 0x14), 0xa0);
	cw(g, 1, 0x10, 27);
	CHECK_EQ(line_level[1][0], 1);			/* still high: pending again */
	gicv2_set_private(g, 1, 27, 0);
	CHECK_EQ(line_level[1][0], 0);
	CHECK_EQ(cr(g, 1, 0x0c), 1023);
	gicv2_free(g);
}

/* An edge SPI targeted at CPU 1 through ITARGETSR; IAR on CPU 0 sees nothing. */
static void test_spi_targets(void)
{
	gicv2 *g = linux_init(2);

	dw(g, 0, 0x820, 0x00000002);			/* SPI 32 -> CPU 1 */
	dw(g, 0, 0xc08, 0x2);				/* edge */
	dw(g, 0, 0x104, 1);
	gicv2_set_spi(g, 0, 1);
	gicv2_set_spi(g, 0, 0);
	CHECK_EQ(line_level[0][0], 0);
	CHECK_EQ(line_level[1][0], 1);
	CHECK_EQ(cr(g, 0, 0x0c), 1023);
	CHECK_EQ(cr(g, 1, 0x0c), 32);
	CHECK_EQ(dr(g, 0, 0x304), 1);			/* active */
	cw(g, 1, 0x10, 32);
	CHECK_EQ(dr(g, 0, 0x304), 0);
	CHECK_EQ(line_level[1][0], 0);
	gicv2_free(g);
}

/* SGIs carry their source CPU in IAR[12:10]; one pending per source. */
static void test_sgi_sources(void)
{
	gicv2 *g = linux_init(3);

	dw(g, 1, 0xf00, 0x00010003);			/* CPU 1 -> CPU 0, SGI 3 */
	dw(g, 2, 0xf00, 0x00010003);			/* CPU 2 -> CPU 0, SGI 3 */
	CHECK_EQ(dr(g, 0, 0xf20), 0x06000000);		/* SPENDSGIR0 byte 3: sources 1, 2 */
	CHECK_EQ(cr(g, 0, 0x0c), 3 | 1 << 10);
	cw(g, 0, 0x10, 3 | 1 << 10);
	CHECK_EQ(cr(g, 0, 0x0c), 3 | 2 << 10);
	cw(g, 0, 0x10, 3 | 2 << 10);
	CHECK_EQ(cr(g, 0, 0x0c), 1023);
	dw(g, 0, 0xf00, 0x01000001);			/* all but self */
	CHECK_EQ(line_level[0][0], 0);
	CHECK_EQ(line_level[1][0], 1);
	CHECK_EQ(line_level[2][0], 1);
	CHECK_EQ(cr(g, 2, 0x0c), 1);			/* source 0 */
	dw(g, 1, 0xf10, 0x0000ff00);			/* CPENDSGIR0 byte 1: CPU 1 drops SGI 1 */
	CHECK_EQ(line_level[1][0], 0);
	gicv2_free(g);
}

/* Group 1 with AckCtl 0 reads 1022; group 0 with FIQEn is an FIQ. */
static void test_groups_fiq(void)
{
	gicv2 *g = linux_init(1);

	dw(g, 0, 0x104, 1);
	dw(g, 0, 0x084, 1);				/* SPI 32 in group 1 */
	dw(g, 0, 0x000, 3);
	cw(g, 0, 0x00, 3);
	dw(g, 0, 0x204, 1);
	CHECK_EQ(line_level[0][0], 1);
	CHECK_EQ(cr(g, 0, 0x0c), 1022);
	cw(g, 0, 0x00, 7);				/* AckCtl */
	CHECK_EQ(cr(g, 0, 0x0c), 32);
	CHECK_EQ(cr(g, 0, 0xe8), 1u << 16);		/* NSAPR2: preemption level 80 */
	cw(g, 0, 0x10, 32);
	dw(g, 0, 0x084, 0);
	cw(g, 0, 0x00, 0x9);				/* group 0, FIQEn */
	dw(g, 0, 0x204, 1);
	CHECK_EQ(line_level[0][1], 1);
	CHECK_EQ(line_level[0][0], 0);
	CHECK_EQ(cr(g, 0, 0x0c), 32);
	CHECK_EQ(line_level[0][1], 0);
	gicv2_free(g);
}

/* QEMU's rules: an interrupt preempts by its priority against the running
 * priority whatever BPR says, EOI drops the highest active priority, DIR
 * acts only with EOImode 1. */
static void test_priorities(void)
{
	gicv2 *g = linux_init(1);

	dw(g, 0, 0x104, 3);				/* SPIs 32, 33 */
	dw(g, 0, 0x420, 0x7f80);			/* 32: 0x80, 33: 0x7f */
	cw(g, 0, 0x08, 7);				/* BPR 7: no group priority bits */
	dw(g, 0, 0x204, 1);
	CHECK_EQ(cr(g, 0, 0x0c), 32);
	CHECK_EQ(cr(g, 0, 0x14), 0);			/* running: group priority 0 */
	dw(g, 0, 0x204, 2);
	CHECK_EQ(line_level[0][0], 0);			/* 0x7f is not below 0 */
	cw(g, 0, 0x10, 32);
	CHECK_EQ(cr(g, 0, 0x14), 0xff);
	CHECK_EQ(cr(g, 0, 0x0c), 33);
	cw(g, 0, 0x10, 33);
	cw(g, 0, 0x08, 0);
	cw(g, 0, 0x00, 0x201);				/* EOImode 1 */
	dw(g, 0, 0x204, 1);
	CHECK_EQ(cr(g, 0, 0x0c), 32);
	cw(g, 0, 0x10, 32);
	CHECK_EQ(cr(g, 0, 0x14), 0xff);
	CHECK_EQ(dr(g, 0, 0x304), 1);			/* still active */
	cw(g, 0, 0x1000, 32);
	CHECK_EQ(dr(g, 0, 0x304), 0);
	cw(g, 0, 0x00, 1);
	dw(g, 0, 0x204, 1);
	CHECK_EQ(cr(g, 0, 0x0c), 32);
	cw(g, 0, 0x1000, 32);				/* EOImode 0: ignored */
	CHECK_EQ(dr(g, 0, 0x304), 1);
	cw(g, 0, 0x10, 32);
	CHECK_EQ(dr(g, 0, 0x304), 0);
	gicv2_free(g);
}

/* ---- on the virt board: GICv2m, the default, the state description ---- */

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

static uint32_t rd32(machine *m, uint64_t pa)
{
	uint64_t v = 0;
	bus_read(&m->bus, pa, 4, &v);
	return (uint32_t)v;
}

static void wr32(machine *m, uint64_t pa, uint32_t v)
{
	bus_write(&m->bus, pa, 4, v);
}

/* ISR_EL1.I of a CPU: its IRQ input as the GIC drives it */
static bool cpu_irq(machine *m, int cpu)
{
	uint64_t v = 0;

	CHECK_EQ(m->arch->reg_read(m->cpus[cpu], regtab_find(m->arch->regs, "ISR_EL1"), (uint8_t *)&v), 0);
	return v & 0x80;
}

#define GICD 0x08000000ull
#define GICC 0x08010000ull
#define V2M 0x08020000ull

static void test_board_default_and_v2m(void)
{
	machine *m = board("virt", "1");
	machine *m3 = board("virt,gic-version=3", "1");

	CHECK(machine_device(m, "gicv2") && machine_device(m, "gicv2m") && !machine_device(m, "gicv3"));
	CHECK(machine_device(m3, "gicv3") && !machine_device(m3, "gicv2"));
	CHECK_EQ(rd32(m, GICD + 0xfe8), 0x2b);
	CHECK_EQ(rd32(m3, GICD + 0xffe8) >> 4 & 0xf, 3);
	CHECK_EQ(rd32(m, V2M + 0x008), 0x00500040);	/* SPIs 80..143 */
	CHECK_EQ(rd32(m, V2M + 0xfcc), 0x05100000);
	wr32(m, GICD + 0x000, 1);
	wr32(m, GICC + 0x000, 1);
	wr32(m, GICC + 0x004, 0xf0);
	wr32(m, GICD + 0xc14, 0x2);			/* SPI 80 edge */
	wr32(m, GICD + 0x108, 1u << 16);
	wr32(m, V2M + 0x040, 80);
	CHECK_EQ(rd32(m, GICD + 0x208), 1u << 16);
	CHECK_EQ(rd32(m, GICC + 0x00c), 80);
	wr32(m, V2M + 0x040, 79);			/* not the frame's */
	CHECK_EQ(rd32(m, GICD + 0x208), 0);
	done(m);
	done(m3);
}

static char *info_gic(machine *m)
{
	mon_out o = { 0 };
	mon_ctx c = { .m = m, .out = &o };

	CHECK_EQ(monitor_run(&c, "info gic"), 0);
	return o.buf;
}

static void test_state(void)
{
	machine *m = board("virt", "2");
	state_instance *si = state_find(m, "intc@8000000");
	state_buf a = { 0 };
	mon_out o = { 0 };
	char err[256] = "", *text;

	CHECK(si && !strcmp(si->desc->name, "gicv2"));
	wr32(m, GICD + 0x000, 1);
	wr32(m, GICC + 0x000, 1);
	wr32(m, GICC + 0x004, 0xf0);
	wr32(m, GICD + 0x820, 0x01);			/* SPI 32 -> CPU 0 */
	wr32(m, GICD + 0x104, 1);
	wr32(m, GICD + 0x204, 1);
	CHECK(cpu_irq(m, 0));
	state_save_all(m, &a);
	CHECK_EQ(rd32(m, GICC + 0x00c), 32);		/* acknowledge: the line drops */
	CHECK(!cpu_irq(m, 0));
	text = info_gic(m);
	CHECK(text && strstr(text, "SPI 32") && strstr(text, "active"));
	free(text);
	CHECK_EQ(state_load_all(m, a.data, a.len, err, sizeof(err)), 0);
	CHECK(cpu_irq(m, 0));			/* post_load drove it again */
	CHECK_EQ(rd32(m, GICD + 0x304), 0);
	CHECK_EQ(rd32(m, GICD + 0x204), 1);
	state_print(m, si->desc, si->obj, &o);
	CHECK(o.buf && strstr(o.buf, "cpu[0].pmr = 0xf0"));
	free(o.buf);
	state_buf_free(&a);
	done(m);
}

int main(void)
{
	RUN(test_ids_and_reset);
	RUN(test_level_ppi);
	RUN(test_spi_targets);
	RUN(test_sgi_sources);
	RUN(test_groups_fiq);
	RUN(test_priorities);
	RUN(test_board_default_and_v2m);
	RUN(test_state);
	return CHECK_DONE();
}
