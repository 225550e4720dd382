/* SPDX-License-Identifier: MIT */
/*
 * wspsim/ws2tcpip.h - TCP/IP specifics of Winsock 2 (ws2tcpip.h and
 * ws2ipdef.h on Windows): IPPROTO_IP / IPPROTO_IPV6 level options, the
 * multicast membership requests used by multipoint mapping, and
 * SIO_GET_INTERFACE_LIST (spi/REFERENCE.md 1.13).  sockaddr_in6 and
 * in6_addr live in winsock2.h so that they are reachable from there too.
 */
#ifndef WSPSIM_WS2TCPIP_H
#define WSPSIM_WS2TCPIP_H

#include <wspsim/winsock2.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Options at level IPPROTO_IP ---------------------------------------- */

#define IP_OPTIONS 1
#define IP_HDRINCL 2
#define IP_TOS 3
#define IP_TTL 4
#define IP_MULTICAST_IF 9
#define IP_MULTICAST_TTL 10
#define IP_MULTICAST_LOOP 11
#define IP_ADD_MEMBERSHIP 12
#define IP_DROP_MEMBERSHIP 13
#define IP_DONTFRAGMENT 14
#define IP_PKTINFO 19

/* ---- Options at level IPPROTO_IPV6 -------------------------------------- */

#define IPV6_HOPOPTS 1
#define IPV6_HDRINCL 2
#define IPV6_UNICAST_HOPS 4
#define IPV6_MULTICAST_IF 9
#define IPV6_MULTICAST_HOPS 10
#define IPV6_MULTICAST_LOOP 11
#define IPV6_ADD_MEMBERSHIP 12
#define IPV6_JOIN_GROUP IPV6_ADD_MEMBERSHIP
#define IPV6_DROP_MEMBERSHIP 13
#define IPV6_LEAVE_GROUP IPV6_DROP_MEMBERSHIP
#define IPV6_PKTINFO 19
#define IPV6_V6ONLY 27

/* ---- Multicast membership requests -------------------------------------- */

typedef struct ip_mreq {
    struct in_addr imr_multiaddr; /* group */
    struct in_addr imr_interface; /* local interface, INADDR_ANY = default */
} IP_MREQ, *PIP_MREQ;

typedef struct ipv6_mreq {
    struct in6_addr ipv6mr_multiaddr;
    unsigned int ipv6mr_interface; /* interface index, 0 = default */
} IPV6_MREQ, *PIPV6_MREQ;

/* ---- Address strings ---------------------------------------------------- */

#define INET_ADDRSTRLEN 22
#define INET6_ADDRSTRLEN 65

/* ---- SIO_GET_INTERFACE_LIST (REFERENCE 1.13) ---------------------------- */

struct sockaddr_in6_old {
    short sin6_family;
    u_short sin6_port;
    u_long sin6_flowinfo;
    struct in6_addr sin6_addr;
};

typedef union sockaddr_gen {
    struct sockaddr Address;
    struct sockaddr_in AddressIn;
    struct sockaddr_in6_old AddressIn6;
} sockaddr_gen;

typedef struct _INTERFACE_INFO {
    u_long iiFlags; /* IFF_* */
    sockaddr_gen iiAddress;
    sockaddr_gen iiBroadcastAddress;
    sockaddr_gen iiNetmask;
} INTERFACE_INFO, *LPINTERFACE_INFO;

#define IFF_UP 0x00000001
#define IFF_BROADCAST 0x00000002
#define IFF_LOOPBACK 0x00000004
#define IFF_POINTTOPOINT 0x00000008
#define IFF_MULTICAST 0x00000010

#define SIO_GET_INTERFACE_LIST _IOR('t', 127, u_long)

/* ==== Application API (ws2_32): names and address text ====================
 *
 * Implemented by ws2/ (doc/ws2.md).  getaddrinfo resolves numeric hosts,
 * "localhost" (the loopbacks) and the names of the simulated hosts; the
 * struct has the Windows member order (ai_canonname before ai_addr).  As in
 * winsock2.h, names glibc owns are mapped onto wspsim_* symbols.
 */
#ifndef WSPSIM_NO_API_RENAMES
#define addrinfo wspsim_addrinfo
#define getaddrinfo wspsim_getaddrinfo
#define freeaddrinfo wspsim_freeaddrinfo
#define gai_strerror wspsim_gai_strerror
#define inet_pton wspsim_inet_pton
#define inet_ntop wspsim_inet_ntop
#endif

typedef struct addrinfo {
    int ai_flags;       /* AI_* */
    int ai_family;      /* AF_* */
    int ai_socktype;    /* SOCK_* */
    int ai_protocol;    /* IPPROTO_* */
    size_t ai_addrlen;
    char *ai_canonname;
    struct sockaddr *ai_addr;
    struct addrinfo *ai_next;
} ADDRINFOA, *PADDRINFOA;

#define AI_PASSIVE 0x00000001
#define AI_CANONNAME 0x00000002
#define AI_NUMERICHOST 0x00000004
#define AI_NUMERICSERV 0x00000008
#define AI_ALL 0x00000100
#define AI_ADDRCONFIG 0x00000400
#define AI_V4MAPPED 0x00000800

/* getaddrinfo results: the Winsock codes, as Windows defines them. */
#define EAI_AGAIN WSATRY_AGAIN
#define EAI_BADFLAGS WSAEINVAL
#define EAI_FAIL WSANO_RECOVERY
#define EAI_FAMILY WSAEAFNOSUPPORT
#define EAI_MEMORY WSA_NOT_ENOUGH_MEMORY
#define EAI_NONAME WSAHOST_NOT_FOUND
#define EAI_NODATA EAI_NONAME
#define EAI_SERVICE WSATYPE_NOT_FOUND
#define EAI_SOCKTYPE WSAESOCKTNOSUPPORT

INT WSAAPI wspsim_getaddrinfo(PCSTR pNodeName, PCSTR pServiceName, const ADDRINFOA *pHints,
                              PADDRINFOA *ppResult);
VOID WSAAPI wspsim_freeaddrinfo(PADDRINFOA pAddrInfo);
const char *WSAAPI wspsim_gai_strerror(int ecode);
INT WSAAPI wspsim_inet_pton(INT Family, PCSTR pszAddrString, PVOID pAddrBuf);
PCSTR WSAAPI wspsim_inet_ntop(INT Family, const VOID *pAddr, PSTR pStringBuf, size_t StringBufSize);

/* ==== end of Application API (ws2_32) ==================================== */

WSPSIM_STATIC_ASSERT(sizeof(struct sockaddr_in6) == 28, "sockaddr_in6 size");
WSPSIM_STATIC_ASSERT(sizeof(struct sockaddr_storage) == 128, "sockaddr_storage size");

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_WS2TCPIP_H */
