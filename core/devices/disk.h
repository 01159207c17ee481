/*
 * A -drive image under kwb's copy-on-write overlay. The image file is
 * opened read-only and never written while kwb runs: guest writes land in
 * the overlay (a guest memory, "disk:ID", so snapshots save it and history
 * undoes it like RAM), reads take the overlay's blocks where the guest
 * wrote and the image's elsewhere. When kwb exits, the blocks the guest
 * wrote are written to the image (as QEMU would have written them at once),
 * unless the drive has snapshot=on or readonly=on.
 *
 * A snapshot records the image's identity (size, modification time,
 * inode) and refuses to load on an image that changed since, since its
 * overlay holds only what the guest wrote on top of that image.
 */
#ifndef KWB_DISK_H
#define KWB_DISK_H

#include "../kwb.h"

struct machine;
struct kwb_drive;
struct state_desc;

typedef struct disk disk;

/* Opens drv's image; exits with one line naming the file on an error.
 * *readonly: the guest may not write (readonly=on, or an image kwb may
 * not write back). */
disk *disk_open(struct machine *m, const struct kwb_drive *drv, bool *readonly);
uint64_t disk_size(const disk *d);
/* Return 0, or -1 (outside the disk). */
int disk_read(disk *d, uint64_t pos, void *buf, uint64_t len);
int disk_write(disk *d, uint64_t pos, const void *buf, uint64_t len);
void disk_close(disk *d);	/* writes back (see above) */

/* The overlay's block map and the image's identity (checked on load). */
extern const struct state_desc disk_state;

#endif
