/*
 * -cpu rv64[,PROP=VALUE...]: the parts of QEMU 7.2's rv64 hart that are
 * optional there and here (pmu-num, sstc, debug), and what the hart
 * therefore advertises (riscv,isa) and QEMU must be told in the difftest.
 * Defaults are QEMU 7.2's: 16 HPM counters, Sstc, triggers. kwb has no H
 * extension, so h= takes only false.
 */
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
 * anything else is refused (QEMU's names and spelling). */
static const struct {
	const char *name;
	bool has;
} fixed_exts[] = {
	{ "i", true }, { "m", true }, { "a", true }, { "f", true }, { "d", true }, { "c", true },
	{ "s", true }, { "u", true }, { "mmu", true }, { "pmp", true }, { "Zicsr", true },
	{ "Zifencei", true }, { "Zihintpause", true }, { "zba", true }, { "zbb", true }, { "zbc", true },
	{ "zbs", true }, { "e", false }, { "v", false }, { "Zfh", false }, { "Zfhmin", false },
	{ "Zve32f", false }, { "Zve64f", false }, { "svinval", false }, { "svnapot", false },
	{ "svpbmt", false }, { "sscofpmf", false }, { "zbkb", false }, { "zbkc", false }, { "zbkx", false },
	{ "zdinx", false }, { "zfinx", false }, { "zhinx", false }, { "zhinxmin", false }, { "zk", false },
	{ "zkn", false }, { "zknd", false }, { "zkne", false }, { "zknh", false }, { "zkr", false },
	{ "zks", false }, { "zksed", false }, { "zksh", false }, { "zkt", false }, { "zmmul", false },
	{ "x-epmp", false }, { "x-j", false }, { "x-smaia", false }, { "x-ssaia", false },
	{ "xventanacondops", false },
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

void riscv_isa_string(cpu *c, char *buf, size_t len)
{
	snprintf(buf, len, "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs%s",
		 HART(c)->cfg.sstc ? "_sstc" : "");
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
