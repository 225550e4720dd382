/* SPDX-License-Identifier: MIT
 *
 * sim-udp.c: the datagram transport (RFC 768) over sim-net.h.  Sockets are
 * owned by the module state of the world and indexed per node by
 * (local address, port) and by port, so demultiplexing an arriving datagram
 * is two hash lookups, never a scan of the node's sockets.  Receive queues
 * hold references to the packets' payload buffers (no copy until the
 * application reads).  Broadcast and multicast delivery across the network
 * are the network layer's; multicast loopback to the sending node is ours.
 * ICMP port unreachable follows RFC 1122 §4.1.3.1 (send it for unicast with
 * no listener) and §3.2.2 (never for broadcast or multicast).
 * Choices and Windows-compatibility notes: doc/udp.md.
 */
#include "config.h"

#include "sim/sim-udp.h"

#include <stdarg.h>
#include <string.h>

#include "sim/sim-private.h"

/* ---- Data structures ------------------------------------------------- */

/* A queued datagram: a reference to the payload plus where it came from
 * and how it was addressed (sim_udp_recvmsg). */
typedef struct {
    SimSockAddr from;
    SimAddr to;
    SimUdpCast cast;
    SimBuf *buf; /* (nullable) for an empty datagram */
    guint32 off, len;
} UdpDgram;

typedef struct {
    SimSocketId id;
    SimNodeId node;
    SimFamily family;
    bool bound;
    bool connected;
    SimSockAddr local; /* as bound; the address may be the wildcard */
    SimSockAddr peer;  /* valid when connected */
    SimAddr conn_src;  /* source chosen at connect time (wildcard binds) */

    bool broadcast, reuse, exclusive, mcast_loop, circular;
    guint8 ttl, mcast_ttl;
    SimUdpUnreachMode unreach;
    guint32 rcvbuf;
    guint32 flow_id;
    guint8 service_class;
    SimAddr mcast_if; /* family SIM_AF_NONE: the route decides */
    GArray *groups;   /* of SimAddr, in join order */

    GQueue queue; /* of UdpDgram *, oldest first */
    size_t queued_bytes;
    SimStatus pending_error;

    SimSockNotifyFn notify;
    void *notify_data;
    SimUdpStats stats;
} UdpSock;

/* Demultiplexing key: exactly the address and port a socket is bound to. */
typedef struct {
    guint8 family;
    guint8 addr[16];
    guint16 port;
} UdpKey;

typedef struct {
    UdpKey key;
    GPtrArray *socks; /* of UdpSock * (borrowed), in bind order */
} UdpBucket;

typedef struct {
    SimNodeId id;
    GHashTable *by_addr; /* UdpKey * -> UdpBucket * (owned) */
    GHashTable *by_port; /* (family << 16 | port) -> GPtrArray * of UdpSock *, in bind order */
    GPtrArray *socks;    /* every socket of the node, by increasing id */
    bool port_ready;
    guint32 next_port;
} UdpNode;

typedef struct {
    GHashTable *socks; /* id -> UdpSock * (owned); lookup only, never iterated for output */
    GPtrArray *nodes;  /* index: node id -> UdpNode * (owned) or NULL */
} UdpState;

/* A multicast datagram looped back to its own node. */
typedef struct {
    SimNodeId node;
    SimPacket *pkt;
} UdpLoop;

/* A notification to deliver once the state is consistent again. */
typedef struct {
    SimSocketId id;
    guint32 events;
    SimStatus err;
    SimSockNotifyFn fn; /* only for sockets that no longer exist */
    void *data;
} UdpNote;

/* ---- Helpers --------------------------------------------------------- */

static size_t
addr_len(guint8 family)
{
    return family == SIM_AF_INET6 ? 16 : 4;
}

static UdpKey
key_make(const SimAddr *addr, guint16 port)
{
    UdpKey k;

    memset(&k, 0, sizeof k);
    k.family = addr->family;
    memcpy(k.addr, addr->bytes, addr_len(addr->family));
    k.port = port;
    return k;
}

static guint
key_hash(gconstpointer p)
{
    const UdpKey *k = p;
    guint32 h = 2166136261u;

    h = (h ^ k->family) * 16777619u;
    for (size_t i = 0; i < sizeof k->addr; i++)
        h = (h ^ k->addr[i]) * 16777619u;
    h = (h ^ (k->port & 0xff)) * 16777619u;
    h = (h ^ (k->port >> 8)) * 16777619u;
    return h;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
    const UdpKey *x = a, *y = b;

    return x->family == y->family && x->port == y->port &&
           memcmp(x->addr, y->addr, sizeof x->addr) == 0;
}

static gpointer
port_key(guint8 family, guint16 port)
{
    return GUINT_TO_POINTER(((guint) family << 16) | port);
}

static bool
sockaddr_equal(const SimSockAddr *a, const SimSockAddr *b)
{
    return a->port == b->port && sim_addr_equal(&a->addr, &b->addr);
}

static void
bucket_free(gpointer p)
{
    UdpBucket *b = p;

    g_ptr_array_unref(b->socks);
    g_free(b);
}

static void
dgram_free(UdpDgram *d)
{
    if (d->buf != NULL)
        sim_buf_unref(d->buf);
    g_free(d);
}

static void
sock_free(UdpSock *s)
{
    UdpDgram *d;

    while ((d = g_queue_pop_head(&s->queue)) != NULL)
        dgram_free(d);
    g_array_unref(s->groups);
    g_free(s);
}

static void
node_free(gpointer p)
{
    UdpNode *n = p;

    if (n == NULL)
        return;
    g_hash_table_unref(n->by_addr);
    g_hash_table_unref(n->by_port);
    g_ptr_array_unref(n->socks);
    g_free(n);
}

static void
state_free(SimWorld *world, void *p)
{
    UdpState *st = p;

    (void) world;
    /* Sockets first (they own their queues); the per-node indexes only
     * borrow them and are freed after without looking inside. */
    g_hash_table_unref(st->socks);
    g_ptr_array_unref(st->nodes);
    g_free(st);
}

/* NULL before the first socket and after the module is torn down (the
 * world clears the slot), so late callbacks find nothing to do.  During
 * teardown, actors unwinding before the transports still find their
 * sockets. */
static UdpState *
state_peek(const SimWorld *world)
{
    return sim__world_module(world, SIM_MOD_UDP);
}

static UdpSock *
sock_lookup(const SimWorld *world, SimSocketId id)
{
    UdpState *st = state_peek(world);

    if (st == NULL || id == 0)
        return NULL;
    return g_hash_table_lookup(st->socks, GUINT_TO_POINTER(id));
}

static UdpNode *
node_peek(UdpState *st, SimNodeId node)
{
    if (node >= st->nodes->len)
        return NULL;
    return g_ptr_array_index(st->nodes, node);
}

static UdpNode *
node_ensure(UdpState *st, SimNodeId node)
{
    UdpNode *n = node_peek(st, node);

    if (n != NULL)
        return n;
    if (node >= st->nodes->len)
        g_ptr_array_set_size(st->nodes, node + 1);
    n = g_new0(UdpNode, 1);
    n->id = node;
    n->by_addr = g_hash_table_new_full(key_hash, key_equal, NULL, bucket_free);
    n->by_port = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) g_ptr_array_unref);
    n->socks = g_ptr_array_new();
    g_ptr_array_index(st->nodes, node) = n;
    return n;
}

static UdpBucket *
bucket_lookup(const UdpNode *n, const SimAddr *addr, guint16 port)
{
    UdpKey k = key_make(addr, port);

    return g_hash_table_lookup(n->by_addr, &k);
}

static bool
sock_in_group(const UdpSock *s, const SimAddr *group)
{
    for (guint i = 0; i < s->groups->len; i++)
        if (sim_addr_equal(&g_array_index(s->groups, SimAddr, i), group))
            return true;
    return false;
}

static void trace_pkt(SimWorld *world, SimTraceKind kind, SimNodeId node, const SimPacket *pkt,
                      SimDropReason reason, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static void
trace_pkt(SimWorld *world, SimTraceKind kind, SimNodeId node, const SimPacket *pkt,
          SimDropReason reason, const char *fmt, ...)
{
    SimTraceRecord rec;
    g_autofree char *text = NULL;
    va_list ap;

    if (!sim_trace_enabled(world))
        return;
    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    memset(&rec, 0, sizeof rec);
    rec.time = sim_world_now(world);
    rec.kind = kind;
    rec.node = node;
    rec.reason = reason;
    rec.packet = pkt;
    /* A local delivery comes from the node itself; a drop names no peer
     * (the text trace then shows the destination address). */
    rec.peer = kind == SIM_TR_PKT_DELIVER ? node : SIM_ID_NONE;
    rec.text = text; /* the packet summary already says "UDP" */
    sim_trace_emit(world, &rec);
}

/* Run the collected notifications, each re-looked-up by id: an earlier
 * callback may have closed a later socket. */
static void
notes_run(SimWorld *world, GArray *notes)
{
    for (guint i = 0; i < notes->len; i++) {
        const UdpNote *nt = &g_array_index(notes, UdpNote, i);

        if (nt->fn != NULL) {
            nt->fn(world, nt->id, nt->events, nt->err, nt->data);
        } else {
            UdpSock *s = sock_lookup(world, nt->id);

            if (s != NULL && s->notify != NULL)
                s->notify(world, nt->id, nt->events, nt->err, s->notify_data);
        }
    }
}

static void
notify_one(SimWorld *world, SimSocketId id, guint32 events, SimStatus err)
{
    UdpSock *s = sock_lookup(world, id);

    if (s != NULL && s->notify != NULL)
        s->notify(world, id, events, err, s->notify_data);
}

/* ---- Addresses and broadcast ---------------------------------------- */

/* The address of @node whose subnet @bcast is the directed broadcast of:
 * the natural source of a directed broadcast.  NULL when none. */
static const SimAddr *
broadcast_subnet_addr(const SimWorld *world, SimNodeId node, const SimAddr *bcast)
{
    guint32 a = sim_addr_v4_u32(bcast);
    size_t count = sim_node_addr_count(world, node);

    for (size_t i = 0; i < count; i++) {
        const SimAddr *mine = sim_node_addr(world, node, i);
        guint prefix = sim_node_addr_prefix(world, node, i);
        guint32 mask;

        if (mine->family != SIM_AF_INET || prefix == 0 || prefix > 30)
            continue;
        mask = 0xffffffffu << (32 - prefix);
        if ((sim_addr_v4_u32(mine) & mask) == (a & mask) && (a | mask) == 0xffffffffu)
            return mine;
    }
    return NULL;
}

/* First non-loopback address of @family on @node. */
static bool
node_first_addr(const SimWorld *world, SimNodeId node, guint8 family, SimAddr *out)
{
    size_t count = sim_node_addr_count(world, node);

    for (size_t i = 0; i < count; i++) {
        const SimAddr *a = sim_node_addr(world, node, i);

        if (a->family == family && !sim_addr_is_loopback(a)) {
            *out = *a;
            return true;
        }
    }
    return false;
}

/* The source address @s uses towards @dst. */
static SimStatus
choose_src(const SimWorld *world, const UdpSock *s, const SimAddr *dst, SimAddr *out)
{
    const SimAddr *subnet;

    if (s->bound && !sim_addr_is_any(&s->local.addr)) {
        *out = s->local.addr;
        return SIM_OK;
    }
    if (s->connected && sim_addr_equal(dst, &s->peer.addr)) {
        *out = s->conn_src;
        return SIM_OK;
    }
    if (sim_addr_is_multicast(dst)) {
        /* The outgoing interface: IP_MULTICAST_IF, else the route, else the
         * node's first address (a group with no route still loops back). */
        if (s->mcast_if.family != SIM_AF_NONE) {
            *out = s->mcast_if;
            return SIM_OK;
        }
        if (sim_node_source_addr(world, s->node, dst, out) == SIM_OK)
            return SIM_OK;
        return node_first_addr(world, s->node, s->family, out) ? SIM_OK : SIM_E_NETUNREACH;
    }
    if (sim_node_is_broadcast_addr(world, s->node, dst)) {
        subnet = broadcast_subnet_addr(world, s->node, dst);
        if (subnet != NULL) {
            *out = *subnet;
            return SIM_OK;
        }
        if (sim_node_source_addr(world, s->node, dst, out) == SIM_OK)
            return SIM_OK;
        return node_first_addr(world, s->node, s->family, out) ? SIM_OK : SIM_E_NETUNREACH;
    }
    return sim_node_source_addr(world, s->node, dst, out);
}

/* ---- Module set-up ---------------------------------------------------- */

static void udp_input(SimWorld *world, SimNodeId node, SimPacket *pkt, void *data);
static void udp_error_input(SimWorld *world, SimNodeId node, const SimIcmpHeader *icmp, void *data);
static void udp_node_hook(SimWorld *world, SimNodeId node, bool up, void *data);

static UdpState *
state_ensure(SimWorld *world)
{
    UdpState *st = sim__world_module(world, SIM_MOD_UDP);

    if (st != NULL)
        return st;
    st = g_new0(UdpState, 1);
    st->socks =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) sock_free);
    st->nodes = g_ptr_array_new_with_free_func(node_free);
    sim__world_set_module(world, SIM_MOD_UDP, st, state_free);
    sim_net_register_proto(world, SIM_PROTO_UDP, udp_input, NULL);
    sim_net_register_proto_error(world, SIM_PROTO_UDP, udp_error_input, NULL);
    sim_node_add_state_hook(world, udp_node_hook, NULL);
    return st;
}

/**
 * sim_udp_init:
 * @world: the world
 *
 * Registers the datagram transport with the network layer (UDP input, ICMP
 * errors about UDP, node up/down hook).  sim_udp_open() calls it; call it
 * yourself when a node without sockets must already answer datagrams with
 * port unreachable.  Calling it again does nothing.
 */
void
sim_udp_init(SimWorld *world)
{
    g_return_if_fail(world != NULL);
    state_ensure(world);
}

/* ---- Open, close, crash --------------------------------------------- */

/**
 * sim_udp_open:
 * @world: the world
 * @node: the host the endpoint lives on
 * @family: SIM_AF_INET or SIM_AF_INET6
 *
 * Creates an unbound datagram endpoint with the defaults listed at
 * #SimUdpOpt.  It is bound explicitly with sim_udp_bind() or implicitly (to
 * the wildcard address and an ephemeral port) by the first send or connect.
 *
 * Returns: a new id from sim_socket_id_next(), or SIM_ID_NONE when @node is
 * down (a crashed host has no sockets).
 */
SimSocketId
sim_udp_open(SimWorld *world, SimNodeId node, SimFamily family)
{
    UdpState *st;
    UdpSock *s;

    g_return_val_if_fail(world != NULL, SIM_ID_NONE);
    g_return_val_if_fail(family == SIM_AF_INET || family == SIM_AF_INET6, SIM_ID_NONE);
    g_return_val_if_fail(node != SIM_ID_NONE && node <= sim_world_node_count(world), SIM_ID_NONE);

    if (!sim_node_is_up(world, node))
        return SIM_ID_NONE;
    st = state_ensure(world);
    s = g_new0(UdpSock, 1);
    s->id = sim_socket_id_next(world);
    s->node = node;
    s->family = family;
    s->mcast_loop = true;
    s->ttl = SIM_UDP_DEFAULT_TTL;
    s->mcast_ttl = SIM_UDP_DEFAULT_MCAST_TTL;
    s->unreach = SIM_UDP_UNREACH_CONNECTED;
    s->rcvbuf = SIM_UDP_DEFAULT_RCVBUF;
    s->groups = g_array_new(FALSE, FALSE, sizeof(SimAddr));
    s->pending_error = SIM_OK;
    g_queue_init(&s->queue);
    g_hash_table_insert(st->socks, GUINT_TO_POINTER(s->id), s);
    g_ptr_array_add(node_ensure(st, node)->socks, s);
    return s->id;
}

/* Each socket's join is one counted membership of its node
 * (sim_node_join_group); this is its leave.  The node may be going down:
 * the network decides what a leave means then, and its status changes
 * nothing here. */
static void
group_node_unref(SimWorld *world, SimNodeId node, const SimAddr *group)
{
    (void) sim_node_leave_group(world, node, group);
}

/* Take @s out of every index and free it.  No callbacks run. */
static void
sock_destroy(SimWorld *world, UdpState *st, UdpSock *s)
{
    UdpNode *n = node_peek(st, s->node);

    g_assert(n != NULL);
    if (s->bound) {
        UdpBucket *b = bucket_lookup(n, &s->local.addr, s->local.port);
        GPtrArray *ports = g_hash_table_lookup(n->by_port, port_key(s->family, s->local.port));

        g_assert(b != NULL && ports != NULL);
        g_ptr_array_remove(b->socks, s);
        if (b->socks->len == 0)
            g_hash_table_remove(n->by_addr, &b->key);
        g_ptr_array_remove(ports, s);
        if (ports->len == 0)
            g_hash_table_remove(n->by_port, port_key(s->family, s->local.port));
    }
    for (guint i = 0; i < s->groups->len; i++)
        group_node_unref(world, s->node, &g_array_index(s->groups, SimAddr, i));
    g_ptr_array_remove(n->socks, s);
    g_hash_table_remove(st->socks, GUINT_TO_POINTER(s->id)); /* frees s */
}

/**
 * sim_udp_close:
 * @world: the world
 * @sock: a datagram endpoint
 *
 * Frees the endpoint at once: queued datagrams are discarded, group
 * memberships dropped, the address released.  No notification is sent (the
 * caller knows).  The id is never reused.
 *
 * Returns: SIM_OK, or SIM_E_NOTFOUND if @sock does not exist (closed, or
 * freed by a crash of its host).
 */
SimStatus
sim_udp_close(SimWorld *world, SimSocketId sock)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    sock_destroy(world, state_peek(world), s);
    return SIM_OK;
}

/* A host that goes down loses every datagram socket; each owner hears
 * SIM_SOCK_EV_FREED (err SIM_E_NETDOWN) once all of them are gone. */
static void
udp_node_hook(SimWorld *world, SimNodeId node, bool up, void *data)
{
    UdpState *st = state_peek(world);
    UdpNode *n;
    g_autoptr(GArray) notes = NULL;

    (void) data;
    if (up || st == NULL || (n = node_peek(st, node)) == NULL || n->socks->len == 0)
        return;
    notes = g_array_new(FALSE, TRUE, sizeof(UdpNote));
    while (n->socks->len > 0) {
        UdpSock *s = g_ptr_array_index(n->socks, 0);
        UdpNote nt = { s->id, SIM_SOCK_EV_FREED, SIM_E_NETDOWN, s->notify, s->notify_data };

        if (nt.fn != NULL)
            g_array_append_val(notes, nt);
        sim_trace_textf(world, SIM_TR_NOTE, node, 0, "UDP", "socket %u freed: host down", s->id);
        sock_destroy(world, st, s);
    }
    notes_run(world, notes);
}

bool
sim_udp_exists(const SimWorld *world, SimSocketId sock)
{
    g_return_val_if_fail(world != NULL, false);
    return sock_lookup(world, sock) != NULL;
}

SimNodeId
sim_udp_node(const SimWorld *world, SimSocketId sock)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL, SIM_ID_NONE);
    s = sock_lookup(world, sock);
    return s != NULL ? s->node : SIM_ID_NONE;
}

SimFamily
sim_udp_family(const SimWorld *world, SimSocketId sock)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL, SIM_AF_NONE);
    s = sock_lookup(world, sock);
    return s != NULL ? s->family : SIM_AF_NONE;
}

/**
 * sim_udp_socket_count:
 * @world: the world
 *
 * Returns: the number of datagram endpoints alive in @world (tests check it
 * drops to zero).
 */
size_t
sim_udp_socket_count(const SimWorld *world)
{
    UdpState *st;

    g_return_val_if_fail(world != NULL, 0);
    st = state_peek(world);
    return st != NULL ? g_hash_table_size(st->socks) : 0;
}

/**
 * sim_udp_set_notify:
 * @world: the world
 * @sock: a datagram endpoint
 * @fn: (nullable): called with SIM_SOCK_EV_* bits as things happen
 * @data: (transfer none): handed to @fn
 *
 * Events: WRITABLE after a bind (explicit or implicit) and with CONNECTED
 * after a connect — both before the call returns, as its last action;
 * READABLE when a datagram lands in an empty queue (edge: the caller
 * re-checks sim_udp_queued_count() after a receive); ERROR|READABLE with
 * the pending error when an ICMP error is reported; FREED (err
 * SIM_E_NETDOWN) when the host goes down.  The callback may close @sock or
 * any other endpoint.
 */
void
sim_udp_set_notify(SimWorld *world, SimSocketId sock, SimSockNotifyFn fn, void *data)
{
    UdpSock *s;

    g_return_if_fail(world != NULL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return;
    s->notify = fn;
    s->notify_data = data;
}

/* ---- Options --------------------------------------------------------- */

/**
 * sim_udp_set_option:
 * @world: the world
 * @sock: a datagram endpoint
 * @opt: which option
 * @value: the new value (see #SimUdpOpt for the ranges)
 *
 * Returns: SIM_OK; SIM_E_NOTFOUND; SIM_E_INVAL for a value out of range, for
 * EXCLUSIVEADDR after bind, and for EXCLUSIVEADDR together with REUSEADDR
 * (Windows refuses whichever of the two is set second).
 */
SimStatus
sim_udp_set_option(SimWorld *world, SimSocketId sock, SimUdpOpt opt, gint64 value)
{
    UdpSock *s;
    bool on = value != 0;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    switch (opt) {
    case SIM_UDP_OPT_BROADCAST:
        s->broadcast = on;
        return SIM_OK;
    case SIM_UDP_OPT_REUSEADDR:
        if (on && s->exclusive)
            return SIM_E_INVAL;
        s->reuse = on; /* after bind: accepted, no effect (consulted at bind only) */
        return SIM_OK;
    case SIM_UDP_OPT_EXCLUSIVEADDR:
        if (s->bound || (on && s->reuse))
            return SIM_E_INVAL;
        s->exclusive = on;
        return SIM_OK;
    case SIM_UDP_OPT_RCVBUF:
        if (value < 0 || value > SIM_UDP_MAX_RCVBUF)
            return SIM_E_INVAL;
        s->rcvbuf = (guint32) value; /* what is queued stays queued */
        return SIM_OK;
    case SIM_UDP_OPT_TTL:
        if (value < 1 || value > 255)
            return SIM_E_INVAL;
        s->ttl = (guint8) value;
        return SIM_OK;
    case SIM_UDP_OPT_MCAST_TTL:
        if (value < 0 || value > 255)
            return SIM_E_INVAL;
        s->mcast_ttl = (guint8) value;
        return SIM_OK;
    case SIM_UDP_OPT_MCAST_LOOP:
        s->mcast_loop = on;
        return SIM_OK;
    case SIM_UDP_OPT_UNREACH_MODE:
        if (value != SIM_UDP_UNREACH_CONNECTED && value != SIM_UDP_UNREACH_ALL &&
            value != SIM_UDP_UNREACH_NONE)
            return SIM_E_INVAL;
        s->unreach = (SimUdpUnreachMode) value;
        return SIM_OK;
    case SIM_UDP_OPT_CIRCULAR:
        s->circular = on;
        return SIM_OK;
    case SIM_UDP_OPT_FLOW_ID:
        if (value < 0 || value > G_MAXUINT32)
            return SIM_E_INVAL;
        s->flow_id = (guint32) value;
        return SIM_OK;
    case SIM_UDP_OPT_SERVICE_CLASS:
        if (value < 0 || value > 255)
            return SIM_E_INVAL;
        s->service_class = (guint8) value;
        return SIM_OK;
    case SIM_UDP_N_OPTS:
        break;
    }
    return SIM_E_INVAL;
}

/**
 * sim_udp_get_option:
 * @world: the world
 * @sock: a datagram endpoint
 * @opt: which option
 * @out_value: (out): its current value
 *
 * Returns: SIM_OK, SIM_E_NOTFOUND, or SIM_E_INVAL for an unknown @opt.
 */
SimStatus
sim_udp_get_option(const SimWorld *world, SimSocketId sock, SimUdpOpt opt, gint64 *out_value)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL && out_value != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    switch (opt) {
    case SIM_UDP_OPT_BROADCAST:
        *out_value = s->broadcast;
        return SIM_OK;
    case SIM_UDP_OPT_REUSEADDR:
        *out_value = s->reuse;
        return SIM_OK;
    case SIM_UDP_OPT_EXCLUSIVEADDR:
        *out_value = s->exclusive;
        return SIM_OK;
    case SIM_UDP_OPT_RCVBUF:
        *out_value = s->rcvbuf;
        return SIM_OK;
    case SIM_UDP_OPT_TTL:
        *out_value = s->ttl;
        return SIM_OK;
    case SIM_UDP_OPT_MCAST_TTL:
        *out_value = s->mcast_ttl;
        return SIM_OK;
    case SIM_UDP_OPT_MCAST_LOOP:
        *out_value = s->mcast_loop;
        return SIM_OK;
    case SIM_UDP_OPT_UNREACH_MODE:
        *out_value = s->unreach;
        return SIM_OK;
    case SIM_UDP_OPT_CIRCULAR:
        *out_value = s->circular;
        return SIM_OK;
    case SIM_UDP_OPT_FLOW_ID:
        *out_value = s->flow_id;
        return SIM_OK;
    case SIM_UDP_OPT_SERVICE_CLASS:
        *out_value = s->service_class;
        return SIM_OK;
    case SIM_UDP_N_OPTS:
        break;
    }
    return SIM_E_INVAL;
}

/* ---- Bind ------------------------------------------------------------ */

/*
 * May @s take (@addr, @port)?  Two bindings overlap when their addresses are
 * equal or either is the wildcard.  Against each overlapping socket, in
 * Windows' order of precedence (MSDN "Using SO_REUSEADDR and
 * SO_EXCLUSIVEADDRUSE"):
 *   - the existing one is exclusive: E_ACCES if the newcomer asks for reuse,
 *     else E_ADDRINUSE;
 *   - the newcomer is exclusive: E_ADDRINUSE;
 *   - the newcomer has REUSEADDR: allowed;
 *   - default: a specific address over a wildcard one is allowed (Windows
 *     lets it, which is why SO_EXCLUSIVEADDRUSE exists); anything else —
 *     the same address, or a wildcard over a specific one — is E_ADDRINUSE.
 */
static SimStatus
bind_check(const UdpNode *n, const UdpSock *s, const SimAddr *addr, guint16 port)
{
    GPtrArray *ports = g_hash_table_lookup(n->by_port, port_key(s->family, port));
    bool any = sim_addr_is_any(addr);

    if (ports == NULL)
        return SIM_OK;
    for (guint i = 0; i < ports->len; i++) {
        const UdpSock *e = g_ptr_array_index(ports, i);
        bool e_any = sim_addr_is_any(&e->local.addr);

        if (!any && !e_any && !sim_addr_equal(addr, &e->local.addr))
            continue;
        if (e->exclusive)
            return s->reuse ? SIM_E_ACCES : SIM_E_ADDRINUSE;
        if (s->exclusive)
            return SIM_E_ADDRINUSE;
        if (s->reuse)
            continue;
        if (!any && e_any)
            continue;
        return SIM_E_ADDRINUSE;
    }
    return SIM_OK;
}

#define PORT_RANGE ((guint32) (SIM_PORT_DYNAMIC_LAST - SIM_PORT_DYNAMIC_FIRST + 1))

/*
 * Ephemeral ports: each host has its own cursor, started at a point drawn
 * from the host's stream "udp-ports/<host name>" (so it depends only on the
 * seed and the host's name) and advanced by one per allocation, wrapping
 * inside SIM_PORT_DYNAMIC_FIRST..LAST.  A port any socket of the same family
 * holds on this host is skipped.  E_NOBUFS when the whole range is taken
 * (Windows' WSAENOBUFS on ephemeral port exhaustion).
 */
static SimStatus
ephemeral_port(const SimWorld *world, UdpNode *n, guint8 family, guint16 *out_port)
{
    if (!n->port_ready) {
        g_autofree char *name = g_strdup_printf("udp-ports/%s", sim_node_name(world, n->id));
        SimRng rng;

        sim_rng_init(&rng, sim_world_seed(world), name);
        n->next_port = SIM_PORT_DYNAMIC_FIRST + (guint32) sim_rng_below(&rng, PORT_RANGE);
        n->port_ready = true;
    }
    for (guint32 i = 0; i < PORT_RANGE; i++) {
        guint32 port = n->next_port;

        n->next_port = port == SIM_PORT_DYNAMIC_LAST ? SIM_PORT_DYNAMIC_FIRST : port + 1;
        if (g_hash_table_lookup(n->by_port, port_key(family, (guint16) port)) == NULL) {
            *out_port = (guint16) port;
            return SIM_OK;
        }
    }
    return SIM_E_NOBUFS;
}

static SimStatus
bind_do(SimWorld *world, UdpSock *s, const SimAddr *addr, guint16 port)
{
    UdpState *st = state_peek(world);
    UdpNode *n = node_peek(st, s->node);
    UdpBucket *b;
    GPtrArray *ports;
    SimStatus rc;

    if (port == 0) {
        rc = ephemeral_port(world, n, s->family, &port);
        if (rc != SIM_OK)
            return rc;
    }
    rc = bind_check(n, s, addr, port);
    if (rc != SIM_OK)
        return rc;

    s->bound = true;
    s->local.addr = *addr;
    s->local.port = port;
    b = bucket_lookup(n, addr, port);
    if (b == NULL) {
        b = g_new0(UdpBucket, 1);
        b->key = key_make(addr, port);
        b->socks = g_ptr_array_new();
        g_hash_table_insert(n->by_addr, &b->key, b);
    }
    g_ptr_array_add(b->socks, s);
    ports = g_hash_table_lookup(n->by_port, port_key(s->family, port));
    if (ports == NULL) {
        ports = g_ptr_array_new();
        g_hash_table_insert(n->by_port, port_key(s->family, port), ports);
    }
    g_ptr_array_add(ports, s);
    return SIM_OK;
}

static SimStatus
bind_implicit(SimWorld *world, UdpSock *s)
{
    SimAddr any = sim_addr_any(s->family);

    return bind_do(world, s, &any, 0);
}

/**
 * sim_udp_bind:
 * @world: the world
 * @sock: an unbound datagram endpoint
 * @local: the address (a local one, a loopback one, or the wildcard) and the
 *   port (0: an ephemeral port, see doc/udp.md)
 *
 * Returns: SIM_OK (then WRITABLE is notified); SIM_E_NOTFOUND; SIM_E_INVAL if
 * already bound or the family differs; SIM_E_ADDRNOTAVAIL if the address is
 * not this host's (multicast addresses included); SIM_E_ADDRINUSE /
 * SIM_E_ACCES by the rules at bind_check(); SIM_E_NOBUFS if no ephemeral
 * port is free.
 */
SimStatus
sim_udp_bind(SimWorld *world, SimSocketId sock, const SimSockAddr *local)
{
    UdpSock *s;
    SimStatus rc;

    g_return_val_if_fail(world != NULL && local != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    if (s->bound || local->addr.family != s->family)
        return SIM_E_INVAL;
    if (!sim_addr_is_any(&local->addr) && !sim_addr_is_loopback(&local->addr) &&
        !sim_node_has_addr(world, s->node, &local->addr))
        return SIM_E_ADDRNOTAVAIL;
    rc = bind_do(world, s, &local->addr, local->port);
    if (rc != SIM_OK)
        return rc;
    notify_one(world, sock, SIM_SOCK_EV_WRITABLE, SIM_OK);
    return SIM_OK;
}

/* ---- Connect --------------------------------------------------------- */

/* Drop queued datagrams that are not from @peer (a new default peer). */
static void
queue_keep_only(UdpSock *s, const SimSockAddr *peer)
{
    GList *l = s->queue.head;

    while (l != NULL) {
        GList *next = l->next;
        UdpDgram *d = l->data;

        if (!sockaddr_equal(&d->from, peer)) {
            s->queued_bytes -= d->len;
            s->stats.filtered_drops++;
            g_queue_delete_link(&s->queue, l);
            dgram_free(d);
        }
        l = next;
    }
}

/**
 * sim_udp_connect:
 * @world: the world
 * @sock: a datagram endpoint
 * @peer: the default destination; the wildcard address (any port) or
 *   family SIM_AF_NONE dissolves the association
 *
 * Sets the default peer for sim_udp_send() and filters arrivals: from now
 * on only datagrams from @peer are queued, and those already queued from
 * anyone else are discarded.  An unbound socket is bound implicitly; a
 * wildcard-bound one records the source address it will use (reported by
 * sim_udp_get_local()).  Nothing is sent.
 *
 * Returns: SIM_OK (then CONNECTED|WRITABLE is notified, err SIM_OK);
 * SIM_E_NOTFOUND; SIM_E_INVAL (family); SIM_E_ADDRNOTAVAIL (port 0);
 * SIM_E_ACCES (broadcast peer without SIM_UDP_OPT_BROADCAST);
 * SIM_E_NETUNREACH (no route, so no source address); a bind error.
 */
SimStatus
sim_udp_connect(SimWorld *world, SimSocketId sock, const SimSockAddr *peer)
{
    UdpSock *s;
    SimAddr src;
    SimStatus rc;

    g_return_val_if_fail(world != NULL && peer != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    if (peer->addr.family != s->family && peer->addr.family != SIM_AF_NONE)
        return SIM_E_INVAL;
    if (peer->addr.family == SIM_AF_NONE || sim_addr_is_any(&peer->addr)) {
        s->connected = false;
        memset(&s->peer, 0, sizeof s->peer);
        memset(&s->conn_src, 0, sizeof s->conn_src);
        return SIM_OK;
    }
    if (peer->port == 0)
        return SIM_E_ADDRNOTAVAIL;
    if (sim_node_is_broadcast_addr(world, s->node, &peer->addr)) {
        if (!s->broadcast)
            return SIM_E_ACCES;
    } else if (!sim_addr_is_multicast(&peer->addr)) {
        /* Nothing is sent, but an unroutable peer fails now (WSAENETUNREACH). */
        rc = sim_node_source_addr(world, s->node, &peer->addr, &src);
        if (rc != SIM_OK)
            return rc;
    }
    s->connected = false; /* choose the source for the new peer, not the old */
    rc = choose_src(world, s, &peer->addr, &src);
    if (rc != SIM_OK)
        return rc;
    if (!s->bound) {
        rc = bind_implicit(world, s);
        if (rc != SIM_OK)
            return rc;
    }
    s->connected = true;
    s->peer = *peer;
    s->conn_src = src;
    queue_keep_only(s, peer);
    notify_one(world, sock, SIM_SOCK_EV_CONNECTED | SIM_SOCK_EV_WRITABLE, SIM_OK);
    return SIM_OK;
}

/* ---- Receive path ---------------------------------------------------- */

/* Queue @pkt's payload on @s, delivered as @cast.  Returns TRUE when the
 * queue was empty before (the caller notifies READABLE).  No callbacks run
 * here. */
static bool
sock_enqueue(SimWorld *world, UdpSock *s, const SimPacket *pkt, SimUdpCast cast)
{
    guint32 len = pkt->payload_len;
    bool was_empty;
    UdpDgram *d;

    if (s->queued_bytes + len > s->rcvbuf) {
        if (!s->circular || len > s->rcvbuf) {
            s->stats.rcvbuf_drops++;
            trace_pkt(world, SIM_TR_PKT_DROP, s->node, pkt, SIM_DROP_QUEUE,
                      "socket %u receive buffer full (%zu + %u > %u)", s->id, s->queued_bytes, len,
                      s->rcvbuf);
            return false;
        }
        /* SIO_ENABLE_CIRCULAR_QUEUEING: make room by evicting the oldest. */
        while (s->queued_bytes + len > s->rcvbuf) {
            UdpDgram *old = g_queue_pop_head(&s->queue);

            s->queued_bytes -= old->len;
            s->stats.rcvbuf_drops++;
            dgram_free(old);
        }
        trace_pkt(world, SIM_TR_PKT_DROP, s->node, pkt, SIM_DROP_QUEUE,
                  "socket %u receive buffer full: oldest datagrams evicted", s->id);
    }
    d = g_new0(UdpDgram, 1);
    d->from.addr = pkt->src;
    d->from.port = pkt->l4.udp.sport;
    d->to = pkt->dst;
    d->cast = cast;
    d->buf = pkt->payload != NULL ? sim_buf_ref(pkt->payload) : NULL;
    d->off = pkt->payload_off;
    d->len = len;
    was_empty = g_queue_is_empty(&s->queue);
    g_queue_push_tail(&s->queue, d);
    s->queued_bytes += len;
    s->stats.recv_dgrams++;
    s->stats.recv_bytes += len;
    return was_empty;
}

static bool
accepts_from(const UdpSock *s, const SimPacket *pkt)
{
    return !s->connected ||
           (s->peer.port == pkt->l4.udp.sport && sim_addr_equal(&s->peer.addr, &pkt->src));
}

static void
note_add(GArray *notes, SimSocketId id, guint32 events, SimStatus err)
{
    UdpNote nt = { id, events, err, NULL, NULL };

    g_array_append_val(notes, nt);
}

/* Broadcast or multicast: every socket bound to the port that wants it. */
static void
deliver_fanout(SimWorld *world, UdpNode *n, const SimPacket *pkt, bool mcast, GArray *notes)
{
    GPtrArray *ports =
        n != NULL ? g_hash_table_lookup(n->by_port, port_key(pkt->dst.family, pkt->l4.udp.dport))
                  : NULL;
    guint delivered = 0;

    for (guint i = 0; ports != NULL && i < ports->len; i++) {
        UdpSock *s = g_ptr_array_index(ports, i);

        if (mcast) {
            if (!sim_addr_is_any(&s->local.addr) && !sim_addr_equal(&s->local.addr, &pkt->dst))
                continue;
            if (!sock_in_group(s, &pkt->dst))
                continue;
        } else if (sim_addr_is_loopback(&s->local.addr)) {
            continue;
        }
        if (!accepts_from(s, pkt)) {
            s->stats.filtered_drops++;
            continue;
        }
        delivered++;
        if (sock_enqueue(world, s, pkt, mcast ? SIM_UDP_CAST_MULTICAST : SIM_UDP_CAST_BROADCAST))
            note_add(notes, s->id, SIM_SOCK_EV_READABLE, SIM_OK);
    }
    /* RFC 1122 §3.2.2: no ICMP error about a broadcast or multicast. */
    if (delivered == 0)
        trace_pkt(world, SIM_TR_PKT_DROP, n != NULL ? n->id : SIM_ID_NONE, pkt,
                  SIM_DROP_NO_LISTENER, "no socket for %s datagram to port %u",
                  mcast ? "multicast" : "broadcast", pkt->l4.udp.dport);
}

/*
 * Unicast: the socket bound to exactly (dst, dport), else one bound to
 * (wildcard, dport).  Among sockets sharing a binding (REUSEADDR), one
 * connected to the sender wins, else the first unconnected one in bind
 * order.  When sockets exist but all are connected elsewhere, the datagram
 * is dropped silently as Windows does (its filter runs after the endpoint
 * is found), without ICMP.
 */
static void
deliver_unicast(SimWorld *world, SimNodeId node, UdpNode *n, SimPacket *pkt, GArray *notes)
{
    UdpBucket *bk[2] = { NULL, NULL };
    UdpSock *chosen = NULL;
    UdpSock *first = NULL;

    if (n != NULL) {
        SimAddr any = sim_addr_any(pkt->dst.family);

        bk[0] = bucket_lookup(n, &pkt->dst, pkt->l4.udp.dport);
        bk[1] = bucket_lookup(n, &any, pkt->l4.udp.dport);
    }
    for (int pass = 0; pass < 2 && chosen == NULL; pass++) {
        for (int k = 0; k < 2 && chosen == NULL; k++) {
            for (guint i = 0; bk[k] != NULL && i < bk[k]->socks->len; i++) {
                UdpSock *s = g_ptr_array_index(bk[k]->socks, i);

                if (first == NULL)
                    first = s;
                if (pass == 0 ? (s->connected && accepts_from(s, pkt)) : !s->connected) {
                    chosen = s;
                    break;
                }
            }
        }
    }
    if (chosen != NULL) {
        if (sock_enqueue(world, chosen, pkt, SIM_UDP_CAST_UNICAST))
            note_add(notes, chosen->id, SIM_SOCK_EV_READABLE, SIM_OK);
        return;
    }
    if (first != NULL) {
        first->stats.filtered_drops++;
        trace_pkt(world, SIM_TR_PKT_DROP, node, pkt, SIM_DROP_NO_LISTENER,
                  "socket %u is connected to another peer", first->id);
        return;
    }
    trace_pkt(world, SIM_TR_PKT_DROP, node, pkt, SIM_DROP_NO_LISTENER,
              "no socket on port %u: port unreachable", pkt->l4.udp.dport);
    sim_net_send_icmp_error(world, node, pkt, SIM_E_PORTUNREACH); /* RFC 1122 §4.1.3.1 */
}

static bool
dst_is_unicast_here(const SimWorld *world, SimNodeId node, const SimAddr *dst)
{
    return sim_addr_is_loopback(dst) || sim_node_has_addr(world, node, dst);
}

/* The network's (and the multicast loopback's) way in: @pkt is consumed. */
static void
udp_input(SimWorld *world, SimNodeId node, SimPacket *pkt, void *data)
{
    UdpState *st = state_peek(world);
    UdpNode *n = st != NULL ? node_peek(st, node) : NULL;
    g_autoptr(GArray) notes = g_array_new(FALSE, TRUE, sizeof(UdpNote));

    (void) data;
    if (sim_addr_is_multicast(&pkt->dst))
        deliver_fanout(world, n, pkt, true, notes);
    else if (dst_is_unicast_here(world, node, &pkt->dst))
        deliver_unicast(world, node, n, pkt, notes);
    else if (sim_node_is_broadcast_addr(world, node, &pkt->dst))
        deliver_fanout(world, n, pkt, false, notes);
    else
        trace_pkt(world, SIM_TR_PKT_DROP, node, pkt, SIM_DROP_NO_LISTENER,
                  "not addressed to this host");
    sim_packet_unref(pkt);
    notes_run(world, notes);
}

/*
 * ICMP errors about datagrams this node sent.  Port unreachable becomes a
 * pending SIM_E_CONNRESET (what Windows reports as WSAECONNRESET), host and
 * net unreachable stay as they are; the other errors (TTL, fragmentation
 * needed) are not reported to datagram sockets.  Which sockets hear it:
 * see SimUdpUnreachMode.
 */
static void
udp_error_input(SimWorld *world, SimNodeId node, const SimIcmpHeader *icmp, void *data)
{
    UdpState *st = state_peek(world);
    UdpNode *n = st != NULL ? node_peek(st, node) : NULL;
    g_autoptr(GArray) notes = NULL;
    SimSockAddr dst = { icmp->orig_dst, icmp->orig_dport };
    SimAddr any;
    UdpBucket *bk[2];
    SimStatus err;

    (void) data;
    if (icmp->error == SIM_E_PORTUNREACH)
        err = SIM_E_CONNRESET;
    else if (icmp->error == SIM_E_HOSTUNREACH || icmp->error == SIM_E_NETUNREACH)
        err = icmp->error;
    else
        return;
    if (n == NULL)
        return;
    any = sim_addr_any(icmp->orig_src.family);
    bk[0] = bucket_lookup(n, &icmp->orig_src, icmp->orig_sport);
    bk[1] = bucket_lookup(n, &any, icmp->orig_sport);
    if (bk[0] == bk[1])
        bk[1] = NULL;
    notes = g_array_new(FALSE, TRUE, sizeof(UdpNote));
    for (int k = 0; k < 2; k++) {
        for (guint i = 0; bk[k] != NULL && i < bk[k]->socks->len; i++) {
            UdpSock *s = g_ptr_array_index(bk[k]->socks, i);
            bool report;

            if (s->unreach == SIM_UDP_UNREACH_NONE)
                report = false;
            else if (s->connected)
                report = sockaddr_equal(&s->peer, &dst);
            else
                report = s->unreach == SIM_UDP_UNREACH_ALL && err == SIM_E_CONNRESET;
            if (!report)
                continue;
            s->pending_error = err;
            s->stats.errors_reported++;
            note_add(notes, s->id, SIM_SOCK_EV_ERROR | SIM_SOCK_EV_READABLE, err);
        }
    }
    if (notes->len > 0)
        sim_trace_textf(world, SIM_TR_NOTE, node, 0, "UDP", "%s from %s port %u: %u socket(s) told",
                        sim_status_name(icmp->error),
                        sim_addr_to_string(&icmp->orig_dst, (char[SIM_ADDR_STRLEN]){ 0 }),
                        icmp->orig_dport, notes->len);
    notes_run(world, notes);
}

/* ---- Send path ------------------------------------------------------- */

static void
loop_run(SimWorld *world, void *data)
{
    UdpLoop *l = data;
    SimNodeId node = l->node;
    SimPacket *pkt = l->pkt;

    g_free(l);
    if (!sim_node_is_up(world, node)) {
        trace_pkt(world, SIM_TR_PKT_DROP, node, pkt, SIM_DROP_NODE_DOWN, "multicast loopback");
        sim_packet_unref(pkt);
        return;
    }
    trace_pkt(world, SIM_TR_PKT_DELIVER, node, pkt, SIM_DROP_NONE, "multicast loopback");
    udp_input(world, node, pkt, NULL);
}

static void
loop_drop(void *data)
{
    UdpLoop *l = data;

    sim_packet_unref(l->pkt);
    g_free(l);
}

/**
 * sim_udp_sendto:
 * @world: the world
 * @sock: a datagram endpoint
 * @to: (nullable): the destination; NULL means the connected peer (@to
 *   overrides the peer for this datagram only)
 * @data: (nullable): @len bytes, copied; NULL only when @len is 0
 * @len: the datagram's size: at most SIM_UDP_MAX_DGRAM_V4 / _V6
 *
 * Hands one whole datagram to the network (which fragments it over smaller
 * MTUs); never blocks and never sends part of it.  An unbound socket is
 * first bound to the wildcard address and an ephemeral port (then WRITABLE
 * is notified before returning).  A multicast datagram is also looped back
 * to the sockets of this host that joined the group (the sender included)
 * when SIM_UDP_OPT_MCAST_LOOP is on, as a separate event due now; with a
 * multicast TTL of 0 it is only looped back.
 *
 * Returns: SIM_OK; SIM_E_NOTFOUND; SIM_E_NOTCONN (@to NULL, not connected);
 * SIM_E_INVAL (family); SIM_E_ADDRNOTAVAIL (wildcard address or port 0);
 * SIM_E_MSGSIZE (too large; nothing sent); SIM_E_ACCES (broadcast without
 * SIM_UDP_OPT_BROADCAST); SIM_E_NETUNREACH (also: a loopback-bound socket
 * sending off the host) / SIM_E_NETDOWN / SIM_E_MSGSIZE from the network; a
 * bind error.  Losses later on the way are not reported here.
 */
SimStatus
sim_udp_sendto(SimWorld *world, SimSocketId sock, const SimSockAddr *to, const void *data,
               size_t len)
{
    UdpSock *s;
    SimAddr src;
    SimPacket *pkt;
    SimPacket *loop = NULL;
    SimBuf *buf;
    SimStatus rc;
    bool mcast, implicit = false;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    g_return_val_if_fail(data != NULL || len == 0, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    if (to == NULL) {
        if (!s->connected)
            return SIM_E_NOTCONN;
        to = &s->peer;
    }
    if (to->addr.family != s->family)
        return SIM_E_INVAL;
    if (sim_addr_is_any(&to->addr) || to->port == 0)
        return SIM_E_ADDRNOTAVAIL;
    if (len > (s->family == SIM_AF_INET6 ? SIM_UDP_MAX_DGRAM_V6 : SIM_UDP_MAX_DGRAM_V4))
        return SIM_E_MSGSIZE;
    if (sim_node_is_broadcast_addr(world, s->node, &to->addr) && !s->broadcast)
        return SIM_E_ACCES;
    rc = choose_src(world, s, &to->addr, &src);
    if (rc != SIM_OK)
        return rc;
    /* A loopback source never leaves the host (RFC 1122 §3.2.1.3). */
    if (sim_addr_is_loopback(&src) && !sim_addr_is_loopback(&to->addr) &&
        sim_node_by_addr(world, &to->addr) != s->node)
        return SIM_E_NETUNREACH;
    if (!s->bound) {
        rc = bind_implicit(world, s);
        if (rc != SIM_OK)
            return rc;
        implicit = true;
    }
    mcast = sim_addr_is_multicast(&to->addr);

    pkt = sim_packet_new(world, SIM_PROTO_UDP);
    pkt->src = src;
    pkt->dst = to->addr;
    pkt->ttl = mcast ? s->mcast_ttl : s->ttl;
    pkt->flow_id = s->flow_id;
    pkt->service_class = s->service_class;
    pkt->l4.udp.sport = s->local.port;
    pkt->l4.udp.dport = to->port;
    buf = sim_buf_new(data, len);
    sim_packet_set_payload(pkt, buf, 0, (guint32) len);
    sim_buf_unref(buf);

    if (mcast && s->mcast_loop && sim_node_in_group(world, s->node, &to->addr))
        loop = sim_packet_copy(world, pkt);
    if (mcast && s->mcast_ttl == 0) {
        sim_packet_unref(pkt); /* scope 0: this host only */
        rc = SIM_OK;
    } else {
        rc = sim_net_send(world, s->node, pkt);
    }
    if (loop != NULL) {
        if (rc == SIM_OK) {
            UdpLoop *l = g_new(UdpLoop, 1);

            l->node = s->node;
            l->pkt = loop;
            sim__event_schedule_full(world, sim_world_now(world), loop_run, l, loop_drop);
        } else {
            sim_packet_unref(loop);
        }
    }
    if (rc == SIM_OK) {
        s->stats.sent_dgrams++;
        s->stats.sent_bytes += len;
    }
    if (implicit)
        notify_one(world, sock, SIM_SOCK_EV_WRITABLE, SIM_OK);
    return rc;
}

/**
 * sim_udp_send:
 * @world: the world
 * @sock: a connected datagram endpoint
 * @data: (nullable): @len bytes
 * @len: the datagram's size
 *
 * sim_udp_sendto() to the connected peer.
 *
 * Returns: as sim_udp_sendto(); SIM_E_NOTCONN when not connected.
 */
SimStatus
sim_udp_send(SimWorld *world, SimSocketId sock, const void *data, size_t len)
{
    return sim_udp_sendto(world, sock, NULL, data, len);
}

/**
 * sim_udp_recvmsg:
 * @world: the world
 * @sock: a bound datagram endpoint
 * @buf: (nullable): where to copy; NULL only when @cap is 0
 * @cap: room in @buf
 * @flags: SIM_UDP_RECV_PEEK or 0
 * @out_info: (out) (optional): bytes copied (min(@cap, datagram size)),
 *   whether the datagram was longer than @cap, the sender's address and
 *   port, and the destination address the datagram carried with how it
 *   was addressed (unicast, broadcast, multicast).  Without PEEK the rest
 *   of a truncated datagram is discarded (Windows: WSAEMSGSIZE, MSG_TRUNC
 *   from WSARecvMsg, or MSG_PARTIAL where the protocol supports it).
 *
 * Takes the oldest queued datagram (or copies it, with PEEK).  A pending
 * error is reported first, once, and cleared (Windows: WSAECONNRESET after
 * an ICMP port unreachable), even when datagrams are queued.
 *
 * Returns: SIM_OK; the pending error; SIM_E_WOULDBLOCK when nothing is
 * queued; SIM_E_INVAL when unbound; SIM_E_NOTFOUND.
 */
SimStatus
sim_udp_recvmsg(SimWorld *world, SimSocketId sock, void *buf, size_t cap, guint32 flags,
                SimUdpMsgInfo *out_info)
{
    UdpSock *s;
    UdpDgram *d;
    size_t n;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    g_return_val_if_fail(buf != NULL || cap == 0, SIM_E_INVAL);
    g_return_val_if_fail((flags & ~(guint32) SIM_UDP_RECV_PEEK) == 0, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    if (!s->bound)
        return SIM_E_INVAL;
    if (s->pending_error != SIM_OK) {
        SimStatus err = s->pending_error;

        s->pending_error = SIM_OK;
        return err;
    }
    d = g_queue_peek_head(&s->queue);
    if (d == NULL)
        return SIM_E_WOULDBLOCK;
    n = MIN(cap, (size_t) d->len);
    if (n > 0)
        memcpy(buf, d->buf->data + d->off, n);
    if (out_info != NULL) {
        out_info->len = n;
        out_info->truncated = n < d->len;
        out_info->from = d->from;
        out_info->to = d->to;
        out_info->cast = d->cast;
    }
    if ((flags & SIM_UDP_RECV_PEEK) == 0) {
        g_queue_pop_head(&s->queue);
        s->queued_bytes -= d->len;
        s->stats.read_dgrams++;
        s->stats.read_bytes += n;
        if (n < d->len)
            s->stats.truncated_dgrams++;
        dgram_free(d);
    }
    return SIM_OK;
}

/**
 * sim_udp_recvfrom:
 * @world: the world
 * @sock: a bound datagram endpoint
 * @buf: (nullable): where to copy; NULL only when @cap is 0
 * @cap: room in @buf
 * @flags: SIM_UDP_RECV_PEEK or 0
 * @out_len: (out) (optional): bytes copied, min(@cap, datagram size)
 * @out_from: (out) (optional): the sender's address and port
 * @out_truncated: (out) (optional): TRUE when the datagram was longer than
 *   @cap (see sim_udp_recvmsg())
 *
 * sim_udp_recvmsg() without the destination.
 *
 * Returns: as sim_udp_recvmsg().
 */
SimStatus
sim_udp_recvfrom(SimWorld *world, SimSocketId sock, void *buf, size_t cap, guint32 flags,
                 size_t *out_len, SimSockAddr *out_from, bool *out_truncated)
{
    SimUdpMsgInfo info;
    SimStatus st = sim_udp_recvmsg(world, sock, buf, cap, flags, &info);

    if (st != SIM_OK)
        return st;
    if (out_len != NULL)
        *out_len = info.len;
    if (out_from != NULL)
        *out_from = info.from;
    if (out_truncated != NULL)
        *out_truncated = info.truncated;
    return SIM_OK;
}

/* ---- Multicast ------------------------------------------------------- */

/**
 * sim_udp_join_group:
 * @world: the world
 * @sock: a datagram endpoint (bound or not)
 * @group: a multicast address of the socket's family
 *
 * From now on multicast datagrams to @group arriving at the socket's port
 * are queued on it.  The host's membership (sim_node_join_group()) is
 * counted over its sockets: the first join makes the host a member, the
 * last leave (or close) ends it.
 *
 * Returns: SIM_OK; SIM_E_NOTFOUND; SIM_E_INVAL (not multicast, or another
 * family); SIM_E_ADDRINUSE (already joined); an error of
 * sim_node_join_group().
 */
SimStatus
sim_udp_join_group(SimWorld *world, SimSocketId sock, const SimAddr *group)
{
    UdpSock *s;
    SimStatus rc;

    g_return_val_if_fail(world != NULL && group != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    if (group->family != s->family || !sim_addr_is_multicast(group))
        return SIM_E_INVAL;
    if (sock_in_group(s, group))
        return SIM_E_ADDRINUSE;
    rc = sim_node_join_group(world, s->node, group);
    if (rc != SIM_OK)
        return rc;
    g_array_append_val(s->groups, *group);
    return SIM_OK;
}

/**
 * sim_udp_leave_group:
 * @world: the world
 * @sock: a datagram endpoint
 * @group: a group it joined
 *
 * Returns: SIM_OK; SIM_E_NOTFOUND; SIM_E_ADDRNOTAVAIL (not a member).
 */
SimStatus
sim_udp_leave_group(SimWorld *world, SimSocketId sock, const SimAddr *group)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL && group != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    for (guint i = 0; i < s->groups->len; i++) {
        if (sim_addr_equal(&g_array_index(s->groups, SimAddr, i), group)) {
            g_array_remove_index(s->groups, i);
            group_node_unref(world, s->node, group);
            return SIM_OK;
        }
    }
    return SIM_E_ADDRNOTAVAIL;
}

bool
sim_udp_in_group(const SimWorld *world, SimSocketId sock, const SimAddr *group)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL && group != NULL, false);
    s = sock_lookup(world, sock);
    return s != NULL && sock_in_group(s, group);
}

/**
 * sim_udp_set_multicast_if:
 * @world: the world
 * @sock: a datagram endpoint
 * @iface: (nullable): a local address of the socket's family, or NULL / the
 *   wildcard for the default (the route to the group decides)
 *
 * The source address of multicast datagrams sent by an unbound or
 * wildcard-bound socket (IP_MULTICAST_IF).
 *
 * Returns: SIM_OK; SIM_E_NOTFOUND; SIM_E_INVAL (family);
 * SIM_E_ADDRNOTAVAIL (not this host's).
 */
SimStatus
sim_udp_set_multicast_if(SimWorld *world, SimSocketId sock, const SimAddr *iface)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    if (iface == NULL || (iface->family == s->family && sim_addr_is_any(iface))) {
        memset(&s->mcast_if, 0, sizeof s->mcast_if);
        return SIM_OK;
    }
    if (iface->family != s->family)
        return SIM_E_INVAL;
    if (!sim_node_has_addr(world, s->node, iface))
        return SIM_E_ADDRNOTAVAIL;
    s->mcast_if = *iface;
    return SIM_OK;
}

/**
 * sim_udp_get_multicast_if:
 * @world: the world
 * @sock: a datagram endpoint
 * @out_iface: (out): the interface address, or the wildcard for the default
 *
 * Returns: SIM_OK or SIM_E_NOTFOUND.
 */
SimStatus
sim_udp_get_multicast_if(const SimWorld *world, SimSocketId sock, SimAddr *out_iface)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL && out_iface != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    *out_iface = s->mcast_if.family != SIM_AF_NONE ? s->mcast_if : sim_addr_any(s->family);
    return SIM_OK;
}

/* ---- Queries --------------------------------------------------------- */

/**
 * sim_udp_bytes_readable:
 * @world: the world
 * @sock: a datagram endpoint
 *
 * Returns: the total payload bytes queued (FIONREAD on message sockets as
 * the SPI page specifies; sim_udp_next_size() gives the first datagram's
 * size for the older reading).  0 for an unknown socket.
 */
size_t
sim_udp_bytes_readable(const SimWorld *world, SimSocketId sock)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL, 0);
    s = sock_lookup(world, sock);
    return s != NULL ? s->queued_bytes : 0;
}

/**
 * sim_udp_next_size:
 * @world: the world
 * @sock: a datagram endpoint
 * @out_len: (out) (optional): the size of the oldest queued datagram
 *
 * Returns: TRUE when a datagram is queued (it may be empty).
 */
bool
sim_udp_next_size(const SimWorld *world, SimSocketId sock, size_t *out_len)
{
    UdpSock *s;
    UdpDgram *d;

    g_return_val_if_fail(world != NULL, false);
    s = sock_lookup(world, sock);
    d = s != NULL ? g_queue_peek_head(&s->queue) : NULL;
    if (d == NULL)
        return false;
    if (out_len != NULL)
        *out_len = d->len;
    return true;
}

size_t
sim_udp_queued_count(const SimWorld *world, SimSocketId sock)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL, 0);
    s = sock_lookup(world, sock);
    return s != NULL ? g_queue_get_length(&s->queue) : 0;
}

/**
 * sim_udp_get_local:
 * @world: the world
 * @sock: a datagram endpoint
 * @out_local: (out): the bound address and port; for a wildcard-bound
 *   connected socket, the source address chosen for the peer
 *
 * Returns: SIM_OK; SIM_E_INVAL when unbound; SIM_E_NOTFOUND.
 */
SimStatus
sim_udp_get_local(const SimWorld *world, SimSocketId sock, SimSockAddr *out_local)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL && out_local != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    if (!s->bound)
        return SIM_E_INVAL;
    *out_local = s->local;
    if (s->connected && sim_addr_is_any(&s->local.addr))
        out_local->addr = s->conn_src;
    return SIM_OK;
}

/**
 * sim_udp_get_peer:
 * @world: the world
 * @sock: a datagram endpoint
 * @out_peer: (out): the connected peer
 *
 * Returns: SIM_OK; SIM_E_NOTCONN; SIM_E_NOTFOUND.
 */
SimStatus
sim_udp_get_peer(const SimWorld *world, SimSocketId sock, SimSockAddr *out_peer)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL && out_peer != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    if (!s->connected)
        return SIM_E_NOTCONN;
    *out_peer = s->peer;
    return SIM_OK;
}

bool
sim_udp_is_bound(const SimWorld *world, SimSocketId sock)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL, false);
    s = sock_lookup(world, sock);
    return s != NULL && s->bound;
}

bool
sim_udp_is_connected(const SimWorld *world, SimSocketId sock)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL, false);
    s = sock_lookup(world, sock);
    return s != NULL && s->connected;
}

/**
 * sim_udp_take_error:
 * @world: the world
 * @sock: a datagram endpoint
 *
 * Reads and clears the pending error (SO_ERROR).
 *
 * Returns: the pending error, SIM_OK when none; SIM_E_NOTFOUND.
 */
SimStatus
sim_udp_take_error(SimWorld *world, SimSocketId sock)
{
    UdpSock *s;
    SimStatus err;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    err = s->pending_error;
    s->pending_error = SIM_OK;
    return err;
}

/**
 * sim_udp_get_stats:
 * @world: the world
 * @sock: a datagram endpoint
 * @out_stats: (out): its counters
 *
 * Returns: SIM_OK or SIM_E_NOTFOUND.
 */
SimStatus
sim_udp_get_stats(const SimWorld *world, SimSocketId sock, SimUdpStats *out_stats)
{
    UdpSock *s;

    g_return_val_if_fail(world != NULL && out_stats != NULL, SIM_E_INVAL);
    s = sock_lookup(world, sock);
    if (s == NULL)
        return SIM_E_NOTFOUND;
    *out_stats = s->stats;
    return SIM_OK;
}
