/*
 * The Armv8.0 cryptographic extension cortex-a57 has (ID_AA64ISAR0 AES 2,
 * SHA1 1, SHA2 1): AESE/AESD/AESMC/AESIMC, SHA1C/P/M/H/SU0/SU1,
 * SHA256H/H2/SU0/SU1 and the 64-bit PMULL/PMULL2, after the Arm ARM's
 * pseudocode. Returns 0 when executed, 1 when insn is none of these (the
 * caller decodes on).
 */
#include "fpsimd.h"

/* ---- AES ---- */

static uint8_t sbox[256], inv_sbox[256];

static uint8_t gmul(uint8_t a, uint8_t b)
{
	uint8_t p = 0;

	while (b) {
		if (b & 1)
			p ^= a;
		a = (uint8_t)(a << 1) ^ (a & 0x80 ? 0x1b : 0);
		b >>= 1;
	}
	return p;
}

static void aes_tables(void)
{
	if (sbox[0])
		return;
	for (int x = 0; x < 256; x++) {
		uint8_t inv = 0;
		for (int y = 1; y < 256 && x; y++)
			if (gmul((uint8_t)x, (uint8_t)y) == 1) {
				inv = (uint8_t)y;
				break;
			}
		uint8_t s = inv;
		for (int i = 1; i < 5; i++)
			s ^= (uint8_t)(inv << i | inv >> (8 - i));
		s ^= 0x63;
		sbox[x] = s;
		inv_sbox[s] = (uint8_t)x;
	}
}

/* state byte i is row i % 4 of column i / 4 */
static void aes_round(uint8_t *b, bool decrypt)
{
	uint8_t t[16];

	for (int c = 0; c < 4; c++)
		for (int r = 0; r < 4; r++) {
			int from = decrypt ? (c - r + 4) % 4 : (c + r) % 4;
			uint8_t v = b[r + 4 * from];
			t[r + 4 * c] = decrypt ? inv_sbox[v] : sbox[v];
		}
	memcpy(b, t, 16);
}

static void aes_mix(uint8_t *b, bool inverse)
{
	static const uint8_t fwd[4] = { 2, 3, 1, 1 }, inv[4] = { 14, 11, 13, 9 };
	const uint8_t *m = inverse ? inv : fwd;

	for (int c = 0; c < 4; c++) {
		uint8_t a[4], *col = b + 4 * c;
		memcpy(a, col, 4);
		for (int r = 0; r < 4; r++)
			col[r] = gmul(a[0], m[(4 - r) % 4]) ^ gmul(a[1], m[(5 - r) % 4]) ^
				 gmul(a[2], m[(6 - r) % 4]) ^ gmul(a[3], m[(7 - r) % 4]);
	}
}

static int aes(a64_cpu *s, uint32_t insn)
{
	unsigned op = bits(insn, 16, 12);
	a64_vreg r = s->v[RD(insn)];

	aes_tables();
	switch (op) {
	case 4: case 5:		/* AESE, AESD */
		for (int i = 0; i < 16; i++)
			r.b[i] ^= s->v[RN(insn)].b[i];
		aes_round(r.b, op == 5);
		break;
	case 6: case 7:		/* AESMC, AESIMC */
		r = s->v[RN(insn)];
		aes_mix(r.b, op == 7);
		break;
	default:
		return -1;
	}
	s->v[RD(insn)] = r;
	return 0;
}

/* ---- SHA-1 and SHA-256 ---- */

static uint32_t rol(uint32_t x, unsigned n) { return x << n | x >> (32 - n); }
static uint32_t ror(uint32_t x, unsigned n) { return x >> n | x << (32 - n); }
static uint32_t choose(uint32_t x, uint32_t y, uint32_t z) { return ((y ^ z) & x) ^ z; }
static uint32_t majority(uint32_t x, uint32_t y, uint32_t z) { return (x & y) | ((x | y) & z); }
static uint32_t parity(uint32_t x, uint32_t y, uint32_t z) { return x ^ y ^ z; }

static void sha1_hash(uint32_t *x, uint32_t y, const uint32_t *w, unsigned op)
{
	for (int e = 0; e < 4; e++) {
		uint32_t t = op == 0 ? choose(x[1], x[2], x[3]) : op == 1 ? parity(x[1], x[2], x[3])
				      : majority(x[1], x[2], x[3]);
		y += rol(x[0], 5) + t + w[e];
		x[1] = rol(x[1], 30);
		uint32_t top = x[3];	/* <Y, X> = ROL(Y:X, 32) */
		x[3] = x[2], x[2] = x[1], x[1] = x[0], x[0] = y;
		y = top;
	}
}

static void sha256_hash(uint32_t *x, uint32_t *y, const uint32_t *w)
{
	for (int e = 0; e < 4; e++) {
		uint32_t chs = choose(y[0], y[1], y[2]);
		uint32_t maj = majority(x[0], x[1], x[2]);
		uint32_t t = y[3] + (ror(y[0], 6) ^ ror(y[0], 11) ^ ror(y[0], 25)) + chs + w[e];
		x[3] += t;
		y[3] = t + (ror(x[0], 2) ^ ror(x[0], 13) ^ ror(x[0], 22)) + maj;
		uint32_t xt = x[3], yt = y[3];	/* <Y, X> = ROL(Y:X, 32) */
		x[3] = x[2], x[2] = x[1], x[1] = x[0], x[0] = yt;
		y[3] = y[2], y[2] = y[1], y[1] = y[0], y[0] = xt;
	}
}

static int sha3reg(a64_cpu *s, uint32_t insn)
{
	unsigned op = bits(insn, 14, 12);
	a64_vreg d = s->v[RD(insn)], n = s->v[RN(insn)], m = s->v[RM(insn)], r;

	memset(&r, 0, sizeof(r));
	switch (op) {
	case 0: case 1: case 2:		/* SHA1C, SHA1P, SHA1M */
		r = d;
		sha1_hash(r.s, n.s[0], m.s, op);
		break;
	case 3:				/* SHA1SU0 */
		r.d[0] = d.d[1] ^ d.d[0] ^ m.d[0];
		r.d[1] = n.d[0] ^ d.d[1] ^ m.d[1];
		break;
	case 4: case 5: {		/* SHA256H, SHA256H2 */
		a64_vreg x = op == 4 ? d : n, y = op == 4 ? n : d;
		sha256_hash(x.s, y.s, m.s);
		r = op == 4 ? x : y;
		break;
	}
	case 6: {			/* SHA256SU1 */
		uint32_t t0[4] = { n.s[1], n.s[2], n.s[3], m.s[0] };
		for (int e = 0; e < 4; e++) {
			uint32_t elt = e < 2 ? m.s[2 + e] : r.s[e - 2];
			elt = ror(elt, 17) ^ ror(elt, 19) ^ (elt >> 10);
			r.s[e] = elt + d.s[e] + t0[e];
		}
		break;
	}
	default:
		return -1;
	}
	s->v[RD(insn)] = r;
	return 0;
}

static int sha2reg(a64_cpu *s, uint32_t insn)
{
	unsigned op = bits(insn, 16, 12);
	a64_vreg d = s->v[RD(insn)], n = s->v[RN(insn)], r;

	memset(&r, 0, sizeof(r));
	switch (op) {
	case 0:				/* SHA1H */
		r.s[0] = rol(n.s[0], 30);
		break;
	case 1: {			/* SHA1SU1 */
		uint32_t t[4] = { d.s[0] ^ n.s[1], d.s[1] ^ n.s[2], d.s[2] ^ n.s[3], d.s[3] };
		r.s[0] = rol(t[0], 1);
		r.s[1] = rol(t[1], 1);
		r.s[2] = rol(t[2], 1);
		r.s[3] = rol(t[3], 1) ^ rol(t[0], 2);
		break;
	}
	case 2: {			/* SHA256SU0 */
		uint32_t t[4] = { d.s[1], d.s[2], d.s[3], n.s[0] };
		for (int e = 0; e < 4; e++)
			r.s[e] = (ror(t[e], 7) ^ ror(t[e], 18) ^ (t[e] >> 3)) + d.s[e];
		break;
	}
	default:
		return -1;
	}
	s->v[RD(insn)] = r;
	return 0;
}

/* ---- PMULL/PMULL2 Vd.1Q, Vn.1D, Vm.1D ---- */

static int pmull64(a64_cpu *s, uint32_t insn)
{
	unsigned half = bits(insn, 30, 30);
	uint64_t a = s->v[RN(insn)].d[half], b = s->v[RM(insn)].d[half], lo = 0, hi = 0;

	for (int i = 0; i < 64; i++)
		if (b >> i & 1) {
			lo ^= a << i;
			hi ^= i ? a >> (64 - i) : 0;
		}
	s->v[RD(insn)].d[0] = lo;
	s->v[RD(insn)].d[1] = hi;
	return 0;
}

int fpsimd_exec_crypto(a64_cpu *s, uint32_t insn)
{
	if ((insn & 0xfffe0c00u) == 0x4e280800u)
		return aes(s, insn);
	if ((insn & 0xffe08c00u) == 0x5e000000u)
		return sha3reg(s, insn);
	if ((insn & 0xfffe0c00u) == 0x5e280800u)
		return sha2reg(s, insn);
	if ((insn & 0xbfe0fc00u) == 0x0ee0e000u)
		return pmull64(s, insn);
	return 1;
}
