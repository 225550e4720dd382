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
#include <wspsim/wspsim-spi.h>

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

/* ---- QoS, multipoint and shared sockets --------------------------------- */

/* @name in UTF-16 (ASCII template names), NUL-terminated, into @w. */
static void
to_wchar(const char *name, WCHAR *w, size_t cap)
{
    size_t i;

    for (i = 0; name[i] != '\0' && i + 1 < cap; i++)
        w[i] = (WCHAR) (guint8) name[i];
    w[i] = 0;
}

static void
flow_apply(FLOWSPEC *f, const WspsimFlowLit *l)
{
    ULONG *fields[WSPSIM_QF_N] = { &f->TokenRate, &f->TokenBucketSize,    &f->PeakBandwidth,
                                   &f->Latency,   &f->DelayVariation,     &f->MaxSduSize,
                                   &f->MinimumPolicedSize };

    if (l->has_service)
        f->ServiceType = l->service;
    for (guint i = 0; i < WSPSIM_QF_N; i++)
        if (l->set & (1u << i))
            *fields[i] = l->v[i];
}

/* The QOS argument @a (a literal, a template, or a QOS variable's bytes)
 * into @q; provider-specific objects go to @ps (QOS_PS_CAP bytes).  A
 * template is looked up through WSPGetQOSByName on @s: FALSE with its
 * error when that fails. */
#define QOS_PS_CAP 256
static bool
build_qos(WspsimActorCtx *ax, SOCKET s, const WspsimArg *a, QOS *q, guint8 *ps, int *err)
{
    const WspsimQosLit *l = a->qos;

    memset(q, 0, sizeof *q);
    if (l == NULL) { /* a variable: QOS, then its objects */
        size_t n = MIN(a->len - MIN(a->len, sizeof *q), (size_t) QOS_PS_CAP);

        memcpy(q, a->data, MIN(a->len, sizeof *q));
        memcpy(ps, a->data + MIN(a->len, sizeof *q), n);
        q->ProviderSpecific.buf = n > 0 ? (char *) ps : NULL;
        q->ProviderSpecific.len = (ULONG) n;
        return true;
    }
    if (l->tmpl != NULL) {
        WCHAR w[64];
        WSABUF b = { (ULONG) sizeof w, (char *) w };

        to_wchar(l->tmpl, w, G_N_ELEMENTS(w));
        if (!TABLE(ax)->lpWSPGetQOSByName(s, &b, q, err))
            return false;
    } else {
        memset(&q->SendingFlowspec, 0xff, sizeof q->SendingFlowspec); /* QOS_NOT_SPECIFIED */
        memset(&q->ReceivingFlowspec, 0xff, sizeof q->ReceivingFlowspec);
        q->SendingFlowspec.ServiceType = SERVICETYPE_BESTEFFORT;
        q->ReceivingFlowspec.ServiceType = SERVICETYPE_BESTEFFORT;
    }
    flow_apply(&q->SendingFlowspec, &l->send);
    flow_apply(&q->ReceivingFlowspec, &l->recv);
    q->ProviderSpecific.buf = NULL;
    q->ProviderSpecific.len = 0;
    if (l->mode >= 0 || l->shaping >= 0) {
        QOS_SD_MODE m = { { QOS_OBJECT_SD_MODE, sizeof m }, (ULONG) l->mode };
        QOS_SHAPING_RATE sr = { { QOS_OBJECT_SHAPING_RATE, sizeof sr }, (ULONG) l->shaping };
        QOS_OBJECT_HDR end = { QOS_OBJECT_END_OF_LIST, sizeof end };
        size_t n = 0;

        if (l->mode >= 0) {
            memcpy(ps + n, &m, sizeof m);
            n += sizeof m;
        }
        if (l->shaping >= 0) {
            memcpy(ps + n, &sr, sizeof sr);
            n += sizeof sr;
        }
        memcpy(ps + n, &end, sizeof end);
        q->ProviderSpecific.buf = (char *) ps;
        q->ProviderSpecific.len = (ULONG) (n + sizeof end);
    }
    return true;
}

/* WSCInstallQOSTemplate("NAME", qos=Q) / WSCRemoveQOSTemplate("NAME"): 0
 * or the error code they return (Ws2_32's template database, kept by the
 * provider per world). */
static void
wsc_name(const WspsimArg *a, WCHAR *w, size_t cap, WSABUF *b)
{
    char name[128];
    size_t n = MIN(a->len, sizeof name - 1);

    memcpy(name, a->data, n);
    name[n] = '\0';
    to_wchar(name, w, cap);
    b->len = (ULONG) (cap * sizeof *w);
    b->buf = (char *) w;
}

static void
inv_wsc_install(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    WCHAR w[128];
    WSABUF b;
    QOS q;
    guint8 ps[QOS_PS_CAP];
    int err = 0;

    wsc_name(&a[0], w, G_N_ELEMENTS(w), &b);
    if (!build_qos(ax, INVALID_SOCKET, &a[1], &q, ps, &err)) {
        set_fail(r, err);
        return;
    }
    err = WSCInstallQOSTemplate(NULL, &b, &q);
    if (err != 0)
        set_fail(r, err);
}

static void
inv_wsc_remove(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    WCHAR w[128];
    WSABUF b;
    int err;

    (void) ax;
    wsc_name(&a[0], w, G_N_ELEMENTS(w), &b);
    err = WSCRemoveQOSTemplate(NULL, &b);
    if (err != 0)
        set_fail(r, err);
}

/* A QOS the provider returned (@len bytes at @buf, ProviderSpecific
 * pointing into @buf) into @r: the QOS, its objects copied to r->qos_ps,
 * the RSVP status and the shape/discard mode. */
static void
take_qos(WspsimResult *r, const guint8 *buf, size_t len)
{
    const guint8 *p;
    size_t left;

    memcpy(&r->qos, buf, MIN(len, sizeof r->qos));
    r->qos_valid = true;
    r->qos_status = 0;
    r->qos_mode = -1;
    r->qos_shaping = -1;
    left = MIN((size_t) r->qos.ProviderSpecific.len, sizeof r->qos_ps);
    if (r->qos.ProviderSpecific.buf == NULL || len < sizeof r->qos + left)
        left = 0;
    memcpy(r->qos_ps, buf + sizeof r->qos, left);
    r->qos.ProviderSpecific.buf = left > 0 ? (char *) r->qos_ps : NULL;
    r->qos.ProviderSpecific.len = (ULONG) left;
    for (p = r->qos_ps; left >= sizeof(QOS_OBJECT_HDR);) {
        QOS_OBJECT_HDR h;

        memcpy(&h, p, sizeof h);
        if (h.ObjectType == QOS_OBJECT_END_OF_LIST || h.ObjectLength < sizeof h ||
            h.ObjectLength > left)
            break;
        if (h.ObjectType == RSVP_OBJECT_STATUS_INFO && h.ObjectLength >= sizeof(RSVP_STATUS_INFO)) {
            RSVP_STATUS_INFO si;

            memcpy(&si, p, sizeof si);
            r->qos_status = si.StatusCode;
        } else if (h.ObjectType == QOS_OBJECT_SD_MODE && h.ObjectLength >= sizeof(QOS_SD_MODE)) {
            QOS_SD_MODE m;

            memcpy(&m, p, sizeof m);
            r->qos_mode = (gint32) m.ShapeDiscardMode;
        } else if (h.ObjectType == QOS_OBJECT_SHAPING_RATE &&
                   h.ObjectLength >= sizeof(QOS_SHAPING_RATE)) {
            QOS_SHAPING_RATE sr;

            memcpy(&sr, p, sizeof sr);
            r->qos_shaping = sr.ShapingRate;
        }
        p += h.ObjectLength;
        left -= h.ObjectLength;
    }
}

static void
inv_connect_qos(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    SOCKADDR_STORAGE ss;
    int len = wspsim_sockaddr_from_sim(&a[1].addr, &ss);
    int err = 0;
    QOS q;
    guint8 ps[QOS_PS_CAP];

    if (!a[2].present) {
        inv_connect(ax, a, r);
        return;
    }
    if (!build_qos(ax, (SOCKET) a[0].i, &a[2], &q, ps, &err)) {
        set_fail(r, err);
        return;
    }
    status(r,
           TABLE(ax)->lpWSPConnect((SOCKET) a[0].i, (struct sockaddr *) &ss, len, NULL, NULL, &q,
                                   NULL, &err),
           &err);
}

/* WSPIoctl: value= is a u_long input, qos= a QOS input (SIO_SET_QOS),
 * len= the output buffer's size. */
static void
inv_ioctl2(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    u_long in = a[2].present ? (u_long) a[2].i : 0, out = 0;
    DWORD got = 0, cb = a[4].present ? (DWORD) MIN(a[4].i, (gint64) sizeof out) : sizeof out;
    int err = 0, rc;
    QOS q;
    guint8 ps[QOS_PS_CAP];

    if (!a[3].present) {
        if (!a[4].present) {
            inv_ioctl(ax, a, r);
            return;
        }
        rc = TABLE(ax)->lpWSPIoctl((SOCKET) a[0].i, (DWORD) a[1].i, a[2].present ? &in : NULL,
                                   a[2].present ? (DWORD) sizeof in : 0, &out, cb, &got, NULL, NULL,
                                   NULL, &err);
    } else {
        if (!build_qos(ax, (SOCKET) a[0].i, &a[3], &q, ps, &err)) {
            set_fail(r, err);
            return;
        }
        rc = TABLE(ax)->lpWSPIoctl((SOCKET) a[0].i, (DWORD) a[1].i, &q, (DWORD) sizeof q, &out, cb,
                                   &got, NULL, NULL, NULL, &err);
    }
    if (rc == SOCKET_ERROR) {
        set_fail(r, err);
        return;
    }
    r->ret = got >= sizeof out ? (gint64) out : 0;
}

/* WSPIoctl(s, SIO_GET_QOS | SIO_GET_GROUP_QOS[, len=N]) -> a QOS. */
static void
inv_ioctl_getqos(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    guint8 buf[sizeof(QOS) + QOS_PS_CAP];
    DWORD got = 0, cb = a[4].present ? (DWORD) MIN(a[4].i, (gint64) sizeof buf) : sizeof buf;
    int err = 0;

    memset(buf, 0, sizeof buf);
    if (TABLE(ax)->lpWSPIoctl((SOCKET) a[0].i, (DWORD) a[1].i, NULL, 0, buf, cb, &got, NULL, NULL,
                              NULL, &err) == SOCKET_ERROR) {
        set_fail(r, err);
        r->ret = got; /* WSAEFAULT: the size needed */
        return;
    }
    r->ret = got;
    take_qos(r, buf, got);
}

/* WSPGetQOSByName(s, "NAME") -> the template. */
static void
inv_qosbyname(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    WCHAR w[128];
    g_autofree char *name = g_strndup((const char *) a[1].data, a[1].len);
    WSABUF b = { a[2].present ? (ULONG) a[2].i : (ULONG) sizeof w, (char *) w };
    guint8 buf[sizeof(QOS)];
    QOS q;
    int err = 0;

    to_wchar(name, w, G_N_ELEMENTS(w));
    b.len = MIN(b.len, (ULONG) sizeof w);
    if (!TABLE(ax)->lpWSPGetQOSByName((SOCKET) a[0].i, &b, &q, &err)) {
        set_fail(r, err);
        return;
    }
    memcpy(buf, &q, sizeof q);
    take_qos(r, buf, sizeof q);
}

/* WSPGetQOSByName(s[, len=N]) -> the names, comma-separated. */
static void
inv_qosnames(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    WCHAR w[256];
    WSABUF b = { a[2].present ? (ULONG) MIN(a[2].i, (gint64) sizeof w) : (ULONG) sizeof w,
                 (char *) w };
    guint8 *out = wspsim_actor_buf(ax, G_N_ELEMENTS(w));
    size_t n = 0;
    int err = 0;

    memset(w, 0, sizeof w);
    if (!TABLE(ax)->lpWSPGetQOSByName((SOCKET) a[0].i, &b, NULL, &err)) {
        set_fail(r, err);
        return;
    }
    /* NAME\0NAME\0\0 -> "NAME,NAME" */
    for (size_t i = 0; i + 1 < G_N_ELEMENTS(w) && w[i] != 0; i++) {
        for (; i < G_N_ELEMENTS(w) && w[i] != 0; i++)
            out[n++] = (guint8) w[i];
        out[n++] = ',';
    }
    if (n > 0)
        n--;
    r->data = out;
    r->len = n;
    r->ret = (gint64) n;
}

typedef struct {
    const guint8 *callee; /* data= */
    size_t callee_len;
    int action; /* CF_* */
    guint8 caller[512];
    size_t caller_len;
    bool set_qos; /* qos=: the flowspecs written over the offered QOS */
    QOS qos;
    bool offered; /* the QOS the function was offered */
    QOS seen;
} CondCtx;

static int CALLBACK
cond_routine(LPWSABUF caller_id, LPWSABUF caller_data, LPQOS sqos, LPQOS gqos, LPWSABUF callee_id,
             LPWSABUF callee_data, GROUP *g, DWORD_PTR cb)
{
    CondCtx *c = (CondCtx *) cb;

    (void) caller_id;
    (void) gqos;
    (void) callee_id;
    (void) g;
    if (sqos != NULL) {
        c->offered = true;
        c->seen = *sqos;
        if (c->set_qos) {
            sqos->SendingFlowspec = c->qos.SendingFlowspec;
            sqos->ReceivingFlowspec = c->qos.ReceivingFlowspec;
        }
    }
    if (caller_data != NULL && caller_data->buf != NULL) {
        c->caller_len = MIN((size_t) caller_data->len, sizeof c->caller);
        memcpy(c->caller, caller_data->buf, c->caller_len);
    }
    if (callee_data != NULL && callee_data->buf != NULL) {
        size_t n = MIN(c->callee_len, (size_t) callee_data->len);

        if (n > 0)
            memcpy(callee_data->buf, c->callee, n);
        callee_data->len = (ULONG) n;
    }
    return c->action;
}

/* WSPAccept(s[, condition=CF_X][, data=CALLEE][, qos=Q]): with any, a
 * condition function that answers CF_X (default CF_ACCEPT) with the callee
 * data, writes Q's flowspecs over the QOS it is offered (negotiation), and
 * records the caller data (caller=) and the offered QOS (qos=). */
static void
inv_accept_cond(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    SOCKADDR_STORAGE ss;
    int len = (int) sizeof ss, err = 0;
    CondCtx *c;
    SOCKET s;

    if (!a[1].present && !a[2].present && !a[3].present) {
        inv_accept(ax, a, r);
        return;
    }
    c = (CondCtx *) wspsim_actor_buf(ax, sizeof *c);
    memset(c, 0, sizeof *c);
    c->action = a[1].present ? (int) a[1].i : CF_ACCEPT;
    if (a[2].present) {
        c->callee = a[2].data;
        c->callee_len = a[2].len;
    }
    if (a[3].present) {
        guint8 ps[QOS_PS_CAP];

        if (!build_qos(ax, (SOCKET) a[0].i, &a[3], &c->qos, ps, &err)) {
            set_fail(r, err);
            return;
        }
        c->set_qos = true;
    }
    memset(&ss, 0, sizeof ss);
    s = TABLE(ax)->lpWSPAccept((SOCKET) a[0].i, (struct sockaddr *) &ss, &len, cond_routine,
                               (DWORD_PTR) c, &err);
    r->peer_data = c->caller;
    r->peer_len = c->caller_len;
    if (c->offered) {
        r->qos_offered = true;
        r->qos_valid = true;
        r->qos = c->seen;
        r->qos.ProviderSpecific.buf = NULL;
        r->qos.ProviderSpecific.len = 0;
    }
    if (s == INVALID_SOCKET) {
        set_fail(r, err);
        return;
    }
    r->ret = (gint64) s;
    r->has_addr = wspsim_sockaddr_to_sim((struct sockaddr *) &ss, len, &r->addr);
}

/* WSPJoinLeaf(s, addr[, flags=JL_X][, data=CALLER][, qos=Q]) -> the
 * session's socket; callee= the callee data (a non-blocking rooted join
 * writes it later: the buffer lives with the process). */
static void
inv_joinleaf(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    SOCKADDR_STORAGE ss;
    int len = wspsim_sockaddr_from_sim(&a[1].addr, &ss);
    int err = 0;
    WspsimOv *hold = wspsim_ov_new(ax); /* owns the callee buffer */
    WSABUF caller = { (ULONG) a[3].len, (char *) a[3].data };
    QOS q;
    guint8 ps[QOS_PS_CAP];
    SOCKET s;

    hold->buf = g_malloc0(512);
    hold->cap = 512;
    hold->wb.len = 512;
    hold->wb.buf = (char *) hold->buf;
    if (a[4].present && !build_qos(ax, (SOCKET) a[0].i, &a[4], &q, ps, &err)) {
        set_fail(r, err);
        return;
    }
    s = TABLE(ax)->lpWSPJoinLeaf((SOCKET) a[0].i, (struct sockaddr *) &ss, len,
                                 a[3].present ? &caller : NULL, &hold->wb,
                                 a[4].present ? &q : NULL, NULL,
                                 a[2].present ? (DWORD) a[2].i : JL_BOTH, &err);
    if (s == INVALID_SOCKET) {
        set_fail(r, err);
        return;
    }
    r->ret = (gint64) s;
    r->peer_data = hold->buf;
    r->peer_len = MIN((size_t) hold->wb.len, hold->cap);
}

/* WSPSocket(af, type[, protocol][, flags][, entry=E][, info=I]): entry=
 * names a catalog entry (rooted, rooted6: the rooted multipoint ones), info= a
 * structure from WSPDuplicateSocket (af and type may then be left out). */
static void
inv_socket2(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    WSAPROTOCOL_INFOW info;
    int err = 0;
    SOCKET s;

    if (!a[4].present && !a[5].present) {
        inv_socket(ax, a, r);
        return;
    }
    memset(&info, 0, sizeof info);
    if (a[5].present) {
        memcpy(&info, a[5].data, MIN(a[5].len, sizeof info));
    } else {
        const WSAPROTOCOL_INFOW *e = wspsim_catalog_entry((DWORD) a[4].i);

        if (e != NULL)
            info = *e;
        else
            info.dwCatalogEntryId = (DWORD) a[4].i; /* not one of ours: WSAEINVAL */
    }
    s = TABLE(ax)->lpWSPSocket(a[0].present ? (int) a[0].i : FROM_PROTOCOL_INFO,
                               a[1].present ? (int) a[1].i : FROM_PROTOCOL_INFO,
                               a[2].present ? (int) a[2].i : 0, &info, 0,
                               a[3].present ? (DWORD) a[3].i : 0, &err);
    if (s == INVALID_SOCKET)
        set_fail(r, err);
    else
        r->ret = (gint64) s;
}

/* WSPDuplicateSocket(s, HOST.PROC) -> a WSAPROTOCOL_INFOW for that process. */
static void
inv_duplicate(WspsimActorCtx *ax, const WspsimArg *a, WspsimResult *r)
{
    DWORD pid = a[1].proc != NULL ? (DWORD) wspsim_run_proc_id(ax->run, a[1].proc) : (DWORD) a[1].i;
    int err = 0;

    memset(&r->info, 0, sizeof r->info);
    status(r, TABLE(ax)->lpWSPDuplicateSocket((SOCKET) a[0].i, pid, &r->info, &err), &err);
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
    { "WSPAccept",
      WSPSIM_R_SOCKET,
      inv_accept_cond,
      { P_("s", SOCK), O_("condition", INT), O_("data", DATA), O_("qos", QOS) } },
    { "WSPAsyncSelect",
      WSPSIM_R_STATUS,
      inv_asyncselect,
      { P_("s", SOCK), P_("hwnd", INT), P_("msg", INT), P_("events", INT) } },
    { "WSPBind", WSPSIM_R_STATUS, inv_bind, { P_("s", SOCK), P_("addr", ADDR) } },
    { "WSPCancelBlockingCall", WSPSIM_R_STATUS, inv_cancelblocking, { { NULL, 0, false } } },
    { "WSPCleanup", WSPSIM_R_STATUS, inv_cleanup, { { NULL, 0, false } } },
    { "WSPCloseSocket", WSPSIM_R_STATUS, inv_close, { P_("s", SOCK) } },
    { "WSPConnect",
      WSPSIM_R_STATUS,
      inv_connect_qos,
      { P_("s", SOCK), P_("addr", ADDR), O_("qos", QOS) } },
    { "WSPDuplicateSocket",
      WSPSIM_R_INFO,
      inv_duplicate,
      { P_("s", SOCK), P_("process", PROC) } },
    { "WSPEnumNetworkEvents",
      WSPSIM_R_EVENTS,
      inv_enumevents,
      { P_("s", SOCK), O_("event", INT) } },
    { "WSPEventSelect",
      WSPSIM_R_STATUS,
      inv_eventselect,
      { P_("s", SOCK), P_("event", INT), P_("events", INT) } },
    { "WSACreateEvent", WSPSIM_R_HANDLE, inv_event, { { NULL, 0, false } } },
    { "WSCInstallQOSTemplate",
      WSPSIM_R_STATUS,
      inv_wsc_install,
      { P_("name", DATA), P_("qos", QOS) } },
    { "WSCRemoveQOSTemplate", WSPSIM_R_STATUS, inv_wsc_remove, { P_("name", DATA) } },
    { "WSPGetOverlappedResult",
      WSPSIM_R_DATA,
      inv_getovresult,
      { P_("s", SOCK), P_("ov", OV), O_("wait", BOOL) } },
    { "WSPGetPeerName", WSPSIM_R_ADDR, inv_getpeername, { P_("s", SOCK) } },
    { "WSPGetQOSByName",
      WSPSIM_R_QOS,
      inv_qosbyname,
      { P_("s", SOCK), O_("name", DATA), O_("len", INT) } },
    { "WSPGetSockName", WSPSIM_R_ADDR, inv_getsockname, { P_("s", SOCK) } },
    { "WSPGetSockOpt",
      WSPSIM_R_INT,
      inv_getsockopt,
      { P_("s", SOCK), P_("level", INT), P_("opt", INT), O_("len", INT) } },
    { "WSPIoctl",
      WSPSIM_R_INT,
      inv_ioctl2,
      { P_("s", SOCK), P_("code", INT), O_("value", INT), O_("qos", QOS), O_("len", INT) } },
    { "WSPJoinLeaf",
      WSPSIM_R_SOCKET,
      inv_joinleaf,
      { P_("s", SOCK), P_("addr", ADDR), O_("flags", INT), O_("data", DATA), O_("qos", QOS) } },
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
    /* af and type may be left out only with info= (parse.c checks). */
    { "WSPSocket",
      WSPSIM_R_SOCKET,
      inv_socket2,
      { O_("af", INT), O_("type", INT), O_("protocol", INT), O_("flags", INT), O_("entry", ENTRY),
        O_("info", INFO) } },
    /* Not WSP functions: the simulated OS objects a scenario works with. */
    { "event", WSPSIM_R_HANDLE, inv_event, { { NULL, 0, false } } },
    { "overlapped", WSPSIM_R_OV, inv_overlapped, { O_("event", INT), O_("routine", ROUTINE) } },
    { "window", WSPSIM_R_HANDLE, inv_window, { { NULL, 0, false } } },
};

/* Forms a call's arguments select (wspsim_call_refine). */
static const WspsimCallSpec ioctl_getqos = {
    "WSPIoctl",
    WSPSIM_R_QOS,
    inv_ioctl_getqos,
    { P_("s", SOCK), P_("code", INT), O_("value", INT), O_("qos", QOS), O_("len", INT) }
};
static const WspsimCallSpec qos_names = { "WSPGetQOSByName",
                                          WSPSIM_R_DATA,
                                          inv_qosnames,
                                          { P_("s", SOCK), O_("name", DATA), O_("len", INT) } };

const WspsimCallSpec *
wspsim_call_refine(const WspsimCallSpec *spec, WspsimExpr *const *args)
{
    if (spec->invoke == inv_ioctl2 && args[1] != NULL && args[1]->kind == WSPSIM_EX_INT &&
        (args[1]->i == (gint64) SIO_GET_QOS || args[1]->i == (gint64) SIO_GET_GROUP_QOS))
        return &ioctl_getqos;
    if (spec->invoke == inv_qosbyname && args[1] == NULL)
        return &qos_names;
    return spec;
}

bool
wspsim_qos_template_known(const char *name)
{
    static const char *const names[] = { "G711",     "G723.1",  "G729",     "GSM6.10",
                                         "H263QCIF", "H263CIF", "H261QCIF", "H261CIF" };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

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
