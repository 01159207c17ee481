/* Unit tests for the command line (core/options.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/options.h"
#include "tests/unit/check.h"
#include "tests/unit/child.h"

static char tmpdir[] = "/tmp/kwb-test-options-XXXXXX";
static char arm_image[256], rv_image[256], ini[256], disk[256];

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len) {
		printf("FAIL: setup: cannot write %s\n", path);
		exit(1);
	}
	fclose(f);
}

/* Minimal Image headers: enough for the probe to tell the architecture. */
static void make_images(void)
{
	uint8_t h[4096] = { 0 };

	if (!mkdtemp(tmpdir)) {
		printf("FAIL: setup: mkdtemp\n");
		exit(1);
	}
	snprintf(arm_image, sizeof(arm_image), "%s/arm64.Image", tmpdir);
	snprintf(rv_image, sizeof(rv_image), "%s/riscv.Image", tmpdir);
	snprintf(ini, sizeof(ini), "%s/vm.ini", tmpdir);
	snprintf(disk, sizeof(disk), "%s/disk.img", tmpdir);
	h[0x10 + 1] = 0x20;			/* image_size 0x2000 */
	memcpy(h + 0x38, "ARM\x64", 4);
	write_file(arm_image, h, sizeof(h));
	memset(h, 0, sizeof(h));
	h[0x10 + 1] = 0x20;
	h[8 + 2] = 0x20;			/* text_offset 0x200000 */
	memcpy(h + 0x30, "RISCV\0\0\0", 8);
	memcpy(h + 0x38, "RSC\x05", 4);
	write_file(rv_image, h, sizeof(h));
	write_file(disk, h, 512);
}

#define PARSE(o, ...) do { char *_a[] = { __VA_ARGS__ }; \
	options_parse(o, (int)ARRAY_SIZE(_a), _a); } while (0)

static void test_defaults(void)
{
	kwb_options o;

	PARSE(&o, "kwb");
	CHECK(!strcmp(o.machine, "virt"));
	CHECK(!strcmp(o.arch, "aarch64"));
	CHECK_EQ(o.smp, 1);
	CHECK_EQ(o.ram_size, 128ull << 20);	/* QEMU virt's default */
	CHECK(!strcmp(o.serial, "mon:stdio"));
	CHECK(o.nographic);
	CHECK(o.highmem);
	CHECK(!o.gdb && !o.kernel && !o.iommu && !o.start_stopped);
}

/* The fixtures' README command line, binary name swapped. */
static void test_arm64_line(void)
{
	kwb_options o;
	char drive[300];

	snprintf(drive, sizeof(drive), "file=%s,format=raw,if=none,id=d0", disk);
	PARSE(&o, "/usr/bin/kwb-system-aarch64", "-M", "virt,gic-version=3,iommu=smmuv3", "-cpu",
	      "cortex-a57", "-smp", "2", "-m", "512M", "-nographic", "-kernel", arm_image,
	      "-initrd", disk, "-append", "console=ttyAMA0 kwb.halt", "-device", "virtio-rng-pci",
	      "-drive", drive, "-device", "virtio-blk-pci,drive=d0", "-s", "-S");
	CHECK(!strcmp(o.arch, "aarch64"));
	CHECK(!strcmp(o.iommu, "smmuv3"));
	CHECK_EQ(o.gic_version, 3);
	CHECK(!strcmp(o.machine_opts, "gic-version=3,iommu=smmuv3"));
	CHECK(!strcmp(o.cpu_model, "cortex-a57"));
	CHECK_EQ(o.smp, 2);
	CHECK_EQ(o.ram_size, 512ull << 20);
	CHECK(!strcmp(o.kernel, arm_image));
	CHECK(!strcmp(o.initrd, disk));
	CHECK(!strcmp(o.append, "console=ttyAMA0 kwb.halt"));
	CHECK_EQ(o.ndevices, 2);
	CHECK(!strcmp(o.devices[0], "virtio-rng-pci"));
	CHECK(!strcmp(o.devices[1], "virtio-blk-pci,drive=d0"));
	CHECK_EQ(o.ndrives, 1);
	CHECK(!strcmp(o.drives[0].id, "d0"));
	CHECK(!strcmp(o.drives[0].file, disk));
	CHECK(!strcmp(o.drives[0].format, "raw"));
	CHECK(!strcmp(o.gdb, "tcp::1234"));
	CHECK(o.start_stopped);
}

static void test_riscv_line(void)
{
	kwb_options o;

	/* arch from the kernel header, no -arch and a plain "kwb" */
	PARSE(&o, "kwb", "-machine", "virt", "-smp", "cpus=4,sockets=1", "-m", "1G", "-nographic",
	      "-bios", "none", "-kernel", rv_image, "-append", "console=ttyS0 earlycon=sbi",
	      "-serial", "file:/tmp/x.log", "-gdb", "unix:/tmp/kwb.sock");
	CHECK(!strcmp(o.arch, "riscv64"));
	CHECK_EQ(o.smp, 4);
	CHECK_EQ(o.ram_size, 1ull << 30);
	CHECK(!strcmp(o.bios, "none"));
	CHECK(!strcmp(o.serial, "file:/tmp/x.log"));
	CHECK(!strcmp(o.gdb, "unix:/tmp/kwb.sock"));

	/* no kernel: an ELF firmware tells the architecture */
	if (access("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf", R_OK) == 0) {
		PARSE(&o, "kwb", "-bios", "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf");
		CHECK(!strcmp(o.arch, "riscv64"));
	}
	PARSE(&o, "kwb-system-riscv64");
	CHECK(!strcmp(o.arch, "riscv64"));
	PARSE(&o, "kwb", "-bios", "default");
	CHECK(o.bios == NULL);
}

static void test_sizes_and_forms(void)
{
	kwb_options o;

	PARSE(&o, "kwb", "-m", "2048");
	CHECK_EQ(o.ram_size, 2048ull << 20);
	PARSE(&o, "kwb", "-m", "size=2G");
	CHECK_EQ(o.ram_size, 2ull << 30);
	PARSE(&o, "kwb", "-m", "1.5G");
	CHECK_EQ(o.ram_size, 3ull << 29);
	PARSE(&o, "kwb", "--m=256M", "--smp=sockets=2,cores=2", "--gdb", ":4321");
	CHECK_EQ(o.ram_size, 256ull << 20);
	CHECK_EQ(o.smp, 4);
	CHECK(!strcmp(o.gdb, "tcp::4321"));
	PARSE(&o, "kwb", "-gdb", "tcp::1234,server,nowait", "-icount-limit", "1000000",
	      "-timeout", "2.5", "--difftest", "qemu", "-no-reboot", "-no-shutdown", "-display",
	      "none", "-d", "int,mmu", "-D", "/tmp/trace.log", "-symbols", arm_image, "-accel", "tcg");
	CHECK(!strcmp(o.gdb, "tcp::1234"));
	CHECK_EQ(o.max_insns, 1000000);
	CHECK(o.timeout == 2.5);
	CHECK(!strcmp(o.difftest, "qemu"));
	CHECK(o.no_reboot && o.no_shutdown);
	CHECK(!strcmp(o.trace_flags, "int,mmu"));
	CHECK(!strcmp(o.trace_file, "/tmp/trace.log"));
	CHECK(!strcmp(o.symbols, arm_image));
	PARSE(&o, "kwb", "-nodefaults", "-icount", "shift=0");
	CHECK(!strcmp(o.serial, "null"));
	PARSE(&o, "kwb", "-nodefaults", "-serial", "stdio");
	CHECK(!strcmp(o.serial, "stdio"));
	PARSE(&o, "kwb");
	CHECK(!strcmp(o.serial, "mon:stdio"));
	PARSE(&o, "kwb", "-M", "virt,virtualization=on,highmem=off,dumpdtb=/tmp/v.dtb");
	CHECK(o.virtualization && !o.highmem);
	CHECK(!strcmp(o.dumpdtb, "/tmp/v.dtb"));
	/* QEMU's ",," escapes a comma inside a value */
	PARSE(&o, "kwb", "-M", "virt,dumpdtb=/tmp/a,,b.dtb");
	CHECK(!strcmp(o.dumpdtb, "/tmp/a,b.dtb"));
}

static void test_drive_if_virtio(void)
{
	kwb_options o;
	char drive[300];

	snprintf(drive, sizeof(drive), "file=%s,if=virtio,readonly=on", disk);
	PARSE(&o, "kwb", "-drive", drive);
	CHECK_EQ(o.ndrives, 1);
	CHECK(o.drives[0].readonly);
	CHECK(!strcmp(o.drives[0].id, "drive0"));
	CHECK_EQ(o.ndevices, 1);
	CHECK(!strcmp(o.devices[0], "virtio-blk-pci,drive=drive0"));
}

static void test_readconfig(void)
{
	kwb_options o;
	char text[1024];

	snprintf(text, sizeof(text),
		 "# written by hand\n"
		 "[machine]\n"
		 "  type = \"virt\"\n"
		 "  accel = \"tcg\"\n"
		 "  kernel = \"%s\"\n"
		 "  append = \"console=ttyS0, earlycon=sbi\"\n"
		 "\n"
		 "[memory]\n"
		 "  size = \"1024\"\n"
		 "[smp-opts]\n"
		 "  cpus = \"3\"\n"
		 "[drive \"hd0\"]\n"
		 "  file = \"%s\"\n"
		 "  format = \"raw\"\n"
		 "  if = \"none\"\n"
		 "[device \"blk\"]\n"
		 "  driver = \"virtio-blk-pci\"\n"
		 "  drive = \"hd0\"\n", rv_image, disk);
	write_file(ini, text, strlen(text));
	PARSE(&o, "kwb", "-readconfig", ini, "-smp", "2");
	CHECK(!strcmp(o.arch, "riscv64"));
	CHECK(!strcmp(o.kernel, rv_image));
	CHECK(!strcmp(o.append, "console=ttyS0, earlycon=sbi"));
	CHECK_EQ(o.ram_size, 1024ull << 20);
	CHECK_EQ(o.smp, 2);	/* later command-line options win */
	CHECK_EQ(o.ndrives, 1);
	CHECK(!strcmp(o.drives[0].id, "hd0"));
	CHECK_EQ(o.ndevices, 1);
	CHECK(!strcmp(o.devices[0], "virtio-blk-pci,drive=hd0"));
}

/* ---- errors: exit status and exactly one line naming the option ---- */

typedef struct bad_case {
	const char *argv[8];
	int status;
	const char *says;	/* must appear in the message */
} bad_case;

static void parse_case(void *p)
{
	const bad_case *c = p;
	kwb_options o;
	int argc = 0;

	while (c->argv[argc])
		argc++;
	options_parse(&o, argc, (char **)c->argv);
}

static void test_errors(void)
{
	static char ini_bad[300], ini_sec[300], big[300];
	bad_case cases[] = {
		{ { "kwb", "-frobnicate" }, 2, "-frobnicate" },
		{ { "kwb", "--frobnicate=3" }, 2, "--frobnicate=3" },
		{ { "kwb", "-m" }, 2, "-m" },
		{ { "kwb", "-m", "lots" }, 2, "-m lots" },
		{ { "kwb", "-m", "0" }, 2, "-m 0" },
		{ { "kwb", "-m", "-5M" }, 2, "-m -5M" },
		{ { "kwb", "-m", "12Q" }, 2, "12Q" },
		{ { "kwb", "-m", "100T" }, 2, "100T" },
		{ { "kwb", "-smp", "0" }, 2, "-smp 0" },
		{ { "kwb", "-smp", "9" }, 2, "-smp 9" },
		{ { "kwb", "-smp", "two" }, 2, "two" },
		{ { "kwb", "-smp", "cpus=2,wheels=4" }, 2, "wheels" },
		{ { "kwb", "-M", "pc" }, 2, "pc" },
		{ { "kwb", "-M", "virt,iommu=intel" }, 2, "iommu=intel" },
		{ { "kwb", "-M", "virt,gic-version=4" }, 2, "gic-version=4" },
		{ { "kwb", "-M", "virt,bogus=1" }, 2, "bogus" },
		{ { "kwb", "-M", "virt,accel=kvm" }, 2, "accel=kvm" },
		{ { "kwb", "-serial", "vc:80Cx24C" }, 2, "vc:80Cx24C" },
		{ { "kwb", "-gdb", "tcp::99999" }, 2, "99999" },
		{ { "kwb", "-gdb", "stdio" }, 2, "stdio" },
		{ { "kwb", "-arch", "mips" }, 2, "mips" },
		{ { "kwb", "-timeout", "soon" }, 2, "soon" },
		{ { "kwb", "-icount-limit", "0" }, 2, "-icount-limit 0" },
		{ { "kwb", "--difftest", "spike" }, 2, "spike" },
		{ { "kwb", "-drive", "file=/nonexistent.img,format=qcow2" }, 2, "qcow2" },
		{ { "kwb", "-drive", "format=raw" }, 2, "file=" },
		{ { "kwb", "disk.img" }, 2, "disk.img" },
		{ { "kwb", "-nographic=yes" }, 2, "-nographic" },
		{ { "kwb", "-display", "gtk" }, 2, "gtk" },
		{ { "kwb", "-enable-kvm" }, 2, "-enable-kvm" },
		{ { "kwb", "-icount", "fast" }, 2, "fast" },
		{ { "kwb", "-append", "console=ttyS0" }, 2, "-append" },
		{ { "kwb", "-kernel", "/nonexistent/Image" }, 1, "/nonexistent/Image: No such file" },
		{ { "kwb", "-initrd", "/nonexistent/initrd" }, 1, "/nonexistent/initrd" },
		{ { "kwb", "-kernel", "/" }, 1, "directory" },
		{ { "kwb", "-arch", "aarch64", "-kernel", rv_image }, 1, "riscv64" },
		{ { "kwb-system-aarch64", "-kernel", rv_image }, 1, "riscv64" },
		{ { "kwb-system-aarch64", "-arch", "riscv64" }, 2, "kwb-system-aarch64" },
		{ { "kwb", "-kernel", rv_image, "-M", "virt,iommu=smmuv3" }, 2, "smmuv3" },
		{ { "kwb", "-m", "1M", "-kernel", arm_image, "-initrd", big }, 1, "do not fit in 1 MiB" },
		{ { "kwb", "-readconfig", ini_bad }, 2, ":3:" },
		{ { "kwb", "-readconfig", ini_sec }, 2, "[netdev]" },
	};

	snprintf(ini_bad, sizeof(ini_bad), "%s/bad.ini", tmpdir);
	snprintf(ini_sec, sizeof(ini_sec), "%s/sec.ini", tmpdir);
	write_file(ini_bad, "[memory]\n  size = \"1G\"\n  this line is wrong\n", 40);
	snprintf(big, sizeof(big), "%s/big.initrd", tmpdir);
	if (truncate(big, 0) < 0) {
		FILE *f = fopen(big, "w");
		if (f)
			fclose(f);
	}
	if (truncate(big, 2 << 20) < 0)
		printf("FAIL: setup: truncate %s\n", big);
	write_file(ini_sec, "[netdev \"n0\"]\n  type = \"user\"\n", 30);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bad_case *c = &cases[i];
		child_result r;

		r = run_child(parse_case, c);
		if (r.status != c->status || r.lines != 1 || strncmp(r.err, "kwb: ", 5) ||
		    !strstr(r.err, c->says)) {
			printf("FAIL: %s: case %zu (%s %s): status %d (want %d), stderr: %s\n",
			       check_case, i, c->argv[1], c->argv[2] ? c->argv[2] : "", r.status,
			       c->status, r.err);
			check_case_failed = 1;
		}
	}
}

/* --help names every option; --version says the version; both exit 0. */
static void help_case(void *arg)
{
	char *argv[] = { "kwb", arg, NULL };
	kwb_options o;

	dup2(2, 1);	/* collect stdout too */
	options_parse(&o, 2, argv);
}

static void test_help(void)
{
	static const char *const opts[] = {
		"-arch", "-M", "-machine", "-accel", "-cpu", "-smp", "-m", "-kernel", "-initrd",
		"-append", "-dtb", "-bios", "-symbols", "-nographic", "-display", "-serial",
		"-monitor", "-s", "-S", "-gdb", "-d", "-D", "-device", "-drive", "-readconfig",
		"-no-reboot", "-no-shutdown", "-icount-limit", "-timeout", "-difftest", "-help",
		"-nodefaults", "-icount", "-enable-kvm",
		"-h", "-version", "iommu=smmuv3", "dumpdtb=", "mon:stdio", "pty", "file:PATH",
	};
	child_result r = run_child(help_case, "--help");

	CHECK_EQ(r.status, 0);
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		char needle[64];

		/* an option is documented where a line starts with it */
		snprintf(needle, sizeof(needle), "%s", opts[i]);
		if (!strstr(r.err, needle)) {
			printf("FAIL: %s: --help does not mention %s\n", check_case, opts[i]);
			check_case_failed = 1;
		}
	}
	r = run_child(help_case, "-h");
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.err, "Usage: kwb") != NULL);
	r = run_child(help_case, "--version");
	CHECK_EQ(r.status, 0);
	CHECK(strstr(r.err, "kwb version " KWB_VERSION) != NULL);
}

int main(void)
{
	make_images();
	RUN(test_defaults);
	RUN(test_arm64_line);
	RUN(test_riscv_line);
	RUN(test_sizes_and_forms);
	RUN(test_drive_if_virtio);
	RUN(test_readconfig);
	RUN(test_errors);
	RUN(test_help);
	if (!fork())
		execlp("rm", "rm", "-rf", tmpdir, (char *)NULL);
	wait(NULL);
	return CHECK_DONE();
}
