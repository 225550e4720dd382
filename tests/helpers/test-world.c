/* SPDX-License-Identifier: MIT
 *
 * test-world.c: the SPI test fixture (test-world.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "test-world.h"

static void
trace_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    TestWorld *tw = data;

    sim_trace_format_line(world, rec, tw->trace);
    g_string_append_c(tw->trace, '\n');
}

static void
add_addr(SimWorld *w, SimNodeId n, const char *text, guint prefix)
{
    SimAddr a;

    assert_true(sim_addr_parse(text, &a));
    assert_int_equal(sim_node_add_addr(w, n, &a, prefix), SIM_OK);
}

static void
startup(TestWorld *tw, SimProcessId pid)
{
    WSPUPCALLTABLE up = wspsim_default_upcall_table();

    test_world_use(tw, pid);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &tw->data, NULL, up, &tw->procs), 0);
}

TestWorld *
test_world_new(guint64 seed)
{
    TestWorld *tw = g_new0(TestWorld, 1);
    SimLinkParams p;

    tw->world = sim_world_new(seed);
    tw->trace = g_string_new(NULL);
    sim_trace_enable_fingerprint(tw->world);
    sim_trace_add_sink(tw->world, trace_sink, tw);
    tw->client = sim_node_add(tw->world, "client", SIM_NODE_HOST);
    tw->server = sim_node_add(tw->world, "server", SIM_NODE_HOST);
    add_addr(tw->world, tw->client, "10.0.0.1", 24);
    add_addr(tw->world, tw->server, "10.0.0.2", 24);
    add_addr(tw->world, tw->client, "fd00::1", 64);
    add_addr(tw->world, tw->server, "fd00::2", 64);
    sim_link_params_init(&p);
    p.latency_ns = TEST_LINK_LATENCY;
    tw->link = sim_link_add(tw->world, tw->client, tw->server, &p, &p);
    tw->pc = sim_process_new(tw->world, tw->client, "cli");
    tw->ps = sim_process_new(tw->world, tw->server, "srv");
    startup(tw, tw->ps);
    startup(tw, tw->pc);
    return tw;
}

void
test_world_free(TestWorld *tw)
{
    if (tw == NULL)
        return;
    wspsim_set_context(NULL, 0);
    sim_trace_remove_sink(tw->world, trace_sink, tw);
    sim_world_free(tw->world);
    g_string_free(tw->trace, TRUE);
    g_free(tw);
}

void
test_world_use(TestWorld *tw, SimProcessId pid)
{
    wspsim_set_context(tw->world, pid);
}

SimActorId
test_world_spawn(TestWorld *tw, SimProcessId pid, const char *name, SimActorFn fn, void *data)
{
    return sim_actor_spawn(tw->world, pid, name, SIM_ACTOR_COROUTINE, 0, fn, data);
}

void
test_world_run(TestWorld *tw, SimTime limit_ns)
{
    sim_world_run_until(tw->world, sim_world_now(tw->world) + limit_ns);
}

SOCKADDR_STORAGE
test_sa(const char *ip, int port, int *out_len)
{
    SOCKADDR_STORAGE ss;
    SimAddr a;

    memset(&ss, 0, sizeof ss);
    assert_true(sim_addr_parse(ip, &a));
    if (a.family == SIM_AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;

        s6->sin6_family = AF_INET6;
        s6->sin6_port = g_htons((guint16) port);
        memcpy(&s6->sin6_addr, a.bytes, 16);
        if (out_len != NULL)
            *out_len = (int) sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;

        s4->sin_family = AF_INET;
        s4->sin_port = g_htons((guint16) port);
        memcpy(&s4->sin_addr, a.bytes, 4);
        if (out_len != NULL)
            *out_len = (int) sizeof *s4;
    }
    return ss;
}

SOCKET
test_socket(int af, int type)
{
    int err = 0;
    SOCKET s = WSPSocket(af, type, 0, NULL, 0, 0, &err);

    assert_int_equal(err, 0);
    assert_true(s != INVALID_SOCKET);
    return s;
}

void
test_bind(SOCKET s, const char *ip, int port)
{
    int len, err = 0;
    SOCKADDR_STORAGE ss = test_sa(ip, port, &len);

    assert_int_equal(WSPBind(s, (struct sockaddr *) &ss, len, &err), 0);
}

void
test_listen(SOCKET s)
{
    int err = 0;

    assert_int_equal(WSPListen(s, SOMAXCONN, &err), 0);
}

int
test_send_str(SOCKET s, const char *str)
{
    WSABUF b = { (u_long) strlen(str), (char *) str };
    DWORD sent = 0;
    int err = 0;

    assert_int_equal(WSPSend(s, &b, 1, &sent, 0, NULL, NULL, NULL, &err), 0);
    return (int) sent;
}

int
test_recv(SOCKET s, char *buf, size_t cap, DWORD flags, int *out_err)
{
    WSABUF b = { (u_long) (cap - 1), buf };
    DWORD got = 0;
    int err = 0;

    if (WSPRecv(s, &b, 1, &got, &flags, NULL, NULL, NULL, &err) != 0) {
        if (out_err != NULL)
            *out_err = err;
        buf[0] = '\0';
        return -1;
    }
    buf[got] = '\0';
    if (out_err != NULL)
        *out_err = 0;
    return (int) got;
}

void
test_close(SOCKET s)
{
    int err = 0;

    assert_int_equal(WSPCloseSocket(s, &err), 0);
}

size_t
test_world_trace_count(const TestWorld *tw, const char *needle)
{
    size_t n = 0;
    const char *p = tw->trace->str;

    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += strlen(needle);
    }
    return n;
}

void
test_world_tcp_pair(TestWorld *tw, int af, int port, SOCKET *out_listener, SOCKET *out_client,
                    SOCKET *out_accepted)
{
    const char *ip = af == AF_INET6 ? "fd00::2" : "10.0.0.2";
    SOCKADDR_STORAGE ss;
    SOCKET l, s, a;
    int len, err = 0;

    test_world_use(tw, tw->ps);
    l = test_socket(af, SOCK_STREAM);
    test_bind(l, ip, port);
    test_listen(l);
    test_world_use(tw, tw->pc);
    s = test_socket(af, SOCK_STREAM);
    ss = test_sa(ip, port, &len);
    /* Outside an actor a blocking connect starts and says WSAEWOULDBLOCK. */
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(a != INVALID_SOCKET);
    test_world_use(tw, tw->pc);
    if (out_listener != NULL)
        *out_listener = l;
    if (out_client != NULL)
        *out_client = s;
    if (out_accepted != NULL)
        *out_accepted = a;
}
