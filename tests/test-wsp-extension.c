/* SPDX-License-Identifier: MIT
 * test-wsp-extension: SIO_GET_EXTENSION_FUNCTION_POINTER and the extension
 * functions it hands out (spi/wsp-extension.c): AcceptEx (with and
 * without a first receive; GetAcceptExSockaddrs on its buffer), ConnectEx
 * (with send data; refused), DisconnectEx (overlapped and not), each
 * completing through an event and WSPGetOverlappedResult; the overlapped
 * ioctl with a completion routine; WSARecvMsg and WSASendMsg (blocking,
 * non-blocking, overlapped with an event and with a completion routine;
 * MSG_TRUNC, MSG_BCAST, MSG_MCAST, the sender's address, gathered and
 * scattered buffers), TransmitPackets (memory elements in order, on
 * streams and as datagrams; TF_DISCONNECT) and TransmitFile (head and
 * tail); and a table of the documented errors of the last four. */
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
#include <wspsim/mswsock.h>
#include <wspsim/wspsim-os.h>

#define PORT 7400

static SOCKET
ov_socket(void)
{
    int err = 0;
    SOCKET s = WSPSocket(AF_INET, SOCK_STREAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED, &err);

    assert_true(s != INVALID_SOCKET);
    return s;
}

static int
get_fn(SOCKET s, const GUID *id, void *out, DWORD cbout, DWORD *ret)
{
    int err = 0;

    if (WSPIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, (void *) id, sizeof *id, out, cbout, ret,
                 NULL, NULL, NULL, &err) == 0)
        return 0;
    return err;
}

/* The function SIO_GET_EXTENSION_FUNCTION_POINTER hands out for @id,
 * copied into @out (a function pointer). */
static void
fn_get(SOCKET s, GUID id, void *out)
{
    DWORD ret = 0;

    memset(out, 0, sizeof(void *));
    assert_int_equal(get_fn(s, &id, out, sizeof(void *), &ret), 0);
    assert_int_equal(ret, sizeof(void *));
}

#define FN_GETTER(name, type, guid)                                                                \
    static type name(SOCKET s)                                                                     \
    {                                                                                              \
        type fn = NULL;                                                                            \
                                                                                                   \
        fn_get(s, (GUID) guid, &fn);                                                               \
        assert_non_null(fn);                                                                       \
        return fn;                                                                                 \
    }

FN_GETTER(fn_accept, LPFN_ACCEPTEX, WSAID_ACCEPTEX)
FN_GETTER(fn_connect, LPFN_CONNECTEX, WSAID_CONNECTEX)
FN_GETTER(fn_disconnect, LPFN_DISCONNECTEX, WSAID_DISCONNECTEX)
FN_GETTER(fn_sockaddrs, LPFN_GETACCEPTEXSOCKADDRS, WSAID_GETACCEPTEXSOCKADDRS)
FN_GETTER(fn_transmit_file, LPFN_TRANSMITFILE, WSAID_TRANSMITFILE)
FN_GETTER(fn_transmit_packets, LPFN_TRANSMITPACKETS, WSAID_TRANSMITPACKETS)
FN_GETTER(fn_recvmsg, LPFN_WSARECVMSG, WSAID_WSARECVMSG)
FN_GETTER(fn_sendmsg, LPFN_WSASENDMSG, WSAID_WSASENDMSG)

static bool
signalled(TestWorld *tw, HANDLE ev)
{
    BOOL on = FALSE;

    assert_true(wspsim_os_event_query(tw->world, ev, &on));
    return on != FALSE;
}

static void
ov_init(TestWorld *tw, WSAOVERLAPPED *ov)
{
    memset(ov, 0, sizeof *ov);
    ov->hEvent = wspsim_os_event_create(tw->world, TRUE, TRUE); /* reset by the post */
}

/* An actor that outlives the test on each host: a process whose last
 * actor ends exits (its provider state goes), and the calls below run in
 * short-lived actors. */
static void
actor_keeper(void *data)
{
    wspsim_os_sleep(((TestWorld *) data)->world, 0x7fffffff, FALSE);
}

static TestWorld *
ext_world(void)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);

    test_world_spawn(tw, tw->pc, "keeper", actor_keeper, tw);
    test_world_spawn(tw, tw->ps, "keeper", actor_keeper, tw);
    return tw;
}

/* The extension functions report through the calling thread's last error,
 * which only simulated threads have: each call runs in a short-lived actor
 * of @pid, and returns 0 for TRUE (0 from the int ones) or
 * WSAGetLastError(). */
typedef enum {
    X_ACCEPT,
    X_CONNECT,
    X_DISCONNECT,
    X_TRANSMIT_FILE,
    X_TRANSMIT_PACKETS,
    X_RECVMSG,
    X_SENDMSG,
} XKind;

typedef struct {
    XKind kind;
    void *fn;
    SOCKET s, s2;
    const struct sockaddr *name;
    int namelen;
    void *buf;
    DWORD len, llen, rlen, flags, reserved;
    DWORD *bytes;
    LPOVERLAPPED ov;
    LPWSAOVERLAPPED_COMPLETION_ROUTINE cr;
    HANDLE file;                     /* TransmitFile */
    LPTRANSMIT_FILE_BUFFERS tfb;
    LPTRANSMIT_PACKETS_ELEMENT el;   /* TransmitPackets: @len elements, @llen bytes a send */
    LPWSAMSG msg;
    int result;
} ExtCall;

static void
actor_ext_call(void *data)
{
    ExtCall *c = data;
    BOOL ok = FALSE;

    WSASetLastError(0);
    switch (c->kind) {
    case X_ACCEPT:
        ok = ((LPFN_ACCEPTEX) c->fn)(c->s, c->s2, c->buf, c->len, c->llen, c->rlen, c->bytes,
                                     c->ov);
        break;
    case X_CONNECT:
        ok = ((LPFN_CONNECTEX) c->fn)(c->s, c->name, c->namelen, c->buf, c->len, c->bytes, c->ov);
        break;
    case X_DISCONNECT:
        ok = ((LPFN_DISCONNECTEX) c->fn)(c->s, c->ov, c->flags, c->reserved);
        break;
    case X_TRANSMIT_FILE:
        ok = ((LPFN_TRANSMITFILE) c->fn)(c->s, c->file, c->len, 0, c->ov, c->tfb, c->flags);
        break;
    case X_TRANSMIT_PACKETS:
        ok = ((LPFN_TRANSMITPACKETS) c->fn)(c->s, c->el, c->len, c->llen, c->ov, c->flags);
        break;
    case X_RECVMSG:
        ok = ((LPFN_WSARECVMSG) c->fn)(c->s, c->msg, c->bytes, c->ov, c->cr) == 0;
        break;
    case X_SENDMSG:
        ok = ((LPFN_WSASENDMSG) c->fn)(c->s, c->msg, c->flags, c->bytes, c->ov, c->cr) == 0;
        break;
    }
    c->result = ok ? 0 : WSAGetLastError();
    if (ok)
        assert_int_equal(WSAGetLastError(), 0);
}

/* Start @c in an actor of @pid; c->result stays -1 while it blocks. */
static void
ext_spawn(TestWorld *tw, SimProcessId pid, ExtCall *c)
{
    c->result = -1;
    test_world_spawn(tw, pid, "ext", actor_ext_call, c);
}

static int
ext_run(TestWorld *tw, SimProcessId pid, ExtCall *c)
{
    ext_spawn(tw, pid, c);
    test_world_run(tw, 0);
    test_world_use(tw, pid);
    assert_int_not_equal(c->result, -1);
    return c->result;
}

static int
x_accept(TestWorld *tw, LPFN_ACCEPTEX fn, SOCKET l, SOCKET as, void *out, DWORD len, DWORD llen,
         DWORD rlen, DWORD *got, LPOVERLAPPED ov)
{
    ExtCall c = { .kind = X_ACCEPT, .fn = (void *) fn, .s = l, .s2 = as, .buf = out, .len = len,
                  .llen = llen, .rlen = rlen, .bytes = got, .ov = ov };

    return ext_run(tw, tw->ps, &c);
}

static int
x_connect(TestWorld *tw, LPFN_CONNECTEX fn, SOCKET s, const SOCKADDR_STORAGE *ss, int len,
          void *data, DWORD n, DWORD *sent, LPOVERLAPPED ov)
{
    ExtCall c = { .kind = X_CONNECT, .fn = (void *) fn, .s = s, .name = (const struct sockaddr *) ss,
                  .namelen = len, .buf = data, .len = n, .bytes = sent, .ov = ov };

    return ext_run(tw, tw->pc, &c);
}

static int
x_disconnect(TestWorld *tw, SimProcessId pid, LPFN_DISCONNECTEX fn, SOCKET s, LPOVERLAPPED ov,
             DWORD flags, DWORD reserved)
{
    ExtCall c = { .kind = X_DISCONNECT, .fn = (void *) fn, .s = s, .ov = ov, .flags = flags,
                  .reserved = reserved };

    return ext_run(tw, pid, &c);
}

/* A connected overlapped pair made with plain connect/accept. */
static void
connect_pair(TestWorld *tw, int port, SOCKET *out_c, SOCKET *out_a)
{
    SOCKADDR_STORAGE ss;
    SOCKET l;
    u_long on = 1;
    DWORD ret;
    int len, err = 0;

    test_world_use(tw, tw->ps);
    l = ov_socket();
    test_bind(l, "0.0.0.0", port);
    test_listen(l);
    test_world_use(tw, tw->pc);
    *out_c = ov_socket();
    assert_int_equal(
        WSPIoctl(*out_c, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err), 0);
    ss = test_sa("10.0.0.2", port, &len);
    WSPConnect(*out_c, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err);
    test_world_run(tw, 2 * SIM_SEC);
    test_world_use(tw, tw->ps);
    *out_a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(*out_a != INVALID_SOCKET);
}

/* ---- SIO_GET_EXTENSION_FUNCTION_POINTER ------------------------------------ */

static void
test_wsp_extension_ioctl_guids(void **state)
{
    TestWorld *tw = ext_world();
    GUID other = { 0xb5367df3, 0xcbac, 0x11cf, { 0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92 } };
    GUID ax = WSAID_ACCEPTEX;
    void *fns[8];
    void *p = NULL;
    char small[4];
    DWORD ret = 0;
    SOCKET s;

    (void) state;
    test_world_use(tw, tw->pc);
    s = ov_socket();
    /* Microsoft TCP/IP's eight, each its own function. */
    fns[0] = (void *) fn_accept(s);
    fns[1] = (void *) fn_connect(s);
    fns[2] = (void *) fn_disconnect(s);
    fns[3] = (void *) fn_sockaddrs(s);
    fns[4] = (void *) fn_transmit_file(s);
    fns[5] = (void *) fn_transmit_packets(s);
    fns[6] = (void *) fn_recvmsg(s);
    fns[7] = (void *) fn_sendmsg(s);
    for (size_t i = 0; i < G_N_ELEMENTS(fns); i++)
        for (size_t j = 0; j < i; j++)
            assert_ptr_not_equal(fns[i], fns[j]);
    assert_int_equal(get_fn(s, &other, &p, sizeof p, &ret), WSAEINVAL); /* unknown GUID */
    assert_int_equal(get_fn(s, &ax, small, sizeof small, &ret), WSAEFAULT); /* short output */
    assert_int_equal(get_fn(s, &ax, NULL, sizeof p, &ret), WSAEFAULT);
    {
        int err = 0;

        assert_int_equal(WSPIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &ax, 8, &p, sizeof p,
                                  &ret, NULL, NULL, NULL, &err),
                         SOCKET_ERROR); /* short input */
        assert_int_equal(err, WSAEFAULT);
    }
    test_close(s);
    test_world_free(tw);
}

typedef struct {
    TestWorld *tw;
    SOCKET s;
    WSAOVERLAPPED ov;
    void *fn;
    DWORD wait;
    int runs;
    DWORD routine_err, routine_bytes;
} RoutineActor;

static RoutineActor *routine_target;

static void CALLBACK
routine(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
    (void) lpOverlapped;
    (void) dwFlags;
    routine_target->runs++;
    routine_target->routine_err = dwError;
    routine_target->routine_bytes = cbTransferred;
}

static void
actor_ioctl_routine(void *data)
{
    RoutineActor *a = data;
    GUID id = WSAID_CONNECTEX;
    WSATHREADID tid;
    DWORD ret = 0;
    int err = 0;

    assert_int_equal(wspsim_default_upcall_table().lpWPUOpenCurrentThread(&tid, &err), 0);
    memset(&a->ov, 0, sizeof a->ov);
    assert_int_equal(WSPIoctl(a->s, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof id, &a->fn,
                              sizeof a->fn, &ret, &a->ov, routine, &tid, &err),
                     0);
    assert_non_null(a->fn);
    assert_int_equal(a->runs, 0); /* an APC: only in an alertable wait */
    a->wait = wspsim_os_sleep(a->tw->world, 100, TRUE);
}

static void
test_wsp_extension_ioctl_completion_routine(void **state)
{
    TestWorld *tw = ext_world();
    RoutineActor a = { .tw = tw };

    (void) state;
    routine_target = &a;
    test_world_use(tw, tw->pc);
    a.s = ov_socket();
    test_world_spawn(tw, tw->pc, "ioctl", actor_ioctl_routine, &a);
    test_world_run(tw, SIM_SEC);
    assert_int_equal(a.wait, WAIT_IO_COMPLETION);
    assert_int_equal(a.runs, 1);
    assert_int_equal(a.routine_err, 0);
    assert_int_equal(a.routine_bytes, sizeof(void *));
    test_world_free(tw);
}

/* ---- ConnectEx ---------------------------------------------------------------- */

static void
test_wsp_extension_connectex_sends_first_buffer(void **state)
{
    TestWorld *tw = ext_world();
    SOCKADDR_STORAGE ss;
    WSAOVERLAPPED ov;
    LPFN_CONNECTEX connect_ex;
    char data[] = "hello";
    char buf[16];
    DWORD sent = 99, bytes = 0, flags = 0;
    SOCKET l, c, a;
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->ps);
    l = ov_socket();
    test_bind(l, "0.0.0.0", PORT);
    test_listen(l);
    test_world_use(tw, tw->pc);
    c = ov_socket();
    connect_ex = fn_connect(c);
    ss = test_sa("10.0.0.2", PORT, &len);
    ov_init(tw, &ov);
    /* Unbound: WSAEINVAL, nothing started. */
    assert_int_equal(x_connect(tw, connect_ex, c, &ss, len, data, 5, &sent, &ov), WSAEINVAL);
    assert_int_equal(sent, 99);
    test_bind(c, "0.0.0.0", 0);
    assert_int_equal(x_connect(tw, connect_ex, c, &ss, len, data, 5, &sent, &ov), WSA_IO_PENDING);
    assert_false(signalled(tw, ov.hEvent));
    assert_false(WSPGetOverlappedResult(c, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(err, WSA_IO_INCOMPLETE);
    test_world_run(tw, SIM_SEC);
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(c, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 5);
    assert_int_equal(sent, 99); /* completed later: not written */
    /* Connected: a second ConnectEx is WSPConnect's WSAEISCONN. */
    assert_int_equal(x_connect(tw, connect_ex, c, &ss, len, NULL, 0, NULL, &ov), WSAEISCONN);
    test_world_use(tw, tw->ps);
    a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(a != INVALID_SOCKET);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 5);
    assert_string_equal(buf, "hello");
    test_world_free(tw);
}

static void
test_wsp_extension_connectex_refused(void **state)
{
    TestWorld *tw = ext_world();
    SOCKADDR_STORAGE ss;
    WSAOVERLAPPED ov;
    LPFN_CONNECTEX connect_ex;
    DWORD bytes = 42, flags = 0;
    SOCKET c, u;
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    c = ov_socket();
    connect_ex = fn_connect(c);
    test_bind(c, "0.0.0.0", 0);
    ss = test_sa("10.0.0.2", PORT + 1, &len); /* nobody listens */
    ov_init(tw, &ov);
    assert_int_equal(x_connect(tw, connect_ex, c, &ss, len, NULL, 0, NULL, &ov), WSA_IO_PENDING);
    test_world_run(tw, SIM_SEC);
    assert_true(signalled(tw, ov.hEvent));
    assert_false(WSPGetOverlappedResult(c, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(err, WSAECONNREFUSED);
    assert_int_equal(bytes, 42);
    /* Errors checked before anything starts. */
    assert_int_equal(x_connect(tw, connect_ex, c, &ss, len, NULL, 0, NULL, NULL), WSAEFAULT);
    assert_int_equal(x_connect(tw, connect_ex, c, &ss, 4, NULL, 0, NULL, &ov), WSAEFAULT);
    assert_int_equal(x_connect(tw, connect_ex, (SOCKET) 0x7777, &ss, len, NULL, 0, NULL, &ov), WSAENOTSOCK);
    u = WSPSocket(AF_INET, SOCK_DGRAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED, &err);
    assert_true(u != INVALID_SOCKET);
    test_bind(u, "0.0.0.0", 0);
    assert_int_equal(x_connect(tw, connect_ex, u, &ss, len, NULL, 0, NULL, &ov), WSAEOPNOTSUPP);
    test_world_free(tw);
}

/* ---- AcceptEx --------------------------------------------------------------- */

#define ADDR_LEN ((DWORD) sizeof(struct sockaddr_in) + 16)

typedef struct {
    SOCKET l, as;
    WSAOVERLAPPED ov;
    char out[64 + 2 * ADDR_LEN];
} AcceptCase;

static void
accept_setup(TestWorld *tw, AcceptCase *ac)
{
    test_world_use(tw, tw->ps);
    ac->l = ov_socket();
    test_bind(ac->l, "0.0.0.0", PORT);
    test_listen(ac->l);
    ac->as = ov_socket();
    ov_init(tw, &ac->ov);
}

static SOCKET
client_connect(TestWorld *tw)
{
    SOCKADDR_STORAGE ss;
    u_long on = 1;
    DWORD ret;
    SOCKET c;
    int len, err = 0;

    test_world_use(tw, tw->pc);
    c = ov_socket();
    assert_int_equal(WSPIoctl(c, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err),
                     0);
    ss = test_sa("10.0.0.2", PORT, &len);
    WSPConnect(c, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err);
    assert_int_equal(err, WSAEWOULDBLOCK);
    return c;
}

static void
test_wsp_extension_acceptex_receives_first_data(void **state)
{
    TestWorld *tw = ext_world();
    AcceptCase ac;
    LPFN_ACCEPTEX accept_ex;
    LPFN_GETACCEPTEXSOCKADDRS sockaddrs;
    struct sockaddr *local = NULL, *remote = NULL;
    struct sockaddr_in lin, rin;
    int llen = 0, rlen = 0, err = 0;
    DWORD got = 99, bytes = 0, flags = 0;
    char buf[16];
    SOCKADDR_STORAGE peer;
    int plen = (int) sizeof peer;
    SOCKET c;

    (void) state;
    accept_setup(tw, &ac);
    accept_ex = fn_accept(ac.l);
    sockaddrs = fn_sockaddrs(ac.l);
    assert_int_equal(x_accept(tw, accept_ex, ac.l, ac.as, ac.out, 16, ADDR_LEN, ADDR_LEN, &got, &ac.ov), WSA_IO_PENDING);
    assert_false(signalled(tw, ac.ov.hEvent));
    c = client_connect(tw);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_false(signalled(tw, ac.ov.hEvent)); /* connected, no data yet */
    test_world_use(tw, tw->pc);
    test_send_str(c, "ping");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_true(signalled(tw, ac.ov.hEvent));
    assert_true(WSPGetOverlappedResult(ac.l, &ac.ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 4);
    assert_int_equal(got, 99);
    assert_memory_equal(ac.out, "ping", 4);
    sockaddrs(ac.out, 16, ADDR_LEN, ADDR_LEN, &local, &llen, &remote, &rlen);
    assert_int_equal(llen, sizeof(struct sockaddr_in));
    assert_int_equal(rlen, sizeof(struct sockaddr_in));
    memcpy(&lin, local, sizeof lin);
    memcpy(&rin, remote, sizeof rin);
    assert_int_equal(lin.sin_family, AF_INET);
    assert_int_equal(g_ntohs(lin.sin_port), PORT);
    assert_memory_equal(&lin.sin_addr, "\x0a\x00\x00\x02", 4);
    assert_memory_equal(&rin.sin_addr, "\x0a\x00\x00\x01", 4);
    /* The caller's socket is the connected one. */
    assert_int_equal(WSPGetPeerName(ac.as, (struct sockaddr *) &peer, &plen, &err), 0);
    assert_memory_equal(&((struct sockaddr_in *) &peer)->sin_addr, "\x0a\x00\x00\x01", 4);
    test_send_str(ac.as, "pong");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), 4);
    assert_string_equal(buf, "pong");
    test_world_free(tw);
}

typedef struct {
    TestWorld *tw;
    AcceptCase *ac;
    LPFN_ACCEPTEX fn;
    BOOL ok;
    DWORD bytes, flags;
    int err;
} AcceptWaiter;

static void
actor_accept_wait(void *data)
{
    AcceptWaiter *w = data;
    DWORD got = 0;

    assert_false(w->fn(w->ac->l, w->ac->as, w->ac->out, 0, ADDR_LEN, ADDR_LEN, &got, &w->ac->ov));
    assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
    w->ok = WSPGetOverlappedResult(w->ac->l, &w->ac->ov, &w->bytes, TRUE, &w->flags, &w->err);
}

static void
test_wsp_extension_acceptex_completes_on_accept(void **state)
{
    TestWorld *tw = ext_world();
    AcceptCase ac;
    AcceptWaiter w = { .tw = tw, .ac = &ac };
    LPFN_GETACCEPTEXSOCKADDRS sockaddrs;
    struct sockaddr *local = NULL, *remote = NULL;
    int llen = 0, rlen = 0;
    DWORD got = 99;

    (void) state;
    accept_setup(tw, &ac);
    w.fn = fn_accept(ac.l);
    sockaddrs = fn_sockaddrs(ac.l);
    test_world_spawn(tw, tw->ps, "acceptex", actor_accept_wait, &w);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_false(w.ok);
    client_connect(tw);
    test_world_run(tw, SIM_SEC);
    assert_true(w.ok); /* dwReceiveDataLength 0: complete on accept, fWait woken */
    assert_int_equal(w.bytes, 0);
    sockaddrs(ac.out, 0, ADDR_LEN, ADDR_LEN, &local, &llen, &remote, &rlen);
    assert_int_equal(rlen, sizeof(struct sockaddr_in));
    assert_non_null(remote);

    /* A connection already waiting: AcceptEx completes at once (TRUE). */
    test_world_use(tw, tw->ps);
    client_connect(tw);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    ac.as = ov_socket();
    ov_init(tw, &ac.ov);
    assert_true(w.fn(ac.l, ac.as, ac.out, 0, ADDR_LEN, ADDR_LEN, &got, &ac.ov));
    assert_int_equal(got, 0);
    assert_true(signalled(tw, ac.ov.hEvent));
    test_world_free(tw);
}

static void
test_wsp_extension_acceptex_errors(void **state)
{
    TestWorld *tw = ext_world();
    AcceptCase ac;
    LPFN_ACCEPTEX accept_ex;
    DWORD got = 0;
    SOCKET nl, bound, c, a;

    (void) state;
    accept_setup(tw, &ac);
    accept_ex = fn_accept(ac.l);
    /* A bound accept socket. */
    bound = ov_socket();
    test_bind(bound, "0.0.0.0", PORT + 2);
    assert_int_equal(x_accept(tw, accept_ex, ac.l, bound, ac.out, 0, ADDR_LEN, ADDR_LEN, &got, &ac.ov), WSAEINVAL);
    /* A listener that does not listen. */
    nl = ov_socket();
    assert_int_equal(x_accept(tw, accept_ex, nl, ac.as, ac.out, 0, ADDR_LEN, ADDR_LEN, &got, &ac.ov), WSAEINVAL);
    /* Address blocks without the 16 spare bytes. */
    assert_int_equal(x_accept(tw, accept_ex, ac.l, ac.as, ac.out, 0, ADDR_LEN - 1, ADDR_LEN, &got, &ac.ov), WSAEFAULT);
    assert_int_equal(x_accept(tw, accept_ex, ac.l, ac.as, ac.out, 0, ADDR_LEN, 0, &got, &ac.ov), WSAEFAULT);
    assert_int_equal(x_accept(tw, accept_ex, ac.l, ac.as, ac.out, 0, ADDR_LEN, ADDR_LEN, &got, NULL), WSAEFAULT);
    assert_int_equal(x_accept(tw, accept_ex, ac.l, (SOCKET) 0x7777, ac.out, 0, ADDR_LEN, ADDR_LEN, &got, &ac.ov), WSAENOTSOCK);
    assert_int_equal(x_accept(tw, accept_ex, ac.l, ac.l, ac.out, 0, ADDR_LEN, ADDR_LEN, &got, &ac.ov), WSAEINVAL);
    /* A connected accept socket. */
    test_world_use(tw, tw->ps);
    test_close(ac.l);
    connect_pair(tw, PORT + 3, &c, &a);
    test_world_use(tw, tw->ps);
    ac.l = ov_socket();
    test_bind(ac.l, "0.0.0.0", PORT + 4);
    test_listen(ac.l);
    assert_int_equal(x_accept(tw, accept_ex, ac.l, a, ac.out, 0, ADDR_LEN, ADDR_LEN, &got, &ac.ov), WSAEINVAL);
    test_world_free(tw);
}

/* ---- DisconnectEx ------------------------------------------------------------ */

static void
test_wsp_extension_disconnectex(void **state)
{
    TestWorld *tw = ext_world();
    LPFN_DISCONNECTEX disconnect_ex;
    WSAOVERLAPPED ov;
    DWORD bytes = 42, flags = 0;
    char buf[16];
    SOCKET c, a, u;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &c, &a);
    test_world_use(tw, tw->pc);
    disconnect_ex = fn_disconnect(c);
    ov_init(tw, &ov);
    assert_int_equal(x_disconnect(tw, tw->pc, disconnect_ex, c, &ov, 0, 1), WSAEINVAL); /* reserved */
    assert_int_equal(x_disconnect(tw, tw->pc, disconnect_ex, c, &ov, TF_DISCONNECT, 0), WSAEINVAL);
    assert_int_equal(x_disconnect(tw, tw->pc, disconnect_ex, c, &ov, TF_REUSE_SOCKET, 0), WSAEOPNOTSUPP);
    u = ov_socket();
    assert_int_equal(x_disconnect(tw, tw->pc, disconnect_ex, u, &ov, 0, 0), WSAENOTCONN);
    test_send_str(c, "bye");
    assert_int_equal(x_disconnect(tw, tw->pc, disconnect_ex, c, &ov, 0, 0), WSA_IO_PENDING);
    assert_false(signalled(tw, ov.hEvent));
    test_world_run(tw, SIM_SEC);
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(c, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 0);
    assert_int_equal(x_disconnect(tw, tw->pc, disconnect_ex, c, &ov, 0, 0), WSAENOTCONN); /* already disconnected */
    test_world_use(tw, tw->ps);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 3);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 0); /* the peer sees the end */
    /* Not overlapped, from the main code: the FIN goes, TRUE at once. */
    assert_true(fn_disconnect(a)(a, NULL, 0, 0));
    test_world_run(tw, SIM_SEC);
    test_world_free(tw);
}

/* Closing the accept socket or the listener ends a pending AcceptEx with
 * WSA_OPERATION_ABORTED, its event signalled, like any overlapped request
 * of a closed socket. */
static void
test_wsp_extension_close_aborts_pending(void **state)
{
    TestWorld *tw = ext_world();
    AcceptCase ac;
    LPFN_ACCEPTEX accept_ex;
    DWORD got = 0;
    int err = 0;

    (void) state;
    for (int which = 0; which < 2; which++) {
        accept_setup(tw, &ac);
        accept_ex = fn_accept(ac.l);
        assert_int_equal(x_accept(tw, accept_ex, ac.l, ac.as, ac.out, 0, ADDR_LEN, ADDR_LEN, &got,
                                  &ac.ov),
                         WSA_IO_PENDING);
        assert_false(signalled(tw, ac.ov.hEvent));
        test_world_use(tw, tw->ps);
        assert_int_equal(WSPCloseSocket(which == 0 ? ac.as : ac.l, &err), 0);
        assert_true(signalled(tw, ac.ov.hEvent));
        assert_int_equal((DWORD) ac.ov.Internal, WSA_OPERATION_ABORTED);
        assert_int_equal(WSPCloseSocket(which == 0 ? ac.l : ac.as, &err), 0);
    }
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_extension_close_aborts_pending),
        cmocka_unit_test(test_wsp_extension_ioctl_guids),
        cmocka_unit_test(test_wsp_extension_ioctl_completion_routine),
        cmocka_unit_test(test_wsp_extension_connectex_sends_first_buffer),
        cmocka_unit_test(test_wsp_extension_connectex_refused),
        cmocka_unit_test(test_wsp_extension_acceptex_receives_first_data),
        cmocka_unit_test(test_wsp_extension_acceptex_completes_on_accept),
        cmocka_unit_test(test_wsp_extension_acceptex_errors),
        cmocka_unit_test(test_wsp_extension_disconnectex),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-extension", tests, NULL, NULL);
}
