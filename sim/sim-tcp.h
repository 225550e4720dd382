/* SPDX-License-Identifier: MIT
 *
 * sim-tcp.h: the stream transport — a TCP (RFC 9293) with RFC 6298 timers,
 * RFC 5681/6582 NewReno congestion control, RFC 6928 initial window, RFC
 * 7323 window scaling and Windows-compatible choices where the RFCs leave
 * room (doc/tcp.md lists them).  spi/ drives it through integer socket ids:
 * every call returns a SimStatus and writes results through out_ params;
 * happenings travel upward through the SimSockNotifyFn of sim-sock.h.
 */
#ifndef SIM_TCP_H
#define SIM_TCP_H

#include "sim-sock.h"
#include "sim-net.h"

G_BEGIN_DECLS

/* ---- States ------------------------------------------------------------ */

/* RFC 9293 §3.3.2.  Explicit values; SIM_TCP_N_STATES sizes every table. */
typedef enum {
    SIM_TCP_CLOSED = 0,
    SIM_TCP_LISTEN = 1,
    SIM_TCP_SYN_SENT = 2,
    SIM_TCP_SYN_RECEIVED = 3,
    SIM_TCP_ESTABLISHED = 4,
    SIM_TCP_FIN_WAIT_1 = 5,
    SIM_TCP_FIN_WAIT_2 = 6,
    SIM_TCP_CLOSE_WAIT = 7,
    SIM_TCP_CLOSING = 8,
    SIM_TCP_LAST_ACK = 9,
    SIM_TCP_TIME_WAIT = 10,
    SIM_TCP_N_STATES
} SimTcpState;

/* "ESTABLISHED", ...; never NULL ("?" for an out-of-range value). */
const char *sim_tcp_state_name(SimTcpState state);
/* TRUE once the SYNs are exchanged: SYN_RECEIVED through TIME_WAIT. */
bool sim_tcp_state_is_synchronized(SimTcpState state);

/* ---- Notification bits beyond the shared SIM_SOCK_EV_* set ------------ */

enum {
    /* Everything sent so far (data and a FIN, if one was sent) has been
     * acknowledged.  One-shot, armed by sim_tcp_watch_acked() (SO_LINGER). */
    SIM_TCP_EV_ACKED = 1u << 16,
    /* The connection is over: the TCB reached CLOSED (our FIN acknowledged
     * in LAST_ACK, TIME_WAIT expired, a reset, a timeout...).  One-shot,
     * armed by sim_tcp_watch_ended() (TF_REUSE_SOCKET). */
    SIM_TCP_EV_ENDED = 1u << 17,
};

/* ---- Per-world configuration ------------------------------------------- */

/*
 * Defaults (sim_tcp_config_init) follow Windows where it documents a value
 * and the RFCs otherwise; doc/tcp.md explains each.  A changed configuration
 * applies to sockets opened afterwards (timers and limits are copied into
 * each TCB at open, children copy their listener).
 */
typedef struct {
    SimTime msl_ns;                  /* 1 s: TIME_WAIT lasts 2 x MSL (Windows: 120 s) */
    SimTime rto_initial_ns;          /* 1 s (RFC 6298 §2.1, Windows InitialRto) */
    SimTime rto_min_ns;              /* 300 ms (Windows MinRto; RFC 6298 says 1 s) */
    SimTime rto_max_ns;              /* 60 s (RFC 6298 §2.5) */
    guint syn_retries;               /* 2 SYN retransmissions (Windows MaxSynRetransmissions) */
    guint synack_retries;            /* 2 SYN-ACK retransmissions, then the half-open child dies */
    guint data_retries;              /* 5 (Windows TcpMaxDataRetransmissions) */
    bool delayed_ack;                /* true */
    SimTime delack_ns;               /* 200 ms (Windows TcpDelAckTicks) */
    guint delack_segments;           /* 2: ACK every 2nd segment (Windows TcpAckFrequency) */
    guint initial_window_segments;   /* 10: IW = min(10 MSS, max(2 MSS, 14600)) (RFC 6928) */
    guint32 rcvbuf_default;          /* 65536 (SO_RCVBUF) */
    guint32 sndbuf_default;          /* 65536 (SO_SNDBUF) */
    bool window_scaling;             /* true: RFC 7323 window scale option on SYNs */
    SimTime persist_min_ns;          /* 500 ms: first zero-window probe interval floor */
    SimTime persist_max_ns;          /* 60 s: probe interval ceiling */
    SimTime keepalive_time_ns;       /* 2 h idle before the first probe (Windows) */
    SimTime keepalive_interval_ns;   /* 1 s between unanswered probes (Windows) */
    guint keepalive_probes;          /* 10 unanswered probes, then E_NETRESET (Windows) */
    SimTime fin_wait2_timeout_ns;    /* 60 s: an orphaned FIN_WAIT_2 gives up */
    bool rst_on_data_after_shutdown; /* true: data after SD_RECEIVE resets (Windows) */
} SimTcpConfig;

void sim_tcp_config_init(SimTcpConfig *cfg);
SimStatus sim_tcp_set_config(SimWorld *world, const SimTcpConfig *cfg);
bool sim_tcp_config_valid(const SimTcpConfig *cfg); /* what sim_tcp_set_config accepts */
void sim_tcp_get_config(SimWorld *world, SimTcpConfig *out_cfg);

/* ---- Endpoint lifecycle -------------------------------------------------- */

/* A new unbound stream socket on @node.  E_NETDOWN if @node is down,
 * E_INVAL for a bad node or family. */
SimStatus sim_tcp_open(SimWorld *world, SimNodeId node, SimFamily family, SimSocketId *out_sock);

enum {
    SIM_TCP_BIND_REUSEADDR = 1u << 0, /* SO_REUSEADDR: share a port in use */
    SIM_TCP_BIND_EXCLUSIVE = 1u << 1, /* SO_EXCLUSIVEADDRUSE: nobody may share it */
};
SimStatus sim_tcp_bind(SimWorld *world, SimSocketId sock, const SimSockAddr *addr, guint flags);
SimStatus sim_tcp_listen(SimWorld *world, SimSocketId sock, guint backlog);
SimStatus sim_tcp_connect(SimWorld *world, SimSocketId sock, const SimSockAddr *remote);
SimStatus sim_tcp_accept(SimWorld *world, SimSocketId listener, SimSocketId *out_child);

/* Conditional accept (WSPAccept's condition function, SO_CONDITIONAL_ACCEPT):
 * SYNs are held without a SYN-ACK until the application accepts (SYN-ACK
 * sent, child returned in SYN_RECEIVED), rejects (RST) or defers them. */
SimStatus sim_tcp_set_conditional_accept(SimWorld *world, SimSocketId listener, bool on);
SimStatus sim_tcp_pending_peek(SimWorld *world, SimSocketId listener, SimSockAddr *out_remote,
                               SimSockAddr *out_local);
SimStatus sim_tcp_pending_reject(SimWorld *world, SimSocketId listener);
SimStatus sim_tcp_pending_defer(SimWorld *world, SimSocketId listener);

enum {
    SIM_TCP_SEND_OOB = 1u << 0, /* MSG_OOB: the last byte is the urgent byte */
};
SimStatus sim_tcp_send(SimWorld *world, SimSocketId sock, const void *buf, size_t len, guint flags,
                       size_t *out_sent);
enum {
    SIM_TCP_RECV_PEEK = 1u << 0, /* MSG_PEEK */
    SIM_TCP_RECV_OOB = 1u << 1,  /* MSG_OOB */
};
SimStatus sim_tcp_recv(SimWorld *world, SimSocketId sock, void *buf, size_t len, guint flags,
                       size_t *out_received);

typedef enum {
    SIM_TCP_SHUT_RECV = 1, /* SD_RECEIVE */
    SIM_TCP_SHUT_SEND = 2, /* SD_SEND: FIN after the queued data */
    SIM_TCP_SHUT_BOTH = 3, /* SD_BOTH */
} SimTcpShutdown;
SimStatus sim_tcp_shutdown(SimWorld *world, SimSocketId sock, SimTcpShutdown how);
SimStatus sim_tcp_close(SimWorld *world, SimSocketId sock);
SimStatus sim_tcp_abort(SimWorld *world, SimSocketId sock);

/* One callback per socket; NULL @fn removes it.  Children start with none. */
SimStatus sim_tcp_set_notify(SimWorld *world, SimSocketId sock, SimSockNotifyFn fn, void *data);
/* Arm the one-shot SIM_TCP_EV_ACKED notification (queued at once when
 * everything is already acknowledged). */
SimStatus sim_tcp_watch_acked(SimWorld *world, SimSocketId sock);
/* Arm the one-shot SIM_TCP_EV_ENDED notification (queued at once, with the
 * connection's error, when the TCB is CLOSED already). */
SimStatus sim_tcp_watch_ended(SimWorld *world, SimSocketId sock);

/* ---- Options ------------------------------------------------------------- */

typedef enum {
    SIM_TCP_OPT_NODELAY,              /* bool (TCP_NODELAY), default 0: Nagle on */
    SIM_TCP_OPT_RCVBUF,               /* bytes (SO_RCVBUF) */
    SIM_TCP_OPT_SNDBUF,               /* bytes (SO_SNDBUF) */
    SIM_TCP_OPT_OOBINLINE,            /* bool (SO_OOBINLINE) */
    SIM_TCP_OPT_KEEPALIVE,            /* bool (SO_KEEPALIVE) */
    SIM_TCP_OPT_KEEPALIVE_TIME,       /* ns of idleness before the first probe */
    SIM_TCP_OPT_KEEPALIVE_INTERVAL,   /* ns between unanswered probes */
    SIM_TCP_OPT_KEEPALIVE_PROBES,     /* count of unanswered probes */
    SIM_TCP_OPT_RST_ON_RECV_SHUTDOWN, /* bool, data after SD_RECEIVE resets */
    SIM_TCP_OPT_N
} SimTcpOption;
SimStatus sim_tcp_set_option(SimWorld *world, SimSocketId sock, SimTcpOption opt, guint64 value);
SimStatus sim_tcp_get_option(SimWorld *world, SimSocketId sock, SimTcpOption opt,
                             guint64 *out_value);
/* SIO_KEEPALIVE_VALS in one call. */
SimStatus sim_tcp_set_keepalive(SimWorld *world, SimSocketId sock, bool on, SimTime time_ns,
                                SimTime interval_ns);

/* ---- Queries ------------------------------------------------------------- */

SimStatus sim_tcp_get_state(SimWorld *world, SimSocketId sock, SimTcpState *out_state);
/* The level of every readiness bit now (SIM_SOCK_EV_READABLE, WRITABLE,
 * OOB, ACCEPT, CLOSED), for select() and for re-enabling FD_* events. */
SimStatus sim_tcp_poll(SimWorld *world, SimSocketId sock, guint32 *out_events);
SimStatus sim_tcp_readable_bytes(SimWorld *world, SimSocketId sock, size_t *out_bytes);
SimStatus sim_tcp_send_space(SimWorld *world, SimSocketId sock, size_t *out_bytes);
/* @out_at_mark: BSD SIOCATMARK (the next byte read is at the urgent mark);
 * @out_oob_pending: an urgent byte has arrived and not been read yet
 * (Windows SIOCATMARK is its negation).  Either may be NULL. */
SimStatus sim_tcp_urgent_state(SimWorld *world, SimSocketId sock, bool *out_at_mark,
                               bool *out_oob_pending);
SimStatus sim_tcp_local_addr(SimWorld *world, SimSocketId sock, SimSockAddr *out_addr);
SimStatus sim_tcp_remote_addr(SimWorld *world, SimSocketId sock, SimSockAddr *out_addr);
/* SO_ERROR: the pending asynchronous error, read and cleared. */
SimStatus sim_tcp_take_error(SimWorld *world, SimSocketId sock, SimStatus *out_error);
SimStatus sim_tcp_is_listener(SimWorld *world, SimSocketId sock, bool *out_listener);
/* Connections that accept() would return now (held SYNs in conditional mode). */
SimStatus sim_tcp_accept_queue_len(SimWorld *world, SimSocketId sock, size_t *out_len);
/* Everything sent (and a FIN, if sent) acknowledged: for SO_LINGER. */
SimStatus sim_tcp_all_acked(SimWorld *world, SimSocketId sock, bool *out_all_acked);

typedef struct {
    guint64 bytes_sent; /* payload bytes handed to the network, first copies */
    guint64 bytes_retransmitted;
    guint64 bytes_received; /* in-order payload bytes delivered to the buffer */
    guint64 segs_sent;      /* every segment, control and retransmissions included */
    guint64 segs_received;
    guint64 retransmits; /* segments sent again */
    guint64 timeouts;    /* RTO expirations */
    guint64 fast_retransmits;
    guint64 dupacks_received;
    guint64 zero_window_probes;
    guint64 keepalive_probes;
} SimTcpStats;
SimStatus sim_tcp_get_stats(SimWorld *world, SimSocketId sock, SimTcpStats *out_stats);

/* Congestion and timer state, for tests, statistics and the teacher's trace. */
typedef struct {
    SimTcpState state;
    guint32 mss;                   /* effective send MSS */
    guint32 cwnd;                  /* bytes */
    guint32 ssthresh;              /* bytes */
    guint32 snd_wnd;               /* peer's window, bytes */
    guint32 rcv_wnd;               /* window we advertise now, bytes */
    guint32 flight;                /* bytes sent and not acknowledged */
    guint8 snd_wscale, rcv_wscale; /* 0 when scaling is not in effect */
    bool in_recovery;              /* NewReno fast recovery */
    SimTime srtt_ns, rttvar_ns, rto_ns;
    guint backoff; /* consecutive RTO expirations */
} SimTcpInfo;
SimStatus sim_tcp_get_info(SimWorld *world, SimSocketId sock, SimTcpInfo *out_info);

/* TCBs alive in @world (app-held shells, orphans in FIN_WAIT/TIME_WAIT and
 * embryonic children included), for leak checks at teardown. */
size_t sim_tcp_tcb_count(SimWorld *world);

G_END_DECLS

#endif /* SIM_TCP_H */
