/*
 * `monitor smmu ...`: the SMMUv3 as the guest programmed it. Everything
 * the guest wrote (stream table, CDs, page tables, event queue) is read
 * with bus_debug_read: no side effects, bad pointers are reported.
 */
#include <stdlib.h>
#include <string.h>

#include "smmuv3.h"
#include "../machine.h"
#include "../monitor.h"

static smmuv3 *get_smmu(mon_ctx *c)
{
	smmuv3 *s = machine_device(c->m, "smmuv3");

	if (!s)
		mon_printf(c->out, "no SMMU on this machine (start with -M virt,iommu=smmuv3)\n");
	return s;
}

static bool parse_u64(mon_ctx *c, const char *what, const char *arg, uint64_t *v)
{
	char *end;

	*v = strtoull(arg, &end, 0);
	if (!*arg || *end) {
		mon_printf(c->out, "bad %s '%s' (a number, 0x... for hex)\n", what, arg);
		return false;
	}
	return true;
}

static bool parse_sid(mon_ctx *c, const char *arg, uint32_t *sid)
{
	uint64_t v;

	if (!parse_u64(c, "StreamID", arg, &v))
		return false;
	if (v >> 16) {
		mon_printf(c->out, "StreamID 0x%llx: more than the 16 bits of IDR1.SIDSIZE\n",
			   (unsigned long long)v);
		return false;
	}
	*sid = (uint32_t)v;
	return true;
}

static const char *event_name(unsigned ev)
{
	switch (ev) {
	case SMMU_EVT_F_UUT: return "F_UUT";
	case SMMU_EVT_C_BAD_STREAMID: return "C_BAD_STREAMID";
	case SMMU_EVT_F_STE_FETCH: return "F_STE_FETCH";
	case SMMU_EVT_C_BAD_STE: return "C_BAD_STE";
	case SMMU_EVT_F_STREAM_DISABLED: return "F_STREAM_DISABLED";
	case SMMU_EVT_C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
	case SMMU_EVT_F_CD_FETCH: return "F_CD_FETCH";
	case SMMU_EVT_C_BAD_CD: return "C_BAD_CD";
	case SMMU_EVT_F_WALK_EABT: return "F_WALK_EABT";
	case SMMU_EVT_F_TRANSLATION: return "F_TRANSLATION";
	case SMMU_EVT_F_ADDR_SIZE: return "F_ADDR_SIZE";
	case SMMU_EVT_F_ACCESS: return "F_ACCESS";
	case SMMU_EVT_F_PERMISSION: return "F_PERMISSION";
	case 0x100: return "abort (STE.Config = abort or GBPA.ABORT)";
	}
	return "?";
}

static void queue_line(mon_out *o, const char *name, uint64_t base, uint32_t prod, uint32_t cons,
		       unsigned max, unsigned entry)
{
	unsigned log2 = (base & 0x1f) > max ? max : (unsigned)(base & 0x1f);
	uint32_t mask = (2u << log2) - 1;
	uint32_t used = ((prod & mask) - (cons & mask)) & mask;

	mon_printf(o, "%s: base 0x%llx, %u entries of %u bytes, prod 0x%x (idx %u wrap %u), "
		   "cons 0x%x (idx %u wrap %u%s%s), %u pending\n", name,
		   (unsigned long long)(base & 0x000fffffffffffe0ull), 1u << log2, entry, prod,
		   prod & ((1u << log2) - 1), (prod >> log2) & 1, cons, cons & ((1u << log2) - 1),
		   (cons >> log2) & 1, (cons >> 24) & 0x7f ? ", ERR " : "",
		   (cons >> 24) & 0x7f ? ((cons >> 24) & 0x7f) == 1 ? "ILL" : ((cons >> 24) & 0x7f) == 2 ? "ABT" : "ATC_INV" : "",
		   used);
}

/* The registers decoded: the SMMU description's extras (`info state
 * smmuv3` prints them after the fields; `monitor smmu` alone). */
void smmuv3_info(void *obj, mon_out *o)
{
	smmuv3 *s = obj;
	uint32_t cfg = s->strtab_base_cfg;
	int valid = 0;

	mon_printf(o, "IDR0 0x%08x IDR1 0x%08x IDR3 0x%08x IDR5 0x%08x IIDR 0x%08x AIDR 0x%08x\n",
		   s->idr[0], s->idr[1], s->idr[3], s->idr[5], s->iidr, s->aidr);
	mon_printf(o, "CR0 0x%x (SMMUEN %u EVTQEN %u CMDQEN %u) CR1 0x%x CR2 0x%x\n", s->cr0,
		   s->cr0 & 1, (s->cr0 >> 2) & 1, (s->cr0 >> 3) & 1, s->cr1, s->cr2);
	mon_printf(o, "GBPA 0x%x (%s when SMMUEN=0) IRQ_CTRL 0x%x (GERROR %u EVTQ %u)\n", s->gbpa,
		   (s->gbpa >> 20) & 1 ? "abort" : "bypass", s->irq_ctrl, s->irq_ctrl & 1,
		   (s->irq_ctrl >> 2) & 1);
	mon_printf(o, "GERROR 0x%x GERRORN 0x%x (active 0x%x%s)\n", s->gerror, s->gerrorn,
		   s->gerror ^ s->gerrorn, (s->gerror ^ s->gerrorn) & 1 ? ": CMDQ_ERR" : "");
	mon_printf(o, "STRTAB_BASE 0x%llx STRTAB_BASE_CFG 0x%x (%s, LOG2SIZE %u, SPLIT %u)\n",
		   (unsigned long long)s->strtab_base, cfg,
		   ((cfg >> 16) & 3) == 0 ? "linear" : ((cfg >> 16) & 3) == 1 ? "2-level" : "reserved",
		   cfg & 0x3f, (cfg >> 6) & 0x1f);
	queue_line(o, "cmdq", s->cmdq_base, s->cmdq_prod, s->cmdq_cons, 8, 16);
	queue_line(o, "evtq", s->evtq_base, s->evtq_prod, s->evtq_cons, 7, 32);
	for (int i = 0; i < SMMU_IOTLB_SIZE; i++)
		valid += s->iotlb[i].valid;
	mon_printf(o, "commands %llu, events %llu, translations %llu (IOTLB hits %llu, %d/%d "
		   "entries valid), faults %llu\n", (unsigned long long)s->ncmds,
		   (unsigned long long)s->nevents, (unsigned long long)s->ntranslations,
		   (unsigned long long)s->niotlb_hits, valid, SMMU_IOTLB_SIZE,
		   (unsigned long long)s->nfaults);
}

static int cmd_smmu(mon_ctx *c, int argc, char **argv)
{
	smmuv3 *s = get_smmu(c);

	(void)argc; (void)argv;
	if (!s)
		return -1;
	smmuv3_info(s, c->out);
	return 0;
}

static bool read_ste(mon_ctx *c, smmuv3 *s, uint32_t sid, uint64_t ste[8], uint64_t *pa)
{
	char why[96];
	int ev = smmu_ste_addr(s, sid, pa, why, sizeof(why));

	if (ev) {
		mon_printf(c->out, "SID 0x%x: %s (%s)\n", sid, why, event_name((unsigned)ev));
		return false;
	}
	if (bus_debug_read(s->bus, *pa, ste, 64)) {
		mon_printf(c->out, "SID 0x%x: STE at 0x%llx is not in RAM\n", sid, (unsigned long long)*pa);
		return false;
	}
	return true;
}

static int cmd_smmu_ste(mon_ctx *c, int argc, char **argv)
{
	static const char *const configs[8] = { "abort", "reserved", "reserved", "reserved",
						"bypass", "S1 translate", "S2 translate", "S1+S2 nested" };
	static const char *const strw[4] = { "NS-EL1", "reserved", "EL2", "EL3" };
	smmuv3 *s = get_smmu(c);
	uint64_t ste[8], pa;
	uint32_t sid;

	if (!s)
		return -1;
	if (argc != 2) {
		mon_printf(c->out, "usage: smmu ste SID\n");
		return -1;
	}
	if (!parse_sid(c, argv[1], &sid) || !read_ste(c, s, sid, ste, &pa))
		return -1;
	mon_printf(c->out, "STE for SID 0x%x at 0x%llx:", sid, (unsigned long long)pa);
	for (int i = 0; i < 8; i++)
		mon_printf(c->out, " %016llx", (unsigned long long)ste[i]);
	mon_printf(c->out, "\n  V            %u\n", (unsigned)(ste[0] & 1));
	mon_printf(c->out, "  Config       %u (%s)\n", (unsigned)(ste[0] >> 1) & 7, configs[(ste[0] >> 1) & 7]);
	mon_printf(c->out, "  S1Fmt        %u\n", (unsigned)(ste[0] >> 4) & 3);
	mon_printf(c->out, "  S1ContextPtr 0x%llx\n", (unsigned long long)(ste[0] & 0x000fffffffffffc0ull));
	mon_printf(c->out, "  S1CDMax      %u\n", (unsigned)(ste[0] >> 59) & 0x1f);
	mon_printf(c->out, "  S1DSS        %u\n", (unsigned)ste[1] & 3);
	mon_printf(c->out, "  S1CIR/COR/CSH %u/%u/%u\n", (unsigned)(ste[1] >> 2) & 3,
		   (unsigned)(ste[1] >> 4) & 3, (unsigned)(ste[1] >> 6) & 3);
	mon_printf(c->out, "  S1STALLD     %u\n", (unsigned)(ste[1] >> 27) & 1);
	mon_printf(c->out, "  EATS         %u\n", (unsigned)(ste[1] >> 28) & 3);
	mon_printf(c->out, "  STRW         %u (%s)\n", (unsigned)(ste[1] >> 30) & 3, strw[(ste[1] >> 30) & 3]);
	mon_printf(c->out, "  SHCFG        %u\n", (unsigned)(ste[1] >> 44) & 3);
	mon_printf(c->out, "  PRIVCFG      %u\n", (unsigned)(ste[1] >> 48) & 3);
	mon_printf(c->out, "  S2VMID       0x%x\n", (unsigned)ste[2] & 0xffff);
	return 0;
}

static int cmd_smmu_cd(mon_ctx *c, int argc, char **argv)
{
	static const char *const tg[4] = { "4K", "64K", "16K", "reserved" };
	smmuv3 *s = get_smmu(c);
	uint64_t ste[8], cd[8], pa, ssid = 0, ctx;
	unsigned cdmax, fmt;
	uint32_t sid;

	if (!s)
		return -1;
	if (argc < 2 || argc > 3) {
		mon_printf(c->out, "usage: smmu cd SID [SSID]\n");
		return -1;
	}
	if (!parse_sid(c, argv[1], &sid) || (argc == 3 && !parse_u64(c, "SubstreamID", argv[2], &ssid)) ||
	    !read_ste(c, s, sid, ste, &pa))
		return -1;
	if (((ste[0] >> 1) & 7) != 5 && ((ste[0] >> 1) & 7) != 7) {
		mon_printf(c->out, "SID 0x%x: STE.Config %u has no stage 1: no CD\n", sid,
			   (unsigned)(ste[0] >> 1) & 7);
		return -1;
	}
	cdmax = (ste[0] >> 59) & 0x1f;
	fmt = (ste[0] >> 4) & 3;
	ctx = ste[0] & 0x000fffffffffffc0ull;
	if (ssid >> cdmax) {
		mon_printf(c->out, "SSID 0x%llx: STE.S1CDMax is %u (%u SSIDs)\n", (unsigned long long)ssid,
			   cdmax, 1u << cdmax);
		return -1;
	}
	pa = ctx + 64 * ssid;
	if (cdmax && fmt) {
		unsigned split = fmt == 1 ? 6 : 10;
		uint64_t l1, l1pa = ctx + 8 * (ssid >> split);
		if (bus_debug_read(s->bus, l1pa, &l1, 8) || !(l1 & 1)) {
			mon_printf(c->out, "L1 CD descriptor at 0x%llx unreadable or not valid\n",
				   (unsigned long long)l1pa);
			return -1;
		}
		pa = (l1 & 0x000ffffffffff000ull) + 64 * (ssid & ((1u << split) - 1));
	}
	if (bus_debug_read(s->bus, pa, cd, 64)) {
		mon_printf(c->out, "CD at 0x%llx is not in RAM\n", (unsigned long long)pa);
		return -1;
	}
	mon_printf(c->out, "CD for SID 0x%x SSID 0x%llx at 0x%llx:", sid, (unsigned long long)ssid,
		   (unsigned long long)pa);
	for (int i = 0; i < 8; i++)
		mon_printf(c->out, " %016llx", (unsigned long long)cd[i]);
	mon_printf(c->out, "\n  V     %u\n", (unsigned)(cd[0] >> 31) & 1);
	mon_printf(c->out, "  T0SZ  %u (%u-bit IOVA)\n", (unsigned)cd[0] & 0x3f, 64 - ((unsigned)cd[0] & 0x3f));
	mon_printf(c->out, "  TG0   %u (%s)\n", (unsigned)(cd[0] >> 6) & 3, tg[(cd[0] >> 6) & 3]);
	mon_printf(c->out, "  IR0/OR0/SH0 %u/%u/%u\n", (unsigned)(cd[0] >> 8) & 3,
		   (unsigned)(cd[0] >> 10) & 3, (unsigned)(cd[0] >> 12) & 3);
	mon_printf(c->out, "  EPD0  %u\n  EPD1  %u\n  ENDI  %u\n", (unsigned)(cd[0] >> 14) & 1,
		   (unsigned)(cd[0] >> 30) & 1, (unsigned)(cd[0] >> 15) & 1);
	mon_printf(c->out, "  IPS   %u\n", (unsigned)(cd[0] >> 32) & 7);
	mon_printf(c->out, "  AFFD  %u  WXN %u  UWXN %u  TBI0 %u  TBI1 %u  PAN %u\n",
		   (unsigned)(cd[0] >> 35) & 1, (unsigned)(cd[0] >> 36) & 1, (unsigned)(cd[0] >> 37) & 1,
		   (unsigned)(cd[0] >> 38) & 1, (unsigned)(cd[0] >> 39) & 1, (unsigned)(cd[0] >> 40) & 1);
	mon_printf(c->out, "  AA64  %u\n  HD %u  HA %u\n", (unsigned)(cd[0] >> 41) & 1,
		   (unsigned)(cd[0] >> 42) & 1, (unsigned)(cd[0] >> 43) & 1);
	mon_printf(c->out, "  S %u  R %u  A %u  ASET %u\n", (unsigned)(cd[0] >> 44) & 1,
		   (unsigned)(cd[0] >> 45) & 1, (unsigned)(cd[0] >> 46) & 1, (unsigned)(cd[0] >> 47) & 1);
	mon_printf(c->out, "  ASID  0x%x\n", (unsigned)(cd[0] >> 48));
	mon_printf(c->out, "  TTB0  0x%llx\n", (unsigned long long)(cd[1] & 0x000ffffffffffff0ull));
	mon_printf(c->out, "  TTB1  0x%llx\n", (unsigned long long)(cd[2] & 0x000ffffffffffff0ull));
	mon_printf(c->out, "  MAIR  0x%016llx\n", (unsigned long long)cd[3]);
	return 0;
}

static int cmd_smmu_walk(mon_ctx *c, int argc, char **argv)
{
	smmuv3 *s = get_smmu(c);
	uint64_t iova;
	uint32_t sid;
	smmu_xlate x;

	if (!s)
		return -1;
	if (argc != 3) {
		mon_printf(c->out, "usage: smmu walk SID IOVA\n");
		return -1;
	}
	if (!parse_sid(c, argv[1], &sid) || !parse_u64(c, "IOVA", argv[2], &iova))
		return -1;
	smmu_translate(s, sid, iova, false, false, &x);
	for (int i = 0; i < x.nsteps; i++) {
		const smmu_walk_step *st = &x.steps[i];
		mon_printf(c->out, "L%d: table 0x%llx entry 0x%llx = 0x%016llx\n", st->level,
			   (unsigned long long)st->table_pa, (unsigned long long)st->desc_pa,
			   (unsigned long long)st->desc);
	}
	if (x.fault) {
		mon_printf(c->out, "SID 0x%x IOVA 0x%llx: %s: %s\n", sid, (unsigned long long)iova,
			   event_name((unsigned)x.fault), x.why);
		return 0;
	}
	mon_printf(c->out, "SID 0x%x IOVA 0x%llx -> PA 0x%llx (%s, %llu bytes to the end of the "
		   "mapping)\n", sid, (unsigned long long)iova, (unsigned long long)x.pa,
		   x.writable ? "read/write" : "read-only", (unsigned long long)x.len);
	return 0;
}

static int cmd_smmu_events(mon_ctx *c, int argc, char **argv)
{
	smmuv3 *s = get_smmu(c);
	unsigned log2;
	uint32_t mask, cons, n = 0;

	(void)argc; (void)argv;
	if (!s)
		return -1;
	log2 = (s->evtq_base & 0x1f) > 7 ? 7 : (unsigned)(s->evtq_base & 0x1f);
	mask = (2u << log2) - 1;
	for (cons = s->evtq_cons & mask; cons != (s->evtq_prod & mask); cons = (cons + 1) & mask, n++) {
		uint64_t rec[4], pa = (s->evtq_base & 0x000fffffffffffe0ull) +
				      32ull * (cons & ((1u << log2) - 1));
		if (bus_debug_read(s->bus, pa, rec, sizeof(rec))) {
			mon_printf(c->out, "event queue entry at 0x%llx is not in RAM\n",
				   (unsigned long long)pa);
			return -1;
		}
		mon_printf(c->out, "[%u] %s (0x%02x) SID 0x%x%s %s IOVA 0x%llx fetch 0x%llx\n",
			   cons & ((1u << log2) - 1), event_name(rec[0] & 0xff), (unsigned)(rec[0] & 0xff),
			   (unsigned)(rec[0] >> 32), (rec[0] >> 11) & 1 ? " (SSV)" : "",
			   (rec[1] >> 35) & 1 ? "read" : "write", (unsigned long long)rec[2],
			   (unsigned long long)rec[3]);
	}
	mon_printf(c->out, "%u pending event%s (%llu recorded since reset)%s\n", n, n == 1 ? "" : "s",
		   (unsigned long long)s->nevents,
		   ((s->evtq_prod ^ s->evtq_cons) >> 31) & 1 ? ", queue overflowed" : "");
	return 0;
}

MONITOR_COMMANDS(smmu_commands) {
	{ "smmu", "", "SMMUv3 registers, queues and translation counters", cmd_smmu },
	{ "smmu ste", "SID", "the stream table entry of a StreamID, field by field", cmd_smmu_ste },
	{ "smmu cd", "SID [SSID]", "the context descriptor of a StreamID, field by field", cmd_smmu_cd },
	{ "smmu walk", "SID IOVA", "translate an IOVA as the SMMU would, each table level", cmd_smmu_walk },
	{ "smmu events", "", "the pending event queue records, decoded", cmd_smmu_events },
	{ 0 }
};
