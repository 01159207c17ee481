/*
 * A template JIT for hot AArch64 code (x86-64 hosts), the same design as
 * core/arch/riscv64/jit.c: a block is a run of decoded slots on one page
 * that runs on past conditional branches (side exits when taken) and
 * through b/bl to its own page (at the target, once) up to another
 * unconditional branch (b, bl, br, blr, ret) or the first instruction it
 * has no template for, compiled with the guest registers it uses (SP
 * included) in host registers for the EL (and SPSel) it runs at, checked
 * at entry, and installed as the handler of its first slot. Blocks start at the target of a backward branch taken often on a
 * page (a loop) and at a slot where chains start often (a64_jit_count: a
 * function entry, a return point), and the blocks reached from there on
 * the page follow. It keeps the threaded handlers' protocol (a64_int.h):
 * it runs only when the chain's budget (end_chain) covers the whole
 * block, else the slot's own handler runs; it adds the instructions it ran
 * to icount and their length to pc when it leaves, as the handlers it
 * replaces would have one by one; a taken branch checks what
 * A64_THREAD_BRANCH checks, and one to another page (b, bl, br, blr, ret)
 * goes on through a64_next_page as the interpreter's do. The compiler
 * decodes the slots it looks at (code past a branch not taken yet). Before
 * any slow path (a TLB miss: MMIO,
 * faults, watchpoints, code pages, -d mem; an SP base not 16-byte
 * aligned; mrs at EL0) it writes the registers back and leaves into the
 * interpreter's handler of that instruction. NZCV are written to PSTATE by
 * every flag-setting instruction; a condition reads the host flags when it
 * follows their instruction, else does a compare again whose sources are
 * unchanged (jctx.remat), else reads PSTATE. Breakpoint slots (t_bp) end blocks;
 * pages are cleared (and their blocks dropped) when their code is written
 * or breakpoints are marked again. KWB_JIT=0 turns it off. Exec tracing
 * (-d exec, the difftest's PC pass) runs one instruction at a time, where
 * no block is compiled or entered: the PC pass checks the interpreter, and
 * tests/boot/jit-boot.test and tests/guest/jit-random.test check the JIT
 * against it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "a64_int.h"
#include "exec.h"

#if defined(__x86_64__)
#include "../../jit_regs.h"

#define JIT_MAX_INSNS 96
#define JIT_FOLLOW 8
#define JIT_NEXT_CAP (JIT_FOLLOW + 3)	/* room in the list of blocks to compile next */
#define JIT_ENTRY_FOLLOW 4	/* blocks compiled from a hot entry at most */
#define JIT_MIN_INSNS 6	/* shortest block compiled that does not loop */
#define JIT_BLOCK_ROOM (JIT_MAX_INSNS * 512 + 1024)

static int jit_enabled = -1;

static bool jit_on(void)
{
	if (jit_enabled < 0) {
		const char *e = getenv("KWB_JIT");
		jit_enabled = !(e && e[0] == '0');
	}
	return jit_enabled;
}

typedef struct jit_head {
	a64_tfn orig;
	uint64_t pad;
} jit_head;

static bool in_buf(a64_shared *sh, const void *p)
{
	return jit_buf_holds(sh->jit_buf, p);
}

static a64_tfn slot_fn(a64_shared *sh, const a64_dent *d)
{
	if (in_buf(sh, (const void *)d->fn))
		return ((const jit_head *)((const uint8_t *)d->fn - sizeof(jit_head)))->orig;
	return d->fn;
}

enum kind { K_NONE, K_ADDSUB_IMM, K_ADDSUB_REG, K_LOGIC_REG, K_LOGIC_IMM, K_MOVEWIDE, K_CSEL, K_MADD,
	    K_MULH, K_LDST_UIMM, K_LDST_REG, K_LDST_IDX, K_LDSTP, K_NOP, K_B, K_BCOND, K_CBZ, K_TBZ,
	    K_BITFIELD, K_ADC, K_CCMP, K_ADDSUB_EXT, K_LDST_UNSC, K_ADR, K_BR, K_MRS, K_SHIFTV, K_EXTR,
	    K_EXCL, K_SYNC, K_DAIF, K_DCZVA, K_DIV, K_DP1 };

/* SP as an operand: guest register 32 in the register cache (31 is XZR) */
#define SPR 32

static bool is_branch(enum kind k)
{
	return k == K_B || k == K_BCOND || k == K_CBZ || k == K_TBZ || k == K_BR;
}

static unsigned ibits(uint32_t v, int hi, int lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* Which operands are SP rather than XZR where the field is 31: a
 * load/store base, and add/sub (immediate, extended register) Rn and a Rd
 * that sets no flags. */
static bool sp_base(enum kind k)
{
	return k == K_LDST_UIMM || k == K_LDST_REG || k == K_LDST_IDX || k == K_LDSTP || k == K_LDST_UNSC ||
	       k == K_EXCL;
}

static bool sp_addsub(enum kind k)
{
	return k == K_ADDSUB_IMM || k == K_ADDSUB_EXT;
}

/* The template for an instruction word, K_NONE when there is none.
 * Register 31 is SP where the instruction says so (64-bit forms only). */
static enum kind classify(uint32_t i)
{
	/* hints but WFE/WFI (NOPs on this CPU: PAC, BTI, YIELD...), DMB, DSB */
	if ((i & 0xfffff01f) == 0xd503201f) {
		unsigned op = ibits(i, 11, 5);
		return op == 2 || op == 3 ? K_NONE : K_NOP;
	}
	if ((i & 0xfffff0ff) == 0xd503309f || (i & 0xfffff0ff) == 0xd50330bf)
		return K_NOP;
	if ((i & 0x1f800000) == 0x13000000) {	/* sbfm/bfm/ubfm */
		bool sf = i >> 31;
		if (ibits(i, 30, 29) == 3 || (i >> 22 & 1) != sf || (!sf && (i >> 15 & 1 || i >> 21 & 1)))
			return K_NONE;
		return K_BITFIELD;
	}
	if ((i & 0x1fe0fc00) == 0x1a000000)	/* adc/adcs/sbc/sbcs */
		return K_ADC;
	if ((i & 0x1fe00410) == 0x1a400000 && (i >> 29 & 1))	/* ccmn/ccmp reg/imm */
		return K_CCMP;
	if ((i & 0x1fe00000) == 0x0b200000) {	/* add/sub extended register */
		bool s = i >> 29 & 1;
		if (ibits(i, 12, 10) > 4)
			return K_NONE;	/* a reserved shift */
		if (!(i >> 31) && (ibits(i, 9, 5) == 31 || (!s && ibits(i, 4, 0) == 31)))
			return K_NONE;	/* WSP */
		return K_ADDSUB_EXT;
	}
	if ((i & 0x1f800000) == 0x11000000) {	/* add/sub imm */
		bool s = i >> 29 & 1;
		if (!(i >> 31) && (ibits(i, 9, 5) == 31 || (!s && ibits(i, 4, 0) == 31)))
			return K_NONE;	/* WSP */
		return K_ADDSUB_IMM;
	}
	if ((i & 0x1f000000) == 0x10000000)	/* adr/adrp */
		return K_ADR;
	if ((i & 0xfe1ffc1f) == 0xd61f0000 && ibits(i, 24, 21) <= 2)	/* br, blr, ret */
		return K_BR;
	/* mrs at EL1 of SP_EL0 (the kernel's `current`), DAIF and the
	 * registers read as stored (TPIDR_EL1, CTR_EL0, DCZID_EL0...) */
	if ((i & 0xfff00000) == 0xd5300000) {
		int idx = a64_sysreg_index(i >> 5 & 0xffff);
		return idx == A64R_SP_EL0 || idx == A64R_DAIF || (idx >= 0 && a64_sysreg_plain_read(idx)) ? K_MRS
													   : K_NONE;
	}
	if ((i & 0xfffff0ff) == 0xd50330df)	/* isb */
		return K_SYNC;
	if ((i & 0xffffffe0) == 0xd51b4220 || (i & 0xfffff0df) == 0xd50340df)	/* msr daif, daifset, daifclr */
		return K_DAIF;
	if ((i & 0xffffffe0) == 0xd50b7420)	/* dc zva */
		return K_DCZVA;
	if ((i & 0x3f000000) == 0x08000000) {	/* ldxr/stxr/ldaxr/stlxr, ldar/stlr (not pairs, CAS, LOR) */
		if (i >> 21 & 1 || (i >> 23 & 1 && !(i >> 15 & 1)))
			return K_NONE;
		return K_EXCL;
	}
	if ((i & 0x7fe0f800) == 0x1ac00800)	/* udiv/sdiv */
		return K_DIV;
	if ((i & 0x7fff0000) == 0x5ac00000) {	/* rev16, rev32/rev, rev, clz */
		unsigned op = ibits(i, 15, 10);
		return op >= 1 && op <= 4 && (op != 3 || i >> 31) ? K_DP1 : K_NONE;
	}
	/* prfm (immediate, unscaled, literal): no access, no fault */
	if (((i & 0xffc00000) == 0xf9800000 || (i & 0xffe00c00) == 0xf8800000) && ibits(i, 9, 5) != 31)
		return K_NOP;
	if ((i & 0xff000000) == 0xd8000000)
		return K_NOP;
	if ((i & 0x7fe0f000) == 0x1ac02000)	/* lslv/lsrv/asrv/rorv */
		return K_SHIFTV;
	if ((i & 0x7fa00000) == 0x13800000) {	/* extr, ror (immediate) */
		if ((i >> 22 & 1) != i >> 31 || (!(i >> 31) && ibits(i, 15, 10) >= 32))
			return K_NONE;
		return K_EXTR;
	}
	if ((i & 0x1f200000) == 0x0b000000) {	/* add/sub shifted reg */
		if (ibits(i, 23, 22) == 3 || (!(i >> 31) && (i >> 15 & 1)))
			return K_NONE;
		return K_ADDSUB_REG;
	}
	if ((i & 0x1f000000) == 0x0a000000) {	/* logical shifted reg */
		if (!(i >> 31) && (i >> 15 & 1))
			return K_NONE;
		return K_LOGIC_REG;
	}
	if ((i & 0x1f800000) == 0x12000000) {	/* logical imm */
		uint64_t m;
		if (ibits(i, 30, 29) != 3 && ibits(i, 4, 0) == 31)
			return K_NONE;	/* SP destination */
		if (!a64_bitmask(i >> 22 & 1, ibits(i, 15, 10), ibits(i, 21, 16), i >> 31, &m))
			return K_NONE;
		return K_LOGIC_IMM;
	}
	if ((i & 0x1f800000) == 0x12800000) {	/* move wide */
		if (ibits(i, 30, 29) == 1 || (!(i >> 31) && (i >> 22 & 1)))
			return K_NONE;
		return K_MOVEWIDE;
	}
	if ((i & 0x1fe00800) == 0x1a800000 && !(i >> 29 & 1))	/* csel/csinc/csinv/csneg */
		return K_CSEL;
	if ((i & 0x7fe00000) == 0x1b000000)	/* madd/msub (32/64) */
		return K_MADD;
	if ((i & 0xffe08000) == 0x9bc00000 || (i & 0xffe08000) == 0x9b400000)	/* umulh/smulh */
		return K_MULH;
	if ((i & 0x3b000000) == 0x39000000 && !(i >> 26 & 1)) {	/* ldr/str unsigned offset */
		unsigned size = i >> 30, opc = ibits(i, 23, 22);
		if ((opc == 2 && size == 3) || (opc == 3 && size >= 2))
			return K_NONE;
		return K_LDST_UIMM;
	}
	if ((i & 0x3b200c00) == 0x38000000 && !(i >> 26 & 1)) {	/* ldur/stur: unscaled imm9 */
		unsigned size = i >> 30, opc = ibits(i, 23, 22);
		if ((opc == 2 && size == 3) || (opc == 3 && size >= 2))
			return K_NONE;
		return K_LDST_UNSC;
	}
	if ((i & 0x3b200c00) == 0x38200800 && !(i >> 26 & 1)) {	/* register offset */
		unsigned size = i >> 30, opc = ibits(i, 23, 22), opt = ibits(i, 15, 13);
		if ((opc == 2 && size == 3) || (opc == 3 && size >= 2) || !(opt & 2))
			return K_NONE;
		return K_LDST_REG;
	}
	if ((i & 0x3b200400) == 0x38000400 && !(i >> 26 & 1)) {	/* pre/post-index imm9 */
		unsigned size = i >> 30, opc = ibits(i, 23, 22);
		if ((opc == 2 && size == 3) || (opc == 3 && size >= 2) ||
		    (opc && ibits(i, 9, 5) != 31 && ibits(i, 9, 5) == ibits(i, 4, 0)))
			return K_NONE;
		return K_LDST_IDX;
	}
	if ((i & 0x7e000000) == 0x28000000 && !(i >> 26 & 1)) {	/* ldp/stp w/x */
		unsigned opc = i >> 30, idx = ibits(i, 24, 23), rn = ibits(i, 9, 5);
		bool load = i >> 22 & 1;
		if ((opc != 0 && opc != 2) || idx == 0 || (load && ibits(i, 4, 0) == ibits(i, 14, 10)) ||
		    (idx != 2 && rn != 31 && (rn == ibits(i, 4, 0) || rn == ibits(i, 14, 10))))
			return K_NONE;
		return K_LDSTP;
	}
	if ((i & 0x7c000000) == 0x14000000)	/* b / bl */
		return K_B;
	if ((i & 0xff000010) == 0x54000000)
		return K_BCOND;
	if ((i & 0x7e000000) == 0x34000000)
		return K_CBZ;
	if ((i & 0x7e000000) == 0x36000000)
		return K_TBZ;
	return K_NONE;
}

/* Rn / Rd of k as a register-cache index: SPR where 31 means SP */
static unsigned reg_n(enum kind k, uint32_t i)
{
	unsigned n = ibits(i, 9, 5);
	return n == 31 && (sp_base(k) || sp_addsub(k)) ? SPR : n;
}

static unsigned reg_d(enum kind k, uint32_t i)
{
	unsigned d = ibits(i, 4, 0);
	return d == 31 && sp_addsub(k) && !(i >> 29 & 1) ? SPR : d;
}

/* guest registers read and written (bit r; 31 = XZR is neither, SPR = SP) */
static void regs_of(enum kind k, uint32_t i, uint64_t *rd, uint64_t *wr)
{
	unsigned d = ibits(i, 4, 0), n = reg_n(k, i), m = ibits(i, 20, 16), a = ibits(i, 14, 10);

	*rd = *wr = 0;
	switch (k) {
	case K_ADDSUB_IMM: *rd = 1ull << n; *wr = 1ull << reg_d(k, i); break;
	case K_LOGIC_IMM: *rd = 1u << n; *wr = 1u << d; break;
	case K_ADR: case K_MRS: *wr = 1u << d; break;
	case K_BR: *rd = 1u << n; *wr = ibits(i, 24, 21) == 1 ? 1u << 30 : 0; break;
	case K_SHIFTV: case K_EXTR: *rd = 1u << n | 1u << m; *wr = 1u << d; break;
	case K_ADDSUB_REG: case K_LOGIC_REG: case K_CSEL: case K_MULH:
		*rd = 1u << n | 1u << m; *wr = 1u << d; break;
	case K_MADD: *rd = 1u << n | 1u << m | 1u << a; *wr = 1u << d; break;
	case K_BITFIELD: *rd = 1u << n | 1u << d; *wr = 1u << d; break;
	case K_ADC: *rd = 1u << n | 1u << m; *wr = 1u << d; break;
	case K_ADDSUB_EXT: *rd = 1ull << n | 1u << m; *wr = 1ull << reg_d(k, i); break;
	case K_CCMP: *rd = 1u << n | ((i >> 11 & 1) ? 0 : 1u << m); break;
	case K_MOVEWIDE: *rd = 1u << d; *wr = 1u << d; break;
	case K_LDST_UIMM: case K_LDST_REG: case K_LDST_IDX: case K_LDST_UNSC: {
		bool load = ibits(i, 23, 22) != 0;
		*rd = 1ull << n | (k == K_LDST_REG ? 1u << m : 0) | (load ? 0 : 1u << d);
		*wr = (load ? 1u << d : 0) | (k == K_LDST_IDX ? 1ull << n : 0);
		break;
	}
	case K_LDSTP: {
		bool load = i >> 22 & 1;
		*rd = 1ull << n | (load ? 0 : (1u << d | 1u << a));
		*wr = (load ? (1u << d | 1u << a) : 0) | (ibits(i, 24, 23) != 2 ? 1ull << n : 0);
		break;
	}
	case K_B: *wr = (i >> 31) ? 1u << 30 : 0; break;
	case K_CBZ: case K_TBZ: *rd = 1u << d; break;
	case K_EXCL:
		*rd = 1ull << n;
		if (i >> 22 & 1)
			*wr = 1u << d;
		else
			*rd |= 1u << d, *wr = i >> 23 & 1 ? 0 : 1u << m;	/* stxr: Ws */
		break;
	case K_DAIF: case K_DCZVA: *rd = 1u << d; break;
	case K_DIV: *rd = 1u << n | 1u << m; *wr = 1u << d; break;
	case K_DP1: *rd = 1u << n; *wr = 1u << d; break;
	default: break;
	}
	*rd &= ~(1ull << 31);
	*wr &= ~(1ull << 31);
}

/* rdi = CPU, rax/rcx/rdx/r11 = scratch; the guest registers in
 * core/jit_regs.h's host registers */
typedef struct jctx {
	xbuf b;
	a64_shared *sh;
	jit_regs r;		/* XZR reads as zero; SP (SPR) has no home there */
	/* slow exits: jump site, slot index (< 0: see compile); for a TLB
	 * lookup where a hit resumes, the access's size and direction */
	struct { uint8_t *at; const uint8_t *hit; int i, size; bool write; } slow[JIT_MAX_INSNS * 4];
	int nslow;
	const a64_dent *head;
	const a64_dent *page;	/* e[0] of the block's page */
	/* the slot of each instruction in the order the block runs them
	 * (not contiguous: a b/bl to the page goes on at its target), and
	 * whether instruction i is such a followed branch */
	const a64_dent *slot[JIT_MAX_INSNS + 1];
	bool follow[JIT_MAX_INSNS];
	const uint8_t *top;
	int n;
	int el;		/* the EL the block runs at (checked at entry) */
	uint8_t *ret1[2 * JIT_MAX_INSNS];	/* jumps to the block's return-1 tail */
	int nret1;
	bool spsel;	/* and its SPSel, when the block uses SP */

	/* The host flags are still those of the previous instruction's
	 * flag-setting operation (enum fl), so a condition right after it
	 * needs no reload from PSTATE; -1: they are not. */
	int live, prev_live;
	/* The last flag-setting instruction, when it can be done again for
	 * its flags alone (cmp/cmn/tst and the like: a register or an
	 * immediate operand, a result that overwrote neither source), and
	 * its sources are unchanged since: a condition further on compares
	 * the registers again instead of reading NZCV back from memory (a
	 * load right behind the stores). f < 0: none. */
	struct { int f; bool sf, imm; unsigned n, m; int32_t k; } remat;
} jctx;

#define XOFF(r) ((int32_t)(offsetof(a64_cpu, x) + 8 * (size_t)(r)))
#define SOFF(f) ((int32_t)offsetof(a64_cpu, f))
#define KOFF(f) ((int32_t)offsetof(a64_core, f))
#define WBITS_DIR ((int32_t)sizeof(((a64_core *)0)->wbits[0]))	/* wbits[write] */
#define WBITS_EL_SIZE ((int32_t)sizeof(((a64_core *)0)->wbits[0][0]))	/* wbits[write][el] */
#define TLB_EL_SIZE ((int32_t)sizeof(((a64_core *)0)->rt[0]))	/* rt[el], wt[el] */
#define ICOUNT ((int32_t)(offsetof(a64_cpu, c) + offsetof(cpu, icount)))
#define EXITREQ ((int32_t)(offsetof(a64_cpu, c) + offsetof(cpu, exit_request)))

/* SP is always cached (map[SPR]) when a block uses it: its home is
 * sp_el[SPSel ? EL : 0] for the EL and SPSel the block was compiled at
 * (checked at entry; ps.sp and ps.el do not change inside a block). */
static int32_t sp_home(const jctx *j)
{
	return SOFF(sp_el) + 8 * (j->spsel ? j->el : 0);
}

static void get(jctx *j, unsigned r, int t)
{
	jr_get(&j->b, &j->r, (int)r, t);
}

/* write guest register r from host t (64 bits; sf 0: t holds a 32-bit
 * result already zero-extended) */
static void put(jctx *j, unsigned r, int t)
{
	jr_put(&j->b, &j->r, (int)r, t);
}

/* the host register caching guest register r, or -1 (XZR, or r in memory) */
static int cached(jctx *j, unsigned r)
{
	return (int)r == j->r.zero ? -1 : j->r.map[r];
}

/* where to compute a result for guest register r: its host register when
 * it is cached (put is then no move), else scratch t */
static int dst(jctx *j, unsigned r, int t)
{
	int h = cached(j, r);
	return h >= 0 ? h : t;
}

/* the cached registers written by the block to memory (rax is scratch) */
static void write_back(jctx *j)
{
	jr_write_back(&j->b, &j->r);
	if (j->r.written >> SPR & 1)
		x_store(&j->b, 8, XDI, sp_home(j), j->r.map[SPR]);
}

static void pops(jctx *j)
{
	jr_pops(&j->b, &j->r);
}

/* icount += n; pc += delta (in memory; flags are clobbered) */
static void account(jctx *j, int n, int64_t delta)
{
	if (n)
		x_mi(&j->b, true, XI_ADD, XDI, ICOUNT, n);
	if (delta)
		x_mi(&j->b, true, XI_ADD, XDI, SOFF(pc), (int32_t)delta);
}

/* rax = icount += n, loaded before it is stored (a load right after the
 * store would wait for it) */
static void count(jctx *j, int n)
{
	x_load(&j->b, 8, false, XAX, XDI, ICOUNT);
	x_ri(&j->b, true, XI_ADD, XAX, n);
	x_store(&j->b, 8, XDI, ICOUNT, XAX);
}

/* Fall through to slot s after n instructions (A64_THREAD): return 0 when
 * the budget is used, else run s. */
static void exit_next(jctx *j, const a64_dent *s, int n)
{
	uint8_t *out;

	count(j, n);
	account(j, 0, 4 * (s - j->head));
	write_back(j);
	pops(j);
	x_rm(&j->b, true, X_CMP, XAX, XDI, KOFF(end_chain));
	out = x_jcc(&j->b, XC_AE);
	x_movi(&j->b, XSI, (uint64_t)(uintptr_t)s);
	x_jmp_m(&j->b, XSI, 0);
	x_patch(&j->b, out, j->b.p);
	x_movi(&j->b, XAX, 0);
	x_ret(&j->b);
}

/* pc is set off the page (registers written back, host registers
 * restored): go on there as the interpreter's branches do (a64_next_page
 * returns 1 to the run loop when it cannot) */
static void leave_page(jctx *j)
{
	x_movi(&j->b, XAX, (uint64_t)(uintptr_t)a64_next_page);
	x_jmp_r(&j->b, XAX);
}

/* A taken branch from slot `from` to page offset `off` after n
 * instructions (A64_THREAD_BRANCH): return 1 when it leaves the page, the
 * budget is used or something is pending, else run the target. */
static void exit_taken(jctx *j, const a64_dent *from, int64_t off, int n)
{
	int64_t delta = off - 4 * (j->head - j->page);
	uint8_t *out[4];

	(void)from;
	if (off < 0 || off >= 4096) {
		account(j, n, delta);
		write_back(j);
		pops(j);
		leave_page(j);
		return;
	}
	count(j, n);
	account(j, 0, delta);
	x_rm(&j->b, true, X_CMP, XAX, XDI, KOFF(end_chain));
	out[0] = x_jcc(&j->b, XC_AE);
	xb_op(&j->b, 0, false, 0xb60f, 2, XCX, true, XDI, EXITREQ);	/* movzx ecx, byte [exit_request] */
	x_load(&j->b, 4, false, X11, XDI, SOFF(irq_line));
	x_rm(&j->b, false, X_OR, X11, XDI, SOFF(fiq_line));
	x_rr(&j->b, false, X_OR, X11, XCX);
	out[1] = x_jcc(&j->b, XC_NE);
	if (j->page + off / 4 == j->head) {
		/* its own start: loop while the budget covers the block */
		x_ri(&j->b, true, XI_ADD, XAX, j->n);
		x_rm(&j->b, true, X_CMP, XAX, XDI, KOFF(end_chain));
		x_patch(&j->b, x_jcc(&j->b, XC_BE), j->top);
	}
	write_back(j);
	pops(j);
	x_movi(&j->b, XSI, (uint64_t)(uintptr_t)(j->page + off / 4));
	x_jmp_m(&j->b, XSI, 0);
	for (int q = 0; q < 2; q++)	/* to the block's one "write back, return 1" */
		if (j->nret1 < (int)ARRAY_SIZE(j->ret1))
			j->ret1[j->nret1++] = out[q];
		else
			j->b.full = true;	/* cannot happen: two per instruction */
}

static void slow_here(jctx *j, int i, int cc)
{
	if (j->nslow == (int)ARRAY_SIZE(j->slow)) {
		j->b.full = true;	/* cannot happen (at most 3 per instruction) */
		return;
	}
	j->slow[j->nslow].at = x_jcc(&j->b, cc);
	j->slow[j->nslow].hit = NULL;
	j->slow[j->nslow].i = i;
	j->nslow++;
}

/*
 * A TLB lookup that missed, on its way out of the block: an entry that is
 * the access's own but for TLB_WATCH serves the access as a hit does when
 * it touches no watched byte (a64_watch_pass), so a watchpoint on a hot
 * page costs compiled code a few compares, not its block: first the
 * page's range of watched bytes (one compare: most accesses are outside
 * it), then the byte of the bitmap covering the access (aligned, at most 8
 * bytes: one byte). In: rax = va, r11 = its key (page | alignment bits),
 * rcx = rdi + 16 * index, the entry at [rcx + tlb], its dbg_wbits at
 * [rcx + wbits]. Jumps to `hit` with rax, rcx as they were; otherwise
 * falls through (r11 and the flags clobbered) to the block's exit.
 */
static void watch_pass(jctx *j, int32_t tlb, int32_t wbits, int size, const uint8_t *hit)
{
	xbuf *b = &j->b;

	x_ri(b, true, XI_OR, X11, (int32_t)TLB_WATCH);
	x_rm(b, true, X_CMP, X11, XCX, tlb + (int32_t)offsetof(tlb_entry, tag));
	jr_watch_pass(b, wbits, size, hit, x_jcc(b, XC_NE));
}

/* The TLB fast path: va in rax; on a hit rax = host address, else leave
 * into the slot's handler. */
static void tlb_lookup(jctx *j, bool write, int size, int i)
{
	xbuf *b = &j->b;
	int32_t base = write ? KOFF(wt) : KOFF(rt);

	_Static_assert(sizeof(tlb_entry) == 16 && TLB_SIZE == 256 && sizeof(((a64_core *)0)->wbits[0][0]) == 4096,
		       "TLB layout");
	base += j->el * TLB_EL_SIZE;	/* the block's EL, checked at entry */
	x_rr(b, false, X_MOV, XCX, XAX);
	x_shi(b, false, XS_SHR, XCX, 12 - 4);
	x_ri(b, false, XI_AND, XCX, (TLB_SIZE - 1) << 4);	/* ecx = 16 * TLB index */
	x_rr(b, true, X_ADD, XCX, XDI);
	x_mov(b, X11, XAX);
	x_ri(b, true, XI_AND, X11, (int32_t)(~0xfffu | (unsigned)(size - 1)));
	x_rm(b, true, X_CMP, X11, XCX, base + (int32_t)offsetof(tlb_entry, tag));
	slow_here(j, i, XC_NE);
	if (!b->full) {	/* a page with a watchpoint: its exit checks the bytes first */
		j->slow[j->nslow - 1].hit = b->p;
		j->slow[j->nslow - 1].size = size;
		j->slow[j->nslow - 1].write = write;
	}
	x_rm(b, true, X_ADD, XAX, XCX, base + (int32_t)offsetof(tlb_entry, addend));
}

/* flags of the last x86 add/sub/and into PSTATE.NZCV */
enum fl { FL_ADD, FL_SUB, FL_LOGIC };
static void set_nzcv(jctx *j, enum fl f)
{
	xbuf *b = &j->b;
	j->remat.f = -1;	/* the caller says when these can be done again */
	xb_op(b, 0, false, 0x900f | XC_S << 8, 2, 0, true, XDI, SOFF(ps.n));
	xb_op(b, 0, false, 0x900f | XC_E << 8, 2, 0, true, XDI, SOFF(ps.z));
	j->live = f;	/* nothing here changes the host flags */
	if (f == FL_LOGIC) {
		xb_op(b, 0, false, 0xc6, 1, 0, true, XDI, SOFF(ps.c));	/* mov byte: C = V = 0 */
		xb_byte(b, 0);
		xb_op(b, 0, false, 0xc6, 1, 0, true, XDI, SOFF(ps.v));
		xb_byte(b, 0);
		return;
	}
	/* AArch64 C is carry for add, NOT borrow for sub */
	xb_op(b, 0, false, 0x900f | (unsigned)(f == FL_ADD ? XC_B : XC_AE) << 8, 2, 0, true, XDI, SOFF(ps.c));
	xb_op(b, 0, false, 0x900f | 0u << 8, 2, 0, true, XDI, SOFF(ps.v));	/* seto */
}

/* The x86 condition that holds when A64 condition c (0-13) does, read
 * from the host flags left by the previous instruction's operation f (see
 * jctx.live), or -1 when none says it alone. */
static int live_cond(int f, unsigned c)
{
	/* after sub/cmp: C is NOT borrow, so HS is x86's AE and HI its A */
	static const int sub[14] = { XC_E, XC_NE, XC_AE, XC_B, XC_S, XC_NS, XC_O, XC_NO, XC_A, XC_BE,
				     XC_GE, XC_L, XC_G, XC_LE };

	if (f == FL_SUB)
		return sub[c];
	/* add: C is the carry; logical: C = V = 0 as x86 leaves CF and OF.
	 * Either way HS is B (not sub's AE: a logical op's HS was read as
	 * always true); HI/LS have no single x86 condition */
	if (c == 2 || c == 3)
		return c == 2 ? XC_B : XC_AE;
	return c == 8 || c == 9 ? -1 : sub[c];
}

/* PSTATE.NZCV are 0/1 words written as bytes (setcc): read them as bytes
 * too, so the loads forward from those stores. */
static void flag_load(jctx *j, int r, int32_t off)
{
	xb_op(&j->b, 0, false, 0xb60f, 2, r, true, XDI, off);	/* movzx r32, byte */
}

/* The flag-setting instruction just emitted, op f on Rn and an immediate
 * or Rm (plain: unshifted, not inverted), into Rd: one to do again for
 * its flags (jctx.remat) if it overwrote neither source. */
static void remat_imm(jctx *j, int f, bool sf, unsigned n, unsigned d, int32_t k)
{
	j->remat.f = -1;
	if (d == n && d != 31)
		return;
	j->remat.f = f, j->remat.sf = sf, j->remat.imm = true, j->remat.n = n, j->remat.k = k;
}

static void remat_reg(jctx *j, int f, bool sf, unsigned n, unsigned m, unsigned d, bool plain)
{
	j->remat.f = -1;
	if (!plain || (d != 31 && (d == n || d == m)))
		return;
	j->remat.f = f, j->remat.sf = sf, j->remat.imm = false, j->remat.n = n, j->remat.m = m;
}

/* Emit flags for condition c (0-13) (rax and r11 are scratch) and return
 * the x86 condition that holds when it is true. */
static int cond(jctx *j, unsigned c)
{
	xbuf *b = &j->b;
	bool inv = c & 1;
	int cc;
	static const int32_t simple[4] = { SOFF(ps.z), SOFF(ps.c), SOFF(ps.n), SOFF(ps.v) };

	if (j->prev_live >= 0 && (cc = live_cond(j->prev_live, c)) >= 0)
		return cc;
	if (j->remat.f >= 0 && (cc = live_cond(j->remat.f, c)) >= 0) {
		bool sf = j->remat.sf;
		static const unsigned rr[3] = { X_ADD, X_SUB, X_AND };
		static const int ri[3] = { XI_ADD, XI_SUB, XI_AND };
		get(j, j->remat.n, XAX);
		if (j->remat.imm) {
			x_ri(b, sf, ri[j->remat.f], XAX, j->remat.k);
		} else {
			int h = cached(j, j->remat.m);
			if (h < 0) {
				get(j, j->remat.m, X11);
				h = X11;
			}
			x_rr(b, sf, rr[j->remat.f], XAX, h);
		}
		return cc;
	}

	switch (c >> 1) {
	case 0: case 1: case 2: case 3:
		xb_op(b, 0, false, 0x80, 1, 7, true, XDI, simple[c >> 1]);	/* cmp byte, 0 */
		xb_byte(b, 0);
		cc = XC_NE;
		break;
	case 4:	/* HI: C && !Z */
		flag_load(j, XAX, SOFF(ps.z));
		x_ri(b, false, XI_XOR, XAX, 1);
		flag_load(j, X11, SOFF(ps.c));
		x_rr(b, false, X_AND, XAX, X11);
		cc = XC_NE;
		break;
	case 5:	/* GE: N == V */
		flag_load(j, XAX, SOFF(ps.n));
		flag_load(j, X11, SOFF(ps.v));
		x_rr(b, false, X_CMP, XAX, X11);
		cc = XC_E;
		break;
	default: /* 6, GT: !Z && N == V */
		flag_load(j, XAX, SOFF(ps.n));
		flag_load(j, X11, SOFF(ps.v));
		x_rr(b, false, X_XOR, XAX, X11);
		flag_load(j, X11, SOFF(ps.z));
		x_rr(b, false, X_OR, XAX, X11);
		cc = XC_E;
		break;
	}
	return inv ? cc ^ 1 : cc;
}

/* rcx = Rm shifted (type 0 LSL, 1 LSR, 2 ASR, 3 ROR) by amount, sf width */
static void shifted(jctx *j, unsigned rm, unsigned type, unsigned amount, bool sf)
{
	static const int ext[4] = { XS_SHL, XS_SHR, XS_SAR, 1 /* ror */ };

	get(j, rm, XCX);
	if (amount)
		x_shi(&j->b, sf, ext[type], XCX, amount);
	else if (!sf)
		x_rr(&j->b, false, X_MOV, XCX, XCX);	/* zero-extend */
}

/* the host register holding Rm shifted for an operation writing host t:
 * Rm's own when cached, unshifted and not t, else rcx */
static int source(jctx *j, unsigned rm, unsigned type, unsigned amount, bool sf, int t)
{
	int h = cached(j, rm);

	if (!amount && h >= 0 && h != t)
		return h;	/* a 32-bit operation reads its low half alone */
	shifted(j, rm, type, amount, sf);
	return XCX;
}

/* a 32-bit result: clear the upper half */
static void zext(jctx *j, bool sf, int r)
{
	if (!sf)
		x_rr(&j->b, false, X_MOV, r, r);
}

/* t = the base register of load/store k; an SP base that is not 16-byte
 * aligned leaves into the interpreter (SCTLR.SA decides there) */
static void base_reg(jctx *j, enum kind k, uint32_t i, int idx, int t)
{
	unsigned n = reg_n(k, i);

	get(j, n, t);
	if (n == SPR) {
		xb_op(&j->b, 0, true, 0xf7, 1, 0, false, t, 0);	/* test t, 15 */
		xb_u32(&j->b, 15);
		slow_here(j, idx, XC_NE);
	}
}

/* the host register holding guest rt for a store of size bytes: rt's own
 * when cached (a byte store needs a register with a byte form without
 * REX: rsi/rbp have none), else rcx loaded */
static int store_src(jctx *j, unsigned rt, unsigned size)
{
	int h = cached(j, rt);

	if (h >= 0 && (size > 1 || h < 4 || h >= 8))
		return h;
	get(j, rt, XCX);
	return XCX;
}

/* load/store size bytes at host rax; returns the register holding the
 * value (a load's result: rt's host register when cached, else rcx) */
static int access(jctx *j, unsigned size, unsigned opc, unsigned rt, bool to_rcx)
{
	xbuf *b = &j->b;
	int t = to_rcx ? XCX : dst(j, rt, XCX);

	if (opc == 0) {
		t = store_src(j, rt, size);
		x_store(b, (int)size, XAX, 0, t);
		return t;
	}
	if (opc == 1) {
		x_load(b, (int)size, false, t, XAX, 0);
	} else {
		x_load(b, (int)size, true, t, XAX, 0);
		if (opc == 3)	/* sign-extend to 32 bits only */
			x_rr(b, false, X_MOV, t, t);
	}
	put(j, rt, t);
	return t;
}

/* After an instruction the interpreter ends its chain with (msr daif,
 * isb): leave after it, with pc past it, when the run loop has something
 * to look at (an interrupt line, an exit request), as the interpreter's
 * chain would; else go on. */
static void pending_exit(jctx *j, int n, const a64_dent *d)
{
	uint8_t *go;

	xb_op(&j->b, 0, false, 0xb60f, 2, XCX, true, XDI, EXITREQ);	/* movzx ecx, byte [exit_request] */
	x_load(&j->b, 4, false, X11, XDI, SOFF(irq_line));
	x_rm(&j->b, false, X_OR, X11, XDI, SOFF(fiq_line));
	x_rr(&j->b, false, X_OR, X11, XCX);
	go = x_jcc(&j->b, XC_E);
	account(j, n, 4 * (d + 1 - j->head));
	write_back(j);
	pops(j);
	x_movi(&j->b, XAX, 1);
	x_ret(&j->b);
	x_patch(&j->b, go, j->b.p);
}

/* leave into the interpreter's handler at EL0 (its traps and controls) */
static void el1_only(jctx *j, int idx)
{
	x_mi(&j->b, false, XI_CMP, XDI, SOFF(ps.el), 0);
	slow_here(j, idx, XC_E);
}

/* mov byte [rdi + off], v */
static void store_byte(jctx *j, int32_t off, unsigned v)
{
	xb_op(&j->b, 0, false, 0xc6, 1, 0, true, XDI, off);
	xb_byte(&j->b, v);
}

static bool emit(jctx *j, enum kind k, uint32_t i, int idx, const a64_dent *d)
{
	xbuf *b = &j->b;
	unsigned rd = ibits(i, 4, 0), rn = ibits(i, 9, 5), rm = ibits(i, 20, 16);
	bool sf = i >> 31;
	int n = idx + 1;	/* instructions run when this one leaves the block */
	bool last = n == j->n;

	switch (k) {
	case K_NOP:
		break;
	case K_ADDSUB_IMM: {
		bool sub = i >> 30 & 1, s = i >> 29 & 1;
		uint32_t imm = ibits(i, 21, 10) << (i >> 22 & 1 ? 12 : 0);
		int t = dst(j, reg_d(k, i), XAX);
		get(j, reg_n(k, i), t);
		if (imm || s)
			x_ri(b, sf, sub ? XI_SUB : XI_ADD, t, (int32_t)imm);
		else
			zext(j, sf, t);	/* mov to/from sp */
		if (s) {
			set_nzcv(j, sub ? FL_SUB : FL_ADD);
			remat_imm(j, sub ? FL_SUB : FL_ADD, sf, reg_n(k, i), reg_d(k, i), (int32_t)imm);
		}
		put(j, reg_d(k, i), t);
		break;
	}
	case K_ADR: {
		int64_t imm = (int64_t)((uint64_t)(ibits(i, 23, 5) << 2 | ibits(i, 30, 29)) << 43) >> 43;
		x_load(b, 8, false, XAX, XDI, SOFF(pc));
		if (i >> 31) {	/* adrp: the page of this instruction, the block's */
			x_ri(b, true, XI_AND, XAX, -4096);
			imm *= 4096;
		} else {
			imm += 4 * (d - j->head);
		}
		if (imm == (int32_t)imm) {
			x_ri(b, true, XI_ADD, XAX, (int32_t)imm);
		} else {
			x_movi(b, XCX, (uint64_t)imm);
			x_rr(b, true, X_ADD, XAX, XCX);
		}
		put(j, rd, XAX);
		break;
	}
	case K_ADDSUB_REG: {
		bool sub = i >> 30 & 1, s = i >> 29 & 1;
		int t = dst(j, rd, XAX), src = source(j, rm, ibits(i, 23, 22), ibits(i, 15, 10), sf, t);
		get(j, rn, t);
		x_rr(b, sf, sub ? X_SUB : X_ADD, t, src);
		if (s) {
			set_nzcv(j, sub ? FL_SUB : FL_ADD);
			remat_reg(j, sub ? FL_SUB : FL_ADD, sf, rn, rm, rd, ibits(i, 15, 10) == 0);
		}
		put(j, rd, t);
		break;
	}
	case K_LOGIC_REG: {
		static const unsigned op[4] = { X_AND, X_OR, X_XOR, X_AND };
		unsigned opc = ibits(i, 30, 29);
		bool inv = i >> 21 & 1;
		int t = dst(j, rd, XAX), src;
		if (inv) {
			shifted(j, rm, ibits(i, 23, 22), ibits(i, 15, 10), sf);
			xb_op(b, 0, sf, 0xf7, 1, 2, false, XCX, 0);	/* not */
			src = XCX;
		} else {
			src = source(j, rm, ibits(i, 23, 22), ibits(i, 15, 10), sf, t);
		}
		if (!inv && opc == 1 && rn == 31 && src != XCX) {	/* mov: orr Rd, XZR, Rm */
			if (sf)
				x_mov(b, t, src);
			else
				x_rr(b, false, X_MOV, t, src);
		} else {
			get(j, rn, t);
			x_rr(b, sf, op[opc], t, src);
		}
		if (opc == 3) {
			set_nzcv(j, FL_LOGIC);
			remat_reg(j, FL_LOGIC, sf, rn, rm, rd, !inv && ibits(i, 15, 10) == 0);
		}
		put(j, rd, t);
		break;
	}
	case K_LOGIC_IMM: {
		static const unsigned op[4] = { X_AND, X_OR, X_XOR, X_AND };
		unsigned opc = ibits(i, 30, 29);
		uint64_t m = 0;
		int t = dst(j, rd, XAX);
		a64_bitmask(i >> 22 & 1, ibits(i, 15, 10), ibits(i, 21, 16), sf, &m);
		get(j, rn, t);
		if (opc == 0 && sf && m == 0xffffffffu) {
			x_rr(b, false, X_MOV, t, t);	/* and x, y, #0xffffffff: zero-extend */
		} else if (!sf || (int64_t)m == (int32_t)m) {
			x_ri(b, sf, (int[]){ XI_AND, XI_OR, XI_XOR, XI_AND }[opc], t, (int32_t)(uint32_t)m);
			if (opc == 3) {
				set_nzcv(j, FL_LOGIC);
				remat_imm(j, FL_LOGIC, sf, rn, rd, (int32_t)(uint32_t)m);
			}
		} else {
			x_movi(b, XCX, m);
			x_rr(b, sf, op[opc], t, XCX);
			if (opc == 3)
				set_nzcv(j, FL_LOGIC);
		}
		put(j, rd, t);
		break;
	}
	case K_MOVEWIDE: {
		unsigned opc = ibits(i, 30, 29), hw = ibits(i, 22, 21);
		uint64_t v = (uint64_t)ibits(i, 20, 5) << (16 * hw);
		if (opc == 3) {	/* movk */
			get(j, rd, XAX);
			x_movi(b, XCX, ~(0xffffull << (16 * hw)));
			x_rr(b, true, X_AND, XAX, XCX);
			x_movi(b, XCX, v);
			x_rr(b, true, X_OR, XAX, XCX);
			zext(j, sf, XAX);
		} else {
			if (opc == 0)
				v = ~v;
			if (!sf)
				v &= 0xffffffffu;
			x_movi(b, XAX, v);
		}
		put(j, rd, XAX);
		break;
	}
	case K_CSEL: {
		bool op = i >> 30 & 1, o2 = i >> 10 & 1;
		unsigned c = ibits(i, 15, 12);
		if (rm == 31 || rn == 31 || (o2 && op))
			j->prev_live = -1;	/* xor (XZR) and neg change the host flags */
		get(j, rm, XCX);
		if (o2 && !op)
			xb_op(b, 0, sf, 0x8d, 1, XCX, true, XCX, 1);	/* lea rcx, [rcx + 1]: flags kept */
		else if (!o2 && op)
			xb_op(b, 0, sf, 0xf7, 1, 2, false, XCX, 0);	/* not */
		else if (o2 && op)
			xb_op(b, 0, sf, 0xf7, 1, 3, false, XCX, 0);	/* neg */
		zext(j, sf, XCX);
		get(j, rn, XDX);
		zext(j, sf, XDX);
		if (c >> 1 != 7)	/* rcx = cond ? Rn : f(Rm), without a branch */
			xb_op(b, 0, true, 0x400f | (unsigned)cond(j, c) << 8, 2, XCX, false, XDX, 0);	/* cmovcc */
		else
			x_mov(b, XCX, XDX);
		put(j, rd, XCX);
		break;
	}
	case K_MADD: {
		bool sub = i >> 15 & 1;
		unsigned ra = ibits(i, 14, 10);
		int hm = cached(j, rm);
		get(j, rn, XAX);
		if (hm < 0) {
			get(j, rm, XCX);
			hm = XCX;
		}
		x_imul(b, sf, XAX, hm);
		if (sub) {
			get(j, ra, XCX);
			x_rr(b, sf, X_SUB, XCX, XAX);
			x_mov(b, XAX, XCX);
		} else if (ra != 31) {	/* mul: no addend */
			int ha = cached(j, ra);
			if (ha < 0) {
				get(j, ra, XCX);
				ha = XCX;
			}
			x_rr(b, sf, X_ADD, XAX, ha);
		}
		put(j, rd, XAX);	/* 32-bit imul/add/sub zero-extend */
		break;
	}
	case K_BITFIELD: {
		unsigned opc = ibits(i, 30, 29), immr = ibits(i, 21, 16), imms = ibits(i, 15, 10);
		unsigned w = sf ? 64 : 32;
		get(j, rn, XAX);
		if (opc == 2 && imms >= immr) {		/* ubfx, lsr */
			unsigned len = imms - immr + 1;
			if (immr)
				x_shi(b, sf, XS_SHR, XAX, immr);
			if (imms == w - 1) {
				zext(j, sf, XAX);	/* lsr: the shift cleared the rest */
			} else if (len < 32) {
				x_ri(b, sf, XI_AND, XAX, (int32_t)((1u << len) - 1));
			} else {
				x_movi(b, X11, (1ull << len) - 1);
				x_rr(b, sf, X_AND, XAX, X11);
			}
		} else if (opc == 2) {			/* ubfiz, lsl */
			x_movi(b, X11, imms == 63 ? ~0ull : (1ull << (imms + 1)) - 1);
			x_rr(b, sf, X_AND, XAX, X11);
			x_shi(b, sf, XS_SHL, XAX, w - immr);
		} else if (opc == 0 && imms >= immr) {	/* sbfx, asr, sxtb/h/w */
			x_shi(b, sf, XS_SHL, XAX, w - 1 - imms);
			x_shi(b, sf, XS_SAR, XAX, w - 1 - imms + immr);
		} else if (opc == 0) {			/* sbfiz */
			x_shi(b, sf, XS_SHL, XAX, w - 1 - imms);
			x_shi(b, sf, XS_SAR, XAX, w - 1 - imms);
			x_shi(b, sf, XS_SHL, XAX, w - immr);
		} else {				/* bfxil, bfi: insert into Rd */
			uint64_t field, mask;
			unsigned len = imms >= immr ? imms - immr + 1 : imms + 1;
			field = len == 64 ? ~0ull : (1ull << len) - 1;
			if (imms >= immr) {
				x_shi(b, sf, XS_SHR, XAX, immr);
				mask = field;
			} else {
				mask = field << (w - immr);
			}
			x_movi(b, X11, field);
			x_rr(b, true, X_AND, XAX, X11);
			if (imms < immr)
				x_shi(b, sf, XS_SHL, XAX, w - immr);
			get(j, rd, XCX);
			x_movi(b, X11, ~mask);
			x_rr(b, true, X_AND, XCX, X11);
			x_rr(b, true, X_OR, XAX, XCX);
		}
		zext(j, sf, XAX);
		put(j, rd, XAX);
		break;
	}
	case K_ADC: {
		bool sub = i >> 30 & 1, s = i >> 29 & 1;
		get(j, rn, XAX);
		get(j, rm, XCX);
		flag_load(j, X11, SOFF(ps.c));
		xb_op(b, 0, false, 0xba0f, 2, 4, false, X11, 0);	/* bt r11d, 0: CF = C */
		xb_byte(b, 0);
		if (sub)
			xb_byte(b, 0xf5);	/* cmc: x86 borrows NOT C */
		x_rr(b, sf, sub ? 0x19 : 0x11, XAX, XCX);	/* sbb / adc */
		if (s)
			set_nzcv(j, sub ? FL_SUB : FL_ADD);
		put(j, rd, XAX);
		break;
	}
	case K_ADDSUB_EXT: {
		bool sub = i >> 30 & 1, s = i >> 29 & 1;
		unsigned opt = ibits(i, 15, 13), sh = ibits(i, 12, 10);
		get(j, rm, XCX);
		switch (opt) {
		case 0: xb_op(b, 0, false, 0xb60f, 2, XCX, false, XCX, 0); break;	/* uxtb */
		case 1: xb_op(b, 0, false, 0xb70f, 2, XCX, false, XCX, 0); break;	/* uxth */
		case 2: x_rr(b, false, X_MOV, XCX, XCX); break;				/* uxtw */
		case 4: xb_op(b, 0, true, 0xbe0f, 2, XCX, false, XCX, 0); break;	/* sxtb */
		case 5: xb_op(b, 0, true, 0xbf0f, 2, XCX, false, XCX, 0); break;	/* sxth */
		case 6: x_sext32(b, XCX, XCX); break;					/* sxtw */
		default: break;								/* uxtx, sxtx */
		}
		if (sh)
			x_shi(b, true, XS_SHL, XCX, sh);
		get(j, reg_n(k, i), XAX);
		x_rr(b, sf, sub ? X_SUB : X_ADD, XAX, XCX);
		if (s)
			set_nzcv(j, sub ? FL_SUB : FL_ADD);
		put(j, reg_d(k, i), XAX);
		break;
	}
	case K_CCMP: {
		bool sub = i >> 30 & 1;
		unsigned c = ibits(i, 15, 12), nzcv = ibits(i, 3, 0);
		uint8_t *no = NULL, *done;
		if (c >> 1 != 7)
			no = x_jcc(b, cond(j, c) ^ 1);
		get(j, rn, XAX);
		if (i >> 11 & 1)
			x_movi(b, XCX, ibits(i, 20, 16));
		else
			get(j, rm, XCX);
		x_rr(b, sf, sub ? X_SUB : X_ADD, XAX, XCX);
		set_nzcv(j, sub ? FL_SUB : FL_ADD);
		done = x_jmp(b);
		x_patch(b, no, b->p);
		if (no) {
			static const int32_t f[4] = { SOFF(ps.v), SOFF(ps.c), SOFF(ps.z), SOFF(ps.n) };
			for (int q = 0; q < 4; q++)
				x_mi(b, false, XI_AND, XDI, f[q], 0), x_mi(b, false, XI_OR, XDI, f[q], (int32_t)(nzcv >> q & 1));
		}
		x_patch(b, done, b->p);
		j->live = -1;	/* one path stores the immediate flags */
		break;
	}
	case K_SHIFTV: {
		static const int ext[4] = { XS_SHL, XS_SHR, XS_SAR, 1 /* ror */ };
		get(j, rn, XAX);
		get(j, rm, XCX);	/* x86 masks the count as A64 takes it modulo the size */
		x_shcl(b, sf, ext[ibits(i, 11, 10)], XAX);
		put(j, rd, XAX);
		break;
	}
	case K_EXTR:
		get(j, rm, XAX);
		get(j, rn, XCX);
		xb_op(b, 0, sf, 0xac0f, 2, XCX, false, XAX, 0);	/* shrd eax/rax, ecx/rcx, lsb */
		xb_byte(b, ibits(i, 15, 10));
		put(j, rd, XAX);
		break;
	case K_MRS: {
		/* EL0 (traps, controls): the interpreter's */
		int r = a64_sysreg_index(i >> 5 & 0xffff);
		el1_only(j, idx);
		if (r == A64R_SP_EL0) {
			x_load(b, 8, false, XAX, XDI, SOFF(sp_el));
		} else if (r == A64R_DAIF) {
			x_load(b, 4, false, XAX, XDI, SOFF(ps.daif));
		} else {
			x_load(b, 8, false, XAX, XDI, SOFF(sys));
			x_load(b, 8, false, XAX, XAX, (int32_t)(8 * r));
		}
		put(j, rd, XAX);
		break;
	}
	case K_SYNC:	/* isb */
		pending_exit(j, n, d);
		break;
	case K_DAIF:
		el1_only(j, idx);
		if ((i & 0xffffffe0) == 0xd51b4220) {	/* msr daif, xt */
			get(j, rd, XAX);
			x_ri(b, false, XI_AND, XAX, 0x3c0);
			x_store(b, 4, XDI, SOFF(ps.daif), XAX);
		} else if (i >> 5 & 1) {	/* daifclr */
			x_mi(b, false, XI_AND, XDI, SOFF(ps.daif), (int32_t)~(ibits(i, 11, 8) << 6));
		} else {			/* daifset */
			x_mi(b, false, XI_OR, XDI, SOFF(ps.daif), (int32_t)(ibits(i, 11, 8) << 6));
		}
		pending_exit(j, n, d);
		break;
	case K_DCZVA:
		/* 64 bytes (DCZID_EL0.BS 4) in one page: one write lookup for
		 * all; a watched page leaves (the pass checks 8 bytes only) */
		el1_only(j, idx);
		get(j, rd, XAX);
		x_ri(b, true, XI_AND, XAX, -64);
		tlb_lookup(j, true, 8, idx);
		if (!b->full)
			j->slow[j->nslow - 1].hit = NULL;
		x_rr(b, false, X_XOR, XCX, XCX);
		for (int q = 0; q < 8; q++)
			x_store(b, 8, XAX, 8 * q, XCX);
		break;
	case K_EXCL: {
		unsigned size = 1u << (i >> 30), rs = ibits(i, 20, 16);
		bool o2 = i >> 23 & 1, load = i >> 22 & 1;
		uint8_t *fail[4], *done;
		base_reg(j, k, i, idx, XAX);
		x_mov(b, XDX, XAX);	/* va */
		if (o2 || load) {	/* ldar, stlr, ldxr, ldaxr */
			tlb_lookup(j, !load, (int)size, idx);
			access(j, size, load, rd, true);	/* the value in rcx for the monitor */
			if (!o2) {	/* the monitor: this address, size and value */
				store_byte(j, SOFF(excl_valid), 1);
				x_store(b, 8, XDI, SOFF(excl_addr), XDX);
				x_mi(b, false, XI_AND, XDI, SOFF(excl_size), 0);
				x_mi(b, false, XI_OR, XDI, SOFF(excl_size), (int32_t)size);
				x_store(b, 8, XDI, SOFF(excl_val), XCX);
				x_rr(b, false, X_XOR, XCX, XCX);
				x_store(b, 8, XDI, SOFF(excl_val) + 8, XCX);
			}
			break;
		}
		/* stxr: misaligned faults (the interpreter's) even when the
		 * monitor does not cover it */
		xb_op(b, 0, true, 0xf7, 1, 0, false, XAX, 0);	/* test rax, size - 1 */
		xb_u32(b, size - 1);
		slow_here(j, idx, XC_NE);
		xb_op(b, 0, false, 0x80, 1, 7, true, XDI, SOFF(excl_valid));	/* cmp byte, 0 */
		xb_byte(b, 0);
		fail[0] = x_jcc(b, XC_E);
		x_rm(b, true, X_CMP, XAX, XDI, SOFF(excl_addr));
		fail[1] = x_jcc(b, XC_NE);
		x_mi(b, false, XI_CMP, XDI, SOFF(excl_size), (int32_t)size);
		fail[2] = x_jcc(b, XC_NE);
		/* memory still holds what ldxr saw (another CPU's store fails it) */
		tlb_lookup(j, false, (int)size, idx);
		x_load(b, (int)size, false, XCX, XAX, 0);
		x_rm(b, true, X_CMP, XCX, XDI, SOFF(excl_val));
		fail[3] = x_jcc(b, XC_NE);
		x_mov(b, XAX, XDX);
		tlb_lookup(j, true, (int)size, idx);
		get(j, rd, XCX);
		x_store(b, (int)size, XAX, 0, XCX);
		x_movi(b, XAX, 0);
		done = x_jmp(b);
		for (int q = 0; q < 4; q++)
			x_patch(b, fail[q], b->p);
		x_movi(b, XAX, 1);
		x_patch(b, done, b->p);
		store_byte(j, SOFF(excl_valid), 0);
		put(j, rs, XAX);
		break;
	}
	case K_DIV: {
		bool sgn = i >> 10 & 1;
		uint8_t *zero, *neg = NULL, *done[2];
		get(j, rn, XAX);
		get(j, rm, XCX);
		xb_op(b, 0, sf, 0x85, 1, XCX, false, XCX, 0);	/* test rcx, rcx */
		zero = x_jcc(b, XC_E);
		if (sgn) {	/* INT_MIN / -1 overflows on x86: -n wraps as A64 does */
			x_ri(b, sf, XI_CMP, XCX, -1);
			neg = x_jcc(b, XC_E);
			if (sf)
				xb_byte(b, 0x48);
			xb_byte(b, 0x99);	/* cqo / cdq */
			xb_op(b, 0, sf, 0xf7, 1, 7, false, XCX, 0);	/* idiv */
		} else {
			x_rr(b, false, X_XOR, XDX, XDX);
			xb_op(b, 0, sf, 0xf7, 1, 6, false, XCX, 0);	/* div */
		}
		done[0] = x_jmp(b);
		x_patch(b, zero, b->p);
		x_rr(b, false, X_XOR, XAX, XAX);
		done[1] = neg ? x_jmp(b) : NULL;
		if (neg) {
			x_patch(b, neg, b->p);
			xb_op(b, 0, sf, 0xf7, 1, 3, false, XAX, 0);	/* neg */
		}
		x_patch(b, done[0], b->p);
		x_patch(b, done[1], b->p);
		zext(j, sf, XAX);
		put(j, rd, XAX);
		break;
	}
	case K_DP1: {
		unsigned op = ibits(i, 15, 10);
		get(j, rn, XAX);
		if (op == 4) {	/* clz: bsr leaves ZF set (and its destination undefined) for 0 */
			x_movi(b, X11, ~0ull);
			xb_op(b, 0, sf, 0xbd0f, 2, XAX, false, XAX, 0);	/* bsr */
			xb_op(b, 0, sf, 0x440f, 2, XAX, false, X11, 0);	/* cmovz */
			xb_op(b, 0, sf, 0xf7, 1, 3, false, XAX, 0);	/* neg */
			x_ri(b, sf, XI_ADD, XAX, sf ? 63 : 31);
		} else if (op == 1) {	/* rev16: bytes swapped in each halfword */
			x_mov(b, XCX, XAX);
			x_shi(b, sf, XS_SHR, XCX, 8);
			x_movi(b, X11, sf ? 0x00ff00ff00ff00ffull : 0x00ff00ffu);
			x_rr(b, sf, X_AND, XCX, X11);
			x_rr(b, sf, X_AND, XAX, X11);
			x_shi(b, sf, XS_SHL, XAX, 8);
			x_rr(b, sf, X_OR, XAX, XCX);
		} else if (op == 2 && sf) {	/* rev32: in each word */
			x_mov(b, XCX, XAX);
			x_shi(b, true, XS_SHR, XCX, 32);
			x_bswap(b, false, XAX);	/* upper half cleared */
			x_bswap(b, false, XCX);
			x_shi(b, true, XS_SHL, XCX, 32);
			x_rr(b, true, X_OR, XAX, XCX);
		} else {		/* rev */
			x_bswap(b, sf, XAX);
		}
		zext(j, sf, XAX);
		put(j, rd, XAX);
		break;
	}
	case K_BR:
		/* pc = Xn (blr: x30 = the next pc), then on as a branch that
		 * leaves the page (a64_next_page; its own page too) */
		get(j, rn, XCX);
		if (ibits(i, 24, 21) == 1) {
			x_load(b, 8, false, XAX, XDI, SOFF(pc));
			x_ri(b, true, XI_ADD, XAX, (int32_t)(4 * (d - j->head) + 4));
			put(j, 30, XAX);
		}
		account(j, n, 0);
		x_store(b, 8, XDI, SOFF(pc), XCX);
		write_back(j);
		pops(j);
		leave_page(j);
		return false;
	case K_MULH:
		get(j, rn, XAX);
		get(j, rm, XCX);
		x_mul1(b, (i >> 23 & 1) ? 4 : 5, XCX);	/* rdx:rax = rax * rcx */
		put(j, rd, XDX);
		break;
	case K_LDST_UIMM: {
		unsigned size = 1u << (i >> 30), opc = ibits(i, 23, 22);
		base_reg(j, k, i, idx, XAX);
		x_ri(b, true, XI_ADD, XAX, (int32_t)(ibits(i, 21, 10) * size));
		tlb_lookup(j, opc == 0, (int)size, idx);
		access(j, size, opc, rd, false);
		break;
	}
	case K_LDST_UNSC: {
		unsigned size = 1u << (i >> 30), opc = ibits(i, 23, 22);
		base_reg(j, k, i, idx, XAX);
		x_ri(b, true, XI_ADD, XAX, (int32_t)(ibits(i, 20, 12) << 23) >> 23);
		tlb_lookup(j, opc == 0, (int)size, idx);
		access(j, size, opc, rd, false);
		break;
	}
	case K_LDST_REG: {
		unsigned size = 1u << (i >> 30), opc = ibits(i, 23, 22), opt = ibits(i, 15, 13);
		get(j, rm, XCX);
		if (opt == 2)
			x_rr(b, false, X_MOV, XCX, XCX);	/* uxtw */
		else if (opt == 6)
			x_sext32(b, XCX, XCX);	/* sxtw */
		if (i >> 12 & 1 && size > 1)
			x_shi(b, true, XS_SHL, XCX, (unsigned)__builtin_ctz(size));
		base_reg(j, k, i, idx, XAX);
		x_rr(b, true, X_ADD, XAX, XCX);
		tlb_lookup(j, opc == 0, (int)size, idx);
		access(j, size, opc, rd, false);
		break;
	}
	case K_LDST_IDX: {
		unsigned size = 1u << (i >> 30), opc = ibits(i, 23, 22);
		int32_t imm = (int32_t)(ibits(i, 20, 12) << 23) >> 23;
		bool pre = i >> 11 & 1;
		base_reg(j, k, i, idx, XAX);
		if (pre)
			x_ri(b, true, XI_ADD, XAX, imm);
		x_mov(b, XDX, XAX);	/* the address, for the writeback */
		tlb_lookup(j, opc == 0, (int)size, idx);
		access(j, size, opc, rd, false);
		if (!pre)
			x_ri(b, true, XI_ADD, XDX, imm);
		put(j, reg_n(k, i), XDX);
		break;
	}
	case K_LDSTP: {
		unsigned size = sf ? 8 : 4, t2 = ibits(i, 14, 10), mode = ibits(i, 24, 23);
		int32_t imm = ((int32_t)(ibits(i, 21, 15) << 25) >> 25) * (int32_t)size;
		bool load = i >> 22 & 1;
		base_reg(j, k, i, idx, XAX);
		if (mode != 1)
			x_ri(b, true, XI_ADD, XAX, imm);
		x_mov(b, XDX, XAX);
		/* both halves must hit before anything is done */
		x_ri(b, true, XI_ADD, XAX, (int32_t)size);
		tlb_lookup(j, !load, (int)size, idx);
		x_push(b, XAX);
		x_mov(b, XAX, XDX);
		tlb_lookup(j, !load, (int)size, -1 - idx);	/* slow exit pops first */
		x_pop(b, X11);
		if (load) {
			int t = dst(j, rd, XCX);
			x_load(b, (int)size, false, t, XAX, 0);
			put(j, rd, t);
			t = dst(j, t2, XCX);
			x_load(b, (int)size, false, t, X11, 0);
			put(j, t2, t);
		} else {
			x_store(b, (int)size, XAX, 0, store_src(j, rd, size));
			x_store(b, (int)size, X11, 0, store_src(j, t2, size));
		}
		if (mode == 1)
			x_ri(b, true, XI_ADD, XDX, imm);
		if (mode != 2)
			put(j, reg_n(k, i), XDX);
		break;
	}
	case K_B: {
		int64_t off = 4 * (d - j->page) + (int64_t)((int32_t)(i << 6) >> 6) * 4;
		if (i >> 31) {	/* bl: x30 = pc + 4 */
			x_load(b, 8, false, XAX, XDI, SOFF(pc));
			x_ri(b, true, XI_ADD, XAX, (int32_t)(4 * (d - j->head) + 4));
			put(j, 30, XAX);
		}
		if (j->follow[idx]) {	/* the block goes on at the target */
			if (!(i >> 31))
				j->live = j->prev_live;	/* b emits nothing */
			return true;
		}
		exit_taken(j, d, off, n);
		return false;
	}
	case K_BCOND: case K_CBZ: case K_TBZ: {
		int64_t off = 4 * (d - j->page);
		uint8_t *taken;
		int cc;

		if (k == K_BCOND) {
			off += (int64_t)((int32_t)(ibits(i, 23, 5) << 13) >> 13) * 4;
			if (ibits(i, 3, 0) >> 1 == 7) {
				exit_taken(j, d, off, n);
				return false;
			}
			cc = cond(j, ibits(i, 3, 0));
		} else if (k == K_CBZ) {
			off += (int64_t)((int32_t)(ibits(i, 23, 5) << 13) >> 13) * 4;
			get(j, rd, XAX);
			x_ri(b, sf, XI_CMP, XAX, 0);
			cc = (i >> 24 & 1) ? XC_NE : XC_E;
		} else {
			unsigned bit = (i >> 31) << 5 | ibits(i, 23, 19);
			off += (int64_t)((int32_t)(ibits(i, 18, 5) << 18) >> 18) * 4;
			get(j, rd, XAX);
			xb_op(b, 0, true, 0xba0f, 2, 4, false, XAX, 0);	/* bt rax, bit */
			xb_byte(b, bit);
			cc = (i >> 24 & 1) ? XC_B : XC_AE;	/* tbnz: bit set */
		}
		if (!last) {	/* a side exit: the block goes on when not taken */
			taken = x_jcc(b, cc ^ 1);
			exit_taken(j, d, off, n);
			x_patch(b, taken, b->p);
			return true;
		}
		taken = x_jcc(b, cc);
		exit_next(j, d + 1, n);
		x_patch(b, taken, b->p);
		exit_taken(j, d, off, n);
		return false;
	}
	case K_NONE:
		break;
	}
	return true;
}

static void buf_init(a64_shared *sh)
{
	sh->jit_buf = jit_buf_map();
	sh->jit_used = 0;
	if (!sh->jit_buf)
		jit_enabled = 0;
}

/* page offset of the target of branch k at page offset `at` */
static int64_t branch_off(enum kind k, uint32_t i, int64_t at)
{
	if (k == K_B)
		return at + (int64_t)((int32_t)(i << 6) >> 6) * 4;
	if (k == K_TBZ)
		return at + (int64_t)((int32_t)(ibits(i, 18, 5) << 18) >> 18) * 4;
	return at + (int64_t)((int32_t)(ibits(i, 23, 5) << 13) >> 13) * 4;
}

static bool compile(a64_core *k, a64_page *pg, a64_dent *head, const a64_dent **next, int *nnext)
{
	a64_shared *sh = k->sh;
	enum kind ks[JIT_MAX_INSNS];
	const a64_dent *slots[JIT_MAX_INSNS + 1];
	bool follow[JIT_MAX_INSNS] = { false };
	const a64_dent *d = head;
	int n = 0, uses[33] = { 0 };
	uint64_t writes = 0;
	bool ends_in_branch = false, ok, loops = false;
	jctx *j;
	uint8_t *start;
	const uint8_t *tail = NULL;
	jit_head hd;

	a64_slot_decode(k, head);	/* a block's fallback is its head's handler */
	hd = (jit_head){ slot_fn(sh, head), 0 };

	/* A block runs on past conditional branches (side exits when
	 * taken) and through b/bl to its page (at the target, once) up to
	 * another unconditional branch or an instruction without a
	 * template. */
	while (n < JIT_MAX_INSNS && d < pg->e + 1024) {
		a64_tfn fn;
		enum kind kd;
		uint64_t r, w;

		a64_slot_decode(k, (a64_dent *)d);	/* code not run yet is decoded ahead */
		fn = slot_fn(sh, d);
		kd = a64_slot_plain(fn) ? classify(d->insn) : K_NONE;
		if (kd == K_NONE)
			break;
		regs_of(kd, d->insn, &r, &w);
		writes |= w;
		for (int x = 0; x < 33; x++)
			uses[x] += (int)((r >> x & 1) + (w >> x & 1));
		slots[n] = d;
		ks[n++] = kd;
		if (is_branch(kd) && kd != K_BR) {
			int64_t off = branch_off(kd, d->insn, 4 * (d - pg->e));
			bool cond = kd != K_B && !(kd == K_BCOND && ibits(d->insn, 3, 0) >> 1 == 7);

			if (kd == K_B && off >= 0 && off < 4096 && pg->e + off / 4 != head && n < JIT_MAX_INSNS) {
				const a64_dent *t = pg->e + off / 4;
				int q = 0;

				while (q < n && slots[q] != t)
					q++;
				if (q == n) {	/* not in the block yet: go on there */
					follow[n - 1] = true;
					d = t;
					continue;
				}
			}
			if (off >= 0 && off < 4096) {
				if (pg->e + off / 4 == head)
					loops = true;
				else if (*nnext < JIT_NEXT_CAP)
					next[(*nnext)++] = pg->e + off / 4;
			}
			if (!cond) {
				ends_in_branch = true;
				break;
			}
			if (n == JIT_MAX_INSNS) {	/* ends in it: its fall-through is next */
				if (*nnext < JIT_NEXT_CAP)
					next[(*nnext)++] = d + 1;
				ends_in_branch = true;
				break;
			}
		} else if (kd == K_BR) {
			ends_in_branch = true;
			break;
		}
		d++;
	}
	slots[n] = d;	/* where the last instruction falls through to */
	if (!ends_in_branch && d < pg->e + 1024 && a64_slot_plain(slot_fn(sh, d)) && *nnext < JIT_NEXT_CAP)
		next[(*nnext)++] = n == JIT_MAX_INSNS ? d : d + 1;
	/* entering and leaving a block costs about what interpreting a few
	 * instructions does: short blocks that do not loop stay interpreted */
	if (!loops && n < JIT_MIN_INSNS)
		return false;
	if (k->s.ps.el >= ARRAY_SIZE(k->rt))	/* TLBs for EL0 and EL1 only */
		return false;
	if (!sh->jit_buf)
		buf_init(sh);
	if (!sh->jit_buf)
		return false;
	if (sh->jit_used + JIT_BLOCK_ROOM > JIT_BUF_SIZE) {
#ifdef KWB_JIT_STAT
		fprintf(stderr, "jit buffer full after %llu blocks\n", (unsigned long long)sh->jit_blocks);
#endif
		sh->jit_flush = true;
		return false;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return false;
	j->sh = sh;
	j->head = head;
	j->page = pg->e;
	j->n = n;
	j->el = (int)k->s.ps.el;
	j->spsel = k->s.ps.sp != 0;
	memcpy(j->slot, slots, sizeof(slots[0]) * (size_t)(n + 1));
	memcpy(j->follow, follow, sizeof(follow));
	start = sh->jit_buf + sh->jit_used;
	memcpy(start, &hd, sizeof(hd));
	j->b.p = start + sizeof(hd);
	j->b.end = sh->jit_buf + JIT_BUF_SIZE;
	if (uses[SPR])	/* SP lives in a host register (see sp_home) */
		uses[SPR] = 1 << 20;
	jr_alloc(&j->r, XOFF(0), 0x7fffffffull, 31, uses, 33, loops, writes);

	/* entry: icount + n <= end_chain and the EL compiled for (its
	 * TLBs; with SP, SPSel too: its home), else the slot's own handler */
	x_load(&j->b, 8, false, XAX, XDI, ICOUNT);
	x_ri(&j->b, true, XI_ADD, XAX, n);
	x_rm(&j->b, true, X_CMP, XAX, XDI, KOFF(end_chain));
	{
		uint8_t *no = x_jcc(&j->b, XC_A), *go;
		_Static_assert(offsetof(a64_pstate, sp) == offsetof(a64_pstate, el) + 4, "ps.el, ps.sp");
		if (j->r.map[SPR] >= 0) {	/* ps.el and ps.sp as one quadword */
			x_movi(&j->b, XAX, (uint64_t)j->spsel << 32 | (uint32_t)j->el);
			x_rm(&j->b, true, X_CMP, XAX, XDI, SOFF(ps.el));
		} else {
			x_mi(&j->b, false, XI_CMP, XDI, SOFF(ps.el), j->el);
		}
		go = x_jcc(&j->b, XC_E);
		x_patch(&j->b, no, j->b.p);
		x_movi(&j->b, XAX, (uint64_t)(uintptr_t)hd.orig);
		x_jmp_r(&j->b, XAX);
		x_patch(&j->b, go, j->b.p);
	}
	jr_enter(&j->b, &j->r);
	if (j->r.map[SPR] >= 0)
		x_load(&j->b, 8, false, j->r.map[SPR], XDI, sp_home(j));
	j->top = j->b.p;
	j->live = -1;
	j->remat.f = -1;
	for (int i = 0; i < n; i++) {
		uint64_t r, w;

		d = slots[i];
		j->prev_live = j->live;
		j->live = -1;
		if (!emit(j, ks[i], d->insn, i, d))
			break;
		regs_of(ks[i], d->insn, &r, &w);
		if (j->remat.f >= 0 && (w >> j->remat.n & 1 || (!j->remat.imm && w >> j->remat.m & 1)))
			j->remat.f = -1;	/* a source changed */
		if (i == n - 1)
			exit_next(j, slots[n], n);
	}
	/* slow exits (i < 0: the second lookup of a pair, its first pushed):
	 * each sets rdx = the instructions run, rcx = pc's advance, rax =
	 * the slot and r11 = its handler, then jumps to the block's one tail,
	 * which accounts, writes the registers back and enters the handler */
	if (j->nret1) {	/* taken branches that leave to the run loop */
		for (int q = 0; q < j->nret1; q++)
			x_patch(&j->b, j->ret1[q], j->b.p);
		write_back(j);
		pops(j);
		x_movi(&j->b, XAX, 1);
		x_ret(&j->b);
	}
	if (j->nslow) {
		tail = j->b.p;
		xb_op(&j->b, 0, true, X_ADD, 1, XDX, true, XDI, ICOUNT);	/* add [icount], rdx */
		xb_op(&j->b, 0, true, X_ADD, 1, XCX, true, XDI, SOFF(pc));	/* add [pc], rcx */
		x_mov(&j->b, XDX, XAX);
		write_back(j);
		pops(j);
		x_mov(&j->b, XSI, XDX);
		x_jmp_r(&j->b, X11);
	}
	for (int s = 0; s < j->nslow; s++) {
		int i = j->slow[s].i;
		x_patch(&j->b, j->slow[s].at, j->b.p);
		if (j->slow[s].hit)	/* rcx - rdi = 16 * index: wbits[w][el][index] */
			watch_pass(j, (j->slow[s].write ? KOFF(wt) : KOFF(rt)) + j->el * TLB_EL_SIZE,
				   KOFF(wbits) + (j->slow[s].write ? WBITS_DIR : 0) + j->el * WBITS_EL_SIZE,
				   j->slow[s].size, j->slow[s].hit);
		if (i < 0) {
			x_pop(&j->b, X11);
			i = -1 - i;
		}
		x_movi(&j->b, XDX, (uint64_t)i);
		x_movi(&j->b, XCX, (uint64_t)(4 * (j->slot[i] - head)));
		x_movi(&j->b, XAX, (uint64_t)(uintptr_t)j->slot[i]);
		x_movi(&j->b, X11, (uint64_t)(uintptr_t)slot_fn(sh, j->slot[i]));
		x_patch(&j->b, x_jmp(&j->b), tail);
	}
	ok = !j->b.full;
	if (ok) {
		sh->jit_used = (size_t)(j->b.p - sh->jit_buf + 15) & ~(size_t)15;
		head->fn = (a64_tfn)(void *)(start + sizeof(hd));
		sh->jit_blocks++;
	}
	free(j);
	return ok;
}

/* Compile the block at target and, at most `follow` in all, the blocks
 * control reaches from there on the page. A slot tried once is marked
 * (hits past A64_JIT_ENTRY_HOT): neither its entries nor a hot loop try
 * it again until its page is decoded again. */
static void compile_from(a64_cpu *s, a64_dent *target, int follow)
{
	a64_core *k = CORE(s);
	a64_page *pg = k->cur->pg;
	const a64_dent *todo[JIT_NEXT_CAP];
	int ntodo = 1, done = 0;

	if (!jit_on() || k->cur->bp_slow)
		return;
	todo[0] = target;
	while (ntodo && done < follow) {
		a64_dent *d = (a64_dent *)todo[--ntodo];

		if (d >= pg->e + 1024 || in_buf(k->sh, (const void *)d->fn) || d->hits > A64_JIT_ENTRY_HOT)
			continue;
		done++;
		if (compile(k, pg, d, todo, &ntodo))
			pg->jit++;
		d->hits = A64_JIT_ENTRY_HOT + 1;
		if (ntodo > JIT_FOLLOW)
			ntodo = JIT_FOLLOW;
	}
}

/* A backward branch on the page was taken often: its target is a loop. */
void a64_jit_hot(a64_cpu *s, a64_dent *target)
{
	CORE(s)->cur->pg->hot = 0;
	compile_from(s, target, JIT_FOLLOW);
}

/* A chain started at d often: a function body, a return point. */
void a64_jit_entry(a64_cpu *s, a64_dent *d)
{
	compile_from(s, d, JIT_ENTRY_FOLLOW);
}

void a64_jit_reset(a64_shared *sh)
{
	sh->jit_used = 0;
	sh->jit_flush = false;
}

void a64_jit_free(a64_shared *sh)
{
	jit_buf_unmap(sh->jit_buf);
	sh->jit_buf = NULL;
}

#else

void a64_jit_hot(a64_cpu *s, a64_dent *target)
{
	CORE(s)->cur->pg->hot = 0;
	(void)target;
}

void a64_jit_entry(a64_cpu *s, a64_dent *d)
{
	(void)s, (void)d;
}

void a64_jit_reset(a64_shared *sh)
{
	sh->jit_flush = false;
}

void a64_jit_free(a64_shared *sh)
{
	(void)sh;
}

#endif

#ifdef KWB_JIT_STAT
#define STAT_N (1 << 20)
static struct { uint64_t pc, n; uint32_t insn; } stat_tab[STAT_N];
static uint64_t stat_total;
static a64_cpu *stat_cpu;

static int stat_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;
	return x[1] < y[1] ? 1 : x[1] > y[1] ? -1 : 0;
}

static void stat_dump(void)
{
	FILE *f = fopen(getenv("KWB_JIT_STAT") ? getenv("KWB_JIT_STAT") : "/tmp/jitstat.txt", "w");
	if (!f)
		return;
	fprintf(f, "interpreted %llu of icount %llu\n", (unsigned long long)stat_total,
		stat_cpu ? (unsigned long long)stat_cpu->c.icount : 0ull);
	qsort(stat_tab, STAT_N, sizeof(stat_tab[0]), stat_cmp);
	for (int i = 0; i < 400 && stat_tab[i].n; i++) {
		char buf[80];
		aarch64_arch.disasm(NULL, stat_tab[i].pc, stat_tab[i].insn, buf, sizeof(buf));
		fprintf(f, "%10llu %016llx %08x %2d %s\n", (unsigned long long)stat_tab[i].n,
			(unsigned long long)stat_tab[i].pc, stat_tab[i].insn, classify(stat_tab[i].insn), buf);
	}
	fclose(f);
}

static a64_shared *stat_sh;

static void stat_dump_buf(void)
{
	FILE *f = fopen("/tmp/jitbuf.bin", "w");
	if (!f || !stat_sh || !stat_sh->jit_buf)
		return;
	fprintf(stderr, "jit buf at %p, %zu bytes used, %llu blocks compiled\n", (void *)stat_sh->jit_buf,
		stat_sh->jit_used, (unsigned long long)stat_sh->jit_blocks);
	fwrite(stat_sh->jit_buf, 1, stat_sh->jit_used, f);
	fclose(f);
}

void a64_jit_stat(a64_cpu *s, a64_dent *d)
{
	if (!stat_sh) {
		stat_sh = CORE(s)->sh;
		atexit(stat_dump_buf);
	}
	uint64_t h = (s->pc >> 2) * 0x9e3779b97f4a7c15ull >> 44;
	if (!stat_cpu) {
		stat_cpu = s;
		atexit(stat_dump);
	}
	stat_total++;
	for (;; h = (h + 1) & (STAT_N - 1)) {
		if (stat_tab[h].pc == s->pc || !stat_tab[h].n) {
			stat_tab[h].pc = s->pc;
			stat_tab[h].insn = d->insn;
			stat_tab[h].n++;
			return;
		}
	}
}
#endif
