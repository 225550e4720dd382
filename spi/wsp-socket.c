/* SPDX-License-Identifier: MIT
 *
 * wsp-socket.c: the socket life cycle — WSPSocket, WSPBind, WSPListen,
 * WSPAccept, WSPConnect, WSPShutdown, WSPSendDisconnect, WSPRecvDisconnect,
 * WSPCloseSocket — over the stream (sim-tcp) and datagram (sim-udp)
 * transports; the one function transport notifications arrive in; the
 * blocking helper; readiness; sockaddr conversion.  REFERENCE sections 2.1,
 * 2.3, 2.6 and the per-function entries are the contract;
 * doc/spi-choices.md lists the choices made where it is silent.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"
#include "wsp-extension.h"

/* ---- Addresses ---------------------------------------------------------- */

int
wsp_sockaddr_size(SimFamily family)
{
    return family == SIM_AF_INET6 ? (int) sizeof(struct sockaddr_in6)
                                  : (int) sizeof(struct sockaddr_in);
}

int
wsp_sockaddr_in(const struct sockaddr *name, int namelen, SimFamily family, SimSockAddr *out)
{
    memset(out, 0, sizeof *out);
    if (name == NULL || namelen < (int) sizeof(u_short))
        return WSAEFAULT;
    if (name->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *) name;

        if (namelen < (int) sizeof(struct sockaddr_in))
            return WSAEFAULT;
        if (family != SIM_AF_INET)
            return WSAEAFNOSUPPORT;
        out->addr.family = SIM_AF_INET;
        memcpy(out->addr.bytes, &sin->sin_addr, 4);
        out->port = g_ntohs(sin->sin_port);
        return 0;
    }
    if (name->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) name;

        if (namelen < (int) sizeof(struct sockaddr_in6))
            return WSAEFAULT;
        if (family != SIM_AF_INET6)
            return WSAEAFNOSUPPORT;
        out->addr.family = SIM_AF_INET6;
        memcpy(out->addr.bytes, &sin6->sin6_addr, 16);
        out->port = g_ntohs(sin6->sin6_port);
        return 0;
    }
    return WSAEAFNOSUPPORT;
}

int
wsp_sockaddr_out(const SimSockAddr *sa, struct sockaddr *name, LPINT namelen)
{
    int need = wsp_sockaddr_size((SimFamily) sa->addr.family);

    if (name == NULL || namelen == NULL || *namelen < need)
        return WSAEFAULT;
    memset(name, 0, (size_t) need);
    if (sa->addr.family == SIM_AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) name;

        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = g_htons(sa->port);
        memcpy(&sin6->sin6_addr, sa->addr.bytes, 16);
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *) name;

        sin->sin_family = AF_INET;
        sin->sin_port = g_htons(sa->port);
        memcpy(&sin->sin_addr, sa->addr.bytes, 4);
    }
    *namelen = need;
    return 0;
}

bool
wsp_socket_local(WspSocket *ws, SimSockAddr *out)
{
    memset(out, 0, sizeof *out);
    if (ws->sock == 0)
        return false;
    if (ws->stream)
        return ws->bound && sim_tcp_local_addr(ws->world, ws->sock, out) == SIM_OK;
    return sim_udp_get_local(ws->world, ws->sock, out) == SIM_OK;
}

/* ---- Notifications, readiness, waiting ---------------------------------- */

/**
 * wsp_socket_on_transport_event:
 * @ws: the socket whose endpoint reported
 * @events: SIM_SOCK_EV_* / SIM_TCP_EV_* bits
 * @err: the outcome for CONNECTED / CLOSED / ERROR / FREED
 *
 * Every transport notification of every provider socket passes here, so
 * the notification layer (issue 5) adds FD_* recording, select wake-ups and
 * overlapped completion in this one place.  Today it keeps the connect
 * outcome and SO_ERROR and wakes the blocked callers.
 */
void
wsp_socket_on_transport_event(WspSocket *ws, guint32 events, SimStatus err)
{
    ws->events_seen |= events;
    if (events & SIM_SOCK_EV_CONNECTED) {
        ws->connecting = false;
        if (err != SIM_OK) {
            ws->connect_failed = true;
            ws->connect_err = err;
            ws->so_error = err;
        }
    }
    if ((events & (SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_ERROR)) && err != SIM_OK)
        ws->so_error = err;
    if (events & SIM_SOCK_EV_FREED) {
        ws->transport_gone = true;
        ws->gone_err = err;
    }
    /* Waiters re-check their own condition, so waking too many is safe;
     * waking too few would hang an actor. */
    if (events & (SIM_SOCK_EV_READABLE | SIM_SOCK_EV_OOB | SIM_SOCK_EV_CLOSED |
                  SIM_SOCK_EV_ERROR | SIM_SOCK_EV_FREED))
        sim_waitq_wake_all(ws->world, &ws->rq);
    if (events & (SIM_SOCK_EV_WRITABLE | SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_ERROR |
                  SIM_SOCK_EV_FREED | SIM_SOCK_EV_CONNECTED))
        sim_waitq_wake_all(ws->world, &ws->wq);
    if (events & (SIM_SOCK_EV_ACCEPT | SIM_SOCK_EV_CONNECTED | SIM_SOCK_EV_CLOSED |
                  SIM_SOCK_EV_ERROR | SIM_SOCK_EV_FREED | SIM_TCP_EV_ACKED | SIM_TCP_EV_ENDED))
        sim_waitq_wake_all(ws->world, &ws->cq);
    /* Posted overlapped receives take data before FD_READ looks at it. */
    wsp_ov_pump(ws);
    wsp_events_on_transport(ws, events, err);
}

void
wsp_transport_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    WspSocket *ws = wsp_socket_by_sock(world, sock);

    (void) data;
    if (ws != NULL && !ws->closed)
        wsp_socket_on_transport_event(ws, events, err);
}

static void
wake_all(WspSocket *ws)
{
    sim_waitq_wake_all(ws->world, &ws->rq);
    sim_waitq_wake_all(ws->world, &ws->wq);
    sim_waitq_wake_all(ws->world, &ws->cq);
}

static guint32
stream_poll(WspSocket *ws)
{
    guint32 ev = 0;

    if (ws->sock == 0 || sim_tcp_poll(ws->world, ws->sock, &ev) != SIM_OK)
        return 0;
    return ev;
}

bool
wsp_socket_readable(WspSocket *ws)
{
    if (ws->sock == 0 || ws->transport_gone)
        return true; /* a receive fails at once */
    if (ws->stream) {
        if (ws->deferred_child != 0)
            return true;
        return (stream_poll(ws) & (SIM_SOCK_EV_READABLE | SIM_SOCK_EV_ACCEPT)) != 0;
    }
    return ws->shut_recv || sim_udp_queued_count(ws->world, ws->sock) > 0;
}

bool
wsp_socket_writable(WspSocket *ws)
{
    if (ws->sock == 0 || ws->transport_gone)
        return false;
    if (ws->stream)
        return !ws->connect_failed && (stream_poll(ws) & SIM_SOCK_EV_WRITABLE) != 0;
    return !ws->shut_send;
}

bool
wsp_socket_except(WspSocket *ws)
{
    if (ws->sock == 0 || !ws->stream)
        return false;
    return ws->connect_failed || (stream_poll(ws) & SIM_SOCK_EV_OOB) != 0;
}

SimTime
wsp_deadline(SimWorld *world, DWORD timeout_ms)
{
    if (timeout_ms == 0)
        return SIM_TIME_INFINITE;
    return sim_world_now(world) + (SimTime) timeout_ms * SIM_MSEC;
}

/**
 * wsp_wait:
 *
 * One wait of a blocking call on @q (interruptible: WSPCancelBlockingCall
 * ends it).  Code running outside any actor cannot wait: the call acts as
 * non-blocking (WSAEWOULDBLOCK).
 *
 * Returns: 0 to try again; WSAEWOULDBLOCK, WSAETIMEDOUT, WSAEINTR (also when
 * the socket was closed meanwhile) or WSAENETDOWN (the process was killed).
 */
int
wsp_wait(WspCall *call, WspSocket *ws, SimWaitQueue *q, SimTime deadline)
{
    SimWaitQueue *qs[1] = { q };
    SimWaitResult r;

    if (call->actor == SIM_ID_NONE)
        return WSAEWOULDBLOCK;
    if (deadline != SIM_TIME_INFINITE && sim_world_now(call->world) >= deadline)
        return WSAETIMEDOUT;
    wsp_call_blocks(call);
    r = wsp_block_wait(call, ws->proto->dwCatalogEntryId, qs, 1, deadline, NULL);
    if (r == SIM_WAIT_KILLED)
        return WSAENETDOWN;
    if (ws->closed)
        return WSAEINTR;
    switch (r) {
    case SIM_WAIT_WOKEN:
    case SIM_WAIT_APC:
        return 0;
    case SIM_WAIT_TIMEOUT:
        return WSAETIMEDOUT;
    case SIM_WAIT_INTERRUPTED:
        return WSAEINTR;
    case SIM_WAIT_KILLED:
        break;
    }
    return WSAENETDOWN;
}

/* ---- Transport endpoints ------------------------------------------------- */

/* Forget the endpoint: no more notifications reach @ws. */
static SimSocketId
transport_detach(WspSocket *ws)
{
    SimSocketId sock = ws->sock;
    WspState *st = wsp_state_get(ws->world, false);

    if (sock != 0 && st != NULL)
        g_hash_table_remove(st->by_sock, GUINT_TO_POINTER(sock));
    ws->sock = 0;
    return sock;
}

static void
transport_attach(WspSocket *ws, SimSocketId sock)
{
    WspState *st = wsp_state_get(ws->world, true);

    ws->sock = sock;
    g_hash_table_insert(st->by_sock, GUINT_TO_POINTER(sock), ws);
    if (ws->stream)
        sim_tcp_set_notify(ws->world, sock, wsp_transport_notify, NULL);
    else
        sim_udp_set_notify(ws->world, sock, wsp_transport_notify, NULL);
}

void
wsp_socket_reset_transport(WspSocket *ws)
{
    SimSocketId sock = transport_detach(ws);

    if (sock == 0)
        return;
    if (ws->stream)
        (void) sim_tcp_abort(ws->world, sock);
    else
        (void) sim_udp_close(ws->world, sock);
}

static SimStatus
transport_open(SimWorld *world, SimNodeId node, const WSAPROTOCOL_INFOW *proto,
               SimSocketId *out_sock)
{
    SimFamily family = proto->iAddressFamily == AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET;

    if (proto->iSocketType == SOCK_STREAM)
        return sim_tcp_open(world, node, family, out_sock);
    *out_sock = sim_udp_open(world, node, family);
    return *out_sock != 0 ? SIM_OK : SIM_E_NETDOWN;
}

/* The stream options the provider mirrors into a (new) endpoint. */
static void
stream_apply_options(WspSocket *ws)
{
    sim_tcp_set_option(ws->world, ws->sock, SIM_TCP_OPT_NODELAY, ws->opt_nodelay);
    sim_tcp_set_option(ws->world, ws->sock, SIM_TCP_OPT_KEEPALIVE, ws->opt_keepalive);
    sim_tcp_set_option(ws->world, ws->sock, SIM_TCP_OPT_OOBINLINE, ws->opt_oobinline);
}

/* A new endpoint in place of the old one (closed), with the same options
 * and buffer sizes; unbound. */
static SimStatus
stream_renew(WspSocket *ws, SimNodeId node)
{
    SimSocketId old = transport_detach(ws);
    SimSocketId sock;
    SimStatus st;
    guint64 rcvbuf = 0, sndbuf = 0;

    sim_tcp_get_option(ws->world, old, SIM_TCP_OPT_RCVBUF, &rcvbuf);
    sim_tcp_get_option(ws->world, old, SIM_TCP_OPT_SNDBUF, &sndbuf);
    (void) sim_tcp_close(ws->world, old);
    ws->bound = false;
    ws->connect_failed = false;
    st = sim_tcp_open(ws->world, node, ws->family, &sock);
    if (st != SIM_OK)
        return st;
    transport_attach(ws, sock);
    stream_apply_options(ws);
    if (rcvbuf != 0)
        sim_tcp_set_option(ws->world, sock, SIM_TCP_OPT_RCVBUF, rcvbuf);
    if (sndbuf != 0)
        sim_tcp_set_option(ws->world, sock, SIM_TCP_OPT_SNDBUF, sndbuf);
    return SIM_OK;
}

/* Bind the renewed endpoint to @addr, with the socket's sharing options. */
static SimStatus
stream_rebind(WspSocket *ws, const SimSockAddr *addr)
{
    guint flags = (ws->opt_reuseaddr ? SIM_TCP_BIND_REUSEADDR : 0) |
                  (ws->opt_exclusive ? SIM_TCP_BIND_EXCLUSIVE : 0);
    SimStatus st = sim_tcp_bind(ws->world, ws->sock, addr, flags);

    if (st == SIM_OK)
        ws->bound = true;
    return st;
}

/* After a failed connect the endpoint is spent; REFERENCE WSPConnect lets
 * the client try again on the same socket, so the provider opens a fresh
 * endpoint with the same options and explicit binding. */
static SimStatus
stream_reopen(WspSocket *ws, SimNodeId node)
{
    SimStatus st = stream_renew(ws, node);

    if (st != SIM_OK || !ws->explicit_bind)
        return st;
    return stream_rebind(ws, &ws->bind_addr);
}

/**
 * wsp_socket_reuse:
 * @ws: a stream socket whose connection is over (TF_REUSE_SOCKET)
 *
 * The socket takes a new endpoint, as a socket "not connected" again:
 * after an accepted connection (WSPAccept, AcceptEx) "neither bound nor
 * connected", for AcceptEx; after one it opened itself "not connected, but
 * still bound" to the same local port (and the explicitly bound address,
 * else the connection's), for ConnectEx (Microsoft's AcceptEx and
 * ConnectEx remarks).  The handle, its flags, FIONBIO, the socket options
 * and buffer sizes, the *_CHANGE watches and the event registration
 * (armed again) stay; the connection's state, SO_ERROR and QOS go
 * (Microsoft: the provider may delete a reused socket's QOS).
 *
 * Returns: 0, or the WSA code of a failed open or bind (the socket is then
 * unbound, or without an endpoint: WSAENETDOWN for later calls).
 */
int
wsp_socket_reuse(WspSocket *ws)
{
    SimNodeId node = sim_process_node(ws->world, ws->proc->pid);
    SimSockAddr local;
    bool keep =
        !ws->accepted && ws->sock != 0 && sim_tcp_local_addr(ws->world, ws->sock, &local) == SIM_OK;
    SimStatus st;

    if (keep && ws->explicit_bind)
        local.addr = ws->bind_addr.addr; /* the port is the one it had */
    wsp_qos_release(ws);
    st = stream_renew(ws, node);
    ws->listening = ws->connecting = ws->accepted = false;
    ws->connect_err = SIM_OK;
    ws->shut_send = ws->shut_recv = false;
    ws->transport_gone = false;
    ws->gone_err = SIM_OK;
    ws->so_error = SIM_OK;
    ws->events_seen = 0;
    ws->explicit_bind = false;
    if (st == SIM_OK && keep) {
        st = stream_rebind(ws, &local);
        ws->explicit_bind = st == SIM_OK; /* kept for a reopen after a failed connect */
        ws->bind_addr = local;
    }
    if (st == SIM_E_NETDOWN || ws->sock == 0)
        ws->transport_gone = true;
    wsp_events_on_reuse(ws);
    return st == SIM_OK ? 0 : wsp_error_from_status(st);
}

/* ---- WSPSocket ------------------------------------------------------------ */

#define WSP_FLAGS_MULTIPOINT                                                                     \
    (WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_ROOT |    \
     WSA_FLAG_MULTIPOINT_D_LEAF)
#define WSP_FLAGS_KNOWN                                                                          \
    (WSA_FLAG_OVERLAPPED | WSP_FLAGS_MULTIPOINT | WSA_FLAG_ACCESS_SYSTEM_SECURITY |             \
     WSA_FLAG_NO_HANDLE_INHERIT)

/* REFERENCE WSPSocket and 4 choice 47: exactly one control and one data
 * role, each allowed by the protocol's flags. */
static bool
multipoint_flags_ok(const WSAPROTOCOL_INFOW *e, DWORD flags)
{
    DWORD c = flags & (WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_C_LEAF);
    DWORD d = flags & (WSA_FLAG_MULTIPOINT_D_ROOT | WSA_FLAG_MULTIPOINT_D_LEAF);

    if ((flags & WSP_FLAGS_MULTIPOINT) == 0)
        return true;
    if (!(e->dwServiceFlags1 & XP1_SUPPORT_MULTIPOINT))
        return false;
    if (c != WSA_FLAG_MULTIPOINT_C_ROOT && c != WSA_FLAG_MULTIPOINT_C_LEAF)
        return false;
    if (d != WSA_FLAG_MULTIPOINT_D_ROOT && d != WSA_FLAG_MULTIPOINT_D_LEAF)
        return false;
    if (c == WSA_FLAG_MULTIPOINT_C_ROOT && !(e->dwServiceFlags1 & XP1_MULTIPOINT_CONTROL_PLANE))
        return false;
    if (d == WSA_FLAG_MULTIPOINT_D_ROOT && !(e->dwServiceFlags1 & XP1_MULTIPOINT_DATA_PLANE))
        return false;
    return true;
}

/* Groups (reserved in the SPI): 0, a new group, or one an open socket of
 * this process already belongs to. */
static int
resolve_group(WspProcess *proc, GROUP g, GROUP *out)
{
    *out = 0;
    if (g == 0)
        return 0;
    if (g == SG_UNCONSTRAINED_GROUP || g == SG_CONSTRAINED_GROUP) {
        *out = 0x1000 + proc->state->next_group++;
        return 0;
    }
    for (guint i = 0; i < proc->sockets->len; i++) {
        WspSocket *o = g_ptr_array_index(proc->sockets, i);

        if (o->group == g) {
            *out = g;
            return 0;
        }
    }
    return WSAEINVAL;
}

static const char *
type_name(int type)
{
    switch (type) {
    case SOCK_STREAM: return "SOCK_STREAM";
    case SOCK_DGRAM: return "SOCK_DGRAM";
    default: return "?";
    }
}

/**
 * WSPSocket:
 *
 * Chooses a catalog entry from (@af, @type, @protocol) — 0 is a wildcard,
 * FROM_PROTOCOL_INFO takes the value from @lpProtocolInfo — or from the
 * entry @lpProtocolInfo names, opens the transport endpoint and takes a
 * handle from WPUCreateSocketHandle.  Sockets start blocking and
 * non-overlapped unless WSA_FLAG_OVERLAPPED is given.
 *
 * Returns: the handle, or INVALID_SOCKET with WSAEAFNOSUPPORT,
 * WSAESOCKTNOSUPPORT, WSAEPROTONOSUPPORT, WSAEPROTOTYPE, WSAEINVAL (bad
 * flags, group or protocol info), WSAENETDOWN (host down), WSAEMFILE (no
 * handle), WSANOTINITIALISED.
 */
SOCKET WSPAPI
WSPSocket(int af, int type, int protocol, LPWSAPROTOCOL_INFOW lpProtocolInfo, GROUP g,
          DWORD dwFlags, LPINT lpErrno)
{
    const WSAPROTOCOL_INFOW *e = NULL;
    WspCall call;
    WspSocket *ws;
    SimSocketId sock;
    SimStatus st;
    GROUP group;
    SOCKET dup;
    int err = 0;

    if (!wsp_call_begin(&call, "WSPSocket", &err))
        return wsp_call_fail_socket(&call, lpErrno, err);
    wsp_call_args(&call, "af=%d, type=%d, protocol=%d, flags=0x%x", af, type, protocol,
                  (unsigned) dwFlags);
    /* A structure from WSPDuplicateSocket: a descriptor for a shared socket. */
    if (wsp_dup_socket_from_info(&call, lpProtocolInfo, &dup, &err)) {
        if (dup == INVALID_SOCKET)
            return wsp_call_fail_socket(&call, lpErrno, err);
        wsp_call_end(&call, "0x%" G_GINT64_MODIFIER "x (shared)", (guint64) dup);
        return dup;
    }
    if (af == FROM_PROTOCOL_INFO || type == FROM_PROTOCOL_INFO || protocol == FROM_PROTOCOL_INFO) {
        if (lpProtocolInfo == NULL)
            return wsp_call_fail_socket(&call, lpErrno, WSAEINVAL);
        if (af == FROM_PROTOCOL_INFO)
            af = lpProtocolInfo->iAddressFamily;
        if (type == FROM_PROTOCOL_INFO)
            type = lpProtocolInfo->iSocketType;
        if (protocol == FROM_PROTOCOL_INFO)
            protocol = lpProtocolInfo->iProtocol;
    }
    if (lpProtocolInfo != NULL) {
        e = wspsim_catalog_entry(lpProtocolInfo->dwCatalogEntryId);
        if (e == NULL)
            return wsp_call_fail_socket(&call, lpErrno, WSAEINVAL); /* not one of ours */
        if (af != 0 && af != e->iAddressFamily)
            return wsp_call_fail_socket(&call, lpErrno, WSAEAFNOSUPPORT);
        if (type != 0 && type != e->iSocketType)
            return wsp_call_fail_socket(&call, lpErrno, WSAESOCKTNOSUPPORT);
        if (protocol != 0 && protocol != e->iProtocol)
            return wsp_call_fail_socket(&call, lpErrno, WSAEPROTONOSUPPORT);
    } else {
        e = wsp_catalog_find(af, type, protocol, &err);
        if (e == NULL)
            return wsp_call_fail_socket(&call, lpErrno, err);
    }
    if ((dwFlags & ~(DWORD) WSP_FLAGS_KNOWN) != 0 || !multipoint_flags_ok(e, dwFlags))
        return wsp_call_fail_socket(&call, lpErrno, WSAEINVAL);
    if (resolve_group(call.proc, g, &group) != 0)
        return wsp_call_fail_socket(&call, lpErrno, WSAEINVAL);

    st = transport_open(call.world, call.node, e, &sock);
    if (st != SIM_OK)
        return wsp_call_fail_socket(&call, lpErrno, wsp_error_from_status(st));
    ws = wsp_socket_new(call.proc, e, sock, &err);
    if (ws == NULL) {
        if (e->iSocketType == SOCK_STREAM)
            sim_tcp_close(call.world, sock);
        else
            sim_udp_close(call.world, sock);
        return wsp_call_fail_socket(&call, lpErrno, err);
    }
    ws->flags = dwFlags;
    ws->group = group;
    transport_attach(ws, sock);
    /* Windows' SIO_UDP_CONNRESET default is TRUE: an ICMP port unreachable
     * drawn by any datagram fails the next receive with WSAECONNRESET, on
     * unconnected sockets too. */
    if (e->iSocketType != SOCK_STREAM)
        sim_udp_set_option(call.world, sock, SIM_UDP_OPT_UNREACH_MODE, SIM_UDP_UNREACH_ALL);
    if (call.trace) {
        wsp_call_args(&call, "%s, %s%s", e->iAddressFamily == AF_INET6 ? "AF_INET6" : "AF_INET",
                      type_name(e->iSocketType),
                      (dwFlags & WSA_FLAG_OVERLAPPED) ? ", WSA_FLAG_OVERLAPPED" : "");
        wsp_call_end(&call, "0x%" G_GINT64_MODIFIER "x", (guint64) ws->handle);
    }
    return ws->handle;
}

/* Open a call on a socket: context, startup and handle checks. */
#define WSP_SOCKET_CALL(call, name, s, ws, lpErrno)                                              \
    do {                                                                                         \
        int err_;                                                                                \
        if (!wsp_call_begin(&(call), name, &err_))                                               \
            return wsp_call_fail(&(call), lpErrno, err_);                                        \
        (ws) = wsp_handle_lookup(&(call), s);                                                    \
        if ((ws) == NULL) {                                                                      \
            wsp_call_args(&(call), "s=0x%" G_GINT64_MODIFIER "x", (guint64) (s));                \
            return wsp_call_fail(&(call), lpErrno, WSAENOTSOCK);                                 \
        }                                                                                        \
    } while (0)

/* ---- WSPBind -------------------------------------------------------------- */

/**
 * WSPBind:
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEFAULT (NULL or short
 * @name, family other than the socket's), WSAEINVAL (already bound),
 * WSAEADDRNOTAVAIL (the host lacks the address), WSAEADDRINUSE,
 * WSAEACCES (an exclusive holder), WSAENOBUFS (no dynamic port left).
 */
int WSPAPI
WSPBind(SOCKET s, const struct sockaddr *name, int namelen, LPINT lpErrno)
{
    char abuf[SIM_SOCKADDR_STRLEN];
    WspCall call;
    WspSocket *ws;
    SimSockAddr sa;
    SimStatus st;
    int err;

    WSP_SOCKET_CALL(call, "WSPBind", s, ws, lpErrno);
    err = wsp_sockaddr_in(name, namelen, ws->family, &sa);
    if (call.trace)
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %s", (guint64) s,
                      err == 0 ? wsp_fmt_sockaddr(&sa, abuf) : "?");
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, WSAEFAULT); /* family mismatch too (REFERENCE) */
    if (ws->transport_gone)
        return wsp_call_fail(&call, lpErrno, WSAENETDOWN);
    if (ws->bound || (!ws->stream && sim_udp_is_bound(call.world, ws->sock)))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    if (ws->stream) {
        guint flags = (ws->opt_reuseaddr ? SIM_TCP_BIND_REUSEADDR : 0) |
                      (ws->opt_exclusive ? SIM_TCP_BIND_EXCLUSIVE : 0);

        st = sim_tcp_bind(call.world, ws->sock, &sa, flags);
    } else {
        st = sim_udp_bind(call.world, ws->sock, &sa);
    }
    if (st != SIM_OK)
        return wsp_call_fail(&call, lpErrno, wsp_error_from_status(st));
    ws->bound = true;
    ws->explicit_bind = true;
    ws->bind_addr = sa;
    wsp_events_on_bind(ws); /* choice 10 */
    if (call.trace && wsp_socket_local(ws, &sa))
        wsp_call_end(&call, "0 (%s)", wsp_fmt_sockaddr(&sa, abuf));
    return 0;
}

/* ---- WSPListen ------------------------------------------------------------ */

/**
 * WSPListen:
 *
 * @backlog is clamped to [1, WSP_MAX_BACKLOG]; SOMAXCONN gives the maximum.
 * Calling again changes the backlog.
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEOPNOTSUPP (datagram),
 * WSAEINVAL (unbound), WSAEISCONN (connected or connecting).
 */
int WSPAPI
WSPListen(SOCKET s, int backlog, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    SimTcpState state = SIM_TCP_CLOSED;
    SimStatus st;
    guint n;

    WSP_SOCKET_CALL(call, "WSPListen", s, ws, lpErrno);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, backlog=%d", (guint64) s, backlog);
    if (!ws->stream && (ws->flags & WSP_FLAGS_MULTIPOINT) != 0 &&
        (ws->proto->dwServiceFlags1 & XP1_MULTIPOINT_CONTROL_PLANE) != 0) {
        int err = wsp_mp_listen(ws, backlog); /* rooted control plane (wsp-multipoint.c) */

        return err != 0 ? wsp_call_fail(&call, lpErrno, err) : wsp_call_ok(&call);
    }
    if (!ws->stream)
        return wsp_call_fail(&call, lpErrno, WSAEOPNOTSUPP);
    if (ws->transport_gone || ws->sock == 0)
        return wsp_call_fail(&call, lpErrno, WSAENETDOWN);
    sim_tcp_get_state(call.world, ws->sock, &state);
    if (state != SIM_TCP_CLOSED && state != SIM_TCP_LISTEN)
        return wsp_call_fail(&call, lpErrno, WSAEISCONN);
    if (!ws->bound)
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    n = backlog < 1 ? 1u : (guint) MIN(backlog, WSP_MAX_BACKLOG);
    if (!ws->listening)
        sim_tcp_set_conditional_accept(call.world, ws->sock, ws->opt_conditional);
    st = sim_tcp_listen(call.world, ws->sock, n);
    if (st != SIM_OK)
        return wsp_call_fail(&call, lpErrno, wsp_error_from_status(st));
    ws->listening = true;
    return wsp_call_ok(&call);
}

/* ---- WSPAccept ------------------------------------------------------------ */

/* The new socket takes the listener's properties (REFERENCE WSPAccept). */
static WspSocket *
adopt_child(WspCall *call, WspSocket *ls, SimSocketId child, int *out_err)
{
    WspSocket *ws = wsp_socket_new(call->proc, ls->proto, child, out_err);

    if (ws == NULL) {
        sim_tcp_abort(call->world, child);
        return NULL;
    }
    ws->flags = ls->flags;
    ws->group = ls->group;
    ws->nonblocking = ls->nonblocking;
    ws->async_registered = ls->async_registered;
    ws->bound = true;
    ws->opt_debug = ls->opt_debug;
    ws->opt_dontroute = ls->opt_dontroute;
    ws->opt_keepalive = ls->opt_keepalive;
    ws->opt_oobinline = ls->opt_oobinline;
    ws->opt_nodelay = ls->opt_nodelay;
    ws->linger = ls->linger;
    ws->linger_last = ls->linger_last;
    ws->rcvtimeo_ms = ls->rcvtimeo_ms;
    ws->sndtimeo_ms = ls->sndtimeo_ms;
    ws->accepted = true;
    transport_attach(ws, child);
    /* What happened before the accept (data, the peer's FIN) was never
     * notified to this socket: take it from the transport's level, so a
     * later WSPEventSelect/WSPAsyncSelect sees FD_CLOSE as due. */
    {
        guint32 level = 0;
        if (sim_tcp_poll(call->world, child, &level) == SIM_OK)
            ws->events_seen |= level;
    }
    stream_apply_options(ws);
    wsp_events_inherit(ws, ls);
    return ws;
}

/* Run the condition function synchronously on the caller (REFERENCE
 * WSPAccept).  Returns CF_* or -1 for an invalid answer (a group, or an
 * unknown value). */
static int
run_condition(LPCONDITIONPROC fn, DWORD_PTR cb, const SimSockAddr *remote,
              const SimSockAddr *local, LPQOS sqos)
{
    SOCKADDR_STORAGE rbuf, lbuf;
    int rlen = (int) sizeof rbuf, llen = (int) sizeof lbuf;
    char callee_data[1];
    WSABUF caller_id, callee_id, callee;
    GROUP g = 0;
    int cf;

    wsp_sockaddr_out(remote, (struct sockaddr *) &rbuf, &rlen);
    wsp_sockaddr_out(local, (struct sockaddr *) &lbuf, &llen);
    caller_id.len = (u_long) rlen;
    caller_id.buf = (char *) &rbuf;
    callee_id.len = (u_long) llen;
    callee_id.buf = (char *) &lbuf;
    callee.len = 0; /* callee data is not supported (no XP1_CONNECT_DATA) */
    callee.buf = callee_data;
    cf = fn(&caller_id, NULL, sqos, NULL, &callee_id, &callee, &g, cb); /* sqos: wsp-qos.c */
    if (g != 0)
        return -1;
    if (cf != CF_ACCEPT && cf != CF_REJECT && cf != CF_DEFER)
        return -1;
    return cf;
}

/**
 * WSPAccept:
 *
 * Takes the oldest pending connection, lets @lpfnCondition decide when
 * given, and returns a new socket with the listener's properties.  With
 * SO_CONDITIONAL_ACCEPT the peer's connect completes only on CF_ACCEPT
 * (CF_REJECT: the peer gets WSAECONNREFUSED); without it the connection is
 * complete already and CF_REJECT resets it (REFERENCE 4 choice 21).
 * @addr is filled whenever a request was examined (choice 22).
 *
 * Returns: the handle, or INVALID_SOCKET with WSAENOTSOCK, WSAEOPNOTSUPP
 * (datagram), WSAEINVAL (not listening, bad condition answer or group),
 * WSAEFAULT (short @addrlen), WSAEWOULDBLOCK, WSAECONNREFUSED (CF_REJECT),
 * WSATRY_AGAIN (CF_DEFER), WSAEINTR, WSAEMFILE.
 */
SOCKET WSPAPI
WSPAccept(SOCKET s, struct sockaddr *addr, LPINT addrlen, LPCONDITIONPROC lpfnCondition,
          DWORD_PTR dwCallbackData, LPINT lpErrno)
{
    char abuf[SIM_SOCKADDR_STRLEN];
    WspCall call;
    WspSocket *ls, *ws;
    SimSocketId child;
    SimSockAddr remote, local;
    SimStatus st;
    QOS offered, final_qos;
    bool has_qos;
    int err;

    if (!wsp_call_begin(&call, "WSPAccept", &err))
        return wsp_call_fail_socket(&call, lpErrno, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x%s", (guint64) s,
                  lpfnCondition != NULL ? ", condition" : "");
    ls = wsp_handle_lookup(&call, s);
    if (ls == NULL)
        return wsp_call_fail_socket(&call, lpErrno, WSAENOTSOCK);
    if (!ls->stream && (ls->flags & WSP_FLAGS_MULTIPOINT) != 0 &&
        (ls->proto->dwServiceFlags1 & XP1_MULTIPOINT_CONTROL_PLANE) != 0) {
        SOCKET ns = wsp_mp_accept(&call, ls, addr, addrlen, lpfnCondition, dwCallbackData,
                                  &err); /* a multipoint join (wsp-multipoint.c) */

        if (ns == INVALID_SOCKET)
            return wsp_call_fail_socket(&call, lpErrno, err);
        wsp_call_end(&call, "0x%" G_GINT64_MODIFIER "x (leaf)", (guint64) ns);
        return ns;
    }
    if (!ls->stream)
        return wsp_call_fail_socket(&call, lpErrno, WSAEOPNOTSUPP);
    if (!ls->listening)
        return wsp_call_fail_socket(&call, lpErrno, WSAEINVAL);
    if (addr != NULL && addrlen != NULL && *addrlen < wsp_sockaddr_size(ls->family))
        return wsp_call_fail_socket(&call, lpErrno, WSAEFAULT);

    wsp_socket_ref(ls);
    for (;;) {
        bool held = false;

        child = 0;
        if (ls->closed || ls->sock == 0) {
            err = WSAEINTR;
            goto fail;
        }
        if (ls->deferred_child != 0) {
            child = ls->deferred_child;
            ls->deferred_child = 0;
        } else if (ls->opt_conditional && lpfnCondition != NULL) {
            st = sim_tcp_pending_peek(call.world, ls->sock, &remote, &local);
            if (st == SIM_OK)
                held = true;
            else if (st != SIM_E_WOULDBLOCK) {
                err = wsp_error_from_status(st);
                goto fail;
            }
        }
        if (child == 0 && !held) {
            st = sim_tcp_accept(call.world, ls->sock, &child);
            if (st == SIM_E_WOULDBLOCK) {
                if (ls->nonblocking) {
                    err = WSAEWOULDBLOCK;
                    goto fail;
                }
                err = wsp_wait(&call, ls, &ls->cq, SIM_TIME_INFINITE);
                if (err != 0)
                    goto fail;
                continue;
            }
            if (st != SIM_OK) {
                err = wsp_error_from_status(st);
                goto fail;
            }
        }
        if (!held) {
            sim_tcp_remote_addr(call.world, child, &remote);
            sim_tcp_local_addr(call.world, child, &local);
        }
        break;
    }
    if (addr != NULL && addrlen != NULL)
        wsp_sockaddr_out(&remote, addr, addrlen);
    has_qos = wsp_qos_offer(call.world, &remote, &local, &offered); /* the caller's QOS */
    if (has_qos)
        final_qos = offered;
    if (lpfnCondition != NULL) {
        int cf = run_condition(lpfnCondition, dwCallbackData, &remote, &local,
                               has_qos ? &final_qos : NULL);

        if (ls->closed) { /* the condition function closed the listener */
            if (child != 0)
                sim_tcp_abort(call.world, child);
            err = WSAEINTR;
            goto fail;
        }
        if (cf == CF_REJECT) {
            if (child != 0)
                sim_tcp_abort(call.world, child);
            else
                sim_tcp_pending_reject(call.world, ls->sock);
            err = WSAECONNREFUSED;
            goto fail;
        }
        if (cf == CF_DEFER || cf < 0) {
            if (child != 0)
                ls->deferred_child = child; /* kept for the next WSPAccept */
            else
                sim_tcp_pending_defer(call.world, ls->sock);
            err = cf < 0 ? WSAEINVAL : WSATRY_AGAIN;
            goto fail;
        }
        if (child == 0) {
            st = sim_tcp_accept(call.world, ls->sock, &child); /* sends the SYN-ACK */
            if (st != SIM_OK) {
                err = wsp_error_from_status(st);
                goto fail;
            }
        }
    }
    ws = adopt_child(&call, ls, child, &err);
    if (ws == NULL)
        goto fail;
    if (has_qos)
        wsp_qos_accepted(&call, ws, &offered, &final_qos); /* negotiated QoS (wsp-qos.c) */
    wsp_events_reenable(ls, FD_ACCEPT);
    wsp_socket_unref(ls);
    if (call.trace)
        wsp_call_end(&call, "0x%" G_GINT64_MODIFIER "x (from %s)", (guint64) ws->handle,
                     wsp_fmt_sockaddr(&remote, abuf));
    return ws->handle;
fail:
    if (err != WSATRY_AGAIN) /* REFERENCE 2.5: any other outcome re-enables */
        wsp_events_reenable(ls, FD_ACCEPT);
    wsp_socket_unref(ls);
    return wsp_call_fail_socket(&call, lpErrno, err);
}

/* ---- WSPConnect ----------------------------------------------------------- */

static int
stream_connect(WspCall *call, WspSocket *ws, const SimSockAddr *to)
{
    SimTcpState state = SIM_TCP_CLOSED;
    SimStatus st;
    int err;

    if (ws->listening)
        return WSAEINVAL;
    if (ws->reusing)
        return WSAEISCONN; /* its old connection is still closing (TF_REUSE_SOCKET) */
    if (ws->connect_failed) {
        st = stream_reopen(ws, call->node);
        if (st != SIM_OK)
            return wsp_error_from_status(st);
    }
    st = sim_tcp_connect(call->world, ws->sock, to);
    if (st != SIM_E_INPROGRESS)
        return wsp_error_from_status(st == SIM_OK ? SIM_E_INVAL : st);
    ws->bound = true;
    ws->connecting = true;
    ws->connect_failed = false;
    if (ws->nonblocking || call->actor == SIM_ID_NONE)
        return WSAEWOULDBLOCK;
    wsp_socket_ref(ws);
    for (;;) {
        if (ws->connect_failed) {
            err = wsp_error_from_status(ws->connect_err);
            ws->so_error = SIM_OK; /* reported by this call */
            break;
        }
        if (ws->sock != 0 && sim_tcp_get_state(call->world, ws->sock, &state) == SIM_OK &&
            sim_tcp_state_is_synchronized(state)) {
            ws->connecting = false;
            err = 0;
            break;
        }
        err = wsp_wait(call, ws, &ws->cq, SIM_TIME_INFINITE);
        if (err != 0)
            break;
    }
    wsp_socket_unref(ws);
    return err;
}

/**
 * WSPConnect:
 *
 * Stream sockets: an active open, blocking until the outcome, or
 * WSAEWOULDBLOCK on a non-blocking socket (then WSAEALREADY while it is
 * pending and WSAEISCONN once connected).  After a failure the socket may
 * connect again.  Datagram sockets: sets (or, with AF_UNSPEC or the
 * wildcard address, clears) the default peer.  Connect data and callee
 * data are not supported.  @lpSQOS is checked and recorded, then its
 * reservations are made once the socket has its addresses; admission's
 * outcome comes by FD_QOS (wsp-qos.c, doc/qos.md).
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEFAULT, WSAEAFNOSUPPORT,
 * WSAEADDRNOTAVAIL, WSAEINVAL (listening), WSAEALREADY, WSAEISCONN,
 * WSAEWOULDBLOCK, WSAECONNREFUSED, WSAETIMEDOUT, WSAENETUNREACH,
 * WSAEHOSTUNREACH, WSAEACCES (broadcast without SO_BROADCAST),
 * WSAEPROTONOSUPPORT (caller data), WSAEOPNOTSUPP (flowspecs that cannot
 * be satisfied), WSAEINVAL (malformed provider-specific QoS objects),
 * WSAEINTR.
 */
int WSPAPI
WSPConnect(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF lpCallerData,
           LPWSABUF lpCalleeData, LPQOS lpSQOS, LPQOS lpGQOS, LPINT lpErrno)
{
    char abuf[SIM_SOCKADDR_STRLEN];
    WspCall call;
    WspSocket *ws;
    SimSockAddr to;
    SimStatus st;
    bool unspec;
    int err;

    (void) lpGQOS; /* reserved */
    WSP_SOCKET_CALL(call, "WSPConnect", s, ws, lpErrno);
    unspec = name != NULL && namelen >= (int) sizeof(u_short) && name->sa_family == AF_UNSPEC;
    err = unspec ? 0 : wsp_sockaddr_in(name, namelen, ws->family, &to);
    if (unspec)
        memset(&to, 0, sizeof to);
    if (call.trace)
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %s", (guint64) s,
                      err == 0 ? (unspec ? "AF_UNSPEC" : wsp_fmt_sockaddr(&to, abuf)) : "?");
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    if (lpCallerData != NULL && lpCallerData->len > 0)
        return wsp_call_fail(&call, lpErrno, WSAEPROTONOSUPPORT); /* no XP1_CONNECT_DATA */
    err = wsp_qos_connect(&call, ws, lpSQOS, lpGQOS); /* checked and recorded (wsp-qos.c) */
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    if (ws->transport_gone || ws->sock == 0)
        return wsp_call_fail(&call, lpErrno, WSAENETDOWN);
    if (ws->stream) {
        if (unspec)
            return wsp_call_fail(&call, lpErrno, WSAEAFNOSUPPORT);
        err = stream_connect(&call, ws, &to);
        if (err == 0 || err == WSAEWOULDBLOCK)
            wsp_qos_connected(&call, ws, &to); /* flows and admission (wsp-qos.c) */
        if (err != 0)
            return wsp_call_fail(&call, lpErrno, err);
    } else {
        st = sim_udp_connect(call.world, ws->sock, &to);
        if (st != SIM_OK)
            return wsp_call_fail(&call, lpErrno, wsp_error_from_status(st));
        ws->bound = true;
        wsp_events_on_connect(ws); /* choice 11 */
        wsp_qos_connected(&call, ws, &to);
    }
    if (lpCalleeData != NULL)
        lpCalleeData->len = 0;
    return wsp_call_ok(&call);
}

/* ---- Shutdown and disconnect ---------------------------------------------- */

static const char *
how_name(int how)
{
    switch (how) {
    case SD_RECEIVE: return "SD_RECEIVE";
    case SD_SEND: return "SD_SEND";
    case SD_BOTH: return "SD_BOTH";
    default: return "?";
    }
}

/**
 * wsp_socket_shutdown:
 * @ws: the socket
 * @how: SD_RECEIVE, SD_SEND or SD_BOTH
 * @reset_on_data: data arriving after a receive shutdown resets the
 *   connection (WSPShutdown) or is only not delivered (WSPRecvDisconnect):
 *   REFERENCE 4 choice 18
 *
 * The shutdown of WSPShutdown, WSPSendDisconnect, WSPRecvDisconnect (and
 * of DisconnectEx, TransmitFile and TransmitPackets with TF_DISCONNECT):
 * needs no call context.
 *
 * Returns: 0, WSAENETDOWN (no endpoint) or the connection's error.
 */
int
wsp_socket_shutdown(WspSocket *ws, int how, bool reset_on_data)
{
    bool rd = how == SD_RECEIVE || how == SD_BOTH;
    bool wr = how == SD_SEND || how == SD_BOTH;

    if (ws->transport_gone || ws->sock == 0)
        return WSAENETDOWN;
    if (ws->stream) {
        SimTcpShutdown h = rd && wr ? SIM_TCP_SHUT_BOTH : rd ? SIM_TCP_SHUT_RECV : SIM_TCP_SHUT_SEND;
        SimStatus st;

        if (rd)
            sim_tcp_set_option(ws->world, ws->sock, SIM_TCP_OPT_RST_ON_RECV_SHUTDOWN,
                               reset_on_data);
        st = sim_tcp_shutdown(ws->world, ws->sock, h);
        if (st != SIM_OK)
            return wsp_conn_error(ws, wsp_error_from_status(st), true);
    }
    ws->shut_recv |= rd;
    ws->shut_send |= wr;
    wake_all(ws);
    return 0;
}

/**
 * WSPShutdown:
 *
 * SD_SEND: a FIN follows the queued data; later sends fail with
 * WSAESHUTDOWN.  SD_RECEIVE: later receives fail with WSAESHUTDOWN; on a
 * stream, unread or newly arriving data resets the connection (Windows).
 * Never blocks.
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEINVAL (@how), WSAENOTCONN
 * (stream not connected), or the connection's error.
 */
int WSPAPI
WSPShutdown(SOCKET s, int how, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int err;

    WSP_SOCKET_CALL(call, "WSPShutdown", s, ws, lpErrno);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %s", (guint64) s, how_name(how));
    if (how != SD_RECEIVE && how != SD_SEND && how != SD_BOTH)
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    err = wsp_socket_shutdown(ws, how, true);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    return wsp_call_ok(&call);
}

/**
 * WSPSendDisconnect:
 *
 * SD_SEND on a stream socket.  Disconnect data is not supported.
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAENOPROTOOPT (disconnect
 * data given), WSAENOTCONN, WSAEOPNOTSUPP (datagram socket).
 */
int WSPAPI
WSPSendDisconnect(SOCKET s, LPWSABUF lpOutboundDisconnectData, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int err;

    WSP_SOCKET_CALL(call, "WSPSendDisconnect", s, ws, lpErrno);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
    if (lpOutboundDisconnectData != NULL && lpOutboundDisconnectData->len > 0)
        return wsp_call_fail(&call, lpErrno, WSAENOPROTOOPT);
    if (!ws->stream)
        return wsp_call_fail(&call, lpErrno, WSAEOPNOTSUPP);
    err = wsp_socket_shutdown(ws, SD_SEND, true);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    return wsp_call_ok(&call);
}

/**
 * WSPRecvDisconnect:
 *
 * Later receives fail with WSAESHUTDOWN; unlike WSPShutdown(SD_RECEIVE)
 * arriving data does not reset the connection (REFERENCE 4 choice 18).
 * There is never disconnect data: a given buffer gets len 0.
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAENOTCONN, WSAEOPNOTSUPP
 * (datagram socket).
 */
int WSPAPI
WSPRecvDisconnect(SOCKET s, LPWSABUF lpInboundDisconnectData, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int err;

    WSP_SOCKET_CALL(call, "WSPRecvDisconnect", s, ws, lpErrno);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
    if (!ws->stream)
        return wsp_call_fail(&call, lpErrno, WSAEOPNOTSUPP);
    err = wsp_socket_shutdown(ws, SD_RECEIVE, false);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    if (lpInboundDisconnectData != NULL)
        lpInboundDisconnectData->len = 0;
    return wsp_call_ok(&call);
}

/* ---- WSPCloseSocket ------------------------------------------------------- */

/* SO_LINGER with a timeout on a blocking socket: send the FIN and wait for
 * everything to be acknowledged, at most l_linger seconds (REFERENCE 2.6).
 * Returns 0 (drained), WSAETIMEDOUT (give up: abortive) or another code
 * that ends the wait (the socket then stays open). */
static int
linger_wait(WspCall *call, WspSocket *ws)
{
    SimTime deadline = sim_world_now(call->world) + (SimTime) ws->linger.l_linger * SIM_SEC;
    bool acked = false;
    int err = 0;

    if (!ws->shut_send)
        sim_tcp_shutdown(call->world, ws->sock, SIM_TCP_SHUT_SEND);
    if (sim_tcp_watch_acked(call->world, ws->sock) != SIM_OK)
        return 0; /* nothing more to wait for: the connection is gone */
    wsp_socket_ref(ws);
    for (;;) {
        if (ws->sock == 0 || sim_tcp_all_acked(call->world, ws->sock, &acked) != SIM_OK || acked ||
            (ws->events_seen & SIM_SOCK_EV_CLOSED))
            break;
        err = wsp_wait(call, ws, &ws->cq, deadline);
        if (err != 0)
            break;
    }
    wsp_socket_unref(ws);
    return err;
}

/**
 * WSPCloseSocket:
 *
 * The handle ends at once (WPUCloseSocketHandle); the transport endpoint
 * closes as SO_LINGER says (REFERENCE 2.6): gracefully in the background
 * (default), abortively (linger on, timeout 0: the peer sees
 * WSAECONNRESET), or — linger on with a timeout — after waiting for the
 * data to be acknowledged (blocking socket; abortive when the time runs
 * out).  Callers blocked on the socket fail with WSAEINTR.
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, or WSAEWOULDBLOCK (non-blocking
 * socket, linger with a timeout, data not yet acknowledged: nothing done).
 */
int WSPAPI
WSPCloseSocket(SOCKET s, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    SimTcpState state = SIM_TCP_CLOSED;
    bool abortive = false;
    SimSocketId sock;

    WSP_SOCKET_CALL(call, "WSPCloseSocket", s, ws, lpErrno);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
    /* A shared socket closes with its last descriptor (REFERENCE 2.10). */
    if (wsp_dup_close_descriptor(ws, call.proc, s)) {
        wsp_call_end(&call, "0 (descriptor only)");
        return 0;
    }
    if (ws->stream && ws->sock != 0 && ws->linger.l_onoff) {
        if (ws->linger.l_linger == 0) {
            abortive = true;
        } else if (sim_tcp_get_state(call.world, ws->sock, &state) == SIM_OK &&
                   sim_tcp_state_is_synchronized(state) && state != SIM_TCP_TIME_WAIT) {
            bool acked = false;

            sim_tcp_all_acked(call.world, ws->sock, &acked);
            if (!acked) {
                int err;

                if (ws->nonblocking || call.actor == SIM_ID_NONE)
                    return wsp_call_fail(&call, lpErrno, WSAEWOULDBLOCK);
                wsp_socket_ref(ws); /* the wait may release it (host crash, another actor) */
                err = linger_wait(&call, ws);
                if ((err == 0 || err == WSAETIMEDOUT) && ws->closed)
                    err = WSAENOTSOCK; /* closed by another actor meanwhile */
                wsp_socket_unref(ws);
                if (err == WSAETIMEDOUT)
                    abortive = true;
                else if (err != 0)
                    return wsp_call_fail(&call, lpErrno, err);
            }
        }
    }
    wsp_ov_abort_all(ws, true); /* WSA_OPERATION_ABORTED, completion performed */
    wsp_ext_abort(ws, true);    /* likewise pending AcceptEx, TransmitFile... */
    sock = transport_detach(ws);
    if (sock != 0) {
        if (!ws->stream)
            sim_udp_close(call.world, sock);
        else if (abortive)
            sim_tcp_abort(call.world, sock);
        else
            sim_tcp_close(call.world, sock);
    }
    wsp_socket_release(ws);
    if (call.trace)
        wsp_call_end(&call, abortive ? "0 (abortive)" : "0");
    return 0;
}
