"""Helpers for the 9p tests: a share directory made the same way for each
run, a *-full fixture booted on kwb or QEMU 7.2 with it mounted (/init's
kwb.9p=TAG), and a shell command typed on the console once it is up."""
import hashlib, os, random, select, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "virtio"))
import vtest  # noqa: E402

KWB = vtest.KWB


def make_share(path, extra=None):
    """The share every run starts from: files, a symlink, an absolute
    symlink, a directory of 1500 long names (readdir in many pieces)."""
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(os.path.join(path, "hostdir", "sub"))
    with open(os.path.join(path, "hello.txt"), "w") as f:
        f.write("hello from the host\n")
    rnd = random.Random(9)
    with open(os.path.join(path, "big.bin"), "wb") as f:
        f.write(bytes(rnd.getrandbits(8) for _ in range(1 << 20 | 12345)))
    for name, mode in (("a", 0o644), ("b", 0o600), ("sub/c", 0o755)):
        p = os.path.join(path, "hostdir", name)
        with open(p, "w") as f:
            f.write(name * 3 + "\n")
        os.chmod(p, mode)
    os.symlink("hello.txt", os.path.join(path, "hostlink"))
    os.symlink("/init", os.path.join(path, "abslink"))
    os.makedirs(os.path.join(path, "hostmany"))
    for i in range(1500):
        open(os.path.join(path, "hostmany", "entry-%04d-%s" % (i, "n" * (i % 97))), "w").close()
    shutil.copy(os.path.join(HERE, "ops.sh"), os.path.join(path, "ops.sh"))
    if extra:
        extra(path)


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def boot(arch, emu, share_args, command, tag="host0", timeout=150, extra=()):
    """Boots arch's *-full fixture on emu ("kwb" or "qemu") with share_args,
    waits for the 9p mount and a shell, types command (then poweroff -f)
    and returns (mounted, console output)."""
    argv = vtest.base_args(arch, "kwb.9p=" + tag)
    ap = argv.index("-append") + 1
    argv[ap] = argv[ap].replace(" kwb.halt", "")
    argv += ["-nic", "none"] if arch == "arm64" else []
    argv += list(share_args) + list(extra)
    if emu == "kwb":
        argv = [KWB] + argv + ["-timeout", str(timeout - 10)]
    else:
        q = shutil.which(vtest.ARCH[arch]["qemu"])
        if not q:
            return None, "no QEMU"
        argv = [q] + argv
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    end = time.time() + timeout

    def wait(pat):
        nonlocal out
        while time.time() < end and pat not in out and p.poll() is None:
            if select.select([p.stdout], [], [], 0.2)[0]:
                d = os.read(p.stdout.fileno(), 65536)
                if not d:
                    break
                out += d
        return pat in out
    try:
        mounted = wait(b"KWB-INIT: 9p %s mounted" % tag.encode())
        if wait(b"/ # "):
            p.stdin.write(command.encode() + b"; /bin/busybox poweroff -f\n")
            p.stdin.flush()
            while time.time() < end and p.poll() is None:
                wait(b"\x00never")
        while select.select([p.stdout], [], [], 0.5)[0]:
            d = os.read(p.stdout.fileno(), 65536)
            if not d:
                break
            out += d
        return mounted, out.decode(errors="replace")
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()


def section(out, begin="OPS-BEGIN", end="OPS-END"):
    """The lines between the markers the guest script prints."""
    lines = out.replace("\r", "").splitlines()
    try:
        a = max(i for i, l in enumerate(lines) if l.strip() == begin)
        b = max(i for i, l in enumerate(lines) if l.strip() == end)
    except ValueError:
        return None
    return [l.rstrip() for l in lines[a + 1:b]]
