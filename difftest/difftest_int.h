/*
 * Difftest internals shared by the lockstep (difftest.c) and the PC pass
 * (difftest_pc.c): the QEMU child, its temporary directory, reporting.
 */
#ifndef KWB_DIFFTEST_INT_H
#define KWB_DIFFTEST_INT_H

#include <sys/types.h>
#include "core/machine.h"

#define DT_WINDOW 10
#define DT_MAXREGS 1024
#define DT_TIMEOUT_MS 5000

struct rsp_parser;

typedef struct dt_hist {
	uint64_t kpc, qpc;
	uint32_t insn;
} dt_hist;

typedef struct difftest {
	machine *m;
	pid_t qemu;
	int fd;
	char dir[64], sock[96], dtb[96], qdtb[96], serial[96], fifo[96];
	struct rsp_parser *rx;
	uint8_t rxbuf[4096];
	size_t rxlen, rxpos;
	uint8_t txbuf[65536];
	size_t txlen;
	uint64_t qpc;		/* QEMU's pc at the last compare */
	int timeout_ms;		/* for one QEMU reply */
	uint64_t from;		/* KWB_DIFFTEST_FROM: run both freely to here first */
	uint64_t from_icount;	/* ... to the arrival after this many instructions (KWB_DIFFTEST_FROM_ICOUNT) */
	uint64_t hits;
	bool skipping;
	/* QEMU's registers from its target.xml, by regnum. */
	char *qname[DT_MAXREGS];
	int qbits[DT_MAXREGS];
	int nq;
	int gcount;		/* registers QEMU sends in a `g` reply */
	int map[DT_MAXREGS];	/* kwb table index -> QEMU regnum, -1: not compared */
	int ncompared;
	uint64_t steps;
	dt_hist hist[DT_WINDOW];
	uint64_t t0;
	int sync_idx;		/* kwb register to copy into QEMU after this step */
	int sync_id;		/* ... because it read this ID register (encoding), else -1 */
	uint32_t noted[64];	/* ID registers already reported as differing */
	int nnoted;
	int nvolnotes;		/* timer/device reads that differed, listed */
	uint64_t pc_divergence;	/* after the PC pass: stop the lockstep there */
} difftest;

void dt_cleanup(difftest *d);
KWB_NORETURN void dt_exit(difftest *d, int code);
KWB_NORETURN KWB_PRINTF(2, 3) void dt_fail(difftest *d, const char *fmt, ...);
/* The temporary directory, kwb's DTB written there, and QEMU's edit of it
 * (QEMU adds /chosen properties, an rng-seed and padding to a -dtb blob)
 * read back with dumpdtb and put into kwb's RAM: both guests see the same
 * bytes. */
void dt_setup_dtb(difftest *d);
/* QEMU's command line for this machine (NULL-terminated, static strings). */
enum dt_qemu {
	DT_QEMU_GDB,		/* -S, a gdb stub on d->sock, -singlestep */
	DT_QEMU_LOG,		/* exec (one line per block) and int log to d->fifo */
	DT_QEMU_DUMPDTB,	/* write the guest's DTB to d->qdtb and exit */
};
/* QEMU's command line: argv has room for DT_QEMU_ARGV entries. */
#define DT_QEMU_ARGV 128
void dt_qemu_argv(difftest *d, char **argv, enum dt_qemu kind);
/* Forks QEMU with argv; dies with kwb. */
void dt_spawn(difftest *d, char **argv);
void dt_disasm(difftest *d, uint64_t pc, char *buf, size_t len, uint32_t *insn_out);
void dt_where(difftest *d, uint64_t pc, char *buf, size_t len);

/* The PC pass (difftest_pc.c): returns the exit status. */
int dt_pc_run(difftest *d);

#endif
