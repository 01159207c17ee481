/* Every virtio model kwb builds is in the -device catalogue (device_catalog.h). */
#include <stdio.h>
#include <string.h>

#include "core/device_catalog.h"
#include "core/devices/virtio.h"

static int failures;

static void check_listed(const char *suffix)
{
	char list[512], *save = NULL;

	snprintf(list, sizeof(list), "%s", virtio_model_list(suffix));
	for (char *n = strtok_r(list, ", ", &save); n; n = strtok_r(NULL, ", ", &save)) {
		const device_info *d = device_catalog_find(n);

		if (!d || strcmp(d->name, n)) {
			printf("FAIL: %s is built but not in core/device_catalog.c (-device help)\n", n);
			failures++;
		} else {
			printf("PASS: %s is in the -device catalogue\n", n);
		}
	}
}

int main(void)
{
	check_listed("pci");
	check_listed("device");
	for (int i = 0; device_catalog_entry(i); i++) {
		const device_info *d = device_catalog_entry(i);

		if (!d->category || !d->name) {
			printf("FAIL: catalogue entry %d has no name or category\n", i);
			failures++;
		}
	}
	return failures ? 1 : 0;
}
