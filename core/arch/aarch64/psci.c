/*
 * PSCI 1.1 over the SMCCC conduit the DTB advertises ("hvc"), the way
 * QEMU's TCG firmware-less boot answers it. Function ID in x0 (all 64
 * bits compared, as QEMU), arguments in x1..x3, result in x0. Everything
 * else, SMCCC_VERSION included (QEMU 7.2 answers it NOT_SUPPORTED, so
 * Linux assumes SMCCC 1.0), is left to the caller: NOT_SUPPORTED.
 */
#include "a64.h"
#include "../../trace.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE 0x84000005u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_MIGRATE_INFO_UP_CPU 0x84000007u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define SMC64 0x40000000u		/* the 64-bit calling convention bit */

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMS (-2)
#define PSCI_ALREADY_ON (-4)

#define MPIDR_AFF_MASK 0xff00ffffffull

static cpu *cpu_by_mpidr(machine *m, uint64_t mpidr)
{
	for (int i = 0; i < m->ncpus; i++)
		if ((a64_mpidr(m->cpus[i]) & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return m->cpus[i];
	return NULL;
}

static int64_t cpu_on(machine *m, uint64_t target, uint64_t entry, uint64_t context)
{
	cpu *t = cpu_by_mpidr(m, target);

	if (!t)
		return PSCI_INVALID_PARAMS;
	if (t->powered)
		return PSCI_ALREADY_ON;
	a64_power_on(t, entry, context);
	machine_kick(m);
	return PSCI_SUCCESS;
}

static int64_t affinity_info(machine *m, uint64_t target, uint64_t level)
{
	cpu *t = cpu_by_mpidr(m, target);

	if (!t || level != 0)
		return PSCI_INVALID_PARAMS;
	return t->powered ? 0 : 1;		/* ON / OFF */
}

/* What PSCI_FEATURES reports: QEMU 7.2's list (CPU_SUSPEND included,
 * SMCCC_VERSION not), so a kernel probes the same way on both (difftest). */
static bool implemented(uint32_t fn)
{
	switch (fn) {
	case PSCI_VERSION: case PSCI_CPU_OFF: case PSCI_CPU_ON: case PSCI_CPU_ON | SMC64:
	case PSCI_CPU_SUSPEND: case PSCI_CPU_SUSPEND | SMC64:
	case PSCI_AFFINITY_INFO: case PSCI_AFFINITY_INFO | SMC64: case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF: case PSCI_SYSTEM_RESET: case PSCI_FEATURES:
		return true;
	}
	return false;
}

bool a64_psci_call(cpu *c)
{
	a64_cpu *s = A64(c);
	machine *m = c->m;
	uint32_t fn = (uint32_t)s->x[0];
	uint64_t a1 = s->x[1], a2 = s->x[2], a3 = s->x[3];
	int64_t ret;

	if (!(fn & 0x80000000u) || s->x[0] >> 32)	/* not a PSCI fast call */
		return false;
	if (!(fn & SMC64)) {		/* SMC32: arguments are 32-bit */
		a1 = (uint32_t)a1;
		a2 = (uint32_t)a2;
		a3 = (uint32_t)a3;
	}
	switch (fn) {
	case PSCI_VERSION:
		ret = 0x10001;		/* 1.1 */
		break;
	case PSCI_CPU_ON:
	case PSCI_CPU_ON | SMC64:
		ret = cpu_on(m, a1, a2, a3);
		trace_dev(m, "psci", "CPU_ON mpidr=0x%llx entry=0x%llx from cpu%d: %lld", (unsigned long long)a1,
			  (unsigned long long)a2, c->index, (long long)ret);
		break;
	case PSCI_CPU_OFF:
		trace_dev(m, "psci", "CPU_OFF cpu%d", c->index);
		c->powered = false;
		c->waiting = false;
		c->exit_request = true;
		ret = PSCI_SUCCESS;	/* not seen: the CPU is off */
		break;
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO | SMC64:
		ret = affinity_info(m, a1, a2);
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = 2;		/* no Trusted OS: migration not required */
		break;
	case PSCI_SYSTEM_OFF:
		trace_dev(m, "psci", "SYSTEM_OFF from cpu%d", c->index);
		machine_power_off(m, 0);
		c->exit_request = true;
		ret = PSCI_SUCCESS;
		break;
	case PSCI_SYSTEM_RESET:
		trace_dev(m, "psci", "SYSTEM_RESET from cpu%d", c->index);
		machine_request_reset(m);
		ret = PSCI_SUCCESS;
		break;
	case PSCI_FEATURES:
		ret = implemented((uint32_t)a1) ? PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
		break;
	case PSCI_CPU_SUSPEND: case PSCI_CPU_SUSPEND | SMC64:
		ret = PSCI_SUCCESS;	/* standby that wakes at once (allowed; QEMU waits as WFI) */
		break;
	default:
		ret = PSCI_NOT_SUPPORTED;
		break;
	}
	s->x[0] = (uint64_t)ret;
	return true;
}
