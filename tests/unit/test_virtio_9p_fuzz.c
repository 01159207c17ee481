/* The 9p server's fuzz target (tests/fuzz/virtio_9p_fuzz.c) under a small
 * driver: the target's seed runs (fuzz_seeds), then deterministic random
 * mutations of them, within a wall-clock bound. Environment: KWB_FUZZ_ITERS (default
 * 20000), KWB_FUZZ_SECONDS (default 3), KWB_FUZZ_SEED (default 1),
 * KWB_FUZZ_SEEDS_OUT=DIR (write the seeds there as files: a corpus for the
 * libFuzzer build). Part of make check and make asan. */
#include "tests/fuzz/virtio_9p_fuzz.c"

#include <time.h>

#define MAX_SEEDS 64
#define FUZZ_MAX_INPUT 8192

static struct { uint8_t data[FUZZ_MAX_INPUT]; size_t len; } seeds[MAX_SEEDS];
static int nseeds;

static void add_seed(const void *data, size_t len)
{
	if (nseeds < MAX_SEEDS && len && len <= FUZZ_MAX_INPUT) {
		memcpy(seeds[nseeds].data, data, len);
		seeds[nseeds++].len = len;
	}
}
static uint64_t rng = 1;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
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
	int ncorpus = 0;
	double limit = (e = getenv("KWB_FUZZ_SECONDS")) ? atof(e) : 3.0, secs = 0;
	struct timespec t0, t1;

	rng = (e = getenv("KWB_FUZZ_SEED")) ? strtoull(e, NULL, 0) | 1 : 1;
	fuzz_seeds(add_seed);
	{	/* inputs that once crashed it: tests/fuzz/corpus/virtio_9p/ */
		const char *top = getenv("KWB_TOP");
		char dir[1024];
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/virtio_9p", top ? top : ".");
		d = opendir(dir);
		while (d && (de = readdir(d))) {
			char path[1400];
			static uint8_t b[FUZZ_MAX_INPUT];
			FILE *f;
			size_t n;

			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (de->d_name[0] == '.' || !(f = fopen(path, "rb")))
				continue;
			n = fread(b, 1, sizeof(b), f);
			fclose(f);
			LLVMFuzzerTestOneInput(b, n);
			ncorpus++;
		}
		if (d)
			closedir(d);
	}
	if ((e = getenv("KWB_FUZZ_SEEDS_OUT")))
		for (int i = 0; i < nseeds; i++) {
			char path[1200];
			FILE *f;

			snprintf(path, sizeof(path), "%s/seed-%02d", e, i);
			f = fopen(path, "wb");
			if (f) {
				fwrite(seeds[i].data, 1, seeds[i].len, f);
				fclose(f);
			}
		}
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
	if (fuzz_accepted < (unsigned long)nseeds) {
		printf("FAIL: 9p fuzz: only %lu of %d seed runs got past the first message\n", fuzz_accepted, nseeds);
		return 1;
	}
	printf("PASS: 9p fuzz: %d corpus files, %d seeds + %ld mutations (%lu messages), the share never left, "
	       "in %.1f s\n", ncorpus, nseeds, done, fz_messages, secs);
	return 0;
}
