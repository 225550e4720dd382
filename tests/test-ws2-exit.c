/* SPDX-License-Identifier: MIT
 * test-ws2-exit: the end of a Winsock program is ExitProcess.  When main
 * returns (or any thread of the program calls exit), the program's other
 * simulated threads are terminated where they stand — the code after their
 * blocking call never runs — and its sockets are closed at that simulated
 * instant, so a peer sees the reset one link delay later and a new connect
 * is refused; the world then drains only what is left, and the program
 * ends at once instead of running on in simulated time.
 *
 * Each case is one program run: the default world and its atexit handler
 * exist once per OS process, so the case runs in a forked child that ends
 * with exit(), and reports through a pipe what happened (lines "worker ran",
 * "peer ...", "end ...", and the trace).  Most cases run inside a stand-in
 * for the scenario runner (as tests/test-ws2-scenario.c): this program
 * defines wspsim_embed_begin/finish, building a world where the program is
 * process "app" on host "app", and a peer process on host "peer", 10 ms
 * away, runs the peer's side.  A child that hangs is ended by an alarm. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/sim.h"
#include <wspsim/winsock2.h>
#include <wspsim/windows.h>
#include <wspsim/wspsim-ws2.h>

#define APP_PORT 7000
#define LINK_DELAY (10 * SIM_MSEC)
/* Wall-clock seconds a child may take (valgrind included) before it counts
 * as hung. */
#ifndef CHILD_ALARM
#define CHILD_ALARM 120
#endif

typedef enum {
    PEER_RECV,    /* connect, then wait (100 s at most) for data that never comes */
    PEER_CONNECT, /* connect at 1.5 s, after the program ended */
} PeerRole;

typedef struct {
    const char *name;
    int (*body)(void); /* the program's main */
    PeerRole peer;     /* in the stand-in scenario */
    bool scenario;     /* FALSE: the default world, with WSPSIM_TRACE */
} Case;

static const Case *the_case;
static int report_fd = -1;

/* ---- The child's report -------------------------------------------------- */

static void report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void
report(const char *fmt, ...)
{
    va_list ap;
    GString *line = g_string_new(NULL);
    size_t done = 0;

    va_start(ap, fmt);
    g_string_append_vprintf(line, fmt, ap);
    va_end(ap);
    g_string_append_c(line, '\n');
    while (done < line->len) {
        ssize_t n = write(report_fd, line->str + done, line->len - done);
        if (n <= 0)
            abort();
        done += (size_t) n;
    }
    g_string_free(line, TRUE);
}

static SimTime
now_ns(void)
{
    return sim_world_now(wspsim_ws2_world());
}

static struct sockaddr_in
addr4(const char *ip, u_short port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = inet_addr(ip);
    return a;
}

static SOCKET
listener(const char *ip, u_short port)
{
    struct sockaddr_in sa = addr4(ip, port);
    SOCKET l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);

    if (l == INVALID_SOCKET || bind(l, (struct sockaddr *) &sa, sizeof sa) != 0 ||
        listen(l, 5) != 0)
        abort();
    return l;
}

/* ---- The programs ------------------------------------------------------ */

/* Accepts the peer, then waits for data that never comes. */
static DWORD WINAPI
recv_worker(LPVOID param)
{
    SOCKET l = (SOCKET) (uintptr_t) param;
    SOCKET a = accept(l, NULL, NULL);
    char buf[16];
    int n;

    report("worker accepted at %" G_GINT64_FORMAT, now_ns());
    n = recv(a, buf, sizeof buf, 0);
    report("worker ran after recv: %d %d", n, WSAGetLastError()); /* never */
    return 0;
}

/* Waits in accept for a connection that comes only after the program ended
 * (and must be refused). */
static DWORD WINAPI
accept_worker(LPVOID param)
{
    SOCKET a = accept((SOCKET) (uintptr_t) param, NULL, NULL);

    report("worker ran after accept: %d %d", a != INVALID_SOCKET, WSAGetLastError()); /* never */
    return 0;
}

/* main listens, hands the listener to @worker's thread and returns at 1 s. */
static int
main_returns_at_1s(LPTHREAD_START_ROUTINE worker)
{
    WSADATA wsa;

    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return 10;
    CreateThread(NULL, 0, worker, (LPVOID) (uintptr_t) listener("0.0.0.0", APP_PORT), 0, NULL);
    Sleep(1000);
    report("main returns at %" G_GINT64_FORMAT, now_ns());
    return 0;
}

static int
prog_main_returns_worker_in_recv(void)
{
    return main_returns_at_1s(recv_worker);
}

static int
prog_main_returns_worker_in_accept(void)
{
    return main_returns_at_1s(accept_worker);
}

static DWORD WINAPI
exit_worker(LPVOID param)
{
    (void) param;
    Sleep(1000);
    report("worker exits at %" G_GINT64_FORMAT, now_ns());
    exit(3);
}

/* A thread calls exit(3) at 1 s while main waits in recv: main is
 * terminated like any other thread, the status is the thread's. */
static int
prog_thread_exits_main_in_recv(void)
{
    WSADATA wsa;
    SOCKET a;
    char buf[16];
    int n;

    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return 10;
    CreateThread(NULL, 0, exit_worker, NULL, 0, NULL);
    a = accept(listener("0.0.0.0", APP_PORT), NULL, NULL);
    report("main accepted at %" G_GINT64_FORMAT, now_ns());
    n = recv(a, buf, sizeof buf, 0);
    report("main ran after recv: %d %d", n, WSAGetLastError()); /* never */
    return 0;
}

/* Sleeps forever, one second at a time: the world is never idle while it
 * runs. */
static DWORD WINAPI
ticker(LPVOID param)
{
    (void) param;
    for (;;)
        Sleep(1000);
    report("ticker ran"); /* never */
    return 0;
}

/* The default world, one process: a loopback connection whose accepting
 * side a worker reads forever, and a ticker thread; main returns at 0.1 s. */
static int
prog_default_world(void)
{
    WSADATA wsa;
    struct sockaddr_in sa = addr4("127.0.0.1", APP_PORT);
    SOCKET l, c;

    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return 10;
    l = listener("127.0.0.1", APP_PORT);
    CreateThread(NULL, 0, recv_worker, (LPVOID) (uintptr_t) l, 0, NULL);
    CreateThread(NULL, 0, ticker, NULL, 0, NULL);
    c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (connect(c, (struct sockaddr *) &sa, sizeof sa) != 0)
        return 11;
    Sleep(100);
    report("main returns at %" G_GINT64_FORMAT, now_ns());
    return 0;
}

/* ---- The stand-in scenario runner -------------------------------------- */

typedef struct {
    SimWorld *world;
    GString *trace;
} FakeRun;

void *wspsim_embed_begin(const WspsimEmbedRequest *req, struct SimWorld **out_world,
                         uint32_t *out_pid, char **out_error);
int wspsim_embed_finish(void *handle);

static void
trace_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    GString *trace = data;

    g_string_append(trace, "trace ");
    sim_trace_format_line(world, rec, trace);
    g_string_append_c(trace, '\n');
}

static int
peer_error(int rc)
{
    return rc == SOCKET_ERROR ? WSAGetLastError() : 0;
}

/* The peer's side, on host "peer" (10.0.4.2); the program is 10.0.4.1. */
static void
peer_actor(void *data)
{
    struct sockaddr_in app = addr4("10.0.4.1", APP_PORT);
    WSADATA wsa;
    SOCKET s;
    DWORD timeout = 100000;
    char buf[16];
    int rc;

    (void) data;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        abort();
    if (the_case->peer == PEER_RECV) {
        s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *) &timeout, sizeof timeout);
        rc = connect(s, (struct sockaddr *) &app, sizeof app);
        report("peer connect %d at %" G_GINT64_FORMAT, peer_error(rc), now_ns());
        rc = recv(s, buf, sizeof buf, 0);
        report("peer recv %d %d at %" G_GINT64_FORMAT, rc, peer_error(rc), now_ns());
        closesocket(s);
    } else {
        Sleep(1500);
    }
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    rc = connect(s, (struct sockaddr *) &app, sizeof app);
    report("peer reconnect %d at %" G_GINT64_FORMAT, peer_error(rc), now_ns());
    closesocket(s);
    WSACleanup();
}

void *
wspsim_embed_begin(const WspsimEmbedRequest *req, struct SimWorld **out_world, uint32_t *out_pid,
                   char **out_error)
{
    FakeRun *run = g_new0(FakeRun, 1);
    SimAddr aa = sim_addr_v4(10, 0, 4, 1), pa = sim_addr_v4(10, 0, 4, 2);
    SimNodeId a, p;
    SimLinkParams lp;

    (void) out_error;
    run->world = sim_world_new(req->has_seed ? req->seed : 9);
    run->trace = g_string_new(NULL);
    sim_trace_add_sink(run->world, trace_sink, run->trace);
    a = sim_node_add(run->world, "app", SIM_NODE_HOST);
    p = sim_node_add(run->world, "peer", SIM_NODE_HOST);
    sim_node_add_addr(run->world, a, &aa, 24);
    sim_node_add_addr(run->world, p, &pa, 24);
    sim_link_params_init(&lp);
    lp.latency_ns = LINK_DELAY;
    sim_link_add(run->world, a, p, &lp, &lp);
    sim_actor_spawn(run->world, sim_process_new(run->world, p, "peer"), "peer", SIM_ACTOR_THREAD,
                    100 * SIM_MSEC, peer_actor, NULL);
    *out_world = run->world;
    *out_pid = sim_process_new(run->world, a, req->process_name);
    return run;
}

int
wspsim_embed_finish(void *handle)
{
    FakeRun *run = handle;

    report("end %" G_GINT64_FORMAT " alive %zu", sim_world_now(run->world),
           sim_world_actors_alive(run->world));
    sim_trace_remove_sink(run->world, trace_sink, run->trace);
    report("%s", run->trace->len > 0 ? run->trace->str : "trace none\n");
    sim_world_free(run->world);
    g_string_free(run->trace, TRUE);
    g_free(run);
    return 0;
}

/* ---- The parent's side --------------------------------------------------- */

/* Runs the program of @c in a forked child and appends its report to @out.
 * Returns: the child's wait status. */
static int
run_child(const Case *c, const char *trace_path, GString *out)
{
    static const char *const inherited[] = { "WSPSIM_SEED", "WSPSIM_TRACE", "WSPSIM_JSONL",
                                             "WSPSIM_PCAP", "WSPSIM_MSC",   "WSPSIM_LSP",
                                             "WSPSIM_STATS" };
    int fds[2];
    pid_t pid;
    int status = 0;
    char buf[4096];
    ssize_t n;

    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        report_fd = fds[1];
        the_case = c;
        alarm(CHILD_ALARM);
        /* The expectations hold for the default seed and no extra outputs. */
        for (size_t i = 0; i < G_N_ELEMENTS(inherited); i++)
            g_unsetenv(inherited[i]);
        if (c->scenario) {
            g_setenv("WSPSIM_SCENARIO", "exit.wsim", TRUE);
            g_setenv("WSPSIM_HOST", "app", TRUE);
            g_setenv("WSPSIM_PROCESS", "app", TRUE);
        } else {
            g_setenv("WSPSIM_TRACE", trace_path, TRUE);
        }
        exit(c->body()); /* what returning from main does */
    }
    close(fds[1]);
    while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            g_string_append_len(out, buf, n);
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    printf("---- %s\n%s", c->name, out->str);
    return status;
}

static void
assert_exit_status(int status, int code)
{
    if (WIFSIGNALED(status))
        fail_msg("the program was killed by signal %d (hung: alarm)", WTERMSIG(status));
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), code);
}

static void
assert_has(const GString *out, const char *line)
{
    if (strstr(out->str, line) == NULL)
        fail_msg("no \"%s\" in the report", line);
}

static void
assert_lacks(const GString *out, const char *text)
{
    if (strstr(out->str, text) != NULL)
        fail_msg("\"%s\" in the report", text);
}

/* main returns at 1 s while a worker waits in recv on the peer's
 * connection: the worker never runs again; the connection is reset at
 * 1 s (the peer's recv fails one link delay later, long before its 100 s
 * time-out), the listener is gone (a new connect is refused), and the
 * world ends when the peer is done. */
static void
test_ws2_exit_main_returns_worker_in_recv(void **state)
{
    static const Case c = { "recv", prog_main_returns_worker_in_recv, PEER_RECV, true };
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) again = g_string_new(NULL);

    (void) state;
    assert_exit_status(run_child(&c, NULL, out), 0);
    assert_has(out, "worker accepted at 130000000\n");
    assert_has(out, "main returns at 1000000000\n");
    assert_lacks(out, "worker ran");
    assert_has(out, "trace    1.000000000 app      NOTE  [main] process app exited: 1 other "
                    "thread terminated\n");
    assert_has(out, "trace    1.000000000 app      > peer     TCP 7000 > 49152 [R");
    assert_has(out, "peer recv -1 10054 at 1010000000\n");
    assert_has(out, "peer reconnect 10061 at 1030000000\n");
    assert_has(out, "end 1030000000 alive 0\n");
    /* Same seed, same run. */
    assert_exit_status(run_child(&c, NULL, again), 0);
    assert_string_equal(out->str, again->str);
}

/* The worker waits in accept: after main returned the listener is closed,
 * so the peer's connect at 1.5 s is refused and nobody accepts it. */
static void
test_ws2_exit_main_returns_worker_in_accept(void **state)
{
    static const Case c = { "accept", prog_main_returns_worker_in_accept, PEER_CONNECT, true };
    g_autoptr(GString) out = g_string_new(NULL);

    (void) state;
    assert_exit_status(run_child(&c, NULL, out), 0);
    assert_has(out, "main returns at 1000000000\n");
    assert_has(out, "trace    1.000000000 app      NOTE  [main] process app exited: 1 other "
                    "thread terminated\n");
    assert_has(out, "trace    1.000000000 app      STATE sock=1 0.0.0.0:7000 LISTEN -> CLOSED");
    assert_has(out, "peer reconnect 10061 at 1620000000\n");
    assert_lacks(out, "worker ran");
    assert_has(out, "end 1620000000 alive 0\n");
}

/* exit(3) on another thread at 1 s while main waits in recv: main is
 * terminated, the sockets reset at 1 s, the exit status is 3. */
static void
test_ws2_exit_thread_exits_main_in_recv(void **state)
{
    static const Case c = { "thread-exit", prog_thread_exits_main_in_recv, PEER_RECV, true };
    g_autoptr(GString) out = g_string_new(NULL);

    (void) state;
    assert_exit_status(run_child(&c, NULL, out), 3);
    assert_has(out, "main accepted at 130000000\n");
    assert_has(out, "worker exits at 1000000000\n");
    assert_lacks(out, "main ran");
    assert_has(out, "trace    1.000000000 app      NOTE  [thread3] process app exited: 1 other "
                    "thread terminated\n");
    assert_has(out, "peer recv -1 10054 at 1010000000\n");
    assert_has(out, "peer reconnect 10061 at 1030000000\n");
    assert_has(out, "end 1030000000 alive 0\n");
}

/* The default world: main returns at 0.1 s with a worker in recv and a
 * thread that never stops sleeping.  Both are terminated (the ticker would
 * otherwise keep the world running for ever), the loopback connection is
 * reset at 0.1 s, and that is the end of the trace. */
static void
test_ws2_exit_default_world(void **state)
{
    static const Case c = { "default", prog_default_world, PEER_RECV, false };
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *dir = g_dir_make_tmp("ws2-exit-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "trace", NULL);
    g_autofree char *trace = NULL;
    g_auto(GStrv) lines = NULL;
    guint n;

    (void) state;
    assert_non_null(dir);
    assert_exit_status(run_child(&c, path, out), 0);
    assert_has(out, "main returns at 100000000\n");
    assert_lacks(out, "worker ran");
    assert_lacks(out, "ticker ran");
    assert_true(g_file_get_contents(path, &trace, NULL, NULL));
    printf("%s", trace);
    assert_non_null(strstr(trace, "   0.100000000 localhost NOTE  [main] process app exited: 2 "
                                  "other threads terminated\n"));
    assert_non_null(strstr(trace, "   0.100000000 localhost < localhost TCP 7000 > 49152 [R."));
    /* Nothing after the reset's delivery: no ticker, no drain. */
    lines = g_strsplit(trace, "\n", -1);
    n = g_strv_length(lines);
    assert_true(n >= 2);
    assert_true(g_str_has_prefix(lines[n - 2], "   0.1"));
    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ws2_exit_main_returns_worker_in_recv),
        cmocka_unit_test(test_ws2_exit_main_returns_worker_in_accept),
        cmocka_unit_test(test_ws2_exit_thread_exits_main_in_recv),
        cmocka_unit_test(test_ws2_exit_default_world),
    };

    return cmocka_run_group_tests_name("ws2-exit", tests, NULL, NULL);
}
