/*
 * SiFive CLINT (the ACLINT MSWI + MTIMER pair at one base, as on QEMU's
 * virt): msip per hart at 0x0, mtimecmp per hart at 0x4000, mtime at
 * 0xbff8. The timer interrupt is a level (mtime >= mtimecmp) raised by an
 * event scheduled for the exact virtual time mtime reaches mtimecmp.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../arch/riscv64/riscv64.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../monitor.h"
#include "../state.h"
#include "../trace_hooks.h"

#define CLINT_MSIP 0x0000
#define CLINT_MTIMECMP 0x4000
#define CLINT_MTIME 0xbff8
#define NS_PER_TICK (1000000000ull / RISCV_TIMEBASE_HZ)

typedef struct clint_hart {
	struct clint *clint;
	int hart;
	uint32_t msip;
	uint64_t mtimecmp;
	event timer;
} clint_hart;

typedef struct clint {
	machine *m;
	int nharts;
	clint_hart harts[KWB_MAX_CPUS];
} clint;

static bool tracing(clint *s)
{
	return unlikely(trace_on(s->m->trace, TRACE_IRQ));
}

static void set_mip(clint *s, int hart, uint32_t mask, int level)
{
	if (hart < s->m->ncpus && s->m->cpus[hart])
		riscv_set_mip(s->m->cpus[hart], mask, level);
}

/* Arms the event (mtimecmp - mtime) ticks from now, as QEMU's ACLINT
 * does: not at the tick's start, so a deadline is now % 100 ns past
 * mtimecmp * 100 (difftest needs QEMU's exact interrupt times). */
static void timer_arm(clint_hart *h, uint64_t mtime)
{
	machine *m = h->clint->m;
	uint64_t delta = h->mtimecmp - mtime, now = riscv_time_ns(m);

	if (delta > (UINT64_MAX - now) / NS_PER_TICK) {
		event_cancel(m, &h->timer);	/* "never" (Linux writes ~0) */
		return;
	}
	event_schedule(m, &h->timer, now + delta * NS_PER_TICK);
}

static void timer_update(clint_hart *h)
{
	uint64_t mtime = riscv_mtime(h->clint->m);

	if (tracing(h->clint))
		trace_irq(h->clint->m, h->hart, "clint mtimecmp %llu (mtime %llu): %s", (unsigned long long)h->mtimecmp,
			  (unsigned long long)mtime, mtime >= h->mtimecmp ? "MTIP high" :
			  h->mtimecmp == UINT64_MAX ? "MTIP low, timer off" : "MTIP low, timer armed");
	if (mtime >= h->mtimecmp) {
		event_cancel(h->clint->m, &h->timer);
		set_mip(h->clint, h->hart, MIP_MTIP, 1);
		return;
	}
	set_mip(h->clint, h->hart, MIP_MTIP, 0);
	timer_arm(h, mtime);
}

static void timer_fire(void *opaque)
{
	clint_hart *h = opaque;
	uint64_t mtime = riscv_mtime(h->clint->m);

	if (mtime >= h->mtimecmp) {
		if (tracing(h->clint))
			trace_irq(h->clint->m, h->hart, "clint timer fired (mtime %llu >= mtimecmp %llu): MTIP high",
				  (unsigned long long)mtime, (unsigned long long)h->mtimecmp);
		set_mip(h->clint, h->hart, MIP_MTIP, 1);
	} else
		timer_arm(h, mtime);
}

/* The 64-bit slot at an 8-aligned offset (msip: two harts per slot). */
static uint64_t clint_slot(clint *s, uint64_t off)
{
	if (off < CLINT_MTIMECMP) {
		uint64_t h = off / 4;
		return (h < (uint64_t)s->nharts ? s->harts[h].msip : 0) |
		       (uint64_t)(h + 1 < (uint64_t)s->nharts ? s->harts[h + 1].msip : 0) << 32;
	}
	if (off == CLINT_MTIME)
		return riscv_mtime(s->m);
	if (off < CLINT_MTIMECMP + 8 * (uint64_t)s->nharts)
		return s->harts[(off - CLINT_MTIMECMP) / 8].mtimecmp;
	return 0;
}

/* Any size and alignment for the debugger (it reads byte by byte). */
static bool clint_peek(void *opaque, uint64_t off, unsigned size, uint64_t *value)
{
	uint64_t v = clint_slot(opaque, off & ~7ull) >> (off & 7) * 8;

	*value = size >= 8 ? v : v & ((1ull << (size * 8)) - 1);
	return true;
}

static uint64_t clint_read(void *opaque, uint64_t off, unsigned size)
{
	uint64_t v;
	clint_peek(opaque, off, size, &v);
	return v;
}

static void clint_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	clint *s = opaque;

	if (off < CLINT_MTIMECMP) {
		int h = (int)(off / 4);
		if (h < s->nharts && size == 4 && !(off & 3)) {
			if (tracing(s))
				trace_irq(s->m, h, "clint msip %s: MSIP %s", value & 1 ? "set" : "clear",
					  value & 1 ? "high" : "low");
			s->harts[h].msip = value & 1;
			set_mip(s, h, MIP_MSIP, value & 1);
		}
		return;
	}
	if (off >= CLINT_MTIMECMP && off < CLINT_MTIMECMP + 8 * (uint64_t)s->nharts) {
		clint_hart *h = &s->harts[(off - CLINT_MTIMECMP) / 8];
		unsigned shift = (off & 7) * 8;
		if (size == 8 && !(off & 7))
			h->mtimecmp = value;
		else if (size == 4 && !(off & 3))
			h->mtimecmp = (h->mtimecmp & ~(0xffffffffull << shift)) |
				      ((value & 0xffffffffull) << shift);
		else
			return;
		timer_update(h);
	}
	/* mtime is derived from the virtual clock, shared with the time CSR,
	 * so it is read-only here (neither OpenSBI nor Linux writes it). */
}

static const char *clint_reg_name(void *opaque, uint64_t off)
{
	(void)opaque;
	if (off < CLINT_MTIMECMP)
		return "msip";
	if (off >= CLINT_MTIME)
		return "mtime";
	return "mtimecmp";
}

static const mmio_ops clint_ops = {
	.read = clint_read, .write = clint_write, .peek = clint_peek, .reg_name = clint_reg_name,
};

static void clint_reset(void *state)
{
	clint *s = state;
	for (int i = 0; i < s->nharts; i++) {
		clint_hart *h = &s->harts[i];
		event_cancel(s->m, &h->timer);
		h->msip = 0;
		/* mtimecmp 0 <= mtime 0: MTIP is high from reset until the
		 * firmware writes mtimecmp (QEMU 7.2's mip reads 0x80 at the
		 * first instruction). */
		h->mtimecmp = 0;
		set_mip(s, i, MIP_MSIP, 0);
		set_mip(s, i, MIP_MTIP, 1);
	}
}

static void *clint_create(machine *m, const board_device *d)
{
	clint *s = kwb_zalloc(sizeof(*s));

	s->m = m;
	s->nharts = m->ncpus;
	for (int i = 0; i < s->nharts; i++) {
		s->harts[i].clint = s;
		s->harts[i].hart = i;
		event_init(&s->harts[i].timer, "clint-mtimecmp", timer_fire, &s->harts[i]);
	}
	bus_add_mmio(&m->bus, d->name, d->base, d->size, &clint_ops, s);
	return s;
}

static int clint_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	uint32_t cells[2 * 2 * KWB_MAX_CPUS];
	int node, n;

	(void)state;
	/* M software (3) and M timer (7) interrupts per hart */
	n = fdtu_hart_irq_pairs(fdt, m->ncpus, 3, 7, cells);
	node = fdtu_node_at(fdt, parent, d->name, d->base);
	fdtu_strings(fdt, node, "compatible", "sifive,clint0", "riscv,clint0", NULL);
	fdtu_reg(fdt, node, d->base, d->size);
	fdtu_cells(fdt, node, "interrupts-extended", cells, n);
	return node;
}

static void clint_free(void *state)
{
	clint *s = state;
	for (int i = 0; i < s->nharts; i++)
		event_cancel(s->m, &s->harts[i].timer);
	free(s);
}

/* Decoded for `info clint`: where each hart's timer stands against mtime. */
static void clint_info(void *obj, mon_out *o)
{
	clint *s = obj;
	uint64_t mtime = riscv_mtime(s->m);

	mon_printf(o, "mtime %llu (%llu Hz)\n", (unsigned long long)mtime,
		   (unsigned long long)RISCV_TIMEBASE_HZ);
	for (int i = 0; i < s->nharts; i++) {
		clint_hart *h = &s->harts[i];
		mon_printf(o, "hart %d: msip %u, mtimecmp %llu", i, h->msip,
			   (unsigned long long)h->mtimecmp);
		if (h->mtimecmp == UINT64_MAX)
			mon_printf(o, " (off)\n");
		else if (h->mtimecmp > mtime)
			mon_printf(o, " (in %llu ticks)\n", (unsigned long long)(h->mtimecmp - mtime));
		else
			mon_printf(o, " (reached)\n");
	}
}

/* MSIP/MTIP are levels in each hart's mip, saved with the hart. */
static const state_field clint_hart_fields[] = {
	ST_U32(clint_hart, msip),
	ST_U64(clint_hart, mtimecmp),
	ST_EVENT(clint_hart, timer),
	ST_END
};
static const state_desc clint_hart_state = { .name = "clint-hart", .version = 1, .fields = clint_hart_fields };
static const state_field clint_fields[] = {
	ST_STRUCT_ARRAY_N(clint, harts, clint_hart_state, nharts),
	ST_END
};
static const state_desc clint_state = { .name = "clint", .version = 1, .fields = clint_fields,
					.info = clint_info };

DEVICE_TYPE(clint_type) {
	.name = "clint",
	.create = clint_create,
	.fdt = clint_fdt,
	.reset = clint_reset,
	.free = clint_free,
	.state = &clint_state,
};
