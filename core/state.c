/* State descriptions: walking, saving, restoring, printing and comparing
 * the objects a machine registered (see state.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "monitor.h"
#include "state.h"

#define PATH_MAX_LEN 160
#define EVENT_REC 13		/* u8 queued, u64 when, u32 order */

struct state_registry {
	state_instance *v;
	int n, cap;
};

/* ---- instances ---- */

void state_register(machine *m, const char *name, const state_desc *d, void *obj)
{
	struct state_registry *r = m->state_reg;

	if (!r)
		r = m->state_reg = kwb_zalloc(sizeof(*r));
	if (state_find(m, name))
		kwb_fatal("state: two objects named %s", name);
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 32;
		r->v = kwb_realloc(r->v, r->cap * sizeof(*r->v));
	}
	snprintf(r->v[r->n].name, sizeof(r->v[r->n].name), "%s", name);
	r->v[r->n].desc = d;
	r->v[r->n].obj = obj;
	r->n++;
}

void state_unregister(machine *m, void *obj)
{
	struct state_registry *r = m->state_reg;

	for (int i = 0; r && i < r->n; i++) {
		if (r->v[i].obj == obj) {
			memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(*r->v));
			r->n--;
			i--;
		}
	}
}

int state_count(machine *m)
{
	return m->state_reg ? m->state_reg->n : 0;
}

state_instance *state_at(machine *m, int i)
{
	return m->state_reg && i >= 0 && i < m->state_reg->n ? &m->state_reg->v[i] : NULL;
}

state_instance *state_find(machine *m, const char *name)
{
	for (int i = 0; i < state_count(m); i++)
		if (!strcmp(m->state_reg->v[i].name, name))
			return &m->state_reg->v[i];
	return NULL;
}

void state_free_all(machine *m)
{
	if (m->state_reg)
		free(m->state_reg->v);
	free(m->state_reg);
	m->state_reg = NULL;
}

/* ---- the walk ---- */

static int elements_in_use(const state_field *f, const uint8_t *obj)
{
	int n;

	if (f->count_off == ST_NO_COUNT)
		return (int)f->count;
	memcpy(&n, obj + f->count_off, sizeof(n));
	return n < 0 ? 0 : n > (int)f->count ? (int)f->count : n;
}

static uint32_t event_order(machine *m, const event *e)
{
	uint32_t i = 0;

	for (const event *q = m->events; q; q = q->next, i++)
		if (q == e)
			return i;
	return UINT32_MAX;
}

static void event_record(machine *m, const event *e, uint8_t *rec)
{
	uint32_t order = e->queued ? event_order(m, e) : UINT32_MAX;

	rec[0] = e->queued;
	memcpy(rec + 1, &e->when, 8);
	memcpy(rec + 9, &order, 4);
}

/* A leaf: the bytes of one field (all elements of a scalar array). */
typedef struct leaf {
	const state_field *f;
	uint8_t *ptr;		/* first element in the object */
	int n;			/* elements */
	size_t len;		/* serialised length */
} leaf;

typedef void (*leaf_visit)(void *ctx, const char *path, const leaf *l);

static void walk(const state_desc *d, uint8_t *obj, const char *prefix, leaf_visit fn, void *ctx)
{
	char path[PATH_MAX_LEN];

	for (const state_field *f = d->fields; f->kind != ST_KIND_END; f++) {
		uint8_t *p = obj + f->offset;
		int n = elements_in_use(f, obj);

		if (f->kind == ST_KIND_PTR) {
			uint8_t *sub;
			memcpy(&sub, p, sizeof(sub));
			if (sub) {
				snprintf(path, sizeof(path), "%s%s.", prefix, f->name);
				walk(f->sub, sub, path, fn, ctx);
			}
			continue;
		}
		if (f->kind == ST_KIND_STRUCT) {
			for (int i = 0; i < n; i++) {
				if (f->count > 1)
					snprintf(path, sizeof(path), "%s%s[%d].", prefix, f->name, i);
				else
					snprintf(path, sizeof(path), "%s%s.", prefix, f->name);
				walk(f->sub, p + i * f->stride, path, fn, ctx);
			}
			continue;
		}
		snprintf(path, sizeof(path), "%s%s", prefix, f->name);
		leaf l = { .f = f, .ptr = p, .n = n };
		switch (f->kind) {
		case ST_KIND_BUF:
			memcpy(&l.len, obj + f->len_off, sizeof(size_t));
			memcpy(&l.ptr, p, sizeof(l.ptr));
			break;
		case ST_KIND_EVENT:
			l.len = (size_t)n * EVENT_REC;
			break;
		default:
			l.len = (size_t)n * f->size;
		}
		fn(ctx, path, &l);
	}
}

/* The serialised bytes of a leaf into out (len bytes). */
static void leaf_bytes(machine *m, const leaf *l, uint8_t *out)
{
	const state_field *f = l->f;

	if (f->kind == ST_KIND_EVENT) {
		for (int i = 0; i < l->n; i++)
			event_record(m, (const event *)(l->ptr + i * f->stride), out + i * EVENT_REC);
	} else if (f->kind == ST_KIND_BUF || f->kind == ST_KIND_BYTES || f->count == 1 ||
		   f->stride == f->size) {
		if (l->len)
			memcpy(out, l->ptr, l->len);
	} else {
		for (int i = 0; i < l->n; i++)
			memcpy(out + i * f->size, l->ptr + i * f->stride, f->size);
	}
}

/* ---- buffers ---- */

uint8_t *state_buf_reserve(state_buf *b, size_t n)
{
	uint8_t *p;

	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->data = kwb_realloc(b->data, b->cap);
	}
	p = b->data + b->len;
	b->len += n;
	return p;
}

void state_buf_put(state_buf *b, const void *p, size_t n)
{
	uint8_t *dst = state_buf_reserve(b, n);

	if (n)
		memcpy(dst, p, n);
}

void state_buf_free(state_buf *b)
{
	free(b->data);
	*b = (state_buf){ 0 };
}

static void put_u16(state_buf *b, uint16_t v) { state_buf_put(b, &v, 2); }
static void put_u32(state_buf *b, uint32_t v) { state_buf_put(b, &v, 4); }

static void put_str16(state_buf *b, const char *s)
{
	size_t n = strlen(s);
	put_u16(b, (uint16_t)n);
	state_buf_put(b, s, n);
}

/* A cursor over a serialised image; every read is bounds-checked. */
typedef struct cursor {
	const uint8_t *p, *end;
} cursor;

static bool get(cursor *c, void *dst, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	memcpy(dst, c->p, n);
	c->p += n;
	return true;
}

static bool get_str16(cursor *c, char *dst, size_t cap)
{
	uint16_t n;

	if (!get(c, &n, 2) || n >= cap || (size_t)(c->end - c->p) < n)
		return false;
	/* a name read from an image ends up in one-line messages: printable */
	for (uint16_t i = 0; i < n; i++)
		dst[i] = c->p[i] < 0x20 || c->p[i] >= 0x7f ? '?' : (char)c->p[i];
	dst[n] = 0;
	c->p += n;
	return true;
}

/* One record: path, data pointer and length (into the image). */
static bool get_record(cursor *c, char *path, const uint8_t **data, uint32_t *len)
{
	if (!get_str16(c, path, PATH_MAX_LEN) || !get(c, len, 4) || (size_t)(c->end - c->p) < *len)
		return false;
	*data = c->p;
	c->p += *len;
	return true;
}

/* Calls fn on obj's description and every object nested in it (structs
 * and pointers), innermost first; stops at the first nonzero return. */
static int each_desc(const state_desc *d, uint8_t *obj, int (*fn)(const state_desc *, void *, void *),
		     void *ctx)
{
	int rc;

	for (const state_field *f = d->fields; f->kind != ST_KIND_END; f++) {
		uint8_t *sub;
		if (f->kind == ST_KIND_PTR) {
			memcpy(&sub, obj + f->offset, sizeof(sub));
			if (sub && (rc = each_desc(f->sub, sub, fn, ctx)))
				return rc;
		} else if (f->kind == ST_KIND_STRUCT) {
			for (int i = 0; i < elements_in_use(f, obj); i++)
				if ((rc = each_desc(f->sub, obj + f->offset + i * f->stride, fn, ctx)))
					return rc;
		}
	}
	return fn(d, obj, ctx);
}

static int call_pre_save(const state_desc *d, void *obj, void *ctx)
{
	(void)ctx;
	if (d->pre_save)
		d->pre_save(obj);
	return 0;
}

struct post_load_ctx {
	char *why;
	size_t len;
};

static int call_post_load(const state_desc *d, void *obj, void *p)
{
	struct post_load_ctx *c = p;

	return d->post_load ? d->post_load(obj, c->why, c->len) : 0;
}

/* ---- save ---- */

struct save_ctx {
	machine *m;
	state_buf *out;
};

static void save_leaf(void *p, const char *path, const leaf *l)
{
	struct save_ctx *s = p;

	put_str16(s->out, path);
	put_u32(s->out, (uint32_t)l->len);
	leaf_bytes(s->m, l, state_buf_reserve(s->out, l->len));
}

void state_save(machine *m, const state_desc *d, void *obj, state_buf *out)
{
	struct save_ctx s = { m, out };

	each_desc(d, obj, call_pre_save, NULL);
	walk(d, obj, "", save_leaf, &s);
}

/* ---- load ---- */

typedef struct pending_event {
	event *e;
	uint32_t order;
	uint64_t when;
} pending_event;

struct state_load_ctx {
	machine *m;
	pending_event *ev;
	int nev, cap;
	struct { const state_desc *d; void *obj; const char *name; } *loaded;
	int nloaded, loaded_cap;
};

state_load_ctx *state_load_begin(machine *m)
{
	state_load_ctx *c = kwb_zalloc(sizeof(*c));

	c->m = m;
	/* Every queued event belongs to some described object: the image
	 * says which are queued again. */
	while (m->events) {
		event *e = m->events;
		m->events = e->next;
		e->next = NULL;
		e->queued = false;
	}
	return c;
}

struct load_walk {
	state_load_ctx *ctx;
	cursor cur;
	const char *instance;
	char *err;
	size_t errlen;
	bool failed;
	bool dry;		/* check paths and lengths only, write nothing */
};

static void load_leaf(void *p, const char *path, const leaf *l)
{
	struct load_walk *w = p;
	char got[PATH_MAX_LEN];
	const uint8_t *data;
	uint32_t len;
	const state_field *f = l->f;

	if (w->failed)
		return;
	if (!get_record(&w->cur, got, &data, &len)) {
		snprintf(w->err, w->errlen, "%s: %s: missing from the image", w->instance, path);
		w->failed = true;
		return;
	}
	if (strcmp(got, path) || len != l->len) {
		snprintf(w->err, w->errlen, "%s: %s: the image has %s (%u bytes) where this machine has %zu bytes",
			 w->instance, path, got, len, l->len);
		w->failed = true;
		return;
	}
	if (f->kind == ST_KIND_BOOL) {
		/* a C bool holding anything but 0 or 1 is undefined behaviour */
		for (uint32_t i = 0; i < len; i++)
			if (data[i] > 1) {
				snprintf(w->err, w->errlen, "%s: %s: %u is not a boolean (a damaged image)",
					 w->instance, path, data[i]);
				w->failed = true;
				return;
			}
	}
	if (f->flags & ST_CONFIG) {
		/* configuration: the image must have this machine's value */
		uint8_t *cur = kwb_zalloc(l->len + 1);
		bool same;
		leaf_bytes(NULL, l, cur);
		same = !memcmp(cur, data, len);
		free(cur);
		if (!same && w->dry) {
			snprintf(w->err, w->errlen, "%s: %s: the image was saved with another value "
				 "(this machine's configuration differs)", w->instance, path);
			w->failed = true;
		}
		return;
	}
	if (w->dry)
		return;
	if (f->kind == ST_KIND_EVENT) {
		state_load_ctx *c = w->ctx;
		for (int i = 0; i < l->n; i++) {
			const uint8_t *rec = data + i * EVENT_REC;
			event *e = (event *)(l->ptr + i * f->stride);
			pending_event pe = { .e = e };
			memcpy(&pe.when, rec + 1, 8);
			memcpy(&pe.order, rec + 9, 4);
			e->when = pe.when;
			if (!rec[0])
				continue;
			if (c->nev == c->cap) {
				c->cap = c->cap ? 2 * c->cap : 16;
				c->ev = kwb_realloc(c->ev, c->cap * sizeof(*c->ev));
			}
			c->ev[c->nev++] = pe;
		}
	} else if (f->kind == ST_KIND_BUF || f->kind == ST_KIND_BYTES || f->count == 1 ||
		   f->stride == f->size) {
		if (len)
			memcpy(l->ptr, data, len);
	} else {
		for (int i = 0; i < l->n; i++)
			memcpy(l->ptr + i * f->stride, data + i * f->size, f->size);
	}
}

static int load_walk(state_load_ctx *ctx, const char *instance, const state_desc *d, void *obj,
		     const uint8_t *in, size_t len, char *err, size_t errlen, bool dry)
{
	struct load_walk w = { .ctx = ctx, .cur = { in, in + len }, .instance = instance,
			       .err = err, .errlen = errlen, .dry = dry };

	walk(d, obj, "", load_leaf, &w);
	if (!w.failed && w.cur.p != w.cur.end) {
		char extra[PATH_MAX_LEN] = "?";
		const uint8_t *data;
		uint32_t n;
		get_record(&w.cur, extra, &data, &n);
		snprintf(err, errlen, "%s: the image has a field %s this machine does not", instance, extra);
		w.failed = true;
	}
	return w.failed ? -1 : 0;
}

int state_load(state_load_ctx *ctx, const char *instance, const state_desc *d, void *obj,
	       const uint8_t *in, size_t len, char *err, size_t errlen)
{
	/* Check first, so a refused image leaves the object as it was. */
	if (load_walk(ctx, instance, d, obj, in, len, err, errlen, true) < 0)
		return -1;
	load_walk(ctx, instance, d, obj, in, len, err, errlen, false);
	if (ctx->nloaded == ctx->loaded_cap) {
		ctx->loaded_cap = ctx->loaded_cap ? 2 * ctx->loaded_cap : 32;
		ctx->loaded = kwb_realloc(ctx->loaded, ctx->loaded_cap * sizeof(*ctx->loaded));
	}
	ctx->loaded[ctx->nloaded].d = d;
	ctx->loaded[ctx->nloaded].obj = obj;
	ctx->loaded[ctx->nloaded].name = instance;
	ctx->nloaded++;
	return 0;
}

static int by_order(const void *a, const void *b)
{
	const pending_event *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

int state_load_commit(state_load_ctx *ctx, char *err, size_t errlen)
{
	machine *m = ctx->m;
	int rc = 0;

	/* The saved queue was sorted by time, FIFO among equal times: queuing
	 * in saved order rebuilds exactly that list. */
	if (ctx->nev)
		qsort(ctx->ev, ctx->nev, sizeof(*ctx->ev), by_order);
	for (int i = 0; i < ctx->nev; i++)
		event_schedule(m, ctx->ev[i].e, ctx->ev[i].when);
	for (int i = 0; i < ctx->nloaded && !rc; i++) {
		const state_desc *d = ctx->loaded[i].d;
		char why[200] = "";
		struct post_load_ctx pc = { why, sizeof(why) };
		if (each_desc(d, ctx->loaded[i].obj, call_post_load, &pc) < 0) {
			snprintf(err, errlen, "%s: %s", ctx->loaded[i].name, why);
			rc = -1;
		}
	}
	free(ctx->ev);
	free(ctx->loaded);
	free(ctx);
	return rc;
}

/* ---- whole machines ---- */

void state_save_all(machine *m, state_buf *out)
{
	for (int i = 0; i < state_count(m); i++) {
		state_instance *s = &m->state_reg->v[i];
		state_buf body = { 0 };

		state_save(m, s->desc, s->obj, &body);
		put_str16(out, s->name);
		put_str16(out, s->desc->name);
		put_u32(out, s->desc->version);
		put_u32(out, (uint32_t)body.len);
		state_buf_put(out, body.data, body.len);
		state_buf_free(&body);
	}
}

typedef struct frame {
	char name[64], type[64];
	uint32_t version, len;
	const uint8_t *body;
} frame;

static bool get_frame(cursor *c, frame *f)
{
	if (!get_str16(c, f->name, sizeof(f->name)) || !get_str16(c, f->type, sizeof(f->type)) ||
	    !get(c, &f->version, 4) || !get(c, &f->len, 4) || (size_t)(c->end - c->p) < f->len)
		return false;
	f->body = c->p;
	c->p += f->len;
	return true;
}

int state_load_all(machine *m, const uint8_t *in, size_t len, char *err, size_t errlen)
{
	cursor c = { in, in + len };
	state_load_ctx *ctx;
	frame f;

	if (state_check_all(m, in, len, err, errlen) < 0)
		return -1;
	ctx = state_load_begin(m);
	for (int i = 0; i < state_count(m); i++) {
		state_instance *s = &m->state_reg->v[i];
		get_frame(&c, &f);
		state_load(ctx, s->name, s->desc, s->obj, f.body, f.len, err, errlen);
	}
	return state_load_commit(ctx, err, errlen);
}

int state_check_all(machine *m, const uint8_t *in, size_t len, char *err, size_t errlen)
{
	cursor c = { in, in + len };
	frame f;

	/* Check the frames against this machine before touching anything. */
	for (int i = 0; i < state_count(m); i++) {
		state_instance *s = &m->state_reg->v[i];
		if (!get_frame(&c, &f)) {
			snprintf(err, errlen, "%s: missing from the image (truncated or another machine)", s->name);
			return -1;
		}
		if (strcmp(f.name, s->name) || strcmp(f.type, s->desc->name) || f.version != s->desc->version) {
			snprintf(err, errlen, "the image has %s (%s v%u) where this machine has %s (%s v%u)",
				 f.name, f.type, f.version, s->name, s->desc->name, s->desc->version);
			return -1;
		}
	}
	if (c.p != c.end) {
		snprintf(err, errlen, "the image has objects this machine does not (%s...)",
			 get_frame(&c, &f) ? f.name : "garbage");
		return -1;
	}
	/* Then every field of every object, still touching nothing. */
	c.p = in;
	for (int i = 0; i < state_count(m); i++) {
		state_instance *s = &m->state_reg->v[i];
		get_frame(&c, &f);
		if (load_walk(NULL, s->name, s->desc, s->obj, f.body, f.len, err, errlen, true) < 0)
			return -1;
	}
	return 0;
}

/* ---- printing and comparing ---- */

static uint64_t get_uint(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	memcpy(&v, p, size > 8 ? 8 : size);
	return v;
}

static void format_elem(const state_field *f, const uint8_t *p, char *buf, size_t len)
{
	uint64_t v;

	switch (f->kind) {
	case ST_KIND_BOOL:
		snprintf(buf, len, "%s", *p ? "true" : "false");
		return;
	case ST_KIND_INT:
		v = get_uint(p, f->size);
		snprintf(buf, len, "%lld", (long long)sext(v, f->size * 8));
		return;
	case ST_KIND_UINT:
		v = get_uint(p, f->size);
		if (f->flags & ST_DEC)
			snprintf(buf, len, "%llu", (unsigned long long)v);
		else
			snprintf(buf, len, "0x%llx", (unsigned long long)v);
		return;
	case ST_KIND_EVENT: {
		uint64_t when;
		memcpy(&when, p + 1, 8);
		if (p[0])
			snprintf(buf, len, "due at %llu ns", (unsigned long long)when);
		else
			snprintf(buf, len, "idle");
		return;
	}
	default:
		snprintf(buf, len, "(%u bytes)", f->size);
	}
}

static size_t elem_size(const state_field *f)
{
	return f->kind == ST_KIND_EVENT ? EVENT_REC : f->size;
}

struct print_ctx {
	machine *m;
	mon_out *o;
};

static void print_leaf(void *p, const char *path, const leaf *l)
{
	struct print_ctx *pc = p;
	const state_field *f = l->f;
	uint8_t *bytes;
	size_t es = elem_size(f);
	char v[64];

	if (f->flags & ST_NOINFO) {
		mon_printf(pc->o, "%s = (%zu bytes)\n", path, l->len);
		return;
	}
	bytes = kwb_zalloc(l->len + 1);
	leaf_bytes(pc->m, l, bytes);
	if (f->kind == ST_KIND_BYTES) {
		mon_printf(pc->o, "%s =", path);
		for (size_t i = 0; i < l->len && i < 64; i++)
			mon_printf(pc->o, "%s%02x", i % 32 ? (i % 4 ? "" : " ") : i ? "\n   " : " ",
				   bytes[i]);
		mon_printf(pc->o, "%s\n", l->len > 64 ? " ..." : "");
	} else if (f->count == 1) {
		format_elem(f, bytes, v, sizeof(v));
		mon_printf(pc->o, "%s = %s\n", path, v);
	} else {
		mon_printf(pc->o, "%s[%d] =", path, l->n);
		for (int i = 0; i < l->n; i++) {
			format_elem(f, bytes + i * es, v, sizeof(v));
			mon_printf(pc->o, "%s%s", i && i % 8 == 0 ? "\n   " : " ", v);
		}
		mon_printf(pc->o, "\n");
	}
	free(bytes);
}

/* The decoded extras of d and of every object nested in it. */
static void print_info(const state_desc *d, uint8_t *obj, mon_out *o)
{
	for (const state_field *f = d->fields; f->kind != ST_KIND_END; f++) {
		uint8_t *sub;
		if (f->kind == ST_KIND_PTR) {
			memcpy(&sub, obj + f->offset, sizeof(sub));
			if (sub)
				print_info(f->sub, sub, o);
		} else if (f->kind == ST_KIND_STRUCT) {
			for (int i = 0; i < elements_in_use(f, obj); i++)
				print_info(f->sub, obj + f->offset + i * f->stride, o);
		}
	}
	if (d->info)
		d->info(obj, o);
}

void state_print(machine *m, const state_desc *d, void *obj, mon_out *o)
{
	struct print_ctx pc = { m, o };

	walk(d, obj, "", print_leaf, &pc);
	print_info(d, obj, o);
}

struct walk_adapter {
	machine *m;
	state_leaf_fn fn;
	void *opaque;
};

static void adapt_leaf(void *p, const char *path, const leaf *l)
{
	struct walk_adapter *a = p;
	uint8_t *bytes = kwb_zalloc(l->len + 1);

	leaf_bytes(a->m, l, bytes);
	a->fn(a->opaque, path, l->f, bytes, l->len);
	free(bytes);
}

void state_walk(machine *m, const state_desc *d, void *obj, state_leaf_fn fn, void *opaque)
{
	struct walk_adapter a = { m, fn, opaque };

	walk(d, obj, "", adapt_leaf, &a);
}

/* Images carry no field kinds: compare bytes, print hex by element width
 * guessed from the record length (arrays print per differing byte run). */
static void print_hex(mon_out *o, const uint8_t *p, size_t n)
{
	if (n <= 8) {
		mon_printf(o, "0x%llx", (unsigned long long)get_uint(p, (unsigned)n));
		return;
	}
	for (size_t i = 0; i < n && i < 16; i++)
		mon_printf(o, "%02x", p[i]);
	if (n > 16)
		mon_printf(o, "...");
}

int state_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, const char *prefix,
	       mon_out *o)
{
	cursor ca = { a, a + alen }, cb = { b, b + blen };
	char pa[PATH_MAX_LEN], pb[PATH_MAX_LEN];
	const uint8_t *da, *db;
	uint32_t la, lb;
	int diffs = 0;

	while (ca.p < ca.end || cb.p < cb.end) {
		bool ga = ca.p < ca.end && get_record(&ca, pa, &da, &la);
		bool gb = cb.p < cb.end && get_record(&cb, pb, &db, &lb);
		if (!ga || !gb || strcmp(pa, pb) || la != lb) {
			mon_printf(o, "%s%s: layouts differ from here on\n", prefix, ga ? pa : gb ? pb : "?");
			return diffs + 1;
		}
		if (!memcmp(da, db, la))
			continue;
		diffs++;
		if (la <= 8) {
			mon_printf(o, "%s%s: ", prefix, pa);
			print_hex(o, da, la);
			mon_printf(o, " -> ");
			print_hex(o, db, lb);
			mon_printf(o, "\n");
			continue;
		}
		/* Arrays and blobs: the first differing byte range. */
		size_t s = 0, e;
		while (da[s] == db[s])
			s++;
		e = la;
		while (e > s && da[e - 1] == db[e - 1])
			e--;
		mon_printf(o, "%s%s: bytes %zu-%zu of %u differ: ", prefix, pa, s, e - 1, la);
		print_hex(o, da + s, e - s);
		mon_printf(o, " -> ");
		print_hex(o, db + s, e - s);
		mon_printf(o, "\n");
	}
	return diffs;
}

int state_diff_all(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, mon_out *o)
{
	cursor ca = { a, a + alen }, cb = { b, b + blen };
	frame fa, fb;
	char prefix[80];
	int diffs = 0;

	while (ca.p < ca.end || cb.p < cb.end) {
		bool ga = ca.p < ca.end && get_frame(&ca, &fa);
		bool gb = cb.p < cb.end && get_frame(&cb, &fb);
		if (!ga || !gb || strcmp(fa.name, fb.name) || strcmp(fa.type, fb.type)) {
			mon_printf(o, "objects differ from %s on\n", ga ? fa.name : gb ? fb.name : "?");
			return diffs + 1;
		}
		snprintf(prefix, sizeof(prefix), "%s.", fa.name);
		diffs += state_diff(fa.body, fa.len, fb.body, fb.len, prefix, o);
	}
	return diffs;
}
