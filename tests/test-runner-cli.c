/* SPDX-License-Identifier: MIT
 *
 * test-runner-cli.c: the wspsim command, called in-process through
 * wspsim_cli_main(): every subcommand and option, the exit statuses (0 all
 * held, 1 a failure, 2 bad input or usage) and the messages CI reads.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <cmocka.h>

#include "runner/scenario.h"

#define FLAGSHIP SRCDIR "/scenarios/classroom/01-select-after-shutdown.wsim"
#define FAILING SRCDIR "/scenarios/runner/expect-fail.wsim"
#define DEADLOCK SRCDIR "/scenarios/runner/deadlock.wsim"
#define BAD SRCDIR "/scenarios/errors/unknown-constant.wsim"

typedef struct {
    int status;
    char *out, *err;
} CliRun;

static CliRun
cli(const char *first, ...)
{
    GPtrArray *argv = g_ptr_array_new();
    CliRun r = { 0 };
    size_t out_len = 0, err_len = 0;
    FILE *out = open_memstream(&r.out, &out_len);
    FILE *err = open_memstream(&r.err, &err_len);
    va_list ap;

    g_ptr_array_add(argv, "wspsim");
    va_start(ap, first);
    for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
        g_ptr_array_add(argv, (gpointer) a);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    r.status = wspsim_cli_main((int) argv->len - 1, (char **) argv->pdata, out, err);
    fclose(out);
    fclose(err);
    g_ptr_array_unref(argv);
    return r;
}

static void
cli_clear(CliRun *r)
{
    free(r->out);
    free(r->err);
}

static void
assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("expected to find\n  %s\nin\n%s", needle, hay);
}

static void
test_runner_cli_usage(void **state)
{
    CliRun r;

    (void) state;
    r = cli(NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "usage: wspsim run");
    cli_clear(&r);
    r = cli("--help", NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "wspsim sweep FILE --seeds A..B");
    cli_clear(&r);
    r = cli("frobnicate", NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "wspsim: unknown command 'frobnicate'");
    cli_clear(&r);
    r = cli("run", "--bogus", FLAGSHIP, NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "unknown option '--bogus'");
    cli_clear(&r);
    r = cli("run", NULL);
    assert_int_equal(r.status, 2);
    cli_clear(&r);
    r = cli("run", "--seed", "x", FLAGSHIP, NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "--seed takes a non-negative integer");
    cli_clear(&r);
    r = cli("run", FLAGSHIP, "--seed", NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "--seed needs a value");
    cli_clear(&r);
}

static void
test_runner_cli_run_ok(void **state)
{
    CliRun r;

    (void) state;
    r = cli("run", FLAGSHIP, NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "ok " FLAGSHIP " (seed 7, t=");
    assert_contains(r.out, "\nfingerprint 0x");
    assert_string_equal(r.err, "");
    cli_clear(&r);
    /* --quiet keeps only the fingerprint */
    r = cli("run", "--quiet", FLAGSHIP, NULL);
    assert_int_equal(r.status, 0);
    assert_true(g_str_has_prefix(r.out, "fingerprint 0x"));
    cli_clear(&r);
    /* --seed overrides the file's seed */
    r = cli("run", "--seed", "8", FLAGSHIP, NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "(seed 8, ");
    cli_clear(&r);
}

static void
test_runner_cli_run_fail(void **state)
{
    CliRun r;

    (void) state;
    r = cli("run", FAILING, NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, FAILING ":15: WSPRecv(c, 100) expected \"hello\", got \"goodbye\" "
                                   "(t=0.003000000, seed=9)\n");
    assert_contains(r.out, "FAIL " FAILING);
    assert_contains(r.out, "fingerprint 0x");
    cli_clear(&r);
    r = cli("run", DEADLOCK, NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "deadlock.wsim:15: deadlock: b.server blocked in WSPRecv(c, 100)");
    assert_contains(r.err, "deadlock.wsim:20: deadlock: a.client blocked in WSPRecv(s, 100)");
    cli_clear(&r);
    /* several files: the worst status wins, every file runs */
    r = cli("run", "--quiet", FLAGSHIP, FAILING, NULL);
    assert_int_equal(r.status, 1);
    cli_clear(&r);
}

static void
test_runner_cli_bad_input(void **state)
{
    CliRun r;

    (void) state;
    r = cli("run", BAD, NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "unknown-constant.wsim:6:19: unknown constant 'AF_INETT'\n");
    cli_clear(&r);
    r = cli("run", "/nonexistent/missing.wsim", NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "/nonexistent/missing.wsim:1:1: ");
    cli_clear(&r);
    r = cli("check", SRCDIR "/scenarios/errors/binary.wsim", NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "binary.wsim:3:1: binary file");
    cli_clear(&r);
    /* bad input beats a failure */
    r = cli("run", "--quiet", FAILING, BAD, NULL);
    assert_int_equal(r.status, 2);
    cli_clear(&r);
}

static void
test_runner_cli_check(void **state)
{
    CliRun r;

    (void) state;
    r = cli("check", FLAGSHIP, FAILING, NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "ok " FLAGSHIP " (2 hosts, 2 threads, ");
    cli_clear(&r);
    r = cli("check", FLAGSHIP, BAD, NULL);
    assert_int_equal(r.status, 2);
    cli_clear(&r);
}

static void
test_runner_cli_trace(void **state)
{
    g_autofree char *path = g_build_filename(g_get_tmp_dir(), "wspsim-cli-trace.txt", NULL);
    g_autofree char *a = NULL, *b = NULL;
    CliRun r;

    (void) state;
    r = cli("run", "--quiet", "--trace", path, FLAGSHIP, NULL);
    assert_int_equal(r.status, 0);
    cli_clear(&r);
    assert_true(g_file_get_contents(path, &a, NULL, NULL));
    assert_contains(a, "CALL");
    assert_contains(a, "\"hello\"");
    r = cli("run", "--quiet", "--trace", "-", FLAGSHIP, NULL);
    assert_int_equal(r.status, 0);
    /* stdout: the trace, then the fingerprint */
    assert_true(g_str_has_prefix(r.out, a));
    assert_contains(r.out + strlen(a), "fingerprint 0x");
    cli_clear(&r);
    r = cli("run", "--quiet", "--trace", path, FLAGSHIP, NULL);
    cli_clear(&r);
    assert_true(g_file_get_contents(path, &b, NULL, NULL));
    assert_string_equal(a, b); /* same file, same seed: same bytes */
    r = cli("run", "--trace", "/nonexistent/dir/t.txt", FLAGSHIP, NULL);
    assert_int_equal(r.status, 2);
    cli_clear(&r);
    unlink(path);
}

static void
test_runner_cli_determinism(void **state)
{
    CliRun r;

    (void) state;
    r = cli("run", "--check-determinism", FLAGSHIP, NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "determinism: ok (");
    cli_clear(&r);
}

static void
test_runner_cli_sweep(void **state)
{
    CliRun r;

    (void) state;
    r = cli("sweep", FLAGSHIP, "--seeds", "1..6", NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "6 seeds, 6 passed, 0 failed");
    cli_clear(&r);
    r = cli("sweep", FLAGSHIP, "--seeds", "1..6", "--shard", "2/3", "-j", "2", NULL);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "2 seeds, 2 passed, 0 failed");
    cli_clear(&r);
    r = cli("sweep", FAILING, "--seeds", "10..12", "-j", "3", NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.out, "seed 10: FAIL\nseed 11: FAIL\nseed 12: FAIL\n");
    assert_contains(r.out, "replay: wspsim run --seed 11 " FAILING "\n");
    assert_contains(r.err, "(t=0.003000000, seed=12)");
    cli_clear(&r);
    r = cli("sweep", FLAGSHIP, "--seeds", "5..1", NULL);
    assert_int_equal(r.status, 2);
    cli_clear(&r);
    r = cli("sweep", FLAGSHIP, "--seeds", "1..2", "--shard", "3/2", NULL);
    assert_int_equal(r.status, 2);
    cli_clear(&r);
}

static void
test_runner_cli_outputs(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("wspsim-cli-XXXXXX", NULL);
    g_autofree char *jsonl = g_build_filename(dir, "t.jsonl", NULL);
    g_autofree char *pcap = g_build_filename(dir, "t.pcap", NULL);
    g_autofree char *msc = g_build_filename(dir, "t.svg", NULL);
    CliRun r;

    (void) state;
    r = cli("run", "--stats", "--jsonl", jsonl, "--pcap", pcap, "--msc", msc, FLAGSHIP, NULL);
    assert_int_equal(r.status, 0);
    assert_true(g_file_test(jsonl, G_FILE_TEST_EXISTS));
    assert_true(g_file_test(pcap, G_FILE_TEST_EXISTS));
    assert_true(g_file_test(msc, G_FILE_TEST_EXISTS));
    cli_clear(&r);
    r = cli("run", "--pcap", pcap, FLAGSHIP, FAILING, NULL);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "take a single scenario FILE");
    cli_clear(&r);
    unlink(jsonl);
    unlink(pcap);
    unlink(msc);
    g_rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runner_cli_usage),       cmocka_unit_test(test_runner_cli_run_ok),
        cmocka_unit_test(test_runner_cli_run_fail),    cmocka_unit_test(test_runner_cli_bad_input),
        cmocka_unit_test(test_runner_cli_check),       cmocka_unit_test(test_runner_cli_trace),
        cmocka_unit_test(test_runner_cli_determinism), cmocka_unit_test(test_runner_cli_sweep),
        cmocka_unit_test(test_runner_cli_outputs),
    };

    return cmocka_run_group_tests_name("runner-cli", tests, NULL, NULL);
}
