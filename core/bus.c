/* The physical address space. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bus.h"

static bus_region *add_region(bus *b, const char *name, paddr_t base, uint64_t size)
{
	int i;

	if (!size || base + size - 1 < base)
		kwb_fatal("bus: region %s at 0x%llx has a bad size 0x%llx", name,
			  (unsigned long long)base, (unsigned long long)size);
	if (b->count == BUS_MAX_REGIONS)
		kwb_fatal("bus: too many regions (adding %s)", name);
	for (i = 0; i < b->count; i++) {
		bus_region *r = &b->regions[i];
		if (base < r->base + r->size && r->base < base + size)
			kwb_fatal("bus: %s [0x%llx-0x%llx] overlaps %s [0x%llx-0x%llx]", name,
				  (unsigned long long)base, (unsigned long long)(base + size - 1),
				  r->name, (unsigned long long)r->base,
				  (unsigned long long)(r->base + r->size - 1));
	}
	for (i = b->count; i > 0 && b->regions[i - 1].base > base; i--)
		b->regions[i] = b->regions[i - 1];
	/* Keep the cached RAM pointer valid across the shift. */
	if (b->ram && b->ram >= &b->regions[i])
		b->ram++;
	b->count++;
	memset(&b->regions[i], 0, sizeof(b->regions[i]));
	b->regions[i].name = name;
	b->regions[i].base = base;
	b->regions[i].size = size;
	b->generation++;
	return &b->regions[i];
}

static uint8_t *alloc_host(const char *name, uint64_t size)
{
	/* Anonymous mappings are zeroed and only touched pages cost memory. */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (p == MAP_FAILED)
		kwb_fatal("cannot allocate %llu MiB of guest memory for %s",
			  (unsigned long long)(size >> 20), name);
	/* No MADV_HUGEPAGE here, though QEMU advises it for its RAM: with the host's usual THP
	 * defrag=madvise every first touch of a 2 MiB range compacts and
	 * clears the whole range; Debian's cloud kernel boot, which touches
	 * its 512 MiB sparsely, took 0.12 s more system time (0.27 vs 0.15 s,
	 * 4 interleaved runs, user time the same), the fixture boot the same
	 * CPU either way (0.24-0.25 s). */
	return p;
}

bus_region *bus_add_ram(bus *b, const char *name, paddr_t base, uint64_t size)
{
	bus_region *r = add_region(b, name, base, size);
	r->host = alloc_host(name, size);
	if (!b->ram)
		b->ram = r;
	return r;
}

bus_region *bus_add_rom(bus *b, const char *name, paddr_t base, uint64_t size)
{
	bus_region *r = add_region(b, name, base, size);
	r->host = alloc_host(name, size);
	r->readonly = true;
	return r;
}

bus_region *bus_add_mmio(bus *b, const char *name, paddr_t base, uint64_t size,
			 const mmio_ops *ops, void *opaque)
{
	bus_region *r = add_region(b, name, base, size);
	r->ops = ops;
	r->opaque = opaque;
	return r;
}

bus_region *bus_add_romd(bus *b, const char *name, paddr_t base, uint64_t size, uint8_t *host,
			 const mmio_ops *ops, void *opaque)
{
	bus_region *r = add_region(b, name, base, size);
	r->host = r->romd_host = host;
	r->readonly = true;
	r->ops = ops;
	r->opaque = opaque;
	return r;
}

void bus_set_romd(bus *b, paddr_t base, bool array)
{
	bus_region *r = bus_find(b, base);

	if (!r || !r->romd_host || (r->host != NULL) == array)
		return;
	r->host = array ? r->romd_host : NULL;
	b->generation++;
}

void bus_free(bus *b)
{
	for (int i = 0; i < b->count; i++)
		if (b->regions[i].host && !b->regions[i].romd_host)
			munmap(b->regions[i].host, b->regions[i].size);
	memset(b, 0, sizeof(*b));
}

bus_region *bus_find(bus *b, paddr_t pa)
{
	int lo = 0, hi = b->count - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		bus_region *r = &b->regions[mid];
		if (pa < r->base)
			hi = mid - 1;
		else if (pa - r->base >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

bool bus_host_to_pa(bus *b, const void *host, paddr_t *pa)
{
	const uint8_t *p = host;

	for (int i = 0; i < b->count; i++) {
		bus_region *r = &b->regions[i];
		if (r->host && p >= r->host && (uint64_t)(p - r->host) < r->size) {
			*pa = r->base + (uint64_t)(p - r->host);
			return true;
		}
	}
	return false;
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	memcpy(&v, p, size);	/* host is little-endian (x86_64/aarch64) */
	return v;
}

int bus_read(bus *b, paddr_t pa, unsigned size, uint64_t *value)
{
	bus_region *r = bus_find(b, pa);

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return BUS_BAD_SIZE;
	if (!r || size > r->size - (pa - r->base)) {
		*value = 0;
		return BUS_UNMAPPED;
	}
	if (r->host) {
		*value = load_le(r->host + (pa - r->base), size);
	} else if (r->ops->accepts && !r->ops->accepts(r->opaque, pa - r->base, size, false)) {
		*value = 0;
		return BUS_BAD_SIZE;
	} else {
		*value = r->ops->read ? r->ops->read(r->opaque, pa - r->base, size) : 0;
	}
	return BUS_OK;
}

int bus_write(bus *b, paddr_t pa, unsigned size, uint64_t value)
{
	bus_region *r = bus_find(b, pa);

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return BUS_BAD_SIZE;
	if (!r || size > r->size - (pa - r->base))
		return BUS_UNMAPPED;
	if (r->host && !r->readonly) {
		b->foreign_writes++;
		guestmem_will_store(r->mem, pa - r->base, size);
		memcpy(r->host + (pa - r->base), &value, size);
	} else if (r->ops && r->ops->accepts && !r->ops->accepts(r->opaque, pa - r->base, size, true)) {
		return BUS_BAD_SIZE;
	} else if (r->ops && r->ops->write) {
		r->ops->write(r->opaque, pa - r->base, value, size);
	}
	return BUS_OK;
}

/* Walk [pa, pa+len) region by region; fn handles one contiguous piece. */
static int each_piece(bus *b, paddr_t pa, uint64_t len,
		      int (*fn)(bus_region *r, uint64_t off, uint64_t n, uint64_t done, void *ctx),
		      void *ctx)
{
	uint64_t done = 0;

	while (done < len) {
		bus_region *r = bus_find(b, pa + done);
		uint64_t off, n;
		if (!r)
			return BUS_UNMAPPED;
		off = pa + done - r->base;
		n = r->size - off;
		if (n > len - done)
			n = len - done;
		if (fn(r, off, n, done, ctx))
			return BUS_UNMAPPED;
		done += n;
	}
	return BUS_OK;
}

struct copy_ctx { uint8_t *dst; const uint8_t *src; bool debug; };

static int copy_out(bus_region *r, uint64_t off, uint64_t n, uint64_t done, void *p)
{
	struct copy_ctx *c = p;

	if (r->host) {
		memcpy(c->dst + done, r->host + off, n);
		return 0;
	}
	if (!c->debug || !r->ops->peek)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v;
		if (!r->ops->peek(r->opaque, off + i, 1, &v))
			return -1;
		c->dst[done + i] = (uint8_t)v;
	}
	return 0;
}

static int copy_in(bus_region *r, uint64_t off, uint64_t n, uint64_t done, void *p)
{
	struct copy_ctx *c = p;

	if (!r->host)
		return -1;
	guestmem_will_store(r->mem, off, n);	/* counted by bus_copy_to */
	memcpy(r->host + off, c->src + done, n);
	return 0;
}

int bus_copy_from(bus *b, paddr_t pa, void *dst, uint64_t len)
{
	struct copy_ctx c = { .dst = dst };
	return each_piece(b, pa, len, copy_out, &c);
}

int bus_copy_to(bus *b, paddr_t pa, const void *src, uint64_t len)
{
	struct copy_ctx c = { .src = src };

	b->foreign_writes++;
	return each_piece(b, pa, len, copy_in, &c);
}

int bus_debug_read(bus *b, paddr_t pa, void *dst, uint64_t len)
{
	struct copy_ctx c = { .dst = dst, .debug = true };
	return each_piece(b, pa, len, copy_out, &c);
}

int bus_debug_write(bus *b, paddr_t pa, const void *src, uint64_t len)
{
	return bus_copy_to(b, pa, src, len);
}

void bus_register_mems(bus *b, struct machine *m)
{
	for (int i = 0; i < b->count; i++) {
		bus_region *r = &b->regions[i];
		uint8_t *host = r->romd_host ? r->romd_host : r->host;	/* a flash in any mode */
		if (host && !r->mem) {
			r->mem = guestmem_register(m, r->name, host, r->size);
			r->mem->foreign = &b->foreign_writes;
		}
	}
}
