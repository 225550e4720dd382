/* SPDX-License-Identifier: MIT
 *
 * echo-app.c: an echo server and a retrying echo client over the SPI proc
 * table, for running under faults.  The client sends numbered messages one
 * at a time and waits for each echo; on any failure it closes, pauses and
 * reconnects, until every message came back or its budget of connection
 * attempts is spent.  A WSAENOBUFS send is retried on the same connection
 * (the buffer shortage is transient); SO_RCVTIMEO bounds every wait for a
 * reply.  The server drops a peer that stays silent for its idle time-out,
 * so a crashed client cannot hold it forever.
 */
#include "config.h"

#include <string.h>

#include <wspsim/wspsim-spi.h>

#include "echo-app.h"

const char *
echo_outcome_name(EchoOutcome outcome)
{
    switch (outcome) {
    case ECHO_RUNNING:
        return "running";
    case ECHO_DONE:
        return "done";
    case ECHO_TIMED_OUT:
        return "timed out";
    case ECHO_FAILED:
        return "failed";
    }
    return "?";
}

/* "10.0.0.2:7000" as a Winsock IPv4 address. */
static bool
make_sockaddr(const char *text, SOCKADDR_IN *out)
{
    SimSockAddr sa;

    if (!sim_sockaddr_parse(text, &sa) || sa.addr.family != SIM_AF_INET)
        return false;
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = g_htons(sa.port);
    memcpy(&out->sin_addr, sa.addr.bytes, 4);
    return true;
}

static bool
startup(WSPPROC_TABLE *t)
{
    WSPDATA data;
    return WSPStartup(MAKEWORD(2, 2), &data, NULL, wspsim_default_upcall_table(), t) == 0;
}

static void
set_rcvtimeo(const WSPPROC_TABLE *t, SOCKET s, DWORD ms)
{
    int err;
    t->lpWSPSetSockOpt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *) &ms, sizeof ms, &err);
}

/* Receive exactly @len bytes; FALSE with *@err on error or end of stream. */
static bool
recv_all(const WSPPROC_TABLE *t, SOCKET s, char *buf, DWORD len, int *err)
{
    DWORD got = 0;

    while (got < len) {
        WSABUF b = { len - got, buf + got };
        DWORD n = 0, flags = 0;
        if (t->lpWSPRecv(s, &b, 1, &n, &flags, NULL, NULL, NULL, err) != 0)
            return false;
        if (n == 0) {
            *err = WSAEDISCON; /* the peer closed before the echo was complete */
            return false;
        }
        got += n;
    }
    return true;
}

void
echo_client_main(void *data)
{
    EchoClient *c = data;
    WSPPROC_TABLE t;
    SOCKADDR_IN to;
    int err;

    c->outcome = ECHO_RUNNING;
    if (!startup(&t) || !make_sockaddr(c->server_addr, &to)) {
        c->outcome = ECHO_FAILED;
        return;
    }
    while (c->echoed < c->messages && c->attempts < c->max_attempts) {
        SOCKET s = t.lpWSPSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, 0, &err);

        c->attempts++;
        if (s == INVALID_SOCKET) {
            c->last_error = err;
            break;
        }
        set_rcvtimeo(&t, s, c->recv_timeout_ms);
        if (t.lpWSPConnect(s, (struct sockaddr *) &to, sizeof to, NULL, NULL, NULL, NULL, &err) == 0) {
            while (c->echoed < c->messages) {
                char msg[32], reply[32];
                DWORD len = (DWORD) g_snprintf(msg, sizeof msg, "ping %d\n", c->echoed + 1);
                WSABUF b = { len, msg };
                DWORD sent = 0;

                if (t.lpWSPSend(s, &b, 1, &sent, 0, NULL, NULL, NULL, &err) != 0) {
                    c->last_error = err;
                    if (err == WSAENOBUFS) {
                        c->retried_sends++;
                        continue;
                    }
                    break;
                }
                if (!recv_all(&t, s, reply, len, &err)) {
                    c->last_error = err;
                    break;
                }
                if (memcmp(reply, msg, len) != 0) {
                    c->last_error = 0;
                    c->outcome = ECHO_FAILED; /* wrong bytes: never retried */
                    t.lpWSPCloseSocket(s, &err);
                    return;
                }
                c->echoed++;
            }
        } else {
            c->last_error = err;
        }
        t.lpWSPCloseSocket(s, &err);
        if (c->echoed < c->messages && c->attempts < c->max_attempts &&
            sim_actor_sleep(c->world, c->backoff_ns, false) == SIM_WAIT_KILLED)
            return; /* the host crashed: this process is gone */
    }
    if (c->echoed == c->messages)
        c->outcome = ECHO_DONE;
    else
        c->outcome = c->last_error == WSAETIMEDOUT ? ECHO_TIMED_OUT : ECHO_FAILED;
    c->finished_ns = sim_world_now(c->world);
    t.lpWSPCleanup(&err);
}

void
echo_server_main(void *data)
{
    EchoServer *srv = data;
    WSPPROC_TABLE t;
    SOCKADDR_IN local;
    SOCKET l;
    int err;

    if (!startup(&t) || !make_sockaddr(srv->listen_addr, &local))
        return;
    l = t.lpWSPSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, 0, &err);
    if (l == INVALID_SOCKET ||
        t.lpWSPBind(l, (struct sockaddr *) &local, sizeof local, &err) != 0 ||
        t.lpWSPListen(l, 5, &err) != 0) {
        srv->last_error = err;
        return;
    }
    for (;;) {
        SOCKET a = t.lpWSPAccept(l, NULL, NULL, NULL, 0, &err);

        if (a == INVALID_SOCKET) {
            if (err == WSAECONNRESET)
                continue; /* that peer gave up before we took it */
            srv->last_error = err;
            break;
        }
        srv->connections++;
        set_rcvtimeo(&t, a, srv->idle_timeout_ms);
        for (;;) {
            char buf[512];
            WSABUF b = { sizeof buf, buf };
            DWORD n = 0, flags = 0, sent = 0;

            if (t.lpWSPRecv(a, &b, 1, &n, &flags, NULL, NULL, NULL, &err) != 0) {
                srv->dropped++;
                break;
            }
            if (n == 0)
                break; /* the client closed */
            b.len = n;
            if (t.lpWSPSend(a, &b, 1, &sent, 0, NULL, NULL, NULL, &err) != 0) {
                srv->dropped++;
                break;
            }
            srv->bytes_echoed += sent;
        }
        t.lpWSPCloseSocket(a, &err);
    }
    t.lpWSPCloseSocket(l, &err);
    t.lpWSPCleanup(&err);
}
