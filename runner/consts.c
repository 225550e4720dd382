/* SPDX-License-Identifier: MIT
 *
 * consts.c: Winsock constants by name for scenarios.  The values are the
 * macros of spi/wspsim/ themselves (runner/wspsim-consts.inc is generated
 * from the headers by runner/gen-consts.sh), so they cannot drift;
 * tests/test-runner-consts.c checks that no name is missing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <wspsim/winsock2.h>
#include <wspsim/ws2spi.h>
#include <wspsim/ws2tcpip.h>
#include <wspsim/mswsock.h>
#include <wspsim/mstcpip.h>
#include <wspsim/qos.h>

#include "runner/scenario.h"

typedef struct {
    const char *name;
    gint64 value;
} ConstDef;

/* Sorted by name (strcmp order): bsearch. */
static const ConstDef header_consts[] = {
#include "runner/wspsim-consts.inc"
};

/* A few names that are not #defines of the headers' prefixes. */
static const ConstDef extra_consts[] = {
    { "FALSE", 0 },
    { "INFINITE", (gint64) 0xffffffffu },
    { "INVALID_SOCKET", -1 },
    { "SOCKET_ERROR", SOCKET_ERROR },
    { "TRUE", 1 },
    /* Window messages: WM_USER (winuser.h) and the conventional WM_SOCKET. */
    { "WM_SOCKET", 0x0401 },
    { "WM_USER", 0x0400 },
};

static const char *const *table_names;
static const gint64 *table_values;

static int
cmp_key(const void *key, const void *elem)
{
    const GString *k = key;
    const ConstDef *d = elem;
    int c = strncmp(k->str, d->name, k->len);

    if (c != 0)
        return c;
    return d->name[k->len] == '\0' ? 0 : -1;
}

static const ConstDef *
find(const ConstDef *table, size_t n, const char *name, size_t len)
{
    GString key = { (char *) name, len, len };

    return bsearch(&key, table, n, sizeof(ConstDef), cmp_key);
}

/**
 * wspsim_const_lookup:
 * @name: the constant's name (need not be NUL-terminated)
 * @len: its length
 * @out_value: (out): its value
 *
 * Returns: TRUE if @name is a known constant.
 */
bool
wspsim_const_lookup(const char *name, size_t len, gint64 *out_value)
{
    const ConstDef *d = find(header_consts, G_N_ELEMENTS(header_consts), name, len);

    if (d == NULL)
        d = find(extra_consts, G_N_ELEMENTS(extra_consts), name, len);
    if (d == NULL)
        return false;
    *out_value = d->value;
    return true;
}

/**
 * wspsim_error_name:
 * @code: a WSA error code
 *
 * Returns: (nullable): its name, preferring WSAE* over WSA_* spellings.
 */
const char *
wspsim_error_name(gint64 code)
{
    const char *fallback = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(header_consts); i++) {
        const char *n = header_consts[i].name;

        if (header_consts[i].value != code || strncmp(n, "WSA", 3) != 0)
            continue;
        if (strncmp(n, "WSAE", 4) == 0)
            return n;
        if (fallback == NULL && strncmp(n, "WSA_FLAG", 8) != 0 && strncmp(n, "WSA_WAIT", 8) != 0)
            fallback = n;
    }
    return fallback;
}

size_t
wspsim_const_table(const char *const **out_names, const gint64 **out_values)
{
    if (table_names == NULL) {
        const char **names = g_new(const char *, G_N_ELEMENTS(header_consts));
        gint64 *values = g_new(gint64, G_N_ELEMENTS(header_consts));

        for (size_t i = 0; i < G_N_ELEMENTS(header_consts); i++) {
            names[i] = header_consts[i].name;
            values[i] = header_consts[i].value;
        }
        table_names = names;
        table_values = values;
    }
    *out_names = table_names;
    *out_values = table_values;
    return G_N_ELEMENTS(header_consts);
}
