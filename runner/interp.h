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
} WspsimValueKind;

typedef struct {
    WspsimValueKind kind;
    gint64 i;
    GBytes *data;
    SimSockAddr addr;
} WspsimValue;

/* A script process at run time: its WSP table and its variables. */
typedef struct {
    SimProcessId pid;
    WSPPROC_TABLE table;
    bool started; /* WSPStartup succeeded */
    WspsimValue *vars;
    guint n_vars;
    const WspsimProcDecl *decl;
    char *label; /* host.proc, for messages */
} WspsimProc;

typedef struct WspsimRun WspsimRun;

/* One script actor. */
typedef struct {
    WspsimRun *run;
    WspsimProc *proc;
    const WspsimThreadDecl *decl;
    SimActorId actor;
    gint64 instance;           /* template index */
    const WspsimStmt *current; /* the statement being executed (deadlock report) */
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
} WspsimResult;

typedef void (*WspsimInvokeFn)(WspsimActorCtx *ax, const WspsimArg *args, WspsimResult *res);

struct WspsimCallSpec {
    const char *name;
    WspsimResultKind result;
    WspsimInvokeFn invoke;
    WspsimParam params[WSPSIM_MAX_ARGS];
};

/* Grow the actor's scratch buffer to @len bytes and return it. */
guint8 *wspsim_actor_buf(WspsimActorCtx *ax, size_t len);
/* Fill pattern of "N bytes": deterministic, printable. */
void wspsim_fill(guint8 *buf, size_t len);
/* Socket address conversion; returns the length written. */
int wspsim_sockaddr_from_sim(const SimSockAddr *sa, SOCKADDR_STORAGE *out);
bool wspsim_sockaddr_to_sim(const struct sockaddr *sa, int len, SimSockAddr *out);

G_END_DECLS

#endif /* WSPSIM_INTERP_H */
