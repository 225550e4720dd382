/* SPDX-License-Identifier: MIT */
/*
 * wspsim/ws2spi.h - the Windows Sockets 2 Service Provider Interface as the
 * simulator implements it: WSPDATA, WSATHREADID, the LPWSP* entry-point
 * types, the WSPPROC_TABLE a provider fills in WSPStartup, and the
 * WSPUPCALLTABLE of WPU* upcalls the Winsock layer hands to it.
 * See spi/REFERENCE.md sections 1.1-1.4.  Member order of both tables is ABI.
 */
#ifndef WSPSIM_WS2SPI_H
#define WSPSIM_WS2SPI_H

#include <wspsim/winsock2.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WSPAPI WSAAPI

/* ---- WSPDATA and WSATHREADID (REFERENCE 1.2) ---------------------------- */

#define WSPDESCRIPTION_LEN 255

typedef struct WSPData {
    WORD wVersion;     /* version the client should use, MAKEWORD(major, minor) */
    WORD wHighVersion; /* highest version the provider supports */
    WCHAR szDescription[WSPDESCRIPTION_LEN + 1]; /* NUL-terminated UTF-16 */
} WSPDATA, *LPWSPDATA;

typedef struct _WSATHREADID {
    HANDLE ThreadHandle;
    DWORD_PTR Reserved;
} WSATHREADID, *LPWSATHREADID;

/* Value a provider may keep in WSAOVERLAPPED.Internal while an operation runs. */
#define WSS_OPERATION_IN_PROGRESS 0x00000103L

/* ---- Entry points (REFERENCE 1.1) --------------------------------------- */

typedef SOCKET (WSPAPI *LPWSPACCEPT)(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                                     LPCONDITIONPROC lpfnCondition,
                                     DWORD_PTR dwCallbackData, LPINT lpErrno);
typedef INT (WSPAPI *LPWSPADDRESSTOSTRING)(LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
                                           LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                           LPWSTR lpszAddressString,
                                           LPDWORD lpdwAddressStringLength, LPINT lpErrno);
typedef int (WSPAPI *LPWSPASYNCSELECT)(SOCKET s, HWND hWnd, unsigned int wMsg, LONG lEvent,
                                       LPINT lpErrno);
typedef int (WSPAPI *LPWSPBIND)(SOCKET s, const struct sockaddr *name, int namelen,
                                LPINT lpErrno);
typedef int (WSPAPI *LPWSPCANCELBLOCKINGCALL)(LPINT lpErrno);
typedef int (WSPAPI *LPWSPCLEANUP)(LPINT lpErrno);
typedef int (WSPAPI *LPWSPCLOSESOCKET)(SOCKET s, LPINT lpErrno);
typedef int (WSPAPI *LPWSPCONNECT)(SOCKET s, const struct sockaddr *name, int namelen,
                                   LPWSABUF lpCallerData, LPWSABUF lpCalleeData,
                                   LPQOS lpSQOS, LPQOS lpGQOS, LPINT lpErrno);
typedef int (WSPAPI *LPWSPDUPLICATESOCKET)(SOCKET s, DWORD dwProcessId,
                                           LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                           LPINT lpErrno);
typedef int (WSPAPI *LPWSPENUMNETWORKEVENTS)(SOCKET s, WSAEVENT hEventObject,
                                             LPWSANETWORKEVENTS lpNetworkEvents,
                                             LPINT lpErrno);
typedef int (WSPAPI *LPWSPEVENTSELECT)(SOCKET s, WSAEVENT hEventObject, LONG lNetworkEvents,
                                       LPINT lpErrno);
typedef BOOL (WSPAPI *LPWSPGETOVERLAPPEDRESULT)(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
                                                LPDWORD lpcbTransfer, BOOL fWait,
                                                LPDWORD lpdwFlags, LPINT lpErrno);
typedef int (WSPAPI *LPWSPGETPEERNAME)(SOCKET s, struct sockaddr *name, LPINT namelen,
                                       LPINT lpErrno);
typedef int (WSPAPI *LPWSPGETSOCKNAME)(SOCKET s, struct sockaddr *name, LPINT namelen,
                                       LPINT lpErrno);
typedef int (WSPAPI *LPWSPGETSOCKOPT)(SOCKET s, int level, int optname, char *optval,
                                      LPINT optlen, LPINT lpErrno);
typedef BOOL (WSPAPI *LPWSPGETQOSBYNAME)(SOCKET s, LPWSABUF lpQOSName, LPQOS lpQOS,
                                         LPINT lpErrno);
typedef int (WSPAPI *LPWSPIOCTL)(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer,
                                 DWORD cbInBuffer, LPVOID lpvOutBuffer, DWORD cbOutBuffer,
                                 LPDWORD lpcbBytesReturned, LPWSAOVERLAPPED lpOverlapped,
                                 LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                                 LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef SOCKET (WSPAPI *LPWSPJOINLEAF)(SOCKET s, const struct sockaddr *name, int namelen,
                                       LPWSABUF lpCallerData, LPWSABUF lpCalleeData,
                                       LPQOS lpSQOS, LPQOS lpGQOS, DWORD dwFlags,
                                       LPINT lpErrno);
typedef int (WSPAPI *LPWSPLISTEN)(SOCKET s, int backlog, LPINT lpErrno);
typedef int (WSPAPI *LPWSPRECV)(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                                LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                                LPWSAOVERLAPPED lpOverlapped,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                                LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (WSPAPI *LPWSPRECVDISCONNECT)(SOCKET s, LPWSABUF lpInboundDisconnectData,
                                          LPINT lpErrno);
typedef int (WSPAPI *LPWSPRECVFROM)(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                                    LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags,
                                    struct sockaddr *lpFrom, LPINT lpFromlen,
                                    LPWSAOVERLAPPED lpOverlapped,
                                    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                                    LPWSATHREADID lpThreadId, LPINT lpErrno);
/* mingw spells the timeout `const PTIMEVAL` (a const pointer); the contract is
 * that the timeval is not modified, so it is a pointer to const here. */
typedef int (WSPAPI *LPWSPSELECT)(int nfds, fd_set *readfds, fd_set *writefds,
                                  fd_set *exceptfds, const struct timeval *timeout,
                                  LPINT lpErrno);
typedef int (WSPAPI *LPWSPSEND)(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                                LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                                LPWSAOVERLAPPED lpOverlapped,
                                LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                                LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (WSPAPI *LPWSPSENDDISCONNECT)(SOCKET s, LPWSABUF lpOutboundDisconnectData,
                                          LPINT lpErrno);
typedef int (WSPAPI *LPWSPSENDTO)(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                                  LPDWORD lpNumberOfBytesSent, DWORD dwFlags,
                                  const struct sockaddr *lpTo, int iTolen,
                                  LPWSAOVERLAPPED lpOverlapped,
                                  LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                                  LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (WSPAPI *LPWSPSETSOCKOPT)(SOCKET s, int level, int optname, const char *optval,
                                      int optlen, LPINT lpErrno);
typedef int (WSPAPI *LPWSPSHUTDOWN)(SOCKET s, int how, LPINT lpErrno);
typedef SOCKET (WSPAPI *LPWSPSOCKET)(int af, int type, int protocol,
                                     LPWSAPROTOCOL_INFOW lpProtocolInfo, GROUP g,
                                     DWORD dwFlags, LPINT lpErrno);
typedef INT (WSPAPI *LPWSPSTRINGTOADDRESS)(LPWSTR AddressString, INT AddressFamily,
                                           LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                           LPSOCKADDR lpAddress, LPINT lpAddressLength,
                                           LPINT lpErrno);

/* ---- WSPPROC_TABLE (REFERENCE 1.3): 30 slots, order is ABI -------------- */

typedef struct _WSPPROC_TABLE {
    LPWSPACCEPT lpWSPAccept;                           /*  0 */
    LPWSPADDRESSTOSTRING lpWSPAddressToString;         /*  1 (out of scope) */
    LPWSPASYNCSELECT lpWSPAsyncSelect;                 /*  2 */
    LPWSPBIND lpWSPBind;                               /*  3 */
    LPWSPCANCELBLOCKINGCALL lpWSPCancelBlockingCall;   /*  4 */
    LPWSPCLEANUP lpWSPCleanup;                         /*  5 */
    LPWSPCLOSESOCKET lpWSPCloseSocket;                 /*  6 */
    LPWSPCONNECT lpWSPConnect;                         /*  7 */
    LPWSPDUPLICATESOCKET lpWSPDuplicateSocket;         /*  8 */
    LPWSPENUMNETWORKEVENTS lpWSPEnumNetworkEvents;     /*  9 */
    LPWSPEVENTSELECT lpWSPEventSelect;                 /* 10 */
    LPWSPGETOVERLAPPEDRESULT lpWSPGetOverlappedResult; /* 11 */
    LPWSPGETPEERNAME lpWSPGetPeerName;                 /* 12 */
    LPWSPGETSOCKNAME lpWSPGetSockName;                 /* 13 */
    LPWSPGETSOCKOPT lpWSPGetSockOpt;                   /* 14 */
    LPWSPGETQOSBYNAME lpWSPGetQOSByName;               /* 15 */
    LPWSPIOCTL lpWSPIoctl;                             /* 16 */
    LPWSPJOINLEAF lpWSPJoinLeaf;                       /* 17 */
    LPWSPLISTEN lpWSPListen;                           /* 18 */
    LPWSPRECV lpWSPRecv;                               /* 19 */
    LPWSPRECVDISCONNECT lpWSPRecvDisconnect;           /* 20 */
    LPWSPRECVFROM lpWSPRecvFrom;                       /* 21 */
    LPWSPSELECT lpWSPSelect;                           /* 22 */
    LPWSPSEND lpWSPSend;                               /* 23 */
    LPWSPSENDDISCONNECT lpWSPSendDisconnect;           /* 24 */
    LPWSPSENDTO lpWSPSendTo;                           /* 25 */
    LPWSPSETSOCKOPT lpWSPSetSockOpt;                   /* 26 */
    LPWSPSHUTDOWN lpWSPShutdown;                       /* 27 */
    LPWSPSOCKET lpWSPSocket;                           /* 28 */
    LPWSPSTRINGTOADDRESS lpWSPStringToAddress;         /* 29 (out of scope) */
} WSPPROC_TABLE, *LPWSPPROC_TABLE;

/* ---- Upcalls (REFERENCE 1.4) -------------------------------------------- */

typedef BOOL (CALLBACK *LPBLOCKINGCALLBACK)(DWORD_PTR dwContext);
typedef VOID (CALLBACK *LPWSAUSERAPC)(DWORD_PTR dwContext);

typedef BOOL (WSPAPI *LPWPUCLOSEEVENT)(WSAEVENT hEvent, LPINT lpErrno);
typedef int (WSPAPI *LPWPUCLOSESOCKETHANDLE)(SOCKET s, LPINT lpErrno);
typedef WSAEVENT (WSPAPI *LPWPUCREATEEVENT)(LPINT lpErrno);
typedef SOCKET (WSPAPI *LPWPUCREATESOCKETHANDLE)(DWORD dwCatalogEntryId, DWORD_PTR dwContext,
                                                 LPINT lpErrno);
typedef int (WSPAPI *LPWPUFDISSET)(SOCKET s, fd_set *fdset);
typedef int (WSPAPI *LPWPUGETPROVIDERPATH)(LPGUID lpProviderId, WCHAR *lpszProviderDllPath,
                                           LPINT lpProviderDllPathLen, LPINT lpErrno);
typedef SOCKET (WSPAPI *LPWPUMODIFYIFSHANDLE)(DWORD dwCatalogEntryId, SOCKET ProposedHandle,
                                              LPINT lpErrno);
typedef BOOL (WSPAPI *LPWPUPOSTMESSAGE)(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam);
typedef int (WSPAPI *LPWPUQUERYBLOCKINGCALLBACK)(DWORD dwCatalogEntryId,
                                                 LPBLOCKINGCALLBACK *lplpfnCallback,
                                                 PDWORD_PTR lpdwContext, LPINT lpErrno);
typedef int (WSPAPI *LPWPUQUERYSOCKETHANDLECONTEXT)(SOCKET s, PDWORD_PTR lpContext,
                                                    LPINT lpErrno);
typedef int (WSPAPI *LPWPUQUEUEAPC)(LPWSATHREADID lpThreadId, LPWSAUSERAPC lpfnUserApc,
                                    DWORD_PTR dwContext, LPINT lpErrno);
typedef BOOL (WSPAPI *LPWPURESETEVENT)(WSAEVENT hEvent, LPINT lpErrno);
typedef BOOL (WSPAPI *LPWPUSETEVENT)(WSAEVENT hEvent, LPINT lpErrno);
typedef int (WSPAPI *LPWPUOPENCURRENTTHREAD)(LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (WSPAPI *LPWPUCLOSETHREAD)(LPWSATHREADID lpThreadId, LPINT lpErrno);
typedef int (WSPAPI *LPWPUCOMPLETEOVERLAPPEDREQUEST)(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
                                                     DWORD dwError, DWORD cbTransferred,
                                                     LPINT lpErrno);

typedef struct _WSPUPCALLTABLE {
    LPWPUCLOSEEVENT lpWPUCloseEvent;                             /*  0 */
    LPWPUCLOSESOCKETHANDLE lpWPUCloseSocketHandle;               /*  1 */
    LPWPUCREATEEVENT lpWPUCreateEvent;                           /*  2 */
    LPWPUCREATESOCKETHANDLE lpWPUCreateSocketHandle;             /*  3 */
    LPWPUFDISSET lpWPUFDIsSet;                                   /*  4 */
    LPWPUGETPROVIDERPATH lpWPUGetProviderPath;                   /*  5 */
    LPWPUMODIFYIFSHANDLE lpWPUModifyIFSHandle;                   /*  6 */
    LPWPUPOSTMESSAGE lpWPUPostMessage;                           /*  7 */
    LPWPUQUERYBLOCKINGCALLBACK lpWPUQueryBlockingCallback;       /*  8 */
    LPWPUQUERYSOCKETHANDLECONTEXT lpWPUQuerySocketHandleContext; /*  9 */
    LPWPUQUEUEAPC lpWPUQueueApc;                                 /* 10 */
    LPWPURESETEVENT lpWPUResetEvent;                             /* 11 */
    LPWPUSETEVENT lpWPUSetEvent;                                 /* 12 */
    LPWPUOPENCURRENTTHREAD lpWPUOpenCurrentThread;               /* 13 */
    LPWPUCLOSETHREAD lpWPUCloseThread;                           /* 14 */
} WSPUPCALLTABLE, *LPWSPUPCALLTABLE;

/* WSPStartup receives the upcall table by value. */
typedef int (WSPAPI *LPWSPSTARTUP)(WORD wVersionRequested, LPWSPDATA lpWSPData,
                                   LPWSAPROTOCOL_INFOW lpProtocolInfo,
                                   WSPUPCALLTABLE UpcallTable, LPWSPPROC_TABLE lpProcTable);

/* ---- Declarations (REFERENCE 1.1) --------------------------------------- */

/* On Windows only WSPStartup is exported by a provider and the rest are
 * reached through the table; the simulator's provider defines them all with
 * these names, so they are declared here once, with the types above. */
SOCKET WSPAPI WSPAccept(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                        LPCONDITIONPROC lpfnCondition, DWORD_PTR dwCallbackData,
                        LPINT lpErrno);
INT WSPAPI WSPAddressToString(LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
                              LPWSAPROTOCOL_INFOW lpProtocolInfo, LPWSTR lpszAddressString,
                              LPDWORD lpdwAddressStringLength, LPINT lpErrno);
int WSPAPI WSPAsyncSelect(SOCKET s, HWND hWnd, unsigned int wMsg, LONG lEvent, LPINT lpErrno);
int WSPAPI WSPBind(SOCKET s, const struct sockaddr *name, int namelen, LPINT lpErrno);
int WSPAPI WSPCancelBlockingCall(LPINT lpErrno);
int WSPAPI WSPCleanup(LPINT lpErrno);
int WSPAPI WSPCloseSocket(SOCKET s, LPINT lpErrno);
int WSPAPI WSPConnect(SOCKET s, const struct sockaddr *name, int namelen,
                      LPWSABUF lpCallerData, LPWSABUF lpCalleeData, LPQOS lpSQOS,
                      LPQOS lpGQOS, LPINT lpErrno);
int WSPAPI WSPDuplicateSocket(SOCKET s, DWORD dwProcessId, LPWSAPROTOCOL_INFOW lpProtocolInfo,
                              LPINT lpErrno);
int WSPAPI WSPEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject,
                                LPWSANETWORKEVENTS lpNetworkEvents, LPINT lpErrno);
int WSPAPI WSPEventSelect(SOCKET s, WSAEVENT hEventObject, LONG lNetworkEvents,
                          LPINT lpErrno);
BOOL WSPAPI WSPGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped,
                                   LPDWORD lpcbTransfer, BOOL fWait, LPDWORD lpdwFlags,
                                   LPINT lpErrno);
int WSPAPI WSPGetPeerName(SOCKET s, struct sockaddr *name, LPINT namelen, LPINT lpErrno);
int WSPAPI WSPGetSockName(SOCKET s, struct sockaddr *name, LPINT namelen, LPINT lpErrno);
int WSPAPI WSPGetSockOpt(SOCKET s, int level, int optname, char *optval, LPINT optlen,
                         LPINT lpErrno);
BOOL WSPAPI WSPGetQOSByName(SOCKET s, LPWSABUF lpQOSName, LPQOS lpQOS, LPINT lpErrno);
/* The QoS template database (Ws2_32 exports; wspsim keeps one per world):
 * 0 or a WSA error code. */
int WSAAPI WSCInstallQOSTemplate(const LPGUID Guid, LPWSABUF QosName, LPQOS Qos);
int WSAAPI WSCRemoveQOSTemplate(const LPGUID Guid, LPWSABUF QosName);
int WSPAPI WSPIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer,
                    LPVOID lpvOutBuffer, DWORD cbOutBuffer, LPDWORD lpcbBytesReturned,
                    LPWSAOVERLAPPED lpOverlapped,
                    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                    LPWSATHREADID lpThreadId, LPINT lpErrno);
SOCKET WSPAPI WSPJoinLeaf(SOCKET s, const struct sockaddr *name, int namelen,
                          LPWSABUF lpCallerData, LPWSABUF lpCalleeData, LPQOS lpSQOS,
                          LPQOS lpGQOS, DWORD dwFlags, LPINT lpErrno);
int WSPAPI WSPListen(SOCKET s, int backlog, LPINT lpErrno);
int WSPAPI WSPRecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                   LPWSATHREADID lpThreadId, LPINT lpErrno);
int WSPAPI WSPRecvDisconnect(SOCKET s, LPWSABUF lpInboundDisconnectData, LPINT lpErrno);
int WSPAPI WSPRecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                       LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, struct sockaddr *lpFrom,
                       LPINT lpFromlen, LPWSAOVERLAPPED lpOverlapped,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                       LPWSATHREADID lpThreadId, LPINT lpErrno);
int WSPAPI WSPSelect(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                     const struct timeval *timeout, LPINT lpErrno);
int WSPAPI WSPSend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesSent, DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                   LPWSATHREADID lpThreadId, LPINT lpErrno);
int WSPAPI WSPSendDisconnect(SOCKET s, LPWSABUF lpOutboundDisconnectData, LPINT lpErrno);
int WSPAPI WSPSendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                     LPDWORD lpNumberOfBytesSent, DWORD dwFlags, const struct sockaddr *lpTo,
                     int iTolen, LPWSAOVERLAPPED lpOverlapped,
                     LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine,
                     LPWSATHREADID lpThreadId, LPINT lpErrno);
int WSPAPI WSPSetSockOpt(SOCKET s, int level, int optname, const char *optval, int optlen,
                         LPINT lpErrno);
int WSPAPI WSPShutdown(SOCKET s, int how, LPINT lpErrno);
SOCKET WSPAPI WSPSocket(int af, int type, int protocol, LPWSAPROTOCOL_INFOW lpProtocolInfo,
                        GROUP g, DWORD dwFlags, LPINT lpErrno);
INT WSPAPI WSPStringToAddress(LPWSTR AddressString, INT AddressFamily,
                              LPWSAPROTOCOL_INFOW lpProtocolInfo, LPSOCKADDR lpAddress,
                              LPINT lpAddressLength, LPINT lpErrno);
int WSPAPI WSPStartup(WORD wVersionRequested, LPWSPDATA lpWSPData,
                      LPWSAPROTOCOL_INFOW lpProtocolInfo, WSPUPCALLTABLE UpcallTable,
                      LPWSPPROC_TABLE lpProcTable);

/* Exported by the Winsock layer (Ws2_32.dll on Windows, ws2/ here), not part
 * of the upcall table; valid only for WPUCreateSocketHandle sockets. */
int WSPAPI WPUCompleteOverlappedRequest(SOCKET s, LPWSAOVERLAPPED lpOverlapped, DWORD dwError,
                                        DWORD cbTransferred, LPINT lpErrno);

/* ---- Layout checks (REFERENCE 1.15) ------------------------------------- */

WSPSIM_STATIC_ASSERT(sizeof(WSPDATA) == 516, "WSPDATA size");
WSPSIM_STATIC_ASSERT(sizeof(WSATHREADID) == (WSPSIM_WIN64 ? 16 : 8), "WSATHREADID size");
WSPSIM_STATIC_ASSERT(sizeof(WSPPROC_TABLE) == 30 * sizeof(void *), "WSPPROC_TABLE size");
WSPSIM_STATIC_ASSERT(sizeof(WSPUPCALLTABLE) == 15 * sizeof(void *), "WSPUPCALLTABLE size");

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_WS2SPI_H */
