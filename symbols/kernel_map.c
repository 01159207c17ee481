/*
 * Kernel VA <-> PA relation of the loaded image (see kernel_map.h).
 *
 * arm64 (6.1): KIMAGE_VADDR = _PAGE_END(VA_BITS_MIN) + 128M is
 * where _text is linked (with KASLR the kernel moves it by a slide that
 * symbols.c reads from the running kernel: kernel_map_set_slide), and the Image's first byte is _text; the linear
 * map starts at PAGE_OFFSET = -(1 << VA_BITS) for memstart_addr, which is
 * the start of RAM rounded down to ARM64_MEMSTART_ALIGN (1G with 4K pages;
 * smaller for 16K/64K, which gives the same value for RAM at 0x40000000).
 *
 * riscv64 (6.1): _start is linked at KERNEL_LINK_ADDR and is the Image's
 * first byte; the linear map is va = pa + PAGE_OFFSET - load address
 * (setup_vm: va_pa_offset = PAGE_OFFSET - kernel_map.phys_addr), with
 * PAGE_OFFSET chosen at boot by the satp mode.
 */
#include <stdio.h>
#include <string.h>

#include "symbols/kernel_map.h"

static int arm64_va_bits(vaddr_t text)
{
	uint64_t below = -(text - 0x8000000ull);	/* 1 << (VA_BITS_MIN - 1) */

	if (below && !(below & (below - 1)))
		return __builtin_ctzll(below) + 1;
	return 65 - __builtin_clzll(~text);	/* leading ones */
}

static uint64_t sym_addr(const vmlinux *v, const char *name, uint64_t dflt)
{
	const ksym *s = vmlinux_sym_named(v, name);
	return s ? s->addr : dflt;
}

int kernel_map_init(kernel_map *km, const vmlinux *v, paddr_t load_pa, paddr_t ram_base,
		    uint64_t ram_size, char *err, size_t errlen)
{
	uint64_t lo, hi, start, end;

	memset(km, 0, sizeof(*km));
	km->arch = v->arch;
	km->ram_base = ram_base;
	km->ram_size = ram_size;
	vmlinux_span(v, &lo, &hi);
	start = lo;
	if (v->arch && !strcmp(v->arch, "aarch64"))
		start = sym_addr(v, "_text", lo);
	else if (v->arch && !strcmp(v->arch, "riscv64"))
		start = sym_addr(v, "_start", lo);
	end = sym_addr(v, "_end", hi);
	if (start != lo || end <= start || end - start > (1ull << 32)) {
		snprintf(err, errlen, "vmlinux %s: image start 0x%llx (_text/_start) is not the first "
			 "PT_LOAD address 0x%llx, or _end 0x%llx is out of range", v->path,
			 (unsigned long long)start, (unsigned long long)lo, (unsigned long long)end);
		return -1;
	}
	if (ram_size && (load_pa < ram_base || load_pa - ram_base >= ram_size)) {
		snprintf(err, errlen, "vmlinux %s: kernel load address 0x%llx is outside RAM", v->path,
			 (unsigned long long)load_pa);
		return -1;
	}
	km->image = (kmap_range){ start, end - start, load_pa, "kernel image" };
	km->link_va = start;
	{
		uint64_t ib = sym_addr(v, "__init_begin", 0), ie = sym_addr(v, "__init_end", 0);
		if (ib >= start && ie > ib && ie <= end)
			km->init = (kmap_range){ ib, ie - ib, load_pa + (ib - start), "init sections" };
	}
	if (v->arch && !strcmp(v->arch, "aarch64")) {
		paddr_t memstart = ram_base & ~((1ull << 30) - 1);
		km->va_bits = arm64_va_bits(start);
		if (km->va_bits >= 36 && km->va_bits <= 52 && ram_size)
			km->linear = (kmap_range){ -(1ull << km->va_bits), ram_base + ram_size - memstart,
						   memstart, "linear map" };
	}
	return 0;
}

void kernel_map_riscv_linear(kernel_map *km, unsigned satp_mode)
{
	uint64_t po = satp_mode == 10 ? RISCV_PAGE_OFFSET_SV57 : satp_mode == 9 ? RISCV_PAGE_OFFSET_SV48
		    : satp_mode == 8 ? RISCV_PAGE_OFFSET_SV39 : 0;

	if (!po || !km->ram_size) {
		km->linear.size = 0;
		return;
	}
	km->linear = (kmap_range){ po, km->ram_base + km->ram_size - km->image.pa, km->image.pa,
				   "linear map" };
}

void kernel_map_set_slide(kernel_map *km, uint64_t slide)
{
	km->init.va += slide - km->slide;
	km->image.va = km->link_va + slide;
	km->slide = slide;
}

static bool va_in(const kmap_range *r, vaddr_t va, paddr_t *pa)
{
	if (!r->size || va - r->va >= r->size)
		return false;
	*pa = r->pa + (va - r->va);
	return true;
}

static bool pa_in(const kmap_range *r, paddr_t pa, vaddr_t *va)
{
	if (!r->size || pa - r->pa >= r->size)
		return false;
	*va = r->va + (pa - r->pa);
	return true;
}

bool kernel_map_va_to_pa(const kernel_map *km, vaddr_t va, paddr_t *pa, const char **what)
{
	const kmap_range *r = va_in(&km->image, va, pa) ? &km->image
			    : va_in(&km->linear, va, pa) ? &km->linear : NULL;
	if (r && what)
		*what = r->what;
	return r != NULL;
}

bool kernel_map_pa_to_va(const kernel_map *km, paddr_t pa, vaddr_t *va, const char **what)
{
	const kmap_range *r = pa_in(&km->image, pa, va) ? &km->image
			    : pa_in(&km->linear, pa, va) ? &km->linear : NULL;
	if (r && what)
		*what = r->what;
	return r != NULL;
}
