// QEMU's pci-testdev, programmed from bare metal through the ECAM (low
// ECAM: highmem=off): IDs, BAR sizes, then each test selected through the
// memory BAR and the I/O BAR (the PIO window at 0x3eff0000), its header
// read back, and the writes that count and those that do not (one-byte
// writes an eventfd test takes, data mismatches, accesses split in bytes).
// run: -M virt,gic-version=3,highmem=off -nic none -device pci-testdev
	.include "cmp.inc"
	START
	.equ CFG, 0x3f008000		// bus 0, device 1, function 0
	.equ MEM, 0x10000000
	.equ PIO, 0x3eff0000
	.equ PORT, 0x1000
main:
	ldr x21, =CFG
	ldr w0, [x21]
	SHOW id, x0
	ldr w0, [x21, #8]
	SHOW class, x0
	ldr w0, [x21, #0x2c]
	SHOW subsys, x0
	ldrb w0, [x21, #0x3d]
	SHOW pin, x0
	mov w0, #-1
	str w0, [x21, #0x10]
	str w0, [x21, #0x14]
	str w0, [x21, #0x18]
	ldr w0, [x21, #0x10]
	SHOW bar0, x0
	ldr w0, [x21, #0x14]
	SHOW bar1, x0
	ldr w0, [x21, #0x18]
	SHOW bar2, x0
	ldr w0, =MEM
	str w0, [x21, #0x10]
	mov w0, #PORT
	str w0, [x21, #0x14]
	mov w0, #3			// I/O and memory decoding
	strh w0, [x21, #4]
	ldr x22, =MEM
	ldr x23, =PIO + PORT
	// nothing selected: reads are 0
	ldr w0, [x22]
	SHOW none, x0
	// test 0, mmio-no-eventfd: the header; bytes of 0xfa count, others not
	strb wzr, [x22]
	bl header
	mov w0, #0xfa
	strb w0, [x22, #2048]
	strb w0, [x22, #2048]
	strb w0, [x22, #2048]
	mov w0, #0x11
	strb w0, [x22, #2048]
	ldr w0, [x22, #12]
	SHOW count3, x0
	mov w0, #0x11fa
	str w0, [x22, #2048]		// four bytes: only the first lands on the offset
	ldr w0, [x22, #12]
	SHOW count4, x0
	mov w0, #0xfa
	strb w0, [x22, #2049]		// not its offset
	ldr w0, [x22, #12]
	SHOW count4b, x0
	// test 1, mmio-wildcard-eventfd: a byte write goes to the eventfd
	mov w0, #1
	strb w0, [x22]
	bl header
	strb w0, [x22, #2049]
	ldr w0, [x22, #12]
	SHOW wild_byte, x0
	mov w0, #0x1234
	add x26, x22, #2049
	strh w0, [x26]			// two bytes: not the eventfd's size
	ldr w0, [x22, #12]
	SHOW wild_half, x0
	// test 2, mmio-datamatch-eventfd: 0xfa as a byte is the eventfd's
	mov w0, #2
	strb w0, [x22]
	bl header
	mov w0, #0xfa
	strb w0, [x22, #2050]
	ldr w0, [x22, #12]
	SHOW dm_byte, x0
	mov w0, #0x11
	strb w0, [x22, #2050]
	ldr w0, [x22, #12]
	SHOW dm_other, x0
	mov w0, #0xfa
	add x26, x22, #2050
	str w0, [x26]
	ldr w0, [x22, #12]
	SHOW dm_word, x0
	// test 3 through the I/O BAR: portio-no-eventfd at 128 + 3
	strb wzr, [x23]
	bl header
	mov w0, #5
	strb w0, [x23, #131]
	mov w0, #0xfa
	strb w0, [x23, #131]
	strb w0, [x23, #131]
	ldr w0, [x23, #12]
	SHOW io_count, x0
	ldr w0, [x22, #12]		// the memory BAR reads the same header
	SHOW io_via_mem, x0
	mov w0, #1
	strb w0, [x23]			// portio-wildcard-eventfd
	bl header
	// a test number past 2 selects nothing
	mov w0, #7
	strb w0, [x22]
	ldr w0, [x22, #4]
	SHOW none7, x0
	// decoding off: the window reads all ones
	strh wzr, [x21, #4]
	ldr w0, [x22]
	SHOW off_mem, x0
	ldrb w0, [x23]
	SHOW off_io, x0
	END

// the selected test's header: test/width, offset, data, count, name
header:
	mov x24, x30
	ldr w0, [x22]
	SHOW hdr0, x0
	ldr w0, [x22, #4]
	SHOW hdr4, x0
	ldr w0, [x22, #8]
	SHOW hdr8, x0
	ldr w0, [x22, #12]
	SHOW hdr12, x0
	mov x25, #16
1:	ldrb w0, [x22, x25]
	cbz w0, 2f
	str w0, [x20]
	add x25, x25, #1
	b 1b
2:	mov w0, #'\n'
	str w0, [x20]
	ldr x0, [x22, #24]		// eight bytes across the name's end
	SHOW hdr24, x0
	ret x24
