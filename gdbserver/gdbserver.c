/*
 * Transport and session for the gdb server: listening socket, the one
 * connection, acks, Ctrl-C, and turning machine stops into stop replies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gdbserver.h"
#include "session.h"

static char *unlink_at_exit;
static char unlink_staged[108];	/* the staging name, while it exists */

static void unlink_socket(void)
{
	if (unlink_at_exit)
		unlink(unlink_at_exit);
	if (unlink_staged[0])
		unlink(unlink_staged);
}

/* ---- reply building ---- */

size_t gdb_reply_room(gdb_server *s)
{
	return GDB_REPLY_CAP - s->rlen;
}

void gdb_reply_bytes(gdb_server *s, const void *buf, size_t n)
{
	if (n > gdb_reply_room(s)) {
		s->reply_full = true;
		return;
	}
	memcpy(s->reply + s->rlen, buf, n);
	s->rlen += n;
}

void gdb_reply_str(gdb_server *s, const char *str)
{
	gdb_reply_bytes(s, str, strlen(str));
}

void gdb_reply_printf(gdb_server *s, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		s->reply_full = true;
		return;
	}
	gdb_reply_bytes(s, tmp, (size_t)n);
}

void gdb_reply_hex(gdb_server *s, const void *buf, size_t n)
{
	if (n > gdb_reply_room(s) / 2) {
		s->reply_full = true;
		return;
	}
	rsp_hex_encode(buf, n, s->reply + s->rlen);
	s->rlen += 2 * n;
}

size_t gdb_reply_bin(gdb_server *s, const void *buf, size_t n)
{
	size_t used;

	s->rlen += rsp_escape((uint8_t *)s->reply + s->rlen, gdb_reply_room(s), buf, n, &used);
	return used;
}

static void send_raw(gdb_server *s, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n && s->fd >= 0 && !s->dead) {
		ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			s->dead = true;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

void gdb_send_reply(gdb_server *s)
{
	/* Replies are built unescaped except binary data (already escaped),
	 * so frame without escaping again: checksum and delimiters only. */
	static const char hex[] = "0123456789abcdef";
	size_t need = s->rlen + 4;
	uint8_t sum = 0;

	gdb_serve_flush(s);	/* tx is about to be reused */
	if (s->reply_full) {
		s->rlen = 0;
		s->reply_full = false;
		gdb_reply_str(s, "E01");
		need = s->rlen + 4;
	}
	if (need > s->txcap) {
		s->txcap = need + 1024;
		s->tx = kwb_realloc(s->tx, s->txcap);
	}
	s->tx[0] = '$';
	memcpy(s->tx + 1, s->reply, s->rlen);
	for (size_t i = 0; i < s->rlen; i++)
		sum += (uint8_t)s->reply[i];
	s->tx[s->rlen + 1] = '#';
	s->tx[s->rlen + 2] = hex[sum >> 4];
	s->tx[s->rlen + 3] = hex[sum & 15];
	s->txlen = need;
	if (gdb_serve_defer(s))
		atomic_store(&s->tx_deferred, true);
	else
		send_raw(s, s->tx, s->txlen);
	s->rlen = 0;
	gdb_wait_replied(s);
}

void gdb_send_tx(gdb_server *s)
{
	send_raw(s, s->tx, s->txlen);
}

/* ---- connection ---- */

static void close_conn(gdb_server *s)
{
	machine *m = s->m;

	if (s->fd < 0)
		return;
	gdb_serve_flush(s);	/* a deferred last word: W00, OK to D */
	machine_remove_poll(m, s->fd);
	close(s->fd);
	s->fd = -1;
	/* After a guest power-off kwb waited for gdb to see it: now quit
	 * (without a stop listener the loop ends on the shutdown). */
	if (s->guest_exited) {
		dbg_set_stop_listener(m, NULL, NULL);
		machine_shutdown(m, s->exit_code);
		return;
	}
	/* A dropped connection takes the debugger's breakpoints with it and
	 * leaves the machine as it was: stopped stays stopped (as on QEMU),
	 * only D resumes. One that never sent a packet changed nothing. */
	if (s->attached)
		gdb_drop_breakpoints(s);
	s->attached = false;
}

/* The connection's first packet (or Ctrl-C): a debugger is here, and gdb
 * expects a stopped target. Accepting alone changes nothing, so a port
 * probe leaves the machine as it was. */
static void attach(gdb_server *s)
{
	s->attached = true;
	if (!dbg_is_stopped(s->m)) {
		s->attach_stop = true;
		dbg_request_stop(s->m);
	}
}

static void conn_ready(void *opaque)
{
	gdb_server *s = opaque;
	uint8_t in[65536];
	ssize_t n = read(s->fd, in, sizeof(in));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_conn(s);
		return;
	}
	for (size_t off = 0; off < (size_t)n && s->fd >= 0 && !s->dead;) {
		enum rsp_event ev;

		off += rsp_feed(&s->rx, in + off, (size_t)n - off, &ev);
		switch (ev) {
		case RSP_NONE:
		case RSP_ACK:
			break;
		case RSP_NAK:
			if (!s->no_ack && s->txlen)
				send_raw(s, s->tx, s->txlen);
			break;
		case RSP_INTERRUPT:
			/* Remembered: a stop already on its way (a range step's)
			 * must not swallow it. */
			if (!s->attached)
				attach(s);
			if (!dbg_is_stopped(s->m) || s->running) {
				s->interrupted = true;
				dbg_request_stop(s->m);
			}
			break;
		case RSP_BAD_CHECKSUM:
			if (!s->no_ack)
				send_raw(s, "-", 1);
			break;
		case RSP_OVERFLOW:
			/* Retransmitting would not help: take it and refuse it. */
			if (!s->no_ack)
				send_raw(s, "+", 1);
			gdb_reply_str(s, "E01");
			gdb_send_reply(s);
			break;
		case RSP_PACKET:
			if (!s->no_ack)
				send_raw(s, "+", 1);
			if (!s->attached)
				attach(s);
			s->no_reply = false;
			s->rlen = 0;
			s->reply_full = false;
			gdb_handle_packet(s, (char *)s->rx.buf, s->rx.len);
			if (!s->no_reply)
				gdb_send_reply(s);
			break;
		}
	}
	if (s->dead)
		close_conn(s);
}

static void reject(int fd)
{
	static const char msg[] = "kwb: a debugger is already attached\n";

	if (send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* nothing more to tell it */
	}
	close(fd);
}

/* Handle what the connection has sent so far, its end included. */
static void drain_conn(gdb_server *s)
{
	for (int i = 0; i < 64 && s->fd >= 0; i++) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		if (poll(&p, 1, 0) <= 0 || !p.revents)
			return;
		conn_ready(s);
	}
}

/* A new connection's session state: nothing attached yet, acks on, no
 * stop pending, the packet reader empty. */
void gdb_session_reset(gdb_server *s, bool tasks)
{
	s->attached = false;
	s->no_ack = false;
	s->running = false;
	s->exit_reported = false;
	s->attach_stop = false;
	s->interrupted = false;
	s->dead = false;
	s->wait_tcp = -1;
	s->phys = false;
	memset(&s->img, 0, sizeof(s->img));
	memset(s->cpu_listed, 0, sizeof(s->cpu_listed));
	s->tasks_want = tasks;
	gdb_tasks_resume(s, false);
	s->g_cpu = s->c_cpu = 0;
	s->txlen = 0;
	memset(s->ranging, 0, sizeof(s->ranging));
	rsp_init(&s->rx);
}

static void listen_ready(void *opaque)
{
	gdb_server *s = opaque;
	int fd = accept(s->listen_fd, NULL, NULL);
	int one = 1;

	if (fd < 0)
		return;
	/* gdb's "detach" then "target remote": the old connection's end may
	 * be waiting in the same poll as the new one; handle it first. */
	if (s->fd >= 0)
		drain_conn(s);
	if (s->fd >= 0) {
		reject(fd);
		return;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (s->waiting_line) {
		fputs("\r\033[K", stderr);
		s->waiting_line = false;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));	/* fails harmlessly on unix */
	s->fd = fd;
	gdb_session_reset(s, s->m->opt && s->m->opt->gdb_tasks);
	machine_add_poll(s->m, fd, conn_ready, s);
}

/* ---- stops ---- */

static void on_stop(void *opaque, const stop_info *st)
{
	gdb_server *s = opaque;
	int c = st->cpu;

	if (st->reason == STOP_SHUTDOWN) {
		s->guest_exited = true;
		s->exit_code = st->exit_code;
		if (s->fd < 0) {
			/* nobody to tell: let the machine loop end */
			dbg_set_stop_listener(s->m, NULL, NULL);
			return;
		}
	}
	if (s->fd < 0) {
		/* No debugger: a guest reboot must not leave the machine stopped. */
		if (st->reason == STOP_RESET)
			dbg_resume(s->m, NULL);
		return;
	}
	if (!s->running) {
		s->attach_stop = s->interrupted = false;
		return;
	}
	stop_info rep = *st;
	/* Range stepping: keep going while the pc stays in the range, unless
	 * gdb sent Ctrl-C meanwhile (that stop is its SIGINT). */
	if (st->reason == STOP_STEP && c >= 0 && c < KWB_MAX_CPUS && s->ranging[c]) {
		uint64_t pc = dbg_pc(s->m, c);
		if (s->interrupted)
			rep.reason = STOP_INTERRUPT;
		else if (pc >= s->range_lo[c] && pc < s->range_hi[c]) {
			dbg_resume(s->m, s->actions);
			return;
		}
	}
	/* The stop kwb asked for at attach is not a SIGINT for gdb; one
	 * gdb asked for with Ctrl-C is. */
	if (rep.reason == STOP_INTERRUPT && s->attach_stop && !s->interrupted)
		rep.reason = STOP_STEP;
	s->running = false;
	s->attach_stop = s->interrupted = false;
	memset(s->ranging, 0, sizeof(s->ranging));
	if (c >= 0 && c < s->m->ncpus)
		s->g_cpu = s->c_cpu = c;
	s->g_task = -1;
	s->rlen = 0;
	s->reply_full = false;
	if (!gdb_image_hold(s, &rep))
		gdb_stop_reply(s, &rep);
	gdb_send_reply(s);
}

/* ---- setup ---- */

static int listen_unix(gdb_server *s, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "-gdb unix:%s: bad socket path", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* A stale socket from an earlier run is replaced; other files are not. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "-gdb unix:%s: exists and is not a socket", path);
			return -1;
		}
		unlink(path);
	}
	/* Bind and listen under a temporary name, then rename: whoever sees
	 * the path (a launcher, a test) can connect at once. */
	char tmp[sizeof(sa.sun_path)];
	bool staged = (size_t)snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid()) < sizeof(tmp);
	if (staged) {
		unlink(tmp);
		strcpy(sa.sun_path, tmp);
	}
	/* Whoever can connect controls the machine: the socket is the user's
	 * alone (0600, whatever the umask), from bind on. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t mask = umask(0177);
	int bound = fd >= 0 ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) : -1;
	int bind_errno = errno;
	umask(mask);
	errno = bind_errno;
	/* The clean-up is armed before the path can be seen: a launcher that
	 * signals kwb as soon as the socket appears must not leave it behind. */
	if (fd >= 0 && !bound) {
		s->unix_path = kwb_strdup(path);
		unlink_at_exit = s->unix_path;
		if (staged)
			snprintf(unlink_staged, sizeof(unlink_staged), "%s", tmp);
		kwb_cleanup_add(unlink_socket);	/* exit, SIGTERM, SIGHUP, SIGINT, SIGQUIT */
	}
	if (fd < 0 || bound || listen(fd, 1) || (staged && rename(tmp, path))) {
		snprintf(err, errlen, "-gdb unix:%s: %s", path, strerror(errno));
		if (staged)
			unlink(tmp);
		unlink_staged[0] = 0;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	unlink_staged[0] = 0;
	return fd;
}

static int listen_tcp(const char *hostport, char *err, size_t errlen)
{
	char host[256] = "127.0.0.1";
	const char *colon = strrchr(hostport, ':');
	const char *port = hostport;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char *end;
	int fd = -1, one = 1, rc;

	if (colon) {
		size_t hl = (size_t)(colon - hostport);
		if (hl >= sizeof(host)) {
			snprintf(err, errlen, "-gdb tcp:%s: host name too long", hostport);
			return -1;
		}
		if (hl) {
			/* "[::1]:1234": brackets around an IPv6 address */
			if (hl >= 2 && hostport[0] == '[' && hostport[hl - 1] == ']') {
				memcpy(host, hostport + 1, hl - 2);
				host[hl - 2] = 0;
			} else {
				memcpy(host, hostport, hl);
				host[hl] = 0;
			}
		}
		port = colon + 1;
	}
	if (!*port || strtoul(port, &end, 10) > 65535 || *end) {
		snprintf(err, errlen, "-gdb tcp:%s: bad port '%s'", hostport, port);
		return -1;
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "-gdb tcp:%s: %s", hostport, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, a->ai_addr, a->ai_addrlen) && !listen(fd, 1)) {
			bool loopback = a->ai_family == AF_INET
				? (ntohl(((struct sockaddr_in *)a->ai_addr)->sin_addr.s_addr) >> 24) == 127
				: IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr);
			if (!loopback)
				kwb_warn("gdb server listens on %s: anyone who can reach it controls the machine",
					 host);
			break;
		}
		snprintf(err, errlen, "-gdb tcp:%s: %s", hostport, strerror(errno));
		close(fd);
		fd = -1;
	}
	if (fd < 0 && ai == NULL)
		snprintf(err, errlen, "-gdb tcp:%s: no address", hostport);
	freeaddrinfo(ai);
	if (fd >= 0) {
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		if (!strcmp(port, "0") && !getsockname(fd, (struct sockaddr *)&sa, &sl))
			fprintf(stderr, "kwb: gdb server on port %u\n",
				ntohs(sa.ss_family == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port
					: ((struct sockaddr_in6 *)&sa)->sin6_port));
	}
	return fd;
}

int gdbserver_start(machine *m, const char *spec, bool wait_attach, char *err, size_t errlen)
{
	gdb_server *s;
	int fd;

	if (!spec || !*spec) {
		snprintf(err, errlen, "-gdb: empty address (use tcp::PORT or unix:PATH)");
		return -1;
	}
	s = kwb_zalloc(sizeof(*s));
	s->m = m;
	s->fd = -1;
	if (!strncmp(spec, "unix:", 5))
		fd = listen_unix(s, spec + 5, err, errlen);
	else if (!strncmp(spec, "tcp:", 4))
		fd = listen_tcp(spec + 4, err, errlen);
	else if (spec[0] == ':' || (spec[0] >= '0' && spec[0] <= '9'))
		fd = listen_tcp(spec, err, errlen);
	else {
		snprintf(err, errlen, "-gdb %s: unknown address (use tcp::PORT, tcp:HOST:PORT or unix:PATH)",
			 spec);
		fd = -1;
	}
	if (fd < 0) {
		free(s->unix_path);
		if (unlink_at_exit == s->unix_path)
			unlink_at_exit = NULL;
		free(s);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	s->listen_fd = fd;
	rsp_init(&s->rx);
	m->gdb = s;
	dbg_set_stop_listener(m, on_stop, s);
	machine_add_poll(m, fd, listen_ready, s);
	gdb_wait_start(s);
	if (wait_attach) {
		/* On a terminal the line goes away when gdb attaches (nothing
		 * else is printed meanwhile: the guest waits for gdb). */
		s->waiting_line = isatty(2);
		fprintf(stderr, "kwb: waiting for gdb on %s%s", spec, s->waiting_line ? "" : "\n");
	}
	return 0;
}

bool gdbserver_attached(machine *m)
{
	gdb_server *s = m->gdb;

	return s && s->fd >= 0;
}

void gdbserver_close(machine *m)
{
	gdb_server *s = m->gdb;

	if (!s)
		return;
	if (s->fd >= 0) {
		gdb_serve_flush(s);
		machine_remove_poll(m, s->fd);
		close(s->fd);
	}
	machine_remove_poll(m, s->listen_fd);
	gdb_wait_stop(s);
	close(s->listen_fd);
	if (s->unix_path) {
		unlink(s->unix_path);
		if (unlink_at_exit == s->unix_path)
			unlink_at_exit = NULL;
		free(s->unix_path);
	}
	free(s->tx);
	for (int i = 0; i < s->nbps; i++)
		gdb_bp_agent_free(s->bps[i].agent);
	free(s->bps);
	dbg_set_stop_listener(m, NULL, NULL);
	m->gdb = NULL;
	free(s);
}
