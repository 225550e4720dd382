/* SPDX-License-Identifier: MIT
 *
 * sim-actor.c: processes, actors and wait queues — the only file of sim/
 * that switches stacks or uses threads.
 *
 * The baton.  Exactly one of {the scheduler, one actor} runs at any moment.
 * The scheduler runs events; the event "resume actor A" hands the baton to A,
 * which runs until it waits (sim_actor_wait) or returns, and hands it back.
 * Everything an actor does — scheduling events, sending packets, waking other
 * actors — happens while the scheduler is parked, so no locking is needed
 * anywhere else and the order of effects is exactly the order of resumption,
 * which is the (time, seq) order of resume events.  That is what keeps runs
 * with many actors deterministic.
 *
 * Two ways to hold the baton:
 *   - coroutine actors run on their own mmap'd stack on the scheduler's OS
 *     thread, switched with swapcontext();
 *   - thread actors run on a GThread; the hand-over is a mutex and two
 *     condition variables, and only the holder of the baton is runnable.
 *
 * Waking.  A wake never runs the woken actor synchronously: it removes the
 * actor from every queue it waits on, cancels its deadline timer, records
 * why, and schedules a resume event at the current time.  The first cause
 * wins; later ones are ignored until the actor waits again.
 *
 * Design note (deviation from DESIGN.md): script actors were meant to be
 * resumable state machines re-entering the blocked statement.  Blocking WSP
 * calls make partial progress (a blocking send copies what fits, then
 * waits), so re-entry would need a continuation record in every blocking
 * SPI function.  Coroutines keep the SPI's blocking code straight-line for
 * both kinds of actor and still cost no OS thread per actor.
 */
#include "config.h"

#include "sim/sim-private.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif

#ifdef SIM_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
                                     size_t *size_old);
#define ACTOR_STACK_SIZE (1024 * 1024)
#else
#define ACTOR_STACK_SIZE (256 * 1024)
#endif

/* How many times teardown resumes a killed actor that keeps waiting before
 * giving up on it. */
#define TEARDOWN_RESUME_LIMIT 1000

typedef enum {
    ACTOR_NEW,       /* start event pending */
    ACTOR_READY,     /* resume event pending */
    ACTOR_RUNNING,   /* holds the baton */
    ACTOR_BLOCKED,   /* in sim_actor_wait */
    ACTOR_DONE,      /* returned (or never started: killed first) */
    ACTOR_ABANDONED, /* terminated (sim_process_terminate): never runs again */
} ActorState;

typedef struct SimActor SimActor;
typedef struct ActorState_ ActorState_;

typedef struct {
    SimActor *actor;
    SimWaitQueue *queue;
    GList link; /* node in queue->waiters; data points back here */
} SimWaiter;

typedef struct {
    SimApcFn fn;
    void *data;
} SimApc;

typedef struct {
    char *key;
    void *data;
    GDestroyNotify destroy;
} ActorData;

struct SimActor {
    SimWorld *world;
    SimActorId id;
    SimProcessId pid;
    char *name;
    SimActorKind kind;
    SimActorFn fn;
    void *fn_data;
    ActorState state;
    SimEventId resume; /* the pending start or resume event */

    /* the current wait */
    SimWaiter *waiters;
    size_t n_waiters;
    SimEventId timer;
    SimTime deadline;
    guint wait_flags;
    SimWaitResult wake_result;
    size_t wake_index;

    bool killed;
    bool interrupt_pending;
    GQueue apcs; /* of SimApc* */
    GArray *data;

    /* coroutine backend */
    ucontext_t ctx;
    void *stack;
    size_t stack_size;
    unsigned valgrind_stack_id;
#ifdef SIM_ASAN
    void *fake_stack;
#endif

    /* thread backend */
    ActorState_ *st; /* the baton's lock lives there: kept while the thread may wake */
    GThread *thread;
    GCond cond;
    bool turn;     /* TRUE while this actor holds the baton */
    bool released; /* sim_actor_release() ended it on its own OS thread: no join */
};

typedef struct {
    SimProcessId id;
    SimNodeId node;
    char *name;
    bool alive;
    GArray *actors; /* of SimActorId */
    size_t n_running;
} SimProcess;

typedef struct {
    SimProcessHookFn fn;
    void *data;
} ProcessHook;

struct ActorState_ {
    GPtrArray *actors;    /* of SimActor*, index = id - 1 */
    GPtrArray *processes; /* of SimProcess*, index = id - 1 */
    GArray *exit_hooks;   /* of ProcessHook */
    SimActor *current;
    size_t n_alive;

    /* the scheduler's side of a coroutine switch */
    ucontext_t sched_ctx;
#ifdef SIM_ASAN
    const void *sched_stack_bottom;
    size_t sched_stack_size;
#endif
    /* the thread baton */
    GMutex lock;
    GCond sched_cond;

    /* an adopted OS thread (sim_actor_adopt) and the scheduler thread that
     * runs events while it waits */
    SimActor *adopted;
    GThread *sched_thread;
    SimTime release_until;
    bool releasing; /* sim_actor_release() called: drain to release_until, stop */
};

static void actors_free(SimWorld *world, void *state);

static ActorState_ *
actors(SimWorld *world)
{
    ActorState_ *st = sim__world_module(world, SIM_MOD_ACTOR);

    if (st == NULL) {
        st = g_new0(ActorState_, 1);
        st->actors = g_ptr_array_new();
        st->processes = g_ptr_array_new();
        st->exit_hooks = g_array_new(FALSE, FALSE, sizeof(ProcessHook));
        g_mutex_init(&st->lock);
        g_cond_init(&st->sched_cond);
        sim__world_set_module(world, SIM_MOD_ACTOR, st, actors_free);
    }
    return st;
}

static const ActorState_ *
actors_peek(const SimWorld *world)
{
    return sim__world_module(world, SIM_MOD_ACTOR);
}

static SimActor *
actor_get(const SimWorld *world, SimActorId id)
{
    const ActorState_ *st = actors_peek(world);

    if (st == NULL || id == 0 || id > st->actors->len)
        return NULL;
    return g_ptr_array_index(st->actors, id - 1);
}

static SimActor *
current_actor(SimWorld *world)
{
    const ActorState_ *st = actors_peek(world);
    return st ? st->current : NULL;
}

/* Finished, or terminated: it will never run again. */
static bool
actor_ended(const SimActor *a)
{
    return a->state == ACTOR_DONE || a->state == ACTOR_ABANDONED;
}

static SimProcess *
process_get(const SimWorld *world, SimProcessId id)
{
    const ActorState_ *st = actors_peek(world);

    if (st == NULL || id == 0 || id > st->processes->len)
        return NULL;
    return g_ptr_array_index(st->processes, id - 1);
}

/* ---- Wait queues ----------------------------------------------------- */

void
sim_waitq_init(SimWaitQueue *q)
{
    g_queue_init(&q->waiters);
}

bool
sim_waitq_is_empty(const SimWaitQueue *q)
{
    return q->waiters.head == NULL;
}

static void actor_wake(SimWorld *world, SimActor *a, SimWaitResult why, size_t index);

/**
 * sim_waitq_wake_all:
 * @world: the world
 * @q: the queue
 *
 * Every actor waiting on @q resumes, in the order it started waiting, as
 * events at the current time.
 */
void
sim_waitq_wake_all(SimWorld *world, SimWaitQueue *q)
{
    while (!g_queue_is_empty(&q->waiters)) {
        SimWaiter *w = g_queue_peek_head(&q->waiters);
        actor_wake(world, w->actor, SIM_WAIT_WOKEN, (size_t) (w - w->actor->waiters));
    }
}

bool
sim_waitq_wake_one(SimWorld *world, SimWaitQueue *q)
{
    SimWaiter *w = g_queue_peek_head(&q->waiters);

    if (w == NULL)
        return false;
    actor_wake(world, w->actor, SIM_WAIT_WOKEN, (size_t) (w - w->actor->waiters));
    return true;
}

/**
 * sim_waitq_clear:
 * Wakes every waiter (its wait returns SIM_WAIT_WOKEN; it re-checks the
 * object, finds it gone and fails) so @q can be freed.
 */
void
sim_waitq_clear(SimWorld *world, SimWaitQueue *q)
{
    sim_waitq_wake_all(world, q);
}

/* ---- Processes ------------------------------------------------------- */

/**
 * sim_process_new:
 * @world: the world
 * @node: the node it runs on
 * @name: a name, unique on @node by convention (not enforced)
 *
 * Returns: the new process's id (1, 2, ... in creation order).
 */
SimProcessId
sim_process_new(SimWorld *world, SimNodeId node, const char *name)
{
    ActorState_ *st;
    SimProcess *p;

    g_return_val_if_fail(world != NULL && name != NULL, SIM_ID_NONE);
    st = actors(world);
    p = g_new0(SimProcess, 1);
    p->id = st->processes->len + 1;
    p->node = node;
    p->name = g_strdup(name);
    p->alive = true;
    p->actors = g_array_new(FALSE, FALSE, sizeof(SimActorId));
    g_ptr_array_add(st->processes, p);
    return p->id;
}

SimNodeId
sim_process_node(const SimWorld *world, SimProcessId pid)
{
    SimProcess *p = process_get(world, pid);
    return p ? p->node : SIM_ID_NONE;
}

const char *
sim_process_name(const SimWorld *world, SimProcessId pid)
{
    SimProcess *p = process_get(world, pid);
    return p ? p->name : NULL;
}

SimProcessId
sim_process_lookup(const SimWorld *world, SimNodeId node, const char *name)
{
    const ActorState_ *st = actors_peek(world);

    if (st == NULL || name == NULL)
        return SIM_ID_NONE;
    for (guint i = 0; i < st->processes->len; i++) {
        SimProcess *p = g_ptr_array_index(st->processes, i);
        if (p->node == node && g_str_equal(p->name, name))
            return p->id;
    }
    return SIM_ID_NONE;
}

bool
sim_process_is_alive(const SimWorld *world, SimProcessId pid)
{
    SimProcess *p = process_get(world, pid);
    return p != NULL && p->alive;
}

void
sim_process_add_exit_hook(SimWorld *world, SimProcessHookFn fn, void *data)
{
    ProcessHook h = { fn, data };

    g_return_if_fail(world != NULL && fn != NULL);
    g_array_append_val(actors(world)->exit_hooks, h);
}

static void
process_exit(SimWorld *world, SimProcess *p)
{
    ActorState_ *st = actors(world);

    if (!p->alive)
        return;
    p->alive = false;
    for (guint i = 0; i < st->exit_hooks->len; i++) {
        ProcessHook *h = &g_array_index(st->exit_hooks, ProcessHook, i);
        h->fn(world, p->id, h->data);
    }
}

/**
 * sim_process_kill:
 * @world: the world
 * @pid: the process
 *
 * The process ends at once: exit hooks run (spi/ resets its sockets), then
 * every actor is marked killed — a blocked one resumes with
 * SIM_WAIT_KILLED, one not yet started never starts, and every later wait
 * of theirs returns SIM_WAIT_KILLED immediately so their code unwinds.
 */
void
sim_process_kill(SimWorld *world, SimProcessId pid)
{
    SimProcess *p = process_get(world, pid);

    g_return_if_fail(p != NULL);
    process_exit(world, p);
    for (guint i = 0; i < p->actors->len; i++) {
        SimActor *a = actor_get(world, g_array_index(p->actors, SimActorId, i));
        a->killed = true;
        if (a->state == ACTOR_BLOCKED)
            actor_wake(world, a, SIM_WAIT_KILLED, 0);
    }
}

static void actor_abandon(SimWorld *world, SimActor *a);

/**
 * sim_process_terminate:
 * @world: the world
 * @pid: the process
 * @keep: the actor that carries on, or SIM_ID_NONE; when @keep is an actor
 *   of @pid, the process exits when it finishes
 *
 * ExitProcess for the other actors of @pid: each one that has not finished
 * is abandoned at once, wherever it is.  It leaves every wait queue, its
 * deadline timer and its pending start or resume event are cancelled, it
 * counts as finished for its process and the world, and nothing — no wake,
 * no sim_process_kill(), no teardown — ever runs it again: unlike
 * sim_process_kill(), its code does not unwind (what it holds is not
 * freed).  A thread actor's OS thread stays parked on its baton for the
 * rest of the OS process and is never joined; its record and the baton lock
 * it sleeps on outlive the world (kept reachable in a static list).  A
 * coroutine actor's stack is released at once.
 *
 * When no actor of @pid is left (@keep is none, or not of @pid), the
 * process exits now: its exit hooks run.  Otherwise it exits as usual when
 * @keep, its last actor, finishes.  The running actor, if of @pid, must be
 * @keep.  Traces nothing: the caller says why the process ends.
 *
 * Returns: how many actors were abandoned.
 */
size_t
sim_process_terminate(SimWorld *world, SimProcessId pid, SimActorId keep)
{
    SimProcess *p = process_get(world, pid);
    SimActor *cur;
    size_t n = 0;

    g_return_val_if_fail(p != NULL, 0);
    cur = current_actor(world);
    g_return_val_if_fail(cur == NULL || cur->pid != pid || cur->id == keep, 0);
    for (guint i = 0; i < p->actors->len; i++) {
        SimActor *a = actor_get(world, g_array_index(p->actors, SimActorId, i));

        if (a->id == keep || actor_ended(a))
            continue;
        actor_abandon(world, a);
        n++;
    }
    if (p->n_running == 0 && !world->in_teardown)
        process_exit(world, p);
    return n;
}

GArray *
sim_node_processes(const SimWorld *world, SimNodeId node)
{
    const ActorState_ *st = actors_peek(world);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(SimProcessId));

    if (st == NULL)
        return out;
    for (guint i = 0; i < st->processes->len; i++) {
        SimProcess *p = g_ptr_array_index(st->processes, i);
        if (p->node == node)
            g_array_append_val(out, p->id);
    }
    return out;
}

/* ---- Switching ------------------------------------------------------- */

static void actor_finished(SimWorld *world, SimActor *a);

static void
coroutine_entry(unsigned int lo, unsigned int hi)
{
    SimActor *a = (SimActor *) (((uintptr_t) hi << 32) | (uintptr_t) lo);
    ActorState_ *st = actors(a->world);

#ifdef SIM_ASAN
    __sanitizer_finish_switch_fiber(NULL, &st->sched_stack_bottom, &st->sched_stack_size);
#endif
    if (!a->killed)
        a->fn(a->fn_data);
    a->state = ACTOR_DONE;
#ifdef SIM_ASAN
    /* This stack is never resumed: no fake stack to keep. */
    __sanitizer_start_switch_fiber(NULL, st->sched_stack_bottom, st->sched_stack_size);
#endif
    setcontext(&st->sched_ctx);
}

static gpointer
thread_entry(gpointer data)
{
    SimActor *a = data;
    /* Not actors(a->world): a thread abandoned before it got here may start
     * after its world was freed; its state outlives the world (graveyard). */
    ActorState_ *st = a->st;

    g_mutex_lock(&st->lock);
    while (!a->turn)
        g_cond_wait(&a->cond, &st->lock);
    g_mutex_unlock(&st->lock);
    sim__world_set_current(a->world);
    if (!a->killed)
        a->fn(a->fn_data);
    g_mutex_lock(&st->lock);
    a->state = ACTOR_DONE;
    a->turn = false;
    g_cond_signal(&st->sched_cond);
    g_mutex_unlock(&st->lock);
    return NULL;
}

static void
stack_alloc(SimActor *a)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t size = ACTOR_STACK_SIZE + (size_t) page;
    void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);

    if (mem == MAP_FAILED)
        g_error("actor stack: mmap of %zu bytes failed: %s", size, g_strerror(errno));
    /* A guard page below the stack turns an overflow into a fault. */
    if (mprotect(mem, (size_t) page, PROT_NONE) != 0)
        g_error("actor stack: mprotect failed: %s", g_strerror(errno));
    a->stack = mem;
    a->stack_size = size;
#ifdef HAVE_VALGRIND_VALGRIND_H
    a->valgrind_stack_id =
        VALGRIND_STACK_REGISTER((char *) mem + page, (char *) mem + size);
#endif
}

static void
stack_free(SimActor *a)
{
    if (a->stack == NULL)
        return;
#ifdef HAVE_VALGRIND_VALGRIND_H
    VALGRIND_STACK_DEREGISTER(a->valgrind_stack_id);
#endif
    munmap(a->stack, a->stack_size);
    a->stack = NULL;
}

/* Hand the baton to @a until it waits or finishes.  Scheduler side. */
static void
actor_switch_in(SimWorld *world, SimActor *a)
{
    ActorState_ *st = actors(world);
    SimActor *prev = st->current;

    g_assert(prev == NULL);
    st->current = a;
    a->state = ACTOR_RUNNING;
    if (a->kind == SIM_ACTOR_COROUTINE) {
#ifdef SIM_ASAN
        void *fake = NULL;
        __sanitizer_start_switch_fiber(&fake, (char *) a->stack + sysconf(_SC_PAGESIZE),
                                       ACTOR_STACK_SIZE);
#endif
        if (swapcontext(&st->sched_ctx, &a->ctx) != 0)
            g_error("swapcontext failed: %s", g_strerror(errno));
#ifdef SIM_ASAN
        __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
    } else {
        g_mutex_lock(&st->lock);
        a->turn = true;
        g_cond_signal(&a->cond);
        while (a->turn)
            g_cond_wait(&st->sched_cond, &st->lock);
        g_mutex_unlock(&st->lock);
        sim__world_set_current(world);
    }
    st->current = NULL;
    if (a->state == ACTOR_DONE)
        actor_finished(world, a);
}

/* Give the baton back to the scheduler and sleep until resumed.  Actor side. */
static void
actor_switch_out(SimWorld *world, SimActor *a)
{
    ActorState_ *st = actors(world);

    if (a->kind == SIM_ACTOR_COROUTINE) {
#ifdef SIM_ASAN
        __sanitizer_start_switch_fiber(&a->fake_stack, st->sched_stack_bottom,
                                       st->sched_stack_size);
#endif
        if (swapcontext(&a->ctx, &st->sched_ctx) != 0)
            g_error("swapcontext failed: %s", g_strerror(errno));
#ifdef SIM_ASAN
        __sanitizer_finish_switch_fiber(a->fake_stack, &st->sched_stack_bottom,
                                        &st->sched_stack_size);
#endif
    } else {
        g_mutex_lock(&st->lock);
        a->turn = false;
        g_cond_signal(&st->sched_cond);
        while (!a->turn)
            g_cond_wait(&a->cond, &st->lock);
        g_mutex_unlock(&st->lock);
        sim__world_set_current(world);
    }
}

static void
actor_finished(SimWorld *world, SimActor *a)
{
    ActorState_ *st = actors(world);
    SimProcess *p = process_get(world, a->pid);

    if (a->kind == SIM_ACTOR_COROUTINE) {
        stack_free(a);
    } else if (a->released) {
        /* Its OS thread goes on (it is ending the OS process): no join. */
        if (a->thread != NULL)
            g_thread_unref(a->thread);
        a->thread = NULL;
    } else if (a->thread != NULL) {
        g_thread_join(a->thread);
        a->thread = NULL;
    }
    g_assert(st->n_alive > 0);
    st->n_alive--;
    if (p != NULL) {
        g_assert(p->n_running > 0);
        if (--p->n_running == 0 && !world->in_teardown)
            process_exit(world, p);
    }
}

static void
actor_resume_event(SimWorld *world, void *data)
{
    SimActor *a = data;

    /* A killed actor that never started is still switched in: its entry
     * sees the kill and returns at once (a thread actor must be, to end). */
    a->resume = SIM_EVENT_ID_NONE;
    g_assert(a->state == ACTOR_NEW || a->state == ACTOR_READY);
    actor_switch_in(world, a);
}

/* ---- Actors ---------------------------------------------------------- */

/**
 * sim_actor_spawn:
 * @world: the world
 * @pid: the process it belongs to
 * @name: for traces and deadlock reports (copied)
 * @kind: coroutine or thread
 * @start_delay_ns: when it starts, from now
 * @fn: its body; may call sim_actor_wait() and any sim/ or spi/ function
 * @data: (transfer none): handed to @fn
 *
 * Returns: the actor's id (1, 2, ... in creation order).
 */
SimActorId
sim_actor_spawn(SimWorld *world, SimProcessId pid, const char *name, SimActorKind kind,
                SimTime start_delay_ns, SimActorFn fn, void *data)
{
    ActorState_ *st;
    SimProcess *p;
    SimActor *a;

    g_return_val_if_fail(world != NULL && fn != NULL, SIM_ID_NONE);
    p = process_get(world, pid);
    g_return_val_if_fail(p != NULL, SIM_ID_NONE);
    st = actors(world);

    a = g_new0(SimActor, 1);
    a->world = world;
    a->st = st;
    a->id = st->actors->len + 1;
    a->pid = pid;
    a->name = g_strdup(name ? name : "actor");
    a->kind = kind;
    a->fn = fn;
    a->fn_data = data;
    a->state = ACTOR_NEW;
    a->killed = !p->alive;
    g_queue_init(&a->apcs);
    g_ptr_array_add(st->actors, a);
    g_array_append_val(p->actors, a->id);
    p->n_running++;
    st->n_alive++;

    if (kind == SIM_ACTOR_COROUTINE) {
        uintptr_t ptr = (uintptr_t) a;
        stack_alloc(a);
        if (getcontext(&a->ctx) != 0)
            g_error("getcontext failed: %s", g_strerror(errno));
        a->ctx.uc_stack.ss_sp = (char *) a->stack + sysconf(_SC_PAGESIZE);
        a->ctx.uc_stack.ss_size = ACTOR_STACK_SIZE;
        a->ctx.uc_link = NULL;
        makecontext(&a->ctx, (void (*)(void)) coroutine_entry, 2, (unsigned int) (ptr & 0xffffffffu),
                    (unsigned int) (ptr >> 32));
    } else {
        char *tname = g_strdup_printf("actor-%u", a->id);
        g_cond_init(&a->cond);
        a->thread = g_thread_new(tname, thread_entry, a);
        g_free(tname);
    }
    a->resume = sim_event_schedule(world, start_delay_ns, actor_resume_event, a);
    return a->id;
}

SimActorId
sim_actor_current(const SimWorld *world)
{
    const ActorState_ *st = actors_peek(world);
    return (st && st->current) ? st->current->id : SIM_ID_NONE;
}

SimProcessId
sim_actor_process(const SimWorld *world, SimActorId actor)
{
    SimActor *a = actor_get(world, actor);
    return a ? a->pid : SIM_ID_NONE;
}

const char *
sim_actor_name(const SimWorld *world, SimActorId actor)
{
    SimActor *a = actor_get(world, actor);
    return a ? a->name : NULL;
}

bool
sim_actor_is_alive(const SimWorld *world, SimActorId actor)
{
    SimActor *a = actor_get(world, actor);
    return a != NULL && !actor_ended(a);
}

bool
sim_actor_is_blocked(const SimWorld *world, SimActorId actor)
{
    SimActor *a = actor_get(world, actor);
    return a != NULL && a->state == ACTOR_BLOCKED;
}

size_t
sim_world_actors_alive(const SimWorld *world)
{
    const ActorState_ *st = actors_peek(world);
    return st ? st->n_alive : 0;
}

GArray *
sim_world_blocked_actors(const SimWorld *world)
{
    const ActorState_ *st = actors_peek(world);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(SimActorId));

    if (st == NULL)
        return out;
    for (guint i = 0; i < st->actors->len; i++) {
        SimActor *a = g_ptr_array_index(st->actors, i);
        if (a->state == ACTOR_BLOCKED && a->timer == SIM_EVENT_ID_NONE)
            g_array_append_val(out, a->id);
    }
    return out;
}

static void
waiters_detach(SimActor *a)
{
    for (size_t i = 0; i < a->n_waiters; i++) {
        SimWaiter *w = &a->waiters[i];
        g_queue_unlink(&w->queue->waiters, &w->link);
    }
    g_free(a->waiters);
    a->waiters = NULL;
    a->n_waiters = 0;
}

static void
actor_wake(SimWorld *world, SimActor *a, SimWaitResult why, size_t index)
{
    if (a->state != ACTOR_BLOCKED)
        return;
    waiters_detach(a);
    if (a->timer != SIM_EVENT_ID_NONE) {
        sim_event_cancel(world, a->timer);
        a->timer = SIM_EVENT_ID_NONE;
    }
    a->wake_result = why;
    a->wake_index = index;
    a->state = ACTOR_READY;
    if (world->in_teardown)
        return; /* teardown resumes actors directly */
    a->resume = sim_event_schedule(world, 0, actor_resume_event, a);
}

/* sim_process_terminate() on one actor: detach it from everything that
 * could resume it and count it finished; its thread stays parked. */
static void
actor_abandon(SimWorld *world, SimActor *a)
{
    ActorState_ *st = actors(world);
    SimProcess *p = process_get(world, a->pid);

    g_assert(a->state != ACTOR_RUNNING);
    waiters_detach(a);
    if (a->timer != SIM_EVENT_ID_NONE) {
        sim_event_cancel(world, a->timer);
        a->timer = SIM_EVENT_ID_NONE;
    }
    if (a->resume != SIM_EVENT_ID_NONE) {
        sim_event_cancel(world, a->resume);
        a->resume = SIM_EVENT_ID_NONE;
    }
    a->killed = true;
    a->state = ACTOR_ABANDONED;
    if (a->kind == SIM_ACTOR_COROUTINE)
        stack_free(a); /* never switched to again */
    g_assert(st->n_alive > 0 && p->n_running > 0);
    st->n_alive--;
    p->n_running--;
}

static void
actor_timeout_event(SimWorld *world, void *data)
{
    SimActor *a = data;

    a->timer = SIM_EVENT_ID_NONE;
    actor_wake(world, a, SIM_WAIT_TIMEOUT, 0);
}

static void
run_apcs(SimActor *a)
{
    SimApc *apc;

    while ((apc = g_queue_pop_head(&a->apcs)) != NULL) {
        SimApcFn fn = apc->fn;
        void *data = apc->data;
        g_free(apc);
        fn(data);
    }
}

/**
 * sim_actor_wait:
 * @world: the world
 * @queues: (array length=n_queues): queues to wait on (the actor is queued
 *   on each, at its tail)
 * @n_queues: how many; 0 for a pure sleep until @deadline_ns
 * @deadline_ns: absolute; SIM_TIME_INFINITE for none; a deadline at or
 *   before now times out at once (after other events due now)
 * @flags: SIM_WAIT_ALERTABLE and/or SIM_WAIT_INTERRUPTIBLE
 * @out_index: (out) (optional): which queue woke it
 *
 * Returns: why the wait ended.  An alertable wait with APCs already queued
 * runs them and returns SIM_WAIT_APC without blocking (Win32 semantics).
 */
SimWaitResult
sim_actor_wait(SimWorld *world, SimWaitQueue *const *queues, size_t n_queues,
               SimTime deadline_ns, guint flags, size_t *out_index)
{
    SimActor *a;

    g_return_val_if_fail(world != NULL, SIM_WAIT_KILLED);
    a = current_actor(world);
    g_return_val_if_fail(a != NULL, SIM_WAIT_KILLED);
    g_return_val_if_fail(n_queues == 0 || queues != NULL, SIM_WAIT_KILLED);

    if (a->killed)
        return SIM_WAIT_KILLED;
    if ((flags & SIM_WAIT_INTERRUPTIBLE) && a->interrupt_pending) {
        a->interrupt_pending = false;
        return SIM_WAIT_INTERRUPTED;
    }
    if ((flags & SIM_WAIT_ALERTABLE) && !g_queue_is_empty(&a->apcs)) {
        run_apcs(a);
        return SIM_WAIT_APC;
    }
    if (n_queues == 0 && deadline_ns == SIM_TIME_INFINITE && !(flags & SIM_WAIT_ALERTABLE) &&
        !(flags & SIM_WAIT_INTERRUPTIBLE))
        g_warning("actor %s waits forever on nothing", a->name);

    a->waiters = n_queues ? g_new(SimWaiter, n_queues) : NULL;
    a->n_waiters = n_queues;
    for (size_t i = 0; i < n_queues; i++) {
        SimWaiter *w = &a->waiters[i];
        w->actor = a;
        w->queue = queues[i];
        w->link.data = w;
        w->link.prev = w->link.next = NULL;
        g_queue_push_tail_link(&queues[i]->waiters, &w->link);
    }
    a->wait_flags = flags;
    a->deadline = deadline_ns;
    a->timer = SIM_EVENT_ID_NONE;
    if (deadline_ns != SIM_TIME_INFINITE)
        a->timer = sim_event_schedule_at(world, MAX(deadline_ns, world->now), actor_timeout_event, a);
    a->state = ACTOR_BLOCKED;

    actor_switch_out(world, a);

    g_assert(a->state == ACTOR_RUNNING);
    if (out_index != NULL)
        *out_index = a->wake_index;
    if (a->wake_result == SIM_WAIT_APC)
        run_apcs(a);
    return a->wake_result;
}

SimWaitResult
sim_actor_sleep(SimWorld *world, SimTime delay_ns, bool alertable)
{
    SimTime deadline =
        delay_ns >= SIM_TIME_INFINITE - world->now ? SIM_TIME_INFINITE : world->now + delay_ns;
    return sim_actor_wait(world, NULL, 0, deadline, alertable ? SIM_WAIT_ALERTABLE : 0, NULL);
}

void
sim_actor_yield(SimWorld *world)
{
    sim_actor_wait(world, NULL, 0, world->now, 0, NULL);
}

/**
 * sim_actor_interrupt:
 * Ends @actor's interruptible wait with SIM_WAIT_INTERRUPTED.  Called on the
 * running actor itself (from an APC or blocking hook), it makes the next
 * interruptible wait return at once.
 *
 * Returns: FALSE if @actor is neither in an interruptible wait nor running.
 */
bool
sim_actor_interrupt(SimWorld *world, SimActorId actor)
{
    SimActor *a = actor_get(world, actor);

    if (a == NULL)
        return false;
    if (a->state == ACTOR_BLOCKED && (a->wait_flags & SIM_WAIT_INTERRUPTIBLE)) {
        actor_wake(world, a, SIM_WAIT_INTERRUPTED, 0);
        return true;
    }
    if (a->state == ACTOR_RUNNING) {
        a->interrupt_pending = true;
        return true;
    }
    return false;
}

/**
 * sim_actor_queue_apc:
 * Queues @fn(@data) to run on @actor at its next alertable wait, in FIFO
 * order.  An actor blocked in an alertable wait resumes to run it.
 *
 * Returns: FALSE if the actor does not exist or has finished.
 */
bool
sim_actor_queue_apc(SimWorld *world, SimActorId actor, SimApcFn fn, void *data)
{
    SimActor *a = actor_get(world, actor);
    SimApc *apc;

    if (a == NULL || actor_ended(a) || fn == NULL)
        return false;
    apc = g_new(SimApc, 1);
    apc->fn = fn;
    apc->data = data;
    g_queue_push_tail(&a->apcs, apc);
    if (a->state == ACTOR_BLOCKED && (a->wait_flags & SIM_WAIT_ALERTABLE))
        actor_wake(world, a, SIM_WAIT_APC, 0);
    return true;
}

size_t
sim_actor_apcs_pending(const SimWorld *world, SimActorId actor)
{
    SimActor *a = actor_get(world, actor);
    return a ? g_queue_get_length(&a->apcs) : 0;
}

void
sim_actor_set_data(SimWorld *world, SimActorId actor, const char *key, void *data,
                   GDestroyNotify destroy)
{
    SimActor *a = actor_get(world, actor);

    g_return_if_fail(a != NULL && key != NULL);
    if (a->data == NULL)
        a->data = g_array_new(FALSE, FALSE, sizeof(ActorData));
    for (guint i = 0; i < a->data->len; i++) {
        ActorData *d = &g_array_index(a->data, ActorData, i);
        if (g_str_equal(d->key, key)) {
            if (d->destroy != NULL && d->data != data)
                d->destroy(d->data);
            d->data = data;
            d->destroy = destroy;
            return;
        }
    }
    ActorData nd = { g_strdup(key), data, destroy };
    g_array_append_val(a->data, nd);
}

void *
sim_actor_get_data(const SimWorld *world, SimActorId actor, const char *key)
{
    SimActor *a = actor_get(world, actor);

    if (a == NULL || a->data == NULL || key == NULL)
        return NULL;
    for (guint i = 0; i < a->data->len; i++) {
        ActorData *d = &g_array_index(a->data, ActorData, i);
        if (g_str_equal(d->key, key))
            return d->data;
    }
    return NULL;
}

/* ---- Teardown -------------------------------------------------------- */

/* Abandoned thread actors outlive their world.  Their OS threads sleep, for
 * the rest of the OS process, on the actor's condition variable under the
 * world's baton lock (a wake-up re-checks the actor's turn), so neither
 * record may be freed or cleared: teardown hands them here, where they stay
 * reachable (valgrind: "still reachable", not "lost") and are never touched
 * again. */
static GMutex graveyard_lock;
static GPtrArray *graveyard;

static void
graveyard_keep(void *record)
{
    g_mutex_lock(&graveyard_lock);
    if (graveyard == NULL)
        graveyard = g_ptr_array_new();
    g_ptr_array_add(graveyard, record);
    g_mutex_unlock(&graveyard_lock);
}

/* Whether @a's OS thread is parked for good (sim_process_terminate). */
static bool
actor_parked_forever(const SimActor *a)
{
    return a->state == ACTOR_ABANDONED && a->kind == SIM_ACTOR_THREAD;
}

static void
actor_free(SimActor *a)
{
    SimApc *apc;

    while ((apc = g_queue_pop_head(&a->apcs)) != NULL)
        g_free(apc);
    if (a->data != NULL) {
        for (guint i = a->data->len; i > 0; i--) {
            ActorData *d = &g_array_index(a->data, ActorData, i - 1);
            if (d->destroy != NULL)
                d->destroy(d->data);
            g_free(d->key);
        }
        g_array_free(a->data, TRUE);
    }
    stack_free(a);
    g_free(a->waiters);
    a->waiters = NULL;
    g_free(a->name);
    a->name = NULL;
    if (actor_parked_forever(a)) {
        graveyard_keep(a); /* with its condition variable and GThread */
        return;
    }
    if (a->kind == SIM_ACTOR_THREAD)
        g_cond_clear(&a->cond);
    g_free(a);
}

/* Kill every live actor and let each unwind: the world is going away. */
static void
actors_free(SimWorld *world, void *state)
{
    ActorState_ *st = state;
    bool parked = false;

    for (guint i = 0; i < st->actors->len; i++) {
        SimActor *a = g_ptr_array_index(st->actors, i);
        int rounds = 0;

        if (a->state == ACTOR_ABANDONED)
            continue; /* never runs again, not even to unwind */
        a->killed = true;
        if (a->state == ACTOR_NEW) {
            /* Its entry sees the kill and returns at once. */
            actor_switch_in(world, a);
            continue;
        }
        while (a->state != ACTOR_DONE && rounds++ < TEARDOWN_RESUME_LIMIT) {
            if (a->state == ACTOR_BLOCKED)
                actor_wake(world, a, SIM_WAIT_KILLED, 0);
            a->wake_result = SIM_WAIT_KILLED;
            actor_switch_in(world, a);
        }
        if (a->state != ACTOR_DONE) {
            g_warning("actor %s ignored %d kills; abandoning it", a->name, TEARDOWN_RESUME_LIMIT);
            a->state = ACTOR_DONE;
        }
    }
    for (guint i = 0; i < st->actors->len; i++) {
        SimActor *a = g_ptr_array_index(st->actors, i);

        parked = parked || actor_parked_forever(a);
        actor_free(a);
    }
    for (guint i = 0; i < st->processes->len; i++) {
        SimProcess *p = g_ptr_array_index(st->processes, i);
        g_array_free(p->actors, TRUE);
        g_free(p->name);
        g_free(p);
    }
    g_ptr_array_free(st->actors, TRUE);
    g_ptr_array_free(st->processes, TRUE);
    g_array_free(st->exit_hooks, TRUE);
    st->actors = st->processes = NULL;
    st->exit_hooks = NULL;
    if (parked) {
        graveyard_keep(st); /* parked threads sleep under st->lock */
        return;
    }
    g_mutex_clear(&st->lock);
    g_cond_clear(&st->sched_cond);
    g_free(st);
}

/* ---- Adopting an existing OS thread ---------------------------------- */

/* The scheduler's side when an OS thread was adopted: it starts as if it had
 * just handed the baton to the adopted actor, then runs events whenever the
 * actors wait.  When the world goes idle while the adopted actor still
 * waits with nothing left to wake it, that wait can never end: it is a
 * deadlock, reported on stderr, and the wait fails (SIM_WAIT_KILLED) so the
 * application's blocking call returns an error instead of hanging.  Once
 * sim_actor_release() ended the thread, it runs the world on up to the
 * release limit and stops. */
static gpointer
scheduler_thread(gpointer data)
{
    SimActor *a = data;
    SimWorld *world = a->world;
    ActorState_ *st = actors(world);

    sim__world_set_current(world);
    g_mutex_lock(&st->lock);
    while (a->turn)
        g_cond_wait(&st->sched_cond, &st->lock);
    g_mutex_unlock(&st->lock);
    st->current = NULL;
    if (a->state == ACTOR_DONE)
        actor_finished(world, a);
    for (;;) {
        bool released = st->releasing;
        SimRunResult res =
            sim_world_run_until(world, released ? st->release_until : SIM_TIME_INFINITE);

        if (released)
            break;
        if (res == SIM_RUN_STOPPED && st->releasing)
            continue; /* released during that run: now the limited one */
        if (res != SIM_RUN_IDLE)
            break;
        if (a->state == ACTOR_ABANDONED) {
            /* Terminated, and the thread that did it waits instead of
             * releasing the world: nothing can end that wait. */
            g_printerr("wspsim: deadlock at t=%" G_GUINT64_FORMAT " ns: thread %s was "
                       "terminated and no thread releases the world\n",
                       sim_world_now(world), a->name);
            break;
        }
        if (a->state == ACTOR_BLOCKED) {
            g_printerr("wspsim: deadlock at t=%" G_GUINT64_FORMAT " ns: thread %s waits for "
                       "something that can no longer happen; its call fails\n",
                       sim_world_now(world), a->name);
            actor_wake(world, a, SIM_WAIT_KILLED, 0);
        }
    }
    sim__world_set_current(NULL);
    return NULL;
}

/**
 * sim_actor_adopt:
 * @world: a world not running on any thread
 * @pid: the process the thread belongs to
 * @name: for traces
 *
 * Makes the calling OS thread an actor of @pid (the ws2/ layer uses it for
 * an application's main thread).  The caller holds the baton: it runs now,
 * and from its first wait on, a scheduler thread runs the world's events
 * while it is parked.  At most one thread per world is adopted.
 *
 * Returns: the actor's id.
 */
SimActorId
sim_actor_adopt(SimWorld *world, SimProcessId pid, const char *name)
{
    ActorState_ *st;
    SimProcess *p;
    SimActor *a;

    g_return_val_if_fail(world != NULL, SIM_ID_NONE);
    p = process_get(world, pid);
    g_return_val_if_fail(p != NULL, SIM_ID_NONE);
    st = actors(world);
    g_return_val_if_fail(st->adopted == NULL && st->current == NULL, SIM_ID_NONE);

    a = g_new0(SimActor, 1);
    a->world = world;
    a->st = st;
    a->id = st->actors->len + 1;
    a->pid = pid;
    a->name = g_strdup(name ? name : "main");
    a->kind = SIM_ACTOR_THREAD;
    a->state = ACTOR_RUNNING;
    a->turn = true;
    g_queue_init(&a->apcs);
    g_cond_init(&a->cond);
    g_ptr_array_add(st->actors, a);
    g_array_append_val(p->actors, a->id);
    p->n_running++;
    st->n_alive++;
    st->adopted = a;
    st->current = a;
    st->release_until = SIM_TIME_INFINITE;
    sim__world_set_current(world);
    st->sched_thread = g_thread_new("wspsim-scheduler", scheduler_thread, a);
    return a->id;
}

/**
 * sim_actor_release:
 * @world: the world whose thread was adopted; call from that thread or,
 *   once sim_process_terminate() abandoned the adopted actor, from the
 *   thread actor that did it (an exit() on another thread)
 * @until_ns: run the world's remaining events up to this time (absolute;
 *   SIM_TIME_INFINITE: until idle)
 *
 * Ends the calling actor as if its function had returned (its process
 * exits if it was the last actor), lets the scheduler run what is left up
 * to @until_ns, and returns once the world is quiet, so the caller may read
 * results or free the world.  A thread actor released this way is not
 * joined: its OS thread is the caller, which goes on.
 */
void
sim_actor_release(SimWorld *world, SimTime until_ns)
{
    ActorState_ *st;
    SimActor *a;

    g_return_if_fail(world != NULL);
    st = actors(world);
    a = st->current;
    g_return_if_fail(st->adopted != NULL && a != NULL && a->kind == SIM_ACTOR_THREAD);
    g_return_if_fail(a == st->adopted || st->adopted->state == ACTOR_ABANDONED);
    st->release_until = until_ns;
    st->releasing = true;
    a->released = a != st->adopted;
    /* The scheduler is inside a run without a limit (the one that resumed
     * this actor): end it after this event, so the limit applies. */
    sim_world_stop(world);
    g_mutex_lock(&st->lock);
    a->state = ACTOR_DONE;
    a->turn = false;
    g_cond_signal(&st->sched_cond);
    g_mutex_unlock(&st->lock);
    g_thread_join(st->sched_thread);
    st->sched_thread = NULL;
    st->adopted = NULL;
    st->releasing = false;
    sim__world_set_current(world);
}
