/* SPDX-License-Identifier: MIT
 *
 * replay: run a fuzz target's entry point over files without libFuzzer, so
 * that a plain gcc `make check` (and valgrind, and the coverage build)
 * exercises every committed seed and every crash turned regression.
 * Usage: replay-TARGET [FILE|DIR...]; with no argument it reads
 * FUZZ_DEFAULT_DIRS (the target's corpus/ and regress/ directories, set by
 * Makefile.am).  Prints one TAP line per input; a crash aborts the run.
 */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "fuzz-input.h"

static guint n_run;

static int
path_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
run_file(const char *path)
{
    gchar *data = NULL;
    gsize len = 0;
    GError *err = NULL;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        printf("not ok %u - %s: %s\n", ++n_run, path, err->message);
        g_error_free(err);
        return;
    }
    LLVMFuzzerTestOneInput((const uint8_t *) data, len);
    g_free(data);
    printf("ok %u - %s\n", ++n_run, path);
    fflush(stdout);
}

/* A directory's regular files in name order (directory order is not
 * deterministic); a missing directory is empty. */
static void
run_path(const char *path)
{
    GPtrArray *names;
    GDir *dir;
    const char *name;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        if (g_file_test(path, G_FILE_TEST_EXISTS))
            run_file(path);
        return;
    }
    dir = g_dir_open(path, 0, NULL);
    if (dir == NULL)
        return;
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir)) != NULL) {
        if (name[0] != '.')
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, path_cmp);
    for (guint i = 0; i < names->len; i++)
        run_file(g_ptr_array_index(names, i));
    g_ptr_array_unref(names);
}

int
main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            run_path(argv[i]);
    } else {
        gchar **dirs = g_strsplit(FUZZ_DEFAULT_DIRS, ":", -1);

        for (guint i = 0; dirs[i] != NULL; i++)
            run_path(dirs[i]);
        g_strfreev(dirs);
    }
    printf("1..%u\n", n_run);
    return 0;
}
