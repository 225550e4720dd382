/* SPDX-License-Identifier: MIT
 *
 * wsp-select.c: WSPSelect over Winsock fd_sets (count + array, REFERENCE
 * 1.8 and WSPSelect).  Readiness comes from wsp_socket_readable/writable/
 * except (wsp-socket.c); a blocking select waits on the wait queues of
 * every socket in the sets at once, in simulated time, interruptibly
 * (WSPCancelBlockingCall).  doc/notification.md.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"

#define N_SETS 3

static const char set_tag[N_SETS] = { 'r', 'w', 'e' };

/* A failed connect shows only in the except set (REFERENCE WSPSelect). */
static bool
ready(WspSocket *ws, int which)
{
    switch (which) {
    case 0:
        return !ws->connect_failed && wsp_socket_readable(ws);
    case 1:
        return !ws->connect_failed && wsp_socket_writable(ws);
    default:
        return wsp_socket_except(ws);
    }
}

/* Collect the sockets of @set (NULL: none); WSAENOTSOCK for a stranger. */
static int
collect(const WspCall *call, fd_set *set, GPtrArray *out)
{
    if (set == NULL)
        return 0;
    if (set->fd_count > FD_SETSIZE)
        return WSAEFAULT;
    for (u_int i = 0; i < set->fd_count; i++) {
        WspSocket *ws = wsp_handle_lookup(call, set->fd_array[i]);

        if (ws == NULL)
            return WSAENOTSOCK;
        g_ptr_array_add(out, ws);
    }
    return 0;
}

static void
set_text(GString *str, char tag, const fd_set *set)
{
    if (set == NULL)
        return;
    if (str->len > 0)
        g_string_append_c(str, ' ');
    g_string_append_printf(str, "%c={", tag);
    for (u_int i = 0; i < set->fd_count && i < FD_SETSIZE; i++)
        g_string_append_printf(str, "%s0x%" G_GINT64_MODIFIER "x", i > 0 ? "," : "",
                               (guint64) set->fd_array[i]);
    g_string_append_c(str, '}');
}

/* Count what is ready; when @rewrite, keep only ready sockets in the sets. */
static int
scan(fd_set *sets[N_SETS], GPtrArray *socks[N_SETS], bool rewrite)
{
    int total = 0;

    for (int k = 0; k < N_SETS; k++) {
        u_int n = 0;

        if (sets[k] == NULL)
            continue;
        for (guint i = 0; i < socks[k]->len; i++) {
            WspSocket *ws = g_ptr_array_index(socks[k], i);

            if (!ready(ws, k))
                continue;
            total++;
            /* The caller's own descriptor (a shared socket has several):
             * entry i was parsed into socks[k][i], and n <= i. */
            if (rewrite)
                sets[k]->fd_array[n++] = sets[k]->fd_array[i];
        }
        if (rewrite)
            sets[k]->fd_count = n;
    }
    return total;
}

/**
 * WSPSelect:
 * @nfds: ignored
 * @readfds: (nullable): readable — pending connection on a listener, data,
 *   graceful close (receive returns 0), reset; OOB data with SO_OOBINLINE
 * @writefds: (nullable): writable — a connect succeeded, or a send is possible
 * @exceptfds: (nullable): a non-blocking connect failed, or OOB data waits
 *   (SO_OOBINLINE off)
 * @timeout: (nullable): NULL waits for ever, {0,0} polls, otherwise the
 *   longest wait in simulated time; never modified
 *
 * Each set is rewritten to hold only its ready sockets.  A socket in two
 * sets counts twice (choice 36).  A blocking select waits on every socket's
 * wait queues at once; outside any actor it can only poll.
 *
 * Returns: the number of ready entries (0 on time-out); SOCKET_ERROR with
 * WSAEINVAL (every set NULL or empty, invalid @timeout), WSAEFAULT (an
 * fd_count beyond FD_SETSIZE), WSAENOTSOCK, WSAEINTR (cancelled, or a
 * socket of the sets closed meanwhile), WSAENETDOWN (process killed),
 * WSANOTINITIALISED.
 */
int WSPAPI
WSPSelect(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
          const struct timeval *timeout, LPINT lpErrno)
{
    fd_set *sets[N_SETS] = { readfds, writefds, exceptfds };
    GPtrArray *socks[N_SETS] = { NULL, NULL, NULL };
    g_autoptr(GPtrArray) uniq = NULL;
    g_autofree SimWaitQueue **queues = NULL;
    WspCall call;
    SimTime deadline = SIM_TIME_INFINITE;
    size_t entries = 0;
    int err = 0, count = 0;

    (void) nfds;
    if (!wsp_call_begin(&call, "WSPSelect", &err))
        return wsp_call_fail(&call, lpErrno, err);
    if (call.trace) {
        GString *str = g_string_new(NULL);

        for (int k = 0; k < N_SETS; k++)
            set_text(str, set_tag[k], sets[k]);
        if (timeout == NULL)
            g_string_append(str, str->len > 0 ? " timeout=NULL" : "timeout=NULL");
        else
            g_string_append_printf(str, "%stimeout=%ld.%06lds", str->len > 0 ? " " : "",
                                   (long) timeout->tv_sec, (long) timeout->tv_usec);
        wsp_call_args(&call, "%s", str->str);
        g_string_free(str, TRUE);
    }
    for (int k = 0; k < N_SETS; k++)
        if (sets[k] != NULL)
            entries += MIN(sets[k]->fd_count, (u_int) FD_SETSIZE + 1);
    /* Empty non-NULL sets are allowed beside a non-empty one (FD_ZERO'd
     * sets are the common idiom); all empty is WSAEINVAL (doc/notification.md). */
    if (entries == 0)
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    if (timeout != NULL) {
        if (timeout->tv_sec < 0 || timeout->tv_usec < 0 || timeout->tv_usec >= 1000000)
            return wsp_call_fail(&call, lpErrno, WSAEINVAL); /* choice 38 */
        deadline = sim_world_now(call.world) + (SimTime) timeout->tv_sec * SIM_SEC +
                   (SimTime) timeout->tv_usec * SIM_USEC;
    }
    for (int k = 0; k < N_SETS; k++) {
        socks[k] = g_ptr_array_new();
        if (err == 0)
            err = collect(&call, sets[k], socks[k]);
    }
    if (err != 0)
        goto out;

    /* The distinct sockets, in first-appearance order; each is held so that
     * a close by another actor cannot free it under the wait. */
    uniq = g_ptr_array_new_with_free_func((GDestroyNotify) wsp_socket_unref);
    for (int k = 0; k < N_SETS; k++)
        for (guint i = 0; i < socks[k]->len; i++) {
            WspSocket *ws = g_ptr_array_index(socks[k], i);

            if (!g_ptr_array_find(uniq, ws, NULL))
                g_ptr_array_add(uniq, wsp_socket_ref(ws));
        }
    queues = g_new(SimWaitQueue *, 3 * uniq->len);
    for (guint i = 0; i < uniq->len; i++) {
        WspSocket *ws = g_ptr_array_index(uniq, i);

        queues[3 * i] = &ws->rq;
        queues[3 * i + 1] = &ws->wq;
        queues[3 * i + 2] = &ws->cq;
    }

    for (;;) {
        SimWaitResult r;

        for (guint i = 0; i < uniq->len; i++) {
            if (((WspSocket *) g_ptr_array_index(uniq, i))->closed) {
                err = WSAEINTR;
                goto out;
            }
        }
        count = scan(sets, socks, false);
        if (count > 0 || (timeout != NULL && timeout->tv_sec == 0 && timeout->tv_usec == 0) ||
            call.actor == SIM_ID_NONE ||
            (deadline != SIM_TIME_INFINITE && sim_world_now(call.world) >= deadline))
            break;
        wsp_call_blocks(&call);
        r = wsp_block_wait(&call, ((WspSocket *) g_ptr_array_index(uniq, 0))->proto->dwCatalogEntryId,
                           queues, 3 * uniq->len, deadline, NULL);
        if (r == SIM_WAIT_KILLED) {
            err = WSAENETDOWN;
            goto out;
        }
        if (r == SIM_WAIT_INTERRUPTED) {
            err = WSAEINTR;
            goto out;
        }
    }
    count = scan(sets, socks, true);
out:
    for (int k = 0; k < N_SETS; k++)
        if (socks[k] != NULL)
            g_ptr_array_free(socks[k], TRUE);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    if (call.trace) {
        GString *str = g_string_new(NULL);

        for (int k = 0; k < N_SETS; k++)
            if (sets[k] != NULL && sets[k]->fd_count > 0)
                set_text(str, set_tag[k], sets[k]);
        wsp_call_end(&call, "%d%s%s", count, str->len > 0 ? " " : "", str->str);
        g_string_free(str, TRUE);
    }
    return count;
}
