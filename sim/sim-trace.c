/* SPDX-License-Identifier: MIT
 *
 * sim-trace.c: the trace bus.  Modules emit structured records
 * (SimTraceRecord); sinks added with sim_trace_add_sink() receive them in
 * order.  The fingerprint folds every record into a 64-bit FNV-1a hash of a
 * canonical byte encoding (fields, never pointers), so two runs compare at a
 * glance.  The text writer prints one line per record; doc/trace-format.md
 * documents the line format.  With no sink and no fingerprint, emitting
 * costs the caller one branch on world->trace_on.
 */
#include "config.h"

#include "sim/sim-trace.h"

#include <string.h>

#include "sim/sim-net-private.h"

typedef struct {
    SimTraceSinkFn fn; /* NULL once removed during an emission */
    void *data;
} Sink;

typedef struct {
    GArray *sinks; /* of Sink, in the order added */
    guint emitting;
    bool removed;
    bool fp_on;
    guint64 fp;
    guint64 count;
} SimTraceState;

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static const char *const drop_names[] = {
    [SIM_DROP_NONE] = "none",
    [SIM_DROP_LOSS] = "loss",
    [SIM_DROP_QUEUE] = "queue",
    [SIM_DROP_LINK_DOWN] = "link-down",
    [SIM_DROP_TTL] = "ttl",
    [SIM_DROP_NO_ROUTE] = "no-route",
    [SIM_DROP_CORRUPT] = "corrupt",
    [SIM_DROP_NODE_DOWN] = "node-down",
    [SIM_DROP_NO_LISTENER] = "no-listener",
    [SIM_DROP_FRAG] = "frag",
    [SIM_DROP_SHAPER] = "shaper",
    [SIM_DROP_TOO_BIG] = "too-big",
};
G_STATIC_ASSERT(G_N_ELEMENTS(drop_names) == SIM_DROP_N_REASONS);

static const char *const kind_names[] = {
    [SIM_TR_PKT_SEND] = "pkt-send",
    [SIM_TR_PKT_QUEUE] = "pkt-queue",
    [SIM_TR_PKT_DROP] = "pkt-drop",
    [SIM_TR_PKT_DELIVER] = "pkt-deliver",
    [SIM_TR_PKT_FORWARD] = "pkt-forward",
    [SIM_TR_LINK_CHANGE] = "link-change",
    [SIM_TR_NODE_CHANGE] = "node-change",
    [SIM_TR_TCP_STATE] = "tcp-state",
    [SIM_TR_TCP_EVENT] = "tcp-event",
    [SIM_TR_ACTOR] = "actor",
    [SIM_TR_CALL] = "call",
    [SIM_TR_FAULT] = "fault",
    [SIM_TR_NOTE] = "note",
};
G_STATIC_ASSERT(G_N_ELEMENTS(kind_names) == SIM_TR_N_KINDS);

/* The tag of text records in the text trace. */
static const char *const kind_tags[] = {
    [SIM_TR_PKT_SEND] = "SEND",    [SIM_TR_PKT_QUEUE] = "QUEUE", [SIM_TR_PKT_DROP] = "DROP",
    [SIM_TR_PKT_DELIVER] = "RECV", [SIM_TR_PKT_FORWARD] = "FWD", [SIM_TR_LINK_CHANGE] = "LINK",
    [SIM_TR_NODE_CHANGE] = "NODE", [SIM_TR_TCP_STATE] = "STATE", [SIM_TR_TCP_EVENT] = "TCP",
    [SIM_TR_ACTOR] = "ACTOR",      [SIM_TR_CALL] = "CALL",       [SIM_TR_FAULT] = "FAULT",
    [SIM_TR_NOTE] = "NOTE",
};
G_STATIC_ASSERT(G_N_ELEMENTS(kind_tags) == SIM_TR_N_KINDS);

/**
 * sim_drop_reason_name:
 * @reason: a drop reason
 *
 * Returns: its short name ("loss", "link-down", ...), as the text trace
 *   prints it; "?" for an out-of-range value.
 */
const char *
sim_drop_reason_name(SimDropReason reason)
{
    if ((guint)reason >= SIM_DROP_N_REASONS)
        return "?";
    return drop_names[reason];
}

/**
 * sim_trace_kind_name:
 * @kind: a record kind
 *
 * Returns: its name ("pkt-send", "tcp-state", ...), as the JSON trace
 *   writes it; "?" for an out-of-range value.
 */
const char *
sim_trace_kind_name(SimTraceKind kind)
{
    if ((guint)kind >= SIM_TR_N_KINDS)
        return "?";
    return kind_names[kind];
}

static void
trace_state_free(SimWorld *world, void *p)
{
    SimTraceState *st = p;

    world->trace_on = false;
    g_array_free(st->sinks, TRUE);
    g_free(st);
}

static SimTraceState *
trace_get(SimWorld *world)
{
    SimTraceState *st = sim__world_module(world, SIM_MOD_TRACE);

    if (st == NULL) {
        st = g_new0(SimTraceState, 1);
        st->sinks = g_array_new(FALSE, FALSE, sizeof(Sink));
        sim__world_set_module(world, SIM_MOD_TRACE, st, trace_state_free);
    }
    return st;
}

static guint
live_sinks(const SimTraceState *st)
{
    guint n = 0;

    for (guint i = 0; i < st->sinks->len; i++)
        n += g_array_index(st->sinks, Sink, i).fn != NULL;
    return n;
}

static void
update_enabled(SimWorld *world, SimTraceState *st)
{
    world->trace_on = st->fp_on || live_sinks(st) > 0;
}

/**
 * sim_trace_add_sink:
 * @world: the world
 * @fn: receives every record emitted from now on
 * @data: (transfer none): handed to @fn
 *
 * Sinks run in the order added.  A sink added while a record is being
 * emitted first sees the next record.
 */
void
sim_trace_add_sink(SimWorld *world, SimTraceSinkFn fn, void *data)
{
    SimTraceState *st;
    Sink s = {fn, data};

    g_return_if_fail(world != NULL && fn != NULL);
    st = trace_get(world);
    g_array_append_val(st->sinks, s);
    update_enabled(world, st);
}

/**
 * sim_trace_remove_sink:
 * @world: the world
 * @fn: a sink function
 * @data: the data it was added with
 *
 * Removes the first sink added with @fn and @data (a sink may remove itself
 * while it runs).  Unknown pairs are ignored.
 */
void
sim_trace_remove_sink(SimWorld *world, SimTraceSinkFn fn, void *data)
{
    SimTraceState *st;

    g_return_if_fail(world != NULL);
    st = sim__world_module(world, SIM_MOD_TRACE);
    if (st == NULL)
        return;
    for (guint i = 0; i < st->sinks->len; i++) {
        Sink *s = &g_array_index(st->sinks, Sink, i);

        if (s->fn == fn && s->data == data) {
            if (st->emitting > 0) {
                s->fn = NULL;
                st->removed = true;
            } else {
                g_array_remove_index(st->sinks, i);
            }
            break;
        }
    }
    update_enabled(world, st);
}

/**
 * sim_trace_enabled:
 * @world: the world
 *
 * Returns: TRUE when a sink or the fingerprint listens; callers skip
 *   building records (and formatting their text) when FALSE.
 */
bool
sim_trace_enabled(const SimWorld *world)
{
    return world->trace_on;
}

/* ---- Fingerprint ------------------------------------------------------- */

typedef struct {
    guint8 buf[512];
    size_t len;
    guint64 h;
} Enc;

static void
enc_flush(Enc *e)
{
    guint64 h = e->h;

    for (size_t i = 0; i < e->len; i++) {
        h ^= e->buf[i];
        h *= FNV_PRIME;
    }
    e->h = h;
    e->len = 0;
}

static void
enc_bytes(Enc *e, const void *p, size_t n)
{
    const guint8 *b = p;

    while (n > 0) {
        size_t k = MIN(n, sizeof e->buf - e->len);

        memcpy(e->buf + e->len, b, k);
        e->len += k;
        b += k;
        n -= k;
        if (e->len == sizeof e->buf)
            enc_flush(e);
    }
}

/* Integers little-endian, whatever the host. */
static void
enc_u(Enc *e, guint64 v, int bytes)
{
    guint8 b[8];

    for (int i = 0; i < bytes; i++)
        b[i] = (guint8)(v >> (8 * i));
    enc_bytes(e, b, (size_t)bytes);
}

static void
enc_str(Enc *e, const char *s)
{
    if (s == NULL) {
        enc_u(e, 0xffffffffu, 4);
        return;
    }
    enc_u(e, strlen(s), 4);
    enc_bytes(e, s, strlen(s));
}

static void
enc_addr(Enc *e, const SimAddr *a)
{
    enc_u(e, a->family, 1);
    enc_bytes(e, a->bytes, a->family == SIM_AF_INET ? 4 : 16);
}

static void
enc_packet(Enc *e, const SimPacket *p)
{
    enc_u(e, p->uid, 8);
    enc_addr(e, &p->src);
    enc_addr(e, &p->dst);
    enc_u(e, p->proto, 1);
    enc_u(e, p->ttl, 1);
    enc_u(e, p->tos, 1);
    enc_u(e, p->ip_id, 2);
    enc_u(e, p->frag_offset, 2);
    enc_u(e, (guint)p->more_frags | (guint)p->dont_frag << 1 | (guint)p->corrupt << 2, 1);
    enc_u(e, p->flow_id, 4);
    enc_u(e, p->service_class, 1);
    enc_u(e, p->payload_len, 4);
    switch (p->proto) {
    case SIM_PROTO_TCP:
        enc_u(e, p->l4.tcp.sport, 2);
        enc_u(e, p->l4.tcp.dport, 2);
        enc_u(e, p->l4.tcp.seq, 4);
        enc_u(e, p->l4.tcp.ack, 4);
        enc_u(e, p->l4.tcp.flags, 1);
        enc_u(e, p->l4.tcp.window, 4);
        enc_u(e, p->l4.tcp.urg, 2);
        enc_u(e, p->l4.tcp.mss, 2);
        enc_u(e, p->l4.tcp.wscale, 1);
        break;
    case SIM_PROTO_UDP:
        enc_u(e, p->l4.udp.sport, 2);
        enc_u(e, p->l4.udp.dport, 2);
        break;
    case SIM_PROTO_ICMP:
    case SIM_PROTO_ICMPV6:
        enc_u(e, p->l4.icmp.type, 1);
        enc_u(e, p->l4.icmp.code, 1);
        enc_u(e, (guint32)p->l4.icmp.error, 4);
        enc_addr(e, &p->l4.icmp.orig_src);
        enc_addr(e, &p->l4.icmp.orig_dst);
        enc_u(e, p->l4.icmp.orig_proto, 1);
        enc_u(e, p->l4.icmp.orig_sport, 2);
        enc_u(e, p->l4.icmp.orig_dport, 2);
        enc_u(e, p->l4.icmp.mtu, 4);
        break;
    default:
        break;
    }
}

static guint64
fingerprint_fold(guint64 h, const SimTraceRecord *rec)
{
    Enc e;

    e.len = 0;
    e.h = h;
    enc_u(&e, rec->time, 8);
    enc_u(&e, (guint)rec->kind, 1);
    enc_u(&e, rec->node, 4);
    enc_u(&e, rec->peer, 4);
    enc_u(&e, rec->link, 4);
    enc_u(&e, (guint)rec->dir, 1);
    enc_u(&e, (guint)rec->reason, 1);
    enc_u(&e, rec->depart_ns, 8);
    enc_u(&e, rec->queue_len, 4);
    enc_u(&e, rec->actor, 4);
    enc_u(&e, rec->packet != NULL, 1);
    if (rec->packet != NULL)
        enc_packet(&e, rec->packet);
    enc_str(&e, rec->subject);
    enc_str(&e, rec->text);
    enc_flush(&e);
    return e.h;
}

/**
 * sim_trace_emit:
 * @world: the world
 * @rec: (transfer none): the record; its strings and packet need only last
 *   the call
 *
 * Folds @rec into the fingerprint (when on), counts it, and hands it to
 * every sink in order.  Does nothing when tracing is off.
 */
void
sim_trace_emit(SimWorld *world, const SimTraceRecord *rec)
{
    SimTraceState *st;

    g_return_if_fail(world != NULL && rec != NULL);
    if (!world->trace_on)
        return;
    st = trace_get(world);
    st->count++;
    if (st->fp_on)
        st->fp = fingerprint_fold(st->fp, rec);
    st->emitting++;
    for (guint i = 0, n = st->sinks->len; i < n; i++) {
        Sink s = g_array_index(st->sinks, Sink, i);

        if (s.fn != NULL)
            s.fn(world, rec, s.data);
    }
    if (--st->emitting == 0 && st->removed) {
        for (guint i = st->sinks->len; i > 0; i--) {
            if (g_array_index(st->sinks, Sink, i - 1).fn == NULL)
                g_array_remove_index(st->sinks, i - 1);
        }
        st->removed = false;
    }
}

/* Used by the network files: a packet record. */
void
sim__trace_packet(SimWorld *world, SimTraceKind kind, SimNodeId node, SimNodeId peer,
                  SimLinkId link, SimLinkDir dir, SimDropReason reason, const SimPacket *pkt)
{
    SimTraceRecord rec = {
        .time = world->now,
        .kind = kind,
        .node = node,
        .peer = peer,
        .link = link,
        .dir = dir,
        .reason = reason,
        .packet = pkt,
    };

    sim_trace_emit(world, &rec);
}

/**
 * sim_trace_textf:
 * @world: the world
 * @kind: a text kind (SIM_TR_TCP_STATE, _TCP_EVENT, _ACTOR, _CALL, _FAULT,
 *   _NOTE)
 * @node: where it happened, or SIM_ID_NONE
 * @actor: the actor concerned, or SIM_ID_NONE
 * @subject: (nullable): a short subject ("WSPRecv", "ESTABLISHED")
 * @fmt: printf-style format of the details
 * @...: its arguments
 *
 * Emits a text record.  Formats nothing when tracing is off.
 */
void
sim_trace_textf(SimWorld *world, SimTraceKind kind, SimNodeId node, SimActorId actor,
                const char *subject, const char *fmt, ...)
{
    va_list ap;
    char *text;

    g_return_if_fail(world != NULL && fmt != NULL);
    if (!world->trace_on)
        return;
    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    {
        SimTraceRecord rec = {
            .time = world->now,
            .kind = kind,
            .node = node,
            .actor = actor,
            .subject = subject,
            .text = text,
        };

        sim_trace_emit(world, &rec);
    }
    g_free(text);
}

/**
 * sim_trace_enable_fingerprint:
 * @world: the world
 *
 * Starts (or restarts, from the FNV-1a offset basis) the fingerprint of
 * every record emitted from now on.  Tracing counts as enabled from then.
 */
void
sim_trace_enable_fingerprint(SimWorld *world)
{
    SimTraceState *st;

    g_return_if_fail(world != NULL);
    st = trace_get(world);
    st->fp_on = true;
    st->fp = FNV_OFFSET;
    update_enabled(world, st);
}

/**
 * sim_trace_fingerprint:
 * @world: the world
 *
 * Returns: the FNV-1a 64 hash of the canonical encoding of every record
 *   since sim_trace_enable_fingerprint() (integers little-endian, strings
 *   length-prefixed, packets by their header fields); 0 if never enabled.
 */
guint64
sim_trace_fingerprint(const SimWorld *world)
{
    SimTraceState *st;

    g_return_val_if_fail(world != NULL, 0);
    st = sim__world_module(world, SIM_MOD_TRACE);
    return st != NULL && st->fp_on ? st->fp : 0;
}

/**
 * sim_trace_record_count:
 * @world: the world
 *
 * Returns: the records emitted while tracing was enabled.
 */
guint64
sim_trace_record_count(const SimWorld *world)
{
    SimTraceState *st;

    g_return_val_if_fail(world != NULL, 0);
    st = sim__world_module(world, SIM_MOD_TRACE);
    return st != NULL ? st->count : 0;
}

/* ---- Text format ------------------------------------------------------- */

/**
 * sim_trace_format_time:
 * @t: a simulated time
 * @buf: (out caller-allocates): room for 32 bytes
 *
 * Writes @t as seconds with nine decimals, right-aligned in 14 columns
 * ("   0.005120000"); longer times widen the field.
 */
void
sim_trace_format_time(SimTime t, char buf[32])
{
    char tmp[32];

    g_snprintf(tmp, sizeof tmp, "%" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT, t / SIM_SEC,
               t % SIM_SEC);
    g_snprintf(buf, 32, "%14s", tmp);
}

/* tcpdump's flag letters, in its order (print-tcp.c tcp_flag_values). */
static void
append_tcp_flags(GString *s, guint8 flags)
{
    static const struct {
        guint8 bit;
        char c;
    } letters[] = {
        {SIM_TCP_FIN, 'F'}, {SIM_TCP_SYN, 'S'}, {SIM_TCP_RST, 'R'},
        {SIM_TCP_PSH, 'P'}, {SIM_TCP_ACK, '.'}, {SIM_TCP_URG, 'U'},
    };

    g_string_append_c(s, '[');
    if ((flags & 0x3f) == 0)
        g_string_append(s, "none");
    for (size_t i = 0; i < G_N_ELEMENTS(letters); i++) {
        if ((flags & letters[i].bit) != 0)
            g_string_append_c(s, letters[i].c);
    }
    g_string_append_c(s, ']');
}

static const char *
proto_name(guint8 proto)
{
    switch (proto) {
    case SIM_PROTO_TCP:
        return "TCP";
    case SIM_PROTO_UDP:
        return "UDP";
    case SIM_PROTO_ICMP:
        return "ICMP";
    case SIM_PROTO_ICMPV6:
        return "ICMP6";
    default:
        return NULL;
    }
}

static const char *
icmp_error_name(SimStatus error, guint8 family)
{
    if (error == SIM_E_PORTUNREACH)
        return "port-unreachable";
    if (error == SIM_E_HOSTUNREACH)
        return "host-unreachable";
    if (error == SIM_E_NETUNREACH)
        return "net-unreachable";
    if (error == SIM_E_TTL)
        return "ttl-exceeded";
    if (error == SIM_E_MSGSIZE)
        return family == SIM_AF_INET6 ? "too-big" : "frag-needed";
    return sim_status_name(error);
}

/**
 * sim_trace_format_packet:
 * @pkt: a packet
 * @str: where to append
 *
 * Appends the packet summary of the text trace: "TCP 49152 > 7000 [S.]
 * seq=0 ack=1 win=65535 mss=1460 len=0", "UDP 5000 > 53 len=512",
 * "ICMP port-unreachable for UDP 5000 > 53", "IP proto=99 len=40"; then
 * " frag=<offset>[+]" for a fragment (+: more follow), " to <group>" for a
 * multicast or broadcast destination.
 */
void
sim_trace_format_packet(const SimPacket *pkt, GString *str)
{
    g_return_if_fail(pkt != NULL && str != NULL);
    switch (pkt->proto) {
    case SIM_PROTO_TCP: {
        const SimTcpHeader *t = &pkt->l4.tcp;

        g_string_append_printf(str, "TCP %u > %u ", t->sport, t->dport);
        append_tcp_flags(str, t->flags);
        g_string_append_printf(str, " seq=%u", t->seq);
        if ((t->flags & SIM_TCP_ACK) != 0)
            g_string_append_printf(str, " ack=%u", t->ack);
        g_string_append_printf(str, " win=%u", t->window);
        if ((t->flags & SIM_TCP_URG) != 0)
            g_string_append_printf(str, " urg=%u", t->urg);
        if ((t->flags & SIM_TCP_SYN) != 0 && t->mss != 0)
            g_string_append_printf(str, " mss=%u", t->mss);
        if ((t->flags & SIM_TCP_SYN) != 0 && t->wscale != 0)
            g_string_append_printf(str, " wscale=%u", t->wscale);
        g_string_append_printf(str, " len=%u", pkt->payload_len);
        break;
    }
    case SIM_PROTO_UDP:
        g_string_append_printf(str, "UDP %u > %u len=%u", pkt->l4.udp.sport, pkt->l4.udp.dport,
                               pkt->payload_len);
        break;
    case SIM_PROTO_ICMP:
    case SIM_PROTO_ICMPV6: {
        const SimIcmpHeader *ic = &pkt->l4.icmp;

        if (ic->error == SIM_OK) {
            g_string_append_printf(str, "%s type=%u code=%u len=%u", proto_name(pkt->proto),
                                   ic->type, ic->code, pkt->payload_len);
            break;
        }
        g_string_append_printf(str, "%s %s", proto_name(pkt->proto),
                               icmp_error_name(ic->error, pkt->dst.family));
        if (ic->error == SIM_E_MSGSIZE)
            g_string_append_printf(str, " mtu=%u", ic->mtu);
        if (proto_name(ic->orig_proto) != NULL)
            g_string_append_printf(str, " for %s %u > %u", proto_name(ic->orig_proto),
                                   ic->orig_sport, ic->orig_dport);
        else
            g_string_append_printf(str, " for proto=%u", ic->orig_proto);
        break;
    }
    default:
        g_string_append_printf(str, "IP proto=%u len=%u", pkt->proto, pkt->payload_len);
        break;
    }
    if (pkt->frag_offset != 0 || pkt->more_frags)
        g_string_append_printf(str, " frag=%u%s", pkt->frag_offset, pkt->more_frags ? "+" : "");
    if (sim_addr_is_multicast(&pkt->dst) || sim_addr_is_broadcast(&pkt->dst) ||
        (pkt->plan != NULL)) {
        char a[SIM_ADDR_STRLEN];

        g_string_append_printf(str, " to %s", sim_addr_to_string(&pkt->dst, a));
    }
}

static const char *
node_label(const SimWorld *world, SimNodeId node)
{
    const char *name = node != SIM_ID_NONE ? sim_node_name(world, node) : NULL;

    return name != NULL ? name : "-";
}

/**
 * sim_trace_format_line:
 * @world: the world (for node and actor names)
 * @rec: a record
 * @str: where to append
 *
 * Appends @rec's line of the text trace, without the newline.  Packet
 * records read "<time> <node> <arrow> <peer> <what>": ">" for a packet
 * leaving node toward peer (SEND, and QUEUE with its queue position and
 * start time), "x" for a drop ("DROP <reason>"), "<" for a packet arriving
 * at node from peer (delivered, or "FWD" at a router passing it on).
 * doc/trace-format.md lists every form.
 */
void
sim_trace_format_line(const SimWorld *world, const SimTraceRecord *rec, GString *str)
{
    char t[32];

    g_return_if_fail(world != NULL && rec != NULL && str != NULL);
    sim_trace_format_time(rec->time, t);
    g_string_append(str, t);
    g_string_append_c(str, ' ');
    switch (rec->kind) {
    case SIM_TR_PKT_SEND:
    case SIM_TR_PKT_QUEUE:
    case SIM_TR_PKT_DROP:
    case SIM_TR_PKT_DELIVER:
    case SIM_TR_PKT_FORWARD: {
        char arrow = rec->kind == SIM_TR_PKT_DROP                                         ? 'x'
                     : rec->kind == SIM_TR_PKT_DELIVER || rec->kind == SIM_TR_PKT_FORWARD ? '<'
                                                                                          : '>';

        g_string_append_printf(str, "%-8s %c ", node_label(world, rec->node), arrow);
        if (rec->peer == SIM_ID_NONE && rec->packet != NULL) {
            char a[SIM_ADDR_STRLEN];

            g_string_append_printf(str, "%-8s ", sim_addr_to_string(&rec->packet->dst, a));
        } else {
            g_string_append_printf(str, "%-8s ", node_label(world, rec->peer));
        }
        if (rec->kind == SIM_TR_PKT_DROP)
            g_string_append_printf(str, "DROP %s ", sim_drop_reason_name(rec->reason));
        else if (rec->kind == SIM_TR_PKT_FORWARD)
            g_string_append(str, "FWD ");
        if (rec->packet != NULL)
            sim_trace_format_packet(rec->packet, str);
        if (rec->kind == SIM_TR_PKT_FORWARD && rec->packet != NULL)
            g_string_append_printf(str, " ttl=%u", rec->packet->ttl);
        if (rec->kind == SIM_TR_PKT_QUEUE) {
            char d[32];

            sim_trace_format_time(rec->depart_ns, d);
            g_string_append_printf(str, " queued=%u start=%s", rec->queue_len, g_strchug(d));
        }
        if (rec->subject != NULL)
            g_string_append_printf(str, " %s", rec->subject);
        if (rec->text != NULL)
            g_string_append_printf(str, " (%s)", rec->text);
        break;
    }
    case SIM_TR_LINK_CHANGE:
        g_string_append_printf(str, "%-8s * ", node_label(world, rec->node));
        g_string_append_printf(str, "%-8s LINK", node_label(world, rec->peer));
        if (rec->subject != NULL)
            g_string_append_printf(str, " %s", rec->subject);
        if (rec->text != NULL)
            g_string_append_printf(str, " %s", rec->text);
        break;
    case SIM_TR_NODE_CHANGE:
        g_string_append_printf(str, "%-8s * NODE", node_label(world, rec->node));
        if (rec->subject != NULL)
            g_string_append_printf(str, " %s", rec->subject);
        if (rec->text != NULL)
            g_string_append_printf(str, " %s", rec->text);
        break;
    case SIM_TR_TCP_STATE:
    case SIM_TR_TCP_EVENT:
    case SIM_TR_ACTOR:
    case SIM_TR_CALL:
    case SIM_TR_FAULT:
    case SIM_TR_NOTE:
    case SIM_TR_N_KINDS: {
        const char *actor = rec->actor != SIM_ID_NONE ? sim_actor_name(world, rec->actor) : NULL;

        g_string_append_printf(str, "%-8s %-5s", node_label(world, rec->node),
                               (guint)rec->kind < SIM_TR_N_KINDS ? kind_tags[rec->kind] : "?");
        if (actor != NULL)
            g_string_append_printf(str, " [%s]", actor);
        /* The subject is printed unless the text already says it: a call
         * line reads "WSPRecv(s=0x104, len=100) = 5", not "WSPRecv WSPRecv(...)",
         * and a state line ends with "-> LISTEN" already. */
        if (rec->subject != NULL && rec->kind != SIM_TR_TCP_STATE &&
            !(rec->text != NULL && g_str_has_prefix(rec->text, rec->subject)))
            g_string_append_printf(str, " %s", rec->subject);
        if (rec->text != NULL)
            g_string_append_printf(str, " %s", rec->text);
        break;
    }
    }
}

/* ---- Text writer ------------------------------------------------------- */

struct SimTraceText {
    SimWorld *world;
    FILE *out;
    GString *line;
};

static void
text_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    SimTraceText *w = data;

    g_string_truncate(w->line, 0);
    sim_trace_format_line(world, rec, w->line);
    g_string_append_c(w->line, '\n');
    fwrite(w->line->str, 1, w->line->len, w->out);
}

/**
 * sim_trace_text_new:
 * @world: the world
 * @out: (transfer none): where lines go; stays the caller's
 *
 * Adds a sink writing one line per record to @out.
 *
 * Returns: (transfer full): the writer; free it with sim_trace_text_free()
 *   before the world.
 */
SimTraceText *
sim_trace_text_new(SimWorld *world, FILE *out)
{
    SimTraceText *w;

    g_return_val_if_fail(world != NULL && out != NULL, NULL);
    w = g_new0(SimTraceText, 1);
    w->world = world;
    w->out = out;
    w->line = g_string_sized_new(128);
    sim_trace_add_sink(world, text_sink, w);
    return w;
}

/**
 * sim_trace_text_free:
 * @writer: (nullable) (transfer full): a text writer
 *
 * Removes its sink and frees it; @out is flushed, not closed.
 */
void
sim_trace_text_free(SimTraceText *writer)
{
    if (writer == NULL)
        return;
    sim_trace_remove_sink(writer->world, text_sink, writer);
    fflush(writer->out);
    g_string_free(writer->line, TRUE);
    g_free(writer);
}
