/* SPDX-License-Identifier: MIT
 * test-fault: scheduled network faults (sim/sim-fault.c) — link down/up,
 * flapping, parameter changes for a period (loss burst, latency spike) and
 * their restore, partitions (symmetric, one-way, in-flight packets, heal),
 * host crash and restart (sockets, processes, restart hooks), composition,
 * cancel, argument errors, determinism and teardown with faults pending. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "sim/sim-private.h"

#define TEST_SEED 20240901u
#define PORT 7000

/* ---- Fixture ---------------------------------------------------------- */

typedef struct {
    SimTime time;
    SimNodeId node;
    SimDropReason reason; /* SIM_DROP_NONE for a delivery */
} PktRec;

typedef struct {
    SimWorld *w;
    GArray *pkts;  /* of PktRec: every UDP delivery and drop */
    GString *text; /* the text trace */
    SimNodeId n[8];
    SimLinkId l[8];
    SimSocketId s[8]; /* a UDP socket per node, bound to PORT */
    guint restarts;
    SimNodeId restarted;
} Fix;

static void
sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    Fix *f = data;

    sim_trace_format_line(world, rec, f->text);
    g_string_append_c(f->text, '\n');
    if ((rec->kind == SIM_TR_PKT_DELIVER || rec->kind == SIM_TR_PKT_DROP) && rec->packet != NULL &&
        rec->packet->proto == SIM_PROTO_UDP) {
        PktRec p = { rec->time, rec->node,
                     rec->kind == SIM_TR_PKT_DROP ? rec->reason : SIM_DROP_NONE };

        g_array_append_val(f->pkts, p);
    }
}

static Fix *
fix_new(guint64 seed)
{
    Fix *f = g_new0(Fix, 1);

    f->w = sim_world_new(seed);
    f->pkts = g_array_new(FALSE, TRUE, sizeof(PktRec));
    f->text = g_string_new(NULL);
    sim_trace_add_sink(f->w, sink, f);
    sim_trace_enable_fingerprint(f->w);
    return f;
}

static void
fix_free(Fix *f)
{
    sim_world_run(f->w);
    assert_int_equal(sim_world_packets_alive(f->w), 0);
    sim_trace_remove_sink(f->w, sink, f);
    sim_world_free(f->w);
    g_array_unref(f->pkts);
    g_string_free(f->text, TRUE);
    g_free(f);
}

static SimNodeId
node(Fix *f, const char *name, SimNodeKind kind, const char *a)
{
    SimNodeId n = sim_node_add(f->w, name, kind);
    SimAddr ad;

    assert_int_not_equal(n, SIM_ID_NONE);
    if (a != NULL) {
        assert_true(sim_addr_parse(a, &ad));
        assert_int_equal(sim_node_add_addr(f->w, n, &ad, 24), SIM_OK);
    }
    return n;
}

static SimLinkId
link_lat(Fix *f, SimNodeId a, SimNodeId b, SimTime lat)
{
    SimLinkParams p;
    SimLinkId l;

    sim_link_params_init(&p);
    p.latency_ns = lat;
    l = sim_link_add(f->w, a, b, &p, &p);
    assert_int_not_equal(l, SIM_ID_NONE);
    return l;
}

static SimSocketId
udp_bound(Fix *f, SimNodeId n, const char *a)
{
    SimSockAddr l;
    SimSocketId s = sim_udp_open(f->w, n, SIM_AF_INET);

    assert_int_not_equal(s, 0);
    assert_true(sim_addr_parse(a, &l.addr));
    l.port = PORT;
    assert_int_equal(sim_udp_bind(f->w, s, &l), SIM_OK);
    return s;
}

static const char *const addrs[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4" };

/* Two hosts a(0) and b(1) on one link (1 ms each way). */
static Fix *
pair_new(void)
{
    Fix *f = fix_new(TEST_SEED);

    f->n[0] = node(f, "a", SIM_NODE_HOST, addrs[0]);
    f->n[1] = node(f, "b", SIM_NODE_HOST, addrs[1]);
    f->l[0] = link_lat(f, f->n[0], f->n[1], SIM_MSEC);
    for (int i = 0; i < 2; i++)
        f->s[i] = udp_bound(f, f->n[i], addrs[i]);
    return f;
}

/* Hosts a(0), b(1), c(2) round router r(3); link i joins host i to r (link
 * direction AB leaves the host), @lat each. */
static Fix *
star_new(SimTime lat)
{
    Fix *f = fix_new(TEST_SEED);

    f->n[0] = node(f, "a", SIM_NODE_HOST, addrs[0]);
    f->n[1] = node(f, "b", SIM_NODE_HOST, addrs[1]);
    f->n[2] = node(f, "c", SIM_NODE_HOST, addrs[2]);
    f->n[3] = node(f, "r", SIM_NODE_ROUTER, addrs[3]);
    for (int i = 0; i < 3; i++) {
        f->l[i] = link_lat(f, f->n[i], f->n[3], lat);
        f->s[i] = udp_bound(f, f->n[i], addrs[i]);
    }
    return f;
}

/* A datagram from host @from to host @to, sent at @at. */
typedef struct {
    Fix *f;
    int from, to;
} SendReq;

static void
send_now(SimWorld *world, void *data)
{
    SendReq *r = data;
    SimSockAddr to;
    SimStatus st;

    assert_true(sim_addr_parse(addrs[r->to], &to.addr));
    to.port = PORT;
    st = sim_udp_sendto(world, r->f->s[r->from], &to, "x", 1);
    /* a crashed host's socket is gone: nothing to send from */
    if (sim_udp_exists(world, r->f->s[r->from]))
        assert_int_equal(st, SIM_OK);
    g_free(r);
}

static void
send_at(Fix *f, SimTime at, int from, int to)
{
    SendReq *r = g_new(SendReq, 1);

    r->f = f;
    r->from = from;
    r->to = to;
    sim__event_schedule_full(f->w, at, send_now, r, g_free); /* freed by send_now, or dropped */
}

/* Deliveries to host @to, and drops with @reason, among the records with
 * time in [t0, t1). */
static size_t
delivered(const Fix *f, int to, SimTime t0, SimTime t1)
{
    size_t n = 0;

    for (guint i = 0; i < f->pkts->len; i++) {
        const PktRec *p = &g_array_index(f->pkts, PktRec, i);

        n += p->reason == SIM_DROP_NONE && p->node == f->n[to] && p->time >= t0 && p->time < t1;
    }
    return n;
}

static size_t
dropped(const Fix *f, SimDropReason reason, SimTime t0, SimTime t1)
{
    size_t n = 0;

    for (guint i = 0; i < f->pkts->len; i++) {
        const PktRec *p = &g_array_index(f->pkts, PktRec, i);

        n += p->reason == reason && p->time >= t0 && p->time < t1;
    }
    return n;
}

static size_t
trace_count(const Fix *f, const char *needle)
{
    size_t n = 0;

    for (const char *p = f->text->str; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static SimLinkParams
params(Fix *f, SimLinkId l, SimLinkDir dir)
{
    SimLinkParams p;

    assert_int_equal(sim_link_get_params(f->w, l, dir, &p), SIM_OK);
    return p;
}

static SimFaultState
fstate(Fix *f, SimFaultId id)
{
    SimFaultInfo info;

    assert_int_equal(sim_fault_get_info(f->w, id, &info), SIM_OK);
    return info.state;
}

static void
run_to(Fix *f, SimTime t)
{
    sim_world_run_until(f->w, t);
}

/* ---- Link down / up ------------------------------------------------------ */

static void
test_fault_link_down_up(void **state)
{
    Fix *f = pair_new();
    SimFaultId id = 0;

    (void) state;
    assert_int_equal(
        sim_fault_schedule_link_down(f->w, 1 * SIM_SEC, f->l[0], SIM_DIR_BOTH, 2 * SIM_SEC, &id),
        SIM_OK);
    assert_int_equal(id, 1);
    assert_int_equal(fstate(f, id), SIM_FAULT_PENDING);
    send_at(f, 500 * SIM_MSEC, 0, 1);
    send_at(f, 1500 * SIM_MSEC, 0, 1);
    send_at(f, 1500 * SIM_MSEC, 1, 0);
    send_at(f, 3500 * SIM_MSEC, 0, 1);
    run_to(f, 2 * SIM_SEC);
    assert_int_equal(fstate(f, id), SIM_FAULT_ACTIVE);
    assert_false(params(f, f->l[0], SIM_DIR_AB).up);
    assert_false(params(f, f->l[0], SIM_DIR_BA).up);
    run_to(f, 4 * SIM_SEC);
    assert_int_equal(fstate(f, id), SIM_FAULT_DONE);
    assert_true(params(f, f->l[0], SIM_DIR_AB).up);
    assert_true(params(f, f->l[0], SIM_DIR_BA).up);
    assert_int_equal(delivered(f, 1, 0, SIM_SEC), 1);
    assert_int_equal(delivered(f, 1, SIM_SEC, 3 * SIM_SEC), 0);
    assert_int_equal(delivered(f, 0, SIM_SEC, 3 * SIM_SEC), 0);
    assert_int_equal(dropped(f, SIM_DROP_LINK_DOWN, SIM_SEC, 3 * SIM_SEC), 2);
    assert_int_equal(delivered(f, 1, 3 * SIM_SEC, 4 * SIM_SEC), 1);
    assert_int_equal(trace_count(f, "FAULT link-down a<>b for 2s [#1]"), 1);
    assert_int_equal(trace_count(f, "FAULT link-up a<>b [#1]"), 1);
    fix_free(f);
}

/* One direction only: b still reaches a. */
static void
test_fault_link_down_one_direction(void **state)
{
    Fix *f = pair_new();

    (void) state;
    assert_int_equal(sim_fault_schedule_link_down(f->w, SIM_SEC, f->l[0], SIM_DIR_AB, 0, NULL),
                     SIM_OK);
    send_at(f, 2 * SIM_SEC, 0, 1);
    send_at(f, 2 * SIM_SEC, 1, 0);
    run_to(f, 3 * SIM_SEC);
    assert_int_equal(delivered(f, 1, 0, 3 * SIM_SEC), 0);
    assert_int_equal(delivered(f, 0, 0, 3 * SIM_SEC), 1);
    assert_int_equal(trace_count(f, "FAULT link-down a>b [#1]"), 1);
    /* forever: still active, and the world's end needs no event of it */
    assert_int_equal(sim_fault_active_count(f->w), 1);
    fix_free(f);
}

/* ---- Flapping -------------------------------------------------------------- */

static void
test_fault_flap_count(void **state)
{
    Fix *f = pair_new();
    SimFaultId id = 0;
    SimFaultInfo info;
    static const struct {
        SimTime t;
        bool up;
    } probes[] = {
        { 900, true },  { 1050, false }, { 1200, true }, { 2050, false },
        { 2150, true }, { 3050, false }, { 3200, true }, { 4050, true },
    };

    (void) state;
    assert_int_equal(sim_fault_schedule_flap(f->w, SIM_SEC, f->l[0], SIM_DIR_BOTH, 100 * SIM_MSEC,
                                             SIM_SEC, 3, 0, &id),
                     SIM_OK);
    for (size_t i = 0; i < G_N_ELEMENTS(probes); i++) {
        run_to(f, probes[i].t * SIM_MSEC);
        print_message("probe %" G_GUINT64_FORMAT " ms\n", probes[i].t);
        assert_int_equal(params(f, f->l[0], SIM_DIR_AB).up, probes[i].up);
        assert_int_equal(params(f, f->l[0], SIM_DIR_BA).up, probes[i].up);
    }
    assert_int_equal(sim_fault_get_info(f->w, id, &info), SIM_OK);
    assert_int_equal(info.state, SIM_FAULT_DONE);
    assert_int_equal(info.phases_done, 3);
    assert_int_equal(info.end_ns, 3 * SIM_SEC + 100 * SIM_MSEC);
    assert_int_equal(trace_count(f, "FAULT flap-down"), 3);
    assert_int_equal(trace_count(f, "FAULT flap-up"), 3);
    assert_int_equal(trace_count(f, "phase 3 (last)"), 1);
    assert_int_equal(trace_count(f, "LINK down"), 6); /* two directions x 3 */
    fix_free(f);
}

static void
test_fault_flap_until(void **state)
{
    Fix *f = pair_new();
    SimFaultId id = 0;
    SimFaultInfo info;

    (void) state;
    /* phases at 1.0, 1.5, 2.0 (before 2.2) — not at 2.5 */
    assert_int_equal(sim_fault_schedule_flap(f->w, SIM_SEC, f->l[0], SIM_DIR_AB, 200 * SIM_MSEC,
                                             500 * SIM_MSEC, 0, 2200 * SIM_MSEC, &id),
                     SIM_OK);
    send_at(f, 2550 * SIM_MSEC, 0, 1);
    run_to(f, 10 * SIM_SEC);
    assert_int_equal(sim_fault_get_info(f->w, id, &info), SIM_OK);
    assert_int_equal(info.phases_done, 3);
    assert_int_equal(info.state, SIM_FAULT_DONE);
    assert_int_equal(delivered(f, 1, 0, 10 * SIM_SEC), 1);
    fix_free(f);
}

/* ---- Parameter changes --------------------------------------------------- */

static void
test_fault_loss_burst(void **state)
{
    Fix *f = pair_new();
    SimLinkParams p = params(f, f->l[0], SIM_DIR_AB);
    SimFaultId id = 0;
    size_t in_window;

    (void) state;
    p.loss_ppm = 5000; /* the link's own loss, restored after the burst */
    assert_int_equal(sim_link_set_params(f->w, f->l[0], SIM_DIR_AB, &p), SIM_OK);
    assert_int_equal(
        sim_fault_schedule_loss(f->w, 2 * SIM_SEC, f->l[0], SIM_DIR_AB, 300000, 3 * SIM_SEC, &id),
        SIM_OK);
    /* 1000 datagrams in the window, 100 before, 100 after */
    for (int i = 0; i < 100; i++)
        send_at(f, SIM_SEC + (SimTime) i * 5 * SIM_MSEC, 0, 1);
    for (int i = 0; i < 1000; i++)
        send_at(f, 2 * SIM_SEC + (SimTime) i * 2 * SIM_MSEC, 0, 1);
    for (int i = 0; i < 100; i++)
        send_at(f, 6 * SIM_SEC + (SimTime) i * 5 * SIM_MSEC, 0, 1);
    run_to(f, 3 * SIM_SEC);
    assert_int_equal(params(f, f->l[0], SIM_DIR_AB).loss_ppm, 300000);
    assert_int_equal(params(f, f->l[0], SIM_DIR_BA).loss_ppm, 0); /* one direction */
    run_to(f, 8 * SIM_SEC);
    assert_int_equal(params(f, f->l[0], SIM_DIR_AB).loss_ppm, 5000);
    assert_int_equal(fstate(f, id), SIM_FAULT_DONE);
    in_window = dropped(f, SIM_DROP_LOSS, 2 * SIM_SEC, 5 * SIM_SEC);
    print_message("lost in window: %zu of 1000\n", in_window);
    assert_in_range(in_window, 230, 370);
    assert_in_range(dropped(f, SIM_DROP_LOSS, 0, 2 * SIM_SEC), 0, 5);
    assert_in_range(dropped(f, SIM_DROP_LOSS, 5 * SIM_SEC, 8 * SIM_SEC), 0, 5);
    assert_int_equal(trace_count(f, "FAULT link-params a>b loss=300000ppm for 3s [#1]"), 1);
    assert_int_equal(trace_count(f, "FAULT link-restore a>b [#1]"), 1);
    fix_free(f);
}

/* Delivery times follow the spike; the old latency comes back. */
static void
test_fault_latency_spike(void **state)
{
    Fix *f = pair_new();
    static const struct {
        SimTime send_ms, arrive_us;
    } cases[] = { { 500, 501000 }, { 1500, 1550000 }, { 2500, 2501000 } };

    (void) state;
    assert_int_equal(sim_fault_schedule_latency(f->w, SIM_SEC, f->l[0], SIM_DIR_BOTH, 50 * SIM_MSEC,
                                                SIM_SEC, NULL),
                     SIM_OK);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        send_at(f, cases[i].send_ms * SIM_MSEC, 0, 1);
    run_to(f, 3 * SIM_SEC);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        SimTime t = cases[i].arrive_us * SIM_USEC;

        print_message("sent at %" G_GUINT64_FORMAT " ms\n", cases[i].send_ms);
        assert_int_equal(delivered(f, 1, t, t + 1), 1);
    }
    assert_int_equal(params(f, f->l[0], SIM_DIR_AB).latency_ns, SIM_MSEC);
    assert_int_equal(params(f, f->l[0], SIM_DIR_BA).latency_ns, SIM_MSEC);
    fix_free(f);
}

/* A direct change made during a fault, of another field, survives it; one
 * of the fault's own field is overridden while it lasts. */
static void
test_fault_params_external_change(void **state)
{
    Fix *f = pair_new();
    SimLinkParams p;

    (void) state;
    assert_int_equal(
        sim_fault_schedule_loss(f->w, SIM_SEC, f->l[0], SIM_DIR_AB, 100000, SIM_SEC, NULL), SIM_OK);
    run_to(f, 1500 * SIM_MSEC);
    p = params(f, f->l[0], SIM_DIR_AB);
    p.latency_ns = 7 * SIM_MSEC;
    assert_int_equal(sim_link_set_params(f->w, f->l[0], SIM_DIR_AB, &p), SIM_OK);
    run_to(f, 3 * SIM_SEC);
    p = params(f, f->l[0], SIM_DIR_AB);
    assert_int_equal(p.loss_ppm, 0);
    assert_int_equal(p.latency_ns, 7 * SIM_MSEC);
    fix_free(f);
}

/* ---- Partitions -------------------------------------------------------------- */

static void
test_fault_partition_symmetric(void **state)
{
    Fix *f = star_new(SIM_MSEC);
    SimNodeId set[] = { 0 };
    SimFaultId id = 0;
    SimFaultInfo info;

    (void) state;
    set[0] = f->n[0];
    assert_int_equal(sim_fault_schedule_partition(f->w, SIM_SEC, set, 1, SIM_PARTITION_SYMMETRIC,
                                                  2 * SIM_SEC, &id),
                     SIM_OK);
    send_at(f, 1500 * SIM_MSEC, 0, 1); /* a -> b: cut */
    send_at(f, 1500 * SIM_MSEC, 1, 0); /* b -> a: cut */
    send_at(f, 1500 * SIM_MSEC, 1, 2); /* b -> c: the rest still talk */
    send_at(f, 3500 * SIM_MSEC, 0, 1); /* healed */
    send_at(f, 3500 * SIM_MSEC, 1, 0);
    run_to(f, 2 * SIM_SEC);
    assert_int_equal(sim_fault_get_info(f->w, id, &info), SIM_OK);
    assert_int_equal(info.links_cut, 2);
    run_to(f, 4 * SIM_SEC);
    assert_int_equal(delivered(f, 1, SIM_SEC, 3 * SIM_SEC), 0);
    assert_int_equal(delivered(f, 0, SIM_SEC, 3 * SIM_SEC), 0);
    assert_int_equal(delivered(f, 2, SIM_SEC, 3 * SIM_SEC), 1);
    assert_int_equal(dropped(f, SIM_DROP_LINK_DOWN, SIM_SEC, 3 * SIM_SEC), 2);
    assert_int_equal(delivered(f, 1, 3 * SIM_SEC, 4 * SIM_SEC), 1);
    assert_int_equal(delivered(f, 0, 3 * SIM_SEC, 4 * SIM_SEC), 1);
    assert_int_equal(trace_count(f, "FAULT partition {a} | rest (symmetric) for 2s [#1]"), 1);
    assert_int_equal(trace_count(f, "FAULT heal {a} | rest [#1]"), 1);
    for (int i = 0; i < 3; i++) {
        assert_true(params(f, f->l[i], SIM_DIR_AB).up);
        assert_true(params(f, f->l[i], SIM_DIR_BA).up);
    }
    fix_free(f);
}

static void
test_fault_partition_one_way(void **state)
{
    static const struct {
        const char *name;
        SimPartitionDir dir;
        size_t a_to_b, b_to_a;
    } cases[] = {
        { "from-set", SIM_PARTITION_FROM_SET, 0, 1 },
        { "to-set", SIM_PARTITION_TO_SET, 1, 0 },
    };

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Fix *f = star_new(SIM_MSEC);
        SimNodeId set[1];

        print_message("case %s\n", cases[i].name);
        set[0] = f->n[0];
        assert_int_equal(
            sim_fault_schedule_partition(f->w, SIM_SEC, set, 1, cases[i].dir, SIM_SEC, NULL),
            SIM_OK);
        send_at(f, 1500 * SIM_MSEC, 0, 1);
        send_at(f, 1500 * SIM_MSEC, 1, 0);
        run_to(f, 3 * SIM_SEC);
        assert_int_equal(delivered(f, 1, 0, 3 * SIM_SEC), cases[i].a_to_b);
        assert_int_equal(delivered(f, 0, 0, 3 * SIM_SEC), cases[i].b_to_a);
        fix_free(f);
    }
}

/* The in-flight rule: packets on a cut link direction when the partition
 * starts are dropped when they would have arrived (link-down); packets on a
 * hop before the cut are dropped when they reach it; traffic not crossing
 * the cut is untouched. */
static void
test_fault_partition_in_flight(void **state)
{
    Fix *f = star_new(100 * SIM_MSEC);
    SimNodeId set[1];

    (void) state;
    set[0] = f->n[0];
    assert_int_equal(
        sim_fault_schedule_partition(f->w, SIM_SEC, set, 1, SIM_PARTITION_SYMMETRIC, 0, NULL),
        SIM_OK);
    send_at(f, 950 * SIM_MSEC, 0, 1); /* on a>r at 1.0: lost at 1.05 */
    send_at(f, 850 * SIM_MSEC, 1, 0); /* on r>a at 1.0: lost at 1.05 */
    send_at(f, 950 * SIM_MSEC, 1, 0); /* on b>r at 1.0: lost at r, 1.05 */
    send_at(f, 950 * SIM_MSEC, 1, 2); /* b -> c: delivered at 1.15 */
    send_at(f, 700 * SIM_MSEC, 0, 1); /* delivered at 0.9, before */
    run_to(f, 2 * SIM_SEC);
    assert_int_equal(delivered(f, 1, 0, SIM_SEC), 1);
    assert_int_equal(delivered(f, 1, SIM_SEC, 2 * SIM_SEC), 0);
    assert_int_equal(delivered(f, 0, 0, 2 * SIM_SEC), 0);
    assert_int_equal(delivered(f, 2, 1150 * SIM_MSEC, 1150 * SIM_MSEC + 1), 1);
    assert_int_equal(dropped(f, SIM_DROP_LINK_DOWN, 1050 * SIM_MSEC, 1050 * SIM_MSEC + 1), 3);
    fix_free(f);
}

/* ---- Crash and restart --------------------------------------------------- */

typedef struct {
    SimWaitResult result;
    SimTime woke_at;
    bool ran;
} SleeperData;

static void
sleeper(void *data)
{
    SleeperData *d = data;
    SimWorld *w = sim_world_current();

    d->ran = true;
    d->result = sim_actor_sleep(w, 100 * SIM_SEC, false);
    d->woke_at = sim_world_now(w);
}

static void
on_restart(SimWorld *world, SimNodeId n, void *data)
{
    Fix *f = data;

    assert_true(sim_node_is_up(world, n));
    f->restarts++;
    f->restarted = n;
}

static void
test_fault_crash_restart(void **state)
{
    Fix *f = pair_new();
    SleeperData sd = { 0 };
    SimProcessId pid;
    SimFaultId id = 0;

    (void) state;
    sim_fault_add_restart_hook(f->w, on_restart, f);
    pid = sim_process_new(f->w, f->n[1], "server");
    sim_actor_spawn(f->w, pid, "main", SIM_ACTOR_COROUTINE, 0, sleeper, &sd);
    assert_int_equal(sim_fault_schedule_crash(f->w, SIM_SEC, f->n[1], 2 * SIM_SEC, &id), SIM_OK);
    send_at(f, 500 * SIM_MSEC, 0, 1);
    send_at(f, 1500 * SIM_MSEC, 0, 1); /* b is down */
    run_to(f, 900 * SIM_MSEC);
    assert_true(sim_udp_exists(f->w, f->s[1]));
    assert_int_equal(sim_udp_queued_count(f->w, f->s[1]), 1);
    run_to(f, 2 * SIM_SEC);
    assert_true(sd.ran);
    assert_int_equal(sd.result, SIM_WAIT_KILLED);
    assert_int_equal(sd.woke_at, SIM_SEC);
    assert_false(sim_process_is_alive(f->w, pid));
    assert_false(sim_udp_exists(f->w, f->s[1]));
    assert_false(sim_node_is_up(f->w, f->n[1]));
    assert_true(sim_fault_node_crashed(f->w, f->n[1]));
    assert_int_equal(dropped(f, SIM_DROP_NODE_DOWN, SIM_SEC, 2 * SIM_SEC), 1);
    assert_int_equal(f->restarts, 0);
    run_to(f, 4 * SIM_SEC);
    assert_int_equal(f->restarts, 1);
    assert_int_equal(f->restarted, f->n[1]);
    assert_true(sim_node_is_up(f->w, f->n[1]));
    assert_false(sim_fault_node_crashed(f->w, f->n[1]));
    assert_int_equal(fstate(f, id), SIM_FAULT_DONE);
    /* fresh: the port is free again, a datagram reaches the new socket */
    f->s[1] = udp_bound(f, f->n[1], addrs[1]);
    send_at(f, 5 * SIM_SEC, 0, 1);
    run_to(f, 6 * SIM_SEC);
    assert_int_equal(sim_udp_queued_count(f->w, f->s[1]), 1);
    assert_int_equal(trace_count(f, "b        FAULT crash b restart after 2s [#1]"), 1);
    assert_int_equal(trace_count(f, "b        FAULT restart b [#1]"), 1);
    assert_int_equal(trace_count(f, "NODE down"), 1);
    assert_int_equal(trace_count(f, "NODE up"), 1);
    sim_fault_remove_restart_hook(f->w, on_restart, f);
    fix_free(f);
}

/* Two overlapping crashes: the node stays down until the later restart. */
static void
test_fault_crash_overlap(void **state)
{
    Fix *f = pair_new();

    (void) state;
    sim_fault_add_restart_hook(f->w, on_restart, f);
    assert_int_equal(sim_fault_schedule_crash(f->w, SIM_SEC, f->n[1], 2 * SIM_SEC, NULL), SIM_OK);
    assert_int_equal(sim_fault_schedule_crash(f->w, 2 * SIM_SEC, f->n[1], 3 * SIM_SEC, NULL),
                     SIM_OK);
    run_to(f, 4 * SIM_SEC);
    assert_false(sim_node_is_up(f->w, f->n[1]));
    assert_int_equal(f->restarts, 0);
    assert_int_equal(trace_count(f, "FAULT crash-end b (another crash keeps it down) [#1]"), 1);
    run_to(f, 6 * SIM_SEC);
    assert_true(sim_node_is_up(f->w, f->n[1]));
    assert_int_equal(f->restarts, 1);
    assert_int_equal(trace_count(f, "FAULT restart b [#2]"), 1);
    assert_int_equal(trace_count(f, "NODE up"), 1);
    fix_free(f);
}

/* ---- Composition, cancel, errors ------------------------------------------ */

static void
test_fault_combined(void **state)
{
    Fix *f = star_new(SIM_MSEC);
    SimNodeId set[1];
    SimLinkId la;

    (void) state;
    la = f->l[0];
    set[0] = f->n[0];
    /* on a's link: loss 1..4, down 2..3, partition of a 2.5..3.5 */
    assert_int_equal(
        sim_fault_schedule_loss(f->w, SIM_SEC, la, SIM_DIR_BOTH, SIM_PPM_ONE, 3 * SIM_SEC, NULL),
        SIM_OK);
    assert_int_equal(
        sim_fault_schedule_link_down(f->w, 2 * SIM_SEC, la, SIM_DIR_BOTH, SIM_SEC, NULL), SIM_OK);
    assert_int_equal(sim_fault_schedule_partition(f->w, 2500 * SIM_MSEC, set, 1,
                                                  SIM_PARTITION_SYMMETRIC, SIM_SEC, NULL),
                     SIM_OK);
    run_to(f, 3200 * SIM_MSEC);
    assert_false(params(f, la, SIM_DIR_AB).up); /* the partition still holds it */
    assert_int_equal(sim_fault_active_count(f->w), 2);
    run_to(f, 3600 * SIM_MSEC);
    assert_true(params(f, la, SIM_DIR_AB).up);
    assert_int_equal(params(f, la, SIM_DIR_AB).loss_ppm, SIM_PPM_ONE);
    send_at(f, 3700 * SIM_MSEC, 0, 1); /* lost: the burst */
    send_at(f, 4500 * SIM_MSEC, 0, 1); /* all clear */
    run_to(f, 5 * SIM_SEC);
    assert_int_equal(params(f, la, SIM_DIR_AB).loss_ppm, 0);
    assert_int_equal(params(f, la, SIM_DIR_BA).loss_ppm, 0);
    assert_int_equal(dropped(f, SIM_DROP_LOSS, 3 * SIM_SEC, 4 * SIM_SEC), 1);
    assert_int_equal(delivered(f, 1, 4 * SIM_SEC, 5 * SIM_SEC), 1);
    assert_int_equal(sim_fault_active_count(f->w), 0);
    fix_free(f);
}

static void
test_fault_cancel(void **state)
{
    Fix *f = pair_new();
    SimFaultId pending = 0, active = 0;

    (void) state;
    assert_int_equal(
        sim_fault_schedule_link_down(f->w, 2 * SIM_SEC, f->l[0], SIM_DIR_BOTH, 0, &pending),
        SIM_OK);
    assert_int_equal(
        sim_fault_schedule_latency(f->w, SIM_SEC, f->l[0], SIM_DIR_AB, SIM_SEC, 0, &active),
        SIM_OK);
    run_to(f, 1500 * SIM_MSEC);
    assert_int_equal(sim_fault_cancel(f->w, pending), SIM_OK);
    assert_int_equal(fstate(f, pending), SIM_FAULT_CANCELLED);
    assert_int_equal(params(f, f->l[0], SIM_DIR_AB).latency_ns, SIM_SEC);
    assert_int_equal(sim_fault_cancel(f->w, active), SIM_OK);
    assert_int_equal(params(f, f->l[0], SIM_DIR_AB).latency_ns, SIM_MSEC);
    assert_int_equal(fstate(f, active), SIM_FAULT_CANCELLED);
    assert_int_equal(sim_fault_cancel(f->w, active), SIM_E_ALREADY);
    assert_int_equal(sim_fault_cancel(f->w, 99), SIM_E_NOTFOUND);
    run_to(f, 3 * SIM_SEC);
    assert_true(params(f, f->l[0], SIM_DIR_AB).up);
    assert_int_equal(trace_count(f, "FAULT cancel a<>b (never started) [#1]"), 1);
    assert_int_equal(trace_count(f, "FAULT link-restore a>b (cancelled) [#2]"), 1);
    fix_free(f);
}

static void
noop(SimWorld *world, void *data)
{
    (void) world;
    (void) data;
}

static void
test_fault_bad_arguments(void **state)
{
    Fix *f = pair_new();
    SimLinkParams p;
    SimNodeId all[2], unknown[1] = { 42 };
    SimFaultId id = 77;

    (void) state;
    sim_link_params_init(&p);
    all[0] = f->n[0];
    all[1] = f->n[1];
    assert_int_equal(sim_fault_schedule_link_down(f->w, 0, 99, SIM_DIR_AB, 0, &id), SIM_E_NOTFOUND);
    assert_int_equal(id, 77); /* untouched on failure */
    assert_int_equal(sim_fault_schedule_link_down(f->w, 0, f->l[0], (SimLinkDir) 7, 0, NULL),
                     SIM_E_INVAL);
    assert_int_equal(
        sim_fault_schedule_loss(f->w, 0, f->l[0], SIM_DIR_AB, SIM_PPM_ONE + 1, 0, NULL),
        SIM_E_INVAL);
    assert_int_equal(sim_fault_schedule_link_params(f->w, 0, f->l[0], SIM_DIR_AB, &p, 0, 0, NULL),
                     SIM_E_INVAL);
    assert_int_equal(
        sim_fault_schedule_link_params(f->w, 0, f->l[0], SIM_DIR_AB, &p, 1u << 20, 0, NULL),
        SIM_E_INVAL);
    p.mtu = 10;
    assert_int_equal(
        sim_fault_schedule_link_params(f->w, 0, f->l[0], SIM_DIR_AB, &p, SIM_FAULT_F_MTU, 0, NULL),
        SIM_E_INVAL);
    assert_int_equal(
        sim_fault_schedule_flap(f->w, 0, f->l[0], SIM_DIR_AB, SIM_SEC, SIM_SEC, 3, 0, NULL),
        SIM_E_INVAL);
    assert_int_equal(sim_fault_schedule_flap(f->w, 0, f->l[0], SIM_DIR_AB, 1, SIM_SEC, 0, 0, NULL),
                     SIM_E_INVAL);
    assert_int_equal(
        sim_fault_schedule_partition(f->w, 0, all, 2, SIM_PARTITION_SYMMETRIC, 0, NULL),
        SIM_E_INVAL);
    assert_int_equal(
        sim_fault_schedule_partition(f->w, 0, unknown, 1, SIM_PARTITION_SYMMETRIC, 0, NULL),
        SIM_E_NOTFOUND);
    assert_int_equal(
        sim_fault_schedule_partition(f->w, 0, all, 0, SIM_PARTITION_SYMMETRIC, 0, NULL),
        SIM_E_INVAL);
    assert_int_equal(sim_fault_schedule_crash(f->w, 0, 42, 0, NULL), SIM_E_NOTFOUND);
    sim_event_schedule_at(f->w, SIM_SEC, noop, NULL); /* the clock moves only with events */
    run_to(f, SIM_SEC);
    assert_int_equal(sim_world_now(f->w), SIM_SEC);
    assert_int_equal(sim_fault_schedule_crash(f->w, SIM_SEC - 1, f->n[0], 0, NULL), SIM_E_INVAL);
    assert_int_equal(sim_fault_schedule_crash(f->w, SIM_SEC, f->n[0], SIM_TIME_INFINITE, NULL),
                     SIM_E_INVAL);
    assert_int_equal(sim_fault_count(f->w), 0);
    fix_free(f);
}

static void
test_fault_list(void **state)
{
    Fix *f = pair_new();
    g_autoptr(GArray) list = NULL;
    SimNodeId set[1];

    (void) state;
    set[0] = f->n[0];
    assert_int_equal(
        sim_fault_schedule_link_down(f->w, SIM_SEC, f->l[0], SIM_DIR_BA, SIM_SEC, NULL), SIM_OK);
    assert_int_equal(
        sim_fault_schedule_partition(f->w, 3 * SIM_SEC, set, 1, SIM_PARTITION_FROM_SET, 0, NULL),
        SIM_OK);
    assert_int_equal(sim_fault_schedule_crash(f->w, 4 * SIM_SEC, f->n[1], 0, NULL), SIM_OK);
    run_to(f, 3500 * SIM_MSEC);
    list = sim_fault_list(f->w);
    assert_int_equal(list->len, 3);
    for (guint i = 0; i < list->len; i++)
        assert_int_equal(g_array_index(list, SimFaultInfo, i).id, i + 1);
    assert_int_equal(g_array_index(list, SimFaultInfo, 0).kind, SIM_FAULT_LINK_DOWN);
    assert_int_equal(g_array_index(list, SimFaultInfo, 0).state, SIM_FAULT_DONE);
    assert_int_equal(g_array_index(list, SimFaultInfo, 0).dir, SIM_DIR_BA);
    assert_int_equal(g_array_index(list, SimFaultInfo, 1).kind, SIM_FAULT_PARTITION);
    assert_int_equal(g_array_index(list, SimFaultInfo, 1).state, SIM_FAULT_ACTIVE);
    assert_int_equal(g_array_index(list, SimFaultInfo, 1).links_cut, 1);
    assert_int_equal(g_array_index(list, SimFaultInfo, 1).end_ns, SIM_TIME_INFINITE);
    assert_int_equal(g_array_index(list, SimFaultInfo, 2).kind, SIM_FAULT_CRASH);
    assert_int_equal(g_array_index(list, SimFaultInfo, 2).state, SIM_FAULT_PENDING);
    assert_string_equal(sim_fault_kind_name(SIM_FAULT_FLAP), "flap");
    assert_string_equal(sim_fault_state_name(SIM_FAULT_ACTIVE), "active");
    fix_free(f);
}

/* ---- Determinism and teardown ----------------------------------------------- */

static guint64
fingerprint_run(guint64 seed, GString *text_out)
{
    Fix *f = fix_new(seed);
    SimNodeId set[1];
    guint64 fp;

    f->n[0] = node(f, "a", SIM_NODE_HOST, addrs[0]);
    f->n[1] = node(f, "b", SIM_NODE_HOST, addrs[1]);
    f->n[2] = node(f, "c", SIM_NODE_HOST, addrs[2]);
    f->n[3] = node(f, "r", SIM_NODE_ROUTER, addrs[3]);
    for (int i = 0; i < 3; i++) {
        f->l[i] = link_lat(f, f->n[i], f->n[3], 3 * SIM_MSEC);
        f->s[i] = udp_bound(f, f->n[i], addrs[i]);
    }
    set[0] = f->n[2];
    sim_fault_schedule_loss(f->w, 100 * SIM_MSEC, f->l[0], SIM_DIR_BOTH, 200000, SIM_SEC, NULL);
    sim_fault_schedule_flap(f->w, 300 * SIM_MSEC, f->l[1], SIM_DIR_AB, 20 * SIM_MSEC,
                            100 * SIM_MSEC, 5, 0, NULL);
    sim_fault_schedule_partition(f->w, 500 * SIM_MSEC, set, 1, SIM_PARTITION_SYMMETRIC,
                                 400 * SIM_MSEC, NULL);
    sim_fault_schedule_crash(f->w, 1200 * SIM_MSEC, f->n[1], 300 * SIM_MSEC, NULL);
    for (int i = 0; i < 400; i++)
        send_at(f, (SimTime) i * 5 * SIM_MSEC, i % 3, (i + 1) % 3);
    run_to(f, 3 * SIM_SEC);
    fp = sim_trace_fingerprint(f->w);
    g_string_assign(text_out, f->text->str);
    fix_free(f);
    return fp;
}

static void
test_fault_same_seed_same_trace(void **state)
{
    g_autoptr(GString) t1 = g_string_new(NULL);
    g_autoptr(GString) t2 = g_string_new(NULL);
    guint64 a, b;

    (void) state;
    a = fingerprint_run(TEST_SEED, t1);
    b = fingerprint_run(TEST_SEED, t2);
    assert_int_equal(a, b);
    assert_string_equal(t1->str, t2->str);
    assert_non_null(strstr(t1->str, "FAULT partition {c} | rest"));
    assert_non_null(strstr(t1->str, "FAULT restart b"));
    if (g_getenv("TEST_FAULT_PRINT_TRACE") != NULL)
        fputs(t1->str, stdout);
}

/* Faults pending, active, and a crash with no restart when the world is
 * freed: nothing leaks (run under valgrind / ASan), nothing fires late. */
static void
test_fault_teardown_pending(void **state)
{
    Fix *f = star_new(SIM_MSEC);
    SimNodeId set[2];

    (void) state;
    set[0] = f->n[0];
    set[1] = f->n[1];
    sim_fault_schedule_partition(f->w, SIM_SEC, set, 2, SIM_PARTITION_SYMMETRIC, 0, NULL);
    sim_fault_schedule_crash(f->w, SIM_SEC, f->n[2], 0, NULL);
    sim_fault_schedule_flap(f->w, SIM_SEC, f->l[0], SIM_DIR_BOTH, SIM_MSEC, 2 * SIM_MSEC, 1000000,
                            0, NULL);
    sim_fault_schedule_loss(f->w, 50 * SIM_SEC, f->l[1], SIM_DIR_AB, 1, 0, NULL);
    sim_fault_schedule_link_down(f->w, 60 * SIM_SEC, f->l[1], SIM_DIR_AB, SIM_SEC, NULL);
    sim_fault_add_restart_hook(f->w, on_restart, f);
    run_to(f, 1500 * SIM_MSEC);
    assert_int_equal(sim_fault_active_count(f->w), 3);
    sim_trace_remove_sink(f->w, sink, f);
    sim_world_free(f->w); /* with events pending */
    g_array_unref(f->pkts);
    g_string_free(f->text, TRUE);
    g_free(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_link_down_up),
        cmocka_unit_test(test_fault_link_down_one_direction),
        cmocka_unit_test(test_fault_flap_count),
        cmocka_unit_test(test_fault_flap_until),
        cmocka_unit_test(test_fault_loss_burst),
        cmocka_unit_test(test_fault_latency_spike),
        cmocka_unit_test(test_fault_params_external_change),
        cmocka_unit_test(test_fault_partition_symmetric),
        cmocka_unit_test(test_fault_partition_one_way),
        cmocka_unit_test(test_fault_partition_in_flight),
        cmocka_unit_test(test_fault_crash_restart),
        cmocka_unit_test(test_fault_crash_overlap),
        cmocka_unit_test(test_fault_combined),
        cmocka_unit_test(test_fault_cancel),
        cmocka_unit_test(test_fault_bad_arguments),
        cmocka_unit_test(test_fault_list),
        cmocka_unit_test(test_fault_same_seed_same_trace),
        cmocka_unit_test(test_fault_teardown_pending),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
