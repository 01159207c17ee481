/*
 * kwb's GDB remote serial protocol server. It sees CPUs only through the
 * debug interface (core/debug.h) and runs inside the machine loop: the loop
 * polls the listening and connected sockets between CPU quanta (and blocks
 * on them while the machine is stopped).
 */
#ifndef KWB_GDBSERVER_H
#define KWB_GDBSERVER_H

#include "core/kwb.h"

struct machine;

/* spec: "tcp::PORT" (127.0.0.1), "tcp:HOST:PORT", "unix:PATH". Sets
 * m->gdb. wait_attach (-S): say on stderr that kwb waits for gdb. Returns
 * 0, or -1 with a one-line reason in err. */
int gdbserver_start(struct machine *m, const char *spec, bool wait_attach, char *err, size_t errlen);

/* True while a debugger is connected. After a guest shutdown the machine
 * loop keeps polling until this is false (gdb has seen W and left). */
bool gdbserver_attached(struct machine *m);

/* Close the sockets (and remove a unix socket file). */
void gdbserver_close(struct machine *m);

#endif
