/* SPDX-License-Identifier: MIT
 * test-types: status names and address parsing/formatting. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sim/sim.h"

static void
test_types_every_status_has_names(void **state)
{
    (void) state;
    size_t n;
    const SimStatus *all = sim_status_all(&n);

    assert_true(n >= 20);
    assert_int_equal(all[0], SIM_OK);
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(sim_status_name(all[i]), "E_UNKNOWN");
        assert_true(strlen(sim_status_text(all[i])) > 0);
        if (i > 0)
            assert_true(all[i] < 0);
        for (size_t j = 0; j < i; j++)
            assert_true(all[i] != all[j]);
    }
    assert_string_equal(sim_status_name(SIM_E_TIMEDOUT), "E_TIMEDOUT");
    assert_string_equal(sim_status_name((SimStatus) -999), "E_UNKNOWN");
}

typedef struct {
    const char *text;
    bool ok;
    guint8 family;
    guint16 port;
    const char *canonical;
} SockCase;

static const SockCase sock_cases[] = {
    { "10.0.0.2:80", true, SIM_AF_INET, 80, "10.0.0.2:80" },
    { "10.0.0.2", true, SIM_AF_INET, 0, "10.0.0.2:0" },
    { "[fe80::1]:8080", true, SIM_AF_INET6, 8080, "[fe80::1]:8080" },
    { "[::1]", true, SIM_AF_INET6, 0, "[::1]:0" },
    { "::1", true, SIM_AF_INET6, 0, "[::1]:0" },
    { "0.0.0.0:65535", true, SIM_AF_INET, 65535, "0.0.0.0:65535" },
    { "10.0.0.2:65536", false, 0, 0, NULL },
    { "10.0.0.2:", false, 0, 0, NULL },
    { "10.0.0.2:x", false, 0, 0, NULL },
    { "10.0.0.256:1", false, 0, 0, NULL },
    { "[fe80::1", false, 0, 0, NULL },
    { "[10.0.0.1]:5", false, 0, 0, NULL },
    { "", false, 0, 0, NULL },
    { "host:80", false, 0, 0, NULL },
    { "[fe80::1]x", false, 0, 0, NULL },
};

static void
test_types_sockaddr_parse(void **state)
{
    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(sock_cases); i++) {
        const SockCase *c = &sock_cases[i];
        SimSockAddr sa;
        char buf[SIM_SOCKADDR_STRLEN];

        print_message("case %s\n", c->text);
        assert_int_equal(sim_sockaddr_parse(c->text, &sa), c->ok);
        if (!c->ok)
            continue;
        assert_int_equal(sa.addr.family, c->family);
        assert_int_equal(sa.port, c->port);
        assert_string_equal(sim_sockaddr_to_string(&sa, buf), c->canonical);
    }
    assert_false(sim_sockaddr_parse(NULL, NULL));
}

static void
test_types_addr_predicates(void **state)
{
    (void) state;
    SimAddr a, b;

    assert_true(sim_addr_parse("127.0.0.5", &a));
    assert_true(sim_addr_is_loopback(&a));
    assert_true(sim_addr_parse("::1", &a));
    assert_true(sim_addr_is_loopback(&a));
    assert_true(sim_addr_parse("224.1.2.3", &a));
    assert_true(sim_addr_is_multicast(&a));
    assert_true(sim_addr_parse("ff02::1", &a));
    assert_true(sim_addr_is_multicast(&a));
    assert_true(sim_addr_parse("255.255.255.255", &a));
    assert_true(sim_addr_is_broadcast(&a));
    a = sim_addr_any(SIM_AF_INET6);
    assert_true(sim_addr_is_any(&a));
    a = sim_addr_v4(10, 0, 0, 1);
    assert_true(sim_addr_parse("10.0.0.1", &b));
    assert_true(sim_addr_equal(&a, &b));
    assert_int_equal(sim_addr_hash(&a), sim_addr_hash(&b));
    assert_int_equal(sim_addr_v4_u32(&a), 0x0a000001u);
    assert_false(sim_addr_is_any(&a));
    assert_false(sim_addr_is_multicast(&a));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_every_status_has_names),
        cmocka_unit_test(test_types_sockaddr_parse),
        cmocka_unit_test(test_types_addr_predicates),
    };
    return cmocka_run_group_tests_name("types", tests, NULL, NULL);
}
