/* SPDX-License-Identifier: MIT
 * test-wsp-select: WSPSelect — one test per readiness rule (listener with a
 * pending connection, connect success and failure, OOB with and without
 * SO_OOBINLINE, data, graceful close, reset, can-send), the time-out forms
 * in simulated time, argument errors, set rewriting and the count, and a
 * blocking select woken by any of its sockets. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "helpers/test-world.h"

#define PORT 7100
#define R 1u
#define W 2u
#define E 4u

static void
set_nonblocking(SOCKET s)
{
    u_long on = 1;
    DWORD ret;
    int err = 0;

    assert_int_equal(WSPIoctl(s, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err),
                     0);
}

/* Start a non-blocking connect from the client process to @port. */
static SOCKET
start_connect(TestWorld *tw, int port)
{
    SOCKADDR_STORAGE ss;
    SOCKET c;
    int len, err = 0;

    test_world_use(tw, tw->pc);
    c = test_socket(AF_INET, SOCK_STREAM);
    set_nonblocking(c);
    ss = test_sa("10.0.0.2", port, &len);
    assert_int_equal(WSPConnect(c, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK);
    return c;
}

static SOCKET
server_listener(TestWorld *tw, int port)
{
    SOCKET l;

    test_world_use(tw, tw->ps);
    l = test_socket(AF_INET, SOCK_STREAM);
    test_bind(l, "0.0.0.0", port);
    test_listen(l);
    return l;
}

/* A connected pair: @out_c on the client, @out_a accepted on the server. */
static void
connect_pair(TestWorld *tw, int port, SOCKET *out_l, SOCKET *out_c, SOCKET *out_a)
{
    int err = 0;

    *out_l = server_listener(tw, port);
    *out_c = start_connect(tw, port);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    *out_a = WSPAccept(*out_l, NULL, NULL, NULL, 0, &err);
    assert_true(*out_a != INVALID_SOCKET);
}

/* Poll @s in all three sets: R|W|E of what it is ready for. */
static unsigned
ready(SOCKET s)
{
    fd_set r, w, e;
    struct timeval tv = { 0, 0 };
    unsigned m = 0;
    int n, err = 0;

    r.fd_count = w.fd_count = e.fd_count = 1;
    r.fd_array[0] = w.fd_array[0] = e.fd_array[0] = s;
    n = WSPSelect(0, &r, &w, &e, &tv, &err);
    assert_true(n >= 0);
    m |= r.fd_count == 1 && r.fd_array[0] == s ? R : 0;
    m |= w.fd_count == 1 && w.fd_array[0] == s ? W : 0;
    m |= e.fd_count == 1 && e.fd_array[0] == s ? E : 0;
    assert_int_equal(n, (int) (!!(m & R) + !!(m & W) + !!(m & E)));
    return m;
}

/* ---- Readiness rules ---------------------------------------------------- */

static void
test_wsp_select_listener_readable_with_pending_connection(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l = server_listener(tw, PORT);

    (void) state;
    assert_int_equal(ready(l), 0);
    start_connect(tw, PORT);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(ready(l), R);
    test_world_free(tw);
}

static void
test_wsp_select_connect_success_writable(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET c;

    (void) state;
    server_listener(tw, PORT);
    c = start_connect(tw, PORT);
    assert_int_equal(ready(c), 0); /* still connecting */
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(ready(c), W);
    test_world_free(tw);
}

static void
test_wsp_select_connect_failure_except(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET c;

    (void) state;
    c = start_connect(tw, PORT + 1); /* nothing listens: RST */
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(ready(c), E); /* neither readable nor writable */
    test_world_free(tw);
}

static void
send_oob(SOCKET s)
{
    WSABUF b = { 1, (char *) "!" };
    DWORD sent = 0;
    int err = 0;

    assert_int_equal(WSPSend(s, &b, 1, &sent, MSG_OOB, NULL, NULL, NULL, &err), 0);
}

static void
test_wsp_select_oob_except_unless_oobinline(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a, l2, c2, a2;
    BOOL on = TRUE;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &l, &c, &a);
    connect_pair(tw, PORT + 1, &l2, &c2, &a2);
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPSetSockOpt(c2, SOL_SOCKET, SO_OOBINLINE, (char *) &on, sizeof on, &err),
                     0);
    test_world_use(tw, tw->ps);
    send_oob(a);
    send_oob(a2);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_true(ready(c) & E);
    assert_int_equal(ready(c2) & (R | E), R); /* inline: data, not an exception */
    test_world_free(tw);
}

static void
test_wsp_select_data_readable(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a;

    (void) state;
    connect_pair(tw, PORT, &l, &c, &a);
    test_world_use(tw, tw->pc);
    assert_int_equal(ready(c), W);
    test_world_use(tw, tw->ps);
    test_send_str(a, "hi");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(ready(c), R | W);
    test_world_free(tw);
}

static void
test_wsp_select_graceful_close_readable(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a;
    char buf[16];
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &l, &c, &a);
    test_world_use(tw, tw->ps);
    test_close(a);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_true(ready(c) & R);
    assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), 0); /* receive returns 0 */
    test_world_free(tw);
}

static void
test_wsp_select_reset_readable(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a;
    LINGER lg = { 1, 0 };
    char buf[16];
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &l, &c, &a);
    test_world_use(tw, tw->ps);
    assert_int_equal(WSPSetSockOpt(a, SOL_SOCKET, SO_LINGER, (char *) &lg, sizeof lg, &err), 0);
    test_close(a); /* abortive: RST */
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_true(ready(c) & R);
    assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAECONNRESET);
    test_world_free(tw);
}

static void
test_wsp_select_can_send_writable(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a, u;

    (void) state;
    connect_pair(tw, PORT, &l, &c, &a);
    test_world_use(tw, tw->ps);
    assert_int_equal(ready(a), W); /* the accepted side can send */
    assert_int_equal(ready(l), 0);
    u = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(u, "10.0.0.2", PORT + 5);
    assert_int_equal(ready(u), W); /* datagram socket: always writable */
    test_world_free(tw);
}

/* ---- Time-outs ---------------------------------------------------------- */

typedef struct {
    TestWorld *tw;
    SOCKET s, s2;
    int n, err;
    SimTime waited;
    fd_set r;
} SelArgs;

static void
actor_select_timeout(void *data)
{
    SelArgs *a = data;
    struct timeval tv = { 0, 250000 };
    SimTime t0 = sim_world_now(a->tw->world);

    a->r.fd_count = 1;
    a->r.fd_array[0] = a->s;
    a->n = WSPSelect(0, &a->r, NULL, NULL, &tv, &a->err);
    a->waited = sim_world_now(a->tw->world) - t0;
}

static void
test_wsp_select_timeout_positive_waits_simulated_time(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SelArgs a = { .tw = tw };
    SOCKET l, a_;

    (void) state;
    connect_pair(tw, PORT, &l, &a.s, &a_);
    test_world_spawn(tw, tw->pc, "sel", actor_select_timeout, &a);
    test_world_run(tw, 5 * SIM_SEC);
    assert_int_equal(a.n, 0);
    assert_int_equal(a.r.fd_count, 0);
    assert_true(a.waited == 250 * SIM_MSEC);
    assert_int_equal(test_world_trace_count(tw, "timeout=0.250000s) blocks"), 1);
    test_world_free(tw);
}

static void
test_wsp_select_timeout_zero_polls(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a;
    struct timeval tv = { 0, 0 };
    SimTime t0;
    fd_set r;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &l, &c, &a);
    test_world_use(tw, tw->pc);
    r.fd_count = 1;
    r.fd_array[0] = c;
    t0 = sim_world_now(tw->world);
    assert_int_equal(WSPSelect(0, &r, NULL, NULL, &tv, &err), 0);
    assert_int_equal(r.fd_count, 0);
    assert_true(sim_world_now(tw->world) == t0);
    assert_int_equal(test_world_trace_count(tw, "blocks"), 0);
    test_world_free(tw);
}

static void
actor_select_forever(void *data)
{
    SelArgs *a = data;
    SimTime t0 = sim_world_now(a->tw->world);

    a->r.fd_count = 2;
    a->r.fd_array[0] = a->s;
    a->r.fd_array[1] = a->s2;
    a->n = WSPSelect(0, &a->r, NULL, NULL, NULL, &a->err);
    a->waited = sim_world_now(a->tw->world) - t0;
}

static void
actor_send_later(void *data)
{
    SelArgs *a = data;

    sim_actor_sleep(a->tw->world, 100 * SIM_MSEC, false);
    test_send_str(a->s, "late");
    /* Stay: a process whose last actor ends resets its sockets. */
    sim_actor_sleep(a->tw->world, 60 * SIM_SEC, false);
}

/* NULL time-out: waits for ever; any socket's wait queue wakes it. */
static void
test_wsp_select_null_timeout_waits_on_every_socket(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SelArgs a = { .tw = tw }, snd = { .tw = tw };
    SOCKET l, l2, a1;

    (void) state;
    connect_pair(tw, PORT, &l, &a.s, &a1);
    connect_pair(tw, PORT + 1, &l2, &a.s2, &snd.s);
    test_world_spawn(tw, tw->pc, "sel", actor_select_forever, &a);
    test_world_spawn(tw, tw->ps, "snd", actor_send_later, &snd);
    test_world_run(tw, 5 * SIM_SEC);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.r.fd_count, 1);
    assert_true(a.r.fd_array[0] == a.s2); /* the second socket woke it */
    assert_true(a.waited == 100 * SIM_MSEC + TEST_LINK_LATENCY);
    assert_int_equal(test_world_trace_count(tw, "timeout=NULL) blocks"), 1);
    test_world_free(tw);
}

/* ---- Arguments, rewriting, count ---------------------------------------- */

static void
test_wsp_select_argument_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    struct timeval tv = { 0, 0 }, bad_usec = { 0, 1000000 }, neg = { -1, 0 };
    fd_set r, w, empty;
    SOCKET s;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    empty.fd_count = 0;
    assert_int_equal(WSPSelect(0, NULL, NULL, NULL, &tv, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    r = empty;
    w = empty;
    assert_int_equal(WSPSelect(0, &r, &w, NULL, &tv, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL); /* all empty */
    r.fd_count = 1;
    r.fd_array[0] = s;
    assert_int_equal(WSPSelect(0, &r, NULL, NULL, &bad_usec, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    assert_int_equal(WSPSelect(0, &r, NULL, NULL, &neg, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    w.fd_count = 2;
    w.fd_array[0] = s;
    w.fd_array[1] = 0x7777;
    assert_int_equal(WSPSelect(0, &r, &w, NULL, &tv, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    /* An empty set beside a non-empty one is the FD_ZERO idiom: allowed. */
    w = empty;
    assert_int_equal(WSPSelect(0, &r, &w, NULL, &tv, &err), 0);
    test_world_free(tw);
}

static void
test_wsp_select_sets_rewritten_and_counted(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c1, a1, l2, c2, a2;
    struct timeval tv = { 0, 0 };
    fd_set r, w, e;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &l, &c1, &a1);
    connect_pair(tw, PORT + 1, &l2, &c2, &a2);
    test_world_use(tw, tw->ps);
    test_send_str(a2, "x");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    r.fd_count = w.fd_count = e.fd_count = 2;
    r.fd_array[0] = w.fd_array[0] = e.fd_array[0] = c1;
    r.fd_array[1] = w.fd_array[1] = e.fd_array[1] = c2;
    /* c2 readable; both writable; none exceptional: 1 + 2 (choice 36). */
    assert_int_equal(WSPSelect(0, &r, &w, &e, &tv, &err), 3);
    assert_int_equal(r.fd_count, 1);
    assert_true(r.fd_array[0] == c2);
    assert_int_equal(w.fd_count, 2);
    assert_true(w.fd_array[0] == c1 && w.fd_array[1] == c2);
    assert_int_equal(e.fd_count, 0);
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_select_listener_readable_with_pending_connection),
        cmocka_unit_test(test_wsp_select_connect_success_writable),
        cmocka_unit_test(test_wsp_select_connect_failure_except),
        cmocka_unit_test(test_wsp_select_oob_except_unless_oobinline),
        cmocka_unit_test(test_wsp_select_data_readable),
        cmocka_unit_test(test_wsp_select_graceful_close_readable),
        cmocka_unit_test(test_wsp_select_reset_readable),
        cmocka_unit_test(test_wsp_select_can_send_writable),
        cmocka_unit_test(test_wsp_select_timeout_positive_waits_simulated_time),
        cmocka_unit_test(test_wsp_select_timeout_zero_polls),
        cmocka_unit_test(test_wsp_select_null_timeout_waits_on_every_socket),
        cmocka_unit_test(test_wsp_select_argument_errors),
        cmocka_unit_test(test_wsp_select_sets_rewritten_and_counted),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-select", tests, NULL, NULL);
}
