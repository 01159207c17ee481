/*
 * The virtio-mmio transports on a real machine: what an empty transport
 * reads, where -device puts devices, the modern (version 2) and legacy
 * (version 1) handshakes and rings, the interrupt line, and hostile rings
 * (descriptor loops, indices past the ring, addresses outside RAM or
 * wrapping, oversize chains): each one sets NEEDS_RESET or is ignored,
 * never touches host memory (run under ASan by make asan).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/machine.h"
#include "core/options.h"
#include "core/state.h"

#define RAM 0x40000000ull
#define MMIO 0x0a000000ull
#define TOP (MMIO + 31 * 0x200)		/* the first -device */
#define NEXT (MMIO + 30 * 0x200)
#define VQ (RAM + 0x300000)		/* desc, avail, used: one page each */
#define BUF (RAM + 0x304000)

static bus *bp;
static machine *m;

static uint32_t rd(uint64_t base, unsigned off)
{
	uint64_t v = 0;
	bus_read(bp, base + off, 4, &v);
	return (uint32_t)v;
}

static void wr(uint64_t base, unsigned off, uint32_t v)
{
	bus_write(bp, base + off, 4, v);
}

static machine *boot(const char *legacy)
{
	static char *argv[16];
	static kwb_options opt;
	int n = 0;

	argv[n++] = "kwb";
	argv[n++] = "-arch";
	argv[n++] = "aarch64";
	argv[n++] = "-m";
	argv[n++] = "64M";
	argv[n++] = "-serial";
	argv[n++] = "none";
	argv[n++] = "-device";
	argv[n++] = "virtio-rng-device,seed=7";
	argv[n++] = "-device";
	argv[n++] = "virtio-rng-device";
	if (legacy) {
		argv[n++] = "-global";
		argv[n++] = (char *)legacy;
	}
	argv[n] = NULL;
	options_parse(&opt, n, argv);
	m = machine_create(&opt);
	bp = &m->bus;
	return m;
}

/* The line to the GIC, SPI 16 + 31 (INTID 79) for the top transport: a
 * level interrupt reads pending in GICD_ISPENDR2 while it is high. */
static int line(void)
{
	uint64_t v = 0;
	bus_read(bp, 0x08000000 + 0x200 + 4 * (79 / 32), 4, &v);
	return (int)(v >> (79 % 32)) & 1;
}

/* Modern set-up of queue 0 (size 8) at VQ; FEATURES_OK as the driver reads it back. */
static uint32_t modern_setup(void)
{
	wr(TOP, 0x070, 0);
	wr(TOP, 0x070, 1 | 2);
	wr(TOP, 0x024, 1);
	wr(TOP, 0x020, 1);				/* VERSION_1 */
	wr(TOP, 0x024, 0);
	wr(TOP, 0x020, 0);
	wr(TOP, 0x070, 1 | 2 | 8);
	wr(TOP, 0x030, 0);
	wr(TOP, 0x038, 8);
	wr(TOP, 0x080, (uint32_t)VQ);
	wr(TOP, 0x084, 0);
	wr(TOP, 0x090, (uint32_t)(VQ + 0x1000));
	wr(TOP, 0x094, 0);
	wr(TOP, 0x0a0, (uint32_t)(VQ + 0x2000));
	wr(TOP, 0x0a4, 0);
	wr(TOP, 0x044, 1);
	wr(TOP, 0x070, 0xf);				/* DRIVER_OK */
	return rd(TOP, 0x070);
}

static void put_desc(int n, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint64_t d[2] = { addr, len | (uint64_t)flags << 32 | (uint64_t)next << 48 };
	bus_copy_to(bp, VQ + 16 * (uint64_t)n, d, 16);
}

static void avail(uint64_t avail_base, uint16_t slot, uint16_t head, uint16_t idx)
{
	bus_copy_to(bp, avail_base + 4 + 2 * (uint64_t)slot, &head, 2);
	bus_copy_to(bp, avail_base + 2, &idx, 2);
}

static uint16_t used_idx(uint64_t used_base)
{
	uint16_t v = 0;
	bus_copy_from(bp, used_base + 2, &v, 2);
	return v;
}

static void test_empty_and_placement(void)
{
	boot(NULL);
	/* an empty transport: magic, version, vendor; device ID 0 */
	CHECK_EQ(rd(MMIO, 0x000), 0x74726976);
	CHECK_EQ(rd(MMIO, 0x004), 1);			/* legacy by default, as QEMU 7.2 */
	CHECK_EQ(rd(MMIO, 0x008), 0);
	CHECK_EQ(rd(MMIO, 0x00c), 0x554d4551);
	CHECK_EQ(rd(MMIO, 0x034), 0);
	wr(MMIO, 0x070, 0xf);				/* ignored */
	CHECK_EQ(rd(MMIO, 0x070), 0);
	/* the first -device takes the highest transport, the next below it */
	CHECK_EQ(rd(TOP, 0x008), 4);
	CHECK_EQ(rd(NEXT, 0x008), 4);
	CHECK_EQ(rd(NEXT - 0x200, 0x008), 0);
	CHECK(state_find(m, "virtio_mmio@a000000") != NULL);
	CHECK(state_find(m, "virtio-rng@a003e00") != NULL);
	CHECK(state_find(m, "virtio-rng@a003c00") != NULL);
	/* registers are 32-bit: other sizes read 0 */
	{
		uint64_t v = 1;
		bus_read(bp, TOP, 2, &v);
		CHECK_EQ(v, 0);
	}
	machine_free(m);
}

static void test_modern_request(void)
{
	uint32_t used[2];
	uint8_t buf[32], zero[32] = { 0 };

	boot("virtio-mmio.force-legacy=false");
	CHECK_EQ(rd(TOP, 0x004), 2);
	wr(TOP, 0x014, 1);
	CHECK_EQ(rd(TOP, 0x010), 1);			/* VERSION_1, no ACCESS_PLATFORM */
	CHECK_EQ(modern_setup(), 0xf);
	CHECK_EQ(rd(TOP, 0x034), 1024);			/* QueueNumMax as QEMU's */
	wr(TOP, 0x030, 1);
	CHECK_EQ(rd(TOP, 0x034), 0);			/* rng has one queue */
	wr(TOP, 0x030, 0);
	CHECK_EQ(rd(TOP, 0x044), 1);
	put_desc(0, BUF, 32, 2, 0);
	avail(VQ + 0x1000, 0, 0, 1);
	CHECK_EQ(line(), 0);
	wr(TOP, 0x050, 0);
	CHECK_EQ(used_idx(VQ + 0x2000), 1);
	bus_copy_from(bp, VQ + 0x2000 + 4, used, 8);
	CHECK_EQ(used[0], 0);
	CHECK_EQ(used[1], 32);
	bus_copy_from(bp, BUF, buf, 32);
	CHECK(memcmp(buf, zero, 32) != 0);
	CHECK_EQ(rd(TOP, 0x060), 1);
	CHECK_EQ(line(), 1);
	wr(TOP, 0x064, 1);				/* InterruptACK */
	CHECK_EQ(rd(TOP, 0x060), 0);
	CHECK_EQ(line(), 0);
	/* VRING_AVAIL_F_NO_INTERRUPT: used, but no interrupt */
	{
		uint16_t flags = 1;
		bus_copy_to(bp, VQ + 0x1000, &flags, 2);
	}
	avail(VQ + 0x1000, 1, 0, 2);
	wr(TOP, 0x050, 0);
	CHECK_EQ(used_idx(VQ + 0x2000), 2);
	CHECK_EQ(line(), 0);
	/* a driver accepting a feature not offered does not get FEATURES_OK */
	wr(TOP, 0x070, 0);
	wr(TOP, 0x070, 3);
	wr(TOP, 0x024, 0);
	wr(TOP, 0x020, 1u << 28);
	wr(TOP, 0x024, 1);
	wr(TOP, 0x020, 1);
	wr(TOP, 0x070, 0xb);
	CHECK_EQ(rd(TOP, 0x070), 3);
	/* the transports' state: saved, changed, restored (queues, status, the line) */
	{
		state_buf a = { 0 };
		char err[256] = "";

		CHECK_EQ(modern_setup(), 0xf);
		put_desc(0, BUF, 32, 2, 0);
		avail(VQ + 0x1000, 0, 0, 3);		/* the ring's flags still say no interrupt */
		bus_copy_to(bp, VQ + 0x1000, &(uint16_t){ 0 }, 2);
		wr(TOP, 0x050, 0);
		CHECK_EQ(line(), 1);
		state_save_all(m, &a);
		wr(TOP, 0x070, 0);			/* reset: status 0, line low */
		CHECK_EQ(line(), 0);
		CHECK_EQ(state_load_all(m, a.data, a.len, err, sizeof(err)), 0);
		CHECK_EQ(rd(TOP, 0x070), 0xf);
		CHECK_EQ(rd(TOP, 0x044), 1);
		CHECK_EQ(rd(TOP, 0x060), 1);
		CHECK_EQ(line(), 1);			/* post_load drives it again */
		state_buf_free(&a);
	}
	machine_free(m);
}

static void test_legacy_request(void)
{
	uint64_t desc = RAM + 0x400000, avail_base = desc + 16 * 16, used_base;
	uint32_t used[2];

	boot(NULL);
	wr(TOP, 0x070, 1 | 2);
	wr(TOP, 0x014, 1);
	CHECK_EQ(rd(TOP, 0x010), 0);			/* legacy: high features read 0 */
	wr(TOP, 0x028, 4096);				/* GuestPageSize */
	wr(TOP, 0x030, 0);
	wr(TOP, 0x038, 16);
	wr(TOP, 0x03c, 4096);				/* QueueAlign */
	wr(TOP, 0x040, (uint32_t)(desc >> 12));		/* QueuePFN */
	CHECK_EQ(rd(TOP, 0x040), desc >> 12);
	wr(TOP, 0x070, 1 | 2 | 4);			/* DRIVER_OK, no FEATURES_OK */
	used_base = (avail_base + 2 * (3 + 16) + 4095) & ~4095ull;
	{
		uint64_t d[2] = { BUF, 16 | 2ull << 32 };
		uint16_t head = 0, idx = 1;
		bus_copy_to(bp, desc, d, 16);
		bus_copy_to(bp, avail_base + 4, &head, 2);
		bus_copy_to(bp, avail_base + 2, &idx, 2);
	}
	wr(TOP, 0x050, 0);
	CHECK_EQ(used_idx(used_base), 1);
	bus_copy_from(bp, used_base + 4, used, 8);
	CHECK_EQ(used[1], 16);
	/* a zero PFN resets the device (QEMU) */
	wr(TOP, 0x040, 0);
	CHECK_EQ(rd(TOP, 0x070), 0);
	machine_free(m);
}

/* One hostile ring per case: the device must need a reset and write nothing. */
static void hostile(const char *what, void (*plant)(void))
{
	boot("virtio-mmio.force-legacy=false");
	modern_setup();
	plant();
	wr(TOP, 0x050, 0);
	if ((rd(TOP, 0x070) & 0x40) != 0x40 || used_idx(VQ + 0x2000) != 0) {
		printf("FAIL: %s: %s: status 0x%x used idx %u\n", check_case, what, rd(TOP, 0x070),
		       used_idx(VQ + 0x2000));
		check_case_failed = 1;
	}
	/* once broken, further kicks do nothing */
	wr(TOP, 0x050, 0);
	CHECK_EQ(used_idx(VQ + 0x2000), 0);
	CHECK_EQ(rd(TOP, 0x060) & 2, 2);		/* the driver was told (config change) */
	machine_free(m);
}

static void plant_loop(void)
{
	put_desc(0, BUF, 8, 1 | 2, 1);
	put_desc(1, BUF, 8, 1 | 2, 0);			/* 0 -> 1 -> 0 ... */
	avail(VQ + 0x1000, 0, 0, 1);
}

static void plant_head_out_of_ring(void)
{
	avail(VQ + 0x1000, 0, 8, 1);			/* size is 8: head 8 is past it */
}

static void plant_next_out_of_ring(void)
{
	put_desc(0, BUF, 8, 1 | 2, 0xffff);
	avail(VQ + 0x1000, 0, 0, 1);
}

static void plant_idx_jump(void)
{
	avail(VQ + 0x1000, 0, 0, 9);			/* 9 new entries in a ring of 8 */
}

static void plant_buffer_outside_ram(void)
{
	put_desc(0, 0x100000000000ull, 32, 2, 0);
	avail(VQ + 0x1000, 0, 0, 1);
}

static void plant_buffer_wraps(void)
{
	put_desc(0, 0xfffffffffffff000ull, 0x2000, 2, 0);
	avail(VQ + 0x1000, 0, 0, 1);
}

static void plant_buffer_into_mmio(void)
{
	put_desc(0, MMIO, 32, 2, 0);			/* DMA reaches RAM only */
	avail(VQ + 0x1000, 0, 0, 1);
}

static void plant_ring_outside_ram(void)
{
	wr(TOP, 0x044, 0);
	wr(TOP, 0x090, 0xfffff000);
	wr(TOP, 0x094, 0xffffffff);
	wr(TOP, 0x044, 1);
}

static void plant_indirect(void)
{
	put_desc(0, BUF, 32, 4, 0);			/* INDIRECT was not offered */
	avail(VQ + 0x1000, 0, 0, 1);
}

static void test_hostile_rings(void)
{
	hostile("descriptor loop", plant_loop);
	hostile("head past the ring", plant_head_out_of_ring);
	hostile("next past the ring", plant_next_out_of_ring);
	hostile("avail idx jump", plant_idx_jump);
	hostile("buffer outside RAM", plant_buffer_outside_ram);
	hostile("buffer wrapping the address space", plant_buffer_wraps);
	hostile("buffer in MMIO", plant_buffer_into_mmio);
	hostile("avail ring outside RAM", plant_ring_outside_ram);
	hostile("indirect descriptor", plant_indirect);
}

static void test_hostile_registers(void)
{
	boot("virtio-mmio.force-legacy=false");
	modern_setup();
	wr(TOP, 0x030, 5000);				/* QueueSel past VIRTQUEUE_MAX: ignored */
	CHECK_EQ(rd(TOP, 0x034), 1024);
	wr(TOP, 0x030, 63);				/* a queue the device does not have */
	CHECK_EQ(rd(TOP, 0x034), 0);
	wr(TOP, 0x038, 64);
	wr(TOP, 0x044, 1);
	CHECK_EQ(rd(TOP, 0x044), 0);
	wr(TOP, 0x050, 63);				/* notify of a missing queue */
	wr(TOP, 0x050, 0xffffffff);
	wr(TOP, 0x030, 0);
	wr(TOP, 0x044, 0);
	wr(TOP, 0x038, 4096);				/* larger than VIRTQUEUE_MAX: ignored */
	wr(TOP, 0x038, 0);				/* zero: ignored */
	CHECK_EQ(rd(TOP, 0x070) & 0x40, 0);
	/* config space past its end, any size */
	{
		uint64_t v = 5;
		bus_read(bp, TOP + 0x1f8, 8, &v);
		CHECK_EQ(v, 0);
		bus_write(bp, TOP + 0x100, 8, ~0ull);
	}
	machine_free(m);
}

int main(void)
{
	RUN(test_empty_and_placement);
	RUN(test_modern_request);
	RUN(test_legacy_request);
	RUN(test_hostile_rings);
	RUN(test_hostile_registers);
	return CHECK_DONE();
}
