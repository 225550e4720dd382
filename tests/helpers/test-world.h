/* SPDX-License-Identifier: MIT
 *
 * test-world.h: the SPI test fixture — a world with two hosts ("client"
 * 10.0.0.1 / fd00::1 and "server" 10.0.0.2 / fd00::2) joined by one link,
 * one process per host with WSPStartup done, the text trace kept in memory
 * and the fingerprint on, and helpers to run C actors (coroutines) that
 * make blocking WSP calls in simulated time.
 */
#ifndef TEST_WORLD_H
#define TEST_WORLD_H

#include "sim/sim.h"

#include <wspsim/ws2spi.h>
#include <wspsim/wspsim-spi.h>

G_BEGIN_DECLS

#define TEST_WORLD_SEED 20240915u
#define TEST_LINK_LATENCY (5 * SIM_MSEC)

typedef struct {
    SimWorld *world;
    SimNodeId client, server;
    SimLinkId link;
    SimProcessId pc, ps;  /* a process on each host */
    WSPPROC_TABLE procs;
    WSPDATA data;
    GString *trace;       /* text trace, one line per record */
} TestWorld;

TestWorld *test_world_new(guint64 seed);
void test_world_free(TestWorld *tw);

/* Name @pid as the process of WSP* calls made from the test's main code. */
void test_world_use(TestWorld *tw, SimProcessId pid);
/* A coroutine actor of @pid running @fn(@data), started now. */
SimActorId test_world_spawn(TestWorld *tw, SimProcessId pid, const char *name, SimActorFn fn,
                            void *data);
/* Run until idle or @limit_ns of simulated time from now. */
void test_world_run(TestWorld *tw, SimTime limit_ns);

/* "10.0.0.2", 80 -> sockaddr_in (or sockaddr_in6 for a v6 text). */
SOCKADDR_STORAGE test_sa(const char *ip, int port, int *out_len);

/* Convenience wrappers that assert success (from main or an actor). */
SOCKET test_socket(int af, int type);
void test_bind(SOCKET s, const char *ip, int port);
void test_listen(SOCKET s);
int test_send_str(SOCKET s, const char *str);
/* Receive into @buf (NUL-terminated); returns bytes, or -1 with *@out_err. */
int test_recv(SOCKET s, char *buf, size_t cap, DWORD flags, int *out_err);
void test_close(SOCKET s);

/* A connected stream pair made from the test's main code (no actor): a
 * listener on server 10.0.0.2:@port (process ps), a client socket of pc
 * connected to it, and the server's accepted socket.  @af is AF_INET or
 * AF_INET6 (fd00::2).  Leaves the context on pc. */
void test_world_tcp_pair(TestWorld *tw, int af, int port, SOCKET *out_listener,
                         SOCKET *out_client, SOCKET *out_accepted);

/* Lines of the trace containing @needle. */
size_t test_world_trace_count(const TestWorld *tw, const char *needle);

G_END_DECLS

#endif /* TEST_WORLD_H */
