/*
 * AArch64 side of -d int / -d unimp: decodes ESR_EL1 exception classes and
 * names the encoding of UNDEFINED instructions and unknown system
 * registers. Called from a64_take only while a trace is enabled.
 */
#include <stdio.h>
#include "a64_int.h"
#include "../../trace.h"

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "UNKNOWN";
	case 0x01: return "WFX";
	case 0x07: return "FP_ACCESS";
	case 0x0e: return "ILLEGAL_STATE";
	case 0x15: return "SVC";
	case 0x16: return "HVC";
	case 0x17: return "SMC";
	case 0x18: return "SYS";
	case 0x20: return "IABT_LOW";
	case 0x21: return "IABT_CUR";
	case 0x22: return "PC_ALIGN";
	case 0x24: return "DABT_LOW";
	case 0x25: return "DABT_CUR";
	case 0x26: return "SP_ALIGN";
	case 0x2c: return "FP_EXC";
	case 0x2f: return "SERROR";
	case 0x30: return "BKPT_LOW";
	case 0x31: return "BKPT_CUR";
	case 0x32: return "SSTEP_LOW";
	case 0x33: return "SSTEP_CUR";
	case 0x3c: return "BRK";
	default: return "EC?";
	}
}

static const char *fsc_name(unsigned fsc)
{
	switch (fsc & 0x3c) {
	case 0x00: return "address size fault";
	case 0x04: return "translation fault";
	case 0x08: return "access flag fault";
	case 0x0c: return "permission fault";
	default: return fsc == 0x21 ? "alignment fault" : "external abort";
	}
}

/* "S3_0_C15_C2_0" or the register table's name. */
static void sysreg_name(uint32_t insn, char *buf, size_t len)
{
	unsigned op0 = 2 + (insn >> 19 & 1), op1 = insn >> 16 & 7, crn = insn >> 12 & 15;
	unsigned crm = insn >> 8 & 15, op2 = insn >> 5 & 7;
	int idx = a64_sysreg_index(insn >> 5 & 0xffff);

	if (idx >= 0)
		snprintf(buf, len, "%s", aarch64_regs.regs[idx].name);
	else
		snprintf(buf, len, "S%u_%u_C%u_C%u_%u", op0, op1, crn, crm, op2);
}

static void trace_undef(a64_cpu *s, int el, uint64_t pc)
{
	machine *m = s->c.m;
	uint32_t insn;
	char what[192], dis[96], reg[48];

	if (dbg_mem_read(m, s->c.index, pc, &insn, 4, 0) != 4) {
		trace_unimp(&s->c, el, pc, "UNDEFINED (instruction not readable)");
		return;
	}
	if ((insn & 0xffd00000) == 0xd5100000) {
		bool read = insn >> 21 & 1;
		sysreg_name(insn, reg, sizeof(reg));
		snprintf(what, sizeof(what), "%s %s system register %s (insn %08x)",
			 read ? "MRS" : "MSR", a64_sysreg_index(insn >> 5 & 0xffff) < 0 ?
			 "unimplemented" : "refused", reg, insn);
	} else {
		m->arch->disasm(&s->c, pc, insn, dis, sizeof(dis));
		snprintf(what, sizeof(what), "UNDEFINED instruction %08x (%s)", insn, dis);
	}
	trace_unimp(&s->c, el, pc, what);
}

void a64_trace_take(a64_cpu *s, int kind, uint32_t esr, uint64_t ret, int from_el, uint64_t from_pc)
{
	trace_state *t = s->c.m->trace;
	unsigned ec = esr >> 26, iss = esr & 0x1ffffff;
	char what[160];

	if (kind == EXC_SYNC && ec == EC_UNKNOWN && (t->flags & TRACE_UNIMP))
		trace_undef(s, from_el, from_pc);
	if (!(t->flags & TRACE_INT))
		return;
	if (kind == EXC_IRQ || kind == EXC_FIQ) {
		snprintf(what, sizeof(what), "%s", kind == EXC_IRQ ? "IRQ" : "FIQ");
	} else if (ec == EC_SVC || ec == EC_HVC || ec == EC_SMC || ec == EC_BRK) {
		snprintf(what, sizeof(what), "%s #0x%x ESR=0x%08x", ec_name(ec), iss & 0xffff, esr);
	} else if (ec == EC_DABT || ec == EC_DABT_LOW || ec == EC_IABT || ec == EC_IABT_LOW) {
		snprintf(what, sizeof(what), "%s ESR=0x%08x FAR=0x%016llx %s level %u%s", ec_name(ec), esr,
			 (unsigned long long)s->sys[A64R_FAR_EL1], fsc_name(iss & 0x3f), iss & 3,
			 ec >= EC_DABT_LOW ? (iss >> 6 & 1 ? " write" : " read") : "");
	} else if (ec == EC_SYS) {
		/* ISS: Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1, read 0 */
		uint32_t insn = 0xd5000000 | (iss & 1) << 21 | (iss >> 20 & 3) << 19 | (iss >> 14 & 7) << 16 |
				(iss >> 10 & 15) << 12 | (iss >> 1 & 15) << 8 | (iss >> 17 & 7) << 5 |
				(iss >> 5 & 31);
		char reg[48];
		sysreg_name(insn, reg, sizeof(reg));
		snprintf(what, sizeof(what), "SYS ESR=0x%08x %s x%u, %s", esr, iss & 1 ? "MRS" : "MSR",
			 iss >> 5 & 31, reg);
	} else {
		snprintf(what, sizeof(what), "%s ESR=0x%08x", ec_name(ec), esr);
	}
	trace_int(&s->c, from_el, s->ps.el, from_pc, what, ret, s->pc);
}
