/* The RISC-V register table and register access by table index (gdb). */
#include <string.h>

#include "rv.h"

static const reg_desc rv_regs[] = {
#define REG(name, bits, feat, acc, type, group, enc, reset, flags) \
	{ #name, bits, feat, acc, type, group, enc, reset, flags },
#include "regs.def"
#undef REG
};

static const reg_feature rv_features[] = {
	{ "org.gnu.gdb.riscv.cpu", "riscv-64bit-cpu.xml" },
	{ "org.gnu.gdb.riscv.fpu", "riscv-64bit-fpu.xml" },
	{ "org.gnu.gdb.riscv.virtual", "riscv-64bit-virtual.xml" },
	{ "org.gnu.gdb.riscv.csr", "riscv-csr.xml" },
};

static const char *rv_feature_types(int feature)
{
	if (feature == 1)
		return "<union id=\"riscv_double\">\n"
		       "  <field name=\"float\" type=\"ieee_single\"/>\n"
		       "  <field name=\"double\" type=\"ieee_double\"/>\n"
		       "</union>\n";
	return NULL;
}

const reg_table riscv64_regs = {
	.regs = rv_regs,
	.count = ARRAY_SIZE(rv_regs),
	.features = rv_features,
	.nfeatures = ARRAY_SIZE(rv_features),
	.gdb_arch = "riscv:rv64",
	.feature_types = rv_feature_types,
};

_Static_assert(RV_pc == 32 && RV_ft0 == 33 && RV_fcsr == 67 && RV_priv == 68,
	       "gdb numbering of the RISC-V core, fpu and virtual features");

/* CSR number -> table index, built once from the table. */
static int16_t csr_index[4096];
static bool csr_index_ready;

void rv_csr_init(void)
{
	if (csr_index_ready)
		return;
	memset(csr_index, 0xff, sizeof(csr_index));
	for (int i = 0; i < RV_NREGS; i++)
		if (rv_regs[i].encoding)
			csr_index[rv_regs[i].encoding & 0xfff] = (int16_t)i;
	csr_index_ready = true;
}

int rv_csr_index(uint32_t csrno)
{
	if (unlikely(!csr_index_ready))
		rv_csr_init();
	return csr_index[csrno & 0xfff];
}

static void put(uint8_t *buf, uint64_t v, int bits)
{
	memcpy(buf, &v, bits / 8);
}

int rv_reg_read(cpu *c, int idx, uint8_t *buf)
{
	rv_hart *h = HART(c);
	uint64_t v;

	if (idx < 0 || idx >= RV_NREGS)
		return -1;
	if (idx < 32)
		v = idx ? h->x[idx] : 0;
	else if (idx == RV_pc)
		v = h->pc;
	else if (idx < RV_fflags)
		v = h->f[idx - RV_F0];
	else if (idx == RV_priv)
		v = h->priv;
	else {
		/* CSRs as M-mode would see them, without privilege checks. */
		int saved = h->priv;
		bool ok;
		h->priv = PRV_M;
		ok = rv_csr_read(h, idx, &v);
		h->priv = saved;
		if (!ok)
			return -1;
	}
	put(buf, v, rv_regs[idx].bitsize);
	return 0;
}

int rv_reg_write(cpu *c, int idx, const uint8_t *buf)
{
	rv_hart *h = HART(c);
	uint64_t v = 0;

	if (idx < 0 || idx >= RV_NREGS)
		return -1;
	memcpy(&v, buf, rv_regs[idx].bitsize / 8);
	if (idx < 32) {
		if (idx)
			h->x[idx] = v;
	} else if (idx == RV_pc) {
		h->pc = v & ~1ull;
	} else if (idx < RV_fflags) {
		h->f[idx - RV_F0] = v;
	} else if (idx == RV_priv) {
		if (v != PRV_U && v != PRV_S && v != PRV_M)
			return -1;
		h->priv = (int)v;
		rv_update_mode(h);
	} else {
		int saved = h->priv;
		bool ok;
		if (rv_regs[idx].access == REG_RO)
			return -1;
		h->priv = PRV_M;
		ok = rv_csr_write(h, idx, v);
		h->priv = saved;
		if (!ok)
			return -1;
		rv_update_mode(h);
	}
	return 0;
}
