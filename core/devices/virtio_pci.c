/*
 * virtio PCI transport (-device virtio-NAME-pci) as QEMU 7.2 builds it on
 * the root bus: transitional by default (1af4:1000+legacy ID, revision 0,
 * subsystem = the virtio ID) with the legacy (0.9.5) registers in I/O
 * BAR0, and modern only with disable-legacy=on (1af4:1040+ID, revision
 * 1). BAR4 (64-bit prefetchable, 16 KB): common config at 0, ISR at
 * 0x1000, device config at 0x2000, notifications at 0x3000 + 4 * queue.
 * MSI-X as QEMU's: a vector for the configuration and one per queue, the
 * table at 0 and pending bits at 0x800 of BAR1 (32-bit, 4 KB); with MSI-X
 * enabled a queue or configuration interrupt is its vector's MSI (none
 * for VIRTIO_MSI_NO_VECTOR), else the INTx line follows the ISR.
 * virtio-net-pci has QEMU's option ROM BAR (romfile=, rombar=). The
 * device model behind it is any of virtio.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcie_ecam.h"
#include "virtio.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

#define LEGACY_BAR 0
#define VIRTIO_BAR 4
#define MSIX_BAR 1
#define MSIX_BAR_SIZE 0x1000
#define MSIX_PBA_OFF 0x800
#define VIRTIO_BAR_SIZE 0x4000
#define COMMON_OFF 0x0000
#define COMMON_LEN 0x3c	/* up to queue_reset (VIRTIO_F_RING_RESET) */
#define ISR_OFF 0x1000
#define DEVICE_OFF 0x2000
#define NOTIFY_OFF 0x3000
#define NOTIFY_MULT 4

enum { CAP_COMMON = 1, CAP_NOTIFY = 2, CAP_ISR = 3, CAP_DEVICE = 4, CAP_PCI_CFG = 5 };
#define REGION_LEN 0x1000	/* each structure's length in its capability (QEMU's) */
#define NO_VECTOR 0xffff

/* The legacy registers in BAR0 (virtio 0.9.5, 2.2.2 / QEMU's
 * virtio_ioport); the device config follows at 0x14, or 0x18 with MSI-X
 * on (then the two vectors are at 0x14 and 0x16). */
enum {
	L_HOST_FEATURES = 0x00, L_GUEST_FEATURES = 0x04, L_QUEUE_PFN = 0x08, L_QUEUE_NUM = 0x0c,
	L_QUEUE_SEL = 0x0e, L_QUEUE_NOTIFY = 0x10, L_STATUS = 0x12, L_ISR = 0x13,
	L_CONFIG_VECTOR = 0x14, L_QUEUE_VECTOR = 0x16,
};
#define LEGACY_HDR_MSIX 0x18

/* QEMU's option ROM of virtio-net-pci (romfile=efi-virtio.rom): its BAR
 * is 256 KB; kwb serves the file where Debian's ipxe-qemu puts it, else
 * 0xff bytes (the BAR, and so the guest's PCI layout, stays QEMU's). */
#define NET_ROMFILE "efi-virtio.rom"
#define ROM_MAX (1u << 20)
static const char *const rom_dirs[] = { "/usr/share/qemu", "/usr/lib/ipxe/qemu", NULL };

/* The PCI function and the virtio device on it. */
typedef struct virtio_pci {
	pci_dev pci;
	virtio_dev *v;
	bool legacy_io;		/* transitional: BAR0 has the legacy registers */
	uint8_t *rom;		/* the option ROM (pci.rom_size bytes), or NULL */
	/* MSI-X vectors of the configuration and of each queue (the
	 * transport's own registers: reset with the device) */
	uint16_t config_vector;
	uint16_t queue_vector[VIRTIO_MAX_QUEUES];
	uint8_t cfg_cap;	/* the configuration access window's capability */
} virtio_pci;

static pci_dev *pdev(virtio_dev *v)
{
	return &((virtio_pci *)v->tr_opaque)->pci;
}

/* Without VIRTIO_F_ACCESS_PLATFORM (iommu_platform=off) the device's
 * rings and buffers are physical addresses, an IOMMU or not (QEMU's
 * virtio DMA then bypasses it); its MSIs are the function's and always
 * go through it. */
static int tr_dma_read(virtio_dev *v, uint64_t addr, void *buf, uint64_t len)
{
	if (!(v->features & VIRTIO_F_ACCESS_PLATFORM))
		return bus_copy_from(pdev(v)->host->bus, addr, buf, len);
	return pci_dma_read(pdev(v), addr, buf, len);
}

static int tr_dma_write(virtio_dev *v, uint64_t addr, const void *buf, uint64_t len)
{
	if (!(v->features & VIRTIO_F_ACCESS_PLATFORM))
		return bus_copy_to(pdev(v)->host->bus, addr, buf, len);
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
};

/* ---- registers ---- */

static void common_snapshot(virtio_dev *v, uint8_t *c)
{
	virtq *q = v->qsel < v->nqueues ? &v->vq[v->qsel] : NULL;
	/* QEMU shows the legacy-only bits in BAR0 only */
	uint64_t f = v->dfsel < 2 ? (v->features & ~VIRTIO_LEGACY_FEATURES) >> (32 * v->dfsel) : 0;
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
	case 0x3a:		/* queue_reset (QEMU: done at once, reads 0) */
		if (q && val == 1 && virtio_has(v, VIRTIO_F_RING_RESET)) {
			virtio_queue_reset(v, v->qsel);
			vp->queue_vector[v->qsel] = NO_VECTOR;
		}
		break;
	case 0x1c:
		if (q && val != 1) {	/* QEMU: "wrong value for queue_enable" */
			virtio_broken(v, "queue_enable written with a value other than 1");
			break;
		}
		if (q) {
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

/* ---- the legacy interface (BAR0, I/O) ---- */

static unsigned legacy_config_off(virtio_pci *vp)
{
	return pci_msix_enabled(&vp->pci) ? LEGACY_HDR_MSIX : L_CONFIG_VECTOR;
}

static uint64_t legacy_read(virtio_pci *vp, unsigned off, unsigned size)
{
	virtio_dev *v = vp->v;
	virtq *q = v->qsel < v->nqueues ? &v->vq[v->qsel] : NULL;
	unsigned cfg = legacy_config_off(vp);
	uint8_t isr;

	if (off >= cfg)
		return virtio_config_read(v, off - cfg, size);
	switch (off) {
	case L_HOST_FEATURES: return (uint32_t)v->features;	/* VERSION_1 is bit 32 */
	case L_GUEST_FEATURES: return (uint32_t)v->driver_features;
	case L_QUEUE_PFN: return q ? q->legacy_pfn : 0;
	case L_QUEUE_NUM: return q ? q->size : 0;
	case L_QUEUE_SEL: return v->qsel;
	case L_STATUS: return v->status;
	case L_ISR:				/* reading acknowledges */
		isr = v->isr;
		v->isr = 0;
		tr_irq(v, VIRTIO_IRQ_LEVEL);
		return isr;
	case L_CONFIG_VECTOR: return vp->config_vector;
	case L_QUEUE_VECTOR: return q ? vp->queue_vector[v->qsel] : NO_VECTOR;
	}
	return 0;
}

static void legacy_write(virtio_pci *vp, unsigned off, uint64_t val, unsigned size)
{
	virtio_dev *v = vp->v;
	unsigned cfg = legacy_config_off(vp);

	if (off >= cfg) {
		virtio_config_write(v, off - cfg, val, size);
		return;
	}
	switch (off) {
	case L_GUEST_FEATURES:
		if (!(v->status & VIRTIO_STATUS_DRIVER_OK))
			v->driver_features = (uint32_t)val & v->features;
		break;
	case L_QUEUE_PFN:
		if (!val)	/* a zero PFN resets the device, vectors too (QEMU) */
			reset_vectors(vp);
		virtio_legacy_set_pfn(v, (uint32_t)val);
		break;
	case L_QUEUE_SEL: if (val < VIRTIO_MAX_QUEUES) v->qsel = (uint16_t)val; break;
	case L_QUEUE_NOTIFY: virtio_queue_notify(v, (unsigned)(val & 0xffff)); break;
	case L_STATUS:
		if (!(val & 0xff))
			reset_vectors(vp);
		virtio_set_status(v, (uint8_t)val);
		break;
	case L_CONFIG_VECTOR: vp->config_vector = use_vector(vp, val); break;
	case L_QUEUE_VECTOR:
		if (v->qsel < v->nqueues)
			vp->queue_vector[v->qsel] = use_vector(vp, val);
		break;
	}
}

static uint64_t bar_read(pci_dev *d, int bar, uint64_t off, unsigned size)
{
	virtio_dev *v = ((virtio_pci *)d->opaque)->v;
	uint8_t buf[COMMON_LEN];
	uint64_t x;

	if (bar == MSIX_BAR)
		return pci_msix_read(d, off, size, &x) ? x : 0;
	if (bar == PCI_ROM_BAR) {
		virtio_pci *vp = d->opaque;
		x = 0;
		if (vp->rom && off < d->rom_size && size <= d->rom_size - off)
			memcpy(&x, vp->rom + off, size);
		return x;
	}
	if (bar == LEGACY_BAR && ((virtio_pci *)d->opaque)->legacy_io)
		return off < 256 ? legacy_read(d->opaque, (unsigned)off, size) : 0;
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
	if (bar == LEGACY_BAR && ((virtio_pci *)d->opaque)->legacy_io && off < 256)
		legacy_write(d->opaque, (unsigned)off, val, size);
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
	static const char *const legacy[0x18] = {
		[L_HOST_FEATURES] = "legacy.host_features", [L_GUEST_FEATURES] = "legacy.guest_features",
		[L_QUEUE_PFN] = "legacy.queue_pfn", [L_QUEUE_NUM] = "legacy.queue_num",
		[L_QUEUE_SEL] = "legacy.queue_sel", [L_QUEUE_NOTIFY] = "legacy.queue_notify",
		[L_STATUS] = "legacy.status", [L_ISR] = "legacy.isr",
		[L_CONFIG_VECTOR] = "legacy.config_vector", [L_QUEUE_VECTOR] = "legacy.queue_vector",
	};
	if (bar == LEGACY_BAR && ((virtio_pci *)d->opaque)->legacy_io)
		return off < legacy_config_off(d->opaque) ? legacy[off] : "legacy.device_config";
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

/*
 * The PCI configuration access window (VIRTIO_PCI_CAP_PCI_CFG) as QEMU
 * 7.2's: a guest access touching pci_cfg_data moves `length` (1, 2 or 4;
 * anything else does nothing) bytes between it and the virtio structures
 * at `offset` (aligned down to the length; QEMU looks the offset up in
 * its four 4 KiB regions, whatever `bar` says): a read fills the data
 * field before the guest reads it, a write takes what the guest wrote.
 */
static void cfg_window(virtio_pci *vp, unsigned reg, unsigned size, bool write)
{
	pci_dev *d = &vp->pci;
	unsigned data = vp->cfg_cap + 16u;
	uint32_t len = pci_get32(d, vp->cfg_cap + 12u);
	uint64_t off = pci_get32(d, vp->cfg_cap + 8u), val;

	if (!vp->cfg_cap || reg >= data + 4 || reg + size <= data || (len != 1 && len != 2 && len != 4))
		return;
	off &= ~(uint64_t)(len - 1);
	if (off + len > NOTIFY_OFF + REGION_LEN)
		return;
	if (write) {
		val = bytes(d->cfg + data, len);
		bar_write(d, VIRTIO_BAR, off, val, len);
	} else {
		val = bar_read(d, VIRTIO_BAR, off, len);
		memcpy(d->cfg + data, &val, len);
	}
}

static void config_read(pci_dev *d, unsigned reg, unsigned size)
{
	cfg_window(d->opaque, reg, size, false);
}

static void config_written(pci_dev *d, unsigned reg, unsigned size)
{
	cfg_window(d->opaque, reg, size, true);
}

static void pci_reset(pci_dev *d)
{
	reset_vectors(d->opaque);
	virtio_reset(((virtio_pci *)d->opaque)->v);
}

static void pci_free(pci_dev *d)
{
	virtio_dev_free(((virtio_pci *)d->opaque)->v);
	free(((virtio_pci *)d->opaque)->rom);
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
	.config_read = config_read, .config_written = config_written,
};

/* A virtio capability (vendor-specific): 16 bytes, 20 for the notify
 * structure (its multiplier) and the PCI configuration access window. */
static unsigned add_cap(pci_dev *d, uint8_t type, uint8_t bar, uint32_t off, uint32_t len)
{
	bool longer = type == CAP_NOTIFY || type == CAP_PCI_CFG;
	unsigned c = pci_add_cap(d, 0x09, longer ? 20 : 16);

	d->cfg[c + 2] = longer ? 20 : 16;
	d->cfg[c + 3] = type;
	d->cfg[c + 4] = bar;
	pci_set32(d, c + 8, off);
	pci_set32(d, c + 12, len);
	if (type == CAP_NOTIFY)
		pci_set32(d, c + 16, NOTIFY_MULT);
	return c;
}

/*
 * QEMU 7.2's capabilities, at its offsets and in its list order (newest
 * first: MSI-X at 0x98, the access window at 0x84, notify, device, ISR,
 * common at 0x40), every structure 4 KiB long, the device structure even
 * when the device has no configuration (virtio-rng), so that a driver's
 * capability walk is QEMU's (the difftest compares it). The access
 * window's bar, offset, length and data fields are writable as on QEMU
 * (cfg_window() moves the data).
 */
static unsigned add_virtio_caps(pci_dev *d)
{
	unsigned c;

	add_cap(d, CAP_COMMON, VIRTIO_BAR, COMMON_OFF, REGION_LEN);
	add_cap(d, CAP_ISR, VIRTIO_BAR, ISR_OFF, REGION_LEN);
	add_cap(d, CAP_DEVICE, VIRTIO_BAR, DEVICE_OFF, REGION_LEN);
	add_cap(d, CAP_NOTIFY, VIRTIO_BAR, NOTIFY_OFF, REGION_LEN);
	c = add_cap(d, CAP_PCI_CFG, 0, 0, 0);
	d->wmask[c + 4] = 0xff;
	for (unsigned i = 8; i < 20; i++)
		d->wmask[c + i] = 0xff;
	return c;
}

/* QEMU's transitional device IDs (0x1000 + this), by virtio device ID. */
static int legacy_pci_id(uint16_t virtio_id)
{
	switch (virtio_id) {
	case 1: return 0x00;	/* net */
	case 2: return 0x01;	/* block */
	case 5: return 0x02;	/* balloon */
	case 3: return 0x03;	/* console */
	case 8: return 0x04;	/* scsi */
	case 4: return 0x05;	/* entropy */
	case 9: return 0x09;	/* 9p */
	}
	return -1;		/* modern only */
}

static uint32_t pow2ceil(uint32_t x)
{
	uint32_t p = 1;

	while (p < x)
		p <<= 1;
	return p;
}

/* romfile=NAME (QEMU looks a bare name up in its data directories):
 * the ROM's bytes and BAR size; the default name may be missing. */
static void load_rom(virtio_pci *vp, const char *romfile, bool dflt)
{
	char path[512];
	FILE *f = NULL;
	long len = 0;

	if (strchr(romfile, '/'))
		f = fopen(romfile, "rb");
	for (int i = 0; !f && !strchr(romfile, '/') && rom_dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", rom_dirs[i], romfile);
		f = fopen(path, "rb");
	}
	if (!f && !dflt)
		kwb_fatal("-device %s: failed to find romfile \"%s\"", vp->v->name, romfile);
	if (f && (fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0 || len > ROM_MAX || fseek(f, 0, SEEK_SET)))
		kwb_fatal("-device %s,romfile=%s: not a ROM of 1 byte to 1 MiB", vp->v->name, romfile);
	pci_add_rom(&vp->pci, f ? (pow2ceil((uint32_t)len) < 2048 ? 2048 : pow2ceil((uint32_t)len)) : 256u << 10);
	vp->rom = kwb_zalloc(vp->pci.rom_size);
	memset(vp->rom, 0xff, vp->pci.rom_size);
	if (f) {
		if (fread(vp->rom, 1, (size_t)len, f) != (size_t)len)
			kwb_fatal("-device %s,romfile=%s: read error", vp->v->name, romfile);
		fclose(f);
	}
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
	const char *dl, *romfile;
	bool rombar, modern_only, iommu_platform;
	uint64_t ring_features;
	int lid;
	uint64_t nvec;
	pci_placement place;

	if (!create)
		return NULL;
	vp = kwb_zalloc(sizeof(*vp));
	d = &vp->pci;
	dev_props_parse(&p, spec);
	pci_placement_read(&place, &p);
	dl = dev_prop(&p, "disable-legacy");
	if (dl && strcmp(dl, "auto") && strcmp(dl, "on") && strcmp(dl, "off"))
		kwb_usage_error("-device %.*s: disable-legacy=%s: use on, off or auto", (int)n, spec, dl);
	modern_only = dl && !strcmp(dl, "on");
	/* p's strings go with dev_props_done(): keep what is used after it */
	romfile = dev_prop(&p, "romfile") ? kwb_strdup(dev_prop(&p, "romfile")) : NULL;
	rombar = dev_prop_uint(&p, "rombar", 1, 0, UINT32_MAX) != 0;
	/* vectors=0: no MSI-X, INTx only (as QEMU) */
	nvec = dev_prop_uint(&p, "vectors", UINT64_MAX, 0, PCI_MSIX_MAX_VECTORS);
	ring_features = virtio_common_features(&p);
	/* QEMU offers ACCESS_PLATFORM only with iommu_platform=on (default
	 * off: DMA bypasses an IOMMU); kwb's default is on behind an SMMU so
	 * that its DMA is translated (README) */
	iommu_platform = dev_prop_bool(&p, "iommu_platform", machine_device(m, "smmuv3") != NULL);
	v = vp->v = create(m, p.dev, &p, &pci_transport, vp);
	dev_props_done(&p);
	v->features &= ~VIRTIO_COMMON_FEATURES | ring_features;
	v->features |= VIRTIO_F_BAD_FEATURE;
	if (iommu_platform)
		v->features |= VIRTIO_F_ACCESS_PLATFORM;
	/* auto: transitional, as QEMU on a root bus that is not a PCIe port */
	lid = legacy_pci_id(v->model->device_id);
	vp->legacy_io = lid >= 0 && !modern_only;
	if (vp->legacy_io)
		pci_dev_init(d, v->name, 0x1af4, (uint16_t)(0x1000 + lid), 0, v->model->pci_class, 0x1af4,
			     v->model->device_id);
	else
		pci_dev_init(d, v->name, 0x1af4, (uint16_t)(0x1040 + v->model->device_id), 1,
			     v->model->pci_class, 0x1af4, 0x1100);
	pci_dev_place(d, &place);
	d->ops = &virtio_pci_ops;
	d->opaque = vp;
	d->backend_state = v->model->state;
	d->backend = v->opaque;
	if (vp->legacy_io)		/* header with MSI-X vectors, then config: QEMU's size */
		pci_add_bar_io(d, LEGACY_BAR, pow2ceil(LEGACY_HDR_MSIX + v->model->config_size));
	pci_add_bar64_pref(d, VIRTIO_BAR, VIRTIO_BAR_SIZE);	/* prefetchable, as QEMU's */
	vp->cfg_cap = (uint8_t)add_virtio_caps(d);
	/* QEMU's default: the configuration's vector and one per queue for
	 * most devices, the model's count for the others (net, serial) */
	if (nvec == UINT64_MAX)
		nvec = v->model->pci_vectors ? v->model->pci_vectors : (uint64_t)v->nqueues + 1;
	if (nvec > PCI_MSIX_MAX_VECTORS)
		nvec = PCI_MSIX_MAX_VECTORS;
	if (nvec) {
		pci_add_bar32(d, MSIX_BAR, MSIX_BAR_SIZE);
		pci_msix_init(d, (int)nvec, MSIX_BAR, 0, MSIX_PBA_OFF);
	}
	if (v->model->device_id == 1 && rombar && !(romfile && !*romfile))
		load_rom(vp, romfile ? romfile : NET_ROMFILE, !romfile || !strcmp(romfile, NET_ROMFILE));
	free((char *)romfile);
	reset_vectors(vp);
	virtio_reset(v);
	return d;
}
