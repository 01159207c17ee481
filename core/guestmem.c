/* Guest memories (guestmem.h): the registry snapshots and history walk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestmem.h"
#include "history.h"
#include "machine.h"

#define MAX_MEMS 32

struct guestmem_registry {
	guestmem *v[MAX_MEMS];
	int n;
};

guestmem *guestmem_register(machine *m, const char *name, uint8_t *host, uint64_t size)
{
	struct guestmem_registry *r = m->mems;
	guestmem *g;

	if (!r)
		r = m->mems = kwb_zalloc(sizeof(*r));
	if (r->n == MAX_MEMS)
		kwb_fatal("too many guest memories (adding %s)", name);
	if (guestmem_find(m, name))
		kwb_fatal("two guest memories named %s", name);
	g = kwb_zalloc(sizeof(*g));
	g->m = m;
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->host = host;
	g->size = size;
	g->pages = (size + GUESTMEM_PAGE - 1) / GUESTMEM_PAGE;
	r->v[r->n++] = g;
	hist_mem_added(m, g);
	return g;
}

int guestmem_count(machine *m)
{
	return m->mems ? m->mems->n : 0;
}

guestmem *guestmem_at(machine *m, int i)
{
	return i >= 0 && i < guestmem_count(m) ? m->mems->v[i] : NULL;
}

guestmem *guestmem_find(machine *m, const char *name)
{
	for (int i = 0; i < guestmem_count(m); i++)
		if (!strcmp(m->mems->v[i]->name, name))
			return m->mems->v[i];
	return NULL;
}

void guestmem_save_page(guestmem *g, uint64_t page)
{
	hist_save_page(g->m, g, page);
}

void guestmem_free_all(machine *m)
{
	for (int i = 0; i < guestmem_count(m); i++) {
		free(m->mems->v[i]->saved_in);
		free(m->mems->v[i]);
	}
	free(m->mems);
	m->mems = NULL;
}
