/* Integer data processing against results recorded from qemu-aarch64
 * (tests/guest/aarch64/gen_difftest.py): random blocks, random registers
 * and flags, every register and NZCV compared. */
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "a64_harness.h"
#include "a64_difftest.h"
#include "a64_difftest_mem.h"
#include "a64_difftest_lse.h"

static machine *m;

static void test_difftest(void)
{
	cpu *c = m->cpus[0];
	int bad = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(dt_cases); i++) {
		const struct dt_case *t = &dt_cases[i];
		uint32_t code[DT_BLOCK * 2 + 1];
		memcpy(code, t->code, t->n * 4);
		code[t->n] = 0x14000000;	/* b . */
		a64_cpu *s = h_run(m, code, (t->n + 1) * 4, 0);
		/* adr results depend on the load address: qemu ran the block elsewhere */
		memcpy(s->x, t->x, sizeof(t->x));
		s->x[16] = 0;
		s->ps.n = t->nzcv >> 31 & 1;
		s->ps.z = t->nzcv >> 30 & 1;
		s->ps.c = t->nzcv >> 29 & 1;
		s->ps.v = t->nzcv >> 28 & 1;
		aarch64_arch.cpu_run(c, t->n);
		uint64_t nzcv = (uint64_t)s->ps.n << 31 | s->ps.z << 30 | s->ps.c << 29 | s->ps.v << 28;
		for (int r = 0; r < 16; r++) {
			bool adr = false;
			for (int k = 0; k < t->n; k++)
				if ((t->code[k] & 0x9f00001f) == (0x10000000u | r))
					adr = true;
			if (!adr && s->x[r] != t->out[r] && bad++ < 10)
				printf("  case %u: x%d = 0x%llx, qemu 0x%llx\n", i, r,
				       (unsigned long long)s->x[r], (unsigned long long)t->out[r]);
		}
		if (nzcv != t->out_nzcv && bad++ < 10)
			printf("  case %u: nzcv = 0x%llx, qemu 0x%llx\n", i, (unsigned long long)nzcv,
			       (unsigned long long)t->out_nzcv);
		CHECK_EQ(s->pc, CODE_BASE + t->n * 4);
	}
	CHECK_EQ(bad, 0);
}

static uint64_t fnv(const uint8_t *b, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static int run_mem(machine *mm, const struct dtm_case *cases, size_t ncases, const uint8_t *init)
{
	cpu *c = mm->cpus[0];
	const uint64_t buf = 0x40300000;
	static uint8_t out[DTM_BUF];
	int bad = 0;

	for (unsigned i = 0; i < ncases; i++) {
		const struct dtm_case *t = &cases[i];
		uint32_t code[64];
		memcpy(code, t->code, t->n * 4);
		code[t->n] = 0x14000000;	/* b . */
		bus_copy_to(&mm->bus, buf, init, DTM_BUF);
		a64_cpu *s = h_run(mm, code, (t->n + 1) * 4, 0);
		memcpy(s->x, t->x, sizeof(t->x));
		s->x[15] = buf + DTM_BUF / 2;
		s->ps.n = t->nzcv >> 31 & 1;
		s->ps.z = t->nzcv >> 30 & 1;
		s->ps.c = t->nzcv >> 29 & 1;
		s->ps.v = t->nzcv >> 28 & 1;
		s->excl_valid = false;
		aarch64_arch.cpu_run(c, t->n);
		for (int r = 0; r < 15; r++)
			if (s->x[r] != t->out[r] && bad++ < 10)
				printf("  mem case %u: x%d = 0x%llx, qemu 0x%llx\n", i, r,
				       (unsigned long long)s->x[r], (unsigned long long)t->out[r]);
		if (s->x[15] - buf != t->x15_off && bad++ < 10)
			printf("  mem case %u: x15 offset 0x%llx, qemu 0x%llx\n", i,
			       (unsigned long long)(s->x[15] - buf), (unsigned long long)t->x15_off);
		bus_copy_from(&mm->bus, buf, out, DTM_BUF);
		if (fnv(out, DTM_BUF) != t->hash && bad++ < 10)
			printf("  mem case %u: buffer differs\n", i);
		if (s->pc != CODE_BASE + t->n * 4 && bad++ < 10)
			printf("  mem case %u: pc 0x%llx (exception?)\n", i, (unsigned long long)s->pc);
	}
	return bad;
}

static void test_difftest_mem(void)
{
	CHECK_EQ(run_mem(m, dtm_cases, ARRAY_SIZE(dtm_cases), dtm_init), 0);
}

/* FEAT_LSE with -cpu max; cortex-a57 must refuse the same encodings */
static void test_difftest_lse(void)
{
	h_opt.cpu_model = "max";
	machine *mx = h_machine();
	CHECK_EQ(run_mem(mx, dtl_cases, ARRAY_SIZE(dtl_cases), dtl_init), 0);
	uint64_t isar0 = A64(mx->cpus[0])->sys[A64R_ID_AA64ISAR0_EL1];
	CHECK_EQ(isar0 >> 20 & 15, 2);
	h_free(mx);
	h_opt.cpu_model = NULL;
	static const uint32_t ldadd[] = { 0xf8200020 };	/* ldadd x0, x0, [x1] */
	a64_cpu *s = h_run(m, ldadd, 4, 1);
	CHECK_EQ(s->sys[A64R_ESR_EL1], 0x02000000);	/* UNDEFINED on cortex-a57 */
}

int main(void)
{
	m = h_machine();
	RUN(test_difftest);
	RUN(test_difftest_mem);
	RUN(test_difftest_lse);
	h_free(m);
	return CHECK_DONE();
}
