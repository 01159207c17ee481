/*
 * virtio network device (virtio-net-pci / virtio-net-device, netdev=ID,
 * mac=MAC): one receive and one transmit queue, a MAC and a link status,
 * no offloads (the guest checksums and segments itself). Transmit runs on
 * the driver's kick and hands each frame to the back end at once; receive
 * fills one posted buffer per frame, between rounds, from the netdev's
 * input port (core/net.c), which keeps frames while no buffer is posted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtio.h"
#include "../machine.h"
#include "../net.h"
#include "../state.h"
#include "../trace.h"

#define VIRTIO_NET_F_MAC (1ull << 5)
#define VIRTIO_NET_F_STATUS (1ull << 16)
#define VIRTIO_NET_S_LINK_UP 1
#define RXQ 0
#define TXQ 1
#define MAX_FRAME (65535 + 14)		/* a 64K IP packet in an Ethernet frame */

typedef struct vnet {
	virtio_dev *v;
	netdev *nd;			/* NULL: no back end (cable unplugged) */
	uint8_t mac[6];
	uint16_t status;
	uint64_t rx_frames, tx_frames, rx_dropped, tx_dropped;
} vnet;

/* virtio 1.x and legacy with MRG_RXBUF: 12 bytes (num_buffers); plain
 * legacy: 10 (struct virtio_net_hdr). */
static unsigned hdr_len(virtio_dev *v)
{
	return virtio_has(v, VIRTIO_F_VERSION_1) ? 12 : 10;	/* a legacy driver, any transport */
}

static void net_config(virtio_dev *v, uint8_t *buf)
{
	vnet *n = v->opaque;
	uint16_t pairs = 1;

	memcpy(buf, n->mac, 6);
	memcpy(buf + 6, &n->status, 2);
	memcpy(buf + 8, &pairs, 2);	/* max_virtqueue_pairs (past config_size: no MQ) */
}

/* A receive buffer is posted (the input port asks before each frame). */
static bool net_room(void *opaque)
{
	vnet *n = opaque;

	/* QEMU's virtio_net_has_buffers: kicks wanted only when it is empty */
	if (!virtq_avail(n->v, RXQ)) {
		virtq_set_notification(n->v, RXQ, true);
		if (!virtq_avail(n->v, RXQ))
			return false;
	}
	virtq_set_notification(n->v, RXQ, false);
	return true;
}

/* From the back end, between rounds: one frame into one posted buffer. */
static void net_receive(void *opaque, const uint8_t *frame, size_t len)
{
	vnet *n = opaque;
	virtio_dev *v = n->v;
	uint8_t hdr[12] = { 0 };
	unsigned hl = hdr_len(v);
	virtq_elem e;

	if (virtq_pop(v, RXQ, &e) != 1) {
		n->rx_dropped++;	/* none after all (a replay after a reset), or broken */
		return;
	}
	if (virtq_len(&e, true) < hl + len) {
		/* Linux posts 1518 + header: a bigger frame cannot come from
		 * slirp (MTU 1500); say nothing was written */
		n->rx_dropped++;
		virtq_push(v, RXQ, &e, 0);
		return;
	}
	if (hl == 12)
		hdr[10] = 1;		/* num_buffers */
	if (virtq_write(v, &e, 0, hdr, hl) || virtq_write(v, &e, hl, frame, len))
		return;
	n->rx_frames++;
	virtq_push(v, RXQ, &e, (uint32_t)(hl + len));
}

static int flush_tx(virtio_dev *v, vnet *n)
{
	static uint8_t buf[MAX_FRAME + 12];
	virtq_elem e;
	int sent = 0;

	while (virtq_pop(v, TXQ, &e) == 1) {
		sent++;
		uint64_t out = virtq_len(&e, false);
		unsigned hl = hdr_len(v);

		if (out < hl + 14 || out > hl + MAX_FRAME || virtq_read(v, &e, 0, buf, out)) {
			n->tx_dropped++;	/* runt or giant: dropped, buffer returned */
		} else {
			n->tx_frames++;
			trace_dev(v->m, v->name, "tx frame %llu bytes", (unsigned long long)(out - hl));
			net_send(n->nd, buf + hl, out - hl);
		}
		if (virtq_push(v, TXQ, &e, 0))
			break;
	}
	return sent;
}

/* QEMU's transmit half (tx=bh): no kicks while it flushes, then kicks
 * again and one more flush for what came meanwhile. */
static void transmit(virtio_dev *v, vnet *n)
{
	do {
		virtq_set_notification(v, TXQ, false);
		flush_tx(v, n);
		virtq_set_notification(v, TXQ, true);
	} while (flush_tx(v, n) > 0);
}

static void net_notify(virtio_dev *v, int q)
{
	vnet *n = v->opaque;

	/* RXQ: buffers posted; frames waiting go at the next round boundary */
	if (q == TXQ)
		transmit(v, n);
}

static void vnet_free(virtio_dev *v)
{
	free(v->opaque);
}

static const state_field vnet_fields[] = {
	ST_U16(vnet, status),
	ST_UINT_DEC(vnet, rx_frames),
	ST_UINT_DEC(vnet, tx_frames),
	ST_UINT_DEC(vnet, rx_dropped),
	ST_UINT_DEC(vnet, tx_dropped),
	ST_END
};
static const state_desc vnet_state = { .name = "virtio-net", .version = 1, .fields = vnet_fields };

static const virtio_model net_model = {
	.name = "virtio-net",
	.device_id = 1,
	.pci_class = 0x020000,	/* Ethernet controller */
	.features = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
	.nqueues = 2,
	.queue_max = 256,
	.pci_vectors = 4,	/* QEMU: 2 * queue pairs + 2 */
	.config_size = 8,	/* mac, status: QEMU's size without MQ/MTU/SPEED_DUPLEX */
	.config = net_config,
	.notify = net_notify,
	.free = vnet_free,
	.state = &vnet_state,
};

virtio_dev *virtio_net_create(machine *m, const char *devname, dev_props *p,
			      const virtio_transport *tr, void *tr_opaque)
{
	vnet *n = kwb_zalloc(sizeof(*n));
	const char *id = dev_prop(p, "netdev"), *mac = dev_prop(p, "mac");
	net_client c = { .room = net_room, .receive = net_receive, .opaque = n };

	if (mac && !net_parse_mac(mac, n->mac))
		kwb_usage_error("-device %s,mac=%s: Property '%s.mac' doesn't take value '%s'", devname, mac,
				devname, mac);
	if (!mac)
		net_default_mac(m, p->spec, n->mac);
	n->status = VIRTIO_NET_S_LINK_UP;
	n->v = virtio_dev_new(m, devname, &net_model, n, 0, tr, tr_opaque);
	c.name = n->v->name;
	if (id)
		n->nd = net_claim(m, id, devname, &c);
	return n->v;
}
