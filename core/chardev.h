/*
 * Character back ends for serial ports: stdio (raw mode, restored on every
 * exit), mon:stdio (Ctrl-A x quits, Ctrl-A c toggles the monitor), pty,
 * file:PATH, null. The machine loop polls back-end fds between quanta and
 * pushes received bytes into the front end (the UART model).
 */
#ifndef KWB_CHARDEV_H
#define KWB_CHARDEV_H

#include "kwb.h"

typedef struct chardev chardev;

/* The UART side: how many bytes it can take now, and delivery. */
typedef struct chardev_frontend {
	int (*can_receive)(void *opaque);
	void (*receive)(void *opaque, const uint8_t *buf, int len);
	void *opaque;
} chardev_frontend;

/* spec: "stdio", "mon:stdio", "pty", "file:PATH", "null", "none",
 * "tcp:[HOST]:PORT[,server=on][,wait=off]", "telnet:...", "unix:PATH[,...]".
 * Returns NULL with a one-line message in err on a bad spec. */
chardev *chardev_open(const char *spec, char *err, size_t errlen);
void chardev_attach(chardev *c, const chardev_frontend *fe);
void chardev_write(chardev *c, const uint8_t *buf, size_t len);
/* fd to poll for input, or -1. Ask before every poll: it becomes -1 after
 * EOF or while the front end is full, and asking hands held-back input to
 * the front end. */
int chardev_fd(chardev *c);
void chardev_input_ready(chardev *c);	/* called by the loop when fd is readable */
void chardev_close(chardev *c);

struct machine;
/* mon:stdio: lines typed after Ctrl-A c run through monitor_run() on m. */
void chardev_set_monitor(chardev *c, struct machine *m);
/* mon:stdio: Ctrl-A x (key 'x') and escapes the chardev does not handle
 * itself go to fn. Without a handler Ctrl-A x restores the terminal and
 * exits with status 0, as QEMU does. */
void chardev_set_escape_handler(chardev *c, void (*fn)(void *opaque, int key), void *opaque);
/* The pty's slave path ("/dev/pts/3") for -serial pty, else NULL. */
const char *chardev_pty_name(chardev *c);
/* Restore terminal modes (also installed as atexit/signal handler). */
void chardev_restore_all(void);
/* Write out the output the back ends hold: the loop calls it before every
 * poll (at least every millisecond while running, and before it sleeps). */
void chardev_flush_all(void);

/* ---- -chardev (chardev_set.c) ---- */

/* Opens every -chardev of the options (machine_create, before the serial
 * port and the devices); exits with one line on a bad one. */
void chardevs_open(struct machine *m);
/* -mon chardev=ID / -monitor SPEC: the monitor on that chardev. */
void chardevs_open_monitor(struct machine *m);
void chardevs_close(struct machine *m);
chardev *chardev_find(struct machine *m, const char *id);
/* A front end takes chardev id ("-device virtconsole", spec for messages):
 * exits with one line when there is none, or it is in use and not mux=on. */
chardev *chardev_take(struct machine *m, const char *id, const char *opt, const char *spec);
/* -gdb chardev:ID: the gdb server's address ("tcp:HOST:PORT", "unix:PATH")
 * from that -chardev socket, which is then not opened as a chardev. */
void chardev_gdb_address(struct machine *m, const char *id, char *buf, size_t len);
/* -gdb as the gdb server takes it: chardev:ID becomes that socket's
 * address (in buf), anything else is returned as given. */
const char *chardev_gdb_spec(struct machine *m, char *buf, size_t len);

#endif
