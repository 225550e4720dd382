/* SPDX-License-Identifier: MIT
 *
 * out-pcap.c: the packet capture (--pcap).  Classic pcap with nanosecond
 * timestamps (magic 0xa1b23c4d, written little-endian) and LINKTYPE_RAW
 * (101: each record is a bare IPv4 or IPv6 packet, told apart by its version
 * nibble), so one file holds mixed v4/v6 traffic.  The tap sits at the
 * sending end of every link: a packet is recorded when a link accepts it
 * (SIM_TR_PKT_SEND / _QUEUE), stamped with the time its first bit leaves
 * (the departure time, later than the acceptance for a queued packet), with
 * the bytes sim_packet_serialize() writes (real checksums).  A packet the
 * link then loses is still in the file, as on a sender-side capture.
 *
 * Records come out in timestamp order: a queued packet is held until the
 * trace has moved past its departure time.
 */
#include "config.h"

#include "runner/out.h"

#include <string.h>

#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_LINKTYPE_RAW 101u
#define PCAP_SNAPLEN 262144u

typedef struct {
    SimTime depart;
    guint64 seq; /* acceptance order, breaks ties */
    guint32 wire_len;
    guint32 cap_len;
    guint8 *bytes;
} Held;

struct WspsimOutPcap {
    SimWorld *world;
    FILE *f;
    char *path;
    bool write_failed;
    guint64 count;
    guint64 seq;
    GPtrArray *held; /* of Held*, sorted by (depart, seq) */
    GArray *f_nodes; /* of SimNodeId: capture links touching these */
    GArray *f_links; /* of SimLinkId: capture these links */
    guint8 *buf;     /* PCAP_SNAPLEN bytes */
};

static void
put_u32(guint8 *p, guint32 v)
{
    p[0] = (guint8) v;
    p[1] = (guint8) (v >> 8);
    p[2] = (guint8) (v >> 16);
    p[3] = (guint8) (v >> 24);
}

static void
put_u16(guint8 *p, guint16 v)
{
    p[0] = (guint8) v;
    p[1] = (guint8) (v >> 8);
}

static void
pcap_write(WspsimOutPcap *out, const void *p, size_t n)
{
    if (fwrite(p, 1, n, out->f) != n)
        out->write_failed = true;
}

static void
write_record(WspsimOutPcap *out, SimTime t, const guint8 *bytes, guint32 cap_len, guint32 wire_len)
{
    guint8 h[16];

    put_u32(h, (guint32) (t / SIM_SEC));
    put_u32(h + 4, (guint32) (t % SIM_SEC));
    put_u32(h + 8, cap_len);
    put_u32(h + 12, wire_len);
    pcap_write(out, h, sizeof h);
    pcap_write(out, bytes, cap_len);
    out->count++;
}

/* Write every held packet that departs at or before @now. */
static void
flush_held(WspsimOutPcap *out, SimTime now, bool all)
{
    guint n = 0;

    while (n < out->held->len) {
        Held *h = g_ptr_array_index(out->held, n);

        if (!all && h->depart > now)
            break;
        write_record(out, h->depart, h->bytes, h->cap_len, h->wire_len);
        g_free(h->bytes);
        g_free(h);
        n++;
    }
    if (n > 0)
        g_ptr_array_remove_range(out->held, 0, n);
}

static bool
wanted(const WspsimOutPcap *out, const SimTraceRecord *rec)
{
    if (out->f_nodes->len == 0 && out->f_links->len == 0)
        return true;
    for (guint i = 0; i < out->f_links->len; i++) {
        if (g_array_index(out->f_links, SimLinkId, i) == rec->link)
            return true;
    }
    for (guint i = 0; i < out->f_nodes->len; i++) {
        SimNodeId n = g_array_index(out->f_nodes, SimNodeId, i);

        if (n == rec->node || n == rec->peer)
            return true;
    }
    return false;
}

static void
pcap_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    WspsimOutPcap *out = data;
    SimTime depart;
    guint32 wire, cap;

    (void) world;
    flush_held(out, rec->time, false);
    if ((rec->kind != SIM_TR_PKT_SEND && rec->kind != SIM_TR_PKT_QUEUE) || rec->packet == NULL ||
        rec->link == SIM_ID_NONE || !wanted(out, rec))
        return;
    depart =
        rec->kind == SIM_TR_PKT_QUEUE && rec->depart_ns > rec->time ? rec->depart_ns : rec->time;
    wire = sim_packet_wire_len(rec->packet);
    cap = (guint32) sim_packet_serialize(rec->packet, out->buf, PCAP_SNAPLEN);
    out->seq++;
    if (out->held->len == 0 && depart <= rec->time) {
        write_record(out, depart, out->buf, cap, wire);
        return;
    }
    {
        Held *h = g_new0(Held, 1);
        guint i = out->held->len;

        h->depart = depart;
        h->seq = out->seq;
        h->wire_len = wire;
        h->cap_len = cap;
        h->bytes = g_memdup2(out->buf, cap);
        /* Insertion from the back: departures on one link are FIFO, so the
         * new packet almost always belongs at the end. */
        while (i > 0 && ((Held *) g_ptr_array_index(out->held, i - 1))->depart > depart)
            i--;
        g_ptr_array_insert(out->held, (gint) i, h);
    }
    flush_held(out, rec->time, false);
}

/**
 * wspsim_out_pcap_open:
 * @world: the world to capture
 * @path: the file to write, or "-" for standard output
 * @error: return location for a WSPSIM_OUT_ERROR
 *
 * Writes the pcap file header and adds a sink recording every packet put
 * onto a link from now on (all links until wspsim_out_pcap_add_filter()
 * narrows it).
 *
 * Returns: (transfer full) (nullable): the writer, or NULL with @error set.
 */
WspsimOutPcap *
wspsim_out_pcap_open(SimWorld *world, const char *path, GError **error)
{
    WspsimOutPcap *out;
    guint8 h[24];
    FILE *f;

    g_return_val_if_fail(world != NULL && path != NULL, NULL);
    f = wspsim__out_open(path, error);
    if (f == NULL)
        return NULL;
    out = g_new0(WspsimOutPcap, 1);
    out->world = world;
    out->f = f;
    out->path = g_strdup(path);
    out->held = g_ptr_array_new();
    out->f_nodes = g_array_new(FALSE, FALSE, sizeof(SimNodeId));
    out->f_links = g_array_new(FALSE, FALSE, sizeof(SimLinkId));
    out->buf = g_malloc(PCAP_SNAPLEN);
    put_u32(h, PCAP_MAGIC_NS);
    put_u16(h + 4, 2); /* version 2.4 */
    put_u16(h + 6, 4);
    put_u32(h + 8, 0);  /* thiszone */
    put_u32(h + 12, 0); /* sigfigs */
    put_u32(h + 16, PCAP_SNAPLEN);
    put_u32(h + 20, PCAP_LINKTYPE_RAW);
    pcap_write(out, h, sizeof h);
    sim_trace_add_sink(world, pcap_sink, out);
    return out;
}

/**
 * wspsim_out_pcap_add_filter:
 * @out: a writer
 * @spec: "NODE" (every link touching that node) or "A:B" (the link
 *   between nodes A and B, both directions)
 * @error: return location for WSPSIM_OUT_ERROR_FILTER
 *
 * Narrows the capture to the union of the filters added.
 *
 * Returns: FALSE with @error set when a node or the link does not exist.
 */
bool
wspsim_out_pcap_add_filter(WspsimOutPcap *out, const char *spec, GError **error)
{
    const char *colon;

    g_return_val_if_fail(out != NULL && spec != NULL, false);
    colon = strchr(spec, ':');
    if (colon == NULL) {
        SimNodeId n = sim_node_lookup(out->world, spec);

        if (n == SIM_ID_NONE) {
            g_set_error(error, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_FILTER,
                        "pcap filter: no node named '%s'", spec);
            return false;
        }
        g_array_append_val(out->f_nodes, n);
        return true;
    }
    {
        g_autofree char *a_name = g_strndup(spec, (gsize) (colon - spec));
        SimNodeId a = sim_node_lookup(out->world, a_name);
        SimNodeId b = sim_node_lookup(out->world, colon + 1);
        SimLinkId l;

        if (a == SIM_ID_NONE || b == SIM_ID_NONE) {
            g_set_error(error, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_FILTER,
                        "pcap filter: no node named '%s'", a == SIM_ID_NONE ? a_name : colon + 1);
            return false;
        }
        l = sim_link_lookup(out->world, a, b);
        if (l == SIM_ID_NONE)
            l = sim_link_lookup(out->world, b, a);
        if (l == SIM_ID_NONE) {
            g_set_error(error, WSPSIM_OUT_ERROR, WSPSIM_OUT_ERROR_FILTER,
                        "pcap filter: no link between '%s' and '%s'", a_name, colon + 1);
            return false;
        }
        g_array_append_val(out->f_links, l);
    }
    return true;
}

/**
 * wspsim_out_pcap_packet_count:
 * @out: a writer
 *
 * Returns: the packet records written so far (held queued packets not
 *   counted until they are written).
 */
guint64
wspsim_out_pcap_packet_count(const WspsimOutPcap *out)
{
    g_return_val_if_fail(out != NULL, 0);
    return out->count;
}

/**
 * wspsim_out_pcap_close:
 * @out: (nullable) (transfer full): a writer
 * @error: return location for a WSPSIM_OUT_ERROR
 *
 * Removes the sink, writes the packets still held (queued packets whose
 * departure the run did not reach), closes the file and frees @out.
 *
 * Returns: FALSE with @error set if any write failed.
 */
bool
wspsim_out_pcap_close(WspsimOutPcap *out, GError **error)
{
    bool ok;

    if (out == NULL)
        return true;
    sim_trace_remove_sink(out->world, pcap_sink, out);
    flush_held(out, 0, true);
    ok = wspsim__out_finish(out->f, out->path, out->write_failed, error);
    g_ptr_array_free(out->held, TRUE);
    g_array_free(out->f_nodes, TRUE);
    g_array_free(out->f_links, TRUE);
    g_free(out->buf);
    g_free(out->path);
    g_free(out);
    return ok;
}
