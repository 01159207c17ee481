/*
 * Sdtrig: the trigger module as QEMU 7.2 implements it (-cpu rv64,debug=on,
 * its default). Two triggers, each type 2 (mcontrol) or type 6 (mcontrol6):
 * tinfo = 0x44; tselect keeps writes below 2; tdata1 takes a write of type
 * 2 or 6 only (other types are ignored), keeping the type, the access
 * size when it is 0-3 or 5 (any, 1, 2, 4, 8 bytes), U/S/M (and VS/VU for
 * type 6) and execute/store/load; match, chain, action, timing, select,
 * hit and dmode read as 0. tdata2 is the address, tdata3 reads 0 (writes
 * are ignored); no tcontrol. A trigger with a privilege bit of the current
 * mode set fires as a breakpoint exception (cause 3, tval 0) before the
 * instruction: execute when pc == tdata2, load/store when the access
 * overlaps [tdata2, tdata2 + size) (size any: 8 bytes), as QEMU's
 * watchpoints; the access is not made and the instruction not counted.
 *
 * Cost only while a trigger is armed: an execute trigger runs the hart one
 * instruction at a time (run_page_bp), a load/store trigger keeps data
 * pages out of the soft TLB so every access reaches access_one.
 */
#include "rv.h"

#define T_LOAD 0x1ull
#define T_STORE 0x2ull
#define T_EXEC 0x4ull
#define T_U (1ull << 3)
#define T_S (1ull << 4)
#define T_M (1ull << 6)
#define T2_SIZELO (3ull << 16)
#define T2_SIZEHI (3ull << 21)
#define T6_SIZE (0xfull << 16)
#define T6_VS (1ull << 23)
#define T6_VU (1ull << 24)
#define TYPE(v) ((unsigned)((v) >> 60))

enum { TYPE_MCONTROL = 2, TYPE_MCONTROL6 = 6 };

/* Access sizes by encoding; -1: not supported (the write keeps size 0). */
static const int access_size[16] = { 0, 1, 2, 4, -1, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 };

static unsigned size_code(uint64_t ctrl)
{
	if (TYPE(ctrl) == TYPE_MCONTROL6)
		return (unsigned)(ctrl >> 16) & 0xf;
	return (unsigned)(((ctrl >> 21) & 3) << 2 | ((ctrl >> 16) & 3));
}

static uint64_t legal_tdata1(uint64_t v)
{
	unsigned type = TYPE(v);
	uint64_t keep = T_LOAD | T_STORE | T_EXEC | T_U | T_S | T_M;
	uint64_t r = (uint64_t)type << 60;

	if (type == TYPE_MCONTROL6)
		keep |= T6_VS | T6_VU;
	if (access_size[size_code(v)] >= 0)
		keep |= type == TYPE_MCONTROL6 ? T6_SIZE : T2_SIZELO | T2_SIZEHI;
	return r | (v & keep);
}

/* Whether trigger i is armed for the current privilege. */
static bool armed(const rv_hart *h, int i, uint64_t what)
{
	uint64_t c = h->trig.tdata1[i];

	return (c & what) && ((c >> 3) & (1u << h->priv));
}

/* The flags the execution paths test, after a change of triggers or mode. */
void rv_trig_update(rv_hart *h)
{
	bool exec = false, data = false;

	for (int i = 0; i < RV_TRIGGERS; i++) {
		uint64_t c = h->trig.tdata1[i];
		if (!(c & (T_U | T_S | T_M)))
			continue;
		exec |= (c & T_EXEC) != 0;
		data |= (c & (T_LOAD | T_STORE)) != 0;
	}
	h->trig.exec = exec;
	if (data != h->trig.data) {
		h->trig.data = data;
		rv_tlb_flush(h);	/* on: every data access misses */
	}
}

void rv_trig_reset(rv_hart *h)
{
	h->trig.tselect = 0;
	for (int i = 0; i < RV_TRIGGERS; i++) {
		h->trig.tdata1[i] = (uint64_t)TYPE_MCONTROL << 60;
		h->trig.tdata2[i] = h->trig.tdata3[i] = 0;
	}
	rv_trig_update(h);
}

bool rv_trig_read(rv_hart *h, int idx, uint64_t *v)
{
	int t = (int)h->trig.tselect;

	switch (idx) {
	case RV_tselect: *v = h->trig.tselect; return true;
	case RV_tinfo: *v = 1u << TYPE_MCONTROL | 1u << TYPE_MCONTROL6; return true;
	case RV_tdata1: *v = h->trig.tdata1[t]; return true;
	case RV_tdata2: *v = h->trig.tdata2[t]; return true;
	case RV_tdata3: *v = h->trig.tdata3[t]; return true;
	default: return false;
	}
}

bool rv_trig_write(rv_hart *h, int idx, uint64_t v)
{
	int t = (int)h->trig.tselect;

	switch (idx) {
	case RV_tselect:
		if (v < RV_TRIGGERS)
			h->trig.tselect = v;
		return true;
	case RV_tinfo: return true;	/* read-only, writes ignored (QEMU) */
	case RV_tdata1:
		if (TYPE(v) == TYPE_MCONTROL || TYPE(v) == TYPE_MCONTROL6)
			h->trig.tdata1[t] = legal_tdata1(v);
		break;
	case RV_tdata2: h->trig.tdata2[t] = v; break;
	case RV_tdata3: return true;	/* not supported: reads 0 */
	default: return false;
	}
	rv_trig_update(h);
	return true;
}

bool rv_trig_exec_hit(const rv_hart *h, uint64_t pc)
{
	for (int i = 0; i < RV_TRIGGERS; i++)
		if (armed(h, i, T_EXEC) && h->trig.tdata2[i] == pc)
			return true;
	return false;
}

bool rv_trig_data_hit(const rv_hart *h, uint64_t va, unsigned size, int access)
{
	for (int i = 0; i < RV_TRIGGERS; i++) {
		int n = access_size[size_code(h->trig.tdata1[i])];
		uint64_t a = h->trig.tdata2[i];
		if (!armed(h, i, (access & ACC_READ ? T_LOAD : 0) | (access & ACC_WRITE ? T_STORE : 0)))
			continue;
		if (n <= 0)
			n = 8;
		if (va <= a + (uint64_t)n - 1 && a <= va + size - 1)
			return true;
	}
	return false;
}
