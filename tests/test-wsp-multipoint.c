/* SPDX-License-Identifier: MIT
 * test-wsp-multipoint: multipoint sessions (REFERENCE 2.8, WSPJoinLeaf,
 * issue 8) — catalog flags and WSPSocket role checks; a non-rooted
 * conference of five members under 5% loss (every member's datagrams reach
 * the others, loss seen per receiver); SIO_MULTICAST_SCOPE and
 * SIO_MULTIPOINT_LOOPBACK; a rooted broadcast tree built by the root's
 * invitations (FD_ACCEPT and WSPAccept with a condition function on the
 * leaves, caller and callee data, FD_CONNECT on the root) with a
 * sender-only leaf; a leaf-initiated join to a listening root; blocking
 * joins in actors; leaving by closing (FD_CLOSE both ways); rejection; the
 * documented errors.  The sessions run over IPv4 and again over IPv6 (the
 * "_ipv6" cases); control messages naming the other family are refused. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
/* cmocka.h needs the four headers above first. */
#include <cmocka.h>

#include "helpers/test-world.h"
#include <wspsim/wspsim-os.h>

#define SEED 20240917u
#define N_HOSTS 5
#define MGROUP "239.1.2.3"
#define GPORT 5000
#define LPORT 6000

/* The address family a test runs over (its initial state): the catalog
 * entries, the addresses and the header bytes of one datagram. */
typedef struct {
    int af;
    DWORD rooted, udp; /* WSPSIM_CATALOG_* */
    const char *any;
    const char *group; /* the non-rooted session */
    int hdr;           /* IP and UDP header bytes */
} Fam;

static const Fam ipv4 = {
    AF_INET, WSPSIM_CATALOG_MP_ROOTED_V4, WSPSIM_CATALOG_UDP_V4, "0.0.0.0", MGROUP, 20 + 8
};
static const Fam ipv6 = {
    AF_INET6, WSPSIM_CATALOG_MP_ROOTED_V6, WSPSIM_CATALOG_UDP_V6, "::", "ff05::1:3", 40 + 8
};

/* A star: hosts h0..h4 (10.0.i+1.1 and fd00:i+1::1) around router r; one
 * process each.  @f is the family its sessions use. */
typedef struct {
    SimWorld *world;
    const Fam *f;
    SimNodeId host[N_HOSTS], r;
    SimLinkId link[N_HOSTS];
    SimProcessId pid[N_HOSTS];
} Star;

static void
add_addr(SimWorld *w, SimNodeId n, const char *text, guint prefix)
{
    SimAddr a;

    assert_true(sim_addr_parse(text, &a));
    assert_int_equal(sim_node_add_addr(w, n, &a, prefix), SIM_OK);
}

static void
trace_sink(SimWorld *world, const SimTraceRecord *rec, void *data)
{
    GString *line = g_string_new(NULL);

    (void) data;
    sim_trace_format_line(world, rec, line);
    if (g_getenv("MP_TRACE") != NULL)
        fprintf(stderr, "%s\n", line->str);
    g_string_free(line, TRUE);
}

static Star *
star_new(const Fam *f, guint32 loss_ppm)
{
    Star *st = g_new0(Star, 1);
    SimLinkParams p;
    char name[16], ip[32];

    st->f = f;
    st->world = sim_world_new(SEED);
    sim_trace_add_sink(st->world, trace_sink, NULL);
    st->r = sim_node_add(st->world, "r", SIM_NODE_ROUTER);
    add_addr(st->world, st->r, "10.0.99.254", 24);
    add_addr(st->world, st->r, "fd00:99::fe", 64);
    sim_link_params_init(&p);
    p.latency_ns = 2 * SIM_MSEC;
    p.loss_ppm = loss_ppm;
    for (int i = 0; i < N_HOSTS; i++) {
        WSPDATA data;
        WSPPROC_TABLE procs;

        g_snprintf(name, sizeof name, "h%d", i);
        g_snprintf(ip, sizeof ip, "10.0.%d.1", i + 1);
        st->host[i] = sim_node_add(st->world, name, SIM_NODE_HOST);
        add_addr(st->world, st->host[i], ip, 24);
        g_snprintf(ip, sizeof ip, "fd00:%d::1", i + 1);
        add_addr(st->world, st->host[i], ip, 64);
        st->link[i] = sim_link_add(st->world, st->host[i], st->r, &p, &p);
        st->pid[i] = sim_process_new(st->world, st->host[i], "app");
        wspsim_set_context(st->world, st->pid[i]);
        assert_int_equal(
            WSPStartup(MAKEWORD(2, 2), &data, NULL, wspsim_default_upcall_table(), &procs), 0);
    }
    return st;
}

static void
star_free(Star *st)
{
    wspsim_set_context(NULL, 0);
    sim_world_free(st->world);
    g_free(st);
}

static void
use(Star *st, int i)
{
    wspsim_set_context(st->world, st->pid[i]);
}

static void
run(Star *st, SimTime d)
{
    sim_world_run_until(st->world, sim_world_now(st->world) + d);
}

static const WSAPROTOCOL_INFOW *
entry(DWORD id)
{
    const WSAPROTOCOL_INFOW *e = wspsim_catalog_entry(id);

    assert_non_null(e);
    return e;
}

static SOCKET
mp_socket(DWORD catalog_id, DWORD flags)
{
    WSAPROTOCOL_INFOW info = *entry(catalog_id);
    int err = 0;
    SOCKET s = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                         flags, &err);

    assert_true(s != INVALID_SOCKET);
    return s;
}

static void
nonblocking(SOCKET s)
{
    u_long nb = 1;
    DWORD ret;
    int err = 0;

    assert_int_equal(WSPIoctl(s, FIONBIO, &nb, sizeof nb, NULL, 0, &ret, NULL, NULL, NULL, &err),
                     0);
}

static void
ioctl_int(SOCKET s, DWORD code, int v)
{
    DWORD ret;
    int err = 0;

    assert_int_equal(WSPIoctl(s, code, &v, sizeof v, NULL, 0, &ret, NULL, NULL, NULL, &err), 0);
}

static SOCKET
join(SOCKET s, const char *ip, int port, DWORD jl, int *out_err)
{
    int len;
    SOCKADDR_STORAGE ss = test_sa(ip, port, &len);

    *out_err = 0;
    return WSPJoinLeaf(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, jl, out_err);
}

/* Host @i's address:@port in the star's family. */
static SOCKADDR_STORAGE
host_sa(const Star *st, int i, int port, int *out_len)
{
    char ip[32];

    if (st->f->af == AF_INET6)
        g_snprintf(ip, sizeof ip, "fd00:%d::1", i + 1);
    else
        g_snprintf(ip, sizeof ip, "10.0.%d.1", i + 1);
    return test_sa(ip, port, out_len);
}

static SOCKET
join_host(const Star *st, SOCKET s, int i, int port, DWORD jl, int *out_err)
{
    int len;
    SOCKADDR_STORAGE ss = host_sa(st, i, port, &len);

    *out_err = 0;
    return WSPJoinLeaf(s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, jl, out_err);
}

static int
send_str(SOCKET s, const char *str, int *out_err)
{
    WSABUF b = { (u_long) strlen(str), (char *) str };
    DWORD sent = 0;

    *out_err = 0;
    return WSPSend(s, &b, 1, &sent, 0, NULL, NULL, NULL, out_err) == 0 ? (int) sent : -1;
}

/* Receive everything queued (non-blocking socket); count per "<sender>-" prefix. */
static int
drain(SOCKET s, int counts[N_HOSTS + 1])
{
    char buf[256];
    int n = 0, err = 0;

    for (;;) {
        int got = test_recv(s, buf, sizeof buf, 0, &err);

        if (got < 0) {
            assert_int_equal(err, WSAEWOULDBLOCK);
            return n;
        }
        n++;
        if (counts != NULL && buf[0] >= '0' && buf[0] <= '9')
            counts[buf[0] - '0']++;
    }
}

/* ---- Catalog and WSPSocket ------------------------------------------------ */

static void
test_multipoint_catalog_and_roles(void **state)
{
    Star *st = star_new(&ipv4, 0);
    const WSAPROTOCOL_INFOW *udp = entry(WSPSIM_CATALOG_UDP_V4);
    const WSAPROTOCOL_INFOW *rooted = entry(WSPSIM_CATALOG_MP_ROOTED_V4);
    const WSAPROTOCOL_INFOW *rooted6 = entry(WSPSIM_CATALOG_MP_ROOTED_V6);
    const DWORD cr = WSA_FLAG_MULTIPOINT_C_ROOT, cl = WSA_FLAG_MULTIPOINT_C_LEAF,
                dr = WSA_FLAG_MULTIPOINT_D_ROOT, dl = WSA_FLAG_MULTIPOINT_D_LEAF;
    const struct {
        DWORD id, flags;
        int want;
    } rows[] = {
        { WSPSIM_CATALOG_UDP_V4, cl | dl, 0 },
        { WSPSIM_CATALOG_UDP_V4, cr | dl, WSAEINVAL },     /* no rooted control plane */
        { WSPSIM_CATALOG_UDP_V4, cl | dr, WSAEINVAL },     /* no rooted data plane */
        { WSPSIM_CATALOG_UDP_V4, cl, WSAEINVAL },          /* no data role */
        { WSPSIM_CATALOG_UDP_V4, cr | cl | dl, WSAEINVAL }, /* two control roles */
        { WSPSIM_CATALOG_MP_ROOTED_V4, cr | dr, 0 },
        { WSPSIM_CATALOG_MP_ROOTED_V4, cl | dl, 0 },
        { WSPSIM_CATALOG_MP_ROOTED_V4, cr | dl, 0 },
        { WSPSIM_CATALOG_MP_ROOTED_V4, cl | dr, 0 },
        { WSPSIM_CATALOG_MP_ROOTED_V4, dr, WSAEINVAL },
        { WSPSIM_CATALOG_UDP_V6, cl | dl, 0 },
        { WSPSIM_CATALOG_UDP_V6, cr | dr, WSAEINVAL },
        { WSPSIM_CATALOG_MP_ROOTED_V6, cr | dr, 0 },
        { WSPSIM_CATALOG_MP_ROOTED_V6, cl | dl, 0 },
        { WSPSIM_CATALOG_MP_ROOTED_V6, cr | dl, 0 },
        { WSPSIM_CATALOG_MP_ROOTED_V6, cl | dr, 0 },
        { WSPSIM_CATALOG_MP_ROOTED_V6, cl, WSAEINVAL },
        { WSPSIM_CATALOG_TCP_V4, cl | dl, WSAEINVAL }, /* no multipoint at all */
    };

    (void) state;
    /* Non-rooted control and data planes (IP multicast) and rooted ones. */
    assert_true(udp->dwServiceFlags1 & XP1_SUPPORT_MULTIPOINT);
    assert_false(udp->dwServiceFlags1 & XP1_MULTIPOINT_CONTROL_PLANE);
    assert_false(udp->dwServiceFlags1 & XP1_MULTIPOINT_DATA_PLANE);
    assert_true(rooted->dwServiceFlags1 & XP1_SUPPORT_MULTIPOINT);
    assert_true(rooted->dwServiceFlags1 & XP1_MULTIPOINT_CONTROL_PLANE);
    assert_true(rooted->dwServiceFlags1 & XP1_MULTIPOINT_DATA_PLANE);
    /* The IPv6 rooted entry: the same protocol over the other family. */
    assert_int_equal(rooted6->dwServiceFlags1, rooted->dwServiceFlags1);
    assert_int_equal(rooted6->dwProviderFlags, rooted->dwProviderFlags);
    assert_int_equal(rooted6->iAddressFamily, AF_INET6);
    assert_int_equal(rooted6->iMaxSockAddr, (int) sizeof(struct sockaddr_in6));
    assert_int_equal(rooted6->iSocketType, SOCK_DGRAM);
    assert_int_equal(rooted6->iProtocol, IPPROTO_UDP);
    assert_int_equal(rooted6->dwMessageSize, entry(WSPSIM_CATALOG_UDP_V6)->dwMessageSize);
    use(st, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        WSAPROTOCOL_INFOW info = *entry(rows[i].id);
        int err = 0;
        SOCKET s = WSPSocket(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                             rows[i].flags, &err);

        print_message("row %zu\n", i);
        if (rows[i].want == 0) {
            assert_true(s != INVALID_SOCKET);
            test_close(s);
        } else {
            assert_true(s == INVALID_SOCKET);
            assert_int_equal(err, rows[i].want);
        }
    }
    star_free(st);
}

/* ---- Non-rooted ------------------------------------------------------------ */

#define N_MSGS 60

/* The conference: five members, 5% loss on every link (so about
 * 10% per path); each member's datagrams reach the others, and each
 * receiver misses a different few. */
static void
test_multipoint_conference_under_loss(void **state)
{
    Star *st = star_new(*state, 50000);
    SOCKET s[N_HOSTS];
    int counts[N_HOSTS][N_HOSTS + 1];
    int err = 0;
    bool some_loss = false;

    memset(counts, 0, sizeof counts);
    for (int i = 0; i < N_HOSTS; i++) {
        use(st, i);
        s[i] = mp_socket(st->f->udp, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
        nonblocking(s[i]);
        ioctl_int(s[i], SIO_MULTICAST_SCOPE, 2); /* across the one router */
        ioctl_int(s[i], SIO_MULTIPOINT_LOOPBACK, 0);
        assert_true(join(s[i], st->f->group, GPORT, JL_BOTH, &err) == s[i]);
    }
    for (int k = 0; k < N_MSGS; k++) {
        for (int i = 0; i < N_HOSTS; i++) {
            char msg[32];

            g_snprintf(msg, sizeof msg, "%d-%d", i, k);
            use(st, i);
            assert_int_equal(send_str(s[i], msg, &err), (int) strlen(msg));
        }
        run(st, 5 * SIM_MSEC);
    }
    run(st, SIM_SEC);
    for (int i = 0; i < N_HOSTS; i++) {
        use(st, i);
        drain(s[i], counts[i]);
        for (int j = 0; j < N_HOSTS; j++) {
            print_message("h%d got %d of %d from h%d\n", i, counts[i][j], N_MSGS, j);
            if (i == j) {
                assert_int_equal(counts[i][j], 0); /* loopback off */
                continue;
            }
            assert_true(counts[i][j] > N_MSGS * 7 / 10); /* most arrive */
            assert_true(counts[i][j] <= N_MSGS);          /* never duplicated */
            some_loss |= counts[i][j] < N_MSGS;
        }
    }
    assert_true(some_loss);
    /* Per-receiver loss: two receivers of one sender miss different sets. */
    {
        bool differ = false;

        for (int j = 0; j < N_HOSTS; j++)
            for (int i = 0; i < N_HOSTS; i++)
                for (int i2 = 0; i2 < N_HOSTS; i2++)
                    if (i != j && i2 != j && counts[i][j] != counts[i2][j])
                        differ = true;
        assert_true(differ);
    }
    /* Leaving by closing: h4's socket closes; the others keep talking. */
    use(st, 4);
    test_close(s[4]);
    use(st, 0);
    assert_int_equal(send_str(s[0], "0-x", &err), 3);
    run(st, SIM_SEC);
    star_free(st);
}

/* Scope (hops) and loopback; sender-only and receiver-only members. */
static void
test_multipoint_scope_loopback_and_roles(void **state)
{
    Star *st = star_new(*state, 0);
    const Fam *f = st->f;
    SOCKET a, a2, b, so, ro;
    int err = 0;

    use(st, 0);
    a = mp_socket(f->udp, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    a2 = mp_socket(f->udp, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    so = mp_socket(f->udp, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    nonblocking(a);
    nonblocking(a2);
    nonblocking(so);
    assert_true(join(a, f->group, GPORT, JL_BOTH, &err) == a);
    assert_true(join(a2, f->group, GPORT, JL_BOTH, &err) == a2); /* same host, same port */
    assert_true(join(so, f->group, GPORT, JL_SENDER_ONLY, &err) == so);
    use(st, 1);
    b = mp_socket(f->udp, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    ro = mp_socket(f->udp, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    nonblocking(b);
    nonblocking(ro);
    assert_true(join(b, f->group, GPORT, JL_BOTH, &err) == b);
    assert_true(join(ro, f->group, GPORT, JL_RECEIVER_ONLY, &err) == ro);
    assert_int_equal(send_str(ro, "1-ro", &err), -1);
    assert_int_equal(err, WSAENOTCONN);

    /* Default scope 1: not across the router; loopback on: local members. */
    use(st, 0);
    assert_int_equal(send_str(a, "0-a", &err), 3);
    run(st, SIM_SEC);
    assert_int_equal(drain(a, NULL), 1); /* its own datagram, looped back */
    assert_int_equal(drain(a2, NULL), 1);
    assert_int_equal(drain(so, NULL), 0); /* sender-only: not in the group */
    use(st, 1);
    assert_int_equal(drain(b, NULL), 0);
    assert_int_equal(drain(ro, NULL), 0);

    /* Scope 2: across it. */
    use(st, 0);
    ioctl_int(a, SIO_MULTICAST_SCOPE, 2);
    assert_int_equal(send_str(a, "0-a", &err), 3);
    run(st, SIM_SEC);
    use(st, 1);
    assert_int_equal(drain(b, NULL), 1);
    assert_int_equal(drain(ro, NULL), 1);
    use(st, 0);
    assert_int_equal(drain(a, NULL), 1);
    assert_int_equal(drain(a2, NULL), 1);

    /* Scope 0: this host only; loopback off: not even this host. */
    ioctl_int(a, SIO_MULTICAST_SCOPE, 0);
    assert_int_equal(send_str(a, "0-a", &err), 3);
    run(st, SIM_SEC);
    assert_int_equal(drain(a2, NULL), 1);
    drain(a, NULL);
    use(st, 1);
    assert_int_equal(drain(b, NULL), 0);
    use(st, 0);
    ioctl_int(a, SIO_MULTIPOINT_LOOPBACK, 0);
    assert_int_equal(send_str(a, "0-a", &err), 3);
    run(st, SIM_SEC);
    assert_int_equal(drain(a2, NULL), 0);
    assert_int_equal(drain(a, NULL), 0);

    /* A sender-only member's datagrams reach the group. */
    ioctl_int(so, SIO_MULTICAST_SCOPE, 2);
    assert_int_equal(send_str(so, "0-so", &err), 4);
    run(st, SIM_SEC);
    use(st, 1);
    assert_int_equal(drain(b, NULL), 1);
    star_free(st);
}

static void
test_multipoint_nonrooted_errors(void **state)
{
    Star *st = star_new(&ipv4, 0);
    SOCKET s, plain, tcp;
    int err = 0;
    WSABUF caller = { 3, (char *) "abc" };
    QOS qos;
    int len;
    SOCKADDR_STORAGE ss = test_sa(MGROUP, GPORT, &len);

    (void) state;
    use(st, 0);
    s = mp_socket(WSPSIM_CATALOG_UDP_V4, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    plain = test_socket(AF_INET, SOCK_DGRAM);
    tcp = test_socket(AF_INET, SOCK_STREAM);
    assert_true(join((SOCKET) 0x7777, MGROUP, GPORT, JL_BOTH, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAENOTSOCK);
    assert_true(join(plain, MGROUP, GPORT, JL_BOTH, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL); /* not a multipoint socket */
    assert_true(join(tcp, MGROUP, GPORT, JL_BOTH, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);
    assert_true(join(s, MGROUP, GPORT, 0, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);
    assert_true(join(s, MGROUP, GPORT, JL_BOTH | JL_SENDER_ONLY, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEINVAL);
    assert_true(join(s, "0.0.0.0", GPORT, JL_BOTH, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEADDRNOTAVAIL);
    assert_true(join(s, "10.0.2.1", GPORT, JL_BOTH, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEADDRNOTAVAIL); /* not a group address */
    assert_true(WSPJoinLeaf(s, NULL, 0, NULL, NULL, NULL, NULL, JL_BOTH, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEFAULT);
    assert_true(WSPJoinLeaf(s, (struct sockaddr *) &ss, 4, NULL, NULL, NULL, NULL, JL_BOTH,
                            &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEFAULT);
    assert_true(WSPJoinLeaf(s, (struct sockaddr *) &ss, len, &caller, NULL, NULL, NULL, JL_BOTH,
                            &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEPROTONOSUPPORT); /* no control plane to carry it */
    memset(&qos, 0, sizeof qos);
    qos.SendingFlowspec.ServiceType = SERVICETYPE_GUARANTEED; /* token rate 0: unsatisfiable */
    assert_true(WSPJoinLeaf(s, (struct sockaddr *) &ss, len, NULL, NULL, &qos, NULL, JL_BOTH,
                            &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEOPNOTSUPP);
    /* A satisfiable sending flowspec: the join succeeds and the socket
     * carries the QOS (shaping and reservation of its sends to the group). */
    {
        SOCKET q = mp_socket(WSPSIM_CATALOG_UDP_V4,
                             WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
        union {
            QOS q;
            char room[512]; /* the provider-specific objects follow the QOS */
        } got;
        DWORD ret = 0;

        memset(&qos, 0, sizeof qos);
        qos.SendingFlowspec.ServiceType = SERVICETYPE_CONTROLLEDLOAD;
        qos.SendingFlowspec.TokenRate = 8000;
        qos.SendingFlowspec.TokenBucketSize = 400;
        qos.SendingFlowspec.PeakBandwidth = QOS_NOT_SPECIFIED;
        qos.SendingFlowspec.MaxSduSize = QOS_NOT_SPECIFIED;
        qos.SendingFlowspec.MinimumPolicedSize = QOS_NOT_SPECIFIED;
        qos.SendingFlowspec.Latency = QOS_NOT_SPECIFIED;
        qos.SendingFlowspec.DelayVariation = QOS_NOT_SPECIFIED;
        qos.ReceivingFlowspec.ServiceType = SERVICETYPE_NOTRAFFIC;
        assert_true(WSPJoinLeaf(q, (struct sockaddr *) &ss, len, NULL, NULL, &qos, NULL,
                                JL_SENDER_ONLY, &err) == q);
        memset(&got, 0, sizeof got);
        assert_int_equal(WSPIoctl(q, SIO_GET_QOS, NULL, 0, &got, sizeof got, &ret, NULL, NULL,
                                  NULL, &err),
                         0);
        assert_int_equal(got.q.SendingFlowspec.ServiceType & 0xffff, SERVICETYPE_CONTROLLEDLOAD);
        assert_int_equal(got.q.SendingFlowspec.TokenRate, 8000);
        assert_int_equal(WSPCloseSocket(q, &err), 0);
    }
    {
        SOCKADDR_STORAGE s6 = test_sa("ff02::1", GPORT, &len);

        assert_true(WSPJoinLeaf(s, (struct sockaddr *) &s6, len, NULL, NULL, NULL, NULL, JL_BOTH,
                                &err) == INVALID_SOCKET);
        assert_int_equal(err, WSAEAFNOSUPPORT);
    }
    /* Not a member yet: a send has nowhere to go. */
    {
        WSABUF b = { 1, (char *) "x" };
        DWORD sent;

        assert_int_equal(WSPSend(s, &b, 1, &sent, 0, NULL, NULL, NULL, &err), SOCKET_ERROR);
        assert_int_equal(err, WSAENOTCONN);
    }
    assert_true(join(s, MGROUP, GPORT, JL_BOTH, &err) == s);
    assert_true(join(s, MGROUP, GPORT, JL_BOTH, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEISCONN);
    star_free(st);
}

/* Addresses of the other family, or too short for the socket's: the
 * conventions of WSPConnect (a join's name: WSAEAFNOSUPPORT for the other
 * family, WSAEFAULT when the length does not hold it; WSPBind: WSAEFAULT
 * for both). */
static void
test_multipoint_family_errors(void **state)
{
    Star *st = star_new(&ipv6, 0);
    const DWORD root = WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT,
                leaf = WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF;
    const struct {
        const char *name;
        DWORD id, flags;
        const char *ip;
        int port, shorten; /* bytes taken off the name's length */
        int want;
    } rows[] = {
        { "v4-leaf-on-v6-root", WSPSIM_CATALOG_MP_ROOTED_V6, root, "10.0.2.1", LPORT, 0,
          WSAEAFNOSUPPORT },
        { "v4-root-on-v6-leaf", WSPSIM_CATALOG_MP_ROOTED_V6, leaf, "10.0.1.1", 7000, 0,
          WSAEAFNOSUPPORT },
        { "v6-leaf-on-v4-root", WSPSIM_CATALOG_MP_ROOTED_V4, root, "fd00:2::1", LPORT, 0,
          WSAEAFNOSUPPORT },
        { "v6-short", WSPSIM_CATALOG_MP_ROOTED_V6, root, "fd00:2::1", LPORT,
          (int) (sizeof(struct sockaddr_in6) - sizeof(struct sockaddr_in)), WSAEFAULT },
        { "v6-wildcard", WSPSIM_CATALOG_MP_ROOTED_V6, root, "::", LPORT, 0, WSAEADDRNOTAVAIL },
        { "v6-port-0", WSPSIM_CATALOG_MP_ROOTED_V6, leaf, "fd00:1::1", 0, 0, WSAEADDRNOTAVAIL },
        { "v4-group-on-udp6", WSPSIM_CATALOG_UDP_V6, leaf, MGROUP, GPORT, 0, WSAEAFNOSUPPORT },
        { "v6-unicast-on-udp6", WSPSIM_CATALOG_UDP_V6, leaf, "fd00:2::1", GPORT, 0,
          WSAEADDRNOTAVAIL },
        { "v6-group-short", WSPSIM_CATALOG_UDP_V6, leaf, "ff05::1:3", GPORT, 1, WSAEFAULT },
    };

    (void) state;
    use(st, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        SOCKET s = mp_socket(rows[i].id, rows[i].flags);
        int len, err = 0;
        SOCKADDR_STORAGE sa = test_sa(rows[i].ip, rows[i].port, &len);

        print_message("case %s\n", rows[i].name);
        assert_true(WSPJoinLeaf(s, (struct sockaddr *) &sa, len - rows[i].shorten, NULL, NULL, NULL,
                                NULL, JL_BOTH, &err) == INVALID_SOCKET);
        assert_int_equal(err, rows[i].want);
        test_close(s);
    }
    /* WSPBind with an IPv4 address; WSPAccept with room for an IPv4 one. */
    {
        SOCKET s = mp_socket(WSPSIM_CATALOG_MP_ROOTED_V6, leaf);
        int len, err = 0;
        SOCKADDR_STORAGE sa = test_sa("10.0.1.1", LPORT, &len);

        assert_int_equal(WSPBind(s, (struct sockaddr *) &sa, len, &err), SOCKET_ERROR);
        assert_int_equal(err, WSAEFAULT);
        test_bind(s, "::", LPORT);
        assert_int_equal(WSPListen(s, 5, &err), 0);
        len = (int) sizeof(struct sockaddr_in);
        assert_true(WSPAccept(s, (struct sockaddr *) &sa, &len, NULL, 0, &err) == INVALID_SOCKET);
        assert_int_equal(err, WSAEFAULT);
        test_close(s);
    }
    star_free(st);
}

/* ---- Rooted --------------------------------------------------------------- */

typedef struct {
    int calls;
    char caller[32];
    int answer;
} Cond;

static int CALLBACK
cond_fn(LPWSABUF lpCallerId, LPWSABUF lpCallerData, LPQOS lpSQOS, LPQOS lpGQOS,
        LPWSABUF lpCalleeId, LPWSABUF lpCalleeData, GROUP *g, DWORD_PTR dwCallbackData)
{
    Cond *c = (Cond *) dwCallbackData;

    (void) lpSQOS;
    (void) lpGQOS;
    (void) g;
    assert_non_null(lpCallerId);
    assert_non_null(lpCalleeId);
    c->calls++;
    c->caller[0] = '\0';
    if (lpCallerData != NULL) {
        size_t n = MIN(lpCallerData->len, sizeof c->caller - 1);

        memcpy(c->caller, lpCallerData->buf, n);
        c->caller[n] = '\0';
    }
    if (c->answer == CF_ACCEPT && lpCalleeData != NULL && lpCalleeData->len >= 2) {
        memcpy(lpCalleeData->buf, "ok", 2);
        lpCalleeData->len = 2;
    }
    return c->answer;
}

/* A leaf: a c_leaf/d_leaf socket bound to LPORT, listening, registered
 * for FD_ACCEPT with @ev. */
static SOCKET
leaf_listener(Star *st, int i, HANDLE ev)
{
    SOCKET s;
    int err = 0;

    use(st, i);
    s = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    test_bind(s, st->f->any, LPORT);
    assert_int_equal(WSPListen(s, 5, &err), 0);
    assert_int_equal(WSPEventSelect(s, ev, FD_ACCEPT, &err), 0);
    return s;
}

static LONG
enum_events(SOCKET s, HANDLE ev, WSANETWORKEVENTS *ne)
{
    int err = 0;

    memset(ne, 0, sizeof *ne);
    assert_int_equal(WSPEnumNetworkEvents(s, ev, ne, &err), 0);
    return ne->lNetworkEvents;
}

/* The root on h0 invites leaf @i (listening on @lis, FD_ACCEPT on @lev)
 * with caller data "invite" and role @jl; the leaf accepts with @cond,
 * which answers callee data "ok"; FD_CONNECT on the root ends the join.
 * Returns the root's c_leaf descriptor; *@out_leaf is the leaf's member
 * socket, *@from (*@fromlen bytes) the address the invitation came from. */
static SOCKET
invite(Star *st, SOCKET root, HANDLE rev, int i, SOCKET lis, HANDLE lev, DWORD jl, Cond *cond,
       SOCKET *out_leaf, SOCKADDR_STORAGE *from, int *fromlen)
{
    WSABUF caller = { 6, (char *) "invite" };
    char cb[16];
    WSABUF callee = { sizeof cb, cb };
    WSANETWORKEVENTS ne;
    int len, err = 0;
    SOCKADDR_STORAGE ss = host_sa(st, i, LPORT, &len);
    SOCKET d;

    use(st, 0);
    d = WSPJoinLeaf(root, (struct sockaddr *) &ss, len, &caller, &callee, NULL, NULL, jl, &err);
    assert_true(d != INVALID_SOCKET);
    assert_true(d != root);
    /* One join at a time per socket. */
    assert_true(WSPJoinLeaf(root, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, JL_BOTH,
                            &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEALREADY);
    run(st, 100 * SIM_MSEC);
    /* The leaf sees the invitation as an incoming connection. */
    use(st, i);
    assert_int_equal(enum_events(lis, lev, &ne), FD_ACCEPT);
    *fromlen = (int) sizeof *from;
    *out_leaf = WSPAccept(lis, (struct sockaddr *) from, fromlen, cond_fn, (DWORD_PTR) cond, &err);
    assert_true(*out_leaf != INVALID_SOCKET);
    assert_string_equal(cond->caller, "invite");
    run(st, 100 * SIM_MSEC);
    use(st, 0);
    assert_true(enum_events(root, rev, &ne) & FD_CONNECT);
    assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], 0);
    assert_int_equal(callee.len, 2);
    assert_memory_equal(cb, "ok", 2);
    return d;
}

/* The broadcast tree: the root on h0 invites leaves h1..h3 (h3
 * sender-only); the root's sends reach h1 and h2; a leaf's sends reach
 * only the root. */
static void
test_multipoint_rooted_broadcast_tree(void **state)
{
    Star *st = star_new(*state, 0);
    HANDLE rev = wspsim_os_event_create(st->world, TRUE, FALSE);
    HANDLE lev[4];
    SOCKET root, lroot[4], lis[4], leaf[4];
    WSANETWORKEVENTS ne;
    Cond cond = { 0, "", CF_ACCEPT };
    SOCKADDR_STORAGE from;
    int fromlen, err = 0;

    use(st, 0);
    root = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT);
    test_bind(root, st->f->any, 7000);
    assert_int_equal(WSPEventSelect(root, rev, FD_CONNECT | FD_READ, &err), 0);
    for (int i = 1; i <= 3; i++) {
        lev[i] = wspsim_os_event_create(st->world, TRUE, FALSE);
        lis[i] = leaf_listener(st, i, lev[i]);
    }
    /* Invitations (non-blocking: each returns a c_leaf descriptor at once). */
    for (int i = 1; i <= 3; i++)
        lroot[i] = invite(st, root, rev, i, lis[i], lev[i], i == 3 ? JL_SENDER_ONLY : JL_BOTH,
                          &cond, &leaf[i], &from, &fromlen);
    assert_int_equal(cond.calls, 3);

    /* The root's sends reach every receiving leaf. */
    use(st, 0);
    assert_int_equal(send_str(root, "0-hello", &err), 7);
    run(st, 100 * SIM_MSEC);
    for (int i = 1; i <= 3; i++) {
        use(st, i);
        assert_int_equal(drain(leaf[i], NULL), i == 3 ? 0 : 1);
    }
    /* A leaf's sends reach only the root. */
    use(st, 3);
    assert_int_equal(send_str(leaf[3], "3-up", &err), 4);
    run(st, 100 * SIM_MSEC);
    use(st, 0);
    assert_int_equal(drain(root, NULL), 1);
    for (int i = 1; i <= 2; i++) {
        use(st, i);
        assert_int_equal(drain(leaf[i], NULL), 0);
    }
    /* Leaving by closing: leaf 2 goes; the root's c_leaf for it sees FD_CLOSE. */
    {
        HANDLE cev = wspsim_os_event_create(st->world, TRUE, FALSE);

        use(st, 0);
        assert_int_equal(WSPEventSelect(lroot[2], cev, FD_CLOSE, &err), 0);
        use(st, 2);
        test_close(leaf[2]);
        run(st, 100 * SIM_MSEC);
        use(st, 0);
        assert_int_equal(enum_events(lroot[2], cev, &ne), FD_CLOSE);
        assert_int_equal(send_str(root, "0-again", &err), 7);
        run(st, 100 * SIM_MSEC);
        use(st, 1);
        assert_int_equal(drain(leaf[1], NULL), 1);
    }
    /* The root closes its c_leaf for leaf 1: leaf 1 sees FD_CLOSE. */
    {
        HANDLE l1 = wspsim_os_event_create(st->world, TRUE, FALSE);

        use(st, 1);
        assert_int_equal(WSPEventSelect(leaf[1], l1, FD_CLOSE, &err), 0);
        use(st, 0);
        test_close(lroot[1]);
        run(st, 100 * SIM_MSEC);
        use(st, 1);
        assert_int_equal(enum_events(leaf[1], l1, &ne), FD_CLOSE);
        assert_int_equal(send_str(leaf[1], "1-late", &err), -1);
        assert_int_equal(err, WSAENOTCONN);
    }
    /* Closing the c_root: leaf 3 and the root's own c_leaf see FD_CLOSE. */
    {
        HANDLE l3 = wspsim_os_event_create(st->world, TRUE, FALSE);
        HANDLE c3 = wspsim_os_event_create(st->world, TRUE, FALSE);

        use(st, 3);
        assert_int_equal(WSPEventSelect(leaf[3], l3, FD_CLOSE, &err), 0);
        use(st, 0);
        assert_int_equal(WSPEventSelect(lroot[3], c3, FD_CLOSE, &err), 0);
        test_close(root);
        assert_int_equal(enum_events(lroot[3], c3, &ne), FD_CLOSE);
        run(st, 100 * SIM_MSEC);
        use(st, 3);
        assert_int_equal(enum_events(leaf[3], l3, &ne), FD_CLOSE);
    }
    star_free(st);
}

/* Receive one datagram on a non-blocking socket; -1 when none is queued. */
static int
recv_from(SOCKET s, SOCKADDR_STORAGE *from, int *fromlen)
{
    char buf[64];
    WSABUF b = { sizeof buf, buf };
    DWORD got = 0, flags = 0;
    int err = 0;

    *fromlen = (int) sizeof *from;
    if (WSPRecvFrom(s, &b, 1, &got, &flags, (struct sockaddr *) from, fromlen, NULL, NULL, NULL,
                    &err) != 0) {
        assert_int_equal(err, WSAEWOULDBLOCK);
        return -1;
    }
    return (int) got;
}

/* @sa (@len bytes) is host @i's address in the star's family, with port
 * @port (any port but 0 when @port is 0). */
static void
assert_host_addr(const Star *st, int i, int port, const SOCKADDR_STORAGE *sa, int len)
{
    /* sin_port and sin6_port are at the same offset. */
    int got_port = g_ntohs(((const struct sockaddr_in *) sa)->sin_port);
    int want_len;
    SOCKADDR_STORAGE want = host_sa(st, i, port != 0 ? port : got_port, &want_len);

    assert_int_equal(len, want_len);
    assert_memory_equal(sa, &want, (size_t) want_len);
    assert_int_not_equal(got_port, 0);
}

/* Root- and leaf-initiated joins in one tree: the root on h0, bound to the
 * wildcard and listening, invites h1 and h2 and accepts h3's request.
 * Each side learns the other's real data address (the wildcard replaced
 * by the source address toward the peer), caller and callee data travel
 * both ways, the root's sends reach the three leaves and each leaf's reach
 * the root; leaving by closing is FD_CLOSE on the other side. */
static void
test_multipoint_rooted_mixed_tree(void **state)
{
    Star *st = star_new(*state, 0);
    HANDLE rev = wspsim_os_event_create(st->world, TRUE, FALSE);
    HANDLE lev[4];
    SOCKET root, lroot[4], lis[3], leaf[4];
    WSANETWORKEVENTS ne;
    Cond cond = { 0, "", CF_ACCEPT };
    WSABUF caller = { 5, (char *) "hello" };
    char cb[16];
    WSABUF callee = { sizeof cb, cb };
    SOCKADDR_STORAGE sa;
    int len, err = 0;

    use(st, 0);
    root = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT);
    test_bind(root, st->f->any, 7000);
    assert_int_equal(WSPListen(root, 5, &err), 0);
    assert_int_equal(WSPEventSelect(root, rev, FD_CONNECT | FD_ACCEPT, &err), 0);
    for (int i = 1; i <= 2; i++) {
        lev[i] = wspsim_os_event_create(st->world, TRUE, FALSE);
        lis[i] = leaf_listener(st, i, lev[i]);
        lroot[i] = invite(st, root, rev, i, lis[i], lev[i], JL_BOTH, &cond, &leaf[i], &sa, &len);
        assert_host_addr(st, 0, 7000, &sa, len); /* the root's data address */
    }
    /* h3 asks the listening root. */
    use(st, 3);
    lev[3] = wspsim_os_event_create(st->world, TRUE, FALSE);
    leaf[3] = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    assert_int_equal(WSPEventSelect(leaf[3], lev[3], FD_CONNECT | FD_CLOSE, &err), 0);
    sa = host_sa(st, 0, 7000, &len);
    assert_true(WSPJoinLeaf(leaf[3], (struct sockaddr *) &sa, len, &caller, &callee, NULL, NULL,
                            JL_BOTH, &err) == leaf[3]);
    run(st, 100 * SIM_MSEC);
    use(st, 0);
    assert_int_equal(enum_events(root, rev, &ne), FD_ACCEPT);
    len = sizeof sa;
    lroot[3] = WSPAccept(root, (struct sockaddr *) &sa, &len, cond_fn, (DWORD_PTR) &cond, &err);
    assert_true(lroot[3] != INVALID_SOCKET);
    assert_string_equal(cond.caller, "hello");
    assert_host_addr(st, 3, 0, &sa, len); /* the leaf's data address */
    run(st, 100 * SIM_MSEC);
    use(st, 3);
    assert_int_equal(enum_events(leaf[3], lev[3], &ne), FD_CONNECT);
    assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], 0);
    assert_int_equal(callee.len, 2);
    assert_int_equal(cond.calls, 3);

    /* Down the tree to every leaf, from the root's address; up from each leaf. */
    use(st, 0);
    assert_int_equal(send_str(root, "0-down", &err), 6);
    run(st, 100 * SIM_MSEC);
    for (int i = 1; i <= 3; i++) {
        use(st, i);
        assert_int_equal(recv_from(leaf[i], &sa, &len), 6);
        assert_host_addr(st, 0, 7000, &sa, len);
        assert_int_equal(send_str(leaf[i], "up", &err), 2);
    }
    run(st, 100 * SIM_MSEC);
    use(st, 0);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(recv_from(root, &sa, &len), 2);
        assert_host_addr(st, i, 0, &sa, len);
    }
    assert_int_equal(recv_from(root, &sa, &len), -1);

    /* h3 leaves by closing: FD_CLOSE on the root's descriptor for it.  The
     * root closes its descriptor for h1: FD_CLOSE on h1's socket.  The
     * root's sends then reach h2 only. */
    assert_int_equal(WSPEventSelect(lroot[3], rev, FD_CLOSE, &err), 0);
    use(st, 1);
    assert_int_equal(WSPEventSelect(leaf[1], lev[1], FD_CLOSE, &err), 0);
    use(st, 3);
    test_close(leaf[3]);
    use(st, 0);
    test_close(lroot[1]);
    run(st, 100 * SIM_MSEC);
    assert_int_equal(enum_events(lroot[3], rev, &ne), FD_CLOSE);
    use(st, 1);
    assert_int_equal(enum_events(leaf[1], lev[1], &ne), FD_CLOSE);
    use(st, 0);
    assert_int_equal(send_str(root, "0-again", &err), 7);
    run(st, 100 * SIM_MSEC);
    use(st, 1);
    assert_int_equal(drain(leaf[1], NULL), 0);
    use(st, 2);
    assert_int_equal(drain(leaf[2], NULL), 1);
    star_free(st);
}

/* A control message written by hand (wsp-multipoint.c): type (1 request,
 * 2 accept), JL flags, the family byte (4 or 6), 16 address bytes, port,
 * user data length.  It names host @i's address in IPv6 if @v6, else in
 * IPv4, port 7000. */
static void
send_ctl_msg(SOCKET c, int type, bool v6, int i)
{
    guint8 msg[23] = { (guint8) type, JL_BOTH, v6 ? 6 : 4 };
    char ip[32];
    SimAddr a;
    WSABUF b = { sizeof msg, (char *) msg };
    DWORD sent = 0;
    int err = 0;

    g_snprintf(ip, sizeof ip, v6 ? "fd00:%d::1" : "10.0.%d.1", i + 1);
    assert_true(sim_addr_parse(ip, &a));
    memcpy(msg + 3, a.bytes, 16);
    msg[19] = 7000 >> 8;
    msg[20] = 7000 & 0xff;
    assert_int_equal(WSPSend(c, &b, 1, &sent, 0, NULL, NULL, NULL, &err), 0);
}

/* A request on a plain stream socket naming a data address of the
 * session's family is an invitation like the root's; one naming the other
 * family breaks the protocol: the leaf closes the connection and sees no
 * FD_ACCEPT. */
static void
test_multipoint_rooted_request_family(void **state)
{
    Star *st = star_new(*state, 0);
    HANDLE lev = wspsim_os_event_create(st->world, TRUE, FALSE);
    SOCKET lis = leaf_listener(st, 1, lev);
    WSANETWORKEVENTS ne;

    for (int other = 0; other <= 1; other++) {
        char buf[8];
        int len, err = 0;
        SOCKADDR_STORAGE ss = host_sa(st, 1, LPORT, &len);
        SOCKET c;

        print_message("case %s\n", other ? "other family" : "session family");
        use(st, 0);
        c = test_socket(st->f->af, SOCK_STREAM);
        assert_int_equal(WSPConnect(c, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, &err),
                         SOCKET_ERROR);
        assert_int_equal(err, WSAEWOULDBLOCK); /* started */
        run(st, 100 * SIM_MSEC);
        send_ctl_msg(c, 1, (st->f->af == AF_INET6) != (other != 0), 0);
        nonblocking(c);
        run(st, 100 * SIM_MSEC);
        use(st, 1);
        if (other) {
            assert_int_equal(enum_events(lis, lev, &ne), 0);
            assert_true(WSPAccept(lis, NULL, NULL, NULL, 0, &err) == INVALID_SOCKET);
            assert_int_equal(err, WSAEWOULDBLOCK);
            use(st, 0);
            assert_int_equal(test_recv(c, buf, sizeof buf, 0, &err), 0); /* closed */
        } else {
            assert_int_equal(enum_events(lis, lev, &ne), FD_ACCEPT);
            assert_true(WSPAccept(lis, NULL, NULL, NULL, 0, &err) != INVALID_SOCKET);
            use(st, 0);
        }
        test_close(c);
    }
    star_free(st);
}

/* The other way: a leaf asks a plain stream listener, which answers by
 * hand.  An accept naming the session's family joins the leaf; one naming
 * the other family ends the join with WSAECONNABORTED. */
static void
test_multipoint_rooted_accept_family(void **state)
{
    Star *st = star_new(*state, 0);
    HANDLE lev = wspsim_os_event_create(st->world, TRUE, FALSE);
    SOCKET l;
    WSANETWORKEVENTS ne;

    use(st, 0);
    l = test_socket(st->f->af, SOCK_STREAM);
    test_bind(l, st->f->any, 7000);
    test_listen(l);
    for (int other = 0; other <= 1; other++) {
        char buf[64];
        int len, err = 0;
        SOCKADDR_STORAGE ss = host_sa(st, 0, 7000, &len);
        SOCKET leaf, a;

        print_message("case %s\n", other ? "other family" : "session family");
        use(st, 1);
        leaf = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
        assert_int_equal(WSPEventSelect(leaf, lev, FD_CONNECT, &err), 0);
        assert_true(WSPJoinLeaf(leaf, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, JL_BOTH,
                                &err) == leaf);
        run(st, 100 * SIM_MSEC);
        use(st, 0);
        a = WSPAccept(l, NULL, NULL, NULL, 0, &err);
        assert_true(a != INVALID_SOCKET);
        assert_int_equal(test_recv(a, buf, sizeof buf, 0, &err), 23); /* the request */
        send_ctl_msg(a, 2, (st->f->af == AF_INET6) != (other != 0), 0);
        run(st, 100 * SIM_MSEC);
        use(st, 1);
        assert_int_equal(enum_events(leaf, lev, &ne), FD_CONNECT);
        assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], other ? WSAECONNABORTED : 0);
        test_close(leaf);
        use(st, 0);
        test_close(a);
    }
    star_free(st);
}

/* Rejection (CF_REJECT, or nobody listening) and deferral. */
static void
test_multipoint_rooted_reject(void **state)
{
    Star *st = star_new(*state, 0);
    HANDLE rev = wspsim_os_event_create(st->world, TRUE, FALSE);
    HANDLE lev = wspsim_os_event_create(st->world, TRUE, FALSE);
    SOCKET root, lis, d;
    WSANETWORKEVENTS ne;
    Cond cond = { 0, "", CF_DEFER };
    int err = 0;

    use(st, 0);
    root = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT);
    assert_int_equal(WSPEventSelect(root, rev, FD_CONNECT, &err), 0);
    /* Nobody listening on h1: refused. */
    d = join_host(st, root, 1, LPORT, JL_BOTH, &err);
    assert_true(d != INVALID_SOCKET);
    run(st, SIM_SEC);
    assert_true(enum_events(root, rev, &ne) & FD_CONNECT);
    assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], WSAECONNREFUSED);
    test_close(d);

    lis = leaf_listener(st, 1, lev);
    use(st, 0);
    d = join_host(st, root, 1, LPORT, JL_BOTH, &err);
    assert_true(d != INVALID_SOCKET);
    run(st, SIM_SEC);
    use(st, 1);
    assert_true(WSPAccept(lis, NULL, NULL, cond_fn, (DWORD_PTR) &cond, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSATRY_AGAIN);
    cond.answer = CF_REJECT;
    assert_true(WSPAccept(lis, NULL, NULL, cond_fn, (DWORD_PTR) &cond, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAECONNREFUSED);
    assert_true(WSPAccept(lis, NULL, NULL, cond_fn, (DWORD_PTR) &cond, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEWOULDBLOCK);
    run(st, SIM_SEC);
    use(st, 0);
    assert_true(enum_events(root, rev, &ne) & FD_CONNECT);
    assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], WSAECONNREFUSED);
    star_free(st);
}

/* Blocking joins in actors: a leaf asks a listening root (leaf-initiated),
 * and a root invites a leaf that accepts in a blocking WSPAccept. */
typedef struct {
    Star *st;
    SOCKET root_s, accepted, leaf_s, leaf_ret;
    int leaf_err;
    char got[32];
} Act;

static void
root_actor(void *data)
{
    Act *a = data;
    Cond cond = { 0, "", CF_ACCEPT };
    int err = 0;

    a->root_s =
        mp_socket(a->st->f->rooted, WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT);
    test_bind(a->root_s, a->st->f->any, 7000);
    assert_int_equal(WSPListen(a->root_s, 5, &err), 0);
    a->accepted = WSPAccept(a->root_s, NULL, NULL, cond_fn, (DWORD_PTR) &cond, &err);
    assert_true(a->accepted != INVALID_SOCKET);
    assert_string_equal(cond.caller, "hi root");
    sim_actor_sleep(a->st->world, 50 * SIM_MSEC, false);
    assert_int_equal(send_str(a->root_s, "0-down", &err), 6);
}

static void
leaf_actor(void *data)
{
    Act *a = data;
    WSABUF caller = { 7, (char *) "hi root" };
    char cb[8];
    WSABUF callee = { sizeof cb, cb };
    int len, err = 0;
    SOCKADDR_STORAGE ss = host_sa(a->st, 0, 7000, &len);

    sim_actor_sleep(a->st->world, 10 * SIM_MSEC, false);
    a->leaf_s =
        mp_socket(a->st->f->rooted, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    a->leaf_ret = WSPJoinLeaf(a->leaf_s, (struct sockaddr *) &ss, len, &caller, &callee, NULL,
                              NULL, JL_BOTH, &err);
    a->leaf_err = err;
    assert_int_equal(callee.len, 2);
    /* Again on the same leaf: already a member. */
    assert_true(WSPJoinLeaf(a->leaf_s, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL,
                            JL_BOTH, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEISCONN);
    assert_true(test_recv(a->leaf_s, a->got, sizeof a->got, 0, &err) > 0);
}

static void
test_multipoint_rooted_leaf_initiated_blocking(void **state)
{
    Star *st = star_new(*state, 0);
    Act a;

    memset(&a, 0, sizeof a);
    a.st = st;
    sim_actor_spawn(st->world, st->pid[0], "root", SIM_ACTOR_COROUTINE, 0, root_actor, &a);
    sim_actor_spawn(st->world, st->pid[1], "leaf", SIM_ACTOR_COROUTINE, 0, leaf_actor, &a);
    run(st, 2 * SIM_SEC);
    assert_true(a.leaf_ret == a.leaf_s);
    assert_int_equal(a.leaf_err, 0);
    assert_string_equal(a.got, "0-down");
    star_free(st);
}

static void
inviter_actor(void *data)
{
    Act *a = data;
    int err = 0;

    a->root_s =
        mp_socket(a->st->f->rooted, WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT);
    sim_actor_sleep(a->st->world, 10 * SIM_MSEC, false);
    a->leaf_ret = join_host(a->st, a->root_s, 1, LPORT, JL_RECEIVER_ONLY, &err);
    a->leaf_err = err;
    assert_int_equal(send_str(a->root_s, "0-tree", &err), 6);
}

static void
invited_actor(void *data)
{
    Act *a = data;
    int err = 0;
    SOCKET s = mp_socket(a->st->f->rooted, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);

    test_bind(s, a->st->f->any, LPORT);
    assert_int_equal(WSPListen(s, 5, &err), 0);
    a->accepted = WSPAccept(s, NULL, NULL, NULL, 0, &err); /* blocks for the invitation */
    assert_true(a->accepted != INVALID_SOCKET);
    assert_true(test_recv(a->accepted, a->got, sizeof a->got, 0, &err) > 0);
    assert_int_equal(send_str(a->accepted, "1-no", &err), -1);
    assert_int_equal(err, WSAENOTCONN); /* receive-only leaf */
}

static void
test_multipoint_rooted_invite_blocking(void **state)
{
    Star *st = star_new(*state, 0);
    Act a;

    memset(&a, 0, sizeof a);
    a.st = st;
    sim_actor_spawn(st->world, st->pid[0], "root", SIM_ACTOR_COROUTINE, 0, inviter_actor, &a);
    sim_actor_spawn(st->world, st->pid[1], "leaf", SIM_ACTOR_COROUTINE, 0, invited_actor, &a);
    run(st, 2 * SIM_SEC);
    assert_true(a.leaf_ret != INVALID_SOCKET);
    assert_true(a.leaf_ret != a.root_s);
    assert_int_equal(a.leaf_err, 0);
    assert_string_equal(a.got, "0-tree");
    star_free(st);
}

/* Blocking join refused: the client may retry on the same socket. */
static void
refused_actor(void *data)
{
    Act *a = data;
    int err = 0;
    SOCKET s = mp_socket(a->st->f->rooted, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);

    assert_true(join_host(a->st, s, 0, 7000, JL_BOTH, &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAECONNREFUSED);
    assert_true(join_host(a->st, s, 0, 7000, JL_BOTH, &err) == INVALID_SOCKET);
    a->leaf_err = err;
}

static void
test_multipoint_rooted_refused_blocking(void **state)
{
    Star *st = star_new(*state, 0);
    Act a;

    memset(&a, 0, sizeof a);
    a.st = st;
    sim_actor_spawn(st->world, st->pid[1], "leaf", SIM_ACTOR_COROUTINE, 0, refused_actor, &a);
    run(st, 2 * SIM_SEC);
    assert_int_equal(a.leaf_err, WSAECONNREFUSED);
    star_free(st);
}

/* ---- QoS on rooted joins (issue 7) ---------------------------------------- */

static void
flowspec_set(FLOWSPEC *f, SERVICETYPE svc, ULONG rate, ULONG bucket)
{
    memset(f, 0xff, sizeof *f); /* every field QOS_NOT_SPECIFIED */
    f->TokenRate = rate;
    f->TokenBucketSize = bucket;
    f->ServiceType = svc;
}

/* Bits/s reserved on the link of host @i, direction @dir (AB: host to router). */
static guint64
reserved(Star *st, int i, SimLinkDir dir)
{
    return sim_qos_link_reserved_bps(st->world, st->link[i], dir);
}

static QOS
make_qos(SERVICETYPE send, ULONG send_rate, SERVICETYPE recv, ULONG recv_rate)
{
    QOS q;

    memset(&q, 0, sizeof q);
    flowspec_set(&q.SendingFlowspec, send, send_rate, 400);
    flowspec_set(&q.ReceivingFlowspec, recv, recv_rate, 400);
    return q;
}

/* SIO_GET_QOS: the QOS and the RSVP status object's code. */
static QOS
get_qos(SOCKET s, ULONG *status)
{
    union {
        QOS q;
        char room[512];
    } got;
    DWORD ret = 0;
    int err = 0;
    const char *p, *end;

    memset(&got, 0, sizeof got);
    assert_int_equal(
        WSPIoctl(s, SIO_GET_QOS, NULL, 0, &got, sizeof got, &ret, NULL, NULL, NULL, &err), 0);
    *status = 0;
    p = got.q.ProviderSpecific.buf;
    end = p + got.q.ProviderSpecific.len;
    while (p != NULL && p + sizeof(QOS_OBJECT_HDR) <= end) {
        QOS_OBJECT_HDR h;

        memcpy(&h, p, sizeof h);
        if (h.ObjectType == RSVP_OBJECT_STATUS_INFO) {
            RSVP_STATUS_INFO si;

            memcpy(&si, p, sizeof si);
            *status = si.StatusCode;
        }
        if (h.ObjectLength == 0)
            break;
        p += h.ObjectLength;
    }
    return got.q;
}

/* A condition function that records the QOS it was offered and, if
 * @new_rate is set, lowers the caller's sending token rate to it. */
typedef struct {
    int calls;
    bool had_sqos, had_gqos;
    QOS seen;
    ULONG new_rate;
} QosCond;

static int CALLBACK
qos_cond_fn(LPWSABUF lpCallerId, LPWSABUF lpCallerData, LPQOS lpSQOS, LPQOS lpGQOS,
            LPWSABUF lpCalleeId, LPWSABUF lpCalleeData, GROUP *g, DWORD_PTR dwCallbackData)
{
    QosCond *c = (QosCond *) dwCallbackData;

    (void) lpCallerId;
    (void) lpCallerData;
    (void) lpCalleeId;
    (void) lpCalleeData;
    (void) g;
    c->calls++;
    c->had_sqos = lpSQOS != NULL;
    c->had_gqos = lpGQOS != NULL;
    if (lpSQOS != NULL) {
        c->seen = *lpSQOS;
        if (c->new_rate != 0)
            lpSQOS->SendingFlowspec.TokenRate = c->new_rate;
    }
    return CF_ACCEPT;
}

/* Datagrams of 200 bytes on the wire with IP and UDP headers. */
static void
send_burst(const Star *st, SOCKET s, int n)
{
    char buf[200];
    WSABUF b = { (u_long) (sizeof buf - (size_t) st->f->hdr), buf };
    DWORD sent;
    int err = 0;

    memset(buf, '0', sizeof buf);
    for (int i = 0; i < n; i++)
        assert_int_equal(WSPSend(s, &b, 1, &sent, 0, NULL, NULL, NULL, &err), 0);
}

/* The root invites h1 with a guaranteed sending flowspec (8,000 bytes/s,
 * bucket 400) and h2 without QoS.  The leaf's condition function sees the
 * QOS; the root's c_leaf descriptor reports FD_QOS, its reservation holds
 * 64 kbit/s on the two links to h1, and its copies to h1 are shaped while
 * h2's are not; closing the descriptor releases the reservation. */
static void
test_multipoint_rooted_qos_root_initiated(void **state)
{
    Star *st = star_new(*state, 0);
    HANDLE rev = wspsim_os_event_create(st->world, TRUE, FALSE);
    HANDLE lev[3];
    SOCKET root, lroot[3], lis[3], leaf[3];
    WSANETWORKEVENTS ne;
    QosCond cond;
    QOS qos = make_qos(SERVICETYPE_GUARANTEED, 8000, SERVICETYPE_NOTRAFFIC, QOS_NOT_SPECIFIED);
    QOS got;
    ULONG status;
    int err = 0;

    memset(&cond, 0, sizeof cond);
    use(st, 0);
    root = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT);
    test_bind(root, st->f->any, 7000);
    assert_int_equal(WSPEventSelect(root, rev, FD_CONNECT | FD_QOS, &err), 0);
    for (int i = 1; i <= 2; i++) {
        int len;
        SOCKADDR_STORAGE ss = host_sa(st, i, LPORT, &len);

        lev[i] = wspsim_os_event_create(st->world, TRUE, FALSE);
        lis[i] = leaf_listener(st, i, lev[i]);
        use(st, 0);
        lroot[i] = WSPJoinLeaf(root, (struct sockaddr *) &ss, len, NULL, NULL,
                               i == 1 ? &qos : NULL, NULL, JL_BOTH, &err);
        assert_true(lroot[i] != INVALID_SOCKET);
        run(st, 100 * SIM_MSEC);
        use(st, i);
        leaf[i] = WSPAccept(lis[i], NULL, NULL, qos_cond_fn, (DWORD_PTR) &cond, &err);
        assert_true(leaf[i] != INVALID_SOCKET);
        assert_int_equal(cond.had_sqos, i == 1);
        assert_false(cond.had_gqos); /* groups are reserved */
        nonblocking(leaf[i]);
        run(st, 100 * SIM_MSEC);
    }
    /* What the leaf's condition function saw: the root's QOS as asked. */
    assert_int_equal(cond.seen.SendingFlowspec.ServiceType, SERVICETYPE_GUARANTEED);
    assert_int_equal(cond.seen.SendingFlowspec.TokenRate, 8000);
    assert_int_equal(cond.seen.ReceivingFlowspec.ServiceType, SERVICETYPE_NOTRAFFIC);
    /* The leaf's member socket records it from its side. */
    use(st, 1);
    got = get_qos(leaf[1], &status);
    assert_int_equal(status, WSA_QOS_SENDERS); /* no flows of its own; the root sends */
    assert_int_equal(got.ReceivingFlowspec.ServiceType, SERVICETYPE_GUARANTEED);
    assert_int_equal(got.ReceivingFlowspec.TokenRate, 8000);
    assert_int_equal(got.SendingFlowspec.ServiceType, SERVICETYPE_NOTRAFFIC);
    /* The root's descriptor for h1: joined, admitted, reported. */
    use(st, 0);
    assert_true(enum_events(root, rev, &ne) & FD_CONNECT); /* on the c_root (REFERENCE) */
    assert_int_equal(enum_events(lroot[1], rev, &ne), FD_QOS); /* on the branch */
    assert_int_equal(ne.iErrorCode[FD_QOS_BIT], 0);
    got = get_qos(lroot[1], &status);
    assert_int_equal(status, WSA_QOS_REQUEST_CONFIRMED);
    assert_int_equal(got.SendingFlowspec.TokenRate, 8000);
    assert_int_equal(enum_events(lroot[2], rev, &ne) & FD_QOS, 0); /* no QoS asked for h2 */
    assert_int_equal(reserved(st, 0, SIM_DIR_AB), 64000);
    assert_int_equal(reserved(st, 1, SIM_DIR_BA), 64000);
    assert_int_equal(reserved(st, 2, SIM_DIR_BA), 0);

    /* Five datagrams at once: h1's copies leave two at once (the bucket
     * holds 400 bytes) then one every 25 ms; h2's all arrive at once. */
    send_burst(st, root, 5);
    run(st, 20 * SIM_MSEC);
    use(st, 1);
    assert_int_equal(drain(leaf[1], NULL), 2);
    use(st, 2);
    assert_int_equal(drain(leaf[2], NULL), 5);
    run(st, 80 * SIM_MSEC);
    use(st, 1);
    assert_int_equal(drain(leaf[1], NULL), 3);

    /* Closing the branch's descriptor frees its reservation. */
    use(st, 0);
    test_close(lroot[1]);
    assert_int_equal(reserved(st, 0, SIM_DIR_AB), 0);
    assert_int_equal(reserved(st, 1, SIM_DIR_BA), 0);
    star_free(st);
}

/* A leaf asks a listening root with sending 16,000 and receiving 8,000
 * bytes/s guaranteed; the root's condition function halves the sending
 * rate.  The leaf's socket takes the negotiated QOS (FD_QOS after
 * FD_CONNECT), both directions are reserved once, and the root's c_leaf
 * descriptor records the QOS from its side. */
static void
test_multipoint_rooted_qos_leaf_initiated_renegotiated(void **state)
{
    Star *st = star_new(*state, 0);
    HANDLE rev = wspsim_os_event_create(st->world, TRUE, FALSE);
    HANDLE lev = wspsim_os_event_create(st->world, TRUE, FALSE);
    SOCKET root, leaf, d;
    WSANETWORKEVENTS ne;
    QosCond cond;
    QOS qos = make_qos(SERVICETYPE_GUARANTEED, 16000, SERVICETYPE_GUARANTEED, 8000);
    QOS got;
    ULONG status;
    int len, err = 0;
    SOCKADDR_STORAGE ss = host_sa(st, 0, 7000, &len);

    memset(&cond, 0, sizeof cond);
    cond.new_rate = 8000;
    use(st, 0);
    root = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT);
    test_bind(root, st->f->any, 7000);
    assert_int_equal(WSPListen(root, 5, &err), 0);
    assert_int_equal(WSPEventSelect(root, rev, FD_ACCEPT, &err), 0);
    use(st, 1);
    leaf = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    assert_int_equal(WSPEventSelect(leaf, lev, FD_CONNECT | FD_QOS, &err), 0);
    assert_true(WSPJoinLeaf(leaf, (struct sockaddr *) &ss, len, NULL, NULL, &qos, NULL, JL_BOTH,
                            &err) == leaf);
    run(st, 100 * SIM_MSEC);
    use(st, 1);
    assert_int_equal(enum_events(leaf, lev, &ne), 0); /* not answered yet */
    use(st, 0);
    assert_int_equal(enum_events(root, rev, &ne), FD_ACCEPT);
    d = WSPAccept(root, NULL, NULL, qos_cond_fn, (DWORD_PTR) &cond, &err);
    assert_true(d != INVALID_SOCKET);
    assert_true(cond.had_sqos);
    assert_int_equal(cond.seen.SendingFlowspec.TokenRate, 16000);
    assert_int_equal(cond.seen.ReceivingFlowspec.TokenRate, 8000);
    got = get_qos(d, &status);
    assert_int_equal(status, WSA_QOS_SENDERS);
    assert_int_equal(got.SendingFlowspec.TokenRate, 8000);   /* root to leaf */
    assert_int_equal(got.ReceivingFlowspec.TokenRate, 8000); /* leaf to root, negotiated */
    run(st, 100 * SIM_MSEC);
    use(st, 1);
    assert_int_equal(enum_events(leaf, lev, &ne), FD_CONNECT | FD_QOS);
    assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], 0);
    assert_int_equal(ne.iErrorCode[FD_QOS_BIT], 0);
    got = get_qos(leaf, &status);
    assert_int_equal(status, WSA_QOS_REQUEST_CONFIRMED);
    assert_int_equal(got.SendingFlowspec.TokenRate, 8000);
    assert_int_equal(got.ReceivingFlowspec.TokenRate, 8000);
    /* Leaf to root and root to leaf: 64 kbit/s each way, reserved once. */
    assert_int_equal(reserved(st, 1, SIM_DIR_AB), 64000);
    assert_int_equal(reserved(st, 0, SIM_DIR_BA), 64000);
    assert_int_equal(reserved(st, 0, SIM_DIR_AB), 64000);
    assert_int_equal(reserved(st, 1, SIM_DIR_BA), 64000);
    test_close(leaf);
    assert_int_equal(reserved(st, 1, SIM_DIR_AB), 0);
    assert_int_equal(reserved(st, 0, SIM_DIR_AB), 0);
    star_free(st);
}

/* Admission on a rooted branch: h2's link carries 100 kbit/s, so a
 * 20,000 bytes/s guaranteed branch is refused (the join itself succeeds;
 * FD_QOS carries WSA_QOS_ADMISSION_FAILURE); a QOS that cannot be
 * satisfied fails the join at once with WSAEOPNOTSUPP on a c_root (no
 * descriptor is left behind) and on a c_leaf.  A QOS set on the c_root
 * with SIO_SET_QOS is inherited by the branches it invites. */
static void
test_multipoint_rooted_qos_admission_and_errors(void **state)
{
    Star *st = star_new(*state, 0);
    HANDLE rev = wspsim_os_event_create(st->world, TRUE, FALSE);
    HANDLE lev = wspsim_os_event_create(st->world, TRUE, FALSE);
    SOCKET root, lis, leaf, d, c;
    WSANETWORKEVENTS ne;
    SimLinkParams p;
    QOS big = make_qos(SERVICETYPE_GUARANTEED, 20000, SERVICETYPE_NOTRAFFIC, QOS_NOT_SPECIFIED);
    QOS bad = make_qos(SERVICETYPE_GUARANTEED, 0, SERVICETYPE_NOTRAFFIC, QOS_NOT_SPECIFIED);
    QOS small = make_qos(SERVICETYPE_CONTROLLEDLOAD, 1000, SERVICETYPE_NOTRAFFIC,
                         QOS_NOT_SPECIFIED);
    QOS got;
    ULONG status;
    DWORD ret;
    int len, err = 0;
    SOCKADDR_STORAGE ss = host_sa(st, 2, LPORT, &len);

    assert_int_equal(sim_link_get_params(st->world, st->link[2], SIM_DIR_BA, &p), SIM_OK);
    p.rate_bps = 100000;
    assert_int_equal(sim_link_set_params(st->world, st->link[2], SIM_DIR_BA, &p), SIM_OK);
    use(st, 0);
    root = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_ROOT | WSA_FLAG_MULTIPOINT_D_ROOT);
    test_bind(root, st->f->any, 7000);
    assert_int_equal(WSPEventSelect(root, rev, FD_CONNECT | FD_QOS, &err), 0);
    assert_true(WSPJoinLeaf(root, (struct sockaddr *) &ss, len, NULL, NULL, &bad, NULL, JL_BOTH,
                            &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEOPNOTSUPP);
    lis = leaf_listener(st, 2, lev);
    use(st, 0);
    d = WSPJoinLeaf(root, (struct sockaddr *) &ss, len, NULL, NULL, &big, NULL, JL_BOTH, &err);
    assert_true(d != INVALID_SOCKET);
    run(st, 100 * SIM_MSEC);
    use(st, 2);
    leaf = WSPAccept(lis, NULL, NULL, NULL, 0, &err);
    assert_true(leaf != INVALID_SOCKET);
    run(st, 100 * SIM_MSEC);
    use(st, 0);
    assert_true(enum_events(root, rev, &ne) & FD_CONNECT);
    assert_int_equal(ne.iErrorCode[FD_CONNECT_BIT], 0);
    assert_int_equal(enum_events(d, rev, &ne), FD_QOS);
    assert_int_equal(ne.iErrorCode[FD_QOS_BIT], WSA_QOS_ADMISSION_FAILURE);
    (void) get_qos(d, &status);
    assert_int_equal(status, WSA_QOS_ADMISSION_FAILURE);
    assert_int_equal(reserved(st, 2, SIM_DIR_BA), 0);
    test_close(d);

    /* Inherited from the c_root's SIO_SET_QOS: a small controlled-load branch fits. */
    assert_int_equal(WSPIoctl(root, SIO_SET_QOS, &small, sizeof small, NULL, 0, &ret, NULL, NULL,
                              NULL, &err),
                     0);
    d = WSPJoinLeaf(root, (struct sockaddr *) &ss, len, NULL, NULL, NULL, NULL, JL_BOTH, &err);
    assert_true(d != INVALID_SOCKET);
    run(st, 100 * SIM_MSEC);
    use(st, 2);
    assert_true(WSPAccept(lis, NULL, NULL, NULL, 0, &err) != INVALID_SOCKET);
    run(st, 100 * SIM_MSEC);
    use(st, 0);
    got = get_qos(d, &status);
    assert_int_equal(status, WSA_QOS_REQUEST_CONFIRMED);
    assert_int_equal(got.SendingFlowspec.ServiceType, SERVICETYPE_CONTROLLEDLOAD);
    assert_int_equal(reserved(st, 2, SIM_DIR_BA), 8000);

    /* A c_leaf with a QOS that cannot be satisfied. */
    use(st, 1);
    c = mp_socket(st->f->rooted, WSA_FLAG_MULTIPOINT_C_LEAF | WSA_FLAG_MULTIPOINT_D_LEAF);
    ss = host_sa(st, 0, 7000, &len);
    assert_true(WSPJoinLeaf(c, (struct sockaddr *) &ss, len, NULL, NULL, &bad, NULL, JL_BOTH,
                            &err) == INVALID_SOCKET);
    assert_int_equal(err, WSAEOPNOTSUPP);
    star_free(st);
}

/* A test over IPv4 (its own name) and over IPv6 (the name with "_ipv6"). */
#define BOTH_FAMILIES(fn)                                                                          \
    { #fn, fn, NULL, NULL, (void *) &ipv4 }, { #fn "_ipv6", fn, NULL, NULL, (void *) &ipv6 }

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multipoint_catalog_and_roles),
        BOTH_FAMILIES(test_multipoint_conference_under_loss),
        BOTH_FAMILIES(test_multipoint_scope_loopback_and_roles),
        cmocka_unit_test(test_multipoint_nonrooted_errors),
        cmocka_unit_test(test_multipoint_family_errors),
        BOTH_FAMILIES(test_multipoint_rooted_broadcast_tree),
        BOTH_FAMILIES(test_multipoint_rooted_mixed_tree),
        BOTH_FAMILIES(test_multipoint_rooted_request_family),
        BOTH_FAMILIES(test_multipoint_rooted_accept_family),
        BOTH_FAMILIES(test_multipoint_rooted_reject),
        BOTH_FAMILIES(test_multipoint_rooted_leaf_initiated_blocking),
        BOTH_FAMILIES(test_multipoint_rooted_invite_blocking),
        BOTH_FAMILIES(test_multipoint_rooted_refused_blocking),
        BOTH_FAMILIES(test_multipoint_rooted_qos_root_initiated),
        BOTH_FAMILIES(test_multipoint_rooted_qos_leaf_initiated_renegotiated),
        BOTH_FAMILIES(test_multipoint_rooted_qos_admission_and_errors),
    };

    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-multipoint", tests, NULL, NULL);
}
