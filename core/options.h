/* The parsed command line (QEMU-compatible where QEMU has the option). */
#ifndef KWB_OPTIONS_H
#define KWB_OPTIONS_H

#include "kwb.h"

#define KWB_MAX_DEVICES 16
#define KWB_MAX_DRIVES 8
#define KWB_MAX_GLOBALS 16
#define KWB_MAX_NETS 8
#define KWB_MAX_FW_CFG 16
#define KWB_MAX_CHARDEVS 16
#define KWB_MAX_FSDEVS 8

typedef struct kwb_drive {
	const char *id;
	const char *file;
	const char *format;
	bool readonly;
	bool pflash;		/* if=pflash: the board's flash bank `unit` */
	int unit;
	bool snapshot;			/* snapshot=on: guest writes are never written back */
} kwb_drive;

/* -fw_cfg [name=]NAME,file=FILE|string=STR: a file firmware reads */
typedef struct kwb_fw_cfg_file {
	const char *name;
	const char *file;	/* its contents come from this file... */
	const char *string;	/* ...or are this string (without its NUL) */
} kwb_fw_cfg_file;

typedef struct kwb_options {
	const char *arch;		/* "aarch64", "riscv64" or NULL (detect) */
	const char *machine;		/* "virt" */
	const char *machine_opts;	/* everything after "virt," */
	const char *iommu;		/* "smmuv3" or NULL */
	const char *dumpdtb;		/* -M virt,dumpdtb=FILE */
	bool virtualization;
	const char *cpu_model;		/* -cpu */
	int smp;
	uint64_t ram_size;
	const char *kernel, *initrd, *append, *dtb, *bios;
	const char *symbols;		/* -symbols vmlinux */
	const char *panic_dump;		/* -panic-dump FILE: crash dump at panic */
	bool nographic;
	const char *serial;		/* "mon:stdio" default with -nographic */
	const char *gdb;		/* "tcp::1234", "unix:PATH" or NULL */
	bool gdb_tasks;			/* -gdb ...,tasks=on: Linux tasks as gdb threads */
	bool start_stopped;		/* -S */
	bool help_machine, help_cpu;	/* -M help, -cpu help: answered once the arch is known */
	const char *trace_flags;	/* -d */
	const char *trace_file;		/* -D */
	const char *devices[KWB_MAX_DEVICES];	/* -device */
	int ndevices;
	const char *objects[KWB_MAX_DEVICES];	/* -object (virtio-rng's rng= back ends) */
	int nobjects;
	kwb_drive drives[KWB_MAX_DRIVES];	/* -drive */
	int ndrives;
	uint64_t max_insns;		/* -icount-limit N: stop after N instructions (tests) */
	double timeout;			/* -timeout SECONDS wall-clock guard (tests) */
	const char *difftest;		/* --difftest qemu */
	const char *difftest_mode;	/* --difftest-mode pc|lockstep (NULL: pc) */
	bool no_shutdown;
	bool no_reboot;			/* -no-reboot: exit when the guest resets */
	int gic_version;		/* -M virt,gic-version=2|3; 0 = board default (2, as QEMU 7.2) */
	bool its;			/* -M virt,its=on|off: GICv3 ITS (default on, as QEMU) */
	bool highmem;			/* -M virt,highmem=on|off (default on) */
	uint64_t seed;			/* -seed N: the guest's random numbers (DT rng/kaslr seeds) */
	bool dtb_no_randomness;		/* -M virt,dtb-randomness=off (aarch64) */
	uint64_t rr_budget;		/* -rr-budget SIZE: history's memory (0: off) */
	const char *snapshot_dir;	/* -snapshot-dir DIR (NULL: the default) */
	const char *loadvm;		/* -loadvm NAME */
	/* -global DRIVER.PROP=VALUE, as "DRIVER.PROP=VALUE" */
	const char *globals[KWB_MAX_GLOBALS];
	int nglobals;
	/* networking, parsed by core/net.c: -netdev SPEC; -nic SPEC and -net
	 * SPEC (as "nic:SPEC", "net:SPEC") in command-line order */
	const char *netdevs[KWB_MAX_NETS];
	int nnetdevs;
	const char *nics[KWB_MAX_NETS];
	int nnics;
	bool net_given;			/* any -net, -netdev or -nic: no default NIC */
	const char *chardevs[KWB_MAX_CHARDEVS];	/* -chardev SPEC */
	int nchardevs;
	const char *mon;		/* -mon chardev=ID[,...] */
	const char *monitor_spec;	/* -monitor tcp:...|unix:...|telnet:...|pty */
	bool nodefaults;		/* -nodefaults */
	const char *pidfile;		/* -pidfile FILE */
	bool has_uuid;			/* -uuid: the firmware's system UUID */
	uint8_t uuid[16];		/* as written, big-endian */
	bool boot_menu;			/* -boot menu=on (fw_cfg) */
	bool has_rtc_base;		/* -rtc base=DATE: the RTC's start */
	int64_t rtc_base;		/* seconds since 1970 (UTC) */
	kwb_fw_cfg_file fw_cfg[KWB_MAX_FW_CFG];	/* -fw_cfg */
	int nfw_cfg;
	/* 9p exports, parsed by core/devices/virtio_9p.c: -fsdev SPEC, and
	 * -virtfs SPEC as "virtfs:SPEC" (which also adds its device) */
	const char *fsdevs[KWB_MAX_FSDEVS];
	int nfsdevs;
} kwb_options;

/* Parses argv (exits with status 2 and one line on a bad option). */
void options_parse(kwb_options *o, int argc, char **argv);
void options_usage(void);
/* Frees what every options_parse so far allocated (the options it filled
 * point into it): for programs that parse many times (fuzz targets). */
void options_release(void);
/* The value -global gave driver's prop ("virtio-mmio", "force-legacy"), or NULL. */
const char *options_global(const kwb_options *o, const char *driver, const char *prop);
/* on/yes/true/y (any case) -> true; the value was checked when parsed. */
bool options_bool(const char *v);

#endif
