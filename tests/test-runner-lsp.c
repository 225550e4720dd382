/* SPDX-License-Identifier: MIT
 *
 * test-runner-lsp.c: "provider load PATH" in a scenario (issue 12).  The
 * example LSP (examples/lsp-count.c, a libtool module) is loaded under the
 * scenario's processes; its own counters, read through the module's
 * exported lsp_count_stats(), prove every call went through its proc
 * table: the bytes each script socket sent and received, and the number of
 * WSP calls it forwarded.  A script without the statement never reaches
 * it; a module that cannot be loaded stops the run with file:line:col.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <wspsim/winsock2.h>
#include <wspsim/ws2spi.h>

#include <cmocka.h>

#include <gmodule.h>

#include "runner/scenario.h"

typedef int (*StatsFn)(SOCKET s, unsigned long long *sent, unsigned long long *received,
                       unsigned long long *calls);

/* The echo exchange; %s: the provider line (or nothing). */
static const char script_fmt[] =
    "seed 3\n"
    "%s\n"
    "host client 10.0.0.1\n"
    "host server 10.0.0.2\n"
    "link client server latency 5ms loss 10%%\n"
    "\n"
    "thread server.main:\n"
    "    l = WSPSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP)\n"
    "    WSPBind(l, 10.0.0.2:7000)\n"
    "    WSPListen(l, 5)\n"
    "    c = WSPAccept(l)\n"
    "    WSPRecv(c, 5000, MSG_WAITALL)    -> 5000 bytes\n"
    "    WSPSend(c, \"thanks\")             -> 6\n"
    "    WSPRecv(c, 100)                  -> 0\n"
    "    WSPCloseSocket(c)\n"
    "    WSPCloseSocket(l)\n"
    "\n"
    "thread client.main at 10ms:\n"
    "    s = WSPSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP)\n"
    "    WSPConnect(s, 10.0.0.2:7000)\n"
    "    WSPSend(s, 5000 bytes)           -> 5000\n"
    "    WSPRecv(s, 6, MSG_WAITALL)       -> \"thanks\"\n"
    "    WSPShutdown(s, SD_SEND)\n"
    "    WSPRecv(s, 100)                  -> 0\n"
    "    WSPCloseSocket(s)\n";

static WspsimScript *
parse(const char *provider_line)
{
    g_autoptr(GError) e = NULL;
    g_autofree char *text = g_strdup_printf(script_fmt, provider_line);
    WspsimScript *s = wspsim_script_parse("lsp.wsim", text, strlen(text), &e);

    if (s == NULL)
        print_error("%s\n", e->message);
    assert_non_null(s);
    return s;
}

/* Run @s; returns the trace text (free with g_free). */
static char *
run(const WspsimScript *s, bool *ok, guint64 *fingerprint)
{
    WspsimRunOptions o = { 0 };
    WspsimRunResult r = { 0 };
    g_autoptr(GError) e = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    o.trace = f;
    if (!wspsim_script_run(s, &o, &r, &e))
        print_error("%s\n", e->message);
    fclose(f);
    *ok = r.ok;
    *fingerprint = r.fingerprint;
    if (!r.ok)
        print_error("%s", r.failures->str);
    wspsim_run_result_clear(&r);
    return buf;
}

/* The LSP's totals over every socket it made (handles are small
 * multiples of 4). */
static void
lsp_totals(StatsFn stats, unsigned long long *sent, unsigned long long *received,
           unsigned long long *calls, int *n_socks)
{
    *sent = *received = 0;
    *n_socks = 0;
    stats(INVALID_SOCKET, NULL, NULL, calls);
    for (SOCKET h = 4; h < 0x10000; h += 4) {
        unsigned long long s = 0, r = 0;

        if (stats(h, &s, &r, NULL) == 0) {
            *sent += s;
            *received += r;
            (*n_socks)++;
        }
    }
}

static void
test_provider_load_in_call_path(void **state)
{
    g_autofree char *line = g_strdup_printf("provider load \"%s\"", LSP_COUNT_PATH);
    WspsimScript *plain = parse("");
    WspsimScript *layered = parse(line);
    g_autofree char *trace_plain = NULL, *trace1 = NULL, *trace2 = NULL;
    GModule *m;
    gpointer sym = NULL;
    unsigned long long sent, received, calls, calls_after_first;
    int n_socks;
    guint64 fp1, fp2, fp_plain;
    bool ok;

    (void) state;
    /* Without the statement: the module is not even loaded by the run. */
    trace_plain = run(plain, &ok, &fp_plain);
    assert_true(ok);
    m = g_module_open(LSP_COUNT_PATH, G_MODULE_BIND_LOCAL);
    assert_non_null(m);
    assert_true(g_module_symbol(m, "lsp_count_stats", &sym));
    lsp_totals((StatsFn) sym, &sent, &received, &calls, &n_socks);
    assert_int_equal(calls, 0);
    assert_int_equal(n_socks, 0);

    /* With it: the same exchange, every byte through the LSP. */
    trace1 = run(layered, &ok, &fp1);
    assert_true(ok);
    lsp_totals((StatsFn) sym, &sent, &received, &calls, &n_socks);
    /* Handles are numbered per process and the LSP reports the latest
     * socket with a handle: 0x100 the client's (the server's listener had
     * it first), 0x104 the server's accepted socket. */
    assert_int_equal(n_socks, 2);
    assert_int_equal(sent, 5000 + 6);
    assert_int_equal(received, 5000 + 6);
    assert_true(calls >= 10);
    calls_after_first = calls;
    /* The base provider saw the LSP's calls: the exchange is in the trace. */
    assert_non_null(strstr(trace1, "WSPSend(s=0x100, 5000 bytes)"));

    /* Deterministic: a second run (the module is installed once) writes the
     * same trace, and the LSP counts again. */
    trace2 = run(layered, &ok, &fp2);
    assert_true(ok);
    assert_string_equal(trace1, trace2);
    assert_int_equal(fp1, fp2);
    ((StatsFn) sym)(INVALID_SOCKET, NULL, NULL, &calls);
    assert_true(calls >= 2 * calls_after_first);

    g_module_close(m);
    wspsim_script_free(plain);
    wspsim_script_free(layered);
}

static void
test_provider_load_errors(void **state)
{
    WspsimScript *s = parse("provider load \"/nonexistent/lsp.so\"");
    WspsimRunOptions o = { 0 };
    WspsimRunResult r = { 0 };
    g_autoptr(GError) e = NULL;
    g_autoptr(GError) e2 = NULL;
    const char *twice = "provider load \"a.so\"\nprovider load \"b.so\"\n";
    const char *nopath = "provider load\n";
    WspsimScript *bad;

    (void) state;
    assert_false(wspsim_script_run(s, &o, &r, &e));
    assert_non_null(e);
    assert_non_null(strstr(e->message, "lsp.wsim:2:1: cannot load the provider: /nonexistent/lsp.so"));
    wspsim_run_result_clear(&r);
    wspsim_script_free(s);

    bad = wspsim_script_parse("t.wsim", twice, strlen(twice), &e2);
    assert_null(bad);
    assert_string_equal(e2->message,
                        "t.wsim:2:1: provider load given twice (one layered provider per scenario)");
    g_clear_error(&e2);
    bad = wspsim_script_parse("t.wsim", nopath, strlen(nopath), &e2);
    assert_null(bad);
    assert_non_null(strstr(e2->message, "t.wsim:1:14: expected the module's path as a \"string\""));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_provider_load_in_call_path),
        cmocka_unit_test(test_provider_load_errors),
    };

    return cmocka_run_group_tests_name("runner-lsp", tests, NULL, NULL);
}
