/* SPDX-License-Identifier: MIT
 * test-wsp-duplicate: WSPDuplicateSocket and WSPSocket with the structure it
 * fills (REFERENCE 2.10, 4 choice 48): a descriptor in another process for
 * the same connection that outlives the first process's descriptor, the
 * socket closing with the last descriptor, process exit and WSPCleanup
 * dropping only their own descriptors, one shared event registration,
 * WSPSelect answering with the caller's descriptor, and the errors (bad
 * process id, NULL buffer, bad handle, reused / foreign / forged
 * structures). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "helpers/test-world.h"
#include <wspsim/wspsim-os.h>

#define PORT 7300

typedef struct {
    TestWorld *tw;
    SimProcessId p2; /* a second process on the client host */
    SOCKET l, c, a;  /* listener (server), client (pc), accepted (server) */
} Fix;

static void
startup(TestWorld *tw, SimProcessId pid)
{
    WSPDATA data;
    WSPPROC_TABLE procs;

    test_world_use(tw, pid);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &data, NULL, wspsim_default_upcall_table(), &procs),
                     0);
}

static void
fix_init(Fix *f)
{
    memset(f, 0, sizeof *f);
    f->tw = test_world_new(TEST_WORLD_SEED);
    f->p2 = sim_process_new(f->tw->world, f->tw->client, "heir");
    startup(f->tw, f->p2);
    test_world_tcp_pair(f->tw, AF_INET, PORT, &f->l, &f->c, &f->a);
}

/* In process @from: duplicate @s for @to; then in @to: the new descriptor. */
static SOCKET
share(Fix *f, SimProcessId from, SOCKET s, SimProcessId to)
{
    WSAPROTOCOL_INFOW info;
    SOCKET d;
    int err = 0;

    test_world_use(f->tw, from);
    assert_int_equal(WSPDuplicateSocket(s, to, &info, &err), 0);
    assert_int_not_equal(info.dwProviderReserved, 0);
    test_world_use(f->tw, to);
    d = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0, 0, &err);
    assert_true(d != INVALID_SOCKET);
    return d;
}

static int
server_read(Fix *f, char *buf, size_t cap)
{
    int err = 0;
    u_long nb = 1;
    DWORD ret;

    test_world_use(f->tw, f->tw->ps);
    WSPIoctl(f->a, FIONBIO, &nb, sizeof nb, NULL, 0, &ret, NULL, NULL, NULL, &err);
    return test_recv(f->a, buf, cap, 0, &err) < 0 ? -err : (int) strlen(buf);
}

/* The scenario: the heir keeps the connection after the first
 * process closes its descriptor; the last close ends it. */
static void
test_duplicate_outlives_first_descriptor(void **state)
{
    Fix f;
    SOCKET d;
    char buf[64];

    (void) state;
    fix_init(&f);
    d = share(&f, f.tw->pc, f.c, f.p2);
    test_world_use(f.tw, f.tw->pc);
    test_close(f.c);
    assert_int_equal(test_world_trace_count(f.tw, "(descriptor only)"), 1);
    test_world_run(f.tw, SIM_SEC);
    /* No FIN reached the server: nothing to read, no EOF. */
    assert_int_equal(server_read(&f, buf, sizeof buf), -WSAEWOULDBLOCK);

    test_world_use(f.tw, f.p2);
    assert_int_equal(test_send_str(d, "still here"), 10);
    test_world_run(f.tw, SIM_SEC);
    assert_int_equal(server_read(&f, buf, sizeof buf), 10);
    assert_string_equal(buf, "still here");

    /* The old descriptor is gone in the first process only. */
    {
        int err = 0;
        WSABUF b = { 1, buf };
        DWORD sent = 0;

        test_world_use(f.tw, f.tw->pc);
        assert_int_equal(WSPSend(f.c, &b, 1, &sent, 0, NULL, NULL, NULL, &err), SOCKET_ERROR);
        assert_int_equal(err, WSAENOTSOCK);
    }
    /* Last descriptor: the connection closes (the server reads EOF). */
    test_world_use(f.tw, f.p2);
    test_close(d);
    test_world_run(f.tw, SIM_SEC);
    assert_int_equal(server_read(&f, buf, sizeof buf), 0);
    test_world_free(f.tw);
}

/* Closing the heir's descriptor first leaves the original working. */
static void
test_duplicate_close_copy_first(void **state)
{
    Fix f;
    SOCKET d;
    char buf[64];

    (void) state;
    fix_init(&f);
    d = share(&f, f.tw->pc, f.c, f.p2);
    test_world_use(f.tw, f.p2);
    test_close(d);
    test_world_use(f.tw, f.tw->pc);
    assert_int_equal(test_send_str(f.c, "orig"), 4);
    test_world_run(f.tw, SIM_SEC);
    assert_int_equal(server_read(&f, buf, sizeof buf), 4);
    test_world_use(f.tw, f.tw->pc);
    test_close(f.c);
    test_world_run(f.tw, SIM_SEC);
    assert_int_equal(server_read(&f, buf, sizeof buf), 0);
    test_world_free(f.tw);
}

/* Same-process duplication (allowed: a second descriptor) and a chain of
 * three descriptors over two processes. */
static void
test_duplicate_same_process_and_chain(void **state)
{
    Fix f;
    SOCKET d1, d2;
    char buf[64];

    (void) state;
    fix_init(&f);
    d1 = share(&f, f.tw->pc, f.c, f.tw->pc);
    assert_true(d1 != f.c);
    d2 = share(&f, f.tw->pc, d1, f.p2);
    test_world_use(f.tw, f.tw->pc);
    test_close(f.c);
    test_close(d1);
    test_world_use(f.tw, f.p2);
    assert_int_equal(test_send_str(d2, "third"), 5);
    test_world_run(f.tw, SIM_SEC);
    assert_int_equal(server_read(&f, buf, sizeof buf), 5);
    test_world_use(f.tw, f.p2);
    test_close(d2);
    test_world_run(f.tw, SIM_SEC);
    assert_int_equal(server_read(&f, buf, sizeof buf), 0);
    test_world_free(f.tw);
}

/* The first process's last WSPCleanup drops its descriptors of shared
 * sockets without resetting them; the heir's exit then does. */
static void
test_duplicate_cleanup_and_exit(void **state)
{
    Fix f;
    SOCKET d;
    char buf[64];
    int err = 0;

    (void) state;
    fix_init(&f);
    d = share(&f, f.tw->pc, f.c, f.p2);
    test_world_use(f.tw, f.tw->pc);
    assert_int_equal(WSPCleanup(&err), 0);
    test_world_run(f.tw, SIM_SEC);
    assert_int_equal(server_read(&f, buf, sizeof buf), -WSAEWOULDBLOCK);
    test_world_use(f.tw, f.p2);
    assert_int_equal(test_send_str(d, "ok"), 2);
    test_world_run(f.tw, SIM_SEC);
    assert_int_equal(server_read(&f, buf, sizeof buf), 2);
    /* The heir ends: Windows resets the sockets of an exiting process. */
    sim_process_kill(f.tw->world, f.p2);
    test_world_run(f.tw, SIM_SEC);
    assert_int_equal(server_read(&f, buf, sizeof buf), -WSAECONNRESET);
    test_world_free(f.tw);
}

/* One registration per socket (REFERENCE 2.10): made through the heir's
 * descriptor, it is what the first process's descriptor sees too. */
static void
test_duplicate_shares_event_registration(void **state)
{
    Fix f;
    SOCKET d;
    HANDLE ev;
    WSANETWORKEVENTS ne;
    int err = 0;

    (void) state;
    fix_init(&f);
    d = share(&f, f.tw->pc, f.c, f.p2);
    ev = wspsim_os_event_create(f.tw->world, TRUE, FALSE);
    test_world_use(f.tw, f.p2);
    assert_int_equal(WSPEventSelect(d, ev, FD_READ, &err), 0);
    test_world_use(f.tw, f.tw->ps);
    test_send_str(f.a, "x");
    test_world_run(f.tw, SIM_SEC);
    /* Enumerated through the other descriptor: the same record. */
    test_world_use(f.tw, f.tw->pc);
    memset(&ne, 0, sizeof ne);
    assert_int_equal(WSPEnumNetworkEvents(f.c, ev, &ne, &err), 0);
    assert_int_equal(ne.lNetworkEvents, FD_READ);
    /* A new registration through the first descriptor replaces it. */
    assert_int_equal(WSPEventSelect(f.c, ev, 0, &err), 0);
    test_world_use(f.tw, f.p2);
    memset(&ne, 0, sizeof ne);
    assert_int_equal(WSPEnumNetworkEvents(d, NULL, &ne, &err), 0);
    assert_int_equal(ne.lNetworkEvents, 0);
    test_world_free(f.tw);
}

/* WSPSelect in the heir returns the heir's descriptor, not the first one. */
static void
test_duplicate_select_uses_callers_descriptor(void **state)
{
    Fix f;
    SOCKET d;
    fd_set rd;
    TIMEVAL tv = { 0, 0 };
    int err = 0;

    (void) state;
    fix_init(&f);
    test_world_use(f.tw, f.tw->pc);
    /* Make the two handle values differ. */
    (void) test_socket(AF_INET, SOCK_DGRAM);
    d = share(&f, f.tw->pc, f.c, f.p2);
    test_world_use(f.tw, f.tw->ps);
    test_send_str(f.a, "x");
    test_world_run(f.tw, SIM_SEC);
    test_world_use(f.tw, f.p2);
    rd.fd_count = 1;
    rd.fd_array[0] = d;
    assert_int_equal(WSPSelect(0, &rd, NULL, NULL, &tv, &err), 1);
    assert_int_equal(rd.fd_count, 1);
    assert_true(rd.fd_array[0] == d);
    test_world_free(f.tw);
}

static void
test_duplicate_errors(void **state)
{
    Fix f;
    WSAPROTOCOL_INFOW info, copy;
    SimProcessId p3;
    SOCKET d;
    int err = 0;

    (void) state;
    fix_init(&f);
    p3 = sim_process_new(f.tw->world, f.tw->server, "other");
    startup(f.tw, p3);
    test_world_use(f.tw, f.tw->pc);
    /* Bad handle, NULL buffer, no such process. */
    assert_int_equal(WSPDuplicateSocket((SOCKET) 0x7777, f.p2, &info, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTSOCK);
    assert_int_equal(WSPDuplicateSocket(f.c, f.p2, NULL, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(WSPDuplicateSocket(f.c, 0, &info, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    assert_int_equal(WSPDuplicateSocket(f.c, 999, &info, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);

    /* A structure for p2 used by p3: WSAEINVAL; then by p2: fine; again: WSAEINVAL. */
    assert_int_equal(WSPDuplicateSocket(f.c, f.p2, &info, &err), 0);
    copy = info;
    test_world_use(f.tw, p3);
    d = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0, 0, &err);
    assert_true(d == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);
    test_world_use(f.tw, f.p2);
    d = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0, 0, &err);
    assert_true(d != INVALID_SOCKET);
    d = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &copy, 0, 0, &err);
    assert_true(d == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);
    /* A forged key. */
    copy.dwProviderReserved = 0x12345;
    d = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &copy, 0, 0, &err);
    assert_true(d == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);

    /* The socket closed before the target used its structure. */
    test_world_use(f.tw, f.tw->ps);
    assert_int_equal(WSPDuplicateSocket(f.a, f.p2, &info, &err), 0);
    test_close(f.a);
    test_world_use(f.tw, f.p2);
    d = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0, 0, &err);
    assert_true(d == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);

    /* Not started in the target process. */
    {
        SimProcessId p4 = sim_process_new(f.tw->world, f.tw->client, "unstarted");

        test_world_use(f.tw, f.tw->pc);
        assert_int_equal(WSPDuplicateSocket(f.c, p4, &info, &err), 0);
        test_world_use(f.tw, p4);
        d = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0, 0,
                      &err);
        assert_true(d == INVALID_SOCKET);
        assert_int_equal(err, WSANOTINITIALISED);
    }
    test_world_free(f.tw);
}

/* A datagram socket shared by two processes: both send from one port. */
static void
test_duplicate_datagram(void **state)
{
    Fix f;
    SOCKET u, d, r;
    SOCKADDR_STORAGE to;
    WSABUF b;
    DWORD sent = 0;
    char buf[32];
    int len, err = 0;

    (void) state;
    fix_init(&f);
    test_world_use(f.tw, f.tw->ps);
    r = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(r, "0.0.0.0", PORT + 1);
    test_world_use(f.tw, f.tw->pc);
    u = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(u, "0.0.0.0", PORT + 2);
    d = share(&f, f.tw->pc, u, f.p2);
    test_world_use(f.tw, f.tw->pc);
    test_close(u);
    test_world_use(f.tw, f.p2);
    to = test_sa("10.0.0.2", PORT + 1, &len);
    b.buf = (char *) "dg";
    b.len = 2;
    assert_int_equal(
        WSPSendTo(d, &b, 1, &sent, 0, (struct sockaddr *) &to, len, NULL, NULL, NULL, &err), 0);
    test_world_run(f.tw, SIM_SEC);
    test_world_use(f.tw, f.tw->ps);
    assert_int_equal(test_recv(r, buf, sizeof buf, 0, &err), 2);
    test_world_free(f.tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicate_outlives_first_descriptor),
        cmocka_unit_test(test_duplicate_close_copy_first),
        cmocka_unit_test(test_duplicate_same_process_and_chain),
        cmocka_unit_test(test_duplicate_cleanup_and_exit),
        cmocka_unit_test(test_duplicate_shares_event_registration),
        cmocka_unit_test(test_duplicate_select_uses_callers_descriptor),
        cmocka_unit_test(test_duplicate_errors),
        cmocka_unit_test(test_duplicate_datagram),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-duplicate", tests, NULL, NULL);
}
