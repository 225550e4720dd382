/* SPDX-License-Identifier: MIT */
/*
 * wspsim/wspsim-spi.h - embedding helpers of the simulated provider that
 * Ws2spi.h has no names for: naming the process WSP* calls act for when no
 * simulated actor runs, the provider's protocol catalog, and the default
 * upcall table (the simulated Winsock DLL side).  doc/spi-choices.md.
 */
#ifndef WSPSIM_WSPSIM_SPI_H
#define WSPSIM_WSPSIM_SPI_H

#include <wspsim/ws2spi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque here: a SimWorld of sim/sim.h.  Process ids are sim's SimProcessId. */
struct SimWorld;

/* The process WSP* calls act for when they run outside any actor (C code
 * called from main, between sim_world_run calls).  Inside an actor the
 * actor's own process is used.  @world NULL clears the context. */
void wspsim_set_context(struct SimWorld *world, uint32_t pid);

/* The provider's catalog: *@out_count entries, owned by the provider,
 * in catalog order. */
const WSAPROTOCOL_INFOW *wspsim_catalog(size_t *out_count);
/* The entry with @catalog_id, or NULL. */
const WSAPROTOCOL_INFOW *wspsim_catalog_entry(DWORD catalog_id);

/* The provider GUID of every catalog entry. */
extern const GUID wspsim_provider_guid;

/* Catalog entry ids, in catalog order. */
#define WSPSIM_CATALOG_TCP_V4 1001
#define WSPSIM_CATALOG_TCP_V6 1002
#define WSPSIM_CATALOG_UDP_V4 1003
#define WSPSIM_CATALOG_UDP_V6 1004
#define WSPSIM_CATALOG_MP_ROOTED_V4 1005
#define WSPSIM_CATALOG_MP_ROOTED_V6 1006

/* The default WSPUPCALLTABLE: deterministic socket handles per process
 * (0x100, 0x104, ...), WPUQueryBlockingCallback (no hook), WPUFDIsSet,
 * WPUOpenCurrentThread/WPUCloseThread (a simulated thread handle, actor id
 * in Reserved), and events, window messages and APCs over the simulated OS
 * objects of wspsim-os.h (doc/notification.md). */
WSPUPCALLTABLE wspsim_default_upcall_table(void);

/* WSPCancelBlockingCall on behalf of @actor_id (a scenario runner acting
 * for another simulated thread): its blocking provider call fails with
 * WSAEINTR.  Returns 0, or WSAEINVAL when it is not in one. */
int wspsim_cancel_blocking_call(struct SimWorld *world, uint32_t actor_id);

/* Simulated time between two calls of the client's blocking hook
 * (WPUQueryBlockingCallback) while a provider call blocks; default 10 ms;
 * 0 restores the default. */
void wspsim_set_blocking_hook_period(struct SimWorld *world, uint64_t period_ns);

/* Busy-poll guard (doc/reliability.md, "Time bounds"): a simulated thread
 * that makes more than @calls WSP calls at one simulated instant never lets
 * time advance.  The calls go on as usual (no invented Winsock error); the
 * provider writes one trace NOTE "busy-poll" for the thread and remembers
 * it.  @calls 0 restores the default, 1,000,000. */
void wspsim_set_busy_poll_limit(struct SimWorld *world, uint64_t calls);
/* The first simulated thread (actor id) caught busy-polling, or 0; with
 * @out_count (nullable), how many threads were. */
uint32_t wspsim_busy_poll_actor(struct SimWorld *world, size_t *out_count);

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_WSPSIM_SPI_H */
