/* Snapshot files are input (-loadvm, loadvm, snapshot diff): a real
 * snapshot of each board, then deterministic random mutations of it -
 * bytes flipped, fields overwritten with extreme values, the file cut -
 * with the checksum made right again so the parser proper sees them.
 * Loading, diffing and listing must refuse with one line or load, never
 * crash, hang or read past the file (make asan runs it under ASan/UBSan).
 * Each loaded machine's digest is computed (every memory read in full).
 * Environment: KWB_FUZZ_ITERS (default 3000), KWB_FUZZ_SECONDS (default 3),
 * KWB_FUZZ_SEED (default 1). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/machine.h"
#include "core/monitor.h"
#include "core/options.h"
#include "core/snapshot.h"

static uint64_t rng = 1;
static char dir[64];

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t env(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : def;
}

static machine *board(const char *arch)
{
	char *argv[] = { "kwb", "-arch", (char *)arch, "-M", "virt", "-m", "32M", "-smp", "2",
			 "-serial", "none", "-bios", "none", "-nic", "none", "-snapshot-dir", dir, NULL };
	kwb_options *opt = kwb_zalloc(sizeof(*opt));

	options_parse(opt, 17, argv);
	return machine_create(opt);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = kwb_zalloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* The file's checksum: FNV-1a of everything before its last 8 bytes. */
static void fix_sum(uint8_t *b, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	if (n < 16)
		return;
	for (size_t i = 0; i < n - 8; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	memcpy(b + n - 8, &h, 8);
}

static void mutate(uint8_t *b, size_t *n, size_t cap)
{
	static const uint64_t extreme[] = { 0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff,
					    0x100000000ull, 0x7fffffffffffffffull, ~0ull, 4096, 4097 };
	int edits = 1 + (int)(rnd() % 4);

	for (int e = 0; e < edits && *n > 16; e++) {
		/* the header and the state section are small: aim there often */
		size_t at = rnd() % 2 ? rnd() % (*n < 512 ? *n : 512) : rnd() % *n;
		switch (rnd() % 5) {
		case 0:
			b[at] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1:
			b[at] = (uint8_t)rnd();
			break;
		case 2: {
			uint64_t v = extreme[rnd() % (sizeof(extreme) / sizeof(extreme[0]))];
			size_t w = rnd() % 2 ? 4 : 8;
			if (at + w <= *n)
				memcpy(b + at, &v, w);
			break;
		}
		case 3:
			*n = 16 + rnd() % (*n - 16);	/* cut */
			break;
		default:
			if (*n + 8 <= cap) {	/* grow with garbage */
				for (int i = 0; i < 8; i++)
					b[(*n)++] = (uint8_t)rnd();
			}
		}
	}
	fix_sum(b, *n);
}

static void write_file(const char *name, const uint8_t *b, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.kwbsnap", dir, name);
	f = fopen(path, "wb");
	if (f) {
		fwrite(b, 1, n, f);
		fclose(f);
	}
}

static void fuzz_board(const char *arch)
{
	char err[512], path[256];
	machine *m = board(arch);
	uint8_t *seed, *buf;
	size_t n, len, cap;
	uint64_t iters = env("KWB_FUZZ_ITERS", 3000), loaded = 0, tried = 0;
	time_t end = time(NULL) + (time_t)env("KWB_FUZZ_SECONDS", 3);

	CHECK(snapshot_save(m, "seed", err, sizeof(err)) == 0);
	snprintf(path, sizeof(path), "%s/seed.kwbsnap", dir);
	seed = slurp(path, &n);
	CHECK(seed && n > 64);
	if (!seed || n <= 64)
		goto out;
	cap = n + 64;
	buf = kwb_zalloc(cap);
	for (uint64_t i = 0; i < iters && time(NULL) <= end; i++) {
		mon_out o = { 0 };

		tried++;
		memcpy(buf, seed, n);
		len = n;
		mutate(buf, &len, cap);
		write_file("fz", buf, len);
		err[0] = 0;
		if (snapshot_load(m, "fz", err, sizeof(err)) == 0) {
			loaded++;
			(void)snapshot_digest(m);
		} else {
			/* refused: one line that says why */
			CHECK(err[0] && !strchr(err, '\n'));
			if (!err[0] || strchr(err, '\n'))
				printf("%s: iteration %llu: load refused with \"%s\"\n", arch,
				       (unsigned long long)tried, err);
		}
		if (snapshot_diff(m, "fz", "seed", &o, err, sizeof(err)) < 0)
			CHECK(err[0] && !strchr(err, '\n'));
		free(o.buf);
		if (check_case_failed)
			break;
	}
	/* the seed still loads after all that */
	CHECK(snapshot_load(m, "seed", err, sizeof(err)) == 0);
	printf("%s: %llu mutated snapshots loaded of %llu\n", arch, (unsigned long long)loaded,
	       (unsigned long long)tried);
	free(buf);
	free(seed);
out:
	{
		const kwb_options *opt = m->opt;
		machine_free(m);
		free((void *)opt);
	}
}

static void test_snapshot_fuzz_riscv64(void) { fuzz_board("riscv64"); }
static void test_snapshot_fuzz_aarch64(void) { fuzz_board("aarch64"); }

int main(void)
{
	char cmd[128];
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/kwb-snapfuzz-XXXXXX");
	if (!mkdtemp(dir)) {
		printf("SKIP: test_snapshot_fuzz: no temporary directory\n");
		return 0;
	}
	rng = env("KWB_FUZZ_SEED", 1) | 1;
	RUN(test_snapshot_fuzz_riscv64);
	RUN(test_snapshot_fuzz_aarch64);
	rc = CHECK_DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		rc = 1;
	return rc;
}
