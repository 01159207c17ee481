/* SMMUv3: registers, command queue (sync IRQ, illegal command stall and
 * GERRORN ack), and translation with hand-built stream tables, CDs and
 * stage-1 page tables in RAM (linear and 2-level tables; 4K/16K/64K
 * granules; blocks; permission, translation and fetch faults as events;
 * IOTLB invalidation by TLBI). */
#include <string.h>

#include <stdlib.h>

#include "check.h"
#include "../../core/devices/smmuv3.h"
#include "../../core/machine.h"
#include "../../core/monitor.h"

#define RAM 0x40000000ull
#define RAM_SIZE (16ull << 20)
#define CMDQ (RAM + 0x1000)
#define EVTQ (RAM + 0x2000)
#define STRTAB (RAM + 0x10000)
#define L2STRTAB (RAM + 0x18000)
#define CDS (RAM + 0x20000)
#define TABLES (RAM + 0x100000)
#define DATA (RAM + 0x800000)

enum {
	CR0 = 0x20, CR0ACK = 0x24, GBPA = 0x44, IRQ_CTRL = 0x50, IRQ_CTRLACK = 0x54, GERROR = 0x60,
	GERRORN = 0x64, STRTAB_BASE = 0x80, STRTAB_BASE_CFG = 0x88, CMDQ_BASE = 0x90,
	CMDQ_PROD = 0x98, CMDQ_CONS = 0x9c, EVTQ_BASE = 0xa0, EVTQ_PROD = 0x100a8, EVTQ_CONS = 0x100ac,
};

static int pulses[4];
static bus own_bus, *bp = &own_bus;
static smmuv3 *s;
static uint64_t next_table;
static uint32_t cmd_prod;

static void set_irq(void *opaque, int n, int level)
{
	(void)opaque;
	if (level)
		pulses[n]++;
}

static uint64_t rd(uint64_t off, unsigned size) { return smmuv3_ops.read(s, off, size); }
static void wr(uint64_t off, uint64_t v, unsigned size) { smmuv3_ops.write(s, off, v, size); }

static void put64(uint64_t pa, uint64_t v) { bus_copy_to(bp, pa, &v, 8); }
static uint64_t get64(uint64_t pa) { uint64_t v = 0; bus_copy_from(bp, pa, &v, 8); return v; }

static void setup(void)
{
	irq_line irq[4];

	if (s)
		smmuv3_free(s);
	bus_free(bp);
	memset(bp, 0, sizeof(*bp));
	bus_add_ram(bp, "ram", RAM, RAM_SIZE);
	for (int i = 0; i < 4; i++) {
		irq[i] = (irq_line){ .set = set_irq, .n = i };
		pulses[i] = 0;
	}
	s = smmuv3_new(bp, irq);
	next_table = TABLES;
	cmd_prod = 0;
	wr(STRTAB_BASE, STRTAB | 1ull << 62, 8);
	wr(STRTAB_BASE_CFG, 8, 4);			/* linear, 256 StreamIDs */
	wr(CMDQ_BASE, CMDQ | 8, 8);
	wr(EVTQ_BASE, EVTQ | 7, 8);
	wr(IRQ_CTRL, 5, 4);
	wr(CR0, 0xd, 4);
}

static void cmd(uint64_t c0, uint64_t c1)
{
	put64(CMDQ + 16 * (cmd_prod & 0xff), c0);
	put64(CMDQ + 16 * (cmd_prod & 0xff) + 8, c1);
	cmd_prod = (cmd_prod + 1) & 0x1ff;
	wr(CMDQ_PROD, cmd_prod, 4);
}

/* Stage-1 tables for granule g (12/14/16 bits) and an ia-bit IOVA space. */
static uint64_t new_table(void)
{
	uint64_t t = next_table;
	next_table += 1ull << 16;	/* 64K: aligned for every granule */
	return t;
}

static void map(uint64_t ttb, unsigned g, unsigned ia, uint64_t iova, uint64_t pa, int leaf_level,
		unsigned ap)
{
	unsigned stride = g - 3, level = 4 - (ia - g + stride - 1) / stride;
	uint64_t table = ttb;

	for (;; level++) {
		unsigned shift = g + (3 - level) * stride;
		unsigned bits = ia - shift < stride ? ia - shift : stride;
		uint64_t e = table + 8 * ((iova >> shift) & ((1ull << bits) - 1)), d;

		if ((int)level == leaf_level) {
			put64(e, pa | (level == 3 ? 3 : 1) | 1ull << 10 | (uint64_t)ap << 6);
			return;
		}
		d = get64(e);
		if (!(d & 1)) {
			d = new_table() | 3;
			put64(e, d);
		}
		table = d & 0x0000fffffffff000ull & ~((1ull << g) - 1);
	}
}

/* STE sid -> CD (ASID asid, TTB0 ttb, granule tg0, t0sz) at CDS + 64*sid */
static void s1_stream(uint64_t ste, uint32_t sid, uint16_t asid, uint64_t ttb, unsigned tg0, unsigned t0sz)
{
	uint64_t cd = CDS + 64 * sid;

	put64(ste, (cd & ~0x3full) | 5 << 1 | 1);
	put64(ste + 8, 2);				/* S1DSS = SSID0 */
	put64(cd, (uint64_t)asid << 48 | 1ull << 41 | 5ull << 32 | 1ull << 31 | 1ull << 30 |
		  (uint64_t)tg0 << 6 | t0sz);		/* V AA64 IPS=48 EPD1 */
	put64(cd + 8, ttb);
}

static uint32_t events(void)
{
	return (uint32_t)(rd(EVTQ_PROD, 4) - rd(EVTQ_CONS, 4)) & 0xff;
}

static uint64_t event_word(unsigned n, unsigned w)
{
	return get64(EVTQ + 32 * n + 8 * w);
}

static void test_registers(void)
{
	setup();
	CHECK_EQ(rd(0x00, 4), 0x0944101a);		/* S1P TTF COHACC ASID16 VMID16 TTENDIAN STALL ST_LVL */
	CHECK_EQ(rd(0x04, 4), 0x01070010);		/* CMDQS 8 EVTQS 7 SIDSIZE 16 */
	CHECK_EQ(rd(0x0c, 4), 0);
	CHECK_EQ(rd(0x14, 4), 0x74);			/* GRAN4K/16K/64K, OAS 44 */
	CHECK_EQ(rd(0x1c, 4), 1);
	CHECK_EQ(rd(CR0ACK, 4), 0xd);
	CHECK_EQ(rd(IRQ_CTRLACK, 4), 5);
	CHECK_EQ(rd(STRTAB_BASE, 8), STRTAB | 1ull << 62);
	CHECK_EQ(rd(STRTAB_BASE + 4, 4), (STRTAB | 1ull << 62) >> 32);
	wr(GBPA, 1u << 20, 4);				/* without UPDATE: ignored */
	CHECK_EQ(rd(GBPA, 4), 0);
	wr(GBPA, 1u << 31 | 1u << 20, 4);
	CHECK_EQ(rd(GBPA, 4), 1u << 20);		/* completes at once */
	wr(EVTQ_PROD - 0x10000, 3, 4);			/* page 1 aliases page 0 */
	CHECK_EQ(rd(EVTQ_PROD, 4), 3);
	CHECK_EQ(rd(0x02, 2), 0);			/* 2-byte accesses: RAZ */
}

static void test_cmdq(void)
{
	setup();
	cmd(0x04, 31);					/* CFGI_ALL */
	cmd(0x46 | 2 << 12, 0);				/* CMD_SYNC, CS = SEV */
	CHECK_EQ(rd(CMDQ_CONS, 4), 2);
	CHECK_EQ(pulses[SMMU_IRQ_CMD_SYNC], 0);
	cmd(0x46 | 1 << 12, 0);				/* CS = IRQ */
	CHECK_EQ(pulses[SMMU_IRQ_CMD_SYNC], 1);
	cmd(0x30, 0);					/* TLBI_NSNH_ALL */
	cmd(0x7f, 0);					/* illegal */
	cmd(0x46, 0);
	CHECK_EQ(rd(CMDQ_CONS, 4), 4 | 1 << 24);	/* stopped at it, ERR = ILL */
	CHECK_EQ(rd(GERROR, 4) ^ rd(GERRORN, 4), 1);	/* CMDQ_ERR active */
	CHECK_EQ(pulses[SMMU_IRQ_GERROR], 1);
	cmd(0x46, 0);					/* still stalled */
	CHECK_EQ(rd(CMDQ_CONS, 4) & 0xffff, 4);
	put64(CMDQ + 16 * 4, 0x46);			/* the driver turns it into a SYNC */
	wr(GERRORN, rd(GERROR, 4), 4);			/* ... and acks */
	CHECK_EQ(rd(CMDQ_CONS, 4), 7);			/* resumed, ERR cleared */
	/* wrap: 256 entries, the wrap bit flips */
	for (int i = 0; i < 300; i++)
		cmd(0x46, 0);
	CHECK_EQ(rd(CMDQ_CONS, 4), cmd_prod);
	CHECK_EQ(cmd_prod & 0x100, 0x100);
	/* a command queue outside RAM: CERROR_ABT */
	setup();
	wr(CMDQ_BASE, 0x1000 | 8, 8);
	wr(CMDQ_PROD, 1, 4);
	CHECK_EQ(rd(CMDQ_CONS, 4), 2u << 24);
}

static void test_translate_4k(void)
{
	uint64_t ttb, pa;
	uint8_t buf[8192], out[8192];
	smmu_xlate x;

	setup();
	ttb = new_table();
	s1_stream(STRTAB + 64 * 8, 8, 1, ttb, 0, 16);
	map(ttb, 12, 48, 0xfffff000, DATA, 3, 1);		/* RW, unprivileged */
	map(ttb, 12, 48, 0xffffe000, DATA + 0x5000, 3, 1);
	map(ttb, 12, 48, 0x1000, DATA + 0x7000, 3, 3);		/* read-only */
	map(ttb, 12, 48, 0x40000000, DATA + 0x200000, 2, 1);	/* 2 MB block */
	map(ttb, 12, 48, 0x2000, DATA + 0x9000, 3, 0);		/* privileged only */
	CHECK_EQ(smmu_translate(s, 8, 0xfffff123, true, true, &x), 0);
	CHECK_EQ(x.pa, DATA + 0x123);
	CHECK_EQ(x.len, 0x1000 - 0x123);
	CHECK_EQ(smmu_translate(s, 8, 0x40012345, false, true, &x), 0);
	CHECK_EQ(x.pa, DATA + 0x212345);
	/* DMA across two discontiguous pages */
	for (int i = 0; i < 8192; i++)
		buf[i] = (uint8_t)(i * 7);
	CHECK_EQ(smmu_dma_write(s, bp, 8, 0xffffe000, buf, 8192), 0);
	bus_copy_from(bp, DATA + 0x5000, out, 4096);
	CHECK(!memcmp(out, buf, 4096));
	bus_copy_from(bp, DATA, out, 4096);
	CHECK(!memcmp(out, buf + 4096, 4096));
	memset(out, 0, sizeof(out));
	CHECK_EQ(smmu_dma_read(s, bp, 8, 0xffffe000, out, 8192), 0);
	CHECK(!memcmp(out, buf, 8192));
	CHECK_EQ(events(), 0);
	/* faults: each an event with the StreamID and IOVA */
	CHECK_EQ(smmu_dma_read(s, bp, 8, 0x1000, out, 4), 0);
	CHECK_EQ(smmu_dma_write(s, bp, 8, 0x1000, buf, 4), -1);
	CHECK_EQ(events(), 1);
	CHECK_EQ(event_word(0, 0), SMMU_EVT_F_PERMISSION | 8ull << 32);
	CHECK_EQ(event_word(0, 2), 0x1000);
	CHECK_EQ((event_word(0, 1) >> 35) & 1, 0);		/* a write */
	CHECK_EQ(pulses[SMMU_IRQ_EVTQ], 1);
	CHECK_EQ(smmu_translate(s, 8, 0x2000, false, true, &x), SMMU_EVT_F_PERMISSION);
	CHECK_EQ(smmu_translate(s, 8, 0x3000, false, true, &x), SMMU_EVT_F_TRANSLATION);
	CHECK_EQ(smmu_translate(s, 8, 1ull << 48, false, true, &x), SMMU_EVT_F_TRANSLATION);
	CHECK_EQ(events(), 4);
	CHECK_EQ(event_word(3, 0) & 0xff, SMMU_EVT_F_TRANSLATION);
	CHECK_EQ(event_word(3, 2), 1ull << 48);
	/* the debugger's view: no event, walk steps kept */
	CHECK_EQ(smmu_translate(s, 8, 0xfffff000, false, false, &x), 0);
	CHECK_EQ(x.nsteps, 4);
	CHECK_EQ(x.steps[3].level, 3);
	CHECK_EQ(events(), 4);
	/* IOTLB: a changed PTE is not seen until TLBI_NH_ASID */
	CHECK_EQ(smmu_translate(s, 8, 0xfffff000, false, true, &x), 0);
	pa = x.pa;
	map(ttb, 12, 48, 0xfffff000, DATA + 0xa000, 3, 1);
	CHECK_EQ(smmu_translate(s, 8, 0xfffff000, false, true, &x), 0);
	CHECK_EQ(x.pa, pa);
	cmd(0x11 | 2ull << 48, 0);				/* another ASID: kept */
	CHECK_EQ(smmu_translate(s, 8, 0xfffff000, false, true, &x), 0);
	CHECK_EQ(x.pa, pa);
	cmd(0x11 | 1ull << 48, 0);				/* TLBI_NH_ASID 1 */
	CHECK_EQ(smmu_translate(s, 8, 0xfffff000, false, true, &x), 0);
	CHECK_EQ(x.pa, DATA + 0xa000);
	/* SMMUEN = 0: bypass, or abort with GBPA.ABORT (no event) */
	wr(CR0, 0xc, 4);
	CHECK_EQ(smmu_translate(s, 8, 0x1234, true, true, &x), 0);
	CHECK_EQ(x.pa, 0x1234);
	wr(GBPA, 1u << 31 | 1u << 20, 4);
	CHECK(smmu_translate(s, 8, 0x1234, true, true, &x) != 0);
	CHECK_EQ(events(), 4);
}

/* Issue 13 (a cache entry used when it should not be): with SMMUEN clear
 * an IOTLB entry from before must not translate (bypass or abort, as
 * GBPA says), and enabling again walks afresh. */
static void test_iotlb_smmuen_off(void)
{
	uint64_t ttb;
	smmu_xlate x;

	setup();
	ttb = new_table();
	s1_stream(STRTAB + 64 * 8, 8, 1, ttb, 0, 16);
	map(ttb, 12, 48, 0xfffff000, DATA, 3, 1);
	CHECK_EQ(smmu_translate(s, 8, 0xfffff010, true, true, &x), 0);
	CHECK_EQ(x.pa, DATA + 0x10);
	CHECK_EQ(smmu_translate(s, 8, 0xfffff010, true, true, &x), 0);	/* an IOTLB hit */
	CHECK_EQ(x.pa, DATA + 0x10);
	wr(CR0, 0xc, 4);					/* SMMUEN = 0: bypass */
	CHECK_EQ(smmu_translate(s, 8, 0xfffff010, true, true, &x), 0);
	CHECK_EQ(x.pa, 0xfffff010);
	wr(GBPA, 1u << 31 | 1u << 20, 4);			/* abort */
	CHECK(smmu_translate(s, 8, 0xfffff010, false, true, &x) != 0);
	map(ttb, 12, 48, 0xfffff000, DATA + 0x3000, 3, 1);
	wr(CR0, 0xd, 4);					/* on again: a new walk */
	CHECK_EQ(smmu_translate(s, 8, 0xfffff010, true, true, &x), 0);
	CHECK_EQ(x.pa, DATA + 0x3010);
}

static void test_granules(void)
{
	static const struct { unsigned tg0, g, t0sz; int leaf; uint64_t iova, pa; } cases[] = {
		{ 2, 14, 17, 3, 0x7fffc000ull, DATA + 0x4000 },		/* 16K, 47-bit */
		{ 2, 14, 25, 2, 0x2000000ull, RAM + 0x2000000 },	/* 16K, 32 MB block */
		{ 1, 16, 22, 3, 0x30000ull, DATA + 0x10000 },		/* 64K, 42-bit */
		{ 1, 16, 22, 2, 0x20000000ull, RAM },			/* 64K, 512 MB block */
		{ 0, 12, 25, 1, 0x40000000ull, RAM },			/* 4K, 39-bit, 1 GB block */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ttb;
		smmu_xlate x;

		setup();
		ttb = new_table();
		s1_stream(STRTAB + 64 * 3, 3, 7, ttb, cases[i].tg0, cases[i].t0sz);
		map(ttb, cases[i].g, 64 - cases[i].t0sz, cases[i].iova, cases[i].pa, cases[i].leaf, 1);
		CHECK_EQ(smmu_translate(s, 3, cases[i].iova + 0x18, true, true, &x), 0);
		CHECK_EQ(x.pa, cases[i].pa + 0x18);
		CHECK_EQ(x.len, (1ull << (cases[i].g + (3 - cases[i].leaf) * (cases[i].g - 3))) - 0x18);
		CHECK_EQ(events(), 0);
	}
}

static void test_stream_table(void)
{
	uint64_t ttb;
	smmu_xlate x;

	setup();
	/* 2-level: SPLIT 8, 16-bit SIDs; SID 0x1234 through L1 entry 0x12 */
	wr(STRTAB_BASE_CFG, 1u << 16 | 8 << 6 | 16, 4);
	put64(STRTAB + 8 * 0x12, L2STRTAB | 9);			/* SPAN 9: 256 STEs */
	ttb = new_table();
	s1_stream(L2STRTAB + 64 * 0x34, 0x1234, 3, ttb, 0, 16);
	map(ttb, 12, 48, 0x5000, DATA, 3, 1);
	CHECK_EQ(smmu_translate(s, 0x1234, 0x5008, false, true, &x), 0);
	CHECK_EQ(x.pa, DATA + 8);
	/* no L2 table for SID 0x0100: C_BAD_STREAMID */
	CHECK_EQ(smmu_translate(s, 0x100, 0, false, true, &x), SMMU_EVT_C_BAD_STREAMID);
	/* bypass and abort STEs, invalid STE */
	put64(L2STRTAB + 64 * 1, 4 << 1 | 1);
	CHECK_EQ(smmu_translate(s, 0x1201, 0xabc000, true, true, &x), 0);
	CHECK_EQ(x.pa, 0xabc000);
	put64(L2STRTAB + 64 * 2, 0 << 1 | 1);
	CHECK(smmu_translate(s, 0x1202, 0, false, true, &x) != 0);
	CHECK_EQ(smmu_translate(s, 0x1203, 0, false, true, &x), SMMU_EVT_C_BAD_STE);
	CHECK_EQ(events(), 2);					/* abort records nothing */
	CHECK_EQ(event_word(1, 0), SMMU_EVT_C_BAD_STE | 0x1203ull << 32);
	/* a stream table, a CD and a page table outside RAM */
	setup();
	wr(STRTAB_BASE, 0x1000, 8);
	CHECK_EQ(smmu_translate(s, 1, 0, false, true, &x), SMMU_EVT_F_STE_FETCH);
	CHECK_EQ(event_word(0, 3), 0x1040);			/* the STE's address */
	setup();
	put64(STRTAB + 64, 0x2000 | 5 << 1 | 1);
	CHECK_EQ(smmu_translate(s, 1, 0, false, true, &x), SMMU_EVT_F_CD_FETCH);
	setup();
	s1_stream(STRTAB + 64, 1, 1, 0x3000, 0, 16);
	CHECK_EQ(smmu_translate(s, 1, 0, false, true, &x), SMMU_EVT_F_WALK_EABT);
	CHECK_EQ(x.fetch_addr, 0x3000);
	/* an invalid CD, an AArch32 CD */
	setup();
	s1_stream(STRTAB + 64, 1, 1, new_table(), 0, 16);
	put64(CDS + 64, get64(CDS + 64) & ~(1ull << 31));
	CHECK_EQ(smmu_translate(s, 1, 0, false, true, &x), SMMU_EVT_C_BAD_CD);
	/* SID beyond the linear table */
	CHECK_EQ(smmu_translate(s, 0x100, 0, false, true, &x), SMMU_EVT_C_BAD_STREAMID);
}

static void test_evtq_overflow(void)
{
	smmu_xlate x;

	setup();
	for (int i = 0; i < 130; i++)
		smmu_translate(s, 0x1ff, 0, false, true, &x);	/* C_BAD_STREAMID each */
	CHECK_EQ(rd(EVTQ_PROD, 4) & 0xff, 0x80);		/* full: 128 */
	CHECK_EQ(rd(EVTQ_PROD, 4) >> 31, 1);			/* overflow flagged */
	/* queue memory outside RAM: EVTQ_ABT_ERR */
	setup();
	wr(EVTQ_BASE, 0x1000 | 7, 8);
	smmu_translate(s, 0x1ff, 0, false, true, &x);
	CHECK_EQ((rd(GERROR, 4) ^ rd(GERRORN, 4)) & 4, 4);
}

static void test_no_smmu(void)
{
	uint32_t v = 0x12345678, r = 0;

	setup();
	CHECK_EQ(smmu_dma_write(NULL, bp, 8, DATA, &v, 4), 0);
	CHECK_EQ(smmu_dma_read(NULL, bp, 8, DATA, &r, 4), 0);
	CHECK_EQ(r, v);
	CHECK_EQ(smmu_dma_read(NULL, bp, 8, 0x1000, &r, 4), -1);
}

/* `monitor smmu ...` against the tables above, through a machine that has
 * only this SMMU. */
static const char *mon(const char *line, int *ret)
{
	static mon_out out;
	static machine m;
	static const board_device desc = { .type = "smmuv3", .name = "smmuv3" };
	mon_ctx ctx = { .m = &m, .out = &out };

	m.ndev = 1;
	m.dev_desc[0] = &desc;
	m.dev_state[0] = s;
	free(out.buf);
	memset(&out, 0, sizeof(out));
	*ret = monitor_run(&ctx, line);
	return out.buf ? out.buf : "";
}

static void test_monitor(void)
{
	uint64_t ttb;
	smmu_xlate x;
	int r;

	setup();
	ttb = new_table();
	s1_stream(STRTAB + 64 * 8, 8, 0x42, ttb, 0, 16);
	map(ttb, 12, 48, 0xfffff000, DATA + 0x3000, 3, 3);
	smmu_translate(s, 8, 0xfffff000, true, true, &x);	/* F_PERMISSION */
	smmu_translate(s, 9, 0x1000, false, true, &x);		/* C_BAD_STE */
	CHECK(strstr(mon("smmu", &r), "CR0 0xd (SMMUEN 1 EVTQEN 1 CMDQEN 1)"));
	CHECK(strstr(mon("smmu", &r), "evtq: base 0x40002000, 128 entries of 32 bytes"));
	CHECK(strstr(mon("smmu ste 8", &r), "Config       5 (S1 translate)"));
	CHECK_EQ(r, 0);
	CHECK(strstr(mon("smmu ste 8", &r), "S1ContextPtr 0x40020200"));
	CHECK(strstr(mon("smmu cd 8", &r), "ASID  0x42"));
	CHECK(strstr(mon("smmu cd 8", &r), "TTB0  0x40100000"));
	CHECK(strstr(mon("smmu cd 8", &r), "T0SZ  16 (48-bit IOVA)"));
	CHECK(strstr(mon("smmu cd 8 1", &r), "S1CDMax is 0"));
	CHECK_EQ(r, -1);
	CHECK(strstr(mon("smmu walk 8 0xfffff010", &r), "-> PA 0x40803010 (read-only"));
	CHECK(strstr(mon("smmu walk 8 0xfffff010", &r), "L3: table 0x4"));
	CHECK(strstr(mon("smmu walk 8 0x5000", &r), "SID 0x8 IOVA 0x5000: F_TRANSLATION: level 1 descriptor 0x0 invalid"));
	CHECK(strstr(mon("smmu events", &r), "[0] F_PERMISSION (0x13) SID 0x8 write IOVA 0xfffff000"));
	CHECK(strstr(mon("smmu events", &r), "[1] C_BAD_STE (0x04) SID 0x9"));
	CHECK(strstr(mon("smmu events", &r), "2 pending events (2 recorded since reset)"));
	wr(EVTQ_CONS, 1, 4);					/* the driver consumed one */
	CHECK(strstr(mon("smmu events", &r), "1 pending event (2 recorded"));
	/* bad input: one line each, never a crash */
	CHECK(strstr(mon("smmu ste", &r), "usage: smmu ste SID"));
	CHECK(strstr(mon("smmu ste 0x10000", &r), "more than the 16 bits"));
	CHECK(strstr(mon("smmu walk 8 12junk", &r), "bad IOVA '12junk'"));
	CHECK(strstr(mon("smmu ste 0x300", &r), "outside the stream table"));
	wr(STRTAB_BASE, 0x1000, 8);
	CHECK(strstr(mon("smmu ste 1", &r), "not in RAM"));
	CHECK_EQ(r, -1);
}

/* The whole path on a real machine: ECAM enumeration and BAR sizing, the
 * virtio-rng-pci common config, one request with the SMMU off (physical
 * DMA), one through stage-1 tables (IOVA != PA), and one to an unmapped
 * IOVA: an event with StreamID 8 (00:01.0) and the device needing reset. */
#define ECAM 0x4010000000ull	/* highmem=on, the default */
#define BAR 0x10000000ull
#define VQ (RAM + 0x300000)		/* desc, avail, used: one page each */
#define BUF (RAM + 0x304000)

static uint64_t ecam_rd(int slot, unsigned reg, unsigned size)
{
	uint64_t v = 0;
	bus_read(bp, ECAM + ((uint64_t)slot << 15) + reg, size, &v);
	return v;
}

static void ecam_wr(int slot, unsigned reg, uint64_t v, unsigned size)
{
	bus_write(bp, ECAM + ((uint64_t)slot << 15) + reg, size, v);
}

static uint64_t bar_rd(unsigned off, unsigned size)
{
	uint64_t v = 0;
	bus_read(bp, BAR + off, size, &v);
	return v;
}

static void bar_wr(unsigned off, uint64_t v, unsigned size)
{
	bus_write(bp, BAR + off, size, v);
}

/* The legacy registers: I/O BAR0 at port 0x1000 of the PIO window. */
#define PIO (0x3eff0000ull + 0x1000)

static uint64_t io_rd(unsigned off, unsigned size)
{
	uint64_t v = 0;
	bus_read(bp, PIO + off, size, &v);
	return v;
}

static void io_wr(unsigned off, uint64_t v, unsigned size)
{
	bus_write(bp, PIO + off, size, v);
}

/* One 32-byte device-writable buffer at addr, descriptor n. */
static void rng_post(uint64_t desc, uint64_t avail, int n, uint64_t addr)
{
	uint16_t head = (uint16_t)n, idx = (uint16_t)(n + 1);
	uint64_t d[2] = { addr, 32 | 2ull << 32 };	/* len 32, VRING_DESC_F_WRITE */

	bus_copy_to(bp, desc + 16 * n, d, 16);
	bus_copy_to(bp, avail + 4 + 2 * n, &head, 2);
	bus_copy_to(bp, avail + 2, &idx, 2);
}

static void rng_request(uint64_t desc, uint64_t avail, int n, uint64_t addr)
{
	rng_post(desc, avail, n, addr);
	bar_wr(0x3000, 0, 2);				/* notify queue 0 */
}

static void test_pci_virtio_rng(void)
{
	static char *argv[] = { "kwb", "-arch", "aarch64", "-M", "virt,iommu=smmuv3", "-m", "64M",
				"-serial", "none", "-device", "virtio-rng-pci,seed=1", "-nic", "none", NULL };
	static kwb_options opt;
	uint8_t buf[32], zero[32] = { 0 };
	uint16_t used_idx;
	uint32_t used[2];
	unsigned cap, types = 0;
	uint64_t ttb, ev0;
	machine *m;

	options_parse(&opt, 13, argv);
	m = machine_create(&opt);
	bp = &m->bus;
	if (s)
		smmuv3_free(s);
	s = machine_device(m, "smmuv3");
	CHECK(s != NULL);
	/* enumeration */
	CHECK_EQ(ecam_rd(0, 0, 4), 0x00081b36);
	CHECK_EQ(ecam_rd(0, 8, 4), 0x06000000);
	/* transitional, as QEMU's on the root bus: 1af4:1005, revision 0,
	 * subsystem 1af4:0004 (the virtio ID), legacy registers in I/O BAR0 */
	CHECK_EQ(ecam_rd(1, 0, 4), 0x10051af4);
	CHECK_EQ(ecam_rd(1, 8, 4), 0x00ff0000);		/* PCI_CLASS_OTHERS, revision 0 */
	CHECK_EQ(ecam_rd(1, 0x2c, 4), 0x00041af4);
	ecam_wr(1, 0x10, 0xffffffff, 4);
	CHECK_EQ(ecam_rd(1, 0x10, 4), 0xffffffe1);	/* 32 bytes of I/O */
	ecam_wr(1, 0x10, 0, 4);
	CHECK_EQ(ecam_rd(1, 0x3d, 1), 1);		/* INTA */
	CHECK_EQ(ecam_rd(2, 0, 4), 0xffffffff);
	CHECK_EQ(ecam_rd(1, 0, 2), 0x1af4);
	/* BAR4: 16 KB, 64-bit, prefetchable */
	ecam_wr(1, 0x20, 0xffffffff, 4);
	ecam_wr(1, 0x24, 0xffffffff, 4);
	CHECK_EQ(ecam_rd(1, 0x20, 4), 0xffffc00c);
	CHECK_EQ(ecam_rd(1, 0x24, 4), 0xffffffff);
	ecam_wr(1, 0x20, BAR, 4);
	ecam_wr(1, 0x24, 0, 4);
	CHECK_EQ(bar_rd(0x12, 2), 0xffff);		/* decoding off: master abort */
	ecam_wr(1, 0x04, 0x6, 2);			/* MEM | MASTER */
	CHECK_EQ(bar_rd(0x12, 2), 1);			/* num_queues */
	/* capabilities, QEMU's list from its head: MSI-X (2 vectors, table
	 * and PBA in BAR 1), the configuration access window (5, BAR 0), then
	 * notify (2), device (4), ISR (3), common (1), all in BAR 4 */
	CHECK_EQ(ecam_rd(1, 0x06, 2) & 0x10, 0x10);
	for (cap = (unsigned)ecam_rd(1, 0x34, 1); cap; cap = (unsigned)ecam_rd(1, cap + 1, 1)) {
		if (ecam_rd(1, cap, 1) == 0x11) {
			CHECK_EQ(ecam_rd(1, cap + 2, 2), 1);
			CHECK_EQ(ecam_rd(1, cap + 4, 4), 0x001);
			CHECK_EQ(ecam_rd(1, cap + 8, 4), 0x801);
			continue;
		}
		CHECK_EQ(ecam_rd(1, cap, 1), 0x09);
		CHECK_EQ(ecam_rd(1, cap + 4, 1), ecam_rd(1, cap + 3, 1) == 5 ? 0 : 4);
		types = types << 4 | (unsigned)ecam_rd(1, cap + 3, 1);
	}
	CHECK_EQ(ecam_rd(1, 0x34, 1), 0x98);
	CHECK_EQ(types, 0x52431);
	/* driver init */
	bar_wr(0x14, 1 | 2, 1);
	bar_wr(0x00, 1, 4);
	CHECK_EQ(bar_rd(0x04, 4), 0x103);		/* VERSION_1 | ACCESS_PLATFORM (behind the SMMU) | RING_RESET */
	bar_wr(0x00, 0, 4);
	CHECK_EQ(bar_rd(0x04, 4), 0x30000000);		/* INDIRECT, EVENT_IDX: not the legacy-only bits */
	bar_wr(0x08, 1, 4);
	bar_wr(0x0c, 3, 4);
	bar_wr(0x14, 1 | 2 | 8, 1);
	CHECK_EQ(bar_rd(0x14, 1), 0xb);			/* FEATURES_OK kept */
	bar_wr(0x16, 0, 2);
	CHECK_EQ(bar_rd(0x18, 2), 8);			/* QEMU's virtio-rng queue */
	bar_wr(0x18, 8, 2);
	CHECK_EQ(bar_rd(0x1a, 2), 0xffff);		/* no MSI-X vector */
	bar_wr(0x20, VQ, 8);
	bar_wr(0x28, VQ + 0x1000, 4);
	bar_wr(0x2c, 0, 4);
	bar_wr(0x30, VQ + 0x2000, 8);
	bar_wr(0x1c, 1, 2);
	bar_wr(0x14, 0xf, 1);				/* DRIVER_OK */
	/* SMMU off, GBPA bypass: physical DMA */
	rng_request(VQ, VQ + 0x1000, 0, BUF);
	bus_copy_from(bp, VQ + 0x2000 + 2, &used_idx, 2);
	bus_copy_from(bp, VQ + 0x2000 + 4, used, 8);
	CHECK_EQ(used_idx, 1);
	CHECK_EQ(used[0], 0);
	CHECK_EQ(used[1], 32);
	bus_copy_from(bp, BUF, buf, 32);
	CHECK(memcmp(buf, zero, 32) != 0);
	CHECK_EQ(ecam_rd(1, 0x06, 2) & 0x8, 0x8);	/* INTx pending */
	CHECK_EQ(bar_rd(0x1000, 1), 1);			/* ISR: queue interrupt, read clears */
	CHECK_EQ(ecam_rd(1, 0x06, 2) & 0x8, 0);
	/* SMMU on: SID 8, rings identity-mapped, buffer at IOVA 0xfffff000 */
	next_table = TABLES;
	ttb = new_table();
	s1_stream(STRTAB + 64 * 8, 8, 5, ttb, 0, 16);
	for (int i = 0; i < 3; i++)
		map(ttb, 12, 48, VQ + 0x1000 * i, VQ + 0x1000 * i, 3, 1);
	map(ttb, 12, 48, 0xfffff000, BUF + 0x1000, 3, 1);
	wr(STRTAB_BASE, STRTAB, 8);
	wr(STRTAB_BASE_CFG, 8, 4);
	wr(EVTQ_BASE, EVTQ | 7, 8);
	wr(IRQ_CTRL, 5, 4);
	wr(CR0, 0x5, 4);
	rng_request(VQ, VQ + 0x1000, 1, 0xfffff000);
	bus_copy_from(bp, VQ + 0x2000 + 2, &used_idx, 2);
	CHECK_EQ(used_idx, 2);
	bus_copy_from(bp, BUF + 0x1000, buf, 32);
	CHECK(memcmp(buf, zero, 32) != 0);
	CHECK_EQ(events(), 0);
	/* an unmapped IOVA: event, NEEDS_RESET, no used entry */
	rng_request(VQ, VQ + 0x1000, 2, 0xdead000);
	CHECK_EQ(events(), 1);
	ev0 = event_word(0, 0);
	CHECK_EQ(ev0, SMMU_EVT_F_TRANSLATION | 8ull << 32);
	CHECK_EQ(event_word(0, 2), 0xdead000);
	CHECK_EQ(bar_rd(0x14, 1) & 0x40, 0x40);
	bus_copy_from(bp, VQ + 0x2000 + 2, &used_idx, 2);
	CHECK_EQ(used_idx, 2);
	bar_wr(0x14, 0, 1);				/* reset */
	CHECK_EQ(bar_rd(0x14, 1), 0);
	/* the same device through the legacy interface (virtio 0.9.5): rings
	 * from the PFN (desc, avail after it, used on the next 4 KB), the
	 * buffer still at IOVA 0xfffff000 through the SMMU */
	ecam_wr(1, 0x10, 0x1000, 4);
	ecam_wr(1, 0x04, 0x7, 2);			/* IO | MEM | MASTER */
	io_wr(0x12, 1 | 2, 1);
	CHECK_EQ(io_rd(0x00, 4), 0x79000000);		/* QEMU's: ring features and BAD_FEATURE */
	io_wr(0x04, 0, 4);
	io_wr(0x0e, 0, 2);
	CHECK_EQ(io_rd(0x0c, 2), 8);			/* fixed queue size */
	io_wr(0x08, VQ >> 12, 4);
	CHECK_EQ(io_rd(0x08, 4), VQ >> 12);
	io_wr(0x12, 1 | 2 | 4, 1);			/* DRIVER_OK, no FEATURES_OK */
	CHECK_EQ(io_rd(0x12, 1), 7);
	memset(buf, 0, sizeof(buf));
	bus_copy_to(bp, BUF + 0x1000, buf, 32);
	/* 8 entries: avail right after the descriptors, used on the next page */
	rng_post(VQ, VQ + 16 * 8, 0, 0xfffff000);
	io_wr(0x10, 0, 2);				/* QUEUE_NOTIFY 0 */
	bus_copy_from(bp, VQ + 0x1000 + 2, &used_idx, 2);
	CHECK_EQ(used_idx, 1);
	bus_copy_from(bp, BUF + 0x1000, buf, 32);
	CHECK(memcmp(buf, zero, 32) != 0);
	CHECK_EQ(io_rd(0x13, 1), 1);			/* ISR, read clears */
	CHECK_EQ(io_rd(0x13, 1), 0);
	io_wr(0x08, 0, 4);				/* PFN 0 resets the device */
	CHECK_EQ(io_rd(0x12, 1), 0);
	s = NULL;
	machine_free(m);
	bp = &own_bus;
}

int main(void)
{
	RUN(test_registers);
	RUN(test_cmdq);
	RUN(test_translate_4k);
	RUN(test_iotlb_smmuen_off);
	RUN(test_granules);
	RUN(test_stream_table);
	RUN(test_evtq_overflow);
	RUN(test_no_smmu);
	RUN(test_monitor);
	RUN(test_pci_virtio_rng);
	smmuv3_free(s);
	bus_free(bp);
	return CHECK_DONE();
}
