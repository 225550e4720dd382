/* SPDX-License-Identifier: MIT
 *
 * sim-route.c: shortest-path routing and the delivery trees of multicast and
 * broadcast.
 *
 * A route is a shortest path by total latency (the latency of each link in
 * the direction travelled).  Among equal-cost paths a node picks the next
 * hop with the smallest name, then the link with the lowest id.  Only
 * routers carry traffic through; a host is a path's end, never its middle.
 *
 * Routes avoid links that are down and routers that are down when they
 * can.  When no path of live elements exists but a physical one does (a
 * partition), the route follows the physical path anyway and the packet is
 * lost where it meets the dead link or node (SIM_DROP_LINK_DOWN /
 * SIM_DROP_NODE_DOWN), as on a cut cable: the sender sees no error, and
 * traffic resumes when the element comes back.  E_NETUNREACH is for
 * destinations no path of links and routers reaches at all.
 *
 * No per-pair table: next hops are computed per destination, on demand, by
 * one Dijkstra run from the destination over reversed links, and cached
 * (guint32 per node) until the topology changes (a node or link is added,
 * a link goes up or down or changes latency, a node goes up or down).  A
 * node with a single link (a leaf: most hosts) never needs a table of its
 * own: a path to it is the path to the node at the other end of its link,
 * plus that link.  So a star of 10,000 hosts round one router needs one
 * table, the router's.
 */
#include "config.h"

#include "sim/sim-net.h"

#include <string.h>

#include "sim/sim-net-private.h"

/* Cached next-hop entries beyond which the cache starts afresh (keeps the
 * memory of large worlds bounded; results do not depend on it). */
#define ROUTE_CACHE_MAX_ENTRIES (16u * 1024u * 1024u)

void
sim__route_invalidate(SimNet *net)
{
    for (guint i = 0; i < net->route_tables->len; i++)
        g_free(g_ptr_array_index(net->route_tables, i));
    g_ptr_array_set_size(net->route_tables, 0);
    net->route_cached = 0;
    if (G_UNLIKELY(net->qos_changed != NULL))
        net->qos_changed(net->world); /* re-check reservations (sim-qos.c) */
    sim__route_hooks_schedule(net);
}

typedef struct {
    SimRouteHookFn fn;
    void *data;
} SimRouteHook;

static void
route_hooks_fire(SimWorld *world, void *data)
{
    SimNet *net = sim__net_peek(world);
    GArray *copy;

    (void)data;
    if (net == NULL || net->route_hooks == NULL)
        return;
    net->route_hook_ev = SIM_EVENT_ID_NONE;
    /* A hook may add hooks: run the ones registered now, in order. */
    copy = g_array_copy(net->route_hooks);
    for (guint i = 0; i < copy->len; i++) {
        SimRouteHook *h = &g_array_index(copy, SimRouteHook, i);

        h->fn(world, h->data);
    }
    g_array_free(copy, TRUE);
}

void
sim__route_hooks_schedule(SimNet *net)
{
    if (net->route_hooks == NULL || net->route_hooks->len == 0 ||
        net->route_hook_ev != SIM_EVENT_ID_NONE || net->tearing_down || net->world->in_teardown)
        return;
    net->route_hook_ev = sim_event_schedule(net->world, 0, route_hooks_fire, NULL);
}

/**
 * sim_net_add_route_hook:
 * @world: the world
 * @fn: called with @data after routes or addresses may have changed
 * @data: passed to @fn
 *
 * Registers @fn to learn that the routes or the address lists may have
 * changed: a node or link was added, a link went up or down or changed
 * latency, a node went up or down, an address was added to or removed from
 * a node (sim_node_add_addr, sim_node_remove_addr).  Hooks do not run inside
 * the change: one simulator event at the same virtual time, scheduled by the
 * first change of a batch, runs every hook in registration order, so hooks
 * may query routes (sim_node_source_addr, sim_net_route_links) freely.  The
 * call does not say what changed (and may be spurious): a hook compares
 * what it cares about with what it saw before.  Registering the same @fn
 * and @data again does nothing.  Hooks live as long as the world.
 */
void
sim_net_add_route_hook(SimWorld *world, SimRouteHookFn fn, void *data)
{
    SimNet *net;
    SimRouteHook h = { fn, data };

    g_return_if_fail(world != NULL && fn != NULL);
    net = sim__net_get(world);
    if (net->route_hooks == NULL)
        net->route_hooks = g_array_new(FALSE, FALSE, sizeof(SimRouteHook));
    for (guint i = 0; i < net->route_hooks->len; i++) {
        SimRouteHook *o = &g_array_index(net->route_hooks, SimRouteHook, i);

        if (o->fn == fn && o->data == data)
            return;
    }
    g_array_append_val(net->route_hooks, h);
}

/* Routing modes: over live elements only, or over every element (the
 * physical path, used when the first finds nothing).  Tables of both modes
 * share one cache: slot 2 * dst + mode. */
enum { ROUTE_LIVE = 0, ROUTE_PHYSICAL = 1 };

static inline bool
dir_usable(const SimLink *l, SimLinkDir dir, int mode)
{
    return mode == ROUTE_PHYSICAL || l->d[dir].p.up;
}

/* Does @n carry traffic for others? */
static inline bool
node_forwards(const SimNode *n, int mode)
{
    return n->kind == SIM_NODE_ROUTER && (mode == ROUTE_PHYSICAL || n->up);
}

typedef struct {
    SimTime dist;
    SimNodeId node;
} HeapItem;

static inline bool
item_before(const HeapItem *x, const HeapItem *y)
{
    return x->dist < y->dist || (x->dist == y->dist && x->node < y->node);
}

static void
heap_push(GArray *h, HeapItem it)
{
    guint i;

    g_array_append_val(h, it);
    i = h->len - 1;
    while (i > 0) {
        guint p = (i - 1) / 2;
        HeapItem *hp = &g_array_index(h, HeapItem, p);

        if (!item_before(&it, hp))
            break;
        g_array_index(h, HeapItem, i) = *hp;
        i = p;
    }
    g_array_index(h, HeapItem, i) = it;
}

static HeapItem
heap_pop(GArray *h)
{
    HeapItem top = g_array_index(h, HeapItem, 0);
    HeapItem last = g_array_index(h, HeapItem, h->len - 1);
    guint n = h->len - 1, i = 0;

    g_array_set_size(h, n);
    if (n == 0)
        return top;
    for (;;) {
        guint c = 2 * i + 1;

        if (c >= n)
            break;
        if (c + 1 < n &&
            item_before(&g_array_index(h, HeapItem, c + 1), &g_array_index(h, HeapItem, c)))
            c++;
        if (!item_before(&g_array_index(h, HeapItem, c), &last))
            break;
        g_array_index(h, HeapItem, i) = g_array_index(h, HeapItem, c);
        i = c;
    }
    g_array_index(h, HeapItem, i) = last;
    return top;
}

/* Is (@cand_node, @cand_link) a better next hop than (@cur_node,
 * @cur_link) at equal cost?  Smaller name first, then lower link id. */
static bool
better_hop(const SimNet *net, SimNodeId cand_node, SimLinkId cand_link, SimNodeId cur_node,
           SimLinkId cur_link)
{
    int c;

    if (cur_link == SIM_ID_NONE)
        return true;
    if (cand_node != cur_node) {
        c = strcmp(sim__net_node(net, cand_node)->name, sim__net_node(net, cur_node)->name);
        return c < 0;
    }
    return cand_link < cur_link;
}

/* One Dijkstra run from @dst over reversed links: for every node, the link
 * of its first hop toward @dst (0 when none). */
static guint32 *
route_table_compute(SimNet *net, SimNodeId dst, int mode)
{
    guint n = net->nodes->len;
    guint32 *next = g_new0(guint32, n + 1);
    SimTime *dist = g_new(SimTime, n + 1);
    guint8 *done = g_new0(guint8, n + 1);
    GArray *heap = g_array_sized_new(FALSE, FALSE, sizeof(HeapItem), 64);

    for (guint i = 0; i <= n; i++)
        dist[i] = G_MAXUINT64;
    dist[dst] = 0;
    heap_push(heap, (HeapItem){0, dst});
    while (heap->len > 0) {
        HeapItem it = heap_pop(heap);
        SimNode *u;

        if (done[it.node])
            continue;
        done[it.node] = 1;
        u = sim__net_node(net, it.node);
        /* The destination receives; only routers pass packets on. */
        if (it.node != dst && !node_forwards(u, mode))
            continue;
        for (guint i = 0; i < u->links->len; i++) {
            SimLink *l = sim__net_link(net, g_array_index(u->links, SimLinkId, i));
            SimLinkDir to_u;
            SimNodeId v = sim__link_other(l, it.node, NULL);
            SimTime nd;

            if (v == it.node || done[v])
                continue;
            /* The direction v -> u. */
            to_u = l->a == v ? SIM_DIR_AB : SIM_DIR_BA;
            if (!dir_usable(l, to_u, mode))
                continue;
            nd = it.dist + l->d[to_u].p.latency_ns;
            if (nd < dist[v] ||
                (nd == dist[v] &&
                 better_hop(net, it.node, l->id,
                            next[v] != 0 ? sim__link_other(sim__net_link(net, next[v]), v, NULL)
                                         : SIM_ID_NONE,
                            next[v]))) {
                dist[v] = nd;
                next[v] = l->id;
                heap_push(heap, (HeapItem){nd, v});
            }
        }
    }
    g_array_free(heap, TRUE);
    g_free(done);
    g_free(dist);
    net->route_computations++;
    return next;
}

static const guint32 *
route_table(SimNet *net, SimNodeId dst, int mode)
{
    guint slot = 2 * dst + (guint)mode;
    guint32 *t;

    if (net->route_tables->len <= slot)
        g_ptr_array_set_size(net->route_tables, (gint)(2 * net->nodes->len + 2));
    t = g_ptr_array_index(net->route_tables, slot);
    if (t != NULL)
        return t;
    if (net->route_cached + net->nodes->len + 1 > ROUTE_CACHE_MAX_ENTRIES) {
        sim__route_invalidate(net);
        g_ptr_array_set_size(net->route_tables, (gint)(2 * net->nodes->len + 2));
    }
    t = route_table_compute(net, dst, mode);
    g_ptr_array_index(net->route_tables, slot) = t;
    net->route_cached += net->nodes->len + 1;
    return t;
}

static SimLinkId
route_next_mode(SimNet *net, SimNodeId from, SimNodeId dst, int mode)
{
    SimNode *d = sim__net_node(net, dst);

    if (d->links->len == 1) {
        /* A leaf: reach it through the node at the other end of its link. */
        SimLinkId lid = g_array_index(d->links, SimLinkId, 0);
        SimLink *l = sim__net_link(net, lid);
        SimLinkDir to_d;
        SimNodeId att = sim__link_other(l, dst, NULL);
        SimNode *a = sim__net_node(net, att);

        to_d = l->a == att ? SIM_DIR_AB : SIM_DIR_BA;
        if (!dir_usable(l, to_d, mode))
            return SIM_ID_NONE;
        if (from == att)
            return lid;
        if (!node_forwards(a, mode) || a->links->len == 1)
            return SIM_ID_NONE;
        dst = att;
    }
    return route_table(net, dst, mode)[from];
}

/*
 * sim__route_next: the first link of the route from @from to @dst (from !=
 * dst): over live elements if possible, else the physical path (see the
 * file comment); 0 when there is none.
 */
SimLinkId
sim__route_next(SimNet *net, SimNodeId from, SimNodeId dst)
{
    SimLinkId lid;

    g_assert(from != dst);
    lid = route_next_mode(net, from, dst, ROUTE_LIVE);
    if (lid == SIM_ID_NONE)
        lid = route_next_mode(net, from, dst, ROUTE_PHYSICAL);
    return lid;
}

/* ---- Path queries ------------------------------------------------------ */

/* Walks the route from @node to @dst_node; FALSE if unreachable. */
static bool
route_walk(SimNet *net, SimNodeId node, SimNodeId dst_node, int *out_hops, guint32 *out_mtu)
{
    SimNodeId cur = node;
    guint32 mtu = G_MAXUINT32;
    int hops = 0;

    while (cur != dst_node) {
        SimLinkId lid = sim__route_next(net, cur, dst_node);
        SimLink *l;
        SimLinkDir dir;

        if (lid == SIM_ID_NONE || hops > (int)net->nodes->len)
            return false;
        l = sim__net_link(net, lid);
        cur = sim__link_other(l, cur, &dir);
        mtu = MIN(mtu, l->d[dir].p.mtu);
        hops++;
    }
    *out_hops = hops;
    *out_mtu = mtu;
    return true;
}

/**
 * sim_net_path_mtu:
 * @world: the world
 * @node: the sending node
 * @dst: the destination address
 *
 * Returns: the smallest MTU of the links on the route (in the direction
 *   travelled); SIM_NET_LOOPBACK_MTU when @dst is @node's own or a loopback
 *   address; for a multicast or broadcast @dst, the smallest MTU of @node's
 *   links that are up; 0 when @dst is unreachable.
 */
guint32
sim_net_path_mtu(const SimWorld *world, SimNodeId node, const SimAddr *dst)
{
    SimNet *net;
    SimNode *n;
    SimNodeId dn;
    int hops;
    guint32 mtu;

    g_return_val_if_fail(world != NULL && dst != NULL, 0);
    net = sim__net_peek(world);
    n = sim__net_node(net, node);
    if (n == NULL)
        return 0;
    if (sim_addr_is_loopback(dst))
        return SIM_NET_LOOPBACK_MTU;
    if (sim_addr_is_multicast(dst) || sim_node_is_broadcast_addr(world, node, dst)) {
        mtu = 0;
        for (guint i = 0; i < n->links->len; i++) {
            SimLink *l = sim__net_link(net, g_array_index(n->links, SimLinkId, i));
            SimLinkDir dir = l->a == node ? SIM_DIR_AB : SIM_DIR_BA;

            if (l->d[dir].p.up && (mtu == 0 || l->d[dir].p.mtu < mtu))
                mtu = l->d[dir].p.mtu;
        }
        return mtu;
    }
    dn = sim__net_node_by_addr(net, dst);
    if (dn == SIM_ID_NONE)
        return 0;
    if (dn == node)
        return SIM_NET_LOOPBACK_MTU;
    if (!route_walk((SimNet *)net, node, dn, &hops, &mtu))
        return 0;
    return mtu;
}

/**
 * sim_net_hop_count:
 * @world: the world
 * @node: the sending node
 * @dst: the destination address
 *
 * Returns: the links on the route from @node to @dst: 0 for @node's own or
 *   a loopback address, 1 for a neighbour; -1 when unreachable, unknown, or
 *   a multicast or broadcast address.
 */
int
sim_net_hop_count(const SimWorld *world, SimNodeId node, const SimAddr *dst)
{
    SimNet *net;
    SimNodeId dn;
    int hops;
    guint32 mtu;

    g_return_val_if_fail(world != NULL && dst != NULL, -1);
    net = sim__net_peek(world);
    if (sim__net_node(net, node) == NULL)
        return -1;
    if (sim_addr_is_loopback(dst))
        return 0;
    dn = sim__net_node_by_addr(net, dst);
    if (dn == SIM_ID_NONE)
        return -1;
    if (dn == node)
        return 0;
    return route_walk((SimNet *)net, node, dn, &hops, &mtu) ? hops : -1;
}

/**
 * sim_net_route_links:
 * @world: the world
 * @node: the sending node
 * @dst: the destination address
 * @out_hops: (out caller-allocates) (nullable): the links, first hop first
 * @cap: room in @out_hops
 *
 * The links a unicast packet from @node to @dst crosses now, each with the
 * direction it takes (the route sim_net_send() uses: over live elements,
 * else the physical path).  QoS admission control walks it.
 *
 * Returns: the number of hops (possibly more than @cap: only @cap are
 *   written); 0 for @node's own or a loopback address; -1 when unreachable,
 *   unknown, or a multicast or broadcast address.
 */
int
sim_net_route_links(const SimWorld *world, SimNodeId node, const SimAddr *dst,
                    SimNetHop *out_hops, size_t cap)
{
    SimNet *net;
    SimNodeId dn, cur;
    int hops = 0;

    g_return_val_if_fail(world != NULL && dst != NULL, -1);
    net = sim__net_peek(world);
    if (sim__net_node(net, node) == NULL)
        return -1;
    if (sim_addr_is_loopback(dst))
        return 0;
    dn = sim__net_node_by_addr(net, dst);
    if (dn == SIM_ID_NONE)
        return -1;
    for (cur = node; cur != dn;) {
        SimLinkId lid = sim__route_next((SimNet *)net, cur, dn);
        SimLink *l;
        SimLinkDir dir;

        if (lid == SIM_ID_NONE || hops > (int)net->nodes->len)
            return -1;
        l = sim__net_link(net, lid);
        cur = sim__link_other(l, cur, &dir);
        if (out_hops != NULL && (size_t)hops < cap)
            out_hops[hops] = (SimNetHop){lid, dir};
        hops++;
    }
    return hops;
}

/* ---- Delivery trees ---------------------------------------------------- */

typedef struct {
    SimNodeId parent, child;
    SimLinkId link;
    guint8 dir;
} TreeEdge;

static int
edge_cmp(const void *x, const void *y)
{
    const TreeEdge *a = x, *b = y;

    if (a->parent != b->parent)
        return a->parent < b->parent ? -1 : 1;
    if (a->link != b->link)
        return a->link < b->link ? -1 : 1;
    return 0;
}

static int
node_cmp(const void *x, const void *y)
{
    SimNodeId a = *(const SimNodeId *)x, b = *(const SimNodeId *)y;

    return a < b ? -1 : a > b ? 1 : 0;
}

static void
marks_reserve(SimNet *net)
{
    guint need = net->nodes->len + 1;

    if (net->mark_cap < need) {
        net->mark = g_renew(guint32, net->mark, need);
        net->depth = g_renew(guint32, net->depth, need);
        memset(net->mark + net->mark_cap, 0, (need - net->mark_cap) * sizeof(guint32));
        net->mark_cap = need;
    }
    if (++net->stamp == 0) {
        memset(net->mark, 0, net->mark_cap * sizeof(guint32));
        net->stamp = 1;
    }
}

/*
 * sim__route_plan_new: the delivery tree from @src to @members.
 *
 * Members are taken in id order; each one's unicast route is followed from
 * @src, and where it meets a node already in the tree it continues from
 * there, so every node has one parent and a shared link carries one copy.
 * (Routes of equal cost may differ between destinations; a subpath of a
 * shortest path is shortest, so joining the tree keeps every member on a
 * shortest path.)  A member whose depth in the tree exceeds @ttl hops, or
 * that is unreachable, is left out with the links only it needed.
 */
SimRoutePlan *
sim__route_plan_new(SimNet *net, SimNodeId src, const SimNodeId *members, size_t n_members,
                    guint ttl)
{
    GArray *edges = g_array_new(FALSE, FALSE, sizeof(TreeEdge));
    GArray *walk = g_array_new(FALSE, FALSE, sizeof(TreeEdge));
    GArray *tree_nodes = g_array_new(FALSE, FALSE, sizeof(SimNodeId));
    GArray *member_nodes = g_array_new(FALSE, FALSE, sizeof(SimNodeId));
    SimRoutePlan *plan = NULL;

    marks_reserve(net);
    net->mark[src] = net->stamp;
    net->depth[src] = 0;
    for (size_t m = 0; m < n_members; m++) {
        SimNodeId dst = members[m], cur = src;
        guint d = 0;
        bool reached = true;

        if (dst == src)
            continue;
        g_array_set_size(walk, 0);
        while (cur != dst) {
            SimLinkId lid = sim__route_next(net, cur, dst);
            SimLinkDir dir;
            SimNodeId v;

            if (lid == SIM_ID_NONE || walk->len > net->nodes->len) {
                reached = false;
                break;
            }
            v = sim__link_other(sim__net_link(net, lid), cur, &dir);
            if (net->mark[v] == net->stamp) {
                d = net->depth[v];
            } else {
                TreeEdge e = {cur, v, lid, (guint8)dir};

                d++;
                g_array_append_val(walk, e);
            }
            cur = v;
        }
        if (!reached || d > ttl)
            continue;
        for (guint i = 0; i < walk->len; i++) {
            TreeEdge *e = &g_array_index(walk, TreeEdge, i);

            net->mark[e->child] = net->stamp;
            net->depth[e->child] = net->depth[e->parent] + 1;
            g_array_append_val(edges, *e);
            g_array_append_val(tree_nodes, e->child);
        }
        g_array_append_val(member_nodes, dst);
    }
    if (member_nodes->len > 0) {
        guint n;

        g_array_append_val(tree_nodes, src);
        qsort(tree_nodes->data, tree_nodes->len, sizeof(SimNodeId), node_cmp);
        qsort(edges->data, edges->len, sizeof(TreeEdge), edge_cmp);
        n = tree_nodes->len;
        plan = g_new0(SimRoutePlan, 1);
        plan->refcount = 1;
        plan->n_nodes = n;
        plan->nodes = g_memdup2(tree_nodes->data, n * sizeof(SimNodeId));
        plan->member = g_new0(guint8, n);
        plan->child_start = g_new0(guint32, n + 1);
        plan->child_link = g_new(SimLinkId, MAX(edges->len, 1u));
        plan->child_dir = g_new(guint8, MAX(edges->len, 1u));
        for (guint i = 0; i < member_nodes->len; i++) {
            gssize k = sim__route_plan_find(plan, g_array_index(member_nodes, SimNodeId, i));

            g_assert(k >= 0);
            plan->member[k] = 1;
        }
        /* Edges are sorted by parent, as the nodes are. */
        for (guint i = 0, e = 0; i < n; i++) {
            plan->child_start[i] = e;
            while (e < edges->len && g_array_index(edges, TreeEdge, e).parent == plan->nodes[i]) {
                plan->child_link[e] = g_array_index(edges, TreeEdge, e).link;
                plan->child_dir[e] = g_array_index(edges, TreeEdge, e).dir;
                e++;
            }
            plan->child_start[i + 1] = e;
        }
    }
    g_array_free(edges, TRUE);
    g_array_free(walk, TRUE);
    g_array_free(tree_nodes, TRUE);
    g_array_free(member_nodes, TRUE);
    return plan;
}

SimRoutePlan *
sim__route_plan_ref(SimRoutePlan *plan)
{
    plan->refcount++;
    return plan;
}

void
sim__route_plan_unref(SimRoutePlan *plan)
{
    if (plan == NULL || --plan->refcount > 0)
        return;
    g_free(plan->nodes);
    g_free(plan->member);
    g_free(plan->child_start);
    g_free(plan->child_link);
    g_free(plan->child_dir);
    g_free(plan);
}

gssize
sim__route_plan_find(const SimRoutePlan *plan, SimNodeId node)
{
    guint lo = 0, hi = plan->n_nodes;

    while (lo < hi) {
        guint mid = (lo + hi) / 2;

        if (plan->nodes[mid] == node)
            return mid;
        if (plan->nodes[mid] < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}
