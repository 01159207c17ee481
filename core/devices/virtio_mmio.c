/*
 * virtio-mmio transports at QEMU's places (the "virtio-mmio" board device):
 * arm64 virt has 32 at 0x0a000000, 0x200 apart, on SPIs 16..47; RISC-V
 * virt has 8 at 0x10001000, 0x1000 apart, on PLIC sources 1..8. Each is in
 * the device tree whether a device sits behind it or not (an empty one
 * reads device ID 0). -device virtio-NAME-device takes them from the top,
 * in command-line order, as QEMU's bus search does: the first gets the
 * highest address.
 *
 * Registers as the virtio 1.x spec (4.2.2, version 2) and its legacy
 * interface (4.2.4, version 1). Like QEMU 7.2, the transports are legacy
 * unless -global virtio-mmio.force-legacy=false.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"

#define MMIO_MAX_SLOTS 32
#define MMIO_MAGIC 0x74726976		/* "virt" */
#define MMIO_VENDOR 0x554d4551		/* "QEMU", as QEMU's */

enum {
	R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR_ID = 0x00c,
	R_DEVICE_FEATURES = 0x010, R_DEVICE_FEATURES_SEL = 0x014,
	R_DRIVER_FEATURES = 0x020, R_DRIVER_FEATURES_SEL = 0x024,
	R_GUEST_PAGE_SIZE = 0x028, R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034,
	R_QUEUE_NUM = 0x038, R_QUEUE_ALIGN = 0x03c, R_QUEUE_PFN = 0x040, R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050, R_INTERRUPT_STATUS = 0x060, R_INTERRUPT_ACK = 0x064,
	R_STATUS = 0x070, R_QUEUE_DESC_LOW = 0x080, R_QUEUE_DESC_HIGH = 0x084,
	R_QUEUE_DRIVER_LOW = 0x090, R_QUEUE_DRIVER_HIGH = 0x094,
	R_QUEUE_DEVICE_LOW = 0x0a0, R_QUEUE_DEVICE_HIGH = 0x0a4,
	R_CONFIG_GENERATION = 0x0fc, R_CONFIG = 0x100,
};

typedef struct mmio_slot {
	struct virtio_mmio *bus;
	paddr_t base;
	irq_line irq;
	virtio_dev *dev;		/* NULL: nothing behind this transport */
} mmio_slot;

typedef struct virtio_mmio {
	machine *m;
	const board_device *d;
	int count;
	bool legacy;
	bool dt_lowest_first;		/* the order QEMU adds the nodes in */
	mmio_slot slot[MMIO_MAX_SLOTS];
} virtio_mmio;

static mmio_slot *slot_of(virtio_dev *v)
{
	return v->tr_opaque;
}

static int tr_dma_read(virtio_dev *v, uint64_t addr, void *buf, uint64_t len)
{
	return bus_copy_from(&v->m->bus, addr, buf, len);
}

static int tr_dma_write(virtio_dev *v, uint64_t addr, const void *buf, uint64_t len)
{
	return bus_copy_to(&v->m->bus, addr, buf, len);
}

/* The line is the OR of the InterruptStatus bits (level). */
static void tr_irq(virtio_dev *v, int why)
{
	(void)why;
	irq_set(&slot_of(v)->irq, v->isr != 0);
}

static const virtio_transport modern_transport = {
	.suffix = "device", .dma_read = tr_dma_read, .dma_write = tr_dma_write, .irq = tr_irq,
};
static const virtio_transport legacy_transport = {
	.suffix = "device", .dma_read = tr_dma_read, .dma_write = tr_dma_write, .irq = tr_irq,
	.legacy = true,
};

static void set_half(uint64_t *r, bool high, uint32_t val)
{
	if (high)
		*r = (*r & 0xffffffffull) | (uint64_t)val << 32;
	else
		*r = (*r & ~0xffffffffull) | val;
}

static uint32_t reg_read(mmio_slot *s, unsigned off)
{
	virtio_dev *v = s->dev;
	bool legacy = s->bus->legacy;
	virtq *q;

	switch (off) {
	case R_MAGIC: return MMIO_MAGIC;
	case R_VERSION: return legacy ? 1 : 2;
	case R_VENDOR_ID: return MMIO_VENDOR;
	}
	if (!v)
		return 0;
	q = v->qsel < v->nqueues ? &v->vq[v->qsel] : NULL;
	switch (off) {
	case R_DEVICE_ID: return v->model->device_id;
	case R_DEVICE_FEATURES:
		if (legacy)
			return v->dfsel ? 0 : (uint32_t)v->features;
		return v->dfsel < 2 ? (uint32_t)((v->features & ~VIRTIO_LEGACY_FEATURES) >> (32 * v->dfsel)) : 0;
	case R_QUEUE_NUM_MAX: return q ? VIRTQ_MAX_SIZE : 0;
	case R_QUEUE_PFN: return legacy && q ? q->legacy_pfn : 0;
	case R_QUEUE_READY: return !legacy && q ? q->ready : 0;
	case R_INTERRUPT_STATUS: return v->isr;
	case R_STATUS: return v->status;
	case R_CONFIG_GENERATION: return legacy ? 0 : v->generation;
	case R_QUEUE_DESC_LOW: case R_QUEUE_DESC_HIGH:
		return !legacy && q ? (uint32_t)(q->desc >> (off & 4 ? 32 : 0)) : 0;
	case R_QUEUE_DRIVER_LOW: case R_QUEUE_DRIVER_HIGH:
		return !legacy && q ? (uint32_t)(q->avail >> (off & 4 ? 32 : 0)) : 0;
	case R_QUEUE_DEVICE_LOW: case R_QUEUE_DEVICE_HIGH:
		return !legacy && q ? (uint32_t)(q->used >> (off & 4 ? 32 : 0)) : 0;
	}
	return 0;		/* write-only or reserved */
}

static void reg_write(mmio_slot *s, unsigned off, uint32_t val)
{
	virtio_dev *v = s->dev;
	bool legacy = s->bus->legacy;
	virtq *q;

	if (!v)
		return;
	q = v->qsel < v->nqueues ? &v->vq[v->qsel] : NULL;
	switch (off) {
	case R_DEVICE_FEATURES_SEL: v->dfsel = val; break;
	case R_DRIVER_FEATURES:
		if (v->status & VIRTIO_STATUS_FEATURES_OK)
			break;
		if (legacy) {
			if (!v->gfsel)
				v->driver_features = val;
		} else if (v->gfsel < 2) {
			set_half(&v->driver_features, v->gfsel, val);
		}
		break;
	case R_DRIVER_FEATURES_SEL: v->gfsel = val; break;
	case R_GUEST_PAGE_SIZE: if (legacy) v->guest_page_size = val; break;
	case R_QUEUE_SEL: if (val < VIRTQ_MAX_SIZE) v->qsel = (uint16_t)val; break;
	case R_QUEUE_NUM:
		if (q && val && val <= VIRTQ_MAX_SIZE && !q->ready)
			q->size = (uint16_t)val;
		break;
	case R_QUEUE_ALIGN: if (legacy && q) q->legacy_align = val; break;
	case R_QUEUE_PFN: if (legacy) virtio_legacy_set_pfn(v, val); break;
	case R_QUEUE_READY:
		if (legacy || !q)
			break;
		q->ready = val & 1;
		if (q->ready)
			trace_dev(v->m, v->name, "queue %u ready: size %u desc 0x%llx avail 0x%llx used 0x%llx",
				  v->qsel, q->size, (unsigned long long)q->desc, (unsigned long long)q->avail,
				  (unsigned long long)q->used);
		break;
	case R_QUEUE_NOTIFY: virtio_queue_notify(v, val & 0xffff); break;
	case R_INTERRUPT_ACK:
		v->isr &= (uint8_t)~val;
		tr_irq(v, VIRTIO_IRQ_LEVEL);
		break;
	case R_STATUS: virtio_set_status(v, (uint8_t)val); break;
	case R_QUEUE_DESC_LOW: case R_QUEUE_DESC_HIGH:
		if (!legacy && q) set_half(&q->desc, off & 4, val);
		break;
	case R_QUEUE_DRIVER_LOW: case R_QUEUE_DRIVER_HIGH:
		if (!legacy && q) set_half(&q->avail, off & 4, val);
		break;
	case R_QUEUE_DEVICE_LOW: case R_QUEUE_DEVICE_HIGH:
		if (!legacy && q) set_half(&q->used, off & 4, val);
		break;
	}
}

static mmio_slot *find_slot(virtio_mmio *b, uint64_t *off)
{
	uint64_t i = *off / b->d->size;

	*off %= b->d->size;
	return i < (uint64_t)b->count ? &b->slot[i] : NULL;
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
	mmio_slot *s = find_slot(opaque, &off);

	if (!s)
		return 0;
	if (off >= R_CONFIG) {
		if (size == 8)		/* two 4-byte reads, as QEMU's memory core splits it */
			return s->dev ? virtio_config_read(s->dev, (uint32_t)(off - R_CONFIG), 4) |
				      virtio_config_read(s->dev, (uint32_t)(off - R_CONFIG + 4), 4) << 32 : 0;
		return s->dev ? virtio_config_read(s->dev, (uint32_t)(off - R_CONFIG), size) : 0;
	}
	if (size != 4 || (off & 3))	/* registers are 32-bit only */
		return 0;
	return reg_read(s, (unsigned)off);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	mmio_slot *s = find_slot(opaque, &off);

	if (!s || !s->dev)
		return;
	if (off >= R_CONFIG) {
		virtio_config_write(s->dev, (uint32_t)(off - R_CONFIG), val, size > 4 ? 4 : size);
		return;
	}
	if (size == 4 && !(off & 3))
		reg_write(s, (unsigned)off, (uint32_t)val);
}

/* Reads without side effects: every register read is one. */
static bool mmio_peek(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	*val = mmio_read(opaque, off, size);
	return true;
}

static const char *mmio_reg_name(void *opaque, uint64_t off)
{
	static const struct { unsigned off; const char *name; } regs[] = {
		{ R_MAGIC, "MagicValue" }, { R_VERSION, "Version" }, { R_DEVICE_ID, "DeviceID" },
		{ R_VENDOR_ID, "VendorID" }, { R_DEVICE_FEATURES, "DeviceFeatures" },
		{ R_DEVICE_FEATURES_SEL, "DeviceFeaturesSel" }, { R_DRIVER_FEATURES, "DriverFeatures" },
		{ R_DRIVER_FEATURES_SEL, "DriverFeaturesSel" }, { R_GUEST_PAGE_SIZE, "GuestPageSize" },
		{ R_QUEUE_SEL, "QueueSel" }, { R_QUEUE_NUM_MAX, "QueueNumMax" }, { R_QUEUE_NUM, "QueueNum" },
		{ R_QUEUE_ALIGN, "QueueAlign" }, { R_QUEUE_PFN, "QueuePFN" }, { R_QUEUE_READY, "QueueReady" },
		{ R_QUEUE_NOTIFY, "QueueNotify" }, { R_INTERRUPT_STATUS, "InterruptStatus" },
		{ R_INTERRUPT_ACK, "InterruptACK" }, { R_STATUS, "Status" },
		{ R_QUEUE_DESC_LOW, "QueueDescLow" }, { R_QUEUE_DESC_HIGH, "QueueDescHigh" },
		{ R_QUEUE_DRIVER_LOW, "QueueDriverLow" }, { R_QUEUE_DRIVER_HIGH, "QueueDriverHigh" },
		{ R_QUEUE_DEVICE_LOW, "QueueDeviceLow" }, { R_QUEUE_DEVICE_HIGH, "QueueDeviceHigh" },
		{ R_CONFIG_GENERATION, "ConfigGeneration" },
	};
	static char buf[96];
	mmio_slot *s = find_slot(opaque, &off);
	const char *r = NULL;

	if (!s)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
		if (regs[i].off == off)
			r = regs[i].name;
	if (r)
		snprintf(buf, sizeof(buf), "%s@%llx %s", s->dev ? s->dev->name : "virtio-mmio",
			 (unsigned long long)s->base, r);
	else if (off >= R_CONFIG)
		snprintf(buf, sizeof(buf), "%s@%llx config+0x%llx", s->dev ? s->dev->name : "virtio-mmio",
			 (unsigned long long)s->base, (unsigned long long)(off - R_CONFIG));
	else
		return NULL;
	return buf;
}

static const mmio_ops virtio_mmio_ops = {
	.read = mmio_read, .write = mmio_write, .peek = mmio_peek, .reg_name = mmio_reg_name,
};

/* -device virtio-NAME-device: the next free transport from the top. */
static void plug(virtio_mmio *b, const char *spec)
{
	size_t n = strcspn(spec, ",");
	virtio_create_fn create = virtio_model_find(spec, n, "device");
	mmio_slot *s = NULL;
	char name[48];
	dev_props p;
	uint64_t ring_features;

	if (!create)
		kwb_usage_error("-device %.*s: unknown virtio-mmio device (this board has %s)", (int)n, spec,
				virtio_model_list("device"));
	for (int i = b->count - 1; i >= 0 && !s; i--)
		if (!b->slot[i].dev)
			s = &b->slot[i];
	if (!s)
		kwb_usage_error("-device %.*s: all %d virtio-mmio transports are taken", (int)n, spec, b->count);
	dev_props_parse(&p, spec);
	ring_features = virtio_common_features(&p);
	s->dev = create(b->m, p.dev, &p, b->legacy ? &legacy_transport : &modern_transport, s);
	dev_props_done(&p);
	s->dev->features &= ~VIRTIO_COMMON_FEATURES | ring_features;
	snprintf(name, sizeof(name), "%llx", (unsigned long long)s->base);
	virtio_register_model_state(s->dev, name);
}

static bool is_mmio_device(const char *spec)
{
	size_t n = strcspn(spec, ",");

	return n > 14 && !strncmp(spec, "virtio-", 7) && !strncmp(spec + n - 7, "-device", 7);
}

static void *vmmio_create(machine *m, const board_device *d)
{
	virtio_mmio *b = kwb_zalloc(sizeof(*b));
	const char *legacy = options_global(m->opt, "virtio-mmio", "force-legacy");

	b->m = m;
	b->d = d;
	b->count = (int)(d->param & 0xff);
	b->dt_lowest_first = (d->param & VIRTIO_MMIO_DT_LOWEST_FIRST) != 0;
	b->legacy = !legacy || options_bool(legacy);
	if (b->count > MMIO_MAX_SLOTS || d->nirqs != 1)
		kwb_fatal("board %s: virtio-mmio: at most %d transports and one first irq", m->board->name,
			  MMIO_MAX_SLOTS);
	for (int i = 0; i < b->count; i++) {
		b->slot[i].bus = b;
		b->slot[i].base = d->base + (paddr_t)i * d->size;
		b->slot[i].irq = machine_irq(m, d->irqs[0] + i);
	}
	bus_add_mmio(&m->bus, "virtio-mmio", d->base, (uint64_t)b->count * d->size, &virtio_mmio_ops, b);
	for (int i = 0; i < m->opt->ndevices; i++)
		if (is_mmio_device(m->opt->devices[i]))
			plug(b, m->opt->devices[i]);
	return b;
}

/* The interrupt specifier: a PLIC source on RISC-V, a GIC SPI on arm64
 * (edge rising: the flags QEMU writes, though the line is a level). */
static int vmmio_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	virtio_mmio *b = state;
	int node = 0;

	(void)m;
	for (int k = 0; k < b->count; k++) {
		/* libfdt puts each node in front of its siblings: add them in
		 * QEMU's order to get its final one */
		int i = b->dt_lowest_first ? b->count - 1 - k : k;
		uint32_t irq = (uint32_t)(d->irqs[0] + i), plic_ph = 0;
		int plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");

		if (plic >= 0)
			plic_ph = fdtu_phandle(fdt, plic);
		parent = fdt_path_offset(fdt, "/soc");	/* offsets move as nodes are added */
		node = fdtu_node_at(fdt, parent < 0 ? 0 : parent, d->name, b->slot[i].base);
		if (plic >= 0) {
			fdtu_u32(fdt, node, "interrupts", irq);
			fdtu_u32(fdt, node, "interrupt-parent", plic_ph);
		} else {
			uint32_t intr[3] = { 0, irq, 1 };

			fdtu_empty(fdt, node, "dma-coherent");
			fdtu_cells(fdt, node, "interrupts", intr, 3);
		}
		fdtu_reg(fdt, node, b->slot[i].base, d->size);
		fdtu_string(fdt, node, "compatible", "virtio,mmio");
	}
	return node;
}

static void vmmio_reset(void *state)
{
	virtio_mmio *b = state;

	for (int i = 0; i < b->count; i++)
		if (b->slot[i].dev)
			virtio_reset(b->slot[i].dev);
}

static void vmmio_free(void *state)
{
	virtio_mmio *b = state;

	for (int i = 0; i < b->count; i++)
		virtio_dev_free(b->slot[i].dev);
	free(b);
}

/* Each transport's device (status, features, queues; an empty one has
 * none); the models' own state is registered as "virtio-rng@a003e00". */
static const state_field slot_fields[] = {
	ST_PTR(mmio_slot, dev, virtio_dev_state),
	ST_END
};
static const state_desc slot_state = { .name = "virtio-mmio-slot", .version = 1, .fields = slot_fields };

static const state_field vmmio_fields[] = {
	ST_STRUCT_ARRAY_N(virtio_mmio, slot, slot_state, count),
	ST_END
};
static const state_desc vmmio_state = { .name = "virtio-mmio", .version = 1, .fields = vmmio_fields };

DEVICE_TYPE(virtio_mmio_type) {
	.name = "virtio-mmio",
	.create = vmmio_create,
	.fdt = vmmio_fdt,
	.reset = vmmio_reset,
	.free = vmmio_free,
	.state = &vmmio_state,
};
