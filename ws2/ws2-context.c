/* SPDX-License-Identifier: MIT
 *
 * ws2-context.c: who is calling, and the zero set-up default world.
 *
 * Every Winsock or Win32 call first resolves its caller: a simulated thread
 * (an actor) of some process in some world.  The first call from a thread
 * that is no actor — an application's main() — builds the default world
 * (seed WSPSIM_SEED, default 1; one host "localhost" with 10.0.0.1/24 and
 * the implicit loopbacks 127.0.0.1 and ::1; one process "app"), adopts the
 * calling thread as that process's main actor (sim_actor_adopt: from then
 * on its blocking calls advance simulated time while a scheduler thread
 * runs events) and registers an atexit handler that exits the process as
 * ExitProcess does (its other threads terminated, its sockets closed at
 * that instant), lets pending events finish (up to WS2_EXIT_DRAIN of
 * simulated time), closes the requested outputs (WSPSIM_TRACE,
 * WSPSIM_JSONL, WSPSIM_PCAP) and frees the world.  With WSPSIM_SCENARIO (and WSPSIM_HOST) the world comes from
 * the scenario runner instead, through the calls wspsim-ws2.h names, looked
 * up at run time; the runner then finishes the run (doc/ws2.md).
 *
 * Also here: the per-world socket handle table kept by the upcalls, the
 * per-process state and the per-thread last error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ws2-private.h"
#include "runner/out.h"

/* Simulated time the atexit handler lets pending events run (FIN
 * exchanges, retransmissions) before the world is freed. */
#define WS2_EXIT_DRAIN (300 * SIM_SEC)

#define WS2_HANDLE_BASE 0x100u
#define WS2_HANDLE_STEP 4u

static GMutex default_lock;
static SimWorld *default_world;
static SimProcessId default_pid;
static bool default_tried;
static FILE *default_trace_file;
static SimTraceText *default_trace;
static WspsimOutPcap *default_pcap;
static WspsimOutJsonl *default_jsonl;
/* Inside a scenario: the runner's handle and its finishing call. */
static void *embed_handle;
static WspsimEmbedFinishFn embed_finish;

/* A thread that is no simulated thread keeps its error here. */
static _Thread_local int foreign_error;

/* ---- State ----------------------------------------------------------- */

static void
process_free(gpointer data)
{
    Ws2Process *proc = data;

    g_ptr_array_unref(proc->lsps);
    g_ptr_array_unref(proc->windows);
    g_free(proc);
}

static void
state_free(gpointer data)
{
    Ws2State *st = data;

    g_hash_table_unref(st->by_pid);
    g_ptr_array_unref(st->procs);
    g_hash_table_unref(st->handles);
    g_hash_table_unref(st->exit_codes);
    g_free(st);
}

Ws2State *
ws2_state(SimWorld *world)
{
    Ws2State *st = sim_world_get_data(world, "ws2");

    if (st != NULL)
        return st;
    st = g_new0(Ws2State, 1);
    st->world = world;
    st->procs = g_ptr_array_new_with_free_func(process_free);
    st->by_pid = g_hash_table_new(g_direct_hash, g_direct_equal);
    st->handles = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    st->exit_codes = g_hash_table_new(g_direct_hash, g_direct_equal);
    sim_world_set_data(world, "ws2", st, state_free);
    return st;
}

Ws2Process *
ws2_process(SimWorld *world, SimProcessId pid)
{
    Ws2State *st = ws2_state(world);
    Ws2Process *proc = g_hash_table_lookup(st->by_pid, GUINT_TO_POINTER(pid));

    if (proc != NULL)
        return proc;
    proc = g_new0(Ws2Process, 1);
    proc->pid = pid;
    proc->lsps = g_ptr_array_new_with_free_func(g_free);
    proc->windows = g_ptr_array_new();
    g_ptr_array_add(st->procs, proc);
    g_hash_table_insert(st->by_pid, GUINT_TO_POINTER(pid), proc);
    return proc;
}

Ws2Handle *
ws2_handle_lookup(SimWorld *world, SOCKET s)
{
    if (world == NULL)
        return NULL;
    return g_hash_table_lookup(ws2_state(world)->handles, (gpointer) (uintptr_t) s);
}

/* ---- The default world ----------------------------------------------- */

static void
default_outputs_close(SimWorld *world)
{
    GError *error = NULL;

    (void) world;
    if (default_pcap != NULL && !wspsim_out_pcap_close(default_pcap, &error)) {
        fprintf(stderr, "wspsim: %s\n", error->message);
        g_clear_error(&error);
    }
    default_pcap = NULL;
    if (default_jsonl != NULL && !wspsim_out_jsonl_close(default_jsonl, &error)) {
        fprintf(stderr, "wspsim: %s\n", error->message);
        g_clear_error(&error);
    }
    default_jsonl = NULL;
    sim_trace_text_free(default_trace);
    default_trace = NULL;
    if (default_trace_file != NULL && default_trace_file != stdout)
        fclose(default_trace_file);
    else if (default_trace_file == stdout)
        fflush(stdout);
    default_trace_file = NULL;
}

/* The atexit handler: the application's process ends as ExitProcess ends a
 * Windows process.  It runs on the thread that returned from main or called
 * exit(), which holds the baton: every other thread of the process is
 * terminated where it stands (it never runs again, so none of its code runs
 * beside the C library's exit handlers), then this one ends, so the process
 * exits at this simulated instant — the provider's exit hook resets its
 * sockets and peers see it — and the world runs on for the drain. */
static void
default_world_exit(void)
{
    SimWorld *world = default_world;
    SimActorId self;
    size_t n;

    if (world == NULL)
        return;
    self = sim_world_current() == world ? sim_actor_current(world) : SIM_ID_NONE;
    /* exit() from a thread that is no simulated thread of the application
     * (or belongs to another process of the world): the application's
     * threads cannot be ended from here. */
    if (self == SIM_ID_NONE || sim_actor_process(world, self) != default_pid) {
        default_outputs_close(world);
        return;
    }
    n = sim_process_terminate(world, default_pid, self);
    sim_trace_textf(world, SIM_TR_NOTE, sim_process_node(world, default_pid), self, "process",
                    "process %s exited: %zu other thread%s terminated",
                    sim_process_name(world, default_pid), n, n == 1 ? "" : "s");
    sim_actor_release(world, sim_world_now(world) + WS2_EXIT_DRAIN);
    default_world = NULL;
    default_pid = SIM_ID_NONE;
    if (embed_handle != NULL) {
        /* The runner owns the world: it checks, writes and frees. */
        int status = embed_finish(embed_handle);

        embed_handle = NULL;
        if (status != 0) {
            fflush(NULL);
            _exit(status); /* the run failed: say so in the exit status */
        }
        return;
    }
    default_outputs_close(world);
    sim_world_free(world);
}

static bool
default_outputs_open(SimWorld *world)
{
    const char *trace = g_getenv("WSPSIM_TRACE");
    const char *pcap = g_getenv("WSPSIM_PCAP");
    const char *jsonl = g_getenv("WSPSIM_JSONL");
    GError *error = NULL;

    if (trace != NULL && trace[0] != '\0') {
        default_trace_file = strcmp(trace, "-") == 0 ? stdout : fopen(trace, "w");
        if (default_trace_file == NULL) {
            fprintf(stderr, "wspsim: WSPSIM_TRACE=%s: cannot open\n", trace);
            return false;
        }
        default_trace = sim_trace_text_new(world, default_trace_file);
    }
    if (pcap != NULL && pcap[0] != '\0' &&
        (default_pcap = wspsim_out_pcap_open(world, pcap, &error)) == NULL)
        goto fail;
    if (jsonl != NULL && jsonl[0] != '\0' &&
        (default_jsonl = wspsim_out_jsonl_open(world, jsonl, &error)) == NULL)
        goto fail;
    return true;
fail:
    fprintf(stderr, "wspsim: %s\n", error->message);
    g_clear_error(&error);
    return false;
}

/* ---- Inside a scenario ------------------------------------------------ */

static const char *
env_or_null(const char *name)
{
    const char *v = g_getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* WSPSIM_SCENARIO: the runner builds the world (wspsim-ws2.h); the calling
 * thread becomes the main thread of the application's process there. */
static bool
scenario_world_create(const char *path)
{
    GModule *self = g_module_open(NULL, 0);
    gpointer begin_sym = NULL, finish_sym = NULL;
    WspsimEmbedRequest req;
    const char *seed_text = env_or_null("WSPSIM_SEED");
    SimWorld *world = NULL;
    uint32_t pid = 0;
    char *msg = NULL;
    void *handle;

    if (self == NULL || !g_module_symbol(self, WSPSIM_EMBED_BEGIN_SYMBOL, &begin_sym) ||
        !g_module_symbol(self, WSPSIM_EMBED_FINISH_SYMBOL, &finish_sym)) {
        fprintf(stderr,
                "wspsim: WSPSIM_SCENARIO=%s: this program has no scenario runner (%s not "
                "found; doc/ws2.md)\n",
                path, WSPSIM_EMBED_BEGIN_SYMBOL);
        return false;
    }
    memset(&req, 0, sizeof req);
    req.scenario_path = path;
    req.host = env_or_null("WSPSIM_HOST");
    req.process_name = env_or_null("WSPSIM_PROCESS") ? env_or_null("WSPSIM_PROCESS") : "app";
    if (seed_text != NULL) {
        char *end = NULL;

        req.seed = g_ascii_strtoull(seed_text, &end, 0);
        if (end == seed_text || *end != '\0') {
            fprintf(stderr, "wspsim: WSPSIM_SEED=%s: not a number\n", seed_text);
            return false;
        }
        req.has_seed = 1;
    }
    req.trace_path = env_or_null("WSPSIM_TRACE");
    req.jsonl_path = env_or_null("WSPSIM_JSONL");
    req.pcap_path = env_or_null("WSPSIM_PCAP");
    req.msc_path = env_or_null("WSPSIM_MSC");
    if (req.host == NULL) {
        fprintf(stderr, "wspsim: WSPSIM_SCENARIO needs WSPSIM_HOST (the host to run on)\n");
        return false;
    }
    handle = ((WspsimEmbedBeginFn) begin_sym)(&req, &world, &pid, &msg);
    if (handle == NULL || world == NULL || pid == SIM_ID_NONE) {
        fprintf(stderr, "wspsim: %s\n", msg != NULL ? msg : "the scenario could not start");
        g_free(msg);
        return false;
    }
    embed_handle = handle;
    embed_finish = (WspsimEmbedFinishFn) finish_sym;
    default_pid = pid;
    default_world = world;
    sim_actor_adopt(world, pid, "main");
    atexit(default_world_exit);
    return true;
}

/* Build the default world and adopt the calling thread; FALSE (with a
 * message on stderr) when the environment asks for something impossible. */
static bool
default_world_create(void)
{
    const char *seed_text = g_getenv("WSPSIM_SEED");
    const char *scenario = g_getenv("WSPSIM_SCENARIO");
    guint64 seed = 1;
    SimWorld *world;
    SimNodeId node;
    SimAddr addr = sim_addr_v4(10, 0, 0, 1);

    if (scenario != NULL && scenario[0] != '\0')
        return scenario_world_create(scenario);
    if (seed_text != NULL && seed_text[0] != '\0') {
        char *end = NULL;

        seed = g_ascii_strtoull(seed_text, &end, 0);
        if (end == seed_text || *end != '\0') {
            fprintf(stderr, "wspsim: WSPSIM_SEED=%s: not a number\n", seed_text);
            return false;
        }
    }
    world = sim_world_new(seed);
    node = sim_node_add(world, "localhost", SIM_NODE_HOST);
    if (sim_node_add_addr(world, node, &addr, 24) != SIM_OK) {
        sim_world_free(world);
        return false;
    }
    if (!default_outputs_open(world)) {
        default_outputs_close(world);
        sim_world_free(world);
        return false;
    }
    default_pid = sim_process_new(world, node, "app");
    default_world = world;
    sim_actor_adopt(world, default_pid, "main");
    atexit(default_world_exit);
    return true;
}

SimProcessId
ws2_default_pid(void)
{
    return default_world != NULL ? default_pid : SIM_ID_NONE;
}

/**
 * ws2_ctx:
 * @ctx: (out): the caller
 *
 * Resolves the calling simulated thread.  The first call from a thread that
 * is not an actor, while no default world exists, creates it (see the file
 * comment) and makes the caller its main thread.
 *
 * Returns: FALSE when the caller is no simulated thread.
 */
bool
ws2_ctx(Ws2Ctx *ctx)
{
    SimWorld *world = sim_world_current();

    memset(ctx, 0, sizeof *ctx);
    if (world == NULL) {
        g_mutex_lock(&default_lock);
        if (!default_tried) {
            default_tried = true;
            ws2_lsp_from_env();
            if (!default_world_create())
                fprintf(stderr, "wspsim: no simulated world: Winsock calls fail\n");
        }
        g_mutex_unlock(&default_lock);
        world = sim_world_current();
        if (world == NULL)
            return false;
    }
    ctx->actor = sim_actor_current(world);
    if (ctx->actor == SIM_ID_NONE)
        return false;
    ctx->world = world;
    ctx->pid = sim_actor_process(world, ctx->actor);
    ctx->proc = ws2_process(world, ctx->pid);
    return true;
}

/**
 * wspsim_ws2_world:
 *
 * Returns: (transfer none) (nullable): the world the calling thread's
 * Winsock calls act in; the default world is created on first use.
 */
struct SimWorld *
wspsim_ws2_world(void)
{
    Ws2Ctx ctx;

    return ws2_ctx(&ctx) ? ctx.world : NULL;
}

/* ---- Last error ------------------------------------------------------ */

void
ws2_set_error(const Ws2Ctx *ctx, int err)
{
    int *slot;

    if (ctx == NULL || ctx->world == NULL) {
        foreign_error = err;
        return;
    }
    slot = sim_actor_get_data(ctx->world, ctx->actor, "ws2-error");
    if (slot == NULL) {
        slot = g_new0(int, 1);
        sim_actor_set_data(ctx->world, ctx->actor, "ws2-error", slot, g_free);
    }
    *slot = err;
}

int
ws2_get_error(const Ws2Ctx *ctx)
{
    int *slot;

    if (ctx == NULL || ctx->world == NULL)
        return foreign_error;
    slot = sim_actor_get_data(ctx->world, ctx->actor, "ws2-error");
    return slot != NULL ? *slot : 0;
}

/**
 * WSAGetLastError:
 *
 * Returns: the last error of the calling simulated thread (each thread,
 * the main thread and every CreateThread thread, has its own).
 */
int WSAAPI
WSAGetLastError(void)
{
    Ws2Ctx ctx;

    return ws2_get_error(ws2_ctx(&ctx) ? &ctx : NULL);
}

void WSAAPI
WSASetLastError(int iError)
{
    Ws2Ctx ctx;

    ws2_set_error(ws2_ctx(&ctx) ? &ctx : NULL, iError);
}

DWORD WINAPI
GetLastError(void)
{
    return (DWORD) WSAGetLastError();
}

VOID WINAPI
SetLastError(DWORD dwErrCode)
{
    WSASetLastError((int) dwErrCode);
}

/* ---- The upcall table (the DLL side of REFERENCE 1.4) ------------------ */

static SimWorld *
upcall_world(void)
{
    return sim_world_current();
}

static SOCKET WSPAPI
up_create_socket_handle(DWORD dwCatalogEntryId, DWORD_PTR dwContext, LPINT lpErrno)
{
    SimWorld *world = upcall_world();
    Ws2State *st;
    Ws2Handle *h;
    SimActorId actor;

    if (world == NULL) {
        *lpErrno = WSANOTINITIALISED;
        return INVALID_SOCKET;
    }
    st = ws2_state(world);
    if (st->next_handle >= (G_MAXUINT32 - WS2_HANDLE_BASE) / WS2_HANDLE_STEP) {
        *lpErrno = WSAENOBUFS;
        return INVALID_SOCKET;
    }
    h = g_new0(Ws2Handle, 1);
    h->handle = WS2_HANDLE_BASE + WS2_HANDLE_STEP * st->next_handle++;
    h->catalog_id = dwCatalogEntryId;
    h->context = dwContext;
    actor = sim_actor_current(world);
    h->pid = actor != SIM_ID_NONE ? sim_actor_process(world, actor) : SIM_ID_NONE;
    g_hash_table_insert(st->handles, (gpointer) (uintptr_t) h->handle, h);
    return h->handle;
}

static int WSPAPI
up_close_socket_handle(SOCKET s, LPINT lpErrno)
{
    SimWorld *world = upcall_world();

    if (world == NULL ||
        !g_hash_table_remove(ws2_state(world)->handles, (gpointer) (uintptr_t) s)) {
        *lpErrno = WSAENOTSOCK;
        return SOCKET_ERROR;
    }
    return 0;
}

static int WSPAPI
up_query_socket_handle_context(SOCKET s, PDWORD_PTR lpContext, LPINT lpErrno)
{
    Ws2Handle *h = ws2_handle_lookup(upcall_world(), s);

    if (lpContext == NULL) {
        *lpErrno = WSAEFAULT;
        return SOCKET_ERROR;
    }
    if (h == NULL) {
        *lpErrno = WSAENOTSOCK;
        return SOCKET_ERROR;
    }
    *lpContext = h->context;
    return 0;
}

static SOCKET WSPAPI
up_modify_ifs_handle(DWORD dwCatalogEntryId, SOCKET ProposedHandle, LPINT lpErrno)
{
    (void) dwCatalogEntryId;
    (void) ProposedHandle;
    *lpErrno = WSAEINVAL; /* no IFS handles in the simulator (REFERENCE 2.2) */
    return INVALID_SOCKET;
}

static int WSPAPI
up_fd_is_set(SOCKET s, fd_set *set)
{
    return __WSAFDIsSet(s, set);
}

/* No blocking hook: providers wait natively, in simulated time. */
static int WSPAPI
up_query_blocking_callback(DWORD dwCatalogEntryId, LPBLOCKINGCALLBACK *lplpfnCallback,
                           PDWORD_PTR lpdwContext, LPINT lpErrno)
{
    (void) dwCatalogEntryId;
    if (lplpfnCallback == NULL || lpdwContext == NULL) {
        *lpErrno = WSAEFAULT;
        return SOCKET_ERROR;
    }
    *lplpfnCallback = NULL;
    *lpdwContext = 0;
    return 0;
}

static int WSPAPI
up_get_provider_path(LPGUID lpProviderId, WCHAR *lpszProviderDllPath, LPINT lpProviderDllPathLen,
                     LPINT lpErrno)
{
    const char *path = NULL;
    size_t len;

    if (lpProviderId == NULL || lpProviderDllPathLen == NULL) {
        *lpErrno = WSAEFAULT;
        return SOCKET_ERROR;
    }
    if (memcmp(lpProviderId, &wspsim_provider_guid, sizeof(GUID)) == 0)
        path = "wspsim-provider";
    for (guint i = 0; path == NULL && i < ws2_lsp_count(); i++) {
        const Ws2Lsp *lsp = ws2_lsp_nth(i);

        if (memcmp(lpProviderId, &lsp->layer.ProviderId, sizeof(GUID)) == 0)
            path = lsp->path;
    }
    if (path == NULL) {
        *lpErrno = WSAEINVAL;
        return SOCKET_ERROR;
    }
    len = strlen(path) + 1;
    if (lpszProviderDllPath == NULL || *lpProviderDllPathLen < (int) len) {
        *lpProviderDllPathLen = (int) len;
        *lpErrno = WSAEFAULT;
        return SOCKET_ERROR;
    }
    for (size_t i = 0; i < len; i++)
        lpszProviderDllPath[i] = (WCHAR) (unsigned char) path[i];
    *lpProviderDllPathLen = (int) len;
    return 0;
}

static WSAEVENT WSPAPI
up_create_event(LPINT lpErrno)
{
    SimWorld *world = upcall_world();
    HANDLE h = world != NULL ? wspsim_os_event_create(world, TRUE, FALSE) : NULL;

    if (h == NULL)
        *lpErrno = WSA_NOT_ENOUGH_MEMORY;
    return h;
}

static BOOL WSPAPI
up_close_event(WSAEVENT hEvent, LPINT lpErrno)
{
    SimWorld *world = upcall_world();

    if (world == NULL || wspsim_os_handle_kind(world, hEvent) != WSPSIM_HANDLE_EVENT ||
        !wspsim_os_handle_close(world, hEvent)) {
        *lpErrno = WSA_INVALID_HANDLE;
        return FALSE;
    }
    return TRUE;
}

static BOOL WSPAPI
up_set_event(WSAEVENT hEvent, LPINT lpErrno)
{
    if (!wspsim_os_event_set(upcall_world(), hEvent)) {
        *lpErrno = WSA_INVALID_HANDLE;
        return FALSE;
    }
    return TRUE;
}

static BOOL WSPAPI
up_reset_event(WSAEVENT hEvent, LPINT lpErrno)
{
    if (!wspsim_os_event_reset(upcall_world(), hEvent)) {
        *lpErrno = WSA_INVALID_HANDLE;
        return FALSE;
    }
    return TRUE;
}

static BOOL WSPAPI
up_post_message(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam)
{
    return wspsim_os_post_message(upcall_world(), hWnd, Msg, wParam, lParam);
}

/* A WSATHREADID names a simulated thread: its thread handle and, in
 * Reserved, the actor id. */
static SimActorId
thread_id_actor(SimWorld *world, const WSATHREADID *id)
{
    SimActorId actor = (SimActorId) id->Reserved;

    if (actor == SIM_ID_NONE)
        actor = wspsim_os_thread_actor(world, id->ThreadHandle);
    return actor;
}

typedef struct {
    LPWSAUSERAPC fn;
    DWORD_PTR context;
} ApcRecord;

static void
apc_trampoline(void *data)
{
    ApcRecord rec = *(ApcRecord *) data;

    g_free(data);
    rec.fn(rec.context);
}

static int WSPAPI
up_queue_apc(LPWSATHREADID lpThreadId, LPWSAUSERAPC lpfnUserApc, DWORD_PTR dwContext, LPINT lpErrno)
{
    SimWorld *world = upcall_world();
    ApcRecord *rec;
    SimActorId actor;

    if (world == NULL || lpThreadId == NULL || lpfnUserApc == NULL ||
        (actor = thread_id_actor(world, lpThreadId)) == SIM_ID_NONE ||
        !sim_actor_is_alive(world, actor)) {
        *lpErrno = WSAEFAULT;
        return SOCKET_ERROR;
    }
    rec = g_new(ApcRecord, 1);
    rec->fn = lpfnUserApc;
    rec->context = dwContext;
    if (!sim_actor_queue_apc(world, actor, apc_trampoline, rec)) {
        g_free(rec);
        *lpErrno = WSAEFAULT;
        return SOCKET_ERROR;
    }
    return 0;
}

static int WSPAPI
up_open_current_thread(LPWSATHREADID lpThreadId, LPINT lpErrno)
{
    SimWorld *world = upcall_world();
    SimActorId actor = world != NULL ? sim_actor_current(world) : SIM_ID_NONE;

    if (lpThreadId == NULL) {
        *lpErrno = WSAEFAULT;
        return SOCKET_ERROR;
    }
    if (actor == SIM_ID_NONE) {
        *lpErrno = WSANOTINITIALISED;
        return SOCKET_ERROR;
    }
    lpThreadId->ThreadHandle = wspsim_os_thread_handle(world, actor);
    lpThreadId->Reserved = actor;
    return 0;
}

static int WSPAPI
up_close_thread(LPWSATHREADID lpThreadId, LPINT lpErrno)
{
    if (lpThreadId == NULL) {
        *lpErrno = WSAEFAULT;
        return SOCKET_ERROR;
    }
    /* The thread handle stays: it is the thread's one handle (wspsim-os.h). */
    lpThreadId->ThreadHandle = NULL;
    lpThreadId->Reserved = 0;
    return 0;
}

WSPUPCALLTABLE
ws2_upcall_table(void)
{
    WSPUPCALLTABLE t;

    memset(&t, 0, sizeof t);
    t.lpWPUCloseEvent = up_close_event;
    t.lpWPUCloseSocketHandle = up_close_socket_handle;
    t.lpWPUCreateEvent = up_create_event;
    t.lpWPUCreateSocketHandle = up_create_socket_handle;
    t.lpWPUFDIsSet = up_fd_is_set;
    t.lpWPUGetProviderPath = up_get_provider_path;
    t.lpWPUModifyIFSHandle = up_modify_ifs_handle;
    t.lpWPUPostMessage = up_post_message;
    t.lpWPUQueryBlockingCallback = up_query_blocking_callback;
    t.lpWPUQuerySocketHandleContext = up_query_socket_handle_context;
    t.lpWPUQueueApc = up_queue_apc;
    t.lpWPUResetEvent = up_reset_event;
    t.lpWPUSetEvent = up_set_event;
    t.lpWPUOpenCurrentThread = up_open_current_thread;
    t.lpWPUCloseThread = up_close_thread;
    return t;
}

/**
 * WPUCompleteOverlappedRequest:
 *
 * Ws2_32's export for providers whose handles came from
 * WPUCreateSocketHandle (REFERENCE 2.4): stores @cbTransferred in
 * InternalHigh and @dwError in OffsetHigh, marks the request complete in
 * Internal, and signals hEvent when there is one.  (No completion ports.)
 *
 * Returns: 0, or SOCKET_ERROR with WSAEINVAL (not such a handle) or
 * WSAEFAULT (NULL @lpOverlapped).
 */
int WSPAPI
WPUCompleteOverlappedRequest(SOCKET s, LPWSAOVERLAPPED lpOverlapped, DWORD dwError,
                             DWORD cbTransferred, LPINT lpErrno)
{
    SimWorld *world = upcall_world();

    if (ws2_handle_lookup(world, s) == NULL) {
        *lpErrno = WSAEINVAL;
        return SOCKET_ERROR;
    }
    if (lpOverlapped == NULL) {
        *lpErrno = WSAEFAULT;
        return SOCKET_ERROR;
    }
    lpOverlapped->OffsetHigh = dwError;
    lpOverlapped->InternalHigh = cbTransferred;
    lpOverlapped->Internal = dwError; /* anything but WSS_OPERATION_IN_PROGRESS */
    if (lpOverlapped->hEvent != NULL)
        wspsim_os_event_set(world, lpOverlapped->hEvent);
    return 0;
}
