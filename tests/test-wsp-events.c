/* SPDX-License-Identifier: MIT
 * test-wsp-events: WSPEventSelect, WSPEnumNetworkEvents and WSPAsyncSelect
 * (REFERENCE 2.5) — one test per re-enabling rule per event (FD_READ,
 * FD_WRITE, FD_OOB, FD_ACCEPT, FD_CONNECT, FD_CLOSE, the IOCTL-armed
 * ones), a failed re-enabling call still re-enabling, inheritance by
 * accepted sockets, forced non-blocking mode, replacement and mask 0, the
 * enumeration's reset and atomicity, every event with its error code, and
 * the message order of WSPAsyncSelect (one message per event, re-reports
 * after the call returns: choice 13). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "helpers/test-world.h"
#include "spi/wsp-private.h"
#include <wspsim/wspsim-os.h>

#define PORT 7200
#define WM_SOCK 0x0401

static void
set_blocking(SOCKET s, u_long nb, int want_err)
{
    DWORD ret;
    int err = 0;
    int rc = WSPIoctl(s, FIONBIO, &nb, sizeof nb, NULL, 0, &ret, NULL, NULL, NULL, &err);

    if (want_err == 0) {
        assert_int_equal(rc, 0);
    } else {
        assert_int_equal(rc, SOCKET_ERROR);
        assert_int_equal(err, want_err);
    }
}

static SOCKET
listener(TestWorld *tw, int port)
{
    SOCKET l;

    test_world_use(tw, tw->ps);
    l = test_socket(AF_INET, SOCK_STREAM);
    test_bind(l, "0.0.0.0", port);
    test_listen(l);
    return l;
}

static SOCKET
start_connect(TestWorld *tw, int port, int want)
{
    SOCKADDR_STORAGE ss;
    SOCKET c;
    int len, err = 0;

    test_world_use(tw, tw->pc);
    c = test_socket(AF_INET, SOCK_STREAM);
    set_blocking(c, 1, 0);
    ss = test_sa("10.0.0.2", port, &len);
    assert_int_equal(WSPConnect(c, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, want);
    return c;
}

static void
connect_pair(TestWorld *tw, int port, SOCKET *out_c, SOCKET *out_a)
{
    SOCKET l = listener(tw, port);
    int err = 0;

    *out_c = start_connect(tw, port, WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    *out_a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(*out_a != INVALID_SOCKET);
}

static HANDLE
new_event(TestWorld *tw)
{
    return wspsim_os_event_create(tw->world, TRUE, FALSE);
}

static bool
signalled(TestWorld *tw, HANDLE ev)
{
    BOOL on = FALSE;

    assert_true(wspsim_os_event_query(tw->world, ev, &on));
    return on != FALSE;
}

static void
event_select(SOCKET s, HANDLE ev, LONG mask)
{
    int err = 0;

    assert_int_equal(WSPEventSelect(s, ev, mask, &err), 0);
}

/* Enumerate (resetting @ev): the bits recorded. */
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

static int
recv_some(SOCKET s, size_t cap, DWORD flags, int *out_err)
{
    char buf[256];
    WSABUF b = { (u_long) MIN(cap, sizeof buf), buf };
    DWORD got = 0;
    int err = 0;

    if (WSPRecv(s, &b, 1, &got, &flags, NULL, NULL, NULL, &err) != 0) {
        *out_err = err;
        return -1;
    }
    *out_err = 0;
    return (int) got;
}

/* Run what is due now (the re-reports of choice 13). */
static void
settle(TestWorld *tw)
{
    test_world_run(tw, 0);
}

/* ---- FD_READ -------------------------------------------------------------- */

static void
test_wsp_events_read_reenabled_by_recv(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET c, a;
    HANDLE ev = new_event(tw);
    int err;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    event_select(c, ev, FD_READ);
    assert_false(signalled(tw, ev));
    test_world_use(tw, tw->ps);
    test_send_str(a, "abc");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_true(signalled(tw, ev));
    assert_int_equal(enum_events(c, ev, NULL), FD_READ);
    assert_false(signalled(tw, ev)); /* reset by the enumeration */
    /* More data: not reported again before a receive re-enables. */
    test_world_use(tw, tw->ps);
    test_send_str(a, "def");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_false(signalled(tw, ev));
    /* A receive that leaves data: re-reported after it returns (level). */
    assert_int_equal(recv_some(c, 2, 0, &err), 2);
    assert_false(signalled(tw, ev)); /* not from inside the call */
    settle(tw);
    assert_true(signalled(tw, ev));
    assert_int_equal(enum_events(c, ev, NULL), FD_READ);
    /* A receive that drains everything: nothing to re-report. */
    assert_int_equal(recv_some(c, 100, 0, &err), 4);
    settle(tw);
    assert_false(signalled(tw, ev));
    assert_true(test_world_trace_count(tw, "FD_READ re-enabled") >= 2);
    test_world_free(tw);
}

static void
test_wsp_events_read_failed_recv_still_reenables(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET c, a;
    HANDLE ev = new_event(tw);
    int err;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    event_select(c, ev, FD_READ);
    test_world_use(tw, tw->ps);
    test_send_str(a, "abc");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(enum_events(c, ev, NULL), FD_READ);
    /* An unknown flag: the receive fails, yet FD_READ is re-enabled. */
    assert_int_equal(recv_some(c, 10, 0x40000000, &err), -1);
    assert_int_equal(err, WSAEOPNOTSUPP);
    settle(tw);
    assert_int_equal(enum_events(c, ev, NULL), FD_READ);
    test_world_free(tw);
}

/* ---- FD_WRITE --------------------------------------------------------------- */

static void
test_wsp_events_write_after_wouldblock(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET c, a;
    HANDLE ev = new_event(tw);
    static char big[8192];
    WSABUF b = { sizeof big, big };
    DWORD sent;
    int err = 0, rc, n = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    event_select(c, ev, FD_WRITE);
    assert_int_equal(enum_events(c, ev, NULL), FD_WRITE); /* writable at registration */
    /* A successful send re-enables FD_WRITE but does not report it. */
    test_send_str(c, "x");
    settle(tw);
    assert_false(signalled(tw, ev));
    /* Fill until WSAEWOULDBLOCK (the peer does not read). */
    while ((rc = WSPSend(c, &b, 1, &sent, 0, NULL, NULL, NULL, &err)) == 0 && n++ < 10000)
        test_world_run(tw, 10 * SIM_MSEC);
    assert_int_equal(rc, SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK);
    settle(tw);
    assert_false(signalled(tw, ev));
    /* The peer reads: space frees up, FD_WRITE comes. */
    test_world_use(tw, tw->ps);
    while (recv_some(a, 256, 0, &err) > 0)
        ;
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_true(signalled(tw, ev));
    assert_int_equal(enum_events(c, ev, NULL), FD_WRITE);
    test_world_free(tw);
}

/* ---- FD_OOB ----------------------------------------------------------------- */

static void
test_wsp_events_oob_reenabled_by_recv(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET c, a;
    HANDLE ev = new_event(tw);
    WSABUF b = { 1, (char *) "!" };
    DWORD sent;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    event_select(c, ev, FD_OOB);
    test_world_use(tw, tw->ps);
    assert_int_equal(WSPSend(a, &b, 1, &sent, MSG_OOB, NULL, NULL, NULL, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(enum_events(c, ev, NULL), FD_OOB);
    /* A normal receive (nothing in band: fails) re-enables; the OOB byte is
     * still there, so FD_OOB comes again. */
    assert_int_equal(recv_some(c, 10, 0, &err), -1);
    settle(tw);
    assert_int_equal(enum_events(c, ev, NULL), FD_OOB);
    /* MSG_OOB takes it: re-enabled, nothing left. */
    assert_int_equal(recv_some(c, 10, MSG_OOB, &err), 1);
    settle(tw);
    assert_int_equal(enum_events(c, ev, NULL), 0);
    test_world_free(tw);
}

/* ---- FD_ACCEPT -------------------------------------------------------------- */

static int CALLBACK
cond_defer(LPWSABUF a, LPWSABUF b, LPQOS c, LPQOS d, LPWSABUF e, LPWSABUF f, GROUP *g,
           DWORD_PTR data)
{
    (void) a, (void) b, (void) c, (void) d, (void) e, (void) f, (void) g, (void) data;
    return CF_DEFER;
}

static void
test_wsp_events_accept_reenabled_by_accept_not_defer(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l = listener(tw, PORT), s;
    HANDLE ev = new_event(tw);
    int err = 0;

    (void) state;
    event_select(l, ev, FD_ACCEPT);
    start_connect(tw, PORT, WSAEWOULDBLOCK);
    start_connect(tw, PORT, WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(enum_events(l, ev, NULL), FD_ACCEPT); /* once for two */
    /* CF_DEFER (WSATRY_AGAIN) does not re-enable. */
    assert_true(WSPAccept(l, NULL, NULL, cond_defer, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSATRY_AGAIN);
    settle(tw);
    assert_int_equal(enum_events(l, ev, NULL), 0);
    /* An accept re-enables; one more is queued: reported again. */
    s = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(s != INVALID_SOCKET);
    settle(tw);
    assert_int_equal(enum_events(l, ev, NULL) & FD_ACCEPT, FD_ACCEPT);
    s = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(s != INVALID_SOCKET);
    settle(tw);
    assert_int_equal(enum_events(l, ev, NULL), 0); /* queue empty */
    /* A failing accept (WSAEWOULDBLOCK) re-enables too. */
    assert_true(WSPAccept(l, NULL, NULL, NULL, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEWOULDBLOCK);
    start_connect(tw, PORT, WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(enum_events(l, ev, NULL), FD_ACCEPT);
    test_world_free(tw);
}

static void
test_wsp_events_accepted_socket_inherits(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l = listener(tw, PORT), s, c;
    HANDLE ev = new_event(tw);
    int err = 0;

    (void) state;
    event_select(l, ev, FD_ACCEPT | FD_READ | FD_WRITE);
    c = start_connect(tw, PORT, WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    test_send_str(c, "hello");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(enum_events(l, ev, NULL), FD_ACCEPT);
    s = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(s != INVALID_SOCKET);
    settle(tw);
    /* Same event, same mask: data and writability reported on the child. */
    assert_true(signalled(tw, ev));
    assert_int_equal(enum_events(s, ev, NULL), FD_READ | FD_WRITE);
    set_blocking(s, 0, WSAEINVAL); /* inherited registration: non-blocking */
    test_world_free(tw);
}

/* ---- FD_CONNECT ------------------------------------------------------------- */

static void
test_wsp_events_connect_once_with_error(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSANETWORKEVENTS ne;
    HANDLE ev = new_event(tw), ev2 = new_event(tw);
    SOCKET c, f;

    (void) state;
    listener(tw, PORT);
    c = start_connect(tw, PORT, WSAEWOULDBLOCK);
    event_select(c, ev, FD_CONNECT | FD_WRITE);
    f = start_connect(tw, PORT + 1, WSAEWOULDBLOCK); /* refused */
    event_select(f, ev2, FD_CONNECT | FD_WRITE | FD_CLOSE);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(enum_events(c, ev, &ne), FD_CONNECT | FD_WRITE);
    assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], 0);
    assert_int_equal(enum_events(f, ev2, &ne), FD_CONNECT); /* no FD_WRITE, no FD_CLOSE */
    assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], WSAECONNREFUSED);
    assert_int_equal(ne.iErrorCode[FD_READ_BIT], 0x55555555); /* slots of unset bits untouched */
    /* One-shot: nothing re-enables it. */
    test_send_str(c, "x");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(enum_events(c, ev, NULL) & FD_CONNECT, 0);
    test_world_free(tw);
}

/* ---- FD_CLOSE --------------------------------------------------------------- */

static void
test_wsp_events_close_only_after_data_read(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSANETWORKEVENTS ne;
    HANDLE ev = new_event(tw);
    SOCKET c, a;
    int err;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    event_select(c, ev, FD_READ | FD_CLOSE);
    test_world_use(tw, tw->ps);
    test_send_str(a, "last words");
    test_close(a);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(enum_events(c, ev, NULL), FD_READ); /* not FD_CLOSE yet */
    assert_int_equal(recv_some(c, 4, 0, &err), 4);
    settle(tw);
    assert_int_equal(enum_events(c, ev, NULL), FD_READ); /* data remains */
    assert_int_equal(recv_some(c, 100, 0, &err), 6);
    settle(tw);
    assert_int_equal(enum_events(c, ev, &ne), FD_CLOSE); /* all read: now */
    assert_int_equal(ne.iErrorCode[FD_CLOSE_BIT], 0);
    assert_int_equal(recv_some(c, 100, 0, &err), 0);
    settle(tw);
    assert_int_equal(enum_events(c, ev, NULL), 0); /* once */
    test_world_free(tw);
}

static void
test_wsp_events_close_on_reset(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSANETWORKEVENTS ne;
    HANDLE ev = new_event(tw);
    LINGER lg = { 1, 0 };
    SOCKET c, a;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    event_select(c, ev, FD_CLOSE);
    test_world_use(tw, tw->ps);
    assert_int_equal(WSPSetSockOpt(a, SOL_SOCKET, SO_LINGER, (char *) &lg, sizeof lg, &err), 0);
    test_close(a);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(enum_events(c, ev, &ne), FD_CLOSE);
    assert_int_equal(ne.iErrorCode[FD_CLOSE_BIT], WSAECONNRESET);
    test_world_free(tw);
}

/* ---- Registration ----------------------------------------------------------- */

static void
test_wsp_events_registration_forces_nonblocking(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    HANDLE ev = new_event(tw);
    SOCKET c, a;
    int err;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    set_blocking(c, 0, 0);
    event_select(c, ev, FD_READ);
    set_blocking(c, 0, WSAEINVAL);      /* refused while registered */
    assert_int_equal(recv_some(c, 10, 0, &err), -1);
    assert_int_equal(err, WSAEWOULDBLOCK); /* non-blocking, outside any actor too */
    event_select(c, NULL, 0);           /* mask 0 cancels (choice 8: event ignored) */
    set_blocking(c, 0, 0);
    /* Mask 0 also forces non-blocking mode. */
    event_select(c, NULL, 0);
    set_blocking(c, 0, 0);
    test_world_free(tw);
}

static void
test_wsp_events_new_registration_replaces_old(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    HANDLE ev = new_event(tw);
    HWND hwnd = wspsim_os_window_create(tw->world, tw->pc);
    SOCKET c, a;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    event_select(c, ev, FD_WRITE);
    assert_true(signalled(tw, ev));
    assert_int_equal(WSPAsyncSelect(c, hwnd, WM_SOCK, FD_READ, &err), 0);
    assert_int_equal(enum_events(c, NULL, NULL), 0); /* record cleared */
    wspsim_os_event_reset(tw->world, ev);
    test_world_use(tw, tw->ps);
    test_send_str(a, "x");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_false(signalled(tw, ev));                       /* old registration gone */
    assert_int_equal(wspsim_os_message_count(tw->world, hwnd), 1); /* FD_READ only */
    /* Mask 0 cancels: nothing more is posted. */
    assert_int_equal(WSPAsyncSelect(c, hwnd, 0, 0, &err), 0);
    assert_int_equal(recv_some(c, 100, 0, &err), 1);
    test_world_use(tw, tw->ps);
    test_send_str(a, "y");
    test_world_run(tw, SIM_SEC);
    assert_int_equal(wspsim_os_message_count(tw->world, hwnd), 1);
    test_world_free(tw);
}

static void
test_wsp_events_enum_errors_leave_record(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    HANDLE ev = new_event(tw);
    WSANETWORKEVENTS ne;
    SOCKET c, a;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    event_select(c, ev, FD_WRITE);
    assert_int_equal(WSPEnumNetworkEvents(c, (WSAEVENT) (uintptr_t) 0x9999, &ne, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    assert_int_equal(WSPEnumNetworkEvents(c, ev, NULL, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    assert_int_equal(WSPEnumNetworkEvents(0x7777, ev, &ne, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    assert_true(signalled(tw, ev)); /* nothing reset */
    assert_int_equal(enum_events(c, ev, NULL), FD_WRITE); /* nothing cleared */
    assert_int_equal(WSPEventSelect(c, NULL, FD_READ, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    assert_int_equal(WSPEventSelect(c, ev, 0x400, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    test_world_free(tw);
}

/* Every one of the ten events reaches the record with its error code; the
 * IOCTL-armed ones only after their IOCTL (REFERENCE 2.5). */
static void
test_wsp_events_all_ten_recorded_with_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    HANDLE ev = new_event(tw);
    WSANETWORKEVENTS ne;
    WspCall call;
    WspSocket *ws;
    SOCKADDR_STORAGE ss;
    SOCKET c, a;
    DWORD ret;
    int err = 0, len;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    event_select(c, ev, FD_ALL_EVENTS);
    assert_true(wsp_call_begin(&call, "test", &err));
    ws = wsp_handle_lookup(&call, c);
    assert_non_null(ws);
    assert_int_equal(enum_events(c, ev, &ne), FD_CONNECT | FD_WRITE);
    wsp_events_signal(ws, FD_QOS, 0);
    wsp_events_signal(ws, FD_GROUP_QOS, WSAENETDOWN);
    wsp_events_signal(ws, FD_ROUTING_INTERFACE_CHANGE, WSAENETUNREACH); /* not armed */
    wsp_events_signal(ws, FD_ADDRESS_LIST_CHANGE, 0);                 /* not armed */
    assert_int_equal(enum_events(c, ev, &ne), FD_QOS | FD_GROUP_QOS);
    assert_int_equal(ne.iErrorCode[FD_GROUP_QOS_BIT], WSAENETDOWN);
    /* FD_QOS is edge: again only after SIO_GET_QOS (which fails here). */
    wsp_events_signal(ws, FD_QOS, 0);
    assert_int_equal(enum_events(c, ev, NULL), 0);
    assert_int_equal(WSPIoctl(c, SIO_GET_QOS, NULL, 0, NULL, 0, &ret, NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    wsp_events_signal(ws, FD_QOS, 0);
    assert_int_equal(enum_events(c, ev, NULL), FD_QOS);
    /* Arm the change events with their IOCTLs (non-blocking: WSAEWOULDBLOCK). */
    ss = test_sa("10.0.0.2", 0, &len);
    assert_int_equal(WSPIoctl(c, SIO_ROUTING_INTERFACE_CHANGE, &ss, (DWORD) len, NULL, 0, &ret,
                              NULL, NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK);
    assert_int_equal(WSPIoctl(c, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &ret, NULL, NULL,
                              NULL, &err),
                     SOCKET_ERROR);
    wsp_events_signal(ws, FD_ROUTING_INTERFACE_CHANGE, WSAENETUNREACH);
    wsp_events_signal(ws, FD_ADDRESS_LIST_CHANGE, 0);
    test_world_use(tw, tw->ps);
    test_send_str(a, "r");
    {
        WSABUF b = { 1, (char *) "o" };
        DWORD sent;

        assert_int_equal(WSPSend(a, &b, 1, &sent, MSG_OOB, NULL, NULL, NULL, &err), 0);
    }
    test_close(a);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    {
        int got;

        while ((got = recv_some(c, 100, 0, &err)) > 0)
            ;
        recv_some(c, 10, MSG_OOB, &err);
        settle(tw);
    }
    assert_int_equal(enum_events(c, ev, &ne),
                     FD_READ | FD_OOB | FD_CLOSE | FD_ROUTING_INTERFACE_CHANGE |
                         FD_ADDRESS_LIST_CHANGE);
    assert_int_equal(ne.iErrorCode[FD_ROUTING_INTERFACE_CHANGE_BIT], WSAENETUNREACH);
    assert_int_equal(ne.iErrorCode[FD_CLOSE_BIT], 0);
    /* And FD_ACCEPT, the tenth. */
    {
        SOCKET l = listener(tw, PORT + 1);
        HANDLE ev2 = new_event(tw);

        event_select(l, ev2, FD_ALL_EVENTS);
        start_connect(tw, PORT + 1, WSAEWOULDBLOCK);
        test_world_run(tw, SIM_SEC);
        test_world_use(tw, tw->ps);
        assert_int_equal(enum_events(l, ev2, &ne), FD_ACCEPT);
        assert_int_equal(ne.iErrorCode[FD_ACCEPT_BIT], 0);
    }
    test_world_free(tw);
}

/* ---- WSPAsyncSelect: messages ------------------------------------------------ */

static void
expect_msg(TestWorld *tw, HWND hwnd, SOCKET s, WORD event, WORD error)
{
    WSPSIM_MSG m;

    assert_int_equal(wspsim_os_peek_message(tw->world, hwnd, &m, TRUE), TRUE);
    assert_int_equal(m.message, WM_SOCK);
    assert_true(m.wParam == (WPARAM) s);
    assert_int_equal(WSAGETSELECTEVENT(m.lParam), event);
    assert_int_equal(WSAGETSELECTERROR(m.lParam), error);
}

/* One message per event, never a combined mask; FD_CONNECT before FD_WRITE. */
static void
test_wsp_events_async_one_message_per_event_in_order(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    HWND hwnd = wspsim_os_window_create(tw->world, tw->pc);
    SOCKET c, f;
    int err = 0;

    (void) state;
    listener(tw, PORT);
    c = start_connect(tw, PORT, WSAEWOULDBLOCK);
    assert_int_equal(WSPAsyncSelect(c, hwnd, WM_SOCK, FD_CONNECT | FD_WRITE | FD_READ, &err), 0);
    f = start_connect(tw, PORT + 1, WSAEWOULDBLOCK);
    assert_int_equal(WSPAsyncSelect(f, hwnd, WM_SOCK, FD_CONNECT | FD_WRITE, &err), 0);
    test_world_run(tw, SIM_SEC);
    assert_int_equal(wspsim_os_message_count(tw->world, hwnd), 3);
    expect_msg(tw, hwnd, c, FD_CONNECT, 0);
    expect_msg(tw, hwnd, c, FD_WRITE, 0);
    expect_msg(tw, hwnd, f, FD_CONNECT, WSAECONNREFUSED);
    test_world_free(tw);
}

typedef struct {
    TestWorld *tw;
    HWND hwnd;
    SOCKET c;
    int got[4];
    int n;
} MsgReader;

/* Reads its messages with wspsim_os_get_message in simulated time. */
static void
actor_read_messages(void *data)
{
    MsgReader *r = data;
    WSPSIM_MSG m;

    while (r->n < 4 && wspsim_os_get_message(r->tw->world, r->hwnd, &m, 2000) == 1) {
        r->got[r->n++] = WSAGETSELECTEVENT(m.lParam);
        if (WSAGETSELECTEVENT(m.lParam) == FD_READ) {
            int err;

            recv_some(r->c, 1, 0, &err); /* leaves data: one more FD_READ */
        }
    }
}

/* A level event re-reported after the re-enabling call: a new message per
 * occurrence, posted after the call returned, in order. */
static void
test_wsp_events_async_read_reposted_after_recv(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    MsgReader r = { .tw = tw };
    SOCKET a;
    int err = 0;

    (void) state;
    r.hwnd = wspsim_os_window_create(tw->world, tw->pc);
    connect_pair(tw, PORT, &r.c, &a);
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPAsyncSelect(r.c, r.hwnd, WM_SOCK, FD_READ | FD_CLOSE, &err), 0);
    test_world_use(tw, tw->ps);
    test_send_str(a, "ab");
    test_world_spawn(tw, tw->pc, "reader", actor_read_messages, &r);
    test_world_run(tw, 10 * SIM_SEC);
    /* "ab": FD_READ, recv 1 -> FD_READ, recv 1 -> nothing left. */
    assert_int_equal(r.n, 2);
    assert_int_equal(r.got[0], FD_READ);
    assert_int_equal(r.got[1], FD_READ);
    assert_int_equal(test_world_trace_count(tw, "FD_READ posted"), 2);
    test_world_free(tw);
}

/* Data and the FIN arrive before WSPAccept returns; a registration made on
 * the accepted socket afterwards still gets FD_CLOSE once everything is
 * read (found by the classroom lesson on FD_CLOSE). */
static void
test_wsp_events_close_before_accept(void **state)
{
    (void) state;
    TestWorld *tw = test_world_new(1);
    SOCKET l = listener(tw, 7100), c, a;
    HANDLE ev = new_event(tw);
    int err = 0;

    c = start_connect(tw, 7100, WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(test_send_str(c, "hello"), 5);
    test_close(c);
    test_world_run(tw, SIM_SEC); /* data and FIN are in before the accept */
    test_world_use(tw, tw->ps);
    a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(a != INVALID_SOCKET);
    event_select(a, ev, FD_READ | FD_CLOSE);
    settle(tw);
    assert_true(enum_events(a, ev, NULL) & FD_READ);
    assert_int_equal(recv_some(a, 100, 0, &err), 5);
    settle(tw);
    WSANETWORKEVENTS ne;
    assert_true(enum_events(a, ev, &ne) & FD_CLOSE);
    assert_int_equal(ne.iErrorCode[FD_CLOSE_BIT], 0);
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_events_close_before_accept),
        cmocka_unit_test(test_wsp_events_read_reenabled_by_recv),
        cmocka_unit_test(test_wsp_events_read_failed_recv_still_reenables),
        cmocka_unit_test(test_wsp_events_write_after_wouldblock),
        cmocka_unit_test(test_wsp_events_oob_reenabled_by_recv),
        cmocka_unit_test(test_wsp_events_accept_reenabled_by_accept_not_defer),
        cmocka_unit_test(test_wsp_events_accepted_socket_inherits),
        cmocka_unit_test(test_wsp_events_connect_once_with_error),
        cmocka_unit_test(test_wsp_events_close_only_after_data_read),
        cmocka_unit_test(test_wsp_events_close_on_reset),
        cmocka_unit_test(test_wsp_events_registration_forces_nonblocking),
        cmocka_unit_test(test_wsp_events_new_registration_replaces_old),
        cmocka_unit_test(test_wsp_events_enum_errors_leave_record),
        cmocka_unit_test(test_wsp_events_all_ten_recorded_with_errors),
        cmocka_unit_test(test_wsp_events_async_one_message_per_event_in_order),
        cmocka_unit_test(test_wsp_events_async_read_reposted_after_recv),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-events", tests, NULL, NULL);
}
