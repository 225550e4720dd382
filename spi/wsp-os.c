/* SPDX-License-Identifier: MIT
 *
 * wsp-os.c: simulated OS objects — event objects, window message queues and
 * thread handles — for the provider's default upcall table and for the
 * application-side Win32 subset.  Waiting goes through sim_actor_wait(), so
 * a wait advances simulated time and obeys the actor baton.
 *
 * Handles are small integers cast to HANDLE (0x1000, 0x1004, ...), taken
 * from a per-world counter and never reused within a run, so a stale handle
 * is reliably invalid and traces are the same on every run.
 */
#include "config.h"

#include "sim/sim.h"
#include "wspsim/wspsim-os.h"

#define HANDLE_BASE 0x1000u
#define HANDLE_STEP 4u

typedef struct {
    WSPSIM_HANDLE_KIND kind;
    HANDLE handle;
    SimWaitQueue waiters;
    /* event */
    bool manual_reset;
    bool signalled;
    /* window */
    DWORD owner_pid;
    GQueue messages; /* of WSPSIM_MSG* */
    /* thread */
    SimActorId actor;
} OsObject;

typedef struct {
    SimWorld *world;
    GPtrArray *objects; /* index (handle - base) / step; NULL once closed */
    size_t live;
    GHashTable *thread_by_actor; /* actor id -> handle (lookup only) */
} OsState;

static void
os_object_free(SimWorld *world, OsObject *o)
{
    WSPSIM_MSG *m;

    sim_waitq_clear(world, &o->waiters);
    while ((m = g_queue_pop_head(&o->messages)) != NULL)
        g_free(m);
    g_free(o);
}

static void
os_state_free(void *data)
{
    OsState *st = data;

    for (guint i = 0; i < st->objects->len; i++) {
        OsObject *o = g_ptr_array_index(st->objects, i);
        if (o != NULL)
            os_object_free(st->world, o);
    }
    g_ptr_array_free(st->objects, TRUE);
    g_hash_table_destroy(st->thread_by_actor);
    g_free(st);
}

static OsState *
os_state(SimWorld *world)
{
    OsState *st = sim_world_get_data(world, "wsp-os");

    if (st == NULL) {
        st = g_new0(OsState, 1);
        st->world = world;
        st->objects = g_ptr_array_new();
        st->thread_by_actor = g_hash_table_new(g_direct_hash, g_direct_equal);
        sim_world_set_data(world, "wsp-os", st, os_state_free);
    }
    return st;
}

static OsObject *
os_new(SimWorld *world, WSPSIM_HANDLE_KIND kind)
{
    OsState *st = os_state(world);
    OsObject *o = g_new0(OsObject, 1);

    o->kind = kind;
    o->handle = (HANDLE) (uintptr_t) (HANDLE_BASE + HANDLE_STEP * st->objects->len);
    sim_waitq_init(&o->waiters);
    g_queue_init(&o->messages);
    g_ptr_array_add(st->objects, o);
    st->live++;
    return o;
}

static OsObject *
os_get(SimWorld *world, HANDLE h, WSPSIM_HANDLE_KIND kind)
{
    OsState *st;
    uintptr_t v = (uintptr_t) h;
    guint idx;

    if (world == NULL || v < HANDLE_BASE || (v - HANDLE_BASE) % HANDLE_STEP != 0)
        return NULL;
    st = os_state(world);
    idx = (guint) ((v - HANDLE_BASE) / HANDLE_STEP);
    if (idx >= st->objects->len)
        return NULL;
    OsObject *o = g_ptr_array_index(st->objects, idx);
    if (o == NULL || (kind != WSPSIM_HANDLE_NONE && o->kind != kind))
        return NULL;
    return o;
}

/* ---- events ---------------------------------------------------------- */

HANDLE
wspsim_os_event_create(SimWorld *world, BOOL manual_reset, BOOL initial_state)
{
    OsObject *o;

    if (world == NULL)
        return NULL;
    o = os_new(world, WSPSIM_HANDLE_EVENT);
    o->manual_reset = manual_reset != FALSE;
    o->signalled = initial_state != FALSE;
    return o->handle;
}

BOOL
wspsim_os_event_set(SimWorld *world, HANDLE event)
{
    OsObject *o = os_get(world, event, WSPSIM_HANDLE_EVENT);

    if (o == NULL)
        return FALSE;
    o->signalled = true;
    sim_waitq_wake_all(world, &o->waiters);
    return TRUE;
}

BOOL
wspsim_os_event_reset(SimWorld *world, HANDLE event)
{
    OsObject *o = os_get(world, event, WSPSIM_HANDLE_EVENT);

    if (o == NULL)
        return FALSE;
    o->signalled = false;
    return TRUE;
}

BOOL
wspsim_os_event_query(SimWorld *world, HANDLE event, BOOL *out_signalled)
{
    OsObject *o = os_get(world, event, WSPSIM_HANDLE_EVENT);

    if (o == NULL)
        return FALSE;
    if (out_signalled != NULL)
        *out_signalled = o->signalled ? TRUE : FALSE;
    return TRUE;
}

/* ---- windows --------------------------------------------------------- */

HWND
wspsim_os_window_create(SimWorld *world, DWORD owner_pid)
{
    OsObject *o;

    if (world == NULL)
        return NULL;
    o = os_new(world, WSPSIM_HANDLE_WINDOW);
    o->owner_pid = owner_pid;
    return o->handle;
}

BOOL
wspsim_os_post_message(SimWorld *world, HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    OsObject *o = os_get(world, hwnd, WSPSIM_HANDLE_WINDOW);
    WSPSIM_MSG *m;

    if (o == NULL)
        return FALSE;
    m = g_new(WSPSIM_MSG, 1);
    m->hwnd = hwnd;
    m->message = msg;
    m->wParam = wparam;
    m->lParam = lparam;
    m->time = (DWORD) (sim_world_now(world) / SIM_MSEC);
    g_queue_push_tail(&o->messages, m);
    sim_waitq_wake_all(world, &o->waiters);
    return TRUE;
}

BOOL
wspsim_os_peek_message(SimWorld *world, HWND hwnd, WSPSIM_MSG *out, BOOL remove)
{
    OsObject *o = os_get(world, hwnd, WSPSIM_HANDLE_WINDOW);
    WSPSIM_MSG *m;

    if (o == NULL || out == NULL || g_queue_is_empty(&o->messages))
        return FALSE;
    m = remove ? g_queue_pop_head(&o->messages) : g_queue_peek_head(&o->messages);
    *out = *m;
    if (remove)
        g_free(m);
    return TRUE;
}

static SimTime
deadline_from_ms(SimWorld *world, DWORD timeout_ms)
{
    if (timeout_ms == INFINITE)
        return SIM_TIME_INFINITE;
    return sim_world_now(world) + (SimTime) timeout_ms * SIM_MSEC;
}

int
wspsim_os_get_message(SimWorld *world, HWND hwnd, WSPSIM_MSG *out, DWORD timeout_ms)
{
    SimTime deadline;

    if (os_get(world, hwnd, WSPSIM_HANDLE_WINDOW) == NULL || out == NULL)
        return -1;
    deadline = deadline_from_ms(world, timeout_ms);
    for (;;) {
        OsObject *o = os_get(world, hwnd, WSPSIM_HANDLE_WINDOW);
        SimWaitQueue *q;

        if (o == NULL)
            return -1; /* closed while we waited */
        if (wspsim_os_peek_message(world, hwnd, out, TRUE))
            return 1;
        if (sim_actor_current(world) == SIM_ID_NONE || sim_world_now(world) >= deadline)
            return 0;
        q = &o->waiters;
        switch (sim_actor_wait(world, &q, 1, deadline, 0, NULL)) {
        case SIM_WAIT_WOKEN:
        case SIM_WAIT_APC:
        case SIM_WAIT_INTERRUPTED:
            continue;
        case SIM_WAIT_TIMEOUT:
            return wspsim_os_peek_message(world, hwnd, out, TRUE) ? 1 : 0;
        case SIM_WAIT_KILLED:
            return -1;
        }
    }
}

size_t
wspsim_os_message_count(SimWorld *world, HWND hwnd)
{
    OsObject *o = os_get(world, hwnd, WSPSIM_HANDLE_WINDOW);
    return o ? g_queue_get_length(&o->messages) : 0;
}

/* ---- threads --------------------------------------------------------- */

HANDLE
wspsim_os_thread_handle(SimWorld *world, DWORD actor_id)
{
    OsState *st;
    OsObject *o;
    gpointer h;

    if (world == NULL || actor_id == 0 || sim_actor_name(world, actor_id) == NULL)
        return NULL;
    st = os_state(world);
    h = g_hash_table_lookup(st->thread_by_actor, GUINT_TO_POINTER(actor_id));
    if (h != NULL && os_get(world, h, WSPSIM_HANDLE_THREAD) != NULL)
        return h;
    o = os_new(world, WSPSIM_HANDLE_THREAD);
    o->actor = actor_id;
    g_hash_table_insert(st->thread_by_actor, GUINT_TO_POINTER(actor_id), o->handle);
    return o->handle;
}

DWORD
wspsim_os_thread_actor(SimWorld *world, HANDLE thread)
{
    OsObject *o = os_get(world, thread, WSPSIM_HANDLE_THREAD);
    return o ? o->actor : 0;
}

/* ---- any handle ------------------------------------------------------ */

WSPSIM_HANDLE_KIND
wspsim_os_handle_kind(SimWorld *world, HANDLE h)
{
    OsObject *o = os_get(world, h, WSPSIM_HANDLE_NONE);
    return o ? o->kind : WSPSIM_HANDLE_NONE;
}

BOOL
wspsim_os_handle_close(SimWorld *world, HANDLE h)
{
    OsState *st;
    OsObject *o = os_get(world, h, WSPSIM_HANDLE_NONE);

    if (o == NULL)
        return FALSE;
    st = os_state(world);
    g_ptr_array_index(st->objects, ((uintptr_t) h - HANDLE_BASE) / HANDLE_STEP) = NULL;
    if (o->kind == WSPSIM_HANDLE_THREAD)
        g_hash_table_remove(st->thread_by_actor, GUINT_TO_POINTER(o->actor));
    st->live--;
    os_object_free(world, o);
    return TRUE;
}

size_t
wspsim_os_handle_count(SimWorld *world)
{
    return world ? os_state(world)->live : 0;
}

/* ---- waiting --------------------------------------------------------- */

static bool
object_signalled(SimWorld *world, const OsObject *o)
{
    switch (o->kind) {
    case WSPSIM_HANDLE_EVENT:
        return o->signalled;
    case WSPSIM_HANDLE_THREAD:
        return !sim_actor_is_alive(world, o->actor);
    case WSPSIM_HANDLE_WINDOW:
    case WSPSIM_HANDLE_NONE:
        break;
    }
    return false;
}

static void
consume(OsObject *o)
{
    if (o->kind == WSPSIM_HANDLE_EVENT && !o->manual_reset)
        o->signalled = false;
}

/* Check the wait condition; on success consume and return the result. */
static bool
wait_satisfied(SimWorld *world, OsObject **objs, DWORD count, BOOL wait_all, DWORD *out_result)
{
    if (wait_all) {
        for (DWORD i = 0; i < count; i++) {
            if (!object_signalled(world, objs[i]))
                return false;
        }
        for (DWORD i = 0; i < count; i++)
            consume(objs[i]);
        *out_result = WAIT_OBJECT_0;
        return true;
    }
    for (DWORD i = 0; i < count; i++) {
        if (object_signalled(world, objs[i])) {
            consume(objs[i]);
            *out_result = WAIT_OBJECT_0 + i;
            return true;
        }
    }
    return false;
}

/* A finished actor signals its thread handle; nothing wakes waiters on it,
 * so thread waits poll every simulated millisecond.  Threads are rarely
 * waited on; events are the common case and need no polling. */
#define THREAD_POLL_NS SIM_MSEC

DWORD
wspsim_os_wait(SimWorld *world, DWORD count, const HANDLE *handles, BOOL wait_all,
               DWORD timeout_ms, BOOL alertable, int *out_error)
{
    OsObject *objs[MAXIMUM_WAIT_OBJECTS];
    SimWaitQueue *queues[MAXIMUM_WAIT_OBJECTS];
    SimTime deadline;
    DWORD result;
    int err = 0;

    if (world == NULL || count == 0 || count > MAXIMUM_WAIT_OBJECTS || handles == NULL) {
        err = WSA_INVALID_PARAMETER;
        goto fail;
    }
    deadline = deadline_from_ms(world, timeout_ms);
    for (;;) {
        bool has_thread = false;
        SimTime wake_at = deadline;

        for (DWORD i = 0; i < count; i++) {
            objs[i] = os_get(world, handles[i], WSPSIM_HANDLE_NONE);
            if (objs[i] == NULL || objs[i]->kind == WSPSIM_HANDLE_WINDOW) {
                err = WSA_INVALID_HANDLE;
                goto fail;
            }
            queues[i] = &objs[i]->waiters;
            has_thread |= objs[i]->kind == WSPSIM_HANDLE_THREAD;
        }
        if (wait_satisfied(world, objs, count, wait_all, &result))
            return result;
        if (sim_actor_current(world) == SIM_ID_NONE || sim_world_now(world) >= deadline) {
            if (alertable && sim_actor_current(world) != SIM_ID_NONE &&
                sim_actor_apcs_pending(world, sim_actor_current(world)) > 0) {
                sim_actor_sleep(world, 0, true);
                return WAIT_IO_COMPLETION;
            }
            return WAIT_TIMEOUT;
        }
        if (has_thread && sim_world_now(world) + THREAD_POLL_NS < wake_at)
            wake_at = sim_world_now(world) + THREAD_POLL_NS;
        switch (sim_actor_wait(world, queues, count, wake_at, alertable ? SIM_WAIT_ALERTABLE : 0,
                               NULL)) {
        case SIM_WAIT_APC:
            return WAIT_IO_COMPLETION;
        case SIM_WAIT_WOKEN:
        case SIM_WAIT_INTERRUPTED:
        case SIM_WAIT_TIMEOUT:
            continue; /* re-check; the deadline test above ends a time-out */
        case SIM_WAIT_KILLED:
            err = WSA_INVALID_HANDLE;
            goto fail;
        }
    }
fail:
    if (out_error != NULL)
        *out_error = err;
    return WAIT_FAILED;
}

DWORD
wspsim_os_sleep(SimWorld *world, DWORD ms, BOOL alertable)
{
    SimTime deadline;

    if (world == NULL || sim_actor_current(world) == SIM_ID_NONE)
        return 0;
    deadline = deadline_from_ms(world, ms);
    for (;;) {
        SimWaitResult r = sim_actor_wait(world, NULL, 0, deadline,
                                         alertable ? SIM_WAIT_ALERTABLE : 0, NULL);
        if (r == SIM_WAIT_APC)
            return WAIT_IO_COMPLETION;
        if (r != SIM_WAIT_WOKEN && r != SIM_WAIT_INTERRUPTED)
            return 0;
    }
}
