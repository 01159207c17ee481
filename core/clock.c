/* Virtual time and the event queue (sorted singly linked list: devices
 * have few pending events, and the head is all the loop looks at). */
#include "machine.h"

void event_init(event *e, const char *name, void (*fire)(void *), void *opaque)
{
	e->name = name;
	e->fire = fire;
	e->opaque = opaque;
	e->queued = false;
	e->next = NULL;
}

void event_cancel(machine *m, event *e)
{
	if (!e->queued)
		return;
	for (event **pp = &m->events; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	e->queued = false;
	e->next = NULL;
}

void event_schedule(machine *m, event *e, uint64_t when)
{
	event **pp;

	event_cancel(m, e);
	e->when = when;
	/* FIFO among equal times keeps firing order deterministic. */
	for (pp = &m->events; *pp && (*pp)->when <= when; pp = &(*pp)->next)
		;
	e->next = *pp;
	*pp = e;
	e->queued = true;
	/* Due before the running CPU's slice ends: end the slice (and so the
	 * round) there, so the event fires at its exact virtual time. */
	if (m->current && when < m->round_start + (uint64_t)m->slice_budget)
		m->current->exit_request = true;
}

uint64_t clock_now(machine *m)
{
	cpu *c = m->current;
	uint64_t t = m->round_start;

	if (c)
		t += c->icount - m->slice_icount_start;
	return t;
}

/* Fire everything due at or before now, in time order. */
void clock_fire_due(machine *m)
{
	while (m->events && m->events->when <= m->round_start) {
		event *e = m->events;
		m->events = e->next;
		e->queued = false;
		e->next = NULL;
		e->fire(e->opaque);
	}
}
