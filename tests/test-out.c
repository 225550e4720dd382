/* SPDX-License-Identifier: MIT
 * test-out: the run outputs of runner/out-*.c — JSON lines (exact lines,
 * escaping, one object per record, valid JSON), pcap (header, departure
 * timestamps in order, filters, read back by tshark or tcpdump with no
 * checksum error and the handshake's flags), the message-sequence chart
 * (well-formed XML, drops and notes drawn, deterministic, truncation) and
 * the statistics summary.  The scenario is built here with sim/ calls: a
 * client, a router and a server, a TCP exchange, UDP datagrams with one
 * queue drop and one loss, and an idle gap. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include <glib/gstdio.h>

#include "runner/out.h"

#define TEST_SEED 20240607u

/* ---- The scenario --------------------------------------------------------- */

/* One end of the scripted TCP exchange.  The test speaks TCP itself (a
 * handful of fixed segments through sim_net_send and a protocol input), so
 * it depends on the network layer only. */
typedef struct {
    SimNodeId node;
    SimAddr laddr, raddr;
    guint16 lport, rport;
    guint32 snd_nxt, rcv_nxt;
    const char *state;
} Peer;

typedef struct {
    SimWorld *w;
    SimNodeId client, router, server;
    SimLinkId l1, l2;
    Peer c, sv;
    SimSocketId cudp, sudp;
    guint64 n_send; /* SEND + QUEUE records: packets put onto a link */
    guint64 n_records;
    bool v6; /* also send an IPv6 datagram to a closed port */
} Scn;

static void
count_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    Scn *s = data;

    (void) world;
    s->n_records++;
    if (rec->kind == SIM_TR_PKT_SEND || rec->kind == SIM_TR_PKT_QUEUE)
        s->n_send++;
}

static SimAddr
addr(const char *text)
{
    SimAddr a;

    assert_true(sim_addr_parse(text, &a));
    return a;
}

static SimNodeId
node(SimWorld *w, const char *name, SimNodeKind kind, const char *a1, const char *a2)
{
    SimNodeId n = sim_node_add(w, name, kind);
    SimAddr a = addr(a1);

    assert_int_equal(sim_node_add_addr(w, n, &a, 24), SIM_OK);
    if (a2 != NULL) {
        a = addr(a2);
        assert_int_equal(sim_node_add_addr(w, n, &a, 24), SIM_OK);
    }
    return n;
}

/* What the SPI would trace for a call. */
#define CALL(s, n, fn, ...) sim_trace_textf((s)->w, SIM_TR_CALL, (n), SIM_ID_NONE, fn, __VA_ARGS__)

static void
set_state(Scn *s, Peer *p, const char *to)
{
    sim_trace_textf(s->w, SIM_TR_TCP_STATE, p->node, SIM_ID_NONE, to, "%s -> %s", p->state, to);
    p->state = to;
}

static void
tcp_tx(Scn *s, Peer *p, guint8 flags, const char *data, guint32 len)
{
    SimPacket *pkt = sim_packet_new(s->w, SIM_PROTO_TCP);
    SimTcpHeader *h = &pkt->l4.tcp;

    pkt->src = p->laddr;
    pkt->dst = p->raddr;
    pkt->ttl = 128;
    h->sport = p->lport;
    h->dport = p->rport;
    h->seq = p->snd_nxt;
    h->ack = (flags & SIM_TCP_ACK) != 0 ? p->rcv_nxt : 0;
    h->flags = flags;
    h->window = 65535;
    h->mss = (flags & SIM_TCP_SYN) != 0 ? 1460 : 0;
    if (len > 0) {
        SimBuf *b = sim_buf_new(data, len);

        sim_packet_set_payload(pkt, b, 0, len);
        sim_buf_unref(b);
    }
    p->snd_nxt += len + ((flags & SIM_TCP_SYN) != 0) + ((flags & SIM_TCP_FIN) != 0);
    assert_int_equal(sim_net_send(s->w, p->node, pkt), SIM_OK);
}

static void
tcp_input(SimWorld *w, SimNodeId n, SimPacket *pkt, void *data)
{
    Scn *s = data;
    Peer *p = n == s->client ? &s->c : &s->sv;
    const SimTcpHeader *h = &pkt->l4.tcp;
    bool syn = (h->flags & SIM_TCP_SYN) != 0, fin = (h->flags & SIM_TCP_FIN) != 0;

    (void) w;
    p->rcv_nxt = h->seq + pkt->payload_len + syn + fin;
    if (syn && (h->flags & SIM_TCP_ACK) == 0) {
        p->snd_nxt = 5000;
        set_state(s, p, "SYN_RECEIVED");
        tcp_tx(s, p, SIM_TCP_SYN | SIM_TCP_ACK, NULL, 0);
    } else if (syn) {
        set_state(s, p, "ESTABLISHED");
        tcp_tx(s, p, SIM_TCP_ACK, NULL, 0);
    } else if (fin && strcmp(p->state, "ESTABLISHED") == 0) {
        set_state(s, p, "CLOSE_WAIT");
        /* The application closes at once: FIN and ACK in one segment. */
        set_state(s, p, "LAST_ACK");
        tcp_tx(s, p, SIM_TCP_FIN | SIM_TCP_ACK, NULL, 0);
    } else if (fin) {
        set_state(s, p, "TIME_WAIT");
        tcp_tx(s, p, SIM_TCP_ACK, NULL, 0);
    } else if (pkt->payload_len > 0) {
        tcp_tx(s, p, SIM_TCP_ACK, NULL, 0);
    } else if (strcmp(p->state, "SYN_RECEIVED") == 0) {
        set_state(s, p, "ESTABLISHED");
    } else if (strcmp(p->state, "LAST_ACK") == 0) {
        set_state(s, p, "CLOSED");
    } else if (strcmp(p->state, "FIN_WAIT_1") == 0) {
        set_state(s, p, "FIN_WAIT_2");
    }
    sim_packet_unref(pkt);
}

static void
step_listen(SimWorld *w, void *data)
{
    Scn *s = data;
    SimSockAddr any = { sim_addr_any(SIM_AF_INET), 7000 };

    CALL(s, s->server, "WSPSocket", "(AF_INET, SOCK_STREAM, 0) = 1");
    CALL(s, s->server, "WSPListen", "(1, 4) = 0");
    set_state(s, &s->sv, "LISTEN");
    s->sudp = sim_udp_open(w, s->server, SIM_AF_INET);
    assert_int_equal(sim_udp_bind(w, s->sudp, &any), SIM_OK);
}

static void
step_connect(SimWorld *w, void *data)
{
    Scn *s = data;

    (void) w;
    CALL(s, s->client, "WSPConnect", "(2, 10.0.1.2:80) = SOCKET_ERROR, WSAEWOULDBLOCK");
    s->c.snd_nxt = 1000;
    set_state(s, &s->c, "SYN_SENT");
    tcp_tx(s, &s->c, SIM_TCP_SYN, NULL, 0);
}

static void
step_data(SimWorld *w, void *data)
{
    Scn *s = data;

    (void) w;
    CALL(s, s->server, "WSPAccept", "(1) = 3");
    CALL(s, s->client, "WSPSend", "(2, \"hello\", 5) = 0, sent 5");
    tcp_tx(s, &s->c, SIM_TCP_ACK | SIM_TCP_PSH, "hello", 5);
}

/* A burst of four datagrams onto a link that queues two: one leaves, two
 * wait, one is dropped; then one more that the loss model takes. */
static void
step_udp(SimWorld *w, void *data)
{
    Scn *s = data;
    SimSockAddr to = { addr("10.0.1.2"), 7000 };
    guint8 buf[1000] = { 0 };

    s->cudp = sim_udp_open(w, s->client, SIM_AF_INET);
    for (int i = 0; i < 4; i++)
        assert_int_equal(sim_udp_sendto(w, s->cudp, &to, buf, 512), SIM_OK);
    CALL(s, s->client, "WSPSendTo", "(4, 512 bytes x4, 10.0.1.2:7000) = 0");
}

/* One datagram the loss model takes (100% loss for that one packet). */
static void
step_lose(SimWorld *w, void *data)
{
    Scn *s = data;
    SimSockAddr to = { addr("10.0.1.2"), 7000 };
    guint8 buf[100] = { 0 };
    SimLinkParams p;

    assert_int_equal(sim_link_get_params(w, s->l1, SIM_DIR_AB, &p), SIM_OK);
    p.loss_ppm = 1000000;
    assert_int_equal(sim_link_set_params(w, s->l1, SIM_DIR_AB, &p), SIM_OK);
    assert_int_equal(sim_udp_sendto(w, s->cudp, &to, buf, 100), SIM_OK);
    p.loss_ppm = 0;
    assert_int_equal(sim_link_set_params(w, s->l1, SIM_DIR_AB, &p), SIM_OK);
}

/* IPv6: a datagram to a port nobody listens on, answered by ICMPv6. */
static void
step_v6(SimWorld *w, void *data)
{
    Scn *s = data;
    SimSockAddr to = { addr("2001:db8:1::2"), 7001 };
    SimSocketId u = sim_udp_open(w, s->client, SIM_AF_INET6);

    assert_int_equal(sim_udp_sendto(w, u, &to, "v6", 2), SIM_OK);
    assert_int_equal(sim_udp_close(w, u), SIM_OK);
}

static void
step_close(SimWorld *w, void *data)
{
    Scn *s = data;

    (void) w;
    CALL(s, s->server, "WSPRecv", "(3, 64) = 0, received 5");
    CALL(s, s->client, "WSPCloseSocket", "(2) = 0");
    set_state(s, &s->c, "FIN_WAIT_1");
    tcp_tx(s, &s->c, SIM_TCP_FIN | SIM_TCP_ACK, NULL, 0);
}

static void
step_close2(SimWorld *w, void *data)
{
    Scn *s = data;

    CALL(s, s->server, "WSPCloseSocket", "(3) = 0");
    assert_int_equal(sim_udp_close(w, s->cudp), SIM_OK);
    assert_int_equal(sim_udp_close(w, s->sudp), SIM_OK);
}

static Scn *
scn_new(void)
{
    Scn *s = g_new0(Scn, 1);
    SimLinkParams p;

    s->w = sim_world_new(TEST_SEED);
    s->client = node(s->w, "client", SIM_NODE_HOST, "10.0.0.1", NULL);
    s->router = node(s->w, "router", SIM_NODE_ROUTER, "10.0.0.254", "10.0.1.254");
    s->server = node(s->w, "server", SIM_NODE_HOST, "10.0.1.2", NULL);
    sim_link_params_init(&p);
    p.latency_ns = 4 * SIM_MSEC;
    p.rate_bps = 10000000;
    p.queue_packets = 2;
    s->l1 = sim_link_add(s->w, s->client, s->router, &p, &p);
    p.latency_ns = 6 * SIM_MSEC;
    p.queue_packets = 0;
    s->l2 = sim_link_add(s->w, s->router, s->server, &p, &p);
    assert_int_not_equal(s->l1, SIM_ID_NONE);
    assert_int_not_equal(s->l2, SIM_ID_NONE);
    s->c = (Peer){ s->client, addr("10.0.0.1"), addr("10.0.1.2"), 49152, 80, 0, 0, "CLOSED" };
    s->sv = (Peer){ s->server, addr("10.0.1.2"), addr("10.0.0.1"), 80, 49152, 0, 0, "CLOSED" };
    sim_net_register_proto(s->w, SIM_PROTO_TCP, tcp_input, s);
    sim_trace_add_sink(s->w, count_sink, s);
    if (g_getenv("TEST_OUT_TRACE") != NULL)
        sim_trace_text_new(s->w, stderr); /* leaked on purpose: debugging only */
    return s;
}

/* Runs the whole exchange (the outputs are opened before, closed after). */
static void
scn_run(Scn *s)
{
    sim_event_schedule_at(s->w, 0, step_listen, s);
    sim_event_schedule_at(s->w, 1 * SIM_MSEC, step_connect, s);
    sim_event_schedule_at(s->w, 45 * SIM_MSEC, step_data, s);
    sim_event_schedule_at(s->w, 70 * SIM_MSEC, step_udp, s);
    sim_event_schedule_at(s->w, 90 * SIM_MSEC, step_lose, s);
    if (s->v6) {
        SimAddr a;

        a = addr("2001:db8::1");
        assert_int_equal(sim_node_add_addr(s->w, s->client, &a, 64), SIM_OK);
        a = addr("2001:db8::fe");
        assert_int_equal(sim_node_add_addr(s->w, s->router, &a, 64), SIM_OK);
        a = addr("2001:db8:1::fe");
        assert_int_equal(sim_node_add_addr(s->w, s->router, &a, 64), SIM_OK);
        a = addr("2001:db8:1::2");
        assert_int_equal(sim_node_add_addr(s->w, s->server, &a, 64), SIM_OK);
        sim_event_schedule_at(s->w, 100 * SIM_MSEC, step_v6, s);
    }
    sim_event_schedule_at(s->w, 3 * SIM_SEC, step_close, s);
    sim_event_schedule_at(s->w, 3 * SIM_SEC + 40 * SIM_MSEC, step_close2, s);
    sim_world_run(s->w);
}

static void
scn_free(Scn *s)
{
    sim_trace_remove_sink(s->w, count_sink, s);
    sim_world_free(s->w);
    g_free(s);
}

static char *tmp_dir;

static char *
tmp_path(const char *name)
{
    char *dir = tmp_dir;

    if (dir == NULL) {
        dir = tmp_dir = g_dir_make_tmp("test-out-XXXXXX", NULL);
        assert_non_null(dir);
    }
    return g_build_filename(dir, name, NULL);
}

static char *
slurp(const char *path, gsize *out_len)
{
    char *text = NULL;
    GError *err = NULL;

    if (!g_file_get_contents(path, &text, out_len, &err))
        fail_msg("%s", err->message);
    return text;
}

/* stdout of @argv, or NULL when it cannot run. */
static char *
run(const char *const *argv)
{
    char *out = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                      NULL, &status, NULL))
        return NULL;
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_free(out);
        return NULL;
    }
    return out;
}

static guint
count_lines(const char *text)
{
    guint n = 0;

    for (const char *p = text; *p != '\0'; p++)
        n += *p == '\n';
    return n;
}

/* ---- Errors -------------------------------------------------------------- */

static void
test_out_open_error(void **state)
{
    g_autoptr(SimWorld) w = sim_world_new(TEST_SEED);
    const char *bad = "/nonexistent-dir-for-test-out/x.jsonl";
    GError *err = NULL;

    (void) state;
    assert_null(wspsim_out_jsonl_open(w, bad, &err));
    assert_non_null(err);
    assert_true(g_error_matches(err, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_IO));
    assert_non_null(strstr(err->message, bad));
    assert_non_null(strstr(err->message, g_strerror(ENOENT)));
    g_clear_error(&err);
    assert_null(wspsim_out_pcap_open(w, bad, &err));
    assert_true(g_error_matches(err, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_IO));
    g_clear_error(&err);
    assert_null(wspsim_out_msc_open(w, bad, &err));
    assert_true(g_error_matches(err, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_IO));
    g_clear_error(&err);
    /* Closing NULL is allowed. */
    assert_true(wspsim_out_jsonl_close(NULL, NULL));
    assert_true(wspsim_out_pcap_close(NULL, NULL));
    assert_true(wspsim_out_msc_close(NULL, NULL));
    wspsim_out_stats_free(NULL);
}

/* ---- JSON lines ------------------------------------------------------------ */

static void
test_out_jsonl_escaping(void **state)
{
    g_autoptr(SimWorld) w = sim_world_new(TEST_SEED);
    SimNodeId a = sim_node_add(w, "a", SIM_NODE_HOST);
    SimTraceRecord rec = { 0 };
    g_autoptr(GString) s = g_string_new(NULL);

    (void) state;
    rec.time = 1500000001;
    rec.kind = SIM_TR_NOTE;
    rec.node = a;
    rec.subject = "x";
    rec.text = "q\"b\\s\n\t\x01\x7f\xc3\xa9\xff.";
    wspsim_out_jsonl_format(w, &rec, s);
    assert_string_equal(s->str, "{\"t_ns\":1500000001,\"t\":\"1.500000001\",\"kind\":\"note\","
                                "\"node\":\"a\",\"subject\":\"x\","
                                "\"text\":\"q\\\"b\\\\s\\n\\t\\u0001\\u007f\xc3\xa9\\ufffd.\"}");
    /* No node: null, the key is still there. */
    g_string_truncate(s, 0);
    rec.node = SIM_ID_NONE;
    rec.subject = NULL;
    rec.text = NULL;
    wspsim_out_jsonl_format(w, &rec, s);
    assert_string_equal(s->str, "{\"t_ns\":1500000001,\"t\":\"1.500000001\",\"kind\":\"note\","
                                "\"node\":null}");
}

static void
test_out_jsonl_packet(void **state)
{
    g_autoptr(SimWorld) w = sim_world_new(TEST_SEED);
    SimNodeId a = sim_node_add(w, "a", SIM_NODE_HOST);
    SimNodeId b = sim_node_add(w, "b", SIM_NODE_HOST);
    SimPacket *p = sim_packet_new(w, SIM_PROTO_TCP);
    SimTraceRecord rec = { 0 };
    g_autoptr(GString) s = g_string_new(NULL);

    (void) state;
    p->src = addr("10.0.0.1");
    p->dst = addr("10.0.0.2");
    p->ttl = 128;
    p->l4.tcp.sport = 49152;
    p->l4.tcp.dport = 80;
    p->l4.tcp.seq = 1000;
    p->l4.tcp.ack = 0;
    p->l4.tcp.flags = SIM_TCP_SYN;
    p->l4.tcp.window = 65535;
    p->l4.tcp.mss = 1460;
    rec.time = 2 * SIM_MSEC;
    rec.kind = SIM_TR_PKT_QUEUE;
    rec.node = a;
    rec.peer = b;
    rec.link = 1;
    rec.dir = SIM_DIR_AB;
    rec.depart_ns = 3 * SIM_MSEC;
    rec.queue_len = 2;
    rec.packet = p;
    wspsim_out_jsonl_format(w, &rec, s);
    {
        g_autofree char *want = g_strdup_printf(
            "{\"t_ns\":2000000,\"t\":\"0.002000000\",\"kind\":\"pkt-queue\",\"node\":\"a\","
            "\"peer\":\"b\",\"link\":1,\"dir\":\"ab\",\"depart_ns\":3000000,\"queue_len\":2,"
            "\"packet\":{\"uid\":%" G_GUINT64_FORMAT
            ",\"proto\":\"tcp\",\"src\":\"10.0.0.1:49152\","
            "\"dst\":\"10.0.0.2:80\",\"ttl\":128,\"len\":44,\"payload_len\":0,"
            "\"tcp\":{\"flags\":[\"SYN\"],\"seq\":1000,\"ack\":0,\"win\":65535,\"len\":0,"
            "\"mss\":1460}}}",
            p->uid);

        assert_string_equal(s->str, want);
    }
    sim_packet_unref(p);
}

static void
test_out_jsonl_run(void **state)
{
    Scn *s = scn_new();
    g_autofree char *path = tmp_path("run.jsonl");
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GError *err = NULL;
    WspsimOutJsonl *j;
    guint n;
    bool saw_loss = false, saw_queue_drop = false, saw_syn = false, saw_call = false;
    g_autofree char *python = NULL;

    (void) state;
    j = wspsim_out_jsonl_open(s->w, path, &err);
    assert_non_null(j);
    scn_run(s);
    assert_true(wspsim_out_jsonl_close(j, &err));
    text = slurp(path, NULL);
    n = count_lines(text);
    assert_int_equal(n, s->n_records);
    lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; i < n; i++) {
        const char *l = lines[i];

        assert_true(g_str_has_prefix(l, "{\"t_ns\":"));
        assert_true(g_str_has_suffix(l, "}"));
        assert_non_null(strstr(l, "\"kind\":"));
        saw_loss |= strstr(l, "\"reason\":\"loss\"") != NULL;
        saw_queue_drop |=
            strstr(l, "\"kind\":\"pkt-drop\"") != NULL && strstr(l, "\"reason\":\"queue\"") != NULL;
        saw_syn |=
            strstr(l, "\"flags\":[\"SYN\"]") != NULL && strstr(l, "\"src\":\"10.0.0.1:") != NULL;
        saw_call |=
            strstr(l, "\"kind\":\"call\",\"node\":\"client\",\"subject\":\"WSPConnect\"") != NULL;
    }
    assert_true(saw_loss);
    assert_true(saw_queue_drop);
    assert_true(saw_syn);
    assert_true(saw_call);
    /* Every line is valid JSON, when python3 is here to say so. */
    python = g_find_program_in_path("python3");
    if (python != NULL) {
        const char *argv[] = { python, "-c",
                               "import json,sys\n"
                               "n=0\n"
                               "for l in open(sys.argv[1]):\n"
                               "  json.loads(l); n+=1\n"
                               "print(n)\n",
                               path, NULL };
        g_autofree char *out = run(argv);
        g_autofree char *want = g_strdup_printf("%u\n", n);

        assert_non_null(out);
        assert_string_equal(out, want);
    }
    g_unlink(path);
    scn_free(s);
}

/* ---- pcap ------------------------------------------------------------------ */

static guint32
le32(const guint8 *p)
{
    return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static void
test_out_pcap_file(void **state)
{
    Scn *s = scn_new();
    g_autofree char *path = tmp_path("run.pcap");
    g_autofree char *data = NULL;
    GError *err = NULL;
    WspsimOutPcap *pc;
    gsize len = 0, off;
    guint64 n = 0, prev_ns = 0;
    guint n_queued_stamps = 0;

    (void) state;
    pc = wspsim_out_pcap_open(s->w, path, &err);
    assert_non_null(pc);
    scn_run(s);
    assert_int_equal(wspsim_out_pcap_packet_count(pc), s->n_send);
    assert_true(wspsim_out_pcap_close(pc, &err));
    data = slurp(path, &len);
    assert_true(len >= 24);
    assert_int_equal(le32((guint8 *) data), 0xa1b23c4du);
    assert_int_equal(le32((guint8 *) data + 20), 101);
    for (off = 24; off + 16 <= len; n++) {
        const guint8 *h = (const guint8 *) data + off;
        guint64 ns = (guint64) le32(h) * SIM_SEC + le32(h + 4);
        guint32 cap = le32(h + 8), wire = le32(h + 12);

        assert_true(le32(h + 4) < SIM_SEC);
        assert_true(ns >= prev_ns); /* in timestamp order */
        assert_int_equal(cap, wire);
        assert_true(cap >= 20);
        assert_int_equal(h[16] >> 4, 4); /* IPv4 */
        /* The burst at 70 ms: 512-byte datagrams are 540 bytes on the wire,
         * 432 us each at 10 Mbit/s; the queued ones are stamped when they
         * start to leave, not when they were queued. */
        if (wire == 540 && (ns == 70432 * SIM_USEC || ns == 70864 * SIM_USEC))
            n_queued_stamps++;
        prev_ns = ns;
        off += 16 + cap;
    }
    assert_int_equal(off, len);
    assert_int_equal(n, s->n_send);
    assert_int_equal(n_queued_stamps, 2);
    g_unlink(path);
    scn_free(s);
}

static void
test_out_pcap_filter(void **state)
{
    Scn *s = scn_new();
    g_autofree char *path = tmp_path("filter.pcap");
    GError *err = NULL;
    WspsimOutPcap *pc;
    guint64 all;

    (void) state;
    pc = wspsim_out_pcap_open(s->w, path, &err);
    assert_non_null(pc);
    assert_false(wspsim_out_pcap_add_filter(pc, "nosuch", &err));
    assert_true(g_error_matches(err, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_FILTER));
    assert_non_null(strstr(err->message, "nosuch"));
    g_clear_error(&err);
    assert_false(wspsim_out_pcap_add_filter(pc, "client:server", &err));
    assert_true(g_error_matches(err, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_FILTER));
    g_clear_error(&err);
    assert_true(wspsim_out_pcap_add_filter(pc, "server:router", &err));
    scn_run(s);
    all = s->n_send;
    /* Only the router-server link: no packet of the client's queue drop
     * or loss, fewer than everything. */
    assert_true(wspsim_out_pcap_packet_count(pc) > 0);
    assert_true(wspsim_out_pcap_packet_count(pc) < all);
    assert_true(wspsim_out_pcap_close(pc, &err));
    g_unlink(path);
    scn_free(s);
}

static void
test_out_pcap_readback(void **state)
{
    Scn *s = scn_new();
    g_autofree char *path = tmp_path("readback.pcap");
    g_autofree char *tshark = g_find_program_in_path("tshark");
    g_autofree char *tcpdump = g_find_program_in_path("tcpdump");
    GError *err = NULL;
    WspsimOutPcap *pc;
    guint64 n;

    (void) state;
    if (tshark == NULL && tcpdump == NULL) {
        scn_free(s);
        skip();
    }
    pc = wspsim_out_pcap_open(s->w, path, &err);
    assert_non_null(pc);
    assert_true(wspsim_out_pcap_add_filter(pc, "client:router", &err));
    s->v6 = true;
    scn_run(s);
    n = wspsim_out_pcap_packet_count(pc);
    assert_true(wspsim_out_pcap_close(pc, &err));
    if (tshark != NULL) {
        const char *list[] = { tshark, "-n", "-r", path, NULL };
        const char *bad[] = { tshark,
                              "-n",
                              "-r",
                              path,
                              "-o",
                              "tcp.check_checksum:TRUE",
                              "-o",
                              "udp.check_checksum:TRUE",
                              "-o",
                              "ip.check_checksum:TRUE",
                              "-Y",
                              "tcp.checksum.status==2 or udp.checksum.status==2 or "
                              "ip.checksum.status==2 or ip.len != frame.len",
                              NULL };
        const char *flags[] = { tshark, "-n", "-r",     path, "-Y",
                                "tcp",  "-T", "fields", "-e", "tcp.flags.str",
                                NULL };
        const char *v6[] = { tshark, "-n",     "-r", path,       "-Y", "ipv6",
                             "-T",   "fields", "-e", "ipv6.nxt", NULL };
        g_autofree char *out_v6 = run(v6);
        g_autofree char *out_list = run(list);
        g_autofree char *out_bad = run(bad);
        g_autofree char *out_flags = run(flags);
        g_auto(GStrv) f = NULL;

        assert_non_null(out_list);
        assert_int_equal(count_lines(out_list), n);
        assert_non_null(out_bad);
        assert_string_equal(out_bad, "");
        /* The IPv6 datagram out, the ICMPv6 port unreachable back. */
        assert_non_null(out_v6);
        assert_true(g_str_has_prefix(out_v6, "17\n58")); /* 58,17: with the quoted header */
        assert_int_equal(count_lines(out_v6), 2);
        assert_non_null(out_flags);
        f = g_strsplit(out_flags, "\n", -1);
        /* tshark writes the flags as "·······A··S·" (U+00B7 for clear). */
        assert_true(g_strv_length(f) >= 3);
        assert_non_null(strstr(f[0], "S"));
        assert_null(strstr(f[0], "A"));
        assert_non_null(strstr(f[1], "S"));
        assert_non_null(strstr(f[1], "A"));
        assert_null(strstr(f[2], "S"));
        assert_non_null(strstr(f[2], "A"));
    } else {
        const char *argv[] = { tcpdump, "-nn", "-vv", "-r", path, NULL };
        g_autofree char *out = run(argv);
        const char *syn, *synack, *ack;

        assert_non_null(out);
        assert_null(strstr(out, "incorrect"));
        syn = strstr(out, "Flags [S],");
        synack = strstr(out, "Flags [S.],");
        assert_non_null(syn);
        assert_non_null(synack);
        assert_true(syn < synack);
        ack = strstr(synack, "Flags [.],");
        assert_non_null(ack);
    }
    g_unlink(path);
    scn_free(s);
}

/* ---- Sequence chart ---------------------------------------------------------- */

static char *
msc_run(guint max_events, const char *name, const char *title)
{
    Scn *s = scn_new();
    char *path = tmp_path(name);
    GError *err = NULL;
    WspsimOutMsc *m;

    m = wspsim_out_msc_open(s->w, path, &err);
    assert_non_null(m);
    wspsim_out_msc_set_title(m, title);
    if (max_events > 0)
        wspsim_out_msc_set_max_events(m, max_events);
    scn_run(s);
    assert_true(wspsim_out_msc_close(m, &err));
    scn_free(s);
    return path;
}

static guint
count_str(const char *hay, const char *needle)
{
    guint n = 0;

    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void
xml_check(const char *path)
{
    g_autofree char *xmllint = g_find_program_in_path("xmllint");

    if (xmllint != NULL) {
        const char *argv[] = { xmllint, "--noout", path, NULL };
        g_autofree char *out = run(argv);

        assert_non_null(out); /* exit status 0 */
    } else {
        g_autofree char *text = slurp(path, NULL);

        /* Without xmllint: balanced <g> groups, one root, the prologue. */
        assert_true(g_str_has_prefix(text, "<?xml version=\"1.0\""));
        assert_int_equal(count_str(text, "<g>"), count_str(text, "</g>"));
        assert_int_equal(count_str(text, "<svg "), 1);
        assert_true(g_str_has_suffix(text, "</svg>\n"));
    }
}

static void
test_out_msc_chart(void **state)
{
    const char *title = "client, router, server: TCP & UDP <test>";
    g_autofree char *path = msc_run(0, "chart.svg", title);
    g_autofree char *path2 = msc_run(0, "chart2.svg", title);
    const char *example = g_getenv("TEST_OUT_MSC_EXAMPLE");
    g_autofree char *text = NULL;
    g_autofree char *text2 = NULL;

    (void) state;
    xml_check(path);
    text = slurp(path, NULL);
    text2 = slurp(path2, NULL);
    assert_string_equal(text, text2); /* deterministic */
    /* Lifelines with names on top and at the bottom. */
    assert_int_equal(count_str(text, "<line class=\"life\""), 3);
    assert_int_equal(count_str(text, ">client</text>"), 2);
    assert_int_equal(count_str(text, ">router</text>"), 2);
    /* The handshake, data, a lost and a queue-dropped datagram, and their
     * crosses; calls as notes; state labels; the idle gap as a break. */
    assert_true(count_str(text, ">SYN</text>") >= 2);
    assert_true(count_str(text, ">SYN ACK</text>") >= 2);
    assert_true(count_str(text, ">ACK 5</text>") >= 2);
    assert_true(count_str(text, ">FIN ACK</text>") >= 2);
    assert_true(count_str(text, ">UDP 512</text>") >= 3);
    assert_int_equal(count_str(text, ">loss</text>"), 1);
    assert_int_equal(count_str(text, ">UDP 512: queue</text>"), 1);
    assert_int_equal(count_str(text, "class=\"x\""), 2 + 1); /* + the legend's */
    /* The call wraps: the error code on the note's second line. */
    assert_non_null(strstr(text, ">WSPConnect(2, 10.0.1.2:80) = SOCKET_ERROR,</text>"));
    assert_non_null(strstr(text, ">WSAEWOULDBLOCK</text>"));
    assert_non_null(strstr(text, "class=\"callbad\""));
    assert_non_null(strstr(text, ">ESTABLISHED</text>"));
    assert_non_null(strstr(text, ">TIME_WAIT</text>"));
    assert_non_null(strstr(text, "with nothing happening"));
    assert_non_null(strstr(text, ">45.000 ms</text>"));
    assert_non_null(strstr(text, "TCP &amp; UDP &lt;test&gt;"));
    assert_null(strstr(text, "truncated"));
    if (example != NULL) {
        /* The chart of doc/outputs.md: TEST_OUT_MSC_EXAMPLE=doc/images/msc-example.svg */
        g_autofree char *ex = msc_run(
            0, "example.svg", "wspsim --msc: a TCP connection and a UDP burst through a router");
        g_autofree char *ex_text = slurp(ex, NULL);

        assert_true(g_file_set_contents(example, ex_text, -1, NULL));
        g_unlink(ex);
    }
    g_unlink(path);
    g_unlink(path2);
}

static void
test_out_msc_truncated(void **state)
{
    g_autofree char *path = msc_run(5, "trunc.svg", NULL);
    g_autofree char *text = NULL;

    (void) state;
    xml_check(path);
    text = slurp(path, NULL);
    assert_non_null(strstr(text, "Chart truncated: 5 of "));
    g_unlink(path);
}

static void
test_out_msc_empty(void **state)
{
    g_autoptr(SimWorld) w = sim_world_new(TEST_SEED);
    g_autofree char *path = tmp_path("empty.svg");
    WspsimOutMsc *m = wspsim_out_msc_open(w, path, NULL);

    (void) state;
    assert_non_null(m);
    assert_true(wspsim_out_msc_close(m, NULL));
    xml_check(path);
    g_unlink(path);
}

/* ---- Statistics ------------------------------------------------------------------ */

/* The client sends "hello" a second time (a retransmission). */
static void
step_retransmit(SimWorld *w, void *data)
{
    Scn *s = data;

    (void) w;
    s->c.snd_nxt -= 5;
    tcp_tx(s, &s->c, SIM_TCP_ACK | SIM_TCP_PSH, "hello", 5);
}

static void
test_out_stats(void **state)
{
    Scn *s = scn_new();
    WspsimOutStats *st = wspsim_out_stats_new(s->w);
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    (void) state;
    sim_event_schedule_at(s->w, 50 * SIM_MSEC, step_retransmit, s);
    scn_run(s);
    f = open_memstream(&buf, &len);
    assert_non_null(f);
    wspsim_out_stats_print(s->w, st, f);
    fclose(f);
    /* client -> router: 3 handshake/data/close segments and more, 4 of 5
     * datagrams accepted (one queue drop), of which one lost. */
    assert_non_null(strstr(buf, "client -> router"));
    assert_non_null(strstr(buf, "router -> server"));
    assert_non_null(strstr(buf, "client UDP 10.0.0.1:"));
    assert_non_null(strstr(buf, "> 10.0.1.2:7000"));
    assert_non_null(strstr(buf, "server TCP 10.0.1.2:80 > 10.0.0.1:"));
    {
        g_auto(GStrv) lines = g_strsplit(buf, "\n", -1);
        bool found = false, found_tcp = false;

        for (guint i = 0; lines[i] != NULL; i++) {
            if (strstr(lines[i], "client UDP") != NULL) {
                g_auto(GStrv) col = g_strsplit_set(g_strstrip(lines[i]), " ", -1);
                GPtrArray *v = g_ptr_array_new();

                for (guint k = 0; col[k] != NULL; k++) {
                    if (col[k][0] != '\0')
                        g_ptr_array_add(v, col[k]);
                }
                /* name UDP local > remote tx-pkts tx-bytes rx-pkts rx-bytes
                 * rx-drop - */
                assert_int_equal(v->len, 11);
                assert_string_equal(g_ptr_array_index(v, 5), "5");
                assert_string_equal(g_ptr_array_index(v, 6), "2148");
                g_ptr_array_free(v, TRUE);
                found = true;
            }
            if (strstr(lines[i], "client TCP") != NULL) {
                found_tcp = true;
                /* SYN, ACK, data, data again, FIN, ACK: 10 bytes, one
                 * retransmission. */
                assert_true(g_str_has_suffix(
                    lines[i], "       6         10        4          0        0        1"));
            }
            if (strstr(lines[i], "client -> router") != NULL)
                assert_non_null(strstr(lines[i], "        1        1")); /* lost, queue */
        }
        assert_true(found);
        assert_true(found_tcp);
    }
    assert_null(strstr(buf, "qos (per direction)")); /* no QoS at work: no QoS table */
    if (g_getenv("TEST_OUT_TRACE") != NULL)
        fputs(buf, stderr);
    free(buf);
    wspsim_out_stats_free(st);
    scn_free(s);
}

/* With QoS at work the statistics add a table per link direction: packets
 * in the guaranteed and controlled-load classes, and the rate reserved. */
static void
test_out_stats_qos(void **state)
{
    SimWorld *w = sim_world_new(7);
    SimNodeId a = sim_node_add(w, "a", SIM_NODE_HOST), b = sim_node_add(w, "b", SIM_NODE_HOST);
    SimAddr aa = sim_addr_v4(10, 0, 0, 1), ba = sim_addr_v4(10, 0, 0, 2);
    SimSockAddr la = { aa, 5004 }, to = { ba, 5004 };
    SimLinkParams p;
    SimQosSpec spec;
    SimQosFlowId flow;
    SimSocketId u;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    (void) state;
    assert_int_equal(sim_node_add_addr(w, a, &aa, 24), SIM_OK);
    assert_int_equal(sim_node_add_addr(w, b, &ba, 24), SIM_OK);
    sim_link_params_init(&p);
    p.rate_bps = 1000000;
    assert_true(sim_link_add(w, a, b, &p, &p) != SIM_ID_NONE);
    sim_qos_spec_init(&spec);
    spec.service = SIM_QOS_GUARANTEED;
    spec.token_rate = 10000;
    spec.bucket_bytes = 10000;
    flow = sim_qos_flow_new(w, a, SIM_PROTO_UDP, &spec);
    assert_int_equal(sim_qos_flow_set_filter(w, flow, &la, &to), SIM_QOS_STATE_ADMITTED);
    u = sim_udp_open(w, a, SIM_AF_INET);
    assert_int_equal(sim_udp_bind(w, u, &la), SIM_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sim_udp_sendto(w, u, &to, "voice", 5), SIM_OK);
    sim_world_run(w);
    f = open_memstream(&buf, &len);
    assert_non_null(f);
    wspsim_out_stats_print(w, NULL, f);
    fclose(f);
    assert_non_null(strstr(buf, "qos (per direction)              g-pkts  cl-pkts  reserved-bps\n"));
    assert_non_null(strstr(buf, "  a -> b                              3        0         80000\n"));
    assert_non_null(strstr(buf, "  b -> a                              0        0             0\n"));
    free(buf);
    sim_udp_close(w, u);
    sim_world_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_open_error),    cmocka_unit_test(test_out_jsonl_escaping),
        cmocka_unit_test(test_out_jsonl_packet),  cmocka_unit_test(test_out_jsonl_run),
        cmocka_unit_test(test_out_pcap_file),     cmocka_unit_test(test_out_pcap_filter),
        cmocka_unit_test(test_out_pcap_readback), cmocka_unit_test(test_out_msc_chart),
        cmocka_unit_test(test_out_msc_truncated), cmocka_unit_test(test_out_msc_empty),
        cmocka_unit_test(test_out_stats),
        cmocka_unit_test(test_out_stats_qos),
    };

    int failed;

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    failed = cmocka_run_group_tests_name("out", tests, NULL, NULL);
    if (tmp_dir != NULL && failed == 0)
        g_rmdir(tmp_dir); /* empty when every test passed */
    g_free(tmp_dir);
    return failed;
}
