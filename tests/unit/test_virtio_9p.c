/*
 * The 9p server as a hostile guest drives it (p9_server_handle, no
 * machine): a share in a fresh temporary directory with a sibling
 * "outside" holding a secret, and every way out tried: ".." walks, names
 * with '/', NUL or past NAME_MAX, symlinks (relative and absolute, planted
 * on the host or made by the guest) walked through, opened, created in,
 * renamed into, linked; a directory swapped for a symlink between the walk
 * and the use (the race); readonly=on against every writing message; fid
 * and size bounds; truncated and oversize messages. After each case the
 * outside directory must be exactly as it was. Run under ASan by make asan.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/devices/virtio_9p.h"

enum {
	TLOPEN = 12, TLCREATE = 14, TSYMLINK = 16, TMKNOD = 18, TRENAME = 20, TREADLINK = 22, TGETATTR = 24,
	TSETATTR = 26, TXATTRWALK = 30, TXATTRCREATE = 32, TREADDIR = 40, TLINK = 70, TMKDIR = 72,
	TRENAMEAT = 74, TUNLINKAT = 76, TVERSION = 100, TATTACH = 104, TWALK = 110, TREAD = 116,
	TWRITE = 118, TCLUNK = 120, TREMOVE = 122,
};

static char top[256], share[300], outside[300];
static p9_server *srv;

/* ---- messages ---- */

typedef struct msg {
	uint8_t b[1 << 16];
	size_t len;
} msg;

static uint8_t reply[1 << 17];
static size_t reply_len;

static void m_start(msg *m, uint8_t type)
{
	m->len = 7;
	m->b[4] = type;
	m->b[5] = 1;
	m->b[6] = 0;
}

static void m_put(msg *m, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		m->b[m->len++] = (uint8_t)v;
}

static void m_str(msg *m, const char *s)
{
	size_t n = strlen(s);
	m_put(m, n, 2);
	memcpy(m->b + m->len, s, n);
	m->len += n;
}

/* Sends m; returns 0 for an R-message, else the Rlerror's errno. */
static int send_msg(msg *m)
{
	m->b[0] = (uint8_t)m->len;
	m->b[1] = (uint8_t)(m->len >> 8);
	m->b[2] = (uint8_t)(m->len >> 16);
	m->b[3] = (uint8_t)(m->len >> 24);
	reply_len = p9_server_handle(srv, m->b, m->len, reply, sizeof(reply));
	if (reply_len < 7 || (reply[0] | reply[1] << 8 | reply[2] << 16) != (int)reply_len)
		return -1;
	if (reply[4] == 7)
		return reply[7] | reply[8] << 8 | reply[9] << 16 | reply[10] << 24;
	return reply[4] == m->b[4] + 1 ? 0 : -2;
}

static msg M;

static int version(uint32_t msize)
{
	m_start(&M, TVERSION);
	m_put(&M, msize, 4);
	m_str(&M, "9P2000.L");
	return send_msg(&M);
}

static int attach(uint32_t fid)
{
	m_start(&M, TATTACH);
	m_put(&M, fid, 4);
	m_put(&M, ~0u, 4);
	m_str(&M, "root");
	m_str(&M, "");
	m_put(&M, 0, 4);
	return send_msg(&M);
}

/* Twalk fid -> newfid over the NULL-ended names; *nq gets the qids found. */
static int walk(uint32_t fid, uint32_t newfid, const char *const *names, int *nq)
{
	int n = 0;

	m_start(&M, TWALK);
	m_put(&M, fid, 4);
	m_put(&M, newfid, 4);
	while (names[n])
		n++;
	m_put(&M, n, 2);
	for (int i = 0; i < n; i++)
		m_str(&M, names[i]);
	int r = send_msg(&M);
	if (nq)
		*nq = r ? -1 : reply[7] | reply[8] << 8;
	return r;
}
#define WALK(f, nf, ...) walk(f, nf, (const char *const[]){ __VA_ARGS__, NULL }, NULL)

static uint64_t reply_qid_path(size_t at)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | reply[at + 5 + i];
	return v;
}

static int lopen(uint32_t fid, uint32_t flags)
{
	m_start(&M, TLOPEN);
	m_put(&M, fid, 4);
	m_put(&M, flags, 4);
	return send_msg(&M);
}

static int lcreate(uint32_t fid, const char *name)
{
	m_start(&M, TLCREATE);
	m_put(&M, fid, 4);
	m_str(&M, name);
	m_put(&M, 02 | 0100, 4);	/* O_RDWR | O_CREAT */
	m_put(&M, 0644, 4);
	m_put(&M, 0, 4);
	return send_msg(&M);
}

static int mkdir_(uint32_t fid, const char *name)
{
	m_start(&M, TMKDIR);
	m_put(&M, fid, 4);
	m_str(&M, name);
	m_put(&M, 0755, 4);
	m_put(&M, 0, 4);
	return send_msg(&M);
}

static int symlink_(uint32_t fid, const char *name, const char *target)
{
	m_start(&M, TSYMLINK);
	m_put(&M, fid, 4);
	m_str(&M, name);
	m_str(&M, target);
	m_put(&M, 0, 4);
	return send_msg(&M);
}

static int mknod_(uint32_t fid, const char *name, uint32_t mode)
{
	m_start(&M, TMKNOD);
	m_put(&M, fid, 4);
	m_str(&M, name);
	m_put(&M, mode, 4);
	m_put(&M, 1, 4);
	m_put(&M, 3, 4);
	m_put(&M, 0, 4);
	return send_msg(&M);
}

static int renameat_(uint32_t ofid, const char *oname, uint32_t nfid, const char *nname)
{
	m_start(&M, TRENAMEAT);
	m_put(&M, ofid, 4);
	m_str(&M, oname);
	m_put(&M, nfid, 4);
	m_str(&M, nname);
	return send_msg(&M);
}

static int rename_(uint32_t fid, uint32_t dfid, const char *name)
{
	m_start(&M, TRENAME);
	m_put(&M, fid, 4);
	m_put(&M, dfid, 4);
	m_str(&M, name);
	return send_msg(&M);
}

static int unlinkat_(uint32_t fid, const char *name, uint32_t flags)
{
	m_start(&M, TUNLINKAT);
	m_put(&M, fid, 4);
	m_str(&M, name);
	m_put(&M, flags, 4);
	return send_msg(&M);
}

static int link_(uint32_t dfid, uint32_t fid, const char *name)
{
	m_start(&M, TLINK);
	m_put(&M, dfid, 4);
	m_put(&M, fid, 4);
	m_str(&M, name);
	return send_msg(&M);
}

static int setattr_mode(uint32_t fid, uint32_t valid, uint32_t mode, uint64_t size)
{
	m_start(&M, TSETATTR);
	m_put(&M, fid, 4);
	m_put(&M, valid, 4);
	m_put(&M, mode, 4);
	m_put(&M, 0, 4);
	m_put(&M, 0, 4);
	m_put(&M, size, 8);
	m_put(&M, 0, 8 * 4);
	return send_msg(&M);
}

static int getattr(uint32_t fid)
{
	m_start(&M, TGETATTR);
	m_put(&M, fid, 4);
	m_put(&M, 0x7ff, 8);
	return send_msg(&M);
}

static uint32_t reply_mode(void)
{
	return reply[7 + 8 + 13] | reply[7 + 8 + 14] << 8 | reply[7 + 8 + 15] << 16 | (uint32_t)reply[7 + 8 + 16] << 24;
}

static int readlink_(uint32_t fid)
{
	m_start(&M, TREADLINK);
	m_put(&M, fid, 4);
	return send_msg(&M);
}

static int clunk(uint32_t fid)
{
	m_start(&M, TCLUNK);
	m_put(&M, fid, 4);
	return send_msg(&M);
}

static int read_(uint32_t fid, uint64_t off, uint32_t count)
{
	m_start(&M, TREAD);
	m_put(&M, fid, 4);
	m_put(&M, off, 8);
	m_put(&M, count, 4);
	return send_msg(&M);
}

static int write_(uint32_t fid, uint64_t off, uint32_t count, const char *data, size_t n)
{
	m_start(&M, TWRITE);
	m_put(&M, fid, 4);
	m_put(&M, off, 8);
	m_put(&M, count, 4);
	memcpy(M.b + M.len, data, n);
	M.len += n;
	return send_msg(&M);
}

/* ---- the host side ---- */

static void put_file(const char *dir, const char *name, const char *text)
{
	char p[600];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(p);
		close(fd);
	}
}

static void rm_tree(const char *path)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd))
		perror(cmd);
}

/* "outside" must hold only its secret, unchanged, and top nothing new */
static int outside_intact(void)
{
	char p[600], buf[64] = { 0 };
	struct dirent *e;
	int n = 0, fd, ok;
	DIR *d = opendir(outside);
	struct stat st;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	snprintf(p, sizeof(p), "%s/secret", outside);
	fd = open(p, O_RDONLY);
	ok = fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0 && !strcmp(buf, "host secret\n");
	if (fd >= 0)
		close(fd);
	ok = ok && !lstat(p, &st) && st.st_nlink == 1 && (st.st_mode & 07777) == 0644;
	d = opendir(top);
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' && strcmp(e->d_name, "share") && strcmp(e->d_name, "outside") ? 100 : 0;
	if (d)
		closedir(d);
	return ok && n == 1;
}

static bool exists(const char *dir, const char *name)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return !lstat(p, &st);
}

/* a fresh share with its planted symlinks, a server on it, fid 0 attached */
static void setup(enum p9_sm sm, bool readonly)
{
	char p[600], e[256];
	p9_export ex = { share, sm, readonly, 0600, 0700 };

	if (srv)
		p9_server_free(srv);
	rm_tree(top);
	mkdir(top, 0700);
	mkdir(share, 0755);
	mkdir(outside, 0755);
	put_file(outside, "secret", "host secret\n");
	chmod(outside, 0755);
	snprintf(p, sizeof(p), "%s/secret", outside);
	chmod(p, 0644);
	put_file(share, "file", "inside\n");
	snprintf(p, sizeof(p), "%s/d", share);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/abs", share);
	if (symlink(outside, p))
		perror(p);
	snprintf(p, sizeof(p), "%s/rel", share);
	if (symlink("../outside", p))
		perror(p);
	snprintf(p, sizeof(p), "%s/abssecret", share);
	if (symlink("../outside/secret", p))
		perror(p);
	srv = p9_server_new(&ex, e, sizeof(e));
	CHECK(srv != NULL);
	CHECK_EQ(version(65536), 0);
	CHECK_EQ(attach(0), 0);
}

/* ---- the cases ---- */

static void dotdot_stays_inside(void)
{
	int nq;
	uint64_t root;

	setup(P9_SM_NONE, false);
	CHECK_EQ(WALK(0, 1, "."), 0);
	root = reply_qid_path(9);
	CHECK_EQ(walk(0, 2, (const char *const[]){ "..", "..", "..", NULL }, &nq), 0);
	CHECK_EQ(nq, 3);
	CHECK_EQ(reply_qid_path(9 + 2 * 13), root);	/* the export's parent is the export */
	/* a walk that stops early answers the qids found and makes no fid */
	CHECK_EQ(walk(0, 3, (const char *const[]){ "..", "outside", NULL }, &nq), 0);
	CHECK_EQ(nq, 1);
	CHECK_EQ(walk(0, 3, (const char *const[]){ "d", "..", "..", "outside", "secret", NULL }, &nq), 0);
	CHECK_EQ(nq, 3);
	CHECK_EQ(getattr(3), ENOENT);		/* no such fid */
	CHECK_EQ(WALK(2, 3, "outside"), ENOENT);
	CHECK_EQ(lcreate(2, "made-in-root"), 0);	/* fid 2 ("..") is the export */
	CHECK(exists(share, "made-in-root"));
	CHECK(outside_intact());
}

static void bad_names(void)
{
	char longname[300];

	setup(P9_SM_NONE, false);
	memset(longname, 'x', 256);
	longname[256] = 0;
	CHECK_EQ(WALK(0, 1, "d/../../outside"), ENOENT);
	CHECK_EQ(WALK(0, 1, "../outside"), ENOENT);
	CHECK_EQ(WALK(0, 1, ""), ENOENT);
	CHECK_EQ(WALK(0, 1, longname), ENAMETOOLONG);
	CHECK_EQ(lcreate(0, "../outside/x"), ENOENT);
	CHECK_EQ(lcreate(0, ".."), EEXIST);
	CHECK_EQ(lcreate(0, "."), EEXIST);
	CHECK_EQ(lcreate(0, longname), ENAMETOOLONG);
	CHECK_EQ(mkdir_(0, "a/b"), ENOENT);
	CHECK_EQ(symlink_(0, "../s", "x"), ENOENT);
	CHECK_EQ(renameat_(0, "file", 0, "../outside/file"), ENOENT);
	CHECK_EQ(renameat_(0, "..", 0, "x"), EISDIR);
	CHECK_EQ(unlinkat_(0, "..", 0), ENOTEMPTY);
	CHECK_EQ(unlinkat_(0, "../outside/secret", 0), ENOENT);
	CHECK_EQ(link_(0, 0, "../outside/l"), ENOENT);
	/* a NUL inside a name: the host would see a shorter one */
	m_start(&M, TLCREATE);
	m_put(&M, 0, 4);
	m_put(&M, 5, 2);
	memcpy(M.b + M.len, "ab\0cd", 5);
	M.len += 5;
	m_put(&M, 2, 4);
	m_put(&M, 0644, 4);
	m_put(&M, 0, 4);
	CHECK_EQ(send_msg(&M), EINVAL);
	CHECK(!exists(share, "ab"));
	CHECK(outside_intact());
}

static void symlinks_never_followed(void)
{
	int nq;

	for (int sm = P9_SM_NONE; sm <= P9_SM_MAPPED_XATTR; sm++) {
		setup(sm, false);
		/* walking through a symlink: it is no directory for the server */
		CHECK_EQ(walk(0, 1, (const char *const[]){ "abs", "secret", NULL }, &nq), 0);
		CHECK_EQ(nq, 1);			/* a partial walk, no fid */
		CHECK_EQ(WALK(0, 1, "rel", "secret"), 0);
		CHECK_EQ(getattr(1), ENOENT);
		/* the link itself: a symlink qid, its text, never its target */
		CHECK_EQ(WALK(0, 1, "abs"), 0);
		CHECK_EQ(reply[9], 0x02);
		if (sm == P9_SM_MAPPED_XATTR) {
			CHECK_EQ(readlink_(1), ELOOP);	/* a host link is no mapped link (QEMU) */
		} else {
			CHECK_EQ(readlink_(1), 0);
			CHECK_EQ(reply[7] | reply[8] << 8, strlen(outside));
		}
		CHECK_EQ(getattr(1), 0);
		CHECK_EQ(reply_mode() & S_IFMT, S_IFLNK);
		CHECK_EQ(lopen(1, 0), ELOOP);
		CHECK_EQ(lopen(1, 02 | 01000), ELOOP);
		CHECK(lcreate(1, "x") != 0);
		CHECK(mkdir_(1, "x") != 0);
		CHECK(symlink_(1, "x", "y") != 0);
		CHECK(mknod_(1, "x", S_IFREG | 0644) != 0);
		CHECK(renameat_(0, "file", 1, "file") != 0);
		CHECK(unlinkat_(1, "secret", 0) != 0);
		CHECK(link_(1, 0, "x") != 0);
		CHECK(setattr_mode(1, 1, 0777, 0) != 0);		/* chmod */
		CHECK(setattr_mode(1, 8, 0, 0) != 0);			/* truncate */
		CHECK_EQ(WALK(0, 2, "abssecret"), 0);
		CHECK_EQ(lopen(2, 0), ELOOP);
		CHECK(setattr_mode(2, 8, 0, 0) != 0);
		/* a hard link to the symlink is a link to the link */
		CHECK_EQ(link_(0, 2, "hard"), 0);
		/* a guest-made absolute symlink: stored, never resolved */
		CHECK_EQ(symlink_(0, "mine", outside), 0);
		CHECK_EQ(WALK(0, 3, "mine", "secret"), 0);
		CHECK_EQ(getattr(3), ENOENT);
		CHECK_EQ(WALK(0, 4, "mine"), 0);
		CHECK(lcreate(4, "x") != 0);
		CHECK(renameat_(0, "file", 4, "y") != 0);
		CHECK(outside_intact());
	}
}

/* the race: a directory the guest walked to becomes a symlink to outside */
static void swapped_directory(void)
{
	char d[600], moved[600];

	setup(P9_SM_NONE, false);
	CHECK_EQ(WALK(0, 1, "d"), 0);
	put_file(share, "d/f", "in d\n");
	CHECK_EQ(WALK(0, 2, "d", "f"), 0);
	snprintf(d, sizeof(d), "%s/d", share);
	snprintf(moved, sizeof(moved), "%s/d.moved", share);
	CHECK(!rename(d, moved) && !symlink(outside, d));
	CHECK(lcreate(1, "x") != 0);
	CHECK(mkdir_(1, "x") != 0);
	CHECK(symlink_(1, "x", "y") != 0);
	CHECK(unlinkat_(1, "secret", 0) != 0);
	CHECK(renameat_(1, "secret", 0, "stolen") != 0);
	CHECK(renameat_(0, "file", 1, "secret") != 0);
	CHECK(link_(1, 0, "x") != 0);
	CHECK(WALK(1, 3, "secret") != 0);
	CHECK(lopen(2, 0) != 0);		/* d/f: d is a link now */
	CHECK(setattr_mode(2, 1, 0777, 0) != 0);
	CHECK(getattr(2) != 0);
	m_start(&M, TREMOVE);
	m_put(&M, 2, 4);
	CHECK(send_msg(&M) != 0);
	CHECK(!exists(share, "stolen"));
	CHECK(outside_intact());
	/* the same with the share's top level component swapped for a link
	 * to a directory that holds the same names */
	setup(P9_SM_MAPPED_XATTR, false);
	CHECK_EQ(WALK(0, 1, "d"), 0);
	snprintf(d, sizeof(d), "%s/d", share);
	CHECK(!rmdir(d) && !symlink("../outside", d));
	CHECK(lcreate(1, "secret") != 0);
	CHECK(setattr_mode(1, 1, 0777, 0) != 0);
	CHECK(outside_intact());
}

static void readonly_refuses_writes(void)
{
	setup(P9_SM_PASSTHROUGH, true);
	CHECK_EQ(WALK(0, 1, "file"), 0);
	CHECK_EQ(lopen(1, 0), 0);
	CHECK_EQ(read_(1, 0, 100), 0);
	CHECK_EQ(reply[7], 7);
	CHECK_EQ(memcmp(reply + 11, "inside\n", 7), 0);
	CHECK_EQ(WALK(0, 2, "file"), 0);
	CHECK_EQ(lopen(2, 01), EROFS);
	CHECK_EQ(lopen(2, 02), EROFS);
	CHECK_EQ(lopen(2, 01000), EROFS);	/* O_TRUNC alone */
	CHECK_EQ(lopen(2, 02000), EROFS);	/* O_APPEND alone */
	CHECK_EQ(write_(1, 0, 3, "abc", 3), EROFS);
	CHECK_EQ(lcreate(0, "new"), EROFS);
	CHECK_EQ(mkdir_(0, "new"), EROFS);
	CHECK_EQ(symlink_(0, "new", "x"), EROFS);
	CHECK_EQ(mknod_(0, "new", S_IFIFO | 0644), EROFS);
	CHECK_EQ(renameat_(0, "file", 0, "new"), EROFS);
	CHECK_EQ(rename_(2, 0, "new"), EROFS);
	CHECK_EQ(unlinkat_(0, "file", 0), EROFS);
	CHECK_EQ(link_(0, 2, "new"), EROFS);
	CHECK_EQ(setattr_mode(2, 1, 0777, 0), EROFS);
	CHECK_EQ(setattr_mode(2, 8, 0, 0), EROFS);
	m_start(&M, TXATTRCREATE);
	m_put(&M, 2, 4);
	m_str(&M, "user.x");
	m_put(&M, 1, 8);
	m_put(&M, 0, 4);
	CHECK_EQ(send_msg(&M), EROFS);
	m_start(&M, TREMOVE);
	m_put(&M, 2, 4);
	CHECK_EQ(send_msg(&M), EROFS);
	CHECK(!exists(share, "new"));
	struct stat st;
	char p[600];
	snprintf(p, sizeof(p), "%s/file", share);
	CHECK(!stat(p, &st) && st.st_size == 7 && (st.st_mode & 0777) == 0644);
}

static void special_files(void)
{
	char p[600];

	setup(P9_SM_NONE, false);
	snprintf(p, sizeof(p), "%s/fifo", share);
	CHECK(!mkfifo(p, 0644));
	CHECK_EQ(WALK(0, 1, "fifo"), 0);
	CHECK_EQ(lopen(1, 0), ENXIO);		/* never opened: it would block */
	CHECK_EQ(setattr_mode(1, 1, 0600, 0), ENXIO);
	CHECK_EQ(mknod_(0, "p", S_IFIFO | 0644), ENXIO);	/* as QEMU 7.2 */
	CHECK_EQ(mknod_(0, "c", S_IFCHR | 0644), EPERM);	/* no device nodes on the host */
	CHECK(!exists(share, "p") && !exists(share, "c"));
	/* found by the fuzzer: a Tmknod of a symlink (no target) crashed */
	CHECK_EQ(mknod_(0, "l", S_IFLNK | 0777), EINVAL);
	CHECK_EQ(mknod_(0, "dd", S_IFDIR | 0755), EINVAL);
	CHECK_EQ(mknod_(0, "x", 0170000 | 0644), EINVAL);
	CHECK(!exists(share, "l") && !exists(share, "dd") && !exists(share, "x"));
	setup(P9_SM_MAPPED_XATTR, false);
	CHECK_EQ(mknod_(0, "c", S_IFCHR | 0644), 0);		/* a regular file with xattrs */
	snprintf(p, sizeof(p), "%s/c", share);
	struct stat st;
	CHECK(!lstat(p, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	CHECK_EQ(WALK(0, 1, "c"), 0);
	CHECK_EQ(getattr(1), 0);
	CHECK_EQ(reply_mode(), S_IFCHR | 0644);
	CHECK_EQ(mknod_(0, "l", S_IFLNK | 0777), EINVAL);
	CHECK(!exists(share, "l"));
}

static void bounds(void)
{
	setup(P9_SM_NONE, false);
	CHECK_EQ(version(100), EMSGSIZE);
	CHECK_EQ(version(1u << 30), 0);			/* cut to P9_MAX_MSIZE */
	CHECK_EQ(p9_server_msize(srv), P9_MAX_MSIZE);
	CHECK_EQ(attach(0), 0);
	CHECK_EQ(WALK(0, 1, "file"), 0);
	CHECK_EQ(lopen(1, 2), 0);
	/* a count past the message: only what the message holds is written */
	CHECK_EQ(write_(1, 0, 1000000, "abc", 3), 0);
	CHECK_EQ(reply[7] | reply[8] << 8, 3);
	/* a count past the reply buffer: what fits */
	{
		uint8_t small[64];
		m_start(&M, TREAD);
		m_put(&M, 1, 4);
		m_put(&M, 0, 8);
		m_put(&M, 1u << 31, 4);
		M.b[0] = (uint8_t)M.len;
		CHECK_EQ(p9_server_handle(srv, M.b, M.len, small, sizeof(small)), 18);
		CHECK_EQ(p9_server_handle(srv, M.b, M.len, small, 10), 0);
	}
	/* walks of more than 16 names */
	const char *many[18];
	for (int i = 0; i < 17; i++)
		many[i] = "d";
	many[17] = NULL;
	CHECK_EQ(walk(0, 2, many, NULL), EINVAL);
	/* every message cut short at every length: an error, never a crash */
	static const uint8_t types[] = { TLOPEN, TLCREATE, TSYMLINK, TMKNOD, TRENAME, TREADLINK, TGETATTR,
		TSETATTR, TXATTRWALK, TXATTRCREATE, TREADDIR, TLINK, TMKDIR, TRENAMEAT, TUNLINKAT, TWALK,
		TREAD, TWRITE, TCLUNK, TREMOVE, TATTACH };
	for (size_t t = 0; t < sizeof(types); t++) {
		m_start(&M, types[t]);
		m_put(&M, 99, 4);	/* no such fid: nothing clunked */
		m_str(&M, "file");
		m_put(&M, 0, 4);
		m_str(&M, "x");
		for (size_t cut = 0; cut < 7 + 4 + 2; cut++) {
			size_t n = cut;
			reply_len = p9_server_handle(srv, M.b, n, reply, sizeof(reply));
			CHECK(reply_len >= 7);
		}
	}
	/* the fid table is bounded */
	p9_server_limit_fids(srv, 100);
	for (uint32_t i = 10; i < 200; i++)
		if (WALK(0, i, "d"))
			break;
	CHECK_EQ(p9_server_nfids(srv), 100);
	CHECK_EQ(WALK(0, 500, "d"), ENFILE);
	CHECK_EQ(clunk(10), 0);
	CHECK_EQ(WALK(0, 500, "d"), 0);
	CHECK_EQ(WALK(0, 500, "d"), EINVAL);	/* fid in use */
	/* xattr values are bounded */
	m_start(&M, TXATTRCREATE);
	m_put(&M, 500, 4);
	m_str(&M, "user.x");
	m_put(&M, 1ull << 40, 8);
	m_put(&M, 0, 4);
	CHECK_EQ(send_msg(&M), E2BIG);
	CHECK(outside_intact());
}

/* what a guest does, all through the server: files appear where they should */
static void ordinary_use(void)
{
	char p[600];
	struct stat st;

	setup(P9_SM_NONE, false);
	CHECK_EQ(WALK(0, 1, "d"), 0);
	CHECK_EQ(lcreate(1, "new"), 0);
	CHECK_EQ(write_(1, 0, 5, "hello", 5), 0);
	CHECK_EQ(clunk(1), 0);
	CHECK_EQ(WALK(0, 2, "d"), 0);
	CHECK_EQ(mkdir_(2, "sub"), 0);
	CHECK_EQ(renameat_(2, "new", 0, "top"), 0);
	CHECK_EQ(symlink_(0, "sl", "top"), 0);
	CHECK_EQ(unlinkat_(2, "sub", 0x200), 0);
	snprintf(p, sizeof(p), "%s/top", share);
	CHECK(!stat(p, &st) && st.st_size == 5 && (st.st_mode & 0777) == 0644);
	CHECK(exists(share, "sl") && !exists(share, "d/sub") && !exists(share, "d/new"));
	CHECK(outside_intact());
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/kwb-9p-unit-%d", t ? t : "/tmp", (int)getpid());
	snprintf(share, sizeof(share), "%s/share", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	RUN(dotdot_stays_inside);
	RUN(bad_names);
	RUN(symlinks_never_followed);
	RUN(swapped_directory);
	RUN(readonly_refuses_writes);
	RUN(special_files);
	RUN(bounds);
	RUN(ordinary_use);
	p9_server_free(srv);
	rm_tree(top);
	return CHECK_DONE();
}
