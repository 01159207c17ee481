/*
 * Networks: the -netdev back ends (user mode: libslirp), the NICs the
 * board creates itself (-nic, -net nic, QEMU's default NIC), and the one
 * door through which network traffic enters the guest.
 *
 * Determinism: every frame for the guest, whether slirp answers at once
 * (ARP, DHCP: inside the guest's notify write) or later (a hostfwd
 * connection, a reply from a real server, slirp's timers on the host
 * clock), goes through net_input() into the NIC's outside-input port
 * (core/input.h): queued, handed to the NIC at the next round boundary,
 * logged with that round, replayed from the log by history. See README
 * "Networking".
 */
#ifndef KWB_NET_H
#define KWB_NET_H

#include "kwb.h"

struct machine;
typedef struct netdev netdev;

/* The NIC side of a netdev: room() says whether it can take a frame now
 * (a receive buffer is posted); receive() gets one, between rounds. */
typedef struct net_client {
	bool (*room)(void *opaque);
	void (*receive)(void *opaque, const uint8_t *frame, size_t len);
	void *opaque;
	const char *name;	/* "virtio-net-pci": messages */
} net_client;

/* From the options: -netdev, -nic, -net and the default NIC. Called by
 * machine_create before the devices; exits with one line on a bad one. */
void net_init(struct machine *m);
/* After the devices: QEMU's warnings for NICs the board did not take and
 * netdevs nobody uses. */
void net_check_peers(struct machine *m);
void net_free(struct machine *m);

/* -device ...,netdev=ID: the netdev, claimed (one NIC each); exits when
 * there is none or it is taken. */
netdev *net_claim(struct machine *m, const char *id, const char *devname, const net_client *c);
/* The MAC for a NIC without mac=: QEMU's 52:54:00:12:34:56, then :57...
 * in QEMU's creation order; spec is the NIC's -device string as given
 * (dev_props.spec, or net_board_nic's). */
void net_default_mac(struct machine *m, const char *spec, uint8_t mac[6]);
/* "52:54:00:12:34:56" -> mac; false when malformed. */
bool net_parse_mac(const char *s, uint8_t mac[6]);

/* The -device spec of the i-th NIC the board creates itself (-nic, -net
 * nic, the default NIC), or NULL: "virtio-net-pci,netdev=#net0[,mac=...]".
 * A board that takes them calls net_board_nic_taken(). */
const char *net_board_nic(struct machine *m, int i);
void net_board_nic_taken(struct machine *m, int i);

/* Guest -> network (a whole Ethernet frame, no virtio header). */
void net_send(netdev *nd, const uint8_t *frame, size_t len);
/* Network -> guest: the one entry point of outside network input. */
void net_input(netdev *nd, const uint8_t *frame, size_t len);

#endif
