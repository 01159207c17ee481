/*
 * Sstc: the supervisor timer compare (stimecmp) as QEMU 7.2 implements it.
 * A write raises mip.STIP at once when time >= stimecmp, else clears it and
 * arms an event (stimecmp - time) ticks from now (QEMU's deadline, as for
 * the CLINT's mtimecmp), whose firing raises STIP. STIP is the same bit a
 * software write of mip sets while menvcfg.STCE is 0; with STCE set only
 * the timer drives it.
 */
#include "rv.h"
#include "trace_hooks_rv.h"

#define NS_PER_TICK (1000000000ull / RISCV_TIMEBASE_HZ)

static void set_stip(rv_hart *h, bool level)
{
	if (level)
		h->mip_sw |= MIP_STIP;
	else
		h->mip_sw &= ~(uint64_t)MIP_STIP;
	if (level && (h->mie & MIP_STIP))
		h->c.waiting = false;
}

static void stimer_fire(void *opaque)
{
	rv_hart *h = opaque;

	if (unlikely(trace_on(h->c.m->trace, TRACE_IRQ)))
		trace_irq(h->c.m, h->c.index, "hart stimecmp reached (time %llu >= stimecmp %llu): STIP high",
			  (unsigned long long)riscv_mtime(h->c.m), (unsigned long long)h->sstc.stimecmp);
	set_stip(h, true);
}

void rv_sstc_init(rv_hart *h)
{
	event_init(&h->sstc.timer, "stimecmp", stimer_fire, h);
}

void rv_sstc_reset(rv_hart *h)
{
	event_cancel(h->c.m, &h->sstc.timer);
	h->sstc.stimecmp = 0;	/* STIP not evaluated until written (QEMU) */
}

void rv_sstc_write(rv_hart *h, uint64_t v)
{
	machine *m = h->c.m;
	uint64_t now_ns, mtime, delta;

	rv_sync_icount(h);
	now_ns = riscv_time_ns(m);
	mtime = riscv_mtime(m);
	h->sstc.stimecmp = v;
	if (unlikely(trace_on(m->trace, TRACE_IRQ)))
		trace_irq(m, h->c.index, "hart stimecmp %llu (time %llu): %s", (unsigned long long)v,
			  (unsigned long long)mtime, v <= mtime ? "STIP high" :
			  v == UINT64_MAX ? "STIP low, timer off" : "STIP low, timer armed");
	if (v <= mtime) {
		event_cancel(m, &h->sstc.timer);
		set_stip(h, true);
		return;
	}
	set_stip(h, false);
	delta = v - mtime;
	if (delta > (UINT64_MAX - now_ns) / NS_PER_TICK)
		event_cancel(m, &h->sstc.timer);	/* QEMU: INT64_MAX ns away */
	else
		event_schedule(m, &h->sstc.timer, now_ns + delta * NS_PER_TICK);
}
