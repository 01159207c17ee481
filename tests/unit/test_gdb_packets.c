/* The gdb server's byte layer (framing, checksums, escapes, hex) and the
 * target description generator, fed good packets and every kind of garbage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gdbserver/rsp.h"
#include "target-xml/tdesc.h"
#include "core/cpu.h"

extern const arch_ops aarch64_arch __attribute__((weak));
extern const arch_ops riscv64_arch __attribute__((weak));

static rsp_parser P;

/* Feed everything; collect events in order. Returns the number of events. */
static int feed_all(const void *in, size_t n, enum rsp_event *evs, int max)
{
	const uint8_t *p = in;
	int k = 0;

	while (n) {
		enum rsp_event ev;
		size_t used = rsp_feed(&P, p, n, &ev);

		if (used == 0 && ev == RSP_NONE)
			break;
		if (ev != RSP_NONE && k < max)
			evs[k++] = ev;
		p += used;
		n -= used;
	}
	return k;
}

static size_t frame(const char *payload, uint8_t *out, size_t cap)
{
	return rsp_frame(out, cap, (const uint8_t *)payload, strlen(payload));
}

static void good_packet(void)
{
	enum rsp_event ev[4];
	uint8_t buf[64];
	size_t n = frame("qSupported:swbreak+", buf, sizeof(buf));

	rsp_init(&P);
	CHECK(n > 0);
	CHECK_EQ(feed_all(buf, n, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_PACKET);
	CHECK_EQ(P.len, strlen("qSupported:swbreak+"));
	CHECK(!strcmp((char *)P.buf, "qSupported:swbreak+"));
	/* known checksum: "g" = 0x67 */
	CHECK_EQ(feed_all("$g#67", 5, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_PACKET);
	CHECK(!strcmp((char *)P.buf, "g"));
	/* upper-case checksum digits are accepted */
	CHECK_EQ(feed_all("$?#3F", 5, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_PACKET);
}

static void acks_and_interrupt(void)
{
	enum rsp_event ev[8];

	rsp_init(&P);
	CHECK_EQ(feed_all("+-\x03", 3, ev, 8), 3);
	CHECK_EQ(ev[0], RSP_ACK);
	CHECK_EQ(ev[1], RSP_NAK);
	CHECK_EQ(ev[2], RSP_INTERRUPT);
	/* 0x03 inside a packet is data, not Ctrl-C */
	{
		uint8_t pkt[16];
		size_t n = rsp_frame(pkt, sizeof(pkt), (const uint8_t *)"X\x03", 2);
		CHECK_EQ(feed_all(pkt, n, ev, 8), 1);
		CHECK_EQ(ev[0], RSP_PACKET);
		CHECK_EQ(P.len, 2);
		CHECK_EQ(P.buf[1], 3);
	}
	/* line noise between packets is ignored */
	CHECK_EQ(feed_all("abc\r\n$g#67", 10, ev, 8), 1);
	CHECK_EQ(ev[0], RSP_PACKET);
}

static void bad_checksum(void)
{
	enum rsp_event ev[4];

	rsp_init(&P);
	CHECK_EQ(feed_all("$g#00", 5, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_BAD_CHECKSUM);
	/* non-hex checksum */
	CHECK_EQ(feed_all("$g#zz", 5, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_BAD_CHECKSUM);
	/* parser recovers for the next good packet */
	CHECK_EQ(feed_all("$g#67", 5, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_PACKET);
	/* a '$' in the checksum position restarts the packet */
	CHECK_EQ(feed_all("$m0,1#$g#67", 11, ev, 4), 2);
	CHECK_EQ(ev[0], RSP_BAD_CHECKSUM);
	CHECK_EQ(ev[1], RSP_PACKET);
	CHECK(!strcmp((char *)P.buf, "g"));
}

static void truncated(void)
{
	enum rsp_event ev[4];

	rsp_init(&P);
	/* a packet cut off by a new '$' is discarded; the new one counts */
	CHECK_EQ(feed_all("$m1234,$g#67", 12, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_PACKET);
	CHECK(!strcmp((char *)P.buf, "g"));
	/* split across feeds, byte by byte */
	rsp_init(&P);
	{
		const char *s = "$qC#b4";
		int got = 0;
		for (size_t i = 0; i < strlen(s); i++) {
			enum rsp_event e;
			CHECK_EQ(rsp_feed(&P, (const uint8_t *)s + i, 1, &e), 1);
			if (e == RSP_PACKET)
				got++;
			else
				CHECK_EQ(e, RSP_NONE);
		}
		CHECK_EQ(got, 1);
		CHECK(!strcmp((char *)P.buf, "qC"));
	}
	/* unterminated: no event at all */
	rsp_init(&P);
	CHECK_EQ(feed_all("$qSupported", 11, ev, 4), 0);
}

static void escapes(void)
{
	uint8_t data[] = { 'X', '$', '#', '}', '*', 0x00, 0xff, '}' };
	uint8_t framed[64];
	enum rsp_event ev[4];
	size_t n = rsp_frame(framed, sizeof(framed), data, sizeof(data));

	rsp_init(&P);
	CHECK(n > 0);
	/* no raw '$' or '#' inside the payload after framing */
	for (size_t i = 1; i + 3 < n; i++)
		CHECK(framed[i] != '$' && framed[i] != '#');
	CHECK_EQ(feed_all(framed, n, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_PACKET);
	CHECK_EQ(P.len, sizeof(data));
	CHECK(!memcmp(P.buf, data, sizeof(data)));
	/* rsp_escape stops before splitting an escape pair */
	{
		uint8_t out[3];
		size_t used, w = rsp_escape(out, sizeof(out), (const uint8_t *)"a}b", 3, &used);
		CHECK_EQ(w, 3);
		CHECK_EQ(used, 2);
		w = rsp_escape(out, 2, (const uint8_t *)"a}", 2, &used);
		CHECK_EQ(w, 1);
		CHECK_EQ(used, 1);
	}
	/* frame refuses what does not fit */
	CHECK_EQ(rsp_frame(framed, 5, (const uint8_t *)"ab", 2), 0);
	CHECK_EQ(rsp_frame(framed, 6, (const uint8_t *)"ab", 2), 6);
}

static void oversized(void)
{
	size_t big = RSP_PACKET_SIZE + 100;
	uint8_t *buf = malloc(big + 8);
	enum rsp_event ev[4];
	uint8_t sum = 0;
	static const char hex[] = "0123456789abcdef";

	buf[0] = '$';
	for (size_t i = 0; i < big; i++) {
		buf[1 + i] = 'a';
		sum += 'a';
	}
	buf[big + 1] = '#';
	buf[big + 2] = hex[sum >> 4];
	buf[big + 3] = hex[sum & 15];
	rsp_init(&P);
	CHECK_EQ(feed_all(buf, big + 4, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_OVERFLOW);
	CHECK(P.len <= RSP_PACKET_SIZE);
	/* and the parser still works afterwards */
	CHECK_EQ(feed_all("$g#67", 5, ev, 4), 1);
	CHECK_EQ(ev[0], RSP_PACKET);
	free(buf);
}

static void hex_parsing(void)
{
	const char *s = "1f,ffffffffffffffff:", *end = s + strlen(s);
	uint64_t v;
	uint8_t out[4];
	char enc[9] = { 0 };

	CHECK(rsp_parse_hex(&s, end, &v));
	CHECK_EQ(v, 0x1f);
	CHECK_EQ(*s, ',');
	s++;
	CHECK(rsp_parse_hex(&s, end, &v));
	CHECK_EQ(v, ~0ull);
	/* 17 digits overflow */
	s = "10000000000000000";
	CHECK(!rsp_parse_hex(&s, s + 17, &v));
	/* leading zeros are fine */
	s = "0000000000000000000001";
	CHECK(rsp_parse_hex(&s, s + 22, &v));
	CHECK_EQ(v, 1);
	/* no digits */
	s = ",5";
	CHECK(!rsp_parse_hex(&s, s + 2, &v));
	/* bounded by end, not by NUL */
	s = "123";
	CHECK(rsp_parse_hex(&s, s + 2, &v));
	CHECK_EQ(v, 0x12);
	CHECK(rsp_hex_decode("deadBEEF", 4, out));
	CHECK_EQ(out[0], 0xde);
	CHECK_EQ(out[3], 0xef);
	CHECK(!rsp_hex_decode("de-dbeef", 4, out));
	CHECK(!rsp_hex_decode("dx", 1, out));
	rsp_hex_encode(out, 4, enc);
	CHECK(!strcmp(enc, "deadbeef"));
	CHECK_EQ(rsp_hexval('g'), (uint64_t)-1);
}

/* Random bytes, random packet-ish fragments: never crash, never overrun,
 * always make progress, lengths stay in bounds. */
static void fuzz(void)
{
	static const char frags[] = "$#}*+-\x03" "0123456789abcdefxX:,;qmMgGpPZz";
	uint8_t buf[4096];
	unsigned seed = 12345;
	int events = 0;

	rsp_init(&P);
	for (int round = 0; round < 3000; round++) {
		size_t n = 1 + (seed = seed * 1103515245 + 12345) % sizeof(buf);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (seed >> 16) & 1 ? frags[(seed >> 8) % (sizeof(frags) - 1)]
						  : (uint8_t)(seed >> 20);
		}
		for (size_t off = 0; off < n;) {
			enum rsp_event ev;
			size_t used = rsp_feed(&P, buf + off, n - off, &ev);
			if (used == 0 && ev == RSP_NONE) {
				CHECK(0);	/* no progress */
				return;
			}
			CHECK(P.len <= RSP_PACKET_SIZE);
			if (ev == RSP_PACKET || ev == RSP_BAD_CHECKSUM)
				events++;
			off += used;
		}
		/* random hex parsing over the same garbage */
		{
			const char *s = (const char *)buf, *end = s + n;
			uint64_t v;
			while (s < end) {
				if (!rsp_parse_hex(&s, end, &v))
					s++;
			}
		}
	}
	CHECK(events > 0);
}

/* A small fake table exercising the generator. */
static const reg_feature feats[] = {
	{ "org.gnu.gdb.riscv.cpu", "riscv-64bit-cpu.xml" },
	{ "org.gnu.gdb.riscv.csr", "riscv-64bit-csr.xml" },
};
static const reg_desc regs[] = {
	{ .name = "zero", .bitsize = 64, .feature = 0, .type = "int", .group = "general" },
	{ .name = "pc", .bitsize = 64, .feature = 0, .type = "code_ptr", .group = "general",
	  .flags = REGF_PC | REGF_EXPEDITE },
	{ .name = "mstatus", .bitsize = 64, .feature = 1, .type = "int", .group = "csr" },
	{ .name = "nogroup", .bitsize = 32, .feature = 1 },
};
static const char *types(int f)
{
	return f == 1 ? "  <flags id=\"t\" size=\"8\"/>\n" : NULL;
}
static const reg_table table = { regs, 4, feats, 2, "riscv:rv64", types };

static void tdesc(void)
{
	size_t len;
	char *x = tdesc_xml(&table, "target.xml", &len);

	CHECK(x != NULL);
	if (!x)
		return;
	CHECK_EQ(strlen(x), len);
	CHECK(strstr(x, "<architecture>riscv:rv64</architecture>"));
	CHECK(strstr(x, "<xi:include href=\"riscv-64bit-cpu.xml\"/>"));
	CHECK(strstr(x, "<xi:include href=\"riscv-64bit-csr.xml\"/>"));
	free(x);
	x = tdesc_xml(&table, "riscv-64bit-csr.xml", &len);
	CHECK(x != NULL);
	if (!x)
		return;
	CHECK(strstr(x, "<feature name=\"org.gnu.gdb.riscv.csr\">"));
	CHECK(strstr(x, "<reg name=\"mstatus\" bitsize=\"64\" regnum=\"2\" type=\"int\" group=\"csr\"/>"));
	CHECK(strstr(x, "<reg name=\"nogroup\" bitsize=\"32\" regnum=\"3\" type=\"int\"/>"));
	CHECK(strstr(x, "<flags id=\"t\""));
	CHECK(!strstr(x, "\"pc\""));
	free(x);
	x = tdesc_xml(&table, "riscv-64bit-cpu.xml", &len);
	CHECK(x && strstr(x, "name=\"pc\" bitsize=\"64\" regnum=\"1\" type=\"code_ptr\""));
	free(x);
	CHECK(tdesc_xml(&table, "../../etc/passwd", &len) == NULL);
	CHECK(tdesc_xml(&table, "", &len) == NULL);
}

static bool file_has(const char *path, const char *what)
{
	size_t n;
	char *buf;
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	buf = calloc(1, 1 << 20);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = 0;
	ok = strstr(buf, what) != NULL;
	free(buf);
	return ok;
}

/* What `kwb -dump-target-xml ARCH DIR` writes, for every arch linked in. */
static void tdesc_dump_files(void)
{
	const arch_ops *archs[] = { &aarch64_arch, &riscv64_arch };
	char dir[] = "/tmp/kwb-tdesc-XXXXXX";
	char path[256];

	CHECK(mkdtemp(dir) != NULL);
	CHECK(tdesc_dump("pdp11", dir) == -1);
	for (size_t i = 0; i < 2; i++) {
		const arch_ops *a = archs[i];

		if (!a || !a->regs)
			continue;
		CHECK_EQ(tdesc_dump(a->name, dir), 0);
		snprintf(path, sizeof(path), "%s/target.xml", dir);
		CHECK(file_has(path, a->regs->gdb_arch));
		for (int f = 0; f < a->regs->nfeatures; f++) {
			snprintf(path, sizeof(path), "%s/%s", dir, a->regs->features[f].xmlname);
			CHECK(file_has(path, a->regs->features[f].name));
			CHECK(file_has(path, "regnum="));
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/target.xml", dir);
		unlink(path);
		CHECK(tdesc_dump(a->name, "/nonexistent/kwb/dir") == -1);
	}
	rmdir(dir);
}

int main(void)
{
	RUN(good_packet);
	RUN(acks_and_interrupt);
	RUN(bad_checksum);
	RUN(truncated);
	RUN(escapes);
	RUN(oversized);
	RUN(hex_parsing);
	RUN(fuzz);
	RUN(tdesc);
	RUN(tdesc_dump_files);
	return CHECK_DONE();
}
