/*
 * Monitor commands, shared by `monitor ...` in gdb (qRcmd) and the
 * console monitor (Ctrl-A c). Adding a command is one table entry:
 * see MONITOR_COMMAND() below and core/monitor.c.
 */
#ifndef KWB_MONITOR_H
#define KWB_MONITOR_H

#include "kwb.h"

struct machine;

typedef struct mon_out {
	char *buf;
	size_t len, cap;
} mon_out;

void mon_printf(mon_out *o, const char *fmt, ...) KWB_PRINTF(2, 3);

typedef struct mon_ctx {
	struct machine *m;
	int cpu;		/* the debugger's selected CPU */
	mon_out *out;
	void *gdb;		/* the gdb session, when called through qRcmd */
} mon_ctx;

/* argv[0] is the command (or the first word after its prefix for
 * multi-word commands like "info registers"). Return 0 or -1 (error
 * already printed). */
typedef int (*mon_fn)(mon_ctx *c, int argc, char **argv);

typedef struct mon_command {
	const char *name;	/* "info registers", "vtop", "smmu ste" */
	const char *args;	/* "[ADDR]" */
	const char *help;
	mon_fn fn;
} mon_command;

/* Each part of kwb contributes a table; the linker collects them. */
#define MONITOR_COMMANDS(ident) \
	static const mon_command ident[]; \
	__attribute__((used, section("kwb_mon"))) static const mon_command *const ident##_ptr = ident; \
	static const mon_command ident[] =

/* Run one command line; output goes to ctx->out. Returns 0, -1 (the
 * command failed) or MON_UNKNOWN (no such command). */
#define MON_UNKNOWN (-2)
int monitor_run(mon_ctx *ctx, const char *line);
/* Names for completion: calls fn for each command name. */
void monitor_each(void (*fn)(const mon_command *c, void *opaque), void *opaque);

#endif
