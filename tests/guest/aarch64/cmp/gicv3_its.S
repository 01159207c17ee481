// The GICv3 ITS (its=on, QEMU's default with gic-version=3) on a bare
// machine: LPI tables and EnableLPIs; the command queue (MAPC, MAPD, MAPTI,
// MAPI, INT, SYNC, CLEAR, INV, INVALL, DISCARD) and the DTE/ITE/CTE words
// it leaves in memory (QEMU's layout); MSIs through GITS_TRANSLATER (a
// CPU's write is DeviceID 0); commands that must do nothing (unknown
// opcode, IDs past the tables, no such CPU, a bad LPI number); tables and
// the queue where no RAM is: a table write stalls the queue (CREADR.Stalled;
// CWRITER retries, a CREADR write skips), a read reads zeros; CBASER
// resets CREADR, enabling does not; CWRITER past the queue is ignored.
	.include "cmp.inc"
	.equ GICD, 0x08000000
	.equ GITS, 0x08080000
	.equ GITS_TRANSLATER, 0x08090040
	.equ GICR, 0x080a0000
	.equ PROPB, 0x40400000
	.equ PENDB, 0x40410000
	.equ CMDQ, 0x40420000
	.equ DEVT, 0x40430000
	.equ COLT, 0x40440000
	.equ ITT0, 0x40450000
	.equ ITT1, 0x40450100
	.macro RD32 name, addr
	SAY "\name="
	ldr x1, =\addr
	ldr w0, [x1]
	bl puthex
	.endm
	.macro RD64 name, addr
	SAY "\name="
	ldr x1, =\addr
	ldr x0, [x1]
	bl puthex
	.endm
	.macro WR32 addr, val
	ldr x1, =\addr
	ldr w0, =\val
	str w0, [x1]
	.endm
	.macro WR64 addr, val
	ldr x1, =\addr
	ldr x0, =\val
	str x0, [x1]
	.endm
	// one 32-byte command at queue slot \slot
	.macro CMD slot, d0, d1, d2, d3
	ldr x1, =CMDQ + (\slot) * 32
	ldr x0, =\d0
	str x0, [x1]
	ldr x0, =\d1
	str x0, [x1, #8]
	ldr x0, =\d2
	str x0, [x1, #16]
	ldr x0, =\d3
	str x0, [x1, #24]
	.endm
	.macro KICK slot
	WR64 GITS+0x88, (\slot) * 32
	RD64 CREADR, GITS+0x90
	.endm
	.macro IRQSTATE
	SAY "ISR="
	mrs x0, isr_el1
	bl puthex
	SAY "HPPIR1="
	mrs x0, S3_0_C12_C12_2
	bl puthex
	.endm
	.macro ACK
	SAY "IAR1="
	mrs x0, S3_0_C12_C12_0
	mov x22, x0
	bl puthex
	msr S3_0_C12_C12_1, x22
	.endm
	.macro PEND name
	SAY "\name="
	ldr x1, =PENDB + 1024
	ldr x0, [x1]
	bl puthex
	.endm
	START
main:
	// LPI config: LPIs 8192..8199 priority 0xa0, enabled
	ldr x1, =PROPB
	ldr x0, =0xa1a1a1a1a1a1a1a1
	str x0, [x1]
	// the CPU interface
	mov x0, #1
	msr S3_0_C12_C12_5, x0	// ICC_SRE_EL1
	isb
	mov x0, #0xf0
	msr S3_0_C4_C6_0, x0	// PMR
	mov x0, #1
	msr S3_0_C12_C12_7, x0	// IGRPEN1
	WR32 GICD, 0x13
	WR32 GICR+0x14, 0	// WAKER
	WR64 GICR+0x70, PROPB | 15
	WR64 GICR+0x78, PENDB
	RD64 PROPBASER, GICR+0x70
	RD64 PENDBASER, GICR+0x78
	WR32 GICR, 1		// EnableLPIs
	RD32 GICR_CTLR, GICR
	// the ITS: queue (1 page), device and collection tables (flat, 64K pages)
	WR64 GITS+0x80, CMDQ | (1 << 63)
	RD64 CBASER, GITS+0x80
	WR64 GITS+0x100, DEVT | (1 << 63) | (2 << 8)
	WR64 GITS+0x108, COLT | (1 << 63) | (2 << 8)
	RD64 BASER0, GITS+0x100
	RD64 BASER1, GITS+0x108
	WR32 GITS, 1
	RD32 GITS_CTLR, GITS
	CMD 0, 0x09, 0, (1 << 63) | (0 << 16) | 0, 0		// MAPC col 0 -> rd 0
	CMD 1, 0x08, 1, (1 << 63) | ITT0, 0			// MAPD dev 0, 2 bits
	CMD 2, 0x0a, (8192 << 32) | 0, 0, 0			// MAPTI dev 0 ev 0 -> 8192 col 0
	CMD 3, 0x0b, 1, 0, 0					// MAPI dev 0 ev 1 -> 1: bad INTID
	CMD 4, 0x03, 0, 0, 0					// INT dev 0 ev 0
	CMD 5, 0x05, 0, 0, 0					// SYNC
	KICK 6
	IRQSTATE
	PEND pending_table
	ACK
	PEND pending_after_ack
	IRQSTATE
	// the ITT and DTE as QEMU writes them
	RD64 DTE0, DEVT
	RD64 ITE0_lo, ITT0
	RD32 ITE0_hi, ITT0+8
	RD64 CTE0, COLT
	// an MSI written by the CPU: DeviceID 0
	WR32 GITS_TRANSLATER, 0
	IRQSTATE
	ACK
	// event 2 is not mapped, event 5 is beyond the device's 4
	WR32 GITS_TRANSLATER, 2
	WR32 GITS_TRANSLATER, 5
	IRQSTATE
	// INT then CLEAR: nothing left
	CMD 6, 0x03, 0, 0, 0
	CMD 7, 0x04, 0, 0, 0
	KICK 8
	IRQSTATE
	// MAPI dev 0 ev 1 (LPI 1?), then MAPTI ev 1 -> 8193; disable 8193 in the table
	CMD 8, 0x0a, (8193 << 32) | 1, 0, 0
	KICK 9
	ldr x1, =PROPB + 1
	mov w0, #0xa0
	strb w0, [x1]
	CMD 9, 0x03, 1, 0, 0					// INT ev 1 (no INV: cached?)
	KICK 10
	IRQSTATE
	PEND pending_8193
	CMD 10, 0x0c, 1, 0, 0					// INV dev 0 ev 1
	KICK 11
	IRQSTATE
	ldr x1, =PROPB + 1
	mov w0, #0x91
	strb w0, [x1]
	CMD 11, 0x0d, 0, 0, 0					// INVALL col 0
	KICK 12
	IRQSTATE
	ACK
	// DISCARD ev 0, then INT ev 0: nothing
	CMD 12, 0x0f, 0, 0, 0
	CMD 13, 0x03, 0, 0, 0
	KICK 14
	IRQSTATE
	RD64 ITE0_lo_discarded, ITT0
	// unknown command, MAPD beyond the device table (8192 entries), MAPC to CPU 1 (none)
	CMD 14, 0x3f, 0, 0, 0
	CMD 15, (0x10000 << 32) | 0x08, 1, (1 << 63) | ITT1, 0
	CMD 16, 0x09, 0, (1 << 63) | (1 << 16) | 1, 0
	KICK 17
	// MAPD dev 1 with its ITT where nothing is: MAPTI must write there
	CMD 17, (1 << 32) | 0x08, 1, (1 << 63) | 0x100000000000, 0
	CMD 18, (1 << 32) | 0x0a, (8194 << 32) | 0, 0, 0
	CMD 19, 0x05, 0, 0, 0
	KICK 20
	RD64 CWRITER, GITS+0x88
	// a write without Retry while stalled
	KICK 20
	// the CPU's MSI for dev 1 reads that ITT
	ldr x1, =GITS_TRANSLATER
	mov w0, #0
	mov x19, #4
	str w0, [x1]
	SAY "after translater\n"
	// Retry: the same command fails again
	WR64 GITS+0x88, (20 * 32) | 1
	RD64 CREADR_retry, GITS+0x90
	// skip it by writing CREADR (GICD_CTLR.DS = 1)
	WR64 GITS+0x90, 19 * 32
	RD64 CREADR_skip, GITS+0x90
	KICK 20
	// CWRITER past the queue's end
	WR64 GITS+0x88, 0x1000
	RD64 CREADR_past, GITS+0x90
	WR64 GITS+0x88, 20 * 32
	// the queue itself where nothing is
	WR32 GITS, 0
	WR64 GITS+0x80, 0x100000000000 | (1 << 63)
	WR32 GITS, 1
	RD64 CBASER_badq, GITS+0x80
	RD64 CREADR_badq0, GITS+0x90
	RD64 CWRITER_badq0, GITS+0x88
	WR64 GITS+0x88, 32
	RD64 CREADR_badq, GITS+0x90
	WR64 GITS+0x88, 96
	RD64 CREADR_badq3, GITS+0x90
	RD32 GITS_CTLR, GITS
	// what resets CREADR: a CBASER write, enabling?
	WR32 GITS, 0
	WR64 GITS+0x80, CMDQ | (1 << 63)
	RD64 CREADR_cbaser, GITS+0x90
	WR64 GITS+0x90, 0x40
	WR64 GITS+0x88, 0x1000
	WR32 GITS, 1
	RD64 CREADR_enable, GITS+0x90
	WR32 GITS, 0
	WR64 GITS+0x80, 0x100000000000 | (1 << 63)
	WR64 GITS+0x88, 0x60
	WR32 GITS, 1
	// disable and enable again: where does CREADR go?
	WR32 GITS, 0
	RD64 CREADR_disabled, GITS+0x90
	WR64 GITS+0x88, 0
	RD64 CREADR_disabled_cw0, GITS+0x90
	WR32 GITS, 1
	RD64 CREADR_reenabled, GITS+0x90
	// the queue where RAM is, but the device table where nothing is
	WR32 GITS, 0
	WR64 GITS+0x80, CMDQ | (1 << 63)
	WR64 GITS+0x100, 0x100000000000 | (1 << 63) | (2 << 8)
	WR32 GITS, 1
	RD64 CREADR_dt0, GITS+0x90
	CMD 0, (2 << 32) | 0x08, 1, (1 << 63) | ITT1, 0	// MAPD dev 2
	CMD 1, 0x05, 0, 0, 0
	KICK 2
	END
