/*
 * Arm SMMUv3 (stage 1 only, as QEMU's default model): register file with
 * page 0/page 1 aliased, command queue consumed synchronously on CMDQ_PROD
 * writes, event queue, linear and 2-level stream tables, STE -> CD ->
 * stage-1 LPAE walk for 4K/16K/64K granules, and a small IOTLB that the
 * TLBI/CFGI commands invalidate. DMA masters behind it call smmu_dma_*.
 */
#ifndef KWB_SMMUV3_H
#define KWB_SMMUV3_H

#include "../bus.h"
#include "../irq.h"

#define SMMU_IO_LEN 0x20000
#define SMMU_IOTLB_SIZE 64

enum smmu_irq { SMMU_IRQ_EVTQ, SMMU_IRQ_PRIQ, SMMU_IRQ_CMD_SYNC, SMMU_IRQ_GERROR };

/* Event numbers (the first byte of an event record). */
enum {
	SMMU_EVT_F_UUT = 0x01, SMMU_EVT_C_BAD_STREAMID = 0x02, SMMU_EVT_F_STE_FETCH = 0x03,
	SMMU_EVT_C_BAD_STE = 0x04, SMMU_EVT_F_STREAM_DISABLED = 0x06,
	SMMU_EVT_C_BAD_SUBSTREAMID = 0x08, SMMU_EVT_F_CD_FETCH = 0x09, SMMU_EVT_C_BAD_CD = 0x0a,
	SMMU_EVT_F_WALK_EABT = 0x0b, SMMU_EVT_F_TRANSLATION = 0x10, SMMU_EVT_F_ADDR_SIZE = 0x11,
	SMMU_EVT_F_ACCESS = 0x12, SMMU_EVT_F_PERMISSION = 0x13,
};

typedef struct smmu_iotlb_entry {
	bool valid;
	uint32_t sid;
	uint16_t asid;
	uint64_t iova_page;	/* iova >> 12 */
	uint64_t pa_page;	/* pa >> 12 */
	bool writable;
} smmu_iotlb_entry;

typedef struct smmuv3 {
	bus *bus;
	struct machine *m;	/* for traces; NULL in unit tests */
	irq_line irq[4];
	uint32_t idr[6], iidr, aidr;
	uint32_t cr0, cr1, cr2, gbpa, irq_ctrl, gerror, gerrorn;
	uint64_t gerror_irq_cfg0, evtq_irq_cfg0, priq_irq_cfg0;
	uint32_t gerror_irq_cfg1, gerror_irq_cfg2, evtq_irq_cfg1, evtq_irq_cfg2;
	uint32_t priq_irq_cfg1, priq_irq_cfg2;
	uint64_t strtab_base;
	uint32_t strtab_base_cfg;
	uint64_t cmdq_base, evtq_base, priq_base;
	uint32_t cmdq_prod, cmdq_cons, evtq_prod, evtq_cons, priq_prod, priq_cons;
	smmu_iotlb_entry iotlb[SMMU_IOTLB_SIZE];
	/* statistics for `monitor smmu` */
	uint64_t ncmds, nevents, ntranslations, niotlb_hits, nfaults;
} smmuv3;

extern const mmio_ops smmuv3_ops;

struct mon_out;
/* The registers, queues and IOTLB decoded (`monitor smmu`, and the extras
 * of `info state smmuv3`). */
void smmuv3_info(void *obj, struct mon_out *o);

smmuv3 *smmuv3_new(bus *b, const irq_line irq[4]);
void smmuv3_reset(smmuv3 *s);
void smmuv3_free(smmuv3 *s);

/* One step of a stage-1 walk, for `monitor smmu walk`. */
typedef struct smmu_walk_step {
	int level;
	uint64_t table_pa, desc_pa, desc;
} smmu_walk_step;

/* Result of a translation: pa, how many bytes are contiguous from it
 * (to the end of the page/block), the event number on a fault (0 = ok). */
typedef struct smmu_xlate {
	uint64_t pa, len;
	bool writable;
	int fault;
	uint64_t fetch_addr;	/* for F_*_FETCH / F_WALK_EABT */
	smmu_walk_step steps[5];
	int nsteps;
	char why[96];		/* a one-line explanation of the fault */
} smmu_xlate;

/* Translates iova for StreamID sid (SSID 0). record: write an event on a
 * fault and use/fill the IOTLB; otherwise a side-effect-free lookup for
 * the debugger. Returns 0 or the fault's event number. */
int smmu_translate(smmuv3 *s, uint32_t sid, uint64_t iova, bool write, bool record,
		   smmu_xlate *out);

/* The STE/CD addresses of sid (0 when absent, with why set). */
int smmu_ste_addr(smmuv3 *s, uint32_t sid, uint64_t *addr, char *why, size_t len);

/* DMA for a master with StreamID sid. s == NULL: no IOMMU, iova is
 * physical. Returns 0, or -1 on a fault (event recorded) or a bus error. */
int smmu_dma_read(smmuv3 *s, bus *b, uint32_t sid, uint64_t iova, void *buf, uint64_t len);
int smmu_dma_write(smmuv3 *s, bus *b, uint32_t sid, uint64_t iova, const void *buf, uint64_t len);

#endif
