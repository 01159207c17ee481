/*
 * Where the loaded kernel's virtual addresses live in physical memory,
 * computed from the vmlinux and the load address alone (no guest state):
 * the kernel image mapping (arm64: _text at KIMAGE_VADDR, riscv64: _start
 * at the kernel link address) and, where its base is fixed, the linear map.
 */
#ifndef KWB_SYMBOLS_KERNEL_MAP_H
#define KWB_SYMBOLS_KERNEL_MAP_H

#include "core/kwb.h"
#include "symbols/vmlinux.h"

typedef struct kmap_range {
	vaddr_t va;
	uint64_t size;		/* 0: not known */
	paddr_t pa;
	const char *what;	/* "kernel image", "linear map" */
} kmap_range;

typedef struct kernel_map {
	const char *arch;
	kmap_range image;	/* at its current VA: link address + slide */
	kmap_range linear;
	kmap_range init;	/* __init_begin..__init_end, freed after boot */
	vaddr_t link_va;	/* where the vmlinux links the image */
	uint64_t slide;		/* KASLR: how far the kernel moved its VAs */
	int va_bits;		/* arm64: from KIMAGE_VADDR; riscv64: 0 */
	paddr_t ram_base;
	uint64_t ram_size;
} kernel_map;

/* Linux 6.1 riscv64 PAGE_OFFSET for each satp mode (page.h). */
#define RISCV_PAGE_OFFSET_SV57 0xff60000000000000ull
#define RISCV_PAGE_OFFSET_SV48 0xffffaf8000000000ull
#define RISCV_PAGE_OFFSET_SV39 0xffffffd800000000ull

/* Returns 0, or -1 with a one-line reason. load_pa is where the first byte
 * of the Image (= the lowest PT_LOAD address) was placed. */
int kernel_map_init(kernel_map *km, const vmlinux *v, paddr_t load_pa, paddr_t ram_base,
		    uint64_t ram_size, char *err, size_t errlen);
/* riscv64: the linear map base depends on the paging mode the kernel chose
 * (satp MODE 8/9/10); 0 removes it. */
void kernel_map_riscv_linear(kernel_map *km, unsigned satp_mode);
/* The kernel relocated itself by slide (arm64 KASLR): image and init move. */
void kernel_map_set_slide(kernel_map *km, uint64_t slide);
bool kernel_map_va_to_pa(const kernel_map *km, vaddr_t va, paddr_t *pa, const char **what);
/* The kernel-image VA of pa (else the linear-map VA). */
bool kernel_map_pa_to_va(const kernel_map *km, paddr_t pa, vaddr_t *va, const char **what);

#endif
