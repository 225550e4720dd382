/* SPDX-License-Identifier: MIT
 *
 * sim-actor.h: processes and actors (simulated threads of execution) and the
 * one waiting mechanism every blocking call uses.
 *
 * An actor runs application code — a scenario script or a C function — that
 * may block in simulated time.  Exactly one actor or the scheduler runs at any
 * moment, so actors need no locks and runs stay deterministic.  Two backends
 * share the same semantics:
 *   - SIM_ACTOR_COROUTINE: a stack switched to on the scheduler's own OS
 *     thread (no OS thread per actor; thousands cost little).  Script actors
 *     use it.
 *   - SIM_ACTOR_THREAD: a GThread handed a baton, for embedded C code that
 *     wants a real thread (thread-local storage, deep stacks, debuggers).
 *
 * A blocking call registers the actor on one or more wait queues with a
 * deadline and calls sim_actor_wait(); the actor is suspended until it is
 * woken, times out, is interrupted (WSPCancelBlockingCall), runs APCs in an
 * alertable wait, or its process is killed.
 *
 * An actor ends in one of two ways: it finishes (its function returns; a
 * killed actor's code unwinds to there), or it is terminated
 * (sim_process_terminate, the ExitProcess of ws2/): abandoned where it
 * stands, never run again, its OS thread parked until the OS process ends.
 */
#ifndef SIM_ACTOR_H
#define SIM_ACTOR_H

#include "sim-world.h"

G_BEGIN_DECLS

typedef void (*SimActorFn)(void *data);
typedef void (*SimApcFn)(void *data);

typedef enum {
    SIM_ACTOR_COROUTINE,
    SIM_ACTOR_THREAD,
} SimActorKind;

typedef enum {
    SIM_WAIT_WOKEN,       /* a queue it waited on was woken */
    SIM_WAIT_TIMEOUT,     /* the deadline passed */
    SIM_WAIT_INTERRUPTED, /* sim_actor_interrupt() on an interruptible wait */
    SIM_WAIT_APC,         /* alertable wait: one or more APCs ran */
    SIM_WAIT_KILLED,      /* the process was killed; unwind and return */
} SimWaitResult;

enum {
    SIM_WAIT_ALERTABLE = 1 << 0,     /* run queued APCs, then return SIM_WAIT_APC */
    SIM_WAIT_INTERRUPTIBLE = 1 << 1, /* sim_actor_interrupt() ends it */
};

/* A list of waiting actors.  Embedded in the object waited for; the owner
 * calls sim_waitq_clear() before freeing it (waiters are woken). */
typedef struct SimWaitQueue {
    GQueue waiters; /* of SimWaiter*, in arrival order */
} SimWaitQueue;

void sim_waitq_init(SimWaitQueue *q);
void sim_waitq_clear(SimWorld *world, SimWaitQueue *q);
/* Wake every waiter (each resumes, in arrival order, as an event at now). */
void sim_waitq_wake_all(SimWorld *world, SimWaitQueue *q);
/* Wake the first waiter; FALSE if there was none. */
bool sim_waitq_wake_one(SimWorld *world, SimWaitQueue *q);
bool sim_waitq_is_empty(const SimWaitQueue *q);

/* ---- Processes ----------------------------------------------------- */

SimProcessId sim_process_new(SimWorld *world, SimNodeId node, const char *name);
SimNodeId sim_process_node(const SimWorld *world, SimProcessId pid);
const char *sim_process_name(const SimWorld *world, SimProcessId pid);
SimProcessId sim_process_lookup(const SimWorld *world, SimNodeId node, const char *name);
bool sim_process_is_alive(const SimWorld *world, SimProcessId pid);
/* Kill: every actor of the process is resumed with SIM_WAIT_KILLED (and every
 * later wait returns it at once) so its code unwinds; hooks run first.  A
 * host crash uses it. */
void sim_process_kill(SimWorld *world, SimProcessId pid);
/* Terminate (ExitProcess): every actor of @pid but @keep is abandoned at
 * once — off its wait queues and timers, counted as finished, and never
 * resumed again, not even to unwind (no SIM_WAIT_KILLED), not by teardown.
 * A thread actor's OS thread stays parked on its baton until the OS process
 * ends and is never joined; its record outlives the world (reachable).  The
 * process exits now if no actor of it is left, else when @keep finishes.
 * Returns how many actors were abandoned. */
size_t sim_process_terminate(SimWorld *world, SimProcessId pid, SimActorId keep);
typedef void (*SimProcessHookFn)(SimWorld *world, SimProcessId pid, void *data);
/* Called when any process is killed or exits (its last actor finished). */
void sim_process_add_exit_hook(SimWorld *world, SimProcessHookFn fn, void *data);
/* The processes of a node, in creation order. */
GArray *sim_node_processes(const SimWorld *world, SimNodeId node); /* (transfer full) of SimProcessId */

/* ---- Actors -------------------------------------------------------- */

SimActorId sim_actor_spawn(SimWorld *world, SimProcessId pid, const char *name, SimActorKind kind,
                           SimTime start_delay_ns, SimActorFn fn, void *data);
/* The actor running now, or SIM_ID_NONE in scheduler context. */
SimActorId sim_actor_current(const SimWorld *world);
SimProcessId sim_actor_process(const SimWorld *world, SimActorId actor);
const char *sim_actor_name(const SimWorld *world, SimActorId actor);
bool sim_actor_is_alive(const SimWorld *world, SimActorId actor);
bool sim_actor_is_blocked(const SimWorld *world, SimActorId actor);
size_t sim_world_actors_alive(const SimWorld *world);
/* The live actors blocked right now with no deadline, in id order. */
GArray *sim_world_blocked_actors(const SimWorld *world); /* (transfer full) of SimActorId */

/*
 * sim_actor_wait: suspend the current actor until one of @queues is woken,
 * @deadline_ns (absolute; SIM_TIME_INFINITE for none) passes, or — as
 * @flags allow — it is interrupted or an APC is queued.  With @n_queues 0
 * and a deadline it is a sleep.  @out_index (nullable) gets the index of the
 * queue that woke it.  Must be called from an actor.
 */
SimWaitResult sim_actor_wait(SimWorld *world, SimWaitQueue *const *queues, size_t n_queues,
                             SimTime deadline_ns, guint flags, size_t *out_index);
SimWaitResult sim_actor_sleep(SimWorld *world, SimTime delay_ns, bool alertable);
/* Let every other event due now run, then continue (a zero sleep). */
void sim_actor_yield(SimWorld *world);

/* End @actor's interruptible wait with SIM_WAIT_INTERRUPTED; FALSE if it is
 * not in one.  If @actor is the caller (an APC or hook running on it), its
 * next interruptible wait ends at once. */
bool sim_actor_interrupt(SimWorld *world, SimActorId actor);
/* Queue @fn to run on @actor at its next alertable wait (FIFO). */
bool sim_actor_queue_apc(SimWorld *world, SimActorId actor, SimApcFn fn, void *data);
size_t sim_actor_apcs_pending(const SimWorld *world, SimActorId actor);

/* Adopt the calling OS thread as an actor (embedding: an application's
 * main thread); a scheduler thread runs events while it waits.  Release it
 * (from the same thread) before freeing the world: the world then runs on
 * up to @until_ns and the call returns.  After sim_process_terminate()
 * abandoned the adopted actor, the thread actor that did it (exit() on
 * another thread) releases instead. */
SimActorId sim_actor_adopt(SimWorld *world, SimProcessId pid, const char *name);
void sim_actor_release(SimWorld *world, SimTime until_ns);

/* Per-actor data for upper layers, keyed by a static string. */
void sim_actor_set_data(SimWorld *world, SimActorId actor, const char *key, void *data,
                        GDestroyNotify destroy);
void *sim_actor_get_data(const SimWorld *world, SimActorId actor, const char *key);

G_END_DECLS

#endif /* SIM_ACTOR_H */
