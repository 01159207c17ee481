/*
 * The AArch64 CPU's state description (core/state.h): what a restored CPU
 * needs to run on exactly as the saved one would. System registers come
 * from the one register table (regs.def): every register kept in sys[]
 * is a field under its architectural name, so a register added to the
 * table is saved, compared and printed with no further code. Decoded
 * pages and the soft TLBs are host caches: flushed on load, never saved.
 */
#include <stdio.h>

#include "a64_int.h"
#include "../../state.h"

#define CORE_OFF(f) offsetof(a64_core, s.f)

static const state_field pstate_fields[] = {
	ST_U32(a64_pstate, n),
	ST_U32(a64_pstate, z),
	ST_U32(a64_pstate, c),
	ST_U32(a64_pstate, v),
	ST_U32(a64_pstate, daif),
	ST_U32(a64_pstate, el),
	ST_U32(a64_pstate, sp),
	ST_U32(a64_pstate, ss),
	ST_U32(a64_pstate, il),
	ST_U32(a64_pstate, pan),
	ST_U32(a64_pstate, uao),
	ST_END
};
static const state_desc pstate_state = { .name = "aarch64-pstate", .version = 1, .fields = pstate_fields };

/* Registers whose value lives elsewhere (PSTATE, SP_ELx, the GIC's ICC_*,
 * the timer's CNT*) or is computed (CurrentEL, CCSIDR) are not in sys[].
 * The PMU's are (raw: the counters as of the PMU's last sync). */
static bool in_sys(int idx)
{
	return idx > A64R_fpcr &&
	       !(aarch64_regs.regs[idx].flags & (A64F_SPECIAL | A64F_GIC | A64F_TIMER));
}

/* Fixed part, then one field per sys[] register, then the end. */
static state_field a64_fields[64 + A64R_COUNT];
static state_desc a64_state = { .name = "aarch64-cpu", .version = 1, .fields = a64_fields };

static int a64_post_load(void *obj, char *err, size_t errlen)
{
	a64_core *k = obj;

	(void)err, (void)errlen;
	k->stop = 0;
	k->watch_skip = false;
	k->s.c.exit_request = false;
	a64_decode_flush_all(k->sh);
	a64_dbg_update(&k->s);	/* self-hosted debug, from sys[]; flushes the TLBs */
	return 0;
}

static void build(void)
{
	static const state_field fixed[] = {
		{ .name = "powered", .kind = ST_KIND_BOOL, .size = 1, .offset = CORE_OFF(c.powered) },
		{ .name = "waiting", .kind = ST_KIND_BOOL, .size = 1, .offset = CORE_OFF(c.waiting) },
		{ .name = "icount", .kind = ST_KIND_UINT, .flags = ST_DEC, .size = 8, .offset = CORE_OFF(c.icount) },
		{ .name = "nexc", .kind = ST_KIND_UINT, .flags = ST_DEC, .size = 8, .offset = CORE_OFF(c.nexc) },
		{ .name = "pc", .kind = ST_KIND_UINT, .size = 8, .offset = CORE_OFF(pc) },
		{ .name = "x", .kind = ST_KIND_UINT, .size = 8, .offset = CORE_OFF(x), .count = 31, .stride = 8 },
		{ .name = "sp_el", .kind = ST_KIND_UINT, .size = 8, .offset = CORE_OFF(sp_el), .count = 4, .stride = 8 },
		{ .name = "pstate", .kind = ST_KIND_STRUCT, .size = sizeof(a64_pstate), .offset = CORE_OFF(ps),
		  .sub = &pstate_state },
		{ .name = "v", .kind = ST_KIND_BYTES, .flags = ST_NOINFO, .size = sizeof(a64_vreg) * 32,
		  .offset = CORE_OFF(v) },
		{ .name = "fpcr", .kind = ST_KIND_UINT, .size = 4, .offset = CORE_OFF(fpcr) },
		{ .name = "fpsr", .kind = ST_KIND_UINT, .size = 4, .offset = CORE_OFF(fpsr) },
		/* the exclusive monitor (LDXR/STXR) */
		{ .name = "excl_valid", .kind = ST_KIND_BOOL, .size = 1, .offset = CORE_OFF(excl_valid) },
		{ .name = "excl_addr", .kind = ST_KIND_UINT, .size = 8, .offset = CORE_OFF(excl_addr) },
		{ .name = "excl_size", .kind = ST_KIND_UINT, .size = sizeof(unsigned), .offset = CORE_OFF(excl_size) },
		{ .name = "excl_val", .kind = ST_KIND_UINT, .size = 8, .offset = CORE_OFF(excl_val), .count = 2, .stride = 8 },
		/* the interrupt inputs, as the GIC drives them */
		{ .name = "irq_line", .kind = ST_KIND_INT, .flags = ST_DEC, .size = sizeof(int), .offset = CORE_OFF(irq_line) },
		{ .name = "fiq_line", .kind = ST_KIND_INT, .flags = ST_DEC, .size = sizeof(int), .offset = CORE_OFF(fiq_line) },
		/* instruction counting across aborts (virtual time) */
		{ .name = "fetch_faulted", .kind = ST_KIND_BOOL, .size = 1, .offset = offsetof(a64_core, fetch_faulted) },
		{ .name = "abort_icount", .kind = ST_KIND_UINT, .flags = ST_DEC, .size = 8,
		  .offset = offsetof(a64_core, abort_icount) },
		/* the PMU (pmu.c): counters are in sys[] as of the last sync at
		 * these bases; the line it drives and its overflow event */
		{ .name = "pmu_on", .kind = ST_KIND_BOOL, .size = 1, .offset = offsetof(a64_core, pmu.on) },
		{ .name = "pmu_irq", .kind = ST_KIND_INT, .flags = ST_DEC, .size = sizeof(int),
		  .offset = offsetof(a64_core, pmu.irq) },
		{ .name = "pmu_base_insn", .kind = ST_KIND_UINT, .flags = ST_DEC, .size = 8,
		  .offset = offsetof(a64_core, pmu.base_insn) },
		{ .name = "pmu_base_ns", .kind = ST_KIND_UINT, .flags = ST_DEC, .size = 8,
		  .offset = offsetof(a64_core, pmu.base_ns) },
		{ .name = "pmu_ev", .kind = ST_KIND_EVENT, .size = sizeof(event), .offset = offsetof(a64_core, pmu.ev) },
		{ .name = "timer", .kind = ST_KIND_PTR, .size = sizeof(void *), .offset = CORE_OFF(timer),
		  .sub = &a64_timer_state },
	};
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		a64_fields[n] = fixed[i];
		if (!a64_fields[n].count)
			a64_fields[n].count = 1;
		a64_fields[n].count_off = ST_NO_COUNT;
		n++;
	}
	for (int idx = 0; idx < A64R_COUNT; idx++)
		if (in_sys(idx))
			a64_fields[n++] = state_field_at(aarch64_regs.regs[idx].name, ST_KIND_UINT, 8,
							 offsetof(a64_core, sys_store) + idx * 8u);
	a64_fields[n] = (state_field)ST_END;
	a64_state.post_load = a64_post_load;
}

const state_desc *a64_state_desc(void)
{
	if (!a64_fields[0].name)
		build();
	return &a64_state;
}
