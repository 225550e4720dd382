/* SPDX-License-Identifier: MIT
 * test-wsp-fault: provider-level fault injection through the proc table —
 * Nth / every Kth / probabilistic failures with documented codes only,
 * per-process rules, short sends and receives, removal, determinism. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/test-world.h"
#include "wspsim/wspsim-fault.h"

static int
send_str(TestWorld *tw, SOCKET s, const char *str, DWORD *out_sent, int *out_err)
{
    WSABUF b = { (ULONG) strlen(str), (char *) str };
    *out_sent = 0;
    return tw->procs.lpWSPSend(s, &b, 1, out_sent, 0, NULL, NULL, NULL, out_err);
}

static void
test_wsp_fault_rule_validation(void **state)
{
    (void) state;
    TestWorld *tw = test_world_new(1);
    GError *error = NULL;

    assert_int_equal(wspsim_fault_fail_calls(tw->world, 0, "WSPFrobnicate", WSPSIM_FAULT_NTH, 1,
                                             WSAENOBUFS, &error), 0);
    assert_true(g_error_matches(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_FUNCTION));
    g_clear_error(&error);
    assert_int_equal(wspsim_fault_fail_calls(tw->world, 0, "WSPStartup", WSPSIM_FAULT_NTH, 1,
                                             WSAENOBUFS, &error), 0);
    g_clear_error(&error);
    /* WSPBind never resets a connection on Windows: refused. */
    assert_int_equal(wspsim_fault_fail_calls(tw->world, 0, "WSPBind", WSPSIM_FAULT_NTH, 1,
                                             WSAECONNRESET, &error), 0);
    assert_true(g_error_matches(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_CODE));
    assert_non_null(strstr(error->message, "WSAECONNRESET"));
    g_clear_error(&error);
    assert_int_equal(wspsim_fault_fail_calls(tw->world, 0, "WSPSend", WSPSIM_FAULT_NTH, 0,
                                             WSAENOBUFS, &error), 0);
    assert_true(g_error_matches(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_RANGE));
    g_clear_error(&error);
    assert_int_equal(wspsim_fault_fail_calls(tw->world, 0, "WSPSend", WSPSIM_FAULT_PROBABILITY,
                                             1000001, WSAENOBUFS, &error), 0);
    g_clear_error(&error);
    assert_int_equal(wspsim_fault_short_sends(tw->world, 0, 0, WSPSIM_FAULT_NTH, 1, &error), 0);
    g_clear_error(&error);
    assert_int_equal(wspsim_fault_delay_completions(tw->world, 0, 0, &error), 0);
    g_clear_error(&error);
    guint id = wspsim_fault_fail_calls(tw->world, 0, "WSPSend", WSPSIM_FAULT_NTH, 1, WSAENOBUFS,
                                       &error);
    assert_int_equal(id, 1);
    assert_null(error);
    assert_true(wspsim_fault_remove(tw->world, id));
    assert_false(wspsim_fault_remove(tw->world, id));
    assert_false(wspsim_fault_remove(tw->world, 99));
    test_world_free(tw);
}

static void
test_wsp_fault_nth_call_of_a_process(void **state)
{
    (void) state;
    TestWorld *tw = test_world_new(1);
    SOCKET l, c, a;
    DWORD sent;
    int err = 0;
    char buf[64];

    test_world_tcp_pair(tw, AF_INET, 7000, &l, &c, &a);
    /* The 3rd WSPSend of the client fails; a rule for the server never
     * fires on the client's calls. */
    guint rule = wspsim_fault_fail_calls(tw->world, tw->pc, "WSPSend", WSPSIM_FAULT_NTH, 3,
                                         WSAENOBUFS, NULL);
    guint other = wspsim_fault_fail_calls(tw->world, tw->ps, "WSPSend", WSPSIM_FAULT_NTH, 1,
                                          WSAENOBUFS, NULL);
    assert_true(rule > 0 && other > 0);
    test_world_use(tw, tw->pc);
    assert_int_equal(send_str(tw, c, "a", &sent, &err), 0);
    assert_int_equal(send_str(tw, c, "b", &sent, &err), 0);
    err = 0;
    assert_int_equal(send_str(tw, c, "c", &sent, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOBUFS);
    assert_int_equal(send_str(tw, c, "d", &sent, &err), 0);
    assert_int_equal(wspsim_fault_hits(tw->world, rule), 1);
    assert_int_equal(wspsim_fault_hits(tw->world, other), 0);
    test_world_run(tw, 2 * SIM_SEC);
    /* The failed call sent nothing. */
    test_world_use(tw, tw->ps);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 3);
    assert_memory_equal(buf, "abd", 3);
    assert_int_equal(test_world_trace_count(tw, "fails with WSAENOBUFS"), 1);
    /* Calls made directly (not through the proc table) are not wrapped. */
    test_world_free(tw);
}

static void
test_wsp_fault_every_kth_and_remove(void **state)
{
    (void) state;
    TestWorld *tw = test_world_new(1);
    SOCKADDR_STORAGE ss;
    int len, err;

    test_world_use(tw, tw->pc);
    SOCKET s = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(s, "10.0.0.1", 5000);
    guint rule = wspsim_fault_fail_calls(tw->world, 0, "WSPGetSockName", WSPSIM_FAULT_EVERY, 3,
                                         WSAENETDOWN, NULL);
    GString *pattern = g_string_new(NULL);
    for (int i = 0; i < 9; i++) {
        len = sizeof ss;
        int r = tw->procs.lpWSPGetSockName(s, (struct sockaddr *) &ss, &len, &err);
        g_string_append_c(pattern, r == 0 ? '.' : 'x');
        if (r != 0)
            assert_int_equal(err, WSAENETDOWN);
    }
    assert_string_equal(pattern->str, "..x..x..x");
    assert_true(wspsim_fault_remove(tw->world, rule));
    len = sizeof ss;
    assert_int_equal(tw->procs.lpWSPGetSockName(s, (struct sockaddr *) &ss, &len, &err), 0);
    assert_int_equal(wspsim_fault_hits(tw->world, rule), 3);
    g_string_free(pattern, TRUE);
    test_world_free(tw);
}

static char *
probability_pattern(guint64 seed, int n)
{
    TestWorld *tw = test_world_new(seed);
    GString *p = g_string_new(NULL);
    int err;

    wspsim_fault_fail_calls(tw->world, 0, "WSPSocket", WSPSIM_FAULT_PROBABILITY, 300000,
                            WSAEMFILE, NULL);
    test_world_use(tw, tw->pc);
    for (int i = 0; i < n; i++) {
        SOCKET s = tw->procs.lpWSPSocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, 0, &err);
        g_string_append_c(p, s == INVALID_SOCKET ? 'x' : '.');
        if (s == INVALID_SOCKET)
            assert_int_equal(err, WSAEMFILE);
        else
            tw->procs.lpWSPCloseSocket(s, &err);
    }
    test_world_free(tw);
    return g_string_free(p, FALSE);
}

static void
test_wsp_fault_probability_seeded(void **state)
{
    (void) state;
    char *a = probability_pattern(5, 2000);
    char *b = probability_pattern(5, 2000);
    char *c = probability_pattern(6, 2000);
    int hits = 0;

    assert_string_equal(a, b); /* same seed, same calls hit */
    assert_string_not_equal(a, c);
    for (const char *p = a; *p; p++)
        hits += *p == 'x';
    /* 30% of 2000: mean 600, sd 20.5 — 5 sd. */
    assert_true(hits > 497 && hits < 703);
    g_free(a);
    g_free(b);
    g_free(c);
}

static void
test_wsp_fault_short_send_and_recv(void **state)
{
    (void) state;
    TestWorld *tw = test_world_new(1);
    SOCKET l, c, a;
    DWORD sent, got, flags = 0;
    u_long on = 1;
    DWORD ret;
    int err;
    char buf[100];
    WSABUF rb = { sizeof buf, buf };
    const char *msg = "0123456789abcdefghijklmnopqrstuvwxyz";

    test_world_tcp_pair(tw, AF_INET, 7000, &l, &c, &a);
    wspsim_fault_short_sends(tw->world, tw->pc, 10, WSPSIM_FAULT_EVERY, 1, NULL);
    wspsim_fault_short_recvs(tw->world, tw->ps, 7, WSPSIM_FAULT_NTH, 1, NULL);
    test_world_use(tw, tw->pc);
    /* A blocking socket is left alone: Winsock consumes everything there. */
    assert_int_equal(send_str(tw, c, msg, &sent, &err), 0);
    assert_int_equal(sent, 36);
    assert_int_equal(tw->procs.lpWSPIoctl(c, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL,
                                          NULL, &err), 0);
    assert_int_equal(send_str(tw, c, msg, &sent, &err), 0);
    assert_int_equal(sent, 10);
    test_world_run(tw, 2 * SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(tw->procs.lpWSPRecv(a, &rb, 1, &got, &flags, NULL, NULL, NULL, &err), 0);
    assert_int_equal(got, 7); /* 46 queued, 7 returned */
    assert_memory_equal(buf, "0123456", 7);
    assert_int_equal(tw->procs.lpWSPRecv(a, &rb, 1, &got, &flags, NULL, NULL, NULL, &err), 0);
    assert_int_equal(got, 39);
    assert_memory_equal(buf, "789abcdefghijklmnopqrstuvwxyz0123456789", 39);
    assert_int_equal(test_world_trace_count(tw, "limited to"), 2);
    test_world_free(tw);
}

static void
test_wsp_fault_completion_delay(void **state)
{
    (void) state;
    TestWorld *tw = test_world_new(1);

    assert_int_equal(wspsim_fault_completion_delay(tw->world, tw->pc), 0);
    guint r1 = wspsim_fault_delay_completions(tw->world, tw->pc, 5 * SIM_MSEC, NULL);
    wspsim_fault_delay_completions(tw->world, 0, 1 * SIM_MSEC, NULL);
    assert_int_equal(wspsim_fault_completion_delay(tw->world, tw->pc), 6 * SIM_MSEC);
    assert_int_equal(wspsim_fault_completion_delay(tw->world, tw->ps), 1 * SIM_MSEC);
    assert_true(wspsim_fault_remove(tw->world, r1));
    assert_int_equal(wspsim_fault_completion_delay(tw->world, tw->pc), 1 * SIM_MSEC);
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_fault_rule_validation),
        cmocka_unit_test(test_wsp_fault_nth_call_of_a_process),
        cmocka_unit_test(test_wsp_fault_every_kth_and_remove),
        cmocka_unit_test(test_wsp_fault_probability_seeded),
        cmocka_unit_test(test_wsp_fault_short_send_and_recv),
        cmocka_unit_test(test_wsp_fault_completion_delay),
    };
    return cmocka_run_group_tests_name("wsp-fault", tests, NULL, NULL);
}
