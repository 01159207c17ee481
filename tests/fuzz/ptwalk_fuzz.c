/*
 * The debugger's page-table walkers (symbols/ptwalk.c: monitor vtop and
 * ptdump, gdb memory on kernel addresses): AArch64 stage 1 from TTBR/TCR
 * and RISC-V Sv39/48/57 from satp, over tables the guest wrote.
 * Input: 8 bytes TCR_EL1 (or satp), 8 bytes a VA to translate, 1 byte
 * flags (bit 0: RISC-V, bit 1: TTBR1); the rest is physical memory,
 * repeated every len bytes up to 1 TiB so that any table address lands
 * somewhere in it (the root is PA 0).
 * fuzz-options: -max_len=16384
 */
#include "symbols/ptwalk.h"
#include "tests/fuzz/fuzz.h"

typedef struct fmem {
	const uint8_t *p;
	size_t len;
	unsigned long reads;
} fmem;

static size_t mem_read(void *opaque, paddr_t pa, void *buf, size_t len)
{
	fmem *m = opaque;
	uint8_t *out = buf;
	size_t i;

	m->reads++;
	if (!m->len)
		return 0;
	for (i = 0; i < len && pa + i < (1ull << 40);) {
		size_t at = (pa + i) % m->len, n = m->len - at < len - i ? m->len - at : len - i;

		memcpy(out + i, m->p + at, n);
		i += n;
	}
	return i < len ? i : len;
}

static int nleaves;

/* Every leaf formatted as ptdump prints it; the walk stops after 256 (a
 * table repeated through the wrapped memory has thousands). */
static bool leaf(void *opaque, const pt_leaf *l)
{
	const pt_regime *r = opaque;
	char attrs[128], sz[16];

	pt_attr_string(r, l->attrs, attrs, sizeof(attrs));
	pt_size_string(l->size, sz, sizeof(sz));
	return ++nleaves < 256;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t ctl, va;
	uint8_t flags;
	pt_regime r;
	char err[256];
	fmem mem;
	walk_log log;
	pt_stats st;
	paddr_t pa;

	if (size < 17)
		return 0;
	ctl = fuzz_get64(data);
	va = fuzz_get64(data + 8);
	flags = data[16];
	mem.p = data + 17;
	mem.len = size - 17;
	mem.reads = 0;
	if (flags & 1) {
		if (pt_regime_riscv(&r, ctl, err, sizeof(err)))
			return 0;
	} else if (pt_regime_aarch64(&r, 0, ctl, 0x0000bbff440c0400ull, flags & 2, err, sizeof(err))) {
		return 0;
	}
	if (pt_check(&r, err, sizeof(err)))
		return 0;
	fuzz_accepted++;
	memset(&log, 0, sizeof(log));
	pt_translate(&r, mem_read, &mem, va, &pa, &log);
	pt_translate(&r, mem_read, &mem, va ^ (1ull << 12), &pa, NULL);
	memset(&st, 0, sizeof(st));
	nleaves = 0;
	pt_walk(&r, mem_read, &mem, 8, leaf, &r, &st);
	memset(&st, 0, sizeof(st));
	nleaves = 0;
	pt_dump(&r, mem_read, &mem, 8, leaf, &r, &st);
	return 0;
}

/* A 4K-granule table of each kind: root -> next -> leaves, at PA 0, 0x1000, 0x2000. */
void fuzz_seeds(void (*add)(const void *data, size_t len))
{
	static uint8_t b[17 + 3 * 4096];

	for (int kind = 0; kind < 3; kind++) {
		memset(b, 0, sizeof(b));
		if (kind == 2) {	/* RISC-V Sv39: satp MODE 8, PPN 0 */
			fuzz_put64(b, 8ull << 60);
			fuzz_put64(b + 8, 0x40201000);
			b[16] = 1;
			fuzz_put64(b + 17, (0x1000 >> 12) << 10 | 1);		/* root[0] -> table */
			fuzz_put64(b + 17 + 8, (0x40000000 >> 12) << 10 | 0xcf);	/* 1G leaf */
			fuzz_put64(b + 17 + 0x1000 + 8, (0x2000 >> 12) << 10 | 1);
			for (int i = 0; i < 16; i++)
				fuzz_put64(b + 17 + 0x2000 + 8 * i, ((0x80000000ull >> 12) + i) << 10 | 0xcf);
		} else {		/* AArch64 4K, 39 bits (T0SZ=T1SZ=25) */
			fuzz_put64(b, 25 | 25ull << 16 | 2ull << 30);
			fuzz_put64(b + 8, kind ? 0xffffff8000201000ull : 0x40201000);
			b[16] = kind ? 2 : 0;
			fuzz_put64(b + 17, 0x1000 | 3);				/* L1[0] -> L2 */
			fuzz_put64(b + 17 + 8, 0x40000000 | 0x701);		/* 1G block */
			fuzz_put64(b + 17 + 0x1000, 0x2000 | 3);		/* L2[0] -> L3 */
			fuzz_put64(b + 17 + 0x1000 + 8, 0x40200000 | 0x60000000000701ull);	/* 2M block */
			for (int i = 0; i < 16; i++)
				fuzz_put64(b + 17 + 0x2000 + 8 * i, (0x40000000ull + 0x1000 * i) | 0x743);
		}
		add(b, sizeof(b));
	}
}
