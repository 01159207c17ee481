/*
 * -d irq and -d mmu on RISC-V: software-set mip bits, satp writes,
 * sfence.vma, Sv39/48/57 walks done for real accesses, and software TLB
 * fills. Formatting only; the callers test trace_on() first.
 */
#include <stdio.h>

#include "trace_hooks_rv.h"

static const char *const mip_names[16] = {
	[1] = "SSIP", [3] = "MSIP", [5] = "STIP", [7] = "MTIP", [9] = "SEIP", [11] = "MEIP",
};

static const char prv_name[4] = { 'U', 'S', '?', 'M' };

void rv_trace_mip_sw(rv_hart *h, uint64_t old)
{
	for (uint64_t d = (old ^ h->mip_sw) & 0xffff; d; d &= d - 1) {
		int i = __builtin_ctzll(d);
		trace_irq(h->c.m, h->c.index, "hart mip.%s %s (CSR write in %c-mode)",
			  mip_names[i] ? mip_names[i] : "?", h->mip_sw >> i & 1 ? "high" : "low",
			  prv_name[h->priv & 3]);
	}
}

static void satp_text(uint64_t satp, char *buf, size_t len)
{
	unsigned mode = (unsigned)(satp >> 60);

	if (!mode)
		snprintf(buf, len, "Bare");
	else
		snprintf(buf, len, "Sv%u asid=%llu root=0x%llx", 39 + 9 * (mode - 8),
			 (unsigned long long)(satp >> 44 & 0xffff),
			 (unsigned long long)((satp & ((1ull << 44) - 1)) << 12));
}

void rv_trace_satp(rv_hart *h, uint64_t old)
{
	char was[80], now[80];

	satp_text(old, was, sizeof(was));
	satp_text(h->satp, now, sizeof(now));
	trace_mmu(&h->c, "satp = 0x%016llx: %s%s%s (was %s), %s", (unsigned long long)h->satp, now,
		  !(old >> 60) && (h->satp >> 60) ? ", translation on" : "",
		  (old >> 60) && !(h->satp >> 60) ? ", translation off" : "", was,
		  (old ^ h->satp) >> 60 ? "TLB flushed" : "non-global TLB entries flushed");
}

void rv_trace_sfence(rv_hart *h, int rs1, uint64_t va, int rs2, uint64_t asid)
{
	char a[40] = "all", b[40] = "all";

	if (rs1)
		snprintf(a, sizeof(a), "0x%016llx", (unsigned long long)va);
	if (rs2)
		snprintf(b, sizeof(b), "%llu", (unsigned long long)(asid & 0xffff));
	trace_mmu(&h->c, "sfence.vma va=%s asid=%s: TLB %s", a, b, rs1 ? "entries for the page flushed" :
		  "flushed");
}

void rv_trace_walk(rv_hart *h, uint64_t va, int access, int priv, const walk_log *log)
{
	char ctx[64];

	snprintf(ctx, sizeof(ctx), "asid=%llu Sv%u %c-mode", (unsigned long long)(h->satp >> 44 & 0xffff),
		 39 + 9 * (unsigned)((h->satp >> 60) - 8), prv_name[priv & 3]);
	trace_mmu_walk(&h->c, access == ACC_EXEC ? "X" : (access & ACC_WRITE) ? "W" : "R", va, ctx, log);
}

void rv_trace_fill(rv_hart *h, const char *kind, uint64_t va, paddr_t pa)
{
	trace_mmu(&h->c, "tlb fill %s va=0x%016llx pa=0x%llx", kind, (unsigned long long)(va & ~0xfffull),
		  (unsigned long long)(pa & ~0xfffull));
}
