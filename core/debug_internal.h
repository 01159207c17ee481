/* The machine loop's side of the debug interface (not for other users). */
#ifndef KWB_DEBUG_INTERNAL_H
#define KWB_DEBUG_INTERNAL_H

#include "debug.h"

struct machine;

dbg_state *dbg_create(struct machine *m);
void dbg_free(struct machine *m);
enum resume_action dbg_action(struct machine *m, int cpu);
bool dbg_stop_pending(struct machine *m);
/* Takes the pending stop (clears pending), returns it. */
const stop_info *dbg_take_stop(struct machine *m);
bool dbg_has_listener(struct machine *m);
void dbg_notify_stop(struct machine *m, const stop_info *s);
/* Record a stop that is already in effect (e.g. -S at reset). */
void dbg_stop_now(struct machine *m, int cpu, enum stop_reason r, uint64_t addr);


/* ---- for history (core/history.c) ---- */
/* Breakpoints and watchpoints stop nothing while history travels to a
 * moment it knows (the run is the same with or without them). */
void dbg_suppress_points(struct machine *m, bool on);
/* Stop cpu before its next instruction once its counts are icount, nexc
 * (a moment between an exception's entry and the first instruction of its
 * vector): every page is checked while it is set; cpu -1 clears it. */
void dbg_set_pos_watch(struct machine *m, int cpu, uint64_t icount, uint64_t nexc);
bool dbg_pos_watch_on(struct machine *m);
/* A breakpoint or watchpoint stop history noted and goes past: the CPU
 * does not stop there again when it runs on. */
void dbg_pass_stop(struct machine *m, const stop_info *s);
/* The machine went back to an earlier moment: the instruction or access
 * the debugger last resumed at is no longer skipped (re-executing through
 * it, it is a hit like any other). */
void dbg_forget_resume(struct machine *m);
/* Record a stop as given (a hit found in the past, the start of history). */
void dbg_report_stop_info(struct machine *m, const stop_info *s);
/* The stop pending (valid while dbg_stop_pending). */
const stop_info *dbg_pending_stop(struct machine *m);
/* Every CPU's resume action (history runs the machine as it ran). */
void dbg_set_actions_internal(struct machine *m, enum resume_action a);

#endif
