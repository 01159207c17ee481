/* -netdev user: QEMU's user-mode networking through libslirp. */
#ifndef KWB_NET_SLIRP_H
#define KWB_NET_SLIRP_H

#include "kwb.h"

struct machine;
struct netdev;
struct dev_props;
typedef struct slirp_net slirp_net;

/* Reads the user back end's properties from p (net=, host=, hostfwd=...);
 * exits with QEMU's one line on a bad one or a port it cannot bind. */
slirp_net *slirp_net_open(struct machine *m, struct netdev *nd, struct dev_props *p);
void slirp_net_send(slirp_net *s, const uint8_t *frame, size_t len);
void slirp_net_close(slirp_net *s);

#endif
