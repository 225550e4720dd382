/* SPDX-License-Identifier: MIT
 *
 * bench-udp-flood: the network layer's hot path.  1,000,000 UDP datagrams
 * of 512 payload bytes, one every 5 us, from host a to host b over one
 * 1 Gbit/s, 1 ms link with 1% Bernoulli loss, sent with sim_net_send() and
 * counted by a registered protocol-17 input; tracing off.  Each datagram
 * gets its own payload buffer, as a transport copying user data would.
 * Prints
 *   BENCH udp-flood <s> s            wall time of the run
 *   BENCH udp-flood-rate <n> packets/s
 *   BENCH udp-flood-loss <p> %       measured loss
 * Wall-clock time is read here, in bench/, never in sim/.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/sim.h"

#define N_DGRAMS 1000000u
#define PAYLOAD 512u
#define INTERVAL_NS (5 * SIM_USEC)

typedef struct {
    SimNodeId a;
    SimAddr src, dst;
    guint32 left;
    guint64 received;
} Flood;

static void
count_input(SimWorld *world, SimNodeId node, SimPacket *pkt, void *data)
{
    Flood *f = data;

    (void)world;
    (void)node;
    f->received++;
    sim_packet_unref(pkt);
}

static void
send_one(SimWorld *world, void *data)
{
    Flood *f = data;
    SimPacket *pkt = sim_packet_new(world, SIM_PROTO_UDP);
    SimBuf *buf = sim_buf_new(NULL, PAYLOAD);

    pkt->src = f->src;
    pkt->dst = f->dst;
    pkt->l4.udp.sport = 5000;
    pkt->l4.udp.dport = 9;
    sim_packet_set_payload(pkt, buf, 0, PAYLOAD);
    sim_buf_unref(buf);
    if (sim_net_send(world, f->a, pkt) != SIM_OK) {
        fprintf(stderr, "bench-udp-flood: send failed\n");
        exit(1);
    }
    if (--f->left > 0)
        sim_event_schedule(world, INTERVAL_NS, send_one, f);
}

int
main(void)
{
    SimWorld *world = sim_world_new(1);
    Flood f = {0};
    SimNodeId b;
    SimLinkParams p;
    gint64 t0, t1;
    double secs, loss;

    f.a = sim_node_add(world, "a", SIM_NODE_HOST);
    b = sim_node_add(world, "b", SIM_NODE_HOST);
    f.src = sim_addr_v4(10, 0, 0, 1);
    f.dst = sim_addr_v4(10, 0, 0, 2);
    sim_node_add_addr(world, f.a, &f.src, 24);
    sim_node_add_addr(world, b, &f.dst, 24);
    sim_link_params_init(&p);
    p.rate_bps = 1000000000;
    p.latency_ns = SIM_MSEC;
    p.loss_ppm = 10000;
    sim_link_add(world, f.a, b, &p, NULL);
    sim_net_register_proto(world, SIM_PROTO_UDP, count_input, &f);
    f.left = N_DGRAMS;
    sim_event_schedule(world, 0, send_one, &f);

    t0 = g_get_monotonic_time();
    sim_world_run(world);
    t1 = g_get_monotonic_time();

    if (sim_world_packets_alive(world) != 0) {
        fprintf(stderr, "bench-udp-flood: %" G_GUINT64_FORMAT " packets leaked\n",
                sim_world_packets_alive(world));
        return 1;
    }
    secs = (double)(t1 - t0) / 1e6;
    loss = 100.0 * (double)(N_DGRAMS - f.received) / N_DGRAMS;
    printf("BENCH udp-flood %.3f s\n", secs);
    printf("BENCH udp-flood-rate %.0f packets/s\n", N_DGRAMS / secs);
    printf("BENCH udp-flood-loss %.3f %%\n", loss);
    sim_world_free(world);
    return 0;
}
