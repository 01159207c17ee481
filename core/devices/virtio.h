/*
 * virtio 1.x devices on the PCI transport (modern only: vendor-specific
 * capabilities in one 64-bit memory BAR, INTx, no MSI-X) and the
 * split-virtqueue helpers the device models use. Every ring and buffer
 * access is bus-master DMA, translated by the SMMU when there is one.
 */
#ifndef KWB_VIRTIO_H
#define KWB_VIRTIO_H

#include "pcie_ecam.h"

#define VIRTIO_MAX_QUEUES 2
#define VIRTQ_MAX_SIZE 256
#define VIRTQ_MAX_SEGS 64

#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ull << 33)

enum {
	VIRTIO_STATUS_ACKNOWLEDGE = 1, VIRTIO_STATUS_DRIVER = 2, VIRTIO_STATUS_DRIVER_OK = 4,
	VIRTIO_STATUS_FEATURES_OK = 8, VIRTIO_STATUS_NEEDS_RESET = 0x40, VIRTIO_STATUS_FAILED = 0x80,
};

typedef struct virtio_dev virtio_dev;

typedef struct virtio_model {
	const char *name;
	uint16_t device_id;		/* virtio device ID: 2 block, 4 entropy */
	uint32_t pci_class;
	uint64_t features;		/* offered on top of VERSION_1 | ACCESS_PLATFORM */
	int nqueues;
	uint16_t queue_max;
	uint32_t config_size;		/* device-specific config bytes (0: none) */
	void (*config)(virtio_dev *v, uint8_t *buf);	/* fills config_size bytes */
	void (*notify)(virtio_dev *v, int queue);
	void (*reset)(virtio_dev *v);
	void (*free)(virtio_dev *v);
	/* The device's own state behind the transport (core/state.h), of the
	 * opaque pointer given to virtio_pci_new; NULL when it has none. */
	const struct state_desc *state;
} virtio_model;

typedef struct virtq {
	uint16_t size;
	bool ready;
	uint64_t desc, avail, used;
	uint16_t last_avail, used_idx;
} virtq;

struct virtio_dev {
	pci_dev pci;			/* first: the transport */
	const virtio_model *model;
	void *opaque;
	uint64_t features, driver_features;
	uint32_t dfsel, gfsel;
	uint16_t qsel;
	uint8_t status, isr, generation;
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

virtio_dev *virtio_pci_new(const virtio_model *model, void *opaque, uint64_t extra_features);

/* Next available chain of queue q: 1 got one, 0 none, -1 the device broke
 * (bad ring or DMA fault: NEEDS_RESET set). */
int virtq_pop(virtio_dev *v, int q, virtq_elem *e);
/* Returns the chain with len bytes written; raises the interrupt. */
int virtq_push(virtio_dev *v, int q, const virtq_elem *e, uint32_t len);
/* Byte totals and copies over the device-readable (out) or -writable (in)
 * buffers of a chain, as one stream each. Return 0 or -1. */
uint64_t virtq_len(const virtq_elem *e, bool write);
int virtq_read(virtio_dev *v, const virtq_elem *e, uint64_t off, void *buf, uint64_t len);
int virtq_write(virtio_dev *v, const virtq_elem *e, uint64_t off, const void *buf, uint64_t len);

#endif
