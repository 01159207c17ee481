/*
 * Self-hosted debug (Armv8.0, as QEMU 7.2's cortex-a57 has it): 6
 * breakpoints (the last 2 context-aware), 4 watchpoints, software step,
 * the OS lock and double lock, MDSCR_EL1.MDE/KDE gating, and the debug
 * exceptions EC 0x30-0x35.
 *
 * The state is the registers themselves (regs.def: DBGB[VC]Rn_EL1,
 * DBGW[VC]Rn_EL1, MDSCR_EL1, OSLSR_EL1, OSDLR_EL1, DBGPRCR_EL1);
 * a64_dbg_update() derives from them what the run loop looks at, so
 * unused debug hardware costs nothing: a page holding an enabled
 * breakpoint is flagged in the exec TLB (one instruction at a time there,
 * as for kwb's own breakpoints), a page holding a watchpoint is never
 * cached in the data TLBs (checked on the slow path), and software step
 * runs one instruction at a time only while MDSCR_EL1.SS is set.
 *
 * Where QEMU 7.2 and the architecture part, kwb follows the architecture
 * and README says so: the OS lock and double lock disable debug
 * exceptions (QEMU ignores both), an instruction abort wins over a
 * breakpoint on the same instruction (a TODO in QEMU).
 */
#include "a64_int.h"

#define DFSC_DEBUG 0x22
#define NUM_BP 6
#define NUM_WP 4
#define FIRST_CTX_BP 4		/* ID_AA64DFR0.CTX_CMPs = 1: breakpoints 4 and 5 */

enum { EC_BREAKPT_LOW = 0x30, EC_SWSTEP_LOW = 0x32, EC_WATCHPT_LOW = 0x34 };

static uint64_t bvr(a64_cpu *s, int n) { return s->sys[A64R_DBGBVR0_EL1 + 2 * n]; }
static uint64_t bcr(a64_cpu *s, int n) { return s->sys[A64R_DBGBCR0_EL1 + 2 * n]; }
static uint64_t wvr(a64_cpu *s, int n) { return s->sys[A64R_DBGWVR0_EL1 + 2 * n]; }
static uint64_t wcr(a64_cpu *s, int n) { return s->sys[A64R_DBGWCR0_EL1 + 2 * n]; }

bool a64_dbg_is_reg(int idx)
{
	return (idx >= A64R_DBGBVR0_EL1 && idx <= A64R_DBGWCR3_EL1) || idx == A64R_MDSCR_EL1 ||
	       idx == A64R_OSLAR_EL1 || idx == A64R_OSDLR_EL1 || idx == A64R_DBGPRCR_EL1;
}

/* What a write to one of the debug registers stores (QEMU's masks). */
uint64_t a64_dbg_write_value(int idx, uint64_t v)
{
	if (idx >= A64R_DBGBCR0_EL1 && idx <= A64R_DBGBCR5_EL1 && !((idx - A64R_DBGBCR0_EL1) & 1)) {
		/* BAS[1] reads as BAS[0], BAS[3] as BAS[2] */
		v = (v & ~(1ull << 6)) | (v >> 5 & 1) << 6;
		v = (v & ~(1ull << 8)) | (v >> 7 & 1) << 8;
	} else if (idx >= A64R_DBGWVR0_EL1 && idx <= A64R_DBGWVR3_EL1 && !((idx - A64R_DBGWVR0_EL1) & 1)) {
		v &= ~3ull;
	} else if (idx == A64R_OSDLR_EL1) {
		v &= 1;
	}
	return v;
}

/* OS lock, double lock (OSDLR_EL1.DLK with DBGPRCR_EL1.CORENPDRQ clear) */
static bool locked(a64_cpu *s)
{
	return (s->sys[A64R_OSLSR_EL1] >> 1 & 1) ||
	       ((s->sys[A64R_OSDLR_EL1] & 1) && !(s->sys[A64R_DBGPRCR_EL1] & 1));
}

/* AArch64.GenerateDebugExceptions(): the debug target is EL1; from EL0
 * always, from EL1 with MDSCR_EL1.KDE and PSTATE.D clear. */
static bool debug_exc_enabled(a64_cpu *s)
{
	if (locked(s))
		return false;
	if (s->ps.el == 0)
		return true;
	return (s->sys[A64R_MDSCR_EL1] >> 13 & 1) && !(s->ps.daif & 0x200);
}

bool a64_swstep_active(a64_cpu *s)
{
	return (s->sys[A64R_MDSCR_EL1] & 1) && debug_exc_enabled(s);
}

static int take_debug(a64_cpu *s, unsigned ec_low, uint32_t iss, uint64_t far, uint64_t elr)
{
	/* EC + 1: taken from EL1 to EL1 */
	s->sys[A64R_FAR_EL1] = far;
	a64_take(s, EXC_SYNC, (ec_low + (s->ps.el == 1)) << 26 | 1u << 25 | iss, elr);
	return 1;
}

/* Linked context-ID breakpoint lbn matches the current context (QEMU's
 * linked_bp_matches: BT 3 or 7 compare CONTEXTIDR_EL1). */
static bool linked_ctx_matches(a64_cpu *s, unsigned lbn)
{
	uint64_t c;
	unsigned bt;

	if (lbn >= NUM_BP || lbn < FIRST_CTX_BP)
		return false;
	c = bcr(s, lbn);
	bt = c >> 20 & 15;
	if (!(c & 1) || (bt != 3 && bt != 7))
		return false;
	return (uint32_t)s->sys[A64R_CONTEXTIDR_EL1] == (uint32_t)bvr(s, lbn);
}

/* PMC/PAC, HMC, SSC, and the link (same layout in BCR and WCR). */
static bool ctl_matches(a64_cpu *s, uint64_t cr, int access_el)
{
	unsigned pac = cr >> 1 & 3, ssc = cr >> 14 & 3;

	if (ssc == 2)		/* secure only: kwb runs Non-secure */
		return false;
	if (!(pac >> (access_el == 0) & 1))	/* PAC/PMC bit 0: EL1, bit 1: EL0 */
		return false;
	if ((cr >> 20 & 1) && !linked_ctx_matches(s, cr >> 16 & 15))
		return false;
	return true;
}

/* Address of an address-match breakpoint, or false (QEMU's
 * hw_breakpoint_update: BT 0 or 1 with BAS non-zero). */
static bool bp_addr(a64_cpu *s, int n, uint64_t *addr)
{
	uint64_t c = bcr(s, n);
	unsigned bt = c >> 20 & 15;

	if (!(c & 1) || (bt != 0 && bt != 1) || !(c >> 5 & 15))
		return false;
	*addr = bvr(s, n) & ~3ull;
	return true;
}

/* Byte range [*start, *start + *len) a watchpoint covers and its LSC, or
 * false (QEMU's hw_watchpoint_update: MASK, else BAS from the first run of
 * ones; LSC 0, MASK 1-2 and BAS 0 disable it). */
static unsigned wp_range(a64_cpu *s, int n, uint64_t *start, uint64_t *len)
{
	uint64_t c = wcr(s, n), a = wvr(s, n);
	unsigned lsc = c >> 3 & 3, mask = c >> 24 & 31, bas = c >> 5 & 0xff;

	if (!(c & 1) || !lsc || mask == 1 || mask == 2)
		return 0;
	if (mask) {
		*len = 1ull << mask;
		*start = a & ~(*len - 1);
		return lsc;
	}
	if (a & 4)
		bas &= 0xf;
	if (!bas)
		return 0;
	unsigned first = __builtin_ctz(bas);
	*len = __builtin_ctz(~(bas >> first));
	*start = a + first;
	return lsc;
}

void a64_dbg_update(a64_cpu *s)
{
	a64_core *k = CORE(s);
	bool mde = s->sys[A64R_MDSCR_EL1] >> 15 & 1, lk = locked(s);
	uint64_t a, l;

	k->hw.bp_on = k->hw.wp_on = false;
	for (int n = 0; n < NUM_BP; n++)
		k->hw.bp_on |= mde && !lk && bp_addr(s, n, &a);
	for (int n = 0; n < NUM_WP; n++)
		k->hw.wp_on |= mde && !lk && wp_range(s, n, &a, &l);
	k->hw.ss_on = (s->sys[A64R_MDSCR_EL1] & 1) && !lk;
	a64_tlb_flush(s);	/* page flags and uncached pages follow the new set */
}

bool a64_gbp_page(a64_cpu *s, uint64_t va)
{
	uint64_t a;

	if (!CORE(s)->hw.bp_on)
		return false;
	for (int n = 0; n < NUM_BP; n++)
		if (bp_addr(s, n, &a) && !((a ^ va) >> 12))
			return true;
	return false;
}

bool a64_gwp_page(a64_cpu *s, uint64_t va)
{
	uint64_t a, l, page = va & ~0xfffull;

	if (!CORE(s)->hw.wp_on)
		return false;
	for (int n = 0; n < NUM_WP; n++)
		if (wp_range(s, n, &a, &l) && a < page + 0x1000 && page < a + l)
			return true;
	return false;
}

/* Before the instruction at pc on a flagged page: a breakpoint exception
 * (EC 0x30/0x31, ISS 0x22, FAR 0 as QEMU sets it). Software step
 * active-pending was checked first (it has priority). */
bool a64_gbp_hit(a64_cpu *s)
{
	uint64_t a;

	if (!(s->sys[A64R_MDSCR_EL1] >> 15 & 1) || !debug_exc_enabled(s) || (s->pc & 3))
		return false;
	for (int n = 0; n < NUM_BP; n++)
		if (bp_addr(s, n, &a) && a == s->pc && ctl_matches(s, bcr(s, n), s->ps.el)) {
			take_debug(s, EC_BREAKPT_LOW, DFSC_DEBUG, 0, s->pc);
			return true;
		}
	return false;
}

/* A data access of [va, va + size) at access_el (0 for LDTR/STTR) on a
 * watched page: a watchpoint exception before the access (EC 0x34/0x35,
 * WnR, DFSC 0x22, FAR = the higher of the access and watched addresses,
 * as QEMU; a misaligned access reports from its naturally aligned start,
 * as QEMU 7.2 does, which the architecture allows), the instruction not
 * counted (as a data abort). */
bool a64_gwp_hit(a64_cpu *s, uint64_t va, unsigned size, int acc, int access_el)
{
	uint64_t a, l;
	bool write = acc == ACC_WRITE;

	if (!(s->sys[A64R_MDSCR_EL1] >> 15 & 1) || !debug_exc_enabled(s))
		return false;
	for (int n = 0; n < NUM_WP; n++) {
		unsigned lsc = wp_range(s, n, &a, &l);
		if (!(lsc & (write ? 2 : 1)) || !(a < va + size && va < a + l) ||
		    !ctl_matches(s, wcr(s, n), access_el))
			continue;
		a64_core *k = CORE(s);
		if (s->c.icount && s->c.icount - 1 != k->abort_icount)
			k->abort_icount = --s->c.icount;
		uint64_t from = !(size & (size - 1)) ? va & ~(uint64_t)(size - 1) : va;
		take_debug(s, EC_WATCHPT_LOW, (write ? 1u << 6 : 0) | DFSC_DEBUG, from > a ? from : a, s->pc);
		return true;
	}
	return false;
}

/* Software step exception (EC 0x32/0x33): isv with ex (the stepped
 * instruction was a load-exclusive) after a step; without, when the step
 * was pending before an instruction. ELR is the next instruction. */
void a64_swstep_exc(a64_cpu *s, bool isv, bool ex)
{
	take_debug(s, EC_SWSTEP_LOW, (isv ? 1u << 24 : 0) | (ex ? 1u << 6 : 0) | DFSC_DEBUG,
		   s->sys[A64R_FAR_EL1], s->pc);
}
