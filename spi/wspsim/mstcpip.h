/* SPDX-License-Identifier: MIT */
/*
 * wspsim/mstcpip.h - Microsoft TCP/IP vendor ioctls (IOC_VENDOR): per-socket
 * keep-alive settings, promiscuous receive and UDP connection-reset
 * reporting.  See spi/REFERENCE.md 1.13.
 */
#ifndef WSPSIM_MSTCPIP_H
#define WSPSIM_MSTCPIP_H

#include <wspsim/winsock2.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Input of SIO_KEEPALIVE_VALS. */
struct tcp_keepalive {
    u_long onoff;             /* 0 = disable, nonzero = enable */
    u_long keepalivetime;     /* ms of idle time before the first probe */
    u_long keepaliveinterval; /* ms between unanswered probes */
};

#define SIO_RCVALL _WSAIOW(IOC_VENDOR, 1)
#define SIO_KEEPALIVE_VALS _WSAIOW(IOC_VENDOR, 4)
#define SIO_UDP_CONNRESET _WSAIOW(IOC_VENDOR, 12)

WSPSIM_STATIC_ASSERT(sizeof(struct tcp_keepalive) == 12, "tcp_keepalive size");

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_MSTCPIP_H */
