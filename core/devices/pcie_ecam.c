/*
 * Generic ECAM PCIe host (QEMU virt's "gpex": the ECAM and windows where
 * the board says, one bus per MiB of ECAM in the DT, only bus 0
 * populated). Linux (no firmware) sizes and assigns the BARs itself: each
 * window (32-bit MMIO, 64-bit MMIO, PIO) is one bus region and accesses
 * are routed by the BAR addresses the guest programmed, so nothing is
 * remapped on the bus when a BAR moves. PCI devices come from -device
 * NAME[,opts] in command-line order, at slots 1, 2, ... (as QEMU).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "dev_props.h"
#include "pcie_ecam.h"
#include "smmuv3.h"
#include "virtio.h"
#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../net.h"
#include "../state.h"

#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CMD_IO 0x0001
#define PCI_CMD_MEM 0x0002
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_INTX 0x0008
#define PCI_STATUS_CAP_LIST 0x0010
#define PCI_CAP_PTR 0x34
#define PCI_ROM_ADDRESS 0x30
#define PCI_INT_LINE 0x3c
#define PCI_INT_PIN 0x3d
#define PCI_FIRST_CAP 0x40

/* Without a board's windows: QEMU arm virt's highmem=off ones. */
static const pcie_windows default_windows = {
	.mmio_base = 0x10000000, .mmio_size = 0x2eff0000, .pio_base = 0x3eff0000, .pio_size = 0x10000,
};

/* ---- config space ---- */

void pci_dev_init(pci_dev *d, const char *name, uint16_t vendor, uint16_t device, uint8_t rev,
		  uint32_t class_code, uint16_t subsys_vendor, uint16_t subsys)
{
	memset(d->cfg, 0, sizeof(d->cfg));
	memset(d->wmask, 0, sizeof(d->wmask));
	d->name = name;
	d->want_devfn = -1;
	d->cap_free = d->cap_last = 0;
	pci_set16(d, 0x00, vendor);
	pci_set16(d, 0x02, device);
	pci_set8(d, 0x08, rev);
	pci_set8(d, 0x09, (uint8_t)class_code);
	pci_set16(d, 0x0a, (uint16_t)(class_code >> 8));
	pci_set16(d, 0x2c, subsys_vendor);
	pci_set16(d, 0x2e, subsys);
	pci_set8(d, PCI_INT_PIN, 1);			/* INTA */
	d->wmask[PCI_COMMAND] = 0x47;			/* IO, MEM, MASTER, PARITY, (SERR) */
	d->wmask[PCI_COMMAND + 1] = 0x05;		/* SERR, INTx disable */
	d->wmask[0x0c] = 0xff;				/* cache line size */
	/* the latency timer stays 0: QEMU does not make it writable */
	d->wmask[PCI_INT_LINE] = 0xff;
}

void pci_placement_read(pci_placement *pl, dev_props *p)
{
	const char *id = dev_prop(p, "id");

	pl->devfn = dev_prop_pci_addr(p);
	snprintf(pl->id, sizeof(pl->id), "%s", id ? id : "(null)");
}

void pci_dev_place(pci_dev *d, const pci_placement *pl)
{
	d->want_devfn = pl->devfn;
	memcpy(d->id, pl->id, sizeof(d->id));
}

static void add_bar(pci_dev *d, int bar, uint64_t size, uint32_t type, int bytes)
{
	uint64_t mask = ~(size - 1);
	unsigned off = 0x10 + 4 * bar;

	d->bar_size[bar] = size;
	pci_set32(d, off, type);
	for (int i = 0; i < bytes; i++)
		d->wmask[off + i] = (uint8_t)(mask >> (8 * i));
	d->wmask[off] &= (type & 1) ? 0xfc : 0xf0;
}

void pci_add_bar64(pci_dev *d, int bar, uint64_t size)
{
	add_bar(d, bar, size, 0x4, 8);			/* memory, 64-bit, not prefetchable */
}

void pci_add_bar64_pref(pci_dev *d, int bar, uint64_t size)
{
	add_bar(d, bar, size, 0xc, 8);			/* memory, 64-bit, prefetchable */
}

void pci_add_bar32(pci_dev *d, int bar, uint64_t size)
{
	add_bar(d, bar, size, 0x0, 4);			/* memory, 32-bit, not prefetchable */
}

void pci_add_bar_io(pci_dev *d, int bar, uint32_t size)
{
	add_bar(d, bar, size, 0x1, 4);			/* I/O space */
}

void pci_add_rom(pci_dev *d, uint32_t size)
{
	uint32_t mask = ~(size - 1) & ~0x7ffu;

	d->rom_size = size;
	for (int i = 0; i < 4; i++)
		d->wmask[PCI_ROM_ADDRESS + i] = (uint8_t)(mask >> (8 * i));
	d->wmask[PCI_ROM_ADDRESS] |= 1;			/* enable */
}

unsigned pci_add_cap(pci_dev *d, uint8_t id, unsigned len)
{
	unsigned off = d->cap_free ? d->cap_free : PCI_FIRST_CAP;

	if (off + len > sizeof(d->cfg))
		kwb_fatal("pci %s: capabilities do not fit in config space", d->name);
	/* linked first, as QEMU's pci_add_capability: the list runs from
	 * the newest capability to the oldest */
	d->cfg[off] = id;
	d->cfg[off + 1] = d->cfg[PCI_CAP_PTR];
	d->cfg[PCI_CAP_PTR] = (uint8_t)off;
	d->cap_last = (uint8_t)off;
	d->cap_free = (off + len + 3) & ~3u;
	pci_set16(d, PCI_STATUS, pci_get16(d, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	return off;
}

static bool bar_is_io(const pci_dev *d, int bar)
{
	return d->cfg[0x10 + 4 * bar] & 1;
}

/* Where BAR bar points: I/O (bit 0), 32-bit or 64-bit memory (bits 2:1). */
static uint64_t bar_addr(const pci_dev *d, int bar)
{
	unsigned off = 0x10 + 4 * bar;

	if (bar_is_io(d, bar))
		return pci_get32(d, off) & ~0x3ull;
	if ((d->cfg[off] & 0x6) != 0x4 || bar == PCI_NUM_BARS - 1)
		return pci_get32(d, off) & ~0xfull;	/* a 32-bit BAR */
	return ((uint64_t)pci_get32(d, off + 4) << 32 | pci_get32(d, off)) & ~0xfull;
}

static void update_intx(pcie_host *h)
{
	int level[4] = { 0 };

	for (int i = 0; i < PCI_MAX_DEVFN; i++) {
		pci_dev *d = h->dev[i];
		if (d && d->intx && !(pci_get16(d, PCI_COMMAND) & PCI_CMD_INTX_DISABLE) &&
		    d->cfg[PCI_INT_PIN])
			level[(d->cfg[PCI_INT_PIN] - 1 + (d->devfn >> 3)) % 4] = 1;
	}
	for (int i = 0; i < 4; i++)
		if (level[i] != h->intx_level[i]) {
			h->intx_level[i] = level[i];
			irq_set(&h->intx[i], level[i]);
		}
}

void pci_set_irq(pci_dev *d, int level)
{
	d->intx = level;
	if (d->host)
		update_intx(d->host);
}

static uint32_t cfg_read(pci_dev *d, unsigned reg, unsigned size)
{
	uint32_t v = 0;

	/* Conventional (256-byte) config space, as QEMU's devices on the root
	 * bus: the extended space past it reads as all ones. */
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = reg + i < sizeof(d->cfg) ? d->cfg[reg + i] : 0xff;
		if (reg + i == PCI_STATUS && d->intx)
			b |= PCI_STATUS_INTX;
		v |= (uint32_t)b << (8 * i);
	}
	return v;
}

static void cfg_write(pci_dev *d, unsigned reg, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size && reg + i < sizeof(d->cfg); i++) {
		unsigned o = reg + i;
		uint8_t b = (uint8_t)(v >> (8 * i));
		d->cfg[o] = (uint8_t)((d->cfg[o] & ~d->wmask[o]) | (b & d->wmask[o]));
	}
	if (reg <= PCI_COMMAND + 1 && reg + size > PCI_COMMAND && d->host)
		update_intx(d->host);
	pci_msix_config_written(d, reg, size);
	if (d->ops && d->ops->config_written)
		d->ops->config_written(d, reg, size);
}

/* ---- ECAM ---- */

static pci_dev *ecam_dev(pcie_host *h, uint64_t off, unsigned *reg)
{
	unsigned busnr = (unsigned)(off >> 20), devfn = (unsigned)(off >> 12) & 0xff;

	*reg = off & 0xfff;
	if (busnr != 0 || (devfn & 7))
		return NULL;
	return h->dev[devfn >> 3];
}

static uint64_t ecam_read(void *opaque, uint64_t off, unsigned size)
{
	unsigned reg;
	pci_dev *d = ecam_dev(opaque, off, &reg);

	if (!d)		/* no function: all ones */
		return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
	if (d->ops && d->ops->config_read)
		d->ops->config_read(d, reg, size > 4 ? 4 : size);
	return cfg_read(d, reg, size > 4 ? 4 : size);
}

static void ecam_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	unsigned reg;
	pci_dev *d = ecam_dev(opaque, off, &reg);

	if (d)
		cfg_write(d, reg, v, size > 4 ? 4 : size);
}

/* A debugger's read: the bytes, without a function's read side effects. */
static bool ecam_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	unsigned reg;
	pci_dev *d = ecam_dev(opaque, off, &reg);

	*v = d ? cfg_read(d, reg, size > 4 ? 4 : size) : size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
	return true;
}

/* "00:01.0 virtio-rng-pci COMMAND" (valid until the next call). */
static const char *ecam_reg_name(void *opaque, uint64_t off)
{
	static const char *const hdr[0x40] = {
		[0x00] = "VENDOR_ID", [0x02] = "DEVICE_ID", [0x04] = "COMMAND", [0x06] = "STATUS",
		[0x08] = "CLASS_REV", [0x0c] = "CACHE_LINE", [0x0e] = "HEADER_TYPE", [0x10] = "BAR0",
		[0x14] = "BAR1", [0x18] = "BAR2", [0x1c] = "BAR3", [0x20] = "BAR4", [0x24] = "BAR5",
		[0x2c] = "SUBSYSTEM", [0x30] = "ROM_BAR", [0x34] = "CAP_PTR", [0x3c] = "INTERRUPT_LINE",
		[0x3d] = "INTERRUPT_PIN",
	};
	static char buf[96];
	unsigned reg;
	pci_dev *d = ecam_dev(opaque, off, &reg);
	char r[16];

	if (reg < 0x40 && hdr[reg])
		snprintf(r, sizeof(r), "%s", hdr[reg]);
	else
		snprintf(r, sizeof(r), "cfg+0x%x", reg);
	snprintf(buf, sizeof(buf), "%02x:%02x.%x %s%s%s", (unsigned)(off >> 20) & 0xff, (unsigned)(off >> 15) & 31,
		 (unsigned)(off >> 12) & 7, d ? d->name : "", d ? " " : "", r);
	return buf;
}

static const mmio_ops ecam_ops = {
	.read = ecam_read, .write = ecam_write, .peek = ecam_peek, .reg_name = ecam_reg_name,
};

/* ---- the memory window: routed by the BARs as programmed ---- */

/* The function whose memory (io: I/O) BAR holds address pa, decoding on. */
static pci_dev *bar_find_in(pcie_host *h, uint64_t pa, bool io, int *bar, uint64_t *off)
{
	for (int i = 0; i < PCI_MAX_DEVFN; i++) {
		pci_dev *d = h->dev[i];
		if (!d || !(pci_get16(d, PCI_COMMAND) & (io ? PCI_CMD_IO : PCI_CMD_MEM)))
			continue;
		for (int b = 0; b < PCI_NUM_BARS; b++) {
			uint64_t base;
			if (!d->bar_size[b] || bar_is_io(d, b) != io)
				continue;
			base = bar_addr(d, b);
			if (base && pa - base < d->bar_size[b]) {
				*bar = b;
				*off = pa - base;
				return d;
			}
		}
		/* the expansion ROM decodes when enabled (and memory is) */
		if (!io && d->rom_size && (d->cfg[PCI_ROM_ADDRESS] & 1)) {
			uint64_t base = pci_get32(d, PCI_ROM_ADDRESS) & ~0x7ffull;
			if (base && pa - base < d->rom_size) {
				*bar = PCI_ROM_BAR;
				*off = pa - base;
				return d;
			}
		}
	}
	return NULL;
}

static pci_dev *bar_find(pcie_host *h, paddr_t pa, int *bar, uint64_t *off)
{
	return bar_find_in(h, pa, false, bar, off);
}

static uint64_t window_read(pcie_host *h, paddr_t pa, unsigned size)
{
	uint64_t boff;
	int bar;
	pci_dev *d = bar_find(h, pa, &bar, &boff);

	if (!d || !d->ops->bar_read)	/* master abort: all ones */
		return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
	return d->ops->bar_read(d, bar, boff, size);
}

static void window_write(pcie_host *h, paddr_t pa, uint64_t v, unsigned size)
{
	uint64_t boff;
	int bar;
	pci_dev *d = bar_find(h, pa, &bar, &boff);

	if (d && bar != PCI_ROM_BAR && d->ops->bar_write)	/* a ROM is read-only */
		d->ops->bar_write(d, bar, boff, v, size);
}

/* "virtio-rng-pci common.queue_select": the device and its register
 * (valid until the next call; traces copy it at once). */
static const char *window_reg_name_at(pcie_host *h, paddr_t pa)
{
	static char buf[96];
	uint64_t boff;
	int bar;
	pci_dev *d = bar_find(h, pa, &bar, &boff);
	const char *r = d && d->ops->bar_reg_name ? d->ops->bar_reg_name(d, bar, boff) : NULL;

	if (!d)
		return NULL;
	if (r)
		snprintf(buf, sizeof(buf), "%s %s", d->name, r);
	else if (bar == PCI_ROM_BAR)
		snprintf(buf, sizeof(buf), "%s ROM+0x%llx", d->name, (unsigned long long)boff);
	else
		snprintf(buf, sizeof(buf), "%s BAR%d+0x%llx", d->name, bar, (unsigned long long)boff);
	return buf;
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
	pcie_host *h = opaque;
	return window_read(h, h->mmio_base + off, size);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	pcie_host *h = opaque;
	window_write(h, h->mmio_base + off, v, size);
}

static const char *window_reg_name(void *opaque, uint64_t off)
{
	pcie_host *h = opaque;
	return window_reg_name_at(h, h->mmio_base + off);
}

static uint64_t mmio64_read(void *opaque, uint64_t off, unsigned size)
{
	pcie_host *h = opaque;
	return window_read(h, h->mmio64_base + off, size);
}

static void mmio64_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	pcie_host *h = opaque;
	window_write(h, h->mmio64_base + off, v, size);
}

static const char *window64_reg_name(void *opaque, uint64_t off)
{
	pcie_host *h = opaque;
	return window_reg_name_at(h, h->mmio64_base + off);
}

static const mmio_ops window64_ops = { .read = mmio64_read, .write = mmio64_write, .reg_name = window64_reg_name };
static const mmio_ops window_ops = { .read = mmio_read, .write = mmio_write, .reg_name = window_reg_name };

/* The I/O window: port numbers are offsets into it (I/O BARs hold ports). */
static uint64_t pio_read(void *opaque, uint64_t off, unsigned size)
{
	uint64_t boff;
	int bar;
	pci_dev *d = bar_find_in(opaque, off, true, &bar, &boff);

	if (!d || !d->ops->bar_read)	/* master abort: all ones */
		return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
	return d->ops->bar_read(d, bar, boff, size);
}

static void pio_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	uint64_t boff;
	int bar;
	pci_dev *d = bar_find_in(opaque, off, true, &bar, &boff);

	if (d && d->ops->bar_write)
		d->ops->bar_write(d, bar, boff, v, size);
}

static const mmio_ops pio_ops = { .read = pio_read, .write = pio_write };

/* ---- DMA ---- */

int pci_dma_read(pci_dev *d, uint64_t addr, void *buf, uint64_t len)
{
	return smmu_dma_read(d->host->smmu, d->host->bus, d->devfn, addr, buf, len);
}

int pci_dma_write(pci_dev *d, uint64_t addr, const void *buf, uint64_t len)
{
	return smmu_dma_write(d->host->smmu, d->host->bus, d->devfn, addr, buf, len);
}

/* ---- devices ---- */

/* wmask and cfg_reset are fixed when the function is plugged. */
/* MSI-X: the table and pending bits (where they are is configuration) */
static const state_field pci_msix_fields[] = {
	ST_BYTES(pci_msix, table),
	ST_U64(pci_msix, pba),
	ST_END
};
static const state_desc pci_msix_state = { .name = "pci-msix", .version = 1, .fields = pci_msix_fields };

static const state_field pci_function_fields[] = {
	ST_HEX(pci_dev, cfg),
	ST_INT(pci_dev, intx),
	ST_STRUCT(pci_dev, msix, pci_msix_state),
	ST_END
};
const state_desc pci_function_state = { .name = "pci-function", .version = 2,
					.fields = pci_function_fields };

void pcie_plug(pcie_host *h, pci_dev *d, int devfn)
{
	char name[48];

	if (devfn < 0 || devfn >= PCI_MAX_DEVFN * 8 || (devfn & 7) || h->dev[devfn >> 3])
		kwb_fatal("pci: slot for %s (devfn 0x%x) is taken or invalid", d->name, devfn);
	d->devfn = (uint8_t)devfn;
	d->host = h;
	memcpy(d->cfg_reset, d->cfg, sizeof(d->cfg));
	h->dev[devfn >> 3] = d;
	if (!h->m)
		return;		/* a bare host (unit tests) */
	snprintf(name, sizeof(name), "%s@00:%02x.%x", d->name, devfn >> 3, devfn & 7);
	state_register(h->m, name, d->ops->state ? d->ops->state : &pci_function_state, d);
	if (d->backend_state) {
		snprintf(name, sizeof(name), "%s@00:%02x.%x", d->backend_state->name, devfn >> 3, devfn & 7);
		state_register(h->m, name, d->backend_state, d->backend);
	}
}

int pcie_free_slot(pcie_host *h)
{
	for (int i = 1; i < PCI_MAX_DEVFN; i++)
		if (!h->dev[i])
			return i << 3;
	kwb_fatal("pci: no free slot on bus 0");
}

static const pci_dev_ops bridge_ops = { 0 };

/* The board's own NICs (-nic, -net nic, QEMU's default NIC) first, as
 * QEMU's arm virt creates them; then -device NAME-pci in command-line
 * order, each at its addr= or the next free slot. */
static void create_from_options(machine *m, pcie_host *h)
{
	for (int i = 0; m->board->takes_nics && net_board_nic(m, i); i++) {
		const char *spec = net_board_nic(m, i);
		pci_dev *d = virtio_pci_create(m, spec);

		if (!d)
			kwb_usage_error("-nic model=%.*s: kwb's NIC is virtio-net-pci", (int)strcspn(spec, ","),
					spec);
		pcie_plug(h, d, pcie_free_slot(h));
		net_board_nic_taken(m, i);
	}
	for (int i = 0; i < m->opt->ndevices; i++) {
		const char *spec = m->opt->devices[i];
		size_t n = strcspn(spec, ",");
		pci_dev *d = virtio_pci_create(m, spec);

		if (!d)
			d = pci_testdev_create(m, spec);
		if (d && d->want_devfn >= 0 && h->dev[d->want_devfn >> 3]) {
			const pci_dev *o = h->dev[d->want_devfn >> 3];

			h->refused = d;	/* reachable until the exit (no leak report) */
			kwb_usage_error("-device %s: PCI: slot %d function 0 not available for %s, in use by %s,id=%s",
					spec, d->want_devfn >> 3, d->name, o->name, o->id[0] ? o->id : "(null)");
		}
		if (d)
			pcie_plug(h, d, d->want_devfn >= 0 ? d->want_devfn : pcie_free_slot(h));
		else if (n > 4 && !strncmp(spec + n - 4, "-pci", 4)) {
			kwb_usage_error("-device %.*s: unknown PCI device (this board has %s, pci-testdev)", (int)n,
					spec, virtio_model_list("pci"));
		}
	}
}

static void *pcie_dev_create(machine *m, const board_device *d)
{
	pcie_host *h = kwb_zalloc(sizeof(*h));
	pci_dev *bridge = kwb_zalloc(sizeof(*bridge));
	const pcie_windows *w = d->param ? (const pcie_windows *)d->param : &default_windows;

	h->m = m;
	h->bus = &m->bus;
	h->smmu = machine_device(m, "smmuv3");
	h->ecam_base = d->base;
	h->ecam_size = d->size;
	h->mmio_base = w->mmio_base;
	h->mmio_size = w->mmio_size;
	h->pio_base = w->pio_base;
	h->pio_size = w->pio_size;
	h->mmio64_base = w->mmio64_base;
	h->mmio64_size = w->mmio64_size;
	if (h->mmio64_size && !h->mmio64_base) {
		paddr_t ram_end = m->bus.ram->base + m->bus.ram->size;
		h->mmio64_base = (ram_end + h->mmio64_size - 1) & ~(h->mmio64_size - 1);
	}
	if (d->nirqs != 4)
		kwb_fatal("board %s: pcie-ecam needs 4 interrupts (INTA..INTD)", m->board->name);
	if (d->size < (1u << 20) || d->size > (256u << 20) || (d->size & ((1u << 20) - 1)))
		kwb_fatal("board %s: pcie-ecam needs 1 to 256 MiB of ECAM (a bus per MiB)", m->board->name);
	for (int i = 0; i < 4; i++)
		h->intx[i] = machine_irq(m, d->irqs[i]);
	bus_add_mmio(&m->bus, "pcie-ecam", h->ecam_base, h->ecam_size, &ecam_ops, h);
	bus_add_mmio(&m->bus, "pcie-mmio", h->mmio_base, h->mmio_size, &window_ops, h);
	bus_add_mmio(&m->bus, "pcie-pio", h->pio_base, h->pio_size, &pio_ops, h);
	if (h->mmio64_size)
		bus_add_mmio(&m->bus, "pcie-mmio", h->mmio64_base, h->mmio64_size, &window64_ops, h);	/* one name: traces */

	/* 00:00.0: QEMU's "gpex" host bridge, Red Hat 1b36:0008 */
	pci_dev_init(bridge, "gpex-root", 0x1b36, 0x0008, 0, 0x060000, 0x1af4, 0x1100);
	bridge->cfg[PCI_INT_PIN] = 0;
	bridge->ops = &bridge_ops;
	pcie_plug(h, bridge, 0);
	create_from_options(m, h);
	return h;
}

/* fdtu_cells holds 64 cells; the interrupt-map has 160. */
static void set_cells(void *fdt, int node, const char *prop, const uint32_t *cells, int n)
{
	fdt32_t be[4 * 4 * 10];

	for (int i = 0; i < n && i < (int)ARRAY_SIZE(be); i++)
		be[i] = cpu_to_fdt32(cells[i]);
	fdtu_check(fdt_setprop(fdt, node, prop, be, (int)(sizeof(be[0]) * (size_t)n)), prop);
}

/*
 * QEMU's node: on arm64 "pcie@<32-bit MMIO base>" with GIC SPIs in its
 * interrupt-map (and iommu-map, msi-map), on RISC-V "pci@<ECAM base>"
 * under /soc with PLIC sources.
 */
static int pcie_dev_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	pcie_host *h = state;
	int plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	uint32_t intc = plic >= 0 ? fdtu_phandle(fdt, plic) : fdtu_phandle_of(fdt, "/intc@8000000");
	/* I/O, 32-bit memory and 64-bit memory (when there is one), 1:1 */
	uint32_t ranges[21] = {
		0x01000000, 0, 0, (uint32_t)(h->pio_base >> 32), (uint32_t)h->pio_base,
		(uint32_t)(h->pio_size >> 32), (uint32_t)h->pio_size,
		0x02000000, (uint32_t)(h->mmio_base >> 32), (uint32_t)h->mmio_base,
		(uint32_t)(h->mmio_base >> 32), (uint32_t)h->mmio_base,
		(uint32_t)(h->mmio_size >> 32), (uint32_t)h->mmio_size,
		0x03000000, (uint32_t)(h->mmio64_base >> 32), (uint32_t)h->mmio64_base,
		(uint32_t)(h->mmio64_base >> 32), (uint32_t)h->mmio64_base,
		(uint32_t)(h->mmio64_size >> 32), (uint32_t)h->mmio64_size,
	};
	uint32_t bus_range[2] = { 0, (uint32_t)(h->ecam_size >> 20) - 1 };
	uint32_t map_mask[4] = { 0x1800, 0, 0, 7 };
	uint32_t map[4 * 4 * 10], *p = map;
	char path[96];
	int node, smmu;

	(void)m;
	/* child address (3 cells), pin, then the parent's specifier: a GIC
	 * (2 address cells, SPI, number, level-high) or the PLIC (a source) */
	for (uint32_t slot = 0; slot < 4; slot++)
		for (uint32_t pin = 1; pin <= 4; pin++) {
			uint32_t irq = (uint32_t)d->irqs[(pin - 1 + slot) % 4];
			uint32_t e[10] = { slot << 11, 0, 0, pin, intc, 0, 0, 0, irq, 4 };
			if (plic >= 0) {
				e[5] = irq;
				memcpy(p, e, 6 * sizeof(e[0]));
				p += 6;
			} else {
				memcpy(p, e, sizeof(e));
				p += 10;
			}
		}
	if (plic >= 0) {
		parent = fdt_path_offset(fdt, "/soc");	/* offsets moved with the phandle */
		node = fdtu_node_at(fdt, parent, "pci", h->ecam_base);
		snprintf(path, sizeof(path), "/soc/pci@%llx", (unsigned long long)h->ecam_base);
	} else {
		node = fdtu_node_at(fdt, parent, d->name, h->mmio_base);
		snprintf(path, sizeof(path), "/%s@%llx", d->name, (unsigned long long)h->mmio_base);
	}
	fdtu_string(fdt, node, "compatible", "pci-host-ecam-generic");
	fdtu_string(fdt, node, "device_type", "pci");
	fdtu_u32(fdt, node, "#address-cells", 3);
	fdtu_u32(fdt, node, "#size-cells", 2);
	fdtu_u32(fdt, node, "linux,pci-domain", 0);
	fdtu_cells(fdt, node, "bus-range", bus_range, 2);
	fdtu_empty(fdt, node, "dma-coherent");
	fdtu_reg(fdt, node, h->ecam_base, h->ecam_size);
	fdtu_cells(fdt, node, "ranges", ranges, h->mmio64_size ? 21 : 14);
	fdtu_u32(fdt, node, "#interrupt-cells", 1);
	set_cells(fdt, node, "interrupt-map", map, (int)(p - map));
	fdtu_cells(fdt, node, "interrupt-map-mask", map_mask, 4);
	smmu = fdt_path_offset(fdt, "/smmuv3@9050000");
	if (h->smmu && smmu >= 0) {
		uint32_t imap[4] = { 0, fdtu_phandle(fdt, smmu), 0, 0x10000 };
		/* fdtu_phandle may have moved node: look it up again */
		node = fdtu_path(fdt, path);
		fdtu_cells(fdt, node, "iommu-map", imap, 4);
	}
	/* MSIs: RID -> DeviceID 1:1 at the GIC's MSI controller (the ITS, or
	 * GICv2m's frame), as QEMU's msi-map */
	for (const char *const *p = (const char *const[]){ "/intc@8000000/its@8080000", "/intc@8000000/v2m@8020000",
							   NULL }; *p; p++) {
		int msi = fdt_path_offset(fdt, *p);
		if (msi >= 0) {
			uint32_t mmap[4] = { 0, fdtu_phandle(fdt, msi), 0, 0x10000 };
			node = fdtu_path(fdt, path);
			fdtu_cells(fdt, node, "msi-map", mmap, 4);
			break;
		}
	}
	return node;
}

static void pcie_dev_reset(void *state)
{
	pcie_host *h = state;

	for (int i = 0; i < PCI_MAX_DEVFN; i++) {
		pci_dev *d = h->dev[i];
		if (!d)
			continue;
		memcpy(d->cfg, d->cfg_reset, sizeof(d->cfg));
		d->intx = 0;
		pci_msix_reset(d);
		if (d->ops->reset)
			d->ops->reset(d);
	}
	update_intx(h);
}

static void pcie_dev_free(void *state)
{
	pcie_host *h = state;

	for (int i = 0; i < PCI_MAX_DEVFN; i++) {
		pci_dev *d = h->dev[i];
		if (d && d->ops->free)
			d->ops->free(d);
		else
			free(d);
	}
	free(h);
}

/* The host's own state: the INTA..INTD levels it drives (its functions
 * are described each on its own, registered when plugged). */
static const state_field pcie_host_fields[] = {
	ST_UINT_ARRAY(pcie_host, intx_level),
	ST_END
};
static const state_desc pcie_host_state = { .name = "pcie-ecam", .version = 1, .fields = pcie_host_fields };

DEVICE_TYPE(pcie_ecam_type) {
	.name = "pcie-ecam",
	.create = pcie_dev_create,
	.fdt = pcie_dev_fdt,
	.reset = pcie_dev_reset,
	.free = pcie_dev_free,
	.state = &pcie_host_state,
};
