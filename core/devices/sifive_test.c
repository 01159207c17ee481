/*
 * SiFive test finisher ("sifive,test0", QEMU's virt power/reset syscon):
 * a 32-bit write of 0x5555 powers off with status 0, 0x3333 | code << 16
 * powers off with status code, 0x7777 resets the machine.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../fdt_util.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

#define TEST_FAIL 0x3333
#define TEST_PASS 0x5555
#define TEST_RESET 0x7777

typedef struct sifive_test {
	machine *m;
} sifive_test;

static bool test_peek(void *opaque, uint64_t off, unsigned size, uint64_t *value)
{
	(void)opaque, (void)off, (void)size;
	*value = 0;
	return true;
}

static uint64_t test_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque, (void)off, (void)size;
	return 0;
}

static void test_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	sifive_test *s = opaque;

	/* OpenSBI writes 16 bits; a FAIL code needs the full 32. */
	if (off != 0 || size < 2)
		return;
	switch (value & 0xffff) {
	case TEST_PASS:
		trace_dev(s->m, "sifive_test", "power off (pass)");
		machine_power_off(s->m, 0);
		break;
	case TEST_FAIL:
		trace_dev(s->m, "sifive_test", "power off (fail, code %d)", (int)((value >> 16) & 0xffff));
		machine_power_off(s->m, (int)((value >> 16) & 0xffff));
		break;
	case TEST_RESET:
		trace_dev(s->m, "sifive_test", "reset");
		machine_request_reset(s->m);
		break;
	}
}

static const char *test_reg_name(void *opaque, uint64_t off)
{
	(void)opaque;
	return off == 0 ? "finisher" : NULL;
}

static const mmio_ops test_ops = {
	.read = test_read, .write = test_write, .peek = test_peek, .reg_name = test_reg_name,
};

static void *test_create(machine *m, const board_device *d)
{
	sifive_test *s = kwb_zalloc(sizeof(*s));

	s->m = m;
	bus_add_mmio(&m->bus, d->name, d->base, d->size, &test_ops, s);
	return s;
}

/* Also points the poweroff and reboot syscon nodes at it: the board's
 * /poweroff and /reboot (as QEMU places them) are completed in place, since
 * adding nodes under / would move the parent offset other devices get;
 * without them, they are added under parent. */
static int test_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	static const struct { const char *name, *compatible; uint32_t value; } syscon[] = {
		{ "poweroff", "syscon-poweroff", TEST_PASS },
		{ "reboot", "syscon-reboot", TEST_RESET },
	};
	int node = fdtu_node_at(fdt, parent, d->name, d->base);
	uint32_t ph;

	(void)m, (void)state;
	fdtu_strings(fdt, node, "compatible", "sifive,test1", "sifive,test0", "syscon", NULL);
	fdtu_reg(fdt, node, d->base, d->size);
	ph = fdtu_phandle(fdt, node);
	for (unsigned i = 0; i < ARRAY_SIZE(syscon); i++) {
		char path[32];
		int n;

		snprintf(path, sizeof(path), "/%s", syscon[i].name);
		n = fdt_path_offset(fdt, path);
		if (n >= 0 && fdt_getprop(fdt, n, "regmap", NULL)) {
			fdtu_check(fdt_setprop_inplace_u32(fdt, n, "regmap", ph), path);
			continue;
		}
		n = fdtu_node(fdt, parent, syscon[i].name);
		fdtu_string(fdt, n, "compatible", syscon[i].compatible);
		fdtu_u32(fdt, n, "regmap", ph);
		fdtu_u32(fdt, n, "offset", 0);
		fdtu_u32(fdt, n, "value", syscon[i].value);
	}
	return fdt_node_offset_by_phandle(fdt, ph);	/* new nodes may have moved it */
}

/* The finisher acts at once and remembers nothing: an empty description,
 * so a snapshot still names it (and a machine without it refuses one). */
static const state_field test_fields[] = { ST_END };
static const state_desc test_state = { .name = "sifive_test", .version = 1, .fields = test_fields };

DEVICE_TYPE(sifive_test_type) {
	.name = "sifive_test",
	.create = test_create,
	.fdt = test_fdt,
	.free = free,
	.state = &test_state,
};
