/*
 * 9P2000.L, the server side (see virtio_9p.h): one whole T-message in, its
 * R-message out. Every field is read through p9_in, which turns any read
 * past the message into ENOBUFS (as QEMU's unmarshalling does); every
 * reply through p9_out, which turns a reply that does not fit the guest's
 * buffer into ENOBUFS too. Error numbers, checks and their order follow
 * QEMU 7.2's hw/9pfs/9p.c, so a Linux client sees the same answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <unistd.h>

#include "virtio_9p.h"

enum {
	RLERROR = 7, TSTATFS = 8, TLOPEN = 12, TLCREATE = 14, TSYMLINK = 16, TMKNOD = 18, TRENAME = 20,
	TREADLINK = 22, TGETATTR = 24, TSETATTR = 26, TXATTRWALK = 30, TXATTRCREATE = 32, TREADDIR = 40,
	TFSYNC = 50, TLOCK = 52, TGETLOCK = 54, TLINK = 70, TMKDIR = 72, TRENAMEAT = 74, TUNLINKAT = 76,
	TVERSION = 100, TAUTH = 102, TATTACH = 104, TFLUSH = 108, TWALK = 110, TREAD = 116, TWRITE = 118,
	TCLUNK = 120, TREMOVE = 122,
};

#define MAXWELEM 16
#define QID_DIR 0x80
#define QID_SYMLINK 0x02
#define STATS_BASIC 0x7ffull
#define DOTL_AT_REMOVEDIR 0x200
#define XATTR_MAX 65536		/* Linux's XATTR_SIZE_MAX and XATTR_LIST_MAX */
#define MAX_FIDS (1u << 20)
#define MAX_FID_BYTES (256u << 20)	/* paths and xattr values held by fids */

enum fid_type { FID_NONE, FID_FILE, FID_DIR, FID_XATTR };

typedef struct p9_fid {
	struct p9_fid *next;	/* hash chain */
	uint32_t id;
	uint32_t uid;		/* attach's n_uname: owner of what this fid creates */
	char *path;		/* "" the export, "a/b": checked components */
	enum fid_type type;
	int fd;			/* FID_FILE, FID_DIR */
	/* FID_XATTR: a value read (xattrwalk) or being written (xattrcreate) */
	bool xcreate;
	char *xname;
	uint8_t *xval;
	uint64_t xlen, xcopied;
	int xflags;
	size_t bytes;		/* what this fid holds, for the budget */
} p9_fid;

struct p9_server {
	p9fs fs;
	uint32_t msize;
	p9_fid **tab;
	size_t tabsize, nfids, max_fids, bytes;
	int nfds, max_fds;
	int badfid;		/* the current op's errno for an unknown fid */
	bool stale;		/* fids were dropped under the guest: ESTALE */
};

/* ---- reading a message ---- */

typedef struct p9_in {
	const uint8_t *p;
	size_t len, off;
	bool bad;
} p9_in;

typedef struct p9_str {
	const char *s;
	size_t len;
} p9_str;

static uint64_t get(p9_in *in, unsigned n)
{
	uint64_t v = 0;

	if (in->bad || in->len - in->off < n) {
		in->bad = true;
		return 0;
	}
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | in->p[in->off + i];
	in->off += n;
	return v;
}

static void skip(p9_in *in, unsigned n)
{
	(void)get(in, n);
}

#define g8(in) ((uint8_t)get(in, 1))
#define g16(in) ((uint16_t)get(in, 2))
#define g32(in) ((uint32_t)get(in, 4))
#define g64(in) get(in, 8)

static p9_str gstr(p9_in *in)
{
	p9_str s = { "", 0 };
	size_t n = g16(in);

	if (in->bad || in->len - in->off < n) {
		in->bad = true;
		return s;
	}
	s.s = (const char *)in->p + in->off;
	s.len = n;
	in->off += n;
	return s;
}

/* ---- writing a reply ---- */

typedef struct p9_out {
	uint8_t *p;
	size_t cap, len;
	bool full;
} p9_out;

static void put(p9_out *o, uint64_t v, unsigned n)
{
	if (o->cap - o->len < n) {
		o->full = true;
		return;
	}
	for (unsigned i = 0; i < n; i++, v >>= 8)
		o->p[o->len++] = (uint8_t)v;
}

static void pstr(p9_out *o, const char *s, size_t n)
{
	if (n > 0xffff || o->cap - o->len < 2 + n) {
		o->full = true;
		return;
	}
	put(o, n, 2);
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void pqid(p9_out *o, const struct stat *st)
{
	uint8_t type = S_ISDIR(st->st_mode) ? QID_DIR : S_ISLNK(st->st_mode) ? QID_SYMLINK : 0;

	put(o, type, 1);
	put(o, (uint32_t)((uint64_t)st->st_mtime ^ (uint64_t)st->st_size << 8), 4);	/* QEMU's version */
	put(o, st->st_ino, 8);
}

/* ---- fids ---- */

static size_t fid_hash(const p9_server *s, uint32_t id)
{
	return (id * 2654435761u) & (s->tabsize - 1);
}

static p9_fid *fid_find(p9_server *s, uint32_t id)
{
	for (p9_fid *f = s->tab[fid_hash(s, id)]; f; f = f->next)
		if (f->id == id)
			return f;
	return NULL;
}

/* The current op's fid, or NULL with *err set (QEMU's errno for an unknown
 * fid differs per message; ESTALE after fids were dropped under the guest). */
static p9_fid *fid_get(p9_server *s, uint32_t id, int *err)
{
	p9_fid *f = fid_find(s, id);

	if (!f)
		*err = s->stale ? -ESTALE : s->badfid;
	return f;
}

static void fid_account(p9_server *s, p9_fid *f)
{
	s->bytes -= f->bytes;
	f->bytes = sizeof(*f) + strlen(f->path) + 1 + (f->xname ? strlen(f->xname) + 1 : 0) + f->xlen;
	s->bytes += f->bytes;
}

static void grow_table(p9_server *s)
{
	size_t n = s->tabsize * 2;
	p9_fid **t = kwb_zalloc(n * sizeof(*t));

	for (size_t i = 0; i < s->tabsize; i++)
		for (p9_fid *f = s->tab[i], *next; f; f = next) {
			next = f->next;
			f->next = t[(f->id * 2654435761u) & (n - 1)];
			t[(f->id * 2654435761u) & (n - 1)] = f;
		}
	free(s->tab);
	s->tab = t;
	s->tabsize = n;
}

/* A new fid (NULL: the id is in use or the budget is spent, *err set). */
static p9_fid *fid_new(p9_server *s, uint32_t id, const char *path, uint32_t uid, int *err)
{
	p9_fid *f;

	if (fid_find(s, id)) {
		*err = -EINVAL;
		return NULL;
	}
	if (s->nfids >= s->max_fids || s->bytes + strlen(path) > MAX_FID_BYTES) {
		*err = -ENFILE;
		return NULL;
	}
	if (s->nfids >= s->tabsize * 2)
		grow_table(s);
	f = kwb_zalloc(sizeof(*f));
	f->id = id;
	f->uid = uid;
	f->path = kwb_strdup(path);
	f->fd = -1;
	f->next = s->tab[fid_hash(s, id)];
	s->tab[fid_hash(s, id)] = f;
	s->nfids++;
	fid_account(s, f);
	return f;
}

static void fid_set_path(p9_server *s, p9_fid *f, const char *path)
{
	free(f->path);
	f->path = kwb_strdup(path);
	fid_account(s, f);
}

/* Frees a clunked fid; an xattrcreate fid commits its value here. */
static int fid_free(p9_server *s, p9_fid *f)
{
	p9_fid **pp = &s->tab[fid_hash(s, f->id)];
	int r = 0;

	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	if (f->fd >= 0) {
		close(f->fd);
		s->nfds--;
	}
	if (f->type == FID_XATTR && f->xcreate) {
		if (f->xcopied != f->xlen) {
			r = -EINVAL;	/* clunked before all of the value came */
		} else {
			const char *name;
			int dir = p9fs_open_parent(&s->fs, f->path, &name);

			r = dir;
			if (dir >= 0) {
				r = f->xlen ? p9fs_setxattr(&s->fs, dir, name, f->xname, f->xval, f->xlen, f->xflags)
					    : p9fs_removexattr(&s->fs, dir, name, f->xname);
				close(dir);
			}
		}
	}
	s->bytes -= f->bytes;
	s->nfids--;
	free(f->xname);
	free(f->xval);
	free(f->path);
	free(f);
	return r;
}

void p9_server_reset(p9_server *s)
{
	for (size_t i = 0; i < s->tabsize; i++)
		while (s->tab[i]) {
			p9_fid *f = s->tab[i];
			f->type = FID_NONE;	/* a reset commits nothing */
			fid_free(s, f);
		}
}

void p9_server_invalidate(p9_server *s)
{
	p9_server_reset(s);
	s->stale = true;
}

/* ---- names and paths ---- */

/* A name the guest gives for a new or existing entry: what QEMU's checks
 * say (ENOENT for "" or a '/'), EINVAL for a NUL inside, ENAMETOOLONG
 * past NAME_MAX; copied into buf. */
static int take_name(p9_str n, char *buf)
{
	if (!n.len || memchr(n.s, '/', n.len))
		return -ENOENT;
	if (memchr(n.s, 0, n.len))
		return -EINVAL;
	if (n.len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, n.s, n.len);
	buf[n.len] = 0;
	return 0;
}

static bool is_dot(const char *n)
{
	return !strcmp(n, ".") || !strcmp(n, "..");
}

/* A new entry's name: take_name, and "." or ".." is EEXIST (EISDIR for
 * renames), as QEMU's check_name. */
static int new_name(p9_str n, char *buf, int dot_err)
{
	int r = take_name(n, buf);

	return r ? r : is_dot(buf) ? dot_err : 0;
}

/* The common start of the messages that make an entry NAME in directory
 * fid dfid: the message parsed whole, a valid new name, a known fid. */
static int new_entry(p9_server *s, p9_in *in, uint32_t dfid, p9_str n, char *name, p9_fid **f)
{
	int r;

	if (in->bad)
		return -ENOBUFS;
	if ((r = new_name(n, name, -EEXIST)))
		return r;
	*f = fid_get(s, dfid, &r);
	return *f ? 0 : r;
}

/* dir/name into out (PATH_MAX bytes): ENAMETOOLONG past that. */
static int join(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s%s%s", dir, *dir ? "/" : "", name);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* ".." of path, in place ("" stays "": the export's parent is itself). */
static void up(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash)
		*slash = 0;
	else
		*path = 0;
}

static int path_stat(p9_server *s, const char *path, struct stat *st)
{
	const char *name;
	int dir = p9fs_open_parent(&s->fs, path, &name), r;

	if (dir < 0)
		return dir;
	r = p9fs_lstat(&s->fs, dir, name, st);
	close(dir);
	return r;
}

/* stat of a fid's object: its open fd when it has one (an unlinked file
 * still answers), else by path. */
static int fid_stat(p9_server *s, p9_fid *f, struct stat *st)
{
	return f->fd >= 0 ? p9fs_fstat(&s->fs, f->fd, st) : path_stat(s, f->path, st);
}

static uint32_t iounit(p9_server *s, long bsize)
{
	uint32_t room = s->msize - P9_IOHDRSZ, u = 0;

	if (bsize > 0)
		u = room / (uint32_t)bsize * (uint32_t)bsize;
	return u ? u : room;
}

static int take_fd(p9_server *s, int fd)
{
	if (fd < 0)
		return fd;
	if (s->nfds >= s->max_fds) {
		close(fd);
		return -EMFILE;
	}
	s->nfds++;
	return fd;
}

/* ---- the messages ---- */

typedef int (*op_fn)(p9_server *s, p9_in *in, p9_out *o);

static int op_version(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t msize = g32(in);
	p9_str v = gstr(in);
	bool dotl;

	if (in->bad)
		return -ENOBUFS;
	p9_server_reset(s);
	s->stale = false;
	dotl = v.len == 8 && !memcmp(v.s, "9P2000.L", 8);
	if (dotl && msize < P9_MIN_MSIZE)
		return -EMSGSIZE;
	if (msize > P9_MAX_MSIZE)
		msize = P9_MAX_MSIZE;
	if (dotl)
		s->msize = msize;
	put(o, msize, 4);
	/* 9P2000 and 9P2000.u are not served: "unknown" makes a client give up */
	pstr(o, dotl ? "9P2000.L" : "unknown", dotl ? 8 : 7);
	return 0;
}

static int op_attach(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	struct stat st;
	p9_fid *f;
	int r;

	skip(in, 4);		/* afid: no authentication */
	gstr(in);		/* uname */
	gstr(in);		/* aname: the export is the only tree */
	uint32_t uid = g32(in);
	if (in->bad)
		return -ENOBUFS;
	f = fid_new(s, fid, "", uid, &r);
	if (!f)
		return r;
	r = fid_stat(s, f, &st);
	if (r) {
		fid_free(s, f);
		return -EINVAL;
	}
	pqid(o, &st);
	return 0;
}

static int op_walk(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in), newfid = g32(in);
	uint16_t n = g16(in);
	char names[MAXWELEM][NAME_MAX + 1], path[PATH_MAX];
	struct stat st[MAXWELEM];
	int dir = -1, r = 0, done = 0;
	p9_fid *f;

	if (in->bad)
		return -ENOBUFS;
	if (n > MAXWELEM)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		p9_str w = gstr(in);

		if (in->bad)
			return -ENOBUFS;
		if (!w.len || memchr(w.s, '/', w.len))
			return -ENOENT;
		if ((r = take_name(w, names[i])))
			return r;
	}
	f = fid_get(s, fid, &r);
	if (!f)
		return r;
	snprintf(path, sizeof(path), "%s", f->path);
	if ((r = path_stat(s, path, &st[0])))	/* the fid itself must still be there */
		return r;
	for (; done < n; done++) {
		const char *name = names[done];

		if (!strcmp(name, "..") || !strcmp(name, ".")) {
			if (name[1])
				up(path);
			if (dir >= 0)
				close(dir);
			dir = -1;
			const char *last;
			int pd = p9fs_open_parent(&s->fs, path, &last);
			if (pd < 0 || (r = p9fs_lstat(&s->fs, pd, last, &st[done]))) {
				r = pd < 0 ? pd : r;
				if (pd >= 0)
					close(pd);
				break;
			}
			close(pd);
			continue;
		}
		if (dir < 0 && (dir = p9fs_open_dir(&s->fs, path)) < 0) {
			r = dir;
			break;
		}
		char next_path[PATH_MAX];
		if ((r = join(next_path, path, name)))
			break;
		memcpy(path, next_path, sizeof(path));
		if ((r = p9fs_lstat(&s->fs, dir, name, &st[done])))
			break;
		if (done + 1 < n) {
			int next = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			close(dir);
			dir = next;
			if (dir < 0) {
				r = -errno;
				done++;		/* this one was found: the next fails */
				break;
			}
		}
	}
	if (dir >= 0)
		close(dir);
	if (done < n) {
		if (!done)
			return r;
		goto qids;	/* a partial walk: the qids found, no new fid */
	}
	if (fid == newfid) {
		if (n && f->type != FID_NONE)
			return -EINVAL;
		fid_set_path(s, f, path);
	} else if (!fid_new(s, newfid, path, f->uid, &r)) {
		return r;
	}
qids:
	put(o, (uint16_t)done, 2);
	for (int i = 0; i < done; i++)
		pqid(o, &st[i]);
	return 0;
}

/* The Tlopen/Tlcreate flags a host open gets (QEMU's get_dotl_openflags):
 * the dotl bits are Linux's generic O_* values. */
static int open_flags(uint32_t f)
{
	static const struct { uint32_t dotl; int host; } map[] = {
		{ 01000, O_TRUNC }, { 02000, O_APPEND }, { 010000, O_DSYNC },
		{ 0100000, O_LARGEFILE }, { 0200000, O_DIRECTORY }, { 01000000, O_NOATIME },
		{ 04000000, O_SYNC },
	};
	int flags = (int)(f & O_ACCMODE);

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (f & map[i].dotl)
			flags |= map[i].host;
	return flags;
}

static int op_lopen(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in), dflags = g32(in);
	struct stat st;
	struct statfs sf;
	const char *name;
	int dir, fd, r, flags;
	p9_fid *f;

	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if (f->type != FID_NONE)
		return -EINVAL;
	dir = p9fs_open_parent(&s->fs, f->path, &name);
	if (dir < 0)
		return dir;
	if ((r = p9fs_lstat(&s->fs, dir, name, &st)))
		goto out;
	flags = open_flags(dflags);
	if (S_ISDIR(st.st_mode)) {
		flags = O_RDONLY | O_DIRECTORY;
	} else if (s->fs.readonly && (flags & (O_WRONLY | O_RDWR | O_APPEND | O_TRUNC))) {
		r = -EROFS;
		goto out;
	}
	fd = take_fd(s, p9fs_open(&s->fs, dir, name, flags));
	if (fd < 0) {
		r = fd;
		goto out;
	}
	f->fd = fd;
	f->type = S_ISDIR(st.st_mode) ? FID_DIR : FID_FILE;
	pqid(o, &st);
	put(o, f->type == FID_DIR ? 0 : iounit(s, fstatfs(fd, &sf) ? 0 : sf.f_bsize), 4);
out:
	close(dir);
	return r;
}

/* Creates name in dir fid's directory as c says; the new stat in st, the
 * new path in path; an fd for regular files. */
static int create_in(p9_server *s, p9_fid *d, const char *name, p9_cred *c, const char *target,
		     int oflags, struct stat *st, char *path)
{
	int dir, r;

	if ((r = join(path, d->path, name)))
		return r;
	dir = p9fs_open_dir(&s->fs, d->path);
	if (dir < 0)
		return dir;
	r = p9fs_create(&s->fs, dir, name, c, target, oflags, st);
	close(dir);
	return r;
}

static int op_lcreate(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t dfid = g32(in);
	p9_str n = gstr(in);
	uint32_t flags = g32(in), mode = g32(in), gid = g32(in);
	char name[NAME_MAX + 1], path[PATH_MAX];
	struct stat st;
	struct statfs sf;
	p9_fid *f;
	int r, fd;

	if ((r = new_entry(s, in, dfid, n, name, &f)))
		return r;
	if (f->type != FID_NONE)
		return -EINVAL;
	if (s->nfds >= s->max_fds)
		return -EMFILE;
	p9_cred c = { f->uid, gid, (mode & 07777) | S_IFREG, 0, false };
	fd = take_fd(s, create_in(s, f, name, &c, NULL, open_flags(flags), &st, path));
	if (fd < 0)
		return fd;
	fid_set_path(s, f, path);
	f->fd = fd;
	f->type = FID_FILE;
	pqid(o, &st);
	put(o, iounit(s, fstatfs(fd, &sf) ? 0 : sf.f_bsize), 4);
	return 0;
}

static int op_mkdir(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t dfid = g32(in);
	p9_str n = gstr(in);
	uint32_t mode = g32(in), gid = g32(in);
	char name[NAME_MAX + 1], path[PATH_MAX];
	struct stat st;
	p9_fid *f;
	int r;

	if ((r = new_entry(s, in, dfid, n, name, &f)))
		return r;
	p9_cred c = { f->uid, gid, (mode & 07777) | S_IFDIR, 0, false };
	if ((r = create_in(s, f, name, &c, NULL, 0, &st, path)))
		return r;
	pqid(o, &st);
	return 0;
}

static int op_symlink(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t dfid = g32(in);
	p9_str n = gstr(in), t = gstr(in);
	uint32_t gid = g32(in);
	char name[NAME_MAX + 1], path[PATH_MAX], target[PATH_MAX];
	struct stat st;
	p9_fid *f;
	int r;

	if ((r = new_entry(s, in, dfid, n, name, &f)))
		return r;
	if (memchr(t.s, 0, t.len))
		return -EINVAL;
	if (t.len >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(target, t.s, t.len);
	target[t.len] = 0;
	p9_cred c = { f->uid, gid, 0777 | S_IFLNK, 0, false };
	if ((r = create_in(s, f, name, &c, target, 0, &st, path)))
		return r;
	pqid(o, &st);
	return 0;
}

static int op_mknod(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t dfid = g32(in);
	p9_str n = gstr(in);
	uint32_t mode = g32(in), major = g32(in), minor = g32(in), gid = g32(in);
	char name[NAME_MAX + 1], path[PATH_MAX];
	struct stat st;
	p9_fid *f;
	int r;

	if ((r = new_entry(s, in, dfid, n, name, &f)))
		return r;
	if (!(mode & S_IFMT))
		mode |= S_IFREG;	/* as mknod(2) */
	/* mknod(2) makes no directory or symlink (a symlink has no target
	 * here): EINVAL, as the host's mknod answers */
	if (S_ISDIR(mode) || S_ISLNK(mode) || !(S_ISREG(mode) || S_ISFIFO(mode) || S_ISSOCK(mode) ||
						   S_ISCHR(mode) || S_ISBLK(mode)))
		return -EINVAL;
	p9_cred c = { f->uid, gid, mode & (S_IFMT | 07777), makedev(major, minor), true };
	if ((r = create_in(s, f, name, &c, NULL, 0, &st, path)))
		return r;
	pqid(o, &st);
	return 0;
}

static int op_getattr(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	struct stat st;
	p9_fid *f;
	int r;

	skip(in, 8);		/* request mask: the basic fields always (QEMU) */
	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if ((r = fid_stat(s, f, &st)))
		return r;
	put(o, STATS_BASIC, 8);
	pqid(o, &st);
	put(o, st.st_mode, 4);
	put(o, st.st_uid, 4);
	put(o, st.st_gid, 4);
	put(o, st.st_nlink, 8);
	put(o, st.st_rdev, 8);
	put(o, (uint64_t)st.st_size, 8);
	put(o, iounit(s, st.st_blksize), 8);
	put(o, (uint64_t)st.st_blocks, 8);
	put(o, (uint64_t)st.st_atim.tv_sec, 8);
	put(o, (uint64_t)st.st_atim.tv_nsec, 8);
	put(o, (uint64_t)st.st_mtim.tv_sec, 8);
	put(o, (uint64_t)st.st_mtim.tv_nsec, 8);
	put(o, (uint64_t)st.st_ctim.tv_sec, 8);
	put(o, (uint64_t)st.st_ctim.tv_nsec, 8);
	put(o, 0, 8 * 4);	/* btime, gen, data_version: not in BASIC */
	return 0;
}

enum {
	ATTR_MODE = 1, ATTR_UID = 2, ATTR_GID = 4, ATTR_SIZE = 8, ATTR_ATIME = 16, ATTR_MTIME = 32,
	ATTR_CTIME = 64, ATTR_ATIME_SET = 128, ATTR_MTIME_SET = 256, ATTR_MASK = 127,
};

static int op_setattr(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in), valid = g32(in), mode = g32(in), uid = g32(in), gid = g32(in);
	uint64_t size = g64(in), as = g64(in), an = g64(in), ms = g64(in), mn = g64(in);
	const char *name;
	p9_fid *f;
	int dir, r = 0;

	(void)o;
	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	dir = p9fs_open_parent(&s->fs, f->path, &name);
	if (dir < 0)
		return dir;
	if (valid & ATTR_MODE && (r = p9fs_chmod(&s->fs, dir, name, mode)))
		goto out;
	if (valid & (ATTR_ATIME | ATTR_MTIME)) {
		struct timespec t[2] = {
			{ (time_t)as, valid & ATTR_ATIME ? valid & ATTR_ATIME_SET ? (long)an : UTIME_NOW : UTIME_OMIT },
			{ (time_t)ms, valid & ATTR_MTIME ? valid & ATTR_MTIME_SET ? (long)mn : UTIME_NOW : UTIME_OMIT },
		};
		if (f->fd >= 0)
			r = futimens(f->fd, t) ? -errno : 0;
		else
			r = utimensat(dir, name, t, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
		if (r)
			goto out;
	}
	/* ctime alone: chown(-1, -1) touches it (QEMU) */
	if (valid & (ATTR_UID | ATTR_GID) || (valid & ATTR_MASK) == ATTR_CTIME) {
		r = p9fs_chown(&s->fs, dir, name, valid & ATTR_UID ? uid : (uint32_t)-1,
			       valid & ATTR_GID ? gid : (uint32_t)-1);
		if (r)
			goto out;
	}
	if (valid & ATTR_SIZE) {
		if (f->type == FID_FILE)
			r = size > INT64_MAX ? -EINVAL : ftruncate(f->fd, (off_t)size) ? -errno : 0;
		else
			r = p9fs_truncate(&s->fs, dir, name, size);
	}
out:
	close(dir);
	return r;
}

static int op_readlink(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	char buf[PATH_MAX + 1];
	const char *name;
	ssize_t n;
	p9_fid *f;
	int dir, r;

	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	dir = p9fs_open_parent(&s->fs, f->path, &name);
	if (dir < 0)
		return dir;
	n = p9fs_readlink(&s->fs, dir, name, buf, sizeof(buf));
	close(dir);
	if (n < 0)
		return (int)n;
	if (n > PATH_MAX - 1)
		return -ENAMETOOLONG;
	pstr(o, buf, (size_t)n);
	return 0;
}

static int op_statfs(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in), factor;
	struct statfs sf;
	const char *name;
	p9_fid *f;
	int dir, fd, r;

	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	dir = p9fs_open_parent(&s->fs, f->path, &name);
	if (dir < 0)
		return dir;
	fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	r = fd < 0 || fstatfs(fd, &sf) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	close(dir);
	if (r)
		return r;
	/* QEMU's: the block size scaled to what one request carries */
	factor = sf.f_bsize > 0 ? (s->msize - P9_IOHDRSZ) / (uint32_t)sf.f_bsize : 1;
	if (!factor)
		factor = 1;
	put(o, (uint32_t)sf.f_type, 4);
	put(o, (uint32_t)sf.f_bsize * factor, 4);
	put(o, sf.f_blocks / factor, 8);
	put(o, sf.f_bfree / factor, 8);
	put(o, sf.f_bavail / factor, 8);
	put(o, sf.f_files, 8);
	put(o, sf.f_ffree, 8);
	put(o, (uint32_t)sf.f_fsid.__val[0] | (uint64_t)(uint32_t)sf.f_fsid.__val[1] << 32, 8);
	put(o, (uint32_t)sf.f_namelen, 4);
	return 0;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int op_readdir(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	uint64_t offset = g64(in);
	uint32_t count = g32(in);
	static uint8_t buf[32768];
	size_t start, end;
	p9_fid *f;
	int r;

	if (in->bad)
		return -ENOBUFS;
	if (count > o->cap - 11)
		count = (uint32_t)(o->cap - 11);	/* the guest's buffer, not its word */
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if (f->type != FID_DIR)
		return -ENOTDIR;
	if (offset > INT64_MAX || lseek(f->fd, (off_t)offset, SEEK_SET) < 0)
		return offset > INT64_MAX ? -EINVAL : -errno;
	put(o, 0, 4);		/* count, filled in below */
	start = end = o->len;
	for (;;) {
		long n = syscall(SYS_getdents64, f->fd, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		for (long i = 0; i < n;) {
			struct linux_dirent64 *d = (void *)(buf + i);
			size_t nl = strnlen(d->d_name, d->d_reclen - offsetof(struct linux_dirent64, d_name));

			if (end - start + 24 + nl > count)
				goto done;
			put(o, d->d_type == DT_DIR ? QID_DIR : d->d_type == DT_LNK ? QID_SYMLINK : 0, 1);
			put(o, 0, 4);	/* QEMU fills only the qid path here */
			put(o, d->d_ino, 8);
			put(o, (uint64_t)d->d_off, 8);
			put(o, s->fs.sm == P9_SM_MAPPED_XATTR ? DT_UNKNOWN : d->d_type, 1);
			pstr(o, d->d_name, nl);
			end = o->len;
			i += d->d_reclen;
		}
	}
done:
	o->p[start - 4] = (uint8_t)(end - start);
	o->p[start - 3] = (uint8_t)((end - start) >> 8);
	o->p[start - 2] = (uint8_t)((end - start) >> 16);
	o->p[start - 1] = (uint8_t)((end - start) >> 24);
	return 0;
}

static int op_read(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	uint64_t off = g64(in);
	uint32_t count = g32(in), done = 0;
	p9_fid *f;
	int r;

	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if (count > o->cap - 11)
		count = (uint32_t)(o->cap - 11);
	if (f->type == FID_DIR)
		return -EOPNOTSUPP;	/* 9P2000.L reads directories with Treaddir */
	if (f->type == FID_XATTR) {
		if (off < f->xlen)
			done = (uint32_t)(f->xlen - off < count ? f->xlen - off : count);
		put(o, done, 4);
		if (done)
			memcpy(o->p + o->len, f->xval + off, done);
		o->len += done;
		return 0;
	}
	if (f->type != FID_FILE)
		return -EINVAL;
	if (off > INT64_MAX)
		return -EINVAL;
	while (done < count) {
		ssize_t n = pread(f->fd, o->p + 11 + done, count - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (uint32_t)n;
	}
	put(o, done, 4);
	o->len += done;
	return 0;
}

static int op_write(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	uint64_t off = g64(in);
	uint32_t count = g32(in), done = 0;
	const uint8_t *data = in->p + in->off;
	p9_fid *f;
	int r;

	if (in->bad)
		return -ENOBUFS;
	if (count > in->len - in->off)
		count = (uint32_t)(in->len - in->off);	/* what the message holds */
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if (f->type == FID_XATTR && f->xcreate) {
		if (off > f->xlen)
			return -ENOSPC;
		done = (uint32_t)(f->xlen - off < count ? f->xlen - off : count);
		memcpy(f->xval + off, data, done);
		f->xcopied += done;
		put(o, done, 4);
		return 0;
	}
	if (f->type != FID_FILE || off > INT64_MAX)
		return -EINVAL;
	while (done < count) {
		ssize_t n = pwrite(f->fd, data + done, count - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (!done)
				return -errno;
			break;
		}
		if (n == 0)
			break;
		done += (uint32_t)n;
	}
	put(o, done, 4);
	return 0;
}

static int op_clunk(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	p9_fid *f;
	int r;

	(void)o;
	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	return fid_free(s, f);
}

static int op_remove(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	const char *name;
	struct stat st;
	p9_fid *f;
	int dir, r;

	(void)o;
	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	dir = p9fs_open_parent(&s->fs, f->path, &name);
	r = dir;
	if (dir >= 0) {
		r = !*f->path ? -EBUSY : fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) ? -errno :
		    unlinkat(dir, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) ? -errno : 0;
		close(dir);
	}
	fid_free(s, f);		/* Tremove clunks the fid even when it fails */
	return r;
}

static int op_unlinkat(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t dfid = g32(in);
	p9_str n = gstr(in);
	uint32_t flags = g32(in);
	char name[NAME_MAX + 1];
	p9_fid *f;
	int dir, r;

	(void)o;
	if (in->bad)
		return -ENOBUFS;
	if ((r = take_name(n, name)))
		return r;
	if (!strcmp(name, "."))
		return -EINVAL;
	if (!strcmp(name, ".."))
		return -ENOTEMPTY;
	if (flags & ~DOTL_AT_REMOVEDIR)
		return -EINVAL;
	if (!(f = fid_get(s, dfid, &r)))
		return r;
	dir = p9fs_open_dir(&s->fs, f->path);
	if (dir < 0)
		return dir;
	r = unlinkat(dir, name, flags & DOTL_AT_REMOVEDIR ? AT_REMOVEDIR : 0) ? -errno : 0;
	close(dir);
	return r;
}

/* After a rename of from to to: every fid at or below from follows it (a
 * fid whose new path would be too long is dropped, as QEMU does). */
static void fix_paths(p9_server *s, const char *from, const char *to)
{
	size_t fl = strlen(from);
	char path[PATH_MAX];

	if (!fl)
		return;		/* never: the export is not renamed */

	for (size_t i = 0; i < s->tabsize; i++)
		for (p9_fid *f = s->tab[i], *next; f; f = next) {
			next = f->next;
			if (strncmp(f->path, from, fl) || (f->path[fl] && f->path[fl] != '/'))
				continue;
			if (snprintf(path, sizeof(path), "%s%s", to, f->path + fl) >= (int)sizeof(path))
				fid_free(s, f);
			else
				fid_set_path(s, f, path);
		}
}

/* rename of odir's oname to ndir's nname, then the fids */
static int do_rename(p9_server *s, const char *odir, const char *oname, const char *ndir, const char *nname)
{
	char from[PATH_MAX], to[PATH_MAX];
	int od, nd, r;

	if ((r = join(from, odir, oname)) || (r = join(to, ndir, nname)))
		return r;
	od = p9fs_open_dir(&s->fs, odir);
	if (od < 0)
		return od;
	nd = p9fs_open_dir(&s->fs, ndir);
	if (nd < 0) {
		close(od);
		return nd;
	}
	r = renameat(od, oname, nd, nname) ? -errno : 0;
	close(od);
	close(nd);
	if (!r)
		fix_paths(s, from, to);
	return r;
}

static int op_renameat(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t ofid = g32(in);
	p9_str on = gstr(in);
	uint32_t nfid = g32(in);
	p9_str nn = gstr(in);
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1], odir[PATH_MAX];
	p9_fid *of, *nf;
	int r;

	(void)o;
	if (in->bad)
		return -ENOBUFS;
	if ((r = new_name(on, oname, -EISDIR)) || (r = new_name(nn, nname, -EISDIR)))
		return r;
	if (!(of = fid_get(s, ofid, &r)) || !(nf = fid_get(s, nfid, &r)))
		return r;
	snprintf(odir, sizeof(odir), "%s", of->path);
	return do_rename(s, odir, oname, nf->path, nname);
}

static int op_rename(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in), dfid = g32(in);
	p9_str n = gstr(in);
	char name[NAME_MAX + 1], odir[PATH_MAX], oname[NAME_MAX + 1];
	const char *slash;
	p9_fid *f, *d;
	int r;

	(void)o;
	if (in->bad)
		return -ENOBUFS;
	if ((r = new_name(n, name, -EISDIR)))
		return r;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if (f->type != FID_NONE)
		return -EINVAL;
	if (!(d = fid_get(s, dfid, &r)))
		return r;
	if (!*f->path)
		return -EBUSY;		/* the export itself stays */
	slash = strrchr(f->path, '/');
	snprintf(odir, sizeof(odir), "%.*s", slash ? (int)(slash - f->path) : 0, f->path);
	snprintf(oname, sizeof(oname), "%s", slash ? slash + 1 : f->path);
	return do_rename(s, odir, oname, d->path, name);
}

static int op_link(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t dfid = g32(in), fid = g32(in);
	p9_str n = gstr(in);
	char name[NAME_MAX + 1];
	const char *oname;
	p9_fid *d, *f;
	int od, nd, r;

	(void)o;
	if (in->bad)
		return -ENOBUFS;
	if ((r = new_name(n, name, -EEXIST)))
		return r;
	if (!(d = fid_get(s, dfid, &r)) || !(f = fid_get(s, fid, &r)))
		return r;
	od = p9fs_open_parent(&s->fs, f->path, &oname);
	if (od < 0)
		return od;
	nd = p9fs_open_dir(&s->fs, d->path);
	if (nd < 0) {
		close(od);
		return nd;
	}
	/* no AT_SYMLINK_FOLLOW: a symlink is linked as itself */
	r = linkat(od, oname, nd, name, 0) ? -errno : 0;
	close(od);
	close(nd);
	return r;
}

static int op_fsync(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in), datasync = g32(in);
	p9_fid *f;
	int r;

	(void)o;
	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if (f->fd < 0)
		return -EBADF;
	return (datasync ? fdatasync(f->fd) : fsync(f->fd)) ? -errno : 0;
}

/* Locks are the client's business (one client per server): QEMU answers
 * every Tlock with success and every Tgetlock with "unlocked". */
static int op_lock(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	uint32_t flags;
	struct stat st;
	p9_fid *f;
	int r;

	skip(in, 1);		/* type */
	flags = g32(in);
	skip(in, 8 + 8 + 4);	/* start, length, proc_id */
	gstr(in);		/* client_id */
	if (in->bad)
		return -ENOBUFS;
	if (flags & ~1u)
		return -EINVAL;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if (f->fd < 0)
		return -EBADF;
	if (fstat(f->fd, &st))
		return -errno;
	put(o, 0, 1);		/* P9_LOCK_SUCCESS */
	return 0;
}

static int op_getlock(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	uint64_t start, len;
	uint32_t pid;
	p9_str cid;
	struct stat st;
	p9_fid *f;
	int r;

	skip(in, 1);		/* type */
	start = g64(in);
	len = g64(in);
	pid = g32(in);
	cid = gstr(in);
	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if (f->fd < 0)
		return -EBADF;
	if (fstat(f->fd, &st))
		return -errno;
	put(o, 2, 1);		/* P9_LOCK_TYPE_UNLCK */
	put(o, start, 8);
	put(o, len, 8);
	put(o, pid, 4);
	pstr(o, cid.s, cid.len);
	return 0;
}

/* An xattr name from the guest: NUL-free and at most XATTR_NAME_MAX. */
static int take_xattr_name(p9_str n, char *buf)
{
	if (memchr(n.s, 0, n.len))
		return -EINVAL;
	if (n.len > XATTR_NAME_MAX)
		return -ERANGE;
	memcpy(buf, n.s, n.len);
	buf[n.len] = 0;
	return 0;
}

static int op_xattrwalk(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in), newfid = g32(in);
	p9_str n = gstr(in);
	char attr[XATTR_NAME_MAX + 1];
	const char *name;
	p9_fid *f, *x;
	ssize_t size;
	uint8_t *val;
	int dir, r;

	if (in->bad)
		return -ENOBUFS;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if ((r = take_xattr_name(n, attr)))
		return r;
	if (fid_find(s, newfid))
		return -EINVAL;
	if (s->bytes + XATTR_MAX > MAX_FID_BYTES)
		return -ENFILE;
	dir = p9fs_open_parent(&s->fs, f->path, &name);
	if (dir < 0)
		return dir;
	val = kwb_zalloc(XATTR_MAX);
	size = *attr ? p9fs_getxattr(&s->fs, dir, name, attr, val, XATTR_MAX)
		     : p9fs_listxattr(&s->fs, dir, name, (char *)val, XATTR_MAX);
	close(dir);
	if (size < 0 || !(x = fid_new(s, newfid, f->path, f->uid, &r))) {
		free(val);
		return size < 0 ? (int)size : r;
	}
	x->type = FID_XATTR;
	x->xval = kwb_realloc(val, size ? (size_t)size : 1);
	x->xlen = (uint64_t)size;
	fid_account(s, x);
	put(o, (uint64_t)size, 8);
	return 0;
}

static int op_xattrcreate(p9_server *s, p9_in *in, p9_out *o)
{
	uint32_t fid = g32(in);
	p9_str n = gstr(in);
	uint64_t size = g64(in);
	uint32_t flags = g32(in);
	char attr[XATTR_NAME_MAX + 1];
	p9_fid *f;
	int r;

	(void)o;
	if (in->bad)
		return -ENOBUFS;
	if (flags & ~(uint32_t)(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if (size > XATTR_MAX)
		return -E2BIG;
	if ((r = take_xattr_name(n, attr)))
		return r;
	if (!(f = fid_get(s, fid, &r)))
		return r;
	if (f->type != FID_NONE)
		return -EINVAL;
	if (s->bytes + size > MAX_FID_BYTES)
		return -ENFILE;
	f->type = FID_XATTR;
	f->xcreate = true;
	f->xname = kwb_strdup(attr);
	f->xval = kwb_zalloc(size ? size : 1);
	f->xlen = size;
	f->xflags = (int)flags;
	fid_account(s, f);
	return 0;
}

static int op_flush(p9_server *s, p9_in *in, p9_out *o)
{
	(void)s, (void)o;
	skip(in, 2);		/* oldtag: every request is answered before the next */
	return in->bad ? -ENOBUFS : 0;
}

/* The messages (QEMU's table), with the errno an unknown fid gets in each
 * and whether a read-only export refuses it (EROFS, before anything). */
static const struct p9_op {
	uint8_t type;
	const char *name;
	op_fn fn;
	int badfid;
	bool writes;
} ops[] = {
	{ TSTATFS, "Tstatfs", op_statfs, -ENOENT, false },
	{ TLOPEN, "Tlopen", op_lopen, -ENOENT, false },
	{ TLCREATE, "Tlcreate", op_lcreate, -ENOENT, true },
	{ TSYMLINK, "Tsymlink", op_symlink, -EINVAL, true },
	{ TMKNOD, "Tmknod", op_mknod, -ENOENT, true },
	{ TRENAME, "Trename", op_rename, -ENOENT, true },
	{ TREADLINK, "Treadlink", op_readlink, -ENOENT, false },
	{ TGETATTR, "Tgetattr", op_getattr, -ENOENT, false },
	{ TSETATTR, "Tsetattr", op_setattr, -EINVAL, true },
	{ TXATTRWALK, "Txattrwalk", op_xattrwalk, -ENOENT, false },
	{ TXATTRCREATE, "Txattrcreate", op_xattrcreate, -EINVAL, true },
	{ TREADDIR, "Treaddir", op_readdir, -EINVAL, false },
	{ TFSYNC, "Tfsync", op_fsync, -ENOENT, false },
	{ TLOCK, "Tlock", op_lock, -ENOENT, false },
	{ TGETLOCK, "Tgetlock", op_getlock, -ENOENT, false },
	{ TLINK, "Tlink", op_link, -ENOENT, true },
	{ TMKDIR, "Tmkdir", op_mkdir, -ENOENT, true },
	{ TRENAMEAT, "Trenameat", op_renameat, -ENOENT, true },
	{ TUNLINKAT, "Tunlinkat", op_unlinkat, -EINVAL, true },
	{ TVERSION, "Tversion", op_version, -ENOENT, false },
	{ TAUTH, "Tauth", NULL, -ENOENT, false },
	{ TATTACH, "Tattach", op_attach, -ENOENT, false },
	{ TFLUSH, "Tflush", op_flush, -ENOENT, false },
	{ TWALK, "Twalk", op_walk, -ENOENT, false },
	{ TREAD, "Tread", op_read, -EINVAL, false },
	{ TWRITE, "Twrite", op_write, -EINVAL, true },
	{ TCLUNK, "Tclunk", op_clunk, -ENOENT, false },
	{ TREMOVE, "Tremove", op_remove, -EINVAL, true },
};

static const struct p9_op *find_op(uint8_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (ops[i].type == type)
			return &ops[i];
	return NULL;
}

const char *p9_msg_name(uint8_t type)
{
	const struct p9_op *op = find_op(type);

	return op ? op->name : "T?";
}

size_t p9_server_handle(p9_server *s, const uint8_t *req, size_t len, uint8_t *out, size_t cap)
{
	const struct p9_op *op = find_op(len > 4 ? req[4] : 0);
	p9_in in = { req, len, P9_HDR, false };
	p9_out o = { out, cap < s->msize ? cap : s->msize, P9_HDR, false };
	uint16_t tag = len >= P9_HDR ? (uint16_t)(req[5] | req[6] << 8) : 0xffff;
	uint8_t type = RLERROR;
	int r;

	if (cap < 11)
		return 0;
	if (o.cap < 11)
		o.cap = 11;
	if (len < P9_HDR)
		r = -EINVAL;
	else if (!op || !op->fn)
		r = -EOPNOTSUPP;
	else if (s->fs.readonly && op->writes)
		r = -EROFS;
	else {
		s->badfid = op->badfid;
		r = op->fn(s, &in, &o);
		if (!r && o.full)
			r = -ENOBUFS;
	}
	if (r < 0) {
		o.len = P9_HDR;
		o.full = false;
		put(&o, (uint32_t)-r, 4);
	} else {
		type = (uint8_t)(req[4] + 1);
	}
	out[0] = (uint8_t)o.len;
	out[1] = (uint8_t)(o.len >> 8);
	out[2] = (uint8_t)(o.len >> 16);
	out[3] = (uint8_t)(o.len >> 24);
	out[4] = type;
	out[5] = (uint8_t)tag;
	out[6] = (uint8_t)(tag >> 8);
	return o.len;
}

uint32_t p9_server_msize(const p9_server *s)
{
	return s->msize;
}

unsigned p9_server_nfids(const p9_server *s)
{
	return (unsigned)s->nfids;
}

void p9_server_limit_fids(p9_server *s, unsigned max)
{
	s->max_fids = max;
}

p9_server *p9_server_new(const p9_export *e, char *err, size_t errlen)
{
	p9_server *s = kwb_zalloc(sizeof(*s));
	struct rlimit rl;

	if (p9fs_init(&s->fs, e, err, errlen)) {
		free(s);
		return NULL;
	}
	s->msize = 8192;
	s->max_fids = MAX_FIDS;
	s->tabsize = 256;
	s->tab = kwb_zalloc(s->tabsize * sizeof(*s->tab));
	/* open files held for the guest: half of what the process may open */
	s->max_fds = getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1u << 20
			     ? 1 << 19 : (int)(rl.rlim_cur / 2);
	if (s->max_fds < 64)
		s->max_fds = 64;
	return s;
}

void p9_server_free(p9_server *s)
{
	if (!s)
		return;
	p9_server_reset(s);
	p9fs_close(&s->fs);
	free(s->tab);
	free(s);
}
