/*
 * History: the machine's recorded past, always on within a memory budget
 * (-rr-budget), and reverse execution on it. Periodic checkpoints (the
 * state descriptions of every object, RAM copy-on-write through the soft
 * TLBs, core/cow.h) plus the outside-input log (core/input.h) let the
 * machine go back to any moment it has been at and re-execute forward
 * identically.
 *
 * A moment of a run is named by a position: the round (rounds completed),
 * the CPU whose slice it is in, and that CPU's instruction and exception
 * counts. Positions are ordered like the run itself.
 */
#ifndef KWB_HISTORY_H
#define KWB_HISTORY_H

#include "kwb.h"

struct machine;
struct cpu;
struct mon_out;
struct stop_info;

typedef struct hist_pos {
	uint64_t round;		/* rounds completed */
	int32_t cpu;		/* cpus[cpu]'s slice; -1: the boundary before the round */
	uint64_t icount, nexc;	/* that CPU's counts */
} hist_pos;

/* Where the machine is now. */
void hist_pos_now(struct machine *m, hist_pos *p);
int hist_pos_cmp(const hist_pos *a, const hist_pos *b);

/* Starts recording from the machine's current state (machine_create and
 * after loadvm); budget in bytes, 0: history off. */
void hist_start(struct machine *m, uint64_t budget);
void hist_free(struct machine *m);
uint64_t hist_budget(struct machine *m);

/* ---- the machine loop's hooks (no-ops with history off) ---- */

/* Between rounds, before input is delivered: checkpoints. */
void hist_boundary(struct machine *m);
/* The most cpu may run now without passing the moment history heads for;
 * *mask_irq says (and history may change) whether a step masks interrupts. */
int64_t hist_cap(struct machine *m, struct cpu *c, int64_t cap, bool *mask_irq);
/* Whether cpus[m->turn] sits out its slice: the debugger holds it (gdb's
 * scheduler-locking), or a replay reaches a moment it was held at (the
 * hold is logged where it changes the run). */
bool hist_held(struct machine *m, struct cpu *c);
/* After a CPU ran. */
void hist_after_run(struct machine *m, struct cpu *c);
/* True when the machine is where history was heading (a stop is pending). */
bool hist_arrived(struct machine *m);
/* The machine is re-executing its past: no live input, no idle pacing, no
 * interrupt masking for steps (the past is replayed as it ran). */
bool hist_replaying(struct machine *m);

/* Every stop the machine reports (a travel interrupted by Ctrl-C ends). */
void hist_on_stop(struct machine *m, const struct stop_info *s);

/* ---- for guest memories and the debugger ---- */
struct guestmem;
void hist_mem_added(struct machine *m, struct guestmem *g);
void hist_save_page(struct machine *m, struct guestmem *g, uint64_t page);
/* The debugger is about to write memory (mem) or register addr of cpu. */
void hist_note_write(struct machine *m, bool mem, int cpu, uint64_t addr, unsigned flags,
		     const void *buf, size_t len);

/* `monitor rr info`. */
void hist_info(struct machine *m, struct mon_out *o);

#endif
