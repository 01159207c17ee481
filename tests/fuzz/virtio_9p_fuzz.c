/*
 * Fuzz target for the 9p server (core/devices/virtio_9p_proto.c and
 * virtio_9p_fs.c), which parses what a guest's 9p client sends. An input
 * is a run of T-messages as on the wire (size[4] type[1] tag[2] body): each
 * size field says where the next one starts (cut to what is left; a size
 * under 7 makes the rest one message). Every input starts from a fresh
 * share (files, a directory, symlinks pointing out of it), after a Tversion
 * and a Tattach of fid 0, so short inputs reach every handler. After each
 * input the directory beside the share must be as it was, and every reply
 * well formed (its size field, its tag, Rlerror or the T-message's R):
 * anything else aborts, which a fuzzer reports. Seeds: fuzz_seeds() below.
 * fuzz-options: -max_len=8192
 *
 * With libFuzzer (clang):
 *     clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE \
 *         tests/fuzz/virtio_9p_fuzz.c tests/fuzz/libfuzzer_stubs.c \
 *         core/devices/virtio_9p_proto.c core/devices/virtio_9p_fs.c core/util.c -o 9p-fuzz
 *     KWB_FUZZ_SEEDS_OUT=CORPUS build/tests/test_virtio_9p_fuzz   # seed runs
 *     ./9p-fuzz -max_total_time=60 CORPUS
 * Without it, tests/unit/test_virtio_9p_fuzz.c runs it over seed message
 * runs and their mutations (part of make check and make asan).
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/devices/virtio_9p.h"
#if __has_include("tests/fuzz/fuzz.h")
#include "tests/fuzz/fuzz.h"	/* make fuzz: fuzz_seeds() written as seeds */
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* inputs that got past the first message (a driver checks its seeds do) */
unsigned long fuzz_accepted;

static char fz_top[256], fz_share[300], fz_outside[300];
static unsigned long fz_messages;	/* messages handled (the driver reports it) */

static int fz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* a guest may leave directories without permissions: open them up first */
static int fz_open_up(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR || (S_ISDIR(st->st_mode) && flag != FTW_SL))
		chmod(path, 0700);
	return 0;
}

static void fz_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char p[600];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW, mode);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		abort();
	close(fd);
	chmod(p, mode);
}

static void fz_link(const char *target, const char *name)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", fz_share, name);
	if (symlink(target, p))
		abort();
}

/* the share as every input finds it */
static void fz_fresh_share(void)
{
	char p[600];

	if (!*fz_top) {
		const char *t = getenv("TMPDIR");

		snprintf(fz_top, sizeof(fz_top), "%s/kwb-9p-fuzz-%d", t ? t : "/tmp", (int)getpid());
		snprintf(fz_share, sizeof(fz_share), "%s/share", fz_top);
		snprintf(fz_outside, sizeof(fz_outside), "%s/outside", fz_top);
		mkdir(fz_top, 0700);
		mkdir(fz_outside, 0755);
		fz_file(fz_outside, "secret", "host secret\n", 0644);
	}
	chmod(fz_share, 0700);
	nftw(fz_share, fz_open_up, 16, FTW_PHYS);
	nftw(fz_share, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(fz_share, 0755))
		abort();
	fz_file(fz_share, "file", "inside\n", 0644);
	snprintf(p, sizeof(p), "%s/d", fz_share);
	mkdir(p, 0755);
	fz_file(fz_share, "d/f", "in d\n", 0600);
	fz_link(fz_outside, "abs");
	fz_link("../outside", "rel");
	fz_link("../outside/secret", "sec");
	fz_link("file", "ok");
}

static int fz_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		abort();
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* the outside directory holds its one file, unchanged, and nothing is new
 * beside the share */
static void fz_check_outside(void)
{
	char p[600], buf[64] = { 0 };
	struct stat st;
	int fd;

	snprintf(p, sizeof(p), "%s/secret", fz_outside);
	fd = open(p, O_RDONLY | O_NOFOLLOW);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) != 12 || strcmp(buf, "host secret\n") ||
	    fstat(fd, &st) || st.st_nlink != 1 || (st.st_mode & 07777) != 0644 || st.st_uid != getuid())
		abort();
	close(fd);
	if (fz_entries(fz_outside) != 1 || fz_entries(fz_top) != 2)
		abort();
}

static void fz_reply_ok(const uint8_t *req, const uint8_t *r, size_t n, size_t cap)
{
	if (n < 7 || n > cap)
		abort();
	if ((size_t)(r[0] | r[1] << 8 | r[2] << 16 | (uint32_t)r[3] << 24) != n)
		abort();
	if (r[5] != req[5] || r[6] != req[6])
		abort();
	if (r[4] != 7 && r[4] != (uint8_t)(req[4] + 1))
		abort();
}

static size_t fz_send(p9_server *s, const uint8_t *m, size_t len, uint8_t *out, size_t cap)
{
	size_t n = p9_server_handle(s, m, len, out, cap);

	fz_messages++;
	if (len >= 7)
		fz_reply_ok(m, out, n, cap);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t prologue[][64] = {
		/* Tversion msize 8192 "9P2000.L" */
		{ 21, 0, 0, 0, 100, 0xff, 0xff, 0, 0x20, 0, 0, 8, 0, '9', 'P', '2', '0', '0', '0', '.', 'L' },
		/* Tattach fid 0, afid ~0, uname "", aname "", n_uname 0 */
		{ 23, 0, 0, 0, 104, 1, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0 },
	};
	static uint8_t out[1 << 16];
	char err[256];
	p9_export e = { NULL, P9_SM_NONE, false, 0600, 0700 };
	p9_server *s;
	size_t off = 0;

	fz_fresh_share();
	/* the first byte picks the security model and readonly */
	if (size) {
		e.sm = (enum p9_sm)(data[0] % 3);
		e.readonly = data[0] & 0x80;
		data++, size--;
	}
	e.path = fz_share;
	s = p9_server_new(&e, err, sizeof(err));
	if (!s)
		abort();
	for (int i = 0; i < 2; i++)
		fz_send(s, prologue[i], prologue[i][0], out, sizeof(out));
	bool accepted = false;

	while (off < size) {
		size_t left = size - off, len = left;
		/* an exact-size copy, so a sanitizer sees any read past the end */
		uint8_t *m;

		if (left >= 4) {
			size_t n = data[off] | data[off + 1] << 8 | data[off + 2] << 16 | (size_t)data[off + 3] << 24;
			if (n >= 7 && n < left)
				len = n;
		}
		m = malloc(len);
		memcpy(m, data + off, len);
		/* a reply buffer of the guest's choosing: from tiny to whole */
		fz_send(s, m, len, out, len > 7 && (m[6] & 0x80) ? 11u + m[6] % 64u : sizeof(out));
		accepted |= len >= 7 && out[4] != 7;
		free(m);
		off += len;
	}
	p9_server_free(s);
	fz_check_outside();
	fuzz_accepted += accepted;
	return 0;
}

/* ---- seed runs: what a Linux client sends ---- */

static uint8_t sb[8192];
static size_t slen, mstart;

static void sput(uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		sb[slen++] = (uint8_t)v;
}

static void sstr(const char *s)
{
	sput(strlen(s), 2);
	memcpy(sb + slen, s, strlen(s));
	slen += strlen(s);
}

static void end(void)
{
	size_t n = slen - mstart;

	sb[mstart] = (uint8_t)n;
	sb[mstart + 1] = (uint8_t)(n >> 8);
	sb[mstart + 2] = (uint8_t)(n >> 16);
	sb[mstart + 3] = (uint8_t)(n >> 24);
}

static void msg(uint8_t type)
{
	if (slen > mstart)
		end();
	mstart = slen;
	sput(0, 4);
	sput(type, 1);
	sput(slen & 0x7f, 2);	/* tags that keep replies full size */
}

static void walk(uint32_t fid, uint32_t nfid, int n, const char *const *names)
{
	msg(110);
	sput(fid, 4);
	sput(nfid, 4);
	sput(n, 2);
	for (int i = 0; i < n; i++)
		sstr(names[i]);
}

static void fid_op(uint8_t type, uint32_t fid)
{
	msg(type);
	sput(fid, 4);
}

static void seed_begin(uint8_t mode)
{
	slen = mstart = 0;
	sput(mode, 1);
	mstart = slen;
}

static void seed_end(void (*add)(const void *data, size_t len))
{
	if (slen > mstart)
		end();
	add(sb, slen);
}

/* Every T-message kwb serves, with symlinks out of the share walked and
 * opened, on each security model and read-only (hostile's driver and make
 * fuzz take them from here). */
void fuzz_seeds(void (*add)(const void *data, size_t len));
void fuzz_seeds(void (*add)(const void *data, size_t len))
{
	static const uint8_t modes[] = { 0, 1, 2, 0x80 };

	for (size_t m = 0; m < sizeof(modes); m++) {
		/* files: open, read, write, attributes, locks, fsync */
		seed_begin(modes[m]);
		walk(0, 1, 1, (const char *const[]){ "file" });
		msg(12), sput(1, 4), sput(2, 4);				/* Tlopen O_RDWR */
		msg(116), sput(1, 4), sput(0, 8), sput(100, 4);		/* Tread */
		msg(118), sput(1, 4), sput(3, 8), sput(4, 4), sput(0x64636261, 4);	/* Twrite */
		msg(24), sput(1, 4), sput(0x7ff, 8);			/* Tgetattr */
		msg(26), sput(1, 4), sput(0x7f, 4), sput(0600, 4), sput(0, 4), sput(0, 4), sput(2, 8),
			sput(1, 8), sput(2, 8), sput(3, 8), sput(4, 8);	/* Tsetattr */
		msg(50), sput(1, 4), sput(0, 4);				/* Tfsync */
		msg(52), sput(1, 4), sput(1, 1), sput(0, 4), sput(0, 8), sput(0, 8), sput(1, 4), sstr("c");
		msg(54), sput(1, 4), sput(1, 1), sput(0, 8), sput(0, 8), sput(1, 4), sstr("c");
		msg(8), sput(1, 4);					/* Tstatfs */
		fid_op(120, 1);						/* Tclunk */
		seed_end(add);
		/* directories: create, list, rename, link, delete */
		seed_begin(modes[m]);
		walk(0, 1, 1, (const char *const[]){ "d" });
		walk(0, 2, 1, (const char *const[]){ "d" });
		msg(12), sput(2, 4), sput(0200000, 4);			/* Tlopen O_DIRECTORY */
		msg(40), sput(2, 4), sput(0, 8), sput(4000, 4);		/* Treaddir */
		msg(40), sput(2, 4), sput(1, 8), sput(30, 4);
		msg(14), sput(1, 4), sstr("new"), sput(0102, 4), sput(0644, 4), sput(0, 4);	/* Tlcreate */
		msg(118), sput(1, 4), sput(0, 8), sput(2, 4), sput(0x6968, 2);
		msg(72), sput(0, 4), sstr("m"), sput(0755, 4), sput(0, 4);	/* Tmkdir */
		msg(16), sput(0, 4), sstr("s"), sstr("file"), sput(0, 4);	/* Tsymlink */
		walk(0, 3, 1, (const char *const[]){ "s" });
		fid_op(22, 3);						/* Treadlink */
		msg(18), sput(0, 4), sstr("n"), sput(010644, 4), sput(0, 4), sput(0, 4), sput(0, 4);	/* Tmknod */
		msg(70), sput(0, 4), sput(3, 4), sstr("hard");		/* Tlink */
		msg(74), sput(0, 4), sstr("file"), sput(0, 4), sstr("moved");	/* Trenameat */
		walk(0, 4, 1, (const char *const[]){ "moved" });
		msg(20), sput(4, 4), sput(0, 4), sstr("again");		/* Trename */
		msg(76), sput(0, 4), sstr("m"), sput(0x200, 4);		/* Tunlinkat */
		fid_op(122, 4);						/* Tremove */
		seed_end(add);
		/* xattrs */
		seed_begin(modes[m]);
		walk(0, 1, 0, NULL);
		msg(32), sput(1, 4), sstr("user.a"), sput(3, 8), sput(0, 4);	/* Txattrcreate */
		msg(118), sput(1, 4), sput(0, 8), sput(3, 4), sput(0x78797a, 3);
		fid_op(120, 1);
		msg(30), sput(0, 4), sput(2, 4), sstr("user.a");		/* Txattrwalk */
		msg(116), sput(2, 4), sput(0, 8), sput(10, 4);
		msg(30), sput(0, 4), sput(3, 4), sstr("");			/* the list */
		msg(116), sput(3, 4), sput(0, 8), sput(100, 4);
		msg(30), sput(0, 4), sput(4, 4), sstr("system.posix_acl_access");
		seed_end(add);
		/* the ways out: .., symlinks walked, opened, created in */
		seed_begin(modes[m]);
		walk(0, 1, 3, (const char *const[]){ "..", "..", "d" });
		walk(0, 2, 2, (const char *const[]){ "abs", "secret" });
		walk(0, 3, 1, (const char *const[]){ "rel" });
		msg(14), sput(3, 4), sstr("x"), sput(0102, 4), sput(0644, 4), sput(0, 4);
		walk(0, 4, 1, (const char *const[]){ "sec" });
		msg(12), sput(4, 4), sput(01002, 4);
		msg(26), sput(4, 4), sput(9, 4), sput(0777, 4), sput(0, 4), sput(0, 4), sput(0, 8),
			sput(0, 8), sput(0, 8), sput(0, 8), sput(0, 8);
		msg(74), sput(0, 4), sstr("file"), sput(3, 4), sstr("file");
		msg(70), sput(3, 4), sput(0, 4), sstr("l");
		msg(108), sput(1, 2);					/* Tflush */
		msg(100), sput(4096, 4), sstr("9P2000.L");		/* a new session */
		msg(104), sput(0, 4), sput(~0u, 4), sstr(""), sstr(""), sput(0, 4);
		seed_end(add);
	}
}

