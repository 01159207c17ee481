/*
 * The SMBIOS tables QEMU 7.2's virt boards give firmware through fw_cfg
 * (etc/smbios/smbios-anchor and etc/smbios/smbios-tables, the 64-bit
 * SMBIOS 3.0 entry point), with QEMU's defaults and no -smbios options:
 * system (type 1), chassis (3), one processor per socket (4), the memory
 * array (16) and its 16 GiB DIMMs (17), boot information (32) and the end
 * (127). There is no type 19 (QEMU's virt passes no memory map) and no
 * type 0 (no BIOS vendor given). The layout and values were read back from
 * qemu-system-aarch64 (tests/guest/aarch64/cmp/fwcfg.S prints both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbios.h"

#define DIMM_MAX (16ull << 30)	/* QEMU's MAX_DIMM_SZ */
#define CPU_MHZ 2000		/* QEMU's default type 4 speeds */

typedef struct blob {
	uint8_t *p;
	size_t len, cap;
} blob;

static void put(blob *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void u8(blob *b, uint8_t v) { put(b, &v, 1); }
static void u16(blob *b, uint16_t v) { u8(b, (uint8_t)v); u8(b, (uint8_t)(v >> 8)); }
static void u32(blob *b, uint32_t v) { u16(b, (uint16_t)v); u16(b, (uint16_t)(v >> 16)); }
static void u64(blob *b, uint64_t v) { u32(b, (uint32_t)v); u32(b, (uint32_t)(v >> 32)); }

/* A structure's header; its formatted length is patched by end(). */
static size_t begin(blob *b, uint8_t type, uint16_t handle)
{
	size_t at = b->len;

	u8(b, type);
	u8(b, 0);
	u16(b, handle);
	return at;
}

/* The strings after the formatted area (NULL-terminated list), then the
 * double NUL. */
static void end(blob *b, size_t at, const char *const *strings)
{
	b->p[at + 1] = (uint8_t)(b->len - at);
	if (!strings || !strings[0])
		u8(b, 0);
	for (int i = 0; strings && strings[i]; i++)
		put(b, strings[i], strlen(strings[i]) + 1);
	u8(b, 0);
}

void smbios_build(uint64_t ram_size, int cpus, const char *machine_version, const uint8_t *uuid,
		  uint8_t **anchor, uint32_t *anchor_len, uint8_t **tables, uint32_t *tables_len)
{
	blob t = { 0 }, a = { 0 };
	uint64_t dimms = (ram_size + DIMM_MAX - 1) / DIMM_MAX;
	uint64_t kib = ram_size >> 10;
	size_t at;

	/* type 1: system */
	at = begin(&t, 1, 0x100);
	u8(&t, 1); u8(&t, 2); u8(&t, 3); u8(&t, 0);	/* manufacturer, product, version, serial */
	if (uuid) {	/* SMBIOS 2.6+: the first three fields little-endian */
		static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

		for (int i = 0; i < 16; i++)
			u8(&t, uuid[order[i]]);
	} else {
		u64(&t, 0); u64(&t, 0);			/* UUID: none given */
	}
	u8(&t, 6);					/* wake-up: power switch */
	u8(&t, 0); u8(&t, 0);				/* SKU, family */
	end(&t, at, (const char *[]){ "QEMU", "QEMU Virtual Machine", machine_version, NULL });

	/* type 3: chassis */
	at = begin(&t, 3, 0x300);
	u8(&t, 1); u8(&t, 1); u8(&t, 2); u8(&t, 0); u8(&t, 0);	/* maker, type other, version, serial, tag */
	u8(&t, 3); u8(&t, 3); u8(&t, 3); u8(&t, 2);		/* states safe, security unknown */
	u32(&t, 0);						/* OEM */
	u8(&t, 0); u8(&t, 0); u8(&t, 0); u8(&t, 0); u8(&t, 0);	/* height, cords, elements, SKU */
	end(&t, at, (const char *[]){ "QEMU", machine_version, NULL });

	/* type 4: one socket (kwb's CPUs are the cores of one socket, as
	 * QEMU 7.2's -smp N) */
	at = begin(&t, 4, 0x400);
	u8(&t, 1); u8(&t, 3); u8(&t, 1); u8(&t, 2);	/* socket, central, family other, maker */
	u64(&t, 0);					/* processor ID */
	u8(&t, 3); u8(&t, 0);				/* version, voltage */
	u16(&t, 0); u16(&t, CPU_MHZ); u16(&t, CPU_MHZ);	/* external clock, max, current */
	u8(&t, 0x41); u8(&t, 1);			/* populated and enabled, upgrade other */
	u16(&t, 0xffff); u16(&t, 0xffff); u16(&t, 0xffff);	/* no cache structures */
	u8(&t, 0); u8(&t, 0); u8(&t, 0);		/* serial, tag, part */
	u8(&t, (uint8_t)cpus); u8(&t, (uint8_t)cpus); u8(&t, (uint8_t)cpus);	/* cores, enabled, threads */
	u16(&t, 2);					/* characteristics: unknown */
	u16(&t, 1);					/* family 2 */
	u16(&t, (uint16_t)cpus); u16(&t, (uint16_t)cpus); u16(&t, (uint16_t)cpus);
	end(&t, at, (const char *[]){ "CPU 0", "QEMU", machine_version, NULL });

	/* type 16: the memory array */
	at = begin(&t, 16, 0x1000);
	u8(&t, 1); u8(&t, 3); u8(&t, 6);		/* location other, system memory, multi-bit ECC */
	if (kib < 0x80000000ull) {
		u32(&t, (uint32_t)kib);
		u16(&t, 0xfffe);			/* no error information */
		u16(&t, (uint16_t)dimms);
		u64(&t, 0);
	} else {
		u32(&t, 0x80000000u);
		u16(&t, 0xfffe);
		u16(&t, (uint16_t)dimms);
		u64(&t, ram_size);
	}
	end(&t, at, NULL);

	/* type 17: the DIMMs, 16 GiB each but the last */
	for (uint64_t i = 0; i < dimms; i++) {
		uint64_t size = i + 1 < dimms ? DIMM_MAX : ram_size - i * DIMM_MAX;
		uint64_t mib = (size + (1 << 20) - 1) >> 20;
		char name[24];

		snprintf(name, sizeof(name), "DIMM %llu", (unsigned long long)i);
		at = begin(&t, 17, (uint16_t)(0x1100 + i));
		u16(&t, 0x1000); u16(&t, 0xfffe);		/* array, no error information */
		u16(&t, 0xffff); u16(&t, 0xffff);		/* widths unknown */
		u16(&t, mib < 0x7fff ? (uint16_t)mib : 0x7fff);
		u8(&t, 9); u8(&t, 0); u8(&t, 1); u8(&t, 0);	/* DIMM, no set, locator, no bank */
		u8(&t, 7); u16(&t, 2);				/* RAM, detail other */
		u16(&t, 0);					/* speed unknown */
		u8(&t, 2); u8(&t, 0); u8(&t, 0); u8(&t, 0); u8(&t, 0);	/* maker; serial, tag, part, rank */
		u32(&t, mib < 0x7fff ? 0 : (uint32_t)mib);	/* extended size */
		u16(&t, 0); u16(&t, 0); u16(&t, 0); u16(&t, 0);	/* configured speed, voltages */
		end(&t, at, (const char *[]){ name, "QEMU", NULL });
	}

	/* type 32: boot information, no errors */
	at = begin(&t, 32, 0x2000);
	put(&t, (const uint8_t[6]){ 0 }, 6);
	u8(&t, 0);
	end(&t, at, NULL);

	/* type 127: the end */
	at = begin(&t, 127, 0x7f00);
	end(&t, at, NULL);

	/* the SMBIOS 3.0 (64-bit) entry point; the firmware fills in the
	 * table address (and, as QEMU leaves it, the checksum) */
	put(&a, "_SM3_", 5);
	u8(&a, 0); u8(&a, 0x18);
	u8(&a, 3); u8(&a, 0); u8(&a, 0);		/* SMBIOS 3.0.0 */
	u8(&a, 1); u8(&a, 0);				/* entry point revision, reserved */
	u32(&a, (uint32_t)t.len);
	u64(&a, 0);
	*anchor = a.p;
	*anchor_len = (uint32_t)a.len;
	*tables = t.p;
	*tables_len = (uint32_t)t.len;
}
