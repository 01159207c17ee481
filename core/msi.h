/*
 * Message-signalled interrupts: where a device's MSI write lands. An
 * interrupt controller whose doorbell needs to know who wrote (the GICv3
 * ITS's GITS_TRANSLATER takes the writer's requester ID as its DeviceID)
 * registers it here; any other address gets an ordinary 32-bit write
 * (GICv2m's MSI_SETSPI_NS, or RAM). The PCIe host sends its functions'
 * MSI/MSI-X through this after the SMMU, as QEMU's MemTxAttrs carry the
 * requester ID to the ITS.
 */
#ifndef KWB_MSI_H
#define KWB_MSI_H

#include "kwb.h"

struct machine;

#define MSI_MAX_DOORBELLS 4

typedef void (*msi_doorbell_fn)(void *opaque, uint32_t data, uint32_t requester_id);

typedef struct msi_doorbell {
	paddr_t addr;		/* the 32-bit register a write must hit */
	msi_doorbell_fn fn;
	void *opaque;
} msi_doorbell;

/* Registers (fatal past MSI_MAX_DOORBELLS) and removes a doorbell. */
void msi_add_doorbell(struct machine *m, paddr_t addr, msi_doorbell_fn fn, void *opaque);
void msi_remove_doorbell(struct machine *m, void *opaque);

/* The MSI write of data at physical address pa by requester_id (bus <<
 * 8 | devfn for PCI). Returns 0, or -1 when nothing is there. */
int msi_write(struct machine *m, paddr_t pa, uint32_t data, uint32_t requester_id);

#endif
