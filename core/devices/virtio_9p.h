/*
 * The 9p host share (-virtfs, -fsdev + virtio-9p-pci/-device): a 9P2000.L
 * file server for untrusted guest input, in three parts:
 *
 *   virtio_9p.c        the virtio model (mount tag config, one request
 *                      queue), -fsdev/-virtfs parsing, state, replay;
 *   virtio_9p_proto.c  the protocol: messages parsed and checked field by
 *                      field, fids, one handler per T-message (a table);
 *   virtio_9p_fs.c     the host side: every path resolved from the export's
 *                      directory fd one component at a time (openat with
 *                      O_NOFOLLOW, never a string path), and the security
 *                      models (none, passthrough, mapped-xattr).
 *
 * The protocol half needs no machine: p9_server_handle() takes one whole
 * T-message and writes its R-message, so unit tests and the fuzz target
 * drive it directly (tests/unit/test_virtio_9p.c, tests/fuzz/virtio_9p_fuzz.c).
 *
 * Confinement: a fid is a path of checked components below the export
 * ("" is the export itself); a component is never "", ".", "..", longer
 * than NAME_MAX or holding '/' or NUL; ".." in a walk is resolved on the
 * path (the export's parent is the export). Each use opens the components
 * again relative to the export's fd with O_NOFOLLOW, so a symlink (absolute
 * or not, planted by the guest or swapped in by a host process at any
 * time) is never followed: it can only be read as a link. Only regular
 * files and directories are opened (re-opened from an O_PATH fd whose type
 * was checked, so a swap between check and open does not count), always
 * non-blocking; device nodes are never created on the host.
 */
#ifndef KWB_VIRTIO_9P_H
#define KWB_VIRTIO_9P_H

#include <sys/stat.h>

#include "../kwb.h"

enum p9_sm {
	P9_SM_NONE,		/* as passthrough, failures to set ownership ignored */
	P9_SM_PASSTHROUGH,	/* the guest's owners and modes on the host files */
	P9_SM_MAPPED_XATTR,	/* host files 0600/0700, the guest's view in user.virtfs.* */
};

typedef struct p9_export {
	const char *path;	/* the host directory */
	enum p9_sm sm;
	bool readonly;
	mode_t fmode, dmode;	/* mapped-xattr: host modes of created files, dirs */
} p9_export;

#define P9_MIN_MSIZE 4096	/* QEMU's: smaller Tversion msize is refused */
#define P9_MAX_MSIZE (4u << 20)	/* larger is cut to this (QEMU's virtio limit) */
#define P9_HDR 7		/* size[4] type[1] tag[2] */
#define P9_IOHDRSZ 24		/* the Twrite header: what msize leaves for data */

typedef struct p9_server p9_server;

/* Opens the export; NULL with a reason in err (no such directory...). */
p9_server *p9_server_new(const p9_export *e, char *err, size_t errlen);
void p9_server_free(p9_server *s);
/* Drops every fid (device reset, a new Tversion). */
void p9_server_reset(p9_server *s);
/* Drops every fid under a guest that still uses them (its session belongs
 * to another timeline): unknown fids get ESTALE until the next Tversion. */
void p9_server_invalidate(p9_server *s);
/* One T-message of len bytes (its size field is not trusted): writes the
 * R-message (Rlerror on any error) into out, at most cap bytes, and
 * returns its length; 0 when cap cannot hold even an Rlerror (11 bytes). */
size_t p9_server_handle(p9_server *s, const uint8_t *req, size_t len, uint8_t *out, size_t cap);
/* The session's msize (8192 before the first Tversion). */
uint32_t p9_server_msize(const p9_server *s);
unsigned p9_server_nfids(const p9_server *s);
/* Lowers the fid bound (tests; the default is 1 << 20). */
void p9_server_limit_fids(p9_server *s, unsigned max);
/* "Twalk" for traces; "T?" for an unknown type. */
const char *p9_msg_name(uint8_t type);

/* ---- the host side (virtio_9p_fs.c), for virtio_9p_proto.c ---- */

typedef struct p9fs {
	int root;		/* O_PATH|O_DIRECTORY fd of the export */
	enum p9_sm sm;
	bool readonly;
	mode_t fmode, dmode;
} p9fs;

/* Guest credentials of a new file: owner, group, mode with type bits
 * (S_IFREG, S_IFDIR, S_IFLNK, a node's), rdev for nodes. */
typedef struct p9_cred {
	uint32_t uid, gid;
	mode_t mode;
	dev_t rdev;
	bool mknod;		/* Tmknod: mapped-xattr records rdev (QEMU) */
} p9_cred;

int p9fs_init(p9fs *fs, const p9_export *e, char *err, size_t errlen);
void p9fs_close(p9fs *fs);
/* The directory at path (O_PATH fd, the caller closes it), or -errno. */
int p9fs_open_dir(p9fs *fs, const char *path);
/* The directory holding path's last component, and that component
 * (name points into path; the export itself is "." in the export). */
int p9fs_open_parent(p9fs *fs, const char *path, const char **name);
/* lstat of dir/name with the security model's view (mapped: ownership and
 * mode from the xattrs). */
int p9fs_lstat(p9fs *fs, int dir, const char *name, struct stat *st);
int p9fs_fstat(p9fs *fs, int fd, struct stat *st);
/* Opens dir/name for I/O (flags: O_ACCMODE, O_TRUNC, O_APPEND, O_DIRECTORY,
 * O_SYNC...): regular files and directories only, never a symlink. */
int p9fs_open(p9fs *fs, int dir, const char *name, int flags);
/* Creates name in dir as the guest asked (c->mode's type bits say what):
 * a regular file (opened with oflags: the fd is returned), a directory, a
 * symlink to target, a FIFO or socket; st gets its stat. Returns an fd
 * (files), 0, or -errno. */
int p9fs_create(p9fs *fs, int dir, const char *name, const p9_cred *c, const char *target,
		int oflags, struct stat *st);
int p9fs_chmod(p9fs *fs, int dir, const char *name, mode_t mode);
int p9fs_chown(p9fs *fs, int dir, const char *name, uint32_t uid, uint32_t gid);
int p9fs_truncate(p9fs *fs, int dir, const char *name, uint64_t size);
ssize_t p9fs_readlink(p9fs *fs, int dir, const char *name, char *buf, size_t cap);
/* xattrs by the security model's rules; list filters and renames */
ssize_t p9fs_getxattr(p9fs *fs, int dir, const char *name, const char *attr, void *buf, size_t cap);
ssize_t p9fs_listxattr(p9fs *fs, int dir, const char *name, char *buf, size_t cap);
int p9fs_setxattr(p9fs *fs, int dir, const char *name, const char *attr, const void *val,
		  size_t len, int flags);
int p9fs_removexattr(p9fs *fs, int dir, const char *name, const char *attr);

#endif
