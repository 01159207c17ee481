/*
 * The agent expression interpreter (agent_expr.h). Opcodes and their
 * stack effects as the GDB manual's "Bytecode Descriptions" define them;
 * multi-byte operands are big-endian.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_expr.h"
#include "rsp.h"

enum {
	AX_FLOAT = 0x01, AX_ADD, AX_SUB, AX_MUL, AX_DIV_SIGNED, AX_DIV_UNSIGNED, AX_REM_SIGNED,
	AX_REM_UNSIGNED, AX_LSH, AX_RSH_SIGNED, AX_RSH_UNSIGNED, AX_TRACE, AX_TRACE_QUICK,
	AX_LOG_NOT, AX_BIT_AND, AX_BIT_OR, AX_BIT_XOR, AX_BIT_NOT, AX_EQUAL, AX_LESS_SIGNED,
	AX_LESS_UNSIGNED, AX_EXT, AX_REF8, AX_REF16, AX_REF32, AX_REF64, AX_REF_FLOAT,
	AX_REF_DOUBLE, AX_REF_LONG_DOUBLE, AX_L_TO_D, AX_D_TO_L, AX_IF_GOTO, AX_GOTO, AX_CONST8,
	AX_CONST16, AX_CONST32, AX_CONST64, AX_REG, AX_END, AX_DUP, AX_POP, AX_ZERO_EXT, AX_SWAP,
	AX_GETV, AX_SETV, AX_TRACEV, AX_TRACENZ, AX_TRACE16, AX_INVALID2, AX_PICK, AX_ROT,
	AX_PRINTF,
};

typedef struct ax_run {
	const uint8_t *code;
	size_t len, pc;
	uint64_t stack[AX_STACK];
	int sp;			/* items on the stack */
	char *err;
	size_t errlen;
} ax_run;

static int fail(ax_run *r, const char *fmt, ...) KWB_PRINTF(2, 3);
static int fail(ax_run *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, r->errlen, "agent expression, byte %zu: ", r->pc);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->errlen)
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool operand(ax_run *r, int bytes, uint64_t *v)
{
	if (r->len - r->pc < (size_t)bytes)
		return false;
	*v = 0;
	for (int i = 0; i < bytes; i++)
		*v = *v << 8 | r->code[r->pc++];
	return true;
}

#define NEED(n) do { if (r->sp < (n)) return fail(r, "stack underflow (opcode 0x%02x)", op); } while (0)
#define PUSH(v) do { uint64_t pv_ = (v); \
		     if (r->sp == AX_STACK) return fail(r, "stack overflow (%d items)", AX_STACK); \
		     r->stack[r->sp++] = pv_; } while (0)
#define TOP (r->stack[r->sp - 1])
#define NEXT (r->stack[r->sp - 2])

static uint64_t sign_extend(uint64_t v, unsigned bits)
{
	return bits >= 64 ? v : (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

static int ref(ax_run *r, const ax_env *env, unsigned bytes)
{
	uint8_t b[8];
	uint64_t v = 0;

	if (env->mem(env->opaque, TOP, b, bytes) != bytes)
		return fail(r, "cannot read %u bytes at 0x%llx", bytes, (unsigned long long)TOP);
	for (int i = (int)bytes - 1; i >= 0; i--)
		v = v << 8 | b[i];	/* the guests are little-endian */
	TOP = v;
	return 0;
}

/* One conversion of printf's format into out, with arg; returns the
 * characters written or -1. */
static int one_conversion(ax_run *r, const ax_env *env, const char *spec, size_t slen, uint64_t arg,
			  char *out, size_t outlen)
{
	char fmt[32], conv = spec[slen - 1], str[257], lm[8];
	const char *p = spec + 1, *mods;
	size_t n;
	unsigned bits;

	/* flags, width, precision: digits only (no '*') */
	p += strspn(p, "-+ #0");
	p += strspn(p, "0123456789");
	if (*p == '.') {
		p++;
		p += strspn(p, "0123456789");
	}
	mods = p;
	p += strspn(p, "hljztL");
	if (p != spec + slen - 1 || (size_t)(mods - spec) + 4 >= sizeof(fmt) || (size_t)(p - mods) >= sizeof(lm))
		return fail(r, "printf: unsupported conversion '%.*s'", (int)slen, spec);
	memcpy(lm, mods, (size_t)(p - mods));
	lm[p - mods] = 0;
	/* the argument's width from the length modifier (long is 64 bits) */
	bits = lm[0] == 'h' ? (lm[1] == 'h' ? 8 : 16) : lm[0] ? 64 : 32;
	/* rebuild with a fixed length modifier for a 64-bit argument */
	memcpy(fmt, spec, (size_t)(mods - spec));
	n = (size_t)(mods - spec);
	switch (conv) {
	case 'd': case 'i':
		memcpy(fmt + n, "lld", 4);
		return snprintf(out, outlen, fmt, (long long)sign_extend(arg, bits));
	case 'u': case 'x': case 'X': case 'o':
		fmt[n++] = 'l';
		fmt[n++] = 'l';
		fmt[n++] = conv;
		fmt[n] = 0;
		if (bits < 64)
			arg &= (1ull << bits) - 1;
		return snprintf(out, outlen, fmt, (unsigned long long)arg);
	case 'c':
		memcpy(fmt + n, "c", 2);
		return snprintf(out, outlen, fmt, (int)(unsigned char)arg);
	case 'p':
		return snprintf(out, outlen, "0x%llx", (unsigned long long)arg);
	case 's': {
		size_t got = env->mem(env->opaque, arg, str, 256);

		str[got] = 0;
		if (!got)
			snprintf(str, sizeof(str), "<error: Cannot access memory at address 0x%llx>",
				 (unsigned long long)arg);
		memcpy(fmt + n, "s", 2);
		return snprintf(out, outlen, fmt, str);
	}
	default:
		return fail(r, "printf: conversion '%c' is not supported by kwb", conv);
	}
}

/* printf nargs(1) len(2) format: the arguments, then channel and function
 * (both ignored: kwb prints to gdb's console) are on the stack. */
static int do_printf(ax_run *r, const ax_env *env)
{
	uint64_t nargs, slen, args[AX_STACK];
	const char *fmt;
	char out[AX_PRINTF_MAX + 1];
	size_t o = 0;
	int used = 0, op = AX_PRINTF;

	if (!operand(r, 1, &nargs) || !operand(r, 2, &slen) || r->len - r->pc < slen || !slen)
		return fail(r, "printf: truncated");
	fmt = (const char *)r->code + r->pc;
	r->pc += slen;
	if (fmt[slen - 1] != 0)
		return fail(r, "printf: unterminated format");
	NEED((int)nargs + 2);
	r->sp -= 2;		/* function, channel */
	for (uint64_t i = 0; i < nargs; i++)
		args[i] = r->stack[--r->sp];
	for (const char *p = fmt; *p && o < AX_PRINTF_MAX;) {
		size_t plain = strcspn(p, "%\\"), clen;
		int w;

		if (*p == '\\') {
			/* gdb leaves the format's C escapes to the agent */
			static const char from[] = "ntrabfve\\\"'", to[] = "\n\t\r\a\b\f\v\033\\\"'";
			const char *e = p[1] ? strchr(from, p[1]) : NULL;

			if (p[1] >= '0' && p[1] <= '7') {
				int v = 0, k = 1;
				for (; k <= 3 && p[k] >= '0' && p[k] <= '7'; k++)
					v = v * 8 + (p[k] - '0');
				out[o++] = (char)v;
				p += k;
			} else if (e) {
				out[o++] = to[e - from];
				p += 2;
			} else {
				out[o++] = *p++;
			}
			continue;
		}
		if (plain) {
			size_t n = plain < AX_PRINTF_MAX - o ? plain : AX_PRINTF_MAX - o;
			memcpy(out + o, p, n);
			o += n;
			p += plain;
			continue;
		}
		if (p[1] == '%') {
			out[o++] = '%';
			p += 2;
			continue;
		}
		clen = 1 + strspn(p + 1, "-+ #0123456789.hljztL");
		if (!p[clen])
			return fail(r, "printf: format ends in a conversion");
		clen++;
		if ((uint64_t)used >= nargs)
			return fail(r, "printf: more conversions than the %llu arguments",
				    (unsigned long long)nargs);
		w = one_conversion(r, env, p, clen, args[used++], out + o, AX_PRINTF_MAX + 1 - o);
		if (w < 0)
			return -1;
		o += (size_t)w < AX_PRINTF_MAX - o ? (size_t)w : AX_PRINTF_MAX - o;
		p += clen;
	}
	out[o] = 0;
	/* a NUL from "\0" or %c of 0 shows as nothing on a terminal: drop it,
	 * so what gdb's console gets is the C string out promises */
	for (size_t i = 0, k = 0; i <= o; i++)
		if (out[i] || i == o)
			out[k++] = out[i];
	o = strlen(out);
	if (env->out)
		env->out(env->opaque, out, o);
	return 0;
}

int ax_eval(const uint8_t *code, size_t len, const ax_env *env, uint64_t *result, char *err, size_t errlen)
{
	ax_run run = { .code = code, .len = len, .err = err, .errlen = errlen }, *r = &run;
	unsigned long steps = 0;

	if (errlen)
		err[0] = 0;
	while (r->pc < r->len) {
		uint8_t op = r->code[r->pc++];
		uint64_t v, a, b;

		if (++steps > AX_STEPS)
			return fail(r, "more than %d steps (a loop?)", AX_STEPS);
		switch (op) {
		case AX_ADD: NEED(2); NEXT += TOP; r->sp--; break;
		case AX_SUB: NEED(2); NEXT -= TOP; r->sp--; break;
		case AX_MUL: NEED(2); NEXT *= TOP; r->sp--; break;
		case AX_DIV_SIGNED: case AX_REM_SIGNED:
			NEED(2);
			a = NEXT, b = TOP;
			if (!b)
				return fail(r, "division by zero");
			if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
				v = op == AX_DIV_SIGNED ? a : 0;
			else
				v = op == AX_DIV_SIGNED ? (uint64_t)((int64_t)a / (int64_t)b)
							: (uint64_t)((int64_t)a % (int64_t)b);
			NEXT = v;
			r->sp--;
			break;
		case AX_DIV_UNSIGNED: case AX_REM_UNSIGNED:
			NEED(2);
			if (!TOP)
				return fail(r, "division by zero");
			NEXT = op == AX_DIV_UNSIGNED ? NEXT / TOP : NEXT % TOP;
			r->sp--;
			break;
		case AX_LSH: NEED(2); NEXT = TOP >= 64 ? 0 : NEXT << TOP; r->sp--; break;
		case AX_RSH_SIGNED:
			NEED(2);
			NEXT = (uint64_t)((int64_t)NEXT >> (TOP >= 63 ? 63 : TOP));
			r->sp--;
			break;
		case AX_RSH_UNSIGNED: NEED(2); NEXT = TOP >= 64 ? 0 : NEXT >> TOP; r->sp--; break;
		case AX_LOG_NOT: NEED(1); TOP = !TOP; break;
		case AX_BIT_AND: NEED(2); NEXT &= TOP; r->sp--; break;
		case AX_BIT_OR: NEED(2); NEXT |= TOP; r->sp--; break;
		case AX_BIT_XOR: NEED(2); NEXT ^= TOP; r->sp--; break;
		case AX_BIT_NOT: NEED(1); TOP = ~TOP; break;
		case AX_EQUAL: NEED(2); NEXT = NEXT == TOP; r->sp--; break;
		case AX_LESS_SIGNED: NEED(2); NEXT = (int64_t)NEXT < (int64_t)TOP; r->sp--; break;
		case AX_LESS_UNSIGNED: NEED(2); NEXT = NEXT < TOP; r->sp--; break;
		case AX_EXT: case AX_ZERO_EXT:
			if (!operand(r, 1, &v) || !v || v > 64)
				return fail(r, "bad extension width");
			NEED(1);
			TOP = op == AX_EXT ? sign_extend(TOP, (unsigned)v) : v >= 64 ? TOP : TOP & ((1ull << v) - 1);
			break;
		case AX_REF8: case AX_REF16: case AX_REF32: case AX_REF64:
			NEED(1);
			if (ref(r, env, 1u << (op - AX_REF8)))
				return -1;
			break;
		case AX_IF_GOTO: case AX_GOTO:
			if (!operand(r, 2, &v))
				return fail(r, "truncated jump");
			if (v >= r->len)
				return fail(r, "jump to %llu, outside the %zu bytes", (unsigned long long)v, r->len);
			if (op == AX_IF_GOTO) {
				NEED(1);
				if (r->stack[--r->sp])
					r->pc = v;
			} else {
				r->pc = v;
			}
			break;
		case AX_CONST8: case AX_CONST16: case AX_CONST32: case AX_CONST64:
			if (!operand(r, 1 << (op - AX_CONST8), &v))
				return fail(r, "truncated constant");
			PUSH(v);
			break;
		case AX_REG:
			if (!operand(r, 2, &a))
				return fail(r, "truncated register number");
			if (!env->reg(env->opaque, (int)a, &v))
				return fail(r, "no register %llu", (unsigned long long)a);
			PUSH(v);
			break;
		case AX_END:
			*result = r->sp ? TOP : 0;
			return 0;
		case AX_DUP: NEED(1); PUSH(TOP); break;
		case AX_POP: NEED(1); r->sp--; break;
		case AX_SWAP: NEED(2); v = TOP; TOP = NEXT; NEXT = v; break;
		case AX_PICK:
			if (!operand(r, 1, &v))
				return fail(r, "truncated pick");
			NEED((int)v + 1);
			PUSH(r->stack[r->sp - 1 - (int)v]);
			break;
		case AX_ROT:	/* a b c => c a b */
			NEED(3);
			v = TOP;
			TOP = NEXT;
			NEXT = r->stack[r->sp - 3];
			r->stack[r->sp - 3] = v;
			break;
		/* Tracepoint collection: nothing to collect where no trace frame
		 * exists; the stack effects are kept. */
		case AX_TRACE: case AX_TRACENZ: NEED(2); r->sp -= 2; break;
		case AX_TRACE_QUICK:
			if (!operand(r, 1, &v))
				return fail(r, "truncated trace_quick");
			NEED(1);
			break;
		case AX_TRACE16:
			if (!operand(r, 2, &v))
				return fail(r, "truncated trace16");
			NEED(1);
			break;
		case AX_TRACEV:
			if (!operand(r, 2, &v))
				return fail(r, "truncated tracev");
			break;
		case AX_PRINTF:
			if (do_printf(r, env))
				return -1;
			break;
		case AX_GETV: case AX_SETV:
			return fail(r, "trace state variables are not supported by kwb");
		default:
			return fail(r, "opcode 0x%02x is not supported by kwb (floating point, or invalid)", op);
		}
	}
	*result = r->sp ? TOP : 0;
	return 0;
}

bool ax_parse(const char **p, const char *end, uint8_t **code, size_t *len)
{
	uint64_t n;

	*code = NULL;
	if (*p >= end || **p != 'X')
		return false;
	(*p)++;
	if (!rsp_parse_hex(p, end, &n) || *p >= end || **p != ',' || !n || n > AX_MAX_LEN)
		return false;
	(*p)++;
	if ((uint64_t)(end - *p) < 2 * n)
		return false;
	*code = kwb_zalloc(n);
	if (!rsp_hex_decode(*p, n, *code)) {
		free(*code);
		*code = NULL;
		return false;
	}
	*p += 2 * n;
	*len = n;
	return true;
}
