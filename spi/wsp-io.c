/* SPDX-License-Identifier: MIT
 *
 * wsp-io.c: data transfer — WSPSend, WSPSendTo, WSPRecv, WSPRecvFrom —
 * with scatter/gather WSABUF arrays, MSG_PEEK, MSG_OOB, MSG_WAITALL,
 * datagram truncation (WSAEMSGSIZE), blocking waits bounded by
 * SO_SNDTIMEO/SO_RCVTIMEO in simulated time, and WSAEWOULDBLOCK on
 * non-blocking sockets.  REFERENCE 2.7 and the per-function entries.
 * Overlapped requests go to wsp-overlapped.c.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"
#include "wsp-extension.h"

/* REFERENCE 4 choice 2: overlapped parameters on a socket created without
 * WSA_FLAG_OVERLAPPED are WSAEINVAL; on an overlapped socket the request
 * goes to wsp-overlapped.c. */
static int
check_overlapped(const WspSocket *ws, LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr)
{
    if (ov == NULL && cr == NULL)
        return 0;
    if (!(ws->flags & WSA_FLAG_OVERLAPPED))
        return WSAEINVAL;
    return 0;
}

static int
check_buffers(LPWSABUF bufs, DWORD count, size_t *out_total)
{
    size_t total = 0;

    *out_total = 0;
    if (bufs == NULL)
        return WSAEFAULT;
    for (DWORD i = 0; i < count; i++) {
        if (bufs[i].buf == NULL && bufs[i].len > 0)
            return WSAEFAULT;
        total += bufs[i].len;
    }
    *out_total = total;
    return 0;
}

/* Copy @len bytes of @src into the buffers, starting @skip bytes in. */
static void
scatter(LPWSABUF bufs, DWORD count, size_t skip, const guint8 *src, size_t len)
{
    for (DWORD i = 0; i < count && len > 0; i++) {
        size_t n;

        if (skip >= bufs[i].len) {
            skip -= bufs[i].len;
            continue;
        }
        n = MIN(len, bufs[i].len - skip);
        memcpy(bufs[i].buf + skip, src, n);
        src += n;
        len -= n;
        skip = 0;
    }
}

static guint8 *
gather(LPWSABUF bufs, DWORD count, size_t total)
{
    guint8 *data = g_malloc(MAX(total, (size_t) 1));
    size_t off = 0;

    for (DWORD i = 0; i < count; i++) {
        if (bufs[i].len > 0)
            memcpy(data + off, bufs[i].buf, bufs[i].len);
        off += bufs[i].len;
    }
    return data;
}

static void
trace_bytes(WspCall *call, const char *prefix, const void *data, size_t len, size_t shown)
{
    GString *str;

    if (!call->trace)
        return;
    str = g_string_new(NULL);
    g_string_append_printf(str, "%s%zu ", prefix, len);
    wsp_fmt_data(str, data, shown);
    wsp_call_end(call, "%s", str->str);
    g_string_free(str, TRUE);
}

/* ---- Send ------------------------------------------------------------------ */

#define SEND_FLAGS_KNOWN (MSG_OOB | MSG_DONTROUTE | MSG_PARTIAL)

/* A blocking send returns once every byte is in the send buffer; a
 * non-blocking one takes what fits (REFERENCE WSPSend). */
static int
stream_send(WspCall *call, WspSocket *ws, LPWSABUF bufs, DWORD count, size_t total, DWORD flags,
            size_t *out_sent)
{
    SimTime deadline = wsp_deadline(call->world, ws->sndtimeo_ms);
    DWORD bi = 0;
    size_t off = 0, sent = 0;
    int err = 0;

    *out_sent = 0;
    if (total == 0) {
        SimStatus st = ws->sock != 0 ? sim_tcp_send(call->world, ws->sock, NULL, 0, 0, NULL)
                                     : SIM_E_NOTCONN;

        return st == SIM_OK ? 0 : wsp_conn_error(ws, wsp_error_from_status(st), false);
    }
    wsp_socket_ref(ws);
    for (;;) {
        SimStatus st = SIM_OK;

        while (bi < count) {
            size_t n = 0;
            bool last = bi + 1 == count;

            if (off == bufs[bi].len) {
                bi++;
                off = 0;
                continue;
            }
            if (ws->sock == 0) {
                st = SIM_E_NOTFOUND;
                break;
            }
            st = sim_tcp_send(call->world, ws->sock, bufs[bi].buf + off, bufs[bi].len - off,
                              (last && (flags & MSG_OOB)) ? SIM_TCP_SEND_OOB : 0, &n);
            if (st != SIM_OK)
                break;
            sent += n;
            off += n;
            if (off < bufs[bi].len)
                break; /* the send buffer is full */
        }
        if (sent == total)
            break;
        if (st != SIM_OK && st != SIM_E_WOULDBLOCK) {
            err = ws->closed ? WSAEINTR : wsp_conn_error(ws, wsp_error_from_status(st), false);
            break;
        }
        if (ws->nonblocking || call->actor == SIM_ID_NONE) {
            if (sent == 0)
                err = WSAEWOULDBLOCK;
            break;
        }
        err = wsp_wait(call, ws, &ws->wq, deadline);
        if (err != 0)
            break;
    }
    wsp_socket_unref(ws);
    *out_sent = sent;
    return err;
}

/**
 * wsp_io_dgram_send:
 * @ws: a datagram socket
 * @bufs: (transfer none): @count buffers gathered into one datagram of
 *   @total bytes
 * @to: (nullable): the destination; NULL: the connected peer, or the
 *   multipoint session's data plane
 *
 * One datagram; never blocks.  An unbound socket is bound implicitly.
 *
 * Returns: 0, WSAESHUTDOWN, WSAEMSGSIZE (nothing sent), or the
 * transport's error as a WSA code.
 */
int
wsp_io_dgram_send(WspSocket *ws, LPWSABUF bufs, DWORD count, size_t total, const SimSockAddr *to)
{
    guint8 *data;
    SimStatus st;

    if (ws->shut_send)
        return WSAESHUTDOWN;
    if (total > ws->proto->dwMessageSize)
        return WSAEMSGSIZE;
    data = gather(bufs, count, total);
    if (to == NULL) {
        bool mp = false;

        st = wsp_mp_send(ws, data, total, &mp); /* a multipoint session's data plane */
        if (!mp)
            st = sim_udp_send(ws->world, ws->sock, data, total);
    } else {
        st = sim_udp_sendto(ws->world, ws->sock, to, data, total);
    }
    g_free(data);
    if (st != SIM_OK)
        return wsp_error_from_status(st);
    ws->bound = true;
    return 0;
}

static int
send_common(WspCall *call, WspSocket *ws, LPWSABUF lpBuffers, DWORD dwBufferCount,
            LPDWORD lpNumberOfBytesSent, DWORD dwFlags, const struct sockaddr *lpTo, int iTolen,
            bool sendto, LPWSAOVERLAPPED lpOverlapped,
            LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine, LPWSATHREADID lpThreadId)
{
    char abuf[SIM_SOCKADDR_STRLEN];
    SimSockAddr to;
    size_t total, sent = 0;
    int err;

    err = check_buffers(lpBuffers, dwBufferCount, &total);
    if (call->trace) {
        if (sendto && lpTo != NULL && !ws->stream &&
            wsp_sockaddr_in(lpTo, iTolen, ws->family, &to) == 0)
            wsp_call_args(call, "s=0x%" G_GINT64_MODIFIER "x, %zu bytes, to=%s",
                          (guint64) ws->handle, total, wsp_fmt_sockaddr(&to, abuf));
        else
            wsp_call_args(call, "s=0x%" G_GINT64_MODIFIER "x, %zu bytes%s", (guint64) ws->handle,
                          total, (dwFlags & MSG_OOB) ? ", MSG_OOB" : "");
    }
    if (err != 0)
        return err;
    err = check_overlapped(ws, lpOverlapped, lpCompletionRoutine);
    if (err != 0)
        return err;
    if (lpNumberOfBytesSent == NULL && lpOverlapped == NULL)
        return WSAEFAULT;
    if ((dwFlags & ~(DWORD) SEND_FLAGS_KNOWN) != 0 || (dwFlags & MSG_PARTIAL))
        return WSAEOPNOTSUPP; /* no XP1_PARTIAL_MESSAGE; unknown bits: choice 34 */
    if ((dwFlags & MSG_OOB) && !ws->stream)
        return WSAEOPNOTSUPP;
    if (ws->transport_gone)
        return wsp_conn_error(ws, wsp_gone_error(ws), false);
    if (ws->sock == 0)
        return WSAENOTCONN;
    if (lpOverlapped != NULL || lpCompletionRoutine != NULL) {
        DWORD ignored;

        if (!ws->stream && sendto && lpTo == NULL && !sim_udp_is_connected(call->world, ws->sock))
            return WSAEDESTADDRREQ;
        return wsp_ov_send(call, ws, lpBuffers, dwBufferCount, dwFlags,
                           sendto && !ws->stream ? lpTo : NULL, iTolen,
                           lpNumberOfBytesSent != NULL ? lpNumberOfBytesSent : &ignored,
                           lpOverlapped, lpCompletionRoutine, lpThreadId);
    }
    if (ws->stream) {
        err = stream_send(call, ws, lpBuffers, dwBufferCount, total, dwFlags, &sent);
    } else {
        const SimSockAddr *dest = NULL;

        if (sendto && lpTo != NULL) {
            err = wsp_sockaddr_in(lpTo, iTolen, ws->family, &to);
            if (err != 0)
                return err;
            dest = &to;
        } else if (sendto && !sim_udp_is_connected(call->world, ws->sock)) {
            return WSAEDESTADDRREQ;
        }
        err = wsp_io_dgram_send(ws, lpBuffers, dwBufferCount, total, dest);
        sent = err == 0 ? total : 0;
    }
    if (err != 0)
        return err;
    *lpNumberOfBytesSent = (DWORD) sent;
    if (call->trace)
        wsp_call_end(call, "0 (%zu sent)", sent);
    return 0;
}

/**
 * WSPSend:
 *
 * Gathers @lpBuffers in order.  Stream: a blocking call returns when all
 * bytes are buffered (waiting at most SO_SNDTIMEO: WSAETIMEDOUT); a
 * non-blocking one sends what fits, WSAEWOULDBLOCK when nothing does.
 * Datagram: one message to the connected peer, never blocks.
 *
 * Returns: 0 with *@lpNumberOfBytesSent; SOCKET_ERROR with WSAENOTSOCK,
 * WSAEFAULT, WSAEINVAL (overlapped on a non-overlapped socket), WSAEOPNOTSUPP
 * (MSG_OOB on datagrams, MSG_PARTIAL, unknown flags), WSAENOTCONN,
 * WSAESHUTDOWN, WSAEWOULDBLOCK, WSAEMSGSIZE, WSAETIMEDOUT, WSAEINTR, the
 * connection's error (WSAECONNRESET, WSAECONNABORTED...).
 */
int WSPAPI
WSPSend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
        DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
        LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine, LPWSATHREADID lpThreadId,
        LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int err;

    if (!wsp_call_begin(&call, "WSPSend", &err))
        return wsp_call_fail(&call, lpErrno, err);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL) {
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
        return wsp_call_fail(&call, lpErrno, WSAENOTSOCK);
    }
    /* Held across the call: a blocking wait may see the socket released
     * (closed by another actor, its process killed by a host crash). */
    wsp_socket_ref(ws);
    err = send_common(&call, ws, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, NULL, 0,
                      false, lpOverlapped, lpCompletionRoutine, lpThreadId);
    wsp_events_after_send(ws, err); /* re-enables FD_WRITE (REFERENCE 2.5) */
    wsp_socket_unref(ws);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    return 0;
}

/**
 * WSPSendTo:
 *
 * WSPSend with a destination for datagram sockets (@lpTo overrides the
 * connected peer for this datagram; an unbound socket is bound
 * implicitly).  On stream sockets @lpTo is ignored.
 *
 * Returns: as WSPSend, plus WSAEDESTADDRREQ (no @lpTo, not connected),
 * WSAEFAULT (short @iTolen), WSAEAFNOSUPPORT, WSAEADDRNOTAVAIL,
 * WSAENETUNREACH, WSAEACCES (broadcast without SO_BROADCAST).
 */
int WSPAPI
WSPSendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
          DWORD dwFlags, const struct sockaddr *lpTo, int iTolen, LPWSAOVERLAPPED lpOverlapped,
          LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine, LPWSATHREADID lpThreadId,
          LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int err;

    if (!wsp_call_begin(&call, "WSPSendTo", &err))
        return wsp_call_fail(&call, lpErrno, err);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL) {
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
        return wsp_call_fail(&call, lpErrno, WSAENOTSOCK);
    }
    wsp_socket_ref(ws); /* held across a blocking wait, as in WSPSend */
    err = send_common(&call, ws, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo,
                      iTolen, true, lpOverlapped, lpCompletionRoutine, lpThreadId);
    wsp_events_after_send(ws, err); /* re-enables FD_WRITE (REFERENCE 2.5) */
    wsp_socket_unref(ws);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    return 0;
}

/* ---- Receive --------------------------------------------------------------- */

#define RECV_FLAGS_KNOWN (MSG_PEEK | MSG_OOB | MSG_PARTIAL | MSG_WAITALL)

static int
stream_recv(WspCall *call, WspSocket *ws, LPWSABUF bufs, DWORD count, size_t total, DWORD flags,
            size_t *out_got)
{
    SimTime deadline = wsp_deadline(call->world, ws->rcvtimeo_ms);
    size_t cap = MIN(total, (size_t) WSP_RECV_CHUNK);
    guint8 *tmp = g_malloc(MAX(cap, (size_t) 1));
    guint tflags = ((flags & MSG_PEEK) ? SIM_TCP_RECV_PEEK : 0) |
                   ((flags & MSG_OOB) ? SIM_TCP_RECV_OOB : 0);
    /* The first bytes received, for the trace: tmp holds only the last
     * chunk (MSG_WAITALL reads several into it).  One more than the trace
     * shows, so that it still marks a longer read with "...". */
    guint8 head[25];
    size_t got = 0;
    int err = 0;

    wsp_socket_ref(ws);
    for (;;) {
        size_t n = 0;
        SimStatus st = ws->sock != 0 ? sim_tcp_recv(call->world, ws->sock, tmp,
                                                    MIN(cap, total - got), tflags, &n)
                                     : SIM_E_NOTFOUND;

        if (st == SIM_OK) {
            scatter(bufs, count, got, tmp, n);
            if (got < sizeof head)
                memcpy(head + got, tmp, MIN(n, sizeof head - got));
            got += n;
            if (!(flags & MSG_WAITALL) || n == 0 || got == total)
                break;
            continue;
        }
        if (st != SIM_E_WOULDBLOCK) {
            err = ws->closed ? WSAEINTR : wsp_conn_error(ws, wsp_error_from_status(st), false);
            break;
        }
        if (ws->nonblocking || call->actor == SIM_ID_NONE) {
            err = WSAEWOULDBLOCK;
            break;
        }
        err = wsp_wait(call, ws, &ws->rq, deadline);
        if (err != 0)
            break;
    }
    if (got > 0 && !(flags & MSG_PEEK))
        wsp_ext_after_recv(ws); /* TF_REUSE_SOCKET waits for the data to be read */
    wsp_socket_unref(ws);
    if (err != 0 && got > 0 && err != WSAEINTR)
        err = 0; /* MSG_WAITALL cut short: return what arrived */
    if (call->trace && err == 0)
        trace_bytes(call, "", head, got, MIN(got, sizeof head));
    g_free(tmp);
    *out_got = got;
    return err;
}

/**
 * wsp_io_msg_flags:
 * @info: what the transport said of a received datagram
 *
 * Returns: WSARecvMsg's output flags for it: MSG_TRUNC when it was cut,
 * MSG_BCAST / MSG_MCAST when it was sent to a broadcast / multicast address.
 */
DWORD
wsp_io_msg_flags(const SimUdpMsgInfo *info)
{
    DWORD flags = info->truncated ? MSG_TRUNC : 0;

    switch (info->cast) {
    case SIM_UDP_CAST_BROADCAST:
        return flags | MSG_BCAST;
    case SIM_UDP_CAST_MULTICAST:
        return flags | MSG_MCAST;
    case SIM_UDP_CAST_UNICAST:
        break;
    }
    return flags;
}

/* One datagram, spread over the buffers; WSAEMSGSIZE when it did not fit
 * (the buffers hold its head, the rest is gone: UDP is unreliable, and
 * without XP1_PARTIAL_MESSAGE there is no MSG_PARTIAL).  *@out_msg_flags:
 * WSARecvMsg's flags for it. */
static int
dgram_recv(WspCall *call, WspSocket *ws, LPWSABUF bufs, DWORD count, size_t total, DWORD flags,
           size_t *out_got, SimSockAddr *out_from, DWORD *out_msg_flags)
{
    SimTime deadline = wsp_deadline(call->world, ws->rcvtimeo_ms);
    size_t cap = MIN(total, (size_t) WSP_RECV_CHUNK);
    guint8 *tmp = g_malloc(MAX(cap, (size_t) 1));
    SimUdpMsgInfo info;
    int err = 0;

    memset(&info, 0, sizeof info);
    wsp_socket_ref(ws);
    for (;;) {
        SimStatus st;

        if (ws->shut_recv) {
            err = WSAESHUTDOWN;
            break;
        }
        st = ws->sock != 0 ? sim_udp_recvmsg(call->world, ws->sock, tmp, cap,
                                             (flags & MSG_PEEK) ? SIM_UDP_RECV_PEEK : 0, &info)
                           : SIM_E_NOTFOUND;
        if (st == SIM_OK) {
            scatter(bufs, count, 0, tmp, info.len);
            *out_from = info.from;
            *out_msg_flags = wsp_io_msg_flags(&info);
            if (info.truncated)
                err = WSAEMSGSIZE;
            break;
        }
        if (st != SIM_E_WOULDBLOCK) {
            err = ws->closed ? WSAEINTR : wsp_error_from_status(st);
            break;
        }
        if (ws->nonblocking || call->actor == SIM_ID_NONE) {
            err = WSAEWOULDBLOCK;
            break;
        }
        err = wsp_wait(call, ws, &ws->rq, deadline);
        if (err != 0)
            break;
    }
    wsp_socket_unref(ws);
    if (call->trace && err == 0)
        trace_bytes(call, "", tmp, info.len, info.len);
    g_free(tmp);
    *out_got = info.len;
    return err;
}

/* WSPRecv, WSPRecvFrom (@recvfrom) and WSARecvMsg (@msg: its buffers,
 * name and flags are the other arguments; a datagram socket). */
static int
recv_common(WspCall *call, WspSocket *ws, LPWSABUF lpBuffers, DWORD dwBufferCount,
            LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, struct sockaddr *lpFrom,
            LPINT lpFromlen, bool recvfrom, LPWSAMSG msg, LPWSAOVERLAPPED lpOverlapped,
            LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine, LPWSATHREADID lpThreadId)
{
    SimSockAddr from;
    size_t total, got = 0;
    DWORD flags, msg_flags = 0;
    int err;

    err = check_buffers(lpBuffers, dwBufferCount, &total);
    if (call->trace)
        wsp_call_args(call, "s=0x%" G_GINT64_MODIFIER "x, len=%zu%s%s", (guint64) ws->handle,
                      total, (lpFlags != NULL && (*lpFlags & MSG_PEEK)) ? ", MSG_PEEK" : "",
                      (lpFlags != NULL && (*lpFlags & MSG_OOB)) ? ", MSG_OOB" : "");
    if (err != 0)
        return err;
    err = check_overlapped(ws, lpOverlapped, lpCompletionRoutine);
    if (err != 0)
        return err;
    if ((lpNumberOfBytesRecvd == NULL && lpOverlapped == NULL) || lpFlags == NULL)
        return WSAEFAULT;
    flags = *lpFlags;
    if ((flags & ~(DWORD) RECV_FLAGS_KNOWN) != 0)
        return WSAEOPNOTSUPP;
    if ((flags & MSG_OOB) && !ws->stream)
        return WSAEOPNOTSUPP;
    /* REFERENCE 4 choice 34: MSG_WAITALL on blocking streams only. */
    if ((flags & MSG_WAITALL) &&
        (!ws->stream || ws->nonblocking || (flags & (MSG_OOB | MSG_PEEK | MSG_PARTIAL))))
        return WSAEOPNOTSUPP;
    if (recvfrom && lpFrom != NULL &&
        (lpFromlen == NULL || *lpFromlen < wsp_sockaddr_size(ws->family)))
        return WSAEFAULT;
    if (ws->stream && recvfrom) {
        SimTcpState state = SIM_TCP_CLOSED;

        if (!ws->transport_gone && ws->sock != 0)
            sim_tcp_get_state(call->world, ws->sock, &state);
        /* REFERENCE 4 choice 29.  Not connected: WSAEINVAL, WSPRecvFrom's
         * code for a socket that cannot receive (its table has no
         * WSAENOTCONN; doc/spi-choices.md). */
        return sim_tcp_state_is_synchronized(state) ? WSAEISCONN : WSAEINVAL;
    }
    if (ws->transport_gone)
        return wsp_conn_error(ws, wsp_gone_error(ws), false);
    if (ws->sock == 0)
        return WSAENOTCONN;
    if ((lpOverlapped != NULL || lpCompletionRoutine != NULL) && !(ws->stream && recvfrom)) {
        DWORD ignored;

        return wsp_ov_recv(call, ws, lpBuffers, dwBufferCount, lpFlags, recvfrom ? lpFrom : NULL,
                           lpFromlen, msg,
                           lpNumberOfBytesRecvd != NULL ? lpNumberOfBytesRecvd : &ignored,
                           lpOverlapped, lpCompletionRoutine, lpThreadId);
    }
    if (ws->stream) {
        err = stream_recv(call, ws, lpBuffers, dwBufferCount, total, flags, &got);
    } else {
        memset(&from, 0, sizeof from);
        err = dgram_recv(call, ws, lpBuffers, dwBufferCount, total, flags, &got, &from,
                         &msg_flags);
        if ((err == 0 || err == WSAEMSGSIZE) && recvfrom && lpFrom != NULL)
            wsp_sockaddr_out(&from, lpFrom, lpFromlen);
    }
    if (err == 0 || err == WSAEMSGSIZE) {
        *lpNumberOfBytesRecvd = (DWORD) got;
        *lpFlags = msg != NULL ? msg_flags : 0;
        if (msg != NULL)
            msg->Control.len = 0; /* no control data: IP_PKTINFO is not supported */
    }
    return err;
}

/**
 * WSPRecv:
 *
 * Stream: returns what is buffered (at most 64 KiB per call), 0 bytes at a
 * graceful close, waiting first on a blocking socket (at most SO_RCVTIMEO:
 * WSAETIMEDOUT).  MSG_PEEK copies without consuming; MSG_OOB reads the
 * urgent byte; MSG_WAITALL waits for full buffers.  Datagram: one message;
 * WSAEMSGSIZE with the buffers filled when it did not fit.
 *
 * Returns: 0 with *@lpNumberOfBytesRecvd and *@lpFlags; SOCKET_ERROR with
 * WSAENOTSOCK, WSAEFAULT, WSAEINVAL (unbound datagram socket; overlapped on
 * a non-overlapped socket), WSAEOPNOTSUPP, WSAENOTCONN, WSAESHUTDOWN,
 * WSAEWOULDBLOCK, WSAEMSGSIZE, WSAETIMEDOUT, WSAEINTR, WSAECONNRESET,
 * WSAECONNABORTED, WSAENETRESET.
 */
int WSPAPI
WSPRecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
        LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
        LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine, LPWSATHREADID lpThreadId,
        LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int err;

    if (!wsp_call_begin(&call, "WSPRecv", &err))
        return wsp_call_fail(&call, lpErrno, err);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL) {
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
        return wsp_call_fail(&call, lpErrno, WSAENOTSOCK);
    }
    /* Held across the call: a blocking wait may see the socket released
     * (closed by another actor, its process killed by a host crash). */
    wsp_socket_ref(ws);
    err = recv_common(&call, ws, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, NULL,
                      NULL, false, NULL, lpOverlapped, lpCompletionRoutine, lpThreadId);
    wsp_events_reenable(ws, FD_READ | FD_OOB); /* even when it failed (REFERENCE 2.5) */
    wsp_socket_unref(ws);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    return 0;
}

/**
 * WSPRecvFrom:
 *
 * WSPRecv for datagram sockets, with the sender's address in @lpFrom.  A
 * connected datagram socket receives only from its peer.  On a stream
 * socket it fails: WSAEISCONN when connected (REFERENCE 4 choice 29),
 * WSAEINVAL otherwise (the table lists no WSAENOTCONN; doc/spi-choices.md).
 *
 * Returns: as WSPRecv, plus WSAEFAULT for a short *@lpFromlen.
 */
int WSPAPI
WSPRecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
            LPDWORD lpFlags, struct sockaddr *lpFrom, LPINT lpFromlen,
            LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
            LPWSATHREADID lpThreadId, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int err;

    if (!wsp_call_begin(&call, "WSPRecvFrom", &err))
        return wsp_call_fail(&call, lpErrno, err);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL) {
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
        return wsp_call_fail(&call, lpErrno, WSAENOTSOCK);
    }
    wsp_socket_ref(ws); /* held across a blocking wait, as in WSPRecv */
    err = recv_common(&call, ws, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpFrom,
                      lpFromlen, true, NULL, lpOverlapped, lpCompletionRoutine, lpThreadId);
    wsp_events_reenable(ws, FD_READ | FD_OOB); /* even when it failed (REFERENCE 2.5) */
    wsp_socket_unref(ws);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    return 0;
}

/* ---- WSARecvMsg, WSASendMsg (wsp-extension.c hands them out) ---------------- */

#define MSG_OUT_FLAGS (MSG_TRUNC | MSG_CTRUNC | MSG_BCAST | MSG_MCAST)

/* The WSAMSG rules both share: NULL, or a NULL name or control buffer with
 * a length, is WSAEFAULT; stream sockets are not for them (the functions
 * work on datagram and raw sockets only: doc/spi-choices.md). */
static int
check_msg(const WspSocket *ws, const WSAMSG *msg)
{
    if (msg == NULL || (msg->name == NULL && msg->namelen != 0) ||
        (msg->Control.buf == NULL && msg->Control.len != 0))
        return WSAEFAULT;
    if (ws->stream)
        return WSAEOPNOTSUPP;
    return 0;
}

/**
 * wsp_io_recvmsg:
 * @call: WSARecvMsg's call
 * @ws: the socket, held by the caller
 * @msg: (nullable): the client's message header
 *
 * WSARecvMsg on a datagram socket: WSPRecvFrom's receive with the buffers,
 * the sender's address (@msg->name, @msg->namelen) and the flags of @msg.
 * On input @msg->dwFlags may hold MSG_PEEK (and the output flags, which a
 * reused header carries and which are ignored) only; on output it holds
 * MSG_TRUNC, MSG_BCAST, MSG_MCAST (wsp_io_msg_flags()), and Control.len is
 * 0: there is no control data (IP_PKTINFO is not supported).  Overlapped
 * requests are wsp_ov_recv()'s, which writes the same fields at completion
 * and reports the same flags to the completion.  FD_READ is re-enabled.
 *
 * Returns: 0 with *@out_got; WSA_IO_PENDING; WSAEMSGSIZE (the head of the
 * datagram is in the buffers, MSG_TRUNC set); or as WSPRecvFrom, plus
 * WSAEFAULT (@msg) and WSAEOPNOTSUPP (stream socket, flags other than
 * MSG_PEEK).
 */
int
wsp_io_recvmsg(WspCall *call, WspSocket *ws, LPWSAMSG msg, LPDWORD out_got, LPWSAOVERLAPPED ov,
               LPWSAOVERLAPPED_COMPLETION_ROUTINE cr)
{
    int err = check_msg(ws, msg);

    if (err == 0) {
        /* MSG_PEEK is its only input flag; the output ones a header
         * reused from an earlier call still holds are not requests. */
        msg->dwFlags &= ~(DWORD) MSG_OUT_FLAGS;
        if ((msg->dwFlags & ~(DWORD) MSG_PEEK) != 0)
            err = WSAEOPNOTSUPP;
    }
    if (err == 0)
        err = recv_common(call, ws, msg->lpBuffers, msg->dwBufferCount, out_got, &msg->dwFlags,
                          msg->name, &msg->namelen, true, msg, ov, cr, NULL);
    wsp_events_reenable(ws, FD_READ | FD_OOB); /* even when it failed (REFERENCE 2.5) */
    return err;
}

/**
 * wsp_io_sendmsg:
 * @call: WSASendMsg's call
 * @ws: the socket, held by the caller
 * @msg: (nullable): the client's message header
 * @flags: MSG_DONTROUTE (ignored); MSG_PARTIAL and MSG_OOB are WSAEOPNOTSUPP
 *
 * WSASendMsg on a datagram socket: WSPSendTo's send of the gathered
 * buffers to @msg->name, or to the connected peer when it is NULL.
 * @msg->dwFlags is ignored.  Control data is not supported (IP_PKTINFO
 * would choose the source address): a control buffer with a length is
 * WSAEOPNOTSUPP.  FD_WRITE is re-enabled.
 *
 * Returns: 0 with *@out_sent; WSA_IO_PENDING; or as WSPSendTo, except
 * WSAENOTCONN for no @msg->name on an unconnected socket (the code its
 * table has), plus WSAEFAULT (@msg) and WSAEOPNOTSUPP (stream socket,
 * control data).
 */
int
wsp_io_sendmsg(WspCall *call, WspSocket *ws, LPWSAMSG msg, DWORD flags, LPDWORD out_sent,
               LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr)
{
    int err = check_msg(ws, msg);

    if (err == 0 && msg->Control.len != 0)
        err = WSAEOPNOTSUPP; /* doc/spi-choices.md */
    if (err == 0)
        err = send_common(call, ws, msg->lpBuffers, msg->dwBufferCount, out_sent, flags,
                          msg->name, msg->namelen, true, ov, cr, NULL);
    if (err == WSAEDESTADDRREQ)
        err = WSAENOTCONN;
    wsp_events_after_send(ws, err); /* re-enables FD_WRITE (REFERENCE 2.5) */
    return err;
}
