/*
 * The -device models kwb builds, described once: `-device help` and
 * `-device NAME,help` print them in QEMU's format (scripts parse it), and
 * the "not a valid device model name" message points at them.
 * tests/cli/device-help.test checks every model and property listed here
 * against what kwb accepts, and tests/unit/test_device_catalog.c that
 * every virtio model is listed: a model added without an entry fails.
 */
#ifndef KWB_DEVICE_CATALOG_H
#define KWB_DEVICE_CATALOG_H

#include <stdbool.h>
#include <stdio.h>

typedef struct device_prop_info {
	const char *name;
	const char *type;	/* QEMU's: "str", "bool", "uint32", "size", ... */
	const char *desc;	/* NULL: none */
	const char *dflt;	/* printed as QEMU does: 0, true, "auto"; NULL: none */
	bool inert;		/* accepted, changes nothing in kwb (dev_props_done) */
} device_prop_info;

#define DEVICE_PROP_GROUPS 4

typedef struct device_info {
	const char *name;
	const char *bus;	/* "PCI", "virtio-bus", ...; NULL: none (sysbus) */
	const char *alias;
	const char *category;	/* QEMU's: "Storage", "Network", "Input", "Misc" */
	const char *desc;
	/* property groups (slot, transport, model, ...), each ending in {0} */
	const device_prop_info *props[DEVICE_PROP_GROUPS];
} device_info;

const device_info *device_catalog_find(const char *name);
/* The whole catalogue in QEMU's `-device help` layout. */
void device_catalog_print(FILE *f);
/* "NAME options:" then each property; -1 when NAME is not catalogued. */
int device_catalog_print_props(FILE *f, const char *name);
/* NAME's (or its alias's) property key; NULL when not listed. */
const device_prop_info *device_catalog_prop(const char *name, const char *key);
/* Whether NAME (or its alias) lists key as an inert property. */
bool device_catalog_inert(const char *name, const char *key);
/* The i-th entry, NULL past the end (tests). */
const device_info *device_catalog_entry(int i);

#endif
