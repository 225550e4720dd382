/* SPDX-License-Identifier: MIT
 * test-headers: every constant, structure size, field offset and prototype
 * that spi/REFERENCE.md sections 1.1-1.15 give, checked against the
 * Windows-compatible headers in spi/wspsim/.  The expected values below are
 * typed in from REFERENCE (Win64 and Win32 layouts), never computed from the
 * headers, so a wrong header value makes a row fail by name. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <wspsim/ws2spi.h>
#include <wspsim/ws2tcpip.h>
#include <wspsim/mswsock.h>
#include <wspsim/mstcpip.h>
#include <wspsim/qos.h>

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Table shapes -------------------------------------------------------- */

typedef struct {
    const char *name;
    int64_t actual;
    int64_t expected;
} ConstCase;

typedef struct {
    const char *name;
    size_t actual;
    size_t want_win64;
    size_t want_win32;
} LayoutCase;

typedef struct {
    const char *name;
    size_t size;
    bool is_signed;
    size_t want_size; /* 0 = pointer-sized */
    bool want_signed;
} TypeCase;

typedef struct {
    const char *name;
    bool same;
} SameTypeCase;

#define K(name, expected) {#name, (int64_t)(name), (int64_t)(expected)}
#define SZ(type, w64, w32) {"sizeof(" #type ")", sizeof(type), (w64), (w32)}
#define OFF(type, member, w64, w32) {#type "." #member, offsetof(type, member), (w64), (w32)}
#define SLOT(type, member, index) \
    {#type "." #member, offsetof(type, member), (index) * 8u, (index) * 4u}
/* (type)-1 is positive exactly when type is unsigned (phrased so that
 * -Wtype-limits has no always-false comparison to flag). */
#define INT_TYPE(type, want_size, want_signed) \
    {#type, sizeof(type), !((type)-1 > (type)0), (want_size), (want_signed)}
#define PTR_TYPE(type) {#type, sizeof(type), false, 0, false}
#define SAME(a, b) {#a " ~ " #b, __builtin_types_compatible_p(a, b)}

static size_t checks_run;

static void
check_consts(const ConstCase *cases, size_t n)
{
    size_t bad = 0;

    for (size_t i = 0; i < n; i++) {
        if (cases[i].actual != cases[i].expected) {
            print_message("%s = %" PRId64 " (0x%" PRIx64 "), REFERENCE says %" PRId64
                          " (0x%" PRIx64 ")\n",
                          cases[i].name, cases[i].actual, (uint64_t)cases[i].actual,
                          cases[i].expected, (uint64_t)cases[i].expected);
            bad++;
        }
    }
    checks_run += n;
    assert_int_equal(bad, 0);
}

static void
check_layouts(const LayoutCase *cases, size_t n)
{
    size_t bad = 0;

    for (size_t i = 0; i < n; i++) {
        size_t want = WSPSIM_WIN64 ? cases[i].want_win64 : cases[i].want_win32;

        if (cases[i].actual != want) {
            print_message("%s = %zu, REFERENCE says %zu\n", cases[i].name, cases[i].actual,
                          want);
            bad++;
        }
    }
    checks_run += n;
    assert_int_equal(bad, 0);
}

static void
check_same_types(const SameTypeCase *cases, size_t n)
{
    size_t bad = 0;

    for (size_t i = 0; i < n; i++) {
        if (!cases[i].same) {
            print_message("type mismatch: %s\n", cases[i].name);
            bad++;
        }
    }
    checks_run += n;
    assert_int_equal(bad, 0);
}

/* ---- Section 0: LLP64 widths -------------------------------------------- */

static void
test_headers_type_widths(void **state)
{
    static const TypeCase cases[] = {
        INT_TYPE(BYTE, 1, false),       INT_TYPE(UCHAR, 1, false),
        INT_TYPE(u_char, 1, false),     INT_TYPE(WORD, 2, false),
        INT_TYPE(USHORT, 2, false),     INT_TYPE(u_short, 2, false),
        INT_TYPE(SHORT, 2, true),       INT_TYPE(WCHAR, 2, false),
        INT_TYPE(DWORD, 4, false),      INT_TYPE(ULONG, 4, false),
        INT_TYPE(u_long, 4, false),     INT_TYPE(LONG, 4, true),
        INT_TYPE(u_int, 4, false),      INT_TYPE(UINT, 4, false),
        INT_TYPE(INT, 4, true),         INT_TYPE(BOOL, 4, true),
        INT_TYPE(GROUP, 4, false),      INT_TYPE(SERVICETYPE, 4, false),
        INT_TYPE(ADDRESS_FAMILY, 2, false),
        INT_TYPE(SOCKET, 0, false),     INT_TYPE(DWORD_PTR, 0, false),
        INT_TYPE(ULONG_PTR, 0, false),  INT_TYPE(UINT_PTR, 0, false),
        INT_TYPE(WPARAM, 0, false),     INT_TYPE(LPARAM, 0, true),
        INT_TYPE(LONG_PTR, 0, true),    INT_TYPE(INT_PTR, 0, true),
        PTR_TYPE(HANDLE),               PTR_TYPE(HWND),
        PTR_TYPE(WSAEVENT),             PTR_TYPE(LPVOID),
    };
    size_t bad = 0;

    (void)state;
    for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
        const TypeCase *c = &cases[i];
        size_t want = c->want_size ? c->want_size : sizeof(void *);

        if (c->size != want || c->is_signed != c->want_signed) {
            print_message("%s: %zu bytes %s, want %zu bytes %s\n", c->name, c->size,
                          c->is_signed ? "signed" : "unsigned", want,
                          c->want_signed ? "signed" : "unsigned");
            bad++;
        }
    }
    checks_run += N_ELEMENTS(cases);
    assert_int_equal(bad, 0);
}

static void
test_headers_base_types(void **state)
{
    /* Exact C types, so that pointers to them interconvert with <stdint.h>. */
    const SameTypeCase cases[] = {
        SAME(BYTE, uint8_t),           SAME(WORD, uint16_t),
        SAME(DWORD, uint32_t),         SAME(LONG, int32_t),
        SAME(ULONG, uint32_t),         SAME(u_long, uint32_t),
        SAME(WCHAR, uint16_t),         SAME(BOOL, int),
        SAME(INT, int),                SAME(UINT, unsigned int),
        SAME(u_int, unsigned int),     SAME(u_short, unsigned short),
        SAME(u_char, unsigned char),   SAME(CHAR, char),
        SAME(GROUP, unsigned int),     SAME(SOCKET, UINT_PTR),
        SAME(UINT_PTR, uintptr_t),     SAME(DWORD_PTR, uintptr_t),
        SAME(ULONG_PTR, uintptr_t),    SAME(LONG_PTR, intptr_t),
        SAME(LPARAM, LONG_PTR),        SAME(WPARAM, UINT_PTR),
        SAME(HANDLE, void *),          SAME(WSAEVENT, HANDLE),
        SAME(LPINT, int *),            SAME(LPDWORD, DWORD *),
        SAME(PDWORD_PTR, DWORD_PTR *), SAME(LPVOID, void *),
        SAME(LPWSTR, WCHAR *),         SAME(LPGUID, GUID *),
        SAME(LPSOCKADDR, struct sockaddr *),
        SAME(LPWSAOVERLAPPED, OVERLAPPED *),
        SAME(WSAOVERLAPPED, OVERLAPPED),
        SAME(PTIMEVAL, struct timeval *),
        SAME(LINGER, struct linger),
        SAME(__typeof__(((WSANETWORKEVENTS *)0)->lNetworkEvents), int32_t),
        SAME(__typeof__(((struct timeval *)0)->tv_sec), int32_t),
        SAME(__typeof__(((struct timeval *)0)->tv_usec), int32_t),
        SAME(__typeof__(((WSABUF *)0)->len), uint32_t),
        SAME(__typeof__(((WSABUF *)0)->buf), char *),
        SAME(__typeof__(((fd_set *)0)->fd_count), unsigned int),
        SAME(__typeof__(((fd_set *)0)->fd_array[0]), SOCKET),
        SAME(__typeof__(SOCKET_ERROR), int),
        SAME(__typeof__(INVALID_SOCKET), SOCKET),
        SAME(__typeof__(SO_DONTLINGER), int),
        SAME(__typeof__(SO_EXCLUSIVEADDRUSE), int),
    };

    (void)state;
    check_same_types(cases, N_ELEMENTS(cases));
}

/* ---- 1.1, 1.3, 1.4: prototypes and table slots --------------------------- */

/* The prototypes exactly as REFERENCE 1.1 writes them; `long` there is the
 * 32-bit Windows long. */
typedef SOCKET (WSPAPI *RefAccept)(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                                   LPCONDITIONPROC lpfnCondition, DWORD_PTR dwCallbackData,
                                   LPINT lpErrno);
typedef int (WSPAPI *RefAsyncSelect)(SOCKET s, HWND hWnd, unsigned int wMsg, int32_t lEvent,
                                     LPINT lpErrno);
typedef int (WSPAPI *RefBind)(SOCKET s, const struct sockaddr *name, int namelen, LPINT lpErrno);
typedef int (WSPAPI *RefCancelBlockingCall)(LPINT lpErrno);
typedef int (WSPAPI *RefCleanup)(LPINT lpErrno);
typedef int (WSPAPI *RefCloseSocket)(SOCKET s, LPINT lpErrno);
typedef int (WSPAPI *RefConnect)(SOCKET s, const struct sockaddr *name, int namelen,
                                 LPWSABUF lpCallerData, LPWSABUF lpCalleeData, LPQOS lpSQOS,
                                 LPQOS lpGQOS, LPINT lpErrno);
typedef int (WSPAPI *RefDuplicateSocket)(SOCKET s, DWORD dwProcessId,
                                         LPWSAPROTOCOL_INFOW lpProtocolInfo, LPINT lpErrno);
typedef int (WSPAPI *RefEnumNetworkEvents)(SOCKET s, WSAEVENT hEventObject,
                                           LPWSANETWORKEVENTS lpNetworkEvents, LPINT lpErrno);
typedef int (WSPAPI *RefEventSelect)(SOCKET s, WSAEVENT hEventObject, int32_t lNetworkEvents,
                                     LPINT lpErrno);
typedef BOOL (WSPAPI *RefGetOverlappedResult)(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
                                              LPDWORD lpcbTransfer, BOOL fWait,
                                              LPDWORD lpdwFlags, LPINT lpErrno);
typedef int (WSPAPI *RefGetPeerName)(SOCKET s, struct sockaddr *name, LPINT namelen,
                                     LPINT lpErrno);
typedef int (WSPAPI *RefGetSockName)(SOCKET s, struct sockaddr *name, LPINT namelen,
                                     LPINT lpErrno);
typedef int (WSPAPI *RefGetSockOpt)(SOCKET s, int level, int optname, char *optval,
                                    LPINT optlen, LPINT lpErrno);
typedef BOOL (WSPAPI *RefGetQOSByName)(SOCKET s, LPWSABUF lpQOSName, LPQOS lpQOS,
                                       LPINT lpErrno);
typedef int (WSPAPI *RefIoctl)(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer,
                               DWORD cbInBuffer, LPVOID lpvOutBuffer, DWORD cbOutBuffer,
                               LPDWORD lpcbBytesReturned, LPWSAOVERLAPPED lpOverlapped,
                               LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                               LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef SOCKET (WSPAPI *RefJoinLeaf)(SOCKET s, const struct sockaddr *name, int namelen,
                                     LPWSABUF lpCallerData, LPWSABUF lpCalleeData,
                                     LPQOS lpSQOS, LPQOS lpGQOS, DWORD dwFlags, LPINT lpErrno);
typedef int (WSPAPI *RefListen)(SOCKET s, int backlog, LPINT lpErrno);
typedef int (WSPAPI *RefRecv)(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                              LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                              LPWSAOVERLAPPED lpOverlapped,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                              LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (WSPAPI *RefRecvDisconnect)(SOCKET s, LPWSABUF lpInboundDisconnectData,
                                        LPINT lpErrno);
typedef int (WSPAPI *RefRecvFrom)(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                                  LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                                  struct sockaddr *lpFrom, LPINT lpFromlen,
                                  LPWSAOVERLAPPED lpOverlapped,
                                  LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                                  LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (WSPAPI *RefSelect)(int nfds, fd_set *readfds, fd_set *writefds,
                                fd_set *exceptfds, const struct timeval *timeout,
                                LPINT lpErrno);
typedef int (WSPAPI *RefSend)(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                              LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                              LPWSAOVERLAPPED lpOverlapped,
                              LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                              LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (WSPAPI *RefSendDisconnect)(SOCKET s, LPWSABUF lpOutboundDisconnectData,
                                        LPINT lpErrno);
typedef int (WSPAPI *RefSendTo)(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                                LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                                const struct sockaddr *lpTo, int iTolen,
                                LPWSAOVERLAPPED lpOverlapped,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                                LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (WSPAPI *RefSetSockOpt)(SOCKET s, int level, int optname, const char *optval,
                                    int optlen, LPINT lpErrno);
typedef int (WSPAPI *RefShutdown)(SOCKET s, int how, LPINT lpErrno);
typedef SOCKET (WSPAPI *RefSocket)(int af, int type, int protocol,
                                   LPWSAPROTOCOL_INFOW lpProtocolInfo, GROUP g, DWORD dwFlags,
                                   LPINT lpErrno);
typedef int (WSPAPI *RefStartup)(WORD wVersionRequested, LPWSPDATA lpWSPData,
                                 LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                 WSPUPCALLTABLE UpcallTable, LPWSPPROC_TABLE lpProcTable);
typedef INT (WSPAPI *RefAddressToString)(LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
                                         LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                         LPWSTR lpszAddressString,
                                         LPDWORD lpdwAddressStringLength, LPINT lpErrno);
typedef INT (WSPAPI *RefStringToAddress)(LPWSTR AddressString, INT AddressFamily,
                                         LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                         LPSOCKADDR lpAddress, LPINT lpAddressLength,
                                         LPINT lpErrno);

/* 1.4 upcalls and 1.6 callbacks. */
typedef BOOL (*RefBlockingCallback)(DWORD_PTR dwContext);
typedef void (*RefUserApc)(DWORD_PTR dwContext);
typedef void (*RefCompletionRoutine)(DWORD dwError, DWORD cbTransferred,
                                     LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags);
typedef int (*RefConditionProc)(LPWSABUF lpCallerId, LPWSABUF lpCallerData, LPQOS lpSQOS,
                                LPQOS lpGQOS, LPWSABUF lpCalleeId, LPWSABUF lpCalleeData,
                                GROUP *g, DWORD_PTR dwCallbackData);
typedef BOOL (*RefCloseEvent)(WSAEVENT hEvent, LPINT lpErrno);
typedef int (*RefCloseSocketHandle)(SOCKET s, LPINT lpErrno);
typedef WSAEVENT (*RefCreateEvent)(LPINT lpErrno);
typedef SOCKET (*RefCreateSocketHandle)(DWORD dwCatalogEntryId, DWORD_PTR dwContext,
                                        LPINT lpErrno);
typedef int (*RefFDIsSet)(SOCKET s, fd_set *fdset);
typedef int (*RefGetProviderPath)(LPGUID lpProviderId, WCHAR *lpszProviderDllPath,
                                  LPINT lpProviderDllPathLen, LPINT lpErrno);
typedef SOCKET (*RefModifyIFSHandle)(DWORD dwCatalogEntryId, SOCKET ProposedHandle,
                                     LPINT lpErrno);
typedef BOOL (*RefPostMessage)(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam);
typedef int (*RefQueryBlockingCallback)(DWORD dwCatalogEntryId,
                                        LPBLOCKINGCALLBACK *lplpfnCallback,
                                        PDWORD_PTR lpdwContext, LPINT lpErrno);
typedef int (*RefQuerySocketHandleContext)(SOCKET s, PDWORD_PTR lpContext, LPINT lpErrno);
typedef int (*RefQueueApc)(LPWSATHREADID lpThreadId, LPWSAUSERAPC lpfnUserApc,
                           DWORD_PTR dwContext, LPINT lpErrno);
typedef BOOL (*RefResetEvent)(WSAEVENT hEvent, LPINT lpErrno);
typedef BOOL (*RefSetEvent)(WSAEVENT hEvent, LPINT lpErrno);
typedef int (*RefOpenCurrentThread)(LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (*RefCloseThread)(LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (*RefCompleteOverlappedRequest)(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
                                            DWORD dwError, DWORD cbTransferred, LPINT lpErrno);

/* A typedef, the declared function and the table slot all equal the reference. */
#define PROTO(ref, lptype, fn, table, slot)                   \
    SAME(lptype, ref), SAME(__typeof__(&fn), ref),             \
        SAME(__typeof__(((table *)0)->slot), lptype)

static void
test_headers_prototypes(void **state)
{
    const SameTypeCase cases[] = {
        PROTO(RefAccept, LPWSPACCEPT, WSPAccept, WSPPROC_TABLE, lpWSPAccept),
        PROTO(RefAddressToString, LPWSPADDRESSTOSTRING, WSPAddressToString, WSPPROC_TABLE,
              lpWSPAddressToString),
        PROTO(RefAsyncSelect, LPWSPASYNCSELECT, WSPAsyncSelect, WSPPROC_TABLE,
              lpWSPAsyncSelect),
        PROTO(RefBind, LPWSPBIND, WSPBind, WSPPROC_TABLE, lpWSPBind),
        PROTO(RefCancelBlockingCall, LPWSPCANCELBLOCKINGCALL, WSPCancelBlockingCall,
              WSPPROC_TABLE, lpWSPCancelBlockingCall),
        PROTO(RefCleanup, LPWSPCLEANUP, WSPCleanup, WSPPROC_TABLE, lpWSPCleanup),
        PROTO(RefCloseSocket, LPWSPCLOSESOCKET, WSPCloseSocket, WSPPROC_TABLE,
              lpWSPCloseSocket),
        PROTO(RefConnect, LPWSPCONNECT, WSPConnect, WSPPROC_TABLE, lpWSPConnect),
        PROTO(RefDuplicateSocket, LPWSPDUPLICATESOCKET, WSPDuplicateSocket, WSPPROC_TABLE,
              lpWSPDuplicateSocket),
        PROTO(RefEnumNetworkEvents, LPWSPENUMNETWORKEVENTS, WSPEnumNetworkEvents,
              WSPPROC_TABLE, lpWSPEnumNetworkEvents),
        PROTO(RefEventSelect, LPWSPEVENTSELECT, WSPEventSelect, WSPPROC_TABLE,
              lpWSPEventSelect),
        PROTO(RefGetOverlappedResult, LPWSPGETOVERLAPPEDRESULT, WSPGetOverlappedResult,
              WSPPROC_TABLE, lpWSPGetOverlappedResult),
        PROTO(RefGetPeerName, LPWSPGETPEERNAME, WSPGetPeerName, WSPPROC_TABLE,
              lpWSPGetPeerName),
        PROTO(RefGetSockName, LPWSPGETSOCKNAME, WSPGetSockName, WSPPROC_TABLE,
              lpWSPGetSockName),
        PROTO(RefGetSockOpt, LPWSPGETSOCKOPT, WSPGetSockOpt, WSPPROC_TABLE, lpWSPGetSockOpt),
        PROTO(RefGetQOSByName, LPWSPGETQOSBYNAME, WSPGetQOSByName, WSPPROC_TABLE,
              lpWSPGetQOSByName),
        PROTO(RefIoctl, LPWSPIOCTL, WSPIoctl, WSPPROC_TABLE, lpWSPIoctl),
        PROTO(RefJoinLeaf, LPWSPJOINLEAF, WSPJoinLeaf, WSPPROC_TABLE, lpWSPJoinLeaf),
        PROTO(RefListen, LPWSPLISTEN, WSPListen, WSPPROC_TABLE, lpWSPListen),
        PROTO(RefRecv, LPWSPRECV, WSPRecv, WSPPROC_TABLE, lpWSPRecv),
        PROTO(RefRecvDisconnect, LPWSPRECVDISCONNECT, WSPRecvDisconnect, WSPPROC_TABLE,
              lpWSPRecvDisconnect),
        PROTO(RefRecvFrom, LPWSPRECVFROM, WSPRecvFrom, WSPPROC_TABLE, lpWSPRecvFrom),
        PROTO(RefSelect, LPWSPSELECT, WSPSelect, WSPPROC_TABLE, lpWSPSelect),
        PROTO(RefSend, LPWSPSEND, WSPSend, WSPPROC_TABLE, lpWSPSend),
        PROTO(RefSendDisconnect, LPWSPSENDDISCONNECT, WSPSendDisconnect, WSPPROC_TABLE,
              lpWSPSendDisconnect),
        PROTO(RefSendTo, LPWSPSENDTO, WSPSendTo, WSPPROC_TABLE, lpWSPSendTo),
        PROTO(RefSetSockOpt, LPWSPSETSOCKOPT, WSPSetSockOpt, WSPPROC_TABLE, lpWSPSetSockOpt),
        PROTO(RefShutdown, LPWSPSHUTDOWN, WSPShutdown, WSPPROC_TABLE, lpWSPShutdown),
        PROTO(RefSocket, LPWSPSOCKET, WSPSocket, WSPPROC_TABLE, lpWSPSocket),
        PROTO(RefStringToAddress, LPWSPSTRINGTOADDRESS, WSPStringToAddress, WSPPROC_TABLE,
              lpWSPStringToAddress),
        SAME(LPWSPSTARTUP, RefStartup),
        SAME(__typeof__(&WSPStartup), RefStartup),
        SAME(__typeof__(&WPUCompleteOverlappedRequest), RefCompleteOverlappedRequest),
        SAME(LPWPUCOMPLETEOVERLAPPEDREQUEST, RefCompleteOverlappedRequest),
        SAME(__typeof__(&__WSAFDIsSet), RefFDIsSet),

        SAME(LPBLOCKINGCALLBACK, RefBlockingCallback),
        SAME(LPWSAUSERAPC, RefUserApc),
        SAME(LPWSAOVERLAPPED_COMPLETION_ROUTINE, RefCompletionRoutine),
        SAME(LPCONDITIONPROC, RefConditionProc),

        SAME(LPWPUCLOSEEVENT, RefCloseEvent),
        SAME(LPWPUCLOSESOCKETHANDLE, RefCloseSocketHandle),
        SAME(LPWPUCREATEEVENT, RefCreateEvent),
        SAME(LPWPUCREATESOCKETHANDLE, RefCreateSocketHandle),
        SAME(LPWPUFDISSET, RefFDIsSet),
        SAME(LPWPUGETPROVIDERPATH, RefGetProviderPath),
        SAME(LPWPUMODIFYIFSHANDLE, RefModifyIFSHandle),
        SAME(LPWPUPOSTMESSAGE, RefPostMessage),
        SAME(LPWPUQUERYBLOCKINGCALLBACK, RefQueryBlockingCallback),
        SAME(LPWPUQUERYSOCKETHANDLECONTEXT, RefQuerySocketHandleContext),
        SAME(LPWPUQUEUEAPC, RefQueueApc),
        SAME(LPWPURESETEVENT, RefResetEvent),
        SAME(LPWPUSETEVENT, RefSetEvent),
        SAME(LPWPUOPENCURRENTTHREAD, RefOpenCurrentThread),
        SAME(LPWPUCLOSETHREAD, RefCloseThread),

        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUCloseEvent), LPWPUCLOSEEVENT),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUCloseSocketHandle), LPWPUCLOSESOCKETHANDLE),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUCreateEvent), LPWPUCREATEEVENT),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUCreateSocketHandle),
             LPWPUCREATESOCKETHANDLE),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUFDIsSet), LPWPUFDISSET),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUGetProviderPath), LPWPUGETPROVIDERPATH),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUModifyIFSHandle), LPWPUMODIFYIFSHANDLE),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUPostMessage), LPWPUPOSTMESSAGE),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUQueryBlockingCallback),
             LPWPUQUERYBLOCKINGCALLBACK),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUQuerySocketHandleContext),
             LPWPUQUERYSOCKETHANDLECONTEXT),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUQueueApc), LPWPUQUEUEAPC),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUResetEvent), LPWPURESETEVENT),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUSetEvent), LPWPUSETEVENT),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUOpenCurrentThread), LPWPUOPENCURRENTTHREAD),
        SAME(__typeof__(((WSPUPCALLTABLE *)0)->lpWPUCloseThread), LPWPUCLOSETHREAD),
    };

    (void)state;
    check_same_types(cases, N_ELEMENTS(cases));
}

static void
test_headers_table_slots(void **state)
{
    static const LayoutCase cases[] = {
        SLOT(WSPPROC_TABLE, lpWSPAccept, 0),
        SLOT(WSPPROC_TABLE, lpWSPAddressToString, 1),
        SLOT(WSPPROC_TABLE, lpWSPAsyncSelect, 2),
        SLOT(WSPPROC_TABLE, lpWSPBind, 3),
        SLOT(WSPPROC_TABLE, lpWSPCancelBlockingCall, 4),
        SLOT(WSPPROC_TABLE, lpWSPCleanup, 5),
        SLOT(WSPPROC_TABLE, lpWSPCloseSocket, 6),
        SLOT(WSPPROC_TABLE, lpWSPConnect, 7),
        SLOT(WSPPROC_TABLE, lpWSPDuplicateSocket, 8),
        SLOT(WSPPROC_TABLE, lpWSPEnumNetworkEvents, 9),
        SLOT(WSPPROC_TABLE, lpWSPEventSelect, 10),
        SLOT(WSPPROC_TABLE, lpWSPGetOverlappedResult, 11),
        SLOT(WSPPROC_TABLE, lpWSPGetPeerName, 12),
        SLOT(WSPPROC_TABLE, lpWSPGetSockName, 13),
        SLOT(WSPPROC_TABLE, lpWSPGetSockOpt, 14),
        SLOT(WSPPROC_TABLE, lpWSPGetQOSByName, 15),
        SLOT(WSPPROC_TABLE, lpWSPIoctl, 16),
        SLOT(WSPPROC_TABLE, lpWSPJoinLeaf, 17),
        SLOT(WSPPROC_TABLE, lpWSPListen, 18),
        SLOT(WSPPROC_TABLE, lpWSPRecv, 19),
        SLOT(WSPPROC_TABLE, lpWSPRecvDisconnect, 20),
        SLOT(WSPPROC_TABLE, lpWSPRecvFrom, 21),
        SLOT(WSPPROC_TABLE, lpWSPSelect, 22),
        SLOT(WSPPROC_TABLE, lpWSPSend, 23),
        SLOT(WSPPROC_TABLE, lpWSPSendDisconnect, 24),
        SLOT(WSPPROC_TABLE, lpWSPSendTo, 25),
        SLOT(WSPPROC_TABLE, lpWSPSetSockOpt, 26),
        SLOT(WSPPROC_TABLE, lpWSPShutdown, 27),
        SLOT(WSPPROC_TABLE, lpWSPSocket, 28),
        SLOT(WSPPROC_TABLE, lpWSPStringToAddress, 29),
        SZ(WSPPROC_TABLE, 240, 120),

        SLOT(WSPUPCALLTABLE, lpWPUCloseEvent, 0),
        SLOT(WSPUPCALLTABLE, lpWPUCloseSocketHandle, 1),
        SLOT(WSPUPCALLTABLE, lpWPUCreateEvent, 2),
        SLOT(WSPUPCALLTABLE, lpWPUCreateSocketHandle, 3),
        SLOT(WSPUPCALLTABLE, lpWPUFDIsSet, 4),
        SLOT(WSPUPCALLTABLE, lpWPUGetProviderPath, 5),
        SLOT(WSPUPCALLTABLE, lpWPUModifyIFSHandle, 6),
        SLOT(WSPUPCALLTABLE, lpWPUPostMessage, 7),
        SLOT(WSPUPCALLTABLE, lpWPUQueryBlockingCallback, 8),
        SLOT(WSPUPCALLTABLE, lpWPUQuerySocketHandleContext, 9),
        SLOT(WSPUPCALLTABLE, lpWPUQueueApc, 10),
        SLOT(WSPUPCALLTABLE, lpWPUResetEvent, 11),
        SLOT(WSPUPCALLTABLE, lpWPUSetEvent, 12),
        SLOT(WSPUPCALLTABLE, lpWPUOpenCurrentThread, 13),
        SLOT(WSPUPCALLTABLE, lpWPUCloseThread, 14),
        SZ(WSPUPCALLTABLE, 120, 60),
    };

    (void)state;
    check_layouts(cases, N_ELEMENTS(cases));
}

/* ---- 1.2, 1.5-1.9, 1.13, 1.15: structure layouts ------------------------- */

static void
test_headers_struct_layouts(void **state)
{
    static const LayoutCase cases[] = {
        /* 1.2 */
        OFF(WSPDATA, wVersion, 0, 0),
        OFF(WSPDATA, wHighVersion, 2, 2),
        OFF(WSPDATA, szDescription, 4, 4),
        SZ(WSPDATA, 516, 516),
        OFF(WSATHREADID, ThreadHandle, 0, 0),
        OFF(WSATHREADID, Reserved, 8, 4),
        SZ(WSATHREADID, 16, 8),
        /* 1.5 */
        OFF(GUID, Data1, 0, 0),
        OFF(GUID, Data2, 4, 4),
        OFF(GUID, Data3, 6, 6),
        OFF(GUID, Data4, 8, 8),
        SZ(GUID, 16, 16),
        OFF(WSAPROTOCOLCHAIN, ChainLen, 0, 0),
        OFF(WSAPROTOCOLCHAIN, ChainEntries, 4, 4),
        SZ(WSAPROTOCOLCHAIN, 32, 32),
        OFF(WSAPROTOCOL_INFOW, dwServiceFlags1, 0, 0),
        OFF(WSAPROTOCOL_INFOW, dwServiceFlags2, 4, 4),
        OFF(WSAPROTOCOL_INFOW, dwServiceFlags3, 8, 8),
        OFF(WSAPROTOCOL_INFOW, dwServiceFlags4, 12, 12),
        OFF(WSAPROTOCOL_INFOW, dwProviderFlags, 16, 16),
        OFF(WSAPROTOCOL_INFOW, ProviderId, 20, 20),
        OFF(WSAPROTOCOL_INFOW, dwCatalogEntryId, 36, 36),
        OFF(WSAPROTOCOL_INFOW, ProtocolChain, 40, 40),
        OFF(WSAPROTOCOL_INFOW, iVersion, 72, 72),
        OFF(WSAPROTOCOL_INFOW, iAddressFamily, 76, 76),
        OFF(WSAPROTOCOL_INFOW, iMaxSockAddr, 80, 80),
        OFF(WSAPROTOCOL_INFOW, iMinSockAddr, 84, 84),
        OFF(WSAPROTOCOL_INFOW, iSocketType, 88, 88),
        OFF(WSAPROTOCOL_INFOW, iProtocol, 92, 92),
        OFF(WSAPROTOCOL_INFOW, iProtocolMaxOffset, 96, 96),
        OFF(WSAPROTOCOL_INFOW, iNetworkByteOrder, 100, 100),
        OFF(WSAPROTOCOL_INFOW, iSecurityScheme, 104, 104),
        OFF(WSAPROTOCOL_INFOW, dwMessageSize, 108, 108),
        OFF(WSAPROTOCOL_INFOW, dwProviderReserved, 112, 112),
        OFF(WSAPROTOCOL_INFOW, szProtocol, 116, 116),
        SZ(WSAPROTOCOL_INFOW, 628, 628),
        OFF(WSAPROTOCOL_INFOA, szProtocol, 116, 116),
        SZ(WSAPROTOCOL_INFOA, 372, 372),
        /* 1.6 */
        OFF(WSABUF, len, 0, 0),
        OFF(WSABUF, buf, 8, 4),
        SZ(WSABUF, 16, 8),
        OFF(WSAOVERLAPPED, Internal, 0, 0),
        OFF(WSAOVERLAPPED, InternalHigh, 8, 4),
        OFF(WSAOVERLAPPED, Offset, 16, 8),
        OFF(WSAOVERLAPPED, OffsetHigh, 20, 12),
        OFF(WSAOVERLAPPED, Pointer, 16, 8),
        OFF(WSAOVERLAPPED, hEvent, 24, 16),
        SZ(WSAOVERLAPPED, 32, 20),
        /* 1.7 */
        OFF(WSANETWORKEVENTS, lNetworkEvents, 0, 0),
        OFF(WSANETWORKEVENTS, iErrorCode, 4, 4),
        OFF(WSANETWORKEVENTS, iErrorCode[FD_ADDRESS_LIST_CHANGE_BIT], 40, 40),
        SZ(WSANETWORKEVENTS, 44, 44),
        /* 1.8 */
        OFF(fd_set, fd_count, 0, 0),
        OFF(fd_set, fd_array, 8, 4),
        OFF(fd_set, fd_array[63], 512, 256),
        SZ(fd_set, 520, 260),
        OFF(struct timeval, tv_sec, 0, 0),
        OFF(struct timeval, tv_usec, 4, 4),
        SZ(struct timeval, 8, 8),
        SZ(TIMEVAL, 8, 8),
        /* 1.9 */
        OFF(FLOWSPEC, TokenRate, 0, 0),
        OFF(FLOWSPEC, TokenBucketSize, 4, 4),
        OFF(FLOWSPEC, PeakBandwidth, 8, 8),
        OFF(FLOWSPEC, Latency, 12, 12),
        OFF(FLOWSPEC, DelayVariation, 16, 16),
        OFF(FLOWSPEC, ServiceType, 20, 20),
        OFF(FLOWSPEC, MaxSduSize, 24, 24),
        OFF(FLOWSPEC, MinimumPolicedSize, 28, 28),
        SZ(FLOWSPEC, 32, 32),
        OFF(QOS, SendingFlowspec, 0, 0),
        OFF(QOS, ReceivingFlowspec, 32, 32),
        OFF(QOS, ProviderSpecific, 64, 64),
        SZ(QOS, 80, 72),
        OFF(QOS_OBJECT_HDR, ObjectType, 0, 0),
        OFF(QOS_OBJECT_HDR, ObjectLength, 4, 4),
        SZ(QOS_OBJECT_HDR, 8, 8),
        OFF(QOS_SD_MODE, ShapeDiscardMode, 8, 8),
        SZ(QOS_SD_MODE, 12, 12),
        OFF(QOS_SHAPING_RATE, ShapingRate, 8, 8),
        SZ(QOS_SHAPING_RATE, 12, 12),
        OFF(QOS_DESTADDR, SocketAddress, 8, 8),
        OFF(QOS_DESTADDR, SocketAddressLength, 16, 12),
        SZ(QOS_DESTADDR, 24, 16),
        OFF(RSVP_STATUS_INFO, StatusCode, 8, 8),
        OFF(RSVP_STATUS_INFO, ExtendedStatus1, 12, 12),
        OFF(RSVP_STATUS_INFO, ExtendedStatus2, 16, 16),
        SZ(RSVP_STATUS_INFO, 20, 20),
        /* 1.12 */
        OFF(struct linger, l_onoff, 0, 0),
        OFF(struct linger, l_linger, 2, 2),
        SZ(struct linger, 4, 4),
        SZ(LINGER, 4, 4),
        /* 1.13 */
        OFF(struct tcp_keepalive, onoff, 0, 0),
        OFF(struct tcp_keepalive, keepalivetime, 4, 4),
        OFF(struct tcp_keepalive, keepaliveinterval, 8, 8),
        SZ(struct tcp_keepalive, 12, 12),
        OFF(SOCKET_ADDRESS, lpSockaddr, 0, 0),
        OFF(SOCKET_ADDRESS, iSockaddrLength, 8, 4),
        SZ(SOCKET_ADDRESS, 16, 8),
        OFF(SOCKET_ADDRESS_LIST, iAddressCount, 0, 0),
        OFF(SOCKET_ADDRESS_LIST, Address, 8, 4),
        SZ(SOCKET_ADDRESS_LIST, 24, 12),
        OFF(struct sockaddr, sa_family, 0, 0),
        OFF(struct sockaddr, sa_data, 2, 2),
        SZ(struct sockaddr, 16, 16),
        OFF(struct sockaddr_in, sin_family, 0, 0),
        OFF(struct sockaddr_in, sin_port, 2, 2),
        OFF(struct sockaddr_in, sin_addr, 4, 4),
        OFF(struct sockaddr_in, sin_zero, 8, 8),
        SZ(struct sockaddr_in, 16, 16),
        OFF(struct in_addr, s_addr, 0, 0),
        SZ(struct in_addr, 4, 4),
        /* reachable from winsock2.h (ws2def.h / ws2ipdef.h layouts) */
        OFF(struct sockaddr_in6, sin6_family, 0, 0),
        OFF(struct sockaddr_in6, sin6_port, 2, 2),
        OFF(struct sockaddr_in6, sin6_flowinfo, 4, 4),
        OFF(struct sockaddr_in6, sin6_addr, 8, 8),
        OFF(struct sockaddr_in6, sin6_scope_id, 24, 24),
        SZ(struct sockaddr_in6, 28, 28),
        SZ(struct in6_addr, 16, 16),
        OFF(struct sockaddr_storage, ss_family, 0, 0),
        SZ(struct sockaddr_storage, 128, 128),
        SZ(struct ip_mreq, 8, 8),
        OFF(struct ipv6_mreq, ipv6mr_interface, 16, 16),
        SZ(struct ipv6_mreq, 20, 20),
        OFF(INTERFACE_INFO, iiAddress, 4, 4),
        OFF(INTERFACE_INFO, iiBroadcastAddress, 28, 28),
        OFF(INTERFACE_INFO, iiNetmask, 52, 52),
        SZ(INTERFACE_INFO, 76, 76),
        /* ws2def.h and mswsock.h (outside REFERENCE: WSARecvMsg, WSASendMsg,
         * TransmitFile, TransmitPackets), from Microsoft's headers */
        OFF(WSAMSG, name, 0, 0),
        OFF(WSAMSG, namelen, 8, 4),
        OFF(WSAMSG, lpBuffers, 16, 8),
        OFF(WSAMSG, dwBufferCount, 24, 12),
        OFF(WSAMSG, Control, 32, 16),
        OFF(WSAMSG, dwFlags, 48, 24),
        SZ(WSAMSG, 56, 28),
        OFF(WSACMSGHDR, cmsg_level, 8, 4),
        OFF(WSACMSGHDR, cmsg_type, 12, 8),
        SZ(WSACMSGHDR, 16, 12),
        SZ(LARGE_INTEGER, 8, 8),
        OFF(TRANSMIT_FILE_BUFFERS, HeadLength, 8, 4),
        OFF(TRANSMIT_FILE_BUFFERS, Tail, 16, 8),
        OFF(TRANSMIT_FILE_BUFFERS, TailLength, 24, 12),
        SZ(TRANSMIT_FILE_BUFFERS, 32, 16),
        OFF(TRANSMIT_PACKETS_ELEMENT, cLength, 4, 4),
        OFF(TRANSMIT_PACKETS_ELEMENT, nFileOffset, 8, 8),
        OFF(TRANSMIT_PACKETS_ELEMENT, hFile, 16, 16),
        OFF(TRANSMIT_PACKETS_ELEMENT, pBuffer, 8, 8),
        SZ(TRANSMIT_PACKETS_ELEMENT, 24, 24),
    };

    (void)state;
    check_layouts(cases, N_ELEMENTS(cases));
}

/* ---- 1.2, 1.5: versions and catalog flags -------------------------------- */

static void
test_headers_catalog_constants(void **state)
{
    const ConstCase cases[] = {
        K(WSPDESCRIPTION_LEN, 255),
        K(WSS_OPERATION_IN_PROGRESS, 0x00000103),
        K(MAX_PROTOCOL_CHAIN, 7),
        K(BASE_PROTOCOL, 1),
        K(LAYERED_PROTOCOL, 0),
        K(WSAPROTOCOL_LEN, 255),
        K(XP1_CONNECTIONLESS, 0x00000001),
        K(XP1_GUARANTEED_DELIVERY, 0x00000002),
        K(XP1_GUARANTEED_ORDER, 0x00000004),
        K(XP1_MESSAGE_ORIENTED, 0x00000008),
        K(XP1_PSEUDO_STREAM, 0x00000010),
        K(XP1_GRACEFUL_CLOSE, 0x00000020),
        K(XP1_EXPEDITED_DATA, 0x00000040),
        K(XP1_CONNECT_DATA, 0x00000080),
        K(XP1_DISCONNECT_DATA, 0x00000100),
        K(XP1_SUPPORT_BROADCAST, 0x00000200),
        K(XP1_SUPPORT_MULTIPOINT, 0x00000400),
        K(XP1_MULTIPOINT_CONTROL_PLANE, 0x00000800),
        K(XP1_MULTIPOINT_DATA_PLANE, 0x00001000),
        K(XP1_QOS_SUPPORTED, 0x00002000),
        K(XP1_INTERRUPT, 0x00004000),
        K(XP1_UNI_SEND, 0x00008000),
        K(XP1_UNI_RECV, 0x00010000),
        K(XP1_IFS_HANDLES, 0x00020000),
        K(XP1_PARTIAL_MESSAGE, 0x00040000),
        K(XP1_SAN_SUPPORT_SDP, 0x00080000),
        K(PFL_MULTIPLE_PROTO_ENTRIES, 0x1),
        K(PFL_RECOMMENDED_PROTO_ENTRY, 0x2),
        K(PFL_HIDDEN, 0x4),
        K(PFL_MATCHES_PROTOCOL_ZERO, 0x8),
        K(PFL_NETWORKDIRECT_PROVIDER, 0x10),
        K(FROM_PROTOCOL_INFO, -1),
        K(BIGENDIAN, 0),
        K(LITTLEENDIAN, 1),
        K(SECURITY_PROTOCOL_NONE, 0),
        K(SOCK_STREAM, 1),
        K(SOCK_DGRAM, 2),
        K(SOCK_RAW, 3),
        K(SOCK_RDM, 4),
        K(SOCK_SEQPACKET, 5),
        K(AF_UNSPEC, 0),
        K(AF_INET, 2),
        K(AF_IPX, 6),
        K(AF_NS, 6),
        K(AF_NETBIOS, 17),
        K(AF_ATM, 22),
        K(AF_INET6, 23),
        K(AF_IRDA, 26),
        K(AF_BTH, 32),
        K(PF_UNSPEC, 0),
        K(PF_INET, 2),
        K(PF_IPX, 6),
        K(PF_INET6, 23),
        K(IPPROTO_IP, 0),
        K(IPPROTO_ICMP, 1),
        K(IPPROTO_TCP, 6),
        K(IPPROTO_UDP, 17),
        K(IPPROTO_IPV6, 41),
        K(IPPROTO_RM, 113),
        K(IPPROTO_PGM, 113),
        K(CF_ACCEPT, 0x0000),
        K(CF_REJECT, 0x0001),
        K(CF_DEFER, 0x0002),
    };

    (void)state;
    check_consts(cases, N_ELEMENTS(cases));
}

/* ---- 1.7, 1.8: network events and select --------------------------------- */

static void
test_headers_event_constants(void **state)
{
    const ConstCase cases[] = {
        K(FD_READ_BIT, 0),
        K(FD_WRITE_BIT, 1),
        K(FD_OOB_BIT, 2),
        K(FD_ACCEPT_BIT, 3),
        K(FD_CONNECT_BIT, 4),
        K(FD_CLOSE_BIT, 5),
        K(FD_QOS_BIT, 6),
        K(FD_GROUP_QOS_BIT, 7),
        K(FD_ROUTING_INTERFACE_CHANGE_BIT, 8),
        K(FD_ADDRESS_LIST_CHANGE_BIT, 9),
        K(FD_READ, 0x001),
        K(FD_WRITE, 0x002),
        K(FD_OOB, 0x004),
        K(FD_ACCEPT, 0x008),
        K(FD_CONNECT, 0x010),
        K(FD_CLOSE, 0x020),
        K(FD_QOS, 0x040),
        K(FD_GROUP_QOS, 0x080),
        K(FD_ROUTING_INTERFACE_CHANGE, 0x100),
        K(FD_ADDRESS_LIST_CHANGE, 0x200),
        K(FD_MAX_EVENTS, 10),
        K(FD_ALL_EVENTS, 0x3FF),
        K(FD_SETSIZE, 64),
        K(WSA_MAXIMUM_WAIT_EVENTS, 64),
        K(WSA_WAIT_TIMEOUT, 258),
        K(WSA_WAIT_IO_COMPLETION, 0xC0),
        K(WSA_WAIT_EVENT_0, 0),
        K(WSA_WAIT_FAILED, 0xFFFFFFFF),
        K(WSA_INFINITE, 0xFFFFFFFF),
    };

    (void)state;
    check_consts(cases, N_ELEMENTS(cases));
}

/* ---- 1.9: QoS ------------------------------------------------------------ */

static void
test_headers_qos_constants(void **state)
{
    const ConstCase cases[] = {
        K(QOS_NOT_SPECIFIED, 0xFFFFFFFF),
        K(POSITIVE_INFINITY_RATE, 0xFFFFFFFE),
        K(SERVICETYPE_NOTRAFFIC, 0x00000000),
        K(SERVICETYPE_BESTEFFORT, 0x00000001),
        K(SERVICETYPE_CONTROLLEDLOAD, 0x00000002),
        K(SERVICETYPE_GUARANTEED, 0x00000003),
        K(SERVICETYPE_NETWORK_UNAVAILABLE, 0x00000004),
        K(SERVICETYPE_GENERAL_INFORMATION, 0x00000005),
        K(SERVICETYPE_NOCHANGE, 0x00000006),
        K(SERVICETYPE_NONCONFORMING, 0x00000009),
        K(SERVICETYPE_NETWORK_CONTROL, 0x0000000A),
        K(SERVICETYPE_QUALITATIVE, 0x0000000D),
        K(SERVICE_BESTEFFORT, 0x80010000),
        K(SERVICE_CONTROLLEDLOAD, 0x80020000),
        K(SERVICE_GUARANTEED, 0x80040000),
        K(SERVICE_QUALITATIVE, 0x80200000),
        K(SERVICE_NO_TRAFFIC_CONTROL, 0x81000000),
        K(SERVICE_NO_QOS_SIGNALING, 0x40000000),
        K(QOS_GENERAL_ID_BASE, 2000),
        K(QOS_OBJECT_END_OF_LIST, 2001),
        K(QOS_OBJECT_SD_MODE, 2002),
        K(QOS_OBJECT_SHAPING_RATE, 2003),
        K(QOS_OBJECT_DESTADDR, 2004),
        K(TC_NONCONF_BORROW, 0),
        K(TC_NONCONF_SHAPE, 1),
        K(TC_NONCONF_DISCARD, 2),
        K(TC_NONCONF_BORROW_PLUS, 3),
        K(RSVP_OBJECT_STATUS_INFO, 1000),
    };

    (void)state;
    check_consts(cases, N_ELEMENTS(cases));
}

/* ---- 1.10, 1.11: groups, flags, shutdown --------------------------------- */

static void
test_headers_flag_constants(void **state)
{
    const ConstCase cases[] = {
        K(SG_UNCONSTRAINED_GROUP, 0x01),
        K(SG_CONSTRAINED_GROUP, 0x02),
        K(JL_SENDER_ONLY, 0x01),
        K(JL_RECEIVER_ONLY, 0x02),
        K(JL_BOTH, 0x04),
        K(WSA_FLAG_OVERLAPPED, 0x01),
        K(WSA_FLAG_MULTIPOINT_C_ROOT, 0x02),
        K(WSA_FLAG_MULTIPOINT_C_LEAF, 0x04),
        K(WSA_FLAG_MULTIPOINT_D_ROOT, 0x08),
        K(WSA_FLAG_MULTIPOINT_D_LEAF, 0x10),
        K(WSA_FLAG_ACCESS_SYSTEM_SECURITY, 0x40),
        K(WSA_FLAG_NO_HANDLE_INHERIT, 0x80),
        K(WSA_FLAG_REGISTERED_IO, 0x100),
        K(MSG_OOB, 0x1),
        K(MSG_PEEK, 0x2),
        K(MSG_DONTROUTE, 0x4),
        K(MSG_WAITALL, 0x8),
        K(MSG_INTERRUPT, 0x10),
        K(MSG_PUSH_IMMEDIATE, 0x20),
        K(MSG_PARTIAL, 0x8000),
        K(MSG_MAXIOVLEN, 16),
        K(MSG_TRUNC, 0x0100),
        K(MSG_CTRUNC, 0x0200),
        K(MSG_BCAST, 0x0400),
        K(MSG_MCAST, 0x0800),
        K(TF_DISCONNECT, 0x01),
        K(TF_REUSE_SOCKET, 0x02),
        K(TF_WRITE_BEHIND, 0x04),
        K(TF_USE_DEFAULT_WORKER, 0x00),
        K(TF_USE_SYSTEM_THREAD, 0x10),
        K(TF_USE_KERNEL_APC, 0x20),
        K(TP_ELEMENT_MEMORY, 1),
        K(TP_ELEMENT_FILE, 2),
        K(TP_ELEMENT_EOP, 4),
        K(SD_RECEIVE, 0x00),
        K(SD_SEND, 0x01),
        K(SD_BOTH, 0x02),
        K(SOMAXCONN, 0x7FFFFFFF),
    };

    (void)state;
    check_consts(cases, N_ELEMENTS(cases));
}

/* ---- 1.12: socket options ------------------------------------------------ */

static void
test_headers_sockopt_constants(void **state)
{
    const ConstCase cases[] = {
        K(SOL_SOCKET, 0xFFFF),
        K(SO_DEBUG, 0x0001),
        K(SO_ACCEPTCONN, 0x0002),
        K(SO_REUSEADDR, 0x0004),
        K(SO_KEEPALIVE, 0x0008),
        K(SO_DONTROUTE, 0x0010),
        K(SO_BROADCAST, 0x0020),
        K(SO_USELOOPBACK, 0x0040),
        K(SO_LINGER, 0x0080),
        K(SO_OOBINLINE, 0x0100),
        K(SO_DONTLINGER, -129),
        K(SO_EXCLUSIVEADDRUSE, -5),
        K(SO_SNDBUF, 0x1001),
        K(SO_RCVBUF, 0x1002),
        K(SO_SNDLOWAT, 0x1003),
        K(SO_RCVLOWAT, 0x1004),
        K(SO_SNDTIMEO, 0x1005),
        K(SO_RCVTIMEO, 0x1006),
        K(SO_ERROR, 0x1007),
        K(SO_TYPE, 0x1008),
        K(SO_GROUP_ID, 0x2001),
        K(SO_GROUP_PRIORITY, 0x2002),
        K(SO_MAX_MSG_SIZE, 0x2003),
        K(SO_PROTOCOL_INFOA, 0x2004),
        K(SO_PROTOCOL_INFOW, 0x2005),
        K(PVD_CONFIG, 0x3001),
        K(SO_CONDITIONAL_ACCEPT, 0x3002),
        K(TCP_NODELAY, 0x0001),
        K(SO_UPDATE_ACCEPT_CONTEXT, 0x700B),
        K(SO_CONNECT_TIME, 0x700C),
        K(SO_UPDATE_CONNECT_CONTEXT, 0x7010),
        K(TCP_BSDURGENT, 0x7000),
    };

    (void)state;
    check_consts(cases, N_ELEMENTS(cases));
}

/* ---- 1.13: ioctl codes --------------------------------------------------- */

static void
test_headers_ioctl_constants(void **state)
{
    const ConstCase cases[] = {
        K(IOC_IN, 0x80000000),
        K(IOC_OUT, 0x40000000),
        K(IOC_VOID, 0x20000000),
        K(IOC_UNIX, 0x00000000),
        K(IOC_WS2, 0x08000000),
        K(IOC_PROTOCOL, 0x10000000),
        K(IOC_VENDOR, 0x18000000),
        K(FIONBIO, 0x8004667E),
        K(FIONREAD, 0x4004667F),
        K(FIOASYNC, 0x8004667D),
        K(SIOCATMARK, 0x40047307),
        K(SIO_ASSOCIATE_HANDLE, 0x88000001),
        K(SIO_ENABLE_CIRCULAR_QUEUEING, 0x28000002),
        K(SIO_FIND_ROUTE, 0x48000003),
        K(SIO_FLUSH, 0x28000004),
        K(SIO_GET_BROADCAST_ADDRESS, 0x48000005),
        K(SIO_GET_EXTENSION_FUNCTION_POINTER, 0xC8000006),
        K(SIO_GET_QOS, 0xC8000007),
        K(SIO_GET_GROUP_QOS, 0xC8000008),
        K(SIO_MULTIPOINT_LOOPBACK, 0x88000009),
        K(SIO_MULTICAST_SCOPE, 0x8800000A),
        K(SIO_SET_QOS, 0x8800000B),
        K(SIO_SET_GROUP_QOS, 0x8800000C),
        K(SIO_TRANSLATE_HANDLE, 0xC800000D),
        K(SIO_ROUTING_INTERFACE_QUERY, 0xC8000014),
        K(SIO_ROUTING_INTERFACE_CHANGE, 0x88000015),
        K(SIO_ADDRESS_LIST_QUERY, 0x48000016),
        K(SIO_ADDRESS_LIST_CHANGE, 0x28000017),
        K(SIO_QUERY_TARGET_PNP_HANDLE, 0x48000018),
        K(SIO_ADDRESS_LIST_SORT, 0xC8000019),
        K(SIO_BSP_HANDLE, 0x4800001B),
        K(SIO_BASE_HANDLE, 0x48000022),
        K(SIO_KEEPALIVE_VALS, 0x98000004),
        K(SIO_RCVALL, 0x98000001),
        K(SIO_UDP_CONNRESET, 0x9800000C),
        K(SIO_GET_INTERFACE_LIST, 0x4004747F),
        K(TH_NETDEV, 1),
        K(TH_TAPI, 2),
    };
    /* Codes travel as a DWORD: a wider constant would hide sign extension. */
    static const struct {
        const char *name;
        size_t size;
    } widths[] = {
        {"FIONBIO", sizeof(FIONBIO)},
        {"FIONREAD", sizeof(FIONREAD)},
        {"SIOCATMARK", sizeof(SIOCATMARK)},
        {"SIO_FLUSH", sizeof(SIO_FLUSH)},
        {"SIO_GET_QOS", sizeof(SIO_GET_QOS)},
        {"SIO_SET_QOS", sizeof(SIO_SET_QOS)},
        {"SIO_KEEPALIVE_VALS", sizeof(SIO_KEEPALIVE_VALS)},
        {"SIO_GET_INTERFACE_LIST", sizeof(SIO_GET_INTERFACE_LIST)},
    };

    (void)state;
    check_consts(cases, N_ELEMENTS(cases));
    for (size_t i = 0; i < N_ELEMENTS(widths); i++) {
        if (widths[i].size != sizeof(DWORD))
            print_message("%s is %zu bytes wide\n", widths[i].name, widths[i].size);
        assert_int_equal(widths[i].size, sizeof(DWORD));
    }
    checks_run += N_ELEMENTS(widths);
}

/* ---- 1.14: error codes --------------------------------------------------- */

static void
test_headers_error_constants(void **state)
{
    const ConstCase cases[] = {
        K(WSA_INVALID_HANDLE, 6),
        K(WSA_NOT_ENOUGH_MEMORY, 8),
        K(WSA_INVALID_PARAMETER, 87),
        K(WSA_OPERATION_ABORTED, 995),
        K(WSA_IO_INCOMPLETE, 996),
        K(WSA_IO_PENDING, 997),
        K(WSABASEERR, 10000),
        K(WSAEINTR, 10004),
        K(WSAEBADF, 10009),
        K(WSAEACCES, 10013),
        K(WSAEFAULT, 10014),
        K(WSAEINVAL, 10022),
        K(WSAEMFILE, 10024),
        K(WSAEWOULDBLOCK, 10035),
        K(WSAEINPROGRESS, 10036),
        K(WSAEALREADY, 10037),
        K(WSAENOTSOCK, 10038),
        K(WSAEDESTADDRREQ, 10039),
        K(WSAEMSGSIZE, 10040),
        K(WSAEPROTOTYPE, 10041),
        K(WSAENOPROTOOPT, 10042),
        K(WSAEPROTONOSUPPORT, 10043),
        K(WSAESOCKTNOSUPPORT, 10044),
        K(WSAEOPNOTSUPP, 10045),
        K(WSAEPFNOSUPPORT, 10046),
        K(WSAEAFNOSUPPORT, 10047),
        K(WSAEADDRINUSE, 10048),
        K(WSAEADDRNOTAVAIL, 10049),
        K(WSAENETDOWN, 10050),
        K(WSAENETUNREACH, 10051),
        K(WSAENETRESET, 10052),
        K(WSAECONNABORTED, 10053),
        K(WSAECONNRESET, 10054),
        K(WSAENOBUFS, 10055),
        K(WSAEISCONN, 10056),
        K(WSAENOTCONN, 10057),
        K(WSAESHUTDOWN, 10058),
        K(WSAETOOMANYREFS, 10059),
        K(WSAETIMEDOUT, 10060),
        K(WSAECONNREFUSED, 10061),
        K(WSAEHOSTUNREACH, 10065),
        K(WSAEPROCLIM, 10067),
        K(WSASYSNOTREADY, 10091),
        K(WSAVERNOTSUPPORTED, 10092),
        K(WSANOTINITIALISED, 10093),
        K(WSAEDISCON, 10101),
        K(WSAENOMORE, 10102),
        K(WSAECANCELLED, 10103),
        K(WSAEINVALIDPROCTABLE, 10104),
        K(WSAEINVALIDPROVIDER, 10105),
        K(WSAEPROVIDERFAILEDINIT, 10106),
        K(WSASYSCALLFAILURE, 10107),
        K(WSAHOST_NOT_FOUND, 11001),
        K(WSATRY_AGAIN, 11002),
        K(WSANO_RECOVERY, 11003),
        K(WSANO_DATA, 11004),
        K(WSA_QOS_RECEIVERS, 11005),
        K(WSA_QOS_SENDERS, 11006),
        K(WSA_QOS_NO_SENDERS, 11007),
        K(WSA_QOS_NO_RECEIVERS, 11008),
        K(WSA_QOS_REQUEST_CONFIRMED, 11009),
        K(WSA_QOS_ADMISSION_FAILURE, 11010),
        K(WSA_QOS_POLICY_FAILURE, 11011),
        K(WSA_QOS_BAD_STYLE, 11012),
        K(WSA_QOS_BAD_OBJECT, 11013),
        K(WSA_QOS_TRAFFIC_CTRL_ERROR, 11014),
        K(WSA_QOS_GENERIC_ERROR, 11015),
        K(WSA_QOS_ESERVICETYPE, 11016),
        K(WSA_QOS_EFLOWSPEC, 11017),
        K(WSA_QOS_EPROVSPECBUF, 11018),
        K(WSA_QOS_EFILTERSTYLE, 11019),
        K(WSA_QOS_EFILTERTYPE, 11020),
        K(WSA_QOS_EFILTERCOUNT, 11021),
        K(WSA_QOS_EOBJLENGTH, 11022),
        K(WSA_QOS_EFLOWCOUNT, 11023),
        K(WSA_QOS_EUNKNOWNPSOBJ, 11024),
        K(WSA_QOS_EUNKOWNPSOBJ, 11024),
        K(WSA_QOS_EPOLICYOBJ, 11025),
        K(WSA_QOS_EFLOWDESC, 11026),
        K(WSA_QOS_EPSFLOWSPEC, 11027),
        K(WSA_QOS_EPSFILTERSPEC, 11028),
        K(WSA_QOS_ESDMODEOBJ, 11029),
        K(WSA_QOS_ESHAPERATEOBJ, 11030),
        K(WSA_QOS_RESERVED_PETYPE, 11031),
    };

    (void)state;
    check_consts(cases, N_ELEMENTS(cases));
}

/* ---- Value semantics: sockets, events, packing macros -------------------- */

static void
test_headers_socket_values(void **state)
{
    (void)state;
    assert_int_equal(sizeof(INVALID_SOCKET), sizeof(void *));
    assert_true(INVALID_SOCKET == (SOCKET)UINTPTR_MAX);
    assert_int_equal(SOCKET_ERROR, -1);
    assert_null(WSA_INVALID_EVENT);
    assert_true(INADDR_ANY == 0 && INADDR_LOOPBACK == 0x7f000001);
    assert_true(INADDR_BROADCAST == 0xffffffffu && INADDR_NONE == 0xffffffffu);
    checks_run += 7;
}

static void
test_headers_packing_macros(void **state)
{
    LPARAM l;

    (void)state;
    assert_int_equal(MAKEWORD(2, 2), 0x0202);
    assert_int_equal(MAKEWORD(1, 2), 0x0201); /* low byte = major */
    assert_int_equal(LOBYTE(0x0201), 1);
    assert_int_equal(HIBYTE(0x0201), 2);

    l = WSAMAKESELECTREPLY(FD_CONNECT, WSAECONNREFUSED);
    assert_int_equal(l, 0x274D0010);
    assert_int_equal(WSAGETSELECTEVENT(l), FD_CONNECT);
    assert_int_equal(WSAGETSELECTERROR(l), WSAECONNREFUSED);

    /* An error above 0x7FFF makes the LONG negative; LPARAM sign-extends it
     * and HIWORD must still give the error back. */
    l = WSAMAKESELECTREPLY(FD_CLOSE, 0x8001);
    assert_int_equal(WSAGETSELECTEVENT(l), FD_CLOSE);
    assert_int_equal(WSAGETSELECTERROR(l), 0x8001);
    checks_run += 9;
}

static void
test_headers_fd_macros(void **state)
{
    fd_set set;
    int is_set_type_ok = __builtin_types_compatible_p(__typeof__(FD_ISSET(1, &set)), int);

    (void)state;
    FD_ZERO(&set);
    assert_int_equal(set.fd_count, 0);

    FD_SET(7, &set);
    FD_SET(3, &set);
    FD_SET(7, &set); /* duplicate: ignored */
    FD_SET(9, &set);
    assert_int_equal(set.fd_count, 3);
    assert_int_equal(set.fd_array[0], 7);
    assert_int_equal(set.fd_array[1], 3);
    assert_int_equal(set.fd_array[2], 9);

    FD_CLR(3, &set); /* compacts, keeping order */
    assert_int_equal(set.fd_count, 2);
    assert_int_equal(set.fd_array[0], 7);
    assert_int_equal(set.fd_array[1], 9);
    FD_CLR(42, &set); /* absent: no-op */
    assert_int_equal(set.fd_count, 2);

    FD_ZERO(&set);
    for (SOCKET s = 1; s <= FD_SETSIZE + 5; s++)
        FD_SET(s, &set); /* full set: extra sockets are dropped */
    assert_int_equal(set.fd_count, FD_SETSIZE);
    assert_int_equal(set.fd_array[FD_SETSIZE - 1], FD_SETSIZE);

    assert_true(is_set_type_ok);
    checks_run += 13;
}

/* The brief's clash checks, from inside a Winsock translation unit. */
static void
test_headers_posix_names(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct timeval), 8);
    assert_int_equal(sizeof(u_long), 4);
    assert_int_equal(sizeof(fd_set), WSPSIM_WIN64 ? 8 + 64 * 8 : 4 + 64 * 4);
    /* glibc's own types are still reachable under their wspsim_posix_ names. */
    assert_int_equal(sizeof(wspsim_posix_timeval), 2 * sizeof(long));
    assert_int_equal(sizeof(wspsim_posix_fd_set), 1024 / 8);
    checks_run += 5;
}

static void
test_headers_extension_guids(void **state)
{
    static const struct {
        const char *name;
        GUID got;
        DWORD want_data1;
    } cases[] = {
        {"WSAID_TRANSMITFILE", WSAID_TRANSMITFILE, 0xb5367df0},
        {"WSAID_ACCEPTEX", WSAID_ACCEPTEX, 0xb5367df1},
        {"WSAID_GETACCEPTEXSOCKADDRS", WSAID_GETACCEPTEXSOCKADDRS, 0xb5367df2},
        {"WSAID_TRANSMITPACKETS", WSAID_TRANSMITPACKETS, 0xd9689da0},
        {"WSAID_CONNECTEX", WSAID_CONNECTEX, 0x25a207b9},
        {"WSAID_DISCONNECTEX", WSAID_DISCONNECTEX, 0x7fda2e11},
        {"WSAID_WSARECVMSG", WSAID_WSARECVMSG, 0xf689d7c8},
        {"WSAID_WSASENDMSG", WSAID_WSASENDMSG, 0xa441e712},
    };
    const GUID acceptex = WSAID_ACCEPTEX;

    (void)state;
    for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
        if (cases[i].got.Data1 != cases[i].want_data1)
            print_message("%s has Data1 0x%08x\n", cases[i].name, (unsigned)cases[i].got.Data1);
        assert_int_equal(cases[i].got.Data1, cases[i].want_data1);
    }
    assert_int_equal(acceptex.Data2, 0xcbac);
    assert_int_equal(acceptex.Data3, 0x11cf);
    assert_int_equal(acceptex.Data4[0], 0x95);
    assert_int_equal(acceptex.Data4[7], 0x92);
    checks_run += N_ELEMENTS(cases) + 4;
}

static int
report_count(void **state)
{
    (void)state;
    print_message("headers: %zu constants, sizes, offsets and types checked\n", checks_run);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_type_widths),
        cmocka_unit_test(test_headers_base_types),
        cmocka_unit_test(test_headers_prototypes),
        cmocka_unit_test(test_headers_table_slots),
        cmocka_unit_test(test_headers_struct_layouts),
        cmocka_unit_test(test_headers_catalog_constants),
        cmocka_unit_test(test_headers_event_constants),
        cmocka_unit_test(test_headers_qos_constants),
        cmocka_unit_test(test_headers_flag_constants),
        cmocka_unit_test(test_headers_sockopt_constants),
        cmocka_unit_test(test_headers_ioctl_constants),
        cmocka_unit_test(test_headers_error_constants),
        cmocka_unit_test(test_headers_socket_values),
        cmocka_unit_test(test_headers_packing_macros),
        cmocka_unit_test(test_headers_fd_macros),
        cmocka_unit_test(test_headers_posix_names),
        cmocka_unit_test(test_headers_extension_guids),
    };

    return cmocka_run_group_tests_name("headers", tests, NULL, report_count);
}
