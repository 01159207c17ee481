/*
 * QEMU's generic loader, `-device loader,...` (docs/system/generic-loader):
 *   file=F[,addr=A][,cpu-num=N][,force-raw=on]   an ELF by its headers, or
 *                                                raw bytes at A; with cpu-num
 *                                                that CPU starts at the entry
 *   addr=A,data=V,data-len=L[,data-be=on]        L (1-8) bytes of V at A
 *   addr=A,cpu-num=N                             CPU N starts at A
 * Applied at every reset after the board's own boot set-up, as QEMU runs
 * the loader's reset after the machine's: a CPU it starts is reset first
 * (the boot stub's x0 = DTB is gone, as on QEMU) and keeps its power state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/dev_props.h"
#include "loader.h"
#include "machine.h"

#define CPU_NONE UINT64_MAX

static void apply_one(machine *m, const char *spec)
{
	dev_props p;
	char *file;
	uint64_t addr, data, len, cpu_num;
	bool data_be, force_raw, set_pc = false, has_data;

	dev_props_parse(&p, spec);
	file = dev_prop(&p, "file") ? kwb_strdup(dev_prop(&p, "file")) : NULL;
	addr = dev_prop_uint(&p, "addr", 0, 0, UINT64_MAX);
	has_data = dev_prop(&p, "data") != NULL;
	data = dev_prop_uint(&p, "data", 0, 0, UINT64_MAX);
	len = dev_prop_uint(&p, "data-len", 0, 0, 255);
	data_be = dev_prop_bool(&p, "data-be", false);
	force_raw = dev_prop_bool(&p, "force-raw", false);
	cpu_num = dev_prop_uint(&p, "cpu-num", CPU_NONE, 0, UINT64_MAX);
	dev_props_done(&p);

	/* QEMU's checks, in its order and wording */
	if (has_data || len || data_be) {
		if (file)
			kwb_usage_error("-device loader: Specifying a file is not supported when "
					"loading memory values");
		if (force_raw)
			kwb_usage_error("-device loader: Specifying force-raw is not supported when "
					"loading memory values");
		if (!len)
			kwb_usage_error("-device loader: Both data and data-len must be specified");
		if (len > 8)
			kwb_usage_error("-device loader: data-len cannot be greater then 8 bytes");
	} else if (file || force_raw) {
		set_pc = cpu_num != CPU_NONE;
	} else if (addr) {
		if (cpu_num == CPU_NONE)
			kwb_usage_error("-device loader: cpu_num must be specified when setting a "
					"program counter");
		set_pc = true;
	} else {
		kwb_usage_error("-device loader: please include valid arguments (file=, or addr= "
				"with data=,data-len= or cpu-num=)");
	}
	if (cpu_num != CPU_NONE && cpu_num >= (uint64_t)m->ncpus)
		kwb_usage_error("-device loader: Specified boot CPU#%llu is nonexistent (-smp %d)",
				(unsigned long long)cpu_num, m->ncpus);

	if (file) {
		kernel_info ki;
		char err[512];

		if (force_raw || loader_probe_kernel(file, &ki, err, sizeof(err)) < 0 ||
		    ki.format != KFMT_ELF) {
			loader_load_raw(m, "loader", file, addr, m->bus.ram->size);
		} else {
			paddr_t lo, hi;
			addr = loader_load_elf(m, "loader", file, &lo, &hi);
		}
		free(file);
	}
	if (len) {
		uint8_t bytes[8];
		for (unsigned i = 0; i < len; i++)
			bytes[i] = (uint8_t)(data_be ? data >> (8 * (len - 1 - i)) : data >> (8 * i));
		if (bus_copy_to(&m->bus, addr, bytes, len) != BUS_OK &&
		    ((len & (len - 1)) || bus_write(&m->bus, addr, (unsigned)len, data) != BUS_OK))
			kwb_fatal("-device loader,addr=0x%llx: nothing to write %llu bytes to there",
				  (unsigned long long)addr, (unsigned long long)len);
	}
	if (set_pc) {
		cpu *c = m->cpus[cpu_num == CPU_NONE ? 0 : cpu_num];
		bool powered = c->powered;

		m->arch->cpu_reset(c);
		c->powered = powered;
		m->arch->set_pc(c, addr);
	}
}

void loader_devices_apply(machine *m)
{
	for (int i = 0; i < m->opt->ndevices; i++)
		if (!strncmp(m->opt->devices[i], "loader", 6) &&
		    (m->opt->devices[i][6] == ',' || !m->opt->devices[i][6]))
			apply_one(m, m->opt->devices[i]);
}
