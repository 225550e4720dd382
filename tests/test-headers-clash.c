/* SPDX-License-Identifier: MIT
 * test-headers-clash: the Windows-compatible headers (spi/wspsim/) next to
 * the C library's.  glibc's <sys/types.h>/<sys/select.h> define a 64-bit
 * u_long, a bitmap fd_set with FD_* macros and a timeval of two 64-bit
 * fields; a Winsock translation unit must see the Windows layouts instead
 * (REFERENCE 0, 1.8, 1.15) whatever the include order and feature macros.
 * This unit (A) includes the C library first; units B, C and D use other
 * orders and feature sets and report what they saw. */
#include <stdlib.h>
#include <stdio.h>
#include <sys/time.h>

#include <wspsim/winsock2.h>
#include <wspsim/ws2spi.h>

#include <string.h>
#if defined(__has_include)
#if __has_include(<glib.h>)
#include <glib.h>
#endif
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test-headers-clash.h"

#if defined(_SYS_SOCKET_H) || defined(_NETINET_IN_H) || defined(_ARPA_INET_H)
#error "a C library socket header was pulled in"
#endif

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static void
clash_report_a(ClashReport *out)
{
    memset(out, 0, sizeof(*out));
    out->unit = "A: stdlib/stdio/sys/time first, then wspsim, string, glib, cmocka";
    out->timeval_size = sizeof(struct timeval);
    out->tv_sec_size = sizeof(((struct timeval *)0)->tv_sec);
    out->u_long_size = sizeof(u_long);
    out->fd_set_size = sizeof(fd_set);
    out->fd_setsize = FD_SETSIZE;
    out->fd_array_offset = offsetof(fd_set, fd_array);
    out->posix_timeval_size = sizeof(wspsim_posix_timeval);
    out->wsabuf_size = sizeof(WSABUF);
    out->proc_table_size = sizeof(WSPPROC_TABLE);
    out->protocol_info_size = sizeof(WSAPROTOCOL_INFOW);
}

typedef struct {
    void (*report)(ClashReport *out);
    size_t want_fd_setsize;
    bool has_proc_table;
} UnitCase;

static void
test_headers_clash_units(void **state)
{
    static const UnitCase units[] = {
        {clash_report_a, 64, true},
        {clash_report_b, 64, true},
        {clash_report_c, 16, false},  /* FD_SETSIZE defined before any include */
        {clash_report_d, 128, true},  /* WSPSIM_FD_SETSIZE */
    };
    const size_t ptr = sizeof(void *);

    (void)state;
    for (size_t i = 0; i < N_ELEMENTS(units); i++) {
        ClashReport r;

        units[i].report(&r);
        print_message("unit %s\n", r.unit);
        assert_int_equal(r.timeval_size, 8);
        assert_int_equal(r.tv_sec_size, 4);
        assert_int_equal(r.u_long_size, 4);
        assert_int_equal(r.fd_setsize, units[i].want_fd_setsize);
        assert_int_equal(r.fd_array_offset, ptr);
        assert_int_equal(r.fd_set_size, ptr + units[i].want_fd_setsize * ptr);
        assert_int_equal(r.posix_timeval_size, 2 * sizeof(long));
        assert_int_equal(r.wsabuf_size, 2 * ptr);
        assert_int_equal(r.proc_table_size, units[i].has_proc_table ? 30 * ptr : 0);
        assert_int_equal(r.protocol_info_size, 628);
        assert_int_equal(r.socket_headers_seen, 0);
    }
}

/* REFERENCE 1.15: fd_set with FD_SETSIZE 64 is 520 bytes on Win64. */
static void
test_headers_clash_sizes(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct timeval), 8);
    assert_int_equal(sizeof(TIMEVAL), 8);
    assert_int_equal(sizeof(u_long), 4);
    assert_int_equal(FD_SETSIZE, 64);
    assert_int_equal(sizeof(fd_set), sizeof(void *) == 8 ? 8 + 64 * 8 : 4 + 64 * 4);
}

/* One fd_set built here and read by unit B, which included things in the
 * opposite order: both must agree on the Winsock layout. */
static void
test_headers_clash_cross_unit(void **state)
{
    fd_set set;

    (void)state;
    FD_ZERO(&set);
    FD_SET(0x1234, &set);
    FD_SET(INVALID_SOCKET - 1, &set);
    assert_int_equal(clash_b_fd_count(&set), 2);
    assert_true(clash_b_fd_get(&set, 0) == 0x1234);
    assert_true(clash_b_fd_get(&set, 1) == (uintptr_t)(INVALID_SOCKET - 1));
}

/* The C library's own select() and timeval stay usable under their
 * wspsim_posix_ names in a Winsock translation unit. */
static void
test_headers_clash_posix_api(void **state)
{
    wspsim_posix_timeval ptv = {.tv_sec = 3, .tv_usec = 4};
    struct timeval wtv = {.tv_sec = 3, .tv_usec = 4};
    int select_ok = __builtin_types_compatible_p(
        __typeof__(&wspsim_posix_select),
        int (*)(int, wspsim_posix_fd_set *, wspsim_posix_fd_set *, wspsim_posix_fd_set *,
                wspsim_posix_timeval *));

    (void)state;
    assert_true(select_ok);
    assert_int_equal(sizeof(ptv.tv_sec), sizeof(long));
    assert_true(timerisset(&ptv) && timerisset(&wtv));
    timerclear(&ptv);
    timerclear(&wtv);
    assert_false(timerisset(&ptv) || timerisset(&wtv));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_clash_sizes),
        cmocka_unit_test(test_headers_clash_units),
        cmocka_unit_test(test_headers_clash_cross_unit),
        cmocka_unit_test(test_headers_clash_posix_api),
    };

    return cmocka_run_group_tests_name("headers-clash", tests, NULL, NULL);
}
