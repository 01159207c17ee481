/*
 * The GDB remote serial protocol's byte layer: framing, checksums, escapes
 * and hex. Pure functions over byte buffers (no I/O, no machine), so the
 * unit tests can feed them any garbage.
 */
#ifndef KWB_RSP_H
#define KWB_RSP_H

#include "core/kwb.h"

/* Largest packet payload we accept and advertise (qSupported PacketSize). */
#define RSP_PACKET_SIZE 0x20000

enum rsp_event {
	RSP_NONE = 0,		/* need more bytes */
	RSP_PACKET,		/* a good packet: payload (unescaped) in p->buf, p->len */
	RSP_ACK,		/* '+' */
	RSP_NAK,		/* '-' */
	RSP_INTERRUPT,		/* 0x03 outside a packet (Ctrl-C) */
	RSP_BAD_CHECKSUM,	/* complete packet whose checksum is wrong */
	RSP_OVERFLOW,		/* complete packet larger than the buffer: dropped */
};

typedef struct rsp_parser {
	int state;
	bool escape;		/* previous byte was '}' */
	bool overflow;
	uint8_t sum;		/* running checksum over the raw bytes */
	uint8_t rx_sum;		/* the two hex digits after '#' */
	size_t len;
	uint8_t buf[RSP_PACKET_SIZE + 1];	/* payload, NUL-terminated */
} rsp_parser;

void rsp_init(rsp_parser *p);
/* Consume bytes until one event completes. Returns how many bytes of in
 * were used; *ev is RSP_NONE if all n were consumed without an event. */
size_t rsp_feed(rsp_parser *p, const uint8_t *in, size_t n, enum rsp_event *ev);

/* Frame payload as $...#cs into out (escaping $ # } *). Returns the framed
 * length, or 0 if it does not fit in cap. */
size_t rsp_frame(uint8_t *out, size_t cap, const uint8_t *payload, size_t len);

/* Escape binary data for a reply ('}' + byte^0x20 for $ # } *). Returns
 * bytes written to out (at most cap); *used says how many input bytes
 * fitted entirely. */
size_t rsp_escape(uint8_t *out, size_t cap, const uint8_t *in, size_t n, size_t *used);

int rsp_hexval(int c);		/* 0-15 or -1 */
/* Parse a hex number at *s (stops at the first non-hex byte or end).
 * Returns false if there are no digits or it overflows 64 bits. */
bool rsp_parse_hex(const char **s, const char *end, uint64_t *v);
/* Decode 2*n hex chars to n bytes. Returns false on a bad digit. */
bool rsp_hex_decode(const char *s, size_t n, uint8_t *out);
/* Encode n bytes as 2*n lowercase hex chars (no terminator). */
void rsp_hex_encode(const uint8_t *in, size_t n, char *out);

#endif
