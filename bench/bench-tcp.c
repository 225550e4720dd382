/* SPDX-License-Identifier: MIT
 *
 * bench-tcp.c: stream transport benchmarks, driven by transport callbacks
 * (no actors).  Prints "BENCH <name> <value> <unit>" lines.
 *
 *   tcp-bulk    100 MB over one connection, 100 Mbps / 10 ms link with
 *               0.1% loss on the data direction (as ns-3's receiver error
 *               model): wall seconds, packets on the wire per wall second,
 *               simulated seconds, goodput, and the Mathis prediction
 *               MSS / RTT * C / sqrt(p) for C = 1.22 (and 0.87 with
 *               delayed ACKs) to compare against.
 *   many-flows  100 hosts round one router (10 Mbps, 2 ms; the server's
 *               link 1 Gbps, 2 ms), 10 connections each to one server, 100
 *               request/response rounds of 1 KB per connection (the server
 *               echoes, the client sends the next request when the reply
 *               is complete): wall and simulated seconds.  Repeated with
 *               100 connections per host of which the same 10 are active
 *               (the other 90 established and idle), and with 1, to show
 *               that the wall cost per packet does not grow with the
 *               connections a host has; and (--all) with all 100 active.
 *
 * The anchors (ns-3 3.37 on the same machine, ../shared/anchors): tcp_bulk
 * 0.863 s wall, many_flows 10.8 s wall.
 *
 * Usage: bench-tcp [--quick] [--all] [--only=tcp-bulk|many-flows|many-flows-base|many-flows-x10]
 * (--all adds the all-active 10x run, about 5-8 s).
 * Wall-clock time is read here only (g_get_monotonic_time), never in sim/.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"

static void
bench_line(const char *name, double value, const char *unit)
{
    printf("BENCH %s %.6g %s\n", name, value, unit);
    fflush(stdout);
}

static guint64
wire_packets(SimWorld *world)
{
    guint64 n = 0;

    for (SimLinkId l = 1; l <= sim_world_link_count(world); l++) {
        SimLinkStats st;

        for (int d = SIM_DIR_AB; d <= SIM_DIR_BA; d++)
            if (sim_link_get_stats(world, l, (SimLinkDir) d, &st) == SIM_OK)
                n += st.sent_packets;
    }
    return n;
}

static SimNodeId
add_host(SimWorld *world, const char *name, const char *addr, guint prefix)
{
    SimNodeId n = sim_node_add(world, name, SIM_NODE_HOST);
    SimAddr a;

    g_assert(n != SIM_ID_NONE);
    g_assert(sim_addr_parse(addr, &a));
    g_assert(sim_node_add_addr(world, n, &a, prefix) == SIM_OK);
    return n;
}

/* ---- tcp-bulk ------------------------------------------------------------ */

typedef struct {
    SimWorld *world;
    SimSocketId snd, rcv;
    guint64 total, sent, received;
    SimTime done_at;
    guint8 buf[65536];
} Bulk;

static void
bulk_pump(Bulk *b)
{
    while (b->sent < b->total) {
        size_t n = (size_t) MIN((guint64) sizeof b->buf, b->total - b->sent), k = 0;
        SimStatus st = sim_tcp_send(b->world, b->snd, b->buf, n, 0, &k);

        if (st != SIM_OK)
            return;
        b->sent += k;
    }
}

static void
bulk_snd_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    (void) world;
    (void) sock;
    g_assert(err == SIM_OK);
    if (events & (SIM_SOCK_EV_WRITABLE | SIM_SOCK_EV_CONNECTED))
        bulk_pump(data);
}

static void
bulk_rcv_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Bulk *b = data;
    static guint8 scratch[65536];
    size_t n;

    (void) events;
    g_assert(err == SIM_OK);
    while (sim_tcp_recv(world, sock, scratch, sizeof scratch, 0, &n) == SIM_OK && n > 0)
        b->received += n;
    if (b->received >= b->total && b->done_at == 0) {
        b->done_at = sim_world_now(world);
        sim_world_stop(world); /* all delivered: skip the close tail, as ns-3 does */
    }
}

static void
bulk_listen_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Bulk *b = data;

    (void) events;
    (void) err;
    if (b->rcv == 0 && sim_tcp_accept(world, sock, &b->rcv) == SIM_OK)
        sim_tcp_set_notify(world, b->rcv, bulk_rcv_notify, b);
}

static void
bench_bulk(guint64 bytes)
{
    Bulk *b = g_new0(Bulk, 1);
    SimWorld *world;
    SimNodeId n1, n2;
    SimLinkParams ab, ba;
    SimSocketId l;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), 5000 }, dst;
    SimTcpConfig cfg;
    SimTcpInfo info;
    const guint32 bufsize = 256 * 1024;
    gint64 t0, t1;
    guint64 pkts;
    double wall, sim_s, goodput, rtt, mss, p = 0.001;

    t0 = g_get_monotonic_time();
    world = sim_world_new(1);
    b->world = world;
    b->total = bytes;
    memset(b->buf, 0x5a, sizeof b->buf);
    n1 = add_host(world, "snd", "10.1.1.1", 24);
    n2 = add_host(world, "rcv", "10.1.1.2", 24);
    sim_link_params_init(&ab);
    ab.latency_ns = 10 * SIM_MSEC;
    ab.rate_bps = 100000000ull;
    ab.queue_packets = 1000;
    ba = ab;
    ab.loss_ppm = (guint32) (p * SIM_PPM_ONE); /* data direction only */
    sim_link_add(world, n1, n2, &ab, &ba);

    sim_tcp_get_config(world, &cfg);
    cfg.rcvbuf_default = bufsize; /* so the window never limits: Mathis does */
    cfg.sndbuf_default = bufsize;
    sim_tcp_set_config(world, &cfg);
    g_assert(sim_tcp_open(world, n2, SIM_AF_INET, &l) == SIM_OK);
    g_assert(sim_tcp_bind(world, l, &any, 0) == SIM_OK);
    g_assert(sim_tcp_listen(world, l, 8) == SIM_OK);
    sim_tcp_set_notify(world, l, bulk_listen_notify, b);
    g_assert(sim_tcp_open(world, n1, SIM_AF_INET, &b->snd) == SIM_OK);
    sim_tcp_set_notify(world, b->snd, bulk_snd_notify, b);
    dst.addr = *sim_node_addr(world, n2, 0);
    dst.port = 5000;
    g_assert(sim_tcp_connect(world, b->snd, &dst) == SIM_E_INPROGRESS);
    sim_world_run(world);
    g_assert(b->received == bytes);
    g_assert(sim_tcp_get_info(world, b->snd, &info) == SIM_OK);
    pkts = wire_packets(world);
    bench_line("tcp-bulk-events-per-packet", (double) sim_world_events_run(world) / (double) pkts,
               "events");
    sim_world_free(world);
    t1 = g_get_monotonic_time();

    wall = (double) (t1 - t0) / 1e6;
    sim_s = (double) b->done_at / 1e9;
    goodput = (double) bytes * 8.0 / sim_s / 1e6;
    mss = info.mss;
    /* base RTT: 2 x 10 ms plus serialising one full segment and one ACK */
    rtt = 0.020 + (mss + 40) * 8.0 / 100e6 + 40 * 8.0 / 100e6;
    bench_line("tcp-bulk", wall, "s");
    bench_line("tcp-bulk-packets", (double) pkts / wall, "packets/s");
    bench_line("tcp-bulk-wire-packets", (double) pkts, "packets");
    bench_line("tcp-bulk-sim", sim_s, "s");
    bench_line("tcp-bulk-goodput", goodput, "Mbps");
    bench_line("tcp-bulk-mathis", mss * 8.0 / rtt * 1.22 / sqrt(p) / 1e6, "Mbps");
    bench_line("tcp-bulk-mathis-delack", mss * 8.0 / rtt * 0.87 / sqrt(p) / 1e6, "Mbps");
    g_free(b);
}

/* ---- many-flows ---------------------------------------------------------- */

#define MSG 1024

typedef struct Flows Flows;

typedef struct {
    Flows *f;
    SimSocketId sock;
    SimNodeId node;
    guint rounds; /* replies completed */
    guint32 got;  /* bytes of the current reply */
    bool server;
} Conn;

struct Flows {
    SimWorld *world;
    SimNodeId server;
    SimSockAddr dst;
    guint rounds;
    guint conns_total, conns_done;
    SimTime done_at;
    GPtrArray *conns; /* of Conn*, owned */
    guint8 msg[MSG];
};

static void
conn_send_request(Conn *c)
{
    size_t k = 0;
    SimStatus st = sim_tcp_send(c->f->world, c->sock, c->f->msg, MSG, 0, &k);

    g_assert(st == SIM_OK && k == MSG);
}

static void
conn_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Conn *c = data;
    guint8 buf[8192];
    size_t n;

    if (err != SIM_OK)
        g_error("many-flows: connection %u failed: %s", sock, sim_status_name(err));
    if (!c->server && (events & SIM_SOCK_EV_CONNECTED)) {
        conn_send_request(c);
        return;
    }
    if (!(events & SIM_SOCK_EV_READABLE))
        return;
    while (sim_tcp_recv(world, sock, buf, sizeof buf, 0, &n) == SIM_OK && n > 0) {
        if (c->server) {
            size_t k = 0;

            /* echo: the send buffer always has room for a 1 KB reply */
            g_assert(sim_tcp_send(world, sock, buf, n, 0, &k) == SIM_OK && k == n);
            continue;
        }
        c->got += (guint32) n;
        g_assert(c->got <= MSG);
        if (c->got == MSG) {
            c->got = 0;
            if (++c->rounds == c->f->rounds) {
                if (++c->f->conns_done == c->f->conns_total) {
                    c->f->done_at = sim_world_now(world);
                    sim_world_stop(world);
                }
            } else {
                conn_send_request(c);
            }
        }
    }
}

static void
listen_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Flows *f = data;
    SimSocketId child;

    (void) events;
    (void) err;
    while (sim_tcp_accept(world, sock, &child) == SIM_OK) {
        Conn *c = g_new0(Conn, 1);

        c->f = f;
        c->sock = child;
        c->server = true;
        g_ptr_array_add(f->conns, c);
        sim_tcp_set_notify(world, child, conn_notify, c);
        conn_notify(world, child, SIM_SOCK_EV_READABLE, SIM_OK, c); /* data may be there */
    }
}

static void
start_conn(SimWorld *world, void *data)
{
    Conn *c = data;

    g_assert(sim_tcp_open(world, c->node, SIM_AF_INET, &c->sock) == SIM_OK);
    sim_tcp_set_notify(world, c->sock, conn_notify, c);
    g_assert(sim_tcp_connect(world, c->sock, &c->f->dst) == SIM_E_INPROGRESS);
}

typedef struct {
    double wall, sim_s, ns_per_packet;
    guint64 packets, events;
} FlowsResult;

static void
start_idle(SimWorld *world, void *data)
{
    Conn *c = data;

    c->rounds = G_MAXUINT; /* never sends */
    g_assert(sim_tcp_open(world, c->node, SIM_AF_INET, &c->sock) == SIM_OK);
    g_assert(sim_tcp_connect(world, c->sock, &c->f->dst) == SIM_E_INPROGRESS);
}

/* @active_per_host of the @conns_per_host connections run the rounds; the
 * others connect first and then stay idle (established).  @scale
 * multiplies every link rate; @stagger_ns separates the active starts. */
static FlowsResult
run_flows(guint hosts, guint conns_per_host, guint active_per_host, guint rounds, guint scale,
          SimTime stagger_ns)
{
    Flows f;
    SimNodeId router;
    SimLinkParams cl, sl;
    SimSocketId l;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), 7000 };
    gint64 t0, t1;
    FlowsResult res;
    char name[32], addr[32];
    guint k = 0, idle = 0;
    /* active connections start once the idle ones are established */
    SimTime offset = conns_per_host > active_per_host ? 200 * SIM_MSEC : 0;

    t0 = g_get_monotonic_time();
    memset(&f, 0, sizeof f);
    f.world = sim_world_new(1);
    f.rounds = rounds;
    f.conns = g_ptr_array_new_with_free_func(g_free);
    memset(f.msg, 'q', sizeof f.msg);
    router = sim_node_add(f.world, "router", SIM_NODE_ROUTER);
    f.server = add_host(f.world, "server", "10.255.0.1", 16);
    sim_link_params_init(&sl);
    sl.latency_ns = 2 * SIM_MSEC;
    sl.rate_bps = 1000000000ull * scale;
    sl.queue_packets = 1000;
    cl = sl;
    cl.rate_bps = 10000000ull * scale;
    sim_link_add(f.world, f.server, router, &sl, &sl);
    f.dst.addr = *sim_node_addr(f.world, f.server, 0);
    f.dst.port = 7000;

    g_assert(sim_tcp_open(f.world, f.server, SIM_AF_INET, &l) == SIM_OK);
    g_assert(sim_tcp_bind(f.world, l, &any, 0) == SIM_OK);
    g_assert(sim_tcp_listen(f.world, l, 4096) == SIM_OK);
    sim_tcp_set_notify(f.world, l, listen_notify, &f);

    for (guint h = 0; h < hosts; h++) {
        SimNodeId n;

        g_snprintf(name, sizeof name, "client%u", h);
        g_snprintf(addr, sizeof addr, "10.%u.%u.1", 1 + h / 250, h % 250);
        n = add_host(f.world, name, addr, 24);
        sim_link_add(f.world, n, router, &cl, &cl);
        for (guint i = 0; i < conns_per_host; i++) {
            Conn *c = g_new0(Conn, 1);

            c->f = &f;
            c->node = n;
            g_ptr_array_add(f.conns, c);
            if (i >= active_per_host) {
                /* idle ones connect first, 1 us apart */
                sim_event_schedule(f.world, (SimTime) idle++ * SIM_USEC, start_idle, c);
                continue;
            }
            /* starts staggered (100 us apart in the ns-3 program) */
            sim_event_schedule(f.world, offset + (SimTime) k++ * stagger_ns, start_conn, c);
        }
    }
    f.conns_total = hosts * active_per_host;
    sim_world_run(f.world);
    g_assert(f.conns_done == f.conns_total);
    res.packets = wire_packets(f.world);
    res.events = sim_world_events_run(f.world);
    sim_world_free(f.world);
    g_ptr_array_free(f.conns, true);
    t1 = g_get_monotonic_time();
    res.wall = (double) (t1 - t0) / 1e6;
    res.sim_s = (double) (f.done_at - offset) / 1e9;
    res.ns_per_packet = res.wall * 1e9 / (double) res.packets;
    return res;
}

static void
bench_flows(guint rounds, bool all)
{
    FlowsResult r1, r10, r100, ra;

    /* The ns-3 scenario: 100 hosts x 10 connections x 100 rounds, starts
     * 100 us apart. */
    r10 = run_flows(100, 10, 10, rounds, 1, 100 * SIM_USEC);
    bench_line("many-flows", r10.wall, "s");
    bench_line("many-flows-sim", r10.sim_s, "s");
    bench_line("many-flows-wire-packets", (double) r10.packets, "packets");
    bench_line("many-flows-ns-per-packet", r10.ns_per_packet, "ns");
    bench_line("many-flows-events-per-packet", (double) r10.events / (double) r10.packets,
               "events");
    /* Per-packet cost against connections per host: 10x the connections
     * (100 per host, 10,000 on the server), the same traffic (10 per host
     * run the rounds, 90 stay established and idle); and 1 per host. */
    r100 = run_flows(100, 100, 10, rounds, 1, 100 * SIM_USEC);
    bench_line("many-flows-x10", r100.wall, "s");
    bench_line("many-flows-x10-sim", r100.sim_s, "s");
    bench_line("many-flows-x10-ns-per-packet", r100.ns_per_packet, "ns");
    r1 = run_flows(100, 1, 1, rounds, 1, 1 * SIM_MSEC);
    bench_line("many-flows-1conn", r1.wall, "s");
    bench_line("many-flows-1conn-ns-per-packet", r1.ns_per_packet, "ns");
    bench_line("many-flows-x10-cost-ratio", r100.ns_per_packet / r10.ns_per_packet, "x");
    bench_line("many-flows-1to10-cost-ratio", r10.ns_per_packet / r1.ns_per_packet, "x");
    /* And with all 100 per host active (links 10x faster so the network
     * regime stays the same): 10x the working set in use at once, which
     * costs cache misses everywhere, the network layer's included. */
    if (!all)
        return;
    ra = run_flows(100, 100, 100, rounds, 10, 10 * SIM_USEC);
    bench_line("many-flows-x10-active", ra.wall, "s");
    bench_line("many-flows-x10-active-ns-per-packet", ra.ns_per_packet, "ns");
    bench_line("many-flows-x10-active-cost-ratio", ra.ns_per_packet / r10.ns_per_packet, "x");
}

int
main(int argc, char **argv)
{
    bool quick = false, all = false;
    const char *only = NULL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = true;
        else if (strcmp(argv[i], "--all") == 0)
            all = true;
        else if (g_str_has_prefix(argv[i], "--only="))
            only = argv[i] + 7;
    }
    if (only == NULL || strcmp(only, "tcp-bulk") == 0)
        bench_bulk(quick ? 10000000ull : 100000000ull);
    if (only == NULL || strcmp(only, "many-flows") == 0)
        bench_flows(quick ? 10 : 100, all);
    if (only != NULL && strcmp(only, "many-flows-base") == 0) {
        FlowsResult r = run_flows(100, 10, 10, 100, 1, 100 * SIM_USEC);

        bench_line("many-flows-ns-per-packet", r.ns_per_packet, "ns");
    }
    if (only != NULL && strcmp(only, "many-flows-x10") == 0) {
        FlowsResult r = run_flows(100, 100, 10, 100, 1, 100 * SIM_USEC);

        bench_line("many-flows-x10-ns-per-packet", r.ns_per_packet, "ns");
    }
    return 0;
}
