/* SPDX-License-Identifier: MIT
 *
 * fuzz-link: the link model under arbitrary parameters.  The input decodes
 * to a small topology (2-5 nodes, hosts or routers, links whose every
 * parameter — latency, jitter, Bernoulli or Gilbert-Elliott loss,
 * duplication, reordering, corruption, rate, queue limits, MTU, up/down —
 * comes from the input within the documented limits) and then to a
 * sequence of timed operations: UDP datagrams between nodes (sim-udp.h),
 * parameter changes now or scheduled, links and nodes going down and up,
 * QoS flows (sim-qos.h) of every service and mode created and freed, so
 * the links' three priority levels, the policer, the pacer and a freed
 * flow's draining all run under the same invariants.
 * The world runs to idle.  Invariants checked:
 *   - simulated time never goes backwards (every trace record, every step);
 *   - every datagram received is byte for byte one that was sent (a
 *     per-datagram hash and length), and no datagram arrives more often
 *     than once plus the duplicates the links made;
 *   - per link direction, at idle: delivered + lost + corrupt drops is at
 *     most sent + duplicates, and the difference is packets taken down in
 *     flight, so it is at most the down drops;
 *   - no packet is alive once the sockets are closed and the world idles.
 */
#include "config.h"

#include <string.h>

#include "fuzz-input.h"
#include "sim/sim-net.h"
#include "sim/sim-qos.h"
#include "sim/sim-rng.h"
#include "sim/sim-trace.h"
#include "sim/sim-udp.h"

#define MAX_NODES 5
#define MAX_LINKS 8
#define MAX_OPS 200
#define MAX_DGRAM 9000u
#define PORT 7000

typedef struct {
    guint32 len;
    guint32 hash;
    guint32 copies; /* times received */
} Sent;

typedef struct {
    SimWorld *world;
    guint n_nodes;
    SimNodeId nodes[MAX_NODES];
    SimSocketId socks[MAX_NODES];
    SimQosFlowId flows[MAX_NODES]; /* the flow of each node's socket, 0: none */
    guint n_links;
    SimLinkId links[MAX_LINKS];
    GArray *sent; /* of Sent, indexed by datagram id */
    SimTime last_time;
    guint8 *buf;
} Fz;

static guint32
fnv1a(const guint8 *p, size_t n)
{
    guint32 h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void
time_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    Fz *fz = data;

    FUZZ_CHECK(rec->time == sim_world_now(world));
    FUZZ_CHECK(rec->time >= fz->last_time);
    fz->last_time = rec->time;
}

static SimAddr
node_addr(guint i)
{
    return sim_addr_v4(10, 0, (guint8) i, 1);
}

static guint32
ppm(FuzzIn *in)
{
    /* Mostly small probabilities, sometimes certainty. */
    guint8 b = fuzz_u8(in);

    if (b == 255)
        return SIM_PPM_ONE;
    return (guint32) b * (b & 0x80 ? 3000u : 100u);
}

static void
decode_params(FuzzIn *in, SimLinkParams *p)
{
    guint8 flags = fuzz_u8(in);

    sim_link_params_init(p);
    p->latency_ns = (SimTime) fuzz_u16(in) * 2 * SIM_USEC; /* up to ~131 ms */
    if (flags & 0x01)
        p->jitter_ns = (SimTime) fuzz_u16(in) * 200; /* up to ~13 ms */
    if (flags & 0x02)
        p->loss_ppm = ppm(in);
    if (flags & 0x04) {
        p->ge_enabled = true;
        p->ge_p_good_bad_ppm = ppm(in);
        p->ge_p_bad_good_ppm = ppm(in);
        p->ge_loss_good_ppm = ppm(in);
        p->ge_loss_bad_ppm = ppm(in);
    }
    if (flags & 0x08)
        p->dup_ppm = ppm(in);
    if (flags & 0x10) {
        p->reorder_ppm = ppm(in);
        p->reorder_delay_ns = (SimTime) fuzz_u16(in) * SIM_USEC;
    }
    if (flags & 0x20)
        p->corrupt_ppm = ppm(in);
    if (flags & 0x40) {
        p->rate_bps = (guint64) fuzz_u16(in) * 1000u + 8u; /* 8 bit/s .. 65 Mbit/s */
        p->queue_packets = fuzz_u8(in) % 65;
        p->queue_bytes = fuzz_u16(in) % 2 ? fuzz_u16(in) : 0;
    }
    p->mtu = 68u + fuzz_below(in, 9000u - 68u + 1u);
    p->up = !(flags & 0x80);
}

static void
drain(Fz *fz, guint i)
{
    for (;;) {
        size_t len = 0;
        bool trunc = false;
        SimSockAddr from;
        guint32 id;
        Sent *s;
        SimStatus st;

        if (fz->socks[i] == 0 || !sim_udp_exists(fz->world, fz->socks[i]))
            return;
        st = sim_udp_recvfrom(fz->world, fz->socks[i], fz->buf, MAX_DGRAM, 0, &len, &from, &trunc);
        if (st == SIM_E_WOULDBLOCK)
            return;
        if (st != SIM_OK)
            continue; /* a pending error (port unreachable) is reported once */
        FUZZ_CHECK(!trunc);
        FUZZ_CHECK(len >= 4);
        memcpy(&id, fz->buf, 4);
        FUZZ_CHECK(id < fz->sent->len);
        s = &g_array_index(fz->sent, Sent, id);
        FUZZ_CHECK(s->len == len);
        FUZZ_CHECK(s->hash == fnv1a(fz->buf, len));
        s->copies++;
    }
}

static void
open_socket(Fz *fz, guint i)
{
    SimSockAddr local = { sim_addr_any(SIM_AF_INET), PORT };

    fz->socks[i] = sim_udp_open(fz->world, fz->nodes[i], SIM_AF_INET);
    if (fz->socks[i] == 0)
        return; /* the node is down */
    FUZZ_CHECK(sim_udp_bind(fz->world, fz->socks[i], &local) == SIM_OK);
    FUZZ_CHECK(sim_udp_set_option(fz->world, fz->socks[i], SIM_UDP_OPT_RCVBUF,
                                  SIM_UDP_MAX_RCVBUF) == SIM_OK);
}

/* Node @i's flow: freed if it has one, else a new one toward a node the
 * input picks, with a service, rates and mode from the input. */
static void
toggle_flow(Fz *fz, FuzzIn *in, guint i)
{
    static const SimQosService services[] = { SIM_QOS_GUARANTEED, SIM_QOS_CONTROLLED_LOAD,
                                              SIM_QOS_BEST_EFFORT, SIM_QOS_NO_TRAFFIC };
    SimSockAddr local = { sim_addr_any(SIM_AF_INET), PORT };
    SimSockAddr remote = { node_addr(fuzz_below(in, fz->n_nodes)), PORT };
    SimQosSpec spec;

    if (fz->flows[i] != 0) {
        sim_qos_flow_free(fz->world, fz->flows[i]);
        FUZZ_CHECK(!sim_qos_flow_exists(fz->world, fz->flows[i]));
        fz->flows[i] = 0;
        return;
    }
    sim_qos_spec_init(&spec);
    spec.service = services[fuzz_below(in, G_N_ELEMENTS(services))];
    spec.mode = (SimQosMode) fuzz_below(in, 3);
    spec.token_rate = (guint64) fuzz_u16(in) * 16u;
    spec.bucket_bytes = fuzz_u16(in);
    spec.peak_rate = (fuzz_u8(in) & 1) ? (guint64) fuzz_u16(in) * 64u : 0;
    spec.max_sdu = (fuzz_u8(in) & 1) ? fuzz_u16(in) : 0;
    spec.min_policed = fuzz_u8(in);
    spec.shaping_rate = (fuzz_u8(in) & 1) ? 1u + (guint64) fuzz_u16(in) * 32u : 0;
    fz->flows[i] = sim_qos_flow_new(fz->world, fz->nodes[i], SIM_PROTO_UDP, &spec);
    FUZZ_CHECK(fz->flows[i] != 0);
    (void) sim_qos_flow_set_filter(fz->world, fz->flows[i], &local,
                                   (fuzz_u8(in) & 1) ? &remote : NULL);
}

static void
send_dgram(Fz *fz, FuzzIn *in)
{
    guint src = fuzz_below(in, fz->n_nodes);
    guint dst = fuzz_below(in, fz->n_nodes);
    guint16 raw = fuzz_u16(in);
    guint32 len = 4u + raw % (MAX_DGRAM - 3u);
    SimSockAddr to = { node_addr(dst), (raw & 0x8000) ? PORT + 1 : PORT };
    guint32 id = fz->sent->len;
    Sent s = { len, 0, 0 };
    SimStatus st;

    if (fz->socks[src] == 0 || !sim_udp_exists(fz->world, fz->socks[src]))
        return;
    memcpy(fz->buf, &id, 4);
    for (guint32 k = 4; k < len; k++)
        fz->buf[k] = (guint8) (id * 131u + k * 7u + (k >> 8));
    s.hash = fnv1a(fz->buf, len);
    st = sim_udp_sendto(fz->world, fz->socks[src], &to, fz->buf, len);
    (void) st; /* any documented failure is fine: no route, message size... */
    g_array_append_val(fz->sent, s);
}

static void
check_link_stats(Fz *fz)
{
    for (guint l = 0; l < fz->n_links; l++) {
        for (int dir = SIM_DIR_AB; dir <= SIM_DIR_BA; dir++) {
            SimLinkStats st;
            guint64 in, out;

            FUZZ_CHECK(sim_link_get_stats(fz->world, fz->links[l], (SimLinkDir) dir, &st) ==
                       SIM_OK);
            in = st.sent_packets + st.duplicated;
            out = st.delivered_packets + st.lost_packets + st.corrupt_drops;
            FUZZ_CHECK(out <= in);
            FUZZ_CHECK(in - out <= st.down_drops);
            FUZZ_CHECK(st.duplicated <= st.sent_packets);
            FUZZ_CHECK(st.reordered <= st.sent_packets);
        }
    }
}

static void
check_copies(Fz *fz)
{
    guint64 dups = 0;

    for (guint l = 0; l < fz->n_links; l++) {
        for (int dir = SIM_DIR_AB; dir <= SIM_DIR_BA; dir++) {
            SimLinkStats st;

            FUZZ_CHECK(sim_link_get_stats(fz->world, fz->links[l], (SimLinkDir) dir, &st) ==
                       SIM_OK);
            dups += st.duplicated;
        }
    }
    for (guint i = 0; i < fz->sent->len; i++)
        FUZZ_CHECK(g_array_index(fz->sent, Sent, i).copies <= 1 + dups);
}

/* FUZZ_VERBOSE=1: what an input did, to check that seeds mean something. */
static void
report(Fz *fz)
{
    guint64 got = 0;

    for (guint i = 0; i < fz->sent->len; i++)
        got += g_array_index(fz->sent, Sent, i).copies;
    fprintf(stderr,
            "fuzz-link: %u nodes, %u links, %u datagrams sent, %" G_GUINT64_FORMAT
            " received, t=%" G_GUINT64_FORMAT " ns\n",
            fz->n_nodes, fz->n_links, fz->sent->len, got, sim_world_now(fz->world));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzIn in = fuzz_in(data, size);
    Fz fz = { 0 };
    SimTime t;
    guint n_links_wanted;

    fz.world = sim_world_new(fuzz_u16(&in));
    fz.sent = g_array_new(FALSE, FALSE, sizeof(Sent));
    fz.buf = g_malloc(MAX_DGRAM);
    sim_trace_add_sink(fz.world, time_sink, &fz);

    fz.n_nodes = 2 + fuzz_below(&in, MAX_NODES - 1);
    for (guint i = 0; i < fz.n_nodes; i++) {
        char name[8];
        SimAddr a = node_addr(i);

        g_snprintf(name, sizeof name, "n%u", i);
        fz.nodes[i] =
            sim_node_add(fz.world, name, (fuzz_u8(&in) & 1) ? SIM_NODE_ROUTER : SIM_NODE_HOST);
        FUZZ_CHECK(fz.nodes[i] != SIM_ID_NONE);
        FUZZ_CHECK(sim_node_add_addr(fz.world, fz.nodes[i], &a, 24) == SIM_OK);
    }
    n_links_wanted = 1 + fuzz_below(&in, MAX_LINKS);
    for (guint k = 0; k < n_links_wanted; k++) {
        guint a = fuzz_below(&in, fz.n_nodes), b = fuzz_below(&in, fz.n_nodes);
        SimLinkParams ab, ba;
        SimLinkId l;

        decode_params(&in, &ab);
        if (fuzz_u8(&in) & 1)
            decode_params(&in, &ba);
        else
            ba = ab;
        if (a == b || sim_link_lookup(fz.world, fz.nodes[a], fz.nodes[b]) != SIM_ID_NONE)
            continue;
        l = sim_link_add(fz.world, fz.nodes[a], fz.nodes[b], &ab, &ba);
        FUZZ_CHECK(l != SIM_ID_NONE);
        fz.links[fz.n_links++] = l;
    }
    for (guint i = 0; i < fz.n_nodes; i++)
        open_socket(&fz, i);

    t = 0;
    for (guint op = 0; op < MAX_OPS && fuzz_more(&in); op++) {
        guint8 code = fuzz_u8(&in);
        SimLinkParams p;

        t += (SimTime) fuzz_u8(&in) * 500 * SIM_USEC;
        sim_world_run_until(fz.world, t);
        FUZZ_CHECK(sim_world_now(fz.world) <= t);
        for (guint i = 0; i < fz.n_nodes; i++)
            drain(&fz, i);
        switch (code % 9) {
        case 0:
        case 1:
        case 2:
            send_dgram(&fz, &in);
            break;
        case 3:
            if (fz.n_links == 0)
                break;
            decode_params(&in, &p);
            FUZZ_CHECK(sim_link_set_params(fz.world, fz.links[fuzz_below(&in, fz.n_links)],
                                           (SimLinkDir) fuzz_below(&in, 3), &p) == SIM_OK);
            break;
        case 4:
            if (fz.n_links == 0)
                break;
            decode_params(&in, &p);
            FUZZ_CHECK(sim_link_schedule_params(
                           fz.world, sim_world_now(fz.world) + (SimTime) fuzz_u16(&in) * SIM_MSEC,
                           fz.links[fuzz_below(&in, fz.n_links)], (SimLinkDir) fuzz_below(&in, 3),
                           &p) != SIM_EVENT_ID_NONE);
            break;
        case 5:
            if (fz.n_links == 0)
                break;
            FUZZ_CHECK(sim_link_set_up(fz.world, fz.links[fuzz_below(&in, fz.n_links)],
                                       (SimLinkDir) fuzz_below(&in, 3),
                                       fuzz_u8(&in) & 1) == SIM_OK);
            break;
        case 6: {
            /* A host crash or restart: its socket vanishes; reopen on restart. */
            guint i = fuzz_below(&in, fz.n_nodes);
            bool up = fuzz_u8(&in) & 1;

            sim_node_set_up(fz.world, fz.nodes[i], up);
            if (up && (fz.socks[i] == 0 || !sim_udp_exists(fz.world, fz.socks[i])))
                open_socket(&fz, i);
            break;
        }
        case 8:
            toggle_flow(&fz, &in, fuzz_below(&in, fz.n_nodes));
            break;
        default:
            /* A burst: several datagrams at the same instant. */
            for (guint n = fuzz_u8(&in) % 8; n > 0; n--)
                send_dgram(&fz, &in);
            break;
        }
    }

    /* Run to idle.  Nothing in the link model repeats forever, so this
     * ends (a slow link may take hours of simulated time to drain its queue,
     * which costs few events); an endless loop is a hang libFuzzer reports. */
    FUZZ_CHECK(sim_world_run(fz.world) == SIM_RUN_IDLE);
    FUZZ_CHECK(sim_world_events_pending(fz.world) == 0);
    for (guint i = 0; i < fz.n_nodes; i++)
        drain(&fz, i);
    check_link_stats(&fz);
    check_copies(&fz);
    if (g_getenv("FUZZ_VERBOSE") != NULL)
        report(&fz);
    for (guint i = 0; i < fz.n_nodes; i++) {
        if (fz.socks[i] != 0 && sim_udp_exists(fz.world, fz.socks[i]))
            FUZZ_CHECK(sim_udp_close(fz.world, fz.socks[i]) == SIM_OK);
    }
    sim_world_run(fz.world);
    FUZZ_CHECK(sim_world_packets_alive(fz.world) == 0);
    sim_trace_remove_sink(fz.world, time_sink, &fz);
    sim_world_free(fz.world);
    g_array_unref(fz.sent);
    g_free(fz.buf);
    return 0;
}
