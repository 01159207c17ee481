/*
 * virtio devices, independent of their transport.
 *
 * A device model (block, entropy, network, console, 9p) is a virtio_model
 * plus a create function that parses its -device properties; it sees only
 * a virtio_dev and the virtqueue helpers below, never the transport. The
 * transports (virtio_pci.c: -device NAME-pci; virtio_mmio.c: -device
 * NAME-device on the board's virtio-mmio slots) own the registers, the
 * interrupt and DMA, and call back into the model through virtio_model.
 *
 * To add a device "virtio-foo" (see virtio_rng.c, the smallest):
 *   1. a virtio_model: device ID, features, queue count, config space,
 *      notify() (the driver kicked a queue), reset(), free(), and the
 *      state description of its own state (core/state.h);
 *   2. virtio_dev *virtio_foo_create(machine *m, const char *devname,
 *      dev_props *p, const virtio_transport *tr, void *tr_opaque):
 *      read its properties with dev_prop*(), allocate its state, return
 *      virtio_dev_new(...);
 *   3. one row in virtio_devices[] (virtio.c): "virtio-foo" then exists as
 *      -device virtio-foo-pci and -device virtio-foo-device.
 * Requests run synchronously in notify() (no host threads: deterministic).
 * Every ring, descriptor and buffer is guest input: the helpers check every
 * index, length and address, and a malformed ring sets NEEDS_RESET (the
 * driver sees the device broken) instead of touching anything else.
 */
#ifndef KWB_VIRTIO_H
#define KWB_VIRTIO_H

#include "../kwb.h"
#include "dev_props.h"

struct machine;
struct state_desc;

#define VIRTIO_MAX_QUEUES 64	/* virtio-serial with 31 ports uses all */
#define VIRTQ_MAX_SIZE 1024	/* QEMU's VIRTQUEUE_MAX_SIZE */
#define VIRTQ_MAX_SEGS VIRTQ_MAX_SIZE	/* QEMU's limit on a chain's buffers */

#define VIRTIO_F_NOTIFY_ON_EMPTY (1ull << 24)
#define VIRTIO_F_ANY_LAYOUT (1ull << 27)
#define VIRTIO_RING_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_RING_F_EVENT_IDX (1ull << 29)
#define VIRTIO_F_BAD_FEATURE (1ull << 30)	/* QEMU's virtio-pci offers it (legacy guests' probe) */
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ull << 33)
#define VIRTIO_F_RING_RESET (1ull << 40)
/* What QEMU shows only to a legacy driver: a VERSION_1 interface (modern
 * virtio-pci, modern virtio-mmio) reads the device's features without them
 * (QEMU's VIRTIO_LEGACY_FEATURES). */
#define VIRTIO_LEGACY_FEATURES (VIRTIO_F_BAD_FEATURE | VIRTIO_F_NOTIFY_ON_EMPTY | VIRTIO_F_ANY_LAYOUT)
/* What QEMU 7.2 offers for every device (its DEFINE_VIRTIO_COMMON_FEATURES
 * defaults: notify_on_empty, any_layout, indirect_desc, event_idx,
 * queue_reset), each a -device property of the same name. */
#define VIRTIO_COMMON_FEATURES (VIRTIO_F_NOTIFY_ON_EMPTY | VIRTIO_F_ANY_LAYOUT | \
				VIRTIO_RING_F_INDIRECT_DESC | VIRTIO_RING_F_EVENT_IDX | VIRTIO_F_RING_RESET)

enum {
	VIRTIO_STATUS_ACKNOWLEDGE = 1, VIRTIO_STATUS_DRIVER = 2, VIRTIO_STATUS_DRIVER_OK = 4,
	VIRTIO_STATUS_FEATURES_OK = 8, VIRTIO_STATUS_NEEDS_RESET = 0x40, VIRTIO_STATUS_FAILED = 0x80,
};

/* ISR bits (PCI ISR, MMIO InterruptStatus) */
enum { VIRTIO_ISR_QUEUE = 1, VIRTIO_ISR_CONFIG = 2 };

typedef struct virtio_dev virtio_dev;

typedef struct virtio_model {
	const char *name;		/* "virtio-blk": the -pci / -device suffix is added */
	uint16_t device_id;		/* virtio device ID: 1 net, 2 block, 3 console, 4 entropy */
	uint32_t pci_class;
	uint64_t features;		/* device features (transport bits are added) */
	int nqueues;			/* may be lowered per instance: virtio_dev.nqueues */
	uint16_t queue_max;		/* the queue size PCI reports */
	uint32_t config_size;		/* device-specific config bytes (0: none) */
	uint16_t pci_vectors;		/* QEMU's default MSI-X vectors on PCI (0: one per queue + config) */
	void (*config)(virtio_dev *v, uint8_t *buf);	/* fills config_size bytes */
	/* A driver write into the config space (NULL: ignored). */
	void (*config_write)(virtio_dev *v, uint32_t off, uint64_t val, unsigned size);
	void (*notify)(virtio_dev *v, int queue);	/* the driver kicked queue */
	void (*reset)(virtio_dev *v);			/* device reset (by the driver or the machine) */
	void (*free)(virtio_dev *v);			/* frees opaque */
	/* The model's own state (opaque), registered as "<its name>@<where>"
	 * ("virtio-rng@00:01.0", "virtio-rng@a003e00"); NULL: none. */
	const struct state_desc *state;
} virtio_model;

/* What a transport provides. */
typedef struct virtio_transport {
	const char *suffix;		/* "pci", "device" */
	int (*dma_read)(virtio_dev *v, uint64_t addr, void *buf, uint64_t len);
	int (*dma_write)(virtio_dev *v, uint64_t addr, const void *buf, uint64_t len);
	/* isr changed: why is a queue index, VIRTIO_IRQ_CONFIG, or
	 * VIRTIO_IRQ_LEVEL (only re-evaluate the line: ack, reset, load). */
	void (*irq)(virtio_dev *v, int why);
	bool legacy;			/* virtio 0.9 layout (MMIO version 1) */
	bool access_platform;		/* offer VIRTIO_F_ACCESS_PLATFORM (an IOMMU may sit in front) */
} virtio_transport;

enum { VIRTIO_IRQ_CONFIG = -1, VIRTIO_IRQ_LEVEL = -2 };

typedef struct virtq {
	uint16_t size;
	bool ready;
	uint64_t desc, avail, used;
	uint16_t last_avail, used_idx;
	/* EVENT_IDX: the used index the driver was last interrupted for
	 * (valid: there was one since reset or a wrap past it) */
	uint16_t signalled_used;
	bool signalled_used_valid;
	bool notification;		/* the device wants kicks (virtq_set_notification) */
	uint32_t legacy_align, legacy_pfn;	/* MMIO version 1 only */
} virtq;

struct virtio_dev {
	struct machine *m;
	char name[40];			/* "virtio-blk-device": traces and messages */
	const virtio_model *model;
	void *opaque;			/* the model's state */
	const virtio_transport *tr;
	void *tr_opaque;		/* the transport's state */
	int nqueues;
	uint64_t features;		/* offered (configuration) */
	/* guest-visible state, in the state description */
	uint64_t driver_features;
	uint32_t dfsel, gfsel;
	uint16_t qsel;
	uint8_t status, isr, generation;
	bool broken;			/* the driver broke a rule: no more requests until reset */
	uint32_t guest_page_size;	/* MMIO version 1 only */
	virtq vq[VIRTIO_MAX_QUEUES];
	uint64_t dma_errors, requests;
};

typedef struct virtq_seg {
	uint64_t addr;
	uint32_t len;
	bool write;			/* device-writable */
} virtq_seg;

typedef struct virtq_elem {
	uint16_t head;
	int n;
	virtq_seg seg[VIRTQ_MAX_SEGS];
} virtq_elem;

/* ---- for device models ---- */

/* A new device on transport tr; features are the model's plus extra. */
virtio_dev *virtio_dev_new(struct machine *m, const char *devname, const virtio_model *model,
			   void *opaque, uint64_t extra_features, const virtio_transport *tr,
			   void *tr_opaque);
/* Next available chain of queue q: 1 got one, 0 none, -1 the device broke
 * (bad ring or DMA fault: NEEDS_RESET set). */
int virtq_pop(virtio_dev *v, int q, virtq_elem *e);
/* Returns the chain with len bytes written; interrupts the driver unless
 * it asked not to be (VRING_AVAIL_F_NO_INTERRUPT, or its used_event with
 * EVENT_IDX). */
int virtq_push(virtio_dev *v, int q, const virtq_elem *e, uint32_t len);
/* The same without the interrupt (a batch: virtq_notify after it). */
int virtq_push_quiet(virtio_dev *v, int q, const virtq_elem *e, uint32_t len);
/* Interrupts the driver for queue q if the ring's rules say so (QEMU's
 * virtio_notify: NOTIFY_ON_EMPTY, EVENT_IDX's used_event, NO_INTERRUPT). */
void virtq_notify(virtio_dev *v, int q);
/* Whether the driver should kick queue q (QEMU's
 * virtio_queue_set_notification: the used ring's NO_NOTIFY flag, or with
 * EVENT_IDX avail_event = the avail index now). Device models call it
 * where QEMU's do, since the driver's kicks depend on it. */
void virtq_set_notification(virtio_dev *v, int q, bool enable);
/* Byte totals and copies over the device-readable (out) or -writable (in)
 * buffers of a chain, as one stream each. Return 0 or -1. */
uint64_t virtq_len(const virtq_elem *e, bool write);
int virtq_read(virtio_dev *v, const virtq_elem *e, uint64_t off, void *buf, uint64_t len);
int virtq_write(virtio_dev *v, const virtq_elem *e, uint64_t off, const void *buf, uint64_t len);
/* How many chains the driver made available and the device did not take
 * yet (0 when the queue is not usable); no side effect. */
unsigned virtq_avail(virtio_dev *v, int q);
/* Whether queue q is usable now (driver OK, queue enabled, not broken). */
bool virtq_ready(virtio_dev *v, int q);
/* The configuration changed: tell the driver (config interrupt). */
void virtio_config_changed(virtio_dev *v);
/* The device cannot go on (the driver broke a rule): no more requests
 * until reset, and NEEDS_RESET with a config interrupt for a VERSION_1
 * driver (QEMU's virtio_error). */
void virtio_broken(virtio_dev *v, const char *why);
/* Whether the driver accepted feature f (a VIRTIO_F_* or device bit). */
static inline bool virtio_has(const virtio_dev *v, uint64_t f)
{
	return (v->driver_features & f) != 0;
}

/* ---- for transports ---- */

/* The "virtio-mmio" board device: param = number of transports, plus this
 * when QEMU writes their DT nodes from the highest address down (so the
 * lowest comes first in the tree, as on arm64). irqs[0] is the first
 * transport's interrupt, the others follow. */
#define VIRTIO_MMIO_DT_LOWEST_FIRST 0x100

/* Device reset: every register to its initial value, then model->reset. */
void virtio_reset(virtio_dev *v);
/* A driver write of the status register (0 resets). */
void virtio_set_status(virtio_dev *v, uint8_t status);
/* The driver kicked queue q (checked against nqueues here). */
void virtio_queue_notify(virtio_dev *v, unsigned q);
/* The driver reset queue q (VIRTIO_F_RING_RESET): not ready, indices 0. */
void virtio_queue_reset(virtio_dev *v, unsigned q);
/* The ring features the -device properties indirect_desc, event_idx,
 * notify_on_empty, any_layout and queue_reset leave on (QEMU's: all). */
uint64_t virtio_common_features(dev_props *p);
/* Legacy layout: the queue's rings from its PFN, page size and alignment. */
void virtio_legacy_set_pfn(virtio_dev *v, uint32_t pfn);
/* The device config space as the driver reads it (up to 256 bytes). */
uint64_t virtio_config_read(virtio_dev *v, uint32_t off, unsigned size);
void virtio_config_write(virtio_dev *v, uint32_t off, uint64_t val, unsigned size);
/* The transport-independent state of a virtio_dev (status, features,
 * queues): a transport nests it in its own description (ST_PTR). */
extern const struct state_desc virtio_dev_state;
/* Registers the model's own state as "<its name>@where" ("virtio-rng@a003e00"). */
void virtio_register_model_state(virtio_dev *v, const char *where);
void virtio_dev_free(virtio_dev *v);

/* The models, by base name ("virtio-blk"): creates one on transport tr
 * from its -device properties, or exits with one line on a bad one. */
typedef virtio_dev *(*virtio_create_fn)(struct machine *m, const char *devname, dev_props *p,
					 const virtio_transport *tr, void *tr_opaque);
/* devname "virtio-blk-pci" with suffix "pci": the model's create, or NULL. */
virtio_create_fn virtio_model_find(const char *devname, size_t len, const char *suffix);
/* "virtio-blk, virtio-net, ..." for messages. */
const char *virtio_model_list(const char *suffix);

virtio_dev *virtio_blk_create(struct machine *m, const char *devname, dev_props *p,
			      const virtio_transport *tr, void *tr_opaque);
virtio_dev *virtio_rng_create(struct machine *m, const char *devname, dev_props *p,
			      const virtio_transport *tr, void *tr_opaque);
virtio_dev *virtio_9p_create(struct machine *m, const char *devname, dev_props *p,
			     const virtio_transport *tr, void *tr_opaque);
virtio_dev *virtio_net_create(struct machine *m, const char *devname, dev_props *p,
			      const virtio_transport *tr, void *tr_opaque);
virtio_dev *virtio_serial_create(struct machine *m, const char *devname, dev_props *p,
				 const virtio_transport *tr, void *tr_opaque);
struct kwb_options;
/* -device virtconsole|virtserialport at devices[index] has a bus to go on. */
bool virtio_serial_port_has_bus(const struct kwb_options *o, int index);

#endif
