/*
 * -readconfig (core/options.c): QEMU's ini format, and through it the
 * option parsers it feeds ([machine] properties, [memory], [smp-opts],
 * [drive], [device]). A refusal (exit 2 with one line) is a good result.
 * Inputs asking for help ("?", "help") are skipped: those print and exit 0.
 * fuzz-options: -dict=tests/fuzz/readconfig.dict -max_len=8192
 */
#include "core/options.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static kwb_options o;
	const char *path;
	char *argv[] = { "kwb", "-readconfig", NULL, NULL };

	if (memmem(data, size, "help", 4) || memchr(data, '?', size))
		return 0;
	path = fuzz_file(data, size);
	argv[2] = (char *)path;
	if (FUZZ_TRY()) {
		options_parse(&o, 3, argv);
		fuzz_accepted++;
	}
	FUZZ_END();
	options_release();
	return 0;
}

void fuzz_seeds(void (*add)(const void *data, size_t len))
{
	static const char *const seeds[] = {
		"# QEMU's docs/config/mach-virt-serial.cfg, shortened\n"
		"[machine]\n  type = \"virt\"\n  accel = \"tcg\"\n  gic-version = \"3\"\n"
		"[memory]\n  size = \"1024\"\n"
		"[smp-opts]\n  cpus = \"2\"\n"
		"[drive \"hd0\"]\n  file = \"/etc/os-release\"\n  readonly = \"on\"\n  format = \"raw\"\n  if = \"none\"\n"
		"[device \"rng\"]\n  driver = \"virtio-rng-pci\"\n",
		"[machine]\n  type = \"virt\"\n  iommu = \"smmuv3\"\n"
		"  virtualization = \"on\"\n  highmem = \"off\"\n\n; comment\n[memory]\n  size = \"64M\"\n",
		"[device]\n  driver = \"virtio-blk-device\"\n  drive = \"hd0\"\n\r\n"
		"[drive]\n  id = \"hd0\"\n  file = \"/etc/os-release\"\n  readonly = \"on\"\n",
		"[smp-opts]\n  cpus = \"4\"\n  sockets = \"1\"\n  cores = \"4\"\n  threads = \"1\"\n",
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		add(seeds[i], strlen(seeds[i]));
}
