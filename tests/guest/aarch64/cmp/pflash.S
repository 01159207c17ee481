// The CFI flash banks (QEMU's pflash_cfi01 on virt: two x16 devices per
// 32-bit bank): the array read before and after commands (the CPU must not
// keep reading the array from its TLB in command mode), the CFI query
// table, the device IDs, the status register, single-word program, block
// erase, write to buffer (good, out of the buffer, aborted), unknown
// commands, 1/2/8-byte accesses, and code programmed into the flash run
// from it (erased and programmed again: the CPU must not run stale code).
// run: -M virt,acpi=off -m 128M
	.include "cmp.inc"
	START
	.macro W32 off, val
	ldr w0, =\val
	ldr x7, =\off
	str w0, [x21, x7]
	.endm
	.macro R32 name, off
	ldr x7, =\off
	ldr w2, [x21, x7]
	SHOW \name, x2
	.endm
main:
	ldr x21, =0x04000000		// bank 1 (unit 1): no file, no firmware
	R32 array0, 0
	R32 array1, 0x100
	// the CFI query: 0x98 at any address, then query words
	W32 0x55*4, 0x98
	ldr x22, =0x10
1:	ldr w2, [x21, x22, lsl #2]
	SHOW cfi, x2
	add x22, x22, #1
	cmp x22, #0x58
	b.ne 1b
	ldrb w2, [x21, #0x40]
	SHOW cfi_byte, x2
	ldrh w2, [x21, #0x44]
	SHOW cfi_half, x2
	ldr x2, [x21, #0x40]
	SHOW cfi_dword, x2
	W32 0, 0x12			// an unknown command in query mode
	R32 after_unknown_in_query, 0x40
	W32 0, 0xff			// read array
	R32 array_again, 0x40
	// device IDs
	W32 0, 0x90
	R32 manuf, 0
	R32 device, 4
	R32 lock, 8
	R32 id_c, 0xc
	R32 id_100, 0x100
	W32 0, 0xff
	// single-word program, the status, read back
	W32 0x100, 0x40
	W32 0x100, 0x12345678
	R32 status_after_program, 0x100
	ldr x2, [x21, #0x100]
	SHOW status_dword, x2
	W32 0, 0x70
	R32 read_status, 0x200
	W32 0, 0xff
	R32 programmed, 0x100
	W32 0x104, 0x10			// program (alternate code) with a halfword
	mov w0, #0xabcd
	strh w0, [x21, #0x104]
	W32 0, 0xff
	R32 programmed_half, 0x104
	W32 0x100, 0x40			// program again: the bits are not ANDed?
	W32 0x100, 0xffff0000
	W32 0, 0xff
	R32 reprogrammed, 0x100
	// block erase: 0x20 then 0xd0, at an address inside the sector
	W32 0x40010, 0x20
	R32 status_erase_setup, 0x40010
	W32 0x40010, 0xd0
	R32 status_erase_done, 0
	W32 0, 0xff
	R32 erased_sector1, 0x40000
	R32 erased_end, 0x7fffc
	R32 not_erased, 0x100
	R32 next_sector, 0x80000
	// erase then something else than 0xd0 as the confirm
	W32 0x80000, 0x20
	W32 0x80000, 0x33
	R32 after_bad_confirm, 0x80000
	// write to buffer: 4 words (count 3) at 0x1000
	W32 0x1000, 0xe8
	R32 status_buffer, 0x1000
	W32 0x1000, 3
	W32 0x1000, 0x11111111
	W32 0x1004, 0x22222222
	W32 0x1008, 0x33333333
	W32 0x100c, 0x44444444
	R32 status_buffer_full, 0x1000
	W32 0x1000, 0xd0
	R32 status_buffer_done, 0x1000
	W32 0, 0xff
	R32 buf0, 0x1000
	R32 buf3, 0x100c
	R32 buf4, 0x1010
	// write to buffer with a word outside the 4 KiB buffer: program error
	W32 0x2000, 0xe8
	W32 0x2000, 1
	W32 0x2000, 0x55555555
	W32 0x3000, 0x66666666
	R32 status_outside, 0
	W32 0x2000, 0xd0
	R32 status_outside_confirm, 0
	W32 0, 0x70
	R32 status_outside_read, 0
	W32 0, 0x50			// clear status
	R32 after_clear, 0x2000
	W32 0, 0x70
	R32 status_cleared, 0
	W32 0, 0xff
	// write to buffer aborted (no 0xd0)
	W32 0x4000, 0xe8
	W32 0x4000, 0
	W32 0x4000, 0x77777777
	W32 0x4000, 0xff
	R32 aborted, 0x4000
	// the count written at the sector's start, the data in a later block
	// (as u-boot does): the buffer is the data's block on kwb (QEMU's fix
	// for its issue 2343), the count's on QEMU 7.2 (a program error)
	W32 0, 0x50
	W32 0, 0xff
	W32 0x40000, 0xe8
	W32 0x40000, 1
	W32 0x41000, 0xabababab
	W32 0x41004, 0xcdcdcdcd
	W32 0x40000, 0xd0
	R32 status_far_buffer, 0x40000
	W32 0, 0xff
	R32 far_buffer0, 0x41000
	R32 far_buffer1, 0x41004
	R32 far_buffer_sector, 0x40000
	// a count of 0: no buffer, a program error
	W32 0x42000, 0xe8
	W32 0x42000, 0
	W32 0x42000, 0x12121212
	R32 status_count0, 0x42000
	W32 0x42000, 0xd0
	W32 0, 0xff
	R32 count0, 0x42000
	W32 0, 0x50
	W32 0, 0xff
	// an 8-byte program: two 4-byte writes
	W32 0x5000, 0x40
	ldr x0, =0x4000000099999999
	str x0, [x21, #0x5000]
	W32 0, 0xff
	ldr x2, [x21, #0x5000]
	SHOW dword_program, x2
	// unknown first commands
	W32 0, 0x33
	R32 unknown_cmd, 0x100
	W32 0, 0xf0
	R32 amd_reset, 0x100
	// a byte command
	mov w0, #0x98
	strb w0, [x21]
	R32 byte_query, 0x40
	W32 0, 0xff
	// the TLB: read the array, enter query mode, read the same page
	R32 page_array, 0x1000
	W32 0x1004, 0x98
	R32 page_query, 0x1000
	W32 0x1004, 0xff
	R32 page_array_again, 0x1000
	// code in flash: "mov w0, #1; ret", run, erase, "mov w0, #2; ret"
	ldr x22, =0x04100000
	mov x21, x22
	W32 0, 0xe8
	W32 0, 1
	W32 0, 0x52800020
	W32 4, 0xd65f03c0
	W32 0, 0xd0
	W32 0, 0xff
	ic iallu
	dsb sy
	isb
	blr x22
	mov x2, x0
	SHOW code1, x2
	W32 0, 0x20
	W32 0, 0xd0
	W32 0, 0x40
	W32 0, 0x52800040
	W32 4, 0x40
	W32 4, 0xd65f03c0
	W32 0, 0xff
	ic iallu
	dsb sy
	isb
	blr x22
	mov x2, x0
	SHOW code2, x2
	// bank 0 is there too (zeros without -bios)
	mov x21, #0
	R32 bank0, 0
	W32 0, 0x98
	R32 bank0_query, 0x40
	W32 0, 0xff
	END
