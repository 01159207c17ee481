/*
 * Snapshots on disk (snapshot.h). One file per snapshot, NAME.kwbsnap:
 *
 *   "KWBSNAP\n", u32 format version, str kwb version, str configuration,
 *   u64 virtual ns, u64 instructions, u64 saved at (Unix seconds),
 *   u64 length + the state image (state_save_all: every described object),
 *   u32 memories, each: str name, u64 size, u64 pages, then per page its
 *   u64 index and 4096 bytes (pages of zeros are left out),
 *   u64 FNV-1a (bytewise) of everything before.
 *
 * (str: u16 length and bytes; integers little-endian.) Loading checks
 * the whole file first and changes nothing when it refuses.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "guestmem.h"
#include "history.h"
#include "input.h"
#include "machine.h"
#include "monitor.h"
#include "snapshot.h"
#include "state.h"

#define SNAP_MAGIC "KWBSNAP\n"
#define SNAP_FORMAT 1
#define SNAP_EXT ".kwbsnap"
#define PAGE GUESTMEM_PAGE

/* ---- the directory and names ---- */

static int mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

const char *snapshot_dir(machine *m)
{
	static char buf[4096];
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (m->opt->snapshot_dir)
		return m->opt->snapshot_dir;
	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/kwb/snapshots", xdg);
	else
		snprintf(buf, sizeof(buf), "%s/.local/share/kwb/snapshots", home && *home ? home : ".");
	return buf;
}

static bool good_name(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (!n || n > 64 || name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n) {
		snprintf(err, errlen, "snapshot name '%s': use 1 to 64 of A-Z a-z 0-9 . _ - (not starting with .)",
			 name);
		return false;
	}
	return true;
}

static void file_of(machine *m, const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s%s", snapshot_dir(m), name, SNAP_EXT);
}

/* "aarch64 virt, 2 CPUs, 512 MiB RAM": what a snapshot must be loaded on
 * (the objects and their layouts are checked by the state image). */
static void config_line(machine *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s, %d CPU%s, %llu MiB RAM", m->arch->name, m->board->name, m->ncpus,
		 m->ncpus > 1 ? "s" : "", (unsigned long long)(m->bus.ram ? m->bus.ram->size >> 20 : 0));
}

/* ---- writing ---- */

typedef struct wr {
	FILE *f;
	uint64_t hash;
	bool failed;
} wr;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* FNV-1a over 8-byte words (fast enough for whole RAM images). */
static uint64_t fnv_pages(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
	}
	return fnv(h, p + i, n - i);
}

static void put(wr *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n)
		w->failed = true;
	w->hash = fnv(w->hash, p, n);
}

static void put_u16(wr *w, uint16_t v) { put(w, &v, 2); }
static void put_u32(wr *w, uint32_t v) { put(w, &v, 4); }
static void put_u64(wr *w, uint64_t v) { put(w, &v, 8); }

static void put_str(wr *w, const char *s)
{
	size_t n = strlen(s);
	put_u16(w, (uint16_t)n);
	put(w, s, n);
}

static bool zero_page(const uint8_t *p, size_t n)
{
	static const uint8_t zeros[PAGE];
	return !memcmp(p, zeros, n);
}

/* A page the memory's owner says was never written is zero: not read
 * (a disk overlay: only the blocks the guest wrote). */
static bool page_zero(const guestmem *g, uint64_t p, uint64_t len)
{
	return (g->used && !g->used[p]) || zero_page(g->host + p * PAGE, len);
}

static uint64_t page_len(const guestmem *g, uint64_t page)
{
	uint64_t off = page * PAGE;
	return g->size - off < PAGE ? g->size - off : PAGE;
}

static uint64_t total_insns(machine *m)
{
	uint64_t t = 0;
	for (int i = 0; i < m->ncpus; i++)
		t += m->cpus[i]->icount;
	return t;
}

int snapshot_save(machine *m, const char *name, char *err, size_t errlen)
{
	char path[4096], tmp[4200], cfg[160];
	state_buf st = { 0 };
	wr w = { .hash = 0xcbf29ce484222325ull };

	if (!good_name(name, err, errlen))
		return -1;
	if (mkdirs(snapshot_dir(m)) < 0) {
		snprintf(err, errlen, "snapshot directory %s: %s", snapshot_dir(m), strerror(errno));
		return -1;
	}
	file_of(m, name, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	w.f = fopen(tmp, "wb");
	if (!w.f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	config_line(m, cfg, sizeof(cfg));
	put(&w, SNAP_MAGIC, 8);
	put_u32(&w, SNAP_FORMAT);
	put_str(&w, KWB_VERSION);
	put_str(&w, cfg);
	put_u64(&w, m->round_start);
	put_u64(&w, total_insns(m));
	put_u64(&w, (uint64_t)time(NULL));
	state_save_all(m, &st);
	put_u64(&w, st.len);
	put(&w, st.data, st.len);
	state_buf_free(&st);
	put_u32(&w, (uint32_t)guestmem_count(m));
	for (int i = 0; i < guestmem_count(m); i++) {
		guestmem *g = guestmem_at(m, i);
		uint64_t n = 0;
		for (uint64_t p = 0; p < g->pages; p++)
			n += !page_zero(g, p, page_len(g, p));
		put_str(&w, g->name);
		put_u64(&w, g->size);
		put_u64(&w, n);
		for (uint64_t p = 0; p < g->pages; p++) {
			if (page_zero(g, p, page_len(g, p)))
				continue;
			put_u64(&w, p);
			put(&w, g->host + p * PAGE, page_len(g, p));
		}
	}
	{
		uint64_t h = w.hash;
		put_u64(&w, h);
	}
	if (fclose(w.f) || w.failed) {
		snprintf(err, errlen, "%s: %s", tmp, w.failed ? "write failed (disk full?)" : strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

typedef struct snapfile {
	uint8_t *map;
	size_t size;
	/* parsed */
	uint32_t format;
	char version[64], config[200];
	uint64_t vtime, insns, saved_at;
	const uint8_t *state;
	uint64_t state_len;
	const uint8_t *mems;	/* the memory section */
	uint32_t nmems;
} snapfile;

typedef struct rd {
	const uint8_t *p, *end;
	bool bad;
} rd;

static bool get(rd *r, void *dst, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return false;
	}
	if (dst)
		memcpy(dst, r->p, n);
	r->p += n;
	return true;
}

static uint64_t get_u64(rd *r) { uint64_t v = 0; get(r, &v, 8); return v; }
static uint32_t get_u32(rd *r) { uint32_t v = 0; get(r, &v, 4); return v; }

static void get_str(rd *r, char *dst, size_t cap)
{
	uint16_t n = 0;

	get(r, &n, 2);
	if (r->bad || n >= cap || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		dst[0] = 0;
		return;
	}
	/* names and versions from the file end up in one-line messages */
	for (uint16_t i = 0; i < n; i++)
		dst[i] = r->p[i] < 0x20 || r->p[i] >= 0x7f ? '?' : (char)r->p[i];
	dst[n] = 0;
	r->p += n;
}

static void snap_close(snapfile *f)
{
	if (f->map)
		munmap(f->map, f->size);
	memset(f, 0, sizeof(*f));
}

/* Maps and checks the frame of a snapshot file (header, checksum, the
 * sections' bounds); not yet whether it fits this machine. */
static int snap_open(machine *m, const char *name, snapfile *f, char *err, size_t errlen)
{
	char path[4096];
	struct stat st;
	int fd;
	rd r;
	uint64_t sum = 0;

	memset(f, 0, sizeof(*f));
	if (!good_name(name, err, errlen))
		return -1;
	file_of(m, name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "no snapshot '%s' in %s%s", name, snapshot_dir(m),
			 errno == ENOENT ? " (info snapshots lists them)" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || st.st_size < 16) {
		close(fd);
		snprintf(err, errlen, "snapshot '%s' (%s): not a kwb snapshot (too short)", name, path);
		return -1;
	}
	f->size = (size_t)st.st_size;
	f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		snprintf(err, errlen, "snapshot '%s': %s", name, strerror(errno));
		return -1;
	}
	if (memcmp(f->map, SNAP_MAGIC, 8)) {
		snprintf(err, errlen, "snapshot '%s' (%s): not a kwb snapshot", name, path);
		goto bad;
	}
	r = (rd){ .p = f->map + 8, .end = f->map + f->size - 8 };
	f->format = get_u32(&r);
	if (f->format != SNAP_FORMAT) {
		snprintf(err, errlen, "snapshot '%s' is in format %u, this kwb reads format %u", name,
			 f->format, SNAP_FORMAT);
		goto bad;
	}
	get_str(&r, f->version, sizeof(f->version));
	get_str(&r, f->config, sizeof(f->config));
	f->vtime = get_u64(&r);
	f->insns = get_u64(&r);
	f->saved_at = get_u64(&r);
	f->state_len = get_u64(&r);
	f->state = r.p;
	get(&r, NULL, f->state_len);
	f->nmems = get_u32(&r);
	f->mems = r.p;
	memcpy(&sum, f->map + f->size - 8, 8);
	if (r.bad || fnv(0xcbf29ce484222325ull, f->map, f->size - 8) != sum) {
		snprintf(err, errlen, "snapshot '%s' (%s) is damaged (truncated or changed after it was saved)",
			 name, path);
		goto bad;
	}
	return 0;
bad:
	snap_close(f);
	return -1;
}

/* Walks the memory section: fn per memory (and per page when page_fn). */
typedef struct mem_visit {
	int (*mem_fn)(void *ctx, const char *name, uint64_t size, uint64_t npages);
	void (*page_fn)(void *ctx, uint64_t page, const uint8_t *data, uint64_t len);
	void *ctx;
} mem_visit;

static int walk_mems(const snapfile *f, const mem_visit *v)
{
	rd r = { .p = f->mems, .end = f->map + f->size - 8 };

	for (uint32_t i = 0; i < f->nmems; i++) {
		char name[64];
		uint64_t size, npages;
		int rc;

		get_str(&r, name, sizeof(name));
		size = get_u64(&r);
		npages = get_u64(&r);
		if (r.bad)
			return -1;
		if (v->mem_fn && (rc = v->mem_fn(v->ctx, name, size, npages)))
			return rc;
		for (uint64_t k = 0; k < npages; k++) {
			uint64_t page = get_u64(&r), len;
			if (r.bad || page >= (size + PAGE - 1) / PAGE)
				return -1;
			len = size - page * PAGE < PAGE ? size - page * PAGE : PAGE;
			if ((size_t)(r.end - r.p) < len)
				return -1;
			if (v->page_fn)
				v->page_fn(v->ctx, page, r.p, len);
			r.p += len;
		}
	}
	return r.p == r.end ? 0 : -1;
}

/* ---- loading ---- */

struct check_ctx {
	machine *m;
	const char *snap;
	char *err;
	size_t errlen;
	int seen;
	guestmem *cur;
};

static int check_mem(void *p, const char *name, uint64_t size, uint64_t npages)
{
	struct check_ctx *c = p;
	guestmem *g = guestmem_find(c->m, name);

	(void)npages;
	if (!g || g->size != size) {
		snprintf(c->err, c->errlen, "snapshot '%s' has memory %s (%llu bytes) that this machine %s",
			 c->snap, name, (unsigned long long)size, g ? "has in another size" : "does not have");
		return 1;
	}
	c->seen++;
	return 0;
}

static int load_mem(void *p, const char *name, uint64_t size, uint64_t npages)
{
	struct check_ctx *c = p;
	guestmem *g = guestmem_find(c->m, name);

	(void)size, (void)npages;
	c->cur = g;
	/* zero it (anonymous mappings: at once, pages are given back), then
	 * the saved pages go in */
	if (madvise(g->host, g->size, MADV_DONTNEED))
		memset(g->host, 0, g->size);
	return 0;
}

static void load_page(void *p, uint64_t page, const uint8_t *data, uint64_t len)
{
	struct check_ctx *c = p;

	memcpy(c->cur->host + page * PAGE, data, len);
}

int snapshot_load(machine *m, const char *name, char *err, size_t errlen)
{
	snapfile f;
	char cfg[160];
	struct check_ctx c = { .m = m, .snap = name, .err = err, .errlen = errlen };
	mem_visit check = { .mem_fn = check_mem, .ctx = &c }, load = { load_mem, load_page, &c };
	char why[256] = "";
	uint64_t budget = 0;

	if (snap_open(m, name, &f, err, errlen) < 0)
		return -1;
	config_line(m, cfg, sizeof(cfg));
	if (strcmp(f.version, KWB_VERSION)) {
		snprintf(err, errlen, "snapshot '%s' was saved by kwb %s, this is kwb %s", name, f.version,
			 KWB_VERSION);
		goto bad;
	}
	if (strcmp(f.config, cfg)) {
		snprintf(err, errlen, "snapshot '%s' was saved on another machine (%s; this one is %s)", name,
			 f.config, cfg);
		goto bad;
	}
	if (walk_mems(&f, &check) != 0) {
		if (!err[0])
			snprintf(err, errlen, "snapshot '%s' is damaged (its memory section)", name);
		goto bad;
	}
	if (c.seen != guestmem_count(m)) {
		snprintf(err, errlen, "snapshot '%s' lacks memories this machine has (another configuration)",
			 name);
		goto bad;
	}
	if (state_check_all(m, f.state, f.state_len, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "snapshot '%s' does not fit this machine: %s", name, why);
		goto bad;
	}
	/* from here on the machine changes: history starts again from it */
	budget = hist_budget(m);
	hist_free(m);
	if (state_load_all(m, f.state, f.state_len, why, sizeof(why)) < 0)
		fprintf(stderr, "kwb: loadvm %s: %s\n", name, why);	/* a post_load complaint */
	walk_mems(&f, &load);
	m->bus.generation++;
	for (int i = 0; i < m->ncpus; i++) {
		m->arch->flush_tlb(m->cpus[i]);
		m->arch->flush_decode(m->cpus[i]);
	}
	input_forget(m);
	hist_start(m, budget);
	snap_close(&f);
	return 0;
bad:
	snap_close(&f);
	return -1;
}

int snapshot_delete(machine *m, const char *name, char *err, size_t errlen)
{
	char path[4096];

	if (!good_name(name, err, errlen))
		return -1;
	file_of(m, name, path, sizeof(path));
	if (unlink(path)) {
		snprintf(err, errlen, "no snapshot '%s' in %s%s", name, snapshot_dir(m),
			 errno == ENOENT ? "" : strerror(errno));
		return -1;
	}
	return 0;
}

void snapshot_list(machine *m, mon_out *o)
{
	DIR *d = opendir(snapshot_dir(m));
	struct dirent *e;
	char cfg[160], err[256];
	int n = 0;

	config_line(m, cfg, sizeof(cfg));
	if (!d) {
		mon_printf(o, "no snapshots (%s: %s)\n", snapshot_dir(m), strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name), ext = strlen(SNAP_EXT);
		char name[80], when[32];
		snapfile f;
		time_t t;

		if (len <= ext || len - ext >= sizeof(name) || strcmp(e->d_name + len - ext, SNAP_EXT))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - ext), e->d_name);
		if (!n++)
			mon_printf(o, "%-24s %9s  %-19s %14s  %s\n", "NAME", "SIZE", "SAVED", "VIRTUAL TIME",
				   "MACHINE");
		if (snap_open(m, name, &f, err, sizeof(err)) < 0) {
			mon_printf(o, "%-24s unreadable: %s\n", name, err);
			continue;
		}
		t = (time_t)f.saved_at;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		mon_printf(o, "%-24s %7.1fMi  %-19s %12.6f s  %s%s\n", name, f.size / 1048576.0, when,
			   f.vtime / 1e9, f.config,
			   strcmp(f.config, cfg) || strcmp(f.version, KWB_VERSION) ? " (not this machine)" : "");
		snap_close(&f);
	}
	closedir(d);
	if (!n)
		mon_printf(o, "no snapshots in %s\n", snapshot_dir(m));
}

/* ---- comparing ---- */

/* A snapshot's state image and its memories' pages, or the machine's. */
typedef struct image {
	snapfile f;
	bool live;
	state_buf st;
} image;

static int image_open(machine *m, const char *name, image *im, char *err, size_t errlen)
{
	memset(im, 0, sizeof(*im));
	if (!strcmp(name, "now")) {
		im->live = true;
		state_save_all(m, &im->st);
		return 0;
	}
	return snap_open(m, name, &im->f, err, errlen);
}

static void image_close(image *im)
{
	state_buf_free(&im->st);
	snap_close(&im->f);
}

/* The pages of one memory of an image, as a lookup table (NULL: zero). */
struct page_table {
	const char *want;
	uint64_t limit;		/* the size this machine's memory has (file images) */
	bool found;
	uint64_t size, npages;
	const uint8_t **page;
	bool in_want;
};

static int pt_mem(void *p, const char *name, uint64_t size, uint64_t npages)
{
	struct page_table *t = p;

	(void)npages;
	t->in_want = !strcmp(name, t->want) && !t->found;
	if (t->in_want) {
		t->found = true;
		t->size = size;
		/* a file's size is input: only this machine's is worth a table */
		if (size != t->limit) {
			t->in_want = false;
			return 0;
		}
		t->npages = (size + PAGE - 1) / PAGE;
		t->page = kwb_zalloc((t->npages + 1) * sizeof(*t->page));
	}
	return 0;
}

static void pt_page(void *p, uint64_t page, const uint8_t *data, uint64_t len)
{
	struct page_table *t = p;

	(void)len;
	if (t->in_want)
		t->page[page] = data;
}

static void pages_of(machine *m, image *im, const char *mem, struct page_table *t)
{
	memset(t, 0, sizeof(*t));
	t->want = mem;
	if (im->live) {
		guestmem *g = guestmem_find(m, mem);
		if (!g)
			return;
		t->found = true;
		t->size = g->size;
		t->npages = g->pages;
		t->page = kwb_zalloc((t->npages + 1) * sizeof(*t->page));
		for (uint64_t p = 0; p < g->pages; p++)
			if (!page_zero(g, p, page_len(g, p)))
				t->page[p] = g->host + p * PAGE;
		return;
	}
	mem_visit v = { pt_mem, pt_page, t };
	guestmem *g = guestmem_find(m, mem);
	t->limit = g ? g->size : 0;
	walk_mems(&im->f, &v);
}

static void diff_memory(machine *m, image *a, image *b, const char *mem, mon_out *o, int *diffs)
{
	struct page_table ta, tb;
	static const uint8_t zeros[PAGE];
	uint64_t n = 0, first = ~0ull;

	pages_of(m, a, mem, &ta);
	pages_of(m, b, mem, &tb);
	if (ta.found && tb.found && (ta.size != tb.size || !ta.page || !tb.page)) {
		mon_printf(o, "memory %s: %llu bytes against %llu\n", mem, (unsigned long long)ta.size,
			   (unsigned long long)tb.size);
		(*diffs)++;
	} else if (!ta.found || !tb.found) {
		mon_printf(o, "memory %s: in %s only\n", mem, ta.found ? "the first" : "the second");
		(*diffs)++;
	} else {
		for (uint64_t p = 0; p < ta.npages; p++) {
			uint64_t len = ta.size - p * PAGE < PAGE ? ta.size - p * PAGE : PAGE;
			const uint8_t *x = ta.page[p] ? ta.page[p] : zeros, *y = tb.page[p] ? tb.page[p] : zeros;
			if (memcmp(x, y, len)) {
				if (first == ~0ull)
					first = p;
				n++;
			}
		}
		if (n) {
			mon_printf(o, "memory %s: %llu pages of %llu differ (the first at offset 0x%llx)\n", mem,
				   (unsigned long long)n, (unsigned long long)ta.npages,
				   (unsigned long long)(first * PAGE));
			(*diffs)++;
		}
	}
	free(ta.page);
	free(tb.page);
}

int snapshot_diff(machine *m, const char *na, const char *nb, mon_out *o, char *err, size_t errlen)
{
	image a, b;
	int diffs;

	if (image_open(m, na, &a, err, errlen) < 0)
		return -1;
	if (image_open(m, nb, &b, err, errlen) < 0) {
		image_close(&a);
		return -1;
	}
	diffs = state_diff_all(a.live ? a.st.data : a.f.state, a.live ? a.st.len : a.f.state_len,
			       b.live ? b.st.data : b.f.state, b.live ? b.st.len : b.f.state_len, o);
	for (int i = 0; i < guestmem_count(m); i++)
		diff_memory(m, &a, &b, guestmem_at(m, i)->name, o, &diffs);
	mon_printf(o, "%d difference%s between %s and %s\n", diffs, diffs == 1 ? "" : "s", na, nb);
	image_close(&a);
	image_close(&b);
	return 0;
}

uint64_t snapshot_digest(machine *m)
{
	state_buf st = { 0 };
	uint64_t h = 0xcbf29ce484222325ull;

	state_save_all(m, &st);
	h = fnv_pages(h, st.data, st.len);
	state_buf_free(&st);
	for (int i = 0; i < guestmem_count(m); i++) {
		guestmem *g = guestmem_at(m, i);
		h = fnv(h, g->name, strlen(g->name));
		if (!g->used) {
			h = fnv_pages(h, g->host, g->size);
			continue;
		}
		for (uint64_t p = 0; p < g->pages; p++)
			if (g->used[p]) {
				h = fnv(h, &p, sizeof(p));
				h = fnv_pages(h, g->host + p * PAGE, page_len(g, p));
			}
	}
	return h;
}
