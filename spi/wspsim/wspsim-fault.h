/* SPDX-License-Identifier: MIT
 *
 * wspsim-fault.h: provider-level fault injection — make WSP calls of a
 * simulated process fail, accept fewer bytes, return fewer bytes, or
 * complete later, deterministically.  Only outcomes real Winsock can produce
 * are offered: a call can fail only with a code its documentation lists
 * (REFERENCE.md section 3), short sends hit only non-blocking stream sockets
 * (where Winsock may accept part of the buffers), short receives only stream
 * sockets.  Each injection shows in the trace as a FAULT record naming the
 * call it hit.
 *
 * Rules apply to calls made through the proc table WSPStartup returned
 * (the scenario runner, ws2/ and embedded C code all call that way).
 */
#ifndef WSPSIM_WSPSIM_FAULT_H
#define WSPSIM_WSPSIM_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#ifdef __cplusplus
extern "C" {
#endif

struct SimWorld;

/* When a rule fires, counting the calls it covers (per process). */
typedef enum {
    WSPSIM_FAULT_NTH,         /* the Nth call only (N >= 1) */
    WSPSIM_FAULT_EVERY,       /* every Kth call: K, 2K, 3K... (K >= 1) */
    WSPSIM_FAULT_PROBABILITY, /* each call with probability P ppm (1..1,000,000), seeded */
} WSPSIM_FAULT_TRIGGER;

#define WSPSIM_FAULT_ERROR (wspsim_fault_error_quark())
GQuark wspsim_fault_error_quark(void);
typedef enum {
    WSPSIM_FAULT_ERROR_FUNCTION, /* no such WSP function (or not one a client calls) */
    WSPSIM_FAULT_ERROR_CODE,     /* the function never returns that code on Windows */
    WSPSIM_FAULT_ERROR_RANGE,    /* a count, probability or size out of range */
} WSPSimFaultErrorCode;

/* Fail calls of @function ("WSPSend") made by process @pid (0: every
 * process) with @wsa_error.  Returns a rule id > 0, or 0 and @error. */
guint wspsim_fault_fail_calls(struct SimWorld *world, uint32_t pid, const char *function,
                              WSPSIM_FAULT_TRIGGER trigger, uint32_t value, int wsa_error,
                              GError **error);
/* Non-blocking stream sends (WSPSend/WSPSendTo) accept at most @max_bytes
 * (>= 1) when the rule fires. */
guint wspsim_fault_short_sends(struct SimWorld *world, uint32_t pid, uint32_t max_bytes,
                               WSPSIM_FAULT_TRIGGER trigger, uint32_t value, GError **error);
/* Stream receives (WSPRecv/WSPRecvFrom) return at most @max_bytes (>= 1)
 * when the rule fires. */
guint wspsim_fault_short_recvs(struct SimWorld *world, uint32_t pid, uint32_t max_bytes,
                               WSPSIM_FAULT_TRIGGER trigger, uint32_t value, GError **error);
/* Overlapped completions of process @pid are delivered @delay_ns later. */
guint wspsim_fault_delay_completions(struct SimWorld *world, uint32_t pid, uint64_t delay_ns,
                                     GError **error);
/* The extra delay for an overlapped completion of @pid now (0 if none);
 * the overlapped I/O code calls it. */
uint64_t wspsim_fault_completion_delay(struct SimWorld *world, uint32_t pid);

bool wspsim_fault_remove(struct SimWorld *world, guint rule);
/* How many times @rule has fired. */
uint64_t wspsim_fault_hits(struct SimWorld *world, guint rule);

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_WSPSIM_FAULT_H */
