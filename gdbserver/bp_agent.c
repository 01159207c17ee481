/*
 * Target-side breakpoint conditions and commands (ConditionalBreakpoints+,
 * BreakpointCommands+): gdb appends them to Z0/Z1 as
 *     Z0,ADDR,KIND;X<len>,<bytecode>[;X...][;cmds:<persist>,X<len>,<bytecode>[,X...]]
 * and kwb runs them where the breakpoint hits (core/debug.h's condition
 * hook), so `break f if $x1 == 0x...` or an agent-style dprintf costs no
 * round trip per hit. The breakpoint stops when any condition holds (or
 * there is none) and it has no commands; commands (dprintf's printf) run
 * when it would stop, and then it does not (as gdbserver). A condition that
 * cannot be evaluated (unreadable memory) stops, with the reason on gdb's
 * console.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_expr.h"
#include "session.h"

void gdb_bp_agent_free(gdb_bp_agent *a)
{
	if (!a)
		return;
	for (int i = 0; i < a->nconds; i++)
		free(a->cond[i]);
	for (int i = 0; i < a->ncmds; i++)
		free(a->cmd[i]);
	free(a);
}

/* The part of a Z packet after ADDR,KIND (at ';' or end). NULL with
 * *bad = false when there is nothing; NULL with *bad when malformed. */
gdb_bp_agent *gdb_bp_agent_parse(gdb_server *s, const char *p, const char *end, bool *bad)
{
	gdb_bp_agent *a = kwb_zalloc(sizeof(*a));

	a->s = s;
	*bad = false;
	while (p < end) {
		if (*p++ != ';')
			goto malformed;
		if (end - p >= 5 && !memcmp(p, "cmds:", 5)) {
			p += 5;
			if (p >= end || (*p != '0' && *p != '1') || p + 1 >= end || p[1] != ',')
				goto malformed;
			a->persist = *p == '1';
			p += 2;
			for (;;) {
				if (a->ncmds == GDB_AGENT_MAX ||
				    !ax_parse(&p, end, &a->cmd[a->ncmds], &a->cmd_len[a->ncmds]))
					goto malformed;
				a->ncmds++;
				if (p < end && *p == ',') {
					p++;
					continue;
				}
				break;
			}
			continue;
		}
		if (a->nconds == GDB_AGENT_MAX || !ax_parse(&p, end, &a->cond[a->nconds], &a->cond_len[a->nconds]))
			goto malformed;
		a->nconds++;
	}
	if (!a->nconds && !a->ncmds) {
		free(a);
		return NULL;
	}
	return a;
malformed:
	gdb_bp_agent_free(a);
	*bad = true;
	return NULL;
}

typedef struct eval_ctx {
	gdb_server *s;
	int cpu;
	uint64_t pc;
	int pc_reg;
} eval_ctx;

static bool env_reg(void *opaque, int regnum, uint64_t *v)
{
	eval_ctx *e = opaque;
	const reg_table *t = dbg_regs(e->s->m);
	uint8_t buf[256];
	int n;

	if (regnum < 0 || regnum >= t->count)
		return false;
	if (regnum == e->pc_reg) {
		*v = e->pc;	/* the CPU may keep its pc elsewhere mid-block */
		return true;
	}
	n = (t->regs[regnum].bitsize + 7) / 8;
	if (n > (int)sizeof(buf) || dbg_reg_read(e->s->m, e->cpu, regnum, buf))
		return false;
	*v = 0;
	for (int i = (n < 8 ? n : 8) - 1; i >= 0; i--)
		*v = *v << 8 | buf[i];
	return true;
}

static size_t env_mem(void *opaque, uint64_t addr, void *buf, size_t len)
{
	eval_ctx *e = opaque;

	return dbg_mem_read(e->s->m, e->cpu, addr, buf, len, 0);
}

/* printf output: gdb's console while it is attached and waiting (a
 * running target may send O packets), else kwb's stderr. */
static void env_out(void *opaque, const char *text, size_t len)
{
	eval_ctx *e = opaque;

	if (e->s->fd >= 0 && e->s->running)
		gdb_send_console(e->s, text, len);
	else
		fprintf(stderr, "%.*s", (int)len, text);
}

static int pc_regnum(machine *m)
{
	const reg_table *t = dbg_regs(m);

	for (int i = 0; i < t->count; i++)
		if (t->regs[i].flags & REGF_PC)
			return i;
	return -1;
}

static void report_error(eval_ctx *e, const char *what, const char *err)
{
	char msg[320];
	int n = snprintf(msg, sizeof(msg), "kwb: breakpoint at 0x%llx: %s: %s\n", (unsigned long long)e->pc,
			 what, err);

	env_out(e, msg, n > 0 && (size_t)n < sizeof(msg) ? (size_t)n : strlen(msg));
}

/* core/debug.h's condition hook. */
bool gdb_bp_agent_hit(void *opaque, machine *m, int cpu, uint64_t pc)
{
	gdb_bp_agent *a = opaque;
	eval_ctx e = { .s = a->s, .cpu = cpu, .pc = pc, .pc_reg = pc_regnum(m) };
	ax_env env = { .opaque = &e, .reg = env_reg, .mem = env_mem, .out = env_out };
	bool hold = a->nconds == 0;
	char err[200];
	uint64_t v;

	a->hits++;
	for (int i = 0; i < a->nconds && !hold; i++) {
		if (ax_eval(a->cond[i], a->cond_len[i], &env, &v, err, sizeof(err))) {
			report_error(&e, "condition", err);
			return true;
		}
		hold = v != 0;
	}
	if (!hold)
		return false;
	for (int i = 0; i < a->ncmds; i++)
		if (ax_eval(a->cmd[i], a->cmd_len[i], &env, &v, err, sizeof(err))) {
			report_error(&e, "command", err);
			return true;
		}
	return a->ncmds == 0;
}
