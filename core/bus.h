/*
 * The physical address space: RAM backed by host memory, and MMIO regions
 * with read/write callbacks. CPUs cache RAM host pointers in their software
 * TLBs; only MMIO and misses come through bus_access().
 */
#ifndef KWB_BUS_H
#define KWB_BUS_H

#include "kwb.h"
#include "guestmem.h"

typedef struct mmio_ops {
	/* size is 1, 2, 4 or 8; offset is relative to the region base. */
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
	/* Side-effect-free read for the debugger; NULL means "not readable". */
	bool (*peek)(void *opaque, uint64_t offset, unsigned size, uint64_t *value);
	/* Names a register offset for traces ("UARTFR"); may be NULL. */
	const char *(*reg_name)(void *opaque, uint64_t offset);
	/* Whether the device takes an access of this size there (QEMU's
	 * valid.accepts); one it refuses is a bus error (an external abort
	 * for the CPU). NULL: every access. */
	bool (*accepts)(void *opaque, uint64_t offset, unsigned size, bool is_write);
} mmio_ops;

typedef struct bus_region {
	const char *name;
	paddr_t base;
	uint64_t size;
	uint8_t *host;		/* RAM/ROM: host memory, else NULL */
	bool readonly;		/* ROM: guest writes are ignored (ROM device: go to ops) */
	const mmio_ops *ops;	/* MMIO: callbacks, else NULL */
	void *opaque;
	/* ROM device (a flash): the device's own array, read directly while
	 * host == romd_host (array mode), through ops while host is NULL
	 * (command mode); writes always go to ops. Not freed by the bus. */
	uint8_t *romd_host;
	guestmem *mem;		/* RAM/ROM: its guest memory (snapshots, history) */
} bus_region;

#define BUS_MAX_REGIONS 128

typedef struct bus {
	bus_region regions[BUS_MAX_REGIONS];	/* sorted by base */
	int count;
	bus_region *ram;			/* main RAM, for fast checks */
	/* Bumped whenever a mapping changes so CPUs can flush their TLBs. */
	uint64_t generation;
	/* Bumped when every page becomes copy-on-write again (history's
	 * checkpoints): CPUs drop only their TLBs' writable entries, so each
	 * page's next write comes to the slow path (guestmem_will_write). */
	uint64_t write_generation;
	/* Bumped by every write to RAM/ROM that is not a CPU's own store
	 * (DMA, devices, the debugger, loaders: guestmem_will_write). CPUs
	 * snoop their own stores into decoded code, so decoded code can go
	 * stale only through these: an instruction-cache flush (fence.i,
	 * IC IALLU) with none since the last one has nothing to drop. */
	uint64_t foreign_writes;
} bus;

enum bus_result { BUS_OK = 0, BUS_UNMAPPED = -1, BUS_BAD_SIZE = -2 };

/* Adding overlapping regions is a fatal configuration error naming both. */
bus_region *bus_add_ram(bus *b, const char *name, paddr_t base, uint64_t size);
bus_region *bus_add_rom(bus *b, const char *name, paddr_t base, uint64_t size);
bus_region *bus_add_mmio(bus *b, const char *name, paddr_t base, uint64_t size,
			 const mmio_ops *ops, void *opaque);
/* A ROM device over host memory the device owns (see romd_host), in
 * array mode. */
bus_region *bus_add_romd(bus *b, const char *name, paddr_t base, uint64_t size, uint8_t *host,
			 const mmio_ops *ops, void *opaque);
/* Switches the ROM device at base between array mode (reads from its
 * memory, cacheable) and command mode (reads through ops); callers flush
 * the CPUs' TLBs, which may hold the array's pages. */
void bus_set_romd(bus *b, paddr_t base, bool array);
void bus_free(bus *b);

bus_region *bus_find(bus *b, paddr_t pa);

/* Host pointer for [pa, pa+len) if it lies entirely in one RAM/ROM region. */
static inline uint8_t *bus_ram_ptr(bus *b, paddr_t pa, uint64_t len)
{
	bus_region *r = b->ram;
	if (likely(r && pa - r->base < r->size && len <= r->size - (pa - r->base)))
		return r->host + (pa - r->base);
	r = bus_find(b, pa);
	if (r && r->host && len <= r->size - (pa - r->base))
		return r->host + (pa - r->base);
	return NULL;
}

/* The same for a write: NULL for ROM (and ROM devices, whose writes are
 * commands that must reach the device). */
static inline uint8_t *bus_ram_ptr_w(bus *b, paddr_t pa, uint64_t len)
{
	bus_region *r = b->ram;
	if (likely(r && pa - r->base < r->size && len <= r->size - (pa - r->base)))
		return r->host + (pa - r->base);
	r = bus_find(b, pa);
	if (r && r->host && !r->readonly && len <= r->size - (pa - r->base))
		return r->host + (pa - r->base);
	return NULL;
}

/* The physical address of a host pointer into RAM/ROM; false if none. */
bool bus_host_to_pa(bus *b, const void *host, paddr_t *pa);

/* Before writing RAM/ROM through a host pointer (a soft-TLB fill for
 * writing, a page-table A/D update): lets history save the page first
 * (guestmem.h). bus_write/bus_copy_to/bus_debug_write do it themselves. */
/* The region holding pa (NULL if none). */
static inline bus_region *bus_region_of(bus *b, paddr_t pa)
{
	bus_region *r = b->ram;	/* main RAM first: nearly every write */

	return r && pa - r->base < r->size ? r : bus_find(b, pa);
}

static inline void bus_will_write(bus *b, paddr_t pa, uint64_t len)
{
	bus_region *r = bus_region_of(b, pa);

	if (r && r->mem)
		guestmem_will_write(r->mem, pa - r->base, len);
}

/* The same before a CPU's own stores, which it snoops for decoded code
 * (a write TLB fill, an AMO, a page-table A/D update): not counted in
 * foreign_writes. */
static inline void bus_will_store(bus *b, paddr_t pa, uint64_t len)
{
	bus_region *r = bus_region_of(b, pa);

	if (r && r->mem)
		guestmem_will_store(r->mem, pa - r->base, len);
}
/* Gives every RAM/ROM region its guest memory (machine_create). */
void bus_register_mems(bus *b, struct machine *m);

/* CPU/device access with side effects (MMIO callbacks). Little-endian. */
int bus_read(bus *b, paddr_t pa, unsigned size, uint64_t *value);
int bus_write(bus *b, paddr_t pa, unsigned size, uint64_t value);

/* Block copies for DMA and loaders: RAM/ROM only (loaders may write ROM). */
int bus_copy_from(bus *b, paddr_t pa, void *dst, uint64_t len);
int bus_copy_to(bus *b, paddr_t pa, const void *src, uint64_t len);

/* Debugger access: never has side effects; MMIO only through peek(). */
int bus_debug_read(bus *b, paddr_t pa, void *dst, uint64_t len);
int bus_debug_write(bus *b, paddr_t pa, const void *src, uint64_t len);

#endif
