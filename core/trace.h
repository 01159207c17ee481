/*
 * Traces (-d FLAGS, -D FILE, `monitor trace`): one line per record, to
 * the trace file or into a ring of the last N records. The CPU cores call
 * the hooks only when trace_on() says so; exec and mem tracing are checked
 * once per run quantum (trace_exec_wanted, trace_mem_wanted) so a CPU with
 * them off runs its fast paths (threaded dispatch, software TLB) unchanged.
 * Address filters (range=, sym=) are a sorted list of PC ranges.
 */
#ifndef KWB_TRACE_H
#define KWB_TRACE_H

#include <stdio.h>
#include "kwb.h"

struct machine;
struct cpu;
struct mon_out;

enum trace_flag {
	TRACE_EXEC = 1u << 0,	/* every instruction */
	TRACE_INT = 1u << 1,	/* exceptions and interrupts */
	TRACE_UNIMP = 1u << 2,	/* unimplemented sysregs, UNDEFINED instructions */
	TRACE_SMMU = 1u << 3,	/* SMMU commands, translations and faults */
	TRACE_FUNC = 1u << 4,	/* calls and returns by symbol (exec slow path) */
	TRACE_IRQ = 1u << 5,	/* interrupt controller state changes */
	TRACE_MMU = 1u << 6,	/* TLB flushes, translation base writes */
	TRACE_MEM = 1u << 7,	/* every load/store (forces the CPU's slow path) */
	TRACE_MMIO = 1u << 8,	/* device register accesses only (slow path anyway) */
	TRACE_DEV = 1u << 9,	/* device-level events (trace_dev) */
};

/* An address filter: pc in [lo, hi). */
typedef struct trace_range {
	uint64_t lo, hi;
} trace_range;

#define TRACE_LINE 256
#define TRACE_MAX_CPUS 8	/* = KWB_MAX_CPUS (machine.h), checked in trace.c */

/* A ring record: exec records are kept raw (formatted when dumped, so a
 * ring costs little more than the one-instruction step), others as text. */
typedef struct trace_rec {
	uint64_t pc;
	uint32_t insn;
	uint8_t cpu, el;
	bool raw;
	char text[TRACE_LINE];
} trace_rec;

typedef struct trace_state {
	unsigned flags;
	int cpu;		/* cpu=N filter, -1 = all */
	int el;			/* el=N filter (RISC-V: 0 U, 1 S, 3 M), -1 = all */
	/* range= and sym= filters, their union sorted and merged (a symbol
	 * also contributes its physical alias, for code run before the MMU) */
	trace_range *ranges;
	int nranges;
	char filter_text[160];	/* the range=/sym= options as given */
	FILE *out;
	bool own_out;
	trace_rec *ring;	/* ring=N: keep the last N records */
	unsigned ring_size, ring_head, ring_count;
	uint64_t records;
	uint64_t dumped;	/* records when the ring was last dumped at a stop */
	uint64_t panic_va;	/* dump the ring when exec reaches panic() */
	bool panic_known;
	/* func: per CPU call depth, and a call whose target is the next pc */
	int depth[TRACE_MAX_CPUS];
	bool call_pending[TRACE_MAX_CPUS];
	uint64_t call_site[TRACE_MAX_CPUS];
	/* A consumer inside kwb (difftest's PC pass): when set (with TRACE_EXEC
	 * and TRACE_INT in flags), every exec and int record goes to it instead
	 * of being filtered and formatted. icount is the CPU's before pc runs. */
	void (*exec_hook)(void *opaque, struct cpu *c, uint64_t pc, uint32_t insn);
	void (*int_hook)(void *opaque, struct cpu *c, uint64_t pc, uint64_t ret, uint64_t vector,
			 const char *what);
	void *hook_opaque;
} trace_state;

/* From machine_create: applies -d / -D (one-line error and exit on bad
 * input). Leaves m->trace NULL when neither was given. */
void trace_init(struct machine *m);
void trace_free(struct machine *m);
/* The state, created on first use (for `monitor trace`). */
trace_state *trace_get(struct machine *m);
/* Parse a flag list ("exec,int,cpu=0,el=1,range=A-B,sym=GLOB,ring=N" or "off");
 * replaces the flags and filters. Returns 0 or -1 with err filled. */
int trace_set(struct machine *m, const char *spec, char *err, size_t errlen);
/* Current settings as "exec,int cpu=0 ..." */
void trace_describe(struct machine *m, char *buf, size_t len);
void trace_set_ring(struct machine *m, unsigned n);
/* Write the ring's records (oldest first) with fn; returns how many. */
unsigned trace_ring_each(struct machine *m, void (*fn)(void *opaque, const char *line), void *opaque);

/* state is m->trace. */
static inline bool trace_on(void *state, unsigned flag)
{
#ifdef KWB_NO_TRACE	/* make KWB_NO_TRACE=1: every hook compiled out (make bench) */
	(void)state, (void)flag;
	return false;
#else
	return state && (((trace_state *)state)->flags & flag);
#endif
}

/* Once per cpu_run: does this CPU need the one-instruction-per-step path? */
bool trace_exec_wanted(struct cpu *c);
/* Before executing insn at pc (el = privilege level). */
void trace_exec(struct cpu *c, uint64_t pc, uint32_t insn, int el);
/* An exception or interrupt: what (already decoded by the arch), from/to
 * privilege, return address and vector. */
void trace_int(struct cpu *c, int from_el, int to_el, uint64_t pc, const char *what,
	       uint64_t ret, uint64_t vector);
/* Unimplemented sysreg / UNDEFINED instruction at pc. */
void trace_unimp(struct cpu *c, int el, uint64_t pc, const char *what);
/* Once per cpu_run: must every data access take the slow path (-d mem)?
 * The CPU then keeps data pages out of its software TLB. */
bool trace_mem_wanted(struct cpu *c);
/* A completed data access by the instruction at pc: acc is ACC_READ,
 * ACC_WRITE or both (AMO); value is what was read or written. RAM accesses
 * are recorded for -d mem, device registers (named by the bus region's
 * reg_name) for mem or mmio. Call only when m->trace is set. */
void trace_mem(struct cpu *c, int el, uint64_t pc, uint64_t va, paddr_t pa, unsigned size, int acc,
	       uint64_t value);
/* A device-level event (-d dev): "dev NAME: what". */
void trace_dev_emit(struct machine *m, const char *dev, const char *fmt, ...) KWB_PRINTF(3, 4);
#define trace_dev(m, dev, ...) \
	do { \
		if (unlikely(trace_on((m)->trace, TRACE_DEV))) \
			trace_dev_emit((m), (dev), __VA_ARGS__); \
	} while (0)
/* " 'A'" for a printable byte, " '\\n'" for newline, else "" (for dev records). */
const char *trace_char(unsigned byte);
/* The debugger stopped c at a breakpoint or watchpoint (why: "breakpoint",
 * "watchpoint"): with a ring, its records since the last such dump go to
 * the trace output. */
void trace_stop(struct cpu *c, const char *why, uint64_t addr);
/* "EL1" (AArch64) or "S" (RISC-V privilege). */
const char *trace_level(struct machine *m, int el, char buf[8]);
/* Low-level: emit one formatted record (filters already applied). */
void trace_emit(struct machine *m, const char *fmt, ...) KWB_PRINTF(2, 3);

#endif
