/* core/input.h: outside input is delivered at round boundaries, logged,
 * and handed over again from the log when history rewinds; pulled host
 * data comes back from the log in a replay. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/input.h"
#include "core/machine.h"
#include "core/options.h"

typedef struct sink {
	uint8_t got[256];
	size_t n, room;
	int calls;
} sink;

static size_t sink_room(void *opaque)
{
	sink *k = opaque;
	return k->room - k->n;
}

static void sink_deliver(void *opaque, const uint8_t *buf, size_t len)
{
	sink *k = opaque;
	memcpy(k->got + k->n, buf, len);
	k->n += len;
	k->calls++;
}

static const input_port_ops ops = { .room = sink_room, .deliver = sink_deliver };

static machine *board(void)
{
	char *argv[] = { "kwb", "-arch", "riscv64", "-M", "virt", "-m", "64M", "-serial", "none",
			 "-bios", "none", NULL };
	kwb_options *opt = kwb_zalloc(sizeof(*opt));

	options_parse(opt, 11, argv);
	return machine_create(opt);
}

static void done(machine *m)
{
	const kwb_options *opt = m->opt;
	machine_free(m);
	free((void *)opt);
}

static void stream_and_replay(void)
{
	machine *m = board();
	sink k = { .room = 4 };
	input_port *p = input_port_new(m, "test", INPUT_STREAM, &ops, &k);

	CHECK_EQ(input_port_push(p, (const uint8_t *)"abcdef", 6), 6);
	CHECK_EQ(k.n, 0);			/* queued, not delivered */
	m->rounds = 10;
	input_deliver(m);
	CHECK(k.n == 4 && !memcmp(k.got, "abcd", 4));	/* as much as fits */
	CHECK_EQ(input_port_queued(p), 2);
	k.room = 100;
	m->rounds = 11;
	input_deliver(m);
	CHECK(k.n == 6 && !memcmp(k.got, "abcdef", 6));
	/* back to round 10: the log gives the same bytes at the same rounds,
	 * live input waits */
	input_port_push(p, (const uint8_t *)"X", 1);
	k.n = 0;
	k.calls = 0;
	m->rounds = 10;
	input_rewind(m, 12);
	CHECK(input_replaying(m));
	input_deliver(m);
	CHECK(k.n == 4 && !memcmp(k.got, "abcd", 4));
	m->rounds = 11;
	input_deliver(m);
	CHECK(k.n == 6 && k.calls == 2);
	m->rounds = 12;
	CHECK(!input_replaying(m));
	input_deliver(m);			/* live again: the queued X */
	CHECK(k.n == 7 && k.got[6] == 'X');
	/* a new timeline from round 11: what was logged there is gone */
	m->rounds = 11;
	input_truncate(m, 11);
	k.n = 0;
	m->rounds = 10;
	input_rewind(m, 11);
	input_deliver(m);
	m->rounds = 11;
	input_deliver(m);
	CHECK(k.n == 4);
	done(m);
}

static void packets(void)
{
	machine *m = board();
	sink k = { .room = 1 };		/* packets: one per boundary */
	input_port *p = input_port_new(m, "net", INPUT_PACKET, &ops, &k);

	input_port_push(p, (const uint8_t *)"one", 3);
	input_port_push(p, (const uint8_t *)"two!", 4);
	input_deliver(m);
	CHECK(k.calls == 1 && k.n == 3);
	k.room = 100;
	m->rounds++;
	input_deliver(m);
	CHECK(k.calls == 2 && k.n == 7 && !memcmp(k.got, "onetwo!", 7));
	done(m);
}

static int fetches;
static void fetch(void *buf, size_t len)
{
	memset(buf, 0x40 + ++fetches, len);
}

static void pulls(void)
{
	machine *m = board();
	uint8_t a[4], b[4];

	input_pull(m, a, 4, fetch);
	input_pull(m, b, 4, fetch);
	CHECK(a[0] == 0x41 && b[0] == 0x42 && fetches == 2);
	m->input_pulls = 1;		/* a restored state had pulled once */
	input_pull(m, b, 4, fetch);
	CHECK(b[0] == 0x42 && fetches == 2);	/* from the log */
	input_pull(m, b, 4, fetch);
	CHECK(b[0] == 0x43 && fetches == 3);	/* past the log: the host */
	done(m);
}

int main(void)
{
	RUN(stream_and_replay);
	RUN(packets);
	RUN(pulls);
	return CHECK_DONE();
}
