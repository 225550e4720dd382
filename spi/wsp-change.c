/* SPDX-License-Identifier: MIT
 *
 * wsp-change.c: the change source behind SIO_ROUTING_INTERFACE_CHANGE /
 * FD_ROUTING_INTERFACE_CHANGE and SIO_ADDRESS_LIST_CHANGE /
 * FD_ADDRESS_LIST_CHANGE (REFERENCE WSPIoctl, 2.5; doc/notification.md).
 *
 * Each *_CHANGE IOCTL leaves a watch on its socket: what the socket would
 * see now — for a routing watch, the interface toward the destination given
 * in the input (source address and first-hop link, or the error that says
 * there is none); for an address-list watch, the node's addresses of the
 * socket's family.  An overlapped IOCTL's watch belongs to its request; a
 * call without overlapped parameters (WSAEWOULDBLOCK) leaves the socket's
 * one event watch of that kind, replacing an earlier one.  The network
 * tells the provider that routes or addresses may have changed through a
 * route hook (sim_net_add_route_hook: a zero-delay simulator event after
 * the change); the hook then visits every process and socket in creation
 * order and compares.  A watch whose view changed fires: its overlapped
 * request completes (0 bytes; error 0, or WSAENETUNREACH / WSAENETDOWN for
 * a routing watch whose destination became unreachable — choice 12), the
 * socket's FD_* event is reported with the same error if registered and
 * re-enabled, and the watch is gone.  A change that leaves a watch's view
 * as it was reports nothing.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"

/* What a routing watch sees: the interface toward its destination. */
typedef struct {
    int err;        /* 0, WSAENETUNREACH, WSAENETDOWN */
    SimAddr src;    /* err == 0: the source address chosen */
    SimLinkId link; /* err == 0: the first-hop link (0: local destination) */
} ChangeIf;

typedef struct {
    DWORD code;         /* SIO_ROUTING_INTERFACE_CHANGE or SIO_ADDRESS_LIST_CHANGE */
    LPWSAOVERLAPPED ov; /* its overlapped request, or NULL: the event watch */
    bool any;           /* routing: no destination: the next route hook call */
    SimAddr dst;        /* routing: the destination */
    ChangeIf seen;      /* routing: the interface when armed */
    GArray *addrs;      /* address list: of SimAddr, when armed */
} ChangeWatch;

struct WspChange {
    GArray *watches; /* of ChangeWatch, in arming order */
    /* Per kind (0: routing, 1: address list): how many watches fired, and
     * the error of the latest — what a blocking call waits for. */
    guint64 fired[2];
    int last_err[2];
};

static void
watch_clear(ChangeWatch *w)
{
    if (w->addrs != NULL)
        g_array_free(w->addrs, TRUE);
    w->addrs = NULL;
}

static SimNodeId
sock_node(const WspSocket *ws)
{
    return sim_process_node(ws->world, ws->proc->pid);
}

static bool
link_up(SimWorld *world, SimLinkId link, SimLinkDir dir)
{
    SimLinkParams p;

    return sim_link_get_params(world, link, dir, &p) == SIM_OK && p.up;
}

/* No link of @node is up in the direction leaving it. */
static bool
node_isolated(SimWorld *world, SimNodeId node)
{
    size_t n = sim_world_link_count(world);

    for (SimLinkId l = 1; l <= n; l++) {
        if (sim_link_node(world, l, SIM_DIR_AB) == node && link_up(world, l, SIM_DIR_AB))
            return false;
        if (sim_link_node(world, l, SIM_DIR_BA) == node && link_up(world, l, SIM_DIR_BA))
            return false;
    }
    return true;
}

/* The interface @ws's node would use toward @dst now. */
static void
route_view(const WspSocket *ws, const SimAddr *dst, ChangeIf *out)
{
    SimNodeId node = sock_node(ws);
    SimNetHop hops[64];
    int n;

    memset(out, 0, sizeof *out);
    if (!sim_node_is_up(ws->world, node)) {
        out->err = WSAENETDOWN; /* all connectivity lost */
        return;
    }
    if (sim_node_source_addr(ws->world, node, dst, &out->src) != SIM_OK) {
        memset(&out->src, 0, sizeof out->src);
        out->err = WSAENETUNREACH;
        return;
    }
    n = sim_net_route_links(ws->world, node, dst, hops, G_N_ELEMENTS(hops));
    if (n < 0) {
        memset(&out->src, 0, sizeof out->src);
        out->err = WSAENETUNREACH;
        return;
    }
    /* The route takes the physical path when no live one exists (a
     * partition): then the destination is unreachable for now —
     * WSAENETDOWN when every link of the node is down (all connectivity
     * lost, as SIO_ROUTING_INTERFACE_QUERY says), else WSAENETUNREACH. */
    for (int i = 0; i < MIN(n, (int) G_N_ELEMENTS(hops)); i++) {
        if (!link_up(ws->world, hops[i].link, hops[i].dir)) {
            memset(&out->src, 0, sizeof out->src);
            out->err = node_isolated(ws->world, node) ? WSAENETDOWN : WSAENETUNREACH;
            return;
        }
    }
    if (n > 0)
        out->link = hops[0].link;
}

static bool
if_equal(const ChangeIf *a, const ChangeIf *b)
{
    if (a->err != b->err)
        return false;
    return a->err != 0 || (a->link == b->link && sim_addr_equal(&a->src, &b->src));
}

static GArray *
addr_view(const WspSocket *ws)
{
    SimNodeId node = sock_node(ws);
    size_t n = sim_node_addr_count(ws->world, node);
    GArray *a = g_array_new(FALSE, TRUE, sizeof(SimAddr));

    for (size_t i = 0; i < n; i++) {
        const SimAddr *x = sim_node_addr(ws->world, node, i);

        if (x->family == ws->family)
            g_array_append_vals(a, x, 1);
    }
    return a;
}

static bool
addrs_equal(const GArray *a, const GArray *b)
{
    if (a->len != b->len)
        return false;
    for (guint i = 0; i < a->len; i++)
        if (!sim_addr_equal(&g_array_index(a, SimAddr, i), &g_array_index(b, SimAddr, i)))
            return false;
    return true;
}

/* The route hook: compare every watch of every socket, in creation order. */
static void
change_hook(SimWorld *world, void *data)
{
    WspState *st = wsp_state_get(world, false);

    (void) data;
    if (st == NULL)
        return;
    for (guint p = 0; p < st->procs->len; p++) {
        WspProcess *proc = g_ptr_array_index(st->procs, p);
        GPtrArray *socks;

        /* Completions run client code (APCs queue; events are set): work on
         * a referenced copy of the list. */
        socks = g_ptr_array_new();
        for (guint i = 0; i < proc->sockets->len; i++) {
            WspSocket *ws = g_ptr_array_index(proc->sockets, i);

            if (ws->chg != NULL && ws->chg->watches->len > 0)
                g_ptr_array_add(socks, wsp_socket_ref(ws));
        }
        for (guint i = 0; i < socks->len; i++) {
            WspSocket *ws = g_ptr_array_index(socks, i);

            if (!ws->closed)
                wsp_change_check(ws);
            wsp_socket_unref(ws);
        }
        g_ptr_array_free(socks, TRUE);
    }
}

/* Does @w see a change now?  *@out_err: the error to report. */
static bool
watch_fires(const WspSocket *ws, const ChangeWatch *w, int *out_err)
{
    *out_err = 0;
    if (w->code == SIO_ADDRESS_LIST_CHANGE) {
        GArray *now = addr_view(ws);
        bool changed = !addrs_equal(now, w->addrs);

        g_array_free(now, TRUE);
        return changed;
    }
    if (w->any)
        return true; /* any routing change: every hook call */
    {
        ChangeIf now;

        route_view(ws, &w->dst, &now);
        *out_err = now.err;
        return !if_equal(&now, &w->seen);
    }
}

/**
 * wsp_change_check:
 * @ws: a socket with watches
 *
 * Fire the watches of @ws whose view changed (the route hook calls it for
 * every socket; "any destination" routing watches fire on every call).
 */
void
wsp_change_check(WspSocket *ws)
{
    WspChange *c = ws->chg;
    LONG report = 0;
    int route_err = 0;
    guint i = 0;

    if (c == NULL)
        return;
    while (i < c->watches->len) {
        ChangeWatch w = g_array_index(c->watches, ChangeWatch, i);
        int err;

        if (!watch_fires(ws, &w, &err)) {
            i++;
            continue;
        }
        g_array_remove_index(c->watches, i); /* keeps the others in order */
        c->fired[w.code == SIO_ROUTING_INTERFACE_CHANGE ? 0 : 1]++;
        c->last_err[w.code == SIO_ROUTING_INTERFACE_CHANGE ? 0 : 1] = err;
        if (w.code == SIO_ROUTING_INTERFACE_CHANGE) {
            if (!(report & FD_ROUTING_INTERFACE_CHANGE))
                route_err = err;
            report |= FD_ROUTING_INTERFACE_CHANGE;
        } else {
            report |= FD_ADDRESS_LIST_CHANGE;
        }
        if (w.ov != NULL)
            wsp_ov_ioctl_complete(ws, w.code, w.ov, err);
        watch_clear(&w);
        if (ws->closed)
            return;
    }
    if (report != 0)
        sim_waitq_wake_all(ws->world, &ws->cq); /* blocking *_CHANGE calls */
    if (report & FD_ROUTING_INTERFACE_CHANGE)
        wsp_events_signal(ws, FD_ROUTING_INTERFACE_CHANGE, route_err);
    if ((report & FD_ADDRESS_LIST_CHANGE) && !ws->closed)
        wsp_events_signal(ws, FD_ADDRESS_LIST_CHANGE, 0);
}

/**
 * wsp_change_ioctl:
 *
 * The synchronous part of SIO_ROUTING_INTERFACE_CHANGE (@in: the
 * destination; NULL, empty or unspecified: the next change the network
 * reports, routes or addresses) and
 * SIO_ADDRESS_LIST_CHANGE: validate, record the socket's event watch of
 * that kind (replacing an earlier one) and hook the network.
 *
 * Returns: WSAEFAULT (bad destination), else WSAEWOULDBLOCK (non-blocking,
 *   or no actor to block); a blocking socket waits for the change and
 *   returns 0, the route's error (WSAENETUNREACH/WSAENETDOWN), or the
 *   wait's (WSAEINTR ...); an overlapped call ignores the would-block
 *   answer and stays pending (wsp_ov_ioctl).
 */
int
wsp_change_ioctl(WspCall *call, WspSocket *ws, DWORD code, LPVOID in, DWORD cbin)
{
    ChangeWatch w;

    memset(&w, 0, sizeof w);
    w.code = code;
    if (code == SIO_ROUTING_INTERFACE_CHANGE) {
        SimSockAddr sa;

        if (in == NULL || cbin == 0) {
            w.any = true;
        } else {
            const struct sockaddr *s = in;

            if (cbin < sizeof(u_short) ||
                wsp_sockaddr_in(s, (int) cbin,
                                s->sa_family == AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET, &sa) != 0)
                return WSAEFAULT;
            w.dst = sa.addr;
            w.any = sim_addr_is_any(&w.dst);
            if (!w.any)
                route_view(ws, &w.dst, &w.seen);
        }
    } else {
        w.addrs = addr_view(ws);
    }
    if (ws->chg == NULL) {
        ws->chg = g_new0(WspChange, 1);
        ws->chg->watches = g_array_new(FALSE, TRUE, sizeof(ChangeWatch));
    }
    /* One event watch per kind: the latest call's. */
    for (guint i = 0; i < ws->chg->watches->len; i++) {
        ChangeWatch *o = &g_array_index(ws->chg->watches, ChangeWatch, i);

        if (o->code == code && o->ov == NULL) {
            watch_clear(o);
            g_array_remove_index(ws->chg->watches, i);
            break;
        }
    }
    g_array_append_val(ws->chg->watches, w);
    sim_net_add_route_hook(call->world, change_hook, NULL); /* once per world */
    if (ws->nonblocking || call->actor == SIM_ID_NONE)
        return WSAEWOULDBLOCK;
    /* Blocking: wait until this kind of watch fires (or the call is
     * cancelled, the socket closed, the process killed). */
    {
        int k = code == SIO_ROUTING_INTERFACE_CHANGE ? 0 : 1;
        guint64 before = ws->chg->fired[k];
        int err;

        wsp_socket_ref(ws);
        for (;;) {
            err = wsp_wait(call, ws, &ws->cq, SIM_TIME_INFINITE);
            if (err != 0)
                break;
            if (ws->chg != NULL && ws->chg->fired[k] != before) {
                err = ws->chg->last_err[k];
                break;
            }
        }
        wsp_socket_unref(ws);
        return err;
    }
}

/**
 * wsp_change_ov_pending:
 *
 * The overlapped request @ov of @code is pending: it takes a copy of the
 * event watch wsp_change_ioctl just recorded.
 */
void
wsp_change_ov_pending(WspSocket *ws, DWORD code, LPWSAOVERLAPPED ov)
{
    ChangeWatch w;

    if (ws->chg == NULL)
        return;
    for (guint i = ws->chg->watches->len; i-- > 0;) {
        const ChangeWatch *o = &g_array_index(ws->chg->watches, ChangeWatch, i);

        if (o->code != code || o->ov != NULL)
            continue;
        w = *o;
        w.ov = ov;
        if (w.addrs != NULL)
            w.addrs = g_array_copy(w.addrs);
        g_array_append_val(ws->chg->watches, w);
        return;
    }
}

/* The socket's handle is being released: forget its watches. */
void
wsp_change_release(WspSocket *ws)
{
    if (ws->chg == NULL)
        return;
    for (guint i = 0; i < ws->chg->watches->len; i++)
        watch_clear(&g_array_index(ws->chg->watches, ChangeWatch, i));
    g_array_free(ws->chg->watches, TRUE);
    g_free(ws->chg);
    ws->chg = NULL;
}
