/* SPDX-License-Identifier: MIT
 *
 * wsp-fault.c: provider-level fault injection.
 *
 * The rules live with the world; they are applied by wrappers that
 * WSPStartup puts in every slot of the proc table it hands out, so the WSP
 * functions themselves carry no fault code and a client that calls through
 * its proc table (the runner, ws2/, embedded C code, a layered provider)
 * meets the faults.  With no rule in the world a wrapper costs one lookup.
 *
 * Only outcomes real Winsock can produce: a failure uses a code the
 * function's documentation lists (wsp-fault-errors.c, generated from
 * REFERENCE.md); short sends apply to non-blocking stream sockets, where a
 * send may consume part of the buffers; short receives to stream sockets,
 * where a receive may return fewer bytes than are queued.  A rule counts the
 * calls it covers per process, so "the 3rd WSPSend of process client" means
 * the same call on every run.
 */
#include "config.h"

#include <string.h>

#include "wsp-fault-private.h"

typedef enum {
    RULE_FAIL,
    RULE_SHORT_SEND,
    RULE_SHORT_RECV,
    RULE_DELAY,
} RuleKind;

typedef struct {
    guint id;
    RuleKind kind;
    SimProcessId pid; /* 0: every process */
    char *function;   /* RULE_FAIL only */
    WSPSIM_FAULT_TRIGGER trigger;
    guint32 value;
    int wsa_error;
    guint32 max_bytes;
    SimTime delay_ns;
    guint64 hits;
    GHashTable *calls; /* SimProcessId -> calls counted (lookup only) */
    SimRng rng;
    bool removed;
} Rule;

typedef struct {
    GPtrArray *rules; /* of Rule*, index = id - 1 */
    size_t live;
} FaultState;

G_DEFINE_QUARK(wspsim-fault-error-quark, wspsim_fault_error)

/* Live rules over every world: while it is 0 (the usual case) a wrapper
 * returns at once, before resolving the caller. */
static gint live_rules_all;

static void
rule_free(gpointer p)
{
    Rule *r = p;
    g_hash_table_destroy(r->calls);
    g_free(r->function);
    g_free(r);
}

static void
fault_state_free(gpointer p)
{
    FaultState *st = p;
    g_atomic_int_add(&live_rules_all, -(gint) st->live);
    g_ptr_array_free(st->rules, TRUE);
    g_free(st);
}

static FaultState *
fault_state(SimWorld *world, bool create)
{
    FaultState *st = sim_world_get_data(world, "wsp-fault");

    if (st == NULL && create) {
        st = g_new0(FaultState, 1);
        st->rules = g_ptr_array_new_with_free_func(rule_free);
        sim_world_set_data(world, "wsp-fault", st, fault_state_free);
    }
    return st;
}

bool
wsp_fault_code_documented(const char *function, int code)
{
    for (size_t i = 0; i < wsp_fault_documented_errors_count; i++) {
        const WspFaultErrors *e = &wsp_fault_documented_errors[i];
        if (!g_str_equal(e->function, function))
            continue;
        for (size_t k = 0; k < WSP_FAULT_MAX_CODES && e->codes[k] != 0; k++) {
            if (e->codes[k] == code)
                return true;
        }
        return false;
    }
    return false;
}

static bool
function_known(const char *function)
{
    for (size_t i = 0; i < wsp_fault_documented_errors_count; i++) {
        if (g_str_equal(wsp_fault_documented_errors[i].function, function))
            return !g_str_equal(function, "WSPStartup");
    }
    return false;
}

static bool
check_trigger(WSPSIM_FAULT_TRIGGER trigger, guint32 value, GError **error)
{
    switch (trigger) {
    case WSPSIM_FAULT_NTH:
    case WSPSIM_FAULT_EVERY:
        if (value >= 1)
            return true;
        g_set_error(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_RANGE,
                    "a call count must be 1 or more, not %u", value);
        return false;
    case WSPSIM_FAULT_PROBABILITY:
        if (value >= 1 && value <= SIM_PPM_ONE)
            return true;
        g_set_error(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_RANGE,
                    "a probability must be 1 to 1000000 ppm, not %u", value);
        return false;
    }
    g_set_error(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_RANGE, "unknown trigger %d",
                (int) trigger);
    return false;
}

static Rule *
rule_add(SimWorld *world, RuleKind kind, uint32_t pid, WSPSIM_FAULT_TRIGGER trigger, guint32 value)
{
    FaultState *st = fault_state(world, true);
    Rule *r = g_new0(Rule, 1);
    char name[64];

    r->id = st->rules->len + 1;
    r->kind = kind;
    r->pid = pid;
    r->trigger = trigger;
    r->value = value;
    r->calls = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_snprintf(name, sizeof name, "wsp-fault/%u", r->id);
    sim_rng_init(&r->rng, sim_world_seed(world), name);
    g_ptr_array_add(st->rules, r);
    st->live++;
    g_atomic_int_inc(&live_rules_all);
    return r;
}

/**
 * wspsim_fault_fail_calls:
 * @world: the world
 * @pid: the process whose calls fail, or 0 for every process
 * @function: a WSP function name, e.g. "WSPSend"
 * @trigger: which calls: the Nth, every Kth, or each with a probability
 * @value: N, K, or the probability in ppm
 * @wsa_error: the code the call fails with; must be one its documentation lists
 * @error: (nullable): why the rule was refused
 *
 * Returns: the rule's id (1, 2, ...), or 0 with @error set.
 */
guint
wspsim_fault_fail_calls(SimWorld *world, uint32_t pid, const char *function,
                        WSPSIM_FAULT_TRIGGER trigger, uint32_t value, int wsa_error,
                        GError **error)
{
    Rule *r;

    g_return_val_if_fail(world != NULL, 0);
    if (function == NULL || !function_known(function)) {
        g_set_error(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_FUNCTION,
                    "'%s' is not a WSP function a client calls", function ? function : "(null)");
        return 0;
    }
    if (!wsp_fault_code_documented(function, wsa_error)) {
        g_set_error(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_CODE,
                    "%s never fails with %s on Windows (not in its documented errors)", function,
                    wsp_error_name(wsa_error));
        return 0;
    }
    if (!check_trigger(trigger, value, error))
        return 0;
    r = rule_add(world, RULE_FAIL, pid, trigger, value);
    r->function = g_strdup(function);
    r->wsa_error = wsa_error;
    return r->id;
}

static guint
add_short(SimWorld *world, RuleKind kind, uint32_t pid, uint32_t max_bytes,
          WSPSIM_FAULT_TRIGGER trigger, uint32_t value, GError **error)
{
    Rule *r;

    g_return_val_if_fail(world != NULL, 0);
    if (max_bytes == 0) {
        g_set_error(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_RANGE,
                    "a short transfer keeps at least 1 byte");
        return 0;
    }
    if (!check_trigger(trigger, value, error))
        return 0;
    r = rule_add(world, kind, pid, trigger, value);
    r->max_bytes = max_bytes;
    return r->id;
}

guint
wspsim_fault_short_sends(SimWorld *world, uint32_t pid, uint32_t max_bytes,
                         WSPSIM_FAULT_TRIGGER trigger, uint32_t value, GError **error)
{
    return add_short(world, RULE_SHORT_SEND, pid, max_bytes, trigger, value, error);
}

guint
wspsim_fault_short_recvs(SimWorld *world, uint32_t pid, uint32_t max_bytes,
                         WSPSIM_FAULT_TRIGGER trigger, uint32_t value, GError **error)
{
    return add_short(world, RULE_SHORT_RECV, pid, max_bytes, trigger, value, error);
}

guint
wspsim_fault_delay_completions(SimWorld *world, uint32_t pid, uint64_t delay_ns, GError **error)
{
    Rule *r;

    g_return_val_if_fail(world != NULL, 0);
    if (delay_ns == 0) {
        g_set_error(error, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_RANGE,
                    "a completion delay must be positive");
        return 0;
    }
    r = rule_add(world, RULE_DELAY, pid, WSPSIM_FAULT_EVERY, 1);
    r->delay_ns = delay_ns;
    return r->id;
}

static Rule *
rule_get(SimWorld *world, guint id)
{
    FaultState *st = world ? fault_state(world, false) : NULL;

    if (st == NULL || id == 0 || id > st->rules->len)
        return NULL;
    Rule *r = g_ptr_array_index(st->rules, id - 1);
    return r->removed ? NULL : r;
}

bool
wspsim_fault_remove(SimWorld *world, guint rule)
{
    Rule *r = rule_get(world, rule);

    if (r == NULL)
        return false;
    r->removed = true;
    fault_state(world, false)->live--;
    g_atomic_int_add(&live_rules_all, -1);
    return true;
}

uint64_t
wspsim_fault_hits(SimWorld *world, guint rule)
{
    FaultState *st = world ? fault_state(world, false) : NULL;

    if (st == NULL || rule == 0 || rule > st->rules->len)
        return 0;
    return ((Rule *) g_ptr_array_index(st->rules, rule - 1))->hits;
}

/* Count this call against @r for @pid and say whether the rule fires. */
static bool
rule_fires(Rule *r, SimProcessId pid, guint64 *out_call)
{
    guint64 n = GPOINTER_TO_SIZE(g_hash_table_lookup(r->calls, GUINT_TO_POINTER(pid))) + 1;
    bool fire = false;

    g_hash_table_insert(r->calls, GUINT_TO_POINTER(pid), GSIZE_TO_POINTER(n));
    switch (r->trigger) {
    case WSPSIM_FAULT_NTH:
        fire = n == r->value;
        break;
    case WSPSIM_FAULT_EVERY:
        fire = n % r->value == 0;
        break;
    case WSPSIM_FAULT_PROBABILITY:
        fire = sim_rng_chance_ppm(&r->rng, r->value);
        break;
    }
    if (fire)
        r->hits++;
    *out_call = n;
    return fire;
}

typedef struct {
    SimWorld *world;
    FaultState *st;
    SimProcessId pid;
    SimActorId actor;
    SimNodeId node;
} Caller;

static bool
caller_get(Caller *c)
{
    WspCall call;

    if (g_atomic_int_get(&live_rules_all) == 0)
        return false;
    /* The same resolution the WSP functions use: the running actor's
     * process, or the one wspsim_set_context() named. */
    wsp_call_open(&call, "fault");
    c->world = call.world;
    if (c->world == NULL || call.proc == NULL)
        return false;
    c->st = fault_state(c->world, false);
    if (c->st == NULL || c->st->live == 0)
        return false;
    c->pid = call.proc->pid;
    c->actor = call.actor;
    c->node = call.node;
    return true;
}

static void
trace_hit(const Caller *c, const Rule *r, const char *function, guint64 call, const char *what)
{
    if (!sim_trace_enabled(c->world))
        return;
    sim_trace_textf(c->world, SIM_TR_FAULT, c->node, c->actor, function,
                    "%s call %" G_GUINT64_FORMAT " of %s: %s [rule %u]", function, call,
                    sim_process_name(c->world, c->pid), what, r->id);
}

/* Should this call of @function fail?  *@out_err gets the code. */
static bool
fault_fail(const char *function, int *out_err)
{
    Caller c;

    if (!caller_get(&c))
        return false;
    for (guint i = 0; i < c.st->rules->len; i++) {
        Rule *r = g_ptr_array_index(c.st->rules, i);
        guint64 n;

        if (r->removed || r->kind != RULE_FAIL || !g_str_equal(r->function, function) ||
            (r->pid != 0 && r->pid != c.pid))
            continue;
        if (rule_fires(r, c.pid, &n)) {
            char what[64];
            g_snprintf(what, sizeof what, "fails with %s", wsp_error_name(r->wsa_error));
            trace_hit(&c, r, function, n, what);
            *out_err = r->wsa_error;
            return true;
        }
    }
    return false;
}

/* The byte limit a short-transfer rule imposes on this call, or 0. */
static guint32
fault_short(RuleKind kind, const char *function, SOCKET s)
{
    Caller c;
    WspCall call;
    WspSocket *ws;
    guint32 limit = 0;

    if (!caller_get(&c))
        return 0;
    wsp_call_open(&call, function);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL || !ws->stream || (kind == RULE_SHORT_SEND && !ws->nonblocking))
        return 0;
    for (guint i = 0; i < c.st->rules->len; i++) {
        Rule *r = g_ptr_array_index(c.st->rules, i);
        guint64 n;

        if (r->removed || r->kind != kind || (r->pid != 0 && r->pid != c.pid))
            continue;
        if (rule_fires(r, c.pid, &n)) {
            char what[64];
            g_snprintf(what, sizeof what, "%s limited to %u bytes",
                       kind == RULE_SHORT_SEND ? "send" : "receive", r->max_bytes);
            trace_hit(&c, r, function, n, what);
            limit = limit ? MIN(limit, r->max_bytes) : r->max_bytes;
        }
    }
    return limit;
}

uint64_t
wspsim_fault_completion_delay(SimWorld *world, uint32_t pid)
{
    FaultState *st = world ? fault_state(world, false) : NULL;
    uint64_t delay = 0;

    if (st == NULL || st->live == 0)
        return 0;
    for (guint i = 0; i < st->rules->len; i++) {
        Rule *r = g_ptr_array_index(st->rules, i);
        if (!r->removed && r->kind == RULE_DELAY && (r->pid == 0 || r->pid == pid)) {
            r->hits++;
            delay += r->delay_ns;
        }
    }
    return delay;
}

/* A copy of @bufs cut so that they hold at most @limit bytes in all. */
static DWORD
clip_buffers(const WSABUF *bufs, DWORD count, guint32 limit, WSABUF *out, DWORD cap)
{
    DWORD n = 0;
    guint64 left = limit;

    for (DWORD i = 0; i < count && n < cap && left > 0; i++) {
        out[n] = bufs[i];
        if (out[n].len > left)
            out[n].len = (ULONG) left;
        left -= out[n].len;
        n++;
    }
    return n;
}

#define CLIP_MAX 64

/* ---- The wrappers ----------------------------------------------------- */

#define GATE(fn, fail_value)                                                                   \
    do {                                                                                       \
        int e_;                                                                                \
        if (lpErrno != NULL && fault_fail(#fn, &e_)) {                                         \
            *lpErrno = e_;                                                                     \
            return fail_value;                                                                 \
        }                                                                                      \
    } while (0)

static SOCKET WSPAPI
f_WSPAccept(SOCKET s, struct sockaddr *addr, LPINT addrlen, LPCONDITIONPROC cond,
            DWORD_PTR data, LPINT lpErrno)
{
    GATE(WSPAccept, INVALID_SOCKET);
    return WSPAccept(s, addr, addrlen, cond, data, lpErrno);
}

static int WSPAPI
f_WSPAsyncSelect(SOCKET s, HWND hWnd, unsigned int wMsg, LONG lEvent, LPINT lpErrno)
{
    GATE(WSPAsyncSelect, SOCKET_ERROR);
    return WSPAsyncSelect(s, hWnd, wMsg, lEvent, lpErrno);
}

static int WSPAPI
f_WSPBind(SOCKET s, const struct sockaddr *name, int namelen, LPINT lpErrno)
{
    GATE(WSPBind, SOCKET_ERROR);
    return WSPBind(s, name, namelen, lpErrno);
}

static int WSPAPI
f_WSPCancelBlockingCall(LPINT lpErrno)
{
    GATE(WSPCancelBlockingCall, SOCKET_ERROR);
    return WSPCancelBlockingCall(lpErrno);
}

static int WSPAPI
f_WSPCleanup(LPINT lpErrno)
{
    GATE(WSPCleanup, SOCKET_ERROR);
    return WSPCleanup(lpErrno);
}

static int WSPAPI
f_WSPCloseSocket(SOCKET s, LPINT lpErrno)
{
    GATE(WSPCloseSocket, SOCKET_ERROR);
    return WSPCloseSocket(s, lpErrno);
}

static int WSPAPI
f_WSPConnect(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF caller,
             LPWSABUF callee, LPQOS sqos, LPQOS gqos, LPINT lpErrno)
{
    GATE(WSPConnect, SOCKET_ERROR);
    return WSPConnect(s, name, namelen, caller, callee, sqos, gqos, lpErrno);
}

static int WSPAPI
f_WSPDuplicateSocket(SOCKET s, DWORD pid, LPWSAPROTOCOL_INFOW info, LPINT lpErrno)
{
    GATE(WSPDuplicateSocket, SOCKET_ERROR);
    return WSPDuplicateSocket(s, pid, info, lpErrno);
}

static int WSPAPI
f_WSPEnumNetworkEvents(SOCKET s, WSAEVENT ev, LPWSANETWORKEVENTS ne, LPINT lpErrno)
{
    GATE(WSPEnumNetworkEvents, SOCKET_ERROR);
    return WSPEnumNetworkEvents(s, ev, ne, lpErrno);
}

static int WSPAPI
f_WSPEventSelect(SOCKET s, WSAEVENT ev, LONG events, LPINT lpErrno)
{
    GATE(WSPEventSelect, SOCKET_ERROR);
    return WSPEventSelect(s, ev, events, lpErrno);
}

static BOOL WSPAPI
f_WSPGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov, LPDWORD transfer, BOOL wait,
                         LPDWORD flags, LPINT lpErrno)
{
    GATE(WSPGetOverlappedResult, FALSE);
    return WSPGetOverlappedResult(s, ov, transfer, wait, flags, lpErrno);
}

static int WSPAPI
f_WSPGetPeerName(SOCKET s, struct sockaddr *name, LPINT namelen, LPINT lpErrno)
{
    GATE(WSPGetPeerName, SOCKET_ERROR);
    return WSPGetPeerName(s, name, namelen, lpErrno);
}

static int WSPAPI
f_WSPGetSockName(SOCKET s, struct sockaddr *name, LPINT namelen, LPINT lpErrno)
{
    GATE(WSPGetSockName, SOCKET_ERROR);
    return WSPGetSockName(s, name, namelen, lpErrno);
}

static int WSPAPI
f_WSPGetSockOpt(SOCKET s, int level, int optname, char *optval, LPINT optlen, LPINT lpErrno)
{
    GATE(WSPGetSockOpt, SOCKET_ERROR);
    return WSPGetSockOpt(s, level, optname, optval, optlen, lpErrno);
}

static BOOL WSPAPI
f_WSPGetQOSByName(SOCKET s, LPWSABUF name, LPQOS qos, LPINT lpErrno)
{
    GATE(WSPGetQOSByName, FALSE);
    return WSPGetQOSByName(s, name, qos, lpErrno);
}

static int WSPAPI
f_WSPIoctl(SOCKET s, DWORD code, LPVOID in, DWORD in_len, LPVOID out, DWORD out_len,
           LPDWORD returned, LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr,
           LPWSATHREADID tid, LPINT lpErrno)
{
    GATE(WSPIoctl, SOCKET_ERROR);
    return WSPIoctl(s, code, in, in_len, out, out_len, returned, ov, cr, tid, lpErrno);
}

static SOCKET WSPAPI
f_WSPJoinLeaf(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF caller,
              LPWSABUF callee, LPQOS sqos, LPQOS gqos, DWORD flags, LPINT lpErrno)
{
    GATE(WSPJoinLeaf, INVALID_SOCKET);
    return WSPJoinLeaf(s, name, namelen, caller, callee, sqos, gqos, flags, lpErrno);
}

static int WSPAPI
f_WSPListen(SOCKET s, int backlog, LPINT lpErrno)
{
    GATE(WSPListen, SOCKET_ERROR);
    return WSPListen(s, backlog, lpErrno);
}

static int WSPAPI
f_WSPRecv(SOCKET s, LPWSABUF bufs, DWORD count, LPDWORD received, LPDWORD flags,
          LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid,
          LPINT lpErrno)
{
    guint32 limit;

    GATE(WSPRecv, SOCKET_ERROR);
    if (bufs != NULL && count > 0 && (limit = fault_short(RULE_SHORT_RECV, "WSPRecv", s)) > 0) {
        WSABUF clipped[CLIP_MAX];
        DWORD n = clip_buffers(bufs, count, limit, clipped, CLIP_MAX);
        return WSPRecv(s, clipped, n, received, flags, ov, cr, tid, lpErrno);
    }
    return WSPRecv(s, bufs, count, received, flags, ov, cr, tid, lpErrno);
}

static int WSPAPI
f_WSPRecvDisconnect(SOCKET s, LPWSABUF data, LPINT lpErrno)
{
    GATE(WSPRecvDisconnect, SOCKET_ERROR);
    return WSPRecvDisconnect(s, data, lpErrno);
}

static int WSPAPI
f_WSPRecvFrom(SOCKET s, LPWSABUF bufs, DWORD count, LPDWORD received, LPDWORD flags,
              struct sockaddr *from, LPINT fromlen, LPWSAOVERLAPPED ov,
              LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid, LPINT lpErrno)
{
    guint32 limit;

    GATE(WSPRecvFrom, SOCKET_ERROR);
    if (bufs != NULL && count > 0 &&
        (limit = fault_short(RULE_SHORT_RECV, "WSPRecvFrom", s)) > 0) {
        WSABUF clipped[CLIP_MAX];
        DWORD n = clip_buffers(bufs, count, limit, clipped, CLIP_MAX);
        return WSPRecvFrom(s, clipped, n, received, flags, from, fromlen, ov, cr, tid, lpErrno);
    }
    return WSPRecvFrom(s, bufs, count, received, flags, from, fromlen, ov, cr, tid, lpErrno);
}

static int WSPAPI
f_WSPSelect(int nfds, fd_set *r, fd_set *w, fd_set *e, const struct timeval *timeout,
            LPINT lpErrno)
{
    GATE(WSPSelect, SOCKET_ERROR);
    return WSPSelect(nfds, r, w, e, timeout, lpErrno);
}

static int WSPAPI
f_WSPSend(SOCKET s, LPWSABUF bufs, DWORD count, LPDWORD sent, DWORD flags,
          LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid,
          LPINT lpErrno)
{
    guint32 limit;

    GATE(WSPSend, SOCKET_ERROR);
    if (bufs != NULL && count > 0 && ov == NULL && cr == NULL &&
        (limit = fault_short(RULE_SHORT_SEND, "WSPSend", s)) > 0) {
        WSABUF clipped[CLIP_MAX];
        DWORD n = clip_buffers(bufs, count, limit, clipped, CLIP_MAX);
        return WSPSend(s, clipped, n, sent, flags, ov, cr, tid, lpErrno);
    }
    return WSPSend(s, bufs, count, sent, flags, ov, cr, tid, lpErrno);
}

static int WSPAPI
f_WSPSendDisconnect(SOCKET s, LPWSABUF data, LPINT lpErrno)
{
    GATE(WSPSendDisconnect, SOCKET_ERROR);
    return WSPSendDisconnect(s, data, lpErrno);
}

static int WSPAPI
f_WSPSendTo(SOCKET s, LPWSABUF bufs, DWORD count, LPDWORD sent, DWORD flags,
            const struct sockaddr *to, int tolen, LPWSAOVERLAPPED ov,
            LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid, LPINT lpErrno)
{
    guint32 limit;

    GATE(WSPSendTo, SOCKET_ERROR);
    if (bufs != NULL && count > 0 && ov == NULL && cr == NULL &&
        (limit = fault_short(RULE_SHORT_SEND, "WSPSendTo", s)) > 0) {
        WSABUF clipped[CLIP_MAX];
        DWORD n = clip_buffers(bufs, count, limit, clipped, CLIP_MAX);
        return WSPSendTo(s, clipped, n, sent, flags, to, tolen, ov, cr, tid, lpErrno);
    }
    return WSPSendTo(s, bufs, count, sent, flags, to, tolen, ov, cr, tid, lpErrno);
}

static int WSPAPI
f_WSPSetSockOpt(SOCKET s, int level, int optname, const char *optval, int optlen,
                LPINT lpErrno)
{
    GATE(WSPSetSockOpt, SOCKET_ERROR);
    return WSPSetSockOpt(s, level, optname, optval, optlen, lpErrno);
}

static int WSPAPI
f_WSPShutdown(SOCKET s, int how, LPINT lpErrno)
{
    GATE(WSPShutdown, SOCKET_ERROR);
    return WSPShutdown(s, how, lpErrno);
}

static SOCKET WSPAPI
f_WSPSocket(int af, int type, int protocol, LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags,
            LPINT lpErrno)
{
    GATE(WSPSocket, INVALID_SOCKET);
    return WSPSocket(af, type, protocol, info, g, flags, lpErrno);
}

/**
 * wsp_fault_wrap_proc_table:
 * @table: a proc table the provider has just filled
 *
 * Puts the fault wrappers in every slot that can fail (the two address
 * string slots stay direct).
 */
void
wsp_fault_wrap_proc_table(LPWSPPROC_TABLE table)
{
    table->lpWSPAccept = f_WSPAccept;
    table->lpWSPAsyncSelect = f_WSPAsyncSelect;
    table->lpWSPBind = f_WSPBind;
    table->lpWSPCancelBlockingCall = f_WSPCancelBlockingCall;
    table->lpWSPCleanup = f_WSPCleanup;
    table->lpWSPCloseSocket = f_WSPCloseSocket;
    table->lpWSPConnect = f_WSPConnect;
    table->lpWSPDuplicateSocket = f_WSPDuplicateSocket;
    table->lpWSPEnumNetworkEvents = f_WSPEnumNetworkEvents;
    table->lpWSPEventSelect = f_WSPEventSelect;
    table->lpWSPGetOverlappedResult = f_WSPGetOverlappedResult;
    table->lpWSPGetPeerName = f_WSPGetPeerName;
    table->lpWSPGetSockName = f_WSPGetSockName;
    table->lpWSPGetSockOpt = f_WSPGetSockOpt;
    table->lpWSPGetQOSByName = f_WSPGetQOSByName;
    table->lpWSPIoctl = f_WSPIoctl;
    table->lpWSPJoinLeaf = f_WSPJoinLeaf;
    table->lpWSPListen = f_WSPListen;
    table->lpWSPRecv = f_WSPRecv;
    table->lpWSPRecvDisconnect = f_WSPRecvDisconnect;
    table->lpWSPRecvFrom = f_WSPRecvFrom;
    table->lpWSPSelect = f_WSPSelect;
    table->lpWSPSend = f_WSPSend;
    table->lpWSPSendDisconnect = f_WSPSendDisconnect;
    table->lpWSPSendTo = f_WSPSendTo;
    table->lpWSPSetSockOpt = f_WSPSetSockOpt;
    table->lpWSPShutdown = f_WSPShutdown;
    table->lpWSPSocket = f_WSPSocket;
}
