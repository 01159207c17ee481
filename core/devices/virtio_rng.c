/*
 * virtio entropy device (virtio-rng-pci, virtio-rng-device). Like QEMU,
 * entropy comes from the host (getrandom) by default, logged as outside
 * input so history replays it; `seed=N` makes it a seeded xorshift stream
 * instead, so a run can be repeated exactly; `rng=ID` naming `-object
 * rng-random,id=ID,filename=FILE` with a regular file reads FILE from the
 * start as QEMU does (the same bytes on both: the difftest), a short read
 * at its end.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virtio.h"
#include "../input.h"
#include "../machine.h"
#include "../state.h"

typedef struct rng {
	machine *m;
	bool seeded;
	uint64_t state, seed;
	int fd;			/* rng-random's regular file, or -1 */
	uint64_t file_pos;	/* how much of it the guest has had */
} rng;

static void host_entropy(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n <= 0) {
			memset(p, 0, len);	/* never: getrandom blocks until seeded */
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Host entropy is outside input: logged, so history replays the same
 * bytes (core/input.h). */
static void fill(rng *r, uint8_t *buf, size_t len)
{
	if (!r->seeded) {
		input_pull(r->m, buf, len, host_entropy);
		return;
	}
	for (size_t i = 0; i < len; i++) {	/* xorshift64*: a repeatable stream */
		r->state ^= r->state >> 12;
		r->state ^= r->state << 25;
		r->state ^= r->state >> 27;
		buf[i] = (uint8_t)((r->state * 0x2545f4914f6cdd1dull) >> 56);
	}
}

/* From the file: what is left of it, up to len. */
static size_t fill_file(rng *r, uint8_t *buf, size_t len)
{
	ssize_t n = pread(r->fd, buf, len, (off_t)r->file_pos);

	if (n <= 0)
		return 0;
	r->file_pos += (uint64_t)n;
	return (size_t)n;
}

static void rng_notify(virtio_dev *v, int q)
{
	rng *r = v->opaque;
	virtq_elem e;
	uint8_t buf[4096];
	bool pushed = false;
	struct stat st;

	/* a file at its end gives nothing: the requests wait, as on QEMU */
	while ((r->fd < 0 || (!fstat(r->fd, &st) && (uint64_t)st.st_size > r->file_pos)) &&
	       virtq_pop(v, q, &e) == 1) {
		uint64_t len = virtq_len(&e, true), done = 0;

		while (done < len) {
			size_t n = len - done < sizeof(buf) ? (size_t)(len - done) : sizeof(buf);
			if (r->fd >= 0)
				n = fill_file(r, buf, n);
			else
				fill(r, buf, n);
			if (!n)
				break;		/* the file ended */
			if (virtq_write(v, &e, done, buf, n))
				return;		/* broken */
			done += n;
		}
		if (virtq_push_quiet(v, q, &e, (uint32_t)done))
			return;
		pushed = true;
	}
	if (pushed)		/* QEMU's chr_read: one notification for the batch */
		virtq_notify(v, q);
}

static void rng_reset(virtio_dev *v)
{
	rng *r = v->opaque;
	r->state = r->seed ? r->seed : 0x9e3779b97f4a7c15ull;
}

static void rng_free(virtio_dev *v)
{
	rng *r = v->opaque;

	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

static const state_field rng_fields[] = {
	ST_U64(rng, state),
	ST_UINT_DEC(rng, file_pos),
	ST_END
};
static const state_desc rng_state = { .name = "virtio-rng", .version = 2, .fields = rng_fields };

/* rng=ID: the -object rng-random with id=ID and a regular file as its
 * filename (QEMU's default, /dev/urandom, stays host entropy). */
static int open_backend(machine *m, const char *devname, const char *id)
{
	const kwb_options *o = m->opt;

	for (int i = 0; i < o->nobjects; i++) {
		dev_props p;
		const char *oid, *file;
		int fd = -1;
		struct stat st;
		bool random;

		dev_props_parse_opt(&p, "-object", o->objects[i]);
		random = !strcmp(p.dev, "rng-random");
		oid = dev_prop(&p, "id");
		file = dev_prop(&p, "filename");
		if (oid && !strcmp(oid, id) && random && file && !stat(file, &st) && S_ISREG(st.st_mode)) {
			fd = open(file, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				kwb_fatal("-device %s,rng=%s: cannot open %s", devname, id, file);
		}
		dev_props_free(&p);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

static const virtio_model rng_model = {
	.name = "virtio-rng",
	.device_id = 4,
	.pci_class = 0x00ff00,	/* PCI_CLASS_OTHERS (base 0, sub-class 0xff), as QEMU */
	.nqueues = 1,
	.queue_max = 8,		/* QEMU virtio-rng's queue */
	.notify = rng_notify,
	.reset = rng_reset,
	.free = rng_free,
	.state = &rng_state,
};

virtio_dev *virtio_rng_create(machine *m, const char *devname, dev_props *p,
			      const virtio_transport *tr, void *tr_opaque)
{
	rng *r = kwb_zalloc(sizeof(*r));

	r->m = m;
	r->fd = dev_prop(p, "rng") ? open_backend(m, devname, dev_prop(p, "rng")) : -1;
	if (dev_prop(p, "seed")) {
		r->seed = dev_prop_uint(p, "seed", 0, 0, UINT64_MAX);
		r->seeded = true;
	}
	return virtio_dev_new(m, devname, &rng_model, r, 0, tr, tr_opaque);
}
