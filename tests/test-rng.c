/* SPDX-License-Identifier: MIT
 * test-rng: seeded streams — reproducible, independent, unbiased enough. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sim/sim.h"

static void
test_rng_same_seed_same_stream(void **state)
{
    (void) state;
    SimRng a, b;

    sim_rng_init(&a, 42, "link/a-b/ab/loss");
    sim_rng_init(&b, 42, "link/a-b/ab/loss");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(sim_rng_next(&a), sim_rng_next(&b));
}

static void
test_rng_known_values(void **state)
{
    (void) state;
    SimRng r;

    /* Golden values: a change here changes every trace ever recorded. */
    sim_rng_init(&r, 1, "golden");
    assert_int_equal(sim_rng_next(&r), 0xd99db378272fd3ecull);
    assert_int_equal(sim_rng_next(&r), 0x1cc7a7df0193d1fcull);
    assert_int_equal(sim_rng_next(&r), 0x2a1d0a5125c0c23eull);
    assert_int_equal(sim_rng_below(&r, 1000000), 880731);
}

static void
test_rng_streams_differ(void **state)
{
    (void) state;
    SimRng a, b, c;

    sim_rng_init(&a, 42, "x");
    sim_rng_init(&b, 42, "y");
    sim_rng_init(&c, 43, "x");
    int same_ab = 0, same_ac = 0;
    for (int i = 0; i < 100; i++) {
        guint64 va = sim_rng_next(&a), vb = sim_rng_next(&b), vc = sim_rng_next(&c);
        same_ab += va == vb;
        same_ac += va == vc;
    }
    assert_int_equal(same_ab, 0);
    assert_int_equal(same_ac, 0);
}

static void
test_rng_below_range_and_uniformity(void **state)
{
    (void) state;
    SimRng r;
    guint counts[10] = { 0 };
    const guint n = 100000;

    sim_rng_init(&r, 7, "uniform");
    for (guint i = 0; i < n; i++) {
        guint64 v = sim_rng_below(&r, 10);
        assert_true(v < 10);
        counts[v]++;
    }
    /* Each bucket: mean 10,000, sd ~95; allow 6 sd. */
    for (int k = 0; k < 10; k++)
        assert_true(counts[k] > 9430 && counts[k] < 10570);
    assert_int_equal(sim_rng_below(&r, 1), 0);
}

static void
test_rng_chance_ppm(void **state)
{
    (void) state;
    for (guint64 seed = 1; seed <= 4; seed++) {
        SimRng r;
        guint hits = 0;
        sim_rng_init(&r, seed, "chance");
        for (guint i = 0; i < 100000; i++)
            hits += sim_rng_chance_ppm(&r, 10000); /* 1% */
        /* mean 1000, sd ~31.5: 6 sd */
        assert_true(hits > 811 && hits < 1189);
        assert_false(sim_rng_chance_ppm(&r, 0));
        assert_true(sim_rng_chance_ppm(&r, SIM_PPM_ONE));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_same_seed_same_stream),
        cmocka_unit_test(test_rng_known_values),
        cmocka_unit_test(test_rng_streams_differ),
        cmocka_unit_test(test_rng_below_range_and_uniformity),
        cmocka_unit_test(test_rng_chance_ppm),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
