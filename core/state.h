/*
 * State descriptions (DEVELOPERS.md principle 1, QEMU's VMState idea): every
 * device, CPU and the machine itself lists its guest-visible state once, as
 * a table of fields it owns. That one table serves snapshots (save and
 * restore), `monitor snapshot diff`, `monitor info state` and the difftest;
 * nobody writes a per-device dump or copy routine.
 *
 * What goes in a description: everything a restored machine needs to carry
 * on exactly as the saved one would (registers, FIFOs, latched lines,
 * pending events). What stays out: configuration fixed at creation (base
 * addresses, irq wiring, back pointers, host fds) and what post_load can
 * derive (host pointers, cached decodings, the level an irq line is driven
 * to: post_load drives it again).
 *
 *	static const state_field pl031_fields[] = {
 *		ST_U32(pl031, offset),
 *		ST_U32(pl031, mr),
 *		ST_EVENT(pl031, match),
 *		ST_END
 *	};
 *	const state_desc pl031_state = { "pl031", 1, pl031_fields, .post_load = pl031_post_load };
 *
 * and `.state = &pl031_state` in its DEVICE_TYPE (board devices are then
 * registered by the machine), or state_register() for instances a device
 * creates itself (PCI functions, virtio back ends, CPUs).
 */
#ifndef KWB_STATE_H
#define KWB_STATE_H

#include <stddef.h>

#include "kwb.h"

struct machine;
struct mon_out;

enum state_kind {
	ST_KIND_END = 0,
	ST_KIND_UINT,		/* unsigned integer of size 1, 2, 4 or 8 */
	ST_KIND_INT,		/* signed integer of size 1, 2, 4 or 8 */
	ST_KIND_BOOL,
	ST_KIND_BYTES,		/* opaque bytes, size given */
	ST_KIND_BUF,		/* pointer at offset to size_t-sized buffer: len at len_off */
	ST_KIND_EVENT,		/* an `event` (clock.h): queued, when and queue order */
	ST_KIND_STRUCT,		/* nested description (sub) */
	ST_KIND_PTR,		/* pointer at offset to a struct described by sub (NULL: absent) */
};

enum state_flags {
	ST_DEC = 1 << 0,	/* print in decimal (default: hex) */
	ST_NOINFO = 1 << 1,	/* saved and compared, not printed by `info state` */
	ST_CONFIG = 1 << 2,	/* configuration: saved, and an image with another value is
				 * refused on load (a disk image's identity); never restored */
};

typedef struct state_field {
	const char *name;
	uint8_t kind;		/* enum state_kind */
	uint8_t flags;		/* enum state_flags */
	uint32_t size;		/* one element's size in bytes */
	size_t offset;		/* of the first element in the owner */
	uint32_t count;		/* elements (1 for a scalar) */
	size_t stride;		/* bytes between elements */
	/* Elements actually in use: an int in the owner at count_off (e.g.
	 * nharts); ST_NO_COUNT for all `count`. Must be configuration, equal
	 * between a snapshot and the machine it is loaded into. */
	size_t count_off;
	size_t len_off;		/* ST_KIND_BUF: size_t length field */
	const struct state_desc *sub;	/* ST_KIND_STRUCT */
} state_field;

typedef struct state_desc {
	const char *name;	/* type name: "pl031", "clint", "aarch64-cpu" */
	uint32_t version;	/* bump when fields change meaning or layout */
	const state_field *fields;	/* terminated by ST_END */
	/* Optional: before saving (e.g. sync a lazily kept value), and after
	 * loading (re-derive host pointers, drive irq lines, flush caches).
	 * post_load returns 0, or -1 with a one-line reason in err. */
	void (*pre_save)(void *obj);
	int (*post_load)(void *obj, char *err, size_t errlen);
	/* Optional: what `info state` prints after the fields, derived from
	 * them for a developer (an interrupt controller's decoded lines, the
	 * highest pending interrupt). Never a second copy of the fields. */
	void (*info)(void *obj, struct mon_out *o);
} state_desc;

#define ST_NO_COUNT ((size_t)-1)
#define ST_MEMBER_SIZE(t, f) sizeof(((t *)0)->f)
#define ST_ELEM_SIZE(t, f) sizeof(((t *)0)->f[0])

#define ST_FIELD_(t, f, k, fl, sz, n, st, sb) ST_FIELD_N_(t, f, k, fl, sz, n, st, sb, ST_NO_COUNT)
#define ST_FIELD_N_(t, f, k, fl, sz, n, st, sb, co) \
	{ .name = #f, .kind = (k), .flags = (fl), .size = (sz), .offset = offsetof(t, f), \
	  .count = (n), .stride = (st), .count_off = (co), .sub = (sb) }

/* Scalars: the size comes from the member. */
#define ST_UINT(t, f) ST_FIELD_(t, f, ST_KIND_UINT, 0, ST_MEMBER_SIZE(t, f), 1, 0, NULL)
#define ST_UINT_DEC(t, f) ST_FIELD_(t, f, ST_KIND_UINT, ST_DEC, ST_MEMBER_SIZE(t, f), 1, 0, NULL)
#define ST_INT(t, f) ST_FIELD_(t, f, ST_KIND_INT, ST_DEC, ST_MEMBER_SIZE(t, f), 1, 0, NULL)
#define ST_BOOL(t, f) ST_FIELD_(t, f, ST_KIND_BOOL, 0, ST_MEMBER_SIZE(t, f), 1, 0, NULL)
#define ST_U8(t, f) ST_UINT(t, f)
#define ST_U16(t, f) ST_UINT(t, f)
#define ST_U32(t, f) ST_UINT(t, f)
#define ST_U64(t, f) ST_UINT(t, f)
#define ST_EVENT(t, f) ST_FIELD_(t, f, ST_KIND_EVENT, 0, ST_MEMBER_SIZE(t, f), 1, 0, NULL)
/* Configuration an image must match to load (never restored). */
#define ST_CONFIG_UINT(t, f) ST_FIELD_(t, f, ST_KIND_UINT, ST_CONFIG | ST_DEC, ST_MEMBER_SIZE(t, f), 1, 0, NULL)
/* Opaque bytes (a FIFO's storage, a config space): not printed by info. */
#define ST_BYTES(t, f) ST_FIELD_(t, f, ST_KIND_BYTES, ST_NOINFO, ST_MEMBER_SIZE(t, f), 1, 0, NULL)

/* Fixed arrays of the above (f is the array member). */
#define ST_UINT_ARRAY(t, f) \
	ST_FIELD_(t, f, ST_KIND_UINT, 0, ST_ELEM_SIZE(t, f), \
		  ST_MEMBER_SIZE(t, f) / ST_ELEM_SIZE(t, f), ST_ELEM_SIZE(t, f), NULL)
#define ST_BOOL_ARRAY(t, f) \
	ST_FIELD_(t, f, ST_KIND_BOOL, 0, ST_ELEM_SIZE(t, f), \
		  ST_MEMBER_SIZE(t, f) / ST_ELEM_SIZE(t, f), ST_ELEM_SIZE(t, f), NULL)
#define ST_EVENT_ARRAY(t, f) \
	ST_FIELD_(t, f, ST_KIND_EVENT, 0, ST_ELEM_SIZE(t, f), \
		  ST_MEMBER_SIZE(t, f) / ST_ELEM_SIZE(t, f), ST_ELEM_SIZE(t, f), NULL)
/* An array of structs described by desc. */
#define ST_STRUCT_ARRAY(t, f, desc) \
	ST_FIELD_(t, f, ST_KIND_STRUCT, 0, ST_ELEM_SIZE(t, f), \
		  ST_MEMBER_SIZE(t, f) / ST_ELEM_SIZE(t, f), ST_ELEM_SIZE(t, f), &(desc))
/* One nested struct member. */
#define ST_STRUCT(t, f, desc) ST_FIELD_(t, f, ST_KIND_STRUCT, 0, ST_MEMBER_SIZE(t, f), 1, 0, &(desc))
/* A pointer member to an object the owner created (the device's model
 * behind its board wrapper, a CPU's timer block). Its fields are named
 * "f.field"; a NULL pointer has none. */
#define ST_PTR(t, f, desc) ST_FIELD_(t, f, ST_KIND_PTR, 0, ST_MEMBER_SIZE(t, f), 1, 0, &(desc))
/* Arrays of bytes in use: an opaque blob, but printed as hex by info. */
#define ST_HEX(t, f) ST_FIELD_(t, f, ST_KIND_BYTES, 0, ST_MEMBER_SIZE(t, f), 1, 0, NULL)

/* The same, limited to the first n elements, n an int member of t that is
 * configuration (e.g. nharts): ST_STRUCT_ARRAY_N(clint, harts, hart_state, nharts). */
#define ST_UINT_ARRAY_N(t, f, n) \
	ST_FIELD_N_(t, f, ST_KIND_UINT, 0, ST_ELEM_SIZE(t, f), \
		    ST_MEMBER_SIZE(t, f) / ST_ELEM_SIZE(t, f), ST_ELEM_SIZE(t, f), NULL, offsetof(t, n))
#define ST_STRUCT_ARRAY_N(t, f, desc, n) \
	ST_FIELD_N_(t, f, ST_KIND_STRUCT, 0, ST_ELEM_SIZE(t, f), \
		    ST_MEMBER_SIZE(t, f) / ST_ELEM_SIZE(t, f), ST_ELEM_SIZE(t, f), &(desc), offsetof(t, n))

/* A heap buffer: uint8_t *f of size_t len bytes (len fixed at creation). */
#define ST_BUF(t, f, len) \
	{ .name = #f, .kind = ST_KIND_BUF, .flags = ST_NOINFO, .size = 1, .offset = offsetof(t, f), \
	  .count = 1, .count_off = ST_NO_COUNT, .len_off = offsetof(t, len) }

#define ST_END { .name = NULL, .kind = ST_KIND_END }

/* A field built at run time (tables generated from a register table):
 * name must outlive the description. */
static inline state_field state_field_at(const char *name, enum state_kind kind, uint32_t size,
					 size_t offset)
{
	return (state_field){ .name = name, .kind = (uint8_t)kind, .size = size, .offset = offset,
			      .count = 1, .count_off = ST_NO_COUNT };
}

/* ---- instances ---- */

/* One described object of a machine. */
typedef struct state_instance {
	char name[48];		/* unique: "pl031@9010000", "cpu0", "virtio-rng-pci@00:01.0" */
	const state_desc *desc;
	void *obj;
} state_instance;

/* Register obj under name (copied; must be unique in the machine). Order
 * of registration is the order of saving and restoring. */
void state_register(struct machine *m, const char *name, const state_desc *d, void *obj);
void state_unregister(struct machine *m, void *obj);
int state_count(struct machine *m);
state_instance *state_at(struct machine *m, int i);
state_instance *state_find(struct machine *m, const char *name);
void state_free_all(struct machine *m);

/* ---- serialisation ----
 * A state image is a sequence of records, one per leaf field:
 *   u16 path length, path ("harts[1].mtimecmp"), u32 data length, data
 * (integers little-endian; an event is u8 queued, u64 when, u32 order).
 * Records by name make diffs readable and refuse a foreign layout with the
 * name of the first field that differs. */
typedef struct state_buf {
	uint8_t *data;
	size_t len, cap;
} state_buf;

void state_buf_put(state_buf *b, const void *p, size_t n);
/* Grows b by n bytes and returns where they go. */
uint8_t *state_buf_reserve(state_buf *b, size_t n);
void state_buf_free(state_buf *b);

/* Appends obj's records to out. */
void state_save(struct machine *m, const state_desc *d, void *obj, state_buf *out);

/* Restoring a whole machine: begin empties the event queue, each load
 * fills one object (events are remembered, not queued), commit queues the
 * events again in their saved order and then runs every loaded object's
 * post_load. Returns 0, or -1 with "instance: field: reason" in err. */
typedef struct state_load_ctx state_load_ctx;
state_load_ctx *state_load_begin(struct machine *m);
int state_load(state_load_ctx *ctx, const char *instance, const state_desc *d, void *obj,
	       const uint8_t *in, size_t len, char *err, size_t errlen);
int state_load_commit(state_load_ctx *ctx, char *err, size_t errlen);

/* Saves / restores every registered instance (framed by instance name). */
void state_save_all(struct machine *m, state_buf *out);
int state_load_all(struct machine *m, const uint8_t *in, size_t len, char *err, size_t errlen);
/* Only the checks of state_load_all (layouts, configuration): 0 or -1. */
int state_check_all(struct machine *m, const uint8_t *in, size_t len, char *err, size_t errlen);

/* ---- reading it ---- */

/* Calls fn for every leaf element with its path and its current bytes
 * (events as their saved record). */
typedef void (*state_leaf_fn)(void *opaque, const char *path, const state_field *f,
			      const uint8_t *data, size_t len);
void state_walk(struct machine *m, const state_desc *d, void *obj, state_leaf_fn fn, void *opaque);

/* Prints "path = value" lines (fields marked ST_NOINFO are skipped). */
void state_print(struct machine *m, const state_desc *d, void *obj, struct mon_out *o);
/* Prints the records that differ between two images of the same object
 * ("path: A -> B"); returns how many differ. */
int state_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, const char *prefix,
	       struct mon_out *o);
/* The same for two state_save_all images, instance by instance (an
 * instance only in one of them counts as one difference). */
int state_diff_all(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, struct mon_out *o);

#endif
