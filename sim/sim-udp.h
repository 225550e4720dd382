/* SPDX-License-Identifier: MIT
 *
 * sim-udp.h: the datagram transport (RFC 768 UDP over the simulated network
 * of sim-net.h).  Endpoints are SimSocketIds shared with the stream
 * transport; readiness goes up through SimSockNotifyFn (sim-sock.h).  spi/
 * builds SOCK_DGRAM sockets on this API; doc/udp.md lists the limits, the
 * choices made and the Windows-compatibility notes.
 *
 * Every call is non-blocking: a receive with nothing queued returns
 * SIM_E_WOULDBLOCK, and the caller waits for SIM_SOCK_EV_READABLE.  A send
 * hands the whole datagram to the network at once and never blocks (there is
 * no send queue: queueing happens on the links).
 */
#ifndef SIM_UDP_H
#define SIM_UDP_H

#include "sim-sock.h"

G_BEGIN_DECLS

/* Largest payload of one datagram: 65,535 minus the IPv4 (20) and UDP (8)
 * headers; over IPv6 the payload-length field excludes the IPv6 header. */
#define SIM_UDP_MAX_DGRAM_V4 65507u
#define SIM_UDP_MAX_DGRAM_V6 65527u

/* Default receive buffer (SO_RCVBUF): datagrams that do not fit are dropped. */
#define SIM_UDP_DEFAULT_RCVBUF 65536u
/* Largest receive buffer a socket may ask for. */
#define SIM_UDP_MAX_RCVBUF (64u * 1024u * 1024u)
/* Default TTL of unicast and broadcast datagrams (Windows' default). */
#define SIM_UDP_DEFAULT_TTL 128u
/* Default multicast TTL (scope in hops; 0 = this host only). */
#define SIM_UDP_DEFAULT_MCAST_TTL 1u

/* What an ICMP port unreachable (and host/net unreachable) does to a
 * socket whose datagram drew it. */
typedef enum {
    /* Report only on a connected socket whose peer is the unreachable
     * address (BSD behaviour; the default). */
    SIM_UDP_UNREACH_CONNECTED = 0,
    /* Report on connected and unconnected sockets alike (Windows with
     * SIO_UDP_CONNRESET = TRUE, its default). */
    SIM_UDP_UNREACH_ALL = 1,
    /* Never report (SIO_UDP_CONNRESET = FALSE). */
    SIM_UDP_UNREACH_NONE = 2,
} SimUdpUnreachMode;

/* Per-socket options, each an integer (booleans are 0/1). */
typedef enum {
    SIM_UDP_OPT_BROADCAST,     /* bool, default 0: may send/connect to broadcast */
    SIM_UDP_OPT_REUSEADDR,     /* bool, default 0: consulted at bind only */
    SIM_UDP_OPT_EXCLUSIVEADDR, /* bool, default 0: set before bind; E_INVAL after */
    SIM_UDP_OPT_RCVBUF,        /* bytes, default 64 KiB, 0..SIM_UDP_MAX_RCVBUF */
    SIM_UDP_OPT_TTL,           /* 1..255, default 128: unicast and broadcast */
    SIM_UDP_OPT_MCAST_TTL,     /* 0..255, default 1: multicast scope in hops */
    SIM_UDP_OPT_MCAST_LOOP,    /* bool, default 1: deliver own multicast locally */
    SIM_UDP_OPT_UNREACH_MODE,  /* SimUdpUnreachMode, default CONNECTED */
    SIM_UDP_OPT_CIRCULAR,      /* bool, default 0: a full queue drops its oldest */
    SIM_UDP_OPT_FLOW_ID,       /* 0..G_MAXUINT32, default 0: QoS flow of sent packets */
    SIM_UDP_OPT_SERVICE_CLASS, /* 0..255, default 0: QoS class of sent packets */
    SIM_UDP_N_OPTS
} SimUdpOpt;

/* Receive flags. */
enum {
    SIM_UDP_RECV_PEEK = 1 << 0, /* copy the first datagram, leave it queued */
};

/* How a received datagram was addressed: WSARecvMsg reports MSG_BCAST and
 * MSG_MCAST from it. */
typedef enum {
    SIM_UDP_CAST_UNICAST = 0,
    SIM_UDP_CAST_BROADCAST, /* limited (255.255.255.255) or directed broadcast */
    SIM_UDP_CAST_MULTICAST,
} SimUdpCast;

/* What sim_udp_recvmsg() says of the datagram it took. */
typedef struct {
    size_t len;       /* bytes copied */
    bool truncated;   /* the datagram was longer than the buffer */
    SimSockAddr from; /* the sender's address and port */
    SimAddr to;       /* the destination address the datagram carried */
    SimUdpCast cast;
} SimUdpMsgInfo;

/* Per-socket counters (they go with the socket). */
typedef struct {
    guint64 sent_dgrams; /* accepted by the network (or looped back only) */
    guint64 sent_bytes;
    guint64 recv_dgrams; /* queued for the application */
    guint64 recv_bytes;
    guint64 read_dgrams;      /* taken by a non-peek receive */
    guint64 read_bytes;       /* bytes copied out by those receives */
    guint64 truncated_dgrams; /* receives that discarded the tail of a datagram */
    guint64 rcvbuf_drops;     /* arrivals dropped, receive buffer full (or evicted) */
    guint64 filtered_drops;   /* arrivals dropped, not from the connected peer */
    guint64 errors_reported;  /* ICMP errors turned into a pending error */
} SimUdpStats;

SimSocketId sim_udp_open(SimWorld *world, SimNodeId node, SimFamily family);
SimStatus sim_udp_close(SimWorld *world, SimSocketId sock);
bool sim_udp_exists(const SimWorld *world, SimSocketId sock);
SimNodeId sim_udp_node(const SimWorld *world, SimSocketId sock);
SimFamily sim_udp_family(const SimWorld *world, SimSocketId sock);

void sim_udp_set_notify(SimWorld *world, SimSocketId sock, SimSockNotifyFn fn, void *data);

SimStatus sim_udp_set_option(SimWorld *world, SimSocketId sock, SimUdpOpt opt, gint64 value);
SimStatus sim_udp_get_option(const SimWorld *world, SimSocketId sock, SimUdpOpt opt,
                             gint64 *out_value);

SimStatus sim_udp_bind(SimWorld *world, SimSocketId sock, const SimSockAddr *local);
SimStatus sim_udp_connect(SimWorld *world, SimSocketId sock, const SimSockAddr *peer);

SimStatus sim_udp_sendto(SimWorld *world, SimSocketId sock, const SimSockAddr *to, const void *data,
                         size_t len);
SimStatus sim_udp_send(SimWorld *world, SimSocketId sock, const void *data, size_t len);
SimStatus sim_udp_recvfrom(SimWorld *world, SimSocketId sock, void *buf, size_t cap, guint32 flags,
                           size_t *out_len, SimSockAddr *out_from, bool *out_truncated);
SimStatus sim_udp_recvmsg(SimWorld *world, SimSocketId sock, void *buf, size_t cap, guint32 flags,
                          SimUdpMsgInfo *out_info);

/* Multicast (IP_ADD_MEMBERSHIP and friends; the multipoint data plane). */
SimStatus sim_udp_join_group(SimWorld *world, SimSocketId sock, const SimAddr *group);
SimStatus sim_udp_leave_group(SimWorld *world, SimSocketId sock, const SimAddr *group);
bool sim_udp_in_group(const SimWorld *world, SimSocketId sock, const SimAddr *group);
SimStatus sim_udp_set_multicast_if(SimWorld *world, SimSocketId sock, const SimAddr *iface);
SimStatus sim_udp_get_multicast_if(const SimWorld *world, SimSocketId sock, SimAddr *out_iface);

/* Queries. */
size_t sim_udp_bytes_readable(const SimWorld *world, SimSocketId sock);
bool sim_udp_next_size(const SimWorld *world, SimSocketId sock, size_t *out_len);
size_t sim_udp_queued_count(const SimWorld *world, SimSocketId sock);
SimStatus sim_udp_get_local(const SimWorld *world, SimSocketId sock, SimSockAddr *out_local);
SimStatus sim_udp_get_peer(const SimWorld *world, SimSocketId sock, SimSockAddr *out_peer);
bool sim_udp_is_bound(const SimWorld *world, SimSocketId sock);
bool sim_udp_is_connected(const SimWorld *world, SimSocketId sock);
SimStatus sim_udp_take_error(SimWorld *world, SimSocketId sock);
SimStatus sim_udp_get_stats(const SimWorld *world, SimSocketId sock, SimUdpStats *out_stats);
size_t sim_udp_socket_count(const SimWorld *world);

/* Register the UDP input, ICMP-error input and node-state hook with the
 * network now (sim_udp_open() does it on first use).  Idempotent.  Call it
 * when a node must answer port unreachable before any socket exists. */
void sim_udp_init(SimWorld *world);

G_END_DECLS

#endif /* SIM_UDP_H */
