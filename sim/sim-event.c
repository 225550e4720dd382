/* SPDX-License-Identifier: MIT
 *
 * sim-event.c: the event queue, the only writer of world->now.
 *
 * Ordering.  Events run in (time, seq) order, where seq is a per-world
 * counter taken when the event is scheduled.  Two events due at the same
 * instant therefore run in the order they were scheduled, and an event
 * scheduled "now" from inside another runs after everything already due now
 * (Redis's rule).  Nothing compares pointers, so the order is the same on
 * every run and machine.
 *
 * Layout.  The heap is an array of small {time, seq, slot} entries: sifting
 * touches only those 24 bytes.  The rest of an event (callback, data, its
 * heap position) lives in a slot array with a free list, so an event id can
 * find its entry in O(1) and cancellation removes it from the heap in
 * O(log n) instead of leaving a dead entry behind (ns-3's Remove()); a
 * delay moves it later in place, as cheaply (sim__event_delay()).
 *
 * Ids.  A SimEventId packs the low 32 bits of seq above the slot index.  A
 * stale id (its event ran or was cancelled, and the slot reused) no longer
 * matches the slot's seq, so cancelling it is a harmless no-op.
 */
#include "config.h"

#include "sim/sim-private.h"

#define NO_SLOT G_MAXUINT32
#define HEAP_ARITY 4

static inline SimEventId
make_id(guint64 seq, guint32 slot)
{
    return ((seq & 0xffffffffull) << 32) | slot;
}

static inline bool
entry_before(const SimHeapEntry *a, const SimHeapEntry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline void
heap_place(SimWorld *w, guint32 i, SimHeapEntry e)
{
    w->heap[i] = e;
    w->slots[e.slot].heap_index = i;
}

/* A 4-ary heap: shallower than a binary one, and the four children of a
 * node share a cache line or two, which pays off once the heap outgrows L1. */
static void
sift_up(SimWorld *w, guint32 i, SimHeapEntry e)
{
    while (i > 0) {
        guint32 parent = (i - 1) / HEAP_ARITY;
        if (!entry_before(&e, &w->heap[parent]))
            break;
        heap_place(w, i, w->heap[parent]);
        i = parent;
    }
    heap_place(w, i, e);
}

static void
sift_down(SimWorld *w, guint32 i, SimHeapEntry e)
{
    guint32 n = w->heap_len;

    for (;;) {
        guint32 first = i * HEAP_ARITY + 1;
        guint32 best;

        if (first >= n)
            break;
        best = first;
        guint32 last = MIN(first + HEAP_ARITY, n);
        for (guint32 c = first + 1; c < last; c++) {
            if (entry_before(&w->heap[c], &w->heap[best]))
                best = c;
        }
        if (!entry_before(&w->heap[best], &e))
            break;
        heap_place(w, i, w->heap[best]);
        i = best;
    }
    heap_place(w, i, e);
}

static guint32
slot_alloc(SimWorld *w)
{
    guint32 s;

    if (w->free_slot == NO_SLOT) {
        guint32 old = w->slots_cap;
        guint32 cap = old ? old * 2 : 256;
        g_assert(cap > old && cap < NO_SLOT);
        w->slots = g_renew(SimEventSlot, w->slots, cap);
        for (guint32 k = old; k < cap; k++) {
            w->slots[k].seq = 0;
            w->slots[k].next_free = (k + 1 < cap) ? k + 1 : NO_SLOT;
        }
        w->free_slot = old;
        w->slots_cap = cap;
        w->heap = g_renew(SimHeapEntry, w->heap, cap);
        w->heap_cap = cap;
    }
    s = w->free_slot;
    w->free_slot = w->slots[s].next_free;
    return s;
}

static inline void
slot_free(SimWorld *w, guint32 s)
{
    w->slots[s].seq = 0;
    w->slots[s].data = NULL;
    w->slots[s].next_free = w->free_slot;
    w->free_slot = s;
}

SimEventId
sim__event_schedule_full(SimWorld *world, SimTime at_ns, SimEventFn fn, void *data,
                         GDestroyNotify drop)
{
    guint32 s;
    SimHeapEntry e;

    g_return_val_if_fail(world != NULL && fn != NULL, SIM_EVENT_ID_NONE);
    g_return_val_if_fail(at_ns >= world->now, SIM_EVENT_ID_NONE);

    s = slot_alloc(world);
    e.time = at_ns;
    e.seq = ++world->next_seq;
    e.slot = s;
    world->slots[s].fn = fn;
    world->slots[s].data = data;
    world->slots[s].drop = drop;
    world->slots[s].seq = e.seq;
    world->heap_len++;
    sift_up(world, world->heap_len - 1, e);
    world->events_scheduled++;
    return make_id(e.seq, s);
}

/**
 * sim_event_schedule:
 * @world: the world whose clock the event runs on
 * @delay_ns: time from now; zero means "after what is already due now"
 * @fn: called once when the event fires
 * @data: (transfer none) (nullable): handed to @fn unchanged
 *
 * Events due at the same instant run in the order they were scheduled.
 *
 * Returns: an id for sim_event_cancel(); never SIM_EVENT_ID_NONE.
 */
SimEventId
sim_event_schedule(SimWorld *world, SimTime delay_ns, SimEventFn fn, void *data)
{
    g_return_val_if_fail(world != NULL, SIM_EVENT_ID_NONE);
    g_return_val_if_fail(delay_ns <= G_MAXUINT64 - world->now, SIM_EVENT_ID_NONE);
    return sim__event_schedule_full(world, world->now + delay_ns, fn, data, NULL);
}

/**
 * sim_event_schedule_at:
 * @world: the world
 * @at_ns: absolute simulated time, >= now
 * @fn: the callback
 * @data: (transfer none) (nullable): its argument
 *
 * Returns: the event's id.
 */
SimEventId
sim_event_schedule_at(SimWorld *world, SimTime at_ns, SimEventFn fn, void *data)
{
    return sim__event_schedule_full(world, at_ns, fn, data, NULL);
}

static SimEventSlot *
lookup(const SimWorld *world, SimEventId id)
{
    guint32 s = (guint32) (id & 0xffffffffu);

    if (id == SIM_EVENT_ID_NONE || s >= world->slots_cap)
        return NULL;
    if (world->slots[s].seq == 0 || (world->slots[s].seq & 0xffffffffull) != (id >> 32))
        return NULL;
    return &world->slots[s];
}

static void
heap_remove_at(SimWorld *w, guint32 i)
{
    SimHeapEntry last;

    w->heap_len--;
    if (i == w->heap_len)
        return;
    last = w->heap[w->heap_len];
    if (i > 0 && entry_before(&last, &w->heap[(i - 1) / HEAP_ARITY]))
        sift_up(w, i, last);
    else
        sift_down(w, i, last);
}

/**
 * sim_event_cancel:
 * @world: the world
 * @id: an id from sim_event_schedule(), possibly stale
 *
 * Removes the event from the queue; its drop function (if any) runs.
 *
 * Returns: TRUE if the event was pending and is now cancelled; FALSE for a
 * stale or unknown id (a harmless no-op).
 */
bool
sim_event_cancel(SimWorld *world, SimEventId id)
{
    SimEventSlot *slot;
    guint32 s;
    GDestroyNotify drop;
    void *data;

    g_return_val_if_fail(world != NULL, false);
    slot = lookup(world, id);
    if (slot == NULL)
        return false;
    s = (guint32) (id & 0xffffffffu);
    drop = slot->drop;
    data = slot->data;
    heap_remove_at(world, slot->heap_index);
    slot_free(world, s);
    world->events_cancelled++;
    if (drop != NULL)
        drop(data);
    return true;
}

bool
sim_event_is_pending(const SimWorld *world, SimEventId id)
{
    g_return_val_if_fail(world != NULL, false);
    return lookup(world, id) != NULL;
}

/*
 * sim__event_delay: move the pending event @id @delta_ns later.
 *
 * The event keeps its seq, so among the events due at its new time it runs
 * where its scheduling order puts it, not last: the result depends only on
 * the order of the calls, never on the heap's layout.  The key only grows,
 * so sifting down restores the heap in O(log n).  Links use it to push back
 * the arrivals of the packets a priority packet overtakes (sim-link.c).
 *
 * Returns: TRUE if the event was pending and now is due @delta_ns later;
 * FALSE for a stale or unknown id (a harmless no-op, as for cancelling).
 */
bool
sim__event_delay(SimWorld *world, SimEventId id, SimTime delta_ns)
{
    SimEventSlot *slot;
    SimHeapEntry e;

    g_return_val_if_fail(world != NULL, false);
    slot = lookup(world, id);
    if (slot == NULL)
        return false;
    e = world->heap[slot->heap_index];
    g_return_val_if_fail(delta_ns <= G_MAXUINT64 - e.time, false);
    e.time += delta_ns;
    sift_down(world, slot->heap_index, e);
    return true;
}

/**
 * sim_event_time:
 * Returns: when the pending event @id is due, or SIM_TIME_INFINITE if it is
 * not pending.
 */
SimTime
sim_event_time(const SimWorld *world, SimEventId id)
{
    const SimEventSlot *slot;

    g_return_val_if_fail(world != NULL, SIM_TIME_INFINITE);
    slot = lookup(world, id);
    return slot ? world->heap[slot->heap_index].time : SIM_TIME_INFINITE;
}

/* Pop and run the earliest event if it is due no later than @limit. */
static inline bool
run_one(SimWorld *w, SimTime limit)
{
    SimHeapEntry top;
    SimEventSlot *slot;
    SimEventFn fn;
    void *data;

    if (w->heap_len == 0)
        return false;
    top = w->heap[0];
    if (top.time > limit)
        return false;
    w->heap_len--;
    if (w->heap_len > 0)
        sift_down(w, 0, w->heap[w->heap_len]);
    slot = &w->slots[top.slot];
    fn = slot->fn;
    data = slot->data;
    /* The slot is freed before the callback runs: the callback may schedule
     * (reusing it) or try to cancel its own, now stale, id. */
    slot_free(w, top.slot);
    g_assert(top.time >= w->now);
    w->now = top.time;
    w->events_run++;
    fn(w, data);
    return true;
}

/**
 * sim_world_step:
 * @world: the world
 *
 * Runs exactly one event (the earliest).
 *
 * Returns: FALSE if the queue was empty.
 */
bool
sim_world_step(SimWorld *world)
{
    bool ran;

    g_return_val_if_fail(world != NULL, false);
    sim__world_set_current(world);
    ran = run_one(world, SIM_TIME_INFINITE);
    sim__world_set_current(NULL);
    return ran;
}

/**
 * sim_world_run_until:
 * @world: the world
 * @until_ns: absolute time limit
 *
 * Runs every event due at or before @until_ns.  If the limit stopped the
 * run, the clock is moved to @until_ns, so later schedules are relative to
 * it; if the queue ran dry first, the clock stays at the last event.
 *
 * Returns: why the run ended.
 */
SimRunResult
sim_world_run_until(SimWorld *world, SimTime until_ns)
{
    SimRunResult res;

    g_return_val_if_fail(world != NULL, SIM_RUN_IDLE);
    sim__world_set_current(world);
    world->stop_requested = false;
    for (;;) {
        if (world->stop_requested) {
            res = SIM_RUN_STOPPED;
            break;
        }
        if (!run_one(world, until_ns)) {
            if (world->heap_len == 0) {
                res = SIM_RUN_IDLE;
            } else {
                res = SIM_RUN_TIME_LIMIT;
                if (until_ns > world->now)
                    world->now = until_ns;
            }
            break;
        }
    }
    world->stop_requested = false;
    sim__world_set_current(NULL);
    return res;
}

SimRunResult
sim_world_run(SimWorld *world)
{
    return sim_world_run_until(world, SIM_TIME_INFINITE);
}

void
sim_world_stop(SimWorld *world)
{
    g_return_if_fail(world != NULL);
    world->stop_requested = true;
}

guint64
sim_world_events_run(const SimWorld *world)
{
    return world->events_run;
}

guint64
sim_world_events_scheduled(const SimWorld *world)
{
    return world->events_scheduled;
}

guint64
sim_world_events_cancelled(const SimWorld *world)
{
    return world->events_cancelled;
}

size_t
sim_world_events_pending(const SimWorld *world)
{
    return world->heap_len;
}

/* Drop every pending event, earliest first, running drop functions.  Used
 * at teardown; drop functions must not schedule. */
void
sim__event_queue_clear(SimWorld *world)
{
    while (world->heap_len > 0) {
        SimHeapEntry top = world->heap[0];
        SimEventSlot *slot = &world->slots[top.slot];
        GDestroyNotify drop = slot->drop;
        void *data = slot->data;

        world->heap_len--;
        if (world->heap_len > 0)
            sift_down(world, 0, world->heap[world->heap_len]);
        slot_free(world, top.slot);
        world->events_cancelled++;
        if (drop != NULL)
            drop(data);
    }
}

void
sim__event_queue_free(SimWorld *world)
{
    g_free(world->heap);
    g_free(world->slots);
    world->heap = NULL;
    world->slots = NULL;
    world->heap_len = world->heap_cap = world->slots_cap = 0;
    world->free_slot = NO_SLOT;
}
