/*
 * Packet handlers, one table entry per packet (prefix match in table
 * order, or exact match). Every handler validates its arguments and answers
 * E01 (malformed), E02 (no such register/thread) or E14 (memory not
 * accessible) instead of trusting gdb; unknown packets get an empty reply.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "session.h"
#include "core/monitor.h"
#include "target-xml/tdesc.h"

#define REG_MAX_BYTES 256	/* widest register we serve (2048-bit SVE) */
#define RCMD_MAX 4096

typedef void (*gdb_handler)(gdb_server *s, const char *arg, const char *end);

/* ---- argument parsing ---- */

static bool parse_addr_len(const char **p, const char *end, uint64_t *addr, uint64_t *len)
{
	if (!rsp_parse_hex(p, end, addr) || *p >= end || **p != ',')
		return false;
	(*p)++;
	return rsp_parse_hex(p, end, len);
}

/* A thread id: -1 (all), 0 (any), CPU index + 1, or (tasks mode) a task's
 * id. Returns the CPU index (for a task: the CPU running it), -1 for all,
 * -2 if malformed / no such thread, -3 for a task no CPU runs now (*task is
 * its index in s->tk, else -1). */
static int parse_thread_task(gdb_server *s, const char **p, const char *end, int *task)
{
	uint64_t id;

	*task = -1;
	if (*p + 2 <= end && (*p)[0] == '-' && (*p)[1] == '1' && (*p + 2 == end || rsp_hexval((unsigned char)(*p)[2]) < 0)) {
		*p += 2;
		return -1;
	}
	if (*p < end && **p == '-') {
		/* gdb writes ids as 32-bit signed: idle tasks' 0xfffffffe - n as -2 - n */
		(*p)++;
		if (!rsp_parse_hex(p, end, &id) || !id || id > 0xffffffffull)
			return -2;
		id = 0x100000000ull - id;
	} else if (!rsp_parse_hex(p, end, &id)) {
		return -2;
	}
	if (id == 0)
		return s->g_cpu;
	if (gdb_tasks_active(s)) {
		int i = gdb_task_by_tid(s, id);

		if (i < 0)
			return -2;
		*task = i;
		return s->tk.t[i].cpu >= 0 ? s->tk.t[i].cpu : -3;
	}
	if (id > (uint64_t)s->m->ncpus)
		return -2;
	return (int)id - 1;
}

static unsigned mem_flags(gdb_server *s)
{
	return s->phys ? DBG_PHYS : 0;
}

/* Longest transfer one reply can carry as hex. */
#define MEM_HEX_MAX ((GDB_REPLY_CAP - 16) / 2)

static uint64_t clamp_len(uint64_t addr, uint64_t len, uint64_t max)
{
	if (len > max)
		len = max;
	if (addr + len < addr)		/* wraps: stop at the top of memory */
		len = 0 - addr;
	return len;
}

/* ---- registers ---- */

static int reg_bytes(const reg_desc *r)
{
	return (r->bitsize + 7) / 8;
}

static void reply_reg(gdb_server *s, int idx)
{
	const reg_desc *r = &dbg_regs(s->m)->regs[idx];
	const ktask *t = gdb_sleeping_task(s);
	uint8_t buf[REG_MAX_BYTES];
	int n = reg_bytes(r);

	if (n > REG_MAX_BYTES || (t ? gdb_task_reg(s, t, idx, buf, n) : dbg_reg_read(s->m, s->g_cpu, idx, buf))) {
		for (int i = 0; i < n && gdb_reply_room(s) >= 2; i++)
			gdb_reply_str(s, "xx");
		return;
	}
	gdb_reply_hex(s, buf, (size_t)n);
}

/* The 'g' packet covers the first feature (the core registers). */
static int g_count(const reg_table *t)
{
	int n = 0;

	while (n < t->count && t->regs[n].feature == 0)
		n++;
	return n;
}

static void h_read_regs(gdb_server *s, const char *arg, const char *end)
{
	int n = g_count(dbg_regs(s->m));

	(void)arg, (void)end;
	for (int i = 0; i < n; i++)
		reply_reg(s, i);
}

static void h_write_regs(gdb_server *s, const char *arg, const char *end)
{
	const reg_table *t = dbg_regs(s->m);
	int n = g_count(t);
	size_t total = 0;
	uint8_t buf[REG_MAX_BYTES];

	if (gdb_sleeping_task(s)) {
		gdb_reply_str(s, "E01");	/* a saved context is not a CPU */
		return;
	}
	/* gdb always sends the whole block: anything else is malformed. */
	for (int i = 0; i < n; i++)
		total += 2 * (size_t)reg_bytes(&t->regs[i]);
	if ((size_t)(end - arg) != total) {
		gdb_reply_str(s, "E01");
		return;
	}
	for (const char *p = arg; p < end; p++)
		if (rsp_hexval((unsigned char)*p) < 0) {
			gdb_reply_str(s, "E01");
			return;
		}
	for (int i = 0; i < n; i++) {
		size_t nb = (size_t)reg_bytes(&t->regs[i]);

		/* Read-only registers in the block are skipped, not errors. */
		if (nb <= REG_MAX_BYTES && t->regs[i].access != REG_RO) {
			rsp_hex_decode(arg, nb, buf);
			dbg_reg_write(s->m, s->g_cpu, i, buf);
		}
		arg += 2 * nb;
	}
	gdb_reply_str(s, "OK");
}

static void h_read_reg(gdb_server *s, const char *arg, const char *end)
{
	uint64_t idx;

	if (!rsp_parse_hex(&arg, end, &idx) || arg != end) {
		gdb_reply_str(s, "E01");
		return;
	}
	if (idx >= (uint64_t)dbg_regs(s->m)->count) {
		gdb_reply_str(s, "E02");
		return;
	}
	reply_reg(s, (int)idx);
}

static void h_write_reg(gdb_server *s, const char *arg, const char *end)
{
	const reg_table *t = dbg_regs(s->m);
	uint8_t buf[REG_MAX_BYTES];
	uint64_t idx;
	size_t nb;

	if (!rsp_parse_hex(&arg, end, &idx) || arg >= end || *arg++ != '=') {
		gdb_reply_str(s, "E01");
		return;
	}
	if (idx >= (uint64_t)t->count) {
		gdb_reply_str(s, "E02");
		return;
	}
	nb = (size_t)reg_bytes(&t->regs[idx]);
	if (nb > REG_MAX_BYTES || (size_t)(end - arg) != 2 * nb || !rsp_hex_decode(arg, nb, buf)) {
		gdb_reply_str(s, "E01");
		return;
	}
	if (t->regs[idx].access == REG_RO || gdb_sleeping_task(s) ||
	    dbg_reg_write(s->m, s->g_cpu, (int)idx, buf)) {
		gdb_reply_str(s, "E01");
		return;
	}
	gdb_reply_str(s, "OK");
}

/* ---- memory ---- */

static void h_read_mem(gdb_server *s, const char *arg, const char *end)
{
	uint64_t addr, len;
	size_t n;

	if (!parse_addr_len(&arg, end, &addr, &len) || arg != end) {
		gdb_reply_str(s, "E01");
		return;
	}
	len = clamp_len(addr, len, MEM_HEX_MAX);
	n = dbg_mem_read(s->m, s->g_cpu, addr, s->scratch, len, mem_flags(s));
	if (len && !n) {
		gdb_reply_str(s, "E14");
		return;
	}
	gdb_reply_hex(s, s->scratch, n);
}

/* x: binary read (gdb >= 16 with binary-upload+): "b" + escaped data. */
static void h_read_mem_bin(gdb_server *s, const char *arg, const char *end)
{
	uint64_t addr, len;
	size_t n;

	if (!parse_addr_len(&arg, end, &addr, &len) || arg != end) {
		gdb_reply_str(s, "E01");
		return;
	}
	/* Escaping can double the size: never read more than fits. */
	len = clamp_len(addr, len, (GDB_REPLY_CAP - 16) / 2);
	n = dbg_mem_read(s->m, s->g_cpu, addr, s->scratch, len, mem_flags(s));
	if (len && !n) {
		gdb_reply_str(s, "E14");
		return;
	}
	gdb_reply_str(s, "b");
	gdb_reply_bin(s, s->scratch, n);
}

static void write_mem(gdb_server *s, uint64_t addr, const uint8_t *data, size_t len)
{
	if (addr + len < addr) {
		gdb_reply_str(s, "E01");
		return;
	}
	if (len && dbg_mem_write(s->m, s->g_cpu, addr, data, len, mem_flags(s)) != len) {
		gdb_reply_str(s, "E14");
		return;
	}
	gdb_reply_str(s, "OK");
}

static void h_write_mem(gdb_server *s, const char *arg, const char *end)
{
	uint64_t addr, len;

	if (!parse_addr_len(&arg, end, &addr, &len) || arg >= end || *arg++ != ':' ||
	    len > sizeof(s->scratch) || (uint64_t)(end - arg) != 2 * len ||
	    !rsp_hex_decode(arg, len, s->scratch)) {
		gdb_reply_str(s, "E01");
		return;
	}
	write_mem(s, addr, s->scratch, len);
}

/* X: the framing layer already removed the binary escapes. */
static void h_write_mem_bin(gdb_server *s, const char *arg, const char *end)
{
	uint64_t addr, len;

	if (!parse_addr_len(&arg, end, &addr, &len) || arg >= end || *arg++ != ':' ||
	    (uint64_t)(end - arg) != len) {
		gdb_reply_str(s, "E01");
		return;
	}
	write_mem(s, addr, (const uint8_t *)arg, len);
}

/* ---- breakpoints ---- */

bool gdb_has_breakpoint_at(gdb_server *s, uint64_t addr)
{
	for (int i = 0; i < s->nbps; i++)
		if ((s->bps[i].type == BP_SW || s->bps[i].type == BP_HW) && s->bps[i].addr == addr &&
		    !s->bps[i].removing)
			return true;
	return false;
}

static int bp_find(gdb_server *s, enum bp_type type, uint64_t addr, uint64_t kind)
{
	for (int i = 0; i < s->nbps; i++)
		if (s->bps[i].type == type && s->bps[i].addr == addr && s->bps[i].kind == kind)
			return i;
	return -1;
}

static void bp_drop(gdb_server *s, int i)
{
	gdb_bp *b = &s->bps[i];

	dbg_bp_remove(s->m, b->type, b->addr, b->kind);
	gdb_bp_agent_free(b->agent);
	*b = s->bps[--s->nbps];
}

/* Apply the removals gdb asked for since the last resume. */
static void bp_flush_removals(gdb_server *s)
{
	for (int i = 0; i < s->nbps;) {
		if (s->bps[i].removing)
			bp_drop(s, i);
		else
			i++;
	}
}

/* Forget every breakpoint and watchpoint (detach, dropped connection:
 * monitor pbreak/pwatch too) except gdb's whose commands it asked to
 * persist (cmds:1). */
void gdb_bp_forget(gdb_server *s)
{
	int keep = 0;

	dbg_bp_remove_all(s->m);
	for (int i = 0; i < s->nbps; i++) {
		gdb_bp *b = &s->bps[i];

		if (!b->removing && b->agent && b->agent->persist && b->agent->ncmds &&
		    !dbg_bp_insert(s->m, b->type, b->addr, b->kind)) {
			dbg_bp_set_cond(s->m, b->type, b->addr, b->kind, gdb_bp_agent_hit, b->agent);
			s->bps[keep++] = *b;
		} else {
			gdb_bp_agent_free(b->agent);
		}
	}
	s->nbps = keep;
}

/* New conditions/commands for breakpoint i (gdb sends them again with
 * every insertion). */
static void bp_set_agent(gdb_server *s, gdb_bp *b, gdb_bp_agent *a)
{
	if (a && b->agent)
		a->hits = b->agent->hits;	/* gdb re-inserts at every resume */
	gdb_bp_agent_free(b->agent);
	b->agent = a;
	dbg_bp_set_cond(s->m, b->type, b->addr, b->kind, a ? gdb_bp_agent_hit : NULL, a);
}

static void h_breakpoint(gdb_server *s, const char *arg, const char *end, bool insert)
{
	static const enum bp_type virt[] = { BP_SW, BP_HW, BP_WATCH_W, BP_WATCH_R, BP_WATCH_A };
	static const enum bp_type phys[] = { BP_PHYS, BP_PHYS, BP_PWATCH_W, BP_PWATCH_R, BP_PWATCH_A };
	uint64_t type, addr, kind;
	gdb_bp_agent *agent = NULL;
	bool bad;
	enum bp_type t;
	int i;

	if (!rsp_parse_hex(&arg, end, &type) || arg >= end || *arg++ != ',' ||
	    !parse_addr_len(&arg, end, &addr, &kind) || (arg != end && *arg != ';')) {
		gdb_reply_str(s, "E01");
		return;
	}
	if (type > 4)
		return;		/* unsupported kind: empty reply */
	/* A breakpoint's kind is its instruction size, which kwb does not
	 * need: 0 is fine (lldb sends it on RISC-V; QEMU accepts it). A
	 * watchpoint needs a length. */
	if ((kind == 0 && type >= 2) || kind > 0x10000 || addr + kind < addr) {
		gdb_reply_str(s, "E01");
		return;
	}
	if (insert && type <= 1) {
		agent = gdb_bp_agent_parse(s, arg, end, &bad);
		if (bad) {
			gdb_reply_str(s, "E01");
			return;
		}
	}
	t = (s->phys ? phys : virt)[type];
	i = bp_find(s, t, addr, kind);
	if (!insert) {
		if (i < 0 || s->bps[i].removing) {
			gdb_reply_str(s, "E01");
			return;
		}
		s->bps[i].removing = true;
		gdb_reply_str(s, "OK");
		return;
	}
	if (i >= 0) {
		s->bps[i].removing = false;	/* re-inserted before resuming */
		bp_set_agent(s, &s->bps[i], agent);
		gdb_reply_str(s, "OK");
		return;
	}
	/* Full of removals gdb made since the last resume: apply them now
	 * rather than refuse a new one. */
	if (s->nbps == GDB_MAX_BPS)
		bp_flush_removals(s);
	if (s->nbps == GDB_MAX_BPS || dbg_bp_insert(s->m, t, addr, kind)) {
		gdb_bp_agent_free(agent);
		gdb_reply_str(s, "E01");
		return;
	}
	if (s->nbps == s->bpcap) {
		s->bpcap = s->bpcap ? 2 * s->bpcap : 16;
		s->bps = kwb_realloc(s->bps, (size_t)s->bpcap * sizeof(*s->bps));
	}
	s->bps[s->nbps++] = (gdb_bp){ .type = t, .addr = addr, .kind = kind };
	bp_set_agent(s, &s->bps[s->nbps - 1], agent);
	gdb_reply_str(s, "OK");
}

static void h_insert_bp(gdb_server *s, const char *arg, const char *end)
{
	h_breakpoint(s, arg, end, true);
}

static void h_remove_bp(gdb_server *s, const char *arg, const char *end)
{
	h_breakpoint(s, arg, end, false);
}

/* ---- stops and execution ---- */

void gdb_stop_reply(gdb_server *s, const stop_info *st)
{
	machine *m = s->m;
	const reg_table *t = dbg_regs(m);
	int c = st->cpu >= 0 && st->cpu < m->ncpus ? st->cpu : s->g_cpu;

	if (st->reason == STOP_SHUTDOWN || s->guest_exited) {
		int code = st->reason == STOP_SHUTDOWN ? st->exit_code : s->exit_code;
		gdb_reply_printf(s, "W%02x", code & 0xff);
		s->exit_reported = true;
		return;
	}
	gdb_reply_printf(s, "T%02xthread:%llx;", st->reason == STOP_INTERRUPT ? 2 : 5,
			 (unsigned long long)gdb_stop_tid(s, st, c));
	for (int i = 0; i < t->count; i++) {
		uint8_t buf[REG_MAX_BYTES];
		int n = reg_bytes(&t->regs[i]);

		if (!(t->regs[i].flags & REGF_EXPEDITE) || n > REG_MAX_BYTES ||
		    dbg_reg_read(m, c, i, buf))
			continue;
		gdb_reply_printf(s, "%x:", i);
		gdb_reply_hex(s, buf, (size_t)n);
		gdb_reply_str(s, ";");
	}
	if (st->history_begin)	/* gdb: "No more reverse-execution history." */
		gdb_reply_str(s, "replaylog:begin;");
	switch (st->foreign ? STOP_NONE : st->reason) {
	case STOP_SWBREAK:
		gdb_reply_str(s, "swbreak:;");
		break;
	case STOP_HWBREAK:
		gdb_reply_str(s, "hwbreak:;");
		break;
	case STOP_WATCH:
		gdb_reply_printf(s, "watch:%llx;", (unsigned long long)st->addr);
		break;
	case STOP_RWATCH:
		gdb_reply_printf(s, "rwatch:%llx;", (unsigned long long)st->addr);
		break;
	case STOP_AWATCH:
		gdb_reply_printf(s, "awatch:%llx;", (unsigned long long)st->addr);
		break;
	default:
		break;
	}
}

static void reply_current_stop(gdb_server *s, int cpu)
{
	stop_info st = { .reason = STOP_NONE, .cpu = cpu };	/* T05, nothing more */

	gdb_stop_reply(s, &st);
}

void gdb_resume(gdb_server *s)
{
	machine *m = s->m;
	bool any = false, stepping = false;

	if (s->guest_exited) {
		reply_current_stop(s, s->g_cpu);	/* W again */
		return;
	}
	if (gdb_image_release(s))
		return;		/* gdb updated its symbols: the held stop */
	for (int i = 0; i < m->ncpus; i++) {
		if (s->actions[i] == RESUME_STEP && !m->cpus[i]->powered) {
			/* a step on a CPU that is off would never finish */
			reply_current_stop(s, i);
			return;
		}
		any |= s->actions[i] != RESUME_STOPPED;
		stepping |= s->actions[i] == RESUME_STEP;
	}
	if (!any) {
		reply_current_stop(s, s->g_cpu);
		return;
	}
	bp_flush_removals(s);
	gdb_tasks_resume(s, stepping);
	s->running = true;
	s->no_reply = true;
	s->interrupted = s->attach_stop = false;
	dbg_resume(m, s->actions);
}

/* bs / bc: backwards on kwb's history (core/history.h), for the thread
 * gdb resumes; the stop reply comes when the machine gets there. */
static void reverse(gdb_server *s, bool step)
{
	int cpu = s->c_cpu >= 0 ? s->c_cpu : s->g_cpu;

	if (s->guest_exited) {
		reply_current_stop(s, s->g_cpu);
		return;
	}
	bp_flush_removals(s);
	memset(s->ranging, 0, sizeof(s->ranging));
	if ((step ? dbg_reverse_step(s->m, cpu) : dbg_reverse_continue(s->m)) < 0) {
		gdb_reply_str(s, "E01");
		return;
	}
	s->running = true;
	s->no_reply = true;
	s->interrupted = s->attach_stop = false;
}

static void h_reverse_step(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	reverse(s, true);
}

static void h_reverse_continue(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	reverse(s, false);
}

static void h_query_stop(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	if (!s->guest_exited && !dbg_is_stopped(s->m)) {
		/* running (attached while running: the stop asked for at
		 * attach is coming): the next stop answers */
		s->running = true;
		s->no_reply = true;
		return;
	}
	{
		int c = dbg_last_stop(s->m)->cpu;

		if (c >= 0 && c < s->m->ncpus)
			s->g_cpu = s->c_cpu = c;
		s->g_task = -1;
		reply_current_stop(s, c);
	}
}

static void set_pc(gdb_server *s, int cpu, uint64_t pc)
{
	const reg_table *t = dbg_regs(s->m);
	uint8_t buf[8];

	for (int b = 0; b < 8; b++)
		buf[b] = (uint8_t)(pc >> (8 * b));
	for (int i = 0; i < t->count; i++)
		if (t->regs[i].flags & REGF_PC) {
			dbg_reg_write(s->m, cpu, i, buf);
			return;
		}
}

/* c/s [addr] and C/S sig[;addr]: the optional address sets the pc first. */
static bool resume_addr(gdb_server *s, const char *arg, const char *end, bool has_sig, int cpu)
{
	uint64_t v;

	if (has_sig) {
		if (!rsp_parse_hex(&arg, end, &v))
			return false;
		if (arg < end && *arg++ != ';')
			return false;
	}
	if (arg == end)
		return true;
	if (!rsp_parse_hex(&arg, end, &v) || arg != end)
		return false;
	set_pc(s, cpu, v);
	return true;
}

static void plain_resume(gdb_server *s, const char *arg, const char *end, bool step, bool sig)
{
	int cpu = s->c_cpu >= 0 ? s->c_cpu : s->g_cpu;

	if (!resume_addr(s, arg, end, sig, cpu)) {
		gdb_reply_str(s, "E01");
		return;
	}
	memset(s->ranging, 0, sizeof(s->ranging));
	for (int i = 0; i < s->m->ncpus; i++)
		s->actions[i] = step ? (i == cpu ? RESUME_STEP : RESUME_STOPPED) : RESUME_CONTINUE;
	gdb_resume(s);
}

static void h_continue(gdb_server *s, const char *a, const char *e) { plain_resume(s, a, e, false, false); }
static void h_continue_sig(gdb_server *s, const char *a, const char *e) { plain_resume(s, a, e, false, true); }
static void h_step(gdb_server *s, const char *a, const char *e) { plain_resume(s, a, e, true, false); }
static void h_step_sig(gdb_server *s, const char *a, const char *e) { plain_resume(s, a, e, true, true); }

static void h_vcont_query(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_str(s, "vCont;c;C;s;S;t;r");
}

/* vCont;ACTION[:TID];...: the leftmost action naming a CPU wins; CPUs
 * without one stay stopped (scheduler-locking). */
static void h_vcont(gdb_server *s, const char *p, const char *end)
{
	machine *m = s->m;
	bool set[KWB_MAX_CPUS] = { false };
	bool ranging[KWB_MAX_CPUS] = { false };
	uint64_t lo[KWB_MAX_CPUS], hi[KWB_MAX_CPUS];
	int step_asleep = -1;		/* a step asked of a task no CPU runs */

	while (p < end) {
		enum resume_action act;
		uint64_t v, rlo = 0, rhi = 0;
		bool range = false;
		int cpu = -1;

		switch (*p++) {
		case 'c':
			act = RESUME_CONTINUE;
			break;
		case 's':
			act = RESUME_STEP;
			break;
		case 'C':
		case 'S':
			act = p[-1] == 'C' ? RESUME_CONTINUE : RESUME_STEP;
			if (!rsp_parse_hex(&p, end, &v))
				goto bad;
			break;
		case 't':
			act = RESUME_STOPPED;
			break;
		case 'r':
			act = RESUME_STEP;
			range = true;
			if (!parse_addr_len(&p, end, &rlo, &rhi))
				goto bad;
			break;
		default:
			goto bad;
		}
		if (p < end && *p == ':') {
			int task;

			p++;
			cpu = parse_thread_task(s, &p, end, &task);
			if (cpu == -3) {
				/* a sleeping task: nothing runs it, nothing to resume */
				if (act == RESUME_STEP && step_asleep < 0)
					step_asleep = task;
				if (p < end && *p++ != ';')
					goto bad;
				continue;
			}
			if (cpu < -1)
				goto bad;
		}
		if (p < end && *p++ != ';')
			goto bad;
		for (int i = 0; i < m->ncpus; i++) {
			if (set[i] || (cpu != -1 && cpu != i))
				continue;
			set[i] = true;
			s->actions[i] = act;
			ranging[i] = range;
			lo[i] = rlo;
			hi[i] = rhi;
		}
	}
	if (step_asleep >= 0) {
		char msg[256], text[96];
		const ktask *t = &s->tk.t[step_asleep];

		gdb_task_text(t, text, sizeof(text));
		snprintf(msg, sizeof(msg), "kwb: %s: no CPU runs this task, it cannot be stepped "
			 "(continue, or a breakpoint where it wakes up)\n", text);
		gdb_send_console(s, msg, strlen(msg));
		gdb_reply_printf(s, "T05thread:%llx;", (unsigned long long)gdb_task_tid(t));
		return;
	}
	for (int i = 0; i < m->ncpus; i++) {
		if (!set[i])
			s->actions[i] = RESUME_STOPPED;
		s->ranging[i] = ranging[i];
		s->range_lo[i] = ranging[i] ? lo[i] : 0;
		s->range_hi[i] = ranging[i] ? hi[i] : 0;
	}
	gdb_resume(s);
	return;
bad:
	gdb_reply_str(s, "E01");
}

void gdb_drop_breakpoints(gdb_server *s)
{
	gdb_bp_forget(s);
	memset(s->ranging, 0, sizeof(s->ranging));
	s->running = false;
	s->img.held = false;
}

void gdb_detach(gdb_server *s)
{
	machine *m = s->m;

	gdb_drop_breakpoints(s);
	if (!s->guest_exited && dbg_is_stopped(m))
		dbg_resume(m, NULL);
}

static void h_detach(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_detach(s);
	gdb_reply_str(s, "OK");
}

/* k and vKill: QEMU answers with the exit (W00) and quits. kwb quits with
 * the guest's power-off code if it powered off (held by -no-shutdown, or
 * waiting for gdb to leave), else 0. */
void gdb_kill(gdb_server *s)
{
	machine *m = s->m;
	int code = s->guest_exited ? s->exit_code : m->exit_code;

	s->rlen = 0;
	gdb_reply_printf(s, "W%02x", code & 0xff);
	gdb_send_reply(s);
	gdb_serve_flush(s);
	if (s->fd >= 0) {
		machine_remove_poll(m, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	dbg_bp_remove_all(m);
	for (int i = 0; i < s->nbps; i++)
		gdb_bp_agent_free(s->bps[i].agent);
	s->nbps = 0;
	/* without a stop listener the loop ends on this shutdown */
	dbg_set_stop_listener(m, NULL, NULL);
	machine_shutdown(m, code);
}

static void h_kill(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	s->no_reply = true;
	gdb_kill(s);
}

static void h_vkill(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_str(s, "OK");
	gdb_send_reply(s);
	s->no_reply = true;
	gdb_kill(s);
}

/* ---- threads ---- */

static void h_set_thread(gdb_server *s, const char *arg, const char *end)
{
	char which;
	int cpu, task;

	if (arg >= end) {
		gdb_reply_str(s, "E01");
		return;
	}
	which = *arg++;
	cpu = parse_thread_task(s, &arg, end, &task);
	if ((cpu < -1 && cpu != -3) || arg != end || (which != 'g' && which != 'c')) {
		gdb_reply_str(s, "E02");
		return;
	}
	if (which == 'g') {
		s->g_cpu = cpu >= 0 ? cpu : s->g_cpu;
		s->g_task = cpu == -3 ? task : -1;
	} else {
		s->c_cpu = cpu >= 0 ? cpu : -1;
	}
	gdb_reply_str(s, "OK");
}

/*
 * Every CPU is a thread, as on QEMU, except while gdb may still get the
 * KASLR reload (an exec, after which gdb keeps one thread and numbers the
 * others anew): then secondaries that never ran are left out, so gdb meets
 * them later in order as threads 2, 3, ... (Linux's lx- helpers take
 * thread N for CPU N-1). Once listed, a CPU stays.
 */
static bool cpu_listed(gdb_server *s, int i)
{
	if (!s->cpu_listed[i] && (i == 0 || s->m->cpus[i]->powered || !gdb_image_unsettled(s)))
		s->cpu_listed[i] = true;
	return s->cpu_listed[i];
}

static void h_thread_alive(gdb_server *s, const char *arg, const char *end)
{
	int task, cpu = parse_thread_task(s, &arg, end, &task);

	gdb_reply_str(s, arg == end && (task >= 0 || (cpu >= 0 && cpu_listed(s, cpu))) ? "OK" : "E02");
}

static void h_current_thread(gdb_server *s, const char *arg, const char *end)
{
	const ktask *t = gdb_sleeping_task(s);

	(void)arg, (void)end;
	gdb_reply_printf(s, "QC%llx", (unsigned long long)(t ? gdb_task_tid(t) : gdb_cpu_tid(s, s->g_cpu)));
}

static void h_thread_first(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_str(s, "m");
	if (gdb_tasks_active(s)) {
		for (int i = 0; i < s->tk.n && gdb_reply_room(s) > 32; i++)
			gdb_reply_printf(s, i ? ",%llx" : "%llx", (unsigned long long)gdb_task_tid(&s->tk.t[i]));
		return;
	}
	for (int i = 0; i < s->m->ncpus; i++)
		if (cpu_listed(s, i))
			gdb_reply_printf(s, i ? ",%x" : "%x", i + 1);
}

static void h_thread_next(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_str(s, "l");
}

static bool is_riscv(machine *m)
{
	return m->arch && m->arch->name && !strcmp(m->arch->name, "riscv64");
}

/* "hart 0 S" / "CPU#0 EL1h", plus why it is not running. */
static void thread_text(machine *m, int i, char *buf, size_t len)
{
	cpu *c = m->cpus[i];
	const char *mode = m->arch->mode_name ? m->arch->mode_name(c) : "?";

	snprintf(buf, len, is_riscv(m) ? "hart %d %s%s" : "CPU#%d %s%s", i, mode,
		 !c->powered ? " (off)" : c->waiting ? " (wfi)" : "");
}

static void h_thread_extra(gdb_server *s, const char *arg, const char *end)
{
	char text[128];
	int task, cpu = parse_thread_task(s, &arg, end, &task);

	if ((cpu < 0 && task < 0) || arg != end) {
		gdb_reply_str(s, "E02");
		return;
	}
	if (task >= 0)
		gdb_task_text(&s->tk.t[task], text, sizeof(text));
	else
		thread_text(s->m, cpu, text, sizeof(text));
	gdb_reply_hex(s, text, strlen(text));
}

/* ---- qXfer ---- */

/* Serve [off, off+len) of doc as an m (more) or l (last) reply. */
void gdb_xfer_reply(gdb_server *s, const char *doc, size_t doclen, const char *arg, const char *end)
{
	uint64_t off, len;
	size_t used;

	if (!parse_addr_len(&arg, end, &off, &len) || arg != end) {
		gdb_reply_str(s, "E01");
		return;
	}
	if (off >= doclen) {
		gdb_reply_str(s, "l");
		return;
	}
	if (len > doclen - off)
		len = doclen - off;
	if (len > GDB_REPLY_CAP / 2)
		len = GDB_REPLY_CAP / 2;
	gdb_reply_str(s, "m");
	used = gdb_reply_bin(s, doc + off, len);
	if (off + used == doclen)
		s->reply[0] = 'l';
}

static void h_xfer_features(gdb_server *s, const char *arg, const char *end)
{
	const char *colon = memchr(arg, ':', (size_t)(end - arg));
	char annex[128];
	size_t alen, doclen;
	char *doc;

	if (!colon || (alen = (size_t)(colon - arg)) >= sizeof(annex)) {
		gdb_reply_str(s, "E00");
		return;
	}
	memcpy(annex, arg, alen);
	annex[alen] = 0;
	doc = tdesc_xml(dbg_regs(s->m), annex, &doclen);
	if (!doc) {
		gdb_reply_str(s, "E00");
		return;
	}
	gdb_xfer_reply(s, doc, doclen, colon + 1, end);
	free(doc);
}

/* comm is the guest's: escape it for XML (in place is fine). */
static void xml_text(char *out, size_t len, const char *in)
{
	char tmp[256];
	size_t n = 0;

	for (; *in && n + 7 < sizeof(tmp); in++) {
		const char *e = *in == '&' ? "&amp;" : *in == '<' ? "&lt;" : *in == '>' ? "&gt;"
			      : *in == '"' ? "&quot;" : NULL;
		if (e) {
			memcpy(tmp + n, e, strlen(e));
			n += strlen(e);
		} else {
			tmp[n++] = *in;
		}
	}
	tmp[n] = 0;
	if (len) {
		n = n < len - 1 ? n : len - 1;
		memcpy(out, tmp, n);
		out[n] = 0;
	}
}

static void h_xfer_threads(gdb_server *s, const char *arg, const char *end)
{
	machine *m = s->m;
	bool tasks = gdb_tasks_active(s);
	size_t cap = 256 + (size_t)(tasks ? s->tk.n : m->ncpus) * 640, len = 0;
	char *doc = kwb_zalloc(cap);

	len += (size_t)snprintf(doc + len, cap - len, "<?xml version=\"1.0\"?>\n<threads>\n");
	for (int i = 0; tasks && i < s->tk.n; i++) {
		const ktask *t = &s->tk.t[i];
		char text[128], esc[256], name[256];

		gdb_task_text(t, text, sizeof(text));
		xml_text(name, sizeof(name), t->comm);
		len += (size_t)snprintf(doc + len, cap - len, "<thread id=\"%llx\"", (unsigned long long)gdb_task_tid(t));
		if (t->cpu >= 0)
			len += (size_t)snprintf(doc + len, cap - len, " core=\"%d\"", t->cpu);
		xml_text(esc, sizeof(esc), text);
		len += (size_t)snprintf(doc + len, cap - len, " name=\"%s\">%s</thread>\n", name, esc);
	}
	for (int i = 0; !tasks && i < m->ncpus; i++) {
		char text[128];

		if (!cpu_listed(s, i))
			continue;
		thread_text(m, i, text, sizeof(text));
		len += (size_t)snprintf(doc + len, cap - len,
					"<thread id=\"%x\" core=\"%d\" name=\"%s%d\">%s</thread>\n",
					i + 1, i, is_riscv(m) ? "hart" : "CPU#", i, text);
	}
	len += (size_t)snprintf(doc + len, cap - len, "</threads>\n");
	gdb_xfer_reply(s, doc, len, arg, end);
	free(doc);
}

static void h_xfer_libs_svr4(gdb_server *s, const char *arg, const char *end)
{
	gdb_xfer_libraries(s, arg, end, true);
}

static void h_xfer_libs(gdb_server *s, const char *arg, const char *end)
{
	gdb_xfer_libraries(s, arg, end, false);
}

static void h_xfer_auxv(gdb_server *s, const char *arg, const char *end)
{
	gdb_xfer_auxv(s, arg, end);
}

static void h_offsets(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_query_offsets(s);
}

/* ---- general queries ---- */

static void h_supported(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_printf(s, "PacketSize=%x;QStartNoAckMode+;qXfer:features:read+;"
			 "qXfer:threads:read+;swbreak+;hwbreak+;vContSupported+;binary-upload+;"
			 "ConditionalBreakpoints+;BreakpointCommands+",
			 RSP_PACKET_SIZE);
	if (dbg_history_on(s->m))	/* bs, bc */
		gdb_reply_str(s, ";ReverseStep+;ReverseContinue+");
	/* the vmlinux at the physical alias and its KASLR slide (kernel_image.c) */
	if (gdb_image_known(s))
		gdb_reply_str(s, ";qXfer:libraries-svr4:read+;qXfer:libraries:read+;qXfer:auxv:read+");
}

static void h_no_ack(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	/* The OK still goes out (and is acked) in ack mode. */
	gdb_reply_str(s, "OK");
	gdb_send_reply(s);
	s->no_reply = true;
	s->no_ack = true;
}

static void h_ok(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_str(s, "OK");
}

static void h_empty(gdb_server *s, const char *arg, const char *end)
{
	(void)s, (void)arg, (void)end;
}

static void h_attached(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_str(s, "1");
}

void gdb_send_console(gdb_server *s, const char *text, size_t len)
{
	size_t chunk = (GDB_REPLY_CAP - 16) / 2;

	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		s->rlen = 0;
		gdb_reply_str(s, "O");
		gdb_reply_hex(s, text + off, n);
		gdb_send_reply(s);
	}
	s->rlen = 0;
}

static void h_rcmd(gdb_server *s, const char *arg, const char *end)
{
	size_t hl = (size_t)(end - arg);
	char line[RCMD_MAX];
	mon_out out = { 0 };
	mon_ctx ctx = { .m = s->m, .cpu = s->g_cpu, .out = &out, .gdb = s };
	const char *p;
	int rc;

	if (hl % 2 || hl / 2 >= sizeof(line) || !rsp_hex_decode(arg, hl / 2, (uint8_t *)line)) {
		gdb_reply_str(s, "E01");
		return;
	}
	line[hl / 2] = 0;
	if (strlen(line) != hl / 2) {
		gdb_reply_str(s, "E01");
		return;
	}
	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	/* A monitor command may resume the machine (cont): gdb's removals
	 * must be real by then (not for the list of them). */
	if (strncmp(p, "breakpoints", 11))
		bp_flush_removals(s);
	if (!*p) {
		mon_printf(&out, "usage: monitor COMMAND ('monitor help' lists them)\n");
		rc = MON_UNKNOWN;
	} else {
		rc = monitor_run(&ctx, line);
	}
	if (out.buf && out.len)
		gdb_send_console(s, out.buf, out.len);
	free(out.buf);
	/* As QEMU: an unknown command is said on gdb's console and answered
	 * OK (E01 made gdb add "Protocol error with Rcmd"); a command that
	 * failed still answers E01, so a gdb script stops there. */
	gdb_reply_str(s, rc == -1 ? "E01" : "OK");
}

/* ---- QEMU's packets ---- */

enum { SSTEP_ENABLE = 1, SSTEP_NOIRQ = 2, SSTEP_NOTIMER = 4 };

static void h_qemu_supported(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_str(s, "sstepbits;sstep;PhyMemMode");
}

static void h_qemu_sstepbits(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_printf(s, "ENABLE=%x,NOIRQ=%x,NOTIMER=%x", SSTEP_ENABLE, SSTEP_NOIRQ,
			 SSTEP_NOTIMER);
}

static void h_qemu_sstep_get(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_printf(s, "0x%x", SSTEP_ENABLE |
			 (dbg_step_irq(s->m) ? 0 : SSTEP_NOIRQ | SSTEP_NOTIMER));
}

static void h_qemu_sstep_set(gdb_server *s, const char *arg, const char *end)
{
	uint64_t v;

	if (end - arg > 2 && arg[0] == '0' && (arg[1] == 'x' || arg[1] == 'X'))
		arg += 2;
	if (!rsp_parse_hex(&arg, end, &v) || arg != end || (v & ~7ull)) {
		gdb_reply_str(s, "E22");
		return;
	}
	/* Timer interrupts are interrupts: NOTIMER rides with NOIRQ. */
	dbg_set_step_irq(s->m, !(v & SSTEP_NOIRQ));
	gdb_reply_str(s, "OK");
}

static void h_qemu_phys_get(gdb_server *s, const char *arg, const char *end)
{
	(void)arg, (void)end;
	gdb_reply_str(s, s->phys ? "1" : "0");
}

static void h_qemu_phys_set(gdb_server *s, const char *arg, const char *end)
{
	if (end - arg != 1 || (arg[0] != '0' && arg[0] != '1')) {
		gdb_reply_str(s, "E22");
		return;
	}
	s->phys = arg[0] == '1';
	gdb_reply_str(s, "OK");
}

/* ---- dispatch ---- */

static const struct gdb_packet {
	const char *name;
	bool exact;		/* whole packet must match, else prefix */
	gdb_handler fn;
} packets[] = {
	{ "qSupported", false, h_supported },
	{ "QStartNoAckMode", true, h_no_ack },
	{ "qXfer:features:read:", false, h_xfer_features },
	{ "qXfer:threads:read::", false, h_xfer_threads },
	{ "qXfer:libraries-svr4:read::", false, h_xfer_libs_svr4 },
	{ "qXfer:libraries:read::", false, h_xfer_libs },
	{ "qXfer:auxv:read::", false, h_xfer_auxv },
	{ "qOffsets", true, h_offsets },
	{ "qAttached", false, h_attached },
	{ "qC", true, h_current_thread },
	{ "qfThreadInfo", true, h_thread_first },
	{ "qsThreadInfo", true, h_thread_next },
	{ "qThreadExtraInfo,", false, h_thread_extra },
	{ "qRcmd,", false, h_rcmd },
	{ "qSymbol:", false, h_ok },
	{ "qqemu.Supported", true, h_qemu_supported },
	{ "qqemu.sstepbits", true, h_qemu_sstepbits },
	{ "qqemu.sstep", true, h_qemu_sstep_get },
	{ "Qqemu.sstep=", false, h_qemu_sstep_set },
	{ "qqemu.PhyMemMode", true, h_qemu_phys_get },
	{ "Qqemu.PhyMemMode:", false, h_qemu_phys_set },
	{ "vMustReplyEmpty", true, h_empty },
	{ "vCont?", true, h_vcont_query },
	{ "vCont;", false, h_vcont },
	{ "vKill", false, h_vkill },
	{ "?", true, h_query_stop },
	{ "g", true, h_read_regs },
	{ "G", false, h_write_regs },
	{ "p", false, h_read_reg },
	{ "P", false, h_write_reg },
	{ "m", false, h_read_mem },
	{ "M", false, h_write_mem },
	{ "x", false, h_read_mem_bin },
	{ "X", false, h_write_mem_bin },
	{ "Z", false, h_insert_bp },
	{ "z", false, h_remove_bp },
	{ "c", false, h_continue },
	{ "C", false, h_continue_sig },
	{ "s", false, h_step },
	{ "bs", true, h_reverse_step },
	{ "bc", true, h_reverse_continue },
	{ "S", false, h_step_sig },
	{ "H", false, h_set_thread },
	{ "T", false, h_thread_alive },
	{ "D", false, h_detach },
	{ "k", true, h_kill },
};

void gdb_handle_packet(gdb_server *s, char *pkt, size_t len)
{
	const char *end = pkt + len;

	for (size_t i = 0; i < ARRAY_SIZE(packets); i++) {
		const struct gdb_packet *p = &packets[i];
		size_t n = strlen(p->name);

		if (len < n || memcmp(pkt, p->name, n) || (p->exact && len != n))
			continue;
		p->fn(s, pkt + n, end);
		return;
	}
	/* unknown: empty reply */
}
