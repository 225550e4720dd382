/* SPDX-License-Identifier: MIT
 *
 * wsp-qos.c: the provider's QoS surface (REFERENCE 1.9, 2.9; issue 7) over
 * sim/sim-qos.h — QOS and FLOWSPEC from WSPConnect, the WSPAccept condition
 * function, WSPJoinLeaf (wsp_qos_connect) and SIO_SET_QOS / SIO_GET_QOS and
 * their group variants; the provider-specific buffer as a list of QoS
 * objects; FD_QOS on every change of a reservation's state.  Templates
 * (WSPGetQOSByName, WSCInstallQOSTemplate) are in wsp-qos-templates.c.
 * doc/qos.md has the model and the choices.
 *
 * Each socket with a QOS has up to two sim flows: its SendingFlowspec at its
 * own node (filter: its local address to its peer) and its
 * ReceivingFlowspec as a reservation on the way back (a flow at the peer's
 * node, filter: the peer to it, policed in borrow mode so the peer's
 * traffic is classified but never held back).
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"

typedef struct WspQos {
    QOS qos;       /* ProviderSpecific is rebuilt by SIO_GET_QOS; never kept */
    bool sd_mode_set;
    ULONG sd_mode; /* TC_NONCONF_*, when set by a QOS_SD_MODE object */
    bool shaping_set;   /* a QOS_SHAPING_RATE object was given */
    ULONG shaping_rate; /* its ShapingRate: bytes/s; QOS_NOT_SPECIFIED: none */
    bool has_dest; /* QOS_OBJECT_DESTADDR (connectionless sockets) */
    SimSockAddr dest;
    SimQosFlowId send_flow, recv_flow;
    SimNodeId node; /* the socket's node, known from the first call applying it */
    bool has_peer;  /* the address connected or joined to */
    SimSockAddr peer;
    bool has_local; /* a descriptor without its own data endpoint (a rooted
                     * root's c_leaf): the root's data address */
    SimSockAddr local;
    int status;     /* the WSA_QOS_* code of the last report, 0 = none yet */
    bool accepted;  /* the acceptor's record of a negotiated QOS (no flows) */
} WspQos;

/* ---- FLOWSPEC -> SimQosSpec ------------------------------------------------ */

#define SERVICE_FLAGS (SERVICE_NO_QOS_SIGNALING | 0x01000000u)

/* Map a ServiceType (flags stripped) to a sim service; FALSE if it cannot
 * be asked for. */
static bool
service_from(ULONG st, SimQosService *out)
{
    st &= ~(ULONG) SERVICE_FLAGS;
    switch (st) {
    case SERVICETYPE_NOTRAFFIC:
        *out = SIM_QOS_NO_TRAFFIC;
        return true;
    case SERVICETYPE_BESTEFFORT:
    case SERVICETYPE_QUALITATIVE:
    case SERVICE_BESTEFFORT & ~(ULONG) SERVICE_FLAGS:
    case SERVICE_QUALITATIVE & ~(ULONG) SERVICE_FLAGS:
        *out = SIM_QOS_BEST_EFFORT;
        return true;
    case SERVICETYPE_CONTROLLEDLOAD:
    case SERVICE_CONTROLLEDLOAD & ~(ULONG) SERVICE_FLAGS:
        *out = SIM_QOS_CONTROLLED_LOAD;
        return true;
    case SERVICETYPE_GUARANTEED:
    case SERVICE_GUARANTEED & ~(ULONG) SERVICE_FLAGS:
        *out = SIM_QOS_GUARANTEED;
        return true;
    default:
        return false;
    }
}

static inline guint64
rate_from(ULONG v)
{
    return v == QOS_NOT_SPECIFIED || v == POSITIVE_INFINITY_RATE ? 0 : v;
}

static inline guint32
size_from(ULONG v)
{
    return v == QOS_NOT_SPECIFIED ? 0 : v;
}

/* Check one FLOWSPEC; 0 or WSAEOPNOTSUPP (cannot be satisfied: unknown
 * service, a zero token rate, peak below token rate, sizes crossed). */
static int
flowspec_check(const FLOWSPEC *fs, bool sending)
{
    SimQosService svc;

    if ((fs->ServiceType & ~(ULONG) SERVICE_FLAGS) == SERVICETYPE_NOCHANGE)
        return 0;
    if (!service_from(fs->ServiceType, &svc))
        return WSAEOPNOTSUPP;
    if (svc == SIM_QOS_NO_TRAFFIC)
        return 0;
    if (fs->TokenRate == 0)
        return WSAEOPNOTSUPP; /* "may not be 0" (1.9) */
    if (sending && fs->TokenRate == QOS_NOT_SPECIFIED &&
        (svc == SIM_QOS_GUARANTEED || svc == SIM_QOS_CONTROLLED_LOAD))
        return WSAEOPNOTSUPP; /* only the receive side may leave it open */
    if (rate_from(fs->PeakBandwidth) != 0 && rate_from(fs->TokenRate) != 0 &&
        fs->PeakBandwidth < fs->TokenRate)
        return WSAEOPNOTSUPP;
    if (size_from(fs->MaxSduSize) != 0 && size_from(fs->MinimumPolicedSize) > fs->MaxSduSize)
        return WSAEOPNOTSUPP;
    return 0;
}

/* A uniform shaping rate applies (QOS_NOT_SPECIFIED given: none). */
static inline bool
has_shaping(const WspQos *q)
{
    return q->shaping_set && q->shaping_rate != QOS_NOT_SPECIFIED;
}

static void
spec_from(const FLOWSPEC *fs, const WspQos *q, bool receiving, SimQosSpec *out)
{
    sim_qos_spec_init(out);
    if (!service_from(fs->ServiceType, &out->service))
        out->service = SIM_QOS_BEST_EFFORT;
    out->token_rate = rate_from(fs->TokenRate);
    out->bucket_bytes = size_from(fs->TokenBucketSize);
    out->peak_rate = rate_from(fs->PeakBandwidth);
    out->max_sdu = size_from(fs->MaxSduSize);
    out->min_policed = size_from(fs->MinimumPolicedSize);
    /* Default: guaranteed traffic is shaped, the rest borrows (doc/qos.md). */
    out->mode = out->service == SIM_QOS_GUARANTEED ? SIM_QOS_MODE_SHAPE : SIM_QOS_MODE_BORROW;
    if (q->sd_mode_set) {
        switch (q->sd_mode) {
        case TC_NONCONF_SHAPE:
            out->mode = SIM_QOS_MODE_SHAPE;
            break;
        case TC_NONCONF_DISCARD:
            out->mode = SIM_QOS_MODE_DISCARD;
            break;
        default: /* BORROW, BORROW_PLUS */
            out->mode = SIM_QOS_MODE_BORROW;
            break;
        }
    }
    if (has_shaping(q))
        out->shaping_rate = q->shaping_rate; /* QOS_SHAPING_RATE: the uniform pacer */
    if (receiving) {
        out->mode = SIM_QOS_MODE_BORROW; /* the receiver cannot hold the sender back */
        out->shaping_rate = 0;
    }
}

/* ---- The provider-specific buffer ------------------------------------------ */

/*
 * Walk the objects of @ps (REFERENCE 1.9): each starts with a
 * QOS_OBJECT_HDR whose ObjectLength covers the whole object; the list ends
 * with QOS_OBJECT_END_OF_LIST or the end of the buffer.  Known objects:
 * QOS_SD_MODE, QOS_SHAPING_RATE (the sending flow's pacer), QOS_DESTADDR,
 * RSVP_STATUS_INFO (ignored on input).  Returns 0, WSAEFAULT (buf NULL with
 * a length, or a NULL address in QOS_DESTADDR) or WSAEINVAL (a length that
 * is short, overruns the buffer or does not fit the object's type; an
 * unknown object; a bad mode).
 */
static int
ps_parse(const WSABUF *ps, SimFamily family, WspQos *out)
{
    const char *p = ps->buf;
    size_t left = ps->len;

    if (ps->len == 0)
        return 0;
    if (p == NULL)
        return WSAEFAULT;
    while (left > 0) {
        QOS_OBJECT_HDR h;

        if (left < sizeof h)
            return WSAEINVAL;
        memcpy(&h, p, sizeof h);
        if (h.ObjectLength < sizeof h || h.ObjectLength > left)
            return WSAEINVAL;
        switch (h.ObjectType) {
        case QOS_OBJECT_END_OF_LIST:
            return 0;
        case QOS_OBJECT_SD_MODE: {
            QOS_SD_MODE m;

            if (h.ObjectLength != sizeof m)
                return WSAEINVAL;
            memcpy(&m, p, sizeof m);
            if (m.ShapeDiscardMode > TC_NONCONF_BORROW_PLUS)
                return WSAEINVAL;
            out->sd_mode_set = true;
            out->sd_mode = m.ShapeDiscardMode;
            break;
        }
        case QOS_OBJECT_SHAPING_RATE: {
            QOS_SHAPING_RATE r;

            if (h.ObjectLength != sizeof r)
                return WSAEINVAL;
            memcpy(&r, p, sizeof r);
            if (r.ShapingRate == 0)
                return WSAEINVAL; /* a uniform rate of nothing */
            out->shaping_set = true;
            out->shaping_rate = r.ShapingRate;
            break;
        }
        case QOS_OBJECT_DESTADDR: {
            QOS_DESTADDR d;
            int err;

            if (h.ObjectLength != sizeof d)
                return WSAEINVAL;
            memcpy(&d, p, sizeof d);
            if (d.SocketAddress == NULL)
                return WSAEFAULT;
            err = wsp_sockaddr_in(d.SocketAddress, (int) d.SocketAddressLength, family, &out->dest);
            if (err != 0)
                return err == WSAEAFNOSUPPORT ? WSAEINVAL : err;
            out->has_dest = true;
            break;
        }
        case RSVP_OBJECT_STATUS_INFO:
            if (h.ObjectLength != sizeof(RSVP_STATUS_INFO))
                return WSAEINVAL;
            break;
        default:
            return WSAEINVAL; /* WSA_QOS_EUNKNOWNPSOBJ in RSVP terms */
        }
        p += h.ObjectLength;
        left -= h.ObjectLength;
    }
    return 0;
}

/* ---- Flows ----------------------------------------------------------------- */

/* The peer this socket's flows run to, if known. */
static bool
socket_peer(WspSocket *ws, SimSockAddr *out)
{
    if (ws->qos != NULL && ws->qos->has_dest) {
        *out = ws->qos->dest;
        return true;
    }
    if (ws->qos != NULL && ws->qos->has_peer) {
        *out = ws->qos->peer; /* known before the handshake ends; a rooted leaf */
        return true;
    }
    if (ws->sock == 0 || ws->transport_gone)
        return false;
    if (ws->stream)
        return sim_tcp_remote_addr(ws->world, ws->sock, out) == SIM_OK && out->port != 0;
    return sim_udp_get_peer(ws->world, ws->sock, out) == SIM_OK && out->port != 0;
}

static void flow_notify(SimWorld *world, SimQosFlowId flow, SimQosState state, void *data);

/* The WSA_QOS_* status of a flow state (0: nothing to report). */
static int
status_of(SimQosState st)
{
    switch (st) {
    case SIM_QOS_STATE_ADMITTED:
        return WSA_QOS_REQUEST_CONFIRMED;
    case SIM_QOS_STATE_REFUSED:
        return WSA_QOS_ADMISSION_FAILURE;
    case SIM_QOS_STATE_NO_ROUTE:
        return WSA_QOS_NO_RECEIVERS;
    case SIM_QOS_STATE_IDLE:
        break;
    }
    return 0;
}

/* The worse of the two directions' statuses. */
static int
socket_status(WspSocket *ws)
{
    int s1 = status_of(sim_qos_flow_state(ws->world, ws->qos->send_flow));
    int s2 = status_of(sim_qos_flow_state(ws->world, ws->qos->recv_flow));

    if (s1 == WSA_QOS_ADMISSION_FAILURE || s2 == WSA_QOS_ADMISSION_FAILURE)
        return WSA_QOS_ADMISSION_FAILURE;
    if (s1 == WSA_QOS_NO_RECEIVERS || s2 == WSA_QOS_NO_RECEIVERS)
        return WSA_QOS_NO_RECEIVERS;
    return s1 != 0 ? s1 : s2;
}

/* Report the socket's status by FD_QOS when it changed (REFERENCE 2.5:
 * "after SIO_GET_QOS, on the next change"); failures carry their WSA_QOS_*
 * code in the FD_QOS error slot. */
static void
report(WspSocket *ws)
{
    int st = socket_status(ws);

    if (st == ws->qos->status)
        return;
    ws->qos->status = st;
    if (st != 0)
        wsp_events_signal(ws, FD_QOS, st == WSA_QOS_REQUEST_CONFIRMED ? 0 : st);
}

static void
flows_free(WspSocket *ws)
{
    sim_qos_flow_free(ws->world, ws->qos->send_flow);
    sim_qos_flow_free(ws->world, ws->qos->recv_flow);
    ws->qos->send_flow = 0;
    ws->qos->recv_flow = 0;
}

/* (Re)install the socket's flows from its QOS and run admission. */
static void
flows_apply(WspSocket *ws, SimNodeId node)
{
    WspQos *q = ws->qos;
    SimSockAddr local, peer;
    SimQosSpec spec;
    guint8 proto = ws->stream ? SIM_PROTO_TCP : SIM_PROTO_UDP;
    bool have_peer = socket_peer(ws, &peer);

    flows_free(ws);
    if (q->has_local)
        local = q->local;
    else if (ws->sock == 0 || !wsp_socket_local(ws, &local))
        return; /* unbound: applied at connect (doc/qos.md) */
    if (local.port == 0)
        return;
    if (node == SIM_ID_NONE)
        node = q->node;
    if (node == SIM_ID_NONE)
        return;
    q->node = node;
    spec_from(&q->qos.SendingFlowspec, q, false, &spec);
    q->send_flow = sim_qos_flow_new(ws->world, node, proto, &spec);
    sim_qos_flow_set_notify(ws->world, q->send_flow, flow_notify, ws);
    sim_qos_flow_set_filter(ws->world, q->send_flow, &local, have_peer ? &peer : NULL);
    if (have_peer) {
        SimNodeId pn = sim_node_by_addr(ws->world, &peer.addr);
        SimSockAddr me = local;

        if (sim_addr_is_any(&me.addr))
            sim_node_source_addr(ws->world, node, &peer.addr, &me.addr);
        spec_from(&q->qos.ReceivingFlowspec, q, true, &spec);
        if (pn != SIM_ID_NONE) {
            q->recv_flow = sim_qos_flow_new(ws->world, pn, proto, &spec);
            sim_qos_flow_set_notify(ws->world, q->recv_flow, flow_notify, ws);
            sim_qos_flow_set_filter(ws->world, q->recv_flow, &peer, &me);
        }
    }
    report(ws);
}

/* @data is the socket: its flows are freed before it is (wsp_qos_release),
 * and re-checks never run during teardown. */
static void
flow_notify(SimWorld *world, SimQosFlowId flow, SimQosState state, void *data)
{
    WspSocket *ws = data;

    (void) world;
    (void) flow;
    (void) state;
    if (ws->qos != NULL)
        report(ws);
}

/* Check the flowspecs of @in and parse its provider-specific objects
 * into @out (0, WSAEFAULT, WSAEINVAL or WSAEOPNOTSUPP). */
static int
qos_check(const QOS *in, SimFamily family, WspQos *out)
{
    int err;

    if ((err = flowspec_check(&in->SendingFlowspec, true)) != 0 ||
        (err = flowspec_check(&in->ReceivingFlowspec, false)) != 0)
        return err;
    return ps_parse(&in->ProviderSpecific, family, out);
}

/* Validate @in and make it the socket's QOS (a NOCHANGE flowspec keeps the
 * old one).  0, WSAEFAULT, WSAEINVAL or WSAEOPNOTSUPP; nothing changes on
 * failure. */
static int
qos_set(WspSocket *ws, const QOS *in)
{
    WspQos tmp = {0};
    int err;

    if ((err = qos_check(in, ws->family, &tmp)) != 0)
        return err;
    if (ws->qos == NULL)
        ws->qos = g_new0(WspQos, 1);
    else {
        tmp.send_flow = ws->qos->send_flow;
        tmp.recv_flow = ws->qos->recv_flow;
        tmp.status = ws->qos->status;
        tmp.node = ws->qos->node;
        tmp.has_peer = ws->qos->has_peer;
        tmp.peer = ws->qos->peer;
        tmp.has_local = ws->qos->has_local;
        tmp.local = ws->qos->local;
        if (!tmp.sd_mode_set && ws->qos->sd_mode_set) {
            tmp.sd_mode_set = true;
            tmp.sd_mode = ws->qos->sd_mode;
        }
        if (!tmp.shaping_set && ws->qos->shaping_set) {
            tmp.shaping_set = true;
            tmp.shaping_rate = ws->qos->shaping_rate;
        }
        if (!tmp.has_dest && ws->qos->has_dest) {
            tmp.has_dest = true;
            tmp.dest = ws->qos->dest;
        }
    }
    tmp.qos = *in;
    if ((in->SendingFlowspec.ServiceType & ~(ULONG) SERVICE_FLAGS) == SERVICETYPE_NOCHANGE)
        tmp.qos.SendingFlowspec = ws->qos->qos.SendingFlowspec;
    if ((in->ReceivingFlowspec.ServiceType & ~(ULONG) SERVICE_FLAGS) == SERVICETYPE_NOCHANGE)
        tmp.qos.ReceivingFlowspec = ws->qos->qos.ReceivingFlowspec;
    tmp.qos.ProviderSpecific.buf = NULL;
    tmp.qos.ProviderSpecific.len = 0;
    *ws->qos = tmp;
    return 0;
}

/**
 * wsp_qos_validate:
 * @in: a QOS
 * @family: the address family its QOS_DESTADDR must have
 *
 * Checks @in as SIO_SET_QOS would, changing nothing.
 *
 * Returns: 0, WSAEFAULT, WSAEINVAL or WSAEOPNOTSUPP (flowspecs that cannot
 *   be satisfied).
 */
int
wsp_qos_validate(const QOS *in, SimFamily family)
{
    WspQos tmp = {0};

    return qos_check(in, family, &tmp);
}

/**
 * wsp_qos_connect:
 * @call: the WSPConnect or WSPJoinLeaf call
 * @ws: the socket
 * @sqos: (nullable): lpSQOS; NULL keeps an earlier SIO_SET_QOS
 * @gqos: (nullable): lpGQOS, reserved: must be NULL or all zero
 *
 * Checks and records @sqos before the connect starts (it overrides an
 * earlier SIO_SET_QOS, REFERENCE 2.9).
 *
 * Returns: 0; WSAEFAULT, WSAEINVAL or WSAEOPNOTSUPP (flowspecs that cannot
 *   be satisfied) with nothing changed.
 */
int
wsp_qos_connect(WspCall *call, WspSocket *ws, const QOS *sqos, const QOS *gqos)
{
    (void) call;
    (void) gqos; /* reserved (REFERENCE 2.9): ignored */
    if (sqos == NULL)
        return 0;
    return qos_set(ws, sqos);
}

/**
 * wsp_qos_connected:
 * @call: the call that connected @ws (WSPConnect, WSPJoinLeaf, WSPAccept)
 * @ws: the socket, now with a local address and a peer (or a connect
 *   under way)
 * @peer: (nullable): the address connected to
 *
 * Installs the flows of the socket's QOS, if it has one, and runs
 * admission; the outcome comes as FD_QOS (and SIO_GET_QOS's RSVP status).
 */
void
wsp_qos_connected(WspCall *call, WspSocket *ws, const SimSockAddr *peer)
{
    if (ws->qos == NULL)
        return;
    if (peer != NULL && ws->stream) {
        ws->qos->has_peer = true;
        ws->qos->peer = *peer;
    }
    flows_apply(ws, call->node);
}

/**
 * wsp_qos_release:
 * @ws: a socket being released
 *
 * Frees its reservations (REFERENCE: released on close) and its QOS.
 */
void
wsp_qos_release(WspSocket *ws)
{
    if (ws->qos == NULL)
        return;
    flows_free(ws);
    g_free(ws->qos);
    ws->qos = NULL;
}

/* ---- WSPAccept ---------------------------------------------------------------- */

/* The connecting socket (a stream socket of this provider whose local
 * address is @remote and whose peer is @local), or NULL. */
static WspSocket *
find_caller(SimWorld *world, const SimSockAddr *remote, const SimSockAddr *local)
{
    WspState *st = wsp_state_get(world, false);

    if (st == NULL)
        return NULL;
    for (guint i = 0; i < st->procs->len; i++) {
        WspProcess *p = g_ptr_array_index(st->procs, i);

        for (guint j = 0; j < p->sockets->len; j++) {
            WspSocket *c = g_ptr_array_index(p->sockets, j);
            SimSockAddr l, r;

            if (!c->stream || c->qos == NULL || c->sock == 0 || !wsp_socket_local(c, &l) ||
                !socket_peer(c, &r))
                continue;
            if (l.port == remote->port && sim_addr_equal(&l.addr, &remote->addr) &&
                r.port == local->port && sim_addr_equal(&r.addr, &local->addr))
                return c;
        }
    }
    return NULL;
}

/**
 * wsp_qos_offer:
 * @world: the world
 * @remote: the connecting peer's address
 * @local: the accepted connection's local address
 * @out: (out caller-allocates): the caller's QOS as it asked for it
 *   (SendingFlowspec: caller to callee); no provider-specific part
 *
 * What the WSPAccept condition function sees in lpSQOS.
 *
 * Returns: TRUE if the caller asked for QoS.
 */
bool
wsp_qos_offer(SimWorld *world, const SimSockAddr *remote, const SimSockAddr *local, QOS *out)
{
    WspSocket *c = find_caller(world, remote, local);

    if (c == NULL)
        return false;
    *out = c->qos->qos;
    out->ProviderSpecific.buf = NULL;
    out->ProviderSpecific.len = 0;
    return true;
}

/* The acceptor's side of a negotiation: @ws records @final with the
 * directions seen from its side and no flows of its own (the requester's
 * flows hold both directions, so nothing is reserved twice).  FALSE when
 * @final is not a QOS that can be satisfied (a condition function wrote
 * nonsense): @ws then has no QOS. */
static bool
take_negotiated(WspSocket *ws, SimNodeId node, const QOS *final)
{
    QOS mine = {0};

    mine.SendingFlowspec = final->ReceivingFlowspec;
    mine.ReceivingFlowspec = final->SendingFlowspec;
    if (qos_set(ws, &mine) != 0)
        return false;
    ws->qos->node = node;
    ws->qos->accepted = true;
    return true;
}

/* The requester's side: @final replaces its QOS when the acceptor changed
 * it, and the next flows_apply() reports the outcome by FD_QOS even if the
 * status stays the same.  TRUE if it changed. */
static bool
renegotiate(WspSocket *ws, const QOS *final)
{
    QOS renegotiated = *final;

    if (ws->qos == NULL ||
        memcmp(&ws->qos->qos.SendingFlowspec, &final->SendingFlowspec, sizeof(FLOWSPEC) * 2) == 0)
        return false;
    renegotiated.ProviderSpecific.buf = NULL;
    renegotiated.ProviderSpecific.len = 0;
    if (qos_set(ws, &renegotiated) != 0)
        return false;
    ws->qos->status = -1;
    return true;
}

/**
 * wsp_qos_accepted:
 * @call: the WSPAccept call
 * @ws: the accepted socket
 * @offered: what the condition function was given
 * @final: what it left there (the negotiated QOS)
 *
 * The accepted socket takes the negotiated QOS with the directions seen
 * from its side (the reservations stay with the caller's flows); when the
 * condition function changed it, the caller's QOS becomes the negotiated
 * one too, re-admitted and reported by FD_QOS.
 */
void
wsp_qos_accepted(WspCall *call, WspSocket *ws, const QOS *offered, const QOS *final)
{
    SimSockAddr remote, local;
    WspSocket *c;

    (void) offered;
    if (sim_tcp_remote_addr(call->world, ws->sock, &remote) != SIM_OK ||
        !wsp_socket_local(ws, &local))
        return;
    if (!take_negotiated(ws, call->node, final))
        return;
    c = find_caller(call->world, &remote, &local);
    if (c != NULL && renegotiate(c, final))
        flows_apply(c, SIM_ID_NONE);
}

/* ---- Rooted multipoint joins ------------------------------------------------ */

/**
 * wsp_qos_get:
 * @ws: a socket
 * @out: (out caller-allocates): its QOS, without provider-specific part
 *
 * Returns: TRUE if the socket has a QOS.
 */
bool
wsp_qos_get(const WspSocket *ws, QOS *out)
{
    if (ws->qos == NULL)
        return false;
    *out = ws->qos->qos;
    out->ProviderSpecific.buf = NULL;
    out->ProviderSpecific.len = 0;
    return true;
}

/**
 * wsp_qos_inherit:
 * @ws: a new descriptor
 * @from: the socket it was made from
 *
 * @ws takes a copy of @from's QOS (and its provider-specific choices), if
 * any, without flows.
 */
void
wsp_qos_inherit(WspSocket *ws, const WspSocket *from)
{
    if (from->qos == NULL || ws->qos != NULL)
        return;
    ws->qos = g_new0(WspQos, 1);
    *ws->qos = *from->qos;
    ws->qos->send_flow = 0;
    ws->qos->recv_flow = 0;
    ws->qos->status = 0;
    ws->qos->has_peer = false;
    ws->qos->has_local = false;
}

/* FLOWSPEC on the wire of the rooted control plane: eight 32-bit fields,
 * big-endian, in declaration order. */
static void
flowspec_encode(const FLOWSPEC *fs, guint8 *out)
{
    const ULONG v[8] = {fs->TokenRate,      fs->TokenBucketSize, fs->PeakBandwidth,
                        fs->Latency,        fs->DelayVariation,  fs->ServiceType,
                        fs->MaxSduSize,     fs->MinimumPolicedSize};

    for (int i = 0; i < 8; i++) {
        guint32 be = GUINT32_TO_BE((guint32) v[i]);

        memcpy(out + 4 * i, &be, 4);
    }
}

static void
flowspec_decode(const guint8 *in, FLOWSPEC *fs)
{
    ULONG *v[8] = {&fs->TokenRate,      &fs->TokenBucketSize, &fs->PeakBandwidth,
                   &fs->Latency,        &fs->DelayVariation,  &fs->ServiceType,
                   &fs->MaxSduSize,     &fs->MinimumPolicedSize};

    for (int i = 0; i < 8; i++) {
        guint32 be;

        memcpy(&be, in + 4 * i, 4);
        *v[i] = GUINT32_FROM_BE(be);
    }
}

/**
 * wsp_qos_encode:
 * @q: a QOS
 * @out: (out caller-allocates): WSP_QOS_WIRE_LEN bytes
 *
 * The two flowspecs as the rooted control plane carries them (the
 * provider-specific part stays with the socket).
 */
void
wsp_qos_encode(const QOS *q, guint8 *out)
{
    flowspec_encode(&q->SendingFlowspec, out);
    flowspec_encode(&q->ReceivingFlowspec, out + WSP_QOS_WIRE_LEN / 2);
}

void
wsp_qos_decode(const guint8 *in, QOS *out)
{
    memset(out, 0, sizeof *out);
    flowspec_decode(in, &out->SendingFlowspec);
    flowspec_decode(in + WSP_QOS_WIRE_LEN / 2, &out->ReceivingFlowspec);
}

/**
 * wsp_qos_join_accepted:
 * @ws: the descriptor the acceptor of a rooted join gets (a root's c_leaf
 *   descriptor for a leaf that asked, or a leaf's member socket)
 * @node: its node
 * @final: the negotiated QOS, in the requester's orientation
 *
 * Returns: FALSE when @final cannot be satisfied (then @ws has no QOS and
 *   the requester keeps what it asked for).
 */
bool
wsp_qos_join_accepted(WspSocket *ws, SimNodeId node, const QOS *final)
{
    return take_negotiated(ws, node, final);
}

/**
 * wsp_qos_join_done:
 * @ws: the requester's descriptor for the new branch (a root's c_leaf
 *   descriptor, or the leaf's own socket)
 * @node: the node the branch's data leaves from
 * @local: (nullable): the data address it leaves from, when @ws has no
 *   data endpoint of its own (the root's data address)
 * @peer: the other end's data address
 * @final: (nullable): the QOS the acceptor answered with
 *
 * The join is complete: @final replaces the requested QOS if the acceptor
 * changed it, and the branch's flows are installed (sending: @local to
 * @peer at @node; receiving: a reservation at @peer's node), admission's
 * outcome reported by FD_QOS.
 */
void
wsp_qos_join_done(WspSocket *ws, SimNodeId node, const SimSockAddr *local, const SimSockAddr *peer,
                  const QOS *final)
{
    if (ws->qos == NULL)
        return;
    ws->qos->has_peer = true;
    ws->qos->peer = *peer;
    if (local != NULL) {
        ws->qos->has_local = true;
        ws->qos->local = *local;
    }
    ws->qos->node = node;
    if (final != NULL)
        (void) renegotiate(ws, final);
    flows_apply(ws, node);
}

/* ---- WSPIoctl ------------------------------------------------------------------ */

/* SIO_GET_QOS output: the QOS followed by its provider-specific objects
 * (RSVP_STATUS_INFO, QOS_SD_MODE, end of list). */
static DWORD
get_qos_size(const WspSocket *ws)
{
    if (ws->qos == NULL)
        return sizeof(QOS);
    return sizeof(QOS) + sizeof(RSVP_STATUS_INFO) + sizeof(QOS_SD_MODE) +
           (has_shaping(ws->qos) ? sizeof(QOS_SHAPING_RATE) : 0) + sizeof(QOS_OBJECT_HDR);
}

static void
flowspec_default(FLOWSPEC *fs)
{
    fs->TokenRate = QOS_NOT_SPECIFIED;
    fs->TokenBucketSize = QOS_NOT_SPECIFIED;
    fs->PeakBandwidth = QOS_NOT_SPECIFIED;
    fs->Latency = QOS_NOT_SPECIFIED;
    fs->DelayVariation = QOS_NOT_SPECIFIED;
    fs->ServiceType = SERVICETYPE_BESTEFFORT;
    fs->MaxSduSize = QOS_NOT_SPECIFIED;
    fs->MinimumPolicedSize = QOS_NOT_SPECIFIED;
}

static int
get_qos(WspSocket *ws, void *out, DWORD cbout, DWORD *ret)
{
    DWORD need = get_qos_size(ws);
    char *o = out;
    QOS q;

    if (out == NULL || cbout < need) {
        *ret = need; /* choice 42 */
        return WSAEFAULT;
    }
    if (ws->qos == NULL) {
        memset(&q, 0, sizeof q);
        flowspec_default(&q.SendingFlowspec);
        flowspec_default(&q.ReceivingFlowspec);
        memcpy(o, &q, sizeof q);
        *ret = sizeof q;
        return 0;
    }
    {
        RSVP_STATUS_INFO si = {{RSVP_OBJECT_STATUS_INFO, sizeof si}, 0, 0, 0};
        QOS_SD_MODE sd = {{QOS_OBJECT_SD_MODE, sizeof sd}, 0};
        QOS_OBJECT_HDR end = {QOS_OBJECT_END_OF_LIST, sizeof end};
        SimQosSpec spec;
        int st = socket_status(ws);

        q = ws->qos->qos;
        /* Without flows of its own: an acceptor whose peer sends with a
         * flowspec has heard of a sender (RSVP's PATH); anyone else not. */
        if (st == 0)
            st = ws->qos->accepted && (q.ReceivingFlowspec.ServiceType & ~(ULONG) SERVICE_FLAGS) !=
                                           SERVICETYPE_NOTRAFFIC
                     ? WSA_QOS_SENDERS
                     : WSA_QOS_NO_SENDERS;
        si.StatusCode = (ULONG) st;
        spec_from(&q.SendingFlowspec, ws->qos, false, &spec);
        sd.ShapeDiscardMode = spec.mode == SIM_QOS_MODE_SHAPE     ? TC_NONCONF_SHAPE
                              : spec.mode == SIM_QOS_MODE_DISCARD ? TC_NONCONF_DISCARD
                                                                   : TC_NONCONF_BORROW;
        q.ProviderSpecific.buf = o + sizeof q;
        q.ProviderSpecific.len = (u_long) (need - sizeof q);
        memcpy(o, &q, sizeof q);
        o += sizeof q;
        memcpy(o, &si, sizeof si);
        o += sizeof si;
        memcpy(o, &sd, sizeof sd);
        o += sizeof sd;
        if (has_shaping(ws->qos)) {
            QOS_SHAPING_RATE sr = {{QOS_OBJECT_SHAPING_RATE, sizeof sr}, ws->qos->shaping_rate};

            memcpy(o, &sr, sizeof sr);
            o += sizeof sr;
        }
        memcpy(o, &end, sizeof end);
    }
    *ret = need;
    return 0;
}

/**
 * wsp_qos_ioctl:
 * @call: the WSPIoctl call
 * @ws: its socket
 * @code: SIO_GET_QOS, SIO_SET_QOS, SIO_GET_GROUP_QOS or SIO_SET_GROUP_QOS
 * @in, @cbin, @out, @cbout: the buffers
 * @ret: (out): bytes written to @out (or needed, with WSAEFAULT)
 *
 * SIO_SET_QOS: the QOS is checked, recorded and applied at once when the
 * socket has an address (else at connect); admission's outcome comes by
 * FD_QOS.  SIO_GET_QOS: the current QOS and the provider-specific objects
 * (RSVP status, shape/discard mode); WSPIoctl has already re-enabled
 * FD_QOS.  Groups are reserved: SIO_GET_GROUP_QOS returns an empty QOS,
 * SIO_SET_GROUP_QOS accepts and ignores one.
 *
 * Returns: 0, WSAEFAULT, WSAEINVAL or WSAEOPNOTSUPP.
 */
int
wsp_qos_ioctl(WspCall *call, WspSocket *ws, DWORD code, const void *in, DWORD cbin, void *out,
              DWORD cbout, DWORD *ret)
{
    QOS q;
    int err;

    switch (code) {
    case SIO_SET_QOS:
    case SIO_SET_GROUP_QOS:
        if (in == NULL || cbin < sizeof q)
            return WSAEFAULT;
        memcpy(&q, in, sizeof q);
        if (code == SIO_SET_GROUP_QOS)
            return ws->group != 0 ? 0 : WSAEINVAL; /* reserved (2.9) */
        err = qos_set(ws, &q);
        if (err != 0)
            return err;
        flows_apply(ws, call->node);
        return 0;
    case SIO_GET_QOS:
        return get_qos(ws, out, cbout, ret);
    case SIO_GET_GROUP_QOS:
        if (out == NULL || cbout < sizeof q) {
            *ret = sizeof q;
            return WSAEFAULT;
        }
        memset(&q, 0, sizeof q);
        memcpy(out, &q, sizeof q);
        *ret = sizeof q;
        return 0;
    default:
        return WSAEINVAL;
    }
}
