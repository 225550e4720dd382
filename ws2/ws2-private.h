/* SPDX-License-Identifier: MIT
 *
 * ws2-private.h: what the files of the application-side layer (ws2/, the
 * simulated ws2_32.dll) share — the calling thread's context (world,
 * process, actor), the per-world socket handle table the upcalls keep, the
 * per-process provider state (WSAStartup count, proc tables of the base
 * provider and of installed LSPs) and the last-error slot.
 * ws2/ reaches the provider only through WSPStartup and the proc tables.
 */
#ifndef WS2_PRIVATE_H
#define WS2_PRIVATE_H

#include "sim/sim.h"

#include <gmodule.h>

#include <wspsim/ws2spi.h>
#include <wspsim/ws2tcpip.h>
#include <wspsim/mswsock.h>
#include <wspsim/windows.h>
#include <wspsim/wspsim-os.h>
#include <wspsim/wspsim-spi.h>
#include <wspsim/wspsim-ws2.h>

G_BEGIN_DECLS

/* The Winsock version the layer serves to applications (1.0 .. 2.2). */
#define WS2_HIGH_VERSION 0x0202

/* An installed layered provider (process-independent). */
typedef struct Ws2Lsp {
    char *path;
    GModule *module;
    LPWSPSTARTUP startup;
    guint index;             /* installation order */
    WSAPROTOCOL_INFOW layer; /* ChainLen 0 */
    GArray *entries;         /* of WSAPROTOCOL_INFOW, ChainLen 2, catalog order */
} Ws2Lsp;

/* One provider started in a process. */
typedef struct Ws2Provider {
    const Ws2Lsp *lsp; /* NULL: the base provider */
    WSPPROC_TABLE procs;
} Ws2Provider;

typedef struct Ws2Process {
    SimProcessId pid;
    guint startup_count; /* WSAStartup successes not yet cleaned up */
    WORD version;        /* negotiated with the application */
    bool started;        /* providers started (WSPStartup done) */
    Ws2Provider base;
    GPtrArray *lsps;    /* of Ws2Provider*, installation order */
    GPtrArray *windows; /* HWNDs created by the process, creation order */
} Ws2Process;

/* A socket handle made by WPUCreateSocketHandle. */
typedef struct Ws2Handle {
    SOCKET handle;
    DWORD catalog_id;
    DWORD_PTR context;
    SimProcessId pid; /* creator's process (0: none) */
} Ws2Handle;

typedef struct Ws2State {
    SimWorld *world;
    GPtrArray *procs;    /* of Ws2Process*, first-use order */
    GHashTable *by_pid;  /* lookup only */
    GHashTable *handles; /* SOCKET -> Ws2Handle*, lookup only (owned) */
    guint32 next_handle;
    GHashTable *exit_codes; /* actor id -> thread exit code + 1 (lookup only) */
} Ws2State;

/* Who calls. */
typedef struct {
    SimWorld *world;
    SimProcessId pid;
    SimActorId actor;
    Ws2Process *proc;
} Ws2Ctx;

/* Resolve the caller; creates the default world on the first call from a
 * thread that is no actor.  FALSE when the caller is no simulated thread
 * (e.g. an OS thread the application made itself). */
bool ws2_ctx(Ws2Ctx *ctx);
Ws2State *ws2_state(SimWorld *world);
Ws2Process *ws2_process(SimWorld *world, SimProcessId pid);
Ws2Handle *ws2_handle_lookup(SimWorld *world, SOCKET s);

/* The last-error slot of the calling simulated thread. */
void ws2_set_error(const Ws2Ctx *ctx, int err);
int ws2_get_error(const Ws2Ctx *ctx);

/* The upcall table the layer hands to providers. */
WSPUPCALLTABLE ws2_upcall_table(void);

/* Installed LSPs (ws2-lsp.c), in installation order. */
const Ws2Lsp *ws2_lsp_nth(guint i);
guint ws2_lsp_count(void);
/* Load WSPSIM_LSP once (first Winsock call). */
void ws2_lsp_from_env(void);

/* The default world's process "app", for tests (0 if none). */
SimProcessId ws2_default_pid(void);

G_END_DECLS

#endif /* WS2_PRIVATE_H */
