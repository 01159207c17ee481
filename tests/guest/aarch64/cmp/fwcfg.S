// fw_cfg (MMIO with DMA at 0x09020000, QEMU's layout: data +0, selector
// +8, DMA address +16, all big-endian where QEMU says so): the DMA
// signature, the items read through the data register at each width, the
// file directory and every file's contents read by DMA, and hostile DMA
// descriptors (buffer outside RAM, writes to read-only items, reads past
// an item, skip, a descriptor outside RAM, the address in two halves),
// unknown keys and accesses of odd sizes.
// run: -M virt,acpi=off -m 128M
// run: -M virt,acpi=off -m 128M -smp 2 -append console=ttyAMA0 -fw_cfg name=opt/kwb/str,string=hello -fw_cfg opt/kwb/two,string=a,,b
// run: -M virt,acpi=off -m 256M -uuid 01234567-89ab-cdef-fedc-ba9876543210 -boot menu=on,strict=on
	.include "cmp.inc"
	START
	.macro SELECT key
	mov w0, #\key
	rev16 w0, w0
	strh w0, [x21, #8]
	.endm
	// DMA: x0 = control (host order), x1 = length, x2 = address
	.macro DMA ctl, len, addr
	ldr x0, =\ctl
	ldr x1, =\len
	ldr x2, =\addr
	bl dma
	.endm
main:
	ldr x21, =0x09020000
	ldr x22, =0x40400000		// descriptor
	ldr x23, =0x40401000		// buffer
	ldr x2, [x21, #16]
	SHOW dma_sig, x2
	ldr w2, [x21, #20]
	SHOW dma_sig_lo, x2
	SELECT 0
	ldrb w2, [x21]
	SHOW sig_b0, x2
	ldrh w2, [x21]
	SHOW sig_h1, x2
	ldrb w2, [x21]
	SHOW sig_b3, x2
	ldrb w2, [x21]
	SHOW sig_past, x2
	SELECT 0
	ldr w2, [x21]
	SHOW sig_w, x2
	SELECT 0
	ldr x2, [x21]
	SHOW sig_x, x2
	SELECT 1
	ldr w2, [x21]
	SHOW id, x2
	SELECT 2
	ldr x2, [x21]
	SHOW uuid0, x2
	ldr x2, [x21]
	SHOW uuid1, x2
	SELECT 4
	ldr x2, [x21]
	SHOW nographic, x2
	SELECT 5
	ldr x2, [x21]
	SHOW nb_cpus, x2
	SELECT 0xe
	ldr x2, [x21]
	SHOW boot_menu, x2
	SELECT 0x8
	ldr x2, [x21]
	SHOW kernel_size, x2
	SELECT 0xb
	ldr x2, [x21]
	SHOW initrd_size, x2
	SELECT 0x14
	ldr x2, [x21]
	SHOW cmdline_size, x2
	SELECT 0x3
	ldr x2, [x21]
	SHOW ram_size, x2
	SELECT 0xf
	ldr x2, [x21]
	SHOW max_cpus, x2
	SELECT 0x7fff
	ldr x2, [x21]
	SHOW key_7fff, x2
	SELECT 0x4000
	ldr w2, [x21]
	SHOW key_4000, x2
	SELECT 0x8000
	ldr x2, [x21]
	SHOW key_8000, x2
	SELECT 0xffff
	ldr x2, [x21]
	SHOW key_ffff, x2
	// the directory through the data register
	SELECT 0x19
	ldr w24, [x21]
	rev w24, w24
	SHOW files, x24
	mov x25, #0
	ldr x26, =0x40402000		// sizes and selectors kept here
1:	cmp x25, x24
	b.eq 3f
	ldr w2, [x21]
	rev w2, w2
	ldrh w0, [x21]
	rev16 w0, w0
	ldrh w3, [x21]			// reserved
	add x8, x26, x25, lsl #4
	stp x2, x0, [x8]
	SAY "file "
	mov x0, x2
	bl puthex_raw
	SAY " "
	add x0, x26, x25, lsl #4
	ldr x0, [x0, #8]
	bl puthex_raw
	SAY " "
	mov x7, #56
2:	ldrb w3, [x21]
	cbz w3, 21f
	str w3, [x20]
21:	subs x7, x7, #1
	b.ne 2b
	mov w3, #'\n'
	str w3, [x20]
	add x25, x25, #1
	b 1b
3:	// each file's contents by DMA (select + read)
	mov x25, #0
4:	cmp x25, x24
	b.eq 6f
	add x0, x26, x25, lsl #4
	ldp x1, x0, [x0]
	mov x27, x1
	cmp x1, #1024
	mov x2, #1024
	csel x27, x1, x2, ls
	lsl x0, x0, #16
	mov x8, #0x0a			// select, read
	orr x0, x0, x8
	mov x1, x27
	mov x2, x23
	bl dma
	SHOW file_ctl, x0
	mov x28, #0
5:	cmp x28, x27
	b.hs 51f
	ldr x0, [x23, x28]
	bl puthex
	add x28, x28, #8
	b 5b
51:	add x25, x25, #1
	b 4b
6:	// DMA: the signature, then past its end (zeros, no error)
	DMA 0x0000000a, 4, 0x40401000
	SHOW sig_ctl, x0
	ldr w2, [x23]
	SHOW sig_dma, x2
	mov x0, #-1
	str x0, [x23]
	DMA 0x00000002, 8, 0x40401000
	SHOW past_ctl, x0
	ldr x2, [x23]
	SHOW past_dma, x2
	// skip: the directory's second entry's size
	DMA 0x00190008, 0, 0x40401000
	SHOW select_only_ctl, x0
	DMA 0x00000004, 68, 0x40401000
	SHOW skip_ctl, x0
	DMA 0x00000002, 8, 0x40401000
	SHOW after_skip_ctl, x0
	ldr x2, [x23]
	SHOW after_skip, x2
	// a buffer outside RAM
	DMA 0x0000000a, 4, 0x50000000
	SHOW outside_ctl, x0
	// a buffer running off the end of RAM
	DMA 0x0019000a, 64, 0x47fffff0
	SHOW off_end_ctl, x0
	ldr x0, =0x47fffff0
	ldr x2, [x0]
	SHOW off_end, x2
	// a write to a read-only item
	DMA 0x00000018, 4, 0x40401000
	SHOW write_ctl, x0
	SELECT 0
	ldr w2, [x21]
	SHOW sig_after_write, x2
	// both read and write bits; an unknown key by DMA
	DMA 0x0000001a, 4, 0x40401000
	SHOW read_write_ctl, x0
	DMA 0x7fff000a, 8, 0x40401000
	SHOW bad_key_ctl, x0
	ldr x2, [x23]
	SHOW bad_key, x2
	// no operation bit: nothing happens
	DMA 0x00000000, 4, 0x40401000
	SHOW nop_ctl, x0
	// the address in two halves (high first, the low write starts it)
	mov x0, #0x0a
	rev w0, w0
	str w0, [x22]
	mov w0, #4
	rev w0, w0
	str w0, [x22, #4]
	str wzr, [x22, #8]
	ldr w0, =0x40401800
	rev w0, w0
	str w0, [x22, #12]
	str wzr, [x21, #16]
	rev w0, w22
	str w0, [x21, #20]
	ldr w0, [x22]
	rev w2, w0
	SHOW halves_ctl, x2
	ldr x0, =0x40401800
	ldr w2, [x0]
	SHOW halves, x2
	// the descriptor outside RAM: the device goes on working
	ldr x0, =0x50000000
	rev x0, x0
	str x0, [x21, #16]
	SELECT 0
	ldr w2, [x21]
	SHOW after_bad_desc, x2
	// odd sizes: a byte and a word to the selector, a halfword DMA write
	mov w0, #0x100
	strb w0, [x21, #8]
	ldr w2, [x21]
	SHOW byte_select, x2
	mov w0, #0x01000000
	str w0, [x21, #8]
	ldr w2, [x21]
	SHOW word_select, x2
	ldrh w2, [x21, #8]
	SHOW selector_read, x2
	ldrh w2, [x21, #16]
	SHOW dma_half_read, x2
	mov w0, #0
	strh w0, [x21, #16]
	SHOW done, x21
	END
// x0 control, x1 length, x2 address: runs the descriptor at x22, x0 = the
// control word after
dma:	rev w0, w0
	str w0, [x22]
	rev w1, w1
	str w1, [x22, #4]
	rev x2, x2
	str x2, [x22, #8]
	rev x0, x22
	dsb sy
	str x0, [x21, #16]
	dsb sy
	ldr w0, [x22]
	rev w0, w0
	ret
