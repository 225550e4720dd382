/* SPDX-License-Identifier: MIT
 * test-ws2-api: the application-side Winsock 2 API (ws2/) on the default
 * world: each function reaches its WSP call and hands its error back
 * through WSAGetLastError (WSANOTINITIALISED before WSAStartup,
 * WSAENOTSOCK for a bad handle, the provider's own codes otherwise — the
 * same as calling the provider directly), the Winsock facts of
 * REFERENCE 2.6/2.7 through this layer, per-thread last errors, the Win32
 * subset in simulated time, window messages, getaddrinfo and the inet_*
 * helpers.  Where the provider does not implement a function yet
 * (WSAEOPNOTSUPP), behaviour tests skip and say so. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sim/sim.h"
#include <wspsim/winsock2.h>
#include <wspsim/ws2spi.h>
#include <wspsim/ws2tcpip.h>
#include <wspsim/windows.h>
#include <wspsim/wspsim-ws2.h>

/* Check that @expr returns @failv and leaves @code as the last error. */
#define EXPECT_ERR(expr, failv, code)                                                              \
    do {                                                                                           \
        WSASetLastError(0);                                                                        \
        print_message("  %s\n", #expr);                                                            \
        assert_true((expr) == (failv));                                                            \
        assert_int_equal(WSAGetLastError(), (code));                                               \
    } while (0)

static struct sockaddr_in
addr4(const char *ip, u_short port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
    return a;
}

#define SA(a) ((struct sockaddr *) &(a))

/* A connected TCP pair over 127.0.0.1:@port: listener, client, accepted. */
static void
tcp_pair(u_short port, SOCKET *l, SOCKET *c, SOCKET *a)
{
    struct sockaddr_in sa = addr4("127.0.0.1", port);

    *l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_true(*l != INVALID_SOCKET);
    assert_int_equal(bind(*l, SA(sa), sizeof sa), 0);
    assert_int_equal(listen(*l, 5), 0);
    *c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_true(*c != INVALID_SOCKET);
    assert_int_equal(connect(*c, SA(sa), sizeof sa), 0);
    *a = accept(*l, NULL, NULL);
    assert_true(*a != INVALID_SOCKET);
}

static void
startup(void)
{
    WSADATA wsa;

    assert_int_equal(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
}

/* ---- Start-up ---------------------------------------------------------- */

static void
test_ws2_not_initialised(void **state)
{
    struct sockaddr_in sa = addr4("127.0.0.1", 1);
    SOCKET s = 0x100;
    char buf[4];
    int len = (int) sizeof sa;
    u_long arg = 1;
    fd_set set;
    struct addrinfo *res = NULL;

    (void) state;
    FD_ZERO(&set);
    FD_SET(s, &set);
    EXPECT_ERR(socket(AF_INET, SOCK_STREAM, 0), INVALID_SOCKET, WSANOTINITIALISED);
    EXPECT_ERR(WSASocketW(AF_INET, SOCK_DGRAM, 0, NULL, 0, 0), INVALID_SOCKET, WSANOTINITIALISED);
    EXPECT_ERR(bind(s, SA(sa), sizeof sa), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(listen(s, 1), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(accept(s, NULL, NULL), INVALID_SOCKET, WSANOTINITIALISED);
    EXPECT_ERR(connect(s, SA(sa), sizeof sa), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(send(s, "x", 1, 0), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(recv(s, buf, 1, 0), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(sendto(s, "x", 1, 0, SA(sa), sizeof sa), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(recvfrom(s, buf, 1, 0, SA(sa), &len), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(shutdown(s, SD_BOTH), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(closesocket(s), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(select(0, &set, NULL, NULL, NULL), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(getsockname(s, SA(sa), &len), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(ioctlsocket(s, FIONBIO, &arg), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(WSAEventSelect(s, NULL, 0), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(WSACreateEvent(), WSA_INVALID_EVENT, WSANOTINITIALISED);
    EXPECT_ERR(WSACleanup(), SOCKET_ERROR, WSANOTINITIALISED);
    EXPECT_ERR(getaddrinfo("localhost", "80", NULL, &res), WSANOTINITIALISED, WSANOTINITIALISED);
}

static void
test_ws2_startup_versions(void **state)
{
    WSADATA wsa;

    (void) state;
    assert_int_equal(WSAStartup(MAKEWORD(0, 9), &wsa), WSAVERNOTSUPPORTED);
    assert_int_equal(WSAStartup(MAKEWORD(2, 2), NULL), WSAEFAULT);
    assert_int_equal(WSAStartup(MAKEWORD(1, 1), &wsa), 0);
    assert_int_equal(wsa.wVersion, MAKEWORD(1, 1));
    assert_int_equal(wsa.wHighVersion, MAKEWORD(2, 2));
    assert_int_equal(WSAStartup(MAKEWORD(3, 0), &wsa), 0);
    assert_int_equal(wsa.wVersion, MAKEWORD(2, 2));
    assert_string_equal(wsa.szSystemStatus, "Running");
    /* Two starts, two clean-ups; the third fails. */
    assert_int_equal(WSACleanup(), 0);
    {
        SOCKET s = socket(AF_INET, SOCK_STREAM, 0); /* still started once */
        assert_true(s != INVALID_SOCKET);
        assert_int_equal(closesocket(s), 0);
    }
    assert_int_equal(WSACleanup(), 0);
    EXPECT_ERR(socket(AF_INET, SOCK_STREAM, 0), INVALID_SOCKET, WSANOTINITIALISED);
    EXPECT_ERR(WSACleanup(), SOCKET_ERROR, WSANOTINITIALISED);
}

/* ---- Dispatch and error propagation ---------------------------------------- */

static void
test_ws2_bad_socket(void **state)
{
    const SOCKET bad[] = { 0x1234, INVALID_SOCKET, 0 };
    struct sockaddr_in sa = addr4("127.0.0.1", 1);
    char buf[8];
    int len;
    u_long arg = 0;
    DWORD n = 0, fl = 0;
    WSABUF wb = { 1, buf };
    WSANETWORKEVENTS ne;
    WSAPROTOCOL_INFOW pi;

    (void) state;
    startup();
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        SOCKET s = bad[i];
        fd_set set;

        print_message("handle 0x%lx\n", (unsigned long) s);
        FD_ZERO(&set);
        FD_SET(s, &set);
        len = (int) sizeof sa;
        EXPECT_ERR(bind(s, SA(sa), sizeof sa), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(listen(s, 1), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(accept(s, NULL, NULL), INVALID_SOCKET, WSAENOTSOCK);
        EXPECT_ERR(WSAAccept(s, NULL, NULL, NULL, 0), INVALID_SOCKET, WSAENOTSOCK);
        EXPECT_ERR(connect(s, SA(sa), sizeof sa), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSAConnect(s, SA(sa), sizeof sa, NULL, NULL, NULL, NULL), SOCKET_ERROR,
                   WSAENOTSOCK);
        EXPECT_ERR(send(s, "x", 1, 0), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSASend(s, &wb, 1, &n, 0, NULL, NULL), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(sendto(s, "x", 1, 0, SA(sa), sizeof sa), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSASendTo(s, &wb, 1, &n, 0, SA(sa), sizeof sa, NULL, NULL), SOCKET_ERROR,
                   WSAENOTSOCK);
        EXPECT_ERR(recv(s, buf, 1, 0), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSARecv(s, &wb, 1, &n, &fl, NULL, NULL), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(recvfrom(s, buf, 1, 0, SA(sa), &len), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSARecvFrom(s, &wb, 1, &n, &fl, SA(sa), &len, NULL, NULL), SOCKET_ERROR,
                   WSAENOTSOCK);
        EXPECT_ERR(shutdown(s, SD_SEND), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(closesocket(s), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(getsockname(s, SA(sa), &len), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(getpeername(s, SA(sa), &len), SOCKET_ERROR, WSAENOTSOCK);
        len = (int) sizeof buf;
        EXPECT_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, buf, &len), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, buf, 4), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(ioctlsocket(s, FIONBIO, &arg), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSAIoctl(s, FIONBIO, &arg, 4, NULL, 0, &n, NULL, NULL), SOCKET_ERROR,
                   WSAENOTSOCK);
        EXPECT_ERR(select(0, &set, NULL, NULL, NULL), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSAEventSelect(s, NULL, 0), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSAEnumNetworkEvents(s, NULL, &ne), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSAAsyncSelect(s, NULL, 0, 0), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSAGetOverlappedResult(s, NULL, &n, FALSE, &fl), FALSE, WSAENOTSOCK);
        EXPECT_ERR(WSAJoinLeaf(s, SA(sa), sizeof sa, NULL, NULL, NULL, NULL, JL_BOTH),
                   INVALID_SOCKET, WSAENOTSOCK);
        EXPECT_ERR(WSADuplicateSocketW(s, 1, &pi), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSAGetQOSByName(s, &wb, NULL), FALSE, WSAENOTSOCK);
        EXPECT_ERR(WSASendDisconnect(s, NULL), SOCKET_ERROR, WSAENOTSOCK);
        EXPECT_ERR(WSARecvDisconnect(s, NULL), SOCKET_ERROR, WSAENOTSOCK);
    }
    /* select with no socket at all. */
    EXPECT_ERR(select(0, NULL, NULL, NULL, NULL), SOCKET_ERROR, WSAEINVAL);
    assert_int_equal(WSACleanup(), 0);
}

/* The API call and the provider's own WSP call, with the same arguments,
 * fail the same way (return convention and code). */
static void
test_ws2_same_as_provider(void **state)
{
    SOCKET s, u;
    int err = 0;
    DWORD n = 0, fl = 0;
    WSABUF name = { 4, "none" };
    QOS qos;
    WSAPROTOCOL_INFOW pi;
    struct sockaddr_in sa = addr4("127.0.0.1", 9);
    int len = (int) sizeof sa;
    WSAOVERLAPPED ov;

    (void) state;
    startup();
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_true(s != INVALID_SOCKET);
    u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    assert_true(u != INVALID_SOCKET);
    memset(&ov, 0, sizeof ov);

/* Provider first, then the API; same result, and the provider's error (if
 * it set one) is the API's last error. */
#define SAME(api, wsp)                                                                             \
    do {                                                                                           \
        long long w_, a_;                                                                          \
        int werr_;                                                                                 \
        WSASetLastError(0);                                                                        \
        err = 0;                                                                                   \
        print_message("  %s vs %s\n", #api, #wsp);                                                 \
        w_ = (long long) (wsp);                                                                    \
        werr_ = err;                                                                               \
        a_ = (long long) (api);                                                                    \
        assert_true(a_ == w_);                                                                     \
        if (werr_ != 0)                                                                            \
            assert_int_equal(WSAGetLastError(), werr_);                                            \
    } while (0)

    /* Calls that fail the same way twice in a row. */
    SAME(WSAJoinLeaf(s, SA(sa), sizeof sa, NULL, NULL, NULL, NULL, JL_BOTH),
         WSPJoinLeaf(s, SA(sa), sizeof sa, NULL, NULL, NULL, NULL, JL_BOTH, &err));
    SAME(WSADuplicateSocketW(s, 424242, &pi), WSPDuplicateSocket(s, 424242, &pi, &err));
    SAME(WSAGetQOSByName(s, &name, &qos), WSPGetQOSByName(s, &name, &qos, &err));
    ov.Internal = WSS_OPERATION_IN_PROGRESS;
    SAME(WSAGetOverlappedResult(s, &ov, &n, FALSE, &fl),
         WSPGetOverlappedResult(s, &ov, &n, FALSE, &fl, &err));
    SAME(WSAGetOverlappedResult(s, NULL, &n, FALSE, &fl),
         WSPGetOverlappedResult(s, NULL, &n, FALSE, &fl, &err));
    SAME(listen(u, 1), WSPListen(u, 1, &err));
    SAME(shutdown(s, 7), WSPShutdown(s, 7, &err));
    SAME(getpeername(s, SA(sa), &len), WSPGetPeerName(s, SA(sa), &len, &err));
    SAME(setsockopt(s, SOL_SOCKET, 0x7777, "x", 1),
         WSPSetSockOpt(s, SOL_SOCKET, 0x7777, "x", 1, &err));
    SAME(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP),
         WSPSocket(AF_INET, SOCK_DGRAM, IPPROTO_TCP, NULL, 0, 0, &err));
    SAME(socket(AF_INET, 77, 0), WSPSocket(AF_INET, 77, 0, NULL, 0, 0, &err));
    SAME(socket(1234, SOCK_STREAM, 0), WSPSocket(1234, SOCK_STREAM, 0, NULL, 0, 0, &err));
#undef SAME
    /* WSACancelBlockingCall is gone in Winsock 2 (2.2 negotiated here). */
    EXPECT_ERR(WSACancelBlockingCall(), SOCKET_ERROR, WSAEOPNOTSUPP);
    assert_int_equal(WSACleanup(), 0);
}

static void
test_ws2_tcp_errors(void **state)
{
    struct sockaddr_in sa = addr4("127.0.0.1", 7100), other = addr4("10.9.9.9", 7100);
    struct sockaddr_in closed = addr4("127.0.0.1", 7199);
    SOCKET a, b, u;

    (void) state;
    startup();
    a = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    b = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    assert_int_equal(bind(a, SA(sa), sizeof sa), 0);
    EXPECT_ERR(bind(a, SA(sa), sizeof sa), SOCKET_ERROR, WSAEINVAL);
    EXPECT_ERR(bind(b, SA(sa), sizeof sa), SOCKET_ERROR, WSAEADDRINUSE);
    EXPECT_ERR(bind(b, SA(other), sizeof other), SOCKET_ERROR, WSAEADDRNOTAVAIL);
    EXPECT_ERR(bind(b, SA(sa), 3), SOCKET_ERROR, WSAEFAULT);
    EXPECT_ERR(listen(u, 5), SOCKET_ERROR, WSAEOPNOTSUPP);
    EXPECT_ERR(send(b, "x", 1, 0), SOCKET_ERROR, WSAENOTCONN);
    EXPECT_ERR(connect(b, SA(closed), sizeof closed), SOCKET_ERROR, WSAECONNREFUSED);
    EXPECT_ERR(send(b, "x", -1, 0), SOCKET_ERROR, WSAEFAULT);
    assert_int_equal(closesocket(a), 0);
    assert_int_equal(closesocket(b), 0);
    assert_int_equal(closesocket(u), 0);
    EXPECT_ERR(closesocket(a), SOCKET_ERROR, WSAENOTSOCK);
    assert_int_equal(WSACleanup(), 0);
}

/* ---- Winsock facts through this layer (REFERENCE 2.6, 2.7) ------------------ */

static void
test_ws2_shutdown_facts(void **state)
{
    SOCKET l, c, a;
    char buf[16];
    fd_set rset;
    struct timeval tv = { 0, 0 };
    int n;

    (void) state;
    startup();
    tcp_pair(7200, &l, &c, &a);
    assert_int_equal(send(c, "data", 4, 0), 4);
    assert_int_equal(shutdown(c, SD_SEND), 0);
    EXPECT_ERR(send(c, "more", 4, 0), SOCKET_ERROR, WSAESHUTDOWN);
    Sleep(1); /* let the FIN arrive */
    FD_ZERO(&rset);
    FD_SET(a, &rset);
    n = select(0, &rset, NULL, NULL, &tv);
    if (n == SOCKET_ERROR && WSAGetLastError() == WSAEOPNOTSUPP)
        print_message("  select: provider has no WSPSelect yet (WSAEOPNOTSUPP)\n");
    else {
        assert_int_equal(n, 1); /* readable: data, then the FIN */
        assert_true(FD_ISSET(a, &rset));
    }
    assert_int_equal(recv(a, buf, sizeof buf, 0), 4);
    assert_int_equal(recv(a, buf, sizeof buf, 0), 0); /* graceful close seen */
    /* The other direction still flows (half-close). */
    assert_int_equal(send(a, "back", 4, 0), 4);
    assert_int_equal(recv(c, buf, sizeof buf, 0), 4);
    assert_int_equal(shutdown(a, SD_RECEIVE), 0);
    EXPECT_ERR(recv(a, buf, sizeof buf, 0), SOCKET_ERROR, WSAESHUTDOWN);
    closesocket(a);
    closesocket(c);
    closesocket(l);
    assert_int_equal(WSACleanup(), 0);
}

static void
test_ws2_udp(void **state)
{
    struct sockaddr_in sa = addr4("127.0.0.1", 7300), from;
    SOCKET u;
    char big[100], small[10];
    int len = (int) sizeof from;

    (void) state;
    startup();
    memset(big, 'b', sizeof big);
    u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    assert_int_equal(bind(u, SA(sa), sizeof sa), 0);
    assert_int_equal(sendto(u, "hi", 2, 0, SA(sa), sizeof sa), 2);
    assert_int_equal(recvfrom(u, small, sizeof small, 0, SA(from), &len), 2);
    assert_int_equal(len, (int) sizeof(struct sockaddr_in));
    assert_int_equal(ntohs(from.sin_port), 7300);
    assert_int_equal(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    /* A datagram larger than the buffer: WSAEMSGSIZE, the rest discarded. */
    assert_int_equal(sendto(u, big, (int) sizeof big, 0, SA(sa), sizeof sa), (int) sizeof big);
    EXPECT_ERR(recv(u, small, sizeof small, 0), SOCKET_ERROR, WSAEMSGSIZE);
    assert_int_equal(closesocket(u), 0);
    assert_int_equal(WSACleanup(), 0);
}

static void
test_ws2_nonblocking_and_options(void **state)
{
    SOCKET l, c, a;
    u_long arg = 1;
    char buf[16];
    int type = 0, len = (int) sizeof type;
    struct sockaddr_in name;
    int nlen = (int) sizeof name;

    (void) state;
    startup();
    tcp_pair(7400, &l, &c, &a);
    assert_int_equal(ioctlsocket(a, FIONBIO, &arg), 0);
    EXPECT_ERR(recv(a, buf, sizeof buf, 0), SOCKET_ERROR, WSAEWOULDBLOCK);
    assert_int_equal(send(c, "12345", 5, 0), 5);
    Sleep(1);
    arg = 0;
    assert_int_equal(ioctlsocket(a, FIONREAD, &arg), 0);
    assert_int_equal(arg, 5);
    EXPECT_ERR(ioctlsocket(a, FIONREAD, NULL), SOCKET_ERROR, WSAEFAULT);
    assert_int_equal(getsockopt(a, SOL_SOCKET, SO_TYPE, (char *) &type, &len), 0);
    assert_int_equal(type, SOCK_STREAM);
    assert_int_equal(getpeername(a, SA(name), &nlen), 0);
    assert_int_equal(name.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    nlen = (int) sizeof name;
    assert_int_equal(getsockname(l, SA(name), &nlen), 0);
    assert_int_equal(ntohs(name.sin_port), 7400);
    closesocket(a);
    closesocket(c);
    closesocket(l);
    assert_int_equal(WSACleanup(), 0);
}

/* ---- Notification (as far as the provider supports it) -------------------- */

static void
test_ws2_event_select(void **state)
{
    SOCKET l, c, a;
    WSAEVENT ev;
    WSANETWORKEVENTS ne;
    int rc;

    (void) state;
    startup();
    tcp_pair(7500, &l, &c, &a);
    ev = WSACreateEvent();
    assert_true(ev != WSA_INVALID_EVENT);
    rc = WSAEventSelect(a, ev, FD_READ | FD_CLOSE);
    if (rc == SOCKET_ERROR && WSAGetLastError() == WSAEOPNOTSUPP) {
        print_message("  WSAEventSelect: provider has no WSPEventSelect yet\n");
    } else {
        assert_int_equal(rc, 0);
        assert_int_equal(send(c, "x", 1, 0), 1);
        assert_int_equal(WSAWaitForMultipleEvents(1, &ev, FALSE, 1000, FALSE), WSA_WAIT_EVENT_0);
        assert_int_equal(WSAEnumNetworkEvents(a, ev, &ne), 0);
        assert_true(ne.lNetworkEvents & FD_READ);
        assert_int_equal(ne.iErrorCode[FD_READ_BIT], 0);
    }
    assert_true(WSACloseEvent(ev));
    closesocket(a);
    closesocket(c);
    closesocket(l);
    assert_int_equal(WSACleanup(), 0);
}

static void
test_ws2_async_select_messages(void **state)
{
    HWND w;
    MSG m;
    SOCKET l, c;
    struct sockaddr_in sa = addr4("127.0.0.1", 7600);
    int rc;

    (void) state;
    startup();
    w = wspsim_create_window();
    assert_non_null(w);
    assert_true(PostMessage(w, WM_USER + 1, 7, 8));
    assert_true(PeekMessage(&m, w, 0, 0, PM_NOREMOVE));
    assert_true(GetMessage(&m, NULL, 0, 0));
    assert_int_equal(m.message, WM_USER + 1);
    assert_int_equal(m.wParam, 7);
    assert_int_equal(m.lParam, 8);
    assert_false(PeekMessage(&m, w, 0, 0, PM_REMOVE));

    l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    assert_int_equal(bind(l, SA(sa), sizeof sa), 0);
    assert_int_equal(listen(l, 5), 0);
    rc = WSAAsyncSelect(l, w, WM_USER + 2, FD_ACCEPT);
    if (rc == SOCKET_ERROR && WSAGetLastError() == WSAEOPNOTSUPP) {
        print_message("  WSAAsyncSelect: provider has no WSPAsyncSelect yet\n");
    } else {
        assert_int_equal(rc, 0);
        c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        assert_int_equal(connect(c, SA(sa), sizeof sa), 0);
        assert_true(GetMessage(&m, w, 0, 0));
        assert_int_equal(m.message, WM_USER + 2);
        assert_true((SOCKET) m.wParam == l);
        assert_int_equal(WSAGETSELECTEVENT(m.lParam), FD_ACCEPT);
        assert_int_equal(WSAGETSELECTERROR(m.lParam), 0);
        closesocket(c);
    }
    closesocket(l);
    assert_true(DestroyWindow(w));
    EXPECT_ERR(PostMessage(w, 1, 0, 0), FALSE, ERROR_INVALID_HANDLE);
    assert_int_equal(WSACleanup(), 0);
}

static void
test_ws2_wsa_events(void **state)
{
    WSAEVENT e;

    (void) state;
    startup();
    e = WSACreateEvent();
    assert_true(e != WSA_INVALID_EVENT);
    assert_int_equal(WSAWaitForMultipleEvents(1, &e, FALSE, 0, FALSE), WSA_WAIT_TIMEOUT);
    assert_true(WSASetEvent(e));
    assert_int_equal(WSAWaitForMultipleEvents(1, &e, FALSE, 0, FALSE), WSA_WAIT_EVENT_0);
    assert_int_equal(WSAWaitForMultipleEvents(1, &e, TRUE, 0, FALSE),
                     WSA_WAIT_EVENT_0); /* manual */
    assert_true(WSAResetEvent(e));
    {
        DWORD t0 = GetTickCount();
        assert_int_equal(WSAWaitForMultipleEvents(1, &e, FALSE, 40, FALSE), WSA_WAIT_TIMEOUT);
        assert_int_equal(GetTickCount() - t0, 40);
    }
    assert_true(WSACloseEvent(e));
    EXPECT_ERR(WSASetEvent(e), FALSE, WSA_INVALID_HANDLE);
    EXPECT_ERR(WSACloseEvent(e), FALSE, WSA_INVALID_HANDLE);
    EXPECT_ERR(WSAWaitForMultipleEvents(0, &e, FALSE, 0, FALSE), WSA_WAIT_FAILED,
               WSA_INVALID_PARAMETER);
    EXPECT_ERR(WSAWaitForMultipleEvents(1, &e, FALSE, 0, FALSE), WSA_WAIT_FAILED,
               WSA_INVALID_HANDLE);
    assert_int_equal(WSACleanup(), 0);
}

/* ---- Overlapped I/O: event and completion routine (REFERENCE 2.4) ---------- */

static DWORD routine_bytes, routine_error, routine_runs;

static void CALLBACK
recv_done(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags)
{
    (void) lpOverlapped;
    (void) dwFlags;
    routine_error = dwError;
    routine_bytes = cbTransferred;
    routine_runs++;
}

static void
test_ws2_overlapped(void **state)
{
    SOCKET l, c, a;
    char buf[32];
    WSABUF wb = { sizeof buf, buf };
    WSAOVERLAPPED ov;
    DWORD n = 0, fl = 0;
    int rc;

    (void) state;
    startup();
    tcp_pair(7700, &l, &c, &a); /* socket() makes overlapped sockets */
    memset(&ov, 0, sizeof ov);
    ov.hEvent = WSACreateEvent();
    rc = WSARecv(a, &wb, 1, &n, &fl, &ov, NULL);
    if (rc == SOCKET_ERROR && WSAGetLastError() == WSAEOPNOTSUPP) {
        print_message("  overlapped: provider has no overlapped I/O yet\n");
        goto out;
    }
    assert_int_equal(rc, SOCKET_ERROR);
    assert_int_equal(WSAGetLastError(), WSA_IO_PENDING);
    EXPECT_ERR(WSAGetOverlappedResult(a, &ov, &n, FALSE, &fl), FALSE, WSA_IO_INCOMPLETE);
    assert_int_equal(send(c, "overlap", 7, 0), 7);
    assert_int_equal(WSAWaitForMultipleEvents(1, &ov.hEvent, FALSE, 1000, FALSE), WSA_WAIT_EVENT_0);
    assert_true(WSAGetOverlappedResult(a, &ov, &n, FALSE, &fl));
    assert_int_equal(n, 7);
    assert_memory_equal(buf, "overlap", 7);

    /* A completion routine runs on this thread, in an alertable wait. */
    routine_runs = 0;
    memset(&ov, 0, sizeof ov);
    rc = WSARecv(a, &wb, 1, &n, &fl, &ov, recv_done);
    assert_true(rc == 0 || WSAGetLastError() == WSA_IO_PENDING);
    assert_int_equal(send(c, "routine", 7, 0), 7);
    assert_int_equal(SleepEx(1000, TRUE), WAIT_IO_COMPLETION);
    assert_int_equal(routine_runs, 1);
    assert_int_equal(routine_error, 0);
    assert_int_equal(routine_bytes, 7);
out:
    WSACloseEvent(ov.hEvent);
    closesocket(a);
    closesocket(c);
    closesocket(l);
    assert_int_equal(WSACleanup(), 0);
}

/* ---- Win32 subset ------------------------------------------------------------ */

static DWORD WINAPI
error_thread(LPVOID param)
{
    (void) param;
    WSASetLastError(5678);
    Sleep(5);
    return (DWORD) WSAGetLastError();
}

static void
test_ws2_last_error_per_thread(void **state)
{
    HANDLE th;
    DWORD code = 0;

    (void) state;
    WSASetLastError(1234);
    th = CreateThread(NULL, 0, error_thread, NULL, 0, NULL);
    assert_non_null(th);
    assert_int_equal(WaitForSingleObject(th, INFINITE), WAIT_OBJECT_0);
    assert_true(GetExitCodeThread(th, &code));
    assert_int_equal(code, 5678);
    assert_int_equal(WSAGetLastError(), 1234);
    assert_int_equal(GetLastError(), 1234);
    assert_true(CloseHandle(th));
}

typedef struct {
    HANDLE ev;
    DWORD delay;
} Signaller;

static DWORD WINAPI
signal_thread(LPVOID param)
{
    Signaller *s = param;

    Sleep(s->delay);
    SetEvent(s->ev);
    return 42;
}

static int apc_runs;

static VOID CALLBACK
count_apc(ULONG_PTR data)
{
    apc_runs += (int) data;
}

static void
test_ws2_win32_time_and_waits(void **state)
{
    Signaller sig;
    HANDLE th, both[2];
    DWORD t0, code = 0, tid = 0;

    (void) state;
    assert_true(GetCurrentProcessId() != 0);
    assert_true(GetCurrentThreadId() != 0);
    t0 = GetTickCount();
    Sleep(25);
    assert_int_equal(GetTickCount() - t0, 25);
    assert_true(GetTickCount64() >= 25);

    sig.ev = CreateEvent(NULL, FALSE, FALSE, NULL); /* auto-reset */
    sig.delay = 30;
    t0 = GetTickCount();
    th = CreateThread(NULL, 0, signal_thread, &sig, 0, &tid);
    assert_non_null(th);
    assert_true(tid != 0 && tid != GetCurrentThreadId());
    assert_true(GetExitCodeThread(th, &code));
    assert_int_equal(code, STILL_ACTIVE);
    assert_int_equal(WaitForSingleObject(sig.ev, 10), WAIT_TIMEOUT);
    assert_int_equal(WaitForSingleObject(sig.ev, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(GetTickCount() - t0, 30);
    assert_int_equal(WaitForSingleObject(sig.ev, 0), WAIT_TIMEOUT); /* auto-reset consumed it */
    both[0] = th;
    both[1] = sig.ev;
    assert_true(SetEvent(sig.ev));
    assert_int_equal(WaitForMultipleObjects(2, both, TRUE, 1000), WAIT_OBJECT_0);
    assert_true(GetExitCodeThread(th, &code));
    assert_int_equal(code, 42);
    assert_true(ResetEvent(sig.ev));

    /* No APC for a thread that has ended. */
    EXPECT_ERR(QueueUserAPC(count_apc, th, 1), 0, ERROR_INVALID_HANDLE);
    assert_true(CloseHandle(th));
    assert_true(CloseHandle(sig.ev));
    EXPECT_ERR(CloseHandle(sig.ev), FALSE, ERROR_INVALID_HANDLE);
    EXPECT_ERR(SetEvent(sig.ev), FALSE, ERROR_INVALID_HANDLE);
    EXPECT_ERR(CreateThread(NULL, 0, NULL, NULL, 0, NULL), NULL, ERROR_INVALID_PARAMETER);
}

static DWORD WINAPI
alertable_thread(LPVOID param)
{
    (void) param;
    return SleepEx(10000, TRUE);
}

static void
test_ws2_apc(void **state)
{
    HANDLE th;
    DWORD code = 0, t0 = GetTickCount();

    (void) state;
    apc_runs = 0;
    th = CreateThread(NULL, 0, alertable_thread, NULL, 0, NULL);
    Sleep(5); /* the thread is now in its alertable sleep */
    assert_int_equal(QueueUserAPC(count_apc, th, 3), 1);
    assert_int_equal(WaitForSingleObject(th, INFINITE), WAIT_OBJECT_0);
    assert_int_equal(apc_runs, 3);
    assert_true(GetExitCodeThread(th, &code));
    assert_int_equal(code, WAIT_IO_COMPLETION);
    assert_true(GetTickCount() - t0 < 10000);
    assert_true(CloseHandle(th));
}

/* ---- Names ----------------------------------------------------------------- */

static void
test_ws2_getaddrinfo(void **state)
{
    struct addrinfo hints, *res = NULL;
    struct sockaddr_in *in;
    SimWorld *w;
    SimNodeId peer;
    SimAddr pa = sim_addr_v4(10, 0, 0, 2);

    (void) state;
    startup();
    w = wspsim_ws2_world();
    assert_non_null(w);
    peer = sim_node_lookup(w, "peer");
    if (peer == SIM_ID_NONE) {
        peer = sim_node_add(w, "peer", SIM_NODE_HOST);
        sim_node_add_addr(w, peer, &pa, 24);
    }

    assert_int_equal(getaddrinfo("10.1.2.3", "80", NULL, &res), 0);
    in = (struct sockaddr_in *) res->ai_addr;
    assert_int_equal(res->ai_family, AF_INET);
    assert_int_equal(res->ai_addrlen, sizeof(struct sockaddr_in));
    assert_int_equal(ntohs(in->sin_port), 80);
    assert_int_equal(in->sin_addr.s_addr, inet_addr("10.1.2.3"));
    assert_null(res->ai_next);
    freeaddrinfo(res);

    assert_int_equal(getaddrinfo("localhost", "http", NULL, &res), 0);
    assert_int_equal(res->ai_family, AF_INET6);
    assert_non_null(res->ai_next);
    assert_int_equal(res->ai_next->ai_family, AF_INET);
    in = (struct sockaddr_in *) res->ai_next->ai_addr;
    assert_int_equal(in->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
    assert_int_equal(ntohs(in->sin_port), 80);
    freeaddrinfo(res);

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_CANONNAME;
    assert_int_equal(getaddrinfo("peer", "7", &hints, &res), 0);
    in = (struct sockaddr_in *) res->ai_addr;
    assert_int_equal(in->sin_addr.s_addr, inet_addr("10.0.0.2"));
    assert_int_equal(res->ai_socktype, SOCK_STREAM);
    assert_string_equal(res->ai_canonname, "peer");
    freeaddrinfo(res);

    hints.ai_flags = AI_PASSIVE;
    assert_int_equal(getaddrinfo(NULL, "7000", &hints, &res), 0);
    in = (struct sockaddr_in *) res->ai_addr;
    assert_int_equal(in->sin_addr.s_addr, INADDR_ANY);
    assert_null(res->ai_next);
    freeaddrinfo(res);

    res = (struct addrinfo *) 1;
    EXPECT_ERR(getaddrinfo("no-such-host", "80", NULL, &res), EAI_NONAME, WSAHOST_NOT_FOUND);
    assert_null(res);
    EXPECT_ERR(getaddrinfo(NULL, NULL, NULL, &res), EAI_NONAME, WSAHOST_NOT_FOUND);
    EXPECT_ERR(getaddrinfo("localhost", "no-such-service", NULL, &res), EAI_SERVICE,
               WSATYPE_NOT_FOUND);
    EXPECT_ERR(getaddrinfo("localhost", "99999", NULL, &res), EAI_SERVICE, WSATYPE_NOT_FOUND);
    hints.ai_flags = AI_NUMERICHOST;
    EXPECT_ERR(getaddrinfo("peer", "80", &hints, &res), EAI_NONAME, WSAHOST_NOT_FOUND);
    hints.ai_flags = 0;
    hints.ai_family = 99;
    EXPECT_ERR(getaddrinfo("peer", "80", &hints, &res), EAI_FAMILY, WSAEAFNOSUPPORT);
    hints.ai_family = AF_INET6;
    EXPECT_ERR(getaddrinfo("peer", "80", &hints, &res), EAI_NONAME, WSAHOST_NOT_FOUND);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = 42;
    EXPECT_ERR(getaddrinfo("peer", "80", &hints, &res), EAI_SOCKTYPE, WSAESOCKTNOSUPPORT);
    hints.ai_socktype = 0;
    hints.ai_flags = 0x40000000;
    EXPECT_ERR(getaddrinfo("peer", "80", &hints, &res), EAI_BADFLAGS, WSAEINVAL);
    assert_string_equal(gai_strerror(EAI_NONAME),
                        "The name does not resolve for the supplied parameters.");
    assert_int_equal(WSACleanup(), 0);
}

static void
test_ws2_inet(void **state)
{
    unsigned char b4[4], b6[16];
    char text[INET6_ADDRSTRLEN];
    struct in_addr in;

    (void) state;
    assert_int_equal(htons(0x1234), GUINT16_TO_BE(0x1234));
    assert_int_equal(htonl(0x12345678u), GUINT32_TO_BE(0x12345678u));
    assert_int_equal(ntohs(htons(80)), 80);
    assert_int_equal(ntohl(htonl(0xdeadbeefu)), 0xdeadbeefu);

    assert_int_equal(inet_pton(AF_INET, "192.168.1.20", b4), 1);
    assert_int_equal(b4[0], 192);
    assert_int_equal(b4[3], 20);
    assert_int_equal(inet_pton(AF_INET, "192.168.1", b4), 0);
    assert_int_equal(inet_pton(AF_INET, "1.2.3.256", b4), 0);
    assert_int_equal(inet_pton(AF_INET, "::1", b4), 0);
    assert_int_equal(inet_pton(AF_INET6, "fe80::1", b6), 1);
    assert_int_equal(b6[0], 0xfe);
    assert_int_equal(b6[15], 1);
    EXPECT_ERR(inet_pton(AF_UNIX, "x", b4), -1, WSAEAFNOSUPPORT);

    assert_string_equal(inet_ntop(AF_INET, b4, text, sizeof text), "192.168.1.20");
    assert_string_equal(inet_ntop(AF_INET6, b6, text, sizeof text), "fe80::1");
    EXPECT_ERR(inet_ntop(AF_INET, b4, text, 5), NULL, ERROR_INVALID_PARAMETER);
    EXPECT_ERR(inet_ntop(77, b4, text, sizeof text), NULL, WSAEAFNOSUPPORT);

    assert_int_equal(inet_addr("1.2.3.4"), htonl(0x01020304u));
    assert_int_equal(inet_addr("127.1"), htonl(0x7f000001u));
    assert_int_equal(inet_addr("0x7f.0.0.01"), htonl(0x7f000001u));
    assert_int_equal(inet_addr("10.1.65535"), htonl(0x0a01ffffu));
    assert_int_equal(inet_addr(""), INADDR_NONE);
    assert_int_equal(inet_addr("1.2.3.256"), INADDR_NONE);
    assert_int_equal(inet_addr("1.2.3.4.5"), INADDR_NONE);
    assert_int_equal(inet_addr("a.b.c.d"), INADDR_NONE);
    in.s_addr = htonl(0x0a000001u);
    assert_string_equal(inet_ntoa(in), "10.0.0.1");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ws2_not_initialised),
        cmocka_unit_test(test_ws2_startup_versions),
        cmocka_unit_test(test_ws2_bad_socket),
        cmocka_unit_test(test_ws2_same_as_provider),
        cmocka_unit_test(test_ws2_tcp_errors),
        cmocka_unit_test(test_ws2_shutdown_facts),
        cmocka_unit_test(test_ws2_udp),
        cmocka_unit_test(test_ws2_nonblocking_and_options),
        cmocka_unit_test(test_ws2_event_select),
        cmocka_unit_test(test_ws2_async_select_messages),
        cmocka_unit_test(test_ws2_wsa_events),
        cmocka_unit_test(test_ws2_overlapped),
        cmocka_unit_test(test_ws2_last_error_per_thread),
        cmocka_unit_test(test_ws2_win32_time_and_waits),
        cmocka_unit_test(test_ws2_apc),
        cmocka_unit_test(test_ws2_getaddrinfo),
        cmocka_unit_test(test_ws2_inet),
    };

    return cmocka_run_group_tests_name("ws2-api", tests, NULL, NULL);
}
