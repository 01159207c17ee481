/*
 * Outside input (principle 3: deterministic by default). Everything that
 * enters the machine from the host goes through here, so history can
 * replay a run exactly:
 *
 * - pushed input (console bytes, network packets): a back end calls
 *   input_port_push() whenever data arrives (between rounds, while the
 *   machine is stopped, from a poll callback); it is queued and handed to
 *   the device model at the next round boundary, and logged with that
 *   round. While history re-executes the past, the log hands the same
 *   bytes over at the same rounds and live input waits in the queue.
 * - pulled input (host entropy, the host clock): a device that asks the
 *   host for data while it runs calls input_pull(); at the present it
 *   fetches and logs, in a replay it gets the logged bytes back.
 *
 * A new back end (a chardev, libslirp networking):
 *
 *	static const input_port_ops ops = { .room = uart_room, .deliver = uart_rx };
 *	s->in = input_port_new(m, "serial0", INPUT_STREAM, &ops, s);
 *	...
 *	input_port_push(s->in, buf, n);	// from the fd's poll callback
 *
 * The device model's deliver() runs between rounds, never inside a CPU's
 * slice: it may raise interrupts and schedule events as usual.
 */
#ifndef KWB_INPUT_H
#define KWB_INPUT_H

#include "kwb.h"

struct machine;
typedef struct input_port input_port;

enum input_kind {
	INPUT_STREAM,		/* bytes: delivered in chunks of at most room() */
	INPUT_PACKET,		/* packets: each push is delivered whole, in order */
};

typedef struct input_port_ops {
	/* How much the device takes now: bytes (stream) or packets (packet
	 * ports, usually 0 or 1). NULL: everything. */
	size_t (*room)(void *opaque);
	/* Hands bytes (a stream chunk) or one packet to the device. */
	void (*deliver)(void *opaque, const uint8_t *buf, size_t len);
} input_port_ops;

/* name identifies the port in the log ("serial@9000000", "net0"): stable
 * across runs of the same configuration. */
input_port *input_port_new(struct machine *m, const char *name, enum input_kind kind,
			   const input_port_ops *ops, void *opaque);
/* Queues outside data. Returns the bytes taken: a stream port takes what
 * fits its queue (INPUT_QUEUE_MAX), a packet port the whole packet or 0. */
size_t input_port_push(input_port *p, const uint8_t *buf, size_t len);
/* Bytes waiting for the next round boundary (back-end flow control). */
size_t input_port_queued(const input_port *p);
#define INPUT_QUEUE_MAX 65536

/* Host data a device needs now (entropy, time): fetch(buf, len) at the
 * present, the logged bytes in a replay. */
void input_pull(struct machine *m, void *buf, size_t len, void (*fetch)(void *buf, size_t len));

/* ---- for the machine loop and history ---- */

/* At the start of round m->rounds: hands queued (or, in a replay, logged)
 * input to the devices. */
void input_deliver(struct machine *m);
/* History restored an earlier state: deliveries of rounds before
 * live_round come from the log again, live input resumes there. */
void input_rewind(struct machine *m, uint64_t live_round);
/* A new timeline from here: deliveries from round from_round on and pulls
 * from m->input_pulls on are dropped from the log. */
void input_truncate(struct machine *m, uint64_t from_round);
/* The machine jumped (loadvm): the whole log belongs to another run. */
void input_forget(struct machine *m);
/* Whether input delivery is replaying the log (the machine is in its past). */
bool input_replaying(struct machine *m);
/* Bytes the log holds (history's memory budget). */
size_t input_log_bytes(struct machine *m);
void input_free_all(struct machine *m);

#endif
