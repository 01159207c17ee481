/*
 * Crash dumps (crashdump.h): the guest as an ELF core in the layout a
 * kdump /proc/vmcore has, which Debian's crash and gdb read.
 *
 *   PT_NOTE   one "CORE" NT_PRSTATUS per CPU (struct elf_prstatus: its
 *             common part, then pr_reg = arm64 user_pt_regs x0-x30, sp,
 *             pc, pstate / riscv64 pc, x1-x31) and "VMCOREINFO"
 *   PT_LOAD   the kernel image at its (slid) virtual address
 *   PT_LOAD   each RAM range at its linear-map address
 *
 * The image segment overlaps RAM in the file (same p_offset): the bytes are
 * written once. p_align is 0, which is how crash tells a kdump-style ELF
 * from an old netdump one. RAM pages that are all zero are left as holes,
 * so the file takes little disk space.
 *
 * VMCOREINFO is the kernel's own text (vmcoreinfo_data, CONFIG_CRASH_CORE),
 * read through the debug interface; the keys crash needs to place the
 * kernel (the arm64 kimage_voffset/PHYS_OFFSET/VA_BITS/KERNELOFFSET that
 * Linux adds, riscv64's layout numbers that 6.1 does not add yet) are
 * appended from the running kernel when the text lacks them, and the whole
 * note is made that way for a kernel without CRASH_CORE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/machine.h"
#include "core/monitor.h"
#include "symbols/crashdump.h"
#include "symbols/symbols.h"

#define EM_AARCH64_ 183
#define EM_RISCV_ 243
#define NT_PRSTATUS_ 1
#define PRSTATUS_REGS 112	/* offsetof(struct elf_prstatus, pr_reg) on 64-bit Linux */
#define MAX_RAM 8
#define PAGE 4096u
#define CHUNK (1u << 20)
#define VMCOREINFO_MAX 8192

typedef struct dump_arch {
	const char *name;
	uint16_t machine;
	int nregs;		/* pr_reg entries */
	size_t prstatus;	/* sizeof(struct elf_prstatus) */
} dump_arch;

static const dump_arch arches[] = {
	{ "aarch64", EM_AARCH64_, 34, 392 },
	{ "riscv64", EM_RISCV_, 32, 376 },
};

typedef struct text {
	char *buf;
	size_t len, cap;
} text;

static void text_add(text *t, const char *fmt, ...) KWB_PRINTF(2, 3);
static void text_add(text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->buf = kwb_realloc(t->buf, t->cap);
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, n + 1, fmt, ap);
	va_end(ap);
	t->len += n;
}

static uint64_t le(const uint8_t *b, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | b[n];
	return v;
}

static bool kvar64(machine *m, const char *name, uint64_t *v)
{
	uint8_t b[8];

	if (!symbols_read_var(m, name, b, 8))
		return false;
	*v = le(b, 8);
	return true;
}

static uint64_t reg(machine *m, int cpu, int idx)
{
	const reg_table *t = dbg_regs(m);
	uint8_t b[16] = { 0 };

	if (idx < 0 || idx >= t->count || dbg_reg_read(m, cpu, idx, b) < 0)
		return 0;
	return le(b, t->regs[idx].bitsize >= 64 ? 8 : t->regs[idx].bitsize / 8);
}

/* pr_reg in the order the kernel's elf_gregset_t has it. */
static void cpu_regs(machine *m, const dump_arch *a, int cpu, uint64_t *r)
{
	if (a->machine == EM_AARCH64_) {
		for (int i = 0; i < 34; i++)	/* gdb numbers: x0-x30, sp, pc, cpsr */
			r[i] = reg(m, cpu, i);
		return;
	}
	r[0] = reg(m, cpu, 32);		/* pc, then x1..x31 (gdb numbers 1-31) */
	for (int i = 1; i < 32; i++)
		r[i] = reg(m, cpu, i);
}

static bool has_key(const text *t, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = t->buf; p && p < t->buf + t->len; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, key, n) && p[n] == '=')
			return true;
	return false;
}

#define ADD(key, fmt, ...) \
	do { if (!has_key(t, key)) text_add(t, key "=" fmt "\n", __VA_ARGS__); } while (0)

/* "6.1.192" from linux_banner ("Linux version 6.1.192 (kwb@kwb) ..."). */
static void add_release(machine *m, text *t)
{
	char b[128] = { 0 }, rel[65];

	if (symbols_read_var(m, "linux_banner", b, sizeof(b) - 1) &&
	    sscanf(b, "Linux version %64s", rel) == 1)
		ADD("OSRELEASE", "%s", rel);
	ADD("PAGESIZE", "%u", PAGE);
}

static void add_arm64(machine *m, kwb_symbols *s, text *t)
{
	uint64_t voff, phys;

	ADD("NUMBER(VA_BITS)", "%d", s->map.va_bits);
	if (kvar64(m, "kimage_voffset", &voff) && voff)
		ADD("NUMBER(kimage_voffset)", "0x%llx", (unsigned long long)voff);
	if (kvar64(m, "memstart_addr", &phys) && phys)
		ADD("NUMBER(PHYS_OFFSET)", "0x%llx", (unsigned long long)phys);
	if (!has_key(t, "NUMBER(TCR_EL1_T1SZ)")) {	/* what crash derives VA_BITS_ACTUAL from */
		int tcr = regtab_find(dbg_regs(m), "TCR_EL1");

		if (tcr >= 0 && reg(m, 0, tcr))
			ADD("NUMBER(TCR_EL1_T1SZ)", "0x%llx", (unsigned long long)((reg(m, 0, tcr) >> 16) & 63));
	}
	ADD("KERNELOFFSET", "%llx", (unsigned long long)symbols_slide(m));
}

/* Linux 6.1's riscv64 layout (asm/pgtable.h) for the paging mode in use:
 * what later kernels put in VMCOREINFO themselves. */
static void add_riscv64(machine *m, kwb_symbols *s, text *t)
{
	vaddr_t po;
	const char *what;
	uint64_t vb, vmalloc_size, vmemmap_size, lo, hi;

	if (!symbols_pa_to_va(m, s->map.image.pa, &po, &what) || s->map.linear.size == 0)
		return;
	po = s->map.linear.va;
	vb = po == RISCV_PAGE_OFFSET_SV57 ? 57 : po == RISCV_PAGE_OFFSET_SV48 ? 48 : 39;
	vmalloc_size = (0 - po) >> 1;
	vmemmap_size = 1ull << (vb - 12 - 1 + 6);	/* STRUCT_PAGE_MAX_SHIFT 6 */
	vmlinux_span(s->vm, &lo, &hi);
	ADD("NUMBER(VA_BITS)", "%llu", (unsigned long long)vb);
	/* decimal, as Linux's VMCOREINFO_NUMBER(); before 6.4 crash takes it
	 * for the PA at PAGE_OFFSET and of the kernel image, which on 6.1 is
	 * the load address (va_pa_offset = PAGE_OFFSET - kernel_map.phys_addr) */
	ADD("NUMBER(phys_ram_base)", "%llu", (unsigned long long)s->map.linear.pa);
	ADD("NUMBER(PAGE_OFFSET)", "0x%llx", (unsigned long long)po);
	ADD("NUMBER(VMALLOC_START)", "0x%llx", (unsigned long long)(po - vmalloc_size));
	ADD("NUMBER(VMALLOC_END)", "0x%llx", (unsigned long long)(po - 1));
	ADD("NUMBER(VMEMMAP_START)", "0x%llx", (unsigned long long)(po - vmalloc_size - vmemmap_size));
	ADD("NUMBER(VMEMMAP_END)", "0x%llx", (unsigned long long)(po - vmalloc_size - 1));
	ADD("NUMBER(MODULES_VADDR)", "0x%llx", (unsigned long long)(((hi + PAGE - 1) & ~(uint64_t)(PAGE - 1)) - (2ull << 30)));
	ADD("NUMBER(MODULES_END)", "0x%llx", (unsigned long long)lo);
	ADD("NUMBER(KERNEL_LINK_ADDR)", "0x%llx", (unsigned long long)s->map.link_va);
	ADD("NUMBER(va_kernel_pa_offset)", "0x%llx", (unsigned long long)(s->map.image.va - s->map.image.pa));
}

/* The kernel's VMCOREINFO text plus what it lacks; *own says whether the
 * kernel exported one. */
static void vmcoreinfo(machine *m, kwb_symbols *s, text *t, bool *own)
{
	uint64_t data, size;

	*own = false;
	if (kvar64(m, "vmcoreinfo_data", &data) && kvar64(m, "vmcoreinfo_size", &size) && data &&
	    size && size <= VMCOREINFO_MAX) {
		char *b = kwb_zalloc(size + 1);

		if (dbg_mem_read(m, 0, data, b, size, 0) == size && !memchr(b, 0, size)) {
			text_add(t, "%s", b);
			if (t->len && t->buf[t->len - 1] != '\n')
				text_add(t, "\n");
			*own = true;
		}
		free(b);
	}
	add_release(m, t);
	if (!strcmp(s->map.arch, "aarch64"))
		add_arm64(m, s, t);
	else
		add_riscv64(m, s, t);
}

/* Where the kernel's linear map has pa (p_vaddr of a RAM segment). */
static vaddr_t linear_va(machine *m, kwb_symbols *s, paddr_t pa)
{
	uint64_t phys;

	if (!strcmp(s->map.arch, "aarch64")) {
		if (!kvar64(m, "memstart_addr", &phys) || !phys || pa < phys)
			return 0;
		return (pa - phys) | (~0ull << s->map.va_bits);
	}
	if (!s->map.linear.size)
		return 0;
	return s->map.linear.va + (pa - s->map.linear.pa);
}

typedef struct out {
	int fd;
	const char *path;
	char *err;
	size_t errlen;
} out;

static int put(out *o, const void *b, size_t n, uint64_t off)
{
	while (n) {
		ssize_t w = pwrite(o->fd, b, n, off);

		if (w <= 0) {
			snprintf(o->err, o->errlen, "%s: %s", o->path, w < 0 ? strerror(errno) : "short write");
			return -1;
		}
		b = (const uint8_t *)b + w;
		n -= w;
		off += w;
	}
	return 0;
}

static void w16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void w32(uint8_t *p, uint32_t v) { w16(p, v); w16(p + 2, v >> 16); }
static void w64(uint8_t *p, uint64_t v) { w32(p, v); w32(p + 4, v >> 32); }

/* One ELF note: header, name, desc, each padded to 4 bytes. */
static void note(text *t, const char *name, uint32_t type, const void *desc, size_t len)
{
	uint8_t h[12];
	size_t nlen = strlen(name) + 1;
	static const char zero[4];

	w32(h, nlen);
	w32(h + 4, len);
	w32(h + 8, type);
	if (t->len + sizeof(h) + nlen + len + 8 > t->cap) {
		t->cap = (t->len + sizeof(h) + nlen + len + 8) * 2;
		t->buf = kwb_realloc(t->buf, t->cap);
	}
	memcpy(t->buf + t->len, h, sizeof(h));
	t->len += sizeof(h);
	memcpy(t->buf + t->len, name, nlen);
	t->len += nlen;
	memcpy(t->buf + t->len, zero, (4 - nlen % 4) % 4);
	t->len += (4 - nlen % 4) % 4;
	memcpy(t->buf + t->len, desc, len);
	t->len += len;
	memcpy(t->buf + t->len, zero, (4 - len % 4) % 4);
	t->len += (4 - len % 4) % 4;
}

static void phdr(uint8_t *p, uint32_t type, uint64_t off, uint64_t va, uint64_t pa, uint64_t size)
{
	memset(p, 0, 56);
	w32(p, type);
	w32(p + 4, type == 1 ? 7 : 0);	/* PT_LOAD: RWX */
	w64(p + 8, off);
	w64(p + 16, va);
	w64(p + 24, pa);
	w64(p + 32, size);
	w64(p + 40, size);
	/* p_align 0: crash reads that as a kdump ELF */
}

static bool all_zero(const uint8_t *b, size_t n)
{
	static const uint8_t z[PAGE];

	return !memcmp(b, z, n);
}

int crashdump_write(machine *m, const char *path, int caller_cpu, crashdump_info *info, char *err,
		    size_t errlen)
{
	kwb_symbols *s = symbols_get(m);
	const dump_arch *a = NULL;
	paddr_t base[MAX_RAM];
	uint64_t size[MAX_RAM], off, data, total = 0;
	int nram, nph, rc = -1;
	text vmci = { 0 }, notes = { 0 };
	uint8_t *ph = NULL, *buf = NULL, eh[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	bool image = false, own = false;
	out o = { -1, path, err, errlen };

	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(m->arch->name, arches[i].name))
			a = &arches[i];
	if (!a) {
		snprintf(err, errlen, "dump-guest-memory: no crash dump format for %s", m->arch->name);
		return -1;
	}
	nram = dbg_ram_ranges(m, base, size, MAX_RAM);
	for (int c = 0; c < m->ncpus; c++) {
		uint8_t pr[400] = { 0 };
		uint64_t r[34];

		cpu_regs(m, a, c, r);
		if (c == caller_cpu) {	/* in its caller, just after the call */
			if (a->machine == EM_AARCH64_)
				r[32] = r[30];	/* pc = lr */
			else
				r[0] = r[1];	/* pc = ra */
		}
		for (int i = 0; i < a->nregs; i++)
			w64(pr + PRSTATUS_REGS + 8 * i, r[i]);
		note(&notes, "CORE", NT_PRSTATUS_, pr, a->prstatus);
	}
	if (s && s->have_map) {
		vmcoreinfo(m, s, &vmci, &own);
		note(&notes, "VMCOREINFO", 0, vmci.buf, vmci.len);
		image = true;
	}
	nph = 1 + image + nram;
	ph = kwb_zalloc(56 * nph);
	data = (64 + 56 * nph + notes.len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	phdr(ph, 4, 64 + 56 * nph, 0, 0, notes.len);
	off = data;
	for (int i = 0; i < nram; i++) {
		phdr(ph + 56 * (1 + image + i), 1, off, s && s->have_map ? linear_va(m, s, base[i]) : 0,
		     base[i], size[i]);
		if (image && s->map.image.pa - base[i] < size[i])
			phdr(ph + 56, 1, off + (s->map.image.pa - base[i]), s->map.image.va, s->map.image.pa,
			     s->map.image.size);
		off += size[i];
		total += size[i];
	}
	if (image && !ph[56])	/* the image is not in RAM: no segment for it */
		phdr(ph + 56, 1, data, 0, 0, 0);
	w16(eh + 16, 4);	/* ET_CORE */
	w16(eh + 18, a->machine);
	w32(eh + 20, 1);
	w64(eh + 32, 64);	/* e_phoff */
	w16(eh + 52, 64);
	w16(eh + 54, 56);
	w16(eh + 56, nph);

	o.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o.fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (put(&o, eh, 64, 0) || put(&o, ph, 56 * nph, 64) || put(&o, notes.buf, notes.len, 64 + 56 * nph))
		goto done;
	buf = kwb_zalloc(CHUNK);
	off = data;
	for (int i = 0; i < nram; i++) {
		for (uint64_t done = 0; done < size[i]; done += CHUNK) {
			size_t n = size[i] - done < CHUNK ? size[i] - done : CHUNK;

			memset(buf, 0, n);
			dbg_mem_read(m, 0, base[i] + done, buf, n, DBG_PHYS);
			for (size_t p = 0; p < n; p += PAGE) {
				size_t k = n - p < PAGE ? n - p : PAGE;

				if (!all_zero(buf + p, k) && put(&o, buf + p, k, off + done + p))
					goto done;
			}
		}
		off += size[i];
	}
	if (ftruncate(o.fd, off) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	rc = 0;
	if (info) {
		info->ram = total;
		info->loads = nram + image;
		info->cpus = m->ncpus;
		info->vmcoreinfo = own ? "the kernel's" : image ? "made by kwb (the kernel exports none)" : "none (no vmlinux)";
	}
done:
	if (o.fd >= 0 && close(o.fd) < 0 && !rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(buf);
	free(ph);
	free(vmci.buf);
	free(notes.buf);
	return rc;
}

/* ---- the dump at panic ---- */

/* panic() calls kmsg_dump(KMSG_DUMP_PANIC) once it has printed its message
 * and stopped the other CPUs: the moment a kdump kernel would take over. */
static bool at_kmsg_dump(void *opaque, machine *m, int cpu, uint64_t pc)
{
	static int64_t panic_reason = -1;
	char err[300];
	crashdump_info info;
	const char *path = opaque;
	int a0 = strcmp(m->arch->name, "riscv64") ? 0 : 10;	/* the first argument */

	(void)pc;
	if (panic_reason < 0 && !kdwarf_enumerator(symbols_dwarf(m), "KMSG_DUMP_PANIC", &panic_reason))
		panic_reason = 1;	/* its value since Linux 2.6.35 */
	if (reg(m, cpu, a0) != (uint64_t)panic_reason)
		return false;
	/* the panicking CPU as panic() has it at this call (crash's
	 * backtrace then starts in panic, with its frame record in place) */
	if (crashdump_write(m, path, cpu, &info, err, sizeof(err)) < 0)
		kwb_warn("the guest panicked on CPU %d; no crash dump: %s", cpu, err);
	else
		fprintf(stderr, "kwb: the guest panicked on CPU %d: crash dump in %s "
			"(crash vmlinux %s)\n", cpu, path, path);
	return false;
}

void crashdump_arm_panic(machine *m)
{
	kwb_symbols *s = symbols_get(m);
	const char *path = m->opt->panic_dump;
	const ksym *k;

	if (!path)
		return;
	if (!s || !s->have_map) {
		kwb_warn("-panic-dump %s: needs the kernel's vmlinux (-symbols FILE, or a vmlinux beside "
			 "-kernel): no dump will be taken", path);
		return;
	}
	k = vmlinux_sym_named(s->vm, "kmsg_dump");
	if (!k || k->addr - s->map.link_va >= s->map.image.size) {
		kwb_warn("-panic-dump %s: this vmlinux has no kmsg_dump(): no dump will be taken", path);
		return;
	}
	dbg_hook_pc(m, s->map.image.pa + (k->addr - s->map.link_va), at_kmsg_dump, (void *)path);
}

/* ---- monitor ---- */

static int mon_dump(mon_ctx *c, int argc, char **argv)
{
	char err[300];
	crashdump_info info;

	if (argc != 2 || argv[1][0] == '-') {
		mon_printf(c->out, "usage: dump-guest-memory FILE (an ELF crash dump, as QEMU's without "
			   "options; -p/-z/-l/-s/-w and ranges are not supported)\n");
		return -1;
	}
	if (crashdump_write(c->m, argv[1], -1, &info, err, sizeof(err)) < 0) {
		mon_printf(c->out, "dump-guest-memory: %s\n", err);
		return -1;
	}
	mon_printf(c->out, "dump-guest-memory: wrote %s: %llu MiB of RAM in %d PT_LOADs, %d CPU notes, "
		   "VMCOREINFO %s; open it with: crash vmlinux %s\n", argv[1],
		   (unsigned long long)(info.ram >> 20), info.loads, info.cpus, info.vmcoreinfo, argv[1]);
	return 0;
}

MONITOR_COMMANDS(crashdump_commands) {
	{ "dump-guest-memory", "FILE", "write an ELF crash dump (RAM, registers, VMCOREINFO) for crash",
	  mon_dump },
	{ NULL, NULL, NULL, NULL },
};
