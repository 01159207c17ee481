/*
 * Linux tasks as gdb threads (`monitor tasks on`, `-gdb SPEC,tasks=on`).
 *
 * Thread ids: a task's pid; the idle task of CPU n (pid 0) is 0xfffffffe - n
 * (kgdb's numbers for its per-CPU threads). The list is read from guest
 * memory (symbols/ktasks.c) once per stop, when gdb first asks. A task
 * running on a CPU is that CPU: its registers, stepping and resuming; a
 * sleeping task's registers are those its last context switch saved, so
 * `thread N` + `bt` shows where it sleeps. Without DWARF, or before the
 * scheduler exists, the threads stay CPUs and `monitor tasks` says why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "symbols/ktasks.h"

#define IDLE_TID(cpu) (0xfffffffeull - (uint64_t)(cpu))

/* The machine resumes (or the mode changes): the list of this stop goes. */
void gdb_tasks_invalidate(gdb_server *s)
{
	ktasks_free(&s->tk);
	s->tk_valid = false;
	s->g_task = -1;
}

/* Resuming with nothing stepped: gdb drops its registers and expects no
 * particular thread to stop, so a changed mode is safe now. (A step - gdb
 * stepping over a breakpoint before it continues - must stop in the
 * thread gdb stepped.) */
void gdb_tasks_resume(gdb_server *s, bool stepping)
{
	/* A step stops in the thread gdb stepped, whatever the CPU runs then
	 * (the stepped instruction may switch tasks, or the scheduler come up). */
	for (int i = 0; i < s->m->ncpus && i < KWB_MAX_CPUS; i++)
		s->step_tid[i] = s->actions[i] == RESUME_STEP ? gdb_cpu_tid(s, i) : 0;
	if (!stepping)
		s->tasks_mode = s->tasks_want;
	gdb_tasks_invalidate(s);
}

uint64_t gdb_stop_tid(gdb_server *s, const stop_info *st, int cpu)
{
	if (st->reason == STOP_STEP && cpu >= 0 && cpu < KWB_MAX_CPUS && s->step_tid[cpu])
		return s->step_tid[cpu];
	return gdb_cpu_tid(s, cpu);
}

/* The snapshot of this stop; false when the threads are CPUs now. */
bool gdb_tasks_active(gdb_server *s)
{
	if (!s->tasks_mode)
		return false;
	if (!s->tk_valid) {
		s->tk_valid = true;
		if (ktasks_read(s->m, &s->tk, s->tk_why, sizeof(s->tk_why)) < 0)
			ktasks_free(&s->tk);
	}
	return s->tk.n > 0;
}

uint64_t gdb_task_tid(const ktask *t)
{
	return t->pid > 0 ? (uint64_t)t->pid : IDLE_TID(t->last_cpu);
}

uint64_t gdb_cpu_tid(gdb_server *s, int cpu)
{
	if (gdb_tasks_active(s))
		for (int i = 0; i < s->tk.n; i++)
			if (s->tk.t[i].cpu == cpu)
				return gdb_task_tid(&s->tk.t[i]);
	return (uint64_t)cpu + 1;
}

int gdb_task_by_tid(gdb_server *s, uint64_t tid)
{
	for (int i = 0; i < s->tk.n; i++)
		if (gdb_task_tid(&s->tk.t[i]) == tid)
			return i;
	return -1;
}

/* The selected thread is a task that no CPU runs now. */
const ktask *gdb_sleeping_task(gdb_server *s)
{
	if (s->g_task < 0 || !gdb_tasks_active(s) || s->g_task >= s->tk.n || s->tk.t[s->g_task].cpu >= 0)
		return NULL;
	return &s->tk.t[s->g_task];
}

/* A register of a sleeping task: what its switch saved, else unavailable. */
int gdb_task_reg(gdb_server *s, const ktask *t, int idx, uint8_t *buf, int nbytes)
{
	const char *names[KTASK_SAVED_MAX];
	uint64_t vals[KTASK_SAVED_MAX];
	const reg_table *tab = dbg_regs(s->m);
	const char *want = tab->regs[idx].name;
	int n = ktask_saved_regs(s->m, t, names, vals, KTASK_SAVED_MAX);

	for (int i = 0; i < n; i++) {
		if (strcmp(names[i], want))
			continue;
		memset(buf, 0, (size_t)nbytes);
		for (int b = 0; b < 8 && b < nbytes; b++)
			buf[b] = (uint8_t)(vals[i] >> (8 * b));
		return 0;
	}
	if (tab->regs[idx].flags & REGF_STATUS) {
		/* cpsr: EL1h, interrupts as the switch left them (masked) */
		uint32_t v = 0x3c5;
		memset(buf, 0, (size_t)nbytes);
		for (int b = 0; b < 4 && b < nbytes; b++)
			buf[b] = (uint8_t)(v >> (8 * b));
		return 0;
	}
	return -1;
}

/* "sh [pid 42] sleeping", "swapper/1 [pid 0] running on CPU 1". */
void gdb_task_text(const ktask *t, char *buf, size_t len)
{
	if (t->cpu >= 0)
		snprintf(buf, len, "%s [pid %d] running on CPU %d", t->comm, t->pid, t->cpu);
	else
		snprintf(buf, len, "%s [pid %d] %s", t->comm, t->pid, ktask_state_name(t->state));
}
