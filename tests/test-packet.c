/* SPDX-License-Identifier: MIT
 * test-packet: refcounting and the live-packet count, shared payloads,
 * wire lengths, and serialisation as real IPv4/IPv6 packets whose
 * checksums (IP header, TCP, UDP, ICMP, ICMPv6) are verified by
 * recomputing them independently over the bytes written. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/test-net.h"

/* An independent RFC 1071 sum (bytewise, 32-bit accumulator). */
static guint32
sum16(const guint8 *p, size_t n)
{
    guint32 s = 0;

    for (size_t i = 0; i < n; i++)
        s += (i % 2 == 0) ? (guint32)p[i] << 8 : p[i];
    return s;
}

static guint16
fold(guint32 s)
{
    while (s > 0xffff)
        s = (s & 0xffff) + (s >> 16);
    return (guint16)s;
}

static guint16
rd16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

/* TRUE if the transport checksum of the serialised packet @b (@n bytes)
 * verifies: the ones'-complement sum of pseudo-header and segment is
 * 0xffff.  ICMPv4 has no pseudo-header. */
static bool
l4_checksum_ok(const guint8 *b, size_t n)
{
    guint32 s;

    if ((b[0] >> 4) == 4) {
        size_t ihl = (size_t)(b[0] & 0x0f) * 4;
        guint8 proto = b[9];
        size_t l4 = rd16(b + 2) - ihl;

        assert_int_equal(rd16(b + 2), n);
        if (proto == SIM_PROTO_ICMP)
            return fold(sum16(b + ihl, l4)) == 0xffff;
        s = sum16(b + 12, 8) + proto + (guint32)l4 + sum16(b + ihl, l4);
        return fold(s) == 0xffff;
    }
    {
        size_t l4 = rd16(b + 4);
        guint8 proto = b[6];

        assert_int_equal(l4 + 40, n);
        s = sum16(b + 8, 32) + (guint32)(l4 >> 16) + (guint32)(l4 & 0xffff) + proto +
            sum16(b + 40, l4);
        return fold(s) == 0xffff;
    }
}

static size_t
serialize(const SimPacket *pkt, guint8 *buf, size_t cap)
{
    size_t n = sim_packet_serialize(pkt, buf, cap);

    assert_int_equal(n, sim_packet_wire_len(pkt));
    return n;
}

static void
test_packet_refcount_and_alive(void **state)
{
    TestNet *tn = test_net_new(31);
    SimPacket *p, *q;
    SimBuf *buf = sim_buf_new("hello", 5);

    (void)state;
    assert_int_equal(sim_world_packets_alive(tn->world), 0);
    p = sim_packet_new(tn->world, SIM_PROTO_UDP);
    assert_int_equal(p->ttl, SIM_PACKET_DEFAULT_TTL);
    assert_ptr_equal(p->world, tn->world);
    sim_packet_set_payload(p, buf, 1, 3);
    assert_int_equal(buf->refcount, 2);
    assert_memory_equal(sim_packet_payload(p), "ell", 3);
    q = sim_packet_copy(tn->world, p);
    assert_int_equal(sim_world_packets_alive(tn->world), 2);
    assert_ptr_equal(q->payload, p->payload);
    assert_int_equal(buf->refcount, 3);
    assert_true(q->uid > p->uid);
    sim_packet_ref(p);
    sim_packet_unref(p);
    assert_int_equal(sim_world_packets_alive(tn->world), 2);
    sim_packet_unref(p);
    sim_packet_unref(q);
    sim_packet_unref(NULL);
    assert_int_equal(sim_world_packets_alive(tn->world), 0);
    assert_int_equal(buf->refcount, 1);
    /* Pooled packets come back clean. */
    p = sim_packet_new(tn->world, SIM_PROTO_TCP);
    assert_null(p->payload);
    assert_int_equal(p->payload_len, 0);
    assert_int_equal(p->l4.tcp.seq, 0);
    assert_int_equal(p->refcount, 1);
    sim_packet_unref(p);
    sim_buf_unref(buf);
    test_net_free(tn);
}

static void
test_packet_wire_len(void **state)
{
    TestNet *tn = test_net_new(32);
    SimPacket *p;

    (void)state;
    p = test_net_udp(tn, "10.0.0.1", "10.0.0.2", 1, 2, 100);
    assert_int_equal(sim_packet_wire_len(p), 20 + 8 + 100);
    sim_packet_unref(p);
    p = test_net_udp(tn, "2001:db8::1", "2001:db8::2", 1, 2, 100);
    assert_int_equal(sim_packet_wire_len(p), 40 + 8 + 100);
    sim_packet_unref(p);
    p = sim_packet_new(tn->world, SIM_PROTO_TCP);
    p->src = test_addr("10.0.0.1");
    p->dst = test_addr("10.0.0.2");
    p->l4.tcp.flags = SIM_TCP_SYN;
    p->l4.tcp.mss = 1460;
    assert_int_equal(sim_packet_wire_len(p), 20 + 24);
    p->l4.tcp.wscale = 7;
    assert_int_equal(sim_packet_wire_len(p), 20 + 28);
    p->l4.tcp.flags = SIM_TCP_ACK; /* options only on SYN */
    assert_int_equal(sim_packet_wire_len(p), 20 + 20);
    p->frag_offset = 1480; /* later fragments carry no transport header */
    assert_int_equal(sim_packet_wire_len(p), 20);
    sim_packet_unref(p);
    test_net_free(tn);
}

/* The IPv4 header of Wikipedia's checksum example: 4500 0073 0000 4000
 * 4011 b861 c0a8 0001 c0a8 00c7. */
static void
test_packet_ipv4_header_known_answer(void **state)
{
    static const guint8 want[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                    0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    TestNet *tn = test_net_new(33);
    SimPacket *p = test_net_udp(tn, "192.168.0.1", "192.168.0.199", 1, 2, 0x73 - 28);
    guint8 buf[256];

    (void)state;
    p->ip_id = 0;
    p->dont_frag = true;
    p->ttl = 64;
    assert_int_equal(serialize(p, buf, sizeof buf), 0x73);
    assert_memory_equal(buf, want, 20);
    assert_true(l4_checksum_ok(buf, 0x73));
    /* Truncated to the snap length. */
    assert_int_equal(sim_packet_serialize(p, buf, 30), 30);
    assert_memory_equal(buf, want, 20);
    sim_packet_unref(p);
    test_net_free(tn);
}

typedef struct {
    const char *name;
    const char *src, *dst;
    guint8 proto;
    guint8 tcp_flags;
    guint16 mss;
    guint8 wscale;
    SimStatus icmp_error;
    guint32 len;
} CsumCase;

static const CsumCase csum_cases[] = {
    {"udp4", "10.1.2.3", "10.9.8.7", SIM_PROTO_UDP, 0, 0, 0, SIM_OK, 513},
    {"udp4-empty", "10.1.2.3", "10.9.8.7", SIM_PROTO_UDP, 0, 0, 0, SIM_OK, 0},
    {"udp6", "2001:db8::1", "2001:db8:ffff::2", SIM_PROTO_UDP, 0, 0, 0, SIM_OK, 1000},
    {"tcp4-syn", "10.0.0.1", "10.0.0.2", SIM_PROTO_TCP, SIM_TCP_SYN, 1460, 7, SIM_OK, 0},
    {"tcp4-data", "10.0.0.1", "10.0.0.2", SIM_PROTO_TCP, SIM_TCP_ACK | SIM_TCP_PSH, 0, 7, SIM_OK,
     1461},
    {"tcp6-synack", "fe80::1", "fe80::2", SIM_PROTO_TCP, SIM_TCP_SYN | SIM_TCP_ACK, 1440, 0, SIM_OK,
     0},
    {"tcp6-data", "2001:db8::1", "2001:db8::2", SIM_PROTO_TCP, SIM_TCP_ACK | SIM_TCP_URG, 0, 0,
     SIM_OK, 777},
    {"icmp4-port", "10.0.0.2", "10.0.0.1", SIM_PROTO_ICMP, 0, 0, 0, SIM_E_PORTUNREACH, 0},
    {"icmp4-fragneeded", "10.0.0.9", "10.0.0.1", SIM_PROTO_ICMP, 0, 0, 0, SIM_E_MSGSIZE, 0},
    {"icmp6-ttl", "2001:db8::9", "2001:db8::1", SIM_PROTO_ICMPV6, 0, 0, 0, SIM_E_TTL, 0},
    {"icmp4-echo", "10.0.0.1", "10.0.0.2", SIM_PROTO_ICMP, 0, 0, 0, SIM_OK, 56},
};

/* Every protocol and family: the checksums in the bytes verify. */
static void
test_packet_serialize_checksums(void **state)
{
    TestNet *tn = test_net_new(34);

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(csum_cases); i++) {
        const CsumCase *c = &csum_cases[i];
        SimPacket *p = sim_packet_new(tn->world, c->proto);
        guint8 buf[2048];
        size_t n;

        print_message("case %s\n", c->name);
        p->src = test_addr(c->src);
        p->dst = test_addr(c->dst);
        p->ip_id = (guint16)(0x1234 + i);
        if (c->len > 0) {
            SimBuf *b = sim_buf_new(NULL, c->len + 3);

            for (guint32 k = 0; k < c->len + 3; k++)
                b->data[k] = (guint8)(k * 31 + i);
            sim_packet_set_payload(p, b, 3, c->len);
            sim_buf_unref(b);
        }
        if (c->proto == SIM_PROTO_TCP) {
            p->l4.tcp = (SimTcpHeader){.sport = 49152,
                                       .dport = 7000,
                                       .seq = 0xdeadbeef,
                                       .ack = 12345,
                                       .flags = c->tcp_flags,
                                       .window = 200000,
                                       .urg = 3,
                                       .mss = c->mss,
                                       .wscale = c->wscale};
        } else if (c->proto == SIM_PROTO_UDP) {
            p->l4.udp.sport = 5353;
            p->l4.udp.dport = 53;
        } else {
            p->l4.icmp.error = c->icmp_error;
            p->l4.icmp.type = 3;
            p->l4.icmp.code = 3;
            p->l4.icmp.orig_src = p->dst;
            p->l4.icmp.orig_dst = p->src;
            p->l4.icmp.orig_proto = SIM_PROTO_UDP;
            p->l4.icmp.orig_sport = 1111;
            p->l4.icmp.orig_dport = 2222;
            p->l4.icmp.mtu = 1280;
        }
        n = serialize(p, buf, sizeof buf);
        if (p->dst.family == SIM_AF_INET) {
            assert_int_equal(fold(sum16(buf, 20)), 0xffff);
            assert_int_equal(buf[9], c->proto);
        } else {
            assert_int_equal(buf[0] >> 4, 6);
            assert_int_equal(buf[6], c->proto);
            assert_int_equal(buf[7], p->ttl);
        }
        assert_true(l4_checksum_ok(buf, n));
        if (c->len > 0)
            assert_memory_equal(buf + n - c->len, sim_packet_payload(p), c->len);
        if (c->proto == SIM_PROTO_TCP) {
            const guint8 *t = buf + (p->dst.family == SIM_AF_INET ? 20 : 40);

            assert_int_equal(t[13], c->tcp_flags);
            assert_int_equal((t[12] >> 4) * 4, sim_packet_l4_header_len(p));
            /* The window is scaled on non-SYN segments. */
            assert_int_equal(rd16(t + 14), (c->tcp_flags & SIM_TCP_SYN) != 0
                                               ? 65535
                                               : MIN(200000u >> c->wscale, 65535u));
            if (c->mss != 0) {
                assert_int_equal(t[20], 2);
                assert_int_equal(rd16(t + 22), c->mss);
            }
        }
        sim_packet_unref(p);
    }
    test_net_free(tn);
}

/* Serialises every packet put on a link. */
static void
wire_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    GPtrArray *out = data;
    GByteArray *b;

    (void)world;
    if (rec->kind != SIM_TR_PKT_SEND || rec->packet == NULL)
        return;
    b = g_byte_array_sized_new(sim_packet_wire_len(rec->packet));
    g_byte_array_set_size(b, sim_packet_wire_len(rec->packet));
    assert_int_equal(sim_packet_serialize(rec->packet, b->data, b->len), b->len);
    g_ptr_array_add(out, b);
}

/* Fragments on the wire: each IP header verifies, offsets and MF are
 * right, the first carries the UDP header of the whole datagram, and the
 * IP payloads put back together form a datagram whose checksum verifies. */
static void
test_packet_fragment_checksum(void **state)
{
    TestNet *tn = test_net_new(35);
    GPtrArray *wire = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    guint8 whole[20 + 8 + 3000];
    size_t at = 20;
    SimNodeId a, b;
    SimLinkParams p;

    (void)state;
    a = test_net_node(tn, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    b = test_net_node(tn, "b", SIM_NODE_HOST, "10.0.0.2", 24);
    sim_link_params_init(&p);
    p.mtu = 1000;
    test_net_link(tn, a, b, &p);
    sim_trace_add_sink(tn->world, wire_sink, wire);
    assert_int_equal(
        sim_net_send(tn->world, a, test_net_udp(tn, "10.0.0.1", "10.0.0.2", 9, 10, 3000)), SIM_OK);
    sim_world_run(tn->world);
    sim_trace_remove_sink(tn->world, wire_sink, wire);
    assert_int_equal(tn->rx->len, 1);
    /* 3008 bytes of IP payload in 976-byte pieces: 976 * 3 + 80. */
    assert_int_equal(wire->len, 4);
    for (guint i = 0; i < wire->len; i++) {
        GByteArray *f = g_ptr_array_index(wire, i);
        guint16 frag = rd16(f->data + 6);

        assert_int_equal(fold(sum16(f->data, 20)), 0xffff);
        assert_int_equal(rd16(f->data + 2), f->len);
        assert_int_equal((frag & 0x1fff) * 8, at - 20);
        assert_int_equal((frag & 0x2000) != 0, i + 1 < wire->len);
        assert_true(at + f->len - 20 <= sizeof whole);
        memcpy(whole + at, f->data + 20, f->len - 20);
        at += f->len - 20;
        if (i == 0)
            memcpy(whole, f->data, 20);
    }
    assert_int_equal(at, sizeof whole);
    /* Make the reassembled header describe the whole datagram. */
    whole[2] = (guint8)(sizeof whole >> 8);
    whole[3] = (guint8)(sizeof whole & 0xff);
    whole[6] = whole[7] = 0;
    assert_int_equal(rd16(whole + 20 + 4), 8 + 3000);
    assert_true(l4_checksum_ok(whole, sizeof whole));
    assert_memory_equal(whole + 28, sim_packet_payload(test_net_rx(tn, 0)->pkt), 3000);
    g_ptr_array_free(wire, TRUE);
    test_net_free(tn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packet_refcount_and_alive),
        cmocka_unit_test(test_packet_wire_len),
        cmocka_unit_test(test_packet_ipv4_header_known_answer),
        cmocka_unit_test(test_packet_serialize_checksums),
        cmocka_unit_test(test_packet_fragment_checksum),
    };
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("packet", tests, NULL, NULL);
}
