/*
 * SiFive PLIC as on QEMU's virt: sources 1..96 with 3-bit priorities, and
 * two contexts per hart (2h = M-mode -> MEIP, 2h+1 = S-mode -> SEIP), each
 * with enables, a threshold and a claim/complete register. A source pends
 * as on QEMU 7.2: every time its device drives the line high (a device
 * re-raising a line already high pends it again, claimed or not), and only
 * a claim clears it: a line going low does not, and completing does not
 * pend a line that stays high. The difftest needs exactly this (Linux's
 * 8250 start-up leaves the UART's pending bit set with the line low).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../arch/riscv64/riscv64.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../monitor.h"
#include "../state.h"
#include "../trace_hooks.h"
#include "plic.h"

#define PLIC_SOURCES 96			/* riscv,ndev: sources 1..96 */
#define PLIC_WORDS ((PLIC_SOURCES + 1 + 31) / 32)
#define PLIC_PRIO_MASK 7
#define PLIC_CONTEXTS (2 * KWB_MAX_CPUS)

#define PLIC_PRIORITY 0x000000
#define PLIC_PENDING 0x001000
#define PLIC_ENABLE 0x002000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000

struct plic {
	machine *m;
	int ncontexts;
	uint32_t priority[PLIC_SOURCES + 1];
	uint32_t level[PLIC_WORDS];	/* input lines as driven */
	uint32_t pending[PLIC_WORDS];
	uint32_t claimed[PLIC_WORDS];	/* in service: not delivered again until complete */
	uint32_t enable[PLIC_CONTEXTS][PLIC_WORDS];
	uint32_t threshold[PLIC_CONTEXTS];
	bool out[PLIC_CONTEXTS];	/* what the hart's MEIP/SEIP was last set to */
};

static bool tracing(plic *s)
{
	return unlikely(trace_on(s->m->trace, TRACE_IRQ));
}

/* "source 10 (serial)" */
static const char *source_name(plic *s, int n, char *buf, size_t len)
{
	const char *dev = trace_irq_source(s->m, n);

	snprintf(buf, len, "source %d%s%s%s", n, dev ? " (" : "", dev ? dev : "", dev ? ")" : "");
	return buf;
}

/* Contexts 2h and 2h+1 are hart h's M and S modes. */
static void trace_ctx(plic *s, int ctx, const char *fmt, ...) KWB_PRINTF(3, 4);

static void trace_ctx(plic *s, int ctx, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	trace_irq(s->m, ctx / 2, "plic context %d (%s) %s", ctx, ctx & 1 ? "S" : "M", what);
}

static bool test_bit(const uint32_t *w, int n) { return w[n / 32] >> (n % 32) & 1; }
static void put_bit(uint32_t *w, int n, bool v)
{
	if (v)
		w[n / 32] |= 1u << (n % 32);
	else
		w[n / 32] &= ~(1u << (n % 32));
}

/* Highest-priority pending, enabled, unclaimed source for a context
 * (lowest id on ties), or 0; its priority in *prio. */
static int best_source(plic *s, int ctx, uint32_t *prio)
{
	int best = 0;
	uint32_t bp = 0;

	for (int w = 0; w < PLIC_WORDS; w++) {
		uint32_t bitsv = s->pending[w] & ~s->claimed[w] & s->enable[ctx][w];
		while (bitsv) {
			int n = w * 32 + __builtin_ctz(bitsv);
			bitsv &= bitsv - 1;
			if (n <= PLIC_SOURCES && s->priority[n] > bp) {
				bp = s->priority[n];
				best = n;
			}
		}
	}
	*prio = bp;
	return best;
}

static void plic_update(plic *s)
{
	for (int ctx = 0; ctx < s->ncontexts; ctx++) {
		uint32_t prio;
		bool on = best_source(s, ctx, &prio) && prio > s->threshold[ctx];
		int hart = ctx / 2;

		if (on == s->out[ctx])
			continue;
		s->out[ctx] = on;
		if (tracing(s))
			trace_ctx(s, ctx, "%s %s", ctx & 1 ? "SEIP" : "MEIP", on ? "high" : "low");
		if (hart < s->m->ncpus && s->m->cpus[hart])
			riscv_set_mip(s->m->cpus[hart], ctx & 1 ? MIP_SEIP : MIP_MEIP, on);
	}
}

bool plic_context_output(plic *s, int ctx)
{
	return ctx >= 0 && ctx < s->ncontexts && s->out[ctx];
}

static void plic_set_irq(void *opaque, int n, int level)
{
	plic *s = opaque;

	if (n < 1 || n > PLIC_SOURCES)
		return;
	if (tracing(s) && test_bit(s->level, n) != !!level) {
		char name[64];
		trace_irq(s->m, -1, "plic %s line %s%s", source_name(s, n, name, sizeof(name)),
			  level ? "high" : "low", !level ? "" : test_bit(s->claimed, n) ? ", pending (claimed: delivered after complete)" :
			  ", pending");
	}
	put_bit(s->level, n, level);
	if (level) {
		put_bit(s->pending, n, 1);
		plic_update(s);
	}
}

irq_line plic_irq(plic *s, int n)
{
	return (irq_line){ .set = plic_set_irq, .opaque = s, .n = n };
}

static int plic_claim(plic *s, int ctx)
{
	uint32_t prio;
	int n = best_source(s, ctx, &prio);

	if (tracing(s)) {
		char name[64];
		if (n)
			trace_ctx(s, ctx, "claim: %s, priority %u", source_name(s, n, name, sizeof(name)), prio);
		else
			trace_ctx(s, ctx, "claim: none");
	}
	if (n) {
		put_bit(s->pending, n, 0);
		put_bit(s->claimed, n, 1);
		plic_update(s);
	}
	return n;
}

static void plic_complete(plic *s, int ctx, uint32_t n)
{
	/* Completing an id the context has not enabled is ignored (spec). */
	if (n < 1 || n > PLIC_SOURCES || !test_bit(s->enable[ctx], (int)n))
		return;
	if (tracing(s)) {
		char name[64];
		trace_ctx(s, ctx, "complete: %s%s", source_name(s, (int)n, name, sizeof(name)),
			  test_bit(s->pending, (int)n) ? " (pending again)" : "");
	}
	put_bit(s->claimed, (int)n, 0);
	plic_update(s);
}

/* The 32-bit register at an aligned offset, without side effects: the
 * claim register reports what a claim would return. */
static uint32_t plic_reg(plic *s, uint64_t off)
{
	if (off < PLIC_PENDING)
		return off / 4 <= PLIC_SOURCES ? s->priority[off / 4] : 0;
	if (off < PLIC_ENABLE)
		return (off - PLIC_PENDING) / 4 < PLIC_WORDS ? s->pending[(off - PLIC_PENDING) / 4] : 0;
	if (off < PLIC_CONTEXT) {
		uint64_t ctx = (off - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
		uint64_t w = (off - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4;
		return ctx < (uint64_t)s->ncontexts && w < PLIC_WORDS ? s->enable[ctx][w] : 0;
	}
	uint64_t ctx = (off - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
	uint64_t reg = (off - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
	uint32_t prio;
	if (ctx >= (uint64_t)s->ncontexts)
		return 0;
	if (reg == 0)
		return s->threshold[ctx];
	if (reg == 4)
		return (uint32_t)best_source(s, (int)ctx, &prio);
	return 0;
}

/* Any size and alignment for the debugger (it reads byte by byte). */
static bool plic_peek(void *opaque, uint64_t off, unsigned size, uint64_t *value)
{
	uint64_t v = plic_reg(opaque, off & ~3ull) | (uint64_t)plic_reg(opaque, (off & ~3ull) + 4) << 32;

	v >>= (off & 3) * 8;
	*value = size >= 8 ? v : v & ((1ull << (size * 8)) - 1);
	return true;
}

static uint64_t plic_read(void *opaque, uint64_t off, unsigned size)
{
	plic *s = opaque;
	uint64_t v;

	if (size == 4 && off >= PLIC_CONTEXT && (off - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE == 4) {
		uint64_t ctx = (off - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
		return ctx < (uint64_t)s->ncontexts ? (uint64_t)plic_claim(s, (int)ctx) : 0;
	}
	if (size != 4 || (off & 3))
		return 0;	/* the PLIC has 32-bit registers only */
	plic_peek(opaque, off, size, &v);
	return v;
}

static void plic_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	plic *s = opaque;
	uint32_t v = (uint32_t)value;

	if (size != 4 || (off & 3))
		return;
	if (off < PLIC_PENDING) {
		uint64_t n = off / 4;
		if (n >= 1 && n <= PLIC_SOURCES) {
			if (tracing(s) && s->priority[n] != (v & PLIC_PRIO_MASK)) {
				char name[64];
				trace_irq(s->m, -1, "plic %s priority %u", source_name(s, (int)n, name, sizeof(name)),
					  v & PLIC_PRIO_MASK);
			}
			s->priority[n] = v & PLIC_PRIO_MASK;
		}
	} else if (off < PLIC_ENABLE) {
		return;		/* pending bits are read-only */
	} else if (off < PLIC_CONTEXT) {
		uint64_t ctx = (off - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
		uint64_t w = (off - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4;
		if (ctx >= (uint64_t)s->ncontexts || w >= PLIC_WORDS)
			return;
		if (w == 0)
			v &= ~1u;	/* source 0 does not exist */
		if (w == PLIC_WORDS - 1 && (PLIC_SOURCES + 1) % 32)
			v &= (1u << ((PLIC_SOURCES + 1) % 32)) - 1;
		if (tracing(s)) {
			char name[64];
			for (uint32_t d = s->enable[ctx][w] ^ v; d; d &= d - 1) {
				int n = (int)w * 32 + __builtin_ctz(d);
				trace_ctx(s, (int)ctx, "%s %s", source_name(s, n, name, sizeof(name)),
					  v >> (n % 32) & 1 ? "enabled" : "disabled");
			}
		}
		s->enable[ctx][w] = v;
	} else {
		uint64_t ctx = (off - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
		uint64_t reg = (off - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
		if (ctx >= (uint64_t)s->ncontexts)
			return;
		if (reg == 0) {
			if (tracing(s) && s->threshold[ctx] != (v & PLIC_PRIO_MASK))
				trace_ctx(s, (int)ctx, "threshold %u", v & PLIC_PRIO_MASK);
			s->threshold[ctx] = v & PLIC_PRIO_MASK;
		} else if (reg == 4)
			plic_complete(s, (int)ctx, v);
		else
			return;
	}
	plic_update(s);
}

static const char *plic_reg_name(void *opaque, uint64_t off)
{
	(void)opaque;
	if (off < PLIC_PENDING)
		return "priority";
	if (off < PLIC_ENABLE)
		return "pending";
	if (off < PLIC_CONTEXT)
		return "enable";
	switch ((off - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE) {
	case 0: return "threshold";
	case 4: return "claim";
	default: return "reserved";
	}
}

static const mmio_ops plic_ops = {
	.read = plic_read, .write = plic_write, .peek = plic_peek, .reg_name = plic_reg_name,
};

plic *plic_get(machine *m)
{
	plic *s = m->irqchip;

	if (!s) {
		s = kwb_zalloc(sizeof(*s));
		s->m = m;
		s->ncontexts = 2 * m->ncpus;
		m->irqchip = s;
	}
	return s;
}

static void plic_reset(void *state)
{
	plic *s = state;

	for (int i = 0; i < PLIC_WORDS; i++)
		s->pending[i] = s->claimed[i] = 0;
	for (int i = 0; i <= PLIC_SOURCES; i++)
		s->priority[i] = 0;
	for (int c = 0; c < s->ncontexts; c++) {
		for (int i = 0; i < PLIC_WORDS; i++)
			s->enable[c][i] = 0;
		s->threshold[c] = 0;
		s->out[c] = true;	/* force the harts' lines to be driven low */
	}
	plic_update(s);
}

static void *plic_create(machine *m, const board_device *d)
{
	plic *s = plic_get(m);

	bus_add_mmio(&m->bus, d->name, d->base, d->size, &plic_ops, s);
	return s;
}

static int plic_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	uint32_t cells[2 * 2 * KWB_MAX_CPUS];
	int node, n;

	(void)state;
	/* M (11) and S (9) external interrupts: contexts 2h, 2h+1 */
	n = fdtu_hart_irq_pairs(fdt, m->ncpus, 11, 9, cells);
	node = fdtu_node_at(fdt, parent, d->name, d->base);
	fdtu_u32(fdt, node, "#interrupt-cells", 1);
	fdtu_u32(fdt, node, "#address-cells", 0);
	fdtu_strings(fdt, node, "compatible", "sifive,plic-1.0.0", "riscv,plic0", NULL);
	fdtu_empty(fdt, node, "interrupt-controller");
	fdtu_cells(fdt, node, "interrupts-extended", cells, n);
	fdtu_reg(fdt, node, d->base, d->size);
	fdtu_u32(fdt, node, "riscv,ndev", PLIC_SOURCES);
	fdtu_phandle(fdt, node);
	return node;
}

static void plic_free(void *state)
{
	plic *s = state;
	if (s->m->irqchip == s)
		s->m->irqchip = NULL;
	free(s);
}

/* Decoded for `info plic`: each context's next claim and the sources in use. */
static void plic_info(void *obj, mon_out *o)
{
	plic *s = obj;

	for (int ctx = 0; ctx < s->ncontexts; ctx++) {
		uint32_t prio;
		int best = best_source(s, ctx, &prio);
		mon_printf(o, "context %d (hart %d %s): threshold %u, %s %s, next claim %d, enabled:",
			   ctx, ctx / 2, ctx & 1 ? "S" : "M", s->threshold[ctx],
			   ctx & 1 ? "SEIP" : "MEIP", s->out[ctx] ? "high" : "low", best);
		for (int n = 1; n <= PLIC_SOURCES; n++)
			if (test_bit(s->enable[ctx], n))
				mon_printf(o, " %d", n);
		mon_printf(o, "\n");
	}
	for (int n = 1; n <= PLIC_SOURCES; n++) {
		bool level = test_bit(s->level, n), pend = test_bit(s->pending, n);
		bool claimed = test_bit(s->claimed, n);
		bool enabled = false;
		for (int ctx = 0; ctx < s->ncontexts; ctx++)
			enabled |= test_bit(s->enable[ctx], n);
		/* Linux gives every source a priority: list only those in use */
		if (!enabled && !level && !pend && !claimed)
			continue;
		mon_printf(o, "source %2d: priority %u, line %s%s%s\n", n, s->priority[n],
			   level ? "high" : "low", pend ? ", pending" : "", claimed ? ", claimed" : "");
	}
}

/* The enables of all contexts as one array of words (context-major). */
static const state_field plic_fields[] = {
	ST_UINT_ARRAY(plic, priority),
	ST_UINT_ARRAY(plic, level),
	ST_UINT_ARRAY(plic, pending),
	ST_UINT_ARRAY(plic, claimed),
	{ .name = "enable", .kind = ST_KIND_UINT, .size = 4, .offset = offsetof(plic, enable),
	  .count = PLIC_CONTEXTS * PLIC_WORDS, .stride = 4, .count_off = ST_NO_COUNT },
	ST_UINT_ARRAY_N(plic, threshold, ncontexts),
	ST_BOOL_ARRAY(plic, out),
	ST_END
};
static const state_desc plic_state = { .name = "plic", .version = 1, .fields = plic_fields,
				       .info = plic_info };

DEVICE_TYPE(plic_type) {
	.name = "plic",
	.create = plic_create,
	.fdt = plic_fdt,
	.reset = plic_reset,
	.free = plic_free,
	.state = &plic_state,
};
