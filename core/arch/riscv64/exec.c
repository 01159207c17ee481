/*
 * Integer, memory, atomic and system instruction handlers, and the
 * execution loop. Handlers return the next slot on the same page, or
 * NULL after setting h->pc (see rv.h).
 */
#include <string.h>

#include "rv.h"
#include "trace_hooks_rv.h"
#include "rv_ops.h"
#include "../../trace.h"

#define X(r) h->x[r]
#define OP(name) RV_OP(name)
#define NEXT RV_NEXT
#define IMM ((int64_t)d->imm)

static inline uint64_t sx32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)v;
}

/* Continue at target: stay on the page when possible. */
static inline const rv_insn *jump_to(rv_hart *h, uint64_t target, int64_t left)
{
	uint64_t off = target - h->page_va;
	if (off < 4096)
		return rv_dispatch(h, h->page + (off >> 1), left);
	h->pc = target;
	return rv_next_page(h, left - 1);
}

static inline const rv_insn *branch(rv_hart *h, const rv_insn *d, int64_t left)
{
	uint64_t off = ((uint64_t)(d - h->page) << 1) + (uint64_t)IMM;
	if (off < 4096) {
		const rv_insn *t = h->page + (off >> 1);
		/* a loop: its head is compiled when hot (jit.c) */
		if (t <= d && unlikely(++rv_dpage_of(h->page)->hot >= RV_JIT_HOT))
			rv_jit_hot(h, t);
		return rv_dispatch(h, t, left);
	}
	h->pc = h->page_va + off;
	return rv_next_page(h, left - 1);
}

OP(illegal) { RV_ILLEGAL(); }

OP(lui) { X(d->rd) = (uint64_t)IMM; NEXT; }
OP(auipc) { X(d->rd) = rv_pc_of(h, d) + (uint64_t)IMM; NEXT; }
OP(jal)
{
	X(d->rd) = rv_pc_of(h, d) + 2u * d->step;
	return branch(h, d, left);
}
OP(jalr)
{
	uint64_t t = (X(d->rs1) + (uint64_t)IMM) & ~1ull;
	X(d->rd) = rv_pc_of(h, d) + 2u * d->step;
	return jump_to(h, t, left);
}

#define BRANCH(name, cond) \
	OP(name) { \
		uint64_t a = X(d->rs1), b = X(d->rs2); \
		return (cond) ? branch(h, d, left) : rv_dispatch(h, d + d->step, left); \
	}
BRANCH(beq, a == b)
BRANCH(bne, a != b)
BRANCH(blt, (int64_t)a < (int64_t)b)
BRANCH(bge, (int64_t)a >= (int64_t)b)
BRANCH(bltu, a < b)
BRANCH(bgeu, a >= b)

#define ALU_I(name, expr) OP(name) { uint64_t a = X(d->rs1), i = (uint64_t)IMM; (void)i; X(d->rd) = (expr); NEXT; }
/* Difftest self-check (tests/difftest): KWB_DIFFTEST_PLANT_BUG=addi makes
 * addi add one more; set once at hart creation, 0 otherwise. */
uint64_t rv_planted_addi_bug;
ALU_I(addi, a + i + rv_planted_addi_bug)
ALU_I(slti, (int64_t)a < (int64_t)i)
ALU_I(sltiu, a < i)
ALU_I(xori, a ^ i)
ALU_I(ori, a | i)
ALU_I(andi, a & i)
ALU_I(slli, a << (i & 63))
ALU_I(srli, a >> (i & 63))
ALU_I(srai, (uint64_t)((int64_t)a >> (i & 63)))
ALU_I(addiw, sx32(a + i))
ALU_I(slliw, sx32(a << (i & 31)))
ALU_I(srliw, sx32((uint32_t)a >> (i & 31)))
ALU_I(sraiw, (uint64_t)(int64_t)((int32_t)a >> (i & 31)))

#define ALU_R(name, expr) OP(name) { uint64_t a = X(d->rs1), b = X(d->rs2); X(d->rd) = (expr); NEXT; }
ALU_R(add, a + b)
ALU_R(sub, a - b)
ALU_R(sll, a << (b & 63))
ALU_R(slt, (int64_t)a < (int64_t)b)
ALU_R(sltu, a < b)
ALU_R(xor, a ^ b)
ALU_R(srl, a >> (b & 63))
ALU_R(sra, (uint64_t)((int64_t)a >> (b & 63)))
ALU_R(or, a | b)
ALU_R(and, a & b)
ALU_R(addw, sx32(a + b))
ALU_R(subw, sx32(a - b))
ALU_R(sllw, sx32((uint32_t)a << (b & 31)))
ALU_R(srlw, sx32((uint32_t)a >> (b & 31)))
ALU_R(sraw, (uint64_t)(int64_t)((int32_t)a >> (b & 31)))
ALU_R(mul, a * b)
ALU_R(mulh, (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64))
ALU_R(mulhsu, (uint64_t)(((__int128)(int64_t)a * (__int128)b) >> 64))
ALU_R(mulhu, (uint64_t)(((unsigned __int128)a * b) >> 64))
ALU_R(mulw, sx32(a * b))

static uint64_t div64(int64_t a, int64_t b)
{
	if (b == 0)
		return ~0ull;
	if (a == INT64_MIN && b == -1)
		return (uint64_t)a;
	return (uint64_t)(a / b);
}
static uint64_t rem64(int64_t a, int64_t b)
{
	if (b == 0)
		return (uint64_t)a;
	if (a == INT64_MIN && b == -1)
		return 0;
	return (uint64_t)(a % b);
}
ALU_R(div, div64((int64_t)a, (int64_t)b))
ALU_R(divu, b ? a / b : ~0ull)
ALU_R(rem, rem64((int64_t)a, (int64_t)b))
ALU_R(remu, b ? a % b : a)
ALU_R(divw, sx32(div64((int32_t)a, (int32_t)b) & 0xffffffff))
ALU_R(divuw, sx32((uint32_t)b ? (uint32_t)a / (uint32_t)b : ~0u))
ALU_R(remw, sx32(rem64((int32_t)a, (int32_t)b)))
ALU_R(remuw, sx32((uint32_t)b ? (uint32_t)a % (uint32_t)b : (uint32_t)a))

/* ---- loads and stores: TLB fast path, everything else in mmu.c ---- */

/* a hit, or a watched page's access that touches no watched byte */
#define TLB_MATCH(e, va, size, write) \
	((e)->tag == rv_tlb_key(va, size) || unlikely(rv_watch_pass(h, e, write, va, size) != NULL))

#define LOAD(name, type, size) \
	OP(name) { \
		uint64_t va = X(d->rs1) + (uint64_t)IMM, v; \
		const rv_tlbe *e = &h->tr[(va >> 12) & (RV_TLB_SIZE - 1)]; \
		if (likely(TLB_MATCH(e, va, size, false))) { \
			type t; \
			memcpy(&t, (void *)(uintptr_t)(va + e->add), size); \
			X(d->rd) = (uint64_t)t; \
			NEXT; \
		} \
		RV_SYNC_IN(); \
		if (!rv_load_slow(h, d, va, size, &v)) \
			return NULL; \
		RV_SYNC_OUT(); \
		X(d->rd) = (uint64_t)(type)v; \
		NEXT; \
	}
LOAD(lb, int8_t, 1)
LOAD(lh, int16_t, 2)
LOAD(lw, int32_t, 4)
LOAD(ld, uint64_t, 8)
LOAD(lbu, uint8_t, 1)
LOAD(lhu, uint16_t, 2)
LOAD(lwu, uint32_t, 4)

#define STORE(name, size) \
	OP(name) { \
		uint64_t va = X(d->rs1) + (uint64_t)IMM, v = X(d->rs2); \
		const rv_tlbe *e = &h->tw[(va >> 12) & (RV_TLB_SIZE - 1)]; \
		if (likely(TLB_MATCH(e, va, size, true))) { \
			uintptr_t p = (uintptr_t)(va + e->add); \
			if (unlikely(h->sh->nresv)) \
				rv_resv_break_host(h, p, size); \
			memcpy((void *)p, &v, size); \
			NEXT; \
		} \
		RV_SYNC_IN(); \
		if (!rv_store_slow(h, d, va, size, v)) \
			return NULL; \
		RV_SYNC_OUT(); \
		NEXT; \
	}
STORE(sb, 1)
STORE(sh, 2)
STORE(sw, 4)
STORE(sd, 8)

/* ---- A: LR/SC and AMOs ---- */

void rv_resv_clear(rv_hart *h)
{
	if (h->resv_valid) {
		h->resv_valid = false;
		h->sh->nresv--;
	}
}

/* Stores by any hart break reservations on the same 8-byte granule. */
void rv_resv_break_host(rv_hart *h, uintptr_t host, unsigned len)
{
	machine *m = h->c.m;
	for (int i = 0; i < m->ncpus; i++) {
		rv_hart *o = HART(m->cpus[i]);
		if (o->resv_valid && host < o->resv_host + 8 && o->resv_host < host + len)
			rv_resv_clear(o);
	}
}

/* An atomic near the end of a slice ends it first (machine.h says why). */
static bool atomic_cut(rv_hart *h, const rv_insn *d, int64_t left)
{
	h->left = left;
	rv_sync_icount(h);
	if (!machine_cut_before_atomic(h->c.m, &h->c))
		return false;
	h->pc = rv_pc_of(h, d);
	h->exit = CPU_EXIT_REQUEST;	/* not executed, not counted */
	rv_end_block(h);
	return true;
}

#define ATOMIC_CUT() \
	do { \
		if (unlikely(h->c.m->ncpus > 1) && atomic_cut(h, d, left)) \
			return NULL; \
	} while (0)

static const rv_insn *do_lr(rv_hart *h, const rv_insn *d, int64_t left, unsigned size)
{
	uint8_t *p;
	uint64_t v = 0;

	ATOMIC_CUT();
	RV_SYNC_IN();
	p = rv_amo_ptr(h, d, X(d->rs1), size, ACC_READ);
	if (!p)
		return NULL;
	RV_SYNC_OUT();
	memcpy(&v, p, size);
	if (!h->resv_valid)
		h->sh->nresv++;
	h->resv_valid = true;
	h->resv_host = (uintptr_t)p & ~7ull;
	X(d->rd) = size == 4 ? sx32(v) : v;
	NEXT;
}

static const rv_insn *do_sc(rv_hart *h, const rv_insn *d, int64_t left, unsigned size)
{
	uint64_t va = X(d->rs1);
	uint8_t *p;

	/* Without a reservation SC fails and accesses nothing. A misaligned
	 * address cannot hold one (LR traps there): it fails too, without
	 * trapping, as on QEMU 7.2 (which compares the address first). */
	if (!h->resv_valid || (va & (size - 1))) {
		rv_resv_clear(h);
		X(d->rd) = 1;
		NEXT;
	}
	ATOMIC_CUT();
	RV_SYNC_IN();
	p = rv_amo_ptr(h, d, va, size, ACC_WRITE);
	if (!p)
		return NULL;
	RV_SYNC_OUT();
	if (((uintptr_t)p & ~7ull) != h->resv_host) {
		rv_resv_clear(h);
		X(d->rd) = 1;
		NEXT;
	}
	rv_resv_break_host(h, (uintptr_t)p, size);
	memcpy(p, &X(d->rs2), size);
	X(d->rd) = 0;
	NEXT;
}

OP(lr_w) { return do_lr(h, d, left, 4); }
OP(lr_d) { return do_lr(h, d, left, 8); }
OP(sc_w) { return do_sc(h, d, left, 4); }
OP(sc_d) { return do_sc(h, d, left, 8); }

#define AMO(name, type, size, expr) \
	OP(name) { \
		uint8_t *p; \
		type a, b = (type)X(d->rs2), r; \
		ATOMIC_CUT(); \
		RV_SYNC_IN(); \
		p = rv_amo_ptr(h, d, X(d->rs1), size, ACC_READ | ACC_WRITE); \
		if (!p) \
			return NULL; \
		RV_SYNC_OUT(); \
		memcpy(&a, p, size); \
		r = (expr); \
		if (unlikely(h->sh->nresv)) \
			rv_resv_break_host(h, (uintptr_t)p, size); \
		memcpy(p, &r, size); \
		X(d->rd) = (uint64_t)(int64_t)a; \
		NEXT; \
	}
AMO(amoswap_w, int32_t, 4, b)
AMO(amoadd_w, int32_t, 4, (int32_t)((uint32_t)a + (uint32_t)b))
AMO(amoxor_w, int32_t, 4, a ^ b)
AMO(amoand_w, int32_t, 4, a & b)
AMO(amoor_w, int32_t, 4, a | b)
AMO(amomin_w, int32_t, 4, a < b ? a : b)
AMO(amomax_w, int32_t, 4, a > b ? a : b)
AMO(amominu_w, int32_t, 4, (uint32_t)a < (uint32_t)b ? a : b)
AMO(amomaxu_w, int32_t, 4, (uint32_t)a > (uint32_t)b ? a : b)
AMO(amoswap_d, int64_t, 8, b)
AMO(amoadd_d, int64_t, 8, (int64_t)((uint64_t)a + (uint64_t)b))
AMO(amoxor_d, int64_t, 8, a ^ b)
AMO(amoand_d, int64_t, 8, a & b)
AMO(amoor_d, int64_t, 8, a | b)
AMO(amomin_d, int64_t, 8, a < b ? a : b)
AMO(amomax_d, int64_t, 8, a > b ? a : b)
AMO(amominu_d, int64_t, 8, (uint64_t)a < (uint64_t)b ? a : b)
AMO(amomaxu_d, int64_t, 8, (uint64_t)a > (uint64_t)b ? a : b)

/* ---- system ---- */

OP(fence) { NEXT; }
OP(fence_i)
{
	/* The harts' stores are snooped already; this catches other writers
	 * (DMA, devices, the debugger): nothing to drop if none wrote since. */
	uint64_t foreign = h->c.m->bus.foreign_writes;

	if (foreign != h->sh->foreign_seen) {
		h->sh->foreign_seen = foreign;
		h->sh->gen++;
		RV_END_BLOCK();
	}
	NEXT;
}

OP(ecall)
{
	static const uint64_t cause[4] = { EXC_ECALL_U, EXC_ECALL_S, 10, EXC_ECALL_M };
	RV_RAISE(cause[h->priv], 0);
}
/* tval 0, as QEMU 7.2 (the spec allows 0 or the pc) */
OP(ebreak) { RV_RAISE(EXC_BREAKPOINT, 0); }

OP(mret)
{
	uint64_t s = h->mstatus;
	int mpp = (int)((s >> 11) & 3);

	if (h->priv < PRV_M)
		RV_ILLEGAL();
	s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
	s |= MSTATUS_MPIE;
	s &= ~MSTATUS_MPP;
	if (mpp != PRV_M)
		s &= ~MSTATUS_MPRV;
	h->mstatus = s;
	h->priv = mpp;
	rv_resv_clear(h);
	rv_update_mode(h);
	h->pc = h->mepc;
	return rv_dispatch(h, NULL, left);
}

OP(sret)
{
	uint64_t s = h->mstatus;

	if (h->priv < PRV_S || (h->priv == PRV_S && (s & MSTATUS_TSR)))
		RV_ILLEGAL();
	h->priv = (s & MSTATUS_SPP) ? PRV_S : PRV_U;
	s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
	s |= MSTATUS_SPIE;
	s &= ~(MSTATUS_SPP | MSTATUS_MPRV);
	h->mstatus = s;
	rv_resv_clear(h);
	rv_update_mode(h);
	h->pc = h->sepc;
	return rv_dispatch(h, NULL, left);
}

OP(wfi)
{
	if (h->priv == PRV_U || (h->priv == PRV_S && (h->mstatus & MSTATUS_TW)))
		RV_ILLEGAL();
	if (!(rv_mip(h) & h->mie) && !h->c.step_remaining) {
		h->wfi = true;
		RV_END_BLOCK();
	} else if (h->priv == PRV_M && !(h->mstatus & MSTATUS_MIE) && h->c.m->ncpus > 1 && !h->c.step_remaining) {
		/* An interrupt is pending but masked: wfi completes at once
		 * and M-mode code polls in a loop (OpenSBI's secondary harts
		 * waiting to be started) for what only another hart can
		 * change: the rest of the slice goes to the others. */
		h->yield = true;
		RV_END_BLOCK();
	}
	NEXT;
}

OP(sfence_vma)
{
	if (h->priv == PRV_U || (h->priv == PRV_S && (h->mstatus & MSTATUS_TVM)))
		RV_ILLEGAL();
	if (unlikely(trace_on(h->c.m->trace, TRACE_MMU)))
		rv_trace_sfence(h, d->rs1, X(d->rs1), d->rs2, X(d->rs2));
	if (d->rs1)
		rv_tlb_flush_va(h, X(d->rs1));
	else
		rv_tlb_flush(h);
	RV_END_BLOCK();
	NEXT;
}

enum { CSR_RW, CSR_RS, CSR_RC };

static const rv_insn *csr_op(rv_hart *h, const rv_insn *d, int64_t left, int kind, uint64_t src,
			    bool src_zero)
{
	uint32_t csrno = (uint32_t)d->imm & 0xfff;
	int idx = rv_csr_index(csrno);
	bool write = kind == CSR_RW || !src_zero;
	uint64_t old = 0, v;

	RV_SYNC_IN();
	if (!rv_csr_allowed(h, csrno, idx, write))
		return rv_illegal_csr(h, d);
	if ((kind != CSR_RW || d->rd != 32) && !rv_csr_read(h, idx, &old))
		return rv_illegal_csr(h, d);
	if (write) {
		uint64_t base = old;
		/* A read-modify-write of mip uses the software-writable SEIP,
		 * not the PLIC's line ORed into reads (priv spec, mip.SEIP). */
		if (idx == RV_mip)
			base = (old & ~(uint64_t)MIP_SEIP) | (h->mip_sw & MIP_SEIP);
		v = kind == CSR_RW ? src : kind == CSR_RS ? base | src : base & ~src;
		if (!rv_csr_write(h, idx, v))
			return rv_illegal_csr(h, d);
		rv_update_mode(h);
		RV_END_BLOCK();	/* interrupts or translation may have changed */
	}
	X(d->rd) = old;
	NEXT;
}

OP(csrrw) { return csr_op(h, d, left, CSR_RW, X(d->rs1), d->rs1 == 0); }
OP(csrrs) { return csr_op(h, d, left, CSR_RS, X(d->rs1), d->rs1 == 0); }
OP(csrrc) { return csr_op(h, d, left, CSR_RC, X(d->rs1), d->rs1 == 0); }
OP(csrrwi) { return csr_op(h, d, left, CSR_RW, d->rs1, d->rs1 == 0); }
OP(csrrsi) { return csr_op(h, d, left, CSR_RS, d->rs1, d->rs1 == 0); }
OP(csrrci) { return csr_op(h, d, left, CSR_RC, d->rs1, d->rs1 == 0); }

/* ---- the loop ---- */

/* One instruction at a time, with a breakpoint check (breakpoint pages),
 * the guest's execute triggers and an exec trace record (-d exec) before
 * each. */
static const rv_insn *run_page_bp(rv_hart *h, const rv_insn *d)
{
	int64_t left = h->left;

	for (;;) {
		uint64_t pc = rv_pc_of(h, d);
		h->left = left;
		if (rv_slot_is_page_end(d))	/* checked and traced on the next page */
			return d->fn(h, d, left);
		rv_sync_icount(h);	/* the debugger compares icount */
		if ((h->bp_page || rv_slot_is_bp(d)) && h->page != h->xpage->e &&
		    dbg_bp_hit(&h->c, pc, h->page_pa + (pc & 0xfff))) {
			h->exit = CPU_EXIT_DEBUG;
			h->pc = pc;
			return NULL;
		}
		/* a guest trigger (Sdtrig): a breakpoint exception before it */
		if (h->trig.exec && h->page != h->xpage->e && rv_trig_exec_hit(h, pc)) {
			h->left = left;
			rv_take_trap(h, EXC_BREAKPOINT, 0, pc);
			return NULL;
		}
		if (h->trace_exec)
			trace_exec(&h->c, pc, rv_insn_bits(h, d), h->priv);
		/* The handler sees a budget of 1: count the rest of the chunk
		 * as cut meanwhile, so rv_sync_icount (time, mtime) is exact. */
		h->cut += left - 1;
		d = d->fn(h, d, 1);
		h->cut -= left - 1;
		left -= 1 - h->left;	/* 1 if it executed (or trapped) */
		if (!d || h->ended || left <= 0) {
			h->left = left;
			return d;
		}
	}
}

static void maybe_flush(rv_hart *h)
{
	machine *m = h->c.m;

	if (h->bp_gen != dbg_bp_generation(m) || h->bus_gen != m->bus.generation ||
	    h->write_gen != m->bus.write_generation) {	/* (history's epochs: all go, as before) */
		h->bp_gen = dbg_bp_generation(m);
		h->bus_gen = m->bus.generation;
		h->write_gen = m->bus.write_generation;
		rv_tlb_flush(h);
	}
	if (h->sh->flush_pending)
		rv_decode_flush_all(h->sh);
}

#define RV_CHUNK 4096
#define RV_STALL_CHUNKS 64

enum cpu_exit rv_run(cpu *c, int64_t max_insns)
{
	rv_hart *h = HART(c);
	int64_t done = 0;
	int stalled = 0;
	bool stepping = c->step_remaining > 0;

	if (stepping && max_insns > c->step_remaining)
		max_insns = c->step_remaining;
	h->exit = CPU_EXIT_BUDGET;
	h->yield = false;
	h->icount0 = c->icount;
	h->chunk = h->left = h->cut = 0;
	h->running = true;
	h->trace_exec = unlikely(trace_on(c->m->trace, ~0u)) && trace_exec_wanted(c);
	if (unlikely((trace_on(c->m->trace, TRACE_MEM) && trace_mem_wanted(c)) != h->trace_mem)) {
		h->trace_mem = !h->trace_mem;
		rv_tlb_flush(h);	/* on: every data access misses from now on */
	}
	maybe_flush(h);
	if (h->wfi) {
		if (!(rv_mip(h) & h->mie)) {
			h->running = false;
			return CPU_EXIT_WFI;
		}
		h->wfi = false;
	}
	while (done < max_insns) {
		const rv_insn *d;
		int64_t chunk = max_insns - done, ran;

		if (c->exit_request) {
			h->exit = CPU_EXIT_REQUEST;
			break;
		}
		if (unlikely(rv_mip(h) & h->mie) && !(stepping && c->step_mask_irq))
			rv_check_interrupts(h);
		if (chunk > RV_CHUNK)
			chunk = RV_CHUNK;
		h->icount0 = c->icount;
		h->chunk = h->left = chunk;
		h->cut = 0;
		h->ended = false;
		d = rv_enter_page(h);
		if (d) {
			d = h->bp_page || h->trace_exec || h->trig.exec ? run_page_bp(h, d)
									: d->fn(h, d, h->left);
			if (d)
				h->pc = rv_pc_of(h, d);
		}
		ran = chunk - h->left - h->cut;
		c->icount = h->icount0 + (uint64_t)ran;
		done += ran;
		if (h->exit != CPU_EXIT_BUDGET)
			break;
		/* A trap vector that faults on itself retires nothing (a load or
		 * store fault does not count): leave after a run of such chunks,
		 * so the machine loop's guards and debugger still get a turn. */
		if (ran)
			stalled = 0;
		else if (++stalled >= RV_STALL_CHUNKS)
			break;
		if (h->wfi) {
			h->exit = CPU_EXIT_WFI;
			break;
		}
		if (h->yield) {
			h->exit = CPU_EXIT_YIELD;
			break;
		}
		if (h->sh->flush_pending)
			rv_decode_flush_all(h->sh);
	}
	rv_decode_free_zombies(h->sh);
	h->running = false;
	if (stepping) {
		c->step_remaining -= (int)done;
		if (c->step_remaining <= 0 && h->exit != CPU_EXIT_DEBUG) {
			c->step_remaining = 0;
			dbg_report_stop(c->m, c->index, STOP_STEP, h->pc);
			return CPU_EXIT_DEBUG;
		}
	}
	return h->exit;
}
