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
#include <wspsim/wspsim-os.h>

#include "helpers/test-world.h"
#include "spi/wsp-private.h"

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
    FX_MP,        /* a new multipoint datagram socket (c_leaf, d_leaf) */
} FxKind;

static const char *const fx_names[] = {
    [FX_TCP] = "new stream",     [FX_UDP] = "new datagram",    [FX_TCP_BOUND] = "bound stream",
    [FX_LISTENER] = "listening", [FX_CONNECTED] = "connected", [FX_UDP_BOUND] = "bound datagram",
    [FX_MP] = "new multipoint",
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
    q.SendingFlowspec.ServiceType = SERVICETYPE_GUARANTEED; /* with a token rate of 0 */
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

/* ---- Notification, overlapped results, cancellation, duplication, multipoint,
 * QoS templates, startup, address strings ------------------------------------------ */

static fd_set
one_set(SOCKET s)
{
    fd_set f;

    memset(&f, 0, sizeof f);
    f.fd_count = 1;
    f.fd_array[0] = s;
    return f;
}

/* A rejected WSPSelect leaves the sets as they were. */
static int
select_(fd_set *r, fd_set *w, fd_set *e, const struct timeval *tv, int *err)
{
    fd_set *sets[3] = { r, w, e }, copy[3];
    int ret;

    for (int k = 0; k < 3; k++)
        if (sets[k] != NULL)
            copy[k] = *sets[k];
    ret = WSPSelect(0, r, w, e, tv, err);
    if (ret == SOCKET_ERROR)
        for (int k = 0; k < 3; k++)
            if (sets[k] != NULL)
                assert_memory_equal(sets[k], &copy[k], sizeof copy[k]);
    return ret;
}
static const struct timeval tv_poll = { 0, 0 };
static int
c_select_ok(Fx *fx, int *err)
{
    fd_set r = one_set(fx->h);

    return select_(&r, NULL, NULL, &tv_poll, err) == SOCKET_ERROR ? SOCKET_ERROR : 0;
}
static int
c_select_nullsets(Fx *fx, int *err)
{
    (void) fx;
    return select_(NULL, NULL, NULL, &tv_poll, err);
}
static int
c_select_empty(Fx *fx, int *err)
{
    fd_set r, w, e;

    (void) fx;
    memset(&r, 0, sizeof r);
    w = e = r;
    return select_(&r, &w, &e, &tv_poll, err);
}
static int
c_select_bad_write(Fx *fx, int *err)
{
    fd_set r = one_set(fx->h), w = one_set(BOGUS);

    return select_(&r, &w, NULL, &tv_poll, err);
}
static int
c_select_bad_except(Fx *fx, int *err)
{
    fd_set r = one_set(fx->h), e = one_set(fx->closed);

    return select_(&r, NULL, &e, &tv_poll, err);
}
static int
c_select_count(Fx *fx, int *err)
{
    fd_set r = one_set(fx->h);

    r.fd_count = FD_SETSIZE + 1;
    return select_(&r, NULL, NULL, &tv_poll, err);
}
static int
select_tv(Fx *fx, long sec, long usec, int *err)
{
    fd_set r = one_set(fx->h);
    struct timeval tv;

    tv.tv_sec = sec;
    tv.tv_usec = usec;
    return select_(&r, NULL, NULL, &tv, err);
}
static int
c_select_tv_sec(Fx *fx, int *err)
{
    return select_tv(fx, -1, 0, err);
}
static int
c_select_tv_usec(Fx *fx, int *err)
{
    return select_tv(fx, 0, 1000000, err);
}
static int
c_select_tv_usec_neg(Fx *fx, int *err)
{
    return select_tv(fx, 0, -1, err);
}

/* WSPEventSelect / WSPAsyncSelect / WSPEnumNetworkEvents */
static HANDLE
new_event(Fx *fx)
{
    return wspsim_os_event_create(fx->tw->world, TRUE, FALSE);
}
static HWND
new_window(Fx *fx)
{
    return wspsim_os_window_create(fx->tw->world, fx->tw->pc);
}
static HANDLE
closed_handle(Fx *fx, HANDLE h)
{
    assert_true(wspsim_os_handle_close(fx->tw->world, h));
    return h;
}
static int
c_evsel_ok(Fx *fx, int *err)
{
    return WSPEventSelect(fx->h, new_event(fx), FD_READ | FD_CLOSE, err);
}
static int
c_evsel_unknown(Fx *fx, int *err)
{
    return WSPEventSelect(fx->h, new_event(fx), FD_READ | 0x1000, err);
}
static int
c_evsel_null(Fx *fx, int *err)
{
    return WSPEventSelect(fx->h, NULL, FD_READ, err);
}
static int
c_evsel_window(Fx *fx, int *err)
{
    return WSPEventSelect(fx->h, (WSAEVENT) new_window(fx), FD_READ, err);
}
static int
c_evsel_closed(Fx *fx, int *err)
{
    return WSPEventSelect(fx->h, closed_handle(fx, new_event(fx)), FD_READ, err);
}
static int
c_evsel_bogus(Fx *fx, int *err)
{
    return WSPEventSelect(fx->h, (WSAEVENT) (uintptr_t) 0x7777, FD_READ, err);
}
#define WM_BADINPUT 0x0401
static int
c_async_ok(Fx *fx, int *err)
{
    return WSPAsyncSelect(fx->h, new_window(fx), WM_BADINPUT, FD_READ | FD_CLOSE, err);
}
static int
c_async_unknown(Fx *fx, int *err)
{
    return WSPAsyncSelect(fx->h, new_window(fx), WM_BADINPUT, FD_READ | 0x1000, err);
}
static int
c_async_null(Fx *fx, int *err)
{
    return WSPAsyncSelect(fx->h, NULL, WM_BADINPUT, FD_READ, err);
}
static int
c_async_event(Fx *fx, int *err)
{
    return WSPAsyncSelect(fx->h, (HWND) new_event(fx), WM_BADINPUT, FD_READ, err);
}
static int
c_async_closed(Fx *fx, int *err)
{
    return WSPAsyncSelect(fx->h, (HWND) closed_handle(fx, (HANDLE) new_window(fx)), WM_BADINPUT,
                          FD_READ, err);
}
static int
c_async_bogus(Fx *fx, int *err)
{
    return WSPAsyncSelect(fx->h, (HWND) (uintptr_t) 0x7777, WM_BADINPUT, FD_READ, err);
}
static int
c_enum_ok(Fx *fx, int *err)
{
    WSANETWORKEVENTS ne;

    return WSPEnumNetworkEvents(fx->h, NULL, &ne, err);
}
static int
c_enum_null(Fx *fx, int *err)
{
    return WSPEnumNetworkEvents(fx->h, new_event(fx), NULL, err);
}
static int
c_enum_window(Fx *fx, int *err)
{
    WSANETWORKEVENTS ne;

    return WSPEnumNetworkEvents(fx->h, (WSAEVENT) new_window(fx), &ne, err);
}
static int
c_enum_closed(Fx *fx, int *err)
{
    WSANETWORKEVENTS ne;

    return WSPEnumNetworkEvents(fx->h, closed_handle(fx, new_event(fx)), &ne, err);
}

/* WSPGetOverlappedResult: FALSE leaves *lpcbTransfer alone (choice 7). */
static int
ovr(Fx *fx, WSAOVERLAPPED *ov, bool null_cb, bool null_flags, BOOL wait, int *err)
{
    DWORD cb = 0xdead, fl = 0;
    BOOL r =
        WSPGetOverlappedResult(fx->h, ov, null_cb ? NULL : &cb, wait, null_flags ? NULL : &fl, err);

    if (!r)
        assert_int_equal(cb, 0xdead);
    return r ? 0 : SOCKET_ERROR;
}
static WSAOVERLAPPED
ov_state(ULONG_PTR internal, DWORD error)
{
    WSAOVERLAPPED ov;

    memset(&ov, 0, sizeof ov);
    ov.Internal = internal;
    ov.OffsetHigh = error;
    return ov;
}
static int
c_ovr_pending(Fx *fx, int *err)
{
    WSAOVERLAPPED ov = ov_state(WSS_OPERATION_IN_PROGRESS, 0);

    return ovr(fx, &ov, false, false, FALSE, err);
}
static int
c_ovr_pending_wait(Fx *fx, int *err)
{
    WSAOVERLAPPED ov = ov_state(WSS_OPERATION_IN_PROGRESS, 0);

    return ovr(fx, &ov, false, false, TRUE, err);
}
static int
c_ovr_null(Fx *fx, int *err)
{
    return ovr(fx, NULL, false, false, FALSE, err);
}
static int
c_ovr_nullcb(Fx *fx, int *err)
{
    WSAOVERLAPPED ov = ov_state(0, 0);

    return ovr(fx, &ov, true, false, FALSE, err);
}
static int
c_ovr_nullflags(Fx *fx, int *err)
{
    WSAOVERLAPPED ov = ov_state(0, 0);

    return ovr(fx, &ov, false, true, FALSE, err);
}
static int
c_ovr_failed(Fx *fx, int *err)
{
    WSAOVERLAPPED ov = ov_state(WSAECONNRESET, WSAECONNRESET);

    return ovr(fx, &ov, false, false, FALSE, err);
}

/* WSPCancelBlockingCall */
static int
c_cancel(Fx *fx, int *err)
{
    (void) fx;
    return WSPCancelBlockingCall(err);
}
typedef struct {
    int ret, err;
} CancelResult;
static void
cancel_actor(void *data)
{
    CancelResult *r = data;

    r->ret = WSPCancelBlockingCall(&r->err);
}
static int
c_cancel_actor(Fx *fx, int *err)
{
    CancelResult r = { 0, 0 };
    /* A process of its own: a process ends with its last actor. */
    SimProcessId p = sim_process_new(fx->tw->world, fx->tw->client, "canceller");
    WSPDATA d;
    WSPPROC_TABLE t;

    test_world_use(fx->tw, p);
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &d, NULL, wspsim_default_upcall_table(), &t), 0);
    test_world_spawn(fx->tw, p, "canceller", cancel_actor, &r);
    test_world_run(fx->tw, SIM_MSEC);
    test_world_use(fx->tw, fx->tw->pc);
    *err = r.err;
    return r.ret;
}

/* WSPDuplicateSocket */
static int
c_dup_ok(Fx *fx, int *err)
{
    WSAPROTOCOL_INFOW pi;

    return WSPDuplicateSocket(fx->h, fx->tw->ps, &pi, err);
}
static int
c_dup_null(Fx *fx, int *err)
{
    return WSPDuplicateSocket(fx->h, fx->tw->ps, NULL, err);
}
static int
c_dup_pid0(Fx *fx, int *err)
{
    WSAPROTOCOL_INFOW pi;

    return WSPDuplicateSocket(fx->h, 0, &pi, err);
}
static int
c_dup_pidbad(Fx *fx, int *err)
{
    WSAPROTOCOL_INFOW pi;

    return WSPDuplicateSocket(fx->h, 9999, &pi, err);
}
static int
c_dup_qos(Fx *fx, int *err)
{
    WCHAR name[] = { 'G', '7', '1', '1', 0 };
    WSABUF nb = { sizeof name, (char *) name };
    WSAPROTOCOL_INFOW pi;
    DWORD ret = 0;
    QOS q;
    SOCKET t = test_socket(AF_INET, SOCK_STREAM);
    int e = 0;

    fx->last = t; /* a socket of its own: the fixture's stays without QoS */
    assert_true(WSPGetQOSByName(t, &nb, &q, &e));
    assert_int_equal(WSPIoctl(t, SIO_SET_QOS, &q, sizeof q, NULL, 0, &ret, NULL, NULL, NULL, &e),
                     0);
    return WSPDuplicateSocket(t, fx->tw->ps, &pi, err);
}

/* WSPJoinLeaf (FX_MP: c_leaf/d_leaf, a non-rooted session named by a group) */
static int
join(Fx *fx, const char *ip, int port, int lenadj, WSABUF *caller, WSABUF *callee, QOS *sqos,
     DWORD flags, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = ip != NULL ? sa_len(ip, port, &ss) : (int) sizeof(struct sockaddr_in);

    return as_int(WSPJoinLeaf(fx->h, ip != NULL ? (struct sockaddr *) &ss : NULL, len + lenadj,
                              caller, callee, sqos, NULL, flags, err));
}
#define GROUP "224.1.2.3"
static int
c_join_ok(Fx *fx, int *err)
{
    return join(fx, GROUP, PORT, 0, NULL, NULL, NULL, JL_BOTH, err);
}
static int
c_join_null(Fx *fx, int *err)
{
    return join(fx, NULL, PORT, 0, NULL, NULL, NULL, JL_BOTH, err);
}
static int
c_join_short(Fx *fx, int *err)
{
    return join(fx, GROUP, PORT, -1, NULL, NULL, NULL, JL_BOTH, err);
}
static int
c_join_negative(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;

    sa_len(GROUP, PORT, &ss);
    return as_int(
        WSPJoinLeaf(fx->h, (struct sockaddr *) &ss, -1, NULL, NULL, NULL, NULL, JL_BOTH, err));
}
static int
c_join_family(Fx *fx, int *err)
{
    return join(fx, "ff02::1", PORT, 0, NULL, NULL, NULL, JL_BOTH, err);
}
static int
c_join_any(Fx *fx, int *err)
{
    return join(fx, "0.0.0.0", PORT, 0, NULL, NULL, NULL, JL_BOTH, err);
}
static int
c_join_port0(Fx *fx, int *err)
{
    return join(fx, GROUP, 0, 0, NULL, NULL, NULL, JL_BOTH, err);
}
static int
c_join_unicast(Fx *fx, int *err)
{
    return join(fx, "10.0.0.2", PORT, 0, NULL, NULL, NULL, JL_BOTH, err);
}
static int
c_join_flags0(Fx *fx, int *err)
{
    return join(fx, GROUP, PORT, 0, NULL, NULL, NULL, 0, err);
}
static int
c_join_flags_unknown(Fx *fx, int *err)
{
    return join(fx, GROUP, PORT, 0, NULL, NULL, NULL, JL_BOTH | 0x100, err);
}
static int
c_join_caller_null(Fx *fx, int *err)
{
    return join(fx, GROUP, PORT, 0, &nullbuf, NULL, NULL, JL_BOTH, err);
}
static int
c_join_callee_null(Fx *fx, int *err)
{
    return join(fx, GROUP, PORT, 0, NULL, &nullbuf, NULL, JL_BOTH, err);
}
static int
c_join_caller_data(Fx *fx, int *err)
{
    return join(fx, GROUP, PORT, 0, &sb, NULL, NULL, JL_BOTH, err);
}
static int
c_join_qos(Fx *fx, int *err)
{
    QOS q;

    memset(&q, 0, sizeof q);
    q.SendingFlowspec.ServiceType = SERVICETYPE_GUARANTEED; /* with a token rate of 0 */
    return join(fx, GROUP, PORT, 0, NULL, NULL, &q, JL_BOTH, err);
}

/* WSPGetQOSByName: a rejected call leaves *lpQOS alone. */
static int
qos_by_name(Fx *fx, const char *name, int lenadj, bool null_qos, int *err)
{
    WCHAR w[16];
    WSABUF b;
    QOS q, before;
    size_t i;
    BOOL r;

    for (i = 0; name[i] != '\0'; i++)
        w[i] = (WCHAR) name[i];
    w[i] = 0;
    b.buf = (char *) w;
    b.len = (u_long) ((i + 1) * sizeof(WCHAR) + (size_t) (long) lenadj);
    memset(&q, 0xab, sizeof q);
    before = q;
    r = WSPGetQOSByName(fx->h, &b, null_qos ? NULL : &q, err);
    if (!r)
        assert_memory_equal(&q, &before, sizeof q);
    return r ? 0 : SOCKET_ERROR;
}
static int
c_qos_ok(Fx *fx, int *err)
{
    return qos_by_name(fx, "G711", 0, false, err);
}
static int
c_qos_nullname(Fx *fx, int *err)
{
    QOS q;

    return WSPGetQOSByName(fx->h, NULL, &q, err) ? 0 : SOCKET_ERROR;
}
static int
c_qos_nullbuf(Fx *fx, int *err)
{
    WSABUF b = { 64, NULL };
    QOS q;

    return WSPGetQOSByName(fx->h, &b, &q, err) ? 0 : SOCKET_ERROR;
}
static int
c_qos_len1(Fx *fx, int *err)
{
    WCHAR w[] = { 'G', '7', '1', '1', 0 };
    WSABUF b = { 1, (char *) w };
    QOS q;

    return WSPGetQOSByName(fx->h, &b, &q, err) ? 0 : SOCKET_ERROR;
}
static int
c_qos_nullqos(Fx *fx, int *err)
{
    return qos_by_name(fx, "G711", 0, true, err);
}
static int
c_qos_unknown(Fx *fx, int *err)
{
    return qos_by_name(fx, "G999", 0, false, err);
}
static int
c_qos_case(Fx *fx, int *err)
{
    return qos_by_name(fx, "g711", 0, false, err);
}
static int
c_qos_cut(Fx *fx, int *err)
{
    return qos_by_name(fx, "G711", -6, false, err); /* len covers "G7" */
}

/* WSPStartup (returns the code itself); a rejected call keeps the count and
 * the upcall table (the spy table given here is not taken). */
static BOOL WSPAPI
spy_post_message(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam)
{
    (void) hWnd;
    (void) Msg;
    (void) wParam;
    (void) lParam;
    return FALSE;
}
static int
startup_(WORD version, bool null_data, bool null_procs, int *err)
{
    WSPUPCALLTABLE up = wspsim_default_upcall_table();
    WSPDATA d;
    WSPPROC_TABLE t;

    up.lpWPUPostMessage = spy_post_message;
    *err = WSPStartup(version, null_data ? NULL : &d, NULL, up, null_procs ? NULL : &t);
    return *err == 0 ? 0 : SOCKET_ERROR;
}
static int
c_startup_nulldata(Fx *fx, int *err)
{
    (void) fx;
    return startup_(MAKEWORD(2, 2), true, false, err);
}
static int
c_startup_nullprocs(Fx *fx, int *err)
{
    (void) fx;
    return startup_(MAKEWORD(2, 2), false, true, err);
}
static int
c_startup_v11(Fx *fx, int *err)
{
    (void) fx;
    return startup_(MAKEWORD(1, 1), false, false, err);
}
static int
c_startup_v21(Fx *fx, int *err)
{
    (void) fx;
    return startup_(MAKEWORD(2, 1), false, false, err);
}
static int
c_startup_noprocess(Fx *fx, int *err)
{
    int r;

    wspsim_set_context(fx->tw->world, 9999);
    r = startup_(MAKEWORD(2, 2), false, false, err);
    test_world_use(fx->tw, fx->tw->pc);
    return r;
}

/* WSPCleanup */
static int
c_cleanup(Fx *fx, int *err)
{
    (void) fx;
    return WSPCleanup(err);
}
static int
c_cleanup_twice(Fx *fx, int *err)
{
    WSPDATA d;
    WSPPROC_TABLE t;
    int e = 0;

    (void) fx;
    assert_int_equal(WSPStartup(MAKEWORD(2, 2), &d, NULL, wspsim_default_upcall_table(), &t), 0);
    assert_int_equal(WSPCleanup(&e), 0);
    return WSPCleanup(err);
}

/* WSPAddressToString */
static int
a2s(const struct sockaddr *sa, DWORD salen, bool null_out, DWORD cap, bool null_len, int *err)
{
    WCHAR out[64];
    DWORD len = cap;
    int r;

    out[0] = 0x5a5a;
    r = WSPAddressToString((LPSOCKADDR) sa, salen, NULL, null_out ? NULL : out,
                           null_len ? NULL : &len, err);
    if (r == SOCKET_ERROR)
        assert_int_equal(out[0], 0x5a5a); /* nothing written */
    return r;
}
static int
a2s_ip(const char *ip, int lenadj, bool null_out, DWORD cap, bool null_len, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len(ip, 80, &ss);

    return a2s((struct sockaddr *) &ss, (DWORD) (len + lenadj), null_out, cap, null_len, err);
}
static int
c_a2s_ok(Fx *fx, int *err)
{
    (void) fx;
    return a2s_ip("10.0.0.1", 0, false, 64, false, err);
}
static int
c_a2s_null(Fx *fx, int *err)
{
    (void) fx;
    return a2s(NULL, sizeof(struct sockaddr_in), false, 64, false, err);
}
static int
c_a2s_short(Fx *fx, int *err)
{
    (void) fx;
    return a2s_ip("10.0.0.1", -1, false, 64, false, err);
}
static int
c_a2s_v6short(Fx *fx, int *err)
{
    (void) fx;
    return a2s_ip("fd00::1", (int) sizeof(struct sockaddr_in) - (int) sizeof(struct sockaddr_in6),
                  false, 64, false, err);
}
static int
c_a2s_onebyte(Fx *fx, int *err)
{
    char *one = g_malloc(1); /* a 1-byte buffer: not even sa_family fits */
    int r;

    (void) fx;
    one[0] = 2;
    r = a2s((struct sockaddr *) (void *) one, 1, false, 64, false, err);
    g_free(one);
    return r;
}
static int
c_a2s_family(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.1", 80, &ss);

    (void) fx;
    ss.ss_family = 99;
    return a2s((struct sockaddr *) &ss, (DWORD) len, false, 64, false, err);
}
static int
c_a2s_nullout(Fx *fx, int *err)
{
    (void) fx;
    return a2s_ip("10.0.0.1", 0, true, 64, false, err);
}
static int
c_a2s_nulllen(Fx *fx, int *err)
{
    (void) fx;
    return a2s_ip("10.0.0.1", 0, false, 64, true, err);
}
static int
c_a2s_small(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    int len = sa_len("10.0.0.1", 80, &ss);
    WCHAR out[64];
    DWORD cap = 4;
    int r;

    (void) fx;
    out[0] = 0x5a5a;
    r = WSPAddressToString((struct sockaddr *) &ss, (DWORD) len, NULL, out, &cap, err);
    assert_int_equal(out[0], 0x5a5a);
    assert_int_equal(cap, sizeof "10.0.0.1:80"); /* the size needed, in WCHARs */
    return r;
}

/* WSPStringToAddress: a rejected call leaves *lpAddress alone. */
static int
s2a_w(const WCHAR *text, int af, bool null_addr, int cap, bool null_len, int *err)
{
    SOCKADDR_STORAGE ss, before;
    int len = cap, r;

    memset(&ss, 0x5a, sizeof ss);
    before = ss;
    r = WSPStringToAddress((LPWSTR) text, af, NULL, null_addr ? NULL : (struct sockaddr *) &ss,
                           null_len ? NULL : &len, err);
    if (r == SOCKET_ERROR)
        assert_memory_equal(&ss, &before, sizeof ss);
    return r;
}
static int
s2a(const char *text, int af, bool null_addr, int cap, bool null_len, int *err)
{
    WCHAR w[256];
    size_t i;

    for (i = 0; text[i] != '\0' && i + 1 < G_N_ELEMENTS(w); i++)
        w[i] = (WCHAR) (guint8) text[i];
    w[i] = 0;
    return s2a_w(w, af, null_addr, cap, null_len, err);
}
#define SS_LEN ((int) sizeof(SOCKADDR_STORAGE))
static int
c_s2a_ok(Fx *fx, int *err)
{
    (void) fx;
    return s2a("10.0.0.1:80", AF_INET, false, SS_LEN, false, err);
}
static int
c_s2a_null(Fx *fx, int *err)
{
    (void) fx;
    return s2a_w(NULL, AF_INET, false, SS_LEN, false, err);
}
static int
c_s2a_nulllen(Fx *fx, int *err)
{
    (void) fx;
    return s2a("10.0.0.1:80", AF_INET, false, SS_LEN, true, err);
}
static int
c_s2a_nulladdr(Fx *fx, int *err)
{
    (void) fx;
    return s2a("10.0.0.1:80", AF_INET, true, SS_LEN, false, err);
}
static int
c_s2a_small(Fx *fx, int *err)
{
    SOCKADDR_STORAGE ss;
    WCHAR w[] = { '1', '.', '2', '.', '3', '.', '4', 0 };
    int len = 8, r;

    (void) fx;
    memset(&ss, 0x5a, sizeof ss);
    r = WSPStringToAddress(w, AF_INET, NULL, (struct sockaddr *) &ss, &len, err);
    assert_int_equal(len, sizeof(struct sockaddr_in)); /* the size needed */
    assert_int_equal(((guint8 *) &ss)[0], 0x5a);
    return r;
}
static int
c_s2a_garbage(Fx *fx, int *err)
{
    (void) fx;
    return s2a("10.0.0", AF_INET, false, SS_LEN, false, err);
}
static int
c_s2a_empty(Fx *fx, int *err)
{
    (void) fx;
    return s2a("", AF_INET, false, SS_LEN, false, err);
}
static int
c_s2a_port(Fx *fx, int *err)
{
    (void) fx;
    return s2a("10.0.0.1:99999", AF_INET, false, SS_LEN, false, err);
}
static int
c_s2a_v6_for_v4(Fx *fx, int *err)
{
    (void) fx;
    return s2a("[fd00::1]:80", AF_INET, false, SS_LEN, false, err);
}
static int
c_s2a_family(Fx *fx, int *err)
{
    (void) fx;
    return s2a("10.0.0.1", 99, false, SS_LEN, false, err);
}
static int
c_s2a_nonascii(Fx *fx, int *err)
{
    WCHAR w[] = { '1', '0', 0x2024, '0', '.', '0', '.', '1', 0 };

    (void) fx;
    return s2a_w(w, AF_INET, false, SS_LEN, false, err);
}
static int
c_s2a_long(Fx *fx, int *err)
{
    char text[200];

    (void) fx;
    memset(text, '1', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    return s2a(text, AF_INET, false, SS_LEN, false, err);
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
        E(WSA_IO_INCOMPLETE);
        E(WSAECONNRESET);
        E(WSAVERNOTSUPPORTED);
        E(WSASYSNOTREADY);
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
    { "WSPConnect", "lpSQOS", "flowspec that cannot be met (token rate 0)", FX_TCP, H_SOCKET,
      c_connect_qos, WSAEOPNOTSUPP },
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
    /* WSPSelect (the socket is in the read set unless the row says otherwise) */
    BADH("WSPSelect", FX_CONNECTED, c_select_ok),
    { "WSPSelect", "readfds, writefds, exceptfds", "all NULL", FX_CONNECTED, H_SOCKET,
      c_select_nullsets, WSAEINVAL },
    { "WSPSelect", "readfds, writefds, exceptfds", "all empty", FX_CONNECTED, H_SOCKET,
      c_select_empty, WSAEINVAL },
    { "WSPSelect", "writefds", "holds a non-socket", FX_CONNECTED, H_SOCKET, c_select_bad_write,
      WSAENOTSOCK },
    { "WSPSelect", "exceptfds", "holds a closed handle", FX_CONNECTED, H_SOCKET,
      c_select_bad_except, WSAENOTSOCK },
    { "WSPSelect", "readfds", "fd_count over FD_SETSIZE", FX_CONNECTED, H_SOCKET, c_select_count,
      WSAEFAULT },
    { "WSPSelect", "timeout", "negative tv_sec", FX_CONNECTED, H_SOCKET, c_select_tv_sec,
      WSAEINVAL },
    { "WSPSelect", "timeout", "tv_usec 1000000", FX_CONNECTED, H_SOCKET, c_select_tv_usec,
      WSAEINVAL },
    { "WSPSelect", "timeout", "negative tv_usec", FX_CONNECTED, H_SOCKET, c_select_tv_usec_neg,
      WSAEINVAL },
    NOSTART("WSPSelect", FX_CONNECTED, c_select_ok),
    /* WSPEventSelect */
    BADH("WSPEventSelect", FX_CONNECTED, c_evsel_ok),
    { "WSPEventSelect", "lNetworkEvents", "unknown bit", FX_CONNECTED, H_SOCKET, c_evsel_unknown,
      WSAEINVAL },
    { "WSPEventSelect", "hEventObject", "NULL with a nonzero mask", FX_CONNECTED, H_SOCKET,
      c_evsel_null, WSAEINVAL },
    { "WSPEventSelect", "hEventObject", "a window, not an event", FX_CONNECTED, H_SOCKET,
      c_evsel_window, WSAEINVAL },
    { "WSPEventSelect", "hEventObject", "closed event", FX_CONNECTED, H_SOCKET, c_evsel_closed,
      WSAEINVAL },
    { "WSPEventSelect", "hEventObject", "never a handle", FX_CONNECTED, H_SOCKET, c_evsel_bogus,
      WSAEINVAL },
    NOSTART("WSPEventSelect", FX_CONNECTED, c_evsel_ok),
    /* WSPAsyncSelect */
    BADH("WSPAsyncSelect", FX_CONNECTED, c_async_ok),
    { "WSPAsyncSelect", "lEvent", "unknown bit", FX_CONNECTED, H_SOCKET, c_async_unknown,
      WSAEINVAL },
    { "WSPAsyncSelect", "hWnd", "NULL with a nonzero mask", FX_CONNECTED, H_SOCKET, c_async_null,
      WSAEINVAL },
    { "WSPAsyncSelect", "hWnd", "an event, not a window", FX_CONNECTED, H_SOCKET, c_async_event,
      WSAEINVAL },
    { "WSPAsyncSelect", "hWnd", "destroyed window", FX_CONNECTED, H_SOCKET, c_async_closed,
      WSAEINVAL },
    { "WSPAsyncSelect", "hWnd", "never a handle", FX_CONNECTED, H_SOCKET, c_async_bogus,
      WSAEINVAL },
    NOSTART("WSPAsyncSelect", FX_CONNECTED, c_async_ok),
    /* WSPEnumNetworkEvents */
    BADH("WSPEnumNetworkEvents", FX_CONNECTED, c_enum_ok),
    { "WSPEnumNetworkEvents", "lpNetworkEvents", "NULL", FX_CONNECTED, H_SOCKET, c_enum_null,
      WSAEINVAL },
    { "WSPEnumNetworkEvents", "hEventObject", "a window, not an event", FX_CONNECTED, H_SOCKET,
      c_enum_window, WSAEINVAL },
    { "WSPEnumNetworkEvents", "hEventObject", "closed event", FX_CONNECTED, H_SOCKET, c_enum_closed,
      WSAEINVAL },
    NOSTART("WSPEnumNetworkEvents", FX_CONNECTED, c_enum_ok),
    /* WSPGetOverlappedResult (FALSE counts as the failure return) */
    BADH("WSPGetOverlappedResult", FX_CONNECTED, c_ovr_pending),
    { "WSPGetOverlappedResult", "lpOverlapped", "NULL", FX_CONNECTED, H_SOCKET, c_ovr_null,
      WSAEINVAL },
    { "WSPGetOverlappedResult", "lpcbTransfer", "NULL", FX_CONNECTED, H_SOCKET, c_ovr_nullcb,
      WSAEINVAL },
    { "WSPGetOverlappedResult", "lpdwFlags", "NULL", FX_CONNECTED, H_SOCKET, c_ovr_nullflags,
      WSAEINVAL },
    { "WSPGetOverlappedResult", "fWait", "FALSE, still in progress", FX_CONNECTED, H_SOCKET,
      c_ovr_pending, WSA_IO_INCOMPLETE },
    { "WSPGetOverlappedResult", "fWait", "TRUE outside any thread", FX_CONNECTED, H_SOCKET,
      c_ovr_pending_wait, WSA_IO_INCOMPLETE },
    { "WSPGetOverlappedResult", "lpOverlapped", "request failed (its own error)", FX_CONNECTED,
      H_SOCKET, c_ovr_failed, WSAECONNRESET },
    NOSTART("WSPGetOverlappedResult", FX_CONNECTED, c_ovr_pending),
    /* WSPCancelBlockingCall */
    { "WSPCancelBlockingCall", "(thread)", "no thread (embedder's code)", FX_CONNECTED, H_SOCKET,
      c_cancel, WSAEINVAL },
    { "WSPCancelBlockingCall", "(thread)", "no blocking call in progress", FX_CONNECTED, H_SOCKET,
      c_cancel_actor, WSAEINVAL },
    NOSTART("WSPCancelBlockingCall", FX_CONNECTED, c_cancel),
    /* WSPDuplicateSocket */
    BADH("WSPDuplicateSocket", FX_CONNECTED, c_dup_ok),
    { "WSPDuplicateSocket", "lpProtocolInfo", "NULL", FX_CONNECTED, H_SOCKET, c_dup_null,
      WSAEFAULT },
    { "WSPDuplicateSocket", "dwProcessId", "0", FX_CONNECTED, H_SOCKET, c_dup_pid0, WSAEINVAL },
    { "WSPDuplicateSocket", "dwProcessId", "no such process", FX_CONNECTED, H_SOCKET, c_dup_pidbad,
      WSAEINVAL },
    { "WSPDuplicateSocket", "s", "QoS-enabled (SIO_SET_QOS G711)", FX_TCP, H_SOCKET, c_dup_qos,
      WSAEINVAL },
    NOSTART("WSPDuplicateSocket", FX_CONNECTED, c_dup_ok),
    /* WSPJoinLeaf (a non-rooted c_leaf/d_leaf socket joining group 224.1.2.3) */
    BADH("WSPJoinLeaf", FX_MP, c_join_ok),
    { "WSPJoinLeaf", "name", "NULL", FX_MP, H_SOCKET, c_join_null, WSAEFAULT },
    { "WSPJoinLeaf", "namelen", "short", FX_MP, H_SOCKET, c_join_short, WSAEFAULT },
    { "WSPJoinLeaf", "namelen", "negative", FX_MP, H_SOCKET, c_join_negative, WSAEFAULT },
    { "WSPJoinLeaf", "name", "other family", FX_MP, H_SOCKET, c_join_family, WSAEAFNOSUPPORT },
    { "WSPJoinLeaf", "name", "wildcard address", FX_MP, H_SOCKET, c_join_any, WSAEADDRNOTAVAIL },
    { "WSPJoinLeaf", "name", "port 0", FX_MP, H_SOCKET, c_join_port0, WSAEADDRNOTAVAIL },
    { "WSPJoinLeaf", "name", "unicast (a non-rooted session is a group)", FX_MP, H_SOCKET,
      c_join_unicast, WSAEADDRNOTAVAIL },
    { "WSPJoinLeaf", "dwFlags", "0", FX_MP, H_SOCKET, c_join_flags0, WSAEINVAL },
    { "WSPJoinLeaf", "dwFlags", "unknown bit", FX_MP, H_SOCKET, c_join_flags_unknown, WSAEINVAL },
    { "WSPJoinLeaf", "lpCallerData", "buf NULL, len > 0", FX_MP, H_SOCKET, c_join_caller_null,
      WSAEFAULT },
    { "WSPJoinLeaf", "lpCalleeData", "buf NULL, len > 0", FX_MP, H_SOCKET, c_join_callee_null,
      WSAEFAULT },
    { "WSPJoinLeaf", "lpCallerData", "data on a non-rooted session", FX_MP, H_SOCKET,
      c_join_caller_data, WSAEPROTONOSUPPORT },
    { "WSPJoinLeaf", "lpSQOS", "QoS (not supported)", FX_MP, H_SOCKET, c_join_qos, WSAEOPNOTSUPP },
    { "WSPJoinLeaf", "s", "datagram, not multipoint", FX_UDP, H_SOCKET, c_join_ok, WSAEINVAL },
    { "WSPJoinLeaf", "s", "stream socket", FX_TCP, H_SOCKET, c_join_ok, WSAEINVAL },
    NOSTART("WSPJoinLeaf", FX_MP, c_join_ok),
    /* WSPGetQOSByName (FALSE counts as the failure return) */
    BADH("WSPGetQOSByName", FX_TCP, c_qos_ok),
    { "WSPGetQOSByName", "lpQOSName", "NULL", FX_TCP, H_SOCKET, c_qos_nullname, WSAEFAULT },
    { "WSPGetQOSByName", "lpQOSName", "buf NULL", FX_TCP, H_SOCKET, c_qos_nullbuf, WSAEFAULT },
    { "WSPGetQOSByName", "lpQOSName", "len 1 (under one WCHAR)", FX_TCP, H_SOCKET, c_qos_len1,
      WSAEFAULT },
    { "WSPGetQOSByName", "lpQOS", "NULL for a known name", FX_TCP, H_SOCKET, c_qos_nullqos,
      WSAEFAULT },
    { "WSPGetQOSByName", "lpQOSName", "unknown name (G999)", FX_TCP, H_SOCKET, c_qos_unknown,
      WSAEINVAL },
    { "WSPGetQOSByName", "lpQOSName", "wrong case (g711)", FX_TCP, H_SOCKET, c_qos_case,
      WSAEINVAL },
    { "WSPGetQOSByName", "lpQOSName", "len cuts the name (G7)", FX_TCP, H_SOCKET, c_qos_cut,
      WSAEINVAL },
    NOSTART("WSPGetQOSByName", FX_TCP, c_qos_ok),
    /* WSPStartup (returns the code; the process has already started once) */
    { "WSPStartup", "lpWSPData", "NULL", FX_TCP, H_SOCKET, c_startup_nulldata, WSAEFAULT },
    { "WSPStartup", "lpProcTable", "NULL", FX_TCP, H_SOCKET, c_startup_nullprocs, WSAEFAULT },
    { "WSPStartup", "wVersionRequested", "1.1", FX_TCP, H_SOCKET, c_startup_v11,
      WSAVERNOTSUPPORTED },
    { "WSPStartup", "wVersionRequested", "2.1", FX_TCP, H_SOCKET, c_startup_v21,
      WSAVERNOTSUPPORTED },
    { "WSPStartup", "(process)", "not a simulated process", FX_TCP, H_SOCKET, c_startup_noprocess,
      WSASYSNOTREADY },
    /* WSPCleanup */
    NOSTART("WSPCleanup", FX_TCP, c_cleanup),
    { "WSPCleanup", "(process)", "after its last WSPCleanup", FX_TCP, H_NOSTART, c_cleanup_twice,
      WSANOTINITIALISED },
    /* WSPAddressToString (no socket: the fixture's stands by) */
    { "WSPAddressToString", "lpsaAddress", "NULL", FX_TCP, H_SOCKET, c_a2s_null, WSAEFAULT },
    { "WSPAddressToString", "dwAddressLength", "short", FX_TCP, H_SOCKET, c_a2s_short, WSAEFAULT },
    { "WSPAddressToString", "dwAddressLength", "1 (a 1-byte buffer)", FX_TCP, H_SOCKET,
      c_a2s_onebyte, WSAEFAULT },
    { "WSPAddressToString", "dwAddressLength", "IPv4 size for an IPv6 address", FX_TCP, H_SOCKET,
      c_a2s_v6short, WSAEFAULT },
    { "WSPAddressToString", "lpsaAddress", "unknown family", FX_TCP, H_SOCKET, c_a2s_family,
      WSAEINVAL },
    { "WSPAddressToString", "lpszAddressString", "NULL", FX_TCP, H_SOCKET, c_a2s_nullout,
      WSAEFAULT },
    { "WSPAddressToString", "lpdwAddressStringLength", "NULL", FX_TCP, H_SOCKET, c_a2s_nulllen,
      WSAEFAULT },
    { "WSPAddressToString", "lpdwAddressStringLength", "too small (size needed set)", FX_TCP,
      H_SOCKET, c_a2s_small, WSAEFAULT },
    NOSTART("WSPAddressToString", FX_TCP, c_a2s_ok),
    /* WSPStringToAddress */
    { "WSPStringToAddress", "AddressString", "NULL", FX_TCP, H_SOCKET, c_s2a_null, WSAEFAULT },
    { "WSPStringToAddress", "lpAddressLength", "NULL", FX_TCP, H_SOCKET, c_s2a_nulllen, WSAEFAULT },
    { "WSPStringToAddress", "lpAddress", "NULL", FX_TCP, H_SOCKET, c_s2a_nulladdr, WSAEFAULT },
    { "WSPStringToAddress", "lpAddressLength", "too small (size needed set)", FX_TCP, H_SOCKET,
      c_s2a_small, WSAEFAULT },
    { "WSPStringToAddress", "AddressString", "not an address (10.0.0)", FX_TCP, H_SOCKET,
      c_s2a_garbage, WSAEINVAL },
    { "WSPStringToAddress", "AddressString", "empty", FX_TCP, H_SOCKET, c_s2a_empty, WSAEINVAL },
    { "WSPStringToAddress", "AddressString", "port over 65535", FX_TCP, H_SOCKET, c_s2a_port,
      WSAEINVAL },
    { "WSPStringToAddress", "AddressString", "non-ASCII character", FX_TCP, H_SOCKET,
      c_s2a_nonascii, WSAEINVAL },
    { "WSPStringToAddress", "AddressString", "199 characters", FX_TCP, H_SOCKET, c_s2a_long,
      WSAEINVAL },
    { "WSPStringToAddress", "AddressFamily", "IPv6 text for AF_INET", FX_TCP, H_SOCKET,
      c_s2a_v6_for_v4, WSAEINVAL },
    { "WSPStringToAddress", "AddressFamily", "unknown (99)", FX_TCP, H_SOCKET, c_s2a_family,
      WSAEINVAL },
    NOSTART("WSPStringToAddress", FX_TCP, c_s2a_ok),
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
    case FX_MP:
        fx->s = WSPSocket(AF_INET, SOCK_DGRAM, 0, NULL, 0,
                          WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF, &err);
        assert_true(fx->s != INVALID_SOCKET);
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
    /* The process is started once, with the upcall table it started with;
     * the socket is blocking, without a notification registration, QoS,
     * queued overlapped requests or a second descriptor. */
    {
        WSPUPCALLTABLE def = wspsim_default_upcall_table();
        WspCall call;
        WspSocket *ws;
        int e = 0;

        assert_true(wsp_call_begin(&call, "check", &e));
        assert_int_equal(call.proc->startup_count, 1);
        assert_memory_equal(&call.proc->upcalls, &def, sizeof def);
        ws = wsp_handle_lookup(&call, fx->s);
        assert_non_null(ws);
        assert_false(ws->nonblocking);
        assert_false(ws->async_registered);
        assert_int_equal(ws->ev_mask, 0);
        assert_null(ws->ev_event);
        assert_null(ws->ev_hwnd);
        assert_null(ws->qos);
        assert_true(g_queue_is_empty(&ws->ov_recvs) && g_queue_is_empty(&ws->ov_sends) &&
                    g_queue_is_empty(&ws->ov_ioctls));
        assert_int_equal(wsp_dup_descriptor_count(ws), 1);
    }
    /* Options keep their defaults. */
    assert_int_equal(opt(fx->s, SO_DEBUG), 0);
    assert_int_equal(opt(fx->s, SO_RCVTIMEO), 0);
    assert_int_equal(opt(fx->s, SO_ERROR), 0);
    switch (fx->kind) {
    case FX_TCP:
    case FX_UDP:
    case FX_MP:
        /* Still unbound (not joined), still able to bind. */
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
