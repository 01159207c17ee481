/*
 * -cpu rv64[,PROP=VALUE...]: the parts of QEMU 7.2's rv64 hart that are
 * optional there and here (pmu-num, sstc, debug), and what the hart
 * therefore advertises (riscv,isa) and QEMU must be told in the difftest.
 * Defaults are QEMU 7.2's: 16 HPM counters, Sstc, triggers. kwb has no H
 * extension, so h= takes only false.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rv.h"

static bool cfg_bool(const char *model, const char *key, const char *v)
{
	static const char *const yes[] = { "on", "yes", "true", "y" };
	static const char *const no[] = { "off", "no", "false", "n" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return true;
		if (!strcasecmp(v, no[i]))
			return false;
	}
	kwb_usage_error("-cpu %s: %s=%s: expected on or off", model, key, v);
}

/* QEMU 7.2's rv64 extension switches and what kwb's hart has, fixed:
 * a command line asking for what kwb has runs unchanged, one asking for
 * anything else is refused (QEMU's names and spelling). The ones marked
 * isa make the riscv,isa string, in this order (riscv_isa_string). */
static const struct {
	const char *name;
	bool has, isa;
} fixed_exts[] = {
	{ "i", true, true }, { "m", true, true }, { "a", true, true }, { "f", true, true },
	{ "d", true, true }, { "c", true, true }, { "Zicsr", true, true },
	{ "Zifencei", true, true }, { "Zihintpause", true, true }, { "zba", true, true },
	{ "zbb", true, true }, { "zbc", true, true }, { "zbs", true, true },
	{ "s", true, false }, { "u", true, false }, { "mmu", true, false },
	{ "pmp", true, false }, { "e", false, false }, { "v", false, false },
	{ "Zfh", false, false }, { "Zfhmin", false, false }, { "Zve32f", false, false },
	{ "Zve64f", false, false }, { "svinval", false, false }, { "svnapot", false, false },
	{ "svpbmt", false, false }, { "sscofpmf", false, false }, { "zbkb", false, false },
	{ "zbkc", false, false }, { "zbkx", false, false }, { "zdinx", false, false },
	{ "zfinx", false, false }, { "zhinx", false, false }, { "zhinxmin", false, false },
	{ "zk", false, false }, { "zkn", false, false }, { "zknd", false, false },
	{ "zkne", false, false }, { "zknh", false, false }, { "zkr", false, false },
	{ "zks", false, false }, { "zksed", false, false }, { "zksh", false, false },
	{ "zkt", false, false }, { "zmmul", false, false }, { "x-epmp", false, false },
	{ "x-j", false, false }, { "x-smaia", false, false }, { "x-ssaia", false, false },
	{ "xventanacondops", false, false },
};

/* true: key is one of them (and v is what kwb has); exits otherwise */
static bool fixed_ext(const char *model, const char *key, const char *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixed_exts); i++) {
		if (strcmp(fixed_exts[i].name, key))
			continue;
		if (cfg_bool(model, key, v) != fixed_exts[i].has)
			kwb_usage_error("-cpu %s: %s=%s: kwb's rv64 hart %s %s", model, key, v,
					fixed_exts[i].has ? "always has" : "has no", key);
		return true;
	}
	return false;
}

void rv_config_parse(struct rv_config *cfg, const char *model)
{
	char buf[256], *save = NULL, *tok;

	*cfg = (struct rv_config){ .pmu_num = 16, .sstc = true, .debug = true };
	if (!model)
		return;
	if (strlen(model) >= sizeof(buf))
		kwb_usage_error("-cpu %.40s...: too long", model);
	strcpy(buf, model);
	tok = strtok_r(buf, ",", &save);	/* the model name: one RV64 hart whatever it says */
	while ((tok = strtok_r(NULL, ",", &save))) {
		char *v = strchr(tok, '=');
		if (!v)
			kwb_usage_error("-cpu %s: %s: expected PROP=VALUE", model, tok);
		*v++ = 0;
		if (!strcmp(tok, "pmu-num")) {
			char *end;
			unsigned long n = strtoul(v, &end, 0);
			if (!*v || *end || n > 29)
				kwb_usage_error("-cpu %s: pmu-num=%s: expected 0 to 29 HPM counters", model, v);
			cfg->pmu_num = (int)n;
		} else if (!strcmp(tok, "sstc")) {
			cfg->sstc = cfg_bool(model, tok, v);
		} else if (!strcmp(tok, "debug")) {
			cfg->debug = cfg_bool(model, tok, v);
		} else if (!strcmp(tok, "h")) {
			if (cfg_bool(model, tok, v))
				kwb_usage_error("-cpu %s: h=%s: kwb has no hypervisor extension (use h=false)",
						model, v);
		} else if (!strcmp(tok, "g")) {
			cfg_bool(model, tok, v);	/* g = imafd_zicsr_zifencei: kwb has them all */
		} else if (!fixed_ext(model, tok, v)) {
			kwb_usage_error("-cpu %s: %s: unknown property (kwb's rv64 takes pmu-num=N, sstc=on|off, "
					"debug=on|off, h=false, and QEMU's extension switches set as kwb's hart "
					"has them)", model, tok);
		}
	}
}

/* "rv64imafdc_zicsr_..._zbs[_sstc]": single letters, then the multi-letter
 * extensions in lower case, each after an underscore */
void riscv_isa_string(cpu *c, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "rv64");

	for (size_t i = 0; i < ARRAY_SIZE(fixed_exts) && n < len; i++) {
		const char *e = fixed_exts[i].name;

		if (!fixed_exts[i].isa)
			continue;
		if (e[1] && n + 1 < len)
			buf[n++] = '_';
		for (; *e && n + 1 < len; e++)
			buf[n++] = (char)tolower((unsigned char)*e);
		buf[n] = 0;
	}
	if (HART(c)->cfg.sstc && n < len)
		snprintf(buf + n, len - n, "_sstc");
}

int riscv_pmu_num(cpu *c)
{
	return HART(c)->cfg.pmu_num;
}

void riscv_qemu_cpu_option(cpu *c, char *buf, size_t len)
{
	const struct rv_config *cfg = &HART(c)->cfg;

	snprintf(buf, len, "rv64,h=false,pmu-num=%d,sstc=%s,debug=%s", cfg->pmu_num,
		 cfg->sstc ? "on" : "off", cfg->debug ? "on" : "off");
}
