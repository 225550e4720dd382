/* SPDX-License-Identifier: MIT
 *
 * embed-echo: the complete embedding example of doc/embedding.md.  Builds a
 * world from C, runs an echo server and a retrying client as C actors that
 * call the SPI through their proc tables, schedules network and provider
 * faults, runs, and reads the trace, statistics and fingerprint.
 *
 *   embed-echo [--seed N] [--loss PERCENT] [--partition SECONDS]
 *              [--fail-send N] [--trace]
 *
 * Exit status 0 when every message came back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <wspsim/wspsim-fault.h>

#include "echo-app.h"

static void
add_host(SimWorld *w, const char *name, const char *addr, SimNodeId *out)
{
    SimAddr a;

    *out = sim_node_add(w, name, SIM_NODE_HOST);
    sim_addr_parse(addr, &a);
    sim_node_add_addr(w, *out, &a, 24);
}

int
main(int argc, char **argv)
{
    gint64 seed = 1, fail_send = 0;
    double loss = 0, partition = 0;
    gboolean trace = FALSE;
    GOptionEntry entries[] = {
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "master seed", "N" },
        { "loss", 0, 0, G_OPTION_ARG_DOUBLE, &loss, "loss on the link, percent", "P" },
        { "partition", 0, 0, G_OPTION_ARG_DOUBLE, &partition, "cut the server off at 0.1 s for S seconds", "S" },
        { "fail-send", 0, 0, G_OPTION_ARG_INT64, &fail_send, "the Nth WSPSend of the client fails with WSAENOBUFS", "N" },
        { "trace", 0, 0, G_OPTION_ARG_NONE, &trace, "print the text trace", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- echo under faults");
    g_autoptr(GError) error = NULL;
    SimNodeId client, server;
    SimLinkParams p;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "embed-echo: %s\n", error->message);
        return 2;
    }

    /* 1. The world: two hosts and a 10 Mbps, 5 ms link. */
    SimWorld *world = sim_world_new((guint64) seed);
    add_host(world, "client", "10.0.0.1", &client);
    add_host(world, "server", "10.0.0.2", &server);
    sim_link_params_init(&p);
    p.latency_ns = 5 * SIM_MSEC;
    p.rate_bps = 10000000;
    p.loss_ppm = (guint32) (loss * 10000);
    SimLinkId link = sim_link_add(world, client, server, &p, &p);

    /* 2. Outputs: the text trace (optional) and the fingerprint. */
    SimTraceText *text = trace ? sim_trace_text_new(world, stdout) : NULL;
    sim_trace_enable_fingerprint(world);

    /* 3. Applications: a process per host, a C actor (its own GThread, run
     *    under the baton) per application thread. */
    EchoServer srv = { .world = world, .listen_addr = "10.0.0.2:7000", .idle_timeout_ms = 5000 };
    EchoClient cli = { .world = world, .server_addr = "10.0.0.2:7000", .messages = 20,
                       .max_attempts = 4, .recv_timeout_ms = 3000, .backoff_ns = SIM_SEC };
    SimProcessId ps = sim_process_new(world, server, "echod");
    SimProcessId pc = sim_process_new(world, client, "echo");
    sim_actor_spawn(world, ps, "main", SIM_ACTOR_THREAD, 0, echo_server_main, &srv);
    sim_actor_spawn(world, pc, "main", SIM_ACTOR_THREAD, 10 * SIM_MSEC, echo_client_main, &cli);

    /* 4. Faults: a partition of the server, and a provider error. */
    if (partition > 0)
        sim_fault_schedule_partition(world, SIM_SEC / 10, &server, 1, SIM_PARTITION_SYMMETRIC,
                                     (SimTime) (partition * 1e9), NULL);
    if (fail_send > 0 &&
        wspsim_fault_fail_calls(world, pc, "WSPSend", WSPSIM_FAULT_NTH, (guint32) fail_send,
                                WSAENOBUFS, &error) == 0) {
        fprintf(stderr, "embed-echo: %s\n", error->message);
        return 2;
    }

    /* 5. Run: until the client is done, at most 10 simulated minutes. */
    sim_world_run_until(world, 600 * SIM_SEC);

    /* 6. Results. */
    SimLinkStats st;
    sim_link_get_stats(world, link, SIM_DIR_AB, &st);
    printf("client: %s, %d/%d echoed, %d attempts, %d sends retried, last error %d, t=%.3f s\n",
           echo_outcome_name(cli.outcome), cli.echoed, cli.messages, cli.attempts,
           cli.retried_sends, cli.last_error, (double) cli.finished_ns / 1e9);
    printf("server: %d connections, %d dropped, %" G_GUINT64_FORMAT " bytes echoed\n",
           srv.connections, srv.dropped, srv.bytes_echoed);
    printf("link client->server: %" G_GUINT64_FORMAT " sent, %" G_GUINT64_FORMAT " lost\n",
           st.sent_packets, st.lost_packets);
    printf("fingerprint 0x%016" G_GINT64_MODIFIER "x\n", sim_trace_fingerprint(world));

    int status = cli.outcome == ECHO_DONE ? 0 : 1;
    sim_trace_text_free(text);
    sim_world_free(world); /* the server actor is killed and unwinds */
    return status;
}
