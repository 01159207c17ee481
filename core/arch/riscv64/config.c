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
		} else {
			kwb_usage_error("-cpu %s: %s: unknown property (kwb's rv64 takes pmu-num=N, sstc=on|off, "
					"debug=on|off, h=false)", model, tok);
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
