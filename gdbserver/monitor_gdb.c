/* Monitor commands that belong to the gdb server. */
#include <string.h>

#include "core/machine.h"
#include "core/monitor.h"
#include "session.h"

/* Finds "on"/"off" among the arguments: 1, 0, or -1 if absent/bad. */
static int on_off(int argc, char **argv, int first)
{
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "on"))
			return 1;
		if (!strcmp(argv[i], "off"))
			return 0;
	}
	return -1;
}

static bool has_other_args(int argc, char **argv, const char *allowed)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "on") && strcmp(argv[i], "off") && strcmp(argv[i], allowed))
			return true;
	return false;
}

static int mon_sstep(mon_ctx *c, int argc, char **argv)
{
	int v = on_off(argc, argv, 1);

	if (has_other_args(argc, argv, "irq")) {
		mon_printf(c->out, "usage: sstep irq [on|off]\n");
		return -1;
	}
	if (v >= 0)
		dbg_set_step_irq(c->m, v);
	mon_printf(c->out, "interrupts while single-stepping: %s\n",
		   dbg_step_irq(c->m) ? "on (steps may enter handlers)" : "off (masked)");
	return 0;
}

static int mon_phys(mon_ctx *c, int argc, char **argv)
{
	gdb_server *s = c->m->gdb;
	int v = on_off(argc, argv, 1);

	if (has_other_args(argc, argv, "")) {
		mon_printf(c->out, "usage: phys [on|off]\n");
		return -1;
	}
	if (!s) {
		mon_printf(c->out, "phys: no gdb server (start kwb with -gdb or -s)\n");
		return -1;
	}
	if (v >= 0)
		s->phys = v;
	mon_printf(c->out, "gdb memory and breakpoint addresses: %s\n",
		   s->phys ? "physical" : "virtual (current translation)");
	return 0;
}

/*
 * A mode change applies at the next resume (gdb keeps each thread's
 * registers until the target runs, and thread ids 1, 2... mean CPUs in one
 * mode and pids in the other); "now" applies it at once, for clients that
 * flush their caches themselves (helpers/kwb.py's kwb-tasks).
 */
static int mon_tasks(mon_ctx *c, int argc, char **argv)
{
	gdb_server *s = c->m->gdb;
	int v = on_off(argc, argv, 1);
	bool now = false;

	for (int i = 1; i < argc; i++)
		now |= !strcmp(argv[i], "now");
	if (has_other_args(argc, argv, "now")) {
		mon_printf(c->out, "usage: tasks [on|off] [now]\n");
		return -1;
	}
	if (!s) {
		mon_printf(c->out, "tasks: no gdb server (start kwb with -gdb or -s)\n");
		return -1;
	}
	if (v >= 0)
		s->tasks_want = v;
	if (now || s->fd < 0 || !dbg_is_stopped(c->m))
		gdb_tasks_resume(s, false);
	if (s->tasks_want != s->tasks_mode) {
		mon_printf(c->out, "gdb threads: %s from the next stop (stepi, continue); "
			   "'monitor tasks %s now' + 'maintenance flush register-cache' switches at once\n",
			   s->tasks_want ? "the kernel's tasks" : "CPUs", s->tasks_want ? "on" : "off");
		return 0;
	}
	if (!s->tasks_mode) {
		mon_printf(c->out, "gdb threads: CPUs (monitor tasks on: the kernel's tasks)\n");
		return 0;
	}
	if (!gdb_tasks_active(s)) {
		mon_printf(c->out, "gdb threads: CPUs for now: %s\n", s->tk_why);
		return 0;
	}
	mon_printf(c->out, "gdb threads: the kernel's %d tasks (thread id = pid; CPU n's idle task "
		   "0x%llx - n)%s%s\n", s->tk.n, 0xfffffffeull, s->tk_why[0] ? "; " : "", s->tk_why);
	return 0;
}

/* What gdb inserted, with target-side conditions/commands and how often
 * kwb evaluated them (each evaluation is a hit gdb never saw). */
static int mon_breakpoints(mon_ctx *c, int argc, char **argv)
{
	static const char *const kind[] = { "break", "hbreak", "watch", "rwatch", "awatch", "pbreak",
					    "pwatch", "prwatch", "pawatch" };
	gdb_server *s = c->m->gdb;

	(void)argv;
	if (argc > 1) {
		mon_printf(c->out, "usage: breakpoints\n");
		return -1;
	}
	if (!s || !s->nbps) {
		mon_printf(c->out, "no gdb breakpoints\n");
		return 0;
	}
	for (int i = 0; i < s->nbps; i++) {
		const gdb_bp *b = &s->bps[i];

		mon_printf(c->out, "%-7s 0x%016llx len %llu%s", kind[b->type], (unsigned long long)b->addr,
			   (unsigned long long)b->kind, b->removing ? " (removed at resume)" : "");
		if (b->agent)
			mon_printf(c->out, ": %d condition%s, %d command%s%s, evaluated %lu times in kwb",
				   b->agent->nconds, b->agent->nconds == 1 ? "" : "s", b->agent->ncmds,
				   b->agent->ncmds == 1 ? "" : "s", b->agent->persist ? " (persistent)" : "",
				   b->agent->hits);
		mon_printf(c->out, "\n");
	}
	return 0;
}

MONITOR_COMMANDS(gdb_monitor_commands) {
	{ "breakpoints", "", "gdb's breakpoints, with target-side conditions and their hit counts",
	  mon_breakpoints },
	{ "sstep", "irq [on|off]", "allow interrupts while single-stepping (default off)", mon_sstep },
	{ "phys", "[on|off]", "gdb memory and breakpoints use physical addresses", mon_phys },
	{ "tasks", "[on|off] [now]", "Linux tasks as gdb threads (thread id = pid)", mon_tasks },
	{ NULL, NULL, NULL, NULL },
};
