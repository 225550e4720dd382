/* SPDX-License-Identifier: MIT
 * wsp-fault-private.h: the provider-fault module's internals shared with
 * its generated error table and wsp-startup.c. */
#ifndef WSP_FAULT_PRIVATE_H
#define WSP_FAULT_PRIVATE_H

#include "wsp-private.h"
#include "wspsim/wspsim-fault.h"

G_BEGIN_DECLS

#define WSP_FAULT_MAX_CODES 24

typedef struct {
    const char *function;
    int codes[WSP_FAULT_MAX_CODES]; /* 0-terminated */
} WspFaultErrors;

extern const WspFaultErrors wsp_fault_documented_errors[];
extern const size_t wsp_fault_documented_errors_count;

/* Replace every slot of @table (already filled by the provider) with a
 * wrapper that applies the fault rules before calling the real function. */
void wsp_fault_wrap_proc_table(LPWSPPROC_TABLE table);
/* TRUE if Windows documents @code for @function. */
bool wsp_fault_code_documented(const char *function, int code);

G_END_DECLS

#endif /* WSP_FAULT_PRIVATE_H */
