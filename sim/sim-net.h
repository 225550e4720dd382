/* SPDX-License-Identifier: MIT
 *
 * sim-net.h: the simulated network — nodes (hosts and routers) with IPv4 and
 * IPv6 addresses, links whose two directions each have latency, jitter,
 * loss, duplication, reordering, corruption, rate, a drop-tail queue, an MTU
 * and an up/down state, shortest-path routing, refcounted packets with real
 * header fields, and datagram delivery across multi-hop routes.
 *
 * Transports (sim-tcp.c, sim-udp.c) register an input function per IP
 * protocol number and send with sim_net_send().
 */
#ifndef SIM_NET_H
#define SIM_NET_H

#include "sim-world.h"

G_BEGIN_DECLS

/* ---- Nodes ----------------------------------------------------------- */

typedef enum {
    SIM_NODE_HOST,   /* delivers packets addressed to it; never forwards */
    SIM_NODE_ROUTER, /* forwards; also delivers packets addressed to it */
} SimNodeKind;

/* Names are unique; SIM_ID_NONE if @name is taken or empty. */
SimNodeId sim_node_add(SimWorld *world, const char *name, SimNodeKind kind);
SimNodeId sim_node_lookup(const SimWorld *world, const char *name);
const char *sim_node_name(const SimWorld *world, SimNodeId node);
SimNodeKind sim_node_kind(const SimWorld *world, SimNodeId node);
size_t sim_world_node_count(const SimWorld *world);
/* Node ids are 1..count in creation order. */

/* Add an address (unique in the world) with a prefix length for broadcast. */
SimStatus sim_node_add_addr(SimWorld *world, SimNodeId node, const SimAddr *addr, guint prefix_len);
/* Remove @addr from @node at run time (E_NOTFOUND if @node does not own it). */
SimStatus sim_node_remove_addr(SimWorld *world, SimNodeId node, const SimAddr *addr);
size_t sim_node_addr_count(const SimWorld *world, SimNodeId node);
const SimAddr *sim_node_addr(const SimWorld *world, SimNodeId node, size_t index);
guint sim_node_addr_prefix(const SimWorld *world, SimNodeId node, size_t index);
bool sim_node_has_addr(const SimWorld *world, SimNodeId node, const SimAddr *addr);
/* The node owning @addr (loopback addresses excluded), or SIM_ID_NONE. */
SimNodeId sim_node_by_addr(const SimWorld *world, const SimAddr *addr);
/* Choose the source address @node uses to reach @dst (same family; the
 * address on the first-hop side when several).  Loopback @dst gives the
 * loopback address.  E_NETUNREACH / E_ADDRNOTAVAIL when none. */
SimStatus sim_node_source_addr(const SimWorld *world, SimNodeId node, const SimAddr *dst,
                               SimAddr *out_src);

/* Every node has 127.0.0.1 and ::1 implicitly: packets to them never leave. */

/* Up/down of a whole node (crash).  A down node drops what it receives and
 * cannot send.  Hooks run on each change, in registration order. */
void sim_node_set_up(SimWorld *world, SimNodeId node, bool up);
bool sim_node_is_up(const SimWorld *world, SimNodeId node);
typedef void (*SimNodeHookFn)(SimWorld *world, SimNodeId node, bool up, void *data);
void sim_node_add_state_hook(SimWorld *world, SimNodeHookFn fn, void *data);

/* Route hooks: told (from a zero-delay simulator event, once per batch of
 * changes, in registration order) that routes or node addresses may have
 * changed — node/link added, link up/down or latency, node up/down, address
 * added/removed.  The hook compares what it cares about itself (sim-route.c;
 * the SPI's FD_ROUTING_INTERFACE_CHANGE / FD_ADDRESS_LIST_CHANGE source). */
typedef void (*SimRouteHookFn)(SimWorld *world, void *data);
void sim_net_add_route_hook(SimWorld *world, SimRouteHookFn fn, void *data);

/* Per-node slots for transports (e.g. the TCP demultiplexing table), one per
 * IP protocol number.  Destroy runs at world free. */
void sim_node_set_proto_data(SimWorld *world, SimNodeId node, guint8 proto, void *data,
                             GDestroyNotify destroy);
void *sim_node_get_proto_data(const SimWorld *world, SimNodeId node, guint8 proto);

/* ---- Links ----------------------------------------------------------- */

typedef enum {
    SIM_DIR_AB = 0, /* from the link's first node to its second */
    SIM_DIR_BA = 1,
    SIM_DIR_BOTH = 2, /* setters only */
} SimLinkDir;

typedef struct {
    SimTime latency_ns;
    SimTime jitter_ns; /* extra delay uniform in [0, jitter] (bounded) */
    guint32 loss_ppm;  /* Bernoulli loss, used when ge_enabled is false */
    bool ge_enabled;   /* Gilbert–Elliott two-state bursty loss */
    guint32 ge_p_good_bad_ppm;
    guint32 ge_p_bad_good_ppm;
    guint32 ge_loss_good_ppm;
    guint32 ge_loss_bad_ppm;
    guint32 dup_ppm;     /* deliver a second copy */
    guint32 reorder_ppm; /* hold a packet back by reorder_delay_ns */
    SimTime reorder_delay_ns;
    guint32 corrupt_ppm;   /* receiver drops it as a checksum failure */
    guint64 rate_bps;      /* serialisation rate; 0 = infinite */
    guint32 queue_packets; /* drop-tail limits; 0 = unlimited */
    guint32 queue_bytes;
    guint32 mtu; /* bytes of IP packet; default 1500 */
    bool up;
} SimLinkParams;

/* Defaults: no delay, no loss, infinite rate, unlimited queue, MTU 1500, up. */
void sim_link_params_init(SimLinkParams *params);

SimLinkId sim_link_add(SimWorld *world, SimNodeId a, SimNodeId b, const SimLinkParams *ab,
                       const SimLinkParams *ba);
SimLinkId sim_link_lookup(const SimWorld *world, SimNodeId a, SimNodeId b);
SimNodeId sim_link_node(const SimWorld *world, SimLinkId link, SimLinkDir end); /* AB: a, BA: b */
size_t sim_world_link_count(const SimWorld *world);
SimStatus sim_link_get_params(const SimWorld *world, SimLinkId link, SimLinkDir dir,
                              SimLinkParams *out_params);
/* Change one or both directions now (traced; routes recomputed on up/down
 * and latency changes). */
SimStatus sim_link_set_params(SimWorld *world, SimLinkId link, SimLinkDir dir,
                              const SimLinkParams *params);
SimStatus sim_link_set_up(SimWorld *world, SimLinkId link, SimLinkDir dir, bool up);
/* The same, at an absolute simulated time (>= now). */
SimEventId sim_link_schedule_params(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                                    const SimLinkParams *params);

typedef struct {
    guint64 sent_packets; /* accepted onto the link */
    guint64 sent_bytes;
    guint64 delivered_packets; /* reached the far end intact */
    guint64 lost_packets;      /* loss model */
    guint64 queue_drops;
    guint64 down_drops;
    guint64 corrupt_drops;
    guint64 duplicated;
    guint64 reordered;
    guint32 queue_peak_packets;
    guint64 prio_g_packets;  /* of sent_packets: in the guaranteed class (sim-qos.h) */
    guint64 prio_cl_packets; /* of sent_packets: in the controlled-load class */
} SimLinkStats;

SimStatus sim_link_get_stats(const SimWorld *world, SimLinkId link, SimLinkDir dir,
                             SimLinkStats *out_stats);

/* ---- Packets --------------------------------------------------------- */

enum {
    SIM_PROTO_ICMP = 1,
    SIM_PROTO_TCP = 6,
    SIM_PROTO_UDP = 17,
    SIM_PROTO_ICMPV6 = 58,
};

enum {
    SIM_TCP_FIN = 0x01,
    SIM_TCP_SYN = 0x02,
    SIM_TCP_RST = 0x04,
    SIM_TCP_PSH = 0x08,
    SIM_TCP_ACK = 0x10,
    SIM_TCP_URG = 0x20,
};

/* Payload bytes, shared (not copied) between duplicates and multicast copies. */
typedef struct SimBuf {
    gint refcount;
    size_t len;
    guint8 data[];
} SimBuf;

SimBuf *sim_buf_new(const void *data, size_t len); /* data may be NULL: zero-filled */
SimBuf *sim_buf_ref(SimBuf *buf);
void sim_buf_unref(SimBuf *buf);

typedef struct {
    guint16 sport, dport;
    guint32 seq, ack;
    guint8 flags;   /* SIM_TCP_* */
    guint32 window; /* unscaled window in bytes (header carries it scaled) */
    guint16 urg;    /* urgent pointer (offset from seq) when URG is set */
    guint16 mss;    /* MSS option on SYN; 0 = absent */
    guint8 wscale;  /* window shift (RFC 7323): on a SYN the window-scale
                     * option when non-zero (the SYN's own window is never
                     * scaled); on other segments the shift applied to
                     * window when it is written to the 16-bit field */
} SimTcpHeader;

typedef struct {
    guint16 sport, dport;
} SimUdpHeader;

/* An ICMP error as the network layer reports it; carries the offending
 * packet's addresses, protocol and ports. */
typedef struct {
    guint8 type, code;
    SimStatus error; /* E_PORTUNREACH, E_TTL, E_HOSTUNREACH, E_NETUNREACH, E_MSGSIZE */
    SimAddr orig_src, orig_dst;
    guint8 orig_proto;
    guint16 orig_sport, orig_dport;
    guint32 mtu; /* for E_MSGSIZE (fragmentation needed) */
} SimIcmpHeader;

struct SimRoutePlan; /* multicast/broadcast delivery tree (sim-route.c) */

typedef struct SimPacket {
    gint refcount;
    guint64 uid;     /* per world, in creation order; copies get new uids */
    SimWorld *world; /* the world it was made in (alive-count, pool) */
    SimAddr src, dst;
    guint8 proto;
    guint8 ttl;
    guint8 tos;
    guint16 ip_id;
    guint16 frag_offset; /* bytes */
    bool more_frags;
    bool dont_frag;
    bool corrupt;
    guint32 flow_id; /* QoS flow (0 = best effort), set by the sender */
    guint8 service_class;
    union {
        SimTcpHeader tcp;
        SimUdpHeader udp;
        SimIcmpHeader icmp;
    } l4;
    SimBuf *payload; /* (nullable) */
    guint32 payload_off, payload_len;
    /* For an IPv4 fragment: the payload length of the whole datagram (so the
     * first fragment can carry the transport length and checksum). */
    guint32 frag_dgram_len;

    /* In transit: owned by the network layer (sim-ip.c, sim-link.c); senders
     * leave them zero.  Not part of the packet's identity. */
    SimNodeId dst_node;        /* unicast destination, resolved at send */
    SimNodeId hop_node;        /* the node the current hop started from */
    SimLinkId hop_link;        /* the link it is crossing; 0 = local delivery */
    guint8 hop_dir;            /* SimLinkDir of that crossing */
    guint32 hop_epoch;         /* the direction's down-count when it was sent */
    struct SimRoutePlan *plan; /* (nullable) multicast/broadcast tree */
} SimPacket;

/* Default TTL of a new packet (sim_packet_new); transports override it. */
#define SIM_PACKET_DEFAULT_TTL 64u

SimPacket *sim_packet_new(SimWorld *world, guint8 proto);
/* A copy of the headers with a new uid; the payload is shared. */
SimPacket *sim_packet_copy(SimWorld *world, const SimPacket *pkt);
SimPacket *sim_packet_ref(SimPacket *pkt);
void sim_packet_unref(SimPacket *pkt);
void sim_packet_set_payload(SimPacket *pkt, SimBuf *buf, guint32 off, guint32 len); /* refs buf */
static inline const guint8 *
sim_packet_payload(const SimPacket *pkt)
{
    return pkt->payload ? pkt->payload->data + pkt->payload_off : NULL;
}
/* IP header + transport header + payload, as on the wire. */
guint32 sim_packet_wire_len(const SimPacket *pkt);
/* The IP header alone (20 for IPv4, 40 for IPv6) and the transport header
 * alone (TCP with its options, UDP 8, ICMP 8 + quoted header). */
guint32 sim_packet_ip_header_len(const SimPacket *pkt);
guint32 sim_packet_l4_header_len(const SimPacket *pkt);
/* TRUE for a fragment (offset > 0 or more fragments follow). */
bool sim_packet_is_fragment(const SimPacket *pkt);
/* Serialise the IP packet as on the wire, with correct checksums, for
 * pcap.  Returns the length written (at most @cap). */
size_t sim_packet_serialize(const SimPacket *pkt, guint8 *buf, size_t cap);
/* Packets alive in the world (for leak checks at teardown). */
guint64 sim_world_packets_alive(const SimWorld *world);

/* ---- Sending and receiving ----------------------------------------- */

/* Send @pkt (consumed) from @node: route, fragment (IPv4, when larger than a
 * link MTU and dont_frag is clear), and deliver.  Returns E_NETUNREACH at
 * once when there is no route from the start (nothing is sent), E_MSGSIZE
 * when it is too big and may not be fragmented, E_NETDOWN when the node is
 * down; later failures (TTL, loss) are traced and, where real IP would,
 * reported to the source by ICMP.  A path cut by a down link or router is
 * not "no route": the packet goes and is dropped at the failure, as on a
 * cut cable (doc/network-model.md). */
SimStatus sim_net_send(SimWorld *world, SimNodeId node, SimPacket *pkt);

/* The smallest MTU on the route from @node to @dst (for TCP's MSS);
 * SIM_NET_LOOPBACK_MTU for the node itself, 0 when unreachable. */
#define SIM_NET_LOOPBACK_MTU 65535u
guint32 sim_net_path_mtu(const SimWorld *world, SimNodeId node, const SimAddr *dst);
/* The number of hops from @node to @dst (1 for a neighbour, 0 for itself);
 * -1 when unreachable. */
int sim_net_hop_count(const SimWorld *world, SimNodeId node, const SimAddr *dst);
/* One link of a route, in the direction travelled. */
typedef struct {
    SimLinkId link;
    SimLinkDir dir;
} SimNetHop;
/* The links of the unicast route from @node to @dst, first hop first (the
 * route packets take now: over live elements, else the physical path).
 * Writes at most @cap hops; returns the number of hops (0 for @node itself
 * or loopback), or -1 when unreachable or multicast/broadcast. */
int sim_net_route_links(const SimWorld *world, SimNodeId node, const SimAddr *dst,
                        SimNetHop *out_hops, size_t cap);

/* Transport input: @pkt (consumed) arrived at @node, reassembled. */
typedef void (*SimProtoInputFn)(SimWorld *world, SimNodeId node, SimPacket *pkt, void *data);
void sim_net_register_proto(SimWorld *world, guint8 proto, SimProtoInputFn fn, void *data);
/* Transport error input: an ICMP error about a packet of protocol @proto
 * that @node sent reached @node. */
typedef void (*SimProtoErrorFn)(SimWorld *world, SimNodeId node, const SimIcmpHeader *icmp,
                                void *data);
void sim_net_register_proto_error(SimWorld *world, guint8 proto, SimProtoErrorFn fn, void *data);
/* Send an ICMP error about @orig back to its source (port unreachable is the
 * UDP transport's to send). */
void sim_net_send_icmp_error(SimWorld *world, SimNodeId node, const SimPacket *orig,
                             SimStatus error);

/* IPv4 reassembly: fragments of a datagram not complete within this time
 * are dropped (SIM_DROP_FRAG).  Default SIM_NET_REASM_TIMEOUT_DEFAULT. */
#define SIM_NET_REASM_TIMEOUT_DEFAULT (30 * SIM_SEC)
void sim_net_set_reasm_timeout(SimWorld *world, SimTime timeout_ns);
/* Datagrams waiting for fragments (for tests and leak checks). */
size_t sim_net_reasm_pending(const SimWorld *world);

/* ---- Multicast and broadcast ----------------------------------------- */

/* Membership is counted: each join needs a leave (several sockets of a node
 * may join one group).  Join: E_INVAL if @group is not multicast.  Leave:
 * E_ADDRNOTAVAIL if @node is not a member. */
SimStatus sim_node_join_group(SimWorld *world, SimNodeId node, const SimAddr *group);
SimStatus sim_node_leave_group(SimWorld *world, SimNodeId node, const SimAddr *group);
bool sim_node_in_group(const SimWorld *world, SimNodeId node, const SimAddr *group);
/* A packet sent to a multicast group reaches every member within its TTL
 * (scope in hops), once each, along the shortest-path tree from the sender
 * (shared links carry one copy); to a broadcast address (255.255.255.255 or
 * the directed broadcast of one of the sender's subnets) every other node
 * with an address in the sender's subnet, along the same kind of tree
 * (routers act as the subnet's switches).  doc/network-model.md has the
 * rules. */
/* TRUE if @addr is 255.255.255.255 or the directed broadcast address of one
 * of @node's IPv4 subnets. */
bool sim_node_is_broadcast_addr(const SimWorld *world, SimNodeId node, const SimAddr *addr);

G_END_DECLS

#endif /* SIM_NET_H */
