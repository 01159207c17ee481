/*
 * -device NAME,KEY=VALUE,... properties, QEMU's syntax (",," is a literal
 * comma). A model asks for the keys it knows; dev_props_done() then
 * refuses any key nobody asked for, with QEMU's wording, so a typo never
 * passes silently.
 */
#ifndef KWB_DEV_PROPS_H
#define KWB_DEV_PROPS_H

#include "../kwb.h"

#define DEV_PROPS_MAX 24

typedef struct dev_props {
	const char *opt;		/* "-device", "-netdev", "-chardev": for messages */
	const char *spec;		/* the string parsed (not copied) */
	char dev[64];			/* "virtio-net-device": for messages */
	int n;
	char *key[DEV_PROPS_MAX], *val[DEV_PROPS_MAX];
	bool used[DEV_PROPS_MAX];
} dev_props;

/* -global DRIVER.PROP=VALUE strings: each is the default of PROP on every
 * -device DRIVER parsed from then on (the machine sets them when built). */
void dev_props_set_globals(const char *const *globals, int n);
/* spec is "NAME[,KEY=VALUE...]"; exits with status 2 on a malformed one.
 * dev_props_parse_opt names another option than -device in messages. */
void dev_props_parse(dev_props *p, const char *spec);
void dev_props_parse_opt(dev_props *p, const char *opt, const char *spec);
/* The value of key (marked used; the last one when given twice), or NULL. */
const char *dev_prop(dev_props *p, const char *key);
/* Every value of a repeatable key (hostfwd=), in order; returns how many. */
int dev_prop_all(dev_props *p, const char *key, const char **vals, int max);
bool dev_prop_bool(dev_props *p, const char *key, bool dflt);
uint64_t dev_prop_uint(dev_props *p, const char *key, uint64_t dflt, uint64_t min, uint64_t max);
/* addr=SLOT[.FN] (hex, QEMU's syntax) as a devfn; -1 when absent.
 * kwb plugs function 0 of a slot only. */
int dev_prop_pci_addr(dev_props *p);
/* Accepts these keys whatever their value (QEMU knobs kwb behaves as). */
void dev_props_ignore(dev_props *p, const char *const *keys);
/* Exits on the first key nobody asked for; frees p's strings. */
void dev_props_done(dev_props *p);
void dev_props_free(dev_props *p);

#endif
