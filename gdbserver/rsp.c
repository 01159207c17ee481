/* GDB remote protocol framing and hex helpers (see rsp.h). */
#include <string.h>

#include "rsp.h"

enum { S_IDLE, S_DATA, S_SUM1, S_SUM2 };

void rsp_init(rsp_parser *p)
{
	p->state = S_IDLE;
	p->escape = p->overflow = false;
	p->sum = p->rx_sum = 0;
	p->len = 0;
	p->buf[0] = 0;
}

int rsp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t rsp_feed(rsp_parser *p, const uint8_t *in, size_t n, enum rsp_event *ev)
{
	*ev = RSP_NONE;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];
		int h;

		switch (p->state) {
		case S_IDLE:
			if (c == '$') {
				p->state = S_DATA;
				p->len = 0;
				p->sum = 0;
				p->escape = p->overflow = false;
			} else if (c == '+') {
				*ev = RSP_ACK;
				return i + 1;
			} else if (c == '-') {
				*ev = RSP_NAK;
				return i + 1;
			} else if (c == 0x03) {
				*ev = RSP_INTERRUPT;
				return i + 1;
			}
			/* anything else between packets is line noise */
			break;
		case S_DATA:
			if (c == '#' && !p->escape) {
				p->state = S_SUM1;
				break;
			}
			if (c == '$' && !p->escape) {
				/* a new packet starts: the old one was truncated */
				p->len = 0;
				p->sum = 0;
				p->overflow = false;
				break;
			}
			p->sum += c;
			if (p->escape) {
				c ^= 0x20;
				p->escape = false;
			} else if (c == '}') {
				p->escape = true;
				break;
			}
			if (p->len < RSP_PACKET_SIZE)
				p->buf[p->len++] = c;
			else
				p->overflow = true;
			break;
		case S_SUM1:
		case S_SUM2:
			h = rsp_hexval(c);
			if (h < 0) {
				/* not a checksum digit: treat as a bad packet */
				p->state = S_IDLE;
				p->buf[p->len] = 0;
				*ev = RSP_BAD_CHECKSUM;
				return i + (c == '$' ? 0 : 1);
			}
			if (p->state == S_SUM1) {
				p->rx_sum = (uint8_t)(h << 4);
				p->state = S_SUM2;
				break;
			}
			p->rx_sum |= (uint8_t)h;
			p->state = S_IDLE;
			p->buf[p->len] = 0;
			if (p->overflow)
				*ev = RSP_OVERFLOW;
			else if (p->rx_sum != p->sum)
				*ev = RSP_BAD_CHECKSUM;
			else
				*ev = RSP_PACKET;
			return i + 1;
		}
	}
	return n;
}

static bool needs_escape(uint8_t c)
{
	return c == '$' || c == '#' || c == '}' || c == '*';
}

size_t rsp_escape(uint8_t *out, size_t cap, const uint8_t *in, size_t n, size_t *used)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		if (needs_escape(in[i])) {
			if (o + 2 > cap)
				break;
			out[o++] = '}';
			out[o++] = in[i] ^ 0x20;
		} else {
			if (o + 1 > cap)
				break;
			out[o++] = in[i];
		}
	}
	if (used)
		*used = i;
	return o;
}

size_t rsp_frame(uint8_t *out, size_t cap, const uint8_t *payload, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t used, o;
	uint8_t sum = 0;

	if (cap < 4)
		return 0;
	out[0] = '$';
	o = 1 + rsp_escape(out + 1, cap - 4, payload, len, &used);
	if (used != len)
		return 0;
	for (size_t i = 1; i < o; i++)
		sum += out[i];
	out[o++] = '#';
	out[o++] = hex[sum >> 4];
	out[o++] = hex[sum & 15];
	return o;
}

bool rsp_parse_hex(const char **s, const char *end, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	int h;

	while (p < end && (h = rsp_hexval((unsigned char)*p)) >= 0) {
		if (x >> 60)
			return false;
		x = x << 4 | (uint64_t)h;
		p++;
	}
	if (p == *s)
		return false;
	*s = p;
	*v = x;
	return true;
}

bool rsp_hex_decode(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = rsp_hexval((unsigned char)s[2 * i]);
		int lo = hi < 0 ? -1 : rsp_hexval((unsigned char)s[2 * i + 1]);
		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void rsp_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
}
