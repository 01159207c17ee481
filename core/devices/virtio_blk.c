/*
 * virtio block device (virtio-blk-pci / virtio-blk-device, drive=ID)
 * backed by a raw -drive file under kwb's overlay (disk.h): read, write,
 * flush and get-id, one request at a time, run when the driver notifies
 * the queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virtio.h"
#include "disk.h"
#include "../machine.h"
#include "../state.h"

#define SECTOR 512
#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)
#define VIRTIO_BLK_F_MQ (1ull << 12)
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };

typedef struct blk {
	disk *disk;		/* the image under kwb's overlay */
	bool readonly;
	uint64_t size;		/* bytes */
	const char *id;
} blk;

static void blk_config(virtio_dev *v, uint8_t *buf)
{
	blk *b = v->opaque;
	uint64_t sectors = b->size / SECTOR;
	uint16_t nq = (uint16_t)v->nqueues;

	memcpy(buf, &sectors, 8);	/* capacity */
	memcpy(buf + 34, &nq, 2);	/* num_queues (read with MQ) */
}

/* Copies len bytes between the disk at pos and the chain's data stream
 * at off (in: disk -> guest). Returns a status. */
static int transfer(virtio_dev *v, blk *b, const virtq_elem *e, uint64_t off, uint64_t pos,
		    uint64_t len, bool in)
{
	uint8_t buf[16384];

	if (pos > b->size || len > b->size - pos)
		return S_IOERR;
	if (!in && b->readonly)
		return S_IOERR;
	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		if (in) {
			if (disk_read(b->disk, pos, buf, n) || virtq_write(v, e, off, buf, n))
				return S_IOERR;
		} else {
			if (virtq_read(v, e, off, buf, n) || disk_write(b->disk, pos, buf, n))
				return S_IOERR;
		}
		off += n;
		pos += n;
		len -= n;
	}
	return S_OK;
}

static void blk_notify(virtio_dev *v, int q)
{
	blk *b = v->opaque;
	virtq_elem e;

	while (virtq_pop(v, q, &e) == 1) {
		struct { uint32_t type, reserved; uint64_t sector; } hdr;
		uint64_t out = virtq_len(&e, false), in = virtq_len(&e, true), written = 0;
		uint8_t status;
		bool ok;

		if (out < sizeof(hdr) || in < 1 || virtq_read(v, &e, 0, &hdr, sizeof(hdr)))
			return;		/* malformed: the driver gets nothing back */
		/* sector beyond the disk: an error, and sector * SECTOR cannot wrap */
		ok = hdr.sector <= b->size / SECTOR;
		switch (hdr.type) {
		case T_IN:
			written = in - 1;
			status = (uint8_t)(ok ? transfer(v, b, &e, 0, hdr.sector * SECTOR, in - 1, true)
					     : S_IOERR);
			break;
		case T_OUT:
			status = (uint8_t)(ok ? transfer(v, b, &e, sizeof(hdr), hdr.sector * SECTOR,
							 out - sizeof(hdr), false) : S_IOERR);
			break;
		case T_FLUSH:
			status = S_OK;	/* the overlay is written back when kwb exits */
			break;
		case T_GET_ID: {
			char id[20] = { 0 };
			snprintf(id, sizeof(id), "kwb-%s", b->id ? b->id : "disk");
			written = in - 1 < sizeof(id) ? in - 1 : sizeof(id);
			status = virtq_write(v, &e, 0, id, written) ? S_IOERR : S_OK;
			break;
		}
		default:
			status = S_UNSUPP;
		}
		if (virtq_write(v, &e, in - 1, &status, 1) ||
		    virtq_push(v, q, &e, (uint32_t)(written + 1)))
			return;
	}
}

static void blk_free(virtio_dev *v)
{
	blk *b = v->opaque;
	disk_close(b->disk);
	free(b);
}

/* The disk (its overlay's block map, the image it is on); requests hold
 * nothing between them. */
static const state_field blk_fields[] = {
	ST_PTR(blk, disk, disk_state),
	ST_END
};
static const state_desc blk_state = { .name = "virtio-blk", .version = 2, .fields = blk_fields };

static const virtio_model blk_model = {
	.name = "virtio-blk",
	.device_id = 2,
	.pci_class = 0x010000,	/* mass storage (SCSI), as QEMU */
	.features = VIRTIO_BLK_F_FLUSH,
	.nqueues = 1,
	.queue_max = 256,
	.config_size = 0x40,
	.config = blk_config,
	.notify = blk_notify,
	.free = blk_free,
	.state = &blk_state,
};

virtio_dev *virtio_blk_create(machine *m, const char *devname, dev_props *p,
			      const virtio_transport *tr, void *tr_opaque)
{
	const char *id = dev_prop(p, "drive");
	const kwb_drive *drv = NULL;
	blk *b;
	virtio_dev *v;
	/* QEMU: a request queue per CPU on PCI, one on virtio-mmio */
	uint64_t nq = dev_prop_uint(p, "num-queues", strcmp(tr->suffix, "pci") ? 1 : (uint64_t)m->ncpus, 1,
				    VIRTIO_MAX_QUEUES - 1);

	if (!id)
		kwb_usage_error("-device %s: needs drive=ID (and -drive file=...,id=ID)", devname);
	for (int i = 0; i < m->opt->ndrives; i++)
		if (m->opt->drives[i].id && !strcmp(m->opt->drives[i].id, id))
			drv = &m->opt->drives[i];
	if (!drv || !drv->file)
		kwb_usage_error("-device %s,drive=%s: no -drive with id=%s and a file", devname, id, id);
	if (drv->format && strcmp(drv->format, "raw"))
		kwb_usage_error("-drive %s: format=%s: only raw images are supported", drv->file,
				drv->format);
	b = kwb_zalloc(sizeof(*b));
	b->id = drv->id;
	b->disk = disk_open(m, drv, &b->readonly);
	b->size = disk_size(b->disk);
	v = virtio_dev_new(m, devname, &blk_model, b, (b->readonly ? VIRTIO_BLK_F_RO : 0) | (nq > 1 ? VIRTIO_BLK_F_MQ : 0),
			   tr, tr_opaque);
	v->nqueues = (int)nq;
	return v;
}
