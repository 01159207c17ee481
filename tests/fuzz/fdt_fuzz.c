/*
 * Fuzz target for the device-tree decoder (core/fdt_inspect.c), which reads
 * guest-controlled memory. With libFuzzer (clang):
 *     clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE \
 *         tests/fuzz/fdt_fuzz.c tests/fuzz/libfuzzer_stubs.c core/fdt_inspect.c \
 *         core/monitor.c core/util.c -o fdt-fuzz
 *     ./fdt-fuzz -max_total_time=60 CORPUS_COPY tests/fuzz/corpus
 * Without libFuzzer, tests/fuzz/driver.c runs it over seed blobs and random
 * mutations (tests/unit/test_fdt_fuzz.c, part of make check / make asan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fdt_inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How many inputs parsed as trees (the driver reports it). */
static unsigned long fuzz_parsed;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so a sanitizer sees any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);
	char err[256];
	fdt_tree t, t2;

	memcpy(copy, data, size);
	fdti_check_header(copy, size, "fuzz", err, sizeof(err));
	if (fdti_parse(&t, copy, size, "fuzz", err, sizeof(err)) == 0) {
		mon_out o = { 0 };
		char path[512];
		fuzz_parsed++;
		fdti_print_dts(&t, &o);
		fdti_print_paths(&t, &o);
		for (int i = 0; i < t.nnodes && i < 64; i++) {
			fdti_path(&t, i, path, sizeof(path));
			fdti_find(&t, path);
		}
		if (t.nprops)
			fdti_print_prop(&t, t.nprops - 1, &o);
		if (t.nnodes)
			fdti_print_node(&t, t.nnodes - 1, &o);
		if (fdti_parse(&t2, copy, size, "fuzz", err, sizeof(err)) == 0) {
			fdti_diff(&t, &t2, "a", "b", &o);
			fdti_free(&t2);
		}
		free(o.buf);
		fdti_free(&t);
	}
	free(copy);
	return 0;
}
