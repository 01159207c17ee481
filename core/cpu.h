/*
 * The architecture-neutral view of a CPU. Each architecture embeds
 * `cpu` as the first member of its own state and provides arch_ops.
 * Nothing outside core/arch/<arch> touches architecture state except
 * through these operations (the debug interface wraps them).
 */
#ifndef KWB_CPU_H
#define KWB_CPU_H

#include "kwb.h"
#include "regtab.h"

struct machine;
struct walk_log;

enum cpu_exit {
	CPU_EXIT_BUDGET = 0,	/* ran the requested number of instructions */
	CPU_EXIT_WFI,		/* waiting for an interrupt: skip to the next event */
	CPU_EXIT_DEBUG,		/* breakpoint/watchpoint/step: see machine stop info */
	CPU_EXIT_REQUEST,	/* machine asked the CPU to leave (device, shutdown) */
	CPU_EXIT_OFF,		/* powered off (PSCI CPU_OFF, hart stopped) */
	CPU_EXIT_YIELD,		/* gives up the rest of its slice: a spin-wait
				 * only another CPU can end (not waiting) */
};

typedef struct cpu {
	struct machine *m;
	const struct arch_ops *arch;
	int index;
	bool powered;		/* false until started (secondaries wait for PSCI/HSM) */
	bool waiting;		/* in WFI */
	/* Instructions retired. clock_now() is exact inside a quantum only if
	 * this is up to date when the CPU calls into devices or reads time;
	 * otherwise time moves in quantum steps (still deterministic). */
	uint64_t icount;
	/* Exceptions and interrupts taken: with icount, it tells apart two
	 * moments between which the CPU ran no counted instruction (a fault
	 * then its vector), so history can name every stop. The architecture
	 * counts it in its one exception entry. */
	uint64_t nexc;
	/* Set by anyone to make cpu_run return at the next block boundary. */
	volatile bool exit_request;
	/* Debug: stop after this many instructions (0 = not stepping). */
	int step_remaining;
	bool step_mask_irq;	/* mask interrupts while single-stepping */
} cpu;

/* Memory access kinds for translation and watchpoints. */
enum mem_access { ACC_READ = 1, ACC_WRITE = 2, ACC_EXEC = 4 };

/* One level of a page-table walk, for `monitor vtop`, traces and tests. */
typedef struct walk_step {
	int level;
	paddr_t table;		/* table base */
	paddr_t desc_addr;	/* address of the descriptor read */
	uint64_t desc;		/* descriptor value */
	char note[96];		/* decoded attributes / why it stopped */
} walk_step;

typedef struct walk_log {
	walk_step steps[8];
	int count;
	char result[160];	/* "PA 0x... attrs" or the exact fault */
} walk_log;

typedef struct arch_ops {
	const char *name;		/* "riscv64", "aarch64" */
	const reg_table *regs;

	struct cpu *(*cpu_create)(struct machine *m, int index);
	void (*cpu_free)(struct cpu *c);
	void (*cpu_reset)(struct cpu *c);

	/* Run at most max_insns instructions; returns why it stopped and adds
	 * the number executed to c->icount. Must honour c->exit_request at
	 * block boundaries and c->step_remaining exactly. */
	enum cpu_exit (*cpu_run)(struct cpu *c, int64_t max_insns);

	/* Registers by table index: value is little-endian, bitsize/8 bytes.
	 * Return 0 or -1 (not available). Writes have the architectural effect
	 * (e.g. writing satp/TTBR flushes the TLB). */
	int (*reg_read)(struct cpu *c, int idx, uint8_t *buf);
	int (*reg_write)(struct cpu *c, int idx, const uint8_t *buf);

	uint64_t (*get_pc)(struct cpu *c);
	void (*set_pc)(struct cpu *c, uint64_t pc);

	/* Side-effect-free translation with the CPU's current regime (no A/D
	 * updates, no faults raised). access is enum mem_access. Returns 0 and
	 * *pa, or -1; fills log when non-NULL. Translation off: pa = va. */
	int (*debug_translate)(struct cpu *c, vaddr_t va, int access, paddr_t *pa,
			       struct walk_log *log);
	bool (*mmu_enabled)(struct cpu *c);

	/* Throw away decoded instructions (breakpoints changed, code written by
	 * the debugger) and/or the software TLB (watchpoints changed). */
	void (*flush_decode)(struct cpu *c);
	void (*flush_tlb)(struct cpu *c);

	/* "EL1h", "S", ... for `info threads` and traces. */
	const char *(*mode_name)(struct cpu *c);
	/* Disassemble one instruction into buf; returns its length in bytes. */
	int (*disasm)(struct cpu *c, uint64_t pc, uint32_t insn, char *buf, size_t len);
	/* The CPU's state description (core/state.h): every architectural
	 * register, pending interrupt inputs, the exclusive monitor or
	 * reservation, WFI; its post_load flushes TLBs and decoded code. The
	 * machine registers each CPU as "cpuN". */
	const struct state_desc *(*state_desc)(void);
} arch_ops;

extern const arch_ops riscv64_arch;
extern const arch_ops aarch64_arch;

#endif
