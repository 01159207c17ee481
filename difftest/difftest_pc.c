/*
 * Difftest, the PC pass (the default of `--difftest qemu`). QEMU runs with
 * -icount shift=0,sleep=off (1 ns per instruction, idle time warped to the
 * next timer: kwb's own time model) and logs, into a FIFO, one line per
 * translation block it enters (-d exec,nochain) and one per trap (-d int).
 * kwb runs at the speed of its exec-trace path with a hook that checks its
 * per-instruction PC stream against that log:
 *  - a sequential kwb pc (previous pc + length) is always fine: QEMU's
 *    blocks are sequential code, and where QEMU cut one early (page end,
 *    I/O, icount budget) its next block start lies on kwb's straight run;
 *  - a non-sequential kwb pc must be QEMU's next block start, after any
 *    block starts that lie on the straight run just executed;
 *  - a kwb trap must be QEMU's next trap, with the same return address
 *    (so an interrupt is taken before the same instruction on both);
 *  - a block QEMU entered but left before its first instruction (an exit
 *    request, the icount budget: "Stopped execution of TB chain") is dropped.
 * At a divergence, both windows are printed and the lockstep is started
 * from a little before it: the same command runs again with
 * --difftest-mode lockstep, KWB_DIFFTEST_FROM=<pc> and
 * KWB_DIFFTEST_FROM_ICOUNT=<instructions before it> (both are
 * deterministic, so they arrive there in the same state).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "difftest_int.h"
#include "core/trace.h"

#define PC_HIST 16384		/* kwb instructions kept (report, lockstep start) */
#define Q_HIST 12		/* QEMU records kept for the report */
#define Q_RING 256
#define RAW_SIZE (1 << 20)
#define HITS_BITS 18		/* arrivals counted per block start (open addressing) */
#define LOCKSTEP_BEFORE 8192	/* the lockstep starts about this many instructions earlier */
#define TB_BITS 16		/* QEMU's translated blocks by host address: initial size (it grows) */

typedef struct tbinfo {
	uint64_t host, pc, end;
} tbinfo;

typedef struct qrec {
	char kind;		/* 'x' block start, 'i' trap, 'e' end of QEMU's log */
	uint64_t pc;		/* x: block pc; i: return address (epc, ELR) */
	uint64_t end;		/* x: the block's end (exclusive), 0: not known */
	bool rewound;		/* x: cut before an I/O instruction: ends where the next starts */
	char text[112];		/* i: QEMU's description of the trap */
} qrec;

typedef struct khist {
	uint64_t n;		/* 1-based instruction number */
	uint64_t pc;
	uint32_t insn;
	uint32_t hits;		/* arrivals at pc as a block start so far, 0: sequential */
	uint64_t icount;	/* kwb's instruction count before it */
} khist;

typedef struct pcpass {
	difftest *d;
	machine *m;
	bool a64;
	int fd;
	char *raw;
	size_t rlen, rpos;
	bool eof;
	qrec pend, trap;	/* a block start awaiting its next line; a trap being parsed */
	bool have_pend, in_trap;
	bool in_tb;		/* reading a block's instructions (-d in_asm) */
	uint64_t tb_pc, tb_end;
	tbinfo *tbs;
	unsigned tb_bits;
	size_t ntbs;
	qrec cur;		/* the QEMU block kwb is in (kind 0: none) */
	qrec ring[Q_RING];
	unsigned head, tail;
	qrec qhist[Q_HIST];
	uint64_t nconsumed;
	/* kwb's side */
	khist hist[PC_HIST];
	uint64_t n, last_icount, last_pc;
	bool have_prev;
	bool after_wfi;		/* the previous instruction was a RISC-V wfi */
	uint64_t prev_pc, prev_len, run_start, run_last;
	uint64_t blocks, traps, until, limit;
	uint64_t *hkey;
	uint32_t *hcnt;
	uint64_t t0, wait_ns;
	bool verbose;		/* KWB_DIFFTEST_VERBOSE: every trap on stderr */
} pcpass;

/* ---- QEMU's log ---- */

static void q_push(pcpass *p, const qrec *r)
{
	if (p->tail - p->head == Q_RING)
		dt_fail(p->d, "internal: QEMU record queue full");
	p->ring[p->tail++ % Q_RING] = *r;
}

static uint64_t hexfield(const char *s, const char *key)
{
	const char *f = strstr(s, key);
	return f ? strtoull(f + strlen(key), NULL, 16) : 0;
}

/*
 * QEMU's translated blocks by host address, for their extents: open
 * addressing that grows, so no block's extent is lost to a collision. (A
 * direct-mapped table lost some, depending on where ASLR put QEMU's code
 * buffer; a block of unknown extent sends the check down the path that
 * cannot tell a block start QEMU passed through sequentially from the
 * arrival of the next loop iteration at the same pc: the intermittent false
 * divergences at 61.8M in __memcpy and 63.66M in memcmp.
 * KWB_DIFFTEST_TB_BITS=3 starts the table at 8 entries; with the old table
 * that size made the arm64 fixture pass part in memcmp at instruction
 * 241,641.)
 */
static size_t tb_home(uint64_t host, unsigned bits)
{
	return (size_t)((host >> 4) * 0x9e3779b97f4a7c15ull >> (64 - bits));
}

static tbinfo *tb_find(pcpass *p, uint64_t host)
{
	size_t mask = ((size_t)1 << p->tb_bits) - 1;

	for (size_t i = tb_home(host, p->tb_bits);; i = (i + 1) & mask)
		if (p->tbs[i].host == host || !p->tbs[i].host)
			return &p->tbs[i];
}

static void tb_put(pcpass *p, const tbinfo *tb)
{
	tbinfo *slot = tb_find(p, tb->host);

	if (!slot->host && ++p->ntbs * 4 > (size_t)3 << p->tb_bits) {
		tbinfo *old = p->tbs;
		size_t n = (size_t)1 << p->tb_bits;

		p->tb_bits++;
		p->tbs = kwb_zalloc(sizeof(*p->tbs) << p->tb_bits);
		for (size_t i = 0; i < n; i++)
			if (old[i].host)
				*tb_find(p, old[i].host) = old[i];
		free(old);
		slot = tb_find(p, tb->host);
	}
	*slot = *tb;
}

static void q_line(pcpass *p, char *line)
{
	if (!strncmp(line, "Trace ", 6)) {
		/* Trace 0: HOSTPTR [CS_BASE/PC/FLAGS/CFLAGS] SYMBOL */
		char *f = strchr(line, '['), *h = strchr(line, ':');
		uint64_t host = h ? strtoull(h + 1, NULL, 16) : 0;
		tbinfo *tb;
		if (f)
			f = strchr(f, '/');
		if (!f)
			return;
		uint64_t pc = strtoull(f + 1, NULL, 16);
		if (p->have_pend) {
			if (p->pend.rewound && pc > p->pend.pc && pc < p->pend.end)
				p->pend.end = pc;
			/* rewound to its first instruction: ran nothing */
			if (!(p->pend.rewound && pc == p->pend.pc))
				q_push(p, &p->pend);
		}
		p->pend = (qrec){ .kind = 'x', .pc = pc };
		p->have_pend = true;
		/* A block is translated (and logged) just before it first runs. */
		if (p->in_tb && p->tb_pc == p->pend.pc && host)
			tb_put(p, &(tbinfo){ host, p->tb_pc, p->tb_end });
		p->in_tb = false;
		tb = host ? tb_find(p, host) : NULL;
		if (tb && tb->host == host && tb->pc == p->pend.pc)
			p->pend.end = tb->end;
		return;
	}
	if (!strncmp(line, "IN:", 3)) {
		p->in_tb = true;
		p->tb_pc = p->tb_end = 0;
		return;
	}
	if (p->in_tb && !strncmp(line, "0x", 2)) {
		/* 0x0000000080000558:  557d      addi ... (the encoding's digits
		 * give the length: RVC instructions are 2 bytes) */
		char *e;
		uint64_t pc = strtoull(line, &e, 16);
		size_t digits;
		if (*e != ':')
			return;
		e += strspn(e + 1, " ") + 1;
		digits = strspn(e, "0123456789abcdef");
		if (!p->tb_end)
			p->tb_pc = pc;
		p->tb_end = pc + (p->a64 || digits >= 8 ? 4 : 2);
		return;
	}
	if (!strncmp(line, "cpu_io_recompile: rewound execution of TB to ", 45)) {
		/* The block stopped before an I/O instruction; the next block
		 * starts at that instruction. (QEMU names the block's pc on
		 * RISC-V, the I/O instruction's on AArch64.) */
		uint64_t pc = strtoull(line + 45, NULL, 16);
		if (p->have_pend && pc >= p->pend.pc && (pc < p->pend.end || !p->pend.end))
			p->pend.rewound = true;
		return;
	}
	if (!strncmp(line, "Stopped execution of TB chain before", 36)) {
		char *f = strchr(line, '[');
		if (f && p->have_pend && strtoull(f + 1, NULL, 16) == p->pend.pc)
			p->have_pend = false;	/* entered, not executed */
		return;
	}
	if (!strncmp(line, "riscv_cpu_do_interrupt:", 23)) {
		qrec r = { .kind = 'i', .pc = hexfield(line, "epc:") };
		const char *desc = strstr(line, "desc=");
		snprintf(r.text, sizeof(r.text), "%s (cause %llx)", desc ? desc + 5 : "?",
			 (unsigned long long)hexfield(line, "cause:"));
		if (p->have_pend)
			q_push(p, &p->pend);
		p->have_pend = false;
		q_push(p, &r);
		return;
	}
	/* AArch64: "Taking exception 5 [IRQ] on CPU 0", "...with ELR 0x..",
	 * "...to EL1 PC 0x..", or "...handled as PSCI call" (no trap to see). */
	if (!strncmp(line, "Taking exception ", 17)) {
		char *e = strstr(line, " on CPU");
		if (e)
			*e = 0;
		p->trap = (qrec){ .kind = 'i' };
		snprintf(p->trap.text, sizeof(p->trap.text), "%s", line + 7);
		p->in_trap = true;
		if (p->have_pend)
			q_push(p, &p->pend);
		p->have_pend = false;
	} else if (p->in_trap && !strncmp(line, "...with ELR ", 12)) {
		p->trap.pc = strtoull(line + 12, NULL, 16);
	} else if (p->in_trap && !strncmp(line, "...handled as PSCI call", 23)) {
		p->in_trap = false;
	} else if (p->in_trap && !strncmp(line, "...to EL", 8)) {
		p->in_trap = false;
		q_push(p, &p->trap);
	}
}

/* Reads more of the log; false at its end (QEMU exited). */
static bool q_fill(pcpass *p)
{
	uint64_t t = kwb_host_ns();

	if (p->eof)
		return false;
	if (p->rpos) {
		memmove(p->raw, p->raw + p->rpos, p->rlen - p->rpos);
		p->rlen -= p->rpos;
		p->rpos = 0;
	}
	for (;;) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		ssize_t n;
		int r = poll(&pfd, 1, 30000);
		if (r == 0)
			dt_fail(p->d, "QEMU wrote no log for 30 s (kwb at instruction %llu, pc 0x%llx)",
				(unsigned long long)p->n, (unsigned long long)p->prev_pc);
		n = read(p->fd, p->raw + p->rlen, RAW_SIZE - p->rlen - 1);
		if (n > 0) {
			p->rlen += (size_t)n;
			break;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		p->eof = true;
		break;
	}
	p->wait_ns += kwb_host_ns() - t;
	return !p->eof || p->rlen;
}

/* The next record (left at the head of the ring). */
static qrec *q_peek(pcpass *p)
{
	while (p->head == p->tail) {
		char *nl;
		if (p->rpos < p->rlen && (nl = memchr(p->raw + p->rpos, '\n', p->rlen - p->rpos))) {
			*nl = 0;
			q_line(p, p->raw + p->rpos);
			p->rpos = (size_t)(nl - p->raw) + 1;
			continue;
		}
		if (p->rlen - p->rpos == RAW_SIZE - 1)
			p->rpos = p->rlen;	/* an endless line: drop it */
		if (!q_fill(p)) {
			qrec end = { .kind = 'e' };
			if (p->have_pend)
				q_push(p, &p->pend);
			p->have_pend = false;
			q_push(p, &end);
		}
	}
	return &p->ring[p->head % Q_RING];
}

static void q_pop(pcpass *p)
{
	p->qhist[p->nconsumed++ % Q_HIST] = p->ring[p->head++ % Q_RING];
}

/* ---- the report ---- */

static void print_kwb(pcpass *p, const khist *h, const char *mark)
{
	char dis[128], sym[160];

	p->m->arch->disasm(p->m->cpus[0], h->pc, h->insn, dis, sizeof(dis));
	dt_where(p->d, h->pc, sym, sizeof(sym));
	printf("  %10llu  0x%016llx  %-36s%s%s\n", (unsigned long long)h->n, (unsigned long long)h->pc,
	       dis, sym, mark);
}

static void print_qemu(pcpass *p, const qrec *r, const char *mark)
{
	char sym[160];

	if (r->kind == 'e') {
		printf("            (QEMU's log ended)%s\n", mark);
		return;
	}
	dt_where(p->d, r->pc, sym, sizeof(sym));
	if (r->kind == 'x')
		printf("            block at 0x%016llx%s%s\n", (unsigned long long)r->pc, sym, mark);
	else
		printf("            trap %s, return address 0x%016llx%s%s\n", r->text, (unsigned long long)r->pc,
		       sym, mark);
}

static khist *kh(pcpass *p, uint64_t n)
{
	return &p->hist[(n - 1) % PC_HIST];
}

/* Where the lockstep starts: a block start a few instructions before the
 * divergence that was rarely reached (each earlier arrival costs the
 * lockstep a QEMU round trip). */
static const khist *lockstep_start(pcpass *p)
{
	const khist *best = NULL;
	uint64_t first;

	if (p->n <= LOCKSTEP_BEFORE)
		return NULL;	/* from reset */
	first = p->n - LOCKSTEP_BEFORE;
	for (uint64_t n = first; n < first + 1024 && n < p->n; n++) {
		const khist *h = kh(p, n);
		if (h->hits && (!best || h->hits < best->hits))
			best = h;
	}
	return best ? best : kh(p, first);
}

static KWB_NORETURN void lockstep_from(pcpass *p, const khist *h)
{
	char pcs[32], icount[32], exe[4096];
	static char *argv[512];
	char *cmdline = NULL;
	size_t cap = 0, len = 0;
	int argc = 0;
	FILE *f = fopen("/proc/self/cmdline", "rb");
	ssize_t n;

	if (!f || (n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		dt_fail(p->d, "cannot re-run kwb for the lockstep");
	exe[n] = 0;
	for (int c; (c = fgetc(f)) != EOF;) {
		if (len + 2 > cap) {
			cap = cap ? cap * 2 : 4096;
			cmdline = realloc(cmdline, cap);
			if (!cmdline)
				kwb_fatal("out of memory");
		}
		cmdline[len++] = (char)c;
	}
	fclose(f);
	for (size_t i = 0; i < len && argc < 500; i += strlen(cmdline + i) + 1)
		argv[argc++] = cmdline + i;
	argv[argc++] = "--difftest-mode";
	argv[argc++] = "lockstep";
	argv[argc] = NULL;
	snprintf(pcs, sizeof(pcs), "%llu", (unsigned long long)kh(p, p->n)->icount + 1);
	setenv("KWB_DIFFTEST_PC_DIVERGENCE", pcs, 1);
	unsetenv("KWB_DIFFTEST_FROM");
	unsetenv("KWB_DIFFTEST_FROM_ICOUNT");
	if (h) {
		snprintf(pcs, sizeof(pcs), "%llx", (unsigned long long)h->pc);
		snprintf(icount, sizeof(icount), "%llu", (unsigned long long)h->icount);
		setenv("KWB_DIFFTEST_FROM", pcs, 1);
		setenv("KWB_DIFFTEST_FROM_ICOUNT", icount, 1);
		printf("difftest: lockstep from instruction %llu (pc 0x%llx):\n", (unsigned long long)h->n,
		       (unsigned long long)h->pc);
	} else {
		printf("difftest: lockstep from reset:\n");
	}
	fflush(stdout);
	dt_cleanup(p->d);
	chardev_restore_all();
	execv(exe, argv);
	dt_fail(p->d, "cannot re-run %s: %s", exe, strerror(errno));
}

static KWB_NORETURN void diverge(pcpass *p, const char *why)
{
	uint64_t first = p->n > 16 ? p->n - 15 : 1;
	unsigned nq = p->nconsumed < Q_HIST ? (unsigned)p->nconsumed : Q_HIST;

	printf("difftest: PC DIVERGENCE at instruction %llu: %s\n", (unsigned long long)p->n, why);
	printf("difftest: (%llu blocks and %llu traps matched before it)\n", (unsigned long long)p->blocks,
	       (unsigned long long)p->traps);
	printf("difftest: kwb's last instructions:\n");
	for (uint64_t n = first; n <= p->n; n++)
		print_kwb(p, kh(p, n), n == p->n ? "  <-- here" : "");
	printf("difftest: QEMU's last blocks and traps, then its next:\n");
	for (unsigned i = 0; i < nq; i++)
		print_qemu(p, &p->qhist[(p->nconsumed - nq + i) % Q_HIST], "");
	print_qemu(p, q_peek(p), "  <-- next");
	fflush(stdout);
	if (getenv("KWB_DIFFTEST_NO_LOCKSTEP"))
		dt_exit(p->d, 1);
	lockstep_from(p, lockstep_start(p));
}

/* ---- kwb's side ---- */

static void pc_summary(pcpass *p, const char *how);

static uint32_t count_arrival(pcpass *p, uint64_t pc)
{
	uint64_t mask = (1u << HITS_BITS) - 1, i = (pc >> 1) * 0x9e3779b97f4a7c15ull >> (64 - HITS_BITS);

	for (unsigned probe = 0; probe < 64; probe++, i = (i + 1) & mask) {
		if (p->hkey[i] == pc + 1 || !p->hkey[i]) {
			p->hkey[i] = pc + 1;
			return ++p->hcnt[i];
		}
	}
	return UINT32_MAX;	/* table crowded: treat as hot */
}

/* Block starts QEMU cut on the straight run kwb just executed, up to one
 * at pc, where kwb is now (a loop back into the run: memset's DC ZVA loop
 * after a block whose extent is unknown). */
static void skip_run_blocks(pcpass *p, uint64_t pc)
{
	qrec *r;

	while ((r = q_peek(p))->kind == 'x' && p->have_prev && r->pc > p->run_last && r->pc <= p->prev_pc &&
	       r->pc != pc) {
		p->run_last = r->pc;
		p->blocks++;
		q_pop(p);
	}
}

static void pc_exec(void *opaque, cpu *c, uint64_t pc, uint32_t insn)
{
	pcpass *p = opaque;
	char why[200];
	khist *h;
	qrec *r;
	bool seq;

	if (c->icount == p->last_icount && pc == p->last_pc && p->n)
		return;		/* the same instruction presented again (page entry) */
	p->last_pc = pc;
	if (p->limit && p->n == p->limit) {
		pc_summary(p, "");
		dt_exit(p->d, 0);
	}
	p->last_icount = c->icount;
	h = kh(p, ++p->n);
	*h = (khist){ .n = p->n, .pc = pc, .insn = insn, .icount = c->icount };
	seq = p->have_prev && pc == p->prev_pc + p->prev_len;
	/* Inside QEMU's current block: nothing to check. A RISC-V wfi halts
	 * QEMU's block in its middle (helper_wfi leaves the CPU loop with the
	 * pc at the next instruction), so where it woke a new block starts. */
	if (!(seq && !p->after_wfi && (!p->cur.end || (pc >= p->cur.pc && pc < p->cur.end)))) {
		r = q_peek(p);
		if (!(r->kind == 'x' && r->pc == pc) && !p->cur.end) {
			skip_run_blocks(p, pc);	/* block extents unknown */
			r = q_peek(p);
		}
		if (r->kind != 'x' || r->pc != pc) {
			if (r->kind == 'i')
				snprintf(why, sizeof(why), "kwb went to 0x%llx; QEMU took a trap (%s) returning to 0x%llx",
					 (unsigned long long)pc, r->text, (unsigned long long)r->pc);
			else if (r->kind == 'e')
				snprintf(why, sizeof(why), "kwb went to 0x%llx; QEMU's log ended",
					 (unsigned long long)pc);
			else if (seq)
				snprintf(why, sizeof(why), "kwb went on to 0x%llx, QEMU to 0x%llx after its block "
					 "0x%llx-0x%llx", (unsigned long long)pc, (unsigned long long)r->pc,
					 (unsigned long long)p->cur.pc, (unsigned long long)p->cur.end);
			else
				snprintf(why, sizeof(why), "kwb went to 0x%llx, QEMU to 0x%llx", (unsigned long long)pc,
					 (unsigned long long)r->pc);
			diverge(p, why);
		}
		p->cur = *r;
		q_pop(p);
		p->blocks++;
		p->run_start = p->run_last = pc;
		h->hits = count_arrival(p, pc);
	}
	p->have_prev = true;
	p->prev_pc = pc;
	p->prev_len = p->a64 || (insn & 3) == 3 ? 4 : 2;
	p->after_wfi = !p->a64 && insn == 0x10500073;
	if (pc == p->until && p->until) {
		double secs = (double)(kwb_host_ns() - p->t0) / 1e9;
		printf("difftest: reached 0x%llx after %llu instructions, no divergence (PC pass: %llu blocks, "
		       "%llu traps compared; %.1f s, %.2fM insn/s)\n", (unsigned long long)pc,
		       (unsigned long long)p->n - 1, (unsigned long long)p->blocks, (unsigned long long)p->traps,
		       secs, secs > 0 ? (double)p->n / secs / 1e6 : 0.0);
		dt_exit(p->d, 0);
	}
}

static void pc_int(void *opaque, cpu *c, uint64_t pc, uint64_t ret, uint64_t vector, const char *what)
{
	pcpass *p = opaque;
	char why[300];
	qrec *r;

	(void)c, (void)pc, (void)vector;
	if (!p->cur.end)
		skip_run_blocks(p, UINT64_MAX);
	r = q_peek(p);
	if (r->kind != 'i' || r->pc != ret) {
		if (r->kind == 'i')
			snprintf(why, sizeof(why), "kwb took %s returning to 0x%llx; QEMU took %s returning to 0x%llx",
				 what, (unsigned long long)ret, r->text, (unsigned long long)r->pc);
		else
			snprintf(why, sizeof(why), "kwb took %s returning to 0x%llx; QEMU %s 0x%llx", what,
				 (unsigned long long)ret, r->kind == 'x' ? "entered a block at" : "ended its log, at",
				 (unsigned long long)r->pc);
		diverge(p, why);
	}
	if (p->verbose)
		fprintf(stderr, "difftest: trap at instruction %llu (time %llu): %s, return 0x%llx\n",
			(unsigned long long)p->n, (unsigned long long)clock_now(p->m), what,
			(unsigned long long)ret);
	q_pop(p);
	p->traps++;
	p->have_prev = false;	/* the next pc is the vector: a block start */
	p->cur = (qrec){ 0 };
}

static void pc_summary(pcpass *p, const char *how)
{
	double secs = (double)(kwb_host_ns() - p->t0) / 1e9;

	if (getenv("KWB_DIFFTEST_VERBOSE"))
		fprintf(stderr, "difftest: kwb icount %llu, virtual time %llu ns\n",
			(unsigned long long)p->m->cpus[0]->icount, (unsigned long long)clock_now(p->m));
	printf("difftest: %llu instructions, no divergence (PC pass: %llu blocks, %llu traps compared%s; "
	       "%.1f s, %.2fM insn/s, %.1f s waiting for QEMU)\n", (unsigned long long)p->n,
	       (unsigned long long)p->blocks, (unsigned long long)p->traps, how, secs,
	       secs > 0 ? (double)p->n / secs / 1e6 : 0.0, (double)p->wait_ns / 1e9);
	fflush(stdout);
}

int dt_pc_run(difftest *d)
{
	machine *m = d->m;
	pcpass *p = kwb_zalloc(sizeof(*p));
	char *argv[DT_QEMU_ARGV];
	trace_state *t;
	const char *until = getenv("KWB_DIFFTEST_UNTIL");
	int rc;

	p->d = d;
	p->m = m;
	p->a64 = !strcmp(m->arch->name, "aarch64");
	p->raw = kwb_zalloc(RAW_SIZE);
	p->limit = m->opt->max_insns;
	p->verbose = getenv("KWB_DIFFTEST_VERBOSE") != NULL;
	p->hkey = kwb_zalloc(sizeof(*p->hkey) << HITS_BITS);
	p->hcnt = kwb_zalloc(sizeof(*p->hcnt) << HITS_BITS);
	p->tb_bits = TB_BITS;
	if (getenv("KWB_DIFFTEST_TB_BITS")) {
		p->tb_bits = (unsigned)atoi(getenv("KWB_DIFFTEST_TB_BITS"));
		if (p->tb_bits < 3 || p->tb_bits > 24)
			dt_fail(d, "KWB_DIFFTEST_TB_BITS=%s: 3 to 24", getenv("KWB_DIFFTEST_TB_BITS"));
	}
	p->tbs = kwb_zalloc(sizeof(*p->tbs) << p->tb_bits);
	if (until && *until) {
		char *end;
		p->until = strtoull(until, &end, 16);
		if (*end && !dbg_sym_lookup(m, until, &p->until))
			dt_fail(d, "KWB_DIFFTEST_UNTIL=%s: not a hex address or a known symbol", until);
	}
	if (mkfifo(d->fifo, 0600) < 0)
		dt_fail(d, "mkfifo %s: %s", d->fifo, strerror(errno));
	dt_qemu_argv(d, argv, DT_QEMU_LOG);
	dt_spawn(d, argv);
	/* Non-blocking open: QEMU may die before it opens its end. */
	p->fd = open(d->fifo, O_RDONLY | O_NONBLOCK);
	if (p->fd < 0)
		dt_fail(d, "open %s: %s", d->fifo, strerror(errno));
	for (int tries = 0;; tries++) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		int status;
		if (poll(&pfd, 1, 50) > 0 && (pfd.revents & POLLIN))
			break;
		if (waitpid(d->qemu, &status, WNOHANG) == d->qemu) {
			d->qemu = 0;
			dt_fail(d, "%s exited before writing its log (status %d)", argv[0],
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		if (tries > 200)
			dt_fail(d, "%s wrote no log within 10 s", argv[0]);
		usleep(1000);
	}
	fcntl(p->fd, F_SETFL, 0);
	fcntl(p->fd, F_SETPIPE_SZ, 1 << 20);

	t = trace_get(m);
	if (t->flags)
		dt_fail(d, "--difftest qemu and -d cannot be combined");
	t->flags = TRACE_EXEC | TRACE_INT;
	t->exec_hook = pc_exec;
	t->int_hook = pc_int;
	t->hook_opaque = p;
	fprintf(stderr, "kwb: difftest: comparing PCs and traps with QEMU's exec log (%s)\n", m->arch->name);
	p->t0 = kwb_host_ns();
	rc = machine_run(m);
	if (rc == 3) {
		pc_summary(p, "");
		return 0;
	}
	if (rc == 4)
		dt_fail(d, "wall-clock timeout after %llu instructions", (unsigned long long)p->n);
	/* The guest powered off: QEMU must end there too. */
	skip_run_blocks(p, UINT64_MAX);
	if (q_peek(p)->kind != 'e' && q_peek(p)->kind != 'x')
		diverge(p, "kwb powered off; QEMU went on");
	pc_summary(p, ", guest powered off");
	return 0;
}
