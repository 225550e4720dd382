/* SPDX-License-Identifier: MIT
 * test-link: the per-direction link model — serialisation delay, drop-tail
 * queue limits, loss models and their statistics, stream independence,
 * duplication, reordering, corruption, jitter bounds, down links,
 * scheduled parameter changes. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers/test-net.h"

/* Two hosts a (10.0.0.1) and b (10.0.0.2) joined by one link with @p. */
static TestNet *
pair_new(guint64 seed, const SimLinkParams *p, SimNodeId *a, SimNodeId *b, SimLinkId *l)
{
    TestNet *tn = test_net_new(seed);

    *a = test_net_node(tn, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    *b = test_net_node(tn, "b", SIM_NODE_HOST, "10.0.0.2", 24);
    *l = test_net_link(tn, *a, *b, p);
    return tn;
}

static TestNet *
pair_new_quiet(guint64 seed, const SimLinkParams *p, SimNodeId *a, SimNodeId *b, SimLinkId *l)
{
    TestNet *tn = test_net_new_quiet(seed);

    tn->keep_rx = false;
    *a = test_net_node(tn, "a", SIM_NODE_HOST, "10.0.0.1", 24);
    *b = test_net_node(tn, "b", SIM_NODE_HOST, "10.0.0.2", 24);
    *l = test_net_link(tn, *a, *b, p);
    return tn;
}

static void
send_raw(TestNet *tn, SimNodeId from, guint32 seq, guint32 len)
{
    SimPacket *pkt = test_net_raw(tn, "10.0.0.1", "10.0.0.2", seq, len);

    assert_int_equal(sim_net_send(tn->world, from, pkt), SIM_OK);
}

/* A 1500-byte IP packet (UDP, 1472 payload bytes) at 1 Mbit/s takes 12 ms
 * to serialise; the second waits for the first. */
static void
test_link_serialisation_delay_exact(void **state)
{
    SimLinkParams p;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;

    (void)state;
    sim_link_params_init(&p);
    p.rate_bps = 1000000;
    p.latency_ns = 5 * SIM_MSEC;
    tn = pair_new(1, &p, &a, &b, &l);
    for (int i = 0; i < 2; i++) {
        SimPacket *pkt = test_net_udp(tn, "10.0.0.1", "10.0.0.2", 1000, 2000, 1472);

        assert_int_equal(sim_packet_wire_len(pkt), 1500);
        assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
    }
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 2);
    assert_int_equal(test_net_rx(tn, 0)->time, 12 * SIM_MSEC + 5 * SIM_MSEC);
    assert_int_equal(test_net_rx(tn, 1)->time, 24 * SIM_MSEC + 5 * SIM_MSEC);
    /* The second was queued behind the first and starts at 12 ms. */
    assert_int_equal(test_net_trace_count(tn, "queued=1 start=0.012000000"), 1);

    /* 125 bytes at 1 Gbit/s: exactly 1000 ns; rate 0 is instant. */
    test_net_rx_clear(tn);
    p.rate_bps = 1000000000;
    p.latency_ns = 0;
    assert_int_equal(sim_link_set_params(tn->world, l, SIM_DIR_BOTH, &p), SIM_OK);
    {
        SimTime t0 = sim_world_now(tn->world);
        SimPacket *pkt = test_net_raw(tn, "10.0.0.1", "10.0.0.2", 0, 105);

        assert_int_equal(sim_packet_wire_len(pkt), 125);
        assert_int_equal(sim_net_send(tn->world, a, pkt), SIM_OK);
        sim_world_run(tn->world);
        assert_int_equal(test_net_rx(tn, 0)->time - t0, 1000);
    }
    test_net_free(tn);
}

/* Drop-tail by packets: with the transmitter busy, queue_packets may wait. */
static void
test_link_queue_overflow_packets(void **state)
{
    SimLinkParams p;
    SimLinkStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;

    (void)state;
    sim_link_params_init(&p);
    p.rate_bps = 1000000;
    p.queue_packets = 2;
    tn = pair_new(1, &p, &a, &b, &l);
    for (guint32 i = 0; i < 6; i++)
        send_raw(tn, a, i, 980);
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(st.sent_packets, 3);
    assert_int_equal(st.queue_drops, 3);
    assert_int_equal(st.queue_peak_packets, 2);
    assert_int_equal(test_net_trace_count(tn, "DROP queue"), 3);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 3);
    for (guint32 i = 0; i < 3; i++)
        assert_int_equal(test_net_rx(tn, i)->pkt->flow_id, i);

    /* Once the queue has drained it accepts again. */
    for (guint32 i = 0; i < 3; i++)
        send_raw(tn, a, 10 + i, 980);
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(st.queue_drops, 3);
    test_net_free(tn);
}

/* Drop-tail by bytes: the waiting packets' bytes may not exceed the limit. */
static void
test_link_queue_overflow_bytes(void **state)
{
    SimLinkParams p;
    SimLinkStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;

    (void)state;
    sim_link_params_init(&p);
    p.rate_bps = 1000000;
    p.queue_bytes = 3000;
    tn = pair_new(1, &p, &a, &b, &l);
    for (guint32 i = 0; i < 5; i++)
        send_raw(tn, a, i, 980); /* 1000 bytes on the wire */
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    /* One transmitting, three waiting (3000 bytes), the fifth dropped. */
    assert_int_equal(st.sent_packets, 4);
    assert_int_equal(st.queue_drops, 1);
    sim_world_run(tn->world);
    for (guint32 i = 0; i < 3; i++)
        send_raw(tn, a, i, 1480); /* 1500 bytes */
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    /* One transmitting, two waiting (3000 bytes), none dropped. */
    assert_int_equal(st.queue_drops, 1);
    send_raw(tn, a, 9, 0);
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(st.queue_drops, 2);
    test_net_free(tn);
}

/* Sends @n raw packets (no delay, no rate) and returns the delivered flags
 * (TRUE = delivered) in sequence order. */
static guint8 *
delivery_pattern(guint64 seed, const SimLinkParams *p, guint32 n, guint64 *out_lost)
{
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn = pair_new_quiet(seed, p, &a, &b, &l);
    guint8 *got = g_new0(guint8, n);
    SimLinkStats st;

    tn->keep_rx = true;
    for (guint32 i = 0; i < n; i++) {
        send_raw(tn, a, i, 0);
        if ((i & 1023) == 1023) {
            sim_world_run(tn->world);
            for (guint k = 0; k < tn->rx->len; k++)
                got[test_net_rx(tn, k)->pkt->flow_id] = 1;
            test_net_rx_clear(tn);
        }
    }
    sim_world_run(tn->world);
    for (guint k = 0; k < tn->rx->len; k++)
        got[test_net_rx(tn, k)->pkt->flow_id] = 1;
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    *out_lost = st.lost_packets;
    test_net_free(tn);
    return got;
}

/* Bernoulli loss over 100,000 packets stays within 5 standard deviations
 * of its mean, for several seeds; 0 and 1,000,000 ppm are exact. */
static void
test_link_bernoulli_loss_bounds(void **state)
{
    static const guint64 seeds[] = {1, 2, 3, 42, 20240601};
    static const guint32 ppms[] = {10000, 250000};
    const guint32 n = 100000;
    SimLinkParams p;

    (void)state;
    sim_link_params_init(&p);
    for (size_t k = 0; k < G_N_ELEMENTS(ppms); k++) {
        double q = ppms[k] / 1e6, mean = n * q, sd = sqrt(n * q * (1 - q));

        p.loss_ppm = ppms[k];
        for (size_t i = 0; i < G_N_ELEMENTS(seeds); i++) {
            guint64 lost, counted = 0;
            guint8 *got = delivery_pattern(seeds[i], &p, n, &lost);

            for (guint32 j = 0; j < n; j++)
                counted += !got[j];
            print_message("loss %u ppm seed %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT
                          " lost (mean %.0f, sd %.1f)\n",
                          ppms[k], seeds[i], lost, mean, sd);
            assert_int_equal(lost, counted);
            assert_true(fabs((double)lost - mean) <= 5 * sd);
            g_free(got);
        }
    }
    {
        guint64 lost;
        guint8 *got;

        p.loss_ppm = 0;
        got = delivery_pattern(7, &p, 1000, &lost);
        assert_int_equal(lost, 0);
        g_free(got);
        p.loss_ppm = SIM_PPM_ONE;
        got = delivery_pattern(7, &p, 1000, &lost);
        assert_int_equal(lost, 1000);
        g_free(got);
    }
}

/* Gilbert-Elliott with lossless good and lossy bad states: losses come in
 * bursts whose mean length is 1e6 / p_bad_good_ppm. */
static void
test_link_gilbert_elliott_burst_length(void **state)
{
    static const guint64 seeds[] = {5, 6, 7};
    static const guint32 p_bg[] = {250000, 100000};
    const guint32 n = 200000;
    SimLinkParams p;

    (void)state;
    sim_link_params_init(&p);
    p.ge_enabled = true;
    p.ge_p_good_bad_ppm = 10000;
    p.ge_loss_good_ppm = 0;
    p.ge_loss_bad_ppm = SIM_PPM_ONE;
    for (size_t k = 0; k < G_N_ELEMENTS(p_bg); k++) {
        double pb = p_bg[k] / 1e6, want = 1.0 / pb;
        /* Burst lengths are geometric: sd sqrt(1 - p) / p. */
        double sd1 = sqrt(1 - pb) / pb;

        p.ge_p_bad_good_ppm = p_bg[k];
        for (size_t i = 0; i < G_N_ELEMENTS(seeds); i++) {
            guint64 lost, bursts = 0, in_burst = 0, total_len = 0;
            guint8 *got = delivery_pattern(seeds[i], &p, n, &lost);
            double mean, sd_mean;

            for (guint32 j = 0; j < n; j++) {
                if (!got[j]) {
                    in_burst++;
                } else if (in_burst > 0) {
                    bursts++;
                    total_len += in_burst;
                    in_burst = 0;
                }
            }
            assert_true(bursts > 100);
            mean = (double)total_len / (double)bursts;
            sd_mean = sd1 / sqrt((double)bursts);
            print_message("GE p_bg %u ppm seed %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT
                          " bursts, mean %.3f (want %.3f +- %.3f)\n",
                          p_bg[k], seeds[i], bursts, mean, want, 5 * sd_mean);
            assert_true(fabs(mean - want) <= 5 * sd_mean);
            g_free(got);
        }
    }
}

/* Adding links (even before this one, shifting its id) and traffic on them
 * leaves the draws of an existing link unchanged: streams are named after
 * the link's end nodes, not its id or creation order. */
static void
test_link_stream_independence(void **state)
{
    const guint32 n = 2000;
    SimLinkParams p, q;
    GArray *pattern[2];

    (void)state;
    sim_link_params_init(&p);
    p.loss_ppm = 300000;
    p.jitter_ns = 1000;
    sim_link_params_init(&q);
    q.loss_ppm = 500000;
    q.jitter_ns = 1000;
    for (int variant = 0; variant < 2; variant++) {
        TestNet *tn = test_net_new_quiet(99);
        SimNodeId a, b, c = 0, d = 0;

        pattern[variant] = g_array_new(FALSE, TRUE, sizeof(guint8));
        g_array_set_size(pattern[variant], n);
        if (variant == 1) {
            c = test_net_node(tn, "c", SIM_NODE_HOST, "10.0.1.1", 24);
            d = test_net_node(tn, "d", SIM_NODE_HOST, "10.0.1.2", 24);
            test_net_link(tn, c, d, &q);
        }
        a = test_net_node(tn, "a", SIM_NODE_HOST, "10.0.0.1", 24);
        b = test_net_node(tn, "b", SIM_NODE_HOST, "10.0.0.2", 24);
        test_net_link(tn, a, b, &p);
        for (guint32 i = 0; i < n; i++) {
            send_raw(tn, a, i, 0);
            if (variant == 1) {
                SimPacket *x = test_net_raw(tn, "10.0.1.1", "10.0.1.2", n + i, 0);

                assert_int_equal(sim_net_send(tn->world, c, x), SIM_OK);
            }
        }
        sim_world_run(tn->world);
        for (guint k = 0; k < tn->rx->len; k++) {
            const TestRx *rx = test_net_rx(tn, k);

            if (rx->node == b)
                g_array_index(pattern[variant], guint8, rx->pkt->flow_id) = 1;
        }
        if (variant == 1)
            assert_true(test_net_rx_count(tn, d) > 0);
        test_net_free(tn);
    }
    assert_memory_equal(pattern[0]->data, pattern[1]->data, n);
    g_array_free(pattern[0], TRUE);
    g_array_free(pattern[1], TRUE);
}

/* Counts of an effect applied with probability @ppm to 20,000 packets stay
 * within 5 standard deviations. */
static void
assert_binomial(guint64 got, guint32 n, guint32 ppm)
{
    double q = ppm / 1e6, mean = n * q, sd = sqrt(n * q * (1 - q));

    print_message("%" G_GUINT64_FORMAT " of %u at %u ppm (mean %.0f, sd %.1f)\n", got, n, ppm, mean,
                  sd);
    assert_true(fabs((double)got - mean) <= 5 * sd);
}

/* Duplication delivers a second copy sharing the payload; the rate of
 * duplicates is right. */
static void
test_link_duplication(void **state)
{
    SimLinkParams p;
    SimLinkStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;

    (void)state;
    sim_link_params_init(&p);
    p.dup_ppm = SIM_PPM_ONE;
    p.latency_ns = SIM_MSEC;
    tn = pair_new(3, &p, &a, &b, &l);
    send_raw(tn, a, 7, 100);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 2);
    assert_int_equal(test_net_rx(tn, 0)->pkt->flow_id, 7);
    assert_int_equal(test_net_rx(tn, 1)->pkt->flow_id, 7);
    assert_ptr_equal(test_net_rx(tn, 0)->pkt->payload, test_net_rx(tn, 1)->pkt->payload);
    assert_int_not_equal(test_net_rx(tn, 0)->pkt->uid, test_net_rx(tn, 1)->pkt->uid);
    assert_int_equal(test_net_trace_count(tn, "(dup)"), 1);
    test_net_free(tn);

    p.dup_ppm = 100000;
    tn = pair_new_quiet(3, &p, &a, &b, &l);
    for (guint32 i = 0; i < 20000; i++)
        send_raw(tn, a, i, 0);
    sim_world_run(tn->world);
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(tn->rx_total, 20000 + st.duplicated);
    assert_binomial(st.duplicated, 20000, p.dup_ppm);
    test_net_free(tn);
}

/* Reordering holds the chosen packets back by exactly reorder_delay_ns, so
 * later packets overtake them. */
static void
test_link_reorder(void **state)
{
    SimLinkParams p;
    SimLinkStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;
    guint64 late = 0, overtaken = 0;

    (void)state;
    sim_link_params_init(&p);
    p.latency_ns = SIM_MSEC;
    p.rate_bps = 1000000000;
    p.reorder_ppm = 200000;
    p.reorder_delay_ns = 50 * SIM_USEC;
    tn = pair_new(4, &p, &a, &b, &l);
    for (guint32 i = 0; i < 20000; i++) {
        send_raw(tn, a, i, 105); /* 1 us each at 1 Gbit/s */
        test_net_run_until(tn, sim_world_now(tn->world) + 10 * SIM_USEC);
    }
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 20000);
    for (guint k = 0; k < tn->rx->len; k++) {
        const TestRx *rx = test_net_rx(tn, k);
        SimTime sent = (SimTime)rx->pkt->flow_id * 10 * SIM_USEC;
        SimTime delay = rx->time - sent;

        assert_true(delay == SIM_MSEC + 1000 || delay == SIM_MSEC + 1000 + 50 * SIM_USEC);
        late += delay != SIM_MSEC + 1000;
        if (k > 0 && rx->pkt->flow_id < test_net_rx(tn, k - 1)->pkt->flow_id)
            overtaken++;
    }
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(st.reordered, late);
    assert_true(overtaken > 0);
    assert_binomial(late, 20000, p.reorder_ppm);
    test_net_free(tn);
}

/* Corrupted packets cross the link and are dropped by the receiver. */
static void
test_link_corruption(void **state)
{
    SimLinkParams p;
    SimLinkStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;

    (void)state;
    sim_link_params_init(&p);
    p.corrupt_ppm = SIM_PPM_ONE;
    p.latency_ns = 2 * SIM_MSEC;
    tn = pair_new(5, &p, &a, &b, &l);
    send_raw(tn, a, 1, 10);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 0);
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(st.corrupt_drops, 1);
    assert_int_equal(st.delivered_packets, 0);
    /* Dropped at the far end, when it arrives. */
    assert_int_equal(test_net_trace_count(tn, "   0.002000000 a        x b        DROP corrupt"),
                     1);
    test_net_free(tn);

    p.corrupt_ppm = 50000;
    tn = pair_new_quiet(5, &p, &a, &b, &l);
    for (guint32 i = 0; i < 20000; i++)
        send_raw(tn, a, i, 0);
    sim_world_run(tn->world);
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(tn->rx_total + st.corrupt_drops, 20000);
    assert_binomial(st.corrupt_drops, 20000, p.corrupt_ppm);
    test_net_free(tn);
}

/* Jitter adds a delay uniform in [0, jitter]: never outside the bounds, and
 * spread over them. */
static void
test_link_jitter_bounds(void **state)
{
    SimLinkParams p;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;
    SimTime lo = G_MAXUINT64, hi = 0;
    double sum = 0;
    const guint32 n = 20000;

    (void)state;
    sim_link_params_init(&p);
    p.latency_ns = 10 * SIM_MSEC;
    p.jitter_ns = SIM_MSEC;
    tn = pair_new_quiet(6, &p, &a, &b, &l);
    tn->keep_rx = true;
    for (guint32 i = 0; i < n; i++)
        send_raw(tn, a, i, 0); /* all sent at time 0 */
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, n);
    for (guint k = 0; k < n; k++) {
        SimTime t = test_net_rx(tn, k)->time;

        assert_true(t >= 10 * SIM_MSEC && t <= 11 * SIM_MSEC);
        lo = MIN(lo, t);
        hi = MAX(hi, t);
        sum += (double)(t - 10 * SIM_MSEC);
    }
    assert_true(lo < 10 * SIM_MSEC + 1000);
    assert_true(hi > 11 * SIM_MSEC - 1000);
    /* Mean of U[0, 1 ms]: 0.5 ms, sd of the mean 1 ms / sqrt(12 n). */
    assert_true(fabs(sum / n - 500000.0) <= 5 * 1e6 / sqrt(12.0 * n));
    test_net_free(tn);
}

/* Packets in flight when a direction goes down are lost on arrival, even if
 * the link is back up by then; sending onto a down link drops at once. */
static void
test_link_down_drops_in_flight(void **state)
{
    SimLinkParams p;
    SimLinkStats st;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;

    (void)state;
    sim_link_params_init(&p);
    p.latency_ns = 10 * SIM_MSEC;
    p.rate_bps = 1000000;
    tn = pair_new(8, &p, &a, &b, &l);
    for (guint32 i = 0; i < 3; i++)
        send_raw(tn, a, i, 100);
    test_net_run_until(tn, 5 * SIM_MSEC);
    assert_int_equal(sim_link_set_up(tn->world, l, SIM_DIR_AB, false), SIM_OK);
    test_net_run_until(tn, 6 * SIM_MSEC);
    assert_int_equal(sim_link_set_up(tn->world, l, SIM_DIR_AB, true), SIM_OK);
    /* Sent after it came back: this one arrives. */
    send_raw(tn, a, 3, 100);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 1);
    assert_int_equal(test_net_rx(tn, 0)->pkt->flow_id, 3);
    /* Sent at 6 ms with an idle transmitter: 0.96 ms + 10 ms. */
    assert_int_equal(test_net_rx(tn, 0)->time, 6 * SIM_MSEC + 960 * SIM_USEC + 10 * SIM_MSEC);
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(st.down_drops, 3);
    assert_int_equal(test_net_trace_count(tn, "DROP link-down"), 3);
    assert_int_equal(test_net_trace_count(tn, "LINK down"), 1);
    assert_int_equal(test_net_trace_count(tn, "LINK up"), 1);

    /* While it is down, a send is accepted by the network and dropped on
     * the link (a cut cable: no route avoids it). */
    assert_int_equal(sim_link_set_up(tn->world, l, SIM_DIR_BOTH, false), SIM_OK);
    send_raw(tn, a, 4, 100);
    assert_int_equal(sim_link_get_stats(tn->world, l, SIM_DIR_AB, &st), SIM_OK);
    assert_int_equal(st.down_drops, 4);
    assert_int_equal(test_net_trace_count(tn, "DROP link-down"), 4);
    test_net_free(tn);
}

/* Parameter changes take effect at their scheduled time and are traced. */
static void
test_link_scheduled_params(void **state)
{
    SimLinkParams p, q, got;
    SimNodeId a, b;
    SimLinkId l;
    TestNet *tn;

    (void)state;
    sim_link_params_init(&p);
    p.latency_ns = SIM_MSEC;
    tn = pair_new(9, &p, &a, &b, &l);
    q = p;
    q.latency_ns = 3 * SIM_MSEC;
    q.loss_ppm = 1000;
    assert_int_not_equal(sim_link_schedule_params(tn->world, 10 * SIM_MSEC, l, SIM_DIR_AB, &q),
                         SIM_EVENT_ID_NONE);
    send_raw(tn, a, 0, 0);
    test_net_run_until(tn, 20 * SIM_MSEC);
    send_raw(tn, a, 1, 0);
    sim_world_run(tn->world);
    assert_int_equal(tn->rx->len, 2);
    assert_int_equal(test_net_rx(tn, 0)->time, SIM_MSEC);
    assert_int_equal(test_net_rx(tn, 1)->time, 23 * SIM_MSEC);
    assert_int_equal(sim_link_get_params(tn->world, l, SIM_DIR_AB, &got), SIM_OK);
    assert_int_equal(got.latency_ns, 3 * SIM_MSEC);
    assert_int_equal(sim_link_get_params(tn->world, l, SIM_DIR_BA, &got), SIM_OK);
    assert_int_equal(got.latency_ns, SIM_MSEC);
    assert_int_equal(test_net_trace_count(
                         tn, "   0.010000000 a        * b        LINK latency=3ms loss=1000ppm"),
                     1);
    /* Invalid parameters are refused. */
    q.mtu = 20;
    assert_int_equal(sim_link_set_params(tn->world, l, SIM_DIR_AB, &q), SIM_E_INVAL);
    q.mtu = 1500;
    q.loss_ppm = SIM_PPM_ONE + 1;
    assert_int_equal(sim_link_set_params(tn->world, l, SIM_DIR_AB, &q), SIM_E_INVAL);
    assert_int_equal(sim_link_add(tn->world, a, a, NULL, NULL), SIM_ID_NONE);
    test_net_free(tn);
}

/* Lookups: ids in creation order, either end order, both ends. */
static void
test_link_lookup(void **state)
{
    TestNet *tn = test_net_new(1);
    SimNodeId a, b, c;
    SimLinkId l1, l2, l3;

    (void)state;
    a = test_net_node(tn, "a", SIM_NODE_HOST, NULL, 0);
    b = test_net_node(tn, "b", SIM_NODE_ROUTER, NULL, 0);
    c = test_net_node(tn, "c", SIM_NODE_HOST, NULL, 0);
    l1 = test_net_link_lat(tn, a, b, 0);
    l2 = test_net_link_lat(tn, c, b, 0);
    l3 = test_net_link_lat(tn, b, a, 0);
    assert_int_equal(l1, 1);
    assert_int_equal(l2, 2);
    assert_int_equal(l3, 3);
    assert_int_equal(sim_world_link_count(tn->world), 3);
    assert_int_equal(sim_link_lookup(tn->world, b, a), l1);
    assert_int_equal(sim_link_lookup(tn->world, b, c), l2);
    assert_int_equal(sim_link_lookup(tn->world, a, c), SIM_ID_NONE);
    assert_int_equal(sim_link_node(tn->world, l2, SIM_DIR_AB), c);
    assert_int_equal(sim_link_node(tn->world, l2, SIM_DIR_BA), b);
    test_net_free(tn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_serialisation_delay_exact),
        cmocka_unit_test(test_link_queue_overflow_packets),
        cmocka_unit_test(test_link_queue_overflow_bytes),
        cmocka_unit_test(test_link_bernoulli_loss_bounds),
        cmocka_unit_test(test_link_gilbert_elliott_burst_length),
        cmocka_unit_test(test_link_stream_independence),
        cmocka_unit_test(test_link_duplication),
        cmocka_unit_test(test_link_reorder),
        cmocka_unit_test(test_link_corruption),
        cmocka_unit_test(test_link_jitter_bounds),
        cmocka_unit_test(test_link_down_drops_in_flight),
        cmocka_unit_test(test_link_scheduled_params),
        cmocka_unit_test(test_link_lookup),
    };
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("link", tests, NULL, NULL);
}
