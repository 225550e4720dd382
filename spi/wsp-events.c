/* SPDX-License-Identifier: MIT
 *
 * wsp-events.c: network event notification (REFERENCE 2.5) — WSPEventSelect,
 * WSPAsyncSelect, WSPEnumNetworkEvents — the FD_* record, and the
 * re-enabling rules.  An event is reported when it happens and is
 * registered and enabled ("armed"); reporting disarms it until the client
 * calls the function that re-enables it (even a failing call).  Level
 * events (FD_READ, FD_OOB, FD_ACCEPT) whose condition still holds after a
 * re-enabling call are re-reported by a simulator event at the same virtual
 * time, after the call has returned (choice 13).  Every notification goes
 * through the process's current upcall table (WPUSetEvent, WPUPostMessage).
 * doc/notification.md.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"
#include "wsp-extension.h"

/* Armed only by their IOCTL, never at registration (REFERENCE 2.5). */
#define EV_IOCTL_ARMED (FD_ROUTING_INTERFACE_CHANGE | FD_ADDRESS_LIST_CHANGE)

static const char *const ev_names[FD_MAX_EVENTS] = {
    [FD_READ_BIT] = "FD_READ",
    [FD_WRITE_BIT] = "FD_WRITE",
    [FD_OOB_BIT] = "FD_OOB",
    [FD_ACCEPT_BIT] = "FD_ACCEPT",
    [FD_CONNECT_BIT] = "FD_CONNECT",
    [FD_CLOSE_BIT] = "FD_CLOSE",
    [FD_QOS_BIT] = "FD_QOS",
    [FD_GROUP_QOS_BIT] = "FD_GROUP_QOS",
    [FD_ROUTING_INTERFACE_CHANGE_BIT] = "FD_ROUTING_INTERFACE_CHANGE",
    [FD_ADDRESS_LIST_CHANGE_BIT] = "FD_ADDRESS_LIST_CHANGE",
};

static int
ev_bit(LONG ev)
{
    for (int i = 0; i < FD_MAX_EVENTS; i++)
        if (ev == (1L << i))
            return i;
    g_assert_not_reached();
}

static void
ev_mask_text(LONG mask, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int i = 0; i < FD_MAX_EVENTS; i++) {
        if (mask & (1L << i)) {
            if (buf[0] != '\0')
                g_strlcat(buf, "|", cap);
            g_strlcat(buf, ev_names[i], cap);
        }
    }
    if (buf[0] == '\0')
        g_strlcpy(buf, "0", cap);
}

static void
ev_note(WspSocket *ws, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
ev_note(WspSocket *ws, const char *fmt, ...)
{
    char text[160];
    va_list ap;

    if (!sim_trace_enabled(ws->world))
        return;
    va_start(ap, fmt);
    g_vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sim_trace_textf(ws->world, SIM_TR_NOTE, sim_process_node(ws->world, ws->proc->pid),
                    sim_actor_current(ws->world), "event", "s=0x%" G_GINT64_MODIFIER "x %s",
                    (guint64) ws->handle, text);
}

/* Deliver one event: the record and the event object, or one message. */
static void
ev_deliver(WspSocket *ws, LONG ev, int err)
{
    int bit = ev_bit(ev);
    int e = 0;

    ws->ev_armed &= ~ev;
    if (ws->ev_hwnd != NULL) {
        LPARAM lp = (LPARAM) (DWORD) WSAMAKESELECTREPLY((WORD) ev, (WORD) err);
        BOOL ok = ws->proc->upcalls.lpWPUPostMessage(ws->ev_hwnd, ws->ev_msg,
                                                      (WPARAM) ws->handle, lp);

        if (err != 0)
            ev_note(ws, "%s %s posted%s", ev_names[bit], wsp_error_name(err),
                    ok ? "" : " (WPUPostMessage failed)");
        else
            ev_note(ws, "%s posted%s", ev_names[bit], ok ? "" : " (WPUPostMessage failed)");
        return;
    }
    ws->ev_record.lNetworkEvents |= ev;
    ws->ev_record.iErrorCode[bit] = err;
    if (!ws->proc->upcalls.lpWPUSetEvent(ws->ev_event, &e))
        ev_note(ws, "%s recorded (WPUSetEvent failed: %s)", ev_names[bit], wsp_error_name(e));
    else if (err != 0)
        ev_note(ws, "%s %s recorded, event set", ev_names[bit], wsp_error_name(err));
    else
        ev_note(ws, "%s recorded, event set", ev_names[bit]);
}

/* Report @ev if it is registered and enabled. */
static bool
ev_report(WspSocket *ws, LONG ev, int err)
{
    if (ws->closed || !(ws->ev_mask & ev) || !(ws->ev_armed & ev))
        return false;
    ev_deliver(ws, ev, err);
    return true;
}

void
wsp_events_signal(WspSocket *ws, LONG ev, int err)
{
    ev_report(ws, ev, err);
}

/* ---- Conditions ---------------------------------------------------------- */

static guint32
ev_poll(WspSocket *ws)
{
    guint32 ev = 0;

    if (!ws->stream || ws->sock == 0 || sim_tcp_poll(ws->world, ws->sock, &ev) != SIM_OK)
        return 0;
    return ev;
}

/* Data a receive would return (end of connection is FD_CLOSE's). */
static bool
cond_read(WspSocket *ws)
{
    size_t n = 0;

    if (ws->sock == 0 || ws->transport_gone || ws->listening)
        return false;
    if (!ws->stream)
        return sim_udp_queued_count(ws->world, ws->sock) > 0;
    return sim_tcp_readable_bytes(ws->world, ws->sock, &n) == SIM_OK && n > 0;
}

static bool
cond_write(WspSocket *ws)
{
    if (!ws->ev_write_wanted || ws->sock == 0 || ws->transport_gone || ws->listening)
        return false;
    if (!ws->stream) /* choice 10: once bound */
        return !ws->shut_send && sim_udp_is_bound(ws->world, ws->sock);
    return wsp_socket_writable(ws);
}

static bool
cond_close(WspSocket *ws)
{
    size_t n = 0;

    if (!ws->ev_close_due || ws->ev_close_done)
        return false;
    if (ws->sock == 0 || ws->transport_gone)
        return true;
    return sim_tcp_readable_bytes(ws->world, ws->sock, &n) != SIM_OK || n == 0;
}

/* Report whatever is due now, in a fixed order. */
static void
ev_check(WspSocket *ws)
{
    if (ws->closed || ws->ev_mask == 0)
        return;
    if (ws->ev_connect_due && (ws->ev_mask & FD_CONNECT)) {
        ws->ev_connect_due = false;
        ev_report(ws, FD_CONNECT, ws->ev_connect_err);
    }
    if ((ws->ev_armed & FD_READ) && cond_read(ws))
        ev_report(ws, FD_READ, 0);
    if ((ws->ev_armed & FD_OOB) && (ev_poll(ws) & SIM_SOCK_EV_OOB))
        ev_report(ws, FD_OOB, 0);
    if ((ws->ev_armed & FD_ACCEPT) && ws->listening &&
        (ws->deferred_child != 0 || (ev_poll(ws) & SIM_SOCK_EV_ACCEPT)))
        ev_report(ws, FD_ACCEPT, 0);
    if ((ws->ev_armed & FD_WRITE) && cond_write(ws) && ev_report(ws, FD_WRITE, 0))
        ws->ev_write_wanted = false;
    if (cond_close(ws) && ev_report(ws, FD_CLOSE, 0))
        ws->ev_close_done = true;
}

static void
ev_check_event(SimWorld *world, void *data)
{
    WspSocket *ws = wsp_socket_by_sock(world, GPOINTER_TO_UINT(data));

    if (ws != NULL && !ws->closed)
        ev_check(ws);
}

/* Choice 13: after the current call returns, at the same virtual time. */
static void
ev_check_later(WspSocket *ws)
{
    if (ws->sock != 0 && ws->ev_mask != 0)
        sim_event_schedule(ws->world, 0, ev_check_event, GUINT_TO_POINTER(ws->sock));
}

/* FD_CLOSE's error: 0 graceful, WSAECONNRESET, WSAENETDOWN, else WSAECONNABORTED. */
static int
close_error(SimStatus st)
{
    int e = wsp_error_from_status(st);

    if (e == WSAECONNRESET || e == WSAENETDOWN)
        return e;
    return WSAECONNABORTED;
}

/* ---- Hooks from the rest of the provider --------------------------------- */

void
wsp_events_on_transport(WspSocket *ws, guint32 events, SimStatus err)
{
    if (events & SIM_SOCK_EV_CONNECTED) {
        ws->ev_connect_due = true;
        ws->ev_connect_err = err == SIM_OK ? 0 : wsp_error_from_status(err);
        if (err == SIM_OK) {
            ws->ev_write_wanted = true; /* FD_WRITE follows FD_CONNECT */
            ws->ev_close_done = false;
            ws->ev_close_due = false;
        }
    }
    if (ws->stream && !ws->listening && !ws->connect_failed && !ws->ev_close_done &&
        (events & (SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_FREED))) {
        if (err == SIM_OK) {
            if (events & SIM_SOCK_EV_CLOSED)
                ws->ev_close_due = true; /* reported once all data has been read */
        } else if (ws->ev_mask & FD_CLOSE) {
            ws->ev_close_due = true;
            if (ev_report(ws, FD_CLOSE, close_error(err)))
                ws->ev_close_done = true;
        }
    }
    if (ws->ev_mask != 0)
        ev_check(ws);
}

void
wsp_events_reenable(WspSocket *ws, LONG ev)
{
    LONG newly;

    if (ws->closed || ws->ev_mask == 0)
        return;
    newly = ev & ws->ev_mask & ~ws->ev_armed;
    ws->ev_armed |= ev & ws->ev_mask;
    if (newly != 0 && sim_trace_enabled(ws->world)) {
        char names[96];

        ev_mask_text(newly, names, sizeof names);
        ev_note(ws, "%s re-enabled", names);
    }
    ev_check_later(ws);
}

void
wsp_events_after_send(WspSocket *ws, int err)
{
    if (ws->closed || ws->ev_mask == 0)
        return;
    if (err == WSAEWOULDBLOCK)
        ws->ev_write_wanted = true; /* FD_WRITE once space frees up */
    wsp_events_reenable(ws, FD_WRITE);
}

void
wsp_events_on_bind(WspSocket *ws)
{
    if (ws->stream || ws->ev_mask == 0)
        return;
    ws->ev_write_wanted = true;
    ev_check_later(ws);
}

void
wsp_events_on_connect(WspSocket *ws)
{
    if (ws->stream || ws->ev_mask == 0)
        return;
    ws->ev_connect_due = true; /* choice 11: datagram connect succeeds at once */
    ws->ev_connect_err = 0;
    ws->ev_write_wanted = true;
    ev_check_later(ws);
}

void
wsp_events_on_ioctl(WspSocket *ws, DWORD code)
{
    switch (code) {
    case SIO_GET_QOS:
        wsp_events_reenable(ws, FD_QOS);
        break;
    case SIO_GET_GROUP_QOS:
        wsp_events_reenable(ws, FD_GROUP_QOS);
        break;
    case SIO_ROUTING_INTERFACE_CHANGE:
        wsp_events_reenable(ws, FD_ROUTING_INTERFACE_CHANGE);
        break;
    case SIO_ADDRESS_LIST_CHANGE:
        wsp_events_reenable(ws, FD_ADDRESS_LIST_CHANGE);
        break;
    default:
        break;
    }
}

void
wsp_events_inherit(WspSocket *ws, const WspSocket *ls)
{
    if (ls->ev_mask == 0)
        return;
    ws->ev_mask = ls->ev_mask;
    ws->ev_hwnd = ls->ev_hwnd;
    ws->ev_msg = ls->ev_msg;
    ws->ev_event = ls->ev_event;
    ws->ev_armed = ls->ev_mask & ~EV_IOCTL_ARMED;
    ws->ev_write_wanted = true; /* "the accepted socket gets FD_WRITE once usable" */
    ws->nonblocking = true;
    ws->async_registered = true;
    memset(&ws->ev_record, 0, sizeof ws->ev_record);
    ev_check_later(ws);
}

void
wsp_events_on_reuse(WspSocket *ws)
{
    if (ws->ev_mask == 0)
        return;
    /* As at registration, for a socket not yet connected; the IOCTL-armed
     * events keep their state, and the record stays for WSPEnumNetworkEvents. */
    ws->ev_armed = (ws->ev_mask & ~EV_IOCTL_ARMED) | (ws->ev_armed & EV_IOCTL_ARMED);
    ws->ev_write_wanted = true;
    ws->ev_connect_due = false;
    ws->ev_close_due = false;
    ws->ev_close_done = false;
}

void
wsp_notify_release(WspSocket *ws)
{
    wsp_ov_abort_all(ws, false);
    wsp_ext_abort(ws, false); /* AcceptEx, TransmitFile... (wsp-extension.c) */
    wsp_change_release(ws); /* *_CHANGE watches (wsp-change.c) */
    ws->ev_mask = 0;
    ws->ev_armed = 0;
    ws->ev_hwnd = NULL;
    ws->ev_event = NULL;
    ws->async_registered = false;
}

/* ---- Registration -------------------------------------------------------- */

/* Replace the registration (REFERENCE 2.5); report what is already true. */
static void
ev_register(WspSocket *ws, HWND hwnd, UINT msg, WSAEVENT event, LONG mask)
{
    SimTcpState state = SIM_TCP_CLOSED;

    ws->nonblocking = true; /* whatever the mask */
    ws->ev_mask = mask;
    ws->ev_hwnd = mask != 0 ? hwnd : NULL;
    ws->ev_msg = msg;
    ws->ev_event = mask != 0 ? event : NULL;
    ws->async_registered = mask != 0;
    memset(&ws->ev_record, 0, sizeof ws->ev_record);
    ws->ev_armed = mask & ~EV_IOCTL_ARMED;
    ws->ev_connect_due = false;
    ws->ev_write_wanted = true;
    if (mask == 0)
        return;
    if (ws->sock != 0 && !ws->transport_gone) {
        if (ws->stream && !ws->listening &&
            sim_tcp_get_state(ws->world, ws->sock, &state) == SIM_OK &&
            sim_tcp_state_is_synchronized(state)) {
            ws->ev_connect_due = true; /* "at registration if already connected" */
            ws->ev_connect_err = 0;
        } else if (!ws->stream && sim_udp_is_connected(ws->world, ws->sock)) {
            ws->ev_connect_due = true;
            ws->ev_connect_err = 0;
        }
    }
    /* FD_CLOSE "at registration if the connection is already closed". */
    ws->ev_close_done = false;
    if (ws->stream && !ws->listening && !ws->connect_failed &&
        ((ev_poll(ws) & SIM_SOCK_EV_CLOSED) || ws->transport_gone) &&
        (ws->events_seen & (SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_FREED))) {
        SimStatus st = ws->gone_err != SIM_OK ? ws->gone_err : ws->so_error;

        ws->ev_close_due = true;
        if (st != SIM_OK && ev_report(ws, FD_CLOSE, close_error(st)))
            ws->ev_close_done = true;
    }
    ev_check(ws);
}

/**
 * WSPEventSelect:
 *
 * Associates @hEventObject with the FD_* events in @lNetworkEvents,
 * replacing any earlier registration of either kind and clearing the
 * network-event record; mask 0 cancels (the event is then ignored,
 * choice 8).  The socket becomes non-blocking whatever the mask; FIONBIO
 * back to blocking fails with WSAEINVAL while a nonzero mask is registered.
 * Events already true are recorded, and the event set, before it returns.
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEINVAL (unknown FD_* bits,
 * or, with a nonzero mask, no event or — under the default upcall table — a
 * handle that is not a live event), WSANOTINITIALISED.
 */
int WSPAPI
WSPEventSelect(SOCKET s, WSAEVENT hEventObject, LONG lNetworkEvents, LPINT lpErrno)
{
    char names[128];
    WspCall call;
    WspSocket *ws;
    int err;

    if (!wsp_call_begin(&call, "WSPEventSelect", &err))
        return wsp_call_fail(&call, lpErrno, err);
    if (call.trace) {
        ev_mask_text(lNetworkEvents & FD_ALL_EVENTS, names, sizeof names);
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, event=0x%" G_GINT64_MODIFIER "x, %s",
                      (guint64) s, (guint64) (uintptr_t) hEventObject, names);
    }
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL)
        return wsp_call_fail(&call, lpErrno, WSAENOTSOCK);
    if ((lNetworkEvents & ~(LONG) FD_ALL_EVENTS) != 0 ||
        (lNetworkEvents != 0 &&
         (hEventObject == NULL || !wsp_upcall_event_valid(call.proc, call.world, hEventObject))))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    wsp_call_ok(&call);
    ev_register(ws, NULL, 0, hEventObject, lNetworkEvents);
    return 0;
}

/**
 * WSPAsyncSelect:
 *
 * Registers window-message notification: one message @wMsg per event
 * occurrence, posted with WPUPostMessage(@hWnd, @wMsg, socket,
 * WSAMAKESELECTREPLY(event, error)).  Replaces any earlier registration of
 * either kind; mask 0 cancels (messages already queued stay queued).  The
 * socket becomes non-blocking.  Events already true are posted before it
 * returns.
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEINVAL (unknown FD_* bits,
 * or, with a nonzero mask, a NULL window or — under the default upcall
 * table — a handle that is not a live window: "hWnd is not a window"),
 * WSANOTINITIALISED.
 */
int WSPAPI
WSPAsyncSelect(SOCKET s, HWND hWnd, unsigned int wMsg, LONG lEvent, LPINT lpErrno)
{
    char names[128];
    WspCall call;
    WspSocket *ws;
    int err;

    if (!wsp_call_begin(&call, "WSPAsyncSelect", &err))
        return wsp_call_fail(&call, lpErrno, err);
    if (call.trace) {
        ev_mask_text(lEvent & FD_ALL_EVENTS, names, sizeof names);
        wsp_call_args(&call,
                      "s=0x%" G_GINT64_MODIFIER "x, hwnd=0x%" G_GINT64_MODIFIER "x, msg=0x%x, %s",
                      (guint64) s, (guint64) (uintptr_t) hWnd, wMsg, names);
    }
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL)
        return wsp_call_fail(&call, lpErrno, WSAENOTSOCK);
    if ((lEvent & ~(LONG) FD_ALL_EVENTS) != 0 ||
        (lEvent != 0 && (hWnd == NULL || !wsp_upcall_window_valid(call.proc, call.world, hWnd))))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    wsp_call_ok(&call);
    ev_register(ws, hWnd, wMsg, NULL, lEvent);
    return 0;
}

/**
 * WSPEnumNetworkEvents:
 *
 * Copies the socket's network-event record into @lpNetworkEvents (only the
 * iErrorCode slots of the bits set are written), clears it, and resets
 * @hEventObject when given — all or nothing: when the reset fails nothing
 * is cleared.
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEINVAL (NULL
 * @lpNetworkEvents, or @hEventObject could not be reset), WSANOTINITIALISED.
 */
int WSPAPI
WSPEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject, LPWSANETWORKEVENTS lpNetworkEvents,
                     LPINT lpErrno)
{
    char names[128];
    WspCall call;
    WspSocket *ws;
    LONG got;
    int err, e = 0;

    if (!wsp_call_begin(&call, "WSPEnumNetworkEvents", &err))
        return wsp_call_fail(&call, lpErrno, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL)
        return wsp_call_fail(&call, lpErrno, WSAENOTSOCK);
    if (lpNetworkEvents == NULL)
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    if (hEventObject != NULL && !call.proc->upcalls.lpWPUResetEvent(hEventObject, &e))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    got = ws->ev_record.lNetworkEvents;
    lpNetworkEvents->lNetworkEvents = got;
    for (int i = 0; i < FD_MAX_EVENTS; i++)
        if (got & (1L << i))
            lpNetworkEvents->iErrorCode[i] = ws->ev_record.iErrorCode[i];
    memset(&ws->ev_record, 0, sizeof ws->ev_record);
    if (call.trace) {
        ev_mask_text(got, names, sizeof names);
        wsp_call_end(&call, "0 %s", names);
    }
    return 0;
}
