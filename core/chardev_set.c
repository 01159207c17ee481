/*
 * -chardev BACKEND,id=ID,...: the machine's named character devices, for
 * -serial chardev:ID, -mon chardev=ID, -gdb chardev:ID and -device
 * virtconsole|virtserialport,chardev=ID. Back ends: stdio, socket (tcp or
 * unix, server or client), pty, file, null, ringbuf (kept in memory, read
 * with the monitor's ringbuf_read) and testdev (QEMU's: a guest writes
 * "<n>q" to exit with status 2n+1). mux=on lets the serial port and the
 * monitor share one (Ctrl-A c, as mon:stdio). The fds of every chardev but
 * the serial port's are polled through one poll hook.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chardev_int.h"
#include "devices/dev_props.h"
#include "machine.h"
#include "monitor.h"

#define MAX_CHARDEVS (KWB_MAX_CHARDEVS + 2)

struct chardev_set {
	chardev *c[MAX_CHARDEVS];
	int n;
	int index[MAX_CHARDEVS];	/* pollfd index of each, or -1 */
};

/* ---- ringbuf, testdev ---- */

void chardev_ringbuf_write(chardev *c, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		c->ring[(c->ring_head + c->ring_count) & (c->ring_size - 1)] = buf[i];
		if (c->ring_count < c->ring_size)
			c->ring_count++;
		else
			c->ring_head = (c->ring_head + 1) & (c->ring_size - 1);
	}
}

/* One command of QEMU's test protocol: spaces, a decimal argument, spaces,
 * a letter ('q': exit with status (n << 1) | 1). Returns the bytes eaten,
 * 0 while the command is incomplete. */
static size_t testdev_eat(chardev *c)
{
	size_t i = 0;
	unsigned long arg = 0;

	while (i < c->test_used && (c->test_buf[i] == ' ' || c->test_buf[i] == '\t' ||
				    c->test_buf[i] == '\n' || c->test_buf[i] == '\r'))
		i++;
	while (i < c->test_used && c->test_buf[i] >= '0' && c->test_buf[i] <= '9')
		arg = (arg * 10 + (c->test_buf[i++] - '0')) & 0x7fffffff;
	while (i < c->test_used && (c->test_buf[i] == ' ' || c->test_buf[i] == '\t' ||
				    c->test_buf[i] == '\n' || c->test_buf[i] == '\r'))
		i++;
	if (i == c->test_used)
		return 0;
	if (c->test_buf[i] == 'q') {
		int code = (int)((arg << 1) | 1) & 0xff;

		fprintf(stderr, "kwb: testdev: the guest asked to exit with status %d\n", code);
		if (c->m)
			machine_shutdown(c->m, code);
		else
			exit(code);
	}
	return i + 1;
}

void chardev_testdev_write(chardev *c, const uint8_t *buf, size_t len)
{
	while (len) {
		size_t n = sizeof(c->test_buf) - c->test_used, eaten;

		if (n > len)
			n = len;
		memcpy(c->test_buf + c->test_used, buf, n);
		c->test_used += n;
		buf += n;
		len -= n;
		while (c->test_used && (eaten = testdev_eat(c)) > 0) {
			memmove(c->test_buf, c->test_buf + eaten, c->test_used - eaten);
			c->test_used -= eaten;
		}
		if (c->test_used == sizeof(c->test_buf))
			c->test_used = 0;	/* 32 bytes without a command: QEMU drops them too */
	}
}

/* ---- -chardev ---- */

static chardev *open_one(machine *m, const char *spec)
{
	dev_props p;
	const char *v;
	chardev *c = NULL;
	char err[512] = "", buf[600], id[32];
	bool mux;

	dev_props_parse_opt(&p, "-chardev", spec);
	v = dev_prop(&p, "id");
	if (!v || !*v)
		kwb_usage_error("-chardev %s: Parameter 'id' is missing", spec);
	if (strlen(v) >= sizeof(id))
		kwb_usage_error("-chardev %s: id too long", spec);
	snprintf(id, sizeof(id), "%s", v);
	mux = dev_prop_bool(&p, "mux", false);
	dev_props_ignore(&p, (const char *const[]){ "signal", NULL });
	if (!strcmp(p.dev, "stdio") || !strcmp(p.dev, "null") || !strcmp(p.dev, "pty")) {
		c = chardev_open(p.dev, err, sizeof(err));
	} else if (!strcmp(p.dev, "file")) {
		if (!(v = dev_prop(&p, "path")) || !*v)
			kwb_usage_error("-chardev %s: Parameter 'path' is missing", spec);
		snprintf(buf, sizeof(buf), "file:%s", v);
		c = chardev_open(buf, err, sizeof(err));
	} else if (!strcmp(p.dev, "socket")) {
		c = chardev_socket_open(&p, err, sizeof(err));
	} else if (!strcmp(p.dev, "ringbuf") || !strcmp(p.dev, "memory")) {
		uint64_t size = dev_prop_uint(&p, "size", 65536, 1, 1u << 26);

		if (size & (size - 1))
			kwb_usage_error("-chardev %s: size=%llu: ring buffer size must be power of 2", spec,
					(unsigned long long)size);
		c = chardev_new(CD_RINGBUF);
		c->ring_size = (size_t)size;
		c->ring = kwb_zalloc(c->ring_size);
	} else if (!strcmp(p.dev, "testdev")) {
		c = chardev_new(CD_TESTDEV);
	} else {
		kwb_usage_error("-chardev %s: kwb has the back ends stdio, socket, pty, file, null, ringbuf, "
				"testdev ('%s' is not one)", spec, p.dev);
	}
	if (!c)
		kwb_usage_error("-chardev %s: %s", spec, err);
	dev_props_done(&p);
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->mux = mux;
	if (c->pty_name)	/* what scripts written for QEMU look for */
		fprintf(stderr, "kwb: char device redirected to %s (label %s)\n", c->pty_name, c->id);
	c->m = m;
	return c;
}

static void hook_fill(void *opaque, poll_set *ps, int64_t *timeout_ns)
{
	machine *m = opaque;
	struct chardev_set *s = m->chardevs;

	(void)timeout_ns;
	for (int i = 0; i < s->n; i++) {
		int fd = s->c[i] == m->serial ? -1 : chardev_fd(s->c[i]);

		s->index[i] = fd >= 0 ? poll_set_add(ps, fd, POLLIN) : -1;
	}
}

static void hook_dispatch(void *opaque, poll_set *ps)
{
	machine *m = opaque;
	struct chardev_set *s = m->chardevs;

	for (int i = 0; i < s->n; i++)
		if (s->index[i] >= 0 && s->index[i] < ps->n && ps->pfd[s->index[i]].revents)
			chardev_input_ready(s->c[i]);
}

static void add(machine *m, chardev *c)
{
	struct chardev_set *s = m->chardevs;

	if (s->n == MAX_CHARDEVS)
		kwb_usage_error("-chardev: more than %d", MAX_CHARDEVS);
	s->c[s->n++] = c;
}

/* The -chardev spec with id=ID, or NULL. */
static const char *spec_of(const kwb_options *o, const char *id)
{
	for (int i = 0; i < o->nchardevs; i++) {
		dev_props p;
		const char *v;
		bool match;

		dev_props_parse_opt(&p, "-chardev", o->chardevs[i]);
		v = dev_prop(&p, "id");
		match = v && !strcmp(v, id);
		dev_props_free(&p);
		if (match)
			return o->chardevs[i];
	}
	return NULL;
}

const char *chardev_gdb_spec(machine *m, char *buf, size_t len)
{
	const char *spec = m->opt->gdb;

	if (!spec || strncmp(spec, "chardev:", 8))
		return spec;
	chardev_gdb_address(m, spec + 8, buf, len);
	return buf;
}

void chardev_gdb_address(machine *m, const char *id, char *buf, size_t len)
{
	const char *spec = spec_of(m->opt, id), *host, *port, *path;
	dev_props p;

	if (!spec)
		kwb_usage_error("-gdb chardev:%s: chardev '%s' not found (-chardev ...,id=%s)", id, id, id);
	dev_props_parse_opt(&p, "-chardev", spec);
	host = dev_prop(&p, "host");
	port = dev_prop(&p, "port");
	path = dev_prop(&p, "path");
	if (strcmp(p.dev, "socket") || !dev_prop_bool(&p, "server", false) || (!port && !path))
		kwb_usage_error("-gdb chardev:%s: kwb serves gdb on a socket chardev with server=on "
				"(-chardev socket,id=%s,host=127.0.0.1,port=1234,server=on,wait=off)", id, id);
	if (path)
		snprintf(buf, len, "unix:%s", path);
	else
		snprintf(buf, len, "tcp:%s:%s", host && *host ? host : "127.0.0.1", port);
	dev_props_free(&p);
}

void chardevs_open(machine *m)
{
	const kwb_options *o = m->opt;
	const char *gdb_id = o->gdb && !strncmp(o->gdb, "chardev:", 8) ? o->gdb + 8 : NULL;

	m->chardevs = kwb_zalloc(sizeof(*m->chardevs));
	for (int i = 0; i < o->nchardevs; i++) {
		chardev *c;

		if (gdb_id && o->chardevs[i] == spec_of(o, gdb_id))
			continue;	/* the gdb server's (chardev_gdb_address) */
		if (o->dumpdtb) {	/* only the device tree: open nothing */
			dev_props p;
			const char *id;

			dev_props_parse_opt(&p, "-chardev", o->chardevs[i]);
			id = dev_prop(&p, "id");
			c = chardev_new(CD_NULL);
			snprintf(c->id, sizeof(c->id), "%s", id ? id : "");
			dev_props_free(&p);
		} else {
			c = open_one(m, o->chardevs[i]);
		}

		if (chardev_find(m, c->id))
			kwb_usage_error("-chardev %s: Duplicate ID '%s' for chardev", o->chardevs[i], c->id);
		add(m, c);
	}
	machine_add_poll_hook(m, &(poll_hook){ .fill = hook_fill, .dispatch = hook_dispatch, .opaque = m });
}

/* -mon chardev=ID[,mode=readline] and -monitor SPEC: the monitor there. */
void chardevs_open_monitor(machine *m)
{
	const kwb_options *o = m->opt;
	chardev *c = NULL;

	if (o->mon) {
		dev_props p;
		const char *id, *mode;
		char spec[300];

		snprintf(spec, sizeof(spec), "mon,%s", o->mon);	/* -mon has no type before its keys */
		dev_props_parse_opt(&p, "-mon", spec);
		id = dev_prop(&p, "chardev");
		mode = dev_prop(&p, "mode");
		dev_props_ignore(&p, (const char *const[]){ "pretty", "default", NULL });
		if (!id)
			kwb_usage_error("-mon %s: Parameter 'chardev' is missing", o->mon);
		if (mode && strcmp(mode, "readline"))
			kwb_usage_error("-mon %s: mode=%s: kwb's monitor is the human one (mode=readline); "
					"QMP is not modelled", o->mon, mode);
		c = chardev_take(m, id, "-mon", o->mon);
		dev_props_done(&p);
	} else if (o->monitor_spec) {
		char err[512] = "";

		c = chardev_open(o->monitor_spec, err, sizeof(err));
		if (!c)
			kwb_usage_error("-monitor %s: %s", o->monitor_spec, err);
		c->m = m;
		add(m, c);
	}
	if (!c)
		return;
	c->m = m;
	if (!c->mux) {
		c->mon_only = true;
		if (c->kind != CD_SOCKET || c->in_fd >= 0)
			chardev_say(c, "kwb monitor - type 'help' for more information\n(kwb) ");
	}
}

void chardevs_close(machine *m)
{
	struct chardev_set *s = m->chardevs;

	if (!s)
		return;
	machine_remove_poll_hook(m, m);
	for (int i = 0; i < s->n; i++)
		if (s->c[i] != m->serial)
			chardev_close(s->c[i]);
	free(s);
	m->chardevs = NULL;
}

chardev *chardev_find(machine *m, const char *id)
{
	struct chardev_set *s = m->chardevs;

	for (int i = 0; s && i < s->n; i++)
		if (s->c[i]->id[0] && !strcmp(s->c[i]->id, id))
			return s->c[i];
	return NULL;
}

chardev *chardev_take(machine *m, const char *id, const char *opt, const char *spec)
{
	chardev *c = chardev_find(m, id);

	if (!c)
		kwb_usage_error("%s %s: chardev '%s' not found (-chardev ...,id=%s)", opt, spec, id, id);
	if (c->user && !c->mux)
		kwb_usage_error("%s %s: Device '%s' is in use (by %s; mux=on shares it)", opt, spec, id, c->user);
	c->user = opt;
	return c;
}

/* ---- the monitor ---- */

static int cmd_ringbuf_read(mon_ctx *ctx, int argc, char **argv)
{
	chardev *c = argc == 3 ? chardev_find(ctx->m, argv[1]) : NULL;
	unsigned long n;

	if (argc != 3) {
		mon_printf(ctx->out, "usage: ringbuf_read ID SIZE\n");
		return -1;
	}
	if (!c || c->kind != CD_RINGBUF) {
		mon_printf(ctx->out, "%s is not a ringbuf device\n", argv[1]);
		return -1;
	}
	n = strtoul(argv[2], NULL, 0);
	for (; n && c->ring_count; n--, c->ring_count--) {
		uint8_t b = c->ring[c->ring_head];

		c->ring_head = (c->ring_head + 1) & (c->ring_size - 1);
		if (b == '\n' || (b >= 0x20 && b < 0x7f))
			mon_printf(ctx->out, "%c", b);
		else if (b != '\r')
			mon_printf(ctx->out, "\\u%04x", b);
	}
	mon_printf(ctx->out, "\n");
	return 0;
}

static int cmd_ringbuf_write(mon_ctx *ctx, int argc, char **argv)
{
	chardev *c = argc >= 3 ? chardev_find(ctx->m, argv[1]) : NULL;

	if (argc < 3) {
		mon_printf(ctx->out, "usage: ringbuf_write ID DATA\n");
		return -1;
	}
	if (!c || c->kind != CD_RINGBUF) {
		mon_printf(ctx->out, "%s is not a ringbuf device\n", argv[1]);
		return -1;
	}
	for (int i = 2; i < argc; i++) {
		if (i > 2)
			chardev_feed(c, (const uint8_t *)" ", 1);
		chardev_feed(c, (const uint8_t *)argv[i], strlen(argv[i]));
	}
	return 0;
}

static int cmd_info_chardev(mon_ctx *ctx, int argc, char **argv)
{
	static const char *const kinds[] = { "stdio", "pty", "file", "null", "socket", "ringbuf", "testdev" };
	struct chardev_set *s = ctx->m->chardevs;

	(void)argc, (void)argv;
	if (ctx->m->serial && (!s || !chardev_find(ctx->m, ctx->m->serial->id[0] ? ctx->m->serial->id : "")))
		mon_printf(ctx->out, "serial0: %s%s\n", kinds[ctx->m->serial->kind],
			   ctx->m->serial->mux ? " (mux: the monitor on Ctrl-A c)" : "");
	for (int i = 0; s && i < s->n; i++) {
		chardev *c = s->c[i];

		mon_printf(ctx->out, "%s: %s", c->id[0] ? c->id : "monitor", kinds[c->kind]);
		if (c->kind == CD_SOCKET)
			mon_printf(ctx->out, " %s%s", c->in_fd >= 0 ? "connected:" : "disconnected:", c->desc);
		if (c->pty_name)
			mon_printf(ctx->out, " %s", c->pty_name);
		mon_printf(ctx->out, "%s%s%s\n", c->user ? ", used by " : "", c->user ? c->user : "",
			   c->mux ? ", mux" : "");
	}
	return 0;
}

MONITOR_COMMANDS(chardev_commands) {
	{ "ringbuf_read", "ID SIZE", "read (and drop) up to SIZE bytes a ringbuf chardev holds", cmd_ringbuf_read },
	{ "ringbuf_write", "ID DATA", "send DATA to the guest through a ringbuf chardev", cmd_ringbuf_write },
	{ "info chardev", "", "the character devices and what uses them", cmd_info_chardev },
	{ 0 }
};
