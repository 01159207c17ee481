"""Shared by random-guest.test and mmio.test: build the guest prologues
(tests/fuzz/guest/*.S), run kwb on an image, and judge how it ended.

kwb may end a hostile guest's run only through the guest (a power-off or
reset, whatever its code), -icount-limit (3) or -timeout (4): never a
signal, a sanitizer report, or a "kwb: ..." refusal of its own."""
import os, random, re, subprocess, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("KWB_TOP", os.path.dirname(os.path.dirname(HERE)))
BUILD = os.environ.get("KWB_BUILD", os.path.join(TOP, "build"))
KWB = os.environ.get("KWB", os.path.join(BUILD, "kwb"))
REGRESS = os.path.join(HERE, "corpus", "guest")

ARCH = {
    "aarch64": dict(cc="aarch64-linux-gnu-gcc", objcopy="aarch64-linux-gnu-objcopy", base=0x40080000,
                    src="a64.S", flags=[], levels={1: "EL1", 0: "EL0"},
                    libc="/usr/aarch64-linux-gnu/lib/libc.so.6", ram=0x40000000),
    "riscv64": dict(cc="riscv64-linux-gnu-gcc", objcopy="riscv64-linux-gnu-objcopy", base=0x80000000,
                    src="rv64.S", flags=["-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany"],
                    levels={3: "M", 1: "S", 0: "U"}, libc="/usr/riscv64-linux-gnu/lib/libc.so.6",
                    ram=0x80000000),
}
PAYLOAD_OFF = 0x10000
BAD = re.compile(r"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: \w+Sanitizer|"
                 r"^kwb: (?!instruction limit|timeout|warning)", re.M)

_work = tempfile.mkdtemp(prefix="kwb-guestfuzz-")
_prologues = {}


def configs(arch, mmio):
    """(level, paging) pairs: every privilege level, paging off and on (M-mode is never translated)."""
    return [(l, p) for l in ARCH[arch]["levels"] for p in (0, 1) if not (arch == "riscv64" and l == 3 and p)]


def config_name(arch, level, paging):
    return "%s-%s-%s" % (arch, ARCH[arch]["levels"][level], "paging" if paging else "bare")


def prologue(arch, level, paging, mmio):
    key = (arch, level, paging, mmio)
    if key not in _prologues:
        a = ARCH[arch]
        elf = os.path.join(_work, "p-%s-%d-%d-%d.elf" % key)
        binf = elf[:-4] + ".bin"
        subprocess.run([a["cc"], "-nostdlib", "-static", "-no-pie", "-Wl,--build-id=none",
                        "-Wl,-Ttext=0x%x" % a["base"], "-DLEVEL=%d" % level, "-DPAGING=%d" % paging,
                        "-DMMIO=%d" % mmio] + a["flags"] + ["-o", elf, os.path.join(HERE, "guest", a["src"])],
                       check=True, capture_output=True)
        subprocess.run([a["objcopy"], "-O", "binary", "-j", ".text", elf, binf], check=True)
        data = open(binf, "rb").read()
        assert len(data) <= PAYLOAD_OFF, "prologue too large"
        _prologues[key] = data.ljust(PAYLOAD_OFF, b"\0")
    return _prologues[key]


def real_code(arch, rng, n):
    """n bytes of real instructions (a slice of the cross libc), or random bytes without it."""
    try:
        with open(ARCH[arch]["libc"], "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(rng.randrange(size // 8, max(size // 8 + 1, size * 3 // 4 - n)) & ~3)
            data = f.read(n)
            if len(data) == n:
                return data
    except OSError:
        pass
    return rng.randbytes(n)


def mutate(data, rng, flips):
    b = bytearray(data)
    for _ in range(flips):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def run_image(arch, image, extra=(), icount=200000, timeout=30):
    """Runs kwb on a raw image; returns (ok, why, rc)."""
    path = os.path.join(_work, "img-%d.bin" % os.getpid())
    with open(path, "wb") as f:
        f.write(image)
    cmd = [KWB, "-arch", arch, "-M", "virt", "-m", "64M", "-nographic", "-serial", "none", "-nic", "none",
           "-kernel", path, "-icount-limit", str(icount), "-timeout", "20"]
    if arch == "riscv64":
        cmd += ["-bios", "none"]
    cmd += list(extra)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0", UBSAN_OPTIONS="print_stacktrace=1")
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return False, "kwb did not end within %ds (its -timeout 20 did not hold)" % timeout, None
    err = p.stderr.decode(errors="replace")
    if p.returncode < 0:
        return False, "killed by signal %d: %s" % (-p.returncode, err[-600:]), p.returncode
    m = BAD.search(err)
    if m:
        return False, "exit %d: %s" % (p.returncode, err[max(0, m.start() - 100):m.start() + 800]), p.returncode
    return True, "", p.returncode


def save_regression(name, image):
    os.makedirs(REGRESS, exist_ok=True)
    path = os.path.join(REGRESS, name)
    with open(path, "wb") as f:
        f.write(image)
    return path


def regressions(prefix):
    """Saved images (arch, name, bytes, extra args) whose names start with prefix."""
    out = []
    if os.path.isdir(REGRESS):
        for n in sorted(os.listdir(REGRESS)):
            if n.startswith(prefix):
                arch = "aarch64" if "aarch64" in n else "riscv64"
                out.append((arch, n, open(os.path.join(REGRESS, n), "rb").read()))
    return out


def cleanup():
    import shutil
    shutil.rmtree(_work, ignore_errors=True)
