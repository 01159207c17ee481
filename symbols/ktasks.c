/*
 * Linux tasks from guest memory (ktasks.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine.h"
#include "symbols/ktasks.h"
#include "symbols/symbols.h"

/* Offsets in struct task_struct / struct rq, from the DWARF once. */
typedef struct ktask_layout {
	bool ok;
	char why[200];
	uint64_t tasks, thread_group, pid, tgid, comm, state, state_size, exit_state, cpu;
	uint64_t rq_curr, rq_idle;
	bool arm64;
	uint64_t ctx[13];	/* arm64: x19..x28, fp, sp, pc */
	uint64_t ra, sp, s;	/* riscv64 */
} ktask_layout;

static const char *const arm64_ctx[13] = { "x19", "x20", "x21", "x22", "x23", "x24", "x25",
					   "x26", "x27", "x28", "fp", "sp", "pc" };

static bool member(kdwarf *kd, const char *type, const char *path, uint64_t *off, uint64_t *size)
{
	uint64_t sz;

	return kdwarf_member(kd, type, path, off, size ? size : &sz);
}

static ktask_layout *layout(machine *m)
{
	kwb_symbols *s = symbols_get(m);
	ktask_layout *l;
	kdwarf *kd;
	uint64_t sz;
	bool ok;

	if (!s)
		return NULL;
	if (s->ktasks_layout)
		return s->ktasks_layout;
	l = s->ktasks_layout = kwb_zalloc(sizeof(*l));
	kd = symbols_dwarf(m);
	if (!kd) {
		snprintf(l->why, sizeof(l->why), "%s has no DWARF debug information (task_struct layout unknown)",
			 s->vm->path);
		return l;
	}
	l->arm64 = !strcmp(s->vm->arch, "aarch64");
	ok = member(kd, "task_struct", "tasks", &l->tasks, NULL) &&
	     member(kd, "task_struct", "thread_group", &l->thread_group, NULL) &&
	     member(kd, "task_struct", "pid", &l->pid, NULL) &&
	     member(kd, "task_struct", "tgid", &l->tgid, NULL) &&
	     member(kd, "task_struct", "comm", &l->comm, NULL) &&
	     (member(kd, "task_struct", "__state", &l->state, &l->state_size) ||
	      member(kd, "task_struct", "state", &l->state, &l->state_size)) &&
	     member(kd, "task_struct", "exit_state", &l->exit_state, NULL) &&
	     (member(kd, "task_struct", "thread_info.cpu", &l->cpu, NULL) ||
	      member(kd, "task_struct", "cpu", &l->cpu, NULL)) &&
	     member(kd, "rq", "curr", &l->rq_curr, NULL) && member(kd, "rq", "idle", &l->rq_idle, NULL);
	if (ok && l->arm64) {
		for (int i = 0; i < 13 && ok; i++) {
			char path[64];

			snprintf(path, sizeof(path), "thread.cpu_context.%s", arm64_ctx[i]);
			ok = member(kd, "task_struct", path, &l->ctx[i], NULL);
		}
	} else if (ok) {
		ok = member(kd, "task_struct", "thread.ra", &l->ra, NULL) &&
		     member(kd, "task_struct", "thread.sp", &l->sp, NULL) &&
		     member(kd, "task_struct", "thread.s", &l->s, &sz) && sz >= 12 * 8;
	}
	if (!ok)
		snprintf(l->why, sizeof(l->why), "%s: task_struct/rq members not in its DWARF", s->vm->path);
	l->ok = ok;
	return l;
}

static bool rd(machine *m, uint64_t va, void *buf, size_t len)
{
	return dbg_mem_read(m, 0, va, buf, len, 0) == len;
}

static bool rd64(machine *m, uint64_t va, uint64_t *v)
{
	uint8_t b[8];

	if (!rd(m, va, b, 8))
		return false;
	*v = 0;
	for (int i = 7; i >= 0; i--)
		*v = *v << 8 | b[i];
	return true;
}

static bool rd32(machine *m, uint64_t va, uint32_t *v)
{
	uint8_t b[4];

	if (!rd(m, va, b, 4))
		return false;
	*v = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

/* The kernel's task_state_index(): __state and exit_state to a letter. */
static char state_letter(uint32_t state, uint32_t exit_state)
{
	uint32_t s = (state | exit_state) & 0x7f;	/* TASK_REPORT */

	if (state == (0x0002 | 0x0400))		/* TASK_IDLE: UNINTERRUPTIBLE|NOLOAD */
		return 'I';
	if (s & 0x40)
		return 'P';			/* TASK_PARKED */
	if (s & 0x20)
		return 'Z';			/* EXIT_ZOMBIE */
	if (s & 0x10)
		return 'X';			/* EXIT_DEAD */
	if (s & 0x08)
		return 't';			/* __TASK_TRACED */
	if (s & 0x04)
		return 'T';			/* __TASK_STOPPED */
	if (s & 0x02)
		return 'D';			/* TASK_UNINTERRUPTIBLE */
	if (s & 0x01)
		return 'S';			/* TASK_INTERRUPTIBLE */
	return 'R';
}

const char *ktask_state_name(char state)
{
	switch (state) {
	case 'R': return "runnable";
	case 'S': return "sleeping";
	case 'D': return "disk sleep";
	case 'T': return "stopped";
	case 't': return "tracing stop";
	case 'X': return "dead";
	case 'Z': return "zombie";
	case 'P': return "parked";
	case 'I': return "idle";
	default: return "?";
	}
}

static bool read_task(machine *m, const ktask_layout *l, uint64_t addr, ktask *t)
{
	uint32_t pid, tgid, state, exit_state, cpu;

	memset(t, 0, sizeof(*t));
	t->addr = addr;
	if (!rd32(m, addr + l->pid, &pid) || !rd32(m, addr + l->tgid, &tgid) ||
	    !rd32(m, addr + l->state, &state) || !rd32(m, addr + l->exit_state, &exit_state) ||
	    !rd32(m, addr + l->cpu, &cpu) || !rd(m, addr + l->comm, t->comm, KTASK_COMM))
		return false;
	t->comm[KTASK_COMM] = 0;
	for (int i = 0; t->comm[i]; i++)
		if ((unsigned char)t->comm[i] < 0x20 || (unsigned char)t->comm[i] > 0x7e)
			t->comm[i] = '?';
	t->pid = (int32_t)pid;
	t->tgid = (int32_t)tgid;
	t->state = state_letter(state, exit_state);
	t->cpu = -1;
	t->last_cpu = (int)cpu;
	return true;
}

static void add(ktasks *out, int *cap, const ktask *t, bool dedup)
{
	for (int i = 0; dedup && i < out->n; i++)
		if (out->t[i].addr == t->addr)
			return;
	if (out->n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		out->t = kwb_realloc(out->t, (size_t)*cap * sizeof(*out->t));
	}
	out->t[out->n++] = *t;
}

/* A list_head's next, as the task it is embedded in (at off). */
static bool next_task(machine *m, uint64_t task, uint64_t off, uint64_t *next)
{
	uint64_t p;

	if (!rd64(m, task + off, &p) || p < off || !(p >> 63))
		return false;
	*next = p - off;
	return true;
}

int ktasks_read(machine *m, ktasks *out, char *why, size_t whylen)
{
	ktask_layout *l = layout(m);
	uint64_t init_task, runqueues, pcpu_off_sym, curr[KWB_MAX_CPUS] = { 0 }, idle[KWB_MAX_CPUS] = { 0 };
	uint64_t leader, t;
	int cap = 0, steps = 0, ncpus = m->ncpus;
	ktask kt;

	memset(out, 0, sizeof(*out));
	why[0] = 0;
	if (!l || !l->ok) {
		snprintf(why, whylen, "%s", l ? l->why : "no kernel symbols (vmlinux)");
		return -1;
	}
	if (!symbols_lookup(m, "init_task", &init_task) || !symbols_lookup(m, "runqueues", &runqueues) ||
	    !symbols_lookup(m, "__per_cpu_offset", &pcpu_off_sym)) {
		snprintf(why, whylen, "the vmlinux has no init_task/runqueues/__per_cpu_offset");
		return -1;
	}
	/* Each CPU's runqueue: what runs there, and its idle task (only
	 * CPUs the kernel's __per_cpu_offset[NR_CPUS] covers). */
	{
		const ksym *k = vmlinux_sym_named(symbols_get(m)->vm, "__per_cpu_offset");
		if (k && k->size >= 8)
			ncpus = k->size / 8 < (uint64_t)m->ncpus ? (int)(k->size / 8) : m->ncpus;
	}
	for (int c = 0; c < ncpus; c++) {
		uint64_t off = 0, rq;

		if (c && !rd64(m, pcpu_off_sym + 8ull * c, &off))
			break;
		if (c == 0 && !rd64(m, pcpu_off_sym, &off))
			off = 0;
		rq = runqueues + off;
		if (!rd64(m, rq + l->rq_curr, &curr[c]) || !rd64(m, rq + l->rq_idle, &idle[c]))
			curr[c] = idle[c] = 0;
		if (!m->cpus[c]->powered)
			curr[c] = 0;
	}
	if (!curr[0]) {
		snprintf(why, whylen, "the scheduler is not set up yet (no runqueue for CPU 0): threads are CPUs");
		return -1;
	}
	/* init_task's list of thread group leaders, each leader's group. */
	leader = init_task;
	do {
		t = leader;
		do {
			if (++steps > KTASKS_MAX || !read_task(m, l, t, &kt)) {
				snprintf(why, whylen, "task list unreadable at task 0x%llx: %d tasks read",
					 (unsigned long long)t, out->n);
				goto idle_tasks;
			}
			add(out, &cap, &kt, false);
			if (!next_task(m, t, l->thread_group, &t)) {
				snprintf(why, whylen, "thread group of 0x%llx unreadable", (unsigned long long)leader);
				goto idle_tasks;
			}
		} while (t != leader);
		if (!next_task(m, leader, l->tasks, &leader)) {
			snprintf(why, whylen, "task list unreadable after 0x%llx", (unsigned long long)t);
			break;
		}
	} while (leader != init_task);
idle_tasks:
	for (int c = 0; c < ncpus; c++)
		if (idle[c] && read_task(m, l, idle[c], &kt))
			add(out, &cap, &kt, true);
	for (int c = 0; c < ncpus; c++)
		for (int i = 0; curr[c] && i < out->n; i++)
			if (out->t[i].addr == curr[c])
				out->t[i].cpu = c;
	return out->n;
}

void ktasks_free(ktasks *t)
{
	free(t->t);
	t->t = NULL;
	t->n = 0;
}

int ktask_saved_regs(machine *m, const ktask *t, const char **names, uint64_t *vals, int max)
{
	ktask_layout *l = layout(m);
	int n = 0;
	uint64_t v;

	if (!l || !l->ok || max < KTASK_SAVED_MAX)
		return 0;
	if (l->arm64) {
		static const char *const reg[13] = { "x19", "x20", "x21", "x22", "x23", "x24", "x25",
						     "x26", "x27", "x28", "x29", "sp", "pc" };
		for (int i = 0; i < 13; i++) {
			if (!rd64(m, t->addr + l->ctx[i], &v))
				return 0;
			names[n] = reg[i];
			vals[n++] = v;
		}
		names[n] = "x30";	/* cpu_switch_to returns to pc */
		vals[n] = vals[n - 1];
		n++;
		names[n] = "SP_EL0";	/* arm64's `current` */
		vals[n++] = t->addr;
		return n;
	}
	static const char *const sreg[12] = { "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8",
					      "s9", "s10", "s11" };
	if (!rd64(m, t->addr + l->ra, &v))
		return 0;
	names[n] = "ra";
	vals[n++] = v;
	names[n] = "pc";	/* __switch_to returns to ra */
	vals[n++] = v;
	if (!rd64(m, t->addr + l->sp, &v))
		return 0;
	names[n] = "sp";
	vals[n++] = v;
	for (int i = 0; i < 12; i++) {
		if (!rd64(m, t->addr + l->s + 8ull * i, &v))
			return 0;
		names[n] = sreg[i];
		vals[n++] = v;
	}
	names[n] = "tp";	/* riscv64's `current` */
	vals[n++] = t->addr;
	return n;
}
