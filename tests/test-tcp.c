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

G_GNUC_UNUSED static SimTcpStats
stats_of(TestPair *p, SimSocketId s)
{
    SimTcpStats st;

    assert_int_equal(sim_tcp_get_stats(p->world, s, &st), SIM_OK);
    return st;
}

G_GNUC_UNUSED static SimTcb *
tcb_of(TestPair *p, SimSocketId s)
{
    SimTcb *tcb = sim__tcp_lookup(sim__tcp_world(p->world), s);

    assert_non_null(tcb);
    return tcb;
}

G_GNUC_UNUSED static void
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
    {0, 1, -1},
    {1, 0, 1},
    {5, 5, 0},
    {0xFFFFFFFFu, 0, -1}, /* wraps: 2^32-1 precedes 0 */
    {0, 0xFFFFFFFFu, 1},
    {0xFFFFFF00u, 0x00000100u, -1},
    {0x00000100u, 0xFFFFFF00u, 1},
    {0x7FFFFFFFu, 0x80000000u, -1},
    {0x80000000u, 0x7FFFFFFFu, 1},
    {0x80000001u, 0x00000000u, -1}, /* more than 2^31 ahead is behind */
    {0xFFFFFFFEu, 0xFFFFFFFFu, -1},
    {0x12345678u, 0x12345678u + 100u, -1},
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
    SimSockAddr any = {sim_addr_any(SIM_AF_INET), TEST_PORT};
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
    static const SimTime want[] = {0, 1 * SIM_SEC, 3 * SIM_SEC};

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
    SimSockAddr any = {sim_addr_any(SIM_AF_INET), TEST_PORT};
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
    SimSockAddr any = {sim_addr_any(SIM_AF_INET), 80};
    SimSockAddr spec = test_pair_sockaddr(p, p->a, 80);
    SimSockAddr foreign = test_pair_sockaddr(p, p->b, 80);
    SimSockAddr eph = {sim_addr_any(SIM_AF_INET), 0};
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
    SimSockAddr any = {sim_addr_any(SIM_AF_INET), TEST_PORT};
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

static void
test_tcp_conditional_accept(void **state)
{
    g_autoptr(TestPair) p = test_pair_new(SEED);
    SimSocketId l, c1, c2, s;
    SimSockAddr any = {sim_addr_any(SIM_AF_INET), TEST_PORT};
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
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
        cmocka_unit_test(test_tcp_conditional_accept),
        cmocka_unit_test(test_tcp_crash_peer_reset),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("tcp", tests, NULL, NULL);
}
