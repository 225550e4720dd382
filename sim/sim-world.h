/* SPDX-License-Identifier: MIT
 *
 * sim-world.h: the world (the root of every simulated object), its clock and
 * its event queue.  Events run in (time, sequence) order: two events due at
 * the same instant run in the order they were scheduled, so a run depends
 * only on the seed and the inputs, never on addresses or the wall clock.
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include "sim-types.h"

G_BEGIN_DECLS

typedef struct SimWorld SimWorld;

typedef void (*SimEventFn)(SimWorld *world, void *data);

SimWorld *sim_world_new(guint64 seed);
void sim_world_free(SimWorld *world);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimWorld, sim_world_free)

guint64 sim_world_seed(const SimWorld *world);
SimTime sim_world_now(const SimWorld *world);

SimEventId sim_event_schedule(SimWorld *world, SimTime delay_ns, SimEventFn fn, void *data);
SimEventId sim_event_schedule_at(SimWorld *world, SimTime at_ns, SimEventFn fn, void *data);
bool sim_event_cancel(SimWorld *world, SimEventId id);
bool sim_event_is_pending(const SimWorld *world, SimEventId id);
SimTime sim_event_time(const SimWorld *world, SimEventId id);

typedef enum {
    SIM_RUN_IDLE,       /* nothing left to run */
    SIM_RUN_TIME_LIMIT, /* the next event lies after the limit */
    SIM_RUN_STOPPED,    /* sim_world_stop() was called */
} SimRunResult;

SimRunResult sim_world_run(SimWorld *world);
SimRunResult sim_world_run_until(SimWorld *world, SimTime until_ns);
bool sim_world_step(SimWorld *world);
void sim_world_stop(SimWorld *world);

/* Counters for statistics and the run-loop invariant
 * scheduled == run + cancelled + pending. */
guint64 sim_world_events_run(const SimWorld *world);
guint64 sim_world_events_scheduled(const SimWorld *world);
guint64 sim_world_events_cancelled(const SimWorld *world);
size_t sim_world_events_pending(const SimWorld *world);

/* The world whose run loop or actor is executing on this OS thread, or NULL.
 * spi/ uses it: WSP* entry points carry no world argument. */
SimWorld *sim_world_current(void);

/* Per-world data for upper layers (spi/, runner/), keyed by a static string.
 * Destroy functions run at sim_world_free(), newest first. */
void sim_world_set_data(SimWorld *world, const char *key, void *data, GDestroyNotify destroy);
void *sim_world_get_data(const SimWorld *world, const char *key);

G_END_DECLS

#endif /* SIM_WORLD_H */
