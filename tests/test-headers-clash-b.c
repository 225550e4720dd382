/* SPDX-License-Identifier: MIT
 * test-headers-clash, unit B: the Winsock headers come FIRST, then the C
 * library headers that define BSD fd_set, timeval and u_long, under the
 * compiler's default feature set (_DEFAULT_SOURCE with gnu11). */
#include <wspsim/ws2spi.h>
#include <wspsim/ws2tcpip.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "test-headers-clash.h"

void
clash_report_b(ClashReport *out)
{
    memset(out, 0, sizeof(*out));
    out->unit = "B: wspsim first, then stdio/stdlib/string/sys/select/sys/time/unistd";
    out->timeval_size = sizeof(struct timeval);
    out->tv_sec_size = sizeof(((struct timeval *)0)->tv_sec);
    out->u_long_size = sizeof(u_long);
    out->fd_set_size = sizeof(fd_set);
    out->fd_setsize = FD_SETSIZE;
    out->fd_array_offset = offsetof(fd_set, fd_array);
    out->posix_timeval_size = sizeof(wspsim_posix_timeval);
    out->wsabuf_size = sizeof(WSABUF);
    out->proc_table_size = sizeof(WSPPROC_TABLE);
    out->protocol_info_size = sizeof(WSAPROTOCOL_INFOW);
#if defined(_SYS_SOCKET_H) || defined(_NETINET_IN_H) || defined(_ARPA_INET_H)
    out->socket_headers_seen = 1;
#endif
}

unsigned
clash_b_fd_count(const void *set)
{
    return ((const fd_set *)set)->fd_count;
}

uintptr_t
clash_b_fd_get(const void *set, unsigned i)
{
    return ((const fd_set *)set)->fd_array[i];
}
