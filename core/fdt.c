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

/* The guest's random numbers: a splitmix64 stream of -seed, one stream
 * per use, so the same -seed gives the same bytes (deterministic runs). */
static void seed_bytes(uint64_t seed, uint64_t stream, uint8_t *buf, size_t n)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull);

	for (size_t i = 0; i < n; i++) {
		uint64_t z;

		if (i % 8 == 0) {
			z = (x += 0x9e3779b97f4a7c15ull);
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			z ^= z >> 31;
			for (size_t b = 0; b < 8 && i + b < n; b++)
				buf[i + b] = (uint8_t)(z >> (8 * b));
		}
	}
}

/* As QEMU 7.2: the arm64 virt board's generated tree gets a kaslr-seed (8
 * bytes) and an rng-seed (32) in /chosen unless dtb-randomness=off, a
 * -dtb none; the riscv64 board adds an rng-seed (32) to either. */
static void set_seeds(machine *m, void *fdt, int chosen)
{
	bool arm = !strcmp(m->arch->name, "aarch64");
	uint8_t rng[32], kaslr[8];

	if (arm && (m->opt->dtb || m->opt->dtb_no_randomness))
		return;
	seed_bytes(m->opt->seed, 1, rng, sizeof(rng));
	check(fdt_setprop(fdt, chosen, "rng-seed", rng, sizeof(rng)), "rng-seed");
	if (arm) {
		seed_bytes(m->opt->seed, 2, kaslr, sizeof(kaslr));
		check(fdt_setprop(fdt, chosen, "kaslr-seed", kaslr, sizeof(kaslr)), "kaslr-seed");
	}
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
	set_seeds(m, fdt, chosen);
}

/*
 * QEMU's arm boards describe the RAM of -m in a user DTB too: every node
 * with device_type "memory" is dropped and one /memory@BASE added, with
 * the root's cell sizes (which must be there).
 */
static void set_user_memory(machine *m, void *fdt)
{
	const char *path = m->opt->dtb;
	const fdt32_t *ac = fdt_getprop(fdt, 0, "#address-cells", NULL);
	const fdt32_t *sc = fdt_getprop(fdt, 0, "#size-cells", NULL);
	uint32_t acells = ac ? fdt32_to_cpu(*ac) : 0, scells = sc ? fdt32_to_cpu(*sc) : 0;
	const bus_region *ram = m->bus.ram;
	fdt32_t reg[4];
	char name[40];
	int node, n = 0;

	if (!ram)
		return;
	if (acells < 1 || acells > 2 || scells < 1 || scells > 2)
		kwb_fatal("-dtb %s: / needs #address-cells and #size-cells of 1 or 2 (has %u and %u)",
			  path, acells, scells);
	if ((acells < 2 && ram->base + ram->size > 1ull << 32) || (scells < 2 && ram->size >= 1ull << 32))
		kwb_fatal("-dtb %s: 1-cell addresses or sizes cannot describe this RAM (-m)", path);
	while ((node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7)) >= 0)
		check(fdt_nop_node(fdt, node), "dropping the dtb's memory nodes");
	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)ram->base);
	node = fdt_add_subnode(fdt, 0, name);
	check(node, "adding /memory");
	if (acells == 2)
		reg[n++] = cpu_to_fdt32(ram->base >> 32);
	reg[n++] = cpu_to_fdt32((uint32_t)ram->base);
	if (scells == 2)
		reg[n++] = cpu_to_fdt32(ram->size >> 32);
	reg[n++] = cpu_to_fdt32((uint32_t)ram->size);
	check(fdt_setprop_string(fdt, node, "device_type", "memory"), "memory device_type");
	check(fdt_setprop(fdt, node, "reg", reg, n * 4), "memory reg");
}

static void *load_user_dtb(machine *m)
{
	const char *path = m->opt->dtb, *err;
	char what[256], why[512] = "";
	fdt_tree tree;
	size_t size;
	uint8_t *blob = kwb_read_file(path, &size, &err);
	void *fdt = NULL;
	int r;

	if (!blob)
		kwb_fatal("-dtb %s: %s", path, err);
	/* A refusal frees the blob first: a fatal exit leaves nothing behind. */
	snprintf(what, sizeof(what), "-dtb %s", path);
	if (size < sizeof(struct fdt_header))
		snprintf(why, sizeof(why), "-dtb %s: truncated (%zu bytes, smaller than a DTB header)", path,
			 size);
	else if (fdt_magic(blob) != FDT_MAGIC)
		snprintf(why, sizeof(why), "-dtb %s: bad magic 0x%08x (expected 0xd00dfeed)", path,
			 fdt_magic(blob));
	else if (fdt_totalsize(blob) > size)
		snprintf(why, sizeof(why), "-dtb %s: header totalsize %u exceeds the file size %zu", path,
			 fdt_totalsize(blob), size);
	else if ((r = fdt_check_header(blob)) < 0)
		snprintf(why, sizeof(why), "-dtb %s: bad header: %s", path, fdt_strerror(r));
	/* libfdt trusts the structure block; the kernel should not have to. */
	else if (fdti_parse(&tree, blob, size, what, why, sizeof(why)) == 0) {
		fdti_free(&tree);
		fdt = kwb_zalloc(fdt_totalsize(blob) + 65536);
		if ((r = fdt_open_into(blob, fdt, fdt_totalsize(blob) + 65536)) < 0) {
			snprintf(why, sizeof(why), "-dtb %s: %s", path, fdt_strerror(r));
			free(fdt);
			fdt = NULL;
		}
	}
	free(blob);
	if (!fdt)
		kwb_fatal("%s", why);
	return fdt;
}

void machine_build_fdt(machine *m)
{
	void *fdt;

	free(m->fdt);
	m->fdt = NULL;		/* a refused -dtb leaves none, not a freed one */
	if (m->opt->dtb) {
		m->fdt = fdt = load_user_dtb(m);
		if (!strcmp(m->arch->name, "aarch64"))
			set_user_memory(m, fdt);
	} else {
		m->fdt = fdt = kwb_zalloc(FDT_BUILD_SIZE);
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
	m->dtb_size = fdt_totalsize(fdt);
}
