/* SPDX-License-Identifier: MIT
 * test-ws2-echo: the Winsock echo examples (examples/ws2-echo-*.c, compiled
 * in unchanged with their main renamed) run against each other — on two
 * hosts across a lossy, slow link of an explicitly built world (each
 * program a simulated thread of its own process), and on the default host
 * with the server on a CreateThread thread and the client on main. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define ECHO_SERVER_MAIN echo_server_main
#include "../examples/ws2-echo-server.c"
#define ECHO_CLIENT_MAIN echo_client_main
#include "../examples/ws2-echo-client.c"

#include "sim/sim.h"

typedef struct {
    int argc;
    char **argv;
    int rc;
    bool server;
} Prog;

static void
prog_actor(void *data)
{
    Prog *p = data;

    p->rc = p->server ? echo_server_main(p->argc, p->argv) : echo_client_main(p->argc, p->argv);
}

/* Two hosts, 20 ms each way, 5% loss both ways: the client starts first
 * and retries until the server listens; TCP recovers the losses. */
static void
test_ws2_echo_two_hosts_lossy(void **state)
{
    char *sargv[] = { "server", "7000", "1", NULL };
    char *cargv[] = { "client", "server", "7000", "5", NULL };
    Prog srv = { 3, sargv, -1, true }, cli = { 4, cargv, -1, false };
    SimWorld *w = sim_world_new(7);
    SimNodeId a = sim_node_add(w, "server", SIM_NODE_HOST);
    SimNodeId b = sim_node_add(w, "client", SIM_NODE_HOST);
    SimAddr aa = sim_addr_v4(10, 0, 1, 1), ba = sim_addr_v4(10, 0, 1, 2);
    SimLinkParams p;

    (void) state;
    sim_node_add_addr(w, a, &aa, 24);
    sim_node_add_addr(w, b, &ba, 24);
    sim_link_params_init(&p);
    p.latency_ns = 20 * SIM_MSEC;
    p.loss_ppm = 50000;
    sim_link_add(w, a, b, &p, &p);
    sim_actor_spawn(w, sim_process_new(w, a, "echo-server"), "main", SIM_ACTOR_THREAD,
                    250 * SIM_MSEC, prog_actor, &srv);
    sim_actor_spawn(w, sim_process_new(w, b, "echo-client"), "main", SIM_ACTOR_THREAD, 0,
                    prog_actor, &cli);
    sim_world_run(w);
    assert_int_equal(srv.rc, 0);
    assert_int_equal(cli.rc, 0);
    printf("two hosts: done at %" G_GUINT64_FORMAT " ms\n", sim_world_now(w) / SIM_MSEC);
    sim_world_free(w);
    assert_null(sim_world_current());
}

static DWORD WINAPI
server_thread(LPVOID param)
{
    static char *argv[] = { "server", "7777", "2", NULL };

    (void) param;
    return (DWORD) echo_server_main(3, argv);
}

/* The default world: server on a CreateThread thread, client on main,
 * once by number and once by name ("localhost": ::1 is refused, as the
 * server listens on IPv4 only, then 127.0.0.1 answers). */
static void
test_ws2_echo_default_host(void **state)
{
    char *argv1[] = { "client", "127.0.0.1", "7777", "3", NULL };
    char *argv2[] = { "client", "localhost", "7777", "2", NULL };
    HANDLE th;
    DWORD code = 99;

    (void) state;
    th = CreateThread(NULL, 0, server_thread, NULL, 0, NULL);
    assert_non_null(th);
    assert_int_equal(echo_client_main(4, argv1), 0);
    assert_int_equal(echo_client_main(4, argv2), 0);
    assert_int_equal(WaitForSingleObject(th, 10000), WAIT_OBJECT_0);
    assert_true(GetExitCodeThread(th, &code));
    assert_int_equal(code, 0);
    assert_true(CloseHandle(th));
    printf("default host: done at %lu ms\n", (unsigned long) GetTickCount());
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ws2_echo_two_hosts_lossy),
        cmocka_unit_test(test_ws2_echo_default_host),
    };

    setvbuf(stdout, NULL, _IOLBF, 0);
    return cmocka_run_group_tests_name("ws2-echo", tests, NULL, NULL);
}
