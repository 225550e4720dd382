/* SPDX-License-Identifier: MIT
 * test-wsp-badinput: the bad-input matrix (issue 10) — for each WSP
 * function, each argument's bad forms (bad handle, closed handle, NULL
 * pointer, short or negative length, wrong socket state, wrong socket type,
 * no WSPStartup) and the error each gets.  One table drives the test: each
 * row builds a fresh world, makes the call, asserts SOCKET_ERROR (or
 * INVALID_SOCKET) and *lpErrno, then checks that the rejected call changed
 * nothing (the socket is still unbound and can bind, still listening with
 * its connection waiting, its data unread and nothing sent...).
 * doc/bad-input-matrix.md is generated from the same table
 * (`tests/test-wsp-badinput --markdown`) and a test checks it is in sync. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include <wspsim/mstcpip.h>

#include "helpers/test-world.h"

#define PORT 7300
#define BOGUS ((SOCKET) 0x9999)

/* What the socket under test is before the call. */
typedef enum {
    FX_TCP,       /* a new stream socket */
    FX_UDP,       /* a new datagram socket */
    FX_TCP_BOUND, /* a stream socket bound to 10.0.0.1:PORT */
    FX_LISTENER,  /* listening on 10.0.0.1:PORT, one connection waiting */
    FX_CONNECTED, /* connected; the peer's "ping" has arrived */
    FX_UDP_BOUND, /* bound to 10.0.0.1:PORT; the peer's "ping" is queued */
} FxKind;

static const char *const fx_names[] = {
    [FX_TCP] = "new stream",     [FX_UDP] = "new datagram",    [FX_TCP_BOUND] = "bound stream",
    [FX_LISTENER] = "listening", [FX_CONNECTED] = "connected", [FX_UDP_BOUND] = "bound datagram",
};

/* Which handle the call gets. */
typedef enum {
    H_SOCKET, /* the fixture's socket */
    H_BOGUS,  /* never a socket */
    H_CLOSED, /* a socket of this process, closed */
    H_NOSTART /* the fixture's socket, called from a process without WSPStartup */
} HandleKind;

typedef struct {
    TestWorld *tw;
    FxKind kind;
    SOCKET s;      /* the socket under test (client process) */
    SOCKET h;      /* the handle this row passes */
    SOCKET closed; /* a closed handle of the client process */
    SOCKET peer;   /* the other end (server process) */
    SOCKET last;   /* the last handle the client process was given */
    SimProcessId nostart;
} Fx;

typedef int (*CallFn)(Fx *fx, int *err);

typedef struct {
    const char *fn, *arg, *form;
    FxKind setup;
    HandleKind handle;
    CallFn call;
    int want; /* the WSA code */
} BadCase;

/* ---- Calls: every argument valid except the one the row names ------------------- */

static char rbuf[64];
static WSABUF rb = { sizeof rbuf, rbuf };
static WSABUF sb = { 4, (char *) "data" };
static WSABUF nullbuf = { 4, NULL };

static int
sa_len(const char *ip, int port, SOCKADDR_STORAGE *ss)
{
    int len;

    *ss = test_sa(ip, port, &len);
    return len;
}

static int
as_int(SOCKET s)
{
    return s == INVALID_SOCKET ? SOCKET_ERROR : 0;
}

/* WSPSocket */
static int
c_socket_af(Fx *fx, int *err)
{
    (void) fx;
    return as_int(WSPSocket(99, SOCK_STREAM, 0, NULL, 0, 0, err));
}
static int
c_socket_raw(Fx *fx, int *err)
{
    (void) fx;
    return as_int(WSPSocket(AF_INET, SOCK_RAW, 0, NULL, 0, 0, err));
}
static int
c_socket_proto(Fx *fx, int *err)
{
    (void) fx;
    return as_int(WSPSocket(AF_INET, SOCK_STREAM, 99, NULL, 0, 0, err));
}
static int
c_socket_prototype(Fx *fx, int *err)
{
    (void) fx;
    return as_int(WSPSocket(AF_INET, SOCK_STREAM, IPPROTO_UDP, NULL, 0, 0, err));
}
static int
c_socket_flags(Fx *fx, int *err)
{
    (void) fx;
    return as_int(WSPSocket(AF_INET, SOCK_STREAM, 0, NULL, 0, 0x40000000, err));
}
static int
c_socket_info(Fx *fx, int *err)
{
    WSAPROTOCOL_INFOW pi;

    (void) fx;
    memset(&pi, 0, sizeof pi);
    pi.dwCatalogEntryId = 4242;
    return as_int(WSPSocket(AF_INET, SOCK_STREAM, 0, &pi, 0, 0, err));
}
static int
c_socket_group(Fx *fx, int *err)
{
    (void) fx;
    return as_int(WSPSocket(AF_INET, SOCK_STREAM, 0, NULL, 0x9999, 0, err));
}
static int
c_socket_ok(Fx *fx, int *err)
{
    (void) fx;
    return as_int(WSPSocket(AF_INET, SOCK_STREAM, 0, NULL, 0, 0, err));
}

/* WSPBind */
static int
c_bind_ok(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.1", PORT + 1, &ss);

    return WSPBind(fx->h, (struct sockaddr *) &ss, len, err);
}
static int
c_bind_null(Fx *fx, int *err)
{
    return WSPBind(fx->h, NULL, sizeof(struct sockaddr_in), err);
}
static int
c_bind_short(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.1", PORT + 1, &ss);

    return WSPBind(fx->h, (struct sockaddr *) &ss, len - 1, err);
}
static int
c_bind_negative(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;

    sa_len("10.0.0.1", PORT + 1, &ss);
    return WSPBind(fx->h, (struct sockaddr *) &ss, -1, err);
}
static int
c_bind_family(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("fd00::1", PORT + 1, &ss);

    return WSPBind(fx->h, (struct sockaddr *) &ss, len, err);
}
static int
c_bind_notlocal(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.2", PORT + 1, &ss);

    return WSPBind(fx->h, (struct sockaddr *) &ss, len, err);
}

/* WSPListen */
static int
c_listen(Fx *fx, int *err)
{
    return WSPListen(fx->h, 5, err);
}

/* WSPAccept */
static int
c_accept(Fx *fx, int *err)
{
    return as_int(WSPAccept(fx->h, NULL, NULL, NULL, 0, err));
}
static int
c_accept_short(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sizeof(struct sockaddr_in) - 1;

    return as_int(WSPAccept(fx->h, (struct sockaddr *) &ss, &len, NULL, 0, err));
}
static int
c_accept_negative(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = -1;

    return as_int(WSPAccept(fx->h, (struct sockaddr *) &ss, &len, NULL, 0, err));
}

/* WSPConnect */
static int
c_connect_ok(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.2", PORT, &ss);

    return WSPConnect(fx->h, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, err);
}
static int
c_connect_null(Fx *fx, int *err)
{
    return WSPConnect(fx->h, NULL, sizeof(struct sockaddr_in), NULL, NULL, NULL, NULL, err);
}
static int
c_connect_short(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.2", PORT, &ss);

    return WSPConnect(fx->h, (struct sockaddr *) &ss, len - 1, NULL, NULL, NULL, NULL, err);
}
static int
c_connect_negative(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;

    sa_len("10.0.0.2", PORT, &ss);
    return WSPConnect(fx->h, (struct sockaddr *) &ss, -1, NULL, NULL, NULL, NULL, err);
}
static int
c_connect_family(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("fd00::2", PORT, &ss);

    return WSPConnect(fx->h, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, err);
}
static int
c_connect_any(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("0.0.0.0", PORT, &ss);

    return WSPConnect(fx->h, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, err);
}
static int
c_connect_data(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.2", PORT, &ss);

    return WSPConnect(fx->h, (struct sockaddr *) &ss, len, &sb, NULL, NULL, NULL, err);
}
static int
c_connect_qos(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.2", PORT, &ss);
    QOS q;

    memset(&q, 0, sizeof q);
    return WSPConnect(fx->h, (struct sockaddr *) &ss, len, NULL, NULL, &q, NULL, err);
}

/* WSPSend */
static int
c_send_ok(Fx *fx, int *err)
{
    DWORD n = 0;

    return WSPSend(fx->h, &sb, 1, &n, 0, NULL, NULL, NULL, err);
}
static int
c_send_nullbufs(Fx *fx, int *err)
{
    DWORD n = 0;

    return WSPSend(fx->h, NULL, 1, &n, 0, NULL, NULL, NULL, err);
}
static int
c_send_nullbuf(Fx *fx, int *err)
{
    DWORD n = 0;

    return WSPSend(fx->h, &nullbuf, 1, &n, 0, NULL, NULL, NULL, err);
}
static int
c_send_nullcount(Fx *fx, int *err)
{
    return WSPSend(fx->h, &sb, 1, NULL, 0, NULL, NULL, NULL, err);
}
static int
c_send_partial(Fx *fx, int *err)
{
    DWORD n = 0;

    return WSPSend(fx->h, &sb, 1, &n, MSG_PARTIAL, NULL, NULL, NULL, err);
}
static int
c_send_unknown_flag(Fx *fx, int *err)
{
    DWORD n = 0;

    return WSPSend(fx->h, &sb, 1, &n, 0x10000, NULL, NULL, NULL, err);
}
static int
c_send_oob(Fx *fx, int *err)
{
    DWORD n = 0;

    return WSPSend(fx->h, &sb, 1, &n, MSG_OOB, NULL, NULL, NULL, err);
}
static int
c_send_overlapped(Fx *fx, int *err)
{
    WSAOVERLAPPED ov;
    DWORD n = 0;

    memset(&ov, 0, sizeof ov);
    return WSPSend(fx->h, &sb, 1, &n, 0, &ov, NULL, NULL, err);
}

/* WSPSendTo */
static int
sendto_to(Fx *fx, const char *ip, int port, int lendelta, WSABUF *b, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len(ip, port, &ss);
    DWORD n = 0;

    return WSPSendTo(fx->h, b, 1, &n, 0, (struct sockaddr *) &ss,
                     lendelta == -999 ? -1 : len + lendelta, NULL, NULL, NULL, err);
}
static int
c_sendto_ok(Fx *fx, int *err)
{
    return sendto_to(fx, "10.0.0.2", PORT, 0, &sb, err);
}
static int
c_sendto_noaddr(Fx *fx, int *err)
{
    DWORD n = 0;

    return WSPSendTo(fx->h, &sb, 1, &n, 0, NULL, 0, NULL, NULL, NULL, err);
}
static int
c_sendto_short(Fx *fx, int *err)
{
    return sendto_to(fx, "10.0.0.2", PORT, -1, &sb, err);
}
static int
c_sendto_negative(Fx *fx, int *err)
{
    return sendto_to(fx, "10.0.0.2", PORT, -999, &sb, err);
}
static int
c_sendto_family(Fx *fx, int *err)
{
    return sendto_to(fx, "fd00::2", PORT, 0, &sb, err);
}
static int
c_sendto_any(Fx *fx, int *err)
{
    return sendto_to(fx, "0.0.0.0", PORT, 0, &sb, err);
}
static int
c_sendto_bcast(Fx *fx, int *err)
{
    return sendto_to(fx, "255.255.255.255", PORT, 0, &sb, err);
}
static int
c_sendto_huge(Fx *fx, int *err)
{
    static char huge[70000];
    WSABUF h = { sizeof huge, huge };

    return sendto_to(fx, "10.0.0.2", PORT, 0, &h, err);
}
static int
c_sendto_nullbufs(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.2", PORT, &ss);
    DWORD n = 0;

    return WSPSendTo(fx->h, NULL, 1, &n, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, err);
}
static int
c_sendto_nullcount(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.2", PORT, &ss);

    return WSPSendTo(fx->h, &sb, 1, NULL, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, err);
}

/* WSPRecv */
static int
recv_flags(Fx *fx, DWORD flags, int *err)
{
    DWORD n = 0;

    return WSPRecv(fx->h, &rb, 1, &n, &flags, NULL, NULL, NULL, err);
}
static int
c_recv_ok(Fx *fx, int *err)
{
    return recv_flags(fx, 0, err);
}
static int
c_recv_nullbufs(Fx *fx, int *err)
{
    DWORD n = 0, f = 0;

    return WSPRecv(fx->h, NULL, 1, &n, &f, NULL, NULL, NULL, err);
}
static int
c_recv_nullbuf(Fx *fx, int *err)
{
    DWORD n = 0, f = 0;

    return WSPRecv(fx->h, &nullbuf, 1, &n, &f, NULL, NULL, NULL, err);
}
static int
c_recv_nullcount(Fx *fx, int *err)
{
    DWORD f = 0;

    return WSPRecv(fx->h, &rb, 1, NULL, &f, NULL, NULL, NULL, err);
}
static int
c_recv_nullflags(Fx *fx, int *err)
{
    DWORD n = 0;

    return WSPRecv(fx->h, &rb, 1, &n, NULL, NULL, NULL, NULL, err);
}
static int
c_recv_unknown_flag(Fx *fx, int *err)
{
    return recv_flags(fx, 0x10000, err);
}
static int
c_recv_waitall_peek(Fx *fx, int *err)
{
    return recv_flags(fx, MSG_WAITALL | MSG_PEEK, err);
}
static int
c_recv_oob(Fx *fx, int *err)
{
    return recv_flags(fx, MSG_OOB, err);
}
static int
c_recv_overlapped(Fx *fx, int *err)
{
    WSAOVERLAPPED ov;
    DWORD n = 0, f = 0;

    memset(&ov, 0, sizeof ov);
    return WSPRecv(fx->h, &rb, 1, &n, &f, &ov, NULL, NULL, err);
}

/* WSPRecvFrom */
static int
recvfrom_len(Fx *fx, int fromlen, bool nullfromlen, int *err)
{
    SOCKADDR_STORAGE from;
    DWORD n = 0, f = 0;

    return WSPRecvFrom(fx->h, &rb, 1, &n, &f, (struct sockaddr *) &from,
                       nullfromlen ? NULL : &fromlen, NULL, NULL, NULL, err);
}
static int
c_recvfrom_ok(Fx *fx, int *err)
{
    return recvfrom_len(fx, sizeof(SOCKADDR_STORAGE), false, err);
}
static int
c_recvfrom_short(Fx *fx, int *err)
{
    return recvfrom_len(fx, sizeof(struct sockaddr_in) - 1, false, err);
}
static int
c_recvfrom_negative(Fx *fx, int *err)
{
    return recvfrom_len(fx, -1, false, err);
}
static int
c_recvfrom_nullfromlen(Fx *fx, int *err)
{
    return recvfrom_len(fx, 0, true, err);
}
static int
c_recvfrom_nullbufs(Fx *fx, int *err)
{
    DWORD n = 0, f = 0;

    return WSPRecvFrom(fx->h, NULL, 1, &n, &f, NULL, NULL, NULL, NULL, NULL, err);
}

/* WSPGetSockOpt / WSPSetSockOpt */
static int
getopt_len(Fx *fx, int level, int opt, int len, int *err)
{
    int v[2] = { 0, 0 };

    return WSPGetSockOpt(fx->h, level, opt, (char *) v, &len, err);
}
static int
c_getopt_ok(Fx *fx, int *err)
{
    return getopt_len(fx, SOL_SOCKET, SO_DEBUG, 4, err);
}
static int
c_getopt_nullval(Fx *fx, int *err)
{
    int len = 4;

    return WSPGetSockOpt(fx->h, SOL_SOCKET, SO_DEBUG, NULL, &len, err);
}
static int
c_getopt_nulllen(Fx *fx, int *err)
{
    int v = 0;

    return WSPGetSockOpt(fx->h, SOL_SOCKET, SO_DEBUG, (char *) &v, NULL, err);
}
static int
c_getopt_short(Fx *fx, int *err)
{
    return getopt_len(fx, SOL_SOCKET, SO_DEBUG, 2, err);
}
static int
c_getopt_negative(Fx *fx, int *err)
{
    return getopt_len(fx, SOL_SOCKET, SO_DEBUG, -4, err);
}
static int
c_getopt_level(Fx *fx, int *err)
{
    return getopt_len(fx, 0x1234, SO_DEBUG, 4, err);
}
static int
c_getopt_name(Fx *fx, int *err)
{
    return getopt_len(fx, SOL_SOCKET, 0x7777, 4, err);
}
static int
c_getopt_broadcast(Fx *fx, int *err)
{
    return getopt_len(fx, SOL_SOCKET, SO_BROADCAST, 4, err);
}
static int
setopt(Fx *fx, int level, int opt, int val, int len, bool null, int *err)
{
    int v[2] = { val, val };

    return WSPSetSockOpt(fx->h, level, opt, null ? NULL : (const char *) v, len, err);
}
static int
c_setopt_ok(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_DEBUG, 1, 4, false, err);
}
static int
c_setopt_nullval(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_DEBUG, 1, 4, true, err);
}
static int
c_setopt_short(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_DEBUG, 1, 2, false, err);
}
static int
c_setopt_negative(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_DEBUG, 1, -4, false, err);
}
static int
c_setopt_linger_short(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_LINGER, 0x00050001, 3, false, err);
}
static int
c_setopt_level(Fx *fx, int *err)
{
    return setopt(fx, 0x1234, SO_DEBUG, 1, 4, false, err);
}
static int
c_setopt_name(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, 0x7777, 1, 4, false, err);
}
static int
c_setopt_readonly(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_TYPE, SOCK_DGRAM, 4, false, err);
}
static int
c_setopt_rcvbuf_negative(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_RCVBUF, -1, 4, false, err);
}
static int
c_setopt_conditional(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 1, 4, false, err);
}
static int
c_setopt_exclusive(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1, 4, false, err);
}
static int
c_setopt_broadcast(Fx *fx, int *err)
{
    return setopt(fx, SOL_SOCKET, SO_BROADCAST, 1, 4, false, err);
}

/* WSPIoctl */
static int
ioctl_(Fx *fx, DWORD code, void *in, DWORD cbin, void *out, DWORD cbout, int *err)
{
    DWORD ret = 0;

    return WSPIoctl(fx->h, code, in, cbin, out, cbout, &ret, NULL, NULL, NULL, err);
}
static int
c_ioctl_ok(Fx *fx, int *err)
{
    u_long v = 0;

    return ioctl_(fx, FIONREAD, NULL, 0, &v, sizeof v, err);
}
static int
c_ioctl_nullret(Fx *fx, int *err)
{
    u_long on = 1;

    return WSPIoctl(fx->h, FIONBIO, &on, sizeof on, NULL, 0, NULL, NULL, NULL, NULL, err);
}
static int
c_ioctl_fionbio_null(Fx *fx, int *err)
{
    return ioctl_(fx, FIONBIO, NULL, sizeof(u_long), NULL, 0, err);
}
static int
c_ioctl_fionbio_short(Fx *fx, int *err)
{
    u_long on = 1;

    return ioctl_(fx, FIONBIO, &on, 2, NULL, 0, err);
}
static int
c_ioctl_fionread_null(Fx *fx, int *err)
{
    return ioctl_(fx, FIONREAD, NULL, 0, NULL, sizeof(u_long), err);
}
static int
c_ioctl_unknown(Fx *fx, int *err)
{
    return ioctl_(fx, 0x48001234, NULL, 0, NULL, 0, err);
}
static int
c_ioctl_guid(Fx *fx, int *err)
{
    GUID g = { 0x12345678, 0x1234, 0x5678, { 1, 2, 3, 4, 5, 6, 7, 8 } };
    void *fn = NULL;

    return ioctl_(fx, SIO_GET_EXTENSION_FUNCTION_POINTER, &g, sizeof g, &fn, sizeof fn, err);
}
static int
c_ioctl_atmark(Fx *fx, int *err)
{
    BOOL b = 0;

    return ioctl_(fx, SIOCATMARK, NULL, 0, &b, sizeof b, err);
}
static int
c_ioctl_flush(Fx *fx, int *err)
{
    return ioctl_(fx, SIO_FLUSH, NULL, 0, NULL, 0, err);
}
static int
c_ioctl_keepalive_bad(Fx *fx, int *err)
{
    struct tcp_keepalive ka = { 1, 0, 0 };

    return ioctl_(fx, SIO_KEEPALIVE_VALS, &ka, sizeof ka, NULL, 0, err);
}
static int
c_ioctl_overlapped(Fx *fx, int *err)
{
    WSAOVERLAPPED ov;
    u_long on = 1;
    DWORD ret = 0;

    memset(&ov, 0, sizeof ov);
    return WSPIoctl(fx->h, FIONBIO, &on, sizeof on, NULL, 0, &ret, &ov, NULL, NULL, err);
}

/* Names */
static int
name_len(Fx *fx, bool peer, int len, bool nullname, bool nulllen, int *err)
{
    SOCKADDR_STORAGE ss;
    struct sockaddr *n = nullname ? NULL : (struct sockaddr *) &ss;
    LPINT l = nulllen ? NULL : &len;

    return peer ? WSPGetPeerName(fx->h, n, l, err) : WSPGetSockName(fx->h, n, l, err);
}
static int
c_sockname_ok(Fx *fx, int *err)
{
    return name_len(fx, false, sizeof(SOCKADDR_STORAGE), false, false, err);
}
static int
c_sockname_null(Fx *fx, int *err)
{
    return name_len(fx, false, sizeof(SOCKADDR_STORAGE), true, false, err);
}
static int
c_sockname_nulllen(Fx *fx, int *err)
{
    return name_len(fx, false, 0, false, true, err);
}
static int
c_sockname_short(Fx *fx, int *err)
{
    return name_len(fx, false, sizeof(struct sockaddr_in) - 1, false, false, err);
}
static int
c_sockname_negative(Fx *fx, int *err)
{
    return name_len(fx, false, -1, false, false, err);
}
static int
c_peername_ok(Fx *fx, int *err)
{
    return name_len(fx, true, sizeof(SOCKADDR_STORAGE), false, false, err);
}
static int
c_peername_null(Fx *fx, int *err)
{
    return name_len(fx, true, sizeof(SOCKADDR_STORAGE), true, false, err);
}
static int
c_peername_short(Fx *fx, int *err)
{
    return name_len(fx, true, sizeof(struct sockaddr_in) - 1, false, false, err);
}
static int
c_peername_negative(Fx *fx, int *err)
{
    return name_len(fx, true, -1, false, false, err);
}

/* Shutdown, disconnect, close */
static int
c_shutdown_send(Fx *fx, int *err)
{
    return WSPShutdown(fx->h, SD_SEND, err);
}
static int
c_shutdown_how3(Fx *fx, int *err)
{
    return WSPShutdown(fx->h, 3, err);
}
static int
c_shutdown_howneg(Fx *fx, int *err)
{
    return WSPShutdown(fx->h, -1, err);
}
static int
c_senddisc(Fx *fx, int *err)
{
    return WSPSendDisconnect(fx->h, NULL, err);
}
static int
c_senddisc_data(Fx *fx, int *err)
{
    return WSPSendDisconnect(fx->h, &sb, err);
}
static int
c_recvdisc(Fx *fx, int *err)
{
    return WSPRecvDisconnect(fx->h, NULL, err);
}
static int
c_close(Fx *fx, int *err)
{
    return WSPCloseSocket(fx->h, err);
}

static const char *
err_name(int code)
{
#define E(x)                                                                                       \
    case x:                                                                                        \
        return #x
    switch (code) {
        E(WSAENOTSOCK);
        E(WSAEFAULT);
        E(WSAEINVAL);
        E(WSAEAFNOSUPPORT);
        E(WSAESOCKTNOSUPPORT);
        E(WSAEPROTONOSUPPORT);
        E(WSAEPROTOTYPE);
        E(WSANOTINITIALISED);
        E(WSAEADDRNOTAVAIL);
        E(WSAEOPNOTSUPP);
        E(WSAEISCONN);
        E(WSAENOTCONN);
        E(WSAEDESTADDRREQ);
        E(WSAEACCES);
        E(WSAEMSGSIZE);
        E(WSAENOPROTOOPT);
    }
#undef E
    return "?";
}

/* ---- The matrix -------------------------------------------------------------------- */

#define BADH(fn_, setup_, call_)                                                                   \
    { fn_, "s", "not a socket", setup_, H_BOGUS, call_, WSAENOTSOCK },                             \
    {                                                                                              \
        fn_, "s", "closed handle", setup_, H_CLOSED, call_, WSAENOTSOCK                            \
    }
#define NOSTART(fn_, setup_, call_)                                                                \
    {                                                                                              \
        fn_, "(process)", "no WSPStartup", setup_, H_NOSTART, call_, WSANOTINITIALISED             \
    }

static const BadCase cases[] = {
    /* WSPSocket (the fixture's socket stands for "a socket already exists") */
    { "WSPSocket", "af", "unknown family (99)", FX_TCP, H_SOCKET, c_socket_af, WSAEAFNOSUPPORT },
    { "WSPSocket", "type", "SOCK_RAW", FX_TCP, H_SOCKET, c_socket_raw, WSAESOCKTNOSUPPORT },
    { "WSPSocket", "protocol", "unknown (99)", FX_TCP, H_SOCKET, c_socket_proto,
      WSAEPROTONOSUPPORT },
    { "WSPSocket", "protocol", "UDP for SOCK_STREAM", FX_TCP, H_SOCKET, c_socket_prototype,
      WSAEPROTOTYPE },
    { "WSPSocket", "dwFlags", "unknown bit", FX_TCP, H_SOCKET, c_socket_flags, WSAEINVAL },
    { "WSPSocket", "lpProtocolInfo", "not from the catalog", FX_TCP, H_SOCKET, c_socket_info,
      WSAEINVAL },
    { "WSPSocket", "g", "unknown group", FX_TCP, H_SOCKET, c_socket_group, WSAEINVAL },
    NOSTART("WSPSocket", FX_TCP, c_socket_ok),
    /* WSPBind */
    BADH("WSPBind", FX_TCP, c_bind_ok),
    { "WSPBind", "name", "NULL", FX_TCP, H_SOCKET, c_bind_null, WSAEFAULT },
    { "WSPBind", "namelen", "short", FX_TCP, H_SOCKET, c_bind_short, WSAEFAULT },
    { "WSPBind", "namelen", "negative", FX_TCP, H_SOCKET, c_bind_negative, WSAEFAULT },
    { "WSPBind", "name", "other family", FX_TCP, H_SOCKET, c_bind_family, WSAEFAULT },
    { "WSPBind", "name", "address not on the host", FX_TCP, H_SOCKET, c_bind_notlocal,
      WSAEADDRNOTAVAIL },
    { "WSPBind", "s", "already bound", FX_TCP_BOUND, H_SOCKET, c_bind_ok, WSAEINVAL },
    NOSTART("WSPBind", FX_TCP, c_bind_ok),
    /* WSPListen */
    BADH("WSPListen", FX_TCP_BOUND, c_listen),
    { "WSPListen", "s", "unbound", FX_TCP, H_SOCKET, c_listen, WSAEINVAL },
    { "WSPListen", "s", "datagram socket", FX_UDP, H_SOCKET, c_listen, WSAEOPNOTSUPP },
    { "WSPListen", "s", "connected", FX_CONNECTED, H_SOCKET, c_listen, WSAEISCONN },
    /* WSPAccept */
    BADH("WSPAccept", FX_LISTENER, c_accept),
    { "WSPAccept", "s", "not listening", FX_TCP_BOUND, H_SOCKET, c_accept, WSAEINVAL },
    { "WSPAccept", "s", "datagram socket", FX_UDP, H_SOCKET, c_accept, WSAEOPNOTSUPP },
    { "WSPAccept", "addrlen", "short", FX_LISTENER, H_SOCKET, c_accept_short, WSAEFAULT },
    { "WSPAccept", "addrlen", "negative", FX_LISTENER, H_SOCKET, c_accept_negative, WSAEFAULT },
    NOSTART("WSPAccept", FX_LISTENER, c_accept),
    /* WSPConnect */
    BADH("WSPConnect", FX_TCP, c_connect_ok),
    { "WSPConnect", "name", "NULL", FX_TCP, H_SOCKET, c_connect_null, WSAEFAULT },
    { "WSPConnect", "namelen", "short", FX_TCP, H_SOCKET, c_connect_short, WSAEFAULT },
    { "WSPConnect", "namelen", "negative", FX_TCP, H_SOCKET, c_connect_negative, WSAEFAULT },
    { "WSPConnect", "name", "other family", FX_TCP, H_SOCKET, c_connect_family, WSAEAFNOSUPPORT },
    { "WSPConnect", "name", "wildcard address", FX_TCP, H_SOCKET, c_connect_any, WSAEADDRNOTAVAIL },
    { "WSPConnect", "lpCallerData", "connect data", FX_TCP, H_SOCKET, c_connect_data,
      WSAEPROTONOSUPPORT },
    { "WSPConnect", "lpSQOS", "QoS (not supported)", FX_TCP, H_SOCKET, c_connect_qos,
      WSAEOPNOTSUPP },
    { "WSPConnect", "s", "listening", FX_LISTENER, H_SOCKET, c_connect_ok, WSAEINVAL },
    { "WSPConnect", "s", "connected", FX_CONNECTED, H_SOCKET, c_connect_ok, WSAEISCONN },
    /* WSPSend */
    BADH("WSPSend", FX_CONNECTED, c_send_ok),
    { "WSPSend", "lpBuffers", "NULL", FX_CONNECTED, H_SOCKET, c_send_nullbufs, WSAEFAULT },
    { "WSPSend", "lpBuffers", "buf NULL, len > 0", FX_CONNECTED, H_SOCKET, c_send_nullbuf,
      WSAEFAULT },
    { "WSPSend", "lpNumberOfBytesSent", "NULL", FX_CONNECTED, H_SOCKET, c_send_nullcount,
      WSAEFAULT },
    { "WSPSend", "dwFlags", "MSG_PARTIAL", FX_CONNECTED, H_SOCKET, c_send_partial, WSAEOPNOTSUPP },
    { "WSPSend", "dwFlags", "unknown bit", FX_CONNECTED, H_SOCKET, c_send_unknown_flag,
      WSAEOPNOTSUPP },
    { "WSPSend", "dwFlags", "MSG_OOB on a datagram socket", FX_UDP_BOUND, H_SOCKET, c_send_oob,
      WSAEOPNOTSUPP },
    { "WSPSend", "lpOverlapped", "non-overlapped socket", FX_CONNECTED, H_SOCKET, c_send_overlapped,
      WSAEINVAL },
    { "WSPSend", "s", "stream not connected", FX_TCP, H_SOCKET, c_send_ok, WSAENOTCONN },
    { "WSPSend", "s", "datagram without a peer", FX_UDP_BOUND, H_SOCKET, c_send_ok, WSAENOTCONN },
    NOSTART("WSPSend", FX_CONNECTED, c_send_ok),
    /* WSPSendTo */
    BADH("WSPSendTo", FX_UDP_BOUND, c_sendto_ok),
    { "WSPSendTo", "lpTo", "NULL, no peer", FX_UDP_BOUND, H_SOCKET, c_sendto_noaddr,
      WSAEDESTADDRREQ },
    { "WSPSendTo", "iTolen", "short", FX_UDP_BOUND, H_SOCKET, c_sendto_short, WSAEFAULT },
    { "WSPSendTo", "iTolen", "negative", FX_UDP_BOUND, H_SOCKET, c_sendto_negative, WSAEFAULT },
    { "WSPSendTo", "lpTo", "other family", FX_UDP_BOUND, H_SOCKET, c_sendto_family,
      WSAEAFNOSUPPORT },
    { "WSPSendTo", "lpTo", "wildcard address", FX_UDP_BOUND, H_SOCKET, c_sendto_any,
      WSAEADDRNOTAVAIL },
    { "WSPSendTo", "lpTo", "broadcast without SO_BROADCAST", FX_UDP_BOUND, H_SOCKET, c_sendto_bcast,
      WSAEACCES },
    { "WSPSendTo", "lpBuffers", "over SO_MAX_MSG_SIZE", FX_UDP_BOUND, H_SOCKET, c_sendto_huge,
      WSAEMSGSIZE },
    { "WSPSendTo", "lpBuffers", "NULL", FX_UDP_BOUND, H_SOCKET, c_sendto_nullbufs, WSAEFAULT },
    { "WSPSendTo", "lpNumberOfBytesSent", "NULL", FX_UDP_BOUND, H_SOCKET, c_sendto_nullcount,
      WSAEFAULT },
    { "WSPSendTo", "s", "stream not connected", FX_TCP, H_SOCKET, c_sendto_ok, WSAENOTCONN },
    /* WSPRecv */
    BADH("WSPRecv", FX_CONNECTED, c_recv_ok),
    { "WSPRecv", "lpBuffers", "NULL", FX_CONNECTED, H_SOCKET, c_recv_nullbufs, WSAEFAULT },
    { "WSPRecv", "lpBuffers", "buf NULL, len > 0", FX_CONNECTED, H_SOCKET, c_recv_nullbuf,
      WSAEFAULT },
    { "WSPRecv", "lpNumberOfBytesRecvd", "NULL", FX_CONNECTED, H_SOCKET, c_recv_nullcount,
      WSAEFAULT },
    { "WSPRecv", "lpFlags", "NULL", FX_CONNECTED, H_SOCKET, c_recv_nullflags, WSAEFAULT },
    { "WSPRecv", "lpFlags", "unknown bit", FX_CONNECTED, H_SOCKET, c_recv_unknown_flag,
      WSAEOPNOTSUPP },
    { "WSPRecv", "lpFlags", "MSG_WAITALL with MSG_PEEK", FX_CONNECTED, H_SOCKET,
      c_recv_waitall_peek, WSAEOPNOTSUPP },
    { "WSPRecv", "lpFlags", "MSG_OOB on a datagram socket", FX_UDP_BOUND, H_SOCKET, c_recv_oob,
      WSAEOPNOTSUPP },
    { "WSPRecv", "lpOverlapped", "non-overlapped socket", FX_CONNECTED, H_SOCKET, c_recv_overlapped,
      WSAEINVAL },
    { "WSPRecv", "s", "stream not connected", FX_TCP, H_SOCKET, c_recv_ok, WSAENOTCONN },
    { "WSPRecv", "s", "datagram not bound", FX_UDP, H_SOCKET, c_recv_ok, WSAEINVAL },
    NOSTART("WSPRecv", FX_CONNECTED, c_recv_ok),
    /* WSPRecvFrom */
    BADH("WSPRecvFrom", FX_UDP_BOUND, c_recvfrom_ok),
    { "WSPRecvFrom", "lpFromlen", "short", FX_UDP_BOUND, H_SOCKET, c_recvfrom_short, WSAEFAULT },
    { "WSPRecvFrom", "lpFromlen", "negative", FX_UDP_BOUND, H_SOCKET, c_recvfrom_negative,
      WSAEFAULT },
    { "WSPRecvFrom", "lpFromlen", "NULL with lpFrom", FX_UDP_BOUND, H_SOCKET,
      c_recvfrom_nullfromlen, WSAEFAULT },
    { "WSPRecvFrom", "lpBuffers", "NULL", FX_UDP_BOUND, H_SOCKET, c_recvfrom_nullbufs, WSAEFAULT },
    { "WSPRecvFrom", "s", "connected stream", FX_CONNECTED, H_SOCKET, c_recvfrom_ok, WSAEISCONN },
    { "WSPRecvFrom", "s", "datagram not bound", FX_UDP, H_SOCKET, c_recvfrom_ok, WSAEINVAL },
    /* WSPGetSockOpt */
    BADH("WSPGetSockOpt", FX_TCP, c_getopt_ok),
    { "WSPGetSockOpt", "optval", "NULL", FX_TCP, H_SOCKET, c_getopt_nullval, WSAEFAULT },
    { "WSPGetSockOpt", "optlen", "NULL", FX_TCP, H_SOCKET, c_getopt_nulllen, WSAEFAULT },
    { "WSPGetSockOpt", "optlen", "short (2 for a BOOL)", FX_TCP, H_SOCKET, c_getopt_short,
      WSAEFAULT },
    { "WSPGetSockOpt", "optlen", "negative", FX_TCP, H_SOCKET, c_getopt_negative, WSAEFAULT },
    { "WSPGetSockOpt", "level", "unknown", FX_TCP, H_SOCKET, c_getopt_level, WSAEINVAL },
    { "WSPGetSockOpt", "optname", "unknown", FX_TCP, H_SOCKET, c_getopt_name, WSAENOPROTOOPT },
    { "WSPGetSockOpt", "optname", "SO_BROADCAST on a stream", FX_TCP, H_SOCKET, c_getopt_broadcast,
      WSAENOPROTOOPT },
    NOSTART("WSPGetSockOpt", FX_TCP, c_getopt_ok),
    /* WSPSetSockOpt */
    BADH("WSPSetSockOpt", FX_TCP, c_setopt_ok),
    { "WSPSetSockOpt", "optval", "NULL", FX_TCP, H_SOCKET, c_setopt_nullval, WSAEFAULT },
    { "WSPSetSockOpt", "optlen", "short (2 for a BOOL)", FX_TCP, H_SOCKET, c_setopt_short,
      WSAEFAULT },
    { "WSPSetSockOpt", "optlen", "negative", FX_TCP, H_SOCKET, c_setopt_negative, WSAEFAULT },
    { "WSPSetSockOpt", "optlen", "short (3 for SO_LINGER)", FX_TCP, H_SOCKET, c_setopt_linger_short,
      WSAEFAULT },
    { "WSPSetSockOpt", "level", "unknown", FX_TCP, H_SOCKET, c_setopt_level, WSAEINVAL },
    { "WSPSetSockOpt", "optname", "unknown", FX_TCP, H_SOCKET, c_setopt_name, WSAENOPROTOOPT },
    { "WSPSetSockOpt", "optname", "read-only (SO_TYPE)", FX_TCP, H_SOCKET, c_setopt_readonly,
      WSAENOPROTOOPT },
    { "WSPSetSockOpt", "optname", "SO_BROADCAST on a stream", FX_TCP, H_SOCKET, c_setopt_broadcast,
      WSAENOPROTOOPT },
    { "WSPSetSockOpt", "optval", "negative SO_RCVBUF", FX_TCP, H_SOCKET, c_setopt_rcvbuf_negative,
      WSAEINVAL },
    { "WSPSetSockOpt", "optname", "SO_CONDITIONAL_ACCEPT when listening", FX_LISTENER, H_SOCKET,
      c_setopt_conditional, WSAEINVAL },
    { "WSPSetSockOpt", "optname", "SO_EXCLUSIVEADDRUSE after bind", FX_TCP_BOUND, H_SOCKET,
      c_setopt_exclusive, WSAEINVAL },
    /* WSPIoctl */
    BADH("WSPIoctl", FX_TCP, c_ioctl_ok),
    { "WSPIoctl", "lpcbBytesReturned", "NULL", FX_TCP, H_SOCKET, c_ioctl_nullret, WSAEFAULT },
    { "WSPIoctl", "lpvInBuffer", "NULL (FIONBIO)", FX_TCP, H_SOCKET, c_ioctl_fionbio_null,
      WSAEFAULT },
    { "WSPIoctl", "cbInBuffer", "short (FIONBIO)", FX_TCP, H_SOCKET, c_ioctl_fionbio_short,
      WSAEFAULT },
    { "WSPIoctl", "lpvOutBuffer", "NULL (FIONREAD)", FX_TCP, H_SOCKET, c_ioctl_fionread_null,
      WSAEFAULT },
    { "WSPIoctl", "dwIoControlCode", "unknown", FX_TCP, H_SOCKET, c_ioctl_unknown, WSAEINVAL },
    { "WSPIoctl", "lpvInBuffer", "unknown extension GUID", FX_TCP, H_SOCKET, c_ioctl_guid,
      WSAEINVAL },
    { "WSPIoctl", "dwIoControlCode", "SIOCATMARK on a datagram socket", FX_UDP, H_SOCKET,
      c_ioctl_atmark, WSAEINVAL },
    { "WSPIoctl", "dwIoControlCode", "SIO_FLUSH (unsupported)", FX_TCP, H_SOCKET, c_ioctl_flush,
      WSAENOPROTOOPT },
    { "WSPIoctl", "lpvInBuffer", "SIO_KEEPALIVE_VALS with zero times", FX_TCP, H_SOCKET,
      c_ioctl_keepalive_bad, WSAEINVAL },
    { "WSPIoctl", "lpOverlapped", "non-overlapped socket", FX_TCP, H_SOCKET, c_ioctl_overlapped,
      WSAEINVAL },
    /* WSPGetSockName / WSPGetPeerName */
    BADH("WSPGetSockName", FX_TCP_BOUND, c_sockname_ok),
    { "WSPGetSockName", "name", "NULL", FX_TCP_BOUND, H_SOCKET, c_sockname_null, WSAEFAULT },
    { "WSPGetSockName", "namelen", "NULL", FX_TCP_BOUND, H_SOCKET, c_sockname_nulllen, WSAEFAULT },
    { "WSPGetSockName", "namelen", "short", FX_TCP_BOUND, H_SOCKET, c_sockname_short, WSAEFAULT },
    { "WSPGetSockName", "namelen", "negative", FX_TCP_BOUND, H_SOCKET, c_sockname_negative,
      WSAEFAULT },
    { "WSPGetSockName", "s", "unbound", FX_TCP, H_SOCKET, c_sockname_ok, WSAEINVAL },
    BADH("WSPGetPeerName", FX_CONNECTED, c_peername_ok),
    { "WSPGetPeerName", "name", "NULL", FX_CONNECTED, H_SOCKET, c_peername_null, WSAEFAULT },
    { "WSPGetPeerName", "namelen", "short", FX_CONNECTED, H_SOCKET, c_peername_short, WSAEFAULT },
    { "WSPGetPeerName", "namelen", "negative", FX_CONNECTED, H_SOCKET, c_peername_negative,
      WSAEFAULT },
    { "WSPGetPeerName", "s", "not connected", FX_TCP, H_SOCKET, c_peername_ok, WSAENOTCONN },
    { "WSPGetPeerName", "s", "listening", FX_LISTENER, H_SOCKET, c_peername_ok, WSAENOTCONN },
    /* WSPShutdown, WSPSendDisconnect, WSPRecvDisconnect */
    BADH("WSPShutdown", FX_CONNECTED, c_shutdown_send),
    { "WSPShutdown", "how", "3", FX_CONNECTED, H_SOCKET, c_shutdown_how3, WSAEINVAL },
    { "WSPShutdown", "how", "negative", FX_CONNECTED, H_SOCKET, c_shutdown_howneg, WSAEINVAL },
    { "WSPShutdown", "s", "stream not connected", FX_TCP, H_SOCKET, c_shutdown_send, WSAENOTCONN },
    BADH("WSPSendDisconnect", FX_CONNECTED, c_senddisc),
    { "WSPSendDisconnect", "lpOutboundDisconnectData", "disconnect data", FX_CONNECTED, H_SOCKET,
      c_senddisc_data, WSAENOPROTOOPT },
    { "WSPSendDisconnect", "s", "datagram socket", FX_UDP_BOUND, H_SOCKET, c_senddisc,
      WSAEOPNOTSUPP },
    { "WSPSendDisconnect", "s", "stream not connected", FX_TCP, H_SOCKET, c_senddisc, WSAENOTCONN },
    BADH("WSPRecvDisconnect", FX_CONNECTED, c_recvdisc),
    { "WSPRecvDisconnect", "s", "datagram socket", FX_UDP_BOUND, H_SOCKET, c_recvdisc,
      WSAEOPNOTSUPP },
    { "WSPRecvDisconnect", "s", "stream not connected", FX_TCP, H_SOCKET, c_recvdisc, WSAENOTCONN },
    /* WSPCloseSocket */
    BADH("WSPCloseSocket", FX_CONNECTED, c_close),
    NOSTART("WSPCloseSocket", FX_CONNECTED, c_close),
};

/* ---- Fixture and the "nothing changed" checks ------------------------------------------- */

static void
fx_init(Fx *fx, FxKind kind)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    SOCKET t;
    int len, err = 0;

    memset(fx, 0, sizeof *fx);
    fx->tw = tw;
    fx->kind = kind;
    fx->nostart = sim_process_new(tw->world, tw->client, "nostart");
    test_world_use(tw, tw->pc);
    switch (kind) {
    case FX_TCP:
        fx->s = test_socket(AF_INET, SOCK_STREAM);
        break;
    case FX_UDP:
        fx->s = test_socket(AF_INET, SOCK_DGRAM);
        break;
    case FX_TCP_BOUND:
        fx->s = test_socket(AF_INET, SOCK_STREAM);
        test_bind(fx->s, "10.0.0.1", PORT);
        break;
    case FX_LISTENER:
        fx->s = test_socket(AF_INET, SOCK_STREAM);
        test_bind(fx->s, "10.0.0.1", PORT);
        test_listen(fx->s);
        test_world_use(tw, tw->ps);
        fx->peer = test_socket(AF_INET, SOCK_STREAM);
        ss = test_sa("10.0.0.1", PORT, &len);
        assert_int_equal(
            WSPConnect(fx->peer, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
            SOCKET_ERROR);
        test_world_run(tw, SIM_SEC);
        break;
    case FX_CONNECTED: {
        SOCKET l;

        test_world_tcp_pair(tw, AF_INET, PORT, &l, &fx->s, &fx->peer);
        test_world_use(tw, tw->ps);
        test_send_str(fx->peer, "ping");
        test_world_run(tw, SIM_SEC);
        break;
    }
    case FX_UDP_BOUND:
        fx->s = test_socket(AF_INET, SOCK_DGRAM);
        test_bind(fx->s, "10.0.0.1", PORT);
        test_world_use(tw, tw->ps);
        fx->peer = test_socket(AF_INET, SOCK_DGRAM);
        test_bind(fx->peer, "10.0.0.2", PORT);
        {
            WSABUF b = { 4, (char *) "ping" };
            DWORD n;

            ss = test_sa("10.0.0.1", PORT, &len);
            assert_int_equal(WSPSendTo(fx->peer, &b, 1, &n, 0, (struct sockaddr *) &ss, len, NULL,
                                       NULL, NULL, &err),
                             0);
        }
        test_world_run(tw, SIM_SEC);
        break;
    }
    test_world_use(tw, tw->pc);
    t = test_socket(AF_INET, SOCK_STREAM);
    test_close(t);
    fx->closed = t;
    fx->last = t;
}

static int
opt(SOCKET s, int o)
{
    int v = -1, len = sizeof v, err = 0;

    assert_int_equal(WSPGetSockOpt(s, SOL_SOCKET, o, (char *) &v, &len, &err), 0);
    return v;
}

/* The socket is as fx_init() left it: same binding, state, options, data. */
static void
fx_check_unchanged(Fx *fx)
{
    TestWorld *tw = fx->tw;
    SOCKADDR_STORAGE ss;
    struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
    char buf[16];
    u_long nread = 0;
    DWORD ret = 0;
    int len = sizeof ss, err = 0;
    SOCKET t;

    test_world_use(tw, tw->pc);
    /* No socket was created on the way: handles are never reused, so the
     * next one follows the last one given out. */
    t = test_socket(AF_INET, SOCK_DGRAM);
    assert_true(t == fx->last + 4);
    /* Options keep their defaults. */
    assert_int_equal(opt(fx->s, SO_DEBUG), 0);
    assert_int_equal(opt(fx->s, SO_RCVTIMEO), 0);
    assert_int_equal(opt(fx->s, SO_ERROR), 0);
    switch (fx->kind) {
    case FX_TCP:
    case FX_UDP:
        /* Still unbound, still able to bind. */
        assert_int_equal(WSPGetSockName(fx->s, (struct sockaddr *) &ss, &len, &err), SOCKET_ERROR);
        assert_int_equal(err, WSAEINVAL);
        test_bind(fx->s, "10.0.0.1", PORT + 2);
        if (fx->kind == FX_TCP) {
            assert_int_equal(opt(fx->s, SO_EXCLUSIVEADDRUSE), 0);
            test_listen(fx->s); /* not connecting, not connected */
        }
        break;
    case FX_TCP_BOUND:
        assert_int_equal(WSPGetSockName(fx->s, (struct sockaddr *) &ss, &len, &err), 0);
        assert_int_equal(g_ntohs(sin->sin_port), PORT);
        assert_int_equal(opt(fx->s, SO_EXCLUSIVEADDRUSE), 0);
        assert_int_equal(opt(fx->s, SO_ACCEPTCONN), 0);
        test_listen(fx->s);
        break;
    case FX_LISTENER:
        assert_int_equal(opt(fx->s, SO_ACCEPTCONN), 1);
        assert_int_equal(opt(fx->s, SO_CONDITIONAL_ACCEPT), 0);
        /* The waiting connection is still there. */
        assert_true(WSPAccept(fx->s, NULL, NULL, NULL, 0, &err) != INVALID_SOCKET);
        break;
    case FX_CONNECTED:
        /* Unread data unread, nothing sent, both directions open. */
        assert_int_equal(
            WSPIoctl(fx->s, FIONREAD, NULL, 0, &nread, sizeof nread, &ret, NULL, NULL, NULL, &err),
            0);
        assert_int_equal(nread, 4);
        assert_int_equal(test_recv(fx->s, buf, sizeof buf, 0, &err), 4);
        assert_string_equal(buf, "ping");
        assert_int_equal(test_send_str(fx->s, "pong"), 4);
        test_world_run(tw, SIM_SEC);
        test_world_use(tw, tw->ps);
        assert_int_equal(test_recv(fx->peer, buf, sizeof buf, 0, &err), 4);
        assert_string_equal(buf, "pong");
        break;
    case FX_UDP_BOUND:
        assert_int_equal(test_recv(fx->s, buf, sizeof buf, 0, &err), 4);
        assert_string_equal(buf, "ping");
        test_world_run(tw, SIM_SEC);
        test_world_use(tw, tw->ps);
        /* Nothing reached the peer. */
        assert_int_equal(test_recv(fx->peer, buf, sizeof buf, 0, &err), -1);
        assert_int_equal(err, WSAEWOULDBLOCK);
        break;
    }
}

static void
run_case(const BadCase *c)
{
    Fx fx;
    int err = 0, r;

    fx_init(&fx, c->setup);
    switch (c->handle) {
    case H_SOCKET:
    case H_NOSTART:
        fx.h = fx.s;
        break;
    case H_BOGUS:
        fx.h = BOGUS;
        break;
    case H_CLOSED:
        fx.h = fx.closed;
        break;
    }
    test_world_use(fx.tw, c->handle == H_NOSTART ? fx.nostart : fx.tw->pc);
    r = c->call(&fx, &err);
    assert_int_equal(r, SOCKET_ERROR);
    assert_int_equal(err, c->want);
    fx_check_unchanged(&fx);
    test_world_free(fx.tw);
}

static void
test_wsp_badinput_matrix(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const BadCase *c = &cases[i];

        print_message("row %zu: %s %s: %s -> %s\n", i + 1, c->fn, c->arg, c->form,
                      err_name(c->want));
        run_case(c);
    }
}

/* Each fixture's check passes with no call at all (the baseline the rows
 * compare against), and the valid form of a call succeeds: the rows fail
 * because of their one bad argument. */
static void
test_wsp_badinput_baseline(void **state)
{
    static const struct {
        FxKind kind;
        CallFn call;
    } ok[] = {
        { FX_TCP, c_getopt_ok },         { FX_UDP, c_ioctl_ok },
        { FX_TCP_BOUND, c_sockname_ok }, { FX_LISTENER, c_sockname_ok },
        { FX_CONNECTED, c_peername_ok }, { FX_UDP_BOUND, c_ioctl_ok },
    };

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        Fx fx;
        int err = 0;

        print_message("fixture %s\n", fx_names[ok[i].kind]);
        fx_init(&fx, ok[i].kind);
        fx.h = fx.s;
        assert_int_equal(ok[i].call(&fx, &err), 0);
        fx_check_unchanged(&fx);
        test_world_free(fx.tw);
    }
}

/* ---- The document ------------------------------------------------------------------------ */

static GString *
matrix_markdown(void)
{
    GString *md = g_string_new(NULL);

    g_string_append(md, "| # | Function | Argument | Bad form | Socket | Error |\n"
                        "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const BadCase *c = &cases[i];

        g_string_append_printf(md, "| %zu | %s | %s | %s | %s | %s |\n", i + 1, c->fn, c->arg,
                               c->form,
                               c->handle == H_BOGUS    ? "-"
                               : c->handle == H_CLOSED ? "-"
                                                       : fx_names[c->setup],
                               err_name(c->want));
    }
    return md;
}

#define DOC_BEGIN "<!-- matrix:begin (generated: tests/test-wsp-badinput --markdown) -->\n"
#define DOC_END "<!-- matrix:end -->"

static void
test_wsp_badinput_doc_in_sync(void **state)
{
    g_autofree char *text = NULL;
    g_autoptr(GString) md = matrix_markdown();
    const char *b, *e;

    (void) state;
    assert_true(g_file_get_contents(SRCDIR "/doc/bad-input-matrix.md", &text, NULL, NULL));
    b = strstr(text, DOC_BEGIN);
    assert_non_null(b);
    b += strlen(DOC_BEGIN);
    e = strstr(b, DOC_END);
    assert_non_null(e);
    if ((size_t) (e - b) != md->len || memcmp(b, md->str, md->len) != 0) {
        print_error("doc/bad-input-matrix.md is out of date: regenerate the table with "
                    "tests/test-wsp-badinput --markdown\n");
        fail();
    }
}

int
main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_badinput_baseline),
        cmocka_unit_test(test_wsp_badinput_matrix),
        cmocka_unit_test(test_wsp_badinput_doc_in_sync),
    };

    if (argc > 1 && strcmp(argv[1], "--markdown") == 0) {
        g_autoptr(GString) md = matrix_markdown();

        fputs(md->str, stdout);
        return 0;
    }
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-badinput", tests, NULL, NULL);
}
