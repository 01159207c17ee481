/*
 * Kernel symbols: the fixture vmlinux files against their System.map, the
 * kernel VA <-> PA alias, bad files; the page-table walkers on hand-built
 * tables for every AArch64 granule/VA size and Sv39/48/57; the monitor
 * commands on a machine with a fake CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/machine.h"
#include "core/monitor.h"
#include "core/debug_internal.h"
#include "symbols/kernel_map.h"
#include "symbols/ptwalk.h"
#include "symbols/symbols.h"
#include "symbols/vmlinux.h"

static char fixtures[512];

static bool have_fixtures(void)
{
	const char *env = getenv("KWB_FIXTURES"), *top = getenv("KWB_TOP");
	char path[600];

	if (env)
		snprintf(fixtures, sizeof(fixtures), "%s", env);
	else
		snprintf(fixtures, sizeof(fixtures), "%s/../shared/fixtures", top ? top : ".");
	snprintf(path, sizeof(path), "%s/arm64/vmlinux", fixtures);
	return access(path, R_OK) == 0;
}

static const char *fx(const char *arch, const char *file)
{
	static char buf[4][600];
	static int i;
	char *p = buf[i++ & 3];
	snprintf(p, 600, "%s/%s/%s", fixtures, arch, file);
	return p;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- vmlinux against System.map ---- */

static uint64_t map_addr(const char *mapfile, const char *name)
{
	FILE *f = fopen(mapfile, "r");
	char line[512], n[400], t;
	unsigned long long a;
	uint64_t r = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %399s", &a, &t, n) == 3 && !strcmp(n, name)) {
			r = a;
			break;
		}
	if (f)
		fclose(f);
	return r;
}

static void check_against_map(const char *arch, const char *elf_arch)
{
	char err[256] = "", line[512], name[400], type;
	double t0 = now();
	vmlinux *v = vmlinux_open(fx(arch, "vmlinux"), elf_arch, err, sizeof(err));
	double secs = now() - t0;
	FILE *f;
	unsigned long long a;
	int checked = 0, by_name = 0, by_addr = 0;

	CHECK(v != NULL);
	if (!v) {
		printf("  %s\n", err);
		return;
	}
	printf("  %s: %d symbols, %d sections, %d PT_LOAD, loaded in %.0f ms\n", arch, v->nsyms,
	       v->nsections, v->nsegments, secs * 1000);
	CHECK(v->nsyms > 10000);
	CHECK(secs < 2.0);
	CHECK(!strcmp(v->arch, elf_arch));
	f = fopen(fx(arch, "System.map"), "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		const ksym *s;
		uint64_t off;

		if (sscanf(line, "%llx %c %399s", &a, &type, name) != 3)
			continue;
		checked++;
		/* name -> address: some symbol of that name has it */
		if (vmlinux_each_named(v, name, NULL, NULL) == 1) {
			s = vmlinux_sym_named(v, name);
			if (s && s->addr == a)
				by_name++;
			else if (by_name < 5 || checked % 1000 == 0)
				printf("  name %s: 0x%llx vs 0x%llx\n", name, a, s ? (unsigned long long)s->addr : 0ull);
		} else {
			by_name++;	/* duplicates: checked by address below */
		}
		/* address -> name: a symbol exactly at that address */
		s = vmlinux_sym_at(v, a, &off);
		if ((s && off == 0) || type == 'A' || type == 'a' || !vmlinux_section_at(v, a))
			by_addr++;
		else
			printf("  addr 0x%llx (%s): %s+0x%llx\n", a, name, s ? ksym_name(v, s) : "?",
			       (unsigned long long)off);
	}
	if (f)
		fclose(f);
	printf("  %s: %d System.map entries, %d found by name, %d by address\n", arch, checked, by_name, by_addr);
	CHECK(checked > 10000);
	CHECK_EQ(by_name, checked);
	CHECK_EQ(by_addr, checked);

	/* formatting */
	{
		uint64_t sk = map_addr(fx(arch, "System.map"), "start_kernel");
		char buf[128];
		CHECK(vmlinux_format(v, sk, buf, sizeof(buf)) && !strcmp(buf, "start_kernel"));
		CHECK(vmlinux_format(v, sk + 8, buf, sizeof(buf)) && !strcmp(buf, "start_kernel+0x8"));
		CHECK(!vmlinux_format(v, 0x1000, buf, sizeof(buf)) && !buf[0]);
		CHECK(vmlinux_sym_named(v, "no_such_symbol_xyz") == NULL);
		CHECK(v->sample_len > 0);
		CHECK(memcmp(v->sample, "Linux version 6.1", 17) == 0);
	}
	vmlinux_free(v);
}

static void vmlinux_arm64_vs_system_map(void) { check_against_map("arm64", "aarch64"); }
static void vmlinux_riscv64_vs_system_map(void) { check_against_map("riscv64", "riscv64"); }

static void alias_arithmetic(void)
{
	char err[256] = "";
	vmlinux *a = vmlinux_open(fx("arm64", "vmlinux"), "aarch64", err, sizeof(err));
	vmlinux *r = vmlinux_open(fx("riscv64", "vmlinux"), "riscv64", err, sizeof(err));
	kernel_map km;
	paddr_t pa;
	vaddr_t va;
	const char *what;

	CHECK(a && r);
	if (!a || !r)
		return;
	/* arm64: Image at 0x40200000, _text at KIMAGE_VADDR */
	CHECK(kernel_map_init(&km, a, 0x40200000, 0x40000000, 512 << 20, err, sizeof(err)) == 0);
	CHECK_EQ(km.va_bits, 48);
	CHECK_EQ(km.image.va, map_addr(fx("arm64", "System.map"), "_text"));
	CHECK_EQ(km.image.size, map_addr(fx("arm64", "System.map"), "_end") - km.image.va);
	{
		uint64_t sk = map_addr(fx("arm64", "System.map"), "start_kernel");
		CHECK(kernel_map_va_to_pa(&km, sk, &pa, &what));
		CHECK_EQ(pa, 0x40200000 + (sk - 0xffff800008000000ull));
		CHECK(!strcmp(what, "kernel image"));
		CHECK(kernel_map_pa_to_va(&km, pa, &va, NULL));
		CHECK_EQ(va, sk);
	}
	/* linear map: PAGE_OFFSET = -(1 << 48) at memstart 0x40000000 */
	CHECK(kernel_map_va_to_pa(&km, 0xffff000000001000ull, &pa, &what));
	CHECK_EQ(pa, 0x40001000);
	CHECK(!strcmp(what, "linear map"));
	CHECK(!kernel_map_va_to_pa(&km, 0xffff000000000000ull + (512ull << 20), &pa, NULL));
	CHECK(!kernel_map_va_to_pa(&km, 0x1000, &pa, NULL));
	/* a PA in both: the kernel image VA wins */
	CHECK(kernel_map_pa_to_va(&km, 0x40200000, &va, NULL));
	CHECK_EQ(va, 0xffff800008000000ull);
	CHECK(kernel_map_init(&km, a, 0x10000000, 0x40000000, 512 << 20, err, sizeof(err)) < 0);
	CHECK(strstr(err, "outside RAM"));

	/* riscv64: _start at 0xffffffff80000000 loaded at 0x80200000 */
	CHECK(kernel_map_init(&km, r, 0x80200000, 0x80000000, 512 << 20, err, sizeof(err)) == 0);
	CHECK_EQ(km.image.va, map_addr(fx("riscv64", "System.map"), "_start"));
	CHECK_EQ(km.image.va, 0xffffffff80000000ull);
	{
		uint64_t b = map_addr(fx("riscv64", "System.map"), "linux_banner");
		CHECK(kernel_map_va_to_pa(&km, b, &pa, NULL));
		CHECK_EQ(pa, 0x80200000 + (b - 0xffffffff80000000ull));
	}
	CHECK(!kernel_map_va_to_pa(&km, RISCV_PAGE_OFFSET_SV39, &pa, NULL));	/* mode not known */
	kernel_map_riscv_linear(&km, 8);
	CHECK(kernel_map_va_to_pa(&km, RISCV_PAGE_OFFSET_SV39 + 0x1234, &pa, NULL));
	CHECK_EQ(pa, 0x80201234);
	kernel_map_riscv_linear(&km, 10);
	CHECK(kernel_map_va_to_pa(&km, 0xff60000000000000ull, &pa, NULL));
	CHECK_EQ(pa, 0x80200000);
	CHECK(!kernel_map_va_to_pa(&km, RISCV_PAGE_OFFSET_SV39, &pa, NULL));
	kernel_map_riscv_linear(&km, 0);
	CHECK(!kernel_map_va_to_pa(&km, 0xff60000000000000ull, &pa, NULL));
	vmlinux_free(a);
	vmlinux_free(r);
}

static char *write_tmp(const char *tag, const void *data, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/kwb-test-symbols-%d-%s", (int)getpid(), tag);
	f = fopen(path, "wb");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
	return path;
}

static void expect_error(const char *path, const char *arch, const char *want)
{
	char err[256] = "";
	vmlinux *v = vmlinux_open(path, arch, err, sizeof(err));

	CHECK(v == NULL);
	vmlinux_free(v);
	if (!strstr(err, want) || strchr(err, '\n') || !strstr(err, path)) {
		printf("  %s: got '%s', want '%s'\n", path, err, want);
		CHECK(!"one-line error naming the file and the problem");
	}
}

static void bad_files(void)
{
	size_t size;
	const char *e;
	uint8_t *data = kwb_read_file(fx("riscv64", "vmlinux"), &size, &e);
	static const size_t cuts[] = { 0, 3, 40, 64, 100, 4096, 1 << 20, 30 << 20 };
	char *p;

	CHECK(data != NULL);
	if (!data)
		return;
	expect_error(fx("arm64", "vmlinux"), "riscv64", "e_machine is aarch64");
	expect_error(fx("riscv64", "vmlinux"), "aarch64", "e_machine is riscv64");
	expect_error(fx("arm64", "System.map"), "aarch64", "not an ELF file");
	expect_error("/nonexistent/vmlinux", "aarch64", "No such file");
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		char tag[32];
		snprintf(tag, sizeof(tag), "cut%zu", cuts[i]);
		p = write_tmp(tag, data, cuts[i]);
		expect_error(p, "riscv64", cuts[i] < 4 ? "not an ELF" : "truncated");
		unlink(p);
	}
	/* the end of the file (section headers, .symtab, .strtab) cut off */
	p = write_tmp("cutend", data, size - 1000);
	expect_error(p, "riscv64", "truncated");
	unlink(p);
	/* issue 13: .shstrtab's header says it is not a string table (was a
	 * read past a 1-byte buffer for every section name) */
	{
		uint64_t shoff;
		uint16_t shentsize, shstrndx;
		uint32_t progbits = 1;	/* SHT_PROGBITS */
		char err[256] = "";
		memcpy(&shoff, data + 0x28, 8);
		memcpy(&shentsize, data + 0x3a, 2);
		memcpy(&shstrndx, data + 0x3e, 2);
		memcpy(data + shoff + (uint64_t)shstrndx * shentsize + 4, &progbits, 4);	/* sh_type */
		p = write_tmp("shstrtype", data, size);
		vmlinux *v = vmlinux_open(p, "riscv64", err, sizeof(err));
		CHECK(v != NULL);
		if (!v)
			printf("  %s\n", err);
		if (v) {
			const ksym *sk = vmlinux_sym_named(v, "start_kernel");
			CHECK(v->nsections > 3);
			for (int i = 0; i < v->nsections; i++)
				CHECK(!strcmp(v->sections[i].name, "?"));
			CHECK(sk && vmlinux_section_at(v, sk->addr) &&
			      !strcmp(vmlinux_section_at(v, sk->addr)->name, "?"));
		}
		vmlinux_free(v);
		unlink(p);
		progbits = 3;	/* SHT_STRTAB again for what follows */
		memcpy(data + shoff + (uint64_t)shstrndx * shentsize + 4, &progbits, 4);
	}
	/* a section pointing past the end of the file */
	{
		uint64_t shoff;
		uint16_t shnum, shentsize;
		memcpy(&shoff, data + 0x28, 8);
		memcpy(&shentsize, data + 0x3a, 2);
		memcpy(&shnum, data + 0x3c, 2);
		CHECK(shnum > 3);
		uint64_t huge = size * 2;
		memcpy(data + shoff + 3 * shentsize + 0x18, &huge, 8);	/* sh_offset of section 3 */
		p = write_tmp("badsec", data, size);
		expect_error(p, "riscv64", "section 3");
		unlink(p);
	}
	free(data);
}

/* ---- page-table walkers on hand-built tables ---- */

static bus tb;
static paddr_t next_free;
#define RAM_BASE 0x40000000ull
#define RAM_SIZE (64ull << 20)

static size_t bus_reader(void *opaque, paddr_t pa, void *buf, size_t len)
{
	(void)opaque;
	return bus_debug_read(&tb, pa, buf, len) == BUS_OK ? len : 0;
}

static void reset_ram(void)
{
	if (!tb.count)
		bus_add_ram(&tb, "ram", RAM_BASE, RAM_SIZE);
	memset(tb.ram->host, 0, RAM_SIZE);
	next_free = RAM_BASE;
}

static paddr_t alloc_table(size_t bytes)
{
	paddr_t p = (next_free + bytes - 1) & ~(paddr_t)(bytes - 1);
	next_free = p + bytes;
	return p;
}

static uint64_t rd64(paddr_t pa)
{
	uint64_t v = 0;
	bus_debug_read(&tb, pa, &v, 8);
	return v;
}

static void wr64(paddr_t pa, uint64_t v) { bus_debug_write(&tb, pa, &v, 8); }

/* Test-side model of the table layout: levels, shifts, entries. */
typedef struct layout { int n; unsigned shift[6], entries[6]; int level[6]; } layout;

static void get_layout(const pt_regime *r, layout *l)
{
	unsigned g = r->granule, per = r->fmt == PT_RISCV ? 9 : g - 3;
	unsigned covered = g;

	l->n = 0;
	while (covered < r->va_bits) {
		covered += per;
		l->n++;
	}
	for (int d = 0; d < l->n; d++) {
		l->shift[d] = g + per * (l->n - 1 - d);
		l->entries[d] = 1u << per;
		l->level[d] = r->fmt == PT_RISCV ? l->n - 1 - d : 4 - l->n + d;
	}
	l->entries[0] = 1u << (r->va_bits - l->shift[0]);
}

static int depth_of_level(const layout *l, int level)
{
	for (int d = 0; d < l->n; d++)
		if (l->level[d] == level)
			return d;
	return -1;
}

/* Maps va at depth leaf_d; attrs are the descriptor's attribute bits. */
static void map(const pt_regime *r, vaddr_t va, paddr_t pa, int leaf_d, uint64_t attrs, uint64_t table_bits)
{
	layout l;
	paddr_t t = r->root;

	get_layout(r, &l);
	for (int d = 0; d <= leaf_d; d++) {
		uint64_t idx = (va >> l.shift[d]) & (l.entries[d] - 1);
		paddr_t slot = t + idx * 8;
		uint64_t desc = rd64(slot);
		if (d == leaf_d) {
			if (r->fmt == PT_RISCV)
				wr64(slot, (pa >> 12) << 10 | attrs | 1);
			else
				wr64(slot, pa | attrs | (d == l.n - 1 ? 3 : 1));
			return;
		}
		if (!desc) {
			paddr_t nt = alloc_table(r->fmt == PT_RISCV ? 4096 : 1u << r->granule);
			desc = r->fmt == PT_RISCV ? (nt >> 12) << 10 | 1 : nt | 3 | table_bits;
			wr64(slot, desc);
		}
		t = r->fmt == PT_RISCV ? ((desc >> 10) & ((1ull << 44) - 1)) << 12
				       : desc & 0x0000fffffffff000ull & ~((1ull << r->granule) - 1);
	}
}

typedef struct collected { pt_leaf l[64]; int n; int calls; int limit; } collected;

static bool collect(void *p, const pt_leaf *l)
{
	collected *c = p;
	if (c->limit && c->calls >= c->limit)
		return false;
	c->calls++;
	if (c->n < 64)
		c->l[c->n++] = *l;
	return true;
}

#define A64_NORMAL (0x3ull << 8 | 1ull << 10 | 0 << 2)	/* SHD AF AttrIndx 0 */
#define A64_DEVICE (1ull << 10 | 1 << 2 | 1ull << 53 | 1ull << 54)

static void a64_case(unsigned granule, unsigned va_bits, bool upper)
{
	pt_regime r;
	char err[160], attrs[96];
	uint64_t tcr = upper ? ((uint64_t)(64 - va_bits) << 16 | (uint64_t)(granule == 12 ? 2 : granule == 14 ? 1 : 3) << 30)
			     : ((uint64_t)(64 - va_bits) | (uint64_t)(granule == 12 ? 0 : granule == 14 ? 2 : 1) << 14);
	uint64_t page = 1ull << granule, vbase = upper ? ~0ull << va_bits : 0;
	layout l;
	walk_log log;
	paddr_t pa;
	collected col = { 0 };
	pt_stats st;
	int last;

	reset_ram();
	CHECK(pt_regime_aarch64(&r, 0, tcr, 0x04ff /* attr0 normal WB, attr1 device nGnRE */, upper,
				err, sizeof(err)) == 0);
	CHECK_EQ(r.granule, granule);
	CHECK_EQ(r.va_bits, va_bits);
	get_layout(&r, &l);
	r.root = alloc_table(page);
	last = l.n - 1;

	/* four contiguous normal pages, then a device page */
	vaddr_t v0 = vbase | (3ull << (va_bits - 2)) | 5 * page;
	paddr_t p0 = RAM_BASE + (32ull << 20);
	for (int i = 0; i < 4; i++)
		map(&r, v0 + i * page, p0 + i * page, last, A64_NORMAL, 0);
	map(&r, v0 + 4 * page, 0x09000000, last, A64_DEVICE, 0);

	CHECK(pt_translate(&r, bus_reader, NULL, v0 + page + 0x123, &pa, &log) == 0);
	CHECK_EQ(pa, p0 + page + 0x123);
	CHECK_EQ(log.count, l.n);
	CHECK_EQ(log.steps[log.count - 1].level, 3);
	CHECK_EQ(log.steps[0].level, 4 - l.n);
	CHECK_EQ(log.steps[0].table, r.root);
	CHECK(strstr(log.steps[log.count - 1].note, "page"));
	CHECK(strstr(log.result, "MEM/NORMAL") && strstr(log.result, "RW") && strstr(log.result, "SHD"));
	CHECK(pt_translate(&r, bus_reader, NULL, v0 + 4 * page, &pa, &log) == 0);
	CHECK_EQ(pa, 0x09000000);
	CHECK(strstr(log.result, "DEVICE/nGnRE") && strstr(log.result, "UXN") && strstr(log.result, "NX"));

	/* unmapped: fault at the last level (its table exists) and at the top */
	CHECK(pt_translate(&r, bus_reader, NULL, v0 + 6 * page, &pa, &log) < 0);
	CHECK(strstr(log.result, "translation fault at level 3"));
	CHECK(pt_translate(&r, bus_reader, NULL, vbase | 1ull << (va_bits - 1 - 1), &pa, &log) < 0);
	CHECK(strstr(log.result, "translation fault"));
	/* the other half's addresses are outside this regime */
	CHECK(pt_translate(&r, bus_reader, NULL, upper ? 0x1000 : ~0ull, &pa, &log) < 0);
	CHECK(strstr(log.result, "outside"));

	/* a block at the first level that allows one */
	int bl = granule == 12 ? 1 : 2, bd = depth_of_level(&l, bl);
	if (bd < 0 && granule == 12)
		bd = depth_of_level(&l, bl = 2);
	CHECK(bd >= 0);
	uint64_t bsize = 1ull << l.shift[bd];
	vaddr_t vb = vbase | (1ull << (va_bits - 2));
	paddr_t pb = bsize <= RAM_SIZE ? RAM_BASE : 0x80000000000ull & ~(bsize - 1);
	map(&r, vb, pb, bd, A64_NORMAL | 1ull << 7 /* ro */, 1ull << 60 /* XNTable: ignored at the leaf's own level */);
	CHECK(pt_translate(&r, bus_reader, NULL, vb + bsize - 8, &pa, &log) == 0);
	CHECK_EQ(pa, pb + bsize - 8);
	CHECK_EQ(log.count, bd + 1);
	CHECK(strstr(log.steps[bd].note, "block"));
	CHECK(strstr(log.result, "ro") && strstr(log.result, "BLK"));
	if (bd > 0)	/* XNTable from the table above was folded in */
		CHECK(strstr(log.result, "UXN"));

	/* dump: the block, then the 4 pages merged, then the device page */
	CHECK(pt_dump(&r, bus_reader, NULL, 1000, collect, &col, &st) == 0);
	CHECK_EQ(col.n, 3);
	CHECK_EQ(col.l[0].va, vb);
	CHECK_EQ(col.l[0].size, bsize);
	CHECK_EQ(col.l[0].level, bl);
	CHECK_EQ(col.l[1].va, v0);
	CHECK_EQ(col.l[1].pa, p0);
	CHECK_EQ(col.l[1].size, 4 * page);
	CHECK_EQ(col.l[1].level, 3);
	CHECK_EQ(col.l[2].pa, 0x09000000);
	CHECK_EQ(col.l[2].size, page);
	CHECK_EQ(st.bad, 0);
	pt_attr_string(&r, col.l[2].attrs, attrs, sizeof(attrs));
	CHECK(strstr(attrs, "DEVICE/nGnRE"));

	/* a block where none is allowed (level 0 with 4K, level 1 with 16K/64K) */
	if (l.level[0] < bl) {
		uint64_t idx = (v0 >> l.shift[0]) & (l.entries[0] - 1);
		wr64(r.root + idx * 8, RAM_BASE | A64_NORMAL | 1);
		CHECK(pt_translate(&r, bus_reader, NULL, v0, &pa, &log) < 0);
		CHECK(strstr(log.result, "block not allowed"));
		CHECK(pt_dump(&r, bus_reader, NULL, 1000, collect, &col, &st) == 0);
		CHECK_EQ(st.bad, 1);
	}
}

static void aarch64_4k_39(void) { a64_case(12, 39, false); a64_case(12, 39, true); }
static void aarch64_4k_48(void) { a64_case(12, 48, false); a64_case(12, 48, true); }
static void aarch64_16k_39(void) { a64_case(14, 39, false); a64_case(14, 39, true); }
static void aarch64_16k_48(void) { a64_case(14, 48, false); a64_case(14, 48, true); }
static void aarch64_64k_39(void) { a64_case(16, 39, false); a64_case(16, 39, true); }
static void aarch64_64k_48(void) { a64_case(16, 48, false); a64_case(16, 48, true); }

static void aarch64_table_limits_and_regime_errors(void)
{
	pt_regime r;
	char err[160];
	walk_log log;
	paddr_t pa;

	reset_ram();
	CHECK(pt_regime_aarch64(&r, RAM_BASE | 1, 25 << 16 | 2ull << 30, 0xff, true, err, sizeof(err)) == 0);
	CHECK_EQ(r.root, RAM_BASE);	/* CnP bit dropped */
	next_free = RAM_BASE + 4096;
	/* APTable[1] (no writes below) and APTable[0] (no EL0) on the L1 table */
	map(&r, 0xffffff8000000000ull, RAM_BASE + 0x200000, 1, 3ull << 8 | 1 << 10 | 1 << 6,
	    1ull << 62 | 1ull << 61);
	CHECK(pt_translate(&r, bus_reader, NULL, 0xffffff8000000000ull, &pa, &log) == 0);
	CHECK_EQ(pa, RAM_BASE + 0x200000);
	CHECK(strstr(log.result, "ro "));
	CHECK(!strstr(log.result, "USER"));
	/* without the table limits the same block is RW and EL0-accessible */
	map(&r, 0xffffffc000000000ull, RAM_BASE + 0x200000, 1, 3ull << 8 | 1 << 10 | 1 << 6, 0);
	CHECK(pt_translate(&r, bus_reader, NULL, 0xffffffc000000000ull, &pa, &log) == 0);
	CHECK(strstr(log.result, "RW ") && strstr(log.result, "USER"));
	/* reserved encodings */
	CHECK(pt_regime_aarch64(&r, 0, 16 | 1 << 7, 0, false, err, sizeof(err)) < 0);
	CHECK(strstr(err, "EPD0"));
	CHECK(pt_regime_aarch64(&r, 0, 16ull << 16, 0, true, err, sizeof(err)) < 0);
	CHECK(strstr(err, "TG1"));
	CHECK(pt_regime_aarch64(&r, 0, 60, 0, false, err, sizeof(err)) < 0);	/* 4-bit VA */
	/* level 3 with 0b01 is reserved */
	reset_ram();
	CHECK(pt_regime_aarch64(&r, RAM_BASE, 25, 0xff, false, err, sizeof(err)) == 0);
	next_free = RAM_BASE + 4096;
	map(&r, 0x1000, RAM_BASE, 2, 0, 0);
	{
		paddr_t l2 = rd64(RAM_BASE) & 0xfffffffff000ull;
		paddr_t l3 = rd64(l2) & 0xfffffffff000ull;
		CHECK(pt_translate(&r, bus_reader, NULL, 0x1000, &pa, &log) == 0);
		wr64(l3 + 8, RAM_BASE | 1);
	}
	CHECK(pt_translate(&r, bus_reader, NULL, 0x1000, &pa, &log) < 0);
	CHECK(strstr(log.result, "reserved"));
}

static void riscv_case(unsigned va_bits)
{
	pt_regime r;
	char err[160], attrs[96];
	layout l;
	walk_log log;
	paddr_t pa;
	collected col = { 0 };
	pt_stats st;
	unsigned mode = va_bits == 39 ? 8 : va_bits == 48 ? 9 : 10;
	const uint64_t RWX = 2 | 4 | 8, AD = 0x40 | 0x80, G = 0x20;

	reset_ram();
	next_free = RAM_BASE + 4096;
	CHECK(pt_regime_riscv(&r, (uint64_t)mode << 60 | RAM_BASE >> 12, err, sizeof(err)) == 0);
	CHECK_EQ(r.root, RAM_BASE);
	CHECK_EQ(r.va_bits, va_bits);
	get_layout(&r, &l);
	CHECK_EQ(l.n, (int)(va_bits - 12) / 9);

	vaddr_t kva = ~0ull << (va_bits - 1) | 0x40000000ull;	/* negative half */
	for (int i = 0; i < 3; i++)
		map(&r, kva + i * 4096, RAM_BASE + 0x100000 + i * 4096, l.n - 1, RWX | AD | G, 0);
	map(&r, 0x200000, RAM_BASE + 0x200000, l.n - 2, 2 | 0x10 | AD, 0);	/* user RO megapage */

	CHECK(pt_translate(&r, bus_reader, NULL, kva + 4096 + 0x10, &pa, &log) == 0);
	CHECK_EQ(pa, RAM_BASE + 0x101010);
	CHECK_EQ(log.count, l.n);
	CHECK_EQ(log.steps[0].level, l.n - 1);
	CHECK_EQ(log.steps[l.n - 1].level, 0);
	CHECK(strstr(log.result, "D A G . X W R V"));
	CHECK(pt_translate(&r, bus_reader, NULL, 0x3ffff8, &pa, &log) == 0);
	CHECK_EQ(pa, RAM_BASE + 0x3ffff8);
	CHECK(strstr(log.steps[l.n - 2].note, "superpage 2M"));
	CHECK(strstr(log.result, "D A . U . . R V"));

	/* faults: non-canonical VA, invalid PTE, W without R, misaligned superpage */
	CHECK(pt_translate(&r, bus_reader, NULL, 1ull << (va_bits - 1), &pa, &log) < 0);
	CHECK(strstr(log.result, "outside"));
	CHECK(pt_translate(&r, bus_reader, NULL, kva + 3 * 4096, &pa, &log) < 0);
	CHECK(strstr(log.result, "level 0: invalid"));
	map(&r, 0x400000, RAM_BASE + 0x400000, l.n - 2, 4 | AD, 0);
	CHECK(pt_translate(&r, bus_reader, NULL, 0x400000, &pa, &log) < 0);
	CHECK(strstr(log.result, "W without R"));
	map(&r, 0x600000, RAM_BASE + 0x601000, l.n - 2, 2 | AD, 0);
	CHECK(pt_translate(&r, bus_reader, NULL, 0x600000, &pa, &log) < 0);
	CHECK(strstr(log.result, "misaligned superpage"));

	CHECK(pt_dump(&r, bus_reader, NULL, 1000, collect, &col, &st) == 0);
	CHECK_EQ(col.n, 2);
	CHECK_EQ(col.l[0].va, 0x200000);
	CHECK_EQ(col.l[0].size, 0x200000);
	CHECK_EQ(col.l[1].va, kva);
	CHECK_EQ(col.l[1].size, 3 * 4096);
	CHECK_EQ(col.l[1].level, 0);
	CHECK_EQ(st.bad, 2);
	pt_attr_string(&r, col.l[1].attrs, attrs, sizeof(attrs));
	CHECK(!strcmp(attrs, "D A G . X W R V"));
}

static void riscv_sv39(void) { riscv_case(39); }
static void riscv_sv48(void) { riscv_case(48); }
static void riscv_sv57(void) { riscv_case(57); }

static void riscv_regime_errors(void)
{
	pt_regime r;
	char err[160];

	CHECK(pt_regime_riscv(&r, 0, err, sizeof(err)) < 0);
	CHECK(strstr(err, "Bare"));
	CHECK(pt_regime_riscv(&r, 3ull << 60, err, sizeof(err)) < 0);
	CHECK(strstr(err, "reserved"));
}

/* A table whose every entry points back at itself: bounded by the caps. */
static void cyclic_tables_are_bounded(void)
{
	pt_regime r;
	char err[160];
	collected col = { .limit = 5000 };
	pt_stats st;
	double t0 = now();

	reset_ram();
	CHECK(pt_regime_aarch64(&r, RAM_BASE, 16, 0, false, err, sizeof(err)) == 0);
	for (int i = 0; i < 512; i++)
		wr64(RAM_BASE + i * 8, RAM_BASE | 3);
	CHECK(pt_dump(&r, bus_reader, NULL, 200, collect, &col, &st) == 1);
	CHECK(st.capped);
	CHECK(st.tables <= 200);
	col = (collected){ .limit = 50 };
	CHECK(pt_walk(&r, bus_reader, NULL, 1 << 20, collect, &col, &st) == 1);
	CHECK_EQ(col.calls, 50);
	/* riscv: root pointing at itself */
	CHECK(pt_regime_riscv(&r, 8ull << 60 | RAM_BASE >> 12, err, sizeof(err)) == 0);
	for (int i = 0; i < 512; i++)
		wr64(RAM_BASE + i * 8, (RAM_BASE >> 12) << 10 | 1);
	col = (collected){ 0 };
	CHECK(pt_dump(&r, bus_reader, NULL, 300, collect, &col, &st) == 1);
	CHECK(st.tables <= 300);
	CHECK(now() - t0 < 2.0);
	/* a root outside memory */
	r.root = 0x1000;
	CHECK(pt_dump(&r, bus_reader, NULL, 300, collect, &col, &st) == 0);
	CHECK_EQ(st.bad, 1);
}

/* ---- monitor commands on a machine with a fake aarch64-named CPU ---- */

enum { R_PC, R_TTBR0, R_TTBR1, R_TCR, R_MAIR, R_SATP, NREGS };
static const reg_desc fake_regs[NREGS] = {
	{ .name = "pc", .bitsize = 64 }, { .name = "TTBR0_EL1", .bitsize = 64 },
	{ .name = "TTBR1_EL1", .bitsize = 64 }, { .name = "TCR_EL1", .bitsize = 64 },
	{ .name = "MAIR_EL1", .bitsize = 64 }, { .name = "satp", .bitsize = 64 },
};
static const reg_feature fake_features[] = { { "org.kwb.fake", "fake.xml" } };
static const reg_table fake_table = { fake_regs, NREGS, fake_features, 1, "aarch64", NULL };
static uint64_t fake_reg[NREGS];
static bool fake_mmu;
static cpu fake_cpu;

static int f_reg_read(cpu *c, int idx, uint8_t *buf) { (void)c; memcpy(buf, &fake_reg[idx], 8); return 0; }
static int f_reg_write(cpu *c, int idx, const uint8_t *buf) { (void)c; memcpy(&fake_reg[idx], buf, 8); return 0; }
static uint64_t f_get_pc(cpu *c) { (void)c; return fake_reg[R_PC]; }
static bool f_mmu(cpu *c) { (void)c; return fake_mmu; }
static void f_flush(cpu *c) { (void)c; }
static size_t machine_reader(void *opaque, paddr_t pa, void *buf, size_t len)
{
	return dbg_mem_read(opaque, 0, pa, buf, len, DBG_PHYS);
}

/* A CPU that does not log its walks: vtop falls back to kwb's walker. */
static int f_translate(cpu *c, vaddr_t va, int acc, paddr_t *pa, walk_log *log)
{
	pt_regime r;
	char err[160];
	(void)acc; (void)log;
	if (pt_regime_aarch64(&r, fake_reg[va >> 63 ? R_TTBR1 : R_TTBR0], fake_reg[R_TCR], 0, va >> 63, err, sizeof(err)))
		return -1;
	return pt_translate(&r, machine_reader, c->m, va, pa, NULL);
}
static arch_ops fake_arch = {
	.name = "aarch64", .regs = &fake_table, .reg_read = f_reg_read, .reg_write = f_reg_write,
	.get_pc = f_get_pc, .mmu_enabled = f_mmu, .debug_translate = f_translate,
	.flush_decode = f_flush, .flush_tlb = f_flush,
};

static machine *fake_machine(kwb_options *opt)
{
	machine *m = kwb_zalloc(sizeof(*m));
	m->opt = opt;
	m->arch = &fake_arch;
	m->ncpus = 1;
	m->cpus[0] = &fake_cpu;
	fake_cpu.m = m;
	fake_cpu.arch = &fake_arch;
	m->dbg = dbg_create(m);
	return m;
}

static char *mon(machine *m, const char *line, int *ret)
{
	static mon_out out;
	mon_ctx ctx = { .m = m, .cpu = 0, .out = &out };

	out.len = 0;
	if (out.buf)
		out.buf[0] = 0;
	*ret = monitor_run(&ctx, line);
	return out.buf ? out.buf : (char *)"";
}

static void monitor_commands(void)
{
	kwb_options opt = { 0 };
	machine *m;
	char err[256] = "", *o, buf[64];
	int ret;
	size_t isize;
	const char *e;
	uint8_t *image = kwb_read_file(fx("arm64", "Image"), &isize, &e);
	uint64_t sk = map_addr(fx("arm64", "System.map"), "start_kernel");
	uint64_t banner = map_addr(fx("arm64", "System.map"), "linux_banner");
	const paddr_t load = 0x40200000;

	CHECK(image != NULL);
	if (!image)
		return;
	opt.kernel = fx("arm64", "Image");	/* vmlinux beside it is found */
	m = fake_machine(&opt);
	/* replace the walker test bus with this machine's */
	bus_add_ram(&m->bus, "ram", 0x40000000, 512ull << 20);
	bus_copy_to(&m->bus, load, image, isize);
	machine_add_image(m, "kernel", opt.kernel, load, isize);
	CHECK(symbols_attach(m, err, sizeof(err)) == 0);
	CHECK(symbols_get(m) != NULL);
	CHECK(symbols_attach(m, err, sizeof(err)) == 0);	/* again, as after a reset */

	o = mon(m, "sym start_kernel", &ret);
	CHECK(ret == 0);
	snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)sk);
	CHECK(strstr(o, buf));
	snprintf(buf, sizeof(buf), "PA 0x%llx (kernel image)", (unsigned long long)(load + sk - 0xffff800008000000ull));
	CHECK(strstr(o, buf));
	snprintf(buf, sizeof(buf), "sym 0x%llx", (unsigned long long)(sk + 0x10));
	o = mon(m, buf, &ret);
	CHECK(ret == 0 && strstr(o, "start_kernel+0x10"));
	snprintf(buf, sizeof(buf), "sym 0x%llx", (unsigned long long)(load + sk - 0xffff800008000000ull + 4));
	o = mon(m, buf, &ret);
	CHECK(ret == 0 && strstr(o, "start_kernel+0x4") && strstr(o, "kernel image"));
	o = mon(m, "sym start_kernel+0x20", &ret);
	CHECK(ret == 0 && strstr(o, "start_kernel+0x20"));
	o = mon(m, "sym", &ret);
	snprintf(buf, sizeof(buf), "-o 0x%llx\n", (unsigned long long)(load - 0xffff800008000000ull));
	CHECK(ret == 0 && strstr(o, "add-symbol-file") && strstr(o, buf));
	CHECK(strstr(o, "kernel image  VA 0xffff800008000000-") && strstr(o, "-> PA 0x40200000"));
	CHECK(strstr(o, "linear map    VA 0xffff000000000000-0xffff00001fffffff -> PA 0x40000000"));
	o = mon(m, "sym tart_kerne", &ret);
	CHECK(ret < 0 && strstr(o, "similar") && strstr(o, "start_kernel"));
	o = mon(m, "sym 0x10", &ret);
	CHECK(ret < 0 && strstr(o, "no kernel symbol"));

	/* translation off: debugger reads of kernel VAs use the image alias */
	fake_mmu = false;
	{
		char text[32] = "";
		CHECK_EQ(dbg_mem_read(m, 0, banner, text, 17, 0), 17);
		CHECK(!memcmp(text, "Linux version 6.1", 17));
	}
	o = mon(m, "vtop linux_banner", &ret);
	CHECK(ret == 0 && strstr(o, "translation off") && strstr(o, "kernel image alias"));
	snprintf(buf, sizeof(buf), "=> PA 0x%llx", (unsigned long long)(load + banner - 0xffff800008000000ull));
	CHECK(strstr(o, buf));

	o = mon(m, "ptdump", &ret);
	CHECK(ret == 0 && strstr(o, "TCR_EL1 is 0: the MMU has not been set up yet"));

	/* translation on: a TTBR1 table mapping the image with a 2M block */
	{
		paddr_t root = 0x41000000, l1 = 0x41001000, l2 = 0x41002000;
		uint64_t v;
		fake_reg[R_TCR] = 16 | 16ull << 16 | 2ull << 30;
		fake_reg[R_MAIR] = 0xff;
		fake_reg[R_TTBR1] = root;
		v = l1 | 3; bus_copy_to(&m->bus, root + 256 * 8, &v, 8);	/* 0xffff800000000000 */
		v = l2 | 3; bus_copy_to(&m->bus, l1 + 0 * 8, &v, 8);
		v = (load & ~0x1fffffull) | 1 | 3 << 8 | 1 << 10; bus_copy_to(&m->bus, l2 + 64 * 8, &v, 8);
		fake_mmu = true;
		o = mon(m, "vtop 0xffff800008000010", &ret);
		CHECK(ret == 0);
		CHECK(strstr(o, "L0 table 0x41000000"));
		CHECK(strstr(o, "L2 table 0x41002000"));
		CHECK(strstr(o, "block 2M"));
		CHECK(strstr(o, "=> PA 0x40200010"));
		o = mon(m, "ptdump ttbr1", &ret);
		CHECK(ret == 0 && strstr(o, "---[ kernel image ]---\n0xffff800008000000-0xffff8000081fffff -> 0x000040200000") &&
		      strstr(o, "<_text>") && strstr(o, "1 ranges"));
		o = mon(m, "vtop 0xffff900000000000", &ret);	/* not mapped: the fault is the answer */
		CHECK(ret == 0 && strstr(o, "translation fault at level 0") && strstr(o, "=> not mapped"));
		o = mon(m, "vtop 0x1234", &ret);	/* TTBR0 is 0: level 0 reads PA 0 */
		CHECK(ret == 0 && strstr(o, "=> not mapped"));
		o = mon(m, "ptdump", &ret);	/* TTBR0 is 0: skipped */
		CHECK(ret == 0 && strstr(o, "TTBR0_EL1: root is 0"));
		o = mon(m, "ptdump 0x41000000", &ret);
		CHECK(ret == 0 && strstr(o, "1 ranges"));
		o = mon(m, "ptdump 0x41000000 sv39", &ret);
		CHECK(ret < 0);
		fake_mmu = false;
	}

	/* physical breakpoints and watchpoints */
	o = mon(m, "pbreak start_kernel", &ret);
	CHECK(ret == 0 && strstr(o, "physical break") && strstr(o, "<start_kernel>"));
	CHECK(dbg_bp_hit(&fake_cpu, 0x1234, load + sk - 0xffff800008000000ull));
	dbg_take_stop(m);
	o = mon(m, "pwatch 0x40000100 8 r", &ret);
	CHECK(ret == 0 && strstr(o, "watch read"));
	CHECK(dbg_watch_hit(&fake_cpu, 0x5000, 0x40000104, 4, ACC_READ));
	dbg_take_stop(m);
	CHECK(!dbg_watch_hit(&fake_cpu, 0x5000, 0x40000104, 4, ACC_WRITE));
	o = mon(m, "pwatch 0x40000100 0", &ret);
	CHECK(ret < 0);
	o = mon(m, "pbreak", &ret);
	CHECK(strstr(o, "watch read at PA 0x40000100 length 8"));
	o = mon(m, "pdelete", &ret);
	CHECK(ret == 0 && strstr(o, "removed 2"));
	CHECK(!dbg_bp_hit(&fake_cpu, 0x1234, load + sk - 0xffff800008000000ull));
	CHECK(!dbg_watch_hit(&fake_cpu, 0x5000, 0x40000104, 4, ACC_READ));

	/* breakpoints on a kernel VA also stop at its physical alias */
	CHECK(dbg_bp_insert(m, BP_SW, sk, 4) == 0);
	CHECK(dbg_bp_hit(&fake_cpu, load + sk - 0xffff800008000000ull, load + sk - 0xffff800008000000ull));
	dbg_take_stop(m);
	symbols_free(m);
	CHECK(m->symbols == NULL);
	dbg_free(m);
	bus_free(&m->bus);
	free(m);
	free(image);
}

static void explicit_symbols_errors(void)
{
	kwb_options opt = { 0 };
	machine *m;
	char err[256] = "";

	opt.symbols = fx("riscv64", "vmlinux");	/* wrong architecture */
	m = fake_machine(&opt);
	CHECK(symbols_attach(m, err, sizeof(err)) < 0);
	CHECK(strstr(err, "e_machine is riscv64") && strstr(err, opt.symbols));
	CHECK(m->symbols == NULL);
	/* no -symbols and no vmlinux beside the kernel: fine, no symbols */
	opt.symbols = NULL;
	opt.kernel = "/nonexistent/Image";
	CHECK(symbols_attach(m, err, sizeof(err)) == 0);
	CHECK(m->symbols == NULL);
	dbg_free(m);
	free(m);
}

int main(void)
{
	RUN(aarch64_4k_39);
	RUN(aarch64_4k_48);
	RUN(aarch64_16k_39);
	RUN(aarch64_16k_48);
	RUN(aarch64_64k_39);
	RUN(aarch64_64k_48);
	RUN(aarch64_table_limits_and_regime_errors);
	RUN(riscv_sv39);
	RUN(riscv_sv48);
	RUN(riscv_sv57);
	RUN(riscv_regime_errors);
	RUN(cyclic_tables_are_bounded);
	if (!have_fixtures()) {
		printf("SKIP: vmlinux fixtures: none in $KWB_FIXTURES or ../shared/fixtures\n");
		return CHECK_DONE();
	}
	RUN(vmlinux_arm64_vs_system_map);
	RUN(vmlinux_riscv64_vs_system_map);
	RUN(alias_arithmetic);
	RUN(bad_files);
	RUN(monitor_commands);
	RUN(explicit_symbols_errors);
	return CHECK_DONE();
}
