/* SPDX-License-Identifier: MIT
 * test-actor: actors on both backends, wait queues, time-outs, interrupts,
 * APCs in alertable waits only, kills and teardown. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/sim.h"

typedef struct {
    SimWorld *w;
    GString *log;
    SimWaitQueue q;
    SimActorKind kind;
    int unwound;
} Ctx;

static void
logf_(Ctx *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
logf_(Ctx *c, const char *fmt, ...)
{
    va_list ap;
    g_string_append_printf(c->log, "%" G_GUINT64_FORMAT ":", sim_world_now(c->w));
    va_start(ap, fmt);
    g_string_append_vprintf(c->log, fmt, ap);
    va_end(ap);
    g_string_append_c(c->log, ' ');
}

static Ctx *
ctx_new(SimActorKind kind)
{
    Ctx *c = g_new0(Ctx, 1);
    c->w = sim_world_new(1);
    c->log = g_string_new(NULL);
    c->kind = kind;
    sim_waitq_init(&c->q);
    return c;
}

static void
ctx_free(Ctx *c)
{
    sim_world_free(c->w);
    g_string_free(c->log, TRUE);
    g_free(c);
}

/* ---- sleeping actors interleave by simulated time ---- */

typedef struct {
    Ctx *c;
    const char *name;
    SimTime step;
} Sleeper;

static void
sleeper_body(void *data)
{
    Sleeper *s = data;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sim_actor_sleep(s->c->w, s->step, false), SIM_WAIT_TIMEOUT);
        logf_(s->c, "%s", s->name);
    }
}

static void
run_sleepers(SimActorKind kind, GString *out)
{
    Ctx *c = ctx_new(kind);
    SimProcessId p = sim_process_new(c->w, 1, "p");
    Sleeper a = { c, "a", 10 }, b = { c, "b", 4 };

    sim_actor_spawn(c->w, p, "a", kind, 0, sleeper_body, &a);
    sim_actor_spawn(c->w, p, "b", kind, 1, sleeper_body, &b);
    assert_int_equal(sim_world_actors_alive(c->w), 2);
    assert_int_equal(sim_world_run(c->w), SIM_RUN_IDLE);
    assert_int_equal(sim_world_actors_alive(c->w), 0);
    g_string_assign(out, c->log->str);
    ctx_free(c);
}

static void
test_actor_sleep_interleaves(void **state)
{
    (void) state;
    g_autoptr(GString) co = g_string_new(NULL);
    g_autoptr(GString) th = g_string_new(NULL);

    run_sleepers(SIM_ACTOR_COROUTINE, co);
    assert_string_equal(co->str, "5:b 9:b 10:a 13:b 20:a 30:a ");
    run_sleepers(SIM_ACTOR_THREAD, th);
    assert_string_equal(th->str, co->str);
}

/* ---- wait queues: wake order, index, time-out ---- */

typedef struct {
    Ctx *c;
    int tag;
    SimWaitQueue *extra;
} Waiter;

static void
waiter_body(void *data)
{
    Waiter *wt = data;
    SimWaitQueue *qs[2] = { wt->extra, &wt->c->q };
    size_t idx = 99;
    SimWaitResult r;

    if (wt->extra != NULL)
        r = sim_actor_wait(wt->c->w, qs, 2, SIM_TIME_INFINITE, 0, &idx);
    else
        r = sim_actor_wait(wt->c->w, &qs[1], 1, 50, 0, &idx);
    logf_(wt->c, "w%d=%d/%zu", wt->tag, (int) r, r == SIM_WAIT_WOKEN ? idx : 0);
}

static void
wake_all_event(SimWorld *world, void *data)
{
    Ctx *c = data;
    sim_waitq_wake_all(world, &c->q);
}

static void
test_actor_waitq_order_and_timeout(void **state)
{
    (void) state;
    for (int k = 0; k < 2; k++) {
        SimActorKind kind = k ? SIM_ACTOR_THREAD : SIM_ACTOR_COROUTINE;
        Ctx *c = ctx_new(kind);
        SimWaitQueue other;
        SimProcessId p = sim_process_new(c->w, 1, "p");
        Waiter w1 = { c, 1, &other }, w2 = { c, 2, NULL }, w3 = { c, 3, NULL };

        sim_waitq_init(&other);
        sim_actor_spawn(c->w, p, "w3", kind, 2, waiter_body, &w3);
        sim_actor_spawn(c->w, p, "w1", kind, 0, waiter_body, &w1);
        sim_actor_spawn(c->w, p, "w2", kind, 1, waiter_body, &w2);
        sim_event_schedule(c->w, 7, wake_all_event, c);
        sim_world_run(c->w);
        /* Woken in arrival order (w1 at 0, w2 at 1, w3 at 2); w1 by its
         * second queue (index 1). */
        assert_string_equal(c->log->str, "7:w1=0/1 7:w2=0/0 7:w3=0/0 ");
        assert_true(sim_waitq_is_empty(&c->q));
        assert_true(sim_waitq_is_empty(&other));
        ctx_free(c);
    }
    /* Nobody wakes them: both time out at 50; the no-deadline one is
     * reported blocked. */
    Ctx *c = ctx_new(SIM_ACTOR_COROUTINE);
    SimWaitQueue other;
    SimProcessId p = sim_process_new(c->w, 1, "p");
    Waiter w1 = { c, 1, &other }, w2 = { c, 2, NULL };
    sim_waitq_init(&other);
    SimActorId a1 = sim_actor_spawn(c->w, p, "w1", SIM_ACTOR_COROUTINE, 0, waiter_body, &w1);
    sim_actor_spawn(c->w, p, "w2", SIM_ACTOR_COROUTINE, 0, waiter_body, &w2);
    assert_int_equal(sim_world_run(c->w), SIM_RUN_IDLE);
    assert_string_equal(c->log->str, "50:w2=1/0 ");
    GArray *blocked = sim_world_blocked_actors(c->w);
    assert_int_equal(blocked->len, 1);
    assert_int_equal(g_array_index(blocked, SimActorId, 0), a1);
    assert_true(sim_actor_is_blocked(c->w, a1));
    g_array_free(blocked, TRUE);
    ctx_free(c); /* teardown kills w1; it logs KILLED (4) */
}

/* ---- interrupts ---- */

typedef struct {
    Ctx *c;
    SimActorId target;
} Interrupter;

static void
interruptible_body(void *data)
{
    Ctx *c = data;
    SimWaitQueue *q = &c->q;
    SimWaitResult r = sim_actor_wait(c->w, &q, 1, 100, SIM_WAIT_INTERRUPTIBLE, NULL);
    logf_(c, "i=%d", (int) r);
    r = sim_actor_wait(c->w, &q, 1, 200, 0, NULL);
    logf_(c, "n=%d", (int) r);
}

static void
interrupt_event(SimWorld *world, void *data)
{
    Interrupter *it = data;
    bool ok = sim_actor_interrupt(world, it->target);
    logf_(it->c, "int=%d", ok);
}

static void
test_actor_interrupt(void **state)
{
    (void) state;
    Ctx *c = ctx_new(SIM_ACTOR_COROUTINE);
    SimProcessId p = sim_process_new(c->w, 1, "p");
    Interrupter it1 = { c, 0 }, it2 = { c, 0 };

    it1.target = it2.target = sim_actor_spawn(c->w, p, "x", SIM_ACTOR_COROUTINE, 0,
                                              interruptible_body, c);
    sim_event_schedule(c->w, 10, interrupt_event, &it1);
    sim_event_schedule(c->w, 20, interrupt_event, &it2);
    sim_world_run(c->w);
    /* First wait interrupted at 10; the second (not interruptible) ignores
     * the interrupt at 20 and times out at 200. */
    assert_string_equal(c->log->str, "10:int=1 10:i=2 20:int=0 200:n=1 ");
    ctx_free(c);
}

/* ---- APCs run only in alertable waits ---- */

static void
apc_fn(void *data)
{
    Ctx *c = data;
    logf_(c, "apc");
}

static void
apc_body(void *data)
{
    Ctx *c = data;
    SimWaitResult r = sim_actor_sleep(c->w, 10, false); /* APC queued at 5 must not run */
    logf_(c, "s1=%d", (int) r);
    r = sim_actor_sleep(c->w, 100, true); /* runs it at once */
    logf_(c, "s2=%d", (int) r);
    r = sim_actor_sleep(c->w, 100, true); /* APC queued at 30 wakes it */
    logf_(c, "s3=%d", (int) r);
}

typedef struct {
    Ctx *c;
    SimActorId target;
} ApcQueuer;

static void
queue_apc_event(SimWorld *world, void *data)
{
    ApcQueuer *q = data;
    assert_true(sim_actor_queue_apc(world, q->target, apc_fn, q->c));
}

static void
test_actor_apc_only_when_alertable(void **state)
{
    (void) state;
    for (int k = 0; k < 2; k++) {
        SimActorKind kind = k ? SIM_ACTOR_THREAD : SIM_ACTOR_COROUTINE;
        Ctx *c = ctx_new(kind);
        SimProcessId p = sim_process_new(c->w, 1, "p");
        ApcQueuer q1 = { c, 0 }, q2 = { c, 0 };
        q1.target = q2.target = sim_actor_spawn(c->w, p, "x", kind, 0, apc_body, c);
        sim_event_schedule(c->w, 5, queue_apc_event, &q1);
        sim_event_schedule(c->w, 30, queue_apc_event, &q2);
        sim_world_run(c->w);
        assert_string_equal(c->log->str, "10:s1=1 10:apc 10:s2=3 30:apc 30:s3=3 ");
        assert_int_equal(sim_actor_apcs_pending(c->w, q1.target), 0);
        ctx_free(c);
    }
}

/* ---- kills, exit hooks, teardown ---- */

static void
forever_body(void *data)
{
    Ctx *c = data;
    SimWaitQueue *q = &c->q;
    SimWaitResult r = sim_actor_wait(c->w, &q, 1, SIM_TIME_INFINITE, 0, NULL);
    logf_(c, "r=%d", (int) r);
    /* Every later wait returns at once. */
    r = sim_actor_sleep(c->w, 1000, false);
    logf_(c, "r2=%d", (int) r);
    c->unwound++;
}

static void
exit_hook(SimWorld *world, SimProcessId pid, void *data)
{
    Ctx *c = data;
    logf_(c, "exit:%s", sim_process_name(world, pid));
}

static void
kill_event(SimWorld *world, void *data)
{
    SimProcessId *pid = data;
    sim_process_kill(world, *pid);
}

static void
test_actor_kill_and_exit_hooks(void **state)
{
    (void) state;
    for (int k = 0; k < 2; k++) {
        SimActorKind kind = k ? SIM_ACTOR_THREAD : SIM_ACTOR_COROUTINE;
        Ctx *c = ctx_new(kind);
        SimProcessId p = sim_process_new(c->w, 1, "victim");
        SimProcessId q = sim_process_new(c->w, 2, "bystander");
        Sleeper s = { c, "s", 3 };

        sim_process_add_exit_hook(c->w, exit_hook, c);
        sim_actor_spawn(c->w, p, "f", kind, 0, forever_body, c);
        sim_actor_spawn(c->w, p, "late", kind, 100, forever_body, c); /* never starts */
        sim_actor_spawn(c->w, q, "s", kind, 0, sleeper_body, &s);
        sim_event_schedule(c->w, 5, kill_event, &p);
        sim_world_run(c->w);
        assert_string_equal(c->log->str, "3:s 5:exit:victim 5:r=4 5:r2=4 6:s 9:s 9:exit:bystander ");
        assert_int_equal(c->unwound, 1);
        assert_false(sim_process_is_alive(c->w, p));
        assert_int_equal(sim_world_actors_alive(c->w), 0);
        assert_int_equal(sim_process_lookup(c->w, 2, "bystander"), q);
        assert_int_equal(sim_process_node(c->w, q), 2);
        ctx_free(c);
    }
}

static void
test_actor_teardown_unwinds_blocked(void **state)
{
    (void) state;
    for (int k = 0; k < 2; k++) {
        SimActorKind kind = k ? SIM_ACTOR_THREAD : SIM_ACTOR_COROUTINE;
        Ctx *c = ctx_new(kind);
        SimProcessId p = sim_process_new(c->w, 1, "p");
        for (int i = 0; i < 5; i++)
            sim_actor_spawn(c->w, p, "f", kind, 0, forever_body, c);
        sim_world_run(c->w);
        assert_int_equal(sim_world_actors_alive(c->w), 5);
        sim_world_free(c->w);
        c->w = NULL;
        assert_int_equal(c->unwound, 5);
        g_string_free(c->log, TRUE);
        g_free(c);
    }
}

/* ---- terminating a process abandons its actors ---- */

typedef struct {
    Ctx *c;
    SimProcessId victim;
    size_t terminated;
} TermCase;

static void
sleep_forever_body(void *data)
{
    Ctx *c = data;

    sim_actor_sleep(c->w, 1000, false);
    logf_(c, "slept"); /* never: terminated first */
    c->unwound++;
}

/* At 5: wake the queue (its two waiters are now due to resume), then
 * terminate the victim in the same event. */
static void
terminate_event(SimWorld *world, void *data)
{
    TermCase *t = data;

    sim_waitq_wake_all(world, &t->c->q);
    t->terminated = sim_process_terminate(world, t->victim, SIM_ID_NONE);
    logf_(t->c, "terminated:%zu", t->terminated);
}

/* Later wakes and kills find nothing to resume. */
static void
poke_event(SimWorld *world, void *data)
{
    TermCase *t = data;

    sim_waitq_wake_all(world, &t->c->q);
    sim_process_kill(world, t->victim);
}

/* Blocked (woken but not yet resumed), sleeping and never-started actors
 * are abandoned where they stand: none runs again — no SIM_WAIT_KILLED, no
 * unwinding, not at teardown — the exit hooks run at once, and another
 * process carries on.  Same on both backends. */
static void
test_actor_terminate_abandons(void **state)
{
    const char *want = "3:s 5:exit:victim 5:terminated:4 6:s 9:s 9:exit:bystander ";

    (void) state;
    for (int k = 0; k < 2; k++) {
        SimActorKind kind = k ? SIM_ACTOR_THREAD : SIM_ACTOR_COROUTINE;
        Ctx *c = ctx_new(kind);
        TermCase t = { c, sim_process_new(c->w, 1, "victim"), 0 };
        SimProcessId q = sim_process_new(c->w, 2, "bystander");
        Sleeper s = { c, "s", 3 };

        sim_process_add_exit_hook(c->w, exit_hook, c);
        sim_actor_spawn(c->w, t.victim, "f1", kind, 0, forever_body, c);
        sim_actor_spawn(c->w, t.victim, "f2", kind, 0, forever_body, c);
        sim_actor_spawn(c->w, t.victim, "z", kind, 0, sleep_forever_body, c);
        sim_actor_spawn(c->w, t.victim, "late", kind, 100, forever_body, c);
        sim_actor_spawn(c->w, q, "s", kind, 0, sleeper_body, &s);
        sim_event_schedule(c->w, 5, terminate_event, &t);
        sim_event_schedule(c->w, 7, poke_event, &t);
        assert_int_equal(sim_world_run(c->w), SIM_RUN_IDLE);
        assert_string_equal(c->log->str, want);
        assert_int_equal(t.terminated, 4);
        assert_false(sim_process_is_alive(c->w, t.victim));
        assert_int_equal(sim_world_actors_alive(c->w), 0);
        assert_false(sim_actor_is_alive(c->w, 1));
        assert_false(sim_actor_queue_apc(c->w, 1, (SimApcFn) g_free, NULL));
        sim_world_free(c->w);
        c->w = NULL;
        assert_int_equal(c->unwound, 0);
        assert_string_equal(c->log->str, want);
        g_string_free(c->log, TRUE);
        g_free(c);
    }
}

/* Logs every @step until killed. */
static void
ticker_body(void *data)
{
    Sleeper *s = data;

    while (sim_actor_sleep(s->c->w, s->step, false) == SIM_WAIT_TIMEOUT)
        logf_(s->c, "%s", s->name);
}

/* ExitProcess from an adopted main thread: the other thread is abandoned,
 * the process lives on until main is released, then exits (hooks) at that
 * instant, and the world drains only up to the release limit. */
static void
test_actor_terminate_keeps_caller(void **state)
{
    (void) state;
    Ctx *c = ctx_new(SIM_ACTOR_THREAD);
    SimProcessId p = sim_process_new(c->w, 1, "app");
    SimActorId me = sim_actor_adopt(c->w, p, "main");
    Sleeper s = { c, "s", 4 };

    sim_process_add_exit_hook(c->w, exit_hook, c);
    sim_actor_spawn(c->w, p, "f", SIM_ACTOR_THREAD, 0, forever_body, c);
    sim_actor_spawn(c->w, sim_process_new(c->w, 2, "other"), "s", SIM_ACTOR_COROUTINE, 0,
                    ticker_body, &s);
    assert_int_equal(sim_actor_sleep(c->w, 2, false), SIM_WAIT_TIMEOUT);
    assert_int_equal(sim_process_terminate(c->w, p, me), 1);
    assert_true(sim_process_is_alive(c->w, p));
    logf_(c, "main ends");
    /* Up to 6 only: the ticker's 8 never comes. */
    sim_actor_release(c->w, 6);
    assert_string_equal(c->log->str, "2:main ends 2:exit:app 4:s ");
    assert_int_equal(sim_world_now(c->w), 6);
    assert_int_equal(c->unwound, 0);
    ctx_free(c);
}

/* ---- many coroutine actors are cheap ---- */

static void
ping_body(void *data)
{
    Ctx *c = data;
    for (int i = 0; i < 10; i++)
        sim_actor_sleep(c->w, 1 + (SimTime) (i % 3), false);
    c->unwound++;
}

static void
test_actor_thousands(void **state)
{
    (void) state;
    Ctx *c = ctx_new(SIM_ACTOR_COROUTINE);
    SimProcessId p = sim_process_new(c->w, 1, "p");
    for (int i = 0; i < 2000; i++)
        sim_actor_spawn(c->w, p, "ping", SIM_ACTOR_COROUTINE, (SimTime) i, ping_body, c);
    sim_world_run(c->w);
    assert_int_equal(c->unwound, 2000);
    ctx_free(c);
}

typedef struct {
    Ctx *c;
    const char *key;
} DataCase;

static int data_freed;
static void
data_free(void *p)
{
    (void) p;
    data_freed++;
}

static void
data_body(void *data)
{
    Ctx *c = data;
    SimActorId me = sim_actor_current(c->w);
    assert_true(me != SIM_ID_NONE);
    assert_string_equal(sim_actor_name(c->w, me), "d");
    sim_actor_set_data(c->w, me, "k", GINT_TO_POINTER(5), data_free);
    assert_ptr_equal(sim_actor_get_data(c->w, me, "k"), GINT_TO_POINTER(5));
    assert_null(sim_actor_get_data(c->w, me, "none"));
    assert_int_equal(sim_actor_process(c->w, me), 1);
}

static void
test_actor_data_and_identity(void **state)
{
    (void) state;
    Ctx *c = ctx_new(SIM_ACTOR_COROUTINE);
    SimProcessId p = sim_process_new(c->w, 1, "p");
    data_freed = 0;
    sim_actor_spawn(c->w, p, "d", SIM_ACTOR_COROUTINE, 0, data_body, c);
    assert_int_equal(sim_actor_current(c->w), SIM_ID_NONE);
    sim_world_run(c->w);
    ctx_free(c);
    assert_int_equal(data_freed, 1);
}

/* ---- adopting the calling OS thread ---- */

static void
adopt_helper(void *data)
{
    Ctx *c = data;
    sim_actor_sleep(c->w, 5, false);
    logf_(c, "helper");
    sim_waitq_wake_all(c->w, &c->q);
}

static void
test_actor_adopt_main_thread(void **state)
{
    (void) state;
    Ctx *c = ctx_new(SIM_ACTOR_THREAD);
    SimProcessId p = sim_process_new(c->w, 1, "app");
    SimActorId me = sim_actor_adopt(c->w, p, "main");
    SimWaitQueue *q = &c->q;

    assert_int_equal(sim_actor_current(c->w), me);
    assert_ptr_equal(sim_world_current(), c->w);
    sim_actor_spawn(c->w, p, "helper", SIM_ACTOR_COROUTINE, 0, adopt_helper, c);
    /* Blocks this OS thread while the scheduler thread runs the helper. */
    assert_int_equal(sim_actor_wait(c->w, &q, 1, SIM_TIME_INFINITE, 0, NULL), SIM_WAIT_WOKEN);
    logf_(c, "main woke");
    assert_int_equal(sim_actor_sleep(c->w, 10, false), SIM_WAIT_TIMEOUT);
    logf_(c, "main slept");
    /* Nobody will ever wake this: the scheduler reports a deadlock and the
     * wait fails instead of hanging. */
    assert_int_equal(sim_actor_wait(c->w, &q, 1, SIM_TIME_INFINITE, 0, NULL), SIM_WAIT_KILLED);
    logf_(c, "deadlock");
    sim_actor_release(c->w, SIM_TIME_INFINITE);
    assert_string_equal(c->log->str, "5:helper 5:main woke 15:main slept 15:deadlock ");
    assert_int_equal(sim_world_actors_alive(c->w), 0);
    ctx_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actor_sleep_interleaves),
        cmocka_unit_test(test_actor_waitq_order_and_timeout),
        cmocka_unit_test(test_actor_interrupt),
        cmocka_unit_test(test_actor_apc_only_when_alertable),
        cmocka_unit_test(test_actor_kill_and_exit_hooks),
        cmocka_unit_test(test_actor_teardown_unwinds_blocked),
        cmocka_unit_test(test_actor_terminate_abandons),
        cmocka_unit_test(test_actor_terminate_keeps_caller),
        cmocka_unit_test(test_actor_thousands),
        cmocka_unit_test(test_actor_data_and_identity),
        cmocka_unit_test(test_actor_adopt_main_thread),
    };
    return cmocka_run_group_tests_name("actor", tests, NULL, NULL);
}
