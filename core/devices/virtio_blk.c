/*
 * virtio block device (virtio-blk-pci / virtio-blk-device, drive=ID)
 * backed by a raw -drive file under kwb's overlay (disk.h): read, write,
 * flush, get-id, discard and write-zeroes, one request at a time, run
 * when the driver notifies the queue. Features and configuration are
 * QEMU 7.2's defaults (seg_max, geometry, block size, topology, the
 * writable cache mode, discard and write-zeroes limits).
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
#define VIRTIO_BLK_F_SEG_MAX (1ull << 2)
#define VIRTIO_BLK_F_GEOMETRY (1ull << 4)
#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ull << 6)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)
#define VIRTIO_BLK_F_TOPOLOGY (1ull << 10)
#define VIRTIO_BLK_F_CONFIG_WCE (1ull << 11)
#define VIRTIO_BLK_F_MQ (1ull << 12)
#define VIRTIO_BLK_F_DISCARD (1ull << 13)
#define VIRTIO_BLK_F_WRITE_ZEROES (1ull << 14)
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WRITE_ZEROES = 13 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };
#define QUEUE_SIZE 256		/* QEMU's queue-size */
#define MAX_DWZ_SECTORS 4194303	/* QEMU's max-discard-sectors and max-write-zeroes-sectors */
#define WZ_UNMAP 1

typedef struct blk {
	disk *disk;		/* the image under kwb's overlay */
	bool readonly;
	uint64_t size;		/* bytes */
	const char *id;
	uint16_t cyls;		/* geometry, guessed at start as QEMU does */
	uint8_t heads, secs;
	uint8_t wce;		/* cache mode (writeback 1), the driver may write it */
} blk;

/* The config space (struct virtio_blk_config) as QEMU 7.2 fills it. */
static void blk_config(virtio_dev *v, uint8_t *buf)
{
	blk *b = v->opaque;
	uint64_t sectors = b->size / SECTOR;
	uint16_t nq = (uint16_t)v->nqueues;
	uint32_t seg_max = QUEUE_SIZE - 2, blk_size = SECTOR, max_dwz = MAX_DWZ_SECTORS, one = 1;

	memcpy(buf, &sectors, 8);		/* capacity */
	memcpy(buf + 12, &seg_max, 4);
	memcpy(buf + 16, &b->cyls, 2);		/* geometry */
	buf[18] = b->heads;
	buf[19] = b->secs;
	memcpy(buf + 20, &blk_size, 4);		/* topology: all 0 (physical = logical) */
	buf[32] = b->wce;
	memcpy(buf + 34, &nq, 2);		/* num_queues */
	memcpy(buf + 36, &max_dwz, 4);		/* max_discard_sectors */
	memcpy(buf + 40, &one, 4);		/* max_discard_seg */
	memcpy(buf + 44, &one, 4);		/* discard_sector_alignment: one block */
	memcpy(buf + 48, &max_dwz, 4);		/* max_write_zeroes_sectors */
	memcpy(buf + 52, &one, 4);		/* max_write_zeroes_seg */
	buf[56] = 1;				/* write_zeroes_may_unmap */
}

static void blk_config_write(virtio_dev *v, uint32_t off, uint64_t val, unsigned size)
{
	blk *b = v->opaque;

	if (off <= 32 && off + size > 32)	/* writeback <-> writethrough */
		b->wce = (uint8_t)(val >> (8 * (32 - off))) != 0;
}

/* QEMU's hd_geometry_guess for a raw image: the MBR's first usable
 * partition gives heads and sectors, else 16 heads, 63 sectors and the
 * cylinders the size makes (2 to 16383). */
static void guess_geometry(blk *b)
{
	uint64_t sectors = b->size / SECTOR;
	uint8_t mbr[SECTOR];

	if (b->size >= SECTOR && !disk_read(b->disk, 0, mbr, SECTOR) && mbr[510] == 0x55 && mbr[511] == 0xaa) {
		for (int i = 0; i < 4; i++) {
			const uint8_t *pe = mbr + 446 + 16 * i;
			uint32_t nr_sects;
			unsigned heads = pe[5] + 1u, secs = pe[6] & 63;
			uint64_t cyls;

			memcpy(&nr_sects, pe + 12, 4);
			if (!nr_sects || !pe[5] || !secs)
				continue;
			cyls = sectors / (heads * secs);
			if (cyls < 1 || cyls > 16383)
				continue;
			if (heads > 16)
				break;		/* a BIOS translation: the size's guess */
			b->cyls = (uint16_t)cyls, b->heads = (uint8_t)heads, b->secs = (uint8_t)secs;
			return;
		}
	}
	b->cyls = (uint16_t)(sectors / (16 * 63) > 16383 ? 16383 : sectors / (16 * 63) < 2 ? 2 : sectors / (16 * 63));
	b->heads = 16;
	b->secs = 63;
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

/* Discard and write-zeroes: one segment {sector, num_sectors, flags}
 * after the header, checked as QEMU does. */
static int discard_write_zeroes(virtio_dev *v, blk *b, const virtq_elem *e, uint64_t out, bool wz)
{
	struct { uint64_t sector; uint32_t num, flags; } seg;
	static const uint8_t zero[16384];
	uint64_t pos, len;

	if (out != 16 + sizeof(seg) || virtq_read(v, e, 16, &seg, sizeof(seg)))
		return S_UNSUPP;
	if (seg.flags & ~(wz ? WZ_UNMAP : 0))
		return S_UNSUPP;
	if (seg.num > MAX_DWZ_SECTORS || seg.sector > b->size / SECTOR || seg.num > b->size / SECTOR - seg.sector)
		return S_IOERR;
	if (b->readonly)
		return S_IOERR;
	/* a discarded range reads back as zeros on QEMU's raw files too */
	for (pos = seg.sector * SECTOR, len = (uint64_t)seg.num * SECTOR; len;) {
		size_t n = len < sizeof(zero) ? (size_t)len : sizeof(zero);
		if (disk_write(b->disk, pos, zero, n))
			return S_IOERR;
		pos += n;
		len -= n;
	}
	return S_OK;
}

static void blk_drain(virtio_dev *v, int q)
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
		case T_DISCARD:
		case T_WRITE_ZEROES:
			status = (uint8_t)discard_write_zeroes(v, b, &e, out, hdr.type == T_WRITE_ZEROES);
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

/* As QEMU's virtio_blk_handle_vq: no kicks while the queue is drained,
 * then kicks again, until it is found empty. */
static void blk_notify(virtio_dev *v, int q)
{
	do {
		virtq_set_notification(v, q, false);
		blk_drain(v, q);
		virtq_set_notification(v, q, true);
	} while (virtq_avail(v, q));
}

static void blk_reset(virtio_dev *v)
{
	((blk *)v->opaque)->wce = 1;
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
	ST_U8(blk, wce),
	ST_END
};
static const state_desc blk_state = { .name = "virtio-blk", .version = 3, .fields = blk_fields };

static const virtio_model blk_model = {
	.name = "virtio-blk",
	.device_id = 2,
	.pci_class = 0x010000,	/* mass storage (SCSI), as QEMU */
	.features = VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_GEOMETRY | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH |
		    VIRTIO_BLK_F_TOPOLOGY | VIRTIO_BLK_F_CONFIG_WCE | VIRTIO_BLK_F_DISCARD |
		    VIRTIO_BLK_F_WRITE_ZEROES,
	.nqueues = 1,
	.queue_max = QUEUE_SIZE,
	.config_size = 57,	/* QEMU's: up to write_zeroes_may_unmap */
	.config = blk_config,
	.config_write = blk_config_write,
	.notify = blk_notify,
	.reset = blk_reset,
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
	b->wce = 1;
	guess_geometry(b);
	v = virtio_dev_new(m, devname, &blk_model, b, (b->readonly ? VIRTIO_BLK_F_RO : 0) | (nq > 1 ? VIRTIO_BLK_F_MQ : 0),
			   tr, tr_opaque);
	v->nqueues = (int)nq;
	return v;
}
