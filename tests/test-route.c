/* SPDX-License-Identifier: MIT
 * test-route: shortest paths by latency with ties broken by name, failover
 * when links or routers fail, TTL expiry with ICMP back to the source, no
 * route, hosts never forwarding, partitions, path MTU and hop counts, and
 * the per-destination route cache. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers/test-net.h"

/*
 * Five nodes: h1 - alpha, alpha - <b>, alpha - gamma, <b> - h2, gamma - h2,
 * every link 1 ms.  h1 reaches h2 through <b> or gamma at equal cost.
 */
typedef struct {
    TestNet *tn;
    SimNodeId h1, alpha, b, gamma, h2;
    SimLinkId h1_alpha, alpha_b, alpha_gamma, b_h2, gamma_h2;
} Five;

static void
five_init(Five *f, const char *b_name)
{
    f->tn = test_net_new(11);
    f->h1 = test_net_node(f->tn, "h1", SIM_NODE_HOST, "10.0.1.1", 24);
    f->alpha = test_net_node(f->tn, "alpha", SIM_NODE_ROUTER, "10.0.1.254", 24);
    f->b = test_net_node(f->tn, b_name, SIM_NODE_ROUTER, "10.0.3.1", 24);
    f->gamma = test_net_node(f->tn, "gamma", SIM_NODE_ROUTER, "10.0.4.1", 24);
    f->h2 = test_net_node(f->tn, "h2", SIM_NODE_HOST, "10.0.2.1", 24);
    f->h1_alpha = test_net_link_lat(f->tn, f->h1, f->alpha, SIM_MSEC);
    f->alpha_b = test_net_link_lat(f->tn, f->alpha, f->b, SIM_MSEC);
    f->alpha_gamma = test_net_link_lat(f->tn, f->alpha, f->gamma, SIM_MSEC);
    f->b_h2 = test_net_link_lat(f->tn, f->b, f->h2, SIM_MSEC);
    f->gamma_h2 = test_net_link_lat(f->tn, f->gamma, f->h2, SIM_MSEC);
}

static guint64
sent_on(TestNet *tn, SimLinkId l, SimLinkDir dir)
{
    SimLinkStats st;

    assert_int_equal(sim_link_get_stats(tn->world, l, dir, &st), SIM_OK);
    return st.sent_packets;
}

/* Sends one datagram h1 -> h2 and runs; returns its one-way delay. */
static SimTime
five_send(Five *f)
{
    SimTime t0 = sim_world_now(f->tn->world);
    SimPacket *pkt = test_net_udp(f->tn, "10.0.1.1", "10.0.2.1", 1000, 2000, 10);

    test_net_rx_clear(f->tn);
    assert_int_equal(sim_net_send(f->tn->world, f->h1, pkt), SIM_OK);
    sim_world_run(f->tn->world);
    assert_int_equal(test_net_rx_count(f->tn, f->h2), 1);
    return test_net_rx(f->tn, 0)->time - t0;
}

static void
test_route_five_nodes_tie_break_and_failover(void **state)
{
    Five f;
    SimAddr h2 = test_addr("10.0.2.1");

    (void)state;
    five_init(&f, "beta");
    assert_int_equal(sim_net_hop_count(f.tn->world, f.h1, &h2), 3);
    /* Equal cost: "beta" < "gamma". */
    assert_int_equal(five_send(&f), 3 * SIM_MSEC);
    assert_int_equal(sent_on(f.tn, f.alpha_b, SIM_DIR_AB), 1);
    assert_int_equal(sent_on(f.tn, f.alpha_gamma, SIM_DIR_AB), 0);
    assert_int_equal(test_net_trace_count(f.tn, "alpha    < h1       FWD UDP 1000 > 2000"), 1);
    assert_int_equal(test_net_trace_count(f.tn, "alpha    > beta     UDP 1000 > 2000"), 1);

    /* alpha - beta fails: the route moves to gamma. */
    assert_int_equal(sim_link_set_up(f.tn->world, f.alpha_b, SIM_DIR_BOTH, false), SIM_OK);
    assert_int_equal(five_send(&f), 3 * SIM_MSEC);
    assert_int_equal(sent_on(f.tn, f.alpha_b, SIM_DIR_AB), 1);
    assert_int_equal(sent_on(f.tn, f.alpha_gamma, SIM_DIR_AB), 1);
    assert_int_equal(sent_on(f.tn, f.gamma_h2, SIM_DIR_AB), 1);

    /* Back up: beta again. */
    assert_int_equal(sim_link_set_up(f.tn->world, f.alpha_b, SIM_DIR_BOTH, true), SIM_OK);
    five_send(&f);
    assert_int_equal(sent_on(f.tn, f.alpha_b, SIM_DIR_AB), 2);

    /* Latency beats names: a faster alpha - gamma wins. */
    {
        SimLinkParams p;

        assert_int_equal(sim_link_get_params(f.tn->world, f.alpha_gamma, SIM_DIR_AB, &p), SIM_OK);
        p.latency_ns = 500 * SIM_USEC;
        assert_int_equal(sim_link_set_params(f.tn->world, f.alpha_gamma, SIM_DIR_BOTH, &p), SIM_OK);
    }
    assert_int_equal(five_send(&f), 2500 * SIM_USEC);
    assert_int_equal(sent_on(f.tn, f.alpha_gamma, SIM_DIR_AB), 2);

    /* A crashed router is routed around too. */
    {
        SimLinkParams p;

        sim_link_params_init(&p);
        p.latency_ns = SIM_MSEC;
        assert_int_equal(sim_link_set_params(f.tn->world, f.alpha_gamma, SIM_DIR_BOTH, &p), SIM_OK);
    }
    sim_node_set_up(f.tn->world, f.b, false);
    assert_int_equal(five_send(&f), 3 * SIM_MSEC);
    assert_int_equal(sent_on(f.tn, f.alpha_gamma, SIM_DIR_AB), 3);
    assert_int_equal(test_net_trace_count(f.tn, "beta     * NODE down"), 1);
    test_net_free(f.tn);

    /* The same topology with the first router named "zeta": gamma wins
     * the tie, in both directions. */
    five_init(&f, "zeta");
    five_send(&f);
    assert_int_equal(sent_on(f.tn, f.alpha_gamma, SIM_DIR_AB), 1);
    assert_int_equal(sent_on(f.tn, f.alpha_b, SIM_DIR_AB), 0);
    {
        SimPacket *back = test_net_udp(f.tn, "10.0.2.1", "10.0.1.1", 2000, 1000, 10);

        assert_int_equal(sim_net_send(f.tn->world, f.h2, back), SIM_OK);
        sim_world_run(f.tn->world);
        assert_int_equal(sent_on(f.tn, f.gamma_h2, SIM_DIR_BA), 1);
        assert_int_equal(sent_on(f.tn, f.b_h2, SIM_DIR_BA), 0);
    }
    test_net_free(f.tn);
}

/* With every path cut, packets follow the physical path and die on the
 * down link: no error at the sender, as on a cut cable. */
static void
test_route_partition_drops_on_link(void **state)
{
    Five f;
    SimPacket *pkt;

    (void)state;
    five_init(&f, "beta");
    assert_int_equal(sim_link_set_up(f.tn->world, f.alpha_b, SIM_DIR_BOTH, false), SIM_OK);
    assert_int_equal(sim_link_set_up(f.tn->world, f.alpha_gamma, SIM_DIR_BOTH, false), SIM_OK);
    pkt = test_net_udp(f.tn, "10.0.1.1", "10.0.2.1", 1000, 2000, 10);
    assert_int_equal(sim_net_send(f.tn->world, f.h1, pkt), SIM_OK);
    sim_world_run(f.tn->world);
    assert_int_equal(f.tn->rx->len, 0);
    assert_int_equal(test_net_trace_count(f.tn, "alpha    x beta     DROP link-down UDP"), 1);
    test_net_free(f.tn);
}

/* A chain h1 - r1 - r2 - r3 - h2: each router takes one from the TTL; the
 * one that would send it on with TTL 0 drops it and tells the source. */
static void
test_route_ttl_expiry_icmp(void **state)
{
    TestNet *tn = test_net_new(12);
    SimNodeId h1, r1, r2, r3, h2;

    (void)state;
    h1 = test_net_node(tn, "h1", SIM_NODE_HOST, "10.0.0.1", 24);
    r1 = test_net_node(tn, "r1", SIM_NODE_ROUTER, "10.0.0.254", 24);
    r2 = test_net_node(tn, "r2", SIM_NODE_ROUTER, "10.1.0.2", 24);
    r3 = test_net_node(tn, "r3", SIM_NODE_ROUTER, "10.1.0.3", 24);
    h2 = test_net_node(tn, "h2", SIM_NODE_HOST, "10.2.0.1", 24);
    test_net_link_lat(tn, h1, r1, SIM_MSEC);
    test_net_link_lat(tn, r1, r2, SIM_MSEC);
    test_net_link_lat(tn, r2, r3, SIM_MSEC);
    test_net_link_lat(tn, r3, h2, SIM_MSEC);
    for (guint8 ttl = 1; ttl <= 4; ttl++) {
        SimPacket *pkt = test_net_udp(tn, "10.0.0.1", "10.2.0.1", 1000 + ttl, 2000, 10);

        pkt->ttl = ttl;
        assert_int_equal(sim_net_send(tn->world, h1, pkt), SIM_OK);
        sim_world_run(tn->world);
    }
    /* TTL 1, 2, 3 die at r1, r2, r3; TTL 4 arrives with TTL 1. */
    assert_int_equal(test_net_rx_count(tn, h2), 1);
    assert_int_equal(test_net_rx(tn, 0)->pkt->l4.udp.sport, 1004);
    assert_int_equal(test_net_rx(tn, 0)->pkt->ttl, 1);
    assert_int_equal(tn->errs->len, 3);
    for (guint i = 0; i < 3; i++) {
        const TestErr *e = &g_array_index(tn->errs, TestErr, i);
        SimAddr want = test_addr("10.2.0.1");

        assert_int_equal(e->node, h1);
        assert_int_equal(e->icmp.error, SIM_E_TTL);
        assert_int_equal(e->icmp.type, 11);
        assert_int_equal(e->icmp.orig_proto, SIM_PROTO_UDP);
        assert_int_equal(e->icmp.orig_sport, 1001 + i);
        assert_int_equal(e->icmp.orig_dport, 2000);
        assert_true(sim_addr_equal(&e->icmp.orig_dst, &want));
    }
    assert_int_equal(test_net_trace_count(tn, "r1       x h1       DROP ttl UDP 1001 > 2000"), 1);
    assert_int_equal(test_net_trace_count(tn, "r2       x r1       DROP ttl UDP 1002 > 2000"), 1);
    assert_int_equal(
        test_net_trace_count(tn, "h1       < r1       ICMP ttl-exceeded for UDP 1003 > 2000"), 1);
    (void)r3;
    test_net_free(tn);
}

/* No route: an unknown address, an isolated node, and a node behind a host
 * (hosts never forward) give E_NETUNREACH and send nothing. */
static void
test_route_no_route(void **state)
{
    TestNet *tn = test_net_new(13);
    SimNodeId h1, h2, h3, lone;
    SimAddr a3 = test_addr("10.0.0.3");

    (void)state;
    h1 = test_net_node(tn, "h1", SIM_NODE_HOST, "10.0.0.1", 24);
    h2 = test_net_node(tn, "h2", SIM_NODE_HOST, "10.0.0.2", 24);
    h3 = test_net_node(tn, "h3", SIM_NODE_HOST, "10.0.0.3", 24);
    lone = test_net_node(tn, "lone", SIM_NODE_HOST, "10.0.9.9", 24);
    test_net_link_lat(tn, h1, h2, SIM_MSEC);
    test_net_link_lat(tn, h2, h3, SIM_MSEC);
    assert_int_equal(sim_net_send(tn->world, h1, test_net_udp(tn, "10.0.0.1", "10.7.7.7", 1, 2, 0)),
                     SIM_E_NETUNREACH);
    assert_int_equal(sim_net_send(tn->world, h1, test_net_udp(tn, "10.0.0.1", "10.0.9.9", 1, 2, 0)),
                     SIM_E_NETUNREACH);
    assert_int_equal(sim_net_send(tn->world, h1, test_net_udp(tn, "10.0.0.1", "10.0.0.3", 1, 2, 0)),
                     SIM_E_NETUNREACH);
    assert_int_equal(sim_net_hop_count(tn->world, h1, &a3), -1);
    assert_int_equal(sim_net_path_mtu(tn->world, h1, &a3), 0);
    /* The neighbour is fine. */
    assert_int_equal(sim_net_send(tn->world, h1, test_net_udp(tn, "10.0.0.1", "10.0.0.2", 1, 2, 0)),
                     SIM_OK);
    /* And h2, an endpoint of both links, reaches both. */
    assert_int_equal(sim_net_send(tn->world, h2, test_net_udp(tn, "10.0.0.2", "10.0.0.3", 1, 2, 0)),
                     SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(test_net_rx_count(tn, h2), 1);
    assert_int_equal(test_net_rx_count(tn, h3), 1);
    assert_int_equal(test_net_trace_count(tn, "h1       x 10.7.7.7 DROP no-route"), 1);
    assert_int_equal(test_net_trace_count(tn, "h1       x lone     DROP no-route"), 1);
    (void)lone;
    test_net_free(tn);
}

/* Hop counts and path MTU follow the route, in the direction travelled. */
static void
test_route_hop_count_and_path_mtu(void **state)
{
    Five f;
    SimLinkParams p;
    SimAddr h2 = test_addr("10.0.2.1"), h1 = test_addr("10.0.1.1"), lo = test_addr("127.0.0.1");
    SimAddr beta = test_addr("10.0.3.1");

    (void)state;
    five_init(&f, "beta");
    sim_link_params_init(&p);
    p.latency_ns = SIM_MSEC;
    p.mtu = 1400;
    assert_int_equal(sim_link_set_params(f.tn->world, f.alpha_b, SIM_DIR_AB, &p), SIM_OK);
    assert_int_equal(sim_net_path_mtu(f.tn->world, f.h1, &h2), 1400);
    assert_int_equal(sim_net_path_mtu(f.tn->world, f.h2, &h1), 1500);
    assert_int_equal(sim_net_hop_count(f.tn->world, f.h1, &h2), 3);
    assert_int_equal(sim_net_hop_count(f.tn->world, f.h1, &beta), 2);
    assert_int_equal(sim_net_hop_count(f.tn->world, f.h1, &h1), 0);
    assert_int_equal(sim_net_hop_count(f.tn->world, f.h1, &lo), 0);
    assert_int_equal(sim_net_path_mtu(f.tn->world, f.h1, &lo), SIM_NET_LOOPBACK_MTU);
    assert_int_equal(sim_net_hop_count(f.tn->world, f.alpha, &h2), 2);
    test_net_free(f.tn);
}

/* A star of hosts round one router needs a single route table (the
 * router's), however many pairs talk. */
static void
test_route_star_uses_one_table(void **state)
{
    TestNet *tn = test_net_new_quiet(14);
    SimNodeId r, hosts[200];
    SimNet *net;

    (void)state;
    tn->keep_rx = false;
    r = test_net_node(tn, "r", SIM_NODE_ROUTER, "10.255.255.254", 8);
    for (int i = 0; i < 200; i++) {
        char name[16], addr[32];

        g_snprintf(name, sizeof name, "h%03d", i);
        g_snprintf(addr, sizeof addr, "10.0.%d.%d", i / 200, i % 200 + 1);
        hosts[i] = test_net_node(tn, name, SIM_NODE_HOST, addr, 8);
        test_net_link_lat(tn, hosts[i], r, SIM_USEC);
    }
    for (int i = 0; i < 200; i++) {
        for (int j = 0; j < 200; j += 7) {
            char src[32], dst[32];

            if (i == j)
                continue;
            g_snprintf(src, sizeof src, "10.0.0.%d", i + 1);
            g_snprintf(dst, sizeof dst, "10.0.0.%d", j + 1);
            assert_int_equal(sim_net_send(tn->world, hosts[i], test_net_udp(tn, src, dst, 1, 2, 0)),
                             SIM_OK);
        }
    }
    sim_world_run(tn->world);
    assert_int_equal(tn->rx_total, 200 * 29 - 29);
    net = sim__net_peek(tn->world);
    assert_int_equal(net->route_computations, 1);
    test_net_free(tn);
}

/* Source address choice: the address on the destination's subnet, else
 * the one on the first hop's subnet. */
static void
test_route_source_addr(void **state)
{
    TestNet *tn = test_net_new(15);
    SimNodeId h, r, far;
    SimAddr a, src, want;

    (void)state;
    h = test_net_node(tn, "h", SIM_NODE_HOST, "192.168.5.1", 24);
    a = test_addr("10.0.0.1");
    assert_int_equal(sim_node_add_addr(tn->world, h, &a, 24), SIM_OK);
    assert_int_equal(sim_node_add_addr(tn->world, h, &a, 24), SIM_E_ADDRINUSE);
    r = test_net_node(tn, "r", SIM_NODE_ROUTER, "10.0.0.254", 24);
    far = test_net_node(tn, "far", SIM_NODE_HOST, "172.16.0.1", 16);
    test_net_link_lat(tn, h, r, 0);
    test_net_link_lat(tn, r, far, 0);
    a = test_addr("172.16.0.1");
    assert_int_equal(sim_node_source_addr(tn->world, h, &a, &src), SIM_OK);
    want = test_addr("10.0.0.1");
    assert_true(sim_addr_equal(&src, &want));
    a = test_addr("192.168.5.77");
    assert_int_equal(sim_node_source_addr(tn->world, h, &a, &src), SIM_E_NETUNREACH);
    a = test_addr("127.0.0.1");
    assert_int_equal(sim_node_source_addr(tn->world, h, &a, &src), SIM_OK);
    assert_true(sim_addr_equal(&src, &a));
    a = test_addr("::1");
    assert_int_equal(sim_node_source_addr(tn->world, h, &a, &src), SIM_OK);
    a = test_addr("2001:db8::1");
    assert_int_equal(sim_node_source_addr(tn->world, h, &a, &src), SIM_E_ADDRNOTAVAIL);
    assert_int_equal(sim_node_by_addr(tn->world, &want), h);
    assert_true(sim_node_has_addr(tn->world, h, &want));
    assert_false(sim_node_has_addr(tn->world, r, &want));
    assert_int_equal(sim_node_addr_count(tn->world, h), 2);
    assert_int_equal(sim_node_addr_prefix(tn->world, h, 1), 24);
    assert_int_equal(sim_node_lookup(tn->world, "far"), far);
    assert_string_equal(sim_node_name(tn->world, far), "far");
    assert_int_equal(sim_node_add(tn->world, "far", SIM_NODE_HOST), SIM_ID_NONE);
    assert_int_equal(sim_world_node_count(tn->world), 3);
    test_net_free(tn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_five_nodes_tie_break_and_failover),
        cmocka_unit_test(test_route_partition_drops_on_link),
        cmocka_unit_test(test_route_ttl_expiry_icmp),
        cmocka_unit_test(test_route_no_route),
        cmocka_unit_test(test_route_hop_count_and_path_mtu),
        cmocka_unit_test(test_route_star_uses_one_table),
        cmocka_unit_test(test_route_source_addr),
    };
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
