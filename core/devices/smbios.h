/* QEMU 7.2's SMBIOS tables for its virt boards (fw_cfg's etc/smbios files). */
#ifndef KWB_SMBIOS_H
#define KWB_SMBIOS_H

#include <stdint.h>
#include <stdio.h>

/* Builds the entry point and the tables for RAM of ram_size bytes and
 * cpus CPUs on machine "virt-7.2" (machine_version); both malloc'd. */
/* uuid: -uuid's 16 bytes as written (NULL: none, zeros) */
void smbios_build(uint64_t ram_size, int cpus, const char *machine_version, const uint8_t *uuid,
		  uint8_t **anchor, uint32_t *anchor_len, uint8_t **tables, uint32_t *tables_len);

#endif
