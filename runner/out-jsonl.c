/* SPDX-License-Identifier: MIT
 *
 * out-jsonl.c: the JSON lines trace (--jsonl): one JSON object per trace
 * record, the same records as the text trace, keys in a fixed order, for
 * tools (jq, pandas).  Also the file helpers and error domain every writer
 * in runner/out-*.c shares.  doc/outputs.md lists the keys (RFC 8259 JSON,
 * one object per line as JSON Lines asks).
 */
#include "config.h"

#include "runner/out.h"

#include <errno.h>
#include <string.h>

G_DEFINE_QUARK(wspsim - out - error - quark, wspsim_out_error)

/* ---- Files shared by the writers ---------------------------------------- */

FILE *
wspsim__out_open(const char *path, GError **error)
{
    FILE *f;

    g_return_val_if_fail(path != NULL, NULL);
    if (strcmp(path, "-") == 0)
        return stdout;
    f = fopen(path, "wb");
    if (f == NULL) {
        int e = errno;

        g_set_error(error, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_IO, "%s: cannot open for writing: %s",
                    path, g_strerror(e));
    }
    return f;
}

bool
wspsim__out_finish(FILE *f, const char *path, bool write_failed, GError **error)
{
    bool ok = !write_failed;
    int e = 0;

    if (f == NULL)
        return true;
    if (fflush(f) != 0 || ferror(f)) {
        e = errno;
        ok = false;
    }
    if (f != stdout && fclose(f) != 0 && ok) {
        e = errno;
        ok = false;
    }
    if (!ok)
        g_set_error(error, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_IO, "%s: write failed: %s", path,
                    e != 0 ? g_strerror(e) : "I/O error");
    return ok;
}

/* ---- JSON building blocks ------------------------------------------------ */

/* A JSON string literal (RFC 8259 §7): quotes, backslash and control
 * characters escaped; bytes that are not UTF-8 become U+FFFD so the line
 * stays valid JSON whatever a provider put in its text. */
static void
json_str(GString *s, const char *v)
{
    const char *p = v, *end;

    if (v == NULL) {
        g_string_append(s, "null");
        return;
    }
    end = v + strlen(v);
    g_string_append_c(s, '"');
    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);

        if (c == (gunichar) -1 || c == (gunichar) -2) {
            g_string_append(s, "\\ufffd");
            p++;
            continue;
        }
        switch (c) {
        case '"':
            g_string_append(s, "\\\"");
            break;
        case '\\':
            g_string_append(s, "\\\\");
            break;
        case '\n':
            g_string_append(s, "\\n");
            break;
        case '\r':
            g_string_append(s, "\\r");
            break;
        case '\t':
            g_string_append(s, "\\t");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                g_string_append_printf(s, "\\u%04x", (guint) c);
            else
                g_string_append_len(s, p, g_utf8_next_char(p) - p);
            break;
        }
        p = g_utf8_next_char(p);
    }
    g_string_append_c(s, '"');
}

static void
json_key(GString *s, const char *key)
{
    if (s->len > 0 && s->str[s->len - 1] != '{')
        g_string_append_c(s, ',');
    g_string_append_c(s, '"');
    g_string_append(s, key);
    g_string_append(s, "\":");
}

static void
json_kv_str(GString *s, const char *key, const char *v)
{
    json_key(s, key);
    json_str(s, v);
}

static void
json_kv_u(GString *s, const char *key, guint64 v)
{
    json_key(s, key);
    g_string_append_printf(s, "%" G_GUINT64_FORMAT, v);
}

static const char *
node_name_or_null(const SimWorld *world, SimNodeId node)
{
    return node != SIM_ID_NONE ? sim_node_name(world, node) : NULL;
}

static const char *
proto_key(guint8 proto)
{
    switch (proto) {
    case SIM_PROTO_TCP:
        return "tcp";
    case SIM_PROTO_UDP:
        return "udp";
    case SIM_PROTO_ICMP:
        return "icmp";
    case SIM_PROTO_ICMPV6:
        return "icmp6";
    default:
        return NULL;
    }
}

static void
json_endpoint(GString *s, const char *key, const SimAddr *addr, guint16 port, bool with_port)
{
    char buf[SIM_SOCKADDR_STRLEN];

    if (with_port) {
        SimSockAddr sa = { *addr, port };

        json_kv_str(s, key, sim_sockaddr_to_string(&sa, buf));
    } else {
        json_kv_str(s, key, sim_addr_to_string(addr, buf));
    }
}

static void
json_tcp_flags(GString *s, guint8 flags)
{
    static const struct {
        guint8 bit;
        const char *name;
    } names[] = {
        { SIM_TCP_SYN, "SYN" }, { SIM_TCP_FIN, "FIN" }, { SIM_TCP_RST, "RST" },
        { SIM_TCP_PSH, "PSH" }, { SIM_TCP_ACK, "ACK" }, { SIM_TCP_URG, "URG" },
    };
    bool first = true;

    json_key(s, "flags");
    g_string_append_c(s, '[');
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if ((flags & names[i].bit) == 0)
            continue;
        if (!first)
            g_string_append_c(s, ',');
        g_string_append_printf(s, "\"%s\"", names[i].name);
        first = false;
    }
    g_string_append_c(s, ']');
}

static void
json_packet(GString *s, const SimPacket *p)
{
    bool ports = p->proto == SIM_PROTO_TCP || p->proto == SIM_PROTO_UDP;
    bool first_frag = p->frag_offset == 0;
    const char *pk = proto_key(p->proto);

    json_key(s, "packet");
    g_string_append_c(s, '{');
    json_kv_u(s, "uid", p->uid);
    if (pk != NULL)
        json_kv_str(s, "proto", pk);
    else
        json_kv_u(s, "proto", p->proto);
    json_endpoint(s, "src", &p->src, p->proto == SIM_PROTO_TCP ? p->l4.tcp.sport : p->l4.udp.sport,
                  ports);
    json_endpoint(s, "dst", &p->dst, p->proto == SIM_PROTO_TCP ? p->l4.tcp.dport : p->l4.udp.dport,
                  ports);
    json_kv_u(s, "ttl", p->ttl);
    json_kv_u(s, "len", sim_packet_wire_len(p));
    json_kv_u(s, "payload_len", p->payload_len);
    if (sim_packet_is_fragment(p)) {
        json_kv_u(s, "frag_offset", p->frag_offset);
        json_key(s, "more_frags");
        g_string_append(s, p->more_frags ? "true" : "false");
    }
    if (p->corrupt) {
        json_key(s, "corrupt");
        g_string_append(s, "true");
    }
    if (p->flow_id != 0)
        json_kv_u(s, "flow_id", p->flow_id);
    switch (p->proto) {
    case SIM_PROTO_TCP: {
        const SimTcpHeader *t = &p->l4.tcp;

        json_key(s, "tcp");
        g_string_append_c(s, '{');
        json_tcp_flags(s, t->flags);
        json_kv_u(s, "seq", t->seq);
        json_kv_u(s, "ack", t->ack);
        json_kv_u(s, "win", t->window);
        json_kv_u(s, "len", p->payload_len);
        if ((t->flags & SIM_TCP_SYN) != 0 && t->mss != 0)
            json_kv_u(s, "mss", t->mss);
        if ((t->flags & SIM_TCP_SYN) != 0 && t->wscale != 0)
            json_kv_u(s, "wscale", t->wscale);
        if ((t->flags & SIM_TCP_URG) != 0)
            json_kv_u(s, "urg", t->urg);
        g_string_append_c(s, '}');
        break;
    }
    case SIM_PROTO_UDP:
        json_key(s, "udp");
        g_string_append_c(s, '{');
        /* The UDP length field: header plus the whole datagram's payload. */
        json_kv_u(s, "len",
                  8u + (first_frag && p->more_frags ? p->frag_dgram_len : p->payload_len));
        g_string_append_c(s, '}');
        break;
    case SIM_PROTO_ICMP:
    case SIM_PROTO_ICMPV6: {
        const SimIcmpHeader *ic = &p->l4.icmp;

        json_key(s, "icmp");
        g_string_append_c(s, '{');
        json_kv_u(s, "type", ic->type);
        json_kv_u(s, "code", ic->code);
        if (ic->error != SIM_OK) {
            json_kv_str(s, "error", sim_status_name(ic->error));
            if (ic->error == SIM_E_MSGSIZE)
                json_kv_u(s, "mtu", ic->mtu);
        }
        g_string_append_c(s, '}');
        break;
    }
    default:
        break;
    }
    g_string_append_c(s, '}');
}

/**
 * wspsim_out_jsonl_format:
 * @world: the world (for node and actor names)
 * @rec: a record
 * @str: where to append
 *
 * Appends @rec as one JSON object without the newline.  Keys come in one
 * fixed order (t_ns, t, kind, node, peer, link, dir, reason, depart_ns,
 * queue_len, actor, subject, text, packet); a key is left out when the
 * record has nothing for it.  doc/outputs.md has the details.
 */
void
wspsim_out_jsonl_format(const SimWorld *world, const SimTraceRecord *rec, GString *str)
{
    char t[32];
    bool is_pkt;

    g_return_if_fail(world != NULL && rec != NULL && str != NULL);
    g_string_append_c(str, '{');
    json_kv_u(str, "t_ns", rec->time);
    sim_trace_format_time(rec->time, t);
    json_kv_str(str, "t", g_strchug(t));
    json_kv_str(str, "kind", sim_trace_kind_name(rec->kind));
    json_kv_str(str, "node", node_name_or_null(world, rec->node));
    switch (rec->kind) {
    case SIM_TR_PKT_SEND:
    case SIM_TR_PKT_QUEUE:
    case SIM_TR_PKT_DROP:
    case SIM_TR_PKT_DELIVER:
    case SIM_TR_PKT_FORWARD:
        is_pkt = true;
        break;
    case SIM_TR_LINK_CHANGE:
    case SIM_TR_NODE_CHANGE:
    case SIM_TR_TCP_STATE:
    case SIM_TR_TCP_EVENT:
    case SIM_TR_ACTOR:
    case SIM_TR_CALL:
    case SIM_TR_FAULT:
    case SIM_TR_NOTE:
    case SIM_TR_N_KINDS:
    default:
        is_pkt = false;
        break;
    }
    if (rec->peer != SIM_ID_NONE)
        json_kv_str(str, "peer", node_name_or_null(world, rec->peer));
    if (rec->link != SIM_ID_NONE) {
        json_kv_u(str, "link", rec->link);
        json_kv_str(str, "dir",
                    rec->dir == SIM_DIR_BA     ? "ba"
                    : rec->dir == SIM_DIR_BOTH ? "both"
                                               : "ab");
    }
    if (rec->kind == SIM_TR_PKT_DROP)
        json_kv_str(str, "reason", sim_drop_reason_name(rec->reason));
    if (rec->kind == SIM_TR_PKT_SEND || rec->kind == SIM_TR_PKT_QUEUE)
        json_kv_u(str, "depart_ns", rec->kind == SIM_TR_PKT_QUEUE ? rec->depart_ns : rec->time);
    if (rec->kind == SIM_TR_PKT_QUEUE)
        json_kv_u(str, "queue_len", rec->queue_len);
    if (rec->actor != SIM_ID_NONE) {
        const char *a = sim_actor_name(world, rec->actor);

        if (a != NULL)
            json_kv_str(str, "actor", a);
        else
            json_kv_u(str, "actor", rec->actor);
    }
    if (rec->subject != NULL)
        json_kv_str(str, "subject", rec->subject);
    if (rec->text != NULL)
        json_kv_str(str, "text", rec->text);
    if (is_pkt && rec->packet != NULL)
        json_packet(str, rec->packet);
    g_string_append_c(str, '}');
}

/* ---- The writer ------------------------------------------------------------ */

struct WspsimOutJsonl {
    SimWorld *world;
    FILE *f;
    char *path;
    GString *line;
    bool write_failed;
};

static void
jsonl_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    WspsimOutJsonl *out = data;

    g_string_truncate(out->line, 0);
    wspsim_out_jsonl_format(world, rec, out->line);
    g_string_append_c(out->line, '\n');
    if (fwrite(out->line->str, 1, out->line->len, out->f) != out->line->len)
        out->write_failed = true;
}

/**
 * wspsim_out_jsonl_open:
 * @world: the world to trace
 * @path: the file to write, or "-" for standard output
 * @error: return location for a WSPSIM_OUT_ERROR
 *
 * Adds a sink writing one JSON object per record, each on its own line, in
 * emission order.
 *
 * Returns: (transfer full) (nullable): the writer, or NULL with @error set
 *   when @path cannot be opened.
 */
WspsimOutJsonl *
wspsim_out_jsonl_open(SimWorld *world, const char *path, GError **error)
{
    WspsimOutJsonl *out;
    FILE *f;

    g_return_val_if_fail(world != NULL && path != NULL, NULL);
    f = wspsim__out_open(path, error);
    if (f == NULL)
        return NULL;
    out = g_new0(WspsimOutJsonl, 1);
    out->world = world;
    out->f = f;
    out->path = g_strdup(path);
    out->line = g_string_sized_new(256);
    sim_trace_add_sink(world, jsonl_sink, out);
    return out;
}

/**
 * wspsim_out_jsonl_close:
 * @out: (nullable) (transfer full): a writer
 * @error: return location for a WSPSIM_OUT_ERROR
 *
 * Removes the sink, closes the file (flushes standard output) and frees
 * @out.
 *
 * Returns: FALSE with @error set if any write failed.
 */
bool
wspsim_out_jsonl_close(WspsimOutJsonl *out, GError **error)
{
    bool ok;

    if (out == NULL)
        return true;
    sim_trace_remove_sink(out->world, jsonl_sink, out);
    ok = wspsim__out_finish(out->f, out->path, out->write_failed, error);
    g_string_free(out->line, TRUE);
    g_free(out->path);
    g_free(out);
    return ok;
}
