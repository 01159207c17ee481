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

#endif
