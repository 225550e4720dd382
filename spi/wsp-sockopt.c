/* SPDX-License-Identifier: MIT
 *
 * wsp-sockopt.c: names and options — WSPGetSockName, WSPGetPeerName,
 * WSPGetSockOpt, WSPSetSockOpt (REFERENCE 1.12) and WSPIoctl
 * (REFERENCE 1.13 and WSPIoctl; choice 39: unknown codes are WSAEINVAL,
 * known but unsupported ones WSAENOPROTOOPT).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "wsp-private.h"
#include "wsp-extension.h"

#define SOCKET_CALL(call, name, s, ws, lpErrno)                                                  \
    do {                                                                                         \
        int err_;                                                                                \
        if (!wsp_call_begin(&(call), name, &err_))                                               \
            return wsp_call_fail(&(call), lpErrno, err_);                                        \
        (ws) = wsp_handle_lookup(&(call), s);                                                    \
        wsp_call_args(&(call), "s=0x%" G_GINT64_MODIFIER "x", (guint64) (s));                    \
        if ((ws) == NULL)                                                                        \
            return wsp_call_fail(&(call), lpErrno, WSAENOTSOCK);                                 \
    } while (0)

/* ---- Names ------------------------------------------------------------------ */

/**
 * WSPGetSockName:
 *
 * A wildcard-bound socket reports the wildcard address and its port until
 * it is connected (doc/spi-choices.md).
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEFAULT (NULL or short
 * buffer), WSAEINVAL (not bound).
 */
int WSPAPI
WSPGetSockName(SOCKET s, struct sockaddr *name, LPINT namelen, LPINT lpErrno)
{
    char abuf[SIM_SOCKADDR_STRLEN];
    WspCall call;
    WspSocket *ws;
    SimSockAddr sa;

    SOCKET_CALL(call, "WSPGetSockName", s, ws, lpErrno);
    if (name == NULL || namelen == NULL || *namelen < wsp_sockaddr_size(ws->family))
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    if (!wsp_socket_local(ws, &sa))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    wsp_sockaddr_out(&sa, name, namelen);
    wsp_call_end(&call, "0 (%s)", wsp_fmt_sockaddr(&sa, abuf));
    return 0;
}

/**
 * WSPGetPeerName:
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEFAULT, WSAENOTCONN.
 */
int WSPAPI
WSPGetPeerName(SOCKET s, struct sockaddr *name, LPINT namelen, LPINT lpErrno)
{
    char abuf[SIM_SOCKADDR_STRLEN];
    WspCall call;
    WspSocket *ws;
    SimSockAddr sa;
    SimTcpState state = SIM_TCP_CLOSED;
    SimStatus st = SIM_E_NOTCONN;

    SOCKET_CALL(call, "WSPGetPeerName", s, ws, lpErrno);
    if (name == NULL || namelen == NULL || *namelen < wsp_sockaddr_size(ws->family))
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    if (ws->sock != 0 && ws->stream) {
        if (sim_tcp_get_state(call.world, ws->sock, &state) == SIM_OK &&
            sim_tcp_state_is_synchronized(state) && state != SIM_TCP_SYN_RECEIVED)
            st = sim_tcp_remote_addr(call.world, ws->sock, &sa);
    } else if (ws->sock != 0) {
        st = sim_udp_get_peer(call.world, ws->sock, &sa);
    }
    if (st != SIM_OK)
        return wsp_call_fail(&call, lpErrno, WSAENOTCONN);
    wsp_sockaddr_out(&sa, name, namelen);
    wsp_call_end(&call, "0 (%s)", wsp_fmt_sockaddr(&sa, abuf));
    return 0;
}

/* ---- Options ------------------------------------------------------------------ */

static const char *
opt_name(int level, int opt)
{
    if (level == IPPROTO_TCP)
        return opt == TCP_NODELAY ? "TCP_NODELAY" : "?";
    switch (opt) {
    case SO_DEBUG: return "SO_DEBUG";
    case SO_ACCEPTCONN: return "SO_ACCEPTCONN";
    case SO_REUSEADDR: return "SO_REUSEADDR";
    case SO_KEEPALIVE: return "SO_KEEPALIVE";
    case SO_DONTROUTE: return "SO_DONTROUTE";
    case SO_BROADCAST: return "SO_BROADCAST";
    case SO_LINGER: return "SO_LINGER";
    case SO_OOBINLINE: return "SO_OOBINLINE";
    case SO_DONTLINGER: return "SO_DONTLINGER";
    case SO_EXCLUSIVEADDRUSE: return "SO_EXCLUSIVEADDRUSE";
    case SO_SNDBUF: return "SO_SNDBUF";
    case SO_RCVBUF: return "SO_RCVBUF";
    case SO_SNDTIMEO: return "SO_SNDTIMEO";
    case SO_RCVTIMEO: return "SO_RCVTIMEO";
    case SO_ERROR: return "SO_ERROR";
    case SO_TYPE: return "SO_TYPE";
    case SO_GROUP_ID: return "SO_GROUP_ID";
    case SO_GROUP_PRIORITY: return "SO_GROUP_PRIORITY";
    case SO_MAX_MSG_SIZE: return "SO_MAX_MSG_SIZE";
    case SO_PROTOCOL_INFOW: return "SO_PROTOCOL_INFOW";
    case PVD_CONFIG: return "PVD_CONFIG";
    case SO_CONDITIONAL_ACCEPT: return "SO_CONDITIONAL_ACCEPT";
    default: return "?";
    }
}

static bool
level_known(int level)
{
    return level == SOL_SOCKET || level == IPPROTO_TCP || level == IPPROTO_IP ||
           level == IPPROTO_IPV6 || level == IPPROTO_UDP;
}

static int
take_so_error(WspSocket *ws)
{
    SimStatus st = ws->so_error;
    SimStatus tst = SIM_OK;

    ws->so_error = SIM_OK;
    if (ws->sock != 0) {
        if (ws->stream)
            sim_tcp_take_error(ws->world, ws->sock, &tst);
        else
            tst = sim_udp_take_error(ws->world, ws->sock);
    }
    if (st == SIM_OK)
        st = tst;
    return st == SIM_OK ? 0 : wsp_error_from_status(st);
}

static int
get_buffer_size(WspSocket *ws, int opt, int *out)
{
    guint64 v = 0;
    gint64 sv = 0;

    if (ws->sock == 0)
        return WSAENETDOWN;
    if (ws->stream) {
        if (sim_tcp_get_option(ws->world, ws->sock,
                               opt == SO_RCVBUF ? SIM_TCP_OPT_RCVBUF : SIM_TCP_OPT_SNDBUF,
                               &v) != SIM_OK)
            return WSAENETDOWN;
        *out = (int) MIN(v, (guint64) G_MAXINT);
        return 0;
    }
    if (opt == SO_SNDBUF) {
        *out = ws->udp_sndbuf;
        return 0;
    }
    if (sim_udp_get_option(ws->world, ws->sock, SIM_UDP_OPT_RCVBUF, &sv) != SIM_OK)
        return WSAENETDOWN;
    *out = (int) sv;
    return 0;
}

/**
 * WSPGetSockOpt:
 *
 * Every option of REFERENCE 1.12 at SOL_SOCKET, and TCP_NODELAY at
 * IPPROTO_TCP.  BOOL options need *@optlen >= sizeof(int) (choice 43).
 *
 * Returns: 0 with *@optlen set; SOCKET_ERROR with WSAENOTSOCK, WSAEFAULT,
 * WSAEINVAL (unknown level), WSAENOPROTOOPT (unknown option, or one the
 * socket type does not have).
 */
int WSPAPI
WSPGetSockOpt(SOCKET s, int level, int optname, char *optval, LPINT optlen, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int need = (int) sizeof(int);
    int ival = 0;
    const void *src = &ival;
    LINGER lg;
    int err = 0;

    SOCKET_CALL(call, "WSPGetSockOpt", s, ws, lpErrno);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %s", (guint64) s, opt_name(level, optname));
    if (optval == NULL || optlen == NULL)
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    if (!level_known(level))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    if (level == IPPROTO_TCP) {
        if (optname != TCP_NODELAY || !ws->stream)
            return wsp_call_fail(&call, lpErrno, WSAENOPROTOOPT);
        ival = ws->opt_nodelay;
    } else if (level != SOL_SOCKET) {
        return wsp_call_fail(&call, lpErrno, WSAENOPROTOOPT); /* IP-level options are outside REFERENCE 1.12 */
    } else {
        switch (optname) {
        case SO_DEBUG: ival = ws->opt_debug; break;
        case SO_ACCEPTCONN: ival = ws->listening; break;
        case SO_REUSEADDR: ival = ws->opt_reuseaddr; break;
        case SO_EXCLUSIVEADDRUSE: ival = ws->opt_exclusive; break;
        case SO_DONTROUTE: ival = ws->opt_dontroute; break;
        case SO_SNDTIMEO: ival = (int) ws->sndtimeo_ms; break;
        case SO_RCVTIMEO: ival = (int) ws->rcvtimeo_ms; break;
        case SO_TYPE: ival = ws->type; break;
        case SO_GROUP_ID: ival = (int) ws->group; break;
        case SO_GROUP_PRIORITY: ival = ws->group_priority; break;
        case SO_MAX_MSG_SIZE: ival = (int) ws->proto->dwMessageSize; break;
        case SO_ERROR: ival = take_so_error(ws); break;
        case SO_SNDBUF:
        case SO_RCVBUF: err = get_buffer_size(ws, optname, &ival); break;
        case SO_BROADCAST:
            if (ws->stream)
                err = WSAENOPROTOOPT;
            ival = ws->opt_broadcast;
            break;
        case SO_KEEPALIVE:
        case SO_OOBINLINE:
        case SO_CONDITIONAL_ACCEPT:
            if (!ws->stream)
                err = WSAENOPROTOOPT;
            ival = optname == SO_KEEPALIVE ? ws->opt_keepalive
                   : optname == SO_OOBINLINE ? ws->opt_oobinline : ws->opt_conditional;
            break;
        case SO_DONTLINGER:
            if (!ws->stream)
                err = WSAENOPROTOOPT;
            ival = !ws->linger.l_onoff;
            break;
        case SO_LINGER:
            if (!ws->stream)
                err = WSAENOPROTOOPT;
            lg = ws->linger;
            src = &lg;
            need = (int) sizeof lg;
            break;
        case SO_PROTOCOL_INFOW:
            src = ws->proto;
            need = (int) sizeof(WSAPROTOCOL_INFOW);
            break;
        case PVD_CONFIG:
            need = 0; /* no provider configuration blob */
            break;
        default:
            err = WSAENOPROTOOPT;
            break;
        }
    }
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    if (*optlen < need)
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    memcpy(optval, src, (size_t) need);
    *optlen = need;
    if (need == (int) sizeof(int) && src == &ival)
        wsp_call_end(&call, "0 (%d)", ival);
    else
        wsp_call_ok(&call);
    return 0;
}

static int
set_bool_tcp(WspSocket *ws, SimTcpOption opt, bool on)
{
    SimStatus st;

    if (ws->sock == 0)
        return WSAENETDOWN;
    st = sim_tcp_set_option(ws->world, ws->sock, opt, on);
    return st == SIM_OK ? 0 : wsp_error_from_status(st);
}

static int
set_udp(WspSocket *ws, SimUdpOpt opt, gint64 v)
{
    SimStatus st;

    if (ws->sock == 0)
        return WSAENETDOWN;
    st = sim_udp_set_option(ws->world, ws->sock, opt, v);
    return st == SIM_OK ? 0 : wsp_error_from_status(st);
}

static bool
socket_is_bound(WspSocket *ws)
{
    if (ws->bound)
        return true;
    return !ws->stream && ws->sock != 0 && sim_udp_is_bound(ws->world, ws->sock);
}

/**
 * WSPSetSockOpt:
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEFAULT (NULL @optval, short
 * @optlen), WSAEINVAL (unknown level, bad value, SO_CONDITIONAL_ACCEPT on a
 * listener, SO_EXCLUSIVEADDRUSE after bind or with SO_REUSEADDR),
 * WSAENOPROTOOPT (unknown, read-only, or not for this socket type).
 */
int WSPAPI
WSPSetSockOpt(SOCKET s, int level, int optname, const char *optval, int optlen, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int need = (int) sizeof(int);
    int ival = 0;
    int err = 0;

    SOCKET_CALL(call, "WSPSetSockOpt", s, ws, lpErrno);
    if (optval != NULL && optlen >= (int) sizeof(int))
        memcpy(&ival, optval, sizeof ival);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %s, %d", (guint64) s,
                  opt_name(level, optname), ival);
    if (level == SOL_SOCKET && optname == SO_LINGER)
        need = (int) sizeof(LINGER);
    if (optval == NULL || optlen < need)
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    if (!level_known(level))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    if (level == IPPROTO_TCP) {
        if (optname != TCP_NODELAY || !ws->stream)
            return wsp_call_fail(&call, lpErrno, WSAENOPROTOOPT);
        err = set_bool_tcp(ws, SIM_TCP_OPT_NODELAY, ival != 0);
        if (err == 0)
            ws->opt_nodelay = ival != 0;
    } else if (level != SOL_SOCKET) {
        return wsp_call_fail(&call, lpErrno, WSAENOPROTOOPT); /* IP-level options are outside REFERENCE 1.12 */
    } else {
        switch (optname) {
        case SO_DEBUG: ws->opt_debug = ival != 0; break;
        case SO_DONTROUTE: ws->opt_dontroute = ival != 0; break;
        case SO_GROUP_PRIORITY: ws->group_priority = ival; break;
        case SO_SNDTIMEO: ws->sndtimeo_ms = (DWORD) ival; break;
        case SO_RCVTIMEO: ws->rcvtimeo_ms = (DWORD) ival; break;
        case PVD_CONFIG: break; /* accepted and ignored: no configuration */
        case SO_REUSEADDR:
            if (ival != 0 && ws->opt_exclusive) {
                err = WSAEINVAL;
                break;
            }
            if (!ws->stream)
                err = set_udp(ws, SIM_UDP_OPT_REUSEADDR, ival != 0);
            if (err == 0)
                ws->opt_reuseaddr = ival != 0;
            break;
        case SO_EXCLUSIVEADDRUSE:
            if (socket_is_bound(ws) || (ival != 0 && ws->opt_reuseaddr)) {
                err = WSAEINVAL;
                break;
            }
            if (!ws->stream)
                err = set_udp(ws, SIM_UDP_OPT_EXCLUSIVEADDR, ival != 0);
            if (err == 0)
                ws->opt_exclusive = ival != 0;
            break;
        case SO_BROADCAST:
            if (ws->stream) {
                err = WSAENOPROTOOPT;
                break;
            }
            err = set_udp(ws, SIM_UDP_OPT_BROADCAST, ival != 0);
            if (err == 0)
                ws->opt_broadcast = ival != 0;
            break;
        case SO_KEEPALIVE:
        case SO_OOBINLINE:
            if (!ws->stream) {
                err = WSAENOPROTOOPT;
                break;
            }
            err = set_bool_tcp(ws, optname == SO_KEEPALIVE ? SIM_TCP_OPT_KEEPALIVE
                                                           : SIM_TCP_OPT_OOBINLINE,
                               ival != 0);
            if (err == 0 && optname == SO_KEEPALIVE)
                ws->opt_keepalive = ival != 0;
            else if (err == 0)
                ws->opt_oobinline = ival != 0;
            break;
        case SO_CONDITIONAL_ACCEPT:
            if (!ws->stream)
                err = WSAENOPROTOOPT;
            else if (ws->listening)
                err = WSAEINVAL;
            else
                ws->opt_conditional = ival != 0;
            break;
        case SO_LINGER: {
            LINGER lg;

            if (!ws->stream) {
                err = WSAENOPROTOOPT;
                break;
            }
            memcpy(&lg, optval, sizeof lg);
            ws->linger = lg;
            if (lg.l_linger != 0)
                ws->linger_last = lg.l_linger;
            break;
        }
        case SO_DONTLINGER:
            /* REFERENCE 4 choice 16: FALSE turns linger on with the last timeout. */
            if (!ws->stream) {
                err = WSAENOPROTOOPT;
                break;
            }
            ws->linger.l_onoff = ival == 0;
            ws->linger.l_linger = ival == 0 ? ws->linger_last : 0;
            break;
        case SO_SNDBUF:
        case SO_RCVBUF:
            if (ival < 0) {
                err = WSAEINVAL;
                break;
            }
            if (ws->stream && ws->sock == 0) {
                err = WSAENETDOWN;
            } else if (ws->stream) {
                SimStatus st = sim_tcp_set_option(ws->world, ws->sock,
                                                  optname == SO_RCVBUF ? SIM_TCP_OPT_RCVBUF
                                                                       : SIM_TCP_OPT_SNDBUF,
                                                  (guint64) MAX(ival, 1));

                err = st == SIM_OK ? 0 : wsp_error_from_status(st);
            } else if (optname == SO_RCVBUF) {
                err = set_udp(ws, SIM_UDP_OPT_RCVBUF, MIN(ival, (int) SIM_UDP_MAX_RCVBUF));
            } else {
                ws->udp_sndbuf = ival;
            }
            break;
        default: /* unknown, or read-only (SO_TYPE, SO_ERROR, SO_ACCEPTCONN...) */
            err = WSAENOPROTOOPT;
            break;
        }
    }
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    return wsp_call_ok(&call);
}

/* ---- WSPIoctl ---------------------------------------------------------------- */

static int
out_sockaddr(const SimSockAddr *sa, LPVOID out, DWORD cb, LPDWORD ret)
{
    int len = (int) cb;
    int need = wsp_sockaddr_size((SimFamily) sa->addr.family);

    if (out == NULL || (int) cb < need) {
        *ret = (DWORD) need;
        return WSAEFAULT;
    }
    wsp_sockaddr_out(sa, out, &len);
    *ret = (DWORD) len;
    return 0;
}

static int
in_sockaddr(LPVOID in, DWORD cb, SimSockAddr *out)
{
    const struct sockaddr *sa = in;

    if (in == NULL || cb < sizeof(u_short))
        return WSAEFAULT;
    return wsp_sockaddr_in(sa, (int) cb, sa->sa_family == AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET,
                           out) == 0
               ? 0
               : WSAEFAULT;
}

static int
ioctl_address_list(WspCall *call, WspSocket *ws, LPVOID out, DWORD cb, LPDWORD ret)
{
    size_t n_all = sim_node_addr_count(call->world, call->node);
    int salen = wsp_sockaddr_size(ws->family);
    size_t n = 0, need, head;
    SOCKET_ADDRESS_LIST *list = out;
    guint8 *base = out;

    for (size_t i = 0; i < n_all; i++)
        if (sim_node_addr(call->world, call->node, i)->family == ws->family)
            n++;
    head = offsetof(SOCKET_ADDRESS_LIST, Address) + MAX(n, (size_t) 1) * sizeof(SOCKET_ADDRESS);
    need = head + n * (size_t) salen;
    if (out == NULL || cb < need) {
        *ret = (DWORD) need;
        return WSAEFAULT;
    }
    memset(out, 0, need);
    list->iAddressCount = (INT) n;
    n = 0;
    for (size_t i = 0; i < n_all; i++) {
        const SimAddr *a = sim_node_addr(call->world, call->node, i);
        SimSockAddr sa;
        int len = salen;

        if (a->family != ws->family)
            continue;
        memset(&sa, 0, sizeof sa);
        sa.addr = *a;
        wsp_sockaddr_out(&sa, (struct sockaddr *) (base + head + n * (size_t) salen), &len);
        list->Address[n].lpSockaddr = (LPSOCKADDR) (base + head + n * (size_t) salen);
        list->Address[n].iSockaddrLength = salen;
        n++;
    }
    *ret = (DWORD) need;
    return 0;
}

static const char *
ioctl_name(DWORD code)
{
    switch (code) {
    case FIONBIO: return "FIONBIO";
    case FIONREAD: return "FIONREAD";
    case SIOCATMARK: return "SIOCATMARK";
    case SIO_GET_BROADCAST_ADDRESS: return "SIO_GET_BROADCAST_ADDRESS";
    case SIO_GET_EXTENSION_FUNCTION_POINTER: return "SIO_GET_EXTENSION_FUNCTION_POINTER";
    case SIO_KEEPALIVE_VALS: return "SIO_KEEPALIVE_VALS";
    case SIO_ROUTING_INTERFACE_QUERY: return "SIO_ROUTING_INTERFACE_QUERY";
    case SIO_ADDRESS_LIST_QUERY: return "SIO_ADDRESS_LIST_QUERY";
    case SIO_ROUTING_INTERFACE_CHANGE: return "SIO_ROUTING_INTERFACE_CHANGE";
    case SIO_ADDRESS_LIST_CHANGE: return "SIO_ADDRESS_LIST_CHANGE";
    case SIO_GET_QOS: return "SIO_GET_QOS";
    case SIO_SET_QOS: return "SIO_SET_QOS";
    case SIO_GET_GROUP_QOS: return "SIO_GET_GROUP_QOS";
    case SIO_SET_GROUP_QOS: return "SIO_SET_GROUP_QOS";
    case SIO_MULTIPOINT_LOOPBACK: return "SIO_MULTIPOINT_LOOPBACK";
    case SIO_MULTICAST_SCOPE: return "SIO_MULTICAST_SCOPE";
    case SIO_UDP_CONNRESET: return "SIO_UDP_CONNRESET";
    case SIO_BASE_HANDLE: return "SIO_BASE_HANDLE";
    case SIO_BSP_HANDLE: return "SIO_BSP_HANDLE";
    case SIO_BSP_HANDLE_SELECT: return "SIO_BSP_HANDLE_SELECT";
    case SIO_BSP_HANDLE_POLL: return "SIO_BSP_HANDLE_POLL";
    case SIO_ASSOCIATE_HANDLE: return "SIO_ASSOCIATE_HANDLE";
    case SIO_TRANSLATE_HANDLE: return "SIO_TRANSLATE_HANDLE";
    case SIO_FLUSH: return "SIO_FLUSH";
    default: return NULL;
    }
}

static int
ioctl_do(WspCall *call, WspSocket *ws, DWORD code, LPVOID in, DWORD cbin, LPVOID out,
         DWORD cbout, LPDWORD ret)
{
    u_long v;
    SimSockAddr sa;
    SimStatus st;
    int err;

    *ret = 0;
    switch (code) {
    case FIONBIO:
        if (in == NULL || cbin < sizeof(u_long))
            return WSAEFAULT;
        memcpy(&v, in, sizeof v);
        if (v == 0 && ws->async_registered)
            return WSAEINVAL; /* REFERENCE WSPIoctl; registrations are issue 5's */
        ws->nonblocking = v != 0;
        return 0;
    case FIONREAD: {
        size_t n = 0;

        if (out == NULL || cbout < sizeof(u_long))
            return WSAEFAULT;
        if (ws->sock != 0 && ws->stream && !ws->listening)
            sim_tcp_readable_bytes(call->world, ws->sock, &n);
        else if (ws->sock != 0 && !ws->stream)
            n = sim_udp_bytes_readable(call->world, ws->sock); /* total: choice 28 */
        v = (u_long) MIN(n, (size_t) G_MAXUINT32);
        memcpy(out, &v, sizeof v);
        *ret = sizeof v;
        return 0;
    }
    case SIOCATMARK: {
        bool pending = false;
        BOOL b;

        if (out == NULL || cbout < sizeof(BOOL))
            return WSAEFAULT;
        if (!ws->stream)
            return WSAEINVAL;
        if (ws->sock != 0)
            sim_tcp_urgent_state(call->world, ws->sock, NULL, &pending);
        b = !pending; /* TRUE: no urgent data waiting */
        memcpy(out, &b, sizeof b);
        *ret = sizeof b;
        return 0;
    }
    case SIO_GET_BROADCAST_ADDRESS:
        if (ws->family != SIM_AF_INET)
            return WSAEINVAL; /* IPv6 has no broadcast */
        memset(&sa, 0, sizeof sa);
        sa.addr = sim_addr_v4(255, 255, 255, 255);
        return out_sockaddr(&sa, out, cbout, ret);
    case SIO_KEEPALIVE_VALS: {
        struct tcp_keepalive ka;

        if (in == NULL || cbin < sizeof ka)
            return WSAEFAULT;
        if (!ws->stream)
            return WSAEINVAL;
        memcpy(&ka, in, sizeof ka);
        if (ka.onoff && (ka.keepalivetime == 0 || ka.keepaliveinterval == 0))
            return WSAEINVAL;
        if (ws->sock == 0)
            return WSAENETDOWN;
        st = sim_tcp_set_keepalive(call->world, ws->sock, ka.onoff != 0,
                                   (SimTime) MAX(ka.keepalivetime, 1u) * SIM_MSEC,
                                   (SimTime) MAX(ka.keepaliveinterval, 1u) * SIM_MSEC);
        if (st != SIM_OK)
            return wsp_error_from_status(st);
        ws->opt_keepalive = ka.onoff != 0;
        return 0;
    }
    case SIO_ROUTING_INTERFACE_QUERY:
    case SIO_FIND_ROUTE: {
        SimAddr src;

        err = in_sockaddr(in, cbin, &sa);
        if (err != 0)
            return err;
        st = sim_node_source_addr(call->world, call->node, &sa.addr, &src);
        if (st != SIM_OK)
            return st == SIM_E_ADDRNOTAVAIL ? WSAENETUNREACH : wsp_error_from_status(st);
        if (code == SIO_FIND_ROUTE)
            return 0; /* choice 40: no output */
        memset(&sa, 0, sizeof sa);
        sa.addr = src;
        return out_sockaddr(&sa, out, cbout, ret);
    }
    case SIO_ADDRESS_LIST_QUERY:
        return ioctl_address_list(call, ws, out, cbout, ret);
    case SIO_GET_EXTENSION_FUNCTION_POINTER:
        /* AcceptEx, ConnectEx, GetAcceptExSockaddrs, DisconnectEx. */
        return wsp_ext_ioctl(in, cbin, out, cbout, ret); /* wsp-extension.c */
    case SIO_ENABLE_CIRCULAR_QUEUEING:
        if (ws->stream)
            return WSAENOPROTOOPT;
        return set_udp(ws, SIM_UDP_OPT_CIRCULAR, 1);
    case SIO_MULTIPOINT_LOOPBACK:
    case SIO_MULTICAST_SCOPE: {
        int iv;

        if (in == NULL || cbin < sizeof(int))
            return WSAEFAULT;
        if (ws->stream)
            return WSAEINVAL;
        memcpy(&iv, in, sizeof iv);
        if (code == SIO_MULTIPOINT_LOOPBACK)
            return set_udp(ws, SIM_UDP_OPT_MCAST_LOOP, iv != 0);
        return set_udp(ws, SIM_UDP_OPT_MCAST_TTL, iv);
    }
    case SIO_UDP_CONNRESET: {
        BOOL b;

        if (in == NULL || cbin < sizeof b)
            return WSAEFAULT;
        if (ws->stream)
            return WSAEINVAL;
        memcpy(&b, in, sizeof b);
        return set_udp(ws, SIM_UDP_OPT_UNREACH_MODE,
                       b ? SIM_UDP_UNREACH_ALL : SIM_UDP_UNREACH_NONE);
    }
    case SIO_BASE_HANDLE:
    case SIO_BSP_HANDLE:
    case SIO_BSP_HANDLE_SELECT:
    case SIO_BSP_HANDLE_POLL: {
        SOCKET h = ws->handle; /* the base provider: itself */

        if (out == NULL || cbout < sizeof h)
            return WSAEFAULT;
        memcpy(out, &h, sizeof h);
        *ret = sizeof h;
        return 0;
    }
    case SIO_ROUTING_INTERFACE_CHANGE:
    case SIO_ADDRESS_LIST_CHANGE:
        /* The FD_* event was armed by wsp_events_on_ioctl; the watch and its
         * change source are wsp-change.c's. */
        return wsp_change_ioctl(call, ws, code, in, cbin);
    case SIO_ASSOCIATE_HANDLE:
    case SIO_TRANSLATE_HANDLE:
    case SIO_FLUSH:
        return WSAENOPROTOOPT; /* choice 39 */
    case SIO_GET_QOS:
    case SIO_SET_QOS:
    case SIO_GET_GROUP_QOS:
    case SIO_SET_GROUP_QOS:
        return wsp_qos_ioctl(call, ws, code, in, cbin, out, cbout, ret); /* wsp-qos.c */
    default:
        return WSAEINVAL;
    }
}

/**
 * WSPIoctl:
 *
 * FIONBIO, FIONREAD, SIOCATMARK, SIO_GET_BROADCAST_ADDRESS,
 * SIO_KEEPALIVE_VALS, SIO_ROUTING_INTERFACE_QUERY, SIO_FIND_ROUTE,
 * SIO_ADDRESS_LIST_QUERY, SIO_ENABLE_CIRCULAR_QUEUEING,
 * SIO_MULTIPOINT_LOOPBACK, SIO_MULTICAST_SCOPE, SIO_UDP_CONNRESET,
 * SIO_BASE_HANDLE, SIO_GET_EXTENSION_FUNCTION_POINTER (wsp-extension.c).
 * A too-small variable-size output gets WSAEFAULT with the size needed in
 * *@lpcbBytesReturned (choice 42).
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEFAULT, WSAEINVAL,
 * WSAENOPROTOOPT, WSAEOPNOTSUPP, WSAEWOULDBLOCK, WSAENETUNREACH.
 */
int WSPAPI
WSPIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer,
         LPVOID lpvOutBuffer, DWORD cbOutBuffer, LPDWORD lpcbBytesReturned,
         LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
         LPWSATHREADID lpThreadId, LPINT lpErrno)
{
    const char *name = ioctl_name(dwIoControlCode);
    WspCall call;
    WspSocket *ws;
    DWORD ret = 0;
    int err;

    SOCKET_CALL(call, "WSPIoctl", s, ws, lpErrno);
    if (name != NULL)
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %s", (guint64) s, name);
    else
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, 0x%08x", (guint64) s,
                      (unsigned) dwIoControlCode);
    if ((lpOverlapped != NULL || lpCompletionRoutine != NULL) &&
        !(ws->flags & WSA_FLAG_OVERLAPPED))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL); /* choice 2 */
    wsp_events_on_ioctl(ws, dwIoControlCode); /* FD_QOS, FD_*_CHANGE re-enabled (2.5) */
    if (lpcbBytesReturned == NULL && lpOverlapped == NULL)
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    err = ioctl_do(&call, ws, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer,
                   &ret);
    if (lpOverlapped != NULL || lpCompletionRoutine != NULL) {
        err = wsp_ov_ioctl(&call, ws, dwIoControlCode, err, ret, lpOverlapped,
                           lpCompletionRoutine, lpThreadId);
        if (err != 0 && err != WSA_IO_PENDING && err != WSAEFAULT)
            ret = 0;
    }
    if (lpcbBytesReturned != NULL && err != WSA_IO_PENDING)
        *lpcbBytesReturned = ret;
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    wsp_call_end(&call, "0 (%u bytes out)", (unsigned) ret);
    return 0;
}
