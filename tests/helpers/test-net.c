/* SPDX-License-Identifier: MIT
 *
 * test-net.c: the network test fixture (see test-net.h).
 */
#include "config.h"

#include "test-net.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void
rx_input(SimWorld *world, SimNodeId node, SimPacket *pkt, void *data)
{
    TestNet *tn = data;
    TestRx rx = {node, sim_world_now(world), pkt};

    tn->rx_total++;
    if (!tn->keep_rx) {
        rx.pkt = NULL;
        sim_packet_unref(pkt);
    }
    g_array_append_val(tn->rx, rx);
}

static void
err_input(SimWorld *world, SimNodeId node, const SimIcmpHeader *icmp, void *data)
{
    TestNet *tn = data;
    TestErr e = {node, sim_world_now(world), *icmp};

    g_array_append_val(tn->errs, e);
}

static void
trace_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    TestNet *tn = data;

    sim_trace_format_line(world, rec, tn->trace);
    g_string_append_c(tn->trace, '\n');
}

static TestNet *
net_new(guint64 seed, bool traced)
{
    TestNet *tn = g_new0(TestNet, 1);
    static const guint8 protos[] = {SIM_PROTO_UDP, SIM_PROTO_TCP, TEST_PROTO_RAW};

    tn->world = sim_world_new(seed);
    tn->rx = g_array_new(FALSE, FALSE, sizeof(TestRx));
    tn->errs = g_array_new(FALSE, FALSE, sizeof(TestErr));
    tn->trace = g_string_new(NULL);
    tn->keep_rx = true;
    for (size_t i = 0; i < G_N_ELEMENTS(protos); i++) {
        sim_net_register_proto(tn->world, protos[i], rx_input, tn);
        sim_net_register_proto_error(tn->world, protos[i], err_input, tn);
    }
    if (traced) {
        sim_trace_add_sink(tn->world, trace_sink, tn);
        sim_trace_enable_fingerprint(tn->world);
    }
    return tn;
}

TestNet *
test_net_new(guint64 seed)
{
    return net_new(seed, true);
}

TestNet *
test_net_new_quiet(guint64 seed)
{
    return net_new(seed, false);
}

void
test_net_rx_clear(TestNet *tn)
{
    for (guint i = 0; i < tn->rx->len; i++)
        sim_packet_unref(g_array_index(tn->rx, TestRx, i).pkt);
    g_array_set_size(tn->rx, 0);
}

void
test_net_free(TestNet *tn)
{
    if (tn == NULL)
        return;
    test_net_rx_clear(tn);
    sim_world_run(tn->world);
    test_net_rx_clear(tn);
    assert_int_equal(sim_net_reasm_pending(tn->world), 0);
    assert_int_equal(sim_world_packets_alive(tn->world), 0);
    sim_trace_remove_sink(tn->world, trace_sink, tn);
    sim_world_free(tn->world);
    g_array_free(tn->rx, TRUE);
    g_array_free(tn->errs, TRUE);
    g_string_free(tn->trace, TRUE);
    g_free(tn);
}

SimAddr
test_addr(const char *text)
{
    SimAddr a;

    assert_true(sim_addr_parse(text, &a));
    return a;
}

SimNodeId
test_net_node(TestNet *tn, const char *name, SimNodeKind kind, const char *addr, guint prefix)
{
    SimNodeId id = sim_node_add(tn->world, name, kind);

    assert_int_not_equal(id, SIM_ID_NONE);
    if (addr != NULL) {
        SimAddr a = test_addr(addr);

        assert_int_equal(sim_node_add_addr(tn->world, id, &a, prefix), SIM_OK);
    }
    return id;
}

SimLinkId
test_net_link(TestNet *tn, SimNodeId a, SimNodeId b, const SimLinkParams *p)
{
    SimLinkId id = sim_link_add(tn->world, a, b, p, NULL);

    assert_int_not_equal(id, SIM_ID_NONE);
    return id;
}

SimLinkId
test_net_link_lat(TestNet *tn, SimNodeId a, SimNodeId b, SimTime latency_ns)
{
    SimLinkParams p;

    sim_link_params_init(&p);
    p.latency_ns = latency_ns;
    return test_net_link(tn, a, b, &p);
}

SimPacket *
test_net_udp(TestNet *tn, const char *src, const char *dst, guint16 sport, guint16 dport,
             guint32 len)
{
    SimPacket *pkt = sim_packet_new(tn->world, SIM_PROTO_UDP);

    pkt->src = test_addr(src);
    pkt->dst = test_addr(dst);
    pkt->l4.udp.sport = sport;
    pkt->l4.udp.dport = dport;
    if (len > 0) {
        SimBuf *buf = sim_buf_new(NULL, len);

        for (guint32 i = 0; i < len; i++)
            buf->data[i] = (guint8)(i * 7 + 1);
        sim_packet_set_payload(pkt, buf, 0, len);
        sim_buf_unref(buf);
    }
    return pkt;
}

SimPacket *
test_net_raw(TestNet *tn, const char *src, const char *dst, guint32 seq, guint32 len)
{
    SimPacket *pkt = sim_packet_new(tn->world, TEST_PROTO_RAW);

    pkt->src = test_addr(src);
    pkt->dst = test_addr(dst);
    pkt->flow_id = seq;
    pkt->payload_len = 0;
    if (len > 0) {
        SimBuf *buf = sim_buf_new(NULL, len);

        sim_packet_set_payload(pkt, buf, 0, len);
        sim_buf_unref(buf);
    }
    return pkt;
}

static void
noop(SimWorld *world, void *data)
{
    (void)world;
    (void)data;
}

void
test_net_run_until(TestNet *tn, SimTime t)
{
    sim_event_schedule_at(tn->world, t, noop, NULL);
    sim_world_run_until(tn->world, t);
}

size_t
test_net_rx_count(const TestNet *tn, SimNodeId node)
{
    size_t n = 0;

    for (guint i = 0; i < tn->rx->len; i++)
        n += g_array_index(tn->rx, TestRx, i).node == node;
    return n;
}

const TestRx *
test_net_rx(const TestNet *tn, size_t i)
{
    assert_true(i < tn->rx->len);
    return &g_array_index(tn->rx, TestRx, i);
}

size_t
test_net_trace_count(const TestNet *tn, const char *needle)
{
    size_t n = 0;
    const char *p = tn->trace->str;

    while (*p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
        char *line = g_strndup(p, len);

        n += strstr(line, needle) != NULL;
        g_free(line);
        p += len + (eol != NULL);
    }
    return n;
}
