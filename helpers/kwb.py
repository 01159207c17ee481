# kwb's gdb helper: the kwb monitor and QEMU-compatible packets as gdb
# commands with help and completion. Needs only gdb's Python (not Linux's
# scripts/gdb). Load by hand with
#     (gdb) source /path/to/kwb/helpers/kwb.py
# then "kwb" lists the commands ("help kwb-vtop" and so on for each).
import re

import gdb

GROUPS = ["general", "system", "vector", "float", "csr", "all"]
PTDUMP_ROOTS = ["ttbr0", "ttbr1", "satp"]
_NUMBER = re.compile(r"^(0[xX][0-9a-fA-F]+|[0-9]+)$")
_SYMEXPR = re.compile(r"^[A-Za-z_.$][\w.$]*([+-](0[xX][0-9a-fA-F]+|[0-9]+))?$")


def monitor(line, to_string=False):
    """Runs "monitor LINE". A failing command already printed its own
    one-line reason (kwb sends it before the error reply)."""
    try:
        return gdb.execute("monitor " + line, to_string=to_string)
    except gdb.error as e:
        if "Rcmd" in str(e):
            raise gdb.GdbError("kwb: 'monitor %s' failed" % line)
        raise gdb.GdbError("kwb: %s (is gdb connected to kwb? target remote ...)" % e)


_commands_cache = None


def monitor_commands():
    """Names of the monitor commands this kwb has (from 'monitor help')."""
    global _commands_cache
    if _commands_cache is None:
        try:
            text = gdb.execute("monitor help", to_string=True)
        except gdb.error:
            return set()
        names = set()
        for line in text.splitlines():
            words = line.split()
            if words:
                names.add(words[0])
                if len(words) > 1 and words[0] == "info":
                    names.add("info " + words[1])
        _commands_cache = names
    return _commands_cache


def has_monitor(name):
    return name in monitor_commands()


def addr_arg(arg):
    """A number or NAME[+-OFF] goes to kwb as is (kwb resolves kernel
    symbols itself); anything else is a gdb expression ($sp, &init_task,
    ptr->field) evaluated here."""
    arg = arg.strip()
    if _NUMBER.match(arg) or _SYMEXPR.match(arg) and not arg.startswith("$"):
        return arg
    v = gdb.parse_and_eval(arg)
    if v.type.strip_typedefs().code in (gdb.TYPE_CODE_FUNC, gdb.TYPE_CODE_ARRAY):
        v = v.address
    return "0x%x" % (int(v.cast(gdb.lookup_type("unsigned long"))) & 0xffffffffffffffff)


def _complete_words(words, text):
    return [w for w in words if w.startswith(text)]


class KwbPrefix(gdb.Command):
    """kwb workbench commands (kwb's monitor and QEMU packets, wrapped).

Usage: kwb    lists the kwb-* commands and whether this kwb has them.
Each command has its own help: help kwb-vtop, help kwb-ptdump, ..."""

    def __init__(self):
        super().__init__("kwb", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        for c in ALL:
            doc = (c.__doc__ or "").strip().splitlines()[0]
            miss = ""
            if c.requires and gdb.selected_inferior().connection_num is not None \
                    and not has_monitor(c.requires):
                miss = "  [not in this kwb]"
            print("%-13s %s%s" % (c.cmdname, doc, miss))


class MonitorCommand(gdb.Command):
    """Base: forwards to 'monitor VERB ARGS'."""
    verb = None
    requires = None
    addr_args = 0          # how many leading arguments are addresses

    def __init__(self):
        super().__init__(self.cmdname, gdb.COMMAND_USER)

    def args(self, arg):
        argv = gdb.string_to_argv(arg)
        for i in range(min(self.addr_args, len(argv))):
            argv[i] = addr_arg(argv[i])
        return argv

    def check(self, argv):
        pass

    def invoke(self, arg, from_tty):
        if self.requires and not has_monitor(self.requires):
            raise gdb.GdbError("%s: this kwb has no 'monitor %s'" % (self.cmdname, self.requires))
        argv = self.args(arg)
        self.check(argv)
        monitor(" ".join([self.verb] + argv))


class KwbVtop(MonitorCommand):
    """Translate a virtual address on the selected CPU, level by level.

Usage: kwb-vtop ADDR
ADDR: a number, a kernel symbol (NAME or NAME+OFF) or any gdb expression
($sp, &init_task). With translation off, shows the kernel-image alias."""
    cmdname, verb, requires, addr_args = "kwb-vtop", "vtop", "vtop", 1

    def check(self, argv):
        if len(argv) != 1:
            raise gdb.GdbError("usage: kwb-vtop ADDR")

    def complete(self, text, word):
        return gdb.COMPLETE_SYMBOL


class KwbPtdump(MonitorCommand):
    """Dump the page tables of the selected CPU (merged ranges, attributes).

Usage: kwb-ptdump [ttbr0|ttbr1|satp|ROOT [fmt]]
Without argument: the tables the CPU uses now (on AArch64 both halves,
TTBR0_EL1 then TTBR1_EL1; satp on RISC-V). ROOT is a physical table address; fmt is the RISC-V mode
(sv39, sv48, sv57) or the AArch64 granule/VA size for a raw ROOT."""
    cmdname, verb, requires = "kwb-ptdump", "ptdump", "ptdump"

    def complete(self, text, word):
        if " " in text.strip() or text.endswith(" ") and text.strip():
            return []
        return _complete_words(PTDUMP_ROOTS, word)


class KwbSym(MonitorCommand):
    """Kernel symbol of an address, or a symbol's VA and PA.

Usage: kwb-sym [ADDR|NAME]
ADDR may be virtual or physical (kwb maps both to the symbol). Without
argument: the kernel's VA->PA map and the add-symbol-file offset of the
physical alias (kwb-alias uses it)."""
    cmdname, verb, requires, addr_args = "kwb-sym", "sym", "sym", 1

    def complete(self, text, word):
        return gdb.COMPLETE_SYMBOL


class KwbPbreak(MonitorCommand):
    """Breakpoint on a physical PC (hits whatever the translation).

Usage: kwb-pbreak [PA]     without PA: list the physical breakpoints.
Remove with kwb-pdelete PA. gdb does not know these breakpoints: a hit
stops the machine and gdb reports SIGTRAP at the pc."""
    cmdname, verb, requires, addr_args = "kwb-pbreak", "pbreak", "pbreak", 1


class KwbPwatch(MonitorCommand):
    """Watchpoint on physical memory (DMA buffers, page tables, ...).

Usage: kwb-pwatch PA LEN [r|w|a]   (default w: writes; r: reads; a: both)
Remove with kwb-pdelete PA."""
    cmdname, verb, requires, addr_args = "kwb-pwatch", "pwatch", "pwatch", 1

    def check(self, argv):
        if len(argv) not in (2, 3) or len(argv) == 3 and argv[2] not in ("r", "w", "a"):
            raise gdb.GdbError("usage: kwb-pwatch PA LEN [r|w|a]")

    def complete(self, text, word):
        if len(gdb.string_to_argv(text)) >= 2 and text.endswith(" ") or \
                len(gdb.string_to_argv(text)) == 3:
            return _complete_words(["r", "w", "a"], word)
        return []


class KwbPdelete(MonitorCommand):
    """Remove physical breakpoints/watchpoints (kwb-pbreak, kwb-pwatch).

Usage: kwb-pdelete [PA]    without PA: remove them all."""
    cmdname, verb, requires, addr_args = "kwb-pdelete", "pdelete", "pdelete", 1


class KwbPhys(gdb.Command):
    """gdb memory accesses and breakpoints use physical addresses.

Usage: kwb-phys on|off    (no argument: show the mode)
Sends QEMU's packet Qqemu.PhyMemMode:1/0, so x/ and break take physical
addresses while on; gdb's memory cache is flushed on every change."""
    cmdname, requires = "kwb-phys", None

    def __init__(self):
        super().__init__(self.cmdname, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        arg = arg.strip()
        if arg not in ("on", "off", ""):
            raise gdb.GdbError("usage: kwb-phys on|off")
        if arg:
            r = gdb.execute("maintenance packet Qqemu.PhyMemMode:%d" % (arg == "on"), to_string=True)
            if 'received: "OK"' not in r:
                raise gdb.GdbError("kwb-phys: the stub refused PhyMemMode: %s" % r.strip())
            gdb.execute("maintenance flush dcache", to_string=True)
            gdb.execute("maintenance flush register-cache", to_string=True)
        r = gdb.execute("maintenance packet qqemu.PhyMemMode", to_string=True)
        m = re.search(r'received: "(\d)"', r)
        if not m:
            raise gdb.GdbError("kwb-phys: no answer to qqemu.PhyMemMode: %s" % r.strip())
        print("gdb addresses are %s" % ("physical" if m.group(1) == "1" else "virtual"))

    def complete(self, text, word):
        return _complete_words(["on", "off"], word)


class KwbRegs(MonitorCommand):
    """Registers of the selected CPU from kwb's register table.

Usage: kwb-regs [GROUP|NAME|all]
GROUP: general (default), system (AArch64 system registers), csr
(RISC-V), vector, float; or one register by name."""
    cmdname, verb, requires = "kwb-regs", "info registers", "info registers"

    def complete(self, text, word):
        words = list(GROUPS)
        try:
            words += [r.name for r in gdb.selected_frame().architecture().registers()]
        except (gdb.error, AttributeError):
            pass
        return _complete_words(words, word)


class KwbFdt(MonitorCommand):
    """The device tree in guest memory (the blob the kernel gets), as dts.

Usage: kwb-fdt [@ADDR] [PATH [PROP]]
Forwards to 'monitor fdt': the whole tree, one node with its children, or
one property. @pa:ADDR / @va:ADDR read a blob at any address. PATH and
PROP complete from the tree in memory (asked anew each time: firmware may
move the blob). Related: monitor fdt-diff FILE, monitor dumpdtb FILE."""
    cmdname, verb, requires = "kwb-fdt", "fdt", "fdt"

    def paths(self, addr=None):
        at = " " + addr if addr else ""
        try:
            if has_monitor("fdt-paths"):
                text = gdb.execute("monitor fdt-paths" + at, to_string=True)
                return [l for l in text.splitlines() if l.startswith("/")]
            return fdt_paths(gdb.execute("monitor fdt" + at, to_string=True))
        except gdb.error:
            return []

    def props(self, path, addr=None):
        try:
            text = gdb.execute("monitor fdt %s%s" % (addr + " " if addr else "", path), to_string=True)
        except gdb.error:
            return []
        return [m.group(1) for m in re.finditer(r"^\t([^\s{}=;]+)(?: = .*)?;$", text, re.M)]

    def complete(self, text, word):
        if not has_monitor("fdt"):
            return []
        argv = gdb.string_to_argv(text)
        if text.endswith(" ") or not argv:
            argv.append("")
        addr = argv.pop(0) if argv[0].startswith("@") and len(argv) > 1 else None
        # gdb splits words at "/", "@" and ","; match the whole argument and
        # hand back what follows the part gdb calls the word.
        cur, keep = argv[-1], len(argv[-1]) - len(word or "")
        if len(argv) == 1:
            words = self.paths(addr)
        elif len(argv) == 2:
            words = self.props(argv[0], addr)
        else:
            return []
        return [w[keep:] for w in words if w.startswith(cur)]


def fdt_paths(text):
    """Node paths from a device-tree listing: lines that are paths
    ("/soc/uart@9000000"), or a dts-like tree ("name {" nested)."""
    paths, stack = [], []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("/") and " " not in s.rstrip(" {:"):
            paths.append(s.rstrip(" {:"))
            continue
        m = re.match(r"^([\w,.@+-]+|/)\s*\{", s)
        if m:
            name = m.group(1)
            stack.append(name)
            p = "/" + "/".join(n for n in stack if n != "/")
            paths.append(p)
        elif s.startswith("}"):
            if stack:
                stack.pop()
    return sorted(set(paths))


class KwbSmmu(MonitorCommand):
    """SMMUv3 state (stream table, queues, translations), from kwb.

Usage: kwb-smmu [ARGS...]    forwards to 'monitor smmu ARGS'
(exists when the machine has -M virt,iommu=smmuv3 and kwb models it)."""
    cmdname, verb, requires = "kwb-smmu", "smmu", "smmu"


class KwbAlias(gdb.Command):
    """Symbols at the kernel image's physical alias (for the MMU-off code).

Usage: kwb-alias [on|off]   (no argument: on)
Before the kernel turns its MMU on, the pc is a physical address. kwb
tells gdb itself: it lists the vmlinux, relocated to the physical alias,
as a shared library (qXfer:libraries), which gdb loads when it connects
("info sharedlibrary"), so a break on primary_entry / _start gets a
second, physical location and gdb names physical pcs with no helper.
"on" checks that, or (an older kwb, or "set auto-solib-add off") adds the
same symbols with add-symbol-file (offset from 'monitor sym'). "off"
removes what kwb-alias added (kwb's library goes with "nosharedlibrary")."""
    cmdname, requires = "kwb-alias", "sym"
    loaded = None

    def __init__(self):
        super().__init__(self.cmdname, gdb.COMMAND_USER)

    @staticmethod
    def alias_info():
        """(path, offset, PA of the image) from 'monitor sym'."""
        text = gdb.execute("monitor sym", to_string=True)
        m = re.search(r"add-symbol-file (\S+) -o (0x[0-9a-fA-F]+)", text)
        if not m:
            raise gdb.GdbError("kwb-alias: kwb gives no alias offset ('monitor sym'):\n" + text)
        pa = re.search(r"^kernel image\s+VA \S+ -> PA (0x[0-9a-fA-F]+)", text, re.M)
        return m.group(1), int(m.group(2), 16), int(pa.group(1), 16) if pa else None

    def invoke(self, arg, from_tty, quiet=False):
        arg = arg.strip() or "on"
        if arg == "off":
            if KwbAlias.loaded and KwbAlias.loaded[2]:
                gdb.execute("remove-symbol-file -a 0x%x" % KwbAlias.loaded[1], to_string=True)
            elif KwbAlias.loaded:
                print("kwb-alias: the alias symbols are kwb's shared library: nosharedlibrary removes them")
            KwbAlias.loaded = None
            return
        if arg != "on":
            raise gdb.GdbError("usage: kwb-alias [on|off]")
        path, off, pa = self.alias_info()
        # $kwb_alias_offset: VA + $kwb_alias_offset is the PA of kernel code
        gdb.set_convenience_variable("kwb_alias_offset", off)
        lib = gdb.solib_name(pa) if pa is not None else None
        if lib:
            KwbAlias.loaded = (off, pa, False)
            if not quiet:
                print("kwb-alias: kwb already gives gdb the vmlinux symbols at the physical alias "
                      "(shared library %s, offset 0x%x, _text at PA 0x%x)" % (lib, off, pa))
            return
        if KwbAlias.loaded:
            print("kwb-alias: already loaded (offset 0x%x)" % KwbAlias.loaded[0])
            return
        text_pa = pa if pa is not None else \
            (int(gdb.parse_and_eval("(unsigned long)&_text")) + off) & 0xffffffffffffffff
        gdb.execute("add-symbol-file %s -o 0x%x" % (path, off), to_string=True)
        KwbAlias.loaded = (off, text_pa, True)
        print("kwb-alias: vmlinux symbols also at the physical alias (offset 0x%x, _text at PA 0x%x)"
              % (off, text_pa))

    def complete(self, text, word):
        return _complete_words(["on", "off"], word)


class KwbTasks(gdb.Command):
    """Linux tasks as gdb threads, listed (F2 in kwb-debug's gdb pane).

Usage: kwb-tasks [on|off]   (no argument: on)
"on": gdb's threads become the kernel's tasks (thread id = pid; "sh [pid
42] sleeping", "swapper/1 [pid 0] running on CPU 1"), at once, then
"info threads"; "thread N" + "bt" is a sleeping task's backtrace from its
saved context. "off": back to one thread per CPU. Before the scheduler
exists (or without DWARF) kwb keeps CPU threads and says why."""
    cmdname, requires = "kwb-tasks", "tasks"

    def __init__(self):
        super().__init__(self.cmdname, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        arg = arg.strip() or "on"
        if arg not in ("on", "off"):
            raise gdb.GdbError("usage: kwb-tasks [on|off]")
        if not has_monitor(self.requires):
            raise gdb.GdbError("kwb-tasks: this kwb has no 'monitor tasks'")
        monitor("tasks %s now" % arg)
        gdb.execute("maintenance flush register-cache")
        gdb.execute("info threads")

    def complete(self, text, word):
        return _complete_words(["on", "off"], word)


ALL = [KwbVtop, KwbPtdump, KwbSym, KwbPbreak, KwbPwatch, KwbPdelete, KwbPhys, KwbRegs,
       KwbFdt, KwbSmmu, KwbTasks, KwbAlias]

KwbPrefix()
for _c in ALL:
    if _c is KwbAlias:
        _alias_cmd = _c()
    else:
        _c()


def _forget_target(event):
    global _commands_cache, _auto_alias_tried
    _commands_cache = None
    _auto_alias_tried = False


gdb.events.exited.connect(_forget_target)


_auto_alias_tried = False


def _auto_alias(event):
    """The first stop of a kwb connection loads the physical-alias symbols
    (kwb-alias), so breakpoints on kernel functions that run with the MMU
    off are hit and named with nothing more than "file vmlinux".
    "set kwb-auto-alias off" (or kwb-alias off) leaves them out."""
    global _auto_alias_tried
    if _auto_alias_tried or KwbAlias.loaded or not _auto_alias_param.value:
        return
    _auto_alias_tried = True
    try:
        if not gdb.objfiles() or not has_monitor("sym"):
            return
        KwbAlias.invoke(_alias_cmd, "on", False, quiet=True)
    except (gdb.error, gdb.GdbError) as e:
        print("kwb: no physical-alias symbols: %s" % e)


class _AutoAliasParam(gdb.Parameter):
    """Whether kwb.py loads the vmlinux symbols at the kernel's physical
alias (kwb-alias) at the first stop after connecting to kwb."""
    set_doc = "Set whether the first stop loads the physical-alias symbols."
    show_doc = "Show whether the first stop loads the physical-alias symbols."

    def __init__(self):
        super().__init__("kwb-auto-alias", gdb.COMMAND_SUPPORT, gdb.PARAM_BOOLEAN)
        self.value = True

    def get_show_string(self, value):
        return "kwb-auto-alias is %s" % value


_auto_alias_param = _AutoAliasParam()
gdb.events.stop.connect(_auto_alias)


def _symbols_cleared(event):
    # "symbol-file" (lx-symbols reloads vmlinux this way) drops every objfile
    KwbAlias.loaded = None


gdb.events.clear_objfiles.connect(_symbols_cleared)
