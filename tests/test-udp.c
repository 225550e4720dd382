/* SPDX-License-Identifier: MIT
 * test-udp: the datagram transport over the simulated network — message
 * boundaries, size limits, fragmentation loss, truncation and peek,
 * ephemeral ports, address reuse, broadcast, multicast (fan-out, leave, TTL
 * scope, loopback), port unreachable, connected filtering, receive buffer
 * overflow, host crash, notifications and determinism. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "sim/sim-private.h"

#define TEST_SEED 20240601u

/* ---- Fixture ---------------------------------------------------------- */

typedef struct {
    SimNodeId node;
    SimDropReason reason;
    guint32 payload_len;
    guint8 proto;
} DropRec;

typedef struct {
    SimSocketId sock;
    guint32 events;
    SimStatus err;
} NoteRec;

typedef struct {
    SimWorld *w;
    GArray *drops; /* of DropRec: every SIM_TR_PKT_DROP */
    GArray *notes; /* of NoteRec: every notification of sockets using note_cb */
} Fix;

static void
drop_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    Fix *f = data;
    DropRec d;

    (void) world;
    if (rec->kind != SIM_TR_PKT_DROP)
        return;
    d.node = rec->node;
    d.reason = rec->reason;
    d.payload_len = rec->packet != NULL ? rec->packet->payload_len : 0;
    d.proto = rec->packet != NULL ? rec->packet->proto : 0;
    g_array_append_val(f->drops, d);
}

static void
note_cb(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Fix *f = data;
    NoteRec n = { sock, events, err };

    (void) world;
    g_array_append_val(f->notes, n);
}

static Fix *
fix_new(guint64 seed)
{
    Fix *f = g_new0(Fix, 1);

    f->w = sim_world_new(seed);
    f->drops = g_array_new(FALSE, TRUE, sizeof(DropRec));
    f->notes = g_array_new(FALSE, TRUE, sizeof(NoteRec));
    sim_trace_add_sink(f->w, drop_sink, f);
    return f;
}

/* Teardown: let reassembly timers and in-flight packets finish, then check
 * that nothing is left alive, and free. */
static void
fix_free(Fix *f)
{
    sim_world_run_until(f->w, sim_world_now(f->w) + 2 * SIM_NET_REASM_TIMEOUT_DEFAULT);
    assert_int_equal(sim_net_reasm_pending(f->w), 0);
    assert_int_equal(sim_world_packets_alive(f->w), 0);
    sim_trace_remove_sink(f->w, drop_sink, f);
    sim_world_free(f->w);
    g_array_unref(f->drops);
    g_array_unref(f->notes);
    g_free(f);
}

static SimAddr
addr(const char *text)
{
    SimAddr a;

    assert_true(sim_addr_parse(text, &a));
    return a;
}

static SimSockAddr
sa(const char *text)
{
    SimSockAddr s;

    assert_true(sim_sockaddr_parse(text, &s));
    return s;
}

static SimNodeId
host(Fix *f, const char *name, SimNodeKind kind, const char *a, guint prefix)
{
    SimNodeId n = sim_node_add(f->w, name, kind);
    SimAddr ad;

    assert_int_not_equal(n, SIM_ID_NONE);
    if (a != NULL) {
        ad = addr(a);
        assert_int_equal(sim_node_add_addr(f->w, n, &ad, prefix), SIM_OK);
    }
    return n;
}

static void
add_addr(Fix *f, SimNodeId n, const char *a, guint prefix)
{
    SimAddr ad = addr(a);

    assert_int_equal(sim_node_add_addr(f->w, n, &ad, prefix), SIM_OK);
}

static SimLinkId
link_nodes(Fix *f, SimNodeId a, SimNodeId b, guint32 mtu, guint32 loss_ab_ppm)
{
    SimLinkParams ab, ba;
    SimLinkId l;

    sim_link_params_init(&ab);
    ab.latency_ns = SIM_MSEC;
    if (mtu != 0)
        ab.mtu = mtu;
    ba = ab;
    ab.loss_ppm = loss_ab_ppm;
    l = sim_link_add(f->w, a, b, &ab, &ba);
    assert_int_not_equal(l, SIM_ID_NONE);
    return l;
}

static void
run_ms(Fix *f, guint ms)
{
    sim_world_run_until(f->w, sim_world_now(f->w) + ms * SIM_MSEC);
}

static SimSocketId
udp_open(Fix *f, SimNodeId n, SimFamily fam)
{
    SimSocketId s = sim_udp_open(f->w, n, fam);

    assert_int_not_equal(s, 0);
    sim_udp_set_notify(f->w, s, note_cb, f);
    return s;
}

static SimSocketId
udp_bound(Fix *f, SimNodeId n, const char *local)
{
    SimSockAddr l = sa(local);
    SimSocketId s = udp_open(f, n, l.addr.family);

    assert_int_equal(sim_udp_bind(f->w, s, &l), SIM_OK);
    return s;
}

static SimStatus
send_to(Fix *f, SimSocketId s, const char *to, const void *data, size_t len)
{
    SimSockAddr t = sa(to);

    return sim_udp_sendto(f->w, s, &t, data, len);
}

static SimStatus
send_str(Fix *f, SimSocketId s, const char *to, const char *text)
{
    return send_to(f, s, to, text, strlen(text));
}

/* Receive into @buf (cap @cap), asserting success; returns the length. */
static size_t
recv_ok(Fix *f, SimSocketId s, void *buf, size_t cap, SimSockAddr *from)
{
    size_t len = 0;
    bool trunc = true;

    assert_int_equal(sim_udp_recvfrom(f->w, s, buf, cap, 0, &len, from, &trunc), SIM_OK);
    return len;
}

/* How many datagrams are queued; drains them. */
static size_t
drain(Fix *f, SimSocketId s)
{
    size_t n = 0;
    guint8 buf[16];

    while (sim_udp_recvfrom(f->w, s, buf, sizeof buf, 0, NULL, NULL, NULL) == SIM_OK)
        n++;
    return n;
}

static size_t
count_drops(const Fix *f, SimDropReason reason, SimNodeId node)
{
    size_t n = 0;

    for (guint i = 0; i < f->drops->len; i++) {
        const DropRec *d = &g_array_index(f->drops, DropRec, i);

        if (d->reason == reason && (node == SIM_ID_NONE || d->node == node))
            n++;
    }
    return n;
}

static size_t
count_notes(const Fix *f, SimSocketId s, guint32 event)
{
    size_t n = 0;

    for (guint i = 0; i < f->notes->len; i++) {
        const NoteRec *r = &g_array_index(f->notes, NoteRec, i);

        if (r->sock == s && (r->events & event) != 0)
            n++;
    }
    return n;
}

static bool
sockaddr_eq_text(const SimSockAddr *got, const char *want)
{
    SimSockAddr w = sa(want);

    return got->port == w.port && sim_addr_equal(&got->addr, &w.addr);
}

/* Two hosts on one link: a 10.0.0.1, b 10.0.0.2 (and fd00::1, fd00::2). */
typedef struct {
    Fix *f;
    SimNodeId a, b;
    SimLinkId l;
} Pair;

static Pair
pair_new(guint32 mtu, guint32 loss_ab_ppm)
{
    Pair p;

    p.f = fix_new(TEST_SEED);
    p.a = host(p.f, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    p.b = host(p.f, "b", SIM_NODE_HOST, "10.0.0.2", 24);
    add_addr(p.f, p.a, "fd00::1", 64);
    add_addr(p.f, p.b, "fd00::2", 64);
    p.l = link_nodes(p.f, p.a, p.b, mtu, loss_ab_ppm);
    return p;
}

/* ---- Tests ------------------------------------------------------------ */

static void
test_udp_send_recv_boundaries(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSocketId ca = udp_bound(f, p.a, "10.0.0.1:4000");
    SimSocketId sb = udp_bound(f, p.b, "10.0.0.2:5000");
    guint8 big[300], buf[1000];
    SimSockAddr from;

    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (guint8) i;
    assert_int_equal(send_str(f, ca, "10.0.0.2:5000", "hello"), SIM_OK);
    assert_int_equal(send_to(f, ca, "10.0.0.2:5000", NULL, 0), SIM_OK);
    assert_int_equal(send_to(f, ca, "10.0.0.2:5000", big, sizeof big), SIM_OK);
    assert_int_equal(sim_udp_recvfrom(f->w, sb, buf, sizeof buf, 0, NULL, NULL, NULL),
                     SIM_E_WOULDBLOCK);
    run_ms(f, 10);

    assert_int_equal(sim_udp_queued_count(f->w, sb), 3);
    /* FIONREAD on a message socket: the total queued (SPI page). */
    assert_int_equal(sim_udp_bytes_readable(f->w, sb), 5 + 0 + 300);
    {
        size_t first = 0;

        assert_true(sim_udp_next_size(f->w, sb, &first));
        assert_int_equal(first, 5);
    }
    /* One datagram per receive, never merged, even with room for all. */
    assert_int_equal(recv_ok(f, sb, buf, sizeof buf, &from), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_true(sockaddr_eq_text(&from, "10.0.0.1:4000"));
    assert_int_equal(recv_ok(f, sb, buf, sizeof buf, &from), 0);
    assert_int_equal(recv_ok(f, sb, buf, sizeof buf, &from), 300);
    assert_memory_equal(buf, big, 300);
    assert_int_equal(sim_udp_recvfrom(f->w, sb, buf, sizeof buf, 0, NULL, NULL, NULL),
                     SIM_E_WOULDBLOCK);
    assert_int_equal(sim_udp_bytes_readable(f->w, sb), 0);

    /* Reply the other way with send() after connect. */
    {
        SimSockAddr peer = sa("10.0.0.1:4000");

        assert_int_equal(sim_udp_connect(f->w, sb, &peer), SIM_OK);
        assert_int_equal(sim_udp_send(f->w, sb, "pong", 4), SIM_OK);
        run_ms(f, 10);
        assert_int_equal(recv_ok(f, ca, buf, sizeof buf, &from), 4);
        assert_true(sockaddr_eq_text(&from, "10.0.0.2:5000"));
    }
    {
        SimUdpStats st;

        assert_int_equal(sim_udp_get_stats(f->w, ca, &st), SIM_OK);
        assert_int_equal(st.sent_dgrams, 3);
        assert_int_equal(st.sent_bytes, 305);
        assert_int_equal(st.recv_dgrams, 1);
    }
    fix_free(f);
}

static void
fill_pattern(guint8 *buf, size_t len, guint seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (guint8) (i * 7 + seed);
}

static void
test_udp_size_limits(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSocketId a4 = udp_bound(f, p.a, "10.0.0.1:0");
    SimSocketId b4 = udp_bound(f, p.b, "10.0.0.2:6000");
    SimSocketId a6 = udp_bound(f, p.a, "[::]:0");
    SimSocketId b6 = udp_bound(f, p.a, "[::]:6000");
    g_autofree guint8 *out = g_malloc(SIM_UDP_MAX_DGRAM_V6 + 1);
    g_autofree guint8 *in = g_malloc(SIM_UDP_MAX_DGRAM_V6 + 1);
    bool trunc = true;
    size_t len = 0;

    fill_pattern(out, SIM_UDP_MAX_DGRAM_V6 + 1, 3);
    assert_int_equal(SIM_UDP_MAX_DGRAM_V4, 65507);
    assert_int_equal(SIM_UDP_MAX_DGRAM_V6, 65527);

    /* IPv4: 65,507 bytes go (in 45 fragments over MTU 1500), one more does not. */
    assert_int_equal(send_to(f, a4, "10.0.0.2:6000", out, 65507), SIM_OK);
    assert_int_equal(send_to(f, a4, "10.0.0.2:6000", out, 65508), SIM_E_MSGSIZE);
    /* IPv6: the payload-length field excludes the IPv6 header.  The network
     * layer does not fragment IPv6 (no source fragmentation yet: see
     * doc/udp.md), so the largest datagram is tried where no link MTU
     * applies: the host's own address and the loopback address. */
    assert_int_equal(send_to(f, a6, "[fd00::1]:6000", out, 65527), SIM_OK);
    assert_int_equal(send_to(f, a6, "[fd00::1]:6000", out, 65528), SIM_E_MSGSIZE);
    assert_int_equal(send_to(f, a6, "[::1]:6000", out, 65528), SIM_E_MSGSIZE);
    run_ms(f, 100);

    assert_int_equal(sim_udp_queued_count(f->w, b4), 1);
    assert_int_equal(sim_udp_recvfrom(f->w, b4, in, 65508, 0, &len, NULL, &trunc), SIM_OK);
    assert_int_equal(len, 65507);
    assert_false(trunc);
    assert_memory_equal(in, out, 65507);

    /* One maximal datagram at a time fits the default 64 KiB buffer. */
    for (int i = 0; i < 2; i++) {
        if (i == 1) {
            assert_int_equal(send_to(f, a6, "[::1]:6000", out, 65527), SIM_OK);
            run_ms(f, 10);
        }
        assert_int_equal(sim_udp_queued_count(f->w, b6), 1);
        assert_int_equal(sim_udp_recvfrom(f->w, b6, in, 65528, 0, &len, NULL, &trunc), SIM_OK);
        assert_int_equal(len, 65527);
        assert_false(trunc);
        assert_memory_equal(in, out, 65527);
    }
    {
        SimUdpStats st;

        assert_int_equal(sim_udp_get_stats(f->w, a4, &st), SIM_OK);
        assert_int_equal(st.sent_dgrams, 1); /* the refused one is not counted */
    }
    fix_free(f);
}

/* MTU 576 and 10% loss from a to b: a 4,000-byte datagram travels as 8
 * fragments, and it arrives exactly when none of its fragments was lost. */
static void
test_udp_fragment_loss(void **state)
{
    (void) state;
    Pair p = pair_new(576, 100000);
    Fix *f = p.f;
    SimSocketId s = udp_bound(f, p.a, "10.0.0.1:0");
    SimSocketId r = udp_bound(f, p.b, "10.0.0.2:6000");
    guint8 out[4000], in[4001];
    guint whole = 0, partial = 0, all_lost = 0;

    for (guint i = 0; i < 80; i++) {
        SimLinkStats before, after;
        guint64 frags, lost;

        fill_pattern(out, sizeof out, i);
        assert_int_equal(sim_link_get_stats(f->w, p.l, SIM_DIR_AB, &before), SIM_OK);
        assert_int_equal(send_to(f, s, "10.0.0.2:6000", out, sizeof out), SIM_OK);
        run_ms(f, 20);
        assert_int_equal(sim_link_get_stats(f->w, p.l, SIM_DIR_AB, &after), SIM_OK);
        frags = after.sent_packets - before.sent_packets;
        lost = after.lost_packets - before.lost_packets;
        assert_int_equal(frags, 8); /* ceil(4008 / 552) */
        if (lost == 0) {
            size_t len = 0;

            whole++;
            assert_int_equal(sim_udp_queued_count(f->w, r), 1);
            assert_int_equal(sim_udp_recvfrom(f->w, r, in, sizeof in, 0, &len, NULL, NULL), SIM_OK);
            assert_int_equal(len, sizeof out);
            assert_memory_equal(in, out, sizeof out);
        } else {
            if (lost < frags)
                partial++;
            else
                all_lost++;
            assert_int_equal(sim_udp_queued_count(f->w, r), 0);
        }
    }
    print_message("whole %u, partly lost %u, wholly lost %u\n", whole, partial, all_lost);
    assert_true(whole > 0);
    assert_true(partial > 0); /* one lost fragment is enough to lose the datagram */
    /* The partial ones wait in reassembly until the timeout, then are dropped. */
    assert_true(sim_net_reasm_pending(f->w) > 0);
    sim_world_run_until(f->w, sim_world_now(f->w) + SIM_NET_REASM_TIMEOUT_DEFAULT + SIM_SEC);
    assert_int_equal(sim_net_reasm_pending(f->w), 0);
    assert_true(count_drops(f, SIM_DROP_FRAG, SIM_ID_NONE) > 0);
    assert_int_equal(sim_udp_queued_count(f->w, r), 0);
    fix_free(f);
}

static void
test_udp_truncation(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSocketId s = udp_bound(f, p.a, "10.0.0.1:0");
    SimSocketId r = udp_bound(f, p.b, "10.0.0.2:6000");
    guint8 out[100], in[100];
    size_t len = 0;
    bool trunc = false;
    SimUdpStats st;

    fill_pattern(out, sizeof out, 1);
    assert_int_equal(send_to(f, s, "10.0.0.2:6000", out, sizeof out), SIM_OK);
    assert_int_equal(send_str(f, s, "10.0.0.2:6000", "next"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(sim_udp_bytes_readable(f->w, r), 104);

    /* 40 bytes copied, the flag set, the other 60 gone with the datagram. */
    assert_int_equal(sim_udp_recvfrom(f->w, r, in, 40, 0, &len, NULL, &trunc), SIM_OK);
    assert_int_equal(len, 40);
    assert_true(trunc);
    assert_memory_equal(in, out, 40);
    assert_int_equal(sim_udp_bytes_readable(f->w, r), 4);

    assert_int_equal(sim_udp_recvfrom(f->w, r, in, sizeof in, 0, &len, NULL, &trunc), SIM_OK);
    assert_int_equal(len, 4);
    assert_false(trunc);
    assert_memory_equal(in, "next", 4);

    /* A zero-length buffer on a non-empty datagram truncates everything. */
    assert_int_equal(send_str(f, s, "10.0.0.2:6000", "xyz"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(sim_udp_recvfrom(f->w, r, NULL, 0, 0, &len, NULL, &trunc), SIM_OK);
    assert_int_equal(len, 0);
    assert_true(trunc);

    assert_int_equal(sim_udp_get_stats(f->w, r, &st), SIM_OK);
    assert_int_equal(st.read_dgrams, 3);
    assert_int_equal(st.read_bytes, 44);
    assert_int_equal(st.truncated_dgrams, 2);
    fix_free(f);
}

static void
test_udp_peek(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSocketId s = udp_bound(f, p.a, "10.0.0.1:4444");
    SimSocketId r = udp_bound(f, p.b, "10.0.0.2:6000");
    char in[16];
    size_t len = 0;
    bool trunc = false;
    SimSockAddr from;

    assert_int_equal(send_str(f, s, "10.0.0.2:6000", "abcdef"), SIM_OK);
    assert_int_equal(send_str(f, s, "10.0.0.2:6000", "gh"), SIM_OK);
    run_ms(f, 10);

    assert_int_equal(sim_udp_recvfrom(f->w, r, in, 3, SIM_UDP_RECV_PEEK, &len, &from, &trunc),
                     SIM_OK);
    assert_int_equal(len, 3);
    assert_true(trunc);
    assert_memory_equal(in, "abc", 3);
    assert_true(sockaddr_eq_text(&from, "10.0.0.1:4444"));
    /* A truncating peek leaves the whole datagram queued. */
    assert_int_equal(sim_udp_queued_count(f->w, r), 2);
    assert_int_equal(sim_udp_bytes_readable(f->w, r), 8);
    assert_int_equal(
        sim_udp_recvfrom(f->w, r, in, sizeof in, SIM_UDP_RECV_PEEK, &len, NULL, &trunc), SIM_OK);
    assert_int_equal(len, 6);
    assert_false(trunc);
    assert_memory_equal(in, "abcdef", 6);

    assert_int_equal(sim_udp_recvfrom(f->w, r, in, sizeof in, 0, &len, NULL, &trunc), SIM_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(in, "abcdef", 6);
    assert_int_equal(
        sim_udp_recvfrom(f->w, r, in, sizeof in, SIM_UDP_RECV_PEEK, &len, NULL, &trunc), SIM_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(in, "gh", 2);
    assert_int_equal(sim_udp_queued_count(f->w, r), 1);
    fix_free(f);
}

/* Five explicit port-0 binds and one implicit bind (by sendto) on host
 * "a" of a world with @seed. */
static void
collect_ports(guint64 seed, guint16 out[6])
{
    Fix *f = fix_new(seed);
    SimNodeId a = host(f, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    SimNodeId b = host(f, "b", SIM_NODE_HOST, "10.0.0.2", 24);
    SimSockAddr local;
    SimSocketId s;

    link_nodes(f, a, b, 0, 0);
    for (int i = 0; i < 5; i++) {
        s = udp_bound(f, a, i % 2 == 0 ? "0.0.0.0:0" : "10.0.0.1:0");
        assert_int_equal(sim_udp_get_local(f->w, s, &local), SIM_OK);
        out[i] = local.port;
    }
    s = udp_open(f, a, SIM_AF_INET);
    assert_int_equal(sim_udp_get_local(f->w, s, &local), SIM_E_INVAL);
    assert_false(sim_udp_is_bound(f->w, s));
    assert_int_equal(send_str(f, s, "10.0.0.2:9", "x"), SIM_OK);
    assert_true(sim_udp_is_bound(f->w, s));
    assert_int_equal(sim_udp_get_local(f->w, s, &local), SIM_OK);
    assert_true(sim_addr_is_any(&local.addr));
    out[5] = local.port;
    /* The implicit bind made the socket writable. */
    assert_int_equal(count_notes(f, s, SIM_SOCK_EV_WRITABLE), 1);
    fix_free(f);
}

static void
test_udp_ephemeral_ports(void **state)
{
    (void) state;
    guint16 p1[6], p2[6], p3[6];

    collect_ports(TEST_SEED, p1);
    collect_ports(TEST_SEED, p2);
    collect_ports(TEST_SEED + 1, p3);
    assert_memory_equal(p1, p2, sizeof p1);      /* same seed, same ports */
    assert_true(memcmp(p1, p3, sizeof p1) != 0); /* the start depends on the seed */
    for (int i = 0; i < 6; i++) {
        assert_in_range(p1[i], SIM_PORT_DYNAMIC_FIRST, SIM_PORT_DYNAMIC_LAST);
        assert_in_range(p3[i], SIM_PORT_DYNAMIC_FIRST, SIM_PORT_DYNAMIC_LAST);
        if (i > 0) /* a cursor: the next free port, wrapping inside the range */
            assert_int_equal(p1[i], p1[i - 1] == SIM_PORT_DYNAMIC_LAST ? SIM_PORT_DYNAMIC_FIRST
                                                                       : p1[i - 1] + 1);
    }
}

/* The cursor skips ports in use and fails only when the range is full;
 * IPv6 has its own port space. */
static void
test_udp_ephemeral_exhaustion(void **state)
{
    (void) state;
    Fix *f = fix_new(TEST_SEED);
    SimNodeId a = host(f, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    SimSockAddr any = sa("0.0.0.0:0"), fixed = sa("0.0.0.0:50000"), local;
    guint32 range = SIM_PORT_DYNAMIC_LAST - SIM_PORT_DYNAMIC_FIRST + 1;
    SimSocketId s;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

    add_addr(f, a, "fd00::1", 64);
    s = sim_udp_open(f->w, a, SIM_AF_INET);
    assert_int_equal(sim_udp_bind(f->w, s, &fixed), SIM_OK);
    for (guint32 i = 0; i < range - 1; i++) {
        s = sim_udp_open(f->w, a, SIM_AF_INET);
        assert_int_equal(sim_udp_bind(f->w, s, &any), SIM_OK);
        assert_int_equal(sim_udp_get_local(f->w, s, &local), SIM_OK);
        assert_int_not_equal(local.port, 50000);
        assert_false(g_hash_table_contains(seen, GUINT_TO_POINTER(local.port)));
        g_hash_table_add(seen, GUINT_TO_POINTER(local.port));
    }
    s = sim_udp_open(f->w, a, SIM_AF_INET);
    assert_int_equal(sim_udp_bind(f->w, s, &any), SIM_E_NOBUFS);
    assert_false(sim_udp_is_bound(f->w, s));
    {
        SimSockAddr any6 = sa("[::]:0");

        s = sim_udp_open(f->w, a, SIM_AF_INET6);
        assert_int_equal(sim_udp_bind(f->w, s, &any6), SIM_OK);
    }
    assert_int_equal(sim_udp_socket_count(f->w), range + 2);
    fix_free(f);
}

enum { R = 1, X = 2 };

typedef struct {
    const char *name;
    const char *first;
    int first_flags;
    const char *second;
    int second_flags;
    SimStatus want;
} BindCase;

static const BindCase bind_cases[] = {
    { "same-specific", "10.0.0.1:7000", 0, "10.0.0.1:7000", 0, SIM_E_ADDRINUSE },
    { "same-wildcard", "0.0.0.0:7000", 0, "0.0.0.0:7000", 0, SIM_E_ADDRINUSE },
    { "specific-over-wildcard", "0.0.0.0:7000", 0, "10.0.0.1:7000", 0, SIM_OK },
    { "wildcard-over-specific", "10.0.0.1:7000", 0, "0.0.0.0:7000", 0, SIM_E_ADDRINUSE },
    { "loopback-then-wildcard", "127.0.0.1:7000", 0, "0.0.0.0:7000", 0, SIM_E_ADDRINUSE },
    { "reuse-second", "10.0.0.1:7000", 0, "10.0.0.1:7000", R, SIM_OK },
    { "reuse-both-wildcard", "0.0.0.0:7000", R, "0.0.0.0:7000", R, SIM_OK },
    { "reuse-first-only", "0.0.0.0:7000", R, "0.0.0.0:7000", 0, SIM_E_ADDRINUSE },
    { "exclusive-vs-reuse", "0.0.0.0:7000", X, "0.0.0.0:7000", R, SIM_E_ACCES },
    { "exclusive-vs-default", "10.0.0.1:7000", X, "10.0.0.1:7000", 0, SIM_E_ADDRINUSE },
    { "exclusive-wildcard-vs-specific", "0.0.0.0:7000", X, "10.0.0.1:7000", 0, SIM_E_ADDRINUSE },
    { "exclusive-second", "10.0.0.1:7000", 0, "10.0.0.1:7000", X, SIM_E_ADDRINUSE },
    { "other-port", "10.0.0.1:7000", 0, "10.0.0.1:7001", 0, SIM_OK },
    { "other-address", "10.0.0.1:7000", 0, "10.0.0.9:7000", 0, SIM_OK },
    { "exclusive-other-address", "10.0.0.1:7000", X, "10.0.0.9:7000", 0, SIM_OK },
    { "other-family", "0.0.0.0:7000", 0, "[::]:7000", 0, SIM_OK },
};

static void
test_udp_bind_addrinuse(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(bind_cases); i++) {
        const BindCase *c = &bind_cases[i];
        Fix *f = fix_new(TEST_SEED);
        SimNodeId a = host(f, "a", SIM_NODE_HOST, "10.0.0.1", 24);
        SimSockAddr l1 = sa(c->first), l2 = sa(c->second);
        SimSocketId s1 = sim_udp_open(f->w, a, l1.addr.family);
        SimSocketId s2 = sim_udp_open(f->w, a, l2.addr.family);

        print_message("case %s\n", c->name);
        add_addr(f, a, "10.0.0.9", 24);
        add_addr(f, a, "fd00::1", 64);
        assert_int_equal(sim_udp_set_option(f->w, s1, SIM_UDP_OPT_REUSEADDR, c->first_flags & R),
                         SIM_OK);
        assert_int_equal(
            sim_udp_set_option(f->w, s1, SIM_UDP_OPT_EXCLUSIVEADDR, c->first_flags & X), SIM_OK);
        assert_int_equal(sim_udp_set_option(f->w, s2, SIM_UDP_OPT_REUSEADDR, c->second_flags & R),
                         SIM_OK);
        assert_int_equal(
            sim_udp_set_option(f->w, s2, SIM_UDP_OPT_EXCLUSIVEADDR, c->second_flags & X), SIM_OK);
        assert_int_equal(sim_udp_bind(f->w, s1, &l1), SIM_OK);
        assert_int_equal(sim_udp_bind(f->w, s2, &l2), c->want);
        assert_int_equal(sim_udp_is_bound(f->w, s2), c->want == SIM_OK);
        /* Closing the first frees the address for a default bind. */
        if (c->want != SIM_OK) {
            assert_int_equal(sim_udp_close(f->w, s1), SIM_OK);
            assert_int_equal(sim_udp_set_option(f->w, s2, SIM_UDP_OPT_EXCLUSIVEADDR, 0), SIM_OK);
            assert_int_equal(sim_udp_set_option(f->w, s2, SIM_UDP_OPT_REUSEADDR, 0), SIM_OK);
            assert_int_equal(sim_udp_bind(f->w, s2, &l2), SIM_OK);
        }
        fix_free(f);
    }
}

static void
test_udp_bind_errors(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSocketId s = sim_udp_open(f->w, p.a, SIM_AF_INET);
    SimSocketId s6 = sim_udp_open(f->w, p.a, SIM_AF_INET6);
    SimSockAddr theirs = sa("10.0.0.2:7000"), group = sa("239.1.1.1:7000");
    SimSockAddr mine = sa("10.0.0.1:7000"), v6 = sa("[fd00::1]:7000");
    gint64 v = -1;

    assert_int_equal(sim_udp_bind(f->w, s, &theirs), SIM_E_ADDRNOTAVAIL);
    assert_int_equal(sim_udp_bind(f->w, s, &group), SIM_E_ADDRNOTAVAIL);
    assert_int_equal(sim_udp_bind(f->w, s, &v6), SIM_E_INVAL); /* family */
    /* Exclusive and reuse exclude each other; exclusive must precede bind. */
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_REUSEADDR, 1), SIM_OK);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_EXCLUSIVEADDR, 1), SIM_E_INVAL);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_REUSEADDR, 0), SIM_OK);
    assert_int_equal(sim_udp_bind(f->w, s, &mine), SIM_OK);
    assert_int_equal(sim_udp_bind(f->w, s, &mine), SIM_E_INVAL); /* already bound */
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_EXCLUSIVEADDR, 1), SIM_E_INVAL);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_REUSEADDR, 1), SIM_OK);
    assert_int_equal(sim_udp_bind(f->w, s6, &v6), SIM_OK);
    /* Option ranges. */
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_TTL, 0), SIM_E_INVAL);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_TTL, 256), SIM_E_INVAL);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 0), SIM_OK);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_RCVBUF, -1), SIM_E_INVAL);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_UNREACH_MODE, 3), SIM_E_INVAL);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_N_OPTS, 1), SIM_E_INVAL);
    assert_int_equal(sim_udp_get_option(f->w, s, SIM_UDP_OPT_RCVBUF, &v), SIM_OK);
    assert_int_equal(v, SIM_UDP_DEFAULT_RCVBUF);
    assert_int_equal(sim_udp_get_option(f->w, s, SIM_UDP_OPT_TTL, &v), SIM_OK);
    assert_int_equal(v, SIM_UDP_DEFAULT_TTL);
    assert_int_equal(sim_udp_get_option(f->w, s6, SIM_UDP_OPT_MCAST_TTL, &v), SIM_OK);
    assert_int_equal(v, SIM_UDP_DEFAULT_MCAST_TTL);
    assert_int_equal(sim_udp_get_option(f->w, s6, SIM_UDP_OPT_MCAST_LOOP, &v), SIM_OK);
    assert_int_equal(v, 1);
    assert_int_equal(count_notes(f, s, SIM_SOCK_EV_WRITABLE), 0); /* no notify fn set */
    /* Send errors. */
    assert_int_equal(sim_udp_send(f->w, s, "x", 1), SIM_E_NOTCONN);
    assert_int_equal(send_str(f, s, "0.0.0.0:9", "x"), SIM_E_ADDRNOTAVAIL);
    assert_int_equal(send_str(f, s, "10.0.0.2:0", "x"), SIM_E_ADDRNOTAVAIL);
    assert_int_equal(send_str(f, s, "[fd00::2]:9", "x"), SIM_E_INVAL);
    assert_int_equal(send_str(f, s, "10.9.9.9:9", "x"), SIM_E_NETUNREACH);
    {
        SimSockAddr zero_port = sa("10.0.0.2:0"), nowhere = sa("10.9.9.9:9");

        assert_int_equal(sim_udp_connect(f->w, s, &zero_port), SIM_E_ADDRNOTAVAIL);
        assert_int_equal(sim_udp_connect(f->w, s, &nowhere), SIM_E_NETUNREACH);
        assert_false(sim_udp_is_connected(f->w, s));
    }
    /* Unbound receive and stale ids. */
    {
        SimSocketId u = sim_udp_open(f->w, p.a, SIM_AF_INET);
        char c;

        assert_int_equal(sim_udp_recvfrom(f->w, u, &c, 1, 0, NULL, NULL, NULL), SIM_E_INVAL);
        assert_int_equal(sim_udp_close(f->w, u), SIM_OK);
        assert_int_equal(sim_udp_close(f->w, u), SIM_E_NOTFOUND);
        assert_int_equal(sim_udp_recvfrom(f->w, u, &c, 1, 0, NULL, NULL, NULL), SIM_E_NOTFOUND);
        assert_int_equal(send_str(f, u, "10.0.0.2:9", "x"), SIM_E_NOTFOUND);
        assert_false(sim_udp_exists(f->w, u));
    }
    fix_free(f);
}

/* With REUSEADDR sharing, unicast goes to the first bound socket; a
 * specific binding beats the wildcard one. */
static void
test_udp_reuse_delivery(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSockAddr wild = sa("0.0.0.0:7000"), spec = sa("10.0.0.2:7000");
    SimSocketId w1 = udp_open(f, p.b, SIM_AF_INET);
    SimSocketId w2 = udp_open(f, p.b, SIM_AF_INET);
    SimSocketId sp = udp_open(f, p.b, SIM_AF_INET);
    SimSocketId s = udp_bound(f, p.a, "10.0.0.1:0");

    assert_int_equal(sim_udp_set_option(f->w, w1, SIM_UDP_OPT_REUSEADDR, 1), SIM_OK);
    assert_int_equal(sim_udp_set_option(f->w, w2, SIM_UDP_OPT_REUSEADDR, 1), SIM_OK);
    assert_int_equal(sim_udp_bind(f->w, w1, &wild), SIM_OK);
    assert_int_equal(sim_udp_bind(f->w, w2, &wild), SIM_OK);
    assert_int_equal(send_str(f, s, "10.0.0.2:7000", "1"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(drain(f, w1), 1);
    assert_int_equal(drain(f, w2), 0);

    assert_int_equal(sim_udp_bind(f->w, sp, &spec), SIM_OK);
    assert_int_equal(send_str(f, s, "10.0.0.2:7000", "2"), SIM_OK);
    assert_int_equal(send_str(f, s, "127.0.0.1:7000", "lost"), SIM_OK); /* a's own loopback */
    run_ms(f, 10);
    assert_int_equal(drain(f, sp), 1);
    assert_int_equal(drain(f, w1), 0);
    /* Once the first sharer closes, the next in bind order takes over. */
    assert_int_equal(sim_udp_close(f->w, sp), SIM_OK);
    assert_int_equal(sim_udp_close(f->w, w1), SIM_OK);
    assert_int_equal(send_str(f, s, "10.0.0.2:7000", "3"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(drain(f, w2), 1);
    fix_free(f);
}

/* a, b, c on 10.0.0.0/24 behind router r (which also serves d on
 * 10.0.1.0/24). */
typedef struct {
    Fix *f;
    SimNodeId a, b, c, d, r;
    SimLinkId la;
} Lan;

static Lan
lan_new(void)
{
    Lan n;

    n.f = fix_new(TEST_SEED);
    n.a = host(n.f, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    n.b = host(n.f, "b", SIM_NODE_HOST, "10.0.0.2", 24);
    n.c = host(n.f, "c", SIM_NODE_HOST, "10.0.0.3", 24);
    n.d = host(n.f, "d", SIM_NODE_HOST, "10.0.1.4", 24);
    n.r = host(n.f, "r", SIM_NODE_ROUTER, "10.0.0.254", 24);
    add_addr(n.f, n.r, "10.0.1.254", 24);
    n.la = link_nodes(n.f, n.a, n.r, 0, 0);
    link_nodes(n.f, n.b, n.r, 0, 0);
    link_nodes(n.f, n.c, n.r, 0, 0);
    link_nodes(n.f, n.d, n.r, 0, 0);
    return n;
}

static void
test_udp_broadcast(void **state)
{
    (void) state;
    Lan n = lan_new();
    Fix *f = n.f;
    SimSocketId s = udp_bound(f, n.a, "0.0.0.0:0");
    SimSocketId ra = udp_bound(f, n.a, "0.0.0.0:9000");
    SimSocketId rb = udp_bound(f, n.b, "0.0.0.0:9000");
    SimSocketId rc = udp_bound(f, n.c, "10.0.0.3:9000");
    SimSocketId rd = udp_bound(f, n.d, "0.0.0.0:9000");
    SimSockAddr bcast = sa("255.255.255.255:9000");
    SimSockAddr from;
    char buf[8];

    /* Without SO_BROADCAST: refused, both the limited and the directed form,
     * for sendto and for connect. */
    assert_int_equal(send_str(f, s, "255.255.255.255:9000", "x"), SIM_E_ACCES);
    assert_int_equal(send_str(f, s, "10.0.0.255:9000", "x"), SIM_E_ACCES);
    assert_int_equal(sim_udp_connect(f->w, s, &bcast), SIM_E_ACCES);
    run_ms(f, 10);
    assert_int_equal(drain(f, rb), 0);

    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_BROADCAST, 1), SIM_OK);
    assert_int_equal(send_str(f, s, "255.255.255.255:9000", "L"), SIM_OK);
    assert_int_equal(send_str(f, s, "10.0.0.255:9000", "D"), SIM_OK);
    run_ms(f, 10);
    /* Every other host of the sender's subnet gets both; the other subnet
     * and the sender's own host do not. */
    assert_int_equal(recv_ok(f, rb, buf, sizeof buf, &from), 1);
    assert_int_equal(buf[0], 'L');
    assert_true(sim_addr_equal(&from.addr, sim_node_addr(f->w, n.a, 0)));
    assert_int_equal(recv_ok(f, rb, buf, sizeof buf, &from), 1);
    assert_int_equal(buf[0], 'D');
    assert_int_equal(drain(f, rc), 2); /* bound to a specific address: still hears it */
    assert_int_equal(drain(f, rd), 0);
    assert_int_equal(drain(f, ra), 0);

    /* No ICMP about a broadcast nobody listens to (RFC 1122 §3.2.2). */
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_UNREACH_MODE, SIM_UDP_UNREACH_ALL),
                     SIM_OK);
    assert_int_equal(send_str(f, s, "255.255.255.255:9001", "nobody"), SIM_OK);
    run_ms(f, 10);
    assert_true(count_drops(f, SIM_DROP_NO_LISTENER, n.b) >= 1);
    assert_int_equal(sim_udp_take_error(f->w, s), SIM_OK);

    /* Connected to the broadcast address, with the flag. */
    assert_int_equal(sim_udp_connect(f->w, s, &bcast), SIM_OK);
    assert_int_equal(sim_udp_send(f->w, s, "C", 1), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(drain(f, rb), 1);
    fix_free(f);
}

/*
 * Multicast topology, hop counts from a in brackets:
 *
 *   a --- r1 --- b [2]
 *          |
 *         r2 --- c [3]
 *          |
 *          d [3]
 */
typedef struct {
    Fix *f;
    SimNodeId a, b, c, d, r1, r2;
    SimLinkId la;
} Tree;

static Tree
tree_new(void)
{
    Tree t;

    t.f = fix_new(TEST_SEED);
    t.a = host(t.f, "a", SIM_NODE_HOST, "10.0.1.1", 24);
    t.b = host(t.f, "b", SIM_NODE_HOST, "10.0.2.1", 24);
    t.c = host(t.f, "c", SIM_NODE_HOST, "10.0.3.1", 24);
    t.d = host(t.f, "d", SIM_NODE_HOST, "10.0.4.1", 24);
    t.r1 = host(t.f, "r1", SIM_NODE_ROUTER, "10.0.1.254", 24);
    t.r2 = host(t.f, "r2", SIM_NODE_ROUTER, "10.0.3.254", 24);
    t.la = link_nodes(t.f, t.a, t.r1, 0, 0);
    link_nodes(t.f, t.r1, t.b, 0, 0);
    link_nodes(t.f, t.r1, t.r2, 0, 0);
    link_nodes(t.f, t.r2, t.c, 0, 0);
    link_nodes(t.f, t.r2, t.d, 0, 0);
    return t;
}

static SimSocketId
member(Fix *f, SimNodeId n, const char *group)
{
    SimSocketId s = udp_open(f, n, SIM_AF_INET);
    SimSockAddr l = sa("0.0.0.0:7777");
    SimAddr g = addr(group);

    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_REUSEADDR, 1), SIM_OK);
    assert_int_equal(sim_udp_bind(f->w, s, &l), SIM_OK);
    assert_int_equal(sim_udp_join_group(f->w, s, &g), SIM_OK);
    return s;
}

static void
test_udp_multicast(void **state)
{
    (void) state;
    Tree t = tree_new();
    Fix *f = t.f;
    SimAddr g = addr("239.1.2.3");
    SimSocketId s = udp_open(f, t.a, SIM_AF_INET); /* sender: never joins */
    SimSocketId ma = member(f, t.a, "239.1.2.3");
    SimSocketId mb = member(f, t.b, "239.1.2.3");
    SimSocketId mc = member(f, t.c, "239.1.2.3");
    SimSocketId md = member(f, t.d, "239.1.2.3");
    SimSocketId nb = udp_open(f, t.b, SIM_AF_INET); /* on b's port, not joined */
    SimSockAddr port = sa("0.0.0.0:7777");
    SimSockAddr from;
    char buf[8];

    assert_int_equal(sim_udp_set_option(f->w, nb, SIM_UDP_OPT_REUSEADDR, 1), SIM_OK);
    assert_int_equal(sim_udp_bind(f->w, nb, &port), SIM_OK);
    assert_true(sim_node_in_group(f->w, t.b, &g));
    assert_true(sim_udp_in_group(f->w, mb, &g));
    assert_false(sim_udp_in_group(f->w, nb, &g));
    assert_int_equal(sim_udp_join_group(f->w, mb, &g), SIM_E_ADDRINUSE);

    /* TTL 3: every member, once each, plus the sender's host by loopback. */
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 3), SIM_OK);
    assert_int_equal(send_str(f, s, "239.1.2.3:7777", "m"), SIM_OK);
    run_ms(f, 20);
    assert_int_equal(recv_ok(f, mb, buf, sizeof buf, &from), 1);
    assert_true(sim_addr_equal(&from.addr, sim_node_addr(f->w, t.a, 0)));
    assert_int_equal(drain(f, mb), 0);
    assert_int_equal(drain(f, mc), 1);
    assert_int_equal(drain(f, md), 1);
    assert_int_equal(drain(f, ma), 1);
    assert_int_equal(drain(f, nb), 0); /* same port, same host, but not joined */
    assert_int_equal(drain(f, s), 0);

    /* TTL 2: b (2 hops) but not c or d (3 hops). */
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 2), SIM_OK);
    assert_int_equal(send_str(f, s, "239.1.2.3:7777", "m"), SIM_OK);
    run_ms(f, 20);
    assert_int_equal(drain(f, mb), 1);
    assert_int_equal(drain(f, mc), 0);
    assert_int_equal(drain(f, md), 0);
    assert_int_equal(drain(f, ma), 1);

    /* TTL 0: this host only; nothing leaves a. */
    {
        SimLinkStats before, after;

        assert_int_equal(sim_link_get_stats(f->w, t.la, SIM_DIR_AB, &before), SIM_OK);
        assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 0), SIM_OK);
        assert_int_equal(send_str(f, s, "239.1.2.3:7777", "m"), SIM_OK);
        run_ms(f, 20);
        assert_int_equal(sim_link_get_stats(f->w, t.la, SIM_DIR_AB, &after), SIM_OK);
        assert_int_equal(after.sent_packets, before.sent_packets);
        assert_int_equal(drain(f, ma), 1);
        assert_int_equal(drain(f, mb), 0);
    }

    /* Loopback off: the network still delivers, the sender's host does not. */
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 3), SIM_OK);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_LOOP, 0), SIM_OK);
    assert_int_equal(send_str(f, s, "239.1.2.3:7777", "m"), SIM_OK);
    run_ms(f, 20);
    assert_int_equal(drain(f, ma), 0);
    assert_int_equal(drain(f, mb), 1);
    assert_int_equal(drain(f, mc), 1);
    assert_int_equal(drain(f, md), 1);

    /* The member's own sends loop back to itself too (it joined). */
    assert_int_equal(sim_udp_set_option(f->w, ma, SIM_UDP_OPT_MCAST_TTL, 3), SIM_OK);
    assert_int_equal(send_str(f, ma, "239.1.2.3:7777", "self"), SIM_OK);
    run_ms(f, 20);
    assert_int_equal(drain(f, ma), 1);
    assert_int_equal(drain(f, mb), 1);
    assert_int_equal(drain(f, mc), 1);
    assert_int_equal(drain(f, md), 1);

    /* c leaves: its host stops being a member and stops receiving. */
    assert_int_equal(sim_udp_leave_group(f->w, mc, &g), SIM_OK);
    assert_int_equal(sim_udp_leave_group(f->w, mc, &g), SIM_E_ADDRNOTAVAIL);
    assert_false(sim_node_in_group(f->w, t.c, &g));
    assert_int_equal(send_str(f, s, "239.1.2.3:7777", "m"), SIM_OK);
    run_ms(f, 20);
    assert_int_equal(drain(f, mc), 0);
    assert_int_equal(drain(f, mb), 1);
    assert_int_equal(drain(f, md), 1);

    /* Membership is counted over the sockets of a host. */
    {
        SimSocketId md2 = member(f, t.d, "239.1.2.3");

        assert_int_equal(sim_udp_close(f->w, md), SIM_OK);
        assert_true(sim_node_in_group(f->w, t.d, &g));
        assert_int_equal(send_str(f, s, "239.1.2.3:7777", "m"), SIM_OK);
        run_ms(f, 20);
        assert_int_equal(drain(f, md2), 1);
        assert_int_equal(sim_udp_close(f->w, md2), SIM_OK);
        assert_false(sim_node_in_group(f->w, t.d, &g));
    }

    /* A group port nobody listens on: traced, no ICMP back. */
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_UNREACH_MODE, SIM_UDP_UNREACH_ALL),
                     SIM_OK);
    assert_int_equal(send_str(f, s, "239.1.2.3:7778", "m"), SIM_OK);
    run_ms(f, 20);
    assert_true(count_drops(f, SIM_DROP_NO_LISTENER, t.b) >= 1);
    assert_int_equal(sim_udp_take_error(f->w, s), SIM_OK);

    /* Join/leave argument checks. */
    {
        SimAddr uni = addr("10.0.0.1"), g6 = addr("ff02::1");

        assert_int_equal(sim_udp_join_group(f->w, s, &uni), SIM_E_INVAL);
        assert_int_equal(sim_udp_join_group(f->w, s, &g6), SIM_E_INVAL);
    }
    fix_free(f);
}

/* sim_udp_recvmsg tells each datagram's destination and how it was
 * addressed: unicast, limited or directed broadcast, multicast; PEEK leaves
 * the datagram and its record queued. */
static void
test_udp_recvmsg_destination(void **state)
{
    (void) state;
    Lan n = lan_new();
    Fix *f = n.f;
    SimSocketId s = udp_bound(f, n.a, "0.0.0.0:0");
    SimSocketId rb = udp_bound(f, n.b, "0.0.0.0:9000");
    SimAddr g = addr("239.9.9.9");
    static const struct {
        const char *to, *want_to;
        SimUdpCast want_cast;
    } rows[] = {
        { "10.0.0.2:9000", "10.0.0.2", SIM_UDP_CAST_UNICAST },
        { "255.255.255.255:9000", "255.255.255.255", SIM_UDP_CAST_BROADCAST },
        { "10.0.0.255:9000", "10.0.0.255", SIM_UDP_CAST_BROADCAST },
        { "239.9.9.9:9000", "239.9.9.9", SIM_UDP_CAST_MULTICAST },
    };
    SimUdpMsgInfo info;
    char buf[8];

    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_BROADCAST, 1), SIM_OK);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 2), SIM_OK); /* via r */
    assert_int_equal(sim_udp_join_group(f->w, rb, &g), SIM_OK);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        SimAddr want = addr(rows[i].want_to);

        print_message("to %s\n", rows[i].to);
        assert_int_equal(send_str(f, s, rows[i].to, "abc"), SIM_OK);
        run_ms(f, 10);
        memset(&info, 0xa5, sizeof info);
        assert_int_equal(sim_udp_recvmsg(f->w, rb, buf, 2, SIM_UDP_RECV_PEEK, &info), SIM_OK);
        assert_int_equal(info.len, 2);
        assert_true(info.truncated);
        assert_int_equal(info.cast, rows[i].want_cast);
        assert_int_equal(sim_udp_recvmsg(f->w, rb, buf, sizeof buf, 0, &info), SIM_OK);
        assert_int_equal(info.len, 3);
        assert_false(info.truncated);
        assert_true(sim_addr_equal(&info.from.addr, sim_node_addr(f->w, n.a, 0)));
        assert_true(sim_addr_equal(&info.to, &want));
        assert_int_equal(info.cast, rows[i].want_cast);
    }
    assert_int_equal(sim_udp_recvmsg(f->w, rb, buf, sizeof buf, 0, NULL), SIM_E_WOULDBLOCK);
    fix_free(f);
}

static void
test_udp_multicast_if(void **state)
{
    (void) state;
    Tree t = tree_new();
    Fix *f = t.f;
    SimSocketId s = udp_open(f, t.a, SIM_AF_INET);
    SimSocketId mb = member(f, t.b, "239.9.9.9");
    SimAddr iface = addr("10.0.9.1"), got, theirs = addr("10.0.2.1");
    SimSockAddr from;
    char buf[4];

    add_addr(f, t.a, "10.0.9.1", 24);
    assert_int_equal(sim_udp_get_multicast_if(f->w, s, &got), SIM_OK);
    assert_true(sim_addr_is_any(&got));
    assert_int_equal(sim_udp_set_multicast_if(f->w, s, &theirs), SIM_E_ADDRNOTAVAIL);
    assert_int_equal(sim_udp_set_multicast_if(f->w, s, &iface), SIM_OK);
    assert_int_equal(sim_udp_get_multicast_if(f->w, s, &got), SIM_OK);
    assert_true(sim_addr_equal(&got, &iface));
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 2), SIM_OK);
    assert_int_equal(send_str(f, s, "239.9.9.9:7777", "i"), SIM_OK);
    run_ms(f, 20);
    assert_int_equal(recv_ok(f, mb, buf, sizeof buf, &from), 1);
    assert_true(sim_addr_equal(&from.addr, &iface));
    assert_int_equal(sim_udp_set_multicast_if(f->w, s, NULL), SIM_OK);
    assert_int_equal(sim_udp_get_multicast_if(f->w, s, &got), SIM_OK);
    assert_true(sim_addr_is_any(&got));
    fix_free(f);
}

typedef struct {
    const char *name;
    bool connect; /* connect to the unreachable port first */
    SimUdpUnreachMode mode;
    SimStatus want; /* what the next receive returns */
} UnreachCase;

static const UnreachCase unreach_cases[] = {
    { "connected", true, SIM_UDP_UNREACH_CONNECTED, SIM_E_CONNRESET },
    { "unconnected", false, SIM_UDP_UNREACH_CONNECTED, SIM_E_WOULDBLOCK },
    { "unconnected-all", false, SIM_UDP_UNREACH_ALL, SIM_E_CONNRESET },
    { "connected-all", true, SIM_UDP_UNREACH_ALL, SIM_E_CONNRESET },
    { "connected-none", true, SIM_UDP_UNREACH_NONE, SIM_E_WOULDBLOCK },
};

static void
test_udp_port_unreachable(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(unreach_cases); i++) {
        const UnreachCase *c = &unreach_cases[i];
        Pair p = pair_new(0, 0);
        Fix *f = p.f;
        SimSocketId s = udp_bound(f, p.a, "10.0.0.1:0");
        SimSockAddr dead = sa("10.0.0.2:9999");
        char buf[4];
        bool reported = c->want == SIM_E_CONNRESET;

        print_message("case %s\n", c->name);
        assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_UNREACH_MODE, c->mode), SIM_OK);
        if (c->connect) {
            assert_int_equal(sim_udp_connect(f->w, s, &dead), SIM_OK);
            assert_int_equal(sim_udp_send(f->w, s, "?", 1), SIM_OK);
        } else {
            assert_int_equal(sim_udp_sendto(f->w, s, &dead, "?", 1), SIM_OK);
        }
        run_ms(f, 10);
        assert_int_equal(count_drops(f, SIM_DROP_NO_LISTENER, p.b), 1);
        assert_int_equal(count_notes(f, s, SIM_SOCK_EV_ERROR), reported ? 1 : 0);
        if (reported) {
            const NoteRec *last = &g_array_index(f->notes, NoteRec, f->notes->len - 1);

            assert_int_equal(last->err, SIM_E_CONNRESET);
            assert_true(last->events & SIM_SOCK_EV_READABLE);
        }
        assert_int_equal(sim_udp_recvfrom(f->w, s, buf, sizeof buf, 0, NULL, NULL, NULL), c->want);
        /* Reported once, then cleared. */
        assert_int_equal(sim_udp_recvfrom(f->w, s, buf, sizeof buf, 0, NULL, NULL, NULL),
                         SIM_E_WOULDBLOCK);
        assert_int_equal(sim_udp_take_error(f->w, s), SIM_OK);
        fix_free(f);
    }
}

/* A connected socket hears only about its own peer; the pending error can
 * also be read (and cleared) as SO_ERROR. */
static void
test_udp_port_unreachable_peer_match(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSocketId s = udp_bound(f, p.a, "10.0.0.1:0");
    SimSockAddr other = sa("10.0.0.2:9998");
    SimUdpStats st;

    assert_int_equal(sim_udp_connect(f->w, s, &other), SIM_OK);
    assert_int_equal(send_str(f, s, "10.0.0.2:9999", "?"), SIM_OK); /* not the peer */
    run_ms(f, 10);
    assert_int_equal(sim_udp_take_error(f->w, s), SIM_OK);
    assert_int_equal(sim_udp_send(f->w, s, "?", 1), SIM_OK); /* the peer */
    run_ms(f, 10);
    assert_int_equal(sim_udp_take_error(f->w, s), SIM_E_CONNRESET);
    assert_int_equal(sim_udp_take_error(f->w, s), SIM_OK);
    assert_int_equal(sim_udp_get_stats(f->w, s, &st), SIM_OK);
    assert_int_equal(st.errors_reported, 1);
    fix_free(f);
}

static void
test_udp_connected_filter(void **state)
{
    (void) state;
    Lan n = lan_new();
    Fix *f = n.f;
    SimSocketId sb = udp_bound(f, n.b, "0.0.0.0:5000");
    SimSocketId a1 = udp_bound(f, n.a, "10.0.0.1:4000");
    SimSocketId a2 = udp_bound(f, n.a, "10.0.0.1:4001");
    SimSocketId c1 = udp_bound(f, n.c, "10.0.0.3:4000");
    SimSockAddr peer_a = sa("10.0.0.1:4000"), peer_c = sa("10.0.0.3:4000");
    SimSockAddr got, unspec = sa("0.0.0.0:0");
    SimUdpStats st;
    char buf[8];

    assert_int_equal(sim_udp_get_peer(f->w, sb, &got), SIM_E_NOTCONN);
    assert_int_equal(sim_udp_connect(f->w, sb, &peer_a), SIM_OK);
    assert_int_equal(count_notes(f, sb, SIM_SOCK_EV_CONNECTED), 1);
    assert_int_equal(sim_udp_get_peer(f->w, sb, &got), SIM_OK);
    assert_true(sockaddr_eq_text(&got, "10.0.0.1:4000"));
    /* The wildcard-bound socket now reports the source it uses. */
    assert_int_equal(sim_udp_get_local(f->w, sb, &got), SIM_OK);
    assert_true(sockaddr_eq_text(&got, "10.0.0.2:5000"));

    assert_int_equal(sim_udp_set_option(f->w, c1, SIM_UDP_OPT_UNREACH_MODE, SIM_UDP_UNREACH_ALL),
                     SIM_OK);
    assert_int_equal(send_str(f, a1, "10.0.0.2:5000", "peer"), SIM_OK);
    assert_int_equal(send_str(f, a2, "10.0.0.2:5000", "port"), SIM_OK); /* same host, other port */
    assert_int_equal(send_str(f, c1, "10.0.0.2:5000", "other"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(sim_udp_queued_count(f->w, sb), 1);
    assert_int_equal(recv_ok(f, sb, buf, sizeof buf, NULL), 4);
    assert_memory_equal(buf, "peer", 4);
    assert_int_equal(sim_udp_get_stats(f->w, sb, &st), SIM_OK);
    assert_int_equal(st.filtered_drops, 2);
    /* Filtered silently, as Windows does: no port unreachable. */
    assert_int_equal(sim_udp_take_error(f->w, c1), SIM_OK);

    /* Re-connecting elsewhere discards what is queued from anyone else. */
    assert_int_equal(send_str(f, a1, "10.0.0.2:5000", "old"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(sim_udp_queued_count(f->w, sb), 1);
    assert_int_equal(sim_udp_connect(f->w, sb, &peer_c), SIM_OK);
    assert_int_equal(sim_udp_queued_count(f->w, sb), 0);
    assert_int_equal(send_str(f, c1, "10.0.0.2:5000", "new"), SIM_OK);
    assert_int_equal(send_str(f, a1, "10.0.0.2:5000", "old"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(drain(f, sb), 1);

    /* The wildcard address dissolves the association. */
    assert_int_equal(sim_udp_connect(f->w, sb, &unspec), SIM_OK);
    assert_false(sim_udp_is_connected(f->w, sb));
    assert_int_equal(sim_udp_get_peer(f->w, sb, &got), SIM_E_NOTCONN);
    assert_int_equal(sim_udp_send(f->w, sb, "x", 1), SIM_E_NOTCONN);
    assert_int_equal(sim_udp_get_local(f->w, sb, &got), SIM_OK);
    assert_true(sockaddr_eq_text(&got, "0.0.0.0:5000"));
    assert_int_equal(send_str(f, c1, "10.0.0.2:5000", "1"), SIM_OK);
    assert_int_equal(send_str(f, a1, "10.0.0.2:5000", "2"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(drain(f, sb), 2);

    /* sendto on a connected socket overrides the peer for one datagram. */
    assert_int_equal(sim_udp_connect(f->w, a1, &peer_c), SIM_OK);
    assert_int_equal(send_str(f, a1, "10.0.0.2:5000", "via"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(drain(f, sb), 1);
    fix_free(f);
}

static void
test_udp_rcvbuf_overflow(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSocketId s = udp_bound(f, p.a, "10.0.0.1:0");
    SimSocketId r = udp_bound(f, p.b, "10.0.0.2:6000");
    guint8 out[40000], in[400];
    SimUdpStats st;
    size_t len;

    /* The default 64 KiB holds one 40,000-byte datagram, not two. */
    memset(out, 0, sizeof out);
    assert_int_equal(send_to(f, s, "10.0.0.2:6000", out, 40000), SIM_OK);
    assert_int_equal(send_to(f, s, "10.0.0.2:6000", out, 40000), SIM_OK);
    run_ms(f, 20);
    assert_int_equal(sim_udp_queued_count(f->w, r), 1);
    assert_int_equal(count_drops(f, SIM_DROP_QUEUE, p.b), 1);
    assert_int_equal(drain(f, r), 1);

    /* 1,000 bytes: two 400-byte datagrams fit, the next two are dropped. */
    assert_int_equal(sim_udp_set_option(f->w, r, SIM_UDP_OPT_RCVBUF, 1000), SIM_OK);
    for (guint i = 0; i < 4; i++) {
        fill_pattern(out, 400, i);
        assert_int_equal(send_to(f, s, "10.0.0.2:6000", out, 400), SIM_OK);
    }
    run_ms(f, 20);
    assert_int_equal(sim_udp_queued_count(f->w, r), 2);
    assert_int_equal(sim_udp_bytes_readable(f->w, r), 800);
    assert_int_equal(count_drops(f, SIM_DROP_QUEUE, p.b), 3);
    assert_int_equal(sim_udp_get_stats(f->w, r, &st), SIM_OK);
    assert_int_equal(st.rcvbuf_drops, 3);
    /* Oldest first: the survivors are datagrams 0 and 1. */
    fill_pattern(out, 400, 0);
    assert_int_equal(sim_udp_recvfrom(f->w, r, in, sizeof in, 0, &len, NULL, NULL), SIM_OK);
    assert_memory_equal(in, out, 400);
    /* Reading makes room again. */
    assert_int_equal(send_to(f, s, "10.0.0.2:6000", out, 400), SIM_OK);
    run_ms(f, 20);
    assert_int_equal(sim_udp_queued_count(f->w, r), 2);
    assert_int_equal(drain(f, r), 2);

    /* Circular queueing keeps the newest instead. */
    assert_int_equal(sim_udp_set_option(f->w, r, SIM_UDP_OPT_CIRCULAR, 1), SIM_OK);
    for (guint i = 0; i < 4; i++) {
        fill_pattern(out, 400, 10 + i);
        assert_int_equal(send_to(f, s, "10.0.0.2:6000", out, 400), SIM_OK);
    }
    run_ms(f, 20);
    assert_int_equal(sim_udp_queued_count(f->w, r), 2);
    fill_pattern(out, 400, 12);
    assert_int_equal(sim_udp_recvfrom(f->w, r, in, sizeof in, 0, &len, NULL, NULL), SIM_OK);
    assert_memory_equal(in, out, 400);
    fix_free(f);
}

static void
test_udp_crash_frees_sockets(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimAddr g = addr("239.5.5.5");
    SimSocketId s = udp_bound(f, p.a, "10.0.0.1:0");
    SimSocketId b1 = udp_bound(f, p.b, "10.0.0.2:6000");
    SimSocketId b2 = udp_bound(f, p.b, "0.0.0.0:6001");
    SimSockAddr port = sa("10.0.0.2:6000");
    char buf[4];

    assert_int_equal(sim_udp_join_group(f->w, b2, &g), SIM_OK);
    assert_int_equal(send_str(f, s, "10.0.0.2:6000", "q"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(sim_udp_queued_count(f->w, b1), 1);
    assert_int_equal(send_str(f, s, "10.0.0.2:6000", "in flight"), SIM_OK);

    sim_node_set_up(f->w, p.b, false);
    assert_false(sim_udp_exists(f->w, b1));
    assert_false(sim_udp_exists(f->w, b2));
    assert_true(sim_udp_exists(f->w, s));
    assert_int_equal(count_notes(f, b1, SIM_SOCK_EV_FREED), 1);
    assert_int_equal(count_notes(f, b2, SIM_SOCK_EV_FREED), 1);
    assert_int_equal(g_array_index(f->notes, NoteRec, f->notes->len - 1).err, SIM_E_NETDOWN);
    assert_false(sim_node_in_group(f->w, p.b, &g));
    assert_int_equal(sim_udp_recvfrom(f->w, b1, buf, sizeof buf, 0, NULL, NULL, NULL),
                     SIM_E_NOTFOUND);
    assert_int_equal(sim_udp_open(f->w, p.b, SIM_AF_INET), SIM_ID_NONE);
    run_ms(f, 10); /* the datagram in flight meets a dead host */
    assert_int_equal(sim_udp_socket_count(f->w), 1);

    /* Back up: a fresh id, and the port is free again. */
    sim_node_set_up(f->w, p.b, true);
    {
        SimSocketId nb = udp_open(f, p.b, SIM_AF_INET);

        assert_true(nb > b2);
        assert_int_equal(sim_udp_bind(f->w, nb, &port), SIM_OK);
        assert_int_equal(send_str(f, s, "10.0.0.2:6000", "again"), SIM_OK);
        run_ms(f, 10);
        assert_int_equal(drain(f, nb), 1);
    }
    fix_free(f);
}

/* READABLE is an edge: once when the queue goes from empty to non-empty. */
static void
test_udp_notify_readable_edge(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSocketId s = udp_bound(f, p.a, "10.0.0.1:0");
    SimSocketId r = udp_bound(f, p.b, "10.0.0.2:6000");

    assert_int_equal(count_notes(f, r, SIM_SOCK_EV_WRITABLE), 1); /* after bind */
    assert_int_equal(send_str(f, s, "10.0.0.2:6000", "1"), SIM_OK);
    assert_int_equal(send_str(f, s, "10.0.0.2:6000", "2"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(count_notes(f, r, SIM_SOCK_EV_READABLE), 1);
    assert_int_equal(drain(f, r), 2);
    assert_int_equal(send_str(f, s, "10.0.0.2:6000", "3"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(count_notes(f, r, SIM_SOCK_EV_READABLE), 2);
    fix_free(f);
}

/* A callback may close sockets, its own or others, in the middle of a
 * fan-out. */
typedef struct {
    SimSocketId victim;
    guint calls;
} Closer;

static void
closer_cb(SimWorld *world, SimSocketId sock, guint32 events, SimStatus err, void *data)
{
    Closer *c = data;

    (void) events;
    (void) err;
    c->calls++;
    sim_udp_close(world, sock);
    if (c->victim != 0)
        sim_udp_close(world, c->victim);
}

static void
test_udp_notify_may_close(void **state)
{
    (void) state;
    Tree t = tree_new();
    Fix *f = t.f;
    SimSocketId s = udp_open(f, t.a, SIM_AF_INET);
    SimSocketId m1 = member(f, t.b, "239.7.7.7");
    SimSocketId m2 = member(f, t.b, "239.7.7.7");
    Closer c = { m2, 0 };

    sim_udp_set_notify(f->w, m1, closer_cb, &c);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 2), SIM_OK);
    assert_int_equal(send_str(f, s, "239.7.7.7:7777", "x"), SIM_OK);
    run_ms(f, 20);
    assert_int_equal(c.calls, 1);
    assert_false(sim_udp_exists(f->w, m1));
    assert_false(sim_udp_exists(f->w, m2));
    assert_int_equal(count_notes(f, m2, SIM_SOCK_EV_READABLE), 0);
    {
        SimAddr g = addr("239.7.7.7");

        assert_false(sim_node_in_group(f->w, t.b, &g));
    }
    fix_free(f);
}

static void
test_udp_ipv6_and_loopback(void **state)
{
    (void) state;
    Pair p = pair_new(0, 0);
    Fix *f = p.f;
    SimSocketId a6 = udp_bound(f, p.a, "[::]:0");
    SimSocketId b6 = udp_bound(f, p.b, "[fd00::2]:5353");
    SimSocketId lo = udp_bound(f, p.a, "127.0.0.1:7");
    SimSocketId a4 = udp_bound(f, p.a, "0.0.0.0:0");
    SimSockAddr from;
    char buf[8];

    assert_int_equal(send_str(f, a6, "[fd00::2]:5353", "six"), SIM_OK);
    assert_int_equal(send_str(f, a4, "127.0.0.1:7", "lo"), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(recv_ok(f, b6, buf, sizeof buf, &from), 3);
    assert_true(sim_addr_equal(&from.addr, sim_node_addr(f->w, p.a, 1)));
    assert_int_equal(recv_ok(f, lo, buf, sizeof buf, &from), 2);
    assert_true(sim_addr_is_loopback(&from.addr));
    /* A loopback-bound socket reaches its own host, never the wire. */
    assert_int_equal(send_str(f, lo, "10.0.0.2:9", "out"), SIM_E_NETUNREACH);
    {
        SimSockAddr own;

        assert_int_equal(sim_udp_get_local(f->w, a4, &own), SIM_OK);
        own.addr = *sim_node_addr(f->w, p.a, 0);
        assert_int_equal(sim_udp_sendto(f->w, lo, &own, "own", 3), SIM_OK);
        run_ms(f, 10);
        assert_int_equal(recv_ok(f, a4, buf, sizeof buf, &from), 3);
        assert_true(sockaddr_eq_text(&from, "127.0.0.1:7"));
    }
    /* AF_UNSPEC also dissolves an association. */
    {
        SimSockAddr peer = sa("[fd00::2]:5353"), unspec;

        memset(&unspec, 0, sizeof unspec);
        assert_int_equal(sim_udp_connect(f->w, a6, &peer), SIM_OK);
        assert_int_equal(sim_udp_connect(f->w, a6, &unspec), SIM_OK);
        assert_false(sim_udp_is_connected(f->w, a6));
    }
    fix_free(f);
}

/* Same seed, same run: identical trace fingerprints. */
static guint64
scenario_fingerprint(void)
{
    Tree t = tree_new();
    Fix *f = t.f;
    SimSocketId s, m;
    guint64 fp;

    sim_trace_enable_fingerprint(f->w);
    s = udp_open(f, t.a, SIM_AF_INET);
    m = member(f, t.c, "239.3.3.3");
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 3), SIM_OK);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(send_str(f, s, "239.3.3.3:7777", "tick"), SIM_OK);
        assert_int_equal(send_str(f, s, "10.0.2.1:9", "nobody"), SIM_OK);
        run_ms(f, 5);
    }
    assert_int_equal(drain(f, m), 5);
    fp = sim_trace_fingerprint(f->w);
    fix_free(f);
    return fp;
}

static void
test_udp_deterministic(void **state)
{
    (void) state;
    guint64 a = scenario_fingerprint();
    guint64 b = scenario_fingerprint();

    assert_true(a != 0);
    assert_true(a == b);
}

/* Every option reads back what was set; defaults as documented. */
static void
test_udp_options_roundtrip(void **state)
{
    (void) state;
    static const struct {
        SimUdpOpt opt;
        gint64 dflt, value;
    } rows[] = {
        { SIM_UDP_OPT_BROADCAST, 0, 1 },
        { SIM_UDP_OPT_REUSEADDR, 0, 1 },
        { SIM_UDP_OPT_EXCLUSIVEADDR, 0, 1 },
        { SIM_UDP_OPT_RCVBUF, SIM_UDP_DEFAULT_RCVBUF, 4096 },
        { SIM_UDP_OPT_TTL, SIM_UDP_DEFAULT_TTL, 7 },
        { SIM_UDP_OPT_MCAST_TTL, SIM_UDP_DEFAULT_MCAST_TTL, 32 },
        { SIM_UDP_OPT_MCAST_LOOP, 1, 0 },
        { SIM_UDP_OPT_UNREACH_MODE, SIM_UDP_UNREACH_CONNECTED, SIM_UDP_UNREACH_NONE },
        { SIM_UDP_OPT_CIRCULAR, 0, 1 },
        { SIM_UDP_OPT_FLOW_ID, 0, 0xfffffffe },
        { SIM_UDP_OPT_SERVICE_CLASS, 0, 200 },
    };
    Fix *f = fix_new(TEST_SEED);
    SimNodeId a = host(f, "a", SIM_NODE_HOST, "10.0.0.1", 24);

    G_STATIC_ASSERT(G_N_ELEMENTS(rows) == SIM_UDP_N_OPTS);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        SimSocketId s = sim_udp_open(f->w, a, SIM_AF_INET);
        gint64 v = -1;

        print_message("option %d\n", (int) rows[i].opt);
        assert_int_equal(sim_udp_get_option(f->w, s, rows[i].opt, &v), SIM_OK);
        assert_int_equal(v, rows[i].dflt);
        assert_int_equal(sim_udp_set_option(f->w, s, rows[i].opt, rows[i].value), SIM_OK);
        assert_int_equal(sim_udp_get_option(f->w, s, rows[i].opt, &v), SIM_OK);
        assert_int_equal(v, rows[i].value);
        assert_int_equal(sim_udp_close(f->w, s), SIM_OK);
        assert_int_equal(sim_udp_get_option(f->w, s, rows[i].opt, &v), SIM_E_NOTFOUND);
        assert_int_equal(sim_udp_set_option(f->w, s, rows[i].opt, rows[i].value), SIM_E_NOTFOUND);
    }
    {
        SimSocketId s = sim_udp_open(f->w, a, SIM_AF_INET6);
        gint64 v;

        assert_int_equal(sim_udp_family(f->w, s), SIM_AF_INET6);
        assert_int_equal(sim_udp_node(f->w, s), a);
        assert_int_equal(sim_udp_get_option(f->w, s, SIM_UDP_N_OPTS, &v), SIM_E_INVAL);
        assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_FLOW_ID, -1), SIM_E_INVAL);
        assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_SERVICE_CLASS, 256), SIM_E_INVAL);
        assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_MCAST_TTL, 256), SIM_E_INVAL);
        assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_RCVBUF, SIM_UDP_MAX_RCVBUF + 1),
                         SIM_E_INVAL);
    }
    assert_int_equal(sim_udp_family(f->w, 9999), SIM_AF_NONE);
    assert_int_equal(sim_udp_node(f->w, 9999), SIM_ID_NONE);
    fix_free(f);
}

/* Unicast TTL and the other ICMP errors: time exceeded is not reported to
 * datagram sockets; host unreachable is, to the connected socket. */
static void
test_udp_ttl_and_host_unreachable(void **state)
{
    (void) state;
    Lan n = lan_new();
    Fix *f = n.f;
    SimSocketId s = udp_bound(f, n.a, "10.0.0.1:0");
    SimSocketId u = udp_bound(f, n.a, "10.0.0.1:0");
    SimSocketId rb = udp_bound(f, n.b, "10.0.0.2:5000");
    SimSockAddr peer = sa("10.0.0.2:5000");

    /* TTL 1 dies at the router (a -> r -> b is two hops). */
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_TTL, 1), SIM_OK);
    assert_int_equal(sim_udp_connect(f->w, s, &peer), SIM_OK);
    assert_int_equal(sim_udp_send(f->w, s, "t", 1), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(count_drops(f, SIM_DROP_TTL, n.r), 1);
    assert_int_equal(drain(f, rb), 0);
    assert_int_equal(sim_udp_take_error(f->w, s), SIM_OK);
    assert_int_equal(sim_udp_set_option(f->w, s, SIM_UDP_OPT_TTL, 2), SIM_OK);
    assert_int_equal(sim_udp_send(f->w, s, "t", 1), SIM_OK);
    run_ms(f, 10);
    assert_int_equal(drain(f, rb), 1);

    /* A router reports host unreachable about one datagram of each socket
     * (injected: the network's own routing no longer produces it on a link
     * failure, see sim-route.c). */
    assert_int_equal(sim_udp_set_option(f->w, u, SIM_UDP_OPT_UNREACH_MODE, SIM_UDP_UNREACH_ALL),
                     SIM_OK);
    {
        SimSocketId socks[2] = { s, u };

        for (int i = 0; i < 2; i++) {
            SimPacket *orig = sim_packet_new(f->w, SIM_PROTO_UDP);
            SimSockAddr local;

            assert_int_equal(sim_udp_get_local(f->w, socks[i], &local), SIM_OK);
            orig->src = *sim_node_addr(f->w, n.a, 0);
            orig->dst = peer.addr;
            orig->ttl = 64;
            orig->l4.udp.sport = local.port;
            orig->l4.udp.dport = peer.port;
            sim_net_send_icmp_error(f->w, n.r, orig, SIM_E_HOSTUNREACH);
            sim_packet_unref(orig);
        }
    }
    run_ms(f, 10);
    assert_int_equal(sim_udp_take_error(f->w, s), SIM_E_HOSTUNREACH);
    assert_int_equal(count_notes(f, s, SIM_SOCK_EV_ERROR), 1);
    /* Host unreachable is for connected sockets only, even in mode ALL. */
    assert_int_equal(sim_udp_take_error(f->w, u), SIM_OK);
    fix_free(f);
}

/* A multicast loopback still pending when the host crashes, or when the
 * world is freed, is released cleanly. */
static void
test_udp_loopback_pending(void **state)
{
    (void) state;
    Tree t = tree_new();
    Fix *f = t.f;
    SimSocketId s = udp_open(f, t.a, SIM_AF_INET);
    SimSocketId ma = member(f, t.a, "239.4.4.4");

    assert_int_equal(send_str(f, s, "239.4.4.4:7777", "x"), SIM_OK);
    sim_node_set_up(f->w, t.a, false); /* before the loopback event runs */
    assert_false(sim_udp_exists(f->w, ma));
    run_ms(f, 10);
    assert_int_equal(count_drops(f, SIM_DROP_NODE_DOWN, t.a), 1);
    fix_free(f);

    t = tree_new();
    s = sim_udp_open(t.f->w, t.a, SIM_AF_INET);
    member(t.f, t.a, "239.4.4.4");
    assert_int_equal(send_str(t.f, s, "239.4.4.4:7777", "x"), SIM_OK);
    /* Freed with the loopback event pending (valgrind/ASan check the rest). */
    sim_trace_remove_sink(t.f->w, drop_sink, t.f);
    sim_world_free(t.f->w);
    g_array_unref(t.f->drops);
    g_array_unref(t.f->notes);
    g_free(t.f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp_send_recv_boundaries),
        cmocka_unit_test(test_udp_size_limits),
        cmocka_unit_test(test_udp_fragment_loss),
        cmocka_unit_test(test_udp_truncation),
        cmocka_unit_test(test_udp_peek),
        cmocka_unit_test(test_udp_ephemeral_ports),
        cmocka_unit_test(test_udp_ephemeral_exhaustion),
        cmocka_unit_test(test_udp_bind_addrinuse),
        cmocka_unit_test(test_udp_bind_errors),
        cmocka_unit_test(test_udp_reuse_delivery),
        cmocka_unit_test(test_udp_broadcast),
        cmocka_unit_test(test_udp_multicast),
        cmocka_unit_test(test_udp_recvmsg_destination),
        cmocka_unit_test(test_udp_multicast_if),
        cmocka_unit_test(test_udp_port_unreachable),
        cmocka_unit_test(test_udp_port_unreachable_peer_match),
        cmocka_unit_test(test_udp_connected_filter),
        cmocka_unit_test(test_udp_rcvbuf_overflow),
        cmocka_unit_test(test_udp_crash_frees_sockets),
        cmocka_unit_test(test_udp_notify_readable_edge),
        cmocka_unit_test(test_udp_notify_may_close),
        cmocka_unit_test(test_udp_ipv6_and_loopback),
        cmocka_unit_test(test_udp_deterministic),
        cmocka_unit_test(test_udp_options_roundtrip),
        cmocka_unit_test(test_udp_ttl_and_host_unreachable),
        cmocka_unit_test(test_udp_loopback_pending),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("udp", tests, NULL, NULL);
}
