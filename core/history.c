/* History: checkpoints, re-execution and reverse execution (history.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "input.h"
#include "machine.h"
#include "debug_internal.h"

struct history {
	uint64_t budget;
};

void hist_pos_now(machine *m, hist_pos *p)
{
	if (m->turn < 0 || m->turn >= m->ncpus) {
		*p = (hist_pos){ .round = m->rounds, .cpu = -1 };
		return;
	}
	*p = (hist_pos){ .round = m->rounds, .cpu = m->turn, .icount = m->cpus[m->turn]->icount,
			 .nexc = m->cpus[m->turn]->nexc };
}

int hist_pos_cmp(const hist_pos *a, const hist_pos *b)
{
	if (a->round != b->round)
		return a->round < b->round ? -1 : 1;
	if (a->cpu != b->cpu)
		return a->cpu < b->cpu ? -1 : 1;
	if (a->icount != b->icount)
		return a->icount < b->icount ? -1 : 1;
	if (a->nexc != b->nexc)
		return a->nexc < b->nexc ? -1 : 1;
	return 0;
}

void hist_start(machine *m, uint64_t budget)
{
	(void)m, (void)budget;
}

void hist_free(machine *m)
{
	free(m->hist);
	m->hist = NULL;
}

void hist_boundary(machine *m)
{
	(void)m;
}

int64_t hist_cap(machine *m, cpu *c, int64_t cap)
{
	(void)m, (void)c;
	return cap;
}

bool hist_held(machine *m, cpu *c)
{
	return dbg_action(m, c->index) == RESUME_STOPPED;
}

void hist_after_run(machine *m, cpu *c)
{
	(void)m, (void)c;
}

bool hist_arrived(machine *m)
{
	(void)m;
	return false;
}

bool hist_replaying(machine *m)
{
	return input_replaying(m);
}
