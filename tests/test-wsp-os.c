/* SPDX-License-Identifier: MIT
 * test-wsp-os: simulated OS objects — events, waits in simulated time,
 * alertable waits and APCs, window message queues, thread handles. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/sim.h"
#include "wspsim/wspsim-os.h"

typedef struct {
    SimWorld *w;
    GString *log;
    HANDLE ev[3];
    HWND wnd;
    HANDLE thread;
} Ctx;

static void
note(Ctx *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void
note(Ctx *c, const char *fmt, ...)
{
    va_list ap;
    g_string_append_printf(c->log, "%" G_GUINT64_FORMAT "ms:", sim_world_now(c->w) / SIM_MSEC);
    va_start(ap, fmt);
    g_string_append_vprintf(c->log, fmt, ap);
    va_end(ap);
    g_string_append_c(c->log, ' ');
}

static Ctx *
ctx_new(void)
{
    Ctx *c = g_new0(Ctx, 1);
    c->w = sim_world_new(1);
    c->log = g_string_new(NULL);
    return c;
}

static void
ctx_free(Ctx *c)
{
    sim_world_free(c->w);
    g_string_free(c->log, TRUE);
    g_free(c);
}

static SimActorId
spawn(Ctx *c, SimActorFn fn, SimTime at)
{
    SimProcessId p = sim_process_lookup(c->w, 1, "p");
    if (p == SIM_ID_NONE)
        p = sim_process_new(c->w, 1, "p");
    return sim_actor_spawn(c->w, p, "t", SIM_ACTOR_COROUTINE, at, fn, c);
}

static void
set_event_cb(SimWorld *w, void *data)
{
    wspsim_os_event_set(w, data);
}

static void
waiter_any(void *data)
{
    Ctx *c = data;
    DWORD r = wspsim_os_wait(c->w, 3, c->ev, FALSE, 100, FALSE, NULL);
    note(c, "any=%u", r);
    r = wspsim_os_wait(c->w, 3, c->ev, FALSE, 100, FALSE, NULL); /* manual ev1 still set */
    note(c, "again=%u", r);
    r = wspsim_os_wait(c->w, 3, c->ev, TRUE, 50, FALSE, NULL); /* not all: times out */
    note(c, "all=%u", r);
}

static void
test_wsp_os_wait_any_all_timeout(void **state)
{
    (void) state;
    Ctx *c = ctx_new();
    c->ev[0] = wspsim_os_event_create(c->w, FALSE, FALSE); /* auto-reset */
    c->ev[1] = wspsim_os_event_create(c->w, TRUE, FALSE);  /* manual */
    c->ev[2] = wspsim_os_event_create(c->w, TRUE, FALSE);
    assert_true(c->ev[0] != NULL && c->ev[1] != c->ev[0]);
    spawn(c, waiter_any, 0);
    sim_event_schedule(c->w, 30 * SIM_MSEC, set_event_cb, c->ev[1]);
    sim_world_run(c->w);
    assert_string_equal(c->log->str, "30ms:any=1 30ms:again=1 80ms:all=258 ");
    BOOL sig = FALSE;
    assert_true(wspsim_os_event_query(c->w, c->ev[1], &sig));
    assert_true(sig);
    assert_true(wspsim_os_event_reset(c->w, c->ev[1]));
    assert_true(wspsim_os_event_query(c->w, c->ev[1], &sig));
    assert_false(sig);
    ctx_free(c);
}

static void
waiter_auto(void *data)
{
    Ctx *c = data;
    DWORD r = wspsim_os_wait(c->w, 1, c->ev, FALSE, INFINITE, FALSE, NULL);
    note(c, "got=%u", r);
}

static void
test_wsp_os_auto_reset_releases_one(void **state)
{
    (void) state;
    Ctx *c = ctx_new();
    c->ev[0] = wspsim_os_event_create(c->w, FALSE, FALSE);
    spawn(c, waiter_auto, 0);
    spawn(c, waiter_auto, 0);
    sim_event_schedule(c->w, 10 * SIM_MSEC, set_event_cb, c->ev[0]);
    sim_event_schedule(c->w, 20 * SIM_MSEC, set_event_cb, c->ev[0]);
    sim_world_run(c->w);
    /* One waiter per set: the event resets as it releases the first. */
    assert_string_equal(c->log->str, "10ms:got=0 20ms:got=0 ");
    ctx_free(c);
}

static void
apc(void *data)
{
    Ctx *c = data;
    note(c, "apc");
}

static void
alertable_waiter(void *data)
{
    Ctx *c = data;
    DWORD r = wspsim_os_wait(c->w, 1, c->ev, FALSE, 1000, TRUE, NULL);
    note(c, "w=%u", r);
    r = wspsim_os_sleep(c->w, 500, FALSE); /* APC at 200 must wait */
    note(c, "s=%u", r);
    r = wspsim_os_sleep(c->w, 500, TRUE);
    note(c, "s2=%u", r);
}

typedef struct {
    Ctx *c;
    SimActorId a;
} ApcArg;

static void
queue_apc_cb(SimWorld *w, void *data)
{
    ApcArg *aa = data;
    sim_actor_queue_apc(w, aa->a, apc, aa->c);
}

static void
test_wsp_os_alertable(void **state)
{
    (void) state;
    Ctx *c = ctx_new();
    ApcArg a1, a2;
    c->ev[0] = wspsim_os_event_create(c->w, TRUE, FALSE);
    a1.c = a2.c = c;
    a1.a = a2.a = spawn(c, alertable_waiter, 0);
    sim_event_schedule(c->w, 100 * SIM_MSEC, queue_apc_cb, &a1);
    sim_event_schedule(c->w, 200 * SIM_MSEC, queue_apc_cb, &a2);
    sim_world_run(c->w);
    /* The APC queued at 200 waits through the plain sleep (100-600) and runs
     * at once in the next alertable one, which then returns without
     * sleeping. */
    assert_string_equal(c->log->str, "100ms:apc 100ms:w=192 600ms:s=0 600ms:apc 600ms:s2=192 ");
    ctx_free(c);
}

static void
post_cb(SimWorld *w, void *data)
{
    Ctx *c = data;
    static int n;
    wspsim_os_post_message(w, c->wnd, 0x400 + (UINT) n, (WPARAM) n, (LPARAM) (n * 10));
    n++;
}

static void
reader(void *data)
{
    Ctx *c = data;
    WSPSIM_MSG m;
    for (int i = 0; i < 3; i++) {
        int r = wspsim_os_get_message(c->w, c->wnd, &m, 1000);
        note(c, "r=%d msg=%#x w=%d l=%d t=%u", r, m.message, (int) m.wParam, (int) m.lParam, m.time);
    }
    int r = wspsim_os_get_message(c->w, c->wnd, &m, 100);
    note(c, "timeout=%d", r);
}

static void
test_wsp_os_window_messages(void **state)
{
    (void) state;
    Ctx *c = ctx_new();
    WSPSIM_MSG m;
    c->wnd = wspsim_os_window_create(c->w, 1);
    assert_int_equal(wspsim_os_handle_kind(c->w, c->wnd), WSPSIM_HANDLE_WINDOW);
    spawn(c, reader, 0);
    sim_event_schedule(c->w, 5 * SIM_MSEC, post_cb, c);
    sim_event_schedule(c->w, 5 * SIM_MSEC, post_cb, c);
    sim_event_schedule(c->w, 7 * SIM_MSEC, post_cb, c);
    sim_world_run(c->w);
    assert_string_equal(c->log->str, "5ms:r=1 msg=0x400 w=0 l=0 t=5 5ms:r=1 msg=0x401 w=1 l=10 t=5 "
                                     "7ms:r=1 msg=0x402 w=2 l=20 t=7 107ms:timeout=0 ");
    assert_false(wspsim_os_post_message(c->w, (HWND) (uintptr_t) 0x12345, 1, 0, 0));
    assert_false(wspsim_os_peek_message(c->w, c->wnd, &m, TRUE));
    assert_true(wspsim_os_post_message(c->w, c->wnd, 7, 0, 0));
    assert_true(wspsim_os_peek_message(c->w, c->wnd, &m, FALSE));
    assert_int_equal(wspsim_os_message_count(c->w, c->wnd), 1);
    assert_true(wspsim_os_peek_message(c->w, c->wnd, &m, TRUE));
    assert_int_equal(wspsim_os_message_count(c->w, c->wnd), 0);
    assert_int_equal(wspsim_os_get_message(c->w, c->ev[0], &m, 0), -1);
    ctx_free(c);
}

static void
short_lived(void *data)
{
    Ctx *c = data;
    wspsim_os_sleep(c->w, 42, FALSE);
}

static void
joiner(void *data)
{
    Ctx *c = data;
    DWORD r = wspsim_os_wait(c->w, 1, &c->thread, FALSE, INFINITE, FALSE, NULL);
    note(c, "joined=%u", r);
}

static void
test_wsp_os_thread_handles(void **state)
{
    (void) state;
    Ctx *c = ctx_new();
    SimActorId a = spawn(c, short_lived, 0);
    c->thread = wspsim_os_thread_handle(c->w, a);
    assert_ptr_equal(wspsim_os_thread_handle(c->w, a), c->thread); /* one per actor */
    assert_int_equal(wspsim_os_thread_actor(c->w, c->thread), a);
    assert_null(wspsim_os_thread_handle(c->w, 999));
    spawn(c, joiner, 0);
    sim_world_run(c->w);
    assert_string_equal(c->log->str, "42ms:joined=0 ");
    ctx_free(c);
}

static void
test_wsp_os_bad_arguments(void **state)
{
    (void) state;
    Ctx *c = ctx_new();
    int err = 0;
    HANDLE ev = wspsim_os_event_create(c->w, TRUE, TRUE);
    HANDLE bad = (HANDLE) (uintptr_t) 0x999;
    HANDLE many[65];

    for (int i = 0; i < 65; i++)
        many[i] = ev;
    assert_int_equal(wspsim_os_wait(c->w, 0, &ev, FALSE, 0, FALSE, &err), WAIT_FAILED);
    assert_int_equal(err, WSA_INVALID_PARAMETER);
    assert_int_equal(wspsim_os_wait(c->w, 65, many, FALSE, 0, FALSE, &err), WAIT_FAILED);
    assert_int_equal(err, WSA_INVALID_PARAMETER);
    assert_int_equal(wspsim_os_wait(c->w, 1, NULL, FALSE, 0, FALSE, &err), WAIT_FAILED);
    assert_int_equal(wspsim_os_wait(c->w, 1, &bad, FALSE, 0, FALSE, &err), WAIT_FAILED);
    assert_int_equal(err, WSA_INVALID_HANDLE);
    /* Outside an actor a wait polls: signalled → index, else time-out. */
    assert_int_equal(wspsim_os_wait(c->w, 1, &ev, FALSE, INFINITE, FALSE, &err), WAIT_OBJECT_0);
    wspsim_os_event_reset(c->w, ev);
    assert_int_equal(wspsim_os_wait(c->w, 1, &ev, FALSE, INFINITE, FALSE, &err), WAIT_TIMEOUT);
    assert_false(wspsim_os_event_set(c->w, bad));
    assert_false(wspsim_os_event_reset(c->w, NULL));
    assert_int_equal(wspsim_os_handle_count(c->w), 1);
    assert_true(wspsim_os_handle_close(c->w, ev));
    assert_false(wspsim_os_handle_close(c->w, ev)); /* closed: stale handle */
    assert_false(wspsim_os_event_set(c->w, ev));
    assert_int_equal(wspsim_os_handle_count(c->w), 0);
    /* A new object never reuses the old value. */
    HANDLE ev2 = wspsim_os_event_create(c->w, TRUE, FALSE);
    assert_true(ev2 != ev);
    ctx_free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_os_wait_any_all_timeout),
        cmocka_unit_test(test_wsp_os_auto_reset_releases_one),
        cmocka_unit_test(test_wsp_os_alertable),
        cmocka_unit_test(test_wsp_os_window_messages),
        cmocka_unit_test(test_wsp_os_thread_handles),
        cmocka_unit_test(test_wsp_os_bad_arguments),
    };
    return cmocka_run_group_tests_name("wsp-os", tests, NULL, NULL);
}
