"""Helpers for the gdb tests: build the tiny RV64 guest, start kwb with a
gdb server on a unix socket, run the real gdb-multiarch in batch mode, and a
raw RSP client for what gdb cannot do from a script (Ctrl-C timing)."""
import os, pty, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("KWB_TOP") or os.path.dirname(os.path.dirname(HERE))
KWB = os.environ.get("KWB") or os.path.join(TOP, "build", "kwb")
GDB = shutil.which("gdb-multiarch")

ARCHS = {
    "riscv64": dict(
        gdb_arch="riscv:rv64", prefix="riscv64-linux-gnu-", src="rv64-guest.S",
        cflags=["-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany"], text=0x80000000,
        kwb=["-arch", "riscv64", "-M", "virt", "-bios", "none"],
        first_insn=0xf14022f3,			# csrr t0, mhartid
        sysregs=("mstatus", "satp", "sscratch", "mtvec", "mcause", "ft0", "priv"),
        scratch="$mscratch", trap_steps=4,	# handler: csrr, addi, csrw, mret
        # gdb's GNU/Linux OS ABI steps RISC-V in software (breakpoint +
        # continue): stepi over ecall would run the whole handler and
        # `next` would never range-step. Bare metal and kernels want none.
        gdb_setup=["set osabi none"],
        group=("csr", "mstatus", "ra"),		# info registers GROUP: has, has not
        cause=("$mcause", 11),			# ecall from M-mode
        thread_word="hart"),
    "aarch64": dict(
        gdb_arch="aarch64", prefix="aarch64-linux-gnu-", src="a64-guest.S",
        cflags=[], text=0x40080000,
        kwb=["-arch", "aarch64", "-M", "virt", "-cpu", "cortex-a57"],
        first_insn=0xd53800a0,			# mrs x0, mpidr_el1
        sysregs=("cpsr", "SCTLR_EL1", "VBAR_EL1", "SP_EL0", "TCR_EL1", "ESR_EL1", "v0"),
        scratch="$TPIDR_EL1", trap_steps=1,	# vector: eret
        cause=("$ESR_EL1 >> 26", 0x15),	# SVC from AArch64
        gdb_setup=[], thread_word="CPU#", group=("vector", "v0", "x0")),
}

failures = 0


def check(name, cond, detail=""):
    global failures
    if cond:
        print(f"PASS: {name}", flush=True)
    else:
        failures += 1
        print(f"FAIL: {name}" + (f": {detail}" if detail else ""), flush=True)
    return cond


def done():
    sys.exit(1 if failures else 0)


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def need_tools(arch):
    a = ARCHS[arch]
    for what in ("gdb-multiarch", a["prefix"] + "gcc", a["prefix"] + "nm"):
        if not shutil.which(what):
            skip(f"{what} not installed")
    if not os.access(KWB, os.X_OK):
        skip(f"{KWB} not built")


class Guest:
    """The arch's tiny guest (tests/gdb/*-guest.S) as an ELF, plus its symbols."""

    def __init__(self, arch, workdir):
        a = self.a = ARCHS[arch]
        self.arch = arch
        self.elf = os.path.join(workdir, arch + "-guest.elf")
        subprocess.run([a["prefix"] + "gcc", "-nostdlib", "-nostartfiles", "-static", "-no-pie"] +
                       a["cflags"] + ["-Wl,-Ttext=0x%x" % a["text"], "-Wl,-N", "-Wl,--build-id=none",
                                      "-Wl,--no-warn-rwx-segments", "-g", "-O0", "-ffreestanding",
                                      "-fno-stack-protector", "-o", self.elf,
                                      os.path.join(HERE, a["src"]), os.path.join(HERE, "guest-c.c")],
                       check=True)
        out = subprocess.run([a["prefix"] + "nm", self.elf], check=True, stdout=subprocess.PIPE,
                             text=True).stdout
        self.sym = {}
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3:
                self.sym[f[2]] = int(f[0], 16)


class Kwb:
    """kwb running the guest, stopped at reset (-S), gdb on a unix socket."""

    def __init__(self, guest, smp=1, extra=()):
        self.dir = tempfile.mkdtemp(prefix="kwb-gdb-")
        self.sock = os.path.join(self.dir, "gdb.sock")
        self.guest = guest
        self.log = os.path.join(self.dir, "kwb.log")
        args = [KWB] + guest.a["kwb"] + ["-kernel", guest.elf, "-smp", str(smp), "-S", "-gdb", "unix:" + self.sock, "-nographic",
                "-timeout", "120"] + list(extra)
        self.logf = open(self.log, "wb")
        self.p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.logf,
                                  stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while not os.path.exists(self.sock):
            if self.p.poll() is not None or time.time() > deadline:
                raise RuntimeError("kwb did not open its gdb socket: " + self.output())
            time.sleep(0.02)

    def output(self):
        self.logf.flush()
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def gdb(self, *cmds, timeout=60, setup=()):
        """Run gdb-multiarch in batch mode; returns its output."""
        args = [GDB, "-nx", "-batch", "-ex", "set architecture " + self.guest.a["gdb_arch"],
                "-ex", "set pagination off", "-ex", "set confirm off"]
        for c in list(self.guest.a["gdb_setup"]) + list(setup):
            args += ["-ex", c]
        args += ["-ex", "file " + self.guest.elf, "-ex", "target remote " + self.sock]
        for c in cmds:
            args += ["-ex", c]
        try:
            p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
            return p.stdout.decode(errors="replace")
        except subprocess.TimeoutExpired as e:
            return (e.stdout or b"").decode(errors="replace") + "\n<gdb timed out>"

    def wait(self, timeout=10):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.logf.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def value(out, label):
    """The value printed by pr(label, expr)."""
    m = re.search(re.escape(label) + r"=([0-9a-f]+)", out)
    return int(m.group(1), 16) if m else None


def pr(label, expr):
    return f'printf "{label}=%lx\\n", {expr}'


class Rsp:
    """A minimal RSP client (ack mode) over the unix socket."""

    def __init__(self, path):
        """path: a unix socket, or (host, port)."""
        if isinstance(path, tuple):
            self.s = socket.create_connection(path)
        else:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.connect(path)
        self.s.settimeout(10)
        self.buf = b""

    def send(self, payload):
        if isinstance(payload, str):
            payload = payload.encode()
        body = bytearray()
        for b in payload:
            if b in b"$#}*":
                body += bytes([0x7d, b ^ 0x20])
            else:
                body.append(b)
        self.s.sendall(b"$" + bytes(body) + b"#%02x" % (sum(body) & 0xff))

    def raw(self, data):
        self.s.sendall(data)

    def recv(self, timeout=10):
        self.s.settimeout(timeout)
        while True:
            i = self.buf.find(b"$")
            j = self.buf.find(b"#", i) if i >= 0 else -1
            if i >= 0 and j >= 0 and len(self.buf) >= j + 3:
                pkt = self.buf[i + 1:j]
                self.buf = self.buf[j + 3:]
                try:
                    self.s.sendall(b"+")
                except OSError:		# the server may be gone after W
                    pass
                return pkt.decode(errors="replace")
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            self.buf += data

    def cmd(self, payload, timeout=10):
        self.send(payload)
        return self.recv(timeout)

    def close(self):
        self.s.close()


def run_all(arch, extra=()):
    """Every gdb scenario against arch's guest (one kwb per scenario), and
    the extra ones."""
    need_tools(arch)
    work = tempfile.mkdtemp(prefix="kwb-gdb-guest-")
    g = Guest(arch, work)
    a, S = g.a, g.sym
    try:
        scenarios = (registers_and_memory, breaks_watches_steps, break_in_loop, source_stepping, monitor,
                     detach_reconnect,
                     ctrl_c, ctrl_c_idle, threads, guest_exit)
        if arch == "aarch64":
            scenarios += (atomic_step,)
        scenarios += tuple(extra)
        for fn in scenarios:
            try:
                k = Kwb(g, smp=2 if fn in (threads, ctrl_c_idle) else 1)
            except RuntimeError as e:
                if "built without" in str(e):
                    skip(f"kwb has no {arch} CPU yet")
                raise
            try:
                fn(k, g, a, S)
            except Exception as e:		# a crash is a failure, not an abort
                check(f"{fn.__name__} ran", False, repr(e) + " " + k.output()[-500:])
            finally:
                k.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    done()


def idle_threads(pid):
    """kwb's threads at SCHED_IDLE (/proc/PID/task/*/stat, field 41)."""
    n = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        n += fields[38] == "5"
    return n


def serving_thread(k, g, a, S):
    """gdbserver/serve.c: with KWB_GDB_SERVE=force the steps are served by
    kwb's idle-priority thread, and end exactly where they end without it."""
    served = k.gdb("stepi 300", "info registers")
    check("the serving thread ran the steps (a SCHED_IDLE thread)", idle_threads(k.p.pid) == 1,
          f"{idle_threads(k.p.pid)} idle-priority threads")
    old = os.environ.get("KWB_GDB_SERVE")
    os.environ["KWB_GDB_SERVE"] = "0"
    try:
        k2 = Kwb(g)
    finally:
        os.environ["KWB_GDB_SERVE"] = old
    try:
        plain = k2.gdb("stepi 300", "info registers")
        check("without it: no idle-priority thread", idle_threads(k2.p.pid) == 0)
    finally:
        k2.close()
    check("300 steps served end in the same state as without", served == plain and "pc" in served,
          served[-300:] + " / " + plain[-300:])


def atomic_step(k, g, a, S):
    """gdb's aarch64 stepi over an LDAXR...STLXR sequence: it reads the
    instruction at pc before each step and, finding a load exclusive, runs
    to a breakpoint after the store exclusive instead of stepping into the
    sequence (on hardware a step there clears the monitor and loops
    forever). kwb must see it through: one stepi, one increment."""
    out = k.gdb(f"set $pc = {S['atomic_inc']:#x}", "stepi", pr("AT_LDXR", "$pc"),
                "stepi", pr("AFTER", "$pc"), pr("WORD", "*(long *)&atomic_word"), pr("STATUS", "$x4"),
                "stepi", pr("DONE", "$pc"), "stepi 3", pr("STILL", "$pc"), "info breakpoints")
    check("stepi to the load exclusive", value(out, "AT_LDXR") == S["atomic_ldxr"], out[-1500:])
    check("stepi over LDAXR..STLXR stops after the store exclusive",
          value(out, "AFTER") == S["atomic_retry"], out[-1500:])
    check("the sequence ran once and its store succeeded",
          value(out, "WORD") == 42 and value(out, "STATUS") == 0, out[-1500:])
    check("stepi past the retry branch", value(out, "DONE") == S["atomic_done"], out[-1500:])
    check("no breakpoint left behind", value(out, "STILL") == S["atomic_done"] and
          "No breakpoints" in out, out[-1500:])


def registers_and_memory(k, g, a, S):
    out = k.gdb(pr("PC", "$pc"), "info registers", "info all-registers",
                "set $x1 = 0x1234abcd" if g.arch == "aarch64" else "set $ra = 0x1234abcd",
                pr("R1", "$x1" if g.arch == "aarch64" else "$ra"),
                f"set {a['scratch']} = 0x5a5a", pr("SCRATCH", a["scratch"]))
    check("connect: stopped at reset", value(out, "PC") is not None, out[-1500:])
    check("info registers lists the core registers",
          re.search(r"^pc\s+0x", out, re.M) and re.search(r"^sp\s+0x", out, re.M), out[-1500:])
    missing = [r for r in a["sysregs"] if not re.search(rf"^{r}\s", out, re.M)]
    check("info all-registers includes system registers", not missing, f"missing {missing}")
    check("register write/read", value(out, "R1") == 0x1234abcd, out[-800:])
    check("system register write/read", value(out, "SCRATCH") == 0x5a5a, out[-800:])

    grp, has, hasnt = a["group"]
    out = k.gdb(f"info registers {grp}")
    check(f"info registers {grp} (register groups from the target description)",
          re.search(rf"^{has}\s", out, re.M) and not re.search(rf"^{hasnt}\s", out, re.M), out[-1500:])

    out = k.gdb("set debug remote 1", f"set {{int}}{S['counter']} = 0x11223344",
                f"set {{char}}({S['counter']}+4) = 0x7d", "set debug remote 0",
                pr("CNT", f"*(unsigned long *){S['counter']}"),
                pr("INSN", f"*(unsigned int *){S['_start']}"),
                "x/4xb 0xb000000")	# a hole on both boards (arm64 has flash at 0)
    check("memory write uses the X packet", "Sending packet: $X" in out, out[-1500:])
    check("memory reads back (with an escaped byte)", value(out, "CNT") == 0x7d11223344, out[-1500:])
    check("code reads from the loaded ELF", value(out, "INSN") == a["first_insn"], out[-800:])
    check("unmapped memory is an error", "Cannot access memory at address 0xb000000" in out, out[-800:])


def breaks_watches_steps(k, g, a, S):
    out = k.gdb("break *loop", "continue", pr("BPC", "$pc"),
                "delete", "hbreak *func", "continue", pr("HPC", "$pc"),
                "delete", "watch *(long *)&counter", "continue", pr("WPC", "$pc"),
                "delete", "rwatch *(long *)&counter", "continue", pr("RPC", "$pc"),
                "delete", "awatch *(long *)&counter", "continue", "continue",
                "delete", "break *trap_point", "continue", "stepi", pr("VEC", "$pc"),
                pr("CAUSE", a["cause"][0]), "delete",
                *(["stepi"] * a["trap_steps"]), pr("AFTER", "$pc"),
                pr("R0", "$x0" if g.arch == "aarch64" else "$a0"),
                "break *func", "continue", "stepi 2", pr("NPC", "$pc"),
                timeout=90)
    check("software breakpoint", value(out, "BPC") == S["loop"] and "Breakpoint 1, " in out, out[-2500:])
    check("hardware breakpoint", value(out, "HPC") == S["func"] and
          "Breakpoint 2, " in out, out[-2500:])
    check("write watchpoint", re.search(r"Hardware watchpoint 3: \*\(long \*\)&counter\s+Old value = \d+\s+"
                                        r"New value = \d+", out), out[-2500:])
    check("read watchpoint", re.search(r"Hardware read watchpoint 4: \*\(long \*\)&counter\s+Value = ", out),
          out[-2500:])
    check("access watchpoint", re.search(r"Hardware access \(read/write\) watchpoint 5: \*\(long \*\)&counter",
                                         out), out[-2500:])
    check("stepi on the trap instruction stops at the vector", value(out, "VEC") == S["trap_vec"],
          f"pc {value(out, 'VEC')} vector {S['trap_vec']:#x}")
    check("trap cause", value(out, a["cause"][0] and "CAUSE") == a["cause"][1], out[-800:])
    check("stepping through the handler returns past the trap",
          value(out, "AFTER") == S["trap_point"] + 4, out[-800:])
    check("stepping out of func returns to loop", value(out, "NPC") is not None and
          S["loop"] < value(out, "NPC") < S["trap_point"], out[-800:])


def break_in_loop(k, g, a, S):
    """A breakpoint on a page the CPU runs at full speed (kwb marks the one
    decoded slot): hit on every iteration of the loop, never skipped."""
    out = k.gdb("break *loop", *[c for i in range(4) for c in ("continue", pr(f"C{i}", "*(long *)&counter"))],
                "delete", timeout=90)
    counts = [value(out, f"C{i}") for i in range(4)]
    check("a breakpoint in a loop stops on every iteration",
          None not in counts and all(b - a == 1 for a, b in zip(counts, counts[1:])), f"{counts} {out[-1500:]}")


def source_stepping(k, g, a, S):
    """`next` in C code: gdb range-steps (vCont;r), kwb reports one stop."""
    out = k.gdb("break cfunc", "continue", "next", "set debug remote 1", "next", "next", "next", "next",
                "set debug remote 0", pr("I", "i"), timeout=90)
    ranges = len(re.findall(r"Sending packet: \$vCont;r", out))
    resumes = len(re.findall(r"Sending packet: \$vCont;", out))
    stops = len(re.findall(r"Packet received: T05", out))
    check("next uses range stepping", ranges >= 3, out[-2500:])
    check("one stop reply per resume", stops == resumes, f"{stops} stops for {resumes} resumes")
    check("the C loop advanced", (value(out, "I") or 0) >= 1, out[-500:])


def monitor(k, g, a, S):
    out = k.gdb("monitor help", "monitor info version", "monitor sstep irq on",
                "monitor sstep", "monitor sstep irq off", "monitor phys on",
                pr("PHYS", f"*(unsigned int *){S['_start']}"), "monitor phys off",
                "monitor no-such-command", "monitor")
    check("monitor help lists the gdb commands", "sstep irq" in out and "phys [on|off]" in out, out[-2000:])
    check("monitor info version", re.search(r"kwb", out), out[-2000:])
    check("monitor sstep irq on/off", "single-stepping: on" in out and "single-stepping: off" in out,
          out[-2000:])
    check("monitor phys", "physical" in out and value(out, "PHYS") == a["first_insn"], out[-2000:])
    check("unknown monitor command says so", "unknown command" in out, out[-800:])
    check("unknown monitor command: no 'Protocol error with Rcmd' (QEMU replies OK)",
          "Protocol error" not in out, out[-800:])
    check("empty monitor command gives usage", "usage: monitor COMMAND" in out, out[-800:])


def detach_reconnect(k, g, a, S):
    out1 = k.gdb("break *func", "continue", "detach")
    time.sleep(0.2)
    out2 = k.gdb(pr("PC2", "$pc"))
    check("detach, then a new gdb attaches", "detached]" in out1 and value(out2, "PC2") is not None,
          out1[-800:] + out2[-800:])
    # func runs every loop round: a leftover breakpoint would stop at once
    r = Rsp(k.sock)
    r.cmd("?")
    r.send("vCont;c")
    check("breakpoints were removed on detach", r.recv(timeout=0.5) is None)
    r.raw(b"\x03")
    check("Ctrl-C after reconnecting", (r.recv() or "").startswith("T02"))
    r.close()


def ctrl_c(k, g, a, S):
    """gdb forwards SIGINT as 0x03 while the guest runs."""
    args = [GDB, "-nx", "-batch", "-ex", "set architecture " + a["gdb_arch"]]
    for c in a["gdb_setup"]:
        args += ["-ex", c]
    args += ["-ex", "file " + g.elf, "-ex", "target remote " + k.sock, "-ex", "continue",
             "-ex", pr("IPC", "$pc")]
    # a pty, not a pipe: gdb block-buffers a pipe, and "Continuing." must arrive before SIGINT is sent
    master, slave = pty.openpty()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []

    def read_all():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    reader = threading.Thread(target=read_all)
    reader.start()
    # SIGINT only once gdb is connected and in `continue` (batch mode prints no "Continuing.")
    deadline = time.time() + 60
    while not re.search(rb"0x[0-9a-f]+ in ", b"".join(chunks)) and time.time() < deadline and p.poll() is None:
        time.sleep(0.05)
    check("gdb connected before the interrupt", re.search(rb"0x[0-9a-f]+ in ", b"".join(chunks)),
          b"".join(chunks)[-800:])
    time.sleep(1.0)
    t0 = time.time()
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        chunks.append(b"<timeout>")
    reader.join()
    os.close(master)
    out = b"".join(chunks).decode(errors="replace")
    check("Ctrl-C in gdb stops the running guest", "SIGINT" in out and value(out, "IPC") is not None,
          out[-1500:])
    check("Ctrl-C is prompt", time.time() - t0 < 5, f"{time.time() - t0:.1f}s")


def ctrl_c_idle(k, g, a, S):
    """Raw protocol: Ctrl-C while every CPU idles in WFI."""
    r = Rsp(k.sock)
    r.cmd("qSupported")
    r.cmd("?")
    pc = [n for n, name in enumerate(reg_names(r)) if name == "pc"][0]
    r.cmd("P%x=%s" % (pc, S["park"].to_bytes(8, "little").hex()))
    r.send("vCont;c")
    check("the machine runs (no early stop reply)", r.recv(timeout=0.5) is None)
    t0 = time.time()
    r.raw(b"\x03")
    rep = r.recv(timeout=5)
    check("Ctrl-C in WFI gives T02", rep is not None and rep.startswith("T02"), str(rep))
    check("Ctrl-C in WFI is prompt", time.time() - t0 < 2, f"{time.time() - t0:.2f}s")
    r.close()


def reg_names(r):
    """Register names in regnum order, from the target description."""
    names = {}
    xml = r.cmd("qXfer:features:read:target.xml:0,ffff")
    for inc in re.findall(r'href="([^"]+)"', xml):
        doc = r.cmd(f"qXfer:features:read:{inc}:0,ffff")
        for name, num in re.findall(r'<reg name="([^"]+)"[^>]*regnum="(\d+)"', doc):
            names[int(num)] = name
    return [names.get(i) for i in range(max(names) + 1)]


def threads(k, g, a, S):
    out = k.gdb("info threads", "thread 2", pr("T2", "$pc"), "thread 1",
                "set scheduler-locking on", "stepi", "thread 2", pr("T2B", "$pc"))
    w = re.escape(a["thread_word"])
    check("CPUs are threads", re.search(rf"Thread 1 .*{w} ?0", out) and re.search(rf"Thread 2 .*{w} ?1", out),
          out[-2000:])
    check("scheduler-locking: stepping thread 1 leaves thread 2 alone",
          value(out, "T2") is not None and value(out, "T2") == value(out, "T2B"), out[-1500:])


def guest_exit(k, g, a, S):
    out = k.gdb(f"set $pc = {S['poweroff']}", "continue")
    check("guest power-off is reported to gdb", re.search(r"exited (normally|with code)", out), out[-1000:])
    check("kwb exits once gdb has gone", k.wait(10) == 0, k.output()[-500:])
