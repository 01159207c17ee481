/*
 * Crash dumps for the crash utility: `monitor dump-guest-memory FILE`
 * (QEMU's command name) and -panic-dump FILE, an ELF core with the guest's
 * RAM, one NT_PRSTATUS note per CPU and the kernel's VMCOREINFO.
 */
#ifndef KWB_SYMBOLS_CRASHDUMP_H
#define KWB_SYMBOLS_CRASHDUMP_H

#include "core/kwb.h"

struct machine;

typedef struct crashdump_info {
	uint64_t ram;		/* bytes of RAM dumped */
	int loads, cpus;
	const char *vmcoreinfo;	/* where the VMCOREINFO came from */
} crashdump_info;

/* Returns 0, or -1 with a one-line reason. info may be NULL. caller_cpu
 * (or -1): that CPU is at a function's first instruction and is reported
 * in its caller, at the return address. */
int crashdump_write(struct machine *m, const char *path, int caller_cpu, crashdump_info *info,
		    char *err, size_t errlen);
/* -panic-dump: watch for the kernel's panic (symbols_attach calls this). */
void crashdump_arm_panic(struct machine *m);

#endif
