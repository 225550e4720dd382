/* SPDX-License-Identifier: MIT
 * test-wsp-qos: the provider's QoS surface (issue 7) — WSPGetQOSByName
 * (templates, enumeration, errors), SIO_GET_QOS / SIO_SET_QOS and the group
 * variants, the provider-specific object list and its errors, WSPConnect's
 * lpSQOS, the WSPAccept condition function's lpSQOS and renegotiation,
 * FD_QOS with the WSA_QOS_* codes, release on close, and the two issue
 * scenarios as tests: a G711 guaranteed flow keeps its delay bound under a
 * saturating TCP transfer and loses it without its reservation; a third
 * reservation on an oversubscribed link is refused. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers/test-world.h"
#include "spi/wsp-private.h"
#include <wspsim/wspsim-os.h>

#define PORT 7300

/* ---- Helpers ----------------------------------------------------------- */

static void
wname(WCHAR *out, const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++)
        out[i] = (WCHAR) s[i];
    out[i] = 0;
}

static BOOL
by_name(SOCKET s, const char *name, QOS *out, int *err)
{
    WCHAR w[32];
    WSABUF b = {(u_long) sizeof w, (char *) w};

    wname(w, name);
    return WSPGetQOSByName(s, &b, out, err);
}

static int
ioctl_qos(SOCKET s, DWORD code, void *in, DWORD cbin, void *out, DWORD cbout, DWORD *ret,
          int *err)
{
    return WSPIoctl(s, code, in, cbin, out, cbout, ret, NULL, NULL, NULL, err);
}

static QOS
g711(SOCKET s)
{
    QOS q;
    int err = 0;

    assert_true(by_name(s, "G711", &q, &err));
    return q;
}

static HANDLE
new_event(TestWorld *tw)
{
    return wspsim_os_event_create(tw->world, TRUE, FALSE);
}

static LONG
enum_events(SOCKET s, HANDLE ev, WSANETWORKEVENTS *out)
{
    WSANETWORKEVENTS ne;
    int err = 0;

    memset(&ne, 0, sizeof ne);
    assert_int_equal(WSPEnumNetworkEvents(s, ev, &ne, &err), 0);
    if (out != NULL)
        *out = ne;
    return ne.lNetworkEvents;
}

static void
udp_connect(SOCKET s, const char *ip, int port, QOS *sqos, int want)
{
    SOCKADDR_STORAGE ss;
    int len, err = 0;

    ss = test_sa(ip, port, &len);
    if (want == 0) {
        assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, sqos, NULL, &err),
                         0);
    } else {
        assert_int_equal(WSPConnect(s, (struct sockaddr *) &ss, len, NULL, NULL, sqos, NULL, &err),
                         SOCKET_ERROR);
        assert_int_equal(err, want);
    }
}

/* The RSVP status object SIO_GET_QOS returns. */
static ULONG
rsvp_status(SOCKET s, ULONG *out_mode)
{
    char buf[256];
    QOS q;
    DWORD ret = 0;
    int err = 0;
    const char *p;
    size_t left;
    ULONG status = 0;

    assert_int_equal(ioctl_qos(s, SIO_GET_QOS, NULL, 0, buf, sizeof buf, &ret, &err), 0);
    memcpy(&q, buf, sizeof q);
    assert_int_equal(ret, sizeof q + q.ProviderSpecific.len);
    assert_ptr_equal(q.ProviderSpecific.buf, buf + sizeof q);
    p = q.ProviderSpecific.buf;
    left = q.ProviderSpecific.len;
    while (left >= sizeof(QOS_OBJECT_HDR)) {
        QOS_OBJECT_HDR h;

        memcpy(&h, p, sizeof h);
        if (h.ObjectType == QOS_OBJECT_END_OF_LIST)
            break;
        if (h.ObjectType == RSVP_OBJECT_STATUS_INFO) {
            RSVP_STATUS_INFO si;

            memcpy(&si, p, sizeof si);
            status = si.StatusCode;
        } else if (h.ObjectType == QOS_OBJECT_SD_MODE && out_mode != NULL) {
            QOS_SD_MODE m;

            memcpy(&m, p, sizeof m);
            *out_mode = m.ShapeDiscardMode;
        }
        p += h.ObjectLength;
        left -= h.ObjectLength;
    }
    return status;
}

static void
set_link_rate(TestWorld *tw, guint64 bps, guint32 queue_packets)
{
    SimLinkParams p;

    assert_int_equal(sim_link_get_params(tw->world, tw->link, SIM_DIR_AB, &p), SIM_OK);
    p.rate_bps = bps;
    p.queue_packets = queue_packets;
    assert_int_equal(sim_link_set_params(tw->world, tw->link, SIM_DIR_BOTH, &p), SIM_OK);
}

/* ---- WSPGetQOSByName ------------------------------------------------------ */

static void
test_wsp_qos_get_by_name(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    WCHAR w[128];
    WSABUF b;
    QOS q;
    SOCKET s;
    int err = 0;
    static const char *const names[] = {"G711", "G723.1", "G729", "H263QCIF",
                                        "H263CIF", "H261QCIF", "H261CIF", "GSM6.10"};

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_DGRAM);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        memset(&q, 0xee, sizeof q);
        assert_true(by_name(s, names[i], &q, &err));
        assert_true(q.SendingFlowspec.TokenRate > 0);
        assert_true(q.SendingFlowspec.PeakBandwidth >= q.SendingFlowspec.TokenRate);
        assert_memory_equal(&q.SendingFlowspec, &q.ReceivingFlowspec, sizeof(FLOWSPEC));
        assert_null(q.ProviderSpecific.buf);
        assert_int_equal(q.ProviderSpecific.len, 0);
    }
    q = g711(s);
    assert_int_equal(q.SendingFlowspec.TokenRate, 10000);
    assert_int_equal(q.SendingFlowspec.ServiceType, SERVICETYPE_GUARANTEED);
    assert_int_equal(q.SendingFlowspec.Latency, QOS_NOT_SPECIFIED);

    /* Errors. */
    assert_false(by_name(s, "G712", &q, &err));
    assert_int_equal(err, WSAEINVAL);
    assert_false(by_name(s, "G711", NULL, &err));
    assert_int_equal(err, WSAEFAULT);
    assert_false(WSPGetQOSByName(s, NULL, &q, &err));
    assert_int_equal(err, WSAEFAULT);
    assert_false(by_name((SOCKET) 0x7777, "G711", &q, &err));
    assert_int_equal(err, WSAENOTSOCK);

    /* Enumeration: every name, then an empty one. */
    memset(w, 0xff, sizeof w);
    w[0] = 0;
    b.len = sizeof w;
    b.buf = (char *) w;
    assert_true(WSPGetQOSByName(s, &b, NULL, &err));
    {
        size_t at = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
            for (size_t k = 0; names[i][k] != '\0'; k++)
                assert_int_equal(w[at + k], (WCHAR) names[i][k]);
            at += strlen(names[i]);
            assert_int_equal(w[at++], 0);
        }
        assert_int_equal(w[at], 0);
    }
    /* Room for "G711" and the terminators only: whole names only. */
    memset(w, 0xff, sizeof w);
    w[0] = 0;
    b.len = 7 * sizeof(WCHAR);
    assert_true(WSPGetQOSByName(s, &b, NULL, &err));
    assert_int_equal(w[4], 0);
    assert_int_equal(w[5], 0);
    assert_int_equal(w[6], 0xffff);
    /* Not even the terminator: WSAEFAULT (choice 45). */
    b.len = 1;
    assert_false(WSPGetQOSByName(s, &b, NULL, &err));
    assert_int_equal(err, WSAEFAULT);
    test_close(s);
    test_world_free(tw);
}

/* ---- WSCInstallQOSTemplate / WSCRemoveQOSTemplate ------------------------ */

static int
install(const GUID *guid, const char *name, QOS *q)
{
    WCHAR w[128];
    WSABUF b = {(u_long) sizeof w, (char *) w};

    wname(w, name);
    return WSCInstallQOSTemplate((LPGUID) guid, &b, q);
}

static int
uninstall(const char *name)
{
    WCHAR w[128];
    WSABUF b = {(u_long) sizeof w, (char *) w};

    wname(w, name);
    return WSCRemoveQOSTemplate(NULL, &b);
}

/* The names WSPGetQOSByName enumerates, comma-separated. */
static char *
names_of(SOCKET s)
{
    WCHAR w[256];
    WSABUF b = {(u_long) sizeof w, (char *) w};
    GString *out = g_string_new(NULL);
    int err = 0;

    w[0] = 0;
    assert_true(WSPGetQOSByName(s, &b, NULL, &err));
    for (size_t at = 0; w[at] != 0; at++) {
        if (out->len > 0)
            g_string_append_c(out, ',');
        for (; w[at] != 0; at++)
            g_string_append_c(out, (char) w[at]);
    }
    return g_string_free(out, FALSE);
}

/* Installed templates answer WSPGetQOSByName (before the well-known ones,
 * which they may replace), are enumerated after the well-known names, are
 * kept per world, and are removed again; the well-known set cannot be. */
static void
test_wsp_qos_install_template(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    TestWorld *other;
    QOS q, got;
    SOCKET s;
    int err = 0;
    char *names;
    GUID foreign = wspsim_provider_guid;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_DGRAM);
    q = g711(s);
    q.SendingFlowspec.ServiceType = SERVICETYPE_CONTROLLEDLOAD;
    q.SendingFlowspec.TokenRate = 5000;
    assert_int_equal(install(NULL, "VOICE", &q), 0);
    assert_true(by_name(s, "VOICE", &got, &err));
    assert_int_equal(got.SendingFlowspec.TokenRate, 5000);
    assert_int_equal(got.SendingFlowspec.ServiceType, SERVICETYPE_CONTROLLEDLOAD);
    /* Installing again replaces it; our own GUID is accepted. */
    q.SendingFlowspec.TokenRate = 6000;
    assert_int_equal(install(&wspsim_provider_guid, "VOICE", &q), 0);
    assert_true(by_name(s, "VOICE", &got, &err));
    assert_int_equal(got.SendingFlowspec.TokenRate, 6000);
    /* A well-known name can be replaced, not removed. */
    q.SendingFlowspec.TokenRate = 12000;
    assert_int_equal(install(NULL, "G711", &q), 0);
    assert_true(by_name(s, "G711", &got, &err));
    assert_int_equal(got.SendingFlowspec.TokenRate, 12000);
    assert_int_equal(uninstall("G711"), WSAEINVAL);
    names = names_of(s);
    assert_string_equal(names, "G711,G723.1,G729,H263QCIF,H263CIF,H261QCIF,H261CIF,GSM6.10,VOICE");
    g_free(names);

    /* Another world has only the well-known set. */
    other = test_world_new(TEST_WORLD_SEED);
    test_world_use(other, other->pc);
    {
        SOCKET o = test_socket(AF_INET, SOCK_DGRAM);

        assert_false(by_name(o, "VOICE", &got, &err));
        assert_int_equal(err, WSAEINVAL);
        assert_true(by_name(o, "G711", &got, &err));
        assert_int_equal(got.SendingFlowspec.TokenRate, 10000);
        test_close(o);
    }
    test_world_free(other);
    test_world_use(tw, tw->pc);

    /* Removal. */
    assert_int_equal(uninstall("VOICE"), 0);
    assert_false(by_name(s, "VOICE", &got, &err));
    assert_int_equal(err, WSAEINVAL);
    assert_int_equal(uninstall("VOICE"), WSAEINVAL);

    /* Bad arguments. */
    {
        WCHAR w[80];
        WSABUF b = {(u_long) sizeof w, (char *) w};
        WSABUF nobuf = {4, NULL};
        QOS bad = q;

        assert_int_equal(WSCInstallQOSTemplate(NULL, NULL, &q), WSAEFAULT);
        assert_int_equal(WSCInstallQOSTemplate(NULL, &nobuf, &q), WSAEFAULT);
        assert_int_equal(WSCRemoveQOSTemplate(NULL, NULL), WSAEFAULT);
        assert_int_equal(install(NULL, "VOICE", NULL), WSAEFAULT);
        assert_int_equal(install(NULL, "", &q), WSAEINVAL);
        for (size_t i = 0; i < G_N_ELEMENTS(w); i++)
            w[i] = 'x'; /* no terminator in the buffer */
        assert_int_equal(WSCInstallQOSTemplate(NULL, &b, &q), WSAEINVAL);
        w[65] = 0; /* 65 units: one too many */
        assert_int_equal(WSCInstallQOSTemplate(NULL, &b, &q), WSAEINVAL);
        w[64] = 0; /* 64 units: the longest name */
        assert_int_equal(WSCInstallQOSTemplate(NULL, &b, &q), 0);
        assert_int_equal(WSCRemoveQOSTemplate(NULL, &b), 0);
        foreign.Data1 ^= 1;
        assert_int_equal(install(&foreign, "VOICE", &q), WSAEINVAL);
        bad.SendingFlowspec.TokenRate = 0; /* cannot be satisfied */
        assert_int_equal(install(NULL, "VOICE", &bad), WSAEINVAL);
        bad = q;
        bad.ProviderSpecific.len = 4; /* shorter than an object header */
        bad.ProviderSpecific.buf = (char *) w;
        assert_int_equal(install(NULL, "VOICE", &bad), WSAEINVAL);
        assert_false(by_name(s, "VOICE", &got, &err));
    }
    test_close(s);
    /* Without a simulated system to keep it in. */
    wspsim_set_context(NULL, 0);
    assert_int_equal(install(NULL, "VOICE", &q), WSANO_RECOVERY);
    assert_int_equal(uninstall("VOICE"), WSANO_RECOVERY);
    test_world_free(tw);
}

/* ---- SIO_GET_QOS / SIO_SET_QOS ------------------------------------------------ */

typedef struct {
    const char *name;
    int want;
    void (*mangle)(QOS *q, char *ps);
} BadQos;

/* @q's provider-specific buffer: the object at @obj, copied to @ps. */
static void
ps_put(QOS *q, char *ps, const void *obj, size_t len)
{
    memcpy(ps, obj, len);
    q->ProviderSpecific.buf = ps;
    q->ProviderSpecific.len = (u_long) len;
}

static void
bad_service(QOS *q, char *ps)
{
    (void) ps;
    q->SendingFlowspec.ServiceType = SERVICETYPE_NETWORK_UNAVAILABLE;
}

static void
bad_peak(QOS *q, char *ps)
{
    (void) ps;
    q->SendingFlowspec.PeakBandwidth = q->SendingFlowspec.TokenRate - 1;
}

static void
zero_rate(QOS *q, char *ps)
{
    (void) ps;
    q->SendingFlowspec.TokenRate = 0;
}

static void
unspecified_send_rate(QOS *q, char *ps)
{
    (void) ps;
    q->SendingFlowspec.TokenRate = QOS_NOT_SPECIFIED;
}

static void
ps_null_buf(QOS *q, char *ps)
{
    (void) ps;
    q->ProviderSpecific.buf = NULL;
    q->ProviderSpecific.len = 8;
}

static void
ps_short_object(QOS *q, char *ps)
{
    QOS_OBJECT_HDR h = {QOS_OBJECT_SD_MODE, 4};

    ps_put(q, ps, &h, sizeof h);
}

static void
ps_overrun(QOS *q, char *ps)
{
    QOS_SD_MODE m = {{QOS_OBJECT_SD_MODE, sizeof m + 8}, TC_NONCONF_SHAPE};

    ps_put(q, ps, &m, sizeof m);
}

static void
ps_unknown(QOS *q, char *ps)
{
    QOS_OBJECT_HDR h = {4242, sizeof h};

    ps_put(q, ps, &h, sizeof h);
}

static void
ps_bad_mode(QOS *q, char *ps)
{
    QOS_SD_MODE m = {{QOS_OBJECT_SD_MODE, sizeof m}, 9};

    ps_put(q, ps, &m, sizeof m);
}

static void
ps_destaddr_null(QOS *q, char *ps)
{
    QOS_DESTADDR d = {{QOS_OBJECT_DESTADDR, sizeof d}, NULL, 16};

    ps_put(q, ps, &d, sizeof d);
}

static void
ps_truncated_header(QOS *q, char *ps)
{
    q->ProviderSpecific.buf = ps;
    q->ProviderSpecific.len = 5;
}

static void
ps_zero_shaping_rate(QOS *q, char *ps)
{
    QOS_SHAPING_RATE r = {{QOS_OBJECT_SHAPING_RATE, sizeof r}, 0};

    ps_put(q, ps, &r, sizeof r);
}

static const BadQos bad_cases[] = {
    {"bad service type", WSAEOPNOTSUPP, bad_service},
    {"peak below token rate", WSAEOPNOTSUPP, bad_peak},
    {"zero token rate", WSAEOPNOTSUPP, zero_rate},
    {"unspecified sending rate", WSAEOPNOTSUPP, unspecified_send_rate},
    {"provider buffer NULL", WSAEFAULT, ps_null_buf},
    {"object shorter than its header", WSAEINVAL, ps_short_object},
    {"object overruns the buffer", WSAEINVAL, ps_overrun},
    {"unknown object", WSAEINVAL, ps_unknown},
    {"bad shape/discard mode", WSAEINVAL, ps_bad_mode},
    {"destination address NULL", WSAEFAULT, ps_destaddr_null},
    {"truncated header", WSAEINVAL, ps_truncated_header},
    {"zero shaping rate", WSAEINVAL, ps_zero_shaping_rate},
};

static void
test_wsp_qos_set_get_errors(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    char out[256], ps[64];
    DWORD ret;
    QOS q;
    SOCKET s;
    int err;

    (void) state;
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_DGRAM);
    /* No QOS yet: defaults, all members QOS_NOT_SPECIFIED. */
    ret = 0;
    assert_int_equal(ioctl_qos(s, SIO_GET_QOS, NULL, 0, out, sizeof out, &ret, &err), 0);
    assert_int_equal(ret, sizeof(QOS));
    memcpy(&q, out, sizeof q);
    assert_int_equal(q.SendingFlowspec.TokenRate, QOS_NOT_SPECIFIED);
    assert_int_equal(q.SendingFlowspec.ServiceType, SERVICETYPE_BESTEFFORT);
    /* Too small: WSAEFAULT and the size needed (choice 42). */
    ret = 0;
    assert_int_equal(ioctl_qos(s, SIO_GET_QOS, NULL, 0, out, 8, &ret, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(ret, sizeof(QOS));
    q = g711(s);
    assert_int_equal(ioctl_qos(s, SIO_SET_QOS, &q, 8, NULL, 0, &ret, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);
    assert_int_equal(ioctl_qos(s, SIO_SET_QOS, NULL, sizeof q, NULL, 0, &ret, &err), SOCKET_ERROR);
    assert_int_equal(err, WSAEFAULT);

    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        print_message("case %s\n", bad_cases[i].name);
        q = g711(s);
        bad_cases[i].mangle(&q, ps);
        err = 0;
        assert_int_equal(ioctl_qos(s, SIO_SET_QOS, &q, sizeof q, NULL, 0, &ret, &err),
                         SOCKET_ERROR);
        assert_int_equal(err, bad_cases[i].want);
        /* WSPConnect checks the same way, and connects nothing. */
        udp_connect(s, "10.0.0.2", PORT, &q, bad_cases[i].want);
    }
    /* Nothing was recorded. */
    assert_int_equal(ioctl_qos(s, SIO_GET_QOS, NULL, 0, out, sizeof out, &ret, &err), 0);
    assert_int_equal(ret, sizeof(QOS));

    /* Groups are reserved: GET returns an empty QOS, SET on no group fails. */
    assert_int_equal(ioctl_qos(s, SIO_GET_GROUP_QOS, NULL, 0, out, sizeof out, &ret, &err), 0);
    assert_int_equal(ret, sizeof(QOS));
    q = g711(s);
    assert_int_equal(ioctl_qos(s, SIO_SET_GROUP_QOS, &q, sizeof q, NULL, 0, &ret, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEINVAL);
    test_close(s);
    test_world_free(tw);
}

/* A datagram socket: SIO_SET_QOS (G711 with a discard-mode object), then
 * connect: the reservation is made, FD_QOS reports it (error 0), SIO_GET_QOS
 * shows WSA_QOS_REQUEST_CONFIRMED and the mode and re-enables FD_QOS; close
 * releases the reservation. */
static void
test_wsp_qos_udp_reservation_and_fd_qos(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    char ps[64];
    QOS_SD_MODE m = {{QOS_OBJECT_SD_MODE, sizeof m}, TC_NONCONF_DISCARD};
    QOS_OBJECT_HDR end = {QOS_OBJECT_END_OF_LIST, sizeof end};
    WSANETWORKEVENTS ne;
    HANDLE ev;
    DWORD ret;
    ULONG mode = 99;
    QOS q;
    SOCKET s;
    int err = 0;

    (void) state;
    set_link_rate(tw, 1000000, 0);
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_DGRAM);
    ev = new_event(tw);
    assert_int_equal(WSPEventSelect(s, ev, FD_QOS, &err), 0);
    test_bind(s, "0.0.0.0", 5004);
    q = g711(s);
    memcpy(ps, &m, sizeof m);
    memcpy(ps + sizeof m, &end, sizeof end);
    q.ProviderSpecific.buf = ps;
    q.ProviderSpecific.len = sizeof m + sizeof end;
    assert_int_equal(ioctl_qos(s, SIO_SET_QOS, &q, sizeof q, NULL, 0, &ret, &err), 0);
    /* Bound but no peer: nothing to reserve yet. */
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_AB), 0);
    udp_connect(s, "10.0.0.2", PORT, NULL, 0);
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_AB), 80000);
    /* The receiving flowspec reserves the way back. */
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_BA), 80000);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(enum_events(s, ev, &ne), FD_QOS);
    assert_int_equal(ne.iErrorCode[FD_QOS_BIT], 0);
    assert_int_equal(rsvp_status(s, &mode), WSA_QOS_REQUEST_CONFIRMED);
    assert_int_equal(mode, TC_NONCONF_DISCARD);
    /* The flowspecs come back as set. */
    {
        char out[256];
        QOS got;

        assert_int_equal(ioctl_qos(s, SIO_GET_QOS, NULL, 0, out, sizeof out, &ret, &err), 0);
        memcpy(&got, out, sizeof got);
        assert_memory_equal(&got.SendingFlowspec, &q.SendingFlowspec, sizeof(FLOWSPEC));
    }
    /* The link loses capacity: the re-check refuses, FD_QOS tells. */
    set_link_rate(tw, 50000, 0);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(enum_events(s, ev, &ne), FD_QOS);
    assert_int_equal(ne.iErrorCode[FD_QOS_BIT], WSA_QOS_ADMISSION_FAILURE);
    assert_int_equal(rsvp_status(s, NULL), WSA_QOS_ADMISSION_FAILURE);
    set_link_rate(tw, 1000000, 0);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(enum_events(s, ev, &ne), FD_QOS);
    assert_int_equal(ne.iErrorCode[FD_QOS_BIT], 0);
    test_close(s);
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_AB), 0);
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_BA), 0);
    wspsim_os_handle_close(tw->world, ev);
    test_world_free(tw);
}

/* The shaping rate of SIO_GET_QOS's objects: 0 when there is none. */
static ULONG
shaping_of(SOCKET s)
{
    char out[256];
    QOS got;
    DWORD ret = 0;
    int err = 0;
    ULONG rate = 0;

    assert_int_equal(ioctl_qos(s, SIO_GET_QOS, NULL, 0, out, sizeof out, &ret, &err), 0);
    memcpy(&got, out, sizeof got);
    for (size_t at = sizeof got; at + sizeof(QOS_OBJECT_HDR) <= ret;) {
        QOS_OBJECT_HDR h;

        memcpy(&h, out + at, sizeof h);
        if (h.ObjectType == QOS_OBJECT_SHAPING_RATE) {
            QOS_SHAPING_RATE r;

            memcpy(&r, out + at, sizeof r);
            rate = r.ShapingRate;
        }
        if (h.ObjectLength == 0)
            break;
        at += h.ObjectLength;
    }
    return rate;
}

/* QOS_SHAPING_RATE paces the sending flow: with a bucket deep enough for
 * the whole burst, five 200-byte datagrams still leave 20 ms apart at
 * 10,000 bytes/s.  SIO_GET_QOS returns the object; a later SIO_SET_QOS
 * without it keeps it, QOS_NOT_SPECIFIED removes it (the burst then
 * leaves at once). */
static void
test_wsp_qos_shaping_rate_object(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    QOS_SHAPING_RATE sr = {{QOS_OBJECT_SHAPING_RATE, sizeof sr}, 10000};
    QOS_OBJECT_HDR end = {QOS_OBJECT_END_OF_LIST, sizeof end};
    char ps[64], payload[172], in[512];
    WSABUF b = {sizeof payload, payload};
    DWORD ret, sent;
    QOS q;
    SOCKET s, r;
    int err = 0;

    (void) state;
    memset(payload, 'v', sizeof payload);
    test_world_use(tw, tw->ps);
    r = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(r, "0.0.0.0", PORT);
    {
        u_long nb = 1;

        assert_int_equal(ioctl_qos(r, FIONBIO, &nb, sizeof nb, NULL, 0, &ret, &err), 0);
    }
    test_world_use(tw, tw->pc);
    s = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(s, "0.0.0.0", 5004);
    udp_connect(s, "10.0.0.2", PORT, NULL, 0);
    memset(&q, 0xff, sizeof q);
    q.SendingFlowspec.ServiceType = SERVICETYPE_CONTROLLEDLOAD;
    q.SendingFlowspec.TokenRate = 100000;
    q.SendingFlowspec.TokenBucketSize = 100000;
    q.ReceivingFlowspec.ServiceType = SERVICETYPE_NOTRAFFIC;
    memcpy(ps, &sr, sizeof sr);
    memcpy(ps + sizeof sr, &end, sizeof end);
    q.ProviderSpecific.buf = ps;
    q.ProviderSpecific.len = sizeof sr + sizeof end;
    assert_int_equal(ioctl_qos(s, SIO_SET_QOS, &q, sizeof q, NULL, 0, &ret, &err), 0);
    assert_int_equal(shaping_of(s), 10000);
    for (int round = 0; round < 3; round++) {
        /* 0: paced; 1: SIO_SET_QOS without the object keeps it; 2: removed. */
        bool paced = round < 2;

        if (round == 1) {
            q.ProviderSpecific.buf = NULL;
            q.ProviderSpecific.len = 0;
            assert_int_equal(ioctl_qos(s, SIO_SET_QOS, &q, sizeof q, NULL, 0, &ret, &err), 0);
            assert_int_equal(shaping_of(s), 10000);
        } else if (round == 2) {
            sr.ShapingRate = QOS_NOT_SPECIFIED;
            memcpy(ps, &sr, sizeof sr);
            q.ProviderSpecific.buf = ps;
            q.ProviderSpecific.len = sizeof sr + sizeof end;
            assert_int_equal(ioctl_qos(s, SIO_SET_QOS, &q, sizeof q, NULL, 0, &ret, &err), 0);
            assert_int_equal(shaping_of(s), 0);
        }
        test_world_use(tw, tw->pc);
        for (int i = 0; i < 5; i++)
            assert_int_equal(WSPSend(s, &b, 1, &sent, 0, NULL, NULL, NULL, &err), 0);
        /* The link is fast: what has left by 30 ms has arrived. */
        test_world_run(tw, 30 * SIM_MSEC);
        test_world_use(tw, tw->ps);
        for (int i = 0; i < (paced ? 2 : 5); i++) {
            assert_int_equal(test_recv(r, in, sizeof in, 0, &err), (int) sizeof payload);
        }
        assert_int_equal(test_recv(r, in, sizeof in, 0, &err), -1);
        assert_int_equal(err, WSAEWOULDBLOCK);
        test_world_run(tw, 100 * SIM_MSEC);
        for (int i = 0; i < (paced ? 3 : 0); i++)
            assert_int_equal(test_recv(r, in, sizeof in, 0, &err), (int) sizeof payload);
        test_world_use(tw, tw->pc);
    }
    test_close(s);
    test_world_use(tw, tw->ps);
    test_close(r);
    test_world_free(tw);
}

/* Issue scenario 2: on a 1 Mbit/s link, three controlled-load flows of
 * 400 kbit/s: two are admitted, the third is refused (FD_QOS with
 * WSA_QOS_ADMISSION_FAILURE, RSVP status the same); its packets still go,
 * best effort.  Closing one admits nothing by itself; a SIO_SET_QOS
 * (renegotiation) of the third then fits. */
static void
test_wsp_qos_third_reservation_refused(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET s[3];
    HANDLE ev[3];
    WSANETWORKEVENTS ne;
    DWORD ret;
    QOS q;
    int err = 0;

    (void) state;
    set_link_rate(tw, 1000000, 0);
    test_world_use(tw, tw->pc);
    for (int i = 0; i < 3; i++) {
        s[i] = test_socket(AF_INET, SOCK_DGRAM);
        ev[i] = new_event(tw);
        assert_int_equal(WSPEventSelect(s[i], ev[i], FD_QOS, &err), 0);
        q = g711(s[i]);
        q.SendingFlowspec.ServiceType = SERVICETYPE_CONTROLLEDLOAD;
        q.SendingFlowspec.TokenRate = 50000;
        q.SendingFlowspec.PeakBandwidth = 100000;
        q.ReceivingFlowspec.ServiceType = SERVICETYPE_NOTRAFFIC;
        udp_connect(s[i], "10.0.0.2", PORT + i, &q, 0);
    }
    test_world_run(tw, SIM_MSEC);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(enum_events(s[i], ev[i], &ne), FD_QOS);
        assert_int_equal(ne.iErrorCode[FD_QOS_BIT], i < 2 ? 0 : WSA_QOS_ADMISSION_FAILURE);
        assert_int_equal(rsvp_status(s[i], NULL),
                         i < 2 ? WSA_QOS_REQUEST_CONFIRMED : WSA_QOS_ADMISSION_FAILURE);
    }
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_AB), 800000);
    test_close(s[0]);
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_AB), 400000);
    assert_int_equal(rsvp_status(s[2], NULL), WSA_QOS_ADMISSION_FAILURE);
    q = g711(s[2]);
    q.SendingFlowspec.ServiceType = SERVICETYPE_CONTROLLEDLOAD;
    q.SendingFlowspec.TokenRate = 50000;
    q.SendingFlowspec.PeakBandwidth = 100000;
    q.ReceivingFlowspec.ServiceType = SERVICETYPE_NOTRAFFIC;
    assert_int_equal(ioctl_qos(s[2], SIO_SET_QOS, &q, sizeof q, NULL, 0, &ret, &err), 0);
    test_world_run(tw, SIM_MSEC);
    assert_int_equal(enum_events(s[2], ev[2], &ne), FD_QOS);
    assert_int_equal(ne.iErrorCode[FD_QOS_BIT], 0);
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_AB), 800000);
    test_close(s[1]);
    test_close(s[2]);
    for (int i = 0; i < 3; i++)
        wspsim_os_handle_close(tw->world, ev[i]);
    test_world_free(tw);
}

/* ---- Streams: WSPConnect and the condition function ------------------------ */

typedef struct {
    int calls;
    bool saw_qos;
    ULONG saw_rate;
    ULONG new_rate; /* 0: leave it */
} CondLog;

static CondLog cond_log;

static int CALLBACK
cond_fn(LPWSABUF caller_id, LPWSABUF caller_data, LPQOS sqos, LPQOS gqos, LPWSABUF callee_id,
        LPWSABUF callee_data, GROUP *g, DWORD_PTR cb)
{
    (void) caller_id;
    (void) caller_data;
    (void) gqos;
    (void) callee_id;
    (void) callee_data;
    (void) g;
    (void) cb;
    cond_log.calls++;
    cond_log.saw_qos = sqos != NULL;
    if (sqos != NULL) {
        cond_log.saw_rate = sqos->SendingFlowspec.TokenRate;
        if (cond_log.new_rate != 0)
            sqos->SendingFlowspec.TokenRate = cond_log.new_rate;
    }
    return CF_ACCEPT;
}

static void
test_wsp_qos_stream_connect_and_accept(void **state)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKADDR_STORAGE ss;
    SOCKET l, c, a;
    HANDLE ev;
    WSANETWORKEVENTS ne;
    DWORD ret;
    QOS q;
    char out[256];
    int len, err = 0;

    (void) state;
    set_link_rate(tw, 1000000, 0);
    test_world_use(tw, tw->ps);
    l = test_socket(AF_INET, SOCK_STREAM);
    test_bind(l, "0.0.0.0", PORT);
    test_listen(l);
    test_world_use(tw, tw->pc);
    c = test_socket(AF_INET, SOCK_STREAM);
    ev = new_event(tw);
    assert_int_equal(WSPEventSelect(c, ev, FD_QOS | FD_CONNECT, &err), 0);
    q = g711(c);
    q.ReceivingFlowspec.ServiceType = SERVICETYPE_NOTRAFFIC;
    ss = test_sa("10.0.0.2", PORT, &len);
    assert_int_equal(WSPConnect(c, (struct sockaddr *) &ss, len, NULL, NULL, &q, NULL, &err),
                     SOCKET_ERROR);
    assert_int_equal(err, WSAEWOULDBLOCK); /* EventSelect made it non-blocking */
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_AB), 80000);
    test_world_run(tw, SIM_SEC);

    /* The condition function sees the caller's flowspecs and halves the rate. */
    memset(&cond_log, 0, sizeof cond_log);
    cond_log.new_rate = 5000;
    test_world_use(tw, tw->ps);
    a = WSPAccept(l, NULL, NULL, cond_fn, 0, &err);
    assert_true(a != INVALID_SOCKET);
    assert_int_equal(cond_log.calls, 1);
    assert_true(cond_log.saw_qos);
    assert_int_equal(cond_log.saw_rate, 10000);
    /* The accepted socket reads the negotiated QOS from its side. */
    assert_int_equal(ioctl_qos(a, SIO_GET_QOS, NULL, 0, out, sizeof out, &ret, &err), 0);
    memcpy(&q, out, sizeof q);
    assert_int_equal(q.ReceivingFlowspec.TokenRate, 5000);
    assert_int_equal(rsvp_status(a, NULL), WSA_QOS_SENDERS); /* the caller sends, reserved */
    /* The caller was renegotiated: 40 kbit/s now, and FD_QOS says so. */
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_AB), 40000);
    test_world_run(tw, SIM_MSEC);
    test_world_use(tw, tw->pc);
    assert_true((enum_events(c, ev, &ne) & FD_QOS) != 0);
    assert_int_equal(ioctl_qos(c, SIO_GET_QOS, NULL, 0, out, sizeof out, &ret, &err), 0);
    memcpy(&q, out, sizeof q);
    assert_int_equal(q.SendingFlowspec.TokenRate, 5000);
    test_close(c);
    test_world_use(tw, tw->ps);
    test_close(a);
    test_close(l);
    assert_int_equal(sim_qos_link_reserved_bps(tw->world, tw->link, SIM_DIR_AB), 0);
    wspsim_os_handle_close(tw->world, ev);
    test_world_free(tw);
}

/* ---- Issue scenario 1: G711 under a saturating TCP transfer -------------- */

typedef struct {
    TestWorld *tw;
    SOCKET s;
    int count;
    SimTime max_delay;
    bool done;
} VoiceRx;

typedef struct {
    TestWorld *tw;
    SOCKET s;
    int count;
} VoiceTx;

static void
voice_sender(void *data)
{
    VoiceTx *v = data;
    char pkt[160];

    for (int i = 0; i < v->count; i++) {
        SimTime now = sim_world_now(v->tw->world);
        WSABUF b = {sizeof pkt, pkt};
        DWORD sent = 0;
        int err = 0;

        memset(pkt, 0, sizeof pkt);
        memcpy(pkt, &now, sizeof now);
        assert_int_equal(WSPSend(v->s, &b, 1, &sent, 0, NULL, NULL, NULL, &err), 0);
        sim_actor_sleep(v->tw->world, 20 * SIM_MSEC, false);
    }
}

static void
voice_receiver(void *data)
{
    VoiceRx *v = data;

    for (;;) {
        char pkt[200];
        WSABUF b = {sizeof pkt, pkt};
        DWORD got = 0, flags = 0;
        SimTime sent;
        int err = 0;

        if (WSPRecv(v->s, &b, 1, &got, &flags, NULL, NULL, NULL, &err) != 0)
            return;
        memcpy(&sent, pkt, sizeof sent);
        v->count++;
        v->max_delay = MAX(v->max_delay, sim_world_now(v->tw->world) - sent);
    }
}

typedef struct {
    TestWorld *tw;
    SOCKET s;
    SimTime until;
    guint64 bytes;
} Bulk;

/* A datagram flood at about twice the link's rate (the TCP bulk transfer
 * of the issue is scenarios/qos/g711-under-bulk-tcp.wsim). */
static void
bulk_sender(void *data)
{
    Bulk *b = data;
    static char chunk[1400];

    while (sim_world_now(b->tw->world) < b->until) {
        WSABUF w = {sizeof chunk, chunk};
        DWORD sent = 0;
        int err = 0;

        if (WSPSend(b->s, &w, 1, &sent, 0, NULL, NULL, NULL, &err) != 0)
            return;
        b->bytes += sent;
        sim_actor_sleep(b->tw->world, 5 * SIM_MSEC, false);
    }
}

static void
close_quiet(SOCKET s)
{
    int err = 0;

    (void) WSPCloseSocket(s, &err);
}

/* One run: 3 s of G711 (150 packets, 200 IP bytes each) next to a bulk
 * flood over a 1 Mbit/s link with a 100-packet queue; returns the worst
 * one-way delay of the voice packets. */
static SimTime
voice_under_load(bool reserve, int *out_count)
{
    TestWorld *tw = test_world_new(TEST_WORLD_SEED);
    SOCKET c, a, vs, vr;
    VoiceTx tx = {0};
    VoiceRx rx = {0};
    Bulk bs = {0};
    SimTime worst;
    QOS q;

    set_link_rate(tw, 1000000, 100);
    test_world_use(tw, tw->ps);
    a = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(a, "10.0.0.2", 9);
    vr = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(vr, "10.0.0.2", 5004);
    test_world_use(tw, tw->pc);
    vs = test_socket(AF_INET, SOCK_DGRAM);
    test_bind(vs, "10.0.0.1", 5004);
    q = g711(vs);
    q.ReceivingFlowspec.ServiceType = SERVICETYPE_NOTRAFFIC;
    udp_connect(vs, "10.0.0.2", 5004, reserve ? &q : NULL, 0);
    c = test_socket(AF_INET, SOCK_DGRAM);
    udp_connect(c, "10.0.0.2", 9, NULL, 0);
    bs.tw = tw;
    bs.s = c;
    bs.until = sim_world_now(tw->world) + 4 * SIM_SEC;
    tx.tw = rx.tw = tw;
    tx.s = vs;
    rx.s = vr;
    tx.count = 150;
    test_world_spawn(tw, tw->pc, "bulk-tx", bulk_sender, &bs);
    test_world_spawn(tw, tw->ps, "voice-rx", voice_receiver, &rx);
    test_world_run(tw, SIM_SEC); /* the transfer fills the queue first */
    test_world_spawn(tw, tw->pc, "voice-tx", voice_sender, &tx);
    test_world_run(tw, 4 * SIM_SEC);
    worst = rx.max_delay;
    {
        SimLinkStats st;

        sim_link_get_stats(tw->world, tw->link, SIM_DIR_AB, &st);
        assert_true(st.queue_drops > 0); /* the link was saturated */
    }
    *out_count = rx.count;
    test_world_use(tw, tw->pc);
    close_quiet(vs);
    close_quiet(c);
    test_world_use(tw, tw->ps);
    {
        int err = 0;

        (void) WSPCloseSocket(vr, &err); /* the voice receiver still waits in WSPRecv */
    }
    close_quiet(a);
    test_world_run(tw, 10 * SIM_SEC);
    test_world_free(tw);
    return worst;
}

static void
test_wsp_qos_g711_delay_bound_under_load(void **state)
{
    int n_with = 0, n_without = 0;
    SimTime with, without;

    (void) state;
    with = voice_under_load(true, &n_with);
    without = voice_under_load(false, &n_without);
    print_message("g711 worst delay: reserved %" G_GUINT64_FORMAT " us, best effort %" G_GUINT64_FORMAT
                  " us\n",
                  with / SIM_USEC, without / SIM_USEC);
    /* Reserved: 5 ms latency + one 1500-byte packet on the wire (12 ms) +
     * its own 1.6 ms; nothing lost. */
    assert_int_equal(n_with, 150);
    assert_true(with <= 5 * SIM_MSEC + 12 * SIM_MSEC + 1600 * SIM_USEC);
    /* Without: it waits behind the TCP queue (or is dropped with it). */
    assert_true(without > 100 * SIM_MSEC || n_without < 150);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wsp_qos_get_by_name),
        cmocka_unit_test(test_wsp_qos_install_template),
        cmocka_unit_test(test_wsp_qos_set_get_errors),
        cmocka_unit_test(test_wsp_qos_udp_reservation_and_fd_qos),
        cmocka_unit_test(test_wsp_qos_shaping_rate_object),
        cmocka_unit_test(test_wsp_qos_third_reservation_refused),
        cmocka_unit_test(test_wsp_qos_stream_connect_and_accept),
        cmocka_unit_test(test_wsp_qos_g711_delay_bound_under_load),
    };
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return cmocka_run_group_tests_name("wsp-qos", tests, NULL, NULL);
}
