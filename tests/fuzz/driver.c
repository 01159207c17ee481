/*
 * The libFuzzer-free driver every fuzz target is linked with for make check
 * (build/tests/test_fuzz_NAME): it replays every file of the target's corpus
 * (tests/fuzz/corpus/NAME/: the checked-in seeds and every crash make fuzz
 * found, kept as regression inputs) and the target's own seeds, then runs
 * deterministic random mutations of them within a bound. Environment:
 * KWB_FUZZ_SECONDS (default 2), KWB_FUZZ_ITERS (default 1000000),
 * KWB_FUZZ_SEED (default 1), KWB_TOP (the source tree). Arguments: files
 * to run once each and nothing else (reproducing a crash-* file).
 * An input that crashes is saved as tests/fuzz/corpus/NAME/crash-driver-PID.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef FUZZ_NAME
#error "FUZZ_NAME: the target's name, from its file name"
#endif

#define MAX_SEEDS 512
#define FUZZ_MAX_INPUT (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern void fuzz_seeds(void (*add)(const void *data, size_t len)) __attribute__((weak));
extern unsigned long fuzz_accepted __attribute__((weak));

static struct { uint8_t *data; size_t len; } seeds[MAX_SEEDS];
/* The input being run, saved if it kills the process (as libFuzzer does). */
static const uint8_t *cur_data;
static size_t cur_len;
static char crash_path[1200];
static int nseeds;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void add_seed(const void *data, size_t len)
{
	if (nseeds == MAX_SEEDS || len > FUZZ_MAX_INPUT)
		return;
	seeds[nseeds].data = malloc(len ? len : 1);
	memcpy(seeds[nseeds].data, data, len);
	seeds[nseeds++].len = len;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (!f)
		return NULL;
	buf = malloc(FUZZ_MAX_INPUT);
	*len = fread(buf, 1, FUZZ_MAX_INPUT, f);
	fclose(f);
	return buf;
}

static int corpus_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1400];
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			size_t len;
			uint8_t *buf;

			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if ((buf = read_file(path, &len))) {
				add_seed(buf, len);
				free(buf);
				n++;
			}
		}
	closedir(d);
	return n;
}

static const uint32_t interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 9, 0x10, 0x28, 0x40, 0x7f, 0x80, 0xff, 0x100, 0x1000, 0x7fff, 0xffff,
	0x7fffffff, 0x80000000, 0xfffffffc, 0xfffffffe, 0xffffffff,
};

/* One mutated copy of a seed into buf; returns its length. */
static size_t mutate(uint8_t *buf)
{
	int s = rnd() % nseeds;
	size_t len = seeds[s].len;
	int ops = 1 + rnd() % 4;

	memcpy(buf, seeds[s].data, len);
	for (int i = 0; i < ops; i++) {
		size_t at = len ? rnd() % len : 0;

		switch (rnd() % 8) {
		case 0:		/* flip a bit */
			if (len)
				buf[at] ^= 1 << (rnd() % 8);
			break;
		case 1:		/* a random byte */
			if (len)
				buf[at] = (uint8_t)rnd();
			break;
		case 2:		/* an interesting word, either byte order, often aligned */
		case 3: {
			uint64_t v = interesting[rnd() % (sizeof(interesting) / sizeof(interesting[0]))];
			int n = 1 << (rnd() % 4);

			if (rnd() % 2)
				v += rnd() % 16 - 8;
			if (rnd() % 2)
				at &= ~(size_t)(n - 1);
			if (rnd() % 4 == 0)
				v = (uint64_t)-(int64_t)v;
			for (int k = 0; k < n && at + k < len; k++)
				buf[at + k] = rnd() % 2 ? v >> (8 * k) : v >> (8 * (n - 1 - k));
			break;
		}
		case 4:		/* truncate */
			if (rnd() % 4 == 0)
				len = at;
			break;
		case 5: {	/* copy a chunk over another place */
			size_t from = len ? rnd() % len : 0, n = rnd() % 64;
			if (from + n <= len && at + n <= len)
				memmove(buf + at, buf + from, n);
			break;
		}
		case 6:		/* grow with random bytes */
			if (len + 16 <= FUZZ_MAX_INPUT)
				for (int k = 0; k < 16; k++)
					buf[len++] = (uint8_t)rnd();
			break;
		case 7:		/* splice: the tail of another seed */
			if (nseeds > 1) {
				int o = rnd() % nseeds;
				size_t from = seeds[o].len ? rnd() % seeds[o].len : 0, n = seeds[o].len - from;
				if (at + n <= FUZZ_MAX_INPUT) {
					memcpy(buf + at, seeds[o].data + from, n);
					len = at + n;
				}
			}
			break;
		}
	}
	return len;
}

static void save_crash(void)
{
	int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0 && cur_data) {
		if (write(fd, cur_data, cur_len) == (ssize_t)cur_len) {
			static const char msg[] = "fuzz driver: the input that crashed is saved as ";
			if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, crash_path, strlen(crash_path)) < 0 ||
			    write(2, "\n", 1) < 0)
				_exit(1);
		}
		close(fd);
	}
}

static void on_fatal_signal(int sig)
{
	save_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void run(const uint8_t *data, size_t len)
{
	cur_data = data;
	cur_len = len;
	LLVMFuzzerTestOneInput(data, len);
	cur_data = NULL;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	static uint8_t buf[FUZZ_MAX_INPUT];
	const char *top = getenv("KWB_TOP"), *e;
	long iters = (e = getenv("KWB_FUZZ_ITERS")) ? atol(e) : 1000000;
	double limit = (e = getenv("KWB_FUZZ_SECONDS")) ? atof(e) : 2.0;
	char dir[1024];
	struct timespec t0;
	unsigned long seeds_accepted;
	long done = 0;
	int files;

	if (argc > 1) {		/* reproduce: each file once */
		for (int i = 1; i < argc; i++) {
			size_t len;
			uint8_t *b = read_file(argv[i], &len);

			if (!b) {
				printf("FAIL: fuzz %s: cannot read %s\n", FUZZ_NAME, argv[i]);
				return 1;
			}
			printf("fuzz %s: running %s (%zu bytes)\n", FUZZ_NAME, argv[i], len);
			fflush(stdout);
			LLVMFuzzerTestOneInput(b, len);
			free(b);
		}
		printf("PASS: fuzz %s: %d inputs\n", FUZZ_NAME, argc - 1);
		return 0;
	}
	snprintf(crash_path, sizeof(crash_path), "%s/tests/fuzz/corpus/%s/crash-driver-%d", top ? top : ".",
		 FUZZ_NAME, (int)getpid());
	signal(SIGSEGV, on_fatal_signal);
	signal(SIGBUS, on_fatal_signal);
	signal(SIGABRT, on_fatal_signal);
	signal(SIGFPE, on_fatal_signal);
	signal(SIGILL, on_fatal_signal);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(save_crash);
	rng_state = (e = getenv("KWB_FUZZ_SEED")) ? strtoull(e, NULL, 0) | 1 : 1;
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", FUZZ_NAME);
	files = corpus_dir(dir);
	if (fuzz_seeds)
		fuzz_seeds(add_seed);
	if (!nseeds)
		add_seed("", 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < nseeds; i++)
		run(seeds[i].data, seeds[i].len);
	seeds_accepted = &fuzz_accepted ? fuzz_accepted : 0;
	printf("PASS: fuzz %s: replayed %d corpus files and %d made seeds\n", FUZZ_NAME, files,
	       nseeds - files);
	if (&fuzz_accepted && !seeds_accepted) {
		printf("FAIL: fuzz %s: no seed gets past the first checks (the corpus no longer reaches the code)\n",
		       FUZZ_NAME);
		return 1;
	}
	for (; done < iters; done++) {
		size_t len = mutate(buf);

		run(buf, len);
		if (done % 64 == 0 && since(&t0) > limit)
			break;
	}
	printf("PASS: fuzz %s: %ld mutations in %.1f s", FUZZ_NAME, done, since(&t0));
	if (&fuzz_accepted)
		printf(" (%lu seeds and %lu mutations accepted)", seeds_accepted,
		       fuzz_accepted - seeds_accepted);
	printf("\n");
	for (int i = 0; i < nseeds; i++)
		free(seeds[i].data);
	return 0;
}
