/* Unit tests for the loaders (core/loader.c): probing, and placing bytes
 * in guest RAM with range and overlap checks. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/loader.h"
#include "core/machine.h"
#include "tests/unit/check.h"
#include "tests/unit/child.h"
#include "tests/unit/kernel_files.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE (16ull << 20)

static char tmpdir[] = "/tmp/kwb-test-loader-XXXXXX";
static machine *m;

static const char *tmp(const char *name)
{
	static char paths[16][300];
	static int next;
	char *p = paths[next++ % 16];

	snprintf(p, 300, "%s/%s", tmpdir, name);
	return p;
}

static const char *write_tmp(const char *name, const void *data, size_t len)
{
	const char *path = tmp(name);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len) {
		printf("FAIL: setup: cannot write %s\n", path);
		exit(1);
	}
	fclose(f);
	return path;
}

static machine *new_machine(void)
{
	machine *mm = kwb_zalloc(sizeof(*mm));

	bus_add_ram(&mm->bus, "ram", RAM_BASE, RAM_SIZE);
	return mm;
}

static kernel_info ki;
static char err[512];

static int probe(const char *path)
{
	err[0] = 0;
	return loader_probe_kernel(path, &ki, err, sizeof(err));
}

static void test_probe_arm64_image(void)
{
	uint8_t img[8192];

	kf_arm64_header(img, 0x80000, 0x4000, 2 << 1 /* 16K pages */);
	CHECK_EQ(probe(write_tmp("a.Image", img, sizeof(img))), 0);
	CHECK_EQ(ki.format, KFMT_ARM64_IMAGE);
	CHECK(ki.arch && !strcmp(ki.arch, "aarch64"));
	CHECK_EQ(ki.text_offset, 0x80000);
	CHECK_EQ(ki.image_size, 0x4000);
	CHECK_EQ(ki.flags, 4);
	CHECK(!ki.big_endian);
	CHECK_EQ(ki.file_size, sizeof(img));

	/* big-endian: refused, naming the file and the field */
	kf_arm64_header(img, 0, 0x4000, 1);
	CHECK_EQ(probe(write_tmp("be.Image", img, sizeof(img))), -1);
	CHECK(strstr(err, "be.Image") && strstr(err, "big-endian") && strstr(err, "0x18"));

	/* image_size smaller than the file */
	kf_arm64_header(img, 0, 0x1000, 0);
	CHECK_EQ(probe(write_tmp("small.Image", img, sizeof(img))), -1);
	CHECK(strstr(err, "image_size") && strstr(err, "0x10"));

	/* wrong magic: not an Image, so a raw binary without an architecture */
	kf_arm64_header(img, 0, 0x4000, 0);
	img[0x3b] = 0x65;
	CHECK_EQ(probe(write_tmp("magic.bin", img, sizeof(img))), 0);
	CHECK_EQ(ki.format, KFMT_RAW);
	CHECK(ki.arch == NULL);

	/* cut inside the header (head -c 40): truncated, not raw */
	kf_arm64_header(img, 0, 0x500000, 0xa);
	CHECK_EQ(probe(write_tmp("cut.Image", img, 40)), -1);
	CHECK(strstr(err, "cut.Image") && strstr(err, "truncated"));

	/* a tiny raw program is still fine */
	static const uint8_t prog[12] = { 0x1f, 0x20, 0x03, 0xd5, 0x00, 0x00, 0x00, 0x14 };
	CHECK_EQ(probe(write_tmp("tiny.bin", prog, sizeof(prog))), 0);
	CHECK_EQ(ki.format, KFMT_RAW);
}

static void test_probe_riscv_image(void)
{
	uint8_t img[4096] = { 0 };

	kf_riscv_header(img, 0x200000, 0x3000);
	CHECK_EQ(probe(write_tmp("rv.Image", img, sizeof(img))), 0);
	CHECK_EQ(ki.format, KFMT_RISCV_IMAGE);
	/* either magic is enough */
	memset(img + 0x30, 0, 8);
	CHECK_EQ(probe(write_tmp("rv2.Image", img, sizeof(img))), 0);
	CHECK_EQ(ki.format, KFMT_RISCV_IMAGE);
	memcpy(img + 0x30, "RISCV\0\0\0", 8);
	memset(img + 0x38, 0, 4);
	CHECK_EQ(probe(write_tmp("rv3.Image", img, sizeof(img))), 0);
	CHECK_EQ(ki.format, KFMT_RISCV_IMAGE);
	CHECK(ki.arch && !strcmp(ki.arch, "riscv64"));
	CHECK_EQ(ki.text_offset, 0x200000);
	CHECK_EQ(ki.image_size, 0x3000);
}

static void test_probe_bad_files(void)
{
	CHECK_EQ(probe(tmp("does-not-exist")), -1);
	CHECK(strstr(err, "does-not-exist") && strstr(err, "No such file"));
	CHECK_EQ(probe(write_tmp("empty", "", 0)), -1);
	CHECK(strstr(err, "empty"));
	CHECK_EQ(probe(tmpdir), -1);
	CHECK(strstr(err, "not a regular file"));
}

/* A one-segment ELF64: 16 bytes of code, 48 bytes of BSS, linked high. */
static size_t make_elf(uint8_t *buf, unsigned cls, unsigned machine_id, uint64_t paddr,
		       uint16_t phnum, uint64_t filesz)
{
	uint8_t code[16];

	for (int i = 0; i < 16; i++)
		code[i] = 0xa0 + i;
	return kf_elf(buf, &(struct kf_elf){ .cls = cls, .machine = (uint16_t)machine_id,
		.vaddr = 0xffffffff80000000ull, .paddr = paddr, .entry = 0xffffffff80000004ull,
		.phnum = phnum, .filesz = filesz, .memsz = 64, .code = code });
}

static void test_probe_elf(void)
{
	uint8_t elf[512];
	size_t n;

	n = make_elf(elf, ELFCLASS64, EM_RISCV, RAM_BASE + 0x200000, 1, 16);
	CHECK_EQ(probe(write_tmp("ok.elf", elf, n)), 0);
	CHECK_EQ(ki.format, KFMT_ELF);
	CHECK(ki.arch && !strcmp(ki.arch, "riscv64"));
	CHECK_EQ(ki.image_size, 64);

	n = make_elf(elf, ELFCLASS64, EM_AARCH64, RAM_BASE, 1, 16);
	CHECK_EQ(probe(write_tmp("a64.elf", elf, n)), 0);
	CHECK(ki.arch && !strcmp(ki.arch, "aarch64"));

	n = make_elf(elf, ELFCLASS64, EM_X86_64, RAM_BASE, 1, 16);
	CHECK_EQ(probe(write_tmp("x86.elf", elf, n)), -1);
	CHECK(strstr(err, "x86.elf") && strstr(err, "e_machine 62"));

	n = make_elf(elf, ELFCLASS32, EM_RISCV, RAM_BASE, 1, 16);
	CHECK_EQ(probe(write_tmp("32.elf", elf, n)), -1);
	CHECK(strstr(err, "32-bit") && strstr(err, "EI_CLASS"));

	/* program headers promised past the end of the file */
	n = make_elf(elf, ELFCLASS64, EM_RISCV, RAM_BASE, 9, 16);
	CHECK_EQ(probe(write_tmp("phnum.elf", elf, n)), -1);
	CHECK(strstr(err, "phnum.elf") && strstr(err, "truncated") && strstr(err, "e_phnum 9"));

	/* a segment whose file bytes are not all there */
	n = make_elf(elf, ELFCLASS64, EM_RISCV, RAM_BASE, 1, 16);
	CHECK_EQ(probe(write_tmp("seg.elf", elf, n - 4)), -1);
	CHECK(strstr(err, "seg.elf") && strstr(err, "PT_LOAD 0") && strstr(err, "p_filesz"));

	/* cut inside the ELF header */
	CHECK_EQ(probe(write_tmp("hdr.elf", elf, 20)), -1);
	CHECK(strstr(err, "truncated ELF header"));
}

static const char *fixtures(void)
{
	static char dir[512];
	const char *env = getenv("KWB_FIXTURES");
	const char *top = getenv("KWB_TOP");

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/../shared/fixtures", top ? top : ".");
	return access(dir, R_OK) == 0 ? dir : NULL;
}

static void test_probe_fixtures(void)
{
	const char *f = fixtures();
	char p[600];

	if (!f) {
		printf("SKIP: test_probe_fixtures: no fixtures (set KWB_FIXTURES)\n");
		return;
	}
	snprintf(p, sizeof(p), "%s/arm64/Image", f);
	CHECK_EQ(probe(p), 0);
	CHECK_EQ(ki.format, KFMT_ARM64_IMAGE);
	CHECK_EQ(ki.text_offset, 0);
	CHECK_EQ(ki.image_size, 0x500000);
	CHECK_EQ(ki.flags, 0xa);	/* LE, 4K pages, anywhere in RAM */
	snprintf(p, sizeof(p), "%s/riscv64/Image", f);
	CHECK_EQ(probe(p), 0);
	CHECK_EQ(ki.format, KFMT_RISCV_IMAGE);
	CHECK_EQ(ki.text_offset, 0x200000);
	snprintf(p, sizeof(p), "%s/arm64/vmlinux", f);
	CHECK_EQ(probe(p), 0);
	CHECK_EQ(ki.format, KFMT_ELF);
	CHECK(!strcmp(ki.arch, "aarch64"));
	snprintf(p, sizeof(p), "%s/riscv64/vmlinux", f);
	CHECK_EQ(probe(p), 0);
	CHECK(!strcmp(ki.arch, "riscv64"));
}

/* ---- loading ---- */

static uint8_t pattern[8192];
static const char *pattern_file, *other_file;

static void test_load_raw(void)
{
	uint8_t *ram;

	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 1);
	pattern_file = write_tmp("pattern.bin", pattern, sizeof(pattern));
	other_file = write_tmp("other.bin", pattern, 4096);
	CHECK_EQ(loader_load_raw(m, "kernel", pattern_file, RAM_BASE + 0x200000, 0), sizeof(pattern));
	ram = bus_ram_ptr(&m->bus, RAM_BASE + 0x200000, sizeof(pattern));
	CHECK(ram && !memcmp(ram, pattern, sizeof(pattern)));
	CHECK_EQ(m->nimages, 1);
	CHECK(!strcmp(m->images[0].what, "kernel"));
	CHECK_EQ(m->images[0].base, RAM_BASE + 0x200000);
	CHECK_EQ(m->images[0].size, sizeof(pattern));
	/* right after it: fine */
	CHECK_EQ(loader_load_raw(m, "initrd", other_file, RAM_BASE + 0x202000, 4096), 4096);
	CHECK_EQ(m->nimages, 2);
}

struct load_args {
	const char *what, *file;
	paddr_t pa;
	uint64_t max;
};

static void load_child(void *p)
{
	struct load_args *a = p;

	loader_load_raw(m, a->what, a->file, a->pa, a->max);
}

static void expect_load_error(struct load_args a, const char *s1, const char *s2)
{
	child_result r = run_child(load_child, &a);

	if (r.status != 1 || r.lines != 1 || !strstr(r.err, s1) || (s2 && !strstr(r.err, s2))) {
		printf("FAIL: %s: load %s at 0x%llx: status %d, stderr: %s", check_case, a.file,
		       (unsigned long long)a.pa, r.status, r.err);
		check_case_failed = 1;
	}
}

static void test_load_errors(void)
{
	/* overlapping the kernel: names both files and both ranges */
	expect_load_error((struct load_args){ "dtb", other_file, RAM_BASE + 0x201000, 0 },
			  "overlaps kernel", "[0x40200000-0x40202000)");
	expect_load_error((struct load_args){ "dtb", other_file, RAM_BASE + 0x201000, 0 },
			  "dtb", "pattern.bin");
	/* past the end of RAM */
	expect_load_error((struct load_args){ "initrd", pattern_file, RAM_BASE + RAM_SIZE - 4096, 0 },
			  "does not fit", "0x41000000");
	/* below RAM */
	expect_load_error((struct load_args){ "bios", pattern_file, 0x1000, 0 },
			  "is not in RAM", "[0x40000000-0x41000000)");
	/* more than the caller allows */
	expect_load_error((struct load_args){ "initrd", pattern_file, RAM_BASE, 4096 },
			  "do not fit in the 4096 bytes", "pattern.bin");
	expect_load_error((struct load_args){ "initrd", tmp("nonexistent"), RAM_BASE, 0 },
			  "nonexistent", "No such file");
	expect_load_error((struct load_args){ "initrd", write_tmp("e", "", 0), RAM_BASE, 0 },
			  "empty", NULL);
}

static void test_initrd_larger_than_ram(void)
{
	const char *huge = tmp("huge.cpio");
	FILE *f = fopen(huge, "w");

	if (!f || ftruncate(fileno(f), RAM_SIZE + 4096) < 0) {
		printf("FAIL: setup: %s\n", huge);
		exit(1);
	}
	fclose(f);
	expect_load_error((struct load_args){ "initrd", huge, RAM_BASE, 0 }, "huge.cpio", "fit");
}

static void test_load_elf(void)
{
	uint8_t elf[512];
	size_t n = make_elf(elf, ELFCLASS64, EM_RISCV, RAM_BASE + 0x400000, 1, 16);
	const char *path = write_tmp("load.elf", elf, n);
	uint8_t *ram = bus_ram_ptr(&m->bus, RAM_BASE + 0x400000, 64);
	paddr_t lo = 0, hi = 0;
	int before = m->nimages;

	memset(ram, 0xff, 64);
	/* the entry is virtual; the loader returns where it is in RAM */
	CHECK_EQ(loader_load_elf(m, "kernel", path, &lo, &hi), RAM_BASE + 0x400004);
	CHECK_EQ(lo, RAM_BASE + 0x400000);
	CHECK_EQ(hi, RAM_BASE + 0x400040);
	CHECK_EQ(ram[0], 0xa0);
	CHECK_EQ(ram[15], 0xaf);
	for (int i = 16; i < 64; i++)
		if (ram[i]) {
			CHECK_EQ(ram[i], 0);	/* BSS zero-filled */
			break;
		}
	CHECK_EQ(m->nimages, before + 1);
	CHECK_EQ(m->images[before].size, 64);
}

static void elf_child(void *p)
{
	loader_load_elf(m, "kernel", p, NULL, NULL);
}

static void test_load_elf_errors(void)
{
	uint8_t elf[512];
	size_t n = make_elf(elf, ELFCLASS64, EM_RISCV, 0x1000, 1, 16);
	child_result r = run_child(elf_child, (void *)write_tmp("low.elf", elf, n));

	CHECK_EQ(r.status, 1);
	CHECK(strstr(r.err, "low.elf") && strstr(r.err, "p_paddr 0x1000") &&
	      strstr(r.err, "not in RAM"));
	n = make_elf(elf, ELFCLASS64, EM_RISCV, RAM_BASE + 0x400010, 1, 16);
	r = run_child(elf_child, (void *)write_tmp("overlap.elf", elf, n));
	CHECK_EQ(r.status, 1);
	CHECK(strstr(r.err, "overlaps kernel") && strstr(r.err, "load.elf"));
	n = make_elf(elf, ELFCLASS64, EM_RISCV, RAM_BASE, 9, 16);
	r = run_child(elf_child, (void *)write_tmp("trunc.elf", elf, n));
	CHECK_EQ(r.status, 1);
	CHECK(strstr(r.err, "kwb: kernel ") && strstr(r.err, "trunc.elf") &&
	      strstr(r.err, "truncated"));
	CHECK_EQ(r.lines, 1);

	/* a vmlinux links at virtual addresses: refused with a hint */
	const char *f = fixtures();
	char p[600];
	if (f) {
		snprintf(p, sizeof(p), "%s/arm64/vmlinux", f);
		r = run_child(elf_child, p);
		CHECK_EQ(r.status, 1);
		CHECK(strstr(r.err, "not in RAM") && strstr(r.err, "-symbols"));
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		printf("FAIL: setup: mkdtemp\n");
		return 1;
	}
	m = new_machine();
	RUN(test_probe_arm64_image);
	RUN(test_probe_riscv_image);
	RUN(test_probe_bad_files);
	RUN(test_probe_elf);
	RUN(test_probe_fixtures);
	RUN(test_load_raw);
	RUN(test_load_errors);
	RUN(test_initrd_larger_than_ram);
	RUN(test_load_elf);
	RUN(test_load_elf_errors);
	if (!fork())
		execlp("rm", "rm", "-rf", tmpdir, (char *)NULL);
	wait(NULL);
	return CHECK_DONE();
}
