/*
 * A template JIT for hot straight-line RISC-V code (x86-64 hosts).
 *
 * A block is a run of decoded slots on one page, from a hot branch target
 * up to and including a jal (or up to the first instruction it has no
 * template for); a conditional branch taken inside it is a side exit that
 * counts the instructions run so far, not taken it goes on. It is compiled to host code with the guest registers it
 * uses held in host registers, and installed as the handler of its first
 * slot, so the threaded interpreter reaches it like any handler: same
 * signature, same budget protocol (rv.h), same results. It runs only when
 * the budget covers the whole block (else the first slot's own handler
 * runs), counts its instructions when it leaves, and a branch back to its
 * own start loops inside it while the budget allows.
 *
 * Everything that is not the common case leaves the block before the
 * instruction concerned, with the guest registers written back, into the
 * interpreter's handler for that slot and the budget it would have had:
 * a TLB miss (slow path: MMIO, faults, watchpoints, code pages, -d mem),
 * a store while an LR reservation is held. So traps, time, breakpoints and
 * traces are the interpreter's. Breakpoint slots (op_bp) end a block, and
 * a page whose breakpoint marks change is decoded again (decode.c), which
 * drops its blocks; so do code writes and fence.i. The code buffer is
 * dropped with all decoded pages when it is full. KWB_JIT=0 turns it off.
 */
#include <stddef.h>
#include <stdlib.h>

#include "rv.h"
#include "rv_ops.h"

#if defined(__x86_64__)
#include "../../jit_regs.h"

#define JIT_MAX_INSNS 96
#define JIT_FOLLOW 32		/* blocks compiled per hot loop at most */
#define JIT_MIN_INSNS 2	/* shortest block compiled that does not loop */
#define JIT_BLOCK_ROOM (JIT_MAX_INSNS * 256 + 1024)	/* worst case per block */

static int jit_enabled = -1;

static bool jit_on(void)
{
	if (jit_enabled < 0) {
		const char *e = getenv("KWB_JIT");
		jit_enabled = !(e && e[0] == '0');
	}
	return jit_enabled && !rv_planted_addi_bug;
}

/* A block's code starts after a header holding the first slot's own
 * handler (what runs when the budget is short, and what other blocks
 * leave into). */
typedef struct jit_head {
	rv_fn orig;
	uint64_t pad;
} jit_head;

static bool in_buf(rv_shared *sh, const void *p)
{
	return jit_buf_holds(sh->jit_buf, p);
}

/* The interpreter's handler of a slot (the slot may start a block). */
static rv_fn slot_fn(rv_shared *sh, const rv_insn *d)
{
	if (in_buf(sh, (const void *)d->fn))
		return ((const jit_head *)((const uint8_t *)d->fn - sizeof(jit_head)))->orig;
	return d->fn;
}

enum kind { K_NONE, K_ALU_R, K_ALU_I, K_ALU_RW, K_ALU_IW, K_SHIFT_I, K_SHIFT_IW, K_SHIFT_R, K_SHIFT_RW,
	    K_SLT, K_SLTI, K_MUL, K_MULW, K_MULH, K_LUI, K_AUIPC, K_LOAD, K_STORE, K_BRANCH, K_JAL };

typedef struct tmpl {
	rv_fn fn;
	enum kind kind;
	int op;		/* x86 ALU op / shift ext / condition / mul ext */
	int size;	/* loads/stores */
	bool sign;
} tmpl;

static const tmpl tmpls[] = {
	{ op_add, K_ALU_R, X_ADD, 0, 0 }, { op_sub, K_ALU_R, X_SUB, 0, 0 },
	{ op_and, K_ALU_R, X_AND, 0, 0 }, { op_or, K_ALU_R, X_OR, 0, 0 }, { op_xor, K_ALU_R, X_XOR, 0, 0 },
	{ op_addi, K_ALU_I, XI_ADD, 0, 0 }, { op_andi, K_ALU_I, XI_AND, 0, 0 },
	{ op_ori, K_ALU_I, XI_OR, 0, 0 }, { op_xori, K_ALU_I, XI_XOR, 0, 0 },
	{ op_addw, K_ALU_RW, X_ADD, 0, 0 }, { op_subw, K_ALU_RW, X_SUB, 0, 0 },
	{ op_addiw, K_ALU_IW, XI_ADD, 0, 0 },
	{ op_slli, K_SHIFT_I, XS_SHL, 0, 0 }, { op_srli, K_SHIFT_I, XS_SHR, 0, 0 },
	{ op_srai, K_SHIFT_I, XS_SAR, 0, 0 },
	{ op_slliw, K_SHIFT_IW, XS_SHL, 0, 0 }, { op_srliw, K_SHIFT_IW, XS_SHR, 0, 0 },
	{ op_sraiw, K_SHIFT_IW, XS_SAR, 0, 0 },
	{ op_sll, K_SHIFT_R, XS_SHL, 0, 0 }, { op_srl, K_SHIFT_R, XS_SHR, 0, 0 },
	{ op_sra, K_SHIFT_R, XS_SAR, 0, 0 },
	{ op_sllw, K_SHIFT_RW, XS_SHL, 0, 0 }, { op_srlw, K_SHIFT_RW, XS_SHR, 0, 0 },
	{ op_sraw, K_SHIFT_RW, XS_SAR, 0, 0 },
	{ op_slt, K_SLT, XC_L, 0, 0 }, { op_sltu, K_SLT, XC_B, 0, 0 },
	{ op_slti, K_SLTI, XC_L, 0, 0 }, { op_sltiu, K_SLTI, XC_B, 0, 0 },
	{ op_mul, K_MUL, 0, 0, 0 }, { op_mulw, K_MULW, 0, 0, 0 },
	{ op_mulhu, K_MULH, 4, 0, 0 }, { op_mulh, K_MULH, 5, 0, 0 },
	{ op_lui, K_LUI, 0, 0, 0 }, { op_auipc, K_AUIPC, 0, 0, 0 },
	{ op_lb, K_LOAD, 0, 1, true }, { op_lh, K_LOAD, 0, 2, true }, { op_lw, K_LOAD, 0, 4, true },
	{ op_ld, K_LOAD, 0, 8, false }, { op_lbu, K_LOAD, 0, 1, false }, { op_lhu, K_LOAD, 0, 2, false },
	{ op_lwu, K_LOAD, 0, 4, false },
	{ op_sb, K_STORE, 0, 1, 0 }, { op_sh, K_STORE, 0, 2, 0 }, { op_sw, K_STORE, 0, 4, 0 },
	{ op_sd, K_STORE, 0, 8, 0 },
	{ op_beq, K_BRANCH, XC_E, 0, 0 }, { op_bne, K_BRANCH, XC_NE, 0, 0 },
	{ op_blt, K_BRANCH, XC_L, 0, 0 }, { op_bge, K_BRANCH, XC_GE, 0, 0 },
	{ op_bltu, K_BRANCH, XC_B, 0, 0 }, { op_bgeu, K_BRANCH, XC_AE, 0, 0 },
	{ op_jal, K_JAL, 0, 0, 0 },
};

static const tmpl *find_tmpl(rv_fn fn)
{
	for (size_t i = 0; i < ARRAY_SIZE(tmpls); i++)
		if (tmpls[i].fn == fn)
			return &tmpls[i];
	return NULL;
}

/* Which guest registers an instruction reads and writes (bit masks). */
static void regs_of(const tmpl *t, const rv_insn *d, uint64_t *rd, uint64_t *wr)
{
	*rd = *wr = 0;
	switch (t->kind) {
	case K_ALU_R: case K_ALU_RW: case K_SHIFT_R: case K_SHIFT_RW: case K_SLT: case K_MUL: case K_MULW:
	case K_MULH:
		*rd = 1ull << d->rs1 | 1ull << d->rs2;
		*wr = 1ull << d->rd;
		break;
	case K_ALU_I: case K_ALU_IW: case K_SHIFT_I: case K_SHIFT_IW: case K_SLTI: case K_LOAD:
		*rd = 1ull << d->rs1;
		*wr = 1ull << d->rd;
		break;
	case K_LUI: case K_AUIPC: case K_JAL:
		*wr = 1ull << d->rd;
		break;
	case K_STORE: case K_BRANCH:
		*rd = 1ull << d->rs1 | 1ull << d->rs2;
		break;
	case K_NONE:
		break;
	}
	/* x0 reads as zero from memory; x32 is the write sink */
	*rd &= ~1ull;
	*wr &= ~(1ull | 1ull << 32);
}

/* rdi = hart, rdx = budget, rax/rcx/r11 = scratch; the guest registers in
 * core/jit_regs.h's host registers */
typedef struct jctx {
	xbuf b;
	rv_hart *h;
	jit_regs r;		/* x0 reads as zero, x32 is the write sink */
	/* slow exits, emitted after the block: jump site, slot index; for a
	 * TLB lookup where a hit resumes, the access's size and direction */
	struct { uint8_t *at; const uint8_t *hit; int i, size; bool write; } slow[JIT_MAX_INSNS * 2];	/* a store has two */
	int nslow;
	/* taken conditional branches inside the block, emitted after it:
	 * jump site, target page offset, instructions run */
	struct { uint8_t *at; int64_t off; int n; } side[JIT_MAX_INSNS];
	int nside;
	int len;		/* the block's instructions */
} jctx;

#define XOFF(r) ((int32_t)(offsetof(rv_hart, x) + 8 * (size_t)(r)))
#define HOFF(f) ((int32_t)offsetof(rv_hart, f))
/* The watched bytes of TLB entry e (rcx = &tlb[0][0] + e) are at
 * wbits[e], a fixed distance from the entry: rcx + WBITS(wbits, tlb) */
#define WBITS(bits, tlb) (HOFF(bits) - HOFF(tlb))
_Static_assert(sizeof(dbg_wbits) == sizeof(rv_tlbe), "wbits parallel to the TLB");

static void get(jctx *j, int r, int t)
{
	jr_get(&j->b, &j->r, r, t);
}

static void put(jctx *j, int r, int t)
{
	jr_put(&j->b, &j->r, r, t);
}

static void write_back(jctx *j)
{
	jr_write_back(&j->b, &j->r);
}

static void pops(jctx *j)
{
	jr_pops(&j->b, &j->r);
}

/* Leave after n instructions (rdx already reduced by n, flags from that
 * sub) to slot s: as rv_dispatch, tail-call it while budget is left,
 * else return it. */
static void exit_to_slot(jctx *j, const rv_insn *s)
{
	uint8_t *ret;

	write_back(j);
	pops(j);
	ret = x_jcc(&j->b, XC_LE);
	x_movi(&j->b, XSI, (uint64_t)(uintptr_t)s);
	x_jmp_m(&j->b, XSI, 0);
	x_patch(&j->b, ret, j->b.p);
	x_store(&j->b, 8, XDI, HOFF(left), XDX);
	x_movi(&j->b, XAX, (uint64_t)(uintptr_t)s);
	x_ret(&j->b);
}

/* Leave the page after n instructions: h->pc = page_va + off (rax is
 * free), as rv_dispatch(h, NULL, left). */
static void exit_off_page(jctx *j, int64_t off, int n)
{
	x_load(&j->b, 8, false, XAX, XDI, HOFF(page_va));
	x_ri(&j->b, true, XI_ADD, XAX, (int32_t)off);
	x_store(&j->b, 8, XDI, HOFF(pc), XAX);
	x_ri(&j->b, true, XI_SUB, XDX, n);
	x_store(&j->b, 8, XDI, HOFF(left), XDX);
	write_back(j);
	pops(j);
	x_movi(&j->b, XAX, 0);
	x_ret(&j->b);
}

/* Control goes to page offset `off` after n instructions. */
static void exit_to(jctx *j, const rv_insn *page, int64_t off, int n, const uint8_t *top, const rv_insn *head)
{
	if ((uint64_t)off >= 4096) {
		exit_off_page(j, off, n);
		return;
	}
	x_ri(&j->b, true, XI_SUB, XDX, n);
	if (page + (off >> 1) == head) {
		/* its own start: loop while the budget covers the block */
		x_ri(&j->b, true, XI_CMP, XDX, j->len);
		x_patch(&j->b, x_jcc(&j->b, XC_GE), top);
		x_ri(&j->b, true, XI_CMP, XDX, 0);
	}
	exit_to_slot(j, page + (off >> 1));
}

/*
 * A TLB lookup that missed, on its way out: an entry that is the access's
 * own but for RV_TLB_WATCH serves the access as a hit does when it touches
 * no watched byte (rv_watch_pass): first the page's range of watched bytes
 * (one compare: most accesses are outside it), then the byte of the
 * bitmap covering the access (aligned, at most 8 bytes: one byte). In:
 * rax = va, r11 = its key ^ the entry's tag, rcx = the entry. Jumps to
 * `hit` with rax, rcx as they were; otherwise falls through (r11, flags
 * clobbered) to the exit.
 */
static void watch_pass(jctx *j, int32_t wbits, int size, const uint8_t *hit)
{
	xbuf *b = &j->b;

	x_ri(b, true, XI_CMP, X11, (int32_t)RV_TLB_WATCH);
	jr_watch_pass(b, wbits, size, hit, x_jcc(b, XC_NE));
}

static void slow_exit_here(jctx *j, int i)
{
	j->slow[j->nslow].at = x_jcc(&j->b, XC_NE);
	j->slow[j->nslow].hit = NULL;
	j->slow[j->nslow].i = i;
	j->nslow++;
}

/* The TLB fast path: va in rax; on a hit rax = host address, else leave
 * into the slot's handler. */
static void tlb_lookup(jctx *j, bool write, int size, int i)
{
	xbuf *b = &j->b;

	x_mov(b, XCX, XAX);
	x_shi(b, true, XS_SHR, XCX, 12);
	x_ri(b, false, XI_AND, XCX, RV_TLB_SIZE - 1);
	x_shi(b, true, XS_SHL, XCX, 4);
	_Static_assert(sizeof(rv_tlbe) == 16, "TLB entry size");
	x_rm(b, true, X_ADD, XCX, XDI, write ? HOFF(tw) : HOFF(tr));
	x_mov(b, X11, XAX);
	x_ri(b, true, XI_AND, X11, (int32_t)(~0xfffu | (unsigned)(size - 1)));
	x_rm(b, true, X_XOR, X11, XCX, (int32_t)offsetof(rv_tlbe, tag));
	slow_exit_here(j, i);	/* r11 = key ^ tag: RV_TLB_WATCH alone on a watched page */
	/* a page with a watchpoint: its exit checks the bytes first */
	j->slow[j->nslow - 1].hit = b->p;
	j->slow[j->nslow - 1].size = size;
	j->slow[j->nslow - 1].write = write;
	x_rm(b, true, X_ADD, XAX, XCX, (int32_t)offsetof(rv_tlbe, add));
}

/* Compile one instruction (slot index i in the block); returns false when
 * it ended the block (a branch: its exits are emitted). */
static bool emit_insn(jctx *j, const tmpl *t, const rv_insn *d, const rv_insn *page, int i, int n,
		      const uint8_t *top, const rv_insn *head)
{
	xbuf *b = &j->b;
	int64_t off = (int64_t)((d - page) << 1);

	switch (t->kind) {
	case K_ALU_R:
		get(j, d->rs1, XAX);
		get(j, d->rs2, XCX);
		x_rr(b, true, (unsigned)t->op, XAX, XCX);
		put(j, d->rd, XAX);
		break;
	case K_ALU_RW:
		get(j, d->rs1, XAX);
		get(j, d->rs2, XCX);
		x_rr(b, false, (unsigned)t->op, XAX, XCX);
		x_sext32(b, XAX, XAX);
		put(j, d->rd, XAX);
		break;
	case K_ALU_I:
		get(j, d->rs1, XAX);
		x_ri(b, true, t->op, XAX, d->imm);
		put(j, d->rd, XAX);
		break;
	case K_ALU_IW:
		get(j, d->rs1, XAX);
		x_ri(b, false, t->op, XAX, d->imm);
		x_sext32(b, XAX, XAX);
		put(j, d->rd, XAX);
		break;
	case K_SHIFT_I:
		get(j, d->rs1, XAX);
		x_shi(b, true, t->op, XAX, (unsigned)d->imm & 63);
		put(j, d->rd, XAX);
		break;
	case K_SHIFT_IW:
		get(j, d->rs1, XAX);
		x_shi(b, false, t->op, XAX, (unsigned)d->imm & 31);
		x_sext32(b, XAX, XAX);
		put(j, d->rd, XAX);
		break;
	case K_SHIFT_R:
		get(j, d->rs1, XAX);
		get(j, d->rs2, XCX);
		x_shcl(b, true, t->op, XAX);
		put(j, d->rd, XAX);
		break;
	case K_SHIFT_RW:
		get(j, d->rs1, XAX);
		get(j, d->rs2, XCX);
		x_shcl(b, false, t->op, XAX);
		x_sext32(b, XAX, XAX);
		put(j, d->rd, XAX);
		break;
	case K_SLT:
		get(j, d->rs1, XAX);
		get(j, d->rs2, XCX);
		x_rr(b, true, X_CMP, XAX, XCX);
		x_setcc(b, t->op, XAX);
		put(j, d->rd, XAX);
		break;
	case K_SLTI:
		get(j, d->rs1, XAX);
		x_ri(b, true, XI_CMP, XAX, d->imm);
		x_setcc(b, t->op, XAX);
		put(j, d->rd, XAX);
		break;
	case K_MUL:
	case K_MULW:
		get(j, d->rs1, XAX);
		get(j, d->rs2, XCX);
		x_imul(b, t->kind == K_MUL, XAX, XCX);
		if (t->kind == K_MULW)
			x_sext32(b, XAX, XAX);
		put(j, d->rd, XAX);
		break;
	case K_MULH:
		get(j, d->rs1, XAX);
		get(j, d->rs2, XCX);
		x_mov(b, X11, XDX);
		x_mul1(b, t->op, XCX);
		x_mov(b, XAX, XDX);
		x_mov(b, XDX, X11);
		put(j, d->rd, XAX);
		break;
	case K_LUI:
		x_movi(b, XAX, (uint64_t)(int64_t)d->imm);
		put(j, d->rd, XAX);
		break;
	case K_AUIPC:
		x_load(b, 8, false, XAX, XDI, HOFF(page_va));
		x_ri(b, true, XI_ADD, XAX, (int32_t)(off + d->imm));
		put(j, d->rd, XAX);
		break;
	case K_LOAD:
		get(j, d->rs1, XAX);
		if (d->imm)
			x_ri(b, true, XI_ADD, XAX, d->imm);
		tlb_lookup(j, false, t->size, i);
		x_load(b, t->size, t->sign, XAX, XAX, 0);
		put(j, d->rd, XAX);
		break;
	case K_STORE:
		x_load(b, 8, false, XAX, XDI, HOFF(sh));
		x_mi(b, false, XI_CMP, XAX, (int32_t)offsetof(rv_shared, nresv), 0);
		slow_exit_here(j, i);
		get(j, d->rs1, XAX);
		if (d->imm)
			x_ri(b, true, XI_ADD, XAX, d->imm);
		tlb_lookup(j, true, t->size, i);
		get(j, d->rs2, XCX);
		x_store(b, t->size, XAX, 0, XCX);
		break;
	case K_BRANCH:
		get(j, d->rs1, XAX);
		get(j, d->rs2, XCX);
		x_rr(b, true, X_CMP, XAX, XCX);
		if (i < n - 1) {
			/* taken: a side exit after i + 1 instructions (out of
			 * line); not taken: the block goes on */
			j->side[j->nside].at = x_jcc(b, t->op);
			j->side[j->nside].off = off + d->imm;
			j->side[j->nside].n = i + 1;
			j->nside++;
			break;
		}
		{
			uint8_t *taken = x_jcc(b, t->op);
			exit_to(j, page, off + 2 * d->step, n, top, head);
			x_patch(b, taken, b->p);
			exit_to(j, page, off + d->imm, n, top, head);
		}
		return false;
	case K_JAL:
		x_load(b, 8, false, XAX, XDI, HOFF(page_va));
		x_ri(b, true, XI_ADD, XAX, (int32_t)(off + 2 * d->step));
		put(j, d->rd, XAX);
		exit_to(j, page, off + d->imm, n, top, head);
		return false;
	case K_NONE:
		break;
	}
	return true;
}

static void buf_init(rv_shared *sh)
{
	sh->jit_buf = jit_buf_map();
	sh->jit_used = 0;
	if (!sh->jit_buf)
		jit_enabled = 0;
}

/* Compile the block starting at slot `head` of the page being executed;
 * the slots where control goes next on the page are added to next[]. */
static bool compile(rv_hart *h, rv_insn *head, const rv_insn **next, int *nnext)
{
	rv_shared *sh = h->sh;
	const rv_insn *page = h->page;
	const tmpl *t[JIT_MAX_INSNS];
	const rv_insn *d = head;
	uint64_t reads = 0, writes = 0;
	int n = 0, uses[33] = { 0 };
	bool ends_in_branch = false, ok, loops = false;
	jctx *j;
	uint8_t *start, *top;
	jit_head hd = { slot_fn(sh, head), 0 };

	/* the instructions: decoded slots with a template, up to a branch */
	while (n < JIT_MAX_INSNS && d < page + RV_PAGE_SLOTS) {
		const tmpl *k = find_tmpl(slot_fn(sh, d));
		uint64_t r, w;

		if (!k || (d + d->step) > page + RV_PAGE_SLOTS)
			break;
		regs_of(k, d, &r, &w);
		reads |= r;
		writes |= w;
		for (int x = 1; x < 32; x++)
			uses[x] += (int)((r >> x & 1) + (w >> x & 1));
		t[n++] = k;
		if (k->kind == K_BRANCH || k->kind == K_JAL) {
			/* where control goes next: branch targets on the page */
			int64_t o = (int64_t)((d - page) << 1) + d->imm;
			if (o >= 0 && o < 4096)
				next[(*nnext)++] = page + (o >> 1);
			loops |= page + (o >> 1) == head;
		}
		if (k->kind == K_JAL) {
			ends_in_branch = true;
			break;
		}
		d += d->step;
	}
	/* and past the block's end (a branch there falls through too) */
	if (ends_in_branch)
		;
	else if (n && t[n - 1]->kind == K_BRANCH)
		next[(*nnext)++] = d;
	else if (d < page + RV_PAGE_SLOTS && d->step)
		next[(*nnext)++] = n == JIT_MAX_INSNS ? d : d + d->step;
	/* entering and leaving a block costs about what interpreting a few
	 * instructions does: short blocks that do not loop stay interpreted */
	if (!loops && n < JIT_MIN_INSNS)
		return false;
	if (!sh->jit_buf)
		buf_init(sh);
	if (!sh->jit_buf)
		return false;
	if (sh->jit_used + JIT_BLOCK_ROOM > JIT_BUF_SIZE) {
		sh->flush_pending = true;	/* everything goes, at the next safe point */
		return false;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return false;
	j->h = h;
	j->len = n;
	start = sh->jit_buf + sh->jit_used;
	memcpy(start, &hd, sizeof(hd));
	j->b.p = start + sizeof(hd);
	j->b.end = sh->jit_buf + JIT_BUF_SIZE;

	/* the most used guest registers get host registers */
	jr_alloc(&j->r, XOFF(0), 0xffffffffull, 0, uses, 33, loops, writes);

	/* entry: the whole block must fit in the budget */
	x_ri(&j->b, true, XI_CMP, XDX, n);
	{
		uint8_t *ok = x_jcc(&j->b, XC_GE);
		x_movi(&j->b, XAX, (uint64_t)(uintptr_t)hd.orig);
		x_jmp_r(&j->b, XAX);
		x_patch(&j->b, ok, j->b.p);
	}
	jr_enter(&j->b, &j->r);
	top = j->b.p;
	d = head;
	for (int i = 0; i < n; i++) {
		if (!emit_insn(j, t[i], d, page, i, n, top, head))
			break;
		d += d->step;
		if (i == n - 1) {	/* no branch: fall through to the next slot */
			x_ri(&j->b, true, XI_SUB, XDX, n);
			exit_to_slot(j, d);
		}
	}
	/* side exits: taken branches inside the block */
	for (int s = 0; s < j->nside; s++) {
		x_patch(&j->b, j->side[s].at, j->b.p);
		exit_to(j, page, j->side[s].off, j->side[s].n, top, head);
	}
	/* slow exits: into the slot's own handler with the budget it has */
	d = head;
	for (int i = 0, s = 0; s < j->nslow; i++, d += d->step) {
		while (s < j->nslow && j->slow[s].i == i) {
			x_patch(&j->b, j->slow[s].at, j->b.p);
			if (j->slow[s].hit)
				watch_pass(j, j->slow[s].write ? WBITS(wbits_w, tlb_w) : WBITS(wbits_r, tlb_r),
					   j->slow[s].size, j->slow[s].hit);
			if (i)
				x_ri(&j->b, true, XI_SUB, XDX, i);
			write_back(j);
			pops(j);
			x_movi(&j->b, XSI, (uint64_t)(uintptr_t)d);
			x_movi(&j->b, XAX, (uint64_t)(uintptr_t)slot_fn(sh, d));
			x_jmp_r(&j->b, XAX);
			s++;
		}
	}
	(void)reads;
	ok = !j->b.full;
	if (ok) {
		sh->jit_used = (size_t)(j->b.p - sh->jit_buf + 15) & ~(size_t)15;
		head->fn = (rv_fn)(void *)(start + sizeof(hd));
		sh->jit_blocks++;
	}
	free(j);
	return ok;
}

/* A backward branch on this page was taken often: compile its target,
 * and the blocks control reaches from there on the page (a loop body with
 * branches and instructions without templates in it), a few at most. */
void rv_jit_hot(rv_hart *h, const rv_insn *target)
{
	rv_dpage *dp = (rv_dpage *)((uint8_t *)h->page - offsetof(rv_dpage, e));
	const rv_insn *todo[JIT_FOLLOW + JIT_MAX_INSNS + 2];
	int ntodo = 1, done = 0;

	dp->hot = 0;
	if (dp == h->xpage || !jit_on())
		return;
	todo[0] = target;
	while (ntodo && done < JIT_FOLLOW) {
		const rv_insn *d = todo[--ntodo];

		if (in_buf(h->sh, (const void *)d->fn) || d >= h->page + RV_PAGE_SLOTS)
			continue;
		done++;
		if (compile(h, (rv_insn *)d, todo, &ntodo))
			dp->jit++;
		if (ntodo > JIT_FOLLOW)
			ntodo = JIT_FOLLOW;
	}
}

void rv_jit_reset(rv_shared *sh)
{
	sh->jit_used = 0;
}

void rv_jit_free(rv_shared *sh)
{
	jit_buf_unmap(sh->jit_buf);
	sh->jit_buf = NULL;
}

#else	/* no JIT for this host */

void rv_jit_hot(rv_hart *h, const rv_insn *target)
{
	((rv_dpage *)((uint8_t *)h->page - offsetof(rv_dpage, e)))->hot = 0;
	(void)target;
}

void rv_jit_reset(rv_shared *sh)
{
	(void)sh;
}

void rv_jit_free(rv_shared *sh)
{
	(void)sh;
}

#endif
