/*
 * virtio 1.x PCI transport (-device virtio-NAME-pci), modern only
 * (1af4:1040+ID, revision 1). BAR4 (64-bit, 16 KB): common config at 0,
 * ISR at 0x1000, device config at 0x2000, notifications at 0x3000 + 4 *
 * queue. MSI-X as QEMU's: a vector for the configuration and one per
 * queue, the table at 0 and pending bits at 0x800 of BAR1 (32-bit, 4 KB);
 * with MSI-X enabled a queue or configuration interrupt is its vector's
 * MSI (none for VIRTIO_MSI_NO_VECTOR), else the INTx line follows the ISR.
 * The device model behind it is any of virtio.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcie_ecam.h"
#include "virtio.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

#define VIRTIO_BAR 4
#define MSIX_BAR 1
#define MSIX_BAR_SIZE 0x1000
#define MSIX_PBA_OFF 0x800
#define VIRTIO_BAR_SIZE 0x4000
#define COMMON_OFF 0x0000
#define COMMON_LEN 0x38
#define ISR_OFF 0x1000
#define DEVICE_OFF 0x2000
#define NOTIFY_OFF 0x3000
#define NOTIFY_MULT 4

enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4 };
#define NO_VECTOR 0xffff

/* The PCI function and the virtio device on it. */
typedef struct virtio_pci {
	pci_dev pci;
	virtio_dev *v;
	/* MSI-X vectors of the configuration and of each queue (the
	 * transport's own registers: reset with the device) */
	uint16_t config_vector;
	uint16_t queue_vector[VIRTIO_MAX_QUEUES];
} virtio_pci;

static pci_dev *pdev(virtio_dev *v)
{
	return &((virtio_pci *)v->tr_opaque)->pci;
}

static int tr_dma_read(virtio_dev *v, uint64_t addr, void *buf, uint64_t len)
{
	return pci_dma_read(pdev(v), addr, buf, len);
}

static int tr_dma_write(virtio_dev *v, uint64_t addr, const void *buf, uint64_t len)
{
	return pci_dma_write(pdev(v), addr, buf, len);
}

/* MSI-X: the vector of the queue or of the configuration change (the
 * ISR is not used); INTx: the line follows the ISR (reading it
 * acknowledges). */
static void tr_irq(virtio_dev *v, int why)
{
	virtio_pci *vp = v->tr_opaque;
	uint16_t vector;

	if (!pci_msix_enabled(&vp->pci)) {
		pci_set_irq(&vp->pci, v->isr != 0);
		return;
	}
	if (why == VIRTIO_IRQ_CONFIG)
		vector = vp->config_vector;
	else if (why >= 0 && why < VIRTIO_MAX_QUEUES)
		vector = vp->queue_vector[why];
	else
		return;		/* nothing level-triggered with MSI-X */
	if (vector != NO_VECTOR)
		pci_msix_notify(&vp->pci, vector);
}

static void reset_vectors(virtio_pci *vp)
{
	vp->config_vector = NO_VECTOR;
	for (int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vp->queue_vector[i] = NO_VECTOR;
}

/* A vector the function does not have reads back as NO_VECTOR (QEMU). */
static uint16_t use_vector(virtio_pci *vp, uint64_t val)
{
	return val < (uint64_t)vp->pci.msix.nvec ? (uint16_t)val : NO_VECTOR;
}

static const virtio_transport pci_transport = {
	.suffix = "pci",
	.dma_read = tr_dma_read,
	.dma_write = tr_dma_write,
	.irq = tr_irq,
	.access_platform = true,
};

/* ---- registers ---- */

static void common_snapshot(virtio_dev *v, uint8_t *c)
{
	virtq *q = v->qsel < v->nqueues ? &v->vq[v->qsel] : NULL;
	uint64_t f = v->dfsel < 2 ? v->features >> (32 * v->dfsel) : 0;
	uint64_t g = v->gfsel < 2 ? v->driver_features >> (32 * v->gfsel) : 0;
	uint16_t u16;
	uint32_t u32;

	memset(c, 0, COMMON_LEN);
	memcpy(c + 0x00, &v->dfsel, 4);
	u32 = (uint32_t)f; memcpy(c + 0x04, &u32, 4);
	memcpy(c + 0x08, &v->gfsel, 4);
	u32 = (uint32_t)g; memcpy(c + 0x0c, &u32, 4);
	memcpy(c + 0x10, &((virtio_pci *)v->tr_opaque)->config_vector, 2);
	u16 = (uint16_t)v->nqueues; memcpy(c + 0x12, &u16, 2);
	c[0x14] = v->status;
	c[0x15] = v->generation;
	memcpy(c + 0x16, &v->qsel, 2);
	if (q) {
		memcpy(c + 0x18, &q->size, 2);
		memcpy(c + 0x1a, &((virtio_pci *)v->tr_opaque)->queue_vector[v->qsel], 2);
		u16 = q->ready; memcpy(c + 0x1c, &u16, 2);
		memcpy(c + 0x1e, &v->qsel, 2);		/* queue_notify_off = index */
		memcpy(c + 0x20, &q->desc, 8);
		memcpy(c + 0x28, &q->avail, 8);
		memcpy(c + 0x30, &q->used, 8);
	}
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
	virtq *q = v->qsel < v->nqueues ? &v->vq[v->qsel] : NULL;

	virtio_pci *vp = v->tr_opaque;

	switch (off) {
	case 0x00: v->dfsel = (uint32_t)val; break;
	case 0x10: vp->config_vector = use_vector(vp, val); break;
	case 0x1a: if (q) vp->queue_vector[v->qsel] = use_vector(vp, val); break;
	case 0x08: v->gfsel = (uint32_t)val; break;
	case 0x0c:
		if (v->gfsel < 2 && !(v->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned sh = 32 * v->gfsel;
			v->driver_features = (v->driver_features & ~(0xffffffffull << sh)) |
					     (val & 0xffffffffull) << sh;
		}
		break;
	case 0x14:
		if (!val)	/* a device reset resets the vectors too */
			reset_vectors(vp);
		virtio_set_status(v, (uint8_t)val);
		break;
	case 0x16: v->qsel = (uint16_t)val; break;
	case 0x18:
		if (q && !q->ready && val && val <= v->model->queue_max && !(val & (val - 1)))
			q->size = (uint16_t)val;
		break;
	case 0x1c:
		if (q && val == 1) {
			q->ready = true;
			trace_dev(v->m, v->name, "queue %u ready: size %u desc 0x%llx avail 0x%llx used 0x%llx",
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
	virtio_dev *v = ((virtio_pci *)d->opaque)->v;
	uint8_t buf[COMMON_LEN];
	uint64_t x;

	if (bar == MSIX_BAR)
		return pci_msix_read(d, off, size, &x) ? x : 0;
	if (bar != VIRTIO_BAR)
		return 0;
	if (off < COMMON_OFF + COMMON_LEN && off + size <= COMMON_LEN) {
		common_snapshot(v, buf);
		return bytes(buf + off, size);
	}
	if (off == ISR_OFF) {			/* reading acknowledges */
		uint8_t isr = v->isr;
		v->isr = 0;
		tr_irq(v, VIRTIO_IRQ_LEVEL);
		return isr;
	}
	if (off >= DEVICE_OFF && off < NOTIFY_OFF)
		return virtio_config_read(v, (uint32_t)(off - DEVICE_OFF), size);
	return 0;
}

static void bar_write(pci_dev *d, int bar, uint64_t off, uint64_t val, unsigned size)
{
	virtio_dev *v = ((virtio_pci *)d->opaque)->v;

	if (bar == MSIX_BAR)
		pci_msix_write(d, off, val, size);
	if (bar != VIRTIO_BAR)
		return;
	if (off + size <= COMMON_LEN)
		common_write(v, (unsigned)off, val, size);
	else if (off >= DEVICE_OFF && off < NOTIFY_OFF)
		virtio_config_write(v, (uint32_t)(off - DEVICE_OFF), val, size);
	else if (off >= NOTIFY_OFF && off < NOTIFY_OFF + NOTIFY_MULT * (uint64_t)v->nqueues)
		virtio_queue_notify(v, (unsigned)((off - NOTIFY_OFF) / NOTIFY_MULT));
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
	if (bar == MSIX_BAR)
		return off < MSIX_PBA_OFF ? (const char *const[]){ "msix.addr_lo", "msix.addr_hi", "msix.data",
								    "msix.vector_control" }[off / 4 % 4] : "msix.pba";
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
	reset_vectors(d->opaque);
	virtio_reset(((virtio_pci *)d->opaque)->v);
}

static void pci_free(pci_dev *d)
{
	virtio_dev_free(((virtio_pci *)d->opaque)->v);
	free(d->opaque);
}

/* The function's config space and INTx, then the virtio device behind it
 * (status, features, queues); the model's own state is the function's
 * back end ("virtio-rng@00:01.0"). Requests run to completion on the
 * notify write: nothing is in flight between instructions. */
static const state_field virtio_pci_fields[] = {
	ST_STRUCT(virtio_pci, pci, pci_function_state),
	ST_PTR(virtio_pci, v, virtio_dev_state),
	ST_U16(virtio_pci, config_vector),
	ST_UINT_ARRAY(virtio_pci, queue_vector),
	ST_END
};
static const state_desc virtio_pci_state = { .name = "virtio-pci", .version = 3,
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

/* -device virtio-NAME-pci[,props]: the model from virtio.c's table on a
 * new PCI function (the PCIe host plugs it). NULL: not a virtio name. */
pci_dev *virtio_pci_create(machine *m, const char *spec)
{
	size_t n = strcspn(spec, ",");
	virtio_create_fn create = virtio_model_find(spec, n, "pci");
	virtio_pci *vp;
	virtio_dev *v;
	pci_dev *d;
	dev_props p;

	if (!create)
		return NULL;
	vp = kwb_zalloc(sizeof(*vp));
	d = &vp->pci;
	dev_props_parse(&p, spec);
	dev_props_ignore(&p, (const char *const[]){ "id", "bus", "romfile", "rombar", "disable-legacy",
						     "disable-modern", "iommu_platform", "ats", NULL });
	v = vp->v = create(m, p.dev, &p, &pci_transport, vp);
	dev_props_done(&p);
	pci_dev_init(d, v->name, 0x1af4, (uint16_t)(0x1040 + v->model->device_id), 1,
		     v->model->pci_class, 0x1af4, 0x1100);
	d->ops = &virtio_pci_ops;
	d->opaque = vp;
	d->backend_state = v->model->state;
	d->backend = v->opaque;
	pci_add_bar64_pref(d, VIRTIO_BAR, VIRTIO_BAR_SIZE);	/* QEMU's modern BAR: 64-bit, prefetchable */
	add_cap(d, CAP_COMMON, COMMON_OFF, COMMON_LEN, false);
	add_cap(d, CAP_ISR, ISR_OFF, 4, false);
	if (v->model->config_size)
		add_cap(d, CAP_DEVICE, DEVICE_OFF, v->model->config_size, false);
	add_cap(d, CAP_NOTIFY, NOTIFY_OFF, NOTIFY_MULT * (uint32_t)v->nqueues, true);
	/* the configuration's vector and one per queue, as QEMU gives most devices */
	pci_add_bar32(d, MSIX_BAR, MSIX_BAR_SIZE);
	pci_msix_init(d, v->nqueues + 1 < PCI_MSIX_MAX_VECTORS ? v->nqueues + 1 : PCI_MSIX_MAX_VECTORS, MSIX_BAR, 0,
		      MSIX_PBA_OFF);
	reset_vectors(vp);
	virtio_reset(v);
	return d;
}
