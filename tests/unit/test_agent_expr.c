/* gdb's agent expressions (gdbserver/agent_expr.c): every opcode class
 * against hand-assembled bytecode, the bounds (stack, steps, jumps,
 * truncated operands, division by zero), printf, the X parser, and a
 * bounded fuzz pass over random and mutated expressions. */
#include <string.h>

#include "tests/fuzz/agent_expr_fuzz.c"
#include "tests/unit/check.h"

static char printed[2048];

static void capture(void *opaque, const char *text, size_t len)
{
	(void)opaque;
	snprintf(printed, sizeof(printed), "%.*s", (int)len, text);
}

static int run(const uint8_t *code, size_t len, uint64_t *v, char *err)
{
	ax_env env = { .reg = fuzz_reg, .mem = fuzz_read, .out = capture };

	for (size_t i = 0; i < sizeof(fuzz_mem); i++)
		fuzz_mem[i] = (uint8_t)i;
	memcpy(fuzz_mem + 0x40, "hello", 6);
	return ax_eval(code, len, &env, v, err, 200);
}

#define RUN_OK(expect, ...) do { const uint8_t c_[] = { __VA_ARGS__ }; uint64_t v_ = ~0ull; char e_[200]; \
	int r_ = run(c_, sizeof(c_), &v_, e_); CHECK(r_ == 0); if (r_) printf("  %s\n", e_); \
	CHECK_EQ(v_, expect); } while (0)
#define RUN_ERR(text, ...) do { const uint8_t c_[] = { __VA_ARGS__ }; uint64_t v_; char e_[200]; \
	CHECK(run(c_, sizeof(c_), &v_, e_) == -1); CHECK(strstr(e_, text) != NULL); \
	if (!strstr(e_, text)) printf("  got: %s\n", e_); } while (0)

static void arithmetic(void)
{
	RUN_OK(7, 0x22, 3, 0x22, 4, 0x02, 0x27);			/* 3 + 4 */
	RUN_OK((uint64_t)-1, 0x22, 3, 0x22, 4, 0x03, 0x27);		/* 3 - 4 */
	RUN_OK(12, 0x22, 3, 0x22, 4, 0x04, 0x27);
	RUN_OK((uint64_t)-3, 0x22, 0xf9, 0x16, 8, 0x22, 2, 0x05, 0x27);	/* ext(-7, 8) / 2 */
	RUN_OK(1, 0x22, 7, 0x22, 3, 0x08, 0x27);			/* 7 % 3 unsigned */
	RUN_OK(0x80, 0x22, 1, 0x22, 7, 0x09, 0x27);			/* 1 << 7 */
	RUN_OK((uint64_t)-1, 0x22, 0x80, 0x16, 8, 0x22, 7, 0x0a, 0x27);	/* -128 >> 7 signed */
	RUN_OK(0xff, 0x24, 0, 0, 0, 0xff, 0x27);			/* const32 then end */
	RUN_OK(1, 0x22, 5, 0x22, 5, 0x13, 0x27);			/* == */
	RUN_OK(1, 0x22, 0xff, 0x16, 8, 0x22, 1, 0x14, 0x27);		/* -1 < 1 signed */
	RUN_OK(0, 0x22, 0xff, 0x16, 8, 0x22, 1, 0x15, 0x27);		/* unsigned */
	RUN_OK(0x0f, 0x22, 0xff, 0x2a, 4, 0x27);			/* zero_ext 4 */
	RUN_OK(0x123456789abcdef0ull, 0x25, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x27);
	RUN_OK(0, 0x22, 9, 0x0e, 0x27);					/* log_not */
	RUN_OK(~0ull, 0x22, 0, 0x12, 0x27);				/* bit_not */
}

static void stack_and_jumps(void)
{
	RUN_OK(2, 0x22, 3, 0x28, 0x02, 0x22, 3, 0x06, 0x27);		/* dup add div: (3+3)/3 */
	RUN_OK(2, 0x22, 1, 0x22, 2, 0x2b, 0x29, 0x27);			/* swap pop: 2 */
	RUN_OK(1, 0x22, 1, 0x22, 2, 0x32, 1, 0x27);			/* pick 1 */
	RUN_OK(3, 0x22, 1, 0x22, 2, 0x22, 3, 0x33, 0x29, 0x29, 0x27);	/* rot: c a b, bottom c */
	RUN_OK(9, 0x22, 1, 0x20, 0, 8, 0x22, 5, 0x27, 0x22, 9, 0x27);	/* if_goto taken */
	RUN_OK(5, 0x22, 0, 0x20, 0, 8, 0x22, 5, 0x27, 0x22, 9, 0x27);	/* not taken */
	RUN_OK(0x3010, 0x26, 0, 3, 0x27);				/* reg 3 */
	RUN_OK(0x13121110, 0x22, 0x10, 0x19, 0x27);			/* ref32 at 0x10 */
	RUN_OK(0x10, 0x22, 0x10, 0x17, 0x27);
	RUN_OK(0, 0x27);						/* empty stack */
}

static void bounds(void)
{
	uint8_t big[AX_STACK + 2];

	RUN_ERR("underflow", 0x02, 0x27);
	RUN_ERR("division by zero", 0x22, 1, 0x22, 0, 0x05);
	RUN_ERR("jump to", 0x21, 0x10, 0x00);
	RUN_ERR("truncated", 0x25, 1, 2);
	RUN_ERR("steps", 0x21, 0, 0);					/* goto 0 forever */
	RUN_ERR("cannot read", 0x24, 0, 0, 0x10, 0, 0x1a);		/* ref64 at 0x1000 */
	RUN_ERR("no register", 0x26, 0x10, 0);
	RUN_ERR("not supported", 0x01);					/* float */
	RUN_ERR("bad extension", 0x22, 1, 0x16, 0);
	for (size_t i = 0; i + 1 < sizeof(big); i += 2)
		big[i] = 0x22, big[i + 1] = 1;
	{
		uint64_t v;
		char e[200];
		CHECK(run(big, sizeof(big), &v, e) == 0);	/* 129 pushes fit */
		uint8_t deep[2 * (AX_STACK + 1)];
		for (size_t i = 0; i < sizeof(deep); i += 2)
			deep[i] = 0x22, deep[i + 1] = 1;
		CHECK(run(deep, sizeof(deep), &v, e) == -1 && strstr(e, "overflow"));
	}
}

static void printf_op(void)
{
	/* the arguments pushed last first (so args[0] is popped first), then
	 * the channel and the function */
	static const char f[] = "%s=%d %x\\t%c|%5u%%\\n";
	uint8_t c[80] = { 0x22, 90, 0x22, '*', 0x22, 0xfe, 0x16, 8, 0x22, 123, 0x22, 0x40, 0x22, 0, 0x22, 0,
			  0x34, 5, 0, (uint8_t)sizeof(f) };
	size_t n = 20;
	uint64_t v;
	char e[200];

	memcpy(c + n, f, sizeof(f));
	n += sizeof(f);
	c[n++] = 0x27;
	CHECK(run(c, n, &v, e) == 0);
	CHECK(strcmp(printed, "hello=123 fffffffe\t*|   90%\n") == 0 ||
	      printf("  printed '%s' %s\n", printed, e) < 0);
	RUN_ERR("unterminated", 0x22, 0, 0x22, 0, 0x34, 0, 0, 2, '%', 'd');
	RUN_ERR("more conversions", 0x22, 0, 0x22, 0, 0x34, 0, 0, 3, '%', 'd', 0);
	RUN_ERR("not supported", 0x22, 0, 0x22, 0, 0x22, 0, 0x34, 1, 0, 3, '%', 'f', 0);
}

static void parser(void)
{
	const char *ok = "X3,220127;X1,27", *p = ok;
	uint8_t *code;
	size_t len;

	CHECK(ax_parse(&p, ok + strlen(ok), &code, &len) && len == 3 && code[0] == 0x22 && *p == ';');
	free(code);
	p = "X3,2201";
	CHECK(!ax_parse(&p, p + 7, &code, &len) && !code);
	p = "X0,";
	CHECK(!ax_parse(&p, p + 3, &code, &len));
	p = "X2,zz00";
	CHECK(!ax_parse(&p, p + 7, &code, &len) && !code);
	p = "Xffffffffffff,00";
	CHECK(!ax_parse(&p, p + 16, &code, &len));
}

static void fuzz(void)
{
	uint64_t x = 12345;
	uint8_t buf[96];

	for (int it = 0; it < 200000; it++) {
		size_t n = 1 + (size_t)(x % sizeof(buf));
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly valid opcodes, some operands */
			buf[i] = (uint8_t)((x & 3) ? (x >> 8) % 0x36 : x >> 16);
		}
		LLVMFuzzerTestOneInput(buf, n);
	}
	CHECK(fuzz_ok > 1000 && fuzz_err > 1000);
	printf("  fuzz: %lu evaluated, %lu refused, %lu printed\n", fuzz_ok, fuzz_err, fuzz_out);
}

int main(void)
{
	RUN(arithmetic);
	RUN(stack_and_jumps);
	RUN(bounds);
	RUN(printf_op);
	RUN(parser);
	RUN(fuzz);
	return CHECK_DONE();
}
