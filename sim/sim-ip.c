/* SPDX-License-Identifier: MIT
 *
 * sim-ip.c: the network layer.  sim_net_send() takes a packet from a
 * transport and moves it hop by hop: local delivery for loopback and own
 * addresses, the unicast route otherwise (sim-route.c), a delivery tree for
 * multicast and broadcast; routers decrement the TTL (RFC 791 §3.2, RFC 8200
 * §3) and fragment IPv4 packets larger than the next link's MTU unless DF is
 * set (RFC 791 §2.3, §3.2); the destination reassembles (a lost fragment
 * loses the datagram at the reassembly timeout) and hands the packet to the
 * transport registered for its protocol.  Errors go back to the source as
 * ICMP (RFC 792, RFC 4443), never about an ICMP error, a non-first fragment
 * or a multicast/broadcast packet (RFC 1122 §3.2.2).
 *
 * IPv6 packets are fragmented only by their source, to the first link's
 * MTU (RFC 8200 §4.5); a router whose next link is too small answers
 * with ICMPv6 Packet Too Big (RFC 8200 §5).
 */
#include "config.h"

#include "sim/sim-net.h"

#include <string.h>

#include "sim/sim-net-private.h"

/* ---- Protocol registration ------------------------------------------- */

/**
 * sim_net_register_proto:
 * @world: the world
 * @proto: an IP protocol number
 * @fn: (nullable): receives every packet of @proto that reaches one of its
 *   destination nodes, reassembled; NULL unregisters
 * @data: (transfer none): handed to @fn
 *
 * One input per protocol per world, shared by all nodes (@fn gets the node).
 * Packets of a protocol nobody registered are dropped (SIM_DROP_NO_LISTENER).
 */
void
sim_net_register_proto(SimWorld *world, guint8 proto, SimProtoInputFn fn, void *data)
{
    SimNet *net;

    g_return_if_fail(world != NULL);
    net = sim__net_get(world);
    net->proto[proto].fn = fn;
    net->proto[proto].data = data;
}

/**
 * sim_net_register_proto_error:
 * @world: the world
 * @proto: the protocol of the packets the errors are about
 * @fn: (nullable): receives each ICMP error about a packet of @proto when it
 *   reaches that packet's source node; NULL unregisters
 * @data: (transfer none): handed to @fn
 */
void
sim_net_register_proto_error(SimWorld *world, guint8 proto, SimProtoErrorFn fn, void *data)
{
    SimNet *net;

    g_return_if_fail(world != NULL);
    net = sim__net_get(world);
    net->proto[proto].err_fn = fn;
    net->proto[proto].err_data = data;
}

/**
 * sim_net_set_reasm_timeout:
 * @world: the world
 * @timeout_ns: how long a partly received IPv4 datagram waits for its
 *   missing fragments (> 0)
 */
void
sim_net_set_reasm_timeout(SimWorld *world, SimTime timeout_ns)
{
    g_return_if_fail(world != NULL && timeout_ns > 0);
    sim__net_get(world)->reasm_timeout_ns = timeout_ns;
}

/* ---- Tracing ----------------------------------------------------------- */

static inline void
ip_trace(SimNet *net, SimTraceKind kind, SimNodeId node, SimNodeId peer, SimLinkId link,
         SimLinkDir dir, SimDropReason reason, const SimPacket *pkt)
{
    if (G_UNLIKELY(net->world->trace_on))
        sim__trace_packet(net->world, kind, node, peer, link, dir, reason, pkt);
}

static void
ip_drop(SimNet *net, SimNodeId node, SimNodeId peer, SimLinkId link, SimLinkDir dir,
        SimDropReason reason, SimPacket *pkt)
{
    ip_trace(net, SIM_TR_PKT_DROP, node, peer, link, dir, reason, pkt);
    sim_packet_unref(pkt);
}

/* ---- ICMP errors ------------------------------------------------------- */

/* RFC 792 and RFC 4443 type and code for @error (statuses other than the
 * five ICMP reports have none). */
static bool
icmp_type_code(guint8 family, SimStatus error, guint8 *type, guint8 *code)
{
    bool v6 = family == SIM_AF_INET6;

    if (error == SIM_E_NETUNREACH) {
        *type = v6 ? 1 : 3; /* destination unreachable */
        *code = 0;          /* net unreachable / no route to destination */
    } else if (error == SIM_E_HOSTUNREACH) {
        *type = v6 ? 1 : 3;
        *code = v6 ? 3 : 1; /* host / address unreachable */
    } else if (error == SIM_E_PORTUNREACH) {
        *type = v6 ? 1 : 3;
        *code = v6 ? 4 : 3;
    } else if (error == SIM_E_MSGSIZE) {
        *type = v6 ? 2 : 3; /* packet too big / fragmentation needed and DF set */
        *code = v6 ? 0 : 4;
    } else if (error == SIM_E_TTL) {
        *type = v6 ? 3 : 11; /* time exceeded in transit */
        *code = 0;
    } else {
        return false;
    }
    return true;
}

static bool
is_icmp_error(const SimPacket *pkt)
{
    return (pkt->proto == SIM_PROTO_ICMP || pkt->proto == SIM_PROTO_ICMPV6) &&
           pkt->l4.icmp.error != SIM_OK;
}

static void
icmp_error_send(SimNet *net, SimNodeId node, const SimPacket *orig, SimStatus error, guint32 mtu)
{
    SimWorld *world = net->world;
    SimPacket *pkt;
    SimAddr src;
    guint8 type, code;

    if (is_icmp_error(orig) || orig->frag_offset != 0 || orig->plan != NULL)
        return;
    if (sim_addr_is_multicast(&orig->dst) || sim_addr_is_broadcast(&orig->dst) ||
        sim_addr_is_any(&orig->src) || sim_addr_is_multicast(&orig->src) ||
        sim_addr_is_broadcast(&orig->src))
        return;
    if (!icmp_type_code(orig->src.family, error, &type, &code))
        return;
    /* The destination answers from the address it was sent to; a router
     * from its address toward the source.  A node without one is silent. */
    if (sim_node_has_addr(world, node, &orig->dst) && !sim_addr_is_loopback(&orig->dst))
        src = orig->dst;
    else if (sim_node_source_addr(world, node, &orig->src, &src) != SIM_OK)
        return;
    pkt =
        sim_packet_new(world, orig->src.family == SIM_AF_INET6 ? SIM_PROTO_ICMPV6 : SIM_PROTO_ICMP);
    pkt->src = src;
    pkt->dst = orig->src;
    pkt->l4.icmp.type = type;
    pkt->l4.icmp.code = code;
    pkt->l4.icmp.error = error;
    pkt->l4.icmp.orig_src = orig->src;
    pkt->l4.icmp.orig_dst = orig->dst;
    pkt->l4.icmp.orig_proto = orig->proto;
    if (orig->proto == SIM_PROTO_TCP) {
        pkt->l4.icmp.orig_sport = orig->l4.tcp.sport;
        pkt->l4.icmp.orig_dport = orig->l4.tcp.dport;
    } else if (orig->proto == SIM_PROTO_UDP) {
        pkt->l4.icmp.orig_sport = orig->l4.udp.sport;
        pkt->l4.icmp.orig_dport = orig->l4.udp.dport;
    }
    pkt->l4.icmp.mtu = mtu;
    (void)sim_net_send(world, node, pkt);
}

/**
 * sim_net_send_icmp_error:
 * @world: the world
 * @node: the node reporting (the one that received @orig)
 * @orig: (transfer none): the offending packet
 * @error: E_PORTUNREACH, E_HOSTUNREACH, E_NETUNREACH, E_TTL or E_MSGSIZE
 *
 * Sends an ICMP (ICMPv6 for IPv6) error about @orig back to its source,
 * from @orig's destination address if @node owns it, else from @node's
 * address toward the source.  Nothing is sent about an ICMP error, a
 * fragment other than the first, or a multicast or broadcast packet
 * (RFC 1122 §3.2.2), nor for other @error values.  The error reaches the
 * source's function registered with sim_net_register_proto_error() for
 * @orig's protocol.
 */
void
sim_net_send_icmp_error(SimWorld *world, SimNodeId node, const SimPacket *orig, SimStatus error)
{
    g_return_if_fail(world != NULL && orig != NULL);
    icmp_error_send(sim__net_get(world), node, orig, error, 0);
}

/* ---- Output ------------------------------------------------------------ */

/*
 * Splits @pkt (consumed) into fragments that fit @mtu (RFC 791 §3.2: data
 * in multiples of 8 bytes, the transport header in the first) and sends
 * each.  Works on fragments too: offsets stay relative to the datagram.
 * Fragments share the payload buffer and carry the datagram's payload
 * length so the first can be serialised with the right checksum.
 */
static void
fragment_output(SimNet *net, SimLink *link, SimLinkDir dir, SimPacket *pkt, guint32 mtu)
{
    guint32 h = sim_packet_l4_header_len(pkt);
    guint32 first_h = pkt->frag_offset == 0 ? h : 0;
    guint32 ip_len = first_h + pkt->payload_len;
    /* Room for data after the fragment's own IP header: 20 bytes for
     * IPv4, 40 + the 8-byte Fragment header for IPv6. */
    guint32 frag_iph = pkt->dst.family == SIM_AF_INET6 ? 48 : 20;
    guint32 max = ((mtu - frag_iph) / 8) * 8;
    guint32 dgram_len = sim_packet_is_fragment(pkt) ? pkt->frag_dgram_len : pkt->payload_len;

    g_assert(max >= first_h);
    for (guint32 o = 0; o < ip_len; o += max) {
        guint32 n = MIN(max, ip_len - o);
        SimPacket *f = sim_packet_copy(net->world, pkt);
        guint32 data_off, data_len;

        if (first_h > 0 && o == 0) {
            data_off = 0;
            data_len = n - first_h;
        } else {
            data_off = o - first_h;
            data_len = n;
        }
        f->frag_offset = (guint16)(pkt->frag_offset + o);
        f->more_frags = o + n < ip_len || pkt->more_frags;
        f->payload_off = pkt->payload_off + data_off;
        f->payload_len = data_len;
        f->frag_dgram_len = dgram_len;
        sim__link_transmit(net, link, dir, f);
    }
    sim_packet_unref(pkt);
}

/*
 * Sends @pkt (consumed) from @node onto @lid, fragmenting an IPv4 packet
 * without DF that exceeds the link's MTU.  One that may not be fragmented
 * is refused: E_MSGSIZE at the source (@at_source), else dropped with an
 * ICMP "fragmentation needed" / "packet too big" to the source (unicast
 * only).
 */
static SimStatus
ip_output(SimNet *net, SimNodeId node, SimLinkId lid, SimPacket *pkt, bool at_source)
{
    SimLink *link = sim__net_link(net, lid);
    SimLinkDir dir;
    SimNodeId peer = sim__link_other(link, node, &dir);
    guint32 mtu = link->d[dir].p.mtu;

    if (G_LIKELY(sim_packet_wire_len(pkt) <= mtu)) {
        sim__link_transmit(net, link, dir, pkt);
        return SIM_OK;
    }
    /* IPv4 packets may be fragmented anywhere unless DF is set; IPv6
     * packets only by their source (RFC 8200 §4.5): a router answers
     * "packet too big" instead. */
    if ((pkt->dst.family == SIM_AF_INET && !pkt->dont_frag) ||
        (pkt->dst.family == SIM_AF_INET6 && at_source && !sim_packet_is_fragment(pkt))) {
        fragment_output(net, link, dir, pkt, mtu);
        return SIM_OK;
    }
    ip_trace(net, SIM_TR_PKT_DROP, node, peer, lid, dir, SIM_DROP_TOO_BIG, pkt);
    if (!at_source)
        icmp_error_send(net, node, pkt, SIM_E_MSGSIZE, mtu);
    sim_packet_unref(pkt);
    return at_source ? SIM_E_MSGSIZE : SIM_OK;
}

/* ---- Input ------------------------------------------------------------- */

/* Hands a whole packet (consumed) to its transport at @node. */
static void
deliver_up(SimNet *net, SimNode *n, SimPacket *pkt)
{
    SimWorld *world = net->world;
    SimNodeId prev = pkt->hop_node;
    SimLinkId lid = pkt->hop_link;
    SimLinkDir dir = (SimLinkDir)pkt->hop_dir;

    if (is_icmp_error(pkt)) {
        SimProtoEntry *e = &net->proto[pkt->l4.icmp.orig_proto];

        if (e->err_fn == NULL) {
            ip_drop(net, n->id, prev, lid, dir, SIM_DROP_NO_LISTENER, pkt);
            return;
        }
        ip_trace(net, SIM_TR_PKT_DELIVER, n->id, prev, lid, dir, SIM_DROP_NONE, pkt);
        e->err_fn(world, n->id, &pkt->l4.icmp, e->err_data);
        sim_packet_unref(pkt);
        return;
    }
    if (net->proto[pkt->proto].fn == NULL) {
        ip_drop(net, n->id, prev, lid, dir, SIM_DROP_NO_LISTENER, pkt);
        return;
    }
    ip_trace(net, SIM_TR_PKT_DELIVER, n->id, prev, lid, dir, SIM_DROP_NONE, pkt);
    net->proto[pkt->proto].fn(world, n->id, pkt, net->proto[pkt->proto].data);
}

static SimPacket *reasm_add(SimNet *net, SimNode *n, SimPacket *pkt);

/* @pkt (consumed) is addressed to @n: reassemble, then deliver. */
static void
local_input(SimNet *net, SimNode *n, SimPacket *pkt)
{
    if (sim_packet_is_fragment(pkt)) {
        pkt = reasm_add(net, n, pkt);
        if (pkt == NULL)
            return;
    }
    deliver_up(net, n, pkt);
}

static void
local_arrive(SimWorld *world, void *data)
{
    SimPacket *pkt = data;
    SimNet *net = sim__net_peek(world);
    SimNode *n = sim__net_node(net, pkt->hop_node);

    if (!n->up) {
        ip_drop(net, n->id, n->id, SIM_ID_NONE, SIM_DIR_AB, SIM_DROP_NODE_DOWN, pkt);
        return;
    }
    local_input(net, n, pkt);
}

/* Loopback and own addresses: delivered as an event at now, never on a
 * link, so a sender's code finishes before its receiver's runs. */
static void
local_send(SimNet *net, SimNode *n, SimPacket *pkt)
{
    pkt->hop_node = n->id;
    pkt->hop_link = SIM_ID_NONE;
    pkt->hop_dir = SIM_DIR_AB;
    pkt->dst_node = n->id;
    sim__event_schedule_full(net->world, net->world->now, local_arrive, pkt,
                             (GDestroyNotify)sim_packet_unref);
}

/* Forwards copies of @pkt along the children of tree node @k (TTL less one
 * unless at the source), then delivers @pkt (consumed) if @n is a member. */
static void
tree_output(SimNet *net, SimNode *n, gssize k, SimPacket *pkt, bool at_source)
{
    SimRoutePlan *plan = pkt->plan;

    for (guint32 c = plan->child_start[k]; c < plan->child_start[k + 1]; c++) {
        SimLink *link = sim__net_link(net, plan->child_link[c]);
        SimLinkDir dir = (SimLinkDir)plan->child_dir[c];
        SimNodeId peer = dir == SIM_DIR_AB ? link->b : link->a;
        SimPacket *copy;

        if (!at_source && pkt->ttl <= 1) {
            ip_trace(net, SIM_TR_PKT_DROP, n->id, peer, link->id, dir, SIM_DROP_TTL, pkt);
            continue;
        }
        copy = sim_packet_copy(net->world, pkt);
        if (!at_source) {
            copy->ttl--;
            ip_trace(net, SIM_TR_PKT_FORWARD, n->id, copy->hop_node, copy->hop_link,
                     (SimLinkDir)copy->hop_dir, SIM_DROP_NONE, copy);
        }
        (void)ip_output(net, n->id, link->id, copy, false);
    }
    if (!at_source && plan->member[k])
        local_input(net, n, pkt);
    else
        sim_packet_unref(pkt);
}

/*
 * sim__ip_input: @pkt (consumed) crossed a link and reached @node intact.
 * Delivers it if it is for @node, forwards it if @node is a router, and
 * drops it otherwise.
 */
void
sim__ip_input(SimNet *net, SimNodeId node, SimPacket *pkt)
{
    SimNode *n = sim__net_node(net, node);
    SimNodeId prev = pkt->hop_node;
    SimLinkId lid;

    if (G_UNLIKELY(!n->up)) {
        ip_drop(net, node, prev, pkt->hop_link, (SimLinkDir)pkt->hop_dir, SIM_DROP_NODE_DOWN, pkt);
        return;
    }
    if (pkt->plan != NULL) {
        gssize k = sim__route_plan_find(pkt->plan, node);

        if (k < 0) {
            ip_drop(net, node, prev, pkt->hop_link, (SimLinkDir)pkt->hop_dir, SIM_DROP_NO_ROUTE,
                    pkt);
            return;
        }
        tree_output(net, n, k, pkt, false);
        return;
    }
    if (G_LIKELY(pkt->dst_node == node)) {
        local_input(net, n, pkt);
        return;
    }
    if (n->kind != SIM_NODE_ROUTER) {
        /* Hosts never forward. */
        ip_drop(net, node, prev, pkt->hop_link, (SimLinkDir)pkt->hop_dir, SIM_DROP_NO_ROUTE, pkt);
        return;
    }
    if (pkt->ttl <= 1) {
        /* RFC 791 §3.2 / RFC 1812 §5.3.1: a router does not forward a
         * packet whose TTL would reach zero, and tells the source. */
        ip_trace(net, SIM_TR_PKT_DROP, node, prev, pkt->hop_link, (SimLinkDir)pkt->hop_dir,
                 SIM_DROP_TTL, pkt);
        icmp_error_send(net, node, pkt, SIM_E_TTL, 0);
        sim_packet_unref(pkt);
        return;
    }
    lid = sim__route_next(net, node, pkt->dst_node);
    if (lid == SIM_ID_NONE) {
        ip_trace(net, SIM_TR_PKT_DROP, node, prev, pkt->hop_link, (SimLinkDir)pkt->hop_dir,
                 SIM_DROP_NO_ROUTE, pkt);
        icmp_error_send(net, node, pkt, SIM_E_HOSTUNREACH, 0);
        sim_packet_unref(pkt);
        return;
    }
    pkt->ttl--;
    /* FORWARD describes the arrival, as DELIVER does: from the previous hop
     * over the incoming link; the SEND that follows shows the way out. */
    ip_trace(net, SIM_TR_PKT_FORWARD, node, prev, pkt->hop_link, (SimLinkDir)pkt->hop_dir,
             SIM_DROP_NONE, pkt);
    (void)ip_output(net, node, lid, pkt, false);
}

/* ---- Sending ----------------------------------------------------------- */

/* The receivers of a broadcast from @n to @dst: every other node with an
 * IPv4 address in the sender's subnet, in id order.  FALSE if the sender
 * has no such subnet. */
static bool
broadcast_members(SimNet *net, SimNode *n, const SimPacket *pkt, GArray *out)
{
    const SimNodeAddr *sub = NULL;

    for (guint i = 0; i < n->addrs->len && sub == NULL; i++) {
        const SimNodeAddr *na = &g_array_index(n->addrs, SimNodeAddr, i);

        if (na->addr.family != SIM_AF_INET)
            continue;
        if (sim_addr_is_broadcast(&pkt->dst)) {
            if (sim_addr_equal(&na->addr, &pkt->src))
                sub = na;
        } else if (na->prefix < 31 && sim__addr_in_subnet(&pkt->dst, &na->addr, na->prefix)) {
            sub = na;
        }
    }
    /* Limited broadcast from an unspecified or foreign source: the
     * sender's first IPv4 subnet. */
    for (guint i = 0; i < n->addrs->len && sub == NULL; i++) {
        if (g_array_index(n->addrs, SimNodeAddr, i).addr.family == SIM_AF_INET)
            sub = &g_array_index(n->addrs, SimNodeAddr, i);
    }
    if (sub == NULL)
        return false;
    for (guint id = 1; id <= net->nodes->len; id++) {
        SimNode *m = sim__net_node(net, id);

        if (m == n)
            continue;
        for (guint i = 0; i < m->addrs->len; i++) {
            const SimAddr *a = &g_array_index(m->addrs, SimNodeAddr, i).addr;

            if (sim__addr_in_subnet(a, &sub->addr, sub->prefix)) {
                g_array_append_val(out, id);
                break;
            }
        }
    }
    return true;
}

/* Multicast and broadcast: build the tree and send copies on its first
 * links.  E_MSGSIZE if the packet may not be fragmented and does not fit
 * one of those links. */
static SimStatus
tree_send(SimNet *net, SimNode *n, SimPacket *pkt, bool broadcast)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(SimNodeId));
    SimRoutePlan *plan;
    gssize k;

    if (broadcast) {
        if (!broadcast_members(net, n, pkt, ids)) {
            g_array_free(ids, TRUE);
            ip_drop(net, n->id, SIM_ID_NONE, SIM_ID_NONE, SIM_DIR_AB, SIM_DROP_NO_ROUTE, pkt);
            return SIM_E_NETUNREACH;
        }
    } else {
        const GArray *members = sim__net_group_members(net, &pkt->dst);

        for (guint i = 0; members != NULL && i < members->len; i++) {
            SimNodeId id = g_array_index(members, SimGroupMember, i).node;

            if (id != n->id)
                g_array_append_val(ids, id);
        }
    }
    plan =
        sim__route_plan_new(net, n->id, (const SimNodeId *)(void *)ids->data, ids->len, pkt->ttl);
    g_array_free(ids, TRUE);
    if (plan == NULL) {
        /* Nobody within reach and scope: nothing leaves the node. */
        sim_packet_unref(pkt);
        return SIM_OK;
    }
    k = sim__route_plan_find(plan, n->id);
    g_assert(k >= 0);
    if (pkt->dst.family != SIM_AF_INET || pkt->dont_frag) {
        guint32 wire = sim_packet_wire_len(pkt);

        for (guint32 c = plan->child_start[k]; c < plan->child_start[k + 1]; c++) {
            SimLink *link = sim__net_link(net, plan->child_link[c]);

            if (wire > link->d[plan->child_dir[c]].p.mtu) {
                sim__route_plan_unref(plan);
                ip_drop(net, n->id, SIM_ID_NONE, link->id, (SimLinkDir)plan->child_dir[c],
                        SIM_DROP_TOO_BIG, pkt);
                return SIM_E_MSGSIZE;
            }
        }
    }
    pkt->plan = plan;
    tree_output(net, n, k, pkt, true);
    return SIM_OK;
}

/**
 * sim_net_send:
 * @world: the world
 * @node: the sending node
 * @pkt: (transfer full): the packet; its addresses, protocol, TTL and
 *   transport header set by the caller
 *
 * Sends @pkt: to a loopback address or one of @node's own addresses it is
 * delivered locally as an event at the current time; to a multicast group
 * it goes to every member within @pkt's TTL in hops (not to @node itself:
 * multicast loopback is the transport's); to 255.255.255.255 or the
 * directed broadcast of @node's subnet, to every other node of that subnet;
 * otherwise along the shortest route.  The IPv4 identification is assigned
 * here (a per-node counter).  If the caller holds other references, the
 * network works on a copy: the header fields it changes in flight (TTL,
 * fragment fields) never show in the caller's packet.
 *
 * Returns: SIM_OK once the packet is on its way (later losses are traced,
 *   and reported to the source by ICMP where IP would); E_NETDOWN if @node
 *   is down; E_NETUNREACH if there is no route from @node (nothing is
 *   sent); E_MSGSIZE if it exceeds the first link's MTU and may not be
 *   fragmented (IPv6, or DF set); E_INVAL for a packet without a valid
 *   destination or a unicast TTL of 0.
 */
SimStatus
sim_net_send(SimWorld *world, SimNodeId node, SimPacket *pkt)
{
    SimNet *net;
    SimNode *n;
    SimNodeId dn;
    SimLinkId lid;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    g_return_val_if_fail(pkt != NULL, SIM_E_INVAL);
    net = sim__net_get(world);
    n = sim__net_node(net, node);
    if (n == NULL) {
        g_critical("sim_net_send: unknown node %u", node);
        sim_packet_unref(pkt);
        return SIM_E_INVAL;
    }
    if (G_UNLIKELY(pkt->refcount > 1)) {
        SimPacket *own = sim_packet_copy(world, pkt);

        sim_packet_unref(pkt);
        pkt = own;
    }
    /* Whatever a reused packet carried in transit is stale now. */
    if (G_UNLIKELY(pkt->plan != NULL)) {
        sim__route_plan_unref(pkt->plan);
        pkt->plan = NULL;
    }
    pkt->corrupt = false;
    pkt->dst_node = SIM_ID_NONE;
    /* QoS classification and shaping (sim-qos.c): a held or dropped packet
     * is the shaper's now; a released one comes back with qos_bypass set. */
    if (G_UNLIKELY(net->qos_out != NULL) && !net->qos_bypass && net->qos_out(world, node, pkt))
        return SIM_OK;
    if (G_UNLIKELY(!n->up)) {
        ip_drop(net, node, SIM_ID_NONE, SIM_ID_NONE, SIM_DIR_AB, SIM_DROP_NODE_DOWN, pkt);
        return SIM_E_NETDOWN;
    }
    if (pkt->dst.family != SIM_AF_INET && pkt->dst.family != SIM_AF_INET6) {
        sim_packet_unref(pkt);
        return SIM_E_INVAL;
    }
    if (pkt->dst.family == SIM_AF_INET)
        pkt->ip_id = n->next_ip_id++;
    if (sim_addr_is_loopback(&pkt->dst)) {
        local_send(net, n, pkt);
        return SIM_OK;
    }
    if (sim_addr_is_multicast(&pkt->dst))
        return tree_send(net, n, pkt, false);
    dn = sim__net_node_by_addr(net, &pkt->dst);
    if (dn == node) {
        local_send(net, n, pkt);
        return SIM_OK;
    }
    if (dn == SIM_ID_NONE) {
        if (sim_node_is_broadcast_addr(world, node, &pkt->dst))
            return tree_send(net, n, pkt, true);
        ip_drop(net, node, SIM_ID_NONE, SIM_ID_NONE, SIM_DIR_AB, SIM_DROP_NO_ROUTE, pkt);
        return SIM_E_NETUNREACH;
    }
    if (pkt->ttl == 0) {
        sim_packet_unref(pkt);
        return SIM_E_INVAL;
    }
    lid = sim__route_next(net, node, dn);
    if (lid == SIM_ID_NONE) {
        ip_drop(net, node, dn, SIM_ID_NONE, SIM_DIR_AB, SIM_DROP_NO_ROUTE, pkt);
        return SIM_E_NETUNREACH;
    }
    pkt->dst_node = dn;
    return ip_output(net, node, lid, pkt, true);
}

/* ---- Reassembly ---------------------------------------------------------- */

/* RFC 791 §3.2: fragments belong together when source, destination,
 * protocol and identification match (and, here, the receiving node). */
typedef struct {
    SimNodeId node;
    SimAddr src, dst;
    guint8 proto;
    guint16 id;
} SimReasmKey;

struct SimReasm {
    SimReasmKey key;
    SimNet *net;
    GPtrArray *frags; /* of SimPacket*, sorted by offset; owned */
    SimEventId timer;
};

static guint
reasm_key_hash(gconstpointer p)
{
    const SimReasmKey *k = p;

    return sim_addr_hash(&k->src) * 31u + sim_addr_hash(&k->dst) * 17u + k->node * 7u +
           k->proto * 3u + k->id;
}

static gboolean
reasm_key_equal(gconstpointer x, gconstpointer y)
{
    const SimReasmKey *a = x, *b = y;

    return a->node == b->node && a->proto == b->proto && a->id == b->id &&
           sim_addr_equal(&a->src, &b->src) && sim_addr_equal(&a->dst, &b->dst);
}

static void
reasm_free(gpointer p)
{
    SimReasm *r = p;

    g_ptr_array_free(r->frags, TRUE);
    g_free(r);
}

void
sim__ip_reasm_free(SimNet *net)
{
    if (net->reasm != NULL)
        g_hash_table_destroy(net->reasm);
    net->reasm = NULL;
}

/**
 * sim_net_reasm_pending:
 * @world: the world
 *
 * Returns: the datagrams, over all nodes, whose fragments are waiting for
 *   the rest.
 */
size_t
sim_net_reasm_pending(const SimWorld *world)
{
    SimNet *net;

    g_return_val_if_fail(world != NULL, 0);
    net = sim__net_peek(world);
    return net != NULL && net->reasm != NULL ? g_hash_table_size(net->reasm) : 0;
}

static void
reasm_expire(SimWorld *world, void *data)
{
    SimReasm *r = data;
    SimNet *net = r->net;
    SimPacket *first = g_ptr_array_index(r->frags, 0);

    (void)world;
    r->timer = SIM_EVENT_ID_NONE;
    /* The datagram is lost: report it once, on the first fragment held. */
    ip_trace(net, SIM_TR_PKT_DROP, r->key.node, first->hop_node, first->hop_link,
             (SimLinkDir)first->hop_dir, SIM_DROP_FRAG, first);
    g_hash_table_remove(net->reasm, &r->key);
}

static guint32
frag_end(const SimPacket *f, guint32 h)
{
    return f->frag_offset + (f->frag_offset == 0 ? h : 0) + f->payload_len;
}

/* Adds fragment @pkt (consumed) to its datagram; returns the whole datagram
 * once every byte is in, else NULL.  Duplicate fragments are dropped
 * silently; the reassembled packet is a copy of the first fragment with the
 * whole payload (shared when the fragments lie contiguously in one buffer,
 * as the ones this file makes do). */
static SimPacket *
reasm_add(SimNet *net, SimNode *n, SimPacket *pkt)
{
    SimReasmKey key;
    SimReasm *r;
    SimPacket *first, *last, *whole;
    guint32 h, covered = 0, total, data_len;
    guint i;
    bool shared;

    memset(&key, 0, sizeof key);
    key.node = n->id;
    key.src = pkt->src;
    key.dst = pkt->dst;
    key.proto = pkt->proto;
    key.id = pkt->ip_id;
    if (net->reasm == NULL)
        net->reasm = g_hash_table_new_full(reasm_key_hash, reasm_key_equal, NULL, reasm_free);
    r = g_hash_table_lookup(net->reasm, &key);
    if (r == NULL) {
        r = g_new0(SimReasm, 1);
        r->key = key;
        r->net = net;
        r->frags = g_ptr_array_new_with_free_func((GDestroyNotify)sim_packet_unref);
        g_hash_table_insert(net->reasm, &r->key, r);
        r->timer = sim__event_schedule_full(net->world, net->world->now + net->reasm_timeout_ns,
                                            reasm_expire, r, NULL);
    }
    for (i = 0; i < r->frags->len; i++) {
        SimPacket *f = g_ptr_array_index(r->frags, i);

        if (f->frag_offset == pkt->frag_offset) {
            sim_packet_unref(pkt);
            return NULL;
        }
        if (f->frag_offset > pkt->frag_offset)
            break;
    }
    g_ptr_array_insert(r->frags, (gint)i, pkt);

    first = g_ptr_array_index(r->frags, 0);
    last = g_ptr_array_index(r->frags, r->frags->len - 1);
    if (first->frag_offset != 0 || last->more_frags)
        return NULL;
    h = sim_packet_l4_header_len(first);
    for (i = 0; i < r->frags->len; i++) {
        SimPacket *f = g_ptr_array_index(r->frags, i);

        if (f->frag_offset > covered)
            return NULL;
        covered = MAX(covered, frag_end(f, h));
    }
    total = frag_end(last, h);
    if (covered < total || total < h)
        return NULL;

    data_len = total - h;
    shared = first->payload != NULL && (size_t)first->payload_off + data_len <= first->payload->len;
    for (i = 0; i < r->frags->len && shared; i++) {
        SimPacket *f = g_ptr_array_index(r->frags, i);
        guint32 pos = f->frag_offset == 0 ? 0 : f->frag_offset - h;

        shared = f->payload == first->payload && f->payload_off == first->payload_off + pos;
    }
    whole = sim_packet_copy(net->world, first);
    whole->frag_offset = 0;
    whole->more_frags = false;
    whole->frag_dgram_len = 0;
    /* Deliver with the hop of the fragment that completed it. */
    whole->hop_node = pkt->hop_node;
    whole->hop_link = pkt->hop_link;
    whole->hop_dir = pkt->hop_dir;
    if (shared || data_len == 0) {
        whole->payload_len = data_len;
    } else {
        SimBuf *buf = sim_buf_new(NULL, data_len);

        for (i = 0; i < r->frags->len; i++) {
            SimPacket *f = g_ptr_array_index(r->frags, i);
            guint32 pos = f->frag_offset == 0 ? 0 : f->frag_offset - h;
            const guint8 *src = sim_packet_payload(f);

            if (src != NULL && pos < data_len)
                memcpy(buf->data + pos, src, MIN(f->payload_len, data_len - pos));
        }
        sim_packet_set_payload(whole, buf, 0, data_len);
        sim_buf_unref(buf);
    }
    sim_event_cancel(net->world, r->timer);
    g_hash_table_remove(net->reasm, &r->key);
    return whole;
}
