/* SPDX-License-Identifier: MIT
 *
 * ws2-addr.c: byte order, address text and name resolution as ws2_32
 * offers them.  getaddrinfo knows numeric addresses, "localhost" (the
 * loopbacks, ::1 first as on Windows), the calling host's and every other
 * simulated host's name (their addresses in the order the host has them)
 * and a few well-known service names; nothing is looked up outside the
 * simulated world.  Errors are the Winsock codes (EAI_NONAME is
 * WSAHOST_NOT_FOUND...), returned and also set as the last error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws2-private.h"

/* ---- Byte order -------------------------------------------------------- */

u_short WSAAPI
wspsim_htons(u_short hostshort)
{
    return GUINT16_TO_BE(hostshort);
}

u_long WSAAPI
wspsim_htonl(u_long hostlong)
{
    return GUINT32_TO_BE(hostlong);
}

u_short WSAAPI
wspsim_ntohs(u_short netshort)
{
    return GUINT16_FROM_BE(netshort);
}

u_long WSAAPI
wspsim_ntohl(u_long netlong)
{
    return GUINT32_FROM_BE(netlong);
}

/* ---- IPv4 text ----------------------------------------------------------- */

/* One part of an inet_addr string: decimal, 0x hex or 0 octal. */
static bool
parse_part(const char **p, guint64 *out)
{
    const char *s = *p;
    guint base = 10;
    guint64 v = 0;
    bool any = false;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0') {
        base = 8;
    }
    for (;; s++) {
        int d;

        if (g_ascii_isdigit(*s))
            d = *s - '0';
        else if (base == 16 && g_ascii_isxdigit(*s))
            d = g_ascii_xdigit_value(*s);
        else
            break;
        if ((guint) d >= base)
            return false;
        v = v * base + (guint) d;
        if (v > 0xffffffffu)
            return false;
        any = true;
    }
    if (!any)
        return false;
    *p = s;
    *out = v;
    return true;
}

/**
 * inet_addr:
 *
 * The BSD forms a.b.c.d, a.b.c, a.b and a (each part decimal, octal or
 * hex), as Windows accepts them.
 *
 * Returns: the address in network byte order, or INADDR_NONE.
 */
u_long WSAAPI
wspsim_inet_addr(const char *cp)
{
    guint64 parts[4];
    int n = 0;
    guint32 v;
    const char *p = cp;

    if (cp == NULL || *cp == '\0')
        return INADDR_NONE;
    for (;;) {
        if (n == 4 || !parse_part(&p, &parts[n]))
            return INADDR_NONE;
        n++;
        if (*p == '.') {
            p++;
            continue;
        }
        if (*p == '\0' || *p == ' ')
            break;
        return INADDR_NONE;
    }
    switch (n) {
    case 1:
        v = (guint32) parts[0];
        break;
    case 2:
        if (parts[0] > 0xff || parts[1] > 0xffffff)
            return INADDR_NONE;
        v = (guint32) (parts[0] << 24 | parts[1]);
        break;
    case 3:
        if (parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xffff)
            return INADDR_NONE;
        v = (guint32) (parts[0] << 24 | parts[1] << 16 | parts[2]);
        break;
    default:
        if (parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xff || parts[3] > 0xff)
            return INADDR_NONE;
        v = (guint32) (parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]);
        break;
    }
    return GUINT32_TO_BE(v);
}

/* inet_ntoa: a buffer per OS thread, as Windows keeps one per thread. */
char *WSAAPI
wspsim_inet_ntoa(struct in_addr in)
{
    static _Thread_local char buf[16];
    const u_char *b = (const u_char *) &in.s_addr;

    snprintf(buf, sizeof buf, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    return buf;
}

/* Strict dotted decimal, four parts (inet_pton's IPv4 form). */
static bool
parse_v4_strict(const char *s, guint8 out[4])
{
    for (int i = 0; i < 4; i++) {
        guint v = 0, digits = 0;

        while (g_ascii_isdigit(*s)) {
            if (digits > 0 && v == 0)
                return false; /* no leading zeros */
            v = v * 10 + (guint) (*s - '0');
            if (v > 255 || ++digits > 3)
                return false;
            s++;
        }
        if (digits == 0)
            return false;
        out[i] = (guint8) v;
        if (i < 3 && *s++ != '.')
            return false;
    }
    return *s == '\0';
}

/**
 * inet_pton:
 *
 * Returns: 1 (parsed into @pAddrBuf), 0 (not an address of @Family), or -1
 * with WSAEAFNOSUPPORT (other family) / WSAEFAULT (NULL pointer).
 */
INT WSAAPI
wspsim_inet_pton(INT Family, PCSTR pszAddrString, PVOID pAddrBuf)
{
    SimAddr a;

    if (Family != AF_INET && Family != AF_INET6) {
        WSASetLastError(WSAEAFNOSUPPORT);
        return -1;
    }
    if (pszAddrString == NULL || pAddrBuf == NULL) {
        WSASetLastError(WSAEFAULT);
        return -1;
    }
    if (Family == AF_INET) {
        guint8 v4[4];

        if (!parse_v4_strict(pszAddrString, v4))
            return 0; /* the buffer is left alone */
        memcpy(pAddrBuf, v4, 4);
        return 1;
    }
    if (!sim_addr_parse(pszAddrString, &a) || a.family != SIM_AF_INET6)
        return 0;
    memcpy(pAddrBuf, a.bytes, 16);
    return 1;
}

/**
 * inet_ntop:
 *
 * Returns: @pStringBuf, or NULL with WSAEAFNOSUPPORT (family) or
 * ERROR_INVALID_PARAMETER (NULL pointer, buffer too small).
 */
PCSTR WSAAPI
wspsim_inet_ntop(INT Family, const VOID *pAddr, PSTR pStringBuf, size_t StringBufSize)
{
    SimAddr a;
    char text[SIM_ADDR_STRLEN];

    if (Family != AF_INET && Family != AF_INET6) {
        WSASetLastError(WSAEAFNOSUPPORT);
        return NULL;
    }
    if (pAddr == NULL || pStringBuf == NULL) {
        WSASetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    memset(&a, 0, sizeof a);
    a.family = Family == AF_INET ? SIM_AF_INET : SIM_AF_INET6;
    memcpy(a.bytes, pAddr, Family == AF_INET ? 4 : 16);
    sim_addr_to_string(&a, text);
    if (strlen(text) + 1 > StringBufSize) {
        WSASetLastError(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    memcpy(pStringBuf, text, strlen(text) + 1);
    return pStringBuf;
}

/* ---- getaddrinfo ----------------------------------------------------------- */

static const struct {
    const char *name;
    guint16 port;
} services[] = {
    { "echo", 7 },    { "discard", 9 }, { "daytime", 13 }, { "ftp", 21 },  { "ssh", 22 },
    { "telnet", 23 }, { "smtp", 25 },   { "domain", 53 },  { "http", 80 }, { "pop3", 110 },
    { "ntp", 123 },   { "imap", 143 },  { "https", 443 },
};

#define AI_KNOWN                                                                                   \
    (AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_NUMERICSERV | AI_ALL | AI_ADDRCONFIG |        \
     AI_V4MAPPED)

static int
service_port(const char *service, int flags, guint16 *out)
{
    char *end = NULL;
    guint64 v;

    if (service == NULL || *service == '\0') {
        *out = 0;
        return 0;
    }
    v = g_ascii_strtoull(service, &end, 10);
    if (end != service && *end == '\0') {
        if (v > 65535)
            return EAI_SERVICE;
        *out = (guint16) v;
        return 0;
    }
    if (flags & AI_NUMERICSERV)
        return EAI_NONAME;
    for (size_t i = 0; i < G_N_ELEMENTS(services); i++) {
        if (g_ascii_strcasecmp(service, services[i].name) == 0) {
            *out = services[i].port;
            return 0;
        }
    }
    return EAI_SERVICE;
}

static PADDRINFOA
ai_new(const SimAddr *a, guint16 port, const ADDRINFOA *hints)
{
    PADDRINFOA ai = g_malloc0(sizeof(ADDRINFOA) + sizeof(SOCKADDR_STORAGE));
    struct sockaddr *sa = (struct sockaddr *) (ai + 1);

    ai->ai_flags = hints ? hints->ai_flags : 0;
    ai->ai_socktype = hints ? hints->ai_socktype : 0;
    ai->ai_protocol = hints ? hints->ai_protocol : 0;
    ai->ai_addr = sa;
    if (a->family == SIM_AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *) sa;

        in->sin_family = AF_INET;
        in->sin_port = wspsim_htons(port);
        memcpy(&in->sin_addr, a->bytes, 4);
        ai->ai_family = AF_INET;
        ai->ai_addrlen = sizeof(struct sockaddr_in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) sa;

        in6->sin6_family = AF_INET6;
        in6->sin6_port = wspsim_htons(port);
        memcpy(&in6->sin6_addr, a->bytes, 16);
        ai->ai_family = AF_INET6;
        ai->ai_addrlen = sizeof(struct sockaddr_in6);
    }
    return ai;
}

static bool
family_ok(int family, const SimAddr *a)
{
    return family == AF_UNSPEC || (family == AF_INET && a->family == SIM_AF_INET) ||
           (family == AF_INET6 && a->family == SIM_AF_INET6);
}

static int
gai_fail(int err)
{
    WSASetLastError(err);
    return err;
}

/**
 * getaddrinfo:
 *
 * Resolves @pNodeName in the simulated world of the calling thread (see the
 * file comment); a NULL node gives the wildcard addresses with AI_PASSIVE,
 * the loopbacks otherwise.  Every result carries the hints' socket type and
 * protocol.  Needs WSAStartup.
 *
 * Returns: 0, or EAI_NONAME (WSAHOST_NOT_FOUND: unknown name, or no
 * address of the family), EAI_SERVICE, EAI_FAMILY, EAI_SOCKTYPE,
 * EAI_BADFLAGS, WSANOTINITIALISED, WSAEFAULT (NULL @ppResult); also set as
 * the last error.
 */
INT WSAAPI
wspsim_getaddrinfo(PCSTR pNodeName, PCSTR pServiceName, const ADDRINFOA *pHints,
                   PADDRINFOA *ppResult)
{
    Ws2Ctx ctx;
    int family = pHints ? pHints->ai_family : AF_UNSPEC;
    int flags = pHints ? pHints->ai_flags : 0;
    GArray *addrs;
    SimAddr a;
    guint16 port = 0;
    PADDRINFOA head = NULL, *tail = &head;
    int err;

    if (ppResult == NULL)
        return gai_fail(WSAEFAULT);
    *ppResult = NULL;
    if (!ws2_ctx(&ctx) || ctx.proc->startup_count == 0)
        return gai_fail(WSANOTINITIALISED);
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return gai_fail(EAI_FAMILY);
    if (pHints != NULL && pHints->ai_socktype != 0 && pHints->ai_socktype != SOCK_STREAM &&
        pHints->ai_socktype != SOCK_DGRAM && pHints->ai_socktype != SOCK_RAW)
        return gai_fail(EAI_SOCKTYPE);
    if ((flags & ~AI_KNOWN) != 0 || ((flags & AI_CANONNAME) && pNodeName == NULL))
        return gai_fail(EAI_BADFLAGS);
    if (pNodeName == NULL && pServiceName == NULL)
        return gai_fail(EAI_NONAME);
    err = service_port(pServiceName, flags, &port);
    if (err != 0)
        return gai_fail(err);

    addrs = g_array_new(FALSE, FALSE, sizeof(SimAddr));
    if (pNodeName == NULL) {
        SimAddr v6 = sim_addr_any(SIM_AF_INET6), v4 = sim_addr_any(SIM_AF_INET);

        if (!(flags & AI_PASSIVE)) {
            sim_addr_parse("::1", &v6);
            v4 = sim_addr_v4(127, 0, 0, 1);
        }
        g_array_append_val(addrs, v6);
        g_array_append_val(addrs, v4);
    } else if (sim_addr_parse(pNodeName, &a)) {
        g_array_append_val(addrs, a);
    } else if (flags & AI_NUMERICHOST) {
        g_array_unref(addrs);
        return gai_fail(EAI_NONAME);
    } else if (g_ascii_strcasecmp(pNodeName, "localhost") == 0) {
        SimAddr v6, v4 = sim_addr_v4(127, 0, 0, 1);

        sim_addr_parse("::1", &v6);
        g_array_append_val(addrs, v6);
        g_array_append_val(addrs, v4);
    } else {
        SimNodeId node = sim_node_lookup(ctx.world, pNodeName);

        for (size_t i = 0; node != SIM_ID_NONE && i < sim_node_addr_count(ctx.world, node); i++)
            g_array_append_val(addrs, *sim_node_addr(ctx.world, node, i));
    }
    for (guint i = 0; i < addrs->len; i++) {
        const SimAddr *x = &g_array_index(addrs, SimAddr, i);

        if (!family_ok(family, x))
            continue;
        *tail = ai_new(x, port, pHints);
        tail = &(*tail)->ai_next;
    }
    g_array_unref(addrs);
    if (head == NULL)
        return gai_fail(EAI_NONAME);
    if ((flags & AI_CANONNAME) && pNodeName != NULL)
        head->ai_canonname = g_strdup(pNodeName);
    *ppResult = head;
    return 0;
}

VOID WSAAPI
wspsim_freeaddrinfo(PADDRINFOA pAddrInfo)
{
    while (pAddrInfo != NULL) {
        PADDRINFOA next = pAddrInfo->ai_next;

        g_free(pAddrInfo->ai_canonname);
        g_free(pAddrInfo);
        pAddrInfo = next;
    }
}

const char *WSAAPI
wspsim_gai_strerror(int ecode)
{
    switch (ecode) {
    case 0:
        return "Success";
    case EAI_AGAIN:
        return "A temporary failure in name resolution occurred.";
    case EAI_BADFLAGS:
        return "An invalid value was provided for the ai_flags member.";
    case EAI_FAIL:
        return "A nonrecoverable failure in name resolution occurred.";
    case EAI_FAMILY:
        return "The ai_family member is not supported.";
    case EAI_MEMORY:
        return "A memory allocation failure occurred.";
    case EAI_NONAME:
        return "The name does not resolve for the supplied parameters.";
    case EAI_SERVICE:
        return "The service is not supported for the socket type.";
    case EAI_SOCKTYPE:
        return "The ai_socktype member is not supported.";
    case WSANOTINITIALISED:
        return "WSAStartup has not been called.";
    default:
        return "Unknown error.";
    }
}
