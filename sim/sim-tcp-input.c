/* SPDX-License-Identifier: MIT
 *
 * sim-tcp-input.c: SEGMENT ARRIVES (RFC 9293 §3.10.7) — demultiplexing,
 * the state machine, ACK processing (RFC 6298 RTT, RFC 5681 congestion
 * control, RFC 6582 NewReno), reassembly, urgent data, FIN handling and
 * ICMP errors.  Input never frees a TCB: one that reaches CLOSED is flagged
 * and reaped after the current event (sim-tcp.c).
 *
 * ---------------------------------------------------------------------------
 * The state diagram (RFC 9293 Figure 5; "child" TCBs are forked from a
 * listener, which itself stays in LISTEN):
 *
 *                              +---------+ ---------\      active OPEN
 *                              |  CLOSED |            \    -----------
 *                              +---------+<---------\   \   create TCB
 *                                |     ^              \   \  snd SYN
 *                   passive OPEN |     |   CLOSE        \   \
 *                   ------------ |     | ----------       \   \
 *                    create TCB  |     | delete TCB         \   \
 *                                V     |                      \   \
 *            rcv RST (note 1)  +---------+            CLOSE    |    \
 *         -------------------->|  LISTEN |          ---------- |     |
 *        /                     +---------+          delete TCB |     |
 *       /           rcv SYN      |     |     SEND              |     |
 *      /           -----------   |     |    -------            |     V
 * +--------+      snd SYN,ACK   /       \   snd SYN          +--------+
 * |        |<-----------------           ------------------>|        |
 * |  SYN   |                    rcv SYN                     |  SYN   |
 * |  RCVD  |<-----------------------------------------------|  SENT  |
 * |        |                  snd SYN,ACK                   |        |
 * |        |------------------           -------------------|        |
 * +--------+   rcv ACK of SYN  \       /  rcv SYN,ACK       +--------+
 *    |         --------------   |     |   -----------
 *    |                x         |     |     snd ACK
 *    |                          V     V
 *    |  CLOSE (queued         +---------+
 *    |  until ESTAB here)     |  ESTAB  |
 *    | snd FIN                +---------+
 *    |                 CLOSE    |     |    rcv FIN
 *    V                -------   |     |    -------
 * +---------+         snd FIN  /       \   snd ACK         +---------+
 * |  FIN    |<----------------          ------------------>|  CLOSE  |
 * | WAIT-1  |------------------                            |   WAIT  |
 * +---------+          rcv FIN  \                          +---------+
 *   | rcv ACK of FIN   -------   |                          CLOSE  |
 *   | --------------   snd ACK   |                         ------- |
 *   V        x                   V                         snd FIN V
 * +---------+               +---------+                    +---------+
 * |FINWAIT-2|               | CLOSING |                    | LAST-ACK|
 * +---------+               +---------+                    +---------+
 *   |              rcv ACK of FIN |                 rcv ACK of FIN |
 *   |  rcv FIN     -------------- |    Timeout=2MSL -------------- |
 *   |  -------            x       V    ------------        x       V
 *    \ snd ACK              +---------+delete TCB          +---------+
 *      -------------------->|TIME-WAIT|------------------->| CLOSED  |
 *                           +---------+                    +---------+
 *
 * (note 1) a child hit by RST in SYN_RECEIVED is deleted; its listener is
 * unaffected, which is what "return to LISTEN" means for a forked TCB.
 * Every synchronized state also goes to CLOSED on RST (except TIME_WAIT,
 * RFC 1337), abort, retransmission or keep-alive give-up, and host crash.
 *
 * ---------------------------------------------------------------------------
 * Every transition, FROM -> TO [function] (sim__tcp_set_state is the only
 * writer; tcp_allowed in sim-tcp.c is this list as a table):
 *
 *   CLOSED       -> LISTEN        [sim_tcp_listen]
 *   CLOSED       -> SYN_SENT      [sim_tcp_connect]
 *   LISTEN       -> SYN_RECEIVED  [tcp_input_listen: a child's birth]
 *   LISTEN       -> CLOSED        [sim_tcp_close, sim_tcp_abort, crash: sim__tcp_drop]
 *   SYN_SENT     -> ESTABLISHED   [tcp_input_syn_sent: SYN,ACK]
 *   SYN_SENT     -> SYN_RECEIVED  [tcp_input_syn_sent: SYN (simultaneous open)]
 *   SYN_SENT     -> CLOSED        [tcp_input_syn_sent: RST; tcp_timeout_rexmt; ICMP
 *                                  (sim__tcp_proto_error); close, abort]
 *   SYN_RECEIVED -> ESTABLISHED   [tcp_ack_synrcvd]
 *   SYN_RECEIVED -> CLOSED        [tcp_input_rst; tcp_timeout_rexmt; reject; listener drop]
 *   ESTABLISHED  -> FIN_WAIT_1    [tcp_shut_send; tcp_ack_synrcvd, for a CLOSE queued in
 *                                  SYN_RECEIVED (RFC 9293 §3.10.4), so our SYN and FIN are
 *                                  never outstanding together]
 *   ESTABLISHED  -> CLOSE_WAIT    [tcp_input_fin]
 *   ESTABLISHED  -> CLOSED        [tcp_input_rst; timeouts; abort; data after close or
 *                                  SD_RECEIVE (tcp_input_data)]
 *   FIN_WAIT_1   -> FIN_WAIT_2    [tcp_input_synced: our FIN acknowledged]
 *   FIN_WAIT_1   -> CLOSING       [tcp_input_fin]
 *   FIN_WAIT_1   -> TIME_WAIT     [tcp_input_fin, when our FIN was acknowledged in the same
 *                                  segment (reached via FIN_WAIT_2 here, kept legal)]
 *   FIN_WAIT_1   -> CLOSED        [tcp_input_rst; timeouts; abort]
 *   FIN_WAIT_2   -> TIME_WAIT     [tcp_input_fin]
 *   FIN_WAIT_2   -> CLOSED        [tcp_input_rst; orphan timeout (tcp_timeout_2msl); abort]
 *   CLOSE_WAIT   -> LAST_ACK      [tcp_shut_send]
 *   CLOSE_WAIT   -> CLOSED        [tcp_input_rst; timeouts; abort]
 *   CLOSING      -> TIME_WAIT     [tcp_input_synced: our FIN acknowledged]
 *   CLOSING      -> CLOSED        [tcp_input_rst; timeouts]
 *   LAST_ACK     -> CLOSED        [tcp_input_synced: our FIN acknowledged; tcp_input_rst;
 *                                  timeouts]
 *   TIME_WAIT    -> CLOSED        [tcp_timeout_2msl; a new SYN (sim__tcp_proto_input);
 *                                  crash]
 *
 * ---------------------------------------------------------------------------
 * Invariants (sim__tcp_check_invariants, after every input and timer):
 *
 *   CLOSED       in no table; no timer event; no reassembly queue.
 *   LISTEN       in the listener table (a child being born: in none yet).
 *   SYN_SENT     in the connection table; the send buffer starts at ISS+1.
 *   SYN_RECEIVED in the connection table; RCV.NXT = IRS+1.
 *   synchronized SND.UNA <= SND.NXT <= SND.MAX <= end of data + 1 (the FIN);
 *                the send buffer starts at SND.UNA (SYN or FIN aside);
 *                cwnd >= MSS > 0; FIN_WAIT_2 and TIME_WAIT have nothing
 *                unacknowledged; TIME_WAIT has its 2MSL deadline.
 *   every state  an armed deadline is at or after the pending timer event;
 *                with no event no deadline is armed.  With deep checks:
 *                the receive queue holds exactly rq_bytes in order, the
 *                reassembly queue lies beyond RCV.NXT sorted by sequence,
 *                the send buffer's chunks hold exactly its length.
 */
#include "config.h"

#include "sim/sim-tcp-private.h"

#include <string.h>

static void tcp_input_closed(SimTcpHost *host, const SimTcpSeg *seg);
static void tcp_input_listen(SimTcb *tcb, const SimTcpSeg *seg);
static void tcp_input_syn_sent(SimTcb *tcb, const SimTcpSeg *seg);
static void tcp_input_synced(SimTcb *tcb, const SimTcpSeg *seg);

/**
 * sim__tcp_proto_input:
 *
 * The network's TCP input (registered with sim_net_register_proto): build
 * the segment, find its TCB by the 4-tuple hash, else a listener by local
 * port and address, else answer as CLOSED.  Consumes @pkt.  Per-packet
 * cost does not depend on the number of connections of the host.
 */
void
sim__tcp_proto_input(SimWorld *world, SimNodeId node, SimPacket *pkt, void *data)
{
    SimTcpWorld *tw = data;
    SimTcpHost *host;
    SimTcpSeg seg;
    SimTcpKey key;
    SimTcb *tcb;
    const SimTcpHeader *h = &pkt->l4.tcp;

    (void) world;
    if (pkt->corrupt || pkt->proto != SIM_PROTO_TCP) { /* the checksum would fail */
        sim_packet_unref(pkt);
        return;
    }
    host = sim__tcp_host(tw, node);
    seg.src = pkt->src;
    seg.dst = pkt->dst;
    seg.sport = h->sport;
    seg.dport = h->dport;
    seg.seq = h->seq;
    seg.ack = h->ack;
    seg.flags = h->flags;
    seg.wnd = h->window;
    seg.urg = h->urg;
    seg.mss = (h->flags & SIM_TCP_SYN) ? h->mss : 0;
    seg.wscale = (h->flags & SIM_TCP_SYN) ? h->wscale : 0;
    seg.len = pkt->payload != NULL ? pkt->payload_len : 0;
    seg.buf = pkt->payload;
    seg.off = pkt->payload_off;

    sim__tcp_enter(tw);
    sim__tcp_key_init(&key, &seg.dst, seg.dport, &seg.src, seg.sport);
    tcb = sim__tcp_conn_lookup(host, &key);
    if (tcb != NULL && tcb->state == SIM_TCP_TIME_WAIT && (seg.flags & SIM_TCP_SYN) &&
        !(seg.flags & (SIM_TCP_ACK | SIM_TCP_RST)) && sim_seq_gt(seg.seq, tcb->rcv_nxt)) {
        /* RFC 9293 §3.10.7.4 (TIME-WAIT, SYN) with RFC 6191's rule: a SYN
         * beyond the old connection's sequence space may reuse the 4-tuple. */
        sim__tcp_event(tcb, "reuse", "new SYN ends TIME_WAIT");
        sim__tcp_drop(tcb, SIM_OK, 0);
        tcb = NULL;
    }
    if (tcb == NULL)
        tcb = sim__tcp_listener_lookup(host, &seg.dst, seg.dport);
    if (tcb != NULL)
        sim__tcp_input(tcb, &seg);
    else
        tcp_input_closed(host, &seg);
    sim__tcp_leave(tw);
    sim_packet_unref(pkt);
}

/* SEGMENT ARRIVES, dispatched on state (STYLE §12c). */
void
sim__tcp_input(SimTcb *tcb, const SimTcpSeg *seg)
{
    tcb->stats.segs_received++;
    switch (tcb->state) {
    case SIM_TCP_CLOSED:
        tcp_input_closed(tcb->host, seg); /* §3.10.7.1 */
        break;
    case SIM_TCP_LISTEN:
        tcp_input_listen(tcb, seg); /* §3.10.7.2 */
        break;
    case SIM_TCP_SYN_SENT:
        tcp_input_syn_sent(tcb, seg); /* §3.10.7.3 */
        break;
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        tcp_input_synced(tcb, seg); /* §3.10.7.4 */
        break;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    /* Handlers never free @tcb: one that reached CLOSED is reaped by its
     * host after the current event, so this check is always safe. */
    sim__tcp_check_invariants(tcb);
}

/* §3.10.7.1 CLOSED (or no TCB at all): anything but a RST is answered
 * with a RST, so a peer of a crashed and restarted host learns at once. */
static void
tcp_input_closed(SimTcpHost *host, const SimTcpSeg *seg)
{
    if (seg->flags & SIM_TCP_RST)
        return;
    sim__tcp_send_rst_reply(host, seg);
}

static guint32
tcp_default_mss(SimFamily family)
{
    return family == SIM_AF_INET6 ? 1220 : 536; /* RFC 9293 §3.7.1 */
}

/* The peer's MSS and window-scale options from its SYN. */
static void
tcp_syn_options(SimTcb *tcb, const SimTcpSeg *seg)
{
    guint32 peer_mss = seg->mss != 0 ? seg->mss : tcp_default_mss(tcb->family);

    tcb->mss = MIN(tcb->rcv_mss, peer_mss);
    /* RFC 7323 §2.2: scaling is in effect only if both SYNs carried the
     * option; ours was sent iff rcv_wscale != 0. */
    if (seg->wscale != 0 && tcb->rcv_wscale != 0) {
        tcb->flags |= SIM_TCB_WSCALE;
        tcb->snd_wscale = MIN(seg->wscale, 14);
    } else {
        tcb->flags &= ~SIM_TCB_WSCALE;
        tcb->rcv_wscale = 0;
        tcb->snd_wscale = 0;
    }
}

/* RFC 6928 initial window (2 MSS after a retransmitted SYN: RFC 6298
 * §5.7 says 1 MSS; RFC 5681 allows 1-2 for LW, we keep 1). */
static void
tcp_init_cwnd(SimTcb *tcb)
{
    guint iw = tcb->tw->cfg.initial_window_segments;
    guint32 cwnd = iw * tcb->mss;

    if (iw >= 4)
        cwnd = MIN(cwnd, MAX(2 * tcb->mss, iw * 1460u));
    if (tcb->backoff > 0)
        cwnd = tcb->mss;
    tcb->cwnd = MAX(cwnd, tcb->mss);
    tcb->ssthresh = G_MAXUINT32 / 2;
}

/* RFC 6298 §2: SRTT, RTTVAR and RTO from one measurement. */
static void
tcp_rtt_sample(SimTcb *tcb, SimTime r)
{
    const SimTcpConfig *cfg = &tcb->tw->cfg;
    const SimTime g = 1 * SIM_MSEC; /* clock granularity G */
    SimTime rto;

    if (!tcb->have_rtt) {
        tcb->srtt = r;
        tcb->rttvar = r / 2;
        tcb->have_rtt = true;
    } else {
        SimTime delta = tcb->srtt > r ? tcb->srtt - r : r - tcb->srtt;

        tcb->rttvar = (3 * tcb->rttvar + delta) / 4;
        tcb->srtt = (7 * tcb->srtt + r) / 8;
    }
    rto = tcb->srtt + MAX(g, 4 * tcb->rttvar);
    tcb->rto = CLAMP(rto, cfg->rto_min_ns, cfg->rto_max_ns);
}

/* §3.10.7.2 LISTEN. */
static void
tcp_input_listen(SimTcb *tcb, const SimTcpSeg *seg)
{
    SimTcb *child;
    size_t ready_before;

    if (seg->flags & SIM_TCP_RST)
        return;
    if (seg->flags & SIM_TCP_ACK) {
        sim__tcp_send_rst_reply(tcb->host, seg);
        return;
    }
    if (!(seg->flags & SIM_TCP_SYN))
        return;
    if (tcb->pending.length + tcb->acceptq.length >= tcb->backlog) {
        /* Windows answers a SYN beyond the backlog with RST (the client
         * sees WSAECONNREFUSED); BSD and Linux drop it silently. */
        sim__tcp_event(tcb, "backlog", "full (%u), SYN refused with RST", tcb->backlog);
        sim__tcp_send_rst_reply(tcb->host, seg);
        return;
    }
    ready_before = tcb->acceptq.length;
    if (tcb->flags & SIM_TCB_CONDITIONAL)
        for (GList *l = tcb->pending.head; l != NULL; l = l->next)
            if (((SimTcb *) l->data)->flags & SIM_TCB_HELD)
                ready_before++;

    child = sim__tcp_child_new(tcb, seg);
    child->irs = seg->seq;
    child->rcv_nxt = seg->seq + 1;
    child->rcv_adv = child->rcv_nxt;
    child->rcv_up = child->rcv_nxt;
    sim__tcp_child_init_send(child);
    tcp_syn_options(child, seg);
    /* The SYN's window is never scaled (RFC 7323 §2.2).  Data on a SYN is
     * not kept: it is not acknowledged, so the peer sends it again. */
    child->snd_wnd = seg->wnd;
    child->max_sndwnd = seg->wnd;
    child->snd_wl1 = seg->seq;
    child->snd_wl2 = 0;
    child->cwnd = child->mss;
    sim__tcp_conn_insert(child);
    sim__tcp_set_state(child, SIM_TCP_SYN_RECEIVED);
    g_queue_push_tail_link(&tcb->pending, &child->queue_link);
    child->on_queue = &tcb->pending;
    if (tcb->flags & SIM_TCB_CONDITIONAL) {
        /* Held: no SYN-ACK until the application decides (WSPAccept's
         * condition function / SO_CONDITIONAL_ACCEPT). */
        child->flags |= SIM_TCB_HELD;
        sim__tcp_event(child, "hold", "SYN held for conditional accept");
        if (ready_before == 0)
            sim__tcp_notify(tcb, SIM_SOCK_EV_ACCEPT, SIM_OK);
    } else {
        sim__tcp_output(child); /* SYN,ACK */
    }
    sim__tcp_check_invariants(child);
}

/* §3.10.7.3 SYN-SENT. */
static void
tcp_input_syn_sent(SimTcb *tcb, const SimTcpSeg *seg)
{
    SimTime now = sim_world_now(tcb->tw->world);
    bool ack_ok = false;

    if (seg->flags & SIM_TCP_ACK) {
        if (sim_seq_leq(seg->ack, tcb->iss) || sim_seq_gt(seg->ack, tcb->snd_max)) {
            if (!(seg->flags & SIM_TCP_RST))
                sim__tcp_send_rst_reply(tcb->host, seg);
            return;
        }
        ack_ok = true;
    }
    if (seg->flags & SIM_TCP_RST) {
        if (ack_ok) {
            sim__tcp_event(tcb, "refused", "RST in SYN_SENT");
            sim__tcp_drop(tcb, SIM_E_CONNREFUSED, SIM_SOCK_EV_CONNECTED);
        }
        return;
    }
    if (!(seg->flags & SIM_TCP_SYN))
        return;
    tcb->irs = seg->seq;
    tcb->rcv_nxt = seg->seq + 1;
    tcb->rcv_adv = tcb->rcv_nxt;
    tcb->rcv_up = tcb->rcv_nxt;
    tcp_syn_options(tcb, seg);
    tcb->snd_wnd = seg->wnd;
    tcb->max_sndwnd = seg->wnd;
    tcb->snd_wl1 = seg->seq;
    tcb->snd_wl2 = seg->ack;
    if (ack_ok) {
        tcb->snd_una = seg->ack;
        if ((tcb->flags & SIM_TCB_RTT_TIMING) && sim_seq_gt(seg->ack, tcb->rtt_seq)) {
            tcp_rtt_sample(tcb, now - tcb->rtt_start);
            tcb->flags &= ~SIM_TCB_RTT_TIMING;
        }
        tcp_init_cwnd(tcb);
        tcb->backoff = 0;
        tcb->flags &= ~SIM_TCB_CONNECTING;
        sim__tcp_set_state(tcb, SIM_TCP_ESTABLISHED);
        sim__tcp_timer_stop(tcb, SIM_TCP_T_REXMT);
        tcb->flags |= SIM_TCB_ACK_NOW;
        sim__tcp_notify(tcb, SIM_SOCK_EV_CONNECTED | SIM_SOCK_EV_WRITABLE, SIM_OK);
        sim__tcp_output(tcb);
        return;
    }
    /* Simultaneous open: our SYN crossed theirs; answer SYN,ACK. */
    sim__tcp_event(tcb, "simultaneous", "SYN crossed SYN");
    tcb->cwnd = tcb->mss;
    sim__tcp_set_state(tcb, SIM_TCP_SYN_RECEIVED);
    tcb->snd_nxt = tcb->iss;
    sim__tcp_output(tcb);
}

/* RFC 9293 §3.10.7.4 first check: is the segment in the receive window? */
static bool
tcp_seq_acceptable(const SimTcb *tcb, const SimTcpSeg *seg, guint32 wnd)
{
    guint32 seqlen = sim_tcp_seg_seqlen(seg);
    guint32 rn = tcb->rcv_nxt;

    if (seqlen == 0) {
        if (wnd == 0)
            return seg->seq == rn;
        return sim_seq_between(rn, seg->seq, rn + wnd);
    }
    if (wnd == 0) {
        /* Deviation (as Linux): a bare FIN at RCV.NXT is taken even with a
         * zero window; it needs no buffer space. */
        return seg->len == 0 && (seg->flags & SIM_TCP_FIN) && seg->seq == rn;
    }
    return sim_seq_between(rn, seg->seq, rn + wnd) ||
           sim_seq_between(rn, seg->seq + seqlen - 1, rn + wnd);
}

/* Replies to out-of-window segments without data (and challenge ACKs)
 * are limited to one per 500 ms, as Linux does (tcp_invalid_ratelimit,
 * RFC 5961 §7): two ends that each find the other's ACKs unacceptable can
 * then never feed an endless ACK exchange. */
#define TCP_OOW_ACK_INTERVAL (500 * SIM_MSEC)

static bool
tcp_oow_ack_allowed(SimTcb *tcb, SimTime now)
{
    if (tcb->last_oow_ack != 0 && now - tcb->last_oow_ack < TCP_OOW_ACK_INTERVAL)
        return false;
    tcb->last_oow_ack = now == 0 ? 1 : now;
    return true;
}

/* Enter ESTABLISHED from SYN_RECEIVED on the ACK of our SYN. */
static void
tcp_ack_synrcvd(SimTcb *tcb, const SimTcpSeg *seg)
{
    SimTime now = sim_world_now(tcb->tw->world);

    if ((tcb->flags & SIM_TCB_RTT_TIMING) && sim_seq_gt(seg->ack, tcb->rtt_seq)) {
        tcp_rtt_sample(tcb, now - tcb->rtt_start);
        tcb->flags &= ~SIM_TCB_RTT_TIMING;
    }
    tcb->snd_una = seg->ack;
    if (sim_seq_lt(tcb->snd_nxt, tcb->snd_una))
        tcb->snd_nxt = tcb->snd_una;
    tcb->snd_wnd = seg->wnd;
    tcb->max_sndwnd = MAX(tcb->max_sndwnd, seg->wnd);
    tcb->snd_wl1 = seg->seq;
    tcb->snd_wl2 = seg->ack;
    tcp_init_cwnd(tcb);
    tcb->backoff = 0;
    sim__tcp_set_state(tcb, SIM_TCP_ESTABLISHED);
    sim__tcp_timer_stop(tcb, SIM_TCP_T_REXMT);
    if (tcb->on_queue != NULL) {
        /* A child: move it from the listener's pending queue to its
         * accept queue, and tell the listener (edge: the first one). */
        SimTcb *listener = sim__tcp_lookup(tcb->tw, tcb->parent);
        size_t ready_before;

        g_assert(listener != NULL);
        ready_before = listener->acceptq.length;
        if (listener->flags & SIM_TCB_CONDITIONAL)
            for (GList *l = listener->pending.head; l != NULL; l = l->next)
                if (((SimTcb *) l->data)->flags & SIM_TCB_HELD)
                    ready_before++;
        g_queue_unlink(&listener->pending, &tcb->queue_link);
        g_queue_push_tail_link(&listener->acceptq, &tcb->queue_link);
        tcb->on_queue = &listener->acceptq;
        if (ready_before == 0)
            sim__tcp_notify(listener, SIM_SOCK_EV_ACCEPT, SIM_OK);
    } else if (tcb->flags & SIM_TCB_CONNECTING) {
        /* Simultaneous open, or a conditionally accepted child. */
        tcb->flags &= ~SIM_TCB_CONNECTING;
        sim__tcp_notify(tcb, SIM_SOCK_EV_CONNECTED | SIM_SOCK_EV_WRITABLE, SIM_OK);
    }
    /* A CLOSE (or shutdown of the send side) queued in SYN_RECEIVED. */
    if (tcb->flags & SIM_TCB_SHUT_WR)
        sim__tcp_set_state(tcb, SIM_TCP_FIN_WAIT_1);
}

static bool
tcp_fin_acked(const SimTcb *tcb)
{
    return (tcb->flags & SIM_TCB_SHUT_WR) && tcb->snd_una == sim__tcp_data_end(tcb) + 1;
}

static bool
tcp_all_acked(const SimTcb *tcb)
{
    return tcb->sb.len == 0 && tcb->snd_una == tcb->snd_max;
}

/* An ACK that moves SND.UNA: RFC 9293 §3.10.7.4 (fifth check),
 * RFC 6298 §5.2-5.3, RFC 5681 §3.1, RFC 6582 §3.2 steps 3-5. */
static void
tcp_ack_new(SimTcb *tcb, const SimTcpSeg *seg)
{
    SimTime now = sim_world_now(tcb->tw->world);
    guint32 ack = seg->ack;
    guint32 acked = ack - tcb->snd_una;
    guint32 data_acked = 0;
    bool restart_timer = true;

    if (sim_seq_gt(ack, tcb->sb_seq)) {
        data_acked = MIN(ack - tcb->sb_seq, tcb->sb.len);
        sim__tcp_sndbuf_drop(&tcb->sb, data_acked);
        tcb->sb_seq += data_acked;
    }
    tcb->snd_una = ack;
    if (sim_seq_lt(tcb->snd_nxt, tcb->snd_una))
        tcb->snd_nxt = tcb->snd_una;
    /* Karn: only a segment sent once is timed (RTT_TIMING is cleared on
     * any retransmission). */
    if ((tcb->flags & SIM_TCB_RTT_TIMING) && sim_seq_gt(ack, tcb->rtt_seq)) {
        tcp_rtt_sample(tcb, now - tcb->rtt_start);
        tcb->flags &= ~SIM_TCB_RTT_TIMING;
    }
    tcb->backoff = 0;
    tcb->probes_out = 0;

    if (tcb->flags & SIM_TCB_RECOVERY) {
        if (sim_seq_geq(ack, tcb->recover)) {
            /* Full acknowledgment (RFC 6582 §3.2 step 3, option 1). */
            guint32 flight = tcb->snd_max - tcb->snd_una;

            tcb->cwnd = MIN(tcb->ssthresh, MAX(flight, tcb->mss) + tcb->mss);
            tcb->flags &= ~(SIM_TCB_RECOVERY | SIM_TCB_PARTIAL_SEEN);
            tcb->dupacks = 0;
            sim__tcp_event(tcb, "recovery", "full ACK %u, cwnd=%u", ack, tcb->cwnd);
        } else {
            /* Partial acknowledgment (step 4): retransmit the next hole,
             * deflate by what was acked, add back one MSS; the timer is
             * reset for the first partial ACK only ("impatient"). */
            sim__tcp_event(tcb, "recovery", "partial ACK %u", ack);
            sim__tcp_retransmit_head(tcb);
            tcb->cwnd = tcb->cwnd > acked ? tcb->cwnd - acked : 0;
            if (acked >= tcb->mss)
                tcb->cwnd += tcb->mss;
            tcb->cwnd = MAX(tcb->cwnd, tcb->mss);
            if (tcb->flags & SIM_TCB_PARTIAL_SEEN)
                restart_timer = false;
            tcb->flags |= SIM_TCB_PARTIAL_SEEN;
        }
    } else {
        tcb->dupacks = 0;
        if (tcb->cwnd < tcb->ssthresh) {
            /* Slow start, RFC 5681 eq. 2 with RFC 3465 L = 1 SMSS. */
            tcb->cwnd += MIN(acked, tcb->mss);
        } else {
            /* Congestion avoidance: one MSS per window of bytes acked. */
            tcb->ca_acked += acked;
            if (tcb->ca_acked >= tcb->cwnd) {
                tcb->ca_acked -= tcb->cwnd;
                tcb->cwnd += tcb->mss;
            }
        }
        tcb->cwnd = MIN(tcb->cwnd, 1u << 30);
    }
    if ((tcb->flags & SIM_TCB_URG_SEND) && sim_seq_geq(tcb->snd_una, tcb->snd_up))
        tcb->flags &= ~SIM_TCB_URG_SEND;
    if (tcb->snd_una == tcb->snd_max)
        sim__tcp_timer_stop(tcb, SIM_TCP_T_REXMT); /* RFC 6298 §5.2 */
    else if (restart_timer)
        sim__tcp_rexmt_arm(tcb); /* §5.3 */
    if (data_acked > 0 && (tcb->flags & SIM_TCB_WANT_WRITE) && tcb->sb.len < tcb->sndbuf) {
        tcb->flags &= ~SIM_TCB_WANT_WRITE;
        sim__tcp_notify(tcb, SIM_SOCK_EV_WRITABLE, SIM_OK);
    }
    if ((tcb->flags & SIM_TCB_WATCH_ACKED) && tcp_all_acked(tcb)) {
        tcb->flags &= ~SIM_TCB_WATCH_ACKED;
        sim__tcp_notify(tcb, SIM_TCP_EV_ACKED, SIM_OK);
    }
}

/* A duplicate ACK (RFC 5681 §2 definition): fast retransmit on the third
 * (§3.2), NewReno recovery (RFC 6582 §3.2 steps 1-2). */
static void
tcp_ack_dup(SimTcb *tcb)
{
    tcb->dupacks++;
    tcb->stats.dupacks_received++;
    if (tcb->flags & SIM_TCB_RECOVERY) {
        tcb->cwnd += tcb->mss; /* inflate: a segment has left the network */
        return;
    }
    if (tcb->dupacks != 3)
        return;
    if (!sim_seq_geq(tcb->snd_una, tcb->recover)) {
        /* Step 1A: the dupacks are for data sent before the last loss
         * episode's recover point; no second reduction. */
        return;
    }
    tcb->ssthresh = MAX(sim__tcp_flight(tcb) / 2, 2 * tcb->mss);
    tcb->recover = tcb->snd_max;
    tcb->flags |= SIM_TCB_RECOVERY;
    tcb->flags &= ~SIM_TCB_PARTIAL_SEEN;
    tcb->stats.fast_retransmits++;
    sim__tcp_event(tcb, "fast-retransmit", "seq=%u ssthresh=%u", tcb->snd_una, tcb->ssthresh);
    sim__tcp_retransmit_head(tcb);
    tcb->cwnd = tcb->ssthresh + 3 * tcb->mss;
}

/* Fifth check for the synchronized states past SYN_RECEIVED.  Returns
 * FALSE when the segment must be dropped. */
static bool
tcp_ack(SimTcb *tcb, const SimTcpSeg *seg)
{
    guint32 ack = seg->ack;
    bool wnd_update;
    guint32 old_wnd = tcb->snd_wnd;

    if (sim_seq_gt(ack, tcb->snd_max)) {
        /* Acknowledges something not yet sent. */
        sim__tcp_send_ack(tcb);
        return false;
    }
    wnd_update = sim_seq_lt(tcb->snd_wl1, seg->seq) ||
                 (tcb->snd_wl1 == seg->seq && sim_seq_leq(tcb->snd_wl2, ack));
    if (sim_seq_gt(ack, tcb->snd_una)) {
        tcp_ack_new(tcb, seg);
    } else if (ack == tcb->snd_una && seg->len == 0 &&
               !(seg->flags & (SIM_TCP_SYN | SIM_TCP_FIN)) && seg->wnd == tcb->snd_wnd &&
               tcb->snd_max != tcb->snd_una) {
        tcp_ack_dup(tcb);
    }
    if (wnd_update) {
        tcb->snd_wnd = seg->wnd;
        tcb->snd_wl1 = seg->seq;
        tcb->snd_wl2 = ack;
        tcb->max_sndwnd = MAX(tcb->max_sndwnd, seg->wnd);
        if (old_wnd == 0 && tcb->snd_wnd > 0)
            sim__tcp_event(tcb, "window", "peer window open %u", tcb->snd_wnd);
        else if (old_wnd > 0 && tcb->snd_wnd == 0)
            sim__tcp_event(tcb, "window", "peer window zero");
    }
    tcb->probes_out = 0;
    if (tcb->snd_wnd > 0 && tcb->deadline[SIM_TCP_T_PERSIST] != 0) {
        sim__tcp_timer_stop(tcb, SIM_TCP_T_PERSIST);
        tcb->persist_shift = 0;
    }
    return true;
}

static SimTcpSlice *
tcp_slice_new(SimBuf *buf, guint32 off, guint32 seq, guint32 len, bool fin)
{
    SimTcpSlice *s = g_new(SimTcpSlice, 1);

    s->seq = seq;
    s->len = len;
    s->off = off;
    s->fin = fin;
    s->buf = len > 0 ? sim_buf_ref(buf) : NULL;
    return s;
}

static void
tcp_rq_push(SimTcb *tcb, SimBuf *buf, guint32 off, guint32 seq, guint32 len)
{
    if (len == 0)
        return;
    g_queue_push_tail(&tcb->rq, tcp_slice_new(buf, off, seq, len, false));
    tcb->rq_bytes += len;
}

/* Append in-order bytes to the receive queue; the urgent byte (the one
 * before RCV.UP) is pulled out of band unless SO_OOBINLINE. */
static void
tcp_rq_append(SimTcb *tcb, SimBuf *buf, guint32 off, guint32 seq, guint32 len)
{
    tcb->stats.bytes_received += len;
    if (tcb->flags & SIM_TCB_URG_MARK) {
        guint32 urgent = tcb->rcv_up - 1;

        if (sim_seq_between(seq, urgent, seq + len)) {
            guint32 before = urgent - seq;

            if (!(tcb->flags & SIM_TCB_OOBINLINE)) {
                tcp_rq_push(tcb, buf, off, seq, before);
                tcb->oob_byte = buf->data[off + before];
                tcb->flags |= SIM_TCB_OOB_VALID;
                tcp_rq_push(tcb, buf, off + before + 1, urgent + 1, len - before - 1);
            } else {
                tcp_rq_push(tcb, buf, off, seq, len);
            }
            sim__tcp_event(tcb, "urgent", "urgent byte at seq=%u %s", urgent,
                           (tcb->flags & SIM_TCB_OOBINLINE) ? "inline" : "out of band");
            sim__tcp_notify(tcb, SIM_SOCK_EV_OOB, SIM_OK);
            return;
        }
    }
    tcp_rq_push(tcb, buf, off, seq, len);
}

/* Keep an out-of-order segment, sorted by sequence number; drop it if an
 * existing one covers it and drop those it covers. */
static void
tcp_ooo_insert(SimTcb *tcb, SimBuf *buf, guint32 off, guint32 seq, guint32 len, bool fin)
{
    GList *l, *next;
    guint32 end = seq + len;
    SimTcpSlice *tail = g_queue_peek_tail(&tcb->ooo);

    if (tail == NULL || sim_seq_geq(seq, tail->seq + tail->len)) {
        if (tail != NULL && tail->fin)
            return; /* nothing lies beyond a FIN */
        g_queue_push_tail(&tcb->ooo, tcp_slice_new(buf, off, seq, len, fin));
        return;
    }
    for (l = tcb->ooo.head; l != NULL; l = l->next) {
        SimTcpSlice *s = l->data;

        if (sim_seq_leq(s->seq, seq) && sim_seq_geq(s->seq + s->len, end) && (s->fin || !fin))
            return; /* a duplicate */
    }
    for (l = tcb->ooo.head; l != NULL; l = next) {
        SimTcpSlice *s = l->data;

        next = l->next;
        if (sim_seq_geq(s->seq, seq) && sim_seq_leq(s->seq + s->len, end) && (fin || !s->fin)) {
            g_queue_delete_link(&tcb->ooo, l);
            sim__tcp_slice_free(s);
        }
    }
    for (l = tcb->ooo.head; l != NULL; l = l->next)
        if (sim_seq_gt(((SimTcpSlice *) l->data)->seq, seq))
            break;
    if (l == NULL)
        g_queue_push_tail(&tcb->ooo, tcp_slice_new(buf, off, seq, len, fin));
    else
        g_queue_insert_before(&tcb->ooo, l, tcp_slice_new(buf, off, seq, len, fin));
}

/* The peer's FIN, in order (RFC 9293 §3.10.7.4 eighth check). */
static void
tcp_input_fin(SimTcb *tcb, bool after_gap)
{
    bool had_data = tcb->rq_bytes > 0;
    SimTime now = sim_world_now(tcb->tw->world);

    tcb->rcv_nxt++;
    tcb->flags |= SIM_TCB_FIN_RCVD | SIM_TCB_ACK_NOW;
    switch (tcb->state) {
    case SIM_TCP_ESTABLISHED:
        sim__tcp_set_state(tcb, SIM_TCP_CLOSE_WAIT);
        break;
    case SIM_TCP_FIN_WAIT_1:
        sim__tcp_set_state(tcb, tcp_fin_acked(tcb) ? SIM_TCP_TIME_WAIT : SIM_TCP_CLOSING);
        break;
    case SIM_TCP_FIN_WAIT_2:
        sim__tcp_set_state(tcb, SIM_TCP_TIME_WAIT);
        break;
    case SIM_TCP_TIME_WAIT:
        sim__tcp_timer_set(tcb, SIM_TCP_T_2MSL, now + 2 * tcb->tw->cfg.msl_ns);
        return;
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
        return;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_SYN_RECEIVED: /* the ACK check moved it to ESTABLISHED first */
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    if (tcb->state == SIM_TCP_TIME_WAIT && after_gap) {
        /* The FIN waited in the reassembly queue for a retransmission: the
         * peer is backing off, and our ACK may be lost; stay for twice its
         * last gap beyond 2 MSL (see the TIME_WAIT note in
         * tcp_input_synced). */
        sim__tcp_timer_set(tcb, SIM_TCP_T_2MSL, now + 2 * tcb->tw->cfg.msl_ns + 2 * tcb->rx_gap);
    }
    sim__tcp_notify(tcb, SIM_SOCK_EV_CLOSED | (had_data ? 0 : SIM_SOCK_EV_READABLE), SIM_OK);
}

/* RFC 9293 §3.10.7.4 seventh and eighth checks: segment text and FIN.
 * [seq, seq + len) has been trimmed to the window and starts at or after
 * RCV.NXT; @fin is the FIN that follows it (dropped if outside). */
static void
tcp_input_data(SimTcb *tcb, const SimTcpSeg *seg, guint32 seq, guint32 len, guint32 off, bool fin)
{
    const SimTcpConfig *cfg = &tcb->tw->cfg;
    bool was_readable = tcb->rq_bytes > 0;
    bool had_ooo;

    switch (tcb->state) {
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
        break;
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        return; /* the peer's FIN came already: ignore the text */
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    if (len > 0 && tcb->orphan) {
        /* Data for an application that closed: it cannot be delivered, so
         * reset (RFC 9293 §3.10.4 leaves it open; Windows and Linux do). */
        sim__tcp_event(tcb, "reset", "data after close");
        sim__tcp_send_rst(tcb);
        sim__tcp_drop(tcb, SIM_E_CONNABORTED, 0);
        return;
    }
    if (len > 0 && (tcb->flags & SIM_TCB_SHUT_RD)) {
        if (tcb->flags & SIM_TCB_RST_ON_SHUT) {
            /* Windows: "if data arrives after SD_RECEIVE, the connection
             * is reset". */
            sim__tcp_event(tcb, "reset", "data after shutdown(receive)");
            sim__tcp_send_rst(tcb);
            sim__tcp_drop(tcb, SIM_E_CONNABORTED, SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_READABLE);
            return;
        }
        /* Otherwise acknowledge and discard what is in order. */
        if (seq == tcb->rcv_nxt) {
            tcb->rcv_nxt += len;
            tcb->flags |= SIM_TCB_ACK_NOW;
            if (fin)
                tcp_input_fin(tcb, false);
        }
        return;
    }
    if (seq != tcb->rcv_nxt) {
        /* Out of order: keep it, and send an immediate duplicate ACK
         * (RFC 5681 §4.2) so the sender can fast-retransmit. */
        tcp_ooo_insert(tcb, seg->buf, off, seq, len, fin);
        tcb->flags |= SIM_TCB_ACK_NOW;
        return;
    }
    had_ooo = !g_queue_is_empty(&tcb->ooo);
    if (len > 0) {
        tcp_rq_append(tcb, seg->buf, off, seq, len);
        tcb->rcv_nxt += len;
    }
    if (!fin) {
        SimTcpSlice *s;

        while ((s = g_queue_peek_head(&tcb->ooo)) != NULL && sim_seq_leq(s->seq, tcb->rcv_nxt)) {
            guint32 end = s->seq + s->len;

            g_queue_pop_head(&tcb->ooo);
            if (sim_seq_gt(end, tcb->rcv_nxt)) {
                guint32 skip = tcb->rcv_nxt - s->seq;

                tcp_rq_append(tcb, s->buf, s->off + skip, tcb->rcv_nxt, s->len - skip);
                tcb->rcv_nxt = end;
            }
            if (s->fin && end == tcb->rcv_nxt)
                fin = true;
            sim__tcp_slice_free(s);
            if (fin)
                break;
        }
    }
    if (fin) {
        GList *l;

        /* Anything beyond the FIN is meaningless. */
        while ((l = tcb->ooo.head) != NULL) {
            sim__tcp_slice_free(l->data);
            g_queue_delete_link(&tcb->ooo, l);
        }
        tcp_input_fin(tcb, had_ooo);
    } else if (had_ooo || !cfg->delayed_ack) {
        tcb->flags |= SIM_TCB_ACK_NOW; /* filled a gap (RFC 5681 §4.2) */
    } else if (len > 0) {
        /* Delayed ACK: every delack_segments-th segment, else within
         * delack_ns (RFC 1122 §4.2.3.2; Windows: 2 segments, 200 ms). */
        if (++tcb->delack_segs >= cfg->delack_segments)
            tcb->flags |= SIM_TCB_ACK_NOW;
        else
            sim__tcp_delack_later(tcb);
    }
    if (!was_readable && tcb->rq_bytes > 0)
        sim__tcp_notify(tcb, SIM_SOCK_EV_READABLE, SIM_OK);
}

/* RST in a synchronized state (RFC 9293 §3.10.7.4 second check). */
static void
tcp_input_rst(SimTcb *tcb)
{
    switch (tcb->state) {
    case SIM_TCP_SYN_RECEIVED:
        if (tcb->flags & SIM_TCB_PASSIVE) {
            sim__tcp_event(tcb, "reset", "RST in SYN_RECEIVED");
            sim__tcp_drop(tcb, SIM_E_CONNRESET, SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_READABLE);
        } else {
            sim__tcp_event(tcb, "refused", "RST in SYN_RECEIVED");
            sim__tcp_drop(tcb, SIM_E_CONNREFUSED, SIM_SOCK_EV_CONNECTED);
        }
        return;
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
        sim__tcp_event(tcb, "reset", "connection reset by peer");
        sim__tcp_drop(tcb, SIM_E_CONNRESET, SIM_SOCK_EV_CLOSED | SIM_SOCK_EV_READABLE);
        return;
    case SIM_TCP_TIME_WAIT:
        return; /* RFC 1337: ignore, no TIME-WAIT assassination */
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_N_STATES:
        break;
    }
    g_assert_not_reached();
}

/* §3.10.7.4: the synchronized states share the ordered checks. */
static void
tcp_input_synced(SimTcb *tcb, const SimTcpSeg *seg)
{
    SimTime now = sim_world_now(tcb->tw->world);
    guint32 seq = seg->seq, len = seg->len, off = seg->off;
    bool fin = (seg->flags & SIM_TCP_FIN) != 0;
    bool syn = (seg->flags & SIM_TCP_SYN) != 0;
    guint32 wnd;

    if (tcb->flags & SIM_TCB_HELD) {
        /* Nothing was sent yet: retransmitted SYNs wait with the first; a
         * RST (the peer gave up) ends the held connection. */
        if ((seg->flags & SIM_TCP_RST) && seg->seq == tcb->rcv_nxt)
            sim__tcp_drop(tcb, SIM_E_CONNRESET, 0);
        return;
    }
    if (tcb->state == SIM_TCP_SYN_RECEIVED && syn && !(seg->flags & (SIM_TCP_ACK | SIM_TCP_RST)) &&
        seq == tcb->irs) {
        /* A retransmitted SYN: our SYN,ACK was lost; send it again now. */
        tcb->snd_nxt = tcb->iss;
        sim__tcp_output(tcb);
        return;
    }
    tcb->rx_gap = now - tcb->last_rx;
    tcb->last_rx = now;
    if ((tcb->flags & SIM_TCB_KEEPALIVE) && tcb->deadline[SIM_TCP_T_KEEP] != 0) {
        tcb->ka_probes = 0;
        sim__tcp_timer_set(tcb, SIM_TCP_T_KEEP, now + tcb->ka_time);
    }

    /* First: sequence number acceptable?  The window is the one we
     * advertised (or more, if the buffer has drained since). */
    wnd = sim__tcp_rcv_window(tcb);
    if (!tcp_seq_acceptable(tcb, seg, wnd)) {
        if (!(seg->flags & SIM_TCP_RST)) {
            if (tcb->state == SIM_TCP_TIME_WAIT) {
                /* RFC 9293 restarts 2 MSL on a retransmitted FIN only.  We
                 * restart on any retransmission and add twice the gap since
                 * the peer's previous segment: with the short default MSL a
                 * peer whose ACKs keep getting lost backs off beyond 2 MSL
                 * and would otherwise meet a RST after a transfer that
                 * succeeded (sim__tcp_set_state does the same on entry). */
                sim__tcp_timer_set(tcb, SIM_TCP_T_2MSL,
                                   now + 2 * tcb->tw->cfg.msl_ns + 2 * tcb->rx_gap);
            }
            /* Keep-alive probes (SEQ = RCV.NXT - 1) are always answered:
             * the rate limit must not make a live peer look dead. */
            if (sim_tcp_seg_seqlen(seg) > 0 || seg->seq == tcb->rcv_nxt - 1 ||
                tcp_oow_ack_allowed(tcb, now))
                sim__tcp_send_ack(tcb);
        }
        return;
    }
    /* Trim to the window: the front that was received before ... */
    if (sim_seq_lt(seq, tcb->rcv_nxt)) {
        guint32 d = tcb->rcv_nxt - seq;

        if (syn) {
            syn = false;
            d--;
            seq++;
        }
        if (d >= len) {
            if (sim_seq_lt(seq + len, tcb->rcv_nxt))
                fin = false; /* an old FIN */
            off += len;
            len = 0;
            seq = tcb->rcv_nxt;
        } else {
            off += d;
            len -= d;
            seq = tcb->rcv_nxt;
        }
    }
    /* ... and the tail beyond it. */
    if (sim_seq_gt(seq + len, tcb->rcv_nxt + wnd)) {
        len = tcb->rcv_nxt + wnd - seq;
        fin = false;
    }

    /* Second: RST (RFC 5961 §3.2: only an exact match resets; one
     * elsewhere in the window draws a challenge ACK). */
    if (seg->flags & SIM_TCP_RST) {
        if (seg->seq == tcb->rcv_nxt)
            tcp_input_rst(tcb);
        else if (tcp_oow_ack_allowed(tcb, now))
            sim__tcp_send_ack(tcb);
        return;
    }
    /* Fourth: SYN in a synchronized state (RFC 5961 §4: challenge ACK). */
    if (syn) {
        if (tcp_oow_ack_allowed(tcb, now))
            sim__tcp_send_ack(tcb);
        return;
    }
    /* Fifth: ACK. */
    if (!(seg->flags & SIM_TCP_ACK))
        return;
    if (tcb->state == SIM_TCP_SYN_RECEIVED) {
        if (!(sim_seq_lt(tcb->snd_una, seg->ack) && sim_seq_leq(seg->ack, tcb->snd_max))) {
            sim__tcp_send_rst_reply(tcb->host, seg);
            return;
        }
        tcp_ack_synrcvd(tcb, seg);
    }
    switch (tcb->state) {
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_FIN_WAIT_2:
        if (!tcp_ack(tcb, seg))
            return;
        break;
    case SIM_TCP_FIN_WAIT_1:
        if (!tcp_ack(tcb, seg))
            return;
        if (tcp_fin_acked(tcb))
            sim__tcp_set_state(tcb, SIM_TCP_FIN_WAIT_2);
        break;
    case SIM_TCP_CLOSING:
        if (!tcp_ack(tcb, seg))
            return;
        if (tcp_fin_acked(tcb)) {
            sim__tcp_set_state(tcb, SIM_TCP_TIME_WAIT);
            return;
        }
        break;
    case SIM_TCP_LAST_ACK:
        if (!tcp_ack(tcb, seg))
            return;
        if (tcp_fin_acked(tcb)) {
            sim__tcp_drop(tcb, SIM_OK, 0);
            return;
        }
        break;
    case SIM_TCP_TIME_WAIT:
        /* Only the peer's retransmitted FIN is expected; it was handled as
         * an old segment above. */
        break;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    if (tcb->state == SIM_TCP_CLOSED)
        return;

    /* Sixth: URG (RFC 9293 §3.8.5; RFC 6093's reading: RCV.UP is the byte
     * after the urgent one, BSD and Windows style). */
    if ((seg->flags & SIM_TCP_URG) && seg->urg > 0) {
        switch (tcb->state) {
        case SIM_TCP_ESTABLISHED:
        case SIM_TCP_FIN_WAIT_1:
        case SIM_TCP_FIN_WAIT_2: {
            guint32 up = seg->seq + seg->urg;

            if (sim_seq_gt(up, tcb->rcv_up) && sim_seq_gt(up, tcb->rcv_nxt)) {
                tcb->rcv_up = up;
                tcb->flags |= SIM_TCB_URG_MARK;
            }
            break;
        }
        case SIM_TCP_CLOSE_WAIT:
        case SIM_TCP_CLOSING:
        case SIM_TCP_LAST_ACK:
        case SIM_TCP_TIME_WAIT:
        case SIM_TCP_CLOSED:
        case SIM_TCP_LISTEN:
        case SIM_TCP_SYN_SENT:
        case SIM_TCP_SYN_RECEIVED:
        case SIM_TCP_N_STATES:
            break;
        }
    }
    /* Seventh and eighth: text and FIN. */
    if (len > 0 || fin)
        tcp_input_data(tcb, seg, seq, len, off, fin);
    if (tcb->state != SIM_TCP_CLOSED)
        sim__tcp_output(tcb);
}

/**
 * sim__tcp_proto_error:
 *
 * An ICMP error about a segment this node sent.  While connecting, an
 * unreachable destination ends the attempt at once (E_NETUNREACH,
 * E_HOSTUNREACH; port unreachable as E_CONNREFUSED); on a synchronized
 * connection it is a soft error (RFC 1122 §4.2.3.9) kept as the cause to
 * report if the connection later times out.  "Fragmentation needed"
 * lowers the MSS (RFC 1191) and resends.
 */
void
sim__tcp_proto_error(SimWorld *world, SimNodeId node, const SimIcmpHeader *icmp, void *data)
{
    SimTcpWorld *tw = data;
    SimTcpHost *host = sim_node_get_proto_data(world, node, SIM_PROTO_TCP);
    SimTcpKey key;
    SimTcb *tcb;
    SimStatus err;

    if (host == NULL)
        return;
    sim__tcp_key_init(&key, &icmp->orig_src, icmp->orig_sport, &icmp->orig_dst, icmp->orig_dport);
    tcb = sim__tcp_conn_lookup(host, &key);
    if (tcb == NULL)
        return;
    sim__tcp_enter(tw);
    if (icmp->error == SIM_E_MSGSIZE) {
        guint32 hdr = tcb->family == SIM_AF_INET6 ? 60 : 40;

        if (icmp->mtu > hdr + 64 && icmp->mtu - hdr < tcb->mss) {
            tcb->mss = icmp->mtu - hdr;
            tcb->cwnd = MAX(tcb->cwnd, tcb->mss);
            sim__tcp_event(tcb, "pmtu", "mss lowered to %u", tcb->mss);
            if (sim_tcp_state_is_synchronized(tcb->state) && tcb->state != SIM_TCP_SYN_RECEIVED) {
                tcb->snd_nxt = tcb->snd_una;
                sim__tcp_output(tcb);
            }
        }
    } else if (icmp->error == SIM_E_PORTUNREACH || icmp->error == SIM_E_NETUNREACH ||
               icmp->error == SIM_E_HOSTUNREACH || icmp->error == SIM_E_TTL) {
        err = icmp->error == SIM_E_PORTUNREACH ? SIM_E_CONNREFUSED
              : icmp->error == SIM_E_TTL       ? SIM_E_HOSTUNREACH
                                               : icmp->error;
        if (tcb->state == SIM_TCP_SYN_SENT) {
            sim__tcp_event(tcb, "unreachable", "%s while connecting", sim_status_name(err));
            sim__tcp_drop(tcb, err, SIM_SOCK_EV_CONNECTED);
        } else {
            tcb->soft_error = err;
        }
    }
    if (tcb->state != SIM_TCP_CLOSED)
        sim__tcp_check_invariants(tcb);
    sim__tcp_leave(tw);
}
