/*
 * The core's debug interface (DEVELOPERS.md principle 2). The gdb server,
 * monitor commands, traces and the difftest use only this to look at and
 * control CPUs: registers by table index, memory by virtual (side-effect
 * free translation) or physical address, breakpoints and watchpoints,
 * stepping, resuming, and stop reasons.
 *
 * Breakpoints cost nothing on code that does not hit them: CPUs ask
 * dbg_bp_page() once when they decode a block/page, and call dbg_bp_hit()
 * per instruction only on flagged pages. Watchpoints work through the
 * software TLB: a watched page stays cached with a flag, and only accesses
 * touching a watched byte (dbg_watch_bits_of) call dbg_watch_hit().
 */
#ifndef KWB_DEBUG_H
#define KWB_DEBUG_H

#include "kwb.h"
#include "cpu.h"

struct machine;

enum stop_reason {
	STOP_NONE = 0,
	STOP_SWBREAK,		/* Z0 */
	STOP_HWBREAK,		/* Z1, monitor pbreak */
	STOP_WATCH,		/* Z2 / write */
	STOP_RWATCH,		/* Z3 / read */
	STOP_AWATCH,		/* Z4 / access */
	STOP_STEP,		/* single step finished */
	STOP_INTERRUPT,		/* Ctrl-C, `stop`, -S at reset */
	STOP_SHUTDOWN,		/* guest powered off */
	STOP_RESET,		/* guest asked for a reset */
	STOP_POWEROFF,		/* guest powered off under -no-shutdown: held, inspectable */
	STOP_HISTORY,		/* history arrived where it was going (internal) */
};

typedef struct stop_info {
	enum stop_reason reason;
	int cpu;		/* index of the CPU that stopped */
	uint64_t addr;		/* data address (watch) or pc (break) */
	int exit_code;		/* STOP_SHUTDOWN */
	/* The debugger did not insert a point at this pc/address (monitor
	 * pbreak/pwatch, or a hit through the kernel image's physical alias):
	 * a gdb stop reply must not claim swbreak/watch, or gdb would take it
	 * for a stale breakpoint of its own and silently resume. */
	bool foreign;
	/* Reverse execution reached the start of recorded history (gdb:
	 * "No more reverse-execution history"). */
	bool history_begin;
} stop_info;

enum bp_type {
	BP_SW = 0, BP_HW = 1,			/* on virtual PC (and kernel alias) */
	BP_WATCH_W = 2, BP_WATCH_R = 3, BP_WATCH_A = 4,	/* on virtual data address */
	BP_PHYS = 5,				/* on physical PC */
	BP_PWATCH_W = 6, BP_PWATCH_R = 7, BP_PWATCH_A = 8,	/* physical data */
};

/* How each CPU should resume (gdb vCont actions). */
enum resume_action { RESUME_STOPPED = 0, RESUME_CONTINUE, RESUME_STEP };

/* Hook the symbols layer installs so breakpoints and memory on a kernel
 * virtual address also work while translation is off: returns true and the
 * physical alias of va (the loaded kernel image), else false. With
 * translation_on (the CPU's walk failed), only for an address the kernel
 * image occupies at that moment (never memory the kernel freed). */
typedef bool (*dbg_alias_fn)(void *opaque, vaddr_t va, paddr_t *pa, bool translation_on);
void dbg_set_alias(struct machine *m, dbg_alias_fn fn, void *opaque);

/* Hook the symbols layer installs (when it has a vmlinux) so the core's
 * own users of kernel symbols (trace filters and lines, monitor fdt) need
 * no client: name to address, address to "name+off", and every text
 * symbol matching a glob as [lo, hi) ranges (its physical alias too). */
typedef struct dbg_symbol_ops {
	bool (*lookup)(void *opaque, const char *name, uint64_t *va);
	bool (*format)(void *opaque, uint64_t va, char *buf, size_t len);
	int (*text_ranges)(void *opaque, const char *glob,
			   void (*fn)(void *ctx, uint64_t lo, uint64_t hi), void *ctx);
} dbg_symbol_ops;
void dbg_set_symbols(struct machine *m, const dbg_symbol_ops *ops, void *opaque);
bool dbg_sym_lookup(struct machine *m, const char *name, uint64_t *va);
bool dbg_sym_format(struct machine *m, uint64_t va, char *buf, size_t len);
/* The count of symbols matched, -1 without symbols. */
int dbg_sym_text_ranges(struct machine *m, const char *glob,
			void (*fn)(void *ctx, uint64_t lo, uint64_t hi), void *ctx);

/* ---- registers (index = register table index = gdb regnum) ---- */
const reg_table *dbg_regs(struct machine *m);
int dbg_reg_read(struct machine *m, int cpu, int idx, uint8_t *buf);
int dbg_reg_write(struct machine *m, int cpu, int idx, const uint8_t *buf);
uint64_t dbg_pc(struct machine *m, int cpu);

/* ---- memory ---- */
enum dbg_mem_flags {
	DBG_PHYS = 1,		/* addr is physical */
};
/* Returns the number of bytes transferred (short on the first byte that
 * cannot be accessed), never faults the guest, never sets A/D bits. */
size_t dbg_mem_read(struct machine *m, int cpu, uint64_t addr, void *buf, size_t len, unsigned flags);
size_t dbg_mem_write(struct machine *m, int cpu, uint64_t addr, const void *buf, size_t len, unsigned flags);
/* The guest's RAM (not ROM or MMIO): up to max [base, base+size) ranges
 * in address order; returns how many (for crash dumps). */
int dbg_ram_ranges(struct machine *m, paddr_t *base, uint64_t *size, int max);
/* Translate for the debugger: CPU's live regime first, kernel alias when
 * translation is off. Returns 0 or -1. */
int dbg_translate(struct machine *m, int cpu, vaddr_t va, paddr_t *pa, walk_log *log);

/* ---- breakpoints and watchpoints (apply to every CPU) ---- */
int dbg_bp_insert(struct machine *m, enum bp_type type, uint64_t addr, uint64_t len);
int dbg_bp_remove(struct machine *m, enum bp_type type, uint64_t addr, uint64_t len);
void dbg_bp_remove_all(struct machine *m);

/* A condition a client attaches to its breakpoint (the gdb server's agent
 * expressions): called where the breakpoint matches, before the
 * instruction at pc runs, with the CPU's state readable through this
 * interface; returns true to stop there, false to run on. */
typedef bool (*dbg_cond_fn)(void *opaque, struct machine *m, int cpu, uint64_t pc);
int dbg_bp_set_cond(struct machine *m, enum bp_type type, uint64_t addr, uint64_t len,
		    dbg_cond_fn fn, void *opaque);

/* A hook on a physical pc for kwb's own uses (the crash dump at panic):
 * fn runs when a CPU is about to execute pa and stops the machine only if
 * it returns true. Unlike the debugger's points it survives
 * dbg_bp_remove_all() and is invisible to insert/remove/set_cond. */
int dbg_hook_pc(struct machine *m, paddr_t pa, dbg_cond_fn fn, void *opaque);

/* For CPU implementations. */
bool dbg_bp_page(struct machine *m, uint64_t addr);	/* any code bp in addr's 4K page (virtual or physical) */
/* Called before executing the instruction at pc (physical ppc) on a flagged
 * page. Returns true if a breakpoint matched; the stop has been recorded and
 * the CPU must return CPU_EXIT_DEBUG without executing it. */
bool dbg_bp_hit(struct cpu *c, vaddr_t pc, paddr_t ppc);
/* The code breakpoints on one page, for CPUs that mark the decoded slots
 * of those instructions (which then call dbg_bp_hit) and run the rest of
 * the page at full speed: offs[] gets each byte offset in the 4K page
 * (by virtual address for virtual breakpoints, by physical address for
 * physical ones and for the kernel-image alias). Returns the count, or -1
 * when they cannot be listed (more than max, or a range too wide to mark:
 * then check every instruction of the page). */
int dbg_bp_offsets(struct machine *m, uint64_t va_page, paddr_t pa_page, uint16_t *offs, int max);
bool dbg_watch_page(struct machine *m, uint64_t addr);	/* any watchpoint in addr's 4K page */
/*
 * The bytes of one watched page that a watchpoint could match, by access
 * direction: a CPU caches the page's translation with them and sends to
 * dbg_watch_hit() only the aligned accesses that touch a marked byte
 * (dbg_watch_bits_touch); the others use the host pointer as unwatched
 * pages do. any_rd/any_wr false: no read/write can match (the page may be
 * cached as unwatched for that direction). The bits of a page mapped at
 * va_page to pa_page depend only on the points (virtual, physical, the
 * kernel-image alias): valid until they change (dbg_bp_generation), which
 * flushes every CPU's TLB.
 */
typedef struct dbg_watch_bits {
	uint64_t rd[64], wr[64];	/* bit i: byte i of the page */
	bool any_rd, any_wr;
} dbg_watch_bits;
const dbg_watch_bits *dbg_watch_bits_of(struct machine *m, uint64_t va_page, paddr_t pa_page);
/* The watched bytes of a page a soft TLB caches as watched: the bitmap
 * (dbg_watch_bits_of's rd or wr), and the range an access of at most 8
 * bytes must start in to touch a marked byte (first - 7 .. last), as the
 * low 32 bits of its first virtual address `near` and its length - 1
 * `span`: an access at va outside it ((uint32_t)va - near > span) touches
 * none. 16 bytes, so an array of them can parallel a TLB's entries. */
typedef struct dbg_wbits {
	const uint64_t *bits;
	uint32_t near, span;
} dbg_wbits;
void dbg_wbits_set(dbg_wbits *w, const uint64_t *bits, uint64_t va_page);
/* An aligned access of size 1-8 at byte off of the page touches a marked byte. */
static inline bool dbg_watch_bits_touch(const uint64_t *bits, uint64_t off, unsigned size)
{
	return bits[(off >> 6) & 63] >> (off & 63) & ((2ull << (size - 1)) - 1);
}
/* Called from the slow path of a data access. Returns true if a watchpoint
 * matched (stop recorded); the CPU then stops before or after the access as
 * its architecture's gdb expects. */
bool dbg_watch_hit(struct cpu *c, vaddr_t va, paddr_t pa, unsigned len, int access);
/* Generation counter bumped on every insert/remove, so CPUs can drop
 * decoded blocks and TLB entries lazily. */
uint64_t dbg_bp_generation(struct machine *m);

/* ---- execution control ---- */
/* Record a stop (CPUs call this with STOP_STEP when step_remaining hits 0;
 * devices with STOP_SHUTDOWN/RESET) and make every CPU leave its loop. */
void dbg_report_stop(struct machine *m, int cpu, enum stop_reason r, uint64_t addr);
/* Ask the running machine to stop at the next quantum boundary (Ctrl-C). */
void dbg_request_stop(struct machine *m);
/* Resume: actions[i] for CPU i (NULL: all continue). */
void dbg_resume(struct machine *m, const enum resume_action *actions);
bool dbg_is_stopped(struct machine *m);
const stop_info *dbg_last_stop(struct machine *m);
/* Mask interrupts while single-stepping (QEMU's sstep NOIRQ), default on. */
void dbg_set_step_irq(struct machine *m, bool allow_irq);
bool dbg_step_irq(struct machine *m);

/* ---- reverse execution (history, core/history.h) ----
 * Back over cpu's last instruction / back to the last breakpoint or
 * watchpoint hit before here (a watchpoint reported after its access, as
 * forward). The machine runs there; the stop is reported like any other,
 * with history_begin when recorded history starts first. Return 0, or -1
 * when history is off. */
int dbg_reverse_step(struct machine *m, int cpu);
int dbg_reverse_continue(struct machine *m);
bool dbg_history_on(struct machine *m);

/* Listener told about every stop (the gdb server sends its stop reply). */
typedef void (*dbg_stop_fn)(void *opaque, const stop_info *s);
void dbg_set_stop_listener(struct machine *m, dbg_stop_fn fn, void *opaque);

#endif
