/*
 * QEMU's firmware configuration device (fw_cfg, MMIO with DMA): items the
 * firmware reads by selector key or by file name (hw/nvram/fw_cfg.c,
 * docs/specs/fw_cfg.rst). The board puts the kernel, initrd and command
 * line there when firmware boots (QEMU's -kernel with -bios).
 */
#ifndef KWB_FW_CFG_H
#define KWB_FW_CFG_H

#include "../kwb.h"

struct machine;

/* board_device.param: the board has QEMU's SMBIOS tables (arm64 virt) */
#define FW_CFG_SMBIOS 1u

/* The kernel (gunzipped first when it is gzip and decompress is set, as
 * QEMU does for aarch64), the initrd and the command line as the
 * KERNEL_*, INITRD_* and CMDLINE_* items; files may be NULL. Replaces
 * what an earlier call put there. Fatal without a fw_cfg device. */
void fw_cfg_add_kernel(struct machine *m, const char *kernel, const char *initrd, const char *cmdline,
		       bool decompress);

#endif
