// The PL061 GPIO at 0x09030000 (QEMU's virt, the power button on line 3):
// reset values, the PrimeCell IDs, the registers written and read back,
// DATA through its address mask (outputs only), level and edge interrupt
// status on the inputs (lines not driven read low), GPIOIC, the commit
// register's mask on AFSEL, odd offsets and sizes.
// run: -M virt,acpi=off -m 128M
	.include "cmp.inc"
	START
	.macro R name, off
	ldr x7, =\off
	ldr w2, [x21, x7]
	SHOW \name, x2
	.endm
	.macro W off, val
	ldr w0, =\val
	ldr x7, =\off
	str w0, [x21, x7]
	.endm
main:
	ldr x21, =0x09030000
	R data, 0x3fc
	R dir, 0x400
	R is, 0x404
	R ibe, 0x408
	R iev, 0x40c
	R ie, 0x410
	R ris, 0x414
	R mis, 0x418
	R afsel, 0x420
	R r424, 0x424
	R r500, 0x500
	R r52c, 0x52c
	R fd0, 0xfd0
	R fe0, 0xfe0
	R fe4, 0xfe4
	R fe8, 0xfe8
	R fec, 0xfec
	R ff0, 0xff0
	R ff4, 0xff4
	R ff8, 0xff8
	R ffc, 0xffc
	// outputs on lines 0-3 and 6, written through masks
	W 0x400, 0x4f
	R dir_set, 0x400
	W 0x3fc, 0xff
	R data_all, 0x3fc
	W 0x3fc, 0x00
	W 0x004, 0xff			// line 0 only
	R data_line0, 0x3fc
	W 0x100, 0xff			// line 6 only
	R data_line6, 0x3fc
	R data_mask_0c, 0x00c
	W 0x020, 0xff			// line 3
	R data_line3, 0x3fc
	W 0x040, 0xff			// line 4 is an input: unchanged
	R data_input4, 0x3fc
	// level interrupts, low level, on every line
	W 0x404, 0xff
	W 0x40c, 0x00
	R ris_level_low, 0x414
	W 0x410, 0x30
	R mis_level_low, 0x418
	W 0x41c, 0xff			// level: cleared, then set again
	R ris_after_ic, 0x414
	// high level: the lines at 1
	W 0x40c, 0xff
	W 0x41c, 0xff
	R ris_level_high, 0x414
	// edge interrupts: outputs changing do not count, inputs do not move
	W 0x404, 0x00
	W 0x41c, 0xff
	W 0x408, 0xff
	R ris_edges, 0x414
	W 0x3fc, 0x00
	R ris_after_output, 0x414
	W 0x400, 0x00			// all inputs: the pull-down
	R data_inputs, 0x3fc
	R ris_after_dir, 0x414
	// AFSEL through the commit mask
	W 0x420, 0xff
	R afsel_set, 0x420
	// read-only registers ignore writes
	W 0x414, 0xff
	W 0x418, 0xff
	W 0xfe0, 0xff
	R ris_ro, 0x414
	R fe0_ro, 0xfe0
	// byte and halfword accesses
	ldrb w2, [x21, #0x400]
	SHOW byte_dir, x2
	mov w0, #0x12
	ldr x7, =0x410
	strb w0, [x21, x7]
	R ie_byte, 0x410
	ldr x7, =0xfe2
	ldrh w2, [x21, x7]
	SHOW fe2_half, x2
	ldr x7, =0x401
	ldrb w2, [x21, x7]
	SHOW r401_byte, x2
	END
