/* SPDX-License-Identifier: MIT
 *
 * test-pair.c: the TCP test fixture (see test-pair.h).
 */
#include "config.h"

#include "test-pair.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

static bool
tx_hook(SimWorld *world, SimNodeId node, const SimPacket *pkt, void *data)
{
    TestPair *p = data;
    const SimTcpHeader *h = &pkt->l4.tcp;

    if (p->capture) {
        TestSeg s;

        memset(&s, 0, sizeof s);
        s.time = sim_world_now(world);
        s.from = node;
        s.sport = h->sport;
        s.dport = h->dport;
        s.flags = h->flags;
        s.seq = h->seq;
        s.ack = h->ack;
        s.wnd = h->window;
        s.urg = h->urg;
        s.mss = h->mss;
        s.wscale = h->wscale;
        s.len = pkt->payload != NULL ? pkt->payload_len : 0;
        g_array_append_val(p->tx, s);
    }
    /* Raw mode: what a sends to b is the test's to answer. */
    return (p->flags & TEST_PAIR_RAW) && node == p->a;
}

static void
trace_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    TestPair *p = data;

    sim_trace_format_line(world, rec, p->trace);
    g_string_append_c(p->trace, '\n');
}

TestPair *
test_pair_new_full(guint64 seed, guint flags, const SimLinkParams *params)
{
    TestPair *p = g_new0(TestPair, 1);
    SimLinkParams lp;
    SimAddr addr;

    p->flags = flags;
    p->world = sim_world_new(seed);
    p->tx = g_array_new(false, false, sizeof(TestSeg));
    p->notes = g_array_new(false, false, sizeof(TestNote));
    p->trace = g_string_new(NULL);
    p->capture = true;
    if (flags & TEST_PAIR_TRACE)
        sim_trace_add_sink(p->world, trace_sink, p);
    p->a = sim_node_add(p->world, "a", SIM_NODE_HOST);
    p->b = sim_node_add(p->world, "b", SIM_NODE_HOST);
    g_assert(sim_addr_parse("10.0.0.1", &addr));
    g_assert(sim_node_add_addr(p->world, p->a, &addr, 24) == SIM_OK);
    g_assert(sim_addr_parse("10.0.0.2", &addr));
    g_assert(sim_node_add_addr(p->world, p->b, &addr, 24) == SIM_OK);
    if (params != NULL) {
        lp = *params;
    } else {
        sim_link_params_init(&lp);
        lp.latency_ns = 1 * SIM_MSEC;
    }
    p->link = sim_link_add(p->world, p->a, p->b, &lp, &lp);
    g_assert(p->link != SIM_ID_NONE);
    sim__tcp_set_tx_hook(p->world, tx_hook, p);
    sim__tcp_set_deep_checks(p->world, true);
    return p;
}

TestPair *
test_pair_new(guint64 seed)
{
    return test_pair_new_full(seed, 0, NULL);
}

TestPair *
test_pair_new_raw(guint64 seed)
{
    return test_pair_new_full(seed, TEST_PAIR_RAW, NULL);
}

void
test_pair_free(TestPair *p)
{
    SimTcpWorld *tw;

    if (p == NULL)
        return;
    /* Abort what the test left open, in id order, then let every timer
     * (TIME_WAIT, retransmissions, reaping) run out. */
    tw = sim__tcp_world(p->world);
    for (SimSocketId id = 1; id <= p->world->next_socket_id; id++) {
        SimTcb *tcb = sim__tcp_lookup(tw, id);

        if (tcb != NULL && (tcb->flags & SIM_TCB_APP))
            (void) sim_tcp_abort(p->world, id);
    }
    sim_world_run(p->world);
    assert_int_equal(sim_tcp_tcb_count(p->world), 0);
    assert_int_equal(sim_world_packets_alive(p->world), 0);
    assert_int_equal(sim_world_events_pending(p->world), 0);
    sim_world_free(p->world);
    g_array_free(p->tx, true);
    g_array_free(p->notes, true);
    g_string_free(p->trace, true);
    g_free(p);
}

SimAddr
test_pair_addr(const TestPair *p, SimNodeId node)
{
    return *sim_node_addr(p->world, node, 0);
}

SimSockAddr
test_pair_sockaddr(const TestPair *p, SimNodeId node, guint16 port)
{
    SimSockAddr sa;

    sa.addr = test_pair_addr(p, node);
    sa.port = port;
    return sa;
}

static void
noop_event(SimWorld *world, void *data)
{
    (void) world;
    (void) data;
}

void
test_pair_run(TestPair *p, SimTime dt)
{
    SimTime until = sim_world_now(p->world) + dt;

    sim_event_schedule_at(p->world, until, noop_event, NULL);
    sim_world_run_until(p->world, until);
}

void
test_pair_run_idle(TestPair *p)
{
    sim_world_run(p->world);
}

size_t
test_pair_tx_count(const TestPair *p)
{
    return p->tx->len;
}

const TestSeg *
test_pair_tx(const TestPair *p, size_t i)
{
    assert_true(i < p->tx->len);
    return &g_array_index(p->tx, TestSeg, i);
}

const TestSeg *
test_pair_last_tx(const TestPair *p)
{
    return p->tx->len > 0 ? &g_array_index(p->tx, TestSeg, p->tx->len - 1) : NULL;
}

guint8
test_pair_last_tx_flags(const TestPair *p)
{
    const TestSeg *s = test_pair_last_tx(p);

    return s != NULL ? s->flags : 0;
}

void
test_pair_tx_clear(TestPair *p)
{
    g_array_set_size(p->tx, 0);
}

size_t
test_pair_data_segs(const TestPair *p, SimNodeId from)
{
    size_t n = 0;

    for (guint i = 0; i < p->tx->len; i++) {
        const TestSeg *s = &g_array_index(p->tx, TestSeg, i);

        if (s->from == from && s->len > 0)
            n++;
    }
    return n;
}

void
test_pair_inject(TestPair *p, const TestSeg *seg)
{
    SimPacket *pkt = sim_packet_new(p->world, SIM_PROTO_TCP);
    SimTcpHeader *h = &pkt->l4.tcp;

    pkt->src = test_pair_addr(p, p->b);
    pkt->dst = test_pair_addr(p, p->a);
    h->sport = seg->sport != 0 ? seg->sport : TEST_PORT;
    h->dport = seg->dport;
    h->seq = seg->seq;
    h->ack = seg->ack;
    h->flags = seg->flags;
    h->window = seg->wnd;
    h->urg = seg->urg;
    h->mss = seg->mss;
    h->wscale = seg->wscale;
    if (seg->len > 0) {
        SimBuf *buf = sim_buf_new(seg->data, seg->len);

        sim_packet_set_payload(pkt, buf, 0, seg->len);
        sim_buf_unref(buf);
    }
    sim__tcp_proto_input(p->world, p->a, pkt, sim__tcp_world(p->world));
}

static void
note_fn(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    TestPair *p = data;
    TestNote n = { sim_world_now(world), sock, events, err };

    g_array_append_val(p->notes, n);
}

void
test_pair_watch(TestPair *p, SimSocketId sock)
{
    assert_int_equal(sim_tcp_set_notify(p->world, sock, note_fn, p), SIM_OK);
}

guint32
test_pair_events(const TestPair *p, SimSocketId sock)
{
    guint32 ev = 0;

    for (guint i = 0; i < p->notes->len; i++) {
        const TestNote *n = &g_array_index(p->notes, TestNote, i);

        if (n->sock == sock)
            ev |= n->events;
    }
    return ev;
}

SimStatus
test_pair_note_err(const TestPair *p, SimSocketId sock, guint32 event)
{
    for (guint i = p->notes->len; i > 0; i--) {
        const TestNote *n = &g_array_index(p->notes, TestNote, i - 1);

        if (n->sock == sock && (n->events & event))
            return n->err;
    }
    return SIM_OK;
}

void
test_pair_notes_clear(TestPair *p)
{
    g_array_set_size(p->notes, 0);
}

void
test_pair_connect(TestPair *p, SimSocketId *out_client, SimSocketId *out_server,
                  SimSocketId *out_listener)
{
    SimSocketId l, c, s;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    SimTcpState st;

    assert_int_equal(sim_tcp_open(p->world, p->b, SIM_AF_INET, &l), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_listen(p->world, l, 8), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    for (int i = 0; i < 100; i++) {
        test_pair_run(p, 1 * SIM_MSEC);
        if (sim_tcp_accept(p->world, l, &s) == SIM_OK)
            break;
        s = 0;
    }
    assert_true(s != 0);
    assert_int_equal(sim_tcp_get_state(p->world, c, &st), SIM_OK);
    assert_int_equal(st, SIM_TCP_ESTABLISHED);
    *out_client = c;
    *out_server = s;
    if (out_listener != NULL)
        *out_listener = l;
    else
        assert_int_equal(sim_tcp_close(p->world, l), SIM_OK);
}

SimSocketId
test_pair_raw_connect(TestPair *p, guint32 peer_iss, guint32 peer_wnd, guint32 *out_iss)
{
    SimSocketId c;
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    const TestSeg *syn;
    TestSeg synack;

    assert_true(p->flags & TEST_PAIR_RAW);
    test_pair_tx_clear(p);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    syn = test_pair_last_tx(p);
    assert_non_null(syn);
    assert_int_equal(syn->flags, SIM_TCP_SYN);
    memset(&synack, 0, sizeof synack);
    synack.sport = TEST_PORT;
    synack.dport = syn->sport;
    synack.flags = SIM_TCP_SYN | SIM_TCP_ACK;
    synack.seq = peer_iss;
    synack.ack = syn->seq + 1;
    synack.wnd = peer_wnd;
    synack.mss = 1460;
    if (out_iss != NULL)
        *out_iss = syn->seq;
    test_pair_inject(p, &synack);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_ESTABLISHED);
    test_pair_tx_clear(p);
    return c;
}

void
test_pair_send_all(TestPair *p, SimSocketId sock, const void *buf, size_t len)
{
    size_t n = 0;

    assert_int_equal(sim_tcp_send(p->world, sock, buf, len, 0, &n), SIM_OK);
    assert_int_equal(n, len);
}

size_t
test_pair_recv_all(TestPair *p, SimSocketId sock, GByteArray *out)
{
    guint8 tmp[4096];
    size_t total = 0, n;

    while (sim_tcp_recv(p->world, sock, tmp, sizeof tmp, 0, &n) == SIM_OK && n > 0) {
        if (out != NULL)
            g_byte_array_append(out, tmp, (guint) n);
        total += n;
    }
    return total;
}

SimTcpState
test_pair_state(const TestPair *p, SimSocketId sock)
{
    SimTcpState st = SIM_TCP_N_STATES;

    if (sim_tcp_get_state(p->world, sock, &st) != SIM_OK)
        return SIM_TCP_N_STATES;
    return st;
}
