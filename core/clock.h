/*
 * Virtual time. Time is in nanoseconds and advances only with executed
 * instructions (1 instruction = 1 ns per CPU round) or by idle skipping
 * when every CPU waits for an interrupt, so a run is deterministic.
 * Devices schedule events; the machine loop never polls devices.
 */
#ifndef KWB_CLOCK_H
#define KWB_CLOCK_H

#include "kwb.h"

struct machine;

typedef struct event {
	uint64_t when;			/* virtual ns */
	void (*fire)(void *opaque);
	void *opaque;
	struct event *next;
	bool queued;
	const char *name;		/* for traces */
} event;

void event_init(event *e, const char *name, void (*fire)(void *), void *opaque);
/* Schedule (or reschedule) e at absolute virtual time when. */
void event_schedule(struct machine *m, event *e, uint64_t when);
void event_cancel(struct machine *m, event *e);

/* Current virtual time as seen by the CPU that is running (exact inside
 * a quantum: the round's start plus what this CPU has executed so far). */
uint64_t clock_now(struct machine *m);

#endif
