/* SPDX-License-Identifier: MIT
 * test-wsp-startup: WSPStartup version negotiation and reference counting,
 * WSPCleanup, the procedure table, the catalog, WSPSocket's choices and
 * errors, handle allocation, and the SimStatus -> WSA mapping. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "spi/wsp-private.h"
#include "helpers/test-world.h"

static void
test_wsp_startup_version(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSPUPCALLTABLE up = wspsim_default_upcall_table();
    WSPPROC_TABLE pt;
    WSPDATA d;

    (void) state;
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPStartup(MAKEWORD(1, 1), &d, NULL, up, &pt), WSAVERNOTSUPPORTED);
    assert_int_equal(WSPStartup(MAKEWORD(2, 1), &d, NULL, up, &pt), WSAVERNOTSUPPORTED);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), NULL, NULL, up, &pt), WSAEFAULT);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &d, NULL, up, NULL), WSAEFAULT);
    memset(&d, 0, sizeof d);
    assert_int_equal(WSPStartup(MAKEWORD(3, 0), &d, NULL, up, &pt), 0);
    assert_int_equal(d.wVersion, 0x0202);
    assert_int_equal(d.wHighVersion, 0x0202);
    assert_true(d.szDescription[0] == 'w');
    wspsim_set_context(NULL, 0);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &d, NULL, up, &pt), WSASYSNOTREADY);
    test_world_free(tw);
}

static void
test_wsp_startup_proc_table_full(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    void **slots = (void **) &tw->procs;

    (void) state;
    for (size_t i = 0; i < sizeof(WSPPROC_TABLE) / sizeof(void *); i++)
        assert_non_null(slots[i]);
    assert_int_equal(sizeof(WSPPROC_TABLE) / sizeof(void *), 30);
    test_world_free(tw);
}

static void
test_wsp_startup_cleanup_refcount(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSPUPCALLTABLE up = wspsim_default_upcall_table();
    WSPPROC_TABLE pt;
    WSPDATA d;
    SOCKET s;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &d, NULL, up, &pt), 0); /* count 2 */
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_int_equal(WSPCleanup(&err), 0); /* count 1: the socket lives */
    assert_int_equal(WSPShutdown(s, 9, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    assert_int_equal(WSPCleanup(&err), 0); /* count 0: sockets reset */
    err = 0;
    assert_int_equal(WSPCleanup(&err), SOCKET_ERROR);
    assert_int_equal(err, WSANOTINITIALISED);
    err = 0;
    assert_true(WSPSocket(AF_INET, SOCK_STREAM, 0, NULL, 0, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSANOTINITIALISED);
    /* Startup works again at once; the old handle is gone. */
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &d, NULL, up, &pt), 0);
    assert_int_equal(WSPCloseSocket(s, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    /* No context at all: WSANOTINITIALISED. */
    wspsim_set_context(NULL, 0);
    err = 0;
    assert_int_equal(WSPListen(s, 1, &err), SOCKET_ERROR);
    assert_int_equal(err, WSANOTINITIALISED);
    test_world_free(tw);
}

static void
test_wsp_startup_catalog(void **state)
{
    size_t n = 0;
    const WSAPROTOCOL_INFOW *c = wspsim_catalog(&n);

    (void) state;
    assert_int_equal(n, 6);
    assert_int_equal(c[0].iAddressFamily, AF_INET);
    assert_int_equal(c[0].iSocketType, SOCK_STREAM);
    assert_int_equal(c[0].dwServiceFlags1, XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER |
                                               XP1_GRACEFUL_CLOSE | XP1_EXPEDITED_DATA);
    assert_int_equal(c[0].iMaxSockAddr, 16);
    assert_int_equal(c[1].iAddressFamily, AF_INET6);
    assert_int_equal(c[1].iMaxSockAddr, 28);
    assert_int_equal(c[2].dwMessageSize, 65507);
    assert_int_equal(c[3].dwMessageSize, 65527);
    assert_true(c[2].dwServiceFlags1 & XP1_SUPPORT_BROADCAST);
    assert_true(c[2].dwServiceFlags1 & XP1_SUPPORT_MULTIPOINT);
    assert_true(c[4].dwServiceFlags1 & XP1_MULTIPOINT_CONTROL_PLANE);
    assert_int_equal(c[4].iAddressFamily, AF_INET);
    /* The rooted multipoint entry again over IPv6. */
    assert_int_equal(c[5].dwServiceFlags1, c[4].dwServiceFlags1);
    assert_int_equal(c[5].iAddressFamily, AF_INET6);
    assert_int_equal(c[5].iMaxSockAddr, 28);
    assert_int_equal(c[5].dwMessageSize, 65527);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c[i].dwCatalogEntryId, WSPSIM_CATALOG_TCP_V4 + i);
        assert_memory_equal(&c[i].ProviderId, &wspsim_provider_guid, sizeof(GUID));
        assert_int_equal(c[i].ProtocolChain.ChainLen, BASE_PROTOCOL);
        assert_false(c[i].dwServiceFlags1 & XP1_IFS_HANDLES);
        assert_true(c[i].szProtocol[0] == 'w');
    }
    assert_ptr_equal(wspsim_catalog_entry(1003), &c[2]);
    assert_null(wspsim_catalog_entry(7));
}

typedef struct {
    const char *name;
    int af, type, protocol;
    DWORD flags;
    GROUP g;
    int want; /* 0: success */
    int want_type;
} SocketCase;

static const SocketCase socket_cases[] = {
    { "tcp", AF_INET, SOCK_STREAM, IPPROTO_TCP, 0, 0, 0, SOCK_STREAM },
    { "udp6", AF_INET6, SOCK_DGRAM, 0, 0, 0, 0, SOCK_DGRAM },
    { "wild-af", 0, SOCK_DGRAM, 0, 0, 0, 0, SOCK_DGRAM },
    { "wild-all", 0, 0, 0, 0, 0, 0, SOCK_STREAM },
    { "proto-only", AF_INET, 0, IPPROTO_UDP, 0, 0, 0, SOCK_DGRAM },
    { "overlapped", AF_INET, SOCK_STREAM, 0, WSA_FLAG_OVERLAPPED, 0, 0, SOCK_STREAM },
    { "group", AF_INET, SOCK_STREAM, 0, 0, SG_UNCONSTRAINED_GROUP, 0, SOCK_STREAM },
    { "bad-af", 99, SOCK_STREAM, 0, 0, 0, WSAEAFNOSUPPORT, 0 },
    { "raw", AF_INET, SOCK_RAW, 0, 0, 0, WSAESOCKTNOSUPPORT, 0 },
    { "bad-type", AF_INET, 77, 0, 0, 0, WSAESOCKTNOSUPPORT, 0 },
    { "icmp", AF_INET, SOCK_DGRAM, IPPROTO_ICMP, 0, 0, WSAEPROTONOSUPPORT, 0 },
    { "prototype", AF_INET, SOCK_DGRAM, IPPROTO_TCP, 0, 0, WSAEPROTOTYPE, 0 },
    { "bad-flags", AF_INET, SOCK_STREAM, 0, 0x8000, 0, WSAEINVAL, 0 },
    { "bad-group", AF_INET, SOCK_STREAM, 0, 0, 12345, WSAEINVAL, 0 },
    { "mp-on-tcp", AF_INET, SOCK_STREAM, 0,
      WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF, 0, WSAEINVAL, 0 },
    { "mp-root-nonrooted", AF_INET, SOCK_DGRAM, 0,
      WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_LEAF, 0, WSAEINVAL, 0 },
    { "mp-leaf", AF_INET, SOCK_DGRAM, 0, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF,
      0, 0, SOCK_DGRAM },
    { "mp-half", AF_INET, SOCK_DGRAM, 0, WSA_FLAG_MULTIPOINT_C_LEAF, 0, WSAEINVAL, 0 },
};

static void
test_wsp_startup_socket_cases(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(socket_cases); i++) {
        const SocketCase *c = &socket_cases[i];
        TestWorld *tw = test_world_new(TEST_WORLD_SEED);
        int err = 0, type = 0, len = sizeof type;
        SOCKET s;

        print_message("case %s\n", c->name);
        test_world_use(tw, tw->pc);
        s = WSPSocket(c->af, c->type, c->protocol, NULL, c->g, c->flags, &err);
        if (c->want != 0) {
            assert_true(s == INVALID_SOCKET);
            assert_int_equal(err, c->want);
        } else {
            assert_true(s != INVALID_SOCKET);
            assert_int_equal(WSPGetSockOpt(s, SOL_SOCKET, SO_TYPE, (char *) &type, &len, &err), 0);
            assert_int_equal(type, c->want_type);
        }
        test_world_free(tw);
    }
}

static void
test_wsp_startup_socket_from_protocol_info(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    size_t n;
    const WSAPROTOCOL_INFOW *c = wspsim_catalog(&n);
    WSAPROTOCOL_INFOW info = c[3], got;
    int err = 0, len = sizeof got;
    SOCKET s;

    (void) state;
    test_world_use(tw, tw->pc);
    s = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0, 0, &err);
    assert_true(s != INVALID_SOCKET);
    assert_int_equal(WSPGetSockOpt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *) &got, &len, &err), 0);
    assert_int_equal(got.dwCatalogEntryId, WSPSIM_CATALOG_UDP_V6);
    /* Rooted multipoint roles are available through its entries. */
    info = c[4];
    s = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                  WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT, &err);
    assert_true(s != INVALID_SOCKET);
    info = c[5];
    s = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                  WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT, &err);
    assert_true(s != INVALID_SOCKET);
    len = sizeof got;
    assert_int_equal(WSPGetSockOpt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *) &got, &len, &err), 0);
    assert_int_equal(got.dwCatalogEntryId, WSPSIM_CATALOG_MP_ROOTED_V6);
    assert_int_equal(got.iAddressFamily, AF_INET6);
    assert_true(WSPSocket(AF_INET, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                          WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT,
                          &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEAFNOSUPPORT);
    /* Not one of ours; FROM_PROTOCOL_INFO without info; contradicting af. */
    info.dwCatalogEntryId = 4242;
    assert_true(WSPSocket(AF_INET, SOCK_STREAM, 0, &info, 0, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);
    assert_true(WSPSocket(FROM_PROTOCOL_INFO, 0, 0, NULL, 0, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);
    info = c[0];
    assert_true(WSPSocket(AF_INET6, 0, 0, &info, 0, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEAFNOSUPPORT);
    test_world_free(tw);
}

/* Handles come from WPUCreateSocketHandle: 0x100 + 4n per process. */
static void
test_wsp_startup_handles_deterministic(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET a, b, c;
    DWORD_PTR ctx = 0;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    a = test_socket(AF_INET, SOCK_STREAM);
    b = test_socket(AF_INET, SOCK_DGRAM);
    assert_int_equal(a, 0x100);
    assert_int_equal(b, 0x104);
    assert_int_equal(wspsim_default_upcall_table().lpWPUQuerySocketHandleContext(a, &ctx, &err), 0);
    test_close(a);
    c = test_socket(AF_INET, SOCK_STREAM);
    assert_int_equal(c, 0x108); /* never reused */
    test_world_use(tw, tw->ps);
    assert_int_equal(test_socket(AF_INET, SOCK_STREAM), 0x100); /* per process */
    /* A handle of another process is not a socket here. */
    assert_int_equal(WSPCloseSocket(c, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    test_world_free(tw);
}

/* A client-supplied upcall table is used for every handle. */
static SOCKET WSPAPI
my_create(DWORD id, DWORD_PTR ctx, LPINT err)
{
    (void) id;
    (void) err;
    return (SOCKET) (0x7000 + ctx);
}

static int my_closes;

static int WSPAPI
my_close(SOCKET s, LPINT err)
{
    (void) s;
    (void) err;
    my_closes++;
    return 0;
}

static void
test_wsp_startup_client_upcalls(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSPUPCALLTABLE up;
    WSPPROC_TABLE pt;
    WSPDATA d;
    SOCKET s;

    (void) state;
    memset(&up, 0, sizeof up);
    up.lpWPUCreateSocketHandle = my_create;
    up.lpWPUCloseSocketHandle = my_close;
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &d, NULL, up, &pt), 0);
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_true(s >= 0x7000);
    my_closes = 0;
    test_close(s);
    assert_int_equal(my_closes, 1);
    test_world_free(tw);
}

static void
test_wsp_startup_error_from_status_all(void **state)
{
    size_t n = 0;
    const SimStatus *all = sim_status_all(&n);

    (void) state;
    assert_true(n > 10);
    for (size_t i = 0; i < n; i++) {
        int code;

        if (all[i] == SIM_OK)
            continue;
        code = wsp_error_from_status(all[i]);
        print_message("%s -> %s\n", sim_status_name(all[i]), wsp_error_name(code));
        assert_true(code == WSA_OPERATION_ABORTED || (code > WSABASEERR && code < WSABASEERR + 2000));
        assert_string_not_equal(wsp_error_name(code), "WSA?");
    }
    assert_int_equal(wsp_error_from_status(SIM_E_CONNREFUSED), WSAECONNREFUSED);
    assert_int_equal(wsp_error_from_status(SIM_E_WOULDBLOCK), WSAEWOULDBLOCK);
    assert_int_equal(wsp_error_from_status(SIM_E_ADDRINUSE), WSAEADDRINUSE);
}

static void
test_wsp_startup_address_strings(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WCHAR wbuf[64], in[32];
    DWORD wlen = 64;
    int len, err = 0, slen;
    SOCKADDR_STORAGE ss = test_sa("10.0.0.2", 80, &len), out;
    const char *text = "[fd00::2]:443";
    size_t i;

    (void) state;
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPAddressToString((LPSOCKADDR) &ss, (DWORD) len, NULL, wbuf, &wlen, &err), 0);
    assert_int_equal(wlen, 12);
    assert_true(wbuf[0] == '1' && wbuf[10] == '0' && wbuf[11] == 0);
    wlen = 3;
    assert_int_equal(WSPAddressToString((LPSOCKADDR) &ss, (DWORD) len, NULL, wbuf, &wlen, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(wlen, 12);
    for (i = 0; text[i] != '\0'; i++)
        in[i] = (WCHAR) text[i];
    in[i] = 0;
    slen = sizeof out;
    assert_int_equal(WSPStringToAddress(in, AF_INET6, NULL, (LPSOCKADDR) &out, &slen, &err), 0);
    assert_int_equal(slen, 28);
    assert_int_equal(g_ntohs(((struct sockaddr_in6 *) &out)->sin6_port), 443);
    assert_int_equal(WSPStringToAddress(in, AF_INET, NULL, (LPSOCKADDR) &out, &slen, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_startup_version),
        cmocka_unit_test(test_wsp_startup_proc_table_full),
        cmocka_unit_test(test_wsp_startup_cleanup_refcount),
        cmocka_unit_test(test_wsp_startup_catalog),
        cmocka_unit_test(test_wsp_startup_socket_cases),
        cmocka_unit_test(test_wsp_startup_socket_from_protocol_info),
        cmocka_unit_test(test_wsp_startup_handles_deterministic),
        cmocka_unit_test(test_wsp_startup_client_upcalls),
        cmocka_unit_test(test_wsp_startup_error_from_status_all),
        cmocka_unit_test(test_wsp_startup_address_strings),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-startup", tests, NULL, NULL);
}
