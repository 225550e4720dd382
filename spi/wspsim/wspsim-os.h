/* SPDX-License-Identifier: MIT
 *
 * wspsim-os.h: the simulated operating-system objects that sit beside the
 * Winsock DLL — event objects, window message queues and thread handles —
 * shared by the provider's default upcall table (WPUCreateEvent,
 * WPUSetEvent, WPUPostMessage, WPUQueueApc, WPUOpenCurrentThread ...) and by
 * the application-side Win32 subset (CreateEvent, WaitForMultipleObjects,
 * GetMessage ...).  Waits advance simulated time: a wait by an actor parks it
 * until an object is signalled, its time-out passes or, when alertable, an
 * APC is queued to it.  Outside any actor a wait can only poll.
 *
 * Handles are per world and deterministic: the n-th object created gets the
 * same value on every run.
 */
#ifndef WSPSIM_OS_H
#define WSPSIM_OS_H

#include "winsock2.h"

#ifdef __cplusplus
extern "C" {
#endif

struct SimWorld;

/* A posted window message, as GetMessage returns it (winuser.h MSG without
 * the cursor position). */
typedef struct WSPSIM_MSG {
    HWND hwnd;
    UINT message;
    WPARAM wParam;
    LPARAM lParam;
    DWORD time; /* simulated milliseconds, like GetTickCount() */
} WSPSIM_MSG;

typedef enum {
    WSPSIM_HANDLE_NONE = 0,
    WSPSIM_HANDLE_EVENT,
    WSPSIM_HANDLE_WINDOW,
    WSPSIM_HANDLE_THREAD,
} WSPSIM_HANDLE_KIND;

/* Events (CreateEvent / WSACreateEvent / WPUCreateEvent). */
HANDLE wspsim_os_event_create(struct SimWorld *world, BOOL manual_reset, BOOL initial_state);
BOOL wspsim_os_event_set(struct SimWorld *world, HANDLE event);
BOOL wspsim_os_event_reset(struct SimWorld *world, HANDLE event);
/* TRUE if @event names a live event; *out_signalled (nullable) its state. */
BOOL wspsim_os_event_query(struct SimWorld *world, HANDLE event, BOOL *out_signalled);

/* Windows (WSPAsyncSelect targets).  @owner_pid: the process that reads it. */
HWND wspsim_os_window_create(struct SimWorld *world, DWORD owner_pid);
/* PostMessage: FALSE for a bad window (WPUPostMessage's contract). */
BOOL wspsim_os_post_message(struct SimWorld *world, HWND hwnd, UINT msg, WPARAM wparam,
                            LPARAM lparam);
/* PeekMessage for one window: TRUE and *out if a message is queued; @remove
 * takes it off the queue.  Never waits. */
BOOL wspsim_os_peek_message(struct SimWorld *world, HWND hwnd, WSPSIM_MSG *out, BOOL remove);
/* GetMessage with a time-out (WSA_INFINITE for none): 1 and *out when a
 * message came, 0 on time-out, -1 for a bad window. */
int wspsim_os_get_message(struct SimWorld *world, HWND hwnd, WSPSIM_MSG *out, DWORD timeout_ms);
size_t wspsim_os_message_count(struct SimWorld *world, HWND hwnd);

/* Threads: a handle for an actor (WPUOpenCurrentThread, CreateThread). */
HANDLE wspsim_os_thread_handle(struct SimWorld *world, DWORD actor_id);
/* The actor a thread handle names, or 0. */
DWORD wspsim_os_thread_actor(struct SimWorld *world, HANDLE thread);

/* Any handle: its kind, and close (FALSE if not a live handle).  Closing an
 * event that actors wait on wakes them; their wait fails. */
WSPSIM_HANDLE_KIND wspsim_os_handle_kind(struct SimWorld *world, HANDLE h);
BOOL wspsim_os_handle_close(struct SimWorld *world, HANDLE h);
size_t wspsim_os_handle_count(struct SimWorld *world);

/*
 * WaitForMultipleObjects / WSAWaitForMultipleEvents over events and thread
 * handles (a thread is signalled once its actor has finished).  Returns
 * WAIT_OBJECT_0 + i (the lowest signalled index when !wait_all),
 * WAIT_TIMEOUT, WAIT_IO_COMPLETION (alertable: APCs ran), or WAIT_FAILED with
 * *out_error (nullable) set to WSA_INVALID_HANDLE or WSA_INVALID_PARAMETER.
 * Auto-reset events that satisfy the wait are reset.
 */
DWORD wspsim_os_wait(struct SimWorld *world, DWORD count, const HANDLE *handles, BOOL wait_all,
                     DWORD timeout_ms, BOOL alertable, int *out_error);
/* SleepEx: WAIT_IO_COMPLETION if alertable and APCs ran, else 0. */
DWORD wspsim_os_sleep(struct SimWorld *world, DWORD ms, BOOL alertable);

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_OS_H */
