/* `info state` and the device `info` commands: any described object's
 * state printed from its description (core/state.h). */
#include <fnmatch.h>
#include <string.h>

#include "machine.h"
#include "monitor.h"
#include "state.h"

/* Prints every object whose instance or type name matches glob; returns
 * how many. */
static int show_matching(mon_ctx *c, const char *glob)
{
	int shown = 0;

	for (int i = 0; i < state_count(c->m); i++) {
		state_instance *s = state_at(c->m, i);
		if (fnmatch(glob, s->name, 0) && fnmatch(glob, s->desc->name, 0))
			continue;
		mon_printf(c->out, "%s%s (%s v%u):\n", shown ? "\n" : "", s->name, s->desc->name,
			   s->desc->version);
		state_print(c->m, s->desc, s->obj, c->out);
		shown++;
	}
	return shown;
}

static int cmd_info_state(mon_ctx *c, int argc, char **argv)
{
	if (argc < 2) {
		for (int i = 0; i < state_count(c->m); i++) {
			state_instance *s = state_at(c->m, i);
			mon_printf(c->out, "%-32s %s v%u\n", s->name, s->desc->name, s->desc->version);
		}
		return 0;
	}
	if (!show_matching(c, argv[1])) {
		mon_printf(c->out, "no object matches '%s' (info state lists them)\n", argv[1]);
		return -1;
	}
	return 0;
}

/* `info gic`, `info plic`, `info clint`: QEMU-style names for the same. */
static int info_type(mon_ctx *c, const char *glob, const char *what)
{
	if (!show_matching(c, glob)) {
		mon_printf(c->out, "this machine has no %s\n", what);
		return -1;
	}
	return 0;
}

static int cmd_info_gic(mon_ctx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return info_type(c, "gic*", "GIC");
}

static int cmd_info_plic(mon_ctx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return info_type(c, "plic", "PLIC");
}

static int cmd_info_clint(mon_ctx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return info_type(c, "clint", "CLINT");
}

MONITOR_COMMANDS(state_commands) {
	{ "info state", "[NAME|TYPE|GLOB]", "described state: the objects, or one's fields (pl031*, cpu0)",
	  cmd_info_state },
	{ "info gic", "", "the GIC's state (info state gic*): registers, per-CPU interface, interrupts decoded",
	  cmd_info_gic },
	{ "info plic", "", "the PLIC's state (info state plic): sources, contexts, next claim",
	  cmd_info_plic },
	{ "info clint", "", "the CLINT's state (info state clint): msip, mtimecmp, mtime",
	  cmd_info_clint },
	{ 0 }
};
