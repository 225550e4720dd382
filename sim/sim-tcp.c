/* SPDX-License-Identifier: MIT
 *
 * sim-tcp.c: the stream transport's TCB lifecycle, user calls (open, bind,
 * listen, accept, connect, send, recv, shutdown, close, abort), options and
 * queries, the timers (retransmit, persist, delayed ACK, keep-alive, 2MSL),
 * demultiplexing tables, the single state-transition writer, reaping, and
 * the host-crash hook.  Segment processing lives in sim-tcp-input.c and
 * segment building in sim-tcp-output.c; doc/tcp.md is the user's guide.
 * Follows RFC 9293, with RFC 6298 (RTO), 5681/6582 (congestion control),
 * 6928 (initial window), 7323 (window scale), 5961 (RST/SYN robustness).
 */
#include "config.h"

#include "sim/sim-tcp.h"
#include "sim/sim-tcp-private.h"

#include <string.h>

/* ---- State tables ----------------------------------------------------------
 * Designated initializers only (STYLE §7): a state added to SimTcpState
 * without a row fails the static assertion or the table test. */

#define T(x) (1u << (x))
#define T_ALL (T(SIM_TCP_T_REXMT) | T(SIM_TCP_T_PERSIST) | T(SIM_TCP_T_DELACK) | T(SIM_TCP_T_KEEP))

static const SimTcpStateInfo tcp_state_info[] = {
    [SIM_TCP_CLOSED] = { "CLOSED", 0,
                         "in no table, no timer; only an application-held shell or a TCB waiting "
                         "to be reaped" },
    [SIM_TCP_LISTEN] = { "LISTEN", 0,
                         "bound, in the listener table; children on its pending and accept "
                         "queues" },
    [SIM_TCP_SYN_SENT] = { "SYN_SENT", T(SIM_TCP_T_REXMT),
                           "in the connection table; SND.NXT = ISS + 1 once the SYN left; "
                           "T_REXMT armed" },
    [SIM_TCP_SYN_RECEIVED] = { "SYN_RECEIVED", T(SIM_TCP_T_REXMT) | T(SIM_TCP_T_DELACK),
                               "RCV.NXT = IRS + 1; a held child has sent nothing, any other "
                               "has sent its SYN-ACK and arms T_REXMT" },
    [SIM_TCP_ESTABLISHED] = { "ESTABLISHED", T_ALL,
                              "SYNs acknowledged both ways; SND.UNA <= SND.NXT <= SND.MAX" },
    [SIM_TCP_FIN_WAIT_1] = { "FIN_WAIT_1", T_ALL,
                             "our FIN is queued or sent, not yet acknowledged" },
    [SIM_TCP_FIN_WAIT_2] = { "FIN_WAIT_2",
                             T(SIM_TCP_T_DELACK) | T(SIM_TCP_T_KEEP) | T(SIM_TCP_T_2MSL),
                             "our FIN acknowledged, nothing left to send; an orphan arms "
                             "T_2MSL with the FIN_WAIT_2 timeout" },
    [SIM_TCP_CLOSE_WAIT] = { "CLOSE_WAIT", T_ALL, "peer's FIN consumed; we may still send" },
    [SIM_TCP_CLOSING] = { "CLOSING", T(SIM_TCP_T_REXMT) | T(SIM_TCP_T_PERSIST),
                          "both FINs sent, ours not yet acknowledged" },
    [SIM_TCP_LAST_ACK] = { "LAST_ACK", T(SIM_TCP_T_REXMT) | T(SIM_TCP_T_PERSIST),
                           "peer's FIN consumed, our FIN queued or sent and unacknowledged" },
    [SIM_TCP_TIME_WAIT] = { "TIME_WAIT", T(SIM_TCP_T_2MSL),
                            "both FINs acknowledged; the 4-tuple stays reserved for 2 MSL" },
};
G_STATIC_ASSERT(G_N_ELEMENTS(tcp_state_info) == SIM_TCP_N_STATES);

/* Every legal edge (RFC 9293 Figure 5, plus the child's birth LISTEN ->
 * SYN_RECEIVED and the aborts to CLOSED).  sim-tcp-input.c's head comment
 * lists the function that takes each one. */
static const bool tcp_allowed[][SIM_TCP_N_STATES] = {
    [SIM_TCP_CLOSED] = { [SIM_TCP_LISTEN] = true, [SIM_TCP_SYN_SENT] = true },
    [SIM_TCP_LISTEN] = { [SIM_TCP_CLOSED] = true, [SIM_TCP_SYN_RECEIVED] = true },
    [SIM_TCP_SYN_SENT] = { [SIM_TCP_CLOSED] = true,
                           [SIM_TCP_SYN_RECEIVED] = true,
                           [SIM_TCP_ESTABLISHED] = true },
    /* SYN_RECEIVED -> FIN_WAIT_1 (RFC's CLOSE there) is not an edge here:
     * the CLOSE waits for ESTABLISHED (tcp_shut_send). */
    [SIM_TCP_SYN_RECEIVED] = { [SIM_TCP_CLOSED] = true, [SIM_TCP_ESTABLISHED] = true },
    [SIM_TCP_ESTABLISHED] = { [SIM_TCP_CLOSED] = true,
                              [SIM_TCP_FIN_WAIT_1] = true,
                              [SIM_TCP_CLOSE_WAIT] = true },
    [SIM_TCP_FIN_WAIT_1] = { [SIM_TCP_CLOSED] = true,
                             [SIM_TCP_FIN_WAIT_2] = true,
                             [SIM_TCP_CLOSING] = true,
                             [SIM_TCP_TIME_WAIT] = true },
    [SIM_TCP_FIN_WAIT_2] = { [SIM_TCP_CLOSED] = true, [SIM_TCP_TIME_WAIT] = true },
    [SIM_TCP_CLOSE_WAIT] = { [SIM_TCP_CLOSED] = true, [SIM_TCP_LAST_ACK] = true },
    [SIM_TCP_CLOSING] = { [SIM_TCP_CLOSED] = true, [SIM_TCP_TIME_WAIT] = true },
    [SIM_TCP_LAST_ACK] = { [SIM_TCP_CLOSED] = true },
    [SIM_TCP_TIME_WAIT] = { [SIM_TCP_CLOSED] = true },
};
G_STATIC_ASSERT(G_N_ELEMENTS(tcp_allowed) == SIM_TCP_N_STATES);

const SimTcpStateInfo *
sim__tcp_state_info(SimTcpState state)
{
    g_return_val_if_fail((guint) state < SIM_TCP_N_STATES, NULL);
    return &tcp_state_info[state];
}

bool
sim__tcp_transition_allowed(SimTcpState from, SimTcpState to)
{
    if ((guint) from >= SIM_TCP_N_STATES || (guint) to >= SIM_TCP_N_STATES)
        return false;
    return tcp_allowed[from][to];
}

const char *
sim_tcp_state_name(SimTcpState state)
{
    if ((guint) state >= SIM_TCP_N_STATES)
        return "?";
    return tcp_state_info[state].name;
}

bool
sim_tcp_state_is_synchronized(SimTcpState state)
{
    switch (state) {
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
        return false;
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        return true;
    case SIM_TCP_N_STATES:
        break;
    }
    g_return_val_if_reached(false);
}

/* ---- Configuration ------------------------------------------------------- */

/**
 * sim_tcp_config_init:
 * @cfg: (out caller-allocates): filled with the defaults
 *
 * The defaults are Windows' where Windows documents one (minimum RTO
 * 300 ms, initial RTO 1 s, 2 SYN retransmissions, 5 data retransmissions,
 * delayed ACK every 2nd segment or 200 ms, keep-alive 2 h / 1 s / 10
 * probes) and otherwise the RFCs'.  MSL is 1 s (Windows uses 120 s) so that
 * simulations do not idle in TIME_WAIT; doc/tcp.md lists every choice.
 */
void
sim_tcp_config_init(SimTcpConfig *cfg)
{
    g_return_if_fail(cfg != NULL);
    memset(cfg, 0, sizeof *cfg);
    cfg->msl_ns = 1 * SIM_SEC;
    cfg->rto_initial_ns = 1 * SIM_SEC;
    cfg->rto_min_ns = 300 * SIM_MSEC;
    cfg->rto_max_ns = 60 * SIM_SEC;
    cfg->syn_retries = 2;
    cfg->synack_retries = 2;
    cfg->data_retries = 5;
    cfg->delayed_ack = true;
    cfg->delack_ns = 200 * SIM_MSEC;
    cfg->delack_segments = 2;
    cfg->initial_window_segments = 10;
    cfg->rcvbuf_default = 65536;
    cfg->sndbuf_default = 65536;
    cfg->window_scaling = true;
    cfg->persist_min_ns = 500 * SIM_MSEC;
    cfg->persist_max_ns = 60 * SIM_SEC;
    cfg->keepalive_time_ns = 2 * 3600 * SIM_SEC;
    cfg->keepalive_interval_ns = 1 * SIM_SEC;
    cfg->keepalive_probes = 10;
    cfg->fin_wait2_timeout_ns = 60 * SIM_SEC;
    cfg->rst_on_data_after_shutdown = true;
}

/**
 * sim_tcp_set_config:
 * @world: the world
 * @cfg: (transfer none): the new configuration
 *
 * Applies to sockets opened afterwards.  Returns: SIM_OK, or E_INVAL when a
 * value is out of range (zero MSL or RTOs, min RTO above max RTO, zero
 * delayed-ACK count, zero initial window, buffers below 1 byte).
 */
SimStatus
sim_tcp_set_config(SimWorld *world, const SimTcpConfig *cfg)
{
    g_return_val_if_fail(world != NULL && cfg != NULL, SIM_E_INVAL);
    if (!sim_tcp_config_valid(cfg))
        return SIM_E_INVAL;
    sim__tcp_world(world)->cfg = *cfg;
    return SIM_OK;
}

/**
 * sim_tcp_config_valid:
 * @cfg: a configuration
 *
 * Returns: TRUE if sim_tcp_set_config() would take it.
 */
bool
sim_tcp_config_valid(const SimTcpConfig *cfg)
{
    g_return_val_if_fail(cfg != NULL, false);
    return !(cfg->msl_ns == 0 || cfg->rto_initial_ns == 0 || cfg->rto_min_ns == 0 ||
             cfg->rto_max_ns < cfg->rto_min_ns || cfg->delack_segments == 0 ||
             cfg->initial_window_segments == 0 || cfg->rcvbuf_default == 0 ||
             cfg->sndbuf_default == 0 || cfg->persist_min_ns == 0 ||
             cfg->persist_max_ns < cfg->persist_min_ns || cfg->keepalive_interval_ns == 0 ||
             cfg->keepalive_time_ns == 0);
}

void
sim_tcp_get_config(SimWorld *world, SimTcpConfig *out_cfg)
{
    g_return_if_fail(world != NULL && out_cfg != NULL);
    *out_cfg = sim__tcp_world(world)->cfg;
}

/* ---- Module and host state --------------------------------------------- */

static void tcp_tcb_free(SimTcb *tcb);
static void tcp_node_hook(SimWorld *world, SimNodeId node, bool up, void *data);

static void
tcp_host_destroy(void *data)
{
    SimTcpHost *host = data;

    if (host->conns != NULL)
        g_hash_table_destroy(host->conns);
    if (host->listen != NULL)
        g_hash_table_destroy(host->listen);
    if (host->ports != NULL)
        g_hash_table_destroy(host->ports);
    g_free(host);
}

static void
tcp_world_free(SimWorld *world, void *state)
{
    SimTcpWorld *tw = state;

    (void) world;
    tw->tearing_down = true;
    /* Free every TCB; the hosts themselves belong to the network's per-node
     * slots and are freed (tables only) by tcp_host_destroy afterwards. */
    for (guint i = 0; i < tw->hosts->len; i++) {
        SimTcpHost *host = g_ptr_array_index(tw->hosts, i);

        while (host->tcbs.head != NULL)
            tcp_tcb_free(host->tcbs.head->data);
        host->tw = NULL;
    }
    g_ptr_array_free(tw->hosts, true);
    g_ptr_array_free(tw->reap, true);
    g_array_free(tw->notes, true);
    g_ptr_array_free(tw->delack, true);
    g_ptr_array_free(tw->socks, true);
    g_free(tw);
}

/* The module state, created on first use: registers the TCP input, the
 * ICMP error input and the node crash hook with the network. */
SimTcpWorld *
sim__tcp_world(SimWorld *world)
{
    SimTcpWorld *tw = sim__world_module(world, SIM_MOD_TCP);

    if (G_LIKELY(tw != NULL))
        return tw;
    tw = g_new0(SimTcpWorld, 1);
    tw->world = world;
    sim_tcp_config_init(&tw->cfg);
    tw->socks = g_ptr_array_new();
    tw->hosts = g_ptr_array_new();
    tw->reap = g_ptr_array_new();
    tw->notes = g_array_new(false, false, sizeof(SimTcpNote));
    tw->delack = g_ptr_array_new();
    sim__world_set_module(world, SIM_MOD_TCP, tw, tcp_world_free);
    sim_net_register_proto(world, SIM_PROTO_TCP, sim__tcp_proto_input, tw);
    sim_net_register_proto_error(world, SIM_PROTO_TCP, sim__tcp_proto_error, tw);
    sim_node_add_state_hook(world, tcp_node_hook, tw);
    return tw;
}

static guint
tcp_key_hash(gconstpointer p)
{
    const SimTcpKey *k = p;
    guint32 h = ((guint32) k->lport << 16 | k->rport) * 0x9E3779B1u;
    guint32 w;
    size_t n = k->laddr.family == SIM_AF_INET6 ? 16 : 4;

    for (size_t i = 0; i < n; i += 4) {
        memcpy(&w, k->raddr.bytes + i, 4);
        h = (h ^ w) * 0x85EBCA6Bu;
        memcpy(&w, k->laddr.bytes + i, 4);
        h = (h ^ w) * 0xC2B2AE35u;
    }
    return h ^ (h >> 16);
}

static gboolean
tcp_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(SimTcpKey)) == 0;
}

G_STATIC_ASSERT(sizeof(SimTcpKey) == 2 * sizeof(SimAddr) + 2 * sizeof(guint16));

static void
tcp_queue_free(void *q)
{
    g_queue_free(q);
}

/* The per-node state of @node, created on first use. */
SimTcpHost *
sim__tcp_host(SimTcpWorld *tw, SimNodeId node)
{
    SimTcpHost *host = sim_node_get_proto_data(tw->world, node, SIM_PROTO_TCP);
    char *name;

    if (G_LIKELY(host != NULL))
        return host;
    host = g_new0(SimTcpHost, 1);
    host->tw = tw;
    host->node = node;
    host->conns = g_hash_table_new(tcp_key_hash, tcp_key_equal);
    host->listen = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, tcp_queue_free);
    host->ports = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, tcp_queue_free);
    g_queue_init(&host->tcbs);
    /* ISS and nothing else come from this stream; the name is the node's
     * (stable across runs and independent of creation order elsewhere). */
    name = g_strdup_printf("tcp.iss.%s", sim_node_name(tw->world, node));
    sim_rng_init(&host->iss_rng, sim_world_seed(tw->world), name);
    g_free(name);
    host->next_ephemeral = SIM_PORT_DYNAMIC_FIRST;
    sim_node_set_proto_data(tw->world, node, SIM_PROTO_TCP, host, tcp_host_destroy);
    g_ptr_array_add(tw->hosts, host);
    return host;
}

void
sim__tcp_key_init(SimTcpKey *key, const SimAddr *laddr, guint16 lport, const SimAddr *raddr,
                  guint16 rport)
{
    size_t n;

    memset(key, 0, sizeof *key);
    key->laddr.family = laddr->family;
    n = laddr->family == SIM_AF_INET6 ? 16 : 4;
    memcpy(key->laddr.bytes, laddr->bytes, n);
    key->raddr.family = raddr->family;
    n = raddr->family == SIM_AF_INET6 ? 16 : 4;
    memcpy(key->raddr.bytes, raddr->bytes, n);
    key->lport = lport;
    key->rport = rport;
}

SimTcb *
sim__tcp_conn_lookup(SimTcpHost *host, const SimTcpKey *key)
{
    SimTcb *tcb = host->last;

    if (tcb != NULL && memcmp(&tcb->key, key, sizeof *key) == 0)
        return tcb;
    tcb = g_hash_table_lookup(host->conns, key);
    if (tcb != NULL)
        host->last = tcb;
    return tcb;
}

void
sim__tcp_conn_insert(SimTcb *tcb)
{
    g_assert(!(tcb->flags & SIM_TCB_IN_CONNS));
    g_hash_table_insert(tcb->host->conns, &tcb->key, tcb);
    tcb->flags |= SIM_TCB_IN_CONNS;
}

static void
tcp_conn_remove(SimTcb *tcb)
{
    if (tcb->flags & SIM_TCB_IN_CONNS) {
        g_hash_table_remove(tcb->host->conns, &tcb->key);
        tcb->flags &= ~SIM_TCB_IN_CONNS;
        if (tcb->host->last == tcb)
            tcb->host->last = NULL;
    }
}

/* The listener for a segment to @laddr:@lport: one bound to exactly that
 * address wins over a wildcard one (the usual BSD/Windows precedence). */
SimTcb *
sim__tcp_listener_lookup(SimTcpHost *host, const SimAddr *laddr, guint16 lport)
{
    GQueue *q = g_hash_table_lookup(host->listen, GUINT_TO_POINTER(lport));
    SimTcb *wild = NULL;

    if (q == NULL)
        return NULL;
    for (GList *l = q->head; l != NULL; l = l->next) {
        SimTcb *t = l->data;

        if (t->key.laddr.family != laddr->family)
            continue;
        if (sim_addr_is_any(&t->key.laddr)) {
            if (wild == NULL)
                wild = t;
        } else if (sim_addr_equal(&t->key.laddr, laddr)) {
            return t;
        }
    }
    return wild;
}

static GQueue *
tcp_table_queue(GHashTable *table, guint16 port, bool create)
{
    GQueue *q = g_hash_table_lookup(table, GUINT_TO_POINTER(port));

    if (q == NULL && create) {
        q = g_queue_new();
        g_hash_table_insert(table, GUINT_TO_POINTER(port), q);
    }
    return q;
}

static void
tcp_port_add(SimTcb *tcb)
{
    g_assert(!(tcb->flags & SIM_TCB_BOUND));
    g_queue_push_tail_link(tcp_table_queue(tcb->host->ports, tcb->key.lport, true),
                           &tcb->port_link);
    tcb->flags |= SIM_TCB_BOUND;
}

static void
tcp_port_remove(SimTcb *tcb)
{
    GQueue *q;

    if (!(tcb->flags & SIM_TCB_BOUND))
        return;
    q = tcp_table_queue(tcb->host->ports, tcb->key.lport, false);
    g_queue_unlink(q, &tcb->port_link);
    if (g_queue_is_empty(q))
        g_hash_table_remove(tcb->host->ports, GUINT_TO_POINTER(tcb->key.lport));
    tcb->flags &= ~SIM_TCB_BOUND;
}

static void
tcp_listen_remove(SimTcb *tcb)
{
    GQueue *q;

    if (!(tcb->flags & SIM_TCB_IN_LISTEN))
        return;
    q = tcp_table_queue(tcb->host->listen, tcb->key.lport, false);
    g_queue_unlink(q, &tcb->listen_link);
    if (g_queue_is_empty(q))
        g_hash_table_remove(tcb->host->listen, GUINT_TO_POINTER(tcb->key.lport));
    tcb->flags &= ~SIM_TCB_IN_LISTEN;
}

/* ---- TCB allocation and reaping ------------------------------------------ */

static SimTcb *
tcp_tcb_new(SimTcpWorld *tw, SimTcpHost *host, SimFamily family)
{
    SimTcb *tcb = g_new0(SimTcb, 1);

    tcb->tw = tw;
    tcb->host = host;
    tcb->id = sim_socket_id_next(tw->world);
    tcb->family = family;
    tcb->state = SIM_TCP_CLOSED;
    tcb->host_link.data = tcb;
    tcb->port_link.data = tcb;
    tcb->queue_link.data = tcb;
    tcb->listen_link.data = tcb;
    g_queue_init(&tcb->pending);
    g_queue_init(&tcb->acceptq);
    g_queue_init(&tcb->sb.chunks);
    g_queue_init(&tcb->rq);
    g_queue_init(&tcb->ooo);
    tcb->rcvbuf = tw->cfg.rcvbuf_default;
    tcb->sndbuf = tw->cfg.sndbuf_default;
    tcb->rto = tw->cfg.rto_initial_ns;
    tcb->ka_time = tw->cfg.keepalive_time_ns;
    tcb->ka_interval = tw->cfg.keepalive_interval_ns;
    tcb->ka_count = tw->cfg.keepalive_probes;
    tcb->ssthresh = G_MAXUINT32;
    if (tw->cfg.rst_on_data_after_shutdown)
        tcb->flags |= SIM_TCB_RST_ON_SHUT;
    g_queue_push_tail_link(&host->tcbs, &tcb->host_link);
    if (tw->socks->len <= tcb->id)
        g_ptr_array_set_size(tw->socks, tcb->id + 1);
    g_ptr_array_index(tw->socks, tcb->id) = tcb;
    tw->n_tcbs++;
    return tcb;
}

void
sim__tcp_slice_free(SimTcpSlice *s)
{
    if (s->buf != NULL)
        sim_buf_unref(s->buf);
    g_free(s);
}

static void
tcp_slices_clear(GQueue *q)
{
    SimTcpSlice *s;

    while ((s = g_queue_pop_head(q)) != NULL)
        sim__tcp_slice_free(s);
}

static void
tcp_timer_cancel(SimTcb *tcb)
{
    for (guint t = 0; t < SIM_TCP_T_N; t++)
        tcb->deadline[t] = 0;
    if (tcb->timer_ev != SIM_EVENT_ID_NONE && !tcb->tw->tearing_down)
        sim_event_cancel(tcb->tw->world, tcb->timer_ev);
    tcb->timer_ev = SIM_EVENT_ID_NONE;
}

static void
tcp_tcb_free(SimTcb *tcb)
{
    SimTcpWorld *tw = tcb->tw;

    if (tcb->delack_queued)
        g_ptr_array_remove(tw->delack, tcb);

    tcp_timer_cancel(tcb);
    tcp_conn_remove(tcb);
    tcp_listen_remove(tcb);
    tcp_port_remove(tcb);
    if (tcb->on_queue != NULL) {
        g_queue_unlink(tcb->on_queue, &tcb->queue_link);
        tcb->on_queue = NULL;
    }
    /* Children still queued on a listener being freed lose their parent. */
    for (GList *l = tcb->pending.head; l != NULL; l = l->next)
        ((SimTcb *) l->data)->on_queue = NULL;
    for (GList *l = tcb->acceptq.head; l != NULL; l = l->next)
        ((SimTcb *) l->data)->on_queue = NULL;
    sim__tcp_sndbuf_clear(&tcb->sb);
    tcp_slices_clear(&tcb->rq);
    tcp_slices_clear(&tcb->ooo);
    g_queue_unlink(&tcb->host->tcbs, &tcb->host_link);
    g_ptr_array_index(tw->socks, tcb->id) = NULL;
    tw->n_tcbs--;
    g_free(tcb);
}

static void
tcp_reap_event(SimWorld *world, void *data)
{
    SimTcpWorld *tw = data;

    (void) world;
    tw->reap_ev = SIM_EVENT_ID_NONE;
    /* Free in flagging order: deterministic, and nothing here emits. */
    for (guint i = 0; i < tw->reap->len; i++)
        tcp_tcb_free(g_ptr_array_index(tw->reap, i));
    g_ptr_array_set_size(tw->reap, 0);
}

void
sim__tcp_reap_now(SimWorld *world)
{
    SimTcpWorld *tw = sim__tcp_world(world);

    if (tw->reap_ev != SIM_EVENT_ID_NONE)
        sim_event_cancel(world, tw->reap_ev);
    tcp_reap_event(world, tw);
}

/* Protocol handlers never free their own TCB (STYLE §5): a TCB that is
 * done is flagged here and freed by an event that runs after the current
 * one, so every caller up the stack may still look at it. */
static void
tcp_flag_reap(SimTcb *tcb)
{
    SimTcpWorld *tw = tcb->tw;

    if (tcb->flags & SIM_TCB_REAP)
        return;
    tcb->flags |= SIM_TCB_REAP;
    g_ptr_array_add(tw->reap, tcb);
    if (tw->reap_ev == SIM_EVENT_ID_NONE)
        tw->reap_ev = sim_event_schedule(tw->world, 0, tcp_reap_event, tw);
}

/* ---- Notifications ------------------------------------------------------- */

void
sim__tcp_notify(SimTcb *tcb, guint32 events, SimStatus err)
{
    SimTcpWorld *tw = tcb->tw;
    SimTcpNote note;

    if (events == 0 || tcb->notify == NULL || !(tcb->flags & SIM_TCB_APP))
        return;
    if (tw->notes->len > 0) {
        SimTcpNote *last = &g_array_index(tw->notes, SimTcpNote, tw->notes->len - 1);

        if (last->tcb == tcb && last->err == err) {
            last->events |= events;
            return;
        }
    }
    note.tcb = tcb;
    note.sock = tcb->id;
    note.events = events;
    note.err = err;
    g_array_append_val(tw->notes, note);
}

void
sim__tcp_enter(SimTcpWorld *tw)
{
    tw->depth++;
}

/* Leave an entry point; the outermost one delivers the queued notes, in
 * order.  A callback may call back into the transport: its own notes are
 * appended and delivered by the same loop, never recursively. */
void
sim__tcp_leave(SimTcpWorld *tw)
{
    g_assert(tw->depth > 0);
    if (--tw->depth > 0 || tw->draining)
        return;
    if (G_LIKELY(tw->notes->len == 0 && tw->delack->len == 0))
        return;
    tw->draining = true;
    for (guint i = 0; i < tw->notes->len; i++) {
        SimTcpNote note = g_array_index(tw->notes, SimTcpNote, i);
        SimTcb *tcb = note.tcb;

        /* The application may have closed the id since (no more notes). */
        if (tcb->notify != NULL && (tcb->flags & SIM_TCB_APP))
            tcb->notify(tw->world, note.sock, note.events, note.err, tcb->notify_data);
    }
    g_array_set_size(tw->notes, 0);
    /* Delayed ACKs still owed after the application had its say. */
    for (guint i = 0; i < tw->delack->len; i++) {
        SimTcb *tcb = g_ptr_array_index(tw->delack, i);

        tcb->delack_queued = false;
        if (tcb->delack_segs > 0 && tcb->deadline[SIM_TCP_T_DELACK] == 0 &&
            !(tcb->flags & SIM_TCB_REAP) && tcb->state != SIM_TCP_CLOSED)
            sim__tcp_timer_set(tcb, SIM_TCP_T_DELACK, sim_world_now(tw->world) + tw->cfg.delack_ns);
    }
    g_ptr_array_set_size(tw->delack, 0);
    tw->draining = false;
}

void
sim__tcp_delack_later(SimTcb *tcb)
{
    if (tcb->delack_queued || tcb->deadline[SIM_TCP_T_DELACK] != 0)
        return;
    tcb->delack_queued = true;
    g_ptr_array_add(tcb->tw->delack, tcb);
}

/* ---- Tracing ----------------------------------------------------------- */

/* "sock=N LOCAL>REMOTE", addresses as sim_sockaddr_to_string() writes them
 * ("[::1]:80" for IPv6, so the port is not read as part of the address). */
static void
tcp_format_tuple(const SimTcb *tcb, GString *str)
{
    char buf[SIM_SOCKADDR_STRLEN];
    SimSockAddr sa = { tcb->key.laddr, tcb->key.lport };

    g_string_append_printf(str, "sock=%u %s", tcb->id, sim_sockaddr_to_string(&sa, buf));
    if (tcb->key.rport != 0) {
        sa.addr = tcb->key.raddr;
        sa.port = tcb->key.rport;
        g_string_append_printf(str, ">%s", sim_sockaddr_to_string(&sa, buf));
    }
}

void
sim__tcp_event(SimTcb *tcb, const char *what, const char *fmt, ...)
{
    SimWorld *world = tcb->tw->world;
    GString *str;
    va_list ap;

    if (!sim_trace_enabled(world))
        return;
    str = g_string_new(NULL);
    tcp_format_tuple(tcb, str);
    g_string_append_c(str, ' ');
    va_start(ap, fmt);
    g_string_append_vprintf(str, fmt, ap);
    va_end(ap);
    sim_trace_textf(world, SIM_TR_TCP_EVENT, tcb->host->node, SIM_ID_NONE, what, "%s", str->str);
    g_string_free(str, true);
}

static void
tcp_trace_state(SimTcb *tcb, SimTcpState from, SimTcpState to)
{
    SimWorld *world = tcb->tw->world;
    SimTraceRecord rec;
    GString *str;

    if (!sim_trace_enabled(world))
        return;
    str = g_string_new(NULL);
    tcp_format_tuple(tcb, str);
    g_string_append_printf(str, " %s -> %s", sim_tcp_state_name(from), sim_tcp_state_name(to));
    memset(&rec, 0, sizeof rec);
    rec.time = sim_world_now(world);
    rec.kind = SIM_TR_TCP_STATE;
    rec.node = tcb->host->node;
    rec.subject = sim_tcp_state_name(to);
    rec.text = str->str;
    sim_trace_emit(world, &rec);
    g_string_free(str, true);
}

/* ---- Timers -------------------------------------------------------------- */

static void tcp_timer_fire(SimWorld *world, void *data);

void
sim__tcp_timer_set(SimTcb *tcb, SimTcpTimer t, SimTime deadline)
{
    SimWorld *world = tcb->tw->world;
    SimTime now = sim_world_now(world);

    if (deadline < now)
        deadline = now;
    if (deadline == 0)
        deadline = 1; /* 0 means "off" */
    tcb->deadline[t] = deadline;
    if (tcb->timer_ev != SIM_EVENT_ID_NONE) {
        if (tcb->timer_at <= deadline)
            return; /* the pending event comes first; it will re-arm */
        sim_event_cancel(world, tcb->timer_ev);
    }
    tcb->timer_at = deadline;
    tcb->timer_ev = sim_event_schedule_at(world, deadline, tcp_timer_fire, tcb);
}

static SimTime
tcp_rto_backed_off(const SimTcb *tcb)
{
    SimTime rto = tcb->rto;
    const SimTcpConfig *cfg = &tcb->tw->cfg;

    for (guint i = 0; i < tcb->backoff && rto < cfg->rto_max_ns; i++)
        rto *= 2;
    return MIN(rto, cfg->rto_max_ns);
}

/* RFC 6298 §5.1 / §5.3: (re)start the retransmission timer at RTO. */
void
sim__tcp_rexmt_arm(SimTcb *tcb)
{
    sim__tcp_timer_set(tcb, SIM_TCP_T_REXMT,
                       sim_world_now(tcb->tw->world) + tcp_rto_backed_off(tcb));
}

/* Persist timer: the RTO (at least persist_min), doubled per probe, at
 * most persist_max (RFC 9293 §3.8.6.1, BSD's tcp_setpersist). */
void
sim__tcp_persist_arm(SimTcb *tcb)
{
    const SimTcpConfig *cfg = &tcb->tw->cfg;
    SimTime t = MAX(tcb->rto, cfg->persist_min_ns);

    for (guint i = 0; i < tcb->persist_shift && t < cfg->persist_max_ns; i++)
        t *= 2;
    t = MIN(t, cfg->persist_max_ns);
    sim__tcp_timer_set(tcb, SIM_TCP_T_PERSIST, sim_world_now(tcb->tw->world) + t);
}

static SimStatus
tcp_give_up_cause(const SimTcb *tcb, SimStatus dflt)
{
    return tcb->soft_error != SIM_OK ? tcb->soft_error : dflt;
}

/* T_REXMT expired: RFC 6298 §5.4-5.7 (back off, retransmit the earliest
 * unacknowledged segment), RFC 5681 §3.1 eq. 4 (ssthresh, cwnd = 1 MSS). */
static void
tcp_timeout_rexmt(SimTcb *tcb)
{
    const SimTcpConfig *cfg = &tcb->tw->cfg;
    guint32 flight;

    tcb->stats.timeouts++;
    tcb->backoff++;
    switch (tcb->state) {
    case SIM_TCP_SYN_SENT:
        if (tcb->backoff > cfg->syn_retries) {
            sim__tcp_event(tcb, "timeout", "SYN retries exhausted");
            sim__tcp_drop(tcb, tcp_give_up_cause(tcb, SIM_E_TIMEDOUT), SIM_SOCK_EV_CONNECTED);
            return;
        }
        sim__tcp_event(tcb, "rto", "retransmit SYN backoff=%u", tcb->backoff);
        tcb->flags &= ~SIM_TCB_RTT_TIMING;
        tcb->snd_nxt = tcb->iss;
        sim__tcp_output(tcb);
        return;
    case SIM_TCP_SYN_RECEIVED:
        if (tcb->backoff > cfg->synack_retries) {
            sim__tcp_event(tcb, "timeout", "SYN-ACK retries exhausted");
            sim__tcp_drop(tcb, tcp_give_up_cause(tcb, SIM_E_TIMEDOUT),
                          (tcb->flags & SIM_TCB_CONNECTING) ? SIM_SOCK_EV_CONNECTED
                                                            : SIM_SOCK_EV_CLOSED);
            return;
        }
        sim__tcp_event(tcb, "rto", "retransmit SYN-ACK backoff=%u", tcb->backoff);
        tcb->flags &= ~SIM_TCB_RTT_TIMING;
        tcb->snd_nxt = tcb->iss;
        sim__tcp_output(tcb);
        return;
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
        break;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_TIME_WAIT:
        return; /* nothing outstanding in these states */
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    if (tcb->snd_una == tcb->snd_max)
        return;
    if (tcb->backoff > cfg->data_retries) {
        sim__tcp_event(tcb, "timeout", "retransmissions exhausted, connection aborted");
        sim__tcp_send_rst(tcb);
        sim__tcp_drop(tcb, tcp_give_up_cause(tcb, SIM_E_CONNABORTED),
                      SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_READABLE);
        return;
    }
    flight = sim__tcp_flight(tcb);
    tcb->ssthresh = MAX(flight / 2, 2 * tcb->mss);
    tcb->cwnd = tcb->mss;
    tcb->ca_acked = 0;
    tcb->dupacks = 0;
    tcb->recover = tcb->snd_max; /* RFC 6582 §4: no fast retransmit for this window */
    tcb->flags &= ~(SIM_TCB_RECOVERY | SIM_TCB_RTT_TIMING | SIM_TCB_PARTIAL_SEEN);
    sim__tcp_event(
        tcb, "rto", "retransmit seq=%u backoff=%u rto_ms=%" G_GUINT64_FORMAT " ssthresh=%u cwnd=%u",
        tcb->snd_una, tcb->backoff, tcp_rto_backed_off(tcb) / SIM_MSEC, tcb->ssthresh, tcb->cwnd);
    tcb->snd_nxt = tcb->snd_una; /* go back N */
    sim__tcp_rexmt_arm(tcb);
    sim__tcp_output(tcb);
}

/* T_PERSIST: probe a zero (or too small) window (RFC 9293 §3.8.6.1). */
static void
tcp_timeout_persist(SimTcb *tcb)
{
    if (!sim_tcp_state_is_synchronized(tcb->state) || tcb->sb.len == 0)
        return;
    if (tcb->probes_out > tcb->tw->cfg.data_retries) {
        sim__tcp_event(tcb, "timeout", "zero-window probes unanswered, connection aborted");
        sim__tcp_drop(tcb, tcp_give_up_cause(tcb, SIM_E_CONNABORTED),
                      SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_READABLE);
        return;
    }
    tcb->probes_out++;
    if (tcb->persist_shift < 16)
        tcb->persist_shift++;
    sim__tcp_event(tcb, "probe", "zero-window probe seq=%u wnd=%u", tcb->snd_una, tcb->snd_wnd);
    tcb->flags |= SIM_TCB_FORCE;
    sim__tcp_output(tcb);
    tcb->flags &= ~SIM_TCB_FORCE;
    if (tcb->deadline[SIM_TCP_T_REXMT] == 0 && tcb->deadline[SIM_TCP_T_PERSIST] == 0 &&
        tcb->sb.len > 0)
        sim__tcp_persist_arm(tcb);
}

static void
tcp_timeout_delack(SimTcb *tcb)
{
    tcb->flags |= SIM_TCB_ACK_NOW;
    sim__tcp_output(tcb);
}

static bool
tcp_keepalive_state(SimTcpState state)
{
    switch (state) {
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSE_WAIT:
        return true;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        return false;
    case SIM_TCP_N_STATES:
        break;
    }
    g_assert_not_reached();
}

/* T_KEEP: RFC 9293 §3.8.4 / RFC 1122 §4.2.3.6 keep-alive. */
static void
tcp_timeout_keep(SimTcb *tcb)
{
    SimTime now = sim_world_now(tcb->tw->world);

    if (!(tcb->flags & SIM_TCB_KEEPALIVE) || !tcp_keepalive_state(tcb->state))
        return;
    if (tcb->ka_probes >= tcb->ka_count) {
        sim__tcp_event(tcb, "timeout", "keep-alive: peer dead after %u probes", tcb->ka_probes);
        sim__tcp_send_rst(tcb);
        sim__tcp_drop(tcb, SIM_E_NETRESET, SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_READABLE);
        return;
    }
    tcb->ka_probes++;
    tcb->stats.keepalive_probes++;
    sim__tcp_event(tcb, "keepalive", "probe %u/%u", tcb->ka_probes, tcb->ka_count);
    sim__tcp_send_keepalive(tcb);
    sim__tcp_timer_set(tcb, SIM_TCP_T_KEEP, now + tcb->ka_interval);
}

static void
tcp_timeout_2msl(SimTcb *tcb)
{
    switch (tcb->state) {
    case SIM_TCP_TIME_WAIT:
        sim__tcp_drop(tcb, SIM_OK, 0);
        return;
    case SIM_TCP_FIN_WAIT_2:
        sim__tcp_event(tcb, "timeout", "FIN_WAIT_2 timeout");
        sim__tcp_drop(tcb, SIM_OK, 0);
        return;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
        return;
    case SIM_TCP_N_STATES:
        break;
    }
    g_assert_not_reached();
}

typedef void (*TcpTimeoutFn)(SimTcb *tcb);
static const TcpTimeoutFn tcp_timeout_fn[] = {
    [SIM_TCP_T_REXMT] = tcp_timeout_rexmt,   [SIM_TCP_T_PERSIST] = tcp_timeout_persist,
    [SIM_TCP_T_DELACK] = tcp_timeout_delack, [SIM_TCP_T_KEEP] = tcp_timeout_keep,
    [SIM_TCP_T_2MSL] = tcp_timeout_2msl,
};
G_STATIC_ASSERT(G_N_ELEMENTS(tcp_timeout_fn) == SIM_TCP_T_N);

/* The TCB's one timer event: run every expired deadline in a fixed order,
 * then re-arm at the earliest remaining one. */
static void
tcp_timer_fire(SimWorld *world, void *data)
{
    SimTcb *tcb = data;
    SimTcpWorld *tw = tcb->tw;
    SimTime now = sim_world_now(world);
    SimTime next = 0;

    tcb->timer_ev = SIM_EVENT_ID_NONE;
    sim__tcp_enter(tw);
    for (guint t = 0; t < SIM_TCP_T_N; t++) {
        if (tcb->flags & (SIM_TCB_REAP | SIM_TCB_DEAD) || tcb->state == SIM_TCP_CLOSED)
            break;
        if (tcb->deadline[t] != 0 && tcb->deadline[t] <= now) {
            tcb->deadline[t] = 0;
            tcp_timeout_fn[t](tcb);
        }
    }
    if (tcb->state != SIM_TCP_CLOSED) {
        for (guint t = 0; t < SIM_TCP_T_N; t++)
            if (tcb->deadline[t] != 0 && (next == 0 || tcb->deadline[t] < next))
                next = tcb->deadline[t];
        /* A handler that armed a timer above scheduled the event at that
         * deadline alone (timer_ev was NONE), possibly after a deadline
         * still pending from before: the event must come at the earliest. */
        if (next != 0 && tcb->timer_ev != SIM_EVENT_ID_NONE && tcb->timer_at > next) {
            sim_event_cancel(world, tcb->timer_ev);
            tcb->timer_ev = SIM_EVENT_ID_NONE;
        }
        if (next != 0 && tcb->timer_ev == SIM_EVENT_ID_NONE) {
            tcb->timer_at = MAX(next, now);
            tcb->timer_ev = sim_event_schedule_at(world, tcb->timer_at, tcp_timer_fire, tcb);
        }
        sim__tcp_check_invariants(tcb);
    }
    sim__tcp_leave(tw);
}

/* ---- The transition writer ----------------------------------------------- */

/**
 * sim__tcp_set_state:
 * @tcb: the TCB
 * @to: the new state
 *
 * The only place tcb->state is written (STYLE §7, curl's mstate()).
 * Asserts the edge is in tcp_allowed, emits SIM_TR_TCP_STATE, stops the
 * timers the new state does not keep, and arms those it starts with.
 */
void
sim__tcp_set_state(SimTcb *tcb, SimTcpState to)
{
    SimTcpState from = tcb->state;
    SimTime now = sim_world_now(tcb->tw->world);
    guint8 keep;

    if (from == to)
        return;
    g_assert(tcp_allowed[from][to]);
    tcb->state = to;
    tcp_trace_state(tcb, from, to);
    keep = tcp_state_info[to].timers;
    for (guint t = 0; t < SIM_TCP_T_N; t++)
        if (!(keep & T(t)))
            tcb->deadline[t] = 0;
    switch (to) {
    case SIM_TCP_ESTABLISHED:
        if (tcb->flags & SIM_TCB_KEEPALIVE)
            sim__tcp_timer_set(tcb, SIM_TCP_T_KEEP, now + tcb->ka_time);
        break;
    case SIM_TCP_TIME_WAIT:
        /* RFC 9293 §3.10.7.4: 2 MSL, restarted by a retransmitted FIN. */
        sim__tcp_timer_set(tcb, SIM_TCP_T_2MSL, now + 2 * tcb->tw->cfg.msl_ns);
        break;
    case SIM_TCP_FIN_WAIT_2:
        if (!(tcb->flags & SIM_TCB_APP))
            sim__tcp_timer_set(tcb, SIM_TCP_T_2MSL, now + tcb->tw->cfg.fin_wait2_timeout_ns);
        break;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
        break;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
}

/**
 * sim__tcp_drop:
 * @tcb: the TCB
 * @err: SIM_OK for a normal end, or why the connection died
 * @events: notification bits to report with @err (0 for none)
 *
 * Enter CLOSED (RFC 9293 "delete the TCB"): leave every table, stop every
 * timer, drop the send buffer (and the receive buffer on an error; unread
 * data of a graceful end stays readable), reset the children of a
 * listener.  The TCB is reaped after the current event unless the
 * application holds its id; then it stays as a CLOSED shell until
 * sim_tcp_close().
 */
void
sim__tcp_drop(SimTcb *tcb, SimStatus err, guint32 events)
{
    SimTcb *child;

    if (tcb->state != SIM_TCP_CLOSED)
        sim__tcp_set_state(tcb, SIM_TCP_CLOSED);
    tcp_timer_cancel(tcb);
    tcp_conn_remove(tcb);
    tcp_listen_remove(tcb);
    tcp_port_remove(tcb);
    if (tcb->on_queue != NULL) {
        SimTcb *listener = sim__tcp_lookup(tcb->tw, tcb->parent);

        /* A connection already indicated to the listener's user and reset
         * before accept: the next accept reports it (Windows: WSAECONNRESET,
         * "indicated, but terminated by the remote peer prior to accepting"). */
        if (listener != NULL && tcb->on_queue == &listener->acceptq &&
            listener->state == SIM_TCP_LISTEN && err == SIM_E_CONNRESET) {
            listener->accept_resets++;
            sim__tcp_notify(listener, SIM_SOCK_EV_ACCEPT, SIM_OK);
        }
        g_queue_unlink(tcb->on_queue, &tcb->queue_link);
        tcb->on_queue = NULL;
        tcb->parent = 0;
    }
    /* A listener's children die with it; each peer is told by RST (Windows
     * resets the connections nobody accepted). */
    while ((child = g_queue_peek_head(&tcb->pending)) != NULL ||
           (child = g_queue_peek_head(&tcb->acceptq)) != NULL) {
        sim__tcp_send_rst(child);
        sim__tcp_drop(child, SIM_E_CONNRESET, 0);
    }
    sim__tcp_sndbuf_clear(&tcb->sb);
    if (tcb->flags & SIM_TCB_WATCH_ENDED)
        events |= SIM_TCP_EV_ENDED;
    tcb->flags &=
        ~(SIM_TCB_WANT_WRITE | SIM_TCB_WATCH_ACKED | SIM_TCB_WATCH_ENDED | SIM_TCB_URG_SEND);
    if (err != SIM_OK) {
        tcp_slices_clear(&tcb->rq);
        tcb->rq_bytes = 0;
        tcb->flags &= ~(SIM_TCB_OOB_VALID | SIM_TCB_URG_MARK);
        tcb->conn_error = err;
        tcb->pending_error = err;
    }
    tcp_slices_clear(&tcb->ooo);
    sim__tcp_notify(tcb, events, err);
    if (!(tcb->flags & SIM_TCB_APP))
        tcp_flag_reap(tcb);
}

/* ---- Host crash (sim_node_add_state_hook) ------------------------------- */

/* A node went down: its TCBs vanish without a packet (the peers learn it
 * from a RST when they next send to the restarted host, or time out).  The
 * application's ids stay valid as dead shells reporting E_NETDOWN. */
static void
tcp_node_hook(SimWorld *world, SimNodeId node, bool up, void *data)
{
    SimTcpWorld *tw = data;
    SimTcpHost *host;
    GList *l;

    (void) world;
    if (up)
        return;
    host = sim_node_get_proto_data(tw->world, node, SIM_PROTO_TCP);
    if (host == NULL)
        return;
    sim__tcp_enter(tw);
    tw->silent = true; /* a crashed host sends nothing, not even RSTs */
    for (l = host->tcbs.head; l != NULL; l = l->next) {
        SimTcb *tcb = l->data;

        if (tcb->flags & SIM_TCB_REAP)
            continue;
        if (tcb->flags & SIM_TCB_APP) {
            tcb->flags |= SIM_TCB_DEAD;
            if (tcb->state == SIM_TCP_CLOSED) {
                /* an idle or already failed socket: it still vanishes */
                tcp_port_remove(tcb);
                tcb->conn_error = SIM_E_NETDOWN;
                sim__tcp_notify(tcb, SIM_SOCK_EV_FREED, SIM_E_NETDOWN);
                continue;
            }
        } else if (tcb->state == SIM_TCP_CLOSED) {
            continue;
        }
        /* Children go down with their listener, in that listener's drop. */
        sim__tcp_drop(tcb, SIM_E_NETDOWN,
                      SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_FREED | SIM_SOCK_EV_READABLE);
    }
    tw->silent = false;
    sim__tcp_leave(tw);
}

/* ---- Buffers ------------------------------------------------------------- */

/* Chunk sizing.  A chunk of exactly a write's size costs one copy and no
 * zero-fill, but a segment that straddles two chunks must be copied again;
 * a shared chunk is zero-filled once and then filled by several writes.
 *   - a large write (>= 16 KiB) gets chunks of its own size (at most 64 KiB);
 *   - a write into an idle send buffer (request/response) of at least
 *     512 bytes gets its own exact chunk: usually one or a few segments;
 *   - other writes (a streaming sender topping up a busy buffer, tiny
 *     writes) share 16 KiB chunks (4 KiB for tiny writes into an idle
 *     buffer), so at most one segment in ~11 straddles. */
#define TCP_CHUNK_LARGE 16384u
#define TCP_CHUNK_EXACT_MIN 512u
#define TCP_CHUNK_SMALL 4096u
#define TCP_CHUNK_MAX 65536u

void
sim__tcp_sndbuf_append(SimTcpSndBuf *sb, const guint8 *data, guint32 len, guint32 sndbuf)
{
    const bool idle = sb->len == 0;

    (void) sndbuf;
    while (len > 0) {
        SimTcpChunk *tail = g_queue_peek_tail(&sb->chunks);
        guint32 n;

        if (tail != NULL && tail->used < tail->cap) {
            /* Only the unused part of a chunk is written: slices already in
             * packets cover filled bytes only, so sharing stays safe. */
            n = MIN(len, tail->cap - tail->used);
            memcpy(tail->buf->data + tail->used, data, n);
        } else {
            tail = g_new(SimTcpChunk, 1);
            if (len >= TCP_CHUNK_LARGE || (idle && len >= TCP_CHUNK_EXACT_MIN)) {
                n = MIN(len, TCP_CHUNK_MAX);
                tail->buf = sim_buf_new(data, n);
                tail->cap = n;
            } else {
                tail->cap = idle ? TCP_CHUNK_SMALL : TCP_CHUNK_LARGE;
                tail->buf = sim_buf_new(NULL, tail->cap);
                n = MIN(len, tail->cap);
                memcpy(tail->buf->data, data, n);
            }
            tail->used = 0;
            g_queue_push_tail(&sb->chunks, tail);
        }
        tail->used += n;
        data += n;
        len -= n;
        sb->len += n;
    }
}

void
sim__tcp_sndbuf_drop(SimTcpSndBuf *sb, guint32 len)
{
    guint32 dropped = len;

    g_assert(len <= sb->len);
    while (len > 0) {
        GList *head = sb->chunks.head;
        SimTcpChunk *c = head->data;
        guint32 avail = c->used - sb->head_off;

        if (len >= avail && (c->used == c->cap || head->next != NULL)) {
            if (sb->cur == head)
                sb->cur = NULL;
            g_queue_pop_head(&sb->chunks);
            sim_buf_unref(c->buf);
            g_free(c);
            sb->head_off = 0;
            len -= avail;
            sb->len -= avail;
        } else {
            g_assert(len <= avail);
            sb->head_off += len;
            sb->len -= len;
            len = 0;
        }
    }
    if (sb->cur != NULL)
        sb->cur_start = sb->cur == sb->chunks.head ? 0 : sb->cur_start - dropped;
}

void
sim__tcp_sndbuf_clear(SimTcpSndBuf *sb)
{
    SimTcpChunk *c;

    while ((c = g_queue_pop_head(&sb->chunks)) != NULL) {
        sim_buf_unref(c->buf);
        g_free(c);
    }
    sb->head_off = 0;
    sb->len = 0;
    sb->cur = NULL;
    sb->cur_start = 0;
}

SimBuf *
sim__tcp_sndbuf_slice(SimTcpSndBuf *sb, guint32 off, guint32 len, guint32 *out_buf_off)
{
    GList *l;
    guint32 start;
    SimBuf *copy;
    guint32 done;

    g_assert(len > 0 && off + len <= sb->len);
    if (sb->cur != NULL && off >= sb->cur_start) {
        l = sb->cur;
        start = sb->cur_start;
    } else {
        l = sb->chunks.head;
        start = 0;
    }
    for (;;) {
        SimTcpChunk *c = l->data;
        guint32 first = l == sb->chunks.head ? sb->head_off : 0;
        guint32 bytes = c->used - first;

        if (off < start + bytes) {
            guint32 within = first + (off - start);

            sb->cur = l;
            sb->cur_start = start;
            if (within + len <= c->used) {
                *out_buf_off = within;
                return sim_buf_ref(c->buf);
            }
            /* Straddles chunks: the one case that copies. */
            copy = sim_buf_new(NULL, len);
            done = 0;
            while (done < len) {
                guint32 n = MIN(len - done, c->used - within);

                memcpy(copy->data + done, c->buf->data + within, n);
                done += n;
                l = l->next;
                if (l == NULL)
                    break;
                c = l->data;
                within = 0;
            }
            g_assert(done == len);
            *out_buf_off = 0;
            return copy;
        }
        start += bytes;
        l = l->next;
        g_assert(l != NULL);
    }
}

/* ---- Invariants ---------------------------------------------------------- */

/* RFC 9293 §3.3 relations and our own bookkeeping, checked after every
 * input and timer in builds with assertions (sim-tcp-input.c's head lists
 * them per state).  Queue walks run only with deep checks on (tests). */
void
sim__tcp_check_invariants(const SimTcb *tcb)
{
#ifndef G_DISABLE_ASSERT
    if (tcb->flags & SIM_TCB_REAP)
        return;
    switch (tcb->state) {
    case SIM_TCP_CLOSED:
        g_assert(!(tcb->flags & (SIM_TCB_IN_CONNS | SIM_TCB_IN_LISTEN | SIM_TCB_BOUND)));
        g_assert(tcb->timer_ev == SIM_EVENT_ID_NONE);
        g_assert(tcb->ooo.head == NULL);
        break;
    case SIM_TCP_LISTEN:
        /* a listener, or a child being born (not yet in a table) */
        g_assert((tcb->flags & SIM_TCB_IN_LISTEN) || (tcb->flags & SIM_TCB_PASSIVE));
        break;
    case SIM_TCP_SYN_SENT:
        g_assert(tcb->flags & SIM_TCB_IN_CONNS);
        g_assert(tcb->sb_seq == tcb->iss + 1);
        break;
    case SIM_TCP_SYN_RECEIVED:
        g_assert(tcb->flags & SIM_TCB_IN_CONNS);
        g_assert(tcb->rcv_nxt == tcb->irs + 1);
        break;
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        g_assert(tcb->flags & SIM_TCB_IN_CONNS);
        g_assert(sim_seq_leq(tcb->snd_una, tcb->snd_nxt));
        g_assert(sim_seq_leq(tcb->snd_nxt, tcb->snd_max));
        /* the send buffer starts at SND.UNA (or just after an unacked SYN)
         * and ends before any FIN */
        g_assert(sim_seq_leq(tcb->sb_seq, tcb->snd_una + 1));
        g_assert(sim_seq_leq(tcb->snd_max, sim__tcp_data_end(tcb) + 1));
        g_assert(tcb->cwnd >= tcb->mss || tcb->mss == 0);
        g_assert(tcb->mss > 0);
        if (tcb->state == SIM_TCP_TIME_WAIT)
            g_assert(tcb->deadline[SIM_TCP_T_2MSL] != 0);
        if (tcb->state == SIM_TCP_FIN_WAIT_2 || tcb->state == SIM_TCP_TIME_WAIT)
            g_assert(tcb->sb.len == 0 && tcb->snd_una == tcb->snd_max);
        break;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    if (tcb->timer_ev != SIM_EVENT_ID_NONE) {
        for (guint t = 0; t < SIM_TCP_T_N; t++)
            if (tcb->deadline[t] != 0)
                g_assert(tcb->deadline[t] >= tcb->timer_at);
    } else if (tcb->state != SIM_TCP_CLOSED) {
        for (guint t = 0; t < SIM_TCP_T_N; t++)
            g_assert(tcb->deadline[t] == 0);
    }
    if (tcb->tw->deep_checks) {
        guint32 sum = 0, seq = 0;
        bool first = true;

        for (GList *l = tcb->rq.head; l != NULL; l = l->next) {
            const SimTcpSlice *s = l->data;

            g_assert(s->len > 0);
            g_assert(first || sim_seq_geq(s->seq, seq));
            seq = s->seq + s->len;
            first = false;
            sum += s->len;
        }
        g_assert(sum == tcb->rq_bytes);
        first = true;
        for (GList *l = tcb->ooo.head; l != NULL; l = l->next) {
            const SimTcpSlice *s = l->data;

            g_assert(sim_seq_gt(s->seq, tcb->rcv_nxt));
            g_assert(first || sim_seq_geq(s->seq, seq));
            seq = s->seq;
            first = false;
        }
        sum = 0;
        for (GList *l = tcb->sb.chunks.head; l != NULL; l = l->next) {
            const SimTcpChunk *c = l->data;

            sum += c->used - (l == tcb->sb.chunks.head ? tcb->sb.head_off : 0);
        }
        g_assert(sum == tcb->sb.len);
    }
#else
    (void) tcb;
#endif
}

void
sim__tcp_set_deep_checks(SimWorld *world, bool on)
{
    sim__tcp_world(world)->deep_checks = on;
}

void
sim__tcp_set_tx_hook(SimWorld *world, SimTcpTxHook fn, void *data)
{
    SimTcpWorld *tw = sim__tcp_world(world);

    tw->tx_hook = fn;
    tw->tx_hook_data = data;
}

/* ---- Children ------------------------------------------------------------ */

SimTcb *
sim__tcp_child_new(SimTcb *listener, const SimTcpSeg *seg)
{
    SimTcb *child = tcp_tcb_new(listener->tw, listener->host, listener->family);
    const guint32 inherit =
        SIM_TCB_NODELAY | SIM_TCB_OOBINLINE | SIM_TCB_KEEPALIVE | SIM_TCB_RST_ON_SHUT;

    child->flags = (child->flags & ~inherit) | (listener->flags & inherit) | SIM_TCB_PASSIVE;
    child->rcvbuf = listener->rcvbuf;
    child->sndbuf = listener->sndbuf;
    child->ka_time = listener->ka_time;
    child->ka_interval = listener->ka_interval;
    child->ka_count = listener->ka_count;
    sim__tcp_key_init(&child->key, &seg->dst, seg->dport, &seg->src, seg->sport);
    child->state = SIM_TCP_LISTEN; /* born a copy of the listener (RFC 9293 §3.10.7.2) */
    child->parent = listener->id;
    tcp_port_add(child);
    return child;
}

/* ---- User calls ------------------------------------------------------------ */

/* Look up an id the application holds (closed ids are E_NOTFOUND). */
static SimStatus
tcp_user_tcb(SimWorld *world, SimSocketId sock, SimTcpWorld **out_tw, SimTcb **out_tcb)
{
    SimTcpWorld *tw = sim__tcp_world(world);
    SimTcb *tcb = sim__tcp_lookup(tw, sock);

    *out_tw = tw;
    *out_tcb = tcb;
    if (tcb == NULL || !(tcb->flags & SIM_TCB_APP))
        return SIM_E_NOTFOUND;
    return SIM_OK;
}

#define TCP_USER_BEGIN(world, sock)                                                                \
    SimTcpWorld *tw;                                                                               \
    SimTcb *tcb;                                                                                   \
    SimStatus st;                                                                                  \
    g_return_val_if_fail((world) != NULL, SIM_E_INVAL);                                            \
    st = tcp_user_tcb((world), (sock), &tw, &tcb);                                                 \
    if (st != SIM_OK)                                                                              \
        return st;                                                                                 \
    sim__tcp_enter(tw)

#define TCP_USER_END()                                                                             \
    sim__tcp_leave(tw);                                                                            \
    return st

/**
 * sim_tcp_open:
 * @world: the world
 * @node: the host the socket lives on
 * @family: SIM_AF_INET or SIM_AF_INET6
 * @out_sock: (out): the new id (never reused in this world)
 *
 * Returns: SIM_OK; E_INVAL for an unknown node or family; E_NETDOWN when
 * @node is down.
 */
SimStatus
sim_tcp_open(SimWorld *world, SimNodeId node, SimFamily family, SimSocketId *out_sock)
{
    SimTcpWorld *tw;
    SimTcb *tcb;

    g_return_val_if_fail(world != NULL && out_sock != NULL, SIM_E_INVAL);
    *out_sock = 0;
    if (family != SIM_AF_INET && family != SIM_AF_INET6)
        return SIM_E_INVAL;
    if (node == SIM_ID_NONE || node > sim_world_node_count(world))
        return SIM_E_INVAL;
    if (!sim_node_is_up(world, node))
        return SIM_E_NETDOWN;
    tw = sim__tcp_world(world);
    tcb = tcp_tcb_new(tw, sim__tcp_host(tw, node), family);
    tcb->flags |= SIM_TCB_APP;
    tcb->key.laddr = sim_addr_any(family);
    tcb->key.raddr = sim_addr_any(family);
    sim__tcp_key_init(&tcb->key, &tcb->key.laddr, 0, &tcb->key.raddr, 0);
    *out_sock = tcb->id;
    return SIM_OK;
}

static bool
tcp_addr_overlap(const SimAddr *a, const SimAddr *b)
{
    return sim_addr_is_any(a) || sim_addr_is_any(b) || sim_addr_equal(a, b);
}

/* Windows bind rules as this simulator models them (doc/tcp.md): a port is
 * shared only if the new socket asks for SO_REUSEADDR and nobody holding an
 * overlapping address asked for SO_EXCLUSIVEADDRUSE.  TIME_WAIT TCBs and
 * accepted children count as holders. */
static SimStatus
tcp_bind_check(SimTcpHost *host, const SimTcb *self, SimFamily family, const SimAddr *addr,
               guint16 port, guint flags)
{
    GQueue *q = tcp_table_queue(host->ports, port, false);

    if (q == NULL)
        return SIM_OK;
    for (GList *l = q->head; l != NULL; l = l->next) {
        const SimTcb *o = l->data;

        if (o == self || o->family != family || !tcp_addr_overlap(addr, &o->key.laddr))
            continue;
        if ((o->flags & SIM_TCB_EXCLUSIVE) || (flags & SIM_TCP_BIND_EXCLUSIVE))
            return SIM_E_ADDRINUSE;
        if (flags & SIM_TCP_BIND_REUSEADDR)
            continue;
        return SIM_E_ADDRINUSE;
    }
    return SIM_OK;
}

/* The next free dynamic port of @host, in order from a per-host cursor
 * (deterministic; Windows also allocates sequentially). */
static guint16
tcp_ephemeral_port(SimTcpHost *host)
{
    const guint32 n = SIM_PORT_DYNAMIC_LAST - SIM_PORT_DYNAMIC_FIRST + 1;

    for (guint32 i = 0; i < n; i++) {
        guint32 port = host->next_ephemeral;

        host->next_ephemeral = port == SIM_PORT_DYNAMIC_LAST ? SIM_PORT_DYNAMIC_FIRST : port + 1;
        if (tcp_table_queue(host->ports, (guint16) port, false) == NULL)
            return (guint16) port;
    }
    return 0;
}

static SimStatus
tcp_do_bind(SimTcb *tcb, const SimAddr *addr, guint16 port, guint flags)
{
    SimTcpHost *host = tcb->host;
    SimWorld *world = tcb->tw->world;
    SimStatus st;

    if (addr->family != tcb->family)
        return SIM_E_INVAL;
    if (!sim_addr_is_any(addr) && !sim_addr_is_loopback(addr) &&
        !sim_node_has_addr(world, host->node, addr))
        return SIM_E_ADDRNOTAVAIL;
    if (port == 0) {
        port = tcp_ephemeral_port(host);
        if (port == 0)
            return SIM_E_NOBUFS;
    } else {
        st = tcp_bind_check(host, tcb, tcb->family, addr, port, flags);
        if (st != SIM_OK)
            return st;
    }
    sim__tcp_key_init(&tcb->key, addr, port, &tcb->key.raddr, 0);
    tcb->flags &= ~(SIM_TCB_REUSEADDR | SIM_TCB_EXCLUSIVE);
    if (flags & SIM_TCP_BIND_REUSEADDR)
        tcb->flags |= SIM_TCB_REUSEADDR;
    if (flags & SIM_TCP_BIND_EXCLUSIVE)
        tcb->flags |= SIM_TCB_EXCLUSIVE;
    tcp_port_add(tcb);
    return SIM_OK;
}

/**
 * sim_tcp_bind:
 * @addr: a local address of the node, a loopback address, or the wildcard;
 *   port 0 takes the next free dynamic port
 * @flags: SIM_TCP_BIND_REUSEADDR, SIM_TCP_BIND_EXCLUSIVE
 *
 * Returns: SIM_OK; E_INVAL if already bound or the family differs;
 * E_ADDRNOTAVAIL if the node lacks the address; E_ADDRINUSE if the port is
 * held (TIME_WAIT included) and not shareable; E_NOBUFS when no dynamic
 * port is free.
 */
SimStatus
sim_tcp_bind(SimWorld *world, SimSocketId sock, const SimSockAddr *addr, guint flags)
{
    TCP_USER_BEGIN(world, sock);
    if (addr == NULL || (tcb->flags & SIM_TCB_BOUND) || tcb->state != SIM_TCP_CLOSED ||
        (tcb->flags & SIM_TCB_DEAD) || tcb->conn_error != SIM_OK)
        st = SIM_E_INVAL;
    else
        st = tcp_do_bind(tcb, &addr->addr, addr->port, flags);
    TCP_USER_END();
}

/**
 * sim_tcp_listen:
 * @backlog: the most connections (half-open, held and completed together)
 *   waiting for accept; a SYN beyond it is answered with RST, as Windows
 *   does ("connection refused").  Calling again changes the backlog.
 *
 * Returns: SIM_OK; E_INVAL if unbound or connected.
 */
SimStatus
sim_tcp_listen(SimWorld *world, SimSocketId sock, guint backlog)
{
    TCP_USER_BEGIN(world, sock);
    if (tcb->state == SIM_TCP_LISTEN) {
        tcb->backlog = MAX(backlog, 1u);
    } else if (tcb->state != SIM_TCP_CLOSED || !(tcb->flags & SIM_TCB_BOUND) ||
               (tcb->flags & SIM_TCB_DEAD)) {
        st = SIM_E_INVAL;
    } else {
        GQueue *q;

        tcb->backlog = MAX(backlog, 1u);
        q = tcp_table_queue(tcb->host->listen, tcb->key.lport, true);
        g_queue_push_tail_link(q, &tcb->listen_link);
        tcb->flags |= SIM_TCB_IN_LISTEN;
        sim__tcp_set_state(tcb, SIM_TCP_LISTEN);
    }
    TCP_USER_END();
}

static guint8
tcp_wscale_for(const SimTcb *tcb)
{
    guint8 s = 1;

    /* At least 1 so the option is always signalled (the header has no way
     * to say "scale 0"); enough for the whole receive buffer. */
    while (s < 14 && (tcb->rcvbuf >> s) > 65535)
        s++;
    return s;
}

static guint32
tcp_mss_for(SimWorld *world, SimNodeId node, SimFamily family, const SimAddr *dst)
{
    guint32 mtu = sim_net_path_mtu(world, node, dst);
    guint32 hdr = family == SIM_AF_INET6 ? 60 : 40;

    if (mtu == 0)
        mtu = family == SIM_AF_INET6 ? 1280 : 576;
    return mtu > hdr + 64 ? mtu - hdr : 64;
}

/* Set up the send side of a TCB about to send its SYN (or SYN-ACK). */
static void
tcp_init_send(SimTcb *tcb)
{
    SimWorld *world = tcb->tw->world;

    tcb->iss = (guint32) sim_rng_next(&tcb->host->iss_rng);
    tcb->snd_una = tcb->snd_nxt = tcb->snd_max = tcb->iss;
    tcb->sb_seq = tcb->iss + 1;
    tcb->recover = tcb->iss;
    tcb->rcv_mss = tcp_mss_for(world, tcb->host->node, tcb->family, &tcb->key.raddr);
    tcb->mss = tcb->rcv_mss;
    tcb->rcv_wscale = tcb->tw->cfg.window_scaling ? tcp_wscale_for(tcb) : 0;
    tcb->rto = tcb->tw->cfg.rto_initial_ns;
    tcb->backoff = 0;
}

/* Called by input for a new child (LISTEN -> SYN_RECEIVED). */
void
sim__tcp_child_init_send(SimTcb *child)
{
    tcp_init_send(child);
}

/**
 * sim_tcp_connect:
 * @remote: the peer; must be of the socket's family, not the wildcard,
 *   port not 0
 *
 * Sends a SYN and returns E_INPROGRESS; SIM_SOCK_EV_CONNECTED (with
 * SIM_SOCK_EV_WRITABLE on success) reports the outcome: SIM_OK,
 * E_CONNREFUSED (RST), E_TIMEDOUT (SYN retries exhausted), E_NETUNREACH /
 * E_HOSTUNREACH (ICMP or no route).  An unbound socket is bound to the
 * route's source address and the next dynamic port.
 *
 * Returns: E_INPROGRESS; E_ALREADY while connecting; E_ISCONN when
 * connected; E_INVAL on a listener or a socket that failed before;
 * E_ADDRNOTAVAIL for a wildcard address or port 0; E_NETUNREACH when no
 * route exists now; E_ADDRINUSE when the 4-tuple exists (TIME_WAIT
 * included); E_NOBUFS when no dynamic port is free.
 */
SimStatus
sim_tcp_connect(SimWorld *world, SimSocketId sock, const SimSockAddr *remote)
{
    SimAddr src;
    SimTcpKey key;
    guint16 lport;

    TCP_USER_BEGIN(world, sock);
    switch (tcb->state) {
    case SIM_TCP_CLOSED:
        break;
    case SIM_TCP_SYN_SENT:
        st = SIM_E_ALREADY;
        goto out;
    case SIM_TCP_LISTEN:
        st = SIM_E_INVAL;
        goto out;
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        st = SIM_E_ISCONN;
        goto out;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    if ((tcb->flags & SIM_TCB_DEAD) || tcb->conn_error != SIM_OK ||
        (tcb->flags & SIM_TCB_CONNECTING) || remote == NULL || remote->addr.family != tcb->family) {
        st = SIM_E_INVAL;
        goto out;
    }
    if (sim_addr_is_any(&remote->addr) || remote->port == 0) {
        st = SIM_E_ADDRNOTAVAIL;
        goto out;
    }
    if ((tcb->flags & SIM_TCB_BOUND) && !sim_addr_is_any(&tcb->key.laddr)) {
        src = tcb->key.laddr;
    } else {
        st = sim_node_source_addr(world, tcb->host->node, &remote->addr, &src);
        if (st != SIM_OK)
            goto out;
    }
    lport = (tcb->flags & SIM_TCB_BOUND) ? tcb->key.lport : tcp_ephemeral_port(tcb->host);
    if (lport == 0) {
        st = SIM_E_NOBUFS;
        goto out;
    }
    sim__tcp_key_init(&key, &src, lport, &remote->addr, remote->port);
    if (sim__tcp_conn_lookup(tcb->host, &key) != NULL) {
        st = SIM_E_ADDRINUSE;
        goto out;
    }
    if (tcb->flags & SIM_TCB_BOUND) {
        tcp_port_remove(tcb);
        tcb->key = key;
        tcp_port_add(tcb);
    } else {
        tcb->key = key;
        tcp_port_add(tcb);
    }
    tcp_init_send(tcb);
    sim__tcp_conn_insert(tcb);
    tcb->flags |= SIM_TCB_CONNECTING;
    sim__tcp_set_state(tcb, SIM_TCP_SYN_SENT);
    sim__tcp_output(tcb);
    st = SIM_E_INPROGRESS;
out:
    TCP_USER_END();
}

/* Take a child off its listener's queue and give it to the application. */
static void
tcp_child_adopt(SimTcb *listener, SimTcb *child)
{
    g_queue_unlink(child->on_queue, &child->queue_link);
    child->on_queue = NULL;
    child->parent = 0;
    child->flags |= SIM_TCB_APP;
    (void) listener;
}

static SimTcb *
tcp_first_held(SimTcb *listener)
{
    for (GList *l = listener->pending.head; l != NULL; l = l->next) {
        SimTcb *c = l->data;

        if (c->flags & SIM_TCB_HELD)
            return c;
    }
    return NULL;
}

/**
 * sim_tcp_accept:
 * @out_child: (out): the accepted connection, owned by the caller like an
 *   opened socket
 *
 * Takes the oldest completed connection.  In conditional mode, when none is
 * completed, takes the oldest held SYN instead: its SYN-ACK is sent now and
 * the child is returned in SYN_RECEIVED (SIM_SOCK_EV_CONNECTED reports
 * the end of its handshake).
 *
 * Returns: SIM_OK; E_CONNRESET, once for each queued connection its peer
 * reset before it was accepted (when no other connection is ready);
 * E_WOULDBLOCK when nothing waits; E_INVAL if not listening.
 */
SimStatus
sim_tcp_accept(SimWorld *world, SimSocketId listener, SimSocketId *out_child)
{
    SimTcb *child;

    TCP_USER_BEGIN(world, listener);
    if (out_child != NULL)
        *out_child = 0;
    if (tcb->state != SIM_TCP_LISTEN || out_child == NULL) {
        st = SIM_E_INVAL;
    } else if ((child = g_queue_peek_head(&tcb->acceptq)) != NULL) {
        tcp_child_adopt(tcb, child);
        *out_child = child->id;
    } else if (tcb->accept_resets > 0) {
        tcb->accept_resets--;
        st = SIM_E_CONNRESET;
    } else if ((tcb->flags & SIM_TCB_CONDITIONAL) && (child = tcp_first_held(tcb)) != NULL) {
        tcp_child_adopt(tcb, child);
        child->flags &= ~SIM_TCB_HELD;
        child->flags |= SIM_TCB_CONNECTING;
        sim__tcp_output(child); /* the SYN-ACK */
        *out_child = child->id;
    } else {
        st = SIM_E_WOULDBLOCK;
    }
    TCP_USER_END();
}

SimStatus
sim_tcp_set_conditional_accept(SimWorld *world, SimSocketId listener, bool on)
{
    TCP_USER_BEGIN(world, listener);
    if (on)
        tcb->flags |= SIM_TCB_CONDITIONAL;
    else
        tcb->flags &= ~SIM_TCB_CONDITIONAL;
    TCP_USER_END();
}

/**
 * sim_tcp_pending_peek:
 * @out_remote: (out) (nullable): the peer of the oldest held SYN
 * @out_local: (out) (nullable): the local address it was sent to
 *
 * Returns: SIM_OK; E_WOULDBLOCK when no SYN is held; E_INVAL when the
 * socket is not a conditional listener.
 */
SimStatus
sim_tcp_pending_peek(SimWorld *world, SimSocketId listener, SimSockAddr *out_remote,
                     SimSockAddr *out_local)
{
    SimTcb *child;

    TCP_USER_BEGIN(world, listener);
    if (tcb->state != SIM_TCP_LISTEN || !(tcb->flags & SIM_TCB_CONDITIONAL)) {
        st = SIM_E_INVAL;
    } else if ((child = tcp_first_held(tcb)) == NULL) {
        st = SIM_E_WOULDBLOCK;
    } else {
        if (out_remote != NULL) {
            out_remote->addr = child->key.raddr;
            out_remote->port = child->key.rport;
        }
        if (out_local != NULL) {
            out_local->addr = child->key.laddr;
            out_local->port = child->key.lport;
        }
    }
    TCP_USER_END();
}

/* CF_REJECT: answer the oldest held SYN with RST (the peer sees
 * E_CONNREFUSED). */
SimStatus
sim_tcp_pending_reject(SimWorld *world, SimSocketId listener)
{
    SimTcb *child;

    TCP_USER_BEGIN(world, listener);
    if (tcb->state != SIM_TCP_LISTEN || !(tcb->flags & SIM_TCB_CONDITIONAL)) {
        st = SIM_E_INVAL;
    } else if ((child = tcp_first_held(tcb)) == NULL) {
        st = SIM_E_WOULDBLOCK;
    } else {
        sim__tcp_event(child, "reject", "conditional accept rejected");
        sim__tcp_send_rst(child);
        sim__tcp_drop(child, SIM_E_CONNREFUSED, 0);
    }
    TCP_USER_END();
}

/* CF_DEFER: leave the oldest held SYN where it is (the peer keeps
 * retransmitting its SYN, which stays unanswered). */
SimStatus
sim_tcp_pending_defer(SimWorld *world, SimSocketId listener)
{
    TCP_USER_BEGIN(world, listener);
    if (tcb->state != SIM_TCP_LISTEN || !(tcb->flags & SIM_TCB_CONDITIONAL))
        st = SIM_E_INVAL;
    else if (tcp_first_held(tcb) == NULL)
        st = SIM_E_WOULDBLOCK;
    TCP_USER_END();
}

static guint32
tcp_send_space(const SimTcb *tcb)
{
    return tcb->sb.len >= tcb->sndbuf ? 0 : tcb->sndbuf - tcb->sb.len;
}

/**
 * sim_tcp_send:
 * @buf: (array length=len): bytes to send; copied into the send buffer
 * @flags: SIM_TCP_SEND_OOB: the last accepted byte is urgent
 * @out_sent: (out): bytes accepted, possibly fewer than @len
 *
 * Returns: SIM_OK; E_WOULDBLOCK when the send buffer is full (then
 * SIM_SOCK_EV_WRITABLE is reported once space frees); E_NOTCONN before the
 * connection exists; E_SHUTDOWN after shutdown(send) or close of the send
 * side; the connection's error (E_CONNRESET, E_CONNABORTED, E_TIMEDOUT,
 * E_NETRESET, E_NETDOWN...) once it died.
 */
SimStatus
sim_tcp_send(SimWorld *world, SimSocketId sock, const void *buf, size_t len, guint flags,
             size_t *out_sent)
{
    guint32 space, n;

    TCP_USER_BEGIN(world, sock);
    if (out_sent != NULL)
        *out_sent = 0;
    if (tcb->conn_error != SIM_OK) {
        st = tcb->conn_error;
        goto out;
    }
    if (tcb->flags & SIM_TCB_SHUT_WR) {
        st = SIM_E_SHUTDOWN;
        goto out;
    }
    switch (tcb->state) {
    case SIM_TCP_SYN_RECEIVED: /* an accepted conditional child: queue (RFC 9293 §3.10.2) */
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_CLOSE_WAIT:
        break;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
        st = SIM_E_NOTCONN;
        goto out;
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        st = SIM_E_SHUTDOWN;
        goto out;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    if (len == 0 || buf == NULL) {
        st = len == 0 ? SIM_OK : SIM_E_INVAL;
        goto out;
    }
    space = tcp_send_space(tcb);
    if (space == 0) {
        tcb->flags |= SIM_TCB_WANT_WRITE;
        st = SIM_E_WOULDBLOCK;
        goto out;
    }
    n = (guint32) MIN((size_t) space, len);
    /* A partial send filled the buffer: the caller (a blocking send waiting
     * for the rest) wants to hear when space frees, just as after
     * E_WOULDBLOCK. */
    if (n < len)
        tcb->flags |= SIM_TCB_WANT_WRITE;
    sim__tcp_sndbuf_append(&tcb->sb, buf, n, tcb->sndbuf);
    if (flags & SIM_TCP_SEND_OOB) {
        /* BSD/Windows convention: the pointer is the byte after the urgent
         * byte (RFC 6093 §2 discusses the two readings). */
        tcb->snd_up = sim__tcp_data_end(tcb);
        tcb->flags |= SIM_TCB_URG_SEND;
    }
    if (out_sent != NULL)
        *out_sent = n;
    sim__tcp_output(tcb);
out:
    TCP_USER_END();
}

/* The sequence number of the next byte the application will read. */
static guint32
tcp_read_seq(const SimTcb *tcb)
{
    const SimTcpSlice *s = tcb->rq.head != NULL ? tcb->rq.head->data : NULL;

    if (s != NULL)
        return s->seq;
    return tcb->rcv_nxt - ((tcb->flags & SIM_TCB_FIN_RCVD) ? 1 : 0);
}

/* The urgent byte is the one before RCV.UP (BSD convention). */
static guint32
tcp_mark_seq(const SimTcb *tcb)
{
    guint32 urgent = tcb->rcv_up - 1;

    return (tcb->flags & SIM_TCB_OOBINLINE) ? urgent : urgent + 1;
}

static bool
tcp_urgent_arrived(const SimTcb *tcb)
{
    return (tcb->flags & SIM_TCB_URG_MARK) && sim_seq_geq(tcb->rcv_nxt, tcb->rcv_up);
}

static bool
tcp_oob_pending(const SimTcb *tcb)
{
    if (tcb->flags & SIM_TCB_OOBINLINE)
        return tcp_urgent_arrived(tcb) && sim_seq_leq(tcp_read_seq(tcb), tcb->rcv_up - 1);
    return (tcb->flags & SIM_TCB_OOB_VALID) != 0;
}

static bool
tcp_at_mark(const SimTcb *tcb)
{
    return tcp_urgent_arrived(tcb) && tcp_read_seq(tcb) == tcp_mark_seq(tcb);
}

/* Copy (and unless @peek consume) up to @len in-order bytes, never across
 * the urgent mark: a read stops just before it, so the next read starts at
 * the mark (BSD and Windows behave so; SIOCATMARK relies on it). */
static guint32
tcp_rq_read(SimTcb *tcb, guint8 *out, guint32 len, bool peek)
{
    guint32 done = 0;
    guint32 limit_seq = 0;
    bool limited = false;
    GList *l = tcb->rq.head;

    if (tcp_urgent_arrived(tcb) && sim_seq_lt(tcp_read_seq(tcb), tcp_mark_seq(tcb))) {
        limited = true;
        limit_seq = tcp_mark_seq(tcb);
    }
    while (l != NULL && done < len) {
        SimTcpSlice *s = l->data;
        guint32 n = MIN(len - done, s->len);

        if (limited) {
            if (sim_seq_geq(s->seq, limit_seq))
                break;
            n = MIN(n, limit_seq - s->seq);
        }
        memcpy(out + done, s->buf->data + s->off, n);
        done += n;
        if (peek) {
            l = l->next;
            continue;
        }
        tcb->rq_bytes -= n;
        if (n == s->len) {
            l = l->next;
            g_queue_pop_head(&tcb->rq);
            sim__tcp_slice_free(s);
        } else {
            s->off += n;
            s->len -= n;
            s->seq += n;
            break;
        }
    }
    if (!peek && (tcb->flags & SIM_TCB_URG_MARK) && tcp_urgent_arrived(tcb) &&
        sim_seq_gt(tcp_read_seq(tcb), tcp_mark_seq(tcb)))
        tcb->flags &= ~SIM_TCB_URG_MARK; /* the mark has been passed */
    return done;
}

/**
 * sim_tcp_recv:
 * @flags: SIM_TCP_RECV_PEEK, SIM_TCP_RECV_OOB
 * @out_received: (out): bytes copied; 0 with SIM_OK means end of stream
 *
 * Returns: SIM_OK; E_WOULDBLOCK when nothing is there yet; E_NOTCONN before
 * the connection exists; E_SHUTDOWN after shutdown(receive); the
 * connection's error once it died (buffered data is discarded on a reset,
 * as RFC 9293 §3.10.7.4 says).  With SIM_TCP_RECV_OOB: the out-of-band byte,
 * E_WOULDBLOCK if none, E_INVAL with SO_OOBINLINE.
 */
SimStatus
sim_tcp_recv(SimWorld *world, SimSocketId sock, void *buf, size_t len, guint flags,
             size_t *out_received)
{
    bool peek = (flags & SIM_TCP_RECV_PEEK) != 0;
    guint32 n;

    TCP_USER_BEGIN(world, sock);
    if (out_received != NULL)
        *out_received = 0;
    if (buf == NULL && len > 0) {
        st = SIM_E_INVAL;
        goto out;
    }
    if (flags & SIM_TCP_RECV_OOB) {
        if (tcb->flags & SIM_TCB_OOBINLINE) {
            st = SIM_E_INVAL;
        } else if (tcb->flags & SIM_TCB_OOB_VALID) {
            if (len > 0) {
                ((guint8 *) buf)[0] = tcb->oob_byte;
                if (out_received != NULL)
                    *out_received = 1;
                if (!peek)
                    tcb->flags &= ~SIM_TCB_OOB_VALID;
            }
        } else {
            st = tcb->conn_error != SIM_OK ? tcb->conn_error : SIM_E_WOULDBLOCK;
        }
        goto out;
    }
    if (tcb->flags & SIM_TCB_SHUT_RD) {
        st = SIM_E_SHUTDOWN;
        goto out;
    }
    if (tcb->rq_bytes > 0) {
        n = tcp_rq_read(tcb, buf, (guint32) MIN(len, (size_t) G_MAXUINT32), peek);
        if (out_received != NULL)
            *out_received = n;
        if (!peek && n > 0)
            sim__tcp_window_update(tcb);
        goto out;
    }
    if (tcb->conn_error != SIM_OK) {
        st = tcb->conn_error;
        goto out;
    }
    if (tcb->flags & SIM_TCB_FIN_RCVD)
        goto out; /* end of stream: 0 bytes */
    switch (tcb->state) {
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
        st = SIM_E_NOTCONN;
        break;
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        st = SIM_E_WOULDBLOCK;
        break;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
out:
    TCP_USER_END();
}

/* RFC 9293 §3.10.4 CLOSE for the send direction: queue a FIN behind the
 * data.  Returns FALSE if the state has no send side to close. */
static bool
tcp_shut_send(SimTcb *tcb)
{
    if (tcb->flags & SIM_TCB_SHUT_WR)
        return true;
    switch (tcb->state) {
    case SIM_TCP_SYN_RECEIVED:
        /* RFC 9293 §3.10.4: "queue for processing after entering
         * ESTABLISHED" (tcp_ack_synrcvd sends the FIN then), so our SYN
         * is never outstanding together with a FIN. */
        tcb->flags |= SIM_TCB_SHUT_WR;
        return true;
    case SIM_TCP_ESTABLISHED:
        tcb->flags |= SIM_TCB_SHUT_WR;
        sim__tcp_set_state(tcb, SIM_TCP_FIN_WAIT_1);
        break;
    case SIM_TCP_CLOSE_WAIT:
        tcb->flags |= SIM_TCB_SHUT_WR;
        sim__tcp_set_state(tcb, SIM_TCP_LAST_ACK);
        break;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
        return false;
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        return true;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    sim__tcp_output(tcb);
    return true;
}

/* Abortive end: RST if the peer knows us, then CLOSED. */
static void
tcp_abort(SimTcb *tcb, SimStatus err, guint32 events)
{
    if (sim_tcp_state_is_synchronized(tcb->state) && tcb->state != SIM_TCP_TIME_WAIT &&
        !(tcb->flags & SIM_TCB_HELD))
        sim__tcp_send_rst(tcb);
    sim__tcp_drop(tcb, err, events);
}

/**
 * sim_tcp_shutdown:
 * @how: SIM_TCP_SHUT_RECV, _SEND or _BOTH
 *
 * Send: a FIN follows the queued data; later sends fail with E_SHUTDOWN.
 * Receive: later receives fail with E_SHUTDOWN; with the (default, Windows)
 * SIM_TCP_OPT_RST_ON_RECV_SHUTDOWN, unread data now or data arriving later
 * resets the connection (RFC 9293 leaves this open; Windows does it),
 * without it such data is acknowledged and discarded.
 *
 * Returns: SIM_OK; E_NOTCONN when not connected; the connection's error.
 */
SimStatus
sim_tcp_shutdown(SimWorld *world, SimSocketId sock, SimTcpShutdown how)
{
    TCP_USER_BEGIN(world, sock);
    if (tcb->conn_error != SIM_OK) {
        st = tcb->conn_error;
        goto out;
    }
    if (!sim_tcp_state_is_synchronized(tcb->state)) {
        st = SIM_E_NOTCONN;
        goto out;
    }
    if (how & SIM_TCP_SHUT_RECV) {
        tcb->flags |= SIM_TCB_SHUT_RD;
        if (tcb->rq_bytes > 0 || (tcb->flags & SIM_TCB_OOB_VALID)) {
            if (tcb->flags & SIM_TCB_RST_ON_SHUT) {
                sim__tcp_event(tcb, "reset", "unread data at shutdown(receive)");
                tcp_abort(tcb, SIM_E_CONNABORTED, 0);
                goto out;
            }
            tcp_slices_clear(&tcb->rq);
            tcb->rq_bytes = 0;
            tcb->flags &= ~SIM_TCB_OOB_VALID;
        }
    }
    if ((how & SIM_TCP_SHUT_SEND) && !tcp_shut_send(tcb))
        st = SIM_E_NOTCONN;
out:
    TCP_USER_END();
}

/**
 * sim_tcp_close:
 *
 * Graceful close (closesocket without linger): the id is gone at once (E_NOTFOUND
 * afterwards), notifications stop, and the TCB lives on in FIN_WAIT /
 * LAST_ACK / TIME_WAIT, owned by its host and freed by its own timers.
 * Unread received data makes it abortive (RST, RFC 2525 §2.17, as Windows
 * and Linux do); so does data arriving after the close.
 */
SimStatus
sim_tcp_close(SimWorld *world, SimSocketId sock)
{
    TCP_USER_BEGIN(world, sock);
    tcb->flags &= ~(SIM_TCB_APP | SIM_TCB_WATCH_ACKED | SIM_TCB_WATCH_ENDED | SIM_TCB_WANT_WRITE);
    tcb->notify = NULL;
    tcb->notify_data = NULL;
    tcb->orphan = true;
    switch (tcb->state) {
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
        sim__tcp_drop(tcb, SIM_OK, 0);
        break;
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_CLOSE_WAIT:
        if (tcb->rq_bytes > 0) {
            sim__tcp_event(tcb, "reset", "close with unread data");
            tcp_abort(tcb, SIM_E_CONNABORTED, 0);
        } else {
            tcp_shut_send(tcb);
        }
        break;
    case SIM_TCP_FIN_WAIT_2:
        if (tcb->rq_bytes > 0) {
            tcp_abort(tcb, SIM_E_CONNABORTED, 0);
            break;
        }
        sim__tcp_timer_set(tcb, SIM_TCP_T_2MSL,
                           sim_world_now(world) + tw->cfg.fin_wait2_timeout_ns);
        break;
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        break;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    TCP_USER_END();
}

/**
 * sim_tcp_abort:
 *
 * Abortive close (SO_LINGER with a zero timeout): RST to a synchronized
 * peer, the TCB gone after the current event, the id gone at once.
 */
SimStatus
sim_tcp_abort(SimWorld *world, SimSocketId sock)
{
    TCP_USER_BEGIN(world, sock);
    tcb->flags &= ~(SIM_TCB_APP | SIM_TCB_WATCH_ACKED | SIM_TCB_WATCH_ENDED | SIM_TCB_WANT_WRITE);
    tcb->notify = NULL;
    tcb->notify_data = NULL;
    tcp_abort(tcb, SIM_OK, 0);
    TCP_USER_END();
}

SimStatus
sim_tcp_set_notify(SimWorld *world, SimSocketId sock, SimSockNotifyFn fn, void *data)
{
    TCP_USER_BEGIN(world, sock);
    tcb->notify = fn;
    tcb->notify_data = fn != NULL ? data : NULL;
    TCP_USER_END();
}

static bool
tcp_all_acked(const SimTcb *tcb)
{
    return tcb->sb.len == 0 && tcb->snd_una == tcb->snd_max &&
           sim_tcp_state_is_synchronized(tcb->state);
}

SimStatus
sim_tcp_watch_acked(SimWorld *world, SimSocketId sock)
{
    TCP_USER_BEGIN(world, sock);
    if (tcp_all_acked(tcb))
        sim__tcp_notify(tcb, SIM_TCP_EV_ACKED, SIM_OK);
    else if (tcb->state == SIM_TCP_CLOSED)
        st = tcb->conn_error != SIM_OK ? tcb->conn_error : SIM_E_NOTCONN;
    else
        tcb->flags |= SIM_TCB_WATCH_ACKED;
    TCP_USER_END();
}

/**
 * sim_tcp_watch_ended:
 *
 * Arms the one-shot SIM_TCP_EV_ENDED: reported with the outcome (SIM_OK
 * for a graceful end) when the TCB reaches CLOSED, which after an active
 * close is only once TIME_WAIT has expired.  Already CLOSED: queued at
 * once.  The spi's TF_REUSE_SOCKET waits for it before giving its socket
 * a new endpoint.
 */
SimStatus
sim_tcp_watch_ended(SimWorld *world, SimSocketId sock)
{
    TCP_USER_BEGIN(world, sock);
    if (tcb->state == SIM_TCP_CLOSED)
        sim__tcp_notify(tcb, SIM_TCP_EV_ENDED, tcb->conn_error);
    else
        tcb->flags |= SIM_TCB_WATCH_ENDED;
    TCP_USER_END();
}

/* ---- Options ------------------------------------------------------------- */

static void
tcp_set_flag(SimTcb *tcb, guint32 flag, guint64 on)
{
    if (on)
        tcb->flags |= flag;
    else
        tcb->flags &= ~flag;
}

/**
 * sim_tcp_set_option:
 *
 * Buffer sizes take effect at once (a smaller receive buffer never shrinks
 * a window already offered); changing SO_RCVBUF after the SYN does not
 * change the window scale.  Turning SO_OOBINLINE on or off applies to
 * urgent bytes that arrive afterwards.
 *
 * Returns: SIM_OK; E_INVAL for an unknown option or a zero buffer size or
 * keep-alive time.
 */
SimStatus
sim_tcp_set_option(SimWorld *world, SimSocketId sock, SimTcpOption opt, guint64 value)
{
    SimTime now;

    TCP_USER_BEGIN(world, sock);
    now = sim_world_now(world);
    switch (opt) {
    case SIM_TCP_OPT_NODELAY:
        tcp_set_flag(tcb, SIM_TCB_NODELAY, value);
        if (value)
            sim__tcp_output(tcb);
        break;
    case SIM_TCP_OPT_RCVBUF:
        if (value == 0 || value > G_MAXINT32) {
            st = SIM_E_INVAL;
            break;
        }
        tcb->rcvbuf = (guint32) value;
        if (sim_tcp_state_is_synchronized(tcb->state))
            sim__tcp_window_update(tcb);
        break;
    case SIM_TCP_OPT_SNDBUF:
        if (value == 0 || value > G_MAXINT32) {
            st = SIM_E_INVAL;
            break;
        }
        tcb->sndbuf = (guint32) value;
        if ((tcb->flags & SIM_TCB_WANT_WRITE) && tcp_send_space(tcb) > 0) {
            tcb->flags &= ~SIM_TCB_WANT_WRITE;
            sim__tcp_notify(tcb, SIM_SOCK_EV_WRITABLE, SIM_OK);
        }
        break;
    case SIM_TCP_OPT_OOBINLINE:
        tcp_set_flag(tcb, SIM_TCB_OOBINLINE, value);
        break;
    case SIM_TCP_OPT_KEEPALIVE:
        tcp_set_flag(tcb, SIM_TCB_KEEPALIVE, value);
        tcb->ka_probes = 0;
        if (value && tcp_keepalive_state(tcb->state))
            sim__tcp_timer_set(tcb, SIM_TCP_T_KEEP, now + tcb->ka_time);
        else
            sim__tcp_timer_stop(tcb, SIM_TCP_T_KEEP);
        break;
    case SIM_TCP_OPT_KEEPALIVE_TIME:
        if (value == 0) {
            st = SIM_E_INVAL;
            break;
        }
        tcb->ka_time = value;
        if ((tcb->flags & SIM_TCB_KEEPALIVE) && tcp_keepalive_state(tcb->state) &&
            tcb->ka_probes == 0)
            sim__tcp_timer_set(tcb, SIM_TCP_T_KEEP, now + tcb->ka_time);
        break;
    case SIM_TCP_OPT_KEEPALIVE_INTERVAL:
        if (value == 0) {
            st = SIM_E_INVAL;
            break;
        }
        tcb->ka_interval = value;
        break;
    case SIM_TCP_OPT_KEEPALIVE_PROBES:
        tcb->ka_count = (guint) MIN(value, (guint64) G_MAXUINT);
        break;
    case SIM_TCP_OPT_RST_ON_RECV_SHUTDOWN:
        tcp_set_flag(tcb, SIM_TCB_RST_ON_SHUT, value);
        break;
    case SIM_TCP_OPT_N:
    default:
        st = SIM_E_INVAL;
        break;
    }
    TCP_USER_END();
}

SimStatus
sim_tcp_get_option(SimWorld *world, SimSocketId sock, SimTcpOption opt, guint64 *out_value)
{
    guint64 v = 0;

    TCP_USER_BEGIN(world, sock);
    switch (opt) {
    case SIM_TCP_OPT_NODELAY:
        v = (tcb->flags & SIM_TCB_NODELAY) != 0;
        break;
    case SIM_TCP_OPT_RCVBUF:
        v = tcb->rcvbuf;
        break;
    case SIM_TCP_OPT_SNDBUF:
        v = tcb->sndbuf;
        break;
    case SIM_TCP_OPT_OOBINLINE:
        v = (tcb->flags & SIM_TCB_OOBINLINE) != 0;
        break;
    case SIM_TCP_OPT_KEEPALIVE:
        v = (tcb->flags & SIM_TCB_KEEPALIVE) != 0;
        break;
    case SIM_TCP_OPT_KEEPALIVE_TIME:
        v = tcb->ka_time;
        break;
    case SIM_TCP_OPT_KEEPALIVE_INTERVAL:
        v = tcb->ka_interval;
        break;
    case SIM_TCP_OPT_KEEPALIVE_PROBES:
        v = tcb->ka_count;
        break;
    case SIM_TCP_OPT_RST_ON_RECV_SHUTDOWN:
        v = (tcb->flags & SIM_TCB_RST_ON_SHUT) != 0;
        break;
    case SIM_TCP_OPT_N:
    default:
        st = SIM_E_INVAL;
        break;
    }
    if (out_value != NULL)
        *out_value = v;
    TCP_USER_END();
}

SimStatus
sim_tcp_set_keepalive(SimWorld *world, SimSocketId sock, bool on, SimTime time_ns,
                      SimTime interval_ns)
{
    SimStatus st;

    if (time_ns == 0 || interval_ns == 0)
        return SIM_E_INVAL;
    st = sim_tcp_set_option(world, sock, SIM_TCP_OPT_KEEPALIVE_INTERVAL, interval_ns);
    if (st == SIM_OK)
        st = sim_tcp_set_option(world, sock, SIM_TCP_OPT_KEEPALIVE_TIME, time_ns);
    if (st == SIM_OK)
        st = sim_tcp_set_option(world, sock, SIM_TCP_OPT_KEEPALIVE, on);
    return st;
}

/* ---- Queries ------------------------------------------------------------- */

#define TCP_QUERY_BEGIN(world, sock, out)                                                          \
    SimTcpWorld *tw;                                                                               \
    SimTcb *tcb;                                                                                   \
    SimStatus st;                                                                                  \
    g_return_val_if_fail((world) != NULL && (out) != NULL, SIM_E_INVAL);                           \
    st = tcp_user_tcb((world), (sock), &tw, &tcb);                                                 \
    (void) tw;                                                                                     \
    if (st != SIM_OK)                                                                              \
    return st

SimStatus
sim_tcp_get_state(SimWorld *world, SimSocketId sock, SimTcpState *out_state)
{
    TCP_QUERY_BEGIN(world, sock, out_state);
    *out_state = tcb->state;
    return SIM_OK;
}

static size_t
tcp_accept_ready(const SimTcb *tcb)
{
    size_t n = tcb->acceptq.length + tcb->accept_resets;

    if (tcb->flags & SIM_TCB_CONDITIONAL)
        for (GList *l = tcb->pending.head; l != NULL; l = l->next)
            if (((const SimTcb *) l->data)->flags & SIM_TCB_HELD)
                n++;
    return n;
}

/**
 * sim_tcp_poll:
 * @out_events: (out): SIM_SOCK_EV_READABLE when recv would not block (data,
 *   end of stream, an error, or an accept-able connection on a listener —
 *   as select() reports it), WRITABLE when send would not block (space, or
 *   an error), OOB when an urgent byte waits, ACCEPT when accept would
 *   succeed, CLOSED when the peer's FIN came or the connection died.
 */
SimStatus
sim_tcp_poll(SimWorld *world, SimSocketId sock, guint32 *out_events)
{
    guint32 ev = 0;

    TCP_QUERY_BEGIN(world, sock, out_events);
    if (tcb->state == SIM_TCP_LISTEN) {
        if (tcp_accept_ready(tcb) > 0)
            ev |= SIM_SOCK_EV_ACCEPT | SIM_SOCK_EV_READABLE;
        *out_events = ev;
        return SIM_OK;
    }
    if (tcb->rq_bytes > 0 || (tcb->flags & (SIM_TCB_FIN_RCVD | SIM_TCB_SHUT_RD)) ||
        tcb->conn_error != SIM_OK)
        ev |= SIM_SOCK_EV_READABLE;
    if (tcb->conn_error != SIM_OK || (tcb->flags & SIM_TCB_FIN_RCVD))
        ev |= SIM_SOCK_EV_CLOSED;
    if (tcp_oob_pending(tcb) && !(tcb->flags & SIM_TCB_OOBINLINE))
        ev |= SIM_SOCK_EV_OOB;
    switch (tcb->state) {
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_CLOSE_WAIT:
        if (!(tcb->flags & SIM_TCB_SHUT_WR) && tcp_send_space(tcb) > 0)
            ev |= SIM_SOCK_EV_WRITABLE;
        break;
    case SIM_TCP_CLOSED:
        if (tcb->conn_error != SIM_OK)
            ev |= SIM_SOCK_EV_WRITABLE; /* send fails at once */
        break;
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        break;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    *out_events = ev;
    return SIM_OK;
}

/* FIONREAD: in-band bytes waiting (the out-of-band byte is not counted). */
SimStatus
sim_tcp_readable_bytes(SimWorld *world, SimSocketId sock, size_t *out_bytes)
{
    TCP_QUERY_BEGIN(world, sock, out_bytes);
    *out_bytes = tcb->rq_bytes;
    return SIM_OK;
}

SimStatus
sim_tcp_send_space(SimWorld *world, SimSocketId sock, size_t *out_bytes)
{
    TCP_QUERY_BEGIN(world, sock, out_bytes);
    *out_bytes = tcp_send_space(tcb);
    return SIM_OK;
}

SimStatus
sim_tcp_urgent_state(SimWorld *world, SimSocketId sock, bool *out_at_mark, bool *out_oob_pending)
{
    SimTcpWorld *tw;
    SimTcb *tcb;
    SimStatus st;

    g_return_val_if_fail(world != NULL, SIM_E_INVAL);
    st = tcp_user_tcb(world, sock, &tw, &tcb);
    if (st != SIM_OK)
        return st;
    if (out_at_mark != NULL)
        *out_at_mark = tcp_at_mark(tcb);
    if (out_oob_pending != NULL)
        *out_oob_pending = tcp_oob_pending(tcb);
    return SIM_OK;
}

/* getsockname: E_INVAL while unbound. */
SimStatus
sim_tcp_local_addr(SimWorld *world, SimSocketId sock, SimSockAddr *out_addr)
{
    TCP_QUERY_BEGIN(world, sock, out_addr);
    if (tcb->key.lport == 0)
        return SIM_E_INVAL;
    out_addr->addr = tcb->key.laddr;
    out_addr->port = tcb->key.lport;
    return SIM_OK;
}

/* getpeername: E_NOTCONN unless synchronized (or closed after having been). */
SimStatus
sim_tcp_remote_addr(SimWorld *world, SimSocketId sock, SimSockAddr *out_addr)
{
    TCP_QUERY_BEGIN(world, sock, out_addr);
    if (tcb->key.rport == 0 || !sim_tcp_state_is_synchronized(tcb->state))
        return SIM_E_NOTCONN;
    out_addr->addr = tcb->key.raddr;
    out_addr->port = tcb->key.rport;
    return SIM_OK;
}

SimStatus
sim_tcp_take_error(SimWorld *world, SimSocketId sock, SimStatus *out_error)
{
    TCP_QUERY_BEGIN(world, sock, out_error);
    *out_error = tcb->pending_error;
    tcb->pending_error = SIM_OK;
    return SIM_OK;
}

SimStatus
sim_tcp_is_listener(SimWorld *world, SimSocketId sock, bool *out_listener)
{
    TCP_QUERY_BEGIN(world, sock, out_listener);
    *out_listener = tcb->state == SIM_TCP_LISTEN;
    return SIM_OK;
}

SimStatus
sim_tcp_accept_queue_len(SimWorld *world, SimSocketId sock, size_t *out_len)
{
    TCP_QUERY_BEGIN(world, sock, out_len);
    *out_len = tcb->state == SIM_TCP_LISTEN ? tcp_accept_ready(tcb) : 0;
    return SIM_OK;
}

SimStatus
sim_tcp_all_acked(SimWorld *world, SimSocketId sock, bool *out_all_acked)
{
    TCP_QUERY_BEGIN(world, sock, out_all_acked);
    *out_all_acked = tcp_all_acked(tcb);
    return SIM_OK;
}

SimStatus
sim_tcp_get_stats(SimWorld *world, SimSocketId sock, SimTcpStats *out_stats)
{
    TCP_QUERY_BEGIN(world, sock, out_stats);
    *out_stats = tcb->stats;
    return SIM_OK;
}

SimStatus
sim_tcp_get_info(SimWorld *world, SimSocketId sock, SimTcpInfo *out_info)
{
    TCP_QUERY_BEGIN(world, sock, out_info);
    memset(out_info, 0, sizeof *out_info);
    out_info->state = tcb->state;
    out_info->mss = tcb->mss;
    out_info->cwnd = tcb->cwnd;
    out_info->ssthresh = tcb->ssthresh;
    out_info->snd_wnd = tcb->snd_wnd;
    out_info->rcv_wnd = sim_tcp_state_is_synchronized(tcb->state) ? sim__tcp_rcv_window(tcb) : 0;
    out_info->flight = sim_tcp_state_is_synchronized(tcb->state) ? sim__tcp_flight(tcb) : 0;
    if (tcb->flags & SIM_TCB_WSCALE) {
        out_info->snd_wscale = tcb->snd_wscale;
        out_info->rcv_wscale = tcb->rcv_wscale;
    }
    out_info->in_recovery = (tcb->flags & SIM_TCB_RECOVERY) != 0;
    out_info->srtt_ns = tcb->srtt;
    out_info->rttvar_ns = tcb->rttvar;
    out_info->rto_ns = tcb->rto;
    out_info->backoff = tcb->backoff;
    return SIM_OK;
}

size_t
sim_tcp_tcb_count(SimWorld *world)
{
    SimTcpWorld *tw;

    g_return_val_if_fail(world != NULL, 0);
    tw = sim__world_module(world, SIM_MOD_TCP);
    return tw != NULL ? tw->n_tcbs : 0;
}
