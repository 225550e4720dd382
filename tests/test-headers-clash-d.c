/* SPDX-License-Identifier: MIT
 * test-headers-clash, unit D: _GNU_SOURCE, GLib (when its include path is
 * given) and the C library first, then the Winsock headers with
 * WSPSIM_FD_SETSIZE choosing the set size, then more system headers. */
#define _GNU_SOURCE

#include <stdlib.h>
#include <sys/types.h>
#include <sys/time.h>
#if defined(__has_include)
#if __has_include(<glib.h>)
#include <glib.h>
#endif
#endif

#define WSPSIM_FD_SETSIZE 128
#include <wspsim/mswsock.h>
#include <wspsim/mstcpip.h>
#include <wspsim/ws2spi.h>

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>

#include "test-headers-clash.h"

void
clash_report_d(ClashReport *out)
{
    memset(out, 0, sizeof(*out));
    out->unit = "D: _GNU_SOURCE, stdlib/sys/time/glib first, WSPSIM_FD_SETSIZE 128";
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
