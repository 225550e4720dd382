/* SPDX-License-Identifier: MIT
 *
 * sim-qos.c: per-flow QoS (sim-qos.h) — the classifier sim_net_send()
 * consults, the token-bucket policer and shaper of each flow, and admission
 * control over the links of a flow's route.  The links' priority levels are
 * in sim-link.c.  Follows the Integrated Services model: RFC 2210 (the token
 * bucket TSpec: r, b, p, m, M), RFC 2211 (controlled load), RFC 2212
 * (guaranteed service); RSVP signalling itself is not simulated — admission
 * is decided at once, as if PATH and RESV had crossed the route instantly.
 *
 * Token bucket (RFC 2210 §3.2, RFC 2215): a packet of s IP bytes (counted as
 * at least min_policed) conforms when the bucket holds s tokens and, with a
 * peak rate p, the previous conforming packet has finished at rate p (a peak
 * bucket one packet deep); packets above max_sdu never conform.  Tokens are
 * kept in nano-bytes (bytes x 10^9) and refilled at token_rate per second,
 * so refills of any length are exact integers.
 *
 * Pacer (Winsock's QOS_SHAPING_RATE): with a shaping rate R the flow's
 * packets go through a pacer one packet deep ahead of the policer: the
 * packet at the head of the flow may leave at pace_free_at at the earliest,
 * and once it leaves at time t (sent, demoted or discarded by the policer)
 * pace_free_at = t + ceil(s x 10^9 / R) ns, so packets are evenly spaced and
 * never come in bursts, whatever the bucket holds.  The policer judges each
 * packet when the pacer lets it go: conforming, it is sent in its class;
 * not, shape keeps holding it until it conforms (the pacer waits with it),
 * borrow sends it demoted, discard drops it.  What the pacer holds shares
 * the shaper's FIFO and its limit, so a packet never overtakes one the flow
 * holds.  Packets that can never conform are dropped at once in shape and
 * discard modes, without taking a slot of the pacer; borrow paces them like
 * the rest.  A flow without a shaping rate keeps pace_free_at at 0; the
 * pacer costs it two always-false comparisons per packet (pace_free_at >
 * now, shaping_rate != 0).
 *
 * Admission: a flow of service controlled load or guaranteed with a known
 * destination reserves token_rate x 8 bits/s on every link direction of its
 * route (sim_net_route_links); it is refused if one direction would exceed
 * its reservable share of rate_bps (infinite-rate links always have room),
 * and finds no route if the destination is unreachable or a link on the way
 * is down.  When routes or link rates change, every flow is re-checked in
 * one event at the same instant: flows admitted before go first (in id
 * order), then the others, so a change never evicts an old flow for a new
 * one; flows whose state changed are told through their notify function.
 *
 * Determinism: flows live in an id-indexed array; the hash table only finds
 * them; all arithmetic is integer.
 */
#include "config.h"

#include "sim/sim-qos.h"

#include <string.h>

#include "sim/sim-net-private.h"

#define NS_PER_SEC 1000000000u
#define PPM_ONE 1000000u
/* Depth used when the spec gives none. */
#define QOS_DEFAULT_DEPTH 65535u

typedef struct SimQosFlow {
    SimQosFlowId id;
    SimNodeId node;
    guint8 proto;
    bool has_filter;
    bool any_remote;
    SimSockAddr local, remote;
    guint64 key; /* by_key: node, local port, remote port (0 = any) */
    struct SimQosFlow *next_same_key;
    SimQosSpec spec;
    SimQosState state;
    SimQosNotifyFn notify;
    void *notify_data;

    /* Reservation: the hops it holds resv_bps on. */
    SimNetHop *resv_hops;
    int n_resv_hops;
    guint64 resv_bps;

    /* Policer. */
    unsigned __int128 credit; /* nano-bytes */
    SimTime credit_at;
    SimTime peak_free_at;
    SimTime pace_free_at; /* the pacer's next slot; 0 without a shaping rate */
    GQueue held;          /* of SimPacket*, FIFO: what the pacer and shaper hold */
    bool draining;        /* freed: lets what it holds leave, then goes */
    guint64 held_bytes;
    SimEventId release_ev;
    SimQosFlowStats stats;
} SimQosFlow;

typedef struct {
    SimWorld *world;
    GPtrArray *flows;    /* of SimQosFlow* (NULL once freed), index = id - 1 */
    guint32 n_live;
    GHashTable *by_key;  /* &flow->key -> first flow with that key (lookup only) */
    GArray *resv;        /* of guint64 bits/s, index (link - 1) * 2 + dir */
    guint32 reservable_ppm;
    SimEventId recheck_ev;
} SimQos;

static const char *const state_names[] = {
    [SIM_QOS_STATE_IDLE] = "idle",
    [SIM_QOS_STATE_ADMITTED] = "admitted",
    [SIM_QOS_STATE_REFUSED] = "refused",
    [SIM_QOS_STATE_NO_ROUTE] = "no-route",
};

/**
 * sim_qos_state_name:
 * @state: a flow state
 *
 * Returns: "idle", "admitted", "refused", "no-route"; "?" otherwise.
 */
const char *
sim_qos_state_name(SimQosState state)
{
    if ((guint)state >= G_N_ELEMENTS(state_names))
        return "?";
    return state_names[state];
}

/**
 * sim_qos_spec_init:
 * @spec: (out caller-allocates): the spec to set
 *
 * Best effort, no rate limit, no size limits, shape mode.
 */
void
sim_qos_spec_init(SimQosSpec *spec)
{
    g_return_if_fail(spec != NULL);
    memset(spec, 0, sizeof *spec);
    spec->service = SIM_QOS_BEST_EFFORT;
    spec->mode = SIM_QOS_MODE_SHAPE;
}

/* ---- Module state ------------------------------------------------------ */

static void flow_destroy(SimQos *q, SimQosFlow *f);
static bool qos_out(SimWorld *world, SimNodeId node, SimPacket *pkt);
static void qos_changed(SimWorld *world);

static void
qos_free(SimWorld *world, void *state)
{
    SimQos *q = state;
    SimNet *net = sim__net_peek(world);

    for (guint i = 0; i < q->flows->len; i++) {
        SimQosFlow *f = g_ptr_array_index(q->flows, i);

        if (f != NULL)
            flow_destroy(q, f);
    }
    if (net != NULL) {
        net->qos_out = NULL;
        net->qos_changed = NULL;
    }
    g_ptr_array_free(q->flows, TRUE);
    g_hash_table_destroy(q->by_key);
    g_array_free(q->resv, TRUE);
    g_free(q);
}

static inline SimQos *
qos_peek(const SimWorld *world)
{
    return (SimQos *)sim__world_module(world, SIM_MOD_QOS);
}

static SimQos *
qos_get(SimWorld *world)
{
    SimQos *q = qos_peek(world);
    SimNet *net;

    if (q != NULL)
        return q;
    q = g_new0(SimQos, 1);
    q->world = world;
    q->flows = g_ptr_array_new();
    q->by_key = g_hash_table_new(g_int64_hash, g_int64_equal);
    q->resv = g_array_new(FALSE, TRUE, sizeof(guint64));
    q->reservable_ppm = PPM_ONE;
    sim__world_set_module(world, SIM_MOD_QOS, q, qos_free);
    net = sim__net_get(world);
    net->qos_out = qos_out;
    net->qos_changed = qos_changed;
    return q;
}

static SimQosFlow *
flow_peek(const SimWorld *world, SimQosFlowId id)
{
    SimQos *q = qos_peek(world);

    if (q == NULL || id == 0 || id > q->flows->len)
        return NULL;
    return g_ptr_array_index(q->flows, id - 1);
}

/* A flow the API still knows: not freed, not draining. */
static SimQosFlow *
flow_live(const SimWorld *world, SimQosFlowId id)
{
    SimQosFlow *f = flow_peek(world, id);

    return f != NULL && !f->draining ? f : NULL;
}

static guint64 *
resv_slot(SimQos *q, SimLinkId link, SimLinkDir dir)
{
    guint idx = (link - 1) * 2 + (guint)dir;

    if (idx >= q->resv->len)
        g_array_set_size(q->resv, idx + 1);
    return &g_array_index(q->resv, guint64, idx);
}

/* ---- Filters ------------------------------------------------------------- */

static inline guint64
make_key(SimNodeId node, guint16 lport, guint16 rport)
{
    return ((guint64)node << 32) | ((guint64)lport << 16) | rport;
}

static void
key_unlink(SimQos *q, SimQosFlow *f)
{
    SimQosFlow *head, **pp;

    if (!f->has_filter)
        return;
    head = g_hash_table_lookup(q->by_key, &f->key);
    if (head == f) {
        g_hash_table_remove(q->by_key, &f->key);
        if (f->next_same_key != NULL)
            g_hash_table_insert(q->by_key, &f->next_same_key->key, f->next_same_key);
    } else {
        for (pp = &head->next_same_key; *pp != NULL; pp = &(*pp)->next_same_key) {
            if (*pp == f) {
                *pp = f->next_same_key;
                break;
            }
        }
    }
    f->next_same_key = NULL;
    f->has_filter = false;
}

static void
key_link(SimQos *q, SimQosFlow *f)
{
    SimQosFlow *head = g_hash_table_lookup(q->by_key, &f->key);
    SimQosFlow **pp;

    f->next_same_key = NULL;
    if (head == NULL) {
        g_hash_table_insert(q->by_key, &f->key, f);
        return;
    }
    /* Keep the chain in id order: the oldest matching flow wins. */
    for (pp = &head->next_same_key; *pp != NULL; pp = &(*pp)->next_same_key)
        ;
    *pp = f;
}

static SimQosFlow *
match_chain(SimQosFlow *f, const SimPacket *pkt)
{
    for (; f != NULL; f = f->next_same_key) {
        if (f->proto != pkt->proto)
            continue;
        if (!sim_addr_is_any(&f->local.addr) && !sim_addr_equal(&f->local.addr, &pkt->src))
            continue;
        if (!f->any_remote && !sim_addr_equal(&f->remote.addr, &pkt->dst))
            continue;
        return f;
    }
    return NULL;
}

static SimQosFlow *
classify(SimQos *q, SimNodeId node, const SimPacket *pkt)
{
    guint64 key;
    SimQosFlow *f;

    if (pkt->proto != SIM_PROTO_TCP && pkt->proto != SIM_PROTO_UDP)
        return NULL;
    /* TCP and UDP headers both begin with the two ports. */
    key = make_key(node, pkt->l4.udp.sport, pkt->l4.udp.dport);
    f = match_chain(g_hash_table_lookup(q->by_key, &key), pkt);
    if (f != NULL)
        return f;
    key = make_key(node, pkt->l4.udp.sport, 0);
    return match_chain(g_hash_table_lookup(q->by_key, &key), pkt);
}

/* ---- Admission ------------------------------------------------------------ */

static void
resv_release(SimQos *q, SimQosFlow *f)
{
    for (int i = 0; i < f->n_resv_hops; i++) {
        guint64 *slot = resv_slot(q, f->resv_hops[i].link, f->resv_hops[i].dir);

        g_assert(*slot >= f->resv_bps);
        *slot -= f->resv_bps;
    }
    g_free(f->resv_hops);
    f->resv_hops = NULL;
    f->n_resv_hops = 0;
    f->resv_bps = 0;
}

static bool
needs_reservation(const SimQosFlow *f)
{
    return f->has_filter && !f->any_remote &&
           (f->spec.service == SIM_QOS_CONTROLLED_LOAD || f->spec.service == SIM_QOS_GUARANTEED) &&
           f->spec.token_rate != 0 && !sim_addr_is_multicast(&f->remote.addr);
}

/* Decide @f's state afresh (it holds no reservation on entry). */
static SimQosState
admit(SimQos *q, SimQosFlow *f)
{
    SimNet *net = sim__net_peek(q->world);
    SimNetHop *hops;
    guint64 bps;
    int n;

    g_assert(f->n_resv_hops == 0);
    if (!needs_reservation(f))
        return SIM_QOS_STATE_IDLE;
    n = sim_net_route_links(q->world, f->node, &f->remote.addr, NULL, 0);
    if (n < 0)
        return SIM_QOS_STATE_NO_ROUTE;
    if (n == 0)
        return SIM_QOS_STATE_ADMITTED; /* this node: no link to cross */
    hops = g_new(SimNetHop, n);
    sim_net_route_links(q->world, f->node, &f->remote.addr, hops, (size_t)n);
    bps = f->spec.token_rate > G_MAXUINT64 / 8 ? G_MAXUINT64 : f->spec.token_rate * 8;
    for (int i = 0; i < n; i++) {
        SimLink *l = sim__net_link(net, hops[i].link);
        const SimLinkParams *p = &l->d[hops[i].dir].p;
        guint64 have = *resv_slot(q, hops[i].link, hops[i].dir);
        guint64 cap;

        if (!p->up || !sim_node_is_up(q->world, l->a) || !sim_node_is_up(q->world, l->b)) {
            g_free(hops);
            return SIM_QOS_STATE_NO_ROUTE; /* a cut on the way (link or router down) */
        }
        if (p->rate_bps == 0)
            continue; /* infinite rate: always room */
        cap = (guint64)(((unsigned __int128)p->rate_bps * q->reservable_ppm) / PPM_ONE);
        if (have > cap || bps > cap - have) {
            g_free(hops);
            return SIM_QOS_STATE_REFUSED;
        }
    }
    for (int i = 0; i < n; i++)
        *resv_slot(q, hops[i].link, hops[i].dir) += bps;
    f->resv_hops = hops;
    f->n_resv_hops = n;
    f->resv_bps = bps;
    return SIM_QOS_STATE_ADMITTED;
}

static SimQosState
readmit(SimQos *q, SimQosFlow *f)
{
    resv_release(q, f);
    f->state = admit(q, f);
    return f->state;
}

static void
recheck_fire(SimWorld *world, void *data)
{
    SimQos *q = qos_peek(world);
    GArray *was;
    guint n;

    (void)data;
    if (q == NULL)
        return;
    q->recheck_ev = SIM_EVENT_ID_NONE;
    n = q->flows->len;
    was = g_array_sized_new(FALSE, FALSE, sizeof(SimQosState), n);
    for (guint i = 0; i < n; i++) {
        SimQosFlow *f = g_ptr_array_index(q->flows, i);
        SimQosState st = f != NULL ? f->state : SIM_QOS_STATE_IDLE;

        g_array_append_val(was, st);
        if (f != NULL)
            resv_release(q, f);
    }
    /* Admitted flows keep their priority over the ones waiting. */
    for (int pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < n; i++) {
            SimQosFlow *f = g_ptr_array_index(q->flows, i);
            bool first = g_array_index(was, SimQosState, i) == SIM_QOS_STATE_ADMITTED;

            if (f != NULL && first == (pass == 0))
                f->state = admit(q, f);
        }
    }
    /* Tell, in id order; a notify function may free flows (re-look up). */
    for (guint i = 0; i < n; i++) {
        SimQosFlow *f = i < q->flows->len ? g_ptr_array_index(q->flows, i) : NULL;

        if (f != NULL && f->state != g_array_index(was, SimQosState, i) && f->notify != NULL)
            f->notify(world, f->id, f->state, f->notify_data);
        q = qos_peek(world);
        if (q == NULL)
            break;
    }
    g_array_free(was, TRUE);
}

/* Routes or link rates changed: re-check every flow once, now, after the
 * change has been made (the caller may be half-way through it). */
static void
qos_changed(SimWorld *world)
{
    SimQos *q = qos_peek(world);

    if (q == NULL || q->n_live == 0 || q->recheck_ev != SIM_EVENT_ID_NONE || world->in_teardown)
        return;
    q->recheck_ev = sim_event_schedule(world, 0, recheck_fire, NULL);
}

/* ---- Policer and shaper ---------------------------------------------------- */

static guint64
flow_depth(const SimQosFlow *f)
{
    if (f->spec.bucket_bytes != 0)
        return MIN(f->spec.bucket_bytes, (guint64)G_MAXUINT32);
    return f->spec.max_sdu != 0 ? f->spec.max_sdu : QOS_DEFAULT_DEPTH;
}

static void
refill(SimQosFlow *f, SimTime now)
{
    unsigned __int128 cap = (unsigned __int128)flow_depth(f) * NS_PER_SEC;
    unsigned __int128 add;

    if (now <= f->credit_at)
        return;
    add = (unsigned __int128)(now - f->credit_at) * f->spec.token_rate;
    f->credit = add >= cap - MIN(f->credit, cap) ? cap : f->credit + add;
    f->credit_at = now;
}

static guint32
policed_size(const SimQosFlow *f, const SimPacket *pkt)
{
    guint32 size = sim_packet_wire_len(pkt);

    return MAX(size, f->spec.min_policed);
}

static inline bool
never_conforms(const SimQosFlow *f, const SimPacket *pkt)
{
    guint32 wire = sim_packet_wire_len(pkt);

    return (f->spec.max_sdu != 0 && wire > f->spec.max_sdu) ||
           (f->spec.token_rate != 0 && policed_size(f, pkt) > flow_depth(f));
}

/* Time to send @size bytes at @rate bytes/s, rounded up to a whole ns. */
static inline SimTime
tx_ns(guint32 size, guint64 rate)
{
    return (SimTime)(((unsigned __int128)size * NS_PER_SEC + rate - 1) / rate);
}

/* When @pkt will conform (now or later); refills first. */
static SimTime
conform_time(SimQosFlow *f, const SimPacket *pkt, SimTime now)
{
    SimTime t = now;
    guint32 size = policed_size(f, pkt);

    if (f->spec.token_rate != 0) {
        unsigned __int128 need = (unsigned __int128)size * NS_PER_SEC;

        refill(f, now);
        if (f->credit < need) {
            unsigned __int128 wait = (need - f->credit + f->spec.token_rate - 1) / f->spec.token_rate;

            t = now + (SimTime)wait;
        }
    }
    if (f->spec.peak_rate != 0 && f->peak_free_at > t)
        t = f->peak_free_at;
    return t;
}

/* @pkt conforms at @now: take its tokens. */
static void
consume(SimQosFlow *f, const SimPacket *pkt, SimTime now)
{
    guint32 size = policed_size(f, pkt);

    if (f->spec.token_rate != 0) {
        unsigned __int128 need = (unsigned __int128)size * NS_PER_SEC;

        refill(f, now);
        g_assert(f->credit >= need);
        f->credit -= need;
    }
    if (f->spec.peak_rate != 0)
        f->peak_free_at = MAX(now, f->peak_free_at) + tx_ns(size, f->spec.peak_rate);
}

/* A packet of @wire bytes leaves the pacer at @now: the next one waits for
 * it to pass at the shaping rate. */
static inline void
pace(SimQosFlow *f, guint32 wire, SimTime now)
{
    if (f->spec.shaping_rate != 0)
        f->pace_free_at = now + tx_ns(wire, f->spec.shaping_rate);
}

static inline void
mark(const SimQosFlow *f, SimPacket *pkt)
{
    pkt->flow_id = f->id;
    pkt->service_class =
        (guint8)(f->state == SIM_QOS_STATE_ADMITTED ? f->spec.service : SIM_QOS_BEST_EFFORT);
}

static void
drop(SimQos *q, SimQosFlow *f, SimPacket *pkt)
{
    f->stats.discarded++;
    if (q->world->trace_on)
        sim__trace_packet(q->world, SIM_TR_PKT_DROP, f->node, SIM_ID_NONE, SIM_ID_NONE, SIM_DIR_AB,
                          SIM_DROP_SHAPER, pkt);
    sim_packet_unref(pkt);
}

/* What becomes of the packet at the head of a flow. */
typedef enum {
    QOS_VERDICT_SEND,    /* conforms: sent in its class */
    QOS_VERDICT_DEMOTE,  /* borrow: sent best effort */
    QOS_VERDICT_DISCARD, /* discard: dropped by the policer, after the pacer */
    QOS_VERDICT_REJECT,  /* can never conform (shape, discard): dropped at once */
    QOS_VERDICT_WAIT,    /* not yet: the pacer or (shape) the bucket holds it */
} SimQosVerdict;

/* The verdict on @pkt, at the head of @f, at @now: the pacer first, then
 * the policer in the flow's mode.  For QOS_VERDICT_WAIT, *@out_at is when
 * to ask again; otherwise it is left alone.  judge() and settle() are forced
 * inline: qos_out() runs for every packet, and as calls they cost a policed
 * flow some 50 instructions a packet more than the code they replaced. */
G_ALWAYS_INLINE static inline SimQosVerdict
judge(SimQosFlow *f, const SimPacket *pkt, SimTime now, SimTime *out_at)
{
    bool hopeless = never_conforms(f, pkt);
    SimTime at;

    if (hopeless && f->spec.mode != SIM_QOS_MODE_BORROW)
        return QOS_VERDICT_REJECT;
    if (f->pace_free_at > now) {
        *out_at = f->pace_free_at;
        return QOS_VERDICT_WAIT;
    }
    if (hopeless)
        return QOS_VERDICT_DEMOTE;
    at = conform_time(f, pkt, now);
    if (at <= now)
        return QOS_VERDICT_SEND;
    switch (f->spec.mode) {
    case SIM_QOS_MODE_BORROW:
        return QOS_VERDICT_DEMOTE;
    case SIM_QOS_MODE_DISCARD:
        return QOS_VERDICT_DISCARD;
    case SIM_QOS_MODE_SHAPE:
        break;
    }
    *out_at = at;
    return QOS_VERDICT_WAIT;
}

/* Carry out @v (anything but QOS_VERDICT_WAIT) on @pkt, of @wire IP bytes,
 * at @now, counting a packet sent in its class in *@sent_count.  Returns
 * true if @pkt was dropped (consumed), false if it is marked and to be
 * sent. */
G_ALWAYS_INLINE static inline bool
settle(SimQos *q, SimQosFlow *f, SimPacket *pkt, guint32 wire, SimQosVerdict v, SimTime now,
       guint64 *sent_count)
{
    switch (v) {
    case QOS_VERDICT_SEND:
        consume(f, pkt, now);
        mark(f, pkt);
        (*sent_count)++;
        break;
    case QOS_VERDICT_DEMOTE:
        pkt->flow_id = f->id;
        pkt->service_class = SIM_QOS_BEST_EFFORT;
        f->stats.demoted++;
        break;
    case QOS_VERDICT_DISCARD:
        pace(f, wire, now); /* the pacer let it go; the policer drops it */
        drop(q, f, pkt);
        return true;
    case QOS_VERDICT_REJECT:
        drop(q, f, pkt);
        return true;
    case QOS_VERDICT_WAIT:
        g_assert_not_reached();
    }
    pace(f, wire, now);
    f->stats.bytes += wire;
    return false;
}

static void release_fire(SimWorld *world, void *data);

/* Schedule the release of what @f holds, if nothing is scheduled yet. */
static void
arm_release(SimQos *q, SimQosFlow *f)
{
    SimPacket *head = g_queue_peek_head(&f->held);
    SimTime now = sim_world_now(q->world), at = now;

    if (head == NULL || f->release_ev != SIM_EVENT_ID_NONE)
        return;
    (void)judge(f, head, now, &at); /* @at stays now unless the head must wait */
    f->release_ev = sim_event_schedule_at(q->world, at, release_fire, GUINT_TO_POINTER(f->id));
}

/* Hand @pkt (consumed) to the network, past the classifier. */
static void
send_now(SimQos *q, SimNodeId node, SimPacket *pkt)
{
    SimNet *net = sim__net_peek(q->world);
    bool old = net->qos_bypass;

    net->qos_bypass = true;
    (void)sim_net_send(q->world, node, pkt); /* later failures are traced there */
    net->qos_bypass = old;
}

static void
release_fire(SimWorld *world, void *data)
{
    SimQosFlowId id = GPOINTER_TO_UINT(data);
    SimQosFlow *f = flow_peek(world, id);
    SimQos *q = qos_peek(world);
    SimTime at = 0; /* set by judge() when it returns QOS_VERDICT_WAIT */

    if (f == NULL)
        return;
    f->release_ev = SIM_EVENT_ID_NONE;
    for (;;) {
        SimTime now = sim_world_now(world);
        SimPacket *pkt;
        SimQosVerdict v;
        guint32 wire;

        f = flow_peek(world, id);
        if (f == NULL)
            return;
        if (g_queue_is_empty(&f->held)) {
            if (f->draining)
                flow_destroy(q, f); /* freed, and all it held has left */
            return;
        }
        pkt = g_queue_peek_head(&f->held);
        v = judge(f, pkt, now, &at);
        if (v == QOS_VERDICT_WAIT)
            break;
        g_queue_pop_head(&f->held);
        wire = sim_packet_wire_len(pkt);
        f->held_bytes -= wire;
        f->stats.held = g_queue_get_length(&f->held);
        if (!settle(q, f, pkt, wire, v, now, &f->stats.shaped))
            send_now(q, f->node, pkt);
    }
    f->release_ev = sim_event_schedule_at(world, at, release_fire, data);
}

/*
 * The classifier sim_net_send() calls for every packet while flows exist.
 * FALSE: send @pkt now (marked); TRUE: the flow took it (held or dropped).
 */
static bool
qos_out(SimWorld *world, SimNodeId node, SimPacket *pkt)
{
    SimQos *q = qos_peek(world);
    SimQosFlow *f;
    SimQosVerdict v;
    SimTime now, at;
    guint32 wire;

    if (q == NULL || q->n_live == 0)
        return false;
    f = classify(q, node, pkt);
    if (f == NULL)
        return false;
    wire = sim_packet_wire_len(pkt);
    if (f->spec.service == SIM_QOS_NO_TRAFFIC ||
        (f->spec.token_rate == 0 && f->spec.peak_rate == 0 && f->spec.max_sdu == 0 &&
         f->spec.shaping_rate == 0)) {
        /* Nothing to police or pace (SERVICETYPE_NOTRAFFIC reserves nothing:
         * what is sent anyway, such as TCP's acknowledgements, goes best
         * effort at once). */
        pkt->flow_id = f->id;
        pkt->service_class = SIM_QOS_BEST_EFFORT;
        f->stats.conforming++;
        f->stats.bytes += wire;
        return false;
    }
    now = sim_world_now(world);
    if (g_queue_is_empty(&f->held))
        v = judge(f, pkt, now, &at);
    else if (f->spec.mode != SIM_QOS_MODE_BORROW && never_conforms(f, pkt))
        v = QOS_VERDICT_REJECT;
    else
        v = QOS_VERDICT_WAIT; /* FIFO: behind what the flow holds */
    if (v != QOS_VERDICT_WAIT)
        return settle(q, f, pkt, wire, v, now, &f->stats.conforming);
    if (f->held_bytes + wire > MAX(SIM_QOS_SHAPER_LIMIT_BYTES, flow_depth(f))) {
        drop(q, f, pkt);
        return true;
    }
    g_queue_push_tail(&f->held, pkt);
    f->held_bytes += wire;
    f->stats.held = g_queue_get_length(&f->held);
    arm_release(q, f);
    return true;
}

/* ---- Flows ------------------------------------------------------------------ */

static bool
spec_valid(const SimQosSpec *spec)
{
    switch (spec->service) {
    case SIM_QOS_NO_TRAFFIC:
    case SIM_QOS_BEST_EFFORT:
    case SIM_QOS_CONTROLLED_LOAD:
    case SIM_QOS_GUARANTEED:
        break;
    default:
        return false;
    }
    switch (spec->mode) {
    case SIM_QOS_MODE_BORROW:
    case SIM_QOS_MODE_SHAPE:
    case SIM_QOS_MODE_DISCARD:
        return true;
    }
    return false;
}

/**
 * sim_qos_flow_new:
 * @world: the world
 * @node: the sending node
 * @proto: SIM_PROTO_TCP or SIM_PROTO_UDP
 * @spec: the traffic spec (copied)
 *
 * A flow matches nothing until sim_qos_flow_set_filter().  Ids are 1, 2, ...
 * in creation order, never reused.
 *
 * Returns: the flow's id; 0 for an unknown node or an invalid @spec.
 */
SimQosFlowId
sim_qos_flow_new(SimWorld *world, SimNodeId node, guint8 proto, const SimQosSpec *spec)
{
    SimQos *q;
    SimQosFlow *f;

    g_return_val_if_fail(world != NULL && spec != NULL, 0);
    if (sim__net_node(sim__net_peek(world), node) == NULL || !spec_valid(spec))
        return 0;
    q = qos_get(world);
    f = g_new0(SimQosFlow, 1);
    f->id = q->flows->len + 1;
    f->node = node;
    f->proto = proto;
    f->spec = *spec;
    f->credit = (unsigned __int128)flow_depth(f) * NS_PER_SEC;
    f->credit_at = sim_world_now(world);
    g_queue_init(&f->held);
    g_ptr_array_add(q->flows, f);
    q->n_live++;
    return f->id;
}

static void
flow_destroy(SimQos *q, SimQosFlow *f)
{
    SimPacket *pkt;

    resv_release(q, f);
    key_unlink(q, f);
    if (f->release_ev != SIM_EVENT_ID_NONE && !q->world->in_teardown)
        sim_event_cancel(q->world, f->release_ev);
    while ((pkt = g_queue_pop_head(&f->held)) != NULL)
        sim_packet_unref(pkt);
    g_ptr_array_index(q->flows, f->id - 1) = NULL;
    if (!f->draining)
        q->n_live--;
    g_free(f);
}

/**
 * sim_qos_flow_free:
 * @world: the world
 * @flow: a flow id (unknown or freed ids are ignored)
 *
 * Releases the reservation and forgets the flow.  The packets its pacer and
 * shaper already hold were sent as far as the sender knows (a datagram
 * socket's send succeeded): they still leave, paced and shaped as before
 * but best effort, and the flow's record goes once the last has left (the
 * id is unknown to the API from now on).  Other flows are not re-admitted
 * until the next route change.
 */
void
sim_qos_flow_free(SimWorld *world, SimQosFlowId flow)
{
    SimQosFlow *f;
    SimQos *q;

    g_return_if_fail(world != NULL);
    f = flow_live(world, flow);
    if (f == NULL)
        return;
    q = qos_peek(world);
    if (g_queue_is_empty(&f->held) || world->in_teardown) {
        flow_destroy(q, f);
        return;
    }
    resv_release(q, f);
    key_unlink(q, f);
    f->state = SIM_QOS_STATE_IDLE; /* what is left goes best effort */
    f->notify = NULL;
    f->draining = true;
    q->n_live--;
}

bool
sim_qos_flow_exists(const SimWorld *world, SimQosFlowId flow)
{
    g_return_val_if_fail(world != NULL, false);
    return flow_live(world, flow) != NULL;
}

/**
 * sim_qos_flow_set_filter:
 * @world: the world
 * @flow: a flow id
 * @local: the local address and port its packets come from (address any:
 *   every local address)
 * @remote: (nullable): the destination; NULL or port 0 for any (then
 *   nothing can be reserved)
 *
 * Replaces the filter and runs admission control for the new destination.
 *
 * Returns: the flow's new state; SIM_QOS_STATE_IDLE for an unknown flow.
 */
SimQosState
sim_qos_flow_set_filter(SimWorld *world, SimQosFlowId flow, const SimSockAddr *local,
                        const SimSockAddr *remote)
{
    SimQos *q;
    SimQosFlow *f;

    g_return_val_if_fail(world != NULL && local != NULL, SIM_QOS_STATE_IDLE);
    f = flow_live(world, flow);
    if (f == NULL)
        return SIM_QOS_STATE_IDLE;
    q = qos_peek(world);
    key_unlink(q, f);
    f->local = *local;
    f->any_remote = remote == NULL || remote->port == 0;
    if (remote != NULL)
        f->remote = *remote;
    else
        memset(&f->remote, 0, sizeof f->remote);
    f->key = make_key(f->node, local->port, f->any_remote ? 0 : remote->port);
    f->has_filter = true;
    key_link(q, f);
    return readmit(q, f);
}

/**
 * sim_qos_flow_set_spec:
 * @world: the world
 * @flow: a flow id
 * @spec: the new spec (copied)
 *
 * Renegotiation: the old reservation is released, then the new spec is
 * admitted or refused.  The bucket starts full again and the pacer free;
 * packets the flow holds stay queued, in order, and are released under the
 * new spec (its pacer, bucket and mode).
 *
 * Returns: the flow's new state; SIM_QOS_STATE_IDLE for an unknown flow or
 *   an invalid spec (nothing changed then).
 */
SimQosState
sim_qos_flow_set_spec(SimWorld *world, SimQosFlowId flow, const SimQosSpec *spec)
{
    SimQos *q;
    SimQosFlow *f;

    g_return_val_if_fail(world != NULL && spec != NULL, SIM_QOS_STATE_IDLE);
    f = flow_live(world, flow);
    if (f == NULL || !spec_valid(spec))
        return SIM_QOS_STATE_IDLE;
    q = qos_peek(world);
    f->spec = *spec;
    f->credit = (unsigned __int128)flow_depth(f) * NS_PER_SEC;
    f->credit_at = sim_world_now(world);
    f->peak_free_at = 0;
    f->pace_free_at = 0;
    readmit(q, f);
    if (f->release_ev != SIM_EVENT_ID_NONE) {
        sim_event_cancel(world, f->release_ev);
        f->release_ev = SIM_EVENT_ID_NONE;
    }
    arm_release(q, f);
    return f->state;
}

SimQosState
sim_qos_flow_state(const SimWorld *world, SimQosFlowId flow)
{
    SimQosFlow *f;

    g_return_val_if_fail(world != NULL, SIM_QOS_STATE_IDLE);
    f = flow_live(world, flow);
    return f != NULL ? f->state : SIM_QOS_STATE_IDLE;
}

/**
 * sim_qos_flow_set_notify:
 * @world: the world
 * @flow: a flow id
 * @fn: (nullable): called when a re-check changes the flow's state
 * @data: (transfer none): handed to @fn
 */
void
sim_qos_flow_set_notify(SimWorld *world, SimQosFlowId flow, SimQosNotifyFn fn, void *data)
{
    SimQosFlow *f;

    g_return_if_fail(world != NULL);
    f = flow_live(world, flow);
    if (f == NULL)
        return;
    f->notify = fn;
    f->notify_data = data;
}

/**
 * sim_qos_flow_get_stats:
 * @world: the world
 * @flow: a flow id
 * @out_stats: (out caller-allocates): its counters
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown flow.
 */
SimStatus
sim_qos_flow_get_stats(const SimWorld *world, SimQosFlowId flow, SimQosFlowStats *out_stats)
{
    SimQosFlow *f;

    g_return_val_if_fail(world != NULL && out_stats != NULL, SIM_E_INVAL);
    f = flow_live(world, flow);
    if (f == NULL)
        return SIM_E_NOTFOUND;
    *out_stats = f->stats;
    out_stats->held = g_queue_get_length(&f->held);
    return SIM_OK;
}

/**
 * sim_qos_set_reservable_ppm:
 * @world: the world
 * @ppm: share of each link direction's rate reservations may take, at most
 *   1,000,000
 */
void
sim_qos_set_reservable_ppm(SimWorld *world, guint32 ppm)
{
    g_return_if_fail(world != NULL && ppm <= PPM_ONE);
    qos_get(world)->reservable_ppm = ppm;
}

/**
 * sim_qos_link_reserved_bps:
 * @world: the world
 * @link: a link id
 * @dir: SIM_DIR_AB or SIM_DIR_BA
 *
 * Returns: the bits per second admitted flows hold on that direction.
 */
guint64
sim_qos_link_reserved_bps(const SimWorld *world, SimLinkId link, SimLinkDir dir)
{
    SimQos *q;
    guint idx;

    g_return_val_if_fail(world != NULL, 0);
    q = qos_peek(world);
    if (q == NULL || link == SIM_ID_NONE || (dir != SIM_DIR_AB && dir != SIM_DIR_BA))
        return 0;
    idx = (link - 1) * 2 + (guint)dir;
    return idx < q->resv->len ? g_array_index(q->resv, guint64, idx) : 0;
}
