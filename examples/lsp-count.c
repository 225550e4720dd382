/* SPDX-License-Identifier: MIT
 *
 * lsp-count.c: an example layered service provider (LSP) that counts the
 * bytes sent and received on each socket.  Built as a shared module
 * exporting WSPStartup; installed with wspsim_lsp_install(path) or
 * WSPSIM_LSP=path (doc/ws2.md, "Layered providers").
 *
 * As a Windows LSP does, its WSPStartup finds the next provider of its
 * protocol chain (wspsim_lsp_next_provider: the simulator's
 * WSCGetProviderPath + LoadLibrary + GetProcAddress), starts it with the
 * same upcall table, and then answers every WSP call by translating its own
 * socket handle (made with WPUCreateSocketHandle, context = its record) to
 * the next provider's handle and forwarding.  Limits of the example:
 * WSAAsyncSelect messages and overlapped completions name the base socket.
 *
 * Counters are read with the exported lsp_count_stats().
 */
#include <wspsim/ws2spi.h>
#include <wspsim/wspsim-ws2.h>

#include <string.h>

#define LSP_MAX_SOCKETS 1024

typedef struct {
    SOCKET mine;      /* the handle the application sees */
    SOCKET next;      /* the next provider's handle */
    DWORD catalog_id; /* our chained entry */
    unsigned long long sent, received;
    int open;
} LspSocket;

static WSPUPCALLTABLE up;
static WSPPROC_TABLE next;
static LspSocket socks[LSP_MAX_SOCKETS];
static int n_socks;
static unsigned long long n_calls;

int lsp_count_stats(SOCKET s, unsigned long long *sent, unsigned long long *received,
                    unsigned long long *calls);
int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                      LPWSAPROTOCOL_INFOW lpProtocolInfo, WSPUPCALLTABLE UpcallTable,
                      LPWSPPROC_TABLE lpProcTable);

/* Exported: the counters of socket @s (open or closed) and the number of
 * WSP calls the LSP has seen; 0 if @s was one of its sockets, else -1. */
int
lsp_count_stats(SOCKET s, unsigned long long *sent, unsigned long long *received,
                unsigned long long *calls)
{
    if (calls != NULL)
        *calls = n_calls;
    for (int i = n_socks; i-- > 0;) {
        if (socks[i].mine == s) {
            if (sent != NULL)
                *sent = socks[i].sent;
            if (received != NULL)
                *received = socks[i].received;
            return 0;
        }
    }
    return -1;
}

/* The record behind our handle @s (via the upcall), or NULL + WSAENOTSOCK. */
static LspSocket *
lookup(SOCKET s, LPINT lpErrno)
{
    DWORD_PTR ctx = 0;
    int err = 0;

    n_calls++;
    if (up.lpWPUQuerySocketHandleContext(s, &ctx, &err) != 0 || ctx == 0 ||
        ctx > (DWORD_PTR) n_socks || !socks[ctx - 1].open) {
        *lpErrno = WSAENOTSOCK;
        return NULL;
    }
    return &socks[ctx - 1];
}

/* Wrap a new next-provider socket in a handle of ours. */
static SOCKET
wrap(SOCKET nexts, DWORD catalog_id, LPINT lpErrno)
{
    LspSocket *ls;
    int err = 0;

    if (nexts == INVALID_SOCKET)
        return INVALID_SOCKET;
    if (n_socks == LSP_MAX_SOCKETS) {
        next.lpWSPCloseSocket(nexts, &err);
        *lpErrno = WSAEMFILE;
        return INVALID_SOCKET;
    }
    ls = &socks[n_socks++];
    memset(ls, 0, sizeof *ls);
    ls->next = nexts;
    ls->catalog_id = catalog_id;
    ls->open = 1;
    ls->mine = up.lpWPUCreateSocketHandle(catalog_id, (DWORD_PTR) n_socks, lpErrno);
    if (ls->mine == INVALID_SOCKET) {
        next.lpWSPCloseSocket(nexts, &err);
        ls->open = 0;
        return INVALID_SOCKET;
    }
    return ls->mine;
}

/* Map an fd_set of our handles onto the next provider's; FALSE if one is
 * not ours. */
static int
set_down(fd_set *in, fd_set *out, LPINT lpErrno)
{
    FD_ZERO(out);
    if (in == NULL)
        return 1;
    for (u_int i = 0; i < in->fd_count; i++) {
        LspSocket *ls = lookup(in->fd_array[i], lpErrno);

        if (ls == NULL)
            return 0;
        out->fd_array[out->fd_count++] = ls->next;
    }
    return 1;
}

/* Keep the handles of @in whose next-provider handle is in @ready. */
static void
set_up(fd_set *in, fd_set *ready)
{
    u_int k = 0;
    int err;

    if (in == NULL)
        return;
    for (u_int i = 0; i < in->fd_count; i++) {
        LspSocket *ls = lookup(in->fd_array[i], &err);

        if (ls != NULL && up.lpWPUFDIsSet(ls->next, ready))
            in->fd_array[k++] = in->fd_array[i];
    }
    in->fd_count = k;
}

/* ---- The entry points ---------------------------------------------------- */

static SOCKET WSPAPI
lsp_socket(int af, int type, int protocol, LPWSAPROTOCOL_INFOW lpProtocolInfo, GROUP g,
           DWORD dwFlags, LPINT lpErrno)
{
    WSAPROTOCOL_INFOW next_info;
    LPWSPSTARTUP unused;

    n_calls++;
    if (lpProtocolInfo == NULL ||
        wspsim_lsp_next_provider(lpProtocolInfo, &unused, &next_info) != 0) {
        *lpErrno = WSAEINVAL;
        return INVALID_SOCKET;
    }
    return wrap(next.lpWSPSocket(af, type, protocol, &next_info, g, dwFlags, lpErrno),
                lpProtocolInfo->dwCatalogEntryId, lpErrno);
}

static SOCKET WSPAPI
lsp_accept(SOCKET s, struct sockaddr *addr, LPINT addrlen, LPCONDITIONPROC lpfnCondition,
           DWORD_PTR dwCallbackData, LPINT lpErrno)
{
    LspSocket *ls = lookup(s, lpErrno);
    DWORD id;

    if (ls == NULL)
        return INVALID_SOCKET;
    id = ls->catalog_id;
    return wrap(next.lpWSPAccept(ls->next, addr, addrlen, lpfnCondition, dwCallbackData, lpErrno),
                id, lpErrno);
}

static SOCKET WSPAPI
lsp_join_leaf(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF lpCallerData,
              LPWSABUF lpCalleeData, LPQOS lpSQOS, LPQOS lpGQOS, DWORD dwFlags, LPINT lpErrno)
{
    LspSocket *ls = lookup(s, lpErrno);
    SOCKET r;

    if (ls == NULL)
        return INVALID_SOCKET;
    r = next.lpWSPJoinLeaf(ls->next, name, namelen, lpCallerData, lpCalleeData, lpSQOS, lpGQOS,
                           dwFlags, lpErrno);
    if (r == INVALID_SOCKET || r == ls->next)
        return r == ls->next ? s : r;
    return wrap(r, ls->catalog_id, lpErrno);
}

static int WSPAPI
lsp_close_socket(SOCKET s, LPINT lpErrno)
{
    LspSocket *ls = lookup(s, lpErrno);
    int rc, err = 0;

    if (ls == NULL)
        return SOCKET_ERROR;
    rc = next.lpWSPCloseSocket(ls->next, lpErrno);
    if (rc == 0) {
        ls->open = 0;
        up.lpWPUCloseSocketHandle(s, &err);
    }
    return rc;
}

static int WSPAPI
lsp_send(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
         DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
         LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine, LPWSATHREADID lpThreadId,
         LPINT lpErrno)
{
    LspSocket *ls = lookup(s, lpErrno);
    int rc;

    if (ls == NULL)
        return SOCKET_ERROR;
    rc = next.lpWSPSend(ls->next, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags,
                        lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno);
    if (rc == 0 && lpNumberOfBytesSent != NULL)
        ls->sent += *lpNumberOfBytesSent;
    return rc;
}

static int WSPAPI
lsp_send_to(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
            DWORD dwFlags, const struct sockaddr *lpTo, int iTolen, LPWSAOVERLAPPED lpOverlapped,
            LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine, LPWSATHREADID lpThreadId,
            LPINT lpErrno)
{
    LspSocket *ls = lookup(s, lpErrno);
    int rc;

    if (ls == NULL)
        return SOCKET_ERROR;
    rc = next.lpWSPSendTo(ls->next, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo,
                          iTolen, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno);
    if (rc == 0 && lpNumberOfBytesSent != NULL)
        ls->sent += *lpNumberOfBytesSent;
    return rc;
}

static int WSPAPI
lsp_recv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
         LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
         LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine, LPWSATHREADID lpThreadId,
         LPINT lpErrno)
{
    LspSocket *ls = lookup(s, lpErrno);
    int rc;

    if (ls == NULL)
        return SOCKET_ERROR;
    rc = next.lpWSPRecv(ls->next, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags,
                        lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno);
    if (rc == 0 && lpNumberOfBytesRecvd != NULL)
        ls->received += *lpNumberOfBytesRecvd;
    return rc;
}

static int WSPAPI
lsp_recv_from(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
              LPDWORD lpFlags, struct sockaddr *lpFrom, LPINT lpFromlen,
              LPWSAOVERLAPPED lpOverlapped, LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
              LPWSATHREADID lpThreadId, LPINT lpErrno)
{
    LspSocket *ls = lookup(s, lpErrno);
    int rc;

    if (ls == NULL)
        return SOCKET_ERROR;
    rc = next.lpWSPRecvFrom(ls->next, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags,
                            lpFrom, lpFromlen, lpOverlapped, lpCompletionRoutine, lpThreadId,
                            lpErrno);
    if (rc == 0 && lpNumberOfBytesRecvd != NULL)
        ls->received += *lpNumberOfBytesRecvd;
    return rc;
}

static int WSPAPI
lsp_select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
           const struct timeval *timeout, LPINT lpErrno)
{
    fd_set r, w, e;
    int rc;

    n_calls++;
    if (!set_down(readfds, &r, lpErrno) || !set_down(writefds, &w, lpErrno) ||
        !set_down(exceptfds, &e, lpErrno))
        return SOCKET_ERROR;
    rc = next.lpWSPSelect(nfds, readfds ? &r : NULL, writefds ? &w : NULL, exceptfds ? &e : NULL,
                          timeout, lpErrno);
    if (rc == SOCKET_ERROR)
        return rc;
    set_up(readfds, &r);
    set_up(writefds, &w);
    set_up(exceptfds, &e);
    return rc;
}

/* The calls that only need the handle translated. */
#define FORWARD(name, member, params, args)                                                        \
    static int WSPAPI name params                                                                  \
    {                                                                                              \
        LspSocket *ls = lookup(s, lpErrno);                                                        \
        if (ls == NULL)                                                                            \
            return SOCKET_ERROR;                                                                   \
        return next.member args;                                                                   \
    }

FORWARD(lsp_bind, lpWSPBind, (SOCKET s, const struct sockaddr *name, int namelen, LPINT lpErrno),
        (ls->next, name, namelen, lpErrno))
FORWARD(lsp_listen, lpWSPListen, (SOCKET s, int backlog, LPINT lpErrno),
        (ls->next, backlog, lpErrno))
FORWARD(lsp_connect, lpWSPConnect,
        (SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF lpCallerData,
         LPWSABUF lpCalleeData, LPQOS lpSQOS, LPQOS lpGQOS, LPINT lpErrno),
        (ls->next, name, namelen, lpCallerData, lpCalleeData, lpSQOS, lpGQOS, lpErrno))
FORWARD(lsp_shutdown, lpWSPShutdown, (SOCKET s, int how, LPINT lpErrno), (ls->next, how, lpErrno))
FORWARD(lsp_async_select, lpWSPAsyncSelect,
        (SOCKET s, HWND hWnd, unsigned int wMsg, LONG lEvent, LPINT lpErrno),
        (ls->next, hWnd, wMsg, lEvent, lpErrno))
FORWARD(lsp_duplicate, lpWSPDuplicateSocket,
        (SOCKET s, DWORD dwProcessId, LPWSAPROTOCOL_INFOW lpProtocolInfo, LPINT lpErrno),
        (ls->next, dwProcessId, lpProtocolInfo, lpErrno))
FORWARD(lsp_enum_events, lpWSPEnumNetworkEvents,
        (SOCKET s, WSAEVENT hEventObject, LPWSANETWORKEVENTS lpNetworkEvents, LPINT lpErrno),
        (ls->next, hEventObject, lpNetworkEvents, lpErrno))
FORWARD(lsp_event_select, lpWSPEventSelect,
        (SOCKET s, WSAEVENT hEventObject, LONG lNetworkEvents, LPINT lpErrno),
        (ls->next, hEventObject, lNetworkEvents, lpErrno))
FORWARD(lsp_get_peer_name, lpWSPGetPeerName,
        (SOCKET s, struct sockaddr *name, LPINT namelen, LPINT lpErrno),
        (ls->next, name, namelen, lpErrno))
FORWARD(lsp_get_sock_name, lpWSPGetSockName,
        (SOCKET s, struct sockaddr *name, LPINT namelen, LPINT lpErrno),
        (ls->next, name, namelen, lpErrno))
FORWARD(lsp_get_sock_opt, lpWSPGetSockOpt,
        (SOCKET s, int level, int optname, char *optval, LPINT optlen, LPINT lpErrno),
        (ls->next, level, optname, optval, optlen, lpErrno))
FORWARD(lsp_set_sock_opt, lpWSPSetSockOpt,
        (SOCKET s, int level, int optname, const char *optval, int optlen, LPINT lpErrno),
        (ls->next, level, optname, optval, optlen, lpErrno))
FORWARD(lsp_ioctl, lpWSPIoctl,
        (SOCKET s, DWORD code, LPVOID in, DWORD cbIn, LPVOID out, DWORD cbOut, LPDWORD ret,
         LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid,
         LPINT lpErrno),
        (ls->next, code, in, cbIn, out, cbOut, ret, ov, cr, tid, lpErrno))
FORWARD(lsp_recv_disconnect, lpWSPRecvDisconnect, (SOCKET s, LPWSABUF data, LPINT lpErrno),
        (ls->next, data, lpErrno))
FORWARD(lsp_send_disconnect, lpWSPSendDisconnect, (SOCKET s, LPWSABUF data, LPINT lpErrno),
        (ls->next, data, lpErrno))

static BOOL WSPAPI
lsp_get_overlapped_result(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer, BOOL fWait,
                          LPDWORD lpdwFlags, LPINT lpErrno)
{
    LspSocket *ls = lookup(s, lpErrno);

    if (ls == NULL)
        return FALSE;
    return next.lpWSPGetOverlappedResult(ls->next, lpOverlapped, lpcbTransfer, fWait, lpdwFlags,
                                         lpErrno);
}

static BOOL WSPAPI
lsp_get_qos_by_name(SOCKET s, LPWSABUF lpQOSName, LPQOS lpQOS, LPINT lpErrno)
{
    LspSocket *ls = lookup(s, lpErrno);

    if (ls == NULL)
        return FALSE;
    return next.lpWSPGetQOSByName(ls->next, lpQOSName, lpQOS, lpErrno);
}

static int WSPAPI
lsp_cancel_blocking_call(LPINT lpErrno)
{
    n_calls++;
    return next.lpWSPCancelBlockingCall(lpErrno);
}

static int WSPAPI
lsp_cleanup(LPINT lpErrno)
{
    n_calls++;
    return next.lpWSPCleanup(lpErrno);
}

/* WSPStartup: start the next provider of the chain, hand out our table. */
int WSPAPI
WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData, LPWSAPROTOCOL_INFOW lpProtocolInfo,
           WSPUPCALLTABLE UpcallTable, LPWSPPROC_TABLE lpProcTable)
{
    WSAPROTOCOL_INFOW next_info;
    LPWSPSTARTUP next_startup = NULL;
    int err;

    if (lpWSPData == NULL || lpProcTable == NULL)
        return WSAEFAULT;
    err = wspsim_lsp_next_provider(lpProtocolInfo, &next_startup, &next_info);
    if (err != 0)
        return WSAEPROVIDERFAILEDINIT;
    up = UpcallTable;
    err = next_startup(wVersionRequested, lpWSPData, &next_info, UpcallTable, &next);
    if (err != 0)
        return err;
    *lpProcTable = next; /* the two address-string slots pass straight through */
    lpProcTable->lpWSPAccept = lsp_accept;
    lpProcTable->lpWSPAsyncSelect = lsp_async_select;
    lpProcTable->lpWSPBind = lsp_bind;
    lpProcTable->lpWSPCancelBlockingCall = lsp_cancel_blocking_call;
    lpProcTable->lpWSPCleanup = lsp_cleanup;
    lpProcTable->lpWSPCloseSocket = lsp_close_socket;
    lpProcTable->lpWSPConnect = lsp_connect;
    lpProcTable->lpWSPDuplicateSocket = lsp_duplicate;
    lpProcTable->lpWSPEnumNetworkEvents = lsp_enum_events;
    lpProcTable->lpWSPEventSelect = lsp_event_select;
    lpProcTable->lpWSPGetOverlappedResult = lsp_get_overlapped_result;
    lpProcTable->lpWSPGetPeerName = lsp_get_peer_name;
    lpProcTable->lpWSPGetSockName = lsp_get_sock_name;
    lpProcTable->lpWSPGetSockOpt = lsp_get_sock_opt;
    lpProcTable->lpWSPGetQOSByName = lsp_get_qos_by_name;
    lpProcTable->lpWSPIoctl = lsp_ioctl;
    lpProcTable->lpWSPJoinLeaf = lsp_join_leaf;
    lpProcTable->lpWSPListen = lsp_listen;
    lpProcTable->lpWSPRecv = lsp_recv;
    lpProcTable->lpWSPRecvDisconnect = lsp_recv_disconnect;
    lpProcTable->lpWSPRecvFrom = lsp_recv_from;
    lpProcTable->lpWSPSelect = lsp_select;
    lpProcTable->lpWSPSend = lsp_send;
    lpProcTable->lpWSPSendDisconnect = lsp_send_disconnect;
    lpProcTable->lpWSPSendTo = lsp_send_to;
    lpProcTable->lpWSPSetSockOpt = lsp_set_sock_opt;
    lpProcTable->lpWSPShutdown = lsp_shutdown;
    lpProcTable->lpWSPSocket = lsp_socket;
    return 0;
}
