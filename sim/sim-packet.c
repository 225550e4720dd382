/* SPDX-License-Identifier: MIT
 *
 * sim-packet.c: refcounted packets and payload buffers, their length on the
 * wire and their serialisation as real IPv4/IPv6 packets (RFC 791, RFC 8200)
 * carrying TCP (RFC 9293, options per RFC 7323), UDP (RFC 768) or ICMP
 * (RFC 792, RFC 4443) with correct checksums (RFC 1071), for pcap export
 * and tests.
 *
 * Ownership: a packet is shared by refcount; whoever queues or delivers it
 * consumes the caller's reference.  The payload (SimBuf) is shared, never
 * copied, between a packet's copies (duplicates, multicast copies,
 * fragments).  Each packet points at its world so that sim_packet_unref()
 * needs no world argument: the world counts live packets for leak checks,
 * and keeps freed packets in a small pool because the simulator makes and
 * drops them at a high rate.
 */
#include "config.h"

#include "sim/sim-net.h"

#include <string.h>

#include "sim/sim-net-private.h"

/* Freed packets kept for reuse, per world. */
#define PACKET_POOL_MAX 4096u

/* ---- Buffers --------------------------------------------------------- */

/**
 * sim_buf_new:
 * @data: (nullable): @len bytes to copy; NULL gives zero bytes
 * @len: the length
 *
 * Returns: (transfer full): a buffer with one reference.
 */
SimBuf *
sim_buf_new(const void *data, size_t len)
{
    SimBuf *buf = g_malloc(sizeof(SimBuf) + len);

    buf->refcount = 1;
    buf->len = len;
    if (data != NULL)
        memcpy(buf->data, data, len);
    else
        memset(buf->data, 0, len);
    return buf;
}

/**
 * sim_buf_ref:
 * @buf: a buffer
 *
 * Returns: (transfer full): @buf, with one more reference.
 */
SimBuf *
sim_buf_ref(SimBuf *buf)
{
    g_return_val_if_fail(buf != NULL && buf->refcount > 0, NULL);
    buf->refcount++;
    return buf;
}

/**
 * sim_buf_unref:
 * @buf: (nullable) (transfer full): a buffer
 *
 * Drops a reference; the last one frees the buffer.
 */
void
sim_buf_unref(SimBuf *buf)
{
    if (buf == NULL)
        return;
    g_return_if_fail(buf->refcount > 0);
    if (--buf->refcount == 0)
        g_free(buf);
}

/* ---- Packets --------------------------------------------------------- */

/**
 * sim__packet_account_new:
 * @world: the world
 *
 * Counts one more live packet; sim_packet_unref() counts it out.
 */
void
sim__packet_account_new(SimWorld *world)
{
    world->packets_alive++;
}

static SimPacket *
packet_alloc(SimWorld *world)
{
    SimNet *net = sim__net_get(world);
    SimPacket *pkt;

    if (net->pool_len > 0)
        pkt = net->pool[--net->pool_len];
    else
        pkt = g_new(SimPacket, 1);
    sim__packet_account_new(world);
    return pkt;
}

/**
 * sim_packet_new:
 * @world: the world the packet travels in
 * @proto: its IP protocol number (SIM_PROTO_*)
 *
 * Makes a packet with zeroed headers, TTL SIM_PACKET_DEFAULT_TTL and no
 * payload.  The caller fills in addresses and transport fields.
 *
 * Returns: (transfer full): the packet, with the next uid of @world.
 */
SimPacket *
sim_packet_new(SimWorld *world, guint8 proto)
{
    SimPacket *pkt;

    g_return_val_if_fail(world != NULL, NULL);
    pkt = packet_alloc(world);
    memset(pkt, 0, sizeof *pkt);
    pkt->refcount = 1;
    pkt->uid = ++world->next_packet_uid;
    pkt->world = world;
    pkt->proto = proto;
    pkt->ttl = SIM_PACKET_DEFAULT_TTL;
    return pkt;
}

/**
 * sim_packet_copy:
 * @world: the world
 * @pkt: the packet to copy
 *
 * Copies the headers (and the network's transit fields); the payload buffer
 * is shared, not copied.
 *
 * Returns: (transfer full): the copy, with a new uid.
 */
SimPacket *
sim_packet_copy(SimWorld *world, const SimPacket *pkt)
{
    SimPacket *copy;

    g_return_val_if_fail(world != NULL && pkt != NULL, NULL);
    copy = packet_alloc(world);
    *copy = *pkt;
    copy->refcount = 1;
    copy->uid = ++world->next_packet_uid;
    copy->world = world;
    if (copy->payload != NULL)
        copy->payload->refcount++;
    if (copy->plan != NULL)
        sim__route_plan_ref(copy->plan);
    return copy;
}

/**
 * sim_packet_ref:
 * @pkt: a packet
 *
 * Returns: (transfer full): @pkt, with one more reference.
 */
SimPacket *
sim_packet_ref(SimPacket *pkt)
{
    g_return_val_if_fail(pkt != NULL && pkt->refcount > 0, NULL);
    pkt->refcount++;
    return pkt;
}

/**
 * sim_packet_unref:
 * @pkt: (nullable) (transfer full): a packet
 *
 * Drops a reference.  The last one releases the payload and the delivery
 * plan and counts the packet out of its world (which must still exist).
 */
void
sim_packet_unref(SimPacket *pkt)
{
    SimWorld *world;
    SimNet *net;

    if (pkt == NULL)
        return;
    g_return_if_fail(pkt->refcount > 0);
    if (--pkt->refcount > 0)
        return;
    sim_buf_unref(pkt->payload);
    if (pkt->plan != NULL)
        sim__route_plan_unref(pkt->plan);
    world = pkt->world;
    g_assert(world->packets_alive > 0);
    world->packets_alive--;
    net = sim__net_peek(world);
    if (net != NULL && !net->tearing_down && net->pool_len < PACKET_POOL_MAX) {
        if (net->pool_len == net->pool_cap) {
            net->pool_cap = net->pool_cap != 0 ? net->pool_cap * 2 : 64;
            net->pool = g_renew(SimPacket *, net->pool, net->pool_cap);
        }
        pkt->refcount = 0;
        net->pool[net->pool_len++] = pkt;
        return;
    }
    g_free(pkt);
}

void
sim__packet_pool_free(SimNet *net)
{
    for (guint32 i = 0; i < net->pool_len; i++)
        g_free(net->pool[i]);
    g_free(net->pool);
    net->pool = NULL;
    net->pool_len = net->pool_cap = 0;
}

/**
 * sim_packet_set_payload:
 * @pkt: a packet
 * @buf: (nullable) (transfer none): the buffer; the packet takes its own
 *   reference
 * @off: where the packet's bytes start in @buf
 * @len: how many bytes
 *
 * Replaces the payload (releasing the previous one).  @off + @len must lie
 * within @buf.
 */
void
sim_packet_set_payload(SimPacket *pkt, SimBuf *buf, guint32 off, guint32 len)
{
    SimBuf *old;

    g_return_if_fail(pkt != NULL);
    g_return_if_fail(buf == NULL || (size_t)off + len <= buf->len);
    old = pkt->payload;
    pkt->payload = buf != NULL ? sim_buf_ref(buf) : NULL;
    pkt->payload_off = buf != NULL ? off : 0;
    pkt->payload_len = buf != NULL ? len : 0;
    sim_buf_unref(old);
}

/**
 * sim_world_packets_alive:
 * @world: the world
 *
 * Returns: the packets made in @world and not yet freed.  Zero once a world
 * has run to idle with nothing held is the leak check the tests make.
 */
guint64
sim_world_packets_alive(const SimWorld *world)
{
    g_return_val_if_fail(world != NULL, 0);
    return world->packets_alive;
}

/* ---- Lengths --------------------------------------------------------- */

static guint32
ip_header_len_family(guint8 family)
{
    return family == SIM_AF_INET6 ? 40u : 20u;
}

/* An IPv6 fragment carries an 8-byte Fragment extension header after the
 * fixed header (RFC 8200 §4.5). */
static guint32
ip_header_len_pkt(const SimPacket *pkt)
{
    if (pkt->dst.family == SIM_AF_INET6 && (pkt->more_frags || pkt->frag_offset != 0))
        return 48u;
    return ip_header_len_family(pkt->dst.family);
}

/**
 * sim_packet_ip_header_len:
 * @pkt: a packet
 *
 * Returns: 40 for IPv6 (48 for an IPv6 fragment, with its Fragment
 * header), 20 for IPv4 (no options).
 */
guint32
sim_packet_ip_header_len(const SimPacket *pkt)
{
    g_return_val_if_fail(pkt != NULL, 0);
    return ip_header_len_pkt(pkt);
}

/**
 * sim_packet_l4_header_len:
 * @pkt: a packet
 *
 * Returns: the transport header's length on the wire: TCP 20 plus 4 for an
 *   MSS option and 4 for a window-scale option (SYN only); UDP 8; ICMP 8,
 *   plus the quoted IP header and 8 bytes for an error; 0 for other
 *   protocols (their bytes are all payload).  A fragment other than the
 *   first carries none, but this still returns the datagram's.
 */
guint32
sim_packet_l4_header_len(const SimPacket *pkt)
{
    g_return_val_if_fail(pkt != NULL, 0);
    switch (pkt->proto) {
    case SIM_PROTO_TCP: {
        guint32 n = 20;

        if ((pkt->l4.tcp.flags & SIM_TCP_SYN) != 0) {
            if (pkt->l4.tcp.mss != 0)
                n += 4;
            if (pkt->l4.tcp.wscale != 0)
                n += 4;
        }
        return n;
    }
    case SIM_PROTO_UDP:
        return 8;
    case SIM_PROTO_ICMP:
    case SIM_PROTO_ICMPV6:
        if (pkt->l4.icmp.error != SIM_OK)
            return 8 + ip_header_len_family(pkt->l4.icmp.orig_src.family) + 8;
        return 8;
    default:
        return 0;
    }
}

/**
 * sim_packet_is_fragment:
 * @pkt: a packet
 *
 * Returns: TRUE if @pkt is a fragment (IPv4, or IPv6 with a Fragment
 * header) of a larger datagram.
 */
bool
sim_packet_is_fragment(const SimPacket *pkt)
{
    g_return_val_if_fail(pkt != NULL, false);
    return pkt->more_frags || pkt->frag_offset != 0;
}

/**
 * sim_packet_wire_len:
 * @pkt: a packet
 *
 * Returns: its size on the wire: IP header, transport header (first
 *   fragment only) and payload bytes.  Link serialisation, queue limits and
 *   the MTU use it.
 */
guint32
sim_packet_wire_len(const SimPacket *pkt)
{
    guint32 n;

    g_return_val_if_fail(pkt != NULL, 0);
    n = ip_header_len_pkt(pkt) + pkt->payload_len;
    if (pkt->frag_offset == 0)
        n += sim_packet_l4_header_len(pkt);
    return n;
}

/* ---- Serialisation --------------------------------------------------- */

static void
put16(guint8 *p, guint32 v)
{
    p[0] = (guint8)(v >> 8);
    p[1] = (guint8)v;
}

static void
put32(guint8 *p, guint32 v)
{
    p[0] = (guint8)(v >> 24);
    p[1] = (guint8)(v >> 16);
    p[2] = (guint8)(v >> 8);
    p[3] = (guint8)v;
}

/* RFC 1071 ones'-complement sum.  Callers feed even-length pieces except
 * possibly the last. */
static guint32
csum_add(guint32 sum, const guint8 *p, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2)
        sum += (guint32)(p[i] << 8 | p[i + 1]);
    if (i < len)
        sum += (guint32)p[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return sum;
}

static guint16
csum_fold(guint32 sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (guint16)~sum;
}

/* The pseudo-header sum of RFC 9293 §3.1 / RFC 768 (IPv4) and RFC 8200
 * §8.1 (IPv6). */
static guint32
csum_pseudo(const SimAddr *src, const SimAddr *dst, guint8 proto, guint32 l4_len)
{
    guint8 tmp[8];
    guint32 sum = 0;
    size_t alen = dst->family == SIM_AF_INET6 ? 16 : 4;

    sum = csum_add(sum, src->bytes, alen);
    sum = csum_add(sum, dst->bytes, alen);
    if (dst->family == SIM_AF_INET6) {
        put32(tmp, l4_len);
        tmp[4] = tmp[5] = tmp[6] = 0;
        tmp[7] = proto;
        sum = csum_add(sum, tmp, 8);
    } else {
        tmp[0] = 0;
        tmp[1] = proto;
        put16(tmp + 2, l4_len);
        sum = csum_add(sum, tmp, 4);
    }
    return sum;
}

static void
put_addr(guint8 *p, const SimAddr *a, guint8 family)
{
    memcpy(p, a->bytes, family == SIM_AF_INET6 ? 16 : 4);
}

/* The IP header an ICMP error quotes: what we know of the offending packet
 * (addresses, protocol); the rest zero. */
static void
put_quoted_header(guint8 *p, const SimIcmpHeader *icmp)
{
    guint8 family = icmp->orig_src.family;

    if (family == SIM_AF_INET6) {
        memset(p, 0, 40);
        p[0] = 0x60;
        put16(p + 4, 8);
        p[6] = icmp->orig_proto;
        put_addr(p + 8, &icmp->orig_src, family);
        put_addr(p + 24, &icmp->orig_dst, family);
        p += 40;
    } else {
        memset(p, 0, 20);
        p[0] = 0x45;
        put16(p + 2, 28);
        p[8] = 1;
        p[9] = icmp->orig_proto;
        put_addr(p + 12, &icmp->orig_src, family);
        put_addr(p + 16, &icmp->orig_dst, family);
        put16(p + 10, csum_fold(csum_add(0, p, 20)));
        p += 20;
    }
    put16(p, icmp->orig_sport);
    put16(p + 2, icmp->orig_dport);
    memset(p + 4, 0, 4);
}

/* Writes the transport header of @pkt at @p (@hlen bytes) and returns it
 * with its checksum, computed over @data (@data_len bytes: the whole
 * datagram's payload, for a first fragment too). */
static void
put_l4_header(const SimPacket *pkt, guint8 *p, guint32 hlen, const guint8 *data, guint32 data_len)
{
    guint8 family = pkt->dst.family;
    guint32 sum;

    switch (pkt->proto) {
    case SIM_PROTO_TCP: {
        const SimTcpHeader *t = &pkt->l4.tcp;
        guint32 win = t->window;
        guint8 *o = p + 20;

        if ((t->flags & SIM_TCP_SYN) == 0)
            win >>= MIN(t->wscale, 14);
        put16(p, t->sport);
        put16(p + 2, t->dport);
        put32(p + 4, t->seq);
        put32(p + 8, t->ack);
        p[12] = (guint8)((hlen / 4) << 4);
        p[13] = t->flags;
        put16(p + 14, MIN(win, 65535u));
        put16(p + 16, 0);
        put16(p + 18, (t->flags & SIM_TCP_URG) != 0 ? t->urg : 0);
        if ((t->flags & SIM_TCP_SYN) != 0 && t->mss != 0) {
            o[0] = 2;
            o[1] = 4;
            put16(o + 2, t->mss);
            o += 4;
        }
        if ((t->flags & SIM_TCP_SYN) != 0 && t->wscale != 0) {
            o[0] = 1; /* NOP, to keep the options 4-aligned */
            o[1] = 3;
            o[2] = 3;
            o[3] = MIN(t->wscale, 14);
        }
        sum = csum_pseudo(&pkt->src, &pkt->dst, SIM_PROTO_TCP, hlen + data_len);
        sum = csum_add(sum, p, hlen);
        sum = csum_add(sum, data, data_len);
        put16(p + 16, csum_fold(sum));
        return;
    }
    case SIM_PROTO_UDP: {
        guint16 c;

        put16(p, pkt->l4.udp.sport);
        put16(p + 2, pkt->l4.udp.dport);
        put16(p + 4, 8 + data_len);
        put16(p + 6, 0);
        sum = csum_pseudo(&pkt->src, &pkt->dst, SIM_PROTO_UDP, 8 + data_len);
        sum = csum_add(sum, p, 8);
        sum = csum_add(sum, data, data_len);
        c = csum_fold(sum);
        put16(p + 6, c == 0 ? 0xffff : c); /* RFC 768: 0 means "none" */
        return;
    }
    case SIM_PROTO_ICMP:
    case SIM_PROTO_ICMPV6: {
        const SimIcmpHeader *ic = &pkt->l4.icmp;

        p[0] = ic->type;
        p[1] = ic->code;
        put16(p + 2, 0);
        put32(p + 4, 0);
        if (ic->error == SIM_E_MSGSIZE) {
            if (family == SIM_AF_INET6)
                put32(p + 4, ic->mtu); /* RFC 4443 §3.2 */
            else
                put16(p + 6, ic->mtu); /* RFC 1191 §4 */
        }
        if (ic->error != SIM_OK)
            put_quoted_header(p + 8, ic);
        sum = 0;
        if (family == SIM_AF_INET6)
            sum = csum_pseudo(&pkt->src, &pkt->dst, SIM_PROTO_ICMPV6, hlen + data_len);
        sum = csum_add(sum, p, hlen);
        sum = csum_add(sum, data, data_len);
        put16(p + 2, csum_fold(sum));
        return;
    }
    default:
        return;
    }
}

static void
put_ip_header(const SimPacket *pkt, guint8 *p, guint32 total)
{
    guint8 family = pkt->dst.family;

    if (family == SIM_AF_INET6) {
        p[0] = (guint8)(0x60 | (pkt->tos >> 4));
        p[1] = (guint8)((pkt->tos & 0x0f) << 4);
        p[2] = p[3] = 0;
        put16(p + 4, total - 40);
        p[6] = pkt->proto;
        p[7] = pkt->ttl;
        put_addr(p + 8, &pkt->src, family);
        put_addr(p + 24, &pkt->dst, family);
        if (pkt->more_frags || pkt->frag_offset != 0) {
            /* Fragment header (RFC 8200 §4.5): next header, reserved,
             * offset in 8-byte units << 3 | M, 32-bit identification. */
            p[6] = 44;
            p[40] = pkt->proto;
            p[41] = 0;
            put16(p + 42, (guint16)((pkt->frag_offset & 0xfff8u) | (pkt->more_frags ? 1u : 0u)));
            put16(p + 44, 0);
            put16(p + 46, pkt->ip_id);
        }
        return;
    }
    p[0] = 0x45;
    p[1] = pkt->tos;
    put16(p + 2, total);
    put16(p + 4, pkt->ip_id);
    put16(p + 6, (pkt->dont_frag ? 0x4000u : 0) | (pkt->more_frags ? 0x2000u : 0) |
                     ((pkt->frag_offset / 8u) & 0x1fffu));
    p[8] = pkt->ttl;
    p[9] = pkt->proto;
    put16(p + 10, 0);
    put_addr(p + 12, &pkt->src, family);
    put_addr(p + 16, &pkt->dst, family);
    put16(p + 10, csum_fold(csum_add(0, p, 20)));
}

/**
 * sim_packet_serialize:
 * @pkt: a packet
 * @buf: (out caller-allocates): where to write
 * @cap: the room in @buf; sim_packet_wire_len() bytes hold all of it
 *
 * Writes @pkt as on the wire: IPv4 (no options) or IPv6 header, then the
 * transport header with its options and checksum, then the payload (zeros
 * where the packet carries no buffer).  The first fragment of a datagram
 * carries the transport length and checksum of the whole datagram, as
 * real fragmentation leaves them.  ICMP errors quote the offending packet's
 * addresses and ports (other quoted fields are zero).
 *
 * Returns: the bytes written: the wire length, or @cap if that is smaller
 *   (the packet truncated, as a pcap snap length does).
 */
size_t
sim_packet_serialize(const SimPacket *pkt, guint8 *buf, size_t cap)
{
    guint32 total, iph, l4h;
    guint8 *out;
    const guint8 *data;

    g_return_val_if_fail(pkt != NULL && (buf != NULL || cap == 0), 0);
    total = sim_packet_wire_len(pkt);
    iph = ip_header_len_pkt(pkt);
    l4h = pkt->frag_offset == 0 ? sim_packet_l4_header_len(pkt) : 0;
    out = cap >= total ? buf : g_malloc(total);
    data = sim_packet_payload(pkt);
    if (l4h > 0) {
        guint32 dlen = pkt->more_frags ? pkt->frag_dgram_len : pkt->payload_len;
        guint8 *zero = NULL;

        /* A first fragment's checksum covers the whole datagram, whose
         * bytes follow this fragment's in the shared buffer. */
        if (data == NULL || (size_t)pkt->payload_off + dlen > pkt->payload->len) {
            if (data != NULL && dlen > pkt->payload_len)
                dlen = pkt->payload_len;
            if (data == NULL)
                data = zero = g_malloc0(MAX(dlen, 1));
        }
        put_l4_header(pkt, out + iph, l4h, data, dlen);
        g_free(zero);
        data = sim_packet_payload(pkt);
    }
    if (pkt->payload_len > 0) {
        if (data != NULL)
            memcpy(out + iph + l4h, data, pkt->payload_len);
        else
            memset(out + iph + l4h, 0, pkt->payload_len);
    }
    put_ip_header(pkt, out, total);
    if (out != buf) {
        memcpy(buf, out, cap);
        g_free(out);
        return cap;
    }
    return total;
}
