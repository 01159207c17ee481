/*
 * The host side of the 9p share (see virtio_9p.h): paths resolved one
 * component at a time from the export's directory fd, and the security
 * models as QEMU defines them:
 *
 *   passthrough   new files get the guest's owner (fchownat; failing is an
 *                 error, as on QEMU: kwb must run as root for guest root)
 *                 and mode; the host's owners and modes are what the guest
 *                 sees;
 *   none          the same, but a failing chown on creation is ignored;
 *   mapped-xattr  host files are created 0600 / directories 0700 (fmode,
 *                 dmode), owned by kwb's user; the guest's owner, group,
 *                 mode (with the file type) and device number live in the
 *                 xattrs user.virtfs.uid/gid/mode/rdev (u32/u32/u32/u64,
 *                 little-endian, QEMU's layout), symlinks are regular files
 *                 holding the target, device nodes and FIFOs regular files.
 *
 * Everything that names a host object does so as (directory fd, one
 * component) with a *at() call that does not follow a symlink; what
 * cannot be done that way (chmod, xattrs, re-opening an O_PATH fd) goes
 * through /proc/self/fd/N, which names the very inode already checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "virtio_9p.h"

#define XATTR_PREFIX "user.virtfs."
#define ACL_PREFIX "system.posix_acl_"

static int close_keep_errno(int fd)
{
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

int p9fs_init(p9fs *fs, const p9_export *e, char *err, size_t errlen)
{
	struct stat st;
	char proc[64];

	memset(fs, 0, sizeof(*fs));
	fs->root = -1;
	fs->sm = e->sm;
	fs->readonly = e->readonly;
	fs->fmode = e->fmode;
	fs->dmode = e->dmode;
	fs->root = open(e->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->root < 0) {
		snprintf(err, errlen, "failed to open '%s': %s", e->path, strerror(errno));
		return -1;
	}
	if (fstat(fs->root, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "failed to open '%s': %s", e->path, strerror(ENOTDIR));
		p9fs_close(fs);
		return -1;
	}
	/* chmod without following, xattrs and re-opening an O_PATH fd name
	 * the checked inode through /proc/self/fd: without it, no share */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fs->root);
	if (access(proc, F_OK)) {
		snprintf(err, errlen, "%s: /proc/self/fd is needed to confine the share (mount proc)",
			 e->path);
		p9fs_close(fs);
		return -1;
	}
	return 0;
}

void p9fs_close(p9fs *fs)
{
	if (fs->root >= 0)
		close(fs->root);
	fs->root = -1;
}

/* Defence in depth: the protocol layer passes checked components only
 * ("." for the export itself); anything else never reaches a syscall. */
static bool bad_name(const char *name)
{
	return !*name || strchr(name, '/') || !strcmp(name, "..");
}

/* Opens the directories of the first n bytes of path (checked components
 * joined by '/'), each relative to the last, never following a symlink. */
static int walk_dirs(p9fs *fs, const char *path, size_t n)
{
	const char *p = path, *end = path + n;
	char comp[NAME_MAX + 1];
	int fd = openat(fs->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	while (fd >= 0 && p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t len = (size_t)((slash ? slash : end) - p);
		int next;

		if (!len || len > NAME_MAX) {
			close(fd);
			return -EINVAL;		/* never: fid paths are checked */
		}
		memcpy(comp, p, len);
		comp[len] = 0;
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close_keep_errno(fd);
		fd = next;
		p += len + (slash != NULL);
	}
	return fd < 0 ? -errno : fd;
}

int p9fs_open_dir(p9fs *fs, const char *path)
{
	return walk_dirs(fs, path, strlen(path));
}

int p9fs_open_parent(p9fs *fs, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');

	if (!*path) {
		*name = ".";
		return walk_dirs(fs, path, 0);
	}
	*name = slash ? slash + 1 : path;
	return walk_dirs(fs, path, slash ? (size_t)(slash - path) : 0);
}

/* "/proc/self/fd/DIR/NAME": NAME in the directory DIR refers to, the last
 * component not followed by the l*() calls that take it. */
static void proc_path(char *buf, size_t cap, int dir, const char *name)
{
	snprintf(buf, cap, "/proc/self/fd/%d/%s", dir, name);
}

static uint64_t xattr_num(const char *path, int fd, const char *attr, bool *found)
{
	uint8_t v[8] = { 0 };
	ssize_t n = fd >= 0 ? fgetxattr(fd, attr, v, sizeof(v)) : lgetxattr(path, attr, v, sizeof(v));
	uint64_t x = 0;

	*found = n > 0;
	for (ssize_t i = n > 0 ? n : 0; i-- > 0;)
		x = x << 8 | v[i];
	return x;
}

/* mapped-xattr: the guest's view of a host object (QEMU's local_lstat) */
static void mapped_view(const char *path, int fd, struct stat *st)
{
	bool f;
	uint64_t v;

	v = xattr_num(path, fd, XATTR_PREFIX "uid", &f);
	if (f)
		st->st_uid = (uid_t)v;
	v = xattr_num(path, fd, XATTR_PREFIX "gid", &f);
	if (f)
		st->st_gid = (gid_t)v;
	v = xattr_num(path, fd, XATTR_PREFIX "mode", &f);
	if (f)
		st->st_mode = (mode_t)v;
	v = xattr_num(path, fd, XATTR_PREFIX "rdev", &f);
	if (f)
		st->st_rdev = (dev_t)v;
}

int p9fs_lstat(p9fs *fs, int dir, const char *name, struct stat *st)
{
	if (bad_name(name))
		return -EINVAL;
	char path[PATH_MAX + 64];

	if (fstatat(dir, name, st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (fs->sm == P9_SM_MAPPED_XATTR && !S_ISLNK(st->st_mode)) {
		proc_path(path, sizeof(path), dir, name);
		mapped_view(path, -1, st);
	}
	return 0;
}

int p9fs_fstat(p9fs *fs, int fd, struct stat *st)
{
	if (fstat(fd, st))
		return -errno;
	if (fs->sm == P9_SM_MAPPED_XATTR)
		mapped_view(NULL, fd, st);
	return 0;
}

/* A host object that is neither a regular file nor a directory (nor a
 * symlink, read as a link) is never opened or chmod-ed: ENXIO, and one
 * line, as QEMU 7.2 (Debian's, with the CVE-2023-2861 fix). */
static int special_file(void)
{
	static bool warned;

	if (!warned)
		kwb_warn("9p: broken or compromised client detected; attempt to open special file "
			 "(i.e. neither regular file, nor directory)");
	warned = true;
	return -ENXIO;
}

/* An O_PATH fd of dir/name itself (a symlink is not followed), its stat
 * in st. */
static int open_path(int dir, const char *name, struct stat *st)
{
	int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st)) {
		close_keep_errno(fd);
		return -errno;
	}
	return fd;
}

int p9fs_open(p9fs *fs, int dir, const char *name, int flags)
{
	if (bad_name(name))
		return -EINVAL;
	struct stat st;
	char proc[64];
	int pfd, fd;

	(void)fs;
	pfd = open_path(dir, name, &st);
	if (pfd < 0)
		return pfd;
	if (S_ISLNK(st.st_mode) || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
		/* a symlink is never opened (QEMU: ELOOP); device nodes, FIFOs
		 * and sockets neither (QEMU: ENXIO, its CVE-2023-2861 fix) */
		close(pfd);
		return S_ISLNK(st.st_mode) ? -ELOOP : special_file();
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	flags &= ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_PATH);
	fd = open(proc, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	close_keep_errno(pfd);
	return fd < 0 ? -errno : fd;
}

static int set_mapped(int dir, const char *name, const p9_cred *c, bool rdev)
{
	char path[PATH_MAX + 64];
	uint32_t v32[3] = { c->uid, c->gid, (uint32_t)c->mode };
	uint64_t v64 = (uint64_t)c->rdev;

	proc_path(path, sizeof(path), dir, name);
	if (lsetxattr(path, XATTR_PREFIX "uid", &v32[0], 4, 0) ||
	    lsetxattr(path, XATTR_PREFIX "gid", &v32[1], 4, 0) ||
	    lsetxattr(path, XATTR_PREFIX "mode", &v32[2], 4, 0) ||
	    (rdev && lsetxattr(path, XATTR_PREFIX "rdev", &v64, 8, 0)))
		return -errno;
	return 0;
}

/* chmod of dir/name that never follows a symlink (QEMU's
 * fchmodat_nofollow): ELOOP on one. */
static int chmod_nofollow(int dir, const char *name, mode_t mode)
{
	struct stat st;
	char proc[64];
	int pfd = open_path(dir, name, &st), r;

	if (pfd < 0)
		return pfd;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		close(pfd);
		return S_ISLNK(st.st_mode) ? -ELOOP : special_file();
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	r = chmod(proc, mode) ? -errno : 0;
	close(pfd);
	return r;
}

int p9fs_create(p9fs *fs, int dir, const char *name, const p9_cred *c, const char *target,
		int oflags, struct stat *st)
{
	if (bad_name(name))
		return -EINVAL;
	mode_t type = c->mode & S_IFMT;
	bool mapped = fs->sm == P9_SM_MAPPED_XATTR;
	int fd = -1, r = 0;

	oflags = (oflags & ~(O_CREAT | O_PATH | O_DIRECTORY)) | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK |
		 O_NOCTTY | O_CLOEXEC;
	switch (type) {
	case S_IFDIR:
		r = mkdirat(dir, name, mapped ? fs->dmode : c->mode & 07777);
		break;
	case S_IFREG:
		fd = openat(dir, name, oflags, mapped ? fs->fmode : c->mode & 07777);
		r = fd < 0 ? -1 : 0;
		break;
	case S_IFLNK:
		if (!target)
			return -EINVAL;		/* never: only Tsymlink makes links */
		if (!mapped) {
			r = symlinkat(target, dir, name);
			break;
		}
		/* mapped: a regular file holding the target (QEMU's layout) */
		fd = openat(dir, name, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, fs->fmode);
		if (fd < 0) {
			r = -1;
			break;
		}
		{
			ssize_t n = write(fd, target, strlen(target));

			r = n == (ssize_t)strlen(target) ? 0 : -1;
			if (r && n >= 0)
				errno = EIO;
		}
		close_keep_errno(fd);
		fd = -1;
		if (r)
			goto undo;
		break;
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR:
	case S_IFBLK:
		if (mapped) {
			r = mknodat(dir, name, S_IFREG | fs->fmode, 0);
			break;
		}
		/* never a device node on the host: whoever opens it there
		 * reaches the device (the guest's own opens stay in the guest).
		 * QEMU creates FIFOs and sockets, then fails to chmod them
		 * (ENXIO) and removes them: the same answer, nothing made. */
		if (type == S_IFCHR || type == S_IFBLK)
			return -EPERM;
		return special_file();
	default:
		return -EINVAL;
	}
	if (r)
		return -errno;
	if (mapped) {
		r = set_mapped(dir, name, c, c->mknod);
		if (r) {
			errno = -r;
			goto undo;
		}
	} else {
		if (fchownat(dir, name, c->uid, c->gid, AT_SYMLINK_NOFOLLOW) && fs->sm == P9_SM_PASSTHROUGH)
			goto undo;
		if (type != S_IFLNK && (r = chmod_nofollow(dir, name, c->mode & 07777))) {
			errno = -r;
			goto undo;
		}
	}
	r = p9fs_lstat(fs, dir, name, st);
	if (r) {
		errno = -r;
		goto undo;
	}
	if (c->mknod && fd >= 0)
		close(fd);	/* Tmknod of a regular file: nothing stays open */
	return fd >= 0 && !c->mknod ? fd : 0;
undo:
	r = -errno;
	close_keep_errno(fd);
	unlinkat(dir, name, type == S_IFDIR ? AT_REMOVEDIR : 0);
	return r ? r : -EIO;
}

int p9fs_chmod(p9fs *fs, int dir, const char *name, mode_t mode)
{
	if (bad_name(name))
		return -EINVAL;
	if (fs->sm == P9_SM_MAPPED_XATTR) {
		char path[PATH_MAX + 64];
		uint32_t v = (uint32_t)mode;

		proc_path(path, sizeof(path), dir, name);
		return lsetxattr(path, XATTR_PREFIX "mode", &v, 4, 0) ? -errno : 0;
	}
	return chmod_nofollow(dir, name, mode);
}

int p9fs_chown(p9fs *fs, int dir, const char *name, uint32_t uid, uint32_t gid)
{
	if (bad_name(name))
		return -EINVAL;
	char path[PATH_MAX + 64];

	if (fs->sm != P9_SM_MAPPED_XATTR || (uid == (uint32_t)-1 && gid == (uint32_t)-1))
		return fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
	proc_path(path, sizeof(path), dir, name);
	if (uid != (uint32_t)-1 && lsetxattr(path, XATTR_PREFIX "uid", &uid, 4, 0))
		return -errno;
	if (gid != (uint32_t)-1 && lsetxattr(path, XATTR_PREFIX "gid", &gid, 4, 0))
		return -errno;
	return 0;
}

int p9fs_truncate(p9fs *fs, int dir, const char *name, uint64_t size)
{
	int fd, r;

	if (size > INT64_MAX)
		return -EINVAL;
	fd = p9fs_open(fs, dir, name, O_WRONLY);
	if (fd < 0)
		return fd;
	r = ftruncate(fd, (off_t)size) ? -errno : 0;
	close(fd);
	return r;
}

ssize_t p9fs_readlink(p9fs *fs, int dir, const char *name, char *buf, size_t cap)
{
	if (bad_name(name))
		return -EINVAL;
	struct stat st;
	ssize_t n;
	int fd;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (fs->sm != P9_SM_MAPPED_XATTR) {
		n = readlinkat(dir, name, buf, cap);
		return n < 0 ? -errno : n;
	}
	/* mapped: a host symlink is not the guest's (QEMU opens it without
	 * following: ELOOP) */
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	/* mapped: the target is the content of a regular file */
	fd = p9fs_open(fs, dir, name, O_RDONLY);
	if (fd < 0)
		return fd;
	n = read(fd, buf, cap);
	close_keep_errno(fd);
	return n < 0 ? -errno : n;
}

/* ---- xattrs: which guest names reach which host names ---- */

enum { XA_PASS, XA_IGNORE };

/* The host name of the guest's attr: XA_PASS (host in buf), XA_IGNORE
 * (the none model drops ACLs), or -errno. */
static int xattr_host_name(p9fs *fs, const char *attr, bool modify, char *buf, size_t cap)
{
	if (!strncmp(attr, "user.", 5)) {
		if (fs->sm == P9_SM_MAPPED_XATTR && !strncmp(attr, XATTR_PREFIX, strlen(XATTR_PREFIX)))
			return modify ? -EACCES : -ENODATA;	/* the mapping's own */
		snprintf(buf, cap, "%s", attr);
		return XA_PASS;
	}
	if (!strcmp(attr, ACL_PREFIX "access") || !strcmp(attr, ACL_PREFIX "default")) {
		if (fs->sm == P9_SM_NONE)
			return modify ? XA_IGNORE : -ENOTSUP;
		snprintf(buf, cap, "%s%s", fs->sm == P9_SM_MAPPED_XATTR ? XATTR_PREFIX : "", attr);
		return XA_PASS;
	}
	return -EOPNOTSUPP;
}

ssize_t p9fs_getxattr(p9fs *fs, int dir, const char *name, const char *attr, void *buf, size_t cap)
{
	if (bad_name(name))
		return -EINVAL;
	char host[XATTR_NAME_MAX + 16], path[PATH_MAX + 64];
	int r = xattr_host_name(fs, attr, false, host, sizeof(host));
	ssize_t n;

	if (r < 0)
		return r;
	proc_path(path, sizeof(path), dir, name);
	n = lgetxattr(path, host, buf, cap);
	return n < 0 ? -errno : n;
}

/* The guest's name for a host xattr name, or NULL: hidden. */
static const char *xattr_guest_name(p9fs *fs, const char *host)
{
	size_t pl = strlen(XATTR_PREFIX);

	if (fs->sm == P9_SM_MAPPED_XATTR) {
		if (!strncmp(host, XATTR_PREFIX ACL_PREFIX, pl + strlen(ACL_PREFIX)))
			return host + pl;
		if (!strncmp(host, XATTR_PREFIX, pl) || strncmp(host, "user.", 5))
			return NULL;
		return host;
	}
	if (!strncmp(host, "user.", 5))
		return host;
	if (fs->sm == P9_SM_PASSTHROUGH && !strncmp(host, ACL_PREFIX, strlen(ACL_PREFIX)))
		return host;
	return NULL;
}

ssize_t p9fs_listxattr(p9fs *fs, int dir, const char *name, char *buf, size_t cap)
{
	if (bad_name(name))
		return -EINVAL;
	char path[PATH_MAX + 64], *all;
	ssize_t n, out = 0;

	proc_path(path, sizeof(path), dir, name);
	n = llistxattr(path, NULL, 0);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	all = malloc((size_t)n);
	if (!all)
		return -ENOMEM;
	n = llistxattr(path, all, (size_t)n);
	if (n < 0) {
		n = -errno;
		free(all);
		return n;
	}
	for (ssize_t i = 0; i < n;) {
		const char *h = all + i, *g;
		size_t hl = strnlen(h, (size_t)(n - i));

		i += (ssize_t)hl + 1;
		if (i > n || !(g = xattr_guest_name(fs, h)))
			continue;
		size_t gl = strlen(g) + 1;
		if (buf) {
			if ((size_t)out + gl > cap) {
				free(all);
				return -ERANGE;
			}
			memcpy(buf + out, g, gl);
		}
		out += (ssize_t)gl;
	}
	free(all);
	return out;
}

int p9fs_setxattr(p9fs *fs, int dir, const char *name, const char *attr, const void *val,
		  size_t len, int flags)
{
	if (bad_name(name))
		return -EINVAL;
	char host[XATTR_NAME_MAX + 16], path[PATH_MAX + 64];
	int r = xattr_host_name(fs, attr, true, host, sizeof(host));

	if (r != XA_PASS)
		return r == XA_IGNORE ? 0 : r;
	proc_path(path, sizeof(path), dir, name);
	return lsetxattr(path, host, val, len, flags) ? -errno : 0;
}

int p9fs_removexattr(p9fs *fs, int dir, const char *name, const char *attr)
{
	if (bad_name(name))
		return -EINVAL;
	char host[XATTR_NAME_MAX + 16], path[PATH_MAX + 64];
	int r = xattr_host_name(fs, attr, true, host, sizeof(host));

	if (r != XA_PASS)
		return r == XA_IGNORE ? 0 : r;
	proc_path(path, sizeof(path), dir, name);
	return lremovexattr(path, host) ? -errno : 0;
}
