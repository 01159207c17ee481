/*
 * The gdb server: RSP framing (gdbserver/rsp.c) and every packet handler
 * (gdb_packets.c, monitor commands through qRcmd, tasks, the kernel image
 * queries) on real 2-CPU boards of both architectures, stopped as with -S.
 * The input is the byte stream a client sends; its first byte picks the
 * board and how a resume ends (the stop the machine loop would report).
 * Not fuzzed: k/vKill and the monitor commands that quit or name host
 * files (quit, fdt-diff, dumpdtb, trace).
 * fuzz-options: -dict=tests/fuzz/rsp.dict -max_len=4096
 */
#include <fcntl.h>
#include <sys/socket.h>

#include "core/machine.h"
#include "core/debug_internal.h"
#include "core/options.h"
#include "gdbserver/gdbserver.h"
#include "gdbserver/rsp.h"
#include "gdbserver/session.h"
#include "symbols/symbols.h"
#include "tests/fuzz/fuzz.h"

static machine *boards[2];
static int peer[2];

static machine *board(int which)
{
	static char sock[2][64];
	static kwb_options opt[2];

	if (!boards[which]) {
		char *argv[] = { "kwb", "-arch", which ? "riscv64" : "aarch64", "-M", "virt", "-m", "64M",
				 "-smp", "2", "-serial", "none", "-nic", "none", "-bios", "none", "-S",
				 "-gdb", sock[which], NULL };
		int sv[2];

		snprintf(sock[which], sizeof(sock[which]), "unix:/tmp/kwb-fuzz-rsp-%d-%d.sock", (int)getpid(),
			 which);
		if (!which)
			argv[13] = argv[14] = "-S";	/* no -bios on arm64: repeat -S */
		char err[256];

		options_parse(&opt[which], (int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
		/* composed as core/main.c does */
		boards[which] = machine_create(&opt[which]);
		if (symbols_attach(boards[which], err, sizeof(err)) < 0 ||
		    gdbserver_start(boards[which], opt[which].gdb, true, err, sizeof(err)) < 0) {
			fprintf(stderr, "rsp fuzz: %s\n", err);
			abort();
		}
		machine_start_stopped(boards[which]);
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			abort();
		fcntl(sv[0], F_SETFL, O_NONBLOCK);
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
		((gdb_server *)boards[which]->gdb)->fd = sv[0];
		peer[which] = sv[1];
	}
	return boards[which];
}

static void drain(int fd)
{
	static uint8_t sink[65536];

	while (read(fd, sink, sizeof(sink)) > 0)
		;
}

/* A new connection, as listen_ready starts one, on a stopped machine. */
static void connect_fresh(gdb_server *s)
{
	machine *m = s->m;

	gdb_drop_breakpoints(s);
	if (!dbg_is_stopped(m))
		dbg_stop_now(m, 0, STOP_INTERRUPT, 0);
	gdb_session_reset(s, false);
	s->attached = true;
}

static bool refused(const char *pkt, size_t len)
{
	static const char *const deny[] = { "quit", "q", "fdt-diff", "dumpdtb", "trace" };
	char cmd[64];
	size_t n = 0;

	if (pkt[0] == 'k' || !strncmp(pkt, "vKill", 5))
		return true;
	if (len < 6 || strncmp(pkt, "qRcmd,", 6))
		return false;
	for (size_t i = 6; i + 1 < len && n + 1 < sizeof(cmd); i += 2) {
		int hi = rsp_hexval(pkt[i]), lo = rsp_hexval(pkt[i + 1]);
		if (hi < 0 || lo < 0)
			break;
		cmd[n++] = (char)(hi << 4 | lo);
	}
	cmd[n] = 0;
	for (size_t i = 0; i < sizeof(deny) / sizeof(deny[0]); i++) {
		size_t k = strlen(deny[i]);
		const char *c = cmd + strspn(cmd, " \t");
		if (!strncmp(c, deny[i], k) && (!c[k] || c[k] == ' ' || c[k] == '\t'))
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	machine *m;
	gdb_server *s;
	enum stop_reason why;
	int which;

	if (!size)
		return 0;
	which = data[0] & 1;
	m = board(which);
	s = m->gdb;
	why = (enum stop_reason)(STOP_SWBREAK + (data[0] >> 1) % (STOP_INTERRUPT - STOP_SWBREAK + 1));
	connect_fresh(s);
	data++, size--;
	for (size_t off = 0; off < size && !s->dead;) {
		enum rsp_event ev;

		off += rsp_feed(&s->rx, data + off, size - off, &ev);
		switch (ev) {
		case RSP_NONE:
		case RSP_ACK:
		case RSP_BAD_CHECKSUM:
			break;
		case RSP_NAK:
			gdb_send_reply(s);
			break;
		case RSP_INTERRUPT:
			s->interrupted = true;
			dbg_request_stop(m);
			break;
		case RSP_OVERFLOW:
			gdb_reply_str(s, "E01");
			gdb_send_reply(s);
			break;
		case RSP_PACKET:
			if (refused((char *)s->rx.buf, s->rx.len))
				break;
			fuzz_accepted++;
			s->no_reply = false;
			s->rlen = 0;
			s->reply_full = false;
			gdb_handle_packet(s, (char *)s->rx.buf, s->rx.len);
			if (!s->no_reply)
				gdb_send_reply(s);
			break;
		}
		drain(peer[which]);
		/* What the machine loop does when a resumed machine stops. */
		if (!dbg_is_stopped(m) || dbg_stop_pending(m)) {
			if (!dbg_stop_pending(m))
				dbg_report_stop(m, 0, why, dbg_pc(m, 0));
			const stop_info *st = dbg_take_stop(m);
			m->state = RUN_STOPPED;
			dbg_notify_stop(m, st);
			drain(peer[which]);
		}
	}
	s->dead = false;
	return 0;
}

static void packet(void (*add)(const void *, size_t), uint8_t board_byte, const char *const *pkts)
{
	static uint8_t buf[8192];
	size_t n = 1;

	buf[0] = board_byte;
	for (; *pkts; pkts++) {
		if (!strcmp(*pkts, "^C")) {
			buf[n++] = 3;
			continue;
		}
		n += rsp_frame(buf + n, sizeof(buf) - n, (const uint8_t *)*pkts, strlen(*pkts));
		buf[n++] = '+';
	}
	add(buf, n);
}

static const char *const session[] = {
	"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;vContSupported+;QThreadEvents+;no-resumed+;xmlRegisters=i386",
	"vMustReplyEmpty", "QStartNoAckMode", "Hgp0.0", "qXfer:features:read:target.xml:0,ffb",
	"qXfer:features:read:target.xml:7fe,ffb", "qTStatus", "?", "qfThreadInfo", "qsThreadInfo",
	"qAttached:1", "Hc-1", "qC", "qOffsets", "g", "p20", "P0=0100000000000000", "qXfer:threads:read::0,1000",
	"qXfer:libraries-svr4:read::0,fff", "qXfer:auxv:read::0,fff", "qThreadExtraInfo,p1.2", "Tp1.2",
	NULL,
};
static const char *const memory[] = {
	"m40000000,40", "M40000000,4:1f2003d5", "X40000010,4:\x1f\x20\x03\xd5", "x40000000,100",
	"m0,8", "mffffffffffffffff,10", "m40000000,20000", "Qqemu.PhyMemMode:1", "qqemu.PhyMemMode",
	"m9000000,4", "M9000000,1:41", "Qqemu.PhyMemMode:0", "qqemu.sstepbits", "Qqemu.sstep=7", "qqemu.sstep",
	NULL,
};
static const char *const run[] = {
	"Z0,40000000,4", "Z1,40000004,4", "Z2,40001000,8", "Z3,40001000,1", "Z4,40002000,10", "vCont?",
	"vCont;s:p1.1;c", "?", "vCont;r40000000,40000010:p1.1", "^C", "c", "z0,40000000,4", "s", "C05",
	"S05", "Hcp1.2", "vCont;c:p1.2", "^C", "z1,40000004,4", "z2,40001000,8", "D;1", NULL,
};
static const char *const monitor[] = {
	"qRcmd,68656c70",				/* help */
	"qRcmd,696e666f207265676973746572730a",	/* info registers */
	"qRcmd,696e666f206d74726565",			/* info mtree */
	"qRcmd,6664742d7061746873",			/* fdt-paths */
	"qRcmd,767470203078343030303030303030",		/* vtop 0x40000000 */
	"qRcmd,707464756d70",				/* ptdump */
	"qRcmd,70627265616b20307834303030303030",	/* pbreak 0x4000000 */
	"qRcmd,7077617463682030783430303030303030203820",	/* pwatch 0x40000000 8 */
	"qRcmd,7064656c657465",				/* pdelete */
	"qRcmd,7461736b73206f6e",			/* tasks on */
	"qRcmd,73796d",					/* sym */
	"qRcmd,696e666f207374617465",			/* info state */
	"qRcmd,736d6d75",				/* smmu */
	"qRcmd,73797374656d5f7265736574",		/* system_reset */
	NULL,
};

void fuzz_seeds(void (*add)(const void *data, size_t len))
{
	for (int b = 0; b < 4; b++) {
		packet(add, (uint8_t)b, session);
		packet(add, (uint8_t)b, memory);
		packet(add, (uint8_t)(b + 8), run);
		packet(add, (uint8_t)b, monitor);
	}
}
