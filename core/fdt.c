/* Building the device tree handed to the kernel (or validating the user's). */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt_inspect.h"
#include "machine.h"

#define FDT_BUILD_SIZE (1 << 20)

static void check(int err, const char *what)
{
	if (err < 0)
		kwb_fatal("device tree: %s: %s", what, fdt_strerror(err));
}

static void set_chosen(machine *m, void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");

	if (chosen < 0)
		chosen = fdt_add_subnode(fdt, 0, "chosen");
	check(chosen, "adding /chosen");
	if (m->opt->append)
		check(fdt_setprop_string(fdt, chosen, "bootargs", m->opt->append), "bootargs");
	if (m->initrd_end) {
		/* Two cells, as current QEMU writes them; Linux accepts both. */
		check(fdt_setprop_u64(fdt, chosen, "linux,initrd-start", m->initrd_start), "initrd-start");
		check(fdt_setprop_u64(fdt, chosen, "linux,initrd-end", m->initrd_end), "initrd-end");
	}
}

static void *load_user_dtb(machine *m)
{
	const char *path = m->opt->dtb, *err;
	char what[256], why[512];
	fdt_tree tree;
	size_t size;
	uint8_t *blob = kwb_read_file(path, &size, &err);
	void *fdt;
	int r;

	if (!blob)
		kwb_fatal("-dtb %s: %s", path, err);
	if (size < sizeof(struct fdt_header))
		kwb_fatal("-dtb %s: truncated (%zu bytes, smaller than a DTB header)", path, size);
	if (fdt_magic(blob) != FDT_MAGIC)
		kwb_fatal("-dtb %s: bad magic 0x%08x (expected 0xd00dfeed)", path, fdt_magic(blob));
	if (fdt_totalsize(blob) > size)
		kwb_fatal("-dtb %s: header totalsize %u exceeds the file size %zu", path,
			  fdt_totalsize(blob), size);
	if ((r = fdt_check_header(blob)) < 0)
		kwb_fatal("-dtb %s: bad header: %s", path, fdt_strerror(r));
	/* libfdt trusts the structure block; the kernel should not have to. */
	snprintf(what, sizeof(what), "-dtb %s", path);
	if (fdti_parse(&tree, blob, size, what, why, sizeof(why)))
		kwb_fatal("%s", why);
	fdti_free(&tree);
	fdt = kwb_zalloc(fdt_totalsize(blob) + 65536);
	if ((r = fdt_open_into(blob, fdt, fdt_totalsize(blob) + 65536)) < 0)
		kwb_fatal("-dtb %s: %s", path, fdt_strerror(r));
	free(blob);
	return fdt;
}

void machine_build_fdt(machine *m)
{
	void *fdt;

	free(m->fdt);
	if (m->opt->dtb) {
		fdt = load_user_dtb(m);
	} else {
		fdt = kwb_zalloc(FDT_BUILD_SIZE);
		check(fdt_create_empty_tree(fdt, FDT_BUILD_SIZE), "creating");
		check(m->board->fdt_base(m, fdt), "board nodes");
		for (int i = 0; i < m->ndev; i++) {
			const device_type *t = device_type_find(m->dev_desc[i]->type);
			/* Offsets move as nodes are added: look the parent up each time. */
			int parent = fdt_path_offset(fdt, "/soc");
			if (t && t->fdt)
				check(t->fdt(m, m->dev_desc[i], m->dev_state[i], fdt, parent < 0 ? 0 : parent),
				      t->name);
		}
	}
	set_chosen(m, fdt);
	check(fdt_pack(fdt), "packing");
	m->fdt = fdt;
	m->dtb_size = fdt_totalsize(fdt);
}
