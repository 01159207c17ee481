/*
 * Monitor commands: the dispatcher and the generic commands. Other parts
 * of kwb add their own MONITOR_COMMANDS tables (terminated by { 0 }).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "machine.h"
#include "monitor.h"

extern const mon_command *const __start_kwb_mon[] __attribute__((weak));
extern const mon_command *const __stop_kwb_mon[] __attribute__((weak));

void mon_printf(mon_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->buf = kwb_realloc(o->buf, o->cap);
	}
	va_start(ap, fmt);
	vsnprintf(o->buf + o->len, n + 1, fmt, ap);
	va_end(ap);
	o->len += n;
}

void monitor_each(void (*fn)(const mon_command *c, void *opaque), void *opaque)
{
	for (const mon_command *const *t = __start_kwb_mon; t && t < __stop_kwb_mon; t++)
		for (const mon_command *c = *t; c->name; c++)
			fn(c, opaque);
}

/* Does line start with the words of name? Returns words matched or 0. */
static int match_words(const char *name, char **argv, int argc)
{
	char buf[64], *save, *w;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", name);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save), n++)
		if (n >= argc || strcasecmp(w, argv[n]))
			return 0;
	return n;
}

struct best { char **argv; int argc, words; const mon_command *cmd; };

static void find_best(const mon_command *c, void *p)
{
	struct best *b = p;
	int w = match_words(c->name, b->argv, b->argc);
	if (w > b->words) {
		b->words = w;
		b->cmd = c;
	}
}

int monitor_run(mon_ctx *ctx, const char *line)
{
	char *copy = kwb_strdup(line), *argv[32], *save, *w;
	int argc = 0, r;
	struct best b = { .argv = argv };

	for (w = strtok_r(copy, " \t\r\n", &save); w && argc < 32; w = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = w;
	if (!argc) {
		free(copy);
		return 0;
	}
	b.argc = argc;
	monitor_each(find_best, &b);
	if (!b.cmd) {
		mon_printf(ctx->out, "unknown command: '%s' (try 'help')\n", argv[0]);
		free(copy);
		return MON_UNKNOWN;
	}
	/* argv[0] is the last word of the command name. */
	r = b.cmd->fn(ctx, argc - b.words + 1, argv + b.words - 1);
	free(copy);
	return r;
}

/* ---- generic commands ---- */

static void help_one(const mon_command *c, void *p)
{
	mon_ctx *ctx = p;
	char head[64];
	snprintf(head, sizeof(head), "%s %s", c->name, c->args ? c->args : "");
	mon_printf(ctx->out, "%-28s %s\n", head, c->help);
}

static int cmd_help(mon_ctx *c, int argc, char **argv)
{
	(void)argc; (void)argv;
	monitor_each(help_one, c);
	return 0;
}

static int cmd_version(mon_ctx *c, int argc, char **argv)
{
	(void)argc; (void)argv;
	mon_printf(c->out, "kwb %s\n", KWB_VERSION);
	return 0;
}

static void print_reg(mon_ctx *c, const reg_table *t, int i)
{
	uint8_t buf[64] = { 0 };
	const reg_desc *r = &t->regs[i];

	if (dbg_reg_read(c->m, c->cpu, i, buf) < 0) {
		mon_printf(c->out, "%-16s <unavailable>\n", r->name);
		return;
	}
	mon_printf(c->out, "%-16s 0x", r->name);
	for (int b = (r->bitsize + 7) / 8 - 1; b >= 0; b--)
		mon_printf(c->out, "%02x", buf[b]);
	mon_printf(c->out, "\n");
}

static int cmd_info_registers(mon_ctx *c, int argc, char **argv)
{
	const reg_table *t = dbg_regs(c->m);
	bool any = false;

	mon_printf(c->out, "CPU#%d %s\n", c->cpu,
		   c->m->arch->mode_name ? c->m->arch->mode_name(c->m->cpus[c->cpu]) : "");
	for (int i = 0; i < t->count; i++) {
		const reg_desc *r = &t->regs[i];
		bool want = argc < 2 ? !strcmp(r->group, "general")
			: !strcasecmp(argv[1], "all") || !strcasecmp(argv[1], r->group) ||
			  !strcasecmp(argv[1], r->name) ||
			  !strcasecmp(argv[1], t->features[r->feature].name);
		if (want) {
			print_reg(c, t, i);
			any = true;
		}
	}
	if (!any) {
		mon_printf(c->out, "no register or group named '%s'\n", argv[1]);
		return -1;
	}
	return 0;
}

static int cmd_info_mtree(mon_ctx *c, int argc, char **argv)
{
	bus *b = &c->m->bus;
	(void)argc; (void)argv;
	mon_printf(c->out, "address-space: memory\n");
	for (int i = 0; i < b->count; i++) {
		bus_region *r = &b->regions[i];
		mon_printf(c->out, "  %016llx-%016llx (prio 0, %s): %s\n", (unsigned long long)r->base,
			   (unsigned long long)(r->base + r->size - 1),
			   r->host ? (r->readonly ? "rom" : "ram") : "i/o", r->name);
	}
	return 0;
}

static int cmd_info_roms(mon_ctx *c, int argc, char **argv)
{
	machine *m = c->m;
	(void)argc; (void)argv;
	for (int i = 0; i < m->nimages; i++) {
		loaded_image *im = &m->images[i];
		mon_printf(c->out, "addr=%016llx size=0x%06llx mem=ram name=\"%s\" (%s)\n",
			   (unsigned long long)im->base, (unsigned long long)im->size,
			   im->file ? im->file : im->what, im->what);
	}
	return 0;
}

static int cmd_system_reset(mon_ctx *c, int argc, char **argv)
{
	(void)argc; (void)argv;
	machine_reset(c->m);
	mon_printf(c->out, "machine reset\n");
	return 0;
}

static int cmd_stop(mon_ctx *c, int argc, char **argv)
{
	(void)argc; (void)argv;
	if (c->gdb) {
		mon_printf(c->out, "gdb controls the machine: use Ctrl-C in gdb\n");
		return -1;
	}
	dbg_request_stop(c->m);
	return 0;
}

static int cmd_cont(mon_ctx *c, int argc, char **argv)
{
	(void)argc; (void)argv;
	/* Resuming behind gdb's back would leave it waiting for a stop it
	 * never asked for. */
	if (c->gdb) {
		mon_printf(c->out, "gdb controls the machine: use gdb's continue\n");
		return -1;
	}
	dbg_resume(c->m, NULL);
	return 0;
}

static int cmd_quit(mon_ctx *c, int argc, char **argv)
{
	(void)argc; (void)argv;
	chardev_restore_all();
	exit(c->m->exit_code);
}

MONITOR_COMMANDS(core_commands) {
	{ "help", "", "list monitor commands", cmd_help },
	{ "info version", "", "show the kwb version", cmd_version },
	{ "info registers", "[GROUP|NAME|all]", "registers of the selected CPU (general by default)",
	  cmd_info_registers },
	{ "info mtree", "", "physical memory map: RAM, ROM and device regions", cmd_info_mtree },
	{ "info roms", "", "images the loaders placed (kernel, initrd, DTB, firmware)", cmd_info_roms },
	{ "system_reset", "", "reset the machine and reload its images", cmd_system_reset },
	{ "stop", "", "stop the machine", cmd_stop },
	{ "cont", "", "resume the machine", cmd_cont },
	{ "c", "", "resume the machine", cmd_cont },
	{ "quit", "", "quit kwb", cmd_quit },
	{ "q", "", "quit kwb", cmd_quit },
	{ 0 }
};
