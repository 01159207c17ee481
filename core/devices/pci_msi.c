/*
 * MSI-X for PCI functions and MSI delivery from the PCIe host (see
 * pcie_ecam.h). The capability, its table (address, data, vector control
 * per vector) and pending-bit array follow the PCI spec as QEMU's
 * hw/pci/msix.c presents them: every vector masked at reset, a vector
 * raised while masked (or with the function masked) left pending and sent
 * when unmasked. An MSI is a 32-bit write by the function: translated by
 * the SMMU like its DMA (StreamID = RID), then delivered to what is at
 * the address (core/msi.h: the ITS's doorbell with the RID as DeviceID,
 * GICv2m's MSI_SETSPI_NS, or memory).
 */
#include <string.h>

#include "pcie_ecam.h"
#include "smmuv3.h"
#include "../machine.h"
#include "../msi.h"
#include "../trace.h"

#define PCI_CAP_MSIX 0x11
#define MSIX_CTRL 2			/* message control, in the capability */
#define MSIX_ENABLE (1u << 15)
#define MSIX_FUNC_MASK (1u << 14)
#define ENTRY_SIZE 16
#define VECTOR_MASKED 1u		/* vector control bit 0 */

void pci_msix_init(pci_dev *d, int nvec, int bar, uint32_t table_off, uint32_t pba_off)
{
	pci_msix *x = &d->msix;
	unsigned c;

	if (nvec < 1 || nvec > PCI_MSIX_MAX_VECTORS)
		kwb_fatal("pci %s: %d MSI-X vectors (1 to %d)", d->name, nvec, PCI_MSIX_MAX_VECTORS);
	c = pci_add_cap(d, PCI_CAP_MSIX, 12);
	x->nvec = nvec;
	x->bar = bar;
	x->table_off = table_off;
	x->pba_off = pba_off;
	x->cap = (uint8_t)c;
	pci_set16(d, c + MSIX_CTRL, (uint16_t)(nvec - 1));
	pci_set32(d, c + 4, table_off | (uint32_t)bar);
	pci_set32(d, c + 8, pba_off | (uint32_t)bar);
	d->wmask[c + MSIX_CTRL + 1] = (MSIX_ENABLE | MSIX_FUNC_MASK) >> 8;
	pci_msix_reset(d);
}

static uint16_t ctrl(const pci_dev *d)
{
	return pci_get16(d, d->msix.cap + MSIX_CTRL);
}

bool pci_msix_enabled(const pci_dev *d)
{
	return d->msix.nvec && (ctrl(d) & MSIX_ENABLE);
}

static uint32_t entry32(const pci_dev *d, int vector, unsigned word)
{
	uint32_t v;

	memcpy(&v, d->msix.table + vector * ENTRY_SIZE + word * 4, 4);
	return v;
}

static bool masked(const pci_dev *d, int vector)
{
	return (ctrl(d) & MSIX_FUNC_MASK) || (entry32(d, vector, 3) & VECTOR_MASKED);
}

void pci_msi_send(pci_dev *d, uint64_t addr, uint32_t data)
{
	pcie_host *h = d->host;
	uint64_t pa = addr;

	if (!h)
		return;
	if (!(pci_get16(d, 0x04) & 0x4)) {	/* a write, so only as a bus master */
		trace_dev(h->m, d->name, "MSI to 0x%llx dropped: bus mastering off", (unsigned long long)addr);
		return;
	}
	if (h->smmu) {
		smmu_xlate x;
		if (smmu_translate(h->smmu, d->devfn, addr, true, true, &x)) {
			trace_dev(h->m, d->name, "MSI to 0x%llx dropped: SMMU fault (%s)", (unsigned long long)addr, x.why);
			return;
		}
		pa = x.pa;
	}
	trace_dev(h->m, d->name, "MSI 0x%x to 0x%llx", data, (unsigned long long)pa);
	if (msi_write(h->m, pa, data, d->devfn))
		trace_dev(h->m, d->name, "MSI to 0x%llx: nothing there", (unsigned long long)pa);
}

static void send(pci_dev *d, int vector)
{
	d->msix.pba &= ~(1ull << vector);
	pci_msi_send(d, (uint64_t)entry32(d, vector, 1) << 32 | entry32(d, vector, 0), entry32(d, vector, 2));
}

void pci_msix_notify(pci_dev *d, int vector)
{
	if (!pci_msix_enabled(d) || vector < 0 || vector >= d->msix.nvec)
		return;
	if (masked(d, vector))
		d->msix.pba |= 1ull << vector;
	else
		send(d, vector);
}

/* Pending vectors whose mask went away are sent now. */
static void send_unmasked(pci_dev *d)
{
	for (uint64_t p = d->msix.pba; pci_msix_enabled(d) && p; p &= p - 1) {
		int v = __builtin_ctzll(p);
		if (!masked(d, v))
			send(d, v);
	}
}

void pci_msix_config_written(pci_dev *d, unsigned reg, unsigned size)
{
	unsigned at = d->msix.cap + MSIX_CTRL;

	if (d->msix.nvec && reg <= at + 1 && reg + size > at)
		send_unmasked(d);
}

void pci_msix_reset(pci_dev *d)
{
	memset(d->msix.table, 0, sizeof(d->msix.table));
	for (int v = 0; v < d->msix.nvec; v++)
		d->msix.table[v * ENTRY_SIZE + 12] = VECTOR_MASKED;
	d->msix.pba = 0;
}

bool pci_msix_read(pci_dev *d, uint64_t off, unsigned size, uint64_t *v)
{
	pci_msix *x = &d->msix;
	uint64_t table_len = (uint64_t)x->nvec * ENTRY_SIZE, pba_len = 8;

	*v = 0;
	if (!x->nvec || (size != 4 && size != 8))
		return false;
	if (off >= x->table_off && off + size <= x->table_off + table_len) {
		memcpy(v, x->table + (off - x->table_off), size);
		return true;
	}
	if (off >= x->pba_off && off + size <= x->pba_off + pba_len) {
		uint64_t pba = x->pba;
		*v = size == 8 ? pba : (uint32_t)(pba >> (8 * (off - x->pba_off)));
		return true;
	}
	return false;
}

bool pci_msix_write(pci_dev *d, uint64_t off, uint64_t v, unsigned size)
{
	pci_msix *x = &d->msix;
	uint64_t table_len = (uint64_t)x->nvec * ENTRY_SIZE;

	if (!x->nvec || (size != 4 && size != 8))
		return false;
	if (off >= x->table_off && off + size <= x->table_off + table_len) {
		memcpy(x->table + (off - x->table_off), &v, size);
		send_unmasked(d);
		return true;
	}
	return off >= x->pba_off && off < x->pba_off + 8;	/* the PBA is read-only */
}
