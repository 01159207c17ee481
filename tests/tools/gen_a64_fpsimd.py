#!/usr/bin/env python3
# Generates differential test vectors for tests/unit/test_a64_fpsimd.c by
# running each instruction under qemu-aarch64 (inputs from a PRNG shared
# with the C test). Needs qemu-user (not a test dependency). The vectors it
# writes replace the generated case table in test_a64_fpsimd.c.
import subprocess, sys, os

M64 = (1 << 64) - 1

F32S = [0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
        0x7fc00000, 0x7fa00000, 0xffc00001, 0x00000001, 0x00800000, 0x007fffff,
        0x7f7fffff, 0x3f000000, 0x3fc00000, 0x40400000, 0x4f000000, 0xcf000000,
        0x5f000000, 0x4f800000, 0x3eaaaaab, 0x40490fdb, 0x3effffff, 0x3f7fffff,
        0x4b000001, 0xc0200000, 0x40200000, 0x3fa00000, 0x00400000, 0x80800000,
        0xdf000000, 0x477fe000]
F64S = [0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
        0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff4000000000000,
        0xfff8000000000001, 0x0000000000000001, 0x0010000000000000, 0x000fffffffffffff,
        0x7fefffffffffffff, 0x3fe0000000000000, 0x3ff8000000000000, 0x4008000000000000,
        0x41e0000000000000, 0xc1e0000000000000, 0x43e0000000000000, 0x41f0000000000000,
        0x3fd5555555555555, 0x400921fb54442d18, 0x3fdfffffffffffff, 0x3fefffffffffffff,
        0x4330000000000001, 0xc004000000000000, 0x4004000000000000, 0x3ff4000000000000,
        0x36a0000000000000, 0x47efffffe0000000, 0xc3e0000000000000, 0x380fffffffffffff]
BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x3f]


class Rng:
    def __init__(self, seed):
        self.s = (seed * 0x9E3779B97F4A7C15 + 1) & M64

    def next(self):
        s = self.s
        s ^= s >> 12
        s ^= (s << 25) & M64
        s ^= s >> 27
        self.s = s
        return (s * 0x2545F4914F6CDD1D) & M64


def gen64(r, kind):
    n = r.next()
    if kind == 'i':
        mode = n & 3
        v = r.next()
        if mode == 1:
            out = 0
            for i in range(8):
                out |= BYTES[(v >> (3 * i)) & 7] << (8 * i)
            return out
        if mode == 2:
            return v & 0x0f0f0f0f0f0f0f0f
        return v
    if kind == 'f':
        out = 0
        for lane in range(2):
            v = r.next()
            if v & 1:
                x = F32S[(v >> 1) % len(F32S)]
            else:
                sign = (v >> 63) & 1
                e = 97 + ((v >> 8) % 60) if v & 2 else (v >> 8) & 0xff
                x = sign << 31 | e << 23 | ((v >> 20) & 0x7fffff)
            out |= x << (32 * lane)
        return out
    if kind == 'd':
        v = r.next()
        if v & 1:
            return F64S[(v >> 1) % len(F64S)]
        sign = (v >> 63) & 1
        e = 1023 - 40 + ((v >> 8) % 80) if v & 2 else (v >> 8) & 0x7ff
        m = (v * 0x9E3779B97F4A7C15) & ((1 << 52) - 1)
        return sign << 63 | e << 52 | m
    if kind == 'h':
        out = 0
        for lane in range(4):
            v = r.next()
            out |= (v >> 7 & 0xffff) << (16 * lane)
        return out
    if kind == 'z':
        return 0
    raise ValueError(kind)


def inputs(seed, kinds):
    r = Rng(seed)
    v = []
    for k in kinds:
        v.append((gen64(r, k), gen64(r, k)))
    x = (gen64(r, 'i'), gen64(r, 'i'))
    return v, x

ARR_B = ['8b', '16b']
ARR_I = ['8b', '16b', '4h', '8h', '2s', '4s', '2d']
ARR_NO2D = ['8b', '16b', '4h', '8h', '2s', '4s']
ARR_HS = ['4h', '8h', '2s', '4s']
ARR_F = ['2s', '4s', '2d']
WIDE = {'8b': '8h', '16b': '8h', '4h': '4s', '8h': '4s', '2s': '2d', '4s': '2d'}
NARROW_OF = {'8h': '8b', '4s': '4h', '2d': '2s'}
NARROW2_OF = {'8h': '16b', '4s': '8h', '2d': '4s'}
PAIRW = {'8b': '4h', '16b': '8h', '4h': '2s', '8h': '4s', '2s': '1d', '4s': '2d'}
EBITS = {'b': 8, 'h': 16, 's': 32, 'd': 64}

cases = []   # (asm, kinds, fpcrs)
FP_FPCRS = [0, 0x400000, 0x800000, 0xc00000, 0x1000000, 0x2000000]


MULT = int(os.environ.get('MULT', '1'))
def add(asm, kinds='iiii', fpcrs=(0,), reps=2):
    for f in fpcrs:
        for _ in range(reps * MULT):
            cases.append((asm, kinds, f))


# integer three same
for op in ['add', 'sub', 'cmeq', 'cmge', 'cmgt', 'cmhi', 'cmhs', 'cmtst', 'sqadd', 'uqadd',
           'sqsub', 'uqsub', 'sshl', 'ushl', 'srshl', 'urshl', 'sqshl', 'uqshl', 'sqrshl',
           'uqrshl', 'addp']:
    for t in ARR_I:
        add(f'{op} v0.{t}, v1.{t}, v2.{t}', reps=1 if t in ('8b', '4h', '2s') else 2)
for op in ['shadd', 'uhadd', 'srhadd', 'urhadd', 'shsub', 'uhsub', 'smax', 'umax', 'smin',
           'umin', 'sabd', 'uabd', 'saba', 'uaba', 'mla', 'mls', 'mul', 'smaxp', 'umaxp',
           'sminp', 'uminp']:
    for t in ARR_NO2D:
        add(f'{op} v0.{t}, v1.{t}, v2.{t}', reps=1 if t in ('8b', '4h', '2s') else 2)
for op in ['sqdmulh', 'sqrdmulh']:
    for t in ARR_HS:
        add(f'{op} v0.{t}, v1.{t}, v2.{t}', reps=3)
    for r in 'hs':
        add(f'{op} {r}0, {r}1, {r}2', reps=3)
for t in ARR_B:
    add(f'pmul v0.{t}, v1.{t}, v2.{t}')
for op in ['and', 'bic', 'orr', 'orn', 'eor', 'bsl', 'bit', 'bif']:
    for t in ARR_B:
        add(f'{op} v0.{t}, v1.{t}, v2.{t}')
# scalar three same
for op in ['add', 'sub', 'cmeq', 'cmge', 'cmgt', 'cmhi', 'cmhs', 'cmtst', 'sshl', 'ushl',
           'srshl', 'urshl']:
    add(f'{op} d0, d1, d2')
for op in ['sqadd', 'uqadd', 'sqsub', 'uqsub', 'sqshl', 'uqshl', 'sqrshl', 'uqrshl']:
    for r in 'bhsd':
        add(f'{op} {r}0, {r}1, {r}2')
# three different
for op in ['saddl', 'uaddl', 'ssubl', 'usubl', 'sabal', 'uabal', 'sabdl', 'uabdl', 'smlal',
           'umlal', 'smlsl', 'umlsl', 'smull', 'umull']:
    for t in ['8b', '4h', '2s']:
        add(f'{op} v0.{WIDE[t]}, v1.{t}, v2.{t}')
        t2 = {'8b': '16b', '4h': '8h', '2s': '4s'}[t]
        add(f'{op}2 v0.{WIDE[t]}, v1.{t2}, v2.{t2}', reps=1)
for op in ['saddw', 'uaddw', 'ssubw', 'usubw']:
    for t in ['8b', '4h', '2s']:
        add(f'{op} v0.{WIDE[t]}, v1.{WIDE[t]}, v2.{t}')
for op in ['sqdmlal', 'sqdmlsl', 'sqdmull']:
    for t in ['4h', '2s']:
        add(f'{op} v0.{WIDE[t]}, v1.{t}, v2.{t}', reps=3)
    add(f'{op} s0, h1, h2', reps=2)
    add(f'{op} d0, s1, s2', reps=2)
for op in ['addhn', 'raddhn', 'subhn', 'rsubhn']:
    for w in ['8h', '4s', '2d']:
        add(f'{op} v0.{NARROW_OF[w]}, v1.{w}, v2.{w}')
        add(f'{op}2 v0.{NARROW2_OF[w]}, v1.{w}, v2.{w}', reps=1)
add('pmull v0.8h, v1.8b, v2.8b')
add('pmull2 v0.8h, v1.16b, v2.16b')
# two-reg misc
for t in ARR_B:
    for op in ['rev16', 'rev32', 'rev64', 'cnt', 'not', 'rbit']:
        add(f'{op} v0.{t}, v1.{t}', reps=1)
for t in ['4h', '8h']:
    for op in ['rev32', 'rev64']:
        add(f'{op} v0.{t}, v1.{t}', reps=1)
add('rev64 v0.4s, v1.4s', reps=1)
for t in ARR_NO2D:
    for op in ['cls', 'clz']:
        add(f'{op} v0.{t}, v1.{t}')
    for op in ['saddlp', 'uaddlp', 'sadalp', 'uadalp']:
        add(f'{op} v0.{PAIRW[t]}, v1.{t}')
for t in ARR_I:
    for op in ['suqadd', 'usqadd', 'sqabs', 'sqneg', 'abs', 'neg']:
        add(f'{op} v0.{t}, v1.{t}')
    for op in ['cmgt', 'cmge', 'cmeq', 'cmle', 'cmlt']:
        add(f'{op} v0.{t}, v1.{t}, #0')
for op in ['suqadd', 'usqadd', 'sqabs', 'sqneg']:
    for r in 'bhsd':
        add(f'{op} {r}0, {r}1')
for op in ['abs', 'neg']:
    add(f'{op} d0, d1')
for op in ['cmgt', 'cmge', 'cmeq', 'cmle', 'cmlt']:
    add(f'{op} d0, d1, #0')
for w in ['8h', '4s', '2d']:
    for op in ['xtn', 'sqxtn', 'uqxtn', 'sqxtun']:
        add(f'{op} v0.{NARROW_OF[w]}, v1.{w}')
        add(f'{op}2 v0.{NARROW2_OF[w]}, v1.{w}', reps=1)
for op in ['sqxtn', 'uqxtn', 'sqxtun']:
    add(f'{op} b0, h1')
    add(f'{op} h0, s1')
    add(f'{op} s0, d1')
for t in ['8b', '4h', '2s']:
    add(f'shll v0.{WIDE[t]}, v1.{t}, #{EBITS[t[-1]]}', reps=1)
add('shll2 v0.8h, v1.16b, #8', reps=1)
# across lanes
for t in ['8b', '16b', '4h', '8h', '4s']:
    for op in ['addv', 'smaxv', 'umaxv', 'sminv', 'uminv', 'saddlv', 'uaddlv']:
        r = {'b': 'b', 'h': 'h', 's': 's'}[t[-1]]
        if op in ('saddlv', 'uaddlv'):
            r = {'b': 'h', 'h': 's', 's': 'd'}[t[-1]]
        add(f'{op} {r}0, v1.{t}')
add('addp d0, v1.2d')
# copy
for i in range(16):
    add(f'dup v0.16b, v1.b[{i}]', reps=1) if i % 5 == 0 else None
for t, n in [('8b', 'b'), ('4h', 'h'), ('8h', 'h'), ('2s', 's'), ('4s', 's'), ('2d', 'd')]:
    add(f'dup v0.{t}, v1.{n}[1]', reps=1)
    add(f'dup v0.{t}, {"x" if n == "d" else "w"}0', reps=1)
for n, idx in [('b', 9), ('h', 5), ('s', 3), ('d', 1)]:
    add(f'mov v0.{n}[{idx}], v1.{n}[0]', reps=1)
    add(f'mov v0.{n}[{idx // 2}], {"x" if n == "d" else "w"}1', reps=1)
    add(f'mov {n}0, v1.{n}[{idx}]', reps=1)
    add(f'umov {"x" if n == "d" else "w"}0, v1.{n}[{idx}]', reps=1)
for n, idx in [('b', 9), ('h', 5)]:
    add(f'smov w0, v1.{n}[{idx}]', reps=2)
    add(f'smov x0, v1.{n}[{idx}]', reps=2)
add('smov x0, v1.s[3]', reps=2)
# modified immediate
for s in ['movi v0.16b, #0x81', 'movi v0.8b, #0xff', 'movi v0.4h, #0x12, lsl #8',
          'movi v0.4s, #0xab, lsl #24', 'movi v0.2s, #0x7f, msl #16', 'movi v0.2d, #0xff00ff0000ff00ff',
          'movi d0, #0xffffffff00000000', 'mvni v0.8h, #0x34', 'mvni v0.4s, #0x55, lsl #16',
          'mvni v0.2s, #0x12, msl #8', 'orr v0.4s, #0x12, lsl #8', 'orr v0.4h, #0x80',
          'bic v0.8h, #0xff', 'bic v0.2s, #0x3, lsl #24', 'fmov v0.4s, #1.0',
          'fmov v0.2s, #-3.5', 'fmov v0.2d, #0.125']:
    add(s, reps=1)
# shifts by immediate
for t in ARR_I:
    b = EBITS[{'b': 'b', 'h': 'h', 's': 's', 'd': 'd'}[t[-1]]]
    for sh in sorted({1, b // 2 + 1, b}):
        for op in ['sshr', 'ushr', 'srshr', 'urshr', 'ssra', 'usra', 'srsra', 'ursra', 'sri']:
            add(f'{op} v0.{t}, v1.{t}, #{sh}', reps=1)
    for sh in sorted({0, 3, b - 1}):
        for op in ['shl', 'sli', 'sqshl', 'uqshl', 'sqshlu']:
            add(f'{op} v0.{t}, v1.{t}, #{sh}', reps=1)
for op in ['sshr', 'ushr', 'srshr', 'urshr', 'ssra', 'usra', 'srsra', 'ursra', 'sri']:
    add(f'{op} d0, d1, #7', reps=1)
    add(f'{op} d0, d1, #64', reps=1)
for op in ['shl', 'sli']:
    add(f'{op} d0, d1, #13', reps=1)
for op in ['sqshl', 'uqshl', 'sqshlu']:
    for r, sh in [('b', 3), ('h', 9), ('s', 20), ('d', 40)]:
        add(f'{op} {r}0, {r}1, #{sh}')
for w in ['8h', '4s', '2d']:
    nb = EBITS[NARROW_OF[w][-1]]
    for sh in [1, nb // 2, nb]:
        for op in ['shrn', 'rshrn', 'sqshrn', 'uqshrn', 'sqrshrn', 'uqrshrn', 'sqshrun', 'sqrshrun']:
            add(f'{op} v0.{NARROW_OF[w]}, v1.{w}, #{sh}', reps=1)
        add(f'sqrshrn2 v0.{NARROW2_OF[w]}, v1.{w}, #{sh}', reps=1)
for op in ['sqshrn', 'uqshrn', 'sqrshrn', 'uqrshrn', 'sqshrun', 'sqrshrun']:
    add(f'{op} b0, h1, #3')
    add(f'{op} s0, d1, #17')
for t in ['8b', '4h', '2s']:
    for sh in [0, 3]:
        add(f'sshll v0.{WIDE[t]}, v1.{t}, #{sh}', reps=1)
        add(f'ushll v0.{WIDE[t]}, v1.{t}, #{sh}', reps=1)
add('ushll2 v0.8h, v1.16b, #0', reps=1)
add('sshll2 v0.2d, v1.4s, #5', reps=1)
# permute, ext, tbl
for t in ARR_I:
    for op in ['zip1', 'zip2', 'uzp1', 'uzp2', 'trn1', 'trn2']:
        add(f'{op} v0.{t}, v1.{t}, v2.{t}', reps=1)
for i in [0, 3, 7]:
    add(f'ext v0.8b, v1.8b, v2.8b, #{i}', reps=1)
for i in [0, 1, 9, 15]:
    add(f'ext v0.16b, v1.16b, v2.16b, #{i}', reps=1)
for t in ARR_B:
    add(f'tbl v0.{t}, {{v1.16b}}, v3.{t}', reps=2)
    add(f'tbl v0.{t}, {{v1.16b, v2.16b}}, v3.{t}', reps=2)
    add(f'tbx v0.{t}, {{v1.16b}}, v3.{t}', reps=2)
    add(f'tbx v0.{t}, {{v1.16b, v2.16b}}, v3.{t}', reps=2)
add('tbl v0.16b, {v1.16b, v2.16b, v3.16b}, v2.16b', reps=3)
add('tbx v0.8b, {v0.16b, v1.16b, v2.16b, v3.16b}, v3.8b', reps=3)
add('tbl v0.16b, {v0.16b, v1.16b, v2.16b, v3.16b}, v1.16b', reps=3)
# by element (integer)
for t, e, idx in [('4h', 'h', 3), ('8h', 'h', 7), ('2s', 's', 1), ('4s', 's', 2)]:
    for op in ['mul', 'mla', 'mls', 'sqdmulh', 'sqrdmulh']:
        add(f'{op} v0.{t}, v1.{t}, v2.{e}[{idx}]', reps=1)
for t, e, idx in [('4h', 'h', 3), ('2s', 's', 1)]:
    for op in ['smull', 'umull', 'smlal', 'umlal', 'smlsl', 'umlsl', 'sqdmull', 'sqdmlal', 'sqdmlsl']:
        add(f'{op} v0.{WIDE[t]}, v1.{t}, v2.{e}[{idx}]', reps=1)
add('sqdmulh s0, s1, v2.s[3]')
add('sqdmull d0, s1, v2.s[1]')

# ---------------- floating point ----------------
def addf(asm, kinds, reps=2, fpcrs=FP_FPCRS):
    add(asm, kinds, fpcrs, reps)

for op in ['fadd', 'fsub', 'fmul', 'fdiv', 'fmax', 'fmin', 'fmaxnm', 'fminnm', 'fnmul']:
    addf(f'{op} s0, s1, s2', 'ffff')
    addf(f'{op} d0, d1, d2', 'dddd')
for op in ['fmadd', 'fmsub', 'fnmadd', 'fnmsub']:
    addf(f'{op} s0, s1, s2, s3', 'ffff')
    addf(f'{op} d0, d1, d2, d3', 'dddd')
for op in ['fabs', 'fneg', 'fsqrt', 'frintn', 'frintp', 'frintm', 'frintz', 'frinta', 'frintx',
           'frinti', 'fmov']:
    addf(f'{op} s0, s1', 'ffff')
    addf(f'{op} d0, d1', 'dddd')
addf('fcvt d0, s1', 'ffff', reps=3)
addf('fcvt s0, d1', 'dddd', reps=4)
addf('fcvt h0, s1', 'ffff', reps=4)
addf('fcvt h0, d1', 'dddd', reps=4)
addf('fcvt s0, h1', 'hhhh', reps=3)
addf('fcvt d0, h1', 'hhhh', reps=3)
for op in ['fcmp', 'fcmpe']:
    addf(f'{op} s1, s2', 'ffff', reps=3, fpcrs=[0, 0x1000000])
    addf(f'{op} d1, d2', 'dddd', reps=3, fpcrs=[0, 0x1000000])
    addf(f'{op} s1, #0.0', 'ffff', reps=2, fpcrs=[0])
    addf(f'{op} d1, #0.0', 'dddd', reps=2, fpcrs=[0])
for op in ['fccmp', 'fccmpe']:
    for cond in ['eq', 'ne', 'ge', 'lt', 'hi']:
        add(f'{op} s1, s2, #5, {cond}', 'ffff', [0], 2)
        add(f'{op} d1, d2, #10, {cond}', 'dddd', [0], 2)
for cond in ['eq', 'ne', 'ge', 'lt', 'hi', 'ls']:
    add(f'fcsel s0, s1, s2, {cond}', 'ffff', [0], 1)
    add(f'fcsel d0, d1, d2, {cond}', 'dddd', [0], 1)
for imm in ['1.0', '-2.0', '0.125', '31.0', '1.9375', '-0.1328125']:
    add(f'fmov s0, #{imm}', 'ffff', [0], 1)
    add(f'fmov d0, #{imm}', 'dddd', [0], 1)
add('fmov w0, s1', 'ffff', [0], 1)
add('fmov x0, d1', 'dddd', [0], 1)
add('fmov s0, w1', 'ffff', [0], 1)
add('fmov d0, x1', 'dddd', [0], 1)
add('fmov x0, v1.d[1]', 'dddd', [0], 1)
add('fmov v0.d[1], x1', 'dddd', [0], 1)
for pre, k in [('s', 'ffff'), ('d', 'dddd')]:
    for r in ['w', 'x']:
        for op in ['fcvtns', 'fcvtnu', 'fcvtps', 'fcvtpu', 'fcvtms', 'fcvtmu', 'fcvtzs',
                   'fcvtzu', 'fcvtas', 'fcvtau']:
            addf(f'{op} {r}0, {pre}1', k, reps=3, fpcrs=[0, 0x1000000])
        for fb in [1, 16, 32]:
            addf(f'fcvtzs {r}0, {pre}1, #{fb}', k, reps=2, fpcrs=[0])
            addf(f'fcvtzu {r}0, {pre}1, #{fb}', k, reps=2, fpcrs=[0])
        for op in ['scvtf', 'ucvtf']:
            addf(f'{op} {pre}0, {r}1', k)
            addf(f'{op} {pre}0, {r}1, #{20 if r == "w" else 40}', k, fpcrs=[0, 0x400000])
# FP vector
for t, k in [('2s', 'ffff'), ('4s', 'ffff'), ('2d', 'dddd')]:
    for op in ['fadd', 'fsub', 'fmul', 'fdiv', 'fmax', 'fmin', 'fmaxnm', 'fminnm', 'fmla',
               'fmls', 'fabd', 'faddp', 'fmaxp', 'fminp', 'fmaxnmp', 'fminnmp', 'fmulx',
               'fcmeq', 'fcmge', 'fcmgt', 'facge', 'facgt', 'frecps', 'frsqrts']:
        addf(f'{op} v0.{t}, v1.{t}, v2.{t}', k, reps=1, fpcrs=[0, 0x1000000, 0x2000000])
    for op in ['fabs', 'fneg', 'fsqrt', 'frintn', 'frintp', 'frintm', 'frintz', 'frinta',
               'frintx', 'frinti', 'fcvtns', 'fcvtnu', 'fcvtps', 'fcvtpu', 'fcvtms', 'fcvtmu',
               'fcvtzs', 'fcvtzu', 'fcvtas', 'fcvtau', 'scvtf', 'ucvtf', 'frecpe', 'frsqrte']:
        addf(f'{op} v0.{t}, v1.{t}', k, reps=1, fpcrs=[0, 0x800000, 0x1000000])
    for op in ['fcmeq', 'fcmge', 'fcmgt', 'fcmle', 'fcmlt']:
        addf(f'{op} v0.{t}, v1.{t}, #0.0', k, reps=1, fpcrs=[0])
    e = t[-1]
    addf(f'fmul v0.{t}, v1.{t}, v2.{e}[1]', k, reps=1, fpcrs=[0])
    addf(f'fmla v0.{t}, v1.{t}, v2.{e}[1]', k, reps=1, fpcrs=[0])
    addf(f'fmls v0.{t}, v1.{t}, v2.{e}[0]', k, reps=1, fpcrs=[0])
    addf(f'fmulx v0.{t}, v1.{t}, v2.{e}[0]', k, reps=1, fpcrs=[0])
    addf(f'fcvtzs v0.{t}, v1.{t}, #3', k, reps=1, fpcrs=[0])
    addf(f'ucvtf v0.{t}, v1.{t}, #7', 'iiii', reps=1, fpcrs=[0])
addf('fmul s0, s1, v2.s[3]', 'ffff', reps=1, fpcrs=[0])
addf('fmla d0, d1, v2.d[1]', 'dddd', reps=1, fpcrs=[0])
addf('urecpe v0.4s, v1.4s', 'iiii', reps=3, fpcrs=[0])
addf('ursqrte v0.2s, v1.2s', 'iiii', reps=3, fpcrs=[0])
for op in ['fmaxnmv', 'fminnmv', 'fmaxv', 'fminv']:
    addf(f'{op} s0, v1.4s', 'ffff', reps=2, fpcrs=[0])
for op, r in [('faddp', 's0, v1.2s'), ('faddp', 'd0, v1.2d'), ('fmaxp', 's0, v1.2s'),
              ('fminnmp', 'd0, v1.2d')]:
    addf(f'{op} {r}', 'dddd' if 'd0' in r else 'ffff', reps=2, fpcrs=[0])
addf('fcvtl v0.4s, v1.4h', 'hhhh', reps=2, fpcrs=[0])
addf('fcvtl2 v0.4s, v1.8h', 'hhhh', reps=2, fpcrs=[0])
addf('fcvtl v0.2d, v1.2s', 'ffff', reps=2, fpcrs=[0])
addf('fcvtn v0.4h, v1.4s', 'ffff', reps=2, fpcrs=[0, 0x400000])
addf('fcvtn2 v0.8h, v1.4s', 'ffff', reps=1, fpcrs=[0])
addf('fcvtn v0.2s, v1.2d', 'dddd', reps=2, fpcrs=[0, 0xc00000])
addf('fcvtn2 v0.4s, v1.2d', 'dddd', reps=1, fpcrs=[0])
addf('fcvtxn v0.2s, v1.2d', 'dddd', reps=3, fpcrs=[0])
addf('fcvtxn s0, d1', 'dddd', reps=3, fpcrs=[0])
for op in ['fcvtzs', 'fcvtnu', 'scvtf', 'frecpe', 'frsqrte', 'frecpx']:
    addf(f'{op} s0, s1', 'ffff', reps=2, fpcrs=[0])
    addf(f'{op} d0, d1', 'dddd', reps=2, fpcrs=[0])
for op in ['fcmeq', 'fcmge', 'fcmgt', 'facgt', 'fabd', 'fmulx', 'frecps', 'frsqrts']:
    addf(f'{op} s0, s1, s2', 'ffff', reps=2, fpcrs=[0])
    addf(f'{op} d0, d1, d2', 'dddd', reps=2, fpcrs=[0])


OUTDIR = os.environ.get('OUTDIR', '/tmp/fpgen')
def main():
    out_c = sys.argv[1]
    prog = ['#include <stdio.h>', '#include <stdint.h>',
            'struct st { uint64_t v[4][2], x[2], fpcr, nzcv, ov[2], ox, ofpsr, onzcv; uint32_t insn; };']
    pre = ('"ldp q0, q1, [x19, #0]\\n" "ldp q2, q3, [x19, #32]\\n" "ldp x0, x1, [x19, #64]\\n"'
           '"ldr x21, [x19, #80]\\n" "msr fpcr, x21\\n" "ldr x21, [x19, #88]\\n" "msr nzcv, x21\\n"'
           '"msr fpsr, xzr\\n"')
    post = ('"str q0, [x19, #96]\\n" "str x0, [x19, #112]\\n" "mrs x21, fpsr\\n" "str x21, [x19, #120]\\n"'
            '"mrs x21, nzcv\\n" "str x21, [x19, #128]\\n" "adr x21, 1b\\n" "ldr w21, [x21]\\n"'
            '"str w21, [x19, #136]\\n" "msr fpcr, xzr\\n"')
    for i, (asm, kinds, fpcr) in enumerate(cases):
        prog.append(f'static void c{i}(struct st *p) {{ register struct st *q asm("x19") = p; asm volatile({pre} "1: {asm}\\n" {post} : : "r"(q) : "memory", "x0", "x1", "x21", "v0", "v1", "v2", "v3", "cc"); }}')
    prog.append('static void (*const fns[])(struct st *) = {' + ','.join(f'c{i}' for i in range(len(cases))) + '};')
    prog.append('int main(void) { static struct st sts[%d]; static const uint64_t in[%d][12] = {' % (len(cases), len(cases)))
    ins = []
    for i, (asm, kinds, fpcr) in enumerate(cases):
        v, x = inputs(i, kinds)
        nz = (i * 0x9E3779B1 >> 4) & 0xf
        vals = [v[0][0], v[0][1], v[1][0], v[1][1], v[2][0], v[2][1], v[3][0], v[3][1], x[0], x[1], fpcr, nz << 28]
        ins.append('{' + ','.join(f'0x{a:x}ull' for a in vals) + '}')
    prog.append(',\n'.join(ins) + '};')
    prog.append('for (int i = 0; i < %d; i++) { struct st *p = &sts[i]; for (int j = 0; j < 8; j++) p->v[j/2][j%%2] = in[i][j]; p->x[0] = in[i][8]; p->x[1] = in[i][9]; p->fpcr = in[i][10]; p->nzcv = in[i][11]; fns[i](p); printf("%%08x %%016llx %%016llx %%016llx %%08llx %%llx\\n", p->insn, (unsigned long long)p->ov[0], (unsigned long long)p->ov[1], (unsigned long long)p->ox, (unsigned long long)p->ofpsr, (unsigned long long)(p->onzcv >> 28)); } return 0; }' % len(cases))
    open(OUTDIR + '/prog.c', 'w').write('\n'.join(prog) + '\n')
    subprocess.check_call(['aarch64-linux-gnu-gcc', '-static', '-O0', '-o', OUTDIR + '/prog', OUTDIR + '/prog.c'])
    res = subprocess.check_output(['qemu-aarch64', OUTDIR + '/prog']).decode().split('\n')
    rows = []
    for i, (asm, kinds, fpcr) in enumerate(cases):
        insn, v0, v1, x0, fpsr, nzcv = res[i].split()
        nz = (i * 0x9E3779B1 >> 4) & 0xf
        v, x = inputs(i, kinds)
        hx = lambda n: '0' if n == 0 else f'0x{n:x}'
        rows.append(f'{{0x{insn},{hx(fpcr)},\'{kinds[0]}\',{hx(int(v0,16))},{hx(int(v1,16))},{hx(int(x0,16) ^ x[0])},{hx(int(fpsr,16))},{hx(int(nzcv,16) ^ nz)},"{asm}"}},')
    open(out_c, 'w').write('\n'.join(rows) + '\n')
    print(len(rows), 'cases')


main()
