/* `info state`: any described object's state, from its description. */
#include <fnmatch.h>
#include <string.h>

#include "machine.h"
#include "monitor.h"
#include "state.h"

static int cmd_info_state(mon_ctx *c, int argc, char **argv)
{
	int shown = 0;

	if (argc < 2) {
		for (int i = 0; i < state_count(c->m); i++) {
			state_instance *s = state_at(c->m, i);
			mon_printf(c->out, "%-32s %s v%u\n", s->name, s->desc->name, s->desc->version);
		}
		return 0;
	}
	for (int i = 0; i < state_count(c->m); i++) {
		state_instance *s = state_at(c->m, i);
		if (fnmatch(argv[1], s->name, 0) && fnmatch(argv[1], s->desc->name, 0))
			continue;
		mon_printf(c->out, "%s%s (%s v%u):\n", shown ? "\n" : "", s->name, s->desc->name,
			   s->desc->version);
		state_print(c->m, s->desc, s->obj, c->out);
		shown++;
	}
	if (!shown) {
		mon_printf(c->out, "no object matches '%s' (info state lists them)\n", argv[1]);
		return -1;
	}
	return 0;
}

MONITOR_COMMANDS(state_commands) {
	{ "info state", "[NAME|TYPE|GLOB]", "described state: the objects, or one's fields (pl031*, cpu0)",
	  cmd_info_state },
	{ 0 }
};
