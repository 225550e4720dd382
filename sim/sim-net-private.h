/* SPDX-License-Identifier: MIT
 *
 * sim-net-private.h: the bodies shared by the network files (sim-node.c,
 * sim-link.c, sim-route.c, sim-packet.c, sim-ip.c).  The network's state
 * lives in the world's SIM_MOD_NET slot, created on first use.  Nothing
 * outside sim/ includes this; tests may.
 */
#ifndef SIM_NET_PRIVATE_H
#define SIM_NET_PRIVATE_H

#include "sim/sim-private.h"

G_BEGIN_DECLS

/* One address of a node, with the prefix that defines its subnet. */
typedef struct {
    SimAddr addr;
    guint prefix;
} SimNodeAddr;

/* A transport's per-node data (sim_node_set_proto_data). */
typedef struct {
    guint8 proto;
    void *data;
    GDestroyNotify destroy;
} SimProtoSlot;

typedef struct SimNode {
    SimNodeId id;
    SimNodeKind kind;
    bool up;
    guint16 next_ip_id; /* IPv4 identification counter */
    char *name;
    GArray *addrs;       /* of SimNodeAddr, in the order added */
    GArray *links;       /* of SimLinkId, in creation order */
    GArray *proto_slots; /* (nullable) of SimProtoSlot */
} SimNode;

/* The random streams of one link direction, one per purpose, so that turning
 * one effect on never shifts the draws of another. */
typedef enum {
    SIM_LINK_RNG_LOSS,
    SIM_LINK_RNG_GE,
    SIM_LINK_RNG_JITTER,
    SIM_LINK_RNG_DUP,
    SIM_LINK_RNG_REORDER,
    SIM_LINK_RNG_CORRUPT,
    SIM_LINK_RNG_N
} SimLinkRngKind;

/* A packet waiting for the transmitter: when it starts and ends, its size,
 * and its arrival events (the packet's, then its duplicate's), which move
 * with it when a packet of a higher class overtakes it; SIM_EVENT_ID_NONE
 * where there is none (lost, or no duplicate). */
typedef struct {
    SimTime start;
    SimTime end;
    SimEventId ev[2];
    guint32 bytes;
} SimLinkQueued;

/* The packets of one class accepted but not yet started, oldest first, in
 * a ring; wire_end is when the one of them that started last ends. */
typedef struct {
    SimLinkQueued *buf;
    guint32 head, len, cap;
    guint64 bytes;
    SimTime wire_end;
} SimLinkRing;

typedef struct {
    SimLinkParams p;
    /* Class scheduling (sim-link.c): where the backlog of all classes, of
     * controlled load and guaranteed service, and of guaranteed service
     * ends, and the waiting packets of the two classes that can be
     * overtaken. */
    SimTime busy_until;
    SimTime cl_busy;
    SimTime g_busy;
    SimLinkRing q;
    SimLinkRing cl_q;
    guint32 epoch;    /* bumped on every up->down change */
    bool ge_bad;      /* Gilbert-Elliott state */
    guint8 rng_ready; /* bit per SimLinkRngKind: stream initialised */
    SimRng rng[SIM_LINK_RNG_N];
    SimLinkStats stats;
} SimLinkDirState;

typedef struct SimLink {
    SimLinkId id;
    SimNodeId a, b;
    char *rng_name; /* "link/<a>-<b>" (+ "#k" for the k-th parallel link) */
    SimLinkDirState d[2];
} SimLink;

typedef struct {
    SimProtoInputFn fn;
    void *data;
    SimProtoErrorFn err_fn;
    void *err_data;
} SimProtoEntry;

/* Multicast membership of one group: member nodes in id order, counted. */
typedef struct {
    SimAddr group;
    GArray *members; /* of SimGroupMember, sorted by node */
} SimGroup;

typedef struct {
    SimNodeId node;
    guint32 count;
} SimGroupMember;

/*
 * SimRoutePlan: the delivery tree of one multicast or broadcast send, made
 * at the sender and shared (refcounted) by every copy of the packet.  Tree
 * nodes are sorted by id; node i's child links are child_link[child_start[i]
 * .. child_start[i + 1]).  It records the topology of the moment it was made:
 * copies already on their way follow it even if routes change (a link that
 * went down still drops them).
 */
typedef struct SimRoutePlan {
    gint refcount;
    guint32 n_nodes;
    SimNodeId *nodes;
    guint8 *member;
    guint32 *child_start;
    SimLinkId *child_link;
    guint8 *child_dir;
} SimRoutePlan;

typedef struct SimReasm SimReasm;

typedef struct SimNet {
    SimWorld *world;
    bool tearing_down;
    GPtrArray *nodes;    /* of SimNode*, index = id - 1 */
    GPtrArray *links;    /* of SimLink*, index = id - 1 */
    GHashTable *by_name; /* name -> SimNode* (lookup only) */
    GHashTable *by_addr; /* SimAddr* -> SimNode* (lookup only) */
    GHashTable *groups;  /* SimAddr* -> SimGroup* (lookup only) */
    GArray *hooks;       /* of SimNetHook, in registration order */
    SimProtoEntry proto[256];

    /* routing (sim-route.c) */
    GPtrArray *route_tables;    /* by destination id: guint32[n + 1] next links */
    guint64 route_cached;       /* entries held by route_tables */
    guint64 route_computations; /* Dijkstra runs (for tests) */
    guint32 *mark;              /* per node stamp, for plan building */
    guint32 *depth;
    guint32 mark_cap;
    guint32 stamp;

    /* reassembly (sim-ip.c) */
    GHashTable *reasm; /* SimReasmKey* -> SimReasm* */
    SimTime reasm_timeout_ns;

    /* packet pool (sim-packet.c) */
    SimPacket **pool;
    guint32 pool_len, pool_cap;

    /* QoS (sim-qos.c), NULL until a flow exists: the classifier sim_net_send
     * consults (TRUE: it took @pkt), and the hook told when routes or link
     * rates change.  qos_bypass is set while the shaper releases a packet. */
    bool (*qos_out)(SimWorld *world, SimNodeId node, SimPacket *pkt);
    void (*qos_changed)(SimWorld *world);
    bool qos_bypass;

    /* Route hooks (sim_net_add_route_hook, sim-route.c): NULL until one is
     * added; route_hook_ev is the pending zero-delay event that runs them. */
    GArray *route_hooks;
    SimEventId route_hook_ev;
} SimNet;

typedef struct {
    SimNodeHookFn fn;
    void *data;
} SimNetHook;

/* sim-node.c */
SimNet *sim__net_get(SimWorld *world);
static inline SimNet *
sim__net_peek(const SimWorld *world)
{
    return (SimNet *)sim__world_module(world, SIM_MOD_NET);
}
static inline SimNode *
sim__net_node(const SimNet *net, SimNodeId id)
{
    if (net == NULL || id == SIM_ID_NONE || id > net->nodes->len)
        return NULL;
    return (SimNode *)g_ptr_array_index(net->nodes, id - 1);
}
static inline SimLink *
sim__net_link(const SimNet *net, SimLinkId id)
{
    if (net == NULL || id == SIM_ID_NONE || id > net->links->len)
        return NULL;
    return (SimLink *)g_ptr_array_index(net->links, id - 1);
}
/* The node at the far end of @link from @from, and the direction taken. */
static inline SimNodeId
sim__link_other(const SimLink *link, SimNodeId from, SimLinkDir *out_dir)
{
    if (link->a == from) {
        if (out_dir != NULL)
            *out_dir = SIM_DIR_AB;
        return link->b;
    }
    if (out_dir != NULL)
        *out_dir = SIM_DIR_BA;
    return link->a;
}
bool sim__addr_in_subnet(const SimAddr *addr, const SimAddr *net_addr, guint prefix);
SimNodeId sim__net_node_by_addr(const SimNet *net, const SimAddr *addr);
/* The members of @group, in id order (nullable when nobody joined). */
const GArray *sim__net_group_members(const SimNet *net, const SimAddr *group);
void sim__node_free(SimNode *node);
void sim__net_free(SimWorld *world, void *state);

/* sim-link.c */
void sim__link_free(SimLink *link);
/* Put @pkt (consumed) on @link in direction @dir from @from. */
void sim__link_transmit(SimNet *net, SimLink *link, SimLinkDir dir, SimPacket *pkt);

/* sim-route.c */
void sim__route_invalidate(SimNet *net);
/* Schedule the route hooks (addresses changed; sim__route_invalidate does it too). */
void sim__route_hooks_schedule(SimNet *net);
/* The link to take from @from toward @dst (from != dst), or 0 if none. */
SimLinkId sim__route_next(SimNet *net, SimNodeId from, SimNodeId dst);
/* The tree from @src to @members (node ids in increasing order) within
 * @ttl hops; NULL when it reaches nobody. */
SimRoutePlan *sim__route_plan_new(SimNet *net, SimNodeId src, const SimNodeId *members,
                                  size_t n_members, guint ttl);
SimRoutePlan *sim__route_plan_ref(SimRoutePlan *plan);
void sim__route_plan_unref(SimRoutePlan *plan);
/* The index of @node in @plan, or -1. */
gssize sim__route_plan_find(const SimRoutePlan *plan, SimNodeId node);

/* sim-packet.c */
void sim__packet_pool_free(SimNet *net);

/* sim-ip.c */
/* A packet crossed @link and arrived intact at its far end. */
void sim__ip_input(SimNet *net, SimNodeId node, SimPacket *pkt);
void sim__ip_reasm_free(SimNet *net);

/* sim-trace.c helpers for the network */
void sim__trace_packet(SimWorld *world, SimTraceKind kind, SimNodeId node, SimNodeId peer,
                       SimLinkId link, SimLinkDir dir, SimDropReason reason, const SimPacket *pkt);

G_END_DECLS

#endif /* SIM_NET_PRIVATE_H */
