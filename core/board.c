/* Registries of boards and device models, collected by the linker. */
#include <string.h>

#include "board.h"

extern const device_type *const __start_kwb_dev[] __attribute__((weak));
extern const device_type *const __stop_kwb_dev[] __attribute__((weak));
extern const board_desc *const __start_kwb_board[] __attribute__((weak));
extern const board_desc *const __stop_kwb_board[] __attribute__((weak));

const device_type *device_type_find(const char *name)
{
	for (const device_type *const *t = __start_kwb_dev; t && t < __stop_kwb_dev; t++)
		if (!strcmp((*t)->name, name))
			return *t;
	return NULL;
}

const board_desc *board_find(const char *arch, const char *name)
{
	for (const board_desc *const *b = __start_kwb_board; b && b < __stop_kwb_board; b++)
		if (!strcmp((*b)->arch, arch) && !strcmp((*b)->name, name))
			return *b;
	return NULL;
}
