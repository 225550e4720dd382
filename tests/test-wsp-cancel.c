/* SPDX-License-Identifier: MIT
 * test-wsp-cancel: WSPCancelBlockingCall — WSAEINVAL with no blocking call,
 * cancellation from the client's blocking hook (called every hook period
 * of simulated time, configurable), a hook returning FALSE, and the
 * embedder's wspsim_cancel_blocking_call() for another actor's blocking
 * select and recv; the busy-poll guard (wspsim_set_busy_poll_limit). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "helpers/test-world.h"

#define PORT 7400

typedef struct {
    TestWorld *tw;
    SOCKET s;
    int rc, err;
    SimTime t0, done;
    int hook_calls;
    int cancel_on;      /* the hook cancels on this call (0: never) */
    int cancel_rc;
    BOOL hook_result;   /* what the hook returns when it does not cancel */
} Blocker;

static Blocker *hook_target;

static BOOL CALLBACK
blocking_hook(DWORD_PTR context)
{
    Blocker *b = (Blocker *) context;
    int err = 0;

    b->hook_calls++;
    if (b->hook_calls == b->cancel_on) {
        b->cancel_rc = WSPCancelBlockingCall(&err);
        return FALSE;
    }
    return b->hook_result;
}

static int WSPAPI
query_hook(DWORD id, LPBLOCKINGCALLBACK *fn, PDWORD_PTR ctx, LPINT lpErrno)
{
    (void) id;
    (void) lpErrno;
    *fn = blocking_hook;
    *ctx = (DWORD_PTR) hook_target;
    return 0;
}

/* The client process gets an upcall table with a blocking hook (the most
 * recent WSPStartup's table is the one used). */
static void
install_hook(TestWorld *tw, Blocker *b)
{
    WSPUPCALLTABLE up = wspsim_default_upcall_table();
    WSPPROC_TABLE procs;
    WSPDATA data;

    hook_target = b;
    up.lpWPUQueryBlockingCallback = query_hook;
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &data, NULL, up, &procs), 0);
}

static void
connected_client(TestWorld *tw, Blocker *b)
{
    SOCKADDR_STORAGE ss;
    SOCKET l;
    u_long on = 1, off = 0;
    DWORD ret;
    int len, err = 0;

    test_world_use(tw, tw->ps);
    l = test_socket(AF_INET, SOCK_STREAM);
    test_bind(l, "0.0.0.0", PORT);
    test_listen(l);
    test_world_use(tw, tw->pc);
    b->s = test_socket(AF_INET, SOCK_STREAM);
    WSPIoctl(b->s, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err);
    ss = test_sa("10.0.0.2", PORT, &len);
    WSPConnect(b->s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPIoctl(b->s, FIONBIO, &off, sizeof off, NULL, 0, &ret, NULL, NULL, NULL,
                              &err),
                     0);
}

static void
actor_blocking_recv(void *data)
{
    Blocker *b = data;
    char buf[8];
    WSABUF w = { sizeof buf, buf };
    DWORD got, flags = 0;

    b->t0 = sim_world_now(b->tw->world);
    b->rc = WSPRecv(b->s, &w, 1, &got, &flags, NULL, NULL, NULL, &b->err);
    b->done = sim_world_now(b->tw->world);
}

static void
test_wsp_cancel_nothing_in_progress(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPCancelBlockingCall(&err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    assert_int_equal(wspsim_cancel_blocking_call(tw->world, 12345), WSAEINVAL);
    test_world_free(tw);
}

static void
test_wsp_cancel_from_blocking_hook(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Blocker b = { .tw = tw, .cancel_on = 3, .hook_result = TRUE };

    (void) state;
    install_hook(tw, &b);
    connected_client(tw, &b);
    test_world_spawn(tw, tw->pc, "recv", actor_blocking_recv, &b);
    test_world_run(tw, 5 * SIM_SEC);
    assert_int_equal(b.rc, SOCKET_ERROR);
    assert_int_equal(b.err, WSAEINTR);
    assert_int_equal(b.cancel_rc, 0);
    assert_int_equal(b.hook_calls, 3);
    assert_true(b.done - b.t0 == 30 * SIM_MSEC); /* hook every 10 ms by default */
    assert_int_equal(test_world_trace_count(tw, "WSPCancelBlockingCall() = 0"), 1);
    assert_int_equal(test_world_trace_count(tw, "SOCKET_ERROR WSAEINTR"), 1);
    test_world_free(tw);
}

static void
test_wsp_cancel_hook_period_configurable_and_false_ends_call(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Blocker b = { .tw = tw, .cancel_on = 0, .hook_result = TRUE };

    (void) state;
    wspsim_set_blocking_hook_period(tw->world, 50 * SIM_MSEC);
    install_hook(tw, &b);
    connected_client(tw, &b);
    b.cancel_on = 4;
    test_world_spawn(tw, tw->pc, "recv", actor_blocking_recv, &b);
    test_world_run(tw, 5 * SIM_SEC);
    assert_int_equal(b.err, WSAEINTR);
    assert_true(b.done - b.t0 == 200 * SIM_MSEC);
    test_world_free(tw);
}

static void
actor_blocking_select(void *data)
{
    Blocker *b = data;
    fd_set r;

    r.fd_count = 1;
    r.fd_array[0] = b->s;
    b->t0 = sim_world_now(b->tw->world);
    b->rc = WSPSelect(0, &r, NULL, NULL, NULL, &b->err);
    b->done = sim_world_now(b->tw->world);
}

/* The scenario path: the runner cancels on behalf of a blocked actor. */
static void
test_wsp_cancel_on_behalf_of_another_actor(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Blocker b = { .tw = tw }, b2 = { .tw = tw };
    SimActorId sel, rcv, idle;

    (void) state;
    connected_client(tw, &b);
    b2.s = b.s;
    sel = test_world_spawn(tw, tw->pc, "select", actor_blocking_select, &b);
    rcv = test_world_spawn(tw, tw->pc, "recv", actor_blocking_recv, &b2);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_true(sim_actor_is_blocked(tw->world, sel));
    assert_int_equal(wspsim_cancel_blocking_call(tw->world, sel), 0);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_int_equal(b.rc, SOCKET_ERROR);
    assert_int_equal(b.err, WSAEINTR);
    assert_true(sim_actor_is_blocked(tw->world, rcv)); /* only that thread's call */
    assert_int_equal(wspsim_cancel_blocking_call(tw->world, rcv), 0);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_int_equal(b2.err, WSAEINTR);
    idle = sel; /* finished now: nothing to cancel */
    assert_int_equal(wspsim_cancel_blocking_call(tw->world, idle), WSAEINVAL);
    test_world_free(tw);
}

/* ---- Busy-poll guard (issue 10) ------------------------------------------------ */

typedef struct {
    TestWorld *tw;
    int burst;    /* calls per instant */
    int failures; /* calls that did not succeed */
    SimActorId self;
} Poller;

static void
poller(void *data)
{
    Poller *p = data;
    SOCKET s = test_socket(AF_INET, SOCK_DGRAM);

    p->self = sim_actor_current(p->tw->world);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < p->burst; i++) {
            u_long n = 99;
            DWORD ret = 0;
            int err = 0;

            if (WSPIoctl(s, FIONREAD, NULL, 0, &n, sizeof n, &ret, NULL, NULL, NULL, &err) != 0 ||
                n != 0)
                p->failures++;
        }
        sim_actor_sleep(p->tw->world, SIM_MSEC, false); /* time advances: a new instant */
    }
    test_close(s);
}

/* WSP calls by one simulated thread at one instant beyond the limit: the
 * calls go on succeeding (no invented error), one trace NOTE, and the
 * embedder can read which thread it was.  A thread under the limit, and
 * one whose calls are spread over time, is not flagged. */
static void
test_wsp_busy_poll_noted(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Poller busy = { tw, 150, 0, 0 }, calm = { tw, 90, 0, 0 };
    size_t count = 9;

    (void) state;
    assert_int_equal(wspsim_busy_poll_actor(tw->world, &count), 0);
    assert_int_equal(count, 0);
    wspsim_set_busy_poll_limit(tw->world, 100);
    /* calm: 1 + 90, then 90 + 1 calls at two instants */
    test_world_spawn(tw, tw->ps, "calm", poller, &calm);
    test_world_spawn(tw, tw->pc, "busy", poller, &busy); /* 150 + 150 */
    test_world_run(tw, SIM_SEC);
    assert_int_equal(busy.failures, 0);
    assert_int_equal(calm.failures, 0);
    assert_int_equal(wspsim_busy_poll_actor(tw->world, &count), busy.self);
    assert_int_equal(count, 1);
    assert_int_equal(test_world_trace_count(tw, "busy-poll"), 1); /* once per thread */
    assert_int_equal(test_world_trace_count(tw, "WSPIoctl: 101 WSP calls by this thread"), 1);
    test_world_free(tw);

    /* The default limit (1,000,000) is far off; 0 restores it. */
    tw = test_world_new(TEST_WORLD_SEED);
    wspsim_set_busy_poll_limit(tw->world, 0);
    busy.tw = tw;
    busy.failures = 0;
    test_world_spawn(tw, tw->pc, "busy", poller, &busy);
    test_world_run(tw, SIM_SEC);
    assert_int_equal(busy.failures, 0);
    assert_int_equal(wspsim_busy_poll_actor(tw->world, NULL), 0);
    assert_int_equal(test_world_trace_count(tw, "busy-poll"), 0);
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_cancel_nothing_in_progress),
        cmocka_unit_test(test_wsp_cancel_from_blocking_hook),
        cmocka_unit_test(test_wsp_cancel_hook_period_configurable_and_false_ends_call),
        cmocka_unit_test(test_wsp_cancel_on_behalf_of_another_actor),
        cmocka_unit_test(test_wsp_busy_poll_noted),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-cancel", tests, NULL, NULL);
}
