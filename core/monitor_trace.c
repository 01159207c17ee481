/*
 * `monitor trace`: show or change the trace flags at run time, size the
 * ring buffer and dump it.
 */
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "monitor.h"
#include "trace.h"

static void dump_line(void *opaque, const char *line)
{
	mon_printf(opaque, "%s\n", line);
}

static int cmd_trace(mon_ctx *c, int argc, char **argv)
{
	machine *m = c->m;
	char buf[256], err[256];

	if (argc == 1) {
		trace_describe(m, buf, sizeof(buf));
		mon_printf(c->out, "trace: %s\n", buf);
		return 0;
	}
	if (!strcmp(argv[1], "dump")) {
		if (!m->trace || !((trace_state *)m->trace)->ring) {
			mon_printf(c->out, "trace: no ring buffer (use `trace ring N`)\n");
			return -1;
		}
		unsigned n = trace_ring_each(m, dump_line, c->out);
		mon_printf(c->out, "trace: %u records\n", n);
		return 0;
	}
	if (!strcmp(argv[1], "ring")) {
		char *end;
		unsigned long n = argc == 3 ? strtoul(argv[2], &end, 0) : 0;
		if (argc != 3 || *end || n > 1000000) {
			mon_printf(c->out, "usage: trace ring N (0 = off, at most 1000000)\n");
			return -1;
		}
		trace_set_ring(m, (unsigned)n);
		mon_printf(c->out, "trace: ring of %lu records%s\n", n, n ? "" : " (off: records go to the file)");
		return 0;
	}
	if (argc != 2) {
		mon_printf(c->out, "usage: trace [FLAGS|off|ring N|dump]\n");
		return -1;
	}
	if (trace_set(m, argv[1], err, sizeof(err)) < 0) {
		mon_printf(c->out, "trace: %s\n", err);
		return -1;
	}
	trace_describe(m, buf, sizeof(buf));
	mon_printf(c->out, "trace: %s\n", buf);
	return 0;
}

MONITOR_COMMANDS(trace_commands) {
	{ "trace", "[FLAGS|off|ring N|dump]",
	  "show or set traces: exec,int,unimp,mem,mmio,dev,func,irq,mmu,smmu[,cpu=N,el=N,range=A-B,sym=GLOB,"
	  "ring=N]; dump the ring", cmd_trace },
	{ 0 }
};
