/* SPDX-License-Identifier: MIT
 * test-trace: the trace bus — the text line format (time column, arrows,
 * packet summaries with tcpdump-style TCP flags), sinks in order and their
 * removal, the text writer, the fingerprint, and determinism: the same
 * world run twice gives the same text trace and fingerprint. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/test-net.h"

static void
test_trace_format_time(void **state)
{
    static const struct {
        SimTime t;
        const char *want;
    } cases[] = {
        {0, "   0.000000000"},
        {5120000, "   0.005120000"},
        {1, "   0.000000001"},
        {3 * SIM_SEC + 7, "   3.000000007"},
        {1234 * SIM_SEC, "1234.000000000"},
        {123456 * SIM_SEC + 5, "123456.000000005"},
    };
    char buf[32];

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        sim_trace_format_time(cases[i].t, buf);
        assert_string_equal(buf, cases[i].want);
    }
}

static void
test_trace_names(void **state)
{
    (void)state;
    for (int r = 0; r < SIM_DROP_N_REASONS; r++)
        assert_true(strlen(sim_drop_reason_name((SimDropReason)r)) > 0);
    for (int k = 0; k < SIM_TR_N_KINDS; k++)
        assert_true(strlen(sim_trace_kind_name((SimTraceKind)k)) > 0);
    assert_string_equal(sim_drop_reason_name(SIM_DROP_LINK_DOWN), "link-down");
    assert_string_equal(sim_drop_reason_name(SIM_DROP_N_REASONS), "?");
    assert_string_equal(sim_trace_kind_name(SIM_TR_PKT_SEND), "pkt-send");
}

static SimPacket *
tcp_packet(SimWorld *w, guint8 flags, guint32 len)
{
    SimPacket *p = sim_packet_new(w, SIM_PROTO_TCP);

    p->src = test_addr("10.0.0.1");
    p->dst = test_addr("10.0.0.2");
    p->l4.tcp = (SimTcpHeader){.sport = 49152,
                               .dport = 7000,
                               .seq = 0,
                               .ack = 1,
                               .flags = flags,
                               .window = 65535,
                               .mss = 1460};
    p->payload_len = len;
    return p;
}

static char *
line_of(SimWorld *w, const SimTraceRecord *rec)
{
    GString *s = g_string_new(NULL);

    sim_trace_format_line(w, rec, s);
    return g_string_free(s, FALSE);
}

/* The packet lines, exactly. */
static void
test_trace_packet_lines(void **state)
{
    TestNet *tn = test_net_new(41);
    SimNodeId c, s;
    SimPacket *syn, *synack, *udp, *icmp;
    char *line;

    (void)state;
    c = test_net_node(tn, "client", SIM_NODE_HOST, "10.0.0.1", 24);
    s = test_net_node(tn, "server", SIM_NODE_HOST, "10.0.0.2", 24);
    syn = tcp_packet(tn->world, SIM_TCP_SYN, 0);
    synack = tcp_packet(tn->world, SIM_TCP_SYN | SIM_TCP_ACK, 0);
    udp = test_net_udp(tn, "10.0.0.1", "10.0.0.2", 5000, 53, 512);
    icmp = sim_packet_new(tn->world, SIM_PROTO_ICMP);
    icmp->l4.icmp = (SimIcmpHeader){.type = 3,
                                    .code = 3,
                                    .error = SIM_E_PORTUNREACH,
                                    .orig_proto = SIM_PROTO_UDP,
                                    .orig_sport = 5000,
                                    .orig_dport = 53};
    icmp->dst = test_addr("10.0.0.1");
    {
        SimTraceRecord r = {.time = 5120000,
                            .kind = SIM_TR_PKT_SEND,
                            .node = c,
                            .peer = s,
                            .link = 1,
                            .packet = syn};

        line = line_of(tn->world, &r);
        assert_string_equal(line, "   0.005120000 client   > server   TCP 49152 > 7000 [S] seq=0 "
                                  "win=65535 mss=1460 len=0");
        g_free(line);
    }
    {
        SimTraceRecord r = {.time = 10 * SIM_MSEC,
                            .kind = SIM_TR_PKT_DROP,
                            .node = s,
                            .peer = c,
                            .reason = SIM_DROP_LOSS,
                            .packet = synack};

        line = line_of(tn->world, &r);
        assert_string_equal(line,
                            "   0.010000000 server   x client   DROP loss TCP 49152 > 7000 [S.] "
                            "seq=0 ack=1 win=65535 mss=1460 len=0");
        g_free(line);
    }
    {
        SimTraceRecord r = {.time = 0,
                            .kind = SIM_TR_PKT_QUEUE,
                            .node = c,
                            .peer = s,
                            .packet = udp,
                            .depart_ns = 4320,
                            .queue_len = 2};

        line = line_of(tn->world, &r);
        assert_string_equal(line, "   0.000000000 client   > server   UDP 5000 > 53 len=512 "
                                  "queued=2 start=0.000004320");
        g_free(line);
    }
    {
        SimTraceRecord r = {
            .time = SIM_SEC, .kind = SIM_TR_PKT_DELIVER, .node = c, .peer = s, .packet = icmp};

        line = line_of(tn->world, &r);
        assert_string_equal(
            line, "   1.000000000 client   < server   ICMP port-unreachable for UDP 5000 > 53");
        g_free(line);
    }
    {
        SimTraceRecord r = {.time = 0,
                            .kind = SIM_TR_PKT_DROP,
                            .node = c,
                            .reason = SIM_DROP_NO_ROUTE,
                            .packet = udp};

        line = line_of(tn->world, &r);
        assert_string_equal(
            line, "   0.000000000 client   x 10.0.0.2 DROP no-route UDP 5000 > 53 len=512");
        g_free(line);
    }
    {
        SimTraceRecord r = {
            .time = 0, .kind = SIM_TR_LINK_CHANGE, .node = c, .peer = s, .link = 1, .text = "down"};

        line = line_of(tn->world, &r);
        assert_string_equal(line, "   0.000000000 client   * server   LINK down");
        g_free(line);
    }
    {
        SimTraceRecord r = {
            .time = 2, .kind = SIM_TR_CALL, .node = s, .subject = "WSPRecv", .text = "= 0"};

        line = line_of(tn->world, &r);
        assert_string_equal(line, "   0.000000002 server   CALL  WSPRecv = 0");
        g_free(line);
    }
    sim_packet_unref(syn);
    sim_packet_unref(synack);
    sim_packet_unref(udp);
    sim_packet_unref(icmp);
    test_net_free(tn);
}

/* TCP flags as tcpdump prints them. */
static void
test_trace_tcp_flags_tcpdump(void **state)
{
    static const struct {
        guint8 flags;
        const char *want;
    } cases[] = {
        {SIM_TCP_SYN, "[S]"},
        {SIM_TCP_SYN | SIM_TCP_ACK, "[S.]"},
        {SIM_TCP_ACK, "[.]"},
        {SIM_TCP_PSH | SIM_TCP_ACK, "[P.]"},
        {SIM_TCP_FIN | SIM_TCP_ACK, "[F.]"},
        {SIM_TCP_FIN | SIM_TCP_PSH | SIM_TCP_ACK, "[FP.]"},
        {SIM_TCP_RST, "[R]"},
        {SIM_TCP_RST | SIM_TCP_ACK, "[R.]"},
        {SIM_TCP_URG | SIM_TCP_ACK, "[.U]"},
        {0, "[none]"},
    };
    TestNet *tn = test_net_new(42);

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimPacket *p = tcp_packet(tn->world, cases[i].flags, 10);
        GString *s = g_string_new(NULL);
        char *want = g_strdup_printf("TCP 49152 > 7000 %s ", cases[i].want);

        sim_trace_format_packet(p, s);
        print_message("%s\n", s->str);
        assert_true(g_str_has_prefix(s->str, want));
        assert_true(g_str_has_suffix(s->str, " len=10"));
        assert_true((strstr(s->str, "ack=1") != NULL) == ((cases[i].flags & SIM_TCP_ACK) != 0));
        g_free(want);
        g_string_free(s, TRUE);
        sim_packet_unref(p);
    }
    test_net_free(tn);
}

typedef struct {
    GString *log;
    const char *tag;
    bool remove_self;
} OrderSink;

static void
order_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    OrderSink *o = data;

    g_string_append(o->log, o->tag);
    if (o->remove_self)
        sim_trace_remove_sink(world, order_sink, o);
    (void)rec;
}

/* Sinks run in the order added; one may remove itself while running. */
static void
test_trace_sinks_order_and_removal(void **state)
{
    SimWorld *w = sim_world_new(1);
    GString *log = g_string_new(NULL);
    OrderSink a = {log, "a", false}, b = {log, "b", true}, c = {log, "c", false};

    (void)state;
    assert_false(sim_trace_enabled(w));
    sim_trace_textf(w, SIM_TR_NOTE, 0, 0, NULL, "ignored");
    assert_int_equal(sim_trace_record_count(w), 0);
    sim_trace_add_sink(w, order_sink, &a);
    sim_trace_add_sink(w, order_sink, &b);
    sim_trace_add_sink(w, order_sink, &c);
    assert_true(sim_trace_enabled(w));
    sim_trace_textf(w, SIM_TR_NOTE, 0, 0, NULL, "one");
    sim_trace_textf(w, SIM_TR_NOTE, 0, 0, NULL, "two");
    assert_string_equal(log->str, "abcac");
    sim_trace_remove_sink(w, order_sink, &a);
    sim_trace_remove_sink(w, order_sink, &c);
    assert_false(sim_trace_enabled(w));
    assert_int_equal(sim_trace_record_count(w), 2);
    g_string_free(log, TRUE);
    sim_world_free(w);
}

/* The text writer: one line per record, newline-terminated. */
static void
test_trace_text_writer(void **state)
{
    SimWorld *w = sim_world_new(1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    SimTraceText *tw;
    SimNodeId n = sim_node_add(w, "alpha", SIM_NODE_ROUTER);

    (void)state;
    tw = sim_trace_text_new(w, f);
    sim_trace_textf(w, SIM_TR_NOTE, n, 0, "hello", "x=%d", 42);
    sim_node_set_up(w, n, false);
    sim_trace_text_free(tw);
    sim_trace_textf(w, SIM_TR_NOTE, n, 0, NULL, "not written");
    fclose(f);
    assert_string_equal(buf, "   0.000000000 alpha    NOTE  hello x=42\n"
                             "   0.000000000 alpha    * NODE down\n");
    free(buf);
    sim_world_free(w);
}

/* The fingerprint covers every record, text included. */
static void
test_trace_fingerprint(void **state)
{
    guint64 fp[3];

    (void)state;
    for (int i = 0; i < 3; i++) {
        SimWorld *w = sim_world_new(1);

        assert_int_equal(sim_trace_fingerprint(w), 0);
        sim_trace_enable_fingerprint(w);
        assert_true(sim_trace_enabled(w));
        sim_trace_textf(w, SIM_TR_NOTE, 0, 0, "s", "text %d", i == 2 ? 1 : 0);
        fp[i] = sim_trace_fingerprint(w);
        assert_int_equal(sim_trace_record_count(w), 1);
        sim_world_free(w);
    }
    assert_true(fp[0] == fp[1]);
    assert_true(fp[0] != fp[2]);
    assert_true(fp[0] != 0xcbf29ce484222325ull);
}

/* A busy lossy network: jitter, duplication, reordering, corruption,
 * Gilbert-Elliott bursts, queues, fragmentation, multicast, a link flap. */
static void
run_busy_world(guint64 seed, GString **out_trace, guint64 *out_fp, guint64 *out_records)
{
    TestNet *tn = test_net_new(seed);
    SimNodeId h[4], r1, r2;
    SimLinkParams p;
    SimLinkId flap;
    SimAddr g = test_addr("239.9.9.9");

    tn->keep_rx = false;
    r1 = test_net_node(tn, "r1", SIM_NODE_ROUTER, "10.0.0.254", 16);
    r2 = test_net_node(tn, "r2", SIM_NODE_ROUTER, "10.0.1.254", 16);
    for (int i = 0; i < 4; i++) {
        char name[8], addr[32];

        g_snprintf(name, sizeof name, "h%d", i);
        g_snprintf(addr, sizeof addr, "10.0.%d.%d", i / 2, i + 1);
        h[i] = test_net_node(tn, name, SIM_NODE_HOST, addr, 16);
        sim_link_params_init(&p);
        p.latency_ns = (SimTime)(i + 1) * SIM_MSEC;
        p.jitter_ns = 300 * SIM_USEC;
        p.loss_ppm = 20000;
        p.dup_ppm = 10000;
        p.reorder_ppm = 20000;
        p.reorder_delay_ns = 2 * SIM_MSEC;
        p.corrupt_ppm = 5000;
        p.rate_bps = 10000000;
        p.queue_packets = 8;
        p.mtu = i == 3 ? 600 : 1500;
        test_net_link(tn, h[i], i < 2 ? r1 : r2, &p);
        assert_int_equal(sim_node_join_group(tn->world, h[i], &g), SIM_OK);
    }
    sim_link_params_init(&p);
    p.latency_ns = 5 * SIM_MSEC;
    p.ge_enabled = true;
    p.ge_p_good_bad_ppm = 50000;
    p.ge_p_bad_good_ppm = 300000;
    p.ge_loss_bad_ppm = 700000;
    flap = test_net_link(tn, r1, r2, &p);
    sim_link_params_init(&p);
    p.latency_ns = 5 * SIM_MSEC;
    p.up = false;
    sim_link_schedule_params(tn->world, 200 * SIM_MSEC, flap, SIM_DIR_BOTH, &p);
    p.up = true;
    sim_link_schedule_params(tn->world, 260 * SIM_MSEC, flap, SIM_DIR_BOTH, &p);
    for (int round = 0; round < 60; round++) {
        for (int i = 0; i < 4; i++) {
            char src[32], dst[32];
            int j = (i + 1 + round) % 4;
            SimPacket *pkt;

            if (j == i)
                j = (j + 1) % 4;
            g_snprintf(src, sizeof src, "10.0.%d.%d", i / 2, i + 1);
            g_snprintf(dst, sizeof dst, "10.0.%d.%d", j / 2, j + 1);
            pkt = test_net_udp(tn, src, round % 10 == 0 ? "239.9.9.9" : dst, (guint16)(1000 + i),
                               2000, (guint32)(100 + 97 * round));
            (void)sim_net_send(tn->world, h[i], pkt);
        }
        test_net_run_until(tn, (SimTime)(round + 1) * 7 * SIM_MSEC);
    }
    sim_world_run(tn->world);
    *out_trace = g_string_new(tn->trace->str);
    *out_fp = sim_trace_fingerprint(tn->world);
    *out_records = sim_trace_record_count(tn->world);
    test_net_free(tn);
}

static void
test_trace_determinism(void **state)
{
    GString *t1, *t2, *t3;
    guint64 fp1, fp2, fp3, n1, n2, n3;

    (void)state;
    run_busy_world(77, &t1, &fp1, &n1);
    run_busy_world(77, &t2, &fp2, &n2);
    run_busy_world(78, &t3, &fp3, &n3);
    print_message("%" G_GUINT64_FORMAT " records, fingerprint %016" G_GINT64_MODIFIER "x\n", n1,
                  fp1);
    assert_true(n1 > 1000);
    assert_true(n1 == n2);
    assert_true(fp1 == fp2);
    assert_string_equal(t1->str, t2->str);
    assert_true(fp1 != fp3);
    assert_true(strcmp(t1->str, t3->str) != 0);
    /* Every effect shows in the trace. */
    assert_non_null(strstr(t1->str, "DROP loss"));
    assert_non_null(strstr(t1->str, "DROP corrupt"));
    assert_non_null(strstr(t1->str, "(dup)"));
    assert_non_null(strstr(t1->str, "queued="));
    assert_non_null(strstr(t1->str, "FWD"));
    assert_non_null(strstr(t1->str, "frag="));
    assert_non_null(strstr(t1->str, "to 239.9.9.9"));
    assert_non_null(strstr(t1->str, "LINK down"));
    g_string_free(t1, TRUE);
    g_string_free(t2, TRUE);
    g_string_free(t3, TRUE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_format_time),
        cmocka_unit_test(test_trace_names),
        cmocka_unit_test(test_trace_packet_lines),
        cmocka_unit_test(test_trace_tcp_flags_tcpdump),
        cmocka_unit_test(test_trace_sinks_order_and_removal),
        cmocka_unit_test(test_trace_text_writer),
        cmocka_unit_test(test_trace_fingerprint),
        cmocka_unit_test(test_trace_determinism),
    };
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
