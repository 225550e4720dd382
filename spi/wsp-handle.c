/* SPDX-License-Identifier: MIT
 *
 * wsp-handle.c: the provider's per-world and per-process state and the
 * SOCKET <-> socket table.  Handles come from the client's
 * WPUCreateSocketHandle upcall (REFERENCE 2.2: a non-IFS provider); a
 * per-process hash finds the socket behind a handle, while every walk that
 * decides behaviour uses the creation-ordered array.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"
#include "wsp-extension.h"

static void
process_free(gpointer data)
{
    WspProcess *proc = data;

    /* World teardown: the transports free their own endpoints, so only the
     * records go (no transport call here). */
    for (guint i = 0; i < proc->sockets->len; i++) {
        WspSocket *ws = g_ptr_array_index(proc->sockets, i);

        ws->closed = true;
        ws->proc = NULL;
        ws->sock = 0;
        wsp_socket_unref(ws);
    }
    g_ptr_array_unref(proc->sockets);
    g_hash_table_unref(proc->by_handle);
    g_hash_table_unref(proc->dll_handles);
    g_free(proc);
}

static void
state_free(gpointer data)
{
    WspState *st = data;

    wsp_ext_world_free(st->world); /* before the records go: the requests hold them */
    g_hash_table_unref(st->by_pid);
    g_hash_table_unref(st->by_sock);
    g_ptr_array_unref(st->procs); /* frees the processes */
    g_free(st);
}

/* A process ended (killed, or its last actor finished): Windows resets the
 * sockets of an exiting process (REFERENCE 2.1, "providers must cope"). */
static void
process_exit_hook(SimWorld *world, SimProcessId pid, void *data)
{
    WspProcess *proc;

    (void) data;
    proc = wsp_process_get(world, pid, false);
    if (proc == NULL)
        return;
    wsp_process_reset_sockets(proc);
    proc->startup_count = 0;
}

WspState *
wsp_state_get(SimWorld *world, bool create)
{
    WspState *st = sim_world_get_data(world, "wsp");

    if (st != NULL || !create)
        return st;
    st = g_new0(WspState, 1);
    st->world = world;
    st->procs = g_ptr_array_new_with_free_func(process_free);
    st->by_pid = g_hash_table_new(g_direct_hash, g_direct_equal);
    st->by_sock = g_hash_table_new(g_direct_hash, g_direct_equal);
    st->next_serial = 1;
    st->next_group = 1;
    sim_world_set_data(world, "wsp", st, state_free);
    sim_process_add_exit_hook(world, process_exit_hook, NULL);
    return st;
}

WspProcess *
wsp_process_get(SimWorld *world, SimProcessId pid, bool create)
{
    WspState *st = wsp_state_get(world, create);
    WspProcess *proc;

    if (st == NULL)
        return NULL;
    proc = g_hash_table_lookup(st->by_pid, GUINT_TO_POINTER(pid));
    if (proc != NULL || !create)
        return proc;
    proc = g_new0(WspProcess, 1);
    proc->state = st;
    proc->pid = pid;
    proc->upcalls = wspsim_default_upcall_table();
    proc->sockets = g_ptr_array_new();
    proc->by_handle = g_hash_table_new(g_direct_hash, g_direct_equal);
    proc->dll_handles = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_ptr_array_add(st->procs, proc);
    g_hash_table_insert(st->by_pid, GUINT_TO_POINTER(pid), proc);
    return proc;
}

WspSocket *
wsp_handle_lookup(const WspCall *call, SOCKET s)
{
    if (call->proc == NULL || s == INVALID_SOCKET || s == 0)
        return NULL;
    return g_hash_table_lookup(call->proc->by_handle, (gpointer) (uintptr_t) s);
}

WspSocket *
wsp_socket_by_sock(SimWorld *world, SimSocketId sock)
{
    WspState *st = wsp_state_get(world, false);

    if (st == NULL || sock == 0)
        return NULL;
    return g_hash_table_lookup(st->by_sock, GUINT_TO_POINTER(sock));
}

WspSocket *
wsp_socket_new(WspProcess *proc, const WSAPROTOCOL_INFOW *proto, SimSocketId sock, int *out_err)
{
    WspState *st = proc->state;
    WspSocket *ws;
    SOCKET h;
    int err = 0;

    ws = g_new0(WspSocket, 1);
    ws->ref_count = 1;
    ws->world = st->world;
    ws->proc = proc;
    ws->serial = st->next_serial++;
    ws->proto = proto;
    ws->af = proto->iAddressFamily;
    ws->type = proto->iSocketType;
    ws->protocol = proto->iProtocol;
    ws->family = proto->iAddressFamily == AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET;
    ws->stream = proto->iSocketType == SOCK_STREAM;
    ws->sock = sock;
    ws->udp_sndbuf = WSP_UDP_SNDBUF_DEFAULT;
    ws->so_error = SIM_OK;
    sim_waitq_init(&ws->rq);
    sim_waitq_init(&ws->wq);
    sim_waitq_init(&ws->cq);

    h = proc->upcalls.lpWPUCreateSocketHandle(proto->dwCatalogEntryId, (DWORD_PTR) ws->serial,
                                              &err);
    if (h == INVALID_SOCKET || h == 0 ||
        g_hash_table_contains(proc->by_handle, (gpointer) (uintptr_t) h)) {
        *out_err = err != 0 ? err : WSAEMFILE;
        g_free(ws);
        return NULL;
    }
    ws->handle = h;
    g_ptr_array_add(proc->sockets, ws);
    g_hash_table_insert(proc->by_handle, (gpointer) (uintptr_t) h, ws);
    if (sock != 0)
        g_hash_table_insert(st->by_sock, GUINT_TO_POINTER(sock), ws);
    return ws;
}

WspSocket *
wsp_socket_ref(WspSocket *ws)
{
    ws->ref_count++;
    return ws;
}

void
wsp_socket_unref(WspSocket *ws)
{
    if (ws == NULL || --ws->ref_count > 0)
        return;
    /* A socket still open at world teardown keeps its QOS record (its sim
     * flows go with the world): wsp_qos_release() ran only on close. */
    g_free(ws->qos);
    wsp_change_release(ws); /* likewise its *_CHANGE watches (wsp-change.c) */
    g_free(ws);
}

void
wsp_socket_release(WspSocket *ws)
{
    WspProcess *proc = ws->proc;
    int err = 0;

    if (ws->closed)
        return;
    wsp_mp_release(ws); /* leaving a multipoint session by closing (wsp-multipoint.c) */
    ws->closed = true;
    wsp_notify_release(ws); /* left-over overlapped requests: aborted quietly (choice 4) */
    wsp_qos_release(ws);    /* reservations released on close (wsp-qos.c) */
    if (ws->sock != 0)
        g_hash_table_remove(proc->state->by_sock, GUINT_TO_POINTER(ws->sock));
    if (ws->deferred_child != 0) {
        sim_tcp_abort(ws->world, ws->deferred_child);
        ws->deferred_child = 0;
    }
    ws->sock = 0;
    g_hash_table_remove(proc->by_handle, (gpointer) (uintptr_t) ws->handle);
    g_ptr_array_remove(proc->sockets, ws);
    proc->upcalls.lpWPUCloseSocketHandle(ws->handle, &err);
    /* Blocked callers resume, see @closed and fail with WSAEINTR. */
    sim_waitq_clear(ws->world, &ws->rq);
    sim_waitq_clear(ws->world, &ws->wq);
    sim_waitq_clear(ws->world, &ws->cq);
    wsp_socket_unref(ws);
}

void
wsp_process_reset_sockets(WspProcess *proc)
{
    g_autoptr(GPtrArray) list = NULL;

    wsp_dup_process_reset(proc); /* shared sockets stay with their other holders */
    /* Newest last, in creation order: a copy, since release edits the array. */
    list = g_ptr_array_copy(proc->sockets, NULL, NULL);
    for (guint i = 0; i < list->len; i++) {
        WspSocket *ws = g_ptr_array_index(list, i);

        wsp_socket_reset_transport(ws);
        wsp_socket_release(ws);
    }
}
