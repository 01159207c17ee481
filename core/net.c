/*
 * Networks (net.h): -netdev, -nic, -net and QEMU's default NIC, resolved
 * into back ends (net_slirp.c) and the NICs a board creates itself; the
 * frames between a NIC and its back end, with a small queue for what the
 * guest cannot take yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/dev_props.h"
#include "input.h"
#include "machine.h"
#include "net.h"
#include "net_slirp.h"
#include "trace.h"

#define MAX_NETDEVS (2 * KWB_MAX_NETS)

struct netdev {
	machine *m;
	char id[32];			/* "n0", or "#net0" for -nic's */
	void *backend;			/* slirp_net */
	net_client client;
	bool claimed;
	input_port *port;		/* frames for the NIC: outside input */
	uint64_t dropped;
};

typedef struct board_nic {
	char spec[160];			/* "virtio-net-pci,netdev=#net0" */
	char model[48];			/* for the warning: "unspecified" or the model */
	bool is_default, taken;
} board_nic;

struct net_state {
	netdev *nd[MAX_NETDEVS];
	int n;
	board_nic nic[KWB_MAX_NETS + 1];
	int nnic;
	/* NICs without mac= in creation order (QEMU's default MAC index) */
	const char *mac_order[KWB_MAX_NETS + KWB_MAX_DEVICES + 1];
	int nmac;
};

/* ---- back ends ---- */

static netdev *new_netdev(machine *m, const char *id)
{
	struct net_state *ns = m->net;
	netdev *nd;

	for (int i = 0; i < ns->n; i++)
		if (!strcmp(ns->nd[i]->id, id))
			kwb_usage_error("-netdev id=%s: Duplicate ID '%s' for netdev", id, id);
	if (ns->n == MAX_NETDEVS)
		kwb_usage_error("-netdev %s: too many network back ends", id);
	nd = kwb_zalloc(sizeof(*nd));
	nd->m = m;
	snprintf(nd->id, sizeof(nd->id), "%s", id);
	ns->nd[ns->n++] = nd;
	return nd;
}

/* p: the back end's properties ("user", its keys); id already taken off. */
static void open_backend(machine *m, netdev *nd, dev_props *p)
{
	if (!strcmp(p->dev, "user")) {
		if (m->opt->dumpdtb) {		/* only the device tree: no sockets */
			for (int i = 0; i < p->n; i++)
				p->used[i] = true;
			return;
		}
		nd->backend = slirp_net_open(m, nd, p);
		return;
	}
	kwb_usage_error("%s %s: kwb has user-mode networking only (user; -nic none for no NIC)", p->opt,
			p->dev);
}

static void add_board_nic(machine *m, const char *model, const char *mac, const char *netdev_id,
			  bool is_default)
{
	struct net_state *ns = m->net;
	board_nic *b = &ns->nic[ns->nnic++];
	uint8_t bytes[6];

	if (mac && !net_parse_mac(mac, bytes))
		kwb_usage_error("-nic mac=%s: Parameter 'mac' expects a MAC address (52:54:00:12:34:56)", mac);
	snprintf(b->model, sizeof(b->model), "%s", model ? model : "unspecified");
	snprintf(b->spec, sizeof(b->spec), "%s%s%s%s%s", model ? model : "virtio-net-pci",
		 netdev_id ? ",netdev=" : "", netdev_id ? netdev_id : "", mac ? ",mac=" : "", mac ? mac : "");
	b->is_default = is_default;
}

/* -nic user[,model=M][,mac=MAC][,user options] | none */
static void nic_option(machine *m, const char *spec, int *auto_id)
{
	dev_props p;
	char id[16], model[48] = "", mac[32] = "";
	const char *v;
	netdev *nd;

	dev_props_parse_opt(&p, "-nic", spec);
	if (!strcmp(p.dev, "none")) {
		dev_props_done(&p);
		return;
	}
	if ((v = dev_prop(&p, "model")))
		snprintf(model, sizeof(model), "%s", v);
	if ((v = dev_prop(&p, "mac")))
		snprintf(mac, sizeof(mac), "%s", v);
	if (!strcmp(model, "help")) {
		printf("Available NIC models:\nvirtio-net-pci\n");
		exit(0);
	}
	snprintf(id, sizeof(id), "#net%d", (*auto_id)++);
	nd = new_netdev(m, id);
	open_backend(m, nd, &p);
	dev_props_done(&p);
	add_board_nic(m, model[0] ? model : NULL, mac[0] ? mac : NULL, id, false);
}

/* -net nic[,model=M][,mac=MAC] | user[,...] | none: QEMU's hub 0, i.e.
 * the NICs of -net nic talk to the -net user back end. */
static void net_option(machine *m, const char *spec, netdev **hub)
{
	dev_props p;

	dev_props_parse_opt(&p, "-net", spec);
	dev_prop(&p, "vlan");
	if (!strcmp(p.dev, "none")) {
		dev_props_done(&p);
	} else if (!strcmp(p.dev, "nic")) {
		char model[48] = "", mac[32] = "";
		const char *v;

		if ((v = dev_prop(&p, "model")))
			snprintf(model, sizeof(model), "%s", v);
		if ((v = dev_prop(&p, "mac")))
			snprintf(mac, sizeof(mac), "%s", v);
		dev_props_ignore(&p, (const char *const[]){ "name", "netdev", NULL });
		dev_props_done(&p);
		add_board_nic(m, model[0] ? model : NULL, mac[0] ? mac : NULL, "#hub0", false);
	} else {
		if (*hub)
			kwb_usage_error("-net %s: kwb connects one -net back end (hub) to the -net NICs", spec);
		*hub = new_netdev(m, "#hub0");
		dev_prop(&p, "name");
		open_backend(m, *hub, &p);
		dev_props_done(&p);
	}
}

void net_init(machine *m)
{
	const kwb_options *o = m->opt;
	struct net_state *ns = m->net = kwb_zalloc(sizeof(*m->net));
	netdev *hub = NULL;
	int auto_id = 0;

	/* the difftest's QEMU runs with -nic none: both must see the same */
	for (int i = 0; o->difftest && i < o->nnics + o->nnetdevs; i++)
		if (i >= o->nnics || (strcmp(o->nics[i] + 4, "none") && strncmp(o->nics[i] + 4, "none,", 5)))
			kwb_usage_error("--difftest: network devices are not compared (QEMU runs with -nic none): "
					"drop -netdev/-nic/-net");
	for (int i = 0; i < o->nnetdevs; i++) {
		dev_props p;
		const char *id;
		netdev *nd;

		dev_props_parse_opt(&p, "-netdev", o->netdevs[i]);
		id = dev_prop(&p, "id");
		if (!id || !*id)
			kwb_usage_error("-netdev %s: Parameter 'id' is missing", o->netdevs[i]);
		nd = new_netdev(m, id);
		open_backend(m, nd, &p);
		dev_props_done(&p);
	}
	for (int i = 0; i < o->nnics; i++) {
		if (!strncmp(o->nics[i], "nic:", 4))
			nic_option(m, o->nics[i] + 4, &auto_id);
		else
			net_option(m, o->nics[i] + 4, &hub);
	}
	for (int i = 0; i < ns->nnic; i++)	/* -net nic without -net user: no back end */
		if (!hub && strstr(ns->nic[i].spec, ",netdev=#hub0"))
			*strstr(ns->nic[i].spec, ",netdev=#hub0") = 0;
	/* QEMU's default NIC: a virtio-net-pci on user networking, unless any
	 * network option, -nodefaults, or the difftest (whose QEMU has none) */
	if (!o->net_given && !o->nodefaults && !o->difftest && m->board->takes_nics) {
		netdev *nd = new_netdev(m, "#net0");
		dev_props p;

		dev_props_parse_opt(&p, "-nic", "user");
		open_backend(m, nd, &p);
		dev_props_done(&p);
		add_board_nic(m, NULL, NULL, "#net0", true);
	}
	/* default MACs in QEMU's creation order: the board's NICs, then -device */
	for (int i = 0; i < ns->nnic; i++)
		if (!strstr(ns->nic[i].spec, ",mac="))
			ns->mac_order[ns->nmac++] = ns->nic[i].spec;
	for (int i = 0; i < o->ndevices; i++)
		if (!strncmp(o->devices[i], "virtio-net-", 11) && !strstr(o->devices[i], ",mac="))
			ns->mac_order[ns->nmac++] = o->devices[i];
}

const char *net_board_nic(machine *m, int i)
{
	return m->net && i >= 0 && i < m->net->nnic ? m->net->nic[i].spec : NULL;
}

void net_board_nic_taken(machine *m, int i)
{
	m->net->nic[i].taken = true;
}

void net_check_peers(machine *m)
{
	struct net_state *ns = m->net;

	for (int i = 0; i < ns->nnic; i++)
		if (!ns->nic[i].taken && !ns->nic[i].is_default)
			fprintf(stderr, "kwb: warning: requested NIC (anonymous, model %s) was not created (not "
				"supported by this machine?)\n", ns->nic[i].model);
	for (int i = 0; i < ns->n; i++)
		if (!ns->nd[i]->claimed && !(ns->nnic && ns->nic[ns->nnic - 1].is_default &&
					     !strcmp(ns->nd[i]->id, "#net0")))
			fprintf(stderr, "kwb: warning: netdev %s has no peer\n", ns->nd[i]->id);
}

void net_free(machine *m)
{
	struct net_state *ns = m->net;

	if (!ns)
		return;
	for (int i = 0; i < ns->n; i++) {
		netdev *nd = ns->nd[i];

		slirp_net_close(nd->backend);
		free(nd);
	}
	free(ns);
	m->net = NULL;
}

/* ---- NICs ---- */

static size_t port_room(void *opaque)
{
	netdev *nd = opaque;

	return nd->client.room(nd->client.opaque) ? 1 : 0;
}

static void port_deliver(void *opaque, const uint8_t *frame, size_t len)
{
	netdev *nd = opaque;

	nd->client.receive(nd->client.opaque, frame, len);
}

static const input_port_ops port_ops = { .room = port_room, .deliver = port_deliver };

netdev *net_claim(machine *m, const char *id, const char *devname, const net_client *c)
{
	struct net_state *ns = m->net;
	char name[48];

	for (int i = 0; ns && i < ns->n; i++) {
		netdev *nd = ns->nd[i];

		if (strcmp(nd->id, id))
			continue;
		if (nd->claimed)
			kwb_usage_error("-device %s,netdev=%s: Property '%s.netdev' can't take value '%s', "
					"it's in use", devname, id, devname, id);
		nd->claimed = true;
		nd->client = *c;
		snprintf(name, sizeof(name), "net:%s", nd->id);
		nd->port = input_port_new(m, name, INPUT_PACKET, &port_ops, nd);
		return nd;
	}
	kwb_usage_error("-device %s,netdev=%s: Property '%s.netdev' can't find value '%s'", devname, id,
			devname, id);
}

bool net_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6 ||
	    strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return true;
}

void net_default_mac(machine *m, const char *spec, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct net_state *ns = m->net;
	int index = 0;

	/* QEMU counts NICs without mac= in the order it creates them (the
	 * board's, then -device in command-line order): find spec's place */
	for (int i = 0; ns && i < ns->nmac; i++)
		if (ns->mac_order[i] == spec)
			index = i;
	memcpy(mac, base, 6);
	mac[5] = (uint8_t)(base[5] + index);
}

/* ---- frames ---- */

void net_send(netdev *nd, const uint8_t *frame, size_t len)
{
	if (nd && nd->backend)
		slirp_net_send(nd->backend, frame, len);
}

/*
 * The outside-input boundary for networks: every frame a back end produces
 * for the guest comes here (slirp's replies, data from host sockets) and
 * goes into the NIC's input port: queued (up to INPUT_QUEUE_MAX bytes: a
 * NIC that posts no buffers loses the rest, as on a wire), handed over at
 * the next round boundary when the NIC has a buffer, logged for replay.
 */
void net_input(netdev *nd, const uint8_t *frame, size_t len)
{
	if (!nd->claimed)
		return;		/* no NIC: the wire is unplugged */
	trace_dev(nd->m, nd->client.name, "rx frame %zu bytes from %s", len, nd->id);
	if (!input_port_push(nd->port, frame, len))
		nd->dropped++;
}
