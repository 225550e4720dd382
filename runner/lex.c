/* SPDX-License-Identifier: MIT
 *
 * lex.c: the scenario lexer.  One pass over the whole text, producing
 * tokens with Python's layout rule (NEWLINE, INDENT, DEDENT; blank and
 * comment lines do not count; newlines inside brackets are ignored).
 * Numbers are exact: "1.5ms" is 1500000 ns and a fraction the unit cannot
 * represent is an error, never rounded.
 */
#include "config.h"

#include "runner/lex.h"

#include <string.h>

typedef struct {
    const char *file;
    const char *text;
    size_t len;
    size_t pos;
    guint32 line;
    size_t line_start;
    GArray *toks;
    GError **error;
} Lexer;

G_GNUC_PRINTF(5, 6)
static bool
lex_fail(Lexer *L, guint32 line, guint32 col, int code, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(L->error, WSPSIM_SCENARIO_ERROR, code, "%s:%u:%u: %s", L->file, line, col, msg);
    return false;
}

static guint32
col_of(const Lexer *L, size_t pos)
{
    return (guint32) (pos - L->line_start + 1);
}

static Tok *
push(Lexer *L, TokKind kind, size_t start, size_t end)
{
    Tok t = { 0 };

    t.kind = kind;
    t.line = L->line;
    t.col = col_of(L, start);
    t.start = L->text + start;
    t.len = (guint32) (end - start);
    t.prefix = -1;
    g_array_append_val(L->toks, t);
    return &g_array_index(L->toks, Tok, L->toks->len - 1);
}

static bool
is_ident_start(char c)
{
    return g_ascii_isalpha(c) || c == '_';
}

static bool
is_ident_char(char c)
{
    return g_ascii_isalnum(c) || c == '_';
}

typedef struct {
    const char *name;
    WspsimUnit unit;
    guint64 scale;
} UnitDef;

static const UnitDef units[] = {
    { "ns", WSPSIM_UNIT_TIME, 1 },
    { "us", WSPSIM_UNIT_TIME, 1000 },
    { "ms", WSPSIM_UNIT_TIME, 1000000 },
    { "s", WSPSIM_UNIT_TIME, 1000000000 },
    { "B", WSPSIM_UNIT_SIZE, 1 },
    { "KB", WSPSIM_UNIT_SIZE, 1000 },
    { "KiB", WSPSIM_UNIT_SIZE, 1024 },
    { "MB", WSPSIM_UNIT_SIZE, 1000000 },
    { "MiB", WSPSIM_UNIT_SIZE, 1048576 },
    { "GB", WSPSIM_UNIT_SIZE, 1000000000 },
    { "GiB", WSPSIM_UNIT_SIZE, 1073741824 },
    { "bps", WSPSIM_UNIT_RATE, 1 },
    { "Kbps", WSPSIM_UNIT_RATE, 1000 },
    { "kbps", WSPSIM_UNIT_RATE, 1000 },
    { "Mbps", WSPSIM_UNIT_RATE, 1000000 },
    { "Gbps", WSPSIM_UNIT_RATE, 1000000000 },
    { "%", WSPSIM_UNIT_PPM, 10000 },
    { "ppm", WSPSIM_UNIT_PPM, 1 },
};

/* A number: decimal (with an optional fraction) or 0x hex, an optional
 * leading '-', and an optional unit suffix written without a space. */
static bool
lex_number(Lexer *L)
{
    size_t start = L->pos, p = L->pos;
    bool neg = false;
    guint64 ip = 0, frac = 0, frac_div = 1;
    guint fdigits = 0;
    const UnitDef *unit = NULL;
    guint64 v;
    Tok *t;

    if (L->text[p] == '-') {
        neg = true;
        p++;
    }
    if (L->text[p] == '0' && p + 1 < L->len && (L->text[p + 1] == 'x' || L->text[p + 1] == 'X') &&
        p + 2 < L->len && g_ascii_isxdigit(L->text[p + 2])) {
        p += 2;
        while (p < L->len && g_ascii_isxdigit(L->text[p])) {
            if (ip > (G_MAXUINT64 >> 4))
                return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_RANGE,
                                "number too large");
            ip = (ip << 4) | (guint64) g_ascii_xdigit_value(L->text[p]);
            p++;
        }
    } else {
        while (p < L->len && g_ascii_isdigit(L->text[p])) {
            if (ip > (G_MAXUINT64 - 9) / 10)
                return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_RANGE,
                                "number too large");
            ip = ip * 10 + (guint64) (L->text[p] - '0');
            p++;
        }
        if (p + 1 < L->len && L->text[p] == '.' && g_ascii_isdigit(L->text[p + 1])) {
            p++;
            while (p < L->len && g_ascii_isdigit(L->text[p])) {
                if (fdigits >= 9)
                    return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_RANGE,
                                    "too many decimals (at most 9)");
                frac = frac * 10 + (guint64) (L->text[p] - '0');
                frac_div *= 10;
                fdigits++;
                p++;
            }
        }
    }
    if (p < L->len && (is_ident_start(L->text[p]) || L->text[p] == '%')) {
        size_t us = p;

        if (L->text[p] == '%')
            p++;
        else
            while (p < L->len && is_ident_char(L->text[p]))
                p++;
        for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
            if (strlen(units[i].name) == p - us && memcmp(units[i].name, L->text + us, p - us) == 0)
                unit = &units[i];
        }
        if (unit == NULL)
            return lex_fail(L, L->line, col_of(L, us), WSPSIM_SCENARIO_ERROR_SYNTAX,
                            "unknown unit '%.*s' (time: ns us ms s; size: B KB KiB MB MiB GB "
                            "GiB; rate: bps Kbps Mbps Gbps; ratio: %% ppm)",
                            (int) (p - us), L->text + us);
    }
    if (unit != NULL) {
        guint64 fpart;

        if (__builtin_mul_overflow(ip, unit->scale, &v))
            return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_RANGE,
                            "number too large");
        fpart = frac * unit->scale;
        if (fpart % frac_div != 0)
            return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_RANGE,
                            "'%.*s' is finer than the unit's smallest step", (int) (p - start),
                            L->text + start);
        if (__builtin_add_overflow(v, fpart / frac_div, &v))
            return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_RANGE,
                            "number too large");
    } else {
        if (fdigits > 0)
            return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_SYNTAX,
                            "a number with a fraction needs a unit (e.g. 1.5ms, 0.1%%)");
        v = ip;
    }
    if (v > (guint64) G_MAXINT64)
        return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_RANGE,
                        "number too large");
    t = push(L, TK_NUMBER, start, p);
    t->ival = neg ? -(gint64) v : (gint64) v;
    t->unit = unit ? unit->unit : WSPSIM_UNIT_NONE;
    t->has_fraction = fdigits > 0;
    L->pos = p;
    return true;
}

/* Try an address at L->pos: a.b.c.d[:port][/prefix], an IPv6 address with
 * at least two colons [/prefix], or [v6][:port].  Returns 1 when one was
 * lexed, 0 when the text is not an address, -1 on error. */
static int
lex_addr(Lexer *L)
{
    size_t start = L->pos, p = L->pos, astart, aend;
    bool bracket = false;
    guint colons = 0, dots = 0;
    char buf[64];
    SimAddr a;
    Tok *t;

    if (L->text[p] == '[') {
        size_t q = p + 1;

        while (q < L->len &&
               (g_ascii_isxdigit(L->text[q]) || L->text[q] == ':' || L->text[q] == '.'))
            q++;
        if (q >= L->len || L->text[q] != ']' || q == p + 1 ||
            memchr(L->text + p, ':', q - p) == NULL)
            return 0;
        bracket = true;
        astart = p + 1;
        aend = q;
        p = q + 1;
    } else {
        size_t q = p;

        while (q < L->len &&
               (g_ascii_isxdigit(L->text[q]) || L->text[q] == ':' || L->text[q] == '.')) {
            if (L->text[q] == ':')
                colons++;
            if (L->text[q] == '.')
                dots++;
            q++;
        }
        if (colons >= 2) {
            /* IPv6 */
        } else if (dots == 3 && g_ascii_isdigit(L->text[p])) {
            /* IPv4: the run may have swallowed ":port" — cut at the colon. */
            const char *c = memchr(L->text + p, ':', q - p);
            if (c != NULL)
                q = (size_t) (c - L->text);
        } else {
            return 0;
        }
        if (q < L->len && is_ident_char(L->text[q]))
            return 0; /* e.g. a word that starts with hex letters */
        astart = p;
        aend = q;
        p = q;
    }
    if (aend - astart >= sizeof buf) {
        lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_SYNTAX, "bad address '%.*s'",
                 (int) (aend - astart), L->text + astart);
        return -1;
    }
    memcpy(buf, L->text + astart, aend - astart);
    buf[aend - astart] = '\0';
    if (!sim_addr_parse(buf, &a)) {
        lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_SYNTAX, "bad address '%s'",
                 buf);
        return -1;
    }
    t = push(L, TK_ADDR, start, p);
    t->addr.addr = a;
    if (p < L->len && L->text[p] == ':' && p + 1 < L->len && g_ascii_isdigit(L->text[p + 1]) &&
        (bracket || a.family == SIM_AF_INET)) {
        guint64 port = 0;
        size_t ps = p + 1;

        p++;
        while (p < L->len && g_ascii_isdigit(L->text[p])) {
            port = port * 10 + (guint64) (L->text[p] - '0');
            if (port > 65535) {
                lex_fail(L, L->line, col_of(L, ps), WSPSIM_SCENARIO_ERROR_RANGE,
                         "port out of range (0..65535)");
                return -1;
            }
            p++;
        }
        t = &g_array_index(L->toks, Tok, L->toks->len - 1);
        t->addr.port = (guint16) port;
        t->has_port = true;
    } else if (bracket) {
        /* [v6] alone is fine (no port) */
    }
    if (p < L->len && L->text[p] == '/' && p + 1 < L->len && g_ascii_isdigit(L->text[p + 1])) {
        guint64 pre = 0;
        size_t ps = p + 1;
        guint max = a.family == SIM_AF_INET ? 32 : 128;

        p++;
        while (p < L->len && g_ascii_isdigit(L->text[p])) {
            pre = pre * 10 + (guint64) (L->text[p] - '0');
            if (pre > max) {
                lex_fail(L, L->line, col_of(L, ps), WSPSIM_SCENARIO_ERROR_RANGE,
                         "prefix length out of range (0..%u)", max);
                return -1;
            }
            p++;
        }
        t = &g_array_index(L->toks, Tok, L->toks->len - 1);
        t->prefix = (gint) pre;
    }
    if (p < L->len && (is_ident_char(L->text[p]) || L->text[p] == '.')) {
        lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_SYNTAX, "bad address '%.*s'",
                 (int) (p - start + 1), L->text + start);
        return -1;
    }
    t = &g_array_index(L->toks, Tok, L->toks->len - 1);
    t->len = (guint32) (p - start);
    L->pos = p;
    return 1;
}

static bool
lex_string(Lexer *L, bool hex)
{
    size_t start = L->pos, p = L->pos + (hex ? 2 : 1);
    GByteArray *out = g_byte_array_new();
    Tok *t;

    for (;;) {
        char c;

        if (p >= L->len || L->text[p] == '\n' || L->text[p] == '\r') {
            g_byte_array_unref(out);
            return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_SYNTAX,
                            "unterminated string");
        }
        c = L->text[p];
        if (c == '"')
            break;
        if (hex) {
            if (c == ' ' || c == '_') {
                p++;
                continue;
            }
            if (!g_ascii_isxdigit(c) || p + 1 >= L->len || !g_ascii_isxdigit(L->text[p + 1])) {
                g_byte_array_unref(out);
                return lex_fail(L, L->line, col_of(L, p), WSPSIM_SCENARIO_ERROR_SYNTAX,
                                "hex bytes need two hex digits each");
            }
            guint8 b =
                (guint8) (g_ascii_xdigit_value(c) * 16 + g_ascii_xdigit_value(L->text[p + 1]));
            g_byte_array_append(out, &b, 1);
            p += 2;
            continue;
        }
        if (c == '\\') {
            guint8 b;

            if (p + 1 >= L->len) {
                g_byte_array_unref(out);
                return lex_fail(L, L->line, col_of(L, start), WSPSIM_SCENARIO_ERROR_SYNTAX,
                                "unterminated string");
            }
            switch (L->text[p + 1]) {
            case 'n':
                b = '\n';
                break;
            case 'r':
                b = '\r';
                break;
            case 't':
                b = '\t';
                break;
            case '0':
                b = 0;
                break;
            case '\\':
                b = '\\';
                break;
            case '"':
                b = '"';
                break;
            case 'x':
                if (p + 3 < L->len && g_ascii_isxdigit(L->text[p + 2]) &&
                    g_ascii_isxdigit(L->text[p + 3])) {
                    b = (guint8) (g_ascii_xdigit_value(L->text[p + 2]) * 16 +
                                  g_ascii_xdigit_value(L->text[p + 3]));
                    g_byte_array_append(out, &b, 1);
                    p += 4;
                    continue;
                }
                G_GNUC_FALLTHROUGH;
            default: {
                /* The byte itself only when printable ASCII: the message
                 * must stay valid UTF-8 (terminals, JSON, JUnit XML). */
                guint8 e = (guint8) L->text[p + 1];
                char shown[8];

                if (e > 0x20 && e < 0x7f)
                    g_snprintf(shown, sizeof shown, "\\%c", e);
                else
                    g_snprintf(shown, sizeof shown, "\\x%02x", e);
                g_byte_array_unref(out);
                return lex_fail(L, L->line, col_of(L, p), WSPSIM_SCENARIO_ERROR_SYNTAX,
                                "unknown escape '%s' (use \\n \\r \\t \\0 \\\\ \\\" \\xHH)",
                                shown);
            }
            }
            g_byte_array_append(out, &b, 1);
            p += 2;
            continue;
        }
        g_byte_array_append(out, (const guint8 *) &c, 1);
        p++;
    }
    p++; /* closing quote */
    t = push(L, hex ? TK_HEX : TK_STRING, start, p);
    t->slen = out->len;
    g_byte_array_append(out, (const guint8 *) "", 1); /* NUL for convenience */
    t->sval = g_byte_array_free(out, FALSE);
    L->pos = p;
    return true;
}

void
wspsim_lex_free(GArray *toks)
{
    if (toks == NULL)
        return;
    for (guint i = 0; i < toks->len; i++)
        g_free(g_array_index(toks, Tok, i).sval);
    g_array_unref(toks);
}

/* Binary input is refused before lexing: a NUL byte or invalid UTF-8. */
static bool
check_text(Lexer *L)
{
    const char *end = NULL;
    const char *nul = memchr(L->text, '\0', L->len);
    size_t bad, line_start = 0;
    guint32 line = 1;

    if (nul == NULL && g_utf8_validate_len(L->text, L->len, &end))
        return true;
    bad = nul != NULL ? (size_t) (nul - L->text) : (size_t) (end - L->text);
    if (end != NULL && nul != NULL && (size_t) (end - L->text) < bad)
        bad = (size_t) (end - L->text);
    for (size_t i = 0; i < bad; i++)
        if (L->text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    return lex_fail(L, line, (guint32) (bad - line_start + 1), WSPSIM_SCENARIO_ERROR_IO,
                    "binary file (%s): not a scenario",
                    nul != NULL && (size_t) (nul - L->text) == bad ? "NUL byte" : "invalid UTF-8");
}

GArray *
wspsim_lex(const char *file, const char *text, size_t len, GError **error)
{
    Lexer L = { .file = file, .text = text, .len = len, .line = 1, .error = error };
    guint indents[WSPSIM_MAX_DEPTH + 1];
    guint n_indents = 1;
    int depth = 0; /* bracket nesting */
    bool at_line_start = true;
    bool line_has_tokens = false;

    indents[0] = 0;
    if (len > WSPSIM_MAX_FILE_BYTES) {
        g_set_error(error, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_IO,
                    "%s:1:1: file too large (%zu bytes; limit %u)", file, len,
                    WSPSIM_MAX_FILE_BYTES);
        return NULL;
    }
    L.toks = g_array_sized_new(FALSE, TRUE, sizeof(Tok), len / 3 + 16);
    if (!check_text(&L))
        goto fail;

    while (L.pos <= L.len) {
        char c;

        if (at_line_start && depth == 0) {
            guint width = 0;
            size_t p = L.pos;

            while (p < L.len && (L.text[p] == ' ' || L.text[p] == '\t')) {
                width = L.text[p] == '\t' ? (width / 8 + 1) * 8 : width + 1;
                p++;
            }
            if (p >= L.len || L.text[p] == '\n' || L.text[p] == '#' ||
                (L.text[p] == '\r' && p + 1 < L.len && L.text[p + 1] == '\n')) {
                /* blank or comment-only line: layout ignores it */
                while (p < L.len && L.text[p] != '\n')
                    p++;
                if (p >= L.len) {
                    L.pos = L.len + 1;
                    break;
                }
                L.pos = p + 1;
                L.line++;
                L.line_start = L.pos;
                continue;
            }
            if (width > indents[n_indents - 1]) {
                if (n_indents > WSPSIM_MAX_DEPTH) {
                    lex_fail(&L, L.line, col_of(&L, p), WSPSIM_SCENARIO_ERROR_RANGE,
                             "blocks nested too deeply (limit %u)", WSPSIM_MAX_DEPTH);
                    goto fail;
                }
                indents[n_indents++] = width;
                push(&L, TK_INDENT, p, p);
            } else {
                while (width < indents[n_indents - 1]) {
                    n_indents--;
                    push(&L, TK_DEDENT, p, p);
                }
                if (width != indents[n_indents - 1]) {
                    lex_fail(&L, L.line, col_of(&L, p), WSPSIM_SCENARIO_ERROR_SYNTAX,
                             "indentation does not match any outer block");
                    goto fail;
                }
            }
            L.pos = p;
            at_line_start = false;
            line_has_tokens = false;
        }
        if (L.pos >= L.len) {
            if (line_has_tokens)
                push(&L, TK_NEWLINE, L.len, L.len);
            break;
        }
        c = L.text[L.pos];
        if (c == ' ' || c == '\t' || c == '\r') {
            L.pos++;
            continue;
        }
        if (c == '#') {
            while (L.pos < L.len && L.text[L.pos] != '\n')
                L.pos++;
            continue;
        }
        if (c == '\n') {
            if (depth == 0 && line_has_tokens) {
                push(&L, TK_NEWLINE, L.pos, L.pos);
                line_has_tokens = false;
            }
            L.pos++;
            L.line++;
            L.line_start = L.pos;
            at_line_start = depth == 0;
            continue;
        }
        line_has_tokens = true;
        if (c == '"') {
            if (!lex_string(&L, false))
                goto fail;
            continue;
        }
        if (c == 'x' && L.pos + 1 < L.len && L.text[L.pos + 1] == '"') {
            if (!lex_string(&L, true))
                goto fail;
            continue;
        }
        if (c == '[' || g_ascii_isxdigit(c) || c == ':') {
            int r = lex_addr(&L);

            if (r < 0)
                goto fail;
            if (r > 0)
                continue;
        }
        if (g_ascii_isdigit(c) ||
            (c == '-' && L.pos + 1 < L.len && g_ascii_isdigit(L.text[L.pos + 1]))) {
            if (!lex_number(&L))
                goto fail;
            if (L.pos < L.len && (is_ident_char(L.text[L.pos]))) {
                lex_fail(&L, L.line, col_of(&L, L.pos), WSPSIM_SCENARIO_ERROR_SYNTAX,
                         "unexpected '%c' after a number", L.text[L.pos]);
                goto fail;
            }
            continue;
        }
        if (is_ident_start(c)) {
            size_t s = L.pos;

            while (L.pos < L.len && is_ident_char(L.text[L.pos]))
                L.pos++;
            if (L.pos - s > 256) {
                lex_fail(&L, L.line, col_of(&L, s), WSPSIM_SCENARIO_ERROR_RANGE,
                         "name too long (limit 256)");
                goto fail;
            }
            /* "one-way" (a partition's direction) is the one name with a hyphen. */
            if (L.pos - s == 3 && memcmp(L.text + s, "one", 3) == 0 && L.pos + 4 <= L.len &&
                memcmp(L.text + L.pos, "-way", 4) == 0 &&
                (L.pos + 4 == L.len || !is_ident_char(L.text[L.pos + 4])))
                L.pos += 4;
            push(&L, TK_IDENT, s, L.pos);
            continue;
        }
        if (c == '-' && L.pos + 1 < L.len && L.text[L.pos + 1] == '>') {
            push(&L, TK_ARROW, L.pos, L.pos + 2);
            L.pos += 2;
            continue;
        }
        if (c == '.' && L.pos + 1 < L.len && L.text[L.pos + 1] == '.') {
            push(&L, TK_DOTDOT, L.pos, L.pos + 2);
            L.pos += 2;
            continue;
        }
        if (strchr("()[]{},=:|.$", c) != NULL) {
            Tok *t = push(&L, TK_PUNCT, L.pos, L.pos + 1);

            t->punct = c;
            if (c == '(' || c == '[' || c == '{')
                depth++;
            else if ((c == ')' || c == ']' || c == '}') && depth > 0)
                depth--;
            L.pos++;
            continue;
        }
        if ((guchar) c >= 0x80)
            lex_fail(&L, L.line, col_of(&L, L.pos), WSPSIM_SCENARIO_ERROR_SYNTAX,
                     "unexpected non-ASCII character (only strings and comments may have them)");
        else
            lex_fail(&L, L.line, col_of(&L, L.pos), WSPSIM_SCENARIO_ERROR_SYNTAX,
                     "unexpected character '%c'", c);
        goto fail;
    }
    while (n_indents > 1) {
        n_indents--;
        push(&L, TK_DEDENT, L.len, L.len);
    }
    push(&L, TK_EOF, L.len, L.len);
    return L.toks;

fail:
    wspsim_lex_free(L.toks);
    return NULL;
}

const char *
wspsim_tok_describe(const Tok *t, char *buf, size_t size)
{
    switch (t->kind) {
    case TK_EOF:
        return "end of file";
    case TK_NEWLINE:
        return "end of line";
    case TK_INDENT:
        return "indented block";
    case TK_DEDENT:
        return "end of block";
    case TK_IDENT:
    case TK_NUMBER:
    case TK_STRING:
    case TK_HEX:
    case TK_ADDR:
    case TK_ARROW:
    case TK_DOTDOT:
    case TK_PUNCT:
        g_snprintf(buf, size, "'%.*s'", (int) MIN(t->len, 40u), t->start);
        return buf;
    }
    return "?";
}
