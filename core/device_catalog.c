/*
 * The -device catalogue (device_catalog.h). Names, buses, aliases,
 * categories, types and defaults are QEMU 7.2's, so a script that reads
 * `-device help` or `-device NAME,help` finds what it looks for; only the
 * properties kwb accepts are listed (those that change nothing in kwb say
 * so in their description).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "device_catalog.h"
#include "kwb.h"

#define NO_EFFECT "accepted, no effect in kwb"

static const device_prop_info pci_props[] = {
	{ "ats", "bool", "on/off, " NO_EFFECT, "false" },
	{ "disable-legacy", "OnOffAuto", "on/off/auto (auto: transitional, as on QEMU's root bus)", "\"auto\"" },
	{ "disable-modern", "bool", NO_EFFECT, "false" },
	{ "iommu_platform", "bool", "on/off, " NO_EFFECT, "false" },
	{ "rombar", "uint32", "virtio-net-pci: 0 removes the option ROM BAR", "1" },
	{ "romfile", "str", "virtio-net-pci: the option ROM (empty: none)", NULL },
	{ 0 }
};

static const device_prop_info mmio_props[] = {
	{ "any_layout", "bool", "on/off, " NO_EFFECT, "true" },
	{ "event_idx", "bool", "on/off, " NO_EFFECT " (not offered)", "true" },
	{ "indirect_desc", "bool", "on/off, " NO_EFFECT " (not offered)", "true" },
	{ "iommu_platform", "bool", "on/off, " NO_EFFECT, "false" },
	{ "notify_on_empty", "bool", "on/off, " NO_EFFECT, "true" },
	{ 0 }
};

static const device_prop_info blk_props[] = {
	{ "drive", "str", "Node name or ID of a block device to use as a backend", NULL },
	{ "logical_block_size", "size", NO_EFFECT " (512 B)", "0" },
	{ "num-queues", "uint16", "request queues (default: one per CPU on PCI, one on virtio-mmio, as QEMU)", "65535" },
	{ "physical_block_size", "size", NO_EFFECT " (512 B)", "0" },
	{ "queue-size", "uint16", NO_EFFECT, "256" },
	{ "serial", "str", NO_EFFECT, NULL },
	{ "write-cache", "OnOffAuto", "on/off/auto, " NO_EFFECT, "\"auto\"" },
	{ 0 }
};

static const device_prop_info net_props[] = {
	{ "csum", "bool", "on/off, " NO_EFFECT, "true" },
	{ "duplex", "str", NO_EFFECT, NULL },
	{ "gso", "bool", "on/off, " NO_EFFECT, "true" },
	{ "guest_csum", "bool", "on/off, " NO_EFFECT, "true" },
	{ "host_mtu", "uint16", NO_EFFECT, "0" },
	{ "mac", "str", "Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56", NULL },
	{ "mq", "bool", "on/off, " NO_EFFECT, "false" },
	{ "netdev", "str", "ID of a netdev to use as a backend", NULL },
	{ "speed", "int32", NO_EFFECT, "-1" },
	{ "tx", "str", NO_EFFECT, NULL },
	{ 0 }
};

static const device_prop_info net_pci_props[] = {	/* QEMU has them on PCI only */
	{ "vectors", "uint32", "MSI-X vectors (0: INTx only)", "4294967295" },
	{ 0 }
};

static const device_prop_info rng_props[] = {
	{ "max-bytes", "uint64", NO_EFFECT, "9223372036854775807" },
	{ "period", "uint32", NO_EFFECT, "65536" },
	{ "rng", "link<rng-backend>", NO_EFFECT " (kwb's entropy is seeded and replayable)", NULL },
	{ "seed", "uint64", "kwb: seed of the device's deterministic entropy (default: from -seed)", NULL },
	{ 0 }
};

static const device_prop_info serial_props[] = {
	{ "emergency-write", "bool", "on/off, " NO_EFFECT " (always offered)", "true" },
	{ "max_ports", "uint32", NULL, "31" },
	{ 0 }
};

static const device_prop_info serial_pci_props[] = {
	{ "vectors", "uint32", "MSI-X vectors (0: INTx only)", "2" },
	{ 0 }
};

static const device_prop_info port_props[] = {
	{ "chardev", "str", "ID of a chardev to use as a backend", NULL },
	{ "name", "str", NULL, NULL },
	{ "nr", "uint32", NULL, "4294967295" },
	{ 0 }
};

static const device_prop_info p9_props[] = {
	{ "fsdev", "str", NULL, NULL },
	{ "mount_tag", "str", NULL, NULL },
	{ 0 }
};

static const device_prop_info loader_props[] = {
	{ "addr", "uint64", NULL, "0" },
	{ "cpu-num", "uint32", NULL, "4294967295" },
	{ "data-be", "bool", NULL, "false" },
	{ "data-len", "uint8", NULL, "0" },
	{ "data", "uint64", NULL, "0" },
	{ "file", "str", NULL, NULL },
	{ "force-raw", "bool", NULL, "false" },
	{ 0 }
};

static const device_info catalog[] = {
	{ "loader", NULL, NULL, "Misc", "Generic Loader", { loader_props } },
	{ "pci-testdev", "PCI", NULL, "Misc", "PCI Test Device", { 0 } },
	{ "virtconsole", "virtio-serial-bus", NULL, "Input", NULL, { port_props } },
	{ "virtio-9p-device", "virtio-bus", NULL, "Storage", NULL, { mmio_props, p9_props } },
	{ "virtio-9p-pci", "PCI", "virtio-9p", "Storage", NULL, { pci_props, p9_props } },
	{ "virtio-blk-device", "virtio-bus", NULL, "Storage", NULL, { mmio_props, blk_props } },
	{ "virtio-blk-pci", "PCI", "virtio-blk", "Storage", NULL, { pci_props, blk_props } },
	{ "virtio-net-device", "virtio-bus", NULL, "Network", NULL, { mmio_props, net_props } },
	{ "virtio-net-pci", "PCI", "virtio-net", "Network", NULL, { pci_props, net_props, net_pci_props } },
	{ "virtio-rng-device", "virtio-bus", NULL, "Misc", NULL, { mmio_props, rng_props } },
	{ "virtio-rng-pci", "PCI", "virtio-rng", "Misc", NULL, { pci_props, rng_props } },
	{ "virtio-serial-device", "virtio-bus", NULL, "Input", NULL, { mmio_props, serial_props } },
	{ "virtio-serial-pci", "PCI", "virtio-serial", "Input", NULL, { pci_props, serial_props, serial_pci_props } },
	{ "virtserialport", "virtio-serial-bus", NULL, "Input", NULL, { port_props } },
};

/* QEMU's order of the categories in `-device help` */
static const char *const categories[] = {
	"Controller/Bridge/Hub", "USB", "Storage", "Network", "Input", "Display", "Sound", "Misc",
	"CPU", "Watchdog", "Uncategorized",
};

const device_info *device_catalog_entry(int i)
{
	return i >= 0 && (size_t)i < ARRAY_SIZE(catalog) ? &catalog[i] : NULL;
}

const device_info *device_catalog_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++)
		if (!strcmp(catalog[i].name, name) || (catalog[i].alias && !strcmp(catalog[i].alias, name)))
			return &catalog[i];
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const device_info *const *)a)->name, (*(const device_info *const *)b)->name);
}

void device_catalog_print(FILE *f)
{
	const device_info *sorted[ARRAY_SIZE(catalog)];
	bool first = true;

	for (size_t i = 0; i < ARRAY_SIZE(catalog); i++)
		sorted[i] = &catalog[i];
	qsort(sorted, ARRAY_SIZE(catalog), sizeof(sorted[0]), by_name);
	for (size_t c = 0; c < ARRAY_SIZE(categories); c++) {
		bool header = false;

		for (size_t i = 0; i < ARRAY_SIZE(catalog); i++) {
			const device_info *d = sorted[i];

			if (strcmp(d->category, categories[c]))
				continue;
			if (!header)	/* QEMU names only the categories it has */
				fprintf(f, "%s%s devices:\n", first ? "" : "\n", categories[c]);
			header = true;
			first = false;
			fprintf(f, "name \"%s\"", d->name);
			if (d->bus)
				fprintf(f, ", bus %s", d->bus);
			if (d->alias)
				fprintf(f, ", alias \"%s\"", d->alias);
			if (d->desc)
				fprintf(f, ", desc \"%s\"", d->desc);
			fputc('\n', f);
		}
	}
}

/* QEMU sorts the printed "name=<type>" heads ("data-be=" before "data=") */
typedef struct prop_line {
	char head[64];
	const device_prop_info *p;
} prop_line;

static int by_head(const void *a, const void *b)
{
	return strcmp(((const prop_line *)a)->head, ((const prop_line *)b)->head);
}

int device_catalog_print_props(FILE *f, const char *name)
{
	const device_info *d = device_catalog_find(name);
	prop_line all[64];
	size_t n = 0;

	if (!d)
		return -1;
	for (int g = 0; g < 3 && d->props[g]; g++)
		for (const device_prop_info *p = d->props[g]; p->name && n < ARRAY_SIZE(all); p++) {
			bool dup = false;

			for (size_t i = 0; i < n; i++)
				dup |= !strcmp(all[i].p->name, p->name);
			if (dup)
				continue;
			snprintf(all[n].head, sizeof(all[n].head), "%s=<%s>", p->name, p->type);
			all[n++].p = p;
		}
	qsort(all, n, sizeof(all[0]), by_head);
	fprintf(f, "%s options:\n", d->name);
	for (size_t i = 0; i < n; i++) {
		const device_prop_info *p = all[i].p;

		if (!p->desc && !p->dflt) {
			fprintf(f, "  %s\n", all[i].head);
			continue;
		}
		fprintf(f, "  %-22s - %s", all[i].head, p->desc ? p->desc : "");
		if (p->dflt)
			fprintf(f, " (default: %s)", p->dflt);
		fputc('\n', f);
	}
	return 0;
}
