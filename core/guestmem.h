/*
 * Guest memories: the host buffers that hold guest-visible contents too
 * large for a state description (RAM and ROM regions of the bus, a disk's
 * overlay, a flash device's array). Snapshots save them page by page and
 * history keeps their past copy-on-write: the first write to a page after
 * a checkpoint copies the page first.
 *
 * So every write to a guest memory that does not go through bus_write /
 * bus_copy_to / bus_debug_write (which do this themselves) calls
 * guestmem_will_write() first: a CPU filling a soft-TLB entry for writing
 * (the page then stays writable until the next checkpoint, which drops
 * the TLBs' writable entries by bumping bus.write_generation), a page-table walker setting A/D
 * bits, a device writing through a host pointer. Reads need nothing.
 */
#ifndef KWB_GUESTMEM_H
#define KWB_GUESTMEM_H

#include "kwb.h"

struct machine;

#define GUESTMEM_PAGE 4096

typedef struct guestmem {
	struct machine *m;
	char name[40];
	uint8_t *host;
	uint64_t size;		/* bytes, a multiple of GUESTMEM_PAGE */
	uint64_t pages;
	/* Optional, per page: 0 = never written, so zero (a disk overlay's
	 * block map); snapshots and digests then skip reading those pages. */
	const uint8_t *used;
	/* History on: per page, the epoch in which its old contents were
	 * last saved; a write in another epoch saves them first. */
	uint32_t *saved_in;
	const uint32_t *epoch;	/* the current epoch (history's) */
	/* The bus's count of writes CPUs do not snoop (bus.h foreign_writes),
	 * for its RAM/ROM regions; NULL for other memories (disks). */
	uint64_t *foreign;
} guestmem;

/* Registers a memory under a stable name ("ram", "disk:d0"); the bus
 * registers its RAM and ROM regions itself. */
guestmem *guestmem_register(struct machine *m, const char *name, uint8_t *host, uint64_t size);
int guestmem_count(struct machine *m);
guestmem *guestmem_at(struct machine *m, int i);
guestmem *guestmem_find(struct machine *m, const char *name);
void guestmem_free_all(struct machine *m);

void guestmem_save_page(guestmem *g, uint64_t page);	/* history: first write in an epoch */

/* A CPU's own store (it snoops its stores into decoded code itself):
 * history saves the page first. */
static inline void guestmem_will_store(guestmem *g, uint64_t off, uint64_t len)
{
	if (unlikely(g && g->saved_in) && len) {
		for (uint64_t p = off / GUESTMEM_PAGE; p <= (off + len - 1) / GUESTMEM_PAGE && p < g->pages; p++)
			if (g->saved_in[p] != *g->epoch)
				guestmem_save_page(g, p);
	}
}

/* Any other write (DMA, a device, the debugger, a loader). */
static inline void guestmem_will_write(guestmem *g, uint64_t off, uint64_t len)
{
	if (g && g->foreign)
		++*g->foreign;
	guestmem_will_store(g, off, len);
}

#endif
