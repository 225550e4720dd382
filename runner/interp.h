/* SPDX-License-Identifier: MIT
 *
 * interp.h: what the interpreter (interp.c) and the call table (calls.c)
 * share, runner/ internal.  Only translation units that may see the
 * Winsock headers include it.
 */
#ifndef WSPSIM_INTERP_H
#define WSPSIM_INTERP_H

#include <wspsim/winsock2.h>
#include <wspsim/ws2spi.h>

#include "runner/scenario.h"

G_BEGIN_DECLS

typedef enum {
    WSPSIM_V_UNSET,
    WSPSIM_V_INT,
    WSPSIM_V_SOCKET,
    WSPSIM_V_DATA,
    WSPSIM_V_ADDR,
    WSPSIM_V_HANDLE, /* an event object or a window (i) */
    WSPSIM_V_OV,     /* an overlapped request (ov) */
    WSPSIM_V_QOS,    /* a QOS and its provider-specific objects (data) */
    WSPSIM_V_INFO,   /* a WSAPROTOCOL_INFOW from WSPDuplicateSocket (data) */
} WspsimValueKind;

typedef struct WspsimRun WspsimRun;

/* An overlapped request: the OVERLAPPED the provider completes (first, so
 * a completion routine's LPWSAOVERLAPPED is the request), the buffer it
 * fills or sends, and what its completion routine saw.  Owned by the
 * process (WspsimProc.ovs) until the world is gone. */
typedef struct WspsimOv {
    WSAOVERLAPPED ov;
    WSABUF wb;
    guint8 *buf;
    size_t cap;
    DWORD flags;
    WSATHREADID tid;
    bool routine;     /* routine=log */
    bool is_recv;     /* the last request on it received (its data is in buf) */
    bool completed;   /* the completion routine ran */
    DWORD err, bytes; /* what the routine got */
    WspsimRun *run;
    SimActorId actor;
} WspsimOv;

typedef struct {
    WspsimValueKind kind;
    gint64 i;
    GBytes *data;
    SimSockAddr addr;
    WspsimOv *ov;
} WspsimValue;

/* A script process at run time: its WSP table and its variables. */
typedef struct {
    SimProcessId pid;
    WSPPROC_TABLE table;
    bool started; /* WSPStartup succeeded */
    WspsimValue *vars;
    guint n_vars;
    const WspsimProcDecl *decl;
    char *label;    /* host.proc, for messages */
    GPtrArray *ovs; /* of WspsimOv*, owned */
} WspsimProc;

/* One script actor. */
typedef struct {
    WspsimRun *run;
    WspsimProc *proc;
    const WspsimThreadDecl *decl;
    SimActorId actor;
    gint64 instance;           /* template index */
    const WspsimStmt *current; /* the statement being executed (deadlock report) */
    SimTime poll_t;            /* busy-poll guard: the instant of poll_n... */
    guint64 poll_n;            /* ...statements run at it */
    guint8 *buf;               /* scratch: fill data, received data */
    size_t buf_cap;
} WspsimActorCtx;

typedef struct {
    bool failed;
    int err;            /* WSA code when failed */
    gint64 ret;         /* return value: count, socket, option value */
    const guint8 *data; /* R_DATA: received bytes (in the actor's buffer) */
    size_t len;
    bool has_addr;
    SimSockAddr addr;    /* R_ADDR, or the sender for recvfrom */
    fd_set sets[3];      /* R_SELECT */
    WSANETWORKEVENTS ev; /* R_EVENTS */
    WspsimOv *ov;        /* R_OV */
    /* R_QOS: the QOS (its ProviderSpecific points into qos_ps), the RSVP
     * status object's code (0: none) and the QOS_SD_MODE (-1: none) */
    QOS qos;
    guint8 qos_ps[256];
    ULONG qos_status;
    gint32 qos_mode;
    gint64 qos_shaping; /* the QOS_SHAPING_RATE object's rate, -1: none */
    bool qos_offered; /* WSPAccept: the condition function was offered qos */
    bool qos_valid;   /* qos holds a QOS (R_QOS calls, or the offered one) */
    WSAPROTOCOL_INFOW info; /* R_INFO */
    /* caller data the condition function saw (WSPAccept), callee data
     * (WSPJoinLeaf): for caller=/callee= */
    const guint8 *peer_data;
    size_t peer_len;
} WspsimResult;

typedef void (*WspsimInvokeFn)(WspsimActorCtx *ax, const WspsimArg *args, WspsimResult *res);

struct WspsimCallSpec {
    const char *name;
    WspsimResultKind result;
    WspsimInvokeFn invoke;
    WspsimParam params[WSPSIM_MAX_ARGS];
};

/* The run's world, and its upcall table (WPUOpenCurrentThread for
 * completion routines). */
SimWorld *wspsim_run_world(const WspsimRun *run);

/* The halves of wspsim_script_run, for runner/embed.c (a Winsock
 * application joining the scenario's world): a new run of @script (the
 * world exists, nothing built); open the outputs, write the trace header
 * and build the world without running it; after running it, report
 * stuck actors when @rr is SIM_RUN_IDLE; then statistics, close the
 * outputs, fill @out_result and free the world and the run.  @script and
 * @opts must outlive the run. */
WspsimRun *wspsim_run_new(const WspsimScript *script, const WspsimRunOptions *opts);
bool wspsim_run_build(WspsimRun *run, GError **error);
void wspsim_run_check_stuck(WspsimRun *run, SimRunResult rr);
bool wspsim_run_end(WspsimRun *run, bool ok, WspsimRunResult *out_result, GError **error);
/* While TRUE, a failed expectation does not stop the world (an adopted
 * application thread relies on the scheduler running on). */
void wspsim_run_set_no_stop(WspsimRun *run, bool no_stop);
const WSPUPCALLTABLE *wspsim_run_upcalls(const WspsimRun *run);
/* A new overlapped request owned by @ax's process. */
WspsimOv *wspsim_ov_new(WspsimActorCtx *ax);
/* The live process named "host.proc" (a template's instance:
 * "host.proc[k]"), or SIM_ID_NONE. */
SimProcessId wspsim_run_proc_id(const WspsimRun *run, const char *name);

/* WSPSocket's protocol info: the loaded provider's chained entry for
 * (@af, @type, @protocol) in @buf, or NULL ("provider load", interp.c). */
LPWSAPROTOCOL_INFOW wspsim_proc_socket_entry(const WspsimActorCtx *ax, int af, int type,
                                             int protocol, WSAPROTOCOL_INFOW *buf);

/* Grow the actor's scratch buffer to @len bytes and return it. */
guint8 *wspsim_actor_buf(WspsimActorCtx *ax, size_t len);
/* Fill pattern of "N bytes": deterministic, printable. */
void wspsim_fill(guint8 *buf, size_t len);
/* Socket address conversion; returns the length written. */
int wspsim_sockaddr_from_sim(const SimSockAddr *sa, SOCKADDR_STORAGE *out);
bool wspsim_sockaddr_to_sim(const struct sockaddr *sa, int len, SimSockAddr *out);

G_END_DECLS

#endif /* WSPSIM_INTERP_H */
