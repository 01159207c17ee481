/*
 * Compute-bound guest code of a realistic shape: 2048-bit modular
 * multiplications (schoolbook product with an add-multiply limb loop, then
 * Montgomery reduction), the inner loops of the kernel's RSA self-checks
 * (lib/crypto/mpi's mpihelp_addmul_1 and friends). Bare metal, no libc:
 * start-<arch>.S calls bench_main and powers off.
 */
#include <stdint.h>

#ifndef ITERATIONS
#define ITERATIONS 1000
#endif
#define LIMBS 32	/* 64-bit limbs: 2048 bits */

typedef unsigned __int128 u128;

static uint64_t a[LIMBS], b[LIMBS], mod[LIMBS], t[2 * LIMBS + 2];

/* r[0..n) += x[0..n) * y, returns the carry limb */
static uint64_t addmul_1(uint64_t *r, const uint64_t *x, int n, uint64_t y)
{
	uint64_t carry = 0;

	for (int i = 0; i < n; i++) {
		u128 p = (u128)x[i] * y + r[i] + carry;
		r[i] = (uint64_t)p;
		carry = (uint64_t)(p >> 64);
	}
	return carry;
}

/* -m^-1 mod 2^64 for odd m (Newton) */
static uint64_t neg_inverse(uint64_t m)
{
	uint64_t x = m;

	for (int i = 0; i < 6; i++)
		x *= 2 - m * x;
	return -x;
}

/* a = a * b * 2^-2048 mod mod (result kept below 2^2048, not fully reduced) */
static void mont_mul(uint64_t minv)
{
	for (int i = 0; i < 2 * LIMBS + 2; i++)
		t[i] = 0;
	for (int i = 0; i < LIMBS; i++) {
		uint64_t c = addmul_1(t + i, a, LIMBS, b[i]);
		for (int j = i + LIMBS; c; j++) {
			u128 s = (u128)t[j] + c;
			t[j] = (uint64_t)s;
			c = (uint64_t)(s >> 64);
		}
	}
	for (int i = 0; i < LIMBS; i++) {
		uint64_t c = addmul_1(t + i, mod, LIMBS, t[i] * minv);
		for (int j = i + LIMBS; c; j++) {
			u128 s = (u128)t[j] + c;
			t[j] = (uint64_t)s;
			c = (uint64_t)(s >> 64);
		}
	}
	for (int i = 0; i < LIMBS; i++)
		a[i] = t[i + LIMBS];
}

uint64_t bench_main(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < LIMBS; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		a[i] = x;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		b[i] = x;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		mod[i] = x;
	}
	mod[0] |= 1;
	mod[LIMBS - 1] |= 1ull << 63;
	a[LIMBS - 1] >>= 1;
	uint64_t minv = neg_inverse(mod[0]);
	for (long n = 0; n < ITERATIONS; n++)
		mont_mul(minv);
	return a[0];
}
