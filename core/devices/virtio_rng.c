/*
 * virtio entropy device (virtio-rng-pci, virtio-rng-device). Like QEMU,
 * entropy comes from the host (getrandom) by default, logged as outside
 * input so history replays it; `seed=N` makes it a seeded xorshift stream
 * instead, so a run can be repeated exactly.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "virtio.h"
#include "../input.h"
#include "../machine.h"
#include "../state.h"

typedef struct rng {
	machine *m;
	bool seeded;
	uint64_t state, seed;
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

static void rng_notify(virtio_dev *v, int q)
{
	virtq_elem e;
	uint8_t buf[4096];
	bool pushed = false;

	while (virtq_pop(v, q, &e) == 1) {
		uint64_t len = virtq_len(&e, true), done = 0;

		while (done < len) {
			size_t n = len - done < sizeof(buf) ? (size_t)(len - done) : sizeof(buf);
			fill(v->opaque, buf, n);
			if (virtq_write(v, &e, done, buf, n))
				return;
			done += n;
		}
		if (virtq_push_quiet(v, q, &e, (uint32_t)len))
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
	free(v->opaque);
}

static const state_field rng_fields[] = {
	ST_U64(rng, state),
	ST_END
};
static const state_desc rng_state = { .name = "virtio-rng", .version = 1, .fields = rng_fields };

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
	if (dev_prop(p, "seed")) {
		r->seed = dev_prop_uint(p, "seed", 0, 0, UINT64_MAX);
		r->seeded = true;
	}
	return virtio_dev_new(m, devname, &rng_model, r, 0, tr, tr_opaque);
}
