/*
 * Serial back ends. Output is written in full, in order with our stderr
 * lines: through at once where they go to the same place (a terminal, a
 * test reading both), else (a pipe or a file of its own) gathered into one
 * write per poll of the loop, at most a millisecond later (the fixture
 * boot printed 8,500 one-byte writes); input is
 * read only when the loop's poll says so, and held here while the UART's
 * FIFO is full. mon:stdio multiplexes the terminal between the guest and
 * the monitor with QEMU's Ctrl-A escapes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "chardev_int.h"
#include "devices/dev_props.h"
#include "machine.h"
#include "monitor.h"

/* ---- terminal modes ---- */

static struct termios saved_tty;
static bool tty_is_raw;
static bool restore_installed;

#define OBUF_SIZE 4096
#define MAX_BATCHED 8

static chardev *batched[MAX_BATCHED];

static void write_all(chardev *c, int fd, const uint8_t *buf, size_t len);

static void flush_out(chardev *c)
{
	size_t n = c->olen;

	c->olen = 0;
	if (n)
		write_all(c, c->out_fd, c->obuf, n);
}

void chardev_flush_all(void)
{
	for (int i = 0; i < MAX_BATCHED; i++)
		if (batched[i])
			flush_out(batched[i]);
}

/* Gather c's output when its descriptor is not where stderr goes. */
static void maybe_batch(chardev *c)
{
	struct stat a, b;

	if (c->out_fd < 0 || fstat(c->out_fd, &a) || (fstat(STDERR_FILENO, &b) == 0 &&
						      a.st_dev == b.st_dev && a.st_ino == b.st_ino))
		return;
	for (int i = 0; i < MAX_BATCHED; i++)
		if (!batched[i]) {
			batched[i] = c;
			c->obuf = kwb_zalloc(OBUF_SIZE);
			kwb_cleanup_add(chardev_flush_all);
			return;
		}
}

static void unbatch(chardev *c)
{
	flush_out(c);
	for (int i = 0; i < MAX_BATCHED; i++)
		if (batched[i] == c)
			batched[i] = NULL;
	free(c->obuf);
	c->obuf = NULL;
}

void chardev_restore_all(void)
{
	chardev_flush_all();
	if (tty_is_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		tty_is_raw = false;
	}
}


static struct termios raw_tty;

/* Ctrl-Z on plain stdio: give the shell its terminal back while stopped,
 * take raw mode again on resume. */
static void suspend_on_signal(int sig)
{
	bool was_raw = tty_is_raw;
	struct sigaction sa = { .sa_handler = suspend_on_signal };
	sigset_t set;

	if (was_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	signal(sig, SIG_DFL);
	/* the signal is blocked inside its own handler: let it stop us now */
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);		/* stopped here until SIGCONT */
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	if (was_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &raw_tty);
}

static void install_restore(void)
{
	struct sigaction sa = { .sa_handler = suspend_on_signal };

	if (restore_installed)
		return;
	restore_installed = true;
	/* at exit and on a terminating signal (tcsetattr is async-signal-safe) */
	kwb_cleanup_add(chardev_restore_all);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, NULL);
}

/* Raw input (every key reaches the guest), output post-processing kept so
 * our own messages start at column 0. mon:stdio also takes Ctrl-C and
 * Ctrl-Z away from the terminal: they belong to the guest, Ctrl-A x quits. */
static void make_stdin_raw(bool keep_signals)
{
	struct termios t;

	if (tty_is_raw || tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return;
	install_restore();
	t = saved_tty;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag |= OPOST;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
	if (!keep_signals)
		t.c_lflag &= ~ISIG;
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		raw_tty = t;
		tty_is_raw = true;
	}
}

static bool is_dev_null(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && S_ISCHR(a.st_mode) && stat("/dev/null", &b) == 0 &&
	       a.st_rdev == b.st_rdev;
}

/* ---- output ---- */

/* Write everything, waiting while a pipe or terminal is full. Only a pty
 * nobody has opened may drop bytes (as on a real unplugged line). */
static void write_all(chardev *c, int fd, const uint8_t *buf, size_t len)
{
	while (len && fd >= 0) {
		ssize_t n = write(fd, buf, len);

		if (n > 0) {
			buf += n;
			len -= n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (c->drop_when_full)
				return;
			poll(&p, 1, -1);
		} else {
			/* EPIPE, EIO: the reader is gone; keep the guest running. */
			if (fd == c->out_fd)
				c->out_fd = -1;
			return;
		}
	}
}

void chardev_write(chardev *c, const uint8_t *buf, size_t len)
{
	if (!c)
		return;
	switch (c->kind) {
	case CD_SOCKET:
		chardev_socket_write(c, buf, len);
		return;
	case CD_RINGBUF:
		chardev_ringbuf_write(c, buf, len);
		return;
	case CD_TESTDEV:
		chardev_testdev_write(c, buf, len);
		return;
	default:
		if (c->out_fd < 0)
			return;
		if (!c->obuf) {
			write_all(c, c->out_fd, buf, len);
			return;
		}
		if (c->olen + len > OBUF_SIZE)
			flush_out(c);
		if (len >= OBUF_SIZE) {
			write_all(c, c->out_fd, buf, len);
			return;
		}
		memcpy(c->obuf + c->olen, buf, len);
		c->olen += len;
	}
}

/* kwb's own words on this chardev (monitor output, prompts): on a stdio
 * without output, stderr. */
void chardev_say(chardev *c, const char *s)
{
	if (c->obuf)
		flush_out(c);
	if (c->kind == CD_SOCKET)
		chardev_socket_write(c, (const uint8_t *)s, strlen(s));
	else if (c->out_fd >= 0 || c->kind == CD_STDIO)
		write_all(c, c->out_fd >= 0 ? c->out_fd : STDERR_FILENO, (const uint8_t *)s, strlen(s));
}

static void say(chardev *c, const char *s)
{
	chardev_say(c, s);
}

static void say_bytes(chardev *c, const uint8_t *buf, size_t len)
{
	if (c->obuf)
		flush_out(c);
	if (c->kind == CD_SOCKET)
		chardev_socket_write(c, buf, len);
	else
		write_all(c, c->out_fd, buf, len);
}

/* ---- opening ---- */

chardev *chardev_new(enum chardev_kind kind)
{
	chardev *c = kwb_zalloc(sizeof(*c));

	c->kind = kind;
	c->in_fd = c->out_fd = c->pty_slave = c->listen_fd = -1;
	return c;
}

#define new_chardev chardev_new

static chardev *open_pty(char *err, size_t errlen)
{
	chardev *c = new_chardev(CD_PTY);
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	const char *name;
	struct termios t;

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 || !(name = ptsname(master))) {
		snprintf(err, errlen, "-serial pty: cannot create a pseudo-terminal: %s",
			 strerror(errno));
		if (master >= 0)
			close(master);
		free(c);
		return NULL;
	}
	c->pty_name = kwb_strdup(name);
	/* Hold the slave open: the master then never reports a hang-up while
	 * nobody is connected, and output waits in the line for the user. */
	c->pty_slave = open(c->pty_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->pty_slave >= 0 && tcgetattr(c->pty_slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(c->pty_slave, TCSANOW, &t);
	}
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	c->in_fd = c->out_fd = master;
	c->drop_when_full = true;
	fprintf(stderr, "kwb: serial on %s\n", c->pty_name);
	return c;
}

chardev *chardev_open(const char *spec, char *err, size_t errlen)
{
	chardev *c;

	if (!spec || !strcmp(spec, "null") || !strcmp(spec, "none"))
		return new_chardev(CD_NULL);
	if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio")) {
		c = new_chardev(CD_STDIO);
		c->mux = spec[0] == 'm';
		c->out_fd = STDOUT_FILENO;
		c->in_fd = STDIN_FILENO;
		signal(SIGPIPE, SIG_IGN);
		if (!isatty(STDOUT_FILENO))
			maybe_batch(c);
		if (isatty(STDIN_FILENO))
			make_stdin_raw(!c->mux);
		else if (is_dev_null(STDIN_FILENO) || fcntl(STDIN_FILENO, F_GETFD) < 0)
			c->in_fd = -1;	/* nothing will ever come: do not poll it */
		return c;
	}
	if (!strcmp(spec, "pty"))
		return open_pty(err, errlen);
	if (!strncmp(spec, "tcp:", 4) || !strncmp(spec, "telnet:", 7) || !strncmp(spec, "unix:", 5)) {
		/* QEMU's -serial tcp:[HOST]:PORT[,server=on][,wait=off], telnet:..., unix:PATH[,...] */
		char opts[512];
		const char *rest = strchr(spec, ':') + 1, *comma = strchr(rest, ',');
		size_t n = comma ? (size_t)(comma - rest) : strlen(rest);
		dev_props p;

		if (spec[0] == 'u') {
			snprintf(opts, sizeof(opts), "socket,path=%.*s%s", (int)n, rest, comma ? comma : "");
		} else {
			const char *colon = memrchr(rest, ':', n);
			if (!colon) {
				snprintf(err, errlen, "%s: expected %.*s:[HOST]:PORT", spec, (int)(rest - spec - 1), spec);
				return NULL;
			}
			snprintf(opts, sizeof(opts), "socket,host=%.*s,port=%.*s%s%s", (int)(colon - rest), rest,
				 (int)(n - (size_t)(colon - rest) - 1), colon + 1, spec[1] == 'e' ? ",telnet=on" : "",
				 comma ? comma : "");
		}
		dev_props_parse_opt(&p, "-serial", opts);
		c = chardev_socket_open(&p, err, errlen);
		dev_props_done(&p);
		return c;
	}
	if (!strncmp(spec, "file:", 5) && spec[5]) {
		c = new_chardev(CD_FILE);
		c->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (c->out_fd < 0) {
			snprintf(err, errlen, "-serial %s: %s", spec, strerror(errno));
			free(c);
			return NULL;
		}
		maybe_batch(c);
		return c;
	}
	snprintf(err, errlen, "-serial %s: unknown back end (mon:stdio, stdio, pty, file:PATH, null, "
		 "tcp:, telnet:, unix:, chardev:ID)", spec);
	return NULL;
}

static size_t port_room(void *opaque)
{
	chardev *c = opaque;
	int n = c->fe.can_receive(c->fe.opaque);

	return n > 0 ? (size_t)n : 0;
}

static void port_deliver(void *opaque, const uint8_t *buf, size_t len)
{
	chardev *c = opaque;

	c->fe.receive(c->fe.opaque, buf, (int)len);
}

static const input_port_ops port_ops = { .room = port_room, .deliver = port_deliver };

void chardev_attach(chardev *c, const chardev_frontend *fe)
{
	char name[48];

	c->fe = *fe;
	c->attached = true;
	/* On a machine, input reaches the front end through an input port:
	 * at round boundaries, logged, replayed by history (core/input.h). */
	snprintf(name, sizeof(name), c->id[0] ? "chardev:%s" : "serial0", c->id);
	if (c->m && !c->port)
		c->port = input_port_new(c->m, name, INPUT_STREAM, &port_ops, c);
}

void chardev_set_monitor(chardev *c, struct machine *m)
{
	c->m = m;
}

void chardev_set_escape_handler(chardev *c, void (*fn)(void *opaque, int key), void *opaque)
{
	c->esc_fn = fn;
	c->esc_opaque = opaque;
}

const char *chardev_pty_name(chardev *c)
{
	return c ? c->pty_name : NULL;
}

void chardev_close(chardev *c)
{
	if (!c)
		return;
	if (c->obuf)
		unbatch(c);
	if (c->kind == CD_STDIO)
		chardev_restore_all();
	if (c->kind == CD_PTY || c->kind == CD_FILE)
		close(c->out_fd >= 0 ? c->out_fd : c->in_fd);
	if (c->kind == CD_SOCKET)
		chardev_socket_close(c);
	free(c->ring);
	free(c->desc);
	if (c->pty_slave >= 0)
		close(c->pty_slave);
	free(c->pty_name);
	free(c);
}

/* ---- input ---- */

static void flush_pending(chardev *c)
{
	if (c->port && c->pending_len) {
		size_t n = input_port_push(c->port, c->pending, c->pending_len);
		memmove(c->pending, c->pending + n, c->pending_len - n);
		c->pending_len -= n;
		return;
	}
	while (c->pending_len && c->attached) {
		int n = c->fe.can_receive(c->fe.opaque);

		if (n <= 0)
			return;
		if ((size_t)n > c->pending_len)
			n = (int)c->pending_len;
		c->fe.receive(c->fe.opaque, c->pending, n);
		memmove(c->pending, c->pending + n, c->pending_len - n);
		c->pending_len -= n;
	}
}

static void to_guest(chardev *c, uint8_t b)
{
	if (c->pending_len < PENDING_MAX)
		c->pending[c->pending_len++] = b;
}

int chardev_fd(chardev *c)
{
	if (!c)
		return -1;
	/* The loop asks before every poll: a good moment to hand over what
	 * the UART could not take last time. */
	flush_pending(c);
	if (c->kind == CD_SOCKET && c->in_fd < 0)
		return c->listen_fd;	/* a server waiting for its client */
	if (c->pending_len >= PENDING_MAX - MON_LINE_MAX)
		return -1;	/* resume reading when the guest has caught up */
	return c->in_fd;
}

static void monitor_exec(chardev *c)
{
	c->line[c->line_len] = 0;
	say(c, "\n");
	if (!c->m) {
		say(c, "no monitor on this console\n");
	} else {
		mon_out out = { 0 };
		mon_ctx ctx = { .m = c->m, .cpu = 0, .out = &out };

		monitor_run(&ctx, c->line);
		if (out.len)
			say_bytes(c, (const uint8_t *)out.buf, out.len);
		free(out.buf);
	}
	c->line_len = 0;
	if (c->in_monitor || c->mon_only)
		say(c, "(kwb) ");
}

static void monitor_byte(chardev *c, uint8_t b)
{
	if (b == '\r' || b == '\n') {
		monitor_exec(c);
	} else if (b == 0x7f || b == 0x08) {
		if (c->line_len) {
			c->line_len--;
			say(c, "\b \b");
		}
	} else if (b == 0x03) {		/* Ctrl-C: drop the line */
		c->line_len = 0;
		say(c, "^C\n(kwb) ");
	} else if (b >= 0x20 && b < 0x7f && c->line_len < MON_LINE_MAX - 1) {
		c->line[c->line_len++] = b;
		if (!c->mon_only || c->kind != CD_SOCKET)
			say_bytes(c, &b, 1);	/* echo (a socket's client echoes itself) */
	}
}

static void escape_help(chardev *c)
{
	say(c, "\n"
	    "C-a h    print this help\n"
	    "C-a x    exit kwb\n"
	    "C-a c    switch between console and monitor\n"
	    "C-a C-a  sends C-a\n");
}

static void escape_key(chardev *c, uint8_t k)
{
	switch (k) {
	case 'x':
		if (c->esc_fn) {
			c->esc_fn(c->esc_opaque, 'x');
			return;
		}
		chardev_restore_all();
		fprintf(stderr, "\nkwb: terminated (Ctrl-A x)\n");
		exit(0);
	case 'c':
		c->in_monitor = !c->in_monitor;
		c->line_len = 0;
		say(c, c->in_monitor ? "\n(kwb) " : "\n");
		return;
	case 'h':
	case '?':
		escape_help(c);
		return;
	case ESCAPE_CHAR:
		if (c->in_monitor)
			return;
		to_guest(c, ESCAPE_CHAR);
		return;
	default:
		if (c->esc_fn)
			c->esc_fn(c->esc_opaque, k);
	}
}

void chardev_feed(chardev *c, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = buf[i];

		if (c->mon_only) {
			monitor_byte(c, b);
		} else if (!c->mux) {
			to_guest(c, b);
		} else if (c->escape) {
			c->escape = false;
			escape_key(c, b);
		} else if (b == ESCAPE_CHAR) {
			c->escape = true;
		} else if (c->in_monitor) {
			monitor_byte(c, b);
		} else {
			to_guest(c, b);
		}
	}
	flush_pending(c);
}

void chardev_input_ready(chardev *c)
{
	uint8_t buf[256];
	size_t room = PENDING_MAX - c->pending_len;
	ssize_t n;

	if (c->kind == CD_SOCKET && c->in_fd < 0) {
		chardev_socket_accept(c);
		return;
	}
	if (c->in_fd < 0 || !room)
		return;
	n = read(c->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		/* EOF (a pipe or file that ended, a client that left) or a dead
		 * terminal: stop polling it; the guest keeps running. */
		if (c->kind == CD_SOCKET)
			chardev_socket_closed(c);
		else
			c->in_fd = -1;
		return;
	}
	if (c->kind == CD_SOCKET && c->telnet)
		n = (ssize_t)chardev_telnet_filter(c, buf, (size_t)n);
	chardev_feed(c, buf, (size_t)n);
}
