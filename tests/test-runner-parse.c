/* SPDX-License-Identifier: MIT
 *
 * test-runner-parse.c: the scenario lexer, parser and checker — what a
 * good script turns into, and the exact "file:line:column: message" and
 * error code of every class of malformed input.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <wspsim/winsock2.h>
#include <wspsim/ws2spi.h>

#include <cmocka.h>

#include <wspsim/wspsim-fault.h>

#include "runner/lex.h"
#include "runner/scenario.h"

static WspsimScript *
parse_ok(const char *text)
{
    g_autoptr(GError) e = NULL;
    WspsimScript *s = wspsim_script_parse("t.wsim", text, strlen(text), &e);

    if (s == NULL)
        print_error("unexpected error: %s\n", e->message);
    assert_non_null(s);
    return s;
}

static const char flagship[] =
    "# comment\n"
    "seed 7\n"
    "\n"
    "host client 10.0.0.1\n"
    "host server 10.0.0.2 fe80::2/64\n"
    "link client server latency 5ms rate 10Mbps loss 0%\n"
    "\n"
    "thread server.main:\n"
    "    l = WSPSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP)\n"
    "    WSPBind(l, 10.0.0.2:7000)\n"
    "    WSPListen(l, 5)\n"
    "    c = WSPAccept(l)        # blocks\n"
    "    sleep 50ms\n"
    "    WSPSelect(read=[c], timeout=0)   -> 1, read=[c]\n"
    "    WSPRecv(c, 100)                  -> \"hello\"\n"
    "    WSPRecv(c, 100)                  -> 0\n"
    "    WSPSend(c, \"bye\")                -> 3\n"
    "    WSPCloseSocket(c)\n"
    "\n"
    "thread client.main at 1ms:\n"
    "    s = WSPSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, flags=WSA_FLAG_OVERLAPPED)\n"
    "    WSPConnect(s, 10.0.0.2:7000)\n"
    "    WSPSend(s, \"hello\")              -> 5\n"
    "    WSPShutdown(s, SD_SEND)\n"
    "    WSPSend(s, \"more\")               -> WSAESHUTDOWN\n"
    "    repeat 3:\n"
    "        WSPSend(s, 10 bytes, flags=0) -> any\n"
    "    for i in 1..4:\n"
    "        WSPRecv(s, 1KB, MSG_PEEK|MSG_WAITALL) -> 5 bytes\n"
    "    WSPCloseSocket(s)\n"
    "\n"
    "at 2s: link client server down\n"
    "at 3s: link client -> server loss 30% latency 1.5ms\n"
    "run until 60s\n";

static void
test_runner_parse_flagship(void **state)
{
    g_autoptr(WspsimScript) s = parse_ok(flagship);
    const WspsimHostDecl *h;
    const WspsimLinkDecl *l;
    const WspsimThreadDecl *t;
    const WspsimStmt *st;
    const WspsimAction *a;

    (void) state;
    assert_true(s->has_seed);
    assert_int_equal(s->seed, 7);
    assert_true(s->has_run_until);
    assert_int_equal(s->run_until, 60 * SIM_SEC);
    assert_int_equal(s->hosts->len, 2);
    h = g_ptr_array_index(s->hosts, 1);
    assert_string_equal(h->name, "server");
    assert_int_equal(h->addrs->len, 2);
    assert_int_equal(g_array_index(h->prefixes, guint, 1), 64);
    assert_int_equal(s->links->len, 1);
    l = g_ptr_array_index(s->links, 0);
    assert_int_equal(l->p.latency_ns, 5 * SIM_MSEC);
    assert_int_equal(l->p.rate_bps, 10000000);
    assert_int_equal(l->set, WSPSIM_LP_LATENCY | WSPSIM_LP_RATE | WSPSIM_LP_LOSS);
    assert_int_equal(s->threads->len, 2);
    assert_int_equal(s->procs->len, 2);
    t = g_ptr_array_index(s->threads, 0);
    assert_string_equal(t->host, "server");
    assert_string_equal(t->proc, "main");
    assert_string_equal(t->name, "main");
    assert_int_equal(t->body.n, 10);
    st = t->body.stmts[0];
    assert_int_equal(st->kind, WSPSIM_ST_CALL);
    assert_string_equal(st->text, "WSPSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP)");
    assert_int_equal(st->args[0]->i, AF_INET);
    assert_int_equal(st->args[1]->i, SOCK_STREAM);
    assert_int_equal(st->assign_slot, 0);
    st = t->body.stmts[4];
    assert_int_equal(st->kind, WSPSIM_ST_SLEEP);
    assert_int_equal(st->duration, 50 * SIM_MSEC);
    st = t->body.stmts[5];
    assert_string_equal(st->expect_text, "1, read=[c]");
    assert_int_equal(st->n_expect, 2);
    assert_int_equal(st->expect[0].kind, WSPSIM_XP_INT);
    assert_int_equal(st->expect[1].kind, WSPSIM_XP_SET);
    assert_int_equal(st->expect[1].list->items[0]->i, 1); /* c is slot 1 */
    assert_null(st->args[1]);
    assert_int_equal(st->args[3]->i, 0);
    st = t->body.stmts[6];
    assert_int_equal(st->expect[0].kind, WSPSIM_XP_DATA);
    assert_memory_equal(st->expect[0].bytes, "hello", 5);
    t = g_ptr_array_index(s->threads, 1);
    assert_int_equal(t->start, SIM_MSEC);
    st = t->body.stmts[0];
    assert_int_equal(st->args[3]->i, WSA_FLAG_OVERLAPPED);
    st = t->body.stmts[4];
    assert_int_equal(st->expect[0].kind, WSPSIM_XP_ERROR);
    assert_int_equal(st->expect[0].i, WSAESHUTDOWN);
    st = t->body.stmts[5];
    assert_int_equal(st->kind, WSPSIM_ST_REPEAT);
    assert_int_equal(st->count, 3);
    assert_int_equal(st->body.stmts[0]->args[1]->kind, WSPSIM_EX_FILL);
    assert_int_equal(st->body.stmts[0]->args[1]->i, 10);
    st = t->body.stmts[6];
    assert_int_equal(st->count, 4);
    assert_int_equal(st->from, 1);
    assert_true(st->var_slot >= 0);
    assert_int_equal(st->body.stmts[0]->args[1]->i, 1000);
    assert_int_equal(st->body.stmts[0]->args[2]->i, MSG_PEEK | MSG_WAITALL);
    assert_int_equal(st->body.stmts[0]->expect[0].kind, WSPSIM_XP_NBYTES);
    assert_int_equal(s->actions->len, 2);
    a = g_ptr_array_index(s->actions, 0);
    assert_int_equal(a->at, 2 * SIM_SEC);
    assert_int_equal(a->link.set, WSPSIM_LP_UP);
    assert_false(a->link.p.up);
    a = g_ptr_array_index(s->actions, 1);
    assert_true(a->link.one_way);
    assert_int_equal(a->link.p.loss_ppm, 300000);
    assert_int_equal(a->link.p.latency_ns, 1500 * SIM_USEC);
}

static void
test_runner_parse_link_params(void **state)
{
    g_autoptr(WspsimScript) s = parse_ok(
        "host a 10.0.0.1\nhost b 10.0.0.2\nrouter r 10.0.1.1\n"
        "link a r latency 250us jitter 1ms loss 0.5% dup 0.1% reorder 1% 3ms corrupt 10ppm "
        "rate 1.5Gbps queue 100 mtu 1280 queue 64KiB\n"
        "link r b ge p=1% r=30% good=0% bad=50%\n"
        "link r -> b latency 2ms\n");
    const WspsimLinkDecl *l = g_ptr_array_index(s->links, 0);

    (void) state;
    assert_int_equal(l->p.latency_ns, 250000);
    assert_int_equal(l->p.jitter_ns, SIM_MSEC);
    assert_int_equal(l->p.loss_ppm, 5000);
    assert_int_equal(l->p.dup_ppm, 1000);
    assert_int_equal(l->p.reorder_ppm, 10000);
    assert_int_equal(l->p.reorder_delay_ns, 3 * SIM_MSEC);
    assert_int_equal(l->p.corrupt_ppm, 10);
    assert_int_equal(l->p.rate_bps, 1500000000);
    assert_int_equal(l->p.queue_packets, 100);
    assert_int_equal(l->p.queue_bytes, 65536);
    assert_int_equal(l->p.mtu, 1280);
    l = g_ptr_array_index(s->links, 1);
    assert_true(l->p.ge_enabled);
    assert_int_equal(l->p.ge_p_good_bad_ppm, 10000);
    assert_int_equal(l->p.ge_p_bad_good_ppm, 300000);
    assert_int_equal(l->p.ge_loss_bad_ppm, 500000);
    l = g_ptr_array_index(s->links, 2);
    assert_true(l->one_way);
}

static void
test_runner_parse_templates(void **state)
{
    g_autoptr(WspsimScript) s =
        parse_ok("host srv 10.0.0.2\nhost cli 10.0.0.1\nlink cli srv\n"
                 "process srv.shared\n"
                 "thread srv.shared.a:\n    s = WSPSocket(AF_INET, SOCK_DGRAM)\n"
                 "thread srv.shared.b at 1s:\n    WSPCloseSocket(s)\n"
                 "thread cli.worker[i=1..100].main at 10ms every 1ms:\n"
                 "    s = WSPSocket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)\n"
                 "    WSPSendTo(s, x\"00 01ff\", [::1]:53) -> 3\n"
                 "    WSPIoctl(s, FIONBIO, i)\n");
    const WspsimThreadDecl *t;
    const WspsimStmt *st;

    (void) state;
    assert_int_equal(s->procs->len, 2);
    t = g_ptr_array_index(s->threads, 2);
    assert_string_equal(t->proc, "worker");
    assert_string_equal(t->name, "main");
    assert_int_equal(t->tfrom, 1);
    assert_int_equal(t->tto, 100);
    assert_int_equal(t->every, SIM_MSEC);
    assert_int_equal(t->start, 10 * SIM_MSEC);
    st = t->body.stmts[1];
    assert_int_equal(st->args[1]->len, 3);
    assert_int_equal(st->args[1]->bytes[2], 0xff);
    assert_int_equal(st->args[2]->addr.port, 53);
    assert_int_equal(st->args[2]->addr.addr.family, SIM_AF_INET6);
    /* the shared process: b's s is a's s */
    t = g_ptr_array_index(s->threads, 1);
    assert_int_equal(t->body.stmts[0]->args[0]->i, 0);
}

static void
test_runner_parse_faults(void **state)
{
    g_autoptr(WspsimScript) s =
        parse_ok("host a 10.0.0.1\nhost b 10.0.0.2\nrouter r\nlink a r\nlink r b\n"
                 "thread a.main:\n    sleep 1s\n"
                 "thread b.srv.t on restart:\n    sleep 1s\n"
                 "at 1s: partition a one-way in\n"                              /* 0 */
                 "at 3s: heal\n"                                                /* 1 */
                 "at 2s: crash b\n"                                             /* 2 */
                 "at 2500ms: restart b\n"                                       /* 3 */
                 "at 4s: crash b restart after 1s\n"                            /* 4 */
                 "from 6s to 7s: crash b\n"                                     /* 5 */
                 "from 2s to 5s: link a -> r loss 30% latency 1.5ms\n"          /* 6 */
                 "at 1s for 500ms: link r b down\n"                             /* 7 */
                 "at 1s: flap a r down 20ms every 100ms count 5\n"              /* 8 */
                 "from 1s to 2s: flap r b down 1ms every 10ms\n"                /* 9 */
                 "fault a.main WSPSend fails WSAENOBUFS on call 3\n"            /* 10 */
                 "at 1s: fault all WSPRecv fails WSAECONNRESET every 5 calls\n" /* 11 */
                 "fault a.main WSPSend fails with WSAENOBUFS with probability 10%\n"
                 "fault b.srv short sends 10 bytes on call 2\n"           /* 13 */
                 "fault b.srv short receives 1KB\n"                       /* 14 */
                 "at 1s for 1s: fault a.main delays completions by 5ms\n" /* 15 */
                 "at 8s: partition a b one-way\n");                       /* 16 */
    const WspsimAction *a;
    const WspsimThreadDecl *t;

    (void) state;
    assert_int_equal(s->actions->len, 17);
    a = g_ptr_array_index(s->actions, 0);
    assert_int_equal(a->kind, WSPSIM_ACT_PARTITION);
    assert_int_equal(a->n_nodes, 1);
    assert_string_equal(a->nodes[0], "a");
    assert_int_equal(a->pdir, SIM_PARTITION_TO_SET);
    assert_int_equal(a->duration, 2 * SIM_SEC); /* healed at 3s */
    a = g_ptr_array_index(s->actions, 1);
    assert_int_equal(a->kind, WSPSIM_ACT_HEAL);
    a = g_ptr_array_index(s->actions, 2);
    assert_int_equal(a->kind, WSPSIM_ACT_CRASH);
    assert_int_equal(a->duration, 500 * SIM_MSEC); /* restarted at 2.5s */
    a = g_ptr_array_index(s->actions, 4);
    assert_int_equal(a->duration, SIM_SEC);
    assert_false(a->has_period);
    a = g_ptr_array_index(s->actions, 5);
    assert_true(a->has_period);
    assert_int_equal(a->at, 6 * SIM_SEC);
    assert_int_equal(a->duration, SIM_SEC);
    a = g_ptr_array_index(s->actions, 6);
    assert_int_equal(a->kind, WSPSIM_ACT_LINK);
    assert_true(a->has_period && a->link.one_way);
    assert_int_equal(a->duration, 3 * SIM_SEC);
    assert_int_equal(a->link.set, WSPSIM_LP_LOSS | WSPSIM_LP_LATENCY);
    a = g_ptr_array_index(s->actions, 7);
    assert_int_equal(a->link.set, WSPSIM_LP_UP);
    assert_false(a->link.p.up);
    a = g_ptr_array_index(s->actions, 8);
    assert_int_equal(a->kind, WSPSIM_ACT_FLAP);
    assert_int_equal(a->flap_down, 20 * SIM_MSEC);
    assert_int_equal(a->flap_every, 100 * SIM_MSEC);
    assert_int_equal(a->flap_count, 5);
    a = g_ptr_array_index(s->actions, 10);
    assert_int_equal(a->kind, WSPSIM_ACT_FAULT);
    assert_int_equal(a->at, 0);
    assert_int_equal(a->fault.what, WSPSIM_PF_FAIL);
    assert_string_equal(a->fault.host, "a");
    assert_string_equal(a->fault.proc, "main");
    assert_string_equal(a->fault.function, "WSPSend");
    assert_int_equal(a->fault.code, WSAENOBUFS);
    assert_int_equal(a->fault.trigger, WSPSIM_FAULT_NTH);
    assert_int_equal(a->fault.value, 3);
    a = g_ptr_array_index(s->actions, 11);
    assert_null(a->fault.host);
    assert_int_equal(a->fault.trigger, WSPSIM_FAULT_EVERY);
    assert_int_equal(a->fault.value, 5);
    a = g_ptr_array_index(s->actions, 12);
    assert_int_equal(a->fault.trigger, WSPSIM_FAULT_PROBABILITY);
    assert_int_equal(a->fault.value, 100000);
    a = g_ptr_array_index(s->actions, 13);
    assert_int_equal(a->fault.what, WSPSIM_PF_SHORT_SEND);
    assert_int_equal(a->fault.bytes, 10);
    a = g_ptr_array_index(s->actions, 14);
    assert_int_equal(a->fault.what, WSPSIM_PF_SHORT_RECV);
    assert_int_equal(a->fault.bytes, 1000); /* KB is 1000 bytes */
    assert_int_equal(a->fault.trigger, WSPSIM_FAULT_EVERY);
    assert_int_equal(a->fault.value, 1);
    a = g_ptr_array_index(s->actions, 15);
    assert_int_equal(a->fault.what, WSPSIM_PF_DELAY);
    assert_int_equal(a->fault.delay, 5 * SIM_MSEC);
    assert_true(a->has_period);
    a = g_ptr_array_index(s->actions, 16);
    assert_int_equal(a->pdir, SIM_PARTITION_FROM_SET);
    assert_int_equal(a->duration, 0); /* never healed */
    t = g_ptr_array_index(s->threads, 1);
    assert_true(t->on_restart);
    t = g_ptr_array_index(s->threads, 0);
    assert_false(t->on_restart);
}

static void
test_runner_parse_waits(void **state)
{
    g_autoptr(WspsimScript) s =
        parse_ok("host a 10.0.0.1\n"
                 "thread a.p.m:\n"
                 "    ev = WSACreateEvent()\n"
                 "    e2 = event()\n"
                 "    w = window()\n"
                 "    ov = overlapped(event=ev, routine=log)\n"
                 "    s = WSPSocket(AF_INET, SOCK_STREAM, flags=WSA_FLAG_OVERLAPPED)\n"
                 "    WSPEventSelect(s, ev, FD_READ|FD_CLOSE)\n"
                 "    WSPAsyncSelect(s, w, WM_SOCKET, FD_READ|FD_WRITE)\n"
                 "    wait ev 1s -> signalled\n"                          /* 7 */
                 "    wait any [ev, e2] 1s alertable -> 1\n"              /* 8 */
                 "    wait all [ev, e2] INFINITE\n"                       /* 9 */
                 "    wait message w 100ms -> WM_SOCKET(s, FD_READ, 0)\n" /* 10 */
                 "    expect message w -> none\n"                         /* 11 */
                 "    sleep 10ms alertable\n"                             /* 12 */
                 "    WSPRecv(s, 100, overlapped=ov) -> WSA_IO_PENDING\n"
                 "    WSPGetOverlappedResult(s, ov, wait=TRUE) -> 5 \"hello\"\n" /* 14 */
                 "    cancel t -> WSAEINVAL\n"                                   /* 15 */
                 "thread a.p.t:\n    sleep 1s\n");
    const WspsimThreadDecl *t = g_ptr_array_index(s->threads, 0);
    const WspsimStmt *st;

    (void) state;
    st = t->body.stmts[7];
    assert_int_equal(st->kind, WSPSIM_ST_WAIT);
    assert_int_equal(st->wait_kind, WSPSIM_WAIT_EVENT);
    assert_int_equal(st->duration, SIM_SEC);
    assert_int_equal(st->expect->i, WSPSIM_WAIT_SIGNALLED);
    st = t->body.stmts[8];
    assert_int_equal(st->wait_kind, WSPSIM_WAIT_ANY);
    assert_true(st->alertable);
    assert_int_equal(st->target->n_items, 2);
    assert_int_equal(st->expect->i, 1);
    st = t->body.stmts[9];
    assert_int_equal(st->wait_kind, WSPSIM_WAIT_ALL);
    assert_true(st->infinite);
    assert_null(st->expect);
    st = t->body.stmts[10];
    assert_int_equal(st->wait_kind, WSPSIM_WAIT_MESSAGE);
    assert_int_equal(st->expect->kind, WSPSIM_XP_MSG);
    assert_int_equal(st->expect->i, 0x401);
    assert_int_equal(st->expect->ev_mask, FD_READ);
    assert_int_equal(st->expect->ev_err_given, 1);
    st = t->body.stmts[11];
    assert_int_equal(st->wait_kind, WSPSIM_WAIT_PEEK);
    assert_int_equal(st->expect->i, WSPSIM_WAIT_TIMEOUT);
    st = t->body.stmts[12];
    assert_int_equal(st->kind, WSPSIM_ST_SLEEP);
    assert_true(st->alertable);
    st = t->body.stmts[14];
    assert_int_equal(st->n_expect, 2); /* "-> 5 "hello"": no comma needed */
    assert_int_equal(st->expect[0].kind, WSPSIM_XP_INT);
    assert_int_equal(st->expect[1].kind, WSPSIM_XP_DATA);
    st = t->body.stmts[15];
    assert_int_equal(st->kind, WSPSIM_ST_CANCEL);
    assert_string_equal(st->thread, "t");
    assert_int_equal(st->expect->i, WSAEINVAL);
}

/* QOS values, multipoint calls, shared sockets and shared variables. */
static void
test_runner_parse_qos_multipoint(void **state)
{
    g_autoptr(WspsimScript) s = parse_ok(
        "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b\nshared info, q2\n"
        "thread a.m:\n"
        "    s = WSPSocket(AF_INET, SOCK_DGRAM)\n"                                       /* 0 */
        "    WSPConnect(s, 10.0.0.2:9, qos={send: guaranteed rate=80Kbps bucket=1KB peak=infinite\n"
        "                                   latency=20ms sdu=200 min=unspecified,\n"
        "                                   recv: notraffic, mode: discard})\n"          /* 1 */
        "    WSPIoctl(s, SIO_SET_QOS, qos=G711)\n"                                      /* 2 */
        "    WSPIoctl(s, SIO_SET_QOS, qos={\"GSM6.10\", recv: SERVICETYPE_NOTRAFFIC})\n" /* 3 */
        "    q = WSPIoctl(s, SIO_GET_QOS) -> qos={send: guaranteed rate=10000}, "
        "status=WSA_QOS_REQUEST_CONFIRMED\n"                                            /* 4 */
        "    WSPGetQOSByName(s, \"G711\") -> qos={recv: guaranteed}\n"                  /* 5 */
        "    WSPGetQOSByName(s, len=14) -> \"G711\"\n"                                  /* 6 */
        "    m = WSPSocket(AF_INET, SOCK_DGRAM, flags=WSA_FLAG_MULTIPOINT_C_LEAF|"
        "WSA_FLAG_MULTIPOINT_D_LEAF, entry=rooted)\n"                                   /* 7 */
        "    l = WSPJoinLeaf(m, 10.0.0.2:7000, flags=JL_SENDER_ONLY, data=\"hi\") -> callee=\"ok\"\n"
        "    c = WSPAccept(m, condition=CF_REJECT, data=\"no\") -> caller=\"hi\"\n"   /* 9 */
        "    info = WSPDuplicateSocket(s, b.p)\n"                                       /* 10 */
        "    WSPIoctl(s, SIO_SET_QOS, qos=q)\n"                                         /* 11 */
        "    m6 = WSPSocket(AF_INET6, SOCK_DGRAM, flags=WSA_FLAG_MULTIPOINT_C_ROOT|"
        "WSA_FLAG_MULTIPOINT_D_ROOT, entry=rooted6)\n"                                 /* 12 */
        "thread b.p.t:\n"
        "    d = WSPSocket(info=info)\n");
    const WspsimThreadDecl *t = g_ptr_array_index(s->threads, 0);
    const WspsimStmt *st;
    const WspsimQosLit *q;

    (void) state;
    assert_int_equal(s->shared->len, 2);
    st = t->body.stmts[1];
    q = st->args[2]->qos;
    assert_int_equal(st->args[2]->kind, WSPSIM_EX_QOS);
    assert_null(q->tmpl);
    assert_true(q->send.given && q->send.has_service);
    assert_int_equal(q->send.service, SERVICETYPE_GUARANTEED);
    assert_int_equal(q->send.v[WSPSIM_QF_RATE], 10000); /* 80 kbit/s in bytes/s */
    assert_int_equal(q->send.v[WSPSIM_QF_BUCKET], 1000);
    assert_int_equal(q->send.v[WSPSIM_QF_PEAK], POSITIVE_INFINITY_RATE);
    assert_int_equal(q->send.v[WSPSIM_QF_LATENCY], 20000); /* microseconds */
    assert_int_equal(q->send.v[WSPSIM_QF_MIN], QOS_NOT_SPECIFIED);
    assert_int_equal(q->send.set, 0x7f & ~(1u << WSPSIM_QF_VARIATION));
    assert_int_equal(q->recv.service, SERVICETYPE_NOTRAFFIC);
    assert_int_equal(q->mode, TC_NONCONF_DISCARD);
    st = t->body.stmts[2];
    assert_string_equal(st->args[3]->qos->tmpl, "G711");
    st = t->body.stmts[3];
    assert_string_equal(st->args[3]->qos->tmpl, "GSM6.10");
    assert_int_equal(st->args[3]->qos->recv.service, SERVICETYPE_NOTRAFFIC);
    st = t->body.stmts[4];
    assert_int_equal(wspsim_call_result(st->spec), WSPSIM_R_QOS); /* the SIO_GET_QOS form */
    assert_int_equal(st->n_expect, 2);
    assert_int_equal(st->expect[0].kind, WSPSIM_XP_QOS);
    assert_int_equal(st->expect[1].kind, WSPSIM_XP_STATUS);
    assert_int_equal(st->expect[1].i, WSA_QOS_REQUEST_CONFIRMED);
    assert_int_equal(wspsim_call_result(t->body.stmts[5]->spec), WSPSIM_R_QOS);
    assert_int_equal(wspsim_call_result(t->body.stmts[6]->spec), WSPSIM_R_DATA); /* names */
    assert_int_equal(t->body.stmts[7]->args[4]->i, 1005); /* WSPSIM_CATALOG_MP_ROOTED_V4 */
    assert_int_equal(t->body.stmts[12]->args[4]->i, 1006); /* WSPSIM_CATALOG_MP_ROOTED_V6 */
    st = t->body.stmts[8];
    assert_int_equal(st->args[2]->i, JL_SENDER_ONLY);
    assert_int_equal(st->expect[0].kind, WSPSIM_XP_PEERDATA);
    st = t->body.stmts[9];
    assert_int_equal(st->args[1]->i, CF_REJECT);
    assert_int_equal(st->expect[0].kind, WSPSIM_XP_PEERDATA);
    st = t->body.stmts[10];
    assert_int_equal(st->args[1]->kind, WSPSIM_EX_PROC);
    assert_string_equal(st->args[1]->name, "b.p");
    assert_int_equal(wspsim_call_result(st->spec), WSPSIM_R_INFO);
    assert_int_equal(t->body.stmts[11]->args[3]->kind, WSPSIM_EX_VAR);
}

static void
test_runner_parse_strings(void **state)
{
    g_autoptr(WspsimScript) s = parse_ok(
        "host a 10.0.0.1\nthread a.m:\n"
        "    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
        "    WSPSend(s, \"a\\n\\t\\\"\\\\\\x41\\0\") -> WSAENOTCONN\n"
        "    WSPSelect(\n        read=[s],\n        write=[],\n        timeout=1.5s) -> 0\n"
        "    note \"done\"\n");
    const WspsimThreadDecl *t = g_ptr_array_index(s->threads, 0);
    const WspsimStmt *st = t->body.stmts[1];

    (void) state;
    assert_int_equal(st->args[1]->len, 7);
    assert_memory_equal(st->args[1]->bytes, "a\n\t\"\\A\0", 7);
    st = t->body.stmts[2];
    assert_int_equal(st->args[3]->i, 1500 * SIM_MSEC);
    assert_int_equal(st->args[1]->n_items, 0);
    assert_int_equal(t->body.stmts[3]->kind, WSPSIM_ST_NOTE);
}

typedef struct {
    const char *name;
    const char *text;
    int code;
    const char *message; /* the whole message, "t.wsim:L:C: ..." or a prefix ending in '*' */
} ErrCase;

#define HOSTS "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b\n"

static const ErrCase err_cases[] = {
    { "unknown-keyword", "hots a 10.0.0.1\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:1:1: unknown keyword 'hots' (seed, host, router, link, process, thread, at, from, "
      "fault, run)" },
    { "unknown-constant", HOSTS "thread a.m:\n    s = WSPSocket(AF_INETT, SOCK_STREAM)\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "t.wsim:5:19: unknown constant 'AF_INETT'" },
    { "unknown-function", HOSTS "thread a.m:\n    WSPFrobnicate(1)\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:5:5: unknown or not yet supported function 'WSPFrobnicate'" },
    { "unknown-statement", HOSTS "thread a.m:\n    slep 5ms\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:5:5: unknown statement 'slep'*" },
    { "bad-address", "host a 10.0.0.300\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:1:8: bad address '10.0.0.300'" },
    { "bad-address-v6", "host a fe80:::1\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:1:8: bad address 'fe80:::1'" },
    { "bad-port",
      HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
            "    WSPConnect(s, 10.0.0.2:70000)\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "t.wsim:6:28: port out of range (0..65535)" },
    { "type-mismatch",
      HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
            "    WSPConnect(s, \"10.0.0.2\")\n",
      WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:6:19: argument 'addr' takes an address with a port (e.g. 10.0.0.2:80)" },
    { "type-mismatch-unit", HOSTS "link a b latency 5Mbps\n", WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:4:18: latency takes a duration with a unit (e.g. 5ms, 2s, 100us)" },
    { "expect-mismatch",
      HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
            "    WSPBind(s, 10.0.0.1:1) -> \"x\"\n",
      WSPSIM_SCENARIO_ERROR_TYPE, "t.wsim:6:31: WSPBind cannot be expected to give \"x\"" },
    { "undefined-variable", HOSTS "thread a.m:\n    WSPCloseSocket(sock)\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:5:20: undefined variable 'sock' (assign it first: sock = WSPSocket(...))" },
    { "unterminated-string",
      HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
            "    WSPSend(s, \"hello)\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:16: unterminated string" },
    { "bad-escape",
      HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
            "    WSPSend(s, \"a\\q\")\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:18: unknown escape*" },
    /* a non-ASCII byte after the backslash is shown as \xHH: the message
     * stays valid UTF-8 (fuzz regress/scenario/unknown-escape-non-utf8-message) */
    { "bad-escape-non-ascii",
      HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
            "    WSPSend(s, \"a\\\xde\x8a\")\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:18: unknown escape '\\xde' (use *" },
    { "poll-limit-zero", HOSTS "run poll limit 0\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:4:16: poll limit out of range (1 to *" },
    { "poll-limit-twice", HOSTS "run poll limit 5\nrun poll limit 6\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:5:1: run poll limit given twice" },
    { "poll-limit-no-limit", HOSTS "run poll 5\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:10: expected 'limit' (run poll limit 1000), found '5'" },
    { "time-out-of-range", HOSTS "run until 2000000s\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:4:11: run until out of range (0 to 1000000s)" },
    { "time-too-fine", HOSTS "thread a.m:\n    sleep 1.5ns\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:5:11: '1.5ns' is finer than the unit's smallest step" },
    { "size-out-of-range",
      HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
            "    WSPSend(s, 1GB bytes)\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "t.wsim:6:16: buffer size out of range (0 to 67108864)" },
    { "number-too-large", "seed 99999999999999999999999\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:1:6: number too large" },
    { "loss-range", HOSTS "link a b loss 101%\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:4:15: loss out of range (0% to 100%)" },
    { "unknown-unit", HOSTS "thread a.m:\n    sleep 5min\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:5:12: unknown unit 'min'*" },
    { "unknown-host", "host a 10.0.0.1\nthread c.main:\n    sleep 1s\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
      "t.wsim:2:8: unknown host 'c' (declare it with 'host NAME ADDRESS' first)" },
    { "unknown-link-end", "host a 10.0.0.1\nlink a z\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
      "t.wsim:2:8: unknown host or router 'z'*" },
    { "no-such-link", "host a 10.0.0.1\nhost b 10.0.0.2\nat 1s: link a b down\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST, "t.wsim:3:13: there is no link between a and b" },
    { "duplicate-address", "host a 10.0.0.1\nhost b 10.0.0.1\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:2:8: address 10.0.0.1 already belongs to a" },
    { "bad-indent", HOSTS "thread a.m:\n    sleep 1s\n  sleep 2s\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:6:3: indentation does not match any outer block" },
    { "unexpected-indent", HOSTS "  seed 1\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:3: unexpected indentation*" },
    { "missing-block", HOSTS "thread a.m:\nseed 1\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:5:1: expected an indented block, found 'seed'" },
    { "missing-arg", HOSTS "thread a.m:\n    s = WSPSocket(AF_INET)\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:5:9: WSPSocket needs argument 'type' (a number or constant)" },
    { "too-many-args", HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_STREAM, 0, 0, 0)\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:5:47: too many arguments to WSPSocket" },
    { "unknown-named-arg", HOSTS "thread a.m:\n    WSPSelect(reed=[], timeout=0)\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "t.wsim:5:15: WSPSelect has no argument named 'reed'" },
    { "call-at-top", HOSTS "WSPSocket(AF_INET, SOCK_STREAM)\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:1: calls belong in a thread block (thread HOST.NAME:)" },
/* faults (issue 9) */
#define PROCS HOSTS "thread a.main:\n    sleep 1s\n"
    { "partition-braces", HOSTS "at 1s: partition {a} {b}\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:18: expected the hosts to cut off (partition a b), found '{'" },
    { "partition-unknown", HOSTS "at 1s: partition a z\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
      "t.wsim:4:20: unknown host or router 'z'*" },
    { "partition-all", HOSTS "at 1s: partition a b a\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:8: a partition cuts a set of nodes from the rest: leave at least one out" },
    { "partition-oneway-junk", HOSTS "at 1s: partition a one-way sideways\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:4:28: expected end of line, found 'sideways'" },
    { "heal-alone", HOSTS "at 1s: heal\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:8: heal: no partition is in effect at that time" },
    { "heal-same-time", HOSTS "at 1s: partition a\nat 1s: heal\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:5:8: heal: no partition is in effect at that time" },
    { "heal-after-period", HOSTS "at 1s for 1s: partition a\nat 3s: heal\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:5:8: heal: no partition is in effect at that time" },
    { "heal-period", HOSTS "at 1s: partition a\nat 2s for 1s: heal\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:5:15: 'heal' takes no period (write at TIME:)" },
    { "crash-unknown", HOSTS "at 1s: crash z\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
      "t.wsim:4:14: unknown host or router 'z'*" },
    { "crash-restart-zero", HOSTS "at 1s: crash a restart after 0s\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:4:30: restart after must be positive (leave it out: never)" },
    { "crash-restart-junk", HOSTS "at 1s: crash a restart 1s\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:24: expected 'after' (crash HOST restart after 1s), found '1s'" },
    { "crash-period-restart", HOSTS "from 1s to 2s: crash a restart after 1s\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:24: a crash for a period restarts at its end: drop 'restart after'" },
    { "restart-alone", HOSTS "at 1s: restart a\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:8: restart a: it is not down at that time (crash it first)" },
    { "restart-twice", HOSTS "at 1s: crash a restart after 1s\nat 1500ms: restart a\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:5:12: a restarts by itself (its crash on line 4 has a restart time)" },
    { "crash-top", HOSTS "crash a\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:1: 'crash' happens at a time: write 'at TIME: crash ...'" },
    { "flap-no-limit", HOSTS "at 1s: flap a b down 10ms every 100ms\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:4:8: a flap needs a count*" },
    { "flap-down-too-long", HOSTS "at 1s: flap a b down 100ms every 100ms count 3\n",
      WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:4:22: a flap is down for less than its period (0 < down < every)" },
    { "flap-no-link",
      "host a 10.0.0.1\nhost b 10.0.0.2\nat 1s: flap a b down 1ms every 2ms count 1\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST, "t.wsim:3:13: there is no link between a and b" },
    { "period-backwards", HOSTS "from 2s to 1s: link a b loss 5%\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:4:12: the period must end after it starts" },
    { "period-zero", HOSTS "at 2s for 0s: link a b loss 5%\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:4:11: a period must be positive" },
    { "period-no-to", HOSTS "from 2s: link a b loss 5%\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:8: expected 'to' (from 2s to 5s:), found ':'" },
    { "period-up", HOSTS "at 1s for 1s: link a b up\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:15: a link is up unless something holds it down*" },
    { "period-down-and-loss", HOSTS "at 1s for 1s: link a b down loss 5%\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:15: a link goes down, or changes parameters, for a period: write two statements" },
    { "period-note", HOSTS "at 1s for 1s: note \"x\"\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:15: 'note' takes no period (write at TIME:)" },
    { "unknown-action", HOSTS "at 1s: explode a\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:4:8: unknown action 'explode' (link, flap, partition, heal, crash, restart, fault, "
      "note)" },
    { "fault-unknown-function", PROCS "fault a.main WSPFrob fails WSAENOBUFS\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:6:14: 'WSPFrob' is not a WSP function a client calls" },
    { "fault-code-never-returned", PROCS "fault a.main WSPSend fails WSAEADDRINUSE on call 3\n",
      WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:6:28: WSPSend never fails with WSAEADDRINUSE on Windows (not in its documented "
      "errors)" },
    { "fault-not-an-error", PROCS "fault a.main WSPSend fails AF_INET\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:6:28: expected a WSA error code (e.g. WSAENOBUFS)" },
    { "fault-no-fails", PROCS "fault a.main WSPSend WSAENOBUFS\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:6:22: expected 'fails' (fault HOST.PROCESS WSPSend fails WSAENOBUFS), found "
      "'WSAENOBUFS'" },
    { "fault-unknown-host", PROCS "fault z.main WSPSend fails WSAENOBUFS\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST, "t.wsim:6:7: unknown host 'z'*" },
    { "fault-unknown-process", PROCS "at 1s: fault a.other WSPSend fails WSAENOBUFS\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:6:14: unknown process a.other (no thread runs in it)" },
    { "fault-host-only", PROCS "fault a WSPSend fails WSAENOBUFS\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:6:9: expected '.' (fault HOST.PROCESS ...), found 'WSPSend'" },
    { "fault-call-zero", PROCS "fault a.main WSPSend fails WSAENOBUFS on call 0\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "t.wsim:6:47: the call number out of range (1 to 4294967295)" },
    { "fault-every-zero", PROCS "fault all WSPRecv fails WSAECONNRESET every 0\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "t.wsim:6:45: every out of range (1 to 4294967295)" },
    { "fault-probability-zero", PROCS "fault all WSPRecv fails WSAECONNRESET with probability 0%\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "t.wsim:6:56: probability must be more than 0%" },
    { "fault-probability-range",
      PROCS "fault all WSPRecv fails WSAECONNRESET with probability 200%\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "t.wsim:6:56: probability out of range (0% to 100%)" },
    { "fault-short-zero", PROCS "fault a.main short sends 0 bytes\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:6:26: a short transfer out of range (1 to 4294967295)" },
    { "fault-short-what", PROCS "fault a.main short writes 3\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:6:20: expected 'sends' or 'receives', found 'writes'" },
    { "fault-delay-zero", PROCS "fault a.main delays completions by 0s\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "t.wsim:6:36: a completion delay must be positive" },
    { "fault-delay-no-by", PROCS "fault a.main delays completions 5ms\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:33: expected 'by', found '5ms'" },
/* events, windows, overlapped, cancel (issue 6) */
#define EVS HOSTS "thread a.m:\n    ev = event()\n    w = window()\n"
    { "wait-no-timeout", EVS "    wait ev -> signalled\n", WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:7:13: a wait's time-out takes a duration with a unit*" },
    { "wait-bad-result", EVS "    wait ev 1s -> maybe\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:7:19: expected signalled, timeout or io_completion, found 'maybe'" },
    { "wait-undefined", EVS "    wait ev2 1s\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:7:10: undefined variable 'ev2'*" },
    { "wait-any-index", EVS "    wait any [ev] 1s -> 1\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:7:25: index out of range (0 to 0)" },
    { "wait-any-empty", EVS "    wait any [] 1s\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:7:10: a wait takes 1 to 64 events" },
    { "wait-message-bad", EVS "    wait message w 1s -> FD_READ\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:7:33: expected '(', found end of line" },
    { "wait-message-event",
      EVS "    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
          "    expect message w -> WM_SOCKET(s, FD_REED, 0)\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "t.wsim:8:38: expected a network event*" },
    { "overlapped-routine", EVS "    ov = overlapped(routine=print)\n", WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:7:29: argument 'routine' takes a completion routine (log)" },
    { "overlapped-not-var",
      EVS "    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
          "    WSPRecv(s, 10, overlapped=5)\n",
      WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:8:31: argument 'overlapped' takes an overlapped request (ov = overlapped(...))" },
    { "cancel-unknown", EVS "    cancel nobody\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:7:12: no thread 'nobody' in process a.m (cancel names a thread of the same "
      "process)" },
    { "cancel-bad-expect", EVS "    cancel m -> 3\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:7:17: expected ok or WSAEINVAL, found '3'" },
    { "provider-load", HOSTS "provider load lsp\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:15: expected the module's path as a \"string\", found 'lsp'" },
    { "provider-load-twice", HOSTS "provider load \"a.so\"\nprovider load \"b.so\"\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:5:1: provider load given twice (one layered provider per scenario)" },
    { "on-restart-template", HOSTS "thread a.p[i=1..2] on restart:\n    sleep 1s\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:4:23: a template does not restart with its host" },
    { "on-junk", HOSTS "thread a.p on start:\n    sleep 1s\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:15: expected 'restart' (thread HOST.NAME on restart:), found 'start'" },
    { "binary-nul", "seed 1\nho\0st\n", WSPSIM_SCENARIO_ERROR_IO,
      "t.wsim:2:3: binary file (NUL byte): not a scenario" },
    { "binary-utf8", "seed 1\n\xff\xfe\n", WSPSIM_SCENARIO_ERROR_IO,
      "t.wsim:2:1: binary file (invalid UTF-8): not a scenario" },
    { "unknown-event",
      HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_STREAM)\n"
            "    WSPEnumNetworkEvents(s) -> FD_REED\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "t.wsim:6:32: expected a network event*" },
    { "router-thread", "router r\nthread r.m:\n    sleep 1s\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
      "t.wsim:2:8: 'r' is a router: processes run on hosts" },
    { "template-thread", HOSTS "thread a.p.t[i=1..3]:\n    sleep 1s\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:4:13: a template makes one process per instance*" },
    { "deep-nesting",
      HOSTS
      "thread a.m:\n"
      " repeat 1:\n  repeat 1:\n   repeat 1:\n    repeat 1:\n     repeat 1:\n      repeat 1:\n"
      "       repeat 1:\n        repeat 1:\n         repeat 1:\n          repeat 1:\n"
      "           repeat 1:\n            repeat 1:\n             repeat 1:\n"
      "              repeat 1:\n               repeat 1:\n                repeat 1:\n"
      "                 repeat 1:\n                  repeat 1:\n                   repeat 1:\n"
      "                    repeat 1:\n                     repeat 1:\n"
      "                      repeat 1:\n                       repeat 1:\n"
      "                        repeat 1:\n                         repeat 1:\n"
      "                          repeat 1:\n                           repeat 1:\n"
      "                            repeat 1:\n                             repeat 1:\n"
      "                              repeat 1:\n                               repeat 1:\n"
      "                                repeat 1:\n                                 sleep 1s\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "*blocks nested too deeply*" },
    { "empty-line-only-host", "host a\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:1:7: expected an address (e.g. 10.0.0.1), found end of line" },
    { "assign-constant", HOSTS "thread a.m:\n    AF_INET = WSPSocket(AF_INET, SOCK_STREAM)\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:5:5: 'AF_INET' is a constant, not a variable" },
    /* QOS values, multipoint, shared sockets */
#define SOCK_U HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_DGRAM)\n"
    { "qos-unknown-template", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos=\"G712\")\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "t.wsim:6:35: unknown QOS template \"G712\"*" },
    { "qos-unknown-template-in-braces", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={G712})\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "t.wsim:6:36: unknown QOS template 'G712'*" },
    { "qos-empty", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={})\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:6:35: an empty QOS*" },
    { "qos-bad-service", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={send: premium})\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:42: expected a service type*" },
    { "qos-bad-field", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={send: guaranteed speed=5})\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "t.wsim:6:53: unknown flowspec field 'speed'*" },
    { "qos-bad-unit", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={send: guaranteed rate=5ms})\n",
      WSPSIM_SCENARIO_ERROR_TYPE, "t.wsim:6:58: rate takes bytes per second*" },
    { "qos-out-of-range",
      SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={send: guaranteed bucket=5000000000})\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "t.wsim:6:60: bucket out of range (0 to 4294967295)" },
    { "qos-twice", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={send: notraffic, send: notraffic})\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:53: send: given twice" },
    { "qos-bad-mode", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={mode: drop})\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:42: expected a mode (shape, discard, borrow*" },
    { "qos-shaping-twice", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={shaping: 8000, shaping: 9000})\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:51: shaping: given twice" },
    { "qos-shaping-unit", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={shaping: 5ms})\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:45: expected bytes per second (8000)*" },
    { "qos-shaping-range", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={shaping: 5000000000})\n",
      WSPSIM_SCENARIO_ERROR_RANGE, "t.wsim:6:45: shaping out of range*" },
    { "qos-unclosed", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos={send: notraffic recv: notraffic})\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:52: expected ',' or '}'*" },
    { "qos-positional", SOCK_U "    WSPConnect(s, 10.0.0.2:9, {send: notraffic})\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:6:31: too many arguments to WSPConnect" },
    { "qos-wrong-kind", SOCK_U "    WSPConnect(s, 10.0.0.2:9, qos=5)\n", WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:6:35: argument 'qos' takes a QOS*" },
    { "qos-expect-template", SOCK_U "    WSPIoctl(s, SIO_GET_QOS) -> qos={G711}\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:6:33: an expected QOS writes its values, not a template" },
    { "qos-expect-on-int", SOCK_U "    WSPIoctl(s, FIONREAD) -> qos={send: notraffic}\n",
      WSPSIM_SCENARIO_ERROR_TYPE, "t.wsim:6:30: WSPIoctl cannot be expected to give qos" },
    { "status-bad-code", SOCK_U "    WSPIoctl(s, SIO_GET_QOS) -> status=FINE\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "t.wsim:6:40: expected an RSVP status code*" },
    { "status-after-accept", SOCK_U "    c = WSPAccept(s) -> status=WSA_QOS_REQUEST_CONFIRMED\n",
      WSPSIM_SCENARIO_ERROR_TYPE, "t.wsim:6:25: WSPAccept cannot be expected to give status*" },
    { "accept-qos-wrong-kind", SOCK_U "    c = WSPAccept(s, qos=5)\n", WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:6:26: argument 'qos' takes a QOS*" },
    { "callee-after-accept", SOCK_U "    c = WSPAccept(s) -> callee=\"x\"\n",
      WSPSIM_SCENARIO_ERROR_TYPE, "t.wsim:6:25: WSPAccept cannot be expected to give callee=*" },
    { "entry-unknown", HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, SOCK_DGRAM, entry=leafy)\n",
      WSPSIM_SCENARIO_ERROR_TYPE, "t.wsim:5:46: argument 'entry' takes a catalog entry*" },
    { "socket-no-type", HOSTS "thread a.m:\n    s = WSPSocket(AF_INET, flags=0)\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:5:9: WSPSocket needs argument 'type'*" },
    { "duplicate-unknown-process", SOCK_U "    i = WSPDuplicateSocket(s, b.nobody)\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "t.wsim:6:31: unknown process b.nobody*" },
    { "duplicate-unknown-host", SOCK_U "    i = WSPDuplicateSocket(s, z.main)\n",
      WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST, "t.wsim:6:31: unknown host 'z'*" },
    { "info-not-a-variable", HOSTS "thread a.m:\n    s = WSPSocket(info=5)\n",
      WSPSIM_SCENARIO_ERROR_TYPE, "t.wsim:5:24: argument 'info' takes a variable holding*" },
    { "tcp-unknown-setting", "tcp msl 2s nagle off\n", WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
      "t.wsim:1:12: unknown tcp setting 'nagle'*" },
    { "tcp-twice", "tcp msl 2s\ntcp msl 3s\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:2:5: tcp msl given twice" },
    { "tcp-no-unit", "tcp rto_min 200\n", WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:1:13: rto_min takes a duration*" },
    { "tcp-onoff", "tcp delayed_ack yes\n", WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:1:17: delayed_ack takes on or off" },
    { "tcp-crossed-rto", "tcp rto_min 2s rto_max 1s\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:1:1: tcp settings out of range*" },
    { "tcp-zero-msl", "tcp msl 0s\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:1:1: tcp settings out of range*" },
    { "qos-reservable-word", "qos share 50%\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:1:5: expected 'reservable'*" },
    { "qos-reservable-unit", "qos reservable 50\n", WSPSIM_SCENARIO_ERROR_TYPE,
      "t.wsim:1:16: qos reservable takes a percentage*" },
    { "qos-reservable-range", "qos reservable 150%\n", WSPSIM_SCENARIO_ERROR_RANGE,
      "t.wsim:1:16: qos reservable out of range*" },
    { "qos-reservable-twice", "qos reservable 50%\nqos reservable 60%\n",
      WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:2:1: qos reservable given twice" },
    { "tcp-empty", "tcp\n", WSPSIM_SCENARIO_ERROR_SYNTAX, "t.wsim:1:4: expected a tcp setting*" },
    { "shared-constant", HOSTS "shared AF_INET\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:8: 'AF_INET' is a constant, not a variable" },
    { "shared-twice", HOSTS "shared x, x\n", WSPSIM_SCENARIO_ERROR_SYNTAX,
      "t.wsim:4:11: 'x' is already shared" },
#undef SOCK_U
};

static bool
message_matches(const char *want, const char *got)
{
    size_t n = strlen(want);

    if (want[0] == '*') {
        g_autofree char *mid = g_strndup(want + 1, n - 2); /* "*middle*" */

        return strstr(got, mid) != NULL;
    }
    if (n > 0 && want[n - 1] == '*')
        return strncmp(want, got, n - 1) == 0;
    return strcmp(want, got) == 0;
}

static void
test_runner_parse_errors(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(err_cases); i++) {
        const ErrCase *c = &err_cases[i];
        g_autoptr(GError) e = NULL;
        size_t len = strlen(c->text);
        WspsimScript *s;

        if (strcmp(c->name, "binary-nul") == 0)
            len = 12;
        print_message("case %s\n", c->name);
        s = wspsim_script_parse("t.wsim", c->text, len, &e);
        if (s != NULL)
            fail_msg("case %s: parsed", c->name);
        assert_non_null(e);
        if (!message_matches(c->message, e->message))
            fail_msg("case %s:\n want %s\n got  %s", c->name, c->message, e->message);
        assert_true(g_error_matches(e, WSPSIM_SCENARIO_ERROR, c->code));
    }
}

static void
test_runner_parse_missing_file(void **state)
{
    g_autoptr(GError) e = NULL;

    (void) state;
    assert_null(wspsim_script_load("/nonexistent/x.wsim", &e));
    assert_true(g_error_matches(e, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_IO));
    assert_true(g_str_has_prefix(e->message, "/nonexistent/x.wsim:1:1: "));
    g_clear_error(&e);
    assert_null(wspsim_script_load("/", &e));
    assert_true(g_error_matches(e, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_IO));
}

/* Every prefix of a good script and a few mutations: an error or a script,
 * never a crash (a poor man's fuzz pass; the real fuzz target comes later). */
static void
test_runner_parse_never_crashes(void **state)
{
    size_t len = strlen(flagship);

    (void) state;
    for (size_t n = 0; n <= len; n++) {
        g_autoptr(GError) e = NULL;
        WspsimScript *s = wspsim_script_parse("t.wsim", flagship, n, &e);

        assert_true((s == NULL) != (e == NULL));
        wspsim_script_free(s);
    }
    for (size_t n = 0; n < len; n += 3) {
        g_autofree char *m = g_strdup(flagship);
        g_autoptr(GError) e = NULL;
        WspsimScript *s;

        m[n] = "([\"x:.|=-9 \n\t"[n % 13];
        s = wspsim_script_parse("t.wsim", m, len, &e);
        assert_true((s == NULL) != (e == NULL));
        wspsim_script_free(s);
    }
}

/* The constant table holds every WSAE* code and the header values. */
static void
test_runner_parse_constants(void **state)
{
    const char *const *names;
    const gint64 *values;
    size_t n = wspsim_const_table(&names, &values);
    gint64 v;

    (void) state;
    assert_true(n > 200);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(names[i - 1], names[i]) < 0); /* sorted, unique: bsearch works */
    assert_true(wspsim_const_lookup("WSAEWOULDBLOCK", 14, &v));
    assert_int_equal(v, 10035);
    assert_true(wspsim_const_lookup("FD_CLOSE", 8, &v));
    assert_int_equal(v, FD_CLOSE);
    assert_true(wspsim_const_lookup("FIONBIO", 7, &v));
    assert_int_equal(v, (gint64) FIONBIO);
    assert_true(wspsim_const_lookup("SO_RCVTIMEO", 11, &v));
    assert_int_equal(v, 0x1006);
    assert_true(wspsim_const_lookup("TRUE", 4, &v));
    assert_false(wspsim_const_lookup("AF_INE", 6, &v));
    assert_false(wspsim_const_lookup("AF_INETX", 8, &v));
    assert_string_equal(wspsim_error_name(WSAESHUTDOWN), "WSAESHUTDOWN");
    assert_string_equal(wspsim_error_name(WSAEWOULDBLOCK), "WSAEWOULDBLOCK");
    assert_string_equal(wspsim_error_name(WSA_IO_PENDING), "WSA_IO_PENDING");
    /* every function row has a name and an invoker, names unique */
    for (size_t i = 0; i < wspsim_call_count(); i++) {
        const WspsimCallSpec *c = wspsim_call_nth(i);
        const char *name = wspsim_call_name(c);

        assert_ptr_equal(wspsim_call_lookup(name, strlen(name)), c);
    }
}

/* Every name the headers #define with a scenario prefix is in the table
 * (regenerate runner/wspsim-consts.inc with runner/gen-consts.sh). */
static void
test_runner_parse_constants_complete(void **state)
{
    static const char *const headers[] = { "winsock2.h", "ws2spi.h",  "ws2tcpip.h",
                                           "mswsock.h",  "mstcpip.h", "qos.h" };
    g_autoptr(GRegex) re = g_regex_new(
        "^#define[ \\t]+((AF_|SOCK_|IPPROTO_|SOL_|SO_|TCP_|IP_|IPV6_|MSG_|SD_|FD_|WSAE|FIO|SIO)"
        "[A-Z0-9_]*)[ \\t]",
        G_REGEX_MULTILINE, 0, NULL);
    guint checked = 0;

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(headers); i++) {
        g_autofree char *path = g_build_filename(SRCDIR, "spi", "wspsim", headers[i], NULL);
        g_autofree char *text = NULL;
        g_autoptr(GMatchInfo) mi = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
            continue;
        g_regex_match(re, text, 0, &mi);
        while (g_match_info_matches(mi)) {
            g_autofree char *name = g_match_info_fetch(mi, 1);
            gint64 v;

            if (strcmp(name, "FD_SETSIZE") != 0 && !wspsim_const_lookup(name, strlen(name), &v))
                fail_msg("%s of %s is not in runner/wspsim-consts.inc", name, headers[i]);
            checked++;
            g_match_info_next(mi, NULL);
        }
    }
    assert_true(checked > 100);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runner_parse_flagship),
        cmocka_unit_test(test_runner_parse_link_params),
        cmocka_unit_test(test_runner_parse_templates),
        cmocka_unit_test(test_runner_parse_strings),
        cmocka_unit_test(test_runner_parse_faults),
        cmocka_unit_test(test_runner_parse_waits),
        cmocka_unit_test(test_runner_parse_qos_multipoint),
        cmocka_unit_test(test_runner_parse_errors),
        cmocka_unit_test(test_runner_parse_missing_file),
        cmocka_unit_test(test_runner_parse_never_crashes),
        cmocka_unit_test(test_runner_parse_constants),
        cmocka_unit_test(test_runner_parse_constants_complete),
    };

    return cmocka_run_group_tests_name("runner-parse", tests, NULL, NULL);
}
