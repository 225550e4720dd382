/* SPDX-License-Identifier: MIT
 *
 * wsp-trace.c: the call context every WSP* entry point opens — which world,
 * process and actor call (WSP* carry no world argument) — and the call
 * trace: one SIM_TR_CALL record when a call returns, e.g.
 *   WSPRecv(s=0x104, len=100) = 5 "hello"
 *   WSPSend(s=0x100, 4 bytes) = SOCKET_ERROR WSAESHUTDOWN
 * and one when it starts to block ("... blocks").  Text is formatted only
 * when something listens (sim_trace_enabled).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wsp-private.h"

/* The process named for code running outside any actor (main, tests). */
static SimWorld *ctx_world;
static SimProcessId ctx_pid;

/**
 * wspsim_set_context:
 * @world: (nullable): the world; NULL forgets the context
 * @pid: the process WSP* calls act for when no actor runs
 *
 * WSP* calls made from an actor always act for the actor's process; this
 * names the process for calls made from plain C code.  Such a caller cannot
 * wait in simulated time, so a call that would block fails with
 * WSAEWOULDBLOCK instead (doc/spi-choices.md).
 */
void
wspsim_set_context(struct SimWorld *world, uint32_t pid)
{
    ctx_world = world;
    ctx_pid = world != NULL ? pid : SIM_ID_NONE;
}

void
wsp_call_open(WspCall *call, const char *fn)
{
    SimWorld *world = sim_world_current();
    SimProcessId pid = SIM_ID_NONE;

    memset(call, 0, sizeof *call);
    call->fn = fn;
    if (world != NULL) {
        call->actor = sim_actor_current(world);
        if (call->actor != SIM_ID_NONE)
            pid = sim_actor_process(world, call->actor);
    }
    if (pid == SIM_ID_NONE && ctx_world != NULL && (world == NULL || world == ctx_world)) {
        world = ctx_world;
        pid = ctx_pid;
        call->actor = SIM_ID_NONE;
    }
    /* A pid the world never made (a stale or made-up context) is no process:
     * no provider state is created for it. */
    if (world == NULL || pid == SIM_ID_NONE || sim_process_node(world, pid) == SIM_ID_NONE)
        return;
    call->world = world;
    call->node = sim_process_node(world, pid);
    call->proc = wsp_process_get(world, pid, true);
    call->trace = sim_trace_enabled(world);
}

/* ---- Busy-poll guard ------------------------------------------------------ */

#define BUSY_KEY "wsp-busy-poll"
#define BUSY_ACTOR_KEY "wsp-busy-poll-actor"
#define BUSY_LIMIT_DEFAULT ((guint64) 1000000)

typedef struct {
    guint64 limit; /* 0: BUSY_LIMIT_DEFAULT */
    SimActorId first;
    size_t count;
} BusyState;

typedef struct {
    SimTime t;
    guint64 n;
    bool reported;
} BusyActor;

static BusyState *
busy_state(SimWorld *world, bool create)
{
    BusyState *b = sim_world_get_data(world, BUSY_KEY);

    if (b == NULL && create) {
        b = g_new0(BusyState, 1);
        sim_world_set_data(world, BUSY_KEY, b, g_free);
    }
    return b;
}

void
wspsim_set_busy_poll_limit(struct SimWorld *world, uint64_t calls)
{
    g_return_if_fail(world != NULL);
    busy_state(world, true)->limit = calls;
}

uint32_t
wspsim_busy_poll_actor(struct SimWorld *world, size_t *out_count)
{
    BusyState *b = world != NULL ? busy_state(world, false) : NULL;

    if (out_count != NULL)
        *out_count = b != NULL ? b->count : 0;
    return b != NULL ? b->first : SIM_ID_NONE;
}

/* One more WSP call by the calling actor at this instant: past the limit,
 * note it once per actor and remember the actor. */
static void
busy_count(WspCall *call)
{
    SimWorld *world = call->world;
    SimTime now = sim_world_now(world);
    BusyActor *a = sim_actor_get_data(world, call->actor, BUSY_ACTOR_KEY);
    BusyState *b;
    guint64 limit;

    if (a == NULL) {
        a = g_new0(BusyActor, 1);
        a->t = now;
        sim_actor_set_data(world, call->actor, BUSY_ACTOR_KEY, a, g_free);
    }
    if (a->t != now) {
        a->t = now;
        a->n = 0;
    }
    if (a->reported)
        return;
    a->n++;
    b = busy_state(world, false);
    limit = b != NULL && b->limit != 0 ? b->limit : BUSY_LIMIT_DEFAULT;
    if (a->n <= limit)
        return;
    b = busy_state(world, true);
    a->reported = true;
    if (b->count++ == 0)
        b->first = call->actor;
    if (call->trace)
        sim_trace_textf(world, SIM_TR_NOTE, call->node, call->actor, "busy-poll",
                        "%s: %" G_GUINT64_FORMAT
                        " WSP calls by this thread at one instant without time advancing "
                        "(add a sleep or a blocking call)",
                        call->fn, a->n);
}

bool
wsp_call_begin(WspCall *call, const char *fn, int *out_err)
{
    wsp_call_open(call, fn);
    if (call->world != NULL && call->actor != SIM_ID_NONE)
        busy_count(call);
    if (call->proc == NULL || call->proc->startup_count == 0) {
        *out_err = WSANOTINITIALISED;
        return false;
    }
    return true;
}

void
wsp_call_args(WspCall *call, const char *fmt, ...)
{
    va_list ap;

    if (!call->trace)
        return;
    va_start(ap, fmt);
    g_vsnprintf(call->args, sizeof call->args, fmt, ap);
    va_end(ap);
}

static void
call_emit(WspCall *call, const char *result)
{
    sim_trace_textf(call->world, SIM_TR_CALL, call->node, call->actor, call->fn, "%s(%s) %s",
                    call->fn, call->args, result);
}

void
wsp_call_end(WspCall *call, const char *fmt, ...)
{
    char res[256];
    va_list ap;

    if (!call->trace)
        return;
    res[0] = '=';
    res[1] = ' ';
    va_start(ap, fmt);
    g_vsnprintf(res + 2, sizeof res - 2, fmt, ap);
    va_end(ap);
    call_emit(call, res);
}

void
wsp_call_blocks(WspCall *call)
{
    if (call->trace && !call->blocked)
        call_emit(call, "blocks");
    call->blocked = true;
}

int
wsp_call_fail(WspCall *call, LPINT lpErrno, int code)
{
    if (call->trace && call->world != NULL)
        wsp_call_end(call, "SOCKET_ERROR %s", wsp_error_name(code));
    return wsp_fail(lpErrno, code);
}

/* The same for the BOOL functions (WSPGetOverlappedResult, WSPGetQOSByName). */
BOOL
wsp_call_fail_bool(WspCall *call, LPINT lpErrno, int code)
{
    if (call->trace && call->world != NULL)
        wsp_call_end(call, "FALSE %s", wsp_error_name(code));
    wsp_fail(lpErrno, code);
    return FALSE;
}

SOCKET
wsp_call_fail_socket(WspCall *call, LPINT lpErrno, int code)
{
    if (call->trace && call->world != NULL)
        wsp_call_end(call, "INVALID_SOCKET %s", wsp_error_name(code));
    if (lpErrno != NULL)
        *lpErrno = code;
    return INVALID_SOCKET;
}

int
wsp_call_ok(WspCall *call)
{
    wsp_call_end(call, "0");
    return 0;
}

const char *
wsp_fmt_sockaddr(const SimSockAddr *sa, char buf[SIM_SOCKADDR_STRLEN])
{
    return sim_sockaddr_to_string(sa, buf);
}

void
wsp_fmt_data(GString *str, const void *data, size_t len)
{
    const guint8 *p = data;
    size_t shown = MIN(len, (size_t) 24);

    g_string_append_c(str, '"');
    for (size_t i = 0; i < shown; i++) {
        guint8 c = p[i];

        if (c == '"' || c == '\\')
            g_string_append_printf(str, "\\%c", c);
        else if (c == '\n')
            g_string_append(str, "\\n");
        else if (c == '\r')
            g_string_append(str, "\\r");
        else if (c >= 0x20 && c < 0x7f)
            g_string_append_c(str, (char) c);
        else
            g_string_append_printf(str, "\\x%02x", c);
    }
    g_string_append_c(str, '"');
    if (shown < len)
        g_string_append(str, "...");
}
