/*
 * Machine snapshots on disk (monitor savevm/loadvm/delvm, info snapshots,
 * snapshot diff, -loadvm): every described object's state (core/state.h)
 * and every guest memory's non-zero pages (core/guestmem.h: RAM, ROM, disk
 * overlays), in one file per snapshot under the snapshot directory.
 *
 * The file is versioned: it names the format version, the kwb version and
 * the machine configuration it was saved on, and loading refuses (one line)
 * a file from another format, kwb version or configuration, or a damaged
 * one, before anything changes.
 */
#ifndef KWB_SNAPSHOT_H
#define KWB_SNAPSHOT_H

#include "kwb.h"

struct machine;
struct mon_out;

/* The directory (-snapshot-dir, else $XDG_DATA_HOME/kwb/snapshots or
 * ~/.local/share/kwb/snapshots), created when needed. */
const char *snapshot_dir(struct machine *m);

/* Return 0, or -1 with one line in err. */
int snapshot_save(struct machine *m, const char *name, char *err, size_t errlen);
int snapshot_load(struct machine *m, const char *name, char *err, size_t errlen);
int snapshot_delete(struct machine *m, const char *name, char *err, size_t errlen);
void snapshot_list(struct machine *m, struct mon_out *o);
/* What differs between snapshots a and b ("now": the running machine). */
int snapshot_diff(struct machine *m, const char *a, const char *b, struct mon_out *o, char *err,
		  size_t errlen);
/* A digest of the whole machine (state and memories), for tests. */
uint64_t snapshot_digest(struct machine *m);

#endif
