/*
 * The SMMUv3 (core/devices/smmuv3.c): stream table (linear and 2-level),
 * context descriptors, stage-1 page tables (every granule), the command
 * and event queues and the IOTLB, all read from guest memory, plus
 * `monitor smmu`. The SMMU starts set up as Linux leaves it (stream table,
 * queues, SMMUEN); the input then rewrites registers and memory.
 * Input: byte 0: number of register writes (mod 16), each 13 bytes
 * (offset u32, value u64, size: bit 0 -> 8 bytes, else 4); then 4
 * transactions of 13 bytes (StreamID u32, IOVA u64, flags); the rest is
 * RAM from 0x40000000 (stream table at +0, CDs +0x4000, tables from
 * +0x5000, command queue +0xc000, event queue +0xd000).
 * fuzz-options: -max_len=65536
 */
#include "core/devices/smmuv3.h"
#include "core/monitor.h"
#include "tests/fuzz/fuzz.h"

#define RAM 0x40000000ull
#define RAM_SIZE (1ull << 20)
#define REGW 13

enum {
	CR0 = 0x20, IRQ_CTRL = 0x50, STRTAB_BASE = 0x80, STRTAB_BASE_CFG = 0x88, CMDQ_BASE = 0x90,
	CMDQ_PROD = 0x98, EVTQ_BASE = 0xa0,
};

static void no_irq(void *opaque, int n, int level)
{
	(void)opaque;
	(void)n;
	(void)level;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bus b;
	static smmuv3 *s;
	irq_line irq[4];
	size_t nw, at;
	uint8_t buf[256];
	mon_out o = { 0 };

	if (size < 1)
		return 0;
	nw = data[0] % 16;
	at = 1 + nw * REGW + 4 * REGW;
	if (size < at)
		return 0;
	if (!s) {
		bus_add_ram(&b, "ram", RAM, RAM_SIZE);
		for (int i = 0; i < 4; i++)
			irq[i] = (irq_line){ .set = no_irq, .n = i };
		s = smmuv3_new(&b, irq);
	}
	smmuv3_reset(s);
	memset(bus_ram_ptr(&b, RAM, RAM_SIZE), 0, RAM_SIZE);
	bus_copy_to(&b, RAM, data + at, size - at);
	smmuv3_ops.write(s, STRTAB_BASE, RAM | 1ull << 62, 8);
	smmuv3_ops.write(s, STRTAB_BASE_CFG, 8, 4);
	smmuv3_ops.write(s, CMDQ_BASE, (RAM + 0xc000) | 8, 8);
	smmuv3_ops.write(s, EVTQ_BASE, (RAM + 0xd000) | 7, 8);
	smmuv3_ops.write(s, IRQ_CTRL, 5, 4);
	smmuv3_ops.write(s, CR0, 0xd, 4);
	for (size_t i = 0; i < nw; i++) {
		const uint8_t *w = data + 1 + i * REGW;
		uint64_t off = get32(w) % SMMU_IO_LEN;
		unsigned sz = (w[12] & 1) ? 8 : 4;

		smmuv3_ops.write(s, off & ~(uint64_t)(sz - 1), fuzz_get64(w + 4), sz);
		smmuv3_ops.read(s, off & ~3ull, 4);
	}
	fuzz_accepted++;
	for (int i = 0; i < 4; i++) {
		const uint8_t *t = data + 1 + nw * REGW + i * REGW;
		uint32_t sid = get32(t);
		uint64_t iova = fuzz_get64(t + 4), addr;
		smmu_xlate x;
		char why[128];

		smmu_translate(s, sid, iova, t[12] & 1, t[12] & 2, &x);
		smmu_ste_addr(s, sid, &addr, why, sizeof(why));
		if (t[12] & 4)
			smmu_dma_write(s, &b, sid, iova, buf, 1 + t[12] % 200);
		else
			smmu_dma_read(s, &b, sid, iova, buf, 1 + t[12] % 200);
	}
	smmuv3_info(s, &o);
	free(o.buf);
	return 0;
}

/* Streams 0-3 translating through one CD and 4K tables (T0SZ 25): IOVA
 * 0x1000 -> RAM + 0x8000; a TLBI and a SYNC in the command queue. With
 * two_level, the stream table is 2-level (SPLIT 6, L2 at +0x3000). */
static size_t make_seed(uint8_t *in, bool two_level)
{
	static const uint32_t regs[3] = { STRTAB_BASE_CFG, CMDQ_PROD, CR0 };
	static const uint64_t vals[3] = { 1 << 16 | 6 << 6 | 8, 2, 0xd };
	int nw = two_level ? 3 : 2, first = two_level ? 0 : 1;
	uint8_t *ram = in + 1 + nw * REGW + 4 * REGW, *ste = two_level ? ram + 0x3000 : ram;
	uint64_t cd = RAM + 0x4000;

	in[0] = (uint8_t)nw;
	for (int i = 0; i < nw; i++) {
		fuzz_put32(in + 1 + i * REGW, regs[first + i]);
		fuzz_put64(in + 5 + i * REGW, vals[first + i]);
		in[1 + i * REGW + 12] = 0;
	}
	for (int i = 0; i < 4; i++) {
		uint8_t *t = in + 1 + nw * REGW + i * REGW;
		fuzz_put32(t, (uint32_t)i);
		fuzz_put64(t + 4, 0x1000 + (uint64_t)i * 8);
		t[12] = (uint8_t)(i | 2 | 64);
	}
	memset(ram, 0, 0xe000);
	if (two_level)
		fuzz_put64(ram, (RAM + 0x3000) | 7);	/* L1 descriptor: SPAN 7 */
	for (int sid = 0; sid < 4; sid++) {
		fuzz_put64(ste + 64 * sid, cd | 5 << 1 | 1);
		fuzz_put64(ste + 64 * sid + 8, 2);
	}
	fuzz_put64(ram + 0x4000, 1ull << 48 | 1ull << 41 | 5ull << 32 | 1ull << 31 | 1ull << 30 | 25);
	fuzz_put64(ram + 0x4008, RAM + 0x5000);
	fuzz_put64(ram + 0x5000, (RAM + 0x6000) | 3);
	fuzz_put64(ram + 0x6000, (RAM + 0x7000) | 3);
	fuzz_put64(ram + 0x7008, (RAM + 0x8000) | 3 | 1ull << 10 | 1 << 6);
	fuzz_put64(ram + 0xc000, 0x30);			/* TLBI_NSNH_ALL */
	fuzz_put64(ram + 0xc010, 0x46 | 1 << 12);	/* CMD_SYNC, IRQ */
	return (size_t)(ram + 0xe000 - in);
}

void fuzz_seeds(void (*add)(const void *data, size_t len))
{
	static uint8_t in[1 + 3 * REGW + 4 * REGW + 0xe000];

	add(in, make_seed(in, false));
	add(in, make_seed(in, true));
}
