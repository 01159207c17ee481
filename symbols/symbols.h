/*
 * The machine's kernel symbols: the vmlinux (from -symbols FILE, else the
 * -kernel file itself when it is an ELF, else a `vmlinux` beside the
 * -kernel Image) and the kernel's VA <-> PA map, installed as the debug
 * interface's alias so breakpoints and memory on kernel virtual addresses
 * work before the MMU is on. m->symbols points to a kwb_symbols.
 */
#ifndef KWB_SYMBOLS_SYMBOLS_H
#define KWB_SYMBOLS_SYMBOLS_H

#include "core/kwb.h"
#include "symbols/kdwarf.h"
#include "symbols/kernel_map.h"
#include "symbols/vmlinux.h"

struct machine;

typedef struct kwb_symbols {
	struct machine *m;
	vmlinux *vm;
	kernel_map map;
	bool have_map;		/* the kernel's load address is known */
	kdwarf *dw;		/* the vmlinux DWARF, opened on first use */
	bool dw_tried;
	int64_t freeing_initmem;	/* SYSTEM_FREEING_INITMEM */
	bool relocation_pending;	/* arm64: kimage_vaddr not written yet */
	void *ktasks_layout;		/* ktasks.c: task_struct/rq offsets */
} kwb_symbols;

/*
 * Call after the boot images are placed (machine_create, and again after
 * a reset: the vmlinux is kept, the map recomputed). Returns 0 (also when
 * there is simply no vmlinux), or -1 with a one-line reason when the
 * -symbols file is unusable. A bad implicit vmlinux only warns.
 */
int symbols_attach(struct machine *m, char *err, size_t errlen);
/* Before machine_create: start opening the vmlinux the options name on a
 * thread of its own; symbols_attach takes the result. */
void symbols_prefetch(const kwb_options *opt);
void symbols_free(struct machine *m);

/* NULL when no vmlinux is loaded. */
kwb_symbols *symbols_get(struct machine *m);
/* "name+0xoff" for a kernel VA, or for a PA inside the kernel image/linear
 * map; false (buf = "") when unknown. */
bool symbols_format(struct machine *m, uint64_t addr, char *buf, size_t len);
/* Virtual address of a symbol; false when unknown. */
bool symbols_lookup(struct machine *m, const char *name, uint64_t *va);
/* A kernel variable of the image (data/bss) read through its physical
 * alias, whatever the MMU and the slide; false when unknown. */
bool symbols_read_var(struct machine *m, const char *name, void *buf, size_t len);
/* The vmlinux DWARF (kdwarf.h), or NULL when it has none. */
kdwarf *symbols_dwarf(struct machine *m);
/* arm64 KASLR: how far the running kernel moved its image VAs from the
 * vmlinux's link addresses (0 before it relocated itself, or without
 * KASLR); read from the kernel's kimage_vaddr. */
uint64_t symbols_slide(struct machine *m);
/* arm64: the kernel has not relocated itself yet (its slide is unknown). */
bool symbols_relocation_pending(struct machine *m);
/* Whether the kernel has freed its init sections (system_state). */
bool symbols_init_freed(struct machine *m);
/* The alias the debug interface uses (kernel image / linear map). */
bool symbols_va_to_pa(struct machine *m, vaddr_t va, paddr_t *pa, const char **what);
bool symbols_pa_to_va(struct machine *m, paddr_t pa, vaddr_t *va, const char **what);

#endif
