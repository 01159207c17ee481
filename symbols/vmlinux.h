/*
 * A loaded vmlinux: its symbol table sorted by address (addr -> name+off)
 * with a name hash (name -> addr), its allocated sections and its PT_LOAD
 * segments. One array of fixed-size entries and one copy of the string
 * table; the file itself is not kept open.
 */
#ifndef KWB_SYMBOLS_VMLINUX_H
#define KWB_SYMBOLS_VMLINUX_H

#include "core/kwb.h"

typedef struct ksym {
	uint64_t addr;
	uint64_t size;
	uint32_t name;		/* offset in vmlinux.strtab */
	char kind;		/* System.map letter: T t D d B b R r W w A a N */
	uint8_t rank;		/* which of several symbols at one address names it */
	uint8_t lead;		/* leading underscores: fewer names it first */
} ksym;

typedef struct ksection {
	const char *name;	/* in vmlinux.shstrtab */
	uint64_t addr, size, offset;
	uint64_t flags;		/* SHF_* */
	bool nobits;
} ksection;

typedef struct ksegment {
	uint64_t vaddr, paddr, filesz, memsz, offset;
	uint32_t flags;		/* PF_R/W/X */
} ksegment;

typedef struct vmlinux {
	char *path;
	int elf_class;		/* 64 */
	int elf_machine;	/* EM_AARCH64, EM_RISCV */
	const char *arch;	/* "aarch64" / "riscv64" */
	uint64_t entry;
	uint64_t file_size;

	ksym *syms;		/* sorted by address, then rank */
	int nsyms;
	uint32_t *hash;		/* open addressing, one slot per name: index + 1, 0 = empty */
	uint32_t *same_name;	/* next symbol (index + 1) with the same name, 0 = none */
	uint32_t hash_mask;
	char *strtab;
	size_t strtab_size;
	char *shstrtab;

	ksection *sections;
	int nsections;
	ksegment *segments;
	int nsegments;

	/* Bytes of linux_banner (or of the first segment), to check that the
	 * loaded Image is the build this vmlinux describes. */
	uint64_t sample_va;
	uint8_t sample[256];
	size_t sample_len;
} vmlinux;

/* Opens path; arch ("aarch64"/"riscv64") must match when non-NULL.
 * Returns NULL with a one-line reason naming the file in err. */
vmlinux *vmlinux_open(const char *path, const char *arch, char *err, size_t errlen);
void vmlinux_free(vmlinux *v);

static inline const char *ksym_name(const vmlinux *v, const ksym *s)
{
	return v->strtab + s->name;
}

/* The symbol naming addr (nearest at or below, inside an allocated section),
 * or NULL; *off gets addr - sym->addr. */
const ksym *vmlinux_sym_at(const vmlinux *v, uint64_t addr, uint64_t *off);
/* The preferred symbol called name (global over local), or NULL. */
const ksym *vmlinux_sym_named(const vmlinux *v, const char *name);
/* Every symbol called name: calls fn for each, returns how many. */
int vmlinux_each_named(const vmlinux *v, const char *name,
		       void (*fn)(const ksym *s, void *opaque), void *opaque);
/* "name+0xoff" / "name" into buf; returns false (buf = "") when unknown. */
bool vmlinux_format(const vmlinux *v, uint64_t addr, char *buf, size_t len);
/* The allocated section holding addr, or NULL. */
const ksection *vmlinux_section_at(const vmlinux *v, uint64_t addr);
/* Lowest and highest+1 virtual address of the PT_LOAD segments. */
void vmlinux_span(const vmlinux *v, uint64_t *lo, uint64_t *hi);

#endif
