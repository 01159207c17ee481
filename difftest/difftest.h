/*
 * Differential testing against QEMU (`kwb --difftest qemu ...`): the same
 * machine runs under qemu-system-<arch>, both are single-stepped in
 * lockstep (kwb through the debug interface, QEMU over its gdb stub) and
 * the first instruction after which the compared registers differ is
 * reported. See README.md "Difftest".
 */
#ifndef KWB_DIFFTEST_H
#define KWB_DIFFTEST_H

struct machine;

/* Replaces machine_run() when opt->difftest is set; returns the exit status
 * (0: no divergence within -icount-limit, 1: divergence, 2: setup error). */
int difftest_run(struct machine *m);

#endif
