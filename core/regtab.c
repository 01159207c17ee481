/* Lookups over an architecture's register table. */
#include <strings.h>

#include "regtab.h"

int regtab_find(const reg_table *t, const char *name)
{
	for (int i = 0; i < t->count; i++)
		if (!strcasecmp(t->regs[i].name, name))
			return i;
	return -1;
}

int regtab_find_encoding(const reg_table *t, uint32_t enc)
{
	for (int i = 0; i < t->count; i++)
		if (enc && t->regs[i].encoding == enc)
			return i;
	return -1;
}
