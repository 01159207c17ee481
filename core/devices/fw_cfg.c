/*
 * QEMU's fw_cfg, the MMIO flavour both virt boards have: an 8-byte data
 * register at +0 (reads stream the selected item, in item byte order),
 * the 16-bit big-endian selector at +8 and the big-endian 64-bit DMA
 * address at +16 (writing it runs the transfer its descriptor in guest
 * memory describes; reading it gives "QEMU CFG").
 *
 * Items, as QEMU 7.2's virt boards set them with acpi=off (kwb builds no
 * ACPI or SMBIOS tables): the signature, the ID (traditional and DMA
 * interfaces), a zero UUID, NOGRAPHIC, NB_CPUS, BOOT_MENU, the kernel,
 * initrd and command line when firmware is to load them, and the files
 * bios-geometry, bootorder (both empty: no bootindex) and
 * etc/boot-fail-wait, listed in the file directory sorted by name.
 *
 * A DMA descriptor is guest input: it is read from RAM, its buffer must
 * lie in writable RAM (no wrap-around, no MMIO, no ROM), anything else
 * sets the error bit in the descriptor's control word as QEMU does, and
 * item writes are refused (no item here is writable).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"
#include "fw_cfg.h"
#include "smbios.h"

enum {
	FW_CFG_SIGNATURE = 0x00, FW_CFG_ID = 0x01, FW_CFG_UUID = 0x02, FW_CFG_NOGRAPHIC = 0x04,
	FW_CFG_NB_CPUS = 0x05, FW_CFG_KERNEL_SIZE = 0x08, FW_CFG_INITRD_SIZE = 0x0b,
	FW_CFG_BOOT_MENU = 0x0e, FW_CFG_KERNEL_DATA = 0x11, FW_CFG_INITRD_DATA = 0x12,
	FW_CFG_CMDLINE_SIZE = 0x14, FW_CFG_CMDLINE_DATA = 0x15, FW_CFG_FILE_DIR = 0x19,
	FW_CFG_FILE_FIRST = 0x20, FW_CFG_FILE_SLOTS = 0x20,
	FW_CFG_ENTRIES = FW_CFG_FILE_FIRST + FW_CFG_FILE_SLOTS,
	FW_CFG_ARCH_LOCAL = 0x8000, FW_CFG_WRITE_CHANNEL = 0x4000, FW_CFG_INVALID = 0xffff,
	FW_CFG_NAME_LEN = 56,
};
enum { DMA_ERROR = 0x01, DMA_READ = 0x02, DMA_SKIP = 0x04, DMA_SELECT = 0x08, DMA_WRITE = 0x10 };
enum { REG_DATA = 0, REG_SELECTOR = 8, REG_DMA = 16 };

static const char dma_signature[8] = "QEMU CFG";

typedef struct fw_item {
	uint8_t *data;
	uint32_t len;
} fw_item;

typedef struct fw_cfg {
	machine *m;
	paddr_t base;
	/* the items: configuration, set at creation (the kernel's at boot) */
	fw_item items[FW_CFG_ENTRIES];
	char names[FW_CFG_FILE_SLOTS][FW_CFG_NAME_LEN];
	int nfiles;
	/* guest-visible state, as QEMU's vmstate */
	uint16_t cur_entry;
	uint32_t cur_offset;
	uint64_t dma_addr;
} fw_cfg;

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- items ---- */

static void set_item(fw_cfg *s, uint16_t key, const void *data, uint32_t len)
{
	fw_item *e = &s->items[key];

	free(e->data);
	e->data = len ? memcpy(kwb_zalloc(len), data, len) : NULL;
	e->len = len;
}

static void set_u16(fw_cfg *s, uint16_t key, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };	/* little-endian, as QEMU */
	set_item(s, key, b, 2);
}

static void set_u32(fw_cfg *s, uint16_t key, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	set_item(s, key, b, 4);
}

/* The file directory: a big-endian count, then size, select, name of
 * each file, sorted by name (QEMU's order for non-legacy machines). */
static void build_dir(fw_cfg *s)
{
	uint32_t len = 4 + (uint32_t)s->nfiles * 64;
	uint8_t *dir = kwb_zalloc(len);

	put_be32(dir, (uint32_t)s->nfiles);
	for (int i = 0; i < s->nfiles; i++) {
		uint8_t *f = dir + 4 + 64 * i;
		put_be32(f, s->items[FW_CFG_FILE_FIRST + i].len);
		f[4] = (uint8_t)((FW_CFG_FILE_FIRST + i) >> 8);
		f[5] = (uint8_t)(FW_CFG_FILE_FIRST + i);
		memcpy(f + 8, s->names[i], FW_CFG_NAME_LEN);
	}
	set_item(s, FW_CFG_FILE_DIR, dir, len);
	free(dir);
}

/* Files are added in any order and kept sorted, shifting the selectors
 * of those after, as QEMU does. */
static void add_file(fw_cfg *s, const char *name, const void *data, uint32_t len)
{
	int at = s->nfiles;

	if (s->nfiles == FW_CFG_FILE_SLOTS || strlen(name) >= FW_CFG_NAME_LEN)
		kwb_fatal("fw_cfg: no room for file %s", name);
	while (at > 0 && strcmp(name, s->names[at - 1]) < 0)
		at--;
	memmove(s->names[at + 1], s->names[at], (size_t)(s->nfiles - at) * FW_CFG_NAME_LEN);
	memmove(&s->items[FW_CFG_FILE_FIRST + at + 1], &s->items[FW_CFG_FILE_FIRST + at],
		(size_t)(s->nfiles - at) * sizeof(fw_item));
	memset(&s->items[FW_CFG_FILE_FIRST + at], 0, sizeof(fw_item));
	memset(s->names[at], 0, FW_CFG_NAME_LEN);
	strcpy(s->names[at], name);
	s->nfiles++;
	set_item(s, (uint16_t)(FW_CFG_FILE_FIRST + at), data, len);
	build_dir(s);
}

static fw_item *selected(fw_cfg *s)
{
	/* no arch-local items on these boards: such a key selects nothing */
	if (s->cur_entry == FW_CFG_INVALID || (s->cur_entry & FW_CFG_ARCH_LOCAL))
		return NULL;
	return &s->items[s->cur_entry & ~FW_CFG_WRITE_CHANNEL];
}

static void select_key(fw_cfg *s, uint16_t key)
{
	s->cur_offset = 0;
	s->cur_entry = (key & ~(FW_CFG_ARCH_LOCAL | FW_CFG_WRITE_CHANNEL)) < FW_CFG_ENTRIES ? key
											    : FW_CFG_INVALID;
	trace_dev(s->m, "fw_cfg", "select 0x%04x%s", key, s->cur_entry == FW_CFG_INVALID ? " (none)" : "");
}

/* ---- the data register ---- */

static uint64_t data_read(fw_cfg *s, unsigned size)
{
	fw_item *e = selected(s);
	uint64_t v = 0;

	/* the next size bytes of the item in memory order, zeros past its end */
	for (unsigned i = 0; i < size && e && e->data && s->cur_offset < e->len; i++)
		v |= (uint64_t)e->data[s->cur_offset++] << (8 * i);
	return v;
}

/* ---- DMA ---- */

/*
 * A DMA write, as QEMU's dma_memory_write: RAM is written piece by piece
 * until a piece that is not RAM (MMIO, ROM, flash, nothing), which ends
 * the transfer with an error (QEMU would send MMIO the write; kwb's
 * device DMA reaches RAM only). src NULL writes zeros.
 */
static bool dma_write(fw_cfg *s, uint64_t pa, const uint8_t *src, uint64_t len)
{
	while (len) {
		bus_region *r = bus_find(&s->m->bus, pa);
		uint64_t n;
		if (!r || !r->host || r->readonly)
			return false;
		n = r->size - (pa - r->base);
		n = n < len ? n : len;
		if (src) {
			memcpy(r->host + (pa - r->base), src, n);
			src += n;
		} else {
			memset(r->host + (pa - r->base), 0, n);
		}
		pa += n;
		len -= n;
	}
	return true;
}

static void dma_transfer(fw_cfg *s)
{
	uint64_t desc = s->dma_addr, addr;
	uint8_t d[16], ctl[4];
	uint32_t control, length;
	bool read = false, write = false;
	fw_item *e;

	s->dma_addr = 0;
	/* the descriptor may be read from RAM or ROM; its control word is
	 * written back to RAM only */
	if (desc + 16 < desc || bus_copy_from(&s->m->bus, desc, d, 16)) {
		trace_dev(s->m, "fw_cfg", "DMA descriptor at 0x%llx is not in memory", (unsigned long long)desc);
		put_be32(ctl, DMA_ERROR);
		dma_write(s, desc, ctl, 4);
		return;
	}
	control = get_be32(d);
	length = get_be32(d + 4);
	addr = (uint64_t)get_be32(d + 8) << 32 | get_be32(d + 12);
	if (control & DMA_SELECT)
		select_key(s, (uint16_t)(control >> 16));
	e = selected(s);
	if (control & DMA_READ)
		read = true;
	else if (control & DMA_WRITE)
		write = true;
	else if (!(control & DMA_SKIP))
		length = 0;
	trace_dev(s->m, "fw_cfg", "DMA %s of %u bytes at 0x%llx, item 0x%04x offset %u",
		  read ? "read" : write ? "write" : length ? "skip" : "nop", length,
		  (unsigned long long)addr, s->cur_entry, s->cur_offset);
	control = 0;
	while (length && !(control & DMA_ERROR)) {
		uint32_t len;
		if (!e || !e->data || s->cur_offset >= e->len) {
			/* past the item: a read gets zeros, a write fails */
			len = length;
			if ((read && !dma_write(s, addr, NULL, len)) || write)
				control |= DMA_ERROR;
		} else {
			len = e->len - s->cur_offset < length ? e->len - s->cur_offset : length;
			if (read && !dma_write(s, addr, e->data + s->cur_offset, len))
				control |= DMA_ERROR;
			if (write)	/* no item of these boards is writable */
				control |= DMA_ERROR;
			s->cur_offset += len;
		}
		addr += len;
		length -= len;
	}
	put_be32(ctl, control);
	dma_write(s, desc, ctl, 4);
}

/* ---- registers ---- */

static uint64_t fw_cfg_read(void *opaque, uint64_t off, unsigned size)
{
	fw_cfg *s = opaque;
	uint64_t v = 0;

	if (off == REG_DATA)
		return data_read(s, size);
	if (off >= REG_DMA && off - REG_DMA + size <= 8) {
		for (unsigned i = 0; i < size; i++)
			v |= (uint64_t)(uint8_t)dma_signature[off - REG_DMA + i] << (8 * i);
		return v;
	}
	return 0;	/* the selector is write-only; data reads only at +0 */
}

static uint64_t bswap(uint64_t v, unsigned size)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < size; i++)
		r |= (v >> (8 * i) & 0xff) << (8 * (size - 1 - i));
	return r;
}

static void fw_cfg_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	fw_cfg *s = opaque;

	if (off == REG_SELECTOR && size == 2) {
		select_key(s, (uint16_t)bswap(v, 2));
	} else if (off == REG_DMA && size == 8) {
		s->dma_addr = bswap(v, 8);
		dma_transfer(s);
	} else if (off == REG_DMA && size == 4) {
		s->dma_addr = bswap(v, 4) << 32;
	} else if (off == REG_DMA + 4 && size == 4) {
		s->dma_addr |= bswap(v, 4);
		dma_transfer(s);
	}
	/* data writes: nothing (QEMU removed them in 2.4) */
}

/* Reads of the data register move through the item: peek does not. */
static bool fw_cfg_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	fw_cfg *s = opaque;
	uint32_t saved = s->cur_offset;

	*v = fw_cfg_read(s, off, size);
	s->cur_offset = saved;
	return true;
}

static const char *fw_cfg_reg_name(void *opaque, uint64_t off)
{
	(void)opaque;
	if (off < REG_SELECTOR)
		return "data";
	return off < REG_DMA ? "selector" : off < REG_DMA + 4 ? "dma_addr_hi" : "dma_addr_lo";
}

/* QEMU's three regions and their valid accesses: the data register at
 * its start only (1 to 8 bytes), the selector written with 2 bytes, the
 * DMA address written with 4 bytes (either half) or 8, read any way (the
 * signature); the holes between them are unmapped. Anything else is a
 * bus error. */
static bool fw_cfg_accepts(void *opaque, uint64_t off, unsigned size, bool is_write)
{
	(void)opaque;
	if (off < REG_SELECTOR)
		return off == REG_DATA;
	if (off < REG_SELECTOR + 2)
		return off == REG_SELECTOR && is_write && size == 2;
	if (off < REG_DMA)
		return false;
	return !is_write || (size == 4 && (off == REG_DMA || off == REG_DMA + 4)) ||
	       (size == 8 && off == REG_DMA);
}

static const mmio_ops fw_cfg_ops = {
	.read = fw_cfg_read, .write = fw_cfg_write, .peek = fw_cfg_peek, .reg_name = fw_cfg_reg_name,
	.accepts = fw_cfg_accepts,
};

/* ---- the kernel for firmware ---- */

static uint8_t *read_whole(const char *opt, const char *path, uint32_t *len)
{
	const char *err;
	size_t size;
	uint8_t *data = kwb_read_file(path, &size, &err);

	if (!data)
		kwb_fatal("%s %s: %s", opt, path, err);
	if (size >= 0xffffffffu)
		kwb_fatal("%s %s: larger than fw_cfg's 4 GiB items", opt, path);
	*len = (uint32_t)size;
	return data;
}

void fw_cfg_add_kernel(machine *m, const char *kernel, const char *initrd, const char *cmdline,
		       bool decompress)
{
	fw_cfg *s = machine_device(m, "fw_cfg");
	uint32_t len;
	uint8_t *data;

	(void)decompress;	/* QEMU gunzips an aarch64 kernel; kwb loads no Image.gz yet */
	if (!s)
		kwb_fatal("-kernel with firmware: this board has no fw_cfg to pass the kernel through");
	if (kernel) {
		data = read_whole("-kernel", kernel, &len);
		set_u32(s, FW_CFG_KERNEL_SIZE, len);
		set_item(s, FW_CFG_KERNEL_DATA, data, len);
		free(data);
	}
	if (initrd) {
		data = read_whole("-initrd", initrd, &len);
		set_u32(s, FW_CFG_INITRD_SIZE, len);
		set_item(s, FW_CFG_INITRD_DATA, data, len);
		free(data);
	}
	if (cmdline) {
		set_u32(s, FW_CFG_CMDLINE_SIZE, (uint32_t)strlen(cmdline) + 1);
		set_item(s, FW_CFG_CMDLINE_DATA, cmdline, (uint32_t)strlen(cmdline) + 1);
	}
}

/* ---- the device ---- */

static void fw_cfg_reset(void *state)
{
	fw_cfg *s = state;

	s->dma_addr = 0;
	select_key(s, FW_CFG_SIGNATURE);
}

static void *fw_cfg_create(machine *m, const board_device *d)
{
	fw_cfg *s = kwb_zalloc(sizeof(*s));
	static const uint8_t fail_wait[4] = { 0xff, 0xff, 0xff, 0xff };	/* -1: no reboot timeout */

	s->m = m;
	s->base = d->base;
	set_item(s, FW_CFG_SIGNATURE, "QEMU", 4);
	set_u32(s, FW_CFG_ID, 1 | 2);			/* traditional and DMA interfaces */
	set_item(s, FW_CFG_UUID, m->opt->uuid, 16);	/* -uuid, else zeros */
	set_u16(s, FW_CFG_NOGRAPHIC, m->opt->nographic);
	set_u16(s, FW_CFG_BOOT_MENU, m->opt->boot_menu);
	set_u16(s, FW_CFG_NB_CPUS, (uint16_t)m->ncpus);
	add_file(s, "etc/boot-fail-wait", fail_wait, 4);
	add_file(s, "bootorder", NULL, 0);
	add_file(s, "bios-geometry", NULL, 0);
	if (d->param & FW_CFG_SMBIOS) {
		uint8_t *anchor, *tables;
		uint32_t alen, tlen;

		smbios_build(m->opt->ram_size ? m->opt->ram_size : m->board->ram_default, m->ncpus, "virt-7.2",
			     m->opt->has_uuid ? m->opt->uuid : NULL, &anchor, &alen, &tables, &tlen);
		add_file(s, "etc/smbios/smbios-anchor", anchor, alen);
		add_file(s, "etc/smbios/smbios-tables", tables, tlen);
		free(anchor);
		free(tables);
	}
	for (int i = 0; i < m->opt->nfw_cfg; i++) {
		const kwb_fw_cfg_file *f = &m->opt->fw_cfg[i];
		if (f->string) {
			add_file(s, f->name, f->string, (uint32_t)strlen(f->string));
		} else {
			uint32_t len;
			uint8_t *data = read_whole("-fw_cfg", f->file, &len);
			add_file(s, f->name, data, len);
			free(data);
		}
	}
	bus_add_mmio(&m->bus, "fw_cfg", d->base, d->size, &fw_cfg_ops, s);
	fw_cfg_reset(s);
	return s;
}

static int fw_cfg_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	int node = fdtu_node_at(fdt, 0, "fw-cfg", d->base);	/* at the root on both boards */

	(void)m; (void)state; (void)parent;
	fdtu_string(fdt, node, "compatible", "qemu,fw-cfg-mmio");
	fdtu_reg(fdt, node, d->base, d->size);
	fdtu_empty(fdt, node, "dma-coherent");
	return node;
}

static void fw_cfg_free(void *state)
{
	fw_cfg *s = state;

	for (int i = 0; i < FW_CFG_ENTRIES; i++)
		free(s->items[i].data);
	free(s);
}

/* The items are configuration (the command line's); the cursor and the
 * DMA address half written are the guest's. */
static const state_field fw_cfg_fields[] = {
	ST_U16(fw_cfg, cur_entry),
	ST_U32(fw_cfg, cur_offset),
	ST_U64(fw_cfg, dma_addr),
	ST_END
};
static const state_desc fw_cfg_state = { .name = "fw_cfg", .version = 1, .fields = fw_cfg_fields };

DEVICE_TYPE(fw_cfg_type) {
	.name = "fw_cfg",
	.create = fw_cfg_create,
	.fdt = fw_cfg_fdt,
	.reset = fw_cfg_reset,
	.free = fw_cfg_free,
	.state = &fw_cfg_state,
};
