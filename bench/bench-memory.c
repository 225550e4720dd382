/* SPDX-License-Identifier: MIT
 *
 * bench-memory: memory under load (issue #10).
 *   sockets: 1,000 hosts in a star round one router, 100 UDP sockets open
 *   and bound on each (100,000 sockets).  The heap in use (glibc mallinfo2)
 *   before and after opening them gives the cost of one socket.
 *   chatty: 24 hours of simulated time of a request/response exchange: 10
 *   clients each send a 200-byte request every 100 ms to a server, which
 *   answers each with 1,000 bytes (17.3 million datagrams in all).  RSS and
 *   heap in use are sampled at 1 h and at 24 h of simulated time; a leak
 *   (timers, packets, trace state, per-datagram bookkeeping) shows as growth.
 * Prints
 *   BENCH sockets-100k-bytes-per-socket <n> B
 *   BENCH chatty-24h-rss-growth <n> MB        (RSS at 24 h minus RSS at 1 h)
 *   BENCH chatty-24h-heap-growth <n> B        (heap in use, same instants)
 *   BENCH chatty-24h <s> s                    (wall time)
 * and exits 1 if the chatty exchange stalls or the heap grows by more than
 * 1 MiB.  Wall-clock time and /proc are read here, in bench/, never in sim/.
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim-net.h"
#include "sim/sim-udp.h"

#define N_HOSTS 1000u
#define SOCKS_PER_HOST 100u
#define N_CLIENTS 10u
#define PERIOD_NS (100 * SIM_MSEC)
#define REQ_LEN 200u
#define RSP_LEN 1000u
#define PORT 5000

static size_t
heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
}

static double
rss_mb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (double) resident * (double) sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static SimAddr
host_addr(guint32 i)
{
    guint32 n = i + 2;

    return sim_addr_v4(10, (guint8) (n >> 16), (guint8) (n >> 8), (guint8) n);
}

/* A star of @n hosts round one router; 100 us, 1 Gbit/s links. */
static SimNodeId *
build_star(SimWorld *w, guint32 n)
{
    SimNodeId *ids = g_new(SimNodeId, n);
    SimNodeId router = sim_node_add(w, "r", SIM_NODE_ROUTER);
    SimAddr ra = sim_addr_v4(10, 0, 0, 1);
    SimLinkParams p;

    sim_link_params_init(&p);
    p.latency_ns = 100 * SIM_USEC;
    p.rate_bps = 1000000000u;
    if (sim_node_add_addr(w, router, &ra, 8) != SIM_OK)
        abort();
    for (guint32 i = 0; i < n; i++) {
        char name[16];
        SimAddr a = host_addr(i);

        g_snprintf(name, sizeof name, "h%u", i);
        ids[i] = sim_node_add(w, name, SIM_NODE_HOST);
        if (ids[i] == SIM_ID_NONE || sim_node_add_addr(w, ids[i], &a, 8) != SIM_OK ||
            sim_link_add(w, ids[i], router, &p, &p) == SIM_ID_NONE)
            abort();
    }
    return ids;
}

static void
bench_sockets(void)
{
    SimWorld *w = sim_world_new(1);
    SimNodeId *ids = build_star(w, N_HOSTS);
    size_t before, after;
    guint32 opened = 0;

    /* Let lazily created per-world state (the UDP tables) exist first. */
    sim_udp_close(w, sim_udp_open(w, ids[0], SIM_AF_INET));
    before = heap_in_use();
    for (guint32 i = 0; i < N_HOSTS; i++) {
        for (guint32 k = 0; k < SOCKS_PER_HOST; k++) {
            SimSocketId s = sim_udp_open(w, ids[i], SIM_AF_INET);
            SimSockAddr local = { host_addr(i), (guint16) (PORT + k) };

            if (s == 0 || sim_udp_bind(w, s, &local) != SIM_OK)
                abort();
            opened++;
        }
    }
    after = heap_in_use();
    if (sim_udp_socket_count(w) != opened)
        abort();
    printf("BENCH sockets-100k-bytes-per-socket %zu B\n", (after - before) / opened);
    fflush(stdout);
    sim_world_free(w);
    g_free(ids);
}

typedef struct {
    SimWorld *w;
    SimSocketId server;
    SimSocketId clients[N_CLIENTS];
    SimAddr server_addr;
    guint8 buf[RSP_LEN];
    guint64 requests, responses;
} Chat;

static void
server_note(SimWorld *w, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Chat *c = data;
    size_t len;
    SimSockAddr from;
    bool trunc;

    (void) err;
    if (!(events & SIM_SOCK_EV_READABLE))
        return;
    while (sim_udp_recvfrom(w, sock, c->buf, sizeof c->buf, 0, &len, &from, &trunc) == SIM_OK) {
        c->requests++;
        sim_udp_sendto(w, sock, &from, c->buf, RSP_LEN);
    }
}

static void
client_note(SimWorld *w, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Chat *c = data;
    size_t len;
    bool trunc;

    (void) err;
    if (!(events & SIM_SOCK_EV_READABLE))
        return;
    while (sim_udp_recvfrom(w, sock, c->buf, sizeof c->buf, 0, &len, NULL, &trunc) == SIM_OK)
        c->responses++;
}

static void
tick(SimWorld *w, void *data)
{
    Chat *c = data;
    SimSockAddr to = { c->server_addr, PORT };

    for (guint32 i = 0; i < N_CLIENTS; i++)
        sim_udp_sendto(w, c->clients[i], &to, c->buf, REQ_LEN);
    sim_event_schedule(w, PERIOD_NS, tick, c);
}

static int
bench_chatty(void)
{
    Chat c = { 0 };
    SimNodeId *ids;
    SimSockAddr local;
    double rss1, rss24;
    size_t heap1, heap24;
    gint64 t0 = g_get_monotonic_time();
    guint64 expected;

    c.w = sim_world_new(7);
    ids = build_star(c.w, N_CLIENTS + 1);
    c.server_addr = host_addr(0);
    local.addr = c.server_addr;
    local.port = PORT;
    c.server = sim_udp_open(c.w, ids[0], SIM_AF_INET);
    if (c.server == 0 || sim_udp_bind(c.w, c.server, &local) != SIM_OK)
        abort();
    sim_udp_set_notify(c.w, c.server, server_note, &c);
    for (guint32 i = 0; i < N_CLIENTS; i++) {
        c.clients[i] = sim_udp_open(c.w, ids[i + 1], SIM_AF_INET);
        if (c.clients[i] == 0)
            abort();
        sim_udp_set_notify(c.w, c.clients[i], client_note, &c);
    }
    memset(c.buf, 'q', sizeof c.buf);
    sim_event_schedule(c.w, 0, tick, &c);

    sim_world_run_until(c.w, 3600 * SIM_SEC);
    rss1 = rss_mb();
    heap1 = heap_in_use();
    sim_world_run_until(c.w, 24 * 3600 * SIM_SEC);
    rss24 = rss_mb();
    heap24 = heap_in_use();

    printf("BENCH chatty-24h-rss-growth %.1f MB\n", rss24 - rss1);
    printf("BENCH chatty-24h-heap-growth %ld B\n", (long) heap24 - (long) heap1);
    printf("BENCH chatty-24h %.1f s\n", (double) (g_get_monotonic_time() - t0) / 1e6);
    expected = (guint64) N_CLIENTS * (24 * 3600 * (SIM_SEC / PERIOD_NS));
    sim_world_free(c.w);
    g_free(ids);
    if (c.responses + N_CLIENTS < expected) {
        fprintf(stderr,
                "bench-memory: chatty exchange stalled: %" G_GUINT64_FORMAT
                " responses of %" G_GUINT64_FORMAT "\n",
                c.responses, expected);
        return 1;
    }
    if (heap24 > heap1 + 1024 * 1024) {
        fprintf(stderr, "bench-memory: heap grew by %zu bytes between 1 h and 24 h\n",
                heap24 - heap1);
        return 1;
    }
    return 0;
}

int
main(void)
{
    bench_sockets();
    return bench_chatty();
}
