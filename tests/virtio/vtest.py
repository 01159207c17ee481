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


class Guest:
    """A guest on a console pipe: wait() for bytes, send() a command line."""
    def __init__(self, argv):
        import select as _select
        self._select = _select
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = b""

    def wait(self, pat, secs=60):
        import time
        if isinstance(pat, str):
            pat = pat.encode()
        end = time.time() + secs
        while time.time() < end and pat not in self.out:
            if self._select.select([self.p.stdout], [], [], 0.2)[0]:
                d = os.read(self.p.stdout.fileno(), 65536)
                if not d:
                    break
                self.out += d
        return pat in self.out

    def send(self, line):
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()

    def exit_status(self, secs=30):
        try:
            self.wait(b"\0never", 0)
            rc = self.p.wait(timeout=secs)
        except subprocess.TimeoutExpired:
            return None
        self.out += self.p.stdout.read()
        return rc

    def text(self):
        return self.out.decode(errors="replace").replace("\r", "")

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


def shell_argv(emu, arch, extra, append=""):
    """A boot to the busybox shell (no kwb.halt), on kwb or QEMU."""
    argv = [emu] + base_args(arch, append)
    i = argv.index("-append") + 1
    argv[i] = argv[i].replace(" kwb.halt", "")
    return argv + list(extra) + (["-timeout", "120"] if emu == KWB else [])


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def connect(port=None, path=None, secs=20):
    """A client socket to kwb's listener, retried while it comes up."""
    import socket, time
    end = time.time() + secs
    while True:
        try:
            if path:
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
            else:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.settimeout(10)
            return s
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.1)


def recv_until(s, pat, secs=30):
    import time
    if isinstance(pat, str):
        pat = pat.encode()
    buf, end = b"", time.time() + secs
    while pat not in buf and time.time() < end:
        try:
            d = s.recv(65536)
        except OSError:
            break
        if not d:
            break
        buf += d
    return buf
