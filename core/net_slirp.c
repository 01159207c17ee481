/*
 * -netdev user (and -nic user): QEMU's user-mode network, the same
 * library QEMU uses (libslirp), so the guest sees what it sees there: a
 * virtual 10.0.2.0/24 with the host at .2, a DNS forwarder at .3, DHCP
 * handing out .15 onwards, outgoing TCP/UDP through host sockets, and
 * hostfwd rules that listen on the host and connect into the guest.
 *
 * slirp lives on the host side: its clock is the host's, its sockets and
 * timers are served by the machine loop's poll (a poll hook), and every
 * frame it hands the guest goes through net_input().
 */
#include <errno.h>
#include <poll.h>
#include <slirp/libslirp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/dev_props.h"
#include "machine.h"
#include "net.h"
#include "net_slirp.h"
#include "trace.h"

#define MAX_HOSTFWD 16

typedef struct slirp_timer {
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms;		/* -1: not armed */
	struct slirp_timer *next;
} slirp_timer;

struct slirp_net {
	machine *m;
	netdev *nd;
	Slirp *slirp;
	slirp_timer *timers;
	poll_set *ps;			/* during fill/dispatch */
};

/* ---- callbacks ---- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	slirp_net *s = opaque;

	net_input(s->nd, buf, len);
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	slirp_net *s = opaque;

	trace_dev(s->m, "slirp", "guest error: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return (int64_t)kwb_host_ns();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	slirp_net *s = opaque;
	slirp_timer *t = kwb_zalloc(sizeof(*t));

	t->id = id;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = s->timers;
	s->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	slirp_net *s = opaque;

	for (slirp_timer **p = &s->timers; *p; p = &(*p)->next)
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	(void)opaque;
	((slirp_timer *)timer)->expire_ms = expire_ms;
}

static void cb_nop_fd(int fd, void *opaque)
{
	(void)fd, (void)opaque;		/* fds are collected at every poll */
}

static void cb_notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb slirp_callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_nop_fd,
	.unregister_poll_fd = cb_nop_fd,
	.notify = cb_notify,
	.timer_new_opaque = cb_timer_new_opaque,
};

/* ---- the poll hook ---- */

static int add_poll(int fd, int events, void *opaque)
{
	slirp_net *s = opaque;
	short ev = 0;

	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	return poll_set_add(s->ps, fd, ev);
}

static int get_revents(int idx, void *opaque)
{
	slirp_net *s = opaque;
	short r;
	int ev = 0;

	if (idx < 0 || idx >= s->ps->n)
		return 0;
	r = s->ps->pfd[idx].revents;
	if (r & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (r & (POLLERR | POLLNVAL))
		ev |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

static void hook_fill(void *opaque, poll_set *ps, int64_t *timeout_ns)
{
	slirp_net *s = opaque;
	uint32_t ms = UINT32_MAX;
	int64_t now_ms = (int64_t)kwb_host_ns() / 1000000;

	s->ps = ps;
	slirp_pollfds_fill(s->slirp, &ms, add_poll, s);
	for (slirp_timer *t = s->timers; t; t = t->next)
		if (t->expire_ms >= 0)
			ms = t->expire_ms <= now_ms ? 0 : (uint32_t)(t->expire_ms - now_ms) < ms ?
			     (uint32_t)(t->expire_ms - now_ms) : ms;
	if (*timeout_ns < 0 || (int64_t)ms * 1000000 < *timeout_ns)
		*timeout_ns = (int64_t)ms * 1000000;
}

static void hook_dispatch(void *opaque, poll_set *ps)
{
	slirp_net *s = opaque;
	int64_t now_ms = (int64_t)kwb_host_ns() / 1000000;
	bool again = true;

	s->ps = ps;
	slirp_pollfds_poll(s->slirp, 0, get_revents, s);
	/* a timer's handler may free or re-arm timers: rescan after each */
	while (again) {
		again = false;
		for (slirp_timer *t = s->timers; t; t = t->next) {
			if (t->expire_ms >= 0 && t->expire_ms <= now_ms) {
				t->expire_ms = -1;
				slirp_handle_timer(s->slirp, t->id, t->cb_opaque);
				again = true;
				break;
			}
		}
	}
}

/* ---- options ---- */

static struct in_addr addr_or(const char *opt, const char *what, const char *v, struct in_addr dflt)
{
	struct in_addr a;

	if (!v)
		return dflt;
	if (!inet_aton(v, &a))
		kwb_usage_error("%s %s=%s: not an IPv4 address", opt, what, v);
	return a;
}

/* net=ADDR[/BITS|/MASK] */
static void parse_net(const char *opt, const char *v, struct in_addr *net, struct in_addr *mask)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", v);
	slash = strchr(buf, '/');
	if (slash) {
		char *end;
		long bits;

		*slash++ = 0;
		bits = strtol(slash, &end, 10);
		if (!*end && end != slash) {
			if (bits < 0 || bits > 32)
				kwb_usage_error("%s net=%s: bad netmask length", opt, v);
			mask->s_addr = htonl(bits ? ~0u << (32 - bits) : 0);
		} else if (!inet_aton(slash, mask)) {
			kwb_usage_error("%s net=%s: bad netmask", opt, v);
		}
	}
	if (!inet_aton(buf, net))
		kwb_usage_error("%s net=%s: not an IPv4 network", opt, v);
	if (net->s_addr & ~mask->s_addr)
		kwb_usage_error("%s net=%s: the address has host bits set for that netmask", opt, v);
}

/* A port 0-65535 (guest: 1-65535) as the whole of [s, e). */
static bool port(const char *s, const char *e, unsigned *out, unsigned min)
{
	unsigned v = 0;

	if (s == e || e - s > 5)
		return false;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return v >= min && v <= 65535;
}

/* An IPv4 address as the whole of [s, e), empty meaning dflt. */
static bool addr(const char *s, const char *e, struct in_addr *out)
{
	char buf[32];

	if (s == e)
		return true;
	if (e - s >= (long)sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = 0;
	return inet_aton(buf, out) != 0;
}

/* [tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT, as QEMU's hostfwd= */
static void add_hostfwd(slirp_net *s, const char *opt, const char *rule, struct in_addr guest_default)
{
	const char *c1 = strchr(rule, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *dash = c2 ? strchr(c2 + 1, '-') : NULL, *c3 = dash ? strchr(dash + 1, ':') : NULL;
	struct in_addr h = { .s_addr = INADDR_ANY }, g = guest_default;
	const char *why = NULL;
	unsigned hport = 0, gport = 0;
	bool udp = false;

	if (!c3 || strchr(c3 + 1, ':'))
		why = "expected [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport";
	else if (c1 - rule == 3 && !strncmp(rule, "udp", 3))
		udp = true;
	else if (c1 != rule && !(c1 - rule == 3 && !strncmp(rule, "tcp", 3)))
		why = "Bad protocol name";
	if (!why && !addr(c1 + 1, c2, &h))
		why = "Bad host address";
	if (!why && !port(c2 + 1, dash, &hport, 0))
		why = "Bad host port";
	if (!why && !addr(dash + 1, c3, &g))
		why = "Bad guest address";
	if (!why && !port(c3 + 1, c3 + 1 + strlen(c3 + 1), &gport, 1))
		why = "Bad guest port";
	if (why)
		kwb_usage_error("%s hostfwd=%s: Invalid host forwarding rule '%s' (%s)", opt, rule, rule, why);
	if (slirp_add_hostfwd(s->slirp, udp, h, (int)hport, g, (int)gport) < 0)
		kwb_usage_error("%s hostfwd=%s: could not set up host forwarding rule '%s': %s", opt, rule,
				rule, strerror(errno));
}

slirp_net *slirp_net_open(machine *m, netdev *nd, dev_props *p)
{
	slirp_net *s = kwb_zalloc(sizeof(*s));
	const char *opt = p->opt, *rules[MAX_HOSTFWD], *v;
	struct in_addr net = { .s_addr = htonl(0x0a000200) }, mask = { .s_addr = htonl(0xffffff00) };
	struct in_addr host, dhcp, dns;
	SlirpConfig cfg = { .version = 4 };
	int nrules;

	if ((v = dev_prop(p, "net")))
		parse_net(opt, v, &net, &mask);
	host = addr_or(opt, "host", dev_prop(p, "host"), (struct in_addr){ net.s_addr | htonl(2) });
	dhcp = addr_or(opt, "dhcpstart", dev_prop(p, "dhcpstart"), (struct in_addr){ net.s_addr | htonl(15) });
	dns = addr_or(opt, "dns", dev_prop(p, "dns"), (struct in_addr){ net.s_addr | htonl(3) });
	if ((host.s_addr & mask.s_addr) != net.s_addr || (dhcp.s_addr & mask.s_addr) != net.s_addr ||
	    (dns.s_addr & mask.s_addr) != net.s_addr)
		kwb_usage_error("%s %s: host, dhcpstart and dns must lie in the network", opt, p->spec);
	cfg.restricted = dev_prop_bool(p, "restrict", false);
	cfg.in_enabled = dev_prop_bool(p, "ipv4", true);
	cfg.in6_enabled = dev_prop_bool(p, "ipv6", true);
	cfg.vnetwork = net;
	cfg.vnetmask = mask;
	cfg.vhost = host;
	cfg.vdhcp_start = dhcp;
	cfg.vnameserver = dns;
	/* QEMU's IPv6 defaults: fec0::/64, host ::2, DNS ::3 */
	inet_pton(AF_INET6, "fec0::", &cfg.vprefix_addr6);
	cfg.vprefix_len = 64;
	inet_pton(AF_INET6, "fec0::2", &cfg.vhost6);
	inet_pton(AF_INET6, "fec0::3", &cfg.vnameserver6);
	cfg.vhostname = dev_prop(p, "hostname");
	cfg.vdomainname = dev_prop(p, "domainname");
	cfg.tftp_path = dev_prop(p, "tftp");
	cfg.bootfile = dev_prop(p, "bootfile");
	if (!cfg.in_enabled && !cfg.in6_enabled)
		kwb_usage_error("%s %s: IPv4 and IPv6 cannot both be disabled", opt, p->spec);
	s->m = m;
	s->nd = nd;
	s->slirp = slirp_new(&cfg, &slirp_callbacks, s);
	if (!s->slirp)
		kwb_fatal("%s %s: libslirp refused the configuration", opt, p->spec);
	nrules = dev_prop_all(p, "hostfwd", rules, MAX_HOSTFWD);
	for (int i = 0; i < nrules; i++)
		add_hostfwd(s, opt, rules[i], dhcp);
	machine_add_poll_hook(m, &(poll_hook){ .fill = hook_fill, .dispatch = hook_dispatch, .opaque = s });
	return s;
}

void slirp_net_send(slirp_net *s, const uint8_t *frame, size_t len)
{
	if (len <= 65536 + 14)
		slirp_input(s->slirp, frame, (int)len);
}

void slirp_net_close(slirp_net *s)
{
	if (!s)
		return;
	machine_remove_poll_hook(s->m, s);
	slirp_cleanup(s->slirp);
	while (s->timers) {
		slirp_timer *t = s->timers;
		s->timers = t->next;
		free(t);
	}
	free(s);
}
