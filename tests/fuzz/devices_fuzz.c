/*
 * Every device register window of both boards, in-process (the guided
 * counterpart of tests/fuzz/mmio.test): GICv2 + v2m, GICv3 + ITS (command
 * queue, device/collection tables, ITTs, LPI tables in guest memory), the
 * SMMUv3, PCIe ECAM and BARs, virtio-mmio and virtio-pci (rings and
 * descriptors in guest memory: virtio-blk, virtio-rng), UARTs, RTC, PLIC,
 * CLINT, the test device, with MSI writes and the events they schedule.
 * Input: byte 0 picks the board (0: arm64 GICv3+ITS+SMMUv3, 1: arm64
 * GICv2, 2: riscv64); then records of 14 bytes: window (1: the board's
 * device windows first, then every bus region as it is now, BARs
 * included), offset (u32, within the window), flags (1: size 1/2/4/8 in
 * bits 0-1, bit 2 read instead of write), value (u64); window 0xfe is an
 * MSI write, window 0xff copies the rest of the input into RAM at offset
 * value and ends the list. Guest RAM starts out as the seeds left it.
 * fuzz-options: -max_len=16384
 */
#include "core/machine.h"
#include "core/msi.h"
#include "core/options.h"
#include "tests/fuzz/fuzz.h"

#define REC 14
#define MAX_WIN 64

typedef struct board {
	machine *m;
	struct { paddr_t base; uint64_t size; } win[MAX_WIN];
	int nwin;
	paddr_t ram;
	uint64_t ram_size;
} board;

static board boards[3];
static char disk_arg[2][128];

static void find_windows(board *b)
{
	machine *m = b->m;

	for (int i = 0; i < m->bus.count && b->nwin < MAX_WIN; i++) {
		bus_region *r = &m->bus.regions[i];
		if (r->host)
			continue;	/* RAM, ROM: not a device */
		b->win[b->nwin].base = r->base;
		b->win[b->nwin].size = r->size;
		b->nwin++;
	}
	b->ram = m->bus.ram->base;
	b->ram_size = m->bus.ram->size;
}

static board *get_board(int which)
{
	board *b = &boards[which];

	if (!b->m) {
		static kwb_options opt[3];
		static const char *mopt[3] = { "virt,gic-version=3,iommu=smmuv3", "virt", "virt" };
		const char *disk = fuzz_file_n(2 + (which == 2), (const uint8_t *)"", 0);
		char *argv[32];
		int n = 0;

		snprintf(disk_arg[which == 2], sizeof(disk_arg[0]), "if=none,id=d0,format=raw,file=%s", disk);
		argv[n++] = "kwb";
		argv[n++] = "-arch";
		argv[n++] = which == 2 ? "riscv64" : "aarch64";
		argv[n++] = "-M";
		argv[n++] = (char *)mopt[which];
		argv[n++] = "-m";
		argv[n++] = "64M";
		argv[n++] = "-serial";
		argv[n++] = "none";
		argv[n++] = "-nic";
		argv[n++] = "none";
		argv[n++] = "-drive";
		argv[n++] = disk_arg[which == 2];
		argv[n++] = "-device";
		argv[n++] = which == 2 ? "virtio-blk-device,drive=d0" : "virtio-blk-pci,drive=d0";
		argv[n++] = "-device";
		argv[n++] = "virtio-rng-device";
		if (which != 2) {
			argv[n++] = "-device";
			argv[n++] = "virtio-rng-pci";
		} else {
			argv[n++] = "-bios";
			argv[n++] = "none";
		}
		argv[n] = NULL;
		options_parse(&opt[which], n, argv);
		b->m = machine_create(&opt[which]);
		find_windows(b);
	}
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	board *b;
	machine *m;
	size_t at;

	if (size < 1)
		return 0;
	b = get_board(data[0] % 3);
	m = b->m;
	machine_reset(m);
	fuzz_accepted++;
	for (at = 1; at + REC <= size; at += REC) {
		const uint8_t *r = data + at;
		uint64_t v = fuzz_get64(r + 6), got = 0;
		uint32_t off = r[1] | r[2] << 8 | r[3] << 16 | (uint32_t)r[4] << 24;
		unsigned sz = 1u << (r[5] & 3);

		if (r[0] == 0xff) {	/* the rest is RAM at offset v */
			uint64_t o = v % b->ram_size, n = size - at - REC;
			if (n > b->ram_size - o)
				n = b->ram_size - o;
			bus_copy_to(&m->bus, b->ram + o, r + REC, n);
			break;
		}
		if (r[0] == 0xfe) {	/* an MSI from a PCI function */
			msi_write(m, b->win[off % b->nwin].base + (v >> 32 & 0xffff), (uint32_t)v, off >> 16);
			continue;
		}
		{
			/* the windows the board made, then whatever the bus holds
			 * now (BARs the guest placed) */
			const bus_region *w = r[0] < b->nwin ? NULL : &m->bus.regions[(r[0] - b->nwin) % m->bus.count];
			paddr_t base = w ? w->base : b->win[r[0]].base;
			uint64_t wsize = w ? w->size : b->win[r[0]].size;
			paddr_t pa = base + off % wsize;
			pa &= ~(paddr_t)(sz - 1);
			if (r[5] & 4)
				bus_read(&m->bus, pa, sz, &got);
			else
				bus_write(&m->bus, pa, sz, v);
		}
		/* time passes: events the writes scheduled (completions, timers) fire */
		m->round_start += 100000;
		clock_fire_due(m);
	}
	return 0;
}

/* For each board: virtio-mmio and virtio-pci set up over rings in RAM with
 * one descriptor chain, in the ring or in an indirect table, then
 * notified; an ITS set up with MAPD/MAPC/MAPTI. */
void fuzz_seeds(void (*add)(const void *data, size_t len))
{
	static uint8_t in[16384];

	for (int which = 0; which < 3; which++) {
		board *b = get_board(which);
		size_t n = 1;
		uint8_t *ram;

		in[0] = (uint8_t)which;
#define OP(w, o, s, val) do { in[n] = (uint8_t)(w); fuzz_put32(in + n + 1, (uint32_t)(o)); \
		in[n + 5] = (uint8_t)(s); fuzz_put64(in + n + 6, (val)); n += REC; } while (0)
		for (int w = 0; w < b->nwin; w++) {
			/* virtio-mmio (legacy and modern registers), a queue at RAM + 0x10000 */
			uint64_t q = b->ram + 0x10000;
			OP(w, 0x70, 2, 0); OP(w, 0x70, 2, 3); OP(w, 0x28, 2, 4096); OP(w, 0x30, 2, 0);
			OP(w, 0x38, 2, 8); OP(w, 0x3c, 2, 4096); OP(w, 0x40, 2, q >> 12);
			OP(w, 0x80, 2, q); OP(w, 0x90, 2, q + 0x80); OP(w, 0xa0, 2, q + 0x1000);
			OP(w, 0x44, 2, 1); OP(w, 0x70, 2, 0xf); OP(w, 0x50, 2, 0);
			OP(w, 0x0, 6, 0);
		}
		/* PCI functions 1-3: BARs, bus mastering */
		for (int w = 0; w < b->nwin; w++) {
			if (b->win[w].size < (16u << 20))
				continue;
			for (int dev = 1; dev < 4; dev++) {
				uint32_t cfg = (uint32_t)dev << 15;
				OP(w, cfg + 0x10, 2, 0x10000000 + dev * 0x100000);
				OP(w, cfg + 0x20, 2, 0x10080000 + dev * 0x100000);
				OP(w, cfg + 0x04, 1, 7);
			}
		}
		/* RAM: a descriptor chain (out header, data, status) and avail ring */
		in[n] = 0xff;
		fuzz_put64(in + n + 6, 0x10000);
		n += REC;
		ram = in + n;
		memset(ram, 0, 0x1100);
		fuzz_put64(ram, b->ram + 0x20000);
		fuzz_put32(ram + 8, 16);
		ram[12] = 1;		/* NEXT */
		ram[14] = 1;
		fuzz_put64(ram + 16, b->ram + 0x21000);
		fuzz_put32(ram + 24, 512);
		ram[28] = 3;		/* NEXT | WRITE */
		ram[30] = 2;
		fuzz_put64(ram + 32, b->ram + 0x22000);
		fuzz_put32(ram + 40, 1);
		ram[44] = 2;		/* WRITE */
		ram[0x80 + 2] = 1;	/* avail idx 1, ring[0] = 0 */
		n += 0x1100;
		add(in, n);
		/* the same chain through an indirect table at RAM + 0x10400
		 * (VIRTIO_RING_F_INDIRECT_DESC, offered by every device) */
		memcpy(ram + 0x400, ram, 48);
		memset(ram, 0, 48);
		fuzz_put64(ram, b->ram + 0x10400);
		fuzz_put32(ram + 8, 48);
		ram[12] = 4;		/* INDIRECT */
		add(in, n);
	}
}
