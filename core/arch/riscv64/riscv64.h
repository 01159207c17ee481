/*
 * What RISC-V devices and boards may call on a hart (the rest of the hart
 * is private to core/arch/riscv64).
 */
#ifndef KWB_RISCV64_H
#define KWB_RISCV64_H

#include "../../cpu.h"

/* mip bits driven by devices */
#define MIP_SSIP (1u << 1)
#define MIP_MSIP (1u << 3)
#define MIP_STIP (1u << 5)
#define MIP_MTIP (1u << 7)
#define MIP_SEIP (1u << 9)
#define MIP_MEIP (1u << 11)

/* Set or clear externally driven mip bits (CLINT, PLIC); wakes the hart
 * from WFI and makes it re-check interrupts at the next block boundary. */
void riscv_set_mip(cpu *c, uint32_t mask, int level);
/* Boot state: pc, a0 (hart id) and a1 (DTB), in M-mode. */
void riscv_set_boot(cpu *c, uint64_t pc, uint64_t a0, uint64_t a1);
/* mtime in timebase ticks (10 MHz) from the virtual clock; CLINT and the
 * time CSR both use it so they always agree. */
uint64_t riscv_mtime(struct machine *m);
/* Virtual ns as the running instruction sees it (itself counted). */
uint64_t riscv_time_ns(struct machine *m);
#define RISCV_TIMEBASE_HZ 10000000ull

/* What the hart has (-cpu rv64,pmu-num=N,sstc=on|off,debug=on|off): its
 * riscv,isa string, its HPM counter count, and the -cpu option that gives
 * QEMU the same hart (difftest). */
void riscv_isa_string(cpu *c, char *buf, size_t len);
int riscv_pmu_num(cpu *c);
void riscv_qemu_cpu_option(cpu *c, char *buf, size_t len);

#endif
