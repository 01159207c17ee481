/* AArch64 CPU and the debug interface: breakpoints, watchpoints (stop
 * before the access), exact stepping, register table, walk log. */
#include <stdlib.h>
#include "check.h"
#include "a64_harness.h"
#include "a64_progs.h"
#include "core/arch/aarch64/a64_int.h"

static machine *m;

static void test_breakpoint(void)
{
	cpu *c = m->cpus[0];
	uint64_t bp = CODE_BASE + 8;	/* "add x0, x0, x1" inside the loop */

	CHECK_EQ(dbg_bp_insert(m, BP_SW, bp, 4), 0);
	a64_cpu *s = h_run(m, prog_branch, sizeof(prog_branch), 1000);
	CHECK_EQ(s->pc, bp);
	CHECK_EQ(s->x[1], 100);
	CHECK_EQ(dbg_take_stop(m)->reason, STOP_SWBREAK);
	dbg_resume(m, NULL);
	CHECK_EQ(aarch64_arch.cpu_run(c, 1000), CPU_EXIT_DEBUG);
	CHECK_EQ(s->pc, bp);
	CHECK_EQ(s->x[1], 99);		/* one more iteration */
	dbg_take_stop(m);
	dbg_bp_remove(m, BP_SW, bp, 4);
	dbg_resume(m, NULL);
	aarch64_arch.cpu_run(c, 1000);
	CHECK_EQ(s->x[0], 5050);
}

static void test_watchpoint(void)
{
	cpu *c = m->cpus[0];
	uint64_t zero = 0;

	bus_copy_to(&m->bus, 0x40100000, &zero, 8);
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_W, 0x40100000, 8), 0);
	a64_cpu *s = h_run(m, prog_ldst, sizeof(prog_ldst), 1000);
	const stop_info *st = dbg_take_stop(m);
	CHECK_EQ(st->reason, STOP_WATCH);
	CHECK_EQ(st->addr, 0x40100000);
	uint32_t insn = 0;
	bus_copy_from(&m->bus, s->pc, &insn, 4);
	CHECK_EQ(insn, 0xf9000001);	/* str x1, [x0]: stopped before it */
	uint64_t v = 1;
	bus_copy_from(&m->bus, 0x40100000, &v, 8);
	CHECK_EQ(v, 0);
	uint64_t icount = c->icount;
	dbg_resume(m, NULL);
	aarch64_arch.cpu_run(c, 1);	/* the store now happens */
	CHECK_EQ(c->icount, icount + 1);
	bus_copy_from(&m->bus, 0x40100000, &v, 8);
	CHECK_EQ(v, 0x7788556633441122ull);
	dbg_bp_remove(m, BP_WATCH_W, 0x40100000, 8);
}

/*
 * A watched page stays cached: accesses that touch no watched byte use the
 * host pointer (a64_watch_pass), the others stop. A loop runs long enough
 * for its page's TLB entries to be filled and reused, storing and loading
 * around a write watchpoint on bytes 3-4 of a doubleword; then a halfword
 * store to bytes 4-5 stops before itself.
 */
static void test_watch_neighbours(void)
{
	cpu *c = m->cpus[0];
	/* 1: strb w0,[x5,#2]; strb w0,[x5,#5]; ldr x1,[x5]; ldrh w3,[x5,#4];
	 * str x0,[x5,#8]; stur w0,[x5,#-4]; sub x2,x2,#1; cbnz x2,1b;
	 * strh w0,[x5,#4]; strb w0,[x5,#3] */
	static const uint32_t prog[] = { 0x390008a0, 0x390014a0, 0xf94000a1, 0x794008a3, 0xf90004a0,
					 0xb81fc0a0, 0xd1000442, 0xb5ffff22, 0x790008a0, 0x39000ca0 };
	uint64_t x = 0x40100100, v = 0;
	a64_cpu *s = h_run(m, prog, sizeof(prog), 0);
	uint64_t icount0 = c->icount;

	bus_copy_to(&m->bus, x, &v, 8);
	s->x[5] = x;
	s->x[0] = 0x1111;
	s->x[2] = 300;
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_W, x + 3, 2), 0);
	CHECK_EQ(aarch64_arch.cpu_run(c, 100000), CPU_EXIT_DEBUG);
	CHECK_EQ(s->pc, CODE_BASE + 0x20);	/* strh w0,[x5,#4]: not executed */
	CHECK_EQ(c->icount - icount0, 300 * 8);
	CHECK_EQ(dbg_take_stop(m)->reason, STOP_WATCH);
	bus_copy_from(&m->bus, x, &v, 8);
	CHECK_EQ(v, 0x0000110000110000ull);	/* bytes 2 and 5 written, 3-4 not */
	CHECK_EQ(s->x[1], v);
	CHECK_EQ(s->x[3], 0x1100);
	dbg_bp_remove(m, BP_WATCH_W, x + 3, 2);

	/* one watched byte: the store to 4-5 goes through, the byte store to 3 stops */
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_W, x + 3, 1), 0);
	dbg_resume(m, NULL);
	CHECK_EQ(aarch64_arch.cpu_run(c, 100000), CPU_EXIT_DEBUG);
	CHECK_EQ(s->pc, CODE_BASE + 0x24);
	CHECK_EQ(c->icount - icount0, 300 * 8 + 1);
	dbg_take_stop(m);
	dbg_bp_remove(m, BP_WATCH_W, x + 3, 1);

	/* a read watchpoint: loads of bytes it covers stop, stores do not */
	s = h_run(m, prog, sizeof(prog), 0);
	s->x[2] = 300;
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_R, x + 5, 1), 0);
	CHECK_EQ(aarch64_arch.cpu_run(c, 100000), CPU_EXIT_DEBUG);
	CHECK_EQ(s->pc, CODE_BASE + 0x8);	/* ldr x1,[x5] covers byte 5 */
	CHECK_EQ(dbg_take_stop(m)->reason, STOP_RWATCH);
	dbg_bp_remove(m, BP_WATCH_R, x + 5, 1);
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_R, x + 12, 4), 0);	/* only str 8..15 touches it: a store */
	s = h_run(m, prog, sizeof(prog), 0);
	s->x[2] = 300;
	CHECK_EQ(aarch64_arch.cpu_run(c, 300 * 8), CPU_EXIT_BUDGET);
	CHECK_EQ(s->x[2], 0);
	dbg_bp_remove(m, BP_WATCH_R, x + 12, 4);
}

static void test_step(void)
{
	cpu *c = m->cpus[0];
	a64_cpu *s = h_run(m, prog_arith, sizeof(prog_arith), 0);

	for (int i = 0; i < 5; i++) {
		c->step_remaining = 1;
		CHECK_EQ(aarch64_arch.cpu_run(c, 1), CPU_EXIT_BUDGET);
	}
	c->step_remaining = 0;
	CHECK_EQ(s->pc, CODE_BASE + 20);
	CHECK_EQ(s->x[1], 0);
	CHECK_EQ(s->x[2], 0x60000000);
}

static void test_step_into_exception(void)
{
	cpu *c = m->cpus[0];
	static const uint32_t svc[] = { 0xd4000021 };	/* svc #1 */
	a64_cpu *s = h_run(m, svc, sizeof(svc), 0);
	uint64_t vbar = 0x40200000;

	CHECK_EQ(aarch64_arch.reg_write(c, regtab_find(aarch64_arch.regs, "VBAR_EL1"), (uint8_t *)&vbar), 0);
	c->step_remaining = 1;
	aarch64_arch.cpu_run(c, 1);
	c->step_remaining = 0;
	CHECK_EQ(s->pc, vbar + 0x200);	/* the step ends at the vector */
	CHECK_EQ(s->sys[A64R_ESR_EL1], 0x56000001);
	CHECK_EQ(s->sys[A64R_ELR_EL1], CODE_BASE + 4);
}

static void test_regs(void)
{
	cpu *c = m->cpus[0];
	const reg_table *t = aarch64_arch.regs;
	uint8_t buf[16];
	uint64_t v;

	CHECK_EQ(regtab_find(t, "x0"), 0);
	CHECK_EQ(regtab_find(t, "sp"), 31);
	CHECK_EQ(regtab_find(t, "pc"), 32);
	CHECK_EQ(regtab_find(t, "cpsr"), 33);
	CHECK_EQ(regtab_find(t, "v0"), 34);
	CHECK_EQ(regtab_find(t, "fpsr"), 66);
	CHECK_EQ(regtab_find(t, "fpcr"), 67);
	CHECK_EQ(t->regs[33].bitsize, 32);
	CHECK_EQ(t->regs[34].bitsize, 128);
	CHECK(regtab_find(t, "SCTLR_EL1") > 67);
	CHECK_EQ(regtab_find_encoding(t, SYSREG_ENC(3, 0, 2, 0, 2)), regtab_find(t, "TCR_EL1"));
	/* unique encodings */
	for (int i = 0; i < t->count; i++)
		for (int j = i + 1; j < t->count; j++)
			if (t->regs[i].encoding && t->regs[i].encoding == t->regs[j].encoding)
				CHECK(!"duplicate encoding");
	CHECK_EQ(aarch64_arch.reg_read(c, regtab_find(t, "MIDR_EL1"), buf), 0);
	memcpy(&v, buf, 8);
	CHECK_EQ(v, 0x411fd070);
	CHECK_EQ(aarch64_arch.reg_read(c, regtab_find(t, "MPIDR_EL1"), buf), 0);
	memcpy(&v, buf, 8);
	CHECK_EQ(v, 0x80000000);
	CHECK(aarch64_arch.reg_write(c, regtab_find(t, "MIDR_EL1"), buf) < 0);
	CHECK(aarch64_arch.reg_read(c, regtab_find(t, "ICC_IAR1_EL1"), buf) < 0);	/* side effect */
	uint32_t cpsr = 0x3c4;		/* EL1t */
	CHECK_EQ(aarch64_arch.reg_write(c, 33, (uint8_t *)&cpsr), 0);
	CHECK(!strcmp(aarch64_arch.mode_name(c), "EL1t"));
	cpsr = 0x3c5;
	aarch64_arch.reg_write(c, 33, (uint8_t *)&cpsr);
	CHECK(!strcmp(aarch64_arch.mode_name(c), "EL1h"));
	char dis[64];
	aarch64_arch.disasm(c, 0x1000, 0x91000420, dis, sizeof(dis));
	CHECK(!strcmp(dis, "add x0, x1, #1"));
}

/* 4K granule, 39-bit: L1 table -> L2 table -> L3 page, through the debugger */
static void test_walk_log(void)
{
	cpu *c = m->cpus[0];
	uint64_t l1 = 0x40400000, l2 = 0x40401000, l3 = 0x40402000, d;
	uint64_t va = 0x0000000012345678ull, tcr = 25, ttbr = l1, sctlr = 0x30d00801, mair = 0xff;
	const reg_table *t = aarch64_arch.regs;
	walk_log log;
	paddr_t pa;

	d = l2 | 3;
	bus_copy_to(&m->bus, l1 + ((va >> 30) & 511) * 8, &d, 8);
	d = l3 | 3;
	bus_copy_to(&m->bus, l2 + ((va >> 21) & 511) * 8, &d, 8);
	d = 0x40500000 | 3 | 1 << 10 | 1 << 6 | 1ull << 54;	/* EL0 RW, UXN */
	bus_copy_to(&m->bus, l3 + ((va >> 12) & 511) * 8, &d, 8);
	aarch64_arch.reg_write(c, regtab_find(t, "TCR_EL1"), (uint8_t *)&tcr);
	aarch64_arch.reg_write(c, regtab_find(t, "TTBR0_EL1"), (uint8_t *)&ttbr);
	aarch64_arch.reg_write(c, regtab_find(t, "MAIR_EL1"), (uint8_t *)&mair);
	aarch64_arch.reg_write(c, regtab_find(t, "SCTLR_EL1"), (uint8_t *)&sctlr);
	CHECK(aarch64_arch.mmu_enabled(c));
	CHECK_EQ(aarch64_arch.debug_translate(c, va, ACC_READ, &pa, &log), 0);
	CHECK_EQ(pa, 0x40500678);
	CHECK_EQ(log.count, 3);
	CHECK_EQ(log.steps[0].level, 1);
	CHECK_EQ(log.steps[2].level, 3);
	CHECK_EQ(log.steps[2].desc_addr, l3 + ((va >> 12) & 511) * 8);
	CHECK(strstr(log.result, "PA 0x40500678") != NULL);
	/* EL1 cannot execute an EL0-writable page */
	CHECK(aarch64_arch.debug_translate(c, va, ACC_EXEC, &pa, &log) < 0);
	CHECK(strstr(log.result, "permission") != NULL);
	CHECK(aarch64_arch.debug_translate(c, va + 0x1000, ACC_READ, &pa, &log) < 0);
	CHECK(strstr(log.result, "translation fault, level 3") != NULL);
	sctlr = 0x30d00800;
	aarch64_arch.reg_write(c, regtab_find(t, "SCTLR_EL1"), (uint8_t *)&sctlr);
}

static void set_reg(cpu *c, const char *name, uint64_t v)
{
	CHECK_EQ(aarch64_arch.reg_write(c, regtab_find(aarch64_arch.regs, name), (uint8_t *)&v), 0);
}

static uint64_t get_reg(cpu *c, const char *name)
{
	uint64_t v = 0;
	aarch64_arch.reg_read(c, regtab_find(aarch64_arch.regs, name), (uint8_t *)&v);
	return v;
}

/* The guest's own debug hardware at EL1: OS lock open, MDE and KDE set,
 * PSTATE.D clear, vectors at 0x40200000. */
static a64_cpu *guest_debug_on(const uint32_t *prog, size_t bytes)
{
	a64_cpu *s = h_run(m, prog, bytes, 0);
	cpu *c = &s->c;
	static const uint32_t vector[] = { 0xd503201f, 0x14000000 };	/* nop; b . */

	bus_copy_to(&m->bus, 0x40200200, vector, sizeof(vector));

	set_reg(c, "VBAR_EL1", 0x40200000);
	set_reg(c, "OSLAR_EL1", 0);
	set_reg(c, "MDSCR_EL1", 0xa000);
	set_reg(c, "cpsr", 0x1c5);
	return s;
}

/* A guest watchpoint on the address the debugger watches too: each owner
 * is told once: the debugger stops before the store, then on resume the
 * guest takes its watchpoint exception (EC 0x35) before the same store. */
static void test_guest_and_debugger_watch(void)
{
	cpu *c = m->cpus[0];
	uint64_t zero = 0, v = 1;

	bus_copy_to(&m->bus, 0x40100000, &zero, 8);
	a64_cpu *s = guest_debug_on(prog_ldst, sizeof(prog_ldst));
	set_reg(c, "DBGWVR0_EL1", 0x40100000);
	set_reg(c, "DBGWCR0_EL1", 0x1ff7);	/* E, EL0+EL1, store, 8 bytes */
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_W, 0x40100000, 8), 0);
	CHECK_EQ(aarch64_arch.cpu_run(c, 1000), CPU_EXIT_DEBUG);
	const stop_info *st = dbg_take_stop(m);
	CHECK_EQ(st->reason, STOP_WATCH);
	CHECK_EQ(st->addr, 0x40100000);
	uint64_t str_pc = s->pc;
	uint32_t insn = 0;
	bus_copy_from(&m->bus, str_pc, &insn, 4);
	CHECK_EQ(insn, 0xf9000001);	/* str x1, [x0] */
	dbg_resume(m, NULL);
	aarch64_arch.cpu_run(c, 1);	/* the exception does not count: the nop runs */
	CHECK_EQ(s->pc, 0x40200204);	/* current EL, SP_ELx, synchronous */
	CHECK_EQ(get_reg(c, "ESR_EL1"), 0xd6000062);	/* EC 0x35, IL, WnR, debug */
	CHECK_EQ(get_reg(c, "FAR_EL1"), 0x40100000);
	CHECK_EQ(get_reg(c, "ELR_EL1"), str_pc);
	bus_copy_from(&m->bus, 0x40100000, &v, 8);
	CHECK_EQ(v, 0);			/* neither let the store through */
	dbg_bp_remove(m, BP_WATCH_W, 0x40100000, 8);
	set_reg(c, "DBGWCR0_EL1", 0);
}

/* The same for a breakpoint: the debugger's stop, then the guest's
 * breakpoint exception (EC 0x31, FAR 0) at the same instruction. */
static void test_guest_and_debugger_break(void)
{
	cpu *c = m->cpus[0];
	uint64_t bp = CODE_BASE + 8;

	a64_cpu *s = guest_debug_on(prog_branch, sizeof(prog_branch));
	set_reg(c, "DBGBVR2_EL1", bp);
	set_reg(c, "DBGBCR2_EL1", 0x1e7);
	CHECK_EQ(get_reg(c, "DBGBCR2_EL1"), 0x1e7);
	CHECK_EQ(dbg_bp_insert(m, BP_HW, bp, 4), 0);
	CHECK_EQ(aarch64_arch.cpu_run(c, 1000), CPU_EXIT_DEBUG);
	CHECK_EQ(dbg_take_stop(m)->reason, STOP_HWBREAK);
	CHECK_EQ(s->pc, bp);
	dbg_resume(m, NULL);
	aarch64_arch.cpu_run(c, 1);
	CHECK_EQ(s->pc, 0x40200204);
	CHECK_EQ(get_reg(c, "ESR_EL1"), 0xc6000022);
	CHECK_EQ(get_reg(c, "ELR_EL1"), bp);
	CHECK_EQ(get_reg(c, "FAR_EL1"), 0);
	dbg_bp_remove(m, BP_HW, bp, 4);
	/* BAS[1] reads as BAS[0], BAS[3] as BAS[2] (QEMU's DBGBCR write) */
	set_reg(c, "DBGBCR2_EL1", 0xa0);
	CHECK_EQ(get_reg(c, "DBGBCR2_EL1"), 0x1e0);
	set_reg(c, "DBGBCR2_EL1", 0);
	set_reg(c, "MDSCR_EL1", 0);
}

/* With nothing enabled no page is flagged and no data page stays out of
 * the TLB: the debug hardware costs nothing unused. */
static void test_guest_debug_unused(void)
{
	a64_cpu *s = h_run(m, prog_branch, sizeof(prog_branch), 0);
	a64_core *k = (a64_core *)s;

	set_reg(&s->c, "DBGBVR0_EL1", CODE_BASE + 8);
	set_reg(&s->c, "DBGBCR0_EL1", 0x1e7);	/* enabled, but MDE clear */
	CHECK(!k->hw.bp_on && !k->hw.wp_on && !k->hw.ss_on);
	set_reg(&s->c, "MDSCR_EL1", 0x8000);
	CHECK(k->hw.bp_on);
	set_reg(&s->c, "OSLAR_EL1", 1);		/* OS lock: nothing fires */
	CHECK(!k->hw.bp_on);
	set_reg(&s->c, "OSLAR_EL1", 0);
	set_reg(&s->c, "DBGBCR0_EL1", 0);
	set_reg(&s->c, "MDSCR_EL1", 0);
	CHECK(!k->hw.bp_on);
}

static void test_models(void)
{
	cpu fake = { .index = 17 };

	h_opt.cpu_model = "cortex-a53";
	machine *ma = h_machine();
	a64_cpu *s = A64(ma->cpus[0]);
	CHECK_EQ(s->sys[A64R_MIDR_EL1], 0x410fd034);
	CHECK_EQ(s->sys[A64R_ID_AA64ISAR0_EL1], 0x11120);	/* AES+PMULL, SHA1, SHA2, CRC32, no LSE */
	CHECK_EQ(s->sys[A64R_ID_AA64MMFR0_EL1] >> 28 & 15, 0);	/* 4K granule */
	CHECK_EQ(s->sys[A64R_ID_AA64PFR0_EL1], 0x22);	/* QEMU's; GIC added at read time */
	CHECK_EQ(s->sys[A64R_ID_AA64MMFR0_EL1], 0x1122);	/* 40-bit PA */
	CHECK_EQ(s->sys[A64R_DCZID_EL0], 4);
	CHECK_EQ(s->sys[A64R_CTR_EL0], 0x84448004);	/* a53: VIPT I-cache */
	h_free(ma);
	h_opt.cpu_model = "cortex-a57";
	ma = h_machine();
	s = A64(ma->cpus[0]);
	CHECK_EQ(s->sys[A64R_CTR_EL0], 0x8444c004);	/* a57: PIPT, as QEMU */
	CHECK_EQ(s->sys[A64R_ID_AA64DFR0_EL1], 0x10305106);	/* 6 bp, 4 wp, 2 ctx, PMUv3 */
	CHECK_EQ(s->sys[A64R_OSLSR_EL1], 0xa);	/* OS lock locked at reset */
	h_free(ma);
	h_opt.cpu_model = NULL;
	CHECK_EQ(a64_mpidr(&fake), 0x80000101);	/* Aff1 = 1, Aff0 = 1: 16 CPUs per cluster */
}

int main(void)
{
	m = h_machine();
	RUN(test_breakpoint);
	RUN(test_watchpoint);
	RUN(test_watch_neighbours);
	RUN(test_step);
	RUN(test_step_into_exception);
	RUN(test_regs);
	RUN(test_walk_log);
	RUN(test_guest_and_debugger_watch);
	RUN(test_guest_and_debugger_break);
	RUN(test_guest_debug_unused);
	RUN(test_models);
	h_free(m);
	return CHECK_DONE();
}
