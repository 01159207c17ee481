/*
 * CFI flash banks (QEMU's pflash_cfi01 as the virt boards wire it).
 * board_device.param: the bank's unit (the -drive if=pflash,unit= it
 * takes), and PFLASH_BIOS for the bank that -bios FILE is loaded into.
 */
#ifndef KWB_PFLASH_H
#define KWB_PFLASH_H

#define PFLASH_UNIT_MASK 0xffu
#define PFLASH_BIOS 0x100u

#endif
