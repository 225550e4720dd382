/* SPDX-License-Identifier: MIT
 *
 * sim-qos.h: per-flow quality of service in the simulated network (the
 * Integrated Services model of RFC 1633 / RFC 2210 / RFC 2211 / RFC 2212,
 * which Winsock's FLOWSPEC describes).  A flow is a filter (node, protocol,
 * local and remote address and port) with a traffic spec: its packets are
 * classified when their node sends them (sim_net_send), paced if the spec
 * gives a shaping rate (Winsock's QOS_SHAPING_RATE), policed by a token
 * bucket that shapes, discards or demotes what does not conform, and, for
 * guaranteed and controlled-load flows, carried in the links' priority levels
 * over a route on which admission control reserved their rate.  spi/ maps
 * FLOWSPEC and the WSA_QOS_* codes onto this; doc/qos.md has the model.
 *
 * Rates are bytes per second as in FLOWSPEC, times nanoseconds, sizes bytes:
 * integers only.
 */
#ifndef SIM_QOS_H
#define SIM_QOS_H

#include "sim-net.h"

G_BEGIN_DECLS

typedef guint32 SimQosFlowId;

/* Service classes.  The values are those SimPacket.service_class carries:
 * links give SIM_QOS_GUARANTEED strict priority over SIM_QOS_CONTROLLED_LOAD,
 * and that over the rest (sim-link.c). */
typedef enum {
    SIM_QOS_NO_TRAFFIC = 0,      /* nothing reserved; packets go best effort */
    SIM_QOS_BEST_EFFORT = 1,     /* shaped if a rate is given, nothing reserved */
    SIM_QOS_CONTROLLED_LOAD = 2, /* RFC 2211: reserved rate, second priority */
    SIM_QOS_GUARANTEED = 3,      /* RFC 2212: reserved rate, first priority */
} SimQosService;

/* What the policer does with a packet that does not conform to the bucket. */
typedef enum {
    SIM_QOS_MODE_BORROW = 0,  /* send it now, demoted to best effort */
    SIM_QOS_MODE_SHAPE = 1,   /* hold it until it conforms (default) */
    SIM_QOS_MODE_DISCARD = 2, /* drop it (SIM_DROP_SHAPER) */
} SimQosMode;

/* The traffic spec (RFC 2210's TSpec, Winsock's FLOWSPEC).  shaping_rate
 * is QOS_SHAPING_RATE: with it, the flow's packets leave one at a time, a
 * packet of s IP bytes ceil(s x 10^9 / shaping_rate) ns after the previous
 * one left (a pacer one packet deep, in every mode and service but
 * SIM_QOS_NO_TRAFFIC), and the token bucket polices each at the moment the
 * pacer lets it go. */
typedef struct {
    SimQosService service;
    guint64 token_rate;   /* bytes/s; 0 = unlimited (no policing, nothing to reserve) */
    guint64 bucket_bytes; /* token bucket depth; 0 = one packet */
    guint64 peak_rate;    /* bytes/s; 0 = unlimited */
    guint32 max_sdu;      /* largest conforming packet (IP bytes); 0 = no limit */
    guint32 min_policed;  /* smaller packets count as this many bytes */
    SimQosMode mode;
    guint64 shaping_rate; /* bytes/s; 0 = none: a uniform pacer ahead of the policer */
} SimQosSpec;

/* Where a flow stands.  Anything but ADMITTED carries its packets in the
 * best-effort class. */
typedef enum {
    SIM_QOS_STATE_IDLE = 0,      /* no destination yet, or nothing to reserve */
    SIM_QOS_STATE_ADMITTED = 1,  /* rate reserved on every link of the route */
    SIM_QOS_STATE_REFUSED = 2,   /* admission failure: a link had no room */
    SIM_QOS_STATE_NO_ROUTE = 3,  /* destination unreachable (or a link on the way is down) */
} SimQosState;

const char *sim_qos_state_name(SimQosState state);

/* Called (from an event, never inside a sim_qos_* call) when a flow's state
 * changes: admission lost or regained after a route or link-rate change. */
typedef void (*SimQosNotifyFn)(SimWorld *world, SimQosFlowId flow, SimQosState state, void *data);

void sim_qos_spec_init(SimQosSpec *spec); /* best effort, unlimited, shape, no pacer */

/* A new flow at @node for transport @proto (SIM_PROTO_TCP/UDP), not yet
 * matching anything (no filter): SIM_QOS_STATE_IDLE. */
SimQosFlowId sim_qos_flow_new(SimWorld *world, SimNodeId node, guint8 proto,
                              const SimQosSpec *spec);
/* Release the reservation and forget the flow; what its pacer and shaper
 * hold still leaves (shaped, best effort), then the record goes. */
void sim_qos_flow_free(SimWorld *world, SimQosFlowId flow);
bool sim_qos_flow_exists(const SimWorld *world, SimQosFlowId flow);

/* Match packets from @local to @remote (remote NULL or its port 0: any
 * destination; nothing is reserved then), and run admission control.
 * Returns the new state. */
SimQosState sim_qos_flow_set_filter(SimWorld *world, SimQosFlowId flow, const SimSockAddr *local,
                                    const SimSockAddr *remote);
/* Change the spec (renegotiation): the old reservation is released first;
 * the new one is admitted or refused.  Returns the new state. */
SimQosState sim_qos_flow_set_spec(SimWorld *world, SimQosFlowId flow, const SimQosSpec *spec);
SimQosState sim_qos_flow_state(const SimWorld *world, SimQosFlowId flow);
void sim_qos_flow_set_notify(SimWorld *world, SimQosFlowId flow, SimQosNotifyFn fn, void *data);

typedef struct {
    guint64 conforming;  /* packets sent in their class at once */
    guint64 shaped;      /* packets held by the pacer or shaper, then sent in their class */
    guint64 demoted;     /* non-conforming, sent best effort (borrow), paced or not */
    guint64 discarded;   /* non-conforming, dropped (discard, oversize, hold full) */
    guint64 bytes;       /* IP bytes of what was sent */
    guint32 held;        /* packets the pacer and shaper hold now */
} SimQosFlowStats;

SimStatus sim_qos_flow_get_stats(const SimWorld *world, SimQosFlowId flow,
                                 SimQosFlowStats *out_stats);

/* Admission limit: the share of a link direction's rate reservations may
 * take, in ppm (default 1,000,000: all of it).  Applies to later admissions
 * and re-checks. */
void sim_qos_set_reservable_ppm(SimWorld *world, guint32 ppm);
/* Bits per second reserved on a link direction now. */
guint64 sim_qos_link_reserved_bps(const SimWorld *world, SimLinkId link, SimLinkDir dir);

/* Bytes one flow may hold (pacer and shaper together) before it drops
 * (64 KiB, or the bucket depth if larger). */
#define SIM_QOS_SHAPER_LIMIT_BYTES (64u * 1024u)

G_END_DECLS

#endif /* SIM_QOS_H */
