/*
 * The device-tree decoder (core/fdt_inspect.c: monitor fdt, fdt-paths,
 * fdt-diff), which reads guest-controlled memory and host files.
 */
#include <libfdt.h>

#include "core/fdt_inspect.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_copy(data, size);
	char err[256];
	fdt_tree t, t2;

	fdti_check_header(copy, size, "fuzz", err, sizeof(err));
	if (fdti_parse(&t, copy, size, "fuzz", err, sizeof(err)) == 0) {
		mon_out o = { 0 };
		char path[512];

		fuzz_accepted++;
		fdti_print_dts(&t, &o);
		fdti_print_paths(&t, &o);
		for (int i = 0; i < t.nnodes && i < 64; i++) {
			fdti_path(&t, i, path, sizeof(path));
			fdti_find(&t, path);
		}
		if (t.nprops)
			fdti_print_prop(&t, t.nprops - 1, &o);
		if (t.nnodes)
			fdti_print_node(&t, t.nnodes - 1, &o);
		if (fdti_parse(&t2, copy, size, "fuzz", err, sizeof(err)) == 0) {
			fdti_diff(&t, &t2, "a", "b", &o);
			fdti_free(&t2);
		}
		free(o.buf);
		fdti_free(&t);
	}
	free(copy);
	return 0;
}

/* Small trees with the properties the decoder interprets (phandle lists,
 * interrupts-extended, iommu-map, msi-map, clocks, strings). */
void fuzz_seeds(void (*add)(const void *data, size_t len))
{
	static uint8_t b[4096];
	fdt32_t cells[6];

	for (int variant = 0; variant < 3; variant++) {
		fdt_create(b, sizeof(b));
		if (variant)
			fdt_add_reservemap_entry(b, 0x80000000, 0x200000);
		fdt_finish_reservemap(b);
		fdt_begin_node(b, "");
		fdt_property_u32(b, "interrupt-parent", 1);
		fdt_begin_node(b, "intc@8000000");
		fdt_property_u32(b, "#interrupt-cells", 3);
		fdt_property_u32(b, "#msi-cells", 1);
		fdt_property_u32(b, "#iommu-cells", 1);
		fdt_property_u32(b, "#clock-cells", variant);
		fdt_property_u32(b, "phandle", 1);
		fdt_end_node(b);
		fdt_begin_node(b, "soc");
		for (int i = 0; i < 2 + variant; i++) {
			char name[32];
			snprintf(name, sizeof(name), "dev@%x", 0x1000 * i);
			fdt_begin_node(b, name);
			fdt_property(b, "compatible", "a,b\0c", 6);
			for (int k = 0; k < 6; k++)
				cells[k] = cpu_to_fdt32(k == 1 || k == 4 ? 1 : k);
			fdt_property(b, "interrupts-extended", cells, 16);
			fdt_property(b, "iommu-map", cells, 16);
			fdt_property(b, "msi-map", cells, 16);
			fdt_property(b, "clocks", cells + 1, 4 + 4 * variant);
			fdt_property(b, "bytes", "\x01\x02\x03", 3);
			fdt_property(b, "empty", NULL, 0);
			fdt_end_node(b);
		}
		fdt_end_node(b);
		fdt_begin_node(b, "chosen");
		fdt_property_string(b, "bootargs", "console=ttyS0 \"quoted\"");
		fdt_end_node(b);
		fdt_end_node(b);
		fdt_finish(b);
		add(b, fdt_totalsize(b));
	}
}
