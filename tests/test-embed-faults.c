/* SPDX-License-Identifier: MIT
 * test-embed-faults: the embedding API end to end — the example echo server
 * and retrying client (examples/echo-app.c) run as C actors over the SPI
 * proc table, under a matrix of network and provider faults, with their
 * behaviour asserted (issue 9). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <wspsim/wspsim-fault.h>

#include "../examples/echo-app.h"

typedef struct {
    const char *name;
    guint32 loss_ppm;         /* on both directions */
    SimTime partition_ns;     /* server cut off at 1 s for this long; 0 = none */
    bool crash_client;        /* client host crashes at 1 s, restarts at 2 s */
    guint32 fail_nth_send;    /* the Nth WSPSend of the client fails with WSAENOBUFS */
    guint32 short_sends;      /* server sends limited to this many bytes (non-blocking only) */
    SimActorKind kind;
    /* expectations */
    EchoOutcome want;
    int want_retried_sends;
} Case;

typedef struct {
    SimWorld *world;
    EchoServer srv;
    EchoClient cli, cli2;
    SimNodeId client, server, client2;
    SimProcessId pc, ps;
} Run;

static void
add_host(SimWorld *w, const char *name, const char *addr, SimNodeId *out)
{
    SimAddr a;

    *out = sim_node_add(w, name, SIM_NODE_HOST);
    assert_true(sim_addr_parse(addr, &a));
    assert_int_equal(sim_node_add_addr(w, *out, &a, 24), SIM_OK);
}

static void
run_case(const Case *c, guint64 seed, Run *r, guint64 *out_fingerprint)
{
    SimLinkParams p;
    SimNodeId router;

    print_message("case %s (seed %" G_GUINT64_FORMAT ")\n", c->name, seed);
    memset(r, 0, sizeof *r);
    r->world = sim_world_new(seed);
    sim_trace_enable_fingerprint(r->world);
    add_host(r->world, "client", "10.0.0.1", &r->client);
    add_host(r->world, "server", "10.0.0.2", &r->server);
    add_host(r->world, "client2", "10.0.0.3", &r->client2);
    router = sim_node_add(r->world, "router", SIM_NODE_ROUTER);
    sim_link_params_init(&p);
    p.latency_ns = 5 * SIM_MSEC;
    p.rate_bps = 10000000;
    p.loss_ppm = c->loss_ppm;
    sim_link_add(r->world, r->client, router, &p, &p);
    sim_link_add(r->world, r->client2, router, &p, &p);
    sim_link_params_init(&p);
    p.latency_ns = 1 * SIM_MSEC;
    sim_link_add(r->world, router, r->server, &p, &p);

    r->srv = (EchoServer) { .world = r->world, .listen_addr = "10.0.0.2:7000",
                            .idle_timeout_ms = 5000 };
    r->cli = (EchoClient) { .world = r->world, .server_addr = "10.0.0.2:7000", .messages = 30,
                            .max_attempts = 3, .recv_timeout_ms = 3000, .backoff_ns = SIM_SEC };
    /* A second client that starts later: proves the server outlived
     * whatever happened to the first. */
    r->cli2 = r->cli;
    r->cli2.messages = 5;
    r->ps = sim_process_new(r->world, r->server, "echod");
    r->pc = sim_process_new(r->world, r->client, "echo");
    SimProcessId pc2 = sim_process_new(r->world, r->client2, "echo");
    sim_actor_spawn(r->world, r->ps, "main", c->kind, 0, echo_server_main, &r->srv);
    sim_actor_spawn(r->world, r->pc, "main", c->kind, 10 * SIM_MSEC, echo_client_main, &r->cli);
    sim_actor_spawn(r->world, pc2, "main", c->kind, 120 * SIM_SEC, echo_client_main, &r->cli2);

    if (c->partition_ns > 0)
        assert_int_equal(sim_fault_schedule_partition(r->world, SIM_SEC / 10, &r->server, 1,
                                                      SIM_PARTITION_SYMMETRIC, c->partition_ns,
                                                      NULL),
                         SIM_OK);
    if (c->crash_client)
        assert_int_equal(sim_fault_schedule_crash(r->world, 150 * SIM_MSEC, r->client, SIM_SEC,
                                                  NULL),
                         SIM_OK);
    if (c->fail_nth_send > 0)
        assert_true(wspsim_fault_fail_calls(r->world, r->pc, "WSPSend", WSPSIM_FAULT_NTH,
                                            c->fail_nth_send, WSAENOBUFS, NULL) > 0);
    if (c->short_sends > 0)
        assert_true(wspsim_fault_short_sends(r->world, r->ps, c->short_sends, WSPSIM_FAULT_EVERY,
                                             1, NULL) > 0);
    sim_world_run_until(r->world, 300 * SIM_SEC);
    if (out_fingerprint != NULL)
        *out_fingerprint = sim_trace_fingerprint(r->world);
}

static void
run_free(Run *r)
{
    sim_world_free(r->world);
    assert_int_equal(r->srv.last_error != 0, true); /* it ended only because it was killed */
}

static const Case cases[] = {
    { "clean", 0, 0, false, 0, 0, SIM_ACTOR_COROUTINE, ECHO_DONE, 0 },
    { "20% loss", 200000, 0, false, 0, 0, SIM_ACTOR_COROUTINE, ECHO_DONE, 0 },
    { "20% loss, thread actors", 200000, 0, false, 0, 0, SIM_ACTOR_THREAD, ECHO_DONE, 0 },
    { "partition shorter than the budget", 0, 2 * SIM_SEC, false, 0, 0, SIM_ACTOR_COROUTINE,
      ECHO_DONE, 0 },
    { "partition longer than the budget", 0, 100 * SIM_SEC, false, 0, 0, SIM_ACTOR_COROUTINE,
      ECHO_TIMED_OUT, 0 },
    { "3rd send fails with WSAENOBUFS", 0, 0, false, 3, 0, SIM_ACTOR_COROUTINE, ECHO_DONE, 1 },
    { "client crash", 0, 0, true, 0, 0, SIM_ACTOR_COROUTINE, ECHO_RUNNING, 0 },
};

static void
test_embed_faults_matrix(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const Case *c = &cases[i];
        Run r;

        run_case(c, 42, &r, NULL);
        print_message("  client %s: %d/%d echoed, %d attempts, last error %d\n",
                      echo_outcome_name(r.cli.outcome), r.cli.echoed, r.cli.messages,
                      r.cli.attempts, r.cli.last_error);
        assert_int_equal(r.cli.outcome, c->want);
        assert_int_equal(r.cli.retried_sends, c->want_retried_sends);
        if (c->want == ECHO_DONE)
            assert_int_equal(r.cli.echoed, r.cli.messages);
        if (c->want == ECHO_TIMED_OUT) {
            /* It gave up once its budget was spent, reporting the time-out. */
            assert_int_equal(r.cli.attempts, r.cli.max_attempts);
            assert_int_equal(r.cli.last_error, WSAETIMEDOUT);
            assert_true(r.cli.echoed < r.cli.messages);
        }
        if (c->crash_client) {
            /* The crashed client never finished; the server dropped the dead
             * connection on its idle time-out and served the second client. */
            assert_true(r.cli.echoed < r.cli.messages);
            assert_int_equal(r.srv.dropped, 1);
        }
        /* Whatever happened, the server still serves a later client. */
        assert_int_equal(r.cli2.outcome, ECHO_DONE);
        assert_int_equal(r.cli2.echoed, 5);
        run_free(&r);
    }
}

static void
test_embed_faults_same_seed_same_run(void **state)
{
    (void) state;
    const Case *c = &cases[1]; /* 20% loss: many random draws */
    Run a, b, d;
    guint64 fa, fb, fd;

    run_case(c, 7, &a, &fa);
    run_case(c, 7, &b, &fb);
    run_case(c, 8, &d, &fd);
    assert_int_equal(fa, fb);
    assert_int_equal(a.cli.finished_ns, b.cli.finished_ns);
    assert_true(fa != fd);
    run_free(&a);
    run_free(&b);
    run_free(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embed_faults_matrix),
        cmocka_unit_test(test_embed_faults_same_seed_same_run),
    };
    return cmocka_run_group_tests_name("embed-faults", tests, NULL, NULL);
}
