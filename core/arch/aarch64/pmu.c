/*
 * PMUv3 (Armv8.0) as QEMU 7.2's cortex-a57 presents it: PMCR_EL0.N = 6
 * event counters (32 bits) and the cycle counter (64 bits, overflowing at
 * 32 unless PMCR.LC), the events QEMU counts under -icount (PMCEID0:
 * SW_INCR 0x00, INST_RETIRED 0x08, CPU_CYCLES 0x11), EL0/EL1 filtering
 * (PMEVTYPERn/PMCCFILTR P and U), PMCR.D (cycles / 64), PMUSERENR_EL0
 * access control, and the overflow interrupt on PPI 7 (INTID 23), level
 * while PMCR.E and PMOVS & PMINTEN.
 *
 * Counts follow kwb's clock: INST_RETIRED is the CPU's instruction count,
 * CPU_CYCLES the virtual time in ns (1 GHz, as QEMU's). Nothing runs per
 * instruction: the counters (PMCCNTR_EL0, PMEVCNTRn_EL0 in sys[]) hold the
 * value at the last sync, and pmu_sync() adds what the sources advanced
 * since, at the EL they advanced in. It runs before every PMU register
 * access and, while a counter is enabled (k->pmu.on), at every exception
 * entry and return (EL changes); an event scheduled at the earliest
 * possible overflow raises the interrupt on time, as QEMU's pmu_timer.
 * k->pmu (bases, line, event) is in the CPU's state description.
 */
#include "a64_int.h"
#include "../../devices/arm_gic.h"

#define PMU_N 6
#define PMU_PPI 23
#define CYCLE_BIT 31
#define CNT_MASK (((1ull << PMU_N) - 1) | 1ull << CYCLE_BIT)

enum { PMCR_E = 1, PMCR_P = 2, PMCR_C = 4, PMCR_D = 8, PMCR_LC = 1 << 6 };
#define PMCR_WRITABLE 0xf9ull		/* LP, LC, DP, X, D, E (QEMU 7.2's mask) */
#define EVTYPER_MASK 0xfe00ffffull
#define CCFILTR_MASK 0xfe000000ull
#define FILTER_P (1ull << 31)		/* don't count at EL1 */
#define FILTER_U (1ull << 30)		/* don't count at EL0 */

enum { EV_SW_INCR = 0x00, EV_INST_RETIRED = 0x08, EV_CPU_CYCLES = 0x11 };

static uint64_t *cnten(a64_cpu *s) { return &s->sys[A64R_PMCNTENSET_EL0]; }
static uint64_t *ovs(a64_cpu *s) { return &s->sys[A64R_PMOVSCLR_EL0]; }
static uint64_t *inten(a64_cpu *s) { return &s->sys[A64R_PMINTENSET_EL1]; }
static uint64_t *evcnt(a64_cpu *s, int n) { return &s->sys[A64R_PMEVCNTR0_EL0 + n]; }
static uint64_t *evtype(a64_cpu *s, int n) { return &s->sys[A64R_PMEVTYPER0_EL0 + n]; }

static bool filtered(a64_cpu *s, uint64_t filter)
{
	return s->ps.el == 0 ? filter & FILTER_U : filter & FILTER_P;
}

/* Counter n (CYCLE_BIT: the cycle counter) counts now (QEMU's
 * pmu_counter_enabled without EL2/EL3). */
static bool counting(a64_cpu *s, int n)
{
	if (!(s->sys[A64R_PMCR_EL0] & PMCR_E) || !(*cnten(s) >> n & 1))
		return false;
	if (n == CYCLE_BIT)
		return !filtered(s, s->sys[A64R_PMCCFILTR_EL0]);
	return !filtered(s, *evtype(s, n));
}

static uint64_t cycles_at(a64_cpu *s, uint64_t ns)
{
	return s->sys[A64R_PMCR_EL0] & PMCR_D ? ns / 64 : ns;
}

static void update_irq(a64_cpu *s)
{
	a64_core *k = CORE(s);
	int level = (s->sys[A64R_PMCR_EL0] & PMCR_E) && (*ovs(s) & *inten(s));

	if (level != k->pmu.irq) {
		k->pmu.irq = level;
		arm_gic_set_ppi(s->c.m, s->c.index, PMU_PPI, level);
	}
}

/* Add inc to event counter n (32 bits), noting an overflow. */
static void add32(a64_cpu *s, int n, uint64_t inc)
{
	uint64_t v = *evcnt(s, n) + inc;

	if (v >> 32)
		*ovs(s) |= 1ull << n;
	*evcnt(s, n) = (uint32_t)v;
}

static void add_cycles(a64_cpu *s, uint64_t inc)
{
	uint64_t old = s->sys[A64R_PMCCNTR_EL0], v = old + inc;
	bool lc = s->sys[A64R_PMCR_EL0] & PMCR_LC;

	if (lc ? v < old : (v >> 32) != (old >> 32))
		*ovs(s) |= 1ull << CYCLE_BIT;
	s->sys[A64R_PMCCNTR_EL0] = v;
}

/* Bring the counters up to now and re-base; then the interrupt line and
 * the overflow event. */
static void pmu_sync(a64_cpu *s)
{
	a64_core *k = CORE(s);
	uint64_t insn = s->c.icount, ns = clock_now(s->c.m);
	uint64_t d_insn = insn - k->pmu.base_insn;
	uint64_t d_cyc = cycles_at(s, ns) - cycles_at(s, k->pmu.base_ns);

	k->pmu.base_insn = insn;
	k->pmu.base_ns = ns;
	if (!(s->sys[A64R_PMCR_EL0] & PMCR_E))
		return;
	for (int n = 0; n < PMU_N; n++) {
		if (!counting(s, n))
			continue;
		switch (*evtype(s, n) & 0xffff) {
		case EV_INST_RETIRED: add32(s, n, d_insn); break;
		case EV_CPU_CYCLES: add32(s, n, d_cyc); break;
		default: break;
		}
	}
	if (counting(s, CYCLE_BIT))
		add_cycles(s, d_cyc);
}

/* After a change: the line, whether EL changes must sync, and an event at
 * the earliest time a counting counter can overflow (instructions retire
 * at most one per ns). */
static void pmu_finish(a64_cpu *s)
{
	a64_core *k = CORE(s);
	machine *m = s->c.m;
	uint64_t soonest = UINT64_MAX, ns = k->pmu.base_ns;

	update_irq(s);
	k->pmu.on = (s->sys[A64R_PMCR_EL0] & PMCR_E) && (*cnten(s) & CNT_MASK);
	for (int n = 0; n < PMU_N; n++) {
		unsigned ev = *evtype(s, n) & 0xffff;
		if (!counting(s, n) || (ev != EV_INST_RETIRED && ev != EV_CPU_CYCLES))
			continue;
		uint64_t left = (1ull << 32) - *evcnt(s, n);
		if (ev == EV_CPU_CYCLES && (s->sys[A64R_PMCR_EL0] & PMCR_D))
			left *= 64;
		if (left < soonest)
			soonest = left;
	}
	if (counting(s, CYCLE_BIT)) {
		uint64_t c = s->sys[A64R_PMCCNTR_EL0];
		uint64_t left = s->sys[A64R_PMCR_EL0] & PMCR_LC ? -c : (1ull << 32) - (uint32_t)c;
		if (left && (s->sys[A64R_PMCR_EL0] & PMCR_D))
			left = left > UINT64_MAX / 64 ? UINT64_MAX : left * 64 - ns % 64;
		if (left && left < soonest)
			soonest = left;
	}
	if (soonest != UINT64_MAX && ns + soonest > ns)
		event_schedule(m, &k->pmu.ev, ns + soonest);
	else
		event_cancel(m, &k->pmu.ev);
}

static void pmu_fire(void *opaque)
{
	a64_cpu *s = opaque;

	pmu_sync(s);
	pmu_finish(s);
}

void a64_pmu_el_change(a64_cpu *s)
{
	pmu_sync(s);
	pmu_finish(s);
}

static void reset_bases(a64_cpu *s)
{
	a64_core *k = CORE(s);

	if (!k->pmu.ev.fire)
		event_init(&k->pmu.ev, "pmu", pmu_fire, s);
	k->pmu.base_insn = s->c.icount;
	k->pmu.base_ns = s->c.m ? clock_now(s->c.m) : 0;
	pmu_finish(s);
}

void a64_pmu_reset(a64_cpu *s)
{
	a64_core *k = CORE(s);

	if (k->pmu.irq && s->c.m) {
		k->pmu.irq = 0;
		arm_gic_set_ppi(s->c.m, s->c.index, PMU_PPI, 0);
	}
	reset_bases(s);
}

/* EL0 access (PMUSERENR_EL0: EN, SW for PMSWINC, CR for reading the
 * cycle counter, ER for reading event counters and PMSELR); false: the
 * access traps to EL1 (EC 0x18), as QEMU's pmreg_access*. */
bool a64_pmu_el0_ok(a64_cpu *s, int idx, bool read)
{
	uint64_t u = s->sys[A64R_PMUSERENR_EL0];

	if (idx == A64R_PMUSERENR_EL0)
		return read;
	if (u & 1)
		return true;
	switch (idx) {
	case A64R_PMSWINC_EL0: return u >> 1 & 1;
	case A64R_PMCCNTR_EL0: return read && (u >> 2 & 1);
	case A64R_PMSELR_EL0: return u >> 3 & 1;
	case A64R_PMXEVCNTR_EL0: return read && (u >> 3 & 1);
	default:
		if (idx >= A64R_PMEVCNTR0_EL0 && idx < A64R_PMEVCNTR0_EL0 + PMU_N)
			return read && (u >> 3 & 1);
		return false;
	}
}

static int selected(a64_cpu *s)
{
	return s->sys[A64R_PMSELR_EL0] & 31;
}

bool a64_pmu_read(a64_cpu *s, int idx, uint64_t *v)
{
	pmu_sync(s);
	switch (idx) {
	case A64R_PMCNTENSET_EL0: case A64R_PMCNTENCLR_EL0: *v = *cnten(s); break;
	case A64R_PMOVSSET_EL0: case A64R_PMOVSCLR_EL0: *v = *ovs(s); break;
	case A64R_PMINTENSET_EL1: case A64R_PMINTENCLR_EL1: *v = *inten(s); break;
	case A64R_PMXEVTYPER_EL0: {
		int n = selected(s);
		*v = n == 31 ? s->sys[A64R_PMCCFILTR_EL0] : n < PMU_N ? *evtype(s, n) : 0;
		break;
	}
	case A64R_PMXEVCNTR_EL0: {
		int n = selected(s);
		*v = n < PMU_N ? *evcnt(s, n) : 0;
		break;
	}
	default: *v = s->sys[idx]; break;
	}
	pmu_finish(s);
	return true;
}

static void set_bits(uint64_t *r, uint64_t v, bool set)
{
	if (set)
		*r |= v & CNT_MASK;
	else
		*r &= ~(v & CNT_MASK);
}

static void sw_incr(a64_cpu *s, uint64_t v)
{
	for (int n = 0; n < PMU_N; n++)
		if ((v >> n & 1) && counting(s, n) && (*evtype(s, n) & 0xffff) == EV_SW_INCR)
			add32(s, n, 1);
}

bool a64_pmu_write(a64_cpu *s, int idx, uint64_t v)
{
	uint64_t *pmcr = &s->sys[A64R_PMCR_EL0];

	pmu_sync(s);
	switch (idx) {
	case A64R_PMCR_EL0:
		if (v & PMCR_C)
			s->sys[A64R_PMCCNTR_EL0] = 0;
		if (v & PMCR_P)
			for (int n = 0; n < PMU_N; n++)
				*evcnt(s, n) = 0;
		*pmcr = (*pmcr & ~PMCR_WRITABLE) | (v & PMCR_WRITABLE);
		break;
	case A64R_PMCNTENSET_EL0: set_bits(cnten(s), v, true); break;
	case A64R_PMCNTENCLR_EL0: set_bits(cnten(s), v, false); break;
	case A64R_PMOVSSET_EL0: set_bits(ovs(s), v, true); break;
	case A64R_PMOVSCLR_EL0: set_bits(ovs(s), v, false); break;
	case A64R_PMINTENSET_EL1: set_bits(inten(s), v, true); break;
	case A64R_PMINTENCLR_EL1: set_bits(inten(s), v, false); break;
	case A64R_PMSWINC_EL0: sw_incr(s, v); break;
	case A64R_PMSELR_EL0: s->sys[idx] = v & 31; break;
	case A64R_PMUSERENR_EL0: s->sys[idx] = v & 0xf; break;
	case A64R_PMCCFILTR_EL0: s->sys[idx] = v & CCFILTR_MASK; break;
	case A64R_PMCCNTR_EL0: s->sys[idx] = v; break;
	case A64R_PMXEVTYPER_EL0: {
		int n = selected(s);
		if (n == 31)
			s->sys[A64R_PMCCFILTR_EL0] = v & CCFILTR_MASK;
		else if (n < PMU_N)
			*evtype(s, n) = v & EVTYPER_MASK;
		break;
	}
	case A64R_PMXEVCNTR_EL0: {
		int n = selected(s);
		if (n < PMU_N)
			*evcnt(s, n) = (uint32_t)v;
		break;
	}
	case A64R_PMCEID0_EL0: case A64R_PMCEID1_EL0:
		return false;
	default:
		if (idx >= A64R_PMEVCNTR0_EL0 && idx < A64R_PMEVCNTR0_EL0 + PMU_N)
			s->sys[idx] = (uint32_t)v;
		else if (idx >= A64R_PMEVTYPER0_EL0 && idx < A64R_PMEVTYPER0_EL0 + PMU_N)
			s->sys[idx] = v & EVTYPER_MASK;
		break;
	}
	pmu_finish(s);
	return true;
}
