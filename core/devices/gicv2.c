/*
 * GICv2 model (see gicv2.h), register for register as QEMU 7.2's arm_gic
 * without security extensions presents it (each value was read on QEMU:
 * tests/guest/aarch64/cmp/gicv2*.S), including where QEMU chooses among
 * what the architecture allows:
 * - an interrupt is signalled when its priority (not its group priority)
 *   is below the running priority, and an acknowledge is refused (1023)
 *   otherwise; EOI drops the highest active priority of the interrupt's
 *   group and GICC_DIR is ignored unless EOImode is 1;
 * - enabling a level-sensitive interrupt whose line is high latches it
 *   pending;
 * - SGIs are always enabled and edge-triggered; a uniprocessor GIC's
 *   ITARGETSR read as zero and every SPI goes to CPU 0.
 * Interrupt state lives in 32-INTID banks: bank 0 (SGIs, PPIs) per CPU,
 * banks 1..8 (SPIs) in the distributor. After every change the CPUs that
 * may be affected get their highest pending interrupt recomputed, and
 * their IRQ/FIQ lines driven only when they change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm_gic.h"
#include "gicv2.h"
#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../monitor.h"
#include "../state.h"
#include "../trace_hooks.h"
#include "../arch/aarch64/aarch64.h"

#define NBANKS (GICV2_NR_IRQS / 32)
#define NR_APRS 4		/* 8 priority bits: 128 preemption levels */
#define IDLE_PRIO 0x100
#define MAXIRQ 1020		/* INTIDs 1020..1023 are special */
#define SPURIOUS_GRP1 1022	/* a group-1 interrupt a group-0 acknowledge may not take */

enum { EN_GRP0 = 1u << 0, EN_GRP1 = 1u << 1 };			/* GICD_CTLR, GICC_CTLR */
enum { ACK_CTL = 1u << 2, FIQ_EN = 1u << 3, CBPR = 1u << 4, EOIMODE = 1u << 9 };	/* GICC_CTLR */
#define GICC_CTLR_MASK (EN_GRP0 | EN_GRP1 | ACK_CTL | FIQ_EN | CBPR | EOIMODE)

enum {
	GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_BPR = 0x08, GICC_IAR = 0x0c, GICC_EOIR = 0x10,
	GICC_RPR = 0x14, GICC_HPPIR = 0x18, GICC_ABPR = 0x1c, GICC_AIAR = 0x20, GICC_AEOIR = 0x24,
	GICC_AHPPIR = 0x28, GICC_APR0 = 0xd0, GICC_NSAPR0 = 0xe0, GICC_IIDR = 0xfc, GICC_DIR = 0x1000,
};
#define GICD_SGIR 0xf00
#define GICD_CPENDSGIR 0xf10
#define GICD_SPENDSGIR 0xf20

static const uint8_t gicv2_id_regs[12] = {	/* 0xFD0..0xFFC: PIDR4-7, PIDR0-3, CIDR0-3 */
	0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1,
};

typedef arm_gic_bank v2_bank;

typedef struct v2_cpu {
	v2_bank priv;		/* SGIs and PPIs as this CPU sees them */
	uint8_t sgi_src[16];	/* per SGI: the CPUs it is pending from */
	uint32_t ctlr, pmr, bpr, abpr;
	uint32_t apr[NR_APRS], nsapr[NR_APRS];	/* active priorities, group 0 / 1 */
	uint32_t running;	/* running priority; IDLE_PRIO with nothing active */
	/* derived: the highest pending interrupt that passes PMR (1023:
	 * none), and the lines as driven */
	int pending;
	int irq_out, fiq_out;
} v2_cpu;

struct gicv2 {
	arm_gic base;		/* first: the machine's irqchip */
	int ncpus;
	uint32_t ctlr;
	v2_bank spi[NBANKS];	/* spi[0] is unused: bank 0 is per CPU */
	uint8_t target[GICV2_NR_IRQS];	/* ITARGETSR of the SPIs */
	v2_cpu cpu[GICV2_MAX_CPUS];
	gicv2_irq_fn set_irq;
	void *opaque;
	machine *m;		/* NULL for a bare GIC (unit tests) */
	int accessor;		/* the accessing CPU without a machine */
};

/* ---- -d irq ---- */

static bool tracing(gicv2 *g)
{
	return unlikely(g->m && trace_on(g->m->trace, TRACE_IRQ));
}

static int spi_cpu(gicv2 *g, int intid);

static void trace_intid(gicv2 *g, int cpu, int intid, const char *fmt, ...) KWB_PRINTF(4, 5);

static void trace_intid(gicv2 *g, int cpu, int intid, const char *fmt, ...)
{
	char name[64], what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (intid >= 32)
		cpu = spi_cpu(g, intid);
	trace_irq(g->m, cpu, "gicv2 %s %s", arm_gic_intid_name(g->m, intid, name, sizeof(name)), what);
}

typedef struct bank_trace {
	gicv2 *g;
	int cpu;
} bank_trace;

static void trace_bank_change(void *ctx, int intid, const char *what)
{
	bank_trace *t = ctx;

	trace_intid(t->g, t->cpu, intid, "%s", what);
}

/* Reports every INTID whose configuration or state differs between o and
 * b (bank n; bank 0 is cpu's SGIs and PPIs). */
static void trace_bank_diff(gicv2 *g, int cpu, int n, const v2_bank *o, const v2_bank *b)
{
	arm_gic_bank_diff(n, o, b, trace_bank_change, &(bank_trace){ g, cpu });
}

/* What a register write may change, copied only when tracing. */
typedef struct v2_snap {
	uint32_t ctlr;
	v2_bank spi[NBANKS];
	uint8_t target[GICV2_NR_IRQS];
	v2_cpu cpu;
} v2_snap;

static void snap_take(gicv2 *g, int cpu, v2_snap *s)
{
	s->ctlr = g->ctlr;
	memcpy(s->spi, g->spi, sizeof(s->spi));
	memcpy(s->target, g->target, sizeof(s->target));
	s->cpu = g->cpu[cpu];
}

/* banks: distributor state too (a GICD write); a GICC write reports its
 * own effects (acknowledge, EOI, DIR) and the CPU interface settings. */
static void snap_diff(gicv2 *g, int cpu, const v2_snap *s, bool banks)
{
	v2_cpu *c = &g->cpu[cpu];
	uint32_t d;

	if (!banks)
		goto cpu_interface;
	for (d = (s->ctlr ^ g->ctlr) & (EN_GRP0 | EN_GRP1); d; d &= d - 1) {
		int grp = __builtin_ctz(d);
		trace_irq(g->m, -1, "gicv2 distributor group %d %s", grp, g->ctlr >> grp & 1 ? "enabled" : "disabled");
	}
	for (int n = 1; n < NBANKS; n++)
		trace_bank_diff(g, cpu, n, &s->spi[n], &g->spi[n]);
	for (int i = 32; i < GICV2_NR_IRQS; i++)
		if (s->target[i] != g->target[i])
			trace_intid(g, -1, i, "targets 0x%02x", g->target[i]);
	trace_bank_diff(g, cpu, 0, &s->cpu.priv, &c->priv);
cpu_interface:
	for (d = (s->cpu.ctlr ^ c->ctlr) & GICC_CTLR_MASK; d; d &= d - 1) {
		static const char *const bit[10] = { "group 0", "group 1", "AckCtl", "FIQEn", "CBPR",
						     [9] = "EOImode" };
		int b = __builtin_ctz(d);
		trace_irq(g->m, cpu, "gicv2 CPU interface %s %s", bit[b], c->ctlr >> b & 1 ?
			  (b < 2 ? "enabled" : "on") : (b < 2 ? "disabled" : "off"));
	}
	if (s->cpu.pmr != c->pmr)
		trace_irq(g->m, cpu, "gicv2 PMR 0x%02x", c->pmr);
	if (s->cpu.bpr != c->bpr)
		trace_irq(g->m, cpu, "gicv2 BPR %u", c->bpr);
}

/* ---- state ---- */

static int accessing_cpu(gicv2 *g)
{
	int c = g->m && g->m->current ? g->m->current->index : g->accessor;
	return c >= 0 && c < g->ncpus ? c : 0;
}

/* The CPUs an SPI goes to: ITARGETSR, or CPU 0 alone on a uniprocessor GIC. */
static uint32_t spi_targets(gicv2 *g, int intid)
{
	return g->ncpus == 1 ? 1 : g->target[intid];
}

/* For traces: the first CPU an SPI targets, or -1. */
static int spi_cpu(gicv2 *g, int intid)
{
	uint32_t t = spi_targets(g, intid) & ((1u << g->ncpus) - 1);
	return t ? __builtin_ctz(t) : -1;
}

static v2_bank *bank_of(gicv2 *g, int cpu, int intid)
{
	return intid < 32 ? &g->cpu[cpu].priv : &g->spi[intid / 32];
}

static bool test(const v2_bank *b, uint32_t field_off, int intid)
{
	return *(const uint32_t *)((const char *)b + field_off) >> (intid % 32) & 1;
}
#define BIT_OF(g, cpu, f, intid) test(bank_of(g, cpu, intid), offsetof(v2_bank, f), intid)

static unsigned prio_of(gicv2 *g, int cpu, int intid)
{
	return bank_of(g, cpu, intid)->prio[intid % 32];
}

/* Group priority: the priority with the bits below the binary point
 * cleared (ABPR - 1 for group 1 unless CBPR). */
static unsigned group_prio(gicv2 *g, int cpu, int intid)
{
	v2_cpu *c = &g->cpu[cpu];
	unsigned bpr = BIT_OF(g, cpu, group, intid) && !(c->ctlr & CBPR) ? c->abpr - 1 : c->bpr;

	return prio_of(g, cpu, intid) & (0xffu << ((bpr & 7) + 1)) & 0xff;
}

static uint32_t prio_from_aprs(v2_cpu *c)
{
	for (int i = 0; i < NR_APRS; i++) {
		uint32_t set = c->apr[i] | c->nsapr[i];
		if (set)
			return (uint32_t)(i * 32 + __builtin_ctz(set)) << 1;
	}
	return IDLE_PRIO;
}

static void trace_lines(gicv2 *g, int cpu, int irq, int fiq, int intid, unsigned prio)
{
	v2_cpu *c = &g->cpu[cpu];
	char name[64];

	for (int line = 0; line < 2; line++) {
		int now = line ? fiq : irq, was = line ? c->fiq_out : c->irq_out;
		if (now == was)
			continue;
		if (now)
			trace_irq(g->m, cpu, "gicv2 %s line high (%s, priority 0x%02x)", line ? "FIQ" : "IRQ",
				  arm_gic_intid_name(g->m, intid, name, sizeof(name)), prio);
		else
			trace_irq(g->m, cpu, "gicv2 %s line low", line ? "FIQ" : "IRQ");
	}
}

static void update_cpu(gicv2 *g, int cpu)
{
	v2_cpu *c = &g->cpu[cpu];
	int best = GICV2_SPURIOUS, irq = 0, fiq = 0;
	unsigned bp = IDLE_PRIO;

	if ((g->ctlr & (EN_GRP0 | EN_GRP1)) && (c->ctlr & (EN_GRP0 | EN_GRP1))) {
		for (int n = 0; n < NBANKS; n++) {
			const v2_bank *b = n ? &g->spi[n] : &c->priv;
			uint32_t cand = (b->pend | (b->level & ~b->edge)) & b->enable & ~b->active;
			while (cand) {
				int i = __builtin_ctz(cand), intid = n * 32 + i;
				cand &= cand - 1;
				if (n && !(spi_targets(g, intid) >> cpu & 1))
					continue;
				if (b->prio[i] < bp) {
					bp = b->prio[i];
					best = intid;
				}
			}
		}
		if (bp >= c->pmr)
			best = GICV2_SPURIOUS;
	}
	c->pending = best;
	if (best != GICV2_SPURIOUS && bp < c->running) {
		int grp = BIT_OF(g, cpu, group, best);
		if ((g->ctlr >> grp & 1) && (c->ctlr >> grp & 1)) {
			if (!grp && (c->ctlr & FIQ_EN))
				fiq = 1;
			else
				irq = 1;
		}
	}
	if (tracing(g))
		trace_lines(g, cpu, irq, fiq, best, bp);
	if (g->set_irq && irq != c->irq_out)
		g->set_irq(g->opaque, cpu, 0, irq);
	if (g->set_irq && fiq != c->fiq_out)
		g->set_irq(g->opaque, cpu, 1, fiq);
	c->irq_out = irq;
	c->fiq_out = fiq;
}

static void update_all(gicv2 *g)
{
	for (int i = 0; i < g->ncpus; i++)
		update_cpu(g, i);
}

/* ---- inputs ---- */

static void set_line(gicv2 *g, int cpu, int intid, int level)
{
	v2_bank *b = bank_of(g, cpu, intid);
	uint32_t bit = 1u << (intid % 32);

	if (!(b->level & bit) == !level)
		return;
	if (tracing(g))
		trace_intid(g, cpu, intid, "line %s%s", level ? "high" : "low",
			    !level ? "" : (b->edge & bit) ? ", pending (edge)" : ", pending (level)");
	if (level) {
		b->level |= bit;
		if (b->edge & bit)
			b->pend |= bit;
	} else {
		b->level &= ~bit;
	}
	if (intid < 32)
		update_cpu(g, cpu);
	else
		update_all(g);
}

void gicv2_set_spi(gicv2 *g, int spi, int level)
{
	if (spi >= 0 && spi + 32 < GICV2_NR_IRQS)
		set_line(g, 0, spi + 32, level);
}

void gicv2_set_private(gicv2 *g, int cpu, int intid, int level)
{
	if (cpu >= 0 && cpu < g->ncpus && intid >= 16 && intid < 32)
		set_line(g, cpu, intid, level);
}

static void base_set_spi(arm_gic *b, int spi, int level)
{
	gicv2_set_spi((gicv2 *)b, spi, level);
}

static void base_set_private(arm_gic *b, int cpu, int intid, int level)
{
	gicv2_set_private((gicv2 *)b, cpu, intid, level);
}

/* ---- distributor ---- */

static uint32_t dist_read32(gicv2 *g, int cpu, uint32_t off)
{
	v2_cpu *c = &g->cpu[cpu];

	if (off < 0x080) {
		switch (off) {
		case 0x000: return g->ctlr;
		case 0x004: return (NBANKS - 1) | (uint32_t)(g->ncpus - 1) << 5;	/* TYPER */
		case 0x008: return 0x43b;	/* IIDR: Arm */
		}
		return 0;
	}
	if (off < 0x400) {	/* one bit per INTID */
		unsigned n = (off & 0x7f) / 4;
		const v2_bank *b;

		if (n >= NBANKS)	/* before the pointer: &spi[n] past the end is UB */
			return 0;
		b = n ? &g->spi[n] : &c->priv;
		switch (off & ~0x7fu) {
		case 0x080: return b->group;
		case 0x100: case 0x180: return b->enable;
		case 0x200: case 0x280: return b->pend | (b->level & ~b->edge);
		case 0x300: case 0x380: return b->active;
		}
		return 0;
	}
	if (off < 0x800) {	/* IPRIORITYR: bytes */
		uint32_t v = 0;
		for (unsigned i = 0; i < 4; i++) {
			unsigned intid = off - 0x400 + i;
			if (intid < GICV2_NR_IRQS)
				v |= (uint32_t)prio_of(g, cpu, (int)intid) << (8 * i);
		}
		return v;
	}
	if (off < 0xc00) {	/* ITARGETSR */
		uint32_t v = 0;
		if (g->ncpus == 1)
			return 0;
		for (unsigned i = 0; i < 4; i++) {
			unsigned intid = off - 0x800 + i;
			if (intid < 32)
				v |= (1u << cpu) << (8 * i);
			else if (intid < GICV2_NR_IRQS)
				v |= (uint32_t)g->target[intid] << (8 * i);
		}
		return v;
	}
	if (off < 0xd00) {	/* ICFGR: 16 INTIDs, edge in the odd bits */
		unsigned n = (off - 0xc00) / 4, first = n * 16;
		uint32_t v = 0;
		if (first >= GICV2_NR_IRQS)
			return 0;
		for (unsigned i = 0; i < 16; i++)
			if (BIT_OF(g, cpu, edge, (int)(first + i)))
				v |= 2u << (2 * i);
		return v;
	}
	if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR + 0x10) {	/* source CPUs per SGI */
		unsigned sgi = off & 0xf;
		return c->sgi_src[sgi] | (uint32_t)c->sgi_src[sgi + 1] << 8 |
		       (uint32_t)c->sgi_src[sgi + 2] << 16 | (uint32_t)c->sgi_src[sgi + 3] << 24;
	}
	if (off >= 0xfd0)
		return gicv2_id_regs[(off - 0xfd0) / 4];
	return 0;
}

static void send_sgi(gicv2 *g, int self, uint32_t v)
{
	int sgi = v & 0xf;
	uint32_t mask;

	switch (v >> 24 & 3) {
	case 0: mask = v >> 16 & 0xff; break;
	case 1: mask = 0xffu ^ (1u << self); break;
	case 2: mask = 1u << self; break;
	default: mask = 0xff; break;	/* reserved filter: QEMU sends to all */
	}
	for (int t = 0; t < g->ncpus; t++) {
		if (!(mask >> t & 1))
			continue;
		if (tracing(g))
			trace_irq(g->m, self, "gicv2 SGI %d sent to cpu%d", sgi, t);
		g->cpu[t].priv.pend |= 1u << sgi;
		g->cpu[t].sgi_src[sgi] |= (uint8_t)(1u << self);
	}
}

/* One byte of a one-bit-per-INTID register: the INTIDs first .. first+7. */
static void bits_write(gicv2 *g, int cpu, uint32_t reg, int first, uint8_t v)
{
	v2_bank *b;
	uint32_t m;

	if (first >= GICV2_NR_IRQS)
		return;
	b = bank_of(g, cpu, first);
	m = (uint32_t)v << (first % 32);
	switch (reg) {
	case 0x080: b->group = (b->group & ~(0xffu << (first % 32))) | m; break;
	case 0x100:
		if (first < 16)		/* SGIs are always enabled */
			break;
		b->enable |= m;
		b->pend |= m & b->level & ~b->edge;	/* a raised level latches */
		break;
	case 0x180: if (first >= 16) b->enable &= ~m; break;
	case 0x200: if (first >= 16) b->pend |= m; break;
	case 0x280: if (first >= 16) b->pend &= ~m; break;
	case 0x300: b->active |= m; break;
	case 0x380: b->active &= ~m; break;
	}
}

static void dist_write8(gicv2 *g, int cpu, uint32_t off, uint8_t v)
{
	v2_cpu *c = &g->cpu[cpu];

	if (off == 0x000) {
		g->ctlr = v & (EN_GRP0 | EN_GRP1);
	} else if (off >= 0x080 && off < 0x400) {
		bits_write(g, cpu, off & ~0x7fu, (int)(off & 0x7f) * 8, v);
	} else if (off >= 0x400 && off < 0x800) {
		unsigned intid = off - 0x400;
		if (intid < GICV2_NR_IRQS)
			bank_of(g, cpu, (int)intid)->prio[intid % 32] = v;
	} else if (off >= 0x800 && off < 0xc00) {
		unsigned intid = off - 0x800;
		if (g->ncpus > 1 && intid >= 32 && intid < GICV2_NR_IRQS)
			g->target[intid] = v;
	} else if (off >= 0xc00 && off < 0xd00) {
		int first = (int)(off - 0xc00) * 4;
		if (first >= GICV2_NR_IRQS)
			return;
		if (first < 16)
			v |= 0xaa;	/* SGIs are edge-triggered */
		for (int i = 0; i < 4; i++) {
			v2_bank *b = bank_of(g, cpu, first + i);
			uint32_t bit = 1u << ((first + i) % 32);
			b->edge = v >> (2 * i + 1) & 1 ? b->edge | bit : b->edge & ~bit;
		}
	} else if (off >= GICD_CPENDSGIR && off < GICD_SPENDSGIR) {
		unsigned sgi = off - GICD_CPENDSGIR;
		c->sgi_src[sgi] &= (uint8_t)~v;
		if (!c->sgi_src[sgi])
			c->priv.pend &= ~(1u << sgi);
	} else if (off >= GICD_SPENDSGIR && off < GICD_SPENDSGIR + 0x10) {
		unsigned sgi = off - GICD_SPENDSGIR;
		c->sgi_src[sgi] |= v;
		if (v)
			c->priv.pend |= 1u << sgi;
	}
}

static uint64_t dist_read(void *opaque, uint64_t off, unsigned size)
{
	gicv2 *g = opaque;
	int cpu = accessing_cpu(g);
	uint64_t v = 0;

	/* QEMU reads the distributor a byte at a time: compose any size */
	for (unsigned i = 0; i < size; i++) {
		uint32_t o = (uint32_t)off + i;
		uint32_t w = dist_read32(g, cpu, o & ~3u);
		if (o >= 0xfd0 && (o & 3))
			w = 0;		/* the ID registers are one byte each */
		v |= (uint64_t)(w >> (8 * (o & 3)) & 0xff) << (8 * i);
	}
	return v;
}

static void dist_write_regs(gicv2 *g, int cpu, uint32_t off, uint64_t v, unsigned size)
{
	if (off == GICD_SGIR) {
		send_sgi(g, cpu, (uint32_t)v);
	} else {
		for (unsigned i = 0; i < size; i++)
			dist_write8(g, cpu, off + i, (uint8_t)(v >> (8 * i)));
	}
	update_all(g);
}

static void dist_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	gicv2 *g = opaque;
	int cpu = accessing_cpu(g);
	v2_snap *s;

	if (!tracing(g)) {
		dist_write_regs(g, cpu, (uint32_t)off, v, size);
		return;
	}
	s = kwb_zalloc(sizeof(*s));
	snap_take(g, cpu, s);
	dist_write_regs(g, cpu, (uint32_t)off, v, size);
	snap_diff(g, cpu, s, true);
	free(s);
}

static bool dist_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	*v = dist_read(opaque, off, size);
	return true;
}

static const char *dist_reg_name(void *opaque, uint64_t off)
{
	static const struct { uint32_t lo, hi; const char *name; } r[] = {
		{ 0x000, 0x004, "GICD_CTLR" }, { 0x004, 0x008, "GICD_TYPER" }, { 0x008, 0x00c, "GICD_IIDR" },
		{ 0x080, 0x100, "GICD_IGROUPR" }, { 0x100, 0x180, "GICD_ISENABLER" },
		{ 0x180, 0x200, "GICD_ICENABLER" }, { 0x200, 0x280, "GICD_ISPENDR" },
		{ 0x280, 0x300, "GICD_ICPENDR" }, { 0x300, 0x380, "GICD_ISACTIVER" },
		{ 0x380, 0x400, "GICD_ICACTIVER" }, { 0x400, 0x800, "GICD_IPRIORITYR" },
		{ 0x800, 0xc00, "GICD_ITARGETSR" }, { 0xc00, 0xd00, "GICD_ICFGR" },
		{ 0xf00, 0xf04, "GICD_SGIR" }, { 0xf10, 0xf20, "GICD_CPENDSGIR" },
		{ 0xf20, 0xf30, "GICD_SPENDSGIR" }, { 0xfe8, 0xfec, "GICD_PIDR2" },
	};
	(void)opaque;
	for (size_t i = 0; i < ARRAY_SIZE(r); i++)
		if (off >= r[i].lo && off < r[i].hi)
			return r[i].name;
	return NULL;
}

const mmio_ops gicv2_dist_ops = {
	.read = dist_read, .write = dist_write, .peek = dist_peek, .reg_name = dist_reg_name,
};

/* ---- CPU interface ---- */

/* QEMU's gic_get_current_pending_irq: the HPPI, or 1022 for a group-1
 * interrupt that this (secure-view) interface may not acknowledge. */
static int current_pending(gicv2 *g, int cpu)
{
	v2_cpu *c = &g->cpu[cpu];
	int irq = c->pending;

	if (irq < MAXIRQ && BIT_OF(g, cpu, group, irq) && !(c->ctlr & ACK_CTL))
		return SPURIOUS_GRP1;
	return irq;
}

static uint32_t acknowledge(gicv2 *g, int cpu)
{
	v2_cpu *c = &g->cpu[cpu];
	int irq = current_pending(g, cpu);
	uint32_t ret;
	unsigned gp, level;
	v2_bank *b;
	uint32_t bit;

	if (irq >= MAXIRQ) {
		if (tracing(g))
			trace_irq(g->m, cpu, "gicv2 IAR read: %s (%d)", irq == SPURIOUS_GRP1 ?
				  "group 1 hidden from a group 0 acknowledge" : "spurious", irq);
		return (uint32_t)irq;
	}
	if (prio_of(g, cpu, irq) >= c->running) {
		if (tracing(g))
			trace_intid(g, cpu, irq, "not acknowledged: priority 0x%02x not above the running 0x%02x",
				    prio_of(g, cpu, irq), c->running);
		return GICV2_SPURIOUS;
	}
	/* activate: the active priority bit of the interrupt's group */
	gp = group_prio(g, cpu, irq);
	level = gp >> 1;
	if (BIT_OF(g, cpu, group, irq))
		c->nsapr[level / 32] |= 1u << (level % 32);
	else
		c->apr[level / 32] |= 1u << (level % 32);
	c->running = gp;
	b = bank_of(g, cpu, irq);
	bit = 1u << (irq % 32);
	b->active |= bit;
	if (irq < 16) {
		int src = c->sgi_src[irq] ? __builtin_ctz(c->sgi_src[irq]) : 0;
		c->sgi_src[irq] &= (uint8_t)~(1u << src);
		if (!c->sgi_src[irq])
			b->pend &= ~bit;
		ret = (uint32_t)irq | (uint32_t)src << 10;
	} else {
		b->pend &= ~bit;
		ret = (uint32_t)irq;
	}
	if (tracing(g))
		trace_intid(g, cpu, irq, "acknowledged (IAR 0x%x), priority 0x%02x", ret, prio_of(g, cpu, irq));
	if (irq < 32)
		update_cpu(g, cpu);
	else
		update_all(g);
	return ret;
}

static void deactivate(gicv2 *g, int cpu, int irq)
{
	bank_of(g, cpu, irq)->active &= ~(1u << (irq % 32));
}

static void end_of_interrupt(gicv2 *g, int cpu, int irq)
{
	v2_cpu *c = &g->cpu[cpu];
	uint32_t *aprs;

	if (irq >= GICV2_NR_IRQS || c->running == IDLE_PRIO)
		return;		/* spurious, no such interrupt, or nothing active: ignored */
	if (tracing(g))
		trace_intid(g, cpu, irq, "EOI (%s)", c->ctlr & EOIMODE ? "priority drop" : "priority drop, deactivate");
	/* drop the highest active priority of the interrupt's group */
	aprs = BIT_OF(g, cpu, group, irq) ? c->nsapr : c->apr;
	for (int i = 0; i < NR_APRS; i++)
		if (aprs[i]) {
			aprs[i] &= aprs[i] - 1;
			break;
		}
	c->running = prio_from_aprs(c);
	if (!(c->ctlr & EOIMODE))
		deactivate(g, cpu, irq);
}

static uint32_t cpu_read32(gicv2 *g, int cpu, uint32_t off)
{
	v2_cpu *c = &g->cpu[cpu];

	switch (off) {
	case GICC_CTLR: return c->ctlr;
	case GICC_PMR: return c->pmr;
	case GICC_BPR: return c->bpr;
	case GICC_IAR: return acknowledge(g, cpu);
	case GICC_RPR: return c->running == IDLE_PRIO ? 0xff : c->running;
	case GICC_HPPIR: return (uint32_t)current_pending(g, cpu);
	case GICC_ABPR: return c->abpr;
	case GICC_IIDR: return 0x0002043b;	/* GICv2, Arm */
	}
	if (off >= GICC_APR0 && off < GICC_APR0 + 4 * NR_APRS)
		return c->apr[(off - GICC_APR0) / 4];
	if (off >= GICC_NSAPR0 && off < GICC_NSAPR0 + 4 * NR_APRS)
		return c->nsapr[(off - GICC_NSAPR0) / 4];
	return 0;	/* AIAR, AHPPIR, DIR and the rest: RAZ */
}

static void cpu_write32(gicv2 *g, int cpu, uint32_t off, uint32_t v)
{
	v2_cpu *c = &g->cpu[cpu];

	switch (off) {
	case GICC_CTLR: c->ctlr = v & GICC_CTLR_MASK; break;
	case GICC_PMR: c->pmr = v & 0xff; break;
	case GICC_BPR: c->bpr = v & 7; break;
	case GICC_ABPR: c->abpr = (v & 7) ? (v & 7) : 1; break;
	case GICC_EOIR: end_of_interrupt(g, cpu, (int)(v & 0x3ff)); break;
	case GICC_DIR:
		if ((v & 0x3ff) >= GICV2_NR_IRQS || !(c->ctlr & EOIMODE))
			break;		/* ignored, as QEMU: UNPREDICTABLE with EOImode 0 */
		if (tracing(g))
			trace_intid(g, cpu, (int)(v & 0x3ff), "deactivated (DIR)");
		deactivate(g, cpu, (int)(v & 0x3ff));
		break;
	default:
		if (off >= GICC_APR0 && off < GICC_APR0 + 4 * NR_APRS)
			c->apr[(off - GICC_APR0) / 4] = v;
		else if (off >= GICC_NSAPR0 && off < GICC_NSAPR0 + 4 * NR_APRS)
			c->nsapr[(off - GICC_NSAPR0) / 4] = v;
		else
			return;
		c->running = prio_from_aprs(c);
		break;
	}
	if (off == GICC_EOIR || off == GICC_DIR)
		update_all(g);
	else
		update_cpu(g, cpu);
}

/* 32-bit registers; a wider access is two, a misaligned one reads 0. */
static uint64_t cpu_read(void *opaque, uint64_t off, unsigned size)
{
	gicv2 *g = opaque;
	int cpu = accessing_cpu(g);

	if (off & 3)
		return 0;
	if (size == 8)
		return cpu_read32(g, cpu, (uint32_t)off) | (uint64_t)cpu_read32(g, cpu, (uint32_t)off + 4) << 32;
	return cpu_read32(g, cpu, (uint32_t)off) & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
}

static void cpu_write_regs(gicv2 *g, int cpu, uint32_t off, uint64_t v, unsigned size)
{
	if (off & 3)
		return;
	cpu_write32(g, cpu, off, (uint32_t)v);
	if (size == 8)
		cpu_write32(g, cpu, off + 4, (uint32_t)(v >> 32));
}

static void cpu_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	gicv2 *g = opaque;
	int cpu = accessing_cpu(g);
	v2_snap *s;

	if (!tracing(g)) {
		cpu_write_regs(g, cpu, (uint32_t)off, v, size);
		return;
	}
	s = kwb_zalloc(sizeof(*s));
	snap_take(g, cpu, s);
	cpu_write_regs(g, cpu, (uint32_t)off, v, size);
	snap_diff(g, cpu, s, false);
	free(s);
}

/* Side-effect free: IAR (an acknowledge) reads as HPPIR would. */
static bool cpu_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	gicv2 *g = opaque;

	if (off == GICC_IAR)
		off = GICC_HPPIR;
	*v = cpu_read(g, off, size);
	return true;
}

static const char *cpu_reg_name(void *opaque, uint64_t off)
{
	(void)opaque;
	switch (off) {
	case GICC_CTLR: return "GICC_CTLR";
	case GICC_PMR: return "GICC_PMR";
	case GICC_BPR: return "GICC_BPR";
	case GICC_IAR: return "GICC_IAR";
	case GICC_EOIR: return "GICC_EOIR";
	case GICC_RPR: return "GICC_RPR";
	case GICC_HPPIR: return "GICC_HPPIR";
	case GICC_ABPR: return "GICC_ABPR";
	case GICC_AIAR: return "GICC_AIAR";
	case GICC_AEOIR: return "GICC_AEOIR";
	case GICC_AHPPIR: return "GICC_AHPPIR";
	case GICC_IIDR: return "GICC_IIDR";
	case GICC_DIR: return "GICC_DIR";
	}
	if (off >= GICC_APR0 && off < GICC_APR0 + 4 * NR_APRS)
		return "GICC_APR";
	if (off >= GICC_NSAPR0 && off < GICC_NSAPR0 + 4 * NR_APRS)
		return "GICC_NSAPR";
	return NULL;
}

const mmio_ops gicv2_cpu_ops = {
	.read = cpu_read, .write = cpu_write, .peek = cpu_peek, .reg_name = cpu_reg_name,
};

/* ---- life cycle ---- */

gicv2 *gicv2_new(int ncpus, gicv2_irq_fn set_irq, void *opaque)
{
	gicv2 *g;

	if (ncpus < 1 || ncpus > GICV2_MAX_CPUS)
		kwb_fatal("gicv2: %d CPUs (1 to %d supported)", ncpus, GICV2_MAX_CPUS);
	g = kwb_zalloc(sizeof(*g));
	g->base = (arm_gic){ .name = "gicv2", .set_spi = base_set_spi, .set_private = base_set_private };
	g->ncpus = ncpus;
	g->set_irq = set_irq;
	g->opaque = opaque;
	gicv2_reset(g);
	return g;
}

void gicv2_set_accessing_cpu(gicv2 *g, int cpu)
{
	g->accessor = cpu;
}

void gicv2_reset(gicv2 *g)
{
	g->ctlr = 0;
	memset(g->spi, 0, sizeof(g->spi));
	memset(g->target, 0, sizeof(g->target));
	for (int i = 0; i < g->ncpus; i++) {
		v2_cpu *c = &g->cpu[i];
		int irq = c->irq_out, fiq = c->fiq_out;
		memset(c, 0, sizeof(*c));
		c->irq_out = irq;
		c->fiq_out = fiq;
		c->priv.enable = 0xffff;	/* SGIs */
		c->priv.edge = 0xffff;
		c->abpr = 1;
		c->running = IDLE_PRIO;
	}
	update_all(g);
}

void gicv2_free(gicv2 *g)
{
	free(g);
}

/* ---- state: one description serves snapshots, diff and `info gic` ---- */

static void show_irq(mon_out *o, gicv2 *g, int cpu, int intid)
{
	v2_bank *b = bank_of(g, cpu, intid);
	uint32_t bit = 1u << (intid % 32);
	bool pend = (b->pend | (b->level & ~b->edge)) & bit;
	char name[64];

	if (!(b->enable & bit) && !pend && !(b->active & bit))
		return;
	if (intid < 16 && !pend && !(b->active & bit))
		return;		/* SGIs are always enabled: show them only when in use */
	mon_printf(o, "  %-22s %-5s prio 0x%02x %s%s%s group %d", arm_gic_intid_name(g->m, intid, name, sizeof(name)),
		   (b->edge & bit) ? "edge" : "level", b->prio[intid % 32], (b->enable & bit) ? "enabled" : "disabled",
		   pend ? " pending" : "", (b->active & bit) ? " active" : "", (b->group & bit) ? 1 : 0);
	if (intid < 16 && g->cpu[cpu].sgi_src[intid])
		mon_printf(o, " from cpus 0x%02x", g->cpu[cpu].sgi_src[intid]);
	if (intid >= 32)
		mon_printf(o, " -> cpus 0x%02x", spi_targets(g, intid));
	if (b->level & bit)
		mon_printf(o, " (line high)");
	mon_printf(o, "\n");
}

/* What the fields do not say at a glance: per CPU its lines, the
 * interrupt it would take and its running priority, then every interrupt
 * in use decoded. */
static void gicv2_info(void *obj, mon_out *o)
{
	gicv2 *g = obj;

	mon_printf(o, "decoded: GICv2, GICD_CTLR group 0 %s, group 1 %s, %d INTIDs, %d CPU interfaces\n",
		   g->ctlr & EN_GRP0 ? "on" : "off", g->ctlr & EN_GRP1 ? "on" : "off", GICV2_NR_IRQS, g->ncpus);
	for (int cpu = 0; cpu < g->ncpus; cpu++) {
		v2_cpu *k = &g->cpu[cpu];
		mon_printf(o, "cpu%d: IRQ %s FIQ %s GICC_CTLR 0x%x PMR 0x%02x BPR %u ABPR %u RPR 0x%02x HPPIR %d "
			   "APR 0x%x/0x%x/0x%x/0x%x NSAPR 0x%x/0x%x/0x%x/0x%x\n", cpu, k->irq_out ? "high" : "low",
			   k->fiq_out ? "high" : "low", k->ctlr, k->pmr, k->bpr, k->abpr,
			   k->running == IDLE_PRIO ? 0xff : k->running, current_pending(g, cpu), k->apr[0], k->apr[1],
			   k->apr[2], k->apr[3], k->nsapr[0], k->nsapr[1], k->nsapr[2], k->nsapr[3]);
		for (int i = 0; i < 32; i++)
			show_irq(o, g, cpu, i);
	}
	mon_printf(o, "SPIs:\n");
	for (int i = 32; i < GICV2_NR_IRQS; i++)
		show_irq(o, g, 0, i);
}

static const state_field v2_bank_fields[] = {
	ST_U32(v2_bank, group),
	ST_U32(v2_bank, enable),
	ST_U32(v2_bank, pend),
	ST_U32(v2_bank, active),
	ST_U32(v2_bank, level),
	ST_U32(v2_bank, edge),
	ST_UINT_ARRAY(v2_bank, prio),
	ST_END
};
static const state_desc v2_bank_state = { .name = "gicv2-bank", .version = 1, .fields = v2_bank_fields };

static const state_field v2_cpu_fields[] = {
	ST_STRUCT(v2_cpu, priv, v2_bank_state),
	ST_UINT_ARRAY(v2_cpu, sgi_src),
	ST_U32(v2_cpu, ctlr),
	ST_U32(v2_cpu, pmr),
	ST_U32(v2_cpu, bpr),
	ST_U32(v2_cpu, abpr),
	ST_UINT_ARRAY(v2_cpu, apr),
	ST_UINT_ARRAY(v2_cpu, nsapr),
	ST_U32(v2_cpu, running),
	ST_END
};
static const state_desc v2_cpu_state = { .name = "gicv2-cpu", .version = 1, .fields = v2_cpu_fields };

static const state_field gicv2_fields[] = {
	ST_U32(gicv2, ctlr),
	ST_STRUCT_ARRAY(gicv2, spi, v2_bank_state),
	ST_UINT_ARRAY(gicv2, target),
	ST_STRUCT_ARRAY_N(gicv2, cpu, v2_cpu_state, ncpus),
	ST_END
};

/* The pending interrupt and the lines are derived: drive them again. */
static int gicv2_post_load(void *obj, char *err, size_t errlen)
{
	gicv2 *g = obj;

	(void)err; (void)errlen;
	for (int i = 0; i < g->ncpus; i++) {
		g->cpu[i].irq_out = g->cpu[i].fiq_out = -1;
		update_cpu(g, i);
	}
	return 0;
}

/* The board device's state is the model itself (the device is the
 * model: create returns the gicv2). */
static const state_desc gicv2_state = {
	.name = "gicv2", .version = 1, .fields = gicv2_fields, .post_load = gicv2_post_load, .info = gicv2_info,
};

/* ---- the "gicv2" device on a board: base = GICD, param = GICC ---- */

static void cpu_line(void *opaque, int cpu, int line, int level)
{
	machine *m = opaque;
	a64_set_irq(m->cpus[cpu], line ? A64_FIQ : A64_IRQ, level);
}

static void *gicv2_dev_create(machine *m, const board_device *d)
{
	gicv2 *g = gicv2_new(m->ncpus, cpu_line, m);

	g->m = m;
	bus_add_mmio(&m->bus, "gicv2-dist", d->base, GICV2_DIST_SIZE, &gicv2_dist_ops, g);
	bus_add_mmio(&m->bus, "gicv2-cpu", (paddr_t)d->param, GICV2_CPU_SIZE, &gicv2_cpu_ops, g);
	m->irqchip = g;
	return g;
}

static void gicv2_dev_reset(void *state)
{
	gicv2_reset(state);
}

static void gicv2_dev_free(void *state)
{
	gicv2 *g = state;

	if (g->m->irqchip == g)
		g->m->irqchip = NULL;
	gicv2_free(g);
}

DEVICE_TYPE(gicv2_type) {
	.name = "gicv2",
	.create = gicv2_dev_create,
	.reset = gicv2_dev_reset,
	.free = gicv2_dev_free,
	.state = &gicv2_state,
};
