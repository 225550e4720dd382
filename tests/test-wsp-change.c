/* SPDX-License-Identifier: MIT
 *
 * test-wsp-change.c: the change source of FD_ROUTING_INTERFACE_CHANGE /
 * SIO_ROUTING_INTERFACE_CHANGE and FD_ADDRESS_LIST_CHANGE /
 * SIO_ADDRESS_LIST_CHANGE (spi/wsp-change.c, sim_net_add_route_hook,
 * sim_node_remove_addr): route changes by latency and link state, the
 * unreachable case, address additions and removals, event and overlapped
 * completion, re-enabling, unrelated changes, determinism.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/test-world.h"
#include <wspsim/wspsim-os.h>

/* The fixture's two hosts plus a router "r" on a second, slower path:
 * client -4ms- r -4ms- server (8 ms against the direct link's 5 ms). */
typedef struct {
    TestWorld *tw;
    SimNodeId r;
    SimLinkId cr, rs;
} Tri;

static void
tri_init(Tri *t)
{
    SimLinkParams p;
    SimAddr a;

    t->tw = test_world_new(TEST_WORLD_SEED);
    t->r = sim_node_add(t->tw->world, "r", SIM_NODE_ROUTER);
    assert_true(sim_addr_parse("10.0.1.254", &a));
    assert_int_equal(sim_node_add_addr(t->tw->world, t->r, &a, 24), SIM_OK);
    sim_link_params_init(&p);
    p.latency_ns = 4 * SIM_MSEC;
    t->cr = sim_link_add(t->tw->world, t->tw->client, t->r, &p, &p);
    t->rs = sim_link_add(t->tw->world, t->r, t->tw->server, &p, &p);
    test_world_run(t->tw, SIM_MSEC);
}

static void
set_latency(TestWorld *tw, SimLinkId link, SimTime lat)
{
    SimLinkParams p;

    assert_int_equal(sim_link_get_params(tw->world, link, SIM_DIR_AB, &p), SIM_OK);
    p.latency_ns = lat;
    assert_int_equal(sim_link_set_params(tw->world, link, SIM_DIR_BOTH, &p), SIM_OK);
}

static bool
signalled(TestWorld *tw, HANDLE ev)
{
    BOOL on = FALSE;

    assert_true(wspsim_os_event_query(tw->world, ev, &on));
    return on != FALSE;
}

static LONG
enum_events(SOCKET s, HANDLE ev, WSANETWORKEVENTS *out)
{
    WSANETWORKEVENTS ne;
    int err = 0;

    memset(&ne, 0x55, sizeof ne);
    assert_int_equal(WSPEnumNetworkEvents(s, ev, &ne, &err), 0);
    if (out != NULL)
        *out = ne;
    return ne.lNetworkEvents;
}

static SOCKET
ov_socket(void)
{
    int err = 0;
    SOCKET s = WSPSocket(AF_INET, SOCK_DGRAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED, &err);

    assert_true(s != INVALID_SOCKET);
    return s;
}

/* Arm SIO_ROUTING_INTERFACE_CHANGE for @ip without overlapped parameters. */
static void
arm_route(SOCKET s, const char *ip)
{
    SOCKADDR_STORAGE ss;
    DWORD ret = 0;
    int len, err = 0;

    ss = test_sa(ip, 0, &len);
    assert_int_equal(WSPIoctl(s, SIO_ROUTING_INTERFACE_CHANGE, &ss, (DWORD) len, NULL, 0, &ret,
                              NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK);
}

static void
arm_route_ov(TestWorld *tw, SOCKET s, const char *ip, WSAOVERLAPPED *ov)
{
    SOCKADDR_STORAGE ss;
    DWORD ret = 0;
    int len, err = 0;

    memset(ov, 0, sizeof *ov);
    ov->hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    ss = test_sa(ip, 0, &len);
    assert_int_equal(WSPIoctl(s, SIO_ROUTING_INTERFACE_CHANGE, &ss, (DWORD) len, NULL, 0, &ret, ov,
                              NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSA_IO_PENDING);
}

static void
arm_addr(SOCKET s, WSAOVERLAPPED *ov)
{
    DWORD ret = 0;
    int err = 0;

    assert_int_equal(
        WSPIoctl(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &ret, ov, NULL, NULL, &err),
        SOCKET_ERROR);
    assert_int_equal(err, ov != NULL ? WSA_IO_PENDING : WSAEWOULDBLOCK);
}

static void
assert_pending(SOCKET s, WSAOVERLAPPED *ov)
{
    DWORD bytes = 0, flags = 0;
    int err = 0;

    assert_false(WSPGetOverlappedResult(s, ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(err, WSA_IO_INCOMPLETE);
}

/* ---- Routing ------------------------------------------------------------- */

/* A latency change that moves the route to the router's link: the event,
 * once per re-enabling IOCTL. */
static void
test_change_route_event_latency(void **state)
{
    Tri t;
    HANDLE ev;
    SOCKET s;
    WSANETWORKEVENTS ne;
    int err = 0;

    (void) state;
    tri_init(&t);
    test_world_use(t.tw, t.tw->pc);
    ev = wspsim_os_event_create(t.tw->world, TRUE, FALSE);
    s = test_socket(AF_INET, SOCK_DGRAM);
    assert_int_equal(WSPEventSelect(s, ev, FD_ROUTING_INTERFACE_CHANGE, &err), 0);
    /* Registered but not armed: a change reports nothing. */
    set_latency(t.tw, t.tw->link, 20 * SIM_MSEC);
    test_world_run(t.tw, SIM_MSEC);
    assert_false(signalled(t.tw, ev));
    set_latency(t.tw, t.tw->link, TEST_LINK_LATENCY);
    test_world_run(t.tw, SIM_MSEC);
    arm_route(s, "10.0.0.2");
    /* Slower direct link, still the best path: the interface is the same. */
    set_latency(t.tw, t.tw->link, 7 * SIM_MSEC);
    test_world_run(t.tw, SIM_MSEC);
    assert_false(signalled(t.tw, ev));
    /* Slower than the router's path: the first hop changes. */
    set_latency(t.tw, t.tw->link, 20 * SIM_MSEC);
    test_world_run(t.tw, SIM_MSEC);
    assert_true(signalled(t.tw, ev));
    assert_int_equal(enum_events(s, ev, &ne), FD_ROUTING_INTERFACE_CHANGE);
    assert_int_equal(ne.iErrorCode[FD_ROUTING_INTERFACE_CHANGE_BIT], 0);
    assert_true(test_world_trace_count(t.tw, "FD_ROUTING_INTERFACE_CHANGE recorded") == 1);
    /* Not re-enabled: the change back reports nothing. */
    set_latency(t.tw, t.tw->link, TEST_LINK_LATENCY);
    test_world_run(t.tw, SIM_MSEC);
    assert_int_equal(enum_events(s, ev, NULL), 0);
    /* Re-enabled (against the current route): reported again, once. */
    arm_route(s, "10.0.0.2");
    set_latency(t.tw, t.tw->link, 20 * SIM_MSEC);
    test_world_run(t.tw, SIM_MSEC);
    set_latency(t.tw, t.tw->link, TEST_LINK_LATENCY);
    test_world_run(t.tw, SIM_MSEC);
    assert_int_equal(enum_events(s, ev, NULL), FD_ROUTING_INTERFACE_CHANGE);
    assert_true(test_world_trace_count(t.tw, "FD_ROUTING_INTERFACE_CHANGE recorded") == 2);
    test_close(s);
    test_world_free(t.tw);
}

/* The direct link goes down: the overlapped request completes (event and
 * WSPGetOverlappedResult), error 0, the route now via "r". */
static void
test_change_route_overlapped_link_down(void **state)
{
    Tri t;
    WSAOVERLAPPED ov;
    SOCKET s;
    DWORD bytes = 77, flags = 5;
    int err = 0;

    (void) state;
    tri_init(&t);
    test_world_use(t.tw, t.tw->pc);
    s = ov_socket();
    arm_route_ov(t.tw, s, "10.0.0.2", &ov);
    test_world_run(t.tw, SIM_MSEC);
    assert_pending(s, &ov);
    assert_int_equal(sim_link_set_up(t.tw->world, t.tw->link, SIM_DIR_BOTH, false), SIM_OK);
    test_world_run(t.tw, SIM_MSEC);
    assert_true(signalled(t.tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(s, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 0);
    assert_int_equal(flags, 0);
    /* The next request watches the new route; the link coming back moves it. */
    arm_route_ov(t.tw, s, "10.0.0.2", &ov);
    assert_int_equal(sim_link_set_up(t.tw->world, t.tw->link, SIM_DIR_BOTH, true), SIM_OK);
    test_world_run(t.tw, SIM_MSEC);
    assert_true(WSPGetOverlappedResult(s, &ov, &bytes, FALSE, &flags, &err));
    test_close(s);
    test_world_free(t.tw);
}

/* The client's only link goes down: all connectivity lost, WSAENETDOWN
 * in the request and in the event record (choice 12). */
static void
test_change_route_unreachable(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSAOVERLAPPED ov;
    WSANETWORKEVENTS ne;
    HANDLE ev;
    SOCKET s;
    DWORD bytes = 77, flags = 5;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    ev = wspsim_os_event_create(tw->world, TRUE, FALSE);
    s = ov_socket();
    assert_int_equal(WSPEventSelect(s, ev, FD_ROUTING_INTERFACE_CHANGE, &err), 0);
    arm_route_ov(tw, s, "10.0.0.2", &ov);
    assert_int_equal(sim_link_set_up(tw->world, tw->link, SIM_DIR_BOTH, false), SIM_OK);
    test_world_run(tw, SIM_MSEC);
    assert_true(signalled(tw, ov.hEvent));
    assert_false(WSPGetOverlappedResult(s, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(err, WSAENETDOWN);
    assert_int_equal(bytes, 77); /* untouched on failure (choice 7) */
    assert_int_equal(enum_events(s, ev, &ne), FD_ROUTING_INTERFACE_CHANGE);
    assert_int_equal(ne.iErrorCode[FD_ROUTING_INTERFACE_CHANGE_BIT], WSAENETDOWN);
    /* Back up: reachable again, error 0. */
    arm_route_ov(tw, s, "10.0.0.2", &ov);
    assert_int_equal(sim_link_set_up(tw->world, tw->link, SIM_DIR_BOTH, true), SIM_OK);
    test_world_run(tw, SIM_MSEC);
    assert_true(WSPGetOverlappedResult(s, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(enum_events(s, ev, &ne), FD_ROUTING_INTERFACE_CHANGE);
    assert_int_equal(ne.iErrorCode[FD_ROUTING_INTERFACE_CHANGE_BIT], 0);
    test_close(s);
    test_world_free(tw);
}

/* Both paths cut beyond the client, whose link to "r" stays up: the
 * destination is unreachable, WSAENETUNREACH (choice 12). */
static void
test_change_route_netunreach(void **state)
{
    Tri t;
    WSAOVERLAPPED ov;
    WSANETWORKEVENTS ne;
    HANDLE ev;
    SOCKET s;
    DWORD bytes = 77, flags = 5;
    int err = 0;

    (void) state;
    tri_init(&t);
    test_world_use(t.tw, t.tw->pc);
    ev = wspsim_os_event_create(t.tw->world, TRUE, FALSE);
    s = ov_socket();
    assert_int_equal(WSPEventSelect(s, ev, FD_ROUTING_INTERFACE_CHANGE, &err), 0);
    assert_int_equal(sim_link_set_up(t.tw->world, t.rs, SIM_DIR_BOTH, false), SIM_OK);
    test_world_run(t.tw, SIM_MSEC);
    arm_route_ov(t.tw, s, "10.0.0.2", &ov);
    assert_int_equal(sim_link_set_up(t.tw->world, t.tw->link, SIM_DIR_BOTH, false), SIM_OK);
    test_world_run(t.tw, SIM_MSEC);
    assert_false(WSPGetOverlappedResult(s, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(err, WSAENETUNREACH);
    assert_int_equal(enum_events(s, ev, &ne), FD_ROUTING_INTERFACE_CHANGE);
    assert_int_equal(ne.iErrorCode[FD_ROUTING_INTERFACE_CHANGE_BIT], WSAENETUNREACH);
    /* Still unreachable after another cut: the same view, nothing new. */
    arm_route_ov(t.tw, s, "10.0.0.2", &ov);
    set_latency(t.tw, t.cr, 6 * SIM_MSEC);
    test_world_run(t.tw, SIM_MSEC);
    assert_pending(s, &ov);
    assert_int_equal(enum_events(s, ev, NULL), 0);
    test_close(s);
    test_world_free(t.tw);
}

/* Changes off the socket's route, or toward another destination, report
 * nothing; close aborts the request. */
static void
test_change_route_unrelated(void **state)
{
    Tri t;
    WSAOVERLAPPED ov;
    HANDLE ev;
    SOCKET s;
    DWORD bytes, flags;
    int err = 0;

    (void) state;
    tri_init(&t);
    test_world_use(t.tw, t.tw->pc);
    ev = wspsim_os_event_create(t.tw->world, TRUE, FALSE);
    s = ov_socket();
    assert_int_equal(WSPEventSelect(s, ev, FD_ROUTING_INTERFACE_CHANGE, &err), 0);
    arm_route_ov(t.tw, s, "10.0.0.2", &ov);
    set_latency(t.tw, t.rs, 9 * SIM_MSEC); /* off the route */
    assert_int_equal(sim_link_set_up(t.tw->world, t.cr, SIM_DIR_BOTH, false), SIM_OK); /* idem */
    sim_node_add(t.tw->world, "far", SIM_NODE_HOST);
    {
        SimAddr a;

        assert_true(sim_addr_parse("10.0.0.7", &a));
        assert_int_equal(sim_node_add_addr(t.tw->world, t.tw->server, &a, 24), SIM_OK);
    }
    test_world_run(t.tw, SIM_MSEC);
    assert_false(signalled(t.tw, ov.hEvent));
    assert_false(signalled(t.tw, ev));
    assert_pending(s, &ov);
    /* Bad input: nothing started. */
    {
        DWORD ret;
        WSAOVERLAPPED ov2;

        memset(&ov2, 0, sizeof ov2);
        assert_int_equal(WSPIoctl(s, SIO_ROUTING_INTERFACE_CHANGE, &ret, 1, NULL, 0, &ret, &ov2,
                                  NULL, NULL, &err),
                         SOCKET_ERROR);
        assert_int_equal(err, WSAEFAULT);
    }
    test_close(s);
    assert_false(WSPGetOverlappedResult(s, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(err, WSA_OPERATION_ABORTED);
    test_world_free(t.tw);
}

/* No destination (NULL input): the next change the network reports. */
static void
test_change_route_any(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    HANDLE ev;
    SOCKET s;
    DWORD ret = 0;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    ev = wspsim_os_event_create(tw->world, TRUE, FALSE);
    s = test_socket(AF_INET, SOCK_DGRAM);
    assert_int_equal(WSPEventSelect(s, ev, FD_ROUTING_INTERFACE_CHANGE, &err), 0);
    assert_int_equal(
        WSPIoctl(s, SIO_ROUTING_INTERFACE_CHANGE, NULL, 0, NULL, 0, &ret, NULL, NULL, NULL, &err),
        SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(enum_events(s, ev, NULL), 0);
    set_latency(tw, tw->link, 6 * SIM_MSEC);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(enum_events(s, ev, NULL), FD_ROUTING_INTERFACE_CHANGE);
    set_latency(tw, tw->link, 7 * SIM_MSEC);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(enum_events(s, ev, NULL), 0);
    test_close(s);
    test_world_free(tw);
}

/* ---- Address lists ------------------------------------------------------- */

static void
test_change_address_list(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSAOVERLAPPED ov;
    WSANETWORKEVENTS ne;
    HANDLE ev, sev;
    SOCKET c, srv;
    SimAddr a, a6;
    DWORD bytes = 77, flags = 5;
    int err = 0;

    (void) state;
    assert_true(sim_addr_parse("10.0.0.9", &a));
    assert_true(sim_addr_parse("fd00::9", &a6));
    test_world_use(tw, tw->ps);
    sev = wspsim_os_event_create(tw->world, TRUE, FALSE);
    srv = test_socket(AF_INET, SOCK_DGRAM);
    assert_int_equal(WSPEventSelect(srv, sev, FD_ADDRESS_LIST_CHANGE, &err), 0);
    arm_addr(srv, NULL);
    test_world_use(tw, tw->pc);
    ev = wspsim_os_event_create(tw->world, TRUE, FALSE);
    c = ov_socket();
    assert_int_equal(WSPEventSelect(c, ev, FD_ADDRESS_LIST_CHANGE, &err), 0);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    arm_addr(c, &ov);
    /* Another family's address: not this socket's list. */
    assert_int_equal(sim_node_add_addr(tw->world, tw->client, &a6, 64), SIM_OK);
    test_world_run(tw, SIM_MSEC);
    assert_false(signalled(tw, ev));
    assert_pending(c, &ov);
    /* Added at run time. */
    assert_int_equal(sim_node_add_addr(tw->world, tw->client, &a, 24), SIM_OK);
    test_world_run(tw, SIM_MSEC);
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(c, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 0);
    assert_int_equal(enum_events(c, ev, &ne), FD_ADDRESS_LIST_CHANGE);
    assert_int_equal(ne.iErrorCode[FD_ADDRESS_LIST_CHANGE_BIT], 0);
    /* The server's list did not change. */
    assert_false(signalled(tw, sev));
    /* Removed, not re-enabled: nothing. */
    assert_int_equal(sim_node_remove_addr(tw->world, tw->client, &a), SIM_OK);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(enum_events(c, ev, NULL), 0);
    /* Re-enabled (event form only), then removed again after re-adding. */
    assert_int_equal(sim_node_add_addr(tw->world, tw->client, &a, 24), SIM_OK);
    test_world_run(tw, SIM_MSEC);
    arm_addr(c, NULL);
    assert_int_equal(sim_node_remove_addr(tw->world, tw->client, &a), SIM_OK);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(enum_events(c, ev, NULL), FD_ADDRESS_LIST_CHANGE);
    /* The server's own change reaches the server's socket. */
    assert_true(sim_addr_parse("10.0.0.2", &a));
    assert_int_equal(sim_node_remove_addr(tw->world, tw->server, &a), SIM_OK);
    test_world_run(tw, SIM_MSEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(enum_events(srv, sev, &ne), FD_ADDRESS_LIST_CHANGE);
    test_world_use(tw, tw->pc);
    assert_int_equal(enum_events(c, ev, NULL), 0);
    test_world_free(tw);
}

static void
test_change_remove_addr(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SimAddr a, b;
    SimAddr src;

    (void) state;
    assert_true(sim_addr_parse("10.0.0.9", &a));
    assert_true(sim_addr_parse("10.0.0.2", &b));
    assert_int_equal(sim_node_add_addr(tw->world, tw->client, &a, 24), SIM_OK);
    assert_int_equal(sim_node_addr_count(tw->world, tw->client), 3);
    assert_int_equal(sim_node_by_addr(tw->world, &a), tw->client);
    assert_int_equal(sim_node_remove_addr(tw->world, tw->server, &a), SIM_E_NOTFOUND);
    assert_int_equal(sim_node_remove_addr(tw->world, 99, &a), SIM_E_NOTFOUND);
    assert_int_equal(sim_node_remove_addr(tw->world, tw->client, &a), SIM_OK);
    assert_int_equal(sim_node_remove_addr(tw->world, tw->client, &a), SIM_E_NOTFOUND);
    assert_int_equal(sim_node_addr_count(tw->world, tw->client), 2);
    assert_int_equal(sim_node_by_addr(tw->world, &a), SIM_ID_NONE);
    assert_false(sim_node_has_addr(tw->world, tw->client, &a));
    /* The remaining order is kept; the address can be added again. */
    assert_true(sim_addr_equal(sim_node_addr(tw->world, tw->server, 0), &b));
    assert_int_equal(sim_node_remove_addr(tw->world, tw->server, &b), SIM_OK);
    assert_int_equal(sim_node_addr_count(tw->world, tw->server), 1);
    assert_true(sim_node_source_addr(tw->world, tw->client, &b, &src) != SIM_OK ||
                sim_node_by_addr(tw->world, &b) == SIM_ID_NONE);
    assert_int_equal(sim_node_add_addr(tw->world, tw->server, &b, 24), SIM_OK);
    assert_int_equal(sim_node_by_addr(tw->world, &b), tw->server);
    test_world_free(tw);
}

/* ---- The route hook itself ------------------------------------------------ */

static void
count_hook(SimWorld *world, void *data)
{
    (void) world;
    (*(int *) data)++;
}

static void
test_change_route_hook(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    int calls = 0;
    SimAddr a;

    (void) state;
    sim_net_add_route_hook(tw->world, count_hook, &calls);
    sim_net_add_route_hook(tw->world, count_hook, &calls); /* the same: once */
    /* Not inside the change: one zero-delay event per batch of changes. */
    assert_int_equal(sim_link_set_up(tw->world, tw->link, SIM_DIR_BOTH, false), SIM_OK);
    assert_int_equal(sim_link_set_up(tw->world, tw->link, SIM_DIR_BOTH, true), SIM_OK);
    assert_int_equal(calls, 0);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(calls, 1);
    assert_true(sim_addr_parse("10.0.0.9", &a));
    assert_int_equal(sim_node_add_addr(tw->world, tw->client, &a, 24), SIM_OK);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(calls, 2);
    assert_int_equal(sim_node_remove_addr(tw->world, tw->client, &a), SIM_OK);
    sim_node_set_up(tw->world, tw->server, false);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(calls, 3);
    /* Nothing changed: no call. */
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(calls, 3);
    test_world_free(tw);
}

/* ---- Determinism --------------------------------------------------------- */

static guint64
scenario_run(void)
{
    Tri t;
    WSAOVERLAPPED ov1, ov2;
    HANDLE ev;
    SOCKET s, u;
    SimAddr a;
    guint64 fp;
    int err = 0;

    tri_init(&t);
    test_world_use(t.tw, t.tw->pc);
    ev = wspsim_os_event_create(t.tw->world, TRUE, FALSE);
    s = ov_socket();
    u = ov_socket();
    assert_int_equal(
        WSPEventSelect(u, ev, FD_ROUTING_INTERFACE_CHANGE | FD_ADDRESS_LIST_CHANGE, &err), 0);
    arm_route_ov(t.tw, s, "10.0.0.2", &ov1);
    memset(&ov2, 0, sizeof ov2);
    arm_addr(s, &ov2);
    arm_route(u, "10.0.0.2");
    arm_addr(u, NULL);
    set_latency(t.tw, t.tw->link, 20 * SIM_MSEC);
    assert_true(sim_addr_parse("10.0.0.9", &a));
    assert_int_equal(sim_node_add_addr(t.tw->world, t.tw->client, &a, 24), SIM_OK);
    test_world_run(t.tw, SIM_MSEC);
    assert_int_equal(enum_events(u, ev, NULL),
                     FD_ROUTING_INTERFACE_CHANGE | FD_ADDRESS_LIST_CHANGE);
    fp = sim_trace_fingerprint(t.tw->world);
    test_close(s);
    test_close(u);
    test_world_free(t.tw);
    return fp;
}

static void
test_change_determinism(void **state)
{
    (void) state;
    assert_true(scenario_run() == scenario_run());
}

/* A blocking socket's SIO_ADDRESS_LIST_CHANGE / SIO_ROUTING_INTERFACE_CHANGE
 * waits in simulated time until the change happens. */
typedef struct {
    TestWorld *tw;
    SOCKET s;
    DWORD code;
    const char *dst;
    int result;
    SimTime done_at;
} BlockingChange;

static void
blocking_change_body(void *data)
{
    BlockingChange *b = data;
    SOCKADDR_STORAGE ss;
    DWORD ret = 0;
    int len = 0, err = 0;

    if (b->dst != NULL)
        ss = test_sa(b->dst, 0, &len);
    b->result = WSPIoctl(b->s, b->code, b->dst ? &ss : NULL, (DWORD) len, NULL, 0, &ret, NULL,
                         NULL, NULL, &err) == 0
                    ? 0
                    : err;
    b->done_at = sim_world_now(b->tw->world);
}

static void
test_change_blocking_waits(void **state)
{
    Tri t;
    SimAddr a;
    BlockingChange addr = { 0 }, route = { 0 };

    (void) state;
    tri_init(&t);
    test_world_use(t.tw, t.tw->pc);
    addr = (BlockingChange) { t.tw, test_socket(AF_INET, SOCK_DGRAM), SIO_ADDRESS_LIST_CHANGE,
                              NULL, -1, 0 };
    route = (BlockingChange) { t.tw, test_socket(AF_INET, SOCK_DGRAM),
                               SIO_ROUTING_INTERFACE_CHANGE, "10.0.0.2", -1, 0 };
    test_world_spawn(t.tw, t.tw->pc, "addr", blocking_change_body, &addr);
    test_world_spawn(t.tw, t.tw->pc, "route", blocking_change_body, &route);
    test_world_run(t.tw, 10 * SIM_MSEC);
    assert_int_equal(addr.result, -1); /* both still waiting */
    assert_int_equal(route.result, -1);
    assert_true(sim_addr_parse("10.0.0.9", &a));
    assert_int_equal(sim_node_add_addr(t.tw->world, t.tw->client, &a, 24), SIM_OK);
    test_world_run(t.tw, 10 * SIM_MSEC);
    assert_int_equal(addr.result, 0);
    assert_int_equal(route.result, -1); /* the route to 10.0.0.2 did not change */
    set_latency(t.tw, t.tw->link, 20 * SIM_MSEC); /* now via the router */
    test_world_run(t.tw, 10 * SIM_MSEC);
    assert_int_equal(route.result, 0);
    test_world_free(t.tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_change_blocking_waits),
        cmocka_unit_test(test_change_route_event_latency),
        cmocka_unit_test(test_change_route_overlapped_link_down),
        cmocka_unit_test(test_change_route_unreachable),
        cmocka_unit_test(test_change_route_netunreach),
        cmocka_unit_test(test_change_route_unrelated),
        cmocka_unit_test(test_change_route_any),
        cmocka_unit_test(test_change_address_list),
        cmocka_unit_test(test_change_remove_addr),
        cmocka_unit_test(test_change_route_hook),
        cmocka_unit_test(test_change_determinism),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
