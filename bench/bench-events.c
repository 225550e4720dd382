/* SPDX-License-Identifier: MIT
 *
 * bench-events: the event core's own cost.  The "hold" model of the anchors'
 * limit/heap.c: N events pending; each event, when it runs, schedules one
 * more at now + a random delay, until 10,000,000 have run.  Prints
 *   BENCH events-1k <n> events/s
 *   BENCH events-100k <n> events/s
 * Wall-clock time is read here, in bench/, never in sim/.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/sim.h"

typedef struct {
    SimRng rng;
    guint64 remaining;
} HoldState;

static HoldState hold;

static void
hold_event(SimWorld *world, void *data)
{
    if (hold.remaining == 0)
        return;
    hold.remaining--;
    sim_event_schedule(world, 1 + sim_rng_below(&hold.rng, 1000000), hold_event, data);
}

static double
run_hold(guint64 total, guint pending)
{
    SimWorld *world = sim_world_new(1);
    gint64 t0, t1;

    sim_rng_init(&hold.rng, 1, "bench/hold");
    hold.remaining = total > pending ? total - pending : 0;
    for (guint i = 0; i < pending; i++)
        sim_event_schedule(world, sim_rng_below(&hold.rng, 1000000), hold_event, NULL);
    t0 = g_get_monotonic_time();
    sim_world_run(world);
    t1 = g_get_monotonic_time();
    if (sim_world_events_run(world) != MAX(total, pending)) {
        fprintf(stderr, "bench-events: ran %" G_GUINT64_FORMAT " events, expected %" G_GUINT64_FORMAT "\n",
                sim_world_events_run(world), total);
        exit(1);
    }
    sim_world_free(world);
    return (double) total / ((double) (t1 - t0) / 1e6);
}

int
main(int argc, char **argv)
{
    guint64 total = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 10) : 10000000;

    printf("BENCH events-1k %.0f events/s\n", run_hold(total, 1000));
    printf("BENCH events-100k %.0f events/s\n", run_hold(total, 100000));
    return 0;
}
