/*
 * A libFuzzer-free driver for LLVMFuzzerTestOneInput: seed blobs (made here
 * with libfdt, plus every file in tests/fuzz/corpus/) and N deterministic
 * random mutations of them, within a wall-clock bound. Environment:
 * KWB_FUZZ_ITERS (default 20000), KWB_FUZZ_SECONDS (default 3),
 * KWB_FUZZ_SEED (default 1). Arguments: more seed files.
 */
#include <dirent.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SEEDS 64
#define FUZZ_MAX_INPUT 65536

static struct { uint8_t *data; size_t len; } seeds[MAX_SEEDS];
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
	if (nseeds == MAX_SEEDS || len > FUZZ_MAX_INPUT || !len)
		return;
	seeds[nseeds].data = malloc(len);
	memcpy(seeds[nseeds].data, data, len);
	seeds[nseeds++].len = len;
}

static void add_file(const char *path)
{
	static uint8_t buf[FUZZ_MAX_INPUT];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	add_seed(buf, n);
}

static void made_seeds(void)
{
	static uint8_t b[4096];
	fdt32_t cells[6];

	for (int variant = 0; variant < 3; variant++) {
		fdt_create(b, sizeof(b));
		if (variant)
			fdt_add_reservemap_entry(b, 0x80000000, 0x200000);
		fdt_finish_reservemap(b);
		fdt_begin_node(b, "");
		fdt_property_u32(b, "interrupt-parent", 1);
		fdt_begin_node(b, "intc@8000000");
		fdt_property_u32(b, "#interrupt-cells", 3);
		fdt_property_u32(b, "#msi-cells", 1);
		fdt_property_u32(b, "#iommu-cells", 1);
		fdt_property_u32(b, "#clock-cells", variant);
		fdt_property_u32(b, "phandle", 1);
		fdt_end_node(b);
		fdt_begin_node(b, "soc");
		for (int i = 0; i < 2 + variant; i++) {
			char name[32];
			snprintf(name, sizeof(name), "dev@%x", 0x1000 * i);
			fdt_begin_node(b, name);
			fdt_property(b, "compatible", "a,b\0c", 6);
			for (int k = 0; k < 6; k++)
				cells[k] = cpu_to_fdt32(k == 1 || k == 4 ? 1 : k);
			fdt_property(b, "interrupts-extended", cells, 16);
			fdt_property(b, "iommu-map", cells, 16);
			fdt_property(b, "msi-map", cells, 16);
			fdt_property(b, "clocks", cells + 1, 4 + 4 * variant);
			fdt_property(b, "bytes", "\x01\x02\x03", 3);
			fdt_property(b, "empty", NULL, 0);
			fdt_end_node(b);
		}
		fdt_end_node(b);
		fdt_begin_node(b, "chosen");
		fdt_property_string(b, "bootargs", "console=ttyS0 \"quoted\"");
		fdt_end_node(b);
		fdt_end_node(b);
		fdt_finish(b);
		add_seed(b, fdt_totalsize(b));
	}
}

static void corpus_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1400];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			add_file(path);
		}
	closedir(d);
}

static const uint32_t interesting[] = {
	0, 1, 2, 3, 4, 9, 0x28, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff, 0xd00dfeed,
};

/* One mutated copy of a seed into buf; returns its length. */
static size_t mutate(uint8_t *buf)
{
	int s = rnd() % nseeds;
	size_t len = seeds[s].len;
	int ops = 1 + rnd() % 4;

	memcpy(buf, seeds[s].data, len);
	for (int i = 0; i < ops; i++) {
		size_t at = rnd() % len;
		switch (rnd() % 7) {
		case 0:		/* flip a bit */
			buf[at] ^= 1 << (rnd() % 8);
			break;
		case 1:		/* a random byte */
			buf[at] = (uint8_t)rnd();
			break;
		case 2:		/* an interesting big-endian word, aligned (often a header field) */
		case 3: {
			uint32_t v = interesting[rnd() % (sizeof(interesting) / sizeof(interesting[0]))];
			if (rnd() % 2)
				v += (uint32_t)(rnd() % 16) - 8;
			at = rnd() % 3 == 0 ? (rnd() % 10) * 4 : at & ~(size_t)3;
			if (at + 4 <= len) {
				buf[at] = v >> 24; buf[at + 1] = v >> 16; buf[at + 2] = v >> 8; buf[at + 3] = v;
			}
			break;
		}
		case 4:		/* truncate */
			len = at;
			break;
		case 5: {	/* copy a chunk over another place */
			size_t from = rnd() % len, n = rnd() % 64;
			if (from + n <= len && at + n <= len)
				memmove(buf + at, buf + from, n);
			break;
		}
		case 6:		/* grow with random bytes */
			if (len + 16 <= FUZZ_MAX_INPUT)
				for (int k = 0; k < 16; k++)
					buf[len++] = (uint8_t)rnd();
			break;
		}
		if (!len)
			break;
	}
	return len;
}

int main(int argc, char **argv)
{
	static uint8_t buf[FUZZ_MAX_INPUT];
	const char *top = getenv("KWB_TOP"), *e;
	long iters = (e = getenv("KWB_FUZZ_ITERS")) ? atol(e) : 20000;
	double limit = (e = getenv("KWB_FUZZ_SECONDS")) ? atof(e) : 3.0;
	char dir[1024];
	struct timespec t0, t1;
	long done = 0;
	double secs = 0;

	rng_state = (e = getenv("KWB_FUZZ_SEED")) ? strtoull(e, NULL, 0) | 1 : 1;
	made_seeds();
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus", top ? top : ".");
	corpus_dir(dir);
	for (int i = 1; i < argc; i++)
		add_file(argv[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < nseeds; i++)
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
	if (fuzz_parsed != (unsigned long)nseeds) {
		printf("FAIL: fdt fuzz: only %lu of %d seeds parse\n", fuzz_parsed, nseeds);
		return 1;
	}
	for (; done < iters; done++) {
		size_t len = mutate(buf);
		LLVMFuzzerTestOneInput(buf, len);
		if (done % 256 == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
			if (secs > limit)
				break;
		}
	}
	printf("PASS: fdt fuzz: %d seeds + %ld mutations (%lu parsed as trees) in %.1f s\n", nseeds,
	       done, fuzz_parsed - nseeds, secs);
	for (int i = 0; i < nseeds; i++)
		free(seeds[i].data);
	return 0;
}
