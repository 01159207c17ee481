/*
 * System registers: the table built from regs.def, the MRS/MSR index by
 * encoding, CPU models (ID register values), and register semantics.
 */
#include <stdio.h>
#include <stdlib.h>
#include "a64_int.h"
#include "trace_hooks_a64.h"

static const reg_desc regs[] = {
#define REG(name, bits, feat, acc, type, group, enc, reset, flags) \
	{ #name, bits, feat, acc, type, group, enc, reset, flags },
#include "regs.def"
#undef REG
};

static const reg_feature features[] = {
	{ "org.gnu.gdb.aarch64.core", "aarch64-core.xml" },
	{ "org.gnu.gdb.aarch64.fpu", "aarch64-fpu.xml" },
	{ "org.kwb.gdb.aarch64.sysregs", "aarch64-sysregs.xml" },
};

static const char *feature_types(int feature)
{
	if (feature == 0)
		return "<flags id=\"cpsr_flags\" size=\"4\">"
		       "<field name=\"SP\" start=\"0\" end=\"0\"/>"
		       "<field name=\"EL\" start=\"2\" end=\"3\"/>"
		       "<field name=\"nRW\" start=\"4\" end=\"4\"/>"
		       "<field name=\"F\" start=\"6\" end=\"6\"/>"
		       "<field name=\"I\" start=\"7\" end=\"7\"/>"
		       "<field name=\"A\" start=\"8\" end=\"8\"/>"
		       "<field name=\"D\" start=\"9\" end=\"9\"/>"
		       "<field name=\"IL\" start=\"20\" end=\"20\"/>"
		       "<field name=\"SS\" start=\"21\" end=\"21\"/>"
		       "<field name=\"PAN\" start=\"22\" end=\"22\"/>"
		       "<field name=\"UAO\" start=\"23\" end=\"23\"/>"
		       "<field name=\"V\" start=\"28\" end=\"28\"/>"
		       "<field name=\"C\" start=\"29\" end=\"29\"/>"
		       "<field name=\"Z\" start=\"30\" end=\"30\"/>"
		       "<field name=\"N\" start=\"31\" end=\"31\"/>"
		       "</flags>";
	if (feature == 1)
		return "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
		       "<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>"
		       "<vector id=\"v2i\" type=\"int64\" count=\"2\"/>"
		       "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
		       "<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>"
		       "<vector id=\"v4i\" type=\"int32\" count=\"4\"/>"
		       "<vector id=\"v8f\" type=\"ieee_half\" count=\"8\"/>"
		       "<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>"
		       "<vector id=\"v8i\" type=\"int16\" count=\"8\"/>"
		       "<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>"
		       "<vector id=\"v16i\" type=\"int8\" count=\"16\"/>"
		       "<vector id=\"v1u\" type=\"uint128\" count=\"1\"/>"
		       "<vector id=\"v1i\" type=\"int128\" count=\"1\"/>"
		       "<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
		       "<field name=\"s\" type=\"v2i\"/></union>"
		       "<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
		       "<field name=\"s\" type=\"v4i\"/></union>"
		       "<union id=\"vnh\"><field name=\"f\" type=\"v8f\"/><field name=\"u\" type=\"v8u\"/>"
		       "<field name=\"s\" type=\"v8i\"/></union>"
		       "<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>"
		       "<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>"
		       "<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
		       "<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/>"
		       "<field name=\"q\" type=\"vnq\"/></union>";
	return NULL;
}

const reg_table aarch64_regs = {
	.regs = regs,
	.count = ARRAY_SIZE(regs),
	.features = features,
	.nfeatures = ARRAY_SIZE(features),
	.gdb_arch = "aarch64",
	.feature_types = feature_types,
};

/* ---- MRS/MSR index: encoding (16 bits) -> table index ---- */

static int16_t enc_index[1 << 16];
static bool enc_ready;

static void build_index(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(enc_index); i++)
		enc_index[i] = -1;
	for (int i = 0; i < (int)ARRAY_SIZE(regs); i++)
		if (regs[i].encoding)
			enc_index[regs[i].encoding & 0xffff] = (int16_t)i;
	enc_ready = true;
}

int a64_sysreg_index(uint32_t enc)
{
	if (unlikely(!enc_ready))
		build_index();
	return enc_index[enc & 0xffff];
}

/* ---- CPU models ---- */

/* QEMU 7.2's cortex-a57 (read with MRS on qemu-system-aarch64 -M virt
 * -cpu cortex-a57; tests/guest/aarch64/cmp/ids.S compares them). */
#define A57_IDS \
	{ A64R_MIDR_EL1, 0x411fd070 }, { A64R_ID_PFR0_EL1, 0x131 }, { A64R_ID_PFR1_EL1, 0x10001 }, \
	{ A64R_ID_DFR0_EL1, 0x03010006 }, { A64R_ID_MMFR0_EL1, 0x10101105 }, \
	{ A64R_ID_MMFR1_EL1, 0x40000000 }, { A64R_ID_MMFR2_EL1, 0x01260000 }, \
	{ A64R_ID_MMFR3_EL1, 0x02102211 }, { A64R_ID_ISAR0_EL1, 0x02101110 }, \
	{ A64R_ID_ISAR1_EL1, 0x13112111 }, { A64R_ID_ISAR2_EL1, 0x21232042 }, \
	{ A64R_ID_ISAR3_EL1, 0x01112131 }, { A64R_ID_ISAR4_EL1, 0x00011142 }, \
	{ A64R_ID_ISAR5_EL1, 0x00011121 }, { A64R_MVFR0_EL1, 0x10110222 }, \
	{ A64R_MVFR1_EL1, 0x12111111 }, { A64R_MVFR2_EL1, 0x43 }, \
	{ A64R_ID_AA64PFR0_EL1, 0x22 }, { A64R_ID_AA64DFR0_EL1, 0x10305106 }, \
	{ A64R_ID_AA64ISAR0_EL1, A57_ISAR0 }, { A64R_ID_AA64MMFR0_EL1, 0x1124 }, \
	{ A64R_CTR_EL0, 0x8444c004 }, { A64R_DCZID_EL0, 4 }, { A64R_CLIDR_EL1, 0x0a200023 }, \
	{ A64R_PMCR_EL0, 0x41013000 }
/* AES with PMULL, SHA1, SHA256, CRC32 (fpsimd_crypto.c) */
#define A57_ISAR0 0x11120

static const a64_model models[] = {
	{ "cortex-a57", false, { 0x701fe00a, 0x201fe012, 0x70ffe07a }, { A57_IDS } },
	/* as cortex-a57 but for MIDR, PARange (40 bits), the VIPT I-cache,
	 * the caches' geometry and PMCR.IDCODE */
	{ "cortex-a53", false, { 0x700fe01a, 0x201fe00a, 0x707fe07a }, { A57_IDS,
	  { A64R_MIDR_EL1, 0x410fd034 }, { A64R_ID_AA64MMFR0_EL1, 0x1122 },
	  { A64R_CTR_EL0, 0x84448004 }, { A64R_PMCR_EL0, 0x41033000 } } },
	/* QEMU 7.2's max is its cortex-a57 with QEMU's own MIDR, CLIDR's
	 * LoUU and LoUIS 0 and many more features (SVE, SME, MTE, PAuth,
	 * BTI, v8.1-v8.7 instructions: README). kwb's advertises only what kwb
	 * has: cortex-a57 with QEMU's MIDR and CLIDR, LSE atomics
	 * (ISAR0.Atomic = 2), AArch64 only at EL0 and EL1 (no AArch32), and
	 * CSV2 = CSV3 = 1 (true of a CPU that does not speculate; QEMU's
	 * CSV2 = 2 would need the SCXTNUM registers). */
	{ "max", true, { 0x701fe00a, 0x201fe012, 0x70ffe07a }, { A57_IDS,
	  { A64R_MIDR_EL1, 0x000f0510 }, { A64R_CLIDR_EL1, 0x02000023 },
	  { A64R_ID_AA64PFR0_EL1, 0x1100000000000011ull },
	  { A64R_ID_AA64ISAR0_EL1, A57_ISAR0 | 0x200000 } } },
};

void a64_apply_model(a64_cpu *s)
{
	a64_core *k = CORE(s);
	const char *name = s->c.m && s->c.m->opt ? s->c.m->opt->cpu_model : NULL;

	if (!k->model) {
		k->model = &models[0];
		if (name) {
			unsigned i;
			for (i = 0; i < ARRAY_SIZE(models); i++)
				if (!strcmp(models[i].name, name))
					break;
			if (i == ARRAY_SIZE(models))
				kwb_usage_error("-cpu %s: unknown AArch64 CPU model (cortex-a57, cortex-a53, max)", name);
			k->model = &models[i];
		}
	}
	for (unsigned i = 0; i < ARRAY_SIZE(k->model->id) && k->model->id[i].idx; i++)
		s->sys[k->model->id[i].idx] = k->model->id[i].val;
}

/* ---- per-machine shared state ---- */

static a64_shared shared[4];

a64_shared *a64_shared_get(machine *m)
{
	a64_shared *free_slot = NULL;

	for (unsigned i = 0; i < ARRAY_SIZE(shared); i++) {
		if (shared[i].m == m)
			return &shared[i];
		if (!shared[i].m && !free_slot)
			free_slot = &shared[i];
	}
	if (!free_slot)
		kwb_fatal("too many AArch64 machines");
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->m = m;
	return free_slot;
}

void a64_set_gic_handler(machine *m, const a64_sysreg_handler *h)
{
	a64_shared *sh = a64_shared_get(m);

	sh->gic = *h;
	sh->has_gic = h && (h->read || h->write);
}

/* ---- semantics ---- */

static bool gic_read(a64_cpu *s, int idx, uint64_t *v)
{
	a64_shared *sh = CORE(s)->sh;

	/* No GICv3 CPU interface (a GICv2 machine): the ICC registers are
	 * UNDEFINED, as on QEMU's cortex-a57 with gic-version=2. */
	if (sh->has_gic && sh->gic.read)
		return sh->gic.read(sh->gic.opaque, &s->c, regs[idx].encoding, v);
	return false;
}

static bool gic_write(a64_cpu *s, int idx, uint64_t v)
{
	a64_shared *sh = CORE(s)->sh;

	if (sh->has_gic && sh->gic.write)
		return sh->gic.write(sh->gic.opaque, &s->c, regs[idx].encoding, v);
	return false;
}

/* (a new case below that is not sys[idx] belongs in a64_sysreg_plain_read too) */
bool a64_sysreg_read(a64_cpu *s, int idx, uint64_t *v, bool debugger)
{
	uint32_t f = regs[idx].flags;

	if (f & A64F_RAZWI) {
		*v = 0;
		return true;
	}
	if (f & A64F_GIC) {
		if (debugger && (f & (A64F_RDSE | A64F_WO)))
			return false;
		return gic_read(s, idx, v);
	}
	if (f & A64F_TIMER)
		return a64_timer_read(s, regs[idx].encoding, v);
	if (f & A64F_PMU)
		return a64_pmu_read(s, idx, v);
	switch (idx) {
	case A64R_CurrentEL: *v = s->ps.el << 2; break;
	case A64R_DAIF: *v = s->ps.daif; break;
	case A64R_NZCV: *v = a64_pstate_pack(s) & 0xf0000000u; break;
	case A64R_SPSel: *v = s->ps.sp; break;
	case A64R_SP_EL0: *v = s->sp_el[0]; break;
	case A64R_SP_EL1: *v = s->sp_el[1]; break;
	case A64R_fpsr: *v = s->fpsr; break;
	case A64R_fpcr: *v = s->fpcr; break;
	case A64R_ISR_EL1: *v = (s->irq_line ? 0x80 : 0) | (s->fiq_line ? 0x40 : 0); break;
	case A64R_CCSIDR_EL1: {
		unsigned sel = s->sys[A64R_CSSELR_EL1] & 0xf;
		*v = sel < 3 ? CORE(s)->model->ccsidr[sel] : 0;
		break;
	}
	/* QEMU: GIC = 1 when the CPU has the GICv3 system register interface */
	case A64R_ID_PFR1_EL1: *v = s->sys[idx] | (CORE(s)->sh->has_gic ? 1ull << 28 : 0); break;
	case A64R_ID_AA64PFR0_EL1: *v = s->sys[idx] | (CORE(s)->sh->has_gic ? 1ull << 24 : 0); break;
	default: *v = s->sys[idx]; break;
	}
	return true;
}

/* An EL1 mrs of idx reads sys[idx] as stored (the JIT's template; jit.c):
 * not a device's, PSTATE's or a computed value, nor one mrs_msr refuses.
 * Keep in step with the cases of a64_sysreg_read above. */
bool a64_sysreg_plain_read(int idx)
{
	switch (idx) {
	case A64R_CurrentEL: case A64R_DAIF: case A64R_NZCV: case A64R_SPSel: case A64R_SP_EL0:
	case A64R_SP_EL1: case A64R_fpsr: case A64R_fpcr: case A64R_ISR_EL1: case A64R_CCSIDR_EL1:
	case A64R_ID_PFR1_EL1: case A64R_ID_AA64PFR0_EL1:
		return false;
	default:
		return !(regs[idx].flags & (A64F_RAZWI | A64F_GIC | A64F_TIMER | A64F_PMU | A64F_EL2 | A64F_WO));
	}
}

bool a64_sysreg_write(a64_cpu *s, int idx, uint64_t v)
{
	uint32_t f = regs[idx].flags;
	uint64_t old = s->sys[idx];

	if (f & A64F_RAZWI)
		return true;
	if (f & A64F_GIC)
		return gic_write(s, idx, v);
	if (f & A64F_TIMER)
		return a64_timer_write(s, regs[idx].encoding, v);
	if (f & A64F_PMU)
		return a64_pmu_write(s, idx, v);
	switch (idx) {
	case A64R_DAIF: s->ps.daif = v & 0x3c0; break;
	case A64R_NZCV:
		s->ps.n = v >> 31 & 1;
		s->ps.z = v >> 30 & 1;
		s->ps.c = v >> 29 & 1;
		s->ps.v = v >> 28 & 1;
		break;
	case A64R_SPSel: s->ps.sp = v & 1; break;
	case A64R_SP_EL0: s->sp_el[0] = v; break;
	case A64R_SP_EL1: s->sp_el[1] = v; break;
	case A64R_fpsr: s->fpsr = (uint32_t)v & 0xf800009f; break;
	case A64R_fpcr: s->fpcr = (uint32_t)v & 0x07ff9f00; break;
	case A64R_CurrentEL: return false;
	case A64R_OSLAR_EL1:
		s->sys[A64R_OSLSR_EL1] = (s->sys[A64R_OSLSR_EL1] & ~2ull) | (v & 1) << 1;
		a64_dbg_update(s);
		break;
	case A64R_SPSR_EL1: s->sys[idx] = v & 0xf03fffffull; break;
	case A64R_DBGCLAIMSET_EL1: break;
	case A64R_DBGCLAIMCLR_EL1: break;
	default:
		if (unlikely(a64_dbg_is_reg(idx))) {
			s->sys[idx] = a64_dbg_write_value(idx, v);
			a64_dbg_update(s);
			break;
		}
		s->sys[idx] = v;
		break;
	}
	if (f & A64F_TLB) {
		if (idx == A64R_TTBR0_EL1 || idx == A64R_TTBR1_EL1)
			a64_tlb_ttbr_written(s, idx, old);
		else
			a64_tlb_flush(s);
		if (unlikely(trace_on(s->c.m->trace, TRACE_MMU)))
			a64_trace_sysreg(s, idx, old);
	}
	return true;
}
