/* GICv3 model: distributor, redistributors and ICC flows as Linux uses them. */
#include "check.h"
#include "../../core/devices/gicv3.h"
#include "../../core/regtab.h"

#define ICC(crn, crm, op2) SYSREG_ENC(3, 0, crn, crm, op2)
#define PMR ICC(4, 6, 0)
#define IAR1 ICC(12, 12, 0)
#define EOIR1 ICC(12, 12, 1)
#define HPPIR1 ICC(12, 12, 2)
#define BPR1 ICC(12, 12, 3)
#define CTLR ICC(12, 12, 4)
#define SRE ICC(12, 12, 5)
#define IGRPEN1 ICC(12, 12, 7)
#define SGI1R ICC(12, 11, 5)
#define RPR ICC(12, 11, 3)
#define DIR ICC(12, 11, 1)
#define AP1R0 ICC(12, 9, 0)

static int irq_level[4], irq_changes[4];

static void set_irq(void *opaque, int cpu, int level)
{
	(void)opaque;
	irq_level[cpu] = level;
	irq_changes[cpu]++;
}

static const uint64_t mpidrs[4] = { 0x80000000, 0x80000001, 0x80000002, 0x80000003 };

static uint64_t dr(gicv3 *g, uint64_t off, unsigned size) { return gicv3_dist_ops.read(g, off, size); }
static void dw(gicv3 *g, uint64_t off, uint64_t v, unsigned size) { gicv3_dist_ops.write(g, off, v, size); }
static uint64_t rr(gicv3 *g, int cpu, uint64_t off, unsigned size)
{
	return gicv3_redist_ops.read(g, cpu * GICV3_REDIST_STRIDE + off, size);
}
static void rw(gicv3 *g, int cpu, uint64_t off, uint64_t v, unsigned size)
{
	gicv3_redist_ops.write(g, cpu * GICV3_REDIST_STRIDE + off, v, size);
}
static uint64_t icc_r(gicv3 *g, int cpu, uint32_t enc)
{
	uint64_t v = 0xdead;
	CHECK(gicv3_icc_read(g, cpu, enc, &v));
	return v;
}
static void icc_w(gicv3 *g, int cpu, uint32_t enc, uint64_t v)
{
	CHECK(gicv3_icc_write(g, cpu, enc, v));
}

/* What irq-gic-v3.c does at boot, for every CPU. */
static gicv3 *linux_init(int ncpus)
{
	gicv3 *g = gicv3_new(ncpus, mpidrs, set_irq, NULL);

	for (int i = 0; i < 4; i++)
		irq_level[i] = irq_changes[i] = 0;
	dw(g, 0x0, 0, 4);
	for (int n = 1; n < GICV3_NR_IRQS / 32; n++) {
		dw(g, 0x80 + 4 * n, ~0u, 4);
		dw(g, 0x380 + 4 * n, ~0u, 4);
		dw(g, 0x180 + 4 * n, ~0u, 4);
	}
	for (int n = 2; n < GICV3_NR_IRQS / 16; n++)
		dw(g, 0xc00 + 4 * n, 0, 4);
	for (int i = 32; i < GICV3_NR_IRQS; i += 4)
		dw(g, 0x400 + i, 0xa0a0a0a0, 4);
	dw(g, 0x0, 0x13, 4);
	for (int i = 32; i < GICV3_NR_IRQS; i++)
		dw(g, 0x6000 + 8 * i, 0, 8);	/* to CPU 0 */
	for (int c = 0; c < ncpus; c++) {
		rw(g, c, 0x14, rr(g, c, 0x14, 4) & ~2u, 4);
		CHECK_EQ(rr(g, c, 0x14, 4) & 4, 0);
		rw(g, c, 0x10080, ~0u, 4);
		rw(g, c, 0x10380, ~0u, 4);
		rw(g, c, 0x10180, ~0u, 4);
		for (int i = 0; i < 32; i += 4)
			rw(g, c, 0x10400 + i, 0xa0a0a0a0, 4);
		rw(g, c, 0x10100, 0xffff, 4);
		icc_w(g, c, SRE, 1);
		icc_w(g, c, PMR, 0xf0);
		icc_w(g, c, BPR1, 0);
		icc_w(g, c, CTLR, 0);
		icc_w(g, c, AP1R0, 0);
		icc_w(g, c, IGRPEN1, 1);
	}
	return g;
}

static void test_dist_ids(void)
{
	gicv3 *g = gicv3_new(2, mpidrs, set_irq, NULL);
	uint32_t typer = (uint32_t)dr(g, 0x4, 4);

	CHECK_EQ(dr(g, 0xffe8, 4), 0x3b);
	CHECK_EQ((dr(g, 0xffe8, 4) >> 4) & 0xf, 3);
	CHECK_EQ(typer & 0x1f, GICV3_NR_IRQS / 32 - 1);
	CHECK_EQ(typer & (1u << 17), 1u << 17);	/* LPIs, as QEMU's virt */
	CHECK_EQ(typer & (1u << 8), 0);		/* no ESPI */
	CHECK_EQ(typer & (1u << 16), 0);	/* no MBIS */
	CHECK_EQ(dr(g, 0xc, 4), 0);
	dw(g, 0x0, 0x13, 4);
	CHECK_EQ(dr(g, 0x0, 4) & 0x80000003, 0x3);	/* RWP clear, groups enabled */
	CHECK_EQ(dr(g, 0x0, 4) & 0x10, 0x10);		/* ARE */
	dw(g, 0x420, 0x11223344, 4);
	CHECK_EQ(dr(g, 0x421, 1), 0x33);
	dw(g, 0x423, 0x55, 1);
	CHECK_EQ(dr(g, 0x420, 4), 0x55223344);
	dw(g, 0x6000 + 8 * 40, 0x0000000100000203ull, 8);
	CHECK_EQ(dr(g, 0x6000 + 8 * 40, 8), 0x0000000100000203ull);
	CHECK_EQ(dr(g, 0x6000 + 8 * 40 + 4, 4), 1);
	gicv3_free(g);
}

static void test_redist(void)
{
	gicv3 *g = gicv3_new(4, mpidrs, set_irq, NULL);

	for (int c = 0; c < 4; c++) {
		uint64_t t = rr(g, c, 0x8, 8);
		CHECK_EQ(t >> 32, c);
		CHECK_EQ((t >> 4) & 1, c == 3);
		CHECK_EQ(rr(g, c, 0xffe8, 4), 0x3b);
		CHECK_EQ(rr(g, c, 0x14, 4), 6);		/* asleep at reset */
		rw(g, c, 0x14, 0, 4);
		CHECK_EQ(rr(g, c, 0x14, 4), 0);
		CHECK_EQ(rr(g, c, 0x0, 4) & 8, 0);	/* RWP */
		CHECK_EQ(t & 0x3000001, 0x1000001);	/* PLPIS, CommonLPIAff 1 */
		CHECK_EQ(rr(g, c, 0x0, 4), 2);		/* CES */
	}
	rw(g, 1, 0x70, 0x4000078b, 8);			/* PROPBASER kept... */
	CHECK_EQ(rr(g, 1, 0x70, 8), 0x4000078b);
	rw(g, 1, 0x0, 1, 4);
	rw(g, 1, 0x70, 0, 8);				/* ...and fixed once LPIs are on */
	CHECK_EQ(rr(g, 1, 0x70, 8), 0x4000078b);
	CHECK_EQ(rr(g, 1, 0x0, 4), 3);
	CHECK_EQ(rr(g, 4, 0x8, 8), 0);			/* past the last frame */
	CHECK_EQ(rr(g, 0, 0x10c00, 4), 0xaaaaaaaa);	/* SGIs are edge */
	rw(g, 0, 0x10c04, 0x2, 4);
	CHECK_EQ(rr(g, 0, 0x10c04, 4), 0x2);
	gicv3_free(g);
}

static void test_icc_basics(void)
{
	gicv3 *g = gicv3_new(1, mpidrs, set_irq, NULL);

	CHECK_EQ(icc_r(g, 0, SRE), 7);
	icc_w(g, 0, SRE, 0);
	CHECK_EQ(icc_r(g, 0, SRE), 7);
	CHECK_EQ((icc_r(g, 0, CTLR) >> 8) & 7, 4);	/* 5 priority bits */
	icc_w(g, 0, PMR, 0x08);
	CHECK_EQ(icc_r(g, 0, PMR), 0x08);
	icc_w(g, 0, PMR, 0xff);
	CHECK_EQ(icc_r(g, 0, PMR), 0xf8);
	icc_w(g, 0, BPR1, 0);
	CHECK_EQ(icc_r(g, 0, BPR1), 3);
	CHECK_EQ(icc_r(g, 0, IAR1), 1023);
	CHECK_EQ(icc_r(g, 0, RPR), 0xff);
	CHECK(!gicv3_icc_read(g, 0, SYSREG_ENC(3, 3, 14, 0, 0), &(uint64_t){ 0 }));
	gicv3_free(g);
}

static void test_level_spi(void)
{
	gicv3 *g = linux_init(2);

	dw(g, 0x104, 1u << 1, 4);		/* enable INTID 33 (UART) */
	CHECK_EQ(irq_level[0], 0);
	gicv3_set_spi(g, 1, 1);
	CHECK_EQ(irq_level[0], 1);
	CHECK_EQ(irq_level[1], 0);
	CHECK_EQ(icc_r(g, 0, HPPIR1), 33);
	CHECK_EQ(icc_r(g, 0, IAR1), 33);
	CHECK_EQ(irq_level[0], 0);		/* active now */
	CHECK_EQ(icc_r(g, 0, RPR), 0xa0);
	CHECK_EQ(dr(g, 0x304, 4) & 2, 2);	/* ISACTIVER */
	CHECK_EQ(icc_r(g, 0, IAR1), 1023);
	icc_w(g, 0, EOIR1, 33);
	CHECK_EQ(icc_r(g, 0, RPR), 0xff);
	CHECK_EQ(irq_level[0], 1);		/* line still high: pending again */
	gicv3_set_spi(g, 1, 0);
	CHECK_EQ(irq_level[0], 0);
	CHECK_EQ(icc_r(g, 0, IAR1), 1023);
	/* disabled interrupts are not signalled */
	dw(g, 0x184, 1u << 1, 4);
	gicv3_set_spi(g, 1, 1);
	CHECK_EQ(irq_level[0], 0);
	CHECK_EQ(dr(g, 0x204, 4) & 2, 2);	/* but pending */
	dw(g, 0x104, 1u << 1, 4);
	CHECK_EQ(irq_level[0], 1);
	gicv3_free(g);
}

static void test_edge_spi(void)
{
	gicv3 *g = linux_init(1);

	dw(g, 0xc00 + 4 * (106 / 16), 2u << (2 * (106 % 16)), 4);	/* INTID 106 edge */
	dw(g, 0x100 + 4 * (106 / 32), 1u << (106 % 32), 4);
	gicv3_set_spi(g, 74, 1);
	gicv3_set_spi(g, 74, 0);
	CHECK_EQ(irq_level[0], 1);		/* latched */
	CHECK_EQ(icc_r(g, 0, IAR1), 106);
	CHECK_EQ(irq_level[0], 0);
	gicv3_set_spi(g, 74, 1);		/* a second edge while active */
	gicv3_set_spi(g, 74, 0);
	CHECK_EQ(irq_level[0], 0);		/* active: not signalled again yet */
	icc_w(g, 0, EOIR1, 106);
	CHECK_EQ(irq_level[0], 1);
	CHECK_EQ(icc_r(g, 0, IAR1), 106);
	icc_w(g, 0, EOIR1, 106);
	CHECK_EQ(irq_level[0], 0);
	CHECK_EQ(icc_r(g, 0, IAR1), 1023);
	/* ICPENDR clears a latched edge */
	gicv3_set_spi(g, 74, 1);
	CHECK_EQ(irq_level[0], 1);
	dw(g, 0x280 + 4 * (106 / 32), 1u << (106 % 32), 4);
	CHECK_EQ(irq_level[0], 0);
	gicv3_free(g);
}

static void test_priority(void)
{
	gicv3 *g = linux_init(1);

	dw(g, 0x104, 0x6, 4);			/* INTIDs 33, 34 */
	dw(g, 0x400 + 34, 0x80, 1);		/* 34 more urgent than 33 (0xa0) */
	icc_w(g, 0, PMR, 0xa0);			/* masks 0xa0 */
	gicv3_set_spi(g, 1, 1);
	CHECK_EQ(irq_level[0], 0);
	CHECK_EQ(icc_r(g, 0, IAR1), 1023);
	CHECK_EQ(icc_r(g, 0, HPPIR1), 33);	/* pending regardless of the mask */
	icc_w(g, 0, PMR, 0xf0);
	CHECK_EQ(irq_level[0], 1);
	CHECK_EQ(icc_r(g, 0, IAR1), 33);
	/* a more urgent one preempts the running priority */
	gicv3_set_spi(g, 2, 1);
	CHECK_EQ(irq_level[0], 1);
	CHECK_EQ(icc_r(g, 0, IAR1), 34);
	CHECK_EQ(icc_r(g, 0, RPR), 0x80);
	icc_w(g, 0, EOIR1, 34);
	CHECK_EQ(icc_r(g, 0, RPR), 0xa0);
	gicv3_set_spi(g, 2, 0);
	icc_w(g, 0, EOIR1, 33);
	gicv3_set_spi(g, 1, 0);
	CHECK_EQ(irq_level[0], 0);
	/* an equal priority does not preempt */
	gicv3_set_spi(g, 1, 1);
	CHECK_EQ(icc_r(g, 0, IAR1), 33);
	dw(g, 0x400 + 34, 0xa0, 1);
	gicv3_set_spi(g, 2, 1);
	CHECK_EQ(irq_level[0], 0);
	icc_w(g, 0, EOIR1, 33);
	gicv3_set_spi(g, 1, 0);
	CHECK_EQ(icc_r(g, 0, IAR1), 34);
	/* IGRPEN1 = 0 masks everything */
	icc_w(g, 0, EOIR1, 34);
	icc_w(g, 0, IGRPEN1, 0);
	CHECK_EQ(irq_level[0], 0);
	icc_w(g, 0, IGRPEN1, 1);
	CHECK_EQ(irq_level[0], 1);
	gicv3_free(g);
}

static void test_routing_and_ppi(void)
{
	gicv3 *g = linux_init(4);

	dw(g, 0x104, 1u << 1, 4);
	dw(g, 0x6000 + 8 * 33, 2, 8);		/* INTID 33 -> Aff0 = 2 */
	gicv3_set_spi(g, 1, 1);
	CHECK_EQ(irq_level[0], 0);
	CHECK_EQ(irq_level[2], 1);
	CHECK_EQ(icc_r(g, 0, IAR1), 1023);
	dw(g, 0x6000 + 8 * 33, 3, 4);		/* 32-bit half write re-routes */
	CHECK_EQ(irq_level[2], 0);
	CHECK_EQ(irq_level[3], 1);
	CHECK_EQ(icc_r(g, 3, IAR1), 33);
	icc_w(g, 3, EOIR1, 33);
	gicv3_set_spi(g, 1, 0);
	CHECK_EQ(irq_level[3], 0);

	/* the virtual timer PPI is private to its CPU */
	rw(g, 1, 0x10100, 1u << 27, 4);
	gicv3_set_private(g, 1, 27, 1);
	CHECK_EQ(irq_level[1], 1);
	CHECK_EQ(irq_level[0], 0);
	gicv3_set_private(g, 0, 27, 1);		/* not enabled on CPU 0 */
	CHECK_EQ(irq_level[0], 0);
	CHECK_EQ(icc_r(g, 1, IAR1), 27);
	gicv3_set_private(g, 1, 27, 0);		/* the handler masked the timer */
	icc_w(g, 1, EOIR1, 27);
	CHECK_EQ(irq_level[1], 0);
	CHECK_EQ(rr(g, 1, 0x10300, 4), 0);	/* not active any more */
	gicv3_free(g);
}

static void test_sgi(void)
{
	gicv3 *g = linux_init(4);

	/* Linux IPI: TargetList bit 1 and 3 in cluster 0, INTID 5 */
	icc_w(g, 0, SGI1R, (5ull << 24) | 0xa);
	CHECK_EQ(irq_level[0], 0);
	CHECK_EQ(irq_level[1], 1);
	CHECK_EQ(irq_level[2], 0);
	CHECK_EQ(irq_level[3], 1);
	CHECK_EQ(icc_r(g, 1, IAR1), 5);
	icc_w(g, 1, EOIR1, 5);
	CHECK_EQ(irq_level[1], 0);
	CHECK_EQ(icc_r(g, 3, IAR1), 5);
	icc_w(g, 3, EOIR1, 5);
	/* IRM: everyone but me */
	icc_w(g, 2, SGI1R, (1ull << 40) | (3ull << 24));
	CHECK_EQ(irq_level[0], 1);
	CHECK_EQ(irq_level[1], 1);
	CHECK_EQ(irq_level[2], 0);
	CHECK_EQ(irq_level[3], 1);
	/* wrong Aff1: nobody */
	icc_w(g, 0, SGI1R, (1ull << 16) | (2ull << 24) | 0x4);
	CHECK_EQ(irq_level[2], 0);
	CHECK_EQ(rr(g, 0, 0x10200, 4), 1u << 3);	/* ISPENDR0 */
	gicv3_free(g);
}

static void test_eoimode1(void)
{
	gicv3 *g = linux_init(1);

	dw(g, 0x104, 1u << 1, 4);
	icc_w(g, 0, CTLR, 2);			/* EOImode = 1 */
	gicv3_set_spi(g, 1, 1);
	CHECK_EQ(icc_r(g, 0, IAR1), 33);
	gicv3_set_spi(g, 1, 0);
	icc_w(g, 0, EOIR1, 33);
	CHECK_EQ(icc_r(g, 0, RPR), 0xff);	/* priority dropped */
	CHECK_EQ(dr(g, 0x304, 4) & 2, 2);	/* still active */
	icc_w(g, 0, DIR, 33);
	CHECK_EQ(dr(g, 0x304, 4) & 2, 0);
	gicv3_free(g);
}

int main(void)
{
	RUN(test_dist_ids);
	RUN(test_redist);
	RUN(test_icc_basics);
	RUN(test_level_spi);
	RUN(test_edge_spi);
	RUN(test_priority);
	RUN(test_routing_and_ppi);
	RUN(test_sgi);
	RUN(test_eoimode1);
	return CHECK_DONE();
}
