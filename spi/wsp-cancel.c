/* SPDX-License-Identifier: MIT
 *
 * wsp-cancel.c: the one blocking wait of the provider and its cancellation
 * (REFERENCE 2.3, WSPCancelBlockingCall, 4 choice 50).  A blocking call
 * waits on its wait queues with SIM_WAIT_INTERRUPTIBLE; when the client's
 * upcall table has a blocking hook (WPUQueryBlockingCallback) the provider
 * calls it every hook period of simulated time (10 ms unless
 * wspsim_set_blocking_hook_period() says otherwise).  WSPCancelBlockingCall,
 * called on the blocked thread from that hook, or wspsim_cancel_blocking_call()
 * called by an embedder for another actor, makes the call fail WSAEINTR.
 * doc/notification.md.
 */
#include "config.h"

#include "wsp-private.h"

#define BLOCK_KEY "wsp-block"
#define PERIOD_KEY "wsp-hook-period"
#define HOOK_PERIOD_DEFAULT (10 * SIM_MSEC)

/* Per actor: is it inside a blocking provider call, and was that cancelled. */
typedef struct {
    guint depth;
    bool cancelled;
} WspBlock;

static WspBlock *
block_state(SimWorld *world, SimActorId actor, bool create)
{
    WspBlock *b = sim_actor_get_data(world, actor, BLOCK_KEY);

    if (b == NULL && create) {
        b = g_new0(WspBlock, 1);
        sim_actor_set_data(world, actor, BLOCK_KEY, b, g_free);
    }
    return b;
}

/**
 * wspsim_set_blocking_hook_period:
 * @world: the world
 * @period_ns: simulated time between two calls of the blocking hook while a
 *   provider call blocks; 0 restores the default (10 ms)
 */
void
wspsim_set_blocking_hook_period(struct SimWorld *world, uint64_t period_ns)
{
    guint64 *p;

    g_return_if_fail(world != NULL);
    p = g_new(guint64, 1);
    *p = period_ns != 0 ? period_ns : (guint64) HOOK_PERIOD_DEFAULT;
    sim_world_set_data(world, PERIOD_KEY, p, g_free);
}

static SimTime
hook_period(SimWorld *world)
{
    const guint64 *p = sim_world_get_data(world, PERIOD_KEY);

    return p != NULL ? (SimTime) *p : HOOK_PERIOD_DEFAULT;
}

/**
 * wsp_block_wait:
 * @call: the blocking call (from an actor)
 * @catalog_id: the catalog entry handed to WPUQueryBlockingCallback
 *
 * Waits like sim_actor_wait() (interruptible, not alertable: APCs wait for
 * the thread's next alertable wait).  With a blocking hook the wait is cut
 * into hook periods; a hook that returns FALSE, or a cancellation, ends it
 * with SIM_WAIT_INTERRUPTED.
 */
SimWaitResult
wsp_block_wait(WspCall *call, DWORD catalog_id, SimWaitQueue *const *queues, size_t n_queues,
               SimTime deadline, size_t *out_index)
{
    SimWorld *world = call->world;
    WspBlock *b = block_state(world, call->actor, true);
    LPBLOCKINGCALLBACK hook = NULL;
    DWORD_PTR ctx = 0;
    SimWaitResult r;
    int err = 0;

    if (call->proc->upcalls.lpWPUQueryBlockingCallback(catalog_id, &hook, &ctx, &err) != 0)
        hook = NULL;
    if (b->depth == 0)
        b->cancelled = false;
    b->depth++;
    for (;;) {
        SimTime until = deadline;

        if (hook != NULL && sim_world_now(world) + hook_period(world) < until)
            until = sim_world_now(world) + hook_period(world);
        r = sim_actor_wait(world, queues, n_queues, until, SIM_WAIT_INTERRUPTIBLE, out_index);
        /* Re-read: the hook or another actor may have replaced nothing, but
         * the record is per actor and lives as long as the actor. */
        b = block_state(world, call->actor, true);
        if (r == SIM_WAIT_KILLED)
            break;
        if (b->cancelled) {
            r = SIM_WAIT_INTERRUPTED;
            break;
        }
        if (r == SIM_WAIT_TIMEOUT && hook != NULL &&
            (deadline == SIM_TIME_INFINITE || sim_world_now(world) < deadline)) {
            BOOL more = hook(ctx); /* may call WSPCancelBlockingCall */

            b = block_state(world, call->actor, true);
            if (b->cancelled || !more) {
                r = SIM_WAIT_INTERRUPTED;
                break;
            }
            continue;
        }
        break;
    }
    b->depth--;
    if (b->depth == 0)
        b->cancelled = false;
    if (r == SIM_WAIT_INTERRUPTED && sim_trace_enabled(world))
        sim_trace_textf(world, SIM_TR_NOTE, call->node, call->actor, "cancel",
                        "%s cancelled (WSAEINTR)", call->fn);
    return r;
}

static int
cancel_actor(SimWorld *world, SimActorId actor, bool self)
{
    WspBlock *b;

    if (world == NULL || actor == SIM_ID_NONE || !sim_actor_is_alive(world, actor))
        return WSAEINVAL;
    b = block_state(world, actor, false);
    if (b == NULL || b->depth == 0)
        return WSAEINVAL;
    b->cancelled = true;
    /* The caller itself (from its blocking hook) checks the flag when the
     * hook returns; another actor is parked in its wait: end it. */
    if (!self)
        sim_actor_interrupt(world, actor);
    return 0;
}

/**
 * WSPCancelBlockingCall:
 *
 * Cancels the blocking call in progress on the calling simulated thread —
 * which can only be running its blocking hook (WPUQueryBlockingCallback)
 * while that call waits.  The cancelled call fails with WSAEINTR once the
 * hook returns.  Success does not prove that anything was cancelled.
 *
 * Returns: 0; SOCKET_ERROR with WSAEINVAL (no blocking call in progress on
 * this thread) or WSANOTINITIALISED.
 */
int WSPAPI
WSPCancelBlockingCall(LPINT lpErrno)
{
    WspCall call;
    int err;

    if (!wsp_call_begin(&call, "WSPCancelBlockingCall", &err))
        return wsp_call_fail(&call, lpErrno, err);
    err = cancel_actor(call.world, call.actor, true);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err);
    return wsp_call_ok(&call);
}

/**
 * wspsim_cancel_blocking_call:
 * @world: the world
 * @actor_id: the simulated thread whose blocking call is cancelled
 *
 * What WSPCancelBlockingCall does on @actor_id, for a runner or embedder
 * acting on behalf of another actor (a scenario's "cancel" step): the
 * blocked call fails with WSAEINTR when the actor next runs.
 *
 * Returns: 0, or WSAEINVAL when @actor_id is not inside a blocking
 * provider call.
 */
int
wspsim_cancel_blocking_call(struct SimWorld *world, uint32_t actor_id)
{
    int err = cancel_actor(world, actor_id, world != NULL && sim_actor_current(world) == actor_id);

    if (world != NULL && sim_trace_enabled(world))
        sim_trace_textf(world, SIM_TR_CALL, SIM_ID_NONE, actor_id, "wspsim_cancel_blocking_call",
                        "wspsim_cancel_blocking_call(actor %u) = %s", (unsigned) actor_id,
                        err == 0 ? "0" : wsp_error_name(err));
    return err;
}
