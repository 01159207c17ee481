/*
 * CSR semantics. Which CSRs exist, their numbers and reset values come
 * from regs.def; this file only says what reading and writing each one
 * does (WARL legalisation, views such as sstatus/sip/sie, side effects).
 */
#include "rv.h"
#include "trace_hooks_rv.h"

#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | \
		      MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define MSTATUS_WMASK (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | \
		       MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | \
		       MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
/* SEIP stays the PLIC's alone: a read-modify-write of mip (OpenSBI's timer
 * handler) must not latch the external line into a software bit. */
#define MIP_SW_MASK (MIP_SSIP | MIP_STIP)
#define MIE_MASK (MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP)
#define MEDELEG_MASK 0xb3ffull
#define MIDELEG_MASK (MIP_SSIP | MIP_STIP | MIP_SEIP)
/* QEMU 7.2 keeps these writable (STCE, PBMTE, CBZE, CBCFE, CBIE, FIOM)
 * whether or not the hart has Svpbmt and Zicbo*; Linux sets only STCE. */
#define MENVCFG_STCE (1ull << 63)
#define MENVCFG_MASK (MENVCFG_STCE | 1ull << 62 | 0xf1)
#define SENVCFG_MASK 0xf1ull

uint64_t rv_mstatus_read(const rv_hart *h)
{
	uint64_t s = h->mstatus;
	if ((s & MSTATUS_FS) == MSTATUS_FS)
		s |= MSTATUS_SD;
	return s;
}

/* Privilege, read-only, counter-enable, TVM and FS rules for the CSR
 * instructions (the debugger bypasses them). */
bool rv_csr_allowed(rv_hart *h, uint32_t csrno, int idx, bool write)
{
	if (idx < 0 || (int)((csrno >> 8) & 3) > h->priv)
		return false;
	if (write && (csrno >> 10) == 3)
		return false;
	if (idx == RV_satp && h->priv == PRV_S && (h->mstatus & MSTATUS_TVM))
		return false;
	if (idx >= RV_fflags && idx <= RV_fcsr && !(h->mstatus & MSTATUS_FS))
		return false;
	/* Sstc: S-mode needs mcounteren.TM and menvcfg.STCE */
	if (idx == RV_stimecmp && (!h->cfg.sstc || (h->priv < PRV_M &&
	    (!(h->mcounteren & 2) || !(h->menvcfg & MENVCFG_STCE)))))
		return false;
	if ((idx >= RV_mhpmcounter3 && idx <= RV_mhpmcounter31 &&
	     !rv_pmu_hpm_exists(h, idx - RV_mhpmcounter3 + 3)) ||
	    (idx >= RV_hpmcounter3 && idx <= RV_hpmcounter31 &&
	     !rv_pmu_hpm_exists(h, idx - RV_hpmcounter3 + 3)))
		return false;	/* past pmu-num */
	if (idx >= RV_tselect && idx <= RV_tinfo && !h->cfg.debug)
		return false;	/* -cpu rv64,debug=off: no trigger module */
	if (idx == RV_cycle || idx == RV_time || idx == RV_instret ||
	    (idx >= RV_hpmcounter3 && idx <= RV_hpmcounter31)) {
		uint64_t bit = 1ull << (csrno & 31);
		if (h->priv < PRV_M && !(h->mcounteren & bit))
			return false;
		if (h->priv == PRV_U && !(h->scounteren & bit))
			return false;
	}
	return true;
}

static void pmp_update(rv_hart *h)
{
	h->npmp = 0;
	for (int i = 0; i < 16; i++)
		if (h->pmpcfg[i] & 0x18)
			h->npmp = i + 1;
	rv_tlb_flush(h);
}

static bool pmp_addr_locked(rv_hart *h, int i)
{
	if (h->pmpcfg[i] & 0x80)
		return true;
	return i < 15 && (h->pmpcfg[i + 1] & 0x80) && ((h->pmpcfg[i + 1] >> 3) & 3) == 1;
}

bool rv_csr_read(rv_hart *h, int idx, uint64_t *v)
{
	switch (idx) {
	case RV_fflags: *v = h->fflags; break;
	case RV_frm: *v = h->frm; break;
	case RV_fcsr: *v = (h->frm << 5) | h->fflags; break;
	case RV_cycle: case RV_mcycle: case RV_instret: case RV_minstret: case RV_mcountinhibit:
		*v = rv_pmu_read(h, idx);
		break;
	case RV_time: rv_sync_icount(h); *v = riscv_mtime(h->c.m); break;
	case RV_sstatus: *v = rv_mstatus_read(h) & SSTATUS_MASK; break;
	case RV_sie: *v = h->mie & h->mideleg; break;
	case RV_sip: *v = rv_mip(h) & h->mideleg; break;
	case RV_stvec: *v = h->stvec; break;
	case RV_scounteren: *v = h->scounteren; break;
	case RV_senvcfg: *v = h->senvcfg; break;
	case RV_sscratch: *v = h->sscratch; break;
	case RV_sepc: *v = h->sepc; break;
	case RV_scause: *v = h->scause; break;
	case RV_stval: *v = h->stval; break;
	case RV_satp: *v = h->satp; break;
	case RV_stimecmp: *v = h->sstc.stimecmp; break;
	case RV_mvendorid: case RV_mconfigptr: *v = 0; break;
	/* QEMU 7.2's: its version, 7.2.22 (0x70216) */
	case RV_marchid: case RV_mimpid: *v = 0x70216; break;
	case RV_mhartid: *v = h->mhartid; break;
	case RV_mstatus: *v = rv_mstatus_read(h); break;
	case RV_misa: *v = h->misa; break;
	case RV_medeleg: *v = h->medeleg; break;
	case RV_mideleg: *v = h->mideleg; break;
	case RV_mie: *v = h->mie; break;
	case RV_mtvec: *v = h->mtvec; break;
	case RV_mcounteren: *v = h->mcounteren; break;
	case RV_menvcfg: *v = h->menvcfg; break;
	case RV_mscratch: *v = h->mscratch; break;
	case RV_mepc: *v = h->mepc; break;
	case RV_mcause: *v = h->mcause; break;
	case RV_mtval: *v = h->mtval; break;
	case RV_mip: *v = rv_mip(h); break;
	case RV_pmpcfg0: case RV_pmpcfg2: {
		const uint8_t *p = &h->pmpcfg[idx == RV_pmpcfg0 ? 0 : 8];
		*v = 0;
		for (int i = 7; i >= 0; i--)
			*v = (*v << 8) | p[i];
		break;
	}
	default:
		if (idx >= RV_pmpaddr0 && idx <= RV_pmpaddr15)
			*v = h->pmpaddr[idx - RV_pmpaddr0];
		else if ((idx >= RV_mhpmcounter3 && idx <= RV_mhpmcounter31) ||
			 (idx >= RV_hpmcounter3 && idx <= RV_hpmcounter31) ||
			 (idx >= RV_mhpmevent3 && idx <= RV_mhpmevent31))
			*v = rv_pmu_read(h, idx);
		else
			return rv_trig_read(h, idx, v);
	}
	return true;
}

static uint64_t mpp_legal(uint64_t s)
{
	if ((s & MSTATUS_MPP) == (2ull << 11))
		s &= ~MSTATUS_MPP;
	return s;
}

bool rv_csr_write(rv_hart *h, int idx, uint64_t v)
{
	switch (idx) {
	case RV_fflags: h->fflags = v & 0x1f; h->mstatus |= MSTATUS_FS; break;
	case RV_frm: h->frm = v & 7; h->mstatus |= MSTATUS_FS; break;
	case RV_fcsr: h->fflags = v & 0x1f; h->frm = (v >> 5) & 7; h->mstatus |= MSTATUS_FS; break;
	case RV_mcycle: case RV_minstret: case RV_mcountinhibit: rv_pmu_write(h, idx, v); break;
	case RV_sstatus: {
		uint64_t m = SSTATUS_MASK & ~(MSTATUS_UXL | MSTATUS_SD);
		uint64_t old = h->mstatus;
		h->mstatus = (h->mstatus & ~m) | (v & m);
		if ((old ^ h->mstatus) & MSTATUS_MXR)
			rv_tlb_flush(h);
		break;
	}
	case RV_sie: h->mie = (h->mie & ~h->mideleg) | (v & h->mideleg & MIE_MASK); break;
	case RV_sip: {
		uint64_t m = h->mideleg & MIP_SSIP, old = h->mip_sw;
		h->mip_sw = (h->mip_sw & ~m) | (v & m);
		if (unlikely(trace_on(h->c.m->trace, TRACE_IRQ)))
			rv_trace_mip_sw(h, old);
		break;
	}
	case RV_stvec: h->stvec = v & ~2ull; break;
	case RV_scounteren: h->scounteren = v; break;	/* stored whole, as QEMU 7.2 */
	case RV_senvcfg: h->senvcfg = v & SENVCFG_MASK; break;
	case RV_stimecmp: rv_sstc_write(h, v); break;
	case RV_sscratch: h->sscratch = v; break;
	case RV_sepc: h->sepc = v & ~1ull; break;
	case RV_scause: h->scause = v; break;
	case RV_stval: h->stval = v; break;
	case RV_satp: {
		uint64_t mode = v >> 60, old = h->satp;
		if (mode != 0 && mode != 8 && mode != 9 && mode != 10)
			break;	/* unsupported MODE: the write is ignored (WARL) */
		h->satp = mode ? v & (0xfull << 60 | 0xffffull << 44 | ((1ull << 44) - 1)) : 0;
		if ((old ^ h->satp) >> 60)
			rv_tlb_flush(h);	/* translation on, off or another mode */
		else
			rv_tlb_flush_ng(h);	/* a context switch: global entries stay */
		if (unlikely(trace_on(h->c.m->trace, TRACE_MMU)))
			rv_trace_satp(h, old);
		break;
	}
	case RV_mstatus: {
		uint64_t old = h->mstatus;
		h->mstatus = mpp_legal((h->mstatus & ~MSTATUS_WMASK) | (v & MSTATUS_WMASK));
		if ((old ^ h->mstatus) & MSTATUS_MXR)
			rv_tlb_flush(h);
		break;
	}
	case RV_misa: break;	/* fixed RV64IMAFDC_SU */
	case RV_medeleg: h->medeleg = v & MEDELEG_MASK; break;
	case RV_mideleg: h->mideleg = v & MIDELEG_MASK; break;
	case RV_mie: h->mie = v & MIE_MASK; break;
	case RV_mtvec: h->mtvec = v & ~2ull; break;
	case RV_mcounteren: h->mcounteren = v; break;
	case RV_menvcfg: h->menvcfg = v & MENVCFG_MASK; break;
	case RV_mscratch: h->mscratch = v; break;
	case RV_mepc: h->mepc = v & ~1ull; break;
	case RV_mcause: h->mcause = v; break;
	case RV_mtval: h->mtval = v; break;
	case RV_mip: {
		/* With Sstc enabled, STIP is the timer's alone. */
		bool timer_stip = h->cfg.sstc && (h->menvcfg & MENVCFG_STCE);
		uint64_t old = h->mip_sw, m = MIP_SW_MASK & ~(timer_stip ? MIP_STIP : 0);
		h->mip_sw = (h->mip_sw & ~m) | (v & m);
		if (unlikely(trace_on(h->c.m->trace, TRACE_IRQ)))
			rv_trace_mip_sw(h, old);
		break;
	}
	case RV_pmpcfg0: case RV_pmpcfg2: {
		uint8_t *p = &h->pmpcfg[idx == RV_pmpcfg0 ? 0 : 8];
		for (int i = 0; i < 8; i++, v >>= 8) {
			uint8_t b = v & 0x9f;
			if (p[i] & 0x80)
				continue;
			if ((b & 3) == 2)	/* W without R is reserved */
				b &= ~3;
			p[i] = b;
		}
		pmp_update(h);
		break;
	}
	case RV_mvendorid: case RV_marchid: case RV_mimpid: case RV_mhartid: case RV_mconfigptr:
	case RV_cycle: case RV_time: case RV_instret:
		return false;
	default:
		if (idx >= RV_pmpaddr0 && idx <= RV_pmpaddr15) {
			int i = idx - RV_pmpaddr0;
			if (!pmp_addr_locked(h, i))
				h->pmpaddr[i] = v & ((1ull << 54) - 1);
			pmp_update(h);
		} else if ((idx >= RV_mhpmcounter3 && idx <= RV_mhpmcounter31) ||
			   (idx >= RV_mhpmevent3 && idx <= RV_mhpmevent31)) {
			rv_pmu_write(h, idx, v);
		} else {
			return rv_trig_write(h, idx, v);
		}
	}
	return true;
}
