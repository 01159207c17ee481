/*
 * Finding, loading and attaching the vmlinux to a machine (symbols.h).
 */
#include <fnmatch.h>
#include <gelf.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loader.h"
#include "core/machine.h"
#include "symbols/crashdump.h"
#include "symbols/symbols.h"

static bool is_elf(const char *path)
{
	unsigned char b[4] = { 0 };
	const char *why;
	int fd = kwb_open_input(path, false, &why);
	bool elf;

	if (fd < 0)
		return false;
	elf = read(fd, b, 4) == 4 && !memcmp(b, "\177ELF", 4);
	close(fd);
	return elf;
}

/* Where the symbols come from; *explicit when the user named the file. */
static char *find_vmlinux(const kwb_options *o, bool *explicit)
{
	const char *k = o->kernel, *slash;
	char *p;

	*explicit = o->symbols != NULL;
	if (o->symbols)
		return kwb_strdup(o->symbols);
	if (!k)
		return NULL;
	if (is_elf(k))
		return kwb_strdup(k);
	slash = strrchr(k, '/');
	p = kwb_zalloc((slash ? (size_t)(slash - k) + 1 : 0) + sizeof("vmlinux"));
	if (slash)
		memcpy(p, k, slash - k + 1);
	strcat(p, "vmlinux");
	if (access(p, R_OK) == 0 && is_elf(p))
		return p;
	free(p);
	return NULL;
}

/*
 * The debug interface's alias. With translation off, a kernel VA (image or
 * linear map) stands for its physical address. With translation on it
 * stands in only where the walk failed for an address the kernel image
 * occupies at that moment: its current (KASLR-slid) VA range, not the init
 * sections once the kernel has freed them (QEMU says "Cannot access memory"
 * there; arm64 unmaps them, riscv64 keeps them mapped).
 */
static bool alias(void *opaque, vaddr_t va, paddr_t *pa, bool translation_on)
{
	kwb_symbols *s = opaque;
	const char *what = NULL;

	if (!symbols_va_to_pa(s->m, va, pa, &what))
		return false;
	if (!translation_on)
		return true;
	if (!what || strcmp(what, s->map.image.what))
		return false;
	return !(va - s->map.init.va < s->map.init.size && symbols_init_freed(s->m));
}

/* Where the Image's first byte went: the last "kernel" image placed. */
static bool kernel_load_pa(machine *m, paddr_t *pa)
{
	for (int i = m->nimages - 1; i >= 0; i--)
		if (m->images[i].what && !strcmp(m->images[i].what, "kernel")) {
			*pa = m->images[i].base;
			return true;
		}
	if (m->kernel_base) {
		*pa = m->kernel_base;
		return true;
	}
	return false;
}

/* Warn when the loaded Image is not the build the vmlinux describes. */
static void check_image(machine *m, kwb_symbols *s)
{
	uint8_t buf[sizeof(s->vm->sample)];
	paddr_t pa;

	if (!s->vm->sample_len || !kernel_map_va_to_pa(&s->map, s->vm->sample_va, &pa, NULL))
		return;
	if (bus_debug_read(&m->bus, pa, buf, s->vm->sample_len) != BUS_OK)
		return;
	if (memcmp(buf, s->vm->sample, s->vm->sample_len))
		kwb_warn("vmlinux %s does not match the loaded kernel (linux_banner differs): "
			 "symbols may be wrong", s->vm->path);
}

/* ---- the core's symbols hook (core/debug.h) ---- */

static bool hook_lookup(void *opaque, const char *name, uint64_t *va)
{
	return symbols_lookup(((kwb_symbols *)opaque)->m, name, va);
}

static bool hook_format(void *opaque, uint64_t va, char *buf, size_t len)
{
	return symbols_format(((kwb_symbols *)opaque)->m, va, buf, len);
}

/* Every text symbol matching glob, as [addr, addr + size) and its
 * physical alias; returns how many symbols matched. */
static int hook_text_ranges(void *opaque, const char *glob, void (*fn)(void *ctx, uint64_t lo, uint64_t hi),
			    void *ctx)
{
	kwb_symbols *s = opaque;
	const vmlinux *vm = s->vm;
	int count = 0;

	for (int i = 0; i < vm->nsyms; i++) {
		const ksym *k = &vm->syms[i];
		char kind = k->kind | 0x20;
		uint64_t end = k->addr + k->size;
		paddr_t pa;
		if ((kind != 't' && kind != 'w') || fnmatch(glob, ksym_name(vm, k), 0))
			continue;
		if (!k->size) {	/* up to the next symbol */
			int j = i + 1;
			while (j < vm->nsyms && vm->syms[j].addr == k->addr)
				j++;
			end = j < vm->nsyms ? vm->syms[j].addr : k->addr + 4;
		}
		fn(ctx, k->addr, end);
		if (symbols_va_to_pa(s->m, k->addr, &pa, NULL))
			fn(ctx, pa, pa + (end - k->addr));
		count++;
	}
	return count;
}

static const dbg_symbol_ops hook_ops = {
	.lookup = hook_lookup,
	.format = hook_format,
	.text_ranges = hook_text_ranges,
};

/*
 * The vmlinux opened on a thread of its own while the machine is built:
 * parsing and sorting its symbols (10 ms for the riscv64 fixture's, 3 ms
 * for arm64's) overlaps machine_create (7-11 ms) instead of following it.
 * symbols_attach joins the thread and takes what it opened, the same file
 * for the same architecture it would have opened itself, so nothing that
 * follows depends on the timing.
 */
static struct {
	bool started;
	pthread_t thread;
	const kwb_options *opt;
	const char *arch;
	char *path;
	bool explicit;
	vmlinux *vm;
	char err[256];
} prefetch;

static void *prefetch_main(void *arg)
{
	const kwb_options *opt = arg;
	kernel_info ki;
	char why[256];

	/* which architecture: as machine_create will tell it */
	prefetch.arch = opt->arch;
	if (!prefetch.arch && opt->kernel && loader_probe_kernel(opt->kernel, &ki, why, sizeof(why)) == 0)
		prefetch.arch = ki.arch;
	if (prefetch.arch && (prefetch.path = find_vmlinux(opt, &prefetch.explicit)))
		prefetch.vm = vmlinux_open(prefetch.path, prefetch.arch, prefetch.err, sizeof(prefetch.err));
	return NULL;
}

void symbols_prefetch(const kwb_options *opt)
{
	sigset_t all, old;

	prefetch.opt = opt;
	elf_version(EV_CURRENT);	/* libelf's one global, set before two threads use it */
	sigfillset(&all);		/* signals stay the main thread's */
	pthread_sigmask(SIG_BLOCK, &all, &old);
	prefetch.started = !pthread_create(&prefetch.thread, NULL, prefetch_main, (void *)opt);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* What symbols_prefetch opened for this machine, as vmlinux_open would
 * return it; false when it has nothing for it. */
static bool prefetched(machine *m, char **path, bool *explicit, vmlinux **vm, char *err, size_t errlen)
{
	if (!prefetch.started)
		return false;
	pthread_join(prefetch.thread, NULL);
	prefetch.started = false;
	if (!prefetch.path || prefetch.opt != m->opt || strcmp(prefetch.arch, m->arch->name)) {
		vmlinux_free(prefetch.vm);
		free(prefetch.path);
		return false;
	}
	*path = prefetch.path;
	*explicit = prefetch.explicit;
	*vm = prefetch.vm;
	snprintf(err, errlen, "%s", prefetch.err);
	return true;
}

int symbols_attach(machine *m, char *err, size_t errlen)
{
	kwb_symbols *s = m->symbols;
	bool explicit = false;
	char *path = NULL;
	paddr_t load;

	if (!s) {
		vmlinux *vm;

		if (!prefetched(m, &path, &explicit, &vm, err, errlen)) {
			path = find_vmlinux(m->opt, &explicit);
			if (!path) {
				crashdump_arm_panic(m);	/* says it cannot */
				return 0;
			}
			vm = vmlinux_open(path, m->arch->name, err, errlen);
		}
		free(path);
		if (!vm) {
			if (explicit)
				return -1;
			kwb_warn("%s (no kernel symbols)", err);
			err[0] = 0;
			return 0;
		}
		s = kwb_zalloc(sizeof(*s));
		s->m = m;
		s->vm = vm;
		m->symbols = s;
		machine_on_free(m, symbols_free);
	}
	s->have_map = false;
	if (kernel_load_pa(m, &load)) {
		char why[256];
		paddr_t ram_base = m->bus.ram ? m->bus.ram->base : 0;
		uint64_t ram_size = m->bus.ram ? m->bus.ram->size : 0;
		if (kernel_map_init(&s->map, s->vm, load, ram_base, ram_size, why, sizeof(why)) == 0) {
			s->have_map = true;
			check_image(m, s);
		} else {
			kwb_warn("%s: no kernel VA alias", why);
		}
	}
	if (m->dbg) {
		dbg_set_alias(m, s->have_map ? alias : NULL, s->have_map ? s : NULL);
		dbg_set_symbols(m, &hook_ops, s);
		crashdump_arm_panic(m);
	}
	return 0;
}

void symbols_free(machine *m)
{
	kwb_symbols *s = m->symbols;

	if (!s)
		return;
	if (m->dbg) {
		dbg_set_alias(m, NULL, NULL);
		dbg_set_symbols(m, NULL, NULL);
	}
	vmlinux_free(s->vm);
	kdwarf_close(s->dw);
	free(s->ktasks_layout);
	free(s);
	m->symbols = NULL;
}

kwb_symbols *symbols_get(machine *m)
{
	return m ? m->symbols : NULL;
}

/* riscv64's linear map base follows the paging mode CPU 0 runs with. */
static void refresh_linear(kwb_symbols *s)
{
	machine *m = s->m;
	const reg_table *t;
	uint8_t buf[8] = { 0 };
	uint64_t satp = 0;
	int idx;

	if (!s->map.arch || strcmp(s->map.arch, "riscv64") || !m->arch || !m->ncpus)
		return;
	t = dbg_regs(m);
	idx = t ? regtab_find(t, "satp") : -1;
	if (idx >= 0 && dbg_reg_read(m, 0, idx, buf) == 0)
		for (int i = 7; i >= 0; i--)
			satp = satp << 8 | buf[i];
	kernel_map_riscv_linear(&s->map, (unsigned)(satp >> 60));
}

kdwarf *symbols_dwarf(machine *m)
{
	kwb_symbols *s = symbols_get(m);

	if (!s)
		return NULL;
	if (!s->dw_tried) {
		char err[256];

		s->dw_tried = true;
		s->dw = kdwarf_open(s->vm->path, err, sizeof(err));
	}
	return s->dw;
}

/* A kernel variable read through the image's physical alias (its link VA
 * and the load address): valid whatever the MMU and the slide. */
static bool read_kvar(kwb_symbols *s, const char *name, void *buf, size_t len)
{
	const ksym *k = vmlinux_sym_named(s->vm, name);
	uint64_t off;

	if (!k || !s->have_map || (off = k->addr - s->map.link_va) >= s->map.image.size)
		return false;
	return bus_debug_read(&s->m->bus, s->map.image.pa + off, buf, len) == BUS_OK;
}

bool symbols_read_var(machine *m, const char *name, void *buf, size_t len)
{
	kwb_symbols *s = symbols_get(m);

	return s && read_kvar(s, name, buf, len);
}

static uint64_t le64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/* arm64: kimage_vaddr holds the relocated _text once __relocate_kernel has
 * run (0 or the link address before); the slide keeps 64K alignment. */
static void refresh_slide(kwb_symbols *s)
{
	uint8_t b[8];
	uint64_t v, slide = 0;

	s->relocation_pending = false;
	if (!s->have_map || !s->map.arch || strcmp(s->map.arch, "aarch64"))
		return;
	if (read_kvar(s, "kimage_vaddr", b, 8)) {
		v = le64(b);
		if (v >= s->map.link_va && !((v - s->map.link_va) & 0xffff) &&
		    v - s->map.link_va < (1ull << 47))
			slide = v - s->map.link_va;
		else
			s->relocation_pending = true;
	}
	if (slide != s->map.slide)
		kernel_map_set_slide(&s->map, slide);
}

uint64_t symbols_slide(machine *m)
{
	kwb_symbols *s = symbols_get(m);

	if (!s)
		return 0;
	refresh_slide(s);
	return s->map.slide;
}

bool symbols_relocation_pending(machine *m)
{
	kwb_symbols *s = symbols_get(m);

	if (!s)
		return false;
	refresh_slide(s);
	return s->relocation_pending;
}

bool symbols_init_freed(machine *m)
{
	kwb_symbols *s = symbols_get(m);
	uint8_t b[4];
	int64_t freeing = 2;	/* Linux's value since 4.x, when there is no DWARF */

	if (!s || !read_kvar(s, "system_state", b, 4))
		return false;
	if (!s->freeing_initmem) {
		if (!kdwarf_enumerator(symbols_dwarf(m), "SYSTEM_FREEING_INITMEM", &s->freeing_initmem))
			s->freeing_initmem = freeing;
	}
	return (int64_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24) >= s->freeing_initmem;
}

bool symbols_va_to_pa(machine *m, vaddr_t va, paddr_t *pa, const char **what)
{
	kwb_symbols *s = symbols_get(m);
	paddr_t dummy;

	if (!s || !s->have_map)
		return false;
	refresh_linear(s);
	refresh_slide(s);
	return kernel_map_va_to_pa(&s->map, va, pa ? pa : &dummy, what);
}

bool symbols_pa_to_va(machine *m, paddr_t pa, vaddr_t *va, const char **what)
{
	kwb_symbols *s = symbols_get(m);

	if (!s || !s->have_map)
		return false;
	refresh_linear(s);
	refresh_slide(s);
	return kernel_map_pa_to_va(&s->map, pa, va, what);
}

bool symbols_format(machine *m, uint64_t addr, char *buf, size_t len)
{
	kwb_symbols *s = symbols_get(m);
	const char *what;
	vaddr_t va;

	if (len)
		buf[0] = 0;
	if (!s)
		return false;
	if (symbols_slide(m) && addr - s->map.image.va < s->map.image.size)
		return vmlinux_format(s->vm, addr - s->map.slide, buf, len);
	if (vmlinux_format(s->vm, addr, buf, len))
		return true;
	if (!symbols_pa_to_va(m, addr, &va, &what))
		return false;
	if (what == s->map.image.what)
		va -= s->map.slide;	/* the vmlinux names link addresses */
	return vmlinux_format(s->vm, va, buf, len);
}

bool symbols_lookup(machine *m, const char *name, uint64_t *va)
{
	kwb_symbols *s = symbols_get(m);
	const ksym *k = s ? vmlinux_sym_named(s->vm, name) : NULL;

	if (k)
		*va = k->addr + symbols_slide(m);	/* where the running kernel has it */
	return k != NULL;
}
