/* SPDX-License-Identifier: MIT
 *
 * test-pair.h: the TCP test fixture (lwIP's tcp_helper): a world with two
 * hosts, "a" (10.0.0.1) and "b" (10.0.0.2), joined by one link, a capture
 * of every segment the transport sends, crafted-segment injection, and a
 * recorder for upward notifications.
 *
 * Two modes:
 *   live  both hosts run the real transport; segments are captured and
 *         then sent over the link.
 *   raw   host b is scripted by the test: whatever a sends to b is
 *         captured and swallowed, and the test answers with
 *         test_pair_inject(), which hands a crafted segment to a's input
 *         at once.
 *
 * test_pair_free() aborts the sockets the test left open, runs the world
 * to idle and asserts that no packet, TCB or event is left alive.
 */
#ifndef TEST_PAIR_H
#define TEST_PAIR_H

#include "sim/sim-tcp-private.h"

G_BEGIN_DECLS

#define TEST_PORT 7000

/* A segment as captured or to inject.  Sequence and ack are absolute. */
typedef struct {
    SimTime time;
    SimNodeId from; /* the sending node */
    guint16 sport, dport;
    guint8 flags; /* SIM_TCP_* */
    guint32 seq, ack;
    guint32 wnd;
    guint16 urg, mss;
    guint8 wscale;
    guint32 len;
    const guint8 *data; /* inject: payload (nullable: zeros); captured: NULL */
} TestSeg;

typedef struct {
    SimTime time;
    SimSocketId sock;
    guint32 events;
    SimStatus err;
} TestNote;

enum {
    TEST_PAIR_RAW = 1u << 0,   /* b is scripted */
    TEST_PAIR_TRACE = 1u << 1, /* keep the text trace in ->trace */
};

typedef struct {
    SimWorld *world;
    SimNodeId a, b;
    SimLinkId link;
    guint flags;
    GArray *tx;     /* of TestSeg, every segment sent, in order */
    GArray *notes;  /* of TestNote */
    GString *trace; /* with TEST_PAIR_TRACE */
    bool capture;   /* record into ->tx (default TRUE) */
} TestPair;

/* Link params for both directions: nullable = 1 ms latency, nothing else. */
TestPair *test_pair_new_full(guint64 seed, guint flags, const SimLinkParams *params);
TestPair *test_pair_new(guint64 seed);     /* live */
TestPair *test_pair_new_raw(guint64 seed); /* raw */
void test_pair_free(TestPair *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestPair, test_pair_free)

SimAddr test_pair_addr(const TestPair *p, SimNodeId node);
SimSockAddr test_pair_sockaddr(const TestPair *p, SimNodeId node, guint16 port);

/* Run for @dt of simulated time (the clock ends exactly at now + dt). */
void test_pair_run(TestPair *p, SimTime dt);
/* Run until nothing is left to do. */
void test_pair_run_idle(TestPair *p);

size_t test_pair_tx_count(const TestPair *p);
const TestSeg *test_pair_tx(const TestPair *p, size_t i);
/* The last segment sent (NULL if none). */
const TestSeg *test_pair_last_tx(const TestPair *p);
/* Flags of the last segment sent, 0 if none. */
guint8 test_pair_last_tx_flags(const TestPair *p);
void test_pair_tx_clear(TestPair *p);
/* Segments sent by @from carrying payload (len > 0). */
size_t test_pair_data_segs(const TestPair *p, SimNodeId from);

/* Hand @seg (from b's address to a's, ports as given) to a's input now. */
void test_pair_inject(TestPair *p, const TestSeg *seg);

/* Record every notification of @sock into ->notes. */
void test_pair_watch(TestPair *p, SimSocketId sock);
/* OR of the events noted for @sock. */
guint32 test_pair_events(const TestPair *p, SimSocketId sock);
/* The error of the latest note of @sock carrying @event (SIM_OK if none). */
SimStatus test_pair_note_err(const TestPair *p, SimSocketId sock, guint32 event);
void test_pair_notes_clear(TestPair *p);

/* Live mode: b listens on TEST_PORT (backlog 8), a connects; returns once
 * established with the accepted child.  @out_listener may be NULL. */
void test_pair_connect(TestPair *p, SimSocketId *out_client, SimSocketId *out_server,
                       SimSocketId *out_listener);

/* Raw mode: a connects to b:TEST_PORT; the test's peer answers SYN,ACK
 * with @peer_iss and window @peer_wnd; returns the socket and a's ISS.
 * ->tx is cleared afterwards. */
SimSocketId test_pair_raw_connect(TestPair *p, guint32 peer_iss, guint32 peer_wnd,
                                  guint32 *out_iss);

/* Send all of @len bytes (asserts the send buffer takes them). */
void test_pair_send_all(TestPair *p, SimSocketId sock, const void *buf, size_t len);
/* Read everything readable now into @out (appending). */
size_t test_pair_recv_all(TestPair *p, SimSocketId sock, GByteArray *out);

SimTcpState test_pair_state(const TestPair *p, SimSocketId sock);

G_END_DECLS

#endif /* TEST_PAIR_H */
