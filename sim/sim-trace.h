/* SPDX-License-Identifier: MIT
 *
 * sim-trace.h: the one trace sink every event passes through.  Modules emit
 * structured records; sinks (the text writer here; JSON lines, pcap and the
 * sequence chart in runner/) turn them into output.  A world with no sink
 * pays one branch per record.  The fingerprint is a running 64-bit hash of
 * every record, so two runs can be compared at a glance.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdio.h>

#include "sim-net.h"

G_BEGIN_DECLS

typedef enum {
    SIM_TR_PKT_SEND,    /* accepted onto a link and transmitting now */
    SIM_TR_PKT_QUEUE,   /* accepted onto a link behind others */
    SIM_TR_PKT_DROP,    /* lost; see reason */
    SIM_TR_PKT_DELIVER, /* handed to the destination's transport */
    SIM_TR_PKT_FORWARD, /* a router passed it on */
    SIM_TR_LINK_CHANGE, /* link parameters or state changed */
    SIM_TR_NODE_CHANGE, /* node up/down (crash/restart) */
    SIM_TR_TCP_STATE,   /* a TCB changed state */
    SIM_TR_TCP_EVENT,   /* retransmit, timeout, window change ... (text) */
    SIM_TR_ACTOR,       /* actor start/block/wake/finish (text) */
    SIM_TR_CALL,        /* an SPI call and its result, formatted by spi/ */
    SIM_TR_FAULT,       /* an injected fault */
    SIM_TR_NOTE,        /* anything else, free text */
    SIM_TR_N_KINDS
} SimTraceKind;

typedef enum {
    SIM_DROP_NONE,
    SIM_DROP_LOSS,
    SIM_DROP_QUEUE,
    SIM_DROP_LINK_DOWN,
    SIM_DROP_TTL,
    SIM_DROP_NO_ROUTE,
    SIM_DROP_CORRUPT,
    SIM_DROP_NODE_DOWN,
    SIM_DROP_NO_LISTENER, /* delivered to a host with no one to take it */
    SIM_DROP_FRAG,        /* a fragment of this datagram was lost */
    SIM_DROP_SHAPER,      /* QoS policer discarded it */
    SIM_DROP_TOO_BIG,     /* larger than the link MTU and not fragmentable */
    SIM_DROP_N_REASONS
} SimDropReason;

const char *sim_drop_reason_name(SimDropReason reason);
const char *sim_trace_kind_name(SimTraceKind kind);

typedef struct {
    SimTime time;
    SimTraceKind kind;
    SimNodeId node; /* where it happened (0 if not at a node) */
    SimNodeId peer; /* for link records: the far end */
    SimLinkId link;
    SimLinkDir dir;
    SimDropReason reason;
    const SimPacket *packet; /* (nullable) (transfer none) valid during the call */
    SimTime depart_ns;       /* SIM_TR_PKT_QUEUE: when it starts transmitting */
    guint32 queue_len;       /* packets ahead of it */
    SimActorId actor;        /* 0 if none */
    const char *subject;     /* (nullable) e.g. "WSPRecv", "ESTABLISHED" */
    const char *text;        /* (nullable) details, already formatted */
} SimTraceRecord;

typedef void (*SimTraceSinkFn)(SimWorld *world, const SimTraceRecord *rec, void *data);

/* Sinks run in the order added. */
void sim_trace_add_sink(SimWorld *world, SimTraceSinkFn fn, void *data);
void sim_trace_remove_sink(SimWorld *world, SimTraceSinkFn fn, void *data);
/* TRUE when anything listens (a sink, or the fingerprint): callers may skip
 * formatting text when FALSE. */
bool sim_trace_enabled(const SimWorld *world);
void sim_trace_emit(SimWorld *world, const SimTraceRecord *rec);
/* Formatted text convenience for TCP_EVENT/ACTOR/CALL/FAULT/NOTE records
 * (does nothing when tracing is off). */
void sim_trace_textf(SimWorld *world, SimTraceKind kind, SimNodeId node, SimActorId actor,
                     const char *subject, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* The fingerprint: FNV-1a 64 over a canonical encoding of every record
 * emitted since it was enabled.  Enabling it makes sim_trace_enabled() TRUE. */
void sim_trace_enable_fingerprint(SimWorld *world);
guint64 sim_trace_fingerprint(const SimWorld *world);
guint64 sim_trace_record_count(const SimWorld *world);

/* One line per record, fixed-width simulated time first, e.g.
 *   "   0.005120000 client   > server   TCP 49152 > 7000 [S] seq=0 win=65535 mss=1460 len=0"
 * (doc/trace-format.md has every form).  The text writer appends lines to
 * @out (not owned) and must be freed before its world.
 * sim_trace_format_line() appends the same line, without the newline, to
 * @str. */
void sim_trace_format_line(const SimWorld *world, const SimTraceRecord *rec, GString *str);
typedef struct SimTraceText SimTraceText;
SimTraceText *sim_trace_text_new(SimWorld *world, FILE *out);
void sim_trace_text_free(SimTraceText *writer); /* removes the sink */
/* Seconds with 9 decimals, right-aligned in 14 columns. */
void sim_trace_format_time(SimTime t, char buf[32]);
/* A one-line summary of @pkt as the text trace prints it
 * ("UDP 5000 > 53 len=512"), appended to @str. */
void sim_trace_format_packet(const SimPacket *pkt, GString *str);

G_END_DECLS

#endif /* SIM_TRACE_H */
