/* SPDX-License-Identifier: MIT
 *
 * interp.c: the scenario interpreter.  Builds the world a script describes
 * (nodes, addresses, links, scheduled link changes, processes), starts one
 * coroutine actor per script thread (SIM_ACTOR_COROUTINE: a blocking WSP
 * call simply blocks inside the coroutine while simulated time moves on),
 * walks the statements, checks each expectation, and reports the first
 * failure or a deadlock with file:line, simulated time and seed.  WSP
 * functions are reached only through the WSPPROC_TABLE each process got
 * from WSPStartup (DESIGN.md, layering).
 */
#include "config.h"

#include <string.h>

#include <wspsim/wspsim-fault.h>
#include <wspsim/wspsim-os.h>
#include <wspsim/wspsim-spi.h>
#include <wspsim/wspsim-ws2.h>

#include "runner/interp.h"
#include "runner/out.h"

struct WspsimRun {
    const WspsimScript *script;
    const WspsimRunOptions *opts;
    SimWorld *world;
    guint64 seed;
    GPtrArray *procs;  /* of WspsimProc* */
    GPtrArray *actors; /* of WspsimActorCtx* */
    GString *failures;
    bool failed;
    guint64 statements;
    GPtrArray *lines; /* keep_records */
    GString *scratch;
    GPtrArray *action_ctxs; /* of ActionCtx*, freed after the world */
    bool over;              /* the run loop returned: actors are only unwinding */
    WSPUPCALLTABLE upcalls; /* what every process's WSPStartup got */
    /* Outputs, opened by wspsim_run_build, closed by wspsim_run_end. */
    SimTraceText *text;
    WspsimOutJsonl *jsonl;
    WspsimOutPcap *pcap;
    WspsimOutMsc *msc;
    WspsimOutStats *stats;
    bool no_stop; /* embedded: an application thread shares the world, a
                   * failure must not stop the scheduler under it */
};

SimWorld *
wspsim_run_world(const WspsimRun *run)
{
    return run->world;
}

const WSPUPCALLTABLE *
wspsim_run_upcalls(const WspsimRun *run)
{
    return &run->upcalls;
}

WspsimOv *
wspsim_ov_new(WspsimActorCtx *ax)
{
    WspsimOv *ov = g_new0(WspsimOv, 1);

    ov->run = ax->run;
    ov->actor = ax->actor;
    g_ptr_array_add(ax->proc->ovs, ov);
    return ov;
}

static void
ov_free(gpointer data)
{
    WspsimOv *ov = data;

    g_free(ov->buf);
    g_free(ov);
}

/* ---- Small helpers ------------------------------------------------------ */

static const guint8 *
fill_buf(WspsimActorCtx *ax, guint8 **fill, size_t *cap, size_t len)
{
    (void) ax;
    if (len > *cap) {
        *fill = g_realloc(*fill, len);
        wspsim_fill(*fill, len);
        *cap = len;
    }
    return *fill;
}

static void
format_time(SimTime t, char buf[32])
{
    char tmp[32];
    const char *p = tmp;

    sim_trace_format_time(t, tmp);
    while (*p == ' ')
        p++;
    g_strlcpy(buf, p, 32);
}

static void
value_clear(WspsimValue *v)
{
    if (v->data != NULL)
        g_bytes_unref(v->data);
    memset(v, 0, sizeof *v);
}

static const char *
actor_label(const WspsimActorCtx *ax, char *buf, size_t size)
{
    if (strcmp(ax->decl->proc, ax->decl->name) == 0 && ax->decl->tvar == NULL)
        g_snprintf(buf, size, "%s", ax->proc->label); /* thread HOST.NAME shorthand */
    else
        g_snprintf(buf, size, "%s.%s", ax->proc->label, ax->decl->name);
    return buf;
}

/* ---- Failures --------------------------------------------------------------- */

G_GNUC_PRINTF(3, 4)
static void
run_fail(WspsimRun *run, WspsimActorCtx *ax, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    char t[32];

    if (run->over)
        return; /* teardown unwinds actors: what their calls return is no test */
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    format_time(sim_world_now(run->world), t);
    g_string_append_printf(run->failures, "%s (t=%s, seed=%" G_GUINT64_FORMAT ")\n", msg, t,
                           run->seed);
    if (sim_trace_enabled(run->world))
        sim_trace_textf(run->world, SIM_TR_NOTE,
                        ax != NULL ? sim_process_node(run->world, ax->proc->pid) : SIM_ID_NONE,
                        ax != NULL ? ax->actor : SIM_ID_NONE, "FAIL", "%s", msg);
    run->failed = true;
    if (!run->no_stop)
        sim_world_stop(run->world);
}

/* ---- Describing results ---------------------------------------------------- */

static void
append_data(GString *s, const guint8 *p, size_t len)
{
    bool printable = len <= 64;

    for (size_t i = 0; printable && i < len; i++)
        if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t')
            printable = false;
        else if (p[i] >= 0x7f)
            printable = false;
    if (!printable) {
        g_string_append_printf(s, "%zu bytes", len);
        return;
    }
    g_string_append_c(s, '"');
    for (size_t i = 0; i < len; i++) {
        switch (p[i]) {
        case '\n':
            g_string_append(s, "\\n");
            break;
        case '\r':
            g_string_append(s, "\\r");
            break;
        case '\t':
            g_string_append(s, "\\t");
            break;
        case '"':
            g_string_append(s, "\\\"");
            break;
        case '\\':
            g_string_append(s, "\\\\");
            break;
        default:
            g_string_append_c(s, (char) p[i]);
        }
    }
    g_string_append_c(s, '"');
}

static void
append_error(GString *s, int err)
{
    const char *n = wspsim_error_name(err);

    if (n != NULL)
        g_string_append(s, n);
    else
        g_string_append_printf(s, "SOCKET_ERROR (error %d)", err);
}

static void
append_socket(GString *s, const WspsimActorCtx *ax, SOCKET sock)
{
    const WspsimProcDecl *pd = ax->proc->decl;

    for (guint i = 0; i < ax->proc->n_vars; i++) {
        const WspsimValue *v = &ax->proc->vars[i];

        if (v->kind == WSPSIM_V_SOCKET && (SOCKET) v->i == sock) {
            g_string_append(s, g_ptr_array_index(pd->vars, i));
            return;
        }
    }
    g_string_append_printf(s, "0x%" G_GINT64_MODIFIER "x", (guint64) sock);
}

static void
append_set(GString *s, const WspsimActorCtx *ax, const char *name, const fd_set *set)
{
    g_string_append_printf(s, ", %s=[", name);
    for (u_int i = 0; i < set->fd_count; i++) {
        if (i > 0)
            g_string_append(s, ", ");
        append_socket(s, ax, set->fd_array[i]);
    }
    g_string_append_c(s, ']');
}

static const char *const event_names[] = { "FD_READ",
                                           "FD_WRITE",
                                           "FD_OOB",
                                           "FD_ACCEPT",
                                           "FD_CONNECT",
                                           "FD_CLOSE",
                                           "FD_QOS",
                                           "FD_GROUP_QOS",
                                           "FD_ROUTING_INTERFACE_CHANGE",
                                           "FD_ADDRESS_LIST_CHANGE" };

static void
append_events(GString *s, const WSANETWORKEVENTS *ev)
{
    bool first = true;

    if (ev->lNetworkEvents == 0) {
        g_string_append(s, "0");
        return;
    }
    for (guint b = 0; b < G_N_ELEMENTS(event_names); b++) {
        if (!(ev->lNetworkEvents & (1 << b)))
            continue;
        if (!first)
            g_string_append_c(s, '|');
        first = false;
        g_string_append(s, event_names[b]);
        if (ev->iErrorCode[b] != 0) {
            g_string_append_c(s, '(');
            append_error(s, ev->iErrorCode[b]);
            g_string_append_c(s, ')');
        }
    }
}

/* A flowspec as the language writes it: "guaranteed rate=10000 ...". */
static void
append_flow(GString *s, const FLOWSPEC *f)
{
    static const char *const services[] = { "notraffic",      "besteffort", "controlledload",
                                            "guaranteed",     NULL,         NULL,
                                            "nochange" };
    const ULONG v[WSPSIM_QF_N] = { f->TokenRate, f->TokenBucketSize,    f->PeakBandwidth,
                                   f->Latency,   f->DelayVariation,     f->MaxSduSize,
                                   f->MinimumPolicedSize };
    static const char *const keys[WSPSIM_QF_N] = { "rate",      "bucket", "peak", "latency",
                                                   "variation", "sdu",    "min" };

    if (f->ServiceType < G_N_ELEMENTS(services) && services[f->ServiceType] != NULL)
        g_string_append(s, services[f->ServiceType]);
    else
        g_string_append_printf(s, "0x%x", (unsigned) f->ServiceType);
    for (guint i = 0; i < WSPSIM_QF_N; i++) {
        if (v[i] == QOS_NOT_SPECIFIED)
            continue;
        if (v[i] == POSITIVE_INFINITY_RATE && (i == WSPSIM_QF_RATE || i == WSPSIM_QF_PEAK))
            g_string_append_printf(s, " %s=infinite", keys[i]);
        else
            g_string_append_printf(s, " %s=%u", keys[i], (unsigned) v[i]);
    }
}

static void
append_qos(GString *s, const WspsimResult *r)
{
    static const char *const modes[] = { "borrow", "shape", "discard", "borrow_plus" };

    g_string_append(s, "qos={send: ");
    append_flow(s, &r->qos.SendingFlowspec);
    g_string_append(s, ", recv: ");
    append_flow(s, &r->qos.ReceivingFlowspec);
    if (r->qos_mode >= 0 && r->qos_mode < (gint32) G_N_ELEMENTS(modes))
        g_string_append_printf(s, ", mode: %s", modes[r->qos_mode]);
    if (r->qos_shaping >= 0)
        g_string_append_printf(s, ", shaping: %" G_GINT64_FORMAT, r->qos_shaping);
    g_string_append_c(s, '}');
    if (r->qos_status != 0) {
        g_string_append(s, ", status=");
        append_error(s, (int) r->qos_status);
    }
}

static bool
flow_matches(const WspsimFlowLit *l, const FLOWSPEC *f)
{
    const ULONG v[WSPSIM_QF_N] = { f->TokenRate, f->TokenBucketSize,    f->PeakBandwidth,
                                   f->Latency,   f->DelayVariation,     f->MaxSduSize,
                                   f->MinimumPolicedSize };

    if (l->has_service && f->ServiceType != l->service)
        return false;
    for (guint i = 0; i < WSPSIM_QF_N; i++)
        if ((l->set & (1u << i)) && v[i] != l->v[i])
            return false;
    return true;
}

static void
describe_result(GString *s, const WspsimActorCtx *ax, const WspsimStmt *st, const WspsimResult *r)
{
    char buf[SIM_SOCKADDR_STRLEN];

    if (r->failed) {
        append_error(s, r->err);
        return;
    }
    switch (wspsim_call_result(st->spec)) {
    case WSPSIM_R_STATUS:
    case WSPSIM_R_INT:
        g_string_append_printf(s, "%" G_GINT64_FORMAT, r->ret);
        break;
    case WSPSIM_R_SOCKET:
        g_string_append_printf(s, "socket 0x%" G_GINT64_MODIFIER "x", (guint64) r->ret);
        break;
    case WSPSIM_R_DATA:
        if (r->len == 0)
            g_string_append(s, "0 (end of stream)");
        else
            append_data(s, r->data, r->len);
        if (r->has_addr) {
            g_string_append(s, ", from=");
            g_string_append(s, sim_sockaddr_to_string(&r->addr, buf));
        }
        break;
    case WSPSIM_R_ADDR:
        g_string_append(s, r->has_addr ? sim_sockaddr_to_string(&r->addr, buf) : "no address");
        break;
    case WSPSIM_R_SELECT:
        g_string_append_printf(s, "%" G_GINT64_FORMAT, r->ret);
        append_set(s, ax, "read", &r->sets[0]);
        if (st->args[1] != NULL)
            append_set(s, ax, "write", &r->sets[1]);
        if (st->args[2] != NULL)
            append_set(s, ax, "except", &r->sets[2]);
        break;
    case WSPSIM_R_EVENTS:
        append_events(s, &r->ev);
        break;
    case WSPSIM_R_HANDLE:
        g_string_append_printf(s, "handle 0x%" G_GINT64_MODIFIER "x", (guint64) r->ret);
        break;
    case WSPSIM_R_OV:
        g_string_append(s, "an overlapped request");
        break;
    case WSPSIM_R_QOS:
        append_qos(s, r);
        break;
    case WSPSIM_R_INFO:
        g_string_append_printf(s, "protocol info (catalog entry %u)",
                               (unsigned) r->info.dwCatalogEntryId);
        break;
    }
    if (r->peer_data != NULL && r->peer_len > 0) {
        g_string_append(s, strcmp(st->spec->name, "WSPAccept") == 0 ? ", caller=" : ", callee=");
        append_data(s, r->peer_data, r->peer_len);
    }
    if (r->qos_offered) {
        g_string_append(s, ", offered ");
        append_qos(s, r);
    }
}

/* ---- Expectations ------------------------------------------------------------ */

static bool
set_matches(const WspsimActorCtx *ax, const WspsimExpr *list, const fd_set *set)
{
    if (set->fd_count != list->n_items)
        return false;
    for (guint i = 0; i < list->n_items; i++) {
        const WspsimValue *v = &ax->proc->vars[list->items[i]->i];
        bool found = false;

        for (u_int j = 0; j < set->fd_count && !found; j++)
            found = v->kind == WSPSIM_V_SOCKET && set->fd_array[j] == (SOCKET) v->i;
        if (!found)
            return false;
    }
    return true;
}

static bool
expect_holds(const WspsimActorCtx *ax, const WspsimExpect *x, const WspsimResult *r)
{
    switch (x->kind) {
    case WSPSIM_XP_ANY:
        return true;
    case WSPSIM_XP_OK:
        return !r->failed;
    case WSPSIM_XP_ERROR:
        return r->failed && r->err == x->i;
    case WSPSIM_XP_INT:
        return !r->failed && r->ret == x->i;
    case WSPSIM_XP_NBYTES:
        return !r->failed && r->ret == x->i;
    case WSPSIM_XP_DATA:
        return !r->failed && r->len == x->len && memcmp(r->data, x->bytes, x->len) == 0;
    case WSPSIM_XP_ADDR:
    case WSPSIM_XP_FROM:
        return !r->failed && r->has_addr && r->addr.port == x->addr.port &&
               sim_addr_equal(&r->addr.addr, &x->addr.addr);
    case WSPSIM_XP_SET:
        return !r->failed && set_matches(ax, x->list, &r->sets[x->i]);
    case WSPSIM_XP_WAIT:
    case WSPSIM_XP_MSG:
        return false; /* not call expectations */
    case WSPSIM_XP_QOS:
        return !r->failed && r->qos_valid &&
               flow_matches(&x->qos->send, &r->qos.SendingFlowspec) &&
               flow_matches(&x->qos->recv, &r->qos.ReceivingFlowspec) &&
               (x->qos->mode < 0 || x->qos->mode == r->qos_mode) &&
               (x->qos->shaping < 0 || x->qos->shaping == r->qos_shaping);
    case WSPSIM_XP_STATUS:
        return !r->failed && (gint64) r->qos_status == x->i;
    case WSPSIM_XP_PEERDATA:
        return r->peer_len == x->len && (x->len == 0 || memcmp(r->peer_data, x->bytes, x->len) == 0);
    case WSPSIM_XP_EVENTS:
        if (r->failed || (guint32) r->ev.lNetworkEvents != x->ev_mask)
            return false;
        for (guint b = 0; b < 10; b++)
            if ((x->ev_err_given & (1u << b)) && r->ev.iErrorCode[b] != x->ev_err[b])
                return false;
        return true;
    }
    return false;
}

/* ---- Statements ------------------------------------------------------------------ */

typedef struct {
    guint8 *fill;
    size_t fill_cap;
} ActorScratch;

static bool exec_block(WspsimActorCtx *ax, ActorScratch *sc, const WspsimBlock *b);

static bool
killed(const WspsimActorCtx *ax)
{
    return ax->run->over || ax->run->failed || !sim_process_is_alive(ax->run->world, ax->proc->pid);
}

static const char *
value_kind_name(WspsimValueKind k)
{
    switch (k) {
    case WSPSIM_V_UNSET:
        return "nothing yet";
    case WSPSIM_V_INT:
        return "a number";
    case WSPSIM_V_SOCKET:
        return "a socket";
    case WSPSIM_V_DATA:
        return "data";
    case WSPSIM_V_ADDR:
        return "an address";
    case WSPSIM_V_HANDLE:
        return "an event or window handle";
    case WSPSIM_V_OV:
        return "an overlapped request";
    case WSPSIM_V_QOS:
        return "a QOS";
    case WSPSIM_V_INFO:
        return "protocol info";
    }
    return "?";
}

/* Evaluate the arguments of @st.  FALSE (after reporting) when a variable
 * holds the wrong kind of value. */
static bool
eval_args(WspsimActorCtx *ax, ActorScratch *sc, const WspsimStmt *st, WspsimArg *args)
{
    guint n;
    const WspsimParam *params = wspsim_call_params(st->spec, &n);

    for (guint i = 0; i < n; i++) {
        const WspsimExpr *e = st->args[i];
        WspsimArg *a = &args[i];

        /* Field by field: a memset of the whole struct is a `rep stos`
         * here, a third of bench-interp's untraced time. */
        a->present = false;
        a->i = 0;
        a->data = NULL;
        a->len = 0;
        memset(&a->addr, 0, sizeof a->addr);
        a->list = NULL;
        a->is_time = false;
        a->ov = NULL;
        a->qos = NULL;
        a->proc = NULL;
        if (e == NULL)
            continue;
        a->present = true;
        switch (e->kind) {
        case WSPSIM_EX_INT:
            a->i = e->i;
            a->is_time = e->unit == WSPSIM_UNIT_TIME;
            break;
        case WSPSIM_EX_BYTES:
            a->data = e->bytes;
            a->len = e->len;
            break;
        case WSPSIM_EX_FILL:
            a->len = (size_t) e->i;
            a->data = fill_buf(ax, &sc->fill, &sc->fill_cap, a->len);
            break;
        case WSPSIM_EX_ADDR:
            a->addr = e->addr;
            break;
        case WSPSIM_EX_LIST:
            a->list = e;
            break;
        case WSPSIM_EX_QOS:
            a->qos = e->qos;
            break;
        case WSPSIM_EX_PROC:
            a->proc = e->name;
            break;
        case WSPSIM_EX_VAR: {
            const WspsimValue *v = &ax->proc->vars[e->i];
            bool ok;

            switch (params[i].type) {
            case WSPSIM_T_QOS:
            case WSPSIM_T_INFO:
                ok = v->kind == (params[i].type == WSPSIM_T_QOS ? WSPSIM_V_QOS : WSPSIM_V_INFO);
                if (ok)
                    a->data = g_bytes_get_data(v->data, &a->len);
                break;
            case WSPSIM_T_SOCK:
            case WSPSIM_T_INT:
            case WSPSIM_T_BOOL:
            case WSPSIM_T_OPTVAL:
            case WSPSIM_T_TIME:
            case WSPSIM_T_PROC:
            case WSPSIM_T_ENTRY:
                ok = v->kind == WSPSIM_V_INT || v->kind == WSPSIM_V_SOCKET ||
                     v->kind == WSPSIM_V_HANDLE;
                a->i = v->i;
                break;
            case WSPSIM_T_OV:
                ok = v->kind == WSPSIM_V_OV;
                a->ov = v->ov;
                break;
            case WSPSIM_T_DATA:
                ok = v->kind == WSPSIM_V_DATA;
                if (ok)
                    a->data = g_bytes_get_data(v->data, &a->len);
                break;
            case WSPSIM_T_ADDR:
                ok = v->kind == WSPSIM_V_ADDR;
                a->addr = v->addr;
                break;
            case WSPSIM_T_SOCKS:
            case WSPSIM_T_ROUTINE:
            default:
                ok = false;
                break;
            }
            if (!ok) {
                run_fail(ax->run, ax, "%s:%u: %s: variable '%s' holds %s", ax->run->script->file,
                         st->line, st->text, e->name, value_kind_name(v->kind));
                return false;
            }
            break;
        }
        }
    }
    return true;
}

static void share_value(WspsimRun *run, WspsimProc *from, gint slot);

static void
assign(WspsimActorCtx *ax, const WspsimStmt *st, const WspsimResult *r)
{
    WspsimValue *v = &ax->proc->vars[st->assign_slot];

    value_clear(v);
    switch (wspsim_call_result(st->spec)) {
    case WSPSIM_R_SOCKET:
        v->kind = WSPSIM_V_SOCKET;
        v->i = r->failed ? (gint64) INVALID_SOCKET : r->ret;
        break;
    case WSPSIM_R_DATA:
        v->kind = WSPSIM_V_DATA;
        v->data = g_bytes_new(r->failed ? NULL : r->data, r->failed ? 0 : r->len);
        break;
    case WSPSIM_R_ADDR:
        v->kind = WSPSIM_V_ADDR;
        v->addr = r->addr;
        break;
    case WSPSIM_R_HANDLE:
        v->kind = WSPSIM_V_HANDLE;
        v->i = r->ret;
        break;
    case WSPSIM_R_OV:
        v->kind = WSPSIM_V_OV;
        v->ov = r->ov;
        break;
    case WSPSIM_R_QOS: {
        /* the QOS, then its provider-specific objects (nothing when the
         * call failed: an all-zero QOS where it is used) */
        guint8 *b;

        if (!r->qos_valid) {
            v->kind = WSPSIM_V_QOS;
            v->data = g_bytes_new(NULL, 0);
            break;
        }
        b = g_malloc(sizeof r->qos + r->qos.ProviderSpecific.len);

        memcpy(b, &r->qos, sizeof r->qos);
        memcpy(b + sizeof r->qos, r->qos_ps, r->qos.ProviderSpecific.len);
        v->kind = WSPSIM_V_QOS;
        v->data = g_bytes_new_take(b, sizeof r->qos + r->qos.ProviderSpecific.len);
        break;
    }
    case WSPSIM_R_INFO:
        v->kind = WSPSIM_V_INFO;
        v->data = g_bytes_new(&r->info, sizeof r->info);
        break;
    case WSPSIM_R_STATUS:
    case WSPSIM_R_INT:
    case WSPSIM_R_SELECT:
    case WSPSIM_R_EVENTS:
        v->kind = WSPSIM_V_INT;
        v->i = r->failed ? SOCKET_ERROR : r->ret;
        break;
    }
    share_value(ax->run, ax->proc, st->assign_slot);
}

/* "shared NAME": a value assigned in one process is copied to the slot of
 * that name in every other process (templates' instances and restarted
 * processes included: proc_new copies them in). */
static gint
slot_of(const WspsimProcDecl *pd, const char *name)
{
    for (guint i = 0; i < pd->vars->len; i++)
        if (strcmp(g_ptr_array_index(pd->vars, i), name) == 0)
            return (gint) i;
    return -1;
}

static void
share_value(WspsimRun *run, WspsimProc *from, gint slot)
{
    const GPtrArray *shared = run->script->shared;
    const char *name = g_ptr_array_index(from->decl->vars, slot);
    const WspsimValue *src = &from->vars[slot];
    bool is_shared = false;

    for (guint i = 0; shared != NULL && i < shared->len && !is_shared; i++)
        is_shared = strcmp(g_ptr_array_index(shared, i), name) == 0;
    if (!is_shared)
        return;
    for (guint i = 0; i < run->procs->len; i++) {
        WspsimProc *p = g_ptr_array_index(run->procs, i);
        gint k = p == from ? -1 : slot_of(p->decl, name);

        if (k < 0)
            continue;
        value_clear(&p->vars[k]);
        p->vars[k] = *src;
        if (src->data != NULL)
            g_bytes_ref(src->data);
    }
}

SimProcessId
wspsim_run_proc_id(const WspsimRun *run, const char *name)
{
    for (guint i = run->procs->len; i-- > 0;) {
        const WspsimProc *p = g_ptr_array_index(run->procs, i);

        if (strcmp(p->label, name) == 0 && sim_process_is_alive(run->world, p->pid))
            return p->pid;
    }
    return SIM_ID_NONE;
}

static bool
exec_call(WspsimActorCtx *ax, ActorScratch *sc, const WspsimStmt *st)
{
    WspsimArg args[WSPSIM_MAX_ARGS];
    WspsimResult r;
    bool ok = true;

    if (!eval_args(ax, sc, st, args))
        return false;
    r.failed = false;
    r.err = 0;
    r.ret = 0;
    r.data = NULL;
    r.len = 0;
    r.has_addr = false;
    r.ov = NULL;
    r.peer_data = NULL;
    r.peer_len = 0;
    r.qos_status = 0;
    r.qos_mode = -1;
    r.qos_shaping = -1;
    r.qos_offered = false;
    r.qos_valid = false;
    st->spec->invoke(ax, args, &r);
    if (killed(ax))
        return false;
    if (st->n_expect == 0) {
        ok = !r.failed;
    } else {
        for (guint i = 0; i < st->n_expect && ok; i++)
            ok = expect_holds(ax, &st->expect[i], &r);
    }
    if (!ok) {
        GString *got = ax->run->scratch;

        g_string_truncate(got, 0);
        describe_result(got, ax, st, &r);
        run_fail(ax->run, ax, "%s:%u: %s expected %s, got %s", ax->run->script->file, st->line,
                 st->text, st->expect_text != NULL ? st->expect_text : "success", got->str);
        return false;
    }
    if (st->assign_slot >= 0)
        assign(ax, st, &r);
    return true;
}

static DWORD
timeout_ms(const WspsimStmt *st)
{
    return st->infinite ? INFINITE : (DWORD) (st->duration / SIM_MSEC);
}

static void
describe_wait(GString *s, gint64 v)
{
    if (v == WSPSIM_WAIT_TIMEOUT)
        g_string_append(s, "timeout");
    else if (v == WSPSIM_WAIT_IO_COMPLETION)
        g_string_append(s, "io_completion");
    else if (v == WSPSIM_WAIT_SIGNALLED)
        g_string_append(s, "signalled");
    else if (v >= 0)
        g_string_append_printf(s, "%" G_GINT64_FORMAT, v);
    else
        append_error(s, (int) -(v + 100)); /* a failed wait: -(100 + code) */
}

static bool
wait_fail(WspsimActorCtx *ax, const WspsimStmt *st, GString *got)
{
    run_fail(ax->run, ax, "%s:%u: %s expected %s, got %s", ax->run->script->file, st->line,
             st->text, st->expect_text != NULL ? st->expect_text : "signalled", got->str);
    return false;
}

/* wait EV / any / all: WaitForMultipleObjects in simulated time. */
static bool
exec_wait_events(WspsimActorCtx *ax, const WspsimStmt *st)
{
    SimWorld *w = ax->run->world;
    HANDLE hs[64];
    DWORD n = 0, rc;
    gint64 got;
    int err = 0;
    const WspsimExpect *x = st->expect;
    GString *s = ax->run->scratch;

    if (st->wait_kind == WSPSIM_WAIT_EVENT) {
        hs[n++] = (HANDLE) (uintptr_t) ax->proc->vars[st->target->i].i;
    } else {
        for (guint i = 0; i < st->target->n_items && n < 64; i++)
            hs[n++] = (HANDLE) (uintptr_t) ax->proc->vars[st->target->items[i]->i].i;
    }
    rc = wspsim_os_wait(w, n, hs, st->wait_kind == WSPSIM_WAIT_ALL, timeout_ms(st), st->alertable,
                        &err);
    if (killed(ax))
        return false;
    if (rc == WAIT_TIMEOUT)
        got = WSPSIM_WAIT_TIMEOUT;
    else if (rc == WAIT_IO_COMPLETION)
        got = WSPSIM_WAIT_IO_COMPLETION;
    else if (rc == WAIT_FAILED)
        got = -(100 + (gint64) err);
    else
        got = (gint64) (rc - WAIT_OBJECT_0);
    if (x == NULL ? got >= 0 : (x->i == WSPSIM_WAIT_SIGNALLED ? got >= 0 : got == x->i))
        return true;
    g_string_truncate(s, 0);
    if (got >= 0 && st->wait_kind != WSPSIM_WAIT_ANY)
        got = WSPSIM_WAIT_SIGNALLED;
    describe_wait(s, got);
    return wait_fail(ax, st, s);
}

/* wait message W DUR / expect message W: the next message posted to W. */
static bool
exec_wait_message(WspsimActorCtx *ax, const WspsimStmt *st)
{
    SimWorld *w = ax->run->world;
    HWND hwnd = (HWND) (uintptr_t) ax->proc->vars[st->target->i].i;
    const WspsimExpect *x = st->expect;
    GString *s = ax->run->scratch;
    WSPSIM_MSG m;
    int rc;
    bool ok;

    memset(&m, 0, sizeof m);
    if (st->wait_kind == WSPSIM_WAIT_PEEK)
        rc = wspsim_os_peek_message(w, hwnd, &m, TRUE) ? 1 : 0;
    else
        rc = wspsim_os_get_message(w, hwnd, &m, timeout_ms(st));
    if (killed(ax))
        return false;
    if (x == NULL) {
        ok = rc == 1;
    } else if (x->kind == WSPSIM_XP_WAIT) {
        ok = rc == 0;
    } else {
        const WspsimValue *v = &ax->proc->vars[x->list->i];

        ok = rc == 1 && (gint64) m.message == x->i && v->kind == WSPSIM_V_SOCKET &&
             (SOCKET) m.wParam == (SOCKET) v->i &&
             (guint32) WSAGETSELECTEVENT(m.lParam) == x->ev_mask &&
             (!x->ev_err_given || (gint32) WSAGETSELECTERROR(m.lParam) == x->ev_err[0]);
    }
    if (ok)
        return true;
    g_string_truncate(s, 0);
    if (rc == -1) {
        g_string_append(s, "not a window");
    } else if (rc == 0) {
        g_string_append(s, st->wait_kind == WSPSIM_WAIT_PEEK ? "none" : "timeout");
    } else {
        WSANETWORKEVENTS ev;

        memset(&ev, 0, sizeof ev);
        g_string_append_printf(s, "%u(", (unsigned) m.message);
        append_socket(s, ax, (SOCKET) m.wParam);
        g_string_append(s, ", ");
        ev.lNetworkEvents = WSAGETSELECTEVENT(m.lParam);
        append_events(s, &ev);
        g_string_append(s, ", ");
        if (WSAGETSELECTERROR(m.lParam) == 0)
            g_string_append_c(s, '0');
        else
            append_error(s, WSAGETSELECTERROR(m.lParam));
        g_string_append_c(s, ')');
    }
    return wait_fail(ax, st, s);
}

/* cancel NAME: WSPCancelBlockingCall on behalf of a thread of this process. */
static bool
exec_cancel(WspsimActorCtx *ax, const WspsimStmt *st)
{
    WspsimRun *run = ax->run;
    SimActorId target = SIM_ID_NONE;
    int rc;
    bool ok;

    for (guint i = 0; i < run->actors->len && target == SIM_ID_NONE; i++) {
        const WspsimActorCtx *o = g_ptr_array_index(run->actors, i);

        if (o->proc == ax->proc && strcmp(o->decl->name, st->thread) == 0)
            target = o->actor;
    }
    rc = wspsim_cancel_blocking_call(run->world, target);
    ok = st->expect == NULL || st->expect->kind == WSPSIM_XP_OK ? rc == 0 : rc == st->expect->i;
    if (ok)
        return true;
    run_fail(run, ax, "%s:%u: %s expected %s, got %s", run->script->file, st->line, st->text,
             st->expect_text != NULL ? st->expect_text : "ok",
             rc == 0                         ? "ok"
             : wspsim_error_name(rc) != NULL ? wspsim_error_name(rc)
                                             : "error");
    return false;
}

/* The busy-poll guard (issue 10): a thread that runs more than the limit of
 * statements at one simulated instant never lets time advance (everything
 * else waits for it); it is stopped and the run fails.  TRUE: stop it. */
static bool
busy_poll(WspsimActorCtx *ax, const WspsimStmt *st)
{
    WspsimRun *run = ax->run;
    SimTime now = sim_world_now(run->world);
    guint64 limit = run->script->busy_poll_limit != 0 ? run->script->busy_poll_limit
                                                      : WSPSIM_BUSY_POLL_LIMIT;
    char label[128], t[32];

    if (now != ax->poll_t || ax->poll_n == 0) {
        ax->poll_t = now;
        ax->poll_n = 0;
    }
    if (++ax->poll_n <= limit)
        return false;
    format_time(now, t);
    run_fail(run, ax,
             "%s:%u: busy-poll: %s ran %" G_GUINT64_FORMAT
             " statements at t=%s without time advancing (add a sleep or a blocking call)",
             run->script->file, st->line, actor_label(ax, label, sizeof label), ax->poll_n - 1, t);
    return true;
}

static bool
exec_stmt(WspsimActorCtx *ax, ActorScratch *sc, const WspsimStmt *st)
{
    SimWorld *world = ax->run->world;

    ax->current = st;
    ax->run->statements++;
    if (busy_poll(ax, st))
        return false;
    switch (st->kind) {
    case WSPSIM_ST_CALL:
        return exec_call(ax, sc, st);
    case WSPSIM_ST_SLEEP:
        if (st->alertable) {
            /* SleepEx: completion routines queued meanwhile run now. */
            wspsim_os_sleep(world, (DWORD) (st->duration / SIM_MSEC), TRUE);
            return !killed(ax);
        }
        if (sim_actor_sleep(world, st->duration, false) == SIM_WAIT_KILLED)
            return false;
        return !killed(ax);
    case WSPSIM_ST_WAIT:
        if (st->wait_kind == WSPSIM_WAIT_MESSAGE || st->wait_kind == WSPSIM_WAIT_PEEK)
            return exec_wait_message(ax, st);
        return exec_wait_events(ax, st);
    case WSPSIM_ST_CANCEL:
        return exec_cancel(ax, st);
    case WSPSIM_ST_NOTE:
        if (sim_trace_enabled(world))
            sim_trace_textf(world, SIM_TR_NOTE, sim_process_node(world, ax->proc->pid), ax->actor,
                            "note", "%s", st->note);
        return true;
    case WSPSIM_ST_REPEAT: {
        WspsimValue *var = st->var_slot >= 0 ? &ax->proc->vars[st->var_slot] : NULL;

        for (gint64 k = 0; k < st->count; k++) {
            if (var != NULL) {
                value_clear(var);
                var->kind = WSPSIM_V_INT;
                var->i = st->from + k;
            }
            if (!exec_block(ax, sc, &st->body))
                return false;
        }
        return true;
    }
    }
    return false;
}

static bool
exec_block(WspsimActorCtx *ax, ActorScratch *sc, const WspsimBlock *b)
{
    for (guint i = 0; i < b->n; i++)
        if (!exec_stmt(ax, sc, b->stmts[i]))
            return false;
    return true;
}

static void
actor_main(void *data)
{
    WspsimActorCtx *ax = data;
    ActorScratch sc = { NULL, 0 };

    ax->actor = sim_actor_current(ax->run->world);
    if (ax->decl->tvar_slot >= 0) {
        WspsimValue *v = &ax->proc->vars[ax->decl->tvar_slot];

        v->kind = WSPSIM_V_INT;
        v->i = ax->instance;
    }
    if (!ax->proc->started) {
        run_fail(ax->run, ax, "%s:%u: WSPStartup failed for process %s", ax->run->script->file,
                 ax->decl->line, ax->proc->label);
    } else if (exec_block(ax, &sc, &ax->decl->body)) {
        ax->current = NULL;
    }
    g_free(sc.fill);
}

/* ---- Building the world ------------------------------------------------------- */

static void
apply_params(SimLinkParams *dst, const WspsimLinkDecl *d)
{
    const SimLinkParams *p = &d->p;

    if (d->set & WSPSIM_LP_LATENCY)
        dst->latency_ns = p->latency_ns;
    if (d->set & WSPSIM_LP_JITTER)
        dst->jitter_ns = p->jitter_ns;
    if (d->set & WSPSIM_LP_LOSS) {
        dst->loss_ppm = p->loss_ppm;
        dst->ge_enabled = false;
    }
    if (d->set & WSPSIM_LP_GE) {
        dst->ge_enabled = true;
        dst->ge_p_good_bad_ppm = p->ge_p_good_bad_ppm;
        dst->ge_p_bad_good_ppm = p->ge_p_bad_good_ppm;
        dst->ge_loss_good_ppm = p->ge_loss_good_ppm;
        dst->ge_loss_bad_ppm = p->ge_loss_bad_ppm;
    }
    if (d->set & WSPSIM_LP_DUP)
        dst->dup_ppm = p->dup_ppm;
    if (d->set & WSPSIM_LP_REORDER)
        dst->reorder_ppm = p->reorder_ppm;
    if (d->set & WSPSIM_LP_REORDER_DELAY)
        dst->reorder_delay_ns = p->reorder_delay_ns;
    if (d->set & WSPSIM_LP_CORRUPT)
        dst->corrupt_ppm = p->corrupt_ppm;
    if (d->set & WSPSIM_LP_RATE)
        dst->rate_bps = p->rate_bps;
    if (d->set & WSPSIM_LP_QUEUE)
        dst->queue_packets = p->queue_packets;
    if (d->set & WSPSIM_LP_QUEUE_BYTES)
        dst->queue_bytes = p->queue_bytes;
    if (d->set & WSPSIM_LP_MTU)
        dst->mtu = p->mtu;
    if (d->set & WSPSIM_LP_UP)
        dst->up = p->up;
}

G_GNUC_PRINTF(5, 6)
static bool
build_fail(const WspsimScript *s, guint32 line, guint32 col, GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_FAILED, "%s:%u:%u: %s", s->file,
                line, col, msg);
    return false;
}

static bool
build_links(WspsimRun *run, GError **error)
{
    const WspsimScript *s = run->script;
    SimWorld *w = run->world;
    g_autoptr(GPtrArray) done = g_ptr_array_new();

    for (guint i = 0; i < s->links->len; i++) {
        const WspsimLinkDecl *d = g_ptr_array_index(s->links, i);
        SimNodeId a = sim_node_lookup(w, d->a), b = sim_node_lookup(w, d->b);
        SimLinkParams ab, ba;
        bool seen = false;

        for (guint j = 0; j < done->len; j++)
            seen = seen || g_ptr_array_index(done, j) == GUINT_TO_POINTER(sim_link_lookup(w, a, b));
        if (sim_link_lookup(w, a, b) != SIM_ID_NONE || seen)
            continue;
        sim_link_params_init(&ab);
        sim_link_params_init(&ba);
        /* Every statement about this pair, in file order. */
        for (guint j = i; j < s->links->len; j++) {
            const WspsimLinkDecl *e = g_ptr_array_index(s->links, j);
            bool fwd = strcmp(e->a, d->a) == 0 && strcmp(e->b, d->b) == 0;
            bool rev = strcmp(e->a, d->b) == 0 && strcmp(e->b, d->a) == 0;

            if (!fwd && !rev)
                continue;
            if (!e->one_way || fwd)
                apply_params(fwd ? &ab : &ba, e);
            if (!e->one_way || rev)
                apply_params(fwd ? &ba : &ab, e);
        }
        if (sim_link_add(w, a, b, &ab, &ba) == SIM_ID_NONE)
            return build_fail(s, d->line, d->col, error, "the simulator refused link %s %s", d->a,
                              d->b);
    }
    return true;
}

typedef struct {
    WspsimRun *run;
    const WspsimAction *act;
    GArray *rules; /* FAULT: the provider rule ids it installed */
} ActionCtx;

static void
action_ctx_free(gpointer data)
{
    ActionCtx *c = data;

    if (c->rules != NULL)
        g_array_unref(c->rules);
    g_free(c);
}

static void
link_change(SimWorld *w, const WspsimAction *a)
{
    SimNodeId na = sim_node_lookup(w, a->link.a), nb = sim_node_lookup(w, a->link.b);
    SimLinkId l = sim_link_lookup(w, na, nb);
    bool a_first = sim_link_node(w, l, SIM_DIR_AB) == na;

    for (int dir = SIM_DIR_AB; dir <= SIM_DIR_BA; dir++) {
        SimLinkParams p;
        bool forward = (dir == SIM_DIR_AB) == a_first;

        if (a->link.one_way && !forward)
            continue;
        if (sim_link_get_params(w, l, (SimLinkDir) dir, &p) != SIM_OK)
            continue;
        apply_params(&p, &a->link);
        sim_link_set_params(w, l, (SimLinkDir) dir, &p);
    }
}

static void provider_fault_end(SimWorld *w, void *data);

/* Install a provider fault rule for every process it names (a template's
 * process names every instance); a period removes them at its end. */
static void
provider_fault_start(SimWorld *w, void *data)
{
    ActionCtx *c = data;
    const WspsimProviderFaultDecl *f = &c->act->fault;
    WspsimRun *run = c->run;
    g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(guint32));

    if (f->host == NULL) {
        guint32 all = 0;

        g_array_append_val(pids, all);
    }
    for (guint i = 0; f->host != NULL && i < run->procs->len; i++) {
        const WspsimProc *p = g_ptr_array_index(run->procs, i);

        if (strcmp(p->decl->host, f->host) == 0 && strcmp(p->decl->name, f->proc) == 0 &&
            sim_process_is_alive(w, p->pid))
            g_array_append_val(pids, p->pid);
    }
    c->rules = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < pids->len; i++) {
        guint32 pid = g_array_index(pids, guint32, i);
        WSPSIM_FAULT_TRIGGER trig = (WSPSIM_FAULT_TRIGGER) f->trigger;
        guint id = 0;

        switch (f->what) {
        case WSPSIM_PF_FAIL:
            id = wspsim_fault_fail_calls(w, pid, f->function, trig, f->value, (int) f->code, NULL);
            break;
        case WSPSIM_PF_SHORT_SEND:
            id = wspsim_fault_short_sends(w, pid, f->bytes, trig, f->value, NULL);
            break;
        case WSPSIM_PF_SHORT_RECV:
            id = wspsim_fault_short_recvs(w, pid, f->bytes, trig, f->value, NULL);
            break;
        case WSPSIM_PF_DELAY:
            id = wspsim_fault_delay_completions(w, pid, (guint64) f->delay, NULL);
            break;
        }
        if (id != 0) /* the parser checked the rule: it cannot be refused */
            g_array_append_val(c->rules, id);
    }
    if (c->act->has_period)
        sim_event_schedule(w, c->act->duration, provider_fault_end, c);
}

static void
provider_fault_end(SimWorld *w, void *data)
{
    ActionCtx *c = data;

    for (guint i = 0; i < c->rules->len; i++)
        wspsim_fault_remove(w, g_array_index(c->rules, guint, i));
}

static void
action_fire(SimWorld *w, void *data)
{
    ActionCtx *c = data;
    const WspsimAction *a = c->act;

    switch (a->kind) {
    case WSPSIM_ACT_NOTE:
        if (sim_trace_enabled(w))
            sim_trace_textf(w, SIM_TR_NOTE, SIM_ID_NONE, SIM_ID_NONE, "note", "%s", a->note);
        return;
    case WSPSIM_ACT_LINK:
        link_change(w, a);
        return;
    case WSPSIM_ACT_FAULT:
        provider_fault_start(w, c);
        return;
    case WSPSIM_ACT_FLAP:
    case WSPSIM_ACT_PARTITION:
    case WSPSIM_ACT_HEAL:
    case WSPSIM_ACT_CRASH:
    case WSPSIM_ACT_RESTART:
        break; /* scheduled with the simulator's fault module */
    }
}

static guint32
fault_fields(guint32 set)
{
    guint32 f = 0;

    f |= (set & WSPSIM_LP_LATENCY) ? SIM_FAULT_F_LATENCY : 0;
    f |= (set & WSPSIM_LP_JITTER) ? SIM_FAULT_F_JITTER : 0;
    f |= (set & WSPSIM_LP_LOSS) ? SIM_FAULT_F_LOSS : 0;
    f |= (set & WSPSIM_LP_GE) ? SIM_FAULT_F_GE : 0;
    f |= (set & WSPSIM_LP_DUP) ? SIM_FAULT_F_DUP : 0;
    f |= (set & (WSPSIM_LP_REORDER | WSPSIM_LP_REORDER_DELAY)) ? SIM_FAULT_F_REORDER : 0;
    f |= (set & WSPSIM_LP_CORRUPT) ? SIM_FAULT_F_CORRUPT : 0;
    f |= (set & WSPSIM_LP_RATE) ? SIM_FAULT_F_RATE : 0;
    f |= (set & (WSPSIM_LP_QUEUE | WSPSIM_LP_QUEUE_BYTES)) ? SIM_FAULT_F_QUEUE : 0;
    f |= (set & WSPSIM_LP_MTU) ? SIM_FAULT_F_MTU : 0;
    return f;
}

/* The simulator's fault for a network action (link period, flap,
 * partition, crash); heals and restarts were folded into durations by the
 * parser. */
static SimStatus
schedule_net_fault(WspsimRun *run, const WspsimAction *a)
{
    SimWorld *w = run->world;
    SimLinkId l = SIM_ID_NONE;
    SimLinkDir dir = SIM_DIR_BOTH;

    if (a->kind == WSPSIM_ACT_LINK || a->kind == WSPSIM_ACT_FLAP) {
        SimNodeId na = sim_node_lookup(w, a->link.a), nb = sim_node_lookup(w, a->link.b);

        l = sim_link_lookup(w, na, nb);
        if (a->link.one_way)
            dir = sim_link_node(w, l, SIM_DIR_AB) == na ? SIM_DIR_AB : SIM_DIR_BA;
    }
    switch (a->kind) {
    case WSPSIM_ACT_LINK: {
        SimLinkParams p;

        if (a->link.set == WSPSIM_LP_UP)
            return sim_fault_schedule_link_down(w, a->at, l, dir, a->duration, NULL);
        /* The link's own values under the fields a combined field leaves
         * out (queue packets/bytes, reorder ratio/delay). */
        if (sim_link_get_params(w, l, dir == SIM_DIR_BA ? SIM_DIR_BA : SIM_DIR_AB, &p) != SIM_OK)
            return SIM_E_NOTFOUND;
        apply_params(&p, &a->link);
        return sim_fault_schedule_link_params(w, a->at, l, dir, &p, fault_fields(a->link.set),
                                              a->duration, NULL);
    }
    case WSPSIM_ACT_FLAP:
        return sim_fault_schedule_flap(w, a->at, l, dir, a->flap_down, a->flap_every, a->flap_count,
                                       a->has_period ? a->at + a->duration : 0, NULL);
    case WSPSIM_ACT_PARTITION: {
        g_autofree SimNodeId *nodes = g_new0(SimNodeId, a->n_nodes + 1);

        for (guint i = 0; i < a->n_nodes; i++)
            nodes[i] = sim_node_lookup(w, a->nodes[i]);
        return sim_fault_schedule_partition(w, a->at, nodes, a->n_nodes, (SimPartitionDir) a->pdir,
                                            a->duration, NULL);
    }
    case WSPSIM_ACT_CRASH:
        return sim_fault_schedule_crash(w, a->at, sim_node_lookup(w, a->nodes[0]), a->duration,
                                        NULL);
    case WSPSIM_ACT_NOTE:
    case WSPSIM_ACT_HEAL:
    case WSPSIM_ACT_RESTART:
    case WSPSIM_ACT_FAULT:
        break;
    }
    return SIM_OK;
}

static bool
build_actions(WspsimRun *run, GError **error)
{
    const WspsimScript *s = run->script;

    for (guint i = 0; i < s->actions->len; i++) {
        const WspsimAction *a = g_ptr_array_index(s->actions, i);
        ActionCtx *c;

        if (a->kind == WSPSIM_ACT_LINK || a->kind == WSPSIM_ACT_FLAP) {
            SimNodeId na = sim_node_lookup(run->world, a->link.a);
            SimNodeId nb = sim_node_lookup(run->world, a->link.b);

            if (sim_link_lookup(run->world, na, nb) == SIM_ID_NONE) {
                g_set_error(error, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
                            "%s:%u:%u: there is no link between %s and %s", s->file, a->link.line,
                            a->link.col, a->link.a, a->link.b);
                return false;
            }
        }
        if ((a->kind == WSPSIM_ACT_LINK && a->has_period) || a->kind == WSPSIM_ACT_FLAP ||
            a->kind == WSPSIM_ACT_PARTITION || a->kind == WSPSIM_ACT_CRASH) {
            SimStatus st = schedule_net_fault(run, a);

            if (st != SIM_OK)
                return build_fail(s, a->line, a->col, error,
                                  "the simulator refused this fault (%s)", sim_status_name(st));
            continue;
        }
        if (a->kind == WSPSIM_ACT_HEAL || a->kind == WSPSIM_ACT_RESTART)
            continue;
        c = g_new0(ActionCtx, 1);
        c->run = run;
        c->act = a;
        g_ptr_array_add(run->action_ctxs, c);
        sim_event_schedule_at(run->world, a->at, action_fire, c);
    }
    return true;
}

static WspsimProc *
proc_new(WspsimRun *run, const WspsimProcDecl *pd, const char *name, GError **error)
{
    WspsimProc *p = g_new0(WspsimProc, 1);
    SimNodeId node = sim_node_lookup(run->world, pd->host);
    WSPDATA data;
    int rc;

    p->decl = pd;
    p->label = g_strdup_printf("%s.%s", pd->host, name);
    p->n_vars = pd->vars->len;
    p->vars = g_new0(WspsimValue, p->n_vars + 1);
    p->ovs = g_ptr_array_new_with_free_func(ov_free);
    /* shared variables: the current values (any other process has them) */
    for (guint i = 0; i < run->procs->len; i++) {
        const WspsimProc *o = g_ptr_array_index(run->procs, i);

        for (guint j = 0; j < run->script->shared->len; j++) {
            const char *n = g_ptr_array_index(run->script->shared, j);
            gint from = slot_of(o->decl, n), to = slot_of(pd, n);

            if (from >= 0 && to >= 0 && o->vars[from].kind != WSPSIM_V_UNSET &&
                p->vars[to].kind == WSPSIM_V_UNSET) {
                p->vars[to] = o->vars[from];
                if (p->vars[to].data != NULL)
                    g_bytes_ref(p->vars[to].data);
            }
        }
    }
    g_ptr_array_add(run->procs, p);

    p->pid = sim_process_new(run->world, node, name);
    if (p->pid == SIM_ID_NONE) {
        build_fail(run->script, pd->line, pd->col, error, "cannot create process %s", p->label);
        return NULL;
    }
    wspsim_set_context(run->world, p->pid);
    if (run->script->provider != NULL) {
        /* "provider load": the process starts through the LSP's chained
         * entry, as ws2's WSAStartup does; its calls go through the LSP. */
        LPWSPSTARTUP top = NULL;
        WSAPROTOCOL_INFOW info;

        rc = wspsim_lsp_top(run->script->provider, 0, 0, 0, &top, &info);
        if (rc == 0)
            rc = top(MAKEWORD(2, 2), &data, &info, run->upcalls, &p->table);
    } else {
        rc = WSPStartup(MAKEWORD(2, 2), &data, NULL, run->upcalls, &p->table);
    }
    wspsim_set_context(NULL, 0);
    p->started = rc == 0;
    return p;
}

static void
proc_free(gpointer data)
{
    WspsimProc *p = data;

    if (p == NULL)
        return;
    for (guint i = 0; i < p->n_vars; i++)
        value_clear(&p->vars[i]);
    g_free(p->vars);
    g_ptr_array_unref(p->ovs);
    g_free(p->label);
    g_free(p);
}

static void
actor_ctx_free(gpointer data)
{
    WspsimActorCtx *ax = data;

    g_free(ax->buf);
    g_free(ax);
}

static bool
spawn(WspsimRun *run, WspsimProc *p, const WspsimThreadDecl *td, gint64 instance, SimTime start)
{
    WspsimActorCtx *ax = g_new0(WspsimActorCtx, 1);

    ax->run = run;
    ax->proc = p;
    ax->decl = td;
    ax->instance = instance;
    g_ptr_array_add(run->actors, ax);
    ax->actor =
        sim_actor_spawn(run->world, p->pid, td->name, SIM_ACTOR_COROUTINE, start, actor_main, ax);
    return ax->actor != SIM_ID_NONE;
}

static bool
build_actors(WspsimRun *run, GError **error)
{
    const WspsimScript *s = run->script;
    g_autofree WspsimProc **plain = g_new0(WspsimProc *, s->procs->len + 1);

    for (guint i = 0; i < s->procs->len; i++) {
        const WspsimProcDecl *pd = g_ptr_array_index(s->procs, i);

        if (!pd->templated && (plain[i] = proc_new(run, pd, pd->name, error)) == NULL)
            return false;
    }
    for (guint i = 0; i < s->threads->len; i++) {
        const WspsimThreadDecl *td = g_ptr_array_index(s->threads, i);
        const WspsimProcDecl *pd = g_ptr_array_index(s->procs, td->proc_index);

        if (td->tvar == NULL) {
            if (!spawn(run, plain[td->proc_index], td, 0, td->start))
                return build_fail(s, td->line, td->col, error, "cannot start thread %s", td->name);
            continue;
        }
        for (gint64 k = td->tfrom; k <= td->tto; k++) {
            g_autofree char *name = g_strdup_printf("%s[%" G_GINT64_FORMAT "]", pd->name, k);
            WspsimProc *p = proc_new(run, pd, name, error);

            if (p == NULL)
                return false;
            if (!spawn(run, p, td, k, td->start + (SimTime) (k - td->tfrom) * td->every))
                return build_fail(s, td->line, td->col, error, "cannot start thread %s", td->name);
        }
    }
    return true;
}

/* A crashed host came back (sim_fault restart hook): every process with a
 * thread declared "on restart" starts afresh there — a new process, a new
 * WSPStartup, no variables — running those threads, each after its own
 * "at" delay counted from the restart. */
static void
on_host_restart(SimWorld *world, SimNodeId node, void *data)
{
    WspsimRun *run = data;
    const WspsimScript *s = run->script;
    const char *host = sim_node_name(world, node);

    for (guint i = 0; i < s->procs->len; i++) {
        const WspsimProcDecl *pd = g_ptr_array_index(s->procs, i);
        WspsimProc *p = NULL;

        if (pd->templated || strcmp(pd->host, host) != 0)
            continue;
        for (guint j = 0; j < s->threads->len; j++) {
            const WspsimThreadDecl *td = g_ptr_array_index(s->threads, j);

            if (td->proc_index != i || !td->on_restart)
                continue;
            if (p == NULL && (p = proc_new(run, pd, pd->name, NULL)) == NULL)
                break;
            spawn(run, p, td, 0, td->start);
        }
    }
}

/* "provider load PATH": install the module with ws2 (once per path in
 * this OS process: a second run of the script reuses it). */
static bool
load_provider(WspsimRun *run, GError **error)
{
    const WspsimScript *s = run->script;
    LPWSPSTARTUP top = NULL;
    WSAPROTOCOL_INFOW info;
    char *msg = NULL;
    bool ok;

    if (s->provider == NULL || wspsim_lsp_top(s->provider, 0, 0, 0, &top, &info) == 0)
        return true;
    if (wspsim_lsp_install(s->provider, &msg))
        return true;
    ok = build_fail(s, s->provider_line, s->provider_col, error, "cannot load the provider: %s",
                    msg != NULL ? msg : s->provider);
    g_free(msg);
    return ok;
}

/* For WSPSocket: the chained entry of the loaded provider for (@af,
 * @type, @protocol), in @buf, or NULL (no provider loaded, or no entry:
 * the provider then decides). */
LPWSAPROTOCOL_INFOW
wspsim_proc_socket_entry(const WspsimActorCtx *ax, int af, int type, int protocol,
                         WSAPROTOCOL_INFOW *buf)
{
    LPWSPSTARTUP top = NULL;

    if (ax->run->script->provider == NULL ||
        wspsim_lsp_top(ax->run->script->provider, af, type, protocol, &top, buf) != 0)
        return NULL;
    return buf;
}

static bool
build_world(WspsimRun *run, GError **error)
{
    const WspsimScript *s = run->script;

    if (!load_provider(run, error))
        return false;

    for (guint i = 0; i < s->hosts->len; i++) {
        const WspsimHostDecl *h = g_ptr_array_index(s->hosts, i);
        SimNodeId n =
            sim_node_add(run->world, h->name, h->router ? SIM_NODE_ROUTER : SIM_NODE_HOST);

        if (n == SIM_ID_NONE)
            return build_fail(s, h->line, h->col, error, "the simulator refused node %s", h->name);
        for (guint j = 0; j < h->addrs->len; j++)
            if (sim_node_add_addr(run->world, n, &g_array_index(h->addrs, SimAddr, j),
                                  g_array_index(h->prefixes, guint, j)) != SIM_OK)
                return build_fail(s, h->line, h->col, error,
                                  "the simulator refused an address of %s", h->name);
    }
    if (s->has_tcp && sim_tcp_set_config(run->world, &s->tcp) != SIM_OK)
        return build_fail(s, s->tcp_line, s->tcp_col, error,
                          "the simulator refused the tcp settings");
    if (s->has_reservable)
        sim_qos_set_reservable_ppm(run->world, s->reservable_ppm);
    sim_fault_add_restart_hook(run->world, on_host_restart, run);
    return build_links(run, error) && build_actions(run, error) && build_actors(run, error);
}

/* ---- Running ---------------------------------------------------------------------- */

static void
lines_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    WspsimRun *run = data;
    GString *s = g_string_new(NULL);

    sim_trace_format_line(world, rec, s);
    g_ptr_array_add(run->lines, g_string_free(s, FALSE));
}

static void
report_stuck(WspsimRun *run, bool deadlock)
{
    char label[256];

    for (guint i = 0; i < run->actors->len; i++) {
        WspsimActorCtx *ax = g_ptr_array_index(run->actors, i);

        if (!sim_actor_is_alive(run->world, ax->actor))
            continue;
        if (deadlock)
            run_fail(run, ax, "%s:%u: deadlock: %s blocked in %s", run->script->file,
                     ax->current != NULL ? ax->current->line : ax->decl->line,
                     actor_label(ax, label, sizeof label),
                     ax->current != NULL && ax->current->text != NULL ? ax->current->text
                     : ax->current != NULL                            ? "sleep"
                                                                      : "(not started)");
    }
}

static void
progress(WspsimRun *run, gint64 wall_start, bool final)
{
    char t[32];

    format_time(sim_world_now(run->world), t);
    fprintf(stderr, "\r%s: t=%ss, %" G_GUINT64_FORMAT " events, %.1fs wall%s", run->script->file, t,
            sim_world_events_run(run->world), (double) (g_get_monotonic_time() - wall_start) / 1e6,
            final ? "\n" : "");
    fflush(stderr);
}

void
wspsim_run_result_clear(WspsimRunResult *res)
{
    if (res == NULL)
        return;
    if (res->failures != NULL)
        g_string_free(res->failures, TRUE);
    if (res->lines != NULL)
        g_ptr_array_unref(res->lines);
    memset(res, 0, sizeof *res);
}

/* ---- The halves of a run (wspsim_script_run, and runner/embed.c) --------- */

WspsimRun *
wspsim_run_new(const WspsimScript *script, const WspsimRunOptions *opts)
{
    WspsimRun *run = g_new0(WspsimRun, 1);

    run->script = script;
    run->opts = opts;
    run->seed = opts->has_seed ? opts->seed : script->has_seed ? script->seed : 1;
    run->world = sim_world_new(run->seed);
    run->upcalls = wspsim_default_upcall_table();
    run->procs = g_ptr_array_new_with_free_func(proc_free);
    run->actors = g_ptr_array_new_with_free_func(actor_ctx_free);
    run->failures = g_string_new(NULL);
    run->scratch = g_string_new(NULL);
    run->action_ctxs = g_ptr_array_new_with_free_func(action_ctx_free);
    return run;
}

void
wspsim_run_set_no_stop(WspsimRun *run, bool no_stop)
{
    run->no_stop = no_stop;
}

/* Open the outputs, write the trace header and build the world: hosts,
 * links, scheduled actions, processes and their actors (not run yet). */
bool
wspsim_run_build(WspsimRun *run, GError **error)
{
    const WspsimRunOptions *opts = run->opts;

    if (!opts->no_fingerprint)
        sim_trace_enable_fingerprint(run->world);
    if (opts->trace != NULL)
        run->text = sim_trace_text_new(run->world, opts->trace);
    if (opts->keep_records) {
        run->lines = g_ptr_array_new_with_free_func(g_free);
        sim_trace_add_sink(run->world, lines_sink, run);
    }
    if (opts->jsonl_path != NULL &&
        (run->jsonl = wspsim_out_jsonl_open(run->world, opts->jsonl_path, error)) == NULL)
        return false;
    if (opts->pcap_path != NULL &&
        (run->pcap = wspsim_out_pcap_open(run->world, opts->pcap_path, error)) == NULL)
        return false;
    if (opts->msc_path != NULL) {
        if ((run->msc = wspsim_out_msc_open(run->world, opts->msc_path, error)) == NULL)
            return false;
        wspsim_out_msc_set_title(run->msc, run->script->file);
    }
    if (opts->stats)
        run->stats = wspsim_out_stats_new(run->world);
    if (sim_trace_enabled(run->world)) {
        /* The trace header: which scenario, which seed (STYLE 6). */
        g_autofree char *base = g_path_get_basename(run->script->file);

        sim_trace_textf(run->world, SIM_TR_NOTE, SIM_ID_NONE, SIM_ID_NONE, "scenario",
                        "%s seed %" G_GUINT64_FORMAT, base, run->seed);
    }
    return build_world(run, error);
}

/* After the world ran and returned @rr: idle with script actors still
 * alive is a deadlock (each blocked actor is reported). */
void
wspsim_run_check_stuck(WspsimRun *run, SimRunResult rr)
{
    if (!run->failed && rr == SIM_RUN_IDLE && sim_world_actors_alive(run->world) > 0)
        report_stuck(run, true);
    run->over = true;
}

/* Statistics, close the outputs, fill @out_result (as wspsim_script_run
 * does) and free the world and @run.  @ok: the run got going (FALSE after
 * a failed wspsim_run_build).  Returns FALSE (@error) when an output
 * failed to close. */
bool
wspsim_run_end(WspsimRun *run, bool ok, WspsimRunResult *out_result, GError **error)
{
    const WspsimRunOptions *opts = run->opts;

    run->over = true;
    out_result->end_time = sim_world_now(run->world);
    out_result->fingerprint = sim_trace_fingerprint(run->world);
    out_result->records = sim_trace_record_count(run->world);
    if (ok && run->stats != NULL && opts->stats_out != NULL)
        wspsim_out_stats_print(run->world, run->stats, opts->stats_out);
    if (run->jsonl != NULL && !wspsim_out_jsonl_close(run->jsonl, ok ? error : NULL))
        ok = false;
    if (run->pcap != NULL && !wspsim_out_pcap_close(run->pcap, ok ? error : NULL))
        ok = false;
    if (run->msc != NULL && !wspsim_out_msc_close(run->msc, ok ? error : NULL))
        ok = false;
    wspsim_out_stats_free(run->stats);
    sim_trace_text_free(run->text);
    if (run->lines != NULL)
        sim_trace_remove_sink(run->world, lines_sink, run);
    sim_world_free(run->world);
    out_result->ok = ok && !run->failed;
    out_result->seed = run->seed;
    out_result->statements = run->statements;
    out_result->failures = run->failures;
    out_result->lines = run->lines;
    g_ptr_array_unref(run->actors);
    g_ptr_array_unref(run->procs);
    g_ptr_array_unref(run->action_ctxs);
    g_string_free(run->scratch, TRUE);
    g_free(run);
    return ok;
}

/**
 * wspsim_script_run:
 * @script: a parsed, checked script
 * @opts: outputs and overrides
 * @out_result: (out caller-allocates): the outcome; clear it with
 *   wspsim_run_result_clear()
 * @error: return location for errors that prevent the run
 *
 * Builds the world, runs it until every actor finished and nothing is
 * pending, or until the script's "run until" time; stops at the first
 * unmet expectation.  A run that goes idle with actors still blocked is a
 * deadlock and fails, naming each blocked actor and its call.
 *
 * Returns: FALSE when the run could not start (@error set).
 */
bool
wspsim_script_run(const WspsimScript *script, const WspsimRunOptions *opts,
                  WspsimRunResult *out_result, GError **error)
{
    WspsimRun *run;
    SimRunResult rr;

    memset(out_result, 0, sizeof *out_result);
    run = wspsim_run_new(script, opts);
    if (!wspsim_run_build(run, error))
        return wspsim_run_end(run, false, out_result, error);

    if (opts->progress) {
        gint64 wall = g_get_monotonic_time(), last = wall;
        SimTime limit = script->has_run_until ? script->run_until : SIM_TIME_INFINITE;

        for (;;) {
            SimTime now = sim_world_now(run->world);
            SimTime step = now + SIM_SEC / 10 < limit ? now + SIM_SEC / 10 : limit;

            rr = sim_world_run_until(run->world, step);
            if (rr != SIM_RUN_TIME_LIMIT || step >= limit)
                break;
            if (g_get_monotonic_time() - last > G_USEC_PER_SEC / 4) {
                last = g_get_monotonic_time();
                progress(run, wall, false);
            }
        }
        if (last != wall)
            progress(run, wall, true);
    } else if (script->has_run_until) {
        rr = sim_world_run_until(run->world, script->run_until);
    } else {
        rr = sim_world_run(run->world);
    }
    wspsim_run_check_stuck(run, rr);
    return wspsim_run_end(run, true, out_result, error);
}
