/* SPDX-License-Identifier: MIT
 *
 * test-tcp.c: the stream transport (sim/sim-tcp*.c) — sequence arithmetic,
 * the state tables, handshake, refusal, SYN timeout, every close path,
 * TIME_WAIT, flow control and persist, Nagle, congestion control, urgent
 * data, backlog, conditional accept, keep-alive, host crash, delayed ACKs,
 * retransmission limits, and the FSM cell by cell with crafted segments.
 * Every test builds a fresh fixture (tests/helpers/test-pair.c) whose
 * teardown asserts no packet, TCB or event is left alive.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/test-pair.h"

#define SEED 0x5eed7cb0ull
#define MSS 1460u

static SimTcpInfo
info_of(TestPair *p, SimSocketId s)
{
    SimTcpInfo info;

    assert_int_equal(sim_tcp_get_info(p->world, s, &info), SIM_OK);
    return info;
}

static SimTcpStats
stats_of(TestPair *p, SimSocketId s)
{
    SimTcpStats st;

    assert_int_equal(sim_tcp_get_stats(p->world, s, &st), SIM_OK);
    return st;
}

static SimTcb *
tcb_of(TestPair *p, SimSocketId s)
{
    SimTcb *tcb = sim__tcp_lookup(sim__tcp_world(p->world), s);

    assert_non_null(tcb);
    return tcb;
}

static void
fill_pattern(guint8 *buf, size_t len, guint32 salt)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (guint8) ((i * 131u + salt) ^ (i >> 8));
}

/* ---- Sequence arithmetic ------------------------------------------------- */

typedef struct {
    guint32 a, b;
    int cmp; /* -1: a < b, 0: equal, 1: a > b */
} SeqCase;

static const SeqCase seq_cases[] = {
    { 0, 1, -1 },
    { 1, 0, 1 },
    { 5, 5, 0 },
    { 0xFFFFFFFFu, 0, -1 }, /* wraps: 2^32-1 precedes 0 */
    { 0, 0xFFFFFFFFu, 1 },
    { 0xFFFFFF00u, 0x00000100u, -1 },
    { 0x00000100u, 0xFFFFFF00u, 1 },
    { 0x7FFFFFFFu, 0x80000000u, -1 },
    { 0x80000000u, 0x7FFFFFFFu, 1 },
    { 0x80000001u, 0x00000000u, -1 }, /* more than 2^31 ahead is behind */
    { 0xFFFFFFFEu, 0xFFFFFFFFu, -1 },
    { 0x12345678u, 0x12345678u + 100u, -1 },
};

static void
test_tcp_seq_wraparound(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(seq_cases); i++) {
        const SeqCase *c = &seq_cases[i];

        print_message("case %zu: %08x vs %08x\n", i, c->a, c->b);
        assert_int_equal(sim_seq_lt(c->a, c->b), c->cmp < 0);
        assert_int_equal(sim_seq_leq(c->a, c->b), c->cmp <= 0);
        assert_int_equal(sim_seq_gt(c->a, c->b), c->cmp > 0);
        assert_int_equal(sim_seq_geq(c->a, c->b), c->cmp >= 0);
    }
    /* between: lo <= x < hi, across the wrap */
    assert_true(sim_seq_between(0xFFFFFFF0u, 0xFFFFFFFFu, 0x10));
    assert_true(sim_seq_between(0xFFFFFFF0u, 0x0u, 0x10));
    assert_true(sim_seq_between(0xFFFFFFF0u, 0xFFFFFFF0u, 0x10));
    assert_false(sim_seq_between(0xFFFFFFF0u, 0x10u, 0x10));
    assert_false(sim_seq_between(0xFFFFFFF0u, 0xFFFFFFEFu, 0x10));
    assert_false(sim_seq_between(5, 5, 5)); /* empty */
    assert_int_equal(sim_seq_max(0xFFFFFFFFu, 1), 1);
    assert_int_equal(sim_seq_min(0xFFFFFFFFu, 1), 0xFFFFFFFFu);
}

/* ---- Tables ---------------------------------------------------------------- */

static void
test_tcp_fsm_tables(void **state)
{
    (void) state;
    for (int s = 0; s < SIM_TCP_N_STATES; s++) {
        const SimTcpStateInfo *si = sim__tcp_state_info((SimTcpState) s);
        int out = 0, in = 0;

        assert_non_null(si->name);
        assert_non_null(si->invariant);
        assert_string_equal(sim_tcp_state_name((SimTcpState) s), si->name);
        for (int t = 0; t < SIM_TCP_N_STATES; t++) {
            if (t != s)
                assert_string_not_equal(si->name, sim__tcp_state_info((SimTcpState) t)->name);
            out += sim__tcp_transition_allowed((SimTcpState) s, (SimTcpState) t);
            in += sim__tcp_transition_allowed((SimTcpState) t, (SimTcpState) s);
        }
        assert_false(sim__tcp_transition_allowed((SimTcpState) s, (SimTcpState) s));
        assert_true(out > 0); /* no dead end */
        assert_true(in > 0);  /* every state reachable */
        if (s != SIM_TCP_CLOSED)
            assert_true(sim__tcp_transition_allowed((SimTcpState) s, SIM_TCP_CLOSED));
    }
    assert_string_equal(sim_tcp_state_name(SIM_TCP_N_STATES), "?");
    assert_false(sim_tcp_state_is_synchronized(SIM_TCP_SYN_SENT));
    assert_true(sim_tcp_state_is_synchronized(SIM_TCP_SYN_RECEIVED));
    assert_true(sim_tcp_state_is_synchronized(SIM_TCP_TIME_WAIT));
}

/* ---- Handshake, refusal, timeout ------------------------------------------- */

static void
test_tcp_handshake(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_full(SEED, TEST_PAIR_TRACE, NULL);
    SimSocketId l, c, s;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    SimSockAddr la, ra;
    const TestSeg *syn, *synack, *ack;
    SimStatus err;

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->b, SIM_AF_INET, &l), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_listen(p->world, l, 4), SIM_OK);
    test_pair_watch(p, l);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_ALREADY);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_SYN_SENT);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_E_WOULDBLOCK);
    test_pair_run(p, 10 * SIM_MSEC);

    assert_int_equal(test_pair_tx_count(p), 3);
    syn = test_pair_tx(p, 0);
    synack = test_pair_tx(p, 1);
    ack = test_pair_tx(p, 2);
    assert_int_equal(syn->flags, SIM_TCP_SYN);
    assert_int_equal(syn->from, p->a);
    assert_int_equal(syn->mss, MSS);
    assert_int_equal(syn->wscale, 1); /* 64 KiB buffer needs shift 1 */
    assert_int_equal(syn->sport, SIM_PORT_DYNAMIC_FIRST);
    assert_int_equal(synack->flags, SIM_TCP_SYN | SIM_TCP_ACK);
    assert_int_equal(synack->ack, syn->seq + 1);
    assert_int_equal(synack->mss, MSS);
    assert_int_equal(ack->flags, SIM_TCP_ACK);
    assert_int_equal(ack->seq, syn->seq + 1);
    assert_int_equal(ack->ack, synack->seq + 1);
    assert_int_equal(ack->wnd, 65536); /* scaled window: the whole buffer */
    assert_int_equal(synack->time - syn->time, 1 * SIM_MSEC);

    assert_int_equal(test_pair_state(p, c), SIM_TCP_ESTABLISHED);
    assert_int_equal(test_pair_events(p, c), SIM_SOCK_EV_CONNECTED | SIM_SOCK_EV_WRITABLE);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CONNECTED), SIM_OK);
    assert_int_equal(test_pair_events(p, l), SIM_SOCK_EV_ACCEPT);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_ISCONN);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_OK);
    assert_int_equal(test_pair_state(p, s), SIM_TCP_ESTABLISHED);
    assert_int_equal(sim_tcp_local_addr(p->world, s, &la), SIM_OK);
    assert_int_equal(la.port, TEST_PORT);
    assert_int_equal(sim_tcp_remote_addr(p->world, s, &ra), SIM_OK);
    assert_int_equal(ra.port, SIM_PORT_DYNAMIC_FIRST);
    la = test_pair_sockaddr(p, p->a, 0);
    assert_true(sim_addr_equal(&ra.addr, &la.addr));
    assert_int_equal(sim_tcp_take_error(p->world, c, &err), SIM_OK);
    assert_int_equal(err, SIM_OK);
    assert_int_equal(info_of(p, c).snd_wscale, 1);
    assert_int_equal(info_of(p, c).cwnd, 10 * MSS);
    assert_non_null(strstr(p->trace->str, "SYN_SENT -> ESTABLISHED"));
    assert_non_null(strstr(p->trace->str, "LISTEN -> SYN_RECEIVED"));
    assert_non_null(strstr(p->trace->str, "SYN_RECEIVED -> ESTABLISHED"));
}

static void
test_tcp_refused(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c;
    SimSockAddr dst = test_pair_sockaddr(p, p->b, 9);
    SimStatus err;
    size_t n;

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_tx_count(p), 2);
    assert_int_equal(test_pair_tx(p, 1)->flags, SIM_TCP_RST | SIM_TCP_ACK);
    assert_int_equal(test_pair_tx(p, 1)->ack, test_pair_tx(p, 0)->seq + 1);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_events(p, c), SIM_SOCK_EV_CONNECTED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CONNECTED), SIM_E_CONNREFUSED);
    assert_int_equal(sim_tcp_take_error(p->world, c, &err), SIM_OK);
    assert_int_equal(err, SIM_E_CONNREFUSED);
    assert_int_equal(sim_tcp_take_error(p->world, c, &err), SIM_OK);
    assert_int_equal(err, SIM_OK); /* read and cleared */
    assert_int_equal(sim_tcp_send(p->world, c, "x", 1, 0, &n), SIM_E_CONNREFUSED);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INVAL);
}

static void
test_tcp_syn_timeout(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_raw(SEED);
    SimSocketId c;
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    static const SimTime want[] = { 0, 1 * SIM_SEC, 3 * SIM_SEC };

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 6999 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_SYN_SENT);
    test_pair_run(p, 1 * SIM_MSEC);
    /* 1 s initial RTO, doubled: SYNs at 0, 1 and 3 s, give up at 7 s. */
    assert_int_equal(test_pair_tx_count(p), G_N_ELEMENTS(want));
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        assert_int_equal(test_pair_tx(p, i)->flags, SIM_TCP_SYN);
        assert_int_equal(test_pair_tx(p, i)->time, want[i]);
        assert_int_equal(test_pair_tx(p, i)->seq, test_pair_tx(p, 0)->seq);
    }
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CONNECTED), SIM_E_TIMEDOUT);
    assert_int_equal(g_array_index(p->notes, TestNote, 0).time, 7 * SIM_SEC);
}

static void
test_tcp_unreachable(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c;
    SimSockAddr dst;

    (void) state;
    /* No route at all: reported at once. */
    assert_true(sim_addr_parse("192.168.7.7", &dst.addr));
    dst.port = 80;
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_NETUNREACH);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    /* A cut link is silent loss in this network (sim-route.c): the SYNs
     * vanish and the attempt times out. */
    dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    test_pair_watch(p, c);
    assert_int_equal(sim_link_set_up(p->world, p->link, SIM_DIR_BOTH, false), SIM_OK);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 8 * SIM_SEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CONNECTED), SIM_E_TIMEDOUT);
}

static void
icmp_about(TestPair *p, const TestSeg *seg, SimStatus error)
{
    SimIcmpHeader icmp;

    memset(&icmp, 0, sizeof icmp);
    icmp.error = error;
    icmp.orig_src = test_pair_addr(p, p->a);
    icmp.orig_dst = test_pair_addr(p, p->b);
    icmp.orig_proto = SIM_PROTO_TCP;
    icmp.orig_sport = seg->sport;
    icmp.orig_dport = seg->dport;
    sim__tcp_proto_error(p->world, p->a, &icmp, sim__tcp_world(p->world));
}

static void
test_tcp_icmp_unreachable(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_raw(SEED);
    SimSocketId c, d;
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    TestSeg syn;
    guint32 iss;

    (void) state;
    /* While connecting, ICMP unreachable ends the attempt at once. */
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    syn = *test_pair_last_tx(p);
    icmp_about(p, &syn, SIM_E_HOSTUNREACH);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CONNECTED), SIM_E_HOSTUNREACH);

    /* Established: a soft error (RFC 1122), reported as the cause when the
     * connection gives up. */
    d = test_pair_raw_connect(p, 1000, 65535, &iss);
    test_pair_watch(p, d);
    test_pair_send_all(p, d, "x", 1);
    syn = *test_pair_last_tx(p);
    icmp_about(p, &syn, SIM_E_NETUNREACH);
    assert_int_equal(test_pair_state(p, d), SIM_TCP_ESTABLISHED);
    test_pair_run(p, 120 * SIM_SEC);
    assert_int_equal(test_pair_state(p, d), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, d, SIM_SOCK_EV_CLOSED), SIM_E_NETUNREACH);
}

/* ---- Close paths ---------------------------------------------------------- */

static void
test_tcp_close_client_first(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    guint8 buf[16];
    size_t n;
    SimTime t_tw;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, s);
    test_pair_send_all(p, c, "hello", 5);
    assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_FIN_WAIT_1);
    assert_int_equal(sim_tcp_send(p->world, c, "x", 1, 0, &n), SIM_E_SHUTDOWN);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_FIN_WAIT_2);
    assert_int_equal(test_pair_state(p, s), SIM_TCP_CLOSE_WAIT);
    assert_true(test_pair_events(p, s) & SIM_SOCK_EV_CLOSED);
    assert_int_equal(test_pair_note_err(p, s, SIM_SOCK_EV_CLOSED), SIM_OK);
    /* data first, then end of stream */
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 0);
    /* the other direction still works (half-close) */
    test_pair_send_all(p, s, "bye", 3);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_recv(p->world, c, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(sim_tcp_close(p->world, s), SIM_OK);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_E_NOTFOUND);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_TIME_WAIT);
    t_tw = test_pair_last_tx(p)->time; /* a's ACK of b's FIN */
    /* TIME_WAIT lasts exactly 2 MSL (2 s by default). */
    test_pair_run(p, t_tw + 2 * SIM_SEC - sim_world_now(p->world) - 1);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_TIME_WAIT);
    test_pair_run(p, 1);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(sim_tcp_close(p->world, c), SIM_OK);
}

static void
test_tcp_close_server_first(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    guint8 buf[16];
    size_t n;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_close(p->world, s), SIM_OK); /* orphan: lives on */
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSE_WAIT);
    assert_int_equal(test_pair_events(p, c), SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_READABLE);
    assert_int_equal(sim_tcp_recv(p->world, c, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(sim_tcp_tcb_count(p->world), 2);
    assert_int_equal(sim_tcp_close(p->world, c), SIM_OK);
    test_pair_run(p, 10 * SIM_MSEC);
    /* b is in TIME_WAIT (orphaned), a's TCB is gone */
    assert_int_equal(sim_tcp_tcb_count(p->world), 1);
    test_pair_run(p, 2 * SIM_SEC);
    assert_int_equal(sim_tcp_tcb_count(p->world), 0);
}

static void
test_tcp_close_simultaneous(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_full(SEED, TEST_PAIR_TRACE, NULL);
    SimSocketId c, s;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_tx_clear(p);
    assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
    assert_int_equal(sim_tcp_shutdown(p->world, s, SIM_TCP_SHUT_SEND), SIM_OK);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_non_null(strstr(p->trace->str, "FIN_WAIT_1 -> CLOSING"));
    assert_non_null(strstr(p->trace->str, "CLOSING -> TIME_WAIT"));
    assert_int_equal(test_pair_state(p, c), SIM_TCP_TIME_WAIT);
    assert_int_equal(test_pair_state(p, s), SIM_TCP_TIME_WAIT);
    /* two FINs crossed, two ACKs crossed */
    assert_int_equal(test_pair_tx_count(p), 4);
    test_pair_run(p, 2 * SIM_SEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_state(p, s), SIM_TCP_CLOSED);
}

static void
test_tcp_abort_rst(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    guint8 buf[16];
    size_t n;
    SimStatus err;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    test_pair_send_all(p, s, "data", 4);
    test_pair_run(p, 10 * SIM_MSEC);
    test_pair_tx_clear(p);
    assert_int_equal(sim_tcp_abort(p->world, s), SIM_OK);
    assert_int_equal(test_pair_last_tx_flags(p), SIM_TCP_RST | SIM_TCP_ACK);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_true(test_pair_events(p, c) & SIM_SOCK_EV_CLOSED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CLOSED), SIM_E_CONNRESET);
    /* a reset discards unread data (RFC 9293 §3.10.7.4) */
    assert_int_equal(sim_tcp_recv(p->world, c, buf, sizeof buf, 0, &n), SIM_E_CONNRESET);
    assert_int_equal(sim_tcp_send(p->world, c, buf, 1, 0, &n), SIM_E_CONNRESET);
    assert_int_equal(sim_tcp_take_error(p->world, c, &err), SIM_OK);
    assert_int_equal(err, SIM_E_CONNRESET);
    assert_int_equal(sim_tcp_tcb_count(p->world), 1); /* the shell a still holds */
}

static void
test_tcp_close_unread_resets(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    test_pair_send_all(p, c, "unread", 6);
    test_pair_run(p, 10 * SIM_MSEC);
    test_pair_tx_clear(p);
    assert_int_equal(sim_tcp_close(p->world, s), SIM_OK);
    assert_int_equal(test_pair_last_tx_flags(p), SIM_TCP_RST | SIM_TCP_ACK);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CLOSED), SIM_E_CONNRESET);
}

static void
test_tcp_time_wait_blocks_rebind(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId l, c, s, c2;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr local = test_pair_sockaddr(p, p->a, 5555);
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->b, SIM_AF_INET, &l), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_listen(p->world, l, 4), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, c, &local, 0), SIM_OK);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_OK);
    /* a closes first: a ends in TIME_WAIT holding 10.0.0.1:5555 */
    assert_int_equal(sim_tcp_close(p->world, c), SIM_OK);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_close(p->world, s), SIM_OK);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_tcb_count(p->world), 2); /* listener + TIME_WAIT */

    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c2), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, c2, &local, 0), SIM_E_ADDRINUSE);
    assert_int_equal(sim_tcp_bind(p->world, c2, &local, SIM_TCP_BIND_REUSEADDR), SIM_OK);
    /* same 4-tuple as the TIME_WAIT one: refused even with SO_REUSEADDR */
    assert_int_equal(sim_tcp_connect(p->world, c2, &dst), SIM_E_ADDRINUSE);
    test_pair_run(p, 2 * SIM_SEC);
    assert_int_equal(sim_tcp_tcb_count(p->world), 2); /* listener + c2 */
    assert_int_equal(sim_tcp_connect(p->world, c2, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c2), SIM_TCP_ESTABLISHED);
}

static void
test_tcp_bind_rules(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId s1, s2, s3, s4;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), 80 };
    SimSockAddr spec = test_pair_sockaddr(p, p->a, 80);
    SimSockAddr foreign = test_pair_sockaddr(p, p->b, 80);
    SimSockAddr eph = { sim_addr_any(SIM_AF_INET), 0 };
    SimSockAddr out;

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &s1), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &s2), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &s3), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &s4), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, s1, &foreign, 0), SIM_E_ADDRNOTAVAIL);
    assert_int_equal(sim_tcp_bind(p->world, s1, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, s1, &any, 0), SIM_E_INVAL); /* already bound */
    assert_int_equal(sim_tcp_bind(p->world, s2, &spec, 0), SIM_E_ADDRINUSE);
    assert_int_equal(sim_tcp_bind(p->world, s2, &spec, SIM_TCP_BIND_REUSEADDR), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, s3, &any, SIM_TCP_BIND_EXCLUSIVE), SIM_E_ADDRINUSE);
    assert_int_equal(sim_tcp_local_addr(p->world, s4, &out), SIM_E_INVAL);
    assert_int_equal(sim_tcp_bind(p->world, s4, &eph, 0), SIM_OK);
    assert_int_equal(sim_tcp_local_addr(p->world, s4, &out), SIM_OK);
    assert_int_equal(out.port, SIM_PORT_DYNAMIC_FIRST);
    assert_int_equal(sim_tcp_bind(p->world, s3, &eph, 0), SIM_OK);
    assert_int_equal(sim_tcp_local_addr(p->world, s3, &out), SIM_OK);
    assert_int_equal(out.port, SIM_PORT_DYNAMIC_FIRST + 1);
    assert_int_equal(sim_tcp_listen(p->world, s1, 0), SIM_OK);
}

/* ---- Listener queues ------------------------------------------------------- */

static void
test_tcp_backlog_full_rst(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId l, c1, c2, s;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    size_t qlen;

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->b, SIM_AF_INET, &l), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_listen(p->world, l, 1), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c1), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c2), SIM_OK);
    test_pair_watch(p, c2);
    assert_int_equal(sim_tcp_connect(p->world, c1, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_accept_queue_len(p->world, l, &qlen), SIM_OK);
    assert_int_equal(qlen, 1);
    /* the queue is full: Windows refuses with RST */
    assert_int_equal(sim_tcp_connect(p->world, c2, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c1), SIM_TCP_ESTABLISHED);
    assert_int_equal(test_pair_state(p, c2), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c2, SIM_SOCK_EV_CONNECTED), SIM_E_CONNREFUSED);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_OK);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_E_WOULDBLOCK);
}

/* A queued connection reset by its peer before accept: the next accept
 * reports it once (Windows: WSAECONNRESET), then the queue is empty. */
static void
test_tcp_reset_before_accept(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId l, c, s;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    size_t qlen;

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->b, SIM_AF_INET, &l), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_listen(p->world, l, 4), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_accept_queue_len(p->world, l, &qlen), SIM_OK);
    assert_int_equal(qlen, 1);
    assert_int_equal(sim_tcp_abort(p->world, c), SIM_OK);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_accept_queue_len(p->world, l, &qlen), SIM_OK);
    assert_int_equal(qlen, 1); /* the reset is still to be reported */
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_E_CONNRESET);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_E_WOULDBLOCK);
    assert_int_equal(sim_tcp_accept_queue_len(p->world, l, &qlen), SIM_OK);
    assert_int_equal(qlen, 0);
}

static void
test_tcp_conditional_accept(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId l, c1, c2, s;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    SimSockAddr remote, local;
    size_t qlen;

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->b, SIM_AF_INET, &l), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_set_conditional_accept(p->world, l, true), SIM_OK);
    assert_int_equal(sim_tcp_listen(p->world, l, 4), SIM_OK);
    test_pair_watch(p, l);
    assert_int_equal(sim_tcp_pending_peek(p->world, l, &remote, &local), SIM_E_WOULDBLOCK);

    /* 1: held, then rejected */
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c1), SIM_OK);
    test_pair_watch(p, c1);
    assert_int_equal(sim_tcp_connect(p->world, c1, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 500 * SIM_MSEC);
    assert_int_equal(test_pair_tx_count(p), 1); /* the SYN, no SYN-ACK */
    assert_int_equal(test_pair_events(p, l), SIM_SOCK_EV_ACCEPT);
    assert_int_equal(sim_tcp_accept_queue_len(p->world, l, &qlen), SIM_OK);
    assert_int_equal(qlen, 1);
    assert_int_equal(sim_tcp_pending_peek(p->world, l, &remote, &local), SIM_OK);
    assert_int_equal(remote.port, SIM_PORT_DYNAMIC_FIRST);
    {
        SimSockAddr a_addr = test_pair_sockaddr(p, p->a, 0);

        assert_true(sim_addr_equal(&remote.addr, &a_addr.addr));
    }
    assert_int_equal(local.port, TEST_PORT);
    assert_true(sim_addr_equal(&local.addr, &dst.addr));
    assert_int_equal(sim_tcp_pending_defer(p->world, l), SIM_OK);
    test_pair_run(p, 1 * SIM_SEC); /* a retransmits its SYN: still held */
    assert_int_equal(test_pair_state(p, c1), SIM_TCP_SYN_SENT);
    assert_int_equal(test_pair_tx_count(p), 2);
    assert_int_equal(sim_tcp_pending_reject(p->world, l), SIM_OK);
    assert_int_equal(test_pair_last_tx_flags(p), SIM_TCP_RST | SIM_TCP_ACK);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c1), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c1, SIM_SOCK_EV_CONNECTED), SIM_E_CONNREFUSED);

    /* 2: held, then accepted: the SYN-ACK leaves only now */
    test_pair_tx_clear(p);
    test_pair_notes_clear(p);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c2), SIM_OK);
    test_pair_watch(p, c2);
    assert_int_equal(sim_tcp_connect(p->world, c2, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 100 * SIM_MSEC);
    assert_int_equal(test_pair_tx_count(p), 1);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_OK);
    assert_int_equal(test_pair_last_tx_flags(p), SIM_TCP_SYN | SIM_TCP_ACK);
    assert_int_equal(test_pair_state(p, s), SIM_TCP_SYN_RECEIVED);
    test_pair_watch(p, s);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c2), SIM_TCP_ESTABLISHED);
    assert_int_equal(test_pair_state(p, s), SIM_TCP_ESTABLISHED);
    assert_true(test_pair_events(p, s) & SIM_SOCK_EV_CONNECTED);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_E_WOULDBLOCK);
}

/* An accepted conditional child closed before its handshake completes:
 * the FIN waits for ESTABLISHED, even when the SYN-ACK must be resent. */
static void
test_tcp_close_in_syn_received(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId l, c, s;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    guint8 buf[16];
    size_t n;

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->b, SIM_AF_INET, &l), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_set_conditional_accept(p->world, l, true), SIM_OK);
    assert_int_equal(sim_tcp_listen(p->world, l, 4), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 10 * SIM_MSEC);
    /* the SYN-ACK is lost on the way */
    assert_int_equal(sim_link_set_up(p->world, p->link, SIM_DIR_BA, false), SIM_OK);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_OK);
    test_pair_send_all(p, s, "hi", 2);
    assert_int_equal(sim_tcp_close(p->world, s), SIM_OK);
    test_pair_run(p, 100 * SIM_MSEC);
    assert_int_equal(sim_link_set_up(p->world, p->link, SIM_DIR_BA, true), SIM_OK);
    test_pair_run(p, 3 * SIM_SEC);
    /* the retransmitted SYN-ACK, then the data, then the FIN */
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSE_WAIT);
    assert_int_equal(sim_tcp_recv(p->world, c, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(buf, "hi", 2);
    assert_int_equal(sim_tcp_recv(p->world, c, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 0);
}

static void
test_tcp_simultaneous_open(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_raw(SEED);
    SimSocketId c;
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    TestSeg seg;
    guint32 iss;

    (void) state;
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    iss = test_pair_last_tx(p)->seq;
    memset(&seg, 0, sizeof seg);
    seg.dport = test_pair_last_tx(p)->sport;
    seg.flags = SIM_TCP_SYN; /* the peer's SYN crosses ours */
    seg.seq = 900;
    seg.wnd = 65535;
    seg.mss = 1460;
    test_pair_inject(p, &seg);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_SYN_RECEIVED);
    assert_int_equal(test_pair_last_tx_flags(p), SIM_TCP_SYN | SIM_TCP_ACK);
    assert_int_equal(test_pair_last_tx(p)->seq, iss);
    assert_int_equal(test_pair_last_tx(p)->ack, 901);
    seg.flags = SIM_TCP_SYN | SIM_TCP_ACK;
    seg.ack = iss + 1;
    seg.seq = 900;
    test_pair_inject(p, &seg); /* its SYN-ACK: a duplicate SYN for us */
    seg.flags = SIM_TCP_ACK;
    seg.seq = 901;
    test_pair_inject(p, &seg);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_ESTABLISHED);
    assert_int_equal(test_pair_events(p, c), SIM_SOCK_EV_CONNECTED | SIM_SOCK_EV_WRITABLE);
}

/* ---- Crash ------------------------------------------------------------------ */

static void
test_tcp_crash_peer_reset(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    size_t n;
    guint8 buf[8];

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    test_pair_watch(p, s);
    test_pair_tx_clear(p);
    sim_node_set_up(p->world, p->b, false);
    /* b's TCBs vanish without a packet; its application sees NETDOWN */
    assert_int_equal(test_pair_tx_count(p), 0);
    assert_int_equal(test_pair_note_err(p, s, SIM_SOCK_EV_FREED), SIM_E_NETDOWN);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_E_NETDOWN);
    assert_int_equal(sim_tcp_close(p->world, s), SIM_OK);
    sim_node_set_up(p->world, p->b, true);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_ESTABLISHED); /* a knows nothing yet */
    /* a's next segment meets the restarted host: RST */
    test_pair_send_all(p, c, "ping", 4);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_last_tx_flags(p), SIM_TCP_RST);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CLOSED), SIM_E_CONNRESET);
}

/* ---- Flow control, persist -------------------------------------------------- */

static void
test_tcp_flow_control_persist(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_full(SEED, TEST_PAIR_TRACE, NULL);
    SimSocketId l, c, s;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
    static guint8 data[50000];
    g_autoptr(GByteArray) got = g_byte_array_new();
    size_t readable;
    SimTcpStats st;

    (void) state;
    fill_pattern(data, sizeof data, 7);
    assert_int_equal(sim_tcp_open(p->world, p->b, SIM_AF_INET, &l), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_set_option(p->world, l, SIM_TCP_OPT_RCVBUF, 8192), SIM_OK);
    assert_int_equal(sim_tcp_listen(p->world, l, 4), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
    assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_OK);
    test_pair_send_all(p, c, data, sizeof data);

    /* the slow reader does not read: the window closes at 8 KiB */
    test_pair_run(p, 5 * SIM_SEC);
    assert_int_equal(sim_tcp_readable_bytes(p->world, s, &readable), SIM_OK);
    assert_int_equal(readable, 8192);
    assert_int_equal(info_of(p, c).snd_wnd, 0);
    st = stats_of(p, c);
    /* The window shrank to less than a segment first: Nagle and SWS hold
     * the sender back and the persist timer (500 ms) forces it out; then
     * the window is zero and one-byte probes follow, 1 s, 2 s apart. */
    assert_int_equal(st.zero_window_probes, 2);
    assert_int_equal(st.timeouts, 0); /* probing is not retransmission */
    assert_int_equal(st.retransmits, 0);
    {
        SimTime probe_t[2];
        guint k = 0;

        for (size_t i = 0; i < test_pair_tx_count(p); i++)
            if (test_pair_tx(p, i)->from == p->a && test_pair_tx(p, i)->len == 1 && k < 2)
                probe_t[k++] = test_pair_tx(p, i)->time;
        assert_int_equal(k, 2);
        assert_int_equal(probe_t[1] - probe_t[0], 2 * SIM_SEC); /* backed off */
    }
    assert_int_equal(test_pair_state(p, c), SIM_TCP_ESTABLISHED);
    assert_non_null(strstr(p->trace->str, "zero-window probe"));

    /* the reader drains: a window update reopens the flow */
    test_pair_recv_all(p, s, got);
    assert_non_null(strstr(p->trace->str, "window update"));
    for (int i = 0; i < 200 && got->len < sizeof data; i++) {
        test_pair_run(p, 5 * SIM_MSEC);
        test_pair_recv_all(p, s, got);
    }
    assert_int_equal(got->len, sizeof data);
    assert_memory_equal(got->data, data, sizeof data);
}

/* ---- Nagle ------------------------------------------------------------------ */

static size_t
small_writes(bool nodelay)
{
    SimLinkParams lp;
    TestPair *p;
    SimSocketId c, s;
    size_t n;

    sim_link_params_init(&lp);
    lp.latency_ns = 10 * SIM_MSEC;
    p = test_pair_new_full(SEED, 0, &lp);
    test_pair_connect(p, &c, &s, NULL);
    assert_int_equal(sim_tcp_set_option(p->world, c, SIM_TCP_OPT_NODELAY, nodelay), SIM_OK);
    test_pair_tx_clear(p);
    for (int i = 0; i < 10; i++)
        test_pair_send_all(p, c, "0123456789", 10);
    test_pair_run(p, 1 * SIM_SEC);
    assert_int_equal(test_pair_recv_all(p, s, NULL), 100);
    n = test_pair_data_segs(p, p->a);
    test_pair_free(p);
    return n;
}

static void
test_tcp_nagle(void **state)
{
    (void) state;
    /* Nagle: the first small segment goes, the rest wait for its ACK and
     * then leave together */
    assert_int_equal(small_writes(false), 2);
    /* TCP_NODELAY: every write is a segment */
    assert_int_equal(small_writes(true), 10);
}

/* ---- Delayed ACK ------------------------------------------------------------- */

static void
test_tcp_delayed_ack(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    static guint8 big[2 * MSS];
    const TestSeg *d, *a;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_run(p, 1 * SIM_SEC);
    test_pair_tx_clear(p);
    /* one segment: acknowledged after 200 ms */
    test_pair_send_all(p, c, "x", 1);
    test_pair_run(p, 500 * SIM_MSEC);
    assert_int_equal(test_pair_tx_count(p), 2);
    d = test_pair_tx(p, 0);
    a = test_pair_tx(p, 1);
    assert_int_equal(a->from, p->b);
    assert_int_equal(a->ack, d->seq + 1);
    assert_int_equal(a->time - d->time, 1 * SIM_MSEC + 200 * SIM_MSEC);
    /* two segments: acknowledged at once */
    test_pair_tx_clear(p);
    test_pair_send_all(p, c, big, sizeof big);
    test_pair_run(p, 50 * SIM_MSEC);
    assert_int_equal(test_pair_tx_count(p), 3);
    a = test_pair_tx(p, 2);
    assert_int_equal(a->from, p->b);
    assert_int_equal(a->time - test_pair_tx(p, 1)->time, 1 * SIM_MSEC);
    assert_int_equal(test_pair_recv_all(p, s, NULL), 1 + sizeof big);
}

/* ---- Congestion control -------------------------------------------------------- */

static void
inject_ack(TestPair *p, SimSocketId c, guint32 seq, guint32 ack, guint32 wnd)
{
    TestSeg seg;
    SimSockAddr la;

    assert_int_equal(sim_tcp_local_addr(p->world, c, &la), SIM_OK);
    memset(&seg, 0, sizeof seg);
    seg.dport = la.port;
    seg.flags = SIM_TCP_ACK;
    seg.seq = seq;
    seg.ack = ack;
    seg.wnd = wnd;
    test_pair_inject(p, &seg);
}

static void
test_tcp_slow_start_growth(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_raw(SEED);
    static guint8 data[60000];
    guint32 iss, peer = 5000;
    SimSocketId c;
    SimTcpInfo info;

    (void) state;
    c = test_pair_raw_connect(p, peer, 65535, &iss);
    info = info_of(p, c);
    assert_int_equal(info.cwnd, 10 * MSS); /* RFC 6928 */
    assert_int_equal(info.snd_wscale, 0);  /* the peer offered no scaling */
    test_pair_send_all(p, c, data, sizeof data);
    assert_int_equal(test_pair_data_segs(p, p->a), 10); /* IW */
    /* each ACK of one segment opens cwnd by one MSS (RFC 5681 eq. 2) ... */
    for (guint32 i = 1; i <= 10; i++) {
        test_pair_tx_clear(p);
        inject_ack(p, c, peer + 1, iss + 1 + i * MSS, 65535);
        assert_int_equal(info_of(p, c).cwnd, (10 + i) * MSS);
        /* ... and releases two new segments */
        assert_int_equal(test_pair_data_segs(p, p->a), 2);
    }
    assert_int_equal(info_of(p, c).cwnd, 20 * MSS); /* doubled in one RTT */
    assert_false(info_of(p, c).in_recovery);
}

static void
test_tcp_fast_retransmit(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_raw(SEED);
    static guint8 data[60000];
    guint32 iss, peer = 5000, una;
    SimSocketId c;
    SimTcpInfo info;
    const TestSeg *rx;

    (void) state;
    c = test_pair_raw_connect(p, peer, 65535, &iss);
    test_pair_send_all(p, c, data, sizeof data);
    una = iss + 1;
    /* segment 1 lost: three duplicate ACKs for it */
    inject_ack(p, c, peer + 1, una, 65535);
    inject_ack(p, c, peer + 1, una, 65535);
    test_pair_tx_clear(p);
    assert_int_equal(stats_of(p, c).fast_retransmits, 0);
    inject_ack(p, c, peer + 1, una, 65535);
    info = info_of(p, c);
    assert_int_equal(stats_of(p, c).fast_retransmits, 1);
    assert_true(info.in_recovery);
    assert_int_equal(info.ssthresh, 10 * MSS / 2); /* flight / 2 */
    assert_int_equal(info.cwnd, info.ssthresh + 3 * MSS);
    rx = test_pair_tx(p, 0);
    assert_int_equal(rx->seq, una); /* the hole, sent again at once */
    assert_int_equal(rx->len, MSS);
    /* more dupacks inflate the window by one MSS each */
    inject_ack(p, c, peer + 1, una, 65535);
    assert_int_equal(info_of(p, c).cwnd, info.ssthresh + 4 * MSS);
    /* a partial ACK retransmits the next hole and stays in recovery */
    test_pair_tx_clear(p);
    inject_ack(p, c, peer + 1, una + 2 * MSS, 65535);
    assert_true(info_of(p, c).in_recovery);
    assert_int_equal(test_pair_tx(p, 0)->seq, una + 2 * MSS);
    /* the full ACK (everything sent before the loss) ends recovery with
     * cwnd deflated to ssthresh (RFC 6582 §3.2 step 3) */
    inject_ack(p, c, peer + 1, una + 10 * MSS, 65535);
    info = info_of(p, c);
    assert_false(info.in_recovery);
    assert_true(info.cwnd <= 5 * MSS);
}

static void
test_tcp_rto_collapse_and_limit(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_raw(SEED);
    static guint8 data[20000];
    guint32 iss, peer = 5000;
    SimSocketId c;
    SimTcpInfo info;
    SimTime t0, want;

    (void) state;
    c = test_pair_raw_connect(p, peer, 65535, &iss);
    test_pair_watch(p, c);
    assert_int_equal(info_of(p, c).rto_ns, 300 * SIM_MSEC); /* the minimum */
    t0 = sim_world_now(p->world);
    test_pair_send_all(p, c, data, sizeof data);
    test_pair_tx_clear(p);
    test_pair_run(p, 300 * SIM_MSEC);
    /* RTO: one segment again, cwnd one MSS, ssthresh half the flight */
    assert_int_equal(test_pair_tx_count(p), 1);
    assert_int_equal(test_pair_tx(p, 0)->seq, iss + 1);
    assert_int_equal(test_pair_tx(p, 0)->time, t0 + 300 * SIM_MSEC);
    info = info_of(p, c);
    assert_int_equal(info.cwnd, MSS);
    assert_int_equal(info.ssthresh, 10 * MSS / 2);
    assert_int_equal(stats_of(p, c).timeouts, 1);
    /* exponential backoff: 0.3, 0.6, 1.2, 2.4, 4.8 s between tries, then
     * the 6th expiry gives up (5 retransmissions, Windows' default) */
    test_pair_run(p, 30 * SIM_SEC);
    assert_int_equal(test_pair_tx_count(p), 6);
    want = t0;
    for (int i = 0; i < 5; i++) {
        want += (300 * SIM_MSEC) << i;
        assert_int_equal(test_pair_tx(p, i)->time, want);
    }
    assert_int_equal(test_pair_tx(p, 5)->flags, SIM_TCP_RST | SIM_TCP_ACK);
    assert_int_equal(test_pair_tx(p, 5)->time, want + (300 * SIM_MSEC << 5));
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CLOSED), SIM_E_CONNABORTED);
}

/* ---- Urgent data -------------------------------------------------------------- */

static void
urgent_setup(TestPair *p, SimSocketId *out_c, SimSocketId *out_s, bool inline_)
{
    size_t n;

    test_pair_connect(p, out_c, out_s, NULL);
    test_pair_watch(p, *out_s);
    assert_int_equal(sim_tcp_set_option(p->world, *out_s, SIM_TCP_OPT_OOBINLINE, inline_), SIM_OK);
    test_pair_send_all(p, *out_c, "abc", 3);
    assert_int_equal(sim_tcp_send(p->world, *out_c, "X", 1, SIM_TCP_SEND_OOB, &n), SIM_OK);
    assert_int_equal(n, 1);
    test_pair_send_all(p, *out_c, "def", 3);
    test_pair_run(p, 500 * SIM_MSEC);
}

static void
test_tcp_urgent_out_of_band(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    guint8 buf[16];
    size_t n, readable;
    bool at_mark, pending;
    guint32 ev;

    (void) state;
    urgent_setup(p, &c, &s, false);
    assert_true(test_pair_events(p, s) & SIM_SOCK_EV_OOB);
    assert_int_equal(sim_tcp_poll(p->world, s, &ev), SIM_OK);
    assert_true(ev & SIM_SOCK_EV_OOB);
    assert_int_equal(sim_tcp_readable_bytes(p->world, s, &readable), SIM_OK);
    assert_int_equal(readable, 6); /* the urgent byte is not in band */
    assert_int_equal(sim_tcp_urgent_state(p->world, s, &at_mark, &pending), SIM_OK);
    assert_false(at_mark);
    assert_true(pending);
    /* a read stops at the mark */
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(sim_tcp_urgent_state(p->world, s, &at_mark, &pending), SIM_OK);
    assert_true(at_mark);
    assert_true(pending);
    /* the out-of-band byte */
    assert_int_equal(
        sim_tcp_recv(p->world, s, buf, sizeof buf, SIM_TCP_RECV_OOB | SIM_TCP_RECV_PEEK, &n),
        SIM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, SIM_TCP_RECV_OOB, &n), SIM_OK);
    assert_int_equal(n, 1);
    assert_int_equal(buf[0], 'X');
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, SIM_TCP_RECV_OOB, &n),
                     SIM_E_WOULDBLOCK);
    assert_int_equal(sim_tcp_urgent_state(p->world, s, &at_mark, &pending), SIM_OK);
    assert_false(pending); /* Windows SIOCATMARK: TRUE now */
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "def", 3);
    assert_int_equal(sim_tcp_urgent_state(p->world, s, &at_mark, &pending), SIM_OK);
    assert_false(at_mark);
}

static void
test_tcp_urgent_inline(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    guint8 buf[16];
    size_t n, readable;
    bool at_mark, pending;

    (void) state;
    urgent_setup(p, &c, &s, true);
    assert_true(test_pair_events(p, s) & SIM_SOCK_EV_OOB);
    assert_int_equal(sim_tcp_readable_bytes(p->world, s, &readable), SIM_OK);
    assert_int_equal(readable, 7);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, SIM_TCP_RECV_OOB, &n), SIM_E_INVAL);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, SIM_TCP_RECV_PEEK, &n), SIM_OK);
    assert_int_equal(n, 3); /* peeking stops at the mark too */
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(sim_tcp_urgent_state(p->world, s, &at_mark, &pending), SIM_OK);
    assert_true(at_mark);
    assert_true(pending);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "Xdef", 4);
    assert_int_equal(sim_tcp_urgent_state(p->world, s, &at_mark, &pending), SIM_OK);
    assert_false(at_mark);
    assert_false(pending);
}

/* ---- Keep-alive ---------------------------------------------------------------- */

static void
test_tcp_keepalive_dead_peer(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_full(SEED, TEST_PAIR_TRACE, NULL);
    SimSocketId c, s;
    SimTime t0;
    const TestNote *n;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_set_keepalive(p->world, c, true, 10 * SIM_SEC, 1 * SIM_SEC), SIM_OK);
    t0 = sim_world_now(p->world);
    /* a live peer answers the probes: nothing happens */
    test_pair_run(p, 25 * SIM_SEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_ESTABLISHED);
    assert_int_equal(stats_of(p, c).keepalive_probes, 2); /* at 10 and 20.x s */
    /* the peer's host dies without a word */
    sim_node_set_up(p->world, p->b, false);
    t0 = sim_world_now(p->world);
    test_pair_run(p, 60 * SIM_SEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CLOSED), SIM_E_NETRESET);
    n = &g_array_index(p->notes, TestNote, p->notes->len - 1);
    /* idle 10 s after the last answer, 10 probes 1 s apart, then give up */
    assert_true(n->time > t0 + 10 * SIM_SEC && n->time <= t0 + 21 * SIM_SEC);
    assert_non_null(strstr(p->trace->str, "keep-alive: peer dead"));
    sim_node_set_up(p->world, p->b, true);
}

/* Probes closer together than the out-of-window reply limit (500 ms) are
 * still all answered. */
static void
test_tcp_keepalive_fast_probes(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    assert_int_equal(sim_tcp_set_keepalive(p->world, c, true, 100 * SIM_MSEC, 100 * SIM_MSEC),
                     SIM_OK);
    assert_int_equal(sim_tcp_set_option(p->world, c, SIM_TCP_OPT_KEEPALIVE_PROBES, 2), SIM_OK);
    test_pair_run(p, 10 * SIM_SEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_ESTABLISHED);
    assert_true(stats_of(p, c).keepalive_probes >= 90);
}

/* One timer event per TCB: a handler that re-arms its own timer later than
 * another deadline still pending must not leave the event after that
 * deadline (fuzz regress/wsp/tcp-timer-deadline-invariant: T_REXMT re-armed
 * at the backed-off RTO past a pending T_PERSIST). */
static void
test_tcp_timer_rearm_keeps_earlier_deadline(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    SimTcb *tcb;
    SimTime now;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    assert_int_equal(sim_tcp_set_keepalive(p->world, c, true, 10 * SIM_SEC, 1 * SIM_SEC), SIM_OK);
    tcb = tcb_of(p, c);
    now = sim_world_now(p->world);
    sim__tcp_enter(tcb->tw);
    /* keep-alive due first; its handler re-arms it 1 s later, past another
     * deadline still pending at +200 ms (T_2MSL: a no-op in ESTABLISHED) */
    sim__tcp_timer_set(tcb, SIM_TCP_T_KEEP, now + 100 * SIM_MSEC);
    sim__tcp_timer_set(tcb, SIM_TCP_T_2MSL, now + 200 * SIM_MSEC);
    sim__tcp_leave(tcb->tw);
    assert_int_equal(tcb->timer_at, now + 100 * SIM_MSEC);
    test_pair_run(p, 150 * SIM_MSEC);
    assert_int_equal(stats_of(p, c).keepalive_probes, 1);
    assert_int_equal(tcb->deadline[SIM_TCP_T_2MSL], now + 200 * SIM_MSEC);
    assert_int_equal(tcb->timer_at, now + 200 * SIM_MSEC);
    test_pair_run(p, 100 * SIM_MSEC);
    assert_int_equal(tcb->deadline[SIM_TCP_T_2MSL], 0); /* it fired on time */
    assert_true(tcb->timer_at > now + SIM_SEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_ESTABLISHED);
}

/* ---- Shutdown(receive), data after close, linger ---------------------------------- */

static void
test_tcp_shutdown_recv_rst(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    guint8 buf[8];
    size_t n;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_shutdown(p->world, s, SIM_TCP_SHUT_RECV), SIM_OK);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_E_SHUTDOWN);
    test_pair_send_all(p, s, "still", 5); /* the send side is untouched */
    test_pair_send_all(p, c, "late", 4);
    test_pair_run(p, 10 * SIM_MSEC);
    /* Windows: data after SD_RECEIVE resets the connection */
    assert_int_equal(test_pair_state(p, s), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CLOSED), SIM_E_CONNRESET);
}

static void
test_tcp_shutdown_recv_discard(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    size_t readable;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    assert_int_equal(sim_tcp_set_option(p->world, s, SIM_TCP_OPT_RST_ON_RECV_SHUTDOWN, 0), SIM_OK);
    assert_int_equal(sim_tcp_shutdown(p->world, s, SIM_TCP_SHUT_RECV), SIM_OK);
    test_pair_send_all(p, c, "late", 4);
    test_pair_run(p, 500 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, s), SIM_TCP_ESTABLISHED);
    assert_int_equal(sim_tcp_readable_bytes(p->world, s, &readable), SIM_OK);
    assert_int_equal(readable, 0);
    assert_int_equal(info_of(p, c).flight, 0); /* acknowledged all the same */
}

static void
test_tcp_data_after_close_rst(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_close(p->world, s), SIM_OK);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSE_WAIT);
    test_pair_send_all(p, c, "anyone?", 7);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_int_equal(test_pair_note_err(p, c, SIM_SOCK_EV_CLOSED), SIM_E_CONNRESET);
}

static void
test_tcp_linger_acked(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    static guint8 data[30000];
    bool acked;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    test_pair_send_all(p, c, data, sizeof data);
    assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
    assert_int_equal(sim_tcp_all_acked(p->world, c, &acked), SIM_OK);
    assert_false(acked);
    assert_int_equal(sim_tcp_watch_acked(p->world, c), SIM_OK);
    test_pair_run(p, 100 * SIM_MSEC);
    assert_true(test_pair_events(p, c) & SIM_TCP_EV_ACKED);
    assert_int_equal(sim_tcp_all_acked(p->world, c, &acked), SIM_OK);
    assert_true(acked);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_FIN_WAIT_2);
    /* armed when already acknowledged: reported at once */
    test_pair_notes_clear(p);
    assert_int_equal(sim_tcp_watch_acked(p->world, c), SIM_OK);
    assert_int_equal(test_pair_events(p, c), SIM_TCP_EV_ACKED);
}

/* SIM_TCP_EV_ENDED: the active closer hears of it only when TIME_WAIT
 * (2 x MSL, 1 s each by default) has expired, the passive closer when its
 * FIN is acknowledged; armed on a CLOSED TCB it comes at once. */
static void
test_tcp_watch_ended(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    SimTime t0;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    test_pair_watch(p, s);
    assert_int_equal(sim_tcp_watch_ended(p->world, c), SIM_OK);
    assert_int_equal(sim_tcp_watch_ended(p->world, s), SIM_OK);
    assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
    test_pair_run(p, 100 * SIM_MSEC);
    assert_int_equal(sim_tcp_shutdown(p->world, s, SIM_TCP_SHUT_SEND), SIM_OK);
    t0 = sim_world_now(p->world);
    test_pair_run(p, 100 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, s), SIM_TCP_CLOSED);
    assert_true(test_pair_events(p, s) & SIM_TCP_EV_ENDED);
    assert_int_equal(test_pair_note_err(p, s, SIM_TCP_EV_ENDED), SIM_OK);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_TIME_WAIT);
    assert_false(test_pair_events(p, c) & SIM_TCP_EV_ENDED);
    test_pair_run(p, t0 + 2 * SIM_SEC - 10 * SIM_MSEC - sim_world_now(p->world));
    assert_false(test_pair_events(p, c) & SIM_TCP_EV_ENDED);
    test_pair_run(p, 100 * SIM_MSEC);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
    assert_true(test_pair_events(p, c) & SIM_TCP_EV_ENDED);
    /* armed when already CLOSED: reported at once */
    test_pair_notes_clear(p);
    assert_int_equal(sim_tcp_watch_ended(p->world, c), SIM_OK);
    assert_int_equal(test_pair_events(p, c), SIM_TCP_EV_ENDED);
}

/* ---- MSS, window scale ------------------------------------------------------- */

static void
test_tcp_mss_from_path_mtu(void **state)
{
    SimLinkParams lp;
    g_autoptr(TestPair) p = NULL;
    SimSocketId c, s;

    (void) state;
    sim_link_params_init(&lp);
    lp.latency_ns = 1 * SIM_MSEC;
    lp.mtu = 1000;
    p = test_pair_new_full(SEED, 0, &lp);
    test_pair_connect(p, &c, &s, NULL);
    assert_int_equal(test_pair_tx(p, 0)->mss, 960);
    assert_int_equal(info_of(p, c).mss, 960);
    assert_int_equal(info_of(p, s).mss, 960);
}

/* ---- Poll and peek ----------------------------------------------------------- */

static void
test_tcp_poll_levels(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId l, c, s;
    guint32 ev;
    guint8 buf[8];
    size_t n;

    (void) state;
    test_pair_connect(p, &c, &s, &l);
    assert_int_equal(sim_tcp_poll(p->world, l, &ev), SIM_OK);
    assert_int_equal(ev, 0);
    assert_int_equal(sim_tcp_poll(p->world, s, &ev), SIM_OK);
    assert_int_equal(ev, SIM_SOCK_EV_WRITABLE);
    test_pair_send_all(p, c, "peek", 4);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_poll(p->world, s, &ev), SIM_OK);
    assert_int_equal(ev, SIM_SOCK_EV_WRITABLE | SIM_SOCK_EV_READABLE);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, 2, SIM_TCP_RECV_PEEK, &n), SIM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "peek", 4);
    assert_int_equal(sim_tcp_recv(p->world, s, buf, sizeof buf, 0, &n), SIM_E_WOULDBLOCK);
    assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_poll(p->world, s, &ev), SIM_OK);
    assert_int_equal(ev, SIM_SOCK_EV_WRITABLE | SIM_SOCK_EV_READABLE | SIM_SOCK_EV_CLOSED);
    assert_int_equal(sim_tcp_close(p->world, l), SIM_OK);
}

static void
test_tcp_writable_after_wouldblock(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId c, s;
    static guint8 data[100000];
    size_t n, total = 0;

    (void) state;
    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    assert_int_equal(sim_tcp_send(p->world, c, data, sizeof data, 0, &n), SIM_OK);
    assert_int_equal(n, 65536); /* SO_SNDBUF: a partial send */
    assert_int_equal(sim_tcp_send(p->world, c, data, sizeof data, 0, &n), SIM_E_WOULDBLOCK);
    assert_int_equal(test_pair_events(p, c), 0);
    test_pair_run(p, 100 * SIM_MSEC);
    total += test_pair_recv_all(p, s, NULL);
    test_pair_run(p, 100 * SIM_MSEC);
    assert_true(test_pair_events(p, c) & SIM_SOCK_EV_WRITABLE);
    assert_int_equal(sim_tcp_send_space(p->world, c, &n), SIM_OK);
    assert_true(n > 0);
    total += test_pair_recv_all(p, s, NULL);
    assert_int_equal(total, 65536);
}

/* ---- The FSM cell by cell (crafted segments) ---------------------------------- */

/* Relative segment: seq is relative to the peer's next sequence number
 * (its ISS + 1), ack to ours (our ISS + 1). */
typedef struct {
    const char *name;
    guint8 flags;
    gint32 seq, ack;
    guint32 len;
    SimTcpState want_state;
    guint8 want_tx; /* flags of the segment we must send; 0 = none */
} FsmCase;

#define PEER_ISS 77000u

static void
fsm_inject(TestPair *p, SimSocketId c, guint32 iss, const FsmCase *k)
{
    TestSeg seg;
    SimSockAddr la;
    static const guint8 payload[64];

    assert_int_equal(sim_tcp_local_addr(p->world, c, &la), SIM_OK);
    memset(&seg, 0, sizeof seg);
    seg.dport = la.port;
    seg.flags = k->flags;
    seg.seq = PEER_ISS + 1 + (guint32) k->seq;
    seg.ack = iss + 1 + (guint32) k->ack;
    seg.wnd = 65535;
    seg.len = k->len;
    seg.data = payload;
    test_pair_inject(p, &seg);
}

static const FsmCase syn_sent_cases[] = {
    { "synack", SIM_TCP_SYN | SIM_TCP_ACK, -1, 0, 0, SIM_TCP_ESTABLISHED, SIM_TCP_ACK },
    { "rst-ack", SIM_TCP_RST | SIM_TCP_ACK, -1, 0, 0, SIM_TCP_CLOSED, 0 },
    { "rst-no-ack", SIM_TCP_RST, -1, 0, 0, SIM_TCP_SYN_SENT, 0 },
    { "bad-ack", SIM_TCP_ACK, -1, 9, 0, SIM_TCP_SYN_SENT, SIM_TCP_RST },
    { "old-ack", SIM_TCP_SYN | SIM_TCP_ACK, -1, -1, 0, SIM_TCP_SYN_SENT, SIM_TCP_RST },
    { "ack-only", SIM_TCP_ACK, -1, 0, 0, SIM_TCP_SYN_SENT, 0 },
    { "simultaneous", SIM_TCP_SYN, -1, 0, 0, SIM_TCP_SYN_RECEIVED, SIM_TCP_SYN | SIM_TCP_ACK },
    { "fin-only", SIM_TCP_FIN, -1, 0, 0, SIM_TCP_SYN_SENT, 0 },
};

static void
test_tcp_fsm_syn_sent(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(syn_sent_cases); i++) {
        const FsmCase *k = &syn_sent_cases[i];
        g_autoptr(TestPair) p = test_pair_new_raw(SEED);
        SimSocketId c;
        SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);
        guint32 iss;

        print_message("case %s\n", k->name);
        assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c), SIM_OK);
        assert_int_equal(sim_tcp_connect(p->world, c, &dst), SIM_E_INPROGRESS);
        iss = test_pair_last_tx(p)->seq;
        test_pair_tx_clear(p);
        fsm_inject(p, c, iss, k);
        assert_int_equal(test_pair_state(p, c), k->want_state);
        assert_int_equal(test_pair_last_tx_flags(p), k->want_tx);
    }
}

static const FsmCase established_cases[] = {
    { "data", SIM_TCP_ACK, 0, 0, 10, SIM_TCP_ESTABLISHED, 0 }, /* delayed ACK */
    { "data-out-of-order", SIM_TCP_ACK, 100, 0, 10, SIM_TCP_ESTABLISHED, SIM_TCP_ACK },
    { "old-duplicate", SIM_TCP_ACK, -20, 0, 10, SIM_TCP_ESTABLISHED, SIM_TCP_ACK },
    { "beyond-window", SIM_TCP_ACK, 70000, 0, 10, SIM_TCP_ESTABLISHED, SIM_TCP_ACK },
    { "no-ack-bit", 0, 0, 0, 10, SIM_TCP_ESTABLISHED, 0 },
    { "ack-of-unsent", SIM_TCP_ACK, 0, 500, 0, SIM_TCP_ESTABLISHED, SIM_TCP_ACK },
    { "fin", SIM_TCP_FIN | SIM_TCP_ACK, 0, 0, 0, SIM_TCP_CLOSE_WAIT, SIM_TCP_ACK },
    { "fin-out-of-order", SIM_TCP_FIN | SIM_TCP_ACK, 10, 0, 0, SIM_TCP_ESTABLISHED, SIM_TCP_ACK },
    { "rst-exact", SIM_TCP_RST, 0, 0, 0, SIM_TCP_CLOSED, 0 },
    { "rst-in-window", SIM_TCP_RST, 5, 0, 0, SIM_TCP_ESTABLISHED, SIM_TCP_ACK }, /* RFC 5961 */
    { "rst-outside", SIM_TCP_RST, 100000, 0, 0, SIM_TCP_ESTABLISHED, 0 },
    { "syn", SIM_TCP_SYN, 0, 0, 0, SIM_TCP_ESTABLISHED, SIM_TCP_ACK }, /* challenge ACK */
};

static void
test_tcp_fsm_established(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(established_cases); i++) {
        const FsmCase *k = &established_cases[i];
        g_autoptr(TestPair) p = test_pair_new_raw(SEED);
        guint32 iss;
        SimSocketId c = test_pair_raw_connect(p, PEER_ISS, 65535, &iss);

        print_message("case %s\n", k->name);
        fsm_inject(p, c, iss, k);
        assert_int_equal(test_pair_state(p, c), k->want_state);
        assert_int_equal(test_pair_last_tx_flags(p), k->want_tx);
    }
}

/* A listener on a (the real stack); b's segments are crafted. */
static const FsmCase listen_cases[] = {
    { "syn", SIM_TCP_SYN, -1, 0, 0, SIM_TCP_SYN_RECEIVED, SIM_TCP_SYN | SIM_TCP_ACK },
    { "ack", SIM_TCP_ACK, 0, 0, 0, SIM_TCP_N_STATES, SIM_TCP_RST },
    { "rst", SIM_TCP_RST, 0, 0, 0, SIM_TCP_N_STATES, 0 },
    { "fin", SIM_TCP_FIN, 0, 0, 0, SIM_TCP_N_STATES, 0 },
};

static void
test_tcp_fsm_listen(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(listen_cases); i++) {
        const FsmCase *k = &listen_cases[i];
        g_autoptr(TestPair) p = test_pair_new_raw(SEED);
        SimSocketId l;
        SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
        TestSeg seg;

        print_message("case %s\n", k->name);
        assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &l), SIM_OK);
        assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
        assert_int_equal(sim_tcp_listen(p->world, l, 4), SIM_OK);
        memset(&seg, 0, sizeof seg);
        seg.sport = 40000;
        seg.dport = TEST_PORT;
        seg.flags = k->flags;
        seg.seq = PEER_ISS + 1 + (guint32) k->seq;
        seg.ack = 12345;
        seg.wnd = 65535;
        test_pair_inject(p, &seg);
        assert_int_equal(test_pair_state(p, l), SIM_TCP_LISTEN);
        assert_int_equal(test_pair_last_tx_flags(p), k->want_tx);
        if (k->want_tx == SIM_TCP_RST)
            assert_int_equal(test_pair_last_tx(p)->seq, 12345); /* <SEQ=SEG.ACK> */
        if (k->want_state == SIM_TCP_SYN_RECEIVED) {
            SimTcb *child = g_queue_peek_head(&tcb_of(p, l)->pending);

            assert_non_null(child);
            assert_int_equal(child->state, SIM_TCP_SYN_RECEIVED);
            assert_int_equal(test_pair_last_tx(p)->ack, PEER_ISS + 1);
        }
    }
}

static void
test_tcp_fsm_syn_received(void **state)
{
    static const struct {
        const char *name;
        guint8 flags;
        gint32 ack; /* relative to the child's ISS + 1 */
        bool dup_syn;
        bool want_child;  /* still there */
        bool want_accept; /* accept succeeds */
        guint8 want_tx;
    } cases[] = {
        { "ack", SIM_TCP_ACK, 0, false, true, true, 0 },
        { "bad-ack", SIM_TCP_ACK, 5, false, true, false, SIM_TCP_RST },
        { "rst", SIM_TCP_RST, 0, false, false, false, 0 },
        { "dup-syn", SIM_TCP_SYN, 0, true, true, false, SIM_TCP_SYN | SIM_TCP_ACK },
    };

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(TestPair) p = test_pair_new_raw(SEED);
        SimSocketId l, ch;
        SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
        TestSeg seg;
        guint32 child_iss;

        print_message("case %s\n", cases[i].name);
        assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &l), SIM_OK);
        assert_int_equal(sim_tcp_bind(p->world, l, &any, 0), SIM_OK);
        assert_int_equal(sim_tcp_listen(p->world, l, 4), SIM_OK);
        memset(&seg, 0, sizeof seg);
        seg.sport = 40000;
        seg.dport = TEST_PORT;
        seg.flags = SIM_TCP_SYN;
        seg.seq = PEER_ISS;
        seg.wnd = 65535;
        seg.mss = 1460;
        test_pair_inject(p, &seg);
        child_iss = test_pair_last_tx(p)->seq;
        test_pair_tx_clear(p);
        seg.flags = cases[i].flags;
        seg.seq = cases[i].dup_syn ? PEER_ISS : PEER_ISS + 1;
        seg.ack = child_iss + 1 + (guint32) cases[i].ack;
        seg.mss = 0;
        test_pair_inject(p, &seg);
        assert_int_equal(test_pair_last_tx_flags(p), cases[i].want_tx);
        assert_int_equal(sim_tcp_accept(p->world, l, &ch) == SIM_OK, cases[i].want_accept);
        assert_int_equal(tcb_of(p, l)->pending.length + tcb_of(p, l)->acceptq.length +
                             (cases[i].want_accept ? 1 : 0),
                         cases[i].want_child ? 1 : 0);
    }
}

/* Every closing state x every segment kind.  Segments are built from the
 * TCB's own numbers: RCV.NXT for the peer's sequence, SND.UNA or SND.MAX
 * for its acknowledgment. */
typedef enum {
    K_ACK_ALL,    /* ACK of everything we sent (our FIN included) */
    K_DATA,       /* 10 bytes at RCV.NXT */
    K_FIN,        /* FIN at RCV.NXT, not acknowledging our FIN */
    K_FIN_ACKING, /* FIN at RCV.NXT acknowledging everything */
    K_RST_EXACT,  /* RST at RCV.NXT */
    K_RST_WINDOW, /* RST inside the window, not exact */
    K_SYN,        /* SYN at RCV.NXT */
    K_OLD,        /* 10 bytes wholly before RCV.NXT */
    K_N
} SegKind;

static const char *const seg_kind_name[] = {
    [K_ACK_ALL] = "ack-all", [K_DATA] = "data",
    [K_FIN] = "fin",         [K_FIN_ACKING] = "fin-acking",
    [K_RST_EXACT] = "rst",   [K_RST_WINDOW] = "rst-in-window",
    [K_SYN] = "syn",         [K_OLD] = "old",
};
G_STATIC_ASSERT(G_N_ELEMENTS(seg_kind_name) == K_N);

typedef struct {
    SimTcpState state;
    SimTcpState want[K_N];
    guint8 want_tx[K_N];
} ClosingRow;

#define A SIM_TCP_ACK
static const ClosingRow closing_rows[] = {
    { SIM_TCP_FIN_WAIT_1,
      { SIM_TCP_FIN_WAIT_2, SIM_TCP_FIN_WAIT_1, SIM_TCP_CLOSING, SIM_TCP_TIME_WAIT, SIM_TCP_CLOSED,
        SIM_TCP_FIN_WAIT_1, SIM_TCP_FIN_WAIT_1, SIM_TCP_FIN_WAIT_1 },
      { 0, 0, A, A, 0, A, A, A } },
    { SIM_TCP_FIN_WAIT_2,
      { SIM_TCP_FIN_WAIT_2, SIM_TCP_FIN_WAIT_2, SIM_TCP_TIME_WAIT, SIM_TCP_TIME_WAIT,
        SIM_TCP_CLOSED, SIM_TCP_FIN_WAIT_2, SIM_TCP_FIN_WAIT_2, SIM_TCP_FIN_WAIT_2 },
      { 0, 0, A, A, 0, A, A, A } },
    { SIM_TCP_CLOSE_WAIT,
      { SIM_TCP_CLOSE_WAIT, SIM_TCP_CLOSE_WAIT, SIM_TCP_CLOSE_WAIT, SIM_TCP_CLOSE_WAIT,
        SIM_TCP_CLOSED, SIM_TCP_CLOSE_WAIT, SIM_TCP_CLOSE_WAIT, SIM_TCP_CLOSE_WAIT },
      { 0, 0, 0, 0, 0, A, A, A } },
    { SIM_TCP_CLOSING,
      { SIM_TCP_TIME_WAIT, SIM_TCP_CLOSING, SIM_TCP_CLOSING, SIM_TCP_TIME_WAIT, SIM_TCP_CLOSED,
        SIM_TCP_CLOSING, SIM_TCP_CLOSING, SIM_TCP_CLOSING },
      { 0, 0, 0, 0, 0, A, A, A } },
    { SIM_TCP_LAST_ACK,
      { SIM_TCP_CLOSED, SIM_TCP_LAST_ACK, SIM_TCP_LAST_ACK, SIM_TCP_CLOSED, SIM_TCP_CLOSED,
        SIM_TCP_LAST_ACK, SIM_TCP_LAST_ACK, SIM_TCP_LAST_ACK },
      { 0, 0, 0, 0, 0, A, A, A } },
};
#undef A

static void
inject_rel(TestPair *p, SimSocketId c, guint8 flags, guint32 seq, guint32 ack, guint32 len)
{
    static const guint8 payload[16];
    TestSeg seg;
    SimSockAddr la;

    assert_int_equal(sim_tcp_local_addr(p->world, c, &la), SIM_OK);
    memset(&seg, 0, sizeof seg);
    seg.dport = la.port;
    seg.flags = flags;
    seg.seq = seq;
    seg.ack = ack;
    seg.wnd = 65535;
    seg.len = len;
    seg.data = payload;
    test_pair_inject(p, &seg);
}

/* Raw mode: drive a new connection into @want. */
static SimSocketId
reach_state(TestPair *p, SimTcpState want)
{
    guint32 iss;
    SimSocketId c = test_pair_raw_connect(p, PEER_ISS, 65535, &iss);
    const guint32 peer = PEER_ISS + 1;

    switch (want) {
    case SIM_TCP_FIN_WAIT_1:
        assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
        break;
    case SIM_TCP_FIN_WAIT_2:
        assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
        inject_rel(p, c, SIM_TCP_ACK, peer, iss + 2, 0);
        break;
    case SIM_TCP_CLOSE_WAIT:
        inject_rel(p, c, SIM_TCP_FIN | SIM_TCP_ACK, peer, iss + 1, 0);
        break;
    case SIM_TCP_CLOSING:
        assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
        inject_rel(p, c, SIM_TCP_FIN | SIM_TCP_ACK, peer, iss + 1, 0);
        break;
    case SIM_TCP_LAST_ACK:
        inject_rel(p, c, SIM_TCP_FIN | SIM_TCP_ACK, peer, iss + 1, 0);
        assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
        break;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_TIME_WAIT:
    case SIM_TCP_N_STATES:
        fail();
    }
    assert_int_equal(test_pair_state(p, c), want);
    test_pair_tx_clear(p);
    return c;
}

static void
test_tcp_fsm_closing_states(void **state)
{
    (void) state;
    for (size_t r = 0; r < G_N_ELEMENTS(closing_rows); r++) {
        const ClosingRow *row = &closing_rows[r];

        for (int k = 0; k < K_N; k++) {
            g_autoptr(TestPair) p = test_pair_new_raw(SEED);
            SimSocketId c = reach_state(p, row->state);
            SimTcb *tcb = tcb_of(p, c);
            guint32 rn = tcb->rcv_nxt, una = tcb->snd_una, max = tcb->snd_max;

            print_message("case %s x %s\n", sim_tcp_state_name(row->state), seg_kind_name[k]);
            switch ((SegKind) k) {
            case K_ACK_ALL:
                inject_rel(p, c, SIM_TCP_ACK, rn, max, 0);
                break;
            case K_DATA:
                inject_rel(p, c, SIM_TCP_ACK, rn, una, 10);
                break;
            case K_FIN:
                inject_rel(p, c, SIM_TCP_FIN | SIM_TCP_ACK, rn, una, 0);
                break;
            case K_FIN_ACKING:
                inject_rel(p, c, SIM_TCP_FIN | SIM_TCP_ACK, rn, max, 0);
                break;
            case K_RST_EXACT:
                inject_rel(p, c, SIM_TCP_RST, rn, 0, 0);
                break;
            case K_RST_WINDOW:
                inject_rel(p, c, SIM_TCP_RST, rn + 5, 0, 0);
                break;
            case K_SYN:
                inject_rel(p, c, SIM_TCP_SYN, rn, 0, 0);
                break;
            case K_OLD:
                inject_rel(p, c, SIM_TCP_ACK, rn - 20, una, 10);
                break;
            case K_N:
                fail();
            }
            assert_int_equal(test_pair_state(p, c), row->want[k]);
            assert_int_equal(test_pair_last_tx_flags(p), row->want_tx[k]);
        }
    }
}

static void
test_tcp_fsm_time_wait(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_raw(SEED);
    guint32 iss;
    SimSocketId c = test_pair_raw_connect(p, PEER_ISS, 65535, &iss);
    static const FsmCase fin = { "fin", SIM_TCP_FIN | SIM_TCP_ACK, 0, 1, 0, 0, 0 };
    static const FsmCase refin = { "fin-again", SIM_TCP_FIN | SIM_TCP_ACK, 0, 1, 0, 0, 0 };
    static const FsmCase rst = { "rst", SIM_TCP_RST, 1, 0, 0, 0, 0 };
    static const FsmCase ack = { "ack-of-fin", SIM_TCP_ACK, 0, 1, 0, 0, 0 };
    SimTime t;

    (void) state;
    assert_int_equal(sim_tcp_shutdown(p->world, c, SIM_TCP_SHUT_SEND), SIM_OK);
    assert_int_equal(test_pair_last_tx_flags(p), SIM_TCP_FIN | SIM_TCP_ACK);
    fsm_inject(p, c, iss, &ack);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_FIN_WAIT_2);
    fsm_inject(p, c, iss, &fin);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_TIME_WAIT);
    assert_int_equal(test_pair_last_tx_flags(p), SIM_TCP_ACK);
    /* a retransmitted FIN is acknowledged again and restarts the wait:
     * 2 MSL plus twice the gap since the peer's previous segment (1.5 s),
     * our deviation for the short default MSL (doc/tcp.md) */
    test_pair_run(p, 1500 * SIM_MSEC);
    test_pair_tx_clear(p);
    t = sim_world_now(p->world);
    fsm_inject(p, c, iss, &refin);
    assert_int_equal(test_pair_last_tx_flags(p), SIM_TCP_ACK);
    assert_int_equal(test_pair_last_tx(p)->ack, PEER_ISS + 2);
    /* RST is ignored in TIME_WAIT (RFC 1337) */
    fsm_inject(p, c, iss, &rst);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_TIME_WAIT);
    test_pair_run(p, t + 5 * SIM_SEC - sim_world_now(p->world) - 1);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_TIME_WAIT);
    test_pair_run(p, 1);
    assert_int_equal(test_pair_state(p, c), SIM_TCP_CLOSED);
}

static void
test_tcp_reassembly(void **state)
{
    g_autoptr(TestPair) p = test_pair_new_raw(SEED);
    guint32 iss;
    SimSocketId c = test_pair_raw_connect(p, PEER_ISS, 65535, &iss);
    static guint8 stream[40];
    SimSockAddr la;
    TestSeg seg;
    guint8 buf[64];
    size_t n;
    /* pieces of a 40-byte stream: out of order, overlapping, duplicated */
    static const struct {
        guint32 off, len;
    } pieces[] = { { 30, 10 }, { 10, 10 }, { 10, 10 }, { 15, 20 }, { 0, 12 } };

    (void) state;
    fill_pattern(stream, sizeof stream, 3);
    assert_int_equal(sim_tcp_local_addr(p->world, c, &la), SIM_OK);
    for (size_t i = 0; i < G_N_ELEMENTS(pieces); i++) {
        memset(&seg, 0, sizeof seg);
        seg.dport = la.port;
        seg.flags = SIM_TCP_ACK;
        seg.seq = PEER_ISS + 1 + pieces[i].off;
        seg.ack = iss + 1;
        seg.wnd = 65535;
        seg.len = pieces[i].len;
        seg.data = stream + pieces[i].off;
        test_pair_inject(p, &seg);
        if (i + 1 < G_N_ELEMENTS(pieces)) {
            /* a hole remains: a duplicate ACK for byte 0 */
            assert_int_equal(test_pair_last_tx(p)->ack, PEER_ISS + 1);
            assert_int_equal(sim_tcp_recv(p->world, c, buf, sizeof buf, 0, &n), SIM_E_WOULDBLOCK);
        }
    }
    assert_int_equal(test_pair_last_tx(p)->ack, PEER_ISS + 1 + 40); /* gap filled: ACK now */
    assert_int_equal(sim_tcp_recv(p->world, c, buf, sizeof buf, 0, &n), SIM_OK);
    assert_int_equal(n, 40);
    assert_memory_equal(buf, stream, 40);
}

static void
test_tcp_listener_close_resets_children(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId l, c, s;

    (void) state;
    test_pair_connect(p, &c, &s, &l);
    assert_int_equal(sim_tcp_close(p->world, s), SIM_OK);
    {
        SimSocketId c2;
        SimSockAddr dst = test_pair_sockaddr(p, p->b, TEST_PORT);

        assert_int_equal(sim_tcp_open(p->world, p->a, SIM_AF_INET, &c2), SIM_OK);
        test_pair_watch(p, c2);
        assert_int_equal(sim_tcp_connect(p->world, c2, &dst), SIM_E_INPROGRESS);
        test_pair_run(p, 10 * SIM_MSEC);
        assert_int_equal(test_pair_state(p, c2), SIM_TCP_ESTABLISHED); /* queued, not accepted */
        assert_int_equal(sim_tcp_close(p->world, l), SIM_OK);
        test_pair_run(p, 10 * SIM_MSEC);
        assert_int_equal(test_pair_state(p, c2), SIM_TCP_CLOSED);
        assert_int_equal(test_pair_note_err(p, c2, SIM_SOCK_EV_CLOSED), SIM_E_CONNRESET);
    }
}

/* ---- IPv6 and loopback ---------------------------------------------------- */

static void
exchange(TestPair *p, SimNodeId cn, SimNodeId sn, SimFamily fam, const SimSockAddr *bind_addr,
         const SimSockAddr *dst, guint32 want_mss)
{
    SimSocketId l, c, s = 0;
    static guint8 data[20000];
    g_autoptr(GByteArray) got = g_byte_array_new();
    SimSockAddr la;

    fill_pattern(data, sizeof data, 11);
    assert_int_equal(sim_tcp_open(p->world, sn, fam, &l), SIM_OK);
    assert_int_equal(sim_tcp_bind(p->world, l, bind_addr, 0), SIM_OK);
    assert_int_equal(sim_tcp_listen(p->world, l, 4), SIM_OK);
    assert_int_equal(sim_tcp_open(p->world, cn, fam, &c), SIM_OK);
    assert_int_equal(sim_tcp_connect(p->world, c, dst), SIM_E_INPROGRESS);
    test_pair_run(p, 10 * SIM_MSEC);
    assert_int_equal(sim_tcp_accept(p->world, l, &s), SIM_OK);
    assert_int_equal(info_of(p, c).mss, want_mss);
    assert_int_equal(sim_tcp_local_addr(p->world, c, &la), SIM_OK);
    assert_int_equal(la.addr.family, fam);
    test_pair_send_all(p, c, data, sizeof data);
    for (int i = 0; i < 100 && got->len < sizeof data; i++) {
        test_pair_run(p, 5 * SIM_MSEC);
        test_pair_recv_all(p, s, got);
    }
    assert_int_equal(got->len, sizeof data);
    assert_memory_equal(got->data, data, sizeof data);
    assert_int_equal(sim_tcp_close(p->world, c), SIM_OK);
    assert_int_equal(sim_tcp_close(p->world, s), SIM_OK);
    assert_int_equal(sim_tcp_close(p->world, l), SIM_OK);
}

static void
test_tcp_ipv6(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimAddr a6, b6;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET6), TEST_PORT };
    SimSockAddr dst;

    (void) state;
    assert_true(sim_addr_parse("fd00::1", &a6));
    assert_true(sim_addr_parse("fd00::2", &b6));
    assert_int_equal(sim_node_add_addr(p->world, p->a, &a6, 64), SIM_OK);
    assert_int_equal(sim_node_add_addr(p->world, p->b, &b6, 64), SIM_OK);
    dst.addr = b6;
    dst.port = TEST_PORT;
    exchange(p, p->a, p->b, SIM_AF_INET6, &any, &dst, 1500 - 60);
}

static void
test_tcp_loopback(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr dst;

    (void) state;
    assert_true(sim_addr_parse("127.0.0.1", &dst.addr));
    dst.port = TEST_PORT;
    exchange(p, p->a, p->a, SIM_AF_INET, &any, &dst, SIM_NET_LOOPBACK_MTU - 40);
}

/* A send that fills the buffer only partly arms the writable notification,
 * as E_WOULDBLOCK does: a blocking sender waiting for room must hear when
 * ACKs free it (found by a 1 MB blocking transfer that stalled at 64 KiB). */
static void
test_tcp_partial_send_arms_writable(void **state)
{
    (void) state;
    g_autoptr(TestPair) p = test_pair_new(1);
    SimSocketId c, s;
    static guint8 big[200000];
    size_t n = 0;

    test_pair_connect(p, &c, &s, NULL);
    test_pair_watch(p, c);
    test_pair_notes_clear(p);
    assert_int_equal(sim_tcp_send(p->world, c, big, sizeof big, 0, &n), SIM_OK);
    assert_true(n > 0 && n < sizeof big); /* partial: the buffer is full */
    test_pair_run(p, 2 * SIM_SEC);        /* ACKs free the buffer */
    assert_true(test_pair_events(p, c) & SIM_SOCK_EV_WRITABLE);
    GByteArray *got = g_byte_array_new();
    test_pair_recv_all(p, s, got);
    assert_int_equal(got->len, n);
    g_byte_array_free(got, TRUE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_partial_send_arms_writable),
        cmocka_unit_test(test_tcp_seq_wraparound),
        cmocka_unit_test(test_tcp_fsm_tables),
        cmocka_unit_test(test_tcp_handshake),
        cmocka_unit_test(test_tcp_refused),
        cmocka_unit_test(test_tcp_syn_timeout),
        cmocka_unit_test(test_tcp_unreachable),
        cmocka_unit_test(test_tcp_icmp_unreachable),
        cmocka_unit_test(test_tcp_close_client_first),
        cmocka_unit_test(test_tcp_close_server_first),
        cmocka_unit_test(test_tcp_close_simultaneous),
        cmocka_unit_test(test_tcp_abort_rst),
        cmocka_unit_test(test_tcp_close_unread_resets),
        cmocka_unit_test(test_tcp_time_wait_blocks_rebind),
        cmocka_unit_test(test_tcp_bind_rules),
        cmocka_unit_test(test_tcp_backlog_full_rst),
        cmocka_unit_test(test_tcp_reset_before_accept),
        cmocka_unit_test(test_tcp_conditional_accept),
        cmocka_unit_test(test_tcp_close_in_syn_received),
        cmocka_unit_test(test_tcp_simultaneous_open),
        cmocka_unit_test(test_tcp_crash_peer_reset),
        cmocka_unit_test(test_tcp_flow_control_persist),
        cmocka_unit_test(test_tcp_nagle),
        cmocka_unit_test(test_tcp_delayed_ack),
        cmocka_unit_test(test_tcp_slow_start_growth),
        cmocka_unit_test(test_tcp_fast_retransmit),
        cmocka_unit_test(test_tcp_rto_collapse_and_limit),
        cmocka_unit_test(test_tcp_urgent_out_of_band),
        cmocka_unit_test(test_tcp_urgent_inline),
        cmocka_unit_test(test_tcp_keepalive_dead_peer),
        cmocka_unit_test(test_tcp_keepalive_fast_probes),
        cmocka_unit_test(test_tcp_timer_rearm_keeps_earlier_deadline),
        cmocka_unit_test(test_tcp_shutdown_recv_rst),
        cmocka_unit_test(test_tcp_shutdown_recv_discard),
        cmocka_unit_test(test_tcp_data_after_close_rst),
        cmocka_unit_test(test_tcp_linger_acked),
        cmocka_unit_test(test_tcp_watch_ended),
        cmocka_unit_test(test_tcp_mss_from_path_mtu),
        cmocka_unit_test(test_tcp_poll_levels),
        cmocka_unit_test(test_tcp_writable_after_wouldblock),
        cmocka_unit_test(test_tcp_fsm_syn_sent),
        cmocka_unit_test(test_tcp_fsm_established),
        cmocka_unit_test(test_tcp_fsm_listen),
        cmocka_unit_test(test_tcp_fsm_syn_received),
        cmocka_unit_test(test_tcp_fsm_closing_states),
        cmocka_unit_test(test_tcp_fsm_time_wait),
        cmocka_unit_test(test_tcp_reassembly),
        cmocka_unit_test(test_tcp_listener_close_resets_children),
        cmocka_unit_test(test_tcp_ipv6),
        cmocka_unit_test(test_tcp_loopback),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("tcp", tests, NULL, NULL);
}
