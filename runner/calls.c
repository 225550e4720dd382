/* SPDX-License-Identifier: MIT
 *
 * calls.c: the table of WSP functions a scenario can call.  Each row maps
 * the script form (positional arguments, then optional ones by name) to
 * the real SPI call made through the process's WSPPROC_TABLE, and says
 * what the call returns for expectations.  Adding a function is one row
 * and one small invoker.  doc/wspsim-scenario.5 lists the forms.
 */
#include "config.h"

#include <string.h>

#include <wspsim/wspsim-os.h>

#include "runner/interp.h"

#define TABLE(ax) (&(ax)->proc->table)

static void
set_fail(WspsimResult *r, int err)
{
    r->failed = true;
    r->err = err;
}

/* Status-returning calls: 0, or SOCKET_ERROR with the code. */
static void
status(WspsimResult *r, int rc, const int *err)
{
    /* @err by address: it is read after the call that set it (an argument
     * passed by value could be evaluated before the call). */
    if (rc == SOCKET_ERROR)
        set_fail(r, *err);
    else
        r->ret = rc;
}

/* The bytes of a DATA argument: literal, variable, or N fill bytes. */
static const guint8 *
arg_data(WspsimActorCtx *ax, const WspsimArg *a, size_t *out_len)
{
    *out_len = a->len;
    if (a->data != NULL || a->len == 0)
        return a->data;
    /* FILL: the interpreter leaves data NULL and len = N */
    guint8 *b = wspsim_actor_buf(ax, a->len);
    return b;
}

static void
inv_socket(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;
    int protocol = a[2].present ? (int) a[2].i : 0;
    WSAPROTOCOL_INFOW info;
    LPWSAPROTOCOL_INFOW pi =
        wspsim_proc_socket_entry(ax, (int) a[0].i, (int) a[1].i, protocol, &info);
    SOCKET s = TABLE(ax)->lpWSPSocket((int) a[0].i, (int) a[1].i, protocol, pi, 0,
                                      a[3].present ? (DWORD) a[3].i : 0, &err);

    if (s == INVALID_SOCKET)
        set_fail(r, err);
    else
        r->ret = (gint64) s;
}

static void
inv_bind(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    SOCKADDR_STORAGE ss;
    int len = wspsim_sockaddr_from_sim(&a[1].addr, &ss);
    int err = 0;

    status(r, TABLE(ax)->lpWSPBind((SOCKET) a[0].i, (struct sockaddr *) &ss, len, &err), &err);
}

static void
inv_listen(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    status(r,
           TABLE(ax)->lpWSPListen((SOCKET) a[0].i, a[1].present ? (int) a[1].i : SOMAXCONN, &err),
           &err);
}

static void
inv_accept(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    SOCKADDR_STORAGE ss;
    int len = (int) sizeof ss, err = 0;
    SOCKET s;

    memset(&ss, 0, sizeof ss);
    s = TABLE(ax)->lpWSPAccept((SOCKET) a[0].i, (struct sockaddr *) &ss, &len, NULL, 0, &err);
    if (s == INVALID_SOCKET) {
        set_fail(r, err);
        return;
    }
    r->ret = (gint64) s;
    r->has_addr = wspsim_sockaddr_to_sim((struct sockaddr *) &ss, len, &r->addr);
}

static void
inv_connect(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    SOCKADDR_STORAGE ss;
    int len = wspsim_sockaddr_from_sim(&a[1].addr, &ss);
    int err = 0;

    status(r,
           TABLE(ax)->lpWSPConnect((SOCKET) a[0].i, (struct sockaddr *) &ss, len, NULL, NULL, NULL,
                                   NULL, &err),
           &err);
}

/* A completion routine that records what it got (routine=log; the
 * provider's trace line shows it running). */
static void CALLBACK
ov_routine(DWORD error, DWORD bytes, LPWSAOVERLAPPED o, DWORD flags)
{
    WspsimOv *ov = (WspsimOv *) o; /* the OVERLAPPED is the request's first member */

    (void) flags;
    ov->completed = true;
    ov->err = error;
    ov->bytes = bytes;
}

/* Set up @ov for a new request over @len bytes (copied from @data when
 * sending); returns the routine to pass.  The thread id names the calling
 * actor, for the provider's WPUQueueApc. */
static LPWSAOVERLAPPED_COMPLETION_ROUTINE
ov_prepare(WspsimActorCtx *ax, WspsimOv *ov, const guint8 *data, size_t len, bool recv)
{
    HANDLE ev = ov->ov.hEvent;
    int err = 0;

    if (len > ov->cap) {
        ov->buf = g_realloc(ov->buf, len);
        ov->cap = len;
    }
    if (data != NULL && len > 0)
        memcpy(ov->buf, data, len);
    memset(&ov->ov, 0, sizeof ov->ov);
    ov->ov.hEvent = ev;
    ov->wb.len = (ULONG) len;
    ov->wb.buf = (char *) ov->buf;
    ov->is_recv = recv;
    ov->completed = false;
    ov->actor = ax->actor;
    if (!ov->routine)
        return NULL;
    wspsim_run_upcalls(ax->run)->lpWPUOpenCurrentThread(&ov->tid, &err);
    return ov_routine;
}

static void
inv_send(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    size_t len;
    const guint8 *p = arg_data(ax, &a[1], &len);
    WSABUF b = { (ULONG) len, (char *) p };
    DWORD sent = 0;
    int err = 0, rc;
    WspsimOv *ov = a[3].ov;

    if (ov != NULL) {
        LPWSAOVERLAPPED_COMPLETION_ROUTINE fn = ov_prepare(ax, ov, p, len, false);

        rc = TABLE(ax)->lpWSPSend((SOCKET) a[0].i, &ov->wb, 1, &sent,
                                  a[2].present ? (DWORD) a[2].i : 0, &ov->ov, fn,
                                  fn != NULL ? &ov->tid : NULL, &err);
    } else {
        rc = TABLE(ax)->lpWSPSend((SOCKET) a[0].i, &b, 1, &sent, a[2].present ? (DWORD) a[2].i : 0,
                                  NULL, NULL, NULL, &err);
    }

    if (rc == SOCKET_ERROR)
        set_fail(r, err);
    else
        r->ret = sent;
}

static void
inv_sendto(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    size_t len;
    const guint8 *p = arg_data(ax, &a[1], &len);
    WSABUF b = { (ULONG) len, (char *) p };
    SOCKADDR_STORAGE ss;
    int alen = wspsim_sockaddr_from_sim(&a[2].addr, &ss);
    DWORD sent = 0;
    int err = 0;
    int rc =
        TABLE(ax)->lpWSPSendTo((SOCKET) a[0].i, &b, 1, &sent, a[3].present ? (DWORD) a[3].i : 0,
                               (struct sockaddr *) &ss, alen, NULL, NULL, NULL, &err);

    if (rc == SOCKET_ERROR)
        set_fail(r, err);
    else
        r->ret = sent;
}

static void
inv_recv(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    size_t cap = a[1].present ? (size_t) a[1].i : 4096;
    WspsimOv *ov = a[3].ov;
    guint8 *buf;
    WSABUF b;
    DWORD got = 0, flags = a[2].present ? (DWORD) a[2].i : 0;
    int err = 0, rc;

    if (ov != NULL) {
        LPWSAOVERLAPPED_COMPLETION_ROUTINE fn = ov_prepare(ax, ov, NULL, cap, true);

        ov->flags = flags;
        buf = ov->buf;
        rc = TABLE(ax)->lpWSPRecv((SOCKET) a[0].i, &ov->wb, 1, &got, &ov->flags, &ov->ov, fn,
                                  fn != NULL ? &ov->tid : NULL, &err);
    } else {
        buf = wspsim_actor_buf(ax, cap);
        b.len = (ULONG) cap;
        b.buf = (char *) buf;
        rc = TABLE(ax)->lpWSPRecv((SOCKET) a[0].i, &b, 1, &got, &flags, NULL, NULL, NULL, &err);
    }

    if (rc == SOCKET_ERROR) {
        set_fail(r, err);
        return;
    }
    r->ret = got;
    r->data = buf;
    r->len = MIN((size_t) got, cap);
}

static void
inv_recvfrom(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    size_t cap = a[1].present ? (size_t) a[1].i : 65536;
    guint8 *buf = wspsim_actor_buf(ax, cap);
    WSABUF b = { (ULONG) cap, (char *) buf };
    DWORD got = 0, flags = a[2].present ? (DWORD) a[2].i : 0;
    SOCKADDR_STORAGE ss;
    int slen = (int) sizeof ss, err = 0, rc;

    memset(&ss, 0, sizeof ss);
    rc = TABLE(ax)->lpWSPRecvFrom((SOCKET) a[0].i, &b, 1, &got, &flags, (struct sockaddr *) &ss,
                                  &slen, NULL, NULL, NULL, &err);
    if (rc == SOCKET_ERROR) {
        set_fail(r, err);
        return;
    }
    r->ret = got;
    r->data = buf;
    r->len = MIN((size_t) got, cap);
    r->has_addr = wspsim_sockaddr_to_sim((struct sockaddr *) &ss, slen, &r->addr);
}

static void
inv_shutdown(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    status(r, TABLE(ax)->lpWSPShutdown((SOCKET) a[0].i, (int) a[1].i, &err), &err);
}

static void
inv_close(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    status(r, TABLE(ax)->lpWSPCloseSocket((SOCKET) a[0].i, &err), &err);
}

static void
fill_set(fd_set *set, const WspsimActorCtx *ax, const WspsimArg *a)
{
    set->fd_count = 0;
    if (!a->present || a->list == NULL)
        return;
    for (guint i = 0; i < a->list->n_items && i < FD_SETSIZE; i++) {
        const WspsimExpr *e = a->list->items[i];
        gint64 v = e->kind == WSPSIM_EX_VAR ? ax->proc->vars[e->i].i : e->i;

        set->fd_array[set->fd_count++] = (SOCKET) v;
    }
}

static void
inv_select(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    struct timeval tv;
    int err = 0, rc;

    fill_set(&r->sets[0], ax, &a[0]);
    fill_set(&r->sets[1], ax, &a[1]);
    fill_set(&r->sets[2], ax, &a[2]);
    if (a[3].present) {
        tv.tv_sec = (LONG) ((SimTime) a[3].i / SIM_SEC);
        tv.tv_usec = (LONG) (((SimTime) a[3].i % SIM_SEC) / SIM_USEC);
    }
    rc = TABLE(ax)->lpWSPSelect(0, a[0].present ? &r->sets[0] : NULL,
                                a[1].present ? &r->sets[1] : NULL,
                                a[2].present ? &r->sets[2] : NULL, a[3].present ? &tv : NULL, &err);
    if (rc == SOCKET_ERROR) {
        set_fail(r, err);
        return;
    }
    for (int i = 0; i < 3; i++)
        if (!a[i].present)
            r->sets[i].fd_count = 0;
    r->ret = rc;
}

static void
inv_setsockopt(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0, rc;
    DWORD v;
    struct linger lg;

    if (a[3].list != NULL) {
        lg.l_onoff = (u_short) a[3].list->items[0]->i;
        lg.l_linger = (u_short) (a[3].list->items[1]->unit == WSPSIM_UNIT_TIME
                                     ? a[3].list->items[1]->i / (gint64) SIM_SEC
                                     : a[3].list->items[1]->i);
        rc = TABLE(ax)->lpWSPSetSockOpt((SOCKET) a[0].i, (int) a[1].i, (int) a[2].i,
                                        (const char *) &lg, (int) sizeof lg, &err);
    } else {
        /* A duration is given in milliseconds (SO_RCVTIMEO, SO_SNDTIMEO). */
        v = a[3].is_time ? (DWORD) (a[3].i / (gint64) SIM_MSEC) : (DWORD) a[3].i;
        rc = TABLE(ax)->lpWSPSetSockOpt((SOCKET) a[0].i, (int) a[1].i, (int) a[2].i,
                                        (const char *) &v, (int) sizeof v, &err);
    }
    status(r, rc, &err);
}

static void
inv_getsockopt(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    guint8 buf[16] = { 0 };
    int len = a[3].present ? (int) MIN(a[3].i, (gint64) sizeof buf) : 4, err = 0;
    gint32 v32;

    if (TABLE(ax)->lpWSPGetSockOpt((SOCKET) a[0].i, (int) a[1].i, (int) a[2].i, (char *) buf, &len,
                                   &err) == SOCKET_ERROR) {
        set_fail(r, err);
        return;
    }
    if (len == 1)
        r->ret = buf[0];
    else if (len == 2)
        r->ret = buf[0] | (buf[1] << 8);
    else {
        memcpy(&v32, buf, sizeof v32);
        r->ret = v32;
    }
}

static void
inv_ioctl(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    u_long in = a[2].present ? (u_long) a[2].i : 0, out = 0;
    DWORD got = 0;
    int err = 0;
    int rc = TABLE(ax)->lpWSPIoctl((SOCKET) a[0].i, (DWORD) a[1].i, a[2].present ? &in : NULL,
                                   a[2].present ? (DWORD) sizeof in : 0, &out, (DWORD) sizeof out,
                                   &got, NULL, NULL, NULL, &err);

    if (rc == SOCKET_ERROR) {
        set_fail(r, err);
        return;
    }
    r->ret = got >= sizeof out ? (gint64) out : 0;
}

static void
inv_name(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r, bool peer)
{
    SOCKADDR_STORAGE ss;
    int len = (int) sizeof ss, err = 0, rc;

    memset(&ss, 0, sizeof ss);
    if (peer)
        rc = TABLE(ax)->lpWSPGetPeerName((SOCKET) a[0].i, (struct sockaddr *) &ss, &len, &err);
    else
        rc = TABLE(ax)->lpWSPGetSockName((SOCKET) a[0].i, (struct sockaddr *) &ss, &len, &err);
    if (rc == SOCKET_ERROR) {
        set_fail(r, err);
        return;
    }
    r->has_addr = wspsim_sockaddr_to_sim((struct sockaddr *) &ss, len, &r->addr);
}

static void
inv_getsockname(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    inv_name(ax, a, r, false);
}

static void
inv_getpeername(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    inv_name(ax, a, r, true);
}

static void
inv_eventselect(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    status(r,
           TABLE(ax)->lpWSPEventSelect((SOCKET) a[0].i, (WSAEVENT) (uintptr_t) a[1].i,
                                       (LONG) a[2].i, &err),
           &err);
}

static void
inv_enumevents(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    memset(&r->ev, 0, sizeof r->ev);
    if (TABLE(ax)->lpWSPEnumNetworkEvents((SOCKET) a[0].i,
                                          a[1].present ? (WSAEVENT) (uintptr_t) a[1].i : NULL,
                                          &r->ev, &err) == SOCKET_ERROR)
        set_fail(r, err);
    else
        r->ret = r->ev.lNetworkEvents;
}

static void
inv_asyncselect(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    status(r,
           TABLE(ax)->lpWSPAsyncSelect((SOCKET) a[0].i, (HWND) (uintptr_t) a[1].i,
                                       (unsigned int) a[2].i, (LONG) a[3].i, &err),
           &err);
}

static void
inv_senddisconnect(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    status(r, TABLE(ax)->lpWSPSendDisconnect((SOCKET) a[0].i, NULL, &err), &err);
}

static void
inv_recvdisconnect(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    status(r, TABLE(ax)->lpWSPRecvDisconnect((SOCKET) a[0].i, NULL, &err), &err);
}

static void
inv_cancelblocking(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    (void) a;
    status(r, TABLE(ax)->lpWSPCancelBlockingCall(&err), &err);
}

static void
inv_cleanup(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    int err = 0;

    (void) a;
    status(r, TABLE(ax)->lpWSPCleanup(&err), &err);
}

static void
inv_getovresult(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    WspsimOv *ov = a[1].ov;
    DWORD bytes = 0, flags = 0;
    int err = 0;

    if (!TABLE(ax)->lpWSPGetOverlappedResult((SOCKET) a[0].i, &ov->ov, &bytes,
                                             a[2].present && a[2].i != 0, &flags, &err)) {
        set_fail(r, err);
        return;
    }
    r->ret = bytes;
    if (ov->is_recv) {
        r->data = ov->buf;
        r->len = MIN((size_t) bytes, ov->cap);
    }
}

static void
inv_event(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    /* WSACreateEvent: manual reset, not signalled. */
    (void) a;
    r->ret = (gint64) (uintptr_t) wspsim_os_event_create(wspsim_run_world(ax->run), TRUE, FALSE);
}

static void
inv_window(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    (void) a;
    r->ret = (gint64) (uintptr_t) wspsim_os_window_create(wspsim_run_world(ax->run), ax->proc->pid);
}

static void
inv_overlapped(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    WspsimOv *ov = wspsim_ov_new(ax);

    ov->ov.hEvent = a[0].present ? (HANDLE) (uintptr_t) a[0].i : NULL;
    ov->routine = a[1].present && a[1].i != 0;
    r->ov = ov;
}

#define P_(n, t)                                                                                   \
    {                                                                                              \
        n, WSPSIM_T_##t, false                                                                     \
    }
#define O_(n, t)                                                                                   \
    {                                                                                              \
        n, WSPSIM_T_##t, true                                                                      \
    }

/* WSP functions sorted by name, then the OS objects. */
static const WspsimCallSpec calls[] = {
    { "WSPAccept", WSPSIM_R_SOCKET, inv_accept, { P_("s", SOCK) } },
    { "WSPAsyncSelect",
      WSPSIM_R_STATUS,
      inv_asyncselect,
      { P_("s", SOCK), P_("hwnd", INT), P_("msg", INT), P_("events", INT) } },
    { "WSPBind", WSPSIM_R_STATUS, inv_bind, { P_("s", SOCK), P_("addr", ADDR) } },
    { "WSPCancelBlockingCall", WSPSIM_R_STATUS, inv_cancelblocking, { { NULL, 0, false } } },
    { "WSPCleanup", WSPSIM_R_STATUS, inv_cleanup, { { NULL, 0, false } } },
    { "WSPCloseSocket", WSPSIM_R_STATUS, inv_close, { P_("s", SOCK) } },
    { "WSPConnect", WSPSIM_R_STATUS, inv_connect, { P_("s", SOCK), P_("addr", ADDR) } },
    { "WSPEnumNetworkEvents",
      WSPSIM_R_EVENTS,
      inv_enumevents,
      { P_("s", SOCK), O_("event", INT) } },
    { "WSPEventSelect",
      WSPSIM_R_STATUS,
      inv_eventselect,
      { P_("s", SOCK), P_("event", INT), P_("events", INT) } },
    { "WSACreateEvent", WSPSIM_R_HANDLE, inv_event, { { NULL, 0, false } } },
    { "WSPGetOverlappedResult",
      WSPSIM_R_DATA,
      inv_getovresult,
      { P_("s", SOCK), P_("ov", OV), O_("wait", BOOL) } },
    { "WSPGetPeerName", WSPSIM_R_ADDR, inv_getpeername, { P_("s", SOCK) } },
    { "WSPGetSockName", WSPSIM_R_ADDR, inv_getsockname, { P_("s", SOCK) } },
    { "WSPGetSockOpt",
      WSPSIM_R_INT,
      inv_getsockopt,
      { P_("s", SOCK), P_("level", INT), P_("opt", INT), O_("len", INT) } },
    { "WSPIoctl", WSPSIM_R_INT, inv_ioctl, { P_("s", SOCK), P_("code", INT), O_("value", INT) } },
    { "WSPListen", WSPSIM_R_STATUS, inv_listen, { P_("s", SOCK), O_("backlog", INT) } },
    { "WSPRecv",
      WSPSIM_R_DATA,
      inv_recv,
      { P_("s", SOCK), O_("len", INT), O_("flags", INT), O_("overlapped", OV) } },
    { "WSPRecvDisconnect", WSPSIM_R_STATUS, inv_recvdisconnect, { P_("s", SOCK) } },
    { "WSPRecvFrom",
      WSPSIM_R_DATA,
      inv_recvfrom,
      { P_("s", SOCK), O_("len", INT), O_("flags", INT) } },
    { "WSPSelect",
      WSPSIM_R_SELECT,
      inv_select,
      { O_("read", SOCKS), O_("write", SOCKS), O_("except", SOCKS), O_("timeout", TIME) } },
    { "WSPSend",
      WSPSIM_R_INT,
      inv_send,
      { P_("s", SOCK), P_("data", DATA), O_("flags", INT), O_("overlapped", OV) } },
    { "WSPSendDisconnect", WSPSIM_R_STATUS, inv_senddisconnect, { P_("s", SOCK) } },
    { "WSPSendTo",
      WSPSIM_R_INT,
      inv_sendto,
      { P_("s", SOCK), P_("data", DATA), P_("to", ADDR), O_("flags", INT) } },
    { "WSPSetSockOpt",
      WSPSIM_R_STATUS,
      inv_setsockopt,
      { P_("s", SOCK), P_("level", INT), P_("opt", INT), P_("value", OPTVAL) } },
    { "WSPShutdown", WSPSIM_R_STATUS, inv_shutdown, { P_("s", SOCK), P_("how", INT) } },
    { "WSPSocket",
      WSPSIM_R_SOCKET,
      inv_socket,
      { P_("af", INT), P_("type", INT), O_("protocol", INT), O_("flags", INT) } },
    /* Not WSP functions: the simulated OS objects a scenario works with. */
    { "event", WSPSIM_R_HANDLE, inv_event, { { NULL, 0, false } } },
    { "overlapped", WSPSIM_R_OV, inv_overlapped, { O_("event", INT), O_("routine", ROUTINE) } },
    { "window", WSPSIM_R_HANDLE, inv_window, { { NULL, 0, false } } },
};

const WspsimCallSpec *
wspsim_call_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(calls); i++)
        if (strlen(calls[i].name) == len && memcmp(calls[i].name, name, len) == 0)
            return &calls[i];
    return NULL;
}

const WspsimParam *
wspsim_call_params(const WspsimCallSpec *spec, guint *out_n)
{
    guint n = 0;

    while (n < WSPSIM_MAX_ARGS && spec->params[n].name != NULL)
        n++;
    *out_n = n;
    return spec->params;
}

WspsimResultKind
wspsim_call_result(const WspsimCallSpec *spec)
{
    return spec->result;
}

const char *
wspsim_call_name(const WspsimCallSpec *spec)
{
    return spec->name;
}

size_t
wspsim_call_count(void)
{
    return G_N_ELEMENTS(calls);
}

const WspsimCallSpec *
wspsim_call_nth(size_t i)
{
    return i < G_N_ELEMENTS(calls) ? &calls[i] : NULL;
}

/* ---- Helpers shared with interp.c ------------------------------------------ */

guint8 *
wspsim_actor_buf(WspsimActorCtx *ax, size_t len)
{
    if (len > ax->buf_cap) {
        size_t cap = MAX(len, ax->buf_cap * 2);

        ax->buf = g_realloc(ax->buf, cap);
        ax->buf_cap = cap;
    }
    return ax->buf;
}

void
wspsim_fill(guint8 *buf, size_t len)
{
    /* "abcdefghijklmnopqrstuvwxyz" repeated: readable in a trace or pcap. */
    for (size_t i = 0; i < len; i++)
        buf[i] = (guint8) ('a' + i % 26);
}

int
wspsim_sockaddr_from_sim(const SimSockAddr *sa, SOCKADDR_STORAGE *out)
{
    memset(out, 0, sizeof *out);
    if (sa->addr.family == SIM_AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) out;

        s6->sin6_family = AF_INET6;
        s6->sin6_port = g_htons(sa->port);
        memcpy(&s6->sin6_addr, sa->addr.bytes, 16);
        return (int) sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *) out;

    s4->sin_family = AF_INET;
    s4->sin_port = g_htons(sa->port);
    memcpy(&s4->sin_addr, sa->addr.bytes, 4);
    return (int) sizeof *s4;
}

bool
wspsim_sockaddr_to_sim(const struct sockaddr *sa, int len, SimSockAddr *out)
{
    memset(out, 0, sizeof *out);
    if (sa->sa_family == AF_INET && len >= (int) sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *) sa;

        out->addr.family = SIM_AF_INET;
        memcpy(out->addr.bytes, &s4->sin_addr, 4);
        out->port = g_ntohs(s4->sin_port);
        return true;
    }
    if (sa->sa_family == AF_INET6 && len >= (int) sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *) sa;

        out->addr.family = SIM_AF_INET6;
        memcpy(out->addr.bytes, &s6->sin6_addr, 16);
        out->port = g_ntohs(s6->sin6_port);
        return true;
    }
    return false;
}
