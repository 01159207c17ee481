/* `rr info`: the recorded history (core/history.h). */
#include "history.h"
#include "machine.h"
#include "monitor.h"

static int cmd_rr_info(mon_ctx *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	hist_info(c->m, c->out);
	return 0;
}

MONITOR_COMMANDS(history_commands) {
	{ "rr info", "", "history for reverse execution: window, checkpoints, memory used",
	  cmd_rr_info },
	{ 0 }
};
