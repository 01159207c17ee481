/*
 * Snapshot files (core/snapshot.c: monitor loadvm, snapshot diff,
 * -loadvm): a damaged, truncated or hand-made NAME.kwbsnap must be refused
 * with one line before anything changes, or load into a consistent machine.
 * The input is the file; byte 0 of a copy picks the board (the file is
 * checked against the board it is loaded on). Seeds: snapshots of both
 * boards, saved here after a reset.
 * fuzz-options: -max_len=262144
 */
#include <sys/stat.h>

#include "core/machine.h"
#include "core/monitor.h"
#include "core/options.h"
#include "core/snapshot.h"
#include "tests/fuzz/fuzz.h"

static machine *boards[2];
static char dir[64];

static void remove_dir(void)
{
	char path[160];

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.kwbsnap", dir, i ? "seed" : "fuzz");
		unlink(path);
	}
	rmdir(dir);
}

static machine *board(int which)
{
	static kwb_options opt[2];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/kwb-fuzz-snapshot-%d", (int)getpid());
		mkdir(dir, 0700);
		atexit(remove_dir);
	}
	if (!boards[which]) {
		char *argv[] = { "kwb", "-arch", which ? "riscv64" : "aarch64", "-m", "16M", "-serial", "none",
				 "-nic", "none", "-snapshot-dir", dir, which ? "-bios" : NULL, "none", NULL };

		options_parse(&opt[which], which ? 13 : 11, argv);
		boards[which] = machine_create(&opt[which]);
	}
	return boards[which];
}

static void write_snapshot(const char *name, const uint8_t *data, size_t size)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.kwbsnap", dir, name);
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size))
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	machine *m;
	char err[512];
	mon_out o = { 0 };

	if (size < 1)
		return 0;
	m = board(data[0] & 1);
	write_snapshot("fuzz", data + 1, size - 1);
	if (snapshot_load(m, "fuzz", err, sizeof(err)) == 0) {
		fuzz_accepted++;
		snapshot_digest(m);
	}
	snapshot_diff(m, "fuzz", "now", &o, err, sizeof(err));
	free(o.buf);
	return 0;
}

void fuzz_seeds(void (*add)(const void *data, size_t len))
{
	for (int b = 0; b < 2; b++) {
		machine *m = board(b);
		char err[512], path[160];
		size_t n;
		const char *why;
		uint8_t *file, *in;

		machine_reset(m);
		if (snapshot_save(m, "seed", err, sizeof(err)))
			continue;
		snprintf(path, sizeof(path), "%s/seed.kwbsnap", dir);
		if (!(file = kwb_read_file(path, &n, &why)))
			continue;
		in = malloc(n + 1);
		in[0] = (uint8_t)b;
		memcpy(in + 1, file, n);
		add(in, n + 1);
		free(in);
		free(file);
	}
}
