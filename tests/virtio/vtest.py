"""Helpers for the virtio tests: boot a *-full fixture kernel on kwb and on
QEMU 7.2 with the same devices, and pull out of the console log what the
guest saw (/init prints /proc/interrupts, the first lines of /proc/iomem,
and more for kwb.blk, kwb.net, kwb.hvc), normalised so the two compare."""
import os, re, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("KWB_TOP") or os.path.dirname(os.path.dirname(HERE))
KWB = os.environ.get("KWB") or os.path.join(TOP, "build", "kwb")
FIXD = os.environ.get("KWB_FIXTURES", os.path.join(TOP, "..", "shared", "fixtures"))
BIOS = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
failed = False

ARCH = {
    "arm64": dict(qemu="qemu-system-aarch64", fix="arm64-full", console="ttyAMA0",
                  machine=["-M", "virt,gic-version=3", "-cpu", "cortex-a57"]),
    "riscv64": dict(qemu="qemu-system-riscv64", fix="riscv64-full", console="ttyS0 earlycon=sbi",
                    machine=["-M", "virt", "-bios", BIOS]),
}


def report(ok, name, why=""):
    global failed
    print(("PASS: %s" % name) if ok else ("FAIL: %s: %s" % (name, str(why)[-900:])), flush=True)
    failed |= not ok


def fixture(arch):
    d = os.path.join(FIXD, ARCH[arch]["fix"])
    return d if os.path.exists(os.path.join(d, "Image")) else None


def base_args(arch, append):
    a, d = ARCH[arch], fixture(arch)
    return a["machine"] + ["-m", "512M", "-nographic", "-kernel", os.path.join(d, "Image"),
                           "-initrd", os.path.join(d, "initramfs.cpio.gz"),
                           "-append", "console=%s %s kwb.halt" % (a["console"], append)]


def run(argv, timeout=120, **kw):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, **kw)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return -1, (e.stdout or b"").decode(errors="replace")


def kwb(arch, extra, append="", timeout=120):
    return run([KWB] + base_args(arch, append) + list(extra) + ["-timeout", str(timeout - 20)], timeout)


def qemu(arch, extra, append="", timeout=120):
    q = shutil.which(ARCH[arch]["qemu"])
    if not q:
        return None, ""
    return run([q] + base_args(arch, append) + list(extra), timeout)


def messages(out, pattern):
    """Kernel messages matching pattern, timestamps dropped."""
    r = re.compile(pattern)
    return [re.sub(r"^\[ *\d+\.\d+\] ", "", l).rstrip() for l in out.splitlines()
            if re.match(r"^\[ *\d+\.\d+\] ", l) and r.search(l)]


def lines(out, pattern):
    """Any console lines matching pattern, stripped."""
    return [l.strip() for l in out.splitlines() if re.search(pattern, l)]


def interrupts(out, pattern="virtio"):
    """/proc/interrupts rows matching pattern as (controller, hwirq, type, name):
    the Linux irq number and the counts differ with timing and other devices."""
    rows = []
    for l in out.splitlines():
        m = re.match(r"^\s*\d+:\s+(?:\d+\s+)+(.+?)\s+(\d+)\s+(Edge|Level)\s+(.*?)\s*$", l)
        if m and re.search(pattern, m.group(4)):
            rows.append(" ".join(m.groups()))
    return rows


def iomem(out, pattern="virtio"):
    return [l.strip() for l in out.splitlines()
            if re.match(r"^\s*[0-9a-f]{8,}-[0-9a-f]{8,} : ", l) and re.search(pattern, l)]


def dt_nodes(dtb):
    """Node paths of a DTB, in order."""
    p = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", dtb], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    path, out = [], []
    for l in p.stdout.decode().splitlines():
        m = re.match(r"^\s*([^\s{]+) \{$", l)
        if m and m.group(1) != "/":
            path.append(m.group(1))
            out.append("/" + "/".join(path))
        elif re.match(r"^\s*\};$", l) and path:
            path.pop()
    return out


def fdtget(dtb, node, prop):
    p = subprocess.run(["fdtget", dtb, node, prop], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.stdout.decode(errors="replace").strip() if p.returncode == 0 else None


def same(name, k, q, what):
    report(k == q and k, name, "%s differ: kwb %s, QEMU %s" % (what, k, q))
