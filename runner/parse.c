/* SPDX-License-Identifier: MIT
 *
 * parse.c: the scenario parser and checker.  Recursive descent over the
 * token array of lex.c, one statement per logical line, blocks by
 * indentation.  A pure function from text to AST or GError: names are
 * resolved (hosts, functions, constants, variables), argument kinds and
 * ranges checked, so a script that parses runs without surprises from its
 * own text.  doc/wspsim-scenario.5 has the grammar.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <wspsim/wspsim-fault.h>

#include "runner/lex.h"
#include "runner/scenario.h"

G_DEFINE_QUARK(wspsim - scenario - error - quark, wspsim_scenario_error)

typedef struct {
    const char *file;
    GArray *toks;
    guint pos;
    WspsimScript *s;
    GError **error;
    guint depth;
    WspsimProcDecl *proc; /* the process whose thread is being parsed */
    GHashTable *installed; /* QOS template names WSCInstallQOSTemplate installs somewhere */
    guint32 tcp_given;     /* bit per "tcp" setting already given */
} Parser;

static const Tok *
peek(const Parser *P)
{
    return &g_array_index(P->toks, Tok, P->pos);
}

static const Tok *
peek_at(const Parser *P, guint ahead)
{
    guint i = MIN(P->pos + ahead, P->toks->len - 1);

    return &g_array_index(P->toks, Tok, i);
}

static const Tok *
next(Parser *P)
{
    const Tok *t = peek(P);

    if (t->kind != TK_EOF)
        P->pos++;
    return t;
}

G_GNUC_PRINTF(4, 5)
static bool
fail(Parser *P, const Tok *t, int code, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (P->error != NULL && *P->error != NULL)
        return false; /* keep the first error */
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(P->error, WSPSIM_SCENARIO_ERROR, code, "%s:%u:%u: %s", P->file, t->line, t->col,
                msg);
    return false;
}

static bool
fail_unexpected(Parser *P, const Tok *t, const char *wanted)
{
    char buf[64];

    return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "expected %s, found %s", wanted,
                wspsim_tok_describe(t, buf, sizeof buf));
}

static bool
is_punct(const Tok *t, char c)
{
    return t->kind == TK_PUNCT && t->punct == c;
}

static bool
is_word(const Tok *t, const char *w)
{
    return t->kind == TK_IDENT && strlen(w) == t->len && memcmp(t->start, w, t->len) == 0;
}

static bool
accept_punct(Parser *P, char c)
{
    if (!is_punct(peek(P), c))
        return false;
    next(P);
    return true;
}

static bool
expect_punct(Parser *P, char c)
{
    char want[8];

    if (accept_punct(P, c))
        return true;
    g_snprintf(want, sizeof want, "'%c'", c);
    return fail_unexpected(P, peek(P), want);
}

static bool
expect_eol(Parser *P)
{
    const Tok *t = peek(P);

    if (t->kind == TK_NEWLINE) {
        next(P);
        return true;
    }
    if (t->kind == TK_EOF)
        return true;
    return fail_unexpected(P, t, "end of line");
}

static void *
ast_alloc(Parser *P, size_t size)
{
    void *p = g_malloc0(size);

    g_ptr_array_add(P->s->allocs, p);
    return p;
}

static char *
ast_strndup(Parser *P, const char *s, size_t n)
{
    char *p = g_strndup(s, n);

    g_ptr_array_add(P->s->allocs, p);
    return p;
}

static char *
tok_str(Parser *P, const Tok *t)
{
    return ast_strndup(P, t->start, t->len);
}

/* The source text from token @first up to and including token @last. */
static char *
span_text(Parser *P, guint first, guint last)
{
    const Tok *a = &g_array_index(P->toks, Tok, first);
    const Tok *b = &g_array_index(P->toks, Tok, last);

    return ast_strndup(P, a->start, (size_t) (b->start + b->len - a->start));
}

static bool
expect_name(Parser *P, const char *what, const Tok **out)
{
    const Tok *t = peek(P);

    if (t->kind != TK_IDENT)
        return fail_unexpected(P, t, what);
    *out = next(P);
    return true;
}

/* ---- Numbers with units ---------------------------------------------- */

static bool
take_time(Parser *P, const char *what, SimTime *out)
{
    const Tok *t = peek(P);

    if (t->kind != TK_NUMBER ||
        (t->unit != WSPSIM_UNIT_TIME && !(t->unit == WSPSIM_UNIT_NONE && t->ival == 0)))
        return fail(P, t, WSPSIM_SCENARIO_ERROR_TYPE,
                    "%s takes a duration with a unit (e.g. 5ms, 2s, 100us)", what);
    if (t->ival < 0 || (guint64) t->ival > WSPSIM_MAX_TIME_NS)
        return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "%s out of range (0 to 1000000s)", what);
    *out = (SimTime) t->ival;
    next(P);
    return true;
}

static bool
take_ppm(Parser *P, const char *what, guint32 *out)
{
    const Tok *t = peek(P);

    if (t->kind != TK_NUMBER ||
        (t->unit != WSPSIM_UNIT_PPM && !(t->unit == WSPSIM_UNIT_NONE && t->ival == 0)))
        return fail(P, t, WSPSIM_SCENARIO_ERROR_TYPE,
                    "%s takes a percentage (e.g. 1%%, 0.5%%) or ppm", what);
    if (t->ival < 0 || t->ival > 1000000)
        return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "%s out of range (0%% to 100%%)", what);
    *out = (guint32) t->ival;
    next(P);
    return true;
}

static bool
take_count(Parser *P, const char *what, gint64 min, gint64 max, bool size_ok, gint64 *out)
{
    const Tok *t = peek(P);

    if (t->kind != TK_NUMBER ||
        !(t->unit == WSPSIM_UNIT_NONE || (size_ok && t->unit == WSPSIM_UNIT_SIZE)))
        return fail(P, t, WSPSIM_SCENARIO_ERROR_TYPE, "%s takes a whole number", what);
    if (t->ival < min || t->ival > max)
        return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE,
                    "%s out of range (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")", what, min,
                    max);
    *out = t->ival;
    next(P);
    return true;
}

/* ---- TCP configuration -------------------------------------------------- */

static bool
take_onoff(Parser *P, const char *what, bool *out)
{
    const Tok *t = peek(P);

    if (is_word(t, "on") || is_word(t, "off")) {
        *out = is_word(t, "on");
        next(P);
        return true;
    }
    return fail(P, t, WSPSIM_SCENARIO_ERROR_TYPE, "%s takes on or off", what);
}

/*
 * tcp KEY VALUE [KEY VALUE]... (after "tcp"): the world's TCP configuration
 * (sim/sim-tcp.h SimTcpConfig, doc/tcp.md), several lines allowed, each key
 * once.  Durations, counts, sizes, on/off; the combination is checked as
 * sim_tcp_set_config() checks it.
 */
typedef enum { TCPK_TIME, TCPK_COUNT, TCPK_SIZE, TCPK_ONOFF } TcpKeyKind;

static bool
parse_tcp(Parser *P, const Tok *kw)
{
    static const struct {
        const char *key;
        TcpKeyKind kind;
        size_t off;
    } keys[] = {
        { "msl", TCPK_TIME, G_STRUCT_OFFSET(SimTcpConfig, msl_ns) },
        { "rto_initial", TCPK_TIME, G_STRUCT_OFFSET(SimTcpConfig, rto_initial_ns) },
        { "rto_min", TCPK_TIME, G_STRUCT_OFFSET(SimTcpConfig, rto_min_ns) },
        { "rto_max", TCPK_TIME, G_STRUCT_OFFSET(SimTcpConfig, rto_max_ns) },
        { "syn_retries", TCPK_COUNT, G_STRUCT_OFFSET(SimTcpConfig, syn_retries) },
        { "synack_retries", TCPK_COUNT, G_STRUCT_OFFSET(SimTcpConfig, synack_retries) },
        { "data_retries", TCPK_COUNT, G_STRUCT_OFFSET(SimTcpConfig, data_retries) },
        { "delayed_ack", TCPK_ONOFF, G_STRUCT_OFFSET(SimTcpConfig, delayed_ack) },
        { "delack", TCPK_TIME, G_STRUCT_OFFSET(SimTcpConfig, delack_ns) },
        { "ack_frequency", TCPK_COUNT, G_STRUCT_OFFSET(SimTcpConfig, delack_segments) },
        { "initial_window", TCPK_COUNT, G_STRUCT_OFFSET(SimTcpConfig, initial_window_segments) },
        { "rcvbuf", TCPK_SIZE, G_STRUCT_OFFSET(SimTcpConfig, rcvbuf_default) },
        { "sndbuf", TCPK_SIZE, G_STRUCT_OFFSET(SimTcpConfig, sndbuf_default) },
        { "window_scaling", TCPK_ONOFF, G_STRUCT_OFFSET(SimTcpConfig, window_scaling) },
        { "persist_min", TCPK_TIME, G_STRUCT_OFFSET(SimTcpConfig, persist_min_ns) },
        { "persist_max", TCPK_TIME, G_STRUCT_OFFSET(SimTcpConfig, persist_max_ns) },
        { "keepalive_time", TCPK_TIME, G_STRUCT_OFFSET(SimTcpConfig, keepalive_time_ns) },
        { "keepalive_interval", TCPK_TIME,
          G_STRUCT_OFFSET(SimTcpConfig, keepalive_interval_ns) },
        { "keepalive_probes", TCPK_COUNT, G_STRUCT_OFFSET(SimTcpConfig, keepalive_probes) },
        { "fin_wait2_timeout", TCPK_TIME, G_STRUCT_OFFSET(SimTcpConfig, fin_wait2_timeout_ns) },
        { "rst_after_shutdown", TCPK_ONOFF,
          G_STRUCT_OFFSET(SimTcpConfig, rst_on_data_after_shutdown) },
    };
    if (!P->s->has_tcp) {
        sim_tcp_config_init(&P->s->tcp);
        P->s->has_tcp = true;
        P->s->tcp_line = kw->line;
        P->s->tcp_col = kw->col;
    }
    do {
        const Tok *k = peek(P);
        guint8 *field;
        guint i;

        if (k->kind != TK_IDENT)
            return fail_unexpected(P, k, "a tcp setting (tcp msl 120s, tcp delayed_ack off)");
        for (i = 0; i < G_N_ELEMENTS(keys); i++)
            if (is_word(k, keys[i].key))
                break;
        if (i == G_N_ELEMENTS(keys))
            return fail(P, k, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                        "unknown tcp setting '%.*s' (msl, rto_initial, rto_min, rto_max, "
                        "syn_retries, synack_retries, data_retries, delayed_ack, delack, "
                        "ack_frequency, initial_window, rcvbuf, sndbuf, window_scaling, "
                        "persist_min, persist_max, keepalive_time, keepalive_interval, "
                        "keepalive_probes, fin_wait2_timeout, rst_after_shutdown)",
                        (int) k->len, k->start);
        if (P->tcp_given & (1u << i))
            return fail(P, k, WSPSIM_SCENARIO_ERROR_SYNTAX, "tcp %s given twice", keys[i].key);
        P->tcp_given |= 1u << i;
        next(P);
        field = (guint8 *) &P->s->tcp + keys[i].off;
        switch (keys[i].kind) {
        case TCPK_TIME:
            if (!take_time(P, keys[i].key, (SimTime *) (void *) field))
                return false;
            break;
        case TCPK_COUNT: {
            gint64 n;

            if (!take_count(P, keys[i].key, 0, 1000000, false, &n))
                return false;
            *(guint *) (void *) field = (guint) n;
            break;
        }
        case TCPK_SIZE: {
            gint64 n;

            if (!take_count(P, keys[i].key, 1, G_MAXINT32, true, &n))
                return false;
            *(guint32 *) (void *) field = (guint32) n;
            break;
        }
        case TCPK_ONOFF:
            if (!take_onoff(P, keys[i].key, (bool *) (void *) field))
                return false;
            break;
        }
    } while (peek(P)->kind == TK_IDENT);
    if (!sim_tcp_config_valid(&P->s->tcp))
        return fail(P, kw, WSPSIM_SCENARIO_ERROR_RANGE,
                    "tcp settings out of range (msl, RTOs, persist times, keep-alive times, "
                    "ack_frequency, initial_window and buffers above 0; rto_min <= rto_max, "
                    "persist_min <= persist_max)");
    return expect_eol(P);
}

/* ---- Topology ---------------------------------------------------------- */

static WspsimHostDecl *
find_host(const WspsimScript *s, const char *name, size_t len)
{
    for (guint i = 0; i < s->hosts->len; i++) {
        WspsimHostDecl *h = g_ptr_array_index(s->hosts, i);

        if (strlen(h->name) == len && memcmp(h->name, name, len) == 0)
            return h;
    }
    return NULL;
}

static bool
parse_host(Parser *P, bool router)
{
    const Tok *kw = next(P), *name = NULL;
    WspsimHostDecl *h;

    if (!expect_name(P, router ? "a router name" : "a host name", &name))
        return false;
    if (find_host(P->s, name->start, name->len) != NULL)
        return fail(P, name, WSPSIM_SCENARIO_ERROR_SYNTAX, "'%.*s' is already declared",
                    (int) name->len, name->start);
    h = g_new0(WspsimHostDecl, 1);
    h->name = g_strndup(name->start, name->len);
    h->router = router;
    h->addrs = g_array_new(FALSE, FALSE, sizeof(SimAddr));
    h->prefixes = g_array_new(FALSE, FALSE, sizeof(guint));
    h->line = kw->line;
    h->col = kw->col;
    g_ptr_array_add(P->s->hosts, h);
    while (peek(P)->kind == TK_ADDR) {
        const Tok *a = next(P);
        guint prefix;

        if (a->has_port)
            return fail(P, a, WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "a host address has no port (write 10.0.0.1 or 10.0.0.1/24)");
        prefix =
            a->prefix >= 0 ? (guint) a->prefix : (a->addr.addr.family == SIM_AF_INET ? 24 : 64);
        for (guint i = 0; i < P->s->hosts->len; i++) {
            WspsimHostDecl *o = g_ptr_array_index(P->s->hosts, i);

            for (guint j = 0; j < o->addrs->len; j++)
                if (sim_addr_equal(&g_array_index(o->addrs, SimAddr, j), &a->addr.addr))
                    return fail(P, a, WSPSIM_SCENARIO_ERROR_SYNTAX,
                                "address %.*s already belongs to %s", (int) a->len, a->start,
                                o->name);
        }
        if (sim_addr_is_any(&a->addr.addr) || sim_addr_is_loopback(&a->addr.addr) ||
            sim_addr_is_multicast(&a->addr.addr))
            return fail(P, a, WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "%.*s cannot be a host address (any, loopback or multicast)", (int) a->len,
                        a->start);
        g_array_append_val(h->addrs, a->addr.addr);
        g_array_append_val(h->prefixes, prefix);
    }
    if (!router && h->addrs->len == 0)
        return fail_unexpected(P, peek(P), "an address (e.g. 10.0.0.1)");
    return expect_eol(P);
}

/* Link parameters until the end of the line; @d->set records which. */
static bool
parse_link_params(Parser *P, WspsimLinkDecl *d, bool allow_updown)
{
    SimLinkParams *p = &d->p;

    while (peek(P)->kind != TK_NEWLINE && peek(P)->kind != TK_EOF) {
        const Tok *k = peek(P);
        gint64 n;

        if (k->kind != TK_IDENT)
            return fail_unexpected(P, k,
                                   "a link parameter (latency, jitter, loss, rate, queue, "
                                   "mtu, dup, reorder, corrupt, ge, up, down)");
        next(P);
        if (is_word(k, "latency")) {
            if (!take_time(P, "latency", &p->latency_ns))
                return false;
            d->set |= WSPSIM_LP_LATENCY;
        } else if (is_word(k, "jitter")) {
            if (!take_time(P, "jitter", &p->jitter_ns))
                return false;
            d->set |= WSPSIM_LP_JITTER;
        } else if (is_word(k, "loss")) {
            if (!take_ppm(P, "loss", &p->loss_ppm))
                return false;
            p->ge_enabled = false;
            d->set |= WSPSIM_LP_LOSS;
        } else if (is_word(k, "dup")) {
            if (!take_ppm(P, "dup", &p->dup_ppm))
                return false;
            d->set |= WSPSIM_LP_DUP;
        } else if (is_word(k, "corrupt")) {
            if (!take_ppm(P, "corrupt", &p->corrupt_ppm))
                return false;
            d->set |= WSPSIM_LP_CORRUPT;
        } else if (is_word(k, "reorder")) {
            if (!take_ppm(P, "reorder", &p->reorder_ppm))
                return false;
            d->set |= WSPSIM_LP_REORDER;
            if (peek(P)->kind == TK_NUMBER && peek(P)->unit == WSPSIM_UNIT_TIME) {
                if (!take_time(P, "reorder delay", &p->reorder_delay_ns))
                    return false;
                d->set |= WSPSIM_LP_REORDER_DELAY;
            }
        } else if (is_word(k, "rate")) {
            const Tok *t = peek(P);

            if (t->kind != TK_NUMBER ||
                (t->unit != WSPSIM_UNIT_RATE && !(t->unit == WSPSIM_UNIT_NONE && t->ival == 0)))
                return fail(P, t, WSPSIM_SCENARIO_ERROR_TYPE,
                            "rate takes bits per second with a unit (e.g. 10Mbps; 0 = unlimited)");
            if (t->ival < 0)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "rate out of range");
            p->rate_bps = (guint64) t->ival;
            next(P);
            d->set |= WSPSIM_LP_RATE;
        } else if (is_word(k, "queue")) {
            const Tok *t = peek(P);
            bool bytes = t->kind == TK_NUMBER && t->unit == WSPSIM_UNIT_SIZE;

            if (!take_count(P, "queue", 0, bytes ? G_MAXUINT32 : 10000000, true, &n))
                return false;
            if (bytes) {
                p->queue_bytes = (guint32) n;
                d->set |= WSPSIM_LP_QUEUE_BYTES;
            } else {
                p->queue_packets = (guint32) n;
                d->set |= WSPSIM_LP_QUEUE;
            }
        } else if (is_word(k, "mtu")) {
            if (!take_count(P, "mtu", 68, 65535, true, &n))
                return false;
            p->mtu = (guint32) n;
            d->set |= WSPSIM_LP_MTU;
        } else if (is_word(k, "ge")) {
            /* Gilbert-Elliott: p= (good->bad), r= (bad->good), good= and
             * bad= (loss in each state; defaults 0% and 100%). */
            bool have_p = false, have_r = false;

            p->ge_loss_good_ppm = 0;
            p->ge_loss_bad_ppm = 1000000;
            while (peek(P)->kind == TK_IDENT && is_punct(peek_at(P, 1), '=')) {
                const Tok *g = next(P);
                guint32 *dst;

                next(P);
                if (is_word(g, "p")) {
                    dst = &p->ge_p_good_bad_ppm;
                    have_p = true;
                } else if (is_word(g, "r")) {
                    dst = &p->ge_p_bad_good_ppm;
                    have_r = true;
                } else if (is_word(g, "good")) {
                    dst = &p->ge_loss_good_ppm;
                } else if (is_word(g, "bad")) {
                    dst = &p->ge_loss_bad_ppm;
                } else {
                    return fail(P, g, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                                "unknown Gilbert-Elliott parameter '%.*s' (p, r, good, bad)",
                                (int) g->len, g->start);
                }
                if (!take_ppm(P, "a Gilbert-Elliott parameter", dst))
                    return false;
            }
            if (!have_p || !have_r)
                return fail(P, k, WSPSIM_SCENARIO_ERROR_SYNTAX,
                            "ge needs p= and r= (e.g. ge p=1%% r=30%%)");
            p->ge_enabled = true;
            d->set |= WSPSIM_LP_GE;
        } else if (is_word(k, "up") || is_word(k, "down")) {
            if (!allow_updown)
                return fail(P, k, WSPSIM_SCENARIO_ERROR_SYNTAX,
                            "a link starts up; take it down with 'at TIME: link A B down'");
            p->up = is_word(k, "up");
            d->set |= WSPSIM_LP_UP;
        } else {
            return fail(P, k, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                        "unknown link parameter '%.*s' (latency, jitter, loss, rate, queue, mtu, "
                        "dup, reorder, corrupt, ge, up, down)",
                        (int) k->len, k->start);
        }
    }
    return true;
}

static bool
parse_link_ends(Parser *P, WspsimLinkDecl *d)
{
    const Tok *a = NULL, *b = NULL;

    if (!expect_name(P, "a node name", &a))
        return false;
    if (peek(P)->kind == TK_ARROW) {
        next(P);
        d->one_way = true;
    }
    if (!expect_name(P, "a node name", &b))
        return false;
    if (find_host(P->s, a->start, a->len) == NULL)
        return fail(P, a, WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
                    "unknown host or router '%.*s' (declare it with 'host' or 'router' first)",
                    (int) a->len, a->start);
    if (find_host(P->s, b->start, b->len) == NULL)
        return fail(P, b, WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
                    "unknown host or router '%.*s' (declare it with 'host' or 'router' first)",
                    (int) b->len, b->start);
    if (a->len == b->len && memcmp(a->start, b->start, a->len) == 0)
        return fail(P, b, WSPSIM_SCENARIO_ERROR_SYNTAX, "a link joins two different nodes");
    d->a = g_strndup(a->start, a->len);
    d->b = g_strndup(b->start, b->len);
    d->line = a->line;
    d->col = a->col;
    return true;
}

static void
link_decl_free(gpointer p)
{
    WspsimLinkDecl *d = p;

    g_free(d->a);
    g_free(d->b);
    g_free(d);
}

static bool
parse_link(Parser *P)
{
    WspsimLinkDecl *d = g_new0(WspsimLinkDecl, 1);

    next(P);
    g_ptr_array_add(P->s->links, d);
    sim_link_params_init(&d->p);
    if (!parse_link_ends(P, d) || !parse_link_params(P, d, false))
        return false;
    return expect_eol(P);
}

/* ---- Expressions ----------------------------------------------------- */

static bool looks_like_constant(const Tok *t);

static WspsimExpr *
new_expr(Parser *P, WspsimExprKind kind, const Tok *t)
{
    WspsimExpr *e = ast_alloc(P, sizeof *e);

    e->kind = kind;
    e->line = t->line;
    e->col = t->col;
    return e;
}

static WspsimExpr *parse_expr(Parser *P);
static WspsimQosLit *parse_qos_lit(Parser *P);

/* A constant term: NAME or NUMBER, joined by '|'. */
static bool
parse_const_or(Parser *P, WspsimExpr *e)
{
    guint first = P->pos;

    for (;;) {
        const Tok *t = peek(P);
        gint64 v = 0;

        if (t->kind == TK_NUMBER && t->unit == WSPSIM_UNIT_NONE) {
            v = t->ival;
        } else if (t->kind == TK_IDENT) {
            if (!wspsim_const_lookup(t->start, t->len, &v))
                return fail(P, t, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "unknown constant '%.*s'",
                            (int) t->len, t->start);
        } else {
            return fail_unexpected(P, t, "a constant");
        }
        next(P);
        e->i |= v;
        if (!is_punct(peek(P), '|'))
            break;
        next(P);
    }
    e->name = span_text(P, first, P->pos - 1);
    return true;
}

static WspsimExpr *
parse_expr(Parser *P)
{
    const Tok *t = peek(P);
    WspsimExpr *e;

    switch (t->kind) {
    case TK_NUMBER:
        if (is_word(peek_at(P, 1), "bytes") || is_word(peek_at(P, 1), "byte")) {
            if (t->unit != WSPSIM_UNIT_NONE && t->unit != WSPSIM_UNIT_SIZE) {
                fail(P, t, WSPSIM_SCENARIO_ERROR_TYPE, "'N bytes' takes a size");
                return NULL;
            }
            if (t->ival < 0 || t->ival > (gint64) WSPSIM_MAX_DATA_BYTES) {
                fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "buffer size out of range (0 to %u)",
                     WSPSIM_MAX_DATA_BYTES);
                return NULL;
            }
            e = new_expr(P, WSPSIM_EX_FILL, t);
            e->i = t->ival;
            next(P);
            next(P);
            return e;
        }
        e = new_expr(P, WSPSIM_EX_INT, t);
        if (t->unit == WSPSIM_UNIT_NONE && is_punct(peek_at(P, 1), '|')) {
            if (!parse_const_or(P, e))
                return NULL;
            return e;
        }
        e->i = t->ival;
        e->unit = t->unit;
        next(P);
        return e;
    case TK_STRING:
    case TK_HEX:
        if (t->slen > WSPSIM_MAX_DATA_BYTES) {
            fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "string too long");
            return NULL;
        }
        e = new_expr(P, WSPSIM_EX_BYTES, t);
        e->bytes = ast_alloc(P, t->slen + 1);
        memcpy(e->bytes, t->sval, t->slen);
        e->len = t->slen;
        next(P);
        return e;
    case TK_ADDR:
        e = new_expr(P, WSPSIM_EX_ADDR, t);
        e->addr = t->addr;
        e->has_port = t->has_port;
        if (t->prefix >= 0) {
            fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "a socket address has no /prefix");
            return NULL;
        }
        next(P);
        return e;
    case TK_IDENT: {
        gint64 v;

        if (wspsim_const_lookup(t->start, t->len, &v) || looks_like_constant(t)) {
            e = new_expr(P, WSPSIM_EX_INT, t);
            if (!parse_const_or(P, e))
                return NULL;
            return e;
        }
        e = new_expr(P, WSPSIM_EX_VAR, t);
        e->name = tok_str(P, t);
        e->i = -1;
        next(P);
        return e;
    }
    case TK_PUNCT:
        if (t->punct == '{') {
            e = new_expr(P, WSPSIM_EX_QOS, t);
            e->qos = parse_qos_lit(P);
            return e->qos != NULL ? e : NULL;
        }
        if (t->punct == '[') {
            GPtrArray *items = g_ptr_array_new();

            e = new_expr(P, WSPSIM_EX_LIST, t);
            next(P);
            while (!is_punct(peek(P), ']')) {
                WspsimExpr *it = parse_expr(P);

                if (it == NULL) {
                    g_ptr_array_unref(items);
                    return NULL;
                }
                if (items->len >= 64) {
                    g_ptr_array_unref(items);
                    fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "list too long (limit 64)");
                    return NULL;
                }
                g_ptr_array_add(items, it);
                if (!accept_punct(P, ',') && !is_punct(peek(P), ']')) {
                    g_ptr_array_unref(items);
                    fail_unexpected(P, peek(P), "',' or ']'");
                    return NULL;
                }
            }
            next(P);
            e->n_items = items->len;
            e->items = ast_alloc(P, sizeof(WspsimExpr *) * (items->len + 1));
            if (items->len > 0)
                memcpy(e->items, items->pdata, sizeof(WspsimExpr *) * items->len);
            g_ptr_array_unref(items);
            return e;
        }
        break;
    case TK_EOF:
    case TK_NEWLINE:
    case TK_INDENT:
    case TK_DEDENT:
    case TK_ARROW:
    case TK_DOTDOT:
        break;
    }
    fail_unexpected(P, t, "a value (number, constant, \"string\", address, variable or [list])");
    return NULL;
}

/* Upper-case names with an underscore are constants (a typo in one is an
 * unknown constant, not an undefined variable). */
static bool
looks_like_constant(const Tok *t)
{
    bool under = false;

    for (guint i = 0; i < t->len; i++) {
        char c = t->start[i];

        if (g_ascii_islower(c))
            return false;
        if (c == '_')
            under = true;
    }
    return under;
}

/* ---- QOS values ------------------------------------------------------------ */

/* SERVICE of a flowspec: a word or a SERVICETYPE_ constant. */
static bool
parse_service(Parser *P, WspsimFlowLit *f)
{
    static const struct {
        const char *word;
        guint32 v;
    } words[] = { { "notraffic", 0 },      { "besteffort", 1 }, { "controlledload", 2 },
                  { "guaranteed", 3 },     { "nochange", 6 } };
    const Tok *t = peek(P);
    gint64 v;

    for (guint i = 0; i < G_N_ELEMENTS(words); i++)
        if (is_word(t, words[i].word)) {
            f->service = words[i].v;
            f->has_service = true;
            next(P);
            return true;
        }
    if (t->kind == TK_IDENT && t->len > 12 && memcmp(t->start, "SERVICETYPE_", 12) == 0 &&
        wspsim_const_lookup(t->start, t->len, &v)) {
        f->service = (guint32) v;
        f->has_service = true;
        next(P);
        return true;
    }
    return fail_unexpected(P, t,
                           "a service type (notraffic, besteffort, controlledload, guaranteed, "
                           "nochange or SERVICETYPE_...)");
}

/* key=VALUE of a flowspec. */
static bool
parse_flow_field(Parser *P, WspsimFlowLit *f)
{
    static const char *const keys[WSPSIM_QF_N] = { "rate",      "bucket", "peak", "latency",
                                                    "variation", "sdu",    "min" };
    const Tok *k = next(P), *v;
    guint idx;
    gint64 n;

    for (idx = 0; idx < WSPSIM_QF_N; idx++)
        if (is_word(k, keys[idx]))
            break;
    if (idx == WSPSIM_QF_N)
        return fail(P, k, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                    "unknown flowspec field '%.*s' (rate, bucket, peak, latency, variation, sdu, "
                    "min)",
                    (int) k->len, k->start);
    next(P); /* '=' */
    v = peek(P);
    if (is_word(v, "unspecified")) {
        n = 0xffffffff; /* QOS_NOT_SPECIFIED */
    } else if (is_word(v, "infinite") && (idx == WSPSIM_QF_RATE || idx == WSPSIM_QF_PEAK)) {
        n = 0xfffffffe; /* POSITIVE_INFINITY_RATE */
    } else if (v->kind == TK_NUMBER) {
        bool rate = idx == WSPSIM_QF_RATE || idx == WSPSIM_QF_PEAK;
        bool time = idx == WSPSIM_QF_LATENCY || idx == WSPSIM_QF_VARIATION;

        n = v->ival;
        if (v->unit == WSPSIM_UNIT_RATE && rate)
            n = v->ival / 8; /* bits/s -> bytes/s */
        else if (v->unit == WSPSIM_UNIT_TIME && time)
            n = v->ival / (gint64) SIM_USEC;
        else if (!(v->unit == WSPSIM_UNIT_NONE || (v->unit == WSPSIM_UNIT_SIZE && !rate && !time)))
            return fail(P, v, WSPSIM_SCENARIO_ERROR_TYPE,
                        "%s takes %s", keys[idx],
                        rate   ? "bytes per second (10000) or a rate (80Kbps)"
                        : time ? "microseconds (20000) or a duration (20ms)"
                               : "bytes");
        if (n < 0 || n > 0xffffffffLL)
            return fail(P, v, WSPSIM_SCENARIO_ERROR_RANGE, "%s out of range (0 to 4294967295)",
                        keys[idx]);
    } else {
        return fail_unexpected(P, v, "a number, unspecified or infinite");
    }
    next(P);
    f->v[idx] = (guint32) n;
    f->set |= 1u << idx;
    return true;
}

/* A QOS template name the script can use: a well-known one, or one a
 * WSCInstallQOSTemplate call of the script installs (whether it exists when
 * used is the run's business: WSPGetQOSByName fails with WSAEINVAL). */
static bool
template_known(const Parser *P, const char *name)
{
    return wspsim_qos_template_known(name) ||
           (P->installed != NULL && g_hash_table_contains(P->installed, name));
}

/* Collect the names of WSCInstallQOSTemplate("NAME", ...) calls. */
static void
collect_installed(Parser *P)
{
    for (guint i = 0; i + 2 < P->toks->len; i++) {
        const Tok *t = &g_array_index(P->toks, Tok, i);
        const Tok *s = &g_array_index(P->toks, Tok, i + 2);

        if (t->kind == TK_IDENT && is_word(t, "WSCInstallQOSTemplate") &&
            is_punct(&g_array_index(P->toks, Tok, i + 1), '(') && s->kind == TK_STRING) {
            if (P->installed == NULL)
                P->installed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            g_hash_table_add(P->installed, g_strndup((const char *) s->sval, s->slen));
        }
    }
}

#define TEMPLATE_HINT                                                                          \
    "G711, G723.1, G729, GSM6.10, H263QCIF, H263CIF, H261QCIF, H261CIF, or a name the script " \
    "installs with WSCInstallQOSTemplate"

/* {[TEMPLATE,] send: SERVICE [k=v]..., recv: ..., mode: shape|discard|borrow|borrow_plus}
 * (at the '{'). */
static WspsimQosLit *
parse_qos_lit(Parser *P)
{
    WspsimQosLit *q = ast_alloc(P, sizeof *q);
    const Tok *open = next(P);
    bool first = true, mode_given = false;

    q->mode = -1;
    q->shaping = -1;
    while (!is_punct(peek(P), '}')) {
        const Tok *t = peek(P);

        if (first && (t->kind == TK_STRING || (t->kind == TK_IDENT && !is_punct(peek_at(P, 1), ':')))) {
            q->tmpl = tok_str(P, t);
            if (t->kind == TK_STRING)
                q->tmpl = ast_strndup(P, (const char *) t->sval, t->slen);
            if (!template_known(P, q->tmpl)) {
                fail(P, t, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                     "unknown QOS template '%s' (" TEMPLATE_HINT ")", q->tmpl);
                return NULL;
            }
            next(P);
        } else if (is_word(t, "send") || is_word(t, "recv")) {
            WspsimFlowLit *f = is_word(t, "send") ? &q->send : &q->recv;

            next(P);
            if (f->given) {
                fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "%.*s: given twice", (int) t->len,
                     t->start);
                return NULL;
            }
            f->given = true;
            if (!expect_punct(P, ':'))
                return NULL;
            if (!(peek(P)->kind == TK_IDENT && is_punct(peek_at(P, 1), '=')) &&
                !parse_service(P, f))
                return NULL;
            while (peek(P)->kind == TK_IDENT && is_punct(peek_at(P, 1), '='))
                if (!parse_flow_field(P, f))
                    return NULL;
        } else if (is_word(t, "mode")) {
            static const char *const modes[] = { "borrow", "shape", "discard", "borrow_plus" };
            const Tok *m;

            next(P);
            if (mode_given) {
                fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "mode: given twice");
                return NULL;
            }
            if (!expect_punct(P, ':'))
                return NULL;
            m = peek(P);
            for (guint i = 0; i < G_N_ELEMENTS(modes); i++)
                if (is_word(m, modes[i]))
                    q->mode = (gint32) i; /* TC_NONCONF_BORROW, _SHAPE, _DISCARD, _BORROW_PLUS */
            if (q->mode < 0) {
                fail_unexpected(P, m, "a mode (shape, discard, borrow, borrow_plus)");
                return NULL;
            }
            mode_given = true;
            next(P);
        } else if (is_word(t, "shaping")) {
            const Tok *v;

            next(P);
            if (q->shaping >= 0) {
                fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "shaping: given twice");
                return NULL;
            }
            if (!expect_punct(P, ':'))
                return NULL;
            v = peek(P);
            if (is_word(v, "unspecified")) {
                q->shaping = 0xffffffff; /* QOS_NOT_SPECIFIED: no uniform rate */
            } else if (v->kind == TK_NUMBER &&
                       (v->unit == WSPSIM_UNIT_NONE || v->unit == WSPSIM_UNIT_RATE)) {
                q->shaping = v->unit == WSPSIM_UNIT_RATE ? v->ival / 8 : v->ival;
                if (q->shaping > 0xffffffffLL) {
                    fail(P, v, WSPSIM_SCENARIO_ERROR_RANGE,
                         "shaping out of range (0 to 4294967295)");
                    return NULL;
                }
            } else {
                fail_unexpected(P, v, "bytes per second (8000), a rate (64Kbps) or unspecified");
                return NULL;
            }
            next(P);
        } else {
            fail_unexpected(P, t,
                            first ? "a template (G711), send:, recv:, mode: or shaping:"
                                  : "send:, recv:, mode: or shaping:");
            return NULL;
        }
        first = false;
        if (!accept_punct(P, ',') && !is_punct(peek(P), '}')) {
            fail_unexpected(P, peek(P), "',' or '}'");
            return NULL;
        }
    }
    next(P);
    if (q->tmpl == NULL && !q->send.given && !q->recv.given && q->mode < 0 && q->shaping < 0) {
        fail(P, open, WSPSIM_SCENARIO_ERROR_SYNTAX,
             "an empty QOS: write a template or send:/recv: (e.g. {send: guaranteed rate=10000})");
        return NULL;
    }
    return q;
}

/* ---- Argument kinds ------------------------------------------------------ */

static const char *
type_name(WspsimArgType t)
{
    switch (t) {
    case WSPSIM_T_INT:
        return "a number or constant";
    case WSPSIM_T_SOCK:
        return "a socket variable";
    case WSPSIM_T_DATA:
        return "data (\"text\", x\"hex\" or N bytes)";
    case WSPSIM_T_ADDR:
        return "an address with a port (e.g. 10.0.0.2:80)";
    case WSPSIM_T_TIME:
        return "a duration (e.g. 5ms)";
    case WSPSIM_T_SOCKS:
        return "a list of sockets (e.g. [s, t])";
    case WSPSIM_T_OPTVAL:
        return "an option value";
    case WSPSIM_T_BOOL:
        return "TRUE or FALSE";
    case WSPSIM_T_OV:
        return "an overlapped request (ov = overlapped(...))";
    case WSPSIM_T_ROUTINE:
        return "a completion routine (log)";
    case WSPSIM_T_QOS:
        return "a QOS ({send: guaranteed rate=10000, recv: notraffic}, a template such as G711, "
               "or a variable holding one)";
    case WSPSIM_T_PROC:
        return "a process (HOST.PROC)";
    case WSPSIM_T_INFO:
        return "a variable holding protocol info (info = WSPDuplicateSocket(...))";
    case WSPSIM_T_ENTRY:
        return "a catalog entry (tcp, udp, tcp6, udp6, rooted, rooted6)";
    }
    return "?";
}

static bool
check_arg(Parser *P, const WspsimParam *par, WspsimExpr *e)
{
    bool ok = false;

    switch (par->type) {
    case WSPSIM_T_INT:
        ok = e->kind == WSPSIM_EX_VAR ||
             (e->kind == WSPSIM_EX_INT &&
              (e->unit == WSPSIM_UNIT_NONE || e->unit == WSPSIM_UNIT_SIZE));
        break;
    case WSPSIM_T_BOOL:
        ok = e->kind == WSPSIM_EX_VAR || (e->kind == WSPSIM_EX_INT && e->unit == WSPSIM_UNIT_NONE);
        break;
    case WSPSIM_T_SOCK:
        ok = e->kind == WSPSIM_EX_VAR || (e->kind == WSPSIM_EX_INT && e->unit == WSPSIM_UNIT_NONE);
        break;
    case WSPSIM_T_DATA:
        ok = e->kind == WSPSIM_EX_VAR || e->kind == WSPSIM_EX_BYTES || e->kind == WSPSIM_EX_FILL;
        break;
    case WSPSIM_T_ADDR:
        ok = e->kind == WSPSIM_EX_VAR || e->kind == WSPSIM_EX_ADDR;
        break;
    case WSPSIM_T_TIME:
        ok = e->kind == WSPSIM_EX_VAR ||
             (e->kind == WSPSIM_EX_INT &&
              (e->unit == WSPSIM_UNIT_TIME || (e->unit == WSPSIM_UNIT_NONE && e->i == 0)));
        if (ok && e->kind == WSPSIM_EX_INT && (guint64) e->i > WSPSIM_MAX_TIME_NS)
            return fail(P, &(Tok){ .line = e->line, .col = e->col }, WSPSIM_SCENARIO_ERROR_RANGE,
                        "duration out of range (0 to 1000000s)");
        break;
    case WSPSIM_T_SOCKS:
        ok = e->kind == WSPSIM_EX_LIST;
        for (guint i = 0; ok && i < e->n_items; i++)
            ok = e->items[i]->kind == WSPSIM_EX_VAR || e->items[i]->kind == WSPSIM_EX_INT;
        break;
    case WSPSIM_T_OV:
        ok = e->kind == WSPSIM_EX_VAR;
        break;
    case WSPSIM_T_ROUTINE:
        /* The one routine a scenario can pass: it logs and records. */
        ok = e->kind == WSPSIM_EX_VAR && strcmp(e->name, "log") == 0;
        if (ok) {
            e->kind = WSPSIM_EX_INT;
            e->i = 1;
        }
        break;
    case WSPSIM_T_QOS:
        /* a bare template name (G711) or a "string" one is a template */
        if ((e->kind == WSPSIM_EX_VAR && template_known(P, e->name)) ||
            e->kind == WSPSIM_EX_BYTES) {
            const char *n = e->kind == WSPSIM_EX_VAR ? e->name : (const char *) e->bytes;

            if (!template_known(P, n))
                return fail(P, &(Tok){ .line = e->line, .col = e->col },
                            WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                            "unknown QOS template \"%s\" (" TEMPLATE_HINT ")", n);
            e->qos = ast_alloc(P, sizeof *e->qos);
            e->qos->tmpl = n;
            e->qos->mode = -1;
            e->qos->shaping = -1;
            e->kind = WSPSIM_EX_QOS;
        }
        ok = e->kind == WSPSIM_EX_VAR || e->kind == WSPSIM_EX_QOS;
        break;
    case WSPSIM_T_PROC:
        ok = e->kind == WSPSIM_EX_PROC || (e->kind == WSPSIM_EX_INT && e->unit == WSPSIM_UNIT_NONE);
        break;
    case WSPSIM_T_INFO:
        ok = e->kind == WSPSIM_EX_VAR;
        break;
    case WSPSIM_T_ENTRY:
        if (e->kind == WSPSIM_EX_VAR) {
            static const struct {
                const char *name;
                gint64 id;
            } entries[] = {
                /* WSPSIM_CATALOG_* (wspsim-spi.h) */
                { "tcp", 1001 },  { "tcp6", 1002 },   { "udp", 1003 },
                { "udp6", 1004 }, { "rooted", 1005 }, { "rooted6", 1006 },
            };

            for (guint i = 0; i < G_N_ELEMENTS(entries); i++)
                if (strcmp(e->name, entries[i].name) == 0) {
                    e->kind = WSPSIM_EX_INT;
                    e->i = entries[i].id;
                }
        }
        ok = e->kind == WSPSIM_EX_INT && e->unit == WSPSIM_UNIT_NONE;
        break;
    case WSPSIM_T_OPTVAL:
        ok = e->kind == WSPSIM_EX_VAR || e->kind == WSPSIM_EX_INT ||

             (e->kind == WSPSIM_EX_LIST && e->n_items == 2 && e->items[0]->kind == WSPSIM_EX_INT &&
              e->items[1]->kind == WSPSIM_EX_INT);
        break;
    }
    if (!ok)
        return fail(P, &(Tok){ .line = e->line, .col = e->col }, WSPSIM_SCENARIO_ERROR_TYPE,
                    "argument '%s' takes %s", par->name, type_name(par->type));
    return true;
}

/* ---- Expectations --------------------------------------------------------- */

static bool
event_bit(const char *name, size_t len, guint *out_bit)
{
    static const char *const names[] = { "FD_READ",
                                         "FD_WRITE",
                                         "FD_OOB",
                                         "FD_ACCEPT",
                                         "FD_CONNECT",
                                         "FD_CLOSE",
                                         "FD_QOS",
                                         "FD_GROUP_QOS",
                                         "FD_ROUTING_INTERFACE_CHANGE",
                                         "FD_ADDRESS_LIST_CHANGE" };

    for (guint i = 0; i < G_N_ELEMENTS(names); i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) {
            *out_bit = i;
            return true;
        }
    return false;
}

static bool
result_allows(Parser *P, const Tok *t, WspsimResultKind rk, WspsimExpectKind xk, const char *fn)
{
    bool ok = true;

    switch (xk) {
    case WSPSIM_XP_ANY:
    case WSPSIM_XP_OK:
    case WSPSIM_XP_ERROR:
    case WSPSIM_XP_INT:
        break;
    case WSPSIM_XP_DATA:
    case WSPSIM_XP_NBYTES:
    case WSPSIM_XP_FROM:
        ok = rk == WSPSIM_R_DATA;
        break;
    case WSPSIM_XP_ADDR:
        ok = rk == WSPSIM_R_ADDR;
        break;
    case WSPSIM_XP_EVENTS:
        ok = rk == WSPSIM_R_EVENTS;
        break;
    case WSPSIM_XP_SET:
        ok = rk == WSPSIM_R_SELECT;
        break;
    case WSPSIM_XP_WAIT:
    case WSPSIM_XP_MSG:
        ok = false;
        break;
    case WSPSIM_XP_QOS: /* WSPAccept: what its condition function was offered */
        ok = rk == WSPSIM_R_QOS || strcmp(fn, "WSPAccept") == 0;
        break;
    case WSPSIM_XP_STATUS:
        ok = rk == WSPSIM_R_QOS;
        break;
    case WSPSIM_XP_PEERDATA:
        ok = rk == WSPSIM_R_SOCKET;
        break;
    }
    if (!ok)
        return fail(P, t, WSPSIM_SCENARIO_ERROR_TYPE, "%s cannot be expected to give %.*s", fn,
                    (int) t->len, t->start);
    return true;
}

static bool
parse_events(Parser *P, WspsimExpect *x)
{
    for (;;) {
        const Tok *t = peek(P);
        guint bit;

        if (t->kind != TK_IDENT || !event_bit(t->start, t->len, &bit))
            return fail(P, t, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                        "expected a network event (FD_READ, FD_WRITE, FD_OOB, FD_ACCEPT, "
                        "FD_CONNECT, FD_CLOSE, FD_QOS...)");
        next(P);
        x->ev_mask |= 1u << bit;
        if (accept_punct(P, '(')) {
            const Tok *c = peek(P);
            gint64 v;

            if (c->kind == TK_NUMBER && c->unit == WSPSIM_UNIT_NONE)
                v = c->ival;
            else if (c->kind != TK_IDENT || !wspsim_const_lookup(c->start, c->len, &v))
                return fail(P, c, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                            "expected an error code (0 or WSAE...)");
            next(P);
            x->ev_err[bit] = (gint32) v;
            x->ev_err_given |= 1u << bit;
            if (!expect_punct(P, ')'))
                return false;
        }
        if (!accept_punct(P, '|'))
            return true;
    }
}

static bool
parse_expect(Parser *P, WspsimStmt *st)
{
    GArray *xs = g_array_new(FALSE, TRUE, sizeof(WspsimExpect));
    guint first = P->pos;
    WspsimResultKind rk = wspsim_call_result(st->spec);
    const char *fn = wspsim_call_name(st->spec);
    bool ok = false;

    for (;;) {
        const Tok *t = peek(P);
        WspsimExpect x = { 0 };
        gint64 v;

        x.line = t->line;
        x.col = t->col;
        if (t->kind == TK_IDENT && is_punct(peek_at(P, 1), '=')) {
            const Tok *name = next(P);

            next(P);
            if (is_word(name, "read") || is_word(name, "write") || is_word(name, "except")) {
                WspsimExpr *e = parse_expr(P);

                if (e == NULL)
                    goto out;
                if (e->kind != WSPSIM_EX_LIST) {
                    fail(P, name, WSPSIM_SCENARIO_ERROR_TYPE, "%.*s= takes a list of sockets",
                         (int) name->len, name->start);
                    goto out;
                }
                for (guint i = 0; i < e->n_items; i++)
                    if (e->items[i]->kind != WSPSIM_EX_VAR) {
                        fail(P, name, WSPSIM_SCENARIO_ERROR_TYPE,
                             "a socket set lists socket variables");
                        goto out;
                    }
                x.kind = WSPSIM_XP_SET;
                x.i = is_word(name, "read") ? 0 : is_word(name, "write") ? 1 : 2;
                x.list = e;
            } else if (is_word(name, "qos")) {
                if (!is_punct(peek(P), '{')) {
                    fail_unexpected(P, peek(P), "a QOS ({send: guaranteed rate=10000, ...})");
                    goto out;
                }
                x.kind = WSPSIM_XP_QOS;
                x.qos = parse_qos_lit(P);
                if (x.qos == NULL)
                    goto out;
                if (x.qos->tmpl != NULL) {
                    fail(P, name, WSPSIM_SCENARIO_ERROR_SYNTAX,
                         "an expected QOS writes its values, not a template");
                    goto out;
                }
            } else if (is_word(name, "status")) {
                const Tok *c = peek(P);

                if (c->kind == TK_NUMBER && c->unit == WSPSIM_UNIT_NONE)
                    x.i = c->ival;
                else if (c->kind != TK_IDENT || !wspsim_const_lookup(c->start, c->len, &x.i)) {
                    fail(P, c, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                         "expected an RSVP status code (WSA_QOS_REQUEST_CONFIRMED, "
                         "WSA_QOS_ADMISSION_FAILURE...)");
                    goto out;
                }
                next(P);
                x.kind = WSPSIM_XP_STATUS;
            } else if (is_word(name, "caller") || is_word(name, "callee")) {
                const Tok *d = peek(P);

                if (d->kind != TK_STRING && d->kind != TK_HEX) {
                    fail_unexpected(P, d, "\"data\"");
                    goto out;
                }
                if (is_word(name, "caller") != (strcmp(fn, "WSPAccept") == 0)) {
                    fail(P, name, WSPSIM_SCENARIO_ERROR_TYPE,
                         "%s cannot be expected to give %.*s= (caller= after WSPAccept, callee= "
                         "after WSPJoinLeaf)",
                         fn, (int) name->len, name->start);
                    goto out;
                }
                x.kind = WSPSIM_XP_PEERDATA;
                x.bytes = ast_alloc(P, d->slen + 1);
                memcpy(x.bytes, d->sval, d->slen);
                x.len = d->slen;
                next(P);
            } else if (is_word(name, "from")) {
                if (peek(P)->kind != TK_ADDR) {
                    fail_unexpected(P, peek(P), "an address");
                    goto out;
                }
                x.kind = WSPSIM_XP_FROM;
                x.addr = next(P)->addr;
            } else {
                fail(P, name, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                     "unknown expectation '%.*s=' (read=, write=, except=, from=, qos=, status=, "
                     "caller=, callee=)",
                     (int) name->len,
                     name->start);
                goto out;
            }
            if (!result_allows(P, name, rk, x.kind, fn))
                goto out;
        } else if (t->kind == TK_IDENT && (is_word(t, "any") || is_word(t, "ok"))) {
            x.kind = is_word(t, "any") ? WSPSIM_XP_ANY : WSPSIM_XP_OK;
            next(P);
        } else if (t->kind == TK_IDENT && t->len > 3 && memcmp(t->start, "FD_", 3) == 0) {
            if (!result_allows(P, t, rk, WSPSIM_XP_EVENTS, fn))
                goto out;
            x.kind = WSPSIM_XP_EVENTS;
            if (!parse_events(P, &x))
                goto out;
        } else if (t->kind == TK_IDENT) {
            if (!wspsim_const_lookup(t->start, t->len, &v)) {
                fail(P, t, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "unknown constant '%.*s'",
                     (int) t->len, t->start);
                goto out;
            }
            if (t->len > 3 && memcmp(t->start, "WSA", 3) == 0 && wspsim_error_name(v) != NULL) {
                x.kind = WSPSIM_XP_ERROR;
            } else {
                x.kind = WSPSIM_XP_INT;
            }
            x.i = v;
            next(P);
        } else if (t->kind == TK_NUMBER) {
            if (is_word(peek_at(P, 1), "bytes") || is_word(peek_at(P, 1), "byte")) {
                if (!result_allows(P, t, rk, WSPSIM_XP_NBYTES, fn))
                    goto out;
                x.kind = WSPSIM_XP_NBYTES;
                next(P);
            } else {
                x.kind = WSPSIM_XP_INT;
            }
            if (t->unit != WSPSIM_UNIT_NONE && t->unit != WSPSIM_UNIT_SIZE) {
                fail(P, t, WSPSIM_SCENARIO_ERROR_TYPE, "expected a count");
                goto out;
            }
            x.i = t->ival;
            next(P);
        } else if (t->kind == TK_STRING || t->kind == TK_HEX) {
            if (!result_allows(P, t, rk, WSPSIM_XP_DATA, fn))
                goto out;
            x.kind = WSPSIM_XP_DATA;
            x.bytes = ast_alloc(P, t->slen + 1);
            memcpy(x.bytes, t->sval, t->slen);
            x.len = t->slen;
            next(P);
        } else if (t->kind == TK_ADDR) {
            if (!result_allows(P, t, rk, WSPSIM_XP_ADDR, fn))
                goto out;
            x.kind = WSPSIM_XP_ADDR;
            x.addr = t->addr;
            next(P);
        } else {
            fail_unexpected(P, t,
                            "an expectation (a value, WSAE... error, \"data\", N bytes, "
                            "read=[...], FD_... events, any, ok)");
            goto out;
        }
        g_array_append_val(xs, x);
        if (xs->len > 16) {
            fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "too many expectations");
            goto out;
        }
        /* Expectations are separated by ',' or just a space: -> 5 "hello" */
        if (!accept_punct(P, ',') && (peek(P)->kind == TK_NEWLINE || peek(P)->kind == TK_EOF))
            break;
    }
    st->expect_text = span_text(P, first, P->pos - 1);
    st->n_expect = xs->len;
    st->expect = ast_alloc(P, sizeof(WspsimExpect) * xs->len);
    memcpy(st->expect, xs->data, sizeof(WspsimExpect) * xs->len);
    ok = true;
out:
    g_array_unref(xs);
    return ok;
}

/* ---- Statements ---------------------------------------------------------- */

static bool parse_block(Parser *P, WspsimBlock *out);
static bool check_host_name(Parser *P, const Tok *h);

static bool
parse_call(Parser *P, WspsimStmt *st, const Tok *assign)
{
    const Tok *fn = next(P);
    guint first = P->pos - 1;
    guint n_params, n_pos = 0;
    const WspsimParam *params;

    st->kind = WSPSIM_ST_CALL;
    st->spec = wspsim_call_lookup(fn->start, fn->len);
    st->assign_slot = -1;
    if (st->spec == NULL) {
        if (fn->len > 3 && memcmp(fn->start, "WSP", 3) == 0)
            return fail(P, fn, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                        "unknown or not yet supported function '%.*s'", (int) fn->len, fn->start);
        return fail(P, fn, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                    "unknown statement '%.*s' (a WSP function call, sleep, repeat, for, note)",
                    (int) fn->len, fn->start);
    }
    params = wspsim_call_params(st->spec, &n_params);
    if (!expect_punct(P, '('))
        return false;
    while (!is_punct(peek(P), ')')) {
        const Tok *t = peek(P);
        guint idx;
        WspsimExpr *e;

        if (t->kind == TK_IDENT && is_punct(peek_at(P, 1), '=')) {
            for (idx = 0; idx < n_params; idx++)
                if (is_word(t, params[idx].name))
                    break;
            if (idx == n_params)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                            "%s has no argument named '%.*s'", wspsim_call_name(st->spec),
                            (int) t->len, t->start);
            next(P);
            next(P);
        } else {
            /* qos=, entry= and info= are given by name only */
            if (n_pos >= n_params || params[n_pos].type == WSPSIM_T_QOS ||
                params[n_pos].type == WSPSIM_T_ENTRY || params[n_pos].type == WSPSIM_T_INFO)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "too many arguments to %s",
                            wspsim_call_name(st->spec));
            idx = n_pos++;
        }
        if (st->args[idx] != NULL)
            return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "argument '%s' given twice",
                        params[idx].name);
        if (params[idx].type == WSPSIM_T_PROC && peek(P)->kind == TK_IDENT &&
            is_punct(peek_at(P, 1), '.')) {
            /* HOST.PROC or HOST.PROC[k] (a template's instance) */
            const Tok *h = next(P), *pn = NULL;
            guint pfirst = P->pos - 1;

            next(P);
            if (!check_host_name(P, h) || !expect_name(P, "a process name", &pn))
                return false;
            if (accept_punct(P, '[')) {
                gint64 k;

                if (!take_count(P, "an instance", 0, G_MAXINT32, false, &k) ||
                    !expect_punct(P, ']'))
                    return false;
            }
            e = new_expr(P, WSPSIM_EX_PROC, h);
            e->name = span_text(P, pfirst, P->pos - 1);
        } else {
            e = parse_expr(P);
        }
        if (e == NULL || !check_arg(P, &params[idx], e))
            return false;
        st->args[idx] = e;
        if (!accept_punct(P, ',') && !is_punct(peek(P), ')'))
            return fail_unexpected(P, peek(P), "',' or ')'");
    }
    next(P);
    st->text = span_text(P, first, P->pos - 1);
    for (guint i = 0; i < n_params; i++)
        if (st->args[i] == NULL && !params[i].optional)
            return fail(P, fn, WSPSIM_SCENARIO_ERROR_SYNTAX, "%s needs argument '%s' (%s)",
                        wspsim_call_name(st->spec), params[i].name, type_name(params[i].type));
    if (strcmp(wspsim_call_name(st->spec), "WSPSocket") == 0 && st->args[5] == NULL)
        for (guint i = 0; i < 2; i++) /* af and type, unless info= */
            if (st->args[i] == NULL)
                return fail(P, fn, WSPSIM_SCENARIO_ERROR_SYNTAX, "%s needs argument '%s' (%s)",
                            wspsim_call_name(st->spec), params[i].name, type_name(params[i].type));
    st->spec = wspsim_call_refine(st->spec, st->args);

    if (assign != NULL)
        st->assign = tok_str(P, assign);
    if (peek(P)->kind == TK_ARROW) {
        next(P);
        if (!parse_expect(P, st))
            return false;
    }
    return expect_eol(P);
}

/* The time-out of a wait: a duration or INFINITE. */
static bool
take_timeout(Parser *P, WspsimStmt *st)
{
    if (is_word(peek(P), "INFINITE") || is_word(peek(P), "infinite")) {
        next(P);
        st->infinite = true;
        return true;
    }
    if (!take_time(P, "a wait's time-out", &st->duration))
        return false;
    if (st->duration / SIM_MSEC >= 0xffffffffu)
        return fail(P, peek_at(P, 0), WSPSIM_SCENARIO_ERROR_RANGE, "time-out too long");
    return true;
}

/* MSG(sock, FD_X, error) | MSG(sock, FD_X) after "->" of a message wait. */
static bool
parse_msg_expect(Parser *P, WspsimExpect *x)
{
    const Tok *m = peek(P), *e;
    WspsimExpr *sock;
    guint bit;
    gint64 v;

    x->kind = WSPSIM_XP_MSG;
    if (m->kind == TK_NUMBER && m->unit == WSPSIM_UNIT_NONE)
        x->i = m->ival;
    else if (m->kind != TK_IDENT || !wspsim_const_lookup(m->start, m->len, &x->i))
        return fail(P, m, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                    "expected a message (WM_SOCKET(s, FD_READ, 0)), timeout or none");
    next(P);
    if (!expect_punct(P, '('))
        return false;
    sock = parse_expr(P);
    if (sock == NULL)
        return false;
    if (sock->kind != WSPSIM_EX_VAR)
        return fail(P, &(Tok){ .line = sock->line, .col = sock->col }, WSPSIM_SCENARIO_ERROR_TYPE,
                    "a message names its socket by variable");
    x->list = sock;
    if (!expect_punct(P, ','))
        return false;
    e = peek(P);
    if (e->kind != TK_IDENT || !event_bit(e->start, e->len, &bit))
        return fail(P, e, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                    "expected a network event (FD_READ, FD_WRITE, FD_OOB, FD_ACCEPT, "
                    "FD_CONNECT, FD_CLOSE, FD_QOS...)");
    next(P);
    x->ev_mask = 1u << bit;
    if (accept_punct(P, ',')) {
        const Tok *c = peek(P);

        if (c->kind == TK_NUMBER && c->unit == WSPSIM_UNIT_NONE)
            v = c->ival;
        else if (c->kind != TK_IDENT || !wspsim_const_lookup(c->start, c->len, &v))
            return fail(P, c, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                        "expected an error code (0 or WSAE...)");
        next(P);
        x->ev_err[0] = (gint32) v;
        x->ev_err_given = 1;
    }
    return expect_punct(P, ')');
}

/* wait EV DUR [alertable] [-> signalled|timeout|io_completion]
 * wait any|all [EV, ...] DUR [alertable] [-> N|signalled|timeout|io_completion]
 * wait message W DUR [-> MSG(s, FD_X, err)|timeout]
 * expect message W [-> MSG(s, FD_X, err)|none] */
static bool
parse_wait(Parser *P, WspsimStmt *st)
{
    const Tok *kw = next(P), *t;
    guint first = P->pos - 1;
    WspsimExpect *x;

    st->kind = WSPSIM_ST_WAIT;
    t = peek(P);
    if (is_word(kw, "expect") || is_word(t, "message")) {
        const Tok *w = NULL;

        next(P);
        st->wait_kind = is_word(kw, "expect") ? WSPSIM_WAIT_PEEK : WSPSIM_WAIT_MESSAGE;
        if (!expect_name(P, "a window variable", &w))
            return false;
        st->target = new_expr(P, WSPSIM_EX_VAR, w);
        st->target->name = tok_str(P, w);
        if (st->wait_kind == WSPSIM_WAIT_MESSAGE && !take_timeout(P, st))
            return false;
    } else if (is_word(t, "any") || is_word(t, "all")) {
        next(P);
        st->wait_kind = is_word(t, "any") ? WSPSIM_WAIT_ANY : WSPSIM_WAIT_ALL;
        if (!is_punct(peek(P), '['))
            return fail_unexpected(P, peek(P), "a list of events ([ev1, ev2])");
        st->target = parse_expr(P);
        if (st->target == NULL)
            return false;
        if (st->target->n_items == 0 || st->target->n_items > 64)
            return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "a wait takes 1 to 64 events");
        for (guint i = 0; i < st->target->n_items; i++)
            if (st->target->items[i]->kind != WSPSIM_EX_VAR)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_TYPE, "a wait lists event variables");
        if (!take_timeout(P, st))
            return false;
    } else {
        const Tok *v = NULL;

        st->wait_kind = WSPSIM_WAIT_EVENT;
        if (!expect_name(P, "an event variable, any [...], all [...] or message W", &v))
            return false;
        st->target = new_expr(P, WSPSIM_EX_VAR, v);
        st->target->name = tok_str(P, v);
        if (!take_timeout(P, st))
            return false;
    }
    if (st->wait_kind != WSPSIM_WAIT_MESSAGE && st->wait_kind != WSPSIM_WAIT_PEEK &&
        is_word(peek(P), "alertable")) {
        next(P);
        st->alertable = true;
    }
    st->text = span_text(P, first, P->pos - 1);
    if (peek(P)->kind != TK_ARROW)
        return expect_eol(P);
    next(P);
    first = P->pos;
    x = ast_alloc(P, sizeof *x);
    st->expect = x;
    st->n_expect = 1;
    t = peek(P);
    x->line = t->line;
    x->col = t->col;
    x->kind = WSPSIM_XP_WAIT;
    if (st->wait_kind == WSPSIM_WAIT_MESSAGE || st->wait_kind == WSPSIM_WAIT_PEEK) {
        if (is_word(t, "timeout") || is_word(t, "none")) {
            x->i = WSPSIM_WAIT_TIMEOUT;
            next(P);
        } else if (!parse_msg_expect(P, x)) {
            return false;
        }
    } else if (is_word(t, "signalled") || is_word(t, "signaled")) {
        x->i = WSPSIM_WAIT_SIGNALLED;
        next(P);
    } else if (is_word(t, "timeout")) {
        x->i = WSPSIM_WAIT_TIMEOUT;
        next(P);
    } else if (is_word(t, "io_completion")) {
        x->i = WSPSIM_WAIT_IO_COMPLETION;
        next(P);
    } else if (t->kind == TK_NUMBER && t->unit == WSPSIM_UNIT_NONE &&
               st->wait_kind == WSPSIM_WAIT_ANY) {
        if (t->ival < 0 || t->ival >= st->target->n_items)
            return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "index out of range (0 to %u)",
                        st->target->n_items - 1);
        x->i = t->ival;
        next(P);
    } else {
        return fail_unexpected(P, t,
                               st->wait_kind == WSPSIM_WAIT_ANY
                                   ? "signalled, timeout, io_completion or an index"
                                   : "signalled, timeout or io_completion");
    }
    st->expect_text = span_text(P, first, P->pos - 1);
    return expect_eol(P);
}

static WspsimStmt *
parse_stmt(Parser *P)
{
    const Tok *t = peek(P);
    WspsimStmt *st = ast_alloc(P, sizeof *st);

    st->line = t->line;
    st->col = t->col;
    st->assign_slot = -1;
    st->var_slot = -1;
    P->s->n_statements++;
    if (t->kind != TK_IDENT) {
        fail_unexpected(P, t, "a statement");
        return NULL;
    }
    if (is_punct(peek_at(P, 1), '=')) {
        const Tok *var = next(P);

        next(P);
        if (peek(P)->kind != TK_IDENT || !is_punct(peek_at(P, 1), '(')) {
            fail_unexpected(P, peek(P), "a function call (x = WSPSocket(...))");
            return NULL;
        }
        if (looks_like_constant(var) || wspsim_const_lookup(var->start, var->len, &(gint64){ 0 })) {
            fail(P, var, WSPSIM_SCENARIO_ERROR_SYNTAX, "'%.*s' is a constant, not a variable",
                 (int) var->len, var->start);
            return NULL;
        }
        return parse_call(P, st, var) ? st : NULL;
    }
    if (is_word(t, "sleep")) {
        next(P);
        st->kind = WSPSIM_ST_SLEEP;
        if (!take_time(P, "sleep", &st->duration))
            return NULL;
        if (is_word(peek(P), "alertable")) {
            next(P);
            st->alertable = true;
        }
        if (!expect_eol(P))
            return NULL;
        return st;
    }
    if (is_word(t, "wait") || (is_word(t, "expect") && is_word(peek_at(P, 1), "message")))
        return parse_wait(P, st) ? st : NULL;
    if (is_word(t, "cancel")) {
        const Tok *n = NULL;

        next(P);
        st->kind = WSPSIM_ST_CANCEL;
        if (!expect_name(P, "a thread of this process (cancel NAME)", &n))
            return NULL;
        st->thread = tok_str(P, n);
        st->text = span_text(P, P->pos - 2, P->pos - 1);
        if (peek(P)->kind == TK_ARROW) {
            const Tok *x;

            next(P);
            x = peek(P);
            st->expect = ast_alloc(P, sizeof(WspsimExpect));
            st->n_expect = 1;
            if (is_word(x, "ok")) {
                st->expect->kind = WSPSIM_XP_OK;
            } else if (is_word(x, "WSAEINVAL")) {
                st->expect->kind = WSPSIM_XP_ERROR;
                wspsim_const_lookup("WSAEINVAL", 9, &st->expect->i);
            } else {
                fail_unexpected(P, x, "ok or WSAEINVAL");
                return NULL;
            }
            st->expect_text = tok_str(P, x);
            next(P);
        }
        return expect_eol(P) ? st : NULL;
    }
    if (is_word(t, "note")) {
        const Tok *s;

        next(P);
        st->kind = WSPSIM_ST_NOTE;
        s = peek(P);
        if (s->kind != TK_STRING) {
            fail_unexpected(P, s, "a \"string\"");
            return NULL;
        }
        st->note = ast_strndup(P, (const char *) s->sval, s->slen);
        next(P);
        return expect_eol(P) ? st : NULL;
    }
    if (is_word(t, "repeat") || is_word(t, "for")) {
        bool is_for = is_word(t, "for");

        next(P);
        st->kind = WSPSIM_ST_REPEAT;
        if (is_for) {
            const Tok *v = NULL;
            gint64 to;

            if (!expect_name(P, "a loop variable", &v))
                return NULL;
            if (!is_word(peek(P), "in")) {
                fail_unexpected(P, peek(P), "'in' (for i in 1..10:)");
                return NULL;
            }
            next(P);
            if (!take_count(P, "loop start", -WSPSIM_MAX_REPEAT, WSPSIM_MAX_REPEAT, false,
                            &st->from))
                return NULL;
            if (peek(P)->kind != TK_DOTDOT) {
                fail_unexpected(P, peek(P), "'..'");
                return NULL;
            }
            next(P);
            if (!take_count(P, "loop end", -WSPSIM_MAX_REPEAT, WSPSIM_MAX_REPEAT, false, &to))
                return NULL;
            st->count = to >= st->from ? to - st->from + 1 : 0;
            if (st->count > WSPSIM_MAX_REPEAT) {
                fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "too many iterations");
                return NULL;
            }
            st->var = tok_str(P, v);
        } else if (!take_count(P, "repeat", 0, WSPSIM_MAX_REPEAT, false, &st->count)) {
            return NULL;
        }
        if (!expect_punct(P, ':'))
            return NULL;
        if (!parse_block(P, &st->body))
            return NULL;
        return st;
    }
    if (is_word(t, "if") || is_word(t, "while")) {
        fail(P, t, WSPSIM_SCENARIO_ERROR_FAILED, "'%.*s' is reserved and not implemented yet",
             (int) t->len, t->start);
        return NULL;
    }
    if (is_punct(peek_at(P, 1), '('))
        return parse_call(P, st, NULL) ? st : NULL;
    fail(P, t, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
         "unknown statement '%.*s' (a WSP function call, x = call, sleep, repeat, for, note)",
         (int) t->len, t->start);
    return NULL;
}

/* ':' NEWLINE INDENT stmt+ DEDENT (the ':' already taken). */
static bool
parse_block(Parser *P, WspsimBlock *out)
{
    GPtrArray *stmts;
    bool ok = true;

    if (peek(P)->kind != TK_NEWLINE)
        return fail_unexpected(P, peek(P), "end of line after ':'");
    next(P);
    if (peek(P)->kind != TK_INDENT)
        return fail_unexpected(P, peek(P), "an indented block");
    next(P);
    if (++P->depth > WSPSIM_MAX_DEPTH)
        return fail(P, peek(P), WSPSIM_SCENARIO_ERROR_RANGE, "blocks nested too deeply");
    stmts = g_ptr_array_new();
    while (peek(P)->kind != TK_DEDENT && peek(P)->kind != TK_EOF) {
        WspsimStmt *st = parse_stmt(P);

        if (st == NULL) {
            ok = false;
            break;
        }
        g_ptr_array_add(stmts, st);
    }
    if (ok)
        next(P);
    P->depth--;
    out->n = stmts->len;
    out->stmts = ast_alloc(P, sizeof(WspsimStmt *) * (stmts->len + 1));
    if (stmts->len > 0)
        memcpy(out->stmts, stmts->pdata, sizeof(WspsimStmt *) * stmts->len);
    g_ptr_array_unref(stmts);
    return ok;
}

/* ---- Processes and threads ------------------------------------------------- */

static void
proc_decl_free(gpointer p)
{
    WspsimProcDecl *d = p;

    g_free(d->host);
    g_free(d->name);
    g_ptr_array_unref(d->vars);
    g_free(d);
}

static void
thread_decl_free(gpointer p)
{
    WspsimThreadDecl *d = p;

    g_free(d->host);
    g_free(d->proc);
    g_free(d->name);
    g_free(d);
}

static WspsimProcDecl *
find_proc(const WspsimScript *s, const char *host, const char *name, guint *out_index)
{
    for (guint i = 0; i < s->procs->len; i++) {
        WspsimProcDecl *d = g_ptr_array_index(s->procs, i);

        if (strcmp(d->host, host) == 0 && strcmp(d->name, name) == 0) {
            *out_index = i;
            return d;
        }
    }
    return NULL;
}

static WspsimProcDecl *
get_proc(Parser *P, const Tok *at, const char *host, const char *name, bool templated,
         guint *out_index)
{
    WspsimProcDecl *d = find_proc(P->s, host, name, out_index);

    if (d != NULL) {
        if (templated || d->templated) {
            fail(P, at, WSPSIM_SCENARIO_ERROR_SYNTAX,
                 "process %s.%s is a template: it can have only one thread", host, name);
            return NULL;
        }
        return d;
    }
    d = g_new0(WspsimProcDecl, 1);
    d->host = g_strdup(host);
    d->name = g_strdup(name);
    d->templated = templated;
    d->vars = g_ptr_array_new_with_free_func(g_free);
    d->line = at->line;
    d->col = at->col;
    *out_index = P->s->procs->len;
    g_ptr_array_add(P->s->procs, d);
    return d;
}

static bool
check_host_name(Parser *P, const Tok *h)
{
    WspsimHostDecl *hd = find_host(P->s, h->start, h->len);

    if (hd == NULL)
        return fail(P, h, WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
                    "unknown host '%.*s' (declare it with 'host NAME ADDRESS' first)", (int) h->len,
                    h->start);
    if (hd->router)
        return fail(P, h, WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
                    "'%.*s' is a router: processes run on hosts", (int) h->len, h->start);
    return true;
}

static bool
parse_process(Parser *P)
{
    const Tok *kw = next(P), *h = NULL, *n = NULL;
    g_autofree char *host = NULL, *name = NULL;
    guint idx;

    if (!expect_name(P, "HOST.PROCESS", &h) || !check_host_name(P, h) || !expect_punct(P, '.') ||
        !expect_name(P, "a process name", &n))
        return false;
    host = g_strndup(h->start, h->len);
    name = g_strndup(n->start, n->len);
    if (find_proc(P->s, host, name, &idx) != NULL)
        return fail(P, n, WSPSIM_SCENARIO_ERROR_SYNTAX, "process %s.%s is already declared", host,
                    name);
    if (get_proc(P, kw, host, name, false, &idx) == NULL)
        return false;
    return expect_eol(P);
}

/* [VAR=A..B] after a name. */
static bool
parse_template(Parser *P, WspsimThreadDecl *td)
{
    const Tok *v = NULL, *t = peek(P);

    next(P);
    if (!expect_name(P, "a template variable", &v) || !expect_punct(P, '='))
        return false;
    if (!take_count(P, "template start", 0, G_MAXINT32, false, &td->tfrom))
        return false;
    if (peek(P)->kind != TK_DOTDOT)
        return fail_unexpected(P, peek(P), "'..'");
    next(P);
    if (!take_count(P, "template end", 0, G_MAXINT32, false, &td->tto))
        return false;
    if (td->tto < td->tfrom || td->tto - td->tfrom + 1 > WSPSIM_MAX_INSTANCES)
        return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE,
                    "template range must be A..B with A <= B and at most %u instances",
                    WSPSIM_MAX_INSTANCES);
    td->tvar = tok_str(P, v);
    return expect_punct(P, ']');
}

static bool
parse_thread(Parser *P)
{
    const Tok *kw = next(P), *h = NULL, *a = NULL, *b = NULL;
    WspsimThreadDecl *td = g_new0(WspsimThreadDecl, 1);
    g_autofree char *host = NULL;
    WspsimProcDecl *pd;

    g_ptr_array_add(P->s->threads, td);
    td->line = kw->line;
    td->col = kw->col;
    td->tvar_slot = -1;
    if (!expect_name(P, "HOST.NAME", &h) || !check_host_name(P, h) || !expect_punct(P, '.') ||
        !expect_name(P, "a process or thread name", &a))
        return false;
    if (is_punct(peek(P), '[') && !parse_template(P, td))
        return false;
    if (accept_punct(P, '.')) {
        if (!expect_name(P, "a thread name", &b))
            return false;
        if (is_punct(peek(P), '['))
            return fail(P, peek(P), WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "a template makes one process per instance: write "
                        "thread HOST.PROC[i=A..B].THREAD");
    }
    td->host = g_strndup(h->start, h->len);
    td->proc = g_strndup(a->start, a->len);
    td->name = b != NULL ? g_strndup(b->start, b->len) : g_strndup(a->start, a->len);
    if (is_word(peek(P), "at")) {
        next(P);
        if (!take_time(P, "start time", &td->start))
            return false;
    }
    if (is_word(peek(P), "every")) {
        if (td->tvar == NULL)
            return fail(P, peek(P), WSPSIM_SCENARIO_ERROR_SYNTAX, "'every' needs a template");
        next(P);
        if (!take_time(P, "every", &td->every))
            return false;
        if ((guint64) (td->tto - td->tfrom) * td->every + td->start > WSPSIM_MAX_TIME_NS)
            return fail(P, kw, WSPSIM_SCENARIO_ERROR_RANGE, "template start times out of range");
    }
    if (is_word(peek(P), "on")) {
        next(P);
        if (!is_word(peek(P), "restart"))
            return fail_unexpected(P, peek(P), "'restart' (thread HOST.NAME on restart:)");
        if (td->tvar != NULL)
            return fail(P, peek(P), WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "a template does not restart with its host");
        next(P);
        td->on_restart = true;
    }
    if (!expect_punct(P, ':'))
        return false;
    pd = get_proc(P, kw, td->host, td->proc, td->tvar != NULL, &td->proc_index);
    if (pd == NULL)
        return false;
    for (guint i = 0; i < P->s->threads->len - 1; i++) {
        WspsimThreadDecl *o = g_ptr_array_index(P->s->threads, i);

        if (o->proc_index == td->proc_index && strcmp(o->name, td->name) == 0)
            return fail(P, kw, WSPSIM_SCENARIO_ERROR_SYNTAX, "thread %s.%s.%s is already declared",
                        td->host, td->proc, td->name);
    }
    return parse_block(P, &td->body);
}

/* ---- Scheduled actions ----------------------------------------------------- */

static void
action_free(gpointer p)
{
    WspsimAction *a = p;

    g_free(a->link.a);
    g_free(a->link.b);
    g_free(a->note);
    g_strfreev(a->nodes);
    g_free(a->fault.host);
    g_free(a->fault.proc);
    g_free(a->fault.function);
    g_free(a);
}

static WspsimAction *
new_action(Parser *P, const Tok *kw)
{
    WspsimAction *a = g_new0(WspsimAction, 1);

    g_ptr_array_add(P->s->actions, a);
    a->line = kw->line;
    a->col = kw->col;
    return a;
}

/* A host or router name, into a fresh string. */
static bool
take_node(Parser *P, const char *what, char **out)
{
    const Tok *n = NULL;

    if (!expect_name(P, what, &n))
        return false;
    if (find_host(P->s, n->start, n->len) == NULL)
        return fail(P, n, WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST,
                    "unknown host or router '%.*s' (declare it with 'host' or 'router' first)",
                    (int) n->len, n->start);
    *out = g_strndup(n->start, n->len);
    return true;
}

/* Provider faults (wspsim-fault.h) are checked against the provider's own
 * rules — a known function, a code it documents — by trying them on a
 * scratch world: the parser stays free of I/O and global state. */
static bool
check_fail_rule(Parser *P, const WspsimProviderFaultDecl *f, const Tok *fn, const Tok *code)
{
    g_autoptr(GError) e = NULL;
    SimWorld *w = sim_world_new(1);
    guint id = wspsim_fault_fail_calls(w, 0, f->function, (WSPSIM_FAULT_TRIGGER) f->trigger,
                                       f->value, (int) f->code, &e);

    sim_world_free(w);
    if (id != 0)
        return true;
    if (g_error_matches(e, WSPSIM_FAULT_ERROR, WSPSIM_FAULT_ERROR_FUNCTION))
        return fail(P, fn, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME, "%s", e->message);
    return fail(P, code, WSPSIM_SCENARIO_ERROR_RANGE, "%s", e->message);
}

/* [on call N | every K [calls] | with probability RATIO]; none: every call. */
static bool
parse_trigger(Parser *P, WspsimProviderFaultDecl *f)
{
    gint64 n;

    f->trigger = WSPSIM_FAULT_EVERY;
    f->value = 1;
    if (is_word(peek(P), "on")) {
        next(P);
        if (!is_word(peek(P), "call"))
            return fail_unexpected(P, peek(P), "'call' (on call 3)");
        next(P);
        if (!take_count(P, "the call number", 1, G_MAXUINT32, false, &n))
            return false;
        f->trigger = WSPSIM_FAULT_NTH;
        f->value = (guint32) n;
    } else if (is_word(peek(P), "every")) {
        next(P);
        if (!take_count(P, "every", 1, G_MAXUINT32, false, &n))
            return false;
        if (is_word(peek(P), "calls") || is_word(peek(P), "call"))
            next(P);
        f->value = (guint32) n;
    } else if (is_word(peek(P), "with")) {
        const Tok *t;

        next(P);
        if (!is_word(peek(P), "probability"))
            return fail_unexpected(P, peek(P), "'probability' (with probability 10%)");
        next(P);
        t = peek(P);
        if (!take_ppm(P, "probability", &f->value))
            return false;
        if (f->value == 0)
            return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "probability must be more than 0%%");
        f->trigger = WSPSIM_FAULT_PROBABILITY;
    }
    return true;
}

/* fault PROC (fails CODE | short sends N | short receives N) [TRIGGER]
 * fault PROC delays completions by DUR          (the keyword already taken) */
static bool
parse_provider_fault(Parser *P, WspsimAction *a)
{
    WspsimProviderFaultDecl *f = &a->fault;
    const Tok *h = peek(P), *t;

    a->kind = WSPSIM_ACT_FAULT;
    if (is_word(h, "all")) {
        next(P);
    } else {
        const Tok *pr = NULL;

        if (!expect_name(P, "a process (HOST.PROCESS) or 'all'", &h) || !check_host_name(P, h))
            return false;
        if (!is_punct(peek(P), '.'))
            return fail_unexpected(P, peek(P), "'.' (fault HOST.PROCESS ...)");
        next(P);
        if (!expect_name(P, "a process name", &pr))
            return false;
        f->host = g_strndup(h->start, h->len);
        f->proc = g_strndup(pr->start, pr->len);
        a->link.line = h->line; /* where to point at an unknown process */
        a->link.col = h->col;
    }
    t = peek(P);
    if (t->kind == TK_IDENT && !is_word(t, "short") && !is_word(t, "delays")) {
        const Tok *fn = next(P), *code;
        gint64 v;

        f->what = WSPSIM_PF_FAIL;
        f->function = g_strndup(fn->start, fn->len);
        if (!is_word(peek(P), "fails"))
            return fail_unexpected(P, peek(P),
                                   "'fails' (fault HOST.PROCESS WSPSend fails WSAENOBUFS)");
        next(P);
        code = peek(P);
        if (is_word(code, "with"))
            next(P), code = peek(P);
        if (code->kind != TK_IDENT || !wspsim_const_lookup(code->start, code->len, &v) ||
            wspsim_error_name(v) == NULL)
            return fail(P, code, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                        "expected a WSA error code (e.g. WSAENOBUFS)");
        next(P);
        f->code = v;
        if (!parse_trigger(P, f) || !check_fail_rule(P, f, fn, code))
            return false;
    } else if (is_word(t, "short")) {
        const Tok *k;
        gint64 n;

        next(P);
        k = peek(P);
        if (is_word(k, "sends"))
            f->what = WSPSIM_PF_SHORT_SEND;
        else if (is_word(k, "receives"))
            f->what = WSPSIM_PF_SHORT_RECV;
        else
            return fail_unexpected(P, k, "'sends' or 'receives'");
        next(P);
        if (!take_count(P, "a short transfer", 1, G_MAXUINT32, true, &n))
            return false;
        if (is_word(peek(P), "bytes") || is_word(peek(P), "byte"))
            next(P);
        f->bytes = (guint32) n;
        if (!parse_trigger(P, f))
            return false;
    } else if (is_word(t, "delays")) {
        const Tok *d;

        next(P);
        f->what = WSPSIM_PF_DELAY;
        if (!is_word(peek(P), "completions"))
            return fail_unexpected(P, peek(P), "'completions' (delays completions by 5ms)");
        next(P);
        if (!is_word(peek(P), "by"))
            return fail_unexpected(P, peek(P), "'by'");
        next(P);
        d = peek(P);
        if (!take_time(P, "a completion delay", &f->delay))
            return false;
        if (f->delay == 0)
            return fail(P, d, WSPSIM_SCENARIO_ERROR_RANGE, "a completion delay must be positive");
    } else {
        return fail_unexpected(P, t,
                               "a provider fault (WSPxxx fails CODE, short sends, short "
                               "receives, delays completions)");
    }
    return expect_eol(P);
}

/* flap A [->] B down DUR every DUR [count N]  (the keyword already taken) */
static bool
parse_flap(Parser *P, WspsimAction *a, const Tok *kw)
{
    const Tok *t;
    gint64 n;

    a->kind = WSPSIM_ACT_FLAP;
    if (!parse_link_ends(P, &a->link))
        return false;
    if (!is_word(peek(P), "down"))
        return fail_unexpected(P, peek(P), "'down' (flap A B down 20ms every 100ms)");
    next(P);
    t = peek(P);
    if (!take_time(P, "down", &a->flap_down))
        return false;
    if (!is_word(peek(P), "every"))
        return fail_unexpected(P, peek(P), "'every'");
    next(P);
    if (!take_time(P, "every", &a->flap_every))
        return false;
    if (a->flap_down == 0 || a->flap_down >= a->flap_every)
        return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE,
                    "a flap is down for less than its period (0 < down < every)");
    if (is_word(peek(P), "count")) {
        next(P);
        if (!take_count(P, "count", 1, G_MAXUINT32, false, &n))
            return false;
        a->flap_count = (guint32) n;
    }
    if (a->flap_count == 0 && !a->has_period)
        return fail(P, kw, WSPSIM_SCENARIO_ERROR_SYNTAX,
                    "a flap needs a count (count 5) or a period (from T1 to T2: flap ...)");
    return expect_eol(P);
}

/* partition NODE... [one-way [out|in]]  (the keyword already taken) */
static bool
parse_partition(Parser *P, WspsimAction *a, const Tok *kw)
{
    GPtrArray *names = g_ptr_array_new();
    guint distinct = 0;
    bool ok = false;

    a->kind = WSPSIM_ACT_PARTITION;
    a->pdir = SIM_PARTITION_SYMMETRIC;
    while (peek(P)->kind == TK_IDENT && !is_word(peek(P), "one-way")) {
        char *n = NULL;
        bool dup = false;

        if (!take_node(P, "a host name", &n))
            goto out;
        for (guint i = 0; i < names->len; i++)
            dup = dup || strcmp(g_ptr_array_index(names, i), n) == 0;
        distinct += dup ? 0 : 1;
        g_ptr_array_add(names, n);
    }
    if (names->len == 0) {
        fail_unexpected(P, peek(P), "the hosts to cut off (partition a b)");
        goto out;
    }
    if (distinct >= P->s->hosts->len) {
        fail(P, kw, WSPSIM_SCENARIO_ERROR_SYNTAX,
             "a partition cuts a set of nodes from the rest: leave at least one out");
        goto out;
    }
    if (is_word(peek(P), "one-way")) {
        next(P);
        a->pdir = SIM_PARTITION_FROM_SET;
        if (is_word(peek(P), "in")) {
            next(P);
            a->pdir = SIM_PARTITION_TO_SET;
        } else if (is_word(peek(P), "out")) {
            next(P);
        }
    }
    ok = expect_eol(P);
out:
    g_ptr_array_add(names, NULL);
    a->n_nodes = names->len - 1;
    a->nodes = (char **) g_ptr_array_free(names, FALSE);
    return ok;
}

static bool
no_period(Parser *P, const WspsimAction *a, const Tok *t)
{
    if (a->has_period)
        return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "'%.*s' takes no period (write at TIME:)",
                    (int) t->len, t->start);
    return true;
}

/* The action after "at T:" / "at T for D:" / "from T1 to T2:". */
static bool
parse_action(Parser *P, WspsimAction *a)
{
    const Tok *t = peek(P);

    if (is_word(t, "link")) {
        next(P);
        a->kind = WSPSIM_ACT_LINK;
        if (!parse_link_ends(P, &a->link) || !parse_link_params(P, &a->link, true))
            return false;
        if (a->link.set == 0)
            return fail_unexpected(P, peek(P), "a link change (down, up, loss 5%, ...)");
        if (a->has_period && (a->link.set & WSPSIM_LP_UP)) {
            if (a->link.p.up)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX,
                            "a link is up unless something holds it down: for a period, write "
                            "'link A B down'");
            if (a->link.set != WSPSIM_LP_UP)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX,
                            "a link goes down, or changes parameters, for a period: write two "
                            "statements");
        }
        return expect_eol(P);
    }
    if (is_word(t, "note")) {
        next(P);
        a->kind = WSPSIM_ACT_NOTE;
        if (!no_period(P, a, t))
            return false;
        if (peek(P)->kind != TK_STRING)
            return fail_unexpected(P, peek(P), "a \"string\"");
        a->note = g_strndup((const char *) peek(P)->sval, peek(P)->slen);
        next(P);
        return expect_eol(P);
    }
    if (is_word(t, "flap")) {
        next(P);
        return parse_flap(P, a, t);
    }
    if (is_word(t, "partition")) {
        next(P);
        return parse_partition(P, a, t);
    }
    if (is_word(t, "heal")) {
        next(P);
        a->line = t->line;
        a->col = t->col;
        a->kind = WSPSIM_ACT_HEAL;
        return no_period(P, a, t) && expect_eol(P);
    }
    if (is_word(t, "crash") || is_word(t, "restart")) {
        bool crash = is_word(t, "crash");

        next(P);
        a->kind = crash ? WSPSIM_ACT_CRASH : WSPSIM_ACT_RESTART;
        a->line = t->line;
        a->col = t->col;
        a->nodes = g_new0(char *, 2);
        a->n_nodes = 1;
        if (!crash && !no_period(P, a, t))
            return false;
        if (!take_node(P, "a host name", &a->nodes[0]))
            return false;
        if (crash && is_word(peek(P), "restart")) {
            const Tok *r = next(P);

            if (a->has_period)
                return fail(P, r, WSPSIM_SCENARIO_ERROR_SYNTAX,
                            "a crash for a period restarts at its end: drop 'restart after'");
            if (!is_word(peek(P), "after"))
                return fail_unexpected(P, peek(P), "'after' (crash HOST restart after 1s)");
            next(P);
            r = peek(P);
            if (!take_time(P, "restart after", &a->duration))
                return false;
            if (a->duration == 0)
                return fail(P, r, WSPSIM_SCENARIO_ERROR_RANGE,
                            "restart after must be positive (leave it out: never)");
        }
        return expect_eol(P);
    }
    if (is_word(t, "fault")) {
        next(P);
        return parse_provider_fault(P, a);
    }
    return fail(P, t, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                "unknown action '%.*s' (link, flap, partition, heal, crash, restart, fault, note)",
                (int) t->len, t->start);
}

/* at TIME: ACTION | at TIME for DUR: ACTION | from TIME to TIME: ACTION */
static bool
parse_at(Parser *P)
{
    const Tok *kw = next(P), *t;
    WspsimAction *a = new_action(P, kw);

    if (is_word(kw, "from")) {
        SimTime end;

        if (!take_time(P, "from", &a->at))
            return false;
        if (!is_word(peek(P), "to"))
            return fail_unexpected(P, peek(P), "'to' (from 2s to 5s:)");
        next(P);
        t = peek(P);
        if (!take_time(P, "to", &end))
            return false;
        if (end <= a->at)
            return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "the period must end after it starts");
        a->has_period = true;
        a->duration = end - a->at;
    } else {
        if (!take_time(P, "at", &a->at))
            return false;
        if (is_word(peek(P), "for")) {
            next(P);
            t = peek(P);
            if (!take_time(P, "for", &a->duration))
                return false;
            if (a->duration == 0)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE, "a period must be positive");
            if ((guint64) (a->at + a->duration) > WSPSIM_MAX_TIME_NS)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_RANGE,
                            "the period ends out of range (1000000s)");
            a->has_period = true;
        }
    }
    if (!expect_punct(P, ':'))
        return false;
    return parse_action(P, a);
}

/* Sort actions by time (file order among equals) and pair each partition
 * with the first heal after it, each crash without its own restart time
 * with the first restart of its node after it: the simulator schedules a
 * fault with its whole duration, and the trace reads "for 400ms". */
static gint
action_cmp(gconstpointer pa, gconstpointer pb)
{
    const WspsimAction *a = *(WspsimAction *const *) pa, *b = *(WspsimAction *const *) pb;

    return a->at < b->at ? -1 : a->at > b->at ? 1 : 0;
}

static bool
pair_actions(Parser *P)
{
    GPtrArray *acts = P->s->actions;
    g_autofree bool *used = NULL;
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();

    for (guint i = 0; i < acts->len; i++)
        g_ptr_array_add(sorted, g_ptr_array_index(acts, i));
    g_ptr_array_sort(sorted, action_cmp); /* g_ptr_array_sort is stable (merge sort) */
    used = g_new0(bool, sorted->len + 1);
    for (guint i = 0; i < sorted->len; i++) {
        WspsimAction *a = g_ptr_array_index(sorted, i);

        if (a->kind != WSPSIM_ACT_PARTITION && a->kind != WSPSIM_ACT_CRASH)
            continue;
        for (guint j = i + 1; j < sorted->len; j++) {
            WspsimAction *e = g_ptr_array_index(sorted, j);

            if (e->at <= a->at || (a->duration > 0 && e->at >= a->at + a->duration))
                continue;
            if (a->kind == WSPSIM_ACT_PARTITION && e->kind == WSPSIM_ACT_HEAL) {
                a->duration = e->at - a->at;
                used[j] = true;
                break;
            }
            if (a->kind == WSPSIM_ACT_CRASH && e->kind == WSPSIM_ACT_RESTART &&
                strcmp(e->nodes[0], a->nodes[0]) == 0) {
                if (a->duration > 0)
                    return fail(P, &(Tok){ .line = e->line, .col = e->col },
                                WSPSIM_SCENARIO_ERROR_SYNTAX,
                                "%s restarts by itself (its crash on line %u has a restart time)",
                                e->nodes[0], a->line);
                a->duration = e->at - a->at;
                used[j] = true;
                break;
            }
        }
    }
    for (guint i = 0; i < sorted->len; i++) {
        WspsimAction *e = g_ptr_array_index(sorted, i);

        if (e->kind == WSPSIM_ACT_HEAL && !used[i])
            return fail(P, &(Tok){ .line = e->line, .col = e->col }, WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "heal: no partition is in effect at that time");
        if (e->kind == WSPSIM_ACT_RESTART && !used[i])
            return fail(P, &(Tok){ .line = e->line, .col = e->col }, WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "restart %s: it is not down at that time (crash it first)", e->nodes[0]);
    }
    return true;
}

/* ---- Variables ---------------------------------------------------------------- */

static gint
var_slot(WspsimProcDecl *pd, const char *name, bool create)
{
    for (guint i = 0; i < pd->vars->len; i++)
        if (strcmp(g_ptr_array_index(pd->vars, i), name) == 0)
            return (gint) i;
    if (!create)
        return -1;
    g_ptr_array_add(pd->vars, g_strdup(name));
    return (gint) pd->vars->len - 1;
}

static void
collect_defs(WspsimProcDecl *pd, WspsimBlock *b)
{
    for (guint i = 0; i < b->n; i++) {
        WspsimStmt *st = b->stmts[i];

        if (st->kind == WSPSIM_ST_CALL && st->assign != NULL)
            st->assign_slot = var_slot(pd, st->assign, true);
        if (st->kind == WSPSIM_ST_REPEAT) {
            if (st->var != NULL)
                st->var_slot = var_slot(pd, st->var, true);
            collect_defs(pd, &st->body);
        }
    }
}

static bool
resolve_expr(Parser *P, WspsimProcDecl *pd, WspsimExpr *e)
{
    if (e == NULL)
        return true;
    if (e->kind == WSPSIM_EX_VAR) {
        e->i = var_slot(pd, e->name, false);
        if (e->i < 0)
            return fail(
                P, &(Tok){ .line = e->line, .col = e->col }, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                "undefined variable '%s' (assign it first: %s = WSPSocket(...))", e->name, e->name);
    }
    if (e->kind == WSPSIM_EX_LIST)
        for (guint i = 0; i < e->n_items; i++)
            if (!resolve_expr(P, pd, e->items[i]))
                return false;
    if (e->kind == WSPSIM_EX_PROC) {
        bool found = false;

        for (guint i = 0; i < P->s->procs->len && !found; i++) {
            const WspsimProcDecl *d = g_ptr_array_index(P->s->procs, i);
            g_autofree char *n = g_strdup_printf("%s.%s", d->host, d->name);
            size_t len = strlen(n);

            /* host.proc, or host.proc[k] of a template */
            found = strncmp(e->name, n, len) == 0 &&
                    (e->name[len] == '\0' ? !d->templated : e->name[len] == '[' && d->templated);
        }
        if (!found)
            return fail(P, &(Tok){ .line = e->line, .col = e->col },
                        WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                        "unknown process %s (no thread runs in it; a template's instance is "
                        "HOST.PROC[k])",
                        e->name);
    }
    return true;
}

static bool
resolve_block(Parser *P, WspsimProcDecl *pd, WspsimBlock *b)
{
    for (guint i = 0; i < b->n; i++) {
        WspsimStmt *st = b->stmts[i];

        if (st->kind == WSPSIM_ST_CALL) {
            for (guint j = 0; j < WSPSIM_MAX_ARGS; j++)
                if (!resolve_expr(P, pd, st->args[j]))
                    return false;
            for (guint j = 0; j < st->n_expect; j++)
                if (!resolve_expr(P, pd, st->expect[j].list))
                    return false;
        }
        if (st->kind == WSPSIM_ST_WAIT) {
            if (!resolve_expr(P, pd, st->target))
                return false;
            if (st->expect != NULL && !resolve_expr(P, pd, st->expect->list))
                return false;
        }
        if (st->kind == WSPSIM_ST_CANCEL) {
            bool found = false;

            for (guint j = 0; j < P->s->threads->len && !found; j++) {
                const WspsimThreadDecl *td = g_ptr_array_index(P->s->threads, j);

                found = g_ptr_array_index(P->s->procs, td->proc_index) == pd &&
                        strcmp(td->name, st->thread) == 0;
            }
            if (!found)
                return fail(P, &(Tok){ .line = st->line, .col = st->col + 7 },
                            WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                            "no thread '%s' in process %s.%s (cancel names a thread of the same "
                            "process)",
                            st->thread, pd->host, pd->name);
        }
        if (st->kind == WSPSIM_ST_REPEAT && !resolve_block(P, pd, &st->body))
            return false;
    }
    return true;
}

static bool
check_actions(Parser *P)
{
    WspsimScript *s = P->s;

    for (guint i = 0; i < s->actions->len; i++) {
        const WspsimAction *a = g_ptr_array_index(s->actions, i);
        bool found = false;

        if (a->kind == WSPSIM_ACT_FAULT && a->fault.host != NULL) {
            guint idx;

            if (find_proc(s, a->fault.host, a->fault.proc, &idx) == NULL)
                return fail(P, &(Tok){ .line = a->link.line, .col = a->link.col },
                            WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                            "unknown process %s.%s (no thread runs in it)", a->fault.host,
                            a->fault.proc);
        }
        if (a->kind != WSPSIM_ACT_LINK && a->kind != WSPSIM_ACT_FLAP)
            continue;
        for (guint j = 0; j < s->links->len && !found; j++) {
            const WspsimLinkDecl *d = g_ptr_array_index(s->links, j);

            found = (strcmp(d->a, a->link.a) == 0 && strcmp(d->b, a->link.b) == 0) ||
                    (strcmp(d->a, a->link.b) == 0 && strcmp(d->b, a->link.a) == 0);
        }
        if (!found)
            return fail(P, &(Tok){ .line = a->link.line, .col = a->link.col },
                        WSPSIM_SCENARIO_ERROR_UNKNOWN_HOST, "there is no link between %s and %s",
                        a->link.a, a->link.b);
    }
    return pair_actions(P);
}

static bool
resolve_vars(Parser *P)
{
    WspsimScript *s = P->s;

    /* "shared NAME": a slot in every process (interp.c keeps them equal) */
    for (guint i = 0; i < s->procs->len; i++)
        for (guint j = 0; j < s->shared->len; j++)
            var_slot(g_ptr_array_index(s->procs, i), g_ptr_array_index(s->shared, j), true);
    for (guint i = 0; i < s->threads->len; i++) {
        WspsimThreadDecl *td = g_ptr_array_index(s->threads, i);
        WspsimProcDecl *pd = g_ptr_array_index(s->procs, td->proc_index);

        if (td->tvar != NULL)
            td->tvar_slot = var_slot(pd, td->tvar, true);
        collect_defs(pd, &td->body);
    }
    for (guint i = 0; i < s->threads->len; i++) {
        WspsimThreadDecl *td = g_ptr_array_index(s->threads, i);

        if (!resolve_block(P, g_ptr_array_index(s->procs, td->proc_index), &td->body))
            return false;
    }
    return true;
}

/* ---- The file ---------------------------------------------------------------- */

static void
host_decl_free(gpointer p)
{
    WspsimHostDecl *h = p;

    g_free(h->name);
    g_array_unref(h->addrs);
    g_array_unref(h->prefixes);
    g_free(h);
}

void
wspsim_script_free(WspsimScript *s)
{
    if (s == NULL)
        return;
    g_free(s->file);
    g_ptr_array_unref(s->hosts);
    g_ptr_array_unref(s->links);
    g_ptr_array_unref(s->procs);
    g_ptr_array_unref(s->threads);
    if (s->shared != NULL)
        g_ptr_array_unref(s->shared);
    g_ptr_array_unref(s->actions);
    g_ptr_array_unref(s->allocs);
    g_free(s);
}

static bool
parse_toplevel(Parser *P)
{
    for (;;) {
        const Tok *t = peek(P);

        if (t->kind == TK_EOF)
            return true;
        if (t->kind == TK_NEWLINE) {
            next(P);
            continue;
        }
        if (t->kind == TK_INDENT)
            return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "unexpected indentation (only the lines of a block are indented)");
        if (t->kind != TK_IDENT)
            return fail_unexpected(P, t,
                                   "a statement (seed, host, router, link, tcp, qos, "
                                   "process, thread, at, from, fault, run)");
        if (is_word(t, "seed")) {
            gint64 v;

            next(P);
            if (P->s->has_seed)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "seed given twice");
            if (!take_count(P, "seed", 0, G_MAXINT64, false, &v) || !expect_eol(P))
                return false;
            P->s->has_seed = true;
            P->s->seed = (guint64) v;
        } else if (is_word(t, "host") || is_word(t, "router")) {
            if (!parse_host(P, is_word(t, "router")))
                return false;
        } else if (is_word(t, "link")) {
            if (!parse_link(P))
                return false;
        } else if (is_word(t, "process")) {
            if (!parse_process(P))
                return false;
        } else if (is_word(t, "shared")) {
            /* shared NAME[, NAME...]: variables every process sees */
            next(P);
            do {
                const Tok *n = NULL;

                if (!expect_name(P, "a variable name (shared info)", &n))
                    return false;
                if (looks_like_constant(n) || wspsim_const_lookup(n->start, n->len, &(gint64){ 0 }))
                    return fail(P, n, WSPSIM_SCENARIO_ERROR_SYNTAX,
                                "'%.*s' is a constant, not a variable", (int) n->len, n->start);
                for (guint i = 0; i < P->s->shared->len; i++)
                    if (strlen(g_ptr_array_index(P->s->shared, i)) == n->len &&
                        memcmp(g_ptr_array_index(P->s->shared, i), n->start, n->len) == 0)
                        return fail(P, n, WSPSIM_SCENARIO_ERROR_SYNTAX,
                                    "'%.*s' is already shared", (int) n->len, n->start);
                g_ptr_array_add(P->s->shared, g_strndup(n->start, n->len));
            } while (accept_punct(P, ','));
            if (!expect_eol(P))
                return false;
        } else if (is_word(t, "thread")) {
            if (!parse_thread(P))
                return false;
        } else if (is_word(t, "at") || is_word(t, "from")) {
            if (!parse_at(P))
                return false;
        } else if (is_word(t, "fault")) {
            /* A provider fault from the start: "at 0s: fault ..." */
            WspsimAction *a = new_action(P, next(P));

            if (!parse_provider_fault(P, a))
                return false;
        } else if (is_word(t, "tcp")) {
            next(P);
            if (!parse_tcp(P, t))
                return false;
        } else if (is_word(t, "qos")) {
            /* qos reservable PCT: the admission limit of every link direction */
            next(P);
            if (!is_word(peek(P), "reservable"))
                return fail_unexpected(P, peek(P), "'reservable' (qos reservable 75%)");
            next(P);
            if (P->s->has_reservable)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "qos reservable given twice");
            if (!take_ppm(P, "qos reservable", &P->s->reservable_ppm) || !expect_eol(P))
                return false;
            P->s->has_reservable = true;
        } else if (is_word(t, "run") && is_word(peek_at(P, 1), "poll")) {
            /* run poll limit N (runner/interp.c: the busy-poll guard) */
            gint64 n;

            next(P);
            next(P);
            if (!is_word(peek(P), "limit"))
                return fail_unexpected(P, peek(P), "'limit' (run poll limit 1000)");
            next(P);
            if (P->s->busy_poll_limit != 0)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "run poll limit given twice");
            if (!take_count(P, "poll limit", 1, G_MAXINT64, false, &n) || !expect_eol(P))
                return false;
            P->s->busy_poll_limit = (guint64) n;
        } else if (is_word(t, "run")) {
            next(P);
            if (!is_word(peek(P), "until"))
                return fail_unexpected(P, peek(P), "'until' (run until 60s)");
            next(P);
            if (P->s->has_run_until)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX, "run until given twice");
            if (!take_time(P, "run until", &P->s->run_until) || !expect_eol(P))
                return false;
            P->s->has_run_until = true;
        } else if (is_word(t, "provider")) {
            /* A layered provider under every process (loaded when the run
             * builds its world: runner/interp.c, ws2's wspsim_lsp_*). */
            next(P);
            if (!is_word(peek(P), "load"))
                return fail_unexpected(P, peek(P), "'load' (provider load \"lsp.so\")");
            next(P);
            if (peek(P)->kind != TK_STRING || peek(P)->slen == 0)
                return fail_unexpected(P, peek(P), "the module's path as a \"string\"");
            if (P->s->provider != NULL)
                return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX,
                            "provider load given twice (one layered provider per scenario)");
            P->s->provider = ast_strndup(P, (const char *) peek(P)->sval, peek(P)->slen);
            P->s->provider_line = t->line;
            P->s->provider_col = t->col;
            next(P);
            if (!expect_eol(P))
                return false;
        } else if (is_word(t, "partition") || is_word(t, "heal") || is_word(t, "crash") ||
                   is_word(t, "restart") || is_word(t, "flap")) {
            return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "'%.*s' happens at a time: write 'at TIME: %.*s ...'", (int) t->len,
                        t->start, (int) t->len, t->start);
        } else if (wspsim_call_lookup(t->start, t->len) != NULL || is_punct(peek_at(P, 1), '=')) {
            return fail(P, t, WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "calls belong in a thread block (thread HOST.NAME:)");
        } else {
            return fail(P, t, WSPSIM_SCENARIO_ERROR_UNKNOWN_NAME,
                        "unknown keyword '%.*s' (seed, host, router, link, process, thread, at, "
                        "from, fault, run)",
                        (int) t->len, t->start);
        }
    }
}

/**
 * wspsim_script_parse:
 * @file: the name used in messages
 * @text: the scenario text (need not be NUL-terminated)
 * @len: its length in bytes
 * @error: return location for a WSPSIM_SCENARIO_ERROR
 *
 * Returns: (transfer full) (nullable): the checked script, or NULL.
 */
WspsimScript *
wspsim_script_parse(const char *file, const char *text, size_t len, GError **error)
{
    Parser P = { .file = file, .error = error };
    WspsimScript *s;
    bool ok;

    g_return_val_if_fail(file != NULL && (text != NULL || len == 0), NULL);
    P.toks = wspsim_lex(file, text != NULL ? text : "", len, error);
    if (P.toks == NULL)
        return NULL;
    s = g_new0(WspsimScript, 1);
    s->file = g_strdup(file);
    s->hosts = g_ptr_array_new_with_free_func(host_decl_free);
    s->links = g_ptr_array_new_with_free_func(link_decl_free);
    s->procs = g_ptr_array_new_with_free_func(proc_decl_free);
    s->threads = g_ptr_array_new_with_free_func(thread_decl_free);
    s->shared = g_ptr_array_new_with_free_func(g_free);

    s->actions = g_ptr_array_new_with_free_func(action_free);
    s->allocs = g_ptr_array_new_with_free_func(g_free);
    P.s = s;
    collect_installed(&P);
    ok = parse_toplevel(&P) && check_actions(&P) && resolve_vars(&P);
    wspsim_lex_free(P.toks);
    if (P.installed != NULL)
        g_hash_table_unref(P.installed);
    if (!ok) {
        if (error != NULL && *error == NULL)
            g_set_error(error, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_SYNTAX,
                        "%s:1:1: malformed scenario", file);
        wspsim_script_free(s);
        return NULL;
    }
    return s;
}

/**
 * wspsim_script_load:
 * @path: a .wsim file
 * @error: return location for a WSPSIM_SCENARIO_ERROR (_IO when the file
 *   is missing, unreadable, too large or binary)
 *
 * Returns: (transfer full) (nullable): the checked script.
 */
WspsimScript *
wspsim_script_load(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) local = NULL;
    gsize len = 0;
    GStatBuf st;

    if (g_stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        g_set_error(error, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_IO,
                    "%s:1:1: is a directory", path);
        return NULL;
    }
    if (g_stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        (guint64) st.st_size > WSPSIM_MAX_FILE_BYTES) {
        g_set_error(error, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_IO,
                    "%s:1:1: file too large (limit %u bytes)", path, WSPSIM_MAX_FILE_BYTES);
        return NULL;
    }
    if (!g_file_get_contents(path, &text, &len, &local)) {
        g_set_error(error, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_IO, "%s:1:1: %s", path,
                    g_strerror(local->domain == G_FILE_ERROR && local->code == G_FILE_ERROR_NOENT
                                   ? ENOENT
                                   : EIO));
        if (local->code != G_FILE_ERROR_NOENT) {
            g_clear_error(error);
            g_set_error(error, WSPSIM_SCENARIO_ERROR, WSPSIM_SCENARIO_ERROR_IO,
                        "%s:1:1: cannot read: %s", path, local->message);
        }
        return NULL;
    }
    return wspsim_script_parse(path, text, len, error);
}
