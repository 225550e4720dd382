/* SPDX-License-Identifier: MIT
 *
 * bench-hosts: a large world.  10,000 hosts in a star round one router
 * (1 Gbit/s, 100 us links); every host sends one 64-byte UDP datagram to
 * every 100th host (1,000,000 datagrams, 2 hops each), in 100 rounds 10 ms
 * apart, each round spreading the destinations so that no link queues much.
 * Tracing off.  Prints
 *   BENCH hosts <s> s           wall time: building the world and running it
 *   BENCH hosts-rss <MB> MB     peak resident memory (getrusage ru_maxrss)
 * Wall-clock time is read here, in bench/, never in sim/.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "sim/sim.h"

#define N_HOSTS 10000u
#define EVERY 100u
#define ROUNDS (N_HOSTS / EVERY)
#define ROUND_NS (10 * SIM_MSEC)
#define PAYLOAD 64u

typedef struct Bench Bench;

typedef struct {
    Bench *bench;
    guint32 index;
    guint32 round;
} Host;

struct Bench {
    SimNodeId *ids;
    SimAddr *addrs;
    Host *hosts;
    guint64 sent, received;
};

static SimAddr
host_addr(guint32 i)
{
    guint32 n = i + 1;

    return sim_addr_v4(10, (guint8)(n >> 16), (guint8)(n >> 8), (guint8)n);
}

static void
count_input(SimWorld *world, SimNodeId node, SimPacket *pkt, void *data)
{
    Bench *b = data;

    (void)world;
    (void)node;
    b->received++;
    sim_packet_unref(pkt);
}

/* Host i, round k: to destination ((i / EVERY + k) % ROUNDS) * EVERY. */
static void
host_send(SimWorld *world, void *data)
{
    Host *h = data;
    Bench *b = h->bench;
    guint32 dst = ((h->index / EVERY + h->round) % ROUNDS) * EVERY;

    if (dst != h->index) {
        SimPacket *pkt = sim_packet_new(world, SIM_PROTO_UDP);
        SimBuf *buf = sim_buf_new(NULL, PAYLOAD);

        pkt->src = b->addrs[h->index];
        pkt->dst = b->addrs[dst];
        pkt->l4.udp.sport = 4000;
        pkt->l4.udp.dport = 4001;
        sim_packet_set_payload(pkt, buf, 0, PAYLOAD);
        sim_buf_unref(buf);
        if (sim_net_send(world, b->ids[h->index], pkt) != SIM_OK) {
            fprintf(stderr, "bench-hosts: send failed\n");
            exit(1);
        }
        b->sent++;
    }
    if (++h->round < ROUNDS)
        sim_event_schedule(world, ROUND_NS, host_send, h);
}

int
main(void)
{
    SimWorld *world;
    Bench b = {0};
    SimNodeId router;
    SimLinkParams p;
    SimAddr raddr = sim_addr_v4(10, 255, 255, 254);
    struct rusage ru;
    gint64 t0, t1;

    t0 = g_get_monotonic_time();
    world = sim_world_new(1);
    b.ids = g_new(SimNodeId, N_HOSTS);
    b.addrs = g_new(SimAddr, N_HOSTS);
    b.hosts = g_new(Host, N_HOSTS);
    router = sim_node_add(world, "router", SIM_NODE_ROUTER);
    sim_node_add_addr(world, router, &raddr, 8);
    sim_link_params_init(&p);
    p.rate_bps = 1000000000;
    p.latency_ns = 100 * SIM_USEC;
    for (guint32 i = 0; i < N_HOSTS; i++) {
        char name[16];

        g_snprintf(name, sizeof name, "h%05u", i);
        b.ids[i] = sim_node_add(world, name, SIM_NODE_HOST);
        b.addrs[i] = host_addr(i);
        if (sim_node_add_addr(world, b.ids[i], &b.addrs[i], 8) != SIM_OK ||
            sim_link_add(world, b.ids[i], router, &p, NULL) == SIM_ID_NONE) {
            fprintf(stderr, "bench-hosts: setup failed\n");
            return 1;
        }
        b.hosts[i] = (Host){&b, i, 0};
        sim_event_schedule(world, (SimTime)i * SIM_USEC, host_send, &b.hosts[i]);
    }
    sim_net_register_proto(world, SIM_PROTO_UDP, count_input, &b);
    sim_world_run(world);
    t1 = g_get_monotonic_time();

    if (b.received != b.sent || b.sent != (guint64)N_HOSTS * ROUNDS - ROUNDS ||
        sim_world_packets_alive(world) != 0) {
        fprintf(stderr, "bench-hosts: sent %" G_GUINT64_FORMAT ", received %" G_GUINT64_FORMAT "\n",
                b.sent, b.received);
        return 1;
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("BENCH hosts %.3f s\n", (double)(t1 - t0) / 1e6);
    printf("BENCH hosts-rss %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    sim_world_free(world);
    g_free(b.ids);
    g_free(b.addrs);
    g_free(b.hosts);
    return 0;
}
