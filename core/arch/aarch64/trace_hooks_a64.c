/*
 * -d mmu on AArch64: writes of the translation controls (SCTLR_EL1.M,
 * TTBR0/1_EL1, TCR_EL1), TLBI, stage 1 walks done for real accesses, and
 * software TLB fills. Formatting only; the callers test trace_on() first.
 */
#include <stdio.h>
#include <string.h>

#include "trace_hooks_a64.h"

static const char *granule(unsigned tg, bool ttbr1)
{
	if (ttbr1)
		return tg == 1 ? "16K" : tg == 3 ? "64K" : tg == 2 ? "4K" : "?";
	return tg == 2 ? "16K" : tg == 1 ? "64K" : "4K";
}

void a64_trace_sysreg(a64_cpu *s, int idx, uint64_t old)
{
	uint64_t v = s->sys[idx];

	switch (idx) {
	case A64R_SCTLR_EL1:
		trace_mmu(&s->c, "SCTLR_EL1 = 0x%016llx%s%s%s, TLB flushed", (unsigned long long)v,
			  (old ^ v) & 1 ? (v & 1 ? ": M 0->1, MMU on" : ": M 1->0, MMU off") : "",
			  (old ^ v) & 4 ? (v & 4 ? ", C on" : ", C off") : "",
			  (old ^ v) >> 19 & 1 ? (v >> 19 & 1 ? ", WXN on" : ", WXN off") : "");
		break;
	case A64R_TTBR0_EL1:
	case A64R_TTBR1_EL1:
		trace_mmu(&s->c, "TTBR%d_EL1 = 0x%016llx: table 0x%llx asid=%llu, %s",
			  idx == A64R_TTBR1_EL1, (unsigned long long)v, (unsigned long long)(v & 0x0000fffffffffffeull),
			  (unsigned long long)(v >> 48),
			  ((a64_core *)s)->ttbr_flushed_all ? "TLB flushed" : "non-global TLB entries flushed");
		break;
	case A64R_TCR_EL1:
		trace_mmu(&s->c, "TCR_EL1 = 0x%016llx: T0SZ=%u (%u-bit) TG0=%s%s T1SZ=%u (%u-bit) TG1=%s%s "
			  "IPS=%u A1=%u AS=%u, TLB flushed", (unsigned long long)v, (unsigned)(v & 63),
			  64 - (unsigned)(v & 63), granule(v >> 14 & 3, false), v >> 7 & 1 ? " EPD0" : "",
			  (unsigned)(v >> 16 & 63), 64 - (unsigned)(v >> 16 & 63), granule(v >> 30 & 3, true),
			  v >> 23 & 1 ? " EPD1" : "", (unsigned)(v >> 32 & 7), (unsigned)(v >> 22 & 1),
			  (unsigned)(v >> 36 & 1));
		break;
	}
}

void a64_trace_tlbi(a64_cpu *s, unsigned crm, unsigned op2, uint64_t x)
{
	static const char *const ops[8] = {
		"VMALLE1", "VAE1", "ASIDE1", "VAAE1", NULL, "VALE1", NULL, "VAALE1",
	};
	const char *op = ops[op2 & 7] ? ops[op2 & 7] : "?";
	const char *is = crm == 3 ? "IS" : "";
	uint64_t va = sext((x & 0xfffffffffffull) << 12, 56);
	unsigned asid = (unsigned)(x >> 48);

	switch (op2) {
	case 0:
		trace_mmu(&s->c, "tlbi %s%s: TLB flushed", op, is);
		break;
	case 2:
		trace_mmu(&s->c, "tlbi %s%s asid=%u: non-global TLB entries flushed", op, is, asid);
		break;
	case 1: case 5:
		trace_mmu(&s->c, "tlbi %s%s va=0x%016llx asid=%u: TLB entries for the page flushed", op, is,
			  (unsigned long long)va, asid);
		break;
	default:
		trace_mmu(&s->c, "tlbi %s%s va=0x%016llx: TLB entries for the page flushed", op, is,
			  (unsigned long long)va);
	}
}

void a64_walk_traced(a64_cpu *s, uint64_t va, int acc, int el, a64_tr *t)
{
	walk_log log;
	char ctx[64];
	bool hi = va >> 55 & 1;
	uint64_t tcr = s->sys[A64R_TCR_EL1];
	uint64_t asid_reg = tcr >> 22 & 1 ? s->sys[A64R_TTBR1_EL1] : s->sys[A64R_TTBR0_EL1];

	if (!(s->sys[A64R_SCTLR_EL1] & 1)) {	/* MMU off: no walk to report */
		a64_walk(s, va, t, NULL);
		return;
	}
	a64_walk(s, va, t, &log);
	if (!t->fault && !(t->perm[el] & acc))
		snprintf(log.result + strlen(log.result), sizeof(log.result) - strlen(log.result),
			 ": permission fault for EL%d %s", el, acc == ACC_EXEC ? "exec" :
			 acc == ACC_WRITE ? "write" : "read");
	snprintf(ctx, sizeof(ctx), "asid=%llu TTBR%d EL%d", (unsigned long long)(asid_reg >> 48), hi, el);
	trace_mmu_walk(&s->c, acc == ACC_EXEC ? "X" : acc == ACC_WRITE ? "W" : "R", va, ctx, &log);
}

void a64_trace_fill(a64_cpu *s, const char *kind, int el, uint64_t va, paddr_t pa)
{
	trace_mmu(&s->c, "tlb fill %s EL%d va=0x%016llx pa=0x%llx", kind, el, (unsigned long long)(va & ~0xfffull),
		  (unsigned long long)(pa & ~0xfffull));
}
