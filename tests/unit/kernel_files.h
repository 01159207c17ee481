/*
 * Small kernel files built in memory, for the loader's unit tests and its
 * fuzz target's seeds (tests/unit/test_loader.c, tests/fuzz/loader_fuzz.c):
 * an arm64 Image header, a RISC-V Image header and a one-segment ELF64.
 */
#ifndef KWB_TEST_KERNEL_FILES_H
#define KWB_TEST_KERNEL_FILES_H

#include <elf.h>
#include <stdint.h>
#include <string.h>

static inline void kf_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The 64-byte arm64 Image header (Documentation/arm64/booting.rst). */
static inline void kf_arm64_header(uint8_t *h, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(h, 0, 64);
	kf_put64(h + 8, text_offset);
	kf_put64(h + 0x10, image_size);
	kf_put64(h + 0x18, flags);
	memcpy(h + 0x38, "ARM\x64", 4);
}

/* The 64-byte RISC-V Image header (Documentation/riscv/boot-image-header.rst). */
static inline void kf_riscv_header(uint8_t *h, uint64_t text_offset, uint64_t image_size)
{
	memset(h, 0, 64);
	kf_put64(h + 8, text_offset);
	kf_put64(h + 0x10, image_size);
	memcpy(h + 0x30, "RISCV\0\0\0", 8);	/* magic (deprecated) */
	memcpy(h + 0x38, "RSC\x05", 4);		/* magic2 */
}

/* What the one PT_LOAD segment of kf_elf() holds. */
struct kf_elf {
	unsigned cls;			/* ELFCLASS64, or another to be refused */
	uint16_t machine;		/* EM_AARCH64, EM_RISCV, ... */
	uint64_t vaddr, paddr, entry;
	uint16_t phnum;			/* > 1 promises headers the file lacks */
	uint64_t filesz, memsz;
	const void *code;		/* filesz bytes (<= 64) */
};

/* Writes the ELF into buf (at least 64 + 56 + filesz bytes); returns its size. */
static inline size_t kf_elf(uint8_t *buf, const struct kf_elf *e)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	size_t off = sizeof(*eh) + sizeof(*ph);

	memset(buf, 0, off);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = (unsigned char)e->cls;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = e->machine;
	eh->e_version = EV_CURRENT;
	eh->e_entry = e->entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = e->phnum;
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_offset = off;
	ph->p_vaddr = e->vaddr;
	ph->p_paddr = e->paddr;
	ph->p_filesz = e->filesz;
	ph->p_memsz = e->memsz;
	ph->p_align = 0x1000;
	memcpy(buf + off, e->code, e->filesz);
	return off + e->filesz;
}

#endif
