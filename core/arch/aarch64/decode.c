/*
 * Instruction decode: the pattern tables are scanned once per instruction
 * word; the run loop caches the handler in the decoded page.
 */
#include "a64_int.h"
#include "exec.h"

A64_THREAD(a64_x_undef)

static a64_tfn scan(const a64_pattern *p, uint32_t insn)
{
	for (; p->fn; p++)
		if ((insn & p->mask) == p->value)
			return p->fn;
	return NULL;
}

a64_tfn a64_decode(uint32_t insn)
{
	unsigned op0 = insn >> 25 & 15;
	a64_tfn fn = NULL;

	if ((op0 & 0xe) == 0x8 || (op0 & 7) == 5)
		fn = scan(a64_dp_patterns, insn);
	else if ((op0 & 5) == 4)
		fn = scan(a64_ldst_patterns, insn);
	else if ((op0 & 0xe) == 0xa || (op0 & 7) == 7)
		fn = scan(a64_sys_patterns, insn);
	return fn ? fn : t_a64_x_undef;
}

/* A slot holding a breakpoint (a64_mark_bps): stop before the instruction
 * when the debugger's point matches this pc (the page may be reached
 * through another virtual address too), else run it. */
static int t_bp(a64_cpu *s, a64_dent *d)
{
	a64_core *k = CORE(s);

	if (dbg_bp_hit(&s->c, s->pc, k->cur->pa + (s->pc & 0xfff))) {
		k->stop = CPU_EXIT_DEBUG;
		return 1;
	}
	return a64_decode(d->insn)(s, d);
}

bool a64_mark_bps(a64_core *k, xtlb_entry *e)
{
	uint16_t offs[64];
	int n = dbg_bp_offsets(k->s.c.m, e->tag, e->pa, offs, ARRAY_SIZE(offs));
	bool news = false;

	if (n < 0)
		return false;
	for (int i = 0; i < n; i++)
		news |= !(offs[i] & 3) && e->pg->e[offs[i] >> 2].fn != t_bp;
	/* a compiled block must not run over a breakpoint slot: decode the
	 * page again (no block runs: blocks leave by tail calls only). Only
	 * when a slot is newly marked: the exec TLB refills a page's entry
	 * often, and each refill marks again (never-hit breakpoints between
	 * instructions mark nothing and must not cost the page its blocks). */
	if (news && e->pg->jit)
		a64_page_clear(e->pg);
	for (int i = 0; i < n; i++) {
		a64_dent *d = &e->pg->e[offs[i] >> 2];
		if (offs[i] & 3)
			continue;	/* no pc: never hit */
		memcpy(&d->insn, e->host + (offs[i] & ~3u), 4);
		d->fn = t_bp;
		a64_mark_code(k->sh, e->pa);
	}
	e->pg->bp_marked = true;
	return true;
}

static int t_decode(a64_cpu *s, a64_dent *d);

/* Decode slot d of k->cur's page in place if it is not decoded yet (the
 * JIT looks ahead over code that has not run yet); its handler. */
a64_tfn a64_slot_decode(a64_core *k, a64_dent *d)
{
	xtlb_entry *e = k->cur;
	unsigned idx = d - e->pg->e;
	uint32_t insn;

	if (d->fn != t_decode)
		return d->fn;
	memcpy(&insn, e->host + idx * 4, 4);
	a64_mark_code(k->sh, e->pa);
	d->insn = insn;
	d->fn = a64_decode(insn);
	if (unlikely(e->bp) && !e->pg->bp_marked)	/* the page was cleared (code written): mark again */
		a64_mark_bps(k, e);
	return d->fn;
}

/* An undecoded slot: decode it in place (the chain runs in k->cur's page),
 * then run it. */
static int t_decode(a64_cpu *s, a64_dent *d)
{
	return a64_slot_decode(CORE(s), d)(s, d);
}

/* After the page's last slot: pc is on the next page. */
static int t_page_end(a64_cpu *s, a64_dent *d)
{
	(void)d;
	return a64_next_page(s);
}

bool a64_slot_plain(a64_tfn fn)
{
	return fn != t_decode && fn != t_bp && fn != t_page_end && fn != t_a64_x_undef;
}

void a64_page_clear(a64_page *pg)
{
	pg->hot = 0;
	pg->jit = 0;
	pg->bp_marked = false;
	for (int i = 0; i < 1024; i++)
		pg->e[i] = (a64_dent){ t_decode, 0, 0 };
	pg->e[1024] = (a64_dent){ t_page_end, 0, 0 };
}
