/*
 * For the libFuzzer build only (make does not compile this directory):
 * core/monitor.c supplies mon_printf, and its generic commands refer to
 * these, which the fuzz target never reaches.
 */
#include <stdlib.h>

#include "core/machine.h"

void chardev_restore_all(void) { abort(); }
const reg_table *dbg_regs(machine *m) { (void)m; abort(); }
int dbg_reg_read(machine *m, int cpu, int idx, uint8_t *buf) { (void)m; (void)cpu; (void)idx; (void)buf; abort(); }
void dbg_request_stop(machine *m) { (void)m; abort(); }
void dbg_resume(machine *m, const enum resume_action *a) { (void)m; (void)a; abort(); }
void machine_reset(machine *m) { (void)m; abort(); }
