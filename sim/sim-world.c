/* SPDX-License-Identifier: MIT
 *
 * sim-world.c: the world's life cycle, its per-module state slots and the
 * data that upper layers attach to it.  The event queue is in sim-event.c.
 */
#include "config.h"

#include "sim/sim-private.h"

static GPrivate current_world;

/**
 * sim_world_new:
 * @seed: the master seed every random stream derives from
 *
 * Returns: (transfer full): an empty world at time 0.
 */
SimWorld *
sim_world_new(guint64 seed)
{
    SimWorld *w = g_new0(SimWorld, 1);

    w->seed = seed;
    w->free_slot = G_MAXUINT32;
    w->data = g_array_new(FALSE, FALSE, sizeof(SimWorldData));
    return w;
}

/**
 * sim_world_free:
 * @world: (nullable): the world
 *
 * Tears the world down: actors unwind first, then pending events are
 * dropped (their drop functions release what they own), then module state
 * and attached data, newest first.
 */
void
sim_world_free(SimWorld *world)
{
    SimWorld *prev;

    if (world == NULL)
        return;
    prev = sim_world_current();
    sim__world_set_current(world);
    world->in_teardown = true;
    /* Actors may still close sockets while unwinding: run that first, while
     * transports exist. */
    if (world->mod[SIM_MOD_ACTOR] != NULL) {
        world->mod_free[SIM_MOD_ACTOR](world, world->mod[SIM_MOD_ACTOR]);
        world->mod[SIM_MOD_ACTOR] = NULL;
    }
    sim__event_queue_clear(world);
    for (guint i = world->data->len; i > 0; i--) {
        SimWorldData *d = &g_array_index(world->data, SimWorldData, i - 1);
        if (d->destroy != NULL)
            d->destroy(d->data);
        g_free(d->key);
    }
    g_array_set_size(world->data, 0);
    sim__event_queue_clear(world);
    for (int m = SIM_MOD_N - 1; m >= 0; m--) {
        if (world->mod[m] != NULL) {
            world->mod_free[m](world, world->mod[m]);
            world->mod[m] = NULL;
        }
        sim__event_queue_clear(world);
    }
    sim__event_queue_free(world);
    g_array_free(world->data, TRUE);
    sim__world_set_current(prev == world ? NULL : prev);
    g_free(world);
}

guint64
sim_world_seed(const SimWorld *world)
{
    g_return_val_if_fail(world != NULL, 0);
    return world->seed;
}

SimTime
sim_world_now(const SimWorld *world)
{
    g_return_val_if_fail(world != NULL, 0);
    return world->now;
}

void
sim__world_set_module(SimWorld *world, SimModule m, void *state, SimModuleFreeFn free_fn)
{
    g_assert(m < SIM_MOD_N);
    g_assert(world->mod[m] == NULL);
    world->mod[m] = state;
    world->mod_free[m] = free_fn;
}

SimWorld *
sim_world_current(void)
{
    return g_private_get(&current_world);
}

void
sim__world_set_current(SimWorld *world)
{
    g_private_set(&current_world, world);
}

/**
 * sim_world_set_data:
 * @world: the world
 * @key: a name (copied)
 * @data: (transfer full) (nullable): the value; replaces (and destroys) any
 *   previous value under @key
 * @destroy: (nullable): frees @data at replacement or world teardown
 */
void
sim_world_set_data(SimWorld *world, const char *key, void *data, GDestroyNotify destroy)
{
    g_return_if_fail(world != NULL && key != NULL);
    for (guint i = 0; i < world->data->len; i++) {
        SimWorldData *d = &g_array_index(world->data, SimWorldData, i);
        if (g_str_equal(d->key, key)) {
            void *old = d->data;
            GDestroyNotify old_destroy = d->destroy;
            d->data = data;
            d->destroy = destroy;
            if (old_destroy != NULL && old != data)
                old_destroy(old);
            return;
        }
    }
    SimWorldData nd = { g_strdup(key), data, destroy };
    g_array_append_val(world->data, nd);
}

void *
sim_world_get_data(const SimWorld *world, const char *key)
{
    g_return_val_if_fail(world != NULL && key != NULL, NULL);
    for (guint i = 0; i < world->data->len; i++) {
        SimWorldData *d = &g_array_index(world->data, SimWorldData, i);
        if (g_str_equal(d->key, key))
            return d->data;
    }
    return NULL;
}

/**
 * sim_socket_id_next:
 * Returns: the next transport endpoint id of @world (1, 2, 3, ...).
 */
SimSocketId
sim_socket_id_next(SimWorld *world)
{
    g_return_val_if_fail(world != NULL, 0);
    return ++world->next_socket_id;
}
