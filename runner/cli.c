/* SPDX-License-Identifier: MIT
 *
 * cli.c: the wspsim command — run, check and sweep scenario files.
 * Exit status: 0 every expectation held, 1 a failure (expectation,
 * deadlock, determinism), 2 malformed input or usage.  doc/wspsim.1.
 * The wall clock is read only for the progress line (DESIGN.md).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/scenario.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

typedef struct {
    FILE *out, *err;
    bool has_seed;
    guint64 seed;
    const char *trace, *jsonl, *pcap, *msc;
    bool stats, quiet, determinism;
    const char *seeds;
    const char *shard;
    int jobs;
    GPtrArray *files;
} Cli;

static const char usage_text[] =
    "usage: wspsim run [OPTIONS] FILE...     run scenarios, check their expectations\n"
    "       wspsim check FILE...             parse and validate only\n"
    "       wspsim sweep FILE --seeds A..B [--shard I/N] [-j N]\n"
    "options:\n"
    "  --seed N             override the scenario's seed\n"
    "  --trace FILE         text trace (- = standard output)\n"
    "  --jsonl FILE         JSON lines trace\n"
    "  --pcap FILE          packet capture (nanosecond timestamps)\n"
    "  --msc FILE.svg       message-sequence chart\n"
    "  --stats              per-link and per-connection statistics\n"
    "  --quiet              only failures and the fingerprint\n"
    "  --check-determinism  run twice, compare the traces record by record\n"
    "exit status: 0 all expectations held, 1 a failure, 2 bad input or usage\n";

static int
usage(Cli *c, const char *msg)
{
    if (msg != NULL)
        fprintf(c->err, "wspsim: %s\n", msg);
    fputs(usage_text, c->err);
    return EXIT_USAGE;
}

static bool
parse_u64(const char *s, guint64 *out)
{
    char *end = NULL;
    guint64 v;

    if (s == NULL || *s == '\0' || !g_ascii_isdigit(*s))
        return false;
    errno = 0;
    v = g_ascii_strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* Options and files, in any order. */
static int
parse_args(Cli *c, int argc, char **argv, int first)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;

#define NEEDS_VALUE()                                                                              \
    do {                                                                                           \
        if (i + 1 >= argc) {                                                                       \
            g_autofree char *m_ = g_strdup_printf("%s needs a value", a);                          \
            return usage(c, m_);                                                                   \
        }                                                                                          \
    } while (0)

        if (strcmp(a, "--seed") == 0) {
            NEEDS_VALUE();
            if (!parse_u64(argv[++i], &c->seed))
                return usage(c, "--seed takes a non-negative integer");
            c->has_seed = true;
            continue;
        }
        if (strcmp(a, "--trace") == 0)
            dst = &c->trace;
        else if (strcmp(a, "--jsonl") == 0)
            dst = &c->jsonl;
        else if (strcmp(a, "--pcap") == 0)
            dst = &c->pcap;
        else if (strcmp(a, "--msc") == 0)
            dst = &c->msc;
        else if (strcmp(a, "--seeds") == 0)
            dst = &c->seeds;
        else if (strcmp(a, "--shard") == 0)
            dst = &c->shard;
        if (dst != NULL) {
            NEEDS_VALUE();
            *dst = argv[++i];
            continue;
        }
        if (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0) {
            guint64 j;

            NEEDS_VALUE();
            if (!parse_u64(argv[++i], &j) || j < 1 || j > 1024)
                return usage(c, "-j takes a number of processes (1 to 1024)");
            c->jobs = (int) j;
            continue;
        }
        if (strcmp(a, "--stats") == 0)
            c->stats = true;
        else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
            c->quiet = true;
        else if (strcmp(a, "--check-determinism") == 0)
            c->determinism = true;
        else if (a[0] == '-' && a[1] != '\0') {
            g_autofree char *m = g_strdup_printf("unknown option '%s'", a);
            return usage(c, m);
        } else
            g_ptr_array_add(c->files, (gpointer) a);
#undef NEEDS_VALUE
    }
    return 0;
}

static void
print_error(Cli *c, const GError *e)
{
    fprintf(c->err, "%s\n", e->message);
}

/* ---- check ---------------------------------------------------------------- */

static int
cmd_check(Cli *c)
{
    int status = 0;

    if (c->files->len == 0)
        return usage(c, "check needs at least one FILE");
    for (guint i = 0; i < c->files->len; i++) {
        const char *f = g_ptr_array_index(c->files, i);
        g_autoptr(GError) e = NULL;
        g_autoptr(WspsimScript) s = wspsim_script_load(f, &e);

        if (s == NULL) {
            print_error(c, e);
            status = EXIT_USAGE;
            continue;
        }
        if (!c->quiet)
            fprintf(c->out, "ok %s (%u hosts, %u threads, %" G_GUINT64_FORMAT " statements)\n", f,
                    s->hosts->len, s->threads->len, s->n_statements);
    }
    return status;
}

/* ---- run ------------------------------------------------------------------- */

static void
format_secs(SimTime t, char buf[32])
{
    char tmp[32];
    const char *p = tmp;

    sim_trace_format_time(t, tmp);
    while (*p == ' ')
        p++;
    g_strlcpy(buf, p, 32);
}

static int
compare_runs(Cli *c, const char *file, const WspsimRunResult *a, const WspsimRunResult *b)
{
    guint n = MIN(a->lines->len, b->lines->len);

    for (guint i = 0; i < n; i++) {
        const char *x = g_ptr_array_index(a->lines, i), *y = g_ptr_array_index(b->lines, i);

        if (strcmp(x, y) != 0) {
            fprintf(
                c->err,
                "%s: not deterministic: record %u differs\n  first run:  %s\n  second run: %s\n",
                file, i + 1, x, y);
            return EXIT_FAIL;
        }
    }
    if (a->lines->len != b->lines->len || a->fingerprint != b->fingerprint) {
        fprintf(c->err, "%s: not deterministic: %u records then %u records\n", file, a->lines->len,
                b->lines->len);
        return EXIT_FAIL;
    }
    if (!c->quiet)
        fprintf(c->out, "determinism: ok (%u records identical)\n", a->lines->len);
    return 0;
}

static int
run_one(Cli *c, const char *file, FILE *trace)
{
    g_autoptr(GError) e = NULL;
    g_autoptr(WspsimScript) s = wspsim_script_load(file, &e);
    WspsimRunOptions o = { 0 };
    WspsimRunResult r = { 0 };
    char t[32];
    int status = 0;

    if (s == NULL) {
        print_error(c, e);
        return EXIT_USAGE;
    }
    o.has_seed = c->has_seed;
    o.seed = c->seed;
    o.trace = trace;
    o.keep_records = c->determinism;
    o.progress = !c->quiet && isatty(2) && trace != stderr;
    o.stats = c->stats;
    o.stats_out = c->out;
    o.jsonl_path = c->jsonl;
    o.pcap_path = c->pcap;
    o.msc_path = c->msc;
    if (!wspsim_script_run(s, &o, &r, &e)) {
        print_error(c, e);
        wspsim_run_result_clear(&r);
        return EXIT_USAGE;
    }
    if (trace != NULL)
        fflush(trace);
    fputs(r.failures->str, c->err);
    format_secs(r.end_time, t);
    if (!r.ok)
        status = EXIT_FAIL;
    if (!c->quiet || !r.ok)
        fprintf(c->out,
                "%s %s (seed %" G_GUINT64_FORMAT ", t=%s, %" G_GUINT64_FORMAT
                " records, %" G_GUINT64_FORMAT " statements)\n",
                r.ok ? "ok" : "FAIL", file, r.seed, t, r.records, r.statements);
    fprintf(c->out, "fingerprint 0x%016" G_GINT64_MODIFIER "x\n", r.fingerprint);
    if (c->determinism) {
        WspsimRunResult r2 = { 0 };

        o.trace = NULL;
        o.stats = false;
        o.jsonl_path = o.pcap_path = o.msc_path = NULL;
        o.progress = false;
        if (!wspsim_script_run(s, &o, &r2, &e)) {
            print_error(c, e);
            status = EXIT_USAGE;
        } else if (compare_runs(c, file, &r, &r2) != 0 && status == 0) {
            status = EXIT_FAIL;
        }
        wspsim_run_result_clear(&r2);
    }
    wspsim_run_result_clear(&r);
    return status;
}

static int
cmd_run(Cli *c)
{
    FILE *trace = NULL;
    int status = 0;

    if (c->files->len == 0)
        return usage(c, "run needs at least one FILE");
    if (c->files->len > 1 && (c->jsonl != NULL || c->pcap != NULL || c->msc != NULL))
        return usage(c, "--jsonl, --pcap and --msc take a single scenario FILE");
    if (c->trace != NULL) {
        if (strcmp(c->trace, "-") == 0) {
            trace = c->out;
        } else if ((trace = fopen(c->trace, "w")) == NULL) {
            fprintf(c->err, "wspsim: cannot write %s: %s\n", c->trace, g_strerror(errno));
            return EXIT_USAGE;
        }
    }
    for (guint i = 0; i < c->files->len; i++) {
        int st = run_one(c, g_ptr_array_index(c->files, i), trace);

        status = MAX(status, st);
    }
    if (trace != NULL && trace != c->out && fclose(trace) != 0) {
        fprintf(c->err, "wspsim: writing %s: %s\n", c->trace, g_strerror(errno));
        status = EXIT_USAGE;
    }
    return status;
}

/* ---- sweep ---------------------------------------------------------------------- */

typedef struct {
    guint64 seed;
    int status;     /* 0, 1 or 2 */
    char *failures; /* (nullable) */
} SeedResult;

static int
sweep_one(const WspsimScript *s, guint64 seed, char **out_failures)
{
    WspsimRunOptions o = { 0 };
    WspsimRunResult r = { 0 };
    g_autoptr(GError) e = NULL;
    int status;

    o.has_seed = true;
    o.seed = seed;
    if (!wspsim_script_run(s, &o, &r, &e)) {
        *out_failures = g_strdup_printf("%s\n", e->message);
        wspsim_run_result_clear(&r);
        return EXIT_USAGE;
    }
    status = r.ok ? 0 : EXIT_FAIL;
    *out_failures = r.ok ? NULL : g_strdup(r.failures->str);
    wspsim_run_result_clear(&r);
    return status;
}

static bool
parse_range(const char *s, guint64 *a, guint64 *b)
{
    g_auto(GStrv) parts = NULL;

    if (s == NULL || strstr(s, "..") == NULL)
        return false;
    parts = g_strsplit(s, "..", 2);
    return parse_u64(parts[0], a) && parse_u64(parts[1], b) && *a <= *b;
}

/* Children report through a pipe: status byte, then the failure text
 * (capped so that a full pipe never blocks a child the parent waits for). */
#define SWEEP_MSG_CAP 4000

static void
sweep_parallel(const WspsimScript *s, GArray *results, int jobs)
{
    guint next = 0, done = 0;
    GHashTable *running = g_hash_table_new(g_direct_hash, g_direct_equal);
    int *fds = g_new(int, results->len);

    while (done < results->len) {
        while (next < results->len && g_hash_table_size(running) < (guint) jobs) {
            SeedResult *sr = &g_array_index(results, SeedResult, next);
            int p[2];
            pid_t pid;

            if (pipe(p) != 0) {
                sr->status = EXIT_USAGE;
                sr->failures = g_strdup_printf("pipe: %s\n", g_strerror(errno));
                next++;
                done++;
                continue;
            }
            fflush(NULL);
            pid = fork();
            if (pid == 0) {
                char *msg = NULL;
                char st;
                size_t len;

                close(p[0]);
                st = (char) sweep_one(s, sr->seed, &msg);
                len = msg != NULL ? MIN(strlen(msg), (size_t) SWEEP_MSG_CAP) : 0;
                if (write(p[1], &st, 1) != 1 || (len > 0 && write(p[1], msg, len) < 0))
                    _exit(3);
                _exit(0);
            }
            close(p[1]);
            if (pid < 0) {
                close(p[0]);
                sr->status = EXIT_USAGE;
                sr->failures = g_strdup_printf("fork: %s\n", g_strerror(errno));
                next++;
                done++;
                continue;
            }
            fds[next] = p[0];
            g_hash_table_insert(running, GINT_TO_POINTER(pid), GUINT_TO_POINTER(next + 1));
            next++;
        }
        if (g_hash_table_size(running) == 0)
            continue;
        int wst;
        pid_t pid = waitpid(-1, &wst, 0);
        gpointer v;

        if (pid < 0)
            break;
        v = g_hash_table_lookup(running, GINT_TO_POINTER(pid));
        if (v == NULL)
            continue;
        g_hash_table_remove(running, GINT_TO_POINTER(pid));
        {
            guint idx = GPOINTER_TO_UINT(v) - 1;
            SeedResult *sr = &g_array_index(results, SeedResult, idx);
            GString *buf = g_string_new(NULL);
            char chunk[1024];
            ssize_t n;

            while ((n = read(fds[idx], chunk, sizeof chunk)) > 0)
                g_string_append_len(buf, chunk, n);
            close(fds[idx]);
            if (buf->len == 0 || !WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
                sr->status = EXIT_FAIL;
                sr->failures = g_strdup_printf("the run crashed (wait status %d)\n", wst);
                g_string_free(buf, TRUE);
            } else {
                sr->status = buf->str[0];
                sr->failures = buf->len > 1 ? g_strdup(buf->str + 1) : NULL;
                g_string_free(buf, TRUE);
            }
            done++;
        }
    }
    g_hash_table_unref(running);
    g_free(fds);
}

static int
cmd_sweep(Cli *c)
{
    guint64 a, b, shard_i = 1, shard_n = 1;
    g_autoptr(GError) e = NULL;
    g_autoptr(WspsimScript) s = NULL;
    g_autoptr(GArray) results = g_array_new(FALSE, TRUE, sizeof(SeedResult));
    const char *file;
    guint failed = 0, passed = 0;
    int status = 0;
    gint64 wall = g_get_monotonic_time(), last = wall;
    bool progress = !c->quiet && isatty(2);

    if (c->files->len != 1)
        return usage(c, "sweep takes exactly one FILE");
    if (!parse_range(c->seeds, &a, &b))
        return usage(c, "sweep needs --seeds A..B (A <= B)");
    if (b - a >= 100000000)
        return usage(c, "--seeds: at most 100000000 seeds");
    if (c->shard != NULL) {
        g_auto(GStrv) parts = g_strsplit(c->shard, "/", 2);

        if (!parse_u64(parts[0], &shard_i) || parts[1] == NULL || !parse_u64(parts[1], &shard_n) ||
            shard_n < 1 || shard_i < 1 || shard_i > shard_n)
            return usage(c, "--shard takes I/N with 1 <= I <= N");
    }
    file = g_ptr_array_index(c->files, 0);
    s = wspsim_script_load(file, &e);
    if (s == NULL) {
        print_error(c, e);
        return EXIT_USAGE;
    }
    for (guint64 seed = a, k = 0; seed <= b; seed++, k++) {
        if (k % shard_n == shard_i - 1) {
            SeedResult sr = { seed, 0, NULL };
            g_array_append_val(results, sr);
        }
        if (seed == G_MAXUINT64)
            break;
    }
    if (c->jobs > 1) {
        sweep_parallel(s, results, c->jobs);
    } else {
        for (guint i = 0; i < results->len; i++) {
            SeedResult *sr = &g_array_index(results, SeedResult, i);

            sr->status = sweep_one(s, sr->seed, &sr->failures);
            if (progress && g_get_monotonic_time() - last > G_USEC_PER_SEC / 4) {
                last = g_get_monotonic_time();
                fprintf(stderr, "\rsweep %s: %u/%u seeds", file, i + 1, results->len);
                fflush(stderr);
            }
        }
        if (last != wall)
            fprintf(stderr, "\n");
    }
    for (guint i = 0; i < results->len; i++) {
        SeedResult *sr = &g_array_index(results, SeedResult, i);

        if (sr->status == 0) {
            passed++;
            continue;
        }
        failed++;
        status = MAX(status, sr->status);
        fprintf(c->out, "seed %" G_GUINT64_FORMAT ": FAIL\n", sr->seed);
        if (sr->failures != NULL)
            fputs(sr->failures, c->err);
    }
    fprintf(c->out, "sweep %s: %u seeds, %u passed, %u failed\n", file, results->len, passed,
            failed);
    for (guint i = 0; i < results->len; i++) {
        SeedResult *sr = &g_array_index(results, SeedResult, i);

        if (sr->status != 0)
            fprintf(c->out, "replay: wspsim run --seed %" G_GUINT64_FORMAT " %s\n", sr->seed, file);
        g_free(sr->failures);
    }
    return status;
}

/**
 * wspsim_cli_main:
 *
 * The whole command, callable in-process (tests do).  Never exits.
 */
int
wspsim_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    Cli c = { .out = out, .err = err, .jobs = 1 };
    const char *cmd;
    int status;

    if (argc < 2)
        return usage(&c, NULL);
    cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, out);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        fprintf(out, "wspsim %s\n", PACKAGE_VERSION);
        return 0;
    }
    c.files = g_ptr_array_new();
    status = parse_args(&c, argc, argv, 2);
    if (status == 0) {
        if (strcmp(cmd, "run") == 0) {
            status = cmd_run(&c);
        } else if (strcmp(cmd, "check") == 0) {
            status = cmd_check(&c);
        } else if (strcmp(cmd, "sweep") == 0) {
            status = cmd_sweep(&c);
        } else {
            g_autofree char *m = g_strdup_printf("unknown command '%s'", cmd);
            status = usage(&c, m);
        }
    }
    g_ptr_array_unref(c.files);
    fflush(out);
    fflush(err);
    return status;
}
