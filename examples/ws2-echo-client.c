/* SPDX-License-Identifier: MIT
 *
 * ws2-echo-client.c: a Winsock 2 TCP echo client, written against
 * <wspsim/winsock2.h> exactly as it would be for Windows.  Built with
 *   cc ws2-echo-client.c $(pkg-config --cflags --libs wspsim)
 * it runs on the simulator's default host (doc/ws2.md).
 *
 * Usage: ws2-echo-client [host [port [messages]]]
 *        (default 127.0.0.1, 7777, 3 messages)
 * Resolves @host (numeric, "localhost" or a simulated host's name), tries
 * each address, and retries the whole connect with a growing pause when
 * none answers (up to 8 attempts), so it may start before its server.  It
 * sends each message, reads the echo back, half-closes and waits for the
 * server's close.  Exit status 0 when every echo matched.
 */
#include <wspsim/winsock2.h>
#include <wspsim/ws2tcpip.h>
#include <wspsim/windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ECHO_CLIENT_MAIN
#define ECHO_CLIENT_MAIN main
#endif

#define CLIENT_ATTEMPTS 8

int ECHO_CLIENT_MAIN(int argc, char **argv);

/* One connect attempt over every address of @host; INVALID_SOCKET if none
 * answered. */
static SOCKET
client_connect(const char *host, const char *port)
{
    struct addrinfo hints, *res = NULL, *ai;
    SOCKET s = INVALID_SOCKET;
    int rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        printf("client: getaddrinfo(%s) failed: %d\n", host, rc);
        return INVALID_SOCKET;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        s = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (s == INVALID_SOCKET)
            continue;
        if (connect(s, ai->ai_addr, (int) ai->ai_addrlen) == 0)
            break;
        printf("client: connect (%s) failed: %d\n", ai->ai_family == AF_INET6 ? "IPv6" : "IPv4",
               WSAGetLastError());
        closesocket(s);
        s = INVALID_SOCKET;
    }
    freeaddrinfo(res);
    return s;
}

/* Receive exactly @len bytes; FALSE on error or early close. */
static int
client_recv_all(SOCKET s, char *buf, int len)
{
    int got = 0;

    while (got < len) {
        int n = recv(s, buf + got, len - got, 0);

        if (n == SOCKET_ERROR) {
            printf("client: recv failed: %d\n", WSAGetLastError());
            return 0;
        }
        if (n == 0) {
            printf("client: server closed early\n");
            return 0;
        }
        got += n;
    }
    return 1;
}

int
ECHO_CLIENT_MAIN(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    const char *port = argc > 2 ? argv[2] : "7777";
    int messages = argc > 3 ? atoi(argv[3]) : 3;
    WSADATA wsa;
    SOCKET s = INVALID_SOCKET;
    int rc, ok = 1;
    char tail[16];

    rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        printf("client: WSAStartup failed: %d\n", rc);
        return 1;
    }
    for (int attempt = 1; attempt <= CLIENT_ATTEMPTS && s == INVALID_SOCKET; attempt++) {
        s = client_connect(host, port);
        if (s == INVALID_SOCKET) {
            printf("client: attempt %d failed, retrying in %d ms\n", attempt, 100 * attempt);
            Sleep(100 * (DWORD) attempt);
        }
    }
    if (s == INVALID_SOCKET) {
        printf("client: giving up\n");
        WSACleanup();
        return 1;
    }
    printf("client: connected at %lu ms\n", (unsigned long) GetTickCount());
    for (int i = 0; i < messages && ok; i++) {
        char msg[64], echo[64];
        int len = snprintf(msg, sizeof msg, "hello %d from the client", i);

        if (send(s, msg, len, 0) != len) {
            printf("client: send failed: %d\n", WSAGetLastError());
            ok = 0;
            break;
        }
        ok = client_recv_all(s, echo, len);
        if (ok && memcmp(msg, echo, (size_t) len) != 0) {
            printf("client: echo mismatch\n");
            ok = 0;
        }
        if (ok)
            printf("client: echo %d ok at %lu ms: %.*s\n", i, (unsigned long) GetTickCount(), len,
                   echo);
    }
    shutdown(s, SD_SEND);
    rc = recv(s, tail, (int) sizeof tail, 0);
    if (rc != 0) {
        printf("client: expected the server's close, got %d (error %d)\n", rc,
               rc == SOCKET_ERROR ? WSAGetLastError() : 0);
        ok = 0;
    } else {
        printf("client: server closed at %lu ms\n", (unsigned long) GetTickCount());
    }
    closesocket(s);
    WSACleanup();
    return ok ? 0 : 1;
}
