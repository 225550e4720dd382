/* SPDX-License-Identifier: MIT
 *
 * wsp-startup.c: WSPStartup and WSPCleanup (REFERENCE 2.1: version
 * negotiation, per-process reference count, the latest upcall table), the
 * procedure table, and the protocol catalog the provider serves.
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"
#include "wsp-fault-private.h"

/* {6d8a3c1e-57a0-4b8e-9a21-5753494d5350}: "WSIMSP" in the last bytes. */
const GUID wspsim_provider_guid = {
    0x6d8a3c1e, 0x57a0, 0x4b8e, { 0x9a, 0x21, 0x57, 0x53, 0x49, 0x4d, 0x53, 0x50 }
};

#define N_CATALOG 6

static WSAPROTOCOL_INFOW catalog[N_CATALOG];

static void
catalog_set(WSAPROTOCOL_INFOW *e, DWORD id, DWORD xp1, DWORD pfl, int af, int type, int proto,
            DWORD msg_size, const char *name)
{
    int salen = af == AF_INET6 ? (int) sizeof(struct sockaddr_in6) : (int) sizeof(struct sockaddr_in);
    size_t i;

    memset(e, 0, sizeof *e);
    e->dwServiceFlags1 = xp1;
    e->dwProviderFlags = pfl;
    e->ProviderId = wspsim_provider_guid;
    e->dwCatalogEntryId = id;
    e->ProtocolChain.ChainLen = BASE_PROTOCOL;
    e->ProtocolChain.ChainEntries[0] = id;
    e->iVersion = 2;
    e->iAddressFamily = af;
    e->iMaxSockAddr = salen;
    e->iMinSockAddr = salen;
    e->iSocketType = type;
    e->iProtocol = proto;
    e->iProtocolMaxOffset = 0;
    e->iNetworkByteOrder = BIGENDIAN;
    e->iSecurityScheme = SECURITY_PROTOCOL_NONE;
    e->dwMessageSize = msg_size;
    for (i = 0; name[i] != '\0' && i < WSAPROTOCOL_LEN; i++)
        e->szProtocol[i] = (WCHAR) name[i];
    e->szProtocol[i] = 0;
}

static void
catalog_init(void)
{
    static gsize done = 0;
    const DWORD tcp = XP1_GUARANTEED_DELIVERY | XP1_GUARANTEED_ORDER | XP1_GRACEFUL_CLOSE |
                      XP1_EXPEDITED_DATA;
    const DWORD udp = XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED | XP1_SUPPORT_BROADCAST |
                      XP1_SUPPORT_MULTIPOINT;
    /* Rooted control and data planes (issue 8 implements the sessions). */
    const DWORD mp = XP1_CONNECTIONLESS | XP1_MESSAGE_ORIENTED | XP1_SUPPORT_MULTIPOINT |
                     XP1_MULTIPOINT_CONTROL_PLANE | XP1_MULTIPOINT_DATA_PLANE;
    const DWORD pfl = PFL_MATCHES_PROTOCOL_ZERO;

    if (!g_once_init_enter(&done))
        return;
    catalog_set(&catalog[0], WSPSIM_CATALOG_TCP_V4, tcp, pfl | PFL_RECOMMENDED_PROTO_ENTRY, AF_INET,
                SOCK_STREAM, IPPROTO_TCP, 0, "wspsim Tcpip [TCP/IP]");
    catalog_set(&catalog[1], WSPSIM_CATALOG_TCP_V6, tcp, pfl | PFL_RECOMMENDED_PROTO_ENTRY,
                AF_INET6, SOCK_STREAM, IPPROTO_TCP, 0, "wspsim Tcpip [TCP/IPv6]");
    catalog_set(&catalog[2], WSPSIM_CATALOG_UDP_V4, udp, pfl | PFL_RECOMMENDED_PROTO_ENTRY, AF_INET,
                SOCK_DGRAM, IPPROTO_UDP, SIM_UDP_MAX_DGRAM_V4, "wspsim Tcpip [UDP/IP]");
    catalog_set(&catalog[3], WSPSIM_CATALOG_UDP_V6, udp, pfl | PFL_RECOMMENDED_PROTO_ENTRY,
                AF_INET6, SOCK_DGRAM, IPPROTO_UDP, SIM_UDP_MAX_DGRAM_V6, "wspsim Tcpip [UDP/IPv6]");
    catalog_set(&catalog[4], WSPSIM_CATALOG_MP_ROOTED_V4, mp, 0, AF_INET, SOCK_DGRAM, IPPROTO_UDP,
                SIM_UDP_MAX_DGRAM_V4, "wspsim Multipoint [Rooted UDP/IP]");
    catalog_set(&catalog[5], WSPSIM_CATALOG_MP_ROOTED_V6, mp, 0, AF_INET6, SOCK_DGRAM, IPPROTO_UDP,
                SIM_UDP_MAX_DGRAM_V6, "wspsim Multipoint [Rooted UDP/IPv6]");
    g_once_init_leave(&done, 1);
}

/**
 * wspsim_catalog:
 * @out_count: (out): the number of entries
 *
 * Returns: (transfer none): the provider's WSAPROTOCOL_INFOW entries, for
 * the ws2 layer and layered providers: TCP and UDP over IPv4 and IPv6, and
 * a rooted multipoint datagram protocol over each.
 */
const WSAPROTOCOL_INFOW *
wspsim_catalog(size_t *out_count)
{
    catalog_init();
    if (out_count != NULL)
        *out_count = N_CATALOG;
    return catalog;
}

const WSAPROTOCOL_INFOW *
wspsim_catalog_entry(DWORD catalog_id)
{
    catalog_init();
    for (size_t i = 0; i < N_CATALOG; i++)
        if (catalog[i].dwCatalogEntryId == catalog_id)
            return &catalog[i];
    return NULL;
}

static bool
known_type(int type)
{
    switch (type) {
    case SOCK_STREAM:
    case SOCK_DGRAM:
        return true;
    default:
        return false;
    }
}

/* The first ordinary entry matching (af, type, protocol), 0 meaning "any";
 * the rooted multipoint entries are reached only through their protocol info. */
const WSAPROTOCOL_INFOW *
wsp_catalog_find(int af, int type, int protocol, int *out_err)
{
    catalog_init();
    if (af != 0 && af != AF_INET && af != AF_INET6) {
        *out_err = WSAEAFNOSUPPORT;
        return NULL;
    }
    if (type != 0 && !known_type(type)) {
        *out_err = WSAESOCKTNOSUPPORT;
        return NULL;
    }
    if (protocol != 0 && protocol != IPPROTO_TCP && protocol != IPPROTO_UDP) {
        *out_err = WSAEPROTONOSUPPORT;
        return NULL;
    }
    for (size_t i = 0; i < N_CATALOG; i++) {
        const WSAPROTOCOL_INFOW *e = &catalog[i];

        if (e->dwServiceFlags1 & XP1_MULTIPOINT_CONTROL_PLANE)
            continue; /* a rooted multipoint entry */
        if ((af == 0 || e->iAddressFamily == af) && (type == 0 || e->iSocketType == type) &&
            (protocol == 0 || e->iProtocol == protocol))
            return e;
    }
    *out_err = WSAEPROTOTYPE; /* e.g. SOCK_DGRAM with IPPROTO_TCP */
    return NULL;
}

/* ---- The procedure table --------------------------------------------- */

static void
fill_proc_table(LPWSPPROC_TABLE t)
{
    t->lpWSPAccept = WSPAccept;
    t->lpWSPAddressToString = WSPAddressToString;
    t->lpWSPAsyncSelect = WSPAsyncSelect;
    t->lpWSPBind = WSPBind;
    t->lpWSPCancelBlockingCall = WSPCancelBlockingCall;
    t->lpWSPCleanup = WSPCleanup;
    t->lpWSPCloseSocket = WSPCloseSocket;
    t->lpWSPConnect = WSPConnect;
    t->lpWSPDuplicateSocket = WSPDuplicateSocket;
    t->lpWSPEnumNetworkEvents = WSPEnumNetworkEvents;
    t->lpWSPEventSelect = WSPEventSelect;
    t->lpWSPGetOverlappedResult = WSPGetOverlappedResult;
    t->lpWSPGetPeerName = WSPGetPeerName;
    t->lpWSPGetSockName = WSPGetSockName;
    t->lpWSPGetSockOpt = WSPGetSockOpt;
    t->lpWSPGetQOSByName = WSPGetQOSByName;
    t->lpWSPIoctl = WSPIoctl;
    t->lpWSPJoinLeaf = WSPJoinLeaf;
    t->lpWSPListen = WSPListen;
    t->lpWSPRecv = WSPRecv;
    t->lpWSPRecvDisconnect = WSPRecvDisconnect;
    t->lpWSPRecvFrom = WSPRecvFrom;
    t->lpWSPSelect = WSPSelect;
    t->lpWSPSend = WSPSend;
    t->lpWSPSendDisconnect = WSPSendDisconnect;
    t->lpWSPSendTo = WSPSendTo;
    t->lpWSPSetSockOpt = WSPSetSockOpt;
    t->lpWSPShutdown = WSPShutdown;
    t->lpWSPSocket = WSPSocket;
    t->lpWSPStringToAddress = WSPStringToAddress;
}

/* Slots the client left NULL fall back to the default upcalls. */
static void
merge_upcalls(WSPUPCALLTABLE *dst, const WSPUPCALLTABLE *given)
{
    WSPUPCALLTABLE def = wspsim_default_upcall_table();
    void **d = (void **) dst;
    void *const *g = (void *const *) given;
    void *const *f = (void *const *) &def;

    for (size_t i = 0; i < sizeof(WSPUPCALLTABLE) / sizeof(void *); i++)
        d[i] = g[i] != NULL ? g[i] : f[i];
}

/**
 * WSPStartup:
 *
 * Serves exactly version 2.2 (REFERENCE 4 choice 52): a request below 2.2
 * gets WSAVERNOTSUPPORTED; 2.2 or higher gets wVersion = wHighVersion = 2.2.
 * Each success counts once per process; the upcall table of the latest
 * call is the one used (NULL slots fall back to the default upcalls).
 *
 * Returns: 0, or the error code itself: WSAEFAULT (NULL @lpWSPData or
 * @lpProcTable), WSAVERNOTSUPPORTED, WSASYSNOTREADY (no world or live
 * process to serve: see wspsim_set_context()).
 */
int WSPAPI
WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData, LPWSAPROTOCOL_INFOW lpProtocolInfo,
           WSPUPCALLTABLE UpcallTable, LPWSPPROC_TABLE lpProcTable)
{
    static const char desc[] = "wspsim simulated TCP/IP service provider";
    WORD req = (WORD) ((LOBYTE(wVersionRequested) << 8) | HIBYTE(wVersionRequested));
    WspCall call;
    int err = 0;
    size_t i;

    (void) lpProtocolInfo;
    wsp_call_open(&call, "WSPStartup");
    wsp_call_args(&call, "version=%u.%u", LOBYTE(wVersionRequested), HIBYTE(wVersionRequested));
    if (lpWSPData == NULL || lpProcTable == NULL)
        err = WSAEFAULT;
    else if (req < 0x0202)
        err = WSAVERNOTSUPPORTED;
    else if (call.proc == NULL || !sim_process_is_alive(call.world, call.proc->pid))
        err = WSASYSNOTREADY;
    if (err != 0) {
        if (call.world != NULL)
            wsp_call_end(&call, "%s", wsp_error_name(err));
        return err;
    }
    lpWSPData->wVersion = WSP_VERSION;
    lpWSPData->wHighVersion = WSP_VERSION;
    memset(lpWSPData->szDescription, 0, sizeof lpWSPData->szDescription);
    for (i = 0; i < sizeof desc - 1; i++)
        lpWSPData->szDescription[i] = (WCHAR) desc[i];
    fill_proc_table(lpProcTable);
    wsp_fault_wrap_proc_table(lpProcTable); /* provider-level faults (wsp-fault.c) */
    merge_upcalls(&call.proc->upcalls, &UpcallTable);
    call.proc->startup_count++;
    wsp_call_end(&call, "0 (2.2, count %u)", call.proc->startup_count);
    return 0;
}

/**
 * WSPCleanup:
 *
 * Counts one WSPStartup off; the last one resets and frees every socket of
 * the process still open (REFERENCE 4 choice 20: abortive), while sockets
 * already closed keep draining in the transport.
 *
 * Returns: 0, or SOCKET_ERROR with WSANOTINITIALISED when the count is 0.
 */
int WSPAPI
WSPCleanup(LPINT lpErrno)
{
    WspCall call;
    int err;

    if (!wsp_call_begin(&call, "WSPCleanup", &err))
        return wsp_call_fail(&call, lpErrno, err);
    if (--call.proc->startup_count == 0)
        wsp_process_reset_sockets(call.proc);
    wsp_call_end(&call, "0 (count %u)", call.proc->startup_count);
    return 0;
}
