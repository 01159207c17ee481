/*
 * Linux tasks, read from guest memory with the layout the vmlinux DWARF
 * gives (kdwarf.h): every task on init_task's list and in each thread
 * group, plus each CPU's idle task, with pid, comm, state, the CPU a task
 * runs on (its runqueue's curr) and, for a task that is not running, the
 * registers its last context switch saved (arm64 thread.cpu_context,
 * riscv64 thread.ra/sp/s[]). Every read goes through the debug interface
 * and is bounded: a damaged list ends the walk with a reason, never a hang.
 */
#ifndef KWB_SYMBOLS_KTASKS_H
#define KWB_SYMBOLS_KTASKS_H

#include "core/kwb.h"

struct machine;

#define KTASK_COMM 16
#define KTASKS_MAX 65536	/* walk bound */
#define KTASK_SAVED_MAX 16	/* registers a switch saves */

typedef struct ktask {
	uint64_t addr;		/* the task_struct */
	int32_t pid, tgid;
	char comm[KTASK_COMM + 1];
	char state;		/* /proc letter: R S D T t X Z P I */
	int cpu;		/* running on this CPU, else -1 */
	int last_cpu;		/* thread_info.cpu: where it last ran */
} ktask;

typedef struct ktasks {
	ktask *t;
	int n;
} ktasks;

/* The tasks now. Returns the count, or -1 with a one-line reason in why
 * (no DWARF, the scheduler not set up yet, an unreadable list). A walk cut
 * short by a bad pointer returns what it read and says so in why. */
int ktasks_read(struct machine *m, ktasks *out, char *why, size_t whylen);
void ktasks_free(ktasks *t);
/* "sleeping", "running", ... for a state letter. */
const char *ktask_state_name(char state);
/* The registers a task's last switch saved: register names (as in the
 * register table: x19..x30, sp, pc, SP_EL0 / ra, sp, s0..s11, tp, pc) and
 * values. Returns how many, 0 when unknown. */
int ktask_saved_regs(struct machine *m, const ktask *t, const char **names, uint64_t *vals, int max);

#endif
