/* SPDX-License-Identifier: MIT
 *
 * sim-node.c: the network's nodes (hosts and routers), their addresses,
 * multicast membership, up/down state with its hooks, and the per-node
 * protocol slots transports hang their tables on.  It also owns the
 * network's per-world state (the SIM_MOD_NET slot), which the other network
 * files (sim-link.c, sim-route.c, sim-packet.c, sim-ip.c) share through
 * sim-net-private.h.
 */
#include "config.h"

#include "sim/sim-net.h"

#include <string.h>

#include "sim/sim-net-private.h"

static guint
addr_hash_cb(gconstpointer p)
{
    return sim_addr_hash(p);
}

static gboolean
addr_equal_cb(gconstpointer a, gconstpointer b)
{
    return sim_addr_equal(a, b);
}

static void
group_free(gpointer p)
{
    SimGroup *g = p;

    g_array_free(g->members, TRUE);
    g_free(g);
}

/* Reassembly keys hash by content (sim-ip.c defines them); the table itself
 * is created there on first use. */

SimNet *
sim__net_get(SimWorld *world)
{
    SimNet *net = sim__world_module(world, SIM_MOD_NET);

    if (net != NULL)
        return net;
    net = g_new0(SimNet, 1);
    net->world = world;
    net->nodes = g_ptr_array_new();
    net->links = g_ptr_array_new();
    net->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    net->by_addr = g_hash_table_new_full(addr_hash_cb, addr_equal_cb, g_free, NULL);
    net->groups = g_hash_table_new_full(addr_hash_cb, addr_equal_cb, NULL, group_free);
    net->hooks = g_array_new(FALSE, FALSE, sizeof(SimNetHook));
    net->route_tables = g_ptr_array_new();
    net->reasm_timeout_ns = SIM_NET_REASM_TIMEOUT_DEFAULT;
    sim__world_set_module(world, SIM_MOD_NET, net, sim__net_free);
    return net;
}

void
sim__node_free(SimNode *node)
{
    if (node == NULL)
        return;
    g_free(node->name);
    g_array_free(node->addrs, TRUE);
    g_array_free(node->links, TRUE);
    if (node->proto_slots != NULL)
        g_array_free(node->proto_slots, TRUE);
    g_free(node);
}

/* Module teardown, after the transports' (sim-world.c frees slots newest
 * first).  Transport data in the per-node proto slots goes first, since it
 * may still hold packets; the packet pool goes last, once nothing can return
 * a packet to it. */
void
sim__net_free(SimWorld *world, void *state)
{
    SimNet *net = state;

    (void)world;
    for (guint i = 0; i < net->nodes->len; i++) {
        SimNode *node = g_ptr_array_index(net->nodes, i);

        if (node->proto_slots == NULL)
            continue;
        for (guint j = 0; j < node->proto_slots->len; j++) {
            SimProtoSlot *s = &g_array_index(node->proto_slots, SimProtoSlot, j);

            if (s->destroy != NULL && s->data != NULL)
                s->destroy(s->data);
            s->data = NULL;
        }
    }
    sim__ip_reasm_free(net);
    sim__route_invalidate(net);
    g_ptr_array_free(net->route_tables, TRUE);
    g_free(net->mark);
    g_free(net->depth);
    for (guint i = 0; i < net->links->len; i++)
        sim__link_free(g_ptr_array_index(net->links, i));
    g_ptr_array_free(net->links, TRUE);
    for (guint i = 0; i < net->nodes->len; i++)
        sim__node_free(g_ptr_array_index(net->nodes, i));
    g_ptr_array_free(net->nodes, TRUE);
    g_hash_table_destroy(net->by_name);
    g_hash_table_destroy(net->by_addr);
    g_hash_table_destroy(net->groups);
    g_array_free(net->hooks, TRUE);
    if (net->route_hooks != NULL)
        g_array_free(net->route_hooks, TRUE);
    net->tearing_down = true;
    sim__packet_pool_free(net);
    g_free(net);
}

/* ---- Nodes ----------------------------------------------------------- */

/**
 * sim_node_add:
 * @world: the world
 * @name: a unique, non-empty name; it appears in traces and decides routing
 *   ties
 * @kind: SIM_NODE_HOST (never forwards) or SIM_NODE_ROUTER
 *
 * Adds a node, up, with no address and no link.  Ids are 1, 2, ... in
 * creation order.
 *
 * Returns: the new node's id, or SIM_ID_NONE if @name is empty or taken.
 */
SimNodeId
sim_node_add(SimWorld *world, const char *name, SimNodeKind kind)
{
    SimNet *net;
    SimNode *node;

    g_return_val_if_fail(world != NULL, SIM_ID_NONE);
    g_return_val_if_fail(kind == SIM_NODE_HOST || kind == SIM_NODE_ROUTER, SIM_ID_NONE);
    if (name == NULL || name[0] == '\0')
        return SIM_ID_NONE;
    net = sim__net_get(world);
    if (g_hash_table_contains(net->by_name, name))
        return SIM_ID_NONE;
    node = g_new0(SimNode, 1);
    node->id = net->nodes->len + 1;
    node->kind = kind;
    node->up = true;
    node->next_ip_id = 1;
    node->name = g_strdup(name);
    node->addrs = g_array_new(FALSE, FALSE, sizeof(SimNodeAddr));
    node->links = g_array_new(FALSE, FALSE, sizeof(SimLinkId));
    g_ptr_array_add(net->nodes, node);
    g_hash_table_insert(net->by_name, node->name, node);
    sim__route_invalidate(net);
    return node->id;
}

/**
 * sim_node_lookup:
 * @world: the world
 * @name: a node name
 *
 * Returns: the id of the node called @name, or SIM_ID_NONE.
 */
SimNodeId
sim_node_lookup(const SimWorld *world, const char *name)
{
    SimNet *net;
    SimNode *node;

    g_return_val_if_fail(world != NULL, SIM_ID_NONE);
    net = sim__net_peek(world);
    if (net == NULL || name == NULL)
        return SIM_ID_NONE;
    node = g_hash_table_lookup(net->by_name, name);
    return node != NULL ? node->id : SIM_ID_NONE;
}

/**
 * sim_node_name:
 * @world: the world
 * @node: a node id
 *
 * Returns: (transfer none) (nullable): the node's name, valid as long as the
 *   world; NULL for an unknown id.
 */
const char *
sim_node_name(const SimWorld *world, SimNodeId node)
{
    SimNode *n;

    g_return_val_if_fail(world != NULL, NULL);
    n = sim__net_node(sim__net_peek(world), node);
    return n != NULL ? n->name : NULL;
}

/**
 * sim_node_kind:
 * @world: the world
 * @node: a node id
 *
 * Returns: whether @node is a host or a router (SIM_NODE_HOST for an unknown
 *   id).
 */
SimNodeKind
sim_node_kind(const SimWorld *world, SimNodeId node)
{
    SimNode *n;

    g_return_val_if_fail(world != NULL, SIM_NODE_HOST);
    n = sim__net_node(sim__net_peek(world), node);
    return n != NULL ? n->kind : SIM_NODE_HOST;
}

/**
 * sim_world_node_count:
 * @world: the world
 *
 * Returns: the number of nodes; their ids are 1 to that number.
 */
size_t
sim_world_node_count(const SimWorld *world)
{
    SimNet *net;

    g_return_val_if_fail(world != NULL, 0);
    net = sim__net_peek(world);
    return net != NULL ? net->nodes->len : 0;
}

/* ---- Addresses ------------------------------------------------------- */

bool
sim__addr_in_subnet(const SimAddr *addr, const SimAddr *net_addr, guint prefix)
{
    guint full, rest;

    if (addr->family != net_addr->family)
        return false;
    full = prefix / 8;
    rest = prefix % 8;
    if (memcmp(addr->bytes, net_addr->bytes, full) != 0)
        return false;
    if (rest != 0) {
        guint8 mask = (guint8)(0xffu << (8 - rest));

        if ((addr->bytes[full] & mask) != (net_addr->bytes[full] & mask))
            return false;
    }
    return true;
}

SimNodeId
sim__net_node_by_addr(const SimNet *net, const SimAddr *addr)
{
    SimNode *node;

    if (net == NULL)
        return SIM_ID_NONE;
    node = g_hash_table_lookup(net->by_addr, addr);
    return node != NULL ? node->id : SIM_ID_NONE;
}

/**
 * sim_node_add_addr:
 * @world: the world
 * @node: the node that will own the address
 * @addr: an IPv4 or IPv6 unicast address, unique in the world
 * @prefix_len: the subnet prefix (0..32 or 0..128); it decides the directed
 *   broadcast address and which nodes a broadcast reaches
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown node; E_INVAL for a loopback,
 *   unspecified, multicast or broadcast address or a bad prefix;
 *   E_ADDRINUSE if some node already owns @addr.
 */
SimStatus
sim_node_add_addr(SimWorld *world, SimNodeId node, const SimAddr *addr, guint prefix_len)
{
    SimNet *net;
    SimNode *n;
    SimNodeAddr na;

    g_return_val_if_fail(world != NULL && addr != NULL, SIM_E_INVAL);
    net = sim__net_get(world);
    n = sim__net_node(net, node);
    if (n == NULL)
        return SIM_E_NOTFOUND;
    if (addr->family == SIM_AF_INET) {
        if (prefix_len > 32)
            return SIM_E_INVAL;
    } else if (addr->family == SIM_AF_INET6) {
        if (prefix_len > 128)
            return SIM_E_INVAL;
    } else {
        return SIM_E_INVAL;
    }
    if (sim_addr_is_any(addr) || sim_addr_is_loopback(addr) || sim_addr_is_multicast(addr) ||
        sim_addr_is_broadcast(addr))
        return SIM_E_INVAL;
    if (g_hash_table_contains(net->by_addr, addr))
        return SIM_E_ADDRINUSE;
    memset(&na, 0, sizeof na);
    na.addr.family = addr->family;
    memcpy(na.addr.bytes, addr->bytes, addr->family == SIM_AF_INET ? 4 : 16);
    na.prefix = prefix_len;
    g_array_append_val(n->addrs, na);
    g_hash_table_insert(net->by_addr, g_memdup2(&na.addr, sizeof na.addr), n);
    sim__route_hooks_schedule(net); /* address lists changed (sim_net_add_route_hook) */
    return SIM_OK;
}

/**
 * sim_node_remove_addr:
 * @world: the world
 * @node: the node owning @addr
 * @addr: one of @node's addresses (added by sim_node_add_addr)
 *
 * Removes @addr from @node at run time; the other addresses keep their
 * order.  Sockets bound to it stay bound; what they send no longer finds its
 * way back.  The route hooks are told (sim_net_add_route_hook).
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown node or an address @node does
 *   not own.
 */
SimStatus
sim_node_remove_addr(SimWorld *world, SimNodeId node, const SimAddr *addr)
{
    SimNet *net;
    SimNode *n;

    g_return_val_if_fail(world != NULL && addr != NULL, SIM_E_INVAL);
    net = sim__net_peek(world);
    n = sim__net_node(net, node);
    if (n == NULL || g_hash_table_lookup(net->by_addr, addr) != n)
        return SIM_E_NOTFOUND;
    for (guint i = 0; i < n->addrs->len; i++) {
        if (sim_addr_equal(&g_array_index(n->addrs, SimNodeAddr, i).addr, addr)) {
            g_array_remove_index(n->addrs, i);
            break;
        }
    }
    g_hash_table_remove(net->by_addr, addr);
    sim__route_invalidate(net); /* source-address choices change; runs the route hooks */
    return SIM_OK;
}

/**
 * sim_node_addr_count:
 * @world: the world
 * @node: a node id
 *
 * Returns: how many addresses @node has (the implicit loopback ones not
 *   counted).
 */
size_t
sim_node_addr_count(const SimWorld *world, SimNodeId node)
{
    SimNode *n;

    g_return_val_if_fail(world != NULL, 0);
    n = sim__net_node(sim__net_peek(world), node);
    return n != NULL ? n->addrs->len : 0;
}

/**
 * sim_node_addr:
 * @world: the world
 * @node: a node id
 * @index: 0 .. sim_node_addr_count() - 1, in the order added
 *
 * Returns: (transfer none) (nullable): the address, valid until the next
 *   address is added to @node; NULL when out of range.
 */
const SimAddr *
sim_node_addr(const SimWorld *world, SimNodeId node, size_t index)
{
    SimNode *n;

    g_return_val_if_fail(world != NULL, NULL);
    n = sim__net_node(sim__net_peek(world), node);
    if (n == NULL || index >= n->addrs->len)
        return NULL;
    return &g_array_index(n->addrs, SimNodeAddr, index).addr;
}

/**
 * sim_node_addr_prefix:
 * @world: the world
 * @node: a node id
 * @index: as for sim_node_addr()
 *
 * Returns: the prefix length of that address, 0 when out of range.
 */
guint
sim_node_addr_prefix(const SimWorld *world, SimNodeId node, size_t index)
{
    SimNode *n;

    g_return_val_if_fail(world != NULL, 0);
    n = sim__net_node(sim__net_peek(world), node);
    if (n == NULL || index >= n->addrs->len)
        return 0;
    return g_array_index(n->addrs, SimNodeAddr, index).prefix;
}

/**
 * sim_node_has_addr:
 * @world: the world
 * @node: a node id
 * @addr: an address
 *
 * Returns: TRUE if @addr is one of @node's addresses or a loopback address
 *   (every node owns 127.0.0.1 and ::1).
 */
bool
sim_node_has_addr(const SimWorld *world, SimNodeId node, const SimAddr *addr)
{
    SimNet *net;

    g_return_val_if_fail(world != NULL && addr != NULL, false);
    net = sim__net_peek(world);
    if (sim__net_node(net, node) == NULL)
        return false;
    if (sim_addr_is_loopback(addr))
        return true;
    return sim__net_node_by_addr(net, addr) == node;
}

/**
 * sim_node_by_addr:
 * @world: the world
 * @addr: an address
 *
 * Returns: the node owning @addr, or SIM_ID_NONE (always for loopback,
 *   multicast and broadcast addresses).
 */
SimNodeId
sim_node_by_addr(const SimWorld *world, const SimAddr *addr)
{
    g_return_val_if_fail(world != NULL && addr != NULL, SIM_ID_NONE);
    return sim__net_node_by_addr(sim__net_peek(world), addr);
}

/* The directed broadcast address of @na's subnet. */
static SimAddr
subnet_broadcast(const SimNodeAddr *na)
{
    SimAddr b = na->addr;

    for (guint bit = na->prefix; bit < 32; bit++)
        b.bytes[bit / 8] |= (guint8)(0x80u >> (bit % 8));
    return b;
}

/**
 * sim_node_is_broadcast_addr:
 * @world: the world
 * @node: the sending node
 * @addr: a destination address
 *
 * Returns: TRUE if @addr is the limited broadcast 255.255.255.255 or the
 *   directed broadcast of one of @node's IPv4 subnets (prefix < 31).
 *   Directed broadcasts of other subnets are not recognised: routers do not
 *   forward them (RFC 2644).
 */
bool
sim_node_is_broadcast_addr(const SimWorld *world, SimNodeId node, const SimAddr *addr)
{
    SimNode *n;

    g_return_val_if_fail(world != NULL && addr != NULL, false);
    if (addr->family != SIM_AF_INET)
        return false;
    if (sim_addr_is_broadcast(addr))
        return true;
    n = sim__net_node(sim__net_peek(world), node);
    if (n == NULL)
        return false;
    for (guint i = 0; i < n->addrs->len; i++) {
        const SimNodeAddr *na = &g_array_index(n->addrs, SimNodeAddr, i);
        SimAddr b;

        if (na->addr.family != SIM_AF_INET || na->prefix >= 31)
            continue;
        b = subnet_broadcast(na);
        if (sim_addr_equal(&b, addr))
            return true;
    }
    return false;
}

/* The first address of @family whose subnet contains @addr, or NULL. */
static const SimNodeAddr *
addr_on_subnet_of(const SimNode *n, const SimAddr *addr)
{
    for (guint i = 0; i < n->addrs->len; i++) {
        const SimNodeAddr *na = &g_array_index(n->addrs, SimNodeAddr, i);

        if (sim__addr_in_subnet(addr, &na->addr, na->prefix))
            return na;
    }
    return NULL;
}

/**
 * sim_node_source_addr:
 * @world: the world
 * @node: the sending node
 * @dst: the destination
 * @out_src: (out): the chosen source address
 *
 * Picks, among @node's addresses of @dst's family: for a loopback @dst, the
 * loopback address; for one of @node's own addresses, @dst itself; the
 * address whose subnet contains @dst (also for a directed broadcast); for
 * other unicast destinations, the address on the subnet of the first hop
 * (an address of the next node shares its subnet); otherwise the first
 * address of the family.
 *
 * Returns: SIM_OK; E_ADDRNOTAVAIL if @node has no address of that family;
 *   E_NETUNREACH if a unicast @dst is unknown or unreachable.
 */
SimStatus
sim_node_source_addr(const SimWorld *world, SimNodeId node, const SimAddr *dst, SimAddr *out_src)
{
    SimNet *net;
    SimNode *n, *next;
    const SimNodeAddr *na = NULL;
    SimNodeId dst_node;
    SimLinkId link;

    g_return_val_if_fail(world != NULL && dst != NULL && out_src != NULL, SIM_E_INVAL);
    net = sim__net_peek(world);
    n = sim__net_node(net, node);
    if (n == NULL)
        return SIM_E_NOTFOUND;
    if (sim_addr_is_loopback(dst)) {
        *out_src = *dst;
        return SIM_OK;
    }
    for (guint i = 0; i < n->addrs->len && na == NULL; i++) {
        if (g_array_index(n->addrs, SimNodeAddr, i).addr.family == dst->family)
            na = &g_array_index(n->addrs, SimNodeAddr, i);
    }
    if (na == NULL)
        return SIM_E_ADDRNOTAVAIL;
    if (sim_addr_is_multicast(dst) || sim_addr_is_broadcast(dst) || sim_addr_is_any(dst)) {
        *out_src = na->addr;
        return SIM_OK;
    }
    dst_node = sim__net_node_by_addr(net, dst);
    if (dst_node == node) {
        *out_src = *dst;
        return SIM_OK;
    }
    {
        const SimNodeAddr *on = addr_on_subnet_of(n, dst);

        if (on != NULL &&
            (dst_node != SIM_ID_NONE || sim_node_is_broadcast_addr(world, node, dst))) {
            *out_src = on->addr;
            return SIM_OK;
        }
    }
    if (dst_node == SIM_ID_NONE)
        return SIM_E_NETUNREACH;
    link = sim__route_next((SimNet *)net, node, dst_node);
    if (link == SIM_ID_NONE)
        return SIM_E_NETUNREACH;
    next = sim__net_node(net, sim__link_other(sim__net_link(net, link), node, NULL));
    for (guint i = 0; i < next->addrs->len; i++) {
        const SimNodeAddr *nb = &g_array_index(next->addrs, SimNodeAddr, i);
        const SimNodeAddr *mine;

        if (nb->addr.family != dst->family)
            continue;
        mine = addr_on_subnet_of(n, &nb->addr);
        if (mine != NULL) {
            *out_src = mine->addr;
            return SIM_OK;
        }
    }
    *out_src = na->addr;
    return SIM_OK;
}

/* ---- Up/down --------------------------------------------------------- */

/**
 * sim_node_set_up:
 * @world: the world
 * @node: a node id
 * @up: the new state
 *
 * Brings a whole node down (a crash: it drops what reaches it, cannot send,
 * and routers stop forwarding through it) or back up.  A change is traced
 * (SIM_TR_NODE_CHANGE), invalidates the routes, then runs the state hooks in
 * registration order.  Setting the current state again does nothing.
 */
void
sim_node_set_up(SimWorld *world, SimNodeId node, bool up)
{
    SimNet *net;
    SimNode *n;

    g_return_if_fail(world != NULL);
    net = sim__net_get(world);
    n = sim__net_node(net, node);
    g_return_if_fail(n != NULL);
    if (n->up == up)
        return;
    n->up = up;
    sim__route_invalidate(net);
    if (G_UNLIKELY(world->trace_on)) {
        SimTraceRecord rec = {
            .time = world->now,
            .kind = SIM_TR_NODE_CHANGE,
            .node = node,
            .subject = up ? "up" : "down",
        };
        sim_trace_emit(world, &rec);
    }
    /* A hook may add hooks: walk by index, re-reading the length. */
    for (guint i = 0; i < net->hooks->len; i++) {
        SimNetHook h = g_array_index(net->hooks, SimNetHook, i);

        h.fn(world, node, up, h.data);
    }
}

/**
 * sim_node_is_up:
 * @world: the world
 * @node: a node id
 *
 * Returns: TRUE if @node exists and is up.
 */
bool
sim_node_is_up(const SimWorld *world, SimNodeId node)
{
    SimNode *n;

    g_return_val_if_fail(world != NULL, false);
    n = sim__net_node(sim__net_peek(world), node);
    return n != NULL && n->up;
}

/**
 * sim_node_add_state_hook:
 * @world: the world
 * @fn: called after every up/down change of any node
 * @data: (transfer none): handed to @fn
 *
 * Hooks run in registration order and cannot be removed (they live as long
 * as the world).
 */
void
sim_node_add_state_hook(SimWorld *world, SimNodeHookFn fn, void *data)
{
    SimNetHook h = {fn, data};

    g_return_if_fail(world != NULL && fn != NULL);
    g_array_append_val(sim__net_get(world)->hooks, h);
}

/* ---- Per-node protocol slots ---------------------------------------- */

/**
 * sim_node_set_proto_data:
 * @world: the world
 * @node: a node id
 * @proto: an IP protocol number
 * @data: (transfer full) (nullable): the transport's data
 * @destroy: (nullable): frees @data when it is replaced or at world free
 *
 * Sets the transport's per-node data for @proto, destroying what was there.
 * At world free the destroy functions run during the network's teardown,
 * after the transports' own module state is gone, node by node in id order.
 */
void
sim_node_set_proto_data(SimWorld *world, SimNodeId node, guint8 proto, void *data,
                        GDestroyNotify destroy)
{
    SimNode *n;
    SimProtoSlot slot = {proto, data, destroy};

    g_return_if_fail(world != NULL);
    n = sim__net_node(sim__net_get(world), node);
    g_return_if_fail(n != NULL);
    if (n->proto_slots == NULL)
        n->proto_slots = g_array_new(FALSE, FALSE, sizeof(SimProtoSlot));
    for (guint i = 0; i < n->proto_slots->len; i++) {
        SimProtoSlot *s = &g_array_index(n->proto_slots, SimProtoSlot, i);

        if (s->proto == proto) {
            SimProtoSlot old = *s;

            *s = slot;
            if (old.destroy != NULL && old.data != NULL && old.data != data)
                old.destroy(old.data);
            return;
        }
    }
    g_array_append_val(n->proto_slots, slot);
}

/**
 * sim_node_get_proto_data:
 * @world: the world
 * @node: a node id
 * @proto: an IP protocol number
 *
 * Returns: (transfer none) (nullable): what sim_node_set_proto_data() set.
 */
void *
sim_node_get_proto_data(const SimWorld *world, SimNodeId node, guint8 proto)
{
    SimNode *n;

    g_return_val_if_fail(world != NULL, NULL);
    n = sim__net_node(sim__net_peek(world), node);
    if (n == NULL || n->proto_slots == NULL)
        return NULL;
    for (guint i = 0; i < n->proto_slots->len; i++) {
        SimProtoSlot *s = &g_array_index(n->proto_slots, SimProtoSlot, i);

        if (s->proto == proto)
            return s->data;
    }
    return NULL;
}

/* ---- Multicast membership ------------------------------------------- */

static gssize
member_index(const GArray *members, SimNodeId node, guint *out_insert)
{
    guint lo = 0, hi = members->len;

    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        SimNodeId m = g_array_index(members, SimGroupMember, mid).node;

        if (m == node)
            return mid;
        if (m < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (out_insert != NULL)
        *out_insert = lo;
    return -1;
}

const GArray *
sim__net_group_members(const SimNet *net, const SimAddr *group)
{
    SimGroup *g;

    if (net == NULL)
        return NULL;
    g = g_hash_table_lookup(net->groups, group);
    return g != NULL ? g->members : NULL;
}

/**
 * sim_node_join_group:
 * @world: the world
 * @node: the joining node
 * @group: an IPv4 (224/4) or IPv6 (ff00::/8) multicast address
 *
 * Counts one more membership of @node in @group.  Membership decides which
 * nodes sim_net_send() delivers a multicast packet to.
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown node; E_INVAL if @group is not
 *   a multicast address.
 */
SimStatus
sim_node_join_group(SimWorld *world, SimNodeId node, const SimAddr *group)
{
    SimNet *net;
    SimGroup *g;
    guint at = 0;
    gssize i;

    g_return_val_if_fail(world != NULL && group != NULL, SIM_E_INVAL);
    net = sim__net_get(world);
    if (sim__net_node(net, node) == NULL)
        return SIM_E_NOTFOUND;
    if (!sim_addr_is_multicast(group))
        return SIM_E_INVAL;
    g = g_hash_table_lookup(net->groups, group);
    if (g == NULL) {
        g = g_new0(SimGroup, 1);
        g->group = *group;
        g->members = g_array_new(FALSE, FALSE, sizeof(SimGroupMember));
        g_hash_table_insert(net->groups, &g->group, g);
    }
    i = member_index(g->members, node, &at);
    if (i >= 0) {
        g_array_index(g->members, SimGroupMember, i).count++;
    } else {
        SimGroupMember m = {node, 1};

        g_array_insert_val(g->members, at, m);
    }
    return SIM_OK;
}

/**
 * sim_node_leave_group:
 * @world: the world
 * @node: the leaving node
 * @group: a multicast address
 *
 * Drops one membership; @node stops receiving @group when the count reaches
 * zero.
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown node; E_ADDRNOTAVAIL if @node
 *   is not a member of @group.
 */
SimStatus
sim_node_leave_group(SimWorld *world, SimNodeId node, const SimAddr *group)
{
    SimNet *net;
    SimGroup *g;
    gssize i;

    g_return_val_if_fail(world != NULL && group != NULL, SIM_E_INVAL);
    net = sim__net_get(world);
    if (sim__net_node(net, node) == NULL)
        return SIM_E_NOTFOUND;
    g = g_hash_table_lookup(net->groups, group);
    if (g == NULL)
        return SIM_E_ADDRNOTAVAIL;
    i = member_index(g->members, node, NULL);
    if (i < 0)
        return SIM_E_ADDRNOTAVAIL;
    if (--g_array_index(g->members, SimGroupMember, i).count == 0)
        g_array_remove_index(g->members, (guint)i);
    if (g->members->len == 0)
        g_hash_table_remove(net->groups, group);
    return SIM_OK;
}

/**
 * sim_node_in_group:
 * @world: the world
 * @node: a node id
 * @group: a multicast address
 *
 * Returns: TRUE if @node holds at least one membership of @group.
 */
bool
sim_node_in_group(const SimWorld *world, SimNodeId node, const SimAddr *group)
{
    const GArray *members;

    g_return_val_if_fail(world != NULL && group != NULL, false);
    members = sim__net_group_members(sim__net_peek(world), group);
    return members != NULL && member_index(members, node, NULL) >= 0;
}
