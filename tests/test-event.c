/* SPDX-License-Identifier: MIT
 * test-event: the event queue — ordering, ties, cancellation, delays, run
 * limits. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/sim-private.h"

typedef struct {
    GArray *order; /* of int: tags in the order they ran */
    SimWorld *world;
} Log;

typedef struct {
    Log *log;
    int tag;
} Tagged;

static void
record(SimWorld *world, void *data)
{
    Tagged *t = data;
    (void) world;
    g_array_append_val(t->log->order, t->tag);
}

static void
assert_order(const Log *log, const int *want, size_t n)
{
    assert_int_equal(log->order->len, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(g_array_index(log->order, int, i), want[i]);
}

/* Every event scheduled ran or was cancelled (ns-3's end-of-run check). */
static void
assert_events_balanced(const SimWorld *w)
{
    assert_int_equal(sim_world_events_scheduled(w),
                     sim_world_events_run(w) + sim_world_events_cancelled(w));
}

static void
test_event_orders_by_time_then_seq(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(1);
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    Tagged t[6];
    SimTime when[6] = { 30, 10, 20, 10, 0, 30 };
    int want[6] = { 4, 1, 3, 2, 0, 5 };

    for (int i = 0; i < 6; i++) {
        t[i] = (Tagged) { &log, i };
        sim_event_schedule(w, when[i], record, &t[i]);
    }
    assert_int_equal(sim_world_run(w), SIM_RUN_IDLE);
    assert_order(&log, want, 6);
    assert_int_equal(sim_world_now(w), 30);
    g_array_free(log.order, TRUE);
}

typedef struct {
    Log *log;
    Tagged later;
} Nested;

static void
schedule_now_from_event(SimWorld *world, void *data)
{
    Nested *n = data;
    int tag = 100;
    g_array_append_val(n->log->order, tag);
    /* Scheduled "now": must run after what was already due now. */
    sim_event_schedule(world, 0, record, &n->later);
}

static void
test_event_now_runs_after_already_due(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(1);
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    Nested n = { &log, { &log, 102 } };
    Tagged other = { &log, 101 };
    int want[3] = { 100, 101, 102 };

    sim_event_schedule(w, 5, schedule_now_from_event, &n);
    sim_event_schedule(w, 5, record, &other);
    sim_world_run(w);
    assert_order(&log, want, 3);
    g_array_free(log.order, TRUE);
}

static void
test_event_cancel(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(1);
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    Tagged t[50];
    SimEventId ids[50];
    int want[25];

    for (int i = 0; i < 50; i++) {
        t[i] = (Tagged) { &log, i };
        ids[i] = sim_event_schedule(w, (SimTime) ((i * 7919) % 50), record, &t[i]);
        assert_true(ids[i] != SIM_EVENT_ID_NONE);
    }
    for (int i = 0; i < 50; i += 2)
        assert_true(sim_event_cancel(w, ids[i]));
    /* Cancelling twice is a harmless no-op. */
    assert_false(sim_event_cancel(w, ids[0]));
    assert_false(sim_event_is_pending(w, ids[0]));
    assert_true(sim_event_is_pending(w, ids[1]));
    assert_int_equal(sim_world_events_pending(w), 25);
    sim_world_run(w);
    /* The odd tags, by time (i*7919 % 50 is distinct for i < 50). */
    int k = 0;
    for (SimTime tm = 0; tm < 50; tm++) {
        for (int i = 1; i < 50; i += 2) {
            if ((SimTime) ((i * 7919) % 50) == tm)
                want[k++] = i;
        }
    }
    assert_int_equal(k, 25);
    assert_order(&log, want, 25);
    assert_events_balanced(w);
    g_array_free(log.order, TRUE);
}

static void
test_event_stale_id_after_slot_reuse(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(1);
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    Tagged a = { &log, 1 }, b = { &log, 2 };
    SimEventId first = sim_event_schedule(w, 1, record, &a);

    sim_world_run(w);
    /* The slot is free now and gets reused; the old id must not cancel b. */
    SimEventId second = sim_event_schedule(w, 1, record, &b);
    assert_true(first != second);
    assert_false(sim_event_cancel(w, first));
    assert_true(sim_event_is_pending(w, second));
    assert_int_equal(sim_event_time(w, second), 2);
    assert_int_equal(sim_event_time(w, first), SIM_TIME_INFINITE);
    g_array_free(log.order, TRUE);
}

static void
test_event_run_until_and_step(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(1);
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    Tagged t[3] = { { &log, 0 }, { &log, 1 }, { &log, 2 } };

    sim_event_schedule(w, 10, record, &t[0]);
    sim_event_schedule(w, 20, record, &t[1]);
    sim_event_schedule(w, 30, record, &t[2]);
    assert_int_equal(sim_world_run_until(w, 20), SIM_RUN_TIME_LIMIT);
    assert_int_equal(log.order->len, 2); /* an event exactly at the limit runs */
    assert_int_equal(sim_world_now(w), 20);
    assert_int_equal(sim_world_run_until(w, 25), SIM_RUN_TIME_LIMIT);
    assert_int_equal(sim_world_now(w), 25); /* the clock moves to the limit */
    assert_true(sim_world_step(w));
    assert_int_equal(sim_world_now(w), 30);
    assert_false(sim_world_step(w));
    assert_int_equal(sim_world_run_until(w, 100), SIM_RUN_IDLE);
    assert_int_equal(sim_world_now(w), 30); /* idle: the clock stays */
    g_array_free(log.order, TRUE);
}

static void
stopper(SimWorld *world, void *data)
{
    (void) data;
    sim_world_stop(world);
}

static void
test_event_stop(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(1);
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    Tagged t = { &log, 7 };

    sim_event_schedule(w, 1, stopper, NULL);
    sim_event_schedule(w, 2, record, &t);
    assert_int_equal(sim_world_run(w), SIM_RUN_STOPPED);
    assert_int_equal(log.order->len, 0);
    assert_int_equal(sim_world_run(w), SIM_RUN_IDLE);
    assert_int_equal(log.order->len, 1);
    g_array_free(log.order, TRUE);
}

static int drops;

static void
count_drop(void *data)
{
    (void) data;
    drops++;
}

static void
never(SimWorld *world, void *data)
{
    (void) world;
    (void) data;
    fail_msg("a dropped event ran");
}

static void
test_event_drop_functions(void **state)
{
    (void) state;
    SimWorld *w = sim_world_new(1);

    drops = 0;
    SimEventId a = sim__event_schedule_full(w, 5, never, NULL, count_drop);
    sim__event_schedule_full(w, 6, never, NULL, count_drop);
    assert_true(sim_event_cancel(w, a));
    assert_int_equal(drops, 1);
    sim_world_free(w); /* the pending one is dropped at teardown */
    assert_int_equal(drops, 2);
}

/* Many random inserts and cancels against a reference order. */
static void
test_event_random_heap_property(void **state)
{
    (void) state;
    for (guint64 seed = 1; seed <= 5; seed++) {
        g_autoptr(SimWorld) w = sim_world_new(seed);
        SimRng rng;
        enum { N = 5000 };
        static Tagged t[N];
        static SimEventId ids[N];
        static bool cancelled[N];
        static SimTime when[N];
        Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };

        sim_rng_init(&rng, seed, "test");
        for (int i = 0; i < N; i++) {
            t[i] = (Tagged) { &log, i };
            when[i] = sim_rng_below(&rng, 1000);
            ids[i] = sim_event_schedule(w, when[i], record, &t[i]);
            cancelled[i] = false;
        }
        for (int i = 0; i < N / 3; i++) {
            int k = (int) sim_rng_below(&rng, N);
            if (!cancelled[k]) {
                assert_true(sim_event_cancel(w, ids[k]));
                cancelled[k] = true;
            }
        }
        sim_world_run(w);
        /* Non-decreasing times; equal times in scheduling (tag) order. */
        SimTime prev_time = 0;
        int prev_tag = -1;
        for (guint i = 0; i < log.order->len; i++) {
            int tag = g_array_index(log.order, int, i);
            assert_int_equal(sim_event_time(w, ids[tag]), SIM_TIME_INFINITE);
            assert_false(cancelled[tag]);
            assert_true(when[tag] >= prev_time);
            if (when[tag] == prev_time)
                assert_true(tag > prev_tag);
            prev_time = when[tag];
            prev_tag = tag;
        }
        guint expect = 0;
        for (int i = 0; i < N; i++)
            expect += !cancelled[i];
        assert_int_equal(log.order->len, expect);
        g_array_free(log.order, TRUE);
    }
}

typedef struct {
    SimWorld *w;
    GArray *times;
} TimeLog;

static void
record_time(SimWorld *world, void *data)
{
    TimeLog *tl = data;
    SimTime now = sim_world_now(world);
    g_array_append_val(tl->times, now);
}

static void
test_event_times_monotonic(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(3);
    TimeLog tl = { w, g_array_new(FALSE, FALSE, sizeof(SimTime)) };
    SimRng rng;

    sim_rng_init(&rng, 3, "times");
    for (int i = 0; i < 20000; i++)
        sim_event_schedule(w, sim_rng_below(&rng, 1u << 20), record_time, &tl);
    sim_world_run(w);
    assert_int_equal(tl.times->len, 20000);
    for (guint i = 1; i < tl.times->len; i++)
        assert_true(g_array_index(tl.times, SimTime, i - 1) <= g_array_index(tl.times, SimTime, i));
    g_array_free(tl.times, TRUE);
}

static void
test_event_world_data(void **state)
{
    (void) state;
    SimWorld *w = sim_world_new(1);
    drops = 0;
    sim_world_set_data(w, "a", GINT_TO_POINTER(1), count_drop);
    sim_world_set_data(w, "b", GINT_TO_POINTER(2), NULL);
    assert_ptr_equal(sim_world_get_data(w, "a"), GINT_TO_POINTER(1));
    sim_world_set_data(w, "a", GINT_TO_POINTER(3), count_drop); /* replaces: old destroyed */
    assert_int_equal(drops, 1);
    assert_ptr_equal(sim_world_get_data(w, "a"), GINT_TO_POINTER(3));
    assert_null(sim_world_get_data(w, "zzz"));
    assert_int_equal(sim_socket_id_next(w), 1);
    assert_int_equal(sim_socket_id_next(w), 2);
    sim_world_free(w);
    assert_int_equal(drops, 2);
}

/* ---- sim__event_delay ---------------------------------------------- */

/* A delayed event runs at its new time, after the events it now follows. */
static void
test_event_delay_reorders(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(1);
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    Tagged t[3] = { { &log, 0 }, { &log, 1 }, { &log, 2 } };
    SimEventId ids[3];
    int want[3] = { 1, 0, 2 };

    for (int i = 0; i < 3; i++)
        ids[i] = sim_event_schedule(w, 10 * (SimTime) (i + 1), record, &t[i]);
    assert_true(sim__event_delay(w, ids[0], 15)); /* 10 -> 25 */
    assert_int_equal(sim_event_time(w, ids[0]), 25);
    assert_true(sim__event_delay(w, ids[2], 0)); /* a no-op that succeeds */
    assert_int_equal(sim_event_time(w, ids[2]), 30);
    sim_world_run(w);
    assert_order(&log, want, 3);
    assert_events_balanced(w);
    g_array_free(log.order, TRUE);
}

/* Delaying an id that ran, was cancelled, whose slot was reused, or
 * SIM_EVENT_ID_NONE is a harmless FALSE: nothing else moves. */
static void
test_event_delay_stale_id(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(1);
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    Tagged a = { &log, 1 }, b = { &log, 2 }, c = { &log, 3 };
    SimEventId ran = sim_event_schedule(w, 1, record, &a);
    SimEventId cancelled, reused;

    sim_world_run(w);
    reused = sim_event_schedule(w, 5, record, &b); /* takes ran's slot */
    cancelled = sim_event_schedule(w, 7, record, &c);
    assert_true(sim_event_cancel(w, cancelled));
    assert_false(sim__event_delay(w, ran, 100));
    assert_false(sim__event_delay(w, cancelled, 100));
    assert_false(sim__event_delay(w, SIM_EVENT_ID_NONE, 100));
    assert_int_equal(sim_event_time(w, reused), 6);
    assert_int_equal(sim_world_events_pending(w), 1);
    sim_world_run(w);
    assert_int_equal(sim_world_now(w), 6);
    assert_int_equal(log.order->len, 2);
    g_array_free(log.order, TRUE);
}

/* Delayed onto the time of other events, an event keeps its seq: it runs
 * after those scheduled before it and before those scheduled after it,
 * whichever way it came. */
static void
test_event_delay_tie_keeps_seq(void **state)
{
    (void) state;
    g_autoptr(SimWorld) w = sim_world_new(1);
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    Tagged t[4] = { { &log, 0 }, { &log, 1 }, { &log, 2 }, { &log, 3 } };
    SimEventId ids[4];
    int want[4] = { 0, 1, 2, 3 };

    ids[0] = sim_event_schedule(w, 20, record, &t[0]);
    ids[1] = sim_event_schedule(w, 5, record, &t[1]); /* 5 -> 20: after 0 */
    ids[2] = sim_event_schedule(w, 20, record, &t[2]);
    ids[3] = sim_event_schedule(w, 12, record, &t[3]); /* 12 -> 20: after 2 */
    assert_true(sim__event_delay(w, ids[3], 8));
    assert_true(sim__event_delay(w, ids[1], 15));
    for (int i = 0; i < 4; i++)
        assert_int_equal(sim_event_time(w, ids[i]), 20);
    sim_world_run(w);
    assert_order(&log, want, 4);
    g_array_free(log.order, TRUE);
}

/* The heap property, checked on the array itself (4-ary). */
static void
assert_heap_valid(const SimWorld *w)
{
    for (guint32 i = 1; i < w->heap_len; i++) {
        const SimHeapEntry *e = &w->heap[i], *parent = &w->heap[(i - 1) / 4];

        assert_true(parent->time < e->time || (parent->time == e->time && parent->seq < e->seq));
        assert_int_equal(w->slots[e->slot].heap_index, i);
    }
}

static gint
by_when_then_tag(gconstpointer pa, gconstpointer pb, gpointer data)
{
    const SimTime *when = data;
    int a = *(const int *) pa, b = *(const int *) pb;

    if (when[a] != when[b])
        return when[a] < when[b] ? -1 : 1;
    return (a > b) - (a < b);
}

/* Many random delays (and some cancels) against a reference: the run order
 * is the events sorted by (final time, scheduling order).  The tags run in
 * the same order on a second run of the same seed. */
static GArray *
delay_random_run(guint64 seed)
{
    enum { N = 4000 };
    g_autoptr(SimWorld) w = sim_world_new(seed);
    static Tagged t[N];
    static SimEventId ids[N];
    static SimTime when[N];
    static bool gone[N];
    Log log = { g_array_new(FALSE, FALSE, sizeof(int)), w };
    GArray *want = g_array_new(FALSE, FALSE, sizeof(int));
    SimRng rng;

    sim_rng_init(&rng, seed, "test/delay");
    for (int i = 0; i < N; i++) {
        t[i] = (Tagged) { &log, i };
        when[i] = sim_rng_below(&rng, 500);
        ids[i] = sim_event_schedule(w, when[i], record, &t[i]);
        gone[i] = false;
    }
    for (int round = 0; round < 4; round++) {
        for (int j = 0; j < N; j++) {
            int k = (int) sim_rng_below(&rng, N);
            SimTime delta = sim_rng_below(&rng, 4) == 0 ? 0 : sim_rng_below(&rng, 200);

            if (sim_rng_below(&rng, 50) == 0) {
                assert_int_equal(sim_event_cancel(w, ids[k]), !gone[k]);
                gone[k] = true;
                continue;
            }
            assert_int_equal(sim__event_delay(w, ids[k], delta), !gone[k]);
            if (!gone[k])
                when[k] += delta;
        }
        assert_heap_valid(w);
        for (int i = 0; i < N; i++)
            assert_int_equal(sim_event_time(w, ids[i]), gone[i] ? SIM_TIME_INFINITE : when[i]);
    }
    /* The reference order: by time, ties by tag (= scheduling order). */
    for (int i = 0; i < N; i++) {
        if (!gone[i])
            g_array_append_val(want, i);
    }
    g_array_sort_with_data(want, by_when_then_tag, when);
    sim_world_run(w);
    assert_order(&log, (const int *) want->data, want->len);
    g_array_free(want, TRUE);
    assert_events_balanced(w);
    return log.order;
}

static void
test_event_delay_random_against_reference(void **state)
{
    (void) state;
    for (guint64 seed = 1; seed <= 3; seed++) {
        GArray *a = delay_random_run(seed), *b = delay_random_run(seed);

        assert_int_equal(a->len, b->len);
        assert_memory_equal(a->data, b->data, a->len * sizeof(int));
        g_array_free(a, TRUE);
        g_array_free(b, TRUE);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_orders_by_time_then_seq),
        cmocka_unit_test(test_event_now_runs_after_already_due),
        cmocka_unit_test(test_event_cancel),
        cmocka_unit_test(test_event_stale_id_after_slot_reuse),
        cmocka_unit_test(test_event_run_until_and_step),
        cmocka_unit_test(test_event_stop),
        cmocka_unit_test(test_event_drop_functions),
        cmocka_unit_test(test_event_random_heap_property),
        cmocka_unit_test(test_event_times_monotonic),
        cmocka_unit_test(test_event_world_data),
        cmocka_unit_test(test_event_delay_reorders),
        cmocka_unit_test(test_event_delay_stale_id),
        cmocka_unit_test(test_event_delay_tie_keeps_seq),
        cmocka_unit_test(test_event_delay_random_against_reference),
    };
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
