/* SPDX-License-Identifier: MIT
 * test-wsp-upcall: the default WSPUPCALLTABLE (spi/wsp-upcall.c) — every
 * WPU* entry and its errors — and a client-supplied table: its slots are
 * the ones the provider calls (NULL slots fall back to the defaults), and
 * the handles it passes are the client's own (WSPEventSelect does not
 * check them against the simulated OS). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include <wspsim/wspsim-os.h>

#include "helpers/test-world.h"

#define PORT 7500

static void
test_wsp_upcall_socket_handles(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSPUPCALLTABLE up = wspsim_default_upcall_table();
    DWORD_PTR ctx = 7;
    SOCKET a, b;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    a = up.lpWPUCreateSocketHandle(WSPSIM_CATALOG_TCP_V4, 0, &err);
    b = up.lpWPUCreateSocketHandle(WSPSIM_CATALOG_TCP_V4, 42, &err);
    assert_true(a != INVALID_SOCKET && b == a + 4);
    assert_int_equal(up.lpWPUQuerySocketHandleContext(a, &ctx, &err), 0);
    assert_int_equal(ctx, 0); /* a zero context is told apart from "absent" */
    assert_int_equal(up.lpWPUQuerySocketHandleContext(b, &ctx, &err), 0);
    assert_int_equal(ctx, 42);
    assert_int_equal(up.lpWPUQuerySocketHandleContext(b, NULL, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(up.lpWPUQuerySocketHandleContext(0x9999, &ctx, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    assert_int_equal(up.lpWPUCloseSocketHandle(a, &err), 0);
    assert_int_equal(up.lpWPUCloseSocketHandle(a, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    assert_int_equal(up.lpWPUQuerySocketHandleContext(a, &ctx, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    /* Handles are per process: the server's process does not know b. */
    test_world_use(tw, tw->ps);
    assert_int_equal(up.lpWPUQuerySocketHandleContext(b, &ctx, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    /* No process to act for. */
    wspsim_set_context(NULL, 0);
    assert_true(up.lpWPUCreateSocketHandle(WSPSIM_CATALOG_TCP_V4, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSANOTINITIALISED);
    assert_int_equal(up.lpWPUCloseSocketHandle(b, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    assert_int_equal(up.lpWPUQuerySocketHandleContext(b, &ctx, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    test_world_free(tw);
}

static void
test_wsp_upcall_misc(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSPUPCALLTABLE up = wspsim_default_upcall_table();
    LPBLOCKINGCALLBACK hook = (LPBLOCKINGCALLBACK) (uintptr_t) 1;
    DWORD_PTR ctx = 1;
    GUID other = wspsim_provider_guid;
    WCHAR path[64];
    int len, err = 0;
    fd_set set;

    (void) state;
    test_world_use(tw, tw->pc);
    /* No blocking hook: the provider waits natively. */
    assert_int_equal(up.lpWPUQueryBlockingCallback(WSPSIM_CATALOG_TCP_V4, &hook, &ctx, &err), 0);
    assert_null(hook);
    assert_int_equal(ctx, 0);
    assert_int_equal(up.lpWPUQueryBlockingCallback(WSPSIM_CATALOG_TCP_V4, NULL, &ctx, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(up.lpWPUQueryBlockingCallback(WSPSIM_CATALOG_TCP_V4, &hook, NULL, &err),
                     SOCKET_ERROR);
    /* WPUFDIsSet */
    memset(&set, 0, sizeof set);
    set.fd_count = 2;
    set.fd_array[0] = 0x100;
    set.fd_array[1] = 0x104;
    assert_int_equal(up.lpWPUFDIsSet(0x104, &set), 1);
    assert_int_equal(up.lpWPUFDIsSet(0x108, &set), 0);
    assert_int_equal(up.lpWPUFDIsSet(0x100, NULL), 0);
    set.fd_count = FD_SETSIZE + 5; /* a bad count reads no further than the array */
    assert_int_equal(up.lpWPUFDIsSet(0x108, &set), 0);
    /* WPUGetProviderPath */
    len = G_N_ELEMENTS(path);
    assert_int_equal(up.lpWPUGetProviderPath(&other, path, &len, &err), 0);
    assert_int_equal(len, sizeof "wspsim-provider");
    assert_int_equal(path[0], 'w');
    assert_int_equal(path[len - 1], 0);
    len = 3;
    assert_int_equal(up.lpWPUGetProviderPath(&other, path, &len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(len, sizeof "wspsim-provider"); /* the size needed */
    assert_int_equal(up.lpWPUGetProviderPath(NULL, path, &len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(up.lpWPUGetProviderPath(&other, NULL, &len, &err), SOCKET_ERROR);
    assert_int_equal(up.lpWPUGetProviderPath(&other, path, NULL, &err), SOCKET_ERROR);
    other.Data1 ^= 1;
    assert_int_equal(up.lpWPUGetProviderPath(&other, path, &len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    /* Not an IFS provider. */
    assert_true(up.lpWPUModifyIFSHandle(WSPSIM_CATALOG_TCP_V4, 0x100, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);
    /* Threads: none outside an actor. */
    {
        WSATHREADID id = { (HANDLE) 1, 1 };

        assert_int_equal(up.lpWPUOpenCurrentThread(NULL, &err), SOCKET_ERROR);
        assert_int_equal(err, WSAEFAULT);
        assert_int_equal(up.lpWPUOpenCurrentThread(&id, &err), SOCKET_ERROR);
        assert_int_equal(err, WSANOTINITIALISED);
        assert_int_equal(up.lpWPUCloseThread(NULL, &err), SOCKET_ERROR);
        assert_int_equal(err, WSAEFAULT);
        assert_int_equal(up.lpWPUCloseThread(&id, &err), 0);
        assert_null(id.ThreadHandle);
        assert_int_equal(id.Reserved, 0);
    }
    test_world_free(tw);
}

static void
test_wsp_upcall_events_and_messages(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSPUPCALLTABLE up = wspsim_default_upcall_table();
    HANDLE bogus = (HANDLE) (uintptr_t) 0x7777;
    WSPSIM_MSG m;
    BOOL sig = TRUE;
    WSAEVENT ev;
    HWND w;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    ev = up.lpWPUCreateEvent(&err);
    assert_true(ev != WSA_INVALID_EVENT);
    assert_true(wspsim_os_event_query(tw->world, ev, &sig));
    assert_false(sig); /* manual-reset, initially non-signalled */
    assert_true(up.lpWPUSetEvent(ev, &err));
    assert_true(wspsim_os_event_query(tw->world, ev, &sig) && sig);
    assert_true(up.lpWPUResetEvent(ev, &err));
    assert_true(wspsim_os_event_query(tw->world, ev, &sig) && !sig);
    assert_false(up.lpWPUSetEvent(bogus, &err));
    assert_int_equal(err, WSA_INVALID_HANDLE);
    assert_false(up.lpWPUResetEvent(bogus, &err));
    assert_int_equal(err, WSA_INVALID_HANDLE);
    /* A window is not an event: WPUCloseEvent refuses it. */
    w = wspsim_os_window_create(tw->world, tw->pc);
    err = 0;
    assert_false(up.lpWPUCloseEvent((WSAEVENT) w, &err));
    assert_int_equal(err, WSA_INVALID_HANDLE);
    assert_true(up.lpWPUCloseEvent(ev, &err));
    err = 0;
    assert_false(up.lpWPUCloseEvent(ev, &err)); /* closed twice */
    assert_int_equal(err, WSA_INVALID_HANDLE);
    /* WPUPostMessage: queued on a window; FALSE for anything else. */
    assert_true(up.lpWPUPostMessage(w, 0x401, 0x100, 0x10001));
    assert_true(wspsim_os_peek_message(tw->world, w, &m, TRUE));
    assert_int_equal(m.message, 0x401);
    assert_int_equal(m.wParam, 0x100);
    assert_int_equal(m.lParam, 0x10001);
    assert_false(up.lpWPUPostMessage((HWND) bogus, 0x401, 0, 0));
    test_world_free(tw);
}

/* ---- APCs and threads inside an actor -------------------------------------------- */

typedef struct {
    TestWorld *tw;
    WSPUPCALLTABLE up;
    WSATHREADID self;
    int apc_runs;
    DWORD_PTR apc_ctx;
    DWORD sleep_ret;
} ApcCtx;

static ApcCtx *apc_target;

static void CALLBACK
apc_fn(DWORD_PTR context)
{
    apc_target->apc_runs++;
    apc_target->apc_ctx = context;
}

static void
apc_actor(void *data)
{
    ApcCtx *c = data;
    int err = 0;

    assert_int_equal(c->up.lpWPUOpenCurrentThread(&c->self, &err), 0);
    assert_non_null(c->self.ThreadHandle);
    assert_int_equal(c->self.Reserved, sim_actor_current(c->tw->world));
    assert_int_equal(wspsim_os_handle_kind(c->tw->world, c->self.ThreadHandle),
                     WSPSIM_HANDLE_THREAD);
    assert_int_equal(c->up.lpWPUQueueApc(&c->self, apc_fn, 77, &err), 0);
    /* Not alertable: the APC waits. */
    wspsim_os_sleep(c->tw->world, 1, FALSE);
    assert_int_equal(c->apc_runs, 0);
    c->sleep_ret = wspsim_os_sleep(c->tw->world, 10, TRUE);
}

static void
test_wsp_upcall_apc(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    ApcCtx c;
    WSATHREADID by_handle;
    int err = 0;

    (void) state;
    memset(&c, 0, sizeof c);
    c.tw = tw;
    c.up = wspsim_default_upcall_table();
    apc_target = &c;
    test_world_spawn(tw, tw->pc, "apc", apc_actor, &c);
    test_world_run(tw, SIM_SEC);
    assert_int_equal(c.apc_runs, 1);
    assert_int_equal(c.apc_ctx, 77);
    assert_int_equal(c.sleep_ret, WAIT_IO_COMPLETION);
    /* The thread is gone: no APC can be queued to it, by id or handle. */
    test_world_use(tw, tw->ps);
    assert_int_equal(c.up.lpWPUQueueApc(&c.self, apc_fn, 1, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    by_handle.ThreadHandle = c.self.ThreadHandle;
    by_handle.Reserved = 0;
    assert_int_equal(c.up.lpWPUQueueApc(&by_handle, apc_fn, 1, &err), SOCKET_ERROR);
    assert_int_equal(c.up.lpWPUQueueApc(NULL, apc_fn, 1, &err), SOCKET_ERROR);
    assert_int_equal(c.up.lpWPUQueueApc(&c.self, NULL, 1, &err), SOCKET_ERROR);
    by_handle.ThreadHandle = NULL;
    assert_int_equal(c.up.lpWPUQueueApc(&by_handle, apc_fn, 1, &err), SOCKET_ERROR);
    assert_int_equal(c.apc_runs, 1);
    test_world_free(tw);
}

/* ---- A client-supplied upcall table ------------------------------------------------ */

static int spy_set_calls;
static WSAEVENT spy_last_event;

static BOOL WSPAPI
spy_set_event(WSAEVENT hEvent, LPINT lpErrno)
{
    (void) lpErrno;
    spy_set_calls++;
    spy_last_event = hEvent;
    return TRUE;
}

/* The client's own WPUSetEvent receives the notification for a handle the
 * simulated OS has never heard of (it is the client's); the slots it left
 * NULL (WPUResetEvent...) are the defaults. */
static void
test_wsp_upcall_client_table(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSPUPCALLTABLE up;
    WSANETWORKEVENTS ne;
    WSAEVENT mine = (WSAEVENT) (uintptr_t) 0x5150;
    SOCKET l, c, a;
    int err = 0;

    (void) state;
    memset(&up, 0, sizeof up);
    up.lpWPUSetEvent = spy_set_event;
    spy_set_calls = 0;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &tw->data, NULL, up, &tw->procs), 0);
    assert_int_equal(WSPEventSelect(c, mine, FD_READ, &err), 0);
    test_world_use(tw, tw->ps);
    test_send_str(a, "hi");
    test_world_run(tw, SIM_SEC);
    assert_int_equal(spy_set_calls, 1);
    assert_true(spy_last_event == mine);
    test_world_use(tw, tw->pc);
    /* WPUResetEvent is the default one: the client's handle is not an event. */
    assert_int_equal(WSPEnumNetworkEvents(c, mine, &ne, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    assert_int_equal(WSPEnumNetworkEvents(c, NULL, &ne, &err), 0);
    assert_int_equal(ne.lNetworkEvents, FD_READ);
    /* The default table again (latest WSPStartup wins): the same handle is
     * refused now that the simulated OS is the judge. */
    assert_int_equal(
        WSPStartup(MAKEWORD(2, 2), &tw->data, NULL, wspsim_default_upcall_table(), &tw->procs), 0);
    assert_int_equal(WSPEventSelect(c, mine, FD_READ, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_upcall_socket_handles),
        cmocka_unit_test(test_wsp_upcall_misc),
        cmocka_unit_test(test_wsp_upcall_events_and_messages),
        cmocka_unit_test(test_wsp_upcall_apc),
        cmocka_unit_test(test_wsp_upcall_client_table),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-upcall", tests, NULL, NULL);
}
