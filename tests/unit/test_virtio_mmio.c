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
#include "core/input.h"
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

/* Modern set-up of queue 0 (size 8) at VQ with VERSION_1 and the low
 * feature word f; FEATURES_OK as the driver reads it back. */
static uint32_t modern_setup_f(uint32_t f)
{
	wr(TOP, 0x070, 0);
	wr(TOP, 0x070, 1 | 2);
	wr(TOP, 0x024, 1);
	wr(TOP, 0x020, 1);				/* VERSION_1 */
	wr(TOP, 0x024, 0);
	wr(TOP, 0x020, f);
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

static uint32_t modern_setup(void)
{
	return modern_setup_f(0);
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
	CHECK_EQ(rd(TOP, 0x010), 0x101);		/* VERSION_1, RING_RESET; no ACCESS_PLATFORM */
	wr(TOP, 0x014, 0);
	CHECK_EQ(rd(TOP, 0x010), 0x30000000);		/* INDIRECT, EVENT_IDX (QEMU: the legacy-only bits hidden) */
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
	wr(TOP, 0x020, 1u << 31);
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

/* Indirect tables (VIRTIO_RING_F_INDIRECT_DESC): at TABLE, n entries. */
#define TABLE (RAM + 0x306000)
static void put_idesc(int n, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint64_t d[2] = { addr, len | (uint64_t)flags << 32 | (uint64_t)next << 48 };
	bus_copy_to(bp, TABLE + 16 * (uint64_t)n, d, 16);
}

static void indirect_head(uint64_t table, uint32_t len)
{
	put_desc(0, table, len, 4, 0);
	avail(VQ + 0x1000, 0, 0, 1);
}

static void plant_indirect_empty(void)
{
	indirect_head(TABLE, 0);
}

static void plant_indirect_odd_size(void)
{
	put_idesc(0, BUF, 8, 2, 0);
	put_idesc(1, BUF + 8, 8, 2, 0);
	indirect_head(TABLE, 24);			/* one and a half descriptors */
}

static void plant_indirect_nested(void)
{
	put_idesc(0, TABLE + 0x100, 16, 4, 0);		/* an indirect inside the table */
	put_idesc(16, BUF, 8, 2, 0);
	indirect_head(TABLE, 16);
}

static void plant_indirect_next_out(void)
{
	put_idesc(0, BUF, 8, 1 | 2, 2);			/* the table has 2 entries */
	put_idesc(1, BUF + 8, 8, 2, 0);
	indirect_head(TABLE, 32);
}

static void plant_indirect_loop(void)
{
	put_idesc(0, BUF, 8, 1 | 2, 1);
	put_idesc(1, BUF + 8, 8, 1 | 2, 0);		/* 0 -> 1 -> 0 ... */
	indirect_head(TABLE, 32);
}

static void plant_indirect_outside_ram(void)
{
	indirect_head(0x100000000000ull, 64);
}

static void plant_indirect_wraps(void)
{
	indirect_head(0xfffffffffffffff0ull, 32);
}

static void plant_indirect_huge(void)
{
	/* 2^28 entries claimed: the chain may visit no more than it has,
	 * and kwb reads no more than a chain may hold */
	for (int i = 0; i < 64; i++)
		put_idesc(i, BUF, 8, 1 | 2, (uint16_t)((i + 1) % 64));
	indirect_head(TABLE, 0xfffffff0u);
}

static void plant_zero_sized_buffer(void)
{
	put_desc(0, BUF, 0, 2, 0);
	avail(VQ + 0x1000, 0, 0, 1);
}

static void plant_readable_after_writable(void)
{
	put_desc(0, BUF, 8, 1 | 2, 1);
	put_desc(1, BUF + 8, 8, 0, 0);
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
	hostile("indirect table of length 0", plant_indirect_empty);
	hostile("indirect table length not a multiple of 16", plant_indirect_odd_size);
	hostile("indirect descriptor in an indirect table", plant_indirect_nested);
	hostile("next past the indirect table", plant_indirect_next_out);
	hostile("loop in an indirect table", plant_indirect_loop);
	hostile("indirect table outside RAM", plant_indirect_outside_ram);
	hostile("indirect table wrapping the address space", plant_indirect_wraps);
	hostile("indirect table of 2^28 entries looping", plant_indirect_huge);
	hostile("zero-sized buffer", plant_zero_sized_buffer);
	hostile("device-readable buffer after a writable one", plant_readable_after_writable);
}

static uint16_t rd16(uint64_t a)
{
	uint16_t v = 0;
	bus_copy_from(bp, a, &v, 2);
	return v;
}

/* The ring features as a driver sees them: an indirect chain is served,
 * EVENT_IDX's used_event holds back interrupts and the device's
 * avail_event follows what it took, NO_INTERRUPT is then ignored; off
 * properties take the bits away. */
static void test_ring_features(void)
{
	uint32_t used[2];
	uint8_t buf[40], zero[40] = { 0 };

	boot("virtio-mmio.force-legacy=false");
	/* indirect: two writable buffers of 8 and 24 bytes through a table */
	CHECK_EQ(modern_setup_f(1u << 28), 0xf);
	bus_copy_to(bp, BUF, zero, sizeof(zero));
	put_idesc(0, BUF, 8, 1 | 2, 1);
	put_idesc(1, BUF + 16, 24, 2, 0);
	indirect_head(TABLE, 32);
	wr(TOP, 0x050, 0);
	CHECK_EQ(rd(TOP, 0x070), 0xf);
	CHECK_EQ(used_idx(VQ + 0x2000), 1);
	bus_copy_from(bp, VQ + 0x2000 + 4, used, 8);
	CHECK_EQ(used[1], 32);
	bus_copy_from(bp, BUF, buf, sizeof(buf));
	CHECK(memcmp(buf, zero, 8) != 0);
	CHECK(memcmp(buf + 8, zero, 8) == 0);		/* the gap is untouched */
	CHECK(memcmp(buf + 16, zero, 24) != 0);
	/* EVENT_IDX: the first used buffer always interrupts */
	CHECK_EQ(modern_setup_f(1u << 29), 0xf);
	bus_copy_to(bp, VQ + 0x1000, &(uint16_t){ 1 }, 2);	/* NO_INTERRUPT: ignored with EVENT_IDX */
	bus_copy_to(bp, VQ + 0x1000 + 4 + 2 * 8, &(uint16_t){ 5 }, 2);	/* used_event = 5 */
	put_desc(0, BUF, 8, 2, 0);
	avail(VQ + 0x1000, 0, 0, 1);
	wr(TOP, 0x050, 0);
	CHECK_EQ(used_idx(VQ + 0x2000), 1);
	CHECK_EQ(rd16(VQ + 0x2000 + 4 + 8 * 8), 1);	/* avail_event = what the device took */
	CHECK_EQ(rd(TOP, 0x060), 1);
	wr(TOP, 0x064, 1);
	/* used 1 -> 2, then 2 -> 5: no interrupt (used_event 5 not passed) */
	for (uint16_t i = 1; i < 5; i++) {
		avail(VQ + 0x1000, i, 0, (uint16_t)(i + 1));
		wr(TOP, 0x050, 0);
		CHECK_EQ(rd(TOP, 0x060), 0);
	}
	CHECK_EQ(used_idx(VQ + 0x2000), 5);
	avail(VQ + 0x1000, 5, 0, 6);			/* used 5 -> 6 passes used_event 5 */
	wr(TOP, 0x050, 0);
	CHECK_EQ(rd(TOP, 0x060), 1);
	CHECK_EQ(line(), 1);
	CHECK_EQ(rd16(VQ + 0x2000 + 4 + 8 * 8), 6);
	wr(TOP, 0x064, 1);
	avail(VQ + 0x1000, 6, 0, 7);			/* used_event 5 is behind: quiet */
	wr(TOP, 0x050, 0);
	CHECK_EQ(rd(TOP, 0x060), 0);
	/* the signalled index is device state: saved and restored */
	{
		state_buf a = { 0 };
		char err[256] = "";

		state_save_all(m, &a);
		wr(TOP, 0x070, 0);
		CHECK_EQ(state_load_all(m, a.data, a.len, err, sizeof(err)), 0);
		bus_copy_to(bp, VQ + 0x1000 + 4 + 2 * 8, &(uint16_t){ 7 }, 2);	/* used_event = 7 */
		avail(VQ + 0x1000, 7, 0, 8);		/* used 7 -> 8 passes it */
		wr(TOP, 0x050, 0);
		CHECK_EQ(rd(TOP, 0x060), 1);
		state_buf_free(&a);
	}
	machine_free(m);
	{
		static char *argv[] = { "kwb", "-arch", "aarch64", "-m", "64M", "-serial", "none", "-device",
					"virtio-rng-device,indirect_desc=off,event_idx=off,notify_on_empty=off,"
					"any_layout=off,queue_reset=off", "-global", "virtio-mmio.force-legacy=false", NULL };
		static kwb_options opt;

		options_parse(&opt, 11, argv);
		m = machine_create(&opt);
		bp = &m->bus;
		CHECK_EQ(rd(TOP, 0x010), 0);
		wr(TOP, 0x014, 1);
		CHECK_EQ(rd(TOP, 0x010), 1);		/* VERSION_1 only */
		machine_free(m);
	}
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
	/* config space past its end, any size: all ones (QEMU's
	 * virtio_config_readl, an 8-byte access as two 4-byte ones) */
	{
		uint64_t v = 5;
		bus_read(bp, TOP + 0x1f8, 8, &v);
		CHECK_EQ(v, ~0ull);
		bus_write(bp, TOP + 0x100, 8, ~0ull);
	}
	machine_free(m);
}

/* virtio-net-device on user networking, modern: an ARP request for the
 * gateway is answered at once (slirp replies inside the notify) and the
 * reply reaches the guest at the next round boundary (input port), a runt
 * and a giant frame are dropped with their buffers returned, and a
 * receive buffer too small for the reply gets nothing written. */
static void put_rx(uint64_t q, int n, uint64_t buf, uint32_t len)
{
	uint64_t d[2] = { buf, len | 2ull << 32 };
	bus_copy_to(bp, q + 16 * (uint64_t)n, d, 16);
}

static void test_net_arp(void)
{
	static char *argv[] = { "kwb", "-arch", "aarch64", "-m", "64M", "-serial", "none", "-netdev", "user,id=n0",
				"-device", "virtio-net-device,netdev=n0", "-global",
				"virtio-mmio.force-legacy=false", NULL };
	static kwb_options opt;
	uint64_t rxq = RAM + 0x500000, txq = RAM + 0x510000, rxbuf = RAM + 0x520000, txbuf = RAM + 0x530000;
	uint8_t frame[12 + 42] = { 0 }, reply[12 + 64];
	uint32_t used[2];
	uint8_t cfg[6];

	options_parse(&opt, 13, argv);
	m = machine_create(&opt);
	bp = &m->bus;
	CHECK_EQ(rd(TOP, 0x008), 1);			/* network device */
	for (int i = 0; i < 6; i++) {
		uint64_t v = 0;
		bus_read(bp, TOP + 0x100 + i, 1, &v);
		cfg[i] = (uint8_t)v;
	}
	CHECK(!memcmp(cfg, "\x52\x54\x00\x12\x34\x56", 6));	/* QEMU's first default MAC */
	wr(TOP, 0x070, 3);
	wr(TOP, 0x024, 1);
	wr(TOP, 0x020, 1);
	wr(TOP, 0x024, 0);
	wr(TOP, 0x020, 1u << 5);			/* MAC */
	wr(TOP, 0x070, 0xb);
	for (int q = 0; q < 2; q++) {
		uint64_t base = q ? txq : rxq;
		wr(TOP, 0x030, (uint32_t)q);
		wr(TOP, 0x038, 8);
		wr(TOP, 0x080, (uint32_t)base);
		wr(TOP, 0x090, (uint32_t)(base + 0x1000));
		wr(TOP, 0x0a0, (uint32_t)(base + 0x2000));
		wr(TOP, 0x044, 1);
	}
	wr(TOP, 0x070, 0xf);
	/* one receive buffer of 1526 bytes */
	put_rx(rxq, 0, rxbuf, 1526);
	avail(rxq + 0x1000, 0, 0, 1);
	wr(TOP, 0x050, 0);
	/* ARP who-has 10.0.2.2 tell 10.0.2.15, after the 12-byte header */
	memcpy(frame + 12, "\xff\xff\xff\xff\xff\xff\x52\x54\x00\x12\x34\x56\x08\x06"
	       "\x00\x01\x08\x00\x06\x04\x00\x01\x52\x54\x00\x12\x34\x56\x0a\x00\x02\x0f"
	       "\x00\x00\x00\x00\x00\x00\x0a\x00\x02\x02", 42);
	bus_copy_to(bp, txbuf, frame, sizeof(frame));
	{
		uint64_t d[2] = { txbuf, sizeof(frame) };
		bus_copy_to(bp, txq, d, 16);
	}
	avail(txq + 0x1000, 0, 0, 1);
	wr(TOP, 0x050, 1);
	CHECK_EQ(used_idx(txq + 0x2000), 1);
	CHECK_EQ(used_idx(rxq + 0x2000), 0);		/* not inside the CPU's slice */
	input_deliver(m);				/* the next round boundary */
	CHECK_EQ(used_idx(rxq + 0x2000), 1);
	bus_copy_from(bp, rxq + 0x2000 + 4, used, 8);
	CHECK(used[1] >= 12 + 42);
	bus_copy_from(bp, rxbuf, reply, sizeof(reply));
	CHECK_EQ(reply[10], 1);				/* num_buffers */
	CHECK(!memcmp(reply + 12, "\x52\x54\x00\x12\x34\x56", 6));	/* to us */
	CHECK(reply[12 + 12] == 0x08 && reply[12 + 13] == 0x06);	/* ARP */
	CHECK(reply[12 + 21] == 2);			/* reply */
	CHECK(!memcmp(reply + 12 + 28, "\x0a\x00\x02\x02", 4));	/* 10.0.2.2 is at ... */
	CHECK_EQ(rd(TOP, 0x060) & 1, 1);
	/* a runt and a giant (8 x 16 KB, past 64 KB) are dropped, buffers returned */
	{
		uint64_t d[2] = { txbuf, 20 };
		bus_copy_to(bp, txq + 16, d, 16);
		for (int i = 0; i < 5; i++) {
			uint64_t g[2] = { RAM, 16384 | (i < 4 ? 1ull << 32 : 0) | (uint64_t)(3 + i) << 48 };
			bus_copy_to(bp, txq + 16 * (2 + (uint64_t)i), g, 16);
		}
		avail(txq + 0x1000, 1, 1, 2);
		avail(txq + 0x1000, 2, 2, 3);
	}
	wr(TOP, 0x050, 1);
	CHECK_EQ(used_idx(txq + 0x2000), 3);
	CHECK_EQ(rd(TOP, 0x070) & 0x40, 0);
	/* a receive buffer too small for the next reply: nothing written, length 0 */
	put_rx(rxq, 1, rxbuf + 4096, 20);
	avail(rxq + 0x1000, 1, 1, 2);
	wr(TOP, 0x050, 0);
	wr(TOP, 0x050, 1);				/* nothing new to send */
	avail(txq + 0x1000, 3, 0, 4);			/* the ARP request again */
	wr(TOP, 0x050, 1);
	input_deliver(m);
	CHECK_EQ(used_idx(rxq + 0x2000), 2);
	bus_copy_from(bp, rxq + 0x2000 + 4 + 8, used, 8);
	CHECK_EQ(used[1], 0);
	machine_free(m);
}

int main(void)
{
	RUN(test_empty_and_placement);
	RUN(test_modern_request);
	RUN(test_legacy_request);
	RUN(test_hostile_rings);
	RUN(test_ring_features);
	RUN(test_hostile_registers);
	RUN(test_net_arp);
	return CHECK_DONE();
}
