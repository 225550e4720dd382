/* SPDX-License-Identifier: MIT
 *
 * sim-demo: the smallest tour of the sim/ layer, from C.  Two hosts, one
 * link with 5 ms of latency, 1 Mbps and 30% loss; the client sends ten
 * numbered datagrams, 20 ms apart; the server counts what arrives.  The
 * text trace shows each datagram leave, queue, get lost or arrive.
 *
 *   ./examples/sim-demo [seed]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/sim.h"

typedef struct {
    SimWorld *world;
    SimSocketId client, server;
    SimSockAddr server_addr;
    int sent, received;
} Demo;

static void
send_one(SimWorld *world, void *data)
{
    Demo *d = data;
    char msg[32];
    int len = g_snprintf(msg, sizeof msg, "datagram %d", d->sent + 1);

    sim_udp_sendto(world, d->client, &d->server_addr, msg, (size_t) len);
    if (++d->sent < 10)
        sim_event_schedule(world, 20 * SIM_MSEC, send_one, d);
}

static void
on_server(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Demo *d = data;
    char buf[64];
    size_t n;
    bool truncated;

    (void) err;
    if (!(events & SIM_SOCK_EV_READABLE))
        return;
    while (sim_udp_recvfrom(world, sock, buf, sizeof buf - 1, 0, &n, NULL, &truncated) == SIM_OK) {
        buf[n] = '\0';
        d->received++;
        sim_trace_textf(world, SIM_TR_NOTE, sim_udp_node(world, sock), 0, "server",
                        "received \"%s\"", buf);
    }
}

int
main(int argc, char **argv)
{
    guint64 seed = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 10) : 7;
    SimWorld *world = sim_world_new(seed);
    SimLinkParams p;
    SimAddr ca, sa;
    Demo d = { .world = world };

    SimNodeId client = sim_node_add(world, "client", SIM_NODE_HOST);
    SimNodeId server = sim_node_add(world, "server", SIM_NODE_HOST);
    sim_addr_parse("10.0.0.1", &ca);
    sim_addr_parse("10.0.0.2", &sa);
    sim_node_add_addr(world, client, &ca, 24);
    sim_node_add_addr(world, server, &sa, 24);
    sim_link_params_init(&p);
    p.latency_ns = 5 * SIM_MSEC;
    p.rate_bps = 1000000;
    p.loss_ppm = 300000;
    sim_link_add(world, client, server, &p, &p);

    SimTraceText *text = sim_trace_text_new(world, stdout);
    sim_trace_enable_fingerprint(world);
    printf("# sim-demo: seed %" G_GUINT64_FORMAT ", 10 datagrams over a 30%% lossy link\n", seed);

    d.client = sim_udp_open(world, client, SIM_AF_INET);
    d.server = sim_udp_open(world, server, SIM_AF_INET);
    d.server_addr = (SimSockAddr) { .addr = sa, .port = 7000 };
    sim_udp_bind(world, d.server, &d.server_addr);
    sim_udp_set_notify(world, d.server, on_server, &d);
    sim_event_schedule(world, 0, send_one, &d);
    sim_world_run(world);

    printf("# %d sent, %d received; fingerprint 0x%016" G_GINT64_MODIFIER "x\n", d.sent,
           d.received, sim_trace_fingerprint(world));
    sim_trace_text_free(text);
    sim_world_free(world);
    return d.received > 0 ? 0 : 1;
}
