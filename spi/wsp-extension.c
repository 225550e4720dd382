/* SPDX-License-Identifier: MIT
 *
 * wsp-extension.c: the Microsoft extension functions WSPIoctl hands out
 * through SIO_GET_EXTENSION_FUNCTION_POINTER — AcceptEx, ConnectEx,
 * GetAcceptExSockaddrs and DisconnectEx (WSAEINVAL for any other GUID).
 * They complete through the overlapped machinery of REFERENCE 2.4: the
 * WSAOVERLAPPED fields are written as wsp-overlapped.c writes them
 * (Internal no longer WSS_OPERATION_IN_PROGRESS, InternalHigh = bytes,
 * OffsetHigh = error, Offset = 0) and hEvent is signalled through the
 * upcall table's WPUSetEvent, so WSPGetOverlappedResult reads them.  A
 * request that must wait is kept in a list of this file and progresses
 * from the transport notifications of the endpoint it watches: while one
 * waits, that endpoint's notify function is ext_notify, which passes every
 * notification to the provider's own (wsp_transport_notify) first.
 * Errors of the extension functions go to the calling simulated thread's
 * last error (WSASetLastError), as Windows' mswsock does; a call from
 * outside any actor has no thread, so its error is only traced.
 * doc/spi-choices.md.
 */
#include "config.h"

#include <string.h>

#include "wsp-extension.h"

typedef enum {
    EXT_CONNECT,
    EXT_ACCEPT,
    EXT_DISCONNECT,
} ExtKind;

typedef struct {
    ExtKind kind;
    const char *fn;
    SimWorld *world;
    SimSocketId watch;          /* the endpoint whose notifications move it */
    WspSocket *ws;              /* (ref) connect/disconnect socket; AcceptEx: the accept socket */
    WspSocket *ls;              /* (ref, nullable) AcceptEx: the listener */
    LPWSAOVERLAPPED ov;
    guint8 *buf;                /* the client's: ConnectEx send data, AcceptEx output buffer */
    DWORD len;                  /* ConnectEx: bytes to send; AcceptEx: dwReceiveDataLength */
    DWORD local_len, remote_len;
    size_t done;
    bool accepted;              /* AcceptEx: the connection is attached, now receiving */
} ExtOp;

/* Pending requests of every world, in posting order. */
static GPtrArray *ext_ops;

static void ext_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err,
                       void *data);

static BOOL
ext_fail(WspCall *call, int err)
{
    int e = 0;

    wsp_call_fail(call, &e, err);
    /* The calling thread's last error.  Only simulated threads have one:
     * outside an actor ws2 would make its default world for it. */
    if (call->world != NULL && call->actor != SIM_ID_NONE)
        WSASetLastError(err);
    return FALSE;
}

static void
ext_note(WspSocket *ws, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
ext_note(WspSocket *ws, const char *fmt, ...)
{
    char text[160];
    va_list ap;

    if (!sim_trace_enabled(ws->world))
        return;
    va_start(ap, fmt);
    g_vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sim_trace_textf(ws->world, SIM_TR_NOTE, sim_process_node(ws->world, ws->proc->pid),
                    sim_actor_current(ws->world), "overlapped", "s=0x%" G_GINT64_MODIFIER "x %s",
                    (guint64) ws->handle, text);
}

static void
wake(WspSocket *ws)
{
    if (ws == NULL || ws->closed)
        return;
    sim_waitq_wake_all(ws->world, &ws->rq);
    sim_waitq_wake_all(ws->world, &ws->wq);
    sim_waitq_wake_all(ws->world, &ws->cq);
}

/* Started: in progress, event reset (REFERENCE 2.4). */
static void
ov_start(WspProcess *proc, LPWSAOVERLAPPED ov)
{
    int e = 0;

    ov->Internal = WSS_OPERATION_IN_PROGRESS;
    ov->InternalHigh = 0;
    if (ov->hEvent != NULL)
        proc->upcalls.lpWPUResetEvent(ov->hEvent, &e);
}

/* Write the result and, when @notify, signal the event; frees @op. */
static void
op_finish_full(ExtOp *op, int err, size_t bytes, bool notify)
{
    LPWSAOVERLAPPED ov = op->ov;
    WspSocket *ws = op->ws;
    int e = 0;

    ov->Offset = 0;
    ov->OffsetHigh = (DWORD) err;
    ov->InternalHigh = (ULONG_PTR) bytes;
    ov->Internal = (ULONG_PTR) (DWORD) err;
    if (err != 0)
        ext_note(ws, "%s complete: %s", op->fn, wsp_error_name(err));
    else
        ext_note(ws, "%s complete: %zu bytes", op->fn, bytes);
    if (notify && ov->hEvent != NULL && !ws->proc->upcalls.lpWPUSetEvent(ov->hEvent, &e))
        ext_note(ws, "WPUSetEvent failed: %s", wsp_error_name(e));
    wake(ws);
    wake(op->ls);
    if (op->ls != NULL)
        wsp_socket_unref(op->ls);
    wsp_socket_unref(ws);
    g_free(op);
}

static void
op_finish(ExtOp *op, int err, size_t bytes)
{
    op_finish_full(op, err, bytes, true);
}

static ExtOp *
op_new(ExtKind kind, const char *fn, WspSocket *ws, WspSocket *ls, LPWSAOVERLAPPED ov)
{
    ExtOp *op = g_new0(ExtOp, 1);

    op->kind = kind;
    op->fn = fn;
    op->world = ws->world;
    op->ws = wsp_socket_ref(ws);
    op->ls = ls != NULL ? wsp_socket_ref(ls) : NULL;
    op->ov = ov;
    return op;
}

static bool
watched(SimWorld *world, SimSocketId sock)
{
    for (guint i = 0; ext_ops != NULL && i < ext_ops->len; i++) {
        ExtOp *op = g_ptr_array_index(ext_ops, i);

        if (op->world == world && op->watch == sock)
            return true;
    }
    return false;
}

static void
watch(ExtOp *op, SimSocketId sock)
{
    op->watch = sock;
    sim_tcp_set_notify(op->world, sock, ext_notify, NULL);
}

/* No request watches @sock any more: its notifications go straight to the
 * provider again. */
static void
unwatch(SimWorld *world, SimSocketId sock)
{
    if (sock != 0 && !watched(world, sock) && wsp_socket_by_sock(world, sock) != NULL)
        sim_tcp_set_notify(world, sock, wsp_transport_notify, NULL);
}

/* Move the accepted endpoint @child into the caller's socket @as: its own
 * unconnected endpoint is closed and @child takes its place. */
static void
attach_child(WspSocket *as, SimSocketId child)
{
    WspState *st = wsp_state_get(as->world, true);
    guint32 level = 0;

    if (as->sock != 0) {
        g_hash_table_remove(st->by_sock, GUINT_TO_POINTER(as->sock));
        (void) sim_tcp_close(as->world, as->sock);
    }
    as->sock = child;
    g_hash_table_insert(st->by_sock, GUINT_TO_POINTER(child), as);
    sim_tcp_set_notify(as->world, child, wsp_transport_notify, NULL);
    as->bound = true;
    as->connect_failed = false;
    sim_tcp_set_option(as->world, child, SIM_TCP_OPT_NODELAY, as->opt_nodelay);
    sim_tcp_set_option(as->world, child, SIM_TCP_OPT_KEEPALIVE, as->opt_keepalive);
    sim_tcp_set_option(as->world, child, SIM_TCP_OPT_OOBINLINE, as->opt_oobinline);
    if (sim_tcp_poll(as->world, child, &level) == SIM_OK)
        as->events_seen |= level;
}

/* [int length][sockaddr] at @block (@cap bytes). */
static void
put_addr(guint8 *block, DWORD cap, const SimSockAddr *sa)
{
    SOCKADDR_STORAGE ss;
    int n = (int) sizeof ss;

    memset(block, 0, cap);
    if (wsp_sockaddr_out(sa, (struct sockaddr *) &ss, &n) != 0)
        return;
    memcpy(block, &n, sizeof n);
    memcpy(block + sizeof n, &ss, (size_t) n);
}

/* One step of @op; TRUE when it is over (*@err, *@bytes set). */
static bool
op_step(ExtOp *op, int *err, size_t *bytes)
{
    WspSocket *ws = op->ws;
    SimTcpState state = SIM_TCP_CLOSED;
    SimStatus st;
    size_t n = 0;

    *err = 0;
    *bytes = 0;
    if (ws->closed || (op->ls != NULL && op->ls->closed && !op->accepted)) {
        *err = WSA_OPERATION_ABORTED;
        return true;
    }
    switch (op->kind) {
    case EXT_CONNECT:
        if (ws->connect_failed) {
            *err = wsp_error_from_status(ws->connect_err);
            ws->so_error = SIM_OK; /* reported by this request */
            return true;
        }
        if (ws->transport_gone || ws->sock == 0) {
            *err = wsp_gone_error(ws);
            return true;
        }
        if (sim_tcp_get_state(op->world, ws->sock, &state) != SIM_OK ||
            !sim_tcp_state_is_synchronized(state))
            return false;
        ws->connecting = false;
        while (op->done < op->len) {
            st = sim_tcp_send(op->world, ws->sock, op->buf + op->done, op->len - op->done, 0, &n);
            if (st == SIM_E_WOULDBLOCK)
                return false;
            if (st != SIM_OK) {
                *err = wsp_error_from_status(st);
                return true;
            }
            op->done += n;
            if (n == 0)
                return false;
        }
        *bytes = op->done;
        return true;
    case EXT_ACCEPT:
        if (!op->accepted) {
            SimSocketId child = 0;
            SimSockAddr local, remote;

            if (op->ls->sock == 0) {
                *err = WSA_OPERATION_ABORTED;
                return true;
            }
            st = sim_tcp_accept(op->world, op->ls->sock, &child);
            if (st == SIM_E_WOULDBLOCK)
                return false;
            wsp_events_reenable(op->ls, FD_ACCEPT);
            if (st != SIM_OK) {
                *err = wsp_error_from_status(st);
                return true;
            }
            memset(&local, 0, sizeof local);
            memset(&remote, 0, sizeof remote);
            sim_tcp_local_addr(op->world, child, &local);
            sim_tcp_remote_addr(op->world, child, &remote);
            attach_child(ws, child);
            put_addr(op->buf + op->len, op->local_len, &local);
            put_addr(op->buf + op->len + op->local_len, op->remote_len, &remote);
            op->accepted = true;
            if (op->len == 0)
                return true; /* complete on accept */
            op->watch = child;
        }
        if (ws->transport_gone || ws->sock == 0) {
            *err = wsp_gone_error(ws);
            return true;
        }
        st = sim_tcp_recv(op->world, ws->sock, op->buf, op->len, 0, &n);
        if (st == SIM_E_WOULDBLOCK)
            return false;
        if (st != SIM_OK)
            *err = wsp_error_from_status(st);
        *bytes = st == SIM_OK ? n : 0; /* data, or 0 at the end of the stream */
        return true;
    case EXT_DISCONNECT:
        if ((ws->events_seen & SIM_TCP_EV_ACKED) != 0)
            return true;
        if (ws->transport_gone || ws->sock == 0)
            return true; /* the connection is gone: nothing left to disconnect */
        if (sim_tcp_get_state(op->world, ws->sock, &state) == SIM_OK &&
            (state == SIM_TCP_CLOSED || state == SIM_TCP_TIME_WAIT || state == SIM_TCP_FIN_WAIT_2))
            return true;
        return false;
    }
    return true;
}

/* Advance the requests watching @sock. */
static void
ext_progress(SimWorld *world, SimSocketId sock)
{
    guint i = 0;

    while (ext_ops != NULL && i < ext_ops->len) {
        ExtOp *op = g_ptr_array_index(ext_ops, i);
        SimSocketId was = op->watch;
        size_t bytes;
        int err;

        if (op->world != world || op->watch != sock) {
            i++;
            continue;
        }
        if (op_step(op, &err, &bytes)) {
            g_ptr_array_remove_index(ext_ops, i);
            op_finish(op, err, bytes);
            continue;
        }
        if (op->watch != was)
            watch(op, op->watch); /* AcceptEx: now the accepted connection */
        i++;
    }
    unwatch(world, sock);
}

static void
ext_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    wsp_transport_notify(world, sock, events, err, data);
    ext_progress(world, sock);
}

/* Run @op once: completed at once (TRUE, completion issued) or queued. */
static BOOL
op_post(WspCall *call, ExtOp *op, SimSocketId sock, LPDWORD out_bytes)
{
    size_t bytes;
    int err;

    ov_start(call->proc, op->ov);
    if (op_step(op, &err, &bytes)) {
        if (err != 0) {
            op->ov->Internal = 0;
            wsp_socket_unref(op->ws);
            if (op->ls != NULL)
                wsp_socket_unref(op->ls);
            g_free(op);
            return ext_fail(call, err);
        }
        if (out_bytes != NULL)
            *out_bytes = (DWORD) bytes;
        wsp_call_end(call, "TRUE (%zu bytes, completion issued)", bytes);
        op_finish(op, 0, bytes);
        return TRUE;
    }
    if (ext_ops == NULL)
        ext_ops = g_ptr_array_new();
    if (op->watch == 0)
        op->watch = sock;
    g_ptr_array_add(ext_ops, op);
    watch(op, op->watch);
    return ext_fail(call, WSA_IO_PENDING);
}

static bool
accept_pending(const WspSocket *as)
{
    for (guint i = 0; ext_ops != NULL && i < ext_ops->len; i++) {
        const ExtOp *op = g_ptr_array_index(ext_ops, i);

        if (op->kind == EXT_ACCEPT && op->ws == as)
            return true;
    }
    return false;
}

/* ---- AcceptEx ------------------------------------------------------------- */

/* The output buffer holds dwReceiveDataLength bytes of data, then a block
 * of dwLocalAddressLength bytes for the local address and one of
 * dwRemoteAddressLength bytes for the remote address; each block is an
 * int (the sockaddr's length) followed by the sockaddr.  Both blocks must
 * have room for the family's sockaddr plus 16 bytes (doc/spi-choices.md). */
static BOOL PASCAL
ext_accept_ex(SOCKET sListenSocket, SOCKET sAcceptSocket, PVOID lpOutputBuffer,
              DWORD dwReceiveDataLength, DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
              LPDWORD lpdwBytesReceived, LPOVERLAPPED lpOverlapped)
{
    SimTcpState state = SIM_TCP_CLOSED;
    WspCall call;
    WspSocket *ls, *as;
    DWORD need;
    ExtOp *op;
    int err;

    if (!wsp_call_begin(&call, "AcceptEx", &err))
        return ext_fail(&call, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, accept=0x%" G_GINT64_MODIFIER "x, %u bytes",
                  (guint64) sListenSocket, (guint64) sAcceptSocket, (unsigned) dwReceiveDataLength);
    ls = wsp_handle_lookup(&call, sListenSocket);
    as = wsp_handle_lookup(&call, sAcceptSocket);
    if (ls == NULL || as == NULL)
        return ext_fail(&call, WSAENOTSOCK);
    if (lpOverlapped == NULL || lpOutputBuffer == NULL)
        return ext_fail(&call, WSAEFAULT);
    if (!ls->stream || !as->stream)
        return ext_fail(&call, WSAEOPNOTSUPP);
    if (!ls->listening || as == ls || as->family != ls->family)
        return ext_fail(&call, WSAEINVAL);
    if (as->bound || as->listening || as->connecting || accept_pending(as) ||
        as->transport_gone || as->sock == 0 ||
        (sim_tcp_get_state(call.world, as->sock, &state) == SIM_OK && state != SIM_TCP_CLOSED))
        return ext_fail(&call, WSAEINVAL); /* must be unbound and unconnected */
    need = (DWORD) wsp_sockaddr_size(ls->family) + 16;
    if (dwLocalAddressLength < need || dwRemoteAddressLength < need)
        return ext_fail(&call, WSAEFAULT);
    if (!(ls->flags & WSA_FLAG_OVERLAPPED))
        return ext_fail(&call, WSAEINVAL); /* choice 2 */
    op = op_new(EXT_ACCEPT, "AcceptEx", as, ls, lpOverlapped);
    op->buf = lpOutputBuffer;
    op->len = dwReceiveDataLength;
    op->local_len = dwLocalAddressLength;
    op->remote_len = dwRemoteAddressLength;
    return op_post(&call, op, ls->sock, lpdwBytesReceived);
}

/* ---- GetAcceptExSockaddrs -------------------------------------------------- */

static void
get_block(guint8 *block, DWORD cap, struct sockaddr **out, LPINT out_len)
{
    int n = 0;

    if (cap >= sizeof n)
        memcpy(&n, block, sizeof n);
    if (n < 0 || (DWORD) n > cap - MIN(cap, (DWORD) sizeof n))
        n = 0;
    if (out != NULL)
        *out = n > 0 ? (struct sockaddr *) (block + sizeof n) : NULL;
    if (out_len != NULL)
        *out_len = n;
}

static VOID PASCAL
ext_get_accept_ex_sockaddrs(PVOID lpOutputBuffer, DWORD dwReceiveDataLength,
                            DWORD dwLocalAddressLength, DWORD dwRemoteAddressLength,
                            struct sockaddr **LocalSockaddr, LPINT LocalSockaddrLength,
                            struct sockaddr **RemoteSockaddr, LPINT RemoteSockaddrLength)
{
    guint8 *p = lpOutputBuffer;

    if (p == NULL) {
        get_block(NULL, 0, LocalSockaddr, LocalSockaddrLength);
        get_block(NULL, 0, RemoteSockaddr, RemoteSockaddrLength);
        return;
    }
    get_block(p + dwReceiveDataLength, dwLocalAddressLength, LocalSockaddr, LocalSockaddrLength);
    get_block(p + dwReceiveDataLength + dwLocalAddressLength, dwRemoteAddressLength,
              RemoteSockaddr, RemoteSockaddrLength);
}

/* ---- ConnectEx ------------------------------------------------------------ */

static BOOL PASCAL
ext_connect_ex(SOCKET s, const struct sockaddr *name, int namelen, PVOID lpSendBuffer,
               DWORD dwSendDataLength, LPDWORD lpdwBytesSent, LPOVERLAPPED lpOverlapped)
{
    WspCall call;
    WspSocket *ws;
    SimSockAddr to;
    bool nb;
    ExtOp *op;
    int err, e = 0;

    if (!wsp_call_begin(&call, "ConnectEx", &err))
        return ext_fail(&call, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %u bytes", (guint64) s,
                  (unsigned) dwSendDataLength);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL)
        return ext_fail(&call, WSAENOTSOCK);
    if (lpOverlapped == NULL || (lpSendBuffer == NULL && dwSendDataLength > 0))
        return ext_fail(&call, WSAEFAULT);
    err = wsp_sockaddr_in(name, namelen, ws->family, &to);
    if (err != 0)
        return ext_fail(&call, err);
    if (!ws->stream)
        return ext_fail(&call, WSAEOPNOTSUPP); /* connection-oriented only */
    if (!ws->bound || ws->listening || !(ws->flags & WSA_FLAG_OVERLAPPED))
        return ext_fail(&call, WSAEINVAL); /* unbound or listening; choice 2 */
    /* The connect itself is WSPConnect's, non-blocking: its errors
     * (WSAEALREADY, WSAEISCONN, WSAEADDRNOTAVAIL, ...) are ConnectEx's. */
    nb = ws->nonblocking;
    ws->nonblocking = true;
    if (WSPConnect(s, name, namelen, NULL, NULL, NULL, NULL, &e) == 0)
        e = 0;
    ws->nonblocking = nb;
    if (e != 0 && e != WSAEWOULDBLOCK)
        return ext_fail(&call, e);
    op = op_new(EXT_CONNECT, "ConnectEx", ws, NULL, lpOverlapped);
    op->buf = lpSendBuffer;
    op->len = dwSendDataLength;
    return op_post(&call, op, ws->sock, lpdwBytesSent);
}

/* ---- DisconnectEx --------------------------------------------------------- */

/* A graceful disconnect: WSPSendDisconnect's FIN, complete once everything
 * sent (the FIN too) is acknowledged.  TF_REUSE_SOCKET is not supported. */
static BOOL PASCAL
ext_disconnect_ex(SOCKET s, LPOVERLAPPED lpOverlapped, DWORD dwFlags, DWORD dwReserved)
{
    SimTcpState state = SIM_TCP_CLOSED;
    WspCall call;
    WspSocket *ws;
    ExtOp *op;
    int err, e = 0;

    if (!wsp_call_begin(&call, "DisconnectEx", &err))
        return ext_fail(&call, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, flags 0x%x%s", (guint64) s,
                  (unsigned) dwFlags, lpOverlapped != NULL ? ", overlapped" : "");
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL)
        return ext_fail(&call, WSAENOTSOCK);
    if (dwReserved != 0 || (dwFlags & ~(DWORD) TF_REUSE_SOCKET) != 0)
        return ext_fail(&call, WSAEINVAL);
    if (dwFlags & TF_REUSE_SOCKET)
        return ext_fail(&call, WSAEOPNOTSUPP); /* doc/spi-choices.md */
    if (!ws->stream)
        return ext_fail(&call, WSAEOPNOTSUPP);
    if (lpOverlapped != NULL && !(ws->flags & WSA_FLAG_OVERLAPPED))
        return ext_fail(&call, WSAEINVAL); /* choice 2 */
    if (ws->transport_gone || ws->sock == 0 || ws->shut_send ||
        sim_tcp_get_state(call.world, ws->sock, &state) != SIM_OK ||
        !sim_tcp_state_is_synchronized(state))
        return ext_fail(&call, WSAENOTCONN);
    if (WSPSendDisconnect(s, NULL, &e) != 0)
        return ext_fail(&call, e);
    ws->events_seen &= ~(guint32) SIM_TCP_EV_ACKED;
    sim_tcp_watch_acked(call.world, ws->sock);
    if (lpOverlapped != NULL) {
        op = op_new(EXT_DISCONNECT, "DisconnectEx", ws, NULL, lpOverlapped);
        return op_post(&call, op, ws->sock, NULL);
    }
    /* Not overlapped: a blocking socket in an actor waits for the outcome. */
    if (!ws->nonblocking && call.actor != SIM_ID_NONE) {
        wsp_socket_ref(ws);
        while (!ws->closed && !ws->transport_gone &&
               (ws->events_seen & SIM_TCP_EV_ACKED) == 0) {
            err = wsp_wait(&call, ws, &ws->cq, SIM_TIME_INFINITE);
            if (err != 0) {
                wsp_socket_unref(ws);
                return ext_fail(&call, err);
            }
        }
        wsp_socket_unref(ws);
    }
    wsp_call_end(&call, "TRUE");
    return TRUE;
}

/* ---- SIO_GET_EXTENSION_FUNCTION_POINTER ------------------------------------ */

int
wsp_ext_ioctl(const void *in, DWORD cbin, void *out, DWORD cbout, DWORD *ret)
{
    static const GUID id_accept = WSAID_ACCEPTEX;
    static const GUID id_connect = WSAID_CONNECTEX;
    static const GUID id_sockaddrs = WSAID_GETACCEPTEXSOCKADDRS;
    static const GUID id_disconnect = WSAID_DISCONNECTEX;
    LPFN_ACCEPTEX accept_fn = ext_accept_ex;
    LPFN_CONNECTEX connect_fn = ext_connect_ex;
    LPFN_GETACCEPTEXSOCKADDRS sockaddrs_fn = ext_get_accept_ex_sockaddrs;
    LPFN_DISCONNECTEX disconnect_fn = ext_disconnect_ex;
    GUID id;

    G_STATIC_ASSERT(sizeof accept_fn == sizeof(void *));
    if (in == NULL || cbin < sizeof(GUID) || out == NULL || cbout < sizeof(void *))
        return WSAEFAULT;
    memcpy(&id, in, sizeof id);
    if (memcmp(&id, &id_accept, sizeof id) == 0)
        memcpy(out, &accept_fn, sizeof accept_fn);
    else if (memcmp(&id, &id_connect, sizeof id) == 0)
        memcpy(out, &connect_fn, sizeof connect_fn);
    else if (memcmp(&id, &id_sockaddrs, sizeof id) == 0)
        memcpy(out, &sockaddrs_fn, sizeof sockaddrs_fn);
    else if (memcmp(&id, &id_disconnect, sizeof id) == 0)
        memcpy(out, &disconnect_fn, sizeof disconnect_fn);
    else
        return WSAEINVAL; /* TransmitFile, TransmitPackets, WSARecvMsg...: not provided */
    *ret = sizeof(void *);
    return 0;
}

/**
 * wsp_ext_abort:
 * @ws: a socket being closed (or released at cleanup)
 * @notify: perform the completion action (WSPCloseSocket) or not (final
 *   WSPCleanup, teardown: REFERENCE choice 4)
 *
 * Ends every pending extension request on @ws — as the connecting,
 * disconnecting or accept socket, or as AcceptEx's listener — with
 * WSA_OPERATION_ABORTED, like the other overlapped requests of a closed
 * socket.
 */
void
wsp_ext_abort(WspSocket *ws, bool notify)
{
    guint i = 0;

    while (ext_ops != NULL && i < ext_ops->len) {
        ExtOp *op = g_ptr_array_index(ext_ops, i);
        SimWorld *world = op->world;
        SimSocketId was = op->watch;

        if (op->ws != ws && op->ls != ws) {
            i++;
            continue;
        }
        g_ptr_array_remove_index(ext_ops, i);
        op_finish_full(op, WSA_OPERATION_ABORTED, 0, notify);
        unwatch(world, was);
    }
}
