/*
 * What every fuzz target includes. A target is one file, tests/fuzz/NAME_fuzz.c,
 * defining LLVMFuzzerTestOneInput (and, if it likes, fuzz_seeds); its
 * corpus is tests/fuzz/corpus/NAME/. The Makefile finds it by name:
 *   make check   links it with tests/fuzz/driver.c (no clang needed) as
 *                build/tests/test_fuzz_NAME: every corpus file, the seeds,
 *                then random mutations for KWB_FUZZ_SECONDS
 *   make fuzz    links it with libFuzzer (clang, ASan+UBSan) as
 *                build-fuzz/fuzz/NAME and runs it for FUZZ_SECONDS
 * Options for libFuzzer go on a line of the target: "fuzz-options: -max_len=N".
 */
#ifndef KWB_FUZZ_H
#define KWB_FUZZ_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/kwb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional: inputs the target makes itself (valid ones, for the mutations
 * to start from); the driver adds them, make fuzz writes them as seeds. */
void fuzz_seeds(void (*add)(const void *data, size_t len)) __attribute__((weak));

/* Inputs that got past the first checks into the deep end (the driver
 * fails when no seed does: the corpus no longer reaches the code). */
unsigned long fuzz_accepted __attribute__((weak));

/* kwb_fatal/kwb_usage_error are how kwb refuses bad input (one line, exit
 * 1 or 2): inside FUZZ_TRY they jump back instead, as an expected result.
 *   if (FUZZ_TRY()) { code that may refuse } FUZZ_END();
 * Whatever the refused code allocated must be freed before its exit (the
 * loaders do), or LeakSanitizer reports it under make fuzz. */
static jmp_buf fuzz_exit_env;
static int fuzz_exit_status;

static inline void fuzz_exit_jump(int status)
{
	fuzz_exit_status = status;
	longjmp(fuzz_exit_env, 1);
}
#define FUZZ_TRY() (kwb_exit_hook = fuzz_exit_jump, fuzz_exit_status = 0, !setjmp(fuzz_exit_env))
#define FUZZ_END() (kwb_exit_hook = NULL)

/* An exact-size copy, so a sanitizer sees any read past the end. */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	return p;
}

/* Bytes as a file, for code that reads paths (loaders, -readconfig,
 * vmlinux): memfd number slot (0-3), rewritten each time; returns its path. */
static inline const char *fuzz_file_n(int slot, const uint8_t *data, size_t size)
{
	static int fd[4] = { -1, -1, -1, -1 };
	static char path[4][64];

	if (fd[slot] < 0) {
		fd[slot] = memfd_create("kwb-fuzz", 0);
		if (fd[slot] < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path[slot], sizeof(path[slot]), "/proc/self/fd/%d", fd[slot]);
	}
	if (ftruncate(fd[slot], 0) || (size && pwrite(fd[slot], data, size, 0) != (ssize_t)size))
		abort();
	return path[slot];
}
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	return fuzz_file_n(0, data, size);
}

static inline void fuzz_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}
static inline void fuzz_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}
static inline uint64_t fuzz_get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#ifdef KWB_LIBFUZZER
/* make fuzz: the target's own seeds into the corpus libFuzzer is about
 * to read (KWB_FUZZ_SEED_DIR), before it reads it. */
static void fuzz_write_seed(const void *data, size_t len)
{
	static int n;
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%03d", getenv("KWB_FUZZ_SEED_DIR"), n++);
	if ((f = fopen(path, "wb"))) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (getenv("KWB_FUZZ_SEED_DIR") && fuzz_seeds)
		fuzz_seeds(fuzz_write_seed);
	return 0;
}
#endif

#endif
