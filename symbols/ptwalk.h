/*
 * Side-effect-free page-table walkers for `monitor vtop` and `ptdump`,
 * independent of the CPU models: AArch64 stage 1 (4K/16K/64K granules,
 * any TxSZ from 39 to 48 bits) and RISC-V Sv39/Sv48/Sv57. Memory comes
 * through a read callback (the monitor passes dbg_mem_read(DBG_PHYS), the
 * tests a bare bus), so a walk never touches the guest.
 */
#ifndef KWB_SYMBOLS_PTWALK_H
#define KWB_SYMBOLS_PTWALK_H

#include "core/kwb.h"
#include "core/cpu.h"

/* Returns the number of bytes read (short if [pa, pa+len) is not memory). */
typedef size_t (*pt_read_fn)(void *opaque, paddr_t pa, void *buf, size_t len);

enum pt_format { PT_AARCH64, PT_RISCV };

typedef struct pt_regime {
	enum pt_format fmt;
	paddr_t root;
	unsigned granule;	/* page shift: 12, 14, 16 (RISC-V: 12) */
	unsigned va_bits;	/* AArch64: 64 - TxSZ; RISC-V: 39, 48, 57 */
	bool upper;		/* AArch64 TTBR1 half (VAs with the top bits set) */
	uint64_t mair;		/* AArch64 MAIR_EL1, for memory types */
	const char *name;	/* "TTBR1_EL1", "satp", "root" */
} pt_regime;

typedef struct pt_leaf {
	vaddr_t va;
	paddr_t pa;
	uint64_t size;
	int level;		/* architectural level of the leaf */
	uint64_t attrs;		/* normalized attributes (table limits folded in) */
} pt_leaf;

typedef struct pt_stats {
	int tables;		/* tables read */
	int leaves;
	int bad;		/* reserved/misaligned descriptors, unreadable tables */
	bool capped;		/* stopped at the table or line limit */
} pt_stats;

/* Checks granule/va_bits; returns 0 or -1 with a reason. */
int pt_check(const pt_regime *r, char *err, size_t errlen);
/* Walk one address; fills log (may be NULL). Returns 0 and *pa, or -1. */
int pt_translate(const pt_regime *r, pt_read_fn rd, void *opaque, vaddr_t va, paddr_t *pa,
		 walk_log *log);
/* Every leaf in VA order, reading at most max_tables tables. fn returns
 * false to stop. Returns 0, or 1 when capped/stopped. */
typedef bool (*pt_leaf_fn)(void *opaque, const pt_leaf *l);
int pt_walk(const pt_regime *r, pt_read_fn rd, void *opaque, int max_tables,
	    pt_leaf_fn fn, void *fn_opaque, pt_stats *st);
/* Like pt_walk, but adjacent leaves (VA and PA contiguous, same attributes)
 * are merged into one range first. */
int pt_dump(const pt_regime *r, pt_read_fn rd, void *opaque, int max_tables,
	    pt_leaf_fn fn, void *fn_opaque, pt_stats *st);
/* "RW NX SHD AF NG BLK UXN MEM/NORMAL" / "D A G . X W R V" */
void pt_attr_string(const pt_regime *r, uint64_t attrs, char *buf, size_t len);

/* "4K", "2M", "1G" */
void pt_size_string(uint64_t size, char *buf, size_t len);

/* AArch64: regime for one TTBR from TCR_EL1 (upper = TTBR1). Returns 0,
 * or -1 with a reason (walks disabled by EPDn, reserved TGn). */
int pt_regime_aarch64(pt_regime *r, uint64_t ttbr, uint64_t tcr, uint64_t mair, bool upper,
		      char *err, size_t errlen);
/* RISC-V: regime from satp; -1 for Bare or a reserved mode. */
int pt_regime_riscv(pt_regime *r, uint64_t satp, char *err, size_t errlen);

#endif
