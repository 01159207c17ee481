/*
 * gdb's agent expressions (the bytecode of the GDB manual's "Agent
 * Expressions" appendix): breakpoint conditions (ConditionalBreakpoints)
 * and commands such as dprintf's printf (BreakpointCommands), evaluated
 * inside kwb where the breakpoint hits, with no round trip to gdb.
 *
 * The bytecode comes from the debugger and is not trusted: every operand
 * and jump is checked, the stack is bounded (AX_STACK), so is the number of
 * bytecodes executed (AX_STEPS, for loops), memory is read through the
 * environment's callback only (the debug interface), and a failure is an
 * error with a reason, never a crash.
 */
#ifndef KWB_GDB_AGENT_EXPR_H
#define KWB_GDB_AGENT_EXPR_H

#include "core/kwb.h"

#define AX_STACK 256
#define AX_STEPS 100000
#define AX_MAX_LEN 4096		/* bytes of one expression */
#define AX_PRINTF_MAX 1024	/* characters one printf produces */

typedef struct ax_env {
	void *opaque;
	/* register by the remote (tdesc) number; false if there is none */
	bool (*reg)(void *opaque, int regnum, uint64_t *value);
	/* bytes at a virtual address; how many could be read */
	size_t (*mem)(void *opaque, uint64_t addr, void *buf, size_t len);
	/* printf's output: a C string of len (at most AX_PRINTF_MAX) characters */
	void (*out)(void *opaque, const char *text, size_t len);
} ax_env;

/* Runs one expression. Returns 0 with the value left on the stack (0 when
 * empty) in *result, or -1 with a one-line reason in err. */
int ax_eval(const uint8_t *code, size_t len, const ax_env *env, uint64_t *result, char *err, size_t errlen);

/* "X<len>,<hex>" as gdb writes each expression in a Z packet: decodes into
 * a fresh buffer (*code, *len) and advances *p. Returns false if malformed. */
bool ax_parse(const char **p, const char *end, uint8_t **code, size_t *len);

#endif
