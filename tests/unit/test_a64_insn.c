/* AArch64 integer core: instruction classes run from tests/guest/aarch64/progs.S. */
#include <stdlib.h>
#include "check.h"
#include "a64_harness.h"
#include "a64_progs.h"

static machine *m;
#define RUN_PROG(name) h_run(m, prog_##name, sizeof(prog_##name), 2000)

static void test_arith(void)
{
	a64_cpu *s = RUN_PROG(arith);
	CHECK_EQ(s->x[1], 0);
	CHECK_EQ(s->x[2], 0x60000000);
	CHECK_EQ(s->x[4], 0x8000000000000000ull);
	CHECK_EQ(s->x[5], 0x90000000);
	CHECK_EQ(s->x[7], 0x7fffffff);
	CHECK_EQ(s->x[8], 0x30000000);
	CHECK_EQ(s->x[10], (uint64_t)-5);
	CHECK_EQ(s->x[11], 11);
	CHECK_EQ(s->x[13], 17);
	CHECK_EQ(s->x[15], 3);
	CHECK_EQ(s->x[16], 0);
	CHECK_EQ(s->x[17], 0x20000000);
	CHECK_EQ(s->x[18], 5);
	CHECK_EQ(s->x[19], (uint64_t)-3);
	CHECK_EQ(s->x[20], 1);
	CHECK_EQ(s->x[21], 0x40100010);
	CHECK_EQ(s->x[22], 0);
	CHECK_EQ(s->x[23], (uint64_t)-5);
	CHECK_EQ(s->x[24], 0x80000000);
}

static void test_logic(void)
{
	a64_cpu *s = RUN_PROG(logic);
	CHECK_EQ(s->x[1], 0x00f000f000f000f0ull);
	CHECK_EQ(s->x[2], 0x55555555);
	CHECK_EQ(s->x[3], 0xff0000ff00ff00ffull ^ 0x00ffffff00ff0000ull ^ 0x00ffffff00ff0000ull ^ 0xff0000ff00ff00ffull ^ (0x00ff00ff00ff00ffull ^ 0xffff0000ffff0000ull));
	CHECK_EQ(s->x[4], 0);
	CHECK_EQ(s->x[5], 0x40000000);
	CHECK_EQ(s->x[6], 0x0000123456780000ull);
	CHECK_EQ(s->x[7], 0xffffffff);
	CHECK_EQ(s->x[8], 0x5678);
	CHECK_EQ(s->x[9], 7);
	CHECK_EQ(s->x[10], (uint64_t)-1);
	CHECK_EQ(s->x[11], 0xffffffffffff00ffull);
	CHECK_EQ(s->x[12], 0x0001234567800000ull);
	CHECK_EQ(s->x[13], (uint64_t)-1);
	CHECK_EQ(s->x[14], 0x0000001234567800ull);
	CHECK_EQ(s->x[15], 0x5678000000ff00ffull);
	CHECK_EQ(s->x[17], 1);
	CHECK_EQ(s->x[18], 0xf0000000);
	CHECK_EQ(s->x[19], (uint64_t)-1);
	CHECK_EQ(s->x[20], 0xff);
	CHECK_EQ(s->x[21], 0x00ff00ff00ff00ffull & ~0xff00ff00ff00ff00ull);
	CHECK_EQ(s->x[22], 0xff00ff00);
	CHECK_EQ(s->x[23], ~(0x00ff00ff00ff00ffull ^ 0xf00ff00ff00ff00full));
	CHECK_EQ(s->x[24], 0x40000000);
}

static void test_muldiv(void)
{
	a64_cpu *s = RUN_PROG(muldiv);
	CHECK_EQ(s->x[2], (uint64_t)-21);
	CHECK_EQ(s->x[3], (uint64_t)-3);
	CHECK_EQ(s->x[4], 0);
	CHECK_EQ(s->x[7], 0x8000000000000000ull);
	CHECK_EQ(s->x[8], 0);
	CHECK_EQ(s->x[9], 0xfffffffffffffffeull);
	CHECK_EQ(s->x[10], (uint64_t)-14);
	CHECK_EQ(s->x[11], 0xfffffffdull * 7);
	CHECK_EQ(s->x[12], (uint64_t)-42);
	CHECK_EQ(s->x[13], 61);
	CHECK_EQ(s->x[14], 61);
	CHECK_EQ(s->x[15], 0xe0000000);
	CHECK_EQ(s->x[16], 0x80);
	CHECK_EQ(s->x[17], 0x0700);
	CHECK_EQ(s->x[18], 0x07000000);
	CHECK_EQ(s->x[20], 0x2d02ef8d);	/* crc32 of one 0xff byte with init 0 */
	CHECK_EQ(s->x[22], 896);
	CHECK_EQ(s->x[24], 0x02000000);
	CHECK_EQ(s->x[25], (uint64_t)-1);
	CHECK_EQ(s->x[26], 32);
}

static void test_ldst(void)
{
	a64_cpu *s = RUN_PROG(ldst);
	uint64_t v1 = 0x7788556633441122ull;
	CHECK_EQ(s->x[0], 0x40100000);
	CHECK_EQ(s->x[2], 0x11);
	CHECK_EQ(s->x[3], 0x77);
	CHECK_EQ(s->x[4], 0x7788);
	CHECK_EQ(s->x[5], 0x77885566);
	CHECK_EQ(s->x[6], 0x77885566);
	CHECK_EQ(s->x[7], v1);
	CHECK_EQ(s->x[8], v1);
	CHECK_EQ(s->x[9], 0x40100000);
	CHECK_EQ(s->x[10], 0x33441122);
	CHECK_EQ(s->x[11], 0x77885566);
	CHECK_EQ(s->x[13], 0);
	CHECK_EQ(s->x[14], 0x1122);
	CHECK_EQ(s->x[15], 0xdeadbeefcafef00dull);
	CHECK_EQ(s->x[16], v1);
	CHECK_EQ(s->x[17], 0);
	CHECK_EQ(s->x[18], 3);
	CHECK_EQ(s->x[19], 1);
	CHECK_EQ(s->x[22], 0);
	CHECK_EQ(s->x[23], 0x40101122);
	CHECK_EQ(s->x[24], v1);
	CHECK_EQ(s->x[25], 0x0000000000000000ull);
	CHECK_EQ(s->x[26], v1);
}

static void test_branch(void)
{
	a64_cpu *s = RUN_PROG(branch);
	CHECK_EQ(s->x[0], 5050);
	CHECK_EQ(s->x[2], 0);
	CHECK_EQ(s->x[3], 2);
	CHECK_EQ(s->x[6], 0);
}

static void test_exc(void)
{
	a64_cpu *s = RUN_PROG(exc);
	CHECK_EQ(s->x[10], 0x56000042);	/* ESR: EC 0x15, IL, imm16 */
	CHECK_EQ(s->x[11], 0xf2000007);	/* BRK #7 */
	CHECK_EQ(s->x[12], 0x02000000);	/* UNDEF */
	CHECK_EQ(s->x[13], 0x340);
	CHECK_EQ(s->x[14], 4);
	CHECK_EQ(s->x[15], 0x1124);	/* ID_AA64MMFR0_EL1 as QEMU's cortex-a57 */
	CHECK_EQ(s->x[16], 0);
	CHECK_EQ(s->x[18], 0x411fd070);
	CHECK_EQ(s->ps.el, 1);
	CHECK_EQ(s->ps.sp, 1);
}

int main(void)
{
	m = h_machine();
	RUN(test_arith);
	RUN(test_logic);
	RUN(test_muldiv);
	RUN(test_ldst);
	RUN(test_branch);
	RUN(test_exc);
	h_free(m);
	return CHECK_DONE();
}
