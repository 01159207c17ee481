/* F/D: rounding modes (static and dynamic), exact flags, NaN boxing,
 * canonical NaNs, fcvt saturation, fmin/fmax zeros and NaNs, compares,
 * fclass, fused multiply-add, FS tracking, reserved rounding modes. */
#include "common.h"

#define NX 1
#define UF 2
#define OF 4
#define DZ 8
#define NV 16

/* single: op with explicit rm, compare result bits and flags */
#define FS2(op, a, b, rm, exp, flags, n) \
	li t0, a; fmv.w.x ft0, t0; li t0, b; fmv.w.x ft1, t0; csrw fflags, zero; \
	op ft2, ft0, ft1, rm; fmv.x.w t1, ft2; slli t1, t1, 32; srli t1, t1, 32; \
	CHECK(t1, exp, n); csrr t1, fflags; CHECK(t1, flags, n + 1000)
#define FD2(op, a, b, rm, exp, flags, n) \
	li t0, a; fmv.d.x ft0, t0; li t0, b; fmv.d.x ft1, t0; csrw fflags, zero; \
	op ft2, ft0, ft1, rm; fmv.x.d t1, ft2; CHECK(t1, exp, n); csrr t1, fflags; CHECK(t1, flags, n + 1000)
#define FS2N(op, a, b, exp, flags, n) \
	li t0, a; fmv.w.x ft0, t0; li t0, b; fmv.w.x ft1, t0; csrw fflags, zero; \
	op ft2, ft0, ft1; fmv.x.w t1, ft2; slli t1, t1, 32; srli t1, t1, 32; \
	CHECK(t1, exp, n); csrr t1, fflags; CHECK(t1, flags, n + 1000)
#define FD2N(op, a, b, exp, flags, n) \
	li t0, a; fmv.d.x ft0, t0; li t0, b; fmv.d.x ft1, t0; csrw fflags, zero; \
	op ft2, ft0, ft1; fmv.x.d t1, ft2; CHECK(t1, exp, n); csrr t1, fflags; CHECK(t1, flags, n + 1000)
/* to integer */
#define FCVTI_S(op, a, rm, exp, flags, n) \
	li t0, a; fmv.w.x ft0, t0; csrw fflags, zero; op t1, ft0, rm; CHECK(t1, exp, n); \
	csrr t1, fflags; CHECK(t1, flags, n + 1000)
#define FCVTI_D(op, a, rm, exp, flags, n) \
	li t0, a; fmv.d.x ft0, t0; csrw fflags, zero; op t1, ft0, rm; CHECK(t1, exp, n); \
	csrr t1, fflags; CHECK(t1, flags, n + 1000)

TEST_START
main:
	/* 1 + 2^-24 is a tie in single precision */
	FS2(fadd.s, 0x3f800000, 0x33800000, rne, 0x3f800000, NX, 1)
	FS2(fadd.s, 0x3f800000, 0x33800000, rmm, 0x3f800001, NX, 2)
	FS2(fadd.s, 0x3f800000, 0x33800000, rup, 0x3f800001, NX, 3)
	FS2(fadd.s, 0x3f800000, 0x33800000, rdn, 0x3f800000, NX, 4)
	FS2(fadd.s, 0x3f800000, 0x33800000, rtz, 0x3f800000, NX, 5)
	FS2(fadd.s, 0xbf800000, 0xb3800000, rdn, 0xbf800001, NX, 6)
	FS2(fadd.s, 0xbf800000, 0xb3800000, rup, 0xbf800000, NX, 7)
	FS2(fadd.s, 0xbf800000, 0xb3800000, rmm, 0xbf800001, NX, 8)
	FS2(fsub.s, 0x3f800000, 0x3f800000, rne, 0x00000000, 0, 9)
	FS2(fsub.s, 0x3f800000, 0x3f800000, rdn, 0x80000000, 0, 10)	/* x - x = -0 in RDN */
	FS2(fmul.s, 0x7f000000, 0x40000000, rne, 0x7f800000, OF|NX, 11)
	FS2(fmul.s, 0x7f000000, 0x40000000, rtz, 0x7f7fffff, OF|NX, 12)
	FS2(fdiv.s, 0x3f800000, 0x00000000, rne, 0x7f800000, DZ, 13)
	FS2(fdiv.s, 0x00000000, 0x00000000, rne, 0x7fc00000, NV, 14)
	FS2(fdiv.s, 0x3f800000, 0x40400000, rne, 0x3eaaaaab, NX, 15)
	FS2(fdiv.s, 0x3f800000, 0x40400000, rtz, 0x3eaaaaaa, NX, 16)
	/* underflow: tiny and inexact */
	FS2(fmul.s, 0x00800001, 0x3f000000, rne, 0x00400000, UF|NX, 17)
	FS2(fmul.s, 0x00800000, 0x3f000000, rne, 0x00400000, 0, 18)	/* exact subnormal */
	/* sNaN input: NV, canonical result; qNaN input: no flag */
	FS2(fadd.s, 0x7f800001, 0x3f800000, rne, 0x7fc00000, NV, 19)
	FS2(fadd.s, 0x7fc00001, 0x3f800000, rne, 0x7fc00000, 0, 20)
	FD2(fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rne, 0x3ff0000000000000, NX, 30)
	FD2(fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rmm, 0x3ff0000000000001, NX, 31)
	FD2(fmul.d, 0x7fe0000000000000, 0x4000000000000000, rne, 0x7ff0000000000000, OF|NX, 32)
	FD2(fmul.d, 0x7fe0000000000000, 0x4000000000000000, rdn, 0x7fefffffffffffff, OF|NX, 33)
	FD2(fmul.d, 0xffe0000000000000, 0x4000000000000000, rdn, 0xfff0000000000000, OF|NX, 34)
	FD2(fdiv.d, 0xbff0000000000000, 0x0000000000000000, rne, 0xfff0000000000000, DZ, 35)
	FD2(fsub.d, 0x7ff0000000000000, 0x7ff0000000000000, rne, 0x7ff8000000000000, NV, 36)
	FD2(fmul.d, 0x0010000000000001, 0x3fe0000000000000, rne, 0x0008000000000000, UF|NX, 37)
	/* sqrt */
	li t0, 0xbf800000
	fmv.w.x ft0, t0
	csrw fflags, zero
	fsqrt.s ft1, ft0
	fmv.x.w t1, ft1
	CHECK(t1, 0x7fc00000, 40)
	csrr t1, fflags
	CHECK(t1, NV, 41)
	li t0, 0x4000000000000000
	fmv.d.x ft0, t0
	fsqrt.d ft1, ft0, rtz
	fmv.x.d t1, ft1
	CHECK(t1, 0x3ff6a09e667f3bcc, 42)
	fsqrt.d ft1, ft0, rup
	fmv.x.d t1, ft1
	CHECK(t1, 0x3ff6a09e667f3bcd, 43)
	/* dynamic rounding mode from frm */
	fsrmi 3				/* RUP */
	csrw fflags, zero
	li t0, 0x3f800000
	fmv.w.x ft0, t0
	li t0, 0x33800000
	fmv.w.x ft1, t0
	fadd.s ft2, ft0, ft1		/* dyn */
	fmv.x.w t1, ft2
	CHECK(t1, 0x3f800001, 50)
	frrm t1
	CHECK(t1, 3, 51)
	csrr t1, fcsr
	CHECK(t1, (3 << 5) | NX, 52)
	fsrmi 0
	/* a reserved frm makes dynamic-rm instructions illegal */
	la t0, 1f
	csrw mtvec, t0
	fsrmi 5
2:	fadd.s ft2, ft0, ft1
	j bad
	.align 2
1:	csrr t1, mcause
	CHECK(t1, 2, 53)
	csrr t1, mtval
	CHECK(t1, 0x00107153, 54)	/* the instruction bits */
	fsrmi 0
	la t0, trap_unexpected
	csrw mtvec, t0
	/* NaN boxing: a double in a register read as single is the canonical NaN */
	li t0, 0x3ff0000000000000
	fmv.d.x ft0, t0
	fadd.s ft1, ft0, ft0
	fmv.x.w t1, ft1
	CHECK(t1, 0x7fc00000, 60)
	fclass.s t1, ft0
	CHECK(t1, 0x200, 61)
	li t0, 0x3f800000
	fmv.w.x ft0, t0
	fmv.x.d t1, ft0
	CHECK(t1, 0xffffffff3f800000, 62)
	la s0, fdata
	li t0, 0x12345678
	sw t0, 0(s0)
	flw ft0, 0(s0)
	fmv.x.d t1, ft0
	CHECK(t1, 0xffffffff12345678, 63)
	fsw ft0, 8(s0)
	lwu t1, 8(s0)
	CHECK(t1, 0x12345678, 64)
	li t0, 0x80000000
	fmv.w.x ft0, t0
	fmv.x.w t1, ft0			/* sign-extends */
	CHECK(t1, 0xffffffff80000000, 65)
	/* fsgnj on singles keeps the box */
	li t0, 0x3f800000
	fmv.w.x ft0, t0
	li t0, 0xbf800000
	fmv.w.x ft1, t0
	fsgnjn.s ft2, ft0, ft1
	fmv.x.d t1, ft2
	CHECK(t1, 0xffffffff3f800000, 66)
	fsgnjx.s ft2, ft1, ft1
	fmv.x.w t1, ft2
	CHECK(t1, 0x3f800000, 67)
	fneg.d ft3, ft3
	/* conversions to integers: rounding, saturation, flags */
	FCVTI_S(fcvt.w.s, 0x7fc00000, rtz, 0x7fffffff, NV, 70)
	FCVTI_S(fcvt.w.s, 0x4f32d05e, rtz, 0x7fffffff, NV, 71)	/* 3e9 */
	FCVTI_S(fcvt.w.s, 0xcf32d05e, rtz, 0xffffffff80000000, NV, 72)
	FCVTI_S(fcvt.wu.s, 0xbf800000, rtz, 0, NV, 73)
	FCVTI_S(fcvt.wu.s, 0xbf000000, rtz, 0, NX, 74)		/* -0.5 -> 0, only inexact */
	FCVTI_S(fcvt.wu.s, 0x4f32d05e, rtz, 0xffffffffb2d05e00, 0, 75)	/* sign-extended */
	FCVTI_S(fcvt.l.s, 0xff800000, rtz, 0x8000000000000000, NV, 76)
	FCVTI_S(fcvt.lu.s, 0x7f800000, rtz, 0xffffffffffffffff, NV, 77)
	FCVTI_D(fcvt.l.d, 0x43e0000000000000, rtz, 0x7fffffffffffffff, NV, 78)	/* 2^63 */
	FCVTI_D(fcvt.l.d, 0xc3e0000000000000, rtz, 0x8000000000000000, 0, 79)	/* -2^63 exact */
	FCVTI_D(fcvt.l.d, 0x4004000000000000, rne, 2, NX, 80)	/* 2.5 */
	FCVTI_D(fcvt.l.d, 0x4004000000000000, rmm, 3, NX, 81)
	FCVTI_D(fcvt.l.d, 0xc004000000000000, rmm, -3, NX, 82)
	FCVTI_D(fcvt.l.d, 0xc004000000000000, rdn, -3, NX, 83)
	FCVTI_D(fcvt.l.d, 0xc004000000000000, rup, -2, NX, 84)
	FCVTI_D(fcvt.w.d, 0x41dfffffffc00000, rne, 0x7fffffff, 0, 85)	/* 2^31-1 */
	FCVTI_D(fcvt.w.d, 0x41dfffffffe00000, rne, 0x7fffffff, NV, 86)	/* 2^31-0.5 rounds up: out of range */
	FCVTI_D(fcvt.wu.d, 0x41efffffffe00000, rtz, 0xffffffffffffffff, 0, 87)	/* 2^32-1 */
	FCVTI_D(fcvt.lu.d, 0x43f0000000000000, rtz, 0xffffffffffffffff, NV, 88)	/* 2^64 */
	FCVTI_D(fcvt.lu.d, 0xbff0000000000000, rtz, 0, NV, 89)
	/* from integers */
	li t0, 0x1000001		/* 2^24 + 1: a tie in single */
	csrw fflags, zero
	fcvt.s.l ft0, t0, rne
	fmv.x.w t1, ft0
	CHECK(t1, 0x4b800000, 90)
	fcvt.s.l ft0, t0, rmm
	fmv.x.w t1, ft0
	CHECK(t1, 0x4b800001, 91)
	csrr t1, fflags
	CHECK(t1, NX, 92)
	li t0, -1
	fcvt.s.lu ft0, t0, rtz
	fmv.x.w t1, ft0
	CHECK(t1, 0x5f7fffff, 93)
	fcvt.d.wu ft0, t0
	fmv.x.d t1, ft0
	CHECK(t1, 0x41efffffffe00000, 94)
	fcvt.d.w ft0, t0
	fmv.x.d t1, ft0
	CHECK(t1, 0xbff0000000000000, 95)
	/* double <-> single */
	li t0, 0x3ff0000010000000	/* 1 + 2^-24 */
	fmv.d.x ft0, t0
	fcvt.s.d ft1, ft0, rne
	fmv.x.w t1, ft1
	CHECK(t1, 0x3f800000, 96)
	fcvt.s.d ft1, ft0, rmm
	fmv.x.w t1, ft1
	CHECK(t1, 0x3f800001, 97)
	li t0, 0x7ff0000000000001	/* sNaN */
	fmv.d.x ft0, t0
	csrw fflags, zero
	fcvt.s.d ft1, ft0
	fmv.x.w t1, ft1
	CHECK(t1, 0x7fc00000, 98)
	csrr t1, fflags
	CHECK(t1, NV, 99)
	li t0, 0x7f800001
	fmv.w.x ft0, t0
	fcvt.d.s ft1, ft0
	fmv.x.d t1, ft1
	CHECK(t1, 0x7ff8000000000000, 100)
	/* fmin/fmax */
	FS2N(fmin.s, 0x80000000, 0x00000000, 0x80000000, 0, 110)
	FS2N(fmax.s, 0x80000000, 0x00000000, 0x00000000, 0, 111)
	FS2N(fmin.s, 0x00000000, 0x80000000, 0x80000000, 0, 112)
	FS2N(fmin.s, 0x7fc00000, 0x3f800000, 0x3f800000, 0, 113)
	FS2N(fmin.s, 0x7f800001, 0x3f800000, 0x3f800000, NV, 114)
	FS2N(fmax.s, 0x7fc00000, 0x7fc00000, 0x7fc00000, 0, 115)
	FD2N(fmax.d, 0x7ff0000000000001, 0xbff0000000000000, 0xbff0000000000000, NV, 116)
	FD2N(fmin.d, 0x7ff8000000000001, 0x7ff8000000000002, 0x7ff8000000000000, 0, 117)
	/* compares */
	li t0, 0x7fc00000
	fmv.w.x ft0, t0
	csrw fflags, zero
	feq.s t1, ft0, ft0
	CHECK(t1, 0, 120)
	csrr t1, fflags
	CHECK(t1, 0, 121)
	flt.s t1, ft0, ft0
	CHECK(t1, 0, 122)
	csrr t1, fflags
	CHECK(t1, NV, 123)
	li t0, 0x80000000
	fmv.w.x ft1, t0
	fmv.w.x ft2, zero
	feq.s t1, ft1, ft2		/* -0 == +0 */
	CHECK(t1, 1, 124)
	fle.d t1, ft3, ft3
	li t0, 0x3ff0000000000000
	fmv.d.x ft0, t0
	li t0, 0x4000000000000000
	fmv.d.x ft1, t0
	flt.d t1, ft0, ft1
	CHECK(t1, 1, 125)
	fle.d t1, ft1, ft0
	CHECK(t1, 0, 126)
	/* fclass */
	li t0, 0xff800000
	fmv.w.x ft0, t0
	fclass.s t1, ft0
	CHECK(t1, 1, 130)
	li t0, 0x80000001
	fmv.w.x ft0, t0
	fclass.s t1, ft0
	CHECK(t1, 4, 131)
	li t0, 0x7f800001
	fmv.w.x ft0, t0
	fclass.s t1, ft0
	CHECK(t1, 0x100, 132)
	li t0, 0x8000000000000000
	fmv.d.x ft0, t0
	fclass.d t1, ft0
	CHECK(t1, 8, 133)
	li t0, 0x3ff0000000000000
	fmv.d.x ft0, t0
	fclass.d t1, ft0
	CHECK(t1, 0x40, 134)
	/* fused: (1+2^-52)(1-2^-53) - 1 = 2^-53 - 2^-105 exactly (unfused: 2^-53) */
	li t0, 0x3ff0000000000001
	fmv.d.x ft0, t0
	li t0, 0x3fefffffffffffff
	fmv.d.x ft1, t0
	li t0, 0x3ff0000000000000
	fmv.d.x ft2, t0
	fmsub.d ft3, ft0, ft1, ft2
	fmv.x.d t1, ft3
	CHECK(t1, 0x3c9ffffffffffffe, 140)
	fnmadd.d ft3, ft0, ft1, ft2	/* -(a*b) - c */
	fmv.x.d t1, ft3
	CHECK(t1, 0xc000000000000000, 141)
	li t0, 0x40000000
	fmv.w.x ft0, t0
	li t0, 0x40400000
	fmv.w.x ft1, t0
	li t0, 0x3f800000
	fmv.w.x ft2, t0
	fmadd.s ft3, ft0, ft1, ft2	/* 2*3+1 */
	fmv.x.w t1, ft3
	CHECK(t1, 0x40e00000, 142)
	fnmsub.s ft3, ft0, ft1, ft2	/* -(2*3)+1 */
	fmv.x.w t1, ft3
	CHECK(t1, 0xffffffffc0a00000, 143)
	/* 1 * 1 + 2^-24 is a tie in single: RNE keeps 1, RMM rounds away */
	li t0, 0x3f800000
	fmv.w.x ft0, t0
	li t0, 0x33800000
	fmv.w.x ft2, t0
	fmadd.s ft3, ft0, ft0, ft2, rne
	fmv.x.w t1, ft3
	CHECK(t1, 0x3f800000, 145)
	fmadd.s ft3, ft0, ft0, ft2, rmm
	fmv.x.w t1, ft3
	CHECK(t1, 0x3f800001, 146)
	li t0, 0x3ff0000000000000
	fmv.d.x ft0, t0
	li t0, 0xbca0000000000000	/* -2^-53 */
	fmv.d.x ft2, t0
	fnmsub.d ft3, ft0, ft0, ft2, rmm	/* -(1*1) + -2^-53: a tie, away from zero */
	fmv.x.d t1, ft3
	CHECK(t1, 0xbff0000000000001, 147)
	fnmsub.d ft3, ft0, ft0, ft2, rne
	fmv.x.d t1, ft3
	CHECK(t1, 0xbff0000000000000, 148)
	li t0, 0x3f800000
	fmv.w.x ft2, t0
	li t0, 0x7f800000
	fmv.w.x ft0, t0
	fmv.w.x ft1, zero
	csrw fflags, zero
	fmadd.s ft3, ft0, ft1, ft2	/* inf * 0 + 1: invalid */
	csrr t1, fflags
	CHECK(t1, NV, 144)
	/* FS: dirty after writes, SD mirrors it; FS=off makes FP illegal */
	csrr t1, mstatus
	srli t2, t1, 13
	andi t2, t2, 3
	CHECK(t2, 3, 150)
	bgez t1, bad			/* SD is bit 63 */
	li t0, 3 << 13
	csrc mstatus, t0
	la t0, 3f
	csrw mtvec, t0
4:	fadd.d ft0, ft0, ft0
	j bad
	.align 2
3:	csrr t1, mcause
	CHECK(t1, 2, 151)
	la t0, 5f
	csrw mtvec, t0
	csrr t1, fflags			/* FP CSRs are illegal too */
	j bad
	.align 2
5:	csrr t1, mcause
	CHECK(t1, 2, 152)
	j test_pass
bad:	FAIL(199)
	.data
	.align 4
fdata:	.skip 64
	.text
TEST_END
