/* SPDX-License-Identifier: MIT
 *
 * sim-fault.h: network faults scheduled in simulated time — a link down (and
 * up again), flapping, a link parameter change for a period (loss bursts,
 * latency spikes, rate drops), partitions of a set of nodes from the rest
 * (symmetric or one-way) and their healing, and host crashes with optional
 * restart.  Each start and end of a fault is a SIM_TR_FAULT trace record.
 * doc/faults.md describes every fault, the in-flight packet rule and the
 * crash/restart semantics.
 *
 * Faults compose: several faults may hold the same link direction down or
 * change the same parameter at once; when one ends, the link gets the value
 * the remaining faults (or, with none left, the link's own value) give it.
 */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include "sim-net.h"

G_BEGIN_DECLS

/* Faults are numbered 1, 2, ... per world in the order they are scheduled. */
typedef guint32 SimFaultId;
#define SIM_FAULT_ID_NONE 0u

typedef enum {
    SIM_FAULT_LINK_DOWN,   /* one or both directions of a link down */
    SIM_FAULT_LINK_PARAMS, /* some parameters of a link changed */
    SIM_FAULT_FLAP,        /* a link going down and up periodically */
    SIM_FAULT_PARTITION,   /* a set of nodes cut from the rest */
    SIM_FAULT_CRASH,       /* a node crashed (and maybe restarts) */
    SIM_FAULT_N_KINDS
} SimFaultKind;

typedef enum {
    SIM_FAULT_PENDING,   /* scheduled, not started */
    SIM_FAULT_ACTIVE,    /* in effect (a flap between phases is active too) */
    SIM_FAULT_DONE,      /* ended on its own */
    SIM_FAULT_CANCELLED, /* ended or removed by sim_fault_cancel() */
} SimFaultState;

/* Which way a partition cuts. */
typedef enum {
    SIM_PARTITION_SYMMETRIC, /* nothing crosses the cut either way */
    SIM_PARTITION_FROM_SET,  /* the set's packets to the rest are lost; the rest's arrive */
    SIM_PARTITION_TO_SET,    /* the rest's packets to the set are lost; the set's arrive */
} SimPartitionDir;

/* The parameters a SIM_FAULT_LINK_PARAMS fault changes (a mask).  The up
 * flag is not among them: use sim_fault_schedule_link_down(). */
enum {
    SIM_FAULT_F_LATENCY = 1u << 0, /* latency_ns */
    SIM_FAULT_F_JITTER = 1u << 1,  /* jitter_ns */
    SIM_FAULT_F_LOSS = 1u << 2,    /* loss_ppm */
    SIM_FAULT_F_GE = 1u << 3,      /* ge_enabled and the four ge_* values */
    SIM_FAULT_F_DUP = 1u << 4,     /* dup_ppm */
    SIM_FAULT_F_REORDER = 1u << 5, /* reorder_ppm and reorder_delay_ns */
    SIM_FAULT_F_CORRUPT = 1u << 6, /* corrupt_ppm */
    SIM_FAULT_F_RATE = 1u << 7,    /* rate_bps */
    SIM_FAULT_F_QUEUE = 1u << 8,   /* queue_packets and queue_bytes */
    SIM_FAULT_F_MTU = 1u << 9,     /* mtu */
    SIM_FAULT_F_ALL = (1u << 10) - 1,
};

/* Every schedule function below takes an absolute start time @at_ns (>= now;
 * a fault due at an instant starts after the events already due then) and
 * writes the new fault's id to @out_id (nullable).  A duration of 0 means
 * "until cancelled".  User mistakes (unknown link or node, bad direction,
 * out-of-range values) return an error status and schedule nothing:
 * E_NOTFOUND for an unknown link or node, E_INVAL otherwise. */

SimStatus sim_fault_schedule_link_down(SimWorld *world, SimTime at_ns, SimLinkId link,
                                       SimLinkDir dir, SimTime duration_ns, SimFaultId *out_id);

/* Set the @fields of @params on @link for @duration_ns, then restore them. */
SimStatus sim_fault_schedule_link_params(SimWorld *world, SimTime at_ns, SimLinkId link,
                                         SimLinkDir dir, const SimLinkParams *params,
                                         guint32 fields, SimTime duration_ns, SimFaultId *out_id);
/* Shorthands for the common one-field cases. */
SimStatus sim_fault_schedule_loss(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                                  guint32 loss_ppm, SimTime duration_ns, SimFaultId *out_id);
SimStatus sim_fault_schedule_latency(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                                     SimTime latency_ns, SimTime duration_ns, SimFaultId *out_id);
SimStatus sim_fault_schedule_rate(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                                  guint64 rate_bps, SimTime duration_ns, SimFaultId *out_id);

/* Down for @down_ns at @at_ns, @at_ns + @period_ns, ...: @count times
 * (0 = no limit), and only phases starting before @until_ns (0 = no limit);
 * at least one limit is required, and 0 < @down_ns < @period_ns. */
SimStatus sim_fault_schedule_flap(SimWorld *world, SimTime at_ns, SimLinkId link, SimLinkDir dir,
                                  SimTime down_ns, SimTime period_ns, guint32 count,
                                  SimTime until_ns, SimFaultId *out_id);

/* Cut the @n_nodes nodes of @nodes (any order, duplicates allowed) from
 * every other node: every link with one end in the set and one outside goes
 * down in the direction(s) @dir names, for @duration_ns.  The cut is
 * computed when the partition starts. */
SimStatus sim_fault_schedule_partition(SimWorld *world, SimTime at_ns, const SimNodeId *nodes,
                                       size_t n_nodes, SimPartitionDir dir, SimTime duration_ns,
                                       SimFaultId *out_id);

/* Crash @node: it goes down (its sockets vanish without a packet), then
 * every live process on it is killed.  After @restart_after_ns (0 = never)
 * it comes back up with nothing on it, and the restart hooks run. */
SimStatus sim_fault_schedule_crash(SimWorld *world, SimTime at_ns, SimNodeId node,
                                   SimTime restart_after_ns, SimFaultId *out_id);

/* A pending fault is removed; an active one ends now, as if its time were
 * up (a crashed node restarts).  E_NOTFOUND for an unknown id, E_ALREADY for
 * a fault already done or cancelled. */
SimStatus sim_fault_cancel(SimWorld *world, SimFaultId id);

/* Called after a crashed node came back up (the runner or the embedder
 * starts fresh processes there).  Hooks run in registration order. */
typedef void (*SimFaultRestartFn)(SimWorld *world, SimNodeId node, void *data);
void sim_fault_add_restart_hook(SimWorld *world, SimFaultRestartFn fn, void *data);
void sim_fault_remove_restart_hook(SimWorld *world, SimFaultRestartFn fn, void *data);

/* ---- Queries ---------------------------------------------------------- */

typedef struct {
    SimFaultId id;
    SimFaultKind kind;
    SimFaultState state;
    SimTime start_ns;     /* when it starts (or started) */
    SimTime end_ns;       /* when it ends (ended); SIM_TIME_INFINITE for never */
    SimLinkId link;       /* link faults; 0 otherwise */
    SimLinkDir dir;       /* link faults */
    SimNodeId node;       /* crash; 0 otherwise */
    SimPartitionDir pdir; /* partition */
    guint32 n_nodes;      /* partition: the set's size */
    guint32 phases_done;  /* flap: down phases started so far */
    guint32 links_cut;    /* partition: link directions held down (0 before it starts) */
} SimFaultInfo;

const char *sim_fault_kind_name(SimFaultKind kind);
const char *sim_fault_state_name(SimFaultState state);
SimStatus sim_fault_get_info(const SimWorld *world, SimFaultId id, SimFaultInfo *out_info);
/* Every fault ever scheduled, in id order. */
GArray *sim_fault_list(const SimWorld *world); /* (transfer full) of SimFaultInfo */
size_t sim_fault_count(const SimWorld *world);
size_t sim_fault_active_count(const SimWorld *world);
/* TRUE while at least one crash fault holds @node down. */
bool sim_fault_node_crashed(const SimWorld *world, SimNodeId node);

G_END_DECLS

#endif /* SIM_FAULT_H */
