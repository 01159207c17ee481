/*
 * virtio 1.x PCI transport, modern only (1af4:1040+ID, revision 1).
 * BAR4 (64-bit, 16 KB): common config at 0, ISR at 0x1000, device config
 * at 0x2000, notifications at 0x3000 + 4 * queue. No MSI-X capability, so
 * Linux falls back to the shared INTx line and reads the ISR. Requests
 * run synchronously on the notify write (deterministic: no host threads).
 */
#include <stdlib.h>
#include <string.h>

#include "virtio.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

#define VIRTIO_BAR 4
#define VIRTIO_BAR_SIZE 0x4000
#define COMMON_OFF 0x0000
#define COMMON_LEN 0x38
#define ISR_OFF 0x1000
#define DEVICE_OFF 0x2000
#define NOTIFY_OFF 0x3000
#define NOTIFY_MULT 4

enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4 };
enum { VRING_DESC_F_NEXT = 1, VRING_DESC_F_WRITE = 2, VRING_DESC_F_INDIRECT = 4 };
#define NO_VECTOR 0xffff

static void broken(virtio_dev *v)
{
	v->dma_errors++;
	trace_dev(v->pci.host->m, v->model->name, "DMA error: NEEDS_RESET");
	if (!(v->status & VIRTIO_STATUS_NEEDS_RESET)) {
		v->status |= VIRTIO_STATUS_NEEDS_RESET;
		v->isr |= 2;		/* configuration change */
		pci_set_irq(&v->pci, 1);
	}
}

static int dma_rd(virtio_dev *v, uint64_t addr, void *buf, uint64_t len)
{
	if (pci_dma_read(&v->pci, addr, buf, len)) {
		broken(v);
		return -1;
	}
	return 0;
}

static int dma_wr(virtio_dev *v, uint64_t addr, const void *buf, uint64_t len)
{
	if (pci_dma_write(&v->pci, addr, buf, len)) {
		broken(v);
		return -1;
	}
	return 0;
}

/* ---- split virtqueues (little-endian host assumed, as everywhere in kwb) ---- */

int virtq_pop(virtio_dev *v, int qi, virtq_elem *e)
{
	virtq *q = &v->vq[qi];
	uint16_t avail_idx, idx;

	if (!q->ready || !q->size || (v->status & VIRTIO_STATUS_NEEDS_RESET))
		return 0;
	if (dma_rd(v, q->avail + 2, &avail_idx, 2))
		return -1;
	if (avail_idx == q->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - q->last_avail) > q->size)
		goto bad;
	if (dma_rd(v, q->avail + 4 + 2ull * (q->last_avail % q->size), &idx, 2))
		return -1;
	q->last_avail++;
	e->head = idx;
	e->n = 0;
	for (int count = 0;; count++) {
		struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d;

		if (idx >= q->size || count >= q->size || e->n == VIRTQ_MAX_SEGS)
			goto bad;
		if (dma_rd(v, q->desc + 16ull * idx, &d, sizeof(d)))
			return -1;
		if (d.flags & VRING_DESC_F_INDIRECT)	/* not offered */
			goto bad;
		e->seg[e->n++] = (virtq_seg){ d.addr, d.len, (d.flags & VRING_DESC_F_WRITE) != 0 };
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		idx = d.next;
	}
	v->requests++;
	return 1;
bad:
	broken(v);
	return -1;
}

int virtq_push(virtio_dev *v, int qi, const virtq_elem *e, uint32_t len)
{
	virtq *q = &v->vq[qi];
	uint32_t used[2] = { e->head, len };

	if (dma_wr(v, q->used + 4 + 8ull * (q->used_idx % q->size), used, sizeof(used)))
		return -1;
	q->used_idx++;
	if (dma_wr(v, q->used + 2, &q->used_idx, 2))
		return -1;
	v->isr |= 1;
	pci_set_irq(&v->pci, 1);
	trace_dev(v->pci.host->m, v->model->name, "queue %d used: head %u len %u (used idx %u)", qi, e->head, len,
		  q->used_idx);
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

/* ---- transport ---- */

static void virtio_reset(virtio_dev *v)
{
	v->driver_features = 0;
	v->dfsel = v->gfsel = 0;
	v->qsel = 0;
	v->status = v->isr = 0;
	memset(v->vq, 0, sizeof(v->vq));
	for (int i = 0; i < v->model->nqueues; i++)
		v->vq[i].size = v->model->queue_max;
	pci_set_irq(&v->pci, 0);
	if (v->model->reset)
		v->model->reset(v);
}

static void common_snapshot(virtio_dev *v, uint8_t *c)
{
	virtq *q = v->qsel < v->model->nqueues ? &v->vq[v->qsel] : NULL;
	uint64_t f = v->dfsel < 2 ? v->features >> (32 * v->dfsel) : 0;
	uint64_t g = v->gfsel < 2 ? v->driver_features >> (32 * v->gfsel) : 0;
	uint16_t u16;
	uint32_t u32;

	memset(c, 0, COMMON_LEN);
	memcpy(c + 0x00, &v->dfsel, 4);
	u32 = (uint32_t)f; memcpy(c + 0x04, &u32, 4);
	memcpy(c + 0x08, &v->gfsel, 4);
	u32 = (uint32_t)g; memcpy(c + 0x0c, &u32, 4);
	u16 = NO_VECTOR; memcpy(c + 0x10, &u16, 2);
	u16 = (uint16_t)v->model->nqueues; memcpy(c + 0x12, &u16, 2);
	c[0x14] = v->status;
	c[0x15] = v->generation;
	memcpy(c + 0x16, &v->qsel, 2);
	if (q) {
		memcpy(c + 0x18, &q->size, 2);
		u16 = NO_VECTOR; memcpy(c + 0x1a, &u16, 2);
		u16 = q->ready; memcpy(c + 0x1c, &u16, 2);
		memcpy(c + 0x1e, &v->qsel, 2);		/* queue_notify_off = index */
		memcpy(c + 0x20, &q->desc, 8);
		memcpy(c + 0x28, &q->avail, 8);
		memcpy(c + 0x30, &q->used, 8);
	}
}

static void set_status(virtio_dev *v, uint8_t s)
{
	if (!s) {
		trace_dev(v->pci.host->m, v->model->name, "reset by the driver");
		virtio_reset(v);
		return;
	}
	trace_dev(v->pci.host->m, v->model->name, "status 0x%02x%s%s%s%s%s", s,
		  s & VIRTIO_STATUS_ACKNOWLEDGE ? " ACKNOWLEDGE" : "", s & VIRTIO_STATUS_DRIVER ? " DRIVER" : "",
		  s & VIRTIO_STATUS_FEATURES_OK ? " FEATURES_OK" : "", s & VIRTIO_STATUS_DRIVER_OK ? " DRIVER_OK" : "",
		  s & VIRTIO_STATUS_FAILED ? " FAILED" : "");
	if ((s & VIRTIO_STATUS_FEATURES_OK) && !(v->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((v->driver_features & ~v->features) || !(v->driver_features & VIRTIO_F_VERSION_1)))
		s &= ~VIRTIO_STATUS_FEATURES_OK;	/* refuse: the driver reads it back */
	v->status = (uint8_t)(s | (v->status & VIRTIO_STATUS_NEEDS_RESET));
}

static void set_half64(uint64_t *r, unsigned off, uint64_t val, unsigned size)
{
	if (size == 8)
		*r = val;
	else if (off & 4)
		*r = (*r & 0xffffffffull) | (val & 0xffffffffull) << 32;
	else
		*r = (*r & ~0xffffffffull) | (val & 0xffffffffull);
}

static void common_write(virtio_dev *v, unsigned off, uint64_t val, unsigned size)
{
	virtq *q = v->qsel < v->model->nqueues ? &v->vq[v->qsel] : NULL;

	switch (off) {
	case 0x00: v->dfsel = (uint32_t)val; break;
	case 0x08: v->gfsel = (uint32_t)val; break;
	case 0x0c:
		if (v->gfsel < 2 && !(v->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned sh = 32 * v->gfsel;
			v->driver_features = (v->driver_features & ~(0xffffffffull << sh)) |
					     (val & 0xffffffffull) << sh;
		}
		break;
	case 0x14: set_status(v, (uint8_t)val); break;
	case 0x16: v->qsel = (uint16_t)val; break;
	case 0x18:
		if (q && !q->ready && val && val <= v->model->queue_max && !(val & (val - 1)))
			q->size = (uint16_t)val;
		break;
	case 0x1c:
		if (q && val == 1) {
			q->ready = true;
			trace_dev(v->pci.host->m, v->model->name, "queue %u ready: size %u desc 0x%llx avail 0x%llx used 0x%llx",
				  v->qsel, q->size, (unsigned long long)q->desc, (unsigned long long)q->avail,
				  (unsigned long long)q->used);
		}
		break;
	case 0x20: case 0x24: if (q) set_half64(&q->desc, off, val, size); break;
	case 0x28: case 0x2c: if (q) set_half64(&q->avail, off, val, size); break;
	case 0x30: case 0x34: if (q) set_half64(&q->used, off, val, size); break;
	}
}

static uint64_t bytes(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	memcpy(&v, p, size);
	return v;
}

static uint64_t bar_read(pci_dev *d, int bar, uint64_t off, unsigned size)
{
	virtio_dev *v = d->opaque;
	uint8_t buf[256];

	if (bar != VIRTIO_BAR)
		return 0;
	if (off < COMMON_OFF + COMMON_LEN && off + size <= COMMON_LEN) {
		common_snapshot(v, buf);
		return bytes(buf + off, size);
	}
	if (off == ISR_OFF) {			/* reading acknowledges */
		uint8_t isr = v->isr;
		v->isr = 0;
		pci_set_irq(d, 0);
		return isr;
	}
	if (off >= DEVICE_OFF && off + size <= DEVICE_OFF + v->model->config_size &&
	    v->model->config_size <= sizeof(buf)) {
		memset(buf, 0, sizeof(buf));
		v->model->config(v, buf);
		return bytes(buf + (off - DEVICE_OFF), size);
	}
	return 0;
}

static void bar_write(pci_dev *d, int bar, uint64_t off, uint64_t val, unsigned size)
{
	virtio_dev *v = d->opaque;

	if (bar != VIRTIO_BAR)
		return;
	if (off + size <= COMMON_LEN) {
		common_write(v, (unsigned)off, val, size);
	} else if (off >= NOTIFY_OFF && off < NOTIFY_OFF + NOTIFY_MULT * (uint64_t)v->model->nqueues) {
		int q = (int)((off - NOTIFY_OFF) / NOTIFY_MULT);
		trace_dev(v->pci.host->m, v->model->name, "queue %d notify", q);
		if ((v->status & VIRTIO_STATUS_DRIVER_OK) && v->vq[q].ready)
			v->model->notify(v, q);
	}
}

static const char *bar_reg_name(pci_dev *d, int bar, uint64_t off)
{
	static const char *const common[COMMON_LEN] = {
		[0x00] = "common.device_feature_select", [0x04] = "common.device_feature",
		[0x08] = "common.driver_feature_select", [0x0c] = "common.driver_feature",
		[0x10] = "common.config_msix_vector", [0x12] = "common.num_queues",
		[0x14] = "common.device_status", [0x15] = "common.config_generation",
		[0x16] = "common.queue_select", [0x18] = "common.queue_size",
		[0x1a] = "common.queue_msix_vector", [0x1c] = "common.queue_enable",
		[0x1e] = "common.queue_notify_off", [0x20] = "common.queue_desc_lo",
		[0x24] = "common.queue_desc_hi", [0x28] = "common.queue_driver_lo",
		[0x2c] = "common.queue_driver_hi", [0x30] = "common.queue_device_lo",
		[0x34] = "common.queue_device_hi",
	};
	(void)d;
	if (bar != VIRTIO_BAR)
		return NULL;
	if (off < COMMON_LEN)
		return common[off];
	if (off == ISR_OFF)
		return "isr";
	if (off >= DEVICE_OFF && off < NOTIFY_OFF)
		return "device_config";
	if (off >= NOTIFY_OFF && off < VIRTIO_BAR_SIZE)
		return "notify";
	return NULL;
}

static void pci_reset(pci_dev *d)
{
	virtio_reset(d->opaque);
}

static void pci_free(pci_dev *d)
{
	virtio_dev *v = d->opaque;

	if (v->model->free)
		v->model->free(v);
	free(v);
}

/* The transport: the function's config space, feature negotiation,
 * status and the split virtqueues' addresses and indices. Requests run to
 * completion on the notify write, so none is ever in flight between
 * instructions: the rings in guest RAM and these indices are all there is.
 * (The offered features are configuration.) */
static const state_field virtq_fields[] = {
	ST_UINT_DEC(virtq, size),
	ST_BOOL(virtq, ready),
	ST_U64(virtq, desc),
	ST_U64(virtq, avail),
	ST_U64(virtq, used),
	ST_UINT_DEC(virtq, last_avail),
	ST_UINT_DEC(virtq, used_idx),
	ST_END
};
static const state_desc virtq_state = { .name = "virtq", .version = 1, .fields = virtq_fields };

static const state_field virtio_pci_fields[] = {
	ST_STRUCT(virtio_dev, pci, pci_function_state),
	ST_U64(virtio_dev, driver_features),
	ST_U32(virtio_dev, dfsel),
	ST_U32(virtio_dev, gfsel),
	ST_U16(virtio_dev, qsel),
	ST_U8(virtio_dev, status),
	ST_U8(virtio_dev, isr),
	ST_U8(virtio_dev, generation),
	ST_STRUCT_ARRAY(virtio_dev, vq, virtq_state),
	ST_UINT_DEC(virtio_dev, dma_errors),
	ST_UINT_DEC(virtio_dev, requests),
	ST_END
};
static const state_desc virtio_pci_state = { .name = "virtio-pci", .version = 1,
					     .fields = virtio_pci_fields };

static const pci_dev_ops virtio_pci_ops = {
	.bar_read = bar_read, .bar_write = bar_write, .reset = pci_reset, .free = pci_free,
	.bar_reg_name = bar_reg_name, .state = &virtio_pci_state,
};

static void add_cap(pci_dev *d, uint8_t type, uint32_t off, uint32_t len, bool notify)
{
	unsigned c = pci_add_cap(d, 0x09, notify ? 20 : 16);	/* vendor-specific */

	d->cfg[c + 2] = notify ? 20 : 16;
	d->cfg[c + 3] = type;
	d->cfg[c + 4] = VIRTIO_BAR;
	pci_set32(d, c + 8, off);
	pci_set32(d, c + 12, len);
	if (notify)
		pci_set32(d, c + 16, NOTIFY_MULT);
}

virtio_dev *virtio_pci_new(const virtio_model *model, void *opaque, uint64_t extra_features)
{
	virtio_dev *v = kwb_zalloc(sizeof(*v));
	pci_dev *d = &v->pci;

	v->model = model;
	v->opaque = opaque;
	v->features = VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM | model->features | extra_features;
	pci_dev_init(d, model->name, 0x1af4, (uint16_t)(0x1040 + model->device_id), 1,
		     model->pci_class, 0x1af4, 0x1100);
	d->ops = &virtio_pci_ops;
	d->opaque = v;
	d->backend_state = model->state;
	d->backend = opaque;
	pci_add_bar64(d, VIRTIO_BAR, VIRTIO_BAR_SIZE);
	add_cap(d, CAP_COMMON, COMMON_OFF, COMMON_LEN, false);
	add_cap(d, CAP_ISR, ISR_OFF, 4, false);
	if (model->config_size)
		add_cap(d, CAP_DEVICE, DEVICE_OFF, model->config_size, false);
	add_cap(d, CAP_NOTIFY, NOTIFY_OFF, NOTIFY_MULT * (uint32_t)model->nqueues, true);
	virtio_reset(v);
	return v;
}
