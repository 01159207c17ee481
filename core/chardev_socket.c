/*
 * -chardev socket (and -serial tcp:/telnet:/unix:): a TCP or unix-domain
 * stream, listening (server=on) or connecting. One client at a time; a
 * server that loses its client listens again. With wait=on (QEMU's
 * default for a server) kwb waits for the first client before the guest
 * starts. Nothing is written while no client is connected (dropped, as
 * QEMU does). Listens on 127.0.0.1 unless host= says otherwise (QEMU:
 * every address).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "chardev_int.h"
#include "devices/dev_props.h"

enum { IAC = 255, WILL = 251, WONT = 252, DO = 253, DONT = 254, SB = 250, SE = 240 };

static void nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int tcp_socket(const char *host, const char *port, bool server, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | (server ? AI_PASSIVE : 0) };
	struct addrinfo *ai = NULL;
	int fd = -1, one = 1, rc, saved = 0;

	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "address resolution failed for %s:%s: %s", host, port, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (server ? bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1) == 0
			   : connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		snprintf(err, errlen, "%s %s:%s: %s", server ? "Failed to bind socket on" :
			 "Failed to connect to", host, port, strerror(saved));
	return fd;
}

static int unix_socket(const char *path, bool server, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "unix socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (server && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);		/* a stale socket from an earlier run */
	if (server ? bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)
		   : connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		snprintf(err, errlen, "%s %s: %s", server ? "Failed to bind socket to" : "Failed to connect to",
			 path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* QEMU's opening of a telnet session: we echo, suppress go-ahead, no
 * line mode, binary both ways. */
static void telnet_init(chardev *c)
{
	static const uint8_t init[] = { IAC, WILL, 1, IAC, WILL, 3, IAC, DONT, 34, IAC, DO, 0 };

	chardev_socket_write(c, init, sizeof(init));
}

static void connected(chardev *c, int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	nonblock(fd);
	c->in_fd = c->out_fd = fd;
	c->telnet_state = 0;
	if (c->telnet)
		telnet_init(c);
	if (c->mon_only)
		chardev_say(c, "kwb monitor - type 'help' for more information\n(kwb) ");
}

chardev *chardev_socket_open(dev_props *p, char *err, size_t errlen)
{
	const char *host = dev_prop(p, "host"), *port = dev_prop(p, "port"), *path = dev_prop(p, "path");
	bool server = dev_prop_bool(p, "server", false);
	bool wait = dev_prop_bool(p, "wait", true);
	chardev *c = chardev_new(CD_SOCKET);
	char desc[300];
	int fd;

	c->telnet = dev_prop_bool(p, "telnet", false);
	dev_props_ignore(p, (const char *const[]){ "nodelay", "reconnect", "ipv4", "ipv6", "to", "logfile",
						    "logappend", "abstract", "tight", NULL });
	if (!!port == !!path) {
		snprintf(err, errlen, "%s %s: needs port= (TCP) or path= (unix), not both", p->opt, p->spec);
		goto fail;
	}
	if (path) {
		fd = unix_socket(path, server, err, errlen);
		snprintf(desc, sizeof(desc), "unix:%s%s", path, server ? ",server=on" : "");
	} else {
		if (!host || !*host)
			host = "127.0.0.1";
		fd = tcp_socket(host, port, server, err, errlen);
		snprintf(desc, sizeof(desc), "%s:%s:%s%s", c->telnet ? "telnet" : "tcp", host, port,
			 server ? ",server=on" : "");
	}
	if (fd < 0)
		goto fail;
	c->desc = kwb_strdup(desc);
	c->server = server;
	c->drop_when_full = true;
	if (!server) {
		connected(c, fd);
		return c;
	}
	c->listen_fd = fd;
	if (path)
		c->unix_path = kwb_strdup(path);
	if (wait) {
		/* QEMU's wait=on: the guest starts once a client is there */
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		fprintf(stderr, "kwb: waiting for connection on: disconnected:%s\n", desc);
		while (poll(&pfd, 1, -1) < 0 && errno == EINTR)
			;
		chardev_socket_accept(c);
	}
	nonblock(fd);
	return c;
fail:
	free(c);
	return NULL;
}

void chardev_socket_accept(chardev *c)
{
	int fd;

	if (c->listen_fd < 0 || c->in_fd >= 0)
		return;
	fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		connected(c, fd);
}

void chardev_socket_closed(chardev *c)
{
	if (c->in_fd >= 0)
		close(c->in_fd);
	c->in_fd = c->out_fd = -1;
	c->escape = false;
	c->line_len = 0;
}

void chardev_socket_write(chardev *c, const uint8_t *buf, size_t len)
{
	while (len && c->out_fd >= 0) {
		ssize_t n = send(c->out_fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* a client that reads: wait for it; one that stopped
			 * reading for a second loses the rest, as on a wire */
			struct pollfd p = { .fd = c->out_fd, .events = POLLOUT };
			if (poll(&p, 1, 1000) <= 0)
				return;
		} else {
			chardev_socket_closed(c);
			return;
		}
	}
}

void chardev_socket_close(chardev *c)
{
	chardev_socket_closed(c);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	c->listen_fd = -1;
	if (c->unix_path)
		unlink(c->unix_path);
	free(c->unix_path);
	c->unix_path = NULL;
}

/* Takes telnet commands out of the stream: IAC IAC is a 0xff byte, IAC
 * WILL/WONT/DO/DONT x are three bytes, IAC SB ... IAC SE a subnegotiation,
 * other IAC x two bytes. The state survives across reads. */
size_t chardev_telnet_filter(chardev *c, uint8_t *buf, size_t len)
{
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];

		switch (c->telnet_state) {
		case 0:			/* data */
			if (b == IAC)
				c->telnet_state = 1;
			else
				buf[out++] = b;
			break;
		case 1:			/* after IAC */
			if (b == IAC) {
				buf[out++] = b;
				c->telnet_state = 0;
			} else if (b >= WILL) {
				c->telnet_state = 2;
			} else if (b == SB) {
				c->telnet_state = 3;
			} else {
				c->telnet_state = 0;
			}
			break;
		case 2:			/* the option of WILL/WONT/DO/DONT */
			c->telnet_state = 0;
			break;
		case 3:			/* subnegotiation, until IAC SE */
			if (b == IAC)
				c->telnet_state = 4;
			break;
		default:		/* IAC inside a subnegotiation */
			c->telnet_state = b == SE ? 0 : 3;
		}
	}
	return out;
}
