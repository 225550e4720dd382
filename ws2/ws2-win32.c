/* SPDX-License-Identifier: MIT
 *
 * ws2-win32.c: the Win32 subset of <wspsim/windows.h> over the simulated OS
 * objects (wspsim-os.h) and actors.  CreateThread spawns a simulated thread
 * (a SIM_ACTOR_THREAD actor) in the caller's process; waits, sleeps and
 * GetMessage advance simulated time; GetTickCount reads it.  Errors go to
 * the calling thread's last-error slot (shared with WSAGetLastError).
 */
#include "config.h"

#include <string.h>

#include "ws2-private.h"

/* Resolve the caller; FALSE with ERROR_INVALID_HANDLE when it is no
 * simulated thread. */
static bool
enter(Ws2Ctx *ctx)
{
    if (!ws2_ctx(ctx)) {
        ws2_set_error(NULL, ERROR_INVALID_HANDLE);
        return false;
    }
    return true;
}

/* ---- Threads ----------------------------------------------------------- */

typedef struct {
    LPTHREAD_START_ROUTINE start;
    LPVOID param;
} ThreadStart;

static void
thread_main(void *data)
{
    ThreadStart ts = *(ThreadStart *) data;
    SimWorld *world = sim_world_current();
    SimActorId self = sim_actor_current(world);
    DWORD code;

    g_free(data);
    code = ts.start(ts.param);
    g_hash_table_insert(ws2_state(world)->exit_codes, GUINT_TO_POINTER(self),
                        GUINT_TO_POINTER((guint) code + 1u));
}

/**
 * CreateThread:
 *
 * Starts @lpStartAddress(@lpParameter) as a new simulated thread of the
 * calling process; it first runs when the caller next waits (at the same
 * simulated instant).  Stack size and security attributes are ignored;
 * CREATE_SUSPENDED is not supported (ERROR_INVALID_PARAMETER).
 *
 * Returns: the thread handle (wait on it; CloseHandle it), or NULL.
 */
HANDLE WINAPI
CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, size_t dwStackSize,
             LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter, DWORD dwCreationFlags,
             LPDWORD lpThreadId)
{
    Ws2Ctx ctx;
    ThreadStart *ts;
    SimActorId actor;
    char name[32];

    (void) lpThreadAttributes;
    (void) dwStackSize;
    if (!enter(&ctx))
        return NULL;
    if (lpStartAddress == NULL || (dwCreationFlags & CREATE_SUSPENDED) != 0) {
        ws2_set_error(&ctx, ERROR_INVALID_PARAMETER);
        return NULL;
    }
    ts = g_new(ThreadStart, 1);
    ts->start = lpStartAddress;
    ts->param = lpParameter;
    g_snprintf(name, sizeof name, "thread%u", (unsigned) sim_world_actors_alive(ctx.world) + 1u);
    actor = sim_actor_spawn(ctx.world, ctx.pid, name, SIM_ACTOR_THREAD, 0, thread_main, ts);
    if (actor == SIM_ID_NONE) {
        g_free(ts);
        ws2_set_error(&ctx, ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    if (lpThreadId != NULL)
        *lpThreadId = actor;
    return wspsim_os_thread_handle(ctx.world, actor);
}

BOOL WINAPI
GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode)
{
    Ws2Ctx ctx;
    SimActorId actor;
    gpointer v;

    if (!enter(&ctx))
        return FALSE;
    actor = wspsim_os_thread_actor(ctx.world, hThread);
    if (actor == SIM_ID_NONE || lpExitCode == NULL) {
        ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
        return FALSE;
    }
    v = g_hash_table_lookup(ws2_state(ctx.world)->exit_codes, GUINT_TO_POINTER(actor));
    if (v != NULL)
        *lpExitCode = GPOINTER_TO_UINT(v) - 1u;
    else
        *lpExitCode = sim_actor_is_alive(ctx.world, actor) ? STILL_ACTIVE : 0;
    return TRUE;
}

DWORD WINAPI
GetCurrentThreadId(void)
{
    Ws2Ctx ctx;

    return enter(&ctx) ? ctx.actor : 0;
}

DWORD WINAPI
GetCurrentProcessId(void)
{
    Ws2Ctx ctx;

    return enter(&ctx) ? ctx.pid : 0;
}

typedef struct {
    PAPCFUNC fn;
    ULONG_PTR data;
} UserApc;

static void
user_apc(void *data)
{
    UserApc apc = *(UserApc *) data;

    g_free(data);
    apc.fn(apc.data);
}

/* QueueUserAPC: runs at the thread's next alertable wait.  0 on failure. */
DWORD WINAPI
QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData)
{
    Ws2Ctx ctx;
    SimActorId actor;
    UserApc *apc;

    if (!enter(&ctx))
        return 0;
    actor = wspsim_os_thread_actor(ctx.world, hThread);
    if (pfnAPC == NULL || actor == SIM_ID_NONE || !sim_actor_is_alive(ctx.world, actor)) {
        ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
        return 0;
    }
    apc = g_new(UserApc, 1);
    apc->fn = pfnAPC;
    apc->data = dwData;
    if (!sim_actor_queue_apc(ctx.world, actor, user_apc, apc)) {
        g_free(apc);
        ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
        return 0;
    }
    return 1;
}

/* ---- Events and waits ------------------------------------------------------ */

/* CreateEventA: @lpName is ignored (no named objects: each call makes a
 * new event). */
HANDLE WINAPI
CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset, BOOL bInitialState,
             LPCSTR lpName)
{
    Ws2Ctx ctx;
    HANDLE h;

    (void) lpEventAttributes;
    (void) lpName;
    if (!enter(&ctx))
        return NULL;
    h = wspsim_os_event_create(ctx.world, bManualReset, bInitialState);
    if (h == NULL)
        ws2_set_error(&ctx, ERROR_NOT_ENOUGH_MEMORY);
    return h;
}

/* Apply @op to the event @h; FALSE with ERROR_INVALID_HANDLE (=
 * WSA_INVALID_HANDLE) for a bad handle. */
static BOOL
event_op(HANDLE h, BOOL (*op)(struct SimWorld *, HANDLE))
{
    Ws2Ctx ctx;

    if (!enter(&ctx))
        return FALSE;
    if (!op(ctx.world, h)) {
        ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI
SetEvent(HANDLE hEvent)
{
    return event_op(hEvent, wspsim_os_event_set);
}

BOOL WINAPI
ResetEvent(HANDLE hEvent)
{
    return event_op(hEvent, wspsim_os_event_reset);
}

static void
forget_window(Ws2Ctx *ctx, HANDLE h)
{
    for (guint i = 0; i < ctx->proc->windows->len; i++) {
        if (g_ptr_array_index(ctx->proc->windows, i) == h) {
            g_ptr_array_remove_index(ctx->proc->windows, i);
            return;
        }
    }
}

BOOL WINAPI
CloseHandle(HANDLE hObject)
{
    Ws2Ctx ctx;

    if (!enter(&ctx))
        return FALSE;
    if (wspsim_os_handle_kind(ctx.world, hObject) == WSPSIM_HANDLE_WINDOW ||
        !wspsim_os_handle_close(ctx.world, hObject)) {
        ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

DWORD WINAPI
WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds,
                         BOOL bAlertable)
{
    Ws2Ctx ctx;
    int err = 0;
    DWORD r;

    if (!enter(&ctx))
        return WAIT_FAILED;
    r = wspsim_os_wait(ctx.world, nCount, lpHandles, bWaitAll, dwMilliseconds, bAlertable, &err);
    if (r == WAIT_FAILED)
        ws2_set_error(&ctx, err);
    return r;
}

DWORD WINAPI
WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds)
{
    return WaitForMultipleObjectsEx(nCount, lpHandles, bWaitAll, dwMilliseconds, FALSE);
}

DWORD WINAPI
WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable)
{
    return WaitForMultipleObjectsEx(1, &hHandle, FALSE, dwMilliseconds, bAlertable);
}

DWORD WINAPI
WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
    return WaitForMultipleObjectsEx(1, &hHandle, FALSE, dwMilliseconds, FALSE);
}

/* ---- Time ------------------------------------------------------------------- */

DWORD WINAPI
SleepEx(DWORD dwMilliseconds, BOOL bAlertable)
{
    Ws2Ctx ctx;

    if (!enter(&ctx))
        return 0;
    return wspsim_os_sleep(ctx.world, dwMilliseconds, bAlertable);
}

VOID WINAPI
Sleep(DWORD dwMilliseconds)
{
    (void) SleepEx(dwMilliseconds, FALSE);
}

ULONGLONG WINAPI
GetTickCount64(void)
{
    Ws2Ctx ctx;

    if (!enter(&ctx))
        return 0;
    return sim_world_now(ctx.world) / SIM_MSEC;
}

DWORD WINAPI
GetTickCount(void)
{
    return (DWORD) GetTickCount64();
}

/* ---- Windows and messages --------------------------------------------------- */

HWND WINAPI
wspsim_create_window(void)
{
    Ws2Ctx ctx;
    HWND h;

    if (!enter(&ctx))
        return NULL;
    h = wspsim_os_window_create(ctx.world, ctx.pid);
    if (h == NULL) {
        ws2_set_error(&ctx, ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    g_ptr_array_add(ctx.proc->windows, h);
    return h;
}

BOOL WINAPI
DestroyWindow(HWND hWnd)
{
    Ws2Ctx ctx;

    if (!enter(&ctx))
        return FALSE;
    if (wspsim_os_handle_kind(ctx.world, hWnd) != WSPSIM_HANDLE_WINDOW ||
        !wspsim_os_handle_close(ctx.world, hWnd)) {
        ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
        return FALSE;
    }
    forget_window(&ctx, hWnd);
    return TRUE;
}

BOOL WINAPI
PostMessageA(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam)
{
    Ws2Ctx ctx;

    if (!enter(&ctx))
        return FALSE;
    if (!wspsim_os_post_message(ctx.world, hWnd, Msg, wParam, lParam)) {
        ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

VOID WINAPI
PostQuitMessage(int nExitCode)
{
    Ws2Ctx ctx;

    if (!enter(&ctx) || ctx.proc->windows->len == 0)
        return;
    wspsim_os_post_message(ctx.world, g_ptr_array_index(ctx.proc->windows, 0), WM_QUIT,
                           (WPARAM) nExitCode, 0);
}

static void
msg_from_os(LPMSG out, const WSPSIM_MSG *m)
{
    memset(out, 0, sizeof *out);
    out->hwnd = m->hwnd;
    out->message = m->message;
    out->wParam = m->wParam;
    out->lParam = m->lParam;
    out->time = m->time;
}

/* Peek every window of the process (@hWnd NULL) or the one given. */
static BOOL
peek_any(Ws2Ctx *ctx, LPMSG lpMsg, HWND hWnd, BOOL remove, bool *out_bad)
{
    WSPSIM_MSG m;

    *out_bad = false;
    if (hWnd != NULL) {
        if (wspsim_os_handle_kind(ctx->world, hWnd) != WSPSIM_HANDLE_WINDOW) {
            *out_bad = true;
            return FALSE;
        }
        if (!wspsim_os_peek_message(ctx->world, hWnd, &m, remove))
            return FALSE;
        msg_from_os(lpMsg, &m);
        return TRUE;
    }
    for (guint i = 0; i < ctx->proc->windows->len; i++) {
        if (wspsim_os_peek_message(ctx->world, g_ptr_array_index(ctx->proc->windows, i), &m,
                                   remove)) {
            msg_from_os(lpMsg, &m);
            return TRUE;
        }
    }
    return FALSE;
}

BOOL WINAPI
PeekMessageA(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax, UINT wRemoveMsg)
{
    Ws2Ctx ctx;
    bool bad;
    BOOL got;

    (void) wMsgFilterMin;
    (void) wMsgFilterMax;
    if (!enter(&ctx))
        return FALSE;
    if (lpMsg == NULL) {
        ws2_set_error(&ctx, ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    got = peek_any(&ctx, lpMsg, hWnd, (wRemoveMsg & PM_REMOVE) != 0, &bad);
    if (bad)
        ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
    return got;
}

/* How often GetMessage(NULL) looks at several windows (one window, or a
 * given one, waits on its queue directly). */
#define GETMESSAGE_POLL_MS 1

BOOL WINAPI
GetMessageA(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax)
{
    Ws2Ctx ctx;
    WSPSIM_MSG m;
    bool bad;

    (void) wMsgFilterMin;
    (void) wMsgFilterMax;
    if (!enter(&ctx))
        return -1;
    if (lpMsg == NULL) {
        ws2_set_error(&ctx, ERROR_INVALID_PARAMETER);
        return -1;
    }
    if (hWnd == NULL && ctx.proc->windows->len == 1)
        hWnd = g_ptr_array_index(ctx.proc->windows, 0);
    for (;;) {
        if (peek_any(&ctx, lpMsg, hWnd, TRUE, &bad))
            return lpMsg->message == WM_QUIT ? FALSE : TRUE;
        if (bad) {
            ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
            return -1;
        }
        if (hWnd != NULL) {
            int r = wspsim_os_get_message(ctx.world, hWnd, &m, INFINITE);

            /* 0 with no time-out: the wait could never end (deadlock). */
            if (r <= 0) {
                ws2_set_error(&ctx, ERROR_INVALID_HANDLE);
                return -1;
            }
            msg_from_os(lpMsg, &m);
            return m.message == WM_QUIT ? FALSE : TRUE;
        } else if (ctx.proc->windows->len == 0) {
            ws2_set_error(&ctx, ERROR_INVALID_HANDLE); /* would wait for ever */
            return -1;
        } else {
            wspsim_os_sleep(ctx.world, GETMESSAGE_POLL_MS, FALSE);
        }
    }
}
