/*
 * QEMU's PCI test device (-device pci-testdev), which guest test suites
 * (kvm-unit-tests' pci test) use to check memory and I/O BAR writes:
 * 1b36:0005, class 0x00ff00 (PCI_CLASS_OTHERS as QEMU sets it), no interrupt, BAR0 4 KB of memory, BAR1 256
 * bytes of I/O. Writing n to offset 0 of either BAR selects test n of that
 * space (0 no-eventfd, 1 wildcard-eventfd, 2 datamatch-eventfd); reads
 * then return the selected test's header, byte by byte:
 *	u8 test, u8 width, u8 pad[2], u32 offset, u8 data, u8 pad[3],
 *	u32 count, char name[] ("mmio-no-eventfd", ...)
 * and writes at its offset (2048 + n in memory, 128 + n in I/O) count:
 * bytes of 0xfa (no-eventfd, datamatch), any byte (wildcard). As on QEMU
 * under TCG, the eventfd tests take one-byte writes that match (0xfa, or
 * any value) without counting them (the eventfd fires instead), aligned
 * wider accesses are split into bytes (the device's access size is 1) and
 * unaligned ones are dropped (reads give 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev_props.h"
#include "pcie_ecam.h"
#include "../machine.h"
#include "../state.h"

#define NTESTS 6			/* 3 kinds x {mmio, portio} */
#define MEM_SIZE 2048			/* IOTEST_MEMSIZE; the BAR is twice that */
#define IO_SIZE 128			/* IOTEST_IOSIZE; the BAR is twice that */
#define DATAMATCH 0xfa
#define NOMATCH 0xce

typedef struct testdev {
	pci_dev pci;
	int32_t current;		/* selected test, -1: none */
	uint32_t count[NTESTS];
} testdev;

static const char *const kind[3] = { "no-eventfd", "wildcard-eventfd", "datamatch-eventfd" };

/* Test t's header as the guest reads it; returns its length. */
static size_t header(const testdev *t, int i, uint8_t *buf)
{
	uint32_t offset = (i < 3 ? MEM_SIZE : IO_SIZE) + (uint32_t)i;
	int n;

	memset(buf, 0, 16);
	buf[0] = (uint8_t)i;
	buf[1] = 1;			/* width */
	memcpy(buf + 4, &offset, 4);
	buf[8] = i % 3 == 1 ? NOMATCH : DATAMATCH;
	memcpy(buf + 12, &t->count[i], 4);
	n = sprintf((char *)buf + 16, "%s-%s", i < 3 ? "mmio" : "portio", kind[i % 3]);
	return 16 + (size_t)n + 1;
}

static uint64_t td_read(pci_dev *d, int bar, uint64_t off, unsigned size)
{
	testdev *t = (testdev *)d;
	uint8_t hdr[48];
	uint64_t v = 0;
	size_t len;

	(void)bar;
	if (t->current < 0 || (off & (size - 1)))	/* QEMU refuses unaligned accesses */
		return 0;
	len = header(t, t->current, hdr);
	for (unsigned k = 0; k < size; k++)	/* QEMU: addr + size >= bufsize reads 0 */
		if (off + k + 1 < len)
			v |= (uint64_t)hdr[off + k] << (8 * k);
	return v;
}

static void byte_write(testdev *t, int io, uint64_t off, uint8_t val)
{
	int i;

	if (off == 0) {			/* select a test, or none */
		t->current = -1;
		if (val < 3) {
			t->current = io * 3 + val;
			t->count[t->current] = 0;
		}
		return;
	}
	i = t->current;
	if (i < 0 || io != i / 3 || off != (io ? IO_SIZE : MEM_SIZE) + (uint64_t)i)
		return;
	if (i % 3 != 1 && val != DATAMATCH)	/* all but wildcard match the data */
		return;
	t->count[i]++;
}

static void td_write(pci_dev *d, int bar, uint64_t off, uint64_t val, unsigned size)
{
	testdev *t = (testdev *)d;
	int io = bar == 1, i = t->current;

	if (off & (size - 1))
		return;			/* QEMU refuses unaligned accesses */
	/* the selected eventfd test's notifier takes a matching one-byte
	 * write at its offset before the device sees it */
	if (i >= 0 && i / 3 == io && i % 3 && size == 1 &&
	    off == (io ? IO_SIZE : MEM_SIZE) + (uint64_t)i && (i % 3 == 1 || (uint8_t)val == DATAMATCH))
		return;
	for (unsigned k = 0; k < size; k++)
		byte_write(t, io, off + k, (uint8_t)(val >> (8 * k)));
}

static void td_reset(pci_dev *d)
{
	((testdev *)d)->current = -1;
}

static const state_field td_fields[] = {
	ST_STRUCT(testdev, pci, pci_function_state),
	ST_INT(testdev, current),
	ST_UINT_ARRAY(testdev, count),
	ST_END
};
static const state_desc td_state = { .name = "pci-testdev", .version = 1, .fields = td_fields };

static const pci_dev_ops td_ops = {
	.bar_read = td_read, .bar_write = td_write, .reset = td_reset, .state = &td_state,
};

pci_dev *pci_testdev_create(machine *m, const char *spec)
{
	testdev *t;
	dev_props p;
	pci_placement place;

	(void)m;
	if (strncmp(spec, "pci-testdev", 11) || (spec[11] && spec[11] != ','))
		return NULL;
	dev_props_parse(&p, spec);
	pci_placement_read(&place, &p);
	if (dev_prop(&p, "membar"))
		kwb_usage_error("-device %s: membar= (the optional BAR 2) is not modelled by kwb", spec);
	dev_props_done(&p);
	t = kwb_zalloc(sizeof(*t));
	pci_dev_init(&t->pci, "pci-testdev", 0x1b36, 0x0005, 0, 0x00ff00, 0x1af4, 0x1100);
	t->pci.cfg[0x3d] = 0;		/* no interrupt pin */
	pci_dev_place(&t->pci, &place);
	t->pci.ops = &td_ops;
	t->pci.opaque = t;
	t->current = -1;
	pci_add_bar32(&t->pci, 0, 2 * MEM_SIZE);
	pci_add_bar_io(&t->pci, 1, 2 * IO_SIZE);
	return &t->pci;
}
