/* SPDX-License-Identifier: MIT
 *
 * wsp-extension.c: the Microsoft extension functions WSPIoctl hands out
 * through SIO_GET_EXTENSION_FUNCTION_POINTER — AcceptEx, ConnectEx,
 * GetAcceptExSockaddrs, DisconnectEx, TransmitFile, TransmitPackets,
 * WSARecvMsg and WSASendMsg, Microsoft TCP/IP's eight (WSAEINVAL for any
 * other GUID).  WSARecvMsg and WSASendMsg are WSPRecvFrom's and
 * WSPSendTo's work on datagram sockets (wsp-io.c), overlapped ones
 * included (wsp-overlapped.c, completion routines too).  The others
 * complete through the overlapped machinery of REFERENCE 2.4: the
 * WSAOVERLAPPED fields are written as wsp-overlapped.c writes them
 * (Internal no longer WSS_OPERATION_IN_PROGRESS, InternalHigh = bytes,
 * OffsetHigh = error, Offset = 0) and hEvent is signalled through the
 * upcall table's WPUSetEvent, so WSPGetOverlappedResult reads them.  A
 * request that must wait is kept in a list of this file and progresses
 * from the transport notifications of the endpoint it watches: while one
 * waits, that endpoint's notify function is ext_notify, which passes every
 * notification to the provider's own (wsp_transport_notify) first.  A
 * request made without WSAOVERLAPPED runs the same steps in the caller,
 * waiting between them on a blocking socket in an actor.
 * Errors of the extension functions go to the calling simulated thread's
 * last error (WSASetLastError), as Windows' mswsock does; a call from
 * outside any actor has no thread, so its error is only traced.
 * TF_REUSE_SOCKET (DisconnectEx; TransmitFile and TransmitPackets with
 * TF_DISCONNECT) completes when the old connection is over — its TCB
 * CLOSED, so after TIME_WAIT on the side that closed first, as Microsoft
 * warns the call may be delayed — and the peer's data has been read
 * (TransmitFile's rule); the socket then gets a new endpoint
 * (wsp_socket_reuse): unbound after an accepted connection, for AcceptEx,
 * bound to the same local port after one it opened, for ConnectEx.
 * doc/spi-choices.md.
 */
#include "config.h"

#include <string.h>

#include "wsp-extension.h"

typedef enum {
    EXT_CONNECT,
    EXT_ACCEPT,
    EXT_DISCONNECT,
    EXT_TRANSMIT, /* TransmitFile, TransmitPackets */
} ExtKind;

/* Data to send, in order: ConnectEx's buffer, TransmitFile's head and
 * tail, TransmitPackets' memory elements.  The bytes stay the client's. */
typedef struct {
    const guint8 *data;
    size_t len;
    bool eop; /* TP_ELEMENT_EOP: a datagram ends after it */
} ExtChunk;

typedef struct {
    ExtKind kind;
    const char *fn;
    SimWorld *world;
    SimSocketId watch;          /* the endpoint whose notifications move it */
    WspSocket *ws;              /* (ref) the socket; AcceptEx: the accept socket */
    WspSocket *ls;              /* (ref, nullable) AcceptEx: the listener */
    LPWSAOVERLAPPED ov;         /* (nullable) NULL: run in the caller (op_run) */
    guint8 *buf;                /* AcceptEx: the client's output buffer */
    DWORD len;                  /* AcceptEx: dwReceiveDataLength */
    DWORD local_len, remote_len;
    ExtChunk *chunks;           /* (owned) what to send, @n_chunks of them */
    DWORD n_chunks, ci;         /* ... and the next one, @off bytes in */
    size_t off;
    size_t done;                /* bytes sent (AcceptEx: received) */
    DWORD tflags;               /* TransmitFile, TransmitPackets: TF_* */
    DWORD send_size;            /* TransmitPackets, datagrams: bytes per datagram, 0 = no limit */
    bool fin_sent;              /* DisconnectEx, TF_DISCONNECT: waiting for the FIN's ACK */
    bool reuse;                 /* TF_REUSE_SOCKET: a new endpoint once the connection is over */
    bool accepted;              /* AcceptEx: the connection is attached, now receiving */
} ExtOp;

/* Pending requests of every world, in posting order. */
static GPtrArray *ext_ops;

static void ext_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err,
                       void *data);

/* @err becomes the calling thread's last error.  Only simulated threads
 * have one: outside an actor ws2 would make its default world for it. */
static void
ext_error(WspCall *call, int err)
{
    int e = 0;

    wsp_call_fail(call, &e, err);
    if (call->world != NULL && call->actor != SIM_ID_NONE)
        WSASetLastError(err);
}

/* Failure of the BOOL functions (AcceptEx, ConnectEx, DisconnectEx,
 * TransmitFile, TransmitPackets)... */
static BOOL
ext_fail(WspCall *call, int err)
{
    ext_error(call, err);
    return FALSE;
}

/* ... and of the int ones (WSARecvMsg, WSASendMsg). */
static int
ext_fail_int(WspCall *call, int err)
{
    ext_error(call, err);
    return SOCKET_ERROR;
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

static void
op_free(ExtOp *op)
{
    if (op->reuse)
        op->ws->reusing = false;
    if (op->ls != NULL)
        wsp_socket_unref(op->ls);
    wsp_socket_unref(op->ws);
    g_free(op->chunks);
    g_free(op);
}

/* Write the result and, when @notify, signal the event; frees @op.  A
 * request without WSAOVERLAPPED (a TF_REUSE_SOCKET disconnect finishing
 * after a call that could not wait) only ends. */
static void
op_finish_full(ExtOp *op, int err, size_t bytes, bool notify)
{
    LPWSAOVERLAPPED ov = op->ov;
    WspSocket *ws = op->ws;
    int e = 0;

    if (err != 0)
        ext_note(ws, "%s complete: %s", op->fn, wsp_error_name(err));
    else
        ext_note(ws, "%s complete: %zu bytes", op->fn, bytes);
    if (ov != NULL) {
        ov->Offset = 0;
        ov->OffsetHigh = (DWORD) err;
        ov->InternalHigh = (ULONG_PTR) bytes;
        ov->Internal = (ULONG_PTR) (DWORD) err;
    }
    if (notify && ov != NULL && ov->hEvent != NULL &&
        !ws->proc->upcalls.lpWPUSetEvent(ov->hEvent, &e))
        ext_note(ws, "WPUSetEvent failed: %s", wsp_error_name(e));
    wake(ws);
    wake(op->ls);
    op_free(op);
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
    as->accepted = true;
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

/* Push the chunks not yet sent into the stream; TRUE once all of them are
 * in the send buffer, or on an error (*@err). */
static bool
op_push(ExtOp *op, int *err)
{
    WspSocket *ws = op->ws;

    while (op->ci < op->n_chunks) {
        const ExtChunk *c = &op->chunks[op->ci];
        SimStatus st;
        size_t n = 0;

        if (op->off == c->len) {
            op->ci++;
            op->off = 0;
            continue;
        }
        st = sim_tcp_send(op->world, ws->sock, c->data + op->off, c->len - op->off, 0, &n);
        if (st == SIM_E_WOULDBLOCK || (st == SIM_OK && n == 0))
            return false;
        if (st != SIM_OK) {
            *err = wsp_conn_error(ws, wsp_error_from_status(st), false);
            return true;
        }
        op->off += n;
        op->done += n;
    }
    return true;
}

/* One datagram of @dg's bytes to the peer, then @dg emptied. */
static int
dgram_flush(ExtOp *op, GByteArray *dg)
{
    WSABUF b = { dg->len, (char *) dg->data };
    int err = wsp_io_dgram_send(op->ws, &b, 1, dg->len, NULL);

    if (err == 0)
        op->done += dg->len;
    g_byte_array_set_size(dg, 0);
    return err;
}

/* TransmitPackets on a datagram socket: the chunks as datagrams, one ending
 * after each TP_ELEMENT_EOP element, after op->send_size bytes, and at the
 * end (empty ones are not sent).  Never waits. */
static int
dgram_transmit(ExtOp *op)
{
    GByteArray *dg = g_byte_array_new();
    int err = 0;

    for (DWORD i = 0; i < op->n_chunks && err == 0; i++) {
        const ExtChunk *c = &op->chunks[i];
        size_t off = 0;

        while (off < c->len && err == 0) {
            size_t n = c->len - off;

            if (op->send_size != 0)
                n = MIN(n, op->send_size - dg->len);
            g_byte_array_append(dg, c->data + off, (guint) n);
            off += n;
            if (op->send_size != 0 && dg->len == op->send_size)
                err = dgram_flush(op, dg);
        }
        if (err == 0 && (c->eop || i + 1 == op->n_chunks) && dg->len > 0)
            err = dgram_flush(op, dg);
    }
    g_byte_array_unref(dg);
    return err;
}

/* Watch for the end of the connection (TF_REUSE_SOCKET): our FIN is
 * already queued. */
static void
end_watch(ExtOp *op)
{
    op->fin_sent = true;
    if (op->reuse)
        sim_tcp_watch_ended(op->world, op->ws->sock);
}

/* DisconnectEx, TF_DISCONNECT: queue the FIN and watch for its ACK. */
static int
fin_start(ExtOp *op)
{
    WspSocket *ws = op->ws;
    int err = wsp_socket_shutdown(ws, SD_SEND, true);

    if (err != 0)
        return err;
    ws->events_seen &= ~(guint32) SIM_TCP_EV_ACKED;
    sim_tcp_watch_acked(op->world, ws->sock);
    end_watch(op);
    return 0;
}

/* Everything sent, the FIN too, is acknowledged, or the connection is gone. */
static bool
fin_done(ExtOp *op)
{
    WspSocket *ws = op->ws;
    SimTcpState state = SIM_TCP_CLOSED;

    if ((ws->events_seen & SIM_TCP_EV_ACKED) != 0)
        return true;
    if (ws->transport_gone || ws->sock == 0)
        return true; /* the connection is gone: nothing left to disconnect */
    return sim_tcp_get_state(op->world, ws->sock, &state) == SIM_OK &&
           (state == SIM_TCP_CLOSED || state == SIM_TCP_TIME_WAIT || state == SIM_TCP_FIN_WAIT_2);
}

/* TF_REUSE_SOCKET: done once the connection is over — the TCB CLOSED, so
 * after TIME_WAIT when we closed first (Microsoft: the disconnect "may be
 * subject to the TCP TIME_WAIT state, causing the call to be delayed";
 * the port is free again for a reused ConnectEx) and only after the peer's
 * FIN (TransmitFile: "the remote side has closed the connection") — and
 * once everything the peer sent has been read (TransmitFile: "all pending
 * receive data ... has been read").  Then the socket is reused (*@err). */
static bool
reuse_step(ExtOp *op, int *err)
{
    WspSocket *ws = op->ws;
    SimTcpState state = SIM_TCP_CLOSED;
    size_t unread = 0;

    if (!ws->transport_gone && ws->sock != 0 &&
        sim_tcp_get_state(op->world, ws->sock, &state) == SIM_OK &&
        (state != SIM_TCP_CLOSED ||
         (sim_tcp_readable_bytes(op->world, ws->sock, &unread) == SIM_OK && unread > 0)))
        return false;
    ws->reusing = false;
    *err = wsp_socket_reuse(ws);
    ext_note(ws, "%s: socket reused, %s", op->fn, ws->bound ? "still bound" : "unbound");
    return true;
}

/* DisconnectEx and TF_DISCONNECT, once the FIN is queued. */
static bool
fin_step(ExtOp *op, int *err)
{
    return op->reuse ? reuse_step(op, err) : fin_done(op);
}

/* TransmitFile, TransmitPackets: the data after any overlapped send posted
 * before, then with TF_DISCONNECT the FIN, complete once acknowledged. */
static bool
transmit_step(ExtOp *op, int *err)
{
    WspSocket *ws = op->ws;

    if (!ws->stream) {
        *err = dgram_transmit(op);
        return true;
    }
    if (!op->fin_sent) {
        if (ws->transport_gone || ws->sock == 0) {
            *err = wsp_conn_error(ws, wsp_gone_error(ws), false);
            return true;
        }
        if (!g_queue_is_empty(&ws->ov_sends) || !op_push(op, err))
            return false;
        if (*err != 0 || !(op->tflags & TF_DISCONNECT))
            return true;
        *err = fin_start(op);
        if (*err != 0)
            return true;
    }
    return fin_step(op, err);
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
        if (!op_push(op, err))
            return false;
        *bytes = *err == 0 ? op->done : 0;
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
        return fin_step(op, err);
    case EXT_TRANSMIT:
        if (!transmit_step(op, err))
            return false;
        *bytes = *err == 0 ? op->done : 0;
        return true;
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

/* @op waits: it progresses from @sock's notifications (or, once set,
 * op->watch's). */
static void
op_queue(ExtOp *op, SimSocketId sock)
{
    if (ext_ops == NULL)
        ext_ops = g_ptr_array_new();
    if (op->watch == 0)
        op->watch = sock;
    g_ptr_array_add(ext_ops, op);
    watch(op, op->watch);
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
            op_free(op);
            return ext_fail(call, err);
        }
        if (out_bytes != NULL)
            *out_bytes = (DWORD) bytes;
        wsp_call_end(call, "TRUE (%zu bytes, completion issued)", bytes);
        op_finish(op, 0, bytes);
        return TRUE;
    }
    op_queue(op, sock);
    return ext_fail(call, WSA_IO_PENDING);
}

/* Run @op (made without WSAOVERLAPPED) in the caller, to its end: a
 * blocking socket in an actor waits between the steps, for send space and
 * then for the FIN's ACK (TF_REUSE_SOCKET: for the end of the connection).
 * A call that cannot wait returns once the FIN is queued — a reuse then
 * goes on without it, the socket reusable when it is done — and fails with
 * WSAEWOULDBLOCK before it.  Consumes @op. */
static int
op_run(WspCall *call, ExtOp *op, size_t *out_bytes)
{
    WspSocket *ws = op->ws;
    int err;

    while (!op_step(op, &err, out_bytes)) {
        if (ws->nonblocking || call->actor == SIM_ID_NONE) {
            *out_bytes = op->done;
            if (!op->fin_sent) {
                op_free(op);
                return WSAEWOULDBLOCK;
            }
            if (op->reuse)
                op_queue(op, ws->sock);
            else
                op_free(op);
            return 0;
        }
        err = wsp_wait(call, ws, op->fin_sent ? &ws->cq : &ws->wq, SIM_TIME_INFINITE);
        if (err != 0) {
            op_free(op);
            return err;
        }
    }
    op_free(op);
    return err;
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
    if (as->bound || as->listening || as->connecting || as->reusing || accept_pending(as) ||
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
    op->chunks = g_new(ExtChunk, 1);
    op->chunks[0] = (ExtChunk){ lpSendBuffer, dwSendDataLength, false };
    op->n_chunks = dwSendDataLength > 0 ? 1 : 0;
    return op_post(&call, op, ws->sock, lpdwBytesSent);
}

/* ---- DisconnectEx --------------------------------------------------------- */

/* A graceful disconnect: WSPSendDisconnect's FIN, complete once everything
 * sent (the FIN too) is acknowledged.  TF_REUSE_SOCKET: complete once the
 * connection is over (reuse_step), the socket then reusable; it may follow
 * a FIN already sent (Microsoft: WSAENOTCONN "if the socket was in the
 * transmit closing state from a previous request and the dwFlags parameter
 * was not set to TF_REUSE_SOCKET"). */
static BOOL PASCAL
ext_disconnect_ex(SOCKET s, LPOVERLAPPED lpOverlapped, DWORD dwFlags, DWORD dwReserved)
{
    SimTcpState state = SIM_TCP_CLOSED;
    WspCall call;
    WspSocket *ws;
    ExtOp *op;
    size_t bytes = 0;
    bool reuse = (dwFlags & TF_REUSE_SOCKET) != 0;
    int err;

    if (!wsp_call_begin(&call, "DisconnectEx", &err))
        return ext_fail(&call, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, flags 0x%x%s", (guint64) s,
                  (unsigned) dwFlags, lpOverlapped != NULL ? ", overlapped" : "");
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL)
        return ext_fail(&call, WSAENOTSOCK);
    if (dwReserved != 0 || (dwFlags & ~(DWORD) TF_REUSE_SOCKET) != 0)
        return ext_fail(&call, WSAEINVAL);
    if (!ws->stream)
        return ext_fail(&call, WSAEOPNOTSUPP);
    if (lpOverlapped != NULL && !(ws->flags & WSA_FLAG_OVERLAPPED))
        return ext_fail(&call, WSAEINVAL); /* choice 2 */
    if (reuse && ws->reusing)
        return ext_fail(&call, WSAEINVAL); /* a reuse is under way already */
    if (ws->transport_gone || ws->sock == 0 ||
        sim_tcp_get_state(call.world, ws->sock, &state) != SIM_OK ||
        (!(reuse && ws->shut_send) && (ws->shut_send || !sim_tcp_state_is_synchronized(state))))
        return ext_fail(&call, WSAENOTCONN);
    op = op_new(EXT_DISCONNECT, "DisconnectEx", ws, NULL, lpOverlapped);
    op->reuse = ws->reusing = reuse;
    if (ws->shut_send) {
        end_watch(op); /* the FIN went before */
    } else {
        err = fin_start(op);
        if (err != 0) {
            op_free(op);
            return ext_fail(&call, err);
        }
    }
    if (lpOverlapped != NULL)
        return op_post(&call, op, ws->sock, NULL);
    /* Not overlapped: a blocking socket in an actor waits for the outcome. */
    err = op_run(&call, op, &bytes);
    if (err != 0)
        return ext_fail(&call, err);
    wsp_call_end(&call, "TRUE");
    return TRUE;
}

/* ---- TransmitFile, TransmitPackets ------------------------------------------ */

#define TF_KNOWN (TF_DISCONNECT | TF_REUSE_SOCKET | TF_WRITE_BEHIND | TF_USE_SYSTEM_THREAD | \
                  TF_USE_KERNEL_APC)
/* The most one call may send (Microsoft: "the maximum value for a 32-bit
 * integer minus 1"). */
#define TRANSMIT_MAX 2147483646u

/* A TransmitFile or TransmitPackets call, its arguments checked for
 * pointers only. */
typedef struct {
    const char *fn;
    GArray *chunks;     /* (owned) of ExtChunk: the memory data in order */
    guint64 claimed;    /* bytes the call asks to send, files included */
    bool file;          /* a file handle or element: there are no files here */
    bool bad_element;   /* TransmitPackets: an element's flags are wrong */
    bool stream_only;   /* TransmitFile */
    DWORD send_size;    /* TransmitPackets, datagrams: bytes per datagram, 0 = no limit */
    DWORD flags;        /* TF_* */
    LPOVERLAPPED ov;
} ExtTransmit;

/* The checks both share: the connection first (Wine's tests see
 * WSAENOTCONN on an unconnected socket whatever the flags or the socket
 * type), then the arguments.  0 or the WSA code. */
static int
transmit_check(WspCall *call, WspSocket *ws, const ExtTransmit *t)
{
    SimStatus st;

    if (t->ov != NULL && !(ws->flags & WSA_FLAG_OVERLAPPED))
        return WSAEINVAL; /* choice 2 */
    if (ws->transport_gone)
        return wsp_conn_error(ws, wsp_gone_error(ws), false);
    if (ws->sock == 0 || (!ws->stream && !sim_udp_is_connected(call->world, ws->sock)))
        return WSAENOTCONN;
    if (ws->shut_send)
        return WSAESHUTDOWN;
    if (ws->stream) {
        /* Sending nothing tells whether a stream can send: not connected
         * (yet), shut down, or the connection's error (a reset...). */
        st = sim_tcp_send(call->world, ws->sock, NULL, 0, 0, NULL);
        if (st != SIM_OK)
            return wsp_conn_error(ws, wsp_error_from_status(st), false);
    }
    if (t->stream_only && !ws->stream)
        return WSAEINVAL; /* TransmitFile: SOCK_DGRAM */
    if ((t->flags & ~(DWORD) TF_KNOWN) != 0 || t->bad_element || t->claimed > TRANSMIT_MAX ||
        ((t->flags & TF_REUSE_SOCKET) && !(t->flags & TF_DISCONNECT)) ||
        ((t->flags & TF_DISCONNECT) && !ws->stream))
        return WSAEINVAL;
    if (t->file)
        return WSAENOTSOCK; /* Windows' answer to an invalid file handle: doc/spi-choices.md */
    return 0;
}

/* Check and run @t: overlapped, or in the caller (op_run), which on a
 * socket that cannot wait sends all of a stream's data or nothing. */
static BOOL
transmit(WspCall *call, WspSocket *ws, ExtTransmit *t)
{
    size_t bytes = 0, space = 0, total = 0;
    ExtOp *op;
    int err = transmit_check(call, ws, t);

    if (err != 0) {
        g_array_unref(t->chunks);
        return ext_fail(call, err);
    }
    op = op_new(EXT_TRANSMIT, t->fn, ws, NULL, t->ov);
    op->reuse = ws->reusing = (t->flags & TF_REUSE_SOCKET) != 0; /* with TF_DISCONNECT */
    op->n_chunks = t->chunks->len;
    op->chunks = (ExtChunk *) (void *) g_array_free(t->chunks, FALSE);
    op->tflags = t->flags;
    op->send_size = t->send_size;
    for (DWORD i = 0; i < op->n_chunks; i++)
        total += op->chunks[i].len;
    if (t->ov != NULL) {
        wsp_events_after_send(ws, 0); /* re-enables FD_WRITE (REFERENCE 2.5) */
        return op_post(call, op, ws->sock, NULL);
    }
    if (ws->stream && (ws->nonblocking || call->actor == SIM_ID_NONE) &&
        (!g_queue_is_empty(&ws->ov_sends) ||
         sim_tcp_send_space(call->world, ws->sock, &space) != SIM_OK || space < total)) {
        op_free(op);
        err = WSAEWOULDBLOCK;
    } else {
        err = op_run(call, op, &bytes);
    }
    wsp_events_after_send(ws, err); /* re-enables FD_WRITE (REFERENCE 2.5) */
    if (err != 0)
        return ext_fail(call, err);
    wsp_call_end(call, "TRUE (%zu bytes)", bytes);
    return TRUE;
}

static void
chunk_add(ExtTransmit *t, const void *data, DWORD len, bool eop)
{
    ExtChunk c = { data, len, eop };

    if (len > 0 || eop)
        g_array_append_val(t->chunks, c);
    t->claimed += len;
}

/* Sends @lpTransmitBuffers' head and tail; a file handle (there is no file
 * system) is what Windows answers for an invalid one.  @dwReserved holds
 * the TF_* flags; @nNumberOfBytesPerSend is ignored. */
static BOOL PASCAL
ext_transmit_file(SOCKET hSocket, HANDLE hFile, DWORD nNumberOfBytesToWrite,
                  DWORD nNumberOfBytesPerSend, LPOVERLAPPED lpOverlapped,
                  LPTRANSMIT_FILE_BUFFERS lpTransmitBuffers, DWORD dwReserved)
{
    ExtTransmit t = { .fn = "TransmitFile", .stream_only = true };
    LPTRANSMIT_FILE_BUFFERS b = lpTransmitBuffers;
    WspCall call;
    WspSocket *ws;
    int err;

    (void) nNumberOfBytesPerSend;
    if (!wsp_call_begin(&call, t.fn, &err))
        return ext_fail(&call, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %sfile, head %u, tail %u, flags 0x%x%s",
                  (guint64) hSocket, hFile != NULL ? "" : "no ",
                  b != NULL ? (unsigned) b->HeadLength : 0, b != NULL ? (unsigned) b->TailLength : 0,
                  (unsigned) dwReserved, lpOverlapped != NULL ? ", overlapped" : "");
    ws = wsp_handle_lookup(&call, hSocket);
    if (ws == NULL)
        return ext_fail(&call, WSAENOTSOCK);
    if (b != NULL && ((b->Head == NULL && b->HeadLength > 0) ||
                      (b->Tail == NULL && b->TailLength > 0)))
        return ext_fail(&call, WSAEFAULT);
    t.chunks = g_array_new(FALSE, FALSE, sizeof(ExtChunk));
    t.file = hFile != NULL;
    t.claimed = t.file ? nNumberOfBytesToWrite : 0;
    if (b != NULL) {
        chunk_add(&t, b->Head, b->HeadLength, false);
        chunk_add(&t, b->Tail, b->TailLength, false);
    }
    t.flags = dwReserved;
    t.ov = lpOverlapped;
    return transmit(&call, ws, &t);
}

/* Sends the memory elements in order; on a datagram socket, one datagram
 * per TP_ELEMENT_EOP, per @nSendSize bytes (0: the largest datagram,
 * 0xFFFFFFFF: no limit) and at the end.  A file element is what Windows
 * answers for an invalid file handle. */
static BOOL PASCAL
ext_transmit_packets(SOCKET hSocket, LPTRANSMIT_PACKETS_ELEMENT lpPacketArray,
                     DWORD nElementCount, DWORD nSendSize, LPOVERLAPPED lpOverlapped,
                     DWORD dwFlags)
{
    ExtTransmit t = { .fn = "TransmitPackets" };
    WspCall call;
    WspSocket *ws;
    int err;

    if (!wsp_call_begin(&call, t.fn, &err))
        return ext_fail(&call, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %u elements, flags 0x%x%s",
                  (guint64) hSocket, (unsigned) nElementCount, (unsigned) dwFlags,
                  lpOverlapped != NULL ? ", overlapped" : "");
    ws = wsp_handle_lookup(&call, hSocket);
    if (ws == NULL)
        return ext_fail(&call, WSAENOTSOCK);
    if (lpPacketArray == NULL && nElementCount > 0)
        return ext_fail(&call, WSAEFAULT);
    t.chunks = g_array_new(FALSE, FALSE, sizeof(ExtChunk));
    for (DWORD i = 0; i < nElementCount; i++) {
        const TRANSMIT_PACKETS_ELEMENT *e = &lpPacketArray[i];
        DWORD kind = e->dwElFlags & (TP_ELEMENT_MEMORY | TP_ELEMENT_FILE);

        if ((e->dwElFlags & ~(DWORD) (TP_ELEMENT_MEMORY | TP_ELEMENT_FILE | TP_ELEMENT_EOP)) != 0 ||
            kind == 0 || kind == (TP_ELEMENT_MEMORY | TP_ELEMENT_FILE)) {
            t.bad_element = true;
        } else if (kind == TP_ELEMENT_FILE) {
            t.file = true;
            t.claimed += e->cLength;
        } else if (e->pBuffer == NULL && e->cLength > 0) {
            g_array_unref(t.chunks);
            return ext_fail(&call, WSAEFAULT);
        } else {
            chunk_add(&t, e->pBuffer, e->cLength, (e->dwElFlags & TP_ELEMENT_EOP) != 0);
        }
    }
    t.send_size = nSendSize == 0 ? ws->proto->dwMessageSize : nSendSize == 0xFFFFFFFF ? 0 : nSendSize;
    t.flags = dwFlags;
    t.ov = lpOverlapped;
    return transmit(&call, ws, &t);
}

/* ---- WSARecvMsg, WSASendMsg ------------------------------------------------- */

/* Both are wsp-io.c's work (wsp_io_recvmsg, wsp_io_sendmsg): datagram
 * sockets only.  @send: WSASendMsg, with @flags. */
static int
msg_call(const char *fn, bool send, SOCKET s, LPWSAMSG msg, DWORD flags, LPDWORD bytes,
         LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr)
{
    WspCall call;
    WspSocket *ws;
    int err;

    if (!wsp_call_begin(&call, fn, &err))
        return ext_fail_int(&call, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL)
        return ext_fail_int(&call, WSAENOTSOCK);
    wsp_socket_ref(ws); /* held across a blocking wait, as in WSPRecv */
    err = send ? wsp_io_sendmsg(&call, ws, msg, flags, bytes, ov, cr)
               : wsp_io_recvmsg(&call, ws, msg, bytes, ov, cr);
    wsp_socket_unref(ws);
    if (err != 0)
        return ext_fail_int(&call, err);
    return 0;
}

static INT PASCAL
ext_wsa_recv_msg(SOCKET s, LPWSAMSG lpMsg, LPDWORD lpdwNumberOfBytesRecvd,
                 LPWSAOVERLAPPED lpOverlapped,
                 LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    return msg_call("WSARecvMsg", false, s, lpMsg, 0, lpdwNumberOfBytesRecvd, lpOverlapped,
                    lpCompletionRoutine);
}

static INT PASCAL
ext_wsa_send_msg(SOCKET s, LPWSAMSG lpMsg, DWORD dwFlags, LPDWORD lpNumberOfBytesSent,
                 LPWSAOVERLAPPED lpOverlapped,
                 LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    return msg_call("WSASendMsg", true, s, lpMsg, dwFlags, lpNumberOfBytesSent, lpOverlapped,
                    lpCompletionRoutine);
}

/* The function pointers handed out, one type each. */
typedef union {
    LPFN_ACCEPTEX accept;
    LPFN_CONNECTEX connect;
    LPFN_GETACCEPTEXSOCKADDRS sockaddrs;
    LPFN_DISCONNECTEX disconnect;
    LPFN_TRANSMITFILE transmit_file;
    LPFN_TRANSMITPACKETS transmit_packets;
    LPFN_WSARECVMSG recv_msg;
    LPFN_WSASENDMSG send_msg;
} ExtFn;

static const struct {
    GUID id;
    ExtFn fn;
} ext_fns[] = {
    { WSAID_ACCEPTEX, { .accept = ext_accept_ex } },
    { WSAID_CONNECTEX, { .connect = ext_connect_ex } },
    { WSAID_GETACCEPTEXSOCKADDRS, { .sockaddrs = ext_get_accept_ex_sockaddrs } },
    { WSAID_DISCONNECTEX, { .disconnect = ext_disconnect_ex } },
    { WSAID_TRANSMITFILE, { .transmit_file = ext_transmit_file } },
    { WSAID_TRANSMITPACKETS, { .transmit_packets = ext_transmit_packets } },
    { WSAID_WSARECVMSG, { .recv_msg = ext_wsa_recv_msg } },
    { WSAID_WSASENDMSG, { .send_msg = ext_wsa_send_msg } },
};

int
wsp_ext_ioctl(const void *in, DWORD cbin, void *out, DWORD cbout, DWORD *ret)
{
    GUID id;

    G_STATIC_ASSERT(sizeof(ExtFn) == sizeof(void *));
    if (in == NULL || cbin < sizeof(GUID) || out == NULL || cbout < sizeof(void *))
        return WSAEFAULT;
    memcpy(&id, in, sizeof id);
    for (size_t i = 0; i < G_N_ELEMENTS(ext_fns); i++) {
        if (memcmp(&id, &ext_fns[i].id, sizeof id) == 0) {
            memcpy(out, &ext_fns[i].fn, sizeof(void *));
            *ret = sizeof(void *);
            return 0;
        }
    }
    return WSAEINVAL; /* not one of Microsoft TCP/IP's eight */
}

/**
 * wsp_ext_abort:
 * @ws: a socket being closed (or released at cleanup)
 * @notify: perform the completion action (WSPCloseSocket) or not (final
 *   WSPCleanup, teardown: REFERENCE choice 4)
 *
 * Ends every pending extension request on @ws — as the connecting,
 * disconnecting, transmitting or accept socket, or as AcceptEx's listener —
 * with WSA_OPERATION_ABORTED, like the other overlapped requests of a
 * closed socket (pending WSARecvMsg/WSASendMsg are wsp-overlapped.c's).
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

void
wsp_ext_world_free(SimWorld *world)
{
    guint i = 0;

    while (ext_ops != NULL && i < ext_ops->len) {
        ExtOp *op = g_ptr_array_index(ext_ops, i);

        if (op->world != world) {
            i++;
            continue;
        }
        g_ptr_array_remove_index(ext_ops, i);
        op_free(op);
    }
}

/* After the receive that took the data: a blocking DisconnectEx looks
 * again, and so do the requests watching the endpoint. */
static void
ext_recheck_event(SimWorld *world, void *data)
{
    SimSocketId sock = GPOINTER_TO_UINT(data);
    WspSocket *ws = wsp_socket_by_sock(world, sock);

    if (ws == NULL || ws->closed)
        return;
    sim_waitq_wake_all(world, &ws->cq);
    if (watched(world, sock))
        ext_progress(world, sock);
}

void
wsp_ext_after_recv(WspSocket *ws)
{
    if (ws->reusing && ws->sock != 0)
        sim_event_schedule(ws->world, 0, ext_recheck_event, GUINT_TO_POINTER(ws->sock));
}
