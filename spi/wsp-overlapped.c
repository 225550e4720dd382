/* SPDX-License-Identifier: MIT
 *
 * wsp-overlapped.c: overlapped WSPSend, WSPSendTo, WSPRecv, WSPRecvFrom and
 * WSPIoctl, and WSPGetOverlappedResult (REFERENCE 2.4, choices 1-7).
 * A request that cannot finish at once joins the socket's queue of its
 * kind; queues are served head first whenever the transport reports
 * progress, so posted receives are filled, and posted sends transmitted, in
 * posting order.  Completion writes the WSAOVERLAPPED fields (Offset =
 * flags, OffsetHigh = error, InternalHigh = bytes, Internal no longer
 * WSS_OPERATION_IN_PROGRESS) and then either signals hEvent through the
 * upcall table's WPUSetEvent — what WPUCompleteOverlappedRequest does — or
 * queues the completion routine with WPUQueueApc to the issuing thread.
 * doc/notification.md.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"
#include "wsp-extension.h"

typedef enum {
    OV_RECV,
    OV_SEND,
    OV_IOCTL,
} OvKind;

typedef struct {
    OvKind kind;
    const char *fn;
    SOCKET handle;
    LPWSAOVERLAPPED ov;
    LPWSAOVERLAPPED_COMPLETION_ROUTINE cr;
    WSATHREADID tid;           /* copied (REFERENCE 2.4) */
    WSABUF *bufs;              /* the array copied; the data stays the client's */
    DWORD count;
    size_t total;
    DWORD flags;               /* send: dwFlags; receive: *lpFlags on input */
    struct sockaddr *from;     /* WSPRecvFrom, WSARecvMsg: written at completion */
    LPINT fromlen;
    LPWSAMSG msg;              /* WSARecvMsg: dwFlags and Control.len written at completion */
    size_t done;               /* bytes moved so far */
    DWORD bi;                  /* send: current buffer and offset in it */
    size_t off;
} WspOvOp;

/* What the APC trampoline unpacks (REFERENCE 2.4). */
typedef struct {
    LPWSAOVERLAPPED_COMPLETION_ROUTINE fn;
    DWORD err, bytes, flags;
    LPWSAOVERLAPPED ov;
    SOCKET handle;
} WspOvApc;

static void
op_free(WspOvOp *op)
{
    g_free(op->bufs);
    g_free(op);
}

static void
ov_note(WspSocket *ws, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
ov_note(WspSocket *ws, const char *fmt, ...)
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

static void CALLBACK
ov_apc(DWORD_PTR context)
{
    WspOvApc a = *(WspOvApc *) context;
    SimWorld *world = sim_world_current();

    g_free((void *) context);
    if (world != NULL && sim_trace_enabled(world)) {
        SimActorId actor = sim_actor_current(world);

        sim_trace_textf(world, SIM_TR_NOTE,
                        actor != SIM_ID_NONE
                            ? sim_process_node(world, sim_actor_process(world, actor))
                            : SIM_ID_NONE,
                        actor, "overlapped",
                        "s=0x%" G_GINT64_MODIFIER "x completion routine(%s, %u bytes, flags 0x%x)",
                        (guint64) a.handle, a.err != 0 ? wsp_error_name((int) a.err) : "0",
                        (unsigned) a.bytes, (unsigned) a.flags);
    }
    a.fn(a.err, a.bytes, a.ov, a.flags);
}

/* Complete @op: fields, then the completion action unless @notify is
 * FALSE (final WSPCleanup: choice 4).  Frees @op. */
static void
op_finish(WspSocket *ws, WspOvOp *op, int err, size_t bytes, DWORD flags, bool notify)
{
    LPWSAOVERLAPPED ov = op->ov;
    int e = 0;

    ov->Offset = flags;
    ov->OffsetHigh = (DWORD) err;
    ov->InternalHigh = (ULONG_PTR) bytes;
    ov->Internal = (ULONG_PTR) (DWORD) err; /* anything but WSS_OPERATION_IN_PROGRESS */
    if (err != 0)
        ov_note(ws, "%s complete: %s%s", op->fn, wsp_error_name(err),
                notify ? "" : " (no notification)");
    else
        ov_note(ws, "%s complete: %zu bytes%s", op->fn, bytes,
                (flags & MSG_PARTIAL) ? " MSG_PARTIAL" : "");
    if (notify && op->cr != NULL) {
        WspOvApc *a = g_new(WspOvApc, 1);

        a->fn = op->cr;
        a->err = (DWORD) err;
        a->bytes = (DWORD) bytes;
        a->flags = flags;
        a->ov = ov;
        a->handle = op->handle;
        if (ws->proc->upcalls.lpWPUQueueApc(&op->tid, ov_apc, (DWORD_PTR) a, &e) != 0) {
            g_free(a);
            ov_note(ws, "WPUQueueApc failed: %s", wsp_error_name(e));
        }
    } else if (notify && ov->hEvent != NULL) {
        if (!ws->proc->upcalls.lpWPUSetEvent(ov->hEvent, &e))
            ov_note(ws, "WPUSetEvent failed: %s", wsp_error_name(e));
    }
    if (notify && !ws->closed) {
        /* WSPGetOverlappedResult waiters re-check. */
        sim_waitq_wake_all(ws->world, &ws->rq);
        sim_waitq_wake_all(ws->world, &ws->wq);
    }
    op_free(op);
}

/* Copy @len bytes of @src into the buffers, starting @skip bytes in. */
static void
scatter(const WSABUF *bufs, DWORD count, size_t skip, const guint8 *src, size_t len)
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

/* ---- Receive ------------------------------------------------------------- */

/* One attempt; FALSE while it must wait.  On TRUE *@err, *@flags set and
 * op->done holds the byte count. */
static bool
try_recv(WspSocket *ws, WspOvOp *op, int *err, DWORD *flags)
{
    size_t want = op->total - op->done;
    guint8 *tmp;
    SimStatus st;
    size_t n = 0;

    *err = 0;
    *flags = 0;
    if (ws->transport_gone) {
        *err = wsp_gone_error(ws);
        return true;
    }
    if (ws->sock == 0) {
        *err = WSAENOTCONN;
        return true;
    }
    if (ws->shut_recv && !ws->stream) {
        *err = WSAESHUTDOWN;
        return true;
    }
    tmp = g_malloc(MAX(want, (size_t) 1));
    if (ws->stream) {
        guint tflags = (op->flags & MSG_OOB) ? SIM_TCP_RECV_OOB : 0;

        for (;;) {
            st = sim_tcp_recv(ws->world, ws->sock, tmp, want, tflags, &n);
            if (st != SIM_OK || n == 0)
                break;
            scatter(op->bufs, op->count, op->done, tmp, n);
            op->done += n;
            want -= n;
            if (want == 0 || (op->flags & MSG_OOB))
                break;
        }
        g_free(tmp);
        if (op->done > 0)
            wsp_ext_after_recv(ws); /* TF_REUSE_SOCKET waits for the data to be read */
        if (st == SIM_E_WOULDBLOCK) {
            /* Byte stream: complete with what came, unless MSG_WAITALL. */
            return op->done > 0 && !(op->flags & MSG_WAITALL);
        }
        if (st != SIM_OK && op->done == 0)
            *err = wsp_error_from_status(st);
        return true; /* data, end of stream (0 bytes) or the error */
    } else {
        SimUdpMsgInfo info;

        memset(&info, 0, sizeof info);
        st = sim_udp_recvmsg(ws->world, ws->sock, tmp, MAX(want, (size_t) 1), 0, &info);
        if (st == SIM_E_WOULDBLOCK) {
            g_free(tmp);
            return false;
        }
        if (st == SIM_OK) {
            n = MIN(info.len, want);
            scatter(op->bufs, op->count, 0, tmp, n);
            op->done = n;
            if (info.truncated) {
                /* Unreliable message protocol: the head, the rest gone
                 * (REFERENCE 2.7); MSG_PARTIAL tells the completion so. */
                *err = WSAEMSGSIZE;
                *flags = MSG_PARTIAL;
            }
            if (op->from != NULL)
                wsp_sockaddr_out(&info.from, op->from, op->fromlen);
            if (op->msg != NULL) {
                /* WSARecvMsg: its flags, in the header and the completion. */
                *flags = op->msg->dwFlags = wsp_io_msg_flags(&info);
                op->msg->Control.len = 0;
            }
        } else {
            *err = wsp_error_from_status(st);
        }
        g_free(tmp);
        return true;
    }
}

/* ---- Send ---------------------------------------------------------------- */

/* Push what fits; FALSE while buffers remain.  Stream sockets only. */
static bool
try_send(WspSocket *ws, WspOvOp *op, int *err)
{
    SimStatus st = SIM_OK;

    *err = 0;
    if (ws->transport_gone) {
        *err = wsp_gone_error(ws);
        return true;
    }
    if (ws->sock == 0) {
        *err = WSAENOTCONN;
        return true;
    }
    if (op->total == 0) {
        st = sim_tcp_send(ws->world, ws->sock, NULL, 0, 0, NULL);
        *err = st == SIM_OK ? 0 : wsp_error_from_status(st);
        return true;
    }
    while (op->bi < op->count) {
        bool last = op->bi + 1 == op->count;
        size_t n = 0;

        if (op->off == op->bufs[op->bi].len) {
            op->bi++;
            op->off = 0;
            continue;
        }
        st = sim_tcp_send(ws->world, ws->sock, op->bufs[op->bi].buf + op->off,
                          op->bufs[op->bi].len - op->off,
                          (last && (op->flags & MSG_OOB)) ? SIM_TCP_SEND_OOB : 0, &n);
        if (st != SIM_OK)
            break;
        op->done += n;
        op->off += n;
        if (op->off < op->bufs[op->bi].len)
            return false; /* the send buffer is full */
    }
    if (op->done == op->total)
        return true;
    if (st == SIM_E_WOULDBLOCK)
        return false;
    *err = wsp_error_from_status(st);
    return true;
}

/* Serve the heads of the socket's queues while they can finish: called for
 * every transport notification (before FD_* events, so data goes to posted
 * receives first). */
static void
ov_pump(WspSocket *ws)
{
    WspOvOp *op;
    DWORD flags;
    int err;

    while (!ws->closed && (op = g_queue_peek_head(&ws->ov_recvs)) != NULL &&
           try_recv(ws, op, &err, &flags)) {
        g_queue_pop_head(&ws->ov_recvs);
        op_finish(ws, op, err, err != 0 && err != WSAEMSGSIZE ? 0 : op->done, flags, true);
    }
    while (!ws->closed && (op = g_queue_peek_head(&ws->ov_sends)) != NULL &&
           try_send(ws, op, &err)) {
        g_queue_pop_head(&ws->ov_sends);
        op_finish(ws, op, err, err != 0 ? 0 : op->done, 0, true);
    }
}

void
wsp_ov_pump(WspSocket *ws)
{
    if (!g_queue_is_empty(&ws->ov_recvs) || !g_queue_is_empty(&ws->ov_sends))
        ov_pump(ws);
}

/* ---- Posting ------------------------------------------------------------- */

/* Common checks and the request record; NULL and *@err on failure. */
static WspOvOp *
op_new(WspCall *call, WspSocket *ws, OvKind kind, LPWSABUF bufs, DWORD count,
       LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid, int *err)
{
    WspOvOp *op;

    *err = 0;
    if (ov == NULL) {
        *err = WSAEFAULT; /* a completion routine alone has nothing to complete */
        return NULL;
    }
    op = g_new0(WspOvOp, 1);
    op->kind = kind;
    op->fn = call->fn;
    op->handle = ws->handle;
    op->ov = ov;
    op->cr = cr;
    if (cr != NULL) {
        int e = 0;

        if (tid != NULL)
            op->tid = *tid;
        else if (ws->proc->upcalls.lpWPUOpenCurrentThread(&op->tid, &e) != 0) {
            g_free(op);
            *err = WSAEINVAL; /* no thread to run the routine on */
            return NULL;
        }
    }
    if (count > 0 && bufs != NULL) {
        op->bufs = g_memdup2(bufs, sizeof(WSABUF) * count);
        op->count = count;
        for (DWORD i = 0; i < count; i++)
            op->total += bufs[i].len;
    }
    /* Started: in progress, event not signalled (REFERENCE 2.4). */
    ov->Internal = WSS_OPERATION_IN_PROGRESS;
    ov->InternalHigh = 0;
    if (cr == NULL && ov->hEvent != NULL) {
        int e = 0;

        call->proc->upcalls.lpWPUResetEvent(ov->hEvent, &e);
    }
    return op;
}

/**
 * wsp_ov_recv:
 *
 * An overlapped WSPRecv/WSPRecvFrom.  Completes at once (returns 0, fills
 * *@out_got and *@lpFlags, and performs the completion action: choice 1)
 * when no earlier receive is pending and data, end of stream or an error
 * is there; otherwise queues and returns WSA_IO_PENDING.  MSG_PEEK is
 * WSAEINVAL (choice 6).  A stream receive completes with what is buffered
 * (all of the buffers with MSG_WAITALL); a datagram receive takes one
 * message (WSAEMSGSIZE + MSG_PARTIAL when it is cut; for WSARecvMsg, @msg,
 * the flags are its MSG_TRUNC, MSG_BCAST, MSG_MCAST, written to
 * @msg->dwFlags too).
 */
int
wsp_ov_recv(WspCall *call, WspSocket *ws, LPWSABUF bufs, DWORD count, LPDWORD lpFlags,
            struct sockaddr *from, LPINT fromlen, LPWSAMSG msg, LPDWORD out_got,
            LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid)
{
    WspOvOp *op;
    DWORD flags = 0;
    int err;

    if (*lpFlags & MSG_PEEK)
        return WSAEINVAL;
    op = op_new(call, ws, OV_RECV, bufs, count, ov, cr, tid, &err);
    if (op == NULL)
        return err;
    op->flags = *lpFlags & (MSG_OOB | MSG_WAITALL);
    if (!ws->stream) {
        op->from = from;
        op->fromlen = fromlen;
        op->msg = msg;
    }
    if (g_queue_is_empty(&ws->ov_recvs) && try_recv(ws, op, &err, &flags)) {
        size_t got = op->done;

        if (err == WSAEMSGSIZE) {
            /* A failure return: the head of the message is in the buffers,
             * the fields are written, but no completion is issued (2.4). */
            *out_got = (DWORD) got;
            *lpFlags = flags;
            op_finish(ws, op, err, got, flags, false);
            return err;
        }
        if (err != 0) {
            ov->Internal = 0;
            op_free(op); /* nothing started: no completion */
            return err;
        }
        *out_got = (DWORD) got;
        *lpFlags = flags;
        if (call->trace)
            wsp_call_end(call, "0 (%zu bytes, completion issued)", got);
        op_finish(ws, op, 0, got, flags, true);
        return 0;
    }
    g_queue_push_tail(&ws->ov_recvs, op);
    return WSA_IO_PENDING;
}

/**
 * wsp_ov_send:
 *
 * An overlapped WSPSend/WSPSendTo.  A stream send completes when every
 * byte is in the transport's send buffer (choice 30), after earlier posted
 * sends; a datagram send completes at once.  Returns 0 (done: *@out_sent
 * set, completion issued), WSA_IO_PENDING, or the error (nothing started).
 */
int
wsp_ov_send(WspCall *call, WspSocket *ws, LPWSABUF bufs, DWORD count, DWORD flags,
            const struct sockaddr *to, int tolen, LPDWORD out_sent, LPWSAOVERLAPPED ov,
            LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid)
{
    WspOvOp *op;
    int err = 0;

    op = op_new(call, ws, OV_SEND, bufs, count, ov, cr, tid, &err);
    if (op == NULL)
        return err;
    op->flags = flags;
    if (!ws->stream) {
        SimSockAddr dest;

        if (to != NULL)
            err = wsp_sockaddr_in(to, tolen, ws->family, &dest);
        if (err == 0)
            err = wsp_io_dgram_send(ws, op->bufs, op->count, op->total, to != NULL ? &dest : NULL);
        if (err != 0) {
            ov->Internal = 0;
            op_free(op);
            return err;
        }
        op->done = op->total;
    } else if (!g_queue_is_empty(&ws->ov_sends) || !try_send(ws, op, &err)) {
        g_queue_push_tail(&ws->ov_sends, op);
        return WSA_IO_PENDING;
    } else if (err != 0) {
        ov->Internal = 0;
        op_free(op);
        return err;
    }
    *out_sent = (DWORD) op->done;
    if (call->trace)
        wsp_call_end(call, "0 (%zu sent, completion issued)", op->done);
    op_finish(ws, op, 0, op->done, 0, true);
    return 0;
}

/**
 * wsp_ov_ioctl:
 *
 * An overlapped WSPIoctl.  SIO_ROUTING_INTERFACE_CHANGE and
 * SIO_ADDRESS_LIST_CHANGE stay pending until the change (or close: aborted);
 * every other command ran synchronously and completes at once with the
 * output byte count (choice 5) and dwFlags 0, or fails with nothing started.
 */
int
wsp_ov_ioctl(WspCall *call, WspSocket *ws, DWORD code, int err, DWORD bytes,
             LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid)
{
    WspOvOp *op;
    int e;

    if (code == SIO_ROUTING_INTERFACE_CHANGE || code == SIO_ADDRESS_LIST_CHANGE) {
        if (err != WSAEWOULDBLOCK && err != WSAEOPNOTSUPP)
            return err; /* bad input (wsp_change_ioctl) */
    } else if (err != 0) {
        return err;
    }
    op = op_new(call, ws, OV_IOCTL, NULL, 0, ov, cr, tid, &e);
    if (op == NULL)
        return e;
    if (code == SIO_ROUTING_INTERFACE_CHANGE || code == SIO_ADDRESS_LIST_CHANGE) {
        op->flags = code; /* which change completes it (wsp_ov_ioctl_complete) */
        g_queue_push_tail(&ws->ov_ioctls, op);
        wsp_change_ov_pending(ws, code, ov); /* wsp-change.c */
        return WSA_IO_PENDING;
    }
    op_finish(ws, op, 0, bytes, 0, true);
    return 0;
}

/**
 * wsp_ov_ioctl_complete:
 *
 * The change a pending SIO_ROUTING_INTERFACE_CHANGE / SIO_ADDRESS_LIST_CHANGE
 * request (@ov) waited for happened (wsp-change.c): complete it with 0
 * bytes and @err.  FALSE when no such request is pending.
 */
bool
wsp_ov_ioctl_complete(WspSocket *ws, DWORD code, LPWSAOVERLAPPED ov, int err)
{
    for (GList *l = ws->ov_ioctls.head; l != NULL; l = l->next) {
        WspOvOp *op = l->data;

        if (op->ov != ov || op->flags != code)
            continue;
        g_queue_delete_link(&ws->ov_ioctls, l);
        op_finish(ws, op, err, 0, 0, true);
        return true;
    }
    return false;
}

void
wsp_ov_abort_all(WspSocket *ws, bool notify)
{
    GQueue *queues[] = { &ws->ov_recvs, &ws->ov_sends, &ws->ov_ioctls };
    WspOvOp *op;

    for (size_t i = 0; i < G_N_ELEMENTS(queues); i++)
        while ((op = g_queue_pop_head(queues[i])) != NULL)
            op_finish(ws, op, WSA_OPERATION_ABORTED, 0, 0, notify);
}

/* ---- WSPGetOverlappedResult ---------------------------------------------- */

/**
 * WSPGetOverlappedResult:
 *
 * Reads the result the provider left in @lpOverlapped (REFERENCE 2.4).
 * Still in progress: WSA_IO_INCOMPLETE, or with @fWait a wait in simulated
 * time (interruptible) until it completes.  A completed request is
 * reported even after its socket was closed (then WSA_OPERATION_ABORTED).
 * Completed with an error: FALSE with that error, *@lpdwFlags written,
 * *@lpcbTransfer untouched (choice 7).
 *
 * Returns: TRUE with *@lpcbTransfer and *@lpdwFlags; FALSE with WSAENOTSOCK,
 * WSAEINVAL (NULL pointers), WSA_IO_INCOMPLETE, WSAEINTR, or the request's
 * own error.
 */
BOOL WSPAPI
WSPGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer, BOOL fWait,
                       LPDWORD lpdwFlags, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    int err;

    if (!wsp_call_begin(&call, "WSPGetOverlappedResult", &err))
        return wsp_call_fail_bool(&call, lpErrno, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %s", (guint64) s,
                  fWait ? "fWait" : "no wait");
    ws = wsp_handle_lookup(&call, s);
    if (lpOverlapped == NULL || lpcbTransfer == NULL || lpdwFlags == NULL)
        return wsp_call_fail_bool(&call, lpErrno, ws == NULL ? WSAENOTSOCK : WSAEINVAL);
    if (ws == NULL && lpOverlapped->Internal == WSS_OPERATION_IN_PROGRESS)
        return wsp_call_fail_bool(&call, lpErrno, WSAENOTSOCK);
    if (lpOverlapped->Internal == WSS_OPERATION_IN_PROGRESS) {
        if (!fWait || call.actor == SIM_ID_NONE)
            return wsp_call_fail_bool(&call, lpErrno, WSA_IO_INCOMPLETE);
        wsp_socket_ref(ws);
        while (lpOverlapped->Internal == WSS_OPERATION_IN_PROGRESS && !ws->closed) {
            SimWaitQueue *qs[3] = { &ws->rq, &ws->wq, &ws->cq };
            SimWaitResult r;

            wsp_call_blocks(&call);
            r = wsp_block_wait(&call, ws->proto->dwCatalogEntryId, qs, 3, SIM_TIME_INFINITE, NULL);
            if (r == SIM_WAIT_KILLED || r == SIM_WAIT_INTERRUPTED) {
                wsp_socket_unref(ws);
                return wsp_call_fail_bool(&call, lpErrno,
                                          r == SIM_WAIT_KILLED ? WSAENETDOWN : WSAEINTR);
            }
        }
        wsp_socket_unref(ws);
        if (lpOverlapped->Internal == WSS_OPERATION_IN_PROGRESS)
            return wsp_call_fail_bool(&call, lpErrno, WSAEINTR);
    }
    *lpdwFlags = lpOverlapped->Offset;
    if (lpOverlapped->OffsetHigh != 0)
        return wsp_call_fail_bool(&call, lpErrno, (int) lpOverlapped->OffsetHigh);
    *lpcbTransfer = (DWORD) lpOverlapped->InternalHigh;
    wsp_call_end(&call, "TRUE (%u bytes, flags 0x%x)", (unsigned) *lpcbTransfer,
                 (unsigned) *lpdwFlags);
    return TRUE;
}
