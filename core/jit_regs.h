/*
 * The guest register cache of the template JITs (core/arch/ * /jit.c): while
 * a block runs, the guest registers it uses most live in host registers.
 * Guest register g's home is [rdi + base + 8 * g] for the registers in
 * `homed`; the zero register (RISC-V x0, AArch64 XZR) reads as 0 and drops
 * writes; a register outside `homed` is either always cached (AArch64's SP,
 * whose home the JIT computes itself) or a write sink (RISC-V's x32).
 * rdi holds the CPU, rax/rcx/rdx/r11 are the templates' scratch.
 */
#ifndef KWB_JIT_REGS_H
#define KWB_JIT_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "debug.h"
#include "x86emit.h"

/* ---- the code buffer, one per machine and architecture ---- */
#define JIT_BUF_SIZE (64u << 20)

/* A read/write/execute buffer for compiled blocks; NULL when the host
 * refuses one (the JIT then stays off). */
static inline uint8_t *jit_buf_map(void)
{
	void *p = mmap(NULL, JIT_BUF_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void jit_buf_unmap(uint8_t *buf)
{
	if (buf)
		munmap(buf, JIT_BUF_SIZE);
}

/* p is compiled code (a slot's handler the JIT installed) */
static inline bool jit_buf_holds(const uint8_t *buf, const void *p)
{
	return buf && (const uint8_t *)p >= buf && (const uint8_t *)p < buf + JIT_BUF_SIZE;
}

#define JR_MAX 33

/* host registers for guest registers, in order of preference */
static const int jr_hosts[] = { XSI, X8, X9, X10, XBX, XBP, X12, X13, X14, X15 };

typedef struct jit_regs {
	int map[JR_MAX];	/* host register of a guest register, or -1 */
	uint64_t written;	/* guest registers the block writes */
	uint64_t homed;		/* guest registers with a home in the register file */
	int zero;		/* the register that reads as zero */
	int32_t base;		/* offset of the register file from rdi */
	int saved[6], nsaved;	/* callee-saved host registers pushed at entry */
} jit_regs;

/* Give host registers to the most used guest registers (uses[g]: reads
 * plus writes in the block; ties go to the lower number). A register used
 * once is cheaper in memory than loaded at entry and written back at
 * exit, unless the block loops. */
static inline void jr_alloc(jit_regs *r, int32_t base, uint64_t homed, int zero, const int *uses, int n,
			    bool loops, uint64_t written)
{
	r->base = base;
	r->homed = homed;
	r->zero = zero;
	r->written = written;
	r->nsaved = 0;
	for (int g = 0; g < JR_MAX; g++)
		r->map[g] = -1;
	for (size_t c = 0; c < sizeof(jr_hosts) / sizeof(jr_hosts[0]); c++) {
		int best = -1, h = jr_hosts[c];

		for (int g = 0; g < n; g++)
			if ((uses[g] > 1 || (uses[g] && loops)) && r->map[g] < 0 && (best < 0 || uses[g] > uses[best]))
				best = g;
		if (best < 0)
			break;
		r->map[best] = h;
		if (h == XBX || h == XBP || h >= X12)
			r->saved[r->nsaved++] = h;
	}
}

static inline void jr_get(xbuf *b, const jit_regs *r, int g, int t)
{
	if (g == r->zero)
		x_movi(b, t, 0);
	else if (r->map[g] >= 0)
		x_mov(b, t, r->map[g]);
	else
		x_load(b, 8, false, t, XDI, r->base + 8 * g);
}

static inline void jr_put(xbuf *b, const jit_regs *r, int g, int t)
{
	if (g == r->zero)
		return;
	if (r->map[g] >= 0)
		x_mov(b, r->map[g], t);
	else if (r->homed >> g & 1)
		x_store(b, 8, XDI, r->base + 8 * g, t);
}

/* block entry: save the callee-saved host registers used, load the cache */
static inline void jr_enter(xbuf *b, const jit_regs *r)
{
	for (int i = 0; i < r->nsaved; i++)
		x_push(b, r->saved[i]);
	for (int g = 0; g < JR_MAX; g++)
		if (r->map[g] >= 0 && (r->homed >> g & 1))
			x_load(b, 8, false, r->map[g], XDI, r->base + 8 * g);
}

/* the cached registers the block writes, to their homes */
static inline void jr_write_back(xbuf *b, const jit_regs *r)
{
	for (int g = 0; g < JR_MAX; g++)
		if (r->map[g] >= 0 && (r->homed & r->written) >> g & 1)
			x_store(b, 8, XDI, r->base + 8 * g, r->map[g]);
}

/* before leaving: restore the callee-saved host registers */
static inline void jr_pops(xbuf *b, const jit_regs *r)
{
	for (int i = r->nsaved - 1; i >= 0; i--)
		x_pop(b, r->saved[i]);
}

/* Whether an access touches a watched byte of its page: in: r11 = the
 * page's watched-byte bitmap, rax = va, rcx saved by the caller on the
 * stack; out: rcx restored, r11 clobbered, flags NE if a byte accessed is
 * watched. The access is aligned and at most 8 bytes: its bits never
 * straddle a byte of the bitmap. */
static inline void jr_watch_bits_test(xbuf *b, int size)
{
	x_rr(b, false, X_MOV, XCX, XAX);
	x_shi(b, false, XS_SHR, XCX, 3);
	x_ri(b, false, XI_AND, XCX, 0x1ff);
	x_rr(b, true, X_ADD, X11, XCX);
	x_load(b, 1, false, X11, X11, 0);	/* the byte of bits covering the access */
	x_rr(b, false, X_MOV, XCX, XAX);
	x_ri(b, false, XI_AND, XCX, 7);
	x_shcl(b, false, XS_SHR, X11);
	x_pop(b, XCX);
	x_ri(b, false, XI_AND, X11, (1 << size) - 1);
}

/* An access on a watched page, after the JIT's own test that the TLB
 * entry is the access's own but for its watch bit (`not_watched`: that
 * test's jump when it is not): jumps to `hit` (rax, rcx as they were) when
 * the access touches no watched byte: first the page's range of watched
 * bytes (one compare: most accesses are outside it), then the byte of the
 * bitmap covering it. In: rax = va, the page's dbg_wbits at [rcx + wbits].
 * Otherwise falls through (r11, flags clobbered), where `not_watched`
 * lands too. */
static inline void jr_watch_pass(xbuf *b, int32_t wbits, int size, const uint8_t *hit, uint8_t *not_watched)
{
	uint8_t *watched;

	x_rr(b, false, X_MOV, X11, XAX);
	x_rm(b, false, X_SUB, X11, XCX, wbits + (int32_t)offsetof(dbg_wbits, near));
	x_rm(b, false, X_CMP, X11, XCX, wbits + (int32_t)offsetof(dbg_wbits, span));
	x_patch(b, x_jcc(b, XC_A), hit);	/* outside the watched range */
	x_push(b, XCX);
	x_load(b, 8, false, X11, XCX, wbits + (int32_t)offsetof(dbg_wbits, bits));
	jr_watch_bits_test(b, size);
	watched = x_jcc(b, XC_NE);
	x_patch(b, x_jmp(b), hit);
	x_patch(b, not_watched, b->p);
	x_patch(b, watched, b->p);
}

#endif
