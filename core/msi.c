/* Where MSI writes land (msi.h). */
#include <string.h>

#include "machine.h"
#include "msi.h"

void msi_add_doorbell(machine *m, paddr_t addr, msi_doorbell_fn fn, void *opaque)
{
	if (m->nmsi == MSI_MAX_DOORBELLS)
		kwb_fatal("too many MSI doorbells (%d)", MSI_MAX_DOORBELLS);
	m->msi[m->nmsi++] = (msi_doorbell){ .addr = addr, .fn = fn, .opaque = opaque };
}

void msi_remove_doorbell(machine *m, void *opaque)
{
	for (int i = 0; i < m->nmsi; i++)
		if (m->msi[i].opaque == opaque) {
			memmove(&m->msi[i], &m->msi[i + 1], sizeof(m->msi[0]) * (size_t)(m->nmsi - i - 1));
			m->nmsi--;
			i--;
		}
}

int msi_write(machine *m, paddr_t pa, uint32_t data, uint32_t requester_id)
{
	for (int i = 0; i < m->nmsi; i++)
		if (m->msi[i].addr == pa) {
			m->msi[i].fn(m->msi[i].opaque, data, requester_id);
			return 0;
		}
	return bus_write(&m->bus, pa, 4, data) == BUS_OK ? 0 : -1;
}
