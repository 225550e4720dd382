/* SPDX-License-Identifier: MIT
 *
 * sim-private.h: cross-module internals of sim/ (the sim__* functions and
 * the world body).  Never included from spi/, runner/ or ws2/: they see only
 * sim.h.  Tests may include it.
 */
#ifndef SIM_PRIVATE_H
#define SIM_PRIVATE_H

#include "sim/sim.h"

G_BEGIN_DECLS

/*
 * Module state hangs off the world in fixed slots, created on first use by
 * the module that owns it.  sim_world_free() tears the slots down in reverse
 * order: actors unwind first (their code may still close sockets), then the
 * transports, then the network and the trace.
 */
typedef enum {
    SIM_MOD_TRACE,
    SIM_MOD_NET,
    SIM_MOD_TCP,
    SIM_MOD_UDP,
    SIM_MOD_QOS,
    SIM_MOD_FAULT,
    SIM_MOD_ACTOR,
    SIM_MOD_N
} SimModule;

typedef void (*SimModuleFreeFn)(SimWorld *world, void *state);

/* One entry of the event heap: the key and the slot that holds the rest. */
typedef struct {
    SimTime time;
    guint64 seq;
    guint32 slot;
} SimHeapEntry;

typedef struct {
    SimEventFn fn;
    void *data;
    GDestroyNotify drop; /* called on data if the event never runs */
    guint64 seq;         /* 0 when the slot is free */
    guint32 heap_index;
    guint32 next_free;
} SimEventSlot;

typedef struct {
    char *key;
    void *data;
    GDestroyNotify destroy;
} SimWorldData;

struct SimWorld {
    guint64 seed;
    SimTime now;
    bool stop_requested;
    bool in_teardown;

    /* event queue (sim-event.c) */
    SimHeapEntry *heap;
    guint32 heap_len, heap_cap;
    SimEventSlot *slots;
    guint32 slots_cap;
    guint32 free_slot; /* head of the free list, G_MAXUINT32 when empty */
    guint64 next_seq;
    guint64 events_scheduled, events_run, events_cancelled;

    /* tracing fast path (sim-trace.c) */
    bool trace_on;

    /* endpoint ids (sim_socket_id_next) */
    guint32 next_socket_id;

    /* packet accounting (sim-packet.c) */
    guint64 next_packet_uid;
    guint64 packets_alive;

    void *mod[SIM_MOD_N];
    SimModuleFreeFn mod_free[SIM_MOD_N];

    GArray *data; /* of SimWorldData, in insertion order */
};

static inline void *
sim__world_module(const SimWorld *world, SimModule m)
{
    return world->mod[m];
}
void sim__world_set_module(SimWorld *world, SimModule m, void *state, SimModuleFreeFn free_fn);

/* An event whose data owns something: @drop frees it if the event is
 * cancelled or still pending when the world is freed. */
SimEventId sim__event_schedule_full(SimWorld *world, SimTime at_ns, SimEventFn fn, void *data,
                                    GDestroyNotify drop);
/* Move the pending event @id @delta_ns later, keeping its place among
 * events due at the same time (its seq).  FALSE for a stale id. */
bool sim__event_delay(SimWorld *world, SimEventId id, SimTime delta_ns);
void sim__event_queue_clear(SimWorld *world);
void sim__event_queue_free(SimWorld *world);
/* Set the thread's current world (run loop and actor switches). */
void sim__world_set_current(SimWorld *world);

/* Packets (sim-packet.c) */
void sim__packet_account_new(SimWorld *world);

G_END_DECLS

#endif /* SIM_PRIVATE_H */
