/*
 * GICv3 model (see gicv3.h). Interrupt state lives in 32-INTID banks of
 * bitmaps: bank 0 (SGIs and PPIs) is per CPU in its redistributor, banks
 * 1.. (SPIs) are in the distributor. After every change the CPUs that may
 * be affected get their highest pending interrupt recomputed and their IRQ
 * line driven only if the result changed, so the CPU never polls the GIC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gicv3.h"
#include "arm_gic.h"
#include "../board.h"
#include "../machine.h"
#include "../monitor.h"
#include "../regtab.h"
#include "../state.h"
#include "../trace_hooks.h"
#include "../arch/aarch64/aarch64.h"

#define NBANKS (GICV3_NR_IRQS / 32)
#define PRI_BITS 5			/* implemented priority bits, as QEMU */
#define PRI_MASK (0xff & ~((1u << (8 - PRI_BITS)) - 1))	/* 0xf8 */
#define BPR0_MIN (7 - PRI_BITS)		/* 2 */
#define BPR1_MIN (BPR0_MIN + 1)		/* 3 */
#define IDLE_PRIO 0x100			/* running priority with nothing active */

/* GICD_CTLR with DS = 1 */
#define CTLR_EN_GRP0 (1u << 0)
#define CTLR_EN_GRP1 (1u << 1)
#define CTLR_ARE (1u << 4)
#define CTLR_DS (1u << 6)

#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)

typedef arm_gic_bank gic_bank;

typedef struct gic_cpu {
	gic_bank priv;		/* SGIs + PPIs */
	uint64_t mpidr;
	uint32_t waker;
	uint32_t rd_ctlr;		/* EnableLPIs */
	uint64_t propbaser, pendbaser;	/* LPI configuration and pending tables in RAM */
	/* CPU interface */
	uint32_t pmr, bpr0, bpr1, icc_ctlr, igrpen0, igrpen1;
	uint32_t ap0r, ap1r;	/* active priorities: bit = priority >> 3 */
	int irq_out;
	/* derived from the tables (a cache, as a real redistributor keeps):
	 * the highest-priority pending enabled LPI, or 0 */
	uint32_t hpplpi;
	unsigned hpplpi_prio;
} gic_cpu;

struct gicv3 {
	arm_gic base;		/* first: the machine's irqchip */
	int ncpus;
	uint32_t ctlr;
	gic_bank spi[NBANKS];	/* spi[0] is unused: bank 0 is per CPU */
	uint64_t irouter[GICV3_NR_IRQS];
	int8_t target[GICV3_NR_IRQS];	/* CPU an SPI is routed to, -1: none */
	gic_cpu cpu[GICV3_MAX_CPUS];
	gicv3_irq_fn set_irq;
	void *opaque;
	struct machine *m;	/* for -d irq; NULL for a bare GIC (unit tests) */
	bus *bus;		/* where the LPI tables are; NULL: no LPIs */
};

/* Interface-wide ICC_CTLR_EL1 read-only fields: PRIbits, A3V; IDbits = 0 (16). */
#define ICC_CTLR_RO (((PRI_BITS - 1) << 8) | (1u << 15))
#define ICC_CTLR_CBPR (1u << 0)
#define ICC_CTLR_EOIMODE (1u << 1)

static const uint8_t gic_id_regs[12] = {	/* 0xFFD0..0xFFFC: PIDR4-7, PIDR0-3, CIDR0-3 */
	0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1,
};

/* ---- -d irq ---- */

static bool tracing(gicv3 *g)
{
	return unlikely(g->m && trace_on(g->m->trace, TRACE_IRQ));
}

static const char *intid_name(gicv3 *g, int intid, char *buf, size_t len)
{
	return arm_gic_intid_name(g->m, intid, buf, len);
}

static void trace_intid(gicv3 *g, int cpu, int intid, const char *fmt, ...) KWB_PRINTF(4, 5);

static void trace_intid(gicv3 *g, int cpu, int intid, const char *fmt, ...)
{
	char name[64], what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (intid >= 32 && intid < GICV3_NR_IRQS)
		cpu = g->target[intid];
	trace_irq(g->m, cpu, "gicv3 %s %s", intid_name(g, intid, name, sizeof(name)), what);
}

typedef struct bank_trace {
	gicv3 *g;
	int cpu;
} bank_trace;

static void trace_bank_change(void *ctx, int intid, const char *what)
{
	bank_trace *t = ctx;

	trace_intid(t->g, t->cpu, intid, "%s", what);
}

/* Reports every INTID whose configuration or state differs between o and
 * b (bank n; bank 0 is cpu's SGIs and PPIs). */
static void trace_bank_diff(gicv3 *g, int cpu, int n, const gic_bank *o, const gic_bank *b)
{
	arm_gic_bank_diff(n, o, b, trace_bank_change, &(bank_trace){ g, cpu });
}

/* A snapshot of what a register write may change, taken only when tracing. */
typedef struct gic_snap {
	uint32_t ctlr;
	gic_bank spi[NBANKS];
	int8_t target[GICV3_NR_IRQS];
	gic_cpu cpu;
} gic_snap;

static void snap_take(gicv3 *g, int cpu, gic_snap *s)
{
	s->ctlr = g->ctlr;
	memcpy(s->spi, g->spi, sizeof(s->spi));
	memcpy(s->target, g->target, sizeof(s->target));
	s->cpu = g->cpu[cpu];
}

static void snap_diff(gicv3 *g, int cpu, const gic_snap *s, bool banks)
{
	gic_cpu *c = &g->cpu[cpu];

	if (!banks)
		goto cpu_interface;

	if ((s->ctlr ^ g->ctlr) & CTLR_EN_GRP1)
		trace_irq(g->m, -1, "gicv3 distributor group 1 %s", g->ctlr & CTLR_EN_GRP1 ? "enabled" : "disabled");
	if ((s->ctlr ^ g->ctlr) & CTLR_EN_GRP0)
		trace_irq(g->m, -1, "gicv3 distributor group 0 %s", g->ctlr & CTLR_EN_GRP0 ? "enabled" : "disabled");
	for (int n = 1; n < NBANKS; n++)
		trace_bank_diff(g, cpu, n, &s->spi[n], &g->spi[n]);
	for (int i = 32; i < GICV3_NR_IRQS; i++)
		if (s->target[i] != g->target[i])
			trace_intid(g, -1, i, "routed to %s%d", g->target[i] < 0 ? "nobody " : "cpu",
				    g->target[i]);
	trace_bank_diff(g, cpu, 0, &s->cpu.priv, &c->priv);
cpu_interface:
	if ((s->cpu.waker ^ c->waker) & WAKER_PROCESSOR_SLEEP)
		trace_irq(g->m, cpu, "gicv3 redistributor %s", c->waker & WAKER_PROCESSOR_SLEEP ? "asleep" : "awake");
	if (s->cpu.pmr != c->pmr)
		trace_irq(g->m, cpu, "gicv3 PMR 0x%02x", c->pmr);
	if (s->cpu.bpr1 != c->bpr1)
		trace_irq(g->m, cpu, "gicv3 BPR1 %u", c->bpr1);
	if (s->cpu.igrpen1 != c->igrpen1)
		trace_irq(g->m, cpu, "gicv3 group 1 %s on the CPU interface (IGRPEN1)",
			  c->igrpen1 ? "enabled" : "disabled");
	if ((s->cpu.icc_ctlr ^ c->icc_ctlr) & ICC_CTLR_EOIMODE)
		trace_irq(g->m, cpu, "gicv3 EOImode %u (%s)", c->icc_ctlr & ICC_CTLR_EOIMODE ? 1 : 0,
			  c->icc_ctlr & ICC_CTLR_EOIMODE ? "EOI drops priority, DIR deactivates" :
			  "EOI drops priority and deactivates");
}

static uint64_t mpidr_aff(uint64_t mpidr)
{
	return (mpidr & 0xffffff) | ((mpidr >> 32 & 0xff) << 24);
}

static gic_bank *bank_of(gicv3 *g, int cpu, int intid)
{
	return intid < 32 ? &g->cpu[cpu].priv : &g->spi[intid / 32];
}

/* ---- LPIs: pending and configuration tables in guest memory ---- */

#define LPI_BASE 8192
#define GICD_IDBITS 15			/* GICD_TYPER.IDbits: 16-bit INTIDs */
#define LPI_ENABLE 1u			/* configuration byte: bit 0, priority [7:2] */
#define LPI_PRIO_MASK 0xfcu

static bool lpis_on(gic_cpu *c)
{
	return c->rd_ctlr & 1;
}

/* One more than the largest INTID the tables cover (PROPBASER.IDbits,
 * at most GICD_TYPER.IDbits). */
static uint32_t lpi_limit(gic_cpu *c)
{
	unsigned idbits = (unsigned)(c->propbaser & 0x1f);

	return 1u << ((idbits < GICD_IDBITS ? idbits : GICD_IDBITS) + 1);
}

static paddr_t prop_base(gic_cpu *c) { return c->propbaser & 0x000ffffffffff000ull; }
static paddr_t pend_base(gic_cpu *c) { return c->pendbaser & 0x000fffffffff0000ull; }

/* Table bytes where no RAM answers read as zero and take no writes (the
 * guest's own mistake, never a host access). */
static uint8_t table_byte(gicv3 *g, paddr_t pa)
{
	uint8_t b = 0;

	if (g->bus)
		bus_copy_from(g->bus, pa, &b, 1);
	return b;
}

static void table_set_byte(gicv3 *g, paddr_t pa, uint8_t b)
{
	if (g->bus)
		bus_copy_to(g->bus, pa, &b, 1);
}

/* The highest-priority pending enabled LPI of cpu from its tables, the
 * lowest INTID on a tie (a whole rescan: enabling LPIs, INV/INVALL, the
 * cached one acknowledged or cleared). */
static void lpi_rescan(gicv3 *g, int cpu)
{
	gic_cpu *c = &g->cpu[cpu];
	uint32_t limit = lpi_limit(c);
	uint8_t pend[256], cfg;

	c->hpplpi = 0;
	c->hpplpi_prio = IDLE_PRIO;
	if (!lpis_on(c) || !g->bus)
		return;
	for (uint32_t id = LPI_BASE; id < limit; id += 8 * sizeof(pend)) {
		if (bus_copy_from(g->bus, pend_base(c) + id / 8, pend, sizeof(pend)))
			continue;
		for (unsigned i = 0; i < sizeof(pend); i++) {
			for (unsigned b = pend[i]; b; b &= b - 1) {
				uint32_t intid = id + 8 * i + (unsigned)__builtin_ctz(b);
				cfg = table_byte(g, prop_base(c) + intid - LPI_BASE);
				if ((cfg & LPI_ENABLE) && (cfg & LPI_PRIO_MASK) < c->hpplpi_prio) {
					c->hpplpi = intid;
					c->hpplpi_prio = cfg & LPI_PRIO_MASK;
				}
			}
		}
	}
}

static void update_cpu(gicv3 *g, int cpu);

void gicv3_lpi_set(gicv3 *g, int cpu, uint32_t intid, int level)
{
	gic_cpu *c;
	paddr_t pa;
	uint8_t b, cfg;

	if (cpu < 0 || cpu >= g->ncpus)
		return;
	c = &g->cpu[cpu];
	if (!lpis_on(c) || intid < LPI_BASE || intid >= lpi_limit(c))
		return;
	pa = pend_base(c) + intid / 8;
	b = table_byte(g, pa);
	b = (uint8_t)(level ? b | 1u << (intid % 8) : b & ~(1u << (intid % 8)));
	table_set_byte(g, pa, b);
	if (tracing(g))
		trace_irq(g->m, cpu, "gicv3 LPI %u %s", intid, level ? "pending" : "pending cleared");
	if (level) {
		cfg = table_byte(g, prop_base(c) + intid - LPI_BASE);
		if ((cfg & LPI_ENABLE) && (cfg & LPI_PRIO_MASK) < c->hpplpi_prio) {
			c->hpplpi = intid;
			c->hpplpi_prio = cfg & LPI_PRIO_MASK;
		}
	} else if (intid == c->hpplpi) {
		lpi_rescan(g, cpu);
	}
	update_cpu(g, cpu);
}

bool gicv3_lpi_pending(gicv3 *g, int cpu, uint32_t intid)
{
	gic_cpu *c;

	if (cpu < 0 || cpu >= g->ncpus)
		return false;
	c = &g->cpu[cpu];
	if (!lpis_on(c) || intid < LPI_BASE || intid >= lpi_limit(c))
		return false;
	return table_byte(g, pend_base(c) + intid / 8) >> (intid % 8) & 1;
}

/* MOVALL: every LPI pending on from becomes pending on to instead. */
void gicv3_lpi_move_all(gicv3 *g, int from, int to)
{
	gic_cpu *c;
	uint32_t limit;
	uint8_t pend[256];

	if (from < 0 || from >= g->ncpus || to < 0 || to >= g->ncpus || from == to)
		return;
	c = &g->cpu[from];
	limit = lpi_limit(c);
	for (uint32_t id = LPI_BASE; lpis_on(c) && g->bus && id < limit; id += 8 * sizeof(pend)) {
		if (bus_copy_from(g->bus, pend_base(c) + id / 8, pend, sizeof(pend)))
			continue;
		for (unsigned i = 0; i < sizeof(pend); i++)
			for (unsigned b = pend[i]; b; b &= b - 1) {
				uint32_t intid = id + 8 * i + (unsigned)__builtin_ctz(b);
				gicv3_lpi_set(g, from, intid, 0);
				gicv3_lpi_set(g, to, intid, 1);
			}
	}
}

void gicv3_lpi_reload(gicv3 *g, int cpu)
{
	if (cpu < 0 || cpu >= g->ncpus)
		return;
	lpi_rescan(g, cpu);
	update_cpu(g, cpu);
}

int gicv3_ncpus(gicv3 *g)
{
	return g->ncpus;
}

/* Recompute where an SPI goes from its IROUTER. */
static void route_spi(gicv3 *g, int intid)
{
	uint64_t r = g->irouter[intid];
	int t = -1;

	if (r & (1ull << 31)) {
		t = 0;		/* IRM: "any PE" -- the first one, deterministically */
	} else {
		uint64_t want = (r & 0xffffff) | ((r >> 32 & 0xff) << 24);
		for (int i = 0; i < g->ncpus; i++)
			if (mpidr_aff(g->cpu[i].mpidr) == want)
				t = i;
	}
	g->target[intid] = (int8_t)t;
}

static bool grp1_enabled(gicv3 *g, int cpu)
{
	return (g->ctlr & CTLR_EN_GRP1) && (g->cpu[cpu].igrpen1 & 1);
}

/* Bits of a bank that can be signalled: pending, enabled, group 1, not active. */
static uint32_t candidates(const gic_bank *b)
{
	return (b->pend | (b->level & ~b->edge)) & b->enable & b->group & ~b->active;
}

/* Highest-priority pending group-1 interrupt for cpu (lowest INTID on a
 * tie); returns the INTID or GICV3_SPURIOUS, and its priority in *prio. */
static int hppi(gicv3 *g, int cpu, int *prio)
{
	int best = GICV3_SPURIOUS, bp = 0x100;

	if (!grp1_enabled(g, cpu))
		goto out;
	for (int bank = 0; bank < NBANKS; bank++) {
		const gic_bank *b = bank ? &g->spi[bank] : &g->cpu[cpu].priv;
		uint32_t c = candidates(b);
		while (c) {
			int i = __builtin_ctz(c), intid = bank * 32 + i;
			c &= c - 1;
			if (bank && g->target[intid] != cpu)
				continue;
			if (b->prio[i] < bp) {
				bp = b->prio[i];
				best = intid;
			}
		}
	}
	/* an LPI wins only with a strictly higher priority, as QEMU */
	if (g->cpu[cpu].hpplpi && (int)g->cpu[cpu].hpplpi_prio < bp) {
		bp = (int)g->cpu[cpu].hpplpi_prio;
		best = (int)g->cpu[cpu].hpplpi;
	}
out:
	*prio = bp;
	return best;
}

static unsigned gprio_mask(gic_cpu *c)
{
	return (0xffu << c->bpr1) & 0xff;
}

static unsigned running_prio(gic_cpu *c)
{
	uint32_t ap = c->ap0r | c->ap1r;
	return ap ? (unsigned)__builtin_ctz(ap) << (8 - PRI_BITS) : IDLE_PRIO;
}

/* The interrupt the CPU interface would signal now, or GICV3_SPURIOUS. */
static int signalled(gicv3 *g, int cpu, int *prio)
{
	gic_cpu *c = &g->cpu[cpu];
	int intid = hppi(g, cpu, prio);

	if (intid == GICV3_SPURIOUS)
		return intid;
	if ((unsigned)(*prio & PRI_MASK) >= (c->pmr & PRI_MASK) ||
	    (unsigned)(*prio & gprio_mask(c)) >= running_prio(c))
		return GICV3_SPURIOUS;
	return intid;
}

static void update_cpu(gicv3 *g, int cpu)
{
	int prio, level = signalled(g, cpu, &prio) != GICV3_SPURIOUS;

	if (level != g->cpu[cpu].irq_out) {
		g->cpu[cpu].irq_out = level;
		if (tracing(g)) {
			char name[64];
			int p, intid = signalled(g, cpu, &p);
			if (level)
				trace_irq(g->m, cpu, "gicv3 IRQ line high (%s, priority 0x%02x)",
					  intid_name(g, intid, name, sizeof(name)), p);
			else
				trace_irq(g->m, cpu, "gicv3 IRQ line low");
		}
		if (g->set_irq)
			g->set_irq(g->opaque, cpu, level);
	}
}

static void update_all(gicv3 *g)
{
	for (int i = 0; i < g->ncpus; i++)
		update_cpu(g, i);
}

static void update_for(gicv3 *g, int cpu, int intid)
{
	if (intid < 32)
		update_cpu(g, cpu);
	else if (g->target[intid] >= 0)
		update_cpu(g, g->target[intid]);
}

/* ---- inputs ---- */

static void set_line(gicv3 *g, int cpu, int intid, int level)
{
	gic_bank *b = bank_of(g, cpu, intid);
	uint32_t bit = 1u << (intid % 32);

	if (tracing(g) && !(b->level & bit) != !level)
		trace_intid(g, cpu, intid, "line %s%s", level ? "high" : "low",
			    !level ? "" : (b->edge & bit) ? ", pending (edge)" : ", pending (level)");
	if (level && !(b->level & bit) && (b->edge & bit))
		b->pend |= bit;
	if (level)
		b->level |= bit;
	else
		b->level &= ~bit;
	update_for(g, cpu, intid);
}

void gicv3_set_spi(gicv3 *g, int spi, int level)
{
	if (spi >= 0 && spi + 32 < GICV3_NR_IRQS)
		set_line(g, 0, spi + 32, level);
}

void gicv3_set_private(gicv3 *g, int cpu, int intid, int level)
{
	if (cpu >= 0 && cpu < g->ncpus && intid >= 16 && intid < 32)
		set_line(g, cpu, intid, level);
}

static void base_set_spi(arm_gic *b, int spi, int level)
{
	gicv3_set_spi((gicv3 *)b, spi, level);
}

static void base_set_private(arm_gic *b, int cpu, int intid, int level)
{
	gicv3_set_private((gicv3 *)b, cpu, intid, level);
}

/* ---- register banks shared by GICD and GICR_SGI_base ---- */

/* A 32-bit register of the 1-bit-per-INTID or 2-bit ICFGR families at
 * offset off (from the frame), for bank b. Returns false if off is not one. */
static bool bank_read(gic_bank *b, uint32_t off, uint32_t *v)
{
	switch (off & ~0x7fu) {
	case 0x080: *v = b->group; return true;
	case 0x100: case 0x180: *v = b->enable; return true;
	case 0x200: case 0x280: *v = b->pend | (b->level & ~b->edge); return true;
	case 0x300: case 0x380: *v = b->active; return true;
	case 0xd00: *v = 0; return true;	/* IGRPMODR */
	}
	return false;
}

static void bank_write(gic_bank *b, uint32_t off, uint32_t v)
{
	switch (off & ~0x7fu) {
	case 0x080: b->group = v; break;
	case 0x100: b->enable |= v; break;
	case 0x180: b->enable &= ~v; break;
	case 0x200: b->pend |= v; break;
	case 0x280: b->pend &= ~v; break;
	case 0x300: b->active |= v; break;
	case 0x380: b->active &= ~v; break;
	}
}

static uint32_t icfgr_read(gic_bank *b, int half)
{
	uint32_t v = 0;
	for (int i = 0; i < 16; i++)
		if (b->edge & (1u << (half * 16 + i)))
			v |= 2u << (2 * i);
	return v;
}

static void icfgr_write(gic_bank *b, int half, uint32_t v, uint32_t fixed_edge)
{
	for (int i = 0; i < 16; i++) {
		uint32_t bit = 1u << (half * 16 + i);
		if (fixed_edge & bit)
			continue;
		if (v & (2u << (2 * i)))
			b->edge |= bit;
		else
			b->edge &= ~bit;
	}
}

static uint32_t id_read(uint32_t off)
{
	return off >= 0xffd0 && off <= 0xfffc ? gic_id_regs[(off - 0xffd0) / 4] : 0;
}

/* ---- distributor ---- */

static uint32_t dist_read32(gicv3 *g, uint32_t off)
{
	uint32_t v;

	switch (off) {
	case 0x0000: return g->ctlr;
	case 0x0004:	/* TYPER: ITLinesNumber, CPUNumber, LPIS, IDbits = 15, A3V, No1N */
		return (NBANKS - 1) | (uint32_t)((g->ncpus - 1) & 7) << 5 | 1u << 17 | 15u << 19 | 1u << 24 | 1u << 25;
	case 0x0008: return 0x0000043b;	/* IIDR: Arm */
	case 0x000c: return 0;		/* TYPER2 */
	case 0x0010: return 0;		/* STATUSR */
	}
	if (off >= 0x0080 && off < 0x0400) {
		unsigned n = (off & 0x7f) / 4;
		if (n == 0 || n >= NBANKS)	/* bank 0 lives in the redistributors */
			return 0;
		return bank_read(&g->spi[n], off, &v) ? v : 0;
	}
	if (off >= 0x0c00 && off < 0x0d00) {
		unsigned n = (off - 0xc00) / 4;
		if (n < 2 || n >= NBANKS * 2)
			return 0;
		return icfgr_read(&g->spi[n / 2], n & 1);
	}
	if (off >= 0x0d00 && off < 0x0d80)
		return 0;
	if (off >= 0xffd0)
		return id_read(off);
	return 0;
}

static void dist_write32(gicv3 *g, uint32_t off, uint32_t v)
{
	if (off == 0x0000) {
		g->ctlr = (v & (CTLR_EN_GRP0 | CTLR_EN_GRP1)) | CTLR_ARE | CTLR_DS;
		update_all(g);
		return;
	}
	if (off >= 0x0080 && off < 0x0400) {
		unsigned n = (off & 0x7f) / 4;
		if (n == 0 || n >= NBANKS)
			return;
		bank_write(&g->spi[n], off, v);
		update_all(g);
		return;
	}
	if (off >= 0x0c00 && off < 0x0d00) {
		unsigned n = (off - 0xc00) / 4;
		if (n >= 2 && n < NBANKS * 2)
			icfgr_write(&g->spi[n / 2], n & 1, v, 0);
		return;
	}
	if (off == 0x0040 && v >= 32 && v < GICV3_NR_IRQS) {	/* SETSPI_NSR */
		g->spi[v / 32].pend |= 1u << (v % 32);
		update_all(g);
	} else if (off == 0x0048 && v >= 32 && v < GICV3_NR_IRQS) {	/* CLRSPI_NSR */
		g->spi[v / 32].pend &= ~(1u << (v % 32));
		update_all(g);
	}
}

static uint64_t dist_read(void *opaque, uint64_t off, unsigned size)
{
	gicv3 *g = opaque;

	if (off >= 0x0400 && off < 0x0800) {		/* IPRIORITYR: bytes */
		uint64_t v = 0;
		for (unsigned i = 0; i < size; i++) {
			unsigned intid = (unsigned)(off - 0x400) + i;
			if (intid >= 32 && intid < GICV3_NR_IRQS)
				v |= (uint64_t)g->spi[intid / 32].prio[intid % 32] << (8 * i);
		}
		return v;
	}
	if (off >= 0x6100 && off < 0x6000 + 8 * GICV3_NR_IRQS) {	/* IROUTER */
		unsigned intid = (unsigned)(off - 0x6000) / 8;
		return g->irouter[intid] >> (8 * (off & 7));
	}
	if (size == 8)
		return dist_read32(g, off & ~3u) | (uint64_t)dist_read32(g, (off & ~3u) + 4) << 32;
	return dist_read32(g, off & ~3u) >> (8 * (off & 3));
}

static void dist_write_regs(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	gicv3 *g = opaque;

	if (off >= 0x0400 && off < 0x0800) {
		for (unsigned i = 0; i < size; i++) {
			unsigned intid = (unsigned)(off - 0x400) + i;
			if (intid >= 32 && intid < GICV3_NR_IRQS)
				g->spi[intid / 32].prio[intid % 32] = (uint8_t)(v >> (8 * i));
		}
		update_all(g);
		return;
	}
	if (off >= 0x6100 && off < 0x6000 + 8 * GICV3_NR_IRQS) {
		unsigned intid = (unsigned)(off - 0x6000) / 8, sh = 8 * (off & 7);
		uint64_t mask = (size == 8 ? ~0ull : ((1ull << (8 * size)) - 1)) << sh;
		uint64_t r = (g->irouter[intid] & ~mask) | ((v << sh) & mask);
		g->irouter[intid] = r & 0xff80ffffffull;	/* Aff3, IRM, Aff2..0 */
		route_spi(g, intid);
		update_all(g);
		return;
	}
	if (size == 8) {
		dist_write32(g, off & ~3u, (uint32_t)v);
		dist_write32(g, (off & ~3u) + 4, (uint32_t)(v >> 32));
	} else if (size == 4) {
		dist_write32(g, off, (uint32_t)v);
	}
	/* narrower writes to word registers are ignored (UNPREDICTABLE) */
}

static void dist_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	gicv3 *g = opaque;
	gic_snap s;

	if (!tracing(g)) {
		dist_write_regs(g, off, v, size);
		return;
	}
	snap_take(g, 0, &s);
	dist_write_regs(g, off, v, size);
	snap_diff(g, 0, &s, true);
}

static bool dist_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	*v = dist_read(opaque, off, size);
	return true;
}

static const char *dist_reg_name(void *opaque, uint64_t off)
{
	(void)opaque;
	switch (off) {
	case 0x0000: return "GICD_CTLR";
	case 0x0004: return "GICD_TYPER";
	case 0x0008: return "GICD_IIDR";
	case 0x000c: return "GICD_TYPER2";
	case 0xffe8: return "GICD_PIDR2";
	}
	if (off >= 0x80 && off < 0x100) return "GICD_IGROUPR";
	if (off >= 0x100 && off < 0x180) return "GICD_ISENABLER";
	if (off >= 0x180 && off < 0x200) return "GICD_ICENABLER";
	if (off >= 0x200 && off < 0x280) return "GICD_ISPENDR";
	if (off >= 0x280 && off < 0x300) return "GICD_ICPENDR";
	if (off >= 0x300 && off < 0x380) return "GICD_ISACTIVER";
	if (off >= 0x380 && off < 0x400) return "GICD_ICACTIVER";
	if (off >= 0x400 && off < 0x800) return "GICD_IPRIORITYR";
	if (off >= 0xc00 && off < 0xd00) return "GICD_ICFGR";
	if (off >= 0x6000 && off < 0x8000) return "GICD_IROUTER";
	return NULL;
}

const mmio_ops gicv3_dist_ops = {
	.read = dist_read, .write = dist_write, .peek = dist_peek, .reg_name = dist_reg_name,
};

/* ---- redistributors ---- */

/*
 * LPIs are advertised (GICD_TYPER.LPIS, GICR_TYPER.PLPIS, CommonLPIAff = 1,
 * GICR_CTLR.CES) and their registers kept, as QEMU's virt GICv3 does even
 * without an ITS; with no ITS in the DTB, Linux does not enable them.
 */
static uint64_t rd_typer(gicv3 *g, int cpu)
{
	return mpidr_aff(g->cpu[cpu].mpidr) << 32 | 1u << 24 | (uint64_t)cpu << 8 |
	       (cpu == g->ncpus - 1 ? 1u << 4 : 0) | 1u;
}

static uint32_t redist_read32(gicv3 *g, int cpu, uint32_t off)
{
	gic_cpu *c = &g->cpu[cpu];
	uint32_t v;

	if (off < 0x10000) {		/* RD_base */
		switch (off) {
		case 0x0000: return c->rd_ctlr | 1u << 1;	/* CTLR: CES, RWP = 0 */
		case 0x0004: return 0x0000043b;	/* IIDR */
		case 0x0008: return (uint32_t)rd_typer(g, cpu);
		case 0x000c: return (uint32_t)(rd_typer(g, cpu) >> 32);
		case 0x0014: return c->waker;
		case 0x0070: return (uint32_t)c->propbaser;
		case 0x0074: return (uint32_t)(c->propbaser >> 32);
		case 0x0078: return (uint32_t)c->pendbaser;
		case 0x007c: return (uint32_t)(c->pendbaser >> 32);
		}
		return id_read(off);
	}
	off -= 0x10000;			/* SGI_base */
	if (off >= 0x0080 && off < 0x0400 && (off & 0x7f) == 0)
		return bank_read(&c->priv, off, &v) ? v : 0;
	if (off == 0x0c00 || off == 0x0c04)
		return icfgr_read(&c->priv, (off - 0xc00) / 4);
	return 0;
}

static void redist_write32(gicv3 *g, int cpu, uint32_t off, uint32_t v)
{
	gic_cpu *c = &g->cpu[cpu];

	if (off < 0x10000) {
		if (off == 0x0014) {	/* ChildrenAsleep follows ProcessorSleep at once */
			c->waker = (v & WAKER_PROCESSOR_SLEEP) ? WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP : 0;
		} else if (off == 0x0000) {
			c->rd_ctlr = v & 1;	/* EnableLPIs: read the tables (again) */
			lpi_rescan(g, cpu);
			update_cpu(g, cpu);
		} else if (off >= 0x0070 && off < 0x0080 && !(c->rd_ctlr & 1)) {	/* fixed once enabled */
			uint64_t *r = off < 0x0078 ? &c->propbaser : &c->pendbaser;
			unsigned sh = off & 4 ? 32 : 0;
			*r = (*r & ~(0xffffffffull << sh)) | (uint64_t)v << sh;
		}
		return;
	}
	off -= 0x10000;
	if (off >= 0x0080 && off < 0x0400 && (off & 0x7f) == 0) {
		bank_write(&c->priv, off, v);
		update_cpu(g, cpu);
	} else if (off == 0x0c00 || off == 0x0c04) {
		icfgr_write(&c->priv, (off - 0xc00) / 4, v, 0xffff);	/* SGIs are always edge */
	}
}

static uint64_t redist_read(void *opaque, uint64_t addr, unsigned size)
{
	gicv3 *g = opaque;
	int cpu = (int)(addr / GICV3_REDIST_STRIDE);
	uint32_t off = (uint32_t)(addr % GICV3_REDIST_STRIDE);

	if (cpu >= g->ncpus)
		return 0;
	if (off >= 0x10400 && off < 0x10420) {		/* IPRIORITYR0-7: bytes */
		uint64_t v = 0;
		for (unsigned i = 0; i < size && off - 0x10400 + i < 32; i++)
			v |= (uint64_t)g->cpu[cpu].priv.prio[off - 0x10400 + i] << (8 * i);
		return v;
	}
	if (size == 8)
		return redist_read32(g, cpu, off & ~3u) | (uint64_t)redist_read32(g, cpu, (off & ~3u) + 4) << 32;
	return redist_read32(g, cpu, off & ~3u) >> (8 * (off & 3));
}

static void redist_write_regs(void *opaque, uint64_t addr, uint64_t v, unsigned size)
{
	gicv3 *g = opaque;
	int cpu = (int)(addr / GICV3_REDIST_STRIDE);
	uint32_t off = (uint32_t)(addr % GICV3_REDIST_STRIDE);

	if (cpu >= g->ncpus)
		return;
	if (off >= 0x10400 && off < 0x10420) {
		for (unsigned i = 0; i < size && off - 0x10400 + i < 32; i++)
			g->cpu[cpu].priv.prio[off - 0x10400 + i] = (uint8_t)(v >> (8 * i));
		update_cpu(g, cpu);
		return;
	}
	if (size == 8) {
		redist_write32(g, cpu, off & ~3u, (uint32_t)v);
		redist_write32(g, cpu, (off & ~3u) + 4, (uint32_t)(v >> 32));
	} else if (size == 4) {
		redist_write32(g, cpu, off, (uint32_t)v);
	}
}

static void redist_write(void *opaque, uint64_t addr, uint64_t v, unsigned size)
{
	gicv3 *g = opaque;
	int cpu = (int)(addr / GICV3_REDIST_STRIDE);
	gic_snap s;

	if (!tracing(g) || cpu >= g->ncpus) {
		redist_write_regs(g, addr, v, size);
		return;
	}
	snap_take(g, cpu, &s);
	redist_write_regs(g, addr, v, size);
	snap_diff(g, cpu, &s, true);
}

static bool redist_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	*v = redist_read(opaque, off, size);
	return true;
}

static const char *redist_reg_name(void *opaque, uint64_t addr)
{
	uint32_t off = (uint32_t)(addr % GICV3_REDIST_STRIDE);
	(void)opaque;
	switch (off) {
	case 0x0000: return "GICR_CTLR";
	case 0x0008: return "GICR_TYPER";
	case 0x0014: return "GICR_WAKER";
	case 0x0070: return "GICR_PROPBASER";
	case 0x0078: return "GICR_PENDBASER";
	case 0xffe8: return "GICR_PIDR2";
	case 0x10080: return "GICR_IGROUPR0";
	case 0x10100: return "GICR_ISENABLER0";
	case 0x10180: return "GICR_ICENABLER0";
	case 0x10200: return "GICR_ISPENDR0";
	case 0x10280: return "GICR_ICPENDR0";
	case 0x10300: return "GICR_ISACTIVER0";
	case 0x10380: return "GICR_ICACTIVER0";
	case 0x10c00: return "GICR_ICFGR0";
	case 0x10c04: return "GICR_ICFGR1";
	}
	if (off >= 0x10400 && off < 0x10420)
		return "GICR_IPRIORITYR";
	return NULL;
}

const mmio_ops gicv3_redist_ops = {
	.read = redist_read, .write = redist_write, .peek = redist_peek, .reg_name = redist_reg_name,
};

/* ---- CPU interface ---- */

#define ICC(crn, crm, op2) SYSREG_ENC(3, 0, crn, crm, op2)
enum {
	ICC_PMR = ICC(4, 6, 0),
	ICC_IAR0 = ICC(12, 8, 0), ICC_EOIR0 = ICC(12, 8, 1), ICC_HPPIR0 = ICC(12, 8, 2),
	ICC_BPR0 = ICC(12, 8, 3), ICC_AP0R0 = ICC(12, 8, 4), ICC_AP0R3 = ICC(12, 8, 7),
	ICC_AP1R0 = ICC(12, 9, 0), ICC_AP1R3 = ICC(12, 9, 3),
	ICC_DIR = ICC(12, 11, 1), ICC_RPR = ICC(12, 11, 3), ICC_SGI1R = ICC(12, 11, 5),
	ICC_ASGI1R = ICC(12, 11, 6), ICC_SGI0R = ICC(12, 11, 7),
	ICC_IAR1 = ICC(12, 12, 0), ICC_EOIR1 = ICC(12, 12, 1), ICC_HPPIR1 = ICC(12, 12, 2),
	ICC_BPR1 = ICC(12, 12, 3), ICC_CTLR = ICC(12, 12, 4), ICC_SRE = ICC(12, 12, 5),
	ICC_IGRPEN0 = ICC(12, 12, 6), ICC_IGRPEN1 = ICC(12, 12, 7),
};

static int acknowledge(gicv3 *g, int cpu)
{
	gic_cpu *c = &g->cpu[cpu];
	int prio, intid = signalled(g, cpu, &prio);
	gic_bank *b;
	uint32_t bit;

	if (tracing(g) && intid == GICV3_SPURIOUS)
		trace_irq(g->m, cpu, "gicv3 IAR1 read: spurious (1023)");
	else if (tracing(g))
		trace_intid(g, cpu, intid, "acknowledged (IAR1), priority 0x%02x", prio);
	if (intid == GICV3_SPURIOUS)
		return intid;
	if (intid >= LPI_BASE) {	/* no active state: pending cleared, priority raised */
		c->ap1r |= 1u << ((prio & gprio_mask(c)) >> (8 - PRI_BITS));
		gicv3_lpi_set(g, cpu, (uint32_t)intid, 0);
		return intid;
	}
	b = bank_of(g, cpu, intid);
	bit = 1u << (intid % 32);
	b->active |= bit;
	b->pend &= ~bit;
	c->ap1r |= 1u << ((prio & gprio_mask(c)) >> (8 - PRI_BITS));
	update_for(g, cpu, intid);
	update_cpu(g, cpu);
	return intid;
}

static void deactivate(gicv3 *g, int cpu, int intid)
{
	if (intid >= GICV3_NR_IRQS)
		return;

	bank_of(g, cpu, intid)->active &= ~(1u << (intid % 32));
	update_for(g, cpu, intid);
}

static void end_of_interrupt(gicv3 *g, int cpu, int intid)
{
	gic_cpu *c = &g->cpu[cpu];
	uint32_t ap = c->ap0r | c->ap1r;

	if (intid >= 1020 && intid < LPI_BASE)
		return;
	if (tracing(g))
		trace_intid(g, cpu, intid, "EOI (%s)", (c->icc_ctlr & ICC_CTLR_EOIMODE) || intid >= LPI_BASE ?
			    "priority drop" : "priority drop, deactivate");
	if (ap) {		/* priority drop: the highest active priority */
		uint32_t low = ap & -ap;
		c->ap0r &= ~low;
		c->ap1r &= ~low;
	}
	if (!(c->icc_ctlr & ICC_CTLR_EOIMODE))
		deactivate(g, cpu, intid);
	update_cpu(g, cpu);
}

/* ICC_SGI1R/ASGI1R/SGI0R: pend an SGI on the targets. */
static void send_sgi(gicv3 *g, int self, uint64_t v)
{
	int intid = (int)bits(v, 27, 24);
	uint64_t want = bits(v, 23, 16) << 8 | bits(v, 39, 32) << 16 | bits(v, 55, 48) << 24;
	unsigned rs = (unsigned)bits(v, 47, 44), list = (unsigned)bits(v, 15, 0);
	bool irm = v & (1ull << 40);

	for (int i = 0; i < g->ncpus; i++) {
		uint64_t aff = mpidr_aff(g->cpu[i].mpidr);
		unsigned aff0 = aff & 0xff;
		if (irm ? i == self :
		    (aff & ~0xffull) != want || aff0 / 16 != rs || !(list & (1u << (aff0 % 16))))
			continue;
		if (tracing(g))
			trace_irq(g->m, self, "gicv3 SGI %d sent to cpu%d", intid, i);
		g->cpu[i].priv.pend |= 1u << intid;
		update_cpu(g, i);
	}
}

bool gicv3_icc_read(gicv3 *g, int cpu, uint32_t enc, uint64_t *v)
{
	gic_cpu *c;
	int prio;

	if (cpu < 0 || cpu >= g->ncpus)
		return false;
	c = &g->cpu[cpu];
	switch (enc) {
	case ICC_PMR: *v = c->pmr; return true;
	case ICC_IAR1: *v = (uint64_t)acknowledge(g, cpu); return true;
	case ICC_IAR0: case ICC_HPPIR0: *v = GICV3_SPURIOUS; return true;
	case ICC_HPPIR1: *v = (uint64_t)hppi(g, cpu, &prio); return true;
	case ICC_BPR0: *v = c->bpr0; return true;
	case ICC_BPR1: *v = c->bpr1; return true;
	case ICC_AP0R0: *v = c->ap0r; return true;
	case ICC_AP1R0: *v = c->ap1r; return true;
	case ICC_RPR: {
		unsigned r = running_prio(c);
		*v = r == IDLE_PRIO ? 0xff : r;
		return true;
	}
	case ICC_CTLR: *v = c->icc_ctlr | ICC_CTLR_RO; return true;
	case ICC_SRE: *v = 0x7; return true;	/* SRE, DFB, DIB: system registers only */
	case ICC_IGRPEN0: *v = c->igrpen0; return true;
	case ICC_IGRPEN1: *v = c->igrpen1; return true;
	case ICC_EOIR0: case ICC_EOIR1: case ICC_DIR:
	case ICC_SGI1R: case ICC_ASGI1R: case ICC_SGI0R:
		*v = 0;		/* write-only: reads are UNDEFINED architecturally, be lenient */
		return true;
	}
	if ((enc > ICC_AP0R0 && enc <= ICC_AP0R3) || (enc > ICC_AP1R0 && enc <= ICC_AP1R3)) {
		*v = 0;
		return true;
	}
	return false;
}

static bool icc_write_regs(gicv3 *g, int cpu, uint32_t enc, uint64_t v)
{
	gic_cpu *c;

	if (cpu < 0 || cpu >= g->ncpus)
		return false;
	c = &g->cpu[cpu];
	switch (enc) {
	case ICC_PMR: c->pmr = (uint32_t)v & PRI_MASK; break;
	case ICC_EOIR1: end_of_interrupt(g, cpu, (int)(v & 0xffffff)); break;
	case ICC_EOIR0: break;
	case ICC_DIR:
		if (tracing(g) && (v & 0xffffff) < GICV3_NR_IRQS)
			trace_intid(g, cpu, (int)(v & 0xffffff), "deactivated (DIR)");
		deactivate(g, cpu, (int)(v & 0xffffff));
		break;
	case ICC_BPR0: c->bpr0 = (uint32_t)v & 7; if (c->bpr0 < BPR0_MIN) c->bpr0 = BPR0_MIN; break;
	case ICC_BPR1: c->bpr1 = (uint32_t)v & 7; if (c->bpr1 < BPR1_MIN) c->bpr1 = BPR1_MIN; break;
	case ICC_AP0R0: c->ap0r = (uint32_t)v; break;
	case ICC_AP1R0: c->ap1r = (uint32_t)v; break;
	case ICC_CTLR: c->icc_ctlr = (uint32_t)v & (ICC_CTLR_CBPR | ICC_CTLR_EOIMODE); break;
	case ICC_SRE: break;
	case ICC_IGRPEN0: c->igrpen0 = (uint32_t)v & 1; break;
	case ICC_IGRPEN1: c->igrpen1 = (uint32_t)v & 1; break;
	case ICC_SGI1R: case ICC_ASGI1R: case ICC_SGI0R: send_sgi(g, cpu, v); return true;
	case ICC_IAR0: case ICC_IAR1: case ICC_HPPIR0: case ICC_HPPIR1: case ICC_RPR:
		break;		/* read-only: ignore */
	default:
		if ((enc > ICC_AP0R0 && enc <= ICC_AP0R3) || (enc > ICC_AP1R0 && enc <= ICC_AP1R3))
			break;
		return false;
	}
	update_cpu(g, cpu);
	return true;
}

bool gicv3_icc_write(gicv3 *g, int cpu, uint32_t enc, uint64_t v)
{
	gic_snap s;
	bool ok;

	if (!tracing(g) || cpu < 0 || cpu >= g->ncpus)
		return icc_write_regs(g, cpu, enc, v);
	snap_take(g, cpu, &s);
	ok = icc_write_regs(g, cpu, enc, v);
	snap_diff(g, cpu, &s, false);
	return ok;
}

/* ---- life cycle ---- */


gicv3 *gicv3_new(int ncpus, const uint64_t *mpidr, gicv3_irq_fn set_irq, void *opaque)
{
	gicv3 *g = kwb_zalloc(sizeof(*g));

	if (ncpus < 1 || ncpus > GICV3_MAX_CPUS)
		kwb_fatal("gicv3: %d CPUs (1 to %d supported)", ncpus, GICV3_MAX_CPUS);
	g->base = (arm_gic){ .name = "gicv3", .set_spi = base_set_spi, .set_private = base_set_private };
	g->ncpus = ncpus;
	for (int i = 0; i < ncpus; i++)
		g->cpu[i].mpidr = mpidr[i];
	g->set_irq = set_irq;
	g->opaque = opaque;
	gicv3_reset(g);
	return g;
}

void gicv3_reset(gicv3 *g)
{
	g->ctlr = CTLR_ARE | CTLR_DS;
	for (int n = 0; n < NBANKS; n++)
		memset(&g->spi[n], 0, sizeof(g->spi[n]));
	for (int i = 0; i < GICV3_NR_IRQS; i++) {
		g->irouter[i] = 0;
		route_spi(g, i);
	}
	for (int i = 0; i < g->ncpus; i++) {
		gic_cpu *c = &g->cpu[i];
		uint64_t mpidr = c->mpidr;
		int out = c->irq_out;
		memset(c, 0, sizeof(*c));
		c->mpidr = mpidr;
		c->irq_out = out;
		c->priv.edge = 0xffff;		/* SGIs */
		c->waker = WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP;
		c->bpr0 = BPR0_MIN;
		c->bpr1 = BPR1_MIN;
		c->hpplpi_prio = IDLE_PRIO;
	}
	update_all(g);
}

void gicv3_set_bus(gicv3 *g, bus *b)
{
	g->bus = b;
}

void gicv3_free(gicv3 *g)
{
	free(g);
}

/* ---- state: one description serves snapshots, diff and `info gic` ---- */

static void show_irq(mon_out *o, gicv3 *g, int cpu, int intid)
{
	gic_bank *b = bank_of(g, cpu, intid);
	int i = intid % 32;
	uint32_t bit = 1u << i;
	bool pend = (b->pend | (b->level & ~b->edge)) & bit;

	if (!(b->enable & bit) && !pend && !(b->active & bit))
		return;
	mon_printf(o, "  %4d %-5s prio 0x%02x %s%s%s%s", intid, (b->edge & bit) ? "edge" : "level",
		   b->prio[i], (b->enable & bit) ? "enabled" : "disabled", pend ? " pending" : "",
		   (b->active & bit) ? " active" : "", (b->group & bit) ? "" : " group0");
	if (intid >= 32)
		mon_printf(o, " -> %s%d", g->target[intid] < 0 ? "nobody " : "cpu", g->target[intid]);
	if (b->level & bit)
		mon_printf(o, " (line high)");
	mon_printf(o, "\n");
}

/* What the fields do not say at a glance: per CPU the interrupt it would
 * take and its running priority, then every interrupt in use decoded. */
static void gic_info(void *obj, mon_out *o)
{
	gicv3 *g = obj;

	mon_printf(o, "decoded: GICD_CTLR Grp1 %s, %d INTIDs\n", (g->ctlr & CTLR_EN_GRP1) ? "on" : "off",
		   GICV3_NR_IRQS);
	for (int cpu = 0; cpu < g->ncpus; cpu++) {
		gic_cpu *k = &g->cpu[cpu];
		int prio, hp = hppi(g, cpu, &prio);
		unsigned rp = running_prio(k);
		mon_printf(o, "cpu%d: mpidr 0x%llx IRQ %s PMR 0x%02x RPR 0x%02x IGRPEN1 %u EOImode %u HPPI %d\n",
			   cpu, (unsigned long long)k->mpidr, k->irq_out ? "high" : "low", k->pmr,
			   rp == IDLE_PRIO ? 0xff : rp, k->igrpen1, (k->icc_ctlr & ICC_CTLR_EOIMODE) ? 1 : 0, hp);
		for (int i = 0; i < 32; i++)
			show_irq(o, g, cpu, i);
	}
	mon_printf(o, "SPIs:\n");
	for (int i = 32; i < GICV3_NR_IRQS; i++)
		show_irq(o, g, 0, i);
}

/* An SPI's target CPU follows from its IROUTER, the highest pending LPI
 * from the tables in RAM. */
static int gic_post_load(void *obj, char *err, size_t errlen)
{
	gicv3 *g = obj;

	(void)err, (void)errlen;
	for (int i = 32; i < GICV3_NR_IRQS; i++)
		route_spi(g, i);
	for (int i = 0; i < g->ncpus; i++)
		lpi_rescan(g, i);
	return 0;
}

static const state_field gic_bank_fields[] = {
	ST_U32(gic_bank, group),
	ST_U32(gic_bank, enable),
	ST_U32(gic_bank, pend),
	ST_U32(gic_bank, active),
	ST_U32(gic_bank, level),
	ST_U32(gic_bank, edge),
	ST_UINT_ARRAY(gic_bank, prio),
	ST_END
};
static const state_desc gic_bank_state = { .name = "gicv3-bank", .version = 1, .fields = gic_bank_fields };

/* The redistributor and CPU interface of one CPU (mpidr is configuration). */
static const state_field gic_cpu_fields[] = {
	ST_STRUCT(gic_cpu, priv, gic_bank_state),
	ST_U32(gic_cpu, waker),
	ST_U32(gic_cpu, rd_ctlr),
	ST_U64(gic_cpu, propbaser),
	ST_U64(gic_cpu, pendbaser),
	ST_U32(gic_cpu, pmr),
	ST_U32(gic_cpu, bpr0),
	ST_U32(gic_cpu, bpr1),
	ST_U32(gic_cpu, icc_ctlr),
	ST_U32(gic_cpu, igrpen0),
	ST_U32(gic_cpu, igrpen1),
	ST_U32(gic_cpu, ap0r),
	ST_U32(gic_cpu, ap1r),
	ST_INT(gic_cpu, irq_out),
	ST_END
};
static const state_desc gic_cpu_state = { .name = "gicv3-cpu", .version = 1, .fields = gic_cpu_fields };

/* spi[0] is unused (bank 0 is per CPU) but kept: one array, one record. */
static const state_field gicv3_fields[] = {
	ST_U32(gicv3, ctlr),
	ST_STRUCT_ARRAY(gicv3, spi, gic_bank_state),
	ST_UINT_ARRAY(gicv3, irouter),
	ST_STRUCT_ARRAY_N(gicv3, cpu, gic_cpu_state, ncpus),
	ST_END
};
static const state_desc gicv3_model_state = {
	.name = "gicv3-model", .version = 1, .fields = gicv3_fields,
	.post_load = gic_post_load, .info = gic_info,
};

/* ---- the "gicv3" device on a board: base = GICD, param = GICR region ---- */

typedef struct gicv3_dev {
	gicv3 *g;
	machine *m;
	a64_sysreg_handler icc;
} gicv3_dev;

static void cpu_irq(void *opaque, int cpu, int level)
{
	machine *m = opaque;
	a64_set_irq(m->cpus[cpu], A64_IRQ, level);
}

static bool icc_read(void *opaque, cpu *c, uint32_t enc, uint64_t *value)
{
	return gicv3_icc_read(opaque, c->index, enc, value);
}

static bool icc_write(void *opaque, cpu *c, uint32_t enc, uint64_t value)
{
	return gicv3_icc_write(opaque, c->index, enc, value);
}

static void *gicv3_dev_create(machine *m, const board_device *d)
{
	gicv3_dev *s;
	uint64_t mpidr[GICV3_MAX_CPUS];

	s = kwb_zalloc(sizeof(*s));
	for (int i = 0; i < m->ncpus; i++)
		mpidr[i] = a64_mpidr(m->cpus[i]);
	s->m = m;
	s->g = gicv3_new(m->ncpus, mpidr, cpu_irq, m);
	s->g->m = m;
	s->g->bus = &m->bus;
	s->icc = (a64_sysreg_handler){ .read = icc_read, .write = icc_write, .opaque = s->g };
	bus_add_mmio(&m->bus, "gicv3-dist", d->base, GICV3_DIST_SIZE, &gicv3_dist_ops, s->g);
	bus_add_mmio(&m->bus, "gicv3-redist", (paddr_t)d->param,
		     (uint64_t)m->ncpus * GICV3_REDIST_STRIDE, &gicv3_redist_ops, s->g);
	a64_set_gic_handler(m, &s->icc);
	m->irqchip = s->g;
	return s;
}

static void gicv3_dev_reset(void *state)
{
	gicv3_reset(((gicv3_dev *)state)->g);
}

static void gicv3_dev_free(void *state)
{
	gicv3_dev *s = state;
	if (s->m->irqchip == s->g)
		s->m->irqchip = NULL;
	gicv3_free(s->g);
	free(s);
}

static const state_field gicv3_dev_fields[] = {
	ST_PTR(gicv3_dev, g, gicv3_model_state),
	ST_END
};
static const state_desc gicv3_state = { .name = "gicv3", .version = 1, .fields = gicv3_dev_fields };

DEVICE_TYPE(gicv3_type) {
	.name = "gicv3",
	.create = gicv3_dev_create,
	.reset = gicv3_dev_reset,
	.free = gicv3_dev_free,
	.state = &gicv3_state,
};
