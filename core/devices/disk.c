/* A -drive image under kwb's copy-on-write overlay (disk.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"
#include "../guestmem.h"
#include "../machine.h"
#include "../options.h"
#include "../state.h"

#define BLOCK GUESTMEM_PAGE
#define MAX_DISKS 16

struct disk {
	const char *path;
	int fd;			/* the image, read-only */
	bool write_back;	/* write the guest's blocks to the image at exit */
	uint64_t size;
	uint8_t *overlay;	/* size bytes, rounded up to BLOCK */
	guestmem *mem;
	/* per block: the guest wrote it (its contents are in the overlay) */
	uint8_t *written;
	size_t nblocks;
	/* the image's identity, as a snapshot must find it again */
	uint64_t base_size, base_mtime_ns, base_ino;
};

static disk *open_disks[MAX_DISKS];

uint64_t disk_size(const disk *d)
{
	return d->size;
}

int disk_read(disk *d, uint64_t pos, void *buf, uint64_t len)
{
	uint8_t *out = buf;

	if (pos > d->size || len > d->size - pos)
		return -1;
	while (len) {
		uint64_t b = pos / BLOCK, off = pos % BLOCK, n = BLOCK - off;
		if (n > len)
			n = len;
		if (d->written[b]) {
			memcpy(out, d->overlay + pos, n);
		} else if (pread(d->fd, out, n, (off_t)pos) != (ssize_t)n) {
			/* a block past a short image file reads as zeros */
			memset(out, 0, n);
		}
		out += n;
		pos += n;
		len -= n;
	}
	return 0;
}

int disk_write(disk *d, uint64_t pos, const void *buf, uint64_t len)
{
	const uint8_t *in = buf;

	if (pos > d->size || len > d->size - pos)
		return -1;
	while (len) {
		uint64_t b = pos / BLOCK, off = pos % BLOCK, n = BLOCK - off;
		if (n > len)
			n = len;
		guestmem_will_write(d->mem, b * BLOCK, BLOCK);	/* history saves it first */
		if (!d->written[b]) {
			/* the block's first write: the rest of it from the image */
			uint64_t bn = d->size - b * BLOCK < BLOCK ? d->size - b * BLOCK : BLOCK;
			if (pread(d->fd, d->overlay + b * BLOCK, bn, (off_t)(b * BLOCK)) != (ssize_t)bn)
				memset(d->overlay + b * BLOCK, 0, bn);
			d->written[b] = 1;
		}
		memcpy(d->overlay + pos, in, n);
		in += n;
		pos += n;
		len -= n;
	}
	return 0;
}

/* At exit (status, fatal error or a terminating signal): the blocks the
 * guest wrote go to the image. Async-signal-safe: pwrite only. */
static void write_back_all(void)
{
	for (int i = 0; i < MAX_DISKS; i++) {
		disk *d = open_disks[i];
		int fd;

		if (!d || !d->write_back)
			continue;
		d->write_back = false;
		fd = open(d->path, O_WRONLY);
		if (fd < 0)
			continue;
		for (size_t b = 0; b < d->nblocks; b++) {
			uint64_t n = d->size - b * BLOCK < BLOCK ? d->size - b * BLOCK : BLOCK;
			if (d->written[b] && pwrite(fd, d->overlay + b * BLOCK, n, (off_t)(b * BLOCK)) != (ssize_t)n)
				break;
		}
		close(fd);
	}
}

disk *disk_open(machine *m, const kwb_drive *drv, bool *readonly)
{
	disk *d = kwb_zalloc(sizeof(*d));
	struct stat st;
	char name[40];
	uint64_t mapped;
	int slot = -1;

	for (int i = 0; i < MAX_DISKS && slot < 0; i++)
		if (!open_disks[i])
			slot = i;
	if (slot < 0)
		kwb_usage_error("-drive file=%s: more than %d disks", drv->file, MAX_DISKS);
	d->path = drv->file;
	/* O_NONBLOCK: a FIFO must not block the open (it is refused below) */
	d->fd = open(drv->file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (d->fd < 0 || fstat(d->fd, &st))
		kwb_usage_error("-drive file=%s: %s", drv->file, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		kwb_usage_error("-drive file=%s: not a regular file or block device (%s)", drv->file,
				kwb_file_kind(st.st_mode));
	fcntl(d->fd, F_SETFL, fcntl(d->fd, F_GETFL) & ~O_NONBLOCK);
	*readonly = drv->readonly;
	/* written back only where kwb may write */
	d->write_back = !drv->readonly && !drv->snapshot;
	if (d->write_back && access(drv->file, W_OK)) {
		if (errno != EACCES && errno != EROFS)
			kwb_usage_error("-drive file=%s: %s", drv->file, strerror(errno));
		*readonly = true;	/* QEMU also falls back to read-only */
		d->write_back = false;
	}
	/* a block device's size is where its end is */
	off_t end = S_ISBLK(st.st_mode) ? lseek(d->fd, 0, SEEK_END) : st.st_size;
	d->size = (uint64_t)(end > 0 ? end : 0) & ~511ull;
	d->base_size = (uint64_t)(end > 0 ? end : 0);
	d->base_mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec;
	d->base_ino = (uint64_t)st.st_ino;
	d->nblocks = (d->size + BLOCK - 1) / BLOCK;
	mapped = d->nblocks * BLOCK;
	if (mapped) {
		d->overlay = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (d->overlay == MAP_FAILED)
			kwb_fatal("-drive file=%s: no memory for its overlay (%llu MiB)", drv->file,
				  (unsigned long long)(mapped >> 20));
	}
	d->written = kwb_zalloc(d->nblocks + 1);
	snprintf(name, sizeof(name), "disk:%s", drv->id);
	if (mapped) {
		d->mem = guestmem_register(m, name, d->overlay, mapped);
		d->mem->used = d->written;	/* a block is a page */
	}
	open_disks[slot] = d;
	kwb_cleanup_add(write_back_all);
	return d;
}

void disk_close(disk *d)
{
	for (int i = 0; i < MAX_DISKS; i++)
		if (open_disks[i] == d) {
			write_back_all();	/* also the others: harmless, once each */
			open_disks[i] = NULL;
		}
	if (d->overlay)
		munmap(d->overlay, d->nblocks * BLOCK);
	close(d->fd);
	free(d->written);
	free(d);
}

/* The overlay's contents are its guest memory; here, which blocks hold
 * the guest's writes, and the image they are on top of. */
static const state_field disk_fields[] = {
	ST_CONFIG_UINT(disk, base_size),
	ST_CONFIG_UINT(disk, base_mtime_ns),
	ST_CONFIG_UINT(disk, base_ino),
	ST_BUF(disk, written, nblocks),
	ST_END
};
const state_desc disk_state = { .name = "disk", .version = 1, .fields = disk_fields };
