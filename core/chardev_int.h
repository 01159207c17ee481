/* Inside the chardev back ends (chardev.c, chardev_socket.c, chardev_set.c). */
#ifndef KWB_CHARDEV_INT_H
#define KWB_CHARDEV_INT_H

#include "chardev.h"
#include "input.h"

struct dev_props;

#define ESCAPE_CHAR 0x01	/* Ctrl-A */
#define PENDING_MAX 4096
#define MON_LINE_MAX 256

enum chardev_kind { CD_STDIO, CD_PTY, CD_FILE, CD_NULL, CD_SOCKET, CD_RINGBUF, CD_TESTDEV };

struct chardev {
	enum chardev_kind kind;
	char id[32];		/* -chardev id=, "" for a -serial spec */
	bool mux;		/* mon:stdio, mux=on: Ctrl-A c switches to the monitor */
	bool mon_only;		/* -mon chardev=ID on a chardev of its own: every line is a command */
	int in_fd, out_fd;	/* -1 when absent or closed */
	bool drop_when_full;	/* pty, socket: nobody may be reading */
	chardev_frontend fe;
	bool attached;
	const char *user;	/* who attached: "serial", "virtconsole", ... */
	input_port *port;	/* the front end's outside input (history replays it) */

	/* output held for one write (chardev_flush_all), when it goes
	 * somewhere other than kwb's own messages (stderr) */
	uint8_t *obuf;
	size_t olen;

	/* input the front end could not take yet */
	uint8_t pending[PENDING_MAX];
	size_t pending_len;

	/* mon:stdio, mux=on, -mon */
	bool escape;		/* the previous byte was Ctrl-A */
	bool in_monitor;
	char line[MON_LINE_MAX];
	size_t line_len;
	struct machine *m;
	void (*esc_fn)(void *opaque, int key);
	void *esc_opaque;

	char *pty_name;
	int pty_slave;

	/* socket (chardev_socket.c) */
	int listen_fd;		/* server: -1 once closed */
	bool server, telnet;
	int telnet_state;	/* bytes of an IAC sequence still to skip */
	char *unix_path;	/* unlinked at close (a server's) */
	char *desc;		/* "tcp:127.0.0.1:4444,server=on" for messages */

	/* ringbuf: the last size bytes the guest wrote, read by the monitor */
	uint8_t *ring;
	size_t ring_size, ring_head, ring_count;

	/* testdev: a partial command */
	uint8_t test_buf[32];
	size_t test_used;
};

chardev *chardev_new(enum chardev_kind kind);
/* Bytes typed or received for the front end (escapes handled). */
void chardev_feed(chardev *c, const uint8_t *buf, size_t len);
void chardev_say(chardev *c, const char *s);

/* chardev_socket.c */
chardev *chardev_socket_open(struct dev_props *p, char *err, size_t errlen);
/* The listening socket is readable: take the connection (one at a time). */
void chardev_socket_accept(chardev *c);
/* The connection ended (EOF, error): back to listening, or closed. */
void chardev_socket_closed(chardev *c);
void chardev_socket_write(chardev *c, const uint8_t *buf, size_t len);
void chardev_socket_close(chardev *c);
/* Input from the connection: telnet commands taken out; returns the new length. */
size_t chardev_telnet_filter(chardev *c, uint8_t *buf, size_t len);

/* chardev_set.c */
void chardev_ringbuf_write(chardev *c, const uint8_t *buf, size_t len);
void chardev_testdev_write(chardev *c, const uint8_t *buf, size_t len);

#endif
