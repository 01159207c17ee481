/*
 * The power button of QEMU's arm virt board (hw/gpio/gpio_key.c wired to
 * PL061 line 3, the DT's gpio-keys node with KEY_POWER): `monitor
 * system_powerdown` presses it, which raises the line for 100 ms of
 * virtual time, so Linux's gpio-keys driver reports KEY_POWER and
 * userspace can shut down cleanly. The press is outside input: it enters
 * through an input port (core/input.h) and a replay presses it at the same
 * round.
 */
#include <stdlib.h>

#include "../board.h"
#include "../fdt_util.h"
#include "../input.h"
#include "../machine.h"
#include "../monitor.h"
#include "../state.h"
#include "../trace.h"
#include "pl061.h"

#define KEY_POWER 116		/* linux/input-event-codes.h */
#define PRESS_NS 100000000ull	/* QEMU's GPIO_KEY_LATENCY: 100 ms */

typedef struct gpio_key {
	machine *m;
	void *gpio;		/* the PL061 it drives */
	int line;
	input_port *in;
	event release;
	bool pressed;
} gpio_key;

static void release_fire(void *opaque)
{
	gpio_key *k = opaque;

	k->pressed = false;
	pl061_set_line(k->gpio, k->line, 0);
}

static void press(void *opaque, const uint8_t *buf, size_t len)
{
	gpio_key *k = opaque;

	(void)buf; (void)len;
	trace_dev(k->m, "gpio-key", "power button pressed");
	k->pressed = true;
	pl061_set_line(k->gpio, k->line, 1);
	event_schedule(k->m, &k->release, clock_now(k->m) + PRESS_NS);
}

static const input_port_ops key_ops = { .deliver = press };

static void *gpio_key_create(machine *m, const board_device *d)
{
	gpio_key *k = kwb_zalloc(sizeof(*k));

	k->m = m;
	k->line = (int)d->param;
	k->gpio = machine_device(m, "pl061");
	if (!k->gpio)
		kwb_fatal("board %s: the power button needs a pl061", m->board->name);
	event_init(&k->release, "gpio-key", release_fire, k);
	k->in = input_port_new(m, "power-button", INPUT_PACKET, &key_ops, k);
	return k;
}

static void gpio_key_reset(void *state)
{
	gpio_key *k = state;

	event_cancel(k->m, &k->release);
	k->pressed = false;
}

static int gpio_key_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	gpio_key *k = state;
	char path[48] = "/pl061";
	int node, key;
	uint32_t gpio;

	(void)d; (void)parent;
	for (int i = 0; i < m->ndev; i++)
		if (m->dev_state[i] == k->gpio)
			snprintf(path, sizeof(path), "/%s@%llx", m->dev_desc[i]->name,
				 (unsigned long long)m->dev_desc[i]->base);
	gpio = fdtu_phandle_of(fdt, path);
	node = fdtu_node(fdt, 0, "gpio-keys");
	fdtu_string(fdt, node, "compatible", "gpio-keys");
	key = fdtu_node(fdt, node, "poweroff");
	fdtu_string(fdt, key, "label", "GPIO Key Poweroff");
	fdtu_u32(fdt, key, "linux,code", KEY_POWER);
	fdtu_cells(fdt, key, "gpios", (uint32_t[]){ gpio, (uint32_t)k->line, 0 }, 3);
	return node;
}

static void gpio_key_free(void *state)
{
	gpio_key *k = state;

	event_cancel(k->m, &k->release);
	free(k);
}

/* The line level is the PL061's; the pending release is the key's. */
static const state_field gpio_key_fields[] = {
	ST_BOOL(gpio_key, pressed),
	ST_EVENT(gpio_key, release),
	ST_END
};
static const state_desc gpio_key_state = { .name = "gpio-key", .version = 1, .fields = gpio_key_fields };

DEVICE_TYPE(gpio_key_type) {
	.name = "gpio-key",
	.create = gpio_key_create,
	.fdt = gpio_key_fdt,
	.reset = gpio_key_reset,
	.free = gpio_key_free,
	.state = &gpio_key_state,
};

static int cmd_system_powerdown(mon_ctx *c, int argc, char **argv)
{
	gpio_key *k = machine_device(c->m, "gpio-key");
	static const uint8_t one = 1;

	(void)argc; (void)argv;
	if (!k) {
		/* QEMU's riscv virt has no power button: the request does nothing */
		mon_printf(c->out, "this board has no power button (as QEMU's): nothing happens\n");
		return 0;
	}
	input_port_push(k->in, &one, 1);
	mon_printf(c->out, "power button pressed\n");
	return 0;
}

MONITOR_COMMANDS(gpio_key_commands) {
	{ "system_powerdown", "", "press the power button (the guest's gpio-keys sees KEY_POWER)",
	  cmd_system_powerdown },
	{ 0 }
};
