/* SPDX-License-Identifier: MIT
 * test-headers-clash, unit C: strict POSIX (no _DEFAULT_SOURCE, so glibc
 * defines no u_long and <sys/time.h> does not pull in <sys/select.h>), an
 * application FD_SETSIZE defined before anything else, and qos.h included
 * first (it must bring QOS in through winsock2.h). */
#define _POSIX_C_SOURCE 200809L
#define FD_SETSIZE 16

#include <wspsim/qos.h>

#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

#include "test-headers-clash.h"

void
clash_report_c(ClashReport *out)
{
    QOS qos;

    memset(&qos, 0, sizeof(qos));
    memset(out, 0, sizeof(*out));
    out->unit = "C: _POSIX_C_SOURCE, FD_SETSIZE 16 first, qos.h first";
    out->timeval_size = sizeof(struct timeval);
    out->tv_sec_size = sizeof(((struct timeval *)0)->tv_sec);
    out->u_long_size = sizeof(u_long);
    out->fd_set_size = sizeof(fd_set);
    out->fd_setsize = FD_SETSIZE;
    out->fd_array_offset = offsetof(fd_set, fd_array);
    out->posix_timeval_size = sizeof(wspsim_posix_timeval);
    out->wsabuf_size = sizeof(qos.ProviderSpecific);
    out->proc_table_size = 0; /* ws2spi.h not included here */
    out->protocol_info_size = sizeof(WSAPROTOCOL_INFOW);
#if defined(_SYS_SOCKET_H) || defined(_NETINET_IN_H) || defined(_ARPA_INET_H)
    out->socket_headers_seen = 1;
#endif
}
