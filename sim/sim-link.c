/* SPDX-License-Identifier: MIT
 *
 * sim-link.c: point-to-point links.  Each direction is an independent pipe
 * with a transmitter (rate, drop-tail queue), a propagation delay (latency
 * plus bounded jitter), a loss model (Bernoulli or Gilbert-Elliott), and
 * duplication, reordering and corruption, each drawn from its own random
 * stream named after the link's end nodes, so adding a link or turning on
 * one effect never shifts another's draws.  doc/network-model.md describes
 * the model for users.
 *
 * The transmitter costs no events: a direction remembers when it is free
 * again (busy_until) and, in a ring per class that can be overtaken (q for
 * best effort, cl_q for controlled load, below), the start and end times,
 * sizes and arrival events of the packets waiting for it; q is all
 * drop-tail needs to know the queue length.  Each accepted packet costs
 * exactly one event, its arrival at the far end (two with a duplicate).  A
 * packet the loss model takes has no arrival, but still occupies the
 * transmitter and is reported (SIM_TR_PKT_DROP, reason loss) at the moment
 * it is sent.
 *
 * Down links: a packet sent onto a down direction is dropped at once.
 * When a direction goes down, the packet being transmitted, the packets
 * queued and the packets propagating are all lost: rather than hunt their
 * arrival events down, the direction counts its up->down changes (epoch)
 * and each packet carries the count of its sending time; an arrival whose
 * count differs is dropped (SIM_DROP_LINK_DOWN) when it would have arrived.
 * That holds even if the link came back up in between.
 *
 * Class scheduling (QoS, sim-qos.c): an exact strict-priority scheduler,
 * non-preemptive, over three levels: guaranteed service over controlled
 * load over the rest (best effort).  While the transmitter is busy its
 * timeline is contiguous:
 *
 *   [packet on the wire][waiting guaranteed][waiting controlled load][waiting best effort]
 *
 * each level first in, first out.  A packet is placed when it is accepted,
 * after the rings have dropped the packets that started by now (a ring's
 * wire_end then tells when the last of its packets that started ends):
 *
 *   guaranteed       at the end of the waiting guaranteed packets, or of the
 *                    packet on the wire: max(now, q.wire_end, cl_q.wire_end,
 *                    g_busy)
 *   controlled load  at the end of the waiting guaranteed and controlled-load
 *                    packets, or of the packet on the wire: max(now,
 *                    q.wire_end, cl_busy)
 *   best effort      at the end of everything: max(now, busy_until)
 *
 * where g_busy, cl_busy and busy_until end the guaranteed, the guaranteed
 * and controlled-load, and the whole backlog.  A priority packet takes its
 * place in front of the waiting packets of the levels below it, so each of
 * those starts, ends and arrives its serialisation time later: overtake()
 * moves their ring entries and, with sim__event_delay(), their arrival
 * events (a duplicate's too), keeping each event's seq, so ties between
 * arrivals still break in scheduling order.  Everything is integer
 * arithmetic in a fixed order; no event is added.  The link thus never
 * carries more than its rate over any span.
 *
 * Delay bounds: a guaranteed packet waits at most one packet's
 * serialisation (the one on the wire, the longest the MTU allows) plus the
 * guaranteed packets accepted before it; a controlled-load packet one packet
 * plus the guaranteed and controlled-load packets accepted before it, plus
 * the guaranteed packets accepted while it waits; a best-effort packet has
 * no bound of its own.  Admission control and the senders' token buckets
 * keep the priority traffic below the link's rate.  A QUEUE record gives
 * the start planned at acceptance, which a later priority packet may push
 * back (doc/trace-format.md).
 *
 * Cost: a best-effort packet costs what it did before the levels existed,
 * O(1) besides its event, with its event id stored in its ring entry; a
 * priority packet that overtakes k waiting packets costs O(k log n) for n
 * pending events.  Guaranteed packets are never overtaken, so they keep no
 * ring; controlled-load ones keep their own so that they can be moved.
 */
#include "config.h"

#include "sim/sim-net.h"

#include <string.h>

#include "sim/sim-net-private.h"

static const char *const rng_suffix[] = {
    [SIM_LINK_RNG_LOSS] = "loss",       [SIM_LINK_RNG_GE] = "ge",
    [SIM_LINK_RNG_JITTER] = "jitter",   [SIM_LINK_RNG_DUP] = "dup",
    [SIM_LINK_RNG_REORDER] = "reorder", [SIM_LINK_RNG_CORRUPT] = "corrupt",
};
G_STATIC_ASSERT(G_N_ELEMENTS(rng_suffix) == SIM_LINK_RNG_N);

/* Smallest MTU every IPv4 node must handle (RFC 791). */
#define LINK_MTU_MIN 68u
#define LINK_MTU_MAX 65535u

/**
 * sim_link_params_init:
 * @params: (out caller-allocates): the parameters to set
 *
 * Sets the defaults: no delay, no jitter, no loss, duplication, reordering
 * or corruption, infinite rate, unlimited queue, MTU 1500, up.
 */
void
sim_link_params_init(SimLinkParams *params)
{
    g_return_if_fail(params != NULL);
    memset(params, 0, sizeof *params);
    params->mtu = 1500;
    params->up = true;
}

static bool
params_valid(const SimLinkParams *p)
{
    return p->loss_ppm <= SIM_PPM_ONE && p->ge_p_good_bad_ppm <= SIM_PPM_ONE &&
           p->ge_p_bad_good_ppm <= SIM_PPM_ONE && p->ge_loss_good_ppm <= SIM_PPM_ONE &&
           p->ge_loss_bad_ppm <= SIM_PPM_ONE && p->dup_ppm <= SIM_PPM_ONE &&
           p->reorder_ppm <= SIM_PPM_ONE && p->corrupt_ppm <= SIM_PPM_ONE &&
           p->mtu >= LINK_MTU_MIN && p->mtu <= LINK_MTU_MAX && p->latency_ns <= G_MAXINT64 / 4 &&
           p->jitter_ns <= G_MAXINT64 / 4 && p->reorder_delay_ns <= G_MAXINT64 / 4;
}

void
sim__link_free(SimLink *link)
{
    if (link == NULL)
        return;
    for (guint i = 0; i < G_N_ELEMENTS(link->d); i++) {
        g_free(link->d[i].q.buf);
        g_free(link->d[i].cl_q.buf);
    }
    g_free(link->rng_name);
    g_free(link);
}

/**
 * sim_link_add:
 * @world: the world
 * @a: the first node
 * @b: the second node (not @a)
 * @ab: (nullable): parameters of the direction a -> b; NULL for defaults
 * @ba: (nullable): parameters of b -> a; NULL for the same as @ab
 *
 * Connects two nodes.  Ids are 1, 2, ... in creation order.  Each direction
 * draws from streams named "link/<a>-<b>/<ab|ba>/<purpose>" (with "#k"
 * after the names for the k-th further link between the same two nodes),
 * so its draws do not depend on what else the world holds.
 *
 * Returns: the link's id; SIM_ID_NONE for an unknown node, @a == @b, or
 *   invalid parameters (a ppm above 1,000,000, an MTU outside 68..65535).
 */
SimLinkId
sim_link_add(SimWorld *world, SimNodeId a, SimNodeId b, const SimLinkParams *ab,
             const SimLinkParams *ba)
{
    SimNet *net;
    SimNode *na, *nb;
    SimLink *link;
    SimLinkParams def;
    guint parallel = 0;

    g_return_val_if_fail(world != NULL, SIM_ID_NONE);
    net = sim__net_get(world);
    na = sim__net_node(net, a);
    nb = sim__net_node(net, b);
    if (na == NULL || nb == NULL || a == b)
        return SIM_ID_NONE;
    sim_link_params_init(&def);
    if (ab == NULL)
        ab = &def;
    if (ba == NULL)
        ba = ab;
    if (!params_valid(ab) || !params_valid(ba))
        return SIM_ID_NONE;
    for (guint i = 0; i < na->links->len; i++) {
        SimLink *l = sim__net_link(net, g_array_index(na->links, SimLinkId, i));

        if (sim__link_other(l, a, NULL) == b)
            parallel++;
    }
    link = g_new0(SimLink, 1);
    link->id = net->links->len + 1;
    link->a = a;
    link->b = b;
    link->rng_name = parallel == 0 ? g_strdup_printf("link/%s-%s", na->name, nb->name)
                                   : g_strdup_printf("link/%s-%s#%u", na->name, nb->name, parallel);
    link->d[SIM_DIR_AB].p = *ab;
    link->d[SIM_DIR_BA].p = *ba;
    g_ptr_array_add(net->links, link);
    g_array_append_val(na->links, link->id);
    g_array_append_val(nb->links, link->id);
    sim__route_invalidate(net);
    return link->id;
}

/**
 * sim_link_lookup:
 * @world: the world
 * @a: a node
 * @b: another node
 *
 * Returns: the first link (lowest id) between @a and @b, either way round,
 *   or SIM_ID_NONE.
 */
SimLinkId
sim_link_lookup(const SimWorld *world, SimNodeId a, SimNodeId b)
{
    SimNet *net;
    SimNode *na;

    g_return_val_if_fail(world != NULL, SIM_ID_NONE);
    net = sim__net_peek(world);
    na = sim__net_node(net, a);
    if (na == NULL)
        return SIM_ID_NONE;
    for (guint i = 0; i < na->links->len; i++) {
        SimLink *l = sim__net_link(net, g_array_index(na->links, SimLinkId, i));

        if (sim__link_other(l, a, NULL) == b)
            return l->id;
    }
    return SIM_ID_NONE;
}

/**
 * sim_link_node:
 * @world: the world
 * @link: a link id
 * @end: SIM_DIR_AB for the first node, SIM_DIR_BA for the second
 *
 * Returns: that end's node, or SIM_ID_NONE.
 */
SimNodeId
sim_link_node(const SimWorld *world, SimLinkId link, SimLinkDir end)
{
    SimLink *l;

    g_return_val_if_fail(world != NULL, SIM_ID_NONE);
    l = sim__net_link(sim__net_peek(world), link);
    if (l == NULL)
        return SIM_ID_NONE;
    switch (end) {
    case SIM_DIR_AB:
        return l->a;
    case SIM_DIR_BA:
        return l->b;
    case SIM_DIR_BOTH:
        break;
    }
    return SIM_ID_NONE;
}

/**
 * sim_world_link_count:
 * @world: the world
 *
 * Returns: the number of links; their ids are 1 to that number.
 */
size_t
sim_world_link_count(const SimWorld *world)
{
    SimNet *net;

    g_return_val_if_fail(world != NULL, 0);
    net = sim__net_peek(world);
    return net != NULL ? net->links->len : 0;
}

/**
 * sim_link_get_params:
 * @world: the world
 * @link: a link id
 * @dir: SIM_DIR_AB or SIM_DIR_BA
 * @out_params: (out caller-allocates): the direction's current parameters
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown link; E_INVAL for SIM_DIR_BOTH.
 */
SimStatus
sim_link_get_params(const SimWorld *world, SimLinkId link, SimLinkDir dir,
                    SimLinkParams *out_params)
{
    SimLink *l;

    g_return_val_if_fail(world != NULL && out_params != NULL, SIM_E_INVAL);
    l = sim__net_link(sim__net_peek(world), link);
    if (l == NULL)
        return SIM_E_NOTFOUND;
    if (dir != SIM_DIR_AB && dir != SIM_DIR_BA)
        return SIM_E_INVAL;
    *out_params = l->d[dir].p;
    return SIM_OK;
}

/* Durations in the trace: the largest unit that keeps them exact. */
static void
append_duration(GString *s, SimTime ns)
{
    if (ns == 0)
        g_string_append(s, "0");
    else if (ns % SIM_SEC == 0)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "s", ns / SIM_SEC);
    else if (ns % SIM_MSEC == 0)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "ms", ns / SIM_MSEC);
    else if (ns % SIM_USEC == 0)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "us", ns / SIM_USEC);
    else
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "ns", ns);
}

static void
append_rate(GString *s, guint64 bps)
{
    if (bps == 0)
        g_string_append(s, "inf");
    else if (bps % 1000000000u == 0)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "Gbps", bps / 1000000000u);
    else if (bps % 1000000u == 0)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "Mbps", bps / 1000000u);
    else if (bps % 1000u == 0)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "kbps", bps / 1000u);
    else
        g_string_append_printf(s, "%" G_GUINT64_FORMAT "bps", bps);
}

/* "name=value" for every field that differs, in declaration order. */
static void
describe_change(GString *s, const SimLinkParams *o, const SimLinkParams *n)
{
#define SEP() (s->len > 0 ? g_string_append_c(s, ' ') : s)
    if (o->up != n->up)
        g_string_append(SEP(), n->up ? "up" : "down");
    if (o->latency_ns != n->latency_ns) {
        g_string_append(SEP(), "latency=");
        append_duration(s, n->latency_ns);
    }
    if (o->jitter_ns != n->jitter_ns) {
        g_string_append(SEP(), "jitter=");
        append_duration(s, n->jitter_ns);
    }
    if (o->loss_ppm != n->loss_ppm)
        g_string_append_printf(SEP(), "loss=%uppm", n->loss_ppm);
    if (o->ge_enabled != n->ge_enabled || o->ge_p_good_bad_ppm != n->ge_p_good_bad_ppm ||
        o->ge_p_bad_good_ppm != n->ge_p_bad_good_ppm ||
        o->ge_loss_good_ppm != n->ge_loss_good_ppm || o->ge_loss_bad_ppm != n->ge_loss_bad_ppm) {
        if (n->ge_enabled)
            g_string_append_printf(SEP(), "ge=%u/%u/%u/%uppm", n->ge_p_good_bad_ppm,
                                   n->ge_p_bad_good_ppm, n->ge_loss_good_ppm, n->ge_loss_bad_ppm);
        else
            g_string_append(SEP(), "ge=off");
    }
    if (o->dup_ppm != n->dup_ppm)
        g_string_append_printf(SEP(), "dup=%uppm", n->dup_ppm);
    if (o->reorder_ppm != n->reorder_ppm || o->reorder_delay_ns != n->reorder_delay_ns) {
        g_string_append_printf(SEP(), "reorder=%uppm/", n->reorder_ppm);
        append_duration(s, n->reorder_delay_ns);
    }
    if (o->corrupt_ppm != n->corrupt_ppm)
        g_string_append_printf(SEP(), "corrupt=%uppm", n->corrupt_ppm);
    if (o->rate_bps != n->rate_bps) {
        g_string_append(SEP(), "rate=");
        append_rate(s, n->rate_bps);
    }
    if (o->queue_packets != n->queue_packets || o->queue_bytes != n->queue_bytes)
        g_string_append_printf(SEP(), "queue=%upkt/%uB", n->queue_packets, n->queue_bytes);
    if (o->mtu != n->mtu)
        g_string_append_printf(SEP(), "mtu=%u", n->mtu);
#undef SEP
}

/* Forget what @r holds: the link went down at @now. */
static void
ring_clear(SimLinkRing *r, SimTime now)
{
    r->head = 0;
    r->len = 0;
    r->bytes = 0;
    r->wire_end = now;
}

static void
dir_apply(SimNet *net, SimLink *link, SimLinkDir dir, const SimLinkParams *p)
{
    SimWorld *world = net->world;
    SimLinkDirState *d = &link->d[dir];
    SimLinkParams old = d->p;

    d->p = *p;
    if (old.up && !p->up) {
        /* Everything on the wire or in the queue is lost (file comment). */
        d->epoch++;
        ring_clear(&d->q, world->now);
        ring_clear(&d->cl_q, world->now);
        d->busy_until = world->now;
        d->cl_busy = world->now;
        d->g_busy = world->now;
    }
    if (!old.ge_enabled && p->ge_enabled)
        d->ge_bad = false;
    if (old.up != p->up || old.latency_ns != p->latency_ns)
        sim__route_invalidate(net);
    else if (old.rate_bps != p->rate_bps && net->qos_changed != NULL)
        net->qos_changed(world); /* reservations may no longer fit (sim-qos.c) */
    if (G_UNLIKELY(world->trace_on)) {
        GString *text = g_string_new(NULL);

        describe_change(text, &old, p);
        if (text->len > 0) {
            SimTraceRecord rec = {
                .time = world->now,
                .kind = SIM_TR_LINK_CHANGE,
                .node = dir == SIM_DIR_AB ? link->a : link->b,
                .peer = dir == SIM_DIR_AB ? link->b : link->a,
                .link = link->id,
                .dir = dir,
                .text = text->str,
            };
            sim_trace_emit(world, &rec);
        }
        g_string_free(text, TRUE);
    }
}

/**
 * sim_link_set_params:
 * @world: the world
 * @link: a link id
 * @dir: SIM_DIR_AB, SIM_DIR_BA or SIM_DIR_BOTH
 * @params: the new parameters
 *
 * Changes one or both directions now.  Each direction whose parameters
 * differ gets a SIM_TR_LINK_CHANGE record listing the changed fields.
 * Packets already accepted keep the times computed when they were sent;
 * going down loses everything in flight in that direction (the file comment
 * says how).  Up/down and latency changes recompute routes.
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown link; E_INVAL for invalid
 *   parameters.
 */
SimStatus
sim_link_set_params(SimWorld *world, SimLinkId link, SimLinkDir dir, const SimLinkParams *params)
{
    SimNet *net;
    SimLink *l;

    g_return_val_if_fail(world != NULL && params != NULL, SIM_E_INVAL);
    net = sim__net_get(world);
    l = sim__net_link(net, link);
    if (l == NULL)
        return SIM_E_NOTFOUND;
    if (!params_valid(params))
        return SIM_E_INVAL;
    switch (dir) {
    case SIM_DIR_AB:
    case SIM_DIR_BA:
        dir_apply(net, l, dir, params);
        return SIM_OK;
    case SIM_DIR_BOTH:
        dir_apply(net, l, SIM_DIR_AB, params);
        dir_apply(net, l, SIM_DIR_BA, params);
        return SIM_OK;
    }
    return SIM_E_INVAL;
}

/**
 * sim_link_set_up:
 * @world: the world
 * @link: a link id
 * @dir: SIM_DIR_AB, SIM_DIR_BA or SIM_DIR_BOTH
 * @up: the new state
 *
 * sim_link_set_params() with only the up flag changed.
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown link; E_INVAL for a bad @dir.
 */
SimStatus
sim_link_set_up(SimWorld *world, SimLinkId link, SimLinkDir dir, bool up)
{
    SimNet *net;
    SimLink *l;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    net = sim__net_get(world);
    l = sim__net_link(net, link);
    if (l == NULL)
        return SIM_E_NOTFOUND;
    for (int i = SIM_DIR_AB; i <= SIM_DIR_BA; i++) {
        SimLinkParams p;

        if (dir != SIM_DIR_BOTH && (int)dir != i)
            continue;
        p = l->d[i].p;
        p.up = up;
        dir_apply(net, l, (SimLinkDir)i, &p);
    }
    return dir == SIM_DIR_AB || dir == SIM_DIR_BA || dir == SIM_DIR_BOTH ? SIM_OK : SIM_E_INVAL;
}

typedef struct {
    SimLinkId link;
    SimLinkDir dir;
    SimLinkParams params;
} ScheduledParams;

static void
scheduled_params_fire(SimWorld *world, void *data)
{
    ScheduledParams *sp = data;

    (void)sim_link_set_params(world, sp->link, sp->dir, &sp->params);
    g_free(sp);
}

/**
 * sim_link_schedule_params:
 * @world: the world
 * @at_ns: absolute simulated time, >= now
 * @link: a link id
 * @dir: SIM_DIR_AB, SIM_DIR_BA or SIM_DIR_BOTH
 * @params: the parameters to set then (copied now)
 *
 * Schedules sim_link_set_params() at @at_ns; it runs after the events
 * already due at that instant.  Cancel it with sim_event_cancel().
 *
 * Returns: the event's id; SIM_EVENT_ID_NONE for an unknown link or invalid
 *   parameters.
 */
SimEventId
sim_link_schedule_params(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                         const SimLinkParams *params)
{
    ScheduledParams *sp;

    g_return_val_if_fail(world != NULL && params != NULL, SIM_EVENT_ID_NONE);
    g_return_val_if_fail(at_ns >= world->now, SIM_EVENT_ID_NONE);
    if (sim__net_link(sim__net_peek(world), link) == NULL || !params_valid(params))
        return SIM_EVENT_ID_NONE;
    sp = g_new(ScheduledParams, 1);
    sp->link = link;
    sp->dir = dir;
    sp->params = *params;
    return sim__event_schedule_full(world, at_ns, scheduled_params_fire, sp, g_free);
}

/**
 * sim_link_get_stats:
 * @world: the world
 * @link: a link id
 * @dir: SIM_DIR_AB or SIM_DIR_BA
 * @out_stats: (out caller-allocates): the direction's counters since it was
 *   made
 *
 * Returns: SIM_OK; E_NOTFOUND for an unknown link; E_INVAL for SIM_DIR_BOTH.
 */
SimStatus
sim_link_get_stats(const SimWorld *world, SimLinkId link, SimLinkDir dir, SimLinkStats *out_stats)
{
    SimLink *l;

    g_return_val_if_fail(world != NULL && out_stats != NULL, SIM_E_INVAL);
    l = sim__net_link(sim__net_peek(world), link);
    if (l == NULL)
        return SIM_E_NOTFOUND;
    if (dir != SIM_DIR_AB && dir != SIM_DIR_BA)
        return SIM_E_INVAL;
    *out_stats = l->d[dir].stats;
    return SIM_OK;
}

/* ---- The data path --------------------------------------------------- */

/* The direction's stream for @kind, initialised on first use: its draws
 * depend only on the seed and the stream's name. */
static SimRng *
dir_rng(SimNet *net, SimLink *link, SimLinkDir dir, SimLinkRngKind kind)
{
    SimLinkDirState *d = &link->d[dir];

    if ((d->rng_ready & (1u << kind)) == 0) {
        char *name = g_strdup_printf("%s/%s/%s", link->rng_name, dir == SIM_DIR_AB ? "ab" : "ba",
                                     rng_suffix[kind]);

        sim_rng_init(&d->rng[kind], sim_world_seed(net->world), name);
        g_free(name);
        d->rng_ready |= (guint8)(1u << kind);
    }
    return &d->rng[kind];
}

/* TRUE with probability @ppm / 1e6; draws nothing for 0 and 1e6. */
static inline bool
dir_chance(SimNet *net, SimLink *link, SimLinkDir dir, SimLinkRngKind kind, guint32 ppm)
{
    if (ppm == 0)
        return false;
    if (ppm >= SIM_PPM_ONE)
        return true;
    return sim_rng_below(dir_rng(net, link, dir, kind), SIM_PPM_ONE) < ppm;
}

/* Serialisation time of @bytes at @rate_bps, in integers (128-bit product:
 * no overflow for any 32-bit size and 64-bit rate), rounded down. */
static inline SimTime
serialisation_ns(guint32 bytes, guint64 rate_bps)
{
    if (rate_bps == 0)
        return 0;
    return (SimTime)(((unsigned __int128)bytes * 8u * SIM_SEC) / rate_bps);
}

/* Appends a waiting packet; its entry (valid until the next push), for the
 * caller to record the arrival events in. */
static SimLinkQueued *
ring_push(SimLinkRing *r, SimTime start, SimTime end, guint32 bytes)
{
    SimLinkQueued *e;

    if (r->len == r->cap) {
        guint32 cap = r->cap != 0 ? r->cap * 2 : 16;
        SimLinkQueued *buf = g_new(SimLinkQueued, cap);

        for (guint32 i = 0; i < r->len; i++)
            buf[i] = r->buf[(r->head + i) & (r->cap - 1)];
        g_free(r->buf);
        r->buf = buf;
        r->cap = cap;
        r->head = 0;
    }
    e = &r->buf[(r->head + r->len) & (r->cap - 1)];
    *e = (SimLinkQueued){start, end, {SIM_EVENT_ID_NONE, SIM_EVENT_ID_NONE}, bytes};
    r->len++;
    r->bytes += bytes;
    return e;
}

/* Forget the waiting packets whose transmission has started by @now. */
static inline void
ring_advance(SimLinkRing *r, SimTime now)
{
    while (r->len > 0 && r->buf[r->head].start <= now) {
        r->bytes -= r->buf[r->head].bytes;
        r->wire_end = r->buf[r->head].end;
        r->head = (r->head + 1) & (r->cap - 1);
        r->len--;
    }
}

/* Every waiting packet of @r starts, ends and arrives @ser later, its
 * duplicate too. */
static void
ring_delay(SimWorld *world, SimLinkRing *r, SimTime ser)
{
    for (guint32 i = 0; i < r->len; i++) {
        SimLinkQueued *e = &r->buf[(r->head + i) & (r->cap - 1)];

        e->start += ser;
        e->end += ser;
        for (guint k = 0; k < G_N_ELEMENTS(e->ev); k++) {
            /* Pending for sure: it arrives after it ends, beyond now. */
            if (e->ev[k] != SIM_EVENT_ID_NONE && !sim__event_delay(world, e->ev[k], ser))
                g_assert_not_reached();
        }
    }
}

/*
 * A packet starting at @start for @ser overtakes the waiting packets of @r,
 * a lower class, all of which lie beyond @start: they move @ser later, and
 * so does *@busy, the end of the backlog that holds them.  With nothing of
 * theirs waiting, *@busy is at most @start, and the backlog ends with the
 * packet.
 */
static inline void
overtake(SimWorld *world, SimLinkRing *r, SimTime *busy, SimTime start, SimTime ser)
{
    if (r->len > 0)
        ring_delay(world, r, ser);
    *busy = *busy > start ? *busy + ser : start + ser;
}

/*
 * The two priority levels (file comment).  A guaranteed packet starts where
 * the packet on the wire ends (its ring's wire_end, or g_busy for a
 * guaranteed one) or, if later, the waiting guaranteed packets (g_busy); a
 * controlled-load packet where the packet on the wire or the waiting
 * guaranteed and controlled-load packets (cl_busy) end.  Returns the entry
 * that keeps the packet's arrival events: @sink when nothing can overtake
 * it (guaranteed, or started at once).
 */
static SimLinkQueued *
prio_schedule(SimWorld *world, SimLinkDirState *d, guint32 wire, bool guaranteed,
              SimLinkQueued *sink, SimTime *out_start, SimTime *out_end)
{
    SimTime now = world->now, start = MAX(now, d->q.wire_end);
    SimTime ser = serialisation_ns(wire, d->p.rate_bps);
    SimLinkQueued *entry = sink;

    ring_advance(&d->cl_q, now);
    if (guaranteed) {
        start = MAX(start, MAX(d->cl_q.wire_end, d->g_busy));
        d->g_busy = start + ser;
        overtake(world, &d->cl_q, &d->cl_busy, start, ser);
    } else {
        start = MAX(start, d->cl_busy);
        d->cl_busy = start + ser;
        if (start > now)
            entry = ring_push(&d->cl_q, start, start + ser, wire);
        else
            d->cl_q.wire_end = start + ser;
    }
    overtake(world, &d->q, &d->busy_until, start, ser);
    *out_start = start;
    *out_end = start + ser;
    return entry;
}

static void
link_trace(SimNet *net, SimTraceKind kind, SimLink *link, SimLinkDir dir, SimDropReason reason,
           const SimPacket *pkt, SimTime depart, guint32 queue_len, const char *text)
{
    SimTraceRecord rec = {
        .time = net->world->now,
        .kind = kind,
        .node = dir == SIM_DIR_AB ? link->a : link->b,
        .peer = dir == SIM_DIR_AB ? link->b : link->a,
        .link = link->id,
        .dir = dir,
        .reason = reason,
        .packet = pkt,
        .depart_ns = depart,
        .queue_len = queue_len,
        .text = text,
    };
    sim_trace_emit(net->world, &rec);
}

static void link_arrive(SimWorld *world, void *data);

static SimEventId
schedule_arrival(SimNet *net, SimLink *link, SimLinkDir dir, SimPacket *pkt, SimTime at)
{
    SimLinkDirState *d = &link->d[dir];

    if (d->p.jitter_ns > 0)
        at += sim_rng_below(dir_rng(net, link, dir, SIM_LINK_RNG_JITTER), d->p.jitter_ns + 1);
    pkt->hop_node = dir == SIM_DIR_AB ? link->a : link->b;
    pkt->hop_link = link->id;
    pkt->hop_dir = (guint8)dir;
    pkt->hop_epoch = d->epoch;
    return sim__event_schedule_full(net->world, at, link_arrive, pkt,
                                    (GDestroyNotify)sim_packet_unref);
}

/*
 * sim__link_transmit: accept @pkt (consumed) onto @link in direction @dir.
 *
 * The transmitter starts a best-effort packet at max(now, busy_until), a
 * priority one as prio_schedule() says (pushing back the waiting packets of
 * the levels below), and finishes it serialisation_ns() later; it arrives
 * latency + jitter after that (plus reorder_delay for the packets
 * reordering picks).  Drop-tail: when the transmitter is busy, a
 * best-effort packet that would make the waiting best-effort packets exceed
 * queue_packets, or their bytes exceed queue_bytes, is dropped.  Draws
 * happen in a fixed order (loss, corruption, reordering, jitter,
 * duplication), each from its own stream.
 */
void
sim__link_transmit(SimNet *net, SimLink *link, SimLinkDir dir, SimPacket *pkt)
{
    SimWorld *world = net->world;
    SimLinkDirState *d = &link->d[dir];
    SimTime now = world->now, start, end, arrival;
    /* Where the arrival events go: the packet's ring entry while it waits,
     * so that an overtaking packet can push them back; else nowhere. */
    SimLinkQueued sink, *entry = &sink;
    guint32 wire;
    bool busy, lost;

    if (G_UNLIKELY(!d->p.up)) {
        d->stats.down_drops++;
        if (world->trace_on)
            link_trace(net, SIM_TR_PKT_DROP, link, dir, SIM_DROP_LINK_DOWN, pkt, 0, 0, NULL);
        sim_packet_unref(pkt);
        return;
    }
    wire = sim_packet_wire_len(pkt);
    ring_advance(&d->q, now);
    if (G_UNLIKELY(pkt->service_class >= SIM_QOS_CONTROLLED_LOAD) && d->p.rate_bps != 0) {
        bool guaranteed = pkt->service_class >= SIM_QOS_GUARANTEED;

        entry = prio_schedule(world, d, wire, guaranteed, &sink, &start, &end);
        if (guaranteed)
            d->stats.prio_g_packets++;
        else
            d->stats.prio_cl_packets++;
        if (world->trace_on)
            link_trace(net, start > now ? SIM_TR_PKT_QUEUE : SIM_TR_PKT_SEND, link, dir,
                       SIM_DROP_NONE, pkt, start, 0, guaranteed ? "prio-g" : "prio-cl");
        goto accepted;
    }
    busy = d->busy_until > now;
    if (busy && ((d->p.queue_packets != 0 && d->q.len + 1 > d->p.queue_packets) ||
                 (d->p.queue_bytes != 0 && d->q.bytes + wire > d->p.queue_bytes))) {
        d->stats.queue_drops++;
        if (world->trace_on)
            link_trace(net, SIM_TR_PKT_DROP, link, dir, SIM_DROP_QUEUE, pkt, 0, d->q.len, NULL);
        sim_packet_unref(pkt);
        return;
    }
    start = busy ? d->busy_until : now;
    end = start + serialisation_ns(wire, d->p.rate_bps);
    d->busy_until = end;
    if (start > now) {
        entry = ring_push(&d->q, start, end, wire);
        if (d->q.len > d->stats.queue_peak_packets)
            d->stats.queue_peak_packets = d->q.len;
    } else {
        d->q.wire_end = end;
    }
    if (world->trace_on) {
        /* queue_len: the packets ahead of it, the one transmitting included. */
        if (start > now)
            link_trace(net, SIM_TR_PKT_QUEUE, link, dir, SIM_DROP_NONE, pkt, start, d->q.len, NULL);
        else
            link_trace(net, SIM_TR_PKT_SEND, link, dir, SIM_DROP_NONE, pkt, start, 0, NULL);
    }
accepted:
    d->stats.sent_packets++;
    d->stats.sent_bytes += wire;

    if (d->p.ge_enabled) {
        /* Gilbert-Elliott: move between the states once per packet, then
         * draw the loss with the probability of the state it is in. */
        if (d->ge_bad) {
            if (dir_chance(net, link, dir, SIM_LINK_RNG_GE, d->p.ge_p_bad_good_ppm))
                d->ge_bad = false;
        } else if (dir_chance(net, link, dir, SIM_LINK_RNG_GE, d->p.ge_p_good_bad_ppm)) {
            d->ge_bad = true;
        }
        lost = dir_chance(net, link, dir, SIM_LINK_RNG_LOSS,
                          d->ge_bad ? d->p.ge_loss_bad_ppm : d->p.ge_loss_good_ppm);
    } else {
        lost = dir_chance(net, link, dir, SIM_LINK_RNG_LOSS, d->p.loss_ppm);
    }
    if (lost) {
        d->stats.lost_packets++;
        if (world->trace_on)
            link_trace(net, SIM_TR_PKT_DROP, link, dir, SIM_DROP_LOSS, pkt, 0, 0, NULL);
        sim_packet_unref(pkt);
        return;
    }
    if (dir_chance(net, link, dir, SIM_LINK_RNG_CORRUPT, d->p.corrupt_ppm))
        pkt->corrupt = true;
    arrival = end + d->p.latency_ns;
    if (dir_chance(net, link, dir, SIM_LINK_RNG_REORDER, d->p.reorder_ppm)) {
        d->stats.reordered++;
        arrival += d->p.reorder_delay_ns;
    }
    if (dir_chance(net, link, dir, SIM_LINK_RNG_DUP, d->p.dup_ppm)) {
        SimPacket *dup;

        entry->ev[0] = schedule_arrival(net, link, dir, pkt, arrival);
        /* The copy shares the payload and crosses the same pipe (its own
         * jitter draw); it does not occupy the transmitter again. */
        dup = sim_packet_copy(world, pkt);
        d->stats.duplicated++;
        if (world->trace_on)
            link_trace(net, SIM_TR_PKT_SEND, link, dir, SIM_DROP_NONE, dup, start, 0, "dup");
        entry->ev[1] = schedule_arrival(net, link, dir, dup, arrival);
        return;
    }
    entry->ev[0] = schedule_arrival(net, link, dir, pkt, arrival);
}

/* The one event of a hop: @data (a packet, owned) reaches the far end. */
static void
link_arrive(SimWorld *world, void *data)
{
    SimPacket *pkt = data;
    SimNet *net = sim__net_peek(world);
    SimLink *link = sim__net_link(net, pkt->hop_link);
    SimLinkDir dir = (SimLinkDir)pkt->hop_dir;
    SimLinkDirState *d = &link->d[dir];

    if (G_UNLIKELY(pkt->hop_epoch != d->epoch)) {
        d->stats.down_drops++;
        if (world->trace_on)
            link_trace(net, SIM_TR_PKT_DROP, link, dir, SIM_DROP_LINK_DOWN, pkt, 0, 0, NULL);
        sim_packet_unref(pkt);
        return;
    }
    if (G_UNLIKELY(pkt->corrupt)) {
        /* The receiver's checksum check fails. */
        d->stats.corrupt_drops++;
        if (world->trace_on)
            link_trace(net, SIM_TR_PKT_DROP, link, dir, SIM_DROP_CORRUPT, pkt, 0, 0, NULL);
        sim_packet_unref(pkt);
        return;
    }
    d->stats.delivered_packets++;
    sim__ip_input(net, dir == SIM_DIR_AB ? link->b : link->a, pkt);
}
