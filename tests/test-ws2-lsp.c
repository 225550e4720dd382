/* SPDX-License-Identifier: MIT
 * test-ws2-lsp: a layered service provider (examples/lsp-count.c, loaded
 * with GModule) installed between the application side and the base
 * provider.  Its byte counters, read through the module's own export, prove
 * it sits in the call path; its chained catalog entries reach the base
 * provider through wspsim_lsp_next_provider(). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <gmodule.h>
#include <wspsim/winsock2.h>
#include <wspsim/ws2tcpip.h>
#include <wspsim/windows.h>
#include <wspsim/wspsim-spi.h>
#include <wspsim/wspsim-ws2.h>

typedef int (*StatsFn)(SOCKET s, unsigned long long *sent, unsigned long long *received,
                       unsigned long long *calls);

static StatsFn
stats_fn(void)
{
    GModule *m = g_module_open(LSP_COUNT_PATH, G_MODULE_BIND_LOCAL);
    gpointer sym = NULL;

    assert_non_null(m);
    assert_true(g_module_symbol(m, "lsp_count_stats", &sym));
    return (StatsFn) sym;
}

static void
test_ws2_lsp_install_errors(void **state)
{
    char *msg = NULL;

    (void) state;
    assert_false(wspsim_lsp_install("/nonexistent/lsp.so", &msg));
    assert_non_null(msg);
    g_free(msg);
}

static void
test_ws2_lsp_chain(void **state)
{
    WSAPROTOCOL_INFOW chained, next;
    LPWSPSTARTUP start = NULL;
    size_t n;
    const WSAPROTOCOL_INFOW *base = wspsim_catalog(&n);

    (void) state;
    memset(&chained, 0, sizeof chained);
    chained.ProtocolChain.ChainLen = 2;
    chained.ProtocolChain.ChainEntries[0] = WSPSIM_LSP_CATALOG_BASE;
    chained.ProtocolChain.ChainEntries[1] = base[0].dwCatalogEntryId;
    assert_int_equal(wspsim_lsp_next_provider(&chained, &start, &next), 0);
    assert_true(start == WSPStartup);
    assert_int_equal(next.dwCatalogEntryId, base[0].dwCatalogEntryId);
    assert_int_equal(next.ProtocolChain.ChainLen, BASE_PROTOCOL);
    chained.ProtocolChain.ChainLen = 1;
    assert_int_equal(wspsim_lsp_next_provider(&chained, &start, &next), WSAEINVAL);
    assert_int_equal(wspsim_lsp_next_provider(NULL, &start, &next), WSAEINVAL);
}

/* A loopback exchange: every byte is counted by the LSP on the sockets the
 * application holds (the LSP's handles, not the base provider's). */
static void
test_ws2_lsp_counts_bytes(void **state)
{
    StatsFn stats = stats_fn();
    WSADATA wsa;
    struct sockaddr_in addr;
    SOCKET l, c, a;
    char buf[64];
    unsigned long long sent = 0, recvd = 0, calls0 = 0, calls1 = 0;

    (void) state;
    assert_int_equal(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    stats(INVALID_SOCKET, NULL, NULL, &calls0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(6000);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_true(l != INVALID_SOCKET);
    assert_int_equal(stats(l, NULL, NULL, NULL), 0); /* the LSP made this handle */
    assert_int_equal(bind(l, (struct sockaddr *) &addr, sizeof addr), 0);
    assert_int_equal(listen(l, 5), 0);
    c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_int_equal(connect(c, (struct sockaddr *) &addr, sizeof addr), 0);
    a = accept(l, NULL, NULL);
    assert_true(a != INVALID_SOCKET);
    assert_int_equal(send(c, "0123456789", 10, 0), 10);
    assert_int_equal(recv(a, buf, sizeof buf, 0), 10);
    assert_int_equal(send(a, "abc", 3, 0), 3);
    assert_int_equal(recv(c, buf, sizeof buf, 0), 3);

    assert_int_equal(stats(c, &sent, &recvd, &calls1), 0);
    assert_int_equal(sent, 10);
    assert_int_equal(recvd, 3);
    assert_int_equal(stats(a, &sent, &recvd, NULL), 0);
    assert_int_equal(sent, 3);
    assert_int_equal(recvd, 10);
    assert_true(calls1 >= calls0 + 9);

    /* Errors still come back exactly through the layer. */
    assert_int_equal(bind(l, (struct sockaddr *) &addr, sizeof addr), SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSAEINVAL);
    assert_int_equal(closesocket(a), 0);
    assert_int_equal(closesocket(c), 0);
    assert_int_equal(closesocket(l), 0);
    assert_int_equal(send(c, "x", 1, 0), SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSAENOTSOCK);
    assert_int_equal(WSACleanup(), 0);
}

static int
setup(void **state)
{
    char *msg = NULL;

    (void) state;
    if (!wspsim_lsp_install(LSP_COUNT_PATH, &msg)) {
        print_error("%s\n", msg);
        return -1;
    }
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ws2_lsp_install_errors),
        cmocka_unit_test(test_ws2_lsp_chain),
        cmocka_unit_test(test_ws2_lsp_counts_bytes),
    };

    return cmocka_run_group_tests_name("ws2-lsp", tests, setup, NULL);
}
