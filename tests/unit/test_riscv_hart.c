/* RV64 hart unit tests on a bare machine (one or two harts, 16 MB of RAM
 * at 0x80000000, no board): register table, RVC expansion, disassembly,
 * exact instruction counts, breakpoints, watchpoints, self-modifying code,
 * the side-effect-free walker and LR/SC across harts. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/machine.h"
#include "core/debug_internal.h"
#include "core/arch/riscv64/rv.h"

#define RAM 0x80000000ull
#define CODE 0x80010000ull

static kwb_options opt;

static machine *make(int ncpus)
{
	machine *m = kwb_zalloc(sizeof(*m));

	m->opt = &opt;
	m->arch = &riscv64_arch;
	m->ncpus = ncpus;
	bus_add_ram(&m->bus, "ram", RAM, 16 << 20);
	m->dbg = dbg_create(m);
	for (int i = 0; i < ncpus; i++) {
		m->cpus[i] = riscv64_arch.cpu_create(m, i);
		m->cpus[i]->powered = true;
	}
	return m;
}

static void destroy(machine *m)
{
	for (int i = 0; i < m->ncpus; i++)
		riscv64_arch.cpu_free(m->cpus[i]);
	dbg_free(m);
	bus_free(&m->bus);
	free(m);
}

static void load(machine *m, uint64_t pa, const uint32_t *code, size_t n)
{
	bus_copy_to(&m->bus, pa, code, n * 4);
}

static enum cpu_exit run(machine *m, int i, uint64_t pc, int64_t n)
{
	cpu *c = m->cpus[i];
	enum cpu_exit e;

	if (pc)
		riscv64_arch.set_pc(c, pc);
	m->current = c;
	e = riscv64_arch.cpu_run(c, n);
	m->current = NULL;
	return e;
}

static uint64_t reg(machine *m, int i, int idx)
{
	uint8_t buf[8] = { 0 };
	uint64_t v;
	CHECK(riscv64_arch.reg_read(m->cpus[i], idx, buf) == 0);
	memcpy(&v, buf, 8);
	return v;
}

static void setreg(machine *m, int i, int idx, uint64_t v)
{
	uint8_t buf[8];
	memcpy(buf, &v, 8);
	CHECK(riscv64_arch.reg_write(m->cpus[i], idx, buf) == 0);
}

/* addi a0,zero,0; addi a1,zero,10; 1: addi a0,a0,3; addi a1,a1,-1; bnez a1,1b */
static const uint32_t loop[] = { 0x00000513, 0x00a00593, 0x00350513, 0xfff58593, 0xfe059ce3 };

static void test_register_table(void)
{
	const reg_table *t = &riscv64_regs;
	bool seen[4096] = { false };

	CHECK(!strcmp(t->gdb_arch, "riscv:rv64"));
	CHECK_EQ(t->nfeatures, 4);
	CHECK_EQ(regtab_find(t, "pc"), 32);
	CHECK_EQ(regtab_find(t, "ft0"), 33);
	CHECK_EQ(regtab_find(t, "fcsr"), 67);
	CHECK_EQ(regtab_find(t, "priv"), 68);
	CHECK(t->regs[regtab_find(t, "sp")].flags & REGF_EXPEDITE);
	CHECK(t->regs[regtab_find(t, "s0")].flags & REGF_EXPEDITE);
	CHECK(t->regs[regtab_find(t, "time")].flags & REGF_VOLATILE);
	CHECK_EQ(t->regs[regtab_find(t, "mstatus")].encoding, 0x300);
	CHECK_EQ(regtab_find_encoding(t, 0x180), regtab_find(t, "satp"));
	for (int i = 0; i < t->count; i++) {
		uint32_t e = t->regs[i].encoding;
		if (!e)
			continue;
		CHECK(e < 4096 && !seen[e]);	/* each CSR once */
		seen[e] = true;
		/* CSR dispatch comes from the table */
		CHECK_EQ(rv_csr_index(e), i);
	}
	CHECK(seen[0xF14] && seen[0x3B0 + 15] && seen[0xB1F] && seen[0x33F]);
	CHECK_EQ(rv_csr_index(0x7c0), (uint64_t)-1);
}

static void test_rvc_expand(void)
{
	CHECK_EQ(rv_expand_rvc(0x4515), 0x00500513);	/* c.li a0,5 */
	CHECK_EQ(rv_expand_rvc(0x051d), 0x00750513);	/* c.addi a0,7 */
	CHECK_EQ(rv_expand_rvc(0xa009), 0x0020006f);	/* c.j +2 */
	CHECK_EQ(rv_expand_rvc(0x8082), 0x00008067);	/* c.jr ra */
	CHECK_EQ(rv_expand_rvc(0x9002), 0x00100073);	/* c.ebreak */
	CHECK_EQ(rv_expand_rvc(0x4532), 0x00c12503);	/* c.lwsp a0,12(sp) */
	CHECK_EQ(rv_expand_rvc(0xe588), 0x00a5b423);	/* c.sd a0,8(a1) */
	CHECK_EQ(rv_expand_rvc(0xdd65), 0xfe050ce3);	/* c.beqz a0,-8 */
	CHECK_EQ(rv_expand_rvc(0x0000), 0);		/* illegal */
	CHECK_EQ(rv_expand_rvc(0x6101), 0);		/* c.addi16sp 0: reserved */
	CHECK_EQ(rv_expand_rvc(0x4002), 0);		/* c.lwsp x0: reserved */
}

static void test_disasm(void)
{
	char buf[64];

	CHECK_EQ(riscv64_arch.disasm(NULL, 0, 0x00500513, buf, sizeof(buf)), 4);
	CHECK(!strcmp(buf, "addi      a0,zero,5"));
	riscv64_arch.disasm(NULL, 0, 0x30529073, buf, sizeof(buf));
	CHECK(!strcmp(buf, "csrrw     zero,mtvec,t0"));
	riscv64_arch.disasm(NULL, 0, 0x02c5b553, buf, sizeof(buf));
	CHECK(!strcmp(buf, "fadd.d    fa0,fa1,fa2"));
	riscv64_arch.disasm(NULL, 0, 0x06b6252f, buf, sizeof(buf));
	CHECK(!strcmp(buf, "amoadd.w  a0,a1,(a2)"));
	CHECK_EQ(riscv64_arch.disasm(NULL, 0x1000, 0x8082, buf, sizeof(buf)), 2);
	CHECK(!strcmp(buf, "c.jalr    zero,0(ra)"));
	riscv64_arch.disasm(NULL, 0x1000, 0xfe059ce3, buf, sizeof(buf));
	CHECK(!strcmp(buf, "bne       a1,zero,0xff8"));
	riscv64_arch.disasm(NULL, 0, 0x00100073, buf, sizeof(buf));
	CHECK(!strcmp(buf, "ebreak"));
	riscv64_arch.disasm(NULL, 0, 0xffffffff, buf, sizeof(buf));
	CHECK(!strcmp(buf, ".4byte 0xffffffff"));
	/* Zb* and Zihintpause (encodings from binutils 2.40) */
	static const struct { uint32_t insn; const char *text; } zb[] = {
		{ 0x20c5a533, "sh1add    a0,a1,a2" },
		{ 0x6b85d513, "rev8      a0,a1" },
		{ 0x0100000f, "pause" },
		{ 0x2bf59513, "bseti     a0,a1,63" },
		{ 0x0ac5b533, "clmulh    a0,a1,a2" },
		{ 0x0805c53b, "zext.h    a0,a1" },
		{ 0x0805853b, "add.uw    a0,a1,zero" },
		{ 0x0a85951b, "slli.uw   a0,a1,40" },
		{ 0x6075d51b, "roriw     a0,a1,7" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(zb); i++) {
		riscv64_arch.disasm(NULL, 0, zb[i].insn, buf, sizeof(buf));
		if (strcmp(buf, zb[i].text))
			printf("  %08x: \"%s\", expected \"%s\"\n", zb[i].insn, buf, zb[i].text);
		CHECK(!strcmp(buf, zb[i].text));
	}
}

static void test_exact_counts(void)
{
	machine *m = make(1);
	cpu *c = m->cpus[0];

	load(m, CODE, loop, 5);
	CHECK_EQ(run(m, 0, CODE, 7), CPU_EXIT_BUDGET);
	CHECK_EQ(c->icount, 7);
	CHECK_EQ(reg(m, 0, 10), 6);		/* two trips */
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0x10);
	/* single steps */
	for (int i = 0; i < 3; i++) {
		c->step_remaining = 1;
		CHECK_EQ(run(m, 0, 0, 1000), CPU_EXIT_DEBUG);
		CHECK_EQ(c->step_remaining, 0);
		dbg_take_stop(m);
	}
	CHECK_EQ(c->icount, 10);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0x10);
	CHECK_EQ(run(m, 0, 0, 1000), CPU_EXIT_BUDGET);
	CHECK_EQ(reg(m, 0, 10), 30);
	destroy(m);
}

/* A step whose instruction traps ends at the trap vector. */
static void test_step_into_trap(void)
{
	machine *m = make(1);
	cpu *c = m->cpus[0];
	static const uint32_t ecall[] = { 0x00000073 };

	load(m, CODE, ecall, 1);
	setreg(m, 0, RV_mtvec, CODE + 0x200);
	riscv64_arch.set_pc(c, CODE);
	c->step_remaining = 1;
	CHECK_EQ(run(m, 0, 0, 1000), CPU_EXIT_DEBUG);
	CHECK_EQ(dbg_take_stop(m)->reason, STOP_STEP);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0x200);
	CHECK_EQ(reg(m, 0, RV_mepc), CODE);
	CHECK_EQ(reg(m, 0, RV_mcause), 11);
	CHECK_EQ(c->icount, 1);
	destroy(m);
}

static void test_breakpoint_and_watchpoint(void)
{
	machine *m = make(1);
	cpu *c = m->cpus[0];
	/* sd a0,0(t0); addi a0,a0,1; sd a0,0(t0) */
	static const uint32_t store[] = { 0x00a2b023, 0x00150513, 0x00a2b023 };
	uint64_t v = 0;

	load(m, CODE, loop, 5);
	CHECK_EQ(dbg_bp_insert(m, BP_SW, CODE + 8, 4), 0);
	CHECK_EQ(run(m, 0, CODE, 1000), CPU_EXIT_DEBUG);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 8);
	CHECK_EQ(reg(m, 0, 10), 0);		/* not executed */
	CHECK_EQ(c->icount, 2);
	CHECK_EQ(dbg_take_stop(m)->reason, STOP_SWBREAK);
	dbg_bp_remove(m, BP_SW, CODE + 8, 4);
	CHECK_EQ(run(m, 0, 0, 1000), CPU_EXIT_BUDGET);
	CHECK_EQ(reg(m, 0, 10), 30);

	load(m, CODE + 0x1000, store, 3);
	setreg(m, 0, 5, RAM + 0x8000);
	setreg(m, 0, 10, 7);
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_W, RAM + 0x8000, 8), 0);
	CHECK_EQ(run(m, 0, CODE + 0x1000, 3), CPU_EXIT_DEBUG);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0x1000);	/* stopped before the store */
	bus_copy_from(&m->bus, RAM + 0x8000, &v, 8);
	CHECK_EQ(v, 0);
	dbg_take_stop(m);
	dbg_bp_remove(m, BP_WATCH_W, RAM + 0x8000, 8);
	CHECK_EQ(run(m, 0, 0, 3), CPU_EXIT_BUDGET);
	bus_copy_from(&m->bus, RAM + 0x8000, &v, 8);
	CHECK_EQ(v, 8);
	destroy(m);
}

/*
 * A watched page stays cached: accesses that touch no watched byte use the
 * host pointer (rv_watch_pass), the others stop. A loop runs long enough
 * for its page's TLB entries to be filled and reused (and the JIT to
 * compile it), storing and loading around a write watchpoint on bytes 3-4
 * of a doubleword; then a halfword store to bytes 4-5 stops before itself.
 */
static void test_watch_neighbours(void)
{
	machine *m = make(1);
	cpu *c = m->cpus[0];
	/* 1: sb a0,2(t0); sb a0,5(t0); ld a1,0(t0); lh a3,4(t0); sd a0,8(t0);
	 * sw a0,-4(t0); addi a2,a2,-1; bnez a2,1b; sh a0,4(t0); sb a0,3(t0) */
	static const uint32_t prog[] = { 0x00a28123, 0x00a282a3, 0x0002b583, 0x00429683, 0x00a2b423,
					 0xfea2ae23, 0xfff60613, 0xfe0612e3, 0x00a29223, 0x00a281a3 };
	uint64_t x = RAM + 0x8100, v;

	load(m, CODE, prog, 10);
	setreg(m, 0, 5, x);
	setreg(m, 0, 10, 0x1111);
	setreg(m, 0, 12, 300);
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_W, x + 3, 2), 0);
	CHECK_EQ(run(m, 0, CODE, 100000), CPU_EXIT_DEBUG);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0x20);	/* sh a0,4(t0): not executed */
	CHECK_EQ(c->icount, 300 * 8);
	CHECK_EQ(dbg_take_stop(m)->reason, STOP_WATCH);
	bus_copy_from(&m->bus, x, &v, 8);
	CHECK_EQ(v, 0x0000110000110000ull);	/* bytes 2 and 5 written, 3-4 not */
	CHECK_EQ(reg(m, 0, 11), v);
	CHECK_EQ(reg(m, 0, 13), 0x1100);
	dbg_bp_remove(m, BP_WATCH_W, x + 3, 2);

	/* one watched byte: the store to 4-5 goes through, the byte store to 3 stops */
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_W, x + 3, 1), 0);
	CHECK_EQ(run(m, 0, 0, 100000), CPU_EXIT_DEBUG);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0x24);
	CHECK_EQ(c->icount, 300 * 8 + 1);
	dbg_take_stop(m);
	dbg_bp_remove(m, BP_WATCH_W, x + 3, 1);

	/* a read watchpoint: loads of bytes it covers stop, stores do not */
	setreg(m, 0, 12, 300);
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_R, x + 5, 1), 0);
	CHECK_EQ(run(m, 0, CODE, 100000), CPU_EXIT_DEBUG);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0x8);		/* ld a1,0(t0) covers byte 5 */
	CHECK_EQ(dbg_take_stop(m)->reason, STOP_RWATCH);
	dbg_bp_remove(m, BP_WATCH_R, x + 5, 1);
	CHECK_EQ(dbg_bp_insert(m, BP_WATCH_R, x + 12, 4), 0);	/* only sd 8..15 touches it: a store */
	setreg(m, 0, 12, 300);
	CHECK_EQ(run(m, 0, CODE, 300 * 8), CPU_EXIT_BUDGET);
	CHECK_EQ(reg(m, 0, 12), 0);
	dbg_bp_remove(m, BP_WATCH_R, x + 12, 4);
	destroy(m);
}

/* A loop across a page boundary (falling into the next page, a jump
 * back): the chain continues on the other page without returning to the
 * loop (rv_next_page), and the budget still counts every instruction. */
static void test_counts_across_pages(void)
{
	machine *m = make(1);
	cpu *c = m->cpus[0];
	/* addi a0,a0,1 x3 (the third on the next page); jalr zero,0(t0) */
	static const uint32_t prog[] = { 0x00150513, 0x00150513, 0x00150513, 0x00028067 };

	load(m, CODE + 0xff8, prog, 4);
	setreg(m, 0, 5, CODE + 0xff8);
	CHECK_EQ(run(m, 0, CODE + 0xff8, 4), CPU_EXIT_BUDGET);
	CHECK_EQ(reg(m, 0, 10), 3);
	CHECK_EQ(run(m, 0, 0, 4001), CPU_EXIT_BUDGET);
	CHECK_EQ(c->icount, 4005);
	CHECK_EQ(reg(m, 0, 10), 3 + 3000 + 1);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0xffc);
	CHECK_EQ(run(m, 0, 0, 2), CPU_EXIT_BUDGET);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0x1004);
	destroy(m);
}

/* One instruction at a time (here for an execute trigger) carries on into
 * the next page: falling off a page's end must not continue the fast chain
 * there, past the trigger's check (the difftest PC pass and -d exec use the
 * same path). */
static void test_trigger_after_page_end(void)
{
	machine *m = make(1);
	/* csrw tdata2,t1; csrw tdata1,t2; nop; addi a0,a0,1 (the page's last);
	 * addi a0,a0,1; addi a0,a0,1 (the trigger's) */
	static const uint32_t prog[] = { 0x7a231073, 0x7a139073, 0x00000013, 0x00150513, 0x00150513, 0x00150513 };

	static const uint32_t nop = 0x00000013;

	load(m, CODE + 0xff0, prog, 6);
	load(m, CODE + 0x200, &nop, 1);
	setreg(m, 0, RV_mtvec, CODE + 0x200);
	setreg(m, 0, 6, CODE + 0x1004);
	CHECK_EQ(run(m, 0, CODE + 0xff0, 6), CPU_EXIT_BUDGET);	/* both pages in the exec TLB */
	CHECK_EQ(reg(m, 0, 10), 3);
	setreg(m, 0, 10, 0);
	setreg(m, 0, 7, (2ull << 60) | (1u << 6) | (1u << 2));	/* mcontrol: M, execute */
	CHECK_EQ(run(m, 0, CODE + 0xff0, 6), CPU_EXIT_BUDGET);	/* 5, the trap, the vector's nop */
	CHECK_EQ(reg(m, 0, RV_mcause), 3);
	CHECK_EQ(reg(m, 0, RV_mepc), CODE + 0x1004);
	CHECK_EQ(reg(m, 0, 10), 2);
	destroy(m);
}

/* Code written by DMA (not a hart's store, so not snooped) runs after a
 * fence.i; a fence.i with no such write since the last one keeps the
 * decoded pages, so the DMA must be what makes it drop them. */
static void test_fence_i_after_dma(void)
{
	machine *m = make(1);
	static const uint32_t a[] = { 0x00100513, 0x00030067 };	/* addi a0,zero,1; jalr zero,0(t1) */
	static const uint32_t b[] = { 0x0000100f, 0x00028067 };	/* fence.i; jalr zero,0(t0) */
	static const uint32_t two = 0x00200513;			/* addi a0,zero,2 */

	load(m, CODE, a, 2);
	load(m, CODE + 0x100, b, 2);
	setreg(m, 0, 5, CODE);
	setreg(m, 0, 6, CODE + 0x100);
	CHECK_EQ(run(m, 0, CODE, 5), CPU_EXIT_BUDGET);	/* addi, jalr, fence.i, jalr, addi */
	CHECK_EQ(reg(m, 0, 10), 1);
	CHECK_EQ(bus_copy_to(&m->bus, CODE, &two, 4), 0);	/* a device writes the code */
	CHECK_EQ(run(m, 0, 0, 1), CPU_EXIT_BUDGET);		/* jalr: still decoded */
	CHECK_EQ(run(m, 0, 0, 3), CPU_EXIT_BUDGET);		/* fence.i, jalr, addi */
	CHECK_EQ(reg(m, 0, 10), 2);
	destroy(m);
}

static void test_self_modifying_code(void)
{
	machine *m = make(1);
	static const uint32_t a[] = { 0x00100513 };	/* addi a0,zero,1 */
	/* sw t1,0(t0); jalr zero,0(t0) */
	static const uint32_t b[] = { 0x0062a023, 0x00028067 };

	load(m, CODE, a, 1);
	load(m, CODE + 0x100, b, 2);
	run(m, 0, CODE, 1);
	CHECK_EQ(reg(m, 0, 10), 1);
	setreg(m, 0, 5, CODE);
	setreg(m, 0, 6, 0x00200513);			/* addi a0,zero,2 */
	run(m, 0, CODE + 0x100, 3);
	CHECK_EQ(reg(m, 0, 10), 2);			/* the store was seen */
	destroy(m);
}

static void test_priv_and_debug_walk(void)
{
	machine *m = make(1);
	cpu *c = m->cpus[0];
	uint64_t root = RAM + 0x100000, l1 = RAM + 0x101000, l0 = RAM + 0x102000;
	uint64_t pte, va = 0x40003123, pa = 0;
	walk_log log;

	CHECK(!strcmp(riscv64_arch.mode_name(c), "M"));
	setreg(m, 0, RV_priv, 1);
	CHECK(!strcmp(riscv64_arch.mode_name(c), "S"));
	CHECK(!riscv64_arch.mmu_enabled(c));
	/* Sv39: root[1] -> l1[0] -> l0[3] = leaf RW without A/D */
	pte = (l1 >> 12) << 10 | 1;
	bus_copy_to(&m->bus, root + 8, &pte, 8);
	pte = (l0 >> 12) << 10 | 1;
	bus_copy_to(&m->bus, l1, &pte, 8);
	pte = ((RAM + 0x200000) >> 12) << 10 | 7;
	bus_copy_to(&m->bus, l0 + 3 * 8, &pte, 8);
	setreg(m, 0, RV_satp, 8ull << 60 | root >> 12);
	CHECK(riscv64_arch.mmu_enabled(c));
	CHECK_EQ(riscv64_arch.debug_translate(c, va, ACC_READ, &pa, &log), 0);
	CHECK_EQ(pa, RAM + 0x200123);
	CHECK_EQ(log.count, 3);
	CHECK_EQ(log.steps[0].desc_addr, root + 8);
	CHECK_EQ(log.steps[2].desc_addr, l0 + 3 * 8);
	CHECK(!strncmp(log.result, "PA 0x80200123", 13));
	bus_copy_from(&m->bus, l0 + 3 * 8, &pte, 8);
	CHECK_EQ(pte & 0xc0, 0);			/* no A/D from the debugger */
	CHECK_EQ(riscv64_arch.debug_translate(c, 0x40004000, ACC_READ, &pa, &log), -1);
	CHECK(strstr(log.result, "page fault") != NULL);
	CHECK_EQ(riscv64_arch.debug_translate(c, 0x4000000000ull, ACC_READ, &pa, &log), -1);
	/* an unsupported satp MODE is ignored */
	setreg(m, 0, RV_satp, 3ull << 60);
	CHECK_EQ(reg(m, 0, RV_satp) >> 60, 8);
	/* back to M: translation off */
	setreg(m, 0, RV_priv, 3);
	CHECK(!riscv64_arch.mmu_enabled(c));
	CHECK_EQ(riscv64_arch.debug_translate(c, 0x1234, ACC_READ, &pa, NULL), 0);
	CHECK_EQ(pa, 0x1234);
	/* priv only takes 0, 1, 3 */
	{
		uint8_t buf[8] = { 2 };
		CHECK_EQ(riscv64_arch.reg_write(c, RV_priv, buf), -1);
	}
	destroy(m);
}

static void test_lr_sc_across_harts(void)
{
	machine *m = make(2);
	/* lr.d t1,(a2); sc.d a0,t1,(a2) */
	static const uint32_t lrsc[] = { 0x1006332f, 0x1866352f };
	/* sd zero,0(a2) */
	static const uint32_t st[] = { 0x00063023 };

	load(m, CODE, lrsc, 2);
	load(m, CODE + 0x100, st, 1);
	setreg(m, 0, 12, RAM + 0x9000);
	setreg(m, 1, 12, RAM + 0x9000);
	/* undisturbed: SC succeeds */
	run(m, 0, CODE, 2);
	CHECK_EQ(reg(m, 0, 10), 0);
	/* hart 1 stores between hart 0's LR and SC: SC fails */
	run(m, 0, CODE, 1);
	run(m, 1, CODE + 0x100, 1);
	run(m, 0, 0, 1);
	CHECK_EQ(reg(m, 0, 10), 1);
	destroy(m);
}

/* Debugger writes of the counters read back what was written and count
 * on from there; a CSR write happens instead of the writing instruction's
 * own increment (csrwi minstret,0; csrr a0,minstret gives 0). */
static void test_counter_writes(void)
{
	machine *m = make(1);
	/* csrwi minstret,0; csrr a0,minstret; nop; csrr a1,minstret;
	 * csrwi mcycle,5; csrr a2,mcycle */
	static const uint32_t code[] = { 0xb0205073, 0xb0202573, 0x00000013, 0xb02025f3,
					 0xb002d073, 0xb0002673 };
	int minstret = regtab_find(&riscv64_regs, "minstret");
	int mcycle = regtab_find(&riscv64_regs, "mcycle");

	load(m, CODE, code, 6);
	run(m, 0, CODE, 100);		/* runs on into zeros: illegal traps */
	CHECK_EQ(reg(m, 0, 10), 0);
	CHECK_EQ(reg(m, 0, 11), 2);
	CHECK_EQ(reg(m, 0, 12), 5);
	/* the debugger: set $minstret = 0 reads back 0, then counts */
	setreg(m, 0, minstret, 0);
	CHECK_EQ(reg(m, 0, minstret), 0);
	setreg(m, 0, mcycle, 1000);
	CHECK_EQ(reg(m, 0, mcycle), 1000);
	load(m, CODE + 0x1000, loop, 5);	/* (CODE's page is decoded already) */
	CHECK_EQ(run(m, 0, CODE + 0x1000, 7), CPU_EXIT_BUDGET);
	CHECK_EQ(reg(m, 0, minstret), 7);
	CHECK_EQ(reg(m, 0, mcycle), 1007);
	/* mcountinhibit.IR freezes minstret for the debugger too */
	setreg(m, 0, regtab_find(&riscv64_regs, "mcountinhibit"), 4);
	CHECK_EQ(run(m, 0, CODE + 0x1000, 5), CPU_EXIT_BUDGET);
	CHECK_EQ(reg(m, 0, minstret), 7);
	CHECK_EQ(reg(m, 0, mcycle), 1012);
	destroy(m);
}

/* A fetch fault runs no instruction: it does not count (QEMU's -icount
 * agrees); a fault again with nothing run in between (the vector itself
 * cannot be fetched) counts, so such a loop still advances time. */
static void test_fetch_fault_counts(void)
{
	machine *m = make(1);
	cpu *c = m->cpus[0];
	/* jr a0 (a0 = 0x1000: nothing there); handler: nop; nop */
	static const uint32_t code[] = { 0x00050067 };
	static const uint32_t handler[] = { 0x00000013, 0x00000013 };
	int mtvec = regtab_find(&riscv64_regs, "mtvec"), mepc = regtab_find(&riscv64_regs, "mepc");

	load(m, CODE, code, 1);
	load(m, CODE + 0x100, handler, 2);
	setreg(m, 0, 10, 0x1000);
	setreg(m, 0, mtvec, CODE + 0x100);
	CHECK_EQ(run(m, 0, CODE, 2), CPU_EXIT_BUDGET);	/* jr, (fault), nop */
	CHECK_EQ(c->icount, 2);
	CHECK_EQ(reg(m, 0, RV_pc), CODE + 0x104);
	CHECK_EQ(reg(m, 0, mepc), 0x1000);
	/* the vector faults too: from the second fault on, each counts */
	setreg(m, 0, mtvec, 0x2000);
	CHECK_EQ(run(m, 0, CODE, 4), CPU_EXIT_BUDGET);	/* jr, (fault), fault, fault, fault */
	CHECK_EQ(c->icount, 6);
	CHECK_EQ(reg(m, 0, mepc), 0x2000);
	destroy(m);
}

int main(void)
{
	RUN(test_register_table);
	RUN(test_rvc_expand);
	RUN(test_disasm);
	RUN(test_exact_counts);
	RUN(test_step_into_trap);
	RUN(test_breakpoint_and_watchpoint);
	RUN(test_watch_neighbours);
	RUN(test_self_modifying_code);
	RUN(test_fence_i_after_dma);
	RUN(test_counts_across_pages);
	RUN(test_trigger_after_page_end);
	RUN(test_priv_and_debug_walk);
	RUN(test_lr_sc_across_harts);
	RUN(test_counter_writes);
	RUN(test_fetch_fault_counts);
	return CHECK_DONE();
}
