/*
 * Helpers for the bare-metal RV64 guest tests (-bios none: the reset ROM
 * jumps to 0x80000000 in M-mode with a0 = hartid, a1 = DTB).
 * Results go to the SiFive test device: 0x5555 passes, (code << 16) | 0x3333
 * fails with code; messages go to the 16550 UART.
 */
#define TEST_DEV 0x100000
#define UART 0x10000000

/* Fail with code n (a small integer naming the check). */
#define FAIL(n) li a0, n; j test_fail
/* Check that register r equals the immediate v, else fail with code n. */
#define CHECK(r, v, n) li t6, v; beq r, t6, 1f; FAIL(n); 1:

#define TEST_START \
	.section .text.init; .globl _start; _start: \
	la sp, stack_top; la t0, trap_unexpected; csrw mtvec, t0; \
	li t0, 1 << 13; csrs mstatus, t0; j main

#define TEST_END \
test_pass: \
	li t0, TEST_DEV; li t1, 0x5555; sw t1, 0(t0); 1: j 1b; \
test_fail: \
	mv s11, a0; la a0, fail_msg; call puts; mv a0, s11; call putdec; \
	li a0, '\n'; call putc; \
	slli a0, s11, 16; li t1, 0x3333; or a0, a0, t1; \
	li t0, TEST_DEV; sw a0, 0(t0); 1: j 1b; \
trap_unexpected: \
	la a0, trap_msg; call puts; csrr a0, mcause; call puthex; \
	li a0, ' '; call putc; csrr a0, mepc; call puthex; \
	li a0, ' '; call putc; csrr a0, mtval; call puthex; \
	li a0, 250; j test_fail; \
putc: li t0, UART; 2: lbu t1, 5(t0); andi t1, t1, 0x20; beqz t1, 2b; sb a0, 0(t0); ret; \
puts: addi sp, sp, -16; sd ra, 0(sp); sd s0, 8(sp); mv s0, a0; \
	3: lbu a0, 0(s0); beqz a0, 4f; call putc; addi s0, s0, 1; j 3b; \
	4: ld ra, 0(sp); ld s0, 8(sp); addi sp, sp, 16; ret; \
puthex: addi sp, sp, -16; sd ra, 0(sp); sd s0, 8(sp); mv s0, a0; li t2, 60; \
	5: srl a0, s0, t2; andi a0, a0, 15; addi a0, a0, '0'; li t3, '9'; ble a0, t3, 6f; addi a0, a0, 39; \
	6: addi sp, sp, -16; sd t2, 0(sp); call putc; ld t2, 0(sp); addi sp, sp, 16; \
	addi t2, t2, -4; bgez t2, 5b; ld ra, 0(sp); ld s0, 8(sp); addi sp, sp, 16; ret; \
putdec: addi sp, sp, -48; sd ra, 0(sp); mv t4, a0; addi t5, sp, 40; sb zero, 0(t5); \
	7: addi t5, t5, -1; li t3, 10; remu t2, t4, t3; addi t2, t2, '0'; sb t2, 0(t5); divu t4, t4, t3; bnez t4, 7b; \
	mv a0, t5; call puts; ld ra, 0(sp); addi sp, sp, 48; ret; \
	.data; fail_msg: .asciz "FAIL code "; trap_msg: .asciz "unexpected trap: mcause/mepc/mtval "; \
	.align 12; stack: .skip 8192; stack_top: .skip 16

/* op rd, a, b and compare with the expected value (64-bit immediates ok). */
#define TEST_RR(op, a, b, exp, n) li s2, a; li s3, b; op s4, s2, s3; CHECK(s4, exp, n)
#define TEST_RI(op, a, imm, exp, n) li s2, a; op s4, s2, imm; CHECK(s4, exp, n)
