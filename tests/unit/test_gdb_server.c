/*
 * The gdb server end to end over a unix socket, against the real machine
 * loop and debug interface driving a tiny fake CPU (so it does not depend
 * on a real architecture). The fake "program": every instruction is 4
 * bytes and increments r0; pc 0x100 stores to 0x2000, 0x104 loads from
 * it; at 0x200 it powers off with code 7 if r1 == 0x5a, waits for an
 * interrupt forever if r3 == 1, else jumps back to 0.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/machine.h"
#include "core/debug_internal.h"
#include "gdbserver/gdbserver.h"
#include "gdbserver/rsp.h"

enum { R_SP = 4, R_PC = 5, R_CSR = 6, R_WIDE = 7, R_UNAVAIL = 8, NREGS = 9 };

static const reg_feature feats[] = {
	{ "org.gnu.gdb.fake.core", "fake-core.xml" },
	{ "org.kwb.fake.sys", "fake-sys.xml" },
};
static const reg_desc regs[NREGS] = {
	{ "r0", 64, 0, REG_RW, "int", "general", 0, 0, 0 },
	{ "r1", 64, 0, REG_RW, "int", "general", 0, 0, 0 },
	{ "r2", 64, 0, REG_RW, "int", "general", 0, 0, 0 },
	{ "r3", 64, 0, REG_RW, "int", "general", 0, 0, 0 },
	{ "sp", 64, 0, REG_RW, "data_ptr", "general", 0, 0, REGF_SP | REGF_EXPEDITE },
	{ "pc", 64, 0, REG_RW, "code_ptr", "general", 0, 0, REGF_PC | REGF_EXPEDITE },
	{ "csr", 64, 1, REG_RO, "int", "system", 0, 0, 0 },
	{ "wide", 128, 1, REG_RW, "uint128", "vector", 0, 0, 0 },
	{ "unavail", 64, 1, REG_RW, "int", "system", 0, 0, 0 },
};
static const reg_table table = { regs, NREGS, feats, 2, "riscv:rv64", NULL };

typedef struct fcpu {
	cpu c;
	uint64_t r[6];
	uint8_t wide[16];
} fcpu;

static cpu *f_create(machine *m, int index)
{
	fcpu *f = kwb_zalloc(sizeof(*f));
	f->c.m = m;
	f->c.index = index;
	f->c.powered = true;
	return &f->c;
}
static void f_free(cpu *c) { free(c); }
static void f_reset(cpu *c) { (void)c; }

static enum cpu_exit f_run(cpu *c, int64_t max)
{
	fcpu *f = (fcpu *)c;
	machine *m = c->m;

	for (int64_t i = 0; i < max; i++) {
		uint64_t pc = f->r[R_PC];

		if (c->exit_request)
			return CPU_EXIT_REQUEST;
		if (dbg_bp_page(m, pc) && dbg_bp_hit(c, pc, pc))
			return CPU_EXIT_DEBUG;
		if ((pc == 0x100 || pc == 0x104) && dbg_watch_page(m, 0x2000) &&
		    dbg_watch_hit(c, 0x2000, 0x2000, 8, pc == 0x100 ? ACC_WRITE : ACC_READ))
			return CPU_EXIT_DEBUG;
		if (pc == 0x200) {
			if (f->r[1] == 0x5a) {
				machine_shutdown(m, 7);
				return CPU_EXIT_REQUEST;
			}
			if (f->r[3] == 1)
				return CPU_EXIT_WFI;
			f->r[R_PC] = 0;
		} else {
			f->r[R_PC] = pc + 4;
		}
		f->r[0]++;
		c->icount++;
		if (c->step_remaining && --c->step_remaining == 0)
			return CPU_EXIT_BUDGET;
	}
	return CPU_EXIT_BUDGET;
}

static int f_reg_read(cpu *c, int idx, uint8_t *buf)
{
	fcpu *f = (fcpu *)c;
	uint64_t v;

	if (idx == R_WIDE) {
		memcpy(buf, f->wide, 16);
		return 0;
	}
	if (idx == R_UNAVAIL)
		return -1;
	v = idx == R_CSR ? 0xc0ffee : f->r[idx];
	memcpy(buf, &v, 8);
	return 0;
}

static int f_reg_write(cpu *c, int idx, const uint8_t *buf)
{
	fcpu *f = (fcpu *)c;

	if (idx == R_WIDE) {
		memcpy(f->wide, buf, 16);
		return 0;
	}
	if (idx >= R_CSR)
		return -1;
	memcpy(&f->r[idx], buf, 8);
	return 0;
}

static uint64_t f_get_pc(cpu *c) { return ((fcpu *)c)->r[R_PC]; }
static void f_set_pc(cpu *c, uint64_t pc) { ((fcpu *)c)->r[R_PC] = pc; }
static int f_translate(cpu *c, vaddr_t va, int access, paddr_t *pa, walk_log *log)
{
	(void)c, (void)access, (void)log;
	*pa = va;
	return 0;
}
static bool f_mmu(cpu *c) { (void)c; return false; }
static void f_flush(cpu *c) { (void)c; }
static const char *f_mode(cpu *c) { (void)c; return "M"; }

static const arch_ops fake_arch = {
	.name = "fake", .regs = &table,
	.cpu_create = f_create, .cpu_free = f_free, .cpu_reset = f_reset, .cpu_run = f_run,
	.reg_read = f_reg_read, .reg_write = f_reg_write, .get_pc = f_get_pc, .set_pc = f_set_pc,
	.debug_translate = f_translate, .mmu_enabled = f_mmu, .flush_decode = f_flush,
	.flush_tlb = f_flush, .mode_name = f_mode,
};

static char sock_path[108];
static kwb_options opt = { .timeout = 60 };

/* Child: build a 2-CPU machine stopped at reset, serve gdb, run. */
static pid_t start_machine(void)
{
	pid_t pid;

	snprintf(sock_path, sizeof(sock_path), "/tmp/kwb-test-gdb-%d.sock", (int)getpid());
	unlink(sock_path);
	pid = fork();
	if (pid == 0) {
		machine *m = kwb_zalloc(sizeof(*m));
		char spec[128], err[256];

		m->opt = &opt;
		m->arch = &fake_arch;
		m->ncpus = 2;
		bus_add_ram(&m->bus, "ram", 0, 0x10000);
		m->dbg = dbg_create(m);
		for (int i = 0; i < 2; i++)
			m->cpus[i] = fake_arch.cpu_create(m, i);
		dbg_stop_now(m, 0, STOP_INTERRUPT, 0);
		snprintf(spec, sizeof(spec), "unix:%s", sock_path);
		if (gdbserver_start(m, spec, false, err, sizeof(err))) {
			printf("FAIL: gdbserver_start: %s\n", err);
			_exit(99);
		}
		_exit(machine_run(m));
	}
	return pid;
}

static int connect_gdb(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(sa.sun_path, sock_path);
	for (int tries = 0; tries < 500; tries++) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		usleep(10000);
	}
	return -1;
}

/* ---- a minimal RSP client ---- */

static int fd = -1;
static bool ack_mode = true;
static rsp_parser cp;
static char reply[RSP_PACKET_SIZE + 1];
static size_t reply_len;
static char acks[16];
static int nacks;
static uint8_t rx_in[65536];	/* bytes read, not parsed yet (per connection) */
static size_t rx_have, rx_off;

static void send_bytes(const void *b, size_t n)
{
	/* A failed write shows up as a missing reply. */
	if (write(fd, b, n) != (ssize_t)n)
		return;
}

static void send_pkt_n(const char *p, size_t n)
{
	static uint8_t out[2 * RSP_PACKET_SIZE + 8];
	size_t len = rsp_frame(out, sizeof(out), (const uint8_t *)p, n);
	send_bytes(out, len);
}

static void send_pkt(const char *p)
{
	send_pkt_n(p, strlen(p));
}

/* Next packet from the server (acks recorded), or "<timeout>"/"<eof>". */
static const char *recv_pkt(int timeout_ms)
{
	uint8_t *in = rx_in;
	size_t have = rx_have, off = rx_off;

	for (;;) {
		while (off < have) {
			enum rsp_event ev;
			off += rsp_feed(&cp, in + off, have - off, &ev);
			if ((ev == RSP_ACK || ev == RSP_NAK) && nacks < (int)sizeof(acks))
				acks[nacks++] = ev == RSP_ACK ? '+' : '-';
			if (ev == RSP_PACKET) {
				if (ack_mode)
					send_bytes("+", 1);
				memcpy(reply, cp.buf, cp.len);
				reply[cp.len] = 0;
				reply_len = cp.len;
				rx_have = have, rx_off = off;
				return reply;
			}
			if (ev == RSP_BAD_CHECKSUM) {
				rx_have = have, rx_off = off;
				return "<bad checksum>";
			}
		}
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		rx_have = rx_off = 0;
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return "<timeout>";
		ssize_t n = read(fd, in, sizeof(rx_in));
		if (n <= 0)
			return "<eof>";
		have = (size_t)n;
		off = 0;
	}
}

static const char *cmd(const char *p)
{
	send_pkt(p);
	return recv_pkt(10000);
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static uint64_t reg(int idx)
{
	char p[16];
	uint8_t b[8];
	uint64_t v;

	snprintf(p, sizeof(p), "p%x", idx);
	if (!rsp_hex_decode(cmd(p), 8, b))
		return ~0ull;
	memcpy(&v, b, 8);
	return v;
}

static void set_reg(int idx, uint64_t v)
{
	char p[64], hex[17] = { 0 };

	rsp_hex_encode((const uint8_t *)&v, 8, hex);
	snprintf(p, sizeof(p), "P%x=%s", idx, hex);
	CHECK(!strcmp(cmd(p), "OK"));
}

static void open_session(void)
{
	fd = connect_gdb();
	ack_mode = true;
	nacks = 0;
	rx_have = rx_off = 0;	/* nothing left over from the last connection */
	rsp_init(&cp);
}

/* ---- cases (they share one machine and run in order) ---- */

static void handshake(void)
{
	const char *r;

	CHECK(fd >= 0);
	r = cmd("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
	CHECK(strstr(r, "PacketSize=20000"));
	CHECK(strstr(r, "QStartNoAckMode+"));
	CHECK(strstr(r, "qXfer:features:read+"));
	CHECK(strstr(r, "vContSupported+"));
	CHECK(nacks >= 1 && acks[0] == '+');
	r = cmd("?");
	CHECK(starts(r, "T05thread:1;"));
	CHECK(strstr(r, "5:0000000000000000;"));	/* expedited pc */
	CHECK(strstr(r, "4:"));				/* expedited sp */
}

static void ack_mode_errors(void)
{
	const char *r;
	char *big;

	/* bad checksum: NAK, nothing else */
	nacks = 0;
	send_bytes("$g#00", 5);
	r = recv_pkt(300);
	CHECK(!strcmp(r, "<timeout>"));
	CHECK(nacks == 1 && acks[0] == '-');
	/* NAK from us: the server retransmits its last packet */
	CHECK(!strcmp(cmd("qAttached"), "1"));
	send_bytes("-", 1);
	CHECK(!strcmp(recv_pkt(2000), "1"));
	/* oversized: taken and refused */
	big = malloc(RSP_PACKET_SIZE + 64);
	memset(big, 'm', RSP_PACKET_SIZE + 63);
	big[RSP_PACKET_SIZE + 63] = 0;
	CHECK(!strcmp(cmd(big), "E01"));
	free(big);
	/* still alive */
	CHECK(!strcmp(cmd("qC"), "QC1"));
	/* switch to no-ack mode */
	CHECK(!strcmp(cmd("QStartNoAckMode"), "OK"));
	ack_mode = false;
	nacks = 0;
	CHECK(!strcmp(cmd("qAttached"), "1"));
	CHECK_EQ(nacks, 0);
}

static void registers(void)
{
	const char *r = cmd("g");

	CHECK_EQ(strlen(r), 6 * 16);
	set_reg(0, 0x1122334455667788ull);
	CHECK(!strcmp(cmd("p0"), "8877665544332211"));
	CHECK(!strcmp(cmd("p6"), "eeffc00000000000"));
	CHECK(!strcmp(cmd("P6=0000000000000000"), "E01"));	/* read-only */
	CHECK(!strcmp(cmd("p8"), "xxxxxxxxxxxxxxxx"));		/* unavailable */
	CHECK(!strcmp(cmd("P7=00112233445566778899aabbccddeeff"), "OK"));
	CHECK(!strcmp(cmd("p7"), "00112233445566778899aabbccddeeff"));
	CHECK(!strcmp(cmd("P7=0011"), "E01"));			/* wrong size */
	CHECK(!strcmp(cmd("p9"), "E02"));
	CHECK(!strcmp(cmd("p10000000000"), "E02"));
	CHECK(!strcmp(cmd("pzz"), "E01"));
	CHECK(!strcmp(cmd("p"), "E01"));
	CHECK(!strcmp(cmd("P0"), "E01"));
	CHECK(!strcmp(cmd("P0=zz00000000000000"), "E01"));
	/* G writes the core block */
	{
		char g[6 * 16 + 2] = "G";
		for (int i = 0; i < 6 * 16; i++)
			g[1 + i] = '0';
		g[1 + 16 * 2 + 1] = '5';	/* r2 = 5 */
		CHECK(!strcmp(cmd(g), "OK"));
		CHECK_EQ(reg(2), 5);
		CHECK(!strcmp(cmd("G0"), "E01"));
		CHECK(!strcmp(cmd("Gzz"), "E01"));
	}
	set_reg(R_PC, 0);
}

static void memory(void)
{
	const char *r;

	CHECK(!strcmp(cmd("M1000,4:deadbeef"), "OK"));
	CHECK(!strcmp(cmd("m1000,4"), "deadbeef"));
	/* X with bytes that need escaping: 0x7d '}' and '#' */
	{
		const char x[] = "X1001,2:}#";
		send_pkt_n(x, sizeof(x) - 1);
		CHECK(!strcmp(recv_pkt(5000), "OK"));
		CHECK(!strcmp(cmd("m1000,4"), "de7d23ef"));
	}
	CHECK(!strcmp(cmd("X1000,0:"), "OK"));
	CHECK(!strcmp(cmd("X1000,5:ab"), "E01"));		/* length mismatch */
	r = cmd("x1000,4");
	CHECK(reply_len == 5 && r[0] == 'b' && (uint8_t)r[1] == 0xde && r[2] == 0x7d && r[3] == '#');
	CHECK(!strcmp(cmd("mffffffffffff0000,10"), "E14"));	/* unmapped */
	CHECK(!strcmp(cmd("mfffffffffffffff0,100"), "E14"));	/* wraps */
	CHECK(!strcmp(cmd("mfff0,20"), "00000000000000000000000000000000"));	/* partial */
	r = cmd("m0,7fffffff");					/* absurd length: capped */
	CHECK(reply_len > 0 && reply_len <= RSP_PACKET_SIZE && reply_len % 2 == 0);
	CHECK(!strcmp(cmd("m1000"), "E01"));
	CHECK(!strcmp(cmd("m,4"), "E01"));
	CHECK(!strcmp(cmd("m1000,4,"), "E01"));
	CHECK(!strcmp(cmd("M1000,4:dead"), "E01"));
	CHECK(!strcmp(cmd("M1000,2:zzzz"), "E01"));
	CHECK(!strcmp(cmd("M1000,ffffffffffffffff:00"), "E01"));
	CHECK(!strcmp(cmd("Mffffffffffff0000,1:00"), "E14"));
	CHECK(!strcmp(cmd("Mffffffffffffffff,2:0000"), "E01"));	/* wraps */
}

static void threads(void)
{
	const char *r;
	char want[64];

	CHECK(!strcmp(cmd("qfThreadInfo"), "m1,2"));
	CHECK(!strcmp(cmd("qsThreadInfo"), "l"));
	CHECK(!strcmp(cmd("T1"), "OK"));
	CHECK(!strcmp(cmd("T2"), "OK"));
	CHECK(!strcmp(cmd("T3"), "E02"));
	CHECK(!strcmp(cmd("Tzz"), "E02"));
	CHECK(!strcmp(cmd("Hg2"), "OK"));
	CHECK(!strcmp(cmd("qC"), "QC2"));
	CHECK(!strcmp(cmd("Hg9"), "E02"));
	CHECK(!strcmp(cmd("Hx1"), "E02"));
	CHECK(!strcmp(cmd("Hc-1"), "OK"));
	rsp_hex_encode((const uint8_t *)"CPU#1 M", 7, want);
	want[14] = 0;
	CHECK(!strcmp(cmd("qThreadExtraInfo,2"), want));
	CHECK(!strcmp(cmd("qThreadExtraInfo,7"), "E02"));
	r = cmd("qXfer:threads:read::0,1000");
	CHECK(r[0] == 'l' && strstr(r, "<thread id=\"2\" core=\"1\" name=\"CPU#1\">CPU#1 M</thread>"));
	r = cmd("qXfer:threads:read::0,10");
	CHECK(r[0] == 'm' && reply_len == 17);
	CHECK(!strcmp(cmd("qXfer:threads:read::ffff,10"), "l"));
	CHECK(!strcmp(cmd("Hg1"), "OK"));
}

static void target_xml(void)
{
	const char *r = cmd("qXfer:features:read:target.xml:0,ffff");

	CHECK(r[0] == 'l' && strstr(r, "<architecture>riscv:rv64</architecture>"));
	CHECK(strstr(r, "fake-sys.xml"));
	r = cmd("qXfer:features:read:fake-sys.xml:0,ffff");
	CHECK(r[0] == 'l' && strstr(r, "<reg name=\"wide\" bitsize=\"128\" regnum=\"7\""));
	r = cmd("qXfer:features:read:target.xml:0,8");
	CHECK(!strcmp(r, "m<?xml ve"));
	CHECK(!strcmp(cmd("qXfer:features:read:nosuch.xml:0,ffff"), "E00"));
	CHECK(!strcmp(cmd("qXfer:features:read:target.xml:zz"), "E01"));
	CHECK(!strcmp(cmd("qXfer:features:read:target.xml"), "E00"));
}

static void breakpoints_and_steps(void)
{
	const char *r;

	set_reg(R_PC, 0);
	CHECK(!strcmp(cmd("Z0,40,4"), "OK"));
	r = cmd("vCont;c");
	CHECK(starts(r, "T05thread:1;") && strstr(r, "swbreak:;"));
	CHECK_EQ(reg(R_PC), 0x40);
	CHECK(!strcmp(cmd("z0,40,4"), "OK"));
	/* hardware breakpoint; continue only CPU 0 */
	CHECK(!strcmp(cmd("Z1,60,4"), "OK"));
	r = cmd("vCont;c:1");
	CHECK(starts(r, "T05thread:1;") && strstr(r, "hwbreak:;"));
	CHECK_EQ(reg(R_PC), 0x60);
	CHECK(!strcmp(cmd("z1,60,4"), "OK"));
	/* step CPU 0 only: CPU 1 does not move */
	CHECK(!strcmp(cmd("Hg2"), "OK"));
	uint64_t pc1 = reg(R_PC);
	CHECK(!strcmp(cmd("Hg1"), "OK"));
	r = cmd("vCont;s:1");
	CHECK(starts(r, "T05thread:1;") && strstr(r, "5:6400000000000000;"));
	CHECK(!strcmp(cmd("Hg2"), "OK"));
	CHECK_EQ(reg(R_PC), pc1);
	CHECK(!strcmp(cmd("Hg1"), "OK"));
	/* step thread 2 (stop reply names it and selects it) */
	r = cmd("vCont;s:2");
	CHECK(starts(r, "T05thread:2;"));
	CHECK(!strcmp(cmd("qC"), "QC2"));
	CHECK_EQ(reg(R_PC), pc1 + 4);
	CHECK(!strcmp(cmd("Hg1"), "OK"));
	/* range stepping: one stop at the end of the range */
	set_reg(0, 0);
	r = cmd("vCont;r64,80:1");
	CHECK(starts(r, "T05thread:1;"));
	CHECK_EQ(reg(R_PC), 0x80);
	CHECK_EQ(reg(0), (0x80 - 0x64) / 4);
	/* plain s and c with an address */
	r = cmd("s90");
	CHECK(starts(r, "T05"));
	CHECK_EQ(reg(R_PC), 0x94);
	CHECK(!strcmp(cmd("Z0,a0,4"), "OK"));
	r = cmd("c");
	CHECK(strstr(r, "swbreak:;"));
	CHECK_EQ(reg(R_PC), 0xa0);
	CHECK(!strcmp(cmd("z0,a0,4"), "OK"));
	CHECK(!strcmp(cmd("z0,a0,4"), "E01"));	/* not there any more */
	/* gdb's remove + re-insert around a stop keeps the breakpoint */
	set_reg(R_PC, 0xb0);
	CHECK(!strcmp(cmd("Z0,c0,4"), "OK"));
	CHECK(!strcmp(cmd("z0,c0,4"), "OK"));
	CHECK(!strcmp(cmd("Z0,c0,4"), "OK"));
	r = cmd("vCont;c:1");
	CHECK(strstr(r, "swbreak:;"));
	CHECK_EQ(reg(R_PC), 0xc0);
	/* a removal takes effect at the next resume */
	CHECK(!strcmp(cmd("z0,c0,4"), "OK"));
	CHECK(!strcmp(cmd("Z0,d0,4"), "OK"));
	set_reg(R_PC, 0xb0);
	r = cmd("vCont;c:1");
	CHECK(strstr(r, "swbreak:;"));
	CHECK_EQ(reg(R_PC), 0xd0);
	CHECK(!strcmp(cmd("z0,d0,4"), "OK"));
	/* nothing to run: answered at once */
	r = cmd("vCont;t");
	CHECK(starts(r, "T05thread:1;"));
}

static void watchpoints(void)
{
	const char *r;

	CHECK(!strcmp(cmd("Z2,2000,8"), "OK"));
	r = cmd("vCont;c:1");
	CHECK(starts(r, "T05thread:1;") && strstr(r, "watch:2000;") && !strstr(r, "rwatch"));
	CHECK_EQ(reg(R_PC), 0x100);
	CHECK(!strcmp(cmd("z2,2000,8"), "OK"));
	CHECK(!strcmp(cmd("Z3,2000,8"), "OK"));
	r = cmd("vCont;c:1");
	CHECK(strstr(r, "rwatch:2000;"));
	CHECK_EQ(reg(R_PC), 0x104);
	CHECK(!strcmp(cmd("z3,2000,8"), "OK"));
	set_reg(R_PC, 0xf0);
	CHECK(!strcmp(cmd("Z4,2000,8"), "OK"));
	r = cmd("vCont;c:1");
	CHECK(strstr(r, "awatch:2000;"));
	CHECK_EQ(reg(R_PC), 0x100);
	CHECK(!strcmp(cmd("z4,2000,8"), "OK"));
}

static void ctrl_c(void)
{
	const char *r;

	/* busy loop */
	set_reg(R_PC, 0);
	send_pkt("vCont;c");
	CHECK(!strcmp(recv_pkt(100), "<timeout>"));
	send_bytes("\x03", 1);
	r = recv_pkt(5000);
	CHECK(starts(r, "T02thread:"));
	/* both CPUs idle in WFI */
	set_reg(3, 1);
	CHECK(!strcmp(cmd("Hg2"), "OK"));
	set_reg(3, 1);
	CHECK(!strcmp(cmd("Hg1"), "OK"));
	send_pkt("c");
	CHECK(!strcmp(recv_pkt(300), "<timeout>"));
	CHECK(!strcmp(cmd("qC"), "QC1"));	/* packets are answered while running */
	{
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		send_bytes("\x03", 1);
		r = recv_pkt(5000);
		clock_gettime(CLOCK_MONOTONIC, &b);
		CHECK(starts(r, "T02thread:"));
		CHECK((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 1500);
	}
	CHECK_EQ(reg(R_PC), 0x200);
	set_reg(3, 0);
	CHECK(!strcmp(cmd("Hg2"), "OK"));
	set_reg(3, 0);
	CHECK(!strcmp(cmd("Hg1"), "OK"));
}

static void malformed(void)
{
	CHECK(!strcmp(cmd("vCont;q"), "E01"));
	CHECK(!strcmp(cmd("vCont;c:99"), "E01"));
	CHECK(!strcmp(cmd("vCont;c:1x"), "E01"));
	CHECK(!strcmp(cmd("vCont;rzz:1"), "E01"));
	CHECK(!strcmp(cmd("vCont;Czz"), "E01"));
	CHECK(!strcmp(cmd("Z9,0,4"), ""));
	CHECK(!strcmp(cmd("Z0,zz,4"), "E01"));
	CHECK(!strcmp(cmd("Z0,40"), "E01"));
	CHECK(!strcmp(cmd("Z2,2000,0"), "E01"));
	CHECK(!strcmp(cmd("Z2,ffffffffffffffff,8"), "E01"));
	CHECK(!strcmp(cmd("Z"), "E01"));
	CHECK(!strcmp(cmd("czz"), "E01"));
	CHECK(!strcmp(cmd("Czz"), "E01"));
	CHECK(!strcmp(cmd("qFooBar"), ""));
	CHECK(!strcmp(cmd("vMustReplyEmpty"), ""));
	CHECK(!strcmp(cmd("qOffsets"), ""));
	CHECK(!strcmp(cmd("vCont?"), "vCont;c;C;s;S;t;r"));
	CHECK(!strcmp(cmd("qAttached:1"), "1"));
	CHECK(!strcmp(cmd(""), ""));
	/* garbage bytes between packets are ignored */
	send_bytes("\xff\x00garbage\r\n", 11);
	CHECK(!strcmp(cmd("qC"), "QC1"));
}

static const char *rcmd(const char *line, char *out, size_t outlen)
{
	char p[512] = "qRcmd,";
	const char *r;
	size_t o = 0;

	rsp_hex_encode((const uint8_t *)line, strlen(line), p + 6);
	p[6 + 2 * strlen(line)] = 0;
	send_pkt(p);
	out[0] = 0;
	while ((r = recv_pkt(5000))[0] == 'O' && r[1] && strcmp(r, "OK")) {
		size_t n = strlen(r + 1) / 2;
		if (o + n < outlen && rsp_hex_decode(r + 1, n, (uint8_t *)out + o))
			o += n;
		out[o] = 0;
	}
	return r;
}

static void monitor_and_qemu(void)
{
	char out[8192];

	CHECK(!strcmp(rcmd("help", out, sizeof(out)), "OK"));
	CHECK(strstr(out, "sstep") && strstr(out, "phys"));
	CHECK(!strcmp(rcmd("sstep irq on", out, sizeof(out)), "OK"));
	CHECK(strstr(out, "on"));
	CHECK(!strcmp(cmd("qqemu.sstep"), "0x1"));
	CHECK(!strcmp(rcmd("sstep irq off", out, sizeof(out)), "OK"));
	CHECK(!strcmp(cmd("qqemu.sstep"), "0x7"));
	CHECK(!strcmp(rcmd("sstep bogus", out, sizeof(out)), "E01"));
	CHECK(!strcmp(cmd("Qqemu.sstep=1"), "OK"));
	CHECK(!strcmp(cmd("qqemu.sstep"), "0x1"));
	CHECK(!strcmp(cmd("Qqemu.sstep=0x7"), "OK"));
	CHECK(!strcmp(cmd("qqemu.sstep"), "0x7"));
	CHECK(!strcmp(cmd("Qqemu.sstep=99"), "E22"));
	CHECK(!strcmp(cmd("qqemu.Supported"), "sstepbits;sstep;PhyMemMode"));
	CHECK(strstr(cmd("qqemu.sstepbits"), "NOIRQ=2"));
	CHECK(!strcmp(cmd("qqemu.PhyMemMode"), "0"));
	CHECK(!strcmp(cmd("Qqemu.PhyMemMode:1"), "OK"));
	CHECK(!strcmp(cmd("qqemu.PhyMemMode"), "1"));
	CHECK(!strcmp(rcmd("phys", out, sizeof(out)), "OK"));
	CHECK(strstr(out, "physical"));
	CHECK(!strcmp(cmd("m1000,2"), "de7d"));
	CHECK(!strcmp(rcmd("phys off", out, sizeof(out)), "OK"));
	CHECK(!strcmp(cmd("qqemu.PhyMemMode"), "0"));
	CHECK(!strcmp(cmd("Qqemu.PhyMemMode:2"), "E22"));
	CHECK(!strcmp(rcmd("", out, sizeof(out)), "OK"));
	CHECK(strstr(out, "usage"));
	CHECK(!strcmp(rcmd("no-such-command", out, sizeof(out)), "OK"));	/* as QEMU */
	CHECK(strstr(out, "unknown"));
	CHECK(!strcmp(cmd("qRcmd,zz"), "E01"));
	CHECK(!strcmp(cmd("qRcmd,616"), "E01"));
	CHECK(!strcmp(cmd("qRcmd,6100"), "E01"));	/* embedded NUL */
}

/* Random arguments after every packet the stopped machine answers
 * without resuming: each gets a reply, nothing crashes. */
static void fuzz_packets(void)
{
	static const char *const heads[] = {
		"m", "M", "X", "x", "p", "P", "g", "G", "Z", "z", "H", "T", "?", "q", "Q",
		"qXfer:features:read:", "qXfer:threads:read::", "qThreadExtraInfo,",
		"Qqemu.sstep=", "Qqemu.PhyMemMode:", "qSupported:", "vMustReplyEmpty",
	};
	static const char alphabet[] = "0123456789abcdefABCDEF,:;=-xX}$#*.tl\x03\xff ";
	unsigned seed = 4242;
	char pkt[512];
	int replies = 0;

	for (int i = 0; i < 3000; i++) {
		size_t n, len;

		seed = seed * 1103515245 + 12345;
		len = (size_t)snprintf(pkt, sizeof(pkt), "%s", heads[(seed >> 16) % ARRAY_SIZE(heads)]);
		seed = seed * 1103515245 + 12345;
		n = (seed >> 16) % 64;
		for (size_t j = 0; j < n && len < sizeof(pkt) - 1; j++) {
			seed = seed * 1103515245 + 12345;
			pkt[len++] = (seed >> 24) & 1 ? alphabet[(seed >> 16) % (sizeof(alphabet) - 1)]
						     : (char)(seed >> 8);
		}
		send_pkt_n(pkt, len);
		if (strcmp(recv_pkt(5000), "<timeout>") && strcmp(reply, "<eof>"))
			replies++;
	}
	CHECK_EQ(replies, 3000);
	/* the session and the machine are intact */
	CHECK(!strcmp(cmd("Qqemu.PhyMemMode:0"), "OK"));
	CHECK(!strcmp(cmd("Hg1"), "OK"));
	CHECK(!strcmp(cmd("qC"), "QC1"));
	CHECK(starts(cmd("?"), "T05thread:"));
}

static void second_debugger(void)
{
	int fd2 = connect_gdb();
	char buf[128] = { 0 };
	ssize_t n = 0;
	struct pollfd pfd = { .fd = fd2, .events = POLLIN };

	CHECK(fd2 >= 0);
	if (poll(&pfd, 1, 5000) > 0)
		n = read(fd2, buf, sizeof(buf) - 1);
	CHECK(n > 0 && strstr(buf, "already attached"));
	if (poll(&pfd, 1, 5000) > 0)
		n = read(fd2, buf, sizeof(buf) - 1);
	CHECK_EQ(n, 0);		/* then closed */
	close(fd2);
	CHECK(!strcmp(cmd("qC"), "QC1"));	/* the first is unaffected */
}

static void detach_and_reconnect(void)
{
	const char *r;

	CHECK(!strcmp(cmd("Z0,40,4"), "OK"));
	CHECK(!strcmp(cmd("D"), "OK"));
	close(fd);
	usleep(50000);
	open_session();
	CHECK(fd >= 0);
	r = cmd("?");			/* the machine was running: stopped for us */
	CHECK(starts(r, "T05thread:"));
	/* breakpoints went away with the first debugger */
	send_pkt("vCont;c");
	CHECK(!strcmp(recv_pkt(200), "<timeout>"));
	send_bytes("\x03", 1);
	r = recv_pkt(5000);
	CHECK(starts(r, "T02") && !strstr(r, "swbreak"));
	/* dropping the connection is a detach too */
	close(fd);
	usleep(50000);
	open_session();
	CHECK(starts(cmd("?"), "T05thread:"));
}

static int child_status(pid_t pid)
{
	int st = 0;

	for (int i = 0; i < 500; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static pid_t child;

static void shutdown_reported(void)
{
	const char *r;

	set_reg(1, 0x5a);
	set_reg(R_PC, 0x1f0);
	r = cmd("vCont;c:1");
	CHECK(!strcmp(r, "W07"));
	/* the machine waits for gdb to leave, then exits with the guest's code */
	CHECK(!strcmp(cmd("c"), "W07"));
	usleep(100000);
	CHECK_EQ(waitpid(child, NULL, WNOHANG), 0);
	close(fd);
	CHECK_EQ(child_status(child), 7);
}

static void kill_quits(void)
{
	child = start_machine();
	open_session();
	CHECK(starts(cmd("?"), "T05"));
	CHECK(!strcmp(cmd("k"), "W00"));	/* QEMU's answer (lldb waits for it) */
	CHECK_EQ(child_status(child), 0);
	close(fd);
	child = start_machine();
	open_session();
	CHECK(!strcmp(cmd("vKill;1"), "OK"));
	CHECK(!strcmp(recv_pkt(10000), "W00"));
	CHECK_EQ(child_status(child), 0);
	close(fd);
}

/* Detached, the guest powers off: kwb exits with its code at once. */
static void exit_after_detach(void)
{
	child = start_machine();
	open_session();
	CHECK(starts(cmd("?"), "T05"));
	set_reg(1, 0x5a);
	set_reg(R_PC, 0x1f0);
	CHECK(!strcmp(cmd("D"), "OK"));
	close(fd);
	CHECK_EQ(child_status(child), 7);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	child = start_machine();
	open_session();
	RUN(handshake);
	RUN(ack_mode_errors);
	RUN(registers);
	RUN(memory);
	RUN(threads);
	RUN(target_xml);
	RUN(breakpoints_and_steps);
	RUN(watchpoints);
	RUN(ctrl_c);
	RUN(malformed);
	RUN(monitor_and_qemu);
	RUN(fuzz_packets);
	RUN(second_debugger);
	RUN(detach_and_reconnect);
	RUN(shutdown_reported);
	RUN(kill_quits);
	RUN(exit_after_detach);
	unlink(sock_path);
	return CHECK_DONE();
}
