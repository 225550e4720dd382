/* SPDX-License-Identifier: MIT
 *
 * sim-tcp-private.h: the TCB body and what the three TCP files share
 * (sim-tcp.c: user calls, timers, tables; sim-tcp-input.c: SEGMENT ARRIVES;
 * sim-tcp-output.c: building and sending segments).  Tests include it for
 * the sequence arithmetic and the FSM tables; spi/ never does.
 */
#ifndef SIM_TCP_PRIVATE_H
#define SIM_TCP_PRIVATE_H

#include "sim/sim-private.h"
#include "sim/sim-tcp.h"

G_BEGIN_DECLS

/* ---- Sequence arithmetic (RFC 9293 §3.4) --------------------------------
 * Modulo 2^32: a < b when the signed distance from a to b is positive.  The
 * distance is computed in unsigned arithmetic and converted, so nothing
 * overflows; tests/test-tcp.c walks a wraparound table. */
static inline gint32
sim_seq_diff(guint32 a, guint32 b)
{
    return (gint32) (a - b);
}
static inline bool
sim_seq_lt(guint32 a, guint32 b)
{
    return sim_seq_diff(a, b) < 0;
}
static inline bool
sim_seq_leq(guint32 a, guint32 b)
{
    return sim_seq_diff(a, b) <= 0;
}
static inline bool
sim_seq_gt(guint32 a, guint32 b)
{
    return sim_seq_diff(a, b) > 0;
}
static inline bool
sim_seq_geq(guint32 a, guint32 b)
{
    return sim_seq_diff(a, b) >= 0;
}
/* lo <= x < hi (an empty range when lo == hi). */
static inline bool
sim_seq_between(guint32 lo, guint32 x, guint32 hi)
{
    return x - lo < hi - lo;
}
static inline guint32
sim_seq_max(guint32 a, guint32 b)
{
    return sim_seq_gt(a, b) ? a : b;
}
static inline guint32
sim_seq_min(guint32 a, guint32 b)
{
    return sim_seq_lt(a, b) ? a : b;
}

/* ---- Segments ------------------------------------------------------------ */

/* A segment as input sees it: header fields plus the payload slice.  Built
 * on the stack from the packet and passed in; never kept in a file static. */
typedef struct {
    SimAddr src, dst;
    guint16 sport, dport;
    guint32 seq, ack;
    guint8 flags;
    guint32 wnd; /* bytes (the network layer carries the scaled field) */
    guint16 urg;
    guint16 mss;   /* option, SYN only; 0 = absent */
    guint8 wscale; /* option, SYN only; 0 = absent */
    guint32 len;   /* payload bytes */
    SimBuf *buf;   /* (nullable) (transfer none) payload */
    guint32 off;   /* payload offset in buf */
} SimTcpSeg;

/* Sequence space the segment occupies: data, SYN and FIN (RFC 9293 §3.4). */
static inline guint32
sim_tcp_seg_seqlen(const SimTcpSeg *seg)
{
    return seg->len + ((seg->flags & SIM_TCP_SYN) ? 1 : 0) + ((seg->flags & SIM_TCP_FIN) ? 1 : 0);
}

/* ---- Buffers ------------------------------------------------------------- */

/* Send buffer: a chain of SimBuf chunks.  Bytes are copied once, from the
 * application into the tail chunk; segments then reference slices of the
 * chunks (sim_packet_set_payload takes a reference), so a retransmission
 * copies nothing.  Only a segment that would straddle two chunks gets its
 * own small buffer. */
typedef struct {
    SimBuf *buf;
    guint32 used;
    guint32 cap; /* buf->len, kept here: the hot paths need not touch buf */
} SimTcpChunk;

typedef struct {
    GQueue chunks;    /* of SimTcpChunk*, oldest first */
    guint32 head_off; /* bytes of the first chunk already dropped (acked) */
    guint32 len;      /* bytes held: unacknowledged + unsent */
    /* lookup cache for sim__tcp_sndbuf_slice: a chunk and the buffer offset
     * of its first byte (relative to the current head) */
    GList *cur;
    guint32 cur_start;
} SimTcpSndBuf;

/* A slice of received payload, in the receive queue or the reassembly queue. */
typedef struct SimTcpSlice {
    guint32 seq; /* sequence number of the first byte */
    guint32 len; /* bytes; 0 only for a lone FIN in the reassembly queue */
    guint32 off; /* offset into buf */
    bool fin;    /* reassembly queue: a FIN follows the last byte */
    SimBuf *buf; /* (nullable when len == 0) */
} SimTcpSlice;

/* ---- Demultiplexing key -------------------------------------------------- */

typedef struct {
    SimAddr laddr, raddr; /* only family and the significant bytes are set */
    guint16 lport, rport;
} SimTcpKey;

/* ---- Timers -------------------------------------------------------------- */

/* Every timer of a TCB is a deadline (0 = off).  One event per TCB runs at
 * (or before) the earliest deadline; moving a deadline later costs nothing
 * and the event re-arms itself when it finds nothing due (ns-3 / Linux
 * style lazy timers). */
typedef enum {
    SIM_TCP_T_REXMT,   /* retransmission of SYN, SYN-ACK, data or FIN */
    SIM_TCP_T_PERSIST, /* zero-window probe */
    SIM_TCP_T_DELACK,  /* delayed ACK */
    SIM_TCP_T_KEEP,    /* keep-alive idle and probe interval */
    SIM_TCP_T_2MSL,    /* TIME_WAIT, and an orphaned FIN_WAIT_2 */
    SIM_TCP_T_N
} SimTcpTimer;

/* ---- Module state ---------------------------------------------------------- */

typedef struct SimTcpHost SimTcpHost;

typedef struct SimTcb SimTcb;

/* A queued notification.  The TCB pointer is safe to keep until the queue
 * drains: TCBs are freed only by the reap event, never within an event. */
typedef struct {
    SimTcb *tcb;
    SimSocketId sock;
    guint32 events;
    SimStatus err;
} SimTcpNote;

/* Test seam (lwIP's tcp_helper captures netif output the same way): sees
 * every segment the transport sends, before the network does; returning
 * TRUE swallows it. */
typedef bool (*SimTcpTxHook)(SimWorld *world, SimNodeId node, const SimPacket *pkt, void *data);

typedef struct {
    SimWorld *world;
    SimTcpConfig cfg;
    SimTcpTxHook tx_hook;
    void *tx_hook_data;
    GPtrArray *socks; /* SimSocketId -> SimTcb*, indexed by id (ids are dense
                         * per world; the datagram transport's leave holes) */
    GPtrArray *hosts; /* SimTcpHost*, in creation order */
    size_t n_tcbs;    /* allocated TCBs, reap-pending included */
    GPtrArray *reap;  /* TCBs to free after the current event */
    SimEventId reap_ev;
    GArray *notes;     /* SimTcpNote, pending upward notifications in order */
    GPtrArray *delack; /* TCBs whose delayed-ACK timer is armed at leave */
    guint depth;       /* nesting of entry points; notes drain at depth 0 */
    bool draining;
    bool deep_checks; /* walk the queues in sim__tcp_check_invariants */
    bool tearing_down;
    bool silent; /* a host is crashing: send nothing */
} SimTcpWorld;

struct SimTcpHost {
    SimTcpWorld *tw; /* NULL once the module is gone (world teardown) */
    SimNodeId node;
    GHashTable *conns;  /* SimTcpKey* -> SimTcb*: every synchronized or
                           * connecting TCB, embryonic children included */
    GHashTable *listen; /* port -> GQueue* of listening SimTcb */
    GHashTable *ports;  /* port -> GQueue* of every bound SimTcb (port_link) */
    GQueue tcbs;        /* every TCB of the node, creation order (host_link) */
    SimTcb *last;       /* the TCB the last segment matched: a one-entry cache
                         * in front of conns, cleared when it leaves conns */
    SimRng iss_rng;     /* RFC 9293 §3.4.1 ISS, one seeded stream per host */
    guint32 next_ephemeral;
};

/* TCB flags */
enum {
    SIM_TCB_APP = 1u << 0,       /* the application holds the id */
    SIM_TCB_BOUND = 1u << 1,     /* in the host's port table */
    SIM_TCB_IN_CONNS = 1u << 2,  /* in the host's connection table */
    SIM_TCB_IN_LISTEN = 1u << 3, /* in the host's listener table */
    SIM_TCB_REAP = 1u << 4,      /* flagged; freed after the current event */
    SIM_TCB_PASSIVE = 1u << 5,   /* born from a listener (child) */
    SIM_TCB_HELD = 1u << 6,      /* conditional accept: SYN held, no SYN-ACK yet */
    SIM_TCB_QUEUED = 1u << 7,    /* on its listener's pending or accept queue */
    SIM_TCB_SHUT_RD = 1u << 8,   /* shutdown(receive) */
    SIM_TCB_SHUT_WR = 1u << 9,   /* shutdown(send): FIN queued */
    SIM_TCB_FIN_RCVD = 1u << 10, /* peer's FIN consumed (EOF for recv) */
    SIM_TCB_NODELAY = 1u << 11,
    SIM_TCB_OOBINLINE = 1u << 12,
    SIM_TCB_KEEPALIVE = 1u << 13,
    SIM_TCB_RST_ON_SHUT = 1u << 14,
    SIM_TCB_WANT_WRITE = 1u << 15, /* a send returned WOULDBLOCK */
    SIM_TCB_WATCH_ACKED = 1u << 16,
    SIM_TCB_CONDITIONAL = 1u << 17, /* listener: conditional accept */
    SIM_TCB_REUSEADDR = 1u << 18,
    SIM_TCB_EXCLUSIVE = 1u << 19,
    SIM_TCB_ACK_NOW = 1u << 20,      /* send an ACK at the next output */
    SIM_TCB_RECOVERY = 1u << 21,     /* NewReno fast recovery */
    SIM_TCB_RTT_TIMING = 1u << 22,   /* rtt_seq is being timed */
    SIM_TCB_FORCE = 1u << 23,        /* output: send one byte into a zero window */
    SIM_TCB_URG_SEND = 1u << 24,     /* snd_up is meaningful */
    SIM_TCB_URG_MARK = 1u << 25,     /* rcv_up is meaningful (mark not yet passed) */
    SIM_TCB_OOB_VALID = 1u << 26,    /* oob_byte holds an unread out-of-band byte */
    SIM_TCB_WSCALE = 1u << 27,       /* window scaling in effect */
    SIM_TCB_PARTIAL_SEEN = 1u << 28, /* recovery: the first partial ACK came */
    SIM_TCB_CONNECTING = 1u << 29,   /* active open: report CONNECTED on the outcome */
    SIM_TCB_DEAD = 1u << 30,         /* node crashed: the id is a shell */
    SIM_TCB_WATCH_ENDED = 1u << 31,  /* report SIM_TCP_EV_ENDED on reaching CLOSED */
};

struct SimTcb {
    SimTcpWorld *tw;
    SimTcpHost *host;
    SimSocketId id;
    SimFamily family;
    SimTcpState state;
    guint32 flags;
    SimTcpKey key;
    SimSocketId parent; /* listener while on its queues, else 0 */
    GQueue *on_queue;   /* the listener queue holding queue_link, or NULL */

    GList host_link;   /* in host->tcbs */
    GList port_link;   /* in host->ports[lport] */
    GList queue_link;  /* in the listener's pending or accept queue */
    GList listen_link; /* in host->listen[lport] (listeners) */

    /* listener */
    GQueue pending; /* children in SYN_RECEIVED (held or not) */
    GQueue acceptq; /* established children not yet accepted */
    guint backlog;
    guint accept_resets; /* acceptq children reset by their peer, not yet reported */

    /* send sequence variables (RFC 9293 §3.3.1) */
    guint32 iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2, snd_up;
    guint32 snd_wnd;    /* bytes */
    guint32 max_sndwnd; /* largest window the peer offered (SWS, §3.8.6.2.1) */
    guint32 mss;        /* effective send MSS */
    guint32 rcv_mss;    /* what we announced */
    guint8 snd_wscale, rcv_wscale;
    SimTcpSndBuf sb;
    guint32 sb_seq; /* sequence number of sb's first byte */
    guint32 sndbuf;

    /* receive sequence variables */
    guint32 irs, rcv_nxt, rcv_adv, rcv_up;
    GQueue rq; /* SimTcpSlice*, in-order unread data */
    guint32 rq_bytes;
    GQueue ooo; /* SimTcpSlice*, reassembly queue sorted by seq */
    guint32 rcvbuf;
    guint8 oob_byte;
    guint32 delack_segs;  /* segments received since our last ACK */
    SimTime last_oow_ack; /* last reply to an out-of-window segment */
    bool delack_queued;   /* on tw->delack */
    SimTime last_rx;      /* when the last segment arrived */
    SimTime rx_gap;       /* and the gap before it (TIME_WAIT uses it) */

    /* congestion control (RFC 5681, RFC 6582) */
    guint32 cwnd, ssthresh, recover, dupacks, ca_acked;

    /* RTT (RFC 6298) */
    SimTime srtt, rttvar, rto, rtt_start;
    bool have_rtt;
    guint32 rtt_seq;
    guint backoff; /* consecutive expirations of T_REXMT */
    guint persist_shift;
    guint ka_probes;  /* keep-alive probes unanswered */
    guint probes_out; /* zero-window probes unanswered */

    /* timers */
    SimTime deadline[SIM_TCP_T_N];
    SimEventId timer_ev;
    SimTime timer_at;

    /* options copied from the world config at open */
    SimTime ka_time, ka_interval;
    guint ka_count;

    /* upward */
    SimSockNotifyFn notify;
    void *notify_data;
    SimStatus conn_error;    /* sticky: what recv/send report once dead */
    SimStatus pending_error; /* SO_ERROR */
    SimStatus soft_error;    /* ICMP or route errors, the cause if we give up */
    bool orphan;             /* the application closed it: data now draws RST */

    SimTcpStats stats;
};

/* ---- sim-tcp.c ------------------------------------------------------------- */

SimTcpWorld *sim__tcp_world(SimWorld *world);
SimTcpHost *sim__tcp_host(SimTcpWorld *tw, SimNodeId node);
static inline SimTcb *
sim__tcp_lookup(SimTcpWorld *tw, SimSocketId sock)
{
    return sock < tw->socks->len ? g_ptr_array_index(tw->socks, sock) : NULL;
}
void sim__tcp_key_init(SimTcpKey *key, const SimAddr *laddr, guint16 lport, const SimAddr *raddr,
                       guint16 rport);
SimTcb *sim__tcp_conn_lookup(SimTcpHost *host, const SimTcpKey *key);
SimTcb *sim__tcp_listener_lookup(SimTcpHost *host, const SimAddr *laddr, guint16 lport);
/* A child of @listener for the SYN @seg (state LISTEN, not yet in a table). */
SimTcb *sim__tcp_child_new(SimTcb *listener, const SimTcpSeg *seg);
void sim__tcp_conn_insert(SimTcb *tcb);
/* ISS, MSS, window scale and RTO of a child about to send its SYN-ACK. */
void sim__tcp_child_init_send(SimTcb *child);

/* The one transition writer (STYLE §7): asserts the edge is legal, traces
 * it, and arms or cancels the timers of the new state. */
void sim__tcp_set_state(SimTcb *tcb, SimTcpState to);
bool sim__tcp_transition_allowed(SimTcpState from, SimTcpState to);

/* One row per state (designated initializers, STYLE §7): its name, the
 * timers that may stay armed in it (entering the state stops the others),
 * and its invariant in words, for doc/tcp.md and the table test. */
typedef struct {
    const char *name;
    guint8 timers; /* bit (1 << SimTcpTimer) */
    const char *invariant;
} SimTcpStateInfo;
const SimTcpStateInfo *sim__tcp_state_info(SimTcpState state);
/* Enter CLOSED: leave every table, stop the timers, drop the buffers; flag
 * for reaping unless the application still holds the id.  @err (if not OK)
 * becomes the sticky and the pending error and is reported upward with
 * @events (0 for none). */
void sim__tcp_drop(SimTcb *tcb, SimStatus err, guint32 events);

void sim__tcp_timer_set(SimTcb *tcb, SimTcpTimer t, SimTime deadline);
static inline void
sim__tcp_timer_stop(SimTcb *tcb, SimTcpTimer t)
{
    tcb->deadline[t] = 0;
}
void sim__tcp_rexmt_arm(SimTcb *tcb);
/* Arm the delayed-ACK timer when the outermost entry point returns, if no
 * segment carried the ACK by then (the application's reply usually does). */
void sim__tcp_delack_later(SimTcb *tcb);
void sim__tcp_persist_arm(SimTcb *tcb);

/* Queue an upward notification; delivered when the outermost entry point
 * returns, so no callback ever runs in the middle of the state machine. */
void sim__tcp_notify(SimTcb *tcb, guint32 events, SimStatus err);
void sim__tcp_enter(SimTcpWorld *tw);
void sim__tcp_leave(SimTcpWorld *tw);

void sim__tcp_event(SimTcb *tcb, const char *what, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void sim__tcp_check_invariants(const SimTcb *tcb);
void sim__tcp_set_deep_checks(SimWorld *world, bool on);
void sim__tcp_set_tx_hook(SimWorld *world, SimTcpTxHook fn, void *data);
/* Reap everything flagged now (tests; the world does it after each event). */
void sim__tcp_reap_now(SimWorld *world);

/* Send buffer */
void sim__tcp_sndbuf_append(SimTcpSndBuf *sb, const guint8 *data, guint32 len, guint32 sndbuf);
void sim__tcp_sndbuf_drop(SimTcpSndBuf *sb, guint32 len);
void sim__tcp_sndbuf_clear(SimTcpSndBuf *sb);
/* A referenced buffer holding bytes [off, off + len) of the send buffer. */
SimBuf *sim__tcp_sndbuf_slice(SimTcpSndBuf *sb, guint32 off, guint32 len, guint32 *out_buf_off);

void sim__tcp_slice_free(SimTcpSlice *s);

/* ---- sim-tcp-input.c ------------------------------------------------------- */

void sim__tcp_proto_input(SimWorld *world, SimNodeId node, SimPacket *pkt, void *data);
void sim__tcp_proto_error(SimWorld *world, SimNodeId node, const SimIcmpHeader *icmp, void *data);
/* SEGMENT ARRIVES for an existing TCB (RFC 9293 §3.10.7). */
void sim__tcp_input(SimTcb *tcb, const SimTcpSeg *seg);

/* ---- sim-tcp-output.c ------------------------------------------------------ */

/* Send what the state, the windows, Nagle and the pending ACK allow. */
void sim__tcp_output(SimTcb *tcb);
/* A pure ACK now (RFC 9293 §3.10.7.4 "send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"). */
void sim__tcp_send_ack(SimTcb *tcb);
/* RST for @tcb's connection (abort, data after close, keep-alive death). */
void sim__tcp_send_rst(SimTcb *tcb);
/* RST in reply to @seg with no TCB (RFC 9293 §3.10.7.1). */
void sim__tcp_send_rst_reply(SimTcpHost *host, const SimTcpSeg *seg);
/* Keep-alive probe: <SEQ=SND.UNA-1><ACK=RCV.NXT>, no data (RFC 9293 §3.8.4). */
void sim__tcp_send_keepalive(SimTcb *tcb);
/* Retransmit the segment at SND.UNA (fast retransmit, partial ACK). */
void sim__tcp_retransmit_head(SimTcb *tcb);
/* The window we would advertise now, bytes. */
guint32 sim__tcp_rcv_window(const SimTcb *tcb);
guint32 sim__tcp_flight(const SimTcb *tcb);
/* After the application read: send a window update if it grew enough. */
void sim__tcp_window_update(SimTcb *tcb);
/* The sender's data end: the sequence number after the last buffered byte. */
static inline guint32
sim__tcp_data_end(const SimTcb *tcb)
{
    return tcb->sb_seq + tcb->sb.len;
}

G_END_DECLS

#endif /* SIM_TCP_PRIVATE_H */
