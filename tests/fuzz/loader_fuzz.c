/*
 * The kernel, firmware, initrd and DTB loaders as the boards use them at
 * every reset (core/loader.c probe, ELF/arm64 Image/RISC-V Image/raw
 * placement, the boards' text_offset/image_size arithmetic, -initrd above
 * the kernel, a user -dtb checked, patched and placed), on real virt
 * boards of both architectures (64 MiB). A refusal (one line, exit 1 or
 * 2) is a good result; it must leave nothing allocated.
 * Input: byte 0 picks the board (bit 0) and the files (bits 1-2: kernel,
 * kernel + initrd, kernel + dtb, riscv64 firmware + kernel); bytes 1-2 say
 * where the second file starts; the rest is the file(s).
 * fuzz-options: -max_len=65536
 */
#include <elf.h>

#include "core/machine.h"
#include "core/options.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/kernel_files.h"

static kwb_options opt[2];
static machine *boards[2];

static machine *board(int which)
{
	if (!boards[which]) {
		char *argv[] = { "kwb", "-arch", which ? "riscv64" : "aarch64", "-m", "64M", "-serial", "none",
				 "-nic", "none", which ? "-bios" : "-S", which ? "none" : "-S", NULL };

		options_parse(&opt[which], 11, argv);
		boards[which] = machine_create(&opt[which]);
	}
	return boards[which];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int which, files;
	size_t split;
	machine *m;
	kwb_options *o;
	const char *first, *second;

	if (size < 3)
		return 0;
	which = data[0] & 1;
	files = (data[0] >> 1) & 3;
	split = data[1] | (size_t)data[2] << 8;
	data += 3, size -= 3;
	if (split > size)
		split = size;
	m = board(which);
	o = &opt[which];
	first = fuzz_file_n(0, data, files ? split : size);
	second = fuzz_file_n(1, data + split, size - split);
	o->kernel = o->initrd = o->dtb = NULL;
	o->bios = which ? "none" : NULL;
	switch (files) {
	case 0: o->kernel = first; break;
	case 1: o->kernel = first; o->initrd = second; break;
	case 2: o->kernel = first; o->dtb = second; break;
	case 3:
		if (which) {
			o->bios = first;
			o->kernel = second;
		} else {
			o->dtb = first;
		}
		break;
	}
	if (FUZZ_TRY()) {
		machine_reset(m);
		fuzz_accepted++;
	}
	FUZZ_END();
	return 0;
}

static void add_input(void (*add)(const void *, size_t), int mode, const uint8_t *a, size_t alen,
		      const uint8_t *b, size_t blen)
{
	static uint8_t buf[65536];

	buf[0] = (uint8_t)mode;
	buf[1] = (uint8_t)alen;
	buf[2] = (uint8_t)(alen >> 8);
	if (alen)
		memcpy(buf + 3, a, alen);
	if (blen)
		memcpy(buf + 3 + alen, b, blen);
	add(buf, 3 + alen + blen);
}

/* An ELF64 executable, one PT_LOAD of code at paddr. */
static size_t make_elf(uint8_t *out, uint16_t machine_type, uint64_t paddr)
{
	uint8_t code[64] = { 0x00, 0x00, 0x00, 0x14 };	/* b . / riscv: an illegal word */

	return kf_elf(out, &(struct kf_elf){ .cls = ELFCLASS64, .machine = machine_type,
		.vaddr = paddr, .paddr = paddr, .entry = paddr, .phnum = 1,
		.filesz = 64, .memsz = 0x1000, .code = code });
}

void fuzz_seeds(void (*add)(const void *data, size_t len))
{
	static uint8_t img[4096], rv[4096], elf[512], initrd[512];
	size_t n;

	/* arm64 Image: "MZ" code, text_offset 0, 2 MiB, 4K pages anywhere */
	kf_arm64_header(img, 0, 0x200000, 0xa);
	fuzz_put32(img, 0x91005a4d);		/* add x13, x18, #0x16 ("MZ") */
	fuzz_put32(img + 4, 0x14000010);
	/* RISC-V Image: text_offset, image_size, version 0.2 */
	kf_riscv_header(rv, 0x200000, 0x300000);
	fuzz_put32(rv, 0x0000006f);
	fuzz_put32(rv + 0x20, 0x2);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 7);
	memcpy(initrd, "070701", 6);

	add_input(add, 0, img, sizeof(img), NULL, 0);
	add_input(add, 2, img, sizeof(img), initrd, sizeof(initrd));
	add_input(add, 1, rv, sizeof(rv), NULL, 0);
	add_input(add, 3, rv, sizeof(rv), initrd, sizeof(initrd));
	n = make_elf(elf, EM_AARCH64, 0x40200000);
	add_input(add, 0, elf, n, NULL, 0);
	n = make_elf(elf, EM_RISCV, 0x80200000);
	add_input(add, 1, elf, n, NULL, 0);
	/* riscv64 firmware ELF at the start of RAM, then an Image */
	n = make_elf(elf, EM_RISCV, 0x80000000);
	add_input(add, 7, elf, n, rv, sizeof(rv));
	/* the boards' own device trees as -dtb */
	for (int b = 0; b < 2; b++) {
		machine *m = board(b);
		opt[b].kernel = opt[b].initrd = opt[b].dtb = NULL;
		machine_reset(m);
		add_input(add, b | 4, b ? rv : img, sizeof(img), m->fdt, m->dtb_size);
	}
	add_input(add, 6, NULL, 0, boards[0]->fdt, boards[0]->dtb_size);
}
