/*
 * Generic PCIe host with ECAM config space (QEMU virt's "gpex", low ECAM):
 * bus 0 only, type-0 functions with 256-byte config spaces, memory BARs
 * that Linux sizes and assigns itself, INTx swizzled onto four SPIs, and
 * bus-master DMA through the SMMU (StreamID = RID) when there is one.
 */
#ifndef KWB_PCIE_ECAM_H
#define KWB_PCIE_ECAM_H

#include "../bus.h"
#include "../irq.h"

#define PCI_MAX_DEVFN 32	/* function 0 of each slot on bus 0 */
#define PCI_NUM_BARS 6
#define PCI_ROM_BAR PCI_NUM_BARS	/* the bar number bar_read gets for the expansion ROM */
#define PCI_MSIX_MAX_VECTORS 64

struct machine;
struct smmuv3;
struct state_desc;
typedef struct pcie_host pcie_host;
typedef struct pci_dev pci_dev;

typedef struct pci_dev_ops {
	/* Access to memory BAR bar at offset off (size 1, 2, 4 or 8). */
	uint64_t (*bar_read)(pci_dev *d, int bar, uint64_t off, unsigned size);
	void (*bar_write)(pci_dev *d, int bar, uint64_t off, uint64_t v, unsigned size);
	void (*reset)(pci_dev *d);
	void (*free)(pci_dev *d);
	/* Names a BAR register for traces ("common.device_status"); may be NULL. */
	const char *(*bar_reg_name)(pci_dev *d, int bar, uint64_t off);
	/* Config space hooks for registers with side effects (virtio-pci's
	 * configuration access window): before a guest read of reg..reg+size
	 * (not a debugger's peek), after a guest write. NULL: none. */
	void (*config_read)(pci_dev *d, unsigned reg, unsigned size);
	void (*config_written)(pci_dev *d, unsigned reg, unsigned size);
	/* The function's state (core/state.h), of the pci_dev itself (a model
	 * embeds pci_dev first and nests pci_function_state); NULL: config
	 * space only. */
	const struct state_desc *state;
} pci_dev_ops;

/* An MSI-X capability (pci_msi.c): its table and pending bits live in a
 * memory BAR of the function. */
typedef struct pci_msix {
	int nvec;		/* 0: the function has no MSI-X */
	int bar;
	uint32_t table_off, pba_off;	/* in the BAR */
	uint8_t cap;		/* the capability's offset in config space */
	uint8_t table[PCI_MSIX_MAX_VECTORS * 16];	/* address lo/hi, data, vector control */
	uint64_t pba;		/* pending bits, one per vector */
} pci_msix;

struct pci_dev {
	const char *name;
	uint8_t cfg[256];
	uint8_t wmask[256];	/* guest-writable bits */
	uint8_t cfg_reset[256];	/* cfg as plugged, restored on reset */
	uint64_t bar_size[PCI_NUM_BARS];	/* 0: no BAR; a 64-bit BAR uses bar and bar + 1 */
	uint64_t rom_size;	/* 0: no expansion ROM BAR */
	uint8_t devfn;
	int want_devfn;		/* addr= from the command line; -1: the next free slot */
	char id[32];		/* id= (messages) */
	unsigned cap_free;	/* where the next capability goes */
	uint8_t cap_last;	/* the newest capability's offset (0: none) */
	int intx;		/* the device's INTx output level */
	pci_msix msix;
	const pci_dev_ops *ops;
	void *opaque;
	pcie_host *host;
	/* A back end behind the function with its own state (virtio-blk's
	 * disk, virtio-rng's stream), registered as "<desc name>@00:SS.F". */
	const struct state_desc *backend_state;
	void *backend;
};

/* A function's guest-visible state: config space and INTx level. */
extern const struct state_desc pci_function_state;

/* Where a board puts the host's windows (board_device.param points at
 * one; the ECAM is the row's base and size, one bus per MiB). mmio64_size
 * 0: no 64-bit window (QEMU's highmem=off). */
typedef struct pcie_windows {
	paddr_t mmio_base, pio_base, mmio64_base;
	uint64_t mmio_size, pio_size, mmio64_size;
} pcie_windows;

struct pcie_host {
	struct machine *m;
	bus *bus;
	struct smmuv3 *smmu;	/* NULL: DMA is physical */
	pci_dev *dev[PCI_MAX_DEVFN];
	pci_dev *refused;	/* a function whose addr= was taken (kwb exits) */
	irq_line intx[4];	/* INTA..INTD at the host (board irqs[0..3]) */
	int intx_level[4];
	paddr_t ecam_base, mmio_base, pio_base, mmio64_base;
	uint64_t ecam_size, mmio_size, pio_size, mmio64_size;
};

/* Config-space helpers for device models. */
static inline void pci_set8(pci_dev *d, unsigned off, uint8_t v) { d->cfg[off] = v; }
static inline void pci_set16(pci_dev *d, unsigned off, uint16_t v)
{
	d->cfg[off] = (uint8_t)v;
	d->cfg[off + 1] = (uint8_t)(v >> 8);
}
static inline void pci_set32(pci_dev *d, unsigned off, uint32_t v)
{
	pci_set16(d, off, (uint16_t)v);
	pci_set16(d, off + 2, (uint16_t)(v >> 16));
}
static inline uint16_t pci_get16(const pci_dev *d, unsigned off)
{
	return (uint16_t)(d->cfg[off] | d->cfg[off + 1] << 8);
}
static inline uint32_t pci_get32(const pci_dev *d, unsigned off)
{
	return pci_get16(d, off) | (uint32_t)pci_get16(d, off + 2) << 16;
}

/* Where -device puts a function and what it calls it (addr=, id=): read
 * from its properties before dev_props_done() frees them, given to the
 * function after pci_dev_init(). */
struct dev_props;
typedef struct pci_placement {
	int devfn;		/* -1: the next free slot */
	char id[32];
} pci_placement;
void pci_placement_read(pci_placement *pl, struct dev_props *p);
void pci_dev_place(pci_dev *d, const pci_placement *pl);

/* A type-0 function: IDs, class (0xCCSSPP), INTA, writable command/latency/line. */
void pci_dev_init(pci_dev *d, const char *name, uint16_t vendor, uint16_t device, uint8_t rev,
		  uint32_t class_code, uint16_t subsys_vendor, uint16_t subsys);
/* A 64-bit memory BAR (size a power of two >= 16), prefetchable or not;
 * a 32-bit non-prefetchable one. */
void pci_add_bar64(pci_dev *d, int bar, uint64_t size);
void pci_add_bar64_pref(pci_dev *d, int bar, uint64_t size);
void pci_add_bar32(pci_dev *d, int bar, uint64_t size);
/* An I/O BAR (size a power of two >= 4). */
void pci_add_bar_io(pci_dev *d, int bar, uint32_t size);
/* An expansion ROM BAR (size a power of two >= 2 KB); the model's
 * bar_read answers bar PCI_ROM_BAR, writes there are dropped. */
void pci_add_rom(pci_dev *d, uint32_t size);
/* Adds a capability of len bytes after the last one in config space,
 * linked at the head of the list as QEMU does (id, next filled in);
 * returns its offset. */
unsigned pci_add_cap(pci_dev *d, uint8_t id, unsigned len);

/* Plugs d at devfn; fatal when taken. */
void pcie_plug(pcie_host *h, pci_dev *d, int devfn);
int pcie_free_slot(pcie_host *h);
void pci_set_irq(pci_dev *d, int level);
/* MSI-X (pci_msi.c): a capability of nvec vectors whose table is at
 * table_off and pending bits at pba_off in BAR bar (the model routes that
 * BAR's accesses to pci_msix_read/write). pci_msix_notify raises a vector:
 * sent now, or left pending while masked (sent when unmasked); nothing
 * when MSI-X is off (the model uses INTx then). */
void pci_msix_init(pci_dev *d, int nvec, int bar, uint32_t table_off, uint32_t pba_off);
bool pci_msix_enabled(const pci_dev *d);
void pci_msix_notify(pci_dev *d, int vector);
/* Accesses to the function's MSI-X BAR, at off in it; false when off is
 * not the table's or the PBA's. */
bool pci_msix_read(pci_dev *d, uint64_t off, unsigned size, uint64_t *v);
bool pci_msix_write(pci_dev *d, uint64_t off, uint64_t v, unsigned size);
/* After a config-space write (MSI-X enable and function mask). */
void pci_msix_config_written(pci_dev *d, unsigned reg, unsigned size);
void pci_msix_reset(pci_dev *d);
/* An MSI write of data at addr by the function: through the SMMU (RID
 * as StreamID), to the GIC's doorbell (core/msi.h). */
void pci_msi_send(pci_dev *d, uint64_t addr, uint32_t data);

/* Bus-master DMA (RID = devfn on bus 0), through the SMMU when present. */
int pci_dma_read(pci_dev *d, uint64_t addr, void *buf, uint64_t len);
int pci_dma_write(pci_dev *d, uint64_t addr, const void *buf, uint64_t len);

/* PCI device models, created from -device NAME[,opts]: NULL when NAME is
 * not theirs. */
pci_dev *virtio_pci_create(struct machine *m, const char *spec);
pci_dev *pci_testdev_create(struct machine *m, const char *spec);

#endif
