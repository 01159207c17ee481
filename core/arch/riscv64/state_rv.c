/*
 * The RV64 hart's state description (core/state.h): what a restored hart
 * needs to run on exactly as the saved one would. Decoded pages and the
 * soft TLBs are host caches: flushed on load, never saved. The LR
 * reservation is kept as a host pointer for speed, so it travels as its
 * physical address.
 */
#include "rv.h"
#include "../../state.h"

static void rv_pre_save(void *obj)
{
	rv_hart *h = obj;
	paddr_t pa = 0;

	if (h->resv_valid && !bus_host_to_pa(&h->c.m->bus, (const void *)h->resv_host, &pa))
		pa = 0;
	h->resv_pa = pa;
}

static int rv_post_load(void *obj, char *err, size_t errlen)
{
	rv_hart *h = obj;
	machine *m = h->c.m;
	int n = 0;

	(void)err, (void)errlen;
	h->resv_host = 0;
	rv_trig_update(h);
	if (h->resv_valid) {
		uint8_t *p = bus_ram_ptr(&m->bus, h->resv_pa, 8);
		if (p)
			h->resv_host = (uintptr_t)p & ~7ull;
		else
			h->resv_valid = false;
	}
	for (int i = 0; i < m->ncpus; i++)
		if (m->cpus[i] && HART(m->cpus[i])->resv_valid)
			n++;
	h->sh->nresv = n;
	h->running = false;
	h->c.exit_request = false;
	rv_update_mode(h);
	rv_tlb_flush(h);
	rv_decode_flush_all(h->sh);
	return 0;
}

static const state_field rv_fields[] = {
	ST_BOOL(cpu, powered),
	ST_BOOL(cpu, waiting),
	ST_UINT_DEC(cpu, icount),
	ST_UINT_DEC(cpu, nexc),
	ST_U64(rv_hart, pc),
	ST_INT(rv_hart, priv),
	{ .name = "x", .kind = ST_KIND_UINT, .size = 8, .offset = offsetof(rv_hart, x), .count = 32,
	  .stride = 8, .count_off = ST_NO_COUNT },
	ST_UINT_ARRAY(rv_hart, f),
	ST_BOOL(rv_hart, wfi),
	ST_BOOL(rv_hart, fetch_faulted),
	ST_UINT_DEC(rv_hart, fetch_fault_icount),
	ST_BOOL(rv_hart, resv_valid),
	ST_U64(rv_hart, resv_pa),
	ST_U64(rv_hart, mstatus),
	ST_U64(rv_hart, misa),
	ST_U64(rv_hart, medeleg),
	ST_U64(rv_hart, mideleg),
	ST_U64(rv_hart, mie),
	ST_U64(rv_hart, mip_sw),
	ST_U64(rv_hart, mip_hw),
	ST_U64(rv_hart, mtvec),
	ST_U64(rv_hart, mscratch),
	ST_U64(rv_hart, mepc),
	ST_U64(rv_hart, mcause),
	ST_U64(rv_hart, mtval),
	ST_U64(rv_hart, mcounteren),
	ST_U64(rv_hart, menvcfg),
	ST_U64(rv_hart, stvec),
	ST_U64(rv_hart, sscratch),
	ST_U64(rv_hart, sepc),
	ST_U64(rv_hart, scause),
	ST_U64(rv_hart, stval),
	ST_U64(rv_hart, scounteren),
	ST_U64(rv_hart, senvcfg),
	ST_U64(rv_hart, satp),
	ST_UINT_ARRAY(rv_hart, pmu.base),
	ST_UINT_ARRAY(rv_hart, pmu.at),
	ST_UINT_ARRAY(rv_hart, pmu.mhpmevent),
	ST_U64(rv_hart, pmu.mcountinhibit),
	ST_U32(rv_hart, pmu.follows),
	ST_UINT_ARRAY(rv_hart, pmu.event_ctr),
	ST_BOOL(rv_hart, pmu.tlb_events),
	ST_U64(rv_hart, sstc.stimecmp),
	ST_EVENT(rv_hart, sstc.timer),
	ST_U64(rv_hart, trig.tselect),
	ST_UINT_ARRAY(rv_hart, trig.tdata1),
	ST_UINT_ARRAY(rv_hart, trig.tdata2),
	ST_UINT_ARRAY(rv_hart, trig.tdata3),
	ST_U32(rv_hart, fflags),
	ST_U32(rv_hart, frm),
	ST_UINT_ARRAY(rv_hart, pmpcfg),
	ST_UINT_ARRAY(rv_hart, pmpaddr),
	ST_INT(rv_hart, npmp),
	ST_END
};

static const state_desc rv_state = {
	.name = "riscv64-hart", .version = 2, .fields = rv_fields,
	.pre_save = rv_pre_save, .post_load = rv_post_load,
};

const state_desc *rv_state_desc(void)
{
	return &rv_state;
}
