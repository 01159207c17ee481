/* Outside input: queued at the ports, delivered and logged at round
 * boundaries, replayed from the log (see input.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "machine.h"

#define MAX_PORTS 32

struct input_port {
	machine *m;
	char name[40];
	int id;
	enum input_kind kind;
	input_port_ops ops;
	void *opaque;
	/* queue: stream bytes, or packets as u32 length + data */
	uint8_t *q;
	size_t qlen, qcap;
	size_t npackets;
};

/* One delivery (round, port) or one pull (seq), its bytes at data+off. */
typedef struct input_rec {
	uint64_t when;		/* round (deliveries) or pull sequence number */
	int port;
	uint32_t len;
	size_t off;
} input_rec;

typedef struct rec_list {
	input_rec *v;
	size_t n, cap;
} rec_list;

struct input_state {
	input_port *ports[MAX_PORTS];
	int nports;
	rec_list dels, pulls;
	uint8_t *data;
	size_t dlen, dcap;
	/* rounds < replay_end take their deliveries from the log (the
	 * machine is in its past), the next being dels.v[cursor] */
	uint64_t replay_end;
	size_t cursor;
};

static struct input_state *state_of(machine *m)
{
	if (!m->input)
		m->input = kwb_zalloc(sizeof(struct input_state));
	return m->input;
}

input_port *input_port_new(machine *m, const char *name, enum input_kind kind,
			   const input_port_ops *ops, void *opaque)
{
	struct input_state *s = state_of(m);
	input_port *p;

	if (s->nports == MAX_PORTS)
		kwb_fatal("input: too many input ports (adding %s)", name);
	p = kwb_zalloc(sizeof(*p));
	p->m = m;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->id = s->nports;
	p->kind = kind;
	p->ops = *ops;
	p->opaque = opaque;
	s->ports[s->nports++] = p;
	return p;
}

static void q_append(input_port *p, const void *buf, size_t len)
{
	if (p->qlen + len > p->qcap) {
		p->qcap = (p->qlen + len) * 2;
		p->q = kwb_realloc(p->q, p->qcap);
	}
	memcpy(p->q + p->qlen, buf, len);
	p->qlen += len;
}

size_t input_port_push(input_port *p, const uint8_t *buf, size_t len)
{
	if (p->kind == INPUT_STREAM) {
		if (len > INPUT_QUEUE_MAX - p->qlen)
			len = INPUT_QUEUE_MAX - p->qlen;
		q_append(p, buf, len);
		return len;
	}
	if (len > UINT32_MAX || p->qlen + 4 + len > INPUT_QUEUE_MAX)
		return 0;
	uint32_t n = (uint32_t)len;
	q_append(p, &n, 4);
	q_append(p, buf, len);
	p->npackets++;
	return len;
}

size_t input_port_queued(const input_port *p)
{
	return p->qlen;
}

static void log_rec(struct input_state *s, rec_list *l, uint64_t when, int port, const void *buf,
		    size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = kwb_realloc(l->v, l->cap * sizeof(*l->v));
	}
	if (s->dlen + len > s->dcap) {
		s->dcap = (s->dlen + len) * 2 + 4096;
		s->data = kwb_realloc(s->data, s->dcap);
	}
	memcpy(s->data + s->dlen, buf, len);
	l->v[l->n++] = (input_rec){ .when = when, .port = port, .len = (uint32_t)len, .off = s->dlen };
	s->dlen += len;
}

static size_t room(input_port *p)
{
	return p->ops.room ? p->ops.room(p->opaque) : SIZE_MAX;
}

/* Live: whatever the device takes now, logged with this round. */
static void deliver_live(struct input_state *s, input_port *p, uint64_t round)
{
	if (p->kind == INPUT_STREAM) {
		size_t n = room(p);
		if (n > p->qlen)
			n = p->qlen;
		if (!n)
			return;
		log_rec(s, &s->dels, round, p->id, p->q, n);
		p->ops.deliver(p->opaque, p->q, n);
		memmove(p->q, p->q + n, p->qlen - n);
		p->qlen -= n;
		return;
	}
	for (size_t k = room(p); k && p->npackets; k--) {
		uint32_t n;
		memcpy(&n, p->q, 4);
		log_rec(s, &s->dels, round, p->id, p->q + 4, n);
		p->ops.deliver(p->opaque, p->q + 4, n);
		memmove(p->q, p->q + 4 + n, p->qlen - 4 - n);
		p->qlen -= 4 + n;
		p->npackets--;
	}
}

void input_deliver(machine *m)
{
	struct input_state *s = m->input;
	uint64_t round = m->rounds;

	if (!s)
		return;
	if (round < s->replay_end) {
		/* the past: exactly what was delivered then */
		while (s->cursor < s->dels.n && s->dels.v[s->cursor].when < round)
			s->cursor++;
		for (; s->cursor < s->dels.n && s->dels.v[s->cursor].when == round; s->cursor++) {
			input_rec *r = &s->dels.v[s->cursor];
			input_port *p = s->ports[r->port];
			p->ops.deliver(p->opaque, s->data + r->off, r->len);
		}
		return;
	}
	for (int i = 0; i < s->nports; i++)
		if (s->ports[i]->qlen)
			deliver_live(s, s->ports[i], round);
	s->cursor = s->dels.n;
}

void input_pull(machine *m, void *buf, size_t len, void (*fetch)(void *buf, size_t len))
{
	struct input_state *s = state_of(m);
	uint64_t seq = m->input_pulls++;

	/* pulls are numbered in execution order; the number is machine
	 * state, so a restored machine asks for the same ones again */
	for (size_t i = s->pulls.n; i-- > 0 && s->pulls.v[i].when >= seq;) {
		if (s->pulls.v[i].when == seq && s->pulls.v[i].len == len) {
			memcpy(buf, s->data + s->pulls.v[i].off, len);
			return;
		}
	}
	fetch(buf, len);
	log_rec(s, &s->pulls, seq, -1, buf, len);
}

/* First delivery logged at or after round. */
static size_t first_at(struct input_state *s, uint64_t round)
{
	size_t lo = 0, hi = s->dels.n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->dels.v[mid].when < round)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void input_rewind(machine *m, uint64_t live_round)
{
	struct input_state *s = state_of(m);

	s->cursor = first_at(s, m->rounds);
	s->replay_end = live_round;
}

void input_truncate(machine *m, uint64_t from_round)
{
	struct input_state *s = state_of(m);

	s->dels.n = first_at(s, from_round);
	s->cursor = s->dels.n;
	while (s->pulls.n && s->pulls.v[s->pulls.n - 1].when >= m->input_pulls)
		s->pulls.n--;
	s->replay_end = 0;
	/* the bytes of dropped records stay until the log is freed: only
	 * what a record points to is ever read */
}

bool input_replaying(machine *m)
{
	return m->input && m->rounds < m->input->replay_end;
}

size_t input_log_bytes(machine *m)
{
	struct input_state *s = m->input;

	return s ? s->dcap + (s->dels.cap + s->pulls.cap) * sizeof(input_rec) : 0;
}

void input_free_all(machine *m)
{
	struct input_state *s = m->input;

	if (!s)
		return;
	for (int i = 0; i < s->nports; i++) {
		free(s->ports[i]->q);
		free(s->ports[i]);
	}
	free(s->dels.v);
	free(s->pulls.v);
	free(s->data);
	free(s);
	m->input = NULL;
}

void input_forget(machine *m)
{
	struct input_state *s = m->input;

	if (!s)
		return;
	s->dels.n = s->pulls.n = 0;
	s->dlen = 0;
	s->cursor = 0;
	s->replay_end = 0;
}
