/* SPDX-License-Identifier: MIT
 * test-qos: per-flow QoS in sim/ (issue 7) — the token bucket in its three
 * modes, MaxSduSize and MinimumPolicedSize, the peak rate, the links'
 * priority class under a saturating best-effort load, admission control over
 * one and several hops, release on free, re-checks on link-rate and up/down
 * changes, SERVICETYPE_NOTRAFFIC, the route helper, and the pacer of
 * QOS_SHAPING_RATE in each mode. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers/test-net.h"

/* UDP headers: 20 (IPv4) + 8. */
#define HDR 28u

static TestNet *
pair_new(const SimLinkParams *p, SimNodeId *a, SimNodeId *b, SimLinkId *l)
{
    TestNet *tn = test_net_new(7);

    *a = test_net_node(tn, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    *b = test_net_node(tn, "b", SIM_NODE_HOST, "10.0.0.2", 24);
    *l = test_net_link(tn, *a, *b, p);
    return tn;
}

static SimSockAddr
sa(const char *addr, guint16 port)
{
    SimSockAddr s = {.addr = test_addr(addr), .port = port};

    return s;
}

static SimQosFlowId
flow_new(TestNet *tn, SimNodeId node, const SimQosSpec *spec, guint16 lport, const char *dst,
         guint16 rport, SimQosState want)
{
    SimQosFlowId f = sim_qos_flow_new(tn->world, node, SIM_PROTO_UDP, spec);
    SimSockAddr local = sa("0.0.0.0", lport), remote = sa(dst, rport);

    assert_int_not_equal(f, 0);
    assert_int_equal(sim_qos_flow_set_filter(tn->world, f, &local, &remote), want);
    return f;
}

static void
send_udp(TestNet *tn, SimNodeId from, guint16 sport, guint16 dport, guint32 payload)
{
    SimPacket *pkt = test_net_udp(tn, "10.0.0.1", "10.0.0.2", sport, dport, payload);

    assert_int_equal(sim_net_send(tn->world, from, pkt), SIM_OK);
}

static void
spec_bucket(SimQosSpec *s, SimQosService svc, guint64 rate, guint64 bucket, SimQosMode mode)
{
    sim_qos_spec_init(s);
    s->service = svc;
    s->token_rate = rate;
    s->bucket_bytes = bucket;
    s->mode = mode;
}

/* Shape: 10,000 B/s, bucket 1,000: two 500-byte packets go at once, the
 * rest one every 50 ms, in order; nothing is lost. */
static void
test_qos_shape_token_bucket(void **state)
{
    SimQosSpec s;
    SimQosFlowStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair_new(NULL, &a, &b, &l);
    SimQosFlowId f;

    (void)state;
    spec_bucket(&s, SIM_QOS_BEST_EFFORT, 10000, 1000, SIM_QOS_MODE_SHAPE);
    f = flow_new(tn, a, &s, 1000, "10.0.0.2", 2000, SIM_QOS_STATE_IDLE);
    for (int i = 0; i < 10; i++)
        send_udp(tn, a, 1000, 2000, 500 - HDR);
    /* Another port is not part of the flow: it goes at once. */
    send_udp(tn, a, 1001, 2000, 500 - HDR);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 11);
    assert_int_equal(test_net_rx(tn, 0)->time, 0);
    assert_int_equal(test_net_rx(tn, 1)->time, 0);
    assert_int_equal(test_net_rx(tn, 2)->pkt->l4.udp.sport, 1001);
    for (guint i = 3; i < 11; i++)
        assert_int_equal(test_net_rx(tn, i)->time, (SimTime)(i - 2) * 50 * SIM_MSEC);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.conforming, 2);
    assert_int_equal(st.shaped, 8);
    assert_int_equal(st.discarded, 0);
    assert_int_equal(st.held, 0);
    assert_int_equal(st.bytes, 5000);
    assert_int_equal(test_net_rx(tn, 3)->pkt->flow_id, f);
    sim_qos_flow_free(tn->world, f);
    assert_false(sim_qos_flow_exists(tn->world, f));
    test_net_free(tn);
}

/* Discard drops what does not conform (traced as a shaper drop); borrow
 * sends it at once in the best-effort class. */
static void
test_qos_discard_and_borrow(void **state)
{
    SimQosSpec s;
    SimQosFlowStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair_new(NULL, &a, &b, &l);
    SimQosFlowId f;

    (void)state;
    spec_bucket(&s, SIM_QOS_GUARANTEED, 10000, 1000, SIM_QOS_MODE_DISCARD);
    f = flow_new(tn, a, &s, 1000, "10.0.0.2", 2000, SIM_QOS_STATE_ADMITTED);
    for (int i = 0; i < 5; i++)
        send_udp(tn, a, 1000, 2000, 500 - HDR);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 2);
    assert_int_equal(test_net_rx(tn, 0)->pkt->service_class, SIM_QOS_GUARANTEED);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.discarded, 3);
    assert_int_equal(test_net_trace_count(tn, "DROP shaper"), 3);

    /* Renegotiate to borrow: the bucket starts full again. */
    test_net_rx_clear(tn);
    s.mode = SIM_QOS_MODE_BORROW;
    assert_int_equal(sim_qos_flow_set_spec(tn->world, f, &s), SIM_QOS_STATE_ADMITTED);
    for (int i = 0; i < 5; i++)
        send_udp(tn, a, 1000, 2000, 500 - HDR);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 5);
    assert_int_equal(test_net_rx(tn, 1)->pkt->service_class, SIM_QOS_GUARANTEED);
    assert_int_equal(test_net_rx(tn, 2)->pkt->service_class, SIM_QOS_BEST_EFFORT);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.demoted, 3);
    test_net_free(tn);
}

/* MaxSduSize: larger packets never conform (dropped when shaping, demoted
 * when borrowing); MinimumPolicedSize: small packets pay for that size. */
static void
test_qos_sdu_limits(void **state)
{
    SimQosSpec s;
    SimQosFlowStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair_new(NULL, &a, &b, &l);
    SimQosFlowId f;

    (void)state;
    spec_bucket(&s, SIM_QOS_BEST_EFFORT, 10000, 1000, SIM_QOS_MODE_SHAPE);
    s.max_sdu = 400;
    s.min_policed = 250;
    f = flow_new(tn, a, &s, 1000, "10.0.0.2", 2000, SIM_QOS_STATE_IDLE);
    send_udp(tn, a, 1000, 2000, 401 - HDR); /* too big: dropped */
    for (int i = 0; i < 5; i++)
        send_udp(tn, a, 1000, 2000, 100 - HDR); /* 100 bytes, policed as 250 */
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 5);
    /* Bucket 1000 = four packets of 250; the fifth waits 25 ms. */
    assert_int_equal(test_net_rx(tn, 3)->time, 0);
    assert_int_equal(test_net_rx(tn, 4)->time, 25 * SIM_MSEC);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.discarded, 1);
    test_net_free(tn);
}

/* PeakBandwidth: even with a full bucket, packets leave no faster than the
 * peak rate (500 bytes at 50,000 B/s: 10 ms apart). */
static void
test_qos_peak_rate(void **state)
{
    SimQosSpec s;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair_new(NULL, &a, &b, &l);

    (void)state;
    spec_bucket(&s, SIM_QOS_BEST_EFFORT, 10000, 10000, SIM_QOS_MODE_SHAPE);
    s.peak_rate = 50000;
    flow_new(tn, a, &s, 1000, "10.0.0.2", 2000, SIM_QOS_STATE_IDLE);
    for (int i = 0; i < 4; i++)
        send_udp(tn, a, 1000, 2000, 500 - HDR);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 4);
    for (guint i = 0; i < 4; i++)
        assert_int_equal(test_net_rx(tn, i)->time, (SimTime)i * 10 * SIM_MSEC);
    test_net_free(tn);
}

/* The priority class: a 1 Mbit/s link with 200 best-effort packets of 1500
 * bytes queued (2.4 s of backlog); a guaranteed packet overtakes them and
 * waits only for the packet on the wire; best-effort packets sent later
 * start after it.  Without a reservation the same packet waits 2.4 s. */
static void
test_qos_priority_class_bounds_delay(void **state)
{
    SimLinkParams p;
    SimQosSpec s;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;
    SimQosFlowId f;
    SimTime gu_time = 0, last_be = 0;

    (void)state;
    sim_link_params_init(&p);
    p.rate_bps = 1000000;
    tn = pair_new(&p, &a, &b, &l);
    spec_bucket(&s, SIM_QOS_GUARANTEED, 8000, 400, SIM_QOS_MODE_SHAPE);
    f = flow_new(tn, a, &s, 5004, "10.0.0.2", 5004, SIM_QOS_STATE_ADMITTED);
    assert_int_equal(sim_qos_link_reserved_bps(tn->world, l, SIM_DIR_AB), 64000);
    assert_int_equal(sim_qos_link_reserved_bps(tn->world, l, SIM_DIR_BA), 0);
    for (int i = 0; i < 200; i++)
        send_udp(tn, a, 9, 9, 1500 - HDR);
    test_net_run_until(tn, 5 * SIM_MSEC); /* first packet on the wire until 12 ms */
    send_udp(tn, a, 5004, 5004, 200 - HDR);
    send_udp(tn, a, 9, 9, 1500 - HDR);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 202);
    for (guint i = 0; i < tn->rx->len; i++) {
        const TestRx *rx = test_net_rx(tn, i);

        if (rx->pkt->l4.udp.sport == 5004)
            gu_time = rx->time;
        else
            last_be = MAX(last_be, rx->time);
    }
    /* 12 ms (the packet on the wire) + 1.6 ms (its own 200 bytes). */
    assert_int_equal(gu_time, 12 * SIM_MSEC + 1600 * SIM_USEC);
    /* 201 best-effort packets + the guaranteed one: the link's rate holds. */
    assert_int_equal(last_be, 201 * 12 * SIM_MSEC + 1600 * SIM_USEC);
    assert_int_equal(test_net_trace_count(tn, "prio"), 1);

    /* The reservation removed: the same packet queues behind everything. */
    sim_qos_flow_free(tn->world, f);
    assert_int_equal(sim_qos_link_reserved_bps(tn->world, l, SIM_DIR_AB), 0);
    test_net_rx_clear(tn);
    {
        SimTime t0 = sim_world_now(tn->world);

        for (int i = 0; i < 200; i++)
            send_udp(tn, a, 9, 9, 1500 - HDR);
        send_udp(tn, a, 5004, 5004, 200 - HDR);
        sim_world_run(tn->world);
        assert_int_equal(test_net_rx(tn, 200)->pkt->l4.udp.sport, 5004);
        assert_int_equal(test_net_rx(tn, 200)->time - t0, 200 * 12 * SIM_MSEC + 1600 * SIM_USEC);
    }
    test_net_free(tn);
}

/* Admission: 400 kbit/s each on a 1 Mbit/s link: two fit, the third is
 * refused; freeing one does not admit the third until a re-check (a link
 * change); a rate cut evicts the newest first. */
static void
test_qos_admission_refuses_oversubscription(void **state)
{
    SimLinkParams p;
    SimQosSpec s;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;
    SimQosFlowId f1, f2, f3;

    (void)state;
    sim_link_params_init(&p);
    p.rate_bps = 1000000;
    tn = pair_new(&p, &a, &b, &l);
    spec_bucket(&s, SIM_QOS_CONTROLLED_LOAD, 50000, 3000, SIM_QOS_MODE_SHAPE);
    f1 = flow_new(tn, a, &s, 1001, "10.0.0.2", 2000, SIM_QOS_STATE_ADMITTED);
    f2 = flow_new(tn, a, &s, 1002, "10.0.0.2", 2000, SIM_QOS_STATE_ADMITTED);
    f3 = flow_new(tn, a, &s, 1003, "10.0.0.2", 2000, SIM_QOS_STATE_REFUSED);
    assert_int_equal(sim_qos_link_reserved_bps(tn->world, l, SIM_DIR_AB), 800000);
    /* The refused flow's packets go best effort. */
    send_udp(tn, a, 1003, 2000, 100);
    sim_world_run(tn->world);
    assert_int_equal(test_net_rx(tn, 0)->pkt->service_class, SIM_QOS_BEST_EFFORT);

    sim_qos_flow_free(tn->world, f1);
    assert_int_equal(sim_qos_flow_state(tn->world, f3), SIM_QOS_STATE_REFUSED);
    p.rate_bps = 2000000;
    assert_int_equal(sim_link_set_params(tn->world, l, SIM_DIR_BOTH, &p), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(sim_qos_flow_state(tn->world, f3), SIM_QOS_STATE_ADMITTED);
    p.rate_bps = 500000;
    assert_int_equal(sim_link_set_params(tn->world, l, SIM_DIR_BOTH, &p), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(sim_qos_flow_state(tn->world, f2), SIM_QOS_STATE_ADMITTED);
    assert_int_equal(sim_qos_flow_state(tn->world, f3), SIM_QOS_STATE_REFUSED);

    /* A reservable share below 100 %. */
    sim_qos_set_reservable_ppm(tn->world, 500000);
    p.rate_bps = 1000000;
    assert_int_equal(sim_link_set_params(tn->world, l, SIM_DIR_BOTH, &p), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(sim_qos_flow_state(tn->world, f2), SIM_QOS_STATE_ADMITTED);
    assert_int_equal(sim_qos_flow_state(tn->world, f3), SIM_QOS_STATE_REFUSED);
    test_net_free(tn);
}

typedef struct {
    int calls;
    SimQosFlowId flow;
    SimQosState state;
} NotifyLog;

static void
on_notify(SimWorld *world, SimQosFlowId flow, SimQosState st, void *data)
{
    NotifyLog *log = data;

    (void)world;
    log->calls++;
    log->flow = flow;
    log->state = st;
}

/* Multi-hop: a - r - b reserves on both links (in the direction
 * travelled); a link going down re-checks (no route) and notifies, coming
 * back admits again. */
static void
test_qos_multihop_and_route_change(void **state)
{
    SimLinkParams p;
    SimQosSpec s;
    SimNetHop hops[4];
    NotifyLog log = {0};
    TestNet *tn = test_net_new(3);
    SimNodeId a, r, b;
    SimLinkId l1, l2;
    SimQosFlowId f;

    (void)state;
    sim_link_params_init(&p);
    p.rate_bps = 1000000;
    a = test_net_node(tn, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    r = test_net_node(tn, "r", SIM_NODE_ROUTER, NULL, 0);
    b = test_net_node(tn, "b", SIM_NODE_HOST, "10.0.1.2", 24);
    l1 = test_net_link(tn, a, r, &p);
    l2 = test_net_link(tn, b, r, &p);
    assert_int_equal(sim_net_route_links(tn->world, a, &(SimAddr){0}, hops, 4), -1);
    {
        SimAddr dst = test_addr("10.0.1.2");

        assert_int_equal(sim_net_route_links(tn->world, a, &dst, hops, 4), 2);
        assert_int_equal(hops[0].link, l1);
        assert_int_equal(hops[0].dir, SIM_DIR_AB);
        assert_int_equal(hops[1].link, l2);
        assert_int_equal(hops[1].dir, SIM_DIR_BA);
        assert_int_equal(sim_net_route_links(tn->world, a, &dst, NULL, 0), 2);
    }
    spec_bucket(&s, SIM_QOS_GUARANTEED, 10000, 1000, SIM_QOS_MODE_SHAPE);
    f = flow_new(tn, a, &s, 1, "10.0.1.2", 2, SIM_QOS_STATE_ADMITTED);
    sim_qos_flow_set_notify(tn->world, f, on_notify, &log);
    assert_int_equal(sim_qos_link_reserved_bps(tn->world, l1, SIM_DIR_AB), 80000);
    assert_int_equal(sim_qos_link_reserved_bps(tn->world, l2, SIM_DIR_BA), 80000);
    assert_int_equal(sim_qos_link_reserved_bps(tn->world, l2, SIM_DIR_AB), 0);

    assert_int_equal(sim_link_set_up(tn->world, l2, SIM_DIR_BOTH, false), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.flow, f);
    assert_int_equal(log.state, SIM_QOS_STATE_NO_ROUTE);
    assert_int_equal(sim_qos_link_reserved_bps(tn->world, l1, SIM_DIR_AB), 0);
    assert_int_equal(sim_link_set_up(tn->world, l2, SIM_DIR_BOTH, true), SIM_OK);
    sim_world_run(tn->world);
    assert_int_equal(log.calls, 2);
    assert_int_equal(log.state, SIM_QOS_STATE_ADMITTED);
    /* A crash of the router: the node hook path (routes invalidated). */
    sim_node_set_up(tn->world, r, false);
    sim_world_run(tn->world);
    assert_int_equal(log.state, SIM_QOS_STATE_NO_ROUTE);
    sim_node_set_up(tn->world, r, true);
    sim_world_run(tn->world);
    assert_int_equal(log.state, SIM_QOS_STATE_ADMITTED);
    (void)b;
    test_net_free(tn);
}

/* SERVICETYPE_NOTRAFFIC and best effort reserve nothing; an unconnected
 * flow (any destination) reserves nothing either; bad specs are refused. */
static void
test_qos_no_reservation_cases(void **state)
{
    SimLinkParams p;
    SimQosSpec s;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;
    SimQosFlowId f;
    SimSockAddr local = sa("10.0.0.1", 7);

    (void)state;
    sim_link_params_init(&p);
    p.rate_bps = 1000000;
    tn = pair_new(&p, &a, &b, &l);
    spec_bucket(&s, SIM_QOS_NO_TRAFFIC, 50000, 3000, SIM_QOS_MODE_SHAPE);
    f = flow_new(tn, a, &s, 7, "10.0.0.2", 8, SIM_QOS_STATE_IDLE);
    for (int i = 0; i < 3; i++)
        send_udp(tn, a, 7, 8, 1000); /* not policed */
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 3);
    assert_int_equal(test_net_rx(tn, 0)->pkt->service_class, SIM_QOS_BEST_EFFORT);
    sim_qos_flow_free(tn->world, f);

    spec_bucket(&s, SIM_QOS_GUARANTEED, 50000, 3000, SIM_QOS_MODE_SHAPE);
    f = sim_qos_flow_new(tn->world, a, SIM_PROTO_UDP, &s);
    assert_int_equal(sim_qos_flow_set_filter(tn->world, f, &local, NULL), SIM_QOS_STATE_IDLE);
    assert_int_equal(sim_qos_link_reserved_bps(tn->world, l, SIM_DIR_AB), 0);
    s.service = (SimQosService)9;
    assert_int_equal(sim_qos_flow_new(tn->world, a, SIM_PROTO_UDP, &s), 0);
    assert_int_equal(sim_qos_flow_set_spec(tn->world, f, &s), SIM_QOS_STATE_IDLE);
    assert_int_equal(sim_qos_flow_new(tn->world, 99, SIM_PROTO_UDP, &s), 0);
    assert_string_equal(sim_qos_state_name(SIM_QOS_STATE_REFUSED), "refused");
    assert_string_equal(sim_qos_state_name((SimQosState)42), "?");
    test_net_free(tn); /* the flow still exists: the world frees it */
}

/* Shaper overflow drops; a flow freed with 42 packets held is gone from the
 * API at once (the packets drain; the world frees what is left, no leak). */
static void
test_qos_shaper_limit_and_free(void **state)
{
    SimQosSpec s;
    SimQosFlowStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair_new(NULL, &a, &b, &l);
    SimQosFlowId f;

    (void)state;
    spec_bucket(&s, SIM_QOS_BEST_EFFORT, 1000, 1500, SIM_QOS_MODE_SHAPE);
    f = flow_new(tn, a, &s, 1, "10.0.0.2", 2, SIM_QOS_STATE_IDLE);
    for (int i = 0; i < 50; i++)
        send_udp(tn, a, 1, 2, 1500 - HDR);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.conforming, 1);
    assert_int_equal(st.held, 43); /* 43 x 1500 <= 65536 */
    assert_int_equal(st.discarded, 6);
    test_net_run_until(tn, 3 * SIM_SEC);
    sim_qos_flow_free(tn->world, f);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_E_NOTFOUND);
    test_net_free(tn);
}

/* Freeing a flow whose shaper holds packets: they were sent as far as the
 * sender knows, so they still leave at the flow's rate, best effort, and
 * then the record goes (the id is unknown at once). */
static void
test_qos_free_drains_held(void **state)
{
    SimQosSpec s;
    SimQosFlowStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair_new(NULL, &a, &b, &l);
    SimQosFlowId f;

    (void)state;
    spec_bucket(&s, SIM_QOS_GUARANTEED, 1000, 1000, SIM_QOS_MODE_SHAPE);
    f = flow_new(tn, a, &s, 1, "10.0.0.2", 2, SIM_QOS_STATE_ADMITTED);
    for (int i = 0; i < 4; i++)
        send_udp(tn, a, 1, 2, 1000 - HDR);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.held, 3);
    sim_qos_flow_free(tn->world, f);
    assert_false(sim_qos_flow_exists(tn->world, f));
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_E_NOTFOUND);
    /* A new packet of that port is no longer the flow's: it goes at once. */
    send_udp(tn, a, 1, 2, 100);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 5);
    assert_int_equal(test_net_rx(tn, 0)->time, 0);
    assert_int_equal(test_net_rx(tn, 0)->pkt->service_class, SIM_QOS_GUARANTEED);
    assert_int_equal(test_net_rx(tn, 1)->time, 0); /* the new one */
    for (guint i = 2; i < 5; i++) {
        assert_int_equal(test_net_rx(tn, i)->time, (SimTime)(i - 1) * SIM_SEC);
        assert_int_equal(test_net_rx(tn, i)->pkt->service_class, SIM_QOS_BEST_EFFORT);
    }
    test_net_free(tn);
}

/* ---- The pacer (QOS_SHAPING_RATE) ---------------------------------------- */

/* A pair over an infinite-rate link and one UDP flow at a, port 1 to b's
 * port 2, with @spec paced at @shaping_rate; its admission must give
 * @want. */
static TestNet *
paced_pair_new(SimQosSpec *spec, guint64 shaping_rate, SimQosState want, SimNodeId *out_a,
               SimQosFlowId *out_flow)
{
    SimNodeId b;
    SimLinkId l;
    TestNet *tn = pair_new(NULL, out_a, &b, &l);

    spec->shaping_rate = shaping_rate;
    *out_flow = flow_new(tn, *out_a, spec, 1, "10.0.0.2", 2, want);
    return tn;
}

/* Sends @n UDP packets of @size IP bytes from port 1 to port 2 at once. */
static void
send_burst(TestNet *tn, SimNodeId from, int n, guint32 size)
{
    for (int i = 0; i < n; i++)
        send_udp(tn, from, 1, 2, size - HDR);
}

/* Arrival times at the far end, in ms, of everything delivered so far. */
static void
assert_rx_ms(const TestNet *tn, const SimTime *want_ms, guint n)
{
    assert_int_equal(tn->rx->len, n);
    for (guint i = 0; i < n; i++)
        assert_int_equal(test_net_rx(tn, i)->time, want_ms[i] * SIM_MSEC);
}

/* The flow's counters: sent at once, sent after waiting, demoted, dropped. */
static void
assert_counts(const TestNet *tn, SimQosFlowId f, guint64 conforming, guint64 shaped,
              guint64 demoted, guint64 discarded)
{
    SimQosFlowStats st;

    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.conforming, conforming);
    assert_int_equal(st.shaped, shaped);
    assert_int_equal(st.demoted, demoted);
    assert_int_equal(st.discarded, discarded);
}

typedef struct {
    const char *name;
    SimQosService service;
    guint64 token_rate, bucket;
    SimQosMode mode;
    guint64 shaping_rate;
    SimTime want_gap; /* between consecutive arrivals */
    SimQosState want_state;
} PacerCase;

static const PacerCase pacer_cases[] = {
    /* The bucket alone would let all five through at once. */
    {"big-bucket", SIM_QOS_BEST_EFFORT, 1000000, 100000, SIM_QOS_MODE_SHAPE, 10000,
     50 * SIM_MSEC, SIM_QOS_STATE_IDLE},
    {"admitted-discard", SIM_QOS_GUARANTEED, 1000000, 100000, SIM_QOS_MODE_DISCARD, 10000,
     50 * SIM_MSEC, SIM_QOS_STATE_ADMITTED},
    /* Nothing to police: the pacer alone. */
    {"pacer-only", SIM_QOS_BEST_EFFORT, 0, 0, SIM_QOS_MODE_SHAPE, 10000, 50 * SIM_MSEC,
     SIM_QOS_STATE_IDLE},
    /* 500 x 10^9 / 3000 ns, rounded up, between every two. */
    {"rounds-up", SIM_QOS_BEST_EFFORT, 0, 0, SIM_QOS_MODE_BORROW, 3000, 166666667,
     SIM_QOS_STATE_IDLE},
    /* SERVICETYPE_NOTRAFFIC ignores the shaping rate. */
    {"no-traffic", SIM_QOS_NO_TRAFFIC, 0, 0, SIM_QOS_MODE_SHAPE, 10000, 0, SIM_QOS_STATE_IDLE},
};

/* A burst of five 500-byte packets leaves evenly spaced at 500 / R s, in
 * every mode, with or without a bucket to police; each is sent in its
 * class, and all but the first count as shaped. */
static void
test_qos_pacer_spaces_burst(void **state)
{
    (void)state;
    for (size_t c = 0; c < G_N_ELEMENTS(pacer_cases); c++) {
        const PacerCase *pc = &pacer_cases[c];
        guint8 want_class =
            pc->want_state == SIM_QOS_STATE_ADMITTED ? pc->service : SIM_QOS_BEST_EFFORT;
        bool paced = pc->want_gap != 0;
        SimQosSpec s;
        SimNodeId a;
        SimQosFlowId f;
        TestNet *tn;

        print_message("case %s\n", pc->name);
        spec_bucket(&s, pc->service, pc->token_rate, pc->bucket, pc->mode);
        tn = paced_pair_new(&s, pc->shaping_rate, pc->want_state, &a, &f);
        send_burst(tn, a, 5, 500);
        sim_world_run(tn->world);
        assert_int_equal(tn->rx->len, 5);
        for (guint i = 0; i < 5; i++) {
            assert_int_equal(test_net_rx(tn, i)->time, (SimTime)i * pc->want_gap);
            assert_int_equal(test_net_rx(tn, i)->pkt->flow_id, f);
            assert_int_equal(test_net_rx(tn, i)->pkt->service_class, want_class);
        }
        assert_int_equal(test_net_rx(tn, 4)->time - test_net_rx(tn, 0)->time, 4 * pc->want_gap);
        assert_counts(tn, f, paced ? 1 : 5, paced ? 4 : 0, 0, 0);
        test_net_free(tn);
    }
}

/* Pacer and shape, token rate (5,000 B/s) below the shaping rate (20,000):
 * the pacer spaces the first two 25 ms apart, then the bucket binds: one
 * 500-byte packet every 100 ms, the token rate; never closer than 25 ms. */
static void
test_qos_pacer_shape_bucket_binds(void **state)
{
    static const SimTime want_ms[] = {0, 25, 100, 200, 300, 400, 500, 600, 700, 800};
    SimQosSpec s;
    SimNodeId a;
    SimQosFlowId f;
    TestNet *tn;

    (void)state;
    spec_bucket(&s, SIM_QOS_BEST_EFFORT, 5000, 1000, SIM_QOS_MODE_SHAPE);
    tn = paced_pair_new(&s, 20000, SIM_QOS_STATE_IDLE, &a, &f);
    send_burst(tn, a, 10, 500);
    sim_world_run(tn->world);
    assert_rx_ms(tn, want_ms, G_N_ELEMENTS(want_ms));
    for (guint i = 1; i < tn->rx->len; i++)
        assert_true(test_net_rx(tn, i)->time - test_net_rx(tn, i - 1)->time >= 25 * SIM_MSEC);
    assert_counts(tn, f, 1, 9, 0, 0);
    test_net_free(tn);
}

/* Pacer and discard, token rate (1,000 B/s) far below the shaping rate
 * (10,000): every 50 ms the pacer lets a packet go and the policer judges
 * it then; the two the bucket holds tokens for go (at 0 and 50 ms), the
 * next eight are dropped one by one as the pacer releases them, the
 * eleventh finds the bucket refilled (500 ms), the twelfth is dropped. */
static void
test_qos_pacer_discard_after_pacing(void **state)
{
    static const SimTime want_ms[] = {0, 50, 500};
    SimQosSpec s;
    SimQosFlowStats st;
    SimNodeId a;
    SimQosFlowId f;
    TestNet *tn;

    (void)state;
    spec_bucket(&s, SIM_QOS_BEST_EFFORT, 1000, 1000, SIM_QOS_MODE_DISCARD);
    tn = paced_pair_new(&s, 10000, SIM_QOS_STATE_IDLE, &a, &f);
    send_burst(tn, a, 12, 500);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.held, 11); /* nothing dropped before the pacer */
    assert_int_equal(st.discarded, 0);
    sim_world_run(tn->world);
    assert_rx_ms(tn, want_ms, G_N_ELEMENTS(want_ms));
    assert_counts(tn, f, 1, 2, 0, 9);
    assert_int_equal(test_net_trace_count(tn, "DROP shaper"), 9);
    test_net_free(tn);
}

/* Pacer and borrow: all six leave 50 ms apart; the two the bucket (1,000
 * bytes) covers go guaranteed, the rest best effort, including the last,
 * which can never conform (1,200 bytes > the bucket) but is paced all the
 * same; nothing is dropped. */
static void
test_qos_pacer_borrow_demotes(void **state)
{
    static const SimTime want_ms[] = {0, 50, 100, 150, 200, 250};
    SimQosSpec s;
    SimQosFlowStats st;
    SimNodeId a;
    SimQosFlowId f;
    TestNet *tn;

    (void)state;
    spec_bucket(&s, SIM_QOS_GUARANTEED, 1000, 1000, SIM_QOS_MODE_BORROW);
    tn = paced_pair_new(&s, 10000, SIM_QOS_STATE_ADMITTED, &a, &f);
    send_burst(tn, a, 5, 500);
    send_burst(tn, a, 1, 1200);
    sim_world_run(tn->world);
    assert_rx_ms(tn, want_ms, G_N_ELEMENTS(want_ms));
    for (guint i = 0; i < tn->rx->len; i++)
        assert_int_equal(test_net_rx(tn, i)->pkt->service_class,
                         i < 2 ? SIM_QOS_GUARANTEED : SIM_QOS_BEST_EFFORT);
    assert_counts(tn, f, 1, 1, 4, 0);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.bytes, 3700);
    test_net_free(tn);
}

/* Renegotiation frees the pacer: two packets wait behind a slow one (1,000
 * B/s: 500 ms each); a faster rate at 100 ms sends the first of them at
 * once and the second 50 ms later.  Then the hold limit counts what the
 * pacer holds, and freeing the flow drops it (test_net_free checks that no
 * packet is left alive). */
static void
test_qos_pacer_set_spec_and_free(void **state)
{
    static const SimTime want_ms[] = {0, 100, 150};
    SimQosSpec s;
    SimQosFlowStats st;
    SimNodeId a;
    SimQosFlowId f;
    TestNet *tn;

    (void)state;
    spec_bucket(&s, SIM_QOS_BEST_EFFORT, 0, 0, SIM_QOS_MODE_SHAPE);
    tn = paced_pair_new(&s, 1000, SIM_QOS_STATE_IDLE, &a, &f);
    send_burst(tn, a, 3, 500);
    test_net_run_until(tn, 100 * SIM_MSEC);
    assert_int_equal(tn->rx->len, 1);
    s.shaping_rate = 10000;
    assert_int_equal(sim_qos_flow_set_spec(tn->world, f, &s), SIM_QOS_STATE_IDLE);
    sim_world_run(tn->world);
    assert_rx_ms(tn, want_ms, G_N_ELEMENTS(want_ms));

    /* 1,500-byte packets at 1,000 B/s: one leaves, 43 wait (43 x 1500 <=
     * 64 KiB), six are dropped; one more leaves 1.5 s later. */
    test_net_rx_clear(tn);
    test_net_run_until(tn, SIM_SEC);
    s.shaping_rate = 1000;
    assert_int_equal(sim_qos_flow_set_spec(tn->world, f, &s), SIM_QOS_STATE_IDLE);
    send_burst(tn, a, 50, 1500);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.held, 43);
    assert_int_equal(st.discarded, 6);
    test_net_run_until(tn, 2600 * SIM_MSEC);
    assert_int_equal(tn->rx->len, 2);
    assert_int_equal(test_net_rx(tn, 1)->time, 2500 * SIM_MSEC);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.held, 42);
    sim_qos_flow_free(tn->world, f);
    assert_false(sim_qos_flow_exists(tn->world, f));
    test_net_free(tn);
}

/* Renegotiation judges what the flow holds under the new spec at once: a
 * smaller bucket (1,000 bytes) that 1,500-byte packets can never fit drops
 * them (before, they stayed held for ever and their release event re-armed
 * without end).  Renegotiating to borrow refills the bucket: the first held
 * packet goes in its class, the second demoted, both at once. */
static void
test_qos_set_spec_rejudges_held(void **state)
{
    SimQosSpec s;
    SimQosFlowStats st;
    SimNodeId a;
    SimQosFlowId f;
    TestNet *tn;

    (void)state;
    spec_bucket(&s, SIM_QOS_BEST_EFFORT, 1000, 2000, SIM_QOS_MODE_SHAPE);
    tn = paced_pair_new(&s, 0, SIM_QOS_STATE_IDLE, &a, &f); /* no pacer */
    send_burst(tn, a, 3, 1500);
    s.bucket_bytes = 1000;
    assert_int_equal(sim_qos_flow_set_spec(tn->world, f, &s), SIM_QOS_STATE_IDLE);
    test_net_run_until(tn, 10 * SIM_SEC); /* bounded: the old code never went idle */
    assert_int_equal(tn->rx->len, 1);
    assert_int_equal(sim_qos_flow_get_stats(tn->world, f, &st), SIM_OK);
    assert_int_equal(st.held, 0);
    assert_counts(tn, f, 1, 0, 0, 2);

    test_net_rx_clear(tn);
    s.bucket_bytes = 2000;
    assert_int_equal(sim_qos_flow_set_spec(tn->world, f, &s), SIM_QOS_STATE_IDLE);
    send_burst(tn, a, 3, 1500);
    s.mode = SIM_QOS_MODE_BORROW;
    assert_int_equal(sim_qos_flow_set_spec(tn->world, f, &s), SIM_QOS_STATE_IDLE);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 3);
    assert_int_equal(test_net_rx(tn, 2)->time, test_net_rx(tn, 0)->time);
    assert_int_equal(test_net_rx(tn, 2)->pkt->service_class, SIM_QOS_BEST_EFFORT);
    assert_counts(tn, f, 2, 1, 1, 2);
    test_net_free(tn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qos_shape_token_bucket),
        cmocka_unit_test(test_qos_discard_and_borrow),
        cmocka_unit_test(test_qos_sdu_limits),
        cmocka_unit_test(test_qos_peak_rate),
        cmocka_unit_test(test_qos_priority_class_bounds_delay),
        cmocka_unit_test(test_qos_admission_refuses_oversubscription),
        cmocka_unit_test(test_qos_multihop_and_route_change),
        cmocka_unit_test(test_qos_no_reservation_cases),
        cmocka_unit_test(test_qos_shaper_limit_and_free),
        cmocka_unit_test(test_qos_free_drains_held),
        cmocka_unit_test(test_qos_pacer_spaces_burst),
        cmocka_unit_test(test_qos_pacer_shape_bucket_binds),
        cmocka_unit_test(test_qos_pacer_discard_after_pacing),
        cmocka_unit_test(test_qos_pacer_borrow_demotes),
        cmocka_unit_test(test_qos_pacer_set_spec_and_free),
        cmocka_unit_test(test_qos_set_spec_rejudges_held),
    };
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("qos", tests, NULL, NULL);
}
