#!/usr/bin/env python3
"""Random differential test of loads and stores (all integer forms, pairs,
writeback, register offsets, exclusives, unaligned): blocks run under
qemu-aarch64 on a 1 KB buffer addressed through x15; registers, x15's
offset, NZCV and a hash of the buffer are recorded into
tests/unit/a64_difftest_mem.h. Usage: gen_difftest_mem.py [seed] [cases]"""
import os, random, struct, subprocess, sys, tempfile

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
ncases = int(sys.argv[2]) if len(sys.argv) > 2 else 300
LSE = len(sys.argv) > 3 and sys.argv[3] == "lse"	# FEAT_LSE atomics, for -cpu max
P = "dtl" if LSE else "dtm"
BLOCK = 12
BUF = 4096
rnd = random.Random(seed)
here = os.path.dirname(os.path.abspath(__file__))

def D(): return rnd.randrange(13)            # data registers x0..x12 (x13 = index, x14 scratch)
def x(): return "x%d" % D()
def w(): return "w%d" % D()

def gen_lse():
    a, b = rnd.sample(range(13), 2)
    sz = rnd.choice(["", "b", "h"]) if rnd.random() < .3 else ""
    r = "w" if sz or rnd.random() < .4 else "x"
    sfx = rnd.choice(["", "a", "l", "al"])
    t = rnd.randrange(4)
    if t == 0:
        op = rnd.choice(["ldadd", "ldclr", "ldeor", "ldset", "ldsmax", "ldsmin", "ldumax", "ldumin", "swp"])
        return "%s%s%s %s%d, %s%d, [x15]" % (op, sfx, sz, r, a, r, b)
    if t == 1:
        op = rnd.choice(["stadd", "stclr", "steor", "stset", "stsmax", "stsmin", "stumax", "stumin"])
        return "%s%s%s %s%d, [x15]" % (op, rnd.choice(["", "l"]), sz, r, a)
    if t == 2:
        if rnd.random() < .5:
            return "ldr %s%d, [x15]\n\tcas%s%s %s%d, %s%d, [x15]" % (r, a, sfx, sz, r, a, r, b)
        return "cas%s%s %s%d, %s%d, [x15]" % (sfx, sz, r, a, r, b)
    a, b = rnd.choice([0, 2, 4, 6, 8, 10]), rnd.choice([0, 2, 4, 6, 8, 10])
    if rnd.random() < .5:
        return "ldp %s%d, %s%d, [x15]\n\tcasp%s %s%d, %s%d, %s%d, %s%d, [x15]" % (r, a, r, a + 1, sfx, r, a, r, a + 1, r, b, r, b + 1)
    return "casp%s %s%d, %s%d, %s%d, %s%d, [x15]" % (sfx, r, a, r, a + 1, r, b, r, b + 1)

def gen():
    if LSE and rnd.random() < .5:
        return gen_lse()
    t = rnd.randrange(14)
    if t == 0:   # unsigned scaled offset
        op, sz = rnd.choice([("ldr", 8), ("str", 8), ("ldr", 4), ("str", 4), ("ldrb", 1), ("strb", 1), ("ldrh", 2),
                             ("strh", 2), ("ldrsb", 1), ("ldrsh", 2), ("ldrsw", 4)])
        r = x() if sz == 8 or op in ("ldrsw",) or (op in ("ldrsb", "ldrsh") and rnd.random() < .5) else w()
        return "%s %s, [x15, #%d]" % (op, r, rnd.randrange(0, 256 // sz) * sz)
    if t == 1:   # unscaled, any alignment, negative
        op = rnd.choice(["ldur", "stur", "ldurb", "sturb", "ldurh", "sturh", "ldursb", "ldursh", "ldursw"])
        r = x() if op in ("ldursw",) or rnd.random() < .5 and op not in ("ldurb", "sturb", "ldurh", "sturh") else w()
        return "%s %s, [x15, #%d]" % (op, r, rnd.randrange(-256, 256))
    if t == 2:   # pre/post index, x15 stays 16-aligned
        op = rnd.choice(["ldr", "str", "ldrb", "strb", "ldrsh", "ldrsw"])
        r = x() if op in ("ldr", "str", "ldrsw") else w()
        off = rnd.randrange(-4, 5) * 16
        return rnd.choice(["%s %s, [x15, #%d]!", "%s %s, [x15], #%d"]) % (op, r, off)
    if t == 3:   # register offset
        sz = rnd.choice([1, 2, 4, 8])
        op = {1: "ldrb", 2: "ldrh", 4: "ldr", 8: "ldr"}[sz]
        if rnd.random() < .4: op = op.replace("ld", "st")
        r = "x%d" % D() if sz == 8 else "w%d" % D()
        ext = rnd.choice(["lsl", "sxtw", "uxtw", "sxtx"])
        idx = "w13" if ext in ("sxtw", "uxtw") else "x13"
        sh = {1: 0, 2: 1, 4: 2, 8: 3}[sz] if rnd.random() < .6 else 0
        k = rnd.randrange(-20, 20) if ext != "uxtw" else rnd.randrange(20)
        if ext == "lsl":
            mode = "x13, lsl #%d" % sh if sh else "x13"
        else:
            mode = "%s, %s%s" % (idx, ext, " #%d" % sh if sh else "")
        return "mov x13, #%d\n\t%s %s, [x15, %s]" % (k, op, r, mode)
    if t == 4:   # pairs
        op = rnd.choice(["ldp", "stp", "ldpsw", "ldnp", "stnp"])
        if op == "ldpsw":
            a, b = rnd.sample(range(13), 2)
            return "ldpsw x%d, x%d, [x15, #%d]" % (a, b, rnd.randrange(-16, 16) * 4)
        sf = rnd.random() < .6
        a, b = rnd.sample(range(13), 2)
        rr = ("x%d, x%d" if sf else "w%d, w%d") % (a, b)
        off = rnd.randrange(-16, 16) * (8 if sf else 4)
        if op in ("ldp", "stp") and rnd.random() < .5:
            return rnd.choice(["%s %s, [x15, #%d]!", "%s %s, [x15], #%d"]) % (op, rr, rnd.randrange(-4, 5) * 16)
        return "%s %s, [x15, #%d]" % (op, rr, off)
    if t == 5:   # exclusives at [x15]
        a, b, c = rnd.sample(range(13), 3)
        if rnd.random() < .5:
            return "ldxr x%d, [x15]\n\tadd x%d, x%d, #1\n\tstxr w%d, x%d, [x15]" % (a, a, a, c, a)
        return "ldaxp x%d, x%d, [x15]\n\tstlxp w%d, x%d, x%d, [x15]" % (a, b, c, b, a)
    if t == 6:
        return "ldar %s, [x15]" % x() if rnd.random() < .5 else "stlr %s, [x15]" % w()
    if t == 7:
        return "%s %s, %s, %s" % (rnd.choice(["add", "eor", "sub"]), x(), x(), x())
    if t == 8:
        return "prfm pldl1keep, [x15, #%d]" % (rnd.randrange(64) * 8)
    if t == 9:
        return "ldtr %s, [x15, #%d]" % (x(), rnd.randrange(-256, 256)) if rnd.random() < .5 else "sttrh %s, [x15, #%d]" % (w(), rnd.randrange(-256, 256))
    if t == 10:
        return "ldurh %s, [x15, #%d]" % (w(), rnd.randrange(-256, 256))
    if t == 11:
        return "str %s, [x15, #%d]" % (x(), rnd.randrange(0, 512, 8))
    if t == 12:
        return "ldrsb %s, [x15, #%d]!" % (x(), rnd.randrange(-4, 5) * 16)
    return "ldr %s, [x15, #%d]" % (w(), rnd.randrange(0, 256, 4))

def rval():
    return rnd.choice([0, 1, -1 & (2**64 - 1), 0x8000000000000000, rnd.randrange(1 << 64), rnd.randrange(1 << 32)])

init = bytes(rnd.randrange(256) for _ in range(BUF))
cases = [([rval() for _ in range(15)], rnd.randrange(16) << 28, [gen() for _ in range(BLOCK)]) for _ in range(ncases)]

asm = [".text", ".globl _start", "_start:", "\tadr x19, init", "\tadr x20, out", "\tmov x21, #%d" % ncases, "loop:",
       "\tadr x0, pattern", "\tadr x1, buf", "\tmov x2, #%d" % BUF,
       "1:\tldr x3, [x0], #8", "\tstr x3, [x1], #8", "\tsubs x2, x2, #8", "\tb.ne 1b",
       "\tldp x16, x17, [x19], #16", "\tmsr nzcv, x17"]
for i in range(0, 14, 2):
    asm.append("\tldp x%d, x%d, [x19], #16" % (i, i + 1))
asm += ["\tldr x14, [x19], #8", "\tadr x15, buf + %d" % (BUF // 2), "\tbr x16"]
for n, (regs, nzcv, body) in enumerate(cases):
    asm += ["case%d:" % n, "blockstart%d:" % n] + ["\t" + b for b in body] + ["blockend%d:" % n, "\tb done"]
asm += ["done:"]
for i in range(0, 16, 2):
    asm.append("\tstp x%d, x%d, [x20], #16" % (i, i + 1))
asm += ["\tmrs x16, nzcv", "\tstr x16, [x20], #8", "\tadr x0, buf", "\tstr x0, [x20], #8", "\tmov x2, #%d" % BUF,
        "1:\tldr x3, [x0], #8", "\tstr x3, [x20], #8", "\tsubs x2, x2, #8", "\tb.ne 1b",
        "\tsubs x21, x21, #1", "\tb.ne loop",
        "\tmov x0, #1", "\tadr x1, out", "\tldr x2, =%d" % (ncases * (18 * 8 + BUF)), "\tmov x8, #64", "\tsvc #0",
        "\tmov x0, #0", "\tmov x8, #93", "\tsvc #0", ".ltorg", ".data", ".balign 16", "pattern:"]
asm += ["\t.byte " + ", ".join(str(b) for b in init[i:i + 32]) for i in range(0, BUF, 32)]
asm += [".balign 16", "init:"]
for n, (regs, nzcv, body) in enumerate(cases):
    asm.append("\t.quad case%d, %d" % (n, nzcv))
    asm += ["\t.quad %d" % r for r in regs]
asm += [".balign 16", ".bss", ".balign 4096", "buf: .skip %d" % BUF, ".balign 16", "out: .skip %d" % (ncases * (18 * 8 + BUF))]

def fnv(b):
    h = 0xcbf29ce484222325
    for c in b:
        h = ((h ^ c) * 0x100000001b3) & (2**64 - 1)
    return h

with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "dt.S"); elf = os.path.join(d, "dt")
    open(src, "w").write("\n".join(asm) + "\n")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-nostdlib", "-static", "-march=armv8.1-a", "-o", elf, src])
    out = subprocess.run(["qemu-aarch64", "-cpu", "max" if LSE else "cortex-a57", elf], capture_output=True, check=True).stdout
    nm = subprocess.run(["aarch64-linux-gnu-nm", elf], capture_output=True, text=True, check=True).stdout
    sym = {l.split()[2]: int(l.split()[0], 16) for l in nm.splitlines() if len(l.split()) == 3}
    subprocess.check_call(["aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", elf, elf + ".bin"])
    text = open(elf + ".bin", "rb").read()
    tbase = sym["_start"]
lines = ["/* Generated by tests/guest/aarch64/gen_difftest_mem.py %d %d: results recorded" % (seed, ncases),
         " * with qemu-aarch64 -cpu cortex-a57. Do not edit. */",
         "#define %s_BUF %d" % (P.upper(), BUF), "static const uint8_t %s_init[%d] = {" % (P, BUF)]
lines += ["\t" + ", ".join("%d" % b for b in init[i:i + 32]) + "," for i in range(0, BUF, 32)]
if LSE:		# shares struct dtm_case with a64_difftest_mem.h
    lines += ["};", "static const struct dtm_case %s_cases[] = {" % P]
else:
    lines += ["};", "struct dtm_case {", "\tuint64_t x[15], nzcv, out[15], x15_off, out_nzcv, hash;",
              "\tuint32_t code[%d];" % (BLOCK * 4), "\tint n;", "};", "static const struct dtm_case %s_cases[] = {" % P]
rec = 18 * 8 + BUF
for n, (regs, nzcv, body) in enumerate(cases):
    v = struct.unpack_from("<18Q", out, n * rec)
    buf = out[n * rec + 18 * 8:(n + 1) * rec]
    x15_off = (v[15] - v[17]) & (2**64 - 1)
    a, b = sym["blockstart%d" % n] - tbase, sym["blockend%d" % n] - tbase
    words = struct.unpack_from("<%dI" % ((b - a) // 4), text, a)
    lines.append("\t{ { %s }, 0x%x, { %s }, 0x%x, 0x%x, 0x%xull, { %s }, %d }," % (
        ", ".join("0x%xull" % r for r in regs), nzcv, ", ".join("0x%xull" % r for r in v[:15]), x15_off,
        v[16], fnv(buf), ", ".join("0x%08x" % w for w in words), len(words)))
lines.append("};")
open(os.path.join(here, "../../unit/a64_difftest_%s.h" % ("lse" if LSE else "mem")), "w").write("\n".join(lines) + "\n")
print("recorded %d cases" % ncases)
