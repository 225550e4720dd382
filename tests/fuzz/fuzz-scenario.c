/* SPDX-License-Identifier: MIT
 *
 * fuzz-scenario: the scenario parser (runner/scenario.h) on arbitrary text.
 * wspsim runs scenario files from CI systems it does not control, so every
 * input must give either a script or an error, never a crash, hang or
 * leak.  Invariants checked:
 *   - exactly one of (script, error) comes back;
 *   - the error is in WSPSIM_SCENARIO_ERROR and its message starts with
 *     "fuzz.wsim:LINE:COL: " where LINE is a line of the input (or the one
 *     after the last) and COL is at least 1;
 *   - the message is valid UTF-8 (it is printed to terminals and CI logs);
 *   - parsing is a pure function: the same text parses the same way twice.
 */
#include "config.h"

#include <string.h>

#include "fuzz-input.h"
#include "runner/scenario.h"

#define FILE_NAME "fuzz.wsim"

static void
check_error(const GError *err, const uint8_t *data, size_t size)
{
    const char *p;
    char *end;
    guint64 line, col, lines = 1;

    FUZZ_CHECK(err != NULL);
    FUZZ_CHECK(err->domain == WSPSIM_SCENARIO_ERROR);
    FUZZ_CHECK(g_utf8_validate(err->message, -1, NULL));
    FUZZ_CHECK(g_str_has_prefix(err->message, FILE_NAME ":"));
    p = err->message + strlen(FILE_NAME ":");
    FUZZ_CHECK(g_ascii_isdigit(*p));
    line = g_ascii_strtoull(p, &end, 10);
    FUZZ_CHECK(*end == ':' && g_ascii_isdigit(end[1]));
    col = g_ascii_strtoull(end + 1, &end, 10);
    FUZZ_CHECK(end[0] == ':' && end[1] == ' ' && end[2] != '\0');
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    FUZZ_CHECK(line >= 1 && line <= lines + 1);
    FUZZ_CHECK(col >= 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *err = NULL, *err2 = NULL;
    WspsimScript *s, *s2;

    s = wspsim_script_parse(FILE_NAME, (const char *) data, size, &err);
    if (s != NULL) {
        FUZZ_CHECK(err == NULL);
    } else {
        check_error(err, data, size);
    }
    /* Determinism: a second parse agrees (statement count or message). */
    s2 = wspsim_script_parse(FILE_NAME, (const char *) data, size, &err2);
    FUZZ_CHECK((s == NULL) == (s2 == NULL));
    if (s != NULL) {
        FUZZ_CHECK(s->n_statements == s2->n_statements);
        FUZZ_CHECK(s->hosts->len == s2->hosts->len && s->actions->len == s2->actions->len);
        wspsim_script_free(s);
        wspsim_script_free(s2);
    } else {
        FUZZ_CHECK(err->code == err2->code && strcmp(err->message, err2->message) == 0);
        g_error_free(err);
        g_error_free(err2);
    }
    return 0;
}
