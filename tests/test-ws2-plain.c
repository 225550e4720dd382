/* SPDX-License-Identifier: MIT
 * test-ws2-plain: a Winsock program whose source includes only
 * <wspsim/winsock2.h> and standard C headers, built with the flags a user
 * gets from pkg-config, with no set-up code: it runs on the default host.
 * One thread: the listener completes the handshake of a blocking connect
 * by itself, then accept takes the connection. */
#include <wspsim/winsock2.h>

#include <stdio.h>
#include <string.h>

static int
fail(const char *what)
{
    printf("%s failed: %d\n", what, WSAGetLastError());
    return 1;
}

int
main(void)
{
    WSADATA wsa;
    struct sockaddr_in addr;
    SOCKET l, c, a;
    char buf[32];
    int n;

    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return fail("WSAStartup");
    printf("WSAStartup: version %d.%d, %s\n", LOBYTE(wsa.wVersion), HIBYTE(wsa.wVersion),
           wsa.szDescription);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(5000);
    addr.sin_addr.s_addr = inet_addr("127.0.0.1");
    l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (l == INVALID_SOCKET)
        return fail("socket");
    if (bind(l, (struct sockaddr *) &addr, sizeof addr) == SOCKET_ERROR)
        return fail("bind");
    if (listen(l, 5) == SOCKET_ERROR)
        return fail("listen");
    c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (connect(c, (struct sockaddr *) &addr, sizeof addr) == SOCKET_ERROR)
        return fail("connect");
    a = accept(l, NULL, NULL);
    if (a == INVALID_SOCKET)
        return fail("accept");
    if (send(c, "ping", 4, 0) != 4)
        return fail("send");
    n = recv(a, buf, sizeof buf, 0);
    if (n != 4 || memcmp(buf, "ping", 4) != 0)
        return fail("recv");
    if (send(a, "pong", 4, 0) != 4)
        return fail("send back");
    n = recv(c, buf, sizeof buf, 0);
    if (n != 4 || memcmp(buf, "pong", 4) != 0)
        return fail("recv back");
    printf("ping/pong over %s:%d ok\n", inet_ntoa(addr.sin_addr), ntohs(addr.sin_port));
    closesocket(a);
    closesocket(c);
    closesocket(l);
    if (recv(c, buf, sizeof buf, 0) != SOCKET_ERROR || WSAGetLastError() != WSAENOTSOCK)
        return fail("recv on a closed socket (expected WSAENOTSOCK)");
    WSACleanup();
    if (socket(AF_INET, SOCK_STREAM, 0) != INVALID_SOCKET || WSAGetLastError() != WSANOTINITIALISED)
        return fail("socket after WSACleanup (expected WSANOTINITIALISED)");
    printf("errors ok\n");
    return 0;
}
