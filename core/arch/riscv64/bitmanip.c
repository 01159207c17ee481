/*
 * Zba, Zbb, Zbc, Zbs (bit manipulation) and Zihintpause, as QEMU 7.2's
 * default hart has them. Plain register arithmetic: no traps, no state.
 */
#include "rv.h"
#include "rv_ops.h"

#define X(r) h->x[r]

static inline uint64_t sx32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)v;
}

static inline uint64_t rol64(uint64_t a, unsigned n)
{
	n &= 63;
	return n ? a << n | a >> (64 - n) : a;
}

static inline uint32_t rol32(uint32_t a, unsigned n)
{
	n &= 31;
	return n ? a << n | a >> (32 - n) : a;
}

/* Carry-less product: low and high halves. */
static uint64_t clmul_lo(uint64_t a, uint64_t b)
{
	uint64_t r = 0;
	for (int i = 0; i < 64; i++)
		if ((b >> i) & 1)
			r ^= a << i;
	return r;
}

static uint64_t clmul_hi(uint64_t a, uint64_t b)
{
	uint64_t r = 0;
	for (int i = 1; i < 64; i++)
		if ((b >> i) & 1)
			r ^= a >> (64 - i);
	return r;
}

/* clmulr: bits 126..63 of the 128-bit product. */
static uint64_t clmul_rev(uint64_t a, uint64_t b)
{
	uint64_t r = 0;
	for (int i = 0; i < 64; i++)
		if ((b >> i) & 1)
			r ^= a >> (63 - i);
	return r;
}

static uint64_t orc_b(uint64_t a)
{
	uint64_t r = 0;
	for (int i = 0; i < 64; i += 8)
		if ((a >> i) & 0xff)
			r |= 0xffull << i;
	return r;
}

#define ALU_R(name, expr) RV_OP(name) { uint64_t a = X(d->rs1), b = X(d->rs2); X(d->rd) = (expr); RV_NEXT; }
#define ALU_1(name, expr) RV_OP(name) { uint64_t a = X(d->rs1); X(d->rd) = (expr); RV_NEXT; }
#define ALU_I(name, expr) RV_OP(name) { uint64_t a = X(d->rs1); unsigned i = (unsigned)d->imm & 63; X(d->rd) = (expr); RV_NEXT; }

/* Zba */
ALU_R(add_uw, (a & 0xffffffffull) + b)
ALU_R(sh1add, (a << 1) + b)
ALU_R(sh2add, (a << 2) + b)
ALU_R(sh3add, (a << 3) + b)
ALU_R(sh1add_uw, ((a & 0xffffffffull) << 1) + b)
ALU_R(sh2add_uw, ((a & 0xffffffffull) << 2) + b)
ALU_R(sh3add_uw, ((a & 0xffffffffull) << 3) + b)
ALU_I(slli_uw, (a & 0xffffffffull) << i)

/* Zbb */
ALU_R(andn, a & ~b)
ALU_R(orn, a | ~b)
ALU_R(xnor, ~(a ^ b))
ALU_1(clz, a ? (uint64_t)__builtin_clzll(a) : 64)
ALU_1(ctz, a ? (uint64_t)__builtin_ctzll(a) : 64)
ALU_1(cpop, (uint64_t)__builtin_popcountll(a))
ALU_1(clzw, (uint32_t)a ? (uint64_t)__builtin_clz((uint32_t)a) : 32)
ALU_1(ctzw, (uint32_t)a ? (uint64_t)__builtin_ctz((uint32_t)a) : 32)
ALU_1(cpopw, (uint64_t)__builtin_popcount((uint32_t)a))
ALU_1(sext_b, (uint64_t)(int64_t)(int8_t)a)
ALU_1(sext_h, (uint64_t)(int64_t)(int16_t)a)
ALU_1(zext_h, a & 0xffff)
ALU_R(max, (int64_t)a > (int64_t)b ? a : b)
ALU_R(maxu, a > b ? a : b)
ALU_R(min, (int64_t)a < (int64_t)b ? a : b)
ALU_R(minu, a < b ? a : b)
ALU_R(rol, rol64(a, (unsigned)b))
ALU_R(ror, rol64(a, 64 - ((unsigned)b & 63)))
ALU_R(rolw, sx32(rol32((uint32_t)a, (unsigned)b)))
ALU_R(rorw, sx32(rol32((uint32_t)a, 32 - ((unsigned)b & 31))))
ALU_I(rori, rol64(a, 64 - i))
ALU_I(roriw, sx32(rol32((uint32_t)a, 32 - (i & 31))))
ALU_1(orc_b, orc_b(a))
ALU_1(rev8, __builtin_bswap64(a))

/* Zbc */
ALU_R(clmul, clmul_lo(a, b))
ALU_R(clmulh, clmul_hi(a, b))
ALU_R(clmulr, clmul_rev(a, b))

/* Zbs */
ALU_R(bclr, a & ~(1ull << (b & 63)))
ALU_R(bext, (a >> (b & 63)) & 1)
ALU_R(binv, a ^ (1ull << (b & 63)))
ALU_R(bset, a | (1ull << (b & 63)))
ALU_I(bclri, a & ~(1ull << i))
ALU_I(bexti, (a >> i) & 1)
ALU_I(binvi, a ^ (1ull << i))
ALU_I(bseti, a | (1ull << i))

/* Zihintpause: a hint; QEMU ends its translation block here, kwb needs
 * nothing (no other hart is waiting on this one's time slice). */
RV_OP(pause) { RV_NEXT; }
