/* SPDX-License-Identifier: MIT
 *
 * test-net.h: a fixture for the network tests: a world with a capturing
 * input for every protocol the tests use, an error capture, the text trace
 * kept in memory and the fingerprint on, and small builders for nodes,
 * links and packets.  test_net_free() runs the world to idle and asserts
 * that no packet is left alive.
 */
#ifndef TEST_NET_H
#define TEST_NET_H

#include "sim/sim-net-private.h"

G_BEGIN_DECLS

/* A protocol number no transport uses, for raw packets. */
#define TEST_PROTO_RAW 253

typedef struct {
    SimNodeId node;
    SimTime time;
    SimPacket *pkt; /* a reference held by the fixture */
} TestRx;

typedef struct {
    SimNodeId node;
    SimTime time;
    SimIcmpHeader icmp;
} TestErr;

typedef struct {
    SimWorld *world;
    GArray *rx;     /* of TestRx, in arrival order */
    GArray *errs;   /* of TestErr */
    GString *trace; /* text trace, one line per record */
    bool keep_rx;   /* hold delivered packets (default TRUE) */
    guint64 rx_total;
} TestNet;

TestNet *test_net_new(guint64 seed);
/* The same, without trace capture or fingerprint (fast paths). */
TestNet *test_net_new_quiet(guint64 seed);
void test_net_free(TestNet *tn);

/* Adds a node with address @addr (nullable) / @prefix. */
SimNodeId test_net_node(TestNet *tn, const char *name, SimNodeKind kind, const char *addr,
                        guint prefix);
SimLinkId test_net_link(TestNet *tn, SimNodeId a, SimNodeId b, const SimLinkParams *p);
/* A link with only latency set. */
SimLinkId test_net_link_lat(TestNet *tn, SimNodeId a, SimNodeId b, SimTime latency_ns);

SimAddr test_addr(const char *text);
/* A UDP packet from @src to @dst with @len zero-filled payload bytes. */
SimPacket *test_net_udp(TestNet *tn, const char *src, const char *dst, guint16 sport, guint16 dport,
                        guint32 len);
/* A raw (TEST_PROTO_RAW) packet carrying @seq in flow_id. */
SimPacket *test_net_raw(TestNet *tn, const char *src, const char *dst, guint32 seq, guint32 len);

/* Runs the world up to exactly @t (the clock ends at @t even if the queue
 * runs dry first). */
void test_net_run_until(TestNet *tn, SimTime t);

/* Packets delivered to @node so far. */
size_t test_net_rx_count(const TestNet *tn, SimNodeId node);
const TestRx *test_net_rx(const TestNet *tn, size_t i);
/* Forget the delivered packets (and release them). */
void test_net_rx_clear(TestNet *tn);

/* Lines of the text trace containing @needle. */
size_t test_net_trace_count(const TestNet *tn, const char *needle);

G_END_DECLS

#endif /* TEST_NET_H */
