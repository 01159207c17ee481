/*
 * GICv3 ITS, as QEMU 7.2's arm-gicv3-its on virt (its=on, the default
 * with gic-version=3): a control frame (GITS_CTLR, TYPER, the command
 * queue's CBASER/CWRITER/CREADR, the device and collection tables'
 * BASER0/1) and a translation frame whose GITS_TRANSLATER turns an MSI,
 * EventID written by requester DeviceID, into an LPI on a redistributor.
 *
 * Everything the ITS knows lives in guest memory and is read and written
 * there on every use, like hardware without caches: the command queue,
 * the device table (flat or two-level; 8-byte DTEs: Valid, Size,
 * ITT_addr >> 8), the collection table (CTEs: Valid, RDbase = the CPU
 * number, GITS_TYPER.PTA = 0) and each device's ITT (12-byte ITEs: Valid,
 * physical, INTID, ICID; the doorbell word 1023), in QEMU's layout. What
 * QEMU does with a bad command, kwb does: a parameter out of range or an
 * entry that is not valid makes the command do nothing and the queue goes
 * on; a table write where no RAM answers stalls the queue
 * (GITS_CREADR.Stalled; a write of CWRITER retries, a write of CREADR
 * moves past it); a read there reads zeros. An MSI that translates to
 * nothing is dropped. Nothing a guest writes reaches host memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gicv3.h"
#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../monitor.h"
#include "../msi.h"
#include "../state.h"
#include "../trace_hooks.h"

#define ITS_SIZE 0x20000
enum {
	GITS_CTLR = 0x0000, GITS_IIDR = 0x0004, GITS_TYPER = 0x0008, GITS_CBASER = 0x0080,
	GITS_CWRITER = 0x0088, GITS_CREADR = 0x0090, GITS_BASER = 0x0100,
	GITS_TRANSLATER = 0x10040,
};
#define CTLR_ENABLED 1u
#define CTLR_QUIESCENT (1u << 31)
#define CREADR_STALLED 1ull
#define CWRITER_RETRY 1ull
#define QUEUE_OFFSET(r) ((r) & 0xfffe0ull)	/* [19:5] */
/* Physical LPIs; ITT entries of 12 bytes; 16-bit EventIDs and DeviceIDs;
 * CIL with 16-bit collection IDs (as QEMU 7.2) */
#define ITS_TYPER 0x0000001f0001efb1ull
#define ITS_IDBITS 15
#define ITE_SIZE 12
#define BASER_RO (0x7ull << 56 | 0x1full << 48)	/* Type, Entry_Size */
#define BASER_DEVICES (1ull << 56 | 7ull << 48 | 2ull << 8)	/* 8-byte entries, 64K pages */
#define BASER_COLLECTIONS (4ull << 56 | 7ull << 48 | 2ull << 8)
enum { TYPE_DEVICES = 1, TYPE_COLLECTIONS = 4 };
#define LPI_BASE 8192
#define INTID_SPURIOUS 1023

static const uint8_t its_id_regs[12] = {	/* 0xFFD0..0xFFFC: PIDR4-7, PIDR0-3, CIDR0-3 */
	0x44, 0, 0, 0, 0x94, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1,
};

typedef struct gicv3_its {
	machine *m;
	gicv3 *gic;
	paddr_t base;
	uint32_t ctlr;
	uint64_t cbaser, cwriter, creadr;
	uint64_t baser[8];
	/* what it has done, for `info gic` (not seen by the guest) */
	uint64_t commands, translations, ignored, stalls;
	char why[128];		/* the last command or MSI that did nothing, and why */
} gicv3_its;

typedef enum { CMD_CONTINUE, CMD_STALL } cmd_result;

/* ---- -d irq ---- */

static bool tracing(gicv3_its *s)
{
	return unlikely(trace_on(s->m->trace, TRACE_IRQ));
}

/* A command or MSI that does nothing: counted, remembered, traced. */
static cmd_result ignored(gicv3_its *s, const char *fmt, ...) KWB_PRINTF(2, 3);

static cmd_result ignored(gicv3_its *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->ignored++;
	if (tracing(s))
		trace_irq(s->m, -1, "its %s", s->why);
	return CMD_CONTINUE;
}

/* ---- tables in guest memory ---- */

typedef struct its_table {
	bool valid, indirect;
	uint32_t page_size;
	paddr_t base;
	uint64_t entries;	/* how many IDs it holds */
} its_table;

static its_table table_of(gicv3_its *s, unsigned type)
{
	its_table t = { 0 };

	for (int n = 0; n < 2; n++) {
		uint64_t v = s->baser[n];
		uint64_t pages;
		if ((v >> 56 & 7) != type || !(v >> 63))
			continue;
		t.valid = true;
		t.indirect = v >> 62 & 1;
		t.page_size = (v >> 8 & 3) == 0 ? 0x1000 : (v >> 8 & 3) == 1 ? 0x4000 : 0x10000;
		pages = (v & 0xff) + 1;
		if (t.page_size == 0x10000)
			t.base = (v & 0x0000ffffffff0000ull) | (v >> 12 & 0xf) << 48;
		else
			t.base = v & 0x0000fffffffff000ull;
		t.entries = pages * t.page_size / 8;
		if (t.indirect)
			t.entries *= t.page_size / 8;
	}
	return t;
}

static uint64_t read64(gicv3_its *s, paddr_t pa)
{
	uint64_t v = 0;

	if (bus_copy_from(&s->m->bus, pa, &v, 8))
		return 0;		/* nothing there: zeros, as QEMU reads it */
	return v;
}

/* Where entry id is: false when a two-level table has no page for it. */
static bool entry_addr(gicv3_its *s, const its_table *t, uint32_t id, paddr_t *pa)
{
	uint64_t per_page = t->page_size / 8, l1;

	if (!t->indirect) {
		*pa = t->base + (paddr_t)id * 8;
		return true;
	}
	l1 = read64(s, t->base + id / per_page * 8);
	if (!(l1 >> 63))
		return false;
	*pa = (l1 & ((1ull << 51) - 1)) + id % per_page * 8;
	return true;
}

static uint64_t read_entry(gicv3_its *s, const its_table *t, uint32_t id)
{
	paddr_t pa;

	return t->valid && entry_addr(s, t, id, &pa) ? read64(s, pa) : 0;
}

/* A table write where no RAM answers stalls the command queue. */
static cmd_result write_entry(gicv3_its *s, const its_table *t, uint32_t id, uint64_t v, const char *what)
{
	paddr_t pa;

	if (!t->valid || !entry_addr(s, t, id, &pa))
		return CMD_CONTINUE;	/* no table, or no level-2 page: nothing written */
	if (bus_copy_to(&s->m->bus, pa, &v, 8)) {
		snprintf(s->why, sizeof(s->why), "%s: the table entry at 0x%llx is not in RAM: queue stalled", what,
			 (unsigned long long)pa);
		return CMD_STALL;
	}
	return CMD_CONTINUE;
}

/* DTE: Valid [0], Size [5:1] (EventID bits - 1), ITT_addr >> 8 [49:6] */
static bool dte_valid(uint64_t d) { return d & 1; }
static unsigned dte_size(uint64_t d) { return (unsigned)(d >> 1 & 0x1f); }
static paddr_t dte_itt(uint64_t d) { return (d >> 6 & ((1ull << 44) - 1)) << 8; }
/* CTE: Valid [0], RDbase (the CPU number) [16:1] */
static bool cte_valid(uint64_t c) { return c & 1; }
static unsigned cte_cpu(uint64_t c) { return (unsigned)(c >> 1 & 0xffff); }

/* ITE, 12 bytes: Valid [0], physical [1], INTID [25:2], ICID [47:32];
 * then the doorbell word (1023 for a physical LPI) */
typedef struct ite {
	bool valid;
	uint32_t intid;
	uint16_t icid;
} ite;

static ite read_ite(gicv3_its *s, uint64_t dte, uint32_t event)
{
	uint64_t lo = read64(s, dte_itt(dte) + (paddr_t)event * ITE_SIZE);
	ite e = { .valid = (lo & 3) == 3, .intid = (uint32_t)(lo >> 2 & 0xffffff), .icid = (uint16_t)(lo >> 32) };

	return e;
}

static cmd_result write_ite(gicv3_its *s, uint64_t dte, uint32_t event, const ite *e, const char *what)
{
	uint8_t buf[ITE_SIZE];
	uint64_t lo = e->valid ? 3 | (uint64_t)e->intid << 2 | (uint64_t)e->icid << 32 : 0;
	uint32_t hi = e->valid ? INTID_SPURIOUS : 0;
	paddr_t pa = dte_itt(dte) + (paddr_t)event * ITE_SIZE;

	memcpy(buf, &lo, 8);
	memcpy(buf + 8, &hi, 4);
	if (bus_copy_to(&s->m->bus, pa, buf, sizeof(buf))) {
		snprintf(s->why, sizeof(s->why), "%s: the ITT entry at 0x%llx is not in RAM: queue stalled", what,
			 (unsigned long long)pa);
		return CMD_STALL;
	}
	return CMD_CONTINUE;
}

/* ---- translation: DeviceID, EventID -> LPI on a CPU ---- */

typedef struct xlate {
	uint64_t dte;
	ite e;
	unsigned cpu;
} xlate;

/* QEMU's checks, in its order; false (counted, traced) when any fails. */
static bool translate(gicv3_its *s, const char *what, uint32_t dev, uint32_t event, xlate *x)
{
	its_table dt = table_of(s, TYPE_DEVICES), ct = table_of(s, TYPE_COLLECTIONS);
	uint64_t cte;

	if (dev >= dt.entries)
		return ignored(s, "%s devid 0x%x event %u ignored: beyond the device table (%llu entries)", what, dev,
			       event, (unsigned long long)dt.entries), false;
	x->dte = read_entry(s, &dt, dev);
	if (!dte_valid(x->dte))
		return ignored(s, "%s devid 0x%x event %u ignored: device not mapped", what, dev, event), false;
	if ((uint64_t)event >= 1ull << (dte_size(x->dte) + 1))
		return ignored(s, "%s devid 0x%x event %u ignored: the device has %llu events", what, dev, event,
			       1ull << (dte_size(x->dte) + 1)), false;
	x->e = read_ite(s, x->dte, event);
	if (!x->e.valid)
		return ignored(s, "%s devid 0x%x event %u ignored: event not mapped", what, dev, event), false;
	if (x->e.icid >= ct.entries)
		return ignored(s, "%s devid 0x%x event %u ignored: collection %u beyond the table", what, dev, event,
			       x->e.icid), false;
	cte = read_entry(s, &ct, x->e.icid);
	if (!cte_valid(cte))
		return ignored(s, "%s devid 0x%x event %u ignored: collection %u not mapped", what, dev, event,
			       x->e.icid), false;
	x->cpu = cte_cpu(cte);
	if (x->cpu >= (unsigned)gicv3_ncpus(s->gic))
		return ignored(s, "%s devid 0x%x event %u ignored: collection %u names CPU %u", what, dev, event,
			       x->e.icid, x->cpu), false;
	return true;
}

/* An MSI: GITS_TRANSLATER written by requester (a CPU's write is DeviceID 0). */
static void its_msi(void *opaque, uint32_t event, uint32_t requester)
{
	gicv3_its *s = opaque;
	xlate x;

	if (!(s->ctlr & CTLR_ENABLED))
		return;
	if (!translate(s, "MSI", requester, event, &x))
		return;
	s->translations++;
	if (tracing(s))
		trace_irq(s->m, (int)x.cpu, "its MSI devid 0x%x event %u -> LPI %u cpu%u", requester, event,
			  x.e.intid, x.cpu);
	gicv3_lpi_set(s->gic, (int)x.cpu, x.e.intid, 1);
}

/* ---- commands ---- */

static uint32_t cmd_dev(const uint64_t *c) { return (uint32_t)(c[0] >> 32); }
static uint32_t cmd_event(const uint64_t *c) { return (uint32_t)c[1]; }
static uint16_t cmd_icid(const uint64_t *c) { return (uint16_t)c[2]; }
static unsigned cmd_rd(uint64_t w) { return (unsigned)(w >> 16 & 0xffff); }	/* RDbase: CPU number */

/* INT, CLEAR, DISCARD */
static cmd_result cmd_lpi(gicv3_its *s, const uint64_t *c, const char *name, int level, bool discard)
{
	xlate x;
	ite none = { 0 };

	if (!translate(s, name, cmd_dev(c), cmd_event(c), &x))
		return CMD_CONTINUE;
	if (tracing(s))
		trace_irq(s->m, (int)x.cpu, "its %s devid 0x%x event %u: LPI %u cpu%u", name, cmd_dev(c), cmd_event(c),
			  x.e.intid, x.cpu);
	gicv3_lpi_set(s->gic, (int)x.cpu, x.e.intid, level);
	return discard ? write_ite(s, x.dte, cmd_event(c), &none, name) : CMD_CONTINUE;
}

static cmd_result cmd_mapd(gicv3_its *s, const uint64_t *c)
{
	its_table dt = table_of(s, TYPE_DEVICES);
	uint32_t dev = cmd_dev(c);
	unsigned size = (unsigned)(c[1] & 0x1f);
	paddr_t itt = c[2] & 0x000fffffffffff00ull;
	bool valid = c[2] >> 63;
	uint64_t dte = valid ? 1 | (uint64_t)size << 1 | (itt >> 8) << 6 : 0;

	if (dev >= dt.entries || size > ITS_IDBITS)
		return ignored(s, "MAPD devid 0x%x size %u ignored: %s", dev, size + 1,
			       dev >= dt.entries ? "beyond the device table" : "more event ID bits than 16");
	if (tracing(s) && valid)
		trace_irq(s->m, -1, "its MAPD devid 0x%x: %u events, ITT 0x%llx", dev, 1u << (size + 1),
			  (unsigned long long)itt);
	else if (tracing(s))
		trace_irq(s->m, -1, "its MAPD devid 0x%x unmapped", dev);
	return write_entry(s, &dt, dev, dte, "MAPD");
}

static cmd_result cmd_mapc(gicv3_its *s, const uint64_t *c)
{
	its_table ct = table_of(s, TYPE_COLLECTIONS);
	uint16_t icid = cmd_icid(c);
	unsigned cpu = cmd_rd(c[2]);
	bool valid = c[2] >> 63;

	if (icid >= ct.entries || (valid && cpu >= (unsigned)gicv3_ncpus(s->gic)))
		return ignored(s, "MAPC collection %u -> cpu%u ignored: %s", icid, cpu,
			       icid >= ct.entries ? "beyond the collection table" : "no such CPU");
	if (tracing(s))
		trace_irq(s->m, -1, "its MAPC collection %u %s%u", icid, valid ? "-> cpu" : "unmapped, was ", cpu);
	return write_entry(s, &ct, icid, valid ? 1 | (uint64_t)cpu << 1 : 0, "MAPC");
}

/* MAPTI; MAPI is MAPTI with pINTID = EventID */
static cmd_result cmd_mapti(gicv3_its *s, const uint64_t *c, bool mapi)
{
	its_table dt = table_of(s, TYPE_DEVICES), ct = table_of(s, TYPE_COLLECTIONS);
	uint32_t dev = cmd_dev(c), event = cmd_event(c), intid = mapi ? event : (uint32_t)(c[1] >> 32);
	uint16_t icid = cmd_icid(c);
	const char *name = mapi ? "MAPI" : "MAPTI";
	uint64_t dte;
	ite e = { .valid = true, .intid = intid, .icid = icid };

	dte = dev < dt.entries ? read_entry(s, &dt, dev) : 0;
	if (dev >= dt.entries || icid >= ct.entries || !dte_valid(dte) ||
	    (uint64_t)event >= 1ull << (dte_size(dte) + 1) || intid < LPI_BASE || intid >= 1u << (ITS_IDBITS + 1))
		return ignored(s, "%s devid 0x%x event %u -> LPI %u collection %u ignored: %s", name, dev, event, intid,
			       icid, dev >= dt.entries ? "beyond the device table" :
			       icid >= ct.entries ? "collection beyond the table" :
			       !dte_valid(dte) ? "device not mapped" :
			       (uint64_t)event >= 1ull << (dte_size(dte) + 1) ? "event beyond the device's" :
			       "not an LPI INTID");
	if (tracing(s))
		trace_irq(s->m, -1, "its %s devid 0x%x event %u -> LPI %u collection %u", name, dev, event, intid, icid);
	return write_ite(s, dte, event, &e, name);
}

static cmd_result cmd_movi(gicv3_its *s, const uint64_t *c)
{
	its_table ct = table_of(s, TYPE_COLLECTIONS);
	uint16_t icid = cmd_icid(c);
	uint64_t cte;
	xlate x;
	unsigned to;

	if (!translate(s, "MOVI", cmd_dev(c), cmd_event(c), &x))
		return CMD_CONTINUE;
	cte = icid < ct.entries ? read_entry(s, &ct, icid) : 0;
	to = cte_cpu(cte);
	if (!cte_valid(cte) || to >= (unsigned)gicv3_ncpus(s->gic))
		return ignored(s, "MOVI devid 0x%x event %u to collection %u ignored: not mapped to a CPU", cmd_dev(c),
			       cmd_event(c), icid);
	if (tracing(s))
		trace_irq(s->m, -1, "its MOVI devid 0x%x event %u: LPI %u to collection %u (cpu%u -> cpu%u)",
			  cmd_dev(c), cmd_event(c), x.e.intid, icid, x.cpu, to);
	if (to != x.cpu && gicv3_lpi_pending(s->gic, (int)x.cpu, x.e.intid)) {
		gicv3_lpi_set(s->gic, (int)x.cpu, x.e.intid, 0);
		gicv3_lpi_set(s->gic, (int)to, x.e.intid, 1);
	}
	x.e.icid = icid;
	return write_ite(s, x.dte, cmd_event(c), &x.e, "MOVI");
}

static cmd_result cmd_inv(gicv3_its *s, const uint64_t *c)
{
	xlate x;

	if (!translate(s, "INV", cmd_dev(c), cmd_event(c), &x))
		return CMD_CONTINUE;
	if (tracing(s))
		trace_irq(s->m, (int)x.cpu, "its INV devid 0x%x event %u: LPI %u configuration re-read on cpu%u",
			  cmd_dev(c), cmd_event(c), x.e.intid, x.cpu);
	gicv3_lpi_reload(s->gic, (int)x.cpu);
	return CMD_CONTINUE;
}

static cmd_result cmd_invall(gicv3_its *s, const uint64_t *c)
{
	its_table ct = table_of(s, TYPE_COLLECTIONS);
	uint16_t icid = cmd_icid(c);
	uint64_t cte = icid < ct.entries ? read_entry(s, &ct, icid) : 0;

	if (!cte_valid(cte) || cte_cpu(cte) >= (unsigned)gicv3_ncpus(s->gic))
		return ignored(s, "INVALL collection %u ignored: not mapped to a CPU", icid);
	if (tracing(s))
		trace_irq(s->m, (int)cte_cpu(cte), "its INVALL collection %u: LPI configuration re-read on cpu%u",
			  icid, cte_cpu(cte));
	gicv3_lpi_reload(s->gic, (int)cte_cpu(cte));
	return CMD_CONTINUE;
}

static cmd_result cmd_movall(gicv3_its *s, const uint64_t *c)
{
	unsigned from = cmd_rd(c[2]), to = cmd_rd(c[3]), n = (unsigned)gicv3_ncpus(s->gic);

	if (from >= n || to >= n)
		return ignored(s, "MOVALL cpu%u -> cpu%u ignored: no such CPU", from, to);
	if (tracing(s))
		trace_irq(s->m, -1, "its MOVALL cpu%u -> cpu%u", from, to);
	if (from != to)
		gicv3_lpi_move_all(s->gic, (int)from, (int)to);
	return CMD_CONTINUE;
}

static cmd_result run_command(gicv3_its *s, const uint64_t *c)
{
	s->commands++;
	switch (c[0] & 0xff) {
	case 0x01: return cmd_movi(s, c);
	case 0x03: return cmd_lpi(s, c, "INT", 1, false);
	case 0x04: return cmd_lpi(s, c, "CLEAR", 0, false);
	case 0x05:		/* SYNC: everything is done already */
		if (tracing(s))
			trace_irq(s->m, -1, "its SYNC cpu%u", cmd_rd(c[2]));
		return CMD_CONTINUE;
	case 0x08: return cmd_mapd(s, c);
	case 0x09: return cmd_mapc(s, c);
	case 0x0a: return cmd_mapti(s, c, false);
	case 0x0b: return cmd_mapti(s, c, true);
	case 0x0c: return cmd_inv(s, c);
	case 0x0d: return cmd_invall(s, c);
	case 0x0e: return cmd_movall(s, c);
	case 0x0f: return cmd_lpi(s, c, "DISCARD", 0, true);
	}
	return ignored(s, "command 0x%02x ignored: %s", (unsigned)(c[0] & 0xff),
		       (c[0] & 0xff) >= 0x20 && (c[0] & 0xff) < 0x30 ? "a GICv4 command (no virtual LPIs)" :
		       "not an ITS command");
}

/* From CREADR to CWRITER, as QEMU: even a stalled queue runs again from
 * CREADR when CWRITER is written (and stalls again on the same command). */
static void process_queue(gicv3_its *s)
{
	uint64_t entries = (s->cbaser >> 63) ? ((s->cbaser & 0xff) + 1) * 0x1000 / 32 : 0;
	paddr_t base = s->cbaser & 0x000ffffffffff000ull;
	uint64_t rd = QUEUE_OFFSET(s->creadr) / 32, wr = QUEUE_OFFSET(s->cwriter) / 32;

	if (!(s->ctlr & CTLR_ENABLED))
		return;
	if (wr >= entries || rd >= entries) {
		ignored(s, "command queue not processed: %s offset 0x%llx past its %llu commands",
			wr >= entries ? "CWRITER" : "CREADR", (unsigned long long)(wr >= entries ? wr : rd) * 32,
			(unsigned long long)entries);
		return;
	}
	while (rd != wr) {
		uint64_t c[4] = { 0 };
		if (bus_copy_from(&s->m->bus, base + rd * 32, c, sizeof(c)))
			memset(c, 0, sizeof(c));	/* where nothing is: zeros, as QEMU reads it */
		if (run_command(s, c) == CMD_STALL) {
			s->creadr |= CREADR_STALLED;
			s->stalls++;
			if (tracing(s))
				trace_irq(s->m, -1, "its %s", s->why);
			break;
		}
		rd = (rd + 1) % entries;
		s->creadr = (s->creadr & ~0xfffe0ull) | rd * 32;
	}
}

/* ---- registers ---- */

static uint64_t reg_read(gicv3_its *s, uint32_t off, unsigned size)
{
	uint64_t v;

	switch (off & ~7u) {
	case GITS_TYPER: v = ITS_TYPER; break;
	case GITS_CBASER: v = s->cbaser; break;
	case GITS_CWRITER: v = s->cwriter; break;
	case GITS_CREADR: v = s->creadr; break;
	default:
		if (off >= GITS_BASER && off < GITS_BASER + 0x40) {
			v = s->baser[(off - GITS_BASER) / 8];
			break;
		}
		if (size != 4)
			return 0;
		if (off == GITS_CTLR)
			return s->ctlr | CTLR_QUIESCENT;
		if (off == GITS_IIDR)
			return 0x43b;
		if (off >= 0xffd0 && off <= 0xfffc && !(off & 3))
			return its_id_regs[(off - 0xffd0) / 4];
		return 0;
	}
	if (size == 8)
		return (off & 7) ? 0 : v;
	return size == 4 && !(off & 3) ? (uint32_t)(v >> (8 * (off & 4))) : 0;
}

static void set_reg(uint64_t *r, uint32_t off, uint64_t v, unsigned size, uint64_t keep)
{
	uint64_t mask = size == 8 ? ~0ull : 0xffffffffull << (8 * (off & 4));

	v = size == 8 ? v : v << (8 * (off & 4));
	*r = (*r & (~mask | keep)) | (v & mask & ~keep);
}

static void reg_write(gicv3_its *s, uint32_t off, uint64_t v, unsigned size)
{
	bool enabled = s->ctlr & CTLR_ENABLED;

	if ((size != 4 && size != 8) || (off & (size - 1)))
		return;
	if (off == GITS_CTLR && size == 4) {
		if (v & CTLR_ENABLED) {
			s->ctlr |= CTLR_ENABLED;
			if (tracing(s) && !enabled)
				trace_irq(s->m, -1, "its enabled");
			process_queue(s);
		} else {
			s->ctlr &= ~CTLR_ENABLED;
			if (tracing(s) && enabled)
				trace_irq(s->m, -1, "its disabled");
		}
		return;
	}
	switch (off & ~7u) {
	case GITS_CBASER:	/* fixed while enabled; a new queue is read from its start (QEMU) */
		if (!enabled) {
			set_reg(&s->cbaser, off, v, size, 0);
			s->creadr = 0;
		}
		return;
	case GITS_CWRITER:
		set_reg(&s->cwriter, off, v, size, (off & 4) ? 0 : CWRITER_RETRY);
		if (!(off & 4) && s->cwriter != s->creadr)
			process_queue(s);
		return;
	case GITS_CREADR:	/* writable: GICD_CTLR.DS = 1; a write ends a stall */
		set_reg(&s->creadr, off, v & ((off & 4) ? ~0ull : ~CREADR_STALLED), size, 0);
		return;
	}
	if (off >= GITS_BASER && off < GITS_BASER + 0x10 && !enabled)	/* BASER2..7 RAZ/WI */
		set_reg(&s->baser[(off - GITS_BASER) / 8], off, v, size, BASER_RO);
}

static uint64_t its_read(void *opaque, uint64_t off, unsigned size)
{
	return off < 0x10000 ? reg_read(opaque, (uint32_t)off, size) : 0;
}

static void its_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	gicv3_its *s = opaque;

	if (off == GITS_TRANSLATER && (size == 2 || size == 4))
		its_msi(s, (uint32_t)v, 0);	/* a CPU's write: DeviceID 0, as on QEMU */
	else if (off < 0x10000)
		reg_write(s, (uint32_t)off, v, size);
}

static bool its_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	*v = its_read(opaque, off, size);
	return true;
}

static const char *its_reg_name(void *opaque, uint64_t off)
{
	static char buf[16];

	(void)opaque;
	switch (off) {
	case GITS_CTLR: return "GITS_CTLR";
	case GITS_IIDR: return "GITS_IIDR";
	case GITS_TYPER: return "GITS_TYPER";
	case GITS_CBASER: return "GITS_CBASER";
	case GITS_CWRITER: return "GITS_CWRITER";
	case GITS_CREADR: return "GITS_CREADR";
	case GITS_TRANSLATER: return "GITS_TRANSLATER";
	case 0xffe8: return "GITS_PIDR2";
	}
	if (off >= GITS_BASER && off < GITS_BASER + 0x40 && !(off & 7)) {
		snprintf(buf, sizeof(buf), "GITS_BASER%u", (unsigned)(off - GITS_BASER) / 8);
		return buf;
	}
	return NULL;
}

static const mmio_ops its_ops = {
	.read = its_read, .write = its_write, .peek = its_peek, .reg_name = its_reg_name,
};

/* ---- the "gicv3-its" device on a board ---- */

static void its_reset(void *state)
{
	gicv3_its *s = state;

	s->ctlr = 0;
	s->cbaser = s->cwriter = s->creadr = 0;
	memset(s->baser, 0, sizeof(s->baser));
	s->baser[0] = BASER_DEVICES;
	s->baser[1] = BASER_COLLECTIONS;
}

static void *its_create(machine *m, const board_device *d)
{
	gicv3_its *s = kwb_zalloc(sizeof(*s));

	if (!machine_device(m, "gicv3"))
		kwb_fatal("board %s: an ITS needs a GICv3", m->board->name);
	s->m = m;
	s->gic = m->irqchip;
	s->base = d->base;
	its_reset(s);
	bus_add_mmio(&m->bus, "gicv3-its", d->base, ITS_SIZE, &its_ops, s);
	msi_add_doorbell(m, d->base + GITS_TRANSLATER, its_msi, s);
	return s;
}

/* Under the GIC's node, as QEMU's: its@8080000 { compatible =
 * "arm,gic-v3-its"; msi-controller; #msi-cells = <1>; reg; phandle }; the
 * PCIe host's msi-map points here. */
static int its_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	int node = fdtu_node_at(fdt, fdtu_path(fdt, "/intc@8000000"), d->name, d->base);

	(void)m; (void)state; (void)parent;
	fdtu_string(fdt, node, "compatible", "arm,gic-v3-its");
	fdtu_empty(fdt, node, "msi-controller");
	fdtu_u32(fdt, node, "#msi-cells", 1);
	fdtu_reg(fdt, node, d->base, ITS_SIZE);
	fdtu_phandle(fdt, node);
	return node;
}

static void its_free(void *state)
{
	gicv3_its *s = state;

	msi_remove_doorbell(s->m, s);
	free(s);
}

/* ---- state: registers here, everything else in guest memory ---- */

static void show_table(mon_out *o, const char *name, const its_table *t)
{
	if (!t->valid) {
		mon_printf(o, "  %s table: not valid\n", name);
		return;
	}
	mon_printf(o, "  %s table: 0x%llx, %s, %uK pages, %llu entries\n", name, (unsigned long long)t->base,
		   t->indirect ? "two-level" : "flat", t->page_size >> 10, (unsigned long long)t->entries);
}

/* The mapped devices and their events, read from the tables without side
 * effects (the first 32 devices, 8 events each). */
static void its_info(void *obj, mon_out *o)
{
	gicv3_its *s = obj;
	its_table dt = table_of(s, TYPE_DEVICES), ct = table_of(s, TYPE_COLLECTIONS);
	uint64_t entries = (s->cbaser >> 63) ? ((s->cbaser & 0xff) + 1) * 0x1000 / 32 : 0;
	int shown = 0;

	mon_printf(o, "decoded: ITS %s%s; command queue 0x%llx (%llu commands), CREADR %llu, CWRITER %llu\n",
		   s->ctlr & CTLR_ENABLED ? "enabled" : "disabled", s->creadr & CREADR_STALLED ? ", STALLED" : "",
		   (unsigned long long)(s->cbaser & 0x000ffffffffff000ull), (unsigned long long)entries,
		   (unsigned long long)QUEUE_OFFSET(s->creadr) / 32, (unsigned long long)QUEUE_OFFSET(s->cwriter) / 32);
	show_table(o, "device", &dt);
	show_table(o, "collection", &ct);
	mon_printf(o, "  %llu commands, %llu MSIs translated, %llu ignored, %llu stalls%s%s\n",
		   (unsigned long long)s->commands, (unsigned long long)s->translations, (unsigned long long)s->ignored,
		   (unsigned long long)s->stalls, s->why[0] ? "; last: " : "", s->why);
	for (uint32_t c = 0; ct.valid && c < ct.entries && c < 64; c++) {
		uint64_t cte = read_entry(s, &ct, c);
		if (cte_valid(cte))
			mon_printf(o, "  collection %u -> cpu%u\n", c, cte_cpu(cte));
	}
	for (uint32_t dev = 0; dt.valid && dev < dt.entries && dev < 0x10000 && shown < 32; dev++) {
		uint64_t dte = read_entry(s, &dt, dev);
		unsigned events;
		if (!dte_valid(dte))
			continue;
		shown++;
		events = 1u << (dte_size(dte) + 1);
		mon_printf(o, "  device 0x%x (%02x:%02x.%x): ITT 0x%llx, %u events:", dev, dev >> 8, dev >> 3 & 31,
			   dev & 7, (unsigned long long)dte_itt(dte), events);
		for (uint32_t ev = 0; ev < events && ev < 8; ev++) {
			ite e = read_ite(s, dte, ev);
			if (e.valid)
				mon_printf(o, " %u->LPI %u/col %u", ev, e.intid, e.icid);
		}
		mon_printf(o, "\n");
	}
}

static const state_field its_fields[] = {
	ST_U32(gicv3_its, ctlr),
	ST_U64(gicv3_its, cbaser),
	ST_U64(gicv3_its, cwriter),
	ST_U64(gicv3_its, creadr),
	ST_UINT_ARRAY(gicv3_its, baser),
	ST_UINT_DEC(gicv3_its, commands),
	ST_UINT_DEC(gicv3_its, translations),
	ST_UINT_DEC(gicv3_its, ignored),
	ST_UINT_DEC(gicv3_its, stalls),
	ST_END
};
static const state_desc its_state = {
	.name = "gicv3-its", .version = 1, .fields = its_fields, .info = its_info,
};

DEVICE_TYPE(gicv3_its_type) {
	.name = "gicv3-its",
	.create = its_create,
	.fdt = its_fdt,
	.reset = its_reset,
	.free = its_free,
	.state = &its_state,
};
