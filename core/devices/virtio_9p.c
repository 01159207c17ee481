/*
 * virtio-9p (virtio-9p-pci, virtio-9p-device; -virtfs and -fsdev): the
 * guest mounts a host directory with
 *	mount -t 9p -o trans=virtio,version=9p2000.L TAG /mnt
 * As QEMU 7.2's: device ID 9, feature MOUNT_TAG, config space tag_len
 * (le16) then the tag without its NUL, one request queue of 128. A request
 * is one chain: the T-message in the driver's buffers, room for the
 * R-message in the device's; it is answered whole inside notify()
 * (bounded: one message is at most msize, P9_MAX_MSIZE at most).
 *
 * Deterministic replay: what the host share answers is outside input. Each
 * reply is pulled through core/input.h (its length, then its bytes), so
 * the host runs a request once, at the present; history re-executing the
 * past gets the logged replies and never touches the host again. The fid
 * table and the open host files are host state, kept out of the state
 * description: `seq` (requests answered in this timeline) is in it, the
 * server counts the requests the host executed, and a request arriving
 * while the two differ (the machine went back and took a new path, or
 * loaded another state) finds the share as the present left it: the
 * server drops every fid and answers the old ones with ESTALE until the
 * guest mounts again (Tversion). Files the abandoned future wrote stay.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "virtio.h"
#include "virtio_9p.h"
#include "../input.h"
#include "../machine.h"
#include "../monitor.h"
#include "../state.h"
#include "../trace.h"

#define VIRTIO_9P_MOUNT_TAG 1ull
#define MAX_TAG_LEN 255		/* QEMU's: the tag is at most 254 bytes */

typedef struct p9dev {
	machine *m;
	virtio_dev *v;
	virtio_model model;	/* per device: the config size is the tag's */
	p9_server *srv;
	char tag[MAX_TAG_LEN];
	char export_desc[96];
	uint8_t *req, *resp;
	size_t req_cap, resp_cap;
	uint64_t host_seq;	/* requests the host share executed (not state) */
	/* state */
	uint64_t seq;		/* requests answered in this timeline */
} p9dev;

static void p9_config(virtio_dev *v, uint8_t *buf)
{
	p9dev *d = v->opaque;
	size_t len = strlen(d->tag);

	buf[0] = (uint8_t)len;
	buf[1] = (uint8_t)(len >> 8);
	memcpy(buf + 2, d->tag, len);
}

static void grow(uint8_t **buf, size_t *cap, size_t need)
{
	if (need > *cap) {
		*buf = kwb_realloc(*buf, need);
		*cap = need;
	}
}

/* input_pull's fetch has no context: the request being answered */
static struct { p9dev *d; size_t len, cap; } cur;

static void fetch_reply(void *buf, size_t len)
{
	p9dev *d = cur.d;
	uint32_t n;

	(void)len;
	if (d->seq != d->host_seq)
		p9_server_invalidate(d->srv);	/* another timeline's session */
	n = (uint32_t)p9_server_handle(d->srv, d->req, cur.len, d->resp, cur.cap);
	d->host_seq = d->seq + 1;
	memcpy(buf, &n, 4);
}

static void fetch_body(void *buf, size_t len)
{
	memmove(buf, cur.d->resp, len);
}

/* The reply to the request in d->req: run on the host at the present, the
 * logged one in a replay. */
static uint32_t answer(p9dev *d, size_t len, size_t cap)
{
	uint32_t n;

	cur.d = d;
	cur.len = len;
	cur.cap = cap;
	input_pull(d->m, &n, 4, fetch_reply);
	if (n > cap)
		n = 0;		/* never: a replay of this very request fitted */
	if (n)
		input_pull(d->m, d->resp, n, fetch_body);
	d->seq++;
	return n;
}

static void p9_notify(virtio_dev *v, int q)
{
	p9dev *d = v->opaque;
	virtq_elem e;

	while (virtq_pop(v, q, &e) == 1) {
		uint64_t out = virtq_len(&e, false), in = virtq_len(&e, true);
		size_t len = out < P9_MAX_MSIZE ? (size_t)out : P9_MAX_MSIZE;
		size_t cap = in < P9_MAX_MSIZE ? (size_t)in : P9_MAX_MSIZE;
		uint32_t n;

		if (out < P9_HDR || in < 11) {
			virtio_broken(v, "9p: a request without a header or without room for a reply");
			return;
		}
		grow(&d->req, &d->req_cap, len);
		grow(&d->resp, &d->resp_cap, cap);
		if (virtq_read(v, &e, 0, d->req, len))
			return;
		n = answer(d, len, cap);
		if (!n) {
			virtio_broken(v, "9p: reply does not fit");
			return;
		}
		if (unlikely(trace_on(v->m->trace, TRACE_DEV))) {
			uint32_t err = 0;

			if (d->resp[4] == 7)
				memcpy(&err, d->resp + 7, 4);
			trace_dev(v->m, v->name, "%s tag %u: %s%.0u (%u bytes)", p9_msg_name(d->req[4]),
				  d->req[5] | d->req[6] << 8, d->resp[4] == 7 ? "Rlerror " : "ok", err, n);
		}
		if (virtq_write(v, &e, 0, d->resp, n) || virtq_push(v, q, &e, n))
			return;
	}
}

static void p9_reset(virtio_dev *v)
{
	p9dev *d = v->opaque;

	/* in a replay the host share stays at the present */
	if (!input_replaying(d->m)) {
		p9_server_reset(d->srv);
		d->host_seq = d->seq;
	}
}

static void p9_free(virtio_dev *v)
{
	p9dev *d = v->opaque;

	p9_server_free(d->srv);
	free(d->req);
	free(d->resp);
	free(d);
}

static void p9_info(void *obj, mon_out *o)
{
	p9dev *d = obj;

	mon_printf(o, "  share: tag %s, %s; session msize %u, %u fids%s\n", d->tag, d->export_desc,
		   p9_server_msize(d->srv), p9_server_nfids(d->srv),
		   d->seq != d->host_seq ? " (of another timeline: stale)" : "");
}

static const state_field p9_fields[] = {
	ST_UINT_DEC(p9dev, seq),
	ST_END
};
static const state_desc p9_state = {
	.name = "virtio-9p", .version = 1, .fields = p9_fields, .info = p9_info,
};

static const virtio_model p9_model = {
	.name = "virtio-9p",
	.device_id = 9,
	.pci_class = 0x000200,	/* QEMU's class_id 0x0002 */
	.features = VIRTIO_9P_MOUNT_TAG,
	.nqueues = 1,
	.queue_max = 128,	/* QEMU's MAX_REQ */
	.config = p9_config,
	.notify = p9_notify,
	.reset = p9_reset,
	.free = p9_free,
	.state = &p9_state,
};

/* ---- -fsdev / -virtfs ---- */

/* The -fsdev (or -virtfs) with this id: parsed into e (strings live in p,
 * which the caller frees with dev_props_free). */
static bool find_fsdev(machine *m, const char *id, dev_props *p)
{
	bool found = false;

	for (int i = 0; i < m->opt->nfsdevs; i++) {
		const char *spec = m->opt->fsdevs[i];
		bool virtfs = !strncmp(spec, "virtfs:", 7);
		dev_props t;
		const char *tid;

		dev_props_parse_opt(&t, virtfs ? "-virtfs" : "-fsdev", virtfs ? spec + 7 : spec);
		tid = dev_prop(&t, "id");
		if (!tid && virtfs)
			tid = dev_prop(&t, "mount_tag");
		if (!tid || strcmp(tid, id)) {
			dev_props_free(&t);
			continue;
		}
		if (found)
			kwb_usage_error("%s %s: duplicate fsdev id: %s", t.opt, t.spec, id);
		found = true;
		*p = t;
	}
	return found;
}

static void parse_export(dev_props *p, p9_export *e)
{
	const char *sm = dev_prop(p, "security_model"), *md = dev_prop(p, "multidevs");
	static const char hint[] = " (valid: security_model=passthrough|mapped-xattr|none)";

	dev_props_ignore(p, (const char *const[]){ "id", "mount_tag", "writeout", NULL });
	if (strcmp(p->dev, "local"))
		kwb_usage_error("%s %s: fsdriver %s: kwb has the local driver only", p->opt, p->spec, p->dev);
	e->path = dev_prop(p, "path");
	if (!sm)
		kwb_usage_error("%s %s: security_model property not set%s", p->opt, p->spec, hint);
	if (!strcmp(sm, "passthrough"))
		e->sm = P9_SM_PASSTHROUGH;
	else if (!strcmp(sm, "mapped") || !strcmp(sm, "mapped-xattr"))
		e->sm = P9_SM_MAPPED_XATTR;
	else if (!strcmp(sm, "none"))
		e->sm = P9_SM_NONE;
	else if (!strcmp(sm, "mapped-file"))
		kwb_usage_error("%s %s: security_model=mapped-file is not supported by kwb (use mapped-xattr)",
				p->opt, p->spec);
	else
		kwb_usage_error("%s %s: invalid security_model property '%s'%s", p->opt, p->spec, sm, hint);
	if (md && strcmp(md, "warn"))
		kwb_usage_error("%s %s: multidevs=%s: kwb serves one device per export (multidevs=warn)",
				p->opt, p->spec, md);
	if (!e->path)
		kwb_usage_error("%s %s: path property not set", p->opt, p->spec);
	e->readonly = dev_prop_bool(p, "readonly", false);
	if (e->sm != P9_SM_MAPPED_XATTR && (dev_prop(p, "fmode") || dev_prop(p, "dmode")))
		kwb_usage_error("%s %s: %s is only valid for mapped security modes", p->opt, p->spec,
				dev_prop(p, "fmode") ? "fmode" : "dmode");
	e->fmode = (mode_t)dev_prop_uint(p, "fmode", 0600, 0, 07777) & 0777;
	e->dmode = (mode_t)dev_prop_uint(p, "dmode", 0700, 0, 07777) & 0777;
}

virtio_dev *virtio_9p_create(machine *m, const char *devname, dev_props *p,
			     const virtio_transport *tr, void *tr_opaque)
{
	const char *id = dev_prop(p, "fsdev"), *tag = dev_prop(p, "mount_tag");
	static const char *const sm_names[] = { "none", "passthrough", "mapped-xattr" };
	p9dev *d = kwb_zalloc(sizeof(*d));
	p9_export e = { 0 };
	dev_props fp;
	char err[PATH_MAX + 128];

	if (!id || !find_fsdev(m, id, &fp))
		kwb_usage_error("-device %s: 9pfs device couldn't find fsdev with the id = %s", devname,
				id ? id : "NULL");
	if (!tag)
		kwb_usage_error("-device %s: fsdev with id %s needs mount_tag arguments", devname, id);
	if (strlen(tag) > MAX_TAG_LEN - 1)
		kwb_usage_error("-device %s: mount tag '%s' (%zu bytes) is longer than maximum (%d bytes)",
				devname, tag, strlen(tag), MAX_TAG_LEN - 1);
	parse_export(&fp, &e);
	snprintf(d->tag, sizeof(d->tag), "%s", tag);
	d->srv = p9_server_new(&e, err, sizeof(err));
	if (!d->srv)
		kwb_usage_error("-device %s,fsdev=%s: cannot initialize fsdev '%s': %s", devname, id, id, err);
	snprintf(d->export_desc, sizeof(d->export_desc), "%.60s, %s%s", e.path, sm_names[e.sm],
		 e.readonly ? ", read-only" : "");
	if (e.sm == P9_SM_MAPPED_XATTR && getxattr(e.path, "user.virtfs.uid", NULL, 0) < 0 &&
	    (errno == ENOTSUP || errno == EOPNOTSUPP))
		kwb_warn("-fsdev %s: %s has no user xattrs: security_model=mapped-xattr cannot create files there",
			 id, e.path);
	dev_props_done(&fp);	/* any key nobody knows: one line; e's strings go */
	d->m = m;
	d->model = p9_model;
	d->model.config_size = 2 + (uint32_t)strlen(d->tag);
	d->host_seq = d->seq;
	d->v = virtio_dev_new(m, devname, &d->model, d, 0, tr, tr_opaque);
	return d->v;
}
