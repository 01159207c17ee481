/* The RISC-V side of -d int,unimp,exec: names for causes and the hooks
 * the hart calls only when tracing is on. */
#include <stdio.h>

#include "rv.h"
#include "../../trace.h"

static const char *const exc_names[16] = {
	"instruction address misaligned", "instruction access fault", "illegal instruction",
	"breakpoint", "load address misaligned", "load access fault",
	"store/AMO address misaligned", "store/AMO access fault", "environment call from U-mode",
	"environment call from S-mode", "exception 10", "environment call from M-mode", "instruction page fault",
	"load page fault", "exception 14", "store/AMO page fault",
};
static const char *const irq_names[12] = {
	"irq 0", "supervisor software interrupt", "irq 2", "machine software interrupt",
	"irq 4", "supervisor timer interrupt", "irq 6", "machine timer interrupt",
	"irq 8", "supervisor external interrupt", "irq 10", "machine external interrupt",
};

void rv_trace_trap(rv_hart *h, int from, uint64_t cause, uint64_t tval, uint64_t epc)
{
	unsigned code = (unsigned)(cause & 63);
	const char *name = (cause & CAUSE_IRQ) ? (code < 12 ? irq_names[code] : "interrupt")
					      : (code < 16 ? exc_names[code] : "exception");
	char what[96];

	if (!trace_on(h->c.m->trace, TRACE_INT))
		return;
	snprintf(what, sizeof(what), "%s (cause %#llx tval %#llx)", name, (unsigned long long)cause,
		 (unsigned long long)tval);
	trace_int(&h->c, from, h->priv, epc, what, epc, h->pc);
}

void rv_trace_illegal(rv_hart *h, uint64_t pc, uint32_t bits)
{
	char what[64];

	if (!trace_on(h->c.m->trace, TRACE_UNIMP))
		return;
	if ((bits & 0x7f) == 0x73 && ((bits >> 12) & 3))
		snprintf(what, sizeof(what), "CSR 0x%03x (insn 0x%08x)", bits >> 20, bits);
	else
		snprintf(what, sizeof(what), "illegal instruction 0x%0*x", (bits & 3) == 3 ? 8 : 4, bits);
	trace_unimp(&h->c, h->priv, pc, what);
}

void rv_trace_mem(rv_hart *h, const rv_insn *d, uint64_t va, paddr_t pa, unsigned size, int acc,
		  uint64_t value)
{
	trace_mem(&h->c, h->priv, rv_pc_of(h, d), va, pa, size, acc, value);
}
