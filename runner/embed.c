/* SPDX-License-Identifier: MIT
 *
 * embed.c: the scenario runner's side of WSPSIM_SCENARIO (issue 12).  A
 * Winsock program built against libwspsim (ws2/) finds these two calls at
 * run time by name (<wspsim/wspsim-ws2.h>): wspsim_embed_begin loads and
 * checks the scenario, builds its world exactly as `wspsim run` does
 * (outputs, trace header, hosts, links, faults, the script's processes and
 * actors) without running it, and adds the application's process on the
 * requested host; ws2 then adopts the program's main thread there.
 * wspsim_embed_finish, called once the application's process exited (main
 * returned or a thread called exit; ws2 terminated its other threads) and
 * the world drained, runs on to the script's "run until" if it is later,
 * reports stuck script actors, prints failures, statistics and the
 * fingerprint on stderr (the program owns its standard output), closes the
 * outputs and frees everything.  doc/ws2.md, "Scenarios".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <wspsim/wspsim-ws2.h>

#include "runner/interp.h"

/* Exported from libwspsim.so; ws2 looks them up with g_module_symbol. */
void *wspsim_embed_begin(const WspsimEmbedRequest *req, struct SimWorld **out_world,
                         uint32_t *out_pid, char **out_error);
int wspsim_embed_finish(void *handle);

typedef struct {
    WspsimScript *script;
    WspsimRunOptions opts;
    WspsimRun *run;
    FILE *trace;     /* (nullable) */
    bool own_trace;  /* fopen'ed here */
} EmbedRun;

static void
embed_free(EmbedRun *e)
{
    if (e->trace != NULL) {
        if (e->own_trace)
            fclose(e->trace);
        else
            fflush(e->trace);
    }
    if (e->script != NULL)
        wspsim_script_free(e->script);
    g_free(e);
}

static const WspsimHostDecl *
find_host(const WspsimScript *s, const char *name)
{
    for (guint i = 0; i < s->hosts->len; i++) {
        const WspsimHostDecl *h = g_ptr_array_index(s->hosts, i);

        if (strcmp(h->name, name) == 0)
            return h;
    }
    return NULL;
}

/**
 * wspsim_embed_begin:
 * @req: the scenario, the host and the outputs (from the environment)
 * @out_world: (out): the world the application runs in
 * @out_pid: (out): the application's process on @req->host
 * @out_error: (out): why not, when NULL is returned (free with g_free)
 *
 * See WspsimEmbedBeginFn in <wspsim/wspsim-ws2.h>.
 *
 * Returns: (transfer full) (nullable): the handle for wspsim_embed_finish.
 */
void *
wspsim_embed_begin(const WspsimEmbedRequest *req, struct SimWorld **out_world, uint32_t *out_pid,
                   char **out_error)
{
    EmbedRun *e;
    GError *error = NULL;
    const char *process = req->process_name != NULL ? req->process_name : "app";
    const WspsimHostDecl *h;
    SimProcessId pid;

    *out_world = NULL;
    *out_pid = SIM_ID_NONE;
    *out_error = NULL;
    if (req->scenario_path == NULL || req->host == NULL) {
        *out_error = g_strdup("a scenario needs a file and a host (WSPSIM_SCENARIO, WSPSIM_HOST)");
        return NULL;
    }
    e = g_new0(EmbedRun, 1);
    e->script = wspsim_script_load(req->scenario_path, &error);
    if (e->script == NULL) {
        *out_error = g_strdup(error->message);
        g_error_free(error);
        embed_free(e);
        return NULL;
    }
    h = find_host(e->script, req->host);
    if (h == NULL || h->router) {
        *out_error = g_strdup_printf("%s: no host '%s'%s", req->scenario_path, req->host,
                                     h != NULL ? " (it is a router)" : "");
        embed_free(e);
        return NULL;
    }
    if (req->trace_path != NULL) {
        if (strcmp(req->trace_path, "-") == 0) {
            e->trace = stdout;
        } else if ((e->trace = fopen(req->trace_path, "w")) != NULL) {
            e->own_trace = true;
        } else {
            *out_error = g_strdup_printf("cannot write %s: %s", req->trace_path, g_strerror(errno));
            embed_free(e);
            return NULL;
        }
    }
    e->opts.has_seed = req->has_seed != 0;
    e->opts.seed = req->seed;
    e->opts.trace = e->trace;
    e->opts.jsonl_path = req->jsonl_path;
    e->opts.pcap_path = req->pcap_path;
    e->opts.msc_path = req->msc_path;
    e->opts.stats = g_getenv("WSPSIM_STATS") != NULL && g_getenv("WSPSIM_STATS")[0] != '\0';
    e->opts.stats_out = stderr;

    e->run = wspsim_run_new(e->script, &e->opts);
    /* The application's main thread is adopted: the scheduler thread runs
     * the world while it waits, and must not be stopped under it. */
    wspsim_run_set_no_stop(e->run, true);
    if (!wspsim_run_build(e->run, &error)) {
        WspsimRunResult r = { 0 };

        *out_error = g_strdup(error != NULL ? error->message : "the scenario could not start");
        g_clear_error(&error);
        wspsim_run_end(e->run, false, &r, NULL);
        wspsim_run_result_clear(&r);
        embed_free(e);
        return NULL;
    }
    pid = sim_process_new(wspsim_run_world(e->run), sim_node_lookup(wspsim_run_world(e->run),
                                                                    req->host),
                          process);
    if (pid == SIM_ID_NONE) {
        WspsimRunResult r = { 0 };

        *out_error = g_strdup_printf("%s: cannot create process %s on %s", req->scenario_path,
                                     process, req->host);
        wspsim_run_end(e->run, false, &r, NULL);
        wspsim_run_result_clear(&r);
        embed_free(e);
        return NULL;
    }
    *out_world = wspsim_run_world(e->run);
    *out_pid = pid;
    return e;
}

/**
 * wspsim_embed_finish:
 * @handle: (transfer full): from wspsim_embed_begin
 *
 * See WspsimEmbedFinishFn in <wspsim/wspsim-ws2.h>.
 *
 * Returns: 0 when every expectation of the scenario held and no script
 * actor was stuck, 1 otherwise, 2 when an output could not be written.
 */
int
wspsim_embed_finish(void *handle)
{
    EmbedRun *e = handle;
    WspsimRunResult r = { 0 };
    GError *error = NULL;
    SimWorld *world;
    SimRunResult rr;
    char t[32];
    const char *p;
    int status;

    if (e == NULL)
        return 2;
    world = wspsim_run_world(e->run);
    /* Nothing else shares the world now: a failure may stop it again. */
    wspsim_run_set_no_stop(e->run, false);
    if (e->script->has_run_until && sim_world_now(world) < e->script->run_until)
        rr = sim_world_run_until(world, e->script->run_until);
    else
        rr = sim_world_events_pending(world) == 0 ? SIM_RUN_IDLE : SIM_RUN_TIME_LIMIT;
    wspsim_run_check_stuck(e->run, rr);
    if (!wspsim_run_end(e->run, true, &r, &error)) {
        fprintf(stderr, "wspsim: %s\n", error != NULL ? error->message : "an output failed");
        g_clear_error(&error);
        status = 2;
    } else {
        status = r.ok ? 0 : 1;
    }
    e->run = NULL;
    if (e->trace != NULL)
        fflush(e->trace);
    fputs(r.failures->str, stderr);
    sim_trace_format_time(r.end_time, t);
    for (p = t; *p == ' '; p++)
        ;
    fprintf(stderr,
            "wspsim: %s %s (seed %" G_GUINT64_FORMAT ", t=%s, %" G_GUINT64_FORMAT
            " records, %" G_GUINT64_FORMAT " statements)\n",
            r.ok ? "ok" : "FAIL", e->script->file, r.seed, p, r.records, r.statements);
    fprintf(stderr, "wspsim: fingerprint 0x%016" G_GINT64_MODIFIER "x\n", r.fingerprint);
    fflush(stderr);
    wspsim_run_result_clear(&r);
    embed_free(e);
    return status;
}
