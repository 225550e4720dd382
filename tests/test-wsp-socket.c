/* SPDX-License-Identifier: MIT
 * test-wsp-socket: the socket life cycle over the simulated network —
 * bind/listen/accept/connect errors, a blocking client/server pair as two
 * actors, non-blocking connect/accept, refused connect, conditional
 * accept, shutdown seen from both ends, linger variants, and determinism. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "helpers/test-world.h"

#define PORT 7000

typedef struct {
    TestWorld *tw;
    int phase;
    char got[256];
    int err, err2;
    int n;
} Pair;

/* ---- Bind / listen / accept errors (from main, no actor) ---------------- */

static void
test_wsp_socket_bind_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    SOCKET s, t, u;
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->ps);
    s = test_socket(AF_INET, SOCK_STREAM);
    ss = test_sa("10.0.0.9", PORT, &len);
    assert_int_equal(WSPBind(s, (struct sockaddr *) &ss, len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEADDRNOTAVAIL);
    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPBind(s, (struct sockaddr *) &ss, len - 1, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(WSPBind(s, NULL, len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    ss = test_sa("fd00::2", PORT, &len);
    assert_int_equal(WSPBind(s, (struct sockaddr *) &ss, len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT); /* family differs */
    assert_int_equal(WSPBind(0x9999, (struct sockaddr *) &ss, len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    test_bind(s, "10.0.0.2", PORT);
    ss = test_sa("10.0.0.2", PORT + 1, &len);
    assert_int_equal(WSPBind(s, (struct sockaddr *) &ss, len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL); /* already bound */
    t = test_socket(AF_INET, SOCK_STREAM);
    ss = test_sa("0.0.0.0", PORT, &len);
    assert_int_equal(WSPBind(t, (struct sockaddr *) &ss, len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEADDRINUSE);
    /* Port 0: the dynamic range. */
    u = test_socket(AF_INET, SOCK_STREAM);
    test_bind(u, "0.0.0.0", 0);
    len = sizeof ss;
    assert_int_equal(WSPGetSockName(u, (struct sockaddr *) &ss, &len, &err), 0);
    assert_true(g_ntohs(((struct sockaddr_in *) &ss)->sin_port) >= 49152);
    test_world_free(tw);
}

static void
test_wsp_socket_listen_accept_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET s, d;
    SOCKADDR_STORAGE ss;
    int err = 0, len;

    (void) state;
    test_world_use(tw, tw->ps);
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_int_equal(WSPListen(s, 5, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL); /* unbound */
    assert_true(WSPAccept(s, NULL, NULL, NULL, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL); /* not listening */
    d = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(d, "10.0.0.2", PORT);
    assert_int_equal(WSPListen(d, 5, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEOPNOTSUPP);
    assert_true(WSPAccept(d, NULL, NULL, NULL, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEOPNOTSUPP);
    test_bind(s, "10.0.0.2", PORT);
    test_listen(s);
    assert_int_equal(WSPListen(s, -3, &err), 0); /* again: new backlog */
    len = 4;
    assert_true(WSPAccept(s, (struct sockaddr *) &ss, &len, NULL, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEFAULT);
    /* Outside an actor a blocking accept cannot wait. */
    assert_true(WSPAccept(s, NULL, NULL, NULL, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEWOULDBLOCK);
    test_world_free(tw);
}

/* ---- A blocking client/server pair --------------------------------------- */

static void
server_echo(void *data)
{
    Pair *p = data;
    SOCKADDR_STORAGE ss;
    int len = sizeof ss, err = 0, n;
    char buf[128];
    SOCKET l = test_socket(AF_INET, SOCK_STREAM), c;

    test_bind(l, "0.0.0.0", PORT);
    test_listen(l);
    c = WSPAccept(l, (struct sockaddr *) &ss, &len, NULL, 0, &err);
    assert_true(c != INVALID_SOCKET);
    assert_int_equal(((struct sockaddr_in *) &ss)->sin_addr.s_addr, g_htonl(0x0a000001));
    while ((n = test_recv(c, buf, sizeof buf, 0, &err)) > 0) {
        g_strlcat(p->got, buf, sizeof p->got);
        test_send_str(c, buf);
    }
    assert_int_equal(n, 0); /* graceful close */
    test_close(c);
    test_close(l);
    p->phase++;
}

static void
client_echo(void *data)
{
    Pair *p = data;
    SOCKADDR_STORAGE ss;
    int len, err = 0;
    char buf[128];
    SOCKET s = test_socket(AF_INET, SOCK_STREAM);

    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), 0);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEISCONN);
    assert_int_equal(test_send_str(s, "hello"), 5);
    assert_int_equal(test_recv(s, buf, sizeof buf, 0, &err), 5);
    assert_string_equal(buf, "hello");
    assert_int_equal(test_send_str(s, " world"), 6);
    assert_int_equal(test_recv(s, buf, sizeof buf, 0, &err), 6);
    len = sizeof ss;
    assert_int_equal(WSPGetPeerName(s, (struct sockaddr *) &ss, &len, &err), 0);
    assert_int_equal(g_ntohs(((struct sockaddr_in *) &ss)->sin_port), PORT);
    test_close(s);
    p->phase++;
}

static guint64
run_echo(guint64 seed)
{
    TestWorld *tw = test_world_new(seed);
    Pair p = { .tw = tw };
    guint64 fp;

    test_world_spawn(tw, tw->ps, "server", server_echo, &p);
    test_world_spawn(tw, tw->pc, "client", client_echo, &p);
    test_world_run(tw, 10 * SIM_SEC);
    assert_int_equal(p.phase, 2);
    assert_string_equal(p.got, "hello world");
    assert_true(test_world_trace_count(tw, "WSPAccept(s=0x100) blocks") == 1);
    assert_true(test_world_trace_count(tw, "WSPRecv(s=0x100, len=127) = 5 \"hello\"") == 1);
    fp = sim_trace_fingerprint(tw->world);
    test_world_free(tw);
    return fp;
}

static void
test_wsp_socket_blocking_pair(void **state)
{
    (void) state;
    run_echo(TEST_WORLD_SEED);
}

static void
test_wsp_socket_determinism(void **state)
{
    (void) state;
    assert_true(run_echo(TEST_WORLD_SEED) == run_echo(TEST_WORLD_SEED));
}

/* ---- Non-blocking connect and accept --------------------------------------- */

static void
test_wsp_socket_nonblocking_connect_accept(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    SOCKET l, s, c;
    u_long on = 1;
    DWORD ret;
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->ps);
    l = test_socket(AF_INET, SOCK_STREAM);
    test_bind(l, "10.0.0.2", PORT);
    test_listen(l);
    assert_int_equal(WSPIoctl(l, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err), 0);
    assert_true(WSPAccept(l, NULL, NULL, NULL, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEWOULDBLOCK);

    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_int_equal(WSPIoctl(s, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err), 0);
    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEALREADY);
    test_world_run(tw, SIM_SEC);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEISCONN);

    test_world_use(tw, tw->ps);
    c = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(c != INVALID_SOCKET);
    /* The accepted socket inherits non-blocking mode. */
    {
        char buf[8];

        assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), -1);
        assert_int_equal(err, WSAEWOULDBLOCK);
    }
    test_world_free(tw);
}

static void
client_refused(void *data)
{
    Pair *p = data;
    SOCKADDR_STORAGE ss;
    int len, err = 0;
    SOCKET s = test_socket(AF_INET, SOCK_STREAM);

    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    p->err = err;
    /* The same socket may try again (REFERENCE WSPConnect). */
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    p->err2 = err;
    /* Unreachable network. */
    ss = test_sa("192.168.9.9", PORT, &len);
    {
        SOCKET t = test_socket(AF_INET, SOCK_STREAM);

        assert_int_equal(WSPConnect(t, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                         SOCKET_ERROR);
        p->n = err;
    }
    p->phase++;
}

static void
test_wsp_socket_connect_refused(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Pair p = { .tw = tw };

    (void) state;
    test_world_spawn(tw, tw->pc, "client", client_refused, &p);
    test_world_run(tw, 60 * SIM_SEC);
    assert_int_equal(p.phase, 1);
    assert_int_equal(p.err, WSAECONNREFUSED);
    assert_int_equal(p.err2, WSAECONNREFUSED);
    assert_true(p.n == WSAENETUNREACH || p.n == WSAEHOSTUNREACH);
    test_world_free(tw);
}

static void
test_wsp_socket_connect_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    WSABUF data = { 3, (char *) "abc" };
    QOS qos;
    SOCKET s, l;
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    ss = test_sa("fd00::2", PORT, &len);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEAFNOSUPPORT);
    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, 3, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, &data, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEPROTONOSUPPORT);
    /* a flowspec that cannot be satisfied (a zero QOS is valid since QoS,
     * wsp-qos.c): guaranteed service with a token rate of 0 */
    memset(&qos, 0, sizeof qos);
    qos.SendingFlowspec.ServiceType = SERVICETYPE_GUARANTEED;
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, &qos, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEOPNOTSUPP);
    ss = test_sa("0.0.0.0", PORT, &len);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEADDRNOTAVAIL);
    l = test_socket(AF_INET, SOCK_STREAM);
    test_bind(l, "10.0.0.1", PORT);
    test_listen(l);
    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(l, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    test_world_free(tw);
}

/* ---- Conditional accept ------------------------------------------------------ */

static int decision;

static int CALLBACK
condition(LPWSABUF caller, LPWSABUF caller_data, LPQOS sqos, LPQOS gqos, LPWSABUF callee,
          LPWSABUF callee_data, GROUP *g, DWORD_PTR cb)
{
    (void) caller_data;
    (void) sqos;
    (void) gqos;
    (void) g;
    assert_int_equal(caller->len, sizeof(struct sockaddr_in));
    assert_int_equal(callee->len, sizeof(struct sockaddr_in));
    assert_int_equal(callee_data->len, 0);
    assert_int_equal(cb, 42);
    return decision;
}

static void
cond_server(void *data)
{
    Pair *p = data;
    int err = 0, on = 1;
    SOCKET l = test_socket(AF_INET, SOCK_STREAM), c;

    assert_int_equal(WSPSetSockOpt(l, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, (char *) &on, sizeof on,
                                   &err), 0);
    test_bind(l, "10.0.0.2", PORT);
    test_listen(l);
    assert_int_equal(WSPSetSockOpt(l, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, (char *) &on, sizeof on,
                                   &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL); /* already listening */
    /* Wait for the first request, then defer, then reject it. */
    sim_actor_sleep(p->tw->world, 100 * SIM_MSEC, false);
    decision = CF_DEFER;
    assert_true(WSPAccept(l, NULL, NULL, condition, 42, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSATRY_AGAIN);
    decision = CF_REJECT;
    assert_true(WSPAccept(l, NULL, NULL, condition, 42, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAECONNREFUSED);
    decision = CF_ACCEPT;
    c = WSPAccept(l, NULL, NULL, condition, 42, &err);
    assert_true(c != INVALID_SOCKET);
    decision = 77;
    p->phase++;
    test_close(c);
}

static void
cond_client(void *data)
{
    Pair *p = data;
    SOCKADDR_STORAGE ss;
    int len, err = 0;
    SOCKET s = test_socket(AF_INET, SOCK_STREAM), t;

    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    p->err = err; /* rejected */
    t = test_socket(AF_INET, SOCK_STREAM);
    assert_int_equal(WSPConnect(t, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), 0);
    p->phase++;
}

static void
test_wsp_socket_conditional_accept(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Pair p = { .tw = tw };

    (void) state;
    test_world_spawn(tw, tw->ps, "server", cond_server, &p);
    test_world_spawn(tw, tw->pc, "client", cond_client, &p);
    test_world_run(tw, 30 * SIM_SEC);
    assert_int_equal(p.phase, 2);
    assert_int_equal(p.err, WSAECONNREFUSED);
    test_world_free(tw);
}

/* ---- Shutdown and linger ------------------------------------------------------ */

typedef struct {
    TestWorld *tw;
    int mode;  /* 0 graceful close, 1 abortive, 2 linger 5 s, 3 shutdown SD_SEND */
    int total; /* bytes the server received */
    int last_err;
    int phase;
    int sent_after_shutdown;
    int close_rc;
} Lin;

static void
lin_server(void *data)
{
    Lin *p = data;
    SOCKET l = test_socket(AF_INET, SOCK_STREAM), c;
    char buf[4096];
    int err = 0, n;

    test_bind(l, "10.0.0.2", PORT);
    test_listen(l);
    c = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    if (c == INVALID_SOCKET) { /* the peer reset before accept: REFERENCE WSPAccept */
        p->last_err = err;
        p->phase++;
        return;
    }
    if (p->mode == 1)
        sim_actor_sleep(p->tw->world, 2 * SIM_SEC, false); /* let the reset arrive first */
    while ((n = test_recv(c, buf, sizeof buf, 0, &err)) > 0)
        p->total += n;
    p->last_err = n < 0 ? err : 0;
    if (p->mode == 3) { /* half-close: we can still send back */
        p->sent_after_shutdown = test_send_str(c, "bye");
        test_close(c);
    }
    p->phase++;
}

static void
lin_client(void *data)
{
    Lin *p = data;
    SOCKADDR_STORAGE ss;
    static char big[20000];
    WSABUF b = { sizeof big, big };
    LINGER lg;
    DWORD sent = 0;
    int len, err = 0;
    SOCKET s = test_socket(AF_INET, SOCK_STREAM);

    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), 0);
    assert_int_equal(WSPSend(s, &b, 1, &sent, 0, NULL, NULL, NULL, &err), 0);
    assert_int_equal(sent, sizeof big);
    lg.l_onoff = p->mode == 1 || p->mode == 2;
    lg.l_linger = p->mode == 2 ? 5 : 0;
    assert_int_equal(WSPSetSockOpt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, sizeof lg, &err), 0);
    if (p->mode == 3) {
        char buf[16];

        assert_int_equal(WSPShutdown(s, SD_SEND, &err), 0);
        assert_int_equal(WSPSend(s, &b, 1, &sent, 0, NULL, NULL, NULL, &err), SOCKET_ERROR);
        assert_int_equal(err, WSAESHUTDOWN);
        assert_int_equal(test_recv(s, buf, sizeof buf, 0, &err), 3);
        assert_string_equal(buf, "bye");
        assert_int_equal(test_recv(s, buf, sizeof buf, 0, &err), 0);
    }
    if (p->mode == 1) /* let the server accept first */
        sim_actor_sleep(p->tw->world, 100 * SIM_MSEC, false);
    p->close_rc = WSPCloseSocket(s, &err);
    p->phase++;
}

static Lin
run_linger(int mode)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Lin p = { .tw = tw, .mode = mode };

    test_world_spawn(tw, tw->ps, "server", lin_server, &p);
    test_world_spawn(tw, tw->pc, "client", lin_client, &p);
    test_world_run(tw, 60 * SIM_SEC);
    if (mode == 2)
        assert_int_equal(test_world_trace_count(tw, "WSPCloseSocket(s=0x100) blocks"), 1);
    test_world_free(tw);
    return p;
}

static void
test_wsp_socket_linger_graceful(void **state)
{
    Lin p = run_linger(0);

    (void) state;
    assert_int_equal(p.phase, 2);
    assert_int_equal(p.total, 20000);
    assert_int_equal(p.last_err, 0);
}

static void
test_wsp_socket_linger_abortive(void **state)
{
    Lin p = run_linger(1);

    (void) state;
    assert_int_equal(p.phase, 2);
    assert_int_equal(p.last_err, WSAECONNRESET);
}

static void
test_wsp_socket_linger_timeout_drains(void **state)
{
    Lin p = run_linger(2);

    (void) state;
    assert_int_equal(p.phase, 2);
    assert_int_equal(p.close_rc, 0);
    assert_int_equal(p.total, 20000);
}

static void
test_wsp_socket_shutdown_send_both_ends(void **state)
{
    Lin p = run_linger(3);

    (void) state;
    assert_int_equal(p.phase, 2);
    assert_int_equal(p.total, 20000);
    assert_int_equal(p.sent_after_shutdown, 3);
}

static void
test_wsp_socket_linger_nonblocking_wouldblock(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    SOCKET l, s;
    LINGER lg = { 1, 5 };
    u_long on = 1;
    DWORD ret;
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->ps);
    l = test_socket(AF_INET, SOCK_STREAM);
    test_bind(l, "10.0.0.2", PORT);
    test_listen(l);
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    WSPIoctl(s, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err);
    ss = test_sa("10.0.0.2", PORT, &len);
    WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err);
    test_world_run(tw, SIM_SEC);
    assert_int_equal(WSPSetSockOpt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, sizeof lg, &err), 0);
    assert_int_equal(test_send_str(s, "data"), 4);
    assert_int_equal(WSPCloseSocket(s, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK);
    assert_int_equal(test_send_str(s, "more"), 4); /* still valid, not disconnected */
    test_world_run(tw, SIM_SEC);
    assert_int_equal(WSPCloseSocket(s, &err), 0); /* acknowledged by now */
    test_world_free(tw);
}

/* SD_RECEIVE: local receives fail; data arriving later resets the peer. */
static void
test_wsp_socket_shutdown_receive(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    SOCKET l, s, c;
    u_long on = 1;
    DWORD ret;
    char buf[16];
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->ps);
    l = test_socket(AF_INET, SOCK_STREAM);
    test_bind(l, "10.0.0.2", PORT);
    test_listen(l);
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    WSPIoctl(s, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err);
    assert_int_equal(WSPShutdown(s, SD_SEND, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTCONN);
    ss = test_sa("10.0.0.2", PORT, &len);
    WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    c = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(c != INVALID_SOCKET);
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPShutdown(s, SD_RECEIVE, &err), 0);
    assert_int_equal(test_recv(s, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAESHUTDOWN);
    test_world_use(tw, tw->ps);
    assert_int_equal(test_send_str(c, "late"), 4);
    test_world_run(tw, SIM_SEC);
    assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAECONNRESET);
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_socket_bind_errors),
        cmocka_unit_test(test_wsp_socket_listen_accept_errors),
        cmocka_unit_test(test_wsp_socket_blocking_pair),
        cmocka_unit_test(test_wsp_socket_determinism),
        cmocka_unit_test(test_wsp_socket_nonblocking_connect_accept),
        cmocka_unit_test(test_wsp_socket_connect_refused),
        cmocka_unit_test(test_wsp_socket_connect_errors),
        cmocka_unit_test(test_wsp_socket_conditional_accept),
        cmocka_unit_test(test_wsp_socket_linger_graceful),
        cmocka_unit_test(test_wsp_socket_linger_abortive),
        cmocka_unit_test(test_wsp_socket_linger_timeout_drains),
        cmocka_unit_test(test_wsp_socket_shutdown_send_both_ends),
        cmocka_unit_test(test_wsp_socket_linger_nonblocking_wouldblock),
        cmocka_unit_test(test_wsp_socket_shutdown_receive),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-socket", tests, NULL, NULL);
}
