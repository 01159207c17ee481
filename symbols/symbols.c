/*
 * Finding, loading and attaching the vmlinux to a machine (symbols.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/machine.h"
#include "symbols/symbols.h"

static bool is_elf(const char *path)
{
	unsigned char b[4] = { 0 };
	FILE *f = fopen(path, "rb");
	bool elf;

	if (!f)
		return false;
	elf = fread(b, 1, 4, f) == 4 && !memcmp(b, "\177ELF", 4);
	fclose(f);
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

static bool alias(void *opaque, vaddr_t va, paddr_t *pa)
{
	kwb_symbols *s = opaque;

	return symbols_va_to_pa(s->m, va, pa, NULL);
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

int symbols_attach(machine *m, char *err, size_t errlen)
{
	kwb_symbols *s = m->symbols;
	bool explicit = false;
	char *path = NULL;
	paddr_t load;

	if (!s) {
		vmlinux *vm;
		path = find_vmlinux(m->opt, &explicit);
		if (!path)
			return 0;
		vm = vmlinux_open(path, m->arch->name, err, errlen);
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
	if (m->dbg)
		dbg_set_alias(m, s->have_map ? alias : NULL, s->have_map ? s : NULL);
	return 0;
}

void symbols_free(machine *m)
{
	kwb_symbols *s = m->symbols;

	if (!s)
		return;
	if (m->dbg)
		dbg_set_alias(m, NULL, NULL);
	vmlinux_free(s->vm);
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

bool symbols_va_to_pa(machine *m, vaddr_t va, paddr_t *pa, const char **what)
{
	kwb_symbols *s = symbols_get(m);
	paddr_t dummy;

	if (!s || !s->have_map)
		return false;
	refresh_linear(s);
	return kernel_map_va_to_pa(&s->map, va, pa ? pa : &dummy, what);
}

bool symbols_pa_to_va(machine *m, paddr_t pa, vaddr_t *va, const char **what)
{
	kwb_symbols *s = symbols_get(m);

	if (!s || !s->have_map)
		return false;
	refresh_linear(s);
	return kernel_map_pa_to_va(&s->map, pa, va, what);
}

bool symbols_format(machine *m, uint64_t addr, char *buf, size_t len)
{
	kwb_symbols *s = symbols_get(m);
	vaddr_t va;

	if (len)
		buf[0] = 0;
	if (!s)
		return false;
	if (vmlinux_format(s->vm, addr, buf, len))
		return true;
	return symbols_pa_to_va(m, addr, &va, NULL) && vmlinux_format(s->vm, va, buf, len);
}

bool symbols_lookup(machine *m, const char *name, uint64_t *va)
{
	kwb_symbols *s = symbols_get(m);
	const ksym *k = s ? vmlinux_sym_named(s->vm, name) : NULL;

	if (k)
		*va = k->addr;
	return k != NULL;
}
