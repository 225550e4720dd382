/* SPDX-License-Identifier: MIT
 *
 * ws2-echo-server.c: a Winsock 2 TCP echo server, written against
 * <wspsim/winsock2.h> exactly as it would be for Windows.  Built with
 *   cc ws2-echo-server.c $(pkg-config --cflags --libs wspsim)
 * it runs on the simulator's default host (doc/ws2.md).
 *
 * Usage: ws2-echo-server [port [clients]]   (default 7777, 1 client)
 * Serves @clients connections one after the other, echoing every byte until
 * the client shuts its side down, then exits.  A failing accept or receive
 * is reported and the server goes on with the next client.
 */
#include <wspsim/winsock2.h>
#include <wspsim/ws2tcpip.h>
#include <wspsim/windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ECHO_SERVER_MAIN
#define ECHO_SERVER_MAIN main
#endif

int ECHO_SERVER_MAIN(int argc, char **argv);

/* Echo one connection until the peer's FIN; the byte count or -1. */
static long
server_echo(SOCKET c)
{
    char buf[512];
    long total = 0;

    for (;;) {
        int n = recv(c, buf, (int) sizeof buf, 0);
        int off = 0;

        if (n == 0)
            return total;
        if (n == SOCKET_ERROR) {
            printf("server: recv failed: %d\n", WSAGetLastError());
            return -1;
        }
        while (off < n) {
            int m = send(c, buf + off, n - off, 0);

            if (m == SOCKET_ERROR) {
                printf("server: send failed: %d\n", WSAGetLastError());
                return -1;
            }
            off += m;
        }
        total += n;
    }
}

int
ECHO_SERVER_MAIN(int argc, char **argv)
{
    const char *port = argc > 1 ? argv[1] : "7777";
    int clients = argc > 2 ? atoi(argv[2]) : 1;
    struct addrinfo hints, *res = NULL;
    WSADATA wsa;
    SOCKET listener;
    int rc, served = 0, failures = 0;

    rc = WSAStartup(MAKEWORD(2, 2), &wsa);
    if (rc != 0) {
        printf("server: WSAStartup failed: %d\n", rc);
        return 1;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_PASSIVE;
    rc = getaddrinfo(NULL, port, &hints, &res);
    if (rc != 0) {
        printf("server: getaddrinfo failed: %d\n", rc);
        WSACleanup();
        return 1;
    }
    listener = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (listener == INVALID_SOCKET) {
        printf("server: socket failed: %d\n", WSAGetLastError());
        freeaddrinfo(res);
        WSACleanup();
        return 1;
    }
    if (bind(listener, res->ai_addr, (int) res->ai_addrlen) == SOCKET_ERROR ||
        listen(listener, SOMAXCONN) == SOCKET_ERROR) {
        printf("server: bind/listen failed: %d\n", WSAGetLastError());
        freeaddrinfo(res);
        closesocket(listener);
        WSACleanup();
        return 1;
    }
    freeaddrinfo(res);
    printf("server: listening on port %s at %lu ms\n", port, (unsigned long) GetTickCount());

    while (served < clients && failures < 10) {
        struct sockaddr_storage peer;
        int peerlen = (int) sizeof peer;
        char text[INET6_ADDRSTRLEN];
        SOCKET c = accept(listener, (struct sockaddr *) &peer, &peerlen);
        long n;

        if (c == INVALID_SOCKET) {
            printf("server: accept failed: %d\n", WSAGetLastError());
            failures++;
            continue;
        }
        if (peer.ss_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *) &peer)->sin_addr, text, sizeof text);
        else
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *) &peer)->sin6_addr, text, sizeof text);
        printf("server: client from %s at %lu ms\n", text, (unsigned long) GetTickCount());
        n = server_echo(c);
        if (n < 0)
            failures++;
        else
            printf("server: echoed %ld bytes, closing at %lu ms\n", n,
                   (unsigned long) GetTickCount());
        shutdown(c, SD_SEND);
        closesocket(c);
        served++;
    }
    closesocket(listener);
    WSACleanup();
    return served == clients ? 0 : 1;
}
