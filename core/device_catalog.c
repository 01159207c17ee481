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
/* A property kwb accepts and behaves as QEMU's default for: listed here
 * only, dev_props_done() accepts it (no model repeats the list). */
#define INERT(name, type, desc, dflt) { name, type, desc, dflt, true }
#define PROP(name, type, desc, dflt) { name, type, desc, dflt, false }

static const device_prop_info pci_slot_props[] = {	/* every PCI function */
	PROP("addr", "int32", "Slot and optional function number, example: 06.0 or 06 (kwb: function 0)", "-1"),
	INERT("multifunction", "bool", "on/off, " NO_EFFECT, "false"),
	{ 0 }
};

/* The ring features every virtio device offers (QEMU's common virtio
 * properties, on both transports): off takes the feature bit away. */
#define RING_PROPS \
	PROP("any_layout", "bool", "on/off", "true"), \
	PROP("event_idx", "bool", "on/off", "true"), \
	PROP("indirect_desc", "bool", "on/off", "true"), \
	PROP("notify_on_empty", "bool", "on/off", "true"), \
	PROP("queue_reset", "bool", "on/off", "true")

static const device_prop_info pci_props[] = {
	RING_PROPS,
	INERT("ats", "bool", "on/off, " NO_EFFECT, "false"),
	PROP("disable-legacy", "OnOffAuto", "on/off/auto (auto: transitional, as on QEMU's root bus)", "\"auto\""),
	INERT("disable-modern", "bool", NO_EFFECT, "false"),
	PROP("iommu_platform", "bool", "on/off (kwb: on behind an SMMU, whose translation the DMA then takes)", "false"),
	INERT("ioeventfd", "bool", "on/off, " NO_EFFECT, "true"),
	PROP("rombar", "uint32", "virtio-net-pci: 0 removes the option ROM BAR", "1"),
	PROP("romfile", "str", "virtio-net-pci: the option ROM (empty: none)", NULL),
	{ 0 }
};

static const device_prop_info mmio_props[] = {
	RING_PROPS,
	INERT("iommu_platform", "bool", "on/off, " NO_EFFECT, "false"),
	{ 0 }
};

static const device_prop_info blk_props[] = {
	PROP("drive", "str", "Node name or ID of a block device to use as a backend", NULL),
	INERT("logical_block_size", "size", NO_EFFECT " (512 B)", "0"),
	PROP("num-queues", "uint16", "request queues (default: one per CPU on PCI, one on virtio-mmio, as QEMU)", "65535"),
	INERT("physical_block_size", "size", NO_EFFECT " (512 B)", "0"),
	INERT("queue-size", "uint16", NO_EFFECT, "256"),
	INERT("serial", "str", NO_EFFECT, NULL),
	INERT("write-cache", "OnOffAuto", "on/off/auto, " NO_EFFECT, "\"auto\""),
	{ 0 }
};

static const device_prop_info net_props[] = {
	INERT("csum", "bool", "on/off, " NO_EFFECT, "true"),
	INERT("duplex", "str", NO_EFFECT, NULL),
	INERT("gso", "bool", "on/off, " NO_EFFECT, "true"),
	INERT("guest_csum", "bool", "on/off, " NO_EFFECT, "true"),
	INERT("host_mtu", "uint16", NO_EFFECT, "0"),
	PROP("mac", "str", "Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56", NULL),
	INERT("mq", "bool", "on/off, " NO_EFFECT, "false"),
	PROP("netdev", "str", "ID of a netdev to use as a backend", NULL),
	INERT("speed", "int32", NO_EFFECT, "-1"),
	INERT("tx", "str", NO_EFFECT, NULL),
	{ 0 }
};

static const device_prop_info net_pci_props[] = {	/* QEMU has them on PCI only */
	PROP("vectors", "uint32", "MSI-X vectors (0: INTx only)", "4294967295"),
	{ 0 }
};

static const device_prop_info rng_props[] = {
	INERT("max-bytes", "uint64", NO_EFFECT, "9223372036854775807"),
	INERT("period", "uint32", NO_EFFECT, "65536"),
	PROP("rng", "link<rng-backend>", "ID of an -object rng-random,filename=FILE: FILE's bytes, read as QEMU does (else kwb's replayable entropy)", NULL),
	PROP("seed", "uint64", "kwb: seed of the device's deterministic entropy (default: from -seed)", NULL),
	{ 0 }
};

static const device_prop_info serial_props[] = {
	INERT("emergency-write", "bool", "on/off, " NO_EFFECT " (always offered)", "true"),
	PROP("max_ports", "uint32", NULL, "31"),
	{ 0 }
};

static const device_prop_info serial_pci_props[] = {
	PROP("vectors", "uint32", "MSI-X vectors (0: INTx only)", "2"),
	{ 0 }
};

static const device_prop_info port_props[] = {
	PROP("chardev", "str", "ID of a chardev to use as a backend", NULL),
	PROP("name", "str", NULL, NULL),
	PROP("nr", "uint32", NULL, "4294967295"),
	{ 0 }
};

static const device_prop_info p9_props[] = {
	PROP("fsdev", "str", NULL, NULL),
	PROP("mount_tag", "str", NULL, NULL),
	{ 0 }
};

static const device_prop_info loader_props[] = {
	PROP("addr", "uint64", NULL, "0"),
	PROP("cpu-num", "uint32", NULL, "4294967295"),
	PROP("data-be", "bool", NULL, "false"),
	PROP("data-len", "uint8", NULL, "0"),
	PROP("data", "uint64", NULL, "0"),
	PROP("file", "str", NULL, NULL),
	PROP("force-raw", "bool", NULL, "false"),
	{ 0 }
};

static const device_info catalog[] = {
	{ "loader", NULL, NULL, "Misc", "Generic Loader", { loader_props } },
	{ "pci-testdev", "PCI", NULL, "Misc", "PCI Test Device", { pci_slot_props } },
	{ "virtconsole", "virtio-serial-bus", NULL, "Input", NULL, { port_props } },
	{ "virtio-9p-device", "virtio-bus", NULL, "Storage", NULL, { mmio_props, p9_props } },
	{ "virtio-9p-pci", "PCI", "virtio-9p", "Storage", NULL, { pci_slot_props, pci_props, p9_props } },
	{ "virtio-blk-device", "virtio-bus", NULL, "Storage", NULL, { mmio_props, blk_props } },
	{ "virtio-blk-pci", "PCI", "virtio-blk", "Storage", NULL, { pci_slot_props, pci_props, blk_props } },
	{ "virtio-net-device", "virtio-bus", NULL, "Network", NULL, { mmio_props, net_props } },
	{ "virtio-net-pci", "PCI", "virtio-net", "Network", NULL, { pci_slot_props, pci_props, net_props,
									   net_pci_props } },
	{ "virtio-rng-device", "virtio-bus", NULL, "Misc", NULL, { mmio_props, rng_props } },
	{ "virtio-rng-pci", "PCI", "virtio-rng", "Misc", NULL, { pci_slot_props, pci_props, rng_props } },
	{ "virtio-serial-device", "virtio-bus", NULL, "Input", NULL, { mmio_props, serial_props } },
	{ "virtio-serial-pci", "PCI", "virtio-serial", "Input", NULL, { pci_slot_props, pci_props,
										   serial_props, serial_pci_props } },
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
	for (int g = 0; g < DEVICE_PROP_GROUPS && d->props[g]; g++)
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

const device_prop_info *device_catalog_prop(const char *name, const char *key)
{
	const device_info *d = device_catalog_find(name);

	for (int g = 0; d && g < DEVICE_PROP_GROUPS && d->props[g]; g++)
		for (const device_prop_info *p = d->props[g]; p->name; p++)
			if (!strcmp(p->name, key))
				return p;
	return NULL;
}

bool device_catalog_inert(const char *name, const char *key)
{
	const device_prop_info *p = device_catalog_prop(name, key);

	return p && p->inert;
}
