/* SPDX-License-Identifier: MIT
 *
 * wsp-multipoint.c: multipoint sessions (REFERENCE 2.8, WSPJoinLeaf, the
 * multipoint parts of WSPListen/WSPAccept; issue 8).  doc/multipoint.md.
 *
 * Non-rooted (the UDP entries: XP1_SUPPORT_MULTIPOINT, both plane bits
 * clear): WSPJoinLeaf(c_leaf, group:port) joins the simulated multicast
 * group (sim-udp) and makes group:port the socket's default destination;
 * every member's sends reach every member, scoped by SIO_MULTICAST_SCOPE
 * and looped back to local members per SIO_MULTIPOINT_LOOPBACK (the
 * sim-udp multicast options those IOCTLs set).
 *
 * Rooted (WSPSIM_CATALOG_MP_ROOTED_V4 and _V6, both plane bits set): a
 * control plane of one reliable sim-tcp connection per leaf, opened by
 * whoever joins — the root inviting a leaf (WSPJoinLeaf(c_root, leaf), seen by the
 * leaf as FD_ACCEPT on its listening c_leaf socket) or a leaf asking the
 * listening root (WSPJoinLeaf(c_leaf, root)).  The connection carries one
 * request (JL flags, the sender's data address, caller data) and one
 * answer (accept with the answerer's data address and callee data, or
 * reject), then stays open: its end is the leaf's leaving (FD_CLOSE on the
 * other side).  Data plane: the root's sends are copied to every leaf that
 * receives; a leaf's datagram socket is connected to the root, so it sends
 * to and hears only the root.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"

#define MP_FLAGS                                                                                 \
    (WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_ROOT |    \
     WSA_FLAG_MULTIPOINT_D_LEAF)
/* Largest caller/callee data the control plane carries. */
#define MP_USER_DATA_MAX 512
/* Control message: type, jl, family, 16 address bytes, port (2), length (2). */
#define MP_HDR 23

enum { MSG_REQUEST = 1, MSG_ACCEPT = 2, MSG_REJECT = 3 };
/* Set in the type byte when WSP_QOS_WIRE_LEN bytes of QOS follow the user
 * data: a request's lpSQOS, and the answer's negotiated QOS. */
#define MSG_HAS_QOS 0x80

typedef enum {
    LINK_CONNECTING, /* requester: the control connection is being opened */
    LINK_WAIT_REPLY, /* requester: request sent */
    LINK_WAIT_REQ,   /* acceptor: connection accepted, request not complete yet */
    LINK_PENDING,    /* acceptor: request complete, waiting for WSPAccept */
    LINK_UP,         /* joined */
    LINK_DOWN,       /* closed or failed */
} LinkState;

typedef struct MpSock MpSock;

/* One control connection (rooted control plane). */
typedef struct {
    SimSocketId ctl;
    SimFamily family;    /* of the session: every data address carried is one */
    LinkState state;
    MpSock *owner;       /* the descriptor this leaf is known by (nullable while pending) */
    MpSock *root;        /* the session's c_root record on the root's side, else NULL */
    MpSock *requester;   /* the socket whose WSPJoinLeaf opened it (requester side) */
    MpSock *listener;    /* acceptor side: the listening socket it arrived on */
    GByteArray *in;      /* received, not yet parsed */
    DWORD jl;            /* the leaf's role */
    SimSockAddr peer_data; /* the other side's data address */
    guint8 *user;        /* request: caller data; requester: callee data received */
    size_t user_len;
    bool has_qos;        /* requester: what it asked for, then what the answer says; */
    QOS qos;             /* acceptor: what the request offered (requester's orientation) */
} MpLink;

/* Multipoint state of one provider socket. */
struct MpSock {
    WspSocket *ws;       /* (ref) */
    bool joining;        /* a join is outstanding on this socket */
    bool joined;         /* a member (non-rooted) or a joined leaf (rooted) */
    int join_err;        /* outcome of the last join (for the blocking waiter) */
    DWORD jl;
    SimSockAddr session; /* non-rooted: group:port */
    SimSocketId listener; /* rooted: control listener of WSPListen, 0 if none */
    GPtrArray *links;    /* c_root: of MpLink*, every leaf; acceptors: pending ones */
    MpLink *link;        /* a leaf descriptor's (or root-side c_leaf's) own link */
    LPWSABUF callee_out; /* non-blocking join: where callee data goes at FD_CONNECT */
};

typedef struct {
    GPtrArray *socks;   /* of MpSock*, creation order */
    GPtrArray *links;   /* of MpLink*, creation order (owns them) */
    GHashTable *by_ctl; /* SimSocketId -> MpLink* / listener -> MpSock*; lookup only */
} MpState;

/* ---- Records ------------------------------------------------------------- */

static void
link_free(gpointer data)
{
    MpLink *l = data;

    g_byte_array_unref(l->in);
    g_free(l->user);
    g_free(l);
}

static void
sock_free(gpointer data)
{
    MpSock *m = data;

    wsp_socket_unref(m->ws);
    g_ptr_array_unref(m->links);
    g_free(m);
}

static void
state_free(gpointer data)
{
    MpState *s = data;

    g_hash_table_unref(s->by_ctl);
    g_ptr_array_unref(s->socks);
    g_ptr_array_unref(s->links);
    g_free(s);
}

static MpState *
mp_state(SimWorld *world, bool create)
{
    MpState *s = sim_world_get_data(world, "wsp-mp");

    if (s != NULL || !create)
        return s;
    s = g_new0(MpState, 1);
    s->socks = g_ptr_array_new_with_free_func(sock_free);
    s->links = g_ptr_array_new_with_free_func(link_free);
    s->by_ctl = g_hash_table_new(g_direct_hash, g_direct_equal);
    sim_world_set_data(world, "wsp-mp", s, state_free);
    return s;
}

static MpSock *
mp_find(const WspSocket *ws)
{
    MpState *s = mp_state(ws->world, false);

    if (s == NULL)
        return NULL;
    for (guint i = 0; i < s->socks->len; i++) {
        MpSock *m = g_ptr_array_index(s->socks, i);

        if (m->ws == ws)
            return m;
    }
    return NULL;
}

static MpSock *
mp_get(WspSocket *ws)
{
    MpState *s = mp_state(ws->world, true);
    MpSock *m = mp_find(ws);

    if (m != NULL)
        return m;
    m = g_new0(MpSock, 1);
    m->ws = wsp_socket_ref(ws);
    m->links = g_ptr_array_new();
    g_ptr_array_add(s->socks, m);
    return m;
}

static bool
is_rooted(const WspSocket *ws)
{
    return (ws->proto->dwServiceFlags1 & XP1_MULTIPOINT_CONTROL_PLANE) != 0;
}

static bool
is_c_root(const WspSocket *ws)
{
    return (ws->flags & WSA_FLAG_MULTIPOINT_C_ROOT) != 0;
}

/* ---- Control messages ----------------------------------------------------- */

static void ctl_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err,
                       void *data);

static MpLink *
link_new(SimWorld *world, SimSocketId ctl, SimFamily family, LinkState state)
{
    MpState *s = mp_state(world, true);
    MpLink *l = g_new0(MpLink, 1);

    l->ctl = ctl;
    l->family = family;
    l->state = state;
    l->in = g_byte_array_new();
    g_ptr_array_add(s->links, l);
    g_hash_table_insert(s->by_ctl, GUINT_TO_POINTER(ctl), l);
    sim_tcp_set_notify(world, ctl, ctl_notify, NULL);
    return l;
}

/* Close the control connection (gracefully: the other side sees FD_CLOSE). */
static void
link_close(SimWorld *world, MpLink *l, bool abortive)
{
    MpState *s = mp_state(world, false);

    l->state = LINK_DOWN;
    if (l->ctl == 0)
        return;
    g_hash_table_remove(s->by_ctl, GUINT_TO_POINTER(l->ctl));
    sim_tcp_set_notify(world, l->ctl, NULL, NULL);
    if (abortive)
        sim_tcp_abort(world, l->ctl);
    else
        sim_tcp_close(world, l->ctl);
    l->ctl = 0;
}

static void
msg_send(SimWorld *world, MpLink *l, int type, DWORD jl, const SimSockAddr *data_addr,
         const void *user, size_t user_len, const QOS *qos)
{
    guint8 hdr[MP_HDR];
    size_t n = 0;

    memset(hdr, 0, sizeof hdr);
    hdr[0] = (guint8) (type | (qos != NULL ? MSG_HAS_QOS : 0));
    hdr[1] = (guint8) jl;
    if (data_addr != NULL) {
        hdr[2] = (guint8) data_addr->addr.family;
        memcpy(hdr + 3, data_addr->addr.bytes, 16);
        hdr[19] = (guint8) (data_addr->port >> 8);
        hdr[20] = (guint8) data_addr->port;
    }
    hdr[21] = (guint8) (user_len >> 8);
    hdr[22] = (guint8) user_len;
    /* One small message on a fresh connection: the send buffer takes it,
     * and one send keeps it in one segment. */
    {
        guint8 msg[MP_HDR + MP_USER_DATA_MAX + WSP_QOS_WIRE_LEN];
        size_t len = MP_HDR + user_len;

        memcpy(msg, hdr, sizeof hdr);
        if (user_len > 0)
            memcpy(msg + MP_HDR, user, user_len);
        if (qos != NULL) {
            wsp_qos_encode(qos, msg + len);
            len += WSP_QOS_WIRE_LEN;
        }
        sim_tcp_send(world, l->ctl, msg, len, 0, &n);
    }
}

/* The local data address the peer should use: the socket's own address,
 * with the wildcard replaced by the source address toward @peer. */
static void
data_addr_toward(WspSocket *ws, const SimAddr *peer, SimSockAddr *out)
{
    SimAddr src;

    wsp_socket_local(ws, out);
    if (sim_addr_is_any(&out->addr) &&
        sim_node_source_addr(ws->world, sim_udp_node(ws->world, ws->sock), peer, &src) == SIM_OK)
        out->addr = src;
}

/* The end of a join the socket @m asked for: wake a blocking caller or
 * report FD_CONNECT (non-blocking). */
static void
join_done(MpSock *m, int err)
{
    WspSocket *ws = m->ws;

    if (!m->joining)
        return;
    m->joining = false;
    m->join_err = err;
    sim_waitq_wake_all(ws->world, &ws->cq);
    if (ws->nonblocking)
        wsp_events_signal(ws, FD_CONNECT, err);
}

static void
copy_callee(LPWSABUF out, const MpLink *l)
{
    if (out == NULL)
        return;
    if (out->buf == NULL) {
        out->len = 0;
        return;
    }
    out->len = (u_long) MIN((size_t) out->len, l->user_len);
    if (out->len > 0)
        memcpy(out->buf, l->user, out->len);
}

/* The requester's side learns it has joined. */
static void
on_accepted(SimWorld *world, MpLink *l)
{
    MpSock *req = l->requester;

    l->state = LINK_UP;
    if (l->owner != NULL)
        l->owner->joined = true;
    if (req == NULL)
        return;
    if (is_c_root(req->ws)) {
        /* Root-initiated: l->owner is the new c_leaf descriptor; its QOS
         * governs the root's copies to this leaf and the leaf's sends. */
        g_ptr_array_add(req->links, l);
        l->root = req;
        if (l->owner != NULL && req->ws->sock != 0) {
            SimSockAddr mine;

            data_addr_toward(req->ws, &l->peer_data.addr, &mine);
            wsp_qos_join_done(l->owner->ws, sim_udp_node(world, req->ws->sock), &mine,
                              &l->peer_data, l->has_qos ? &l->qos : NULL);
        }
    } else {
        /* Leaf-initiated: the leaf's own socket talks to the root only. */
        req->joined = true;
        req->jl = l->jl;
        req->link = l;
        l->owner = req;
        if (req->ws->sock != 0) {
            sim_udp_connect(world, req->ws->sock, &l->peer_data);
            wsp_qos_join_done(req->ws, sim_udp_node(world, req->ws->sock), NULL, &l->peer_data,
                              l->has_qos ? &l->qos : NULL);
        }
    }
    if (req->callee_out != NULL) {
        copy_callee(req->callee_out, l);
        req->callee_out = NULL;
    }
    join_done(req, 0);
}

/* The control connection ended or failed. */
static void
on_down(SimWorld *world, MpLink *l, int err)
{
    LinkState was = l->state;

    link_close(world, l, false);
    switch (was) {
    case LINK_CONNECTING:
    case LINK_WAIT_REPLY:
        if (l->requester != NULL) {
            l->requester->callee_out = NULL;
            join_done(l->requester, err != 0 ? err : WSAECONNREFUSED);
        }
        break;
    case LINK_WAIT_REQ:
    case LINK_PENDING:
        if (l->listener != NULL)
            g_ptr_array_remove(l->listener->links, l);
        break;
    case LINK_UP:
        if (l->root != NULL)
            g_ptr_array_remove(l->root->links, l);
        l->root = NULL;
        if (l->owner != NULL) {
            l->owner->joined = false;
            if (!l->owner->ws->closed)
                wsp_events_signal(l->owner->ws, FD_CLOSE, err);
        }
        if (l->requester != NULL && l->requester != l->owner && !is_c_root(l->requester->ws))
            l->requester->joined = false;
        break;
    case LINK_DOWN:
        break;
    }
}

/* Parse what has arrived; false when the peer broke the protocol. */
static bool
parse(SimWorld *world, MpLink *l)
{
    while (l->in->len >= MP_HDR) {
        const guint8 *p = l->in->data;
        size_t ulen = ((size_t) p[21] << 8) | p[22];
        int type = p[0] & ~MSG_HAS_QOS;
        bool has_qos = (p[0] & MSG_HAS_QOS) != 0;
        size_t qlen = has_qos ? WSP_QOS_WIRE_LEN : 0;

        if (l->in->len < MP_HDR + ulen + qlen)
            return true;
        l->jl = p[1] != 0 ? p[1] : l->jl;
        memset(&l->peer_data, 0, sizeof l->peer_data);
        l->peer_data.addr.family = p[2];
        memcpy(l->peer_data.addr.bytes, p + 3, 16);
        l->peer_data.port = (guint16) ((p[19] << 8) | p[20]);
        g_free(l->user);
        l->user = g_memdup2(p + MP_HDR, ulen);
        l->user_len = ulen;
        l->has_qos = has_qos;
        if (has_qos)
            wsp_qos_decode(p + MP_HDR + ulen, &l->qos);
        g_byte_array_remove_range(l->in, 0, (guint) (MP_HDR + ulen + qlen));
        /* A request or an accept names a data address of the session's
         * family: the other one would connect the datagram socket to
         * nothing (or report it through a sockaddr the caller did not
         * size for it).  Only a peer that is not this provider sends one. */
        if ((type == MSG_REQUEST || type == MSG_ACCEPT) && l->peer_data.addr.family != l->family)
            return false;
        if (type == MSG_REQUEST && l->state == LINK_WAIT_REQ) {
            WspSocket *lws = l->listener != NULL ? l->listener->ws : NULL;

            l->state = LINK_PENDING;
            if (lws != NULL && !lws->closed) {
                sim_waitq_wake_all(world, &lws->cq);
                wsp_events_signal(lws, FD_ACCEPT, 0);
            }
        } else if (type == MSG_ACCEPT && l->state == LINK_WAIT_REPLY) {
            on_accepted(world, l);
        } else if (type == MSG_REJECT && l->state == LINK_WAIT_REPLY) {
            on_down(world, l, WSAECONNREFUSED);
            return true;
        } else {
            return false;
        }
    }
    return true;
}

static void
ctl_read(SimWorld *world, MpLink *l)
{
    guint8 buf[1024];

    while (l->ctl != 0) {
        size_t n = 0;
        SimStatus st = sim_tcp_recv(world, l->ctl, buf, sizeof buf, 0, &n);

        if (st == SIM_E_WOULDBLOCK)
            return;
        if (st != SIM_OK) {
            on_down(world, l, wsp_error_from_status(st));
            return;
        }
        if (n == 0) { /* the other side left */
            on_down(world, l, 0);
            return;
        }
        g_byte_array_append(l->in, buf, (guint) n);
        if (!parse(world, l)) {
            on_down(world, l, WSAECONNABORTED);
            return;
        }
    }
}

/* A control listener: take every completed connection. */
static void
listener_accept(SimWorld *world, MpSock *m)
{
    SimSocketId child;

    while (m->listener != 0 && sim_tcp_accept(world, m->listener, &child) == SIM_OK) {
        MpLink *l = link_new(world, child, m->ws->family, LINK_WAIT_REQ);

        l->listener = m;
        g_ptr_array_add(m->links, l);
        ctl_read(world, l); /* the request may be there already */
    }
}

static void
ctl_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    MpState *s = mp_state(world, false);
    gpointer p;

    (void) data;
    if (s == NULL || (p = g_hash_table_lookup(s->by_ctl, GUINT_TO_POINTER(sock))) == NULL)
        return;
    for (guint i = 0; i < s->socks->len; i++) {
        MpSock *m = g_ptr_array_index(s->socks, i);

        if (m == p) { /* a listener */
            if (events & SIM_SOCK_EV_ACCEPT)
                listener_accept(world, m);
            return;
        }
    }
    {
        MpLink *l = p;

        if (events & SIM_SOCK_EV_CONNECTED) {
            if (err != SIM_OK) {
                on_down(world, l, wsp_error_from_status(err));
                return;
            }
            if (l->state == LINK_CONNECTING && l->requester != NULL) {
                SimSockAddr mine;

                data_addr_toward(l->requester->ws, &l->peer_data.addr, &mine);
                l->state = LINK_WAIT_REPLY;
                msg_send(world, l, MSG_REQUEST, l->jl, &mine, l->user, l->user_len,
                         l->has_qos ? &l->qos : NULL);
            }
        }
        if (events & (SIM_SOCK_EV_READABLE | SIM_SOCK_EV_CLOSED))
            ctl_read(world, l);
        if (l->ctl != 0 && (events & (SIM_SOCK_EV_ERROR | SIM_SOCK_EV_FREED)) && err != SIM_OK)
            on_down(world, l, wsp_error_from_status(err));
    }
}

/* ---- Hooks called from the rest of the provider --------------------------- */

/**
 * wsp_mp_send:
 * @ws: a datagram socket sending without a destination (WSPSend)
 * @out_handled: (out): false when @ws is in no multipoint session (the
 *   caller sends to the connected peer as usual)
 *
 * The data plane: a non-rooted member sends to the session's group; a
 * rooted root copies the datagram to every leaf that receives (scope 0:
 * leaves on this host only; SIO_MULTIPOINT_LOOPBACK for those); a rooted
 * leaf sends to the root.  A JL_RECEIVER_ONLY member cannot send.
 *
 * Returns: the transport's status; SIM_E_NOTCONN for a receive-only member
 * or a leaf that left.
 */
SimStatus
wsp_mp_send(WspSocket *ws, const void *data, size_t len, bool *out_handled)
{
    MpSock *m = (ws->flags & MP_FLAGS) != 0 ? mp_find(ws) : NULL;
    SimStatus st = SIM_OK;

    *out_handled = false;
    if (m == NULL || ws->sock == 0)
        return SIM_OK;
    if (is_c_root(ws) && is_rooted(ws)) {
        gint64 scope = 1, loop = 1;
        SimNodeId here = sim_udp_node(ws->world, ws->sock);

        /* Each leaf was joined explicitly, so the scope does not limit a
         * rooted session by hops; scope 0 still keeps the data on this
         * host, and loopback governs leaves on it. */
        *out_handled = true;
        sim_udp_get_option(ws->world, ws->sock, SIM_UDP_OPT_MCAST_TTL, &scope);
        sim_udp_get_option(ws->world, ws->sock, SIM_UDP_OPT_MCAST_LOOP, &loop);
        for (guint i = 0; i < m->links->len; i++) {
            MpLink *l = g_ptr_array_index(m->links, i);
            bool local = sim_node_by_addr(ws->world, &l->peer_data.addr) == here;
            SimStatus one;

            if (l->state != LINK_UP || l->jl == JL_SENDER_ONLY)
                continue;
            if ((scope == 0 && !local) || (local && !loop))
                continue;
            one = sim_udp_sendto(ws->world, ws->sock, &l->peer_data, data, len);
            if (one != SIM_OK && st == SIM_OK)
                st = one;
        }
        return st;
    }
    if (!m->joined && m->link == NULL)
        return SIM_OK; /* not in a session: an ordinary datagram socket */
    *out_handled = true;
    if (!m->joined || m->jl == JL_RECEIVER_ONLY)
        return SIM_E_NOTCONN;
    if (is_rooted(ws))
        return sim_udp_send(ws->world, ws->sock, data, len);
    return sim_udp_sendto(ws->world, ws->sock, &m->session, data, len);
}

/**
 * wsp_mp_release:
 * @ws: a socket whose last descriptor is being released
 *
 * Leaving by closing (REFERENCE 2.8): a leaf's control connection closes
 * (the root's c_leaf descriptor for it sees FD_CLOSE, and the other way
 * round); closing a c_root ends every leaf's connection and reports
 * FD_CLOSE to its local c_leaf descriptors too; a listener stops.
 */
void
wsp_mp_release(WspSocket *ws)
{
    MpState *s = mp_state(ws->world, false);
    MpSock *m = s != NULL ? mp_find(ws) : NULL;

    if (m == NULL)
        return;
    if (m->listener != 0) {
        g_hash_table_remove(s->by_ctl, GUINT_TO_POINTER(m->listener));
        sim_tcp_set_notify(ws->world, m->listener, NULL, NULL);
        sim_tcp_close(ws->world, m->listener);
        m->listener = 0;
    }
    while (m->links->len > 0) {
        MpLink *l = g_ptr_array_steal_index(m->links, 0);
        LinkState was = l->state;

        link_close(ws->world, l, was != LINK_UP);
        if (was == LINK_UP && l->owner != NULL && l->owner != m) {
            l->owner->link = NULL;
            l->owner->joined = false;
            if (!l->owner->ws->closed)
                wsp_events_signal(l->owner->ws, FD_CLOSE, 0);
        }
        l->root = NULL;
        l->listener = NULL;
    }
    if (m->link != NULL) {
        MpLink *l = m->link;

        if (l->root != NULL)
            g_ptr_array_remove(l->root->links, l);
        link_close(ws->world, l, false);
        l->owner = NULL;
        m->link = NULL;
    }
    /* Links that still name this record as requester or owner. */
    for (guint i = 0; i < s->links->len; i++) {
        MpLink *l = g_ptr_array_index(s->links, i);

        if (l->requester == m) {
            if (l->state == LINK_CONNECTING || l->state == LINK_WAIT_REPLY)
                link_close(ws->world, l, true); /* closing cancels the join */
            l->requester = NULL;
        }
        if (l->owner == m)
            l->owner = NULL;
        if (l->root == m)
            l->root = NULL;
        if (l->listener == m)
            l->listener = NULL;
    }
    if (m->joined && !is_rooted(ws) && ws->sock != 0)
        sim_udp_leave_group(ws->world, ws->sock, &m->session.addr);
    g_ptr_array_remove(s->socks, m);
}

/* ---- WSPListen / WSPAccept on rooted multipoint sockets -------------------- */

/**
 * wsp_mp_listen:
 *
 * WSPListen on a rooted multipoint socket: a c_root accepts leaves' join
 * requests, a c_leaf the root's invitations.  The control listener uses the
 * socket's own address and port (in the stream port space).
 *
 * Returns: 0, or WSAEINVAL (unbound), WSAEADDRINUSE, WSAENETDOWN.
 */
int
wsp_mp_listen(WspSocket *ws, int backlog)
{
    MpSock *m = mp_get(ws);
    SimSockAddr local;
    SimSocketId l = 0;
    SimStatus st;

    if (m->listener != 0) {
        ws->listening = true;
        return 0;
    }
    if (ws->sock == 0 || ws->transport_gone)
        return WSAENETDOWN;
    if (!wsp_socket_local(ws, &local) || local.port == 0)
        return WSAEINVAL;
    st = sim_tcp_open(ws->world, sim_udp_node(ws->world, ws->sock), ws->family, &l);
    if (st == SIM_OK)
        st = sim_tcp_bind(ws->world, l, &local, SIM_TCP_BIND_REUSEADDR);
    if (st == SIM_OK)
        st = sim_tcp_listen(ws->world, l, (guint) CLAMP(backlog, 1, WSP_MAX_BACKLOG));
    if (st != SIM_OK) {
        if (l != 0)
            sim_tcp_close(ws->world, l);
        return wsp_error_from_status(st);
    }
    m->listener = l;
    g_hash_table_insert(mp_state(ws->world, true)->by_ctl, GUINT_TO_POINTER(l), m);
    sim_tcp_set_notify(ws->world, l, ctl_notify, NULL);
    ws->listening = true;
    return 0;
}

static MpLink *
first_pending(MpSock *m)
{
    for (guint i = 0; i < m->links->len; i++) {
        MpLink *l = g_ptr_array_index(m->links, i);

        if (l->state == LINK_PENDING)
            return l;
    }
    return NULL;
}

/* The condition function with the request's caller data; callee data
 * goes back in the answer.  Returns CF_* or -1 (invalid answer). */
static int
run_condition(LPCONDITIONPROC fn, DWORD_PTR cb, MpLink *l, const SimSockAddr *local,
              guint8 *callee, size_t *callee_len, QOS *qos)
{
    SOCKADDR_STORAGE rbuf, lbuf;
    int rlen = (int) sizeof rbuf, llen = (int) sizeof lbuf;
    WSABUF caller_id, callee_id, caller_data, callee_data;
    GROUP g = 0;
    int cf;

    wsp_sockaddr_out(&l->peer_data, (struct sockaddr *) &rbuf, &rlen);
    wsp_sockaddr_out(local, (struct sockaddr *) &lbuf, &llen);
    caller_id.len = (u_long) rlen;
    caller_id.buf = (char *) &rbuf;
    callee_id.len = (u_long) llen;
    callee_id.buf = (char *) &lbuf;
    caller_data.len = (u_long) l->user_len;
    caller_data.buf = (char *) l->user;
    callee_data.len = MP_USER_DATA_MAX;
    callee_data.buf = (char *) callee;
    /* lpSQOS: the requester's QOS, which the function may change (the
     * answer carries it back); lpGQOS: groups are reserved (REFERENCE 2.9). */
    cf = fn(&caller_id, l->user_len > 0 ? &caller_data : NULL, l->has_qos ? qos : NULL, NULL,
            &callee_id, &callee_data, &g, cb);
    *callee_len = MIN((size_t) callee_data.len, (size_t) MP_USER_DATA_MAX);
    if (g != 0 || (cf != CF_ACCEPT && cf != CF_REJECT && cf != CF_DEFER))
        return -1;
    return cf;
}

/* A descriptor of @proc for the session, with @ls's properties; @sock the
 * datagram endpoint (0 for a root's control-only c_leaf descriptor). */
static WspSocket *
new_descriptor(WspProcess *proc, WspSocket *ls, SimSocketId sock, int *out_err)
{
    WspSocket *ws = wsp_socket_new(proc, ls->proto, sock, out_err);

    if (ws == NULL)
        return NULL;
    ws->flags = (ls->flags & ~(DWORD) (WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT)) |
                WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF;
    ws->group = ls->group;
    ws->nonblocking = ls->nonblocking;
    ws->bound = sock != 0;
    if (sock != 0) {
        sim_udp_set_notify(ls->world, sock, wsp_transport_notify, NULL);
        sim_udp_set_option(ls->world, sock, SIM_UDP_OPT_UNREACH_MODE, SIM_UDP_UNREACH_ALL);
    }
    wsp_events_inherit(ws, ls);
    return ws;
}

/**
 * wsp_mp_accept:
 *
 * WSPAccept on a listening rooted multipoint socket.  On a c_root: a leaf's
 * join request; the new descriptor is the root's c_leaf descriptor for that
 * leaf (control only).  On a c_leaf: the root's invitation; the new
 * descriptor is the leaf's member socket (a datagram endpoint connected to
 * the root).  The condition function sees the caller data and may return
 * callee data.
 *
 * Returns: the descriptor, or INVALID_SOCKET with *@out_err: WSAEINVAL (not
 * listening, bad condition answer), WSAEWOULDBLOCK, WSAECONNREFUSED
 * (CF_REJECT), WSATRY_AGAIN (CF_DEFER), WSAEINTR, WSAEFAULT, WSAEMFILE.
 */
SOCKET
wsp_mp_accept(WspCall *call, WspSocket *ls, struct sockaddr *addr, LPINT addrlen,
              LPCONDITIONPROC cond, DWORD_PTR cb, int *out_err)
{
    MpSock *m = mp_find(ls);
    guint8 callee[MP_USER_DATA_MAX];
    size_t callee_len = 0;
    SimSockAddr local;
    QOS final;
    WspSocket *ws;
    MpLink *l;
    int err = 0;

    if (m == NULL || m->listener == 0) {
        *out_err = WSAEINVAL;
        return INVALID_SOCKET;
    }
    if (addr != NULL && addrlen != NULL && *addrlen < wsp_sockaddr_size(ls->family)) {
        *out_err = WSAEFAULT;
        return INVALID_SOCKET;
    }
    wsp_socket_ref(ls);
    while ((l = first_pending(m)) == NULL) {
        if (ls->closed || m->listener == 0)
            err = WSAEINTR;
        else if (ls->nonblocking)
            err = WSAEWOULDBLOCK;
        else
            err = wsp_wait(call, ls, &ls->cq, SIM_TIME_INFINITE);
        if (err != 0)
            goto fail;
        m = mp_find(ls);
        if (m == NULL) {
            err = WSAEINTR;
            goto fail;
        }
    }
    if (addr != NULL && addrlen != NULL)
        wsp_sockaddr_out(&l->peer_data, addr, addrlen);
    data_addr_toward(ls, &l->peer_data.addr, &local);
    final = l->qos; /* the requester's QOS (if l->has_qos); the condition function may change it */
    final.ProviderSpecific.buf = NULL;
    final.ProviderSpecific.len = 0;
    if (cond != NULL) {
        int cf = run_condition(cond, cb, l, &local, callee, &callee_len, &final);

        if (ls->closed || l->state != LINK_PENDING) {
            err = WSAEINTR;
            goto fail;
        }
        if (cf == CF_REJECT) {
            msg_send(call->world, l, MSG_REJECT, 0, NULL, NULL, 0, NULL);
            g_ptr_array_remove(m->links, l);
            link_close(call->world, l, false);
            err = WSAECONNREFUSED;
            goto fail;
        }
        if (cf != CF_ACCEPT) {
            err = cf < 0 ? WSAEINVAL : WSATRY_AGAIN;
            goto fail;
        }
    }
    if (is_c_root(ls)) {
        ws = new_descriptor(call->proc, ls, 0, &err);
        if (ws == NULL)
            goto fail;
        l->owner = mp_get(ws);
        l->owner->link = l;
        l->owner->joined = true;
        l->root = m;
        l->state = LINK_UP; /* stays in m->links: now one of the root's leaves */
    } else {
        SimSocketId sock = sim_udp_open(call->world, sim_udp_node(ls->world, ls->sock), ls->family);
        SimSockAddr any;
        MpSock *lm;

        memset(&any, 0, sizeof any);
        any.addr.family = ls->family;
        if (sock == 0 || sim_udp_bind(call->world, sock, &any) != SIM_OK) {
            if (sock != 0)
                sim_udp_close(call->world, sock);
            err = WSAENOBUFS;
            goto fail;
        }
        ws = new_descriptor(call->proc, ls, sock, &err);
        if (ws == NULL) {
            sim_udp_close(call->world, sock);
            goto fail;
        }
        sim_udp_connect(call->world, sock, &l->peer_data);
        data_addr_toward(ws, &l->peer_data.addr, &local);
        g_ptr_array_remove(m->links, l);
        l->listener = NULL;
        lm = mp_get(ws);
        lm->link = l;
        lm->joined = true;
        lm->jl = l->jl;
        l->owner = lm;
        l->state = LINK_UP;
    }
    if (l->has_qos) {
        /* The new descriptor records the negotiated QOS; the answer carries
         * it to the requester, whose branch holds the flows.  A QOS the
         * condition function made unsatisfiable is ignored: the requester
         * keeps what it asked for. */
        if (!wsp_qos_join_accepted(ws, call->node, &final)) {
            final = l->qos;
            (void) wsp_qos_join_accepted(ws, call->node, &final);
        }
    }
    msg_send(call->world, l, MSG_ACCEPT, l->jl, &local, callee, callee_len,
             l->has_qos ? &final : NULL);
    wsp_events_reenable(ls, FD_ACCEPT);
    wsp_socket_unref(ls);
    return ws->handle;
fail:
    if (err != WSATRY_AGAIN)
        wsp_events_reenable(ls, FD_ACCEPT);
    wsp_socket_unref(ls);
    *out_err = err;
    return INVALID_SOCKET;
}

/* ---- WSPJoinLeaf ------------------------------------------------------------ */

/* An unbound socket is bound implicitly (non-rooted: to the session's port,
 * shared with other local members). */
static int
implicit_bind(WspSocket *ws, guint16 port)
{
    SimSockAddr any;
    SimStatus st;

    if (sim_udp_is_bound(ws->world, ws->sock))
        return 0;
    memset(&any, 0, sizeof any);
    any.addr.family = ws->family;
    any.port = port;
    if (port != 0)
        sim_udp_set_option(ws->world, ws->sock, SIM_UDP_OPT_REUSEADDR, 1);
    st = sim_udp_bind(ws->world, ws->sock, &any);
    if (st != SIM_OK)
        return wsp_error_from_status(st);
    ws->bound = true;
    wsp_events_on_bind(ws);
    return 0;
}

static int
join_nonrooted(WspSocket *ws, MpSock *m, const SimSockAddr *to, DWORD jl)
{
    int err;

    if (!sim_addr_is_multicast(&to->addr))
        return WSAEADDRNOTAVAIL; /* a non-rooted session is named by a group address */
    err = implicit_bind(ws, to->port);
    if (err != 0)
        return err;
    if (jl != JL_SENDER_ONLY) {
        SimStatus st = sim_udp_join_group(ws->world, ws->sock, &to->addr);

        if (st != SIM_OK)
            return wsp_error_from_status(st);
    }
    m->session = *to;
    m->jl = jl;
    m->joined = true;
    return 0;
}

/* Open the control connection to @to for @m's join. */
static int
join_rooted_start(WspCall *call, WspSocket *ws, MpSock *m, MpSock *owner, const SimSockAddr *to,
                  DWORD jl, LPWSABUF caller, const WspSocket *qos_of)
{
    SimSocketId ctl;
    SimStatus st;
    MpLink *l;

    st = sim_tcp_open(call->world, call->node, ws->family, &ctl);
    if (st != SIM_OK)
        return wsp_error_from_status(st);
    st = sim_tcp_connect(call->world, ctl, to);
    if (st != SIM_E_INPROGRESS) {
        sim_tcp_close(call->world, ctl);
        return wsp_error_from_status(st == SIM_OK ? SIM_E_INVAL : st);
    }
    l = link_new(call->world, ctl, ws->family, LINK_CONNECTING);
    l->requester = m;
    l->owner = owner;
    l->jl = jl;
    l->peer_data = *to;
    if (caller != NULL && caller->len > 0) {
        l->user = g_memdup2(caller->buf, caller->len);
        l->user_len = caller->len;
    }
    l->has_qos = wsp_qos_get(qos_of, &l->qos); /* sent with the request */
    if (owner != NULL)
        owner->link = l;
    m->joining = true;
    m->join_err = 0;
    return 0;
}

static const char *
jl_name(DWORD jl)
{
    switch (jl) {
    case JL_SENDER_ONLY: return "JL_SENDER_ONLY";
    case JL_RECEIVER_ONLY: return "JL_RECEIVER_ONLY";
    case JL_BOTH: return "JL_BOTH";
    default: return "?";
    }
}

/**
 * WSPJoinLeaf:
 *
 * Non-rooted (c_leaf on a UDP entry): joins the group @name names and
 * returns @s.  Rooted: on a c_root, invites the leaf at @name and returns a
 * new c_leaf descriptor for it; on a c_leaf, asks the root at @name (which
 * must be listening) and returns @s.  Blocking sockets wait for the answer;
 * non-blocking ones return the descriptor at once and report the outcome
 * as FD_CONNECT on @s (callee data is written to @lpCalleeData then).
 * Caller/callee data travel only on the rooted control plane (at most
 * MP_USER_DATA_MAX bytes).
 *
 * Returns: a descriptor, or INVALID_SOCKET with WSAENOTSOCK, WSAEFAULT,
 * WSAEAFNOSUPPORT, WSAEINVAL (not a multipoint datagram socket, listening
 * c_leaf, @dwFlags not one JL_ value), WSAEADDRNOTAVAIL (wildcard address
 * or port, non-rooted name not a group), WSAEALREADY, WSAEISCONN,
 * WSAEPROTONOSUPPORT (caller data where there is no control plane, or too
 * much), WSAEOPNOTSUPP (a QOS that cannot be satisfied), WSAECONNREFUSED, WSAETIMEDOUT,
 * WSAENETUNREACH, WSAEHOSTUNREACH, WSAECONNABORTED (an answer that broke the
 * control protocol), WSAEADDRINUSE, WSAEINTR.
 */
SOCKET WSPAPI
WSPJoinLeaf(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF lpCallerData,
            LPWSABUF lpCalleeData, LPQOS lpSQOS, LPQOS lpGQOS, DWORD dwFlags, LPINT lpErrno)
{
    char abuf[SIM_SOCKADDR_STRLEN];
    WspCall call;
    WspSocket *ws, *nws = NULL;
    MpSock *m, *owner = NULL;
    SimSockAddr to;
    bool rooted;
    int err;

    (void) lpGQOS; /* reserved */
    if (!wsp_call_begin(&call, "WSPJoinLeaf", &err))
        return wsp_call_fail_socket(&call, lpErrno, err);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL) {
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x", (guint64) s);
        return wsp_call_fail_socket(&call, lpErrno, WSAENOTSOCK);
    }
    err = wsp_sockaddr_in(name, namelen, ws->family, &to);
    if (call.trace)
        wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, %s, %s", (guint64) s,
                      err == 0 ? wsp_fmt_sockaddr(&to, abuf) : "?", jl_name(dwFlags));
    if (err != 0)
        return wsp_call_fail_socket(&call, lpErrno, err);
    if (ws->stream || (ws->flags & MP_FLAGS) == 0)
        return wsp_call_fail_socket(&call, lpErrno, WSAEINVAL);
    if (dwFlags != JL_SENDER_ONLY && dwFlags != JL_RECEIVER_ONLY && dwFlags != JL_BOTH)
        return wsp_call_fail_socket(&call, lpErrno, WSAEINVAL);
    if (lpCalleeData != NULL && lpCalleeData->len > 0 && lpCalleeData->buf == NULL)
        return wsp_call_fail_socket(&call, lpErrno, WSAEFAULT);
    if (lpCallerData != NULL && lpCallerData->len > 0 && lpCallerData->buf == NULL)
        return wsp_call_fail_socket(&call, lpErrno, WSAEFAULT);
    if (sim_addr_is_any(&to.addr) || to.port == 0)
        return wsp_call_fail_socket(&call, lpErrno, WSAEADDRNOTAVAIL);
    /* lpSQOS is checked here (WSAEOPNOTSUPP when it cannot be satisfied).
     * A non-rooted member's sending flowspec shapes and reserves its sends
     * to the group like a connected socket's; a rooted join's QOS travels
     * with the request (the acceptor's condition function sees it and may
     * change it) and, once joined, governs the new branch: the root's copies
     * to that leaf and the leaf's sends to the root (wsp-qos.c).  On a
     * c_root it belongs to the new c_leaf descriptor, made below. */
    if (lpSQOS != NULL && !is_c_root(ws) && (err = wsp_qos_connect(&call, ws, lpSQOS, lpGQOS)) != 0)
        return wsp_call_fail_socket(&call, lpErrno, err);
    if (ws->transport_gone || ws->sock == 0)
        return wsp_call_fail_socket(&call, lpErrno, wsp_gone_error(ws));
    rooted = is_rooted(ws);
    if (lpCallerData != NULL && lpCallerData->len > 0 &&
        (!rooted || lpCallerData->len > MP_USER_DATA_MAX))
        return wsp_call_fail_socket(&call, lpErrno, WSAEPROTONOSUPPORT);
    m = mp_get(ws);
    if (m->joining)
        return wsp_call_fail_socket(&call, lpErrno, WSAEALREADY);
    if (!is_c_root(ws) && (m->joined || m->link != NULL))
        return wsp_call_fail_socket(&call, lpErrno, WSAEISCONN);
    if (!is_c_root(ws) && ws->listening)
        return wsp_call_fail_socket(&call, lpErrno, WSAEINVAL);
    wsp_events_reenable(ws, FD_CONNECT); /* REFERENCE 2.5: WSPJoinLeaf re-enables it */

    if (!rooted) {
        err = join_nonrooted(ws, m, &to, dwFlags);
        if (err != 0)
            return wsp_call_fail_socket(&call, lpErrno, err);
        wsp_qos_connected(&call, ws, NULL); /* flows and admission, if a QOS is set */
        if (lpCalleeData != NULL)
            lpCalleeData->len = 0;
        if (ws->nonblocking)
            wsp_events_signal(ws, FD_CONNECT, 0);
        wsp_call_end(&call, "0x%" G_GINT64_MODIFIER "x (member)", (guint64) s);
        return s;
    }

    err = implicit_bind(ws, 0);
    if (err != 0)
        return wsp_call_fail_socket(&call, lpErrno, err);
    if (is_c_root(ws)) {
        nws = new_descriptor(call.proc, ws, 0, &err);
        if (nws == NULL)
            return wsp_call_fail_socket(&call, lpErrno, err);
        wsp_qos_inherit(nws, ws); /* the c_root's SIO_SET_QOS, unless lpSQOS overrides it */
        if (lpSQOS != NULL && (err = wsp_qos_connect(&call, nws, lpSQOS, lpGQOS)) != 0)
            goto fail;
        owner = mp_get(nws);
    }
    err = join_rooted_start(&call, ws, m, owner, &to, dwFlags, lpCallerData,
                            nws != NULL ? nws : ws);
    if (err != 0)
        goto fail;
    if (ws->nonblocking || call.actor == SIM_ID_NONE) {
        m->callee_out = lpCalleeData;
        wsp_call_end(&call, "0x%" G_GINT64_MODIFIER "x (joining)",
                     (guint64) (nws != NULL ? nws->handle : s));
        return nws != NULL ? nws->handle : s;
    }
    wsp_socket_ref(ws);
    while (m->joining) {
        err = wsp_wait(&call, ws, &ws->cq, SIM_TIME_INFINITE);
        if (err != 0)
            break;
    }
    wsp_socket_unref(ws);
    if (err == 0)
        err = m->join_err;
    if (err != 0) {
        if (m->joining) { /* interrupted: closing cancels the join */
            m->joining = false;
            if (owner != NULL && owner->link != NULL)
                link_close(call.world, owner->link, true);
        }
        goto fail;
    }
    if (lpCalleeData != NULL) {
        MpLink *l = owner != NULL ? owner->link : m->link;

        if (l != NULL)
            copy_callee(lpCalleeData, l);
        else
            lpCalleeData->len = 0;
    }
    wsp_call_end(&call, "0x%" G_GINT64_MODIFIER "x (joined)",
                 (guint64) (nws != NULL ? nws->handle : s));
    return nws != NULL ? nws->handle : s;
fail:
    if (nws != NULL) {
        wsp_socket_release(nws);
    }
    return wsp_call_fail_socket(&call, lpErrno, err);
}
