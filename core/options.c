/*
 * The command line. QEMU's options where QEMU has them, so a command line
 * from a QEMU tutorial works after swapping the binary name; a few of our
 * own for tests (-icount-limit, -timeout, -symbols). Each option is one
 * table row: the parser, --help and the README all come from it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loader.h"
#include "machine.h"
#include "options.h"
#include "device_catalog.h"

#define KWB_DEFAULT_RAM (128ull << 20)	/* QEMU's virt boards without -m */
#define KWB_MAX_RAM (16ull << 30)
#define KWB_DEFAULT_RR_BUDGET (1ull << 30)

/* What the parsed options point into lives as long as the process: keep
 * every block on one list so it stays reachable (no leak reports under
 * LeakSanitizer, even when a bad option exits early). */
static void **opt_blocks;

static void *opt_zalloc(size_t size)
{
	void **b = kwb_zalloc(sizeof(void *) + size);

	*b = opt_blocks;
	opt_blocks = b;
	return b + 1;
}

static char *opt_strdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(opt_zalloc(n), s, n);
}

typedef struct opt_def {
	const char *name;	/* without dashes */
	const char *alias;	/* another name, or NULL */
	const char *arg;	/* metavariable, NULL for a flag */
	void (*fn)(kwb_options *o, const char *opt, const char *val);
	const char *help;	/* lines separated by \n */
} opt_def;

/* Sub-options "key=val,key=val" with QEMU's ",," for a literal comma; the
 * first element may omit "key=" (the implied key: "virt", "2", "512M"). */
typedef struct kv {
	char *key, *val;
} kv;

#define MAX_KV 16

static int split_kv(const char *opt, const char *s, const char *implied, kv *out)
{
	int n = 0;

	while (*s) {
		size_t cap = strlen(s) + 1, len = 0;
		char *item = opt_zalloc(cap);

		for (; *s; s++) {
			if (*s == ',') {
				if (s[1] != ',')
					break;
				s++;
			}
			item[len++] = *s;
		}
		if (*s == ',')
			s++;
		if (n == MAX_KV)
			kwb_usage_error("%s %s: too many properties", opt, item);
		char *eq = strchr(item, '=');
		if (eq) {
			*eq = 0;
			out[n].key = item;
			out[n].val = eq + 1;
		} else if (n == 0 && implied) {
			out[n].key = (char *)implied;
			out[n].val = item;
		} else {
			/* QEMU's boolean shorthand: "server" = "server=on" */
			out[n].key = item;
			out[n].val = "on";
		}
		n++;
	}
	return n;
}

static bool parse_bool(const char *opt, const char *key, const char *v)
{
	static const char *const yes[] = { "on", "yes", "true", "y" };
	static const char *const no[] = { "off", "no", "false", "n" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return true;
		if (!strcasecmp(v, no[i]))
			return false;
	}
	kwb_usage_error("%s %s=%s: expected on or off", opt, key, v);
}

static uint64_t parse_uint(const char *opt, const char *what, const char *v, uint64_t min,
			   uint64_t max)
{
	char *end;

	errno = 0;
	if (!*v || *v == '-' || *v == '+')
		kwb_usage_error("%s %s: %s must be a number", opt, v, what);
	unsigned long long n = strtoull(v, &end, 0);
	if (errno || *end)
		kwb_usage_error("%s %s: %s must be a number", opt, v, what);
	if (n < min || n > max)
		kwb_usage_error("%s %s: %s must be between %llu and %llu", opt, v, what,
				(unsigned long long)min, (unsigned long long)max);
	return n;
}

/* "512M", "1G", "1.5G", "2048" (a plain number is MiB, as in QEMU). */
static uint64_t parse_ram_size(const char *opt, const char *v)
{
	char *end;
	double n;
	uint64_t unit = 1ull << 20;

	errno = 0;
	n = strtod(v, &end);
	if (end == v || errno || !(n > 0) || isinf(n))
		kwb_usage_error("%s %s: bad size (use e.g. 512M or 1G)", opt, v);
	switch (*end) {
	case 'b': case 'B': unit = 1; end++; break;
	case 'k': case 'K': unit = 1ull << 10; end++; break;
	case 'm': case 'M': unit = 1ull << 20; end++; break;
	case 'g': case 'G': unit = 1ull << 30; end++; break;
	case 't': case 'T': unit = 1ull << 40; end++; break;
	case 0: break;
	default:
		kwb_usage_error("%s %s: bad size suffix '%s' (use K, M, G or T)", opt, v, end);
	}
	if (unit > 1 && (*end == 'i' || *end == 'I'))
		end++;
	if (unit > 1 && (*end == 'b' || *end == 'B'))
		end++;
	if (*end)
		kwb_usage_error("%s %s: bad size suffix '%s' (use K, M, G or T)", opt, v, end);
	if (n * (double)unit > (double)KWB_MAX_RAM)
		kwb_usage_error("%s %s: more than the %llu GiB kwb supports", opt, v,
				KWB_MAX_RAM >> 30);
	uint64_t size = (uint64_t)(n * (double)unit);
	if (size < (1ull << 20) || (size & 0xfff))
		kwb_usage_error("%s %s: RAM must be at least 1M and a multiple of 4K", opt, v);
	return size;
}

/* A file the run will need: say now, in one line, if it is not there. */
/* A file kwb will read: a regular one (a disk may be a block device),
 * checked with stat, so a FIFO or an endless device is refused with one
 * line before anything opens it (the readers open with O_NONBLOCK too). */
static void check_input(const char *opt, const char *path, bool block_ok)
{
	struct stat st;

	if (!*path)
		kwb_usage_error("%s: empty file name", opt);
	if (stat(path, &st) < 0)
		kwb_fatal("%s %s: %s", opt, path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		kwb_fatal("%s %s: is a directory", opt, path);
	if (!S_ISREG(st.st_mode) && !(block_ok && S_ISBLK(st.st_mode)))
		kwb_fatal("%s %s: not a regular file (%s)", opt, path, kwb_file_kind(st.st_mode));
	if (access(path, R_OK) < 0)
		kwb_fatal("%s %s: %s", opt, path, strerror(errno));
}

static void check_input_file(const char *opt, const char *path)
{
	check_input(opt, path, false);
}

static const char *canonical_arch(const char *a)
{
	if (!strcmp(a, "aarch64") || !strcmp(a, "arm64"))
		return "aarch64";
	if (!strcmp(a, "riscv64"))
		return "riscv64";
	return NULL;
}

/* ---- the options ---- */

static bool arch_from_argv0;
static const char *readconfig_file;	/* names the file in readconfig errors */

static void opt_arch(kwb_options *o, const char *opt, const char *v)
{
	const char *a = canonical_arch(v);

	if (!a)
		kwb_usage_error("%s %s: unknown architecture (aarch64 or riscv64)", opt, v);
	if (arch_from_argv0 && strcmp(a, o->arch))
		kwb_usage_error("%s %s: this is kwb-system-%s", opt, v, o->arch);
	o->arch = a;
}

/* `-machine help` and `-cpu help` answer in QEMU's format for the board's
 * architecture (scripts parse the first column), once every option is read
 * and the architecture is known. */
static void print_machine_help(const char *arch)
{
	printf("Supported machines are:\n");
	if (!strcmp(arch, "riscv64")) {
		printf("%-20s %s (default)\n", "virt", "RISC-V VirtIO board");
		return;
	}
	printf("%-20s %s (alias of virt-7.2) (default)\n", "virt", "QEMU 7.2 ARM Virtual Machine");
	printf("%-20s %s\n", "virt-7.2", "QEMU 7.2 ARM Virtual Machine");
}

static void print_cpu_help(const char *arch)
{
	/* QEMU's riscv64 lists bare names; its aarch64 a titled, indented list. */
	if (!strcmp(arch, "riscv64")) {
		printf("rv64\n");
		return;
	}
	printf("Available CPUs:\n  cortex-a53\n  cortex-a57\n  max\n");
}

static void set_machine_name(kwb_options *o, const char *opt, const char *v)
{
	if (!strcmp(v, "help") || !strcmp(v, "?")) {
		o->help_machine = true;
		return;
	}
	/* QEMU's versioned aliases (virt-7.2) are the same board here. */
	if (strcmp(v, "virt") && strncmp(v, "virt-", 5))
		kwb_usage_error("%s %s: unsupported machine type (kwb has virt; -machine help lists it)",
				opt, v);
	o->machine = "virt";
}

/* Machine properties: the ones kwb models, and the ones it accepts with
 * only the value it behaves as (so QEMU command lines keep working). */
static void machine_prop(kwb_options *o, const char *opt, const char *key, const char *v)
{
	if (!strcmp(key, "type")) {
		set_machine_name(o, opt, v);
	} else if (!strcmp(key, "iommu")) {
		if (!strcmp(v, "smmuv3"))
			o->iommu = "smmuv3";
		else if (!strcmp(v, "none"))
			o->iommu = NULL;
		else
			kwb_usage_error("%s iommu=%s: unknown IOMMU (kwb has: smmuv3, none)", opt, v);
	} else if (!strcmp(key, "dumpdtb")) {
		if (!*v)
			kwb_usage_error("%s dumpdtb=: empty file name", opt);
		o->dumpdtb = v;
	} else if (!strcmp(key, "virtualization")) {
		o->virtualization = parse_bool(opt, key, v);
	} else if (!strcmp(key, "gic-version")) {
		if (!strcmp(v, "2") || !strcmp(v, "3"))
			o->gic_version = v[0] - '0';
		else if (!strcmp(v, "max") || !strcmp(v, "host"))
			o->gic_version = 3;
		else
			kwb_usage_error("%s gic-version=%s: expected 2, 3 or max", opt, v);
	} else if (!strcmp(key, "highmem")) {
		o->highmem = parse_bool(opt, key, v);
	} else if (!strcmp(key, "dtb-randomness")) {
		o->dtb_no_randomness = !parse_bool(opt, key, v);
	} else if (!strcmp(key, "accel")) {
		if (strcmp(v, "tcg"))
			kwb_usage_error("%s accel=%s: kwb is an emulator only (accel=tcg)", opt, v);
	} else if (!strcmp(key, "kernel") || !strcmp(key, "initrd") || !strcmp(key, "dtb") ||
		   !strcmp(key, "firmware")) {
		check_input_file(key, v);
		if (key[0] == 'k')
			o->kernel = v;
		else if (key[0] == 'i')
			o->initrd = v;
		else if (key[0] == 'd')
			o->dtb = v;
		else
			o->bios = v;
	} else if (!strcmp(key, "append")) {
		o->append = v;
	} else if (!strcmp(key, "its")) {
		o->its = parse_bool(opt, key, v);
	} else if (!strcmp(key, "acpi") || !strcmp(key, "usb") ||
		   !strcmp(key, "graphics") || !strcmp(key, "dump-guest-core") ||
		   !strcmp(key, "mem-merge")) {
		/* harmless: no ACPI/USB/graphics to turn on or off */
		if (strcmp(v, "auto"))
			parse_bool(opt, key, v);
	} else if (!strcmp(key, "secure") || !strcmp(key, "mte") || !strcmp(key, "ras") ||
		   !strcmp(key, "aia") || !strcmp(key, "aclint")) {
		/* aia takes none|aplic|aplic-imsic: only none is a bool-like "off" */
		if (strcmp(v, "off") && strcmp(v, "none") && (!strcmp(key, "aia") || parse_bool(opt, key, v)))
			kwb_usage_error("%s %s=%s: not modelled by kwb (only %s=%s)", opt, key, v,
					key, strcmp(key, "aia") ? "off" : "none");
	} else {
		kwb_usage_error("%s %s=%s: unknown machine property '%s' (kwb knows iommu, "
				"dumpdtb, virtualization, gic-version, its, highmem, dtb-randomness, accel)",
				opt, key,
				v, key);
	}
}

static void opt_machine(kwb_options *o, const char *opt, const char *v)
{
	kv p[MAX_KV];
	int n = split_kv(opt, v, "type", p);
	const char *rest = strchr(v, ',');

	for (int i = 0; i < n; i++)
		machine_prop(o, opt, p[i].key, p[i].val);
	if (rest && rest[1]) {
		if (o->machine_opts) {
			size_t len = strlen(o->machine_opts) + strlen(rest) + 1;
			char *s = opt_zalloc(len);

			snprintf(s, len, "%s%s", o->machine_opts, rest);
			o->machine_opts = s;
		} else {
			o->machine_opts = rest + 1;
		}
	}
}

static void opt_accel(kwb_options *o, const char *opt, const char *v)
{
	(void)o;
	if (strcmp(v, "tcg") && strncmp(v, "tcg,", 4))
		kwb_usage_error("%s %s: kwb is an emulator only (-accel tcg)", opt, v);
}

static void opt_cpu(kwb_options *o, const char *opt, const char *v)
{
	if (!strcmp(v, "help") || !strcmp(v, "?")) {
		o->help_cpu = true;
		return;
	}
	if (!*v || !strcmp(v, "host"))
		kwb_usage_error("%s %s: unknown CPU model (try -cpu help)", opt, v);
	o->cpu_model = v;
}

static void opt_smp(kwb_options *o, const char *opt, const char *v)
{
	kv p[MAX_KV];
	int n = split_kv(opt, v, "cpus", p);
	uint64_t cpus = 0, topo = 1;

	for (int i = 0; i < n; i++) {
		const char *what = p[i].key;

		if (!strcmp(p[i].key, "cpus")) {
			cpus = parse_uint(opt, "the CPU count", p[i].val, 1, KWB_MAX_CPUS);
		} else if (!strcmp(p[i].key, "sockets") || !strcmp(p[i].key, "cores") ||
			   !strcmp(p[i].key, "threads") || !strcmp(p[i].key, "clusters") ||
			   !strcmp(p[i].key, "dies")) {
			topo *= parse_uint(opt, what, p[i].val, 1, KWB_MAX_CPUS);
		} else if (!strcmp(p[i].key, "maxcpus")) {
			parse_uint(opt, what, p[i].val, 1, KWB_MAX_CPUS);
		} else {
			kwb_usage_error("%s %s: unknown -smp property '%s'", opt, v, p[i].key);
		}
	}
	if (!cpus)
		cpus = topo;
	if (cpus < 1 || cpus > KWB_MAX_CPUS)
		kwb_usage_error("%s %s: the CPU count must be between 1 and %d", opt, v,
				KWB_MAX_CPUS);
	o->smp = (int)cpus;
}

static void opt_m(kwb_options *o, const char *opt, const char *v)
{
	kv p[MAX_KV];
	int n = split_kv(opt, v, "size", p);
	bool have = false;

	for (int i = 0; i < n; i++) {
		if (!strcmp(p[i].key, "size")) {
			o->ram_size = parse_ram_size(opt, p[i].val);
			have = true;
		} else if (strcmp(p[i].key, "slots") && strcmp(p[i].key, "maxmem")) {
			kwb_usage_error("%s %s: unknown -m property '%s'", opt, v, p[i].key);
		}
	}
	if (!have)
		kwb_usage_error("%s %s: no size given (use e.g. 512M or 1G)", opt, v);
}

static void opt_kernel(kwb_options *o, const char *opt, const char *v)
{
	check_input_file(opt, v);
	o->kernel = v;
}

static void opt_initrd(kwb_options *o, const char *opt, const char *v)
{
	check_input_file(opt, v);
	o->initrd = v;
}

static void opt_append(kwb_options *o, const char *opt, const char *v)
{
	(void)opt;
	o->append = v;
}

static void opt_dtb(kwb_options *o, const char *opt, const char *v)
{
	check_input_file(opt, v);
	o->dtb = v;
}

static void opt_bios(kwb_options *o, const char *opt, const char *v)
{
	if (!strcmp(v, "default")) {
		o->bios = NULL;
		return;
	}
	if (strcmp(v, "none"))
		check_input_file(opt, v);
	o->bios = v;
}

static void opt_symbols(kwb_options *o, const char *opt, const char *v)
{
	check_input_file(opt, v);
	o->symbols = v;
}

static void opt_panic_dump(kwb_options *o, const char *opt, const char *v)
{
	if (!*v)
		kwb_usage_error("%s: empty file name", opt);
	o->panic_dump = v;
}

static void opt_nographic(kwb_options *o, const char *opt, const char *v)
{
	(void)opt, (void)v;
	o->nographic = true;
}

static void check_chardev_spec(const char *opt, const char *v)
{
	if (!strcmp(v, "mon:stdio") || !strcmp(v, "stdio") || !strcmp(v, "pty") ||
	    !strcmp(v, "null") || !strcmp(v, "none"))
		return;
	if (!strncmp(v, "file:", 5) || !strncmp(v, "chardev:", 8) || !strncmp(v, "tcp:", 4) ||
	    !strncmp(v, "telnet:", 7) || !strncmp(v, "unix:", 5)) {
		if (!strchr(v, ':')[1])
			kwb_usage_error("%s %s: nothing after ':'", opt, v);
		return;		/* the rest is checked when it is opened */
	}
	kwb_usage_error("%s %s: unknown back end (mon:stdio, stdio, pty, file:PATH, null, tcp:, telnet:, "
			"unix:, chardev:ID)", opt, v);
}

static void opt_serial(kwb_options *o, const char *opt, const char *v)
{
	check_chardev_spec(opt, v);
	o->serial = v;
}

/* The monitor is in gdb ("monitor ...") and behind Ctrl-A c; -monitor
 * puts it on a chardev too (QEMU's -monitor tcp::4444,server,nowait). */
static void opt_monitor(kwb_options *o, const char *opt, const char *v)
{
	if (!strcmp(v, "none") || !strcmp(v, "stdio") || !strcmp(v, "mon:stdio"))
		return;
	if (!strncmp(v, "chardev:", 8) && v[8]) {
		size_t len = strlen(v) + 2;
		char *s = opt_zalloc(len);

		snprintf(s, len, "chardev=%s", v + 8);
		o->mon = s;
		return;
	}
	if (!strcmp(v, "pty") || !strncmp(v, "tcp:", 4) || !strncmp(v, "telnet:", 7) ||
	    !strncmp(v, "unix:", 5) || !strncmp(v, "file:", 5)) {
		check_chardev_spec(opt, v);
		o->monitor_spec = v;
		return;
	}
	kwb_usage_error("%s %s: the monitor is on Ctrl-A c and gdb's \"monitor\"; -monitor takes none, "
			"stdio, pty, tcp:, telnet:, unix: or chardev:ID", opt, v);
}

/* -mon chardev=ID[,mode=readline] */
static void opt_mon(kwb_options *o, const char *opt, const char *v)
{
	if (strncmp(v, "chardev=", 8) && !strstr(v, ",chardev="))
		kwb_usage_error("%s %s: Parameter 'chardev' is missing", opt, v);
	o->mon = v;
}

/* -chardev BACKEND,id=ID,...: checked when the machine opens it */
static void opt_chardev(kwb_options *o, const char *opt, const char *v)
{
	if (!*v || *v == ',')
		kwb_usage_error("%s %s: no back end (stdio, socket, pty, file, null, ringbuf, testdev)", opt, v);
	if (o->nchardevs == KWB_MAX_CHARDEVS)
		kwb_usage_error("%s %s: more than %d", opt, v, KWB_MAX_CHARDEVS);
	o->chardevs[o->nchardevs++] = v;
}

static void opt_display(kwb_options *o, const char *opt, const char *v)
{
	if (strcmp(v, "none") && strncmp(v, "none,", 5))
		kwb_usage_error("%s %s: kwb has no display (-display none)", opt, v);
	o->nographic = true;
}

static void set_gdb(kwb_options *o, const char *opt, const char *v)
{
	char *spec = opt_strdup(v);
	char *comma = strchr(spec, ',');

	/* "tcp::1234,server,nowait" from older tutorials: we always listen.
	 * kwb's own: tasks=on|off (Linux tasks as gdb threads). */
	if (comma) {
		*comma = 0;
		for (char *o2 = strtok(comma + 1, ","); o2; o2 = strtok(NULL, ","))
			if (!strncmp(o2, "tasks=", 6))
				o->gdb_tasks = parse_bool(opt, "tasks", o2 + 6);
	}
	if (!strcmp(spec, "none")) {
		o->gdb = NULL;
		return;
	}
	if (!strncmp(spec, "chardev:", 8) && spec[8]) {
		o->gdb = spec;		/* a -chardev socket: resolved by the machine */
		return;
	}
	if (!strncmp(spec, "unix:", 5)) {
		if (!spec[5])
			kwb_usage_error("%s %s: empty socket path", opt, v);
		o->gdb = spec;
		return;
	}
	const char *hp = spec;
	if (!strncmp(hp, "tcp:", 4))
		hp += 4;
	else if (strchr(hp, ':') == NULL && *hp)
		kwb_usage_error("%s %s: expected tcp:[HOST]:PORT or unix:PATH", opt, v);
	const char *colon = strrchr(hp, ':');
	if (!colon)
		kwb_usage_error("%s %s: expected tcp:[HOST]:PORT or unix:PATH", opt, v);
	parse_uint(opt, "the port", colon + 1, 1, 65535);
	if (hp != spec + 4) {
		/* ":1234" or "host:1234" without "tcp:" (QEMU accepts it) */
		size_t len = strlen(hp) + 5;
		char *full = opt_zalloc(len);

		snprintf(full, len, "tcp:%s", hp);
		spec = full;
	}
	o->gdb = spec;
}

static void opt_gdb(kwb_options *o, const char *opt, const char *v)
{
	set_gdb(o, opt, v);
}

static void opt_s(kwb_options *o, const char *opt, const char *v)
{
	(void)v;
	set_gdb(o, opt, "tcp::1234");
}

static void opt_S(kwb_options *o, const char *opt, const char *v)
{
	(void)opt, (void)v;
	o->start_stopped = true;
}

static void opt_d(kwb_options *o, const char *opt, const char *v)
{
	if (!*v)
		kwb_usage_error("%s: empty trace flag list", opt);
	o->trace_flags = v;
}

static void opt_D(kwb_options *o, const char *opt, const char *v)
{
	if (!*v)
		kwb_usage_error("%s: empty file name", opt);
	o->trace_file = v;
}

static void opt_device(kwb_options *o, const char *opt, const char *v)
{
	size_t n = strlen(v);

	if (!strcmp(v, "help") || !strcmp(v, "?")) {
		device_catalog_print(stdout);
		exit(0);
	}
	if (n > 5 && (!strcmp(v + n - 5, ",help") || !strcmp(v + n - 2, ",?"))) {
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(v, ","), v);
		if (device_catalog_print_props(stdout, name) < 0)
			kwb_usage_error("%s %s: Device '%s' not found (-device help lists kwb's)", opt, v,
					name);
		exit(0);
	}
	if (!*v || *v == ',')
		kwb_usage_error("%s %s: no device type", opt, v);
	{	/* QEMU's aliases ("virtio-blk") name the device they stand for */
		char name[64];
		const device_info *d;

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(v, ","), v);
		d = device_catalog_find(name);
		if (d && strcmp(d->name, name)) {
			char *full = opt_zalloc(strlen(d->name) + n + 1);

			sprintf(full, "%s%s", d->name, v + strlen(name));
			v = full;	/* lives as long as the options */
		}
	}
	if (o->ndevices == KWB_MAX_DEVICES)
		kwb_usage_error("%s %s: more than %d devices", opt, v, KWB_MAX_DEVICES);
	o->devices[o->ndevices++] = v;
}

static void opt_drive(kwb_options *o, const char *opt, const char *v)
{
	kv p[MAX_KV];
	int n = split_kv(opt, v, "file", p);
	kwb_drive d = { .format = "raw", .unit = -1 };
	const char *iface = "none";

	for (int i = 0; i < n; i++) {
		const char *k = p[i].key, *val = p[i].val;

		if (!strcmp(k, "file"))
			d.file = val;
		else if (!strcmp(k, "id"))
			d.id = val;
		else if (!strcmp(k, "format"))
			d.format = val;
		else if (!strcmp(k, "if"))
			iface = val;
		else if (!strcmp(k, "readonly"))
			d.readonly = parse_bool(opt, k, val);
		else if (!strcmp(k, "unit") || !strcmp(k, "index"))
			d.unit = (int)parse_uint(opt, k, val, 0, 1);
		else if (!strcmp(k, "snapshot"))
			d.snapshot = parse_bool(opt, k, val);
		else if (strcmp(k, "cache") && strcmp(k, "aio") && strcmp(k, "discard") &&
			 strcmp(k, "media"))
			kwb_usage_error("%s %s: unknown -drive property '%s'", opt, v, k);
	}
	if (!d.file)
		kwb_usage_error("%s %s: no file= given", opt, v);
	if (strcmp(d.format, "raw"))
		kwb_usage_error("%s %s: format=%s not supported (raw only)", opt, v, d.format);
	if (strcmp(iface, "none") && strcmp(iface, "virtio") && strcmp(iface, "pflash"))
		kwb_usage_error("%s %s: if=%s not supported (none, virtio or pflash)", opt, v, iface);
	if (d.unit >= 0 && strcmp(iface, "pflash"))
		kwb_usage_error("%s %s: unit=/index= only with if=pflash", opt, v);
	d.pflash = !strcmp(iface, "pflash");
	if (d.pflash) {
		/* the lowest free unit, as QEMU numbers drives of one interface */
		for (int u = 0, taken = 1; d.unit < 0 && taken; u++) {
			taken = 0;
			for (int i = 0; i < o->ndrives; i++)
				taken |= o->drives[i].pflash && o->drives[i].unit == u;
			if (!taken)
				d.unit = u;
		}
		if (d.unit > 1)
			kwb_usage_error("%s %s: the virt board has two flash banks (unit 0 and 1)", opt, v);
		for (int i = 0; i < o->ndrives; i++)
			if (o->drives[i].pflash && o->drives[i].unit == d.unit)
				kwb_usage_error("%s %s: flash unit %d is given twice", opt, v, d.unit);
	}
	check_input(opt, d.file, !d.pflash);	/* a flash image: a file of the bank's size */
	if (o->ndrives == KWB_MAX_DRIVES)
		kwb_usage_error("%s %s: more than %d drives", opt, v, KWB_MAX_DRIVES);
	if (!d.id) {
		char *id = opt_zalloc(16);

		if (d.pflash)
			snprintf(id, 16, "pflash%d", d.unit & 1);
		else
			snprintf(id, 16, "drive%d", o->ndrives);
		d.id = id;
	}
	for (int i = 0; i < o->ndrives; i++)
		if (!strcmp(o->drives[i].id, d.id))
			kwb_usage_error("%s %s: duplicate drive id '%s'", opt, v, d.id);
	o->drives[o->ndrives++] = d;
	if (!strcmp(iface, "virtio")) {
		/* if=virtio is shorthand for a virtio-blk-pci device on it */
		size_t len = strlen(d.id) + 32;
		char *dev = opt_zalloc(len);

		snprintf(dev, len, "virtio-blk-pci,drive=%s", d.id);
		opt_device(o, opt, dev);
	}
}

static void opt_pflash(kwb_options *o, const char *opt, const char *v)
{
	size_t len = strlen(v) + 32;
	char *d = opt_zalloc(len);

	if (strchr(v, ','))
		kwb_usage_error("%s %s: a file name with a comma (use -drive if=pflash,file=...)", opt, v);
	snprintf(d, len, "if=pflash,format=raw,file=%s", v);
	opt_drive(o, opt, d);
}

/* -fw_cfg [name=]NAME,file=FILE or [name=]NAME,string=STR, as QEMU:
 * names up to 55 characters, not twice, "opt/..." advised (QEMU warns). */
static void opt_fw_cfg(kwb_options *o, const char *opt, const char *v)
{
	kv p[MAX_KV];
	int n = split_kv(opt, v, "name", p);
	kwb_fw_cfg_file f = { 0 };

	for (int i = 0; i < n; i++) {
		if (!strcmp(p[i].key, "name"))
			f.name = p[i].val;
		else if (!strcmp(p[i].key, "file"))
			f.file = p[i].val;
		else if (!strcmp(p[i].key, "string"))
			f.string = p[i].val;
		else
			kwb_usage_error("%s %s: unknown property '%s' (name, file or string)", opt, v,
					p[i].key);
	}
	if (!f.name || !*f.name)
		kwb_usage_error("%s %s: no name= given", opt, v);
	if (!f.file == !f.string)
		kwb_usage_error("%s %s: give either file= or string=", opt, v);
	if (strlen(f.name) > 55)
		kwb_usage_error("%s %s: name too long (max. 55 characters)", opt, v);
	if (strncmp(f.name, "opt/", 4))
		fprintf(stderr, "kwb: warning: %s %s: externally provided fw_cfg item names should be "
			"prefixed with \"opt/\"\n", opt, v);
	if (f.file)
		check_input_file(opt, f.file);
	for (int i = 0; i < o->nfw_cfg; i++)
		if (!strcmp(o->fw_cfg[i].name, f.name))
			kwb_usage_error("%s %s: fw_cfg file %s is given twice", opt, v, f.name);
	if (o->nfw_cfg == KWB_MAX_FW_CFG)
		kwb_usage_error("%s %s: more than %d fw_cfg files", opt, v, KWB_MAX_FW_CFG);
	o->fw_cfg[o->nfw_cfg++] = f;
}

/* -global DRIVER.PROP=VALUE or driver=D,property=P,value=V: only the ones
 * kwb models or can accept as QEMU means them. */
static void opt_global(kwb_options *o, const char *opt, const char *v)
{
	static const struct { const char *driver, *prop; bool is_bool; } known[] = {
		{ "virtio-mmio", "force-legacy", true },
		{ NULL, "romfile", false },	/* any driver: kwb loads no option ROMs */
	};
	const char *driver = NULL, *prop = NULL, *val = NULL;
	bool known_prop;
	char *d;
	size_t len;

	if (strstr(v, "driver=")) {
		kv p[MAX_KV];
		int n = split_kv(opt, v, NULL, p);

		for (int i = 0; i < n; i++) {
			if (!strcmp(p[i].key, "driver"))
				driver = p[i].val;
			else if (!strcmp(p[i].key, "property"))
				prop = p[i].val;
			else if (!strcmp(p[i].key, "value"))
				val = p[i].val;
		}
	} else {
		const char *dot = strchr(v, '.'), *eq = strchr(v, '=');

		if (dot && eq && dot < eq) {
			char *dr = opt_strdup(v);

			dr[dot - v] = 0;
			dr[eq - v] = 0;
			driver = dr;
			prop = dr + (dot - v) + 1;
			val = eq + 1;
		}
	}
	if (!driver || !prop || !val || !*driver || !*prop)
		kwb_usage_error("%s %s: expected DRIVER.PROPERTY=VALUE", opt, v);
	/* a catalogued device's property is the default of every such -device */
	known_prop = device_catalog_prop(driver, prop) && strcmp(prop, "addr");
	for (size_t i = 0; !known_prop && i < ARRAY_SIZE(known); i++) {
		if ((known[i].driver && strcmp(known[i].driver, driver)) || strcmp(known[i].prop, prop))
			continue;
		if (known[i].is_bool)
			parse_bool(opt, prop, val);
		known_prop = true;
	}
	if (!known_prop)
		kwb_usage_error("%s %s: kwb does not model %s.%s (it knows virtio-mmio.force-legacy, "
				"DRIVER.romfile and the properties -device DRIVER,help lists)", opt, v, driver,
				prop);
	if (o->nglobals == KWB_MAX_GLOBALS)
		kwb_usage_error("%s %s: more than %d -global options", opt, v, KWB_MAX_GLOBALS);
	len = strlen(driver) + strlen(prop) + strlen(val) + 3;
	d = opt_zalloc(len);
	snprintf(d, len, "%s.%s=%s", driver, prop, val);
	o->globals[o->nglobals++] = d;
}

const char *options_global(const kwb_options *o, const char *driver, const char *prop)
{
	size_t dl = strlen(driver), pl = strlen(prop);
	const char *val = NULL;

	for (int i = 0; i < o->nglobals; i++) {
		const char *g = o->globals[i];

		if (!strncmp(g, driver, dl) && g[dl] == '.' && !strncmp(g + dl + 1, prop, pl) &&
		    g[dl + 1 + pl] == '=')
			val = g + dl + pl + 2;	/* the last one wins, as in QEMU */
	}
	return val;
}

bool options_bool(const char *v)
{
	return !strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
	       !strcasecmp(v, "y");
}

static void opt_icount_limit(kwb_options *o, const char *opt, const char *v)
{
	o->max_insns = parse_uint(opt, "the instruction count", v, 1, UINT64_MAX);
}

static void opt_timeout(kwb_options *o, const char *opt, const char *v)
{
	char *end;
	double t;

	errno = 0;
	t = strtod(v, &end);
	if (end == v || *end || errno || !(t > 0) || isinf(t))
		kwb_usage_error("%s %s: expected a positive number of seconds", opt, v);
	o->timeout = t;
}

/* "0" (history off) or a size as -m takes it. */
static void opt_rr_budget(kwb_options *o, const char *opt, const char *v)
{
	char *end;
	double n;
	uint64_t unit = 1ull << 20;

	errno = 0;
	n = strtod(v, &end);
	if (end == v || errno || n < 0 || isinf(n))
		kwb_usage_error("%s %s: bad size (use e.g. 512M or 1G; 0: history off)", opt, v);
	switch (*end) {
	case 'k': case 'K': unit = 1ull << 10; end++; break;
	case 'm': case 'M': unit = 1ull << 20; end++; break;
	case 'g': case 'G': unit = 1ull << 30; end++; break;
	case 0: break;
	default:
		kwb_usage_error("%s %s: bad size suffix '%s' (use K, M or G)", opt, v, end);
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || n * (double)unit > (double)(1ull << 40))
		kwb_usage_error("%s %s: bad size (use e.g. 512M or 1G; 0: history off)", opt, v);
	o->rr_budget = (uint64_t)(n * (double)unit);
	if (o->rr_budget && o->rr_budget < (16ull << 20))
		kwb_usage_error("%s %s: history needs at least 16M (0 turns it off)", opt, v);
}

static void opt_snapshot_dir(kwb_options *o, const char *opt, const char *v)
{
	if (!*v)
		kwb_usage_error("%s: empty directory name", opt);
	o->snapshot_dir = v;
}

static void opt_loadvm(kwb_options *o, const char *opt, const char *v)
{
	if (!*v)
		kwb_usage_error("%s: empty snapshot name", opt);
	o->loadvm = v;
}

static void opt_difftest(kwb_options *o, const char *opt, const char *v)
{
	if (strcmp(v, "qemu"))
		kwb_usage_error("%s %s: the only reference is qemu", opt, v);
	o->difftest = v;
}

static void opt_difftest_mode(kwb_options *o, const char *opt, const char *v)
{
	if (strcmp(v, "pc") && strcmp(v, "lockstep"))
		kwb_usage_error("%s %s: expected pc or lockstep", opt, v);
	o->difftest_mode = v;
}

static void opt_seed(kwb_options *o, const char *opt, const char *v)
{
	if (!strcmp(v, "random")) {
		/* asked for: the host's randomness, printed so the run can be repeated */
		if (getrandom(&o->seed, sizeof(o->seed), 0) != sizeof(o->seed))
			kwb_usage_error("%s random: the host gave no random numbers", opt);
		fprintf(stderr, "kwb: -seed %llu\n", (unsigned long long)o->seed);
		return;
	}
	o->seed = parse_uint(opt, "the seed", v, 0, UINT64_MAX);
}

static void opt_no_reboot(kwb_options *o, const char *opt, const char *v)
{
	(void)opt, (void)v;
	o->no_reboot = true;
}

static void opt_no_shutdown(kwb_options *o, const char *opt, const char *v)
{
	(void)opt, (void)v;
	o->no_shutdown = true;
}

static void opt_nodefaults(kwb_options *o, const char *opt, const char *v)
{
	(void)opt, (void)v;
	o->nodefaults = true;
}

/* Options of QEMU's that launchers (libvirt, distribution scripts) pass
 * and that change nothing kwb models: accepted so their command lines run
 * unchanged. Each says why in its help. */
static void opt_accepted(kwb_options *o, const char *opt, const char *v)
{
	(void)o, (void)opt, (void)v;
}

static void opt_sandbox(kwb_options *o, const char *opt, const char *v)
{
	kv p[MAX_KV];

	(void)o;
	split_kv(opt, v, "enable", p);
	if (strcmp(p[0].key, "enable") || parse_bool(opt, "enable", p[0].val))
		kwb_usage_error("%s %s: kwb has no seccomp sandbox (-sandbox off is accepted)", opt, v);
}

static void opt_vga(kwb_options *o, const char *opt, const char *v)
{
	if (strcmp(v, "none"))
		kwb_usage_error("%s %s: kwb has no display (-vga none)", opt, v);
	o->nographic = true;
}

static void opt_daemonize(kwb_options *o, const char *opt, const char *v)
{
	(void)o, (void)v;
	kwb_usage_error("%s: not supported: run kwb in the background with its console on "
			"-serial file:|pty|unix: and -monitor unix:", opt);
}

static void opt_pidfile(kwb_options *o, const char *opt, const char *v)
{
	(void)opt;
	o->pidfile = v;
}

/* -uuid 8-4-4-4-12 hex digits, QEMU's format */
static void opt_uuid(kwb_options *o, const char *opt, const char *v)
{
	static const int dash[] = { 8, 13, 18, 23 };
	size_t n = 0;

	for (size_t i = 0; v[i]; i++) {
		bool want_dash = false;

		for (size_t k = 0; k < ARRAY_SIZE(dash); k++)
			want_dash |= (int)i == dash[k];
		if (want_dash ? v[i] != '-' : !isxdigit((unsigned char)v[i]) || n == 32)
			kwb_usage_error("%s %s: Fail to parse UUID string", opt, v);
		if (!want_dash) {
			int d = isdigit((unsigned char)v[i]) ? v[i] - '0' : (tolower((unsigned char)v[i]) - 'a' + 10);

			o->uuid[n / 2] = (uint8_t)(o->uuid[n / 2] << 4 | d);
			n++;
		}
	}
	if (n != 32 || strlen(v) != 36)
		kwb_usage_error("%s %s: Fail to parse UUID string", opt, v);
	o->has_uuid = true;
}

static void opt_boot(kwb_options *o, const char *opt, const char *v)
{
	kv p[MAX_KV];
	int n = split_kv(opt, v, "order", p);

	for (int i = 0; i < n; i++)
		if (!strcmp(p[i].key, "menu"))
			o->boot_menu = parse_bool(opt, "menu", p[i].val);
		else if (strcmp(p[i].key, "order") && strcmp(p[i].key, "once") && strcmp(p[i].key, "strict") &&
			 strcmp(p[i].key, "splash") && strcmp(p[i].key, "splash-time") &&
			 strcmp(p[i].key, "reboot-timeout"))
			kwb_usage_error("%s %s: Invalid parameter '%s'", opt, v, p[i].key);
}

/* -rtc base=utc|localtime|DATE,clock=host|rt|vm,driftfix=none|slew. kwb's
 * RTC counts virtual time from a fixed date (deterministic runs); base=DATE
 * moves that start, utc and localtime keep it. */
static void opt_rtc(kwb_options *o, const char *opt, const char *v)
{
	kv p[MAX_KV];
	int n = split_kv(opt, v, NULL, p);

	for (int i = 0; i < n; i++) {
		const char *k = p[i].key, *x = p[i].val;

		if (!strcmp(k, "base")) {
			struct tm tm = { 0 };
			char *end;

			if (!strcmp(x, "utc") || !strcmp(x, "localtime"))
				continue;
			end = strptime(x, "%Y-%m-%dT%H:%M:%S", &tm);
			if (!end)
				end = strptime(x, "%Y-%m-%d", &tm);
			if (!end || *end || tm.tm_year < 70)
				kwb_usage_error("%s %s: invalid datetime format (valid formats: "
						"'2006-06-17T16:01:21' or '2006-06-17')", opt, v);
			o->rtc_base = (int64_t)timegm(&tm);
			o->has_rtc_base = true;
		} else if (!strcmp(k, "clock")) {
			if (strcmp(x, "host") && strcmp(x, "rt") && strcmp(x, "vm"))
				kwb_usage_error("%s %s: invalid option value '%s'", opt, v, x);
		} else if (!strcmp(k, "driftfix")) {
			if (strcmp(x, "none") && strcmp(x, "slew"))
				kwb_usage_error("%s %s: invalid option value '%s'", opt, v, x);
		} else {
			kwb_usage_error("%s %s: Invalid parameter '%s'", opt, v, k);
		}
	}
}

/* -object TYPE,id=ID,...: the entropy back ends a virtio-rng's rng= names
 * (rng-random with a regular file is read from it, as QEMU does; the
 * others are kwb's replayable entropy) */
static void opt_object(kwb_options *o, const char *opt, const char *v)
{
	size_t n = strcspn(v, ",");

	if ((n == 10 && !strncmp(v, "rng-random", n)) || (n == 11 && !strncmp(v, "rng-builtin", n)) ||
	    (n == 7 && !strncmp(v, "rng-egd", n))) {
		if (!strstr(v, ",id="))
			kwb_usage_error("%s %s: Parameter 'id' is missing", opt, v);
		if (o->nobjects == KWB_MAX_DEVICES)
			kwb_usage_error("%s %s: more than %d objects", opt, v, KWB_MAX_DEVICES);
		o->objects[o->nobjects++] = v;
		return;
	}
	kwb_usage_error("%s %s: kwb has no object '%.*s' (it accepts rng-random, rng-builtin, rng-egd)", opt,
			v, (int)n, v);
}

/* -netdev TYPE,id=ID,...: checked by core/net.c when the machine is built */
static void opt_netdev(kwb_options *o, const char *opt, const char *v)
{
	if (!*v || *v == ',')
		kwb_usage_error("%s %s: no network back-end type (kwb has user)", opt, v);
	if (o->nnetdevs == KWB_MAX_NETS)
		kwb_usage_error("%s %s: more than %d", opt, v, KWB_MAX_NETS);
	o->netdevs[o->nnetdevs++] = v;
	o->net_given = true;
}

/* -nic TYPE[,...] and -net TYPE[,...], kept in order for core/net.c */
static void opt_nic(kwb_options *o, const char *opt, const char *v)
{
	size_t len = strlen(v) + 5;
	char *s = opt_zalloc(len);

	if (!*v || *v == ',')
		kwb_usage_error("%s %s: no type (kwb has user, none)", opt, v);
	if (o->nnics == KWB_MAX_NETS)
		kwb_usage_error("%s %s: more than %d", opt, v, KWB_MAX_NETS);
	snprintf(s, len, "%s:%s", opt[2] == 'i' ? "nic" : "net", v);
	o->nics[o->nnics++] = s;
	o->net_given = true;
}

/* -fsdev local,id=ID,path=DIR,security_model=M: checked by the 9p device */
static void opt_fsdev(kwb_options *o, const char *opt, const char *v)
{
	if (o->nfsdevs == KWB_MAX_FSDEVS)
		kwb_usage_error("%s %s: more than %d", opt, v, KWB_MAX_FSDEVS);
	o->fsdevs[o->nfsdevs++] = v;
}

/* -virtfs local,path=DIR,mount_tag=TAG,...: an fsdev (id= or the tag) and
 * the virtio-9p-pci on it, as QEMU expands it */
static void opt_virtfs(kwb_options *o, const char *opt, const char *v)
{
	kv p[MAX_KV];
	int n = split_kv(opt, v, "fsdriver", p);
	const char *tag = NULL, *id = NULL;
	size_t len = strlen(v) + 8, at;
	char *fs = opt_zalloc(len), *dev;

	for (int i = 0; i < n; i++) {
		if (!strcmp(p[i].key, "mount_tag"))
			tag = p[i].val;
		else if (!strcmp(p[i].key, "id"))
			id = p[i].val;
	}
	if (!tag || !n || strcmp(p[0].key, "fsdriver"))
		kwb_usage_error("%s %s: Usage: -virtfs fsdriver,mount_tag=tag", opt, v);
	snprintf(fs, len, "virtfs:%s", v);
	opt_fsdev(o, opt, fs);
	id = id ? id : tag;
	len = 2 * (strlen(id) + strlen(tag)) + 40;
	dev = opt_zalloc(len);
	at = (size_t)snprintf(dev, len, "virtio-9p-pci,fsdev=");
	for (const char *c = id; *c; c++)	/* commas doubled back */
		at += (size_t)snprintf(dev + at, len - at, *c == ',' ? ",," : "%c", *c);
	at += (size_t)snprintf(dev + at, len - at, ",mount_tag=");
	for (const char *c = tag; *c; c++)
		at += (size_t)snprintf(dev + at, len - at, *c == ',' ? ",," : "%c", *c);
	opt_device(o, opt, dev);
}

static void opt_icount(kwb_options *o, const char *opt, const char *v)
{
	(void)o;
	/* "shift=N[,align=..][,sleep=..]" or "N": virtual time is always the
	 * instruction count here, so there is nothing to change. */
	if (!*v || (strncmp(v, "shift=", 6) && strspn(v, "0123456789auto") != strlen(v)))
		kwb_usage_error("%s %s: expected shift=N (kwb's time is always the instruction "
				"count)", opt, v);
}

static void opt_enable_kvm(kwb_options *o, const char *opt, const char *v)
{
	(void)o, (void)v;
	kwb_usage_error("%s: kwb is an emulator only (no KVM)", opt);
}

static void opt_readconfig(kwb_options *o, const char *opt, const char *v);
static void opt_help(kwb_options *o, const char *opt, const char *v);
static void opt_version(kwb_options *o, const char *opt, const char *v);

static const opt_def options[] = {
	{ "arch", NULL, "aarch64|riscv64", opt_arch,
	  "Guest architecture. Default: from the kernel file (ELF or Image\n"
	  "header), or from the program name kwb-system-aarch64/-riscv64;\n"
	  "aarch64 when nothing says." },
	{ "M", "machine", "virt[,PROP=VALUE...]", opt_machine,
	  "Board (only virt). Properties: iommu=smmuv3|none, dumpdtb=FILE\n"
	  "(write the generated device tree and exit), virtualization=on|off,\n"
	  "gic-version=2|3|max (default 2, as QEMU 7.2), its=on|off (the\n"
	  "GICv3's ITS, default on), highmem=on|off, dtb-randomness=on|off,\n"
	  "accel=tcg; kernel=, initrd=, append=, dtb=, firmware= as the\n"
	  "options below. Accepted with the value kwb behaves as: acpi, usb,\n"
	  "graphics, secure=off, mte=off,\n"
	  "ras=off, aia=none. -M help lists machines." },
	{ "accel", NULL, "tcg", opt_accel, "Accepted for QEMU compatibility (kwb always emulates)." },
	{ "cpu", NULL, "MODEL", opt_cpu,
	  "CPU model (aarch64: cortex-a57, cortex-a53, max; riscv64: rv64, with "
	  "pmu-num=N, sstc=on|off, debug=on|off, h=false, and QEMU's extension switches\n"
	  "set as kwb's hart has them: zba=true, v=false, ...); -cpu help lists them." },
	{ "smp", NULL, "N|cpus=N[,sockets=S,cores=C,threads=T]", opt_smp,
	  "Number of CPUs, 1 to 8 (default 1)." },
	{ "m", NULL, "SIZE|size=SIZE", opt_m,
	  "RAM size: 512M, 1G, 1.5G; a plain number is MiB (default 128M, as QEMU)." },
	{ "kernel", NULL, "FILE", opt_kernel,
	  "Kernel: ELF (vmlinux), arm64 or RISC-V Image, or raw binary." },
	{ "initrd", NULL, "FILE", opt_initrd, "Initial RAM disk (e.g. initramfs.cpio.gz)." },
	{ "append", NULL, "CMDLINE", opt_append, "Kernel command line." },
	{ "dtb", NULL, "FILE", opt_dtb, "Use this device tree instead of the generated one." },
	{ "bios", NULL, "FILE|none|default", opt_bios,
	  "Firmware to start first (RISC-V default: QEMU's OpenSBI fw_dynamic;\n"
	  "AArch64: into flash bank 0, started at 0 at EL1, e.g. u-boot.bin,\n"
	  "QEMU_EFI.fd); none: start the kernel directly; default: the board's choice." },
	{ "symbols", NULL, "FILE", opt_symbols,
	  "vmlinux with symbols for traces and the monitor (when -kernel is an\n"
	  "Image)." },
	{ "panic-dump", NULL, "FILE", opt_panic_dump,
	  "When the guest kernel panics, write a crash dump to FILE (as monitor\n"
	  "dump-guest-memory: open it with crash vmlinux FILE) and run on." },
	{ "nographic", NULL, NULL, opt_nographic,
	  "No window: serial on the terminal, Ctrl-A h for help. kwb has no\n"
	  "display, so it always behaves as with -nographic." },
	{ "display", NULL, "none", opt_display, "Accepted (kwb has no display)." },
	{ "serial", NULL, "mon:stdio|stdio|pty|file:PATH|null|tcp:...|telnet:...|unix:...|chardev:ID", opt_serial,
	  "Serial port back end (default mon:stdio: Ctrl-A x quits, Ctrl-A c\n"
	  "monitor, Ctrl-A h help); tcp:[HOST]:PORT[,server=on][,wait=off],\n"
	  "telnet:..., unix:PATH[,...] as -chardev socket; chardev:ID a -chardev." },
	{ "monitor", NULL, "none|stdio|pty|tcp:...|telnet:...|unix:...|chardev:ID", opt_monitor,
	  "The monitor (the commands of gdb's \"monitor\" and Ctrl-A c) also on\n"
	  "this back end, e.g. tcp::4444,server=on,wait=off; none and stdio are\n"
	  "accepted (the monitor is Ctrl-A c on mon:stdio)." },
	{ "mon", NULL, "chardev=ID[,mode=readline]", opt_mon,
	  "The monitor on -chardev ID (a mux=on chardev shared with -serial:\n"
	  "Ctrl-A c switches)." },
	{ "chardev", NULL, "BACKEND,id=ID[,...]", opt_chardev,
	  "A character device for -serial chardev:ID, -mon chardev=ID,\n"
	  "-gdb chardev:ID, -device virtconsole|virtserialport,chardev=ID.\n"
	  "BACKEND: stdio[,mux=on], socket,host=H,port=P|path=PATH[,server=on]\n"
	  "[,wait=off][,telnet=on] (listens on 127.0.0.1 unless host= says),\n"
	  "pty, file,path=PATH, null, ringbuf[,size=N] (monitor ringbuf_read),\n"
	  "testdev (a guest writing \"<n>q\" exits kwb with status 2n+1)." },
	{ "s", NULL, NULL, opt_s, "Shorthand for -gdb tcp::1234." },
	{ "S", NULL, NULL, opt_S, "Do not start the CPUs: wait for gdb's continue." },
	{ "gdb", NULL, "tcp:[HOST]:PORT|unix:PATH|none[,tasks=on]", opt_gdb,
	  "Serve the GDB remote protocol there (gdb-multiarch: target remote);\n"
	  "tasks=on: Linux tasks as gdb threads." },
	{ "d", NULL, "FLAGS", opt_d, "Trace flags, comma-separated (-d help lists them)." },
	{ "D", NULL, "FILE", opt_D, "Write traces to FILE instead of stderr." },
	{ "device", NULL, "TYPE[,KEY=VALUE...]", opt_device,
	  "Add a device: virtio-blk-pci,drive=ID, virtio-rng-pci on PCIe;\n"
	  "virtio-blk-device,drive=ID, virtio-rng-device on the board's\n"
	  "virtio-mmio transports (repeatable, up to 16)." },
	{ "drive", NULL, "file=FILE[,format=raw][,if=none|virtio|pflash][,unit=0|1][,id=ID][,readonly=on][,snapshot=on]",
	  opt_drive, "A disk image (raw); if=virtio also adds a virtio-blk-pci on it\n"
	  "(where QEMU puts it: on PCIe). Guest writes stay in kwb's overlay\n"
	  "(snapshots and history undo them) and are written to FILE when kwb\n"
	  "exits; snapshot=on: never. if=pflash: the image of flash bank unit\n"
	  "(0 or 1, exactly the bank's size), written through at once as QEMU." },
	{ "pflash", NULL, "FILE", opt_pflash, "Shorthand for -drive if=pflash,format=raw,file=FILE." },
	{ "fw_cfg", NULL, "[name=]NAME,file=FILE|string=STR", opt_fw_cfg,
	  "Add a file to fw_cfg for the firmware (NAME: opt/..., up to 55\n"
	  "characters; the contents of FILE, or STR without a NUL)." },
	{ "global", NULL, "DRIVER.PROP=VALUE", opt_global,
	  "Set a device property for every device of a type: virtio-mmio.force-legacy=on|off\n"
	  "(default on, as QEMU: the legacy virtio-mmio interface); DRIVER.romfile=\n"
	  "is accepted (kwb loads no option ROMs)." },
	{ "readconfig", NULL, "FILE", opt_readconfig,
	  "Read options from a QEMU ini file: [machine] type= kernel= initrd=\n"
	  "append= dtb=, [memory] size=, [smp-opts] cpus=, [drive \"ID\"],\n"
	  "[device \"ID\"] driver=." },
	{ "seed", NULL, "N|random", opt_seed,
	  "Seed of the guest's random numbers (the device tree's rng-seed and\n"
	  "arm64 kaslr-seed): the same N gives the same run. Default 0; random:\n"
	  "from the host (printed)." },
	{ "no-reboot", NULL, NULL, opt_no_reboot, "Exit instead of rebooting when the guest resets." },
	{ "nodefaults", NULL, NULL, opt_nodefaults,
	  "No default devices: without -serial the serial port is not connected\n"
	  "(null), and no default NIC." },
	{ "rtc", NULL, "[base=utc|localtime|DATE][,clock=host|rt|vm][,driftfix=none|slew]", opt_rtc,
	  "The RTC (arm64's PL031) counts virtual time from 2024-01-01 00:00:00\n"
	  "UTC, so runs repeat; base=2030-01-02T03:04:05 (or 2030-01-02) starts\n"
	  "it there; utc, localtime, clock= and driftfix= are accepted." },
	{ "uuid", NULL, "UUID", opt_uuid, "The system UUID the firmware sees (fw_cfg and SMBIOS type 1)." },
	{ "boot", NULL, "[order=DRIVES][,once=DRIVES][,menu=on|off][,strict=on|off][,...]", opt_boot,
	  "Firmware boot settings: menu= is passed to firmware in fw_cfg as\n"
	  "QEMU does; the others are accepted (the firmware picks from its own\n"
	  "boot entries)." },
	{ "object", NULL, "rng-random|rng-builtin|rng-egd,id=ID[,...]", opt_object,
	  "An entropy back end for -device virtio-rng-*,rng=ID (accepted: kwb's\n"
	  "entropy is seeded and replayable, -seed)." },
	{ "pidfile", NULL, "FILE", opt_pidfile, "Write kwb's process ID to FILE (removed when kwb exits)." },
	{ "vga", NULL, "none", opt_vga, "Accepted (kwb has no display)." },
	{ "sandbox", NULL, "off", opt_sandbox, "-sandbox off is accepted; kwb has no seccomp sandbox." },
	{ "daemonize", NULL, NULL, opt_daemonize,
	  "Refused: run kwb in the background with its console on a file, pty\n"
	  "or socket." },
	{ "no-user-config", NULL, NULL, opt_accepted, "Accepted (kwb reads no configuration files of its own)." },
	{ "name", NULL, "NAME|guest=NAME[,...]", opt_accepted, "Accepted (a name for the guest; no effect)." },
	{ "msg", NULL, "timestamp=on|off[,guest-name=on|off]", opt_accepted, "Accepted (no effect)." },
	{ "overcommit", NULL, "mem-lock=on|off[,cpu-pm=on|off]", opt_accepted, "Accepted (no effect)." },
	{ "watchdog-action", NULL, "ACTION", opt_accepted, "Accepted (kwb's boards have no watchdog)." },
	{ "netdev", NULL, "user,id=ID[,hostfwd=tcp:[HADDR]:HPORT-[GADDR]:GPORT][,net=ADDR/MASK]", opt_netdev,
	  "A network back end for -device virtio-net-pci|virtio-net-device,netdev=ID:\n"
	  "user-mode networking (libslirp, QEMU's): DHCP gives the guest 10.0.2.15,\n"
	  "the host is 10.0.2.2, DNS 10.0.2.3; hostfwd= (repeatable) forwards a host\n"
	  "port into the guest; also host=, dhcpstart=, dns=, restrict=on|off,\n"
	  "hostname=, domainname=, ipv4=, ipv6=." },
	{ "nic", NULL, "user[,model=M][,mac=MAC][,NETDEV-OPTIONS]|none", opt_nic,
	  "A NIC with its back end: -nic user is a virtio-net-pci on user\n"
	  "networking (arm64; QEMU's riscv64 virt creates no NIC from -nic);\n"
	  "-nic none: no NIC. Without -nic/-netdev/-net, arm64 gets QEMU's default\n"
	  "NIC (virtio-net-pci, user networking) unless -nodefaults." },
	{ "net", NULL, "nic[,model=M][,mac=MAC]|user[,...]|none", opt_nic,
	  "QEMU's older NIC syntax: -net nic -net user is -nic user; -net none." },
	{ "fsdev", NULL, "local,id=ID,path=DIR,security_model=passthrough|mapped-xattr|none[,readonly=on]",
	  opt_fsdev,
	  "A host directory for -device virtio-9p-pci|virtio-9p-device,fsdev=ID,mount_tag=TAG\n"
	  "(9P2000.L: mount -t 9p -o trans=virtio,version=9p2000.L TAG /mnt); also\n"
	  "fmode=, dmode= (mapped-xattr)." },
	{ "virtfs", NULL, "local,path=DIR,mount_tag=TAG,security_model=M[,readonly=on][,id=ID]", opt_virtfs,
	  "Shorthand for -fsdev local,id=ID(or TAG),... -device virtio-9p-pci,fsdev=ID,mount_tag=TAG." },
	{ "icount", NULL, "shift=N", opt_icount,
	  "Accepted: kwb's virtual time is always the instruction count." },
	{ "enable-kvm", NULL, NULL, opt_enable_kvm, "Refused: kwb is an emulator only." },
	{ "no-shutdown", NULL, NULL, opt_no_shutdown,
	  "Stop (stay in gdb/monitor) instead of exiting when the guest powers off." },
	{ "rr-budget", NULL, "SIZE", opt_rr_budget,
	  "Memory for the run's history (reverse execution from gdb), e.g.\n"
	  "256M, 2G (default 1G); older history is dropped to stay within it;\n"
	  "0: no history." },
	{ "snapshot-dir", NULL, "DIR", opt_snapshot_dir,
	  "Where savevm/loadvm keep snapshots (default\n"
	  "$XDG_DATA_HOME/kwb/snapshots, ~/.local/share/kwb/snapshots)." },
	{ "loadvm", NULL, "NAME", opt_loadvm, "Start from snapshot NAME (saved with monitor savevm)." },
	{ "icount-limit", NULL, "N", opt_icount_limit,
	  "Stop after N instructions (all CPUs together), exit status 3, also at once when every CPU waits "
	  "or spins in a fault loop and no event is armed; for tests." },
	{ "timeout", NULL, "SECONDS", opt_timeout,
	  "Wall-clock guard: exit with status 4 after SECONDS, running, idle or stopped; for tests." },
	{ "difftest", NULL, "qemu", opt_difftest,
	  "Compare with QEMU and report the first difference (README: Difftest)." },
	{ "difftest-mode", NULL, "pc|lockstep", opt_difftest_mode,
	  "pc (default): compare the PC streams at full speed, then lockstep around a divergence; "
	  "lockstep: registers after every instruction from the start." },
	{ "help", "h", NULL, opt_help, "Print this help and exit." },
	{ "version", NULL, NULL, opt_version, "Print the version and exit." },
};

void options_usage(void)
{
	printf("Usage: kwb [options]\n"
	       "       kwb-system-aarch64 [options]   kwb-system-riscv64 [options]\n\n"
	       "kwb %s: a GDB-first kernel debugging workbench emulating the QEMU virt\n"
	       "board (AArch64, RISC-V64). Options are QEMU's: a QEMU command line works\n"
	       "with the binary name swapped. Every option may be written -opt or --opt.\n\n",
	       KWB_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const opt_def *d = &options[i];
		char head[128];
		int len = snprintf(head, sizeof(head), "-%s%s%s%s%s", d->name,
				   d->alias ? ", -" : "", d->alias ? d->alias : "",
				   d->arg ? " " : "", d->arg ? d->arg : "");
		const char *h = d->help;
		int col = 30;

		printf("  %s", head);
		if (len > 26)
			printf("\n%30s", "");
		else
			printf("%*s", 28 - len, "");
		/* word-wrap the help text at 79 columns */
		while (*h) {
			int w = (int)strcspn(h, " \n");

			if (col > 30 && col + 1 + w > 79) {
				printf("\n%30s", "");
				col = 30;
			} else if (col > 30) {
				putchar(' ');
				col++;
			}
			printf("%.*s", w, h);
			col += w;
			h += w;
			while (*h == ' ' || *h == '\n')
				h++;
		}
		putchar('\n');
	}
	printf("\nExamples:\n"
	       "  kwb -M virt,gic-version=3 -cpu cortex-a57 -smp 2 -m 512M -nographic \\\n"
	       "      -kernel Image -initrd initramfs.cpio.gz -append \"console=ttyAMA0\" -s -S\n"
	       "  kwb -M virt -smp 2 -m 512M -nographic -bios fw_jump.bin \\\n"
	       "      -kernel Image -initrd initramfs.cpio.gz \\\n"
	       "      -append \"console=ttyS0 earlycon=sbi\"\n"
	       "Then: gdb-multiarch vmlinux -ex 'target remote :1234'\n");
}

static void opt_help(kwb_options *o, const char *opt, const char *v)
{
	(void)o, (void)opt, (void)v;
	options_usage();
	exit(0);
}

static void opt_version(kwb_options *o, const char *opt, const char *v)
{
	(void)o, (void)opt, (void)v;
	printf("kwb version %s\n", KWB_VERSION);
	exit(0);
}

static const opt_def *find_option(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (!strcmp(options[i].name, name) ||
		    (options[i].alias && !strcmp(options[i].alias, name)))
			return &options[i];
	return NULL;
}

/* ---- -readconfig: QEMU's ini format ---- */

#define RC_MAX_KEYS 16

typedef struct rc_section {
	char name[32];
	char id[64];
	char *keys[RC_MAX_KEYS], *vals[RC_MAX_KEYS];
	int n;
	int line;
} rc_section;

static char *rc_strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = 0;
	return s;
}

/* Joins the section's keys back into "k=v,k=v" (commas doubled) so the
 * same code checks them as on the command line. */
static char *rc_join(const rc_section *s, const char *skip)
{
	size_t cap = 1;
	char *out, *p;

	for (int i = 0; i < s->n; i++)
		cap += strlen(s->keys[i]) + 2 * strlen(s->vals[i]) + 2;
	out = p = opt_zalloc(cap);
	for (int i = 0; i < s->n; i++) {
		if (skip && !strcmp(s->keys[i], skip))
			continue;
		if (p != out)
			*p++ = ',';
		p += sprintf(p, "%s=", s->keys[i]);
		for (const char *v = s->vals[i]; *v; v++) {
			if (*v == ',')
				*p++ = ',';
			*p++ = *v;
		}
	}
	*p = 0;
	return out;
}

static void rc_apply(kwb_options *o, const rc_section *s)
{
	char where[PATH_MAX + 64];

	if (!s->name[0])
		return;
	snprintf(where, sizeof(where), "%s:%d: [%s]", readconfig_file, s->line, s->name);
	const char *opt = opt_strdup(where);
	if (!strcmp(s->name, "machine")) {
		for (int i = 0; i < s->n; i++)
			machine_prop(o, opt, s->keys[i], s->vals[i]);
	} else if (!strcmp(s->name, "memory")) {
		opt_m(o, opt, rc_join(s, NULL));
	} else if (!strcmp(s->name, "smp-opts")) {
		opt_smp(o, opt, rc_join(s, NULL));
	} else if (!strcmp(s->name, "drive")) {
		char *j = rc_join(s, "id");
		size_t len = strlen(j) + strlen(s->id) + 8;
		char *d = opt_zalloc(len);

		snprintf(d, len, "%s%s%s", j, s->id[0] ? ",id=" : "", s->id);
		opt_drive(o, opt, d);
	} else if (!strcmp(s->name, "device")) {
		const char *driver = NULL;

		for (int i = 0; i < s->n; i++)
			if (!strcmp(s->keys[i], "driver"))
				driver = s->vals[i];
		if (!driver)
			kwb_usage_error("%s: no driver= given", opt);
		char *j = rc_join(s, "driver");
		size_t len = strlen(driver) + strlen(j) + 2;
		char *d = opt_zalloc(len);

		snprintf(d, len, "%s%s%s", driver, *j ? "," : "", j);
		opt_device(o, opt, d);
	} else {
		kwb_usage_error("%s: unknown section (kwb reads machine, memory, smp-opts, "
				"drive, device)", opt);
	}
}

static void opt_readconfig(kwb_options *o, const char *opt, const char *v)
{
	enum { LINE_MAX_BYTES = 4094 };
	rc_section sec = { .name = "" };
	int lineno = 0;
	const char *why;
	size_t size;
	uint8_t *file;
	char *text, *next;

	check_input_file(opt, v);
	/* The whole file at once (what it held when opened), kept with the
	 * options: a refusal exits with nothing open or unreachable. */
	file = kwb_read_file(v, &size, &why);
	if (!file)
		kwb_fatal("%s %s: %s", opt, v, why);
	text = opt_zalloc(size + 1);
	memcpy(text, file, size);
	free(file);
	readconfig_file = v;
	for (char *line = text; line < text + size; line = next) {
		char *nl = memchr(line, '\n', (size_t)(text + size - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(text + size - line);

		next = line + len + 1;
		lineno++;
		/* never split a long line: its tail would be read as a line of
		 * its own (a comment could set the kernel) */
		if (len > LINE_MAX_BYTES)
			kwb_usage_error("%s:%d: line too long (more than %d bytes)", v, lineno,
					LINE_MAX_BYTES);
		if (memchr(line, 0, len))
			kwb_usage_error("%s:%d: NUL byte in the line", v, lineno);
		line[len] = 0;
		char *s = rc_strip(line);

		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char name[32], id[64] = "";
			int got;

			rc_apply(o, &sec);
			got = sscanf(s, "[%31[^] \"] \"%63[^\"]\"]", name, id);
			if (got < 1 || s[strlen(s) - 1] != ']')
				kwb_usage_error("%s:%d: bad section header '%s'", v, lineno, s);
			memset(&sec, 0, sizeof(sec));
			snprintf(sec.name, sizeof(sec.name), "%s", name);
			snprintf(sec.id, sizeof(sec.id), "%s", id);
			sec.line = lineno;
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq || !sec.name[0])
			kwb_usage_error("%s:%d: expected KEY = \"VALUE\" inside a [section]: '%s'",
					v, lineno, s);
		*eq = 0;
		char *key = rc_strip(s), *val = rc_strip(eq + 1);
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = 0;
			val++;
		} else if (vl && (val[0] == '"' || val[vl - 1] == '"')) {
			kwb_usage_error("%s:%d: unbalanced quotes in %s", v, lineno, key);
		}
		if (sec.n == RC_MAX_KEYS)
			kwb_usage_error("%s:%d: too many keys in [%s]", v, lineno, sec.name);
		sec.keys[sec.n] = key;
		sec.vals[sec.n] = val;
		sec.n++;
	}
	rc_apply(o, &sec);
	readconfig_file = NULL;
}

/* Everything options_parse allocated (a fuzz target parses again and again). */
void options_release(void)
{
	while (opt_blocks) {
		void **b = opt_blocks;
		opt_blocks = *b;
		free(b);
	}
}

/* ---- after parsing: what the options imply together ---- */

/* The architecture for a help answer: from argv0, -arch or the kernel
 * file when it says, aarch64 otherwise (never an error: help always helps). */
static const char *help_arch(const kwb_options *o)
{
	kernel_info ki;
	char err[512];

	if (o->arch)
		return o->arch;
	if (o->kernel && loader_probe_kernel(o->kernel, &ki, err, sizeof(err)) == 0 && ki.arch)
		return ki.arch;
	return "aarch64";
}

static void finish(kwb_options *o)
{
	if (o->help_machine || o->help_cpu) {
		if (o->help_machine)
			print_machine_help(help_arch(o));
		if (o->help_cpu)
			print_cpu_help(help_arch(o));
		exit(0);
	}
	if (o->kernel) {
		kernel_info ki;
		char err[512];

		if (loader_probe_kernel(o->kernel, &ki, err, sizeof(err)) < 0)
			kwb_fatal("%s", err);
		if (ki.arch && o->arch && strcmp(ki.arch, o->arch))
			kwb_fatal("-kernel %s: a %s kernel, but the machine is %s", o->kernel,
				  ki.arch, o->arch);
		if (!o->arch && !ki.arch)
			kwb_usage_error("-kernel %s: not an ELF or Image, so the architecture is "
					"unknown (add -arch aarch64|riscv64)", o->kernel);
		if (!o->arch)
			o->arch = ki.arch;
	}
	if (!o->arch && o->bios && strcmp(o->bios, "none")) {
		/* no kernel: an ELF firmware still says which machine it is for */
		kernel_info ki;
		char err[512];

		if (loader_probe_kernel(o->bios, &ki, err, sizeof(err)) == 0 && ki.arch)
			o->arch = ki.arch;
	}
	if (!o->arch)
		o->arch = "aarch64";
	if (o->initrd) {
		struct stat st;

		if (stat(o->initrd, &st) == 0 && (uint64_t)st.st_size >= o->ram_size)
			kwb_fatal("-initrd %s: %llu bytes do not fit in %llu MiB of RAM", o->initrd,
				  (unsigned long long)st.st_size,
				  (unsigned long long)(o->ram_size >> 20));
	}
	if (o->append && !o->kernel)
		kwb_usage_error("-append given without -kernel");
	if (o->initrd && !o->kernel)
		kwb_usage_error("-initrd given without -kernel");
	if (!strcmp(o->arch, "riscv64") && o->iommu)
		kwb_usage_error("-M virt,iommu=%s: SMMUv3 exists on aarch64 only", o->iommu);
	if (!strcmp(o->arch, "riscv64") && o->dtb_no_randomness)
		kwb_usage_error("-M virt,dtb-randomness: an aarch64 property (the riscv64 virt board "
				"always passes an rng-seed)");
	if (!strcmp(o->arch, "riscv64") && (o->virtualization || o->gic_version))
		kwb_usage_error("-M virt,%s: an aarch64 property, but the machine is riscv64",
				o->virtualization ? "virtualization" : "gic-version");
	/* No window to open: without -nographic kwb still uses the terminal. */
	o->nographic = true;
	if (!o->serial)
		o->serial = o->nodefaults ? "null" : "mon:stdio";
}

void options_parse(kwb_options *o, int argc, char **argv)
{
	const char *base;

	memset(o, 0, sizeof(*o));
	o->machine = "virt";
	o->smp = 1;
	o->ram_size = KWB_DEFAULT_RAM;
	o->rr_budget = KWB_DEFAULT_RR_BUDGET;
	o->highmem = true;
	o->its = true;
	arch_from_argv0 = false;

	base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "kwb");
	if (!strcmp(base, "kwb-system-aarch64") || !strcmp(base, "qemu-system-aarch64")) {
		o->arch = "aarch64";
		arch_from_argv0 = true;
	} else if (!strcmp(base, "kwb-system-riscv64") || !strcmp(base, "qemu-system-riscv64")) {
		o->arch = "riscv64";
		arch_from_argv0 = true;
	}

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *val = NULL;
		char buf[64];

		if (a[0] != '-' || !a[1])
			kwb_usage_error("%s: stray argument (disk images go in -drive file=%s)", a, a);
		name = a + 1 + (a[1] == '-');
		/* "--opt=value" as well as "--opt value" */
		const char *eq = a[1] == '-' ? strchr(name, '=') : NULL;
		if (eq && (size_t)(eq - name) < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s", (int)(eq - name), name);
			name = buf;
			val = eq + 1;
		}
		const opt_def *d = find_option(name);
		if (!d)
			kwb_usage_error("%s: invalid option (kwb --help lists them)", a);
		char optname[80];
		snprintf(optname, sizeof(optname), "-%s", name);
		if (d->arg && !val) {
			if (i + 1 >= argc)
				kwb_usage_error("%s: requires an argument (%s)", optname, d->arg);
			val = argv[++i];
		} else if (!d->arg && val) {
			kwb_usage_error("%s: takes no argument", a);
		}
		d->fn(o, opt_strdup(optname), val ? val : "");
	}
	finish(o);
}
