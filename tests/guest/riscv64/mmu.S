/* Sv39/Sv48: page faults with scause/stval, hardware A/D update, SUM, MXR,
 * MPRV, superpages (and misaligned ones), non-canonical addresses,
 * sfence.vma after a PTE change, WARL satp MODE, U-mode fetch rules. */
#include "common.h"

#define V 1
#define R 2
#define W 4
#define X 8
#define U 16
#define G 32
#define A 64
#define D 128

/* table[idx] = leaf/pointer to the page at label with flags */
#define MAP(table, idx, label, flags) \
	la t0, label; srli t0, t0, 12; slli t0, t0, 10; ori t0, t0, flags; \
	la t1, table; sd t0, (idx) * 8(t1)
#define EXPECT(label) la t0, label; la t1, resume; sd t0, 0(t1); li s8, -1
#define VA(n) (0x40000000 + (n) * 0x1000)

TEST_START
main:
	la t0, m_handler
	csrw mtvec, t0
	li t0, -1
	csrw pmpaddr0, t0
	li t0, 0x1f
	csrw pmpcfg0, t0
	li t0, (1 << 12) | (1 << 13) | (1 << 15)
	csrw medeleg, t0
	la t0, s_handler
	csrw stvec, t0
	/* root[2]: 1 GiB identity for RAM (kernel-like: RWX, global) */
	li t0, (0x80000000 >> 12) << 10 | V | R | W | X | G | A | D
	la t1, pt_root
	sd t0, 2 * 8(t1)
	/* root[3]: a misaligned 1 GiB superpage (PPN not 1 GiB aligned) */
	li t0, ((0x80000000 + 0x200000) >> 12) << 10 | V | R | W | A | D
	sd t0, 3 * 8(t1)
	/* root[1] -> l1 -> l0: 0x40000000 + n * 4K */
	MAP(pt_root, 1, pt_l1, V)
	MAP(pt_l1, 0, pt_l0, V)
	MAP(pt_l0, 0, page0, V | R | W)			/* A/D clear */
	MAP(pt_l0, 1, page1, V | R | A)			/* read-only */
	MAP(pt_l0, 3, page3, V | R | W | U | A | D)	/* user */
	MAP(pt_l0, 4, page4, V | X | A)			/* execute-only */
	MAP(pt_l0, 5, code5, V | X | A)			/* code */
	MAP(pt_l0, 6, code6, V | X | U | A)		/* code for U */
	MAP(pt_l0, 7, page0, V | W | A | D)		/* W without R: reserved */
	/* l1[1]: a 2 MiB superpage at VA 0x40200000 -> page area */
	la t0, big
	srli t0, t0, 12
	slli t0, t0, 10
	ori t0, t0, V | R | W | A | D
	la t1, pt_l1
	sd t0, 1 * 8(t1)
	la t0, pt_root
	srli t0, t0, 12
	li t1, 8 << 60
	or t0, t0, t1
	csrw satp, t0
	sfence.vma
	/* enter S */
	li t0, 3 << 11
	csrc mstatus, t0
	li t0, 1 << 11
	csrs mstatus, t0
	la t0, in_s
	csrw mepc, t0
	mret
in_s:
	/* identity-mapped RAM works; A/D get set by the walker */
	li s0, VA(0)
	ld t1, 0(s0)
	CHECK(t1, 0x1111, 1)
	la t0, pt_l0
	ld t1, 0(t0)
	andi t2, t1, A | D
	CHECK(t2, A, 2)
	li t1, 0x2222
	sd t1, 8(s0)
	ld t1, 0(t0)
	andi t2, t1, A | D
	CHECK(t2, A | D, 3)
	la t0, page0
	ld t1, 8(t0)
	CHECK(t1, 0x2222, 4)
	/* store to read-only page: store page fault, stval = VA */
	li s0, VA(1)
	ld t1, 0(s0)
	EXPECT(1f)
2:	sd t1, 16(s0)
1:	CHECK(s8, 15, 10)
	addi t0, s0, 16
	bne s10, t0, bad
	la t0, 2b
	bne s9, t0, bad
	/* unmapped: load page fault */
	li s0, VA(2)
	EXPECT(1f)
	lw t1, 4(s0)
1:	CHECK(s8, 13, 11)
	addi t0, s0, 4
	bne s10, t0, bad
	/* reserved W-without-R PTE */
	li s0, VA(7)
	EXPECT(1f)
	ld t1, 0(s0)
1:	CHECK(s8, 13, 12)
	/* user page from S: fault without SUM, fine with it */
	li s0, VA(3)
	EXPECT(1f)
	ld t1, 0(s0)
1:	CHECK(s8, 13, 13)
	li t0, 1 << 18
	csrs sstatus, t0
	ld t1, 0(s0)
	CHECK(t1, 0x3333, 14)
	csrc sstatus, t0
	EXPECT(1f)
	sd t1, 0(s0)
1:	CHECK(s8, 15, 15)
	/* execute-only page: loads fault unless MXR */
	li s0, VA(4)
	EXPECT(1f)
	ld t1, 0(s0)
1:	CHECK(s8, 13, 16)
	li t0, 1 << 19
	csrs sstatus, t0
	ld t1, 0(s0)
	CHECK(t1, 0x4444, 17)
	csrc sstatus, t0
	/* fetch from a non-executable page: instruction page fault, stval = VA */
	li s0, VA(0)
	EXPECT(1f)
	jalr s0
1:	CHECK(s8, 12, 18)
	bne s10, s0, bad
	bne s9, s0, bad
	/* code reached through a mapping runs (and returns a marker) */
	li s0, VA(5)
	jalr s0
	CHECK(a0, 0x5555, 19)
	/* S cannot execute a U page */
	li s0, VA(6)
	EXPECT(1f)
	jalr s0
1:	CHECK(s8, 12, 20)
	/* 2 MiB superpage */
	li s0, 0x40200000 + 0x238
	la t0, big
	li t1, 0x77
	sd t1, 0x238(t0)
	ld t1, 0(s0)
	CHECK(t1, 0x77, 21)
	/* remap the 2 MiB superpage; sfence.vma of another address inside it
	 * must drop the cached translation of this one too */
	la t0, pt_l1
	ld t1, 8(t0)
	li t2, 0x2000 >> 2		/* PPN + 2 pages: no longer 2 MiB aligned */
	add t1, t1, t2
	sd t1, 8(t0)
	li t0, 0x40200000 + 0x5000
	sfence.vma t0
	EXPECT(1f)
	ld t1, 0(s0)			/* misaligned superpage now: page fault */
1:	CHECK(s8, 13, 26)
	la t0, pt_l1
	ld t1, 8(t0)
	li t2, 0x2000 >> 2
	sub t1, t1, t2
	sd t1, 8(t0)
	sfence.vma
	ld t1, 0(s0)
	CHECK(t1, 0x77, 27)
	/* misaligned superpage: page fault */
	li s0, 0xc0000000
	EXPECT(1f)
	ld t1, 0(s0)
1:	CHECK(s8, 13, 22)
	/* non-canonical address: page fault */
	li s0, 0x0000008000000000
	EXPECT(1f)
	ld t1, 0(s0)
1:	CHECK(s8, 13, 23)
	bne s10, s0, bad
	/* change a PTE, sfence.vma the address, see the new page */
	li s0, VA(1)
	ld t1, 0(s0)
	CHECK(t1, 0x5151, 24)
	MAP(pt_l0, 1, page3, V | R | A)
	li s0, VA(1)
	sfence.vma s0
	ld t1, 0(s0)
	CHECK(t1, 0x3333, 25)
	/* ASIDs: a satp write to another root and ASID, without sfence.vma,
	 * must not reuse the old ASID's non-global entry for VA(1); the global
	 * identity mapping the code runs from is the same in both */
	la t1, pt_root
	ld t0, 2 * 8(t1)
	la t1, pt_root2
	sd t0, 2 * 8(t1)
	MAP(pt_root2, 1, pt_l1b, V)
	MAP(pt_l1b, 0, pt_l0b, V)
	MAP(pt_l0b, 1, page4, V | R | A)
	csrr s1, satp
	la t0, pt_root2
	srli t0, t0, 12
	li t1, (8 << 60) | (2 << 44)
	or t0, t0, t1
	csrw satp, t0
	li s0, VA(1)
	ld t1, 0(s0)
	CHECK(t1, 0x4444, 40)
	csrw satp, s1
	ld t1, 0(s0)
	CHECK(t1, 0x3333, 41)
	/* to M: MPRV with MPP = S translates M's loads */
	EXPECT(in_m)
	ecall
in_m:
	CHECK(s8, 9, 30)
	li t0, (1 << 17) | (1 << 11)	/* MPRV, MPP = S */
	csrs mstatus, t0
	li s0, VA(0)
	ld t1, 0(s0)
	CHECK(t1, 0x1111, 31)
	li t0, 1 << 17
	csrc mstatus, t0
	/* satp: unsupported MODE is ignored; Sv48 accepted */
	csrr s1, satp
	li t0, 7 << 60
	csrw satp, t0
	csrr t1, satp
	bne t1, s1, bad
	/* Sv48: root48[0] -> the Sv39 root as the level-2 table */
	MAP(pt_root48, 0, pt_root, V)
	la t0, pt_root48
	srli t0, t0, 12
	li t1, 9 << 60
	or t0, t0, t1
	csrw satp, t0
	sfence.vma
	csrr t1, satp
	srli t1, t1, 60
	CHECK(t1, 9, 32)
	li t0, 3 << 11
	csrc mstatus, t0
	li t0, 1 << 11
	csrs mstatus, t0
	la t0, 2f
	csrw mepc, t0
	mret
2:	li s0, VA(3)			/* now mapped to page3 through Sv48 */
	li t0, 1 << 18
	csrs sstatus, t0
	ld t1, 0(s0)
	CHECK(t1, 0x3333, 33)
	/* U mode: code on a U page runs; S pages fault */
	li t0, 1 << 8
	csrc sstatus, t0
	li t0, VA(6)
	csrw sepc, t0
	EXPECT(1f)
	sret				/* code5 in U: loads a marker then ecalls */
1:	CHECK(s8, 8, 34)		/* ecall from U went to M (not delegated) */
	CHECK(a0, 0x5555, 35)
	j test_pass
bad:	FAIL(99)

	.align 2
m_handler:
	csrr s8, mcause
	csrr s9, mepc
	csrr s10, mtval
	la t0, resume
	ld t0, 0(t0)
	csrw mepc, t0
	li t0, 3 << 11
	csrs mstatus, t0
	mret
	.align 2
s_handler:
	csrr s8, scause
	csrr s9, sepc
	csrr s10, stval
	la t0, resume
	ld t0, 0(t0)
	csrw sepc, t0
	li t0, 1 << 8
	csrs sstatus, t0
	sret

	/* position-independent code reached through the test mappings */
	.align 12
code5:
	li a0, 0x5555
	ret
	.align 12
code6:
	li a0, 0x5555
	ecall
	.align 12
	.data
	.align 3
resume:	.dword 0
	.align 12
pt_root: .skip 4096
pt_l1:	.skip 4096
pt_l0:	.skip 4096
pt_root48: .skip 4096
pt_root2: .skip 4096
pt_l1b:	.skip 4096
pt_l0b:	.skip 4096
page0:	.dword 0x1111
	.align 12
page1:	.dword 0x5151
	.align 12
page3:	.dword 0x3333
	.align 12
page4:	.dword 0x4444
	.align 12
	.align 21
big:	.skip 0x2000
	.text
TEST_END
