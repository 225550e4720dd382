/* SPDX-License-Identifier: MIT
 *
 * bench-qos: the cost of QoS per packet.  The udp-flood workload (1,000,000
 * datagrams of 512 bytes, one every 5 us, 1 Gbit/s, 1 ms) run three times:
 * plain, then as one guaranteed flow (admitted, every packet classified,
 * policed by its token bucket and sent through the links' priority class),
 * then as the same flow with a shaping rate of one packet per 5 us, which
 * with one extra packet sent first makes the pacer hold every packet for
 * 5 us and release it from an event.  Prints
 *   BENCH qos-shaper <ns> ns/packet   extra wall time per packet with QoS
 *   BENCH qos-flood <s> s             wall time of the QoS run
 *   BENCH qos-pacer <ns> ns/packet    extra wall time per packet of the pacer
 * Wall-clock time is read here, in bench/, never in sim/.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/sim.h"

#define N_DGRAMS 1000000u
#define PAYLOAD 512u
#define INTERVAL_NS (5 * SIM_USEC)
/* 540 IP bytes (512 + UDP + IPv4 headers) every 5 us. */
#define PACED_RATE 108000000u

typedef enum { RUN_PLAIN, RUN_QOS, RUN_PACED } RunKind;

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
send_packet(SimWorld *world, Flood *f)
{
    SimPacket *pkt = sim_packet_new(world, SIM_PROTO_UDP);
    SimBuf *buf = sim_buf_new(NULL, PAYLOAD);

    pkt->src = f->src;
    pkt->dst = f->dst;
    pkt->l4.udp.sport = 5000;
    pkt->l4.udp.dport = 9;
    sim_packet_set_payload(pkt, buf, 0, PAYLOAD);
    sim_buf_unref(buf);
    if (sim_net_send(world, f->a, pkt) != SIM_OK) {
        fprintf(stderr, "bench-qos: send failed\n");
        exit(1);
    }
}

static void
send_one(SimWorld *world, void *data)
{
    Flood *f = data;

    send_packet(world, f);
    if (--f->left > 0)
        sim_event_schedule(world, INTERVAL_NS, send_one, f);
}

/* One run; the wall time in seconds.  *@out_received counts the datagrams
 * of the flood only (not the extra one of RUN_PACED). */
static double
run(RunKind kind, guint64 *out_received)
{
    SimWorld *world = sim_world_new(1);
    Flood f = {0};
    SimNodeId b;
    SimLinkParams p;
    SimQosFlowId flow = 0;
    SimQosFlowStats st;
    gint64 t0, t1;

    f.a = sim_node_add(world, "a", SIM_NODE_HOST);
    b = sim_node_add(world, "b", SIM_NODE_HOST);
    f.src = sim_addr_v4(10, 0, 0, 1);
    f.dst = sim_addr_v4(10, 0, 0, 2);
    sim_node_add_addr(world, f.a, &f.src, 24);
    sim_node_add_addr(world, b, &f.dst, 24);
    sim_link_params_init(&p);
    p.rate_bps = 1000000000;
    p.latency_ns = SIM_MSEC;
    sim_link_add(world, f.a, b, &p, NULL);
    sim_net_register_proto(world, SIM_PROTO_UDP, count_input, &f);
    if (kind != RUN_PLAIN) {
        SimQosSpec spec;
        SimSockAddr local = {.addr = f.src, .port = 5000}, remote = {.addr = f.dst, .port = 9};

        sim_qos_spec_init(&spec);
        spec.service = SIM_QOS_GUARANTEED;
        spec.token_rate = 110000000; /* 880 Mbit/s: every 540-byte packet conforms */
        spec.bucket_bytes = 4096;
        if (kind == RUN_PACED)
            spec.shaping_rate = PACED_RATE;
        flow = sim_qos_flow_new(world, f.a, SIM_PROTO_UDP, &spec);
        if (sim_qos_flow_set_filter(world, flow, &local, &remote) != SIM_QOS_STATE_ADMITTED) {
            fprintf(stderr, "bench-qos: flow not admitted\n");
            exit(1);
        }
    }
    f.left = N_DGRAMS;
    t0 = g_get_monotonic_time();
    if (kind == RUN_PACED)
        send_packet(world, &f); /* takes the pacer's slot: every later one waits */
    sim_event_schedule(world, 0, send_one, &f);
    sim_world_run(world);
    t1 = g_get_monotonic_time();
    *out_received = f.received - (kind == RUN_PACED);
    if (kind == RUN_PACED &&
        (sim_qos_flow_get_stats(world, flow, &st) != SIM_OK || st.shaped != N_DGRAMS)) {
        fprintf(stderr, "bench-qos: the pacer did not hold every packet\n");
        exit(1);
    }
    sim_world_free(world);
    return (double)(t1 - t0) / 1e6;
}

int
main(void)
{
    guint64 r_plain, r_qos, r_paced;
    double plain = run(RUN_PLAIN, &r_plain), with = run(RUN_QOS, &r_qos);
    double paced = run(RUN_PACED, &r_paced);
    double extra_ns = (with - plain) * 1e9 / N_DGRAMS;
    double pacer_ns = (paced - with) * 1e9 / N_DGRAMS;

    if (r_plain != N_DGRAMS || r_qos != N_DGRAMS || r_paced != N_DGRAMS) {
        fprintf(stderr,
                "bench-qos: lost packets (%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                ", %" G_GUINT64_FORMAT ")\n",
                r_plain, r_qos, r_paced);
        return 1;
    }
    printf("BENCH qos-shaper %.1f ns/packet\n", extra_ns < 0 ? 0.0 : extra_ns);
    printf("BENCH qos-flood %.3f s\n", with);
    printf("BENCH qos-pacer %.1f ns/packet\n", pacer_ns < 0 ? 0.0 : pacer_ns);
    return 0;
}
