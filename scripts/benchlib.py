"""Helpers of scripts/bench: bench guests, command lines for kwb and QEMU,
timed runs (wall and CPU), a raw remote-protocol client, statistics."""
import os, pty, re, select, shutil, socket, subprocess, time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KWB = os.path.join(TOP, os.environ.get("KWB_BUILD", "build"), "kwb")
CROSS = {"riscv64": "riscv64-linux-gnu-", "aarch64": "aarch64-linux-gnu-"}
BASE = {"riscv64": 0x80000000, "aarch64": 0x40080000}
CFLAGS = {"riscv64": ["-mcmodel=medany"], "aarch64": ["-mstrict-align", "-mgeneral-regs-only"]}
BIOS = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
CONSOLE = {"riscv64": "console=ttyS0", "aarch64": "console=ttyAMA0"}


def fixtures(arch):
    sub = "arm64" if arch == "aarch64" else arch
    for d in (os.environ.get("KWB_FIXTURES"), os.path.join(TOP, "..", "shared", "fixtures"),
              os.path.expanduser("~/.cache/kwb/fixtures")):
        if d and os.path.exists(os.path.join(d, sub, "Image")):
            return os.path.join(d, sub)
    return None


def build_guest(arch, tmp, name, iterations):
    """bench/<name>-<arch>.S (assembly) or bench/<name>.c with
    bench/start-<arch>.S (C), linked at the board's RAM by bench/link.ld."""
    bench = os.path.join(TOP, "bench")
    elf = os.path.join(tmp, f"{name}-{arch}-{iterations}.elf")
    if os.path.exists(elf):
        return elf
    asm = os.path.join(bench, f"{name}-{arch}.S")
    srcs = [asm] if os.path.exists(asm) else [os.path.join(bench, f"start-{arch}.S"),
                                               os.path.join(bench, f"{name}.c")]
    subprocess.run([CROSS[arch] + "gcc", "-O2", "-nostdlib", "-static", "-ffreestanding", "-fno-pic",
                    "-fno-stack-protector", *CFLAGS[arch], f"-DITERATIONS={iterations}",
                    f"-Wl,--defsym=BASE={BASE[arch]:#x}", "-Wl,-T," + os.path.join(bench, "link.ld"),
                    "-Wl,--no-warn-rwx-segments", "-Wl,--build-id=none", "-o", elf, *srcs], check=True)
    return elf


def symbol(elf, arch, name):
    out = subprocess.run([CROSS[arch] + "nm", elf], capture_output=True, text=True).stdout
    m = re.search(r"^([0-9a-f]+) \w %s$" % re.escape(name), out, re.M)
    return int(m.group(1), 16) if m else None


def bare_cmd(who, arch, kernel, extra=()):
    """A bare-metal guest on kwb or QEMU (no firmware, power-off ends it)."""
    if who == "kwb":
        cmd = [KWB, "-arch", arch, "-M", "virt", "-nographic", "-nic", "none", "-kernel", kernel, *extra]
        return cmd[:5] + ["-bios", "none"] + cmd[5:] if arch == "riscv64" else cmd
    if arch == "riscv64":
        return ["qemu-system-riscv64", "-M", "virt", "-nic", "none", "-nographic", "-bios", "none",
                "-kernel", kernel, *extra]
    return ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "cortex-a57", "-nic", "none",
            "-nographic", "-kernel", kernel, *extra]


def linux_cmd(who, arch, image, initrd, append, smp=1, console=("-nographic",)):
    """A Linux boot, the same machine on both: no NIC on either (both would
    add their default virtio-net-pci on arm64)."""
    if who == "kwb":
        cmd = [KWB, "-arch", arch, "-M", "virt", "-nic", "none"]
    elif arch == "riscv64":
        cmd = ["qemu-system-riscv64", "-M", "virt", "-nic", "none"]
    else:
        cmd = ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-nic", "none"]
    if arch == "riscv64":
        cmd += ["-bios", BIOS]
    else:
        cmd += ["-cpu", "cortex-a57"]
    return cmd + ["-smp", str(smp), "-m", "512M", *console, "-kernel", image, "-initrd", initrd,
                  "-append", f"{CONSOLE[arch]} {append}".strip()]


def have(who, arch):
    return who == "kwb" and os.access(KWB, os.X_OK) or \
        who == "qemu" and shutil.which("qemu-system-" + arch) is not None


def cpu_of(pid):
    """User + system CPU seconds of a live process (all its threads):
    nanoseconds from schedstat where the host has it (clock ticks, 10 ms,
    are too coarse for the short debugger rows), else clock ticks."""
    try:
        return sum(int(open(f"/proc/{pid}/task/{t}/schedstat").read().split()[0])
                   for t in os.listdir(f"/proc/{pid}/task")) / 1e9
    except (OSError, ValueError, IndexError):
        pass
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def run_to_exit(cmd, timeout=900):
    """Wall and CPU seconds of a run to its exit (None, None if it failed)."""
    start = time.time()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _, status, ru = os.wait4(p.pid, 0)
    except ChildProcessError:
        return None, None
    wall = time.time() - start
    if os.waitstatus_to_exitcode(status) != 0:
        return None, None
    return wall, ru.ru_utime + ru.ru_stime


class Console:
    """A machine whose console is a pipe, a pty or a file: wait for text,
    type lines."""

    def __init__(self, cmd, mode="pipe", tmp=None):
        self.buf, self.mode, self.path = b"", mode, None
        if mode == "tty":
            self.master, slave = pty.openpty()
            self.p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=subprocess.DEVNULL,
                                      start_new_session=True)
            os.close(slave)
            self.rfd = self.master
        elif mode == "file":
            self.path = os.path.join(tmp, "console.log")
            open(self.path, "wb").close()
            self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            self.rfd = None
        else:
            self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL)
            self.rfd = self.p.stdout.fileno()

    def wait_for(self, pattern, timeout=600):
        end = time.time() + timeout
        while time.time() < end:
            if re.search(pattern, self.buf):
                return True
            if self.rfd is None:
                time.sleep(0.1)
                self.buf = open(self.path, "rb").read()
                continue
            r, _, _ = select.select([self.rfd], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(self.rfd, 65536)
                except OSError:
                    return False
                if not chunk:
                    return False
                self.buf += chunk
        return False

    def type(self, line):
        data = line.encode() + (b"\r" if self.mode == "tty" else b"\n")
        if self.mode == "tty":
            os.write(self.master, data)
        else:
            self.p.stdin.write(data)
            self.p.stdin.flush()

    def close(self):
        self.p.kill()
        self.p.wait()
        if self.mode == "tty":
            os.close(self.master)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Rsp:
    """A minimal remote-protocol client (no-ack mode, TCP_NODELAY)."""

    def __init__(self, port, timeout=30):
        end = time.time() + timeout
        while True:
            try:
                self.s = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                if time.time() > end:
                    raise
                time.sleep(0.05)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.packet("QStartNoAckMode", ack=True)

    def send(self, body):
        self.s.sendall(b"$%s#%02x" % (body.encode(), sum(body.encode()) & 0xff))

    def reply(self, ack=False):
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                body = bytes(self.buf[start + 1:end])
                del self.buf[:end + 3]
                if ack:
                    self.s.sendall(b"+")
                return body.decode(errors="replace")
            chunk = self.s.recv(1 << 16)
            if not chunk:
                raise EOFError
            self.buf.extend(chunk)

    def packet(self, body, ack=False):
        self.send(body)
        return self.reply(ack)

    def close(self):
        self.s.close()


def stats(values, fmt):
    """median (min-max) of the runs that worked."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return "failed"
    if len(v) == 1:
        return fmt(v[0])
    return f"{fmt(v[len(v) // 2])} ({fmt(v[0])}-{fmt(v[-1])})"


def median(values):
    v = sorted(x for x in values if x is not None)
    return v[len(v) // 2] if v else None
