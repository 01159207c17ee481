/* Device-tree building helpers (see fdt_util.h). */
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fdt_util.h"

int fdtu_check(int ret, const char *what)
{
	if (ret < 0)
		kwb_fatal("fdt: %s: %s", what, fdt_strerror(ret));
	return ret;
}

static int prop_check(void *fdt, int node, const char *prop, int ret)
{
	if (ret < 0) {
		char path[256];
		if (fdt_get_path(fdt, node, path, sizeof(path)) < 0)
			strcpy(path, "?");
		kwb_fatal("fdt: %s/%s: %s", path, prop, fdt_strerror(ret));
	}
	return ret;
}

void *fdtu_create(size_t size)
{
	void *fdt = kwb_zalloc(size);
	fdtu_check(fdt_create_empty_tree(fdt, (int)size), "create");
	return fdt;
}

size_t fdtu_finish(void *fdt)
{
	fdtu_check(fdt_pack(fdt), "pack");
	return fdt_totalsize(fdt);
}

int fdtu_node(void *fdt, int parent, const char *name)
{
	int ret = fdt_add_subnode(fdt, parent, name);
	if (ret < 0) {
		char what[128];
		snprintf(what, sizeof(what), "adding node %s", name);
		fdtu_check(ret, what);
	}
	return ret;
}

int fdtu_node_at(void *fdt, int parent, const char *name, paddr_t addr)
{
	char n[96];
	snprintf(n, sizeof(n), "%s@%llx", name, (unsigned long long)addr);
	return fdtu_node(fdt, parent, n);
}

int fdtu_path(void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);
	if (off < 0) {
		char what[128];
		snprintf(what, sizeof(what), "looking up %s", path);
		fdtu_check(off, what);
	}
	return off;
}

void fdtu_u32(void *fdt, int node, const char *prop, uint32_t v)
{
	prop_check(fdt, node, prop, fdt_setprop_u32(fdt, node, prop, v));
}

void fdtu_u64(void *fdt, int node, const char *prop, uint64_t v)
{
	prop_check(fdt, node, prop, fdt_setprop_u64(fdt, node, prop, v));
}

void fdtu_cells(void *fdt, int node, const char *prop, const uint32_t *cells, int n)
{
	fdt32_t be[64];
	if (n > (int)ARRAY_SIZE(be))
		kwb_fatal("fdt: %s: %d cells is too many", prop, n);
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	prop_check(fdt, node, prop, fdt_setprop(fdt, node, prop, be, n * (int)sizeof(be[0])));
}

void fdtu_string(void *fdt, int node, const char *prop, const char *s)
{
	prop_check(fdt, node, prop, fdt_setprop_string(fdt, node, prop, s));
}

void fdtu_strings(void *fdt, int node, const char *prop, ...)
{
	char buf[512];
	size_t len = 0;
	const char *s;
	va_list ap;

	va_start(ap, prop);
	while ((s = va_arg(ap, const char *))) {
		size_t n = strlen(s) + 1;
		if (len + n > sizeof(buf))
			kwb_fatal("fdt: %s: string list too long", prop);
		memcpy(buf + len, s, n);
		len += n;
	}
	va_end(ap);
	prop_check(fdt, node, prop, fdt_setprop(fdt, node, prop, buf, (int)len));
}

void fdtu_empty(void *fdt, int node, const char *prop)
{
	prop_check(fdt, node, prop, fdt_setprop_empty(fdt, node, prop));
}

void fdtu_reg(void *fdt, int node, paddr_t base, uint64_t size)
{
	uint32_t c[4] = { base >> 32, (uint32_t)base, size >> 32, (uint32_t)size };
	fdtu_cells(fdt, node, "reg", c, 4);
}

void fdtu_reg_append(void *fdt, int node, paddr_t base, uint64_t size)
{
	prop_check(fdt, node, "reg", fdt_appendprop_u64(fdt, node, "reg", base));
	prop_check(fdt, node, "reg", fdt_appendprop_u64(fdt, node, "reg", size));
}

uint32_t fdtu_phandle(void *fdt, int node)
{
	uint32_t ph = fdt_get_phandle(fdt, node);
	if (ph)
		return ph;
	prop_check(fdt, node, "phandle", fdt_generate_phandle(fdt, &ph));
	fdtu_u32(fdt, node, "phandle", ph);
	return ph;
}

uint32_t fdtu_phandle_of(void *fdt, const char *path)
{
	return fdtu_phandle(fdt, fdtu_path(fdt, path));
}

int fdtu_hart_irq_pairs(void *fdt, int nharts, uint32_t a, uint32_t b, uint32_t *cells)
{
	char path[64];
	int n = 0;

	/* Phandles first: setting one moves the nodes after it. */
	for (int i = 0; i < nharts; i++) {
		uint32_t intc;
		snprintf(path, sizeof(path), "/cpus/cpu@%d/interrupt-controller", i);
		intc = fdtu_phandle_of(fdt, path);
		cells[n++] = intc;
		cells[n++] = a;
		cells[n++] = intc;
		cells[n++] = b;
	}
	return n;
}
