/* SPDX-License-Identifier: MIT
 *
 * sim-types.c: status names and address helpers shared by every layer.
 */
#include "config.h"

#include "sim/sim-types.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const SimStatus all_statuses[] = {
#define SIM_STATUS_VALUE(name, value, text) SIM_##name,
    SIM_STATUS_MAP(SIM_STATUS_VALUE)
#undef SIM_STATUS_VALUE
};

/**
 * sim_status_name:
 * @st: a status
 *
 * Returns: (transfer none): the symbolic name without the SIM_ prefix, as the
 * trace prints it ("E_TIMEDOUT"); "E_UNKNOWN" for a value outside the list.
 */
const char *
sim_status_name(SimStatus st)
{
    switch (st) {
#define SIM_STATUS_CASE(name, value, text)                                     \
    case SIM_##name:                                                           \
        return #name;
        SIM_STATUS_MAP(SIM_STATUS_CASE)
#undef SIM_STATUS_CASE
    }
    return "E_UNKNOWN";
}

/**
 * sim_status_text:
 * @st: a status
 *
 * Returns: (transfer none): a short human-readable description.
 */
const char *
sim_status_text(SimStatus st)
{
    switch (st) {
#define SIM_STATUS_CASE(name, value, text)                                     \
    case SIM_##name:                                                           \
        return text;
        SIM_STATUS_MAP(SIM_STATUS_CASE)
#undef SIM_STATUS_CASE
    }
    return "unknown status";
}

const SimStatus *
sim_status_all(size_t *out_count)
{
    *out_count = G_N_ELEMENTS(all_statuses);
    return all_statuses;
}

/**
 * sim_addr_parse:
 * @text: "10.0.0.1" or "fe80::1" (no brackets)
 * @out_addr: (out): the parsed address
 *
 * Returns: TRUE when @text is a complete IPv4 or IPv6 address.
 */
bool
sim_addr_parse(const char *text, SimAddr *out_addr)
{
    SimAddr a = { 0 };

    if (text == NULL)
        return false;
    if (inet_pton(AF_INET, text, a.bytes) == 1) {
        a.family = SIM_AF_INET;
    } else if (inet_pton(AF_INET6, text, a.bytes) == 1) {
        a.family = SIM_AF_INET6;
    } else {
        return false;
    }
    *out_addr = a;
    return true;
}

/**
 * sim_sockaddr_parse:
 * @text: "10.0.0.2:80", "[fe80::1]:80"; a bare address means port 0
 * @out_sa: (out): the parsed address and port
 *
 * Returns: TRUE on success.
 */
bool
sim_sockaddr_parse(const char *text, SimSockAddr *out_sa)
{
    char host[SIM_ADDR_STRLEN];
    const char *port_text = NULL;
    size_t host_len;
    SimSockAddr sa = { 0 };

    if (text == NULL)
        return false;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL)
            return false;
        host_len = (size_t) (close - text - 1);
        if (host_len == 0 || host_len >= sizeof host)
            return false;
        memcpy(host, text + 1, host_len);
        host[host_len] = '\0';
        if (close[1] == ':')
            port_text = close + 2;
        else if (close[1] != '\0')
            return false;
        if (!sim_addr_parse(host, &sa.addr) || sa.addr.family != SIM_AF_INET6)
            return false;
    } else {
        const char *colon = strchr(text, ':');
        if (colon != NULL && strchr(colon + 1, ':') != NULL) {
            /* Bare IPv6 without brackets: an address alone, no port. */
            if (!sim_addr_parse(text, &sa.addr))
                return false;
        } else {
            host_len = colon ? (size_t) (colon - text) : strlen(text);
            if (host_len == 0 || host_len >= sizeof host)
                return false;
            memcpy(host, text, host_len);
            host[host_len] = '\0';
            if (!sim_addr_parse(host, &sa.addr))
                return false;
            if (colon != NULL)
                port_text = colon + 1;
        }
    }
    if (port_text != NULL) {
        guint64 port;
        char *end = NULL;
        if (*port_text < '0' || *port_text > '9')
            return false;
        port = g_ascii_strtoull(port_text, &end, 10);
        if (end == NULL || *end != '\0' || port > 65535)
            return false;
        sa.port = (guint16) port;
    }
    *out_sa = sa;
    return true;
}

char *
sim_addr_to_string(const SimAddr *addr, char buf[SIM_ADDR_STRLEN])
{
    switch (addr->family) {
    case SIM_AF_INET:
        inet_ntop(AF_INET, addr->bytes, buf, SIM_ADDR_STRLEN);
        break;
    case SIM_AF_INET6:
        inet_ntop(AF_INET6, addr->bytes, buf, SIM_ADDR_STRLEN);
        break;
    default:
        g_strlcpy(buf, "-", SIM_ADDR_STRLEN);
        break;
    }
    return buf;
}

char *
sim_sockaddr_to_string(const SimSockAddr *sa, char buf[SIM_SOCKADDR_STRLEN])
{
    char a[SIM_ADDR_STRLEN];

    sim_addr_to_string(&sa->addr, a);
    if (sa->addr.family == SIM_AF_INET6)
        g_snprintf(buf, SIM_SOCKADDR_STRLEN, "[%s]:%u", a, sa->port);
    else
        g_snprintf(buf, SIM_SOCKADDR_STRLEN, "%s:%u", a, sa->port);
    return buf;
}

SimAddr
sim_addr_v4(guint8 a, guint8 b, guint8 c, guint8 d)
{
    SimAddr addr = { .family = SIM_AF_INET, .bytes = { a, b, c, d } };
    return addr;
}

SimAddr
sim_addr_any(SimFamily family)
{
    SimAddr addr = { .family = (guint8) family };
    return addr;
}

static size_t
addr_len(const SimAddr *a)
{
    return a->family == SIM_AF_INET6 ? 16 : 4;
}

bool
sim_addr_equal(const SimAddr *a, const SimAddr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, addr_len(a)) == 0;
}

bool
sim_addr_is_any(const SimAddr *a)
{
    static const guint8 zero[16] = { 0 };
    return memcmp(a->bytes, zero, addr_len(a)) == 0;
}

bool
sim_addr_is_loopback(const SimAddr *a)
{
    static const guint8 v6_loop[16] = { [15] = 1 };

    if (a->family == SIM_AF_INET)
        return a->bytes[0] == 127;
    if (a->family == SIM_AF_INET6)
        return memcmp(a->bytes, v6_loop, 16) == 0;
    return false;
}

bool
sim_addr_is_multicast(const SimAddr *a)
{
    if (a->family == SIM_AF_INET)
        return (a->bytes[0] & 0xf0) == 0xe0;
    if (a->family == SIM_AF_INET6)
        return a->bytes[0] == 0xff;
    return false;
}

bool
sim_addr_is_broadcast(const SimAddr *a)
{
    return a->family == SIM_AF_INET && a->bytes[0] == 255 && a->bytes[1] == 255 &&
           a->bytes[2] == 255 && a->bytes[3] == 255;
}

guint
sim_addr_hash(const SimAddr *a)
{
    guint h = 2166136261u ^ a->family;
    size_t n = addr_len(a);

    for (size_t i = 0; i < n; i++)
        h = (h ^ a->bytes[i]) * 16777619u;
    return h;
}

guint32
sim_addr_v4_u32(const SimAddr *a)
{
    return ((guint32) a->bytes[0] << 24) | ((guint32) a->bytes[1] << 16) |
           ((guint32) a->bytes[2] << 8) | a->bytes[3];
}
