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
 * tail); TF_REUSE_SOCKET (DisconnectEx, TransmitFile, TransmitPackets: the
 * same handle to AcceptEx or ConnectEx again, after TIME_WAIT); and a
 * table of the documented errors. */
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
    u = ov_socket();
    assert_int_equal(x_disconnect(tw, tw->pc, disconnect_ex, u, &ov, 0, 0), WSAENOTCONN);
    assert_int_equal(x_disconnect(tw, tw->pc, disconnect_ex, u, &ov, TF_REUSE_SOCKET, 0),
                     WSAENOTCONN);
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

/* ---- WSARecvMsg, WSASendMsg, TransmitFile, TransmitPackets --------------------- */

typedef struct {
    LPFN_TRANSMITFILE transmit_file;
    LPFN_TRANSMITPACKETS transmit_packets;
    LPFN_WSARECVMSG recvmsg;
    LPFN_WSASENDMSG sendmsg;
    LPFN_ACCEPTEX accept_ex;
    LPFN_CONNECTEX connect_ex;
    LPFN_DISCONNECTEX disconnect_ex;
} MsgFns;

/* The functions, from a socket of pc that is gone again: they work on any
 * socket. */
static MsgFns
msg_fns(TestWorld *tw)
{
    MsgFns f;
    SOCKET s;

    test_world_use(tw, tw->pc);
    s = ov_socket();
    f.transmit_file = fn_transmit_file(s);
    f.transmit_packets = fn_transmit_packets(s);
    f.recvmsg = fn_recvmsg(s);
    f.sendmsg = fn_sendmsg(s);
    f.accept_ex = fn_accept(s);
    f.connect_ex = fn_connect(s);
    f.disconnect_ex = fn_disconnect(s);
    test_close(s);
    return f;
}

/* An overlapped datagram socket of @pid, bound to @ip:@port unless @ip is
 * NULL. */
static SOCKET
udp_socket(TestWorld *tw, SimProcessId pid, const char *ip, int port)
{
    SOCKET s;
    int err = 0;

    test_world_use(tw, pid);
    s = WSPSocket(AF_INET, SOCK_DGRAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED, &err);
    assert_true(s != INVALID_SOCKET);
    if (ip != NULL)
        test_bind(s, ip, port);
    return s;
}

/* One datagram from @s (a socket of pc) to @ip:@port. */
static void
udp_send(TestWorld *tw, SOCKET s, const char *ip, int port, const char *text)
{
    WSABUF b = { (u_long) strlen(text), (char *) text };
    SOCKADDR_STORAGE ss = test_sa(ip, port, NULL);
    DWORD n = 0;
    int err = 0;

    test_world_use(tw, tw->pc);
    assert_int_equal(WSPSendTo(s, &b, 1, &n, 0, (struct sockaddr *) &ss, sizeof(struct sockaddr_in),
                               NULL, NULL, NULL, &err),
                     0);
}

static void
set_opt(SOCKET s, int level, int opt, int value)
{
    int err = 0;

    assert_int_equal(WSPSetSockOpt(s, level, opt, (const char *) &value, sizeof value, &err), 0);
}

static void
set_nonblocking(SOCKET s)
{
    u_long on = 1;
    DWORD ret = 0;
    int err = 0;

    assert_int_equal(WSPIoctl(s, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err),
                     0);
}

/* A WSARecvMsg header over two buffers (3 and 16 bytes), with room for the
 * sender's address and for control data. */
typedef struct {
    WSAMSG m;
    WSABUF b[2];
    char d0[3], d1[16];
    SOCKADDR_STORAGE from;
    char ctl[64];
} MsgBuf;

static void
msg_init(MsgBuf *mb)
{
    memset(mb, 0, sizeof *mb);
    mb->b[0] = (WSABUF){ sizeof mb->d0, mb->d0 };
    mb->b[1] = (WSABUF){ sizeof mb->d1, mb->d1 };
    mb->m.name = (LPSOCKADDR) &mb->from;
    mb->m.namelen = sizeof mb->from;
    mb->m.lpBuffers = mb->b;
    mb->m.dwBufferCount = 2;
    mb->m.Control = (WSABUF){ sizeof mb->ctl, mb->ctl };
}

/* The sender's address WSARecvMsg wrote: 10.0.0.1:@port. */
static void
assert_from_client(const MsgBuf *mb, int port)
{
    const struct sockaddr_in *sin = (const struct sockaddr_in *) &mb->from;

    assert_int_equal(mb->m.namelen, sizeof(struct sockaddr_in));
    assert_int_equal(sin->sin_family, AF_INET);
    assert_int_equal(g_ntohs(sin->sin_port), port);
    assert_memory_equal(&sin->sin_addr, "\x0a\x00\x00\x01", 4);
}

static int
x_recvmsg(TestWorld *tw, SimProcessId pid, const MsgFns *f, SOCKET s, WSAMSG *m, DWORD *got,
          LPWSAOVERLAPPED ov)
{
    ExtCall c = { .kind = X_RECVMSG, .fn = (void *) f->recvmsg, .s = s, .msg = m, .bytes = got,
                  .ov = ov };

    return ext_run(tw, pid, &c);
}

static int
x_sendmsg(TestWorld *tw, SimProcessId pid, const MsgFns *f, SOCKET s, WSAMSG *m, DWORD flags,
          DWORD *sent, LPWSAOVERLAPPED ov)
{
    ExtCall c = { .kind = X_SENDMSG, .fn = (void *) f->sendmsg, .s = s, .msg = m,
                  .flags = flags, .bytes = sent, .ov = ov };

    return ext_run(tw, pid, &c);
}

/* A world with a datagram socket u of pc on 10.0.0.1:PORT+1 and r of ps
 * on @r_ip:PORT. */
typedef struct {
    TestWorld *tw;
    MsgFns f;
    SOCKET u, r;
} UdpFx;

/* Connect u to r (10.0.0.2:PORT). */
static void
udp_fx_connect(UdpFx *x)
{
    SOCKADDR_STORAGE to = test_sa("10.0.0.2", PORT, NULL);
    int err = 0;

    test_world_use(x->tw, x->tw->pc);
    assert_int_equal(WSPConnect(x->u, (struct sockaddr *) &to, sizeof(struct sockaddr_in), NULL,
                                NULL, NULL, NULL, &err),
                     0);
}

static UdpFx
udp_fx(const char *r_ip)
{
    UdpFx x;

    x.tw = ext_world();
    x.f = msg_fns(x.tw);
    x.u = udp_socket(x.tw, x.tw->pc, "10.0.0.1", PORT + 1);
    x.r = udp_socket(x.tw, x.tw->ps, r_ip, PORT);
    return x;
}

static void
test_wsp_extension_wsarecvmsg_blocking(void **state)
{
    UdpFx x = udp_fx("10.0.0.2");
    TestWorld *tw = x.tw;
    MsgBuf mb;
    DWORD got = 0;
    ExtCall c = { .kind = X_RECVMSG, .fn = (void *) x.f.recvmsg, .s = x.r, .msg = &mb.m,
                  .bytes = &got };

    (void) state;
    msg_init(&mb);
    ext_spawn(tw, tw->ps, &c);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_int_equal(c.result, -1); /* nothing queued: it waits */
    udp_send(tw, x.u, "10.0.0.2", PORT, "hello world");
    test_world_run(tw, SIM_SEC);
    assert_int_equal(c.result, 0);
    assert_int_equal(got, 11);
    assert_memory_equal(mb.d0, "hel", 3); /* scattered over both buffers */
    assert_memory_equal(mb.d1, "lo world", 8);
    assert_from_client(&mb, PORT + 1);
    assert_int_equal(mb.m.dwFlags, 0);
    assert_int_equal(mb.m.Control.len, 0); /* no control data */
    test_world_free(tw);
}

/* Joins @s (a socket of ps) to @group on the transport: IP_ADD_MEMBERSHIP
 * is outside this provider (doc/spi-choices.md). */
static void
join_group(TestWorld *tw, SOCKET s, const char *group)
{
    WspCall call;
    WspSocket *ws;
    SimAddr g;
    int e = 0;

    test_world_use(tw, tw->ps);
    assert_true(wsp_call_begin(&call, "test", &e));
    ws = wsp_handle_lookup(&call, s);
    assert_non_null(ws);
    assert_true(sim_addr_parse(group, &g));
    assert_int_equal(sim_udp_join_group(tw->world, ws->sock, &g), SIM_OK);
}

/* Non-blocking: WSAEWOULDBLOCK; then MSG_TRUNC, MSG_PEEK, MSG_BCAST and
 * MSG_MCAST, each datagram's sender written. */
static void
test_wsp_extension_wsarecvmsg_flags(void **state)
{
    UdpFx x = udp_fx("0.0.0.0");
    TestWorld *tw = x.tw;
    static const struct {
        const char *to;
        DWORD want;
    } casts[] = {
        { "10.0.0.2", 0 },
        { "10.0.0.255", MSG_BCAST },
        { "255.255.255.255", MSG_BCAST },
        { "239.1.2.3", MSG_MCAST },
    };
    MsgBuf mb;
    DWORD got = 0;

    (void) state;
    set_nonblocking(x.r);
    msg_init(&mb);
    assert_int_equal(x_recvmsg(tw, tw->ps, &x.f, x.r, &mb.m, &got, NULL), WSAEWOULDBLOCK);

    /* Cut to the first buffer: the head, WSAEMSGSIZE, MSG_TRUNC. */
    udp_send(tw, x.u, "10.0.0.2", PORT, "0123456789");
    test_world_run(tw, SIM_SEC);
    mb.m.dwBufferCount = 1;
    assert_int_equal(x_recvmsg(tw, tw->ps, &x.f, x.r, &mb.m, &got, NULL), WSAEMSGSIZE);
    assert_int_equal(got, 3);
    assert_memory_equal(mb.d0, "012", 3);
    assert_int_equal(mb.m.dwFlags, MSG_TRUNC);
    assert_from_client(&mb, PORT + 1);
    assert_int_equal(x_recvmsg(tw, tw->ps, &x.f, x.r, &mb.m, &got, NULL), WSAEWOULDBLOCK); /* the rest is gone */

    /* MSG_PEEK leaves it queued. */
    msg_init(&mb);
    udp_send(tw, x.u, "10.0.0.2", PORT, "peek");
    test_world_run(tw, SIM_SEC);
    mb.m.dwFlags = MSG_PEEK;
    assert_int_equal(x_recvmsg(tw, tw->ps, &x.f, x.r, &mb.m, &got, NULL), 0);
    assert_int_equal(got, 4);
    assert_int_equal(mb.m.dwFlags, 0);
    msg_init(&mb);
    assert_int_equal(x_recvmsg(tw, tw->ps, &x.f, x.r, &mb.m, &got, NULL), 0);
    assert_int_equal(got, 4);
    assert_memory_equal(mb.d0, "pee", 3);

    /* How the datagram was addressed. */
    test_world_use(tw, tw->pc);
    set_opt(x.u, SOL_SOCKET, SO_BROADCAST, 1);
    join_group(tw, x.r, "239.1.2.3");
    for (size_t i = 0; i < G_N_ELEMENTS(casts); i++) {
        print_message("to %s\n", casts[i].to);
        udp_send(tw, x.u, casts[i].to, PORT, "cast");
        test_world_run(tw, SIM_SEC);
        msg_init(&mb);
        assert_int_equal(x_recvmsg(tw, tw->ps, &x.f, x.r, &mb.m, &got, NULL), 0);
        assert_int_equal(got, 4);
        assert_int_equal(mb.m.dwFlags, casts[i].want);
        assert_from_client(&mb, PORT + 1);
    }
    test_world_free(tw);
}

static void
test_wsp_extension_wsarecvmsg_overlapped_event(void **state)
{
    UdpFx x = udp_fx("0.0.0.0");
    TestWorld *tw = x.tw;
    WSAOVERLAPPED ov;
    MsgBuf mb;
    DWORD got = 99, bytes = 0, flags = 42;
    int err = 0;

    (void) state;
    ov_init(tw, &ov);
    msg_init(&mb);
    assert_int_equal(x_recvmsg(tw, tw->ps, &x.f, x.r, &mb.m, NULL, &ov), WSA_IO_PENDING);
    assert_false(signalled(tw, ov.hEvent));
    test_world_use(tw, tw->pc);
    set_opt(x.u, SOL_SOCKET, SO_BROADCAST, 1);
    udp_send(tw, x.u, "10.0.0.255", PORT, "overlapped");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(x.r, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 10);
    assert_int_equal(flags, MSG_BCAST); /* the completion's flags are the message's */
    assert_int_equal(mb.m.dwFlags, MSG_BCAST);
    assert_int_equal(mb.m.Control.len, 0);
    assert_memory_equal(mb.d0, "ove", 3);
    assert_memory_equal(mb.d1, "rlapped", 7);
    assert_from_client(&mb, PORT + 1);

    /* Cut: the completion's error is WSAEMSGSIZE with MSG_TRUNC. */
    ov_init(tw, &ov);
    msg_init(&mb);
    mb.m.dwBufferCount = 1;
    assert_int_equal(x_recvmsg(tw, tw->ps, &x.f, x.r, &mb.m, NULL, &ov), WSA_IO_PENDING);
    udp_send(tw, x.u, "10.0.0.2", PORT, "too long");
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_true(signalled(tw, ov.hEvent));
    assert_false(WSPGetOverlappedResult(x.r, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(err, WSAEMSGSIZE);
    assert_int_equal(flags, MSG_TRUNC);
    assert_int_equal(mb.m.dwFlags, MSG_TRUNC);
    assert_int_equal(ov.InternalHigh, 3);

    /* Data already queued: completes at once (0), completion issued. */
    udp_send(tw, x.u, "10.0.0.2", PORT, "now");
    test_world_run(tw, SIM_SEC);
    ov_init(tw, &ov);
    msg_init(&mb);
    assert_int_equal(x_recvmsg(tw, tw->ps, &x.f, x.r, &mb.m, &got, &ov), 0);
    assert_int_equal(got, 3);
    assert_true(signalled(tw, ov.hEvent));
    test_world_free(tw);
}

/* A request posted from an actor with a completion routine, which runs in
 * the actor's alertable wait. */
typedef struct {
    TestWorld *tw;
    MsgFns f;
    SOCKET s;
    bool send;
    WSAOVERLAPPED ov;
    MsgBuf mb;
    WSABUF out[2];
    int ret, err;
    DWORD wait;
    int runs;
    DWORD r_err, r_bytes, r_flags;
} MsgRoutine;

static MsgRoutine *msg_routine_target;

static void CALLBACK
msg_routine(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
    assert_ptr_equal(lpOverlapped, &msg_routine_target->ov);
    msg_routine_target->runs++;
    msg_routine_target->r_err = dwError;
    msg_routine_target->r_bytes = cbTransferred;
    msg_routine_target->r_flags = dwFlags;
}

static void
actor_msg_routine(void *data)
{
    MsgRoutine *a = data;

    memset(&a->ov, 0, sizeof a->ov);
    if (a->send)
        a->ret = a->f.sendmsg(a->s, &a->mb.m, 0, NULL, &a->ov, msg_routine);
    else
        a->ret = a->f.recvmsg(a->s, &a->mb.m, NULL, &a->ov, msg_routine);
    a->err = a->ret == 0 ? 0 : WSAGetLastError();
    assert_int_equal(a->runs, 0); /* an APC: only in an alertable wait */
    a->wait = wspsim_os_sleep(a->tw->world, 1000, TRUE);
}

static void
test_wsp_extension_msg_completion_routine(void **state)
{
    UdpFx x = udp_fx("0.0.0.0");
    TestWorld *tw = x.tw;
    MsgRoutine a = { .tw = tw, .f = x.f, .s = x.r };
    SOCKADDR_STORAGE to = test_sa("10.0.0.2", PORT, NULL);
    char buf[32];
    int err = 0;

    (void) state;
    msg_routine_target = &a;

    /* WSARecvMsg: pending, the routine gets the bytes and MSG_MCAST. */
    msg_init(&a.mb);
    join_group(tw, a.s, "239.4.5.6");
    test_world_spawn(tw, tw->ps, "recvmsg", actor_msg_routine, &a);
    test_world_run(tw, 10 * SIM_MSEC);
    assert_int_equal(a.ret, SOCKET_ERROR);
    assert_int_equal(a.err, WSA_IO_PENDING);
    udp_send(tw, x.u, "239.4.5.6", PORT, "routine");
    test_world_run(tw, 2 * SIM_SEC);
    assert_int_equal(a.wait, WAIT_IO_COMPLETION);
    assert_int_equal(a.runs, 1);
    assert_int_equal(a.r_err, 0);
    assert_int_equal(a.r_bytes, 7);
    assert_int_equal(a.r_flags, MSG_MCAST);
    assert_int_equal(a.mb.m.dwFlags, MSG_MCAST);
    assert_from_client(&a.mb, PORT + 1);

    /* WSASendMsg: completes at once (0), the routine still runs. */
    memset(&a, 0, sizeof a);
    a.tw = tw;
    a.f = x.f;
    a.s = x.u;
    a.send = true;
    a.out[0] = (WSABUF){ 3, (char *) "gat" };
    a.out[1] = (WSABUF){ 5, (char *) "hered" };
    a.mb.m.name = (LPSOCKADDR) &to;
    a.mb.m.namelen = sizeof(struct sockaddr_in);
    a.mb.m.lpBuffers = a.out;
    a.mb.m.dwBufferCount = 2;
    test_world_spawn(tw, tw->pc, "sendmsg", actor_msg_routine, &a);
    test_world_run(tw, 2 * SIM_SEC);
    assert_int_equal(a.ret, 0);
    assert_int_equal(a.wait, WAIT_IO_COMPLETION);
    assert_int_equal(a.runs, 1);
    assert_int_equal(a.r_err, 0);
    assert_int_equal(a.r_bytes, 8);
    assert_int_equal(a.r_flags, 0);
    test_world_use(tw, tw->ps);
    assert_int_equal(test_recv(x.r, buf, sizeof buf, 0, &err), 8); /* gathered */
    assert_string_equal(buf, "gathered");
    test_world_free(tw);
}

/* Gathered buffers to @lpMsg->name, or to the connected peer; blocking
 * and overlapped with an event (complete at once, event signalled). */
static void
test_wsp_extension_wsasendmsg(void **state)
{
    UdpFx x = udp_fx("10.0.0.2");
    TestWorld *tw = x.tw;
    SOCKADDR_STORAGE to = test_sa("10.0.0.2", PORT, NULL);
    WSABUF out[3] = { { 4, (char *) "one " }, { 0, NULL }, { 3, (char *) "two" } };
    WSAMSG m = { (LPSOCKADDR) &to, sizeof(struct sockaddr_in), out, 3, { 0, NULL }, 0 };
    WSAOVERLAPPED ov;
    DWORD sent = 0, bytes = 0, flags = 0;
    char buf[32];
    int err = 0;

    (void) state;
    m.dwFlags = MSG_PEEK; /* ignored on input */
    assert_int_equal(x_sendmsg(tw, tw->pc, &x.f, x.u, &m, MSG_DONTROUTE, &sent, NULL), 0);
    assert_int_equal(sent, 7);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(test_recv(x.r, buf, sizeof buf, 0, &err), 7); /* one datagram */
    assert_string_equal(buf, "one two");

    /* No name: the connected peer, else WSAENOTCONN. */
    m.name = NULL;
    m.namelen = 0;
    assert_int_equal(x_sendmsg(tw, tw->pc, &x.f, x.u, &m, 0, &sent, NULL), WSAENOTCONN);
    udp_fx_connect(&x);
    ov_init(tw, &ov);
    assert_int_equal(x_sendmsg(tw, tw->pc, &x.f, x.u, &m, 0, NULL, &ov), 0);
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(x.u, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 7);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(test_recv(x.r, buf, sizeof buf, 0, &err), 7);
    assert_string_equal(buf, "one two");
    test_world_free(tw);
}

/* ---- TransmitPackets, TransmitFile --------------------------------------------- */

static int
x_packets(TestWorld *tw, SimProcessId pid, const MsgFns *f, SOCKET s,
          TRANSMIT_PACKETS_ELEMENT *el, DWORD n, DWORD send_size, LPOVERLAPPED ov, DWORD flags)
{
    ExtCall c = { .kind = X_TRANSMIT_PACKETS, .fn = (void *) f->transmit_packets, .s = s,
                  .el = el, .len = n, .llen = send_size, .ov = ov, .flags = flags };

    return ext_run(tw, pid, &c);
}

static int
x_file(TestWorld *tw, SimProcessId pid, const MsgFns *f, SOCKET s, LPTRANSMIT_FILE_BUFFERS tfb,
       LPOVERLAPPED ov, DWORD flags)
{
    ExtCall c = { .kind = X_TRANSMIT_FILE, .fn = (void *) f->transmit_file, .s = s, .tfb = tfb,
                  .ov = ov, .flags = flags };

    return ext_run(tw, pid, &c);
}

static TRANSMIT_PACKETS_ELEMENT
mem_el(const void *data, ULONG len, bool eop)
{
    TRANSMIT_PACKETS_ELEMENT e;

    memset(&e, 0, sizeof e);
    e.dwElFlags = TP_ELEMENT_MEMORY | (eop ? TP_ELEMENT_EOP : 0);
    e.cLength = len;
    e.pBuffer = (PVOID) data;
    return e;
}

/* Read everything @s (non-blocking, of pc) has, running the world while
 * more comes, until @want bytes or the end of the stream (*@out_eof). */
static size_t
drain_stream(TestWorld *tw, SOCKET s, guint8 *out, size_t want, bool *out_eof)
{
    size_t got = 0;

    *out_eof = false;
    for (int round = 0; round < 50 && got < want + 1 && !*out_eof; round++) {
        char buf[2048];
        WSABUF b = { sizeof buf, buf };
        DWORD n = 0, flags = 0;
        int err = 0;

        test_world_use(tw, tw->pc);
        if (WSPRecv(s, &b, 1, &n, &flags, NULL, NULL, NULL, &err) != 0) {
            assert_int_equal(err, WSAEWOULDBLOCK);
            test_world_run(tw, 100 * SIM_MSEC);
            continue;
        }
        if (n == 0)
            *out_eof = true;
        assert_true(got + n <= want);
        memcpy(out + got, buf, n);
        got += n;
    }
    return got;
}

/* Four 1500-byte elements through a 2000-byte send buffer, in order:
 * blocking (waits for room), then overlapped (pending, then completed). */
static void
test_wsp_extension_transmitpackets_stream(void **state)
{
    TestWorld *tw = ext_world();
    MsgFns f = msg_fns(tw);
    TRANSMIT_PACKETS_ELEMENT el[5];
    static guint8 data[4][1500];
    guint8 got[6000];
    WSAOVERLAPPED ov;
    DWORD bytes = 0, flags = 0;
    ExtCall c;
    SOCKET cl, a;
    bool eof;
    int err = 0;

    (void) state;
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 1500; k++)
            data[i][k] = (guint8) (i * 7 + k);
        el[i] = mem_el(data[i], 1500, false);
    }
    el[4] = mem_el(NULL, 0, false); /* empty: nothing */
    connect_pair(tw, PORT, &cl, &a); /* the sender is a (ps, blocking) */
    test_world_use(tw, tw->ps);
    set_opt(a, SOL_SOCKET, SO_SNDBUF, 2000);
    c = (ExtCall){ .kind = X_TRANSMIT_PACKETS, .fn = (void *) f.transmit_packets, .s = a,
                   .el = el, .len = 5 };
    ext_spawn(tw, tw->ps, &c);
    test_world_run(tw, 0);
    assert_int_equal(c.result, -1); /* waits for room */
    assert_int_equal(drain_stream(tw, cl, got, sizeof got, &eof), sizeof got);
    assert_int_equal(c.result, 0);
    for (int i = 0; i < 4; i++)
        assert_memory_equal(got + 1500 * i, data[i], 1500);

    /* Overlapped: pending until the last byte is in the send buffer. */
    ov_init(tw, &ov);
    assert_int_equal(x_packets(tw, tw->ps, &f, a, el, 5, 0, &ov, TF_USE_KERNEL_APC),
                     WSA_IO_PENDING);
    assert_false(signalled(tw, ov.hEvent));
    memset(got, 0, sizeof got);
    assert_int_equal(drain_stream(tw, cl, got, sizeof got, &eof), sizeof got);
    test_world_use(tw, tw->ps);
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(a, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 6000);
    for (int i = 0; i < 4; i++)
        assert_memory_equal(got + 1500 * i, data[i], 1500);

    /* Non-blocking, not overlapped: all of it fits or nothing is sent. */
    set_nonblocking(a);
    assert_int_equal(x_packets(tw, tw->ps, &f, a, el, 5, 0, NULL, 0), WSAEWOULDBLOCK);
    assert_int_equal(drain_stream(tw, cl, got, sizeof got, &eof), 0);
    assert_int_equal(x_packets(tw, tw->ps, &f, a, el, 1, 0, NULL, 0), 0);
    assert_int_equal(drain_stream(tw, cl, got, 1500, &eof), 1500);
    test_world_free(tw);
}

/* TF_DISCONNECT: the data, then the FIN; the peer reads it all, then 0,
 * and sees FD_CLOSE; the request completes once the FIN is acknowledged. */
static void
test_wsp_extension_transmit_disconnect(void **state)
{
    TestWorld *tw = ext_world();
    MsgFns f = msg_fns(tw);
    TRANSMIT_PACKETS_ELEMENT el[3] = { mem_el("first ", 6, false), mem_el("second ", 7, true),
                                       mem_el("third", 5, false) };
    TRANSMIT_FILE_BUFFERS tfb = { (PVOID) "head:", 5, (PVOID) ":tail", 5 };
    WSANETWORKEVENTS ne;
    WSAOVERLAPPED ov;
    WSAEVENT ev;
    guint8 got[32];
    DWORD bytes = 0, flags = 0;
    ExtCall c;
    SOCKET cl, a;
    bool eof;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &cl, &a);
    test_world_use(tw, tw->pc);
    ev = wspsim_os_event_create(tw->world, TRUE, FALSE);
    assert_int_equal(WSPEventSelect(cl, ev, FD_READ | FD_CLOSE, &err), 0);
    ov_init(tw, &ov);
    assert_int_equal(x_packets(tw, tw->ps, &f, a, el, 3, 0, &ov, TF_DISCONNECT), WSA_IO_PENDING);
    assert_int_equal(drain_stream(tw, cl, got, 18, &eof), 18);
    assert_true(eof); /* recv 0: the graceful end */
    assert_memory_equal(got, "first second third", 18);
    test_world_run(tw, SIM_MSEC); /* FD_CLOSE is recorded after the last read */
    test_world_use(tw, tw->pc);
    assert_int_equal(WSPEnumNetworkEvents(cl, ev, &ne, &err), 0);
    assert_true(ne.lNetworkEvents & FD_CLOSE);
    assert_int_equal(ne.iErrorCode[FD_CLOSE_BIT], 0);
    test_world_use(tw, tw->ps);
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(a, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 18);
    /* The send side is shut down now. */
    assert_int_equal(x_packets(tw, tw->ps, &f, a, el, 1, 0, NULL, 0), WSAESHUTDOWN);

    /* TransmitFile, blocking: waits for the FIN's ACK, then TRUE. */
    test_world_free(tw);
    tw = ext_world();
    f = msg_fns(tw);
    connect_pair(tw, PORT, &cl, &a);
    c = (ExtCall){ .kind = X_TRANSMIT_FILE, .fn = (void *) f.transmit_file, .s = a, .tfb = &tfb,
                   .flags = TF_DISCONNECT };
    ext_spawn(tw, tw->ps, &c);
    test_world_run(tw, 0);
    assert_int_equal(c.result, -1);
    assert_int_equal(drain_stream(tw, cl, got, 10, &eof), 10);
    assert_true(eof);
    assert_memory_equal(got, "head::tail", 10);
    test_world_run(tw, SIM_SEC);
    assert_int_equal(c.result, 0);
    test_world_free(tw);
}

/* On a connected datagram socket: a datagram per TP_ELEMENT_EOP, per
 * nSendSize bytes, and at the end. */
static void
test_wsp_extension_transmitpackets_datagrams(void **state)
{
    UdpFx x = udp_fx("10.0.0.2");
    TestWorld *tw = x.tw;
    TRANSMIT_PACKETS_ELEMENT el[4] = { mem_el("ab", 2, true), mem_el("cd", 2, false),
                                       mem_el("ef", 2, true), mem_el("gh", 2, false) };
    static const struct {
        DWORD send_size;
        const char *want[5];
    } rows[] = {
        { 0, { "ab", "cdef", "gh" } },          /* default: the largest datagram */
        { 0xFFFFFFFF, { "ab", "cdef", "gh" } }, /* no limit */
        { 3, { "ab", "cde", "f", "gh" } },
        { 1, { "a", "b", "c", "d", "e" } },     /* ... "f", "g", "h" */
    };
    WSAOVERLAPPED ov;
    char buf[16];
    int err = 0;

    (void) state;
    assert_int_equal(x_packets(tw, tw->pc, &x.f, x.u, el, 4, 0, NULL, 0), WSAENOTCONN);
    udp_fx_connect(&x);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        print_message("nSendSize %u\n", (unsigned) rows[i].send_size);
        ov_init(tw, &ov);
        assert_int_equal(x_packets(tw, tw->pc, &x.f, x.u, el, 4, rows[i].send_size, &ov, 0), 0);
        assert_true(signalled(tw, ov.hEvent)); /* datagrams never wait */
        assert_int_equal(ov.InternalHigh, 8);
        test_world_run(tw, SIM_SEC);
        test_world_use(tw, tw->ps);
        for (size_t k = 0; k < G_N_ELEMENTS(rows[i].want) && rows[i].want[k] != NULL; k++) {
            assert_int_equal(test_recv(x.r, buf, sizeof buf, 0, &err), strlen(rows[i].want[k]));
            assert_string_equal(buf, rows[i].want[k]);
        }
        while (test_recv(x.r, buf, sizeof buf, 0, &err) > 0)
            ;
    }
    test_world_free(tw);
}

/* TransmitFile without a file: the head and the tail; nothing at all
 * without buffers; blocking and overlapped. */
static void
test_wsp_extension_transmitfile_head_tail(void **state)
{
    TestWorld *tw = ext_world();
    MsgFns f = msg_fns(tw);
    TRANSMIT_FILE_BUFFERS tfb = { (PVOID) "HEAD", 4, (PVOID) "TAIL!", 5 };
    WSAOVERLAPPED ov;
    DWORD bytes = 0, flags = 0;
    guint8 got[16];
    ExtCall c;
    SOCKET cl, a;
    bool eof;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &cl, &a);
    c = (ExtCall){ .kind = X_TRANSMIT_FILE, .fn = (void *) f.transmit_file, .s = a };
    assert_int_equal(ext_run(tw, tw->ps, &c), 0); /* nothing to send */
    assert_int_equal(drain_stream(tw, cl, got, sizeof got, &eof), 0);
    c.tfb = &tfb;
    c.len = 12345; /* no file: ignored */
    assert_int_equal(ext_run(tw, tw->ps, &c), 0);
    assert_int_equal(drain_stream(tw, cl, got, 9, &eof), 9);
    assert_memory_equal(got, "HEADTAIL!", 9);
    ov_init(tw, &ov);
    c.ov = &ov;
    assert_int_equal(ext_run(tw, tw->ps, &c), 0); /* it fits: TRUE, completion issued */
    assert_true(signalled(tw, ov.hEvent));
    assert_true(WSPGetOverlappedResult(a, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 9);
    assert_int_equal(drain_stream(tw, cl, got, 9, &eof), 9);
    assert_memory_equal(got, "HEADTAIL!", 9);
    test_world_free(tw);
}

/* Closing the socket ends a pending TransmitPackets (and WSARecvMsg) with
 * WSA_OPERATION_ABORTED, its event signalled. */
static void
test_wsp_extension_close_aborts_transmit(void **state)
{
    TestWorld *tw = ext_world();
    MsgFns f = msg_fns(tw);
    static char data[8000];
    TRANSMIT_PACKETS_ELEMENT el[1] = { mem_el(data, sizeof data, false) };
    WSAOVERLAPPED ov, rov;
    MsgBuf mb;
    SOCKET cl, a, r;
    int err = 0;

    (void) state;
    connect_pair(tw, PORT, &cl, &a);
    test_world_use(tw, tw->ps);
    set_opt(a, SOL_SOCKET, SO_SNDBUF, 1000);
    ov_init(tw, &ov);
    assert_int_equal(x_packets(tw, tw->ps, &f, a, el, 1, 0, &ov, 0), WSA_IO_PENDING);
    r = udp_socket(tw, tw->ps, "10.0.0.2", PORT);
    ov_init(tw, &rov);
    msg_init(&mb);
    assert_int_equal(x_recvmsg(tw, tw->ps, &f, r, &mb.m, NULL, &rov), WSA_IO_PENDING);
    assert_false(signalled(tw, ov.hEvent));
    assert_int_equal(WSPCloseSocket(a, &err), 0);
    assert_int_equal(WSPCloseSocket(r, &err), 0);
    assert_true(signalled(tw, ov.hEvent));
    assert_int_equal((DWORD) ov.Internal, WSA_OPERATION_ABORTED);
    assert_true(signalled(tw, rov.hEvent));
    assert_int_equal((DWORD) rov.Internal, WSA_OPERATION_ABORTED);
    test_world_run(tw, SIM_SEC);
    test_world_free(tw);
}

/* ---- TF_REUSE_SOCKET ----------------------------------------------------------- */

/* Receive exactly @want from @s (of @pid), then, with @eof, the end. */
static void
recv_check(TestWorld *tw, SimProcessId pid, SOCKET s, const char *want, bool eof)
{
    char buf[64];
    int err = 0;

    test_world_use(tw, pid);
    memset(buf, 0, sizeof buf);
    assert_int_equal(test_recv(s, buf, sizeof buf, 0, &err), (int) strlen(want));
    assert_memory_equal(buf, want, strlen(want));
    if (eof)
        assert_int_equal(test_recv(s, buf, sizeof buf, 0, &err), 0);
}

/* A reused socket not connected again: no peer, nothing to send or
 * receive; getsockname tells whether it kept its binding (@port, 0 for
 * unbound: WSAEINVAL). */
static void
check_reused(SOCKET s, int port)
{
    SOCKADDR_STORAGE ss;
    char buf[8];
    WSABUF b = { sizeof buf, buf };
    DWORD n = 0, flags = 0;
    int len = (int) sizeof ss, err = 0;

    assert_int_equal(WSPGetPeerName(s, (struct sockaddr *) &ss, &len, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTCONN);
    assert_int_equal(WSPSend(s, &b, 1, &n, 0, NULL, NULL, NULL, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTCONN);
    assert_int_equal(WSPRecv(s, &b, 1, &n, &flags, NULL, NULL, NULL, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAENOTCONN);
    len = (int) sizeof ss;
    if (port == 0) {
        assert_int_equal(WSPGetSockName(s, (struct sockaddr *) &ss, &len, &err), SOCKET_ERROR);
        assert_int_equal(err, WSAEINVAL);
    } else {
        assert_int_equal(WSPGetSockName(s, (struct sockaddr *) &ss, &len, &err), 0);
        assert_int_equal(g_ntohs(((struct sockaddr_in *) &ss)->sin_port), port);
    }
}

static int
local_port(SOCKET s)
{
    SOCKADDR_STORAGE ss;
    int len = (int) sizeof ss, err = 0;

    assert_int_equal(WSPGetSockName(s, (struct sockaddr *) &ss, &len, &err), 0);
    return g_ntohs(((struct sockaddr_in *) &ss)->sin_port);
}

static int
peer_port(SOCKET s)
{
    SOCKADDR_STORAGE ss;
    int len = (int) sizeof ss, err = 0;

    assert_int_equal(WSPGetPeerName(s, (struct sockaddr *) &ss, &len, &err), 0);
    return g_ntohs(((struct sockaddr_in *) &ss)->sin_port);
}

/* AcceptEx on @ac->as with a first receive of up to 16 bytes, for a new
 * client of pc that sends @msg: the request completes with it.  Returns
 * the client's socket. */
static SOCKET
accept_first(TestWorld *tw, const MsgFns *f, AcceptCase *ac, const char *msg)
{
    DWORD got = 0, bytes = 0, flags = 0;
    SOCKET c;
    int err = 0;

    test_world_use(tw, tw->ps);
    ov_init(tw, &ac->ov);
    assert_int_equal(x_accept(tw, f->accept_ex, ac->l, ac->as, ac->out, 16, ADDR_LEN, ADDR_LEN,
                              &got, &ac->ov),
                     WSA_IO_PENDING);
    c = client_connect(tw);
    test_world_run(tw, 100 * SIM_MSEC);
    test_send_str(c, msg);
    test_world_run(tw, 100 * SIM_MSEC);
    test_world_use(tw, tw->ps);
    assert_true(WSPGetOverlappedResult(ac->l, &ac->ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, strlen(msg));
    assert_memory_equal(ac->out, msg, strlen(msg));
    return c;
}

/* ConnectEx of @c (pc) to 10.0.0.2:@port with @msg as its data, then the
 * server's WSPAccept on @l, whose peer is @c's port, receiving @msg.
 * Returns the accepted socket. */
static SOCKET
connect_first(TestWorld *tw, const MsgFns *f, SOCKET c, SOCKET l, int port, const char *msg)
{
    SOCKADDR_STORAGE ss;
    WSAOVERLAPPED ov;
    char data[32];
    DWORD bytes = 0, flags = 0;
    SOCKET a;
    int len, cport, err = 0;

    test_world_use(tw, tw->pc);
    g_strlcpy(data, msg, sizeof data);
    ss = test_sa("10.0.0.2", port, &len);
    ov_init(tw, &ov);
    assert_int_equal(x_connect(tw, f->connect_ex, c, &ss, len, data, (DWORD) strlen(data), NULL,
                               &ov),
                     WSA_IO_PENDING);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_true(WSPGetOverlappedResult(c, &ov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, strlen(data));
    cport = local_port(c);
    test_world_use(tw, tw->ps);
    a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
    assert_true(a != INVALID_SOCKET);
    assert_int_equal(peer_port(a), cport);
    if (data[0] != '\0')
        recv_check(tw, tw->ps, a, data, false);
    return a;
}

/* A server accepts with AcceptEx, serves, disconnects with
 * DisconnectEx(TF_REUSE_SOCKET) and accepts the next client on the same
 * handle.  It closes first the first time: the disconnect completes only
 * once TIME_WAIT (2 x MSL = 2 s) is over, and until then the handle cannot
 * go to AcceptEx.  The client closes first the second time: it completes
 * as soon as our FIN is acknowledged.  The reused socket is "neither bound
 * nor connected" (so not for ConnectEx) and keeps its event registration. */
static void
test_wsp_extension_reuse_acceptex(void **state)
{
    TestWorld *tw = ext_world();
    MsgFns f = msg_fns(tw);
    AcceptCase ac;
    WSANETWORKEVENTS ne;
    WSAOVERLAPPED dov, cov;
    SOCKADDR_STORAGE ss;
    WSAEVENT ev;
    DWORD got = 0, bytes = 42, flags = 0;
    char buf[16];
    SOCKET c1, c2;
    int len, err = 0;

    (void) state;
    accept_setup(tw, &ac);
    ev = wspsim_os_event_create(tw->world, TRUE, FALSE);
    assert_int_equal(WSPEventSelect(ac.as, ev, FD_READ | FD_CLOSE, &err), 0);
    c1 = accept_first(tw, &f, &ac, "request one");
    test_send_str(ac.as, "reply one");
    ov_init(tw, &dov);
    assert_int_equal(x_disconnect(tw, tw->ps, f.disconnect_ex, ac.as, &dov, TF_REUSE_SOCKET, 0),
                     WSA_IO_PENDING);
    test_world_run(tw, 100 * SIM_MSEC);
    recv_check(tw, tw->pc, c1, "reply one", true);
    test_close(c1); /* its FIN: we are in TIME_WAIT */
    test_world_run(tw, 100 * SIM_MSEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(WSPEnumNetworkEvents(ac.as, ev, &ne, &err), 0);
    assert_true(ne.lNetworkEvents & FD_CLOSE);
    /* Not reusable before TIME_WAIT ends. */
    assert_int_equal(x_accept(tw, f.accept_ex, ac.l, ac.as, ac.out, 16, ADDR_LEN, ADDR_LEN, &got,
                              &ac.ov),
                     WSAEINVAL);
    test_world_run(tw, 1700 * SIM_MSEC);
    assert_false(signalled(tw, dov.hEvent));
    test_world_run(tw, 300 * SIM_MSEC);
    assert_true(signalled(tw, dov.hEvent));
    assert_true(WSPGetOverlappedResult(ac.as, &dov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 0);
    check_reused(ac.as, 0);
    ss = test_sa("10.0.0.2", PORT + 1, &len);
    ov_init(tw, &cov);
    {
        ExtCall cx = { .kind = X_CONNECT, .fn = (void *) f.connect_ex, .s = ac.as,
                       .name = (const struct sockaddr *) &ss, .namelen = len, .ov = &cov };

        assert_int_equal(ext_run(tw, tw->ps, &cx), WSAEINVAL); /* unbound: not for ConnectEx */
    }

    /* The second client, on the same handle. */
    c2 = accept_first(tw, &f, &ac, "request two");
    test_world_use(tw, tw->pc);
    len = local_port(c2);
    test_world_use(tw, tw->ps);
    assert_int_equal(peer_port(ac.as), len);
    test_send_str(ac.as, "reply two");
    test_world_run(tw, 100 * SIM_MSEC);
    recv_check(tw, tw->pc, c2, "reply two", false);
    test_close(c2); /* the client closes first now */
    test_world_run(tw, 100 * SIM_MSEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(test_recv(ac.as, buf, sizeof buf, 0, &err), 0);
    assert_int_equal(WSPEnumNetworkEvents(ac.as, ev, &ne, &err), 0);
    assert_true(ne.lNetworkEvents & FD_CLOSE); /* the registration stayed */
    ov_init(tw, &dov);
    assert_int_equal(x_disconnect(tw, tw->ps, f.disconnect_ex, ac.as, &dov, TF_REUSE_SOCKET, 0),
                     WSA_IO_PENDING);
    test_world_run(tw, 50 * SIM_MSEC); /* LAST_ACK: no TIME_WAIT */
    assert_true(signalled(tw, dov.hEvent));
    assert_true(WSPGetOverlappedResult(ac.as, &dov, &bytes, FALSE, &flags, &err));
    check_reused(ac.as, 0);
    test_world_free(tw);
}

typedef struct {
    LPFN_DISCONNECTEX fn;
    SOCKET s;
    WSAOVERLAPPED ov;
    BOOL ok;
    DWORD bytes;
    int err;
} ReuseWaiter;

/* DisconnectEx(TF_REUSE_SOCKET) overlapped without an event, then
 * WSPGetOverlappedResult waiting for it. */
static void
actor_reuse_wait(void *data)
{
    ReuseWaiter *w = data;
    DWORD flags = 0;

    memset(&w->ov, 0, sizeof w->ov);
    assert_false(w->fn(w->s, &w->ov, TF_REUSE_SOCKET, 0));
    assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
    w->ok = WSPGetOverlappedResult(w->s, &w->ov, &w->bytes, TRUE, &flags, &w->err);
}

/* A client connects with ConnectEx, disconnects with
 * DisconnectEx(TF_REUSE_SOCKET) and connects again on the same handle,
 * without binding it again: the reused socket is "not connected, but still
 * bound", to the same port.  Blocking, and overlapped without an event. */
static void
test_wsp_extension_reuse_connectex(void **state)
{
    TestWorld *tw = ext_world();
    MsgFns f = msg_fns(tw);
    ReuseWaiter w = { .fn = f.disconnect_ex };
    WSAOVERLAPPED ov;
    ExtCall dc;
    char out[2 * ADDR_LEN];
    DWORD got = 0;
    SOCKET l, lc, c, a;
    int port;

    (void) state;
    test_world_use(tw, tw->ps);
    l = ov_socket();
    test_bind(l, "0.0.0.0", PORT);
    test_listen(l);
    test_world_use(tw, tw->pc);
    c = ov_socket();
    test_bind(c, "0.0.0.0", 0);
    port = local_port(c);
    a = connect_first(tw, &f, c, l, PORT, "hello one");

    /* Blocking: returns once the connection is over, TIME_WAIT included. */
    dc = (ExtCall){ .kind = X_DISCONNECT, .fn = (void *) f.disconnect_ex, .s = c,
                    .flags = TF_REUSE_SOCKET };
    ext_spawn(tw, tw->pc, &dc);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_int_equal(dc.result, -1);
    recv_check(tw, tw->ps, a, "", true);
    test_close(a);
    test_world_run(tw, 1800 * SIM_MSEC);
    assert_int_equal(dc.result, -1);
    test_world_run(tw, 300 * SIM_MSEC);
    assert_int_equal(dc.result, 0);
    test_world_use(tw, tw->pc);
    check_reused(c, port);
    /* Not an accept socket: it is bound. */
    lc = ov_socket();
    test_bind(lc, "10.0.0.1", PORT);
    test_listen(lc);
    {
        ExtCall ax = { .kind = X_ACCEPT, .fn = (void *) f.accept_ex, .s = lc, .s2 = c,
                       .buf = out, .llen = ADDR_LEN, .rlen = ADDR_LEN, .bytes = &got, .ov = &ov };

        assert_int_equal(ext_run(tw, tw->pc, &ax), WSAEINVAL);
    }

    /* ConnectEx again, no bind: the same local port. */
    a = connect_first(tw, &f, c, l, PORT, "hello two");
    test_world_use(tw, tw->pc);
    assert_int_equal(local_port(c), port);
    test_world_use(tw, tw->ps);
    test_send_str(a, "welcome back");
    test_world_run(tw, 100 * SIM_MSEC);
    recv_check(tw, tw->pc, c, "welcome back", false);

    /* Overlapped without an event: WSPGetOverlappedResult waits. */
    w.s = c;
    test_world_spawn(tw, tw->pc, "reuse", actor_reuse_wait, &w);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_false(w.ok);
    recv_check(tw, tw->ps, a, "", true);
    test_close(a);
    test_world_run(tw, 2100 * SIM_MSEC);
    assert_true(w.ok);
    assert_int_equal(w.bytes, 0);
    test_world_use(tw, tw->pc);
    check_reused(c, port);
    test_world_free(tw);
}

/* TransmitFile and TransmitPackets with TF_DISCONNECT | TF_REUSE_SOCKET:
 * the data, the FIN, then reuse as the disconnect does.  TransmitFile's
 * rule: it completes only once the peer's data has been read.  An AcceptEx
 * socket goes back to AcceptEx; a ConnectEx one to ConnectEx. */
static void
test_wsp_extension_reuse_transmit(void **state)
{
    TestWorld *tw = ext_world();
    MsgFns f = msg_fns(tw);
    TRANSMIT_FILE_BUFFERS tfb = { (PVOID) "file one:", 9, (PVOID) ":end", 4 };
    TRANSMIT_PACKETS_ELEMENT el[2] = { mem_el("one ", 4, false), mem_el("two", 3, true) };
    AcceptCase ac;
    WSAOVERLAPPED tov;
    ExtCall tc;
    DWORD got = 0, bytes = 0, flags = 0;
    SOCKET c, l, a;
    int port, err = 0;

    (void) state;
    accept_setup(tw, &ac);
    assert_int_equal(x_accept(tw, f.accept_ex, ac.l, ac.as, ac.out, 0, ADDR_LEN, ADDR_LEN, &got,
                              &ac.ov),
                     WSA_IO_PENDING);
    c = client_connect(tw);
    test_world_run(tw, 100 * SIM_MSEC);
    test_world_use(tw, tw->ps);
    assert_true(signalled(tw, ac.ov.hEvent));
    ov_init(tw, &tov);
    assert_int_equal(x_file(tw, tw->ps, &f, ac.as, &tfb, &tov, TF_DISCONNECT | TF_REUSE_SOCKET),
                     WSA_IO_PENDING);
    test_world_run(tw, 100 * SIM_MSEC);
    recv_check(tw, tw->pc, c, "file one::end", true);
    test_send_str(c, "unread"); /* the server does not read it yet */
    test_close(c);
    test_world_run(tw, 2500 * SIM_MSEC); /* TIME_WAIT is over */
    test_world_use(tw, tw->ps);
    assert_false(signalled(tw, tov.hEvent));
    recv_check(tw, tw->ps, ac.as, "unread", false);
    test_world_run(tw, SIM_MSEC);
    assert_true(signalled(tw, tov.hEvent));
    assert_true(WSPGetOverlappedResult(ac.as, &tov, &bytes, FALSE, &flags, &err));
    assert_int_equal(bytes, 13);
    check_reused(ac.as, 0);
    accept_first(tw, &f, &ac, "again");

    /* TransmitPackets, blocking, on a ConnectEx socket. */
    test_world_use(tw, tw->ps);
    l = ov_socket();
    test_bind(l, "0.0.0.0", PORT + 1);
    test_listen(l);
    test_world_use(tw, tw->pc);
    c = ov_socket();
    test_bind(c, "0.0.0.0", 0);
    port = local_port(c);
    a = connect_first(tw, &f, c, l, PORT + 1, "");
    tc = (ExtCall){ .kind = X_TRANSMIT_PACKETS, .fn = (void *) f.transmit_packets, .s = c,
                    .el = el, .len = 2, .flags = TF_DISCONNECT | TF_REUSE_SOCKET };
    ext_spawn(tw, tw->pc, &tc);
    test_world_run(tw, 100 * SIM_MSEC);
    assert_int_equal(tc.result, -1);
    recv_check(tw, tw->ps, a, "one two", true);
    test_close(a);
    test_world_run(tw, 2100 * SIM_MSEC);
    assert_int_equal(tc.result, 0);
    test_world_use(tw, tw->pc);
    check_reused(c, port);
    connect_first(tw, &f, c, l, PORT + 1, "three");
    test_world_use(tw, tw->pc);
    assert_int_equal(local_port(c), port);
    test_world_free(tw);
}

/* ---- The documented errors, one fresh world a row ------------------------------ */

typedef struct {
    TestWorld *tw;
    MsgFns f;
    SOCKET tcp, tcp_peer;      /* a connected stream pair; tcp is pc's */
    SOCKET tcp_new;            /* a stream socket, unconnected */
    SOCKET udp;                /* datagram, bound to 10.0.0.1, unconnected */
    SOCKET udp_conn;           /* datagram connected to 10.0.0.2:PORT */
    SOCKET udp_new;            /* datagram, unbound */
    SOCKET plain;              /* datagram without WSA_FLAG_OVERLAPPED, connected */
    SOCKET closed;             /* a closed handle of pc */
    SimProcessId nostart;      /* a process without WSPStartup */
    WSAOVERLAPPED ov;
    DWORD n;
    char data[16];
    WSABUF b;
    SOCKADDR_STORAGE name, to;
    WSAMSG rm, sm;             /* valid WSARecvMsg / WSASendMsg headers */
    TRANSMIT_PACKETS_ELEMENT el[2];
    TRANSMIT_FILE_BUFFERS tfb;
} ErrFx;

static void
efx_init(ErrFx *x)
{
    TestWorld *tw = ext_world();
    int err = 0;

    memset(x, 0, sizeof *x);
    x->tw = tw;
    x->f = msg_fns(tw);
    connect_pair(tw, PORT, &x->tcp, &x->tcp_peer);
    x->to = test_sa("10.0.0.2", PORT, NULL);
    test_world_use(tw, tw->pc);
    x->tcp_new = ov_socket();
    x->udp = udp_socket(tw, tw->pc, "10.0.0.1", PORT + 1);
    x->udp_conn = udp_socket(tw, tw->pc, "10.0.0.1", PORT + 2);
    x->udp_new = udp_socket(tw, tw->pc, NULL, 0);
    x->plain = WSPSocket(AF_INET, SOCK_DGRAM, 0, NULL, 0, 0, &err);
    assert_true(x->plain != INVALID_SOCKET);
    assert_int_equal(WSPConnect(x->udp_conn, (struct sockaddr *) &x->to,
                                sizeof(struct sockaddr_in), NULL, NULL, NULL, NULL, &err),
                     0);
    assert_int_equal(WSPConnect(x->plain, (struct sockaddr *) &x->to, sizeof(struct sockaddr_in),
                                NULL, NULL, NULL, NULL, &err),
                     0);
    x->closed = ov_socket();
    test_close(x->closed);
    x->nostart = sim_process_new(tw->world, tw->client, "nostart");
    x->b = (WSABUF){ 4, x->data };
    x->rm = (WSAMSG){ (LPSOCKADDR) &x->name, sizeof x->name, &x->b, 1, { 0, NULL }, 0 };
    x->sm = (WSAMSG){ (LPSOCKADDR) &x->to, sizeof(struct sockaddr_in), &x->b, 1, { 0, NULL }, 0 };
    x->el[0] = mem_el("abcd", 4, false);
    x->el[1] = mem_el("efgh", 4, true);
    x->tfb = (TRANSMIT_FILE_BUFFERS){ (PVOID) "head", 4, (PVOID) "tail", 4 };
}

/* The calls, from an actor of pc (@pid: another process). */
static SimProcessId
e_pid(const ErrFx *x, SimProcessId pid)
{
    return pid != 0 ? pid : x->tw->pc;
}

static int
e_recvmsg(ErrFx *x, SimProcessId pid, SOCKET s, WSAMSG *m, LPWSAOVERLAPPED ov)
{
    return x_recvmsg(x->tw, e_pid(x, pid), &x->f, s, m, &x->n, ov);
}

static int
e_sendmsg(ErrFx *x, SimProcessId pid, SOCKET s, WSAMSG *m, DWORD flags, LPDWORD sent,
          LPWSAOVERLAPPED ov)
{
    return x_sendmsg(x->tw, e_pid(x, pid), &x->f, s, m, flags, sent, ov);
}

static int
e_packets(ErrFx *x, SimProcessId pid, SOCKET s, TRANSMIT_PACKETS_ELEMENT *el, DWORD n,
          DWORD send_size, LPOVERLAPPED ov, DWORD flags)
{
    return x_packets(x->tw, e_pid(x, pid), &x->f, s, el, n, send_size, ov, flags);
}

static int
e_file(ErrFx *x, SimProcessId pid, SOCKET s, HANDLE file, DWORD len,
       LPTRANSMIT_FILE_BUFFERS tfb, LPOVERLAPPED ov, DWORD flags)
{
    ExtCall c = { .kind = X_TRANSMIT_FILE, .fn = (void *) x->f.transmit_file, .s = s,
                  .file = file, .len = len, .tfb = tfb, .ov = ov, .flags = flags };

    return ext_run(x->tw, e_pid(x, pid), &c);
}

/* WSARecvMsg */
static int r_bogus(ErrFx *x) { return e_recvmsg(x, 0, (SOCKET) 0x7777, &x->rm, NULL); }
static int r_closed(ErrFx *x) { return e_recvmsg(x, 0, x->closed, &x->rm, NULL); }
static int r_nostart(ErrFx *x) { return e_recvmsg(x, x->nostart, x->udp, &x->rm, NULL); }
static int r_null(ErrFx *x) { return e_recvmsg(x, 0, x->udp, NULL, NULL); }
static int r_name_null(ErrFx *x) { x->rm.name = NULL; return e_recvmsg(x, 0, x->udp, &x->rm, NULL); }
static int r_name_short(ErrFx *x) { x->rm.namelen = 4; return e_recvmsg(x, 0, x->udp, &x->rm, NULL); }
static int r_control_null(ErrFx *x) { x->rm.Control.len = 8; return e_recvmsg(x, 0, x->udp, &x->rm, NULL); }
static int r_bufs_null(ErrFx *x) { x->rm.lpBuffers = NULL; return e_recvmsg(x, 0, x->udp, &x->rm, NULL); }
static int r_buf_null(ErrFx *x) { x->b.buf = NULL; return e_recvmsg(x, 0, x->udp, &x->rm, NULL); }
static int r_count_null(ErrFx *x) { return x_recvmsg(x->tw, x->tw->pc, &x->f, x->udp, &x->rm, NULL, NULL); }
static int r_stream(ErrFx *x) { return e_recvmsg(x, 0, x->tcp, &x->rm, NULL); }
static int r_oob(ErrFx *x) { x->rm.dwFlags = MSG_OOB; return e_recvmsg(x, 0, x->udp, &x->rm, NULL); }
static int r_waitall(ErrFx *x) { x->rm.dwFlags = MSG_WAITALL; return e_recvmsg(x, 0, x->udp, &x->rm, NULL); }
static int r_unbound(ErrFx *x) { return e_recvmsg(x, 0, x->udp_new, &x->rm, NULL); }
static int r_ov_plain(ErrFx *x) { return e_recvmsg(x, 0, x->plain, &x->rm, &x->ov); }
static int r_peek_ov(ErrFx *x) { x->rm.dwFlags = MSG_PEEK; return e_recvmsg(x, 0, x->udp, &x->rm, &x->ov); }

/* WSASendMsg */
static int s_bogus(ErrFx *x) { return e_sendmsg(x, 0, (SOCKET) 0x7777, &x->sm, 0, &x->n, NULL); }
static int s_closed(ErrFx *x) { return e_sendmsg(x, 0, x->closed, &x->sm, 0, &x->n, NULL); }
static int s_nostart(ErrFx *x) { return e_sendmsg(x, x->nostart, x->udp, &x->sm, 0, &x->n, NULL); }
static int s_null(ErrFx *x) { return e_sendmsg(x, 0, x->udp, NULL, 0, &x->n, NULL); }
static int s_name_null(ErrFx *x) { x->sm.name = NULL; return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL); }
static int s_name_short(ErrFx *x) { x->sm.namelen = 4; return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL); }
static int s_control_null(ErrFx *x) { x->sm.Control.len = 8; return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL); }
static int s_control(ErrFx *x)
{
    x->sm.Control = (WSABUF){ sizeof x->data, x->data };
    return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL);
}
static int s_bufs_null(ErrFx *x) { x->sm.lpBuffers = NULL; return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL); }
static int s_count_null(ErrFx *x) { return e_sendmsg(x, 0, x->udp, &x->sm, 0, NULL, NULL); }
static int s_stream(ErrFx *x) { return e_sendmsg(x, 0, x->tcp, &x->sm, 0, &x->n, NULL); }
static int s_partial(ErrFx *x) { return e_sendmsg(x, 0, x->udp, &x->sm, MSG_PARTIAL, &x->n, NULL); }
static int s_oob(ErrFx *x) { return e_sendmsg(x, 0, x->udp, &x->sm, MSG_OOB, &x->n, NULL); }
static int s_unknown(ErrFx *x) { return e_sendmsg(x, 0, x->udp, &x->sm, MSG_PEEK, &x->n, NULL); }
static int s_noname(ErrFx *x)
{
    x->sm.name = NULL;
    x->sm.namelen = 0;
    return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL);
}
static int s_family(ErrFx *x)
{
    x->sm.name = (LPSOCKADDR) &x->name;
    x->name = test_sa("fd00::2", PORT, &x->sm.namelen);
    return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL);
}
static int s_broadcast(ErrFx *x)
{
    x->to = test_sa("10.0.0.255", PORT, NULL);
    return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL);
}
static int s_too_big(ErrFx *x)
{
    static char big[65508];
    WSABUF b = { sizeof big, big };

    x->sm.lpBuffers = &b;
    return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL);
}
static int s_ov_plain(ErrFx *x) { return e_sendmsg(x, 0, x->plain, &x->sm, 0, NULL, &x->ov); }
static int s_shutdown(ErrFx *x)
{
    int err = 0;

    assert_int_equal(WSPShutdown(x->udp, SD_SEND, &err), 0);
    return e_sendmsg(x, 0, x->udp, &x->sm, 0, &x->n, NULL);
}

/* TransmitPackets */
static int p_bogus(ErrFx *x) { return e_packets(x, 0, (SOCKET) 0x7777, x->el, 2, 0, NULL, 0); }
static int p_closed(ErrFx *x) { return e_packets(x, 0, x->closed, x->el, 2, 0, NULL, 0); }
static int p_nostart(ErrFx *x) { return e_packets(x, x->nostart, x->tcp, x->el, 2, 0, NULL, 0); }
static int p_array_null(ErrFx *x) { return e_packets(x, 0, x->tcp, NULL, 2, 0, NULL, 0); }
static int p_buffer_null(ErrFx *x) { x->el[1].pBuffer = NULL; return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, 0); }
static int p_el_none(ErrFx *x) { x->el[1].dwElFlags = TP_ELEMENT_EOP; return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, 0); }
static int p_el_both(ErrFx *x) { x->el[1].dwElFlags |= TP_ELEMENT_FILE; return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, 0); }
static int p_el_unknown(ErrFx *x) { x->el[1].dwElFlags |= 0x100; return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, 0); }
static int p_file(ErrFx *x)
{
    x->el[1] = (TRANSMIT_PACKETS_ELEMENT){ .dwElFlags = TP_ELEMENT_FILE, .cLength = 0 };
    x->el[1].hFile = (HANDLE) (uintptr_t) 0x1234;
    x->el[1].nFileOffset.QuadPart = -1;
    return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, 0);
}
static int p_file_huge(ErrFx *x)
{
    x->el[1] = (TRANSMIT_PACKETS_ELEMENT){ .dwElFlags = TP_ELEMENT_FILE, .cLength = 0xFFFFFFFF };
    x->el[1].hFile = (HANDLE) (uintptr_t) 0x1234;
    return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, 0);
}
static int p_unconnected(ErrFx *x) { return e_packets(x, 0, x->tcp_new, x->el, 2, 0, NULL, 0); }
static int p_udp_unconnected(ErrFx *x) { return e_packets(x, 0, x->udp, x->el, 2, 0, NULL, 0); }
static int p_reuse(ErrFx *x) { return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, TF_REUSE_SOCKET); }
static int p_flags(ErrFx *x) { return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, 0x100); }
static int p_udp_disconnect(ErrFx *x) { return e_packets(x, 0, x->udp_conn, x->el, 2, 0, NULL, TF_DISCONNECT); }
static int p_ov_plain(ErrFx *x) { return e_packets(x, 0, x->plain, x->el, 2, 0, &x->ov, 0); }
static int p_too_big(ErrFx *x)
{
    static char big[65508];

    x->el[1] = mem_el(big, sizeof big, false);
    return e_packets(x, 0, x->udp_conn, x->el, 2, 0xFFFFFFFF, NULL, 0);
}
static int p_shutdown(ErrFx *x)
{
    int err = 0;

    assert_int_equal(WSPShutdown(x->tcp, SD_SEND, &err), 0);
    return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, 0);
}

/* TransmitFile */
static int f_bogus(ErrFx *x) { return e_file(x, 0, (SOCKET) 0x7777, NULL, 0, &x->tfb, NULL, 0); }
static int f_closed(ErrFx *x) { return e_file(x, 0, x->closed, NULL, 0, &x->tfb, NULL, 0); }
static int f_nostart(ErrFx *x) { return e_file(x, x->nostart, x->tcp, NULL, 0, &x->tfb, NULL, 0); }
static int f_head_null(ErrFx *x) { x->tfb.Head = NULL; return e_file(x, 0, x->tcp, NULL, 0, &x->tfb, NULL, 0); }
static int f_tail_null(ErrFx *x) { x->tfb.Tail = NULL; return e_file(x, 0, x->tcp, NULL, 0, &x->tfb, NULL, 0); }
static int f_file(ErrFx *x) { return e_file(x, 0, x->tcp, (HANDLE) (uintptr_t) 0x1234, 0, &x->tfb, NULL, 0); }
static int f_file_invalid(ErrFx *x) { return e_file(x, 0, x->tcp, INVALID_HANDLE_VALUE, 0, NULL, NULL, 0); }
static int f_file_huge(ErrFx *x) { return e_file(x, 0, x->tcp, (HANDLE) (uintptr_t) 0x1234, 0x7FFFFFFF, NULL, NULL, 0); }
static int f_udp(ErrFx *x) { return e_file(x, 0, x->udp_conn, NULL, 0, &x->tfb, NULL, 0); }
static int f_udp_unconnected(ErrFx *x) { return e_file(x, 0, x->udp, NULL, 0, NULL, NULL, 0); }
static int f_unconnected(ErrFx *x) { return e_file(x, 0, x->tcp_new, NULL, 0, NULL, NULL, TF_REUSE_SOCKET); }
static int f_reuse(ErrFx *x) { return e_file(x, 0, x->tcp, NULL, 0, &x->tfb, NULL, TF_REUSE_SOCKET); }
static int f_flags(ErrFx *x) { return e_file(x, 0, x->tcp, NULL, 0, &x->tfb, NULL, 0x80); }
static int f_shutdown(ErrFx *x)
{
    int err = 0;

    assert_int_equal(WSPShutdown(x->tcp, SD_SEND, &err), 0);
    return e_file(x, 0, x->tcp, NULL, 0, &x->tfb, NULL, 0);
}
static int f_reset(ErrFx *x)
{
    LINGER l = { 1, 0 };
    int err = 0;

    test_world_use(x->tw, x->tw->ps);
    assert_int_equal(WSPSetSockOpt(x->tcp_peer, SOL_SOCKET, SO_LINGER, (const char *) &l,
                                   sizeof l, &err),
                     0);
    test_close(x->tcp_peer); /* abortive: a reset */
    test_world_run(x->tw, SIM_SEC);
    return e_file(x, 0, x->tcp, NULL, 0, &x->tfb, NULL, 0);
}


/* DisconnectEx, and the reuse a TF_REUSE_SOCKET one prepares */
static int
e_disconnect(ErrFx *x, SimProcessId pid, SOCKET s, DWORD flags)
{
    ExtCall c = { .kind = X_DISCONNECT, .fn = (void *) x->f.disconnect_ex, .s = s, .flags = flags };

    return ext_run(x->tw, e_pid(x, pid), &c);
}
/* tcp (pc, non-blocking) starts a TF_REUSE_SOCKET disconnect that cannot
 * finish yet: TRUE once the FIN is queued, the rest later. */
static void
reuse_start(ErrFx *x)
{
    assert_int_equal(e_disconnect(x, 0, x->tcp, TF_REUSE_SOCKET), 0);
}
/* tcp (pc) or, with @accepted, tcp_peer (ps) reused: it disconnects with
 * TF_REUSE_SOCKET, the other side ends its half, TIME_WAIT passes. */
static SOCKET
reuse_done(ErrFx *x, bool accepted)
{
    SOCKET s = accepted ? x->tcp_peer : x->tcp, o = accepted ? x->tcp : x->tcp_peer;
    SimProcessId ps = accepted ? x->tw->ps : x->tw->pc, po = accepted ? x->tw->pc : x->tw->ps;
    int err = 0;

    test_world_use(x->tw, ps);
    set_nonblocking(s);
    assert_int_equal(e_disconnect(x, ps, s, TF_REUSE_SOCKET), 0);
    test_world_run(x->tw, 100 * SIM_MSEC);
    test_world_use(x->tw, po);
    assert_int_equal(WSPShutdown(o, SD_SEND, &err), 0);
    test_world_run(x->tw, 3 * SIM_SEC);
    test_world_use(x->tw, ps);
    return s;
}
/* AcceptEx from a listener of pc, @as the accept socket. */
static int
e_accept(ErrFx *x, SimProcessId pid, SOCKET as)
{
    static char out[2 * ADDR_LEN];
    SOCKET l;
    DWORD got = 0;
    ExtCall c = { .kind = X_ACCEPT, .fn = (void *) x->f.accept_ex, .s2 = as, .buf = out,
                  .llen = ADDR_LEN, .rlen = ADDR_LEN, .bytes = &got, .ov = &x->ov };

    test_world_use(x->tw, e_pid(x, pid));
    l = ov_socket();
    test_bind(l, "0.0.0.0", PORT + 5);
    test_listen(l);
    c.s = l;
    return ext_run(x->tw, e_pid(x, pid), &c);
}
static int
e_connect(ErrFx *x, SimProcessId pid, SOCKET s)
{
    ExtCall c = { .kind = X_CONNECT, .fn = (void *) x->f.connect_ex, .s = s,
                  .name = (const struct sockaddr *) &x->to, .namelen = sizeof(struct sockaddr_in),
                  .ov = &x->ov };

    return ext_run(x->tw, e_pid(x, pid), &c);
}
static int d_disconnect_flag(ErrFx *x) { return e_disconnect(x, 0, x->tcp, TF_DISCONNECT); }
static int d_unconnected(ErrFx *x) { return e_disconnect(x, 0, x->tcp_new, TF_REUSE_SOCKET); }
static int d_udp(ErrFx *x) { return e_disconnect(x, 0, x->udp_conn, TF_REUSE_SOCKET); }
static int d_twice(ErrFx *x) { reuse_start(x); return e_disconnect(x, 0, x->tcp, TF_REUSE_SOCKET); }
static int d_plain_after(ErrFx *x) { reuse_start(x); return e_disconnect(x, 0, x->tcp, 0); }
static int d_reused(ErrFx *x) { return e_disconnect(x, 0, reuse_done(x, false), TF_REUSE_SOCKET); }
static int c_reuse_pending(ErrFx *x) { reuse_start(x); return e_connect(x, 0, x->tcp); }
static int c_reused_accepted(ErrFx *x) { return e_connect(x, x->tw->ps, reuse_done(x, true)); }
static int a_reuse_pending(ErrFx *x) { reuse_start(x); return e_accept(x, 0, x->tcp); }
static int a_reused_connected(ErrFx *x) { return e_accept(x, 0, reuse_done(x, false)); }
static int p_reuse_pending(ErrFx *x)
{
    reuse_start(x);
    return e_packets(x, 0, x->tcp, x->el, 2, 0, NULL, TF_DISCONNECT | TF_REUSE_SOCKET);
}
static int f_reuse_pending(ErrFx *x)
{
    reuse_start(x);
    return e_file(x, 0, x->tcp, NULL, 0, &x->tfb, NULL, TF_DISCONNECT | TF_REUSE_SOCKET);
}

typedef struct {
    const char *fn, *form;
    int (*call)(ErrFx *x);
    int want;
} ErrCase;

static const ErrCase err_cases[] = {
    { "WSARecvMsg", "s never a socket", r_bogus, WSAENOTSOCK },
    { "WSARecvMsg", "s closed", r_closed, WSAENOTSOCK },
    { "WSARecvMsg", "no WSPStartup", r_nostart, WSANOTINITIALISED },
    { "WSARecvMsg", "lpMsg NULL", r_null, WSAEFAULT },
    { "WSARecvMsg", "name NULL, namelen not 0", r_name_null, WSAEFAULT },
    { "WSARecvMsg", "namelen short", r_name_short, WSAEFAULT },
    { "WSARecvMsg", "Control.buf NULL, Control.len not 0", r_control_null, WSAEFAULT },
    { "WSARecvMsg", "lpBuffers NULL", r_bufs_null, WSAEFAULT },
    { "WSARecvMsg", "a buffer NULL", r_buf_null, WSAEFAULT },
    { "WSARecvMsg", "lpdwNumberOfBytesRecvd NULL, not overlapped", r_count_null, WSAEFAULT },
    { "WSARecvMsg", "stream socket", r_stream, WSAEOPNOTSUPP },
    { "WSARecvMsg", "dwFlags MSG_OOB", r_oob, WSAEOPNOTSUPP },
    { "WSARecvMsg", "dwFlags MSG_WAITALL", r_waitall, WSAEOPNOTSUPP },
    { "WSARecvMsg", "unbound", r_unbound, WSAEINVAL },
    { "WSARecvMsg", "overlapped, socket without WSA_FLAG_OVERLAPPED", r_ov_plain, WSAEINVAL },
    { "WSARecvMsg", "overlapped MSG_PEEK", r_peek_ov, WSAEINVAL },
    { "WSASendMsg", "s never a socket", s_bogus, WSAENOTSOCK },
    { "WSASendMsg", "s closed", s_closed, WSAENOTSOCK },
    { "WSASendMsg", "no WSPStartup", s_nostart, WSANOTINITIALISED },
    { "WSASendMsg", "lpMsg NULL", s_null, WSAEFAULT },
    { "WSASendMsg", "name NULL, namelen not 0", s_name_null, WSAEFAULT },
    { "WSASendMsg", "namelen short", s_name_short, WSAEFAULT },
    { "WSASendMsg", "Control.buf NULL, Control.len not 0", s_control_null, WSAEFAULT },
    { "WSASendMsg", "lpBuffers NULL", s_bufs_null, WSAEFAULT },
    { "WSASendMsg", "lpNumberOfBytesSent NULL, not overlapped", s_count_null, WSAEFAULT },
    { "WSASendMsg", "control data (IP_PKTINFO...)", s_control, WSAEOPNOTSUPP },
    { "WSASendMsg", "stream socket", s_stream, WSAEOPNOTSUPP },
    { "WSASendMsg", "dwFlags MSG_PARTIAL", s_partial, WSAEOPNOTSUPP },
    { "WSASendMsg", "dwFlags MSG_OOB", s_oob, WSAEOPNOTSUPP },
    { "WSASendMsg", "dwFlags MSG_PEEK", s_unknown, WSAEOPNOTSUPP },
    { "WSASendMsg", "no name, unconnected", s_noname, WSAENOTCONN },
    { "WSASendMsg", "IPv6 name, IPv4 socket", s_family, WSAEAFNOSUPPORT },
    { "WSASendMsg", "broadcast without SO_BROADCAST", s_broadcast, WSAEACCES },
    { "WSASendMsg", "larger than a datagram", s_too_big, WSAEMSGSIZE },
    { "WSASendMsg", "overlapped, socket without WSA_FLAG_OVERLAPPED", s_ov_plain, WSAEINVAL },
    { "WSASendMsg", "after SD_SEND", s_shutdown, WSAESHUTDOWN },
    { "TransmitPackets", "hSocket never a socket", p_bogus, WSAENOTSOCK },
    { "TransmitPackets", "hSocket closed", p_closed, WSAENOTSOCK },
    { "TransmitPackets", "no WSPStartup", p_nostart, WSANOTINITIALISED },
    { "TransmitPackets", "lpPacketArray NULL", p_array_null, WSAEFAULT },
    { "TransmitPackets", "pBuffer NULL", p_buffer_null, WSAEFAULT },
    { "TransmitPackets", "element neither memory nor file", p_el_none, WSAEINVAL },
    { "TransmitPackets", "element memory and file", p_el_both, WSAEINVAL },
    { "TransmitPackets", "element flag unknown", p_el_unknown, WSAEINVAL },
    { "TransmitPackets", "file element (no files)", p_file, WSAENOTSOCK },
    { "TransmitPackets", "more than 2147483646 bytes", p_file_huge, WSAEINVAL },
    { "TransmitPackets", "stream unconnected", p_unconnected, WSAENOTCONN },
    { "TransmitPackets", "datagram unconnected", p_udp_unconnected, WSAENOTCONN },
    { "TransmitPackets", "TF_REUSE_SOCKET without TF_DISCONNECT", p_reuse, WSAEINVAL },
    { "TransmitPackets", "dwFlags unknown", p_flags, WSAEINVAL },
    { "TransmitPackets", "TF_DISCONNECT on a datagram socket", p_udp_disconnect, WSAEINVAL },
    { "TransmitPackets", "overlapped, socket without WSA_FLAG_OVERLAPPED", p_ov_plain, WSAEINVAL },
    { "TransmitPackets", "a datagram too large", p_too_big, WSAEMSGSIZE },
    { "TransmitPackets", "after SD_SEND", p_shutdown, WSAESHUTDOWN },
    { "TransmitFile", "hSocket never a socket", f_bogus, WSAENOTSOCK },
    { "TransmitFile", "hSocket closed", f_closed, WSAENOTSOCK },
    { "TransmitFile", "no WSPStartup", f_nostart, WSANOTINITIALISED },
    { "TransmitFile", "Head NULL, HeadLength not 0", f_head_null, WSAEFAULT },
    { "TransmitFile", "Tail NULL, TailLength not 0", f_tail_null, WSAEFAULT },
    { "TransmitFile", "hFile (no files)", f_file, WSAENOTSOCK },
    { "TransmitFile", "hFile INVALID_HANDLE_VALUE", f_file_invalid, WSAENOTSOCK },
    { "TransmitFile", "nNumberOfBytesToWrite > 2147483646", f_file_huge, WSAEINVAL },
    { "TransmitFile", "datagram socket", f_udp, WSAEINVAL },
    { "TransmitFile", "datagram unconnected", f_udp_unconnected, WSAENOTCONN },
    { "TransmitFile", "stream unconnected, TF_REUSE_SOCKET", f_unconnected, WSAENOTCONN },
    { "TransmitFile", "TF_REUSE_SOCKET without TF_DISCONNECT", f_reuse, WSAEINVAL },
    { "TransmitFile", "dwFlags unknown", f_flags, WSAEINVAL },
    { "TransmitFile", "after SD_SEND", f_shutdown, WSAESHUTDOWN },
    { "TransmitFile", "connection reset", f_reset, WSAECONNRESET },
    { "TransmitPackets", "both flags, a reuse under way", p_reuse_pending, WSAESHUTDOWN },
    { "TransmitFile", "both flags, a reuse under way", f_reuse_pending, WSAESHUTDOWN },
    { "DisconnectEx", "dwFlags TF_DISCONNECT", d_disconnect_flag, WSAEINVAL },
    { "DisconnectEx", "TF_REUSE_SOCKET, unconnected", d_unconnected, WSAENOTCONN },
    { "DisconnectEx", "TF_REUSE_SOCKET, datagram socket", d_udp, WSAEOPNOTSUPP },
    { "DisconnectEx", "TF_REUSE_SOCKET, a reuse under way", d_twice, WSAEINVAL },
    { "DisconnectEx", "no flags, a reuse under way", d_plain_after, WSAENOTCONN },
    { "DisconnectEx", "TF_REUSE_SOCKET, reused (not connected)", d_reused, WSAENOTCONN },
    { "ConnectEx", "its reuse not complete", c_reuse_pending, WSAEISCONN },
    { "ConnectEx", "an accepted socket reused (unbound)", c_reused_accepted, WSAEINVAL },
    { "AcceptEx", "accept socket's reuse not complete", a_reuse_pending, WSAEINVAL },
    { "AcceptEx", "accept socket reused, still bound", a_reused_connected, WSAEINVAL },
};

/* Each row's one bad argument (or socket state) and its error; the call
 * sent nothing: the peer has no data (a FIN, or it was reused). */
static void
test_wsp_extension_msg_errors(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(err_cases); i++) {
        const ErrCase *c = &err_cases[i];
        char buf[16];
        ErrFx x;
        int err = 0;

        print_message("row %zu: %s: %s\n", i + 1, c->fn, c->form);
        efx_init(&x);
        test_world_use(x.tw, x.tw->pc);
        assert_int_equal(c->call(&x), c->want);
        assert_int_equal(x.ov.Internal, 0); /* nothing started */
        test_world_run(x.tw, SIM_SEC);
        test_world_use(x.tw, x.tw->ps);
        if (c->want != WSAECONNRESET) {
            int n = test_recv(x.tcp_peer, buf, sizeof buf, 0, &err);

            assert_true(n == 0 || (n == -1 && (err == WSAEWOULDBLOCK || err == WSAENOTCONN)));
        }
        test_world_free(x.tw);
    }
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
        cmocka_unit_test(test_wsp_extension_wsarecvmsg_blocking),
        cmocka_unit_test(test_wsp_extension_wsarecvmsg_flags),
        cmocka_unit_test(test_wsp_extension_wsarecvmsg_overlapped_event),
        cmocka_unit_test(test_wsp_extension_msg_completion_routine),
        cmocka_unit_test(test_wsp_extension_wsasendmsg),
        cmocka_unit_test(test_wsp_extension_transmitpackets_stream),
        cmocka_unit_test(test_wsp_extension_transmit_disconnect),
        cmocka_unit_test(test_wsp_extension_transmitpackets_datagrams),
        cmocka_unit_test(test_wsp_extension_transmitfile_head_tail),
        cmocka_unit_test(test_wsp_extension_close_aborts_transmit),
        cmocka_unit_test(test_wsp_extension_reuse_acceptex),
        cmocka_unit_test(test_wsp_extension_reuse_connectex),
        cmocka_unit_test(test_wsp_extension_reuse_transmit),
        cmocka_unit_test(test_wsp_extension_msg_errors),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-extension", tests, NULL, NULL);
}
