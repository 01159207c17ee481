/*
 * A gdb stub that does nothing but answer: the bench's reference for the
 * stepi rows (scripts/bench). It steps a pretend loop, reads as no-ops in
 * RAM and faults elsewhere, and serves the way kwb's serving thread does
 * (gdbserver/serve.c: idle priority, on one CPU, polling). What gdb does
 * per step against it is all gdb's own work and the host's round trips:
 * no stub can step faster on this host, whatever it does inside.
 *
 *   nullstub PORT aarch64|riscv64
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct arch {
	const char *name;
	unsigned long ram;
	int gbytes;		/* gdb's default register set, bytes */
	int pc_offset;		/* pc's place in it */
	const char *expedite;	/* the registers kwb's stop replies carry, less pc */
	const char *nop;	/* an instruction that is not an atomic sequence */
};

static const struct arch archs[] = {
	{ "aarch64", 0x40000000, 788, 256, "1d:0000000000000000;1f:0000000000000000;21:c5030000;", "1f2003d5" },
	{ "riscv64", 0x80000000, 264, 256, "2:0000000000000000;8:0000000000000000;", "13000000" },
};

static int fd;
static char out[4096];
static int acks = 1;	/* until QStartNoAckMode */

static void reply(const char *s)
{
	unsigned sum = 0;

	for (const char *p = s; *p; p++)
		sum += (unsigned char)*p;
	send(fd, out, snprintf(out, sizeof(out), "$%s#%02x", s, sum & 0xff), 0);
}

/* a register's 16 hex digits, target (little-endian) order, no NUL */
static void hex64(char *d, unsigned long v)
{
	for (int i = 0; i < 16; i++)
		d[i] = "0123456789abcdef"[(v >> (8 * (i / 2) + (i & 1 ? 0 : 4))) & 15];
}

/* the packets whose answer never changes: a prefix and its reply */
static const struct {
	const char *prefix, *reply;
} fixed[] = {
	{ "qSupported", "PacketSize=800;QStartNoAckMode+;vContSupported+" },
	{ "QStartNoAckMode", "OK" },
	{ "H", "OK" },
	{ "qSymbol", "OK" },
	{ "?", "T05thread:1;" },
	{ "qfThreadInfo", "m1" },
	{ "qsThreadInfo", "l" },
	{ "qC", "QC1" },
	{ "qAttached", "1" },
	{ "vCont?", "vCont;c;C;s;S" },
};

static void answer(const struct arch *a, char *pk, unsigned long *pc)
{
	static char buf[2048];
	char *end;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (!strncmp(pk, fixed[i].prefix, strlen(fixed[i].prefix))) {
			reply(fixed[i].reply);
			acks &= strcmp(pk, "QStartNoAckMode") != 0;
			return;
		}
	}
	if (!strcmp(pk, "g")) {
		memset(buf, '0', 2 * a->gbytes);
		buf[2 * a->gbytes] = 0;
		hex64(buf + 2 * a->pc_offset, *pc);
		reply(buf);
	} else if (pk[0] == 'p') {
		hex64(buf, strtoul(pk + 1, NULL, 16) == 32 ? *pc : 0);
		buf[16] = 0;
		reply(buf);
	} else if (pk[0] == 'm') {
		unsigned long addr = strtoul(pk + 1, &end, 16), len = strtoul(end + 1, NULL, 16);

		if (addr < a->ram || addr >= a->ram + (16 << 20) || len > 512) {
			reply("E14");
			return;
		}
		for (unsigned long i = 0; i < len; i++)
			memcpy(buf + 2 * i, a->nop + 2 * ((addr + i) & 3), 2);
		buf[2 * len] = 0;
		reply(buf);
	} else if (!strncmp(pk, "vCont;s", 7) || pk[0] == 's') {
		char pcx[17] = "";

		*pc = *pc + 4 >= a->ram + 0x1c ? a->ram + 8 : *pc + 4;	/* a 5-instruction loop */
		hex64(pcx, *pc);
		snprintf(buf, sizeof(buf), "T05thread:1;%s20:%s;", a->expedite, pcx);
		reply(buf);
	} else if (pk[0] == 'k' || !strncmp(pk, "vKill", 5)) {
		reply("OK");
		exit(0);
	} else {
		reply("");
	}
}

int main(int argc, char **argv)
{
	const struct arch *a = NULL;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sched_param idle = { 0 };
	static char in[65536];
	int l, one = 1, have = 0, cpu;
	unsigned long pc;
	cpu_set_t here;

	for (size_t i = 0; argc == 3 && i < sizeof(archs) / sizeof(archs[0]); i++)
		if (!strcmp(argv[2], archs[i].name))
			a = &archs[i];
	if (!a) {
		fprintf(stderr, "usage: nullstub PORT aarch64|riscv64\n");
		return 2;
	}
	pc = a->ram + 8;
	addr.sin_port = htons(atoi(argv[1]));
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&addr, sizeof(addr)) || listen(l, 1)) {
		perror("nullstub: listen");
		return 1;
	}
	fd = accept(l, NULL, NULL);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* as kwb's serving thread: idle priority, this CPU, polling */
	sched_setscheduler(0, SCHED_IDLE, &idle);
	cpu = sched_getcpu();
	CPU_ZERO(&here);
	CPU_SET(cpu, &here);
	sched_setaffinity(0, sizeof(here), &here);
	for (;;) {
		char *start = memchr(in, '$', have), *hash = start ? memchr(start, '#', have - (start - in)) : NULL;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r;

		if (hash && hash + 3 <= in + have) {
			*hash = 0;
			if (acks)
				send(fd, "+", 1, 0);
			answer(a, start + 1, &pc);
			have -= hash + 3 - in;
			memmove(in, hash + 3, have);
			continue;
		}
		while (!poll(&p, 1, 0))
			__builtin_ia32_pause();
		r = recv(fd, in + have, sizeof(in) - have, 0);
		if (r <= 0 || (have += r) == (int)sizeof(in))
			return 0;
	}
}
