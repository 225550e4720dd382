/* SPDX-License-Identifier: MIT
 * test-ws2-scenario: the WSPSIM_SCENARIO path of the application side,
 * against a stand-in for the scenario runner.  This program defines the two
 * calls wspsim-ws2.h asks of the runner (wspsim_embed_begin/finish) and
 * exports them (linked with --export-dynamic); ws2 finds them at run time,
 * so the unchanged echo client (examples/ws2-echo-client.c, main renamed)
 * runs on host "client" of a two-host world with a lossy link while the
 * "scenario's own actor" — here the echo server — runs on host "server".
 * The stand-in's finish call decides the exit status. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#define ECHO_SERVER_MAIN echo_server_main
#include "../examples/ws2-echo-server.c"
#define ECHO_CLIENT_MAIN echo_client_main
#include "../examples/ws2-echo-client.c"

#include "sim/sim.h"
#include <wspsim/wspsim-ws2.h>

typedef struct {
    SimWorld *world;
    int server_rc;
} FakeRun;

void *wspsim_embed_begin(const WspsimEmbedRequest *req, struct SimWorld **out_world,
                         uint32_t *out_pid, char **out_error);
int wspsim_embed_finish(void *handle);

static void
server_actor(void *data)
{
    FakeRun *run = data;
    char *argv[] = { "server", "7000", "1", NULL };

    run->server_rc = echo_server_main(3, argv);
}

void *
wspsim_embed_begin(const WspsimEmbedRequest *req, struct SimWorld **out_world, uint32_t *out_pid,
                   char **out_error)
{
    FakeRun *run;
    SimNodeId a, b;
    SimAddr aa = sim_addr_v4(10, 0, 2, 1), ba = sim_addr_v4(10, 0, 2, 2);
    SimLinkParams p;

    if (strcmp(req->scenario_path, "fake.wsim") != 0 || req->host == NULL ||
        strcmp(req->host, "client") != 0) {
        *out_error = g_strdup_printf("%s: no host '%s'", req->scenario_path,
                                     req->host ? req->host : "(null)");
        return NULL;
    }
    run = g_new0(FakeRun, 1);
    run->server_rc = -1;
    run->world = sim_world_new(req->has_seed ? req->seed : 5);
    a = sim_node_add(run->world, "server", SIM_NODE_HOST);
    b = sim_node_add(run->world, "client", SIM_NODE_HOST);
    sim_node_add_addr(run->world, a, &aa, 24);
    sim_node_add_addr(run->world, b, &ba, 24);
    sim_link_params_init(&p);
    p.latency_ns = 30 * SIM_MSEC;
    p.loss_ppm = 20000;
    sim_link_add(run->world, a, b, &p, &p);
    sim_actor_spawn(run->world, sim_process_new(run->world, a, "echo-server"), "script",
                    SIM_ACTOR_THREAD, 100 * SIM_MSEC, server_actor, run);
    *out_world = run->world;
    *out_pid = sim_process_new(run->world, b, req->process_name);
    return run;
}

int
wspsim_embed_finish(void *handle)
{
    FakeRun *run = handle;
    int status = run->server_rc == 0 ? 0 : 1;

    printf("fake runner: server exit %d, world ended at %" G_GUINT64_FORMAT " ms\n", run->server_rc,
           sim_world_now(run->world) / SIM_MSEC);
    sim_world_free(run->world);
    g_free(run);
    return status;
}

int
main(void)
{
    char *argv[] = { "client", "server", "7000", "3", NULL };
    int rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    g_setenv("WSPSIM_SCENARIO", "fake.wsim", TRUE);
    g_setenv("WSPSIM_HOST", "client", TRUE);
    g_setenv("WSPSIM_PROCESS", "echo-client", TRUE);
    rc = echo_client_main(4, argv);
    printf("client exit %d, pid %lu at %lu ms\n", rc, (unsigned long) GetCurrentProcessId(),
           (unsigned long) GetTickCount());
    return rc;
}
