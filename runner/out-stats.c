/* SPDX-License-Identifier: MIT
 *
 * out-stats.c: the summary printed by --stats.  Links: the counters of each
 * direction (sim_link_get_stats).  Endpoints: counted from the trace by a
 * sink, so a socket that closed during the run keeps its line — per (node,
 * protocol, local address, remote address) the packets and payload bytes
 * sent and received, the arrivals its transport discarded (no socket on the
 * port, receive buffer full), and for TCP the retransmitted segments (a segment
 * whose sequence space starts before the highest sequence number already
 * sent, RFC 9293 §3.4 arithmetic).  Lines come in first-seen order.
 */
#include "config.h"

#include "runner/out.h"

#include <string.h>

typedef struct {
    SimNodeId node;
    guint8 proto;
    char *local, *remote;
    guint64 tx_pkts, tx_bytes, rx_pkts, rx_bytes, rx_drops, retrans;
    bool have_next;
    guint32 snd_next; /* one past the highest sequence number sent */
} Endpoint;

struct WspsimOutStats {
    SimWorld *world;
    GPtrArray *eps;     /* of Endpoint*, first-seen order */
    GHashTable *by_key; /* "node|proto|local|remote" -> Endpoint* (lookup only) */
};

static void
endpoint_free(gpointer p)
{
    Endpoint *e = p;

    g_free(e->local);
    g_free(e->remote);
    g_free(e);
}

static Endpoint *
endpoint_get(WspsimOutStats *st, SimNodeId node, const SimPacket *p, bool outbound)
{
    char a[SIM_SOCKADDR_STRLEN], b[SIM_SOCKADDR_STRLEN];
    SimSockAddr src = { p->src, 0 }, dst = { p->dst, 0 };
    g_autofree char *key = NULL;
    Endpoint *e;

    if (p->proto == SIM_PROTO_TCP) {
        src.port = p->l4.tcp.sport;
        dst.port = p->l4.tcp.dport;
    } else {
        src.port = p->l4.udp.sport;
        dst.port = p->l4.udp.dport;
    }
    sim_sockaddr_to_string(outbound ? &src : &dst, a);
    sim_sockaddr_to_string(outbound ? &dst : &src, b);
    key = g_strdup_printf("%u|%u|%s|%s", node, p->proto, a, b);
    e = g_hash_table_lookup(st->by_key, key);
    if (e == NULL) {
        e = g_new0(Endpoint, 1);
        e->node = node;
        e->proto = p->proto;
        e->local = g_strdup(a);
        e->remote = g_strdup(b);
        g_ptr_array_add(st->eps, e);
        g_hash_table_insert(st->by_key, g_steal_pointer(&key), e);
    }
    return e;
}

static void
stats_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    WspsimOutStats *st = data;
    const SimPacket *p = rec->packet;
    Endpoint *e;

    if (p == NULL || (p->proto != SIM_PROTO_TCP && p->proto != SIM_PROTO_UDP) ||
        sim_packet_is_fragment(p))
        return;
    if ((rec->kind == SIM_TR_PKT_SEND || rec->kind == SIM_TR_PKT_QUEUE ||
         (rec->kind == SIM_TR_PKT_DROP && rec->link != SIM_ID_NONE &&
          (rec->reason == SIM_DROP_QUEUE || rec->reason == SIM_DROP_LINK_DOWN))) &&
        rec->node != SIM_ID_NONE && sim_node_has_addr(world, rec->node, &p->src)) {
        /* The first hop only (the source owns the address); a packet the
         * first link refused was still sent by the socket.  A link-down drop
         * on arrival repeats a send already counted. */
        if (rec->kind == SIM_TR_PKT_DROP && rec->reason == SIM_DROP_LINK_DOWN &&
            p->hop_link == rec->link)
            return;
        if (rec->kind == SIM_TR_PKT_SEND && rec->text != NULL && strcmp(rec->text, "dup") == 0)
            return; /* the link's duplicate, not the socket's */
        e = endpoint_get(st, rec->node, p, true);
        e->tx_pkts++;
        e->tx_bytes += p->payload_len;
        if (p->proto == SIM_PROTO_TCP) {
            const SimTcpHeader *t = &p->l4.tcp;
            guint32 span =
                p->payload_len + ((t->flags & SIM_TCP_SYN) != 0) + ((t->flags & SIM_TCP_FIN) != 0);

            if (span > 0) {
                guint32 end = t->seq + span;

                if (e->have_next && (gint32) (t->seq - e->snd_next) < 0)
                    e->retrans++;
                if (!e->have_next || (gint32) (end - e->snd_next) > 0)
                    e->snd_next = end;
                e->have_next = true;
            }
        }
    } else if (rec->kind == SIM_TR_PKT_DELIVER && rec->node != SIM_ID_NONE &&
               sim_node_has_addr(world, rec->node, &p->dst)) {
        e = endpoint_get(st, rec->node, p, false);
        e->rx_pkts++;
        e->rx_bytes += p->payload_len;
    } else if (rec->kind == SIM_TR_PKT_DROP && rec->link == SIM_ID_NONE &&
               rec->node != SIM_ID_NONE && sim_node_has_addr(world, rec->node, &p->dst)) {
        /* Delivered to the transport, then discarded by it (no socket on
         * that port, receive buffer full). */
        e = endpoint_get(st, rec->node, p, false);
        e->rx_drops++;
    }
}

/**
 * wspsim_out_stats_new:
 * @world: the world
 *
 * Adds a sink counting TCP and UDP traffic per endpoint from now on.
 *
 * Returns: (transfer full): the collector; free it before the world.
 */
WspsimOutStats *
wspsim_out_stats_new(SimWorld *world)
{
    WspsimOutStats *st;

    g_return_val_if_fail(world != NULL, NULL);
    st = g_new0(WspsimOutStats, 1);
    st->world = world;
    st->eps = g_ptr_array_new_with_free_func(endpoint_free);
    st->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    sim_trace_add_sink(world, stats_sink, st);
    return st;
}

/**
 * wspsim_out_stats_free:
 * @stats: (nullable) (transfer full): a collector
 */
void
wspsim_out_stats_free(WspsimOutStats *stats)
{
    if (stats == NULL)
        return;
    sim_trace_remove_sink(stats->world, stats_sink, stats);
    g_hash_table_destroy(stats->by_key);
    g_ptr_array_free(stats->eps, TRUE);
    g_free(stats);
}

static const char *
name_of(const SimWorld *world, SimNodeId n)
{
    const char *s = sim_node_name(world, n);

    return s != NULL ? s : "?";
}

/* One line of a per-direction table. */
typedef void (*DirRowFn)(SimWorld *world, SimLinkId link, SimLinkDir dir, const SimLinkStats *s,
                         const char *label, FILE *out);

/* @row for every link direction, in link order, labelled "from -> to". */
static void
for_each_direction(SimWorld *world, size_t n_links, DirRowFn row, FILE *out)
{
    for (SimLinkId l = 1; l <= n_links; l++) {
        for (int d = SIM_DIR_AB; d <= SIM_DIR_BA; d++) {
            SimLinkStats s;
            SimNodeId from = sim_link_node(world, l, d == SIM_DIR_AB ? SIM_DIR_AB : SIM_DIR_BA);
            SimNodeId to = sim_link_node(world, l, d == SIM_DIR_AB ? SIM_DIR_BA : SIM_DIR_AB);
            g_autofree char *label = NULL;

            if (sim_link_get_stats(world, l, (SimLinkDir) d, &s) != SIM_OK)
                continue;
            label = g_strdup_printf("%s -> %s", name_of(world, from), name_of(world, to));
            row(world, l, (SimLinkDir) d, &s, label, out);
        }
    }
}

static void
link_row(SimWorld *world, SimLinkId link, SimLinkDir dir, const SimLinkStats *s,
         const char *label, FILE *out)
{
    (void) world;
    (void) link;
    (void) dir;
    fprintf(out,
            "  %-28s %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT
            " %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %6u\n",
            label, s->sent_packets, s->lost_packets, s->queue_drops, s->down_drops,
            s->corrupt_drops, s->delivered_packets, s->queue_peak_packets);
}

/* The links' QoS side: packets sent in the guaranteed and controlled-load
 * classes, and the rate reserved at the end of the run. */
static void
qos_row(SimWorld *world, SimLinkId link, SimLinkDir dir, const SimLinkStats *s,
        const char *label, FILE *out)
{
    fprintf(out, "  %-28s %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %13" G_GUINT64_FORMAT "\n",
            label, s->prio_g_packets, s->prio_cl_packets,
            sim_qos_link_reserved_bps(world, link, dir));
}

/* QoS was at work on some link: a packet in a priority class, or a
 * reservation still held. */
static bool
qos_seen(SimWorld *world, size_t n_links)
{
    for (SimLinkId l = 1; l <= n_links; l++) {
        for (int d = SIM_DIR_AB; d <= SIM_DIR_BA; d++) {
            SimLinkStats s;

            if (sim_link_get_stats(world, l, (SimLinkDir) d, &s) == SIM_OK &&
                (s.prio_g_packets != 0 || s.prio_cl_packets != 0 ||
                 sim_qos_link_reserved_bps(world, l, (SimLinkDir) d) != 0))
                return true;
        }
    }
    return false;
}

/**
 * wspsim_out_stats_print:
 * @world: the world (after the run)
 * @stats: (nullable): the collector opened before the run
 * @out: where to print
 *
 * Prints one line per link direction in link order; when QoS was at work
 * (a packet in a priority class, or a reservation held at the end), a line
 * per link direction of that too; then (with @stats) one line per endpoint
 * in first-seen order.  Plain columns, no timestamps: the same run prints
 * the same text.
 */
void
wspsim_out_stats_print(SimWorld *world, const WspsimOutStats *stats, FILE *out)
{
    size_t n_links;

    g_return_if_fail(world != NULL && out != NULL);
    n_links = sim_world_link_count(world);
    fprintf(out, "links (per direction)%*s %8s %8s %8s %8s %8s %10s %6s\n", 9, "", "sent", "lost",
            "queue-dr", "down-dr", "corrupt", "delivered", "qpeak");
    for_each_direction(world, n_links, link_row, out);
    if (qos_seen(world, n_links)) {
        fprintf(out, "qos (per direction)%*s %8s %8s %13s\n", 11, "", "g-pkts", "cl-pkts",
                "reserved-bps");
        for_each_direction(world, n_links, qos_row, out);
    }
    if (stats == NULL)
        return;
    fprintf(out, "endpoints%*s %8s %10s %8s %10s %8s %8s\n", 45, "", "tx-pkts", "tx-bytes",
            "rx-pkts", "rx-bytes", "rx-drop", "retrans");
    for (guint i = 0; i < stats->eps->len; i++) {
        const Endpoint *e = g_ptr_array_index(stats->eps, i);
        g_autofree char *label =
            g_strdup_printf("%s %s %s > %s", name_of(world, e->node),
                            e->proto == SIM_PROTO_TCP ? "TCP" : "UDP", e->local, e->remote);

        fprintf(out,
                "  %-52s %8" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT
                " %10" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " ",
                label, e->tx_pkts, e->tx_bytes, e->rx_pkts, e->rx_bytes, e->rx_drops);
        if (e->proto == SIM_PROTO_TCP)
            fprintf(out, "%8" G_GUINT64_FORMAT "\n", e->retrans);
        else
            fprintf(out, "%8s\n", "-");
    }
}
