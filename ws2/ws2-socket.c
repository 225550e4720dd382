/* SPDX-License-Identifier: MIT
 *
 * ws2-socket.c: the Winsock 2 API as ws2_32 offers it, dispatched to the
 * providers' WSPPROC_TABLEs.  WSAStartup starts the base provider (and any
 * installed LSPs) with this layer's upcall table; every socket call checks
 * the process has started (WSANOTINITIALISED), finds the provider that owns
 * the handle (the catalog entry recorded by WPUCreateSocketHandle; an
 * unknown handle is WSAENOTSOCK) and calls it, turning *lpErrno into the
 * calling thread's last error.  Return conventions are Windows': 0 /
 * SOCKET_ERROR, INVALID_SOCKET, byte counts, BOOL.
 */
#include "config.h"

#include <string.h>

#include "ws2-private.h"

/* ---- Dispatch helpers ------------------------------------------------ */

/* The provider owning catalog entry @catalog_id in @proc. */
static const WSPPROC_TABLE *
provider_for_catalog(Ws2Process *proc, DWORD catalog_id)
{
    for (guint i = 0; i < proc->lsps->len; i++) {
        Ws2Provider *p = g_ptr_array_index(proc->lsps, i);

        if (catalog_id == p->lsp->layer.dwCatalogEntryId)
            return &p->procs;
        for (guint j = 0; j < p->lsp->entries->len; j++)
            if (g_array_index(p->lsp->entries, WSAPROTOCOL_INFOW, j).dwCatalogEntryId == catalog_id)
                return &p->procs;
    }
    if (wspsim_catalog_entry(catalog_id) != NULL)
        return &proc->base.procs;
    return NULL;
}

/* Resolve the caller and check WSAStartup; FALSE with the error set. */
static bool
enter(Ws2Ctx *ctx)
{
    if (!ws2_ctx(ctx)) {
        ws2_set_error(NULL, WSANOTINITIALISED);
        return false;
    }
    if (ctx->proc->startup_count == 0) {
        ws2_set_error(ctx, WSANOTINITIALISED);
        return false;
    }
    return true;
}

/* enter() and find the provider of @s; NULL with the error set. */
static const WSPPROC_TABLE *
enter_socket(Ws2Ctx *ctx, SOCKET s)
{
    Ws2Handle *h;
    const WSPPROC_TABLE *t;

    if (!enter(ctx))
        return NULL;
    h = ws2_handle_lookup(ctx->world, s);
    if (h == NULL || (h->pid != SIM_ID_NONE && h->pid != ctx->pid) ||
        (t = provider_for_catalog(ctx->proc, h->catalog_id)) == NULL) {
        ws2_set_error(ctx, WSAENOTSOCK);
        return NULL;
    }
    return t;
}

/* A provider's int result: on SOCKET_ERROR its *lpErrno becomes the last
 * error.  @err is read here, after the call that wrote it has returned
 * (argument evaluation order is unspecified, so never pass it by value
 * beside that call). */
static int
result(const Ws2Ctx *ctx, int rc, const int *err)
{
    if (rc == SOCKET_ERROR)
        ws2_set_error(ctx, *err);
    return rc;
}

static SOCKET
result_socket(const Ws2Ctx *ctx, SOCKET s, const int *err)
{
    if (s == INVALID_SOCKET)
        ws2_set_error(ctx, *err);
    return s;
}

/* A failure decided here, with @code. */
static int
fail(const Ws2Ctx *ctx, int code)
{
    return result(ctx, SOCKET_ERROR, &code);
}

static SOCKET
fail_socket(const Ws2Ctx *ctx, int code)
{
    return result_socket(ctx, INVALID_SOCKET, &code);
}

/* The WSATHREADID of the calling thread, for overlapped requests. */
static void
thread_id(const Ws2Ctx *ctx, WSATHREADID *id)
{
    id->ThreadHandle = wspsim_os_thread_handle(ctx->world, ctx->actor);
    id->Reserved = ctx->actor;
}

/* ---- Start-up -------------------------------------------------------- */

static void
set_text(char *dst, size_t cap, const char *src)
{
    g_strlcpy(dst, src, cap);
}

/* Start the base provider and every installed LSP in @proc: 0 or the
 * WSPStartup error. */
static int
providers_start(Ws2Process *proc)
{
    WSPUPCALLTABLE up = ws2_upcall_table();
    WSPDATA data;
    int err;

    memset(&proc->base, 0, sizeof proc->base);
    err = WSPStartup(WS2_HIGH_VERSION, &data, NULL, up, &proc->base.procs);
    if (err != 0)
        return err;
    for (guint i = 0; i < ws2_lsp_count(); i++) {
        const Ws2Lsp *lsp = ws2_lsp_nth(i);
        Ws2Provider *p = g_new0(Ws2Provider, 1);
        WSAPROTOCOL_INFOW info = g_array_index(lsp->entries, WSAPROTOCOL_INFOW, 0);

        p->lsp = lsp;
        err = lsp->startup(WS2_HIGH_VERSION, &data, &info, up, &p->procs);
        if (err != 0) {
            g_free(p);
            break;
        }
        for (size_t k = 0; k < sizeof p->procs / sizeof(void *); k++) {
            if (((void **) &p->procs)[k] == NULL) {
                err = WSAEINVALIDPROCTABLE;
                break;
            }
        }
        if (err != 0) {
            int e2;

            if (p->procs.lpWSPCleanup != NULL)
                p->procs.lpWSPCleanup(&e2);
            g_free(p);
            break;
        }
        g_ptr_array_add(proc->lsps, p);
    }
    if (err != 0) {
        int e2;

        for (guint i = proc->lsps->len; i-- > 0;) {
            Ws2Provider *p = g_ptr_array_index(proc->lsps, i);
            p->procs.lpWSPCleanup(&e2);
        }
        g_ptr_array_set_size(proc->lsps, 0);
        proc->base.procs.lpWSPCleanup(&e2);
        return err;
    }
    proc->started = true;
    return 0;
}

/**
 * WSAStartup:
 * @wVersionRequested: MAKEWORD(major, minor); 1.0 to 2.2 are served
 * @lpWSAData: (out): the version agreed and the implementation's details
 *
 * The first call of a process starts the base provider (WSPStartup with
 * this layer's upcall table) and every installed LSP; each success counts
 * and needs one WSACleanup.
 *
 * Returns: 0, or the error code itself (not through WSAGetLastError):
 * WSAVERNOTSUPPORTED (below 1.0), WSAEFAULT (NULL @lpWSAData),
 * WSASYSNOTREADY (no simulated thread calls), or what the provider's
 * WSPStartup returned.
 */
int WSAAPI
WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData)
{
    Ws2Ctx ctx;
    WORD req = (WORD) ((LOBYTE(wVersionRequested) << 8) | HIBYTE(wVersionRequested));
    WORD agreed;
    int err;

    if (!ws2_ctx(&ctx))
        return WSASYSNOTREADY;
    if (LOBYTE(wVersionRequested) < 1)
        return WSAVERNOTSUPPORTED;
    if (lpWSAData == NULL)
        return WSAEFAULT;
    agreed = req >= 0x0202 ? WS2_HIGH_VERSION : wVersionRequested;
    if (!ctx.proc->started) {
        err = providers_start(ctx.proc);
        if (err != 0)
            return err;
    }
    memset(lpWSAData, 0, sizeof *lpWSAData);
    lpWSAData->wVersion = agreed;
    lpWSAData->wHighVersion = WS2_HIGH_VERSION;
    lpWSAData->iMaxSockets = 0;
    lpWSAData->iMaxUdpDg = 0;
    lpWSAData->lpVendorInfo = NULL;
    set_text(lpWSAData->szDescription, sizeof lpWSAData->szDescription, "WinSock 2.0");
    set_text(lpWSAData->szSystemStatus, sizeof lpWSAData->szSystemStatus, "Running");
    ctx.proc->version = agreed;
    ctx.proc->startup_count++;
    return 0;
}

/**
 * WSACleanup:
 *
 * Counts one WSAStartup off; the last one cleans the providers up
 * (WSPCleanup of each LSP, then of the base provider), which closes the
 * process's remaining sockets.
 *
 * Returns: 0, or SOCKET_ERROR with WSANOTINITIALISED.
 */
int WSAAPI
WSACleanup(void)
{
    Ws2Ctx ctx;
    int err = 0, rc = 0;

    if (!enter(&ctx))
        return SOCKET_ERROR;
    if (--ctx.proc->startup_count > 0)
        return 0;
    for (guint i = ctx.proc->lsps->len; i-- > 0;) {
        Ws2Provider *p = g_ptr_array_index(ctx.proc->lsps, i);

        if (p->procs.lpWSPCleanup(&err) == SOCKET_ERROR)
            rc = result(&ctx, SOCKET_ERROR, &err);
    }
    g_ptr_array_set_size(ctx.proc->lsps, 0);
    if (ctx.proc->base.procs.lpWSPCleanup(&err) == SOCKET_ERROR)
        rc = result(&ctx, SOCKET_ERROR, &err);
    ctx.proc->started = false;
    return rc;
}

/**
 * WSACancelBlockingCall:
 *
 * Winsock 2 removed it: an application that negotiated 2.0 or later gets
 * WSAEOPNOTSUPP, as on Windows.  For a 1.x application it is
 * WSPCancelBlockingCall of the base provider.
 */
int WSAAPI
WSACancelBlockingCall(void)
{
    Ws2Ctx ctx;
    int err = 0;

    if (!enter(&ctx))
        return SOCKET_ERROR;
    if (LOBYTE(ctx.proc->version) >= 2)
        return fail(&ctx, WSAEOPNOTSUPP);
    return result(&ctx, ctx.proc->base.procs.lpWSPCancelBlockingCall(&err), &err);
}

/* ---- Socket creation ------------------------------------------------- */

static bool
entry_matches(const WSAPROTOCOL_INFOW *e, int af, int type, int protocol)
{
    return (af == 0 || e->iAddressFamily == af) && (type == 0 || e->iSocketType == type) &&
           (protocol == 0 || e->iProtocol == protocol);
}

/**
 * WSASocketW:
 *
 * With @lpProtocolInfo, the provider owning its catalog entry creates the
 * socket (WSAEINVAL for an unknown entry).  Otherwise the first installed
 * LSP whose chained entry matches (@af, @type, @protocol) does, with that
 * entry; else the base provider chooses among its own entries.
 *
 * Returns: the socket, or INVALID_SOCKET with the provider's error.
 */
SOCKET WSAAPI
WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW lpProtocolInfo, GROUP g,
           DWORD dwFlags)
{
    Ws2Ctx ctx;
    int err = 0;

    if (!enter(&ctx))
        return INVALID_SOCKET;
    if (lpProtocolInfo != NULL) {
        const WSPPROC_TABLE *t = provider_for_catalog(ctx.proc, lpProtocolInfo->dwCatalogEntryId);

        if (t == NULL)
            return fail_socket(&ctx, WSAEINVAL);
        return result_socket(
            &ctx, t->lpWSPSocket(af, type, protocol, lpProtocolInfo, g, dwFlags, &err), &err);
    }
    for (guint i = 0; i < ctx.proc->lsps->len; i++) {
        Ws2Provider *p = g_ptr_array_index(ctx.proc->lsps, i);

        for (guint j = 0; j < p->lsp->entries->len; j++) {
            WSAPROTOCOL_INFOW e = g_array_index(p->lsp->entries, WSAPROTOCOL_INFOW, j);

            if (!entry_matches(&e, af, type, protocol))
                continue;
            return result_socket(
                &ctx, p->procs.lpWSPSocket(af, type, protocol, &e, g, dwFlags, &err), &err);
        }
    }
    return result_socket(
        &ctx, ctx.proc->base.procs.lpWSPSocket(af, type, protocol, NULL, g, dwFlags, &err), &err);
}

/* socket(): an overlapped-capable socket, as ws2_32 makes it. */
SOCKET WSAAPI
wspsim_socket(int af, int type, int protocol)
{
    return WSASocketW(af, type, protocol, NULL, 0, WSA_FLAG_OVERLAPPED);
}

/* ---- Plain forwarding ------------------------------------------------ */

int WSAAPI
wspsim_bind(SOCKET s, const struct sockaddr *name, int namelen)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPBind(s, name, namelen, &err), &err);
}

int WSAAPI
wspsim_listen(SOCKET s, int backlog)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPListen(s, backlog, &err), &err);
}

SOCKET WSAAPI
WSAAccept(SOCKET s, struct sockaddr *addr, LPINT addrlen, LPCONDITIONPROC lpfnCondition,
          DWORD_PTR dwCallbackData)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return INVALID_SOCKET;
    return result_socket(
        &ctx, t->lpWSPAccept(s, addr, addrlen, lpfnCondition, dwCallbackData, &err), &err);
}

SOCKET WSAAPI
wspsim_accept(SOCKET s, struct sockaddr *addr, int *addrlen)
{
    return WSAAccept(s, addr, addrlen, NULL, 0);
}

int WSAAPI
WSAConnect(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF lpCallerData,
           LPWSABUF lpCalleeData, LPQOS lpSQOS, LPQOS lpGQOS)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(
        &ctx, t->lpWSPConnect(s, name, namelen, lpCallerData, lpCalleeData, lpSQOS, lpGQOS, &err),
        &err);
}

int WSAAPI
wspsim_connect(SOCKET s, const struct sockaddr *name, int namelen)
{
    return WSAConnect(s, name, namelen, NULL, NULL, NULL, NULL);
}

int WSAAPI
wspsim_shutdown(SOCKET s, int how)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPShutdown(s, how, &err), &err);
}

int WSAAPI
closesocket(SOCKET s)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPCloseSocket(s, &err), &err);
}

int WSAAPI
WSASendDisconnect(SOCKET s, LPWSABUF lpOutboundDisconnectData)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPSendDisconnect(s, lpOutboundDisconnectData, &err), &err);
}

int WSAAPI
WSARecvDisconnect(SOCKET s, LPWSABUF lpInboundDisconnectData)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPRecvDisconnect(s, lpInboundDisconnectData, &err), &err);
}

SOCKET WSAAPI
WSAJoinLeaf(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF lpCallerData,
            LPWSABUF lpCalleeData, LPQOS lpSQOS, LPQOS lpGQOS, DWORD dwFlags)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return INVALID_SOCKET;
    return result_socket(&ctx,
                         t->lpWSPJoinLeaf(s, name, namelen, lpCallerData, lpCalleeData, lpSQOS,
                                          lpGQOS, dwFlags, &err),
                         &err);
}

int WSAAPI
WSADuplicateSocketW(SOCKET s, DWORD dwProcessId, LPWSAPROTOCOL_INFOW lpProtocolInfo)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPDuplicateSocket(s, dwProcessId, lpProtocolInfo, &err), &err);
}

/* ---- Data ------------------------------------------------------------ */

int WSAAPI
WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
        DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
        LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    WSATHREADID tid;
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    thread_id(&ctx, &tid);
    return result(&ctx,
                  t->lpWSPSend(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags,
                               lpOverlapped, lpCompletionRoutine, &tid, &err),
                  &err);
}

int WSAAPI
WSASendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesSent,
          DWORD dwFlags, const struct sockaddr *lpTo, int iTolen, LPWSAOVERLAPPED lpOverlapped,
          LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    WSATHREADID tid;
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    thread_id(&ctx, &tid);
    return result(&ctx,
                  t->lpWSPSendTo(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo,
                                 iTolen, lpOverlapped, lpCompletionRoutine, &tid, &err),
                  &err);
}

int WSAAPI
WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
        LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
        LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    WSATHREADID tid;
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    thread_id(&ctx, &tid);
    return result(&ctx,
                  t->lpWSPRecv(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags,
                               lpOverlapped, lpCompletionRoutine, &tid, &err),
                  &err);
}

int WSAAPI
WSARecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount, LPDWORD lpNumberOfBytesRecvd,
            LPDWORD lpFlags, struct sockaddr *lpFrom, LPINT lpFromlen, LPWSAOVERLAPPED lpOverlapped,
            LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    WSATHREADID tid;
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    thread_id(&ctx, &tid);
    return result(&ctx,
                  t->lpWSPRecvFrom(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags,
                                   lpFrom, lpFromlen, lpOverlapped, lpCompletionRoutine, &tid,
                                   &err),
                  &err);
}

/* send(): one buffer, no overlap.  A negative length is WSAEFAULT (the
 * buffer cannot be valid). */
int WSAAPI
wspsim_send(SOCKET s, const char *buf, int len, int flags)
{
    WSABUF wb;
    DWORD sent = 0;

    if (len < 0) {
        WSASetLastError(WSAEFAULT);
        return SOCKET_ERROR;
    }
    wb.len = (u_long) len;
    wb.buf = (char *) buf;
    if (WSASend(s, &wb, 1, &sent, (DWORD) flags, NULL, NULL) == SOCKET_ERROR)
        return SOCKET_ERROR;
    return (int) sent;
}

int WSAAPI
wspsim_sendto(SOCKET s, const char *buf, int len, int flags, const struct sockaddr *to, int tolen)
{
    WSABUF wb;
    DWORD sent = 0;

    if (len < 0) {
        WSASetLastError(WSAEFAULT);
        return SOCKET_ERROR;
    }
    wb.len = (u_long) len;
    wb.buf = (char *) buf;
    if (WSASendTo(s, &wb, 1, &sent, (DWORD) flags, to, tolen, NULL, NULL) == SOCKET_ERROR)
        return SOCKET_ERROR;
    return (int) sent;
}

/* recv()/recvfrom(): a message cut short (MSG_PARTIAL back from the
 * provider) is WSAEMSGSIZE at this level (REFERENCE 2.7). */
int WSAAPI
wspsim_recv(SOCKET s, char *buf, int len, int flags)
{
    WSABUF wb;
    DWORD got = 0, fl = (DWORD) flags;

    if (len < 0) {
        WSASetLastError(WSAEFAULT);
        return SOCKET_ERROR;
    }
    wb.len = (u_long) len;
    wb.buf = buf;
    if (WSARecv(s, &wb, 1, &got, &fl, NULL, NULL) == SOCKET_ERROR)
        return SOCKET_ERROR;
    if ((fl & MSG_PARTIAL) != 0) {
        WSASetLastError(WSAEMSGSIZE);
        return SOCKET_ERROR;
    }
    return (int) got;
}

int WSAAPI
wspsim_recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from, int *fromlen)
{
    WSABUF wb;
    DWORD got = 0, fl = (DWORD) flags;

    if (len < 0) {
        WSASetLastError(WSAEFAULT);
        return SOCKET_ERROR;
    }
    wb.len = (u_long) len;
    wb.buf = buf;
    if (WSARecvFrom(s, &wb, 1, &got, &fl, from, fromlen, NULL, NULL) == SOCKET_ERROR)
        return SOCKET_ERROR;
    if ((fl & MSG_PARTIAL) != 0) {
        WSASetLastError(WSAEMSGSIZE);
        return SOCKET_ERROR;
    }
    return (int) got;
}

BOOL WSAAPI
WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer, BOOL fWait,
                       LPDWORD lpdwFlags)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;
    BOOL ok;

    if (t == NULL)
        return FALSE;
    ok = t->lpWSPGetOverlappedResult(s, lpOverlapped, lpcbTransfer, fWait, lpdwFlags, &err);
    if (!ok)
        ws2_set_error(&ctx, err);
    return ok;
}

/* ---- Names and options ----------------------------------------------- */

int WSAAPI
wspsim_getsockname(SOCKET s, struct sockaddr *name, int *namelen)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPGetSockName(s, name, namelen, &err), &err);
}

int WSAAPI
wspsim_getpeername(SOCKET s, struct sockaddr *name, int *namelen)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPGetPeerName(s, name, namelen, &err), &err);
}

int WSAAPI
wspsim_getsockopt(SOCKET s, int level, int optname, char *optval, int *optlen)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPGetSockOpt(s, level, optname, optval, optlen, &err), &err);
}

int WSAAPI
wspsim_setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPSetSockOpt(s, level, optname, optval, optlen, &err), &err);
}

int WSAAPI
WSAIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer, LPVOID lpvOutBuffer,
         DWORD cbOutBuffer, LPDWORD lpcbBytesReturned, LPWSAOVERLAPPED lpOverlapped,
         LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    WSATHREADID tid;
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    thread_id(&ctx, &tid);
    return result(&ctx,
                  t->lpWSPIoctl(s, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer,
                                cbOutBuffer, lpcbBytesReturned, lpOverlapped, lpCompletionRoutine,
                                &tid, &err),
                  &err);
}

/* ioctlsocket(): WSPIoctl with the u_long as both input and output, as the
 * reference ws2_32 does. */
int WSAAPI
ioctlsocket(SOCKET s, LONG cmd, u_long *argp)
{
    DWORD ret = 0;

    if (argp == NULL) {
        Ws2Ctx ctx;

        if (enter_socket(&ctx, s) == NULL)
            return SOCKET_ERROR;
        return fail(&ctx, WSAEFAULT);
    }
    return WSAIoctl(s, (DWORD) cmd, argp, sizeof *argp, argp, sizeof *argp, &ret, NULL, NULL);
}

BOOL WSAAPI
WSAGetQOSByName(SOCKET s, LPWSABUF lpQOSName, LPQOS lpQOS)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;
    BOOL ok;

    if (t == NULL)
        return FALSE;
    ok = t->lpWSPGetQOSByName(s, lpQOSName, lpQOS, &err);
    if (!ok)
        ws2_set_error(&ctx, err);
    return ok;
}

/* ---- Readiness and notification --------------------------------------- */

int WSAAPI
__WSAFDIsSet(SOCKET fd, fd_set *set)
{
    if (set == NULL)
        return 0;
    for (u_int i = 0; i < set->fd_count && i < FD_SETSIZE; i++)
        if (set->fd_array[i] == fd)
            return 1;
    return 0;
}

/* The first socket in the sets; FALSE when they hold none. */
static bool
first_socket(fd_set *r, fd_set *w, fd_set *e, SOCKET *out)
{
    fd_set *sets[3] = { r, w, e };

    for (int i = 0; i < 3; i++) {
        if (sets[i] != NULL && sets[i]->fd_count > 0) {
            *out = sets[i]->fd_array[0];
            return true;
        }
    }
    return false;
}

/**
 * select:
 *
 * Goes to the provider of the first socket in the sets (ws2_32's rule: all
 * sockets of one select belong to one provider).  No socket at all is
 * WSAEINVAL.
 */
int WSAAPI
wspsim_select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
              const struct timeval *timeout)
{
    Ws2Ctx ctx;
    SOCKET first = INVALID_SOCKET;
    const WSPPROC_TABLE *t;
    int err = 0;

    if (!first_socket(readfds, writefds, exceptfds, &first)) {
        if (!enter(&ctx))
            return SOCKET_ERROR;
        return fail(&ctx, WSAEINVAL);
    }
    t = enter_socket(&ctx, first);
    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPSelect(nfds, readfds, writefds, exceptfds, timeout, &err), &err);
}

int WSAAPI
WSAEventSelect(SOCKET s, WSAEVENT hEventObject, LONG lNetworkEvents)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPEventSelect(s, hEventObject, lNetworkEvents, &err), &err);
}

int WSAAPI
WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject, LPWSANETWORKEVENTS lpNetworkEvents)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPEnumNetworkEvents(s, hEventObject, lpNetworkEvents, &err), &err);
}

int WSAAPI
WSAAsyncSelect(SOCKET s, HWND hWnd, u_int wMsg, LONG lEvent)
{
    Ws2Ctx ctx;
    const WSPPROC_TABLE *t = enter_socket(&ctx, s);
    int err = 0;

    if (t == NULL)
        return SOCKET_ERROR;
    return result(&ctx, t->lpWSPAsyncSelect(s, hWnd, wMsg, lEvent, &err), &err);
}

/* ---- Event objects ---------------------------------------------------- */

WSAEVENT WSAAPI
WSACreateEvent(void)
{
    Ws2Ctx ctx;
    HANDLE h;

    if (!enter(&ctx))
        return WSA_INVALID_EVENT;
    h = wspsim_os_event_create(ctx.world, TRUE, FALSE);
    if (h == NULL)
        ws2_set_error(&ctx, WSA_NOT_ENOUGH_MEMORY);
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

BOOL WSAAPI
WSASetEvent(WSAEVENT hEvent)
{
    return event_op(hEvent, wspsim_os_event_set);
}

BOOL WSAAPI
WSAResetEvent(WSAEVENT hEvent)
{
    return event_op(hEvent, wspsim_os_event_reset);
}

BOOL WSAAPI
WSACloseEvent(WSAEVENT hEvent)
{
    Ws2Ctx ctx;

    if (!enter(&ctx))
        return FALSE;
    if (wspsim_os_handle_kind(ctx.world, hEvent) != WSPSIM_HANDLE_EVENT ||
        !wspsim_os_handle_close(ctx.world, hEvent)) {
        ws2_set_error(&ctx, WSA_INVALID_HANDLE);
        return FALSE;
    }
    return TRUE;
}

/**
 * WSAWaitForMultipleEvents:
 *
 * Waits in simulated time.  Returns WSA_WAIT_EVENT_0 + i, WSA_WAIT_TIMEOUT,
 * WSA_WAIT_IO_COMPLETION (alertable: completion routines ran), or
 * WSA_WAIT_FAILED with WSA_INVALID_HANDLE / WSA_INVALID_PARAMETER.
 */
DWORD WSAAPI
WSAWaitForMultipleEvents(DWORD cEvents, const WSAEVENT *lphEvents, BOOL fWaitAll, DWORD dwTimeout,
                         BOOL fAlertable)
{
    Ws2Ctx ctx;
    int err = 0;
    DWORD r;

    if (!enter(&ctx))
        return WSA_WAIT_FAILED;
    r = wspsim_os_wait(ctx.world, cEvents, lphEvents, fWaitAll, dwTimeout, fAlertable, &err);
    if (r == WSA_WAIT_FAILED)
        ws2_set_error(&ctx, err);
    return r;
}
