/*
 * Fuzz target for gdb's agent expressions (gdbserver/agent_expr.c): the
 * bytecode of breakpoint conditions and dprintf commands comes from the
 * debugger. The input is one expression; registers and memory come from a
 * small fake environment (reads past it fail, as unmapped memory does).
 * With libFuzzer (clang):
 *     clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -D_GNU_SOURCE \
 *         tests/fuzz/agent_expr_fuzz.c gdbserver/agent_expr.c gdbserver/rsp.c \
 *         core/util.c -o agent-expr-fuzz
 * tests/unit/test_agent_expr.c runs it over random and mutated inputs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdbserver/agent_expr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t fuzz_mem[256];
static unsigned long fuzz_ok, fuzz_err, fuzz_out;

static bool fuzz_reg(void *opaque, int regnum, uint64_t *v)
{
	(void)opaque;
	if (regnum < 0 || regnum > 64)
		return false;
	*v = 0x1000ull * (uint64_t)regnum + 0x10;
	return true;
}

static size_t fuzz_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	(void)opaque;
	if (addr >= sizeof(fuzz_mem))
		return 0;
	if (len > sizeof(fuzz_mem) - addr)
		len = sizeof(fuzz_mem) - addr;
	memcpy(buf, fuzz_mem + addr, len);
	return len;
}

static void fuzz_print(void *opaque, const char *text, size_t len)
{
	(void)opaque;
	if (len > AX_PRINTF_MAX || strlen(text) != len)
		abort();	/* the interpreter promised a bounded C string */
	fuzz_out++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so a sanitizer sees any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);
	ax_env env = { .reg = fuzz_reg, .mem = fuzz_read, .out = fuzz_print };
	char err[200];
	uint64_t v;

	for (size_t i = 0; i < sizeof(fuzz_mem); i++)
		fuzz_mem[i] = (uint8_t)(i * 7 + 1);
	fuzz_mem[sizeof(fuzz_mem) - 1] = 0;
	memcpy(copy, data, size);
	if (ax_eval(copy, size, &env, &v, err, sizeof(err)) == 0)
		fuzz_ok++;
	else if (!err[0])
		abort();	/* every failure has a reason */
	else
		fuzz_err++;
	free(copy);
	return 0;
}
