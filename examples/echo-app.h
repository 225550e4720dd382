/* SPDX-License-Identifier: MIT
 *
 * echo-app.h: a small echo server and a client that retries, written
 * against the SPI the way a provider client is: WSPStartup once per
 * process, then only the WSPPROC_TABLE.  They run as C actors inside a
 * simulated world (examples/embed-echo.c, tests/test-embed-faults.c).
 */
#ifndef WSPSIM_EXAMPLE_ECHO_APP_H
#define WSPSIM_EXAMPLE_ECHO_APP_H

#include <wspsim/ws2spi.h>

#include "sim/sim.h"

typedef struct {
    SimWorld *world;
    const char *listen_addr; /* "10.0.0.2:7000" */
    DWORD idle_timeout_ms;   /* SO_RCVTIMEO on accepted sockets: drop silent peers */
    /* results */
    int connections;         /* accepted */
    int dropped;             /* ended by an error or the idle time-out */
    guint64 bytes_echoed;
    int last_error;          /* what ended the server (killed at world teardown) */
} EchoServer;

typedef enum {
    ECHO_RUNNING,
    ECHO_DONE,     /* every message came back */
    ECHO_TIMED_OUT, /* the retry budget ran out on time-outs */
    ECHO_FAILED,   /* the retry budget ran out on other errors */
} EchoOutcome;

typedef struct {
    SimWorld *world;
    const char *server_addr; /* "10.0.0.2:7000" */
    int messages;            /* how many to send, each echoed before the next */
    int max_attempts;        /* connection attempts in all (the retry budget) */
    DWORD recv_timeout_ms;   /* SO_RCVTIMEO: a reply slower than this is an error */
    SimTime backoff_ns;      /* pause between attempts */
    /* results */
    EchoOutcome outcome;
    int echoed;              /* messages that came back intact */
    int attempts;            /* connections tried */
    int retried_sends;       /* sends that failed and were retried */
    int last_error;          /* the WSA code of the last failure */
    SimTime finished_ns;
} EchoClient;

/* Actor bodies: @data is the EchoServer / EchoClient. */
void echo_server_main(void *data);
void echo_client_main(void *data);

const char *echo_outcome_name(EchoOutcome outcome);

#endif /* WSPSIM_EXAMPLE_ECHO_APP_H */
