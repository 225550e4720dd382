/* SPDX-License-Identifier: MIT
 * test-wsp-overlapped: overlapped WSPRecv/WSPSend/WSPRecvFrom/WSPIoctl
 * (REFERENCE 2.4): immediate completion with the event signalled (choice
 * 1), WSA_IO_PENDING and WSPGetOverlappedResult with fWait FALSE and TRUE,
 * completion routines run as APCs only in alertable waits, close aborting
 * pending requests, WSPCleanup aborting without notification (choice 4),
 * posting order kept under loss and reordering, choices 2 and 6,
 * MSG_PARTIAL on datagrams, and a determinism run mixing select, network
 * events and overlapped I/O. */
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
#define WM_SOCK 0x0401

static SOCKET
ov_socket(int type)
{
    int err = 0;
    SOCKET s = WSPSocket(AF_INET, type, 0, NULL, 0, WSA_FLAG_OVERLAPPED, &err);

    assert_true(s != INVALID_SOCKET);
    return s;
}

/* A connected overlapped pair: @out_c on the client, @out_a on the server. */
static void
connect_pair(TestWorld *tw, int port, SOCKET *out_c, SOCKET *out_a)
{
    SOCKADDR_STORAGE ss;
    SOCKET l;
    u_long on = 1;
    DWORD ret;
    int len, err = 0;

    test_world_use(tw, tw->ps);
    l = ov_socket(SOCK_STREAM);
    test_bind(l, "0.0.0.0", port);
    test_listen(l);
    test_world_use(tw, tw->pc);
    *out_c = ov_socket(SOCK_STREAM);
    assert_int_equal(
        WSPIoctl(*out_c, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err), 0);
    ss = test_sa("10.0.0.2", port, &len);
    WSPConnect(*out_c, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err);
    test_world_run(tw, 2 * SIM_SEC);
    test_world_use(tw, tw->ps);
    *out_a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(*out_a != INVALID_SOCKET);
}

static int
post_recv(SOCKET s, WSABUF *b, WSAOVERLAPPED *ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
          LPWSATHREADID tid, DWORD *out_got, int *out_err)
{
    DWORD flags = 0;

    return WSPRecv(s, b, 1, out_got, &flags, ov, cr, tid, out_err);
}

static bool
signalled(TestWorld *tw, HANDLE ev)
{
    BOOL on = FALSE;

    assert_true(wspsim_os_event_query(tw->world, ev, &on));
    return on != FALSE;
}

/* ---- Immediate and pending completion ----------------------------------- */

static void
test_wsp_overlapped_immediate_completion_signals_event(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSAOVERLAPPED ov;
    char buf[16];
    WSABUF b = { sizeof buf, buf };
    DWORD got = 0, bytes = 0, flags = 7;
    SOCKET c, a;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_send_str(a, "ready");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    assert_int_equal(post_recv(c, &b, &ov, NULL, NULL, &got, &err), 0);
    assert_int_equal(got, 5);
    assert_true(signalled(tw, ov.hEvent)); /* choice 1 */
    assert_true(ov.Internal != WSS_OPERATION_IN_PROGRESS);
    assert_int_equal(ov.InternalHigh, 5);
    assert_true(WSPGetOverlappedResult(c, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 5);
    assert_int_equal(flags, 0);
    assert_memory_equal(buf, "ready", 5);
    test_world_free(tw);
}

static void
test_wsp_overlapped_get_result_nowait_incomplete(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSAOVERLAPPED ov;
    char buf[16];
    WSABUF b = { sizeof buf, buf };
    DWORD got = 99, bytes = 0, flags = 0;
    SOCKET c, a;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = wspsim_os_event_create(tw->world, TRUE, TRUE); /* reset by the post */
    assert_int_equal(post_recv(c, &b, &ov, NULL, NULL, &got, &err), SOCKET_ERROR);
    assert_int_equal(err, WSA_IO_PENDING);
    assert_int_equal(got, 99); /* not updated */
    assert_false(signalled(tw, ov.hEvent));
    assert_false(WSPGetOverlappedResult(c, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(err, WSA_IO_INCOMPLETE);
    test_world_use(tw, tw->ps);
    test_send_str(a, "later");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(c, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 5);
    test_world_free(tw);
}

typedef struct {
    TestWorld *tw;
    SOCKET s;
    WSAOVERLAPPED ov;
    char buf[32];
    BOOL ok;
    DWORD bytes, flags;
    int err;
    SimTime done_at;
    int routine_runs;
    int routine_err;
    DWORD routine_bytes;
    DWORD wait1, wait2;
} OvActor;

static void
actor_wait_result(void *data)
{
    OvActor *a = data;
    WSABUF b = { sizeof a->buf, a->buf };
    DWORD got = 0;

    memset(&a->ov, 0, sizeof a->ov);
    assert_int_equal(post_recv(a->s, &b, &a->ov, NULL, NULL, &got, &a->err), SOCKET_ERROR);
    assert_int_equal(a->err, WSA_IO_PENDING);
    a->ok = WSPGetOverlappedResult(a->s, &a->ov, &a->bytes, TRUE, &a->flags, &a->err);
    a->done_at = sim_world_now(a->tw->world);
}

static void
test_wsp_overlapped_get_result_wait_in_simulated_time(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    OvActor o = { .tw = tw };
    SOCKET a;
    SimTime t0;

    (void) state;
    connect_pair(tw, PORT, &o.s, &a);
    test_world_spawn(tw, tw->pc, "waiter", actor_wait_result, &o);
    test_world_run(tw, 300 * SIM_MSEC); /* the waiter blocks; idle worlds keep their time */
    assert_int_equal(o.done_at, 0);
    t0 = sim_world_now(tw->world);
    test_world_use(tw, tw->ps);
    test_send_str(a, "hello");
    test_world_run(tw, SIM_SEC);
    assert_true(o.ok);
    assert_int_equal(o.bytes, 5);
    assert_true(o.done_at == t0 + TEST_LINK_LATENCY);
    assert_int_equal(test_world_trace_count(tw, "WSPGetOverlappedResult(s=0x100, fWait) blocks"),
                     1);
    test_world_free(tw);
}

/* ---- Completion routines: APCs in alertable waits only ------------------- */

static OvActor *routine_target;

static void CALLBACK
routine(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
    (void) lpOverlapped;
    (void) dwFlags;
    routine_target->routine_runs++;
    routine_target->routine_err = (int) dwError;
    routine_target->routine_bytes = cbTransferred;
}

static void
actor_apc(void *data)
{
    OvActor *a = data;
    WSABUF b = { sizeof a->buf, a->buf };
    WSATHREADID tid;
    DWORD got = 0;
    int err = 0;

    assert_int_equal(wspsim_default_upcall_table().lpWPUOpenCurrentThread(&tid, &err), 0);
    memset(&a->ov, 0, sizeof a->ov);
    assert_int_equal(post_recv(a->s, &b, &a->ov, routine, &tid, &got, &a->err), SOCKET_ERROR);
    assert_int_equal(a->err, WSA_IO_PENDING);
    /* Data arrives meanwhile; a non-alertable wait does not run the APC. */
    a->wait1 = wspsim_os_sleep(a->tw->world, 500, FALSE);
    assert_int_equal(a->routine_runs, 0);
    a->wait2 = wspsim_os_sleep(a->tw->world, 500, TRUE);
}

static void
test_wsp_overlapped_routine_runs_only_in_alertable_wait(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    OvActor o = { .tw = tw };
    SOCKET a;

    (void) state;
    routine_target = &o;
    connect_pair(tw, PORT, &o.s, &a);
    test_world_spawn(tw, tw->pc, "apc", actor_apc, &o);
    test_world_run(tw, 100 * SIM_MSEC);
    test_world_use(tw, tw->ps);
    test_send_str(a, "routine");
    test_world_run(tw, 2 * SIM_SEC);
    assert_int_equal(o.wait1, 0);
    assert_int_equal(o.wait2, WAIT_IO_COMPLETION);
    assert_int_equal(o.routine_runs, 1);
    assert_int_equal(o.routine_err, 0);
    assert_int_equal(o.routine_bytes, 7);
    assert_int_equal(test_world_trace_count(tw, "completion routine(0, 7 bytes"), 1);
    test_world_free(tw);
}

/* ---- Abort on close and on cleanup ---------------------------------------- */

static void
test_wsp_overlapped_close_aborts_pending(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSAOVERLAPPED ov1, ov2;
    char b1[8], b2[8];
    WSABUF w1 = { sizeof b1, b1 }, w2 = { sizeof b2, b2 };
    DWORD got, bytes = 42, flags;
    SOCKET c, a;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    memset(&ov1, 0, sizeof ov1);
    memset(&ov2, 0, sizeof ov2);
    ov1.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    ov2.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    assert_int_equal(post_recv(c, &w1, &ov1, NULL, NULL, &got, &err), SOCKET_ERROR);
    assert_int_equal(post_recv(c, &w2, &ov2, NULL, NULL, &got, &err), SOCKET_ERROR);
    test_close(c);
    assert_true(signalled(tw, ov1.hEvent)); /* completion action performed */
    assert_true(signalled(tw, ov2.hEvent));
    assert_false(WSPGetOverlappedResult(c, &ov1, &bytes, TRUE, &flags, &err));
    assert_int_equal(err, WSA_OPERATION_ABORTED);
    assert_int_equal(bytes, 42); /* choice 7: untouched */
    test_world_free(tw);
}

static void
test_wsp_overlapped_cleanup_aborts_without_notification(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSAOVERLAPPED ov;
    char buf[8];
    WSABUF b = { sizeof buf, buf };
    DWORD got;
    SOCKET c, a;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    assert_int_equal(post_recv(c, &b, &ov, NULL, NULL, &got, &err), SOCKET_ERROR);
    assert_int_equal(WSPCleanup(&err), 0);
    assert_false(signalled(tw, ov.hEvent)); /* choice 4 */
    assert_true(ov.Internal != WSS_OPERATION_IN_PROGRESS);
    assert_int_equal(ov.OffsetHigh, WSA_OPERATION_ABORTED);
    test_world_free(tw);
}

/* ---- Order under loss and reordering --------------------------------------- */

#define N_OPS 6
#define CHUNK 400

static void
test_wsp_overlapped_order_under_loss_and_reordering(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSAOVERLAPPED rov[N_OPS], sov[N_OPS];
    static char rbuf[N_OPS][CHUNK], sbuf[N_OPS][CHUNK], got_all[N_OPS * CHUNK];
    WSABUF rb[N_OPS], sb[N_OPS];
    SimLinkParams p;
    DWORD got, bytes, flags;
    size_t filled = 0;
    SOCKET c, a;
    int err = 0, n;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    sim_link_params_init(&p);
    p.latency_ns = TEST_LINK_LATENCY;
    p.loss_ppm = 150000;
    p.reorder_ppm = 300000;
    p.reorder_delay_ns = 3 * SIM_MSEC;
    p.rate_bps = 1000000;
    assert_int_equal(sim_link_set_params(tw->world, tw->link, SIM_DIR_BOTH, &p), SIM_OK);
    /* Receives posted on the server, sends posted on the client. */
    test_world_use(tw, tw->ps);
    for (int i = 0; i < N_OPS; i++) {
        memset(&rov[i], 0, sizeof rov[i]);
        rov[i].hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
        rb[i].len = CHUNK;
        rb[i].buf = rbuf[i];
        n = post_recv(a, &rb[i], &rov[i], NULL, NULL, &got, &err);
        assert_true(n == SOCKET_ERROR && err == WSA_IO_PENDING);
    }
    test_world_use(tw, tw->pc);
    for (int i = 0; i < N_OPS; i++) {
        memset(sbuf[i], 'A' + i, CHUNK);
        memset(&sov[i], 0, sizeof sov[i]);
        sov[i].hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
        sb[i].len = CHUNK;
        sb[i].buf = sbuf[i];
        n = WSPSend(c, &sb[i], 1, &got, 0, &sov[i], NULL, NULL, &err);
        assert_true(n == 0 || err == WSA_IO_PENDING);
    }
    test_world_run(tw, 60 * SIM_SEC);
    test_world_use(tw, tw->pc);
    for (int i = 0; i < N_OPS; i++) {
        assert_true(WSPGetOverlappedResult(c, &sov[i], &bytes, FALSE, &flags, &err));
        assert_int_equal(bytes, CHUNK);
    }
    test_world_use(tw, tw->ps);
    /* Receives complete in posting order: each filled after the previous. */
    for (int i = 0; i < N_OPS; i++) {
        if (!WSPGetOverlappedResult(a, &rov[i], &bytes, FALSE, &flags, &err))
            break;
        assert_true(bytes > 0);
        memcpy(got_all + filled, rbuf[i], bytes);
        filled += bytes;
    }
    /* Drain the rest and check the byte stream is the sends, in order. */
    while (filled < sizeof got_all) {
        char tmp[512];
        WSABUF t = { sizeof tmp, tmp };
        DWORD fl = 0;

        if (WSPRecv(a, &t, 1, &got, &fl, NULL, NULL, NULL, &err) != 0 || got == 0)
            break;
        memcpy(got_all + filled, tmp, got);
        filled += got;
    }
    assert_int_equal(filled, sizeof got_all);
    for (size_t i = 0; i < sizeof got_all; i++)
        assert_int_equal(got_all[i], 'A' + (int) (i / CHUNK));
    assert_true(test_world_trace_count(tw, "DROP") > 0 || test_world_trace_count(tw, "drop") > 0);
    test_world_free(tw);
}

/* ---- Choices 2 and 6, datagrams, IOCTL ------------------------------------- */

static void
test_wsp_overlapped_parameter_choices(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSAOVERLAPPED ov;
    char buf[8];
    WSABUF b = { sizeof buf, buf };
    DWORD got, flags = MSG_PEEK;
    SOCKET plain, c, a;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    memset(&ov, 0, sizeof ov);
    plain = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(plain, "10.0.0.1", PORT + 9);
    assert_int_equal(post_recv(plain, &b, &ov, NULL, NULL, &got, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL); /* choice 2 */
    assert_int_equal(WSPRecv(c, &b, 1, &got, &flags, &ov, NULL, NULL, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL); /* choice 6 */
    flags = MSG_PEEK;
    assert_int_equal(WSPRecv(c, &b, 1, &got, &flags, NULL, NULL, NULL, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK); /* peek without overlapped: allowed */
    test_world_free(tw);
}

static void
test_wsp_overlapped_datagram_msg_partial_and_ioctl(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WSAOVERLAPPED ov, iov;
    SOCKADDR_STORAGE from, to;
    char buf[4];
    WSABUF b = { sizeof buf, buf }, big = { 10, (char *) "0123456789" };
    DWORD got, flags = 0, bytes = 0, ret = 0, nread = 0;
    int fromlen = sizeof from, tolen, err = 0;
    SOCKET u, v;

    (void) state;
    test_world_use(tw, tw->ps);
    u = ov_socket(SOCK_DGRAM);
    test_bind(u, "10.0.0.2", PORT);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    assert_int_equal(WSPRecvFrom(u, &b, 1, &got, &flags, (struct sockaddr *) &from, &fromlen, &ov,
                                 NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSA_IO_PENDING);
    test_world_use(tw, tw->pc);
    v = test_socket(AF_INET, SOCK_DGRAM);
    to = test_sa("10.0.0.2", PORT, &tolen);
    assert_int_equal(
        WSPSendTo(v, &big, 1, &got, 0, (struct sockaddr *) &to, tolen, NULL, NULL, NULL, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_false(WSPGetOverlappedResult(u, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(err, WSAEMSGSIZE);
    assert_int_equal(flags, MSG_PARTIAL);
    assert_int_equal(ov.InternalHigh, 4);
    assert_memory_equal(buf, "0123", 4);
    assert_int_equal(((struct sockaddr_in *) &from)->sin_addr.s_addr, g_htonl(0x0a000001));
    /* An overlapped IOCTL completes at once with the output byte count. */
    assert_int_equal(
        WSPSendTo(v, &big, 1, &got, 0, (struct sockaddr *) &to, tolen, NULL, NULL, NULL, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    memset(&iov, 0, sizeof iov);
    iov.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    assert_int_equal(WSPIoctl(u, FIONREAD, NULL, 0, &nread, sizeof nread, &ret, &iov, NULL, NULL,
                              &err),
                     0);
    assert_int_equal(nread, 10);
    assert_true(signalled(tw, iov.hEvent));
    assert_true(WSPGetOverlappedResult(u, &iov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, sizeof nread);
    test_world_free(tw);
}

/* ---- Determinism: select, network events and overlapped I/O together ------- */

typedef struct {
    TestWorld *tw;
    SOCKET s;
    HWND hwnd;
    int phase;
} Mixed;

static void
mixed_server(void *data)
{
    Mixed *m = data;
    SOCKET l = ov_socket(SOCK_STREAM), a, e;
    HANDLE ev = wspsim_os_event_create(m->tw->world, TRUE, FALSE);
    WSANETWORKEVENTS ne;
    fd_set r;
    int err = 0;

    test_bind(l, "0.0.0.0", PORT);
    test_listen(l);
    r.fd_count = 1;
    r.fd_array[0] = l;
    assert_int_equal(WSPSelect(0, &r, NULL, NULL, NULL, &err), 1); /* select */
    a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(a != INVALID_SOCKET);
    assert_int_equal(WSPEventSelect(a, ev, FD_READ | FD_CLOSE, &err), 0); /* events */
    for (;;) {
        char buf[64];
        WSABUF b = { sizeof buf, buf };
        DWORD got, fl = 0;

        assert_true(wspsim_os_wait(m->tw->world, 1, &ev, FALSE, 5000, FALSE, NULL) == WAIT_OBJECT_0);
        assert_int_equal(WSPEnumNetworkEvents(a, ev, &ne, &err), 0);
        if (ne.lNetworkEvents & FD_READ) {
            while (WSPRecv(a, &b, 1, &got, &fl, NULL, NULL, NULL, &err) == 0 && got > 0)
                test_send_str(a, "ack");
        }
        if (ne.lNetworkEvents & FD_CLOSE)
            break;
    }
    e = a;
    test_close(e);
    test_close(l);
    sim_actor_sleep(m->tw->world, 5 * SIM_SEC, false);
    m->phase++;
}

static void
mixed_client(void *data)
{
    Mixed *m = data;
    SOCKET s = ov_socket(SOCK_STREAM);
    SOCKADDR_STORAGE ss;
    WSAOVERLAPPED ov;
    char buf[16];
    WSABUF b = { sizeof buf, buf };
    DWORD got, bytes, flags;
    int len, err = 0;

    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), 0);
    assert_int_equal(WSPAsyncSelect(s, m->hwnd, WM_SOCK, FD_WRITE | FD_CLOSE, &err), 0); /* async */
    for (int i = 0; i < 3; i++) {
        WSPSIM_MSG msg;

        memset(&ov, 0, sizeof ov);
        ov.hEvent = wspsim_os_event_create(m->tw->world, TRUE, FALSE);
        test_send_str(s, "ping");
        err = 0;
        if (post_recv(s, &b, &ov, NULL, NULL, &got, &err) != 0)
            assert_int_equal(err, WSA_IO_PENDING); /* overlapped */
        assert_true(WSPGetOverlappedResult(s, &ov, &bytes, TRUE, &flags, &err));
        while (wspsim_os_peek_message(m->tw->world, m->hwnd, &msg, TRUE))
            ;
    }
    test_close(s);
    m->phase++;
}

static guint64
run_mixed(void)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    Mixed m = { .tw = tw };
    guint64 fp;

    m.hwnd = wspsim_os_window_create(tw->world, tw->pc);
    test_world_spawn(tw, tw->ps, "server", mixed_server, &m);
    test_world_spawn(tw, tw->pc, "client", mixed_client, &m);
    test_world_run(tw, 30 * SIM_SEC);
    assert_int_equal(m.phase, 2);
    assert_true(test_world_trace_count(tw, "FD_READ recorded") >= 1);
    assert_true(test_world_trace_count(tw, "FD_WRITE posted") >= 1);
    assert_true(test_world_trace_count(tw, "WSPRecv complete") + 
                test_world_trace_count(tw, "completion issued") >= 3);
    fp = sim_trace_fingerprint(tw->world);
    test_world_free(tw);
    return fp;
}

static void
test_wsp_overlapped_determinism_all_three_models(void **state)
{
    (void) state;
    assert_true(run_mixed() == run_mixed());
}

/* Overlapped datagrams: WSPSendTo completes at once (event set), a posted
 * WSPRecvFrom completes when the datagram arrives, with the sender's
 * address.  Errors that start nothing leave Internal 0 and fire nothing: a
 * datagram over the maximum (WSAEMSGSIZE), a send after SD_SEND
 * (WSAESHUTDOWN), a receive on an unconnected stream (WSAENOTCONN).  A
 * zero-byte stream send completes at once. */
static void
test_wsp_overlapped_datagrams_and_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    char buf[32];
    WSABUF b = { sizeof buf, buf }, sb = { 4, (char *) "ping" }, zero = { 0, NULL };
    WSABUF huge = { 70000, NULL };
    SOCKADDR_STORAGE ss, from;
    WSAOVERLAPPED ov, ov2;
    SOCKET u, v, t, c, a;
    DWORD n = 0, flags = 0, bytes = 0;
    int len, fromlen = sizeof from, err = 0;

    (void) state;
    test_world_use(tw, tw->ps);
    v = ov_socket(SOCK_DGRAM);
    test_bind(v, "10.0.0.2", PORT);
    memset(&ov2, 0, sizeof ov2);
    ov2.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    assert_int_equal(WSPRecvFrom(v, &b, 1, &n, &flags, (struct sockaddr *) &from, &fromlen, &ov2,
                                 NULL, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSA_IO_PENDING);
    test_world_use(tw, tw->pc);
    u = ov_socket(SOCK_DGRAM);
    test_bind(u, "10.0.0.1", PORT);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(
        WSPSendTo(u, &sb, 1, &n, 0, (struct sockaddr *) &ss, len, &ov, NULL, NULL, &err), 0);
    assert_int_equal(n, 4);
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(u, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 4);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_true(signalled(tw, ov2.hEvent));
    assert_true(WSPGetOverlappedResult(v, &ov2, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(g_ntohs(((struct sockaddr_in *) &from)->sin_port), PORT);

    test_world_use(tw, tw->pc);
    huge.buf = g_malloc0(huge.len);
    memset(&ov, 0, sizeof ov);
    assert_int_equal(
        WSPSendTo(u, &huge, 1, &n, 0, (struct sockaddr *) &ss, len, &ov, NULL, NULL, &err),
        SOCKET_ERROR);
    assert_int_equal(err, WSAEMSGSIZE);
    assert_int_equal(ov.Internal, 0);
    g_free(huge.buf);
    assert_int_equal(WSPShutdown(u, SD_SEND, &err), 0);
    assert_int_equal(
        WSPSendTo(u, &sb, 1, &n, 0, (struct sockaddr *) &ss, len, &ov, NULL, NULL, &err),
        SOCKET_ERROR);
    assert_int_equal(err, WSAESHUTDOWN);
    assert_int_equal(ov.Internal, 0);
    t = ov_socket(SOCK_STREAM);
    assert_int_equal(post_recv(t, &b, &ov, NULL, NULL, &n, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTCONN);
    test_world_free(tw);

    tw = test_world_new(TEST_WORLD_SEED);
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    memset(&ov, 0, sizeof ov);
    ov.hEvent = wspsim_os_event_create(tw->world, TRUE, FALSE);
    n = 99;
    assert_int_equal(WSPSend(c, &zero, 1, &n, 0, &ov, NULL, NULL, &err), 0);
    assert_int_equal(n, 0);
    assert_true(signalled(tw, ov.hEvent));
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_overlapped_immediate_completion_signals_event),
        cmocka_unit_test(test_wsp_overlapped_get_result_nowait_incomplete),
        cmocka_unit_test(test_wsp_overlapped_get_result_wait_in_simulated_time),
        cmocka_unit_test(test_wsp_overlapped_routine_runs_only_in_alertable_wait),
        cmocka_unit_test(test_wsp_overlapped_close_aborts_pending),
        cmocka_unit_test(test_wsp_overlapped_cleanup_aborts_without_notification),
        cmocka_unit_test(test_wsp_overlapped_order_under_loss_and_reordering),
        cmocka_unit_test(test_wsp_overlapped_parameter_choices),
        cmocka_unit_test(test_wsp_overlapped_datagram_msg_partial_and_ioctl),
        cmocka_unit_test(test_wsp_overlapped_determinism_all_three_models),
        cmocka_unit_test(test_wsp_overlapped_datagrams_and_errors),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-overlapped", tests, NULL, NULL);
}
