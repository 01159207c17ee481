/*
 * The transport-independent half of virtio (virtio.h): split virtqueues,
 * device status and feature negotiation, config space, the state
 * description, and the table of device models.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

enum { VRING_DESC_F_NEXT = 1, VRING_DESC_F_WRITE = 2, VRING_DESC_F_INDIRECT = 4 };
enum { VRING_AVAIL_F_NO_INTERRUPT = 1 };
enum { VRING_USED_F_NO_NOTIFY = 1 };

void virtio_broken(virtio_dev *v, const char *why)
{
	v->dma_errors++;
	trace_dev(v->m, v->name, "%s: broken%s", why, virtio_has(v, VIRTIO_F_VERSION_1) ? ", NEEDS_RESET" : "");
	v->broken = true;
	/* QEMU's virtio_error: only a VERSION_1 driver is told, and only
	 * once it finished set-up (virtio 1.x 2.1.2) */
	if (virtio_has(v, VIRTIO_F_VERSION_1) && !(v->status & VIRTIO_STATUS_NEEDS_RESET)) {
		v->status |= VIRTIO_STATUS_NEEDS_RESET;
		if (v->status & VIRTIO_STATUS_DRIVER_OK)
			virtio_config_changed(v);
	}
}

/* A guest address range, checked for wrap-around before it is used. */
static int dma_rd(virtio_dev *v, uint64_t addr, void *buf, uint64_t len)
{
	if (addr + len < addr || v->tr->dma_read(v, addr, buf, len)) {
		virtio_broken(v, "DMA error");
		return -1;
	}
	return 0;
}

static int dma_wr(virtio_dev *v, uint64_t addr, const void *buf, uint64_t len)
{
	if (addr + len < addr || v->tr->dma_write(v, addr, buf, len)) {
		virtio_broken(v, "DMA error");
		return -1;
	}
	return 0;
}

/* ---- split virtqueues (little-endian host assumed, as everywhere in kwb) ----
 * desc: 16-byte descriptors; avail: flags, idx, ring[size], used_event;
 * used: flags, idx, ring[size] of (id, len), avail_event. */

static uint64_t used_event_addr(const virtq *q)
{
	return q->avail + 4 + 2ull * q->size;
}

static uint64_t avail_event_addr(const virtq *q)
{
	return q->used + 4 + 8ull * q->size;
}

bool virtq_ready(virtio_dev *v, int qi)
{
	return qi >= 0 && qi < v->nqueues && v->vq[qi].ready && v->vq[qi].size && !v->broken &&
	       (v->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET)) == VIRTIO_STATUS_DRIVER_OK;
}

unsigned virtq_avail(virtio_dev *v, int qi)
{
	uint16_t avail_idx, n;

	if (!virtq_ready(v, qi) || v->tr->dma_read(v, v->vq[qi].avail + 2, &avail_idx, 2))
		return 0;
	n = (uint16_t)(avail_idx - v->vq[qi].last_avail);
	return n <= v->vq[qi].size ? n : 1;	/* a bad index: pop reports it */
}

void virtq_set_notification(virtio_dev *v, int qi, bool enable)
{
	virtq *q = &v->vq[qi];
	uint16_t x;

	q->notification = enable;
	if (!virtq_ready(v, qi))
		return;
	if (virtio_has(v, VIRTIO_RING_F_EVENT_IDX)) {
		/* both ways: kick me for anything after what is there now */
		if (!dma_rd(v, q->avail + 2, &x, 2))
			dma_wr(v, avail_event_addr(q), &x, 2);
	} else if (!dma_rd(v, q->used, &x, 2)) {
		x = enable ? x & ~VRING_USED_F_NO_NOTIFY : x | VRING_USED_F_NO_NOTIFY;
		dma_wr(v, q->used, &x, 2);
	}
}

typedef struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
} vdesc;

/*
 * The chain at head, from the ring or from the indirect table its head
 * points to, as QEMU's virtqueue_split_pop reads it: an indirect table
 * must be a whole number of descriptors (not none), every next must stay
 * in the table or ring, a chain visits at most as many descriptors as
 * there are, device-readable buffers come before device-writable ones,
 * no buffer is empty, and (kwb, as the spec's "MUST NOT") no indirect
 * descriptor inside a table. Any of these breaks the device.
 */
static int read_chain(virtio_dev *v, virtq *q, uint16_t head, virtq_elem *e)
{
	uint64_t table = q->desc;
	uint32_t max = q->size, i = head, seen = 0;
	bool indirect = false;
	vdesc d;

	e->head = head;
	e->n = 0;
	if (dma_rd(v, table + 16ull * i, &d, sizeof(d)))
		return -1;
	if (d.flags & VRING_DESC_F_INDIRECT) {
		if (!d.len || d.len % 16 || d.addr + d.len < d.addr) {
			virtio_broken(v, "invalid size for an indirect table");
			return -1;
		}
		indirect = true;
		table = d.addr;
		max = d.len / 16;
		i = 0;
		if (dma_rd(v, table, &d, sizeof(d)))
			return -1;
	}
	for (;;) {
		bool write = (d.flags & VRING_DESC_F_WRITE) != 0;

		if (indirect && (d.flags & VRING_DESC_F_INDIRECT)) {
			virtio_broken(v, "indirect descriptor in an indirect table");
			return -1;
		}
		if (!write && e->n && e->seg[e->n - 1].write) {
			virtio_broken(v, "device-readable descriptor after a writable one");
			return -1;
		}
		if (!d.len || d.addr + d.len < d.addr) {
			virtio_broken(v, d.len ? "buffer wraps around" : "zero-sized buffer");
			return -1;
		}
		if (e->n == VIRTQ_MAX_SEGS) {
			virtio_broken(v, "too many descriptors in a chain");
			return -1;
		}
		e->seg[e->n++] = (virtq_seg){ d.addr, d.len, write };
		if (++seen > max) {
			virtio_broken(v, "looped descriptor chain");
			return -1;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		i = d.next;
		if (i >= max) {
			virtio_broken(v, "descriptor next out of the table");
			return -1;
		}
		if (dma_rd(v, table + 16ull * i, &d, sizeof(d)))
			return -1;
	}
}

int virtq_pop(virtio_dev *v, int qi, virtq_elem *e)
{
	virtq *q = &v->vq[qi];
	uint16_t avail_idx, head;

	if (!virtq_ready(v, qi))
		return 0;
	if (dma_rd(v, q->avail + 2, &avail_idx, 2))
		return -1;
	if (avail_idx == q->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - q->last_avail) > q->size) {
		virtio_broken(v, "avail index moved more than the queue size");
		return -1;
	}
	if (dma_rd(v, q->avail + 4 + 2ull * (q->last_avail % q->size), &head, 2))
		return -1;
	q->last_avail++;
	if (head >= q->size) {
		virtio_broken(v, "available head out of the ring");
		return -1;
	}
	if (virtio_has(v, VIRTIO_RING_F_EVENT_IDX) && dma_wr(v, avail_event_addr(q), &q->last_avail, 2))
		return -1;
	if (read_chain(v, q, head, e))
		return -1;
	v->requests++;
	return 1;
}

static bool should_notify(virtio_dev *v, virtq *q)
{
	uint16_t x, old, new;
	bool valid;

	/* requests complete before the next kick: none is ever in flight */
	if (virtio_has(v, VIRTIO_F_NOTIFY_ON_EMPTY) && !dma_rd(v, q->avail + 2, &x, 2) && x == q->last_avail)
		return true;
	if (!virtio_has(v, VIRTIO_RING_F_EVENT_IDX))
		return !dma_rd(v, q->avail, &x, 2) && !(x & VRING_AVAIL_F_NO_INTERRUPT);
	valid = q->signalled_used_valid;
	q->signalled_used_valid = true;
	old = q->signalled_used;
	new = q->signalled_used = q->used_idx;
	if (!valid)
		return true;
	if (dma_rd(v, used_event_addr(q), &x, 2))
		return false;
	/* the spec's vring_need_event(): used_event in [old, new) */
	return (uint16_t)(new - x - 1) < (uint16_t)(new - old);
}

void virtq_notify(virtio_dev *v, int qi)
{
	if (qi < 0 || qi >= v->nqueues || !v->vq[qi].size || v->broken || !should_notify(v, &v->vq[qi]))
		return;
	v->isr |= VIRTIO_ISR_QUEUE;
	v->tr->irq(v, qi);
}

int virtq_push_quiet(virtio_dev *v, int qi, const virtq_elem *e, uint32_t len)
{
	virtq *q = &v->vq[qi];
	uint32_t used[2] = { e->head, len };
	uint16_t old = q->used_idx;

	if (!q->size)
		return -1;
	if (dma_wr(v, q->used + 4 + 8ull * (q->used_idx % q->size), used, sizeof(used)))
		return -1;
	q->used_idx++;
	if (dma_wr(v, q->used + 2, &q->used_idx, 2))
		return -1;
	/* the used index went round past the last one signalled */
	if ((int16_t)(q->used_idx - q->signalled_used) < (uint16_t)(q->used_idx - old))
		q->signalled_used_valid = false;
	trace_dev(v->m, v->name, "queue %d used: head %u len %u (used idx %u)", qi, e->head, len,
		  q->used_idx);
	return 0;
}

int virtq_push(virtio_dev *v, int qi, const virtq_elem *e, uint32_t len)
{
	if (virtq_push_quiet(v, qi, e, len))
		return -1;
	virtq_notify(v, qi);
	return 0;
}

uint64_t virtq_len(const virtq_elem *e, bool write)
{
	uint64_t n = 0;

	for (int i = 0; i < e->n; i++)
		if (e->seg[i].write == write)
			n += e->seg[i].len;
	return n;
}

static int stream(virtio_dev *v, const virtq_elem *e, bool write, uint64_t off, void *buf, uint64_t len)
{
	uint8_t *p = buf;

	for (int i = 0; i < e->n && len; i++) {
		const virtq_seg *s = &e->seg[i];
		uint64_t n;

		if (s->write != write)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off < len ? s->len - off : len;
		if (write ? dma_wr(v, s->addr + off, p, n) : dma_rd(v, s->addr + off, p, n))
			return -1;
		p += n;
		len -= n;
		off = 0;
	}
	return len ? -1 : 0;
}

int virtq_read(virtio_dev *v, const virtq_elem *e, uint64_t off, void *buf, uint64_t len)
{
	return stream(v, e, false, off, buf, len);
}

int virtq_write(virtio_dev *v, const virtq_elem *e, uint64_t off, const void *buf, uint64_t len)
{
	return stream(v, e, true, off, (void *)buf, len);
}

void virtio_config_changed(virtio_dev *v)
{
	v->generation++;
	v->isr |= VIRTIO_ISR_CONFIG;
	v->tr->irq(v, VIRTIO_IRQ_CONFIG);
}

/* ---- registers common to the transports ---- */

static void queue_init(virtio_dev *v, virtq *q)
{
	memset(q, 0, sizeof(*q));
	q->size = v->model->queue_max;
	q->legacy_align = 4096;
	q->notification = true;
}

void virtio_queue_reset(virtio_dev *v, unsigned qi)
{
	if (qi >= (unsigned)v->nqueues)
		return;
	trace_dev(v->m, v->name, "queue %u reset", qi);
	queue_init(v, &v->vq[qi]);
}

uint64_t virtio_common_features(dev_props *p)
{
	static const struct { const char *prop; uint64_t bit; } props[] = {
		{ "notify_on_empty", VIRTIO_F_NOTIFY_ON_EMPTY }, { "any_layout", VIRTIO_F_ANY_LAYOUT },
		{ "indirect_desc", VIRTIO_RING_F_INDIRECT_DESC }, { "event_idx", VIRTIO_RING_F_EVENT_IDX },
		{ "queue_reset", VIRTIO_F_RING_RESET },
	};
	uint64_t f = 0;

	for (size_t i = 0; i < ARRAY_SIZE(props); i++)
		if (dev_prop_bool(p, props[i].prop, true))
			f |= props[i].bit;
	return f;
}

void virtio_reset(virtio_dev *v)
{
	v->driver_features = 0;
	v->dfsel = v->gfsel = 0;
	v->qsel = 0;
	v->status = v->isr = 0;
	v->broken = false;
	v->guest_page_size = 0;
	memset(v->vq, 0, sizeof(v->vq));
	for (int i = 0; i < v->nqueues; i++)
		queue_init(v, &v->vq[i]);
	v->tr->irq(v, VIRTIO_IRQ_LEVEL);
	if (v->model->reset)
		v->model->reset(v);
}

void virtio_set_status(virtio_dev *v, uint8_t s)
{
	if (!s) {
		trace_dev(v->m, v->name, "reset by the driver");
		virtio_reset(v);
		return;
	}
	trace_dev(v->m, v->name, "status 0x%02x%s%s%s%s%s", s,
		  s & VIRTIO_STATUS_ACKNOWLEDGE ? " ACKNOWLEDGE" : "", s & VIRTIO_STATUS_DRIVER ? " DRIVER" : "",
		  s & VIRTIO_STATUS_FEATURES_OK ? " FEATURES_OK" : "", s & VIRTIO_STATUS_DRIVER_OK ? " DRIVER_OK" : "",
		  s & VIRTIO_STATUS_FAILED ? " FAILED" : "");
	/* A modern driver must accept VERSION_1 and nothing not offered; a
	 * legacy one never sets FEATURES_OK. Refused: the driver reads it back. */
	if ((s & VIRTIO_STATUS_FEATURES_OK) && !(v->status & VIRTIO_STATUS_FEATURES_OK) &&
	    (v->tr->legacy || (v->driver_features & ~v->features) ||
	     !(v->driver_features & VIRTIO_F_VERSION_1)))
		s &= ~VIRTIO_STATUS_FEATURES_OK;
	v->status = (uint8_t)(s | (v->status & VIRTIO_STATUS_NEEDS_RESET));
}

void virtio_queue_notify(virtio_dev *v, unsigned q)
{
	if (q >= (unsigned)v->nqueues)
		return;
	trace_dev(v->m, v->name, "queue %u notify", q);
	if (virtq_ready(v, (int)q))
		v->model->notify(v, (int)q);
}

void virtio_legacy_set_pfn(virtio_dev *v, uint32_t pfn)
{
	virtq *q;
	uint64_t page = v->guest_page_size ? v->guest_page_size : 4096, align;

	if (v->qsel >= v->nqueues)
		return;
	q = &v->vq[v->qsel];
	if (!pfn) {
		/* QEMU: a zero PFN resets the device */
		virtio_reset(v);
		return;
	}
	align = q->legacy_align && !(q->legacy_align & (q->legacy_align - 1)) ? q->legacy_align : 4096;
	q->legacy_pfn = pfn;
	q->desc = (uint64_t)pfn * page;
	q->avail = q->desc + 16ull * q->size;
	q->used = (q->avail + 2ull * (3 + q->size) + align - 1) & ~(align - 1);
	q->ready = true;
	trace_dev(v->m, v->name, "queue %u ready (legacy pfn 0x%x): size %u desc 0x%llx avail 0x%llx used 0x%llx",
		  v->qsel, pfn, q->size, (unsigned long long)q->desc, (unsigned long long)q->avail,
		  (unsigned long long)q->used);
}

uint64_t virtio_config_read(virtio_dev *v, uint32_t off, unsigned size)
{
	uint8_t buf[256] = { 0 };
	uint64_t val = 0;

	/* past the device's configuration: all ones, as QEMU's
	 * virtio_config_*readb/w/l (an 8-byte access there reads 0) */
	if (!v->model->config || v->model->config_size > sizeof(buf) || off >= v->model->config_size ||
	    size > v->model->config_size - off)
		return size < 8 ? (1ull << (8 * size)) - 1 : 0;
	v->model->config(v, buf);
	memcpy(&val, buf + off, size);
	return val;
}

void virtio_config_write(virtio_dev *v, uint32_t off, uint64_t val, unsigned size)
{
	if (v->model->config_write && off < v->model->config_size && size <= v->model->config_size - off)
		v->model->config_write(v, off, val, size);
}

/* ---- life cycle and state ---- */

virtio_dev *virtio_dev_new(struct machine *m, const char *devname, const virtio_model *model,
			   void *opaque, uint64_t extra_features, const virtio_transport *tr,
			   void *tr_opaque)
{
	virtio_dev *v = kwb_zalloc(sizeof(*v));

	v->m = m;
	snprintf(v->name, sizeof(v->name), "%s", devname);
	v->model = model;
	v->opaque = opaque;
	v->tr = tr;
	v->tr_opaque = tr_opaque;
	if (!v->nqueues)
		v->nqueues = model->nqueues;
	if (v->nqueues > VIRTIO_MAX_QUEUES)
		kwb_fatal("%s: %d queues, kwb has room for %d", devname, v->nqueues, VIRTIO_MAX_QUEUES);
	/* the transport takes out what -device's properties turn off */
	v->features = model->features | extra_features | VIRTIO_COMMON_FEATURES;
	if (!tr->legacy)
		v->features |= VIRTIO_F_VERSION_1;
	if (tr->access_platform)
		v->features |= VIRTIO_F_ACCESS_PLATFORM;
	return v;
}

static int virtio_post_load(void *obj, char *err, size_t errlen)
{
	virtio_dev *v = obj;

	(void)err, (void)errlen;
	v->tr->irq(v, VIRTIO_IRQ_LEVEL);
	return 0;
}

static const state_field virtq_fields[] = {
	ST_U16(virtq, size),
	ST_BOOL(virtq, ready),
	ST_U64(virtq, desc),
	ST_U64(virtq, avail),
	ST_U64(virtq, used),
	ST_UINT_DEC(virtq, last_avail),
	ST_UINT_DEC(virtq, used_idx),
	ST_UINT_DEC(virtq, signalled_used),
	ST_BOOL(virtq, signalled_used_valid),
	ST_BOOL(virtq, notification),
	ST_U32(virtq, legacy_align),
	ST_U32(virtq, legacy_pfn),
	ST_END
};
static const state_desc virtq_state = { .name = "virtq", .version = 2, .fields = virtq_fields };

static const state_field virtio_fields[] = {
	ST_U64(virtio_dev, driver_features),
	ST_U32(virtio_dev, dfsel),
	ST_U32(virtio_dev, gfsel),
	ST_U16(virtio_dev, qsel),
	ST_U8(virtio_dev, status),
	ST_U8(virtio_dev, isr),
	ST_U8(virtio_dev, generation),
	ST_BOOL(virtio_dev, broken),
	ST_U32(virtio_dev, guest_page_size),
	ST_STRUCT_ARRAY_N(virtio_dev, vq, virtq_state, nqueues),
	ST_UINT_DEC(virtio_dev, requests),
	ST_UINT_DEC(virtio_dev, dma_errors),
	ST_END
};
const state_desc virtio_dev_state = { "virtio", 2, virtio_fields, .post_load = virtio_post_load };

void virtio_register_model_state(virtio_dev *v, const char *where)
{
	if (v->model->state) {
		char name[64];

		snprintf(name, sizeof(name), "%s@%s", v->model->state->name, where);
		state_register(v->m, name, v->model->state, v->opaque);
	}
}

void virtio_dev_free(virtio_dev *v)
{
	if (!v)
		return;
	if (v->model->free)
		v->model->free(v);
	free(v);
}

/* ---- the models ---- */

static const struct {
	const char *name;
	virtio_create_fn create;
} virtio_devices[] = {
	{ "virtio-9p", virtio_9p_create },
	{ "virtio-blk", virtio_blk_create },
	{ "virtio-net", virtio_net_create },
	{ "virtio-rng", virtio_rng_create },
	{ "virtio-serial", virtio_serial_create },
};

virtio_create_fn virtio_model_find(const char *devname, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	for (size_t i = 0; i < ARRAY_SIZE(virtio_devices); i++) {
		size_t nl = strlen(virtio_devices[i].name);

		if (len == nl + 1 + sl && !strncmp(devname, virtio_devices[i].name, nl) &&
		    devname[nl] == '-' && !strncmp(devname + nl + 1, suffix, sl))
			return virtio_devices[i].create;
	}
	return NULL;
}

const char *virtio_model_list(const char *suffix)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(virtio_devices) && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s-%s", i ? ", " : "",
				      virtio_devices[i].name, suffix);
	return buf;
}
