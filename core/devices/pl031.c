/*
 * Arm PrimeCell PL031 real-time clock. The time is virtual: a fixed epoch
 * plus virtual seconds, so runs stay deterministic. The match interrupt is
 * one event at the virtual second DR reaches MR. (The reference Linux
 * config has no PL031 driver; this is for completeness of the map.)
 */
#include <stdlib.h>

#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

#define PL031_EPOCH 1704067200u		/* 2024-01-01 00:00:00 UTC */
#define NS_PER_SEC 1000000000ull

enum { RTCDR = 0x00, RTCMR = 0x04, RTCLR = 0x08, RTCCR = 0x0c, RTCIMSC = 0x10,
       RTCRIS = 0x14, RTCMIS = 0x18, RTCICR = 0x1c };

static const uint8_t pl031_id[8] = {	/* PeriphID 0x00141031 (revision 1, as QEMU), CellID 0xb105f00d */
	0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

typedef struct pl031 {
	machine *m;
	irq_line irq;
	uint32_t offset;	/* DR = offset + virtual seconds */
	uint32_t mr, imsc, ris;
	event match;
} pl031;

static uint32_t now_secs(pl031 *r)
{
	return (uint32_t)(clock_now(r->m) / NS_PER_SEC);
}

static uint32_t rtc_dr(pl031 *r)
{
	return r->offset + now_secs(r);
}

static void update_irq(pl031 *r)
{
	irq_set(&r->irq, (r->ris & r->imsc) != 0);
}

/* Schedule the match for the virtual second at which DR == MR. */
static void schedule_match(pl031 *r)
{
	uint32_t ahead = r->mr - rtc_dr(r);	/* wraps like the 32-bit counter */
	uint64_t now = clock_now(r->m);

	if (!ahead) {		/* matched already: the next is 2^32 s away */
		event_cancel(r->m, &r->match);
		return;
	}
	event_schedule(r->m, &r->match, (now / NS_PER_SEC + ahead) * NS_PER_SEC);
}

static void match_fire(void *opaque)
{
	pl031 *r = opaque;

	r->ris = 1;
	update_irq(r);
}

static uint64_t pl031_value(pl031 *r, uint64_t off)
{
	if (off >= 0xfe0 && off < 0x1000)
		return (off & 3) ? 0 : pl031_id[(off - 0xfe0) / 4];
	switch (off) {
	case RTCDR: return rtc_dr(r);
	case RTCMR: return r->mr;
	case RTCLR: return rtc_dr(r);
	case RTCCR: return 1;			/* always started */
	case RTCIMSC: return r->imsc;
	case RTCRIS: return r->ris;
	case RTCMIS: return r->ris & r->imsc;
	}
	return 0;
}

static uint64_t pl031_read(void *opaque, uint64_t off, unsigned size)
{
	pl031 *r = opaque;
	uint64_t v = pl031_value(r, off);

	(void)size;
	if (off == RTCDR)
		trace_dev(r->m, "pl031", "RTC read: %llu s", (unsigned long long)v);
	return v;
}

static void pl031_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	pl031 *r = opaque;

	(void)size;
	switch (off) {
	case RTCLR:
		trace_dev(r->m, "pl031", "RTC set: %u s", (uint32_t)v);
		r->offset = (uint32_t)v - now_secs(r);
		schedule_match(r);
		break;
	case RTCMR:
		r->mr = (uint32_t)v;
		schedule_match(r);
		break;
	case RTCIMSC: r->imsc = v & 1; break;
	case RTCICR: r->ris &= ~(uint32_t)v & 1; break;
	}
	update_irq(r);
}

static bool pl031_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	(void)size;
	*v = pl031_value(opaque, off);
	return true;
}

static const char *pl031_reg_name(void *opaque, uint64_t off)
{
	static const char *const names[] = { "RTCDR", "RTCMR", "RTCLR", "RTCCR", "RTCIMSC", "RTCRIS",
					      "RTCMIS", "RTCICR" };
	(void)opaque;
	if (off >= 0xfe0 && off < 0x1000)
		return off < 0xff0 ? "RTCPeriphID" : "RTCPCellID";
	return off / 4 < ARRAY_SIZE(names) && !(off & 3) ? names[off / 4] : NULL;
}

static const mmio_ops pl031_ops = {
	.read = pl031_read, .write = pl031_write, .peek = pl031_peek, .reg_name = pl031_reg_name,
};

static void pl031_reset(void *state)
{
	pl031 *r = state;

	/* -rtc base=DATE moves the start; the counter is 32 bits, as the PL031's */
	r->offset = r->m->opt->has_rtc_base ? (uint32_t)r->m->opt->rtc_base : PL031_EPOCH;
	r->mr = r->imsc = r->ris = 0;
	event_cancel(r->m, &r->match);
	update_irq(r);
}

static void *pl031_create(machine *m, const board_device *d)
{
	pl031 *r = kwb_zalloc(sizeof(*r));

	r->m = m;
	if (d->nirqs)
		r->irq = machine_irq(m, d->irqs[0]);
	event_init(&r->match, "pl031", match_fire, r);
	bus_add_mmio(&m->bus, d->name, d->base, d->size, &pl031_ops, r);
	pl031_reset(r);
	return r;
}

static int pl031_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	uint32_t clk = fdtu_phandle_of(fdt, "/apb-pclk");
	uint32_t intr[3] = { 0, (uint32_t)d->irqs[0], 4 };
	int node = fdtu_node_at(fdt, parent, d->name, d->base);

	(void)m; (void)state;
	fdtu_strings(fdt, node, "compatible", "arm,pl031", "arm,primecell", NULL);
	fdtu_reg(fdt, node, d->base, d->size);
	if (d->nirqs)
		fdtu_cells(fdt, node, "interrupts", intr, 3);
	fdtu_u32(fdt, node, "clocks", clk);
	fdtu_string(fdt, node, "clock-names", "apb_pclk");
	return node;
}

static void pl031_free(void *state)
{
	pl031 *r = state;
	event_cancel(r->m, &r->match);
	free(r);
}

/* The offset makes DR; the match event is the pending RTCMR interrupt.
 * The line level is the GIC's state, so nothing needs re-deriving. */
static const state_field pl031_fields[] = {
	ST_U32(pl031, offset),
	ST_U32(pl031, mr),
	ST_U32(pl031, imsc),
	ST_U32(pl031, ris),
	ST_EVENT(pl031, match),
	ST_END
};
static const state_desc pl031_state = { .name = "pl031", .version = 1, .fields = pl031_fields };

DEVICE_TYPE(pl031_type) {
	.name = "pl031",
	.create = pl031_create,
	.fdt = pl031_fdt,
	.reset = pl031_reset,
	.free = pl031_free,
	.state = &pl031_state,
};
