/*
 * Difftest: lockstep kwb against QEMU. kwb is stepped by its own machine
 * loop (a stop listener resumes it with RESUME_STEP after every compare),
 * QEMU by `s` packets over its gdb stub. Registers compared: every
 * REGF_DIFFTEST, non-REGF_VOLATILE register of kwb's table that QEMU's
 * target description also names. Reads of timers/counters are not
 * compared: kwb's result is copied into QEMU (NEMU's "skip ref").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libfdt.h>

#include "core/machine.h"
#include "core/debug.h"
#include "difftest.h"
#include "difftest_int.h"
#include "core/arch/riscv64/riscv64.h"
#include "gdbserver/rsp.h"

void dt_cleanup(difftest *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	if (d->qemu > 0) {
		kill(d->qemu, SIGKILL);
		waitpid(d->qemu, NULL, 0);
		d->qemu = 0;
	}
	if (d->dir[0]) {
		unlink(d->sock);
		unlink(d->fifo);
		if (!getenv("KWB_DIFFTEST_KEEP")) {	/* keep: the serial log and both DTBs */
			unlink(d->dtb);
			unlink(d->qdtb);
			unlink(d->serial);
			rmdir(d->dir);
		}
		d->dir[0] = 0;
	}
}

static difftest *dt_active;	/* for the atexit cleanup of the temporary directory */

static void dt_atexit(void)
{
	if (dt_active)
		dt_cleanup(dt_active);
}

KWB_NORETURN void dt_exit(difftest *d, int code)
{
	dt_cleanup(d);
	chardev_restore_all();
	fflush(stdout);
	exit(code);
}

KWB_NORETURN KWB_PRINTF(2, 3) void dt_fail(difftest *d, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "kwb: difftest: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	dt_exit(d, 2);
}

/* ---- RSP client (QEMU 7.2: acks on) ---- */

static int dt_getc(difftest *d)
{
	if (d->rxpos == d->rxlen) {
		struct pollfd p = { .fd = d->fd, .events = POLLIN };
		ssize_t n;
		if (poll(&p, 1, d->timeout_ms) <= 0)
			return -1;
		n = read(d->fd, d->rxbuf, sizeof(d->rxbuf));
		if (n <= 0)
			return -1;
		d->rxlen = (size_t)n;
		d->rxpos = 0;
	}
	return d->rxbuf[d->rxpos++];
}

static void dt_write(difftest *d, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = write(d->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			dt_fail(d, "lost the connection to QEMU's gdb stub");
		p += n;
		len -= (size_t)n;
	}
}

/* Queues a framed packet; QEMU's system-mode stub answers packets in
 * order without waiting for our acks, so requests can be pipelined. */
static void dt_send(difftest *d, const char *payload)
{
	size_t n = rsp_frame(d->txbuf + d->txlen, sizeof(d->txbuf) - d->txlen,
			     (const uint8_t *)payload, strlen(payload));
	if (!n)
		dt_fail(d, "request too long: %.40s", payload);
	d->txlen += n;
}

static void dt_flush(difftest *d)
{
	dt_write(d, d->txbuf, d->txlen);
	d->txlen = 0;
}

/* The next reply packet (left in d->rx->buf, d->rx->len). */
static const char *dt_recv(difftest *d, const char *what)
{
	enum rsp_event ev = RSP_NONE;

	for (;;) {
		int c = dt_getc(d);
		uint8_t b;
		if (c < 0)
			dt_fail(d, "QEMU did not answer '%.40s' within %d ms (a wfi with interrupts masked?)",
				what, d->timeout_ms);
		b = (uint8_t)c;
		rsp_feed(d->rx, &b, 1, &ev);
		if (ev == RSP_PACKET)
			break;
		if (ev == RSP_NAK || ev == RSP_BAD_CHECKSUM || ev == RSP_OVERFLOW)
			dt_fail(d, "garbled exchange with QEMU's gdb stub at '%.40s'", what);
	}
	dt_write(d, "+", 1);
	return (const char *)d->rx->buf;
}

static const char *dt_cmd(difftest *d, const char *payload)
{
	dt_send(d, payload);
	dt_flush(d);
	return dt_recv(d, payload);
}

/* ---- QEMU's target description ---- */

static char *dt_xfer(difftest *d, const char *annex)
{
	size_t cap = 4096, len = 0;
	char *all = kwb_zalloc(cap), req[256];

	for (;;) {
		snprintf(req, sizeof(req), "qXfer:features:read:%s:%zx,%x", annex, len, 0x3000);
		const char *r = dt_cmd(d, req);
		size_t rl = d->rx->len;
		if (r[0] != 'm' && r[0] != 'l')
			dt_fail(d, "QEMU refused qXfer:features:read:%s (%s)", annex, r);
		if (len + rl + 1 > cap) {
			cap = (len + rl + 1) * 2;
			all = realloc(all, cap);
			if (!all)
				kwb_fatal("out of memory");
		}
		memcpy(all + len, r + 1, rl - 1);
		len += rl - 1;
		all[len] = 0;
		if (r[0] == 'l')
			return all;
	}
}

static bool dt_attr(const char *tag, const char *end, const char *attr, char *val, size_t cap)
{
	char key[32];
	snprintf(key, sizeof(key), " %s=\"", attr);
	const char *p = strstr(tag, key);
	if (!p || p > end)
		return false;
	p += strlen(key);
	const char *q = strchr(p, '"');
	if (!q || q > end || (size_t)(q - p) >= cap)
		return false;
	memcpy(val, p, (size_t)(q - p));
	val[q - p] = 0;
	return true;
}

static void dt_parse_xml(difftest *d, const char *xml, int depth)
{
	char val[128];

	for (const char *p = xml; (p = strchr(p, '<')); p++) {
		const char *end = strchr(p, '>');
		if (!end)
			break;
		if (!strncmp(p, "<xi:include", 11) && depth < 2 && dt_attr(p, end, "href", val, sizeof(val))) {
			char *sub = dt_xfer(d, val);
			dt_parse_xml(d, sub, depth + 1);
			free(sub);
		} else if (!strncmp(p, "<reg ", 5) && dt_attr(p, end, "name", val, sizeof(val))) {
			char num[32], bits[32];
			int n = d->nq;
			if (dt_attr(p, end, "regnum", num, sizeof(num)))
				n = atoi(num);
			if (n < 0 || n >= DT_MAXREGS || !dt_attr(p, end, "bitsize", bits, sizeof(bits)))
				continue;
			free(d->qname[n]);
			d->qname[n] = strdup(val);
			d->qbits[n] = atoi(bits);
			d->nq = n + 1;
		}
	}
}

static void dt_build_map(difftest *d)
{
	const reg_table *t = dbg_regs(d->m);

	for (int i = 0; i < t->count && i < DT_MAXREGS; i++) {
		const reg_desc *r = &t->regs[i];
		d->map[i] = -1;
		if (!(r->flags & REGF_DIFFTEST) || (r->flags & REGF_VOLATILE))
			continue;
		for (int q = 0; q < d->nq; q++) {
			if (d->qname[q] && !strcasecmp(d->qname[q], r->name) && d->qbits[q] == r->bitsize) {
				d->map[i] = q;
				d->ncompared++;
				break;
			}
		}
	}
}

/* ---- starting QEMU ---- */

static void dt_mkdir(difftest *d)
{
	if (d->dir[0])
		return;
	if (!mkdtemp(strcpy(d->dir, "/tmp/kwb-difftest-XXXXXX")))
		dt_fail(d, "mkdtemp: %s", strerror(errno));
	snprintf(d->sock, sizeof(d->sock), "%s/gdb.sock", d->dir);
	snprintf(d->dtb, sizeof(d->dtb), "%s/kwb.dtb", d->dir);
	snprintf(d->qdtb, sizeof(d->qdtb), "%s/qemu.dtb", d->dir);
	snprintf(d->serial, sizeof(d->serial), "%s/qemu-serial.log", d->dir);
	snprintf(d->fifo, sizeof(d->fifo), "%s/qemu-exec.fifo", d->dir);
}

/*
 * Both run with virtual time = instruction count (1 ns each, idle time
 * warped to the next timer), the same random seed (QEMU puts an rng-seed in
 * the DTB) and, on RISC-V, the hart kwb has (no H; pmu-num, Sstc, triggers).
 */
void dt_qemu_argv(difftest *d, char **argv, enum dt_qemu kind)
{
	machine *m = d->m;
	const kwb_options *o = m->opt;
	static char mopt[200], ram[32], ser[128], stub[128], log[128], cpuopt[96];
	bool a64 = !strcmp(m->arch->name, "aarch64");
	const char *fw = NULL;
	int n = 0;

	argv[n++] = a64 ? "qemu-system-aarch64" : "qemu-system-riscv64";
	argv[n++] = "-M";
	/* The same GIC (gic-version=2 is QEMU's default, and kwb's), ITS
	 * (its=on is the default with a GICv3 on both) and memory map
	 * (highmem=on is the default on both). */
	snprintf(mopt, sizeof(mopt), "virt%s%s%s%s%s%s",
		 a64 ? (o->gic_version == 3 ? ",gic-version=3" : ",gic-version=2") : "",
		 a64 && !o->highmem ? ",highmem=off" : "",
		 a64 && o->gic_version == 3 && !o->its ? ",its=off" : "",
		 o->virtualization ? ",virtualization=on" : "", kind == DT_QEMU_DUMPDTB ? ",dumpdtb=" : "",
		 kind == DT_QEMU_DUMPDTB ? d->qdtb : "");
	argv[n++] = mopt;
	argv[n++] = "-cpu";
	/* QEMU's PMU as kwb's: the same registers and counts (-icount); on
	 * RISC-V the hart kwb has: no H, its pmu-num, Sstc, triggers */
	snprintf(cpuopt, sizeof(cpuopt), "%s", o->cpu_model ? o->cpu_model : "cortex-a57");
	if (!a64)
		riscv_qemu_cpu_option(m->cpus[0], cpuopt, sizeof(cpuopt));
	argv[n++] = cpuopt;
	snprintf(ram, sizeof(ram), "%lluM",
		 (unsigned long long)((o->ram_size ? o->ram_size : m->board->ram_default) >> 20));
	argv[n++] = "-m";
	argv[n++] = ram;
	argv[n++] = "-smp";
	argv[n++] = "1";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-monitor";
	argv[n++] = "none";
	argv[n++] = "-seed";
	argv[n++] = "1";
	argv[n++] = "-nic";		/* QEMU's default NIC (virtio-net-pci): kwb has none */
	argv[n++] = "none";
	argv[n++] = "-icount";
	argv[n++] = "shift=0,sleep=off";
	argv[n++] = "-serial";
	snprintf(ser, sizeof(ser), "file:%s", d->serial);
	argv[n++] = ser;
	if (kind == DT_QEMU_GDB) {
		argv[n++] = "-S";
		argv[n++] = "-gdb";
		snprintf(stub, sizeof(stub), "unix:%s,server=on,wait=off", d->sock);
		argv[n++] = stub;
		argv[n++] = "-singlestep";
	} else if (kind == DT_QEMU_LOG) {
		argv[n++] = "-d";
		argv[n++] = "exec,nochain,int,in_asm";
		snprintf(log, sizeof(log), "%s", d->fifo);
		argv[n++] = "-D";
		argv[n++] = log;
	}
	argv[n++] = "-dtb";
	argv[n++] = d->dtb;
	/* Exactly the firmware kwb loaded (its default included), or none */
	for (int i = 0; i < m->nimages; i++)
		if (!strcmp(m->images[i].what, "bios"))
			fw = m->images[i].file;
	if (fw || o->bios) {
		argv[n++] = "-bios";
		argv[n++] = (char *)(fw ? fw : o->bios);
	}
	if (o->kernel) {
		argv[n++] = "-kernel";
		argv[n++] = (char *)o->kernel;
	}
	if (o->initrd) {
		argv[n++] = "-initrd";
		argv[n++] = (char *)o->initrd;
	}
	if (o->append) {
		argv[n++] = "-append";
		argv[n++] = (char *)o->append;
	}
	/* The same devices, as the user wrote them (kwb's virtio-pci functions
	 * are transitional as QEMU's); QEMU's disks are snapshots of the same
	 * files. */
	for (int i = 0; i < o->ndrives && n < DT_QEMU_ARGV - 8; i++) {
		const kwb_drive *dr = &o->drives[i];
		static char drv[KWB_MAX_DRIVES][600];
		snprintf(drv[i], sizeof(drv[i]), "file=%s,format=raw,if=none,id=%s,snapshot=on%s", dr->file,
			 dr->id ? dr->id : "", dr->readonly ? ",readonly=on" : "");
		argv[n++] = "-drive";
		argv[n++] = drv[i];
	}
	/* rng back ends: an rng-random file gives both the same entropy */
	for (int i = 0; i < o->nobjects && n < DT_QEMU_ARGV - 8; i++) {
		argv[n++] = "-object";
		argv[n++] = (char *)o->objects[i];
	}
	for (int i = 0; i < o->ndevices && n < DT_QEMU_ARGV - 4; i++) {
		static char dev[KWB_MAX_DEVICES][300];
		const char *spec = o->devices[i];
		size_t k = 0;
		/* kwb's own properties (virtio-rng's seed=) are not QEMU's */
		for (const char *p = spec; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
			size_t l = strcspn(p, ",");
			if (strncmp(p, "seed=", 5) && k + l + 2 < sizeof(dev[i]))
				k += (size_t)snprintf(dev[i] + k, sizeof(dev[i]) - k, "%s%.*s", k ? "," : "", (int)l, p);
		}
		argv[n++] = "-device";
		argv[n++] = dev[i];
	}
	argv[n] = NULL;
}

void dt_spawn(difftest *d, char **argv)
{
	fflush(NULL);
	d->qemu = fork();
	if (d->qemu < 0)
		dt_fail(d, "fork: %s", strerror(errno));
	if (d->qemu == 0) {
		int null = open("/dev/null", O_RDWR);
		/* kwb may die on a fatal error anywhere: QEMU must not outlive it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 0);
		dup2(null, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "kwb: difftest: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
}

static void dt_start_qemu(difftest *d);

/* Reads len bytes of QEMU's guest memory at pa through its gdb stub. */
static void dt_qemu_read(difftest *d, uint64_t pa, uint8_t *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		char req[64];
		size_t n = len - done > 1024 ? 1024 : len - done;
		snprintf(req, sizeof(req), "m%llx,%zx", (unsigned long long)(pa + done), n);
		const char *r = dt_cmd(d, req);
		if (d->rx->len != 2 * n || !rsp_hex_decode(r, n, buf + done))
			dt_fail(d, "QEMU's gdb stub cannot read 0x%llx (%.20s)", (unsigned long long)(pa + done), r);
		done += n;
	}
}

/*
 * The guest's DTB as QEMU gives it: kwb writes its own for QEMU's -dtb,
 * QEMU edits it (its /chosen, an rng-seed, padding), and kwb puts QEMU's
 * bytes into its own RAM at the DTB address. QEMU 7.2 draws new seed
 * values at every reset (qemu_fdt_randomize_seeds), after a dumpdtb: on
 * arm64 kwb gives it no seeds (it adds none to a -dtb) and takes the dump;
 * on RISC-V, where QEMU adds an rng-seed to a -dtb too, kwb reads the blob
 * out of QEMU's RAM after its reset (-S, through the gdb stub). (The RISC-V
 * PC pass met the dumped seed as a different vDSO base at 83.8M.)
 */
void dt_setup_dtb(difftest *d)
{
	machine *m = d->m;
	char *argv[DT_QEMU_ARGV];
	uint8_t *blob;
	long size;
	int status;
	FILE *f;
	bool a64 = !strcmp(m->arch->name, "aarch64");

	dt_mkdir(d);
	if (!m->fdt || !(f = fopen(d->dtb, "wb")))
		dt_fail(d, "cannot write the device tree for QEMU (%s)", d->dtb);
	blob = kwb_zalloc(fdt_totalsize(m->fdt));
	memcpy(blob, m->fdt, fdt_totalsize(m->fdt));
	if (a64) {
		int chosen = fdt_path_offset(blob, "/chosen");
		if (chosen >= 0) {
			fdt_delprop(blob, chosen, "kaslr-seed");
			fdt_delprop(blob, chosen, "rng-seed");
		}
	}
	fwrite(blob, 1, fdt_totalsize(blob), f);
	fclose(f);
	free(blob);

	if (!a64) {
		uint8_t hdr[40];
		dt_start_qemu(d);
		dt_qemu_read(d, m->dtb_addr, hdr, sizeof(hdr));
		if (fdt_check_header(hdr) || fdt_totalsize(hdr) > 16 * 1024 * 1024)
			dt_fail(d, "QEMU has no device tree at 0x%llx (kwb's DTB address)",
				(unsigned long long)m->dtb_addr);
		size = fdt_totalsize(hdr);
		blob = kwb_zalloc((size_t)size);
		dt_qemu_read(d, m->dtb_addr, blob, (size_t)size);
		close(d->fd);
		d->fd = -1;
		kill(d->qemu, SIGKILL);
		waitpid(d->qemu, NULL, 0);
		d->qemu = 0;
		if ((f = fopen(d->qdtb, "wb"))) {	/* for KWB_DIFFTEST_KEEP */
			fwrite(blob, 1, (size_t)size, f);
			fclose(f);
		}
	} else {
		dt_qemu_argv(d, argv, DT_QEMU_DUMPDTB);
		dt_spawn(d, argv);
		waitpid(d->qemu, &status, 0);
		d->qemu = 0;
		f = fopen(d->qdtb, "rb");
		if (!f)
			dt_fail(d, "%s did not dump its device tree (status %d)", argv[0],
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		rewind(f);
		blob = kwb_zalloc((size_t)size + 1);
		if (size < 64 || fread(blob, 1, (size_t)size, f) != (size_t)size || fdt_check_header(blob) ||
		    fdt_totalsize(blob) > (uint32_t)size)
			dt_fail(d, "QEMU's device tree dump %s is not a DTB", d->qdtb);
		fclose(f);
		size = fdt_totalsize(blob);
	}
	if (dbg_mem_write(m, 0, m->dtb_addr, blob, (size_t)size, DBG_PHYS) != (size_t)size)
		dt_fail(d, "QEMU's device tree (%ld bytes) does not fit at 0x%llx", size,
			(unsigned long long)m->dtb_addr);
	free(blob);
}

static void dt_start_qemu(difftest *d)
{
	char *argv[DT_QEMU_ARGV];

	dt_qemu_argv(d, argv, DT_QEMU_GDB);
	dt_spawn(d, argv);

	/* Connect once the stub's socket exists. */
	for (int tries = 0; tries < 200; tries++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int status;
		if (waitpid(d->qemu, &status, WNOHANG) == d->qemu) {
			d->qemu = 0;
			dt_fail(d, "%s exited before its gdb stub came up (status %d)", argv[0],
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->sock);
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			d->fd = fd;
			return;
		}
		if (fd >= 0)
			close(fd);
		usleep(50000);
	}
	dt_fail(d, "could not connect to QEMU's gdb stub at %s", d->sock);
}

/* ---- comparing ---- */

static uint64_t le64(const uint8_t *b, int bytes);

static void dt_sync_reg(difftest *d, int idx);

/* How many registers (by regnum from 0) QEMU's `g` reply carries. */
static void dt_count_g(difftest *d)
{
	size_t len, off = 0;

	dt_cmd(d, "g");
	len = d->rx->len;
	d->gcount = 0;
	for (int q = 0; q < d->nq && d->qname[q]; q++) {
		off += (size_t)d->qbits[q] / 8;
		if (off * 2 > len)
			break;
		d->gcount = q + 1;
	}
}

static void dt_read_qemu(difftest *d, uint8_t vals[][64], bool *have)
{
	const reg_table *t = dbg_regs(d->m);
	const char *r;
	size_t len, off = 0;

	memset(have, 0, sizeof(bool) * DT_MAXREGS);
	dt_send(d, "g");
	/* What `g` does not carry, one `p` each, all in one write. */
	for (int i = 0; i < t->count; i++) {
		char req[32];
		if (d->map[i] < 0 || d->map[i] < d->gcount)
			continue;
		snprintf(req, sizeof(req), "p%x", d->map[i]);
		dt_send(d, req);
	}
	dt_flush(d);
	r = dt_recv(d, "g");
	len = d->rx->len;
	/* The `g` block: registers in regnum order from 0 while they fit. */
	for (int q = 0; q < d->nq && d->qname[q]; q++) {
		size_t bytes = (size_t)d->qbits[q] / 8;
		if ((off + bytes) * 2 > len)
			break;
		for (int i = 0; i < t->count; i++)
			if (d->map[i] == q && bytes <= 64 && rsp_hex_decode(r + off * 2, bytes, vals[i]))
				have[i] = true;
		off += bytes;
	}
	for (int i = 0; i < t->count; i++) {
		size_t bytes = (size_t)t->regs[i].bitsize / 8;
		if (d->map[i] < 0 || d->map[i] < d->gcount)
			continue;
		r = dt_recv(d, "p");
		if (bytes <= 64 && d->rx->len == bytes * 2 && rsp_hex_decode(r, bytes, vals[i]))
			have[i] = true;
	}
	for (int i = 0; i < t->count; i++)
		if ((t->regs[i].flags & REGF_PC) && have[i])
			d->qpc = le64(vals[i], 8);
}

static uint64_t le64(const uint8_t *b, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes < 8 ? bytes - 1 : 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

void dt_disasm(difftest *d, uint64_t pc, char *buf, size_t len, uint32_t *insn_out)
{
	uint32_t insn = 0;
	if (dbg_mem_read(d->m, 0, pc, &insn, 4, 0) < 2) {
		snprintf(buf, len, "<unreadable>");
		return;
	}
	if (insn_out)
		*insn_out = insn;
	d->m->arch->disasm(d->m->cpus[0], pc, insn, buf, len);
}

void dt_where(difftest *d, uint64_t pc, char *buf, size_t len)
{
	buf[0] = 0;
	if (dbg_sym_format(d->m, pc, buf + 2, len - 4)) {
		buf[0] = ' ';
		buf[1] = '<';
		strcat(buf, ">");
	}
}

static void dt_report(difftest *d, const char *regs)
{
	char dis[128], sym[160];
	const dt_hist *h = &d->hist[(d->steps - 1) % DT_WINDOW];

	dt_disasm(d, h->kpc, dis, sizeof(dis), NULL);
	dt_where(d, h->kpc, sym, sizeof(sym));
	printf("difftest: DIVERGENCE after instruction %llu\n", (unsigned long long)d->steps);
	printf("difftest: insn at pc 0x%llx%s: %08x  %s\n", (unsigned long long)h->kpc, sym, h->insn, dis);
	printf("%s", regs);
	printf("difftest: last instructions (kwb pc | QEMU pc):\n");
	for (uint64_t s = d->steps > DT_WINDOW ? d->steps - DT_WINDOW : 0; s < d->steps; s++) {
		const dt_hist *e = &d->hist[s % DT_WINDOW];
		dt_disasm(d, e->kpc, dis, sizeof(dis), NULL);
		dt_where(d, e->kpc, sym, sizeof(sym));
		printf("  %8llu  kwb 0x%016llx | qemu 0x%016llx  %s%s%s\n", (unsigned long long)s + 1,
		       (unsigned long long)e->kpc, (unsigned long long)e->qpc, dis, sym,
		       e->kpc != e->qpc ? "  (pc differs)" : "");
	}
	fflush(stdout);
}

/* Reads kwb's register i into kv; true if QEMU's value (qv, as
 * dt_read_qemu read it) is known and differs. */
static bool dt_reg_differs(difftest *d, uint8_t qv[][64], const bool *have, int i, uint8_t kv[64])
{
	int bytes = dbg_regs(d->m)->regs[i].bitsize / 8;

	memset(kv, 0, 64);
	return have[i] && dbg_reg_read(d->m, 0, i, kv) >= 0 && memcmp(kv, qv[i], (size_t)bytes);
}

/* Compares every mapped register; returns false (and reports) on a difference. */
static bool dt_compare(difftest *d)
{
	static uint8_t qv[DT_MAXREGS][64];
	static bool have[DT_MAXREGS];
	const reg_table *t = dbg_regs(d->m);
	char out[8192];
	size_t o = 0;
	int ndiff = 0;

	dt_read_qemu(d, qv, have);
	for (int i = 0; i < t->count; i++) {
		uint8_t kv[64];
		int bytes = t->regs[i].bitsize / 8;
		if (!dt_reg_differs(d, qv, have, i, kv))
			continue;
		ndiff++;
		if (o < sizeof(out) - 200) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "difftest:   %-10s kwb ", t->regs[i].name);
			for (int b = bytes - 1; b >= 0; b--)
				o += (size_t)snprintf(out + o, sizeof(out) - o, "%02x", kv[b]);
			o += (size_t)snprintf(out + o, sizeof(out) - o, "  qemu ");
			for (int b = bytes - 1; b >= 0; b--)
				o += (size_t)snprintf(out + o, sizeof(out) - o, "%02x", qv[i][b]);
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\n");
		}
	}
	if (!ndiff)
		return true;
	dt_report(d, out);
	return false;
}

/*
 * Reset states differ in ways that are not bugs of either (QEMU's reset ROM
 * has not loaded a1 yet, misa extensions kwb does not model, a timer
 * interrupt already pending in QEMU): copy kwb's value into QEMU, and stop
 * comparing what QEMU refuses to take. Both are reported on stderr.
 */
static void dt_reconcile(difftest *d, const char *when)
{
	static uint8_t qv[DT_MAXREGS][64];
	static bool have[DT_MAXREGS];
	const reg_table *t = dbg_regs(d->m);

	for (int pass = 0; pass < 2; pass++) {
		dt_read_qemu(d, qv, have);
		for (int i = 0; i < t->count; i++) {
			uint8_t kv[64];
			int bytes = t->regs[i].bitsize / 8;
			if (!dt_reg_differs(d, qv, have, i, kv))
				continue;
			if (pass == 0 && t->regs[i].feature == 0) {
				fprintf(stderr, "kwb: difftest: %s %s differs (kwb 0x%llx, qemu 0x%llx): "
					"copied into QEMU\n", when, t->regs[i].name,
					(unsigned long long)le64(kv, bytes), (unsigned long long)le64(qv[i], bytes));
				dt_sync_reg(d, i);
			} else {
				fprintf(stderr, "kwb: difftest: %s %s differs (kwb 0x%llx, qemu 0x%llx): "
					"not compared\n", when, t->regs[i].name,
					(unsigned long long)le64(kv, bytes), (unsigned long long)le64(qv[i], bytes));
				d->map[i] = -1;
				d->ncompared--;
			}
		}
	}
}

/*
 * The instruction about to run reads something QEMU cannot reproduce
 * (a timer or cycle counter): returns the kwb register index of its
 * destination, else -1.
 */
static uint64_t dt_kreg(difftest *d, int idx)
{
	uint8_t b[8] = { 0 };
	dbg_reg_read(d->m, 0, idx, b);
	return le64(b, 8);
}

/* A load from a device register: its value is the device's, not the CPU's. */
static bool dt_is_mmio(difftest *d, uint64_t va)
{
	paddr_t pa;
	bus_region *r;

	if (dbg_translate(d->m, 0, va, &pa, NULL) < 0)
		return false;	/* faults: nothing to copy */
	r = bus_find(&d->m->bus, pa);
	return r && !r->host;
}

static int dt_mmio_dest(difftest *d, uint32_t insn)
{
	if (!strcmp(d->m->arch->name, "riscv64")) {
		unsigned rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
		if ((insn & 0x7f) != 0x03 || rd == 0)
			return -1;
		uint64_t va = dt_kreg(d, (int)rs1) + (uint64_t)((int64_t)(int32_t)insn >> 20);
		return dt_is_mmio(d, va) ? (int)rd : -1;
	}
	/* LDR{B,H,,} (immediate, unsigned offset): the form readl/readb use. */
	if ((insn & 0x3fc00000) != 0x39400000 || (insn & 31) == 31)
		return -1;
	unsigned size = insn >> 30, rn = (insn >> 5) & 31;
	int sp = regtab_find(dbg_regs(d->m), "sp");
	uint64_t base = rn == 31 ? (sp >= 0 ? dt_kreg(d, sp) : 0) : dt_kreg(d, (int)rn);
	uint64_t va = base + ((uint64_t)((insn >> 10) & 0xfff) << size);
	return dt_is_mmio(d, va) ? (int)(insn & 31) : -1;
}

static int dt_volatile_dest(difftest *d, uint32_t insn)
{
	const reg_table *t = dbg_regs(d->m);
	d->sync_id = -1;
	if ((insn & 3) == 3) {
		int r = dt_mmio_dest(d, insn);
		if (r >= 0)
			return r;
	}
	if (!strcmp(d->m->arch->name, "riscv64")) {
		unsigned f3 = (insn >> 12) & 7, csr = insn >> 20, rd = (insn >> 7) & 31;
		if ((insn & 0x7f) != 0x73 || f3 == 0 || f3 == 4 || rd == 0)
			return -1;
		int r = regtab_find_encoding(t, csr);
		bool vol = (csr >= 0xc00 && csr <= 0xc1f) || (csr >= 0xb00 && csr <= 0xb1f) ||
			   (r >= 0 && (t->regs[r].flags & REGF_VOLATILE));
		/* misa and the machine ID CSRs describe the model, not execution. */
		if (csr == 0x301 || (csr >= 0xf11 && csr <= 0xf15))
			d->sync_id = (int)csr;
		return vol || d->sync_id >= 0 ? (int)rd : -1;
	}
	/* AArch64 MRS: op0=3 op1=3 CRn=14 is the generic timer; or a volatile sysreg. */
	if ((insn & 0xfff00000) != 0xd5300000 || (insn & 31) == 31)
		return -1;
	uint32_t enc = (insn >> 5) & 0xffff;	/* op0:op1:CRn:CRm:op2, as SYSREG_ENC */
	int r = regtab_find_encoding(t, enc);
	bool timer = ((enc >> 11) & 7) == 3 && ((enc >> 7) & 15) == 14;
	/* CRn=0: MIDR, MPIDR, CTR, DCZID, CLIDR, ID_AA64*: the model, not execution. */
	if (((enc >> 7) & 15) == 0)
		d->sync_id = (int)enc;
	return (timer || d->sync_id >= 0 || (r >= 0 && (t->regs[r].flags & REGF_VOLATILE))) ?
	       (int)(insn & 31) : -1;
}

/* An ID register read gave a different value: say so once per register. */
static void dt_note_id(difftest *d)
{
	const reg_table *t = dbg_regs(d->m);
	uint8_t kv[8] = { 0 }, qv[8] = { 0 };
	char req[32];
	const char *r;

	for (int i = 0; i < d->nnoted; i++)
		if (d->noted[i] == (uint32_t)d->sync_id)
			return;
	if (d->map[d->sync_idx] < 0 || dbg_reg_read(d->m, 0, d->sync_idx, kv) < 0)
		return;
	snprintf(req, sizeof(req), "p%x", d->map[d->sync_idx]);
	r = dt_cmd(d, req);
	if (d->rx->len < 16 || !rsp_hex_decode(r, 8, qv) || !memcmp(kv, qv, 8))
		return;
	if (d->nnoted < 64)
		d->noted[d->nnoted++] = (uint32_t)d->sync_id;
	int ri = regtab_find_encoding(t, (uint32_t)d->sync_id);
	fprintf(stderr, "kwb: difftest: instruction %llu read %s (encoding 0x%x): kwb 0x%llx, qemu 0x%llx "
		"(models differ): kwb's value copied into QEMU\n", (unsigned long long)d->steps,
		ri >= 0 ? t->regs[ri].name : "an ID register", d->sync_id,
		(unsigned long long)le64(kv, 8), (unsigned long long)le64(qv, 8));
}

/* A timer or device read gave a different value: the first few are
 * listed (with the PC pass these are what sends the two apart). */
static void dt_note_volatile(difftest *d)
{
	uint8_t kv[8] = { 0 }, qv[8] = { 0 };
	char req[32];
	const char *r;

	if (d->map[d->sync_idx] < 0 || dbg_reg_read(d->m, 0, d->sync_idx, kv) < 0)
		return;
	snprintf(req, sizeof(req), "p%x", d->map[d->sync_idx]);
	r = dt_cmd(d, req);
	if (d->rx->len < 16 || !rsp_hex_decode(r, 8, qv) || !memcmp(kv, qv, 8))
		return;
	d->nvolnotes++;
	fprintf(stderr, "kwb: difftest: instruction %llu read a timer or device: kwb 0x%llx, qemu 0x%llx: "
		"kwb's value copied into QEMU\n", (unsigned long long)d->steps,
		(unsigned long long)le64(kv, 8), (unsigned long long)le64(qv, 8));
}

static void dt_sync_reg(difftest *d, int idx)
{
	uint8_t v[64];
	char req[200];
	int bytes = dbg_regs(d->m)->regs[idx].bitsize / 8;
	int n;

	if (d->map[idx] < 0 || dbg_reg_read(d->m, 0, idx, v) < 0)
		return;
	n = snprintf(req, sizeof(req), "P%x=", d->map[idx]);
	rsp_hex_encode(v, (size_t)bytes, req + n);
	req[n + 2 * bytes] = 0;
	dt_cmd(d, req);
}

/* Before kwb and QEMU execute instruction d->steps + 1. */
static void dt_prepare(difftest *d)
{
	dt_hist *h = &d->hist[d->steps % DT_WINDOW];
	uint32_t insn = 0;
	h->kpc = dbg_pc(d->m, 0);
	h->qpc = d->qpc;
	dbg_mem_read(d->m, 0, h->kpc, &insn, 4, 0);
	h->insn = insn;
	d->sync_idx = dt_volatile_dest(d, insn);
}

/* kwb has executed one instruction: step QEMU and compare. */
static bool dt_after_step(difftest *d)
{
	const char *r = dt_cmd(d, "s");
	if (r[0] != 'T' && r[0] != 'S')
		dt_fail(d, "unexpected reply to a QEMU step: %.60s", r);
	d->steps++;
	if (d->sync_idx >= 0 && d->sync_id >= 0)
		dt_note_id(d);
	else if (d->sync_idx >= 0 && d->nvolnotes < 10)
		dt_note_volatile(d);
	if (d->sync_idx >= 0)
		dt_sync_reg(d, d->sync_idx);
	return dt_compare(d);
}

static void dt_summary(difftest *d)
{
	double secs = (double)(kwb_host_ns() - d->t0) / 1e9;
	printf("difftest: %llu instructions, no divergence (%d registers compared, %.0f insn/s)\n",
	       (unsigned long long)d->steps, d->ncompared, secs > 0 ? (double)d->steps / secs : 0.0);
	fflush(stdout);
}

/* Both have run freely to d->from: compare there, then go lockstep. */
static void dt_arrive(difftest *d)
{
	char req[64];
	const char *r;

	dbg_bp_remove(d->m, BP_SW, d->from, 4);
	d->timeout_ms = d->m->opt->timeout > 0 ? (int)(d->m->opt->timeout * 1000) : 600000;
	r = dt_recv(d, "c");
	d->timeout_ms = DT_TIMEOUT_MS;
	if (r[0] != 'T' && r[0] != 'S')
		dt_fail(d, "QEMU did not stop at 0x%llx: %.60s", (unsigned long long)d->from, r);
	snprintf(req, sizeof(req), "z0,%llx,4", (unsigned long long)d->from);
	dt_cmd(d, req);
	d->skipping = false;
	fprintf(stderr, "kwb: difftest: both at 0x%llx (arrival %llu, kwb after %llu instructions): "
		"lockstep from here\n", (unsigned long long)d->from, (unsigned long long)d->hits,
		(unsigned long long)d->m->cpus[0]->icount);
	/* What differs after a free run is not located: list it, then go on
	 * as at reset (copy core registers, stop comparing the rest). */
	dt_reconcile(d, "on arrival");
	d->t0 = kwb_host_ns();
	dt_prepare(d);
}

static void dt_on_stop(void *opaque, const stop_info *s)
{
	difftest *d = opaque;
	enum resume_action step[KWB_MAX_CPUS] = { RESUME_STEP };

	if (d->skipping) {
		if (s->reason == STOP_SHUTDOWN || (s->reason != STOP_SWBREAK && s->reason != STOP_HWBREAK))
			dt_fail(d, "kwb stopped (reason %d) before reaching 0x%llx", s->reason,
				(unsigned long long)d->from);
		if (dbg_pc(d->m, 0) != d->from) {	/* a hit through the kernel's physical alias */
			dbg_resume(d->m, NULL);
			return;
		}
		d->hits++;
		if (d->m->cpus[0]->icount > d->from_icount && d->from_icount)
			dt_fail(d, "kwb passed instruction %llu without arriving at 0x%llx",
				(unsigned long long)d->from_icount, (unsigned long long)d->from);
		if (d->m->cpus[0]->icount < d->from_icount) {
			/* Not yet the arrival asked for: QEMU has stopped at its
			 * own hit of the same number; both go on. */
			const char *r;
			d->timeout_ms = 600000;
			r = dt_recv(d, "c");
			d->timeout_ms = DT_TIMEOUT_MS;
			if (r[0] != 'T' && r[0] != 'S')
				dt_fail(d, "QEMU did not stop at 0x%llx: %.60s", (unsigned long long)d->from, r);
			dt_send(d, "c");
			dt_flush(d);
			dbg_resume(d->m, NULL);
			return;
		}
		dt_arrive(d);
		dbg_resume(d->m, step);
		return;
	}
	if (s->reason == STOP_SHUTDOWN) {
		dt_summary(d);
		printf("difftest: guest powered off (exit code %d)\n", s->exit_code);
		dt_exit(d, 0);
	}
	if (s->reason != STOP_STEP)
		dt_fail(d, "unexpected stop (reason %d) at pc 0x%llx", s->reason,
			(unsigned long long)dbg_pc(d->m, 0));
	if (!dt_after_step(d))
		dt_exit(d, 1);
	if (d->pc_divergence && d->m->cpus[0]->icount >= d->pc_divergence) {
		printf("difftest: lockstep: no register difference up to the PC divergence (instruction %llu): "
		       "an interrupt or timer taken differently, or state that differed before the lockstep "
		       "started\n", (unsigned long long)d->pc_divergence);
		dt_exit(d, 1);
	}
	dt_prepare(d);
	dbg_resume(d->m, step);
}

/*
 * The PC pass cannot copy an ID register read into QEMU as the lockstep
 * does, and a kernel takes other paths on other ID values: kwb presents
 * QEMU's (AArch64 op0=3 CRn=0: CTR_EL0, ID_AA64*), each one listed. The
 * ID registers describe the model; kwb's execution does not depend on them.
 */
static void dt_adopt_ids(difftest *d)
{
	const reg_table *t = dbg_regs(d->m);
	char req[96];

	/* QEMU's gdb stub does not name every ID register (ID_AA64PFR0_EL1 is
	 * missing in 7.2): step `mrs x0, <reg>` for each, planted in RAM
	 * QEMU is stopped before (reset, -S) and never runs. (Its stub
	 * answers p/P once the target description has been read.) */
	dt_start_qemu(d);
	free(dt_xfer(d, "target.xml"));
	for (int i = 0; i < t->count; i++) {
		const reg_desc *r = &t->regs[i];
		uint8_t kv[8] = { 0 }, qv[8] = { 0 }, ib[4], pcb[8];
		uint32_t insn = 0xd5300000u | r->encoding << 5;	/* MRS x0, <reg> */
		uint64_t pc = d->m->bus.ram->base + 0x1000000 + 4 * (uint64_t)i;	/* never run: not cached */
		const char *rep;
		int n;

		if (r->access != REG_RO || r->bitsize != 64 || (r->encoding >> 14) != 3 ||
		    ((r->encoding >> 7) & 15) != 0 || dbg_reg_read(d->m, 0, i, kv) < 0)
			continue;
		for (int b = 0; b < 4; b++)
			ib[b] = (uint8_t)(insn >> (8 * b));
		for (int b = 0; b < 8; b++)
			pcb[b] = (uint8_t)(pc >> (8 * b));
		n = snprintf(req, sizeof(req), "M%llx,4:", (unsigned long long)pc);
		rsp_hex_encode(ib, 4, req + n);
		req[n + 8] = 0;
		rep = dt_cmd(d, req);
		if (strcmp(rep, "OK")) {
			fprintf(stderr, "kwb: difftest: QEMU refused to run an MRS for the ID registers (%s)\n", rep);
			break;
		}
		n = snprintf(req, sizeof(req), "P20=");
		rsp_hex_encode(pcb, 8, req + n);
		req[n + 16] = 0;
		dt_cmd(d, req);
		rep = dt_cmd(d, "s");
		if (rep[0] != 'T' && rep[0] != 'S') {
			fprintf(stderr, "kwb: difftest: QEMU did not step an MRS for the ID registers (%s)\n", rep);
			break;
		}
		rep = dt_cmd(d, "p0");
		if (d->rx->len != 16 || !rsp_hex_decode(rep, 8, qv) || !memcmp(kv, qv, 8))
			continue;
		/* dbg_reg_write refuses read-only registers; the CPU's own
		 * reg_write takes ID registers (a model description). */
		if (d->m->arch->reg_write(d->m->cpus[0], i, qv) < 0)
			continue;
		fprintf(stderr, "kwb: difftest: %s: kwb 0x%llx, qemu 0x%llx: kwb presents QEMU's value\n",
			r->name, (unsigned long long)le64(kv, 8), (unsigned long long)le64(qv, 8));
	}
	close(d->fd);
	d->fd = -1;
	kill(d->qemu, SIGKILL);
	waitpid(d->qemu, NULL, 0);
	d->qemu = 0;
	unlink(d->sock);
	d->rxlen = d->rxpos = 0;
}

int difftest_run(machine *m)
{
	difftest *d = kwb_zalloc(sizeof(*d));
	enum resume_action step[KWB_MAX_CPUS] = { RESUME_STEP };
	int rc;

	d->m = m;
	d->fd = -1;
	d->timeout_ms = DT_TIMEOUT_MS;
	dt_active = d;
	atexit(dt_atexit);
	d->rx = kwb_zalloc(sizeof(*d->rx));
	rsp_init(d->rx);
	if (strcmp(m->opt->difftest, "qemu"))
		dt_fail(d, "--difftest %s: only 'qemu' is supported", m->opt->difftest);
	if (m->ncpus != 1)
		dt_fail(d, "--difftest needs one CPU (-smp 1)");
	if (m->opt->gdb)
		dt_fail(d, "--difftest and -gdb cannot be combined");

	dt_setup_dtb(d);
	if (!strcmp(m->arch->name, "aarch64"))
		dt_adopt_ids(d);
	if (!m->opt->difftest_mode || !strcmp(m->opt->difftest_mode, "pc"))
		dt_exit(d, dt_pc_run(d));

	const char *from = getenv("KWB_DIFFTEST_FROM"), *at = getenv("KWB_DIFFTEST_FROM_ICOUNT");
	if (from && *from) {
		char *end;
		d->from = strtoull(from, &end, 16);
		if (*end && !dbg_sym_lookup(m, from, &d->from))
			dt_fail(d, "KWB_DIFFTEST_FROM=%s: not a hex address or a known symbol", from);
	}
	if (getenv("KWB_DIFFTEST_PC_DIVERGENCE"))
		d->pc_divergence = strtoull(getenv("KWB_DIFFTEST_PC_DIVERGENCE"), NULL, 10);
	if (at && *at) {
		char *end;
		d->from_icount = strtoull(at, &end, 10);
		if (*end)
			dt_fail(d, "KWB_DIFFTEST_FROM_ICOUNT=%s: expected an instruction count", at);
	}
	dt_start_qemu(d);
	char *xml = dt_xfer(d, "target.xml");
	dt_parse_xml(d, xml, 0);
	free(xml);
	dt_build_map(d);
	dt_count_g(d);
	if (!d->ncompared)
		dt_fail(d, "QEMU's target description names none of kwb's registers");
	fprintf(stderr, "kwb: difftest: comparing %d registers with %s after every instruction\n",
		d->ncompared, m->arch->name);

	dt_reconcile(d, "at reset");
	d->t0 = kwb_host_ns();
	dbg_set_stop_listener(m, dt_on_stop, d);
	if (d->from) {
		char req[64];
		snprintf(req, sizeof(req), "Z0,%llx,4", (unsigned long long)d->from);
		if (strcmp(dt_cmd(d, req), "OK") || dbg_bp_insert(m, BP_SW, d->from, 4) < 0)
			dt_fail(d, "cannot set a breakpoint at 0x%llx", (unsigned long long)d->from);
		dt_send(d, "c");	/* QEMU runs meanwhile; its stop reply is read on arrival */
		dt_flush(d);
		d->skipping = true;
		dbg_resume(m, NULL);
	} else {
		dt_prepare(d);
		dbg_resume(m, step);
	}
	rc = machine_run(m);
	if (rc == 3 && d->skipping)
		dt_fail(d, "-icount-limit reached before kwb reached 0x%llx", (unsigned long long)d->from);
	if (rc == 3) {
		/* -icount-limit reached: the last step is still uncompared. */
		if (!dt_after_step(d))
			dt_exit(d, 1);
		dt_summary(d);
		dt_exit(d, 0);
	}
	dt_cleanup(d);
	return rc;
}
