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

/* The world the calling thread's Winsock calls act in (the default world is
 * created on first use), or NULL. */
struct SimWorld *wspsim_ws2_world(void);

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_WSPSIM_WS2_H */
