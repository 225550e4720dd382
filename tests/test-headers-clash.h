/* SPDX-License-Identifier: MIT
 * test-headers-clash.h: what each translation unit of test-headers-clash
 * reports about the Winsock types it sees.  Only plain C types appear here,
 * so that every unit can include it whatever it included before. */
#ifndef TEST_HEADERS_CLASH_H
#define TEST_HEADERS_CLASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *unit;          /* include order and feature macros used */
    size_t timeval_size;       /* sizeof(struct timeval): 8 */
    size_t tv_sec_size;        /* 4 */
    size_t u_long_size;        /* 4 */
    size_t fd_set_size;        /* 8 + FD_SETSIZE * 8 on 64-bit */
    size_t fd_setsize;         /* FD_SETSIZE as the unit sees it */
    size_t fd_array_offset;    /* 8 on 64-bit */
    size_t posix_timeval_size; /* glibc's, reachable as wspsim_posix_timeval */
    size_t wsabuf_size;
    size_t proc_table_size;
    size_t protocol_info_size;
    int socket_headers_seen;   /* nonzero if a C library socket header got in */
} ClashReport;

void clash_report_b(ClashReport *out);
void clash_report_c(ClashReport *out);
void clash_report_d(ClashReport *out);

/* Cross-unit use of one Winsock fd_set: unit B reads what unit A built. */
unsigned clash_b_fd_count(const void *set);
uintptr_t clash_b_fd_get(const void *set, unsigned i);

#endif /* TEST_HEADERS_CLASH_H */
