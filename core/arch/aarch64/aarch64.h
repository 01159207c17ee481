/*
 * What AArch64 devices and boards may call on a CPU (the rest of the CPU
 * is private to core/arch/aarch64).
 */
#ifndef KWB_AARCH64_H
#define KWB_AARCH64_H

#include "../../cpu.h"

enum { A64_IRQ = 0, A64_FIQ = 1 };

/* Level of the IRQ/FIQ inputs (from the GIC CPU interface). */
void a64_set_irq(cpu *c, int line, int level);
/* Boot state at EL1h, MMU off, DAIF masked: pc and x0..x3. */
void a64_set_boot(cpu *c, uint64_t pc, uint64_t x0);
uint64_t a64_mpidr(cpu *c);
/* Start a powered-off CPU (PSCI CPU_ON) at pc with x0 = context. */
void a64_power_on(cpu *c, uint64_t pc, uint64_t x0);

/*
 * Registers that belong to devices (GIC CPU interface ICC_*, generic timer
 * CNT*) are in the one register table like every other, flagged there;
 * their accesses are routed to the handler the board installs.
 * Return false to make the access UNDEFINED.
 */
typedef struct a64_sysreg_handler {
	bool (*read)(void *opaque, cpu *c, uint32_t enc, uint64_t *value);
	bool (*write)(void *opaque, cpu *c, uint32_t enc, uint64_t value);
	void *opaque;
} a64_sysreg_handler;
void a64_set_gic_handler(struct machine *m, const a64_sysreg_handler *h);

/* PSCI calls (HVC/SMC #0 with the conduit the DTB advertises), handled by
 * core/arch/aarch64/psci.c; returns false if x0 is not a PSCI/SMCCC id. */
bool a64_psci_call(cpu *c);

/* Generic timer counter frequency (CNTFRQ_EL0), as QEMU's virt. */
#define A64_CNTFRQ 62500000ull

#endif
