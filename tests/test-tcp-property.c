/* SPDX-License-Identifier: MIT
 *
 * test-tcp-property.c: the stream invariant under hostile links.  For each
 * of many seeds, random link settings (loss up to 50%, duplication,
 * reordering, corruption, jitter, rate, the link going down and up) and
 * random application behaviour (write and read sizes, buffer sizes,
 * Nagle, one or both directions) drive a transfer of 20-100 KB each way.
 * Every byte read is checked against what was written at that offset, so
 * a wrong, lost, duplicated or reordered byte fails at once; at the end
 * each direction must either be complete (all bytes, then end of stream,
 * hashes equal) or have an error reported to one of the ends.  The world
 * must then drain: no packet, TCB or event left.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/test-pair.h"

#define N_SEEDS 1000

/* Outcome tally, printed at the end. */
static guint n_complete, n_error, n_err_kind[32];
static guint64 bytes_moved;
#define SIM_CAP (1800 * SIM_SEC)

typedef struct End End;

struct End {
    TestPair *p;
    const char *name;
    SimSocketId sock;
    End *peer;
    guint64 salt; /* pattern of what this end writes */
    size_t to_send, sent;
    size_t received; /* bytes of the peer's stream read so far */
    guint32 wchunk, rchunk;
    guint64 h_sent, h_recv;
    bool shut, eof, error;
    SimStatus err;
};

typedef struct {
    TestPair *p;
    SimSocketId listener;
    End a, b;
    SimRng rng;
    guint32 rcvbuf, sndbuf;
    bool nodelay;
} Run;

static inline guint8
pattern(guint64 salt, size_t i)
{
    guint64 x = ((guint64) i + salt) * 0x9E3779B97F4A7C15ull;

    x ^= x >> 29;
    return (guint8) (x >> 48);
}

static inline guint64
fnv(guint64 h, guint8 b)
{
    return (h ^ b) * 0x100000001b3ull;
}

static void
end_error(End *e, SimStatus st)
{
    if (!e->error) {
        e->error = true;
        e->err = st;
    }
}

static void
end_pump(End *e)
{
    guint8 tmp[16384];

    while (e->sock != 0 && !e->error && e->sent < e->to_send) {
        size_t n = MIN((size_t) e->wchunk, e->to_send - e->sent), k = 0;
        SimStatus st;

        for (size_t i = 0; i < n; i++)
            tmp[i] = pattern(e->salt, e->sent + i);
        st = sim_tcp_send(e->p->world, e->sock, tmp, n, 0, &k);
        if (st == SIM_E_WOULDBLOCK || st == SIM_E_NOTCONN)
            return;
        if (st != SIM_OK) {
            end_error(e, st);
            return;
        }
        assert_true(k > 0 && k <= n);
        for (size_t i = 0; i < k; i++)
            e->h_sent = fnv(e->h_sent, tmp[i]);
        e->sent += k;
    }
    if (e->sock != 0 && !e->error && e->sent == e->to_send && !e->shut) {
        SimStatus st = sim_tcp_shutdown(e->p->world, e->sock, SIM_TCP_SHUT_SEND);

        if (st == SIM_OK)
            e->shut = true;
        else if (st != SIM_E_NOTCONN)
            end_error(e, st);
    }
}

static void
end_drain(End *e)
{
    guint8 tmp[16384];

    while (e->sock != 0 && !e->eof && !e->error) {
        size_t n = 0;
        SimStatus st = sim_tcp_recv(e->p->world, e->sock, tmp, e->rchunk, 0, &n);

        if (st == SIM_E_WOULDBLOCK || st == SIM_E_NOTCONN)
            return;
        if (st != SIM_OK) {
            end_error(e, st);
            return;
        }
        if (n == 0) {
            e->eof = true;
            return;
        }
        for (size_t i = 0; i < n; i++) {
            guint8 want = pattern(e->peer->salt, e->received + i);

            if (tmp[i] != want)
                fail_msg("%s: wrong byte at offset %zu: got %02x want %02x", e->name,
                         e->received + i, tmp[i], want);
            e->h_recv = fnv(e->h_recv, tmp[i]);
        }
        e->received += n;
        if (e->received > e->peer->sent)
            fail_msg("%s: read %zu bytes but the peer wrote %zu", e->name, e->received,
                     e->peer->sent);
    }
}

static void
end_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    End *e = data;

    (void) world;
    (void) sock;
    if (err != SIM_OK && (events & (SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_CONNECTED)))
        end_error(e, err);
    if (events & (SIM_SOCK_EV_READABLE | SIM_SOCK_EV_CLOSED))
        end_drain(e);
    if (events & (SIM_SOCK_EV_WRITABLE | SIM_SOCK_EV_CONNECTED))
        end_pump(e);
}

static void
end_setup(Run *r, End *e)
{
    assert_int_equal(sim_tcp_set_option(r->p->world, e->sock, SIM_TCP_OPT_RCVBUF, r->rcvbuf),
                     SIM_OK);
    assert_int_equal(sim_tcp_set_option(r->p->world, e->sock, SIM_TCP_OPT_SNDBUF, r->sndbuf),
                     SIM_OK);
    assert_int_equal(sim_tcp_set_option(r->p->world, e->sock, SIM_TCP_OPT_NODELAY, r->nodelay),
                     SIM_OK);
    assert_int_equal(sim_tcp_set_notify(r->p->world, e->sock, end_notify, e), SIM_OK);
}

static void
listener_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Run *r = data;
    SimSocketId child;

    (void) err;
    if (!(events & SIM_SOCK_EV_ACCEPT) || r->b.sock != 0)
        return;
    if (sim_tcp_accept(world, sock, &child) != SIM_OK)
        return;
    r->b.sock = child;
    /* buffers of the child come from the listener; notify and go */
    assert_int_equal(sim_tcp_set_notify(world, child, end_notify, &r->b), SIM_OK);
    end_pump(&r->b);
    end_drain(&r->b);
}

static guint32
pick(SimRng *rng, guint32 lo, guint32 hi)
{
    return lo + (guint32) sim_rng_below(rng, (guint64) hi - lo + 1);
}

static void
random_link(SimRng *rng, SimLinkParams *lp)
{
    sim_link_params_init(lp);
    lp->latency_ns = pick(rng, 1, 20) * SIM_MSEC;
    lp->jitter_ns = sim_rng_chance_ppm(rng, 300000) ? pick(rng, 0, 5000) * SIM_USEC : 0;
    switch (sim_rng_below(rng, 4)) {
    case 0:
        lp->loss_ppm = 0;
        break;
    case 1:
        lp->loss_ppm = pick(rng, 0, 50000); /* up to 5% */
        break;
    case 2:
        lp->loss_ppm = pick(rng, 0, 200000); /* up to 20% */
        break;
    default:
        lp->loss_ppm = pick(rng, 0, 500000); /* up to 50% */
        break;
    }
    if (sim_rng_chance_ppm(rng, 400000))
        lp->dup_ppm = pick(rng, 0, 100000);
    if (sim_rng_chance_ppm(rng, 400000)) {
        lp->reorder_ppm = pick(rng, 0, 200000);
        lp->reorder_delay_ns = pick(rng, 1, 30) * SIM_MSEC;
    }
    if (sim_rng_chance_ppm(rng, 300000))
        lp->corrupt_ppm = pick(rng, 0, 50000);
    if (sim_rng_chance_ppm(rng, 500000))
        lp->rate_bps = (guint64) pick(rng, 1, 1000) * 1000000ull;
}

static void
run_seed(guint64 seed)
{
    Run r;
    SimLinkParams ab, ba, down;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), TEST_PORT };
    SimSockAddr dst;
    SimTcpConfig cfg;
    bool ok_ab, ok_ba;

    memset(&r, 0, sizeof r);
    sim_rng_init(&r.rng, seed, "tcp-property");
    random_link(&r.rng, &ab);
    ba = ab;
    if (sim_rng_chance_ppm(&r.rng, 500000))
        random_link(&r.rng, &ba); /* asymmetric */
    r.p = test_pair_new_full(seed, g_getenv("PROP_TRACE") ? TEST_PAIR_TRACE : 0, &ab);
    r.p->capture = false;
    assert_int_equal(sim_link_set_params(r.p->world, r.p->link, SIM_DIR_BA, &ba), SIM_OK);
    sim_tcp_get_config(r.p->world, &cfg);
    cfg.delayed_ack = sim_rng_chance_ppm(&r.rng, 800000);
    cfg.window_scaling = sim_rng_chance_ppm(&r.rng, 700000);
    assert_int_equal(sim_tcp_set_config(r.p->world, &cfg), SIM_OK);
    r.rcvbuf = pick(&r.rng, 2000, 200000);
    r.sndbuf = pick(&r.rng, 2000, 200000);
    r.nodelay = sim_rng_chance_ppm(&r.rng, 300000);

    /* link down and up again, a few times */
    for (guint i = sim_rng_below(&r.rng, 3); i > 0; i--) {
        SimTime at = pick(&r.rng, 1, 20000) * SIM_MSEC;
        SimTime len = pick(&r.rng, 10, 5000) * SIM_MSEC;
        SimLinkDir dir = (SimLinkDir) sim_rng_below(&r.rng, 3);

        down = dir == SIM_DIR_BA ? ba : ab;
        down.up = false;
        sim_link_schedule_params(r.p->world, at, r.p->link, dir, &down);
        if (dir == SIM_DIR_BOTH) {
            sim_link_schedule_params(r.p->world, at + len, r.p->link, SIM_DIR_AB, &ab);
            sim_link_schedule_params(r.p->world, at + len, r.p->link, SIM_DIR_BA, &ba);
        } else {
            sim_link_schedule_params(r.p->world, at + len, r.p->link, dir,
                                     dir == SIM_DIR_AB ? &ab : &ba);
        }
    }

    r.a.p = r.b.p = r.p;
    r.a.name = "a";
    r.b.name = "b";
    r.a.peer = &r.b;
    r.b.peer = &r.a;
    r.a.salt = sim_rng_next(&r.rng);
    r.b.salt = sim_rng_next(&r.rng);
    r.a.to_send = pick(&r.rng, 20000, 100000);
    r.b.to_send = sim_rng_chance_ppm(&r.rng, 500000) ? pick(&r.rng, 20000, 100000) : 0;
    r.a.wchunk = pick(&r.rng, 1, 16384);
    r.b.wchunk = pick(&r.rng, 1, 16384);
    r.a.rchunk = pick(&r.rng, 1, 16384);
    r.b.rchunk = pick(&r.rng, 1, 16384);
    r.a.h_sent = r.a.h_recv = r.b.h_sent = r.b.h_recv = 0xcbf29ce484222325ull;

    assert_int_equal(sim_tcp_open(r.p->world, r.p->b, SIM_AF_INET, &r.listener), SIM_OK);
    assert_int_equal(sim_tcp_bind(r.p->world, r.listener, &any, 0), SIM_OK);
    assert_int_equal(sim_tcp_set_option(r.p->world, r.listener, SIM_TCP_OPT_RCVBUF, r.rcvbuf),
                     SIM_OK);
    assert_int_equal(sim_tcp_set_option(r.p->world, r.listener, SIM_TCP_OPT_SNDBUF, r.sndbuf),
                     SIM_OK);
    assert_int_equal(sim_tcp_set_option(r.p->world, r.listener, SIM_TCP_OPT_NODELAY, r.nodelay),
                     SIM_OK);
    assert_int_equal(sim_tcp_listen(r.p->world, r.listener, 4), SIM_OK);
    assert_int_equal(sim_tcp_set_notify(r.p->world, r.listener, listener_notify, &r), SIM_OK);
    assert_int_equal(sim_tcp_open(r.p->world, r.p->a, SIM_AF_INET, &r.a.sock), SIM_OK);
    end_setup(&r, &r.a);
    dst = test_pair_sockaddr(r.p, r.p->b, TEST_PORT);
    assert_int_equal(sim_tcp_connect(r.p->world, r.a.sock, &dst), SIM_E_INPROGRESS);

    sim_world_run_until(r.p->world, SIM_CAP);

    /* Each direction: complete, or an error was reported to an end. */
    ok_ab = (r.b.eof && r.b.received == r.a.to_send && r.b.h_recv == r.a.h_sent) || r.a.error ||
            r.b.error;
    ok_ba = (r.a.eof && r.a.received == r.b.to_send && r.a.h_recv == r.b.h_sent) || r.a.error ||
            r.b.error;
    if (!ok_ab || !ok_ba)
        fail_msg("seed %" G_GUINT64_FORMAT ": a sent %zu/%zu recv %zu eof %d err %s; "
                 "b sent %zu/%zu recv %zu eof %d err %s; loss %u/%u ppm",
                 seed, r.a.sent, r.a.to_send, r.a.received, r.a.eof,
                 r.a.error ? sim_status_name(r.a.err) : "-", r.b.sent, r.b.to_send, r.b.received,
                 r.b.eof, r.b.error ? sim_status_name(r.b.err) : "-", ab.loss_ppm, ba.loss_ppm);
    if (r.a.error || r.b.error) {
        SimStatus e = r.a.error ? r.a.err : r.b.err;

        n_error++;
        if (g_getenv("PROP_VERBOSE"))
            print_message("seed %" G_GUINT64_FORMAT " a: %s sent %zu/%zu recv %zu; b: %s sent "
                          "%zu/%zu recv %zu; loss %u/%u ppm, ended at %" G_GUINT64_FORMAT " ms\n",
                          seed, r.a.error ? sim_status_name(r.a.err) : "-", r.a.sent, r.a.to_send,
                          r.a.received, r.b.error ? sim_status_name(r.b.err) : "-", r.b.sent,
                          r.b.to_send, r.b.received, ab.loss_ppm, ba.loss_ppm,
                          sim_world_now(r.p->world) / SIM_MSEC);
        n_err_kind[MIN((guint) -e, 31u)]++;
    } else {
        n_complete++;
    }
    bytes_moved += r.a.received + r.b.received;
    if (r.b.eof)
        assert_int_equal(r.b.received, r.a.to_send);
    if (r.a.eof)
        assert_int_equal(r.a.received, r.b.to_send);
    if (g_getenv("PROP_TRACE"))
        fputs(r.p->trace->str, stderr);
    test_pair_free(r.p); /* aborts, drains, asserts nothing is left */
}

static void
test_tcp_property_stream(void **state)
{
    guint completed = 0;
    guint64 first = g_getenv("PROP_SEED") ? g_ascii_strtoull(g_getenv("PROP_SEED"), NULL, 10) : 1;
    guint64 last = g_getenv("PROP_SEED") ? first : N_SEEDS;

    (void) state;
    /* PROP_SEED=n runs one seed; PROP_TRACE=1 prints its trace. */
    for (guint64 seed = first; seed <= last; seed++) {
        run_seed(seed);
        completed++;
    }
    assert_int_equal(completed, last - first + 1);
    if (first == last)
        return;
    print_message("%u seeds: %u complete, %u ended with an error; %" G_GUINT64_FORMAT
                  " bytes verified\n",
                  N_SEEDS, n_complete, n_error, bytes_moved);
    for (guint i = 0; i < 32; i++)
        if (n_err_kind[i] > 0)
            print_message("  %s: %u\n", sim_status_name((SimStatus) - (gint) i), n_err_kind[i]);
    /* the links are hostile, not hopeless: most transfers must finish */
    assert_true(n_complete > N_SEEDS / 2);
}

/* The same scenario twice gives the same trace fingerprint. */
static void
test_tcp_property_deterministic(void **state)
{
    guint64 fp[2];

    (void) state;
    for (int k = 0; k < 2; k++) {
        TestPair *p = test_pair_new_full(77, 0, NULL);
        SimLinkParams lp;
        SimSocketId c, s;
        guint8 buf[50000];

        sim_link_params_init(&lp);
        lp.latency_ns = 3 * SIM_MSEC;
        lp.loss_ppm = 100000;
        lp.reorder_ppm = 100000;
        lp.reorder_delay_ns = 5 * SIM_MSEC;
        assert_int_equal(sim_link_set_params(p->world, p->link, SIM_DIR_BOTH, &lp), SIM_OK);
        sim_trace_enable_fingerprint(p->world);
        test_pair_connect(p, &c, &s, NULL);
        memset(buf, 7, sizeof buf);
        test_pair_send_all(p, c, buf, sizeof buf);
        test_pair_run(p, 30 * SIM_SEC);
        fp[k] = sim_trace_fingerprint(p->world);
        test_pair_free(p);
    }
    assert_true(fp[0] == fp[1]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_property_stream),
        cmocka_unit_test(test_tcp_property_deterministic),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("tcp-property", tests, NULL, NULL);
}
