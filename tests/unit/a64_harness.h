/* A bare AArch64 machine for the CPU unit tests: one CPU, 16 MB of RAM at
 * 0x40000000, no board, no devices. */
#ifndef A64_HARNESS_H
#define A64_HARNESS_H

#include <string.h>
#include "core/machine.h"
#include "core/debug_internal.h"
#include "core/arch/aarch64/a64.h"

#define RAM_BASE 0x40000000ull
#define CODE_BASE 0x40080000ull

static kwb_options h_opt;

static machine *h_machine(void)
{
	machine *m = kwb_zalloc(sizeof(*m));

	m->opt = &h_opt;
	m->arch = &aarch64_arch;
	m->ncpus = 1;
	bus_add_ram(&m->bus, "ram", RAM_BASE, 16 << 20);
	m->dbg = dbg_create(m);
	m->cpus[0] = aarch64_arch.cpu_create(m, 0);
	aarch64_arch.cpu_reset(m->cpus[0]);
	m->cpus[0]->powered = true;
	return m;
}

static void h_free(machine *m)
{
	aarch64_arch.cpu_free(m->cpus[0]);
	dbg_free(m);
	bus_free(&m->bus);
	free(m);
}

/* Load words at CODE_BASE, start there, run n instructions. */
static a64_cpu *h_run(machine *m, const uint32_t *code, size_t bytes, int64_t n)
{
	cpu *c = m->cpus[0];

	bus_copy_to(&m->bus, CODE_BASE, code, bytes);
	aarch64_arch.flush_decode(c);
	a64_set_boot(c, CODE_BASE, 0);
	m->current = c;
	aarch64_arch.cpu_run(c, n);
	return A64(c);
}

#endif
