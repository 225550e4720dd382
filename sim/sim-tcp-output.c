/* SPDX-License-Identifier: MIT
 *
 * sim-tcp-output.c: building and sending segments — SYN and SYN-ACK with
 * their options, data segmentation under the send window, the congestion
 * window, Nagle (RFC 896) and sender SWS avoidance (RFC 9293 §3.8.6.2.1),
 * FIN, pure and delayed ACKs, the advertised window with receiver SWS
 * avoidance (§3.8.6.2.2), zero-window probes (§3.8.6.1), keep-alive probes
 * (§3.8.4) and RSTs (§3.10.7.1).  Payloads are slices of the send buffer's
 * chunks: nothing is copied per (re)transmission.
 */
#include "config.h"

#include "sim/sim-tcp-private.h"

/* Windows' default unicast TTL (DefaultTTL), as the datagram transport. */
#define TCP_TTL 128

guint32
sim__tcp_flight(const SimTcb *tcb)
{
    return tcb->snd_max - tcb->snd_una;
}

/**
 * sim__tcp_rcv_window:
 *
 * The window to advertise: free receive-buffer space, limited to what the
 * header can carry (65535, or 65535 << shift with window scaling, rounded
 * down to the scale), zero while smaller than min(buffer / 4, MSS)
 * (receiver SWS avoidance, the BSD form of RFC 9293 §3.8.6.2.2), and never
 * less than what was already offered (the window does not shrink).
 */
guint32
sim__tcp_rcv_window(const SimTcb *tcb)
{
    guint32 space = tcb->rcvbuf > tcb->rq_bytes ? tcb->rcvbuf - tcb->rq_bytes : 0;
    guint32 max;

    if (tcb->flags & SIM_TCB_WSCALE) {
        max = 65535u << tcb->rcv_wscale;
        space = MIN(space, max) & ~((1u << tcb->rcv_wscale) - 1);
    } else {
        space = MIN(space, 65535u);
    }
    if (space < tcb->rcvbuf / 4 && space < tcb->rcv_mss)
        space = 0;
    if (sim_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) && space < tcb->rcv_adv - tcb->rcv_nxt)
        space = tcb->rcv_adv - tcb->rcv_nxt;
    return space;
}

static SimStatus
tcp_net_send(SimTcpWorld *tw, SimNodeId node, SimPacket *pkt)
{
    if (G_UNLIKELY(tw->tx_hook != NULL) && tw->tx_hook(tw->world, node, pkt, tw->tx_hook_data)) {
        sim_packet_unref(pkt);
        return SIM_OK;
    }
    return sim_net_send(tw->world, node, pkt);
}

static void
tcp_send_error(SimTcb *tcb, SimStatus st)
{
    if (st == SIM_E_NETUNREACH || st == SIM_E_HOSTUNREACH) {
        /* No route now: remember it as the cause if we give up. */
        if (tcb->soft_error != st)
            sim__tcp_event(tcb, "unreachable", "%s", sim_status_name(st));
        tcb->soft_error = st;
    } else if (st == SIM_E_MSGSIZE) {
        guint32 mtu = sim_net_path_mtu(tcb->tw->world, tcb->host->node, &tcb->key.raddr);
        guint32 hdr = tcb->family == SIM_AF_INET6 ? 60 : 40;

        if (mtu > hdr + 64 && mtu - hdr < tcb->mss) {
            tcb->mss = mtu - hdr;
            tcb->cwnd = MAX(tcb->cwnd, tcb->mss);
            sim__tcp_event(tcb, "pmtu", "mss lowered to %u", tcb->mss);
        }
    }
}

/* Build one segment of @tcb's connection and hand it to the network.
 * @len payload bytes come from the send buffer at @seq.  Every segment
 * with ACK carries RCV.NXT and the current window, and counts as the
 * acknowledgment a delayed ACK was waiting for. */
static void
tcp_xmit(SimTcb *tcb, guint32 seq, guint32 len, guint8 flags)
{
    SimTcpWorld *tw = tcb->tw;
    SimPacket *pkt;
    SimTcpHeader *h;
    guint32 win;
    SimStatus st;

    if (tw->silent)
        return;
    pkt = sim_packet_new(tw->world, SIM_PROTO_TCP);
    pkt->src = tcb->key.laddr;
    pkt->dst = tcb->key.raddr;
    pkt->dont_frag = true; /* RFC 1191 path MTU discovery */
    pkt->ttl = TCP_TTL;
    h = &pkt->l4.tcp;
    h->sport = tcb->key.lport;
    h->dport = tcb->key.rport;
    h->seq = seq;
    if (flags & SIM_TCP_SYN) {
        guint32 space = tcb->rcvbuf > tcb->rq_bytes ? tcb->rcvbuf - tcb->rq_bytes : 0;

        /* The SYN's window is never scaled (RFC 7323 §2.2). */
        win = MIN(space, 65535u);
        h->mss = (guint16) MIN(tcb->rcv_mss, 65535u);
        h->wscale = tcb->rcv_wscale;
    } else {
        win = sim__tcp_rcv_window(tcb);
        h->wscale = (tcb->flags & SIM_TCB_WSCALE) ? tcb->rcv_wscale : 0;
    }
    h->window = win;
    if ((tcb->flags & SIM_TCB_URG_SEND) && sim_seq_gt(tcb->snd_up, seq) &&
        !(flags & (SIM_TCP_SYN | SIM_TCP_RST))) {
        flags |= SIM_TCP_URG;
        h->urg = (guint16) MIN(tcb->snd_up - seq, 65535u);
    }
    if (flags & SIM_TCP_ACK) {
        guint32 edge = tcb->rcv_nxt + win;

        h->ack = tcb->rcv_nxt;
        if (sim_seq_gt(edge, tcb->rcv_adv))
            tcb->rcv_adv = edge;
        tcb->flags &= ~SIM_TCB_ACK_NOW;
        tcb->delack_segs = 0;
        sim__tcp_timer_stop(tcb, SIM_TCP_T_DELACK);
    }
    h->flags = flags;
    if (len > 0) {
        guint32 boff;
        SimBuf *buf = sim__tcp_sndbuf_slice(&tcb->sb, seq - tcb->sb_seq, len, &boff);

        sim_packet_set_payload(pkt, buf, boff, len);
        sim_buf_unref(buf);
    }
    tcb->stats.segs_sent++;
    st = tcp_net_send(tw, tcb->host->node, pkt);
    if (G_UNLIKELY(st != SIM_OK))
        tcp_send_error(tcb, st);
}

/* SYN (SYN_SENT) or SYN,ACK (SYN_RECEIVED), first or again. */
static void
tcp_send_syn(SimTcb *tcb, guint8 flags)
{
    bool again = sim_seq_gt(tcb->snd_max, tcb->iss);

    tcp_xmit(tcb, tcb->iss, 0, flags);
    tcb->snd_nxt = tcb->iss + 1;
    tcb->snd_max = tcb->iss + 1;
    if (again) {
        tcb->stats.retransmits++;
        tcb->flags &= ~SIM_TCB_RTT_TIMING;
    } else {
        tcb->rtt_seq = tcb->iss;
        tcb->rtt_start = sim_world_now(tcb->tw->world);
        tcb->flags |= SIM_TCB_RTT_TIMING;
    }
    sim__tcp_rexmt_arm(tcb);
}

void
sim__tcp_send_ack(SimTcb *tcb)
{
    /* SEQ=SND.MAX, not SND.NXT (as BSD): after a go-back-N retransmission
     * pulled SND.NXT back, the peer already holds data up to SND.MAX and
     * would find an older sequence number unacceptable and answer it with
     * an ACK of its own, and so on. */
    tcp_xmit(tcb, tcb->snd_max, 0, SIM_TCP_ACK);
}

void
sim__tcp_send_rst(SimTcb *tcb)
{
    switch (tcb->state) {
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
        return; /* the peer knows nothing of us */
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        break;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    /* SND.MAX is what the peer expects next once everything arrived; if
     * something is still missing there, the peer's challenge ACK (RFC
     * 5961) meets our closed port and draws an exact RST. */
    tcp_xmit(tcb, tcb->snd_max, 0, SIM_TCP_RST | SIM_TCP_ACK);
}

/* RFC 9293 §3.10.7.1: "If the ACK bit is off, sequence number zero is
 * used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; if the ACK bit is on,
 * <SEQ=SEG.ACK><CTL=RST>". */
void
sim__tcp_send_rst_reply(SimTcpHost *host, const SimTcpSeg *seg)
{
    SimTcpWorld *tw = host->tw;
    SimPacket *pkt;
    SimTcpHeader *h;

    if ((seg->flags & SIM_TCP_RST) || tw == NULL || tw->silent)
        return;
    pkt = sim_packet_new(tw->world, SIM_PROTO_TCP);
    pkt->src = seg->dst;
    pkt->dst = seg->src;
    pkt->dont_frag = true;
    pkt->ttl = TCP_TTL;
    h = &pkt->l4.tcp;
    h->sport = seg->dport;
    h->dport = seg->sport;
    if (seg->flags & SIM_TCP_ACK) {
        h->seq = seg->ack;
        h->flags = SIM_TCP_RST;
    } else {
        h->seq = 0;
        h->ack = seg->seq + sim_tcp_seg_seqlen(seg);
        h->flags = SIM_TCP_RST | SIM_TCP_ACK;
    }
    (void) tcp_net_send(tw, host->node, pkt);
}

void
sim__tcp_send_keepalive(SimTcb *tcb)
{
    /* <SEQ=SND.UNA-1><ACK=RCV.NXT>: outside the peer's window, so it
     * must answer with an ACK (RFC 1122 §4.2.3.6). */
    tcp_xmit(tcb, tcb->snd_una - 1, 0, SIM_TCP_ACK);
}

static void
tcp_count_send(SimTcb *tcb, guint32 seq, guint32 len)
{
    guint32 end = seq + len;

    if (sim_seq_lt(seq, tcb->snd_max)) {
        guint32 old_end = sim_seq_min(end, tcb->snd_max);

        tcb->stats.retransmits++;
        tcb->stats.bytes_retransmitted += old_end - seq;
        tcb->stats.bytes_sent += end - old_end;
        /* Karn: a retransmission spoils the measurement in progress. */
        tcb->flags &= ~SIM_TCB_RTT_TIMING;
        if (sim_trace_enabled(tcb->tw->world))
            sim__tcp_event(tcb, "retransmit", "seq=%u len=%u", seq, len);
    } else {
        tcb->stats.bytes_sent += len;
    }
}

/* Retransmit the segment at SND.UNA (fast retransmit, NewReno partial
 * ACK), leaving SND.NXT alone. */
void
sim__tcp_retransmit_head(SimTcb *tcb)
{
    guint32 data_end = sim__tcp_data_end(tcb);
    bool fin_sent = (tcb->flags & SIM_TCB_SHUT_WR) && sim_seq_gt(tcb->snd_max, data_end);
    guint32 len = 0;
    guint8 flags = SIM_TCP_ACK;

    if (sim_seq_lt(tcb->snd_una, data_end))
        len = MIN(tcb->mss, data_end - tcb->snd_una);
    if (tcb->snd_una + len == data_end) {
        if (len > 0)
            flags |= SIM_TCP_PSH;
        if (fin_sent)
            flags |= SIM_TCP_FIN;
    }
    if (len == 0 && !(flags & SIM_TCP_FIN))
        return;
    tcp_count_send(tcb, tcb->snd_una, len);
    tcp_xmit(tcb, tcb->snd_una, len, flags);
    if (tcb->deadline[SIM_TCP_T_REXMT] == 0)
        sim__tcp_rexmt_arm(tcb);
}

/* Send data (and the FIN) as the windows, Nagle and SWS avoidance allow.
 * Returns TRUE if anything was sent (every segment carries the ACK). */
static bool
tcp_output_data(SimTcb *tcb)
{
    const bool force = (tcb->flags & SIM_TCB_FORCE) != 0;
    bool sent = false;
    guint32 data_end;

    for (;;) {
        guint32 avail, wnd, inflight, usable, len;
        bool fin_q = (tcb->flags & SIM_TCB_SHUT_WR) != 0;
        bool rexmit = sim_seq_lt(tcb->snd_nxt, tcb->snd_max);
        bool probe = false;
        guint8 flags = SIM_TCP_ACK;

        data_end = sim__tcp_data_end(tcb);
        avail = sim_seq_lt(tcb->snd_nxt, data_end) ? data_end - tcb->snd_nxt : 0;
        wnd = MIN(tcb->snd_wnd, tcb->cwnd);
        inflight = tcb->snd_nxt - tcb->snd_una;
        usable = wnd > inflight ? wnd - inflight : 0;
        len = MIN(MIN(avail, usable), tcb->mss);

        if (avail > 0) {
            if (len == 0) {
                /* No window: only the persist timer's forced probe goes,
                 * one byte into the closed window (RFC 9293 §3.8.6.1). */
                if (!force || sent)
                    break;
                len = 1;
                probe = true;
            } else if (!(len == tcb->mss || rexmit || (force && !sent) ||
                         (len == avail && ((tcb->flags & SIM_TCB_NODELAY) ||
                                           tcb->snd_una == tcb->snd_max || fin_q)) ||
                         (tcb->max_sndwnd > 0 && len >= tcb->max_sndwnd / 2) ||
                         ((tcb->flags & SIM_TCB_URG_SEND) &&
                          sim_seq_gt(tcb->snd_up, tcb->snd_nxt)))) {
                /* Nagle: a small segment waits while data is unacknowledged;
                 * SWS: and while less than half the peer's largest window. */
                break;
            }
            if (tcb->snd_nxt + len == data_end) {
                flags |= SIM_TCP_PSH;
                if (fin_q && !probe)
                    flags |= SIM_TCP_FIN;
            }
        } else if (fin_q && tcb->snd_nxt == data_end) {
            /* The FIN goes even into a closed window (it takes no buffer). */
            flags |= SIM_TCP_FIN;
            len = 0;
            if (rexmit)
                tcp_count_send(tcb, tcb->snd_nxt, 0);
        } else {
            break;
        }
        if (probe) {
            /* a probe is not a retransmission, even of the same byte */
            if (sim_seq_geq(tcb->snd_nxt, tcb->snd_max))
                tcb->stats.bytes_sent += len;
        } else if (len > 0) {
            tcp_count_send(tcb, tcb->snd_nxt, len);
            if (!rexmit && !probe && !(tcb->flags & SIM_TCB_RTT_TIMING)) {
                tcb->rtt_seq = tcb->snd_nxt;
                tcb->rtt_start = sim_world_now(tcb->tw->world);
                tcb->flags |= SIM_TCB_RTT_TIMING;
            }
        }
        if (probe)
            tcb->stats.zero_window_probes++;
        tcp_xmit(tcb, tcb->snd_nxt, len, flags);
        tcb->snd_nxt += len + ((flags & SIM_TCP_FIN) ? 1 : 0);
        if (sim_seq_gt(tcb->snd_nxt, tcb->snd_max))
            tcb->snd_max = tcb->snd_nxt;
        sent = true;
        if (probe)
            break;
        /* RFC 6298 §5.1: data in flight runs the retransmission timer
         * (the persist timer stops: the window is open). */
        sim__tcp_timer_stop(tcb, SIM_TCP_T_PERSIST);
        if (tcb->deadline[SIM_TCP_T_REXMT] == 0)
            sim__tcp_rexmt_arm(tcb);
        if (flags & SIM_TCP_FIN)
            break;
    }

    data_end = sim__tcp_data_end(tcb);
    if (tcb->snd_wnd == 0 && tcb->sb.len > 0) {
        /* Closed window with data waiting: retransmitting is useless, the
         * persist timer probes instead (BSD does the same). */
        if (tcb->deadline[SIM_TCP_T_PERSIST] == 0) {
            sim__tcp_timer_stop(tcb, SIM_TCP_T_REXMT);
            tcb->snd_nxt = tcb->snd_una;
            sim__tcp_persist_arm(tcb);
        }
    } else if (sim_seq_lt(tcb->snd_nxt, data_end) && tcb->snd_una == tcb->snd_max &&
               tcb->deadline[SIM_TCP_T_REXMT] == 0 && tcb->deadline[SIM_TCP_T_PERSIST] == 0) {
        /* Data held back by SWS avoidance with nothing in flight: the
         * persist timer doubles as the override timer (§3.8.6.2.1). */
        sim__tcp_persist_arm(tcb);
    }
    return sent;
}

/**
 * sim__tcp_output:
 *
 * Send whatever the state allows now: the SYN or SYN-ACK, data and FIN
 * within min(cwnd, peer window) subject to Nagle and SWS avoidance, or a
 * pure ACK when one is due.  Safe to call at any time; a no-op when there
 * is nothing to send.
 */
void
sim__tcp_output(SimTcb *tcb)
{
    if (tcb->flags & SIM_TCB_REAP)
        return;
    switch (tcb->state) {
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
        return;
    case SIM_TCP_SYN_SENT:
        if (tcb->snd_nxt == tcb->iss)
            tcp_send_syn(tcb, SIM_TCP_SYN);
        return;
    case SIM_TCP_SYN_RECEIVED:
        if (tcb->flags & SIM_TCB_HELD)
            return;
        if (tcb->snd_nxt == tcb->iss)
            tcp_send_syn(tcb, SIM_TCP_SYN | SIM_TCP_ACK);
        else if (tcb->flags & SIM_TCB_ACK_NOW)
            sim__tcp_send_ack(tcb);
        return;
    case SIM_TCP_FIN_WAIT_2:
    case SIM_TCP_TIME_WAIT:
        if (tcb->flags & SIM_TCB_ACK_NOW)
            sim__tcp_send_ack(tcb);
        return;
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
        break;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    if (!tcp_output_data(tcb) && (tcb->flags & SIM_TCB_ACK_NOW))
        sim__tcp_send_ack(tcb);
}

/**
 * sim__tcp_window_update:
 *
 * After the application read: advertise the larger window at once when
 * the right edge moves by two segments or half the buffer (RFC 9293
 * §3.8.6.2.2, as BSD), or when the window offered so far is below one
 * segment (a sender may be stalled on it).
 */
void
sim__tcp_window_update(SimTcb *tcb)
{
    guint32 win, old, adv;

    switch (tcb->state) {
    case SIM_TCP_ESTABLISHED:
    case SIM_TCP_FIN_WAIT_1:
    case SIM_TCP_FIN_WAIT_2:
        break;
    case SIM_TCP_CLOSED:
    case SIM_TCP_LISTEN:
    case SIM_TCP_SYN_SENT:
    case SIM_TCP_SYN_RECEIVED:
    case SIM_TCP_CLOSE_WAIT:
    case SIM_TCP_CLOSING:
    case SIM_TCP_LAST_ACK:
    case SIM_TCP_TIME_WAIT:
        return;
    case SIM_TCP_N_STATES:
        g_assert_not_reached();
    }
    win = sim__tcp_rcv_window(tcb);
    old = sim_seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
    if (win <= old)
        return;
    adv = win - old;
    if (adv >= 2 * tcb->rcv_mss || 2 * adv >= tcb->rcvbuf || old < tcb->rcv_mss) {
        if (old == 0)
            sim__tcp_event(tcb, "window", "window update %u (was zero)", win);
        tcb->flags |= SIM_TCB_ACK_NOW;
        sim__tcp_output(tcb);
    }
}
