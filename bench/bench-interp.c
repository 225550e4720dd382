/* SPDX-License-Identifier: MIT
 *
 * bench-interp: the scenario interpreter's own speed.  A script of
 * 1,000,000 non-blocking calls in a loop (WSPIoctl FIONREAD on a datagram
 * socket, each with an expectation), run as `wspsim run` would run it
 * (fingerprint on, no text trace).  Prints
 *   BENCH interp <n> statements/s
 * and the same with tracing off (no fingerprint: the WSP call trace is not
 * even formatted), which is the interpreter's own ceiling:
 *   BENCH interp-notrace <n> statements/s
 * Target: >= 1,000,000 statements/s.  Wall-clock time is read here only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/scenario.h"

static const char script[] = "seed 1\n"
                             "host a 10.0.0.1\n"
                             /* the loop never lets time advance: past the
                              * busy-poll guard's default on purpose */
                             "run poll limit 1000000000000\n"
                             "thread a.main:\n"
                             "    s = WSPSocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)\n"
                             "    repeat %u:\n"
                             "        WSPIoctl(s, FIONREAD) -> 0\n"
                             "    WSPCloseSocket(s)\n";

static int
bench(const WspsimScript *s, const char *name, bool trace)
{
    g_autoptr(GError) e = NULL;
    WspsimRunOptions o = { 0 };
    WspsimRunResult r = { 0 };
    gint64 t0, t1;

    o.no_fingerprint = !trace;
    t0 = g_get_monotonic_time();
    if (!wspsim_script_run(s, &o, &r, &e)) {
        fprintf(stderr, "bench-interp: %s\n", e->message);
        return 1;
    }
    t1 = g_get_monotonic_time();
    if (!r.ok) {
        fprintf(stderr, "bench-interp: the script failed:\n%s", r.failures->str);
        return 1;
    }
    printf("BENCH %s %.0f statements/s\n", name,
           (double) r.statements / ((double) (t1 - t0) / 1e6));
    wspsim_run_result_clear(&r);
    return 0;
}

int
main(int argc, char **argv)
{
    guint n = argc > 1 ? (guint) strtoul(argv[1], NULL, 10) : 1000000u;
    g_autofree char *text = g_strdup_printf(script, n);
    g_autoptr(GError) e = NULL;
    g_autoptr(WspsimScript) s = wspsim_script_parse("bench.wsim", text, strlen(text), &e);

    if (s == NULL) {
        fprintf(stderr, "bench-interp: %s\n", e->message);
        return 1;
    }
    if (bench(s, "interp", true) != 0 || bench(s, "interp-notrace", false) != 0)
        return 1;
    return 0;
}
