/* SPDX-License-Identifier: MIT
 *
 * wsp-upcall.c: the default WSPUPCALLTABLE — what the simulated Winsock DLL
 * offers a provider — for clients that bring none of their own.  Socket
 * handles are per process and deterministic: 0x100, 0x104, 0x108... in
 * creation order, never reused within a run.  Events, window messages,
 * APCs and thread handles are the simulated OS objects of spi/wsp-os.c
 * (wspsim-os.h), so actors wait on them in simulated time.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"
#include "wspsim/wspsim-os.h"

#define DLL_HANDLE_BASE 0x100u
#define DLL_HANDLE_STEP 4u

/* The process an upcall acts for: the same rule as WSP* calls. */
static WspProcess *
dll_process(void)
{
    WspCall call;

    wsp_call_open(&call, "WPU");
    return call.proc;
}

static SOCKET WSPAPI
dll_create_socket_handle(DWORD dwCatalogEntryId, DWORD_PTR dwContext, LPINT lpErrno)
{
    WspProcess *proc = dll_process();
    SOCKET h;

    (void) dwCatalogEntryId;
    if (proc == NULL) {
        wsp_fail(lpErrno, WSANOTINITIALISED);
        return INVALID_SOCKET;
    }
    if (proc->dll_next >= (G_MAXUINT32 - DLL_HANDLE_BASE) / DLL_HANDLE_STEP) {
        wsp_fail(lpErrno, WSAEMFILE);
        return INVALID_SOCKET;
    }
    h = DLL_HANDLE_BASE + DLL_HANDLE_STEP * proc->dll_next++;
    /* Stored +1 so that a zero context is told apart from "absent". */
    g_hash_table_insert(proc->dll_handles, (gpointer) (uintptr_t) h,
                        (gpointer) (uintptr_t) (dwContext + 1));
    return h;
}

static int WSPAPI
dll_close_socket_handle(SOCKET s, LPINT lpErrno)
{
    WspProcess *proc = dll_process();

    if (proc == NULL || !g_hash_table_remove(proc->dll_handles, (gpointer) (uintptr_t) s))
        return wsp_fail(lpErrno, WSAENOTSOCK);
    return 0;
}

static int WSPAPI
dll_query_socket_handle_context(SOCKET s, PDWORD_PTR lpContext, LPINT lpErrno)
{
    WspProcess *proc = dll_process();
    gpointer v;

    if (lpContext == NULL)
        return wsp_fail(lpErrno, WSAEFAULT);
    if (proc == NULL || (v = g_hash_table_lookup(proc->dll_handles, (gpointer) (uintptr_t) s)) == NULL)
        return wsp_fail(lpErrno, WSAENOTSOCK);
    *lpContext = (DWORD_PTR) (uintptr_t) v - 1;
    return 0;
}

/* No blocking hook: the provider waits natively (REFERENCE 2.3). */
static int WSPAPI
dll_query_blocking_callback(DWORD dwCatalogEntryId, LPBLOCKINGCALLBACK *lplpfnCallback,
                            PDWORD_PTR lpdwContext, LPINT lpErrno)
{
    (void) dwCatalogEntryId;
    if (lplpfnCallback == NULL || lpdwContext == NULL)
        return wsp_fail(lpErrno, WSAEFAULT);
    *lplpfnCallback = NULL;
    *lpdwContext = 0;
    return 0;
}

static int WSPAPI
dll_fd_is_set(SOCKET s, fd_set *set)
{
    if (set == NULL)
        return 0;
    for (u_int i = 0; i < set->fd_count && i < FD_SETSIZE; i++)
        if (set->fd_array[i] == s)
            return 1;
    return 0;
}

/* A simulated thread: its thread handle (wspsim-os.h), the actor id in
 * Reserved.  Outside any actor there is no thread: WSANOTINITIALISED. */
static int WSPAPI
dll_open_current_thread(LPWSATHREADID lpThreadId, LPINT lpErrno)
{
    SimWorld *world = sim_world_current();
    SimActorId actor = world != NULL ? sim_actor_current(world) : SIM_ID_NONE;

    if (lpThreadId == NULL)
        return wsp_fail(lpErrno, WSAEFAULT);
    if (actor == SIM_ID_NONE)
        return wsp_fail(lpErrno, WSANOTINITIALISED);
    lpThreadId->ThreadHandle = wspsim_os_thread_handle(world, actor);
    lpThreadId->Reserved = actor;
    return 0;
}

/* The thread handle stays: it is the thread's one handle (wspsim-os.h). */
static int WSPAPI
dll_close_thread(LPWSATHREADID lpThreadId, LPINT lpErrno)
{
    if (lpThreadId == NULL)
        return wsp_fail(lpErrno, WSAEFAULT);
    lpThreadId->ThreadHandle = NULL;
    lpThreadId->Reserved = 0;
    return 0;
}

static int WSPAPI
dll_get_provider_path(LPGUID lpProviderId, WCHAR *lpszProviderDllPath, LPINT lpProviderDllPathLen,
                      LPINT lpErrno)
{
    static const char path[] = "wspsim-provider";

    if (lpProviderId == NULL || lpszProviderDllPath == NULL || lpProviderDllPathLen == NULL)
        return wsp_fail(lpErrno, WSAEFAULT);
    if (memcmp(lpProviderId, &wspsim_provider_guid, sizeof(GUID)) != 0)
        return wsp_fail(lpErrno, WSAEINVAL);
    if (*lpProviderDllPathLen < (int) sizeof path) {
        *lpProviderDllPathLen = (int) sizeof path;
        return wsp_fail(lpErrno, WSAEFAULT);
    }
    for (size_t i = 0; i < sizeof path; i++)
        lpszProviderDllPath[i] = (WCHAR) path[i];
    *lpProviderDllPathLen = (int) sizeof path;
    return 0;
}

/* A non-IFS provider never asks for this (REFERENCE 2.2). */
static SOCKET WSPAPI
dll_modify_ifs_handle(DWORD dwCatalogEntryId, SOCKET ProposedHandle, LPINT lpErrno)
{
    (void) dwCatalogEntryId;
    (void) ProposedHandle;
    wsp_fail(lpErrno, WSAEINVAL);
    return INVALID_SOCKET;
}

/* ---- Notification upcalls over the simulated OS objects (wspsim-os.h) ---- */

/* The world an upcall acts in: the running one, else the embedder's
 * context (calls made from plain C code between runs). */
static SimWorld *
dll_world(void)
{
    SimWorld *world = sim_world_current();
    WspCall call;

    if (world != NULL)
        return world;
    wsp_call_open(&call, "WPU");
    return call.world;
}

static BOOL WSPAPI
dll_close_event(WSAEVENT hEvent, LPINT lpErrno)
{
    SimWorld *world = dll_world();

    if (wspsim_os_handle_kind(world, hEvent) != WSPSIM_HANDLE_EVENT ||
        !wspsim_os_handle_close(world, hEvent)) {
        wsp_fail(lpErrno, WSA_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

/* Manual-reset, initially non-signalled (REFERENCE 1.4). */
static WSAEVENT WSPAPI
dll_create_event(LPINT lpErrno)
{
    WSAEVENT h = wspsim_os_event_create(dll_world(), TRUE, FALSE);

    if (h == NULL) {
        wsp_fail(lpErrno, WSA_NOT_ENOUGH_MEMORY);
        return WSA_INVALID_EVENT;
    }
    return h;
}

static BOOL WSPAPI
dll_set_event(WSAEVENT hEvent, LPINT lpErrno)
{
    if (!wspsim_os_event_set(dll_world(), hEvent)) {
        wsp_fail(lpErrno, WSA_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

static BOOL WSPAPI
dll_reset_event(WSAEVENT hEvent, LPINT lpErrno)
{
    if (!wspsim_os_event_reset(dll_world(), hEvent)) {
        wsp_fail(lpErrno, WSA_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

static BOOL WSPAPI
dll_post_message(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam)
{
    return wspsim_os_post_message(dll_world(), hWnd, Msg, wParam, lParam);
}

bool
wsp_upcall_event_valid(WspProcess *proc, SimWorld *world, WSAEVENT h)
{
    return proc->upcalls.lpWPUSetEvent != dll_set_event ||
           wspsim_os_handle_kind(world, h) == WSPSIM_HANDLE_EVENT;
}

bool
wsp_upcall_window_valid(WspProcess *proc, SimWorld *world, HWND h)
{
    return proc->upcalls.lpWPUPostMessage != dll_post_message ||
           wspsim_os_handle_kind(world, (HANDLE) h) == WSPSIM_HANDLE_WINDOW;
}

/* A WSATHREADID names a simulated thread: its thread handle, and the actor
 * id in Reserved (what ws2/ does too). */
static SimActorId
thread_actor(SimWorld *world, const WSATHREADID *id)
{
    SimActorId actor = (SimActorId) id->Reserved;

    if (actor == SIM_ID_NONE)
        actor = wspsim_os_thread_actor(world, id->ThreadHandle);
    return actor;
}

typedef struct {
    LPWSAUSERAPC fn;
    DWORD_PTR context;
} DllApc;

static void
dll_apc_run(void *data)
{
    DllApc apc = *(DllApc *) data;

    g_free(data);
    apc.fn(apc.context);
}

/* Runs at the thread's next alertable wait (sim_actor_queue_apc). */
static int WSPAPI
dll_queue_apc(LPWSATHREADID lpThreadId, LPWSAUSERAPC lpfnUserApc, DWORD_PTR dwContext,
              LPINT lpErrno)
{
    SimWorld *world = dll_world();
    SimActorId actor;
    DllApc *apc;

    if (world == NULL || lpThreadId == NULL || lpfnUserApc == NULL ||
        (actor = thread_actor(world, lpThreadId)) == SIM_ID_NONE ||
        !sim_actor_is_alive(world, actor))
        return wsp_fail(lpErrno, WSAEFAULT);
    apc = g_new(DllApc, 1);
    apc->fn = lpfnUserApc;
    apc->context = dwContext;
    if (!sim_actor_queue_apc(world, actor, dll_apc_run, apc)) {
        g_free(apc);
        return wsp_fail(lpErrno, WSAEFAULT);
    }
    return 0;
}

/**
 * wspsim_default_upcall_table:
 *
 * Returns: the upcall table the simulated Winsock DLL hands to the provider
 * when the client brings none; also what fills the NULL slots of a table
 * given to WSPStartup.
 */
WSPUPCALLTABLE
wspsim_default_upcall_table(void)
{
    WSPUPCALLTABLE t;

    memset(&t, 0, sizeof t);
    t.lpWPUCloseEvent = dll_close_event;
    t.lpWPUCloseSocketHandle = dll_close_socket_handle;
    t.lpWPUCreateEvent = dll_create_event;
    t.lpWPUCreateSocketHandle = dll_create_socket_handle;
    t.lpWPUFDIsSet = dll_fd_is_set;
    t.lpWPUGetProviderPath = dll_get_provider_path;
    t.lpWPUModifyIFSHandle = dll_modify_ifs_handle;
    t.lpWPUPostMessage = dll_post_message;
    t.lpWPUQueryBlockingCallback = dll_query_blocking_callback;
    t.lpWPUQuerySocketHandleContext = dll_query_socket_handle_context;
    t.lpWPUQueueApc = dll_queue_apc;
    t.lpWPUResetEvent = dll_reset_event;
    t.lpWPUSetEvent = dll_set_event;
    t.lpWPUOpenCurrentThread = dll_open_current_thread;
    t.lpWPUCloseThread = dll_close_thread;
    return t;
}
