/* SPDX-License-Identifier: MIT
 * test-ip: the network layer — MTU and DF, IPv4 fragmentation and
 * reassembly (a lost fragment loses the datagram), routers fragmenting and
 * reporting "fragmentation needed", loopback and own-address delivery,
 * unregistered protocols, ICMP errors to the source's transport, multicast
 * fan-out with TTL scope and one copy per shared link, broadcast, node
 * crashes, and teardown with packets in flight. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/test-net.h"

static guint64
link_sent(TestNet *tn, SimLinkId l, SimLinkDir dir)
{
    SimLinkStats st;

    assert_int_equal(sim_link_get_stats(tn->world, l, dir, &st), SIM_OK);
    return st.sent_packets;
}

/* Two hosts and one link with MTU @mtu (and the given queue limit). */
static TestNet *
pair(guint32 mtu, guint32 queue_packets, guint64 rate, SimNodeId *a, SimNodeId *b, SimLinkId *l)
{
    TestNet *tn = test_net_new(21);
    SimLinkParams p;

    *a = test_net_node(tn, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    *b = test_net_node(tn, "b", SIM_NODE_HOST, "10.0.0.2", 24);
    {
        SimAddr a6 = test_addr("2001:db8::1"), b6 = test_addr("2001:db8::2");

        assert_int_equal(sim_node_add_addr(tn->world, *a, &a6, 64), SIM_OK);
        assert_int_equal(sim_node_add_addr(tn->world, *b, &b6, 64), SIM_OK);
    }
    sim_link_params_init(&p);
    p.mtu = mtu;
    p.latency_ns = SIM_MSEC;
    p.queue_packets = queue_packets;
    p.rate_bps = rate;
    *l = test_net_link(tn, *a, *b, &p);
    return tn;
}

/* Too big with DF: E_MSGSIZE, nothing sent.  Too big over IPv6: the source
 * fragments it (RFC 8200 §4.5), with 48-byte fragment headers. */
static void
test_ip_mtu_df_msgsize(void **state)
{
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair(1500, 0, 0, &a, &b, &l);
    SimPacket *pkt;

    (void)state;
    pkt = test_net_udp(tn, "10.0.0.1", "10.0.0.2", 1, 2, 1473); /* 1501 bytes */
    pkt->dont_frag = true;
    assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_E_MSGSIZE);
    pkt = test_net_udp(tn, "2001:db8::1", "2001:db8::2", 1, 2, 1453); /* 40 + 8 + 1453 */
    assert_int_equal(sim_packet_wire_len(pkt), 1501);
    assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK); /* 2 fragments */
    /* Exactly the MTU passes, with DF or over IPv6. */
    pkt = test_net_udp(tn, "10.0.0.1", "10.0.0.2", 1, 2, 1472);
    pkt->dont_frag = true;
    assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
    pkt = test_net_udp(tn, "2001:db8::1", "2001:db8::2", 1, 2, 1452);
    assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(link_sent(tn, l, SIM_DIR_AB), 4);
    assert_int_equal(test_net_rx_count(tn, b), 3);
    assert_int_equal(test_net_trace_count(tn, "DROP too-big"), 1);
    test_net_free(tn);
}

/* An IPv6 fragment on the wire: next header 44, then the Fragment header
 * with the offset, the M flag and the identification. */
static void
test_ip_v6_fragment_header(void **state)
{
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair(1280, 0, 0, &a, &b, &l);
    SimPacket *pkt = test_net_udp(tn, "2001:db8::1", "2001:db8::2", 1, 2, 3000);

    (void)state;
    pkt->ip_id = 0x1234;
    SimPacket *f = sim_packet_copy(tn->world, pkt);
    f->more_frags = true;
    f->frag_offset = 1232;
    f->payload_len = 1232;
    f->frag_dgram_len = 3000;
    guint8 wire[2000];
    size_t n = sim_packet_serialize(f, wire, sizeof wire);
    assert_int_equal(sim_packet_ip_header_len(f), 48);
    assert_int_equal(n, 48 + 1232);
    assert_int_equal(wire[6], 44);          /* next header: Fragment */
    assert_int_equal(wire[40], SIM_PROTO_UDP);
    assert_int_equal((wire[42] << 8) | wire[43], 1232 | 1); /* offset, M */
    assert_int_equal((wire[46] << 8) | wire[47], 0x1234);
    assert_int_equal((wire[4] << 8) | wire[5], 8 + 1232); /* payload length */
    sim_packet_unref(f);
    /* Sent whole: 3 fragments of at most 1280 bytes, reassembled. */
    assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(link_sent(tn, l, SIM_DIR_AB), 3);
    assert_int_equal(test_net_rx_count(tn, b), 1);
    test_net_free(tn);
}

/* A 4000-byte datagram over MTU 1500 goes as three fragments and arrives
 * whole, byte for byte. */
static void
test_ip_fragmentation_reassembly(void **state)
{
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair(1500, 0, 0, &a, &b, &l);
    SimPacket *pkt = test_net_udp(tn, "10.0.0.1", "10.0.0.2", 1234, 80, 4000);
    SimBuf *orig = sim_buf_ref(pkt->payload);
    const SimPacket *got;

    (void)state;
    assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
    assert_int_equal(link_sent(tn, l, SIM_DIR_AB), 3);
    /* 8 + 4000 bytes of IP payload: 1480 + 1480 + 1048. */
    assert_int_equal(test_net_trace_count(tn, "UDP 1234 > 80 len=1472 frag=0+"), 1);
    assert_int_equal(test_net_trace_count(tn, "frag=1480+"), 1);
    assert_int_equal(test_net_trace_count(tn, "frag=2960 "), 0);
    assert_int_equal(test_net_trace_count(tn, "len=1048 frag=2960"), 1);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 1);
    got = test_net_rx(tn, 0)->pkt;
    assert_int_equal(got->payload_len, 4000);
    assert_false(sim_packet_is_fragment(got));
    assert_int_equal(got->l4.udp.sport, 1234);
    assert_memory_equal(sim_packet_payload(got), orig->data, 4000);
    assert_int_equal(test_net_rx(tn, 0)->time, SIM_MSEC);
    assert_int_equal(sim_net_reasm_pending(tn->world), 0);
    sim_buf_unref(orig);
    test_net_free(tn);
}

/* With the queue holding one packet behind the transmitter, the third
 * fragment is dropped: the datagram never arrives, and the reassembly
 * timeout reports and frees the rest. */
static void
test_ip_fragment_loss_loses_datagram(void **state)
{
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair(1500, 1, 10000000, &a, &b, &l);
    SimLinkStats st;

    (void)state;
    sim_net_set_reasm_timeout(tn->world, 5 * SIM_SEC);
    assert_int_equal(
        sim_net_send(tn->world, a, test_net_udp(tn, "10.0.0.1", "10.0.0.2", 7, 9, 4000)), SIM_OK);
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(st.sent_packets, 2);
    assert_int_equal(st.queue_drops, 1);
    test_net_run_until(tn, SIM_SEC);
    assert_int_equal(sim_net_reasm_pending(tn->world), 1);
    assert_int_equal(sim_world_packets_alive(tn->world), 2);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 0);
    assert_int_equal(sim_net_reasm_pending(tn->world), 0);
    assert_int_equal(test_net_trace_count(tn, "b        < a        "), 0);
    assert_int_equal(test_net_trace_count(tn, "DROP frag UDP 7 > 9"), 1);
    assert_int_equal(test_net_trace_count(tn, "   5.002200000 b        x a        DROP frag"), 1);
    test_net_free(tn);
}

/* A router fragments for a smaller next link; with DF it drops the packet
 * and sends "fragmentation needed" with the MTU back to the source. */
static void
test_ip_router_fragments_or_reports(void **state)
{
    TestNet *tn = test_net_new(22);
    SimNodeId h1, r, h2;
    SimLinkParams p;
    SimPacket *pkt;
    const TestErr *e;

    (void)state;
    h1 = test_net_node(tn, "h1", SIM_NODE_HOST, "10.0.0.1", 24);
    r = test_net_node(tn, "r", SIM_NODE_ROUTER, "10.0.0.254", 24);
    h2 = test_net_node(tn, "h2", SIM_NODE_HOST, "10.0.1.1", 24);
    test_net_link_lat(tn, h1, r, SIM_MSEC);
    sim_link_params_init(&p);
    p.latency_ns = SIM_MSEC;
    p.mtu = 576;
    test_net_link(tn, r, h2, &p);
    {
        SimAddr d = test_addr("10.0.1.1");

        assert_int_equal(sim_net_path_mtu(tn->world, h1, &d), 576);
    }
    pkt = test_net_udp(tn, "10.0.0.1", "10.0.1.1", 5, 6, 1400);
    assert_int_equal(sim_net_send(tn->world, h1, pkt), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(test_net_rx_count(tn, h2), 1);
    assert_int_equal(test_net_rx(tn, 0)->pkt->payload_len, 1400);
    /* 1408 bytes of IP payload in 552-byte pieces: 3 fragments. */
    assert_int_equal(test_net_trace_count(tn, "r        > h2       UDP 5 > 6"), 3);

    pkt = test_net_udp(tn, "10.0.0.1", "10.0.1.1", 5, 6, 1400);
    pkt->dont_frag = true;
    assert_int_equal(sim_net_send(tn->world, h1, pkt), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(test_net_rx_count(tn, h2), 1);
    assert_int_equal(tn->errs->len, 1);
    e = &g_array_index(tn->errs, TestErr, 0);
    assert_int_equal(e->node, h1);
    assert_int_equal(e->icmp.error, SIM_E_MSGSIZE);
    assert_int_equal(e->icmp.type, 3);
    assert_int_equal(e->icmp.code, 4);
    assert_int_equal(e->icmp.mtu, 576);
    assert_int_equal(test_net_trace_count(tn, "ICMP frag-needed mtu=576 for UDP 5 > 6"), 2);
    test_net_free(tn);
}

/* Loopback and own addresses: delivered as an event at the current time,
 * never on a link; a node that is down delivers nothing. */
static void
test_ip_loopback_and_own_address(void **state)
{
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair(1500, 0, 0, &a, &b, &l);

    (void)state;
    assert_int_equal(
        sim_net_send(tn->world, a, test_net_udp(tn, "127.0.0.1", "127.0.0.1", 1, 2, 10)), SIM_OK);
    assert_int_equal(sim_net_send(tn->world, a, test_net_udp(tn, "::1", "::1", 1, 2, 10)), SIM_OK);
    assert_int_equal(sim_net_send(tn->world, a, test_net_udp(tn, "10.0.0.1", "10.0.0.1", 1, 2, 10)),
                     SIM_OK);
    /* Not synchronously. */
    assert_int_equal(tn->rx->len, 0);
    sim_world_run(tn->world);
    assert_int_equal(test_net_rx_count(tn, a), 3);
    assert_int_equal(test_net_rx(tn, 0)->time, 0);
    assert_int_equal(link_sent(tn, l, SIM_DIR_AB), 0);
    assert_int_equal(test_net_trace_count(tn, "a        < a        UDP 1 > 2 len=10"), 3);
    /* Every node owns the loopback addresses. */
    {
        SimAddr lo = test_addr("127.0.0.1");

        assert_true(sim_node_has_addr(tn->world, b, &lo));
        assert_int_equal(sim_node_by_addr(tn->world, &lo), SIM_ID_NONE);
    }
    /* A down node neither sends nor receives. */
    sim_node_set_up(tn->world, b, false);
    assert_int_equal(sim_net_send(tn->world, b, test_net_udp(tn, "10.0.0.2", "10.0.0.1", 1, 2, 0)),
                     SIM_E_NETDOWN);
    assert_int_equal(sim_net_send(tn->world, a, test_net_udp(tn, "10.0.0.1", "10.0.0.2", 1, 2, 0)),
                     SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(test_net_rx_count(tn, b), 0);
    assert_int_equal(test_net_trace_count(tn, "b        x a        DROP node-down"), 1);
    assert_false(sim_node_is_up(tn->world, b));
    test_net_free(tn);
}

static int hook_calls;
static void
hook(SimWorld *world, SimNodeId node, bool up, void *data)
{
    (void)world;
    hook_calls += (int)node * (up ? 10 : 1) * GPOINTER_TO_INT(data);
}

/* State hooks run on every change, in order; per-node proto data is kept
 * and destroyed at world free. */
static void
test_ip_node_hooks_and_proto_data(void **state)
{
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair(1500, 0, 0, &a, &b, &l);

    (void)state;
    hook_calls = 0;
    sim_node_add_state_hook(tn->world, hook, GINT_TO_POINTER(1));
    sim_node_set_up(tn->world, b, false);
    sim_node_set_up(tn->world, b, false); /* no change, no call */
    sim_node_set_up(tn->world, b, true);
    assert_int_equal(hook_calls, 2 * 1 + 2 * 10);
    sim_node_set_proto_data(tn->world, a, SIM_PROTO_UDP, g_strdup("udp"), g_free);
    sim_node_set_proto_data(tn->world, a, SIM_PROTO_TCP, g_strdup("tcp"), g_free);
    sim_node_set_proto_data(tn->world, a, SIM_PROTO_UDP, g_strdup("udp2"), g_free);
    assert_string_equal(sim_node_get_proto_data(tn->world, a, SIM_PROTO_UDP), "udp2");
    assert_string_equal(sim_node_get_proto_data(tn->world, a, SIM_PROTO_TCP), "tcp");
    assert_null(sim_node_get_proto_data(tn->world, b, SIM_PROTO_TCP));
    test_net_free(tn); /* valgrind/ASan check the destroys */
}

/* Packets of a protocol nobody registered are dropped at the destination;
 * ICMP errors reach the registered error input of the original protocol. */
static void
test_ip_unregistered_proto_and_icmp_error(void **state)
{
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair(1500, 0, 0, &a, &b, &l);
    SimPacket *pkt = sim_packet_new(tn->world, 99);
    const TestErr *e;

    (void)state;
    pkt->src = test_addr("10.0.0.1");
    pkt->dst = test_addr("10.0.0.2");
    assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 0);
    assert_int_equal(test_net_trace_count(tn, "b        x a        DROP no-listener IP proto=99"),
                     1);

    /* b answers a datagram with port unreachable, from the address it was
     * sent to, as UDP does; over IPv6 too. */
    pkt = test_net_udp(tn, "10.0.0.1", "10.0.0.2", 3333, 4444, 5);
    assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 1);
    sim_net_send_icmp_error(tn->world, b, test_net_rx(tn, 0)->pkt, SIM_E_PORTUNREACH);
    pkt = test_net_udp(tn, "2001:db8::1", "2001:db8::2", 5555, 6666, 5);
    assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 2);
    sim_net_send_icmp_error(tn->world, b, test_net_rx(tn, 1)->pkt, SIM_E_PORTUNREACH);
    /* Never about an ICMP error, nor about a multicast packet. */
    sim_world_run(tn->world);
    assert_int_equal(tn->errs->len, 2);
    e = &g_array_index(tn->errs, TestErr, 0);
    assert_int_equal(e->node, a);
    assert_int_equal(e->icmp.error, SIM_E_PORTUNREACH);
    assert_int_equal(e->icmp.type, 3);
    assert_int_equal(e->icmp.code, 3);
    assert_int_equal(e->icmp.orig_sport, 3333);
    assert_int_equal(e->icmp.orig_dport, 4444);
    e = &g_array_index(tn->errs, TestErr, 1);
    assert_int_equal(e->icmp.type, 1);
    assert_int_equal(e->icmp.code, 4);
    assert_int_equal(e->icmp.orig_sport, 5555);
    assert_int_equal(
        test_net_trace_count(tn, "a        < b        ICMP port-unreachable for UDP 3333 > 4444"),
        1);
    assert_int_equal(
        test_net_trace_count(tn, "a        < b        ICMP6 port-unreachable for UDP 5555 > 6666"),
        1);
    test_net_free(tn);
}

/*
 * Multicast tree:   s - r1 - r2 - m1
 *                        |     \- m2
 *                        |- m3   \- x (not a member)
 * s to the group reaches members within the TTL, once each, with one copy
 * on each link of the tree.
 */
typedef struct {
    TestNet *tn;
    SimNodeId s, r1, r2, m1, m2, m3, x;
    SimLinkId s_r1, r1_r2, r2_m1, r2_m2, r1_m3, r2_x;
} Tree;

static void
tree_init(Tree *t)
{
    SimAddr g = test_addr("239.1.2.3");

    t->tn = test_net_new(23);
    t->s = test_net_node(t->tn, "s", SIM_NODE_HOST, "10.0.0.1", 24);
    t->r1 = test_net_node(t->tn, "r1", SIM_NODE_ROUTER, "10.0.0.254", 24);
    t->r2 = test_net_node(t->tn, "r2", SIM_NODE_ROUTER, "10.0.1.254", 24);
    t->m1 = test_net_node(t->tn, "m1", SIM_NODE_HOST, "10.0.1.1", 24);
    t->m2 = test_net_node(t->tn, "m2", SIM_NODE_HOST, "10.0.1.2", 24);
    t->m3 = test_net_node(t->tn, "m3", SIM_NODE_HOST, "10.0.0.3", 24);
    t->x = test_net_node(t->tn, "x", SIM_NODE_HOST, "10.0.1.9", 24);
    t->s_r1 = test_net_link_lat(t->tn, t->s, t->r1, SIM_MSEC);
    t->r1_r2 = test_net_link_lat(t->tn, t->r1, t->r2, SIM_MSEC);
    t->r2_m1 = test_net_link_lat(t->tn, t->r2, t->m1, SIM_MSEC);
    t->r2_m2 = test_net_link_lat(t->tn, t->r2, t->m2, SIM_MSEC);
    t->r1_m3 = test_net_link_lat(t->tn, t->r1, t->m3, SIM_MSEC);
    t->r2_x = test_net_link_lat(t->tn, t->r2, t->x, SIM_MSEC);
    assert_int_equal(sim_node_join_group(t->tn->world, t->m1, &g), SIM_OK);
    assert_int_equal(sim_node_join_group(t->tn->world, t->m2, &g), SIM_OK);
    assert_int_equal(sim_node_join_group(t->tn->world, t->m3, &g), SIM_OK);
    assert_int_equal(sim_node_join_group(t->tn->world, t->s, &g), SIM_OK);
}

static void
tree_send(Tree *t, guint8 ttl)
{
    SimPacket *pkt = test_net_udp(t->tn, "10.0.0.1", "239.1.2.3", 4000, 5000, 100);

    pkt->ttl = ttl;
    test_net_rx_clear(t->tn);
    assert_int_equal(sim_net_send(t->tn->world, t->s, pkt), SIM_OK);
    sim_world_run(t->tn->world);
}

static void
test_ip_multicast_fanout_ttl_scope(void **state)
{
    Tree t;
    SimAddr g = test_addr("239.1.2.3");

    (void)state;
    tree_init(&t);
    assert_true(sim_node_in_group(t.tn->world, t.m1, &g));
    assert_false(sim_node_in_group(t.tn->world, t.x, &g));

    /* TTL 3 reaches every member, once; the sender is not one of them. */
    tree_send(&t, 3);
    assert_int_equal(t.tn->rx->len, 3);
    assert_int_equal(test_net_rx_count(t.tn, t.m1), 1);
    assert_int_equal(test_net_rx_count(t.tn, t.m2), 1);
    assert_int_equal(test_net_rx_count(t.tn, t.m3), 1);
    assert_int_equal(test_net_rx_count(t.tn, t.s), 0);
    assert_int_equal(test_net_rx_count(t.tn, t.x), 0);
    /* One copy on each tree link; none toward the non-member. */
    assert_int_equal(link_sent(t.tn, t.s_r1, SIM_DIR_AB), 1);
    assert_int_equal(link_sent(t.tn, t.r1_r2, SIM_DIR_AB), 1);
    assert_int_equal(link_sent(t.tn, t.r2_m1, SIM_DIR_AB), 1);
    assert_int_equal(link_sent(t.tn, t.r2_m2, SIM_DIR_AB), 1);
    assert_int_equal(link_sent(t.tn, t.r1_m3, SIM_DIR_AB), 1);
    assert_int_equal(link_sent(t.tn, t.r2_x, SIM_DIR_AB), 0);
    /* m1 and m2 are three hops away, m3 two. */
    for (guint i = 0; i < t.tn->rx->len; i++) {
        const TestRx *rx = test_net_rx(t.tn, i);

        assert_int_equal(rx->time, rx->node == t.m3 ? 2 * SIM_MSEC : 3 * SIM_MSEC);
        assert_int_equal(rx->pkt->ttl, rx->node == t.m3 ? 2 : 1);
    }
    assert_int_equal(test_net_trace_count(t.tn, "to 239.1.2.3"), 12);

    /* TTL 2: only m3; the tree stops at r1. */
    tree_send(&t, 2);
    assert_int_equal(t.tn->rx->len, 1);
    assert_int_equal(test_net_rx_count(t.tn, t.m3), 1);
    assert_int_equal(link_sent(t.tn, t.r1_r2, SIM_DIR_AB), 1);

    /* TTL 1: no member is a neighbour of s, nothing leaves; TTL 0 neither. */
    tree_send(&t, 1);
    tree_send(&t, 0);
    assert_int_equal(t.tn->rx->len, 0);
    assert_int_equal(link_sent(t.tn, t.s_r1, SIM_DIR_AB), 2);

    /* m1 leaves: r2 - m1 carries nothing more. */
    assert_int_equal(sim_node_leave_group(t.tn->world, t.m1, &g), SIM_OK);
    assert_int_equal(sim_node_leave_group(t.tn->world, t.m1, &g), SIM_E_ADDRNOTAVAIL);
    assert_int_equal(sim_node_join_group(t.tn->world, t.m1, &(SimAddr){0}), SIM_E_INVAL);
    tree_send(&t, 8);
    assert_int_equal(t.tn->rx->len, 2);
    assert_int_equal(link_sent(t.tn, t.r2_m1, SIM_DIR_AB), 1);
    assert_int_equal(link_sent(t.tn, t.r2_m2, SIM_DIR_AB), 2);
    test_net_free(t.tn);
}

/* Memberships are counted; two joins need two leaves. */
static void
test_ip_multicast_membership_counted(void **state)
{
    Tree t;
    SimAddr g = test_addr("239.1.2.3");

    (void)state;
    tree_init(&t);
    assert_int_equal(sim_node_join_group(t.tn->world, t.m3, &g), SIM_OK);
    assert_int_equal(sim_node_leave_group(t.tn->world, t.m3, &g), SIM_OK);
    assert_true(sim_node_in_group(t.tn->world, t.m3, &g));
    assert_int_equal(sim_node_leave_group(t.tn->world, t.m3, &g), SIM_OK);
    assert_false(sim_node_in_group(t.tn->world, t.m3, &g));
    test_net_free(t.tn);
}

/* Diamond: s - r1, r1 - ra, r1 - rb, ra - r2, rb - r2, r2 - {m1, m2}: equal
 * paths through ra and rb; the tree uses one, so r2 receives one copy and
 * each member one datagram. */
static void
test_ip_multicast_no_duplicates(void **state)
{
    TestNet *tn = test_net_new(24);
    SimNodeId s, r1, ra, rb, r2, m1, m2;
    SimLinkId r1_ra, r1_rb;
    SimAddr g = test_addr("ff0e::1");

    (void)state;
    s = test_net_node(tn, "s", SIM_NODE_HOST, "2001:db8::1", 64);
    r1 = test_net_node(tn, "r1", SIM_NODE_ROUTER, NULL, 0);
    ra = test_net_node(tn, "ra", SIM_NODE_ROUTER, NULL, 0);
    rb = test_net_node(tn, "rb", SIM_NODE_ROUTER, NULL, 0);
    r2 = test_net_node(tn, "r2", SIM_NODE_ROUTER, NULL, 0);
    m1 = test_net_node(tn, "m1", SIM_NODE_HOST, "2001:db8:1::1", 64);
    m2 = test_net_node(tn, "m2", SIM_NODE_HOST, "2001:db8:1::2", 64);
    test_net_link_lat(tn, s, r1, SIM_MSEC);
    r1_ra = test_net_link_lat(tn, r1, ra, SIM_MSEC);
    r1_rb = test_net_link_lat(tn, r1, rb, SIM_MSEC);
    test_net_link_lat(tn, ra, r2, SIM_MSEC);
    test_net_link_lat(tn, rb, r2, SIM_MSEC);
    test_net_link_lat(tn, r2, m1, SIM_MSEC);
    test_net_link_lat(tn, r2, m2, SIM_MSEC);
    assert_int_equal(sim_node_join_group(tn->world, m1, &g), SIM_OK);
    assert_int_equal(sim_node_join_group(tn->world, m2, &g), SIM_OK);
    {
        SimPacket *pkt = test_net_udp(tn, "2001:db8::1", "ff0e::1", 1, 2, 50);

        pkt->ttl = 16;
        assert_int_equal(sim_net_send(tn->world, s, pkt), SIM_OK);
    }
    sim_world_run(tn->world);
    assert_int_equal(test_net_rx_count(tn, m1), 1);
    assert_int_equal(test_net_rx_count(tn, m2), 1);
    assert_int_equal(link_sent(tn, r1_ra, SIM_DIR_AB) + link_sent(tn, r1_rb, SIM_DIR_AB), 1);
    assert_int_equal(link_sent(tn, r1_ra, SIM_DIR_AB), 1); /* "ra" < "rb" */
    test_net_free(tn);
}

/*
 * Broadcast: a /24 of a, b, c behind router r (10.0.0.254), and d on
 * 10.0.1.0/24.  255.255.255.255 and 10.0.0.255 reach b, c and r (the
 * subnet's other nodes), not d, and not the sender.
 */
static void
test_ip_broadcast(void **state)
{
    TestNet *tn = test_net_new(25);
    SimNodeId a, b, c, r, d;
    static const char *const dsts[] = {"255.255.255.255", "10.0.0.255"};

    (void)state;
    a = test_net_node(tn, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    b = test_net_node(tn, "b", SIM_NODE_HOST, "10.0.0.2", 24);
    c = test_net_node(tn, "c", SIM_NODE_HOST, "10.0.0.3", 24);
    r = test_net_node(tn, "r", SIM_NODE_ROUTER, "10.0.0.254", 24);
    d = test_net_node(tn, "d", SIM_NODE_HOST, "10.0.1.1", 24);
    test_net_link_lat(tn, a, r, SIM_MSEC);
    test_net_link_lat(tn, b, r, SIM_MSEC);
    test_net_link_lat(tn, c, r, SIM_MSEC);
    test_net_link_lat(tn, d, r, SIM_MSEC);
    {
        SimAddr x = test_addr("10.0.0.255"), y = test_addr("10.0.1.255");

        assert_true(sim_node_is_broadcast_addr(tn->world, a, &x));
        assert_false(sim_node_is_broadcast_addr(tn->world, a, &y));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(dsts); i++) {
        SimPacket *pkt = test_net_udp(tn, "10.0.0.1", dsts[i], 67, 68, 20);

        test_net_rx_clear(tn);
        assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
        sim_world_run(tn->world);
        assert_int_equal(tn->rx->len, 3);
        assert_int_equal(test_net_rx_count(tn, b), 1);
        assert_int_equal(test_net_rx_count(tn, c), 1);
        assert_int_equal(test_net_rx_count(tn, r), 1);
        assert_int_equal(test_net_rx_count(tn, d), 0);
        assert_int_equal(test_net_rx_count(tn, a), 0);
    }
    /* A directed broadcast to another subnet is not forwarded. */
    assert_int_equal(
        sim_net_send(tn->world, a, test_net_udp(tn, "10.0.0.1", "10.0.1.255", 1, 2, 0)),
        SIM_E_NETUNREACH);
    test_net_free(tn);
}

/* Freeing a world with packets queued, in flight and half reassembled
 * leaks nothing (valgrind and ASan builds check). */
static void
test_ip_teardown_midflight(void **state)
{
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair(1500, 1, 1000000, &a, &b, &l);

    (void)state;
    for (int i = 0; i < 5; i++)
        (void)sim_net_send(tn->world, a, test_net_udp(tn, "10.0.0.1", "10.0.0.2", 1, 2, 3000));
    test_net_run_until(tn, 30 * SIM_MSEC);
    assert_true(sim_world_packets_alive(tn->world) > 0);
    assert_true(sim_net_reasm_pending(tn->world) > 0);
    sim_world_free(tn->world);
    tn->world = NULL;
    g_array_free(tn->rx, TRUE);
    g_array_free(tn->errs, TRUE);
    g_string_free(tn->trace, TRUE);
    g_free(tn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ip_mtu_df_msgsize),
        cmocka_unit_test(test_ip_v6_fragment_header),
        cmocka_unit_test(test_ip_fragmentation_reassembly),
        cmocka_unit_test(test_ip_fragment_loss_loses_datagram),
        cmocka_unit_test(test_ip_router_fragments_or_reports),
        cmocka_unit_test(test_ip_loopback_and_own_address),
        cmocka_unit_test(test_ip_node_hooks_and_proto_data),
        cmocka_unit_test(test_ip_unregistered_proto_and_icmp_error),
        cmocka_unit_test(test_ip_multicast_fanout_ttl_scope),
        cmocka_unit_test(test_ip_multicast_membership_counted),
        cmocka_unit_test(test_ip_multicast_no_duplicates),
        cmocka_unit_test(test_ip_broadcast),
        cmocka_unit_test(test_ip_teardown_midflight),
    };
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("ip", tests, NULL, NULL);
}
