/*
 * CFI parallel flash with the Intel command set, as QEMU's pflash_cfi01 on
 * the virt boards: each bank is two x16 devices side by side (a 32-bit
 * bank, device width 2), 256 KiB sectors, manufacturer 0x89, device 0x18.
 * In array mode the bank is read directly from its memory (cached by the
 * CPUs like ROM, so firmware runs from it at full speed); the first write
 * of a command switches the bank to command mode, where reads return the
 * status register, the device IDs or the CFI query table; writes are
 * always commands. The command sequences, the status bits and QEMU's own
 * ways follow hw/block/pflash_cfi01.c of Debian's QEMU 7.2 (7.2.22, with
 * the stable branch's write buffer), so firmware sees the same flash: an
 * erase happens at the 0x20; write-to-buffer data goes to a 4 KiB buffer
 * (2 KiB per device) aligned on the address of the first data write
 * (not the count's) and reaches the array at the confirm, a write outside that buffer is a
 * program error and the confirm then discards the buffer; an 8-byte access
 * is two 4-byte ones.
 *
 * Every guest access is bounded by the bank (the bus checks the access
 * lies in the region), and no command sequence can reach outside the
 * array: a sector erase is aligned down to its sector.
 *
 * The array's contents are guest memory, not fields of the state
 * description: the bus region is a host-memory region, saved with RAM.
 * An image file (-drive if=pflash) is read at creation and every change
 * the guest makes is written through to it at once, as QEMU does (never
 * with readonly=on); a bank without a file starts zeroed, as QEMU's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../board.h"
#include "../fdt_util.h"
#include "../machine.h"
#include "../state.h"
#include "../trace.h"
#include "pflash.h"

#define BANK_WIDTH 4		/* bytes per bus access: two x16 devices */
#define DEVICE_WIDTH 2
#define NUM_DEVICES (BANK_WIDTH / DEVICE_WIDTH)
#define SECTOR (256u << 10)
#define CFI_LEN 0x52
#define WRITEBLOCK (2048u * NUM_DEVICES)	/* the write buffer of the bank */
#define NO_BLOCK 0xffffffffu

enum { ST_READY = 0x80, ST_ERASE_ERR = 0x20, ST_PROG_ERR = 0x10 };
enum { CMD_READ_ARRAY = 0x00 };	/* QEMU's reset value for READ_ARRAY (0xff) */

typedef struct pflash {
	machine *m;
	char name[16];		/* "pflash0" */
	paddr_t base;
	uint64_t size;
	uint8_t *array;
	uint8_t cfi[CFI_LEN];
	bool ro;		/* readonly=on: program and erase fail */
	int fd;			/* the image file, -1 without one */
	const char *file;
	bool write_failed;	/* said once */
	/* guest-visible state (the same fields as QEMU's vmstate, plus the
	 * read mode QEMU keeps in its memory region) */
	uint8_t wcycle, cmd, status;
	uint64_t counter;
	bool romd;
	uint32_t blk_offset;	/* where the write buffer goes, NO_BLOCK: none */
	uint8_t blk_bytes[WRITEBLOCK];
} pflash;


/* ---- the image ---- */

/* Changed bytes go to the image file at once, as QEMU's pflash_update
 * writes its block backend: the file is current whenever kwb stops, even
 * killed. A failed write gets one line and the bank carries on. */
static void write_through(pflash *f, uint64_t off, uint64_t len)
{
	uint64_t done = 0;

	if (f->fd < 0 || f->ro)
		return;
	while (done < len) {
		ssize_t n = pwrite(f->fd, f->array + off + done, len - done, (off_t)(off + done));
		if (n <= 0) {
			if (!f->write_failed)
				fprintf(stderr, "kwb: -drive if=pflash,file=%s: cannot write: %s\n", f->file,
					n ? strerror(errno) : "no space");
			f->write_failed = true;
			return;
		}
		done += (uint64_t)n;
	}
}

/* Before the array changes: history keeps the old page (guestmem.h). */
static void will_change(pflash *f, uint64_t off, uint64_t len)
{
	bus_region *r = bus_find(&f->m->bus, f->base);

	if (r)
		guestmem_will_write(r->mem, off, len);
}

/* The array changes: CPUs drop what they decoded from it (firmware runs
 * from flash), and the pages are marked for write-back. */
static void array_changed(pflash *f, uint64_t off, uint64_t len)
{
	machine *m = f->m;

	write_through(f, off, len);
	for (int i = 0; i < m->ncpus; i++)
		if (m->cpus[i])
			m->arch->flush_decode(m->cpus[i]);
}

/* Array mode on or off: the bank's pages may sit in the CPUs' TLBs. */
static void set_romd(pflash *f, bool on)
{
	machine *m = f->m;

	if (f->romd == on)
		return;
	f->romd = on;
	bus_set_romd(&m->bus, f->base, on);
	for (int i = 0; i < m->ncpus; i++)
		if (m->cpus[i])
			m->arch->flush_tlb(m->cpus[i]);
}

/* ---- reads ---- */

static uint32_t data_read(pflash *f, uint64_t off, unsigned width)
{
	uint32_t v = 0;

	memcpy(&v, f->array + off, width);
	return v;
}

/* A response of one x16 device, repeated for each device in the bank. */
static uint32_t replicate(uint32_t resp)
{
	for (unsigned i = DEVICE_WIDTH; i < BANK_WIDTH; i += DEVICE_WIDTH)
		resp |= resp << (8 * i);
	return resp;
}

/* Query addresses count in bank-width words. */
static uint32_t cfi_query(pflash *f, uint64_t off)
{
	uint64_t i = off / BANK_WIDTH;

	return i < CFI_LEN ? replicate(f->cfi[i]) : 0;
}

static uint32_t devid_query(uint64_t off)
{
	switch ((off / BANK_WIDTH) & 0xff) {
	case 0: return replicate(0x89);		/* manufacturer (Intel) */
	case 1: return replicate(0x18);		/* device */
	}
	return 0;	/* block lock status and the rest: not modelled (QEMU) */
}

static uint32_t flash_read4(pflash *f, uint64_t off, unsigned width)
{
	uint32_t status;

	switch (f->cmd) {
	default:
		f->wcycle = 0;
		f->cmd = CMD_READ_ARRAY;
		/* fall through */
	case CMD_READ_ARRAY:
		return data_read(f, off, width);
	case 0x10: case 0x20: case 0x28: case 0x40: case 0x50: case 0x60: case 0x70: case 0xe8:
		/* the status register, from each device of the bank */
		status = f->status;
		for (unsigned shift = 8 * DEVICE_WIDTH; shift + 8 * DEVICE_WIDTH <= 8 * width;
		     shift += 8 * DEVICE_WIDTH)
			status |= (uint32_t)f->status << shift;
		return status;
	case 0x90:
		return devid_query(off);
	case 0x98:
		return cfi_query(f, off);
	}
}

static uint64_t flash_read(void *opaque, uint64_t off, unsigned size)
{
	pflash *f = opaque;

	/* QEMU's memory core splits an 8-byte access into two of 4 bytes */
	if (size == 8)
		return flash_read4(f, off, 4) | (uint64_t)flash_read4(f, off + 4, 4) << 32;
	return flash_read4(f, off, size) & (uint32_t)(((uint64_t)1 << (8 * size)) - 1);
}

/* What a read would return, without the reset of an unknown command. */
static bool flash_peek(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
	pflash *f = opaque;
	uint8_t cmd = f->cmd, wcycle = f->wcycle;

	*v = flash_read(f, off, size);
	f->cmd = cmd;
	f->wcycle = wcycle;
	return true;
}

/* ---- writes: the command state machine ---- */

static void data_write(pflash *f, uint64_t off, uint32_t value, unsigned width)
{
	if (f->blk_offset == NO_BLOCK) {
		will_change(f, off, width);
		memcpy(f->array + off, &value, width);
		array_changed(f, off, width);
	} else if (off < f->blk_offset || off + width > (uint64_t)f->blk_offset + WRITEBLOCK) {
		f->status |= ST_PROG_ERR;	/* outside the write buffer */
	} else {
		memcpy(f->blk_bytes + (off - f->blk_offset), &value, width);
	}
}

/* Write to buffer: the buffer starts as the array's block around the
 * count write; the confirm puts it in the array, an abort drops it. */
static void block_start(pflash *f, uint64_t off)
{
	f->blk_offset = (uint32_t)(off & ~(uint64_t)(WRITEBLOCK - 1));
	memcpy(f->blk_bytes, f->array + f->blk_offset, WRITEBLOCK);
}

static void block_flush(pflash *f)
{
	trace_dev(f->m, f->name, "buffer written at 0x%x", f->blk_offset);
	will_change(f, f->blk_offset, WRITEBLOCK);
	memcpy(f->array + f->blk_offset, f->blk_bytes, WRITEBLOCK);
	array_changed(f, f->blk_offset, WRITEBLOCK);
	f->blk_offset = NO_BLOCK;
}

static void block_abort(pflash *f)
{
	trace_dev(f->m, f->name, "buffer at 0x%x discarded", f->blk_offset);
	f->blk_offset = NO_BLOCK;
}

static void read_array_mode(pflash *f)
{
	set_romd(f, true);
	f->wcycle = 0;
	f->cmd = CMD_READ_ARRAY;
}

static void unknown_sequence(pflash *f, uint64_t off, uint32_t value)
{
	trace_dev(f->m, f->name, "unimplemented command sequence (offset 0x%llx, cycle %u, command 0x%02x, "
		  "value 0x%x): back to read array", (unsigned long long)off, f->wcycle, f->cmd, value);
	read_array_mode(f);
}

static void write_first_cycle(pflash *f, uint64_t off, uint32_t value)
{
	uint8_t cmd = (uint8_t)value;

	switch (cmd) {
	case 0x00:	/* QEMU's READ_ARRAY */
	case 0xf0:	/* probe for an AMD flash */
	case 0xff:	/* read array */
		read_array_mode(f);
		return;
	case 0x10: case 0x40:	/* single word program: the data follows */
	case 0x60:		/* block lock/unlock: the confirm follows */
	case 0x98:		/* CFI query */
		break;
	case 0x20:		/* block erase: done now, the 0xd0 confirms */
		off &= ~(uint64_t)(SECTOR - 1);
		trace_dev(f->m, f->name, "block erase at 0x%llx", (unsigned long long)off);
		if (!f->ro) {
			will_change(f, off, SECTOR);
			memset(f->array + off, 0xff, SECTOR);
			array_changed(f, off, SECTOR);
		} else {
			f->status |= ST_ERASE_ERR;
		}
		f->status |= ST_READY;
		break;
	case 0x50:		/* clear status */
		f->status = 0;
		read_array_mode(f);
		return;
	case 0x70:		/* read status */
	case 0x90:		/* read device ID */
		set_romd(f, false);
		f->cmd = cmd;
		return;
	case 0xe8:		/* write to buffer: the count follows */
		f->status |= ST_READY;
		break;
	default:
		unknown_sequence(f, off, value);
		return;
	}
	set_romd(f, false);	/* command mode until the sequence ends */
	f->wcycle++;
	f->cmd = cmd;
}

static void flash_write4(pflash *f, uint64_t off, uint32_t value, unsigned width)
{
	uint8_t cmd = (uint8_t)value;

	/* a first cycle leaves array mode only for a command that reads
	 * something else (a read-array write must not flush every TLB twice) */
	switch (f->wcycle) {
	case 0:
		write_first_cycle(f, off, value);
		return;
	case 1:
		switch (f->cmd) {
		case 0x10: case 0x40:
			if (!f->ro)
				data_write(f, off, value, width);
			else
				f->status |= ST_PROG_ERR;
			f->status |= ST_READY;
			f->wcycle = 0;
			return;
		case 0x20: case 0x28:
			if (cmd == 0xd0) {
				f->wcycle = 0;
				f->status |= ST_READY;
			} else if (cmd == 0xff) {
				read_array_mode(f);
			} else {
				unknown_sequence(f, off, value);
			}
			return;
		case 0xe8:	/* the word count - 1, per device */
			f->counter = value & ((1u << (8 * DEVICE_WIDTH)) - 1);
			f->wcycle++;
			return;
		case 0x60:
			if (cmd == 0xd0 || cmd == 0x01) {
				f->wcycle = 0;
				f->status |= ST_READY;
			} else {
				read_array_mode(f);
			}
			return;
		case 0x98:
			if (cmd == 0xff)
				read_array_mode(f);
			return;		/* anything else: still in query mode (QEMU) */
		}
		unknown_sequence(f, off, value);
		return;
	case 2:
		if (f->cmd != 0xe8)
			break;
		/* the buffer is the block of the first data write (QEMU 7.2's
		 * stable fix: u-boot writes the count at the sector's start);
		 * with a count of 0 there is none, a program error (QEMU) */
		if (f->blk_offset == NO_BLOCK && f->counter)
			block_start(f, off);
		if (!f->ro && f->blk_offset != NO_BLOCK)
			data_write(f, off, value, width);
		else
			f->status |= ST_PROG_ERR;
		f->status |= ST_READY;
		if (!f->counter)
			f->wcycle++;
		f->counter--;
		return;
	case 3:
		if (f->cmd != 0xe8) {
			block_abort(f);
			break;
		}
		if (cmd == 0xd0 && !(f->status & ST_PROG_ERR)) {
			block_flush(f);
			f->wcycle = 0;
			f->status |= ST_READY;
		} else {
			block_abort(f);
			read_array_mode(f);
		}
		return;
	default:
		read_array_mode(f);
		return;
	}
	unknown_sequence(f, off, value);
}

static void flash_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	pflash *f = opaque;

	if (size == 8) {	/* two 4-byte writes, low address first (QEMU) */
		flash_write4(f, off, (uint32_t)v, 4);
		flash_write4(f, off + 4, (uint32_t)(v >> 32), 4);
		return;
	}
	flash_write4(f, off, (uint32_t)v, size);
}

static const char *flash_reg_name(void *opaque, uint64_t off)
{
	pflash *f = opaque;

	(void)off;
	return f->romd ? "array" : f->wcycle ? "command data" : "command";
}

static const mmio_ops flash_ops = {
	.read = flash_read, .write = flash_write, .peek = flash_peek, .reg_name = flash_reg_name,
};

/* ---- creation ---- */

/* The CFI query table of one device of the bank (QEMU's values). */
static void fill_cfi(pflash *f)
{
	uint64_t blocks = f->size / SECTOR, sector_per_dev = SECTOR / NUM_DEVICES;
	uint64_t dev_len = sector_per_dev * blocks;
	uint8_t *t = f->cfi;

	memset(t, 0, CFI_LEN);
	t[0x10] = 'Q'; t[0x11] = 'R'; t[0x12] = 'Y';
	t[0x13] = 0x01;				/* Intel command set */
	t[0x15] = 0x31;				/* primary extended table at 0x31 */
	t[0x1b] = 0x45; t[0x1c] = 0x55;		/* Vcc min, max */
	t[0x1f] = 0x07; t[0x20] = 0x07; t[0x21] = 0x0a;	/* typical timeouts */
	t[0x23] = 0x04; t[0x24] = 0x04; t[0x25] = 0x04;	/* maximum timeouts */
	t[0x27] = (uint8_t)__builtin_ctzll(dev_len);	/* device size, log2 */
	t[0x28] = 0x02;				/* x8/x16 interface */
	t[0x2a] = 0x0b;				/* write buffer: 2 KiB */
	t[0x2c] = 0x01;				/* one erase block region */
	t[0x2d] = (uint8_t)(blocks - 1); t[0x2e] = (uint8_t)((blocks - 1) >> 8);
	t[0x2f] = (uint8_t)(sector_per_dev >> 8); t[0x30] = (uint8_t)(sector_per_dev >> 16);
	t[0x31] = 'P'; t[0x32] = 'R'; t[0x33] = 'I'; t[0x34] = '1'; t[0x35] = '0';
	t[0x3f] = 0x01;				/* protection fields */
}

static const kwb_drive *find_drive(machine *m, int unit)
{
	for (int i = 0; i < m->opt->ndrives; i++)
		if (m->opt->drives[i].pflash && m->opt->drives[i].unit == unit)
			return &m->opt->drives[i];
	return NULL;
}

static void open_image(pflash *f, const kwb_drive *drv)
{
	struct stat st;
	ssize_t n;

	f->file = drv->file;
	f->ro = drv->readonly;
	f->fd = open(drv->file, f->ro ? O_RDONLY : O_RDWR);
	if (f->fd < 0 && errno == EACCES && !f->ro) {
		f->ro = true;	/* a file kwb may not write: the guest may not either */
		f->fd = open(drv->file, O_RDONLY);
	}
	if (f->fd < 0 || fstat(f->fd, &st))
		kwb_usage_error("-drive if=pflash,unit=%d,file=%s: %s", drv->unit, drv->file, strerror(errno));
	if ((uint64_t)st.st_size != f->size)
		kwb_usage_error("-drive if=pflash,unit=%d,file=%s: %llu bytes, but the flash bank is %llu "
				"(QEMU needs the exact size too: truncate -s %lluM, or -bios for firmware)",
				drv->unit, drv->file, (unsigned long long)st.st_size,
				(unsigned long long)f->size, (unsigned long long)(f->size >> 20));
	for (uint64_t done = 0; done < f->size; done += (uint64_t)n) {
		n = pread(f->fd, f->array + done, f->size - done, (off_t)done);
		if (n <= 0)
			kwb_fatal("-drive if=pflash,file=%s: cannot read it: %s", drv->file,
				  n ? strerror(errno) : "short file");
	}
}

/* -bios FILE into bank 0 (the aarch64 board's firmware), as QEMU's
 * load_image_mr: the file at the start, the rest as it was. */
static void load_bios(pflash *f, const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st))
		kwb_fatal("-bios %s: %s", path, strerror(errno));
	if ((uint64_t)st.st_size > f->size)
		kwb_fatal("-bios %s: %llu bytes do not fit in the %llu MiB flash bank", path,
			  (unsigned long long)st.st_size, (unsigned long long)(f->size >> 20));
	for (uint64_t done = 0; done < (uint64_t)st.st_size; done += (uint64_t)n) {
		n = pread(fd, f->array + done, (size_t)st.st_size - done, (off_t)done);
		if (n <= 0)
			kwb_fatal("-bios %s: cannot read it: %s", path, n ? strerror(errno) : "short file");
	}
	close(fd);
}

static void pflash_reset(void *state)
{
	pflash *f = state;

	f->wcycle = 0;
	f->cmd = CMD_READ_ARRAY;
	f->status = ST_READY;
	f->counter = 0;
	f->blk_offset = NO_BLOCK;
	f->romd = false;
	set_romd(f, true);
}

static void *pflash_create(machine *m, const board_device *d)
{
	pflash *f = kwb_zalloc(sizeof(*f));
	int unit = (int)(d->param & PFLASH_UNIT_MASK);
	const kwb_drive *drv = find_drive(m, unit);
	const char *bios = m->opt->bios;

	if (d->size % SECTOR)
		kwb_fatal("board %s: bad flash bank %s", m->board->name, d->name);
	f->m = m;
	snprintf(f->name, sizeof(f->name), "pflash%d", unit);
	f->base = d->base;
	f->size = d->size;
	f->fd = -1;
	f->array = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			-1, 0);
	if (f->array == MAP_FAILED)
		kwb_fatal("cannot allocate %llu MiB for flash bank %d", (unsigned long long)(f->size >> 20), unit);
	fill_cfi(f);
	if (drv)
		open_image(f, drv);
	if ((d->param & PFLASH_BIOS) && bios && strcmp(bios, "none")) {
		if (drv)
			kwb_usage_error("-bios %s and -drive if=pflash,unit=0: the first flash bank takes one "
					"or the other, not both (as QEMU)", bios);
		load_bios(f, bios);
	}
	bus_add_romd(&m->bus, f->name, f->base, f->size, f->array, &flash_ops, f);
	f->romd = true;
	pflash_reset(f);
	return f;
}

/* One node for the board's two banks, as QEMU's virt (the second bank's
 * device writes none). */
static int pflash_fdt(machine *m, const board_device *d, void *state, void *fdt, int parent)
{
	pflash *f = state;
	int node;

	(void)m; (void)parent;
	if (d->param & PFLASH_UNIT_MASK)
		return 0;
	node = fdtu_node_at(fdt, 0, "flash", f->base);	/* at the root on both boards */
	fdtu_string(fdt, node, "compatible", "cfi-flash");
	fdtu_reg(fdt, node, f->base, f->size);
	fdtu_reg_append(fdt, node, f->base + f->size, f->size);
	fdtu_u32(fdt, node, "bank-width", BANK_WIDTH);
	return node;
}

static void pflash_free(void *state)
{
	pflash *f = state;

	if (f->fd >= 0)
		close(f->fd);
	munmap(f->array, f->size);
	free(f);
}

/* After a load: the bus region follows the read mode. */
static int pflash_post_load(void *obj, char *err, size_t errlen)
{
	pflash *f = obj;
	bool romd = f->romd;

	(void)err; (void)errlen;
	f->romd = !romd;
	set_romd(f, romd);
	return 0;
}

static const state_field pflash_fields[] = {
	ST_U8(pflash, wcycle),
	ST_U8(pflash, cmd),
	ST_U8(pflash, status),
	ST_U64(pflash, counter),
	ST_BOOL(pflash, romd),
	ST_U32(pflash, blk_offset),
	ST_BYTES(pflash, blk_bytes),
	ST_END
};
static const state_desc pflash_state = { .name = "pflash", .version = 1, .fields = pflash_fields,
					 .post_load = pflash_post_load };

DEVICE_TYPE(pflash_type) {
	.name = "pflash",
	.create = pflash_create,
	.fdt = pflash_fdt,
	.reset = pflash_reset,
	.free = pflash_free,
	.state = &pflash_state,
};
