/* -device property lists (see dev_props.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../device_catalog.h"
#include "dev_props.h"

static const char *const *globals;
static int nglobals;

void dev_props_set_globals(const char *const *g, int n)
{
	globals = g;
	nglobals = n;
}

/* Each -global for this device whose property the command line left out,
 * as QEMU applies them (the device's own value wins). */
static void add_globals(dev_props *p)
{
	const device_info *d = device_catalog_find(p->dev);

	for (int i = 0; d && i < nglobals; i++) {
		const char *g = globals[i], *dot = strchr(g, '.'), *eq = dot ? strchr(dot, '=') : NULL;
		char drv[64];
		bool set = false;

		if (!eq || (size_t)(dot - g) >= sizeof(drv))
			continue;
		snprintf(drv, sizeof(drv), "%.*s", (int)(dot - g), g);
		if (device_catalog_find(drv) != d || p->n == DEV_PROPS_MAX)
			continue;
		for (int k = 0; k < p->n; k++)
			set |= strlen(p->key[k]) == (size_t)(eq - dot - 1) && !strncmp(p->key[k], dot + 1, eq - dot - 1);
		if (set)
			continue;
		p->key[p->n] = kwb_zalloc((size_t)(eq - dot));
		memcpy(p->key[p->n], dot + 1, (size_t)(eq - dot - 1));
		p->val[p->n] = kwb_strdup(eq + 1);
		p->n++;
	}
}

void dev_props_parse(dev_props *p, const char *spec)
{
	dev_props_parse_opt(p, "-device", spec);
	add_globals(p);
}

void dev_props_parse_opt(dev_props *p, const char *opt, const char *spec)
{
	size_t n = strcspn(spec, ",");
	const char *s = spec + n;

	memset(p, 0, sizeof(*p));
	p->opt = opt;
	p->spec = spec;
	snprintf(p->dev, sizeof(p->dev), "%.*s", (int)n, spec);
	while (*s == ',') {
		char *item = kwb_zalloc(strlen(s) + 1), *eq;
		size_t len = 0;

		for (s++; *s; s++) {
			if (*s == ',') {
				if (s[1] != ',')
					break;
				s++;
			}
			item[len++] = *s;
		}
		if (!len) {
			free(item);
			continue;
		}
		if (p->n == DEV_PROPS_MAX)
			kwb_usage_error("%s %s: too many properties", opt, spec);
		eq = strchr(item, '=');
		if (!eq) {
			/* QEMU's boolean shorthand: "disable-legacy" = "...=on" */
			p->key[p->n] = item;
			p->val[p->n] = kwb_strdup("on");
		} else {
			*eq = 0;
			p->key[p->n] = item;
			p->val[p->n] = kwb_strdup(eq + 1);
		}
		p->n++;
	}
}

const char *dev_prop(dev_props *p, const char *key)
{
	const char *v = NULL;

	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->key[i], key)) {
			p->used[i] = true;
			v = p->val[i];
		}
	return v;
}

int dev_prop_all(dev_props *p, const char *key, const char **vals, int max)
{
	int n = 0;

	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->key[i], key)) {
			p->used[i] = true;
			if (n == max)
				kwb_usage_error("%s %s,%s=...: more than %d", p->opt, p->dev, key, max);
			vals[n++] = p->val[i];
		}
	return n;
}

bool dev_prop_bool(dev_props *p, const char *key, bool dflt)
{
	static const char *const yes[] = { "on", "yes", "true", "y" };
	static const char *const no[] = { "off", "no", "false", "n" };
	const char *v = dev_prop(p, key);

	if (!v)
		return dflt;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return true;
		if (!strcasecmp(v, no[i]))
			return false;
	}
	kwb_usage_error("%s %s,%s=%s: Parameter '%s' expects 'on' or 'off'", p->opt, p->dev, key, v, key);
}

uint64_t dev_prop_uint(dev_props *p, const char *key, uint64_t dflt, uint64_t min, uint64_t max)
{
	const char *v = dev_prop(p, key);
	unsigned long long n;
	char *end;

	if (!v)
		return dflt;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (!*v || *v == '-' || errno || *end)
		kwb_usage_error("%s %s,%s=%s: Parameter '%s' expects a number", p->opt, p->dev, key, v, key);
	if (n < min || n > max)
		kwb_usage_error("%s %s,%s=%s: %s must be between %llu and %llu", p->opt, p->dev, key, v, key,
				(unsigned long long)min, (unsigned long long)max);
	return n;
}

int dev_prop_pci_addr(dev_props *p)
{
	const char *v = dev_prop(p, "addr");
	unsigned long slot, fn = 0;
	char *end;

	if (!v)
		return -1;
	slot = strtoul(v, &end, 16);
	if (end != v && *end == '.') {
		const char *f = end + 1;

		fn = strtoul(f, &end, 16);
		if (end == f || fn > 7)
			end = (char *)v;
	}
	if (end == v || *end || *v == '-' || *v == '+' || slot > 31)
		kwb_usage_error("-device %s,addr=%s: Property '%s.addr' doesn't take value '%s'", p->dev, v,
				p->dev, v);
	if (fn)
		kwb_usage_error("-device %s,addr=%s: kwb plugs function 0 of a slot only", p->dev, v);
	return (int)(slot << 3);
}

void dev_props_ignore(dev_props *p, const char *const *keys)
{
	for (; *keys; keys++)
		dev_prop(p, *keys);
}

void dev_props_free(dev_props *p)
{
	for (int i = 0; i < p->n; i++) {
		free(p->key[i]);
		free(p->val[i]);
	}
	p->n = 0;
}

/* -device keys every model takes (QEMU's qdev: id=, bus=) and the ones
 * the catalogue lists as inert: accepted once, here, for all models. */
static void accept_common_device_keys(dev_props *p)
{
	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->key[i], "id") || !strcmp(p->key[i], "bus") || device_catalog_inert(p->dev, p->key[i]))
			p->used[i] = true;
}

void dev_props_done(dev_props *p)
{
	if (!strcmp(p->opt, "-device"))
		accept_common_device_keys(p);
	for (int i = 0; i < p->n; i++)
		if (!p->used[i] && !strcmp(p->opt, "-device"))
			kwb_usage_error("-device %s,%s=%s: Property '%s.%s' not found", p->dev, p->key[i],
					p->val[i], p->dev, p->key[i]);
		else if (!p->used[i])
			kwb_usage_error("%s %s,%s=%s: Invalid parameter '%s'", p->opt, p->dev, p->key[i],
					p->val[i], p->key[i]);
	dev_props_free(p);
}
