/* SPDX-License-Identifier: MIT
 *
 * out-msc.c: the message-sequence chart (--msc FILE.svg).  A column per node
 * (hosts and routers that took part), time flowing down, an arrow per packet
 * hop from its departure to its arrival (slanted by the flight time), a red
 * cross where a packet was dropped with the reason beside it, WSP calls as
 * notes on the caller's lifeline, TCP state changes as small labels.
 *
 * The sink only collects items during the run; the layout needs the whole
 * run (the time scale depends on every flight time), so the SVG is written
 * at close.  Layout in short: every instant at which something is drawn is
 * a row; rows are spaced in proportion to the time between them (the scale
 * puts the median flight time at FLIGHT_PX pixels) but never closer than a
 * line of text, and a gap longer than GAP_MAX_PX becomes a fixed-height
 * break marker that says how long nothing happened.  Several things at one
 * instant on one lifeline stack downward in record (causal) order.
 *
 * All coordinates are integers and every number is formatted from integers,
 * so the file is byte-for-byte the same on every run of a seed.
 */
#include "config.h"

#include "runner/out.h"

#include <string.h>

/* ---- Layout constants (pixels) ------------------------------------------ */

#define AXIS_W 96     /* time axis column at the left */
#define COL_MIN_W 200 /* a lifeline column at least this wide */
#define COL_MAX_W 520
#define TITLE_H 30
#define HEAD_Y 36 /* top of the node boxes */
#define HEAD_H 36
#define TOP_Y (HEAD_Y + HEAD_H + 24) /* the first row */
#define ROW_H 18                     /* one stacked item */
#define MIN_GAP 20                   /* between two distinct instants */
#define FLIGHT_PX 48                 /* the median flight time */
#define GAP_MAX_PX 240               /* longer gaps become a break */
#define BREAK_H 44
#define CHAR_W10 66      /* 10 x the advance of an 11 px monospace character */
#define NOTE_WRAP 44     /* a note wraps at this many characters ... */
#define NOTE_MAX_LINES 3 /* ... onto at most this many lines */
#define NOTE_MAX_CHARS (NOTE_WRAP * NOTE_MAX_LINES)
#define LABEL_MAX_CHARS 32
#define LEGEND_H 30
#define FONT "DejaVu Sans Mono, Menlo, Consolas, monospace"

typedef enum {
    IT_ARROW,  /* a packet crossing a link */
    IT_DROP,   /* a packet dropped at a node (never left, or arrived and discarded) */
    IT_CALL,   /* a WSP call and its result */
    IT_STATE,  /* a TCP state change */
    IT_EVENT,  /* a TCP event (retransmission, timeout ...) */
    IT_CHANGE, /* link or node change, fault, note */
} ItemKind;

typedef struct {
    ItemKind kind;
    SimNodeId node; /* arrow: sender; others: where it is drawn */
    SimNodeId peer; /* arrow: receiver; drop: the node it was heading to (or 0) */
    SimTime t0;     /* arrow: departure; others: when */
    SimTime t1;     /* arrow: arrival (arrived) */
    SimTime t_exp;  /* arrow: expected arrival (latency + serialisation) */
    SimTime t_drop; /* arrow: when it was dropped */
    guint row0, row1;
    guint n_rows;               /* rows taken at t0 (a wrapped note takes several) */
    bool arrived, dropped, bad; /* bad: a failed call */
    SimDropReason reason;
    guint8 proto;
    char *label;  /* short text drawn */
    char *detail; /* full text, as a tooltip */
} Item;

typedef struct {
    guint64 uid;
    SimLinkId link;
    guint dir;
} HopKey;

typedef struct {
    SimNodeId node;
    SimTime t;
} AnchorKey;

struct WspsimOutMsc {
    SimWorld *world;
    FILE *f;
    char *path;
    char *title;
    guint max_events;
    guint64 seen;        /* drawable events seen */
    guint64 skipped;     /* of which not drawn (over the cap) */
    GArray *items;       /* of Item, in record order */
    GHashTable *hops;    /* HopKey -> item index + 1 (lookup only) */
    GHashTable *anchors; /* AnchorKey -> rows used (lookup only) */
    SimTime last_time;
};

/* ---- Hash helpers (lookup only, never iterated) ------------------------- */

static guint
hop_hash(gconstpointer p)
{
    const HopKey *k = p;

    return (guint) (k->uid * 0x9e3779b97f4a7c15ull >> 32) ^ (k->link * 31u) ^ k->dir;
}

static gboolean
hop_equal(gconstpointer a, gconstpointer b)
{
    const HopKey *x = a, *y = b;

    return x->uid == y->uid && x->link == y->link && x->dir == y->dir;
}

static guint
anchor_hash(gconstpointer p)
{
    const AnchorKey *k = p;

    return (guint) ((k->t * 0x9e3779b97f4a7c15ull) >> 32) ^ (k->node * 0x85ebca6bu);
}

static gboolean
anchor_equal(gconstpointer a, gconstpointer b)
{
    const AnchorKey *x = a, *y = b;

    return x->node == y->node && x->t == y->t;
}

/* Take @n rows of @node at instant @t; returns the first. */
static guint
anchor_take_n(WspsimOutMsc *m, SimNodeId node, SimTime t, guint n)
{
    AnchorKey k = { node, t };
    guint row = GPOINTER_TO_UINT(g_hash_table_lookup(m->anchors, &k));

    g_hash_table_replace(m->anchors, g_memdup2(&k, sizeof k), GUINT_TO_POINTER(row + n));
    return row;
}

static guint
anchor_take(WspsimOutMsc *m, SimNodeId node, SimTime t)
{
    return anchor_take_n(m, node, t, 1);
}

/* Wraps @text at spaces into lines of at most NOTE_WRAP characters (a
 * longer word is cut), NOTE_MAX_LINES at most, the last one ending in an
 * ellipsis when text was left over.  Lines are joined by '\n'. */
static char *
wrap_text(const char *text, guint *out_lines)
{
    g_auto(GStrv) words = g_strsplit(text, " ", -1);
    GString *out = g_string_new(NULL);
    glong line_len = 0;
    guint lines = 1;

    for (guint i = 0; words[i] != NULL; i++) {
        const char *w = words[i];
        glong wl = g_utf8_strlen(w, -1);

        if (line_len > 0 && line_len + 1 + wl > NOTE_WRAP) {
            if (lines == NOTE_MAX_LINES) {
                g_string_append(out, " \xe2\x80\xa6");
                break;
            }
            g_string_append_c(out, '\n');
            lines++;
            line_len = 0;
        } else if (line_len > 0 || (i > 0 && out->len > 0)) {
            g_string_append_c(out, ' ');
            line_len++;
        }
        while (wl > NOTE_WRAP - line_len && lines < NOTE_MAX_LINES) {
            const char *cut = g_utf8_offset_to_pointer(w, NOTE_WRAP - line_len);

            g_string_append_len(out, w, cut - w);
            g_string_append_c(out, '\n');
            lines++;
            w = cut;
            wl = g_utf8_strlen(w, -1);
            line_len = 0;
        }
        g_string_append(out, w);
        line_len += wl;
    }
    *out_lines = lines;
    return g_string_free(out, FALSE);
}

/* ---- Collecting ----------------------------------------------------------- */

static char *
packet_label(const SimPacket *p)
{
    GString *s = g_string_new(NULL);

    switch (p->proto) {
    case SIM_PROTO_TCP: {
        static const struct {
            guint8 bit;
            const char *name;
        } names[] = {
            { SIM_TCP_SYN, "SYN" }, { SIM_TCP_FIN, "FIN" }, { SIM_TCP_RST, "RST" },
            { SIM_TCP_URG, "URG" }, { SIM_TCP_ACK, "ACK" },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
            if ((p->l4.tcp.flags & names[i].bit) != 0) {
                if (s->len > 0)
                    g_string_append_c(s, ' ');
                g_string_append(s, names[i].name);
            }
        }
        if (s->len == 0)
            g_string_append(s, "TCP");
        if (p->payload_len > 0)
            g_string_append_printf(s, " %u", p->payload_len);
        break;
    }
    case SIM_PROTO_UDP:
        g_string_append_printf(s, "UDP %u", p->more_frags ? p->frag_dgram_len : p->payload_len);
        break;
    case SIM_PROTO_ICMP:
    case SIM_PROTO_ICMPV6:
        if (p->l4.icmp.error == SIM_E_PORTUNREACH)
            g_string_append(s, "ICMP port unreach");
        else if (p->l4.icmp.error == SIM_E_HOSTUNREACH)
            g_string_append(s, "ICMP host unreach");
        else if (p->l4.icmp.error == SIM_E_NETUNREACH)
            g_string_append(s, "ICMP net unreach");
        else if (p->l4.icmp.error == SIM_E_TTL)
            g_string_append(s, "ICMP time exceeded");
        else if (p->l4.icmp.error == SIM_E_MSGSIZE)
            g_string_append_printf(s, "ICMP too big (mtu %u)", p->l4.icmp.mtu);
        else
            g_string_append_printf(s, "ICMP type %u", p->l4.icmp.type);
        break;
    default:
        g_string_append_printf(s, "IP proto %u, %u", p->proto, p->payload_len);
        break;
    }
    if (sim_packet_is_fragment(p))
        g_string_append_printf(s, " frag@%u", p->frag_offset);
    return g_string_free(s, FALSE);
}

static char *
packet_detail(const SimWorld *world, const SimTraceRecord *rec)
{
    GString *s = g_string_new(NULL);

    sim_trace_format_line(world, rec, s);
    g_strchug(s->str);
    return g_string_free(s, FALSE);
}

/* Room for one more drawn item?  Counts the ones over the cap. */
static bool
admit(WspsimOutMsc *m)
{
    m->seen++;
    if (m->items->len >= m->max_events) {
        m->skipped++;
        return false;
    }
    return true;
}

static Item *
item_add(WspsimOutMsc *m, ItemKind kind, SimNodeId node, SimTime t)
{
    Item it = { 0 };

    it.kind = kind;
    it.node = node;
    it.t0 = t;
    it.n_rows = 1;
    g_array_append_val(m->items, it);
    return &g_array_index(m->items, Item, m->items->len - 1);
}

static SimTime
expected_flight(const SimWorld *world, const SimTraceRecord *rec)
{
    SimLinkParams p;
    SimTime t = 0;

    if (sim_link_get_params(world, rec->link, rec->dir, &p) != SIM_OK)
        return 0;
    t = p.latency_ns;
    if (p.rate_bps > 0 && rec->packet != NULL)
        t += (SimTime) sim_packet_wire_len(rec->packet) * 8u * SIM_SEC / p.rate_bps;
    return t;
}

static void
on_send(WspsimOutMsc *m, SimWorld *world, const SimTraceRecord *rec)
{
    HopKey *k;
    Item *it;
    SimTime depart =
        rec->kind == SIM_TR_PKT_QUEUE && rec->depart_ns > rec->time ? rec->depart_ns : rec->time;

    if (rec->packet == NULL || rec->link == SIM_ID_NONE || !admit(m))
        return;
    it = item_add(m, IT_ARROW, rec->node, depart);
    it->peer = rec->peer;
    it->proto = rec->packet->proto;
    it->t_exp = depart + expected_flight(world, rec);
    it->label = packet_label(rec->packet);
    if (rec->text != NULL && strcmp(rec->text, "dup") == 0) {
        char *l = g_strconcat(it->label, " (dup)", NULL);

        g_free(it->label);
        it->label = l;
    }
    it->detail = packet_detail(world, rec);
    it->row0 = anchor_take(m, rec->node, depart);
    k = g_new(HopKey, 1);
    k->uid = rec->packet->uid;
    k->link = rec->link;
    k->dir = (guint) rec->dir;
    g_hash_table_replace(m->hops, k, GUINT_TO_POINTER(m->items->len));
}

/* The in-flight arrow of this hop, removed from the table, or NULL. */
static Item *
take_hop(WspsimOutMsc *m, const SimTraceRecord *rec)
{
    HopKey k;
    guint idx;

    if (rec->packet == NULL || rec->link == SIM_ID_NONE)
        return NULL;
    k.uid = rec->packet->uid;
    k.link = rec->link;
    k.dir = (guint) rec->dir;
    idx = GPOINTER_TO_UINT(g_hash_table_lookup(m->hops, &k));
    if (idx == 0)
        return NULL;
    g_hash_table_remove(m->hops, &k);
    return &g_array_index(m->items, Item, idx - 1);
}

static void
on_arrive(WspsimOutMsc *m, const SimTraceRecord *rec)
{
    Item *it = take_hop(m, rec);

    if (it == NULL)
        return;
    it->arrived = true;
    it->t1 = rec->time;
    it->row1 = anchor_take(m, rec->node, rec->time);
}

static void
on_drop(WspsimOutMsc *m, SimWorld *world, const SimTraceRecord *rec)
{
    Item *it = take_hop(m, rec);
    g_autofree char *what = NULL;

    if (it != NULL) {
        it->dropped = true;
        it->reason = rec->reason;
        it->t_drop = rec->time;
        return;
    }
    if (!admit(m))
        return;
    what = rec->packet != NULL ? packet_label(rec->packet) : g_strdup("packet");
    it = item_add(m, IT_DROP, rec->node, rec->time);
    /* A link drop without a send (queue full, link down) is drawn leaving
     * the sender toward the far end; other drops at the node. */
    it->peer = rec->link != SIM_ID_NONE ? rec->peer : SIM_ID_NONE;
    it->reason = rec->reason;
    it->proto = rec->packet != NULL ? rec->packet->proto : 0;
    it->label = g_strdup_printf("%s: %s", what, sim_drop_reason_name(rec->reason));
    it->detail = packet_detail(world, rec);
    it->row0 = anchor_take(m, rec->node, rec->time);
}

static void
on_text(WspsimOutMsc *m, SimWorld *world, const SimTraceRecord *rec, ItemKind kind)
{
    Item *it;
    GString *label;

    if (rec->node == SIM_ID_NONE || !admit(m))
        return;
    it = item_add(m, kind, rec->node, rec->time);
    label = g_string_new(NULL);
    switch (kind) {
    case IT_CALL:
        /* "WSPConnect(s=3, 10.0.0.2:80) = 0": subject, then the args and
         * result the SPI formatted. */
        if (rec->subject != NULL &&
            (rec->text == NULL || !g_str_has_prefix(rec->text, rec->subject)))
            g_string_append(label, rec->subject);
        if (rec->text != NULL) {
            if (label->len > 0 && rec->text[0] != '(')
                g_string_append_c(label, ' ');
            g_string_append(label, rec->text);
        }
        it->bad = rec->text != NULL && (strstr(rec->text, "SOCKET_ERROR") != NULL ||
                                        strstr(rec->text, "INVALID_SOCKET") != NULL ||
                                        strstr(rec->text, "WSAE") != NULL);
        break;
    case IT_STATE:
        g_string_append(label, rec->subject != NULL ? rec->subject : "?");
        break;
    case IT_EVENT:
        g_string_append(label, rec->subject != NULL ? rec->subject : "tcp");
        break;
    case IT_CHANGE:
        if (rec->kind == SIM_TR_LINK_CHANGE)
            g_string_append_printf(
                label,
                "link to %s:", rec->peer != SIM_ID_NONE ? sim_node_name(world, rec->peer) : "?");
        else if (rec->kind == SIM_TR_NODE_CHANGE)
            g_string_append(label, "node");
        else if (rec->kind == SIM_TR_FAULT)
            g_string_append(label, "fault");
        if (rec->subject != NULL)
            g_string_append_printf(label, "%s%s", label->len > 0 ? " " : "", rec->subject);
        if (rec->text != NULL)
            g_string_append_printf(label, "%s%s", label->len > 0 ? " " : "", rec->text);
        break;
    case IT_ARROW:
    case IT_DROP:
        g_assert_not_reached();
    }
    if (kind == IT_CALL || kind == IT_CHANGE) {
        it->label = wrap_text(label->str, &it->n_rows);
        g_string_free(label, TRUE);
    } else {
        it->label = g_string_free(label, FALSE);
        it->n_rows = 1;
    }
    {
        GString *d = g_string_new(NULL);

        sim_trace_format_line(world, rec, d);
        g_strchug(d->str);
        it->detail = g_string_free(d, FALSE);
    }
    it->row0 = anchor_take_n(m, rec->node, rec->time, it->n_rows);
}

static void
msc_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    WspsimOutMsc *m = data;

    m->last_time = MAX(m->last_time, rec->time);
    switch (rec->kind) {
    case SIM_TR_PKT_SEND:
    case SIM_TR_PKT_QUEUE:
        on_send(m, world, rec);
        break;
    case SIM_TR_PKT_DELIVER:
    case SIM_TR_PKT_FORWARD:
        on_arrive(m, rec);
        break;
    case SIM_TR_PKT_DROP:
        on_drop(m, world, rec);
        break;
    case SIM_TR_CALL:
        on_text(m, world, rec, IT_CALL);
        break;
    case SIM_TR_TCP_STATE:
        on_text(m, world, rec, IT_STATE);
        break;
    case SIM_TR_TCP_EVENT:
        on_text(m, world, rec, IT_EVENT);
        break;
    case SIM_TR_LINK_CHANGE:
    case SIM_TR_NODE_CHANGE:
    case SIM_TR_FAULT:
    case SIM_TR_NOTE:
        on_text(m, world, rec, IT_CHANGE);
        break;
    case SIM_TR_ACTOR: /* start/block/wake: too fine-grained for a chart */
    case SIM_TR_N_KINDS:
        break;
    }
}

/* ---- Layout ----------------------------------------------------------------- */

typedef struct {
    SimTime t;
    int y;      /* of row 0 */
    guint rows; /* stacked items at this instant (max over lifelines) */
    bool label; /* axis label wanted */
    bool brk;   /* the gap before this instant is a break */
} Row;

typedef struct {
    GArray *rows;    /* of Row, by time */
    SimNodeId *cols; /* node of each column */
    guint n_cols;
    int col_w;
    int width, height;
    int bottom; /* y where lifelines end */
} Layout;

static int
cmp_time(gconstpointer a, gconstpointer b)
{
    SimTime x = *(const SimTime *) a, y = *(const SimTime *) b;

    return x < y ? -1 : x > y;
}

static int
cmp_node(gconstpointer a, gconstpointer b)
{
    SimNodeId x = *(const SimNodeId *) a, y = *(const SimNodeId *) b;

    return x < y ? -1 : x > y;
}

static guint
row_index(const Layout *L, SimTime t)
{
    guint lo = 0, hi = L->rows->len;

    while (lo + 1 < hi) {
        guint mid = (lo + hi) / 2;

        if (g_array_index(L->rows, Row, mid).t <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* y of instant @t: exact at a row, interpolated between rows. */
static int
y_at(const Layout *L, SimTime t)
{
    guint i = row_index(L, t);
    const Row *r = &g_array_index(L->rows, Row, i);
    const Row *n;

    if (t <= r->t || i + 1 >= L->rows->len)
        return r->y;
    n = &g_array_index(L->rows, Row, i + 1);
    return r->y + (int) ((guint64) (n->y - r->y) * (t - r->t) / (n->t - r->t));
}

static int
y_row(const Layout *L, SimTime t, guint row)
{
    return y_at(L, t) + (int) row * ROW_H;
}

static int
col_x(const Layout *L, SimNodeId node)
{
    for (guint i = 0; i < L->n_cols; i++) {
        if (L->cols[i] == node)
            return AXIS_W + L->col_w * (int) i + L->col_w / 2;
    }
    return AXIS_W;
}

static int
text_w(const char *s, guint max_chars)
{
    glong n = g_utf8_strlen(s, -1);

    if (n > (glong) max_chars)
        n = max_chars;
    return (int) (n * CHAR_W10 / 10);
}

/* The width of the longest of the '\n'-separated lines of @s. */
static int
lines_w(const char *s)
{
    g_auto(GStrv) lines = g_strsplit(s, "\n", -1);
    int w = 0;

    for (guint i = 0; lines[i] != NULL; i++)
        w = MAX(w, text_w(lines[i], NOTE_WRAP + 2));
    return w;
}

static void
layout_build(WspsimOutMsc *m, Layout *L)
{
    GArray *times = g_array_new(FALSE, FALSE, sizeof(SimTime));
    GArray *flights = g_array_new(FALSE, FALSE, sizeof(SimTime));
    GArray *nodes = g_array_new(FALSE, FALSE, sizeof(SimNodeId));
    SimTime ns_per_px;
    int widest = 0;       /* the widest note */
    int widest_label = 0; /* the widest arrow label */
    int widest_drop = 0;  /* the widest drop label */

    for (guint i = 0; i < m->items->len; i++) {
        Item *it = &g_array_index(m->items, Item, i);

        g_array_append_val(times, it->t0);
        g_array_append_val(nodes, it->node);
        if (it->kind == IT_ARROW) {
            g_array_append_val(nodes, it->peer);
            widest_label = MAX(widest_label, text_w(it->label, LABEL_MAX_CHARS));
            if (it->arrived) {
                SimTime f = it->t1 - it->t0;

                g_array_append_val(times, it->t1);
                if (f > 0)
                    g_array_append_val(flights, f);
            } else if (it->t_exp > it->t0) {
                SimTime f = it->t_exp - it->t0;

                g_array_append_val(flights, f);
            }
        } else if (it->kind == IT_DROP && it->peer != SIM_ID_NONE) {
            g_array_append_val(nodes, it->peer);
        }
        if (it->kind == IT_CALL || it->kind == IT_CHANGE)
            widest = MAX(widest, lines_w(it->label) + 16);
        else if (it->kind == IT_DROP)
            widest_drop = MAX(widest_drop, text_w(it->label, LABEL_MAX_CHARS + 16));
    }
    /* Arrows still in flight at the end, and their expected arrivals. */
    for (guint i = 0; i < m->items->len; i++) {
        Item *it = &g_array_index(m->items, Item, i);

        if (it->kind == IT_ARROW && !it->arrived) {
            SimTime t = it->dropped ? it->t_drop : m->last_time;

            g_array_append_val(times, t);
        }
    }
    g_array_sort(times, cmp_time);
    g_array_sort(flights, cmp_time);
    g_array_sort(nodes, cmp_node);

    L->cols = g_new0(SimNodeId, nodes->len + 1);
    L->n_cols = 0;
    for (guint i = 0; i < nodes->len; i++) {
        SimNodeId n = g_array_index(nodes, SimNodeId, i);

        if (n != SIM_ID_NONE && (L->n_cols == 0 || L->cols[L->n_cols - 1] != n))
            L->cols[L->n_cols++] = n;
    }
    /* Notes are centred on their lifeline; an arrow's label sits halfway
     * between two lifelines.  A column fits half a note on each side of
     * the label, so labels stay clear of the notes at either end. */
    L->col_w = CLAMP(MAX(widest + widest_label + 32, 2 * (widest_drop + 56)), COL_MIN_W, COL_MAX_W);

    /* The scale: the median flight time spans FLIGHT_PX. */
    if (flights->len > 0)
        ns_per_px = g_array_index(flights, SimTime, flights->len / 2) / FLIGHT_PX;
    else
        ns_per_px = SIM_MSEC / FLIGHT_PX;
    if (ns_per_px == 0)
        ns_per_px = 1;

    L->rows = g_array_new(FALSE, TRUE, sizeof(Row));
    for (guint i = 0; i < times->len; i++) {
        SimTime t = g_array_index(times, SimTime, i);

        if (L->rows->len == 0 || g_array_index(L->rows, Row, L->rows->len - 1).t != t) {
            Row r = { .t = t };

            g_array_append_val(L->rows, r);
        }
    }
    /* Rows stacked at each instant: the largest row index used there + 1. */
    for (guint i = 0; i < m->items->len; i++) {
        Item *it = &g_array_index(m->items, Item, i);
        Row *r = &g_array_index(L->rows, Row, row_index(L, it->t0));

        r->rows = MAX(r->rows, it->row0 + it->n_rows);
        r->label = true;
        if (it->kind == IT_ARROW && it->arrived) {
            r = &g_array_index(L->rows, Row, row_index(L, it->t1));
            r->rows = MAX(r->rows, it->row1 + 1);
            r->label = true;
        }
    }
    {
        int y = TOP_Y;

        for (guint i = 0; i < L->rows->len; i++) {
            Row *r = &g_array_index(L->rows, Row, i);

            if (i > 0) {
                const Row *p = &g_array_index(L->rows, Row, i - 1);
                int need = MAX((int) p->rows, 1) * ROW_H;
                SimTime dt = r->t - p->t;
                SimTime px = dt / ns_per_px;

                if (px > GAP_MAX_PX) {
                    r->brk = true;
                    y += need - ROW_H + BREAK_H + ROW_H;
                } else {
                    y += MAX(MAX((int) px, MIN_GAP), need);
                }
            }
            r->y = y;
        }
        if (L->rows->len > 0) {
            const Row *last = &g_array_index(L->rows, Row, L->rows->len - 1);

            y = last->y + MAX((int) last->rows, 1) * ROW_H;
        }
        L->bottom = y + 16;
    }
    L->width = MAX(AXIS_W + L->col_w * (int) MAX(L->n_cols, 1u) + 16, 780); /* the legend */
    L->height = L->bottom + HEAD_H + 16 + LEGEND_H + (m->skipped > 0 ? 24 : 0);
    g_array_free(times, TRUE);
    g_array_free(flights, TRUE);
    g_array_free(nodes, TRUE);
}

static void
layout_clear(Layout *L)
{
    g_array_free(L->rows, TRUE);
    g_free(L->cols);
}

/* ---- SVG writing ------------------------------------------------------------ */

/* XML character data: markup escaped; characters XML 1.0 forbids, and bytes
 * that are not UTF-8, become '?'; cut to @max_chars with an ellipsis. */
static void
xml_text(GString *s, const char *v, guint max_chars)
{
    const char *p = v, *end = v + strlen(v);
    guint n = 0;

    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        const char *next;

        if (n == max_chars) {
            g_string_append(s, "\xe2\x80\xa6"); /* U+2026 */
            return;
        }
        n++;
        if (c == (gunichar) -1 || c == (gunichar) -2) {
            g_string_append_c(s, '?');
            p++;
            continue;
        }
        next = g_utf8_next_char(p);
        if (c == '&')
            g_string_append(s, "&amp;");
        else if (c == '<')
            g_string_append(s, "&lt;");
        else if (c == '>')
            g_string_append(s, "&gt;");
        else if (c == '"')
            g_string_append(s, "&quot;");
        else if ((c < 0x20 && c != '\t') || c == 0x7f || (c >= 0xfffe && c <= 0xffff))
            g_string_append_c(s, '?');
        else
            g_string_append_len(s, p, next - p);
        p = next;
    }
}

static void
fmt_time(GString *s, SimTime t)
{
    if (t < SIM_SEC)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT ".%03" G_GUINT64_FORMAT " ms", t / SIM_MSEC,
                               t % SIM_MSEC / SIM_USEC);
    else
        g_string_append_printf(s, "%" G_GUINT64_FORMAT ".%06" G_GUINT64_FORMAT " s", t / SIM_SEC,
                               t % SIM_SEC / SIM_USEC);
}

/* A duration for break markers: the unit that reads best, 3 digits. */
static void
fmt_duration(GString *s, SimTime d)
{
    if (d >= 10 * SIM_SEC)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT " s", (d + SIM_SEC / 2) / SIM_SEC);
    else if (d >= SIM_SEC)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT ".%02" G_GUINT64_FORMAT " s", d / SIM_SEC,
                               d % SIM_SEC / (10 * SIM_MSEC));
    else if (d >= SIM_MSEC)
        g_string_append_printf(s, "%" G_GUINT64_FORMAT ".%01" G_GUINT64_FORMAT " ms", d / SIM_MSEC,
                               d % SIM_MSEC / (100 * SIM_USEC));
    else
        g_string_append_printf(s, "%" G_GUINT64_FORMAT " us", d / SIM_USEC);
}

static const char *
proto_class(guint8 proto)
{
    switch (proto) {
    case SIM_PROTO_TCP:
        return "tcp";
    case SIM_PROTO_UDP:
        return "udp";
    case SIM_PROTO_ICMP:
    case SIM_PROTO_ICMPV6:
        return "icmp";
    default:
        return "ip";
    }
}

static void
svg_title(GString *s, const char *detail)
{
    if (detail == NULL)
        return;
    g_string_append(s, "<title>");
    xml_text(s, detail, 400);
    g_string_append(s, "</title>");
}

static void
svg_cross(GString *s, int x, int y)
{
    g_string_append_printf(s, "<path class=\"x\" d=\"M%d %dL%d %dM%d %dL%d %d\"/>\n", x - 6, y - 6,
                           x + 6, y + 6, x - 6, y + 6, x + 6, y - 6);
}

static void
svg_style(GString *s)
{
    g_string_append(s,
                    "<style>\n"
                    "text{font-family:" FONT ";font-size:11px;fill:#222}\n"
                    ".halo{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}\n"
                    ".title{font-size:14px;font-weight:bold}\n"
                    ".node{fill:#eef2f7;stroke:#4a5a70;stroke-width:1.2}\n"
                    ".nname{font-size:13px;font-weight:bold;fill:#1d2a3a}\n"
                    ".naddr{font-size:10px;fill:#5a6878}\n"
                    ".life{stroke:#9aa5b1;stroke-width:1.2}\n"
                    ".axis{stroke:#b8c0c8;stroke-width:1}\n"
                    ".tick{font-size:10px;fill:#5a6878}\n"
                    ".grid{stroke:#eceff2;stroke-width:1}\n"
                    ".brk{fill:#fff;stroke:none}\n"
                    ".zig{fill:none;stroke:#9aa5b1;stroke-width:1.2}\n"
                    ".brkt{font-size:10px;fill:#6b7785;font-style:italic}\n"
                    ".a{fill:none;stroke-width:1.6}\n"
                    ".a.tcp{stroke:#1f5fae}.a.udp{stroke:#16865c}.a.icmp{stroke:#8a4fbf}"
                    ".a.ip{stroke:#555}\n"
                    ".al.tcp{fill:#1f5fae}.al.udp{fill:#16865c}.al.icmp{fill:#8a4fbf}"
                    ".al.ip{fill:#555}\n"
                    ".lost{stroke-dasharray:5 3}\n"
                    ".x{stroke:#d62728;stroke-width:2.6;fill:none}\n"
                    ".xr{fill:#c0201f;font-weight:bold}\n"
                    ".call{fill:#fff8d6;fill-opacity:.92;stroke:#c9a227;stroke-width:1}\n"
                    ".callbad{fill:#fde4e1;fill-opacity:.92;stroke:#d0473a;stroke-width:1}\n"
                    ".chg{fill:#fbe9d7;fill-opacity:.92;stroke:#d08a3a;stroke-width:1}\n"
                    ".st{fill:#e3f4e5;stroke:#3f9a4e;stroke-width:1}\n"
                    ".stt{font-size:10px;fill:#22662d;font-weight:bold}\n"
                    ".ev{font-size:10px;fill:#b35c00;font-style:italic}\n"
                    ".trunc{fill:#8a1c1c;font-weight:bold}\n"
                    "</style>\n");
    g_string_append(s, "<defs>"
                       "<marker id=\"ah-tcp\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                       "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                       "<path d=\"M0 0L10 5L0 10z\" fill=\"#1f5fae\"/></marker>"
                       "<marker id=\"ah-udp\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                       "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                       "<path d=\"M0 0L10 5L0 10z\" fill=\"#16865c\"/></marker>"
                       "<marker id=\"ah-icmp\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                       "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                       "<path d=\"M0 0L10 5L0 10z\" fill=\"#8a4fbf\"/></marker>"
                       "<marker id=\"ah-ip\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                       "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                       "<path d=\"M0 0L10 5L0 10z\" fill=\"#555\"/></marker>"
                       "</defs>\n");
}

static void
svg_heads(WspsimOutMsc *m, const Layout *L, GString *s, int y)
{
    for (guint i = 0; i < L->n_cols; i++) {
        SimNodeId n = L->cols[i];
        int x = col_x(L, n);
        const char *name = sim_node_name(m->world, n);
        int w = MAX(text_w(name != NULL ? name : "?", 24) + 28, 96);
        bool router = sim_node_kind(m->world, n) == SIM_NODE_ROUTER;
        char a[SIM_ADDR_STRLEN] = "";

        if (sim_node_addr_count(m->world, n) > 0)
            sim_addr_to_string(sim_node_addr(m->world, n, 0), a);
        w = MAX(w, text_w(a, 40) * 10 / 11 + (router ? 60 : 0) + 16); /* 10 px font */
        g_string_append_printf(s,
                               "<rect class=\"node\" x=\"%d\" y=\"%d\" width=\"%d\" "
                               "height=\"%d\" rx=\"%d\"/>\n",
                               x - w / 2, y, w, HEAD_H, router ? 14 : 4);
        g_string_append_printf(s,
                               "<text class=\"nname\" x=\"%d\" y=\"%d\" "
                               "text-anchor=\"middle\">",
                               x, y + 15);
        xml_text(s, name != NULL ? name : "?", 24);
        g_string_append(s, "</text>\n");
        if (a[0] != '\0')
            g_string_append_printf(s,
                                   "<text class=\"naddr\" x=\"%d\" y=\"%d\" "
                                   "text-anchor=\"middle\">%s%s</text>\n",
                                   x, y + 29, a, router ? " (router)" : "");
    }
}

static void
svg_axis(const Layout *L, GString *s)
{
    int last_label = -1000;

    g_string_append_printf(s, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                           AXIS_W - 8, TOP_Y - 12, AXIS_W - 8, L->bottom);
    g_string_append_printf(s,
                           "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">"
                           "time</text>\n",
                           AXIS_W - 12, TOP_Y - 16);
    for (guint i = 0; i < L->rows->len; i++) {
        const Row *r = &g_array_index(L->rows, Row, i);
        GString *t;

        if (!r->label || r->y - last_label < 13)
            continue;
        last_label = r->y;
        t = g_string_new(NULL);
        fmt_time(t, r->t);
        g_string_append_printf(s,
                               "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                               AXIS_W - 4, r->y, L->width - 16, r->y);
        g_string_append_printf(s,
                               "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                               AXIS_W - 12, r->y, AXIS_W - 8, r->y);
        g_string_append_printf(s,
                               "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s"
                               "</text>\n",
                               AXIS_W - 14, r->y + 4, t->str);
        g_string_free(t, TRUE);
    }
}

static void
svg_breaks(const Layout *L, GString *s)
{
    for (guint i = 1; i < L->rows->len; i++) {
        const Row *r = &g_array_index(L->rows, Row, i);
        const Row *p = &g_array_index(L->rows, Row, i - 1);
        int y1 = r->y - ROW_H / 2 - BREAK_H + 6, y2 = r->y - ROW_H / 2 + 2;
        int mid = (y1 + y2) / 2;
        GString *d;

        if (!r->brk)
            continue;
        g_string_append_printf(s,
                               "<rect class=\"brk\" x=\"%d\" y=\"%d\" width=\"%d\" "
                               "height=\"%d\"/>\n",
                               AXIS_W - 12, y1, L->width - AXIS_W - 4, y2 - y1);
        for (int k = 0; k < 2; k++) {
            int yy = k == 0 ? y1 + 4 : y2 - 4;

            g_string_append(s, "<path class=\"zig\" d=\"");
            for (int x = AXIS_W - 12, j = 0; x <= L->width - 16; x += 8, j++)
                g_string_append_printf(s, "%c%d %d", j == 0 ? 'M' : 'L', x,
                                       yy + (j % 2 == 0 ? -3 : 3));
            g_string_append(s, "\"/>\n");
        }
        d = g_string_new(NULL);
        fmt_duration(d, r->t - p->t);
        g_string_append_printf(s,
                               "<text class=\"brkt halo\" x=\"%d\" y=\"%d\" "
                               "text-anchor=\"middle\">%s with nothing happening (not to "
                               "scale)</text>\n",
                               AXIS_W + (L->width - AXIS_W) / 2, mid + 4, d->str);
        g_string_free(d, TRUE);
    }
}

/* Where an arrow starts and where its drawn part ends. */
static void
arrow_geom(const Layout *L, const Item *it, int *x0, int *y0, int *xe, int *ye)
{
    int x1 = col_x(L, it->peer), y1;

    *x0 = col_x(L, it->node);
    *y0 = y_row(L, it->t0, it->row0);
    if (it->arrived) {
        *xe = x1;
        *ye = y_row(L, it->t1, it->row1);
    } else {
        /* Lost in transit: the cross sits halfway along the expected path;
         * lost on arrival (link went down, corrupted): near the receiver;
         * still in flight at the end of the run: at the end. */
        SimTime te = MAX(it->t_exp, it->t0);
        int num = 1, den = 2;

        if (it->dropped && it->reason != SIM_DROP_LOSS) {
            te = MAX(it->t_drop, it->t0);
            num = 7;
            den = 8;
        } else if (!it->dropped) {
            num = 1;
            den = 1;
        }
        y1 = y_at(L, te);
        if (!it->dropped || it->reason == SIM_DROP_LOSS)
            y1 = MAX(y1, *y0 + MIN_GAP); /* a visible slant even at zero latency */
        *xe = *x0 + (x1 - *x0) * num / den;
        *ye = *y0 + (y1 - *y0) * num / den;
    }
}

/* The line, its head, and for a drop the cross and the reason. */
static void
svg_arrow(const Layout *L, GString *s, const Item *it)
{
    const char *pc = proto_class(it->proto);
    int x0, y0, xe, ye;
    bool rightward = col_x(L, it->peer) >= col_x(L, it->node);

    arrow_geom(L, it, &x0, &y0, &xe, &ye);
    g_string_append(s, "<g>");
    svg_title(s, it->detail);
    g_string_append_printf(s, "<path class=\"a %s%s\" d=\"M%d %dL%d %d\"%s%s%s/>", pc,
                           it->arrived ? "" : " lost", x0, y0, xe, ye,
                           it->arrived ? " marker-end=\"url(#ah-" : "", it->arrived ? pc : "",
                           it->arrived ? ")\"" : "");
    if (it->dropped) {
        svg_cross(s, xe, ye);
        g_string_append_printf(s,
                               "<text class=\"xr halo\" x=\"%d\" y=\"%d\" "
                               "text-anchor=\"%s\">%s</text>",
                               rightward ? xe + 10 : xe - 10, ye + 14, rightward ? "start" : "end",
                               sim_drop_reason_name(it->reason));
    } else if (!it->arrived) {
        g_string_append_printf(s,
                               "<text class=\"ev halo\" x=\"%d\" y=\"%d\" "
                               "text-anchor=\"middle\">(in flight at the end)</text>",
                               xe, ye + 14);
    }
    g_string_append(s, "</g>\n");
}

/* The label, over the middle of the drawn segment on a halo; drawn after
 * everything else so no note hides it. */
static void
svg_arrow_label(const Layout *L, GString *s, const Item *it)
{
    int x0, y0, xe, ye;

    arrow_geom(L, it, &x0, &y0, &xe, &ye);
    g_string_append(s, "<g>");
    svg_title(s, it->detail);
    g_string_append_printf(s,
                           "<text class=\"al %s halo\" x=\"%d\" y=\"%d\" "
                           "text-anchor=\"middle\">",
                           proto_class(it->proto), (x0 + xe) / 2, (y0 + ye) / 2 - 4);
    xml_text(s, it->label, LABEL_MAX_CHARS);
    g_string_append(s, "</text></g>\n");
}

static void
svg_drop(const Layout *L, GString *s, const Item *it)
{
    int x0 = col_x(L, it->node), y = y_row(L, it->t0, it->row0);
    int x = x0;
    const char *pc = proto_class(it->proto);

    g_string_append(s, "<g>");
    svg_title(s, it->detail);
    if (it->peer != SIM_ID_NONE) {
        /* Never left the sender: a short arrow toward the far end. */
        int dir = col_x(L, it->peer) >= x0 ? 1 : -1;

        x = x0 + dir * 36;
        g_string_append_printf(s, "<path class=\"a %s lost\" d=\"M%d %dL%d %d\"/>", pc, x0, y, x,
                               y);
        svg_cross(s, x, y);
        g_string_append_printf(s,
                               "<text class=\"xr halo\" x=\"%d\" y=\"%d\" "
                               "text-anchor=\"%s\">",
                               x + dir * 10, y + 4, dir > 0 ? "start" : "end");
    } else {
        svg_cross(s, x, y);
        g_string_append_printf(s,
                               "<text class=\"xr halo\" x=\"%d\" y=\"%d\" "
                               "text-anchor=\"start\">",
                               x + 10, y + 4);
    }
    xml_text(s, it->label, LABEL_MAX_CHARS + 16);
    g_string_append(s, "</text></g>\n");
}

static void
svg_note(const Layout *L, GString *s, const Item *it)
{
    int x = col_x(L, it->node), y = y_row(L, it->t0, it->row0);
    int w = lines_w(it->label) + 12;
    const char *cls = it->kind == IT_CHANGE ? "chg" : it->bad ? "callbad" : "call";
    g_auto(GStrv) lines = g_strsplit(it->label, "\n", -1);
    guint n = g_strv_length(lines);

    g_string_append(s, "<g>");
    svg_title(s, it->detail);
    /* One line per row: the box grows downward by ROW_H per extra line. */
    g_string_append_printf(s,
                           "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                           "rx=\"3\"/>",
                           cls, x - w / 2, y - 9, w, 18 + (int) (n - 1) * ROW_H);
    for (guint i = 0; i < n; i++) {
        g_string_append_printf(s, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x,
                               y + 4 + (int) i * ROW_H);
        xml_text(s, lines[i], NOTE_WRAP + 2);
        g_string_append(s, "</text>");
    }
    g_string_append(s, "</g>\n");
}

static void
svg_state(const Layout *L, GString *s, const Item *it)
{
    int x = col_x(L, it->node), y = y_row(L, it->t0, it->row0);

    g_string_append(s, "<g>");
    svg_title(s, it->detail);
    if (it->kind == IT_STATE) {
        int w = (int) (strlen(it->label) * 60 / 10) + 12;

        g_string_append_printf(s,
                               "<rect class=\"st\" x=\"%d\" y=\"%d\" width=\"%d\" "
                               "height=\"14\" rx=\"7\"/>",
                               x - w / 2, y - 7, w);
        g_string_append_printf(s, "<text class=\"stt\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
                               x, y + 4);
    } else {
        g_string_append_printf(s,
                               "<text class=\"ev halo\" x=\"%d\" y=\"%d\" "
                               "text-anchor=\"middle\">",
                               x, y + 4);
    }
    xml_text(s, it->label, LABEL_MAX_CHARS);
    g_string_append(s, "</text></g>\n");
}

/* One line explaining the symbols, under the bottom node boxes. */
static void
svg_legend(const Layout *L, GString *s)
{
    int y = L->bottom + HEAD_H + 22, x = 16;

    g_string_append_printf(s, "<g class=\"legend\">");
    g_string_append_printf(s,
                           "<path class=\"a tcp\" d=\"M%d %dL%d %d\" "
                           "marker-end=\"url(#ah-tcp)\"/>",
                           x, y - 4, x + 36, y - 4);
    g_string_append_printf(s, "<text x=\"%d\" y=\"%d\">TCP</text>", x + 42, y);
    x += 78;
    g_string_append_printf(s,
                           "<path class=\"a udp\" d=\"M%d %dL%d %d\" "
                           "marker-end=\"url(#ah-udp)\"/>",
                           x, y - 4, x + 36, y - 4);
    g_string_append_printf(s, "<text x=\"%d\" y=\"%d\">UDP</text>", x + 42, y);
    x += 78;
    g_string_append_printf(s, "<path class=\"a ip lost\" d=\"M%d %dL%d %d\"/>", x, y - 4, x + 26,
                           y - 4);
    svg_cross(s, x + 30, y - 4);
    g_string_append_printf(s, "<text x=\"%d\" y=\"%d\">dropped (why)</text>", x + 42, y);
    x += 150;
    g_string_append_printf(s,
                           "<rect class=\"call\" x=\"%d\" y=\"%d\" width=\"70\" height=\"16\" "
                           "rx=\"3\"/><text x=\"%d\" y=\"%d\">WSP call</text>",
                           x, y - 12, x + 7, y);
    x += 78;
    g_string_append_printf(s,
                           "<rect class=\"callbad\" x=\"%d\" y=\"%d\" width=\"84\" "
                           "height=\"16\" rx=\"3\"/><text x=\"%d\" y=\"%d\">call failed</text>",
                           x, y - 12, x + 5, y);
    x += 92;
    g_string_append_printf(s,
                           "<rect class=\"st\" x=\"%d\" y=\"%d\" width=\"72\" height=\"14\" "
                           "rx=\"7\"/><text class=\"stt\" x=\"%d\" y=\"%d\">TCP state</text>",
                           x, y - 11, x + 9, y);
    x += 80;
    g_string_append_printf(s,
                           "<rect class=\"chg\" x=\"%d\" y=\"%d\" width=\"112\" height=\"16\" "
                           "rx=\"3\"/><text x=\"%d\" y=\"%d\">link/node/fault</text>",
                           x, y - 12, x + 6, y);
    x += 120;
    g_string_append_printf(s, "<text class=\"ev\" x=\"%d\" y=\"%d\">tcp event</text>", x, y);
    g_string_append(s, "</g>\n");
}

static void
svg_write(WspsimOutMsc *m, GString *s)
{
    Layout L = { 0 };

    layout_build(m, &L);
    g_string_append_printf(s,
                           "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                           "viewBox=\"0 0 %d %d\">\n",
                           L.width, L.height, L.width, L.height);
    svg_style(s);
    g_string_append_printf(s, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
                           L.width, L.height);
    g_string_append_printf(s, "<text class=\"title\" x=\"16\" y=\"22\">");
    xml_text(s, m->title != NULL ? m->title : "wspsim message sequence chart", 120);
    g_string_append(s, "</text>\n");
    if (m->items->len == 0) {
        g_string_append_printf(s, "<text x=\"16\" y=\"%d\">(nothing happened)</text>\n", TOP_Y);
        g_string_append(s, "</svg>\n");
        layout_clear(&L);
        return;
    }
    svg_axis(&L, s);
    for (guint i = 0; i < L.n_cols; i++) {
        int x = col_x(&L, L.cols[i]);

        g_string_append_printf(s,
                               "<line class=\"life\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                               x, HEAD_Y + HEAD_H, x, L.bottom);
    }
    svg_breaks(&L, s);
    svg_heads(m, &L, s, HEAD_Y);
    svg_heads(m, &L, s, L.bottom);
    /* Arrows under the notes and labels drawn at their ends. */
    for (guint i = 0; i < m->items->len; i++) {
        const Item *it = &g_array_index(m->items, Item, i);

        if (it->kind == IT_ARROW)
            svg_arrow(&L, s, it);
    }
    for (guint i = 0; i < m->items->len; i++) {
        const Item *it = &g_array_index(m->items, Item, i);

        switch (it->kind) {
        case IT_ARROW:
            break;
        case IT_DROP:
            svg_drop(&L, s, it);
            break;
        case IT_CALL:
        case IT_CHANGE:
            svg_note(&L, s, it);
            break;
        case IT_STATE:
        case IT_EVENT:
            svg_state(&L, s, it);
            break;
        }
    }
    for (guint i = 0; i < m->items->len; i++) {
        const Item *it = &g_array_index(m->items, Item, i);

        if (it->kind == IT_ARROW)
            svg_arrow_label(&L, s, it);
    }
    svg_legend(&L, s);
    if (m->skipped > 0)
        g_string_append_printf(
            s,
            "<text class=\"trunc\" x=\"16\" y=\"%d\">Chart truncated: %" G_GUINT64_FORMAT
            " of %" G_GUINT64_FORMAT
            " events drawn (the limit is %u); the trace has them all.</text>\n",
            L.bottom + HEAD_H + LEGEND_H + 24, m->seen - m->skipped, m->seen, m->max_events);
    g_string_append(s, "</svg>\n");
    layout_clear(&L);
}

/* ---- Public API ---------------------------------------------------------------- */

static void
item_clear(gpointer p)
{
    Item *it = p;

    g_free(it->label);
    g_free(it->detail);
}

/**
 * wspsim_out_msc_open:
 * @world: the world to chart
 * @path: the SVG file to write at close, or "-" for standard output
 * @error: return location for a WSPSIM_OUT_ERROR
 *
 * Opens @path now (so a bad path fails before the run) and adds a sink
 * collecting what the chart draws.
 *
 * Returns: (transfer full) (nullable): the writer, or NULL with @error set.
 */
WspsimOutMsc *
wspsim_out_msc_open(SimWorld *world, const char *path, GError **error)
{
    WspsimOutMsc *m;
    FILE *f;

    g_return_val_if_fail(world != NULL && path != NULL, NULL);
    f = wspsim__out_open(path, error);
    if (f == NULL)
        return NULL;
    m = g_new0(WspsimOutMsc, 1);
    m->world = world;
    m->f = f;
    m->path = g_strdup(path);
    m->max_events = WSPSIM_OUT_MSC_DEFAULT_MAX_EVENTS;
    m->items = g_array_new(FALSE, TRUE, sizeof(Item));
    g_array_set_clear_func(m->items, item_clear);
    m->hops = g_hash_table_new_full(hop_hash, hop_equal, g_free, NULL);
    m->anchors = g_hash_table_new_full(anchor_hash, anchor_equal, g_free, NULL);
    sim_trace_add_sink(world, msc_sink, m);
    return m;
}

/**
 * wspsim_out_msc_set_max_events:
 * @out: a writer
 * @max_events: draw at most this many items (>= 1); later ones are counted
 *   and a line at the bottom says how many were left out
 */
void
wspsim_out_msc_set_max_events(WspsimOutMsc *out, guint max_events)
{
    g_return_if_fail(out != NULL && max_events > 0);
    out->max_events = max_events;
}

/**
 * wspsim_out_msc_set_title:
 * @out: a writer
 * @title: (nullable): the chart's heading; NULL for the default
 */
void
wspsim_out_msc_set_title(WspsimOutMsc *out, const char *title)
{
    g_return_if_fail(out != NULL);
    g_free(out->title);
    out->title = g_strdup(title);
}

/**
 * wspsim_out_msc_close:
 * @out: (nullable) (transfer full): a writer
 * @error: return location for a WSPSIM_OUT_ERROR
 *
 * Removes the sink, lays the chart out, writes the SVG, closes the file and
 * frees @out.
 *
 * Returns: FALSE with @error set if writing failed.
 */
bool
wspsim_out_msc_close(WspsimOutMsc *out, GError **error)
{
    GString *s;
    bool failed, ok;

    if (out == NULL)
        return true;
    sim_trace_remove_sink(out->world, msc_sink, out);
    s = g_string_sized_new(64 * 1024);
    svg_write(out, s);
    failed = fwrite(s->str, 1, s->len, out->f) != s->len;
    g_string_free(s, TRUE);
    ok = wspsim__out_finish(out->f, out->path, failed, error);
    g_hash_table_destroy(out->hops);
    g_hash_table_destroy(out->anchors);
    g_array_free(out->items, TRUE);
    g_free(out->title);
    g_free(out->path);
    g_free(out);
    return ok;
}
