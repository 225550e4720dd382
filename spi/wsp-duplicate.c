/* SPDX-License-Identifier: MIT
 *
 * wsp-duplicate.c: shared sockets (REFERENCE 2.10, WSPDuplicateSocket, and
 * 4 choice 48).  WSPDuplicateSocket hands out a WSAPROTOCOL_INFOW whose
 * dwProviderReserved names a one-use ticket bound to a target process;
 * WSPSocket in that process turns the ticket into a new descriptor for the
 * same WspSocket record.  The record keeps one primary descriptor
 * (ws->proc, ws->handle); the others are listed here.  Closing a descriptor
 * drops only it; the socket closes with the last one.  Everything else
 * (options, connection, buffers, the one event registration) is the
 * record's, hence shared.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"

/* One descriptor besides the primary. */
typedef struct {
    WspProcess *proc;
    SOCKET handle;
} DupDesc;

/* The extra descriptors of one shared socket. */
typedef struct {
    WspSocket *ws; /* (ref) */
    GArray *descs; /* of DupDesc, in creation order */
} DupSet;

/* What a WSAPROTOCOL_INFOW from WSPDuplicateSocket stands for. */
typedef struct {
    DWORD key;         /* dwProviderReserved */
    SimProcessId pid;  /* the only process that may use it */
    WspSocket *ws;     /* (ref) (nullable): NULL once used */
    bool used;
} DupTicket;

typedef struct {
    GPtrArray *sets;    /* of DupSet*, creation order */
    GPtrArray *tickets; /* of DupTicket*, creation order */
    DWORD next_key;
} DupState;

static void
set_free(gpointer data)
{
    DupSet *set = data;

    wsp_socket_unref(set->ws);
    g_array_unref(set->descs);
    g_free(set);
}

static void
ticket_free(gpointer data)
{
    DupTicket *t = data;

    wsp_socket_unref(t->ws);
    g_free(t);
}

static void
state_free(gpointer data)
{
    DupState *ds = data;

    g_ptr_array_unref(ds->sets);
    g_ptr_array_unref(ds->tickets);
    g_free(ds);
}

static DupState *
dup_state(SimWorld *world, bool create)
{
    DupState *ds = sim_world_get_data(world, "wsp-dup");

    if (ds != NULL || !create)
        return ds;
    ds = g_new0(DupState, 1);
    ds->sets = g_ptr_array_new_with_free_func(set_free);
    ds->tickets = g_ptr_array_new_with_free_func(ticket_free);
    /* Keys look like nothing a catalog entry holds (those have 0). */
    ds->next_key = 0x44550001u;
    sim_world_set_data(world, "wsp-dup", ds, state_free);
    return ds;
}

static DupSet *
set_find(DupState *ds, const WspSocket *ws)
{
    if (ds == NULL)
        return NULL;
    for (guint i = 0; i < ds->sets->len; i++) {
        DupSet *set = g_ptr_array_index(ds->sets, i);

        if (set->ws == ws)
            return set;
    }
    return NULL;
}

static void
handle_close(WspProcess *proc, SOCKET h)
{
    int err = 0;

    g_hash_table_remove(proc->by_handle, (gpointer) (uintptr_t) h);
    proc->upcalls.lpWPUCloseSocketHandle(h, &err);
}

/* Drop the primary descriptor; the oldest extra one takes its place (and
 * the owning process's reference moves with it). */
static void
promote_first(DupSet *set)
{
    WspSocket *ws = set->ws;
    DupDesc d = g_array_index(set->descs, DupDesc, 0);

    handle_close(ws->proc, ws->handle);
    g_ptr_array_remove(ws->proc->sockets, ws);
    ws->proc = d.proc;
    ws->handle = d.handle;
    g_ptr_array_add(d.proc->sockets, ws);
    g_array_remove_index(set->descs, 0);
}

/**
 * wsp_dup_close_descriptor:
 * @ws: the socket behind @s
 * @proc: the process closing
 * @s: the descriptor being closed
 *
 * WSPCloseSocket's first step.  When another descriptor still refers to
 * @ws, only @s goes (its handle is released through @proc's upcall table)
 * and the socket stays as it is.
 *
 * Returns: true when @s was dropped alone; false when it is the socket's
 * last descriptor and the socket itself must close.
 */
bool
wsp_dup_close_descriptor(WspSocket *ws, WspProcess *proc, SOCKET s)
{
    DupState *ds = dup_state(ws->world, false);
    DupSet *set = set_find(ds, ws);

    if (set == NULL)
        return false;
    if (set->descs->len == 0) {
        g_ptr_array_remove(ds->sets, set);
        return false;
    }
    if (proc == ws->proc && s == ws->handle) {
        promote_first(set);
    } else {
        for (guint i = 0; i < set->descs->len; i++) {
            DupDesc *d = &g_array_index(set->descs, DupDesc, i);

            if (d->proc == proc && d->handle == s) {
                handle_close(proc, s);
                g_array_remove_index(set->descs, i);
                break;
            }
        }
    }
    if (set->descs->len == 0)
        g_ptr_array_remove(ds->sets, set);
    return true;
}

/**
 * wsp_dup_process_reset:
 * @proc: a process ending (exit, kill) or doing its last WSPCleanup
 *
 * Drops every descriptor @proc holds on a socket that another process
 * still shares, so the reset that follows leaves those sockets alone.
 * Sockets whose every descriptor is in @proc keep one (the primary) for the
 * reset to close.
 */
void
wsp_dup_process_reset(WspProcess *proc)
{
    DupState *ds = dup_state(proc->state->world, false);
    g_autoptr(GPtrArray) list = NULL;

    if (ds == NULL)
        return;
    list = g_ptr_array_copy(ds->sets, NULL, NULL);
    g_ptr_array_set_free_func(list, NULL); /* the copy borrows */
    for (guint k = 0; k < list->len; k++) {
        DupSet *set = g_ptr_array_index(list, k);

        for (guint i = set->descs->len; i-- > 0;) {
            DupDesc d = g_array_index(set->descs, DupDesc, i);

            if (d.proc == proc) {
                handle_close(proc, d.handle);
                g_array_remove_index(set->descs, i);
            }
        }
        if (set->ws->proc == proc && set->descs->len > 0)
            promote_first(set);
        if (set->descs->len == 0)
            g_ptr_array_remove(ds->sets, set);
    }
}

/**
 * wsp_dup_socket_from_info:
 * @call: WSPSocket's call context
 * @info: the structure WSPSocket was given; a WSPDuplicateSocket one has a
 *   nonzero dwProviderReserved
 * @out_s: (out): the new descriptor
 * @out_err: (out): the error, when the call fails
 *
 * Returns: false when @info is an ordinary catalog entry (WSPSocket goes
 * on); true when it was a duplication structure: then *@out_s is the new
 * descriptor, or INVALID_SOCKET with *@out_err = WSAEINVAL (unknown key,
 * another process's structure, already used, socket gone) or the
 * WPUCreateSocketHandle error.
 */
bool
wsp_dup_socket_from_info(WspCall *call, const WSAPROTOCOL_INFOW *info, SOCKET *out_s,
                         int *out_err)
{
    DupState *ds;
    DupTicket *t = NULL;
    DupSet *set;
    WspSocket *ws;
    DupDesc d;
    SOCKET h;
    int err = 0;

    if (info == NULL || info->dwProviderReserved == 0)
        return false;
    *out_s = INVALID_SOCKET;
    *out_err = WSAEINVAL;
    ds = dup_state(call->world, false);
    for (guint i = 0; ds != NULL && i < ds->tickets->len; i++) {
        DupTicket *o = g_ptr_array_index(ds->tickets, i);

        if (o->key == info->dwProviderReserved)
            t = o;
    }
    if (t == NULL || t->used || t->pid != call->proc->pid)
        return true;
    if (info->dwCatalogEntryId != t->ws->proto->dwCatalogEntryId)
        return true; /* the structure was altered */
    ws = t->ws;
    if (ws->closed)
        return true; /* every descriptor closed before the target got here */
    h = call->proc->upcalls.lpWPUCreateSocketHandle(ws->proto->dwCatalogEntryId,
                                                    (DWORD_PTR) ws->serial, &err);
    if (h == INVALID_SOCKET || h == 0 ||
        g_hash_table_contains(call->proc->by_handle, (gpointer) (uintptr_t) h)) {
        *out_err = err != 0 ? err : WSAEMFILE;
        return true;
    }
    t->used = true;
    set = set_find(ds, ws);
    if (set == NULL) {
        set = g_new0(DupSet, 1);
        set->ws = wsp_socket_ref(ws);
        set->descs = g_array_new(FALSE, FALSE, sizeof(DupDesc));
        g_ptr_array_add(ds->sets, set);
    }
    d.proc = call->proc;
    d.handle = h;
    g_array_append_val(set->descs, d);
    g_hash_table_insert(call->proc->by_handle, (gpointer) (uintptr_t) h, ws);
    t->ws = NULL;
    wsp_socket_unref(ws);
    *out_s = h;
    *out_err = 0;
    return true;
}

/**
 * wsp_dup_descriptor_count:
 * @ws: a socket
 *
 * Returns: how many descriptors (in any process) refer to @ws; 0 once
 * closed.
 */
guint
wsp_dup_descriptor_count(const WspSocket *ws)
{
    DupSet *set;

    if (ws->closed)
        return 0;
    set = set_find(dup_state(ws->world, false), ws);
    return 1 + (set != NULL ? set->descs->len : 0);
}

/**
 * WSPDuplicateSocket:
 *
 * Fills *@lpProtocolInfo with the socket's catalog entry and, in
 * dwProviderReserved, a key that WSPSocket accepts once, in process
 * @dwProcessId (a SimProcessId, which may be the caller's own), to make a
 * second descriptor for the same socket (REFERENCE 2.10).
 *
 * Returns: 0; SOCKET_ERROR with WSAENOTSOCK, WSAEFAULT (@lpProtocolInfo
 * NULL, as the API page says), WSAEINVAL (@dwProcessId names no live
 * process, or the socket is QoS-enabled), WSANOTINITIALISED.
 */
int WSPAPI
WSPDuplicateSocket(SOCKET s, DWORD dwProcessId, LPWSAPROTOCOL_INFOW lpProtocolInfo, LPINT lpErrno)
{
    WspCall call;
    WspSocket *ws;
    DupState *ds;
    DupTicket *t;
    int err;

    if (!wsp_call_begin(&call, "WSPDuplicateSocket", &err))
        return wsp_call_fail(&call, lpErrno, err);
    wsp_call_args(&call, "s=0x%" G_GINT64_MODIFIER "x, pid=%u", (guint64) s,
                  (unsigned) dwProcessId);
    ws = wsp_handle_lookup(&call, s);
    if (ws == NULL)
        return wsp_call_fail(&call, lpErrno, WSAENOTSOCK);
    if (lpProtocolInfo == NULL)
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    if (dwProcessId == 0 || !sim_process_is_alive(call.world, (SimProcessId) dwProcessId))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    /* Not allowed on a QoS-enabled socket (REFERENCE WSPDuplicateSocket). */
    if (ws->qos != NULL)
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    ds = dup_state(call.world, true);
    t = g_new0(DupTicket, 1);
    t->key = ds->next_key++;
    t->pid = (SimProcessId) dwProcessId;
    t->ws = wsp_socket_ref(ws);
    g_ptr_array_add(ds->tickets, t);
    *lpProtocolInfo = *ws->proto;
    lpProtocolInfo->dwProviderReserved = t->key;
    wsp_call_end(&call, "0 (key 0x%x)", (unsigned) t->key);
    return 0;
}
