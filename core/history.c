/*
 * History: checkpoints, re-execution and reverse execution (history.h).
 *
 * Checkpoints are taken between rounds every HIST_INTERVAL instructions:
 * the state of every described object (core/state.h) plus, copy-on-write,
 * the old contents of every guest memory page first written after it
 * (guestmem.h: a checkpoint bumps the epoch and the bus's write generation,
 * so the soft TLBs drop their writable entries and every first write comes
 * through the slow path). To
 * go back to checkpoint k, the pages saved by k and every later checkpoint
 * are copied back newest first, then k's state is loaded: the machine is
 * where it was at k, and runs forward from there exactly as it ran (the
 * input log and the debugger's logged actions are replayed).
 *
 * Going to an exact moment is running from the nearest checkpoint before
 * it with the CPU's budget capped so it stops there (a breakpoint-like
 * check for the rare moment between an exception's entry and the first
 * instruction of its vector). Reverse-continue runs each interval from its
 * checkpoint, newest first, noting every breakpoint/watchpoint hit, and
 * goes to the last one found before the present.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guestmem.h"
#include "history.h"
#include "input.h"
#include "machine.h"
#include "monitor.h"
#include "state.h"
#include "debug_internal.h"

#define HIST_INTERVAL 2000000ull	/* instructions (all CPUs) between checkpoints */
#define HIST_MIN_CKPTS 2

typedef struct page_copy {
	guestmem *g;
	uint64_t page;
	uint8_t *data;		/* NULL: the page was all zeros (RAM never written) */
} page_copy;

typedef struct ckpt {
	hist_pos pos;
	uint64_t vtime;			/* virtual ns */
	uint64_t insns;			/* instructions of all CPUs */
	uint64_t icount[KWB_MAX_CPUS];
	state_buf state;
	uint32_t epoch;			/* pages first written after it are saved here */
	page_copy *pages;
	size_t npages, cap;
} ckpt;

/* What the debugger did that changed the run, replayed at its moment. */
enum act_kind { ACT_HELD, ACT_MASKED_STEP, ACT_MEM_WRITE, ACT_REG_WRITE };

typedef struct hist_act {
	hist_pos pos;
	enum act_kind kind;
	int cpu;
	uint64_t addr;			/* memory address or register index */
	unsigned flags;
	uint32_t len;
	uint8_t *data;
} hist_act;

typedef struct hit {
	hist_pos pos;
	stop_info st;
} hit;

enum go_kind {
	GO_NONE,
	GO_POS,		/* to the moment `target`, then report `report` */
	GO_COUNT,	/* until count_cpu's icount is count_target */
	GO_SCAN,	/* to `target`, noting breakpoint/watchpoint hits */
};

enum go_why { WHY_STEP, WHY_HIT, WHY_WATCH_AFTER, WHY_BEGIN, WHY_LOADVM };

struct history {
	uint64_t budget, used, peak;
	ckpt **ck;
	int nck, capck;
	uint32_t epoch_seq, epoch;
	uint64_t last_ck_insns;
	uint64_t dropped;		/* checkpoints dropped for the budget */
	int timelines;			/* new timelines started by writes in the past */

	bool replaying;			/* the machine is before `present` */
	hist_pos present;		/* the end of the recorded run (when replaying) */
	uint64_t present_vtime, present_insns;
	bool here_is_step;		/* the last stop was a step: its CPU's earliest moment */

	hist_act *acts;
	size_t nacts, capacts, act_next;

	/* travelling */
	enum go_kind go;
	enum go_why why;
	hist_pos target;
	int count_cpu;
	uint64_t count_target;
	stop_info report;
	hist_pos origin;		/* where a reverse command started */
	bool redo_step;			/* reverse step: origin was the earliest moment */
	int scan_ck;			/* reverse continue: interval being scanned */
	hit last_hit;
	bool have_hit;
	char lost[200];			/* a moment never reached: why */
	bool applying;			/* replaying a logged debugger write */

	/* page copies: carved from 2 MiB chunks (transparent huge pages where
	 * the host has them: one fault per chunk, not per copy); freed copies
	 * are kept for the next ones */
	uint8_t **chunks;
	int nchunks, capchunks;
	uint8_t *carve;			/* next unused page of the newest chunk */
	size_t carve_left;		/* pages left there */
	void *free_pages;		/* freed copies, linked through their first word */
};

#define HIST_CHUNK (2u << 20)

static uint8_t *page_alloc(struct history *h)
{
	uint8_t *p;

	if (h->free_pages) {
		p = h->free_pages;
		memcpy(&h->free_pages, p, sizeof(void *));
		return p;
	}
	if (!h->carve_left) {
		/* 2 MiB aligned, so the whole chunk can be one huge page */
		uint8_t *m = mmap(NULL, 2 * HIST_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uintptr_t a;

		if (m == MAP_FAILED)
			kwb_fatal("history: cannot allocate %u MiB for page copies", HIST_CHUNK >> 20);
		a = ((uintptr_t)m + HIST_CHUNK - 1) & ~(uintptr_t)(HIST_CHUNK - 1);
		if (a > (uintptr_t)m)
			munmap(m, a - (uintptr_t)m);
		munmap((uint8_t *)a + HIST_CHUNK, (uintptr_t)m + HIST_CHUNK - a);
#ifdef MADV_HUGEPAGE
		madvise((void *)a, HIST_CHUNK, MADV_HUGEPAGE);
#endif
		if (h->nchunks == h->capchunks) {
			h->capchunks = h->capchunks ? 2 * h->capchunks : 16;
			h->chunks = kwb_realloc(h->chunks, h->capchunks * sizeof(*h->chunks));
		}
		h->chunks[h->nchunks++] = (uint8_t *)a;
		h->carve = (uint8_t *)a;
		h->carve_left = HIST_CHUNK / GUESTMEM_PAGE;
	}
	p = h->carve;
	h->carve += GUESTMEM_PAGE;
	h->carve_left--;
	return p;
}

static void page_free(struct history *h, uint8_t *p)
{
	if (!p)
		return;
	memcpy(p, &h->free_pages, sizeof(void *));
	h->free_pages = p;
}

/* A page of anonymous guest RAM the host has neither mapped nor swapped
 * out (/proc/self/pagemap: bits 63 and 62 clear) reads as zeros: known
 * without reading it, which would map it only for the guest's write to
 * fault again. Without pagemap: not known (the page is read). */
static bool never_touched(const uint8_t *host)
{
	static int fd = -2;
	static long host_page;
	uint64_t e;

	if (fd == -2) {
		fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		host_page = sysconf(_SC_PAGESIZE);
	}
	if (fd < 0 || host_page != GUESTMEM_PAGE || ((uintptr_t)host & (GUESTMEM_PAGE - 1)))
		return false;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)host / GUESTMEM_PAGE * 8)) != 8)
		return false;
	return !(e >> 62);
}

/* ---- positions ---- */

void hist_pos_now(machine *m, hist_pos *p)
{
	if (m->turn < 0 || m->turn >= m->ncpus) {
		*p = (hist_pos){ .round = m->rounds, .cpu = -1 };
		return;
	}
	*p = (hist_pos){ .round = m->rounds, .cpu = m->turn, .icount = m->cpus[m->turn]->icount,
			 .nexc = m->cpus[m->turn]->nexc };
}

int hist_pos_cmp(const hist_pos *a, const hist_pos *b)
{
	if (a->round != b->round)
		return a->round < b->round ? -1 : 1;
	if (a->cpu != b->cpu)
		return a->cpu < b->cpu ? -1 : 1;
	if (a->icount != b->icount)
		return a->icount < b->icount ? -1 : 1;
	if (a->nexc != b->nexc)
		return a->nexc < b->nexc ? -1 : 1;
	return 0;
}

static uint64_t total_insns(machine *m)
{
	uint64_t t = 0;
	for (int i = 0; i < m->ncpus; i++)
		t += m->cpus[i]->icount;
	return t;
}

/* ---- memory accounting and checkpoints ---- */

static void account(struct history *h, int64_t delta)
{
	h->used += delta;
	if (h->used > h->peak)
		h->peak = h->used;
}

static void undo_pages(struct history *h, ckpt *c);

static int64_t copy_bytes(const page_copy *p)
{
	return (int64_t)sizeof(*p) + (p->data ? GUESTMEM_PAGE : 0);
}

/* undo: copy the saved pages back (going back before c). */
static void free_ckpt(struct history *h, ckpt *c, bool undo)
{
	if (undo) {
		undo_pages(h, c);
	} else {
		for (size_t i = 0; i < c->npages; i++) {
			account(h, -copy_bytes(&c->pages[i]));
			page_free(h, c->pages[i].data);
		}
	}
	account(h, -(int64_t)(c->state.cap + sizeof(*c)));
	free(c->pages);
	state_buf_free(&c->state);
	free(c);
}

static bool all_zero(const uint8_t *p, uint64_t n)
{
	uint64_t acc = 0, i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		acc |= w;
		if ((i & 511) == 504 && acc)	/* most written pages differ early */
			return false;
	}
	for (; i < n; i++)
		acc |= p[i];
	return !acc;
}

void hist_save_page(machine *m, guestmem *g, uint64_t page)
{
	struct history *h = m->hist;
	ckpt *c;
	uint64_t off = page * GUESTMEM_PAGE, n = GUESTMEM_PAGE;
	bool saved_before = g->saved_in[page] != 0;

	g->saved_in[page] = h->epoch;
	if (!h->nck)
		return;
	c = h->ck[h->nck - 1];
	if (c->npages == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->pages = kwb_realloc(c->pages, c->cap * sizeof(*c->pages));
	}
	if (n > g->size - off)
		n = g->size - off;
	c->pages[c->npages] = (page_copy){ .g = g, .page = page };
	/* Most pages a boot saves were never written (the RAM's first
	 * touch): keep no copy of zeros. A page saved before was written
	 * after that (the save comes first), so only the others can be
	 * untouched (asking pagemap is a system call: 2.7% of Debian's
	 * cloud kernel boot when every save asked). */
	if ((saved_before || !never_touched(g->host + off)) && !all_zero(g->host + off, n)) {
		c->pages[c->npages].data = page_alloc(h);
		memcpy(c->pages[c->npages].data, g->host + off, n);
	}
	account(h, copy_bytes(&c->pages[c->npages]));
	c->npages++;
}

void hist_mem_added(machine *m, guestmem *g)
{
	if (!m->hist)
		return;
	g->saved_in = kwb_zalloc(g->pages * sizeof(*g->saved_in));
	g->epoch = &m->hist->epoch;
}

/* A new epoch: every page's next write saves it; the soft TLBs drop their
 * writable entries (bus write generation) so those writes come to the slow
 * path. Their read and exec entries stay (a full flush at every checkpoint
 * cost the page walks of refilling them). */
static void new_epoch(machine *m)
{
	struct history *h = m->hist;

	h->epoch = ++h->epoch_seq;
	m->bus.write_generation++;
}

static void drop_oldest(machine *m)
{
	struct history *h = m->hist;

	free_ckpt(h, h->ck[0], false);
	memmove(h->ck, h->ck + 1, (h->nck - 1) * sizeof(*h->ck));
	h->nck--;
	h->dropped++;
	/* debugger actions before the first checkpoint are never replayed */
	while (h->nacts && hist_pos_cmp(&h->acts[0].pos, &h->ck[0]->pos) < 0) {
		free(h->acts[0].data);
		memmove(h->acts, h->acts + 1, (h->nacts - 1) * sizeof(*h->acts));
		h->nacts--;
		if (h->act_next)
			h->act_next--;
	}
}

static void take_checkpoint(machine *m)
{
	struct history *h = m->hist;
	ckpt *c = kwb_zalloc(sizeof(*c));

	hist_pos_now(m, &c->pos);
	c->vtime = m->round_start;
	c->insns = total_insns(m);
	for (int i = 0; i < m->ncpus; i++)
		c->icount[i] = m->cpus[i]->icount;
	state_save_all(m, &c->state);
	if (h->nck == h->capck) {
		h->capck = h->capck ? 2 * h->capck : 64;
		h->ck = kwb_realloc(h->ck, h->capck * sizeof(*h->ck));
	}
	h->ck[h->nck++] = c;
	new_epoch(m);
	c->epoch = h->epoch;
	h->last_ck_insns = c->insns;
	account(h, (int64_t)(c->state.cap + sizeof(*c)));
	/* the budget: the oldest checkpoints go (the window moves on), but
	 * not while history travels through them */
	while (h->go == GO_NONE && h->nck > HIST_MIN_CKPTS && h->used + input_log_bytes(m) > h->budget)
		drop_oldest(m);
}

static void undo_pages(struct history *h, ckpt *c)
{
	for (size_t i = c->npages; i-- > 0;) {
		page_copy *p = &c->pages[i];
		uint64_t off = p->page * GUESTMEM_PAGE, n = GUESTMEM_PAGE;
		if (n > p->g->size - off)
			n = p->g->size - off;
		if (p->data)
			memcpy(p->g->host + off, p->data, n);
		else
			memset(p->g->host + off, 0, n);
		account(h, -copy_bytes(p));
		page_free(h, p->data);
	}
	c->npages = 0;
}

static uint64_t live_round(const hist_pos *present)
{
	return present->cpu < 0 ? present->round : present->round + 1;
}

/* Back to checkpoint k. Later checkpoints are dropped: re-executing
 * forward takes them again at the same moments. */
static void restore(machine *m, int k)
{
	struct history *h = m->hist;
	char err[256] = "";
	hist_pos now;

	if (!h->replaying) {
		hist_pos_now(m, &h->present);
		h->present_vtime = m->round_start;
		h->present_insns = total_insns(m);
		h->replaying = true;
	}
	for (int j = h->nck - 1; j > k; j--)
		free_ckpt(h, h->ck[j], true);
	h->nck = k + 1;
	undo_pages(h, h->ck[k]);
	if (state_load_all(m, h->ck[k]->state.data, h->ck[k]->state.len, err, sizeof(err)) < 0)
		kwb_fatal("history: checkpoint %d does not load: %s", k, err);
	m->bus.generation++;	/* memory went back: page tables and code too */
	new_epoch(m);
	h->ck[k]->epoch = h->epoch;
	h->last_ck_insns = h->ck[k]->insns;
	dbg_forget_resume(m);
	m->current = NULL;
	input_rewind(m, live_round(&h->present));
	hist_pos_now(m, &now);
	h->act_next = 0;
	while (h->act_next < h->nacts && hist_pos_cmp(&h->acts[h->act_next].pos, &now) < 0)
		h->act_next++;
	h->replaying = hist_pos_cmp(&now, &h->present) < 0;
}

/* The latest checkpoint strictly before p (-1: none). */
static int ckpt_before(struct history *h, const hist_pos *p)
{
	int k = h->nck - 1;

	while (k >= 0 && hist_pos_cmp(&h->ck[k]->pos, p) >= 0)
		k--;
	return k;
}

/* ---- life cycle ---- */

void hist_start(machine *m, uint64_t budget)
{
	struct history *h;

	hist_free(m);
	if (!budget)
		return;
	h = m->hist = kwb_zalloc(sizeof(*h));
	h->budget = budget;
	h->epoch_seq = 1;
	h->epoch = 1;
	h->count_cpu = -1;
	for (int i = 0; i < guestmem_count(m); i++)
		hist_mem_added(m, guestmem_at(m, i));
	input_truncate(m, 0);
	take_checkpoint(m);
}

void hist_free(machine *m)
{
	struct history *h = m->hist;

	if (!h)
		return;
	for (int i = 0; i < h->nck; i++)
		free_ckpt(h, h->ck[i], false);
	for (size_t i = 0; i < h->nacts; i++)
		free(h->acts[i].data);
	for (int i = 0; i < guestmem_count(m); i++) {
		guestmem *g = guestmem_at(m, i);
		free(g->saved_in);
		g->saved_in = NULL;
	}
	free(h->acts);
	free(h->ck);
	for (int i = 0; i < h->nchunks; i++)
		munmap(h->chunks[i], HIST_CHUNK);
	free(h->chunks);
	free(h);
	m->hist = NULL;
}

/* ---- the debugger's actions ---- */

static void hist_log_act(machine *m, enum act_kind kind, int cpu, uint64_t addr, unsigned flags,
			 const void *data, size_t len)
{
	struct history *h = m->hist;
	hist_act *a;

	if (h->nacts == h->capacts) {
		h->capacts = h->capacts ? 2 * h->capacts : 64;
		h->acts = kwb_realloc(h->acts, h->capacts * sizeof(*h->acts));
	}
	a = &h->acts[h->nacts++];
	hist_pos_now(m, &a->pos);
	a->kind = kind;
	a->cpu = cpu;
	a->addr = addr;
	a->flags = flags;
	a->len = (uint32_t)len;
	a->data = len ? kwb_zalloc(len) : NULL;
	if (len)
		memcpy(a->data, data, len);
	h->act_next = h->nacts;
	account(h, (int64_t)(sizeof(*a) + len));
}

/* The debugger wrote memory or a register. At the present it is logged;
 * in the past it starts a new timeline from here: what had followed is
 * dropped (history forgets it), and the run goes on from this state. */
void hist_note_write(machine *m, bool mem, int cpu, uint64_t addr, unsigned flags, const void *buf,
		     size_t len)
{
	struct history *h = m->hist;

	if (!h || h->applying)
		return;
	if (h->replaying) {
		hist_pos now;
		uint64_t lost_ns;

		hist_pos_now(m, &now);
		for (size_t i = h->act_next; i < h->nacts; i++)
			free(h->acts[i].data);
		h->nacts = h->act_next;
		input_truncate(m, live_round(&now));
		lost_ns = m->round_start;
		h->replaying = false;
		h->timelines++;
		fprintf(stderr, "kwb: history: the debugger wrote %s in the past (virtual time %llu ns): "
			"a new timeline starts here, the run that followed is forgotten\n",
			mem ? "memory" : "a register", (unsigned long long)lost_ns);
	}
	hist_log_act(m, mem ? ACT_MEM_WRITE : ACT_REG_WRITE, cpu, addr, flags, buf, len);
}

/* ---- travelling ---- */

static void travel_end(machine *m)
{
	struct history *h = m->hist;

	h->go = GO_NONE;
	dbg_suppress_points(m, false);
	if (dbg_pos_watch_on(m))
		dbg_set_pos_watch(m, -1, 0, 0);
}

static void report(machine *m, const stop_info *st)
{
	travel_end(m);
	dbg_report_stop_info(m, st);
}

static void report_begin(machine *m, int cpu)
{
	stop_info st = { .reason = STOP_STEP, .cpu = cpu, .history_begin = true };

	report(m, &st);
}

/* Sets the machine running towards where history goes (gdb's resume
 * actions do not apply: the past runs as it ran). */
static void travel(machine *m, enum go_kind go, bool suppress)
{
	struct history *h = m->hist;

	h->go = go;
	dbg_suppress_points(m, suppress);
	dbg_set_actions_internal(m, RESUME_CONTINUE);
	m->state = RUN_RUNNING;
}

static void go_pos(machine *m, int k, const hist_pos *target, enum go_why why, const stop_info *st)
{
	struct history *h = m->hist;

	restore(m, k);
	h->target = *target;
	h->why = why;
	h->report = *st;
	travel(m, GO_POS, true);
}

/* To the first moment cpu's icount is `count` after history's start; the
 * start itself when that is before it. */
static void go_count(machine *m, int cpu, uint64_t count, enum go_why why)
{
	struct history *h = m->hist;
	int k = h->nck - 1;

	while (k >= 0 && (h->ck[k]->icount[cpu] >= count || hist_pos_cmp(&h->ck[k]->pos, &h->origin) >= 0))
		k--;
	if (k < 0) {
		restore(m, 0);
		report_begin(m, cpu);
		m->state = RUN_RUNNING;
		return;
	}
	restore(m, k);
	h->count_cpu = cpu;
	h->count_target = count;
	h->why = why;
	travel(m, GO_COUNT, true);
}

int dbg_reverse_step(machine *m, int idx)
{
	struct history *h = m->hist;
	cpu *c = idx >= 0 && idx < m->ncpus ? m->cpus[idx] : NULL;

	if (!h || !c)
		return -1;
	hist_pos_now(m, &h->origin);
	/* after a step the CPU is at the first moment of its count: the one
	 * before is a count lower; after anything else, that count's first
	 * moment may be earlier than here (an interrupt taken since) */
	h->redo_step = !h->here_is_step;
	if (h->here_is_step && !c->icount) {
		restore(m, 0);
		report_begin(m, idx);
		m->state = RUN_RUNNING;
		return 0;
	}
	go_count(m, idx, h->here_is_step ? c->icount - 1 : c->icount, WHY_STEP);
	return 0;
}

uint64_t hist_budget(machine *m)
{
	return m->hist ? m->hist->budget : 0;
}

bool dbg_history_on(machine *m)
{
	return m->hist != NULL;
}

int dbg_reverse_continue(machine *m)
{
	struct history *h = m->hist;
	int k;

	if (!h)
		return -1;
	hist_pos_now(m, &h->origin);
	k = ckpt_before(h, &h->origin);
	if (k < 0) {
		report_begin(m, dbg_last_stop(m)->cpu);
		m->state = RUN_RUNNING;
		return 0;
	}
	h->scan_ck = k;
	h->have_hit = false;
	restore(m, k);
	h->target = h->origin;
	travel(m, GO_SCAN, false);
	return 0;
}

static bool is_point(enum stop_reason r)
{
	return r == STOP_SWBREAK || r == STOP_HWBREAK || r == STOP_WATCH || r == STOP_RWATCH ||
	       r == STOP_AWATCH;
}

static bool is_watch(enum stop_reason r)
{
	return r == STOP_WATCH || r == STOP_RWATCH || r == STOP_AWATCH;
}

/* The end of an interval scanned for hits. */
static void scan_end(machine *m)
{
	struct history *h = m->hist;

	if (h->have_hit) {
		hit last = h->last_hit;
		go_pos(m, h->scan_ck, &last.pos, is_watch(last.st.reason) ? WHY_WATCH_AFTER : WHY_HIT,
		       &last.st);
		return;
	}
	if (h->scan_ck == 0) {
		restore(m, 0);
		report_begin(m, dbg_last_stop(m)->cpu);
		return;
	}
	h->target = h->ck[h->scan_ck]->pos;
	h->scan_ck--;
	restore(m, h->scan_ck);
	travel(m, GO_SCAN, false);
}

static void arrived_pos(machine *m)
{
	struct history *h = m->hist;

	if (dbg_pos_watch_on(m))
		dbg_set_pos_watch(m, -1, 0, 0);
	switch (h->why) {
	case WHY_WATCH_AFTER:
		/* report a watchpoint after its access, as gdb sees it forward:
		 * gdb steps back over it and shows the value change */
		h->count_cpu = h->report.cpu;
		h->count_target = m->cpus[h->report.cpu]->icount + 1;
		h->go = GO_COUNT;
		return;
	default:
		report(m, &h->report);
	}
}

static void arrived_count(machine *m)
{
	struct history *h = m->hist;
	hist_pos now;

	hist_pos_now(m, &now);
	if (h->why == WHY_WATCH_AFTER) {
		report(m, &h->report);
		return;
	}
	if (h->redo_step && hist_pos_cmp(&now, &h->origin) >= 0) {
		/* here was that count's first moment: one more back */
		h->redo_step = false;
		go_count(m, h->count_cpu, h->count_target - 1, WHY_STEP);
		return;
	}
	stop_info st = { .reason = STOP_STEP, .cpu = h->count_cpu };
	report(m, &st);
}

/* ---- the machine loop's hooks ---- */

static void lost(machine *m, const char *what)
{
	struct history *h = m->hist;
	hist_pos now;
	stop_info st = { .reason = STOP_INTERRUPT, .cpu = m->turn >= 0 ? m->turn : 0 };

	hist_pos_now(m, &now);
	snprintf(h->lost, sizeof(h->lost), "%s: round %llu cpu %d icount %llu not reached (at round %llu cpu %d icount %llu)",
		 what, (unsigned long long)h->target.round, h->target.cpu, (unsigned long long)h->target.icount,
		 (unsigned long long)now.round, now.cpu, (unsigned long long)now.icount);
	fprintf(stderr, "kwb: history: %s\n", h->lost);
	report(m, &st);
}

static void apply_act(machine *m, hist_act *a)
{
	struct history *h = m->hist;

	h->applying = true;
	if (a->kind == ACT_MEM_WRITE)
		dbg_mem_write(m, a->cpu, a->addr, a->data, a->len, a->flags);
	else if (a->kind == ACT_REG_WRITE)
		dbg_reg_write(m, a->cpu, (int)a->addr, a->data);
	h->applying = false;
}

bool hist_arrived(machine *m)
{
	struct history *h = m->hist;
	hist_pos now;
	int c;

	if (!h)
		return false;
	hist_pos_now(m, &now);
	/* the debugger's writes at this moment, as they were made */
	while (h->replaying && h->act_next < h->nacts && hist_pos_cmp(&h->acts[h->act_next].pos, &now) <= 0) {
		hist_act *a = &h->acts[h->act_next];
		if (a->kind != ACT_MEM_WRITE && a->kind != ACT_REG_WRITE)
			break;
		apply_act(m, a);
		h->act_next++;
	}
	if (h->replaying && hist_pos_cmp(&now, &h->present) >= 0)
		h->replaying = false;	/* back at the present: live from here */
	if (h->go != GO_POS && h->go != GO_SCAN)
		return false;
	c = hist_pos_cmp(&now, &h->target);
	if (c > 0) {
		lost(m, "a moment of the past");
		return true;
	}
	if (c < 0) {
		/* the same count but exceptions to go: stop before the vector */
		if (now.round == h->target.round && now.cpu == h->target.cpu &&
		    now.icount == h->target.icount && !dbg_pos_watch_on(m))
			dbg_set_pos_watch(m, now.cpu, h->target.icount, h->target.nexc);
		return false;
	}
	if (h->go == GO_SCAN)
		scan_end(m);
	else
		arrived_pos(m);
	return true;	/* stopped, or restored elsewhere: the loop starts again */
}

bool hist_held(machine *m, cpu *c)
{
	struct history *h = m->hist;
	bool held;

	if (h && h->replaying) {
		hist_pos now;
		hist_pos_now(m, &now);
		if (h->act_next < h->nacts && h->acts[h->act_next].kind == ACT_HELD &&
		    h->acts[h->act_next].cpu == c->index && !hist_pos_cmp(&h->acts[h->act_next].pos, &now)) {
			h->act_next++;
			return true;
		}
		return false;
	}
	held = dbg_action(m, c->index) == RESUME_STOPPED;
	if (held && h)
		hist_log_act(m, ACT_HELD, c->index, 0, 0, NULL, 0);
	return held;
}

static int64_t cap_at(machine *m, cpu *c, const hist_pos *p, int64_t cap)
{
	if (p->round == m->rounds && p->cpu == m->turn && p->icount >= c->icount &&
	    (int64_t)(p->icount - c->icount) < cap)
		cap = (int64_t)(p->icount - c->icount);
	return cap;
}

int64_t hist_cap(machine *m, cpu *c, int64_t cap, bool *mask_irq)
{
	struct history *h = m->hist;

	if (!h)
		return cap;
	if (h->replaying) {
		hist_pos now;
		hist_pos_now(m, &now);
		*mask_irq = false;	/* the past runs as it ran */
		if (h->act_next < h->nacts) {
			hist_act *a = &h->acts[h->act_next];
			if (a->kind == ACT_MASKED_STEP && a->cpu == c->index && !hist_pos_cmp(&a->pos, &now)) {
				h->act_next++;
				*mask_irq = true;
				return 1;
			}
			cap = cap_at(m, c, &a->pos, cap);
		}
		cap = cap_at(m, c, &h->present, cap);
	} else if (*mask_irq) {
		/* a step with interrupts masked (gdb's default) may run other
		 * than the machine would: a replay masks them there too */
		hist_log_act(m, ACT_MASKED_STEP, c->index, 0, 0, NULL, 0);
	}
	if (h->go == GO_POS || h->go == GO_SCAN) {
		if (dbg_pos_watch_on(m) && h->target.cpu == m->turn && h->target.round == m->rounds)
			return cap < 1 ? cap : 1;	/* the watch stops it before the vector */
		cap = cap_at(m, c, &h->target, cap);
	}
	if (h->go == GO_COUNT && c->index == h->count_cpu && h->count_target > c->icount &&
	    (int64_t)(h->count_target - c->icount) < cap)
		cap = (int64_t)(h->count_target - c->icount);
	return cap;
}

void hist_after_run(machine *m, cpu *c)
{
	struct history *h = m->hist;

	if (!h)
		return;
	if (dbg_stop_pending(m)) {
		const stop_info *st = dbg_pending_stop(m);
		if (st->reason == STOP_HISTORY) {
			dbg_take_stop(m);	/* the moment: hist_arrived sees it */
		} else if (h->go == GO_SCAN && is_point(st->reason)) {
			hist_pos_now(m, &h->last_hit.pos);
			h->last_hit.st = *st;
			h->have_hit = true;
			dbg_pass_stop(m, st);
			dbg_take_stop(m);
		} else if (h->go != GO_NONE && is_point(st->reason)) {
			dbg_pass_stop(m, st);
			dbg_take_stop(m);
		}
	}
	if (h->go == GO_COUNT && c->index == h->count_cpu && c->icount >= h->count_target &&
	    !dbg_stop_pending(m))
		arrived_count(m);
}

void hist_boundary(machine *m)
{
	struct history *h = m->hist;

	if (h && total_insns(m) - h->last_ck_insns >= HIST_INTERVAL)
		take_checkpoint(m);
}

bool hist_replaying(machine *m)
{
	return m->hist && m->hist->replaying;
}

void hist_on_stop(machine *m, const stop_info *s)
{
	struct history *h = m->hist;

	if (!h)
		return;
	if (h->go != GO_NONE)
		travel_end(m);	/* interrupted (Ctrl-C): stay where it got */
	h->here_is_step = s->reason == STOP_STEP && !s->history_begin;
}

/* ---- monitor rr info ---- */

static void mib(mon_out *o, const char *what, uint64_t bytes)
{
	mon_printf(o, "%s%.1f MiB", what, (double)bytes / (1 << 20));
}

void hist_info(machine *m, mon_out *o)
{
	struct history *h = m->hist;
	hist_pos now;
	size_t pages = 0;
	uint64_t states = 0;

	if (!h) {
		mon_printf(o, "history: off (-rr-budget 0)\n");
		return;
	}
	for (int i = 0; i < h->nck; i++) {
		pages += h->ck[i]->npages;
		states += h->ck[i]->state.len;
	}
	hist_pos_now(m, &now);
	mon_printf(o, "history: %d checkpoints (one per %llu instructions), %llu dropped for the budget\n",
		   h->nck, (unsigned long long)HIST_INTERVAL, (unsigned long long)h->dropped);
	mon_printf(o, "window: virtual time %.6f s .. %.6f s (now %.6f s), instructions %llu .. %llu\n",
		   h->nck ? h->ck[0]->vtime / 1e9 : 0.0,
		   (h->replaying ? h->present_vtime : m->round_start) / 1e9, m->round_start / 1e9,
		   h->nck ? (unsigned long long)h->ck[0]->insns : 0ull,
		   (unsigned long long)(h->replaying ? h->present_insns : total_insns(m)));
	mib(o, "memory: ", h->used + input_log_bytes(m));
	mib(o, " of ", h->budget);
	mib(o, " (peak ", h->peak);
	mon_printf(o, "): %zu saved pages, %llu bytes of state, %zu bytes of input log, %zu debugger actions\n",
		   pages, (unsigned long long)states, input_log_bytes(m), h->nacts);
	if (h->replaying)
		mon_printf(o, "position: in the past (round %llu of %llu), re-executing the recorded run\n",
			   (unsigned long long)now.round, (unsigned long long)h->present.round);
	else
		mon_printf(o, "position: the present (round %llu)\n", (unsigned long long)now.round);
	if (h->timelines)
		mon_printf(o, "timelines: %d started by debugger writes in the past\n", h->timelines + 1);
	if (h->lost[0])
		mon_printf(o, "last error: %s\n", h->lost);
}
