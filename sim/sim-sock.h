/* SPDX-License-Identifier: MIT
 *
 * sim-sock.h: what the stream (sim-tcp.c) and datagram (sim-udp.c)
 * transports share: one id space for endpoints, and the upward notification
 * interface that spi/ turns into select readiness, network events (FD_*)
 * and overlapped completions.  No Winsock names here.
 */
#ifndef SIM_SOCK_H
#define SIM_SOCK_H

#include "sim-world.h"

G_BEGIN_DECLS

/* An endpoint of either transport.  Ids are per world, 1, 2, 3... in
 * creation order, never reused within a run. */
typedef guint32 SimSocketId;

/* Readiness and happenings, reported upward as they occur. */
enum {
    SIM_SOCK_EV_READABLE = 1 << 0,  /* receive would not block (data, EOF, or reset) */
    SIM_SOCK_EV_WRITABLE = 1 << 1,  /* send would not block */
    SIM_SOCK_EV_OOB = 1 << 2,       /* urgent data arrived (out of band) */
    SIM_SOCK_EV_ACCEPT = 1 << 3,    /* a connection is waiting on a listener */
    SIM_SOCK_EV_CONNECTED = 1 << 4, /* a connect finished: err SIM_OK or why it failed */
    SIM_SOCK_EV_CLOSED = 1 << 5,    /* peer's FIN (err SIM_OK) or reset/abort/timeout (err) */
    SIM_SOCK_EV_ERROR = 1 << 6,     /* an asynchronous error (e.g. ICMP unreachable) */
    SIM_SOCK_EV_FREED = 1 << 7,     /* the endpoint no longer exists (crash, reap) */
};

typedef void (*SimSockNotifyFn)(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err,
                                void *data);

/* Dynamic (ephemeral) port range, as Windows Vista and later use it. */
#define SIM_PORT_DYNAMIC_FIRST 49152
#define SIM_PORT_DYNAMIC_LAST 65535

/* Take the next endpoint id of @world. */
SimSocketId sim_socket_id_next(SimWorld *world);

G_END_DECLS

#endif /* SIM_SOCK_H */
