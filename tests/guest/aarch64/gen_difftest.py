#!/usr/bin/env python3
"""Random differential test of the integer data-processing instructions:
generates blocks of random instructions with random initial registers and
flags, runs them under qemu-aarch64 (user mode) to record the results, and
writes tests/unit/a64_difftest.h for tests/unit/test_a64_difftest.c.
Run again (with another seed) to refresh: gen_difftest.py [seed] [cases]."""
import os, random, struct, subprocess, sys, tempfile

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
ncases = int(sys.argv[2]) if len(sys.argv) > 2 else 400
BLOCK = 16
rnd = random.Random(seed)
here = os.path.dirname(os.path.abspath(__file__))

def X(): return "x%d" % rnd.randrange(16)
def W(): return "w%d" % rnd.randrange(16)
def XZ(): return rnd.choice(["x%d" % rnd.randrange(16)] * 7 + ["xzr"])
def WZ(): return rnd.choice(["w%d" % rnd.randrange(16)] * 7 + ["wzr"])
def cond(): return rnd.choice("eq ne cs cc mi pl vs vc hi ls ge lt gt le al".split())
def imm12(): return rnd.choice([0, 1, 4095, rnd.randrange(4096)])
def bitimm(sf):
    # a valid logical immediate: element of size e, ones run, rotation
    e = rnd.choice([2, 4, 8, 16, 32] + ([64] if sf else []))
    ones = rnd.randrange(1, e)
    rot = rnd.randrange(e)
    v = (1 << ones) - 1
    v = ((v >> rot) | (v << (e - rot))) & ((1 << e) - 1)
    r = 0
    for i in range(0, 64 if sf else 32, e):
        r |= v << i
    return hex(r)

def gen():
    sf = rnd.random() < 0.6
    R, RZ = (X, XZ) if sf else (W, WZ)
    bits = 64 if sf else 32
    t = rnd.randrange(30)
    sh = rnd.choice(["lsl", "lsr", "asr"])
    if t == 0:
        op = rnd.choice(["add", "adds", "sub", "subs"])
        return "%s %s, %s, #%d%s" % (op, RZ() if op[-1] == "s" else R(), R(), imm12(), rnd.choice(["", ", lsl #12"]))
    if t == 1: return "%s %s, %s, %s, %s #%d" % (rnd.choice(["add", "adds", "sub", "subs"]), RZ(), RZ(), RZ(), sh, rnd.randrange(bits))
    if t == 2:
        ext = rnd.choice(["uxtb", "uxth", "uxtw", "sxtb", "sxth", "sxtw"] + (["uxtx", "sxtx"] if sf else []))
        m = ("x%d" if ext.endswith("x") else "w%d") % rnd.randrange(16)
        return "%s %s, %s, %s, %s #%d" % (rnd.choice(["add", "adds", "sub", "subs"]), R(), R(), m, ext, rnd.randrange(5))
    if t == 3: return "%s %s, %s, #%s" % (rnd.choice(["and", "orr", "eor", "ands"]), R(), RZ(), bitimm(sf))
    if t == 4: return "%s %s, %s, %s, %s #%d" % (rnd.choice(["and", "orr", "eor", "ands", "bic", "bics", "orn", "eon"]), RZ(), RZ(), RZ(), rnd.choice([sh, "ror"]), rnd.randrange(bits))
    if t == 5: return "%s %s, #%d, lsl #%d" % (rnd.choice(["movz", "movn", "movk"]), R(), rnd.randrange(65536), rnd.randrange(4 if sf else 2) * 16)
    if t == 6:
        a = rnd.randrange(bits); b = rnd.randrange(bits)
        return "%s %s, %s, #%d, #%d" % (rnd.choice(["sbfm", "ubfm", "bfm"]), R(), RZ(), a, b)
    if t == 7: return "extr %s, %s, %s, #%d" % (R(), RZ(), RZ(), rnd.randrange(bits))
    if t == 8: return "%s %s, %s, %s" % (rnd.choice(["adc", "adcs", "sbc", "sbcs"]), RZ(), RZ(), RZ())
    if t == 9: return "%s %s, #%d, #%d, %s" % (rnd.choice(["ccmp", "ccmn"]), RZ(), rnd.randrange(32), rnd.randrange(16), cond())
    if t == 10: return "%s %s, %s, #%d, %s" % (rnd.choice(["ccmp", "ccmn"]), RZ(), RZ(), rnd.randrange(16), cond())
    if t == 11: return "%s %s, %s, %s, %s" % (rnd.choice(["csel", "csinc", "csinv", "csneg"]), RZ(), RZ(), RZ(), cond())
    if t == 12: return "%s %s, %s, %s" % (rnd.choice(["udiv", "sdiv", "lslv", "lsrv", "asrv", "rorv"]), RZ(), RZ(), RZ())
    if t == 13: return "%s %s, %s" % (rnd.choice(["rbit", "rev16", "rev", "clz", "cls"] + (["rev32"] if sf else [])), RZ(), RZ())
    if t == 14: return "%s %s, %s, %s, %s" % (rnd.choice(["madd", "msub"]), RZ(), RZ(), RZ(), RZ())
    if t == 15: return "%s %s, %s, %s, %s" % (rnd.choice(["smaddl", "smsubl", "umaddl", "umsubl"]), XZ(), WZ(), WZ(), XZ())
    if t == 16: return "%s %s, %s, %s" % (rnd.choice(["smulh", "umulh"]), XZ(), XZ(), XZ())
    if t == 17:
        k = rnd.choice(["b", "h", "w", "x"])
        m = XZ() if k == "x" else WZ()
        return "%s %s, %s, %s" % (rnd.choice(["crc32", "crc32c"]) + k, WZ(), WZ(), m)
    if t == 18: return "mov %s, #%d" % (X(), rnd.randrange(-65536, 65536))
    if t == 19: return "mrs %s, nzcv" % X()
    if t == 20:
        v = rnd.randrange(16) << 28
        return "mov x16, #%d\n\tmsr nzcv, x16" % v
    if t == 21: return "%s %s, %s, #%d" % (rnd.choice(["lsl", "lsr", "asr", "ror"]), R(), RZ(), rnd.randrange(bits))
    if t == 22: return "%s %s, %s" % (rnd.choice(["neg", "negs", "ngc", "ngcs", "mvn"]), RZ(), RZ())
    if t == 23: return "%s %s, %s" % (rnd.choice(["cmp", "cmn", "tst"]), RZ(), RZ())
    if t == 24: return "%s %s, %s" % (rnd.choice(["cset", "csetm"]), RZ(), rnd.choice("eq ne cs cc mi pl vs vc hi ls ge lt gt le".split()))
    if t == 25: return "%s %s, %s, #%d, #%d" % (rnd.choice(["sbfx", "ubfx", "bfxil", "sbfiz", "ubfiz", "bfi"]), R(), RZ(), *(lambda l: (l, rnd.randrange(1, bits - l + 1)))(rnd.randrange(bits)))
    if t == 26: return "%s %s, %s" % (rnd.choice(["sxtb", "sxth", "uxtb", "uxth"] + (["sxtw"] if sf else [])), R(), "w%d" % rnd.randrange(16))
    if t == 27: return "mul %s, %s, %s" % (RZ(), RZ(), RZ())
    if t == 28: return "%s %s, %s, %s" % (rnd.choice(["smull", "umull"]), XZ(), WZ(), WZ())
    return "mov %s, %s" % (RZ(), RZ())

SPECIAL = [0, 1, 2, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x80000000, 0x7fffffff,
           0xffffffff, 0x100000000, 0xfffffffe, 0x8000000000000001, 63, 64, 31, 32]
def rval():
    r = rnd.random()
    if r < 0.4: return rnd.choice(SPECIAL)
    if r < 0.6: return rnd.randrange(1 << 32)
    return rnd.randrange(1 << 64)

cases = []
for c in range(ncases):
    regs = [rval() for _ in range(16)]
    nzcv = rnd.randrange(16) << 28
    body = [gen() for _ in range(BLOCK)]
    cases.append((regs, nzcv, body))

asm = [".text", ".globl _start", "_start:", "\tadr x19, init", "\tadr x20, out", "\tmov x21, #%d" % ncases]
asm += ["loop:", "\tldp x16, x17, [x19], #16", "\tmsr nzcv, x17", "\tmov x17, x16"]
for i in range(0, 16, 2):
    asm.append("\tldp x%d, x%d, [x19], #16" % (i, i + 1))
asm += ["\tbr x16"]
for n, (regs, nzcv, body) in enumerate(cases):
    asm.append("case%d:" % n)
    asm.append("blockstart%d:" % n)
    asm += ["\t" + b for b in body]
    asm.append("blockend%d:" % n)
    asm.append("\tb done")
asm += ["done:"]
for i in range(0, 16, 2):
    asm.append("\tstp x%d, x%d, [x20], #16" % (i, i + 1))
asm += ["\tmrs x16, nzcv", "\tstr x16, [x20], #16", "\tsubs x21, x21, #1", "\tb.ne loop",
        "\tmov x0, #1", "\tadr x1, out", "\tldr x2, =%d" % (ncases * 18 * 8), "\tmov x8, #64", "\tsvc #0",
        "\tmov x0, #0", "\tmov x8, #93", "\tsvc #0", ".ltorg", ".data", ".balign 16", "init:"]
for n, (regs, nzcv, body) in enumerate(cases):
    asm.append("\t.quad case%d, %d" % (n, nzcv))
    for r in regs:
        asm.append("\t.quad %d" % r)
asm += [".bss", ".balign 16", "out: .skip %d" % (ncases * 18 * 8)]

with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "dt.S"); elf = os.path.join(d, "dt")
    open(src, "w").write("\n".join(asm) + "\n")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-nostdlib", "-static", "-march=armv8-a+crc", "-o", elf, src])
    out = subprocess.run(["qemu-aarch64", "-cpu", "cortex-a57", elf], capture_output=True, check=True).stdout
    # fetch each block's words from the ELF symbols
    nm = subprocess.run(["aarch64-linux-gnu-nm", elf], capture_output=True, text=True, check=True).stdout
    sym = {l.split()[2]: int(l.split()[0], 16) for l in nm.splitlines() if len(l.split()) == 3}
    subprocess.check_call(["aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", elf, elf + ".bin"])
    text = open(elf + ".bin", "rb").read()
    tbase = sym["_start"]
res = []
for n in range(ncases):
    vals = struct.unpack_from("<17Q", out, n * 18 * 8)
    res.append(vals)
lines = ["/* Generated by tests/guest/aarch64/gen_difftest.py %d %d: results recorded with" % (seed, ncases),
         " * qemu-aarch64 -cpu cortex-a57. Do not edit. */",
         "#define DT_BLOCK %d" % BLOCK, "static const struct dt_case {",
         "\tuint64_t x[16], nzcv, out[16], out_nzcv;", "\tuint32_t code[%d];" % (BLOCK * 2), "\tint n;", "} dt_cases[] = {"]
for n, (regs, nzcv, body) in enumerate(cases):
    a, b = sym["blockstart%d" % n] - tbase, sym["blockend%d" % n] - tbase
    words = struct.unpack_from("<%dI" % ((b - a) // 4), text, a)
    lines.append("\t{ { %s }, 0x%x, { %s }, 0x%x, { %s }, %d }," % (
        ", ".join("0x%xull" % r for r in regs), nzcv, ", ".join("0x%xull" % r for r in res[n][:16]),
        res[n][16], ", ".join("0x%08x" % w for w in words), len(words)))
lines.append("};")
open(os.path.join(here, "../../unit/a64_difftest.h"), "w").write("\n".join(lines) + "\n")
print("recorded %d cases" % ncases)
