/* SPDX-License-Identifier: MIT
 * test-wsp-sockopt: names, options and ioctls — WSPGetSockName,
 * WSPGetPeerName, WSPGetSockOpt / WSPSetSockOpt for every option of
 * REFERENCE 1.12 (defaults, round trips, sizes, read-only options, effects)
 * and WSPIoctl for the codes of REFERENCE 1.13 the provider serves.  Every
 * failure asserts the return value and *lpErrno. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include <wspsim/mstcpip.h>
#include <wspsim/mswsock.h>

#include "helpers/test-world.h"

#define PORT 7200

#define assert_wsa_fail(call, err, code)                                                           \
    do {                                                                                           \
        (err) = 0;                                                                                 \
        assert_int_equal((call), SOCKET_ERROR);                                                    \
        assert_int_equal((err), (code));                                                           \
    } while (0)

static int
get_int(SOCKET s, int level, int opt, int *out_len)
{
    int v = 0x5a5a5a5a, len = sizeof v, err = 0;

    assert_int_equal(WSPGetSockOpt(s, level, opt, (char *) &v, &len, &err), 0);
    if (out_len != NULL)
        *out_len = len;
    return v;
}

static void
set_int(SOCKET s, int level, int opt, int v)
{
    int err = 0;

    assert_int_equal(WSPSetSockOpt(s, level, opt, (const char *) &v, sizeof v, &err), 0);
}

static int
ioctl_simple(SOCKET s, DWORD code, void *in, DWORD cbin, void *out, DWORD cbout, DWORD *ret,
             int *err)
{
    *ret = 0xdead;
    return WSPIoctl(s, code, in, cbin, out, cbout, ret, NULL, NULL, NULL, err);
}

/* ---- Options: defaults and BOOL round trips ------------------------------------ */

typedef struct {
    const char *name;
    int type; /* SOCK_STREAM or SOCK_DGRAM */
    int level, opt;
    int def; /* documented default (REFERENCE 1.12) */
} BoolOpt;

static const BoolOpt bool_opts[] = {
    { "SO_DEBUG", SOCK_STREAM, SOL_SOCKET, SO_DEBUG, 0 },
    { "SO_REUSEADDR", SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, 0 },
    { "SO_REUSEADDR/udp", SOCK_DGRAM, SOL_SOCKET, SO_REUSEADDR, 0 },
    { "SO_KEEPALIVE", SOCK_STREAM, SOL_SOCKET, SO_KEEPALIVE, 0 },
    { "SO_DONTROUTE", SOCK_DGRAM, SOL_SOCKET, SO_DONTROUTE, 0 },
    { "SO_BROADCAST", SOCK_DGRAM, SOL_SOCKET, SO_BROADCAST, 0 },
    { "SO_OOBINLINE", SOCK_STREAM, SOL_SOCKET, SO_OOBINLINE, 0 },
    { "SO_DONTLINGER", SOCK_STREAM, SOL_SOCKET, SO_DONTLINGER, 1 },
    { "SO_EXCLUSIVEADDRUSE", SOCK_STREAM, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 0 },
    { "SO_EXCLUSIVEADDRUSE/udp", SOCK_DGRAM, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 0 },
    { "SO_CONDITIONAL_ACCEPT", SOCK_STREAM, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, 0 },
    { "TCP_NODELAY", SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY, 0 },
};

static void
test_wsp_sockopt_bool_round_trip(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);

    (void) state;
    test_world_use(tw, tw->pc);
    for (size_t i = 0; i < G_N_ELEMENTS(bool_opts); i++) {
        const BoolOpt *o = &bool_opts[i];
        SOCKET s = test_socket(AF_INET, o->type);
        int len = 0;

        print_message("option %s\n", o->name);
        assert_int_equal(get_int(s, o->level, o->opt, &len), o->def);
        assert_int_equal(len, sizeof(int)); /* BOOL options are 4 bytes */
        set_int(s, o->level, o->opt, 7);    /* nonzero is TRUE, read back as 1 */
        assert_int_equal(get_int(s, o->level, o->opt, NULL), 1);
        set_int(s, o->level, o->opt, 0);
        assert_int_equal(get_int(s, o->level, o->opt, NULL), 0);
        test_close(s);
    }
    test_world_free(tw);
}

/* Options a socket type does not have: WSAENOPROTOOPT both ways. */
static void
test_wsp_sockopt_wrong_type(void **state)
{
    static const struct {
        int type, level, opt;
    } rows[] = {
        { SOCK_STREAM, SOL_SOCKET, SO_BROADCAST },
        { SOCK_DGRAM, SOL_SOCKET, SO_KEEPALIVE },
        { SOCK_DGRAM, SOL_SOCKET, SO_OOBINLINE },
        { SOCK_DGRAM, SOL_SOCKET, SO_LINGER },
        { SOCK_DGRAM, SOL_SOCKET, SO_DONTLINGER },
        { SOCK_DGRAM, SOL_SOCKET, SO_CONDITIONAL_ACCEPT },
        { SOCK_DGRAM, IPPROTO_TCP, TCP_NODELAY },
    };
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);

    (void) state;
    test_world_use(tw, tw->pc);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        SOCKET s = test_socket(AF_INET, rows[i].type);
        LINGER lg = { 1, 1 };
        int v = 1, len = sizeof lg, err = 0;

        print_message("row %zu\n", i);
        assert_wsa_fail(WSPGetSockOpt(s, rows[i].level, rows[i].opt, (char *) &lg, &len, &err), err,
                        WSAENOPROTOOPT);
        if (rows[i].opt == SO_LINGER)
            assert_wsa_fail(
                WSPSetSockOpt(s, rows[i].level, rows[i].opt, (char *) &lg, sizeof lg, &err), err,
                WSAENOPROTOOPT);
        else
            assert_wsa_fail(
                WSPSetSockOpt(s, rows[i].level, rows[i].opt, (char *) &v, sizeof v, &err), err,
                WSAENOPROTOOPT);
        test_close(s);
    }
    test_world_free(tw);
}

static void
test_wsp_sockopt_linger(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    LINGER lg = { 9, 9 };
    SOCKET s;
    int len = sizeof lg, err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    /* Default (REFERENCE 4 choice 15): off, 0; SO_DONTLINGER TRUE. */
    assert_int_equal(WSPGetSockOpt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, &len, &err), 0);
    assert_int_equal(len, sizeof(LINGER));
    assert_int_equal(len, 4);
    assert_int_equal(lg.l_onoff, 0);
    assert_int_equal(lg.l_linger, 0);
    lg.l_onoff = 1;
    lg.l_linger = 12;
    assert_int_equal(WSPSetSockOpt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, sizeof lg, &err), 0);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_DONTLINGER, NULL), 0);
    /* SO_DONTLINGER TRUE clears l_onoff; FALSE restores the last timeout (choice 16). */
    set_int(s, SOL_SOCKET, SO_DONTLINGER, 1);
    len = sizeof lg;
    assert_int_equal(WSPGetSockOpt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, &len, &err), 0);
    assert_int_equal(lg.l_onoff, 0);
    set_int(s, SOL_SOCKET, SO_DONTLINGER, 0);
    assert_int_equal(WSPGetSockOpt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, &len, &err), 0);
    assert_int_equal(lg.l_onoff, 1);
    assert_int_equal(lg.l_linger, 12);
    /* Short buffers (choice 43). */
    len = 3;
    assert_wsa_fail(WSPGetSockOpt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, &len, &err), err,
                    WSAEFAULT);
    assert_wsa_fail(WSPSetSockOpt(s, SOL_SOCKET, SO_LINGER, (char *) &lg, 3, &err), err, WSAEFAULT);
    test_world_free(tw);
}

static void
test_wsp_sockopt_read_only(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET s, u;
    WSAPROTOCOL_INFOW pi;
    int len, err = 0, v = 1;
    static const int ro[] = { SO_ACCEPTCONN,   SO_TYPE,           SO_ERROR,
                              SO_MAX_MSG_SIZE, SO_PROTOCOL_INFOW, SO_GROUP_ID };

    (void) state;
    test_world_use(tw, tw->ps);
    s = test_socket(AF_INET, SOCK_STREAM);
    u = test_socket(AF_INET6, SOCK_DGRAM);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_TYPE, NULL), SOCK_STREAM);
    assert_int_equal(get_int(u, SOL_SOCKET, SO_TYPE, NULL), SOCK_DGRAM);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_ACCEPTCONN, NULL), 0);
    test_bind(s, "10.0.0.2", PORT);
    test_listen(s);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_ACCEPTCONN, NULL), 1);
    assert_int_equal(get_int(u, SOL_SOCKET, SO_MAX_MSG_SIZE, NULL), 65527); /* IPv6 UDP */
    assert_int_equal(get_int(s, SOL_SOCKET, SO_GROUP_ID, NULL), 0);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_GROUP_PRIORITY, NULL), 0);
    set_int(s, SOL_SOCKET, SO_GROUP_PRIORITY, 3);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_GROUP_PRIORITY, NULL), 3);
    len = sizeof pi;
    assert_int_equal(WSPGetSockOpt(u, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *) &pi, &len, &err), 0);
    assert_int_equal(len, sizeof(WSAPROTOCOL_INFOW));
    assert_int_equal(pi.iAddressFamily, AF_INET6);
    assert_int_equal(pi.iSocketType, SOCK_DGRAM);
    assert_int_equal(pi.iProtocol, IPPROTO_UDP);
    len = sizeof pi - 1;
    assert_wsa_fail(WSPGetSockOpt(u, SOL_SOCKET, SO_PROTOCOL_INFOW, (char *) &pi, &len, &err), err,
                    WSAEFAULT);
    for (size_t i = 0; i < G_N_ELEMENTS(ro); i++) {
        print_message("read-only %d\n", ro[i]);
        assert_wsa_fail(WSPSetSockOpt(s, SOL_SOCKET, ro[i], (char *) &v, sizeof v, &err), err,
                        WSAENOPROTOOPT);
    }
    /* PVD_CONFIG: an empty blob; setting it is accepted and ignored. */
    len = 8;
    assert_int_equal(WSPGetSockOpt(s, SOL_SOCKET, PVD_CONFIG, (char *) &v, &len, &err), 0);
    assert_int_equal(len, 0);
    assert_int_equal(WSPSetSockOpt(s, SOL_SOCKET, PVD_CONFIG, (char *) &v, sizeof v, &err), 0);
    /* SO_CONDITIONAL_ACCEPT must come before listen. */
    assert_wsa_fail(
        WSPSetSockOpt(s, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, (char *) &v, sizeof v, &err), err,
        WSAEINVAL);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_CONDITIONAL_ACCEPT, NULL), 0);
    test_world_free(tw);
}

static void
test_wsp_sockopt_exclusive(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET s, t;
    int v = 1, err = 0;

    (void) state;
    test_world_use(tw, tw->ps);
    s = test_socket(AF_INET, SOCK_STREAM);
    set_int(s, SOL_SOCKET, SO_REUSEADDR, 1);
    assert_wsa_fail(WSPSetSockOpt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *) &v, sizeof v, &err),
                    err, WSAEINVAL);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, NULL), 0);
    t = test_socket(AF_INET, SOCK_STREAM);
    set_int(t, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1);
    assert_wsa_fail(WSPSetSockOpt(t, SOL_SOCKET, SO_REUSEADDR, (char *) &v, sizeof v, &err), err,
                    WSAEINVAL);
    test_bind(t, "10.0.0.2", PORT);
    v = 0;
    assert_wsa_fail(WSPSetSockOpt(t, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (char *) &v, sizeof v, &err),
                    err, WSAEINVAL); /* after bind */
    assert_int_equal(get_int(t, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, NULL), 1);
    test_world_free(tw);
}

static void
test_wsp_sockopt_timeouts(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET s;
    DWORD ms = 1500;
    int len = sizeof ms, err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_RCVTIMEO, NULL), 0);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_SNDTIMEO, NULL), 0);
    assert_int_equal(WSPSetSockOpt(s, SOL_SOCKET, SO_RCVTIMEO, (char *) &ms, sizeof ms, &err), 0);
    ms = 0;
    assert_int_equal(WSPGetSockOpt(s, SOL_SOCKET, SO_RCVTIMEO, (char *) &ms, &len, &err), 0);
    assert_int_equal(ms, 1500);
    assert_int_equal(len, sizeof(DWORD));
    set_int(s, SOL_SOCKET, SO_SNDTIMEO, 20);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_SNDTIMEO, NULL), 20);
    test_world_free(tw);
}

/* SO_ERROR: a failed non-blocking connect leaves its error; reading clears it. */
static void
test_wsp_sockopt_so_error(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    SOCKET s;
    int len, err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_ERROR, NULL), 0);
    ss = test_sa("10.0.0.2", PORT, &len); /* nobody listens */
    assert_wsa_fail(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), err,
                    WSAEWOULDBLOCK);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_ERROR, NULL), WSAECONNREFUSED);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_ERROR, NULL), 0);
    test_world_free(tw);
}

/* SO_RCVBUF / SO_SNDBUF: read back what was granted, and it takes effect. */
static void
test_wsp_sockopt_buffers(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    static char big[200000];
    WSABUF b = { sizeof big, big };
    SOCKADDR_STORAGE ss;
    SOCKET u, v, s, l, c, a;
    DWORD sent = 0, ret = 0;
    u_long on = 1, n = 0;
    int len, err = 0;

    (void) state;
    /* UDP: a 100-byte receive buffer holds one 60-byte datagram, not two. */
    test_world_use(tw, tw->ps);
    u = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(u, "10.0.0.2", PORT);
    assert_true(get_int(u, SOL_SOCKET, SO_RCVBUF, NULL) > 0);
    assert_true(get_int(u, SOL_SOCKET, SO_SNDBUF, NULL) > 0);
    set_int(u, SOL_SOCKET, SO_RCVBUF, 100);
    assert_int_equal(get_int(u, SOL_SOCKET, SO_RCVBUF, NULL), 100);
    set_int(u, SOL_SOCKET, SO_SNDBUF, 4096);
    assert_int_equal(get_int(u, SOL_SOCKET, SO_SNDBUF, NULL), 4096);
    assert_wsa_fail(
        WSPSetSockOpt(u, SOL_SOCKET, SO_RCVBUF, (char *) &(int){ -1 }, sizeof(int), &err), err,
        WSAEINVAL);
    test_world_use(tw, tw->pc);
    v = test_socket(AF_INET, SOCK_DGRAM);
    ss = test_sa("10.0.0.2", PORT, &len);
    b.len = 60;
    for (int i = 0; i < 2; i++)
        assert_int_equal(
            WSPSendTo(v, &b, 1, &sent, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    assert_int_equal(WSPIoctl(u, FIONREAD, NULL, 0, &n, sizeof n, &ret, NULL, NULL, NULL, &err), 0);
    assert_int_equal(n, 60);

    /* TCP: a small SO_SNDBUF with a receiver that never reads limits what a
     * non-blocking send takes. */
    test_world_tcp_pair(tw, AF_INET, PORT + 1, &l, &c, &a);
    s = c;
    set_int(s, SOL_SOCKET, SO_SNDBUF, 2000);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_SNDBUF, NULL), 2000);
    assert_int_equal(WSPIoctl(s, FIONBIO, &on, sizeof on, NULL, 0, &ret, NULL, NULL, NULL, &err),
                     0);
    b.len = sizeof big;
    assert_int_equal(WSPSend(s, &b, 1, &sent, 0, NULL, NULL, NULL, &err), 0);
    assert_int_equal(sent, 2000);
    test_world_use(tw, tw->ps);
    set_int(a, SOL_SOCKET, SO_RCVBUF, 5000);
    assert_int_equal(get_int(a, SOL_SOCKET, SO_RCVBUF, NULL), 5000);
    test_world_free(tw);
}

static void
test_wsp_sockopt_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET s;
    int v = 1, len = sizeof v, err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_wsa_fail(WSPGetSockOpt(s, SOL_SOCKET, 0x7777, (char *) &v, &len, &err), err,
                    WSAENOPROTOOPT);
    assert_wsa_fail(WSPSetSockOpt(s, SOL_SOCKET, 0x7777, (char *) &v, len, &err), err,
                    WSAENOPROTOOPT);
    assert_wsa_fail(WSPGetSockOpt(s, IPPROTO_TCP, 0x7777, (char *) &v, &len, &err), err,
                    WSAENOPROTOOPT);
    /* SO_SNDLOWAT/SO_RCVLOWAT: rejected as Windows TCP/IP does. */
    assert_wsa_fail(WSPGetSockOpt(s, SOL_SOCKET, SO_RCVLOWAT, (char *) &v, &len, &err), err,
                    WSAENOPROTOOPT);
    /* IP levels are issue 8's. */
    assert_wsa_fail(WSPGetSockOpt(s, IPPROTO_IP, 4, (char *) &v, &len, &err), err, WSAENOPROTOOPT);
    /* An unknown level: WSAEINVAL (REFERENCE WSPGetSockOpt / WSPSetSockOpt). */
    assert_wsa_fail(WSPGetSockOpt(s, 0x1234, SO_DEBUG, (char *) &v, &len, &err), err, WSAEINVAL);
    assert_wsa_fail(WSPSetSockOpt(s, 0x1234, SO_DEBUG, (char *) &v, len, &err), err, WSAEINVAL);
    /* NULL and short buffers. */
    assert_wsa_fail(WSPGetSockOpt(s, SOL_SOCKET, SO_DEBUG, NULL, &len, &err), err, WSAEFAULT);
    assert_wsa_fail(WSPGetSockOpt(s, SOL_SOCKET, SO_DEBUG, (char *) &v, NULL, &err), err,
                    WSAEFAULT);
    len = 2;
    assert_wsa_fail(WSPGetSockOpt(s, SOL_SOCKET, SO_DEBUG, (char *) &v, &len, &err), err,
                    WSAEFAULT);
    assert_int_equal(len, 2); /* untouched */
    assert_wsa_fail(WSPSetSockOpt(s, SOL_SOCKET, SO_DEBUG, NULL, 4, &err), err, WSAEFAULT);
    assert_wsa_fail(WSPSetSockOpt(s, SOL_SOCKET, SO_DEBUG, (char *) &v, 2, &err), err, WSAEFAULT);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_DEBUG, NULL), 0); /* unchanged */
    test_world_free(tw);
}

/* ---- Names ------------------------------------------------------------------------------ */

static void
test_wsp_sockopt_names(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss, peer;
    struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
    SOCKET s, u, l, c, a;
    int len, plen, err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    len = sizeof ss;
    assert_wsa_fail(WSPGetSockName(s, (struct sockaddr *) &ss, &len, &err), err, WSAEINVAL);
    assert_wsa_fail(WSPGetPeerName(s, (struct sockaddr *) &ss, &len, &err), err, WSAENOTCONN);
    test_bind(s, "0.0.0.0", PORT);
    len = sizeof(struct sockaddr_in) - 1;
    assert_wsa_fail(WSPGetSockName(s, (struct sockaddr *) &ss, &len, &err), err, WSAEFAULT);
    assert_wsa_fail(WSPGetSockName(s, NULL, &len, &err), err, WSAEFAULT);
    assert_wsa_fail(WSPGetSockName(s, (struct sockaddr *) &ss, NULL, &err), err, WSAEFAULT);
    /* Wildcard-bound: the wildcard address and the port (doc/spi-choices.md). */
    len = sizeof ss;
    assert_int_equal(WSPGetSockName(s, (struct sockaddr *) &ss, &len, &err), 0);
    assert_int_equal(len, sizeof(struct sockaddr_in));
    assert_int_equal(sin->sin_family, AF_INET);
    assert_int_equal(sin->sin_addr.s_addr, 0);
    assert_int_equal(g_ntohs(sin->sin_port), PORT);
    /* Connected: both names, IPv6 sizes. */
    test_world_tcp_pair(tw, AF_INET6, PORT + 1, &l, &c, &a);
    len = sizeof(struct sockaddr_in6) - 1;
    assert_wsa_fail(WSPGetPeerName(c, (struct sockaddr *) &peer, &len, &err), err, WSAEFAULT);
    len = sizeof ss;
    plen = sizeof peer;
    assert_int_equal(WSPGetSockName(c, (struct sockaddr *) &ss, &len, &err), 0);
    assert_int_equal(WSPGetPeerName(c, (struct sockaddr *) &peer, &plen, &err), 0);
    assert_int_equal(len, sizeof(struct sockaddr_in6));
    assert_int_equal(plen, sizeof(struct sockaddr_in6));
    assert_int_equal(g_ntohs(((struct sockaddr_in6 *) &peer)->sin6_port), PORT + 1);
    assert_int_equal(((struct sockaddr_in6 *) &ss)->sin6_addr.s6_addr[15], 1); /* fd00::1 */
    /* A listener has no peer. */
    test_world_use(tw, tw->ps);
    plen = sizeof peer;
    assert_wsa_fail(WSPGetPeerName(l, (struct sockaddr *) &peer, &plen, &err), err, WSAENOTCONN);
    /* Datagram: the peer set by WSPConnect only. */
    test_world_use(tw, tw->pc);
    u = test_socket(AF_INET, SOCK_DGRAM);
    plen = sizeof peer;
    assert_wsa_fail(WSPGetPeerName(u, (struct sockaddr *) &peer, &plen, &err), err, WSAENOTCONN);
    ss = test_sa("10.0.0.2", PORT + 2, &len);
    assert_int_equal(WSPConnect(u, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err), 0);
    plen = sizeof peer;
    assert_int_equal(WSPGetPeerName(u, (struct sockaddr *) &peer, &plen, &err), 0);
    assert_int_equal(g_ntohs(((struct sockaddr_in *) &peer)->sin_port), PORT + 2);
    len = sizeof ss;
    assert_int_equal(WSPGetSockName(u, (struct sockaddr *) &ss, &len, &err), 0); /* implicit bind */
    assert_true(g_ntohs(sin->sin_port) >= 49152);
    test_world_free(tw);
}

/* ---- WSPIoctl ---------------------------------------------------------------------------- */

static void
test_wsp_sockopt_ioctl_fionbio_fionread(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET l, c, a, u, v;
    SOCKADDR_STORAGE ss;
    WSABUF b;
    char buf[16];
    u_long on = 1, n = 99;
    DWORD ret, sent;
    int err = 0, len;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    test_send_str(c, "hello");
    test_send_str(c, "world!");
    test_world_use(tw, tw->ps);
    u = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(u, "10.0.0.2", PORT + 1);
    assert_int_equal(ioctl_simple(u, FIONREAD, NULL, 0, &n, sizeof n, &ret, &err), 0);
    assert_int_equal(n, 0);
    test_world_use(tw, tw->pc);
    v = test_socket(AF_INET, SOCK_DGRAM);
    ss = test_sa("10.0.0.2", PORT + 1, &len);
    b.buf = (char *) "abc";
    b.len = 3;
    assert_int_equal(
        WSPSendTo(v, &b, 1, &sent, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, &err), 0);
    b.buf = (char *) "defgh";
    b.len = 5;
    assert_int_equal(
        WSPSendTo(v, &b, 1, &sent, 0, (struct sockaddr *) &ss, len, NULL, NULL, NULL, &err), 0);
    test_world_run(tw, SIM_SEC);
    test_world_use(tw, tw->ps);
    /* Stream: all queued bytes. */
    assert_int_equal(ioctl_simple(a, FIONREAD, NULL, 0, &n, sizeof n, &ret, &err), 0);
    assert_int_equal(n, 11);
    assert_int_equal(ret, sizeof(u_long));
    /* Datagram: the total queued, not the first message (choice 28). */
    assert_int_equal(ioctl_simple(u, FIONREAD, NULL, 0, &n, sizeof n, &ret, &err), 0);
    assert_int_equal(n, 8);
    assert_wsa_fail(ioctl_simple(u, FIONREAD, NULL, 0, &n, 2, &ret, &err), err, WSAEFAULT);
    assert_wsa_fail(ioctl_simple(u, FIONREAD, NULL, 0, NULL, sizeof n, &ret, &err), err, WSAEFAULT);
    /* FIONBIO on, then off again. */
    assert_int_equal(ioctl_simple(a, FIONBIO, &on, sizeof on, NULL, 0, &ret, &err), 0);
    assert_int_equal(ret, 0);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 11);
    assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), -1);
    assert_int_equal(err, WSAEWOULDBLOCK);
    assert_wsa_fail(ioctl_simple(a, FIONBIO, &on, 2, NULL, 0, &ret, &err), err, WSAEFAULT);
    assert_wsa_fail(ioctl_simple(a, FIONBIO, NULL, 4, NULL, 0, &ret, &err), err, WSAEFAULT);
    test_world_free(tw);
}

static void
test_wsp_sockopt_ioctl_queries(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss, out;
    struct sockaddr_in *o4 = (struct sockaddr_in *) &out;
    guint8 lbuf[256];
    SOCKET_ADDRESS_LIST *list = (SOCKET_ADDRESS_LIST *) lbuf;
    SOCKET s, u, u6;
    DWORD ret = 0, need;
    BOOL b = 0;
    int err = 0, len;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    u = test_socket(AF_INET, SOCK_DGRAM);
    u6 = test_socket(AF_INET6, SOCK_DGRAM);
    /* SIOCATMARK is for streams. */
    assert_int_equal(ioctl_simple(s, SIOCATMARK, NULL, 0, &b, sizeof b, &ret, &err), 0);
    assert_int_equal(b, TRUE);
    assert_wsa_fail(ioctl_simple(u, SIOCATMARK, NULL, 0, &b, sizeof b, &ret, &err), err, WSAEINVAL);
    /* SIO_GET_BROADCAST_ADDRESS: IPv4 only. */
    assert_int_equal(
        ioctl_simple(u, SIO_GET_BROADCAST_ADDRESS, NULL, 0, &out, sizeof out, &ret, &err), 0);
    assert_int_equal(ret, sizeof(struct sockaddr_in));
    assert_int_equal(o4->sin_addr.s_addr, 0xffffffffu);
    assert_wsa_fail(ioctl_simple(u, SIO_GET_BROADCAST_ADDRESS, NULL, 0, &out, 8, &ret, &err), err,
                    WSAEFAULT);
    assert_int_equal(ret, sizeof(struct sockaddr_in)); /* the size needed (choice 42) */
    assert_wsa_fail(
        ioctl_simple(u6, SIO_GET_BROADCAST_ADDRESS, NULL, 0, &out, sizeof out, &ret, &err), err,
        WSAEINVAL);
    /* SIO_ROUTING_INTERFACE_QUERY: the local address towards a destination. */
    ss = test_sa("10.0.0.2", 80, &len);
    assert_int_equal(ioctl_simple(u, SIO_ROUTING_INTERFACE_QUERY, &ss, (DWORD) len, &out,
                                  sizeof out, &ret, &err),
                     0);
    assert_int_equal(ret, sizeof(struct sockaddr_in));
    assert_int_equal(o4->sin_addr.s_addr, g_htonl(0x0a000001));
    assert_wsa_fail(
        ioctl_simple(u, SIO_ROUTING_INTERFACE_QUERY, &ss, (DWORD) len, &out, 4, &ret, &err), err,
        WSAEFAULT);
    assert_int_equal(ret, sizeof(struct sockaddr_in));
    assert_wsa_fail(
        ioctl_simple(u, SIO_ROUTING_INTERFACE_QUERY, &ss, 1, &out, sizeof out, &ret, &err), err,
        WSAEFAULT);
    ss = test_sa("192.168.7.7", 80, &len);
    assert_wsa_fail(ioctl_simple(u, SIO_ROUTING_INTERFACE_QUERY, &ss, (DWORD) len, &out, sizeof out,
                                 &ret, &err),
                    err, WSAENETUNREACH);
    /* SIO_FIND_ROUTE (choice 40): no output. */
    ss = test_sa("10.0.0.2", 80, &len);
    assert_int_equal(ioctl_simple(u, SIO_FIND_ROUTE, &ss, (DWORD) len, NULL, 0, &ret, &err), 0);
    assert_int_equal(ret, 0);
    /* SIO_ADDRESS_LIST_QUERY: too small -> WSAEFAULT and the size; then the list. */
    assert_wsa_fail(ioctl_simple(u, SIO_ADDRESS_LIST_QUERY, NULL, 0, lbuf, 4, &ret, &err), err,
                    WSAEFAULT);
    need = ret;
    assert_true(need > 4 && need <= sizeof lbuf);
    assert_wsa_fail(ioctl_simple(u, SIO_ADDRESS_LIST_QUERY, NULL, 0, lbuf, need - 1, &ret, &err),
                    err, WSAEFAULT);
    assert_int_equal(ioctl_simple(u, SIO_ADDRESS_LIST_QUERY, NULL, 0, lbuf, need, &ret, &err), 0);
    assert_int_equal(ret, need);
    assert_int_equal(list->iAddressCount, 1); /* the client's one IPv4 address */
    assert_int_equal(list->Address[0].iSockaddrLength, sizeof(struct sockaddr_in));
    assert_int_equal(((struct sockaddr_in *) list->Address[0].lpSockaddr)->sin_addr.s_addr,
                     g_htonl(0x0a000001));
    assert_int_equal(
        ioctl_simple(u6, SIO_ADDRESS_LIST_QUERY, NULL, 0, lbuf, sizeof lbuf, &ret, &err), 0);
    assert_int_equal(list->iAddressCount, 1);
    assert_int_equal(list->Address[0].lpSockaddr->sa_family, AF_INET6);
    /* SIO_BASE_HANDLE: the socket itself (we are the base provider). */
    {
        SOCKET h = 0;

        assert_int_equal(ioctl_simple(s, SIO_BASE_HANDLE, NULL, 0, &h, sizeof h, &ret, &err), 0);
        assert_true(h == s);
    }
    test_world_free(tw);
}

static void
test_wsp_sockopt_ioctl_keepalive(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    struct tcp_keepalive ka = { 1, 2000, 500 };
    SOCKET s, u;
    DWORD ret;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    u = test_socket(AF_INET, SOCK_DGRAM);
    assert_int_equal(ioctl_simple(s, SIO_KEEPALIVE_VALS, &ka, sizeof ka, NULL, 0, &ret, &err), 0);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_KEEPALIVE, NULL), 1); /* turned on */
    ka.onoff = 0;
    assert_int_equal(ioctl_simple(s, SIO_KEEPALIVE_VALS, &ka, sizeof ka, NULL, 0, &ret, &err), 0);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_KEEPALIVE, NULL), 0);
    ka.onoff = 1;
    ka.keepalivetime = 0;
    assert_wsa_fail(ioctl_simple(s, SIO_KEEPALIVE_VALS, &ka, sizeof ka, NULL, 0, &ret, &err), err,
                    WSAEINVAL);
    assert_int_equal(get_int(s, SOL_SOCKET, SO_KEEPALIVE, NULL), 0); /* unchanged */
    assert_wsa_fail(ioctl_simple(s, SIO_KEEPALIVE_VALS, &ka, sizeof ka - 1, NULL, 0, &ret, &err),
                    err, WSAEFAULT);
    ka.keepalivetime = 1000;
    assert_wsa_fail(ioctl_simple(u, SIO_KEEPALIVE_VALS, &ka, sizeof ka, NULL, 0, &ret, &err), err,
                    WSAEINVAL);
    test_world_free(tw);
}

/* Keep-alive with SIO_KEEPALIVE_VALS times: a silent peer ends the
 * connection and the next call reports it. */
static void
test_wsp_sockopt_keepalive_effect(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    struct tcp_keepalive ka = { 1, 1000, 200 };
    SOCKET l, c, a;
    char buf[8];
    DWORD ret;
    int err = 0;

    (void) state;
    test_world_tcp_pair(tw, AF_INET, PORT, &l, &c, &a);
    assert_int_equal(ioctl_simple(c, SIO_KEEPALIVE_VALS, &ka, sizeof ka, NULL, 0, &ret, &err), 0);
    assert_int_equal(sim_link_set_up(tw->world, tw->link, SIM_DIR_BOTH, false), SIM_OK);
    test_world_run(tw, 60 * SIM_SEC);
    test_world_use(tw, tw->pc);
    assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), -1);
    assert_true(err == WSAENETRESET || err == WSAETIMEDOUT || err == WSAECONNABORTED);
    test_world_free(tw);
}

static void
test_wsp_sockopt_ioctl_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    GUID unknown = { 0x12345678, 0x1234, 0x5678, { 1, 2, 3, 4, 5, 6, 7, 8 } };
    void *fn = NULL;
    WSAOVERLAPPED ov;
    SOCKET s, o;
    u_long on = 1;
    DWORD ret;
    int err = 0;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_STREAM);
    assert_wsa_fail(ioctl_simple(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &unknown, sizeof unknown,
                                 &fn, sizeof fn, &ret, &err),
                    err, WSAEINVAL);
    assert_wsa_fail(ioctl_simple(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &unknown, 4, &fn, sizeof fn,
                                 &ret, &err),
                    err, WSAEFAULT);
    /* Unknown code: WSAEINVAL; known but unsupported: WSAENOPROTOOPT (choice 39). */
    assert_wsa_fail(ioctl_simple(s, 0x48001234, NULL, 0, NULL, 0, &ret, &err), err, WSAEINVAL);
    assert_wsa_fail(ioctl_simple(s, FIOASYNC, &on, sizeof on, NULL, 0, &ret, &err), err, WSAEINVAL);
    assert_wsa_fail(ioctl_simple(s, SIO_FLUSH, NULL, 0, NULL, 0, &ret, &err), err, WSAENOPROTOOPT);
    /* SIO_GET_QOS is supported since QoS (wsp-qos.c): no output buffer -> WSAEFAULT */
    assert_wsa_fail(ioctl_simple(s, SIO_GET_QOS, NULL, 0, NULL, 0, &ret, &err), err, WSAEFAULT);
    assert_wsa_fail(ioctl_simple(s, SIO_ENABLE_CIRCULAR_QUEUEING, NULL, 0, NULL, 0, &ret, &err),
                    err, WSAENOPROTOOPT);
    /* *_CHANGE without overlapped parameters: non-blocking -> WSAEWOULDBLOCK. */
    assert_wsa_fail(ioctl_simple(s, SIO_ADDRESS_LIST_CHANGE, NULL, 0, NULL, 0, &ret, &err), err,
                    WSAEWOULDBLOCK);
    /* NULL lpcbBytesReturned. */
    assert_wsa_fail(WSPIoctl(s, FIONBIO, &on, sizeof on, NULL, 0, NULL, NULL, NULL, NULL, &err),
                    err, WSAEFAULT);
    /* Overlapped parameters on a non-overlapped socket (choice 2). */
    memset(&ov, 0, sizeof ov);
    assert_wsa_fail(WSPIoctl(s, FIONBIO, &on, sizeof on, NULL, 0, &ret, &ov, NULL, NULL, &err), err,
                    WSAEINVAL);
    o = WSPSocket(AF_INET, SOCK_DGRAM, 0, NULL, 0, WSA_FLAG_OVERLAPPED, &err);
    assert_true(o != INVALID_SOCKET);
    assert_int_equal(ioctl_simple(o, SIO_ENABLE_CIRCULAR_QUEUEING, NULL, 0, NULL, 0, &ret, &err),
                     0);
    {
        int v = 0;

        assert_int_equal(ioctl_simple(o, SIO_MULTICAST_SCOPE, &v, sizeof v, NULL, 0, &ret, &err),
                         0);
        v = 1;
        assert_int_equal(
            ioctl_simple(o, SIO_MULTIPOINT_LOOPBACK, &v, sizeof v, NULL, 0, &ret, &err), 0);
        assert_wsa_fail(ioctl_simple(s, SIO_MULTIPOINT_LOOPBACK, &v, sizeof v, NULL, 0, &ret, &err),
                        err, WSAEINVAL);
        assert_wsa_fail(ioctl_simple(o, SIO_MULTICAST_SCOPE, &v, 2, NULL, 0, &ret, &err), err,
                        WSAEFAULT);
    }
    test_world_free(tw);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_sockopt_bool_round_trip),
        cmocka_unit_test(test_wsp_sockopt_wrong_type),
        cmocka_unit_test(test_wsp_sockopt_linger),
        cmocka_unit_test(test_wsp_sockopt_read_only),
        cmocka_unit_test(test_wsp_sockopt_exclusive),
        cmocka_unit_test(test_wsp_sockopt_timeouts),
        cmocka_unit_test(test_wsp_sockopt_so_error),
        cmocka_unit_test(test_wsp_sockopt_buffers),
        cmocka_unit_test(test_wsp_sockopt_errors),
        cmocka_unit_test(test_wsp_sockopt_names),
        cmocka_unit_test(test_wsp_sockopt_ioctl_fionbio_fionread),
        cmocka_unit_test(test_wsp_sockopt_ioctl_queries),
        cmocka_unit_test(test_wsp_sockopt_ioctl_keepalive),
        cmocka_unit_test(test_wsp_sockopt_keepalive_effect),
        cmocka_unit_test(test_wsp_sockopt_ioctl_errors),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-sockopt", tests, NULL, NULL);
}
