/*
 * Arm SMMUv3, stage 1, as Linux's arm-smmu-v3 driver probes and uses it
 * (IDR values as QEMU's virt model where the brief asks, no MSI/SEV/ATS/
 * PRI, so CMD_SYNC completion is polled through CMDQ_CONS). Every guest
 * structure (queues, stream table, CDs, page tables) is read with
 * bus_copy_from, so a bad pointer becomes an event or a command error,
 * never a host access.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smmuv3.h"
#include "../state.h"
#include "../trace.h"
#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"

enum {
	IDR0 = 0x00, IDR1 = 0x04, IDR2 = 0x08, IDR3 = 0x0c, IDR4 = 0x10, IDR5 = 0x14,
	IIDR = 0x18, AIDR = 0x1c, CR0 = 0x20, CR0ACK = 0x24, CR1 = 0x28, CR2 = 0x2c,
	STATUSR = 0x40, GBPA = 0x44, AGBPA = 0x48, IRQ_CTRL = 0x50, IRQ_CTRLACK = 0x54,
	GERROR = 0x60, GERRORN = 0x64, GERROR_IRQ_CFG0 = 0x68, GERROR_IRQ_CFG1 = 0x70,
	GERROR_IRQ_CFG2 = 0x74, STRTAB_BASE = 0x80, STRTAB_BASE_CFG = 0x88,
	CMDQ_BASE = 0x90, CMDQ_PROD = 0x98, CMDQ_CONS = 0x9c, EVTQ_BASE = 0xa0,
	EVTQ_PROD = 0xa8, EVTQ_CONS = 0xac, EVTQ_IRQ_CFG0 = 0xb0, EVTQ_IRQ_CFG1 = 0xb8,
	EVTQ_IRQ_CFG2 = 0xbc, PRIQ_BASE = 0xc0, PRIQ_PROD = 0xc8, PRIQ_CONS = 0xcc,
	PRIQ_IRQ_CFG0 = 0xd0, PRIQ_IRQ_CFG1 = 0xd8, PRIQ_IRQ_CFG2 = 0xdc,
};

#define CR0_SMMUEN 1u
#define CR0_EVTQEN 4u
#define CR0_CMDQEN 8u
#define CR0_MASK 0x1fu
#define GBPA_UPDATE (1u << 31)
#define GBPA_ABORT (1u << 20)
#define IRQ_CTRL_GERROR 1u
#define IRQ_CTRL_EVTQ 4u
#define GERROR_CMDQ_ERR 1u
#define GERROR_EVTQ_ABT 4u
#define CONS_ERR_SHIFT 24
#define CONS_ERR_MASK (0x7fu << CONS_ERR_SHIFT)
#define Q_OVF (1u << 31)
enum { CERROR_NONE, CERROR_ILL, CERROR_ABT };

#define CMDQ_LOG2_MAX 8
#define EVTQ_LOG2_MAX 7
#define SIDSIZE 16
#define OAS_BITS 44
#define ADDR_MASK 0x000fffffffffffffull	/* PA[51:0] */

/* internal: STE.Config == abort, or GBPA.ABORT: no event */
#define XLATE_ABORT 0x100

/* ---- queues ---- */

static unsigned q_log2(uint64_t base, unsigned max)
{
	unsigned l = base & 0x1f;
	return l > max ? max : l;
}

static uint64_t q_addr(uint64_t base)
{
	return base & ADDR_MASK & ~0x1full;
}

/* index plus wrap bit */
static uint32_t q_ptr(uint32_t v, unsigned log2)
{
	return v & ((2u << log2) - 1);
}

static void gerror_raise(smmuv3 *s, uint32_t bit)
{
	if ((s->gerror ^ s->gerrorn) & bit)
		return;		/* already active: the guest has not acked it yet */
	s->gerror ^= bit;
	if (s->irq_ctrl & IRQ_CTRL_GERROR)
		irq_pulse(&s->irq[SMMU_IRQ_GERROR]);
}

static void iotlb_flush(smmuv3 *s, bool (*match)(const smmu_iotlb_entry *e, uint64_t a, uint64_t b),
			uint64_t a, uint64_t b)
{
	for (int i = 0; i < SMMU_IOTLB_SIZE; i++)
		if (s->iotlb[i].valid && (!match || match(&s->iotlb[i], a, b)))
			s->iotlb[i].valid = false;
}

static bool match_sid(const smmu_iotlb_entry *e, uint64_t sid, uint64_t n)
{
	return e->sid >= sid && e->sid - sid < n;
}

static bool match_asid(const smmu_iotlb_entry *e, uint64_t asid, uint64_t unused)
{
	(void)unused;
	return e->asid == asid;
}

/* Executes one command; returns a CERROR_* code. */
static int cmd_exec(smmuv3 *s, const uint64_t cmd[2])
{
	uint32_t sid = (uint32_t)(cmd[0] >> 32);

	switch (cmd[0] & 0xff) {
	case 0x01: case 0x02:			/* PREFETCH_CONFIG / _ADDR: nothing cached */
		return CERROR_NONE;
	case 0x03: case 0x05:			/* CFGI_STE, CFGI_CD */
		iotlb_flush(s, match_sid, sid, 1);
		return CERROR_NONE;
	case 0x04: {				/* CFGI_STE_RANGE (CFGI_ALL: range 31) */
		unsigned range = (unsigned)(cmd[1] & 0x1f) + 1;
		if (range >= 32)
			iotlb_flush(s, NULL, 0, 0);
		else
			iotlb_flush(s, match_sid, sid & ~((1u << range) - 1), 1ull << range);
		return CERROR_NONE;
	}
	case 0x06:				/* CFGI_CD_ALL */
		iotlb_flush(s, match_sid, sid, 1);
		return CERROR_NONE;
	case 0x11: case 0x12:			/* TLBI_NH_ASID, TLBI_NH_VA (whole ASID:
						 * a block may back many cached pages) */
		iotlb_flush(s, match_asid, cmd[0] >> 48, 0);
		return CERROR_NONE;
	case 0x10: case 0x13: case 0x28: case 0x2a: case 0x30:
		/* TLBI_NH_ALL, TLBI_NH_VAA, TLBI_S12_VMALL, TLBI_S2_IPA, TLBI_NSNH_ALL */
		iotlb_flush(s, NULL, 0, 0);
		return CERROR_NONE;
	case 0x18: case 0x1a: case 0x20: case 0x21: case 0x22: case 0x23:
		/* EL3/EL2 TLBIs: no EL2/EL3 translations are cached */
	case 0x40: case 0x41: case 0x44: case 0x45:
		/* ATC_INV, PRI_RESP, RESUME, STALL_TERM: no ATS, PRI or stalls */
		return CERROR_NONE;
	case 0x46:				/* CMD_SYNC: CS = IRQ pulses cmdq-sync; SEV: nothing */
		if (((cmd[0] >> 12) & 3) == 1)
			irq_pulse(&s->irq[SMMU_IRQ_CMD_SYNC]);
		return CERROR_NONE;
	}
	return CERROR_ILL;
}

static const char *cmd_name(unsigned op)
{
	static const struct { unsigned op; const char *name; } names[] = {
		{ 0x01, "PREFETCH_CONFIG" }, { 0x02, "PREFETCH_ADDR" }, { 0x03, "CFGI_STE" },
		{ 0x04, "CFGI_STE_RANGE" }, { 0x05, "CFGI_CD" }, { 0x06, "CFGI_CD_ALL" },
		{ 0x10, "TLBI_NH_ALL" }, { 0x11, "TLBI_NH_ASID" }, { 0x12, "TLBI_NH_VA" },
		{ 0x13, "TLBI_NH_VAA" }, { 0x18, "TLBI_EL3_ALL" }, { 0x1a, "TLBI_EL3_VA" },
		{ 0x20, "TLBI_EL2_ALL" }, { 0x21, "TLBI_EL2_ASID" }, { 0x22, "TLBI_EL2_VA" },
		{ 0x23, "TLBI_EL2_VAA" }, { 0x28, "TLBI_S12_VMALL" }, { 0x2a, "TLBI_S2_IPA" },
		{ 0x30, "TLBI_NSNH_ALL" }, { 0x40, "ATC_INV" }, { 0x41, "PRI_RESP" },
		{ 0x44, "RESUME" }, { 0x45, "STALL_TERM" }, { 0x46, "CMD_SYNC" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].op == op)
			return names[i].name;
	return "unknown";
}

static bool tracing(smmuv3 *s)
{
	return s->m && trace_on(s->m->trace, TRACE_SMMU);
}

/* Runs commands from CONS to PROD; stops (CONS at the bad command, its
 * error in CONS.ERR) on an error until the guest acks GERROR.CMDQ_ERR. */
static void cmdq_consume(smmuv3 *s)
{
	unsigned log2 = q_log2(s->cmdq_base, CMDQ_LOG2_MAX);
	uint32_t mask = (2u << log2) - 1;

	if (!(s->cr0 & CR0_CMDQEN))
		return;
	while (q_ptr(s->cmdq_cons, log2) != q_ptr(s->cmdq_prod, log2)) {
		uint64_t cmd[2];
		uint32_t idx = s->cmdq_cons & ((1u << log2) - 1);
		int err;

		if ((s->gerror ^ s->gerrorn) & GERROR_CMDQ_ERR)
			return;
		if (bus_copy_from(s->bus, q_addr(s->cmdq_base) + 16ull * idx, cmd, sizeof(cmd)))
			err = CERROR_ABT;
		else
			err = cmd_exec(s, cmd);
		if (tracing(s))
			trace_emit(s->m, "smmu cmd %s (0x%02x) sid=0x%x words 0x%016llx 0x%016llx%s",
				   cmd_name(cmd[0] & 0xff), (unsigned)(cmd[0] & 0xff), (unsigned)(cmd[0] >> 32),
				   (unsigned long long)cmd[0], (unsigned long long)cmd[1],
				   err == CERROR_ILL ? " -> CERROR_ILL" : err == CERROR_ABT ? " -> CERROR_ABT" : "");
		if (err) {
			s->cmdq_cons = (s->cmdq_cons & ~CONS_ERR_MASK) | ((uint32_t)err << CONS_ERR_SHIFT);
			gerror_raise(s, GERROR_CMDQ_ERR);
			return;
		}
		s->ncmds++;
		s->cmdq_cons = (s->cmdq_cons & ~(mask | CONS_ERR_MASK)) | ((s->cmdq_cons + 1) & mask);
	}
}

static void evtq_record(smmuv3 *s, uint32_t sid, uint64_t iova, bool write, const smmu_xlate *x)
{
	unsigned log2 = q_log2(s->evtq_base, EVTQ_LOG2_MAX);
	uint32_t prod = q_ptr(s->evtq_prod, log2), cons = q_ptr(s->evtq_cons, log2);
	uint64_t rec[4];

	if (!(s->cr0 & CR0_EVTQEN))
		return;
	if ((prod ^ cons) == (1u << log2)) {		/* full: flag the overflow */
		s->evtq_prod = (s->evtq_prod & ~Q_OVF) | (~s->evtq_cons & Q_OVF);
		return;
	}
	rec[0] = (uint64_t)(x->fault & 0xff) | (uint64_t)sid << 32;
	rec[1] = write ? 0 : 1ull << 35;		/* RnW */
	if (x->fault == SMMU_EVT_F_WALK_EABT || x->fault >= SMMU_EVT_F_TRANSLATION)
		rec[1] |= 1ull << 40;			/* CLASS = TT */
	rec[2] = iova;
	rec[3] = x->fetch_addr & ADDR_MASK & ~7ull;
	if (bus_copy_to(s->bus, q_addr(s->evtq_base) + 32ull * (prod & ((1u << log2) - 1)), rec,
			sizeof(rec))) {
		gerror_raise(s, GERROR_EVTQ_ABT);
		return;
	}
	s->nevents++;
	s->evtq_prod = (s->evtq_prod & Q_OVF) | ((prod + 1) & ((2u << log2) - 1));
	if (s->irq_ctrl & IRQ_CTRL_EVTQ)
		irq_pulse(&s->irq[SMMU_IRQ_EVTQ]);
}

/* ---- translation ---- */

static int fault(smmu_xlate *x, int ev, const char *fmt, ...) KWB_PRINTF(3, 4);
static int fault(smmu_xlate *x, int ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	x->fault = ev;
	return ev;
}

int smmu_ste_addr(smmuv3 *s, uint32_t sid, uint64_t *addr, char *why, size_t len)
{
	uint32_t cfg = s->strtab_base_cfg;
	unsigned log2 = cfg & 0x3f, split = (cfg >> 6) & 0x1f, fmt = (cfg >> 16) & 3;
	uint64_t base = s->strtab_base & ADDR_MASK & ~0x3full, l1;

	if (log2 > SIDSIZE)
		log2 = SIDSIZE;
	if (sid >> log2) {
		snprintf(why, len, "SID 0x%x outside the stream table (LOG2SIZE %u)", sid, log2);
		return SMMU_EVT_C_BAD_STREAMID;
	}
	if (fmt == 0) {
		*addr = base + 64ull * sid;
		return 0;
	}
	if (fmt != 1 || (split != 6 && split != 8 && split != 10)) {
		snprintf(why, len, "STRTAB_BASE_CFG 0x%x: bad FMT %u / SPLIT %u", cfg, fmt, split);
		return SMMU_EVT_C_BAD_STREAMID;
	}
	if (split > log2)
		split = log2;
	*addr = base + 8ull * (sid >> split);
	if (bus_copy_from(s->bus, *addr, &l1, 8)) {
		snprintf(why, len, "L1 stream table descriptor at 0x%llx not in RAM",
			 (unsigned long long)*addr);
		return SMMU_EVT_F_STE_FETCH;
	}
	if ((l1 & 0x1f) == 0 || (sid & ((1u << split) - 1)) >= (1u << ((l1 & 0x1f) - 1))) {
		snprintf(why, len, "L1 descriptor 0x%llx (SPAN %u) does not cover SID 0x%x",
			 (unsigned long long)l1, (unsigned)(l1 & 0x1f), sid);
		return SMMU_EVT_C_BAD_STREAMID;
	}
	*addr = (l1 & ADDR_MASK & ~0x3full) + 64ull * (sid & ((1u << split) - 1));
	return 0;
}

static unsigned ips_bits(unsigned ips)
{
	static const unsigned bits[8] = { 32, 36, 40, 42, 44, 48, 52, 52 };
	return bits[ips & 7] < OAS_BITS ? bits[ips & 7] : OAS_BITS;
}

/* Stage-1 walk of an AArch64 CD. */
static int walk(smmuv3 *s, const uint64_t cd[8], uint64_t iova, bool write, smmu_xlate *x)
{
	uint64_t cd0 = cd[0];
	unsigned t0sz = cd0 & 0x3f, tg0 = (cd0 >> 6) & 3, g, stride, ia, oas, level;
	uint64_t table = cd[1] & ADDR_MASK & ~0xfull, va = iova;

	if ((cd0 >> 38) & 1)				/* TBI0 */
		va &= 0x00ffffffffffffffull;
	if (t0sz < 16)
		t0sz = 16;
	if (t0sz > 39)
		t0sz = 39;
	ia = 64 - t0sz;
	if (va >> ia)
		return fault(x, SMMU_EVT_F_TRANSLATION, "IOVA 0x%llx above the %u-bit TTB0 range",
			     (unsigned long long)iova, ia);
	if ((cd0 >> 14) & 1)
		return fault(x, SMMU_EVT_F_TRANSLATION, "CD.EPD0: TTB0 walks disabled");
	switch (tg0) {
	case 0: g = 12; break;
	case 1: g = 16; break;
	case 2: g = 14; break;
	default: return fault(x, SMMU_EVT_C_BAD_CD, "CD.TG0 = 3 is reserved");
	}
	stride = g - 3;
	oas = ips_bits((unsigned)(cd0 >> 32) & 7);
	level = 4 - (ia - g + stride - 1) / stride;
	for (;;) {
		unsigned shift = g + (3 - level) * stride;
		unsigned bits = ia - shift < stride ? ia - shift : stride;
		uint64_t desc_pa = table + 8 * ((va >> shift) & ((1ull << bits) - 1)), desc, out;
		uint64_t oa_mask = ADDR_MASK & ((1ull << 48) - 1) & ~((1ull << g) - 1);
		unsigned ap;

		if (bus_copy_from(s->bus, desc_pa, &desc, 8)) {
			x->fetch_addr = desc_pa;
			return fault(x, SMMU_EVT_F_WALK_EABT, "level %u table entry at 0x%llx not in RAM",
				     level, (unsigned long long)desc_pa);
		}
		if (x->nsteps < (int)ARRAY_SIZE(x->steps))
			x->steps[x->nsteps++] = (smmu_walk_step){ level, table, desc_pa, desc };
		if (!(desc & 1))
			return fault(x, SMMU_EVT_F_TRANSLATION, "level %u descriptor 0x%llx invalid",
				     level, (unsigned long long)desc);
		if (level < 3 && (desc & 2)) {
			table = desc & oa_mask;
			if (table >> oas)
				return fault(x, SMMU_EVT_F_ADDR_SIZE, "level %u table at 0x%llx beyond %u-bit OAS",
					     level, (unsigned long long)table, oas);
			level++;
			continue;
		}
		if (level == 3 ? !(desc & 2) : (level == 0 || (g != 12 && level == 1)))
			return fault(x, SMMU_EVT_F_TRANSLATION, "level %u descriptor 0x%llx: reserved type",
				     level, (unsigned long long)desc);
		out = desc & oa_mask & ~((1ull << shift) - 1);
		if (out >> oas)
			return fault(x, SMMU_EVT_F_ADDR_SIZE, "output 0x%llx beyond %u-bit OAS",
				     (unsigned long long)out, oas);
		if (!((desc >> 10) & 1))
			return fault(x, SMMU_EVT_F_ACCESS, "level %u descriptor 0x%llx: AF clear",
				     level, (unsigned long long)desc);
		ap = (desc >> 6) & 3;
		if (!(ap & 1))
			return fault(x, SMMU_EVT_F_PERMISSION, "AP=%u: privileged-only, DMA is unprivileged", ap);
		if (write && (ap & 2))
			return fault(x, SMMU_EVT_F_PERMISSION, "AP=%u: read-only, write denied", ap);
		x->pa = out | (va & ((1ull << shift) - 1));
		x->len = (1ull << shift) - (va & ((1ull << shift) - 1));
		x->writable = !(ap & 2);
		return 0;
	}
}

static int translate(smmuv3 *s, uint32_t sid, uint64_t iova, bool write, smmu_xlate *x, uint16_t *asid)
{
	uint64_t ste[8], cd[8], ste_pa, cd_pa;
	unsigned config, cdmax, s1fmt;
	int ev;

	if (!(s->cr0 & CR0_SMMUEN)) {
		if (s->gbpa & GBPA_ABORT)
			return fault(x, XLATE_ABORT, "SMMUEN clear and GBPA.ABORT set");
		goto bypass;
	}
	ev = smmu_ste_addr(s, sid, &ste_pa, x->why, sizeof(x->why));
	if (ev) {
		x->fetch_addr = ste_pa;
		return x->fault = ev;
	}
	if (bus_copy_from(s->bus, ste_pa, ste, sizeof(ste))) {
		x->fetch_addr = ste_pa;
		return fault(x, SMMU_EVT_F_STE_FETCH, "STE at 0x%llx not in RAM", (unsigned long long)ste_pa);
	}
	if (!(ste[0] & 1))
		return fault(x, SMMU_EVT_C_BAD_STE, "STE at 0x%llx not valid", (unsigned long long)ste_pa);
	config = (ste[0] >> 1) & 7;
	if (config == 0)
		return fault(x, XLATE_ABORT, "STE.Config = abort");
	if (config == 4)
		goto bypass;
	if (config != 5)
		return fault(x, SMMU_EVT_C_BAD_STE, "STE.Config = %u (only abort, bypass, S1)", config);
	cdmax = (ste[0] >> 59) & 0x1f;
	s1fmt = (ste[0] >> 4) & 3;
	cd_pa = ste[0] & ADDR_MASK & ~0x3full;
	if (cdmax && (ste[1] & 3) == 1)			/* S1DSS = bypass for no-SSID traffic */
		goto bypass;
	if (cdmax && s1fmt) {				/* 2-level CD table: L1 entry 0 */
		uint64_t l1;
		if (bus_copy_from(s->bus, cd_pa, &l1, 8)) {
			x->fetch_addr = cd_pa;
			return fault(x, SMMU_EVT_F_CD_FETCH, "L1 CD descriptor at 0x%llx not in RAM",
				     (unsigned long long)cd_pa);
		}
		if (!(l1 & 1))
			return fault(x, SMMU_EVT_C_BAD_SUBSTREAMID, "L1 CD descriptor 0 not valid");
		cd_pa = l1 & ADDR_MASK & ~0xfffull;
	}
	if (bus_copy_from(s->bus, cd_pa, cd, sizeof(cd))) {
		x->fetch_addr = cd_pa;
		return fault(x, SMMU_EVT_F_CD_FETCH, "CD at 0x%llx not in RAM", (unsigned long long)cd_pa);
	}
	if (!((cd[0] >> 31) & 1))
		return fault(x, SMMU_EVT_C_BAD_CD, "CD at 0x%llx not valid", (unsigned long long)cd_pa);
	if (!((cd[0] >> 41) & 1))
		return fault(x, SMMU_EVT_C_BAD_CD, "CD.AA64 clear: AArch32 tables not supported");
	*asid = (uint16_t)(cd[0] >> 48);
	return walk(s, cd, iova, write, x);
bypass:
	x->pa = iova;
	x->len = 0x1000 - (iova & 0xfff);
	x->writable = true;
	return 0;
}

int smmu_translate(smmuv3 *s, uint32_t sid, uint64_t iova, bool write, bool record, smmu_xlate *x)
{
	unsigned slot = (unsigned)((sid * 0x9e37u) ^ (iova >> 12)) % SMMU_IOTLB_SIZE;
	smmu_iotlb_entry *e = &s->iotlb[slot];
	uint16_t asid = 0;

	memset(x, 0, sizeof(*x));
	if (record) {
		s->ntranslations++;
		/* Entries only serve while the SMMU translates: with SMMUEN
		 * clear GBPA decides (and the IOTLB is empty, see CR0). */
		if ((s->cr0 & CR0_SMMUEN) && e->valid && e->sid == sid && e->iova_page == iova >> 12 &&
		    (e->writable || !write)) {
			s->niotlb_hits++;
			x->pa = e->pa_page << 12 | (iova & 0xfff);
			x->len = 0x1000 - (iova & 0xfff);
			x->writable = e->writable;
			if (tracing(s))
				trace_emit(s->m, "smmu xlate sid=0x%x iova=0x%llx %s -> pa=0x%llx (iotlb)", sid,
					   (unsigned long long)iova, write ? "write" : "read",
					   (unsigned long long)x->pa);
			return 0;
		}
	}
	if (translate(s, sid, iova, write, x, &asid)) {
		if (record && tracing(s))
			trace_emit(s->m, "smmu fault sid=0x%x iova=0x%llx %s: event 0x%02x %s", sid,
				   (unsigned long long)iova, write ? "write" : "read", x->fault & 0xff, x->why);
		if (record) {
			s->nfaults++;
			if (x->fault != XLATE_ABORT)
				evtq_record(s, sid, iova, write, x);
		}
		return x->fault;
	}
	if (record && tracing(s))
		trace_emit(s->m, "smmu xlate sid=0x%x iova=0x%llx %s -> pa=0x%llx (walk, asid %u)", sid,
			   (unsigned long long)iova, write ? "write" : "read", (unsigned long long)x->pa, asid);
	if (record && (s->cr0 & CR0_SMMUEN))
		*e = (smmu_iotlb_entry){ .valid = true, .sid = sid, .asid = asid,
					 .iova_page = iova >> 12, .pa_page = x->pa >> 12,
					 .writable = x->writable };
	return 0;
}

static int dma(smmuv3 *s, bus *b, uint32_t sid, uint64_t iova, void *buf, uint64_t len, bool write)
{
	uint8_t *p = buf;

	if (!s)
		return (write ? bus_copy_to(b, iova, p, len) : bus_copy_from(b, iova, p, len)) ? -1 : 0;
	while (len) {
		smmu_xlate x;
		uint64_t n;

		if (smmu_translate(s, sid, iova, write, true, &x))
			return -1;
		n = len < x.len ? len : x.len;
		if (write ? bus_copy_to(b, x.pa, p, n) : bus_copy_from(b, x.pa, p, n))
			return -1;
		p += n;
		iova += n;
		len -= n;
	}
	return 0;
}

int smmu_dma_read(smmuv3 *s, bus *b, uint32_t sid, uint64_t iova, void *buf, uint64_t len)
{
	return dma(s, b, sid, iova, buf, len, false);
}

int smmu_dma_write(smmuv3 *s, bus *b, uint32_t sid, uint64_t iova, const void *buf, uint64_t len)
{
	return dma(s, b, sid, iova, (void *)buf, len, true);
}

/* ---- registers ---- */

static uint32_t lo(uint64_t v) { return (uint32_t)v; }
static uint32_t hi(uint64_t v) { return (uint32_t)(v >> 32); }
static void set_half(uint64_t *r, unsigned off, uint32_t v)
{
	if (off & 4)
		*r = (*r & 0xffffffffull) | (uint64_t)v << 32;
	else
		*r = (*r & ~0xffffffffull) | v;
}

static uint32_t reg_read(smmuv3 *s, unsigned off)
{
	if (off <= IDR5)
		return s->idr[off / 4];
	switch (off) {
	case IIDR: return s->iidr;
	case AIDR: return s->aidr;
	case CR0: case CR0ACK: return s->cr0;
	case CR1: return s->cr1;
	case CR2: return s->cr2;
	case GBPA: return s->gbpa;
	case IRQ_CTRL: case IRQ_CTRLACK: return s->irq_ctrl;
	case GERROR: return s->gerror;
	case GERRORN: return s->gerrorn;
	case GERROR_IRQ_CFG0: case GERROR_IRQ_CFG0 + 4:
		return off & 4 ? hi(s->gerror_irq_cfg0) : lo(s->gerror_irq_cfg0);
	case GERROR_IRQ_CFG1: return s->gerror_irq_cfg1;
	case GERROR_IRQ_CFG2: return s->gerror_irq_cfg2;
	case STRTAB_BASE: case STRTAB_BASE + 4:
		return off & 4 ? hi(s->strtab_base) : lo(s->strtab_base);
	case STRTAB_BASE_CFG: return s->strtab_base_cfg;
	case CMDQ_BASE: case CMDQ_BASE + 4: return off & 4 ? hi(s->cmdq_base) : lo(s->cmdq_base);
	case CMDQ_PROD: return s->cmdq_prod;
	case CMDQ_CONS: return s->cmdq_cons;
	case EVTQ_BASE: case EVTQ_BASE + 4: return off & 4 ? hi(s->evtq_base) : lo(s->evtq_base);
	case EVTQ_PROD: return s->evtq_prod;
	case EVTQ_CONS: return s->evtq_cons;
	case EVTQ_IRQ_CFG0: case EVTQ_IRQ_CFG0 + 4:
		return off & 4 ? hi(s->evtq_irq_cfg0) : lo(s->evtq_irq_cfg0);
	case EVTQ_IRQ_CFG1: return s->evtq_irq_cfg1;
	case EVTQ_IRQ_CFG2: return s->evtq_irq_cfg2;
	case PRIQ_BASE: case PRIQ_BASE + 4: return off & 4 ? hi(s->priq_base) : lo(s->priq_base);
	case PRIQ_PROD: return s->priq_prod;
	case PRIQ_CONS: return s->priq_cons;
	case PRIQ_IRQ_CFG0: case PRIQ_IRQ_CFG0 + 4:
		return off & 4 ? hi(s->priq_irq_cfg0) : lo(s->priq_irq_cfg0);
	case PRIQ_IRQ_CFG1: return s->priq_irq_cfg1;
	case PRIQ_IRQ_CFG2: return s->priq_irq_cfg2;
	}
	return 0;
}

static void reg_write(smmuv3 *s, unsigned off, uint32_t v)
{
	switch (off) {
	case CR0:
		if ((s->cr0 ^ v) & CR0_SMMUEN) {
			if (s->m)
				trace_dev(s->m, "smmuv3", "%s (CR0 0x%x)", v & CR0_SMMUEN ? "enabled" : "disabled", v);
			iotlb_flush(s, NULL, 0, 0);	/* no entry outlives a change of SMMUEN */
		}
		s->cr0 = v & CR0_MASK;
		cmdq_consume(s);
		break;
	case CR1: s->cr1 = v; break;
	case CR2: s->cr2 = v; break;
	case GBPA:
		if (v & GBPA_UPDATE)		/* takes effect at once: UPDATE reads 0 */
			s->gbpa = v & ~GBPA_UPDATE;
		break;
	case IRQ_CTRL: s->irq_ctrl = v & 7; break;
	case GERRORN:
		s->gerrorn = v;
		cmdq_consume(s);
		break;
	case GERROR_IRQ_CFG0: case GERROR_IRQ_CFG0 + 4: set_half(&s->gerror_irq_cfg0, off, v); break;
	case GERROR_IRQ_CFG1: s->gerror_irq_cfg1 = v; break;
	case GERROR_IRQ_CFG2: s->gerror_irq_cfg2 = v; break;
	case STRTAB_BASE: case STRTAB_BASE + 4: set_half(&s->strtab_base, off, v); break;
	case STRTAB_BASE_CFG: s->strtab_base_cfg = v & 0x307ff; break;
	case CMDQ_BASE: case CMDQ_BASE + 4: set_half(&s->cmdq_base, off, v); break;
	case CMDQ_PROD:
		s->cmdq_prod = v & 0xfffff;
		cmdq_consume(s);
		break;
	case CMDQ_CONS: s->cmdq_cons = v & (0xfffff | CONS_ERR_MASK); break;
	case EVTQ_BASE: case EVTQ_BASE + 4: set_half(&s->evtq_base, off, v); break;
	case EVTQ_PROD: s->evtq_prod = v & (0xfffff | Q_OVF); break;
	case EVTQ_CONS: s->evtq_cons = v & (0xfffff | Q_OVF); break;
	case EVTQ_IRQ_CFG0: case EVTQ_IRQ_CFG0 + 4: set_half(&s->evtq_irq_cfg0, off, v); break;
	case EVTQ_IRQ_CFG1: s->evtq_irq_cfg1 = v; break;
	case EVTQ_IRQ_CFG2: s->evtq_irq_cfg2 = v; break;
	case PRIQ_BASE: case PRIQ_BASE + 4: set_half(&s->priq_base, off, v); break;
	case PRIQ_PROD: s->priq_prod = v; break;
	case PRIQ_CONS: s->priq_cons = v; break;
	case PRIQ_IRQ_CFG0: case PRIQ_IRQ_CFG0 + 4: set_half(&s->priq_irq_cfg0, off, v); break;
	case PRIQ_IRQ_CFG1: s->priq_irq_cfg1 = v; break;
	case PRIQ_IRQ_CFG2: s->priq_irq_cfg2 = v; break;
	}
}

/* Page 1 aliases page 0 (EVTQ_PROD/CONS at 0x100a8/0x100ac). Only 4- and
 * 8-byte accesses: others read 0 and are ignored, as QEMU. */
static uint64_t smmu_read(void *opaque, uint64_t off, unsigned size)
{
	unsigned o = (unsigned)off & 0xffff;

	if (size == 8 && !(o & 7))
		return reg_read(opaque, o) | (uint64_t)reg_read(opaque, o + 4) << 32;
	if (size == 4 && !(o & 3))
		return reg_read(opaque, o);
	return 0;
}

static void smmu_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	unsigned o = (unsigned)off & 0xffff;

	if (size == 8 && !(o & 7)) {
		reg_write(opaque, o, (uint32_t)v);
		reg_write(opaque, o + 4, (uint32_t)(v >> 32));
	} else if (size == 4 && !(o & 3)) {
		reg_write(opaque, o, (uint32_t)v);
	}
}

static bool smmu_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	*v = smmu_read(opaque, off, size);	/* reads have no side effects */
	return true;
}

static const char *smmu_reg_name(void *opaque, uint64_t off)
{
	static const struct { unsigned off; const char *name; } names[] = {
		{ IDR0, "IDR0" }, { IDR1, "IDR1" }, { IDR2, "IDR2" }, { IDR3, "IDR3" }, { IDR4, "IDR4" },
		{ IDR5, "IDR5" }, { IIDR, "IIDR" }, { AIDR, "AIDR" }, { CR0, "CR0" }, { CR0ACK, "CR0ACK" },
		{ CR1, "CR1" }, { CR2, "CR2" }, { STATUSR, "STATUSR" }, { GBPA, "GBPA" }, { AGBPA, "AGBPA" },
		{ IRQ_CTRL, "IRQ_CTRL" }, { IRQ_CTRLACK, "IRQ_CTRLACK" }, { GERROR, "GERROR" },
		{ GERRORN, "GERRORN" }, { GERROR_IRQ_CFG0, "GERROR_IRQ_CFG0" },
		{ GERROR_IRQ_CFG1, "GERROR_IRQ_CFG1" }, { GERROR_IRQ_CFG2, "GERROR_IRQ_CFG2" },
		{ STRTAB_BASE, "STRTAB_BASE" }, { STRTAB_BASE_CFG, "STRTAB_BASE_CFG" },
		{ CMDQ_BASE, "CMDQ_BASE" }, { CMDQ_PROD, "CMDQ_PROD" }, { CMDQ_CONS, "CMDQ_CONS" },
		{ EVTQ_BASE, "EVTQ_BASE" }, { EVTQ_PROD, "EVTQ_PROD" }, { EVTQ_CONS, "EVTQ_CONS" },
		{ EVTQ_IRQ_CFG0, "EVTQ_IRQ_CFG0" }, { EVTQ_IRQ_CFG1, "EVTQ_IRQ_CFG1" },
		{ EVTQ_IRQ_CFG2, "EVTQ_IRQ_CFG2" }, { PRIQ_BASE, "PRIQ_BASE" }, { PRIQ_PROD, "PRIQ_PROD" },
		{ PRIQ_CONS, "PRIQ_CONS" }, { PRIQ_IRQ_CFG0, "PRIQ_IRQ_CFG0" },
	};
	(void)opaque;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].off == (off & 0xffff))
			return names[i].name;
	return NULL;
}

const mmio_ops smmuv3_ops = {
	.read = smmu_read, .write = smmu_write, .peek = smmu_peek, .reg_name = smmu_reg_name,
};

void smmuv3_reset(smmuv3 *s)
{
	bus *b = s->bus;
	irq_line irq[4];

	struct machine *m = s->m;

	memcpy(irq, s->irq, sizeof(irq));
	memset(s, 0, sizeof(*s));
	s->bus = b;
	s->m = m;
	memcpy(s->irq, irq, sizeof(irq));
	/* S1P | TTF=AArch64 | COHACC | ASID16 | VMID16 | TTENDIAN=LE | STALL_MODEL=1 | ST_LVL=2-level */
	s->idr[0] = 1u << 1 | 2u << 2 | 1u << 4 | 1u << 12 | 1u << 18 | 2u << 21 | 1u << 24 | 1u << 27;
	s->idr[1] = CMDQ_LOG2_MAX << 21 | EVTQ_LOG2_MAX << 16 | SIDSIZE;
	s->idr[5] = 1u << 4 | 1u << 5 | 1u << 6 | 4;	/* GRAN4K/16K/64K, OAS 44 bits */
	s->aidr = 1;					/* SMMUv3.1 */
}

smmuv3 *smmuv3_new(bus *b, const irq_line irq[4])
{
	smmuv3 *s = kwb_zalloc(sizeof(*s));

	s->bus = b;
	memcpy(s->irq, irq, sizeof(s->irq));
	smmuv3_reset(s);
	return s;
}

void smmuv3_free(smmuv3 *s)
{
	free(s);
}

/* ---- the "smmuv3" board device ---- */

static void *smmu_dev_create(machine *m, const board_device *d)
{
	irq_line irq[4] = { { 0 } };
	smmuv3 *s;

	for (int i = 0; i < d->nirqs && i < 4; i++)
		irq[i] = machine_irq(m, d->irqs[i]);
	s = smmuv3_new(&m->bus, irq);
	s->m = m;
	bus_add_mmio(&m->bus, d->name, d->base, d->size, &smmuv3_ops, s);
	return s;
}

static int smmu_dev_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	uint32_t intr[12];
	int node = fdtu_node_at(fdt, parent, d->name, d->base);

	(void)m; (void)state;
	for (int i = 0; i < 4; i++) {
		intr[3 * i] = 0;			/* SPI */
		intr[3 * i + 1] = (uint32_t)d->irqs[i];
		intr[3 * i + 2] = 1;			/* edge-rising */
	}
	fdtu_string(fdt, node, "compatible", "arm,smmu-v3");
	fdtu_reg(fdt, node, d->base, d->size);
	fdtu_cells(fdt, node, "interrupts", intr, 12);
	fdtu_strings(fdt, node, "interrupt-names", "eventq", "priq", "cmdq-sync", "gerror", NULL);
	fdtu_empty(fdt, node, "dma-coherent");
	fdtu_u32(fdt, node, "#iommu-cells", 1);
	fdtu_phandle(fdt, node);
	return node;
}

static void smmu_dev_reset(void *state)
{
	smmuv3_reset(state);
}

static void smmu_dev_free(void *state)
{
	smmuv3_free(state);
}

/* The IOTLB is guest-visible (a translation the guest forgot to
 * invalidate stays in use), so it is saved; the ID registers are
 * configuration; the counters serve `monitor smmu`. */
static const state_field iotlb_fields[] = {
	ST_BOOL(smmu_iotlb_entry, valid),
	ST_U32(smmu_iotlb_entry, sid),
	ST_U16(smmu_iotlb_entry, asid),
	ST_U64(smmu_iotlb_entry, iova_page),
	ST_U64(smmu_iotlb_entry, pa_page),
	ST_BOOL(smmu_iotlb_entry, writable),
	ST_END
};
static const state_desc iotlb_state = { .name = "smmu-iotlb-entry", .version = 1, .fields = iotlb_fields };

static const state_field smmu_fields[] = {
	ST_U32(smmuv3, cr0),
	ST_U32(smmuv3, cr1),
	ST_U32(smmuv3, cr2),
	ST_U32(smmuv3, gbpa),
	ST_U32(smmuv3, irq_ctrl),
	ST_U32(smmuv3, gerror),
	ST_U32(smmuv3, gerrorn),
	ST_U64(smmuv3, gerror_irq_cfg0),
	ST_U64(smmuv3, evtq_irq_cfg0),
	ST_U64(smmuv3, priq_irq_cfg0),
	ST_U32(smmuv3, gerror_irq_cfg1),
	ST_U32(smmuv3, gerror_irq_cfg2),
	ST_U32(smmuv3, evtq_irq_cfg1),
	ST_U32(smmuv3, evtq_irq_cfg2),
	ST_U32(smmuv3, priq_irq_cfg1),
	ST_U32(smmuv3, priq_irq_cfg2),
	ST_U64(smmuv3, strtab_base),
	ST_U32(smmuv3, strtab_base_cfg),
	ST_U64(smmuv3, cmdq_base),
	ST_U64(smmuv3, evtq_base),
	ST_U64(smmuv3, priq_base),
	ST_U32(smmuv3, cmdq_prod),
	ST_U32(smmuv3, cmdq_cons),
	ST_U32(smmuv3, evtq_prod),
	ST_U32(smmuv3, evtq_cons),
	ST_U32(smmuv3, priq_prod),
	ST_U32(smmuv3, priq_cons),
	ST_STRUCT_ARRAY(smmuv3, iotlb, iotlb_state),
	ST_UINT_DEC(smmuv3, ncmds),
	ST_UINT_DEC(smmuv3, nevents),
	ST_UINT_DEC(smmuv3, ntranslations),
	ST_UINT_DEC(smmuv3, niotlb_hits),
	ST_UINT_DEC(smmuv3, nfaults),
	ST_END
};
static const state_desc smmu_state = { .name = "smmuv3", .version = 1, .fields = smmu_fields,
				       .info = smmuv3_info };

DEVICE_TYPE(smmuv3_type) {
	.name = "smmuv3",
	.create = smmu_dev_create,
	.fdt = smmu_dev_fdt,
	.reset = smmu_dev_reset,
	.free = smmu_dev_free,
	.state = &smmu_state,
};
