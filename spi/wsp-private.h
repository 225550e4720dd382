/* SPDX-License-Identifier: MIT
 *
 * wsp-private.h: what the files of the provider (spi/wsp-*.c) share — the
 * per-world and per-process provider state, the socket record (WspSocket),
 * the call context every WSP* entry point opens (world, process, actor,
 * tracing), the blocking helper, address conversion and readiness queries.
 * spi/ reaches the simulation only through sim/sim.h.
 */
#ifndef WSP_PRIVATE_H
#define WSP_PRIVATE_H

#include "sim/sim.h"

#include <wspsim/ws2spi.h>
#include <wspsim/ws2tcpip.h>
#include <wspsim/mswsock.h>
#include <wspsim/mstcpip.h>
#include <wspsim/wspsim-spi.h>

G_BEGIN_DECLS

/* The version this provider serves (REFERENCE 4 choice 52). */
#define WSP_VERSION 0x0202
/* Listen backlog range (REFERENCE 4 choice 24); SOMAXCONN maps to the top. */
#define WSP_MAX_BACKLOG 200
/* Largest byte count one WSPRecv copies out of a stream (doc/spi-choices.md). */
#define WSP_RECV_CHUNK 65536
/* SO_SNDBUF of datagram sockets (no send queue: only reported). */
#define WSP_UDP_SNDBUF_DEFAULT 65536

typedef struct WspProcess WspProcess;
typedef struct WspState WspState;

/* One provider socket: the SOCKET handed to the client and the transport
 * endpoint under it.  Refcounted: a blocking call holds a reference across
 * its waits, so a WSPCloseSocket from another actor cannot free it under
 * the waiter (the waiter sees @closed and fails with WSAEINTR). */
typedef struct WspSocket {
    guint ref_count;
    SimWorld *world;
    WspProcess *proc;           /* (transfer none) owner */
    SOCKET handle;              /* from WPUCreateSocketHandle */
    guint32 serial;             /* creation order in the world: the handle context */
    const WSAPROTOCOL_INFOW *proto; /* catalog entry */
    int af, type, protocol;
    SimFamily family;
    bool stream;                /* SOCK_STREAM over sim-tcp; else SOCK_DGRAM over sim-udp */
    SimSocketId sock;           /* transport endpoint; 0 once released */
    DWORD flags;                /* WSA_FLAG_* given to WSPSocket */
    GROUP group;
    int group_priority;

    /* State the provider keeps on top of the transport. */
    bool closed;                /* handle released; waiters must give up */
    bool nonblocking;           /* FIONBIO */
    bool bound;                 /* explicitly or implicitly */
    bool listening;
    bool connecting;            /* a non-blocking connect is under way */
    bool connect_failed;        /* the last connect failed: a new one reopens the endpoint */
    SimStatus connect_err;
    bool explicit_bind;         /* WSPBind succeeded: @bind_addr, kept for a reopen */
    SimSockAddr bind_addr;
    bool shut_send, shut_recv;
    bool transport_gone;        /* SIM_SOCK_EV_FREED seen (reset reaped, host crash...) */
    SimStatus gone_err;         /* its err: what later calls report */
    bool async_registered;      /* WSPEventSelect/WSPAsyncSelect mask != 0 */
    SimSocketId deferred_child; /* CF_DEFER on a completed connection */
    bool accepted;              /* its connection came from a listener (WSPAccept, AcceptEx) */
    bool reusing;               /* a TF_REUSE_SOCKET disconnect is under way (wsp-extension.c) */
    SimStatus so_error;         /* SO_ERROR not yet read (the transport keeps its own too) */

    /* Options. */
    bool opt_debug, opt_dontroute, opt_reuseaddr, opt_exclusive, opt_broadcast;
    bool opt_keepalive, opt_oobinline, opt_nodelay, opt_conditional;
    LINGER linger;
    u_short linger_last;        /* timeout restored when SO_DONTLINGER is turned off */
    DWORD rcvtimeo_ms, sndtimeo_ms;
    int udp_sndbuf;

    /* Waiting: readers, writers, connect/accept/linger. */
    SimWaitQueue rq, wq, cq;
    guint32 events_seen;        /* every SIM_SOCK_EV_* bit received so far (issue 5) */

    /* Network events (wsp-events.c): one registration, REFERENCE 2.5. */
    LONG ev_mask;               /* FD_* registered; 0 = none */
    HWND ev_hwnd;               /* WSPAsyncSelect window, or NULL for WSPEventSelect */
    UINT ev_msg;
    WSAEVENT ev_event;          /* WSPEventSelect event */
    LONG ev_armed;              /* FD_* that may be reported (not reported since re-enabled) */
    WSANETWORKEVENTS ev_record; /* what WSPEnumNetworkEvents returns */
    bool ev_write_wanted;       /* FD_WRITE due once a send is possible */
    bool ev_connect_due;        /* FD_CONNECT to report, with ev_connect_err */
    int ev_connect_err;
    bool ev_close_due;          /* graceful close seen: FD_CLOSE once all data is read */
    bool ev_close_done;         /* FD_CLOSE reported for this connection */
    /* Pending overlapped requests (wsp-overlapped.c), in posting order. */
    GQueue ov_recvs, ov_sends, ov_ioctls;
    struct WspChange *chg;      /* (nullable) *_CHANGE watches (wsp-change.c) */
    struct WspQos *qos;         /* (nullable) QOS and its sim flows (wsp-qos.c) */
} WspSocket;

/* Per process: the WSPStartup count, the latest upcall table, its sockets
 * (ordered by creation; the hash only finds them) and the default upcall
 * table's own handle table (the simulated Winsock DLL side). */
struct WspProcess {
    WspState *state;
    SimProcessId pid;
    guint startup_count;
    WSPUPCALLTABLE upcalls;
    GPtrArray *sockets;         /* of WspSocket*, creation order */
    GHashTable *by_handle;      /* SOCKET -> WspSocket*, lookup only */
    /* Default upcall table data (wsp-upcall.c). */
    GHashTable *dll_handles;    /* SOCKET -> DWORD_PTR context + 1 */
    guint32 dll_next;
};

struct WspState {
    SimWorld *world;
    GPtrArray *procs;           /* of WspProcess*, in first-use order */
    GHashTable *by_pid;         /* SimProcessId -> WspProcess*, lookup only */
    GHashTable *by_sock;        /* SimSocketId -> WspSocket*, lookup only */
    guint32 next_serial;
    GROUP next_group;
};

/* ---- Call context and tracing (wsp-trace.c) ------------------------------ */

/* Opened by every entry point: who calls, and the trace line being built. */
typedef struct {
    SimWorld *world;            /* NULL: no context */
    WspProcess *proc;           /* NULL: no context or never started */
    SimActorId actor;           /* SIM_ID_NONE outside actors */
    SimNodeId node;
    const char *fn;
    bool trace;
    bool blocked;               /* "blocks" already traced */
    char args[192];
} WspCall;

/* Resolve world, process and actor; FALSE (and *@out_err =
 * WSANOTINITIALISED) when there is none or WSPStartup has not succeeded. */
bool wsp_call_begin(WspCall *call, const char *fn, int *out_err);
/* The same, without requiring WSPStartup (WSPStartup itself). */
void wsp_call_open(WspCall *call, const char *fn);
void wsp_call_args(WspCall *call, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Emit "fn(args) = result" (result formatted from @fmt). */
void wsp_call_end(WspCall *call, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void wsp_call_blocks(WspCall *call);
/* Store @code in *lpErrno, trace "= SOCKET_ERROR <code>", return SOCKET_ERROR. */
int wsp_call_fail(WspCall *call, LPINT lpErrno, int code);
BOOL wsp_call_fail_bool(WspCall *call, LPINT lpErrno, int code);
SOCKET wsp_call_fail_socket(WspCall *call, LPINT lpErrno, int code);
/* Trace "= 0" and return 0. */
int wsp_call_ok(WspCall *call);

/* Without a call context (no world to trace into). */
static inline int
wsp_fail(LPINT lpErrno, int wsa_code)
{
    if (lpErrno != NULL)
        *lpErrno = wsa_code;
    return SOCKET_ERROR;
}

/* "10.0.0.2:80", "[fd00::2]:80" into @buf. */
const char *wsp_fmt_sockaddr(const SimSockAddr *sa, char buf[SIM_SOCKADDR_STRLEN]);
/* A quoted, escaped preview of @len bytes (at most 24 shown) into @str. */
void wsp_fmt_data(GString *str, const void *data, size_t len);

/* ---- Errors (wsp-error.c) ------------------------------------------------ */

int wsp_error_from_status(SimStatus st);
/* "WSAEWOULDBLOCK"...; "WSA?" for an unknown value. */
const char *wsp_error_name(int code);

/* ---- State, processes and handles (wsp-handle.c) ------------------------- */

WspState *wsp_state_get(SimWorld *world, bool create);
WspProcess *wsp_process_get(SimWorld *world, SimProcessId pid, bool create);
/* The socket behind @s in the caller's process, or NULL (WSAENOTSOCK). */
WspSocket *wsp_handle_lookup(const WspCall *call, SOCKET s);
WspSocket *wsp_socket_by_sock(SimWorld *world, SimSocketId sock);
/* A new socket record with a handle from the upcall table, registered in
 * its process; NULL and *@out_err when no handle could be had. */
WspSocket *wsp_socket_new(WspProcess *proc, const WSAPROTOCOL_INFOW *proto, SimSocketId sock,
                          int *out_err);
/* Release the handle (WPUCloseSocketHandle), forget the record, wake its
 * waiters and drop the process's reference.  The transport endpoint must
 * already be closed or handed on. */
void wsp_socket_release(WspSocket *ws);
WspSocket *wsp_socket_ref(WspSocket *ws);
void wsp_socket_unref(WspSocket *ws);
/* Reset and release every socket of @proc (final WSPCleanup, process exit). */
void wsp_process_reset_sockets(WspProcess *proc);

/* ---- Sockets (wsp-socket.c) ---------------------------------------------- */

/* The one place transport notifications arrive (issue 5 adds FD_* recording,
 * select wake-ups and overlapped completion here). */
void wsp_socket_on_transport_event(WspSocket *ws, guint32 events, SimStatus err);
/* The SimSockNotifyFn every transport endpoint of the provider uses. */
void wsp_transport_notify(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err,
                          void *data);
/* Shut down @how (SD_*) without a call context: 0 or the WSA code. */
int wsp_socket_shutdown(WspSocket *ws, int how, bool reset_on_data);
/* Abortive close of the transport endpoint (no linger, no wait). */
void wsp_socket_reset_transport(WspSocket *ws);
/* TF_REUSE_SOCKET, once the connection is over: a new endpoint, unbound
 * after an accepted connection, else bound to the old local address.  0 or
 * the WSA code. */
int wsp_socket_reuse(WspSocket *ws);

/* Readiness per the WSPSelect rules (REFERENCE WSPSelect). */
bool wsp_socket_readable(WspSocket *ws);
bool wsp_socket_writable(WspSocket *ws);
bool wsp_socket_except(WspSocket *ws);

/* Blocking helper: the absolute deadline for a timeout in ms (0 = none). */
SimTime wsp_deadline(SimWorld *world, DWORD timeout_ms);
/* Wait on @q once.  Returns 0 to retry, or the WSA code that ends the call
 * (WSAEWOULDBLOCK outside an actor, WSAETIMEDOUT, WSAEINTR, WSAENETDOWN). */
int wsp_wait(WspCall *call, WspSocket *ws, SimWaitQueue *q, SimTime deadline);

/* The code calls report once the endpoint is gone. */
static inline int
wsp_gone_error(const WspSocket *ws)
{
    if (ws->gone_err != SIM_OK)
        return wsp_error_from_status(ws->gone_err);
    if (ws->so_error != SIM_OK)
        return wsp_error_from_status(ws->so_error); /* e.g. the reset that ended it */
    return WSAENETDOWN;
}

/* A stream connection's error (@err, from the transport) as a later
 * WSPSend/WSPRecv (@shutdown FALSE) or WSPShutdown/WSPSendDisconnect/
 * WSPRecvDisconnect (@shutdown TRUE) reports it, in codes REFERENCE 3
 * documents for them: after a connect that failed (refused, timed out,
 * unreachable) the socket is simply not connected, WSAENOTCONN, as Windows
 * says; an established connection that ended by anything but a reset, an
 * abort or a keep-alive failure was "terminated by timeout or other
 * failure", WSAECONNABORTED.  The shutdown calls document none of these:
 * WSAENOTCONN.  Other codes (and datagram sockets) pass unchanged. */
static inline int
wsp_conn_error(const WspSocket *ws, int err, bool shutdown)
{
    if (!ws->stream)
        return err;
    switch (err) {
    case WSAECONNRESET:
    case WSAECONNABORTED:
    case WSAENETRESET:
        return shutdown ? WSAENOTCONN : err;
    case WSAECONNREFUSED:
    case WSAETIMEDOUT:
    case WSAEHOSTUNREACH:
    case WSAENETUNREACH:
    case WSAEHOSTDOWN:
        return shutdown || ws->connect_failed ? WSAENOTCONN : WSAECONNABORTED;
    default:
        return err;
    }
}

/* ---- Data transfer (wsp-io.c) --------------------------------------------- */

/* One datagram of @total bytes gathered from @bufs, to @to or (NULL) the
 * peer: 0 or the WSA code. */
int wsp_io_dgram_send(WspSocket *ws, LPWSABUF bufs, DWORD count, size_t total,
                      const SimSockAddr *to);
/* WSARecvMsg's output flags for a received datagram. */
DWORD wsp_io_msg_flags(const SimUdpMsgInfo *info);
/* WSARecvMsg and WSASendMsg (wsp-extension.c): 0, WSA_IO_PENDING or the
 * WSA code. */
int wsp_io_recvmsg(WspCall *call, WspSocket *ws, LPWSAMSG msg, LPDWORD out_got,
                   LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr);
int wsp_io_sendmsg(WspCall *call, WspSocket *ws, LPWSAMSG msg, DWORD flags, LPDWORD out_sent,
                   LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr);

/* ---- Notification (wsp-events.c, wsp-overlapped.c, wsp-cancel.c) --------- */

/* Transport notifications: FD_* events and overlapped progress. */
void wsp_events_on_transport(WspSocket *ws, guint32 events, SimStatus err);
/* A call that re-enables @ev (FD_* mask) was made, whatever its outcome;
 * level events still true are re-reported by a simulator event at the same
 * time, after the call returns (REFERENCE 4 choice 13). */
void wsp_events_reenable(WspSocket *ws, LONG ev);
/* WSPSend/WSPSendTo returned @err (FD_WRITE re-enabled; armed by WSAEWOULDBLOCK). */
void wsp_events_after_send(WspSocket *ws, int err);
/* Choice 10 / 11: a datagram socket was bound / connected. */
void wsp_events_on_bind(WspSocket *ws);
void wsp_events_on_connect(WspSocket *ws);
/* An accepted socket takes the listener's registration (REFERENCE 2.5). */
void wsp_events_inherit(WspSocket *ws, const WspSocket *ls);
/* A reused socket (TF_REUSE_SOCKET) keeps its registration, armed afresh
 * for its next connection. */
void wsp_events_on_reuse(WspSocket *ws);
/* WSPIoctl codes that re-enable FD_QOS, FD_ROUTING_INTERFACE_CHANGE... */
void wsp_events_on_ioctl(WspSocket *ws, DWORD code);
/* Report @ev (one FD_* bit) with @err if registered and enabled: for sources
 * outside the transports (QoS, routing and address-list changes). */
void wsp_events_signal(WspSocket *ws, LONG ev, int err);
/* FALSE when @proc notifies through the default upcall (WPUSetEvent,
 * WPUPostMessage) and the simulated OS says @h is not a live event
 * (window): a client's own upcall table owns its handles (wsp-upcall.c). */
bool wsp_upcall_event_valid(WspProcess *proc, SimWorld *world, WSAEVENT h);
bool wsp_upcall_window_valid(WspProcess *proc, SimWorld *world, HWND h);

/* Overlapped requests.  Each returns 0 (completed at once, completion
 * action performed), WSA_IO_PENDING, or the error (nothing started). */
int wsp_ov_send(WspCall *call, WspSocket *ws, LPWSABUF bufs, DWORD count, DWORD flags,
                const struct sockaddr *to, int tolen, LPDWORD out_sent, LPWSAOVERLAPPED ov,
                LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid);
/* @msg (nullable): WSARecvMsg's header, whose flags and Control.len are
 * written at completion. */
int wsp_ov_recv(WspCall *call, WspSocket *ws, LPWSABUF bufs, DWORD count, LPDWORD lpFlags,
                struct sockaddr *from, LPINT fromlen, LPWSAMSG msg, LPDWORD out_got,
                LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid);
/* An overlapped WSPIoctl whose synchronous part gave @err and @bytes. */
int wsp_ov_ioctl(WspCall *call, WspSocket *ws, DWORD code, int err, DWORD bytes,
                 LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE cr, LPWSATHREADID tid);
/* Complete every pending request with WSA_OPERATION_ABORTED, performing
 * the completion action when @notify (WSPCloseSocket) or not (WSPCleanup,
 * choice 4). */
void wsp_ov_abort_all(WspSocket *ws, bool notify);
/* Serve pending overlapped requests that can finish now. */
void wsp_ov_pump(WspSocket *ws);
/* Complete the pending *_CHANGE IOCTL @ov of @code (0 bytes, @err); FALSE
 * when it is no longer pending (cancelled). */
bool wsp_ov_ioctl_complete(WspSocket *ws, DWORD code, LPWSAOVERLAPPED ov, int err);

/* *_CHANGE sources (wsp-change.c). */
typedef struct WspChange WspChange;
/* SIO_ROUTING_INTERFACE_CHANGE / SIO_ADDRESS_LIST_CHANGE, synchronous part:
 * WSAEFAULT, WSAEWOULDBLOCK or WSAEOPNOTSUPP (blocking: no wait). */
int wsp_change_ioctl(WspCall *call, WspSocket *ws, DWORD code, LPVOID in, DWORD cbin);
/* The overlapped request @ov of @code is pending: watch for it too. */
void wsp_change_ov_pending(WspSocket *ws, DWORD code, LPWSAOVERLAPPED ov);
/* Fire the watches of @ws whose view changed. */
void wsp_change_check(WspSocket *ws);
/* Forget @ws's watches (handle released). */
void wsp_change_release(WspSocket *ws);
/* The socket's handle is being released: abort quietly, drop the registration. */
void wsp_notify_release(WspSocket *ws);

/* The one blocking wait of provider calls: interruptible by
 * WSPCancelBlockingCall, calling the blocking hook (WPUQueryBlockingCallback)
 * every hook period while it waits.  A cancelled wait returns
 * SIM_WAIT_INTERRUPTED. */
SimWaitResult wsp_block_wait(WspCall *call, DWORD catalog_id, SimWaitQueue *const *queues,
                             size_t n_queues, SimTime deadline, size_t *out_index);

/* ---- Addresses (wsp-socket.c) -------------------------------------------- */

/* sockaddr -> SimSockAddr.  0, WSAEFAULT (NULL, short) or WSAEAFNOSUPPORT
 * (family other than @family). */
int wsp_sockaddr_in(const struct sockaddr *name, int namelen, SimFamily family,
                    SimSockAddr *out);
/* SimSockAddr -> sockaddr.  0 or WSAEFAULT (NULL or short); *@namelen set. */
int wsp_sockaddr_out(const SimSockAddr *sa, struct sockaddr *name, LPINT namelen);
int wsp_sockaddr_size(SimFamily family);
/* The socket's local address (false when unbound). */
bool wsp_socket_local(WspSocket *ws, SimSockAddr *out);

/* ---- Shared sockets (wsp-duplicate.c) -------------------------------------- */

/* WSPSocket with a WSPDuplicateSocket structure: false when @info is an
 * ordinary entry; else true with *@out_s or *@out_err. */
bool wsp_dup_socket_from_info(WspCall *call, const WSAPROTOCOL_INFOW *info, SOCKET *out_s,
                              int *out_err);
/* WSPCloseSocket: true when @s was dropped and other descriptors remain. */
bool wsp_dup_close_descriptor(WspSocket *ws, WspProcess *proc, SOCKET s);
/* Before a process's sockets are reset: drop its descriptors of shared ones. */
void wsp_dup_process_reset(WspProcess *proc);
guint wsp_dup_descriptor_count(const WspSocket *ws);

/* ---- Multipoint (wsp-multipoint.c) --------------------------------------- */

/* The data plane of a send without destination; *@out_handled false when
 * @ws is in no session. */
SimStatus wsp_mp_send(WspSocket *ws, const void *data, size_t len, bool *out_handled);
/* Leaving by closing: called as the socket's last descriptor is released. */
void wsp_mp_release(WspSocket *ws);
/* WSPListen / WSPAccept on rooted multipoint (datagram) sockets. */
int wsp_mp_listen(WspSocket *ws, int backlog);
SOCKET wsp_mp_accept(WspCall *call, WspSocket *ls, struct sockaddr *addr, LPINT addrlen,
                     LPCONDITIONPROC cond, DWORD_PTR cb, int *out_err);

/* ---- QoS (wsp-qos.c) ---------------------------------------------------------- */

/* WSPConnect / WSPJoinLeaf: check and record lpSQOS before connecting (0,
 * WSAEFAULT, WSAEINVAL, WSAEOPNOTSUPP); then, once the socket has its
 * addresses, install its flows (admission reported by FD_QOS). */
int wsp_qos_validate(const QOS *in, SimFamily family);
int wsp_qos_connect(WspCall *call, WspSocket *ws, const QOS *sqos, const QOS *gqos);
void wsp_qos_connected(WspCall *call, WspSocket *ws, const SimSockAddr *peer);
/* WSPAccept: the caller's QOS for the condition function (FALSE: none), and
 * the negotiated result applied to the accepted socket. */
bool wsp_qos_offer(SimWorld *world, const SimSockAddr *remote, const SimSockAddr *local, QOS *out);
void wsp_qos_accepted(WspCall *call, WspSocket *ws, const QOS *offered, const QOS *final);
/* Rooted multipoint joins (wsp-multipoint.c): the QOS travels on the
 * control connection as WSP_QOS_WIRE_LEN bytes; the acceptor's descriptor
 * records the negotiated QOS, the requester's branch gets the flows. */
#define WSP_QOS_WIRE_LEN 64
bool wsp_qos_get(const WspSocket *ws, QOS *out);
void wsp_qos_inherit(WspSocket *ws, const WspSocket *from);
void wsp_qos_encode(const QOS *q, guint8 *out);
void wsp_qos_decode(const guint8 *in, QOS *out);
bool wsp_qos_join_accepted(WspSocket *ws, SimNodeId node, const QOS *final);
void wsp_qos_join_done(WspSocket *ws, SimNodeId node, const SimSockAddr *local,
                       const SimSockAddr *peer, const QOS *final);
/* SIO_GET_QOS, SIO_SET_QOS, SIO_GET_GROUP_QOS, SIO_SET_GROUP_QOS. */
int wsp_qos_ioctl(WspCall *call, WspSocket *ws, DWORD code, const void *in, DWORD cbin, void *out,
                  DWORD cbout, DWORD *ret);
/* The socket is being released: reservations freed. */
void wsp_qos_release(WspSocket *ws);

/* Catalog (wsp-startup.c). */
const WSAPROTOCOL_INFOW *wsp_catalog_find(int af, int type, int protocol, int *out_err);

G_END_DECLS

#endif /* WSP_PRIVATE_H */
