/* SPDX-License-Identifier: MIT
 *
 * wsp-error.c: the one place a core outcome (SimStatus) becomes a Winsock
 * error code, one case per status (libuv's error.c), and the names of WSA
 * codes for call traces.
 */
#include "config.h"

#include "wsp-private.h"

/**
 * wsp_error_from_status:
 * @st: a failure of a transport call; never SIM_OK
 *
 * Returns: the WSA code the application sees.  -Wswitch-enum makes a new
 * SimStatus break the build until it is mapped here.
 */
int
wsp_error_from_status(SimStatus st)
{
    switch (st) {
    case SIM_E_WOULDBLOCK:    return WSAEWOULDBLOCK;
    case SIM_E_INVAL:         return WSAEINVAL;
    case SIM_E_NOMEM:         return WSAENOBUFS;
    case SIM_E_ADDRINUSE:     return WSAEADDRINUSE;
    case SIM_E_ADDRNOTAVAIL:  return WSAEADDRNOTAVAIL;
    case SIM_E_CONNREFUSED:   return WSAECONNREFUSED;
    case SIM_E_CONNRESET:     return WSAECONNRESET;
    case SIM_E_CONNABORTED:   return WSAECONNABORTED;
    case SIM_E_TIMEDOUT:      return WSAETIMEDOUT;
    case SIM_E_NOTCONN:       return WSAENOTCONN;
    case SIM_E_ISCONN:        return WSAEISCONN;
    case SIM_E_ALREADY:       return WSAEALREADY;
    case SIM_E_INPROGRESS:    return WSAEWOULDBLOCK; /* a started connect, non-blocking */
    case SIM_E_MSGSIZE:       return WSAEMSGSIZE;
    case SIM_E_NETUNREACH:    return WSAENETUNREACH;
    case SIM_E_HOSTUNREACH:   return WSAEHOSTUNREACH;
    case SIM_E_NETDOWN:       return WSAENETDOWN;
    case SIM_E_SHUTDOWN:      return WSAESHUTDOWN;
    case SIM_E_NOBUFS:        return WSAENOBUFS;
    case SIM_E_INTERRUPTED:   return WSAEINTR;
    case SIM_E_KILLED:        return WSAENETDOWN;    /* the process is going away */
    case SIM_E_NOTFOUND:      return WSAENOTSOCK;    /* the endpoint is gone */
    case SIM_E_NOTSUP:        return WSAEOPNOTSUPP;
    case SIM_E_ACCES:         return WSAEACCES;
    case SIM_E_NETRESET:      return WSAENETRESET;
    case SIM_E_TTL:           return WSAEHOSTUNREACH; /* ICMP time exceeded */
    case SIM_E_PORTUNREACH:   return WSAECONNRESET;  /* Windows: ICMP port unreachable */
    case SIM_E_ABORTED:       return WSA_OPERATION_ABORTED;
    case SIM_OK:              break;                 /* not an error: caller bug */
    }
    g_assert_not_reached();
}

static const struct {
    int code;
    const char *name;
} error_names[] = {
#define E(x) { x, #x }
    E(WSA_INVALID_HANDLE), E(WSA_NOT_ENOUGH_MEMORY), E(WSA_INVALID_PARAMETER),
    E(WSA_OPERATION_ABORTED), E(WSA_IO_INCOMPLETE), E(WSA_IO_PENDING),
    E(WSAEINTR), E(WSAEBADF), E(WSAEACCES), E(WSAEFAULT), E(WSAEINVAL), E(WSAEMFILE),
    E(WSAEWOULDBLOCK), E(WSAEINPROGRESS), E(WSAEALREADY), E(WSAENOTSOCK),
    E(WSAEDESTADDRREQ), E(WSAEMSGSIZE), E(WSAEPROTOTYPE), E(WSAENOPROTOOPT),
    E(WSAEPROTONOSUPPORT), E(WSAESOCKTNOSUPPORT), E(WSAEOPNOTSUPP), E(WSAEPFNOSUPPORT),
    E(WSAEAFNOSUPPORT), E(WSAEADDRINUSE), E(WSAEADDRNOTAVAIL), E(WSAENETDOWN),
    E(WSAENETUNREACH), E(WSAENETRESET), E(WSAECONNABORTED), E(WSAECONNRESET),
    E(WSAENOBUFS), E(WSAEISCONN), E(WSAENOTCONN), E(WSAESHUTDOWN), E(WSAETOOMANYREFS),
    E(WSAETIMEDOUT), E(WSAECONNREFUSED), E(WSAELOOP), E(WSAENAMETOOLONG), E(WSAEHOSTDOWN),
    E(WSAEHOSTUNREACH), E(WSAENOTEMPTY), E(WSAEPROCLIM), E(WSAEUSERS), E(WSAEDQUOT),
    E(WSAESTALE), E(WSAEREMOTE), E(WSASYSNOTREADY), E(WSAVERNOTSUPPORTED),
    E(WSANOTINITIALISED), E(WSAEDISCON), E(WSAENOMORE), E(WSAECANCELLED),
    E(WSAEINVALIDPROCTABLE), E(WSAEINVALIDPROVIDER), E(WSAEPROVIDERFAILEDINIT),
    E(WSASYSCALLFAILURE), E(WSATRY_AGAIN), E(WSANO_RECOVERY), E(WSANO_DATA),
    E(WSA_QOS_RECEIVERS), E(WSA_QOS_SENDERS), E(WSA_QOS_NO_SENDERS), E(WSA_QOS_NO_RECEIVERS),
    E(WSA_QOS_REQUEST_CONFIRMED), E(WSA_QOS_ADMISSION_FAILURE), E(WSA_QOS_POLICY_FAILURE),
    E(WSA_QOS_BAD_STYLE), E(WSA_QOS_BAD_OBJECT), E(WSA_QOS_TRAFFIC_CTRL_ERROR),
    E(WSA_QOS_GENERIC_ERROR), E(WSA_QOS_ESERVICETYPE), E(WSA_QOS_EFLOWSPEC),
    E(WSA_QOS_EPROVSPECBUF), E(WSA_QOS_EFILTERSTYLE), E(WSA_QOS_EFILTERTYPE),
    E(WSA_QOS_EFILTERCOUNT), E(WSA_QOS_EOBJLENGTH), E(WSA_QOS_EFLOWCOUNT),
    E(WSA_QOS_EUNKNOWNPSOBJ), E(WSA_QOS_EPOLICYOBJ), E(WSA_QOS_EFLOWDESC),
    E(WSA_QOS_EPSFLOWSPEC), E(WSA_QOS_EPSFILTERSPEC), E(WSA_QOS_ESDMODEOBJ),
    E(WSA_QOS_ESHAPERATEOBJ), E(WSA_QOS_RESERVED_PETYPE),
#undef E
};

const char *
wsp_error_name(int code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(error_names); i++)
        if (error_names[i].code == code)
            return error_names[i].name;
    return "WSA?";
}
