/* SPDX-License-Identifier: MIT
 *
 * sim-types.h: the small value types every part of the simulator shares —
 * simulated time, integer ids, status codes and network addresses.  No
 * Winsock names live here: spi/ maps these onto Windows types.
 */
#ifndef SIM_TYPES_H
#define SIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

/* Simulated time: nanoseconds since the world began.  Never negative. */
typedef guint64 SimTime;

#define SIM_NSEC ((SimTime) 1)
#define SIM_USEC ((SimTime) 1000)
#define SIM_MSEC ((SimTime) 1000000)
#define SIM_SEC ((SimTime) 1000000000)
/* "No deadline": a wait that only a wake-up ends. */
#define SIM_TIME_INFINITE G_MAXUINT64

/* Ids cross module boundaries instead of pointers: the same every run and
 * harmless once the object is gone (a lookup simply fails).  0 is "none". */
typedef guint32 SimNodeId;
typedef guint32 SimLinkId;
typedef guint32 SimProcessId;
typedef guint32 SimActorId;
typedef guint64 SimEventId;

#define SIM_ID_NONE 0u
#define SIM_EVENT_ID_NONE ((SimEventId) 0)

/*
 * SimStatus: outcomes of core operations.  0 is success, everything else is
 * negative.  The X-macro yields the enum and the trace names from one list
 * (libuv's uv-errno.h idea), so the two can never drift apart; spi/ maps each
 * to a WSA code in exactly one switch.
 */
#define SIM_STATUS_MAP(X)                                                      \
    X(OK, 0, "ok")                                                             \
    X(E_WOULDBLOCK, -1, "operation would block")                               \
    X(E_INVAL, -2, "invalid argument or state")                                \
    X(E_NOMEM, -3, "out of resources")                                         \
    X(E_ADDRINUSE, -4, "address in use")                                       \
    X(E_ADDRNOTAVAIL, -5, "address not available")                             \
    X(E_CONNREFUSED, -6, "connection refused")                                 \
    X(E_CONNRESET, -7, "connection reset by peer")                             \
    X(E_CONNABORTED, -8, "connection aborted")                                 \
    X(E_TIMEDOUT, -9, "timed out")                                             \
    X(E_NOTCONN, -10, "not connected")                                         \
    X(E_ISCONN, -11, "already connected")                                      \
    X(E_ALREADY, -12, "operation already in progress")                         \
    X(E_INPROGRESS, -13, "operation now in progress")                          \
    X(E_MSGSIZE, -14, "message too long")                                      \
    X(E_NETUNREACH, -15, "network unreachable")                                \
    X(E_HOSTUNREACH, -16, "host unreachable")                                  \
    X(E_NETDOWN, -17, "network down")                                          \
    X(E_SHUTDOWN, -18, "endpoint shut down")                                   \
    X(E_NOBUFS, -19, "no buffer space")                                        \
    X(E_INTERRUPTED, -20, "interrupted")                                       \
    X(E_KILLED, -21, "actor's process was killed")                             \
    X(E_NOTFOUND, -22, "no such object")                                       \
    X(E_NOTSUP, -23, "operation not supported")                                \
    X(E_ACCES, -24, "permission denied")                                       \
    X(E_NETRESET, -25, "network dropped connection on reset")                  \
    X(E_TTL, -26, "time to live exceeded")                                     \
    X(E_PORTUNREACH, -27, "port unreachable")                                  \
    X(E_ABORTED, -28, "operation aborted")

typedef enum {
#define SIM_STATUS_ENUM(name, value, text) SIM_##name = value,
    SIM_STATUS_MAP(SIM_STATUS_ENUM)
#undef SIM_STATUS_ENUM
} SimStatus;

/* Short symbolic name ("E_TIMEDOUT"), for traces.  Never NULL. */
const char *sim_status_name(SimStatus st);
/* Human-readable text ("timed out").  Never NULL. */
const char *sim_status_text(SimStatus st);
/* Every status, in declaration order: for tests that walk them all. */
const SimStatus *sim_status_all(size_t *out_count);

/* ---- Addresses ------------------------------------------------------- */

typedef enum {
    SIM_AF_NONE = 0,
    SIM_AF_INET = 4,
    SIM_AF_INET6 = 6,
} SimFamily;

/* An IPv4 or IPv6 address in network byte order.  IPv4 uses bytes[0..3]. */
typedef struct {
    guint8 family; /* SimFamily */
    guint8 bytes[16];
} SimAddr;

/* An address and a port (host byte order). */
typedef struct {
    SimAddr addr;
    guint16 port;
} SimSockAddr;

/* Longest text sim_addr_to_string() writes, with the NUL. */
#define SIM_ADDR_STRLEN 48
/* Longest text sim_sockaddr_to_string() writes ("[v6]:port"), with the NUL. */
#define SIM_SOCKADDR_STRLEN 56

bool sim_addr_parse(const char *text, SimAddr *out_addr);
bool sim_sockaddr_parse(const char *text, SimSockAddr *out_sa);
char *sim_addr_to_string(const SimAddr *addr, char buf[SIM_ADDR_STRLEN]);
char *sim_sockaddr_to_string(const SimSockAddr *sa, char buf[SIM_SOCKADDR_STRLEN]);
SimAddr sim_addr_v4(guint8 a, guint8 b, guint8 c, guint8 d);
SimAddr sim_addr_any(SimFamily family);
bool sim_addr_equal(const SimAddr *a, const SimAddr *b);
bool sim_addr_is_any(const SimAddr *a);
bool sim_addr_is_loopback(const SimAddr *a);
bool sim_addr_is_multicast(const SimAddr *a);
bool sim_addr_is_broadcast(const SimAddr *a);
guint sim_addr_hash(const SimAddr *a);
guint32 sim_addr_v4_u32(const SimAddr *a); /* host byte order */

G_END_DECLS

#endif /* SIM_TYPES_H */
