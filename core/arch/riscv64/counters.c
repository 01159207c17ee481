/*
 * Zicntr/Zihpm: mcycle, minstret and the HPM counters QEMU 7.2 presents
 * (pmu-num of them, 16 by default: mhpmcounter3..18), mhpmevent3..31 and
 * mcountinhibit.
 *
 * A counter that follows the instruction count holds base + (icount - at);
 * any change (a write, mcountinhibit, an event mapping) first folds every
 * counter at the point where it takes effect: after the writing
 * instruction (a CSR write happens instead of that instruction's own
 * increment, so csrwi minstret,0; csrr a0,minstret reads 0), or at once
 * for the debugger. A read gives the value before the reading instruction.
 * mcycle counts instructions too (one per cycle; it does not run while the
 * hart waits in wfi).
 *
 * Events as QEMU 7.2's PMU knows them: cycles (1) and instructions (2)
 * follow the count, the DTLB read/write and ITLB miss events (0x10019,
 * 0x1001b, 0x10021) count kwb's software-TLB refills. An event counts on
 * at most one counter, the first one given it; writing 0 to mhpmeventN
 * drops what N counted; other values are stored and count nothing.
 */
#include "rv.h"

static const uint32_t event_ids[RV_PMU_EVENTS] = { 0x1, 0x2, 0x10019, 0x1001b, 0x10021 };

static uint64_t now(rv_hart *h)
{
	rv_sync_icount(h);
	return h->c.icount;
}

/* Where a change takes effect: after the running instruction. */
static uint64_t change_point(rv_hart *h)
{
	return now(h) + (h->running ? 1 : 0);
}

bool rv_pmu_hpm_exists(const rv_hart *h, int ctr)
{
	return ctr >= 3 && ctr < 3 + h->pmu.num;
}

static uint32_t following(const rv_hart *h)
{
	uint32_t f = 1u << 0 | 1u << 2;
	int cyc = h->pmu.event_ctr[RV_PMU_CYCLES], ins = h->pmu.event_ctr[RV_PMU_INSTRUCTIONS];

	if (cyc)
		f |= 1u << cyc;
	if (ins)
		f |= 1u << ins;
	return f & ~(uint32_t)h->pmu.mcountinhibit;
}

static uint64_t value_at(const rv_hart *h, int ctr, uint64_t p)
{
	const struct rv_pmu *s = &h->pmu;

	return s->base[ctr] + ((s->follows >> ctr & 1) ? p - s->at[ctr] : 0);
}

static void fold_all(rv_hart *h, uint64_t p)
{
	for (int i = 0; i < 32; i++) {
		h->pmu.base[i] = value_at(h, i, p);
		h->pmu.at[i] = p;
	}
}

/* Counter number of a counter CSR (cycle/mcycle 0 ... hpmcounter31 31). */
static int ctr_of(int idx)
{
	if (idx == RV_cycle || idx == RV_mcycle)
		return 0;
	if (idx == RV_instret || idx == RV_minstret)
		return 2;
	if (idx >= RV_hpmcounter3 && idx <= RV_hpmcounter31)
		return 3 + idx - RV_hpmcounter3;
	return 3 + idx - RV_mhpmcounter3;
}

uint64_t rv_pmu_read(rv_hart *h, int idx)
{
	if (idx == RV_mcountinhibit)
		return h->pmu.mcountinhibit;
	if (idx >= RV_mhpmevent3 && idx <= RV_mhpmevent31)
		return h->pmu.mhpmevent[3 + idx - RV_mhpmevent3];
	return value_at(h, ctr_of(idx), now(h));
}

static void map_event(rv_hart *h, int ctr, uint64_t v)
{
	struct rv_pmu *s = &h->pmu;

	if (!rv_pmu_hpm_exists(h, ctr))
		return;
	if (!v) {
		for (int e = 0; e < RV_PMU_EVENTS; e++)
			if (s->event_ctr[e] == ctr)
				s->event_ctr[e] = 0;
		return;
	}
	for (int e = 0; e < RV_PMU_EVENTS; e++)
		if (event_ids[e] == (v & 0xfffff) && !s->event_ctr[e])
			s->event_ctr[e] = (uint8_t)ctr;
}

static bool counts_tlb_misses(const struct rv_pmu *s)
{
	return s->event_ctr[RV_PMU_DTLB_READ_MISS] || s->event_ctr[RV_PMU_DTLB_WRITE_MISS] ||
	       s->event_ctr[RV_PMU_ITLB_MISS];
}

void rv_pmu_write(rv_hart *h, int idx, uint64_t v)
{
	struct rv_pmu *s = &h->pmu;
	uint64_t p = change_point(h);

	fold_all(h, p);
	if (idx == RV_mcountinhibit) {
		s->mcountinhibit = v;
	} else if (idx >= RV_mhpmevent3 && idx <= RV_mhpmevent31) {
		s->mhpmevent[3 + idx - RV_mhpmevent3] = v;
		map_event(h, 3 + idx - RV_mhpmevent3, v);
	} else {
		s->base[ctr_of(idx)] = v;
	}
	s->follows = following(h);
	s->tlb_events = counts_tlb_misses(s);
}

/* A software-TLB refill for access (ACC_*): the TLB-miss events. */
void rv_pmu_tlb_miss(rv_hart *h, int access)
{
	int e = access == ACC_EXEC ? RV_PMU_ITLB_MISS : (access & ACC_WRITE) ? RV_PMU_DTLB_WRITE_MISS :
		RV_PMU_DTLB_READ_MISS;
	int ctr = h->pmu.event_ctr[e];

	if (ctr && !(h->pmu.mcountinhibit >> ctr & 1))
		h->pmu.base[ctr]++;
}

void rv_pmu_reset(rv_hart *h, int num)
{
	struct rv_pmu *s = &h->pmu;

	*s = (struct rv_pmu){ .num = num };
	s->follows = following(h);
}
