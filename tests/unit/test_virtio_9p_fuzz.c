/* The 9p server's fuzz target (tests/fuzz/virtio_9p_fuzz.c) under a small
 * driver: seed runs of messages a Linux client sends (every T-message kwb
 * serves, with symlinks out of the share walked and opened) on each
 * security model and read-only, then deterministic random mutations of
 * them, within a wall-clock bound. Environment: KWB_FUZZ_ITERS (default
 * 20000), KWB_FUZZ_SECONDS (default 3), KWB_FUZZ_SEED (default 1). Part of
 * make check and make asan. */
#include "tests/fuzz/virtio_9p_fuzz.c"

#include <time.h>

#define MAX_SEEDS 64
#define FUZZ_MAX_INPUT 8192

static struct { uint8_t data[FUZZ_MAX_INPUT]; size_t len; } seeds[MAX_SEEDS];
static int nseeds;
static uint64_t rng = 1;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- building seed runs ---- */

static uint8_t *sb;
static size_t slen, mstart;

static void put(uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		sb[slen++] = (uint8_t)v;
}

static void str(const char *s)
{
	put(strlen(s), 2);
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
	put(0, 4);
	put(type, 1);
	put(slen & 0x7f, 2);	/* tags that keep replies full size */
}

static void walk(uint32_t fid, uint32_t nfid, int n, const char *const *names)
{
	msg(110);
	put(fid, 4);
	put(nfid, 4);
	put(n, 2);
	for (int i = 0; i < n; i++)
		str(names[i]);
}

static void fid_op(uint8_t type, uint32_t fid)
{
	msg(type);
	put(fid, 4);
}

static void seed_begin(uint8_t mode)
{
	sb = seeds[nseeds].data;
	slen = mstart = 0;
	put(mode, 1);
	mstart = slen;
}

static void seed_end(void)
{
	if (slen > mstart)
		end();
	seeds[nseeds++].len = slen;
}

static void make_seeds(void)
{
	static const uint8_t modes[] = { 0, 1, 2, 0x80 };

	for (size_t m = 0; m < sizeof(modes); m++) {
		/* files: open, read, write, attributes, locks, fsync */
		seed_begin(modes[m]);
		walk(0, 1, 1, (const char *const[]){ "file" });
		msg(12), put(1, 4), put(2, 4);				/* Tlopen O_RDWR */
		msg(116), put(1, 4), put(0, 8), put(100, 4);		/* Tread */
		msg(118), put(1, 4), put(3, 8), put(4, 4), put(0x64636261, 4);	/* Twrite */
		msg(24), put(1, 4), put(0x7ff, 8);			/* Tgetattr */
		msg(26), put(1, 4), put(0x7f, 4), put(0600, 4), put(0, 4), put(0, 4), put(2, 8),
			put(1, 8), put(2, 8), put(3, 8), put(4, 8);	/* Tsetattr */
		msg(50), put(1, 4), put(0, 4);				/* Tfsync */
		msg(52), put(1, 4), put(1, 1), put(0, 4), put(0, 8), put(0, 8), put(1, 4), str("c");
		msg(54), put(1, 4), put(1, 1), put(0, 8), put(0, 8), put(1, 4), str("c");
		msg(8), put(1, 4);					/* Tstatfs */
		fid_op(120, 1);						/* Tclunk */
		seed_end();
		/* directories: create, list, rename, link, delete */
		seed_begin(modes[m]);
		walk(0, 1, 1, (const char *const[]){ "d" });
		walk(0, 2, 1, (const char *const[]){ "d" });
		msg(12), put(2, 4), put(0200000, 4);			/* Tlopen O_DIRECTORY */
		msg(40), put(2, 4), put(0, 8), put(4000, 4);		/* Treaddir */
		msg(40), put(2, 4), put(1, 8), put(30, 4);
		msg(14), put(1, 4), str("new"), put(0102, 4), put(0644, 4), put(0, 4);	/* Tlcreate */
		msg(118), put(1, 4), put(0, 8), put(2, 4), put(0x6968, 2);
		msg(72), put(0, 4), str("m"), put(0755, 4), put(0, 4);	/* Tmkdir */
		msg(16), put(0, 4), str("s"), str("file"), put(0, 4);	/* Tsymlink */
		walk(0, 3, 1, (const char *const[]){ "s" });
		fid_op(22, 3);						/* Treadlink */
		msg(18), put(0, 4), str("n"), put(010644, 4), put(0, 4), put(0, 4), put(0, 4);	/* Tmknod */
		msg(70), put(0, 4), put(3, 4), str("hard");		/* Tlink */
		msg(74), put(0, 4), str("file"), put(0, 4), str("moved");	/* Trenameat */
		walk(0, 4, 1, (const char *const[]){ "moved" });
		msg(20), put(4, 4), put(0, 4), str("again");		/* Trename */
		msg(76), put(0, 4), str("m"), put(0x200, 4);		/* Tunlinkat */
		fid_op(122, 4);						/* Tremove */
		seed_end();
		/* xattrs */
		seed_begin(modes[m]);
		walk(0, 1, 0, NULL);
		msg(32), put(1, 4), str("user.a"), put(3, 8), put(0, 4);	/* Txattrcreate */
		msg(118), put(1, 4), put(0, 8), put(3, 4), put(0x78797a, 3);
		fid_op(120, 1);
		msg(30), put(0, 4), put(2, 4), str("user.a");		/* Txattrwalk */
		msg(116), put(2, 4), put(0, 8), put(10, 4);
		msg(30), put(0, 4), put(3, 4), str("");			/* the list */
		msg(116), put(3, 4), put(0, 8), put(100, 4);
		msg(30), put(0, 4), put(4, 4), str("system.posix_acl_access");
		seed_end();
		/* the ways out: .., symlinks walked, opened, created in */
		seed_begin(modes[m]);
		walk(0, 1, 3, (const char *const[]){ "..", "..", "d" });
		walk(0, 2, 2, (const char *const[]){ "abs", "secret" });
		walk(0, 3, 1, (const char *const[]){ "rel" });
		msg(14), put(3, 4), str("x"), put(0102, 4), put(0644, 4), put(0, 4);
		walk(0, 4, 1, (const char *const[]){ "sec" });
		msg(12), put(4, 4), put(01002, 4);
		msg(26), put(4, 4), put(9, 4), put(0777, 4), put(0, 4), put(0, 4), put(0, 8),
			put(0, 8), put(0, 8), put(0, 8), put(0, 8);
		msg(74), put(0, 4), str("file"), put(3, 4), str("file");
		msg(70), put(3, 4), put(0, 4), str("l");
		msg(108), put(1, 2);					/* Tflush */
		msg(100), put(4096, 4), str("9P2000.L");		/* a new session */
		msg(104), put(0, 4), put(~0u, 4), str(""), str(""), put(0, 4);
		seed_end();
	}
}

/* ---- mutations ---- */

static const uint64_t interesting[] = {
	0, 1, 2, 3, 4, 7, 11, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
	0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, ~0ull,
};

static size_t mutate(uint8_t *buf)
{
	int s = rnd() % nseeds;
	size_t len = seeds[s].len;
	int ops = 1 + rnd() % 4;

	memcpy(buf, seeds[s].data, len);
	for (int i = 0; i < ops && len > 1; i++) {
		size_t at = 1 + rnd() % (len - 1);

		switch (rnd() % 7) {
		case 0:
			buf[at] ^= 1 << (rnd() % 8);
			break;
		case 1:
			buf[at] = (uint8_t)rnd();
			break;
		case 2: {	/* an interesting little-endian number, 1 to 8 bytes */
			uint64_t v = interesting[rnd() % (sizeof(interesting) / sizeof(interesting[0]))];
			int n = 1 << (rnd() % 4);
			for (int k = 0; k < n && at + k < len; k++, v >>= 8)
				buf[at + k] = (uint8_t)v;
			break;
		}
		case 3:		/* truncate */
			len = at;
			break;
		case 4: {	/* a chunk of another seed spliced in */
			int o = rnd() % nseeds;
			size_t from = 1 + rnd() % (seeds[o].len - 1), n = rnd() % 64;
			if (from + n <= seeds[o].len && len + n <= FUZZ_MAX_INPUT) {
				memmove(buf + at + n, buf + at, len - at);
				memcpy(buf + at, seeds[o].data + from, n);
				len += n;
			}
			break;
		}
		case 5: {	/* a chunk copied over another place */
			size_t from = 1 + rnd() % (len - 1), n = rnd() % 32;
			if (from + n <= len && at + n <= len)
				memmove(buf + at, buf + from, n);
			break;
		}
		case 6:		/* grow with random bytes */
			for (int k = 0; k < 16 && len < FUZZ_MAX_INPUT; k++)
				buf[len++] = (uint8_t)rnd();
			break;
		}
	}
	return len;
}

int main(void)
{
	static uint8_t buf[FUZZ_MAX_INPUT];
	const char *e;
	long iters = (e = getenv("KWB_FUZZ_ITERS")) ? atol(e) : 20000, done = 0;
	double limit = (e = getenv("KWB_FUZZ_SECONDS")) ? atof(e) : 3.0, secs = 0;
	struct timespec t0, t1;

	rng = (e = getenv("KWB_FUZZ_SEED")) ? strtoull(e, NULL, 0) | 1 : 1;
	make_seeds();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < nseeds; i++)
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
	for (; done < iters; done++) {
		size_t len = mutate(buf);

		LLVMFuzzerTestOneInput(buf, len);
		if (done % 64 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
			if (secs > limit)
				break;
		}
	}
	nftw(fz_top, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
	printf("PASS: 9p fuzz: %d seeds + %ld mutations (%lu messages), the share never left, in %.1f s\n",
	       nseeds, done, fz_messages, secs);
	return 0;
}
