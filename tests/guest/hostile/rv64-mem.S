/*
 * Hostile loads, stores, AMOs and fetches at M, S and U, with translation
 * off and on (Sv39): misaligned accesses to page 0 (VA 1, 9, 0x11: the
 * addresses that once matched an invalid soft-TLB entry), misaligned
 * accesses inside RAM and across into an unmapped page, every load/store
 * class (integer, compressed, FP, LR/SC, AMO) and fetches from unmapped
 * pages. Each probe's outcome (its value, or the trap's mcause and mtval)
 * is logged in memory and printed at the end on the 16550 UART, one line
 * a probe, so the run can be compared line by line with QEMU's.
 * Every trap goes to M (nothing delegated); an ecall ends a phase.
 */
#define UART 0x10000000
#define TEST_DEV 0x100000
#define DATA_VA 0x40000000	/* Sv39: the data page; the next page is unmapped */

#define V 1
#define R 2
#define W 4
#define X 8
#define U 16
#define G 32
#define A 64
#define D 128

/* Append {id, 0, a0, 0} (the probe ran) to the log. */
#define OK la t5, log_ptr; ld t6, 0(t5); sd s0, 0(t6); sd zero, 8(t6); sd a0, 16(t6); \
	sd zero, 24(t6); addi t6, t6, 32; sd t6, 0(t5)
/* Probe n: run the instructions; the trap handler sets s1 when one traps. */
#define P(n, ...) li s0, n; li s1, 0; li a0, 0x5a5a; __VA_ARGS__; bnez s1, 99f; OK; 99:

	.section .text.init
	.globl _start
_start:
	csrr t0, mhartid
	bnez t0, park
	la sp, stack_top
	la t0, mtrap
	csrw mtvec, t0
	la t0, save_area
	csrw mscratch, t0
	li t0, 1 << 13		/* FS = initial */
	csrs mstatus, t0
	li t0, -1		/* PMP: S and U may use everything */
	csrw pmpaddr0, t0
	li t0, 0x1f
	csrw pmpcfg0, t0
	/* Sv39 tables: root[2] 1 GiB identity for RAM; root[1] -> l1 -> l0,
	 * l0[0] = the data page at DATA_VA; DATA_VA + 4K unmapped. One set
	 * for S (no U bits) and one for U. */
	la a0, root_s
	la a1, l1_s
	la a2, l0_s
	li a3, 0
	call build_tables
	la a0, root_u
	la a1, l1_u
	la a2, l0_u
	li a3, U
	call build_tables
	li t0, 0xc000000	/* PLIC: priorities of sources 1 and 2 */
	li t1, 7
	sw t1, 4(t0)
	li t1, 5
	sw t1, 8(t0)

/* Set the arguments of phase (the probes clobber a0-a5). */
#define PHASE(mode, entry) li a0, mode; la a1, entry; li a2, 0; call phase
#define PHASE_SV39(mode, entry, root) li a0, mode; la a1, entry; \
	la a2, root; srli a2, a2, 12; li t0, 8 << 60; or a2, a2, t0; call phase
	la s2, data
	PHASE(3, probes)		/* 1: M, bare */
	PHASE(1, probes)		/* 2: S, bare */
	PHASE(0, probes_u)		/* 3: U, bare */
	li s2, DATA_VA
	PHASE_SV39(1, probes, root_s)	/* 4: S, Sv39 */
	PHASE_SV39(0, probes_u, root_u)	/* 5: U, Sv39 */
	la s2, data
	PHASE(3, probes)		/* 6: M again, after the flushes */
	call print_log
	li t0, TEST_DEV
	li t1, 0x5555
	sw t1, 0(t0)
2:	j 2b

park:	wfi
	j park

/* build_tables(root a0, l1 a1, l0 a2, extra leaf bits a3) */
build_tables:
	li t0, (0x80000000 >> 12) << 10 | V | R | W | X | A | D
	or t0, t0, a3
	sd t0, 2 * 8(a0)
	srli t0, a1, 12
	slli t0, t0, 10
	ori t0, t0, V
	sd t0, 1 * 8(a0)
	srli t0, a2, 12
	slli t0, t0, 10
	ori t0, t0, V
	sd t0, 0(a1)
	la t0, data
	srli t0, t0, 12
	slli t0, t0, 10
	ori t0, t0, V | R | W | X | A | D
	or t0, t0, a3
	sd t0, 0(a2)
	ret

/* phase(mode a0, entry a1, satp a2): log a phase marker, run the probes
 * in that mode until they ecall. */
phase:
	/* the data page afresh: byte i = i ^ 0x5a; its last halfword and the
	 * next page's first two make a 32-bit nop and a c.jr ra (fetch probe) */
	la t0, data
	li t1, 0
1:	xori t2, t1, 0x5a
	add t3, t0, t1
	sb t2, 0(t3)
	addi t1, t1, 1
	li t2, 4096
	blt t1, t2, 1b
	li t1, 4096
	add t1, t0, t1
	li t2, 0x0013
	sh t2, -2(t1)
	sh zero, 0(t1)
	li t2, 0x8082
	sh t2, 2(t1)
	fence.i
	la t5, log_ptr
	ld t6, 0(t5)
	la t0, phase_no
	ld t1, 0(t0)
	addi t1, t1, 1
	sd t1, 0(t0)
	sd t1, 0(t6)
	li t0, 2
	sd t0, 8(t6)
	sd zero, 16(t6)
	sd zero, 24(t6)
	addi t6, t6, 32
	sd t6, 0(t5)
	csrw satp, a2
	sfence.vma
	li t0, 3 << 11
	csrc mstatus, t0
	slli t0, a0, 11
	csrs mstatus, t0
	csrw mepc, a1
	la t0, phase_sp
	sd sp, 0(t0)
	sd ra, 8(t0)
	mret

phase_end:	/* from the handler, in M: back to phase's caller */
	la t0, phase_sp
	ld sp, 0(t0)
	ld ra, 8(t0)
	ret

/* M-mode trap handler: log {id s0, 1, mcause, mtval}, set s1, resume
 * after the instruction (after the jalr for a fetch fault); ecall ends
 * the phase. */
	.align 2
mtrap:
	csrrw t0, mscratch, t0
	sd t1, 0(t0)
	sd t2, 8(t0)
	sd t3, 16(t0)
	csrr t1, mcause
	li t2, 8
	beq t1, t2, 3f
	li t2, 9
	beq t1, t2, 3f
	li t2, 11
	beq t1, t2, 3f
	la t2, log_ptr
	ld t3, 0(t2)
	sd s0, 0(t3)
	li t1, 1
	sd t1, 8(t3)
	csrr t1, mcause
	sd t1, 16(t3)
	csrr t1, mtval
	sd t1, 24(t3)
	addi t3, t3, 32
	sd t3, 0(t2)
	li s1, 1
	csrr t1, mcause
	li t2, 1
	beq t1, t2, 2f
	li t2, 12
	beq t1, t2, 2f
	csrr t1, mepc
	lhu t2, 0(t1)
	andi t2, t2, 3
	li t3, 3
	addi t1, t1, 2
	bne t2, t3, 1f
	addi t1, t1, 2
1:	csrw mepc, t1
	j 4f
2:	csrw mepc, ra
4:	ld t1, 0(t0)
	ld t2, 8(t0)
	ld t3, 16(t0)
	csrrw t0, mscratch, t0
	mret
3:	ld t1, 0(t0)
	ld t2, 8(t0)
	ld t3, 16(t0)
	csrrw t0, mscratch, t0
	j phase_end

/* The probes; s2 = the data page in this phase's address space. */
probes:
	/* an S/M-only flush first: entries filled before become invalid */
	ld t0, 0(s2)
	sfence.vma
probes_u:
	P(1, lb a0, 1(zero))
	P(2, lh a0, 1(zero))
	P(3, lw a0, 1(zero))
	P(4, ld a0, 1(zero))
	P(5, ld a0, 9(zero))
	P(6, ld a0, 0x11(zero))
	P(7, lhu a0, 1(zero))
	P(8, lwu a0, 1(zero))
	P(9, li a5, 0xfff; lbu a0, 0(a5))
	P(10, sb a0, 1(zero))
	P(11, sh a0, 1(zero))
	P(12, sw a0, 1(zero))
	P(13, sd a0, 1(zero))
	P(14, sd a0, 9(zero))
	P(15, sd a0, 0x11(zero))
	P(16, flw ft0, 1(zero); fmv.x.d a0, ft0)
	P(17, fld ft0, 1(zero); fmv.x.d a0, ft0)
	P(18, fsw ft0, 1(zero))
	P(19, fsd ft0, 9(zero))
	P(20, li a5, 1; c.lw a0, 0(a5))
	P(21, li a5, 1; c.ld a0, 8(a5))
	P(22, li a5, 1; c.sw a0, 4(a5))
	P(23, li a5, 1; c.sd a0, 16(a5))
	P(24, li a5, 1; c.fld fa0, 0(a5); fmv.x.d a0, fa0)
	P(25, li a5, 1; lr.w a0, (a5))
	P(26, li a5, 9; lr.d a0, (a5))
	P(27, li a5, 1; sc.w a0, a0, (a5))
	P(28, li a5, 9; sc.d a0, a0, (a5))
	P(29, li a5, 1; amoadd.w a0, a0, (a5))
	P(30, li a5, 9; amoswap.d a0, a0, (a5))
	P(31, li a5, 0x11; amoor.d a0, a0, (a5))
	P(32, li a5, 0; lw a0, 0(a5))
	P(33, li a5, 8; ld a0, 0(a5))
	P(34, li a5, 0; amoadd.w a0, a0, (a5))
	/* fill the entry page 0's slot shares (DATA_VA and the data page both
	 * index slot 0), then page 0 again */
	P(35, ld a0, 0(s2); lw a0, 1(zero))
	P(36, ld a0, 0(s2); sd a0, 1(zero))
	P(37, ld a0, 8(s2); li a5, 1; amoadd.w a0, a0, (a5))
	/* fetches: page 0, the page after the data page, and a 32-bit
	 * instruction whose second half is on that page */
	P(60, li a1, 0; jalr ra, a1)
	P(61, li a1, 2; jalr ra, a1)
	P(62, li a1, 4098; add a1, a1, s2; jalr ra, a1)
	P(63, li a1, 4094; add a1, a1, s2; jalr ra, a1)
	/* ROM (the reset vector page): a store and an AMO leave it alone */
	P(38, li a5, 0x1000; lw a1, 0(a5); sw zero, 0(a5); lw a0, 0(a5); sub a0, a0, a1)
	P(39, li a5, 0x1000; lw a1, 0(a5); amoswap.w a2, zero, (a5); lw a3, 0(a5); \
	      sub a0, a2, a1; sub a3, a3, a1; or a0, a0, a3)
	/* a device: PLIC priorities 1 and 2 (7 and 5) read across */
	P(56, li a5, 0xc000005; lw a0, 0(a5))
	/* misaligned inside the data page, and across its end */
	P(40, lw a0, 1(s2))
	P(41, ld a0, 3(s2))
	P(42, lhu a0, 0x7ff(s2))
	P(43, flw ft0, 2(s2); fmv.x.d a0, ft0)
	P(44, fld ft0, 5(s2); fmv.x.d a0, ft0)
	P(45, li a1, 0x1122334455667788; sd a1, 0x101(s2); ld a0, 0x100(s2))
	P(46, ld a0, 0x108(s2))
	P(47, li a1, 0x0102030405060708; sw a1, 0x203(s2); ld a0, 0x200(s2))
	P(48, li a5, 2; add a5, a5, s2; lr.w a0, (a5))
	P(49, li a5, 4; add a5, a5, s2; amoadd.d a0, a0, (a5))
	P(50, li a5, 6; add a5, a5, s2; sc.w a0, a0, (a5))
	P(51, li a1, 4096; add a1, a1, s2; ld a0, -3(a1))
	P(52, li a1, 4096; add a1, a1, s2; lw a0, -1(a1))
	P(53, li a1, 4096; add a1, a1, s2; li a2, -1; sd a2, -5(a1); ld a0, -8(a1))
	P(54, li a1, 4096; add a1, a1, s2; ld a0, -8(a1))
	P(55, li a1, 4096; add a1, a1, s2; fld ft0, -4(a1); fmv.x.d a0, ft0)
	ecall

print_log:
	addi sp, sp, -32
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	la s0, log
	la t0, log_ptr
	ld s1, 0(t0)
1:	bgeu s0, s1, 9f
	ld t0, 8(s0)
	li t1, 2
	beq t0, t1, 4f
	li a0, 'P'
	call putc
	ld a0, 0(s0)
	call putdec
	ld t0, 8(s0)
	bnez t0, 2f
	la a0, s_ok
	call puts
	ld a0, 16(s0)
	call puthex
	j 3f
2:	la a0, s_trap
	call puts
	ld a0, 16(s0)
	call putdec
	la a0, s_tval
	call puts
	ld a0, 24(s0)
	call puthex
3:	li a0, '\n'
	call putc
	addi s0, s0, 32
	j 1b
4:	la a0, s_phase
	call puts
	ld a0, 0(s0)
	call putdec
	li a0, '\n'
	call putc
	addi s0, s0, 32
	j 1b
9:	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	addi sp, sp, 32
	ret

putc:
	li t0, UART
1:	lbu t1, 5(t0)
	andi t1, t1, 0x20
	beqz t1, 1b
	sb a0, 0(t0)
	ret
puts:
	addi sp, sp, -16
	sd ra, 0(sp)
	sd s0, 8(sp)
	mv s0, a0
1:	lbu a0, 0(s0)
	beqz a0, 2f
	call putc
	addi s0, s0, 1
	j 1b
2:	ld ra, 0(sp)
	ld s0, 8(sp)
	addi sp, sp, 16
	ret
puthex:
	addi sp, sp, -32
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	mv s0, a0
	li s1, 60
1:	srl a0, s0, s1
	andi a0, a0, 15
	addi a0, a0, '0'
	li t3, '9'
	ble a0, t3, 2f
	addi a0, a0, 39
2:	call putc
	addi s1, s1, -4
	bgez s1, 1b
	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	addi sp, sp, 32
	ret
putdec:
	addi sp, sp, -48
	sd ra, 0(sp)
	mv t4, a0
	addi t5, sp, 40
	sb zero, 0(t5)
1:	addi t5, t5, -1
	li t3, 10
	remu t2, t4, t3
	addi t2, t2, '0'
	sb t2, 0(t5)
	divu t4, t4, t3
	bnez t4, 1b
	mv a0, t5
	call puts
	ld ra, 0(sp)
	addi sp, sp, 48
	ret

	.data
s_ok: .asciz " ok "
s_trap: .asciz " trap cause "
s_tval: .asciz " tval "
s_phase: .asciz "phase "
	.align 3
log_ptr: .dword log
phase_no: .dword 0
phase_sp: .dword 0, 0
save_area: .dword 0, 0, 0, 0
	.align 12
data: .skip 8192
root_s: .skip 4096
l1_s: .skip 4096
l0_s: .skip 4096
root_u: .skip 4096
l1_u: .skip 4096
l0_u: .skip 4096
log: .skip 65536
stack: .skip 8192
stack_top: .skip 16
