/* SPDX-License-Identifier: MIT */
/*
 * wspsim/wspsim-ws2.h - what the application-side layer (ws2/, the
 * simulated ws2_32.dll) offers beyond the Windows names: installing a
 * layered service provider (LSP) from a shared module, the call an LSP makes
 * to find the next provider of its protocol chain, and access to the
 * default world for tools and tests.  doc/ws2.md.
 */
#ifndef WSPSIM_WSPSIM_WS2_H
#define WSPSIM_WSPSIM_WS2_H

#include <wspsim/ws2spi.h>

#ifdef __cplusplus
extern "C" {
#endif

struct SimWorld;

/* Catalog entry ids given to installed LSPs: the n-th LSP (0-based) gets
 * its layer entry WSPSIM_LSP_CATALOG_BASE + 16 n and one chained entry per
 * base entry after it. */
#define WSPSIM_LSP_CATALOG_BASE 2000

/*
 * Install the layered provider in the shared module @path (it must export
 * WSPStartup) above the base provider, for every process whose first
 * WSAStartup comes later.  Its catalog entries chain it over each base
 * entry (ChainLen 2: the LSP's id, then the base id) and come before the
 * base entries, so socket() picks them.  The environment variable
 * WSPSIM_LSP=path does the same at the first Winsock call.
 * Returns FALSE (and a message in *@out_error, free with g_free) when the
 * module cannot be loaded or exports no WSPStartup.
 */
BOOL wspsim_lsp_install(const char *path, char **out_error);
/* Forget every installed LSP (processes already started keep theirs). */
void wspsim_lsp_uninstall_all(void);

/*
 * For an LSP's WSPStartup: the next provider in the protocol chain of
 * @lpProtocolInfo (the entry after the caller's own id), as a Windows LSP
 * finds it with WSCGetProviderPath + LoadLibrary + GetProcAddress.  Fills
 * *@out_startup with that provider's WSPStartup and *@out_next_info with
 * its catalog entry.  Returns 0 or WSAEINVAL (no such chain entry).
 */
int WSPAPI wspsim_lsp_next_provider(const WSAPROTOCOL_INFOW *lpProtocolInfo,
                                    LPWSPSTARTUP *out_startup, WSAPROTOCOL_INFOW *out_next_info);

/*
 * For a caller that starts providers itself (the scenario runner's
 * "provider load"): the top of the protocol chain for (@af, @type,
 * @protocol), 0 meaning any.  The LSP installed from @path (NULL: the
 * first installed LSP, the one WSASocketW prefers) with a chained entry
 * that matches: *@out_startup is its WSPStartup and *@out_info that chained
 * entry, to pass to WSPStartup and WSPSocket as ws2 does.  Returns 0,
 * WSAEPROVIDERFAILEDINIT (no such LSP installed), WSAEPROTONOSUPPORT (no
 * matching entry) or WSAEFAULT (NULL outputs).
 */
int WSPAPI wspsim_lsp_top(const char *path, int af, int type, int protocol,
                          LPWSPSTARTUP *out_startup, WSAPROTOCOL_INFOW *out_info);

/* The world the calling thread's Winsock calls act in (the default world is
 * created on first use), or NULL. */
struct SimWorld *wspsim_ws2_world(void);


/*
 * ---- Running inside a scenario: what ws2 asks of the runner ----------------
 *
 * With WSPSIM_SCENARIO set, the default world comes from the scenario
 * runner through the two functions below, looked up at run time in the
 * process by these symbol names (so the core library has no link-time
 * dependency on the runner; libwspsim.so must contain the runner for
 * pkg-config users).  doc/ws2.md, "Scenarios".
 */
typedef struct WspsimEmbedRequest {
    const char *scenario_path; /* WSPSIM_SCENARIO */
    const char *host;          /* WSPSIM_HOST: the host the application runs on */
    const char *process_name;  /* WSPSIM_PROCESS, default "app" */
    int has_seed;              /* WSPSIM_SEED given: overrides the script's */
    uint64_t seed;
    const char *trace_path;    /* WSPSIM_TRACE ("-": standard output), or NULL */
    const char *jsonl_path;    /* WSPSIM_JSONL, or NULL */
    const char *pcap_path;     /* WSPSIM_PCAP, or NULL */
    const char *msc_path;      /* WSPSIM_MSC, or NULL */
} WspsimEmbedRequest;

/* Load and check the scenario, build its world without running it (hosts,
 * links, faults and its own actors scheduled, outputs open, the trace
 * header written) and add a process @req->process_name on @req->host for
 * the application.  Returns an opaque handle with *@out_world and
 * *@out_pid set, or NULL with *@out_error (free with g_free) — e.g.
 * "faults.wsim: no host 'x'". */
typedef void *(*WspsimEmbedBeginFn)(const WspsimEmbedRequest *req, struct SimWorld **out_world,
                                    uint32_t *out_pid, char **out_error);
/* Called, on the thread that ended it, once the application's process has
 * exited (main returned, or a thread called exit: its other threads were
 * terminated) and the world has run its pending events for a while (it
 * may run further itself, e.g. to the script's "run until"): check the
 * expectations and stuck actors, print failures on stderr, write
 * statistics, close the outputs and free the world.  Returns the exit
 * status the run deserves (0: all held). */
typedef int (*WspsimEmbedFinishFn)(void *handle);

#define WSPSIM_EMBED_BEGIN_SYMBOL "wspsim_embed_begin"
#define WSPSIM_EMBED_FINISH_SYMBOL "wspsim_embed_finish"

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_WSPSIM_WS2_H */
