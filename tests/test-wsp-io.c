/* SPDX-License-Identifier: MIT
 * test-wsp-io: data transfer through the provider — WSPSend, WSPSendTo,
 * WSPRecv, WSPRecvFrom over UDP and TCP: message boundaries, datagram
 * truncation, scatter/gather, MSG_PEEK, MSG_OOB and SIOCATMARK, MSG_WAITALL,
 * SO_RCVTIMEO / SO_SNDTIMEO in simulated time, non-blocking calls, shutdown
 * and disconnect, WSPSendTo's address rules, broadcast, ICMP port
 * unreachable, and a connection reset before WSPAccept.  Every failure
 * asserts the return value and *lpErrno. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include <wspsim/mstcpip.h>

#include "helpers/test-world.h"

#define PORT 7100

/* Assert a failed WSP call: return value and *lpErrno. */
#define assert_wsa_fail(call, err, code)                                                           \
    do {                                                                                           \
        (err) = 0;                                                                                 \
        assert_int_equal((call), SOCKET_ERROR);                                                    \
        assert_int_equal((err), (code));                                                           \
    } while (0)

/* ---- Small helpers ---------------------------------------------------------- */

static int
send_bufs(SOCKET s, WSABUF *b, DWORD n, DWORD flags, DWORD *out_sent, int *out_err)
{
    DWORD sent = 0;
    int r = WSPSend(s, b, n, &sent, flags, NULL, NULL, NULL, out_err);

    if (out_sent != NULL)
        *out_sent = sent;
    return r;
}

static int
sendto_str(SOCKET s, const char *str, const char *ip, int port, int *out_err)
{
    WSABUF b = { (u_long) strlen(str), (char *) str };
    SOCKADDR_STORAGE ss;
    DWORD sent = 0;
    int len;

    ss = test_sa(ip, port, &len);
    return WSPSendTo(s, &b, 1, &sent, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, out_err);
}

static int
recvfrom_buf(SOCKET s, char *buf, u_long cap, DWORD flags, DWORD *out_got, int *out_port,
             int *out_err)
{
    WSABUF b = { cap, buf };
    SOCKADDR_STORAGE from;
    int fromlen = sizeof from, r;

    *out_got = 0xdead;
    memset(&from, 0, sizeof from);
    r = WSPRecvFrom(s, &b, 1, out_got, &flags, (struct sockaddr *) &from, &fromlen, NULL, NULL,
                    NULL, out_err);
    if (out_port != NULL)
        *out_port = g_ntohs(((struct sockaddr_in *) &from)->sin_port);
    return r;
}

static void
set_int_opt(SOCKET s, int level, int opt, int v)
{
    int err = 0;

    assert_int_equal(WSPSetSockOpt(s, level, opt, (const char *) &v, sizeof v, &err), 0);
}

static void
set_nonblocking(SOCKET s, u_long on)
{
    DWORD ret = 0;
    int err = 0;

    assert_int_equal(WSPIoctl(s, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err),
                     0);
}

static BOOL
at_mark(SOCKET s)
{
    BOOL b = 7;
    DWORD ret = 0;
    int err = 0;

    assert_int_equal(WSPIoctl(s, SIOCATMARK, NULL, 0, &b, sizeof b, &ret, NULL, NULL, NULL, &err),
                     0);
    assert_int_equal(ret, sizeof(BOOL));
    return b;
}

/* A UDP socket of @pid bound to @ip:@port. */
static SOCKET
udp_bound(TestWorld *tw, SimProcessId pid, const char *ip, int port)
{
    SOCKET s;

    test_world_use(tw, pid);
    s = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(s, ip, port);
    return s;
}

/* ---- UDP: message boundaries and truncation ------------------------------------ */

static void
test_wsp_io_udp_message_boundaries(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET srv = udp_bound(tw, tw->ps, "10.0.0.2", PORT);
    SOCKET cli = udp_bound(tw, tw->pc, "10.0.0.1", PORT + 1);
    const char *msgs[] = { "a", "bb", "", "cccc" };
    char buf[64];
    DWORD got;
    int err = 0, port;

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(msgs); i++)
        assert_int_equal(sendto_str(cli, msgs[i], "10.0.0.2", PORT, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    for (size_t i = 0; i < G_N_ELEMENTS(msgs); i++) {
        print_message("datagram %zu\n", i);
        assert_int_equal(recvfrom_buf(srv, buf, sizeof buf, 0, &got, &port, &err), 0);
        assert_int_equal(got, strlen(msgs[i]));
        assert_memory_equal(buf, msgs[i], got);
        assert_int_equal(port, PORT + 1);
    }
    /* Nothing left: outside an actor a blocking receive cannot wait. */
    assert_wsa_fail(recvfrom_buf(srv, buf, sizeof buf, 0, &got, NULL, &err), err, WSAEWOULDBLOCK);
    test_world_free(tw);
}

static void
test_wsp_io_udp_truncation(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET srv = udp_bound(tw, tw->ps, "10.0.0.2", PORT);
    SOCKET cli = udp_bound(tw, tw->pc, "10.0.0.1", PORT + 1);
    char buf[16];
    DWORD got = 0;
    int err = 0, port = 0;

    (void) state;
    assert_int_equal(sendto_str(cli, "0123456789", "10.0.0.2", PORT, &err), 0);
    assert_int_equal(sendto_str(cli, "next", "10.0.0.2", PORT, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    memset(buf, '.', sizeof buf);
    assert_wsa_fail(recvfrom_buf(srv, buf, 4, 0, &got, &port, &err), err, WSAEMSGSIZE);
    /* The buffer holds the head, the count says so, the sender is known... */
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "0123.", 5);
    assert_int_equal(port, PORT + 1);
    /* ...and the rest of the datagram is gone (UDP is unreliable). */
    assert_int_equal(recvfrom_buf(srv, buf, sizeof buf, 0, &got, NULL, &err), 0);
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "next", 4);
    test_world_free(tw);
}

/* ---- Scatter/gather ---------------------------------------------------------- */

static void
test_wsp_io_scatter_gather_stream(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a;
    char b1[1], b2[2], b3[10];
    WSABUF out[3] = { { 2, (char *) "ab" }, { 0, NULL }, { 4, (char *) "cdef" } };
    WSABUF in[3] = { { sizeof b1, b1 }, { sizeof b2, b2 }, { sizeof b3, b3 } };
    DWORD sent = 0, got = 0, flags = 0;
    int err = 0;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    assert_int_equal(send_bufs(c, out, 3, 0, &sent, &err), 0);
    assert_int_equal(sent, 6);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(WSPRecv(a, in, 3, &got, &flags, NULL, NULL, NULL, &err), 0);
    assert_int_equal(got, 6);
    assert_int_equal(flags, 0);
    /* Filled in order, no holes. */
    assert_memory_equal(b1, "a", 1);
    assert_memory_equal(b2, "bc", 2);
    assert_memory_equal(b3, "def", 3);
    test_world_free(tw);
}

static void
test_wsp_io_scatter_gather_dgram(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET srv = udp_bound(tw, tw->ps, "10.0.0.2", PORT);
    SOCKET cli = udp_bound(tw, tw->pc, "10.0.0.1", PORT + 1);
    WSABUF out[3] = { { 3, (char *) "abc" }, { 0, NULL }, { 3, (char *) "def" } };
    char b1[2], b2[2], b3[8];
    WSABUF in[3] = { { sizeof b1, b1 }, { sizeof b2, b2 }, { sizeof b3, b3 } };
    SOCKADDR_STORAGE ss;
    DWORD sent = 0, got = 0, flags = 0;
    int err = 0, len;

    (void) state;
    test_world_use(tw, tw->pc);
    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(
        WSPSendTo(cli, out, 3, &sent, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, &err), 0);
    assert_int_equal(sent, 6);
    /* A second datagram that does not fit the three buffers together. */
    assert_int_equal(sendto_str(cli, "0123456789abcdef", "10.0.0.2", PORT, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(WSPRecvFrom(srv, in, 3, &got, &flags, NULL, NULL, NULL, NULL, NULL, &err), 0);
    assert_int_equal(got, 6); /* one message, spread over the buffers */
    assert_memory_equal(b1, "ab", 2);
    assert_memory_equal(b2, "cd", 2);
    assert_memory_equal(b3, "ef", 2);
    flags = 0;
    assert_wsa_fail(WSPRecv(srv, in, 3, &got, &flags, NULL, NULL, NULL, &err), err, WSAEMSGSIZE);
    assert_int_equal(got, 12);
    assert_memory_equal(b1, "01", 2);
    assert_memory_equal(b2, "23", 2);
    assert_memory_equal(b3, "456789ab", 8);
    test_world_free(tw);
}

/* ---- MSG_PEEK ----------------------------------------------------------------- */

static void
test_wsp_io_peek(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a, srv, cli;
    char buf[32];
    DWORD got = 0;
    int err = 0;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    test_send_str(c, "peekaboo");
    srv = udp_bound(tw, tw->ps, "10.0.0.2", PORT + 5);
    cli = udp_bound(tw, tw->pc, "10.0.0.1", PORT + 6);
    assert_int_equal(sendto_str(cli, "dgram", "10.0.0.2", PORT + 5, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    /* Stream: peeking twice sees the same bytes, then a read takes them. */
    assert_int_equal(test_recv(a, buf, 5, MSG_PEEK, &err), 4);
    assert_string_equal(buf, "peek");
    assert_int_equal(test_recv(a, buf, sizeof buf, MSG_PEEK, &err), 8);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 8);
    assert_string_equal(buf, "peekaboo");
    assert_int_equal(test_recv(a, buf, sizeof buf, MSG_PEEK, &err), -1);
    assert_int_equal(err, WSAEWOULDBLOCK);
    /* Datagram: the message stays queued; a short peek is WSAEMSGSIZE and
     * still leaves it whole. */
    assert_int_equal(recvfrom_buf(srv, buf, sizeof buf, MSG_PEEK, &got, NULL, &err), 0);
    assert_int_equal(got, 5);
    assert_wsa_fail(recvfrom_buf(srv, buf, 2, MSG_PEEK, &got, NULL, &err), err, WSAEMSGSIZE);
    assert_int_equal(got, 2);
    assert_int_equal(recvfrom_buf(srv, buf, sizeof buf, 0, &got, NULL, &err), 0);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "dgram", 5);
    test_world_free(tw);
}

/* ---- MSG_OOB and SIOCATMARK -------------------------------------------------------- */

static void
oob_case(bool inline_oob)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSABUF b = { 3, (char *) "abX" };
    SOCKET l, c, a;
    char buf[32];
    int err = 0;

    print_message("SO_OOBINLINE %s\n", inline_oob ? "on" : "off");
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    test_world_use(tw, tw->ps);
    if (inline_oob)
        set_int_opt(a, SOL_SOCKET, SO_OOBINLINE, 1);
    assert_true(at_mark(a)); /* nothing urgent yet */
    test_world_use(tw, tw->pc);
    assert_int_equal(send_bufs(c, &b, 1, MSG_OOB, NULL, &err), 0); /* 'X' is urgent */
    test_send_str(c, "cd");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_false(at_mark(a)); /* urgent data waiting */
    if (!inline_oob) {
        /* The urgent byte comes out of band; normal reads never include it
         * (and stop at the mark, as BSD and Windows do). */
        assert_int_equal(test_recv(a, buf, sizeof buf, MSG_OOB, &err), 1);
        assert_string_equal(buf, "X");
        assert_true(at_mark(a));
        assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 2);
        assert_string_equal(buf, "ab");
        assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 2);
        assert_string_equal(buf, "cd");
    } else {
        /* Inline: a read stops before the mark; then the mark is next. */
        assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 2);
        assert_string_equal(buf, "ab");
        assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 3);
        assert_string_equal(buf, "Xcd");
        assert_true(at_mark(a));
    }
    test_world_free(tw);
}

static void
test_wsp_io_oob(void **state)
{
    (void) state;
    oob_case(false);
    oob_case(true);
}

/* ---- Actors: MSG_WAITALL, time-outs --------------------------------------------- */

typedef struct {
    TestWorld *tw;
    SOCKET s;
    int ret, err;
    DWORD got;
    SimTime t0, t1;
    char buf[64];
    int phase;
} Act;

static void
waitall_reader(void *data)
{
    Act *p = data;
    WSABUF b = { 10, p->buf };
    DWORD flags = MSG_WAITALL;

    p->t0 = sim_world_now(p->tw->world);
    p->ret = WSPRecv(p->s, &b, 1, &p->got, &flags, NULL, NULL, NULL, &p->err);
    p->t1 = sim_world_now(p->tw->world);
    p->phase++;
}

static void
test_wsp_io_waitall(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Act p = { .tw = tw };
    SOCKET l, c, a, u;
    char buf[16];
    WSABUF b = { sizeof buf, buf };
    DWORD got, flags;
    int err = 0;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    test_send_str(c, "0123");
    test_world_run(tw, 100 * SIM_MSEC);
    /* REFERENCE 4 choice 34: not on non-blocking, datagram, or with PEEK/OOB
     * (checked first: the reader's process ends with its actor). */
    test_world_use(tw, tw->ps);
    flags = MSG_WAITALL | MSG_PEEK;
    assert_wsa_fail(WSPRecv(a, &b, 1, &got, &flags, NULL, NULL, NULL, &err), err, WSAEOPNOTSUPP);
    flags = MSG_WAITALL | MSG_OOB;
    assert_wsa_fail(WSPRecv(a, &b, 1, &got, &flags, NULL, NULL, NULL, &err), err, WSAEOPNOTSUPP);
    set_nonblocking(a, 1);
    flags = MSG_WAITALL;
    assert_wsa_fail(WSPRecv(a, &b, 1, &got, &flags, NULL, NULL, NULL, &err), err, WSAEOPNOTSUPP);
    set_nonblocking(a, 0);
    u = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(u, "10.0.0.2", PORT + 9);
    flags = MSG_WAITALL;
    assert_wsa_fail(WSPRecv(u, &b, 1, &got, &flags, NULL, NULL, NULL, &err), err, WSAEOPNOTSUPP);
    /* The reader finds 4 of its 10 bytes and keeps waiting. */
    p.s = a;
    test_world_spawn(tw, tw->ps, "reader", waitall_reader, &p);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_int_equal(p.phase, 0);
    test_world_use(tw, tw->pc);
    test_send_str(c, "456789tail");
    test_world_run(tw, SIM_SEC);
    assert_int_equal(p.phase, 1);
    assert_int_equal(p.ret, 0);
    assert_int_equal(p.got, 10); /* the rejected calls consumed nothing */
    assert_memory_equal(p.buf, "0123456789", 10);
    /* the trace shows the bytes of both reads, not the last chunk's buffer
     * past what it received (valgrind: uninitialised bytes) */
    assert_int_equal(test_world_trace_count(tw, "WSPRecv(s=0x104, len=10) = 10 \"0123456789\""), 1);
    test_world_free(tw);
}

static void
waitall_cut_reader(void *data)
{
    Act *p = data;
    WSABUF b = { 10, p->buf };
    DWORD flags = MSG_WAITALL;

    p->ret = WSPRecv(p->s, &b, 1, &p->got, &flags, NULL, NULL, NULL, &p->err);
    p->phase++;
}

/* MSG_WAITALL ends early at a graceful close, returning what came. */
static void
test_wsp_io_waitall_close(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Act p = { .tw = tw };
    SOCKET l, c, a;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    p.s = a;
    test_world_spawn(tw, tw->ps, "reader", waitall_cut_reader, &p);
    test_world_run(tw, 10 * SIM_MSEC);
    test_world_use(tw, tw->pc);
    test_send_str(c, "abc");
    test_close(c);
    test_world_run(tw, SIM_SEC);
    assert_int_equal(p.phase, 1);
    assert_int_equal(p.ret, 0);
    assert_int_equal(p.got, 3);
    assert_memory_equal(p.buf, "abc", 3);
    test_world_free(tw);
}

static void
rcvtimeo_reader(void *data)
{
    Act *p = data;
    WSABUF b = { sizeof p->buf, p->buf };
    DWORD flags = 0;

    set_int_opt(p->s, SOL_SOCKET, SO_RCVTIMEO, 250);
    p->t0 = sim_world_now(p->tw->world);
    p->ret = WSPRecv(p->s, &b, 1, &p->got, &flags, NULL, NULL, NULL, &p->err);
    p->t1 = sim_world_now(p->tw->world);
    p->phase++;
}

static void
test_wsp_io_rcvtimeo(void **state)
{
    for (int dgram = 0; dgram < 2; dgram++) {
        TestWorld *tw = test_world_new(TEST_WORLD_SEED);
        Act p = { .tw = tw };
        SOCKET l, c, a;

        (void) state;
        print_message("%s\n", dgram ? "datagram" : "stream");
        if (dgram) {
            p.s = udp_bound(tw, tw->ps, "10.0.0.2", PORT);
        } else {
            test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
            p.s = a;
        }
        test_world_spawn(tw, tw->ps, "reader", rcvtimeo_reader, &p);
        test_world_run(tw, 10 * SIM_SEC);
        assert_int_equal(p.phase, 1);
        assert_int_equal(p.ret, SOCKET_ERROR);
        assert_int_equal(p.err, WSAETIMEDOUT);
        assert_true(p.t1 - p.t0 == 250 * SIM_MSEC); /* exactly the set simulated time */
        test_world_free(tw);
    }
}

static void
sndtimeo_writer(void *data)
{
    Act *p = data;
    static char big[200000];
    WSABUF b = { sizeof big, big };

    set_int_opt(p->s, SOL_SOCKET, SO_SNDTIMEO, 500);
    p->t0 = sim_world_now(p->tw->world);
    p->ret = WSPSend(p->s, &b, 1, &p->got, 0, NULL, NULL, NULL, &p->err);
    p->t1 = sim_world_now(p->tw->world);
    p->phase++;
}

/* The receiver never reads: its window closes, the send buffer fills, and
 * the blocking send gives up after SO_SNDTIMEO. */
static void
test_wsp_io_sndtimeo(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Act p = { .tw = tw };
    SOCKET l, c, a;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    p.s = c;
    test_world_spawn(tw, tw->pc, "writer", sndtimeo_writer, &p);
    test_world_run(tw, 30 * SIM_SEC);
    assert_int_equal(p.phase, 1);
    assert_int_equal(p.ret, SOCKET_ERROR);
    assert_int_equal(p.err, WSAETIMEDOUT);
    assert_true(p.t1 - p.t0 == 500 * SIM_MSEC);
    test_world_free(tw);
}

/* ---- A host crash under a blocking call ------------------------------------------ */

/* Each blocking call, blocked on the server host when that host crashes:
 * the crash kills the process, which releases its sockets under the
 * waiting call.  The call must fail without touching the freed socket
 * (ASan and valgrind see it: scenarios/faults/crash-restart.wsim). */
enum { CR_RECV, CR_RECVFROM, CR_SEND, CR_ACCEPT, CR_CONNECT, CR_SELECT, CR_CLOSE_LINGER, CR_N };
static const char *const cr_name[CR_N] = { "recv", "recvfrom", "send", "accept", "connect",
                                           "select", "closesocket (linger)" };

typedef struct {
    Act a;
    int op;
    SOCKET l;
} CrashAct;

static void
crash_blocked(void *data)
{
    CrashAct *p = data;
    static char big[200000];
    WSABUF b = { sizeof p->a.buf, p->a.buf };
    WSABUF bb = { sizeof big, big };
    DWORD flags = 0;
    SOCKADDR_STORAGE ss;
    int len;

    switch (p->op) {
    case CR_RECV:
        p->a.ret = WSPRecv(p->a.s, &b, 1, &p->a.got, &flags, NULL, NULL, NULL, &p->a.err);
        break;
    case CR_RECVFROM:
        len = sizeof ss;
        p->a.ret = WSPRecvFrom(p->a.s, &b, 1, &p->a.got, &flags, (struct sockaddr *) &ss, &len,
                               NULL, NULL, NULL, &p->a.err);
        break;
    case CR_SEND:
        p->a.ret = WSPSend(p->a.s, &bb, 1, &p->a.got, 0, NULL, NULL, NULL, &p->a.err);
        break;
    case CR_ACCEPT:
        p->a.ret = WSPAccept(p->l, NULL, NULL, NULL, 0, &p->a.err) == INVALID_SOCKET
                       ? SOCKET_ERROR
                       : 0;
        break;
    case CR_CONNECT:
        ss = test_sa("10.0.0.1", PORT + 5, &len);
        p->a.ret = WSPConnect(p->a.s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL,
                              &p->a.err);
        break;
    case CR_SELECT: {
        fd_set r = { 1, { p->a.s } };

        p->a.ret = WSPSelect(0, &r, NULL, NULL, NULL, &p->a.err);
        break;
    }
    case CR_CLOSE_LINGER:
        p->a.ret = WSPCloseSocket(p->a.s, &p->a.err);
        break;
    }
    p->a.phase++;
}

static void
test_wsp_io_crash_under_blocking_call(void **state)
{
    (void) state;
    for (int op = 0; op < CR_N; op++) {
        TestWorld *tw = test_world_new(TEST_WORLD_SEED);
        CrashAct p = { .a = { .tw = tw }, .op = op };
        SOCKET l, c, a;
        int err = 0;

        print_message("%s\n", cr_name[op]);
        test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
        p.a.s = a;
        p.l = l;
        test_world_use(tw, tw->ps);
        if (op == CR_RECVFROM)
            p.a.s = udp_bound(tw, tw->ps, "10.0.0.2", PORT + 1);
        if (op == CR_CONNECT || op == CR_CLOSE_LINGER) {
            /* nothing answers: the SYN, or the data and FIN, stay unacknowledged */
            sim_node_set_up(tw->world, tw->client, false);
        }
        if (op == CR_CONNECT)
            p.a.s = test_socket(AF_INET, SOCK_STREAM);
        if (op == CR_CLOSE_LINGER) {
            LINGER lg = { 1, 10 };

            assert_int_equal(
                WSPSetSockOpt(a, SOL_SOCKET, SO_LINGER, (char *) &lg, sizeof lg, &err), 0);
            test_send_str(a, "unacknowledged");
        }
        test_world_spawn(tw, tw->ps, "blocked", crash_blocked, &p);
        test_world_run(tw, 100 * SIM_MSEC);
        assert_int_equal(p.a.phase, 0); /* blocked */
        assert_int_equal(sim_fault_schedule_crash(tw->world, sim_world_now(tw->world) + SIM_MSEC,
                                                  tw->server, 0, NULL),
                         SIM_OK);
        test_world_run(tw, SIM_SEC);
        assert_int_equal(p.a.phase, 1);
        assert_int_equal(p.a.ret, SOCKET_ERROR);
        /* the wait ends because the socket went away (WSAEINTR) or its
         * process was killed (WSAENETDOWN), whichever it sees first */
        assert_true(p.a.err == WSAEINTR || p.a.err == WSAENETDOWN);
        sim_node_set_up(tw->world, tw->client, true);
        test_world_free(tw);
    }
}

/* ---- Non-blocking, not connected, shutdown ----------------------------------------- */

static void
test_wsp_io_nonblocking(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    static char big[300000];
    WSABUF b = { sizeof big, big };
    SOCKET l, c, a, u;
    char buf[8];
    DWORD sent = 0;
    int err = 0;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    set_nonblocking(c, 1);
    assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAEWOULDBLOCK);
    /* A send larger than the buffer: partial, then WSAEWOULDBLOCK. */
    assert_int_equal(send_bufs(c, &b, 1, 0, &sent, &err), 0);
    assert_true(sent > 0 && sent < sizeof big);
    assert_wsa_fail(send_bufs(c, &b, 1, 0, &sent, &err), err, WSAEWOULDBLOCK);
    u = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(u, "10.0.0.1", PORT + 3);
    set_nonblocking(u, 1);
    assert_int_equal(test_recv(u, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAEWOULDBLOCK);
    test_world_free(tw);
}

static void
test_wsp_io_not_connected(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET s, u, l, c, a;
    char buf[8];
    WSABUF b = { sizeof buf, buf };
    DWORD n = 0, flags = 0;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_wsa_fail(WSPRecv(s, &b, 1, &n, &flags, NULL, NULL, NULL, &err), err, WSAENOTCONN);
    assert_wsa_fail(send_bufs(s, &b, 1, 0, &n, &err), err, WSAENOTCONN);
    /* WSPRecvFrom documents no WSAENOTCONN: WSAEINVAL (doc/spi-choices.md) */
    assert_wsa_fail(WSPRecvFrom(s, &b, 1, &n, &flags, NULL, NULL, NULL, NULL, NULL, &err), err,
                    WSAEINVAL);
    /* A datagram socket must be bound before it can receive. */
    u = test_socket(AF_INET, SOCK_DGRAM);
    assert_wsa_fail(WSPRecv(u, &b, 1, &n, &flags, NULL, NULL, NULL, &err), err, WSAEINVAL);
    /* ...and WSPSend needs a connected peer. */
    assert_wsa_fail(send_bufs(u, &b, 1, 0, &n, &err), err, WSAENOTCONN);
    /* WSPRecvFrom on a connected stream: WSAEISCONN (REFERENCE 4 choice 29). */
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    assert_wsa_fail(WSPRecvFrom(c, &b, 1, &n, &flags, NULL, NULL, NULL, NULL, NULL, &err), err,
                    WSAEISCONN);
    test_world_free(tw);
}

static void
test_wsp_io_shutdown(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a, u;
    char buf[16];
    WSABUF b = { 3, (char *) "abc" };
    DWORD n = 0;
    int err = 0;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    assert_int_equal(WSPShutdown(c, SD_SEND, &err), 0);
    assert_wsa_fail(send_bufs(c, &b, 1, 0, &n, &err), err, WSAESHUTDOWN);
    /* The other direction still works. */
    test_world_use(tw, tw->ps);
    test_send_str(a, "back");
    test_world_run(tw, SIM_SEC);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 0); /* the FIN */
    test_world_use(tw, tw->pc);
    assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), 4);
    assert_int_equal(WSPShutdown(c, SD_RECEIVE, &err), 0);
    assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAESHUTDOWN);
    /* Datagram sockets too. */
    u = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(u, "10.0.0.1", PORT + 2);
    assert_int_equal(WSPShutdown(u, SD_BOTH, &err), 0);
    assert_int_equal(test_recv(u, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAESHUTDOWN);
    assert_wsa_fail(sendto_str(u, "x", "10.0.0.2", PORT, &err), err, WSAESHUTDOWN);
    test_world_free(tw);
}

/* WSPSendDisconnect is SD_SEND; WSPRecvDisconnect stops local receives but,
 * unlike WSPShutdown(SD_RECEIVE), later data does not reset (choice 18). */
static void
test_wsp_io_disconnect(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a;
    char buf[16];
    char dd[4];
    WSABUF b = { 3, (char *) "abc" }, disc = { sizeof dd, dd };
    DWORD n = 0;
    int err = 0;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    assert_wsa_fail(WSPSendDisconnect(c, &b, &err), err, WSAENOPROTOOPT); /* no disconnect data */
    assert_int_equal(test_send_str(c, "last"), 4); /* the rejected call did nothing */
    assert_int_equal(WSPSendDisconnect(c, NULL, &err), 0);
    assert_wsa_fail(send_bufs(c, &b, 1, 0, &n, &err), err, WSAESHUTDOWN);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 4);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 0); /* graceful */
    assert_int_equal(WSPRecvDisconnect(a, &disc, &err), 0);
    assert_int_equal(disc.len, 0); /* no disconnect data */
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPRecvDisconnect(c, NULL, &err), 0);
    assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAESHUTDOWN);
    test_world_use(tw, tw->ps);
    test_send_str(a, "more");
    test_world_run(tw, SIM_SEC);
    /* No reset: the server can still send. */
    assert_int_equal(test_send_str(a, "again"), 5);
    test_world_free(tw);
}

/* ---- WSPSendTo rules, broadcast, port unreachable ----------------------------------- */

static void
test_wsp_io_sendto_rules(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a, u;
    char buf[16];
    WSABUF b = { 2, (char *) "hi" };
    SOCKADDR_STORAGE ss;
    DWORD n = 0;
    int err = 0, len;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    /* Stream: the address is ignored (even a bogus one). */
    ss = test_sa("10.9.9.9", 1, &len);
    assert_int_equal(
        WSPSendTo(c, &b, 1, &n, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, &err), 0);
    assert_int_equal(n, 2);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 2);
    assert_string_equal(buf, "hi");
    /* Datagram without an address and without a peer. */
    u = test_socket(AF_INET, SOCK_DGRAM);
    assert_wsa_fail(WSPSendTo(u, &b, 1, &n, 0, NULL, 0, NULL, NULL, NULL, &err), err,
                    WSAEDESTADDRREQ);
    /* A short address, another family, the wildcard destination. */
    ss = test_sa("10.0.0.1", PORT, &len);
    assert_wsa_fail(
        WSPSendTo(u, &b, 1, &n, 0, (struct sockaddr *) &ss, len - 1, NULL, NULL, NULL, &err), err,
        WSAEFAULT);
    ss = test_sa("fd00::1", PORT, &len);
    assert_wsa_fail(
        WSPSendTo(u, &b, 1, &n, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, &err), err,
        WSAEAFNOSUPPORT);
    ss = test_sa("0.0.0.0", PORT, &len);
    assert_wsa_fail(
        WSPSendTo(u, &b, 1, &n, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, &err), err,
        WSAEADDRNOTAVAIL);
    /* None of these bound the socket implicitly. */
    len = sizeof ss;
    assert_wsa_fail(WSPGetSockName(u, (struct sockaddr *) &ss, &len, &err), err, WSAEINVAL);
    /* A connected datagram socket: WSPSendTo without an address uses the peer. */
    ss = test_sa("10.0.0.1", PORT + 4, &len);
    assert_int_equal(WSPConnect(u, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), 0);
    assert_int_equal(WSPSendTo(u, &b, 1, &n, 0, NULL, 0, NULL, NULL, NULL, &err), 0);
    test_world_free(tw);
}

static void
test_wsp_io_broadcast(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET srv = udp_bound(tw, tw->ps, "0.0.0.0", PORT);
    SOCKET cli = udp_bound(tw, tw->pc, "10.0.0.1", PORT + 1);
    char buf[16];
    DWORD got;
    int err = 0;

    (void) state;
    assert_wsa_fail(sendto_str(cli, "all", "255.255.255.255", PORT, &err), err, WSAEACCES);
    assert_wsa_fail(sendto_str(cli, "all", "10.0.0.255", PORT, &err), err, WSAEACCES);
    set_int_opt(cli, SOL_SOCKET, SO_BROADCAST, 1);
    assert_int_equal(sendto_str(cli, "all", "255.255.255.255", PORT, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(recvfrom_buf(srv, buf, sizeof buf, 0, &got, NULL, &err), 0);
    assert_int_equal(got, 3);
    /* Only one datagram arrived: the refused sends sent nothing. */
    assert_wsa_fail(recvfrom_buf(srv, buf, sizeof buf, 0, &got, NULL, &err), err, WSAEWOULDBLOCK);
    test_world_free(tw);
}

/* Windows' SIO_UDP_CONNRESET default is TRUE: an ICMP port unreachable
 * drawn by a datagram surfaces as WSAECONNRESET on the next receive, even
 * on an unconnected socket; FALSE turns it off. */
static void
test_wsp_io_udp_port_unreachable(void **state)
{
    for (int off = 0; off < 2; off++) {
        TestWorld *tw = test_world_new(TEST_WORLD_SEED);
        SOCKET cli = udp_bound(tw, tw->pc, "10.0.0.1", PORT + 1);
        char buf[16];
        DWORD got, ret = 0;
        BOOL b = FALSE;
        int err = 0;

        (void) state;
        print_message("SIO_UDP_CONNRESET %s\n", off ? "FALSE" : "default");
        if (off)
            assert_int_equal(WSPIoctl(cli, SIO_UDP_CONNRESET, &b, sizeof b, NULL, 0, &ret, NULL,
                                      NULL, NULL, &err),
                             0);
        assert_int_equal(sendto_str(cli, "nobody", "10.0.0.2", PORT + 40, &err), 0);
        test_world_run(tw, SIM_SEC);
        test_world_use(tw, tw->pc);
        if (!off)
            assert_wsa_fail(recvfrom_buf(cli, buf, sizeof buf, 0, &got, NULL, &err), err,
                            WSAECONNRESET);
        /* Reported once. */
        assert_wsa_fail(recvfrom_buf(cli, buf, sizeof buf, 0, &got, NULL, &err), err,
                        WSAEWOULDBLOCK);
        test_world_free(tw);
    }
}

/* A connected datagram socket receives only from its peer, and reports the
 * unreachable peer whatever SIO_UDP_CONNRESET says. */
static void
test_wsp_io_udp_connected(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET srv = udp_bound(tw, tw->ps, "10.0.0.2", PORT);
    SOCKET other = udp_bound(tw, tw->ps, "10.0.0.2", PORT + 7);
    SOCKET cli = udp_bound(tw, tw->pc, "10.0.0.1", PORT + 1);
    SOCKADDR_STORAGE ss;
    char buf[16];
    DWORD got;
    int err = 0, len, port = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(cli, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                     0);
    test_world_use(tw, tw->ps);
    assert_int_equal(sendto_str(other, "stranger", "10.0.0.1", PORT + 1, &err), 0);
    assert_int_equal(sendto_str(srv, "peer", "10.0.0.1", PORT + 1, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(recvfrom_buf(cli, buf, sizeof buf, 0, &got, &port, &err), 0);
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "peer", 4);
    assert_int_equal(port, PORT);
    assert_wsa_fail(recvfrom_buf(cli, buf, sizeof buf, 0, &got, NULL, &err), err, WSAEWOULDBLOCK);
    test_world_free(tw);
}

/* ---- Flags and buffers ------------------------------------------------------------------ */

static void
test_wsp_io_flag_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a, u;
    char buf[8];
    WSABUF b = { sizeof buf, buf }, bad = { 4, NULL };
    DWORD n = 0, flags;
    int err = 0;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    assert_wsa_fail(send_bufs(c, &b, 1, MSG_PARTIAL, &n, &err), err, WSAEOPNOTSUPP);
    assert_wsa_fail(send_bufs(c, &b, 1, 0x10000, &n, &err), err, WSAEOPNOTSUPP);
    flags = MSG_INTERRUPT;
    assert_wsa_fail(WSPRecv(c, &b, 1, &n, &flags, NULL, NULL, NULL, &err), err, WSAEOPNOTSUPP);
    assert_wsa_fail(send_bufs(c, &bad, 1, 0, &n, &err), err, WSAEFAULT);
    flags = 0;
    assert_wsa_fail(WSPRecv(c, &bad, 1, &n, &flags, NULL, NULL, NULL, &err), err, WSAEFAULT);
    u = udp_bound(tw, tw->pc, "10.0.0.1", PORT + 1);
    assert_wsa_fail(send_bufs(u, &b, 1, MSG_OOB, &n, &err), err, WSAEOPNOTSUPP);
    flags = MSG_OOB;
    assert_wsa_fail(WSPRecv(u, &b, 1, &n, &flags, NULL, NULL, NULL, &err), err, WSAEOPNOTSUPP);
    /* Larger than SO_MAX_MSG_SIZE: nothing sent. */
    {
        static char huge[70000];
        WSABUF h = { sizeof huge, huge };
        SOCKADDR_STORAGE ss;
        int len;

        ss = test_sa("10.0.0.2", PORT, &len);
        assert_wsa_fail(
            WSPSendTo(u, &h, 1, &n, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, &err), err,
            WSAEMSGSIZE);
    }
    /* A zero-length stream send is legal and sends nothing. */
    b.len = 0;
    assert_int_equal(send_bufs(c, &b, 1, 0, &n, &err), 0);
    assert_int_equal(n, 0);
    test_world_free(tw);
}

/* ---- Reset before accept --------------------------------------------------------------- */

/* A connection the peer resets while it waits in the accept queue:
 * WSPAccept fails with WSAECONNRESET (Microsoft's accept page: "an incoming
 * connection was indicated, but was subsequently terminated by the remote
 * peer prior to accepting the call"), and the listener keeps working. */
static void
test_wsp_io_reset_before_accept(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    LINGER lg = { 1, 0 };
    SOCKET l, s, a;
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->ps);
    l = test_socket(AF_INET, SOCK_STREAM);
    test_bind(l, "10.0.0.2", PORT);
    test_listen(l);
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    ss = test_sa("10.0.0.2", PORT, &len);
    assert_wsa_fail(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), err,
                    WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPSetSockOpt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, sizeof lg, &err), 0);
    test_close(s); /* abortive: RST */
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    err = 0;
    assert_true(WSPAccept(l, NULL, NULL, NULL, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAECONNRESET);
    /* Reported once; then the queue is empty again. */
    assert_true(WSPAccept(l, NULL, NULL, NULL, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEWOULDBLOCK);
    /* The listener still accepts the next connection. */
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_wsa_fail(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), err,
                    WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(a != INVALID_SOCKET);
    test_world_free(tw);
}

/* ---- Graceful and abortive ends seen by receives ------------------------------------------- */

static void
test_wsp_io_peer_reset(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    LINGER lg = { 1, 0 };
    SOCKET l, c, a;
    char buf[8];
    WSABUF b = { 1, buf };
    DWORD n;
    int err = 0;

    (void) state;
    test_world_tcp_pair(tw, AF_INET6, PORT, &l, &c, &a);
    assert_int_equal(WSPSetSockOpt(c, SOL_SOCKET, SO_LINGER, (char *) &lg, sizeof lg, &err), 0);
    test_close(c);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAECONNRESET);
    assert_int_equal(send_bufs(a, &b, 1, 0, &n, &err), SOCKET_ERROR);
    assert_true(err == WSAECONNRESET || err == WSAECONNABORTED);
    /* WSPShutdown documents no connection error: WSAENOTCONN (fuzz
     * regress/wsp/shutdown-wsaeconnreset) */
    assert_wsa_fail(WSPShutdown(a, SD_SEND, &err), err, WSAENOTCONN);
    test_world_free(tw);
}

/* After a refused non-blocking connect the socket is not connected: later
 * calls say WSAENOTCONN (WSPRecvFrom: WSAEINVAL), never the connect's own
 * WSAECONNREFUSED, which only WSPConnect documents (fuzz
 * regress/wsp/send-wsaeconnrefused, recvfrom-wsaenotconn). */
static void
test_wsp_io_after_refused_connect(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    SOCKET s;
    char buf[8];
    WSABUF b = { sizeof buf, buf };
    DWORD n = 0, flags = 0;
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    set_nonblocking(s, 1);
    ss = test_sa("10.0.0.2", PORT + 7, &len); /* nobody listens */
    assert_wsa_fail(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), err,
                    WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_wsa_fail(WSPRecv(s, &b, 1, &n, &flags, NULL, NULL, NULL, &err), err, WSAENOTCONN);
    assert_wsa_fail(send_bufs(s, &b, 1, 0, &n, &err), err, WSAENOTCONN);
    assert_wsa_fail(WSPShutdown(s, SD_BOTH, &err), err, WSAENOTCONN);
    assert_wsa_fail(WSPRecvFrom(s, &b, 1, &n, &flags, NULL, NULL, NULL, NULL, NULL, &err), err,
                    WSAEINVAL);
    test_world_free(tw);
}

/* A blocking transfer larger than both socket buffers completes: the
 * blocking send waits for room between partial copies and is woken as ACKs
 * free the buffer (it once stalled at 64 KiB). */
typedef struct {
    SOCKET s;
    guint64 bytes;
    int err;
} BulkEnd;

static void
bulk_send_body(void *data)
{
    BulkEnd *b = data;
    static char chunk[1400];

    while (b->bytes < 1000000) {
        WSABUF w = { sizeof chunk, chunk };
        DWORD sent = 0;
        if (WSPSend(b->s, &w, 1, &sent, 0, NULL, NULL, NULL, &b->err) != 0)
            return;
        b->bytes += sent;
    }
    /* A graceful close: the data still queued keeps going after the
     * process ends (an unclosed socket would be reset at exit). */
    WSPCloseSocket(b->s, &b->err);
}

static void
bulk_recv_body(void *data)
{
    BulkEnd *b = data;
    static char buf[4096];

    for (;;) {
        WSABUF w = { sizeof buf, buf };
        DWORD n = 0, flags = 0;
        if (WSPRecv(b->s, &w, 1, &n, &flags, NULL, NULL, NULL, &b->err) != 0 || n == 0)
            return;
        b->bytes += n;
    }
}

static void
test_wsp_io_blocking_bulk_transfer(void **state)
{
    (void) state;
    TestWorld *tw = test_world_new(1);
    SOCKET l, c, a;

    test_world_tcp_pair(tw, AF_INET, 7000, &l, &c, &a);
    BulkEnd snd = { c, 0, 0 }, rcv = { a, 0, 0 };
    test_world_spawn(tw, tw->pc, "snd", bulk_send_body, &snd);
    test_world_spawn(tw, tw->ps, "rcv", bulk_recv_body, &rcv);
    test_world_run(tw, 60 * SIM_SEC);
    assert_int_equal(snd.bytes, 1001000);
    assert_int_equal(rcv.bytes, 1001000);
    assert_int_equal(rcv.err, 0);
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_io_blocking_bulk_transfer),
        cmocka_unit_test(test_wsp_io_udp_message_boundaries),
        cmocka_unit_test(test_wsp_io_udp_truncation),
        cmocka_unit_test(test_wsp_io_scatter_gather_stream),
        cmocka_unit_test(test_wsp_io_scatter_gather_dgram),
        cmocka_unit_test(test_wsp_io_peek),
        cmocka_unit_test(test_wsp_io_oob),
        cmocka_unit_test(test_wsp_io_waitall),
        cmocka_unit_test(test_wsp_io_waitall_close),
        cmocka_unit_test(test_wsp_io_rcvtimeo),
        cmocka_unit_test(test_wsp_io_sndtimeo),
        cmocka_unit_test(test_wsp_io_nonblocking),
        cmocka_unit_test(test_wsp_io_not_connected),
        cmocka_unit_test(test_wsp_io_shutdown),
        cmocka_unit_test(test_wsp_io_disconnect),
        cmocka_unit_test(test_wsp_io_sendto_rules),
        cmocka_unit_test(test_wsp_io_broadcast),
        cmocka_unit_test(test_wsp_io_udp_port_unreachable),
        cmocka_unit_test(test_wsp_io_udp_connected),
        cmocka_unit_test(test_wsp_io_flag_errors),
        cmocka_unit_test(test_wsp_io_reset_before_accept),
        cmocka_unit_test(test_wsp_io_peer_reset),
        cmocka_unit_test(test_wsp_io_after_refused_connect),
        cmocka_unit_test(test_wsp_io_crash_under_blocking_call),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-io", tests, NULL, NULL);
}
