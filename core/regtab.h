/*
 * One register table per architecture (DEVELOPERS.md principle 1).
 *
 * Each architecture lists every register once in an X-macro file
 * (core/arch/<arch>/regs.def). From that one list come: the CPU's system
 * register / CSR dispatch (by encoding), the gdb target description XML,
 * `monitor info registers`, traces and the difftest register list.
 *
 * The table index of a register is also its gdb remote register number.
 */
#ifndef KWB_REGTAB_H
#define KWB_REGTAB_H

#include "kwb.h"

enum reg_access {
	REG_RW = 0,
	REG_RO = 1,		/* writes from gdb are refused */
};

enum reg_flags {
	REGF_EXPEDITE = 1u << 0,	/* sent in T stop replies (pc, sp, fp, status) */
	REGF_DIFFTEST = 1u << 1,	/* compared by the difftest */
	REGF_VOLATILE = 1u << 2,	/* counters/timers: not compared, not traced */
	REGF_PC = 1u << 3,
	REGF_SP = 1u << 4,
	REGF_FP = 1u << 5,
	REGF_STATUS = 1u << 6,
};

typedef struct reg_feature {
	const char *name;	/* "org.gnu.gdb.riscv.cpu" */
	const char *xmlname;	/* "riscv-cpu.xml" */
} reg_feature;

typedef struct reg_desc {
	const char *name;	/* as gdb and the architecture manuals spell it */
	uint16_t bitsize;
	uint8_t feature;	/* index into the arch's feature list */
	uint8_t access;		/* enum reg_access */
	const char *type;	/* gdb tdesc type: "int", "code_ptr", "data_ptr", ... */
	const char *group;	/* gdb group: "general", "float", "system", "csr", ... */
	uint32_t encoding;	/* CSR number / AArch64 sysreg op0:op1:CRn:CRm:op2 */
	uint64_t reset;
	uint32_t flags;		/* enum reg_flags */
} reg_desc;

/* AArch64 system register encoding as used in MRS/MSR (bits 19:5 of the insn). */
#define SYSREG_ENC(op0, op1, crn, crm, op2) \
	(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))

typedef struct reg_table {
	const reg_desc *regs;
	int count;
	const reg_feature *features;
	int nfeatures;
	const char *gdb_arch;		/* "aarch64", "riscv:rv64" */
	/* Extra <vector>/<union>/<flags> type definitions per feature, or NULL. */
	const char *(*feature_types)(int feature);
} reg_table;

int regtab_find(const reg_table *t, const char *name);		/* case-insensitive; -1 if absent */
int regtab_find_encoding(const reg_table *t, uint32_t enc);	/* -1 if absent */

#endif
