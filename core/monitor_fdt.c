/*
 * Monitor commands on the device tree in guest memory: fdt, fdt-paths,
 * fdt-diff, dumpdtb. The blob is read through the debug interface and
 * decoded by fdt_inspect.c, which checks everything it reads.
 *
 * Which blob "the" device tree is: the kernel may not get the copy kwb
 * placed (m->dtb_addr). OpenSBI's fw_jump copies it to FW_JUMP_FDT_ADDR
 * (0x82200000 in Debian's generic build) and patches it before passing
 * that address in a1, and after boot the kernel's own pointer
 * (initial_boot_params, a kernel VA) is the truth. So the default blob is
 * the first valid one of: initial_boot_params (with vmlinux symbols), the
 * boot register (x0 / a1) while the CPU stands at the kernel entry (and
 * remembered afterwards), with firmware a copy found in the first 64 MiB
 * of RAM (page-aligned starts), and finally m->dtb_addr.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdt_inspect.h"
#include "machine.h"
#include "monitor.h"

extern char **environ;

#define SCAN_SPAN (64u << 20)

typedef struct fdt_blob {
	uint64_t addr;
	bool virt;
	const char *how;	/* why this address, for the header comment */
	uint8_t *data;
	fdt_tree tree;
	char what[64];		/* "fdt at 0x..." */
} fdt_blob;

/* The boot register seen at the kernel entry, or a scan's find. */
static struct {
	machine *m;
	uint64_t addr;
	const char *how;
} remembered;

static void blob_free(fdt_blob *b)
{
	fdti_free(&b->tree);
	free(b->data);
	b->data = NULL;
}

static int cpu_of(mon_ctx *c)
{
	return c->cpu >= 0 && c->cpu < c->m->ncpus ? c->cpu : 0;
}

static int load_at(mon_ctx *c, uint64_t addr, bool virt, const char *how, fdt_blob *b,
		   char *err, size_t errlen)
{
	uint8_t hdr[FDTI_HEADER_SIZE];
	unsigned flags = virt ? 0 : DBG_PHYS;
	size_t n;
	uint32_t total;

	memset(b, 0, sizeof(*b));
	b->addr = addr;
	b->virt = virt;
	b->how = how;
	snprintf(b->what, sizeof(b->what), "fdt at %s0x%llx", virt ? "VA " : "", (unsigned long long)addr);
	n = dbg_mem_read(c->m, cpu_of(c), addr, hdr, sizeof(hdr), flags);
	total = fdti_check_header(hdr, n, b->what, err, errlen);
	if (!total)
		return -1;
	b->data = kwb_zalloc(total);
	n = dbg_mem_read(c->m, cpu_of(c), addr, b->data, total, flags);
	if (fdti_parse(&b->tree, b->data, n, b->what, err, errlen)) {
		blob_free(b);
		return -1;
	}
	return 0;
}

static bool reg_value(machine *m, int cpu, const char *name, uint64_t *v)
{
	const reg_table *t = dbg_regs(m);
	int idx = t ? regtab_find(t, name) : -1;
	uint8_t buf[16] = { 0 };

	if (idx < 0 || dbg_reg_read(m, cpu, idx, buf) < 0)
		return false;
	*v = 0;
	for (int i = 7; i >= 0; i--)
		*v = *v << 8 | buf[i];
	return true;
}

static bool has_firmware(machine *m)
{
	for (int i = 0; i < m->nimages; i++)
		if (!strcmp(m->images[i].what, "bios"))
			return true;
	return false;
}

/*
 * A valid blob other than kwb's own copy (the firmware's): page-aligned
 * starts in the first SCAN_SPAN of RAM, where firmware keeps itself and its
 * copy (fw_jump: FW_JUMP_FDT_ADDR = RAM + 34 MiB). Bounded, and reading 4
 * bytes per page keeps it quick and leaves untouched guest RAM untouched.
 */
static bool scan_ram(mon_ctx *c, fdt_blob *b)
{
	machine *m = c->m;
	bus_region *ram = m->bus.ram;
	char err[240];

	if (!ram)
		return false;
	for (uint64_t off = 0; off < ram->size && off < SCAN_SPAN; off += 4096) {
		uint8_t magic[4];
		paddr_t pa = ram->base + off;
		if (pa == m->dtb_addr || dbg_mem_read(m, cpu_of(c), pa, magic, 4, DBG_PHYS) != 4 ||
		    memcmp(magic, "\xd0\x0d\xfe\xed", 4))
			continue;
		if (!load_at(c, pa, false, "found in RAM (the firmware's copy)", b, err, sizeof(err)))
			return true;
	}
	return false;
}

/* The default blob (see the top of the file); -1 after printing why not. */
static int find_default(mon_ctx *c, fdt_blob *b)
{
	machine *m = c->m;
	int cpu = cpu_of(c);
	const char *arm = !strcmp(m->arch->name, "aarch64") ? "x0" : "a1";
	struct cand { uint64_t addr; bool virt; const char *how; } cand[4];
	char errs[4][240];
	int n = 0, nerr = 0;
	uint64_t v, ptr;

	if (dbg_sym_lookup(m, "initial_boot_params", &v) &&
	    dbg_mem_read(m, cpu, v, &ptr, 8, 0) == 8 && ptr)
		cand[n++] = (struct cand){ ptr, true, "the kernel's initial_boot_params" };
	if (m->kernel_entry && dbg_pc(m, cpu) == m->kernel_entry && reg_value(m, cpu, arm, &v)) {
		remembered.m = m;
		remembered.addr = v;
		remembered.how = !strcmp(arm, "x0") ? "x0 at the kernel entry" : "a1 at the kernel entry";
	}
	if (remembered.m == m)
		cand[n++] = (struct cand){ remembered.addr, false, remembered.how };
	if (m->dtb_addr)
		cand[n++] = (struct cand){ m->dtb_addr, false, "where kwb placed it" };
	for (int i = 0; i < n; i++) {
		bool dup = false;
		for (int j = 0; j < i; j++)
			dup |= cand[j].addr == cand[i].addr && cand[j].virt == cand[i].virt;
		if (dup)
			continue;
		/* The firmware's copy comes before kwb's own, which it leaves behind. */
		if (cand[i].addr == m->dtb_addr && !cand[i].virt && has_firmware(m) && scan_ram(c, b)) {
			remembered.m = m;
			remembered.addr = b->addr;
			remembered.how = b->how;
			goto found;
		}
		if (!load_at(c, cand[i].addr, cand[i].virt, cand[i].how, b, errs[nerr], sizeof(errs[0])))
			goto found;
		nerr++;
	}
	for (int i = 0; i < nerr; i++)
		mon_printf(c->out, "%s\n", errs[i]);
	if (!n)
		mon_printf(c->out, "fdt: this machine has no device tree\n");
	return -1;
found:
	for (int i = 0; i < nerr; i++)
		mon_printf(c->out, "/* note: %s */\n", errs[i]);
	return 0;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	*v = strtoull(s, &end, 0);
	return !*end;
}

/* "@pa:ADDR", "@va:ADDR", "@ADDR" (virtual when it translates, else physical). */
static int load_arg(mon_ctx *c, const char *arg, fdt_blob *b)
{
	machine *m = c->m;
	char err[240];
	uint64_t addr;
	paddr_t pa;
	bool virt;
	const char *num = arg + 1;

	if (!strncmp(num, "pa:", 3) || !strncmp(num, "va:", 3))
		num += 3;
	if (!parse_u64(num, &addr)) {
		mon_printf(c->out, "fdt: bad address '%s' (@ADDR, @pa:ADDR or @va:ADDR)\n", arg);
		return -1;
	}
	if (num != arg + 1) {
		virt = arg[1] == 'v';
	} else if (!m->arch->mmu_enabled(m->cpus[cpu_of(c)])) {
		/* Physical, unless it is a kernel VA with an alias in the image. */
		bus_region *r = m->bus.ram;
		virt = !(r && addr - r->base < r->size) &&
		       dbg_translate(m, cpu_of(c), addr, &pa, NULL) == 0 && pa != addr;
	} else {
		virt = dbg_translate(m, cpu_of(c), addr, &pa, NULL) == 0;
	}
	if (load_at(c, addr, virt, "as given", b, err, sizeof(err))) {
		mon_printf(c->out, "%s\n", err);
		return -1;
	}
	return 0;
}

/* Shared argument handling: [@ADDR] first, then the rest. */
static int load(mon_ctx *c, int *argc, char ***argv, fdt_blob *b)
{
	if (*argc > 1 && (*argv)[1][0] == '@') {
		int r = load_arg(c, (*argv)[1], b);
		(*argv)++;
		(*argc)--;
		return r;
	}
	return find_default(c, b);
}

static void header_comment(mon_ctx *c, const fdt_blob *b)
{
	mon_printf(c->out, "/* %s (%s), %u bytes */\n", b->what, b->how, b->tree.size);
}

/* A path, or an alias from /aliases. */
static int resolve(mon_ctx *c, const fdt_tree *t, const char *path)
{
	int node = -1;

	if (path[0] != '/') {
		int al = fdti_find(t, "/aliases"), p = al >= 0 ? fdti_prop_find(t, al, path) : -1;
		const fdti_prop *pr = p >= 0 ? &t->props[p] : NULL;
		if (pr && pr->len && !pr->val[pr->len - 1] && pr->val[0] == '/')
			node = fdti_find(t, (const char *)pr->val);
	} else {
		node = fdti_find(t, path);
	}
	if (node < 0)
		mon_printf(c->out, "fdt: no node '%s'\n", path);
	return node;
}

static int cmd_fdt(mon_ctx *c, int argc, char **argv)
{
	fdt_blob b;
	int node, prop, r = 0;

	if (load(c, &argc, &argv, &b))
		return -1;
	if (argc > 3) {
		mon_printf(c->out, "usage: fdt [@ADDR] [PATH [PROPERTY]]\n");
		r = -1;
	} else if (argc == 1) {
		header_comment(c, &b);
		fdti_print_dts(&b.tree, c->out);
	} else if ((node = resolve(c, &b.tree, argv[1])) < 0) {
		r = -1;
	} else if (argc == 2) {
		header_comment(c, &b);
		fdti_print_node(&b.tree, node, c->out);
	} else if ((prop = fdti_prop_find(&b.tree, node, argv[2])) < 0) {
		mon_printf(c->out, "fdt: no property '%s' in %s\n", argv[2], argv[1]);
		r = -1;
	} else {
		fdti_print_prop(&b.tree, prop, c->out);
	}
	blob_free(&b);
	return r;
}

static int cmd_fdt_paths(mon_ctx *c, int argc, char **argv)
{
	fdt_blob b;

	if (load(c, &argc, &argv, &b))
		return -1;
	fdti_print_paths(&b.tree, c->out);
	blob_free(&b);
	return 0;
}

static int cmd_dumpdtb(mon_ctx *c, int argc, char **argv)
{
	fdt_blob b;
	FILE *f;
	int r = 0;

	if (load(c, &argc, &argv, &b))
		return -1;
	if (argc != 2) {
		mon_printf(c->out, "usage: dumpdtb [@ADDR] FILE\n");
		blob_free(&b);
		return -1;
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(b.data, 1, b.tree.size, f) != b.tree.size) {
		mon_printf(c->out, "dumpdtb: cannot write %s\n", argv[1]);
		r = -1;
	} else {
		mon_printf(c->out, "dumpdtb: %u bytes from %s written to %s\n", b.tree.size, b.what, argv[1]);
	}
	if (f && fclose(f) && !r) {
		mon_printf(c->out, "dumpdtb: cannot write %s\n", argv[1]);
		r = -1;
	}
	blob_free(&b);
	return r;
}

/* dtc -I dts -O dtb FILE into a temporary file; its contents, or NULL
 * after printing dtc's first complaint. */
static uint8_t *compile_dts(mon_ctx *c, const char *path, size_t *size)
{
	char out[] = "/tmp/kwb-dtc-XXXXXX", log[] = "/tmp/kwb-dtclog-XXXXXX", line[300] = "";
	char *args[] = { "dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, (char *)path, NULL };
	int fo = mkstemp(out), fl = mkstemp(log), status = -1;
	posix_spawn_file_actions_t fa;
	uint8_t *data = NULL;
	const char *err;
	pid_t pid;

	if (fo < 0 || fl < 0) {
		mon_printf(c->out, "fdt-diff: cannot create a temporary file\n");
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fl, 1);
	posix_spawn_file_actions_adddup2(&fa, fl, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (posix_spawnp(&pid, "dtc", &fa, NULL, args, environ)) {
		mon_printf(c->out, "fdt-diff: %s: cannot run dtc (install device-tree-compiler)\n", path);
		posix_spawn_file_actions_destroy(&fa);
		goto out;
	}
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &status, 0) < 0)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		FILE *f = fopen(log, "r");
		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = 0;
			fclose(f);
		}
		line[strcspn(line, "\n")] = 0;
		mon_printf(c->out, "fdt-diff: dtc cannot compile %s: %s\n", path, line[0] ? line : "failed");
		goto out;
	}
	data = kwb_read_file(out, size, &err);
	if (!data)
		mon_printf(c->out, "fdt-diff: %s: %s\n", out, err);
out:
	if (fo >= 0) {
		close(fo);
		unlink(out);
	}
	if (fl >= 0) {
		close(fl);
		unlink(log);
	}
	return data;
}

static int cmd_fdt_diff(mon_ctx *c, int argc, char **argv)
{
	fdt_blob b;
	fdt_tree other;
	uint8_t *data;
	size_t size;
	const char *err, *path;
	char msg[300], label[300];
	int n;

	if (load(c, &argc, &argv, &b))
		return -1;
	if (argc != 2) {
		mon_printf(c->out, "usage: fdt-diff [@ADDR] FILE.dtb|FILE.dts\n");
		blob_free(&b);
		return -1;
	}
	path = argv[1];
	data = kwb_read_file(path, &size, &err);
	if (!data) {
		mon_printf(c->out, "fdt-diff: %s: %s\n", path, err);
		blob_free(&b);
		return -1;
	}
	if (size < 4 || memcmp(data, "\xd0\x0d\xfe\xed", 4)) {	/* not a blob: dts source */
		free(data);
		if (!(data = compile_dts(c, path, &size))) {
			blob_free(&b);
			return -1;
		}
	}
	if (fdti_parse(&other, data, size, path, msg, sizeof(msg))) {
		mon_printf(c->out, "fdt-diff: %s\n", msg);
		free(data);
		blob_free(&b);
		return -1;
	}
	snprintf(label, sizeof(label), "%s (%s)", b.what, b.how);
	n = fdti_diff(&b.tree, &other, label, path, c->out);
	mon_printf(c->out, n ? "%d difference%s\n" : "no differences\n", n, n == 1 ? "" : "s");
	fdti_free(&other);
	free(data);
	blob_free(&b);
	return 0;
}

MONITOR_COMMANDS(fdt_commands) {
	{ "fdt", "[@ADDR] [PATH [PROP]]", "the device tree in guest memory as dts (@pa:/@va: to force)",
	  cmd_fdt },
	{ "fdt-paths", "[@ADDR]", "every node path of the device tree, one per line", cmd_fdt_paths },
	{ "fdt-diff", "[@ADDR] FILE", "differences between the guest's device tree and a .dtb/.dts",
	  cmd_fdt_diff },
	{ "dumpdtb", "[@ADDR] FILE", "write the guest's device tree blob to a host file", cmd_dumpdtb },
	{ 0 }
};
