/* SPDX-License-Identifier: MIT */
/*
 * wspsim/winsock2.h - the Winsock 2 types, constants and error codes that the
 * SPI (ws2spi.h) and its clients use, with the values and Win64 layouts of
 * spi/REFERENCE.md section 1.  Only declarations: no C library socket header
 * is ever included.
 *
 * Living beside glibc.  Under _DEFAULT_SOURCE, <stdlib.h> and friends pull in
 * <sys/types.h> and <sys/select.h>, which define u_long (64 bits), fd_set (a
 * bitmap), FD_SET & co. and struct timeval (64-bit fields) - all with the
 * wrong layout for Winsock.  This header therefore includes those system
 * headers itself first (so their definitions are always already seen, in
 * whatever order the application includes things) and then maps the Windows
 * names onto private ones with macros:
 *
 *     timeval -> wspsim_timeval      fd_set  -> wspsim_fd_set
 *     u_long  -> wspsim_u_long       (and u_char, u_short, u_int likewise)
 *
 * and redefines FD_SETSIZE, FD_SET, FD_CLR, FD_ZERO, FD_ISSET the Windows
 * way.  Code that includes this header and writes `struct timeval`, `fd_set`
 * or `u_long` gets the Windows layouts.  glibc's own types stay reachable as
 * wspsim_posix_timeval and wspsim_posix_fd_set (e.g. for gettimeofday()).
 *
 * Rules for a translation unit that includes this header:
 *   - do not include <sys/socket.h>, <netinet/in.h>, <arpa/inet.h>,
 *     <netdb.h> or <sys/ioctl.h> in it (checked below when they come first);
 *   - include any other system header that uses struct timeval (e.g.
 *     <sys/timex.h>) before this one; <sys/time.h>, <sys/select.h> and
 *     <sys/resource.h> are already taken care of here;
 *   - to get a different FD_SETSIZE, define it before including anything, or
 *     define WSPSIM_FD_SETSIZE anywhere before this header.
 */
#ifndef WSPSIM_WINSOCK2_H
#define WSPSIM_WINSOCK2_H

#if defined(_SYS_SOCKET_H) || defined(_NETINET_IN_H) || defined(_ARPA_INET_H) || \
    defined(_NETDB_H) || defined(_SYS_IOCTL_H)
#error "wspsim/winsock2.h cannot share a translation unit with the C library's socket headers"
#endif
#if defined(_WINSOCK2API_) || defined(_WINSOCKAPI_)
#error "wspsim/winsock2.h cannot be combined with a real winsock.h/winsock2.h"
#endif

/* A user's FD_SETSIZE, defined before glibc could overwrite it, is saved and
 * restored once the system headers below are in. */
#if defined(FD_SETSIZE) && !defined(_SYS_SELECT_H) && !defined(WSPSIM_FD_SETSIZE)
#define WSPSIM_FD_SETSIZE_SAVED_ 1
#pragma push_macro("FD_SETSIZE")
#undef FD_SETSIZE
#endif

#include <sys/types.h>
#include <sys/time.h>
#include <sys/select.h>
#include <sys/resource.h>

#include <wspsim/wintypes.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Renaming the names glibc already owns ------------------------------ */

/* glibc's own types under names that survive the renaming below. */
typedef struct timeval wspsim_posix_timeval;
typedef fd_set wspsim_posix_fd_set;

#define u_char wspsim_u_char
#define u_short wspsim_u_short
#define u_int wspsim_u_int
#define u_long wspsim_u_long
#define timeval wspsim_timeval
#define fd_set wspsim_fd_set

#undef FD_SET
#undef FD_CLR
#undef FD_ZERO
#undef FD_ISSET

#if defined(WSPSIM_FD_SETSIZE)
#undef FD_SETSIZE
#define FD_SETSIZE WSPSIM_FD_SETSIZE
#elif defined(WSPSIM_FD_SETSIZE_SAVED_)
#undef FD_SETSIZE
#pragma pop_macro("FD_SETSIZE")
#undef WSPSIM_FD_SETSIZE_SAVED_
#elif defined(FD_SETSIZE) && defined(__FD_SETSIZE) && FD_SETSIZE != __FD_SETSIZE
/* Redefined by the application after the C library set it: keep it. */
#else
#undef FD_SETSIZE
#define FD_SETSIZE 64
#endif

/* ---- Base socket types (REFERENCE 0) ------------------------------------ */

typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef uint32_t u_long; /* 32 bits, as on Windows */

typedef UINT_PTR SOCKET;
typedef unsigned int GROUP;
typedef HANDLE WSAEVENT, *LPWSAEVENT;
typedef USHORT ADDRESS_FAMILY;

#define INVALID_SOCKET ((SOCKET)(~0))
#define SOCKET_ERROR (-1)

#define WSAAPI WINAPI

/* ---- Addresses (REFERENCE 1.13; ws2def.h, inaddr.h, in6addr.h) --------- */

typedef struct sockaddr {
    u_short sa_family;
    char sa_data[14];
} SOCKADDR, *PSOCKADDR, *LPSOCKADDR;

typedef struct in_addr {
    union {
        struct {
            u_char s_b1, s_b2, s_b3, s_b4;
        } S_un_b;
        struct {
            u_short s_w1, s_w2;
        } S_un_w;
        u_long S_addr;
    } S_un;
} IN_ADDR, *PIN_ADDR, *LPIN_ADDR;

#define s_addr S_un.S_addr         /* can be used for most TCP/IP code */
#define s_host S_un.S_un_b.s_b2    /* host on imp */
#define s_net S_un.S_un_b.s_b1     /* network */
#define s_imp S_un.S_un_w.s_w2     /* imp */
#define s_impno S_un.S_un_b.s_b4   /* imp number */
#define s_lh S_un.S_un_b.s_b3      /* logical host */

typedef struct sockaddr_in {
    short sin_family;
    u_short sin_port;
    struct in_addr sin_addr;
    char sin_zero[8];
} SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;

#define INADDR_ANY ((u_long)0x00000000)
#define INADDR_LOOPBACK 0x7f000001
#define INADDR_BROADCAST ((u_long)0xffffffff)
#define INADDR_NONE 0xffffffff
#define ADDR_ANY INADDR_ANY

typedef struct in6_addr {
    union {
        u_char Byte[16];
        u_short Word[8];
    } u;
} IN6_ADDR, *PIN6_ADDR, *LPIN6_ADDR;

#define in_addr6 in6_addr
#define _S6_un u
#define _S6_u8 Byte
#define s6_addr _S6_un._S6_u8
#define s6_bytes u.Byte
#define s6_words u.Word

typedef struct {
    union {
        struct {
            ULONG Zone : 28;
            ULONG Level : 4;
        };
        ULONG Value;
    };
} SCOPE_ID, *PSCOPE_ID;

typedef struct sockaddr_in6 {
    short sin6_family;
    u_short sin6_port;
    u_long sin6_flowinfo;
    struct in6_addr sin6_addr;
    union {
        u_long sin6_scope_id;
        SCOPE_ID sin6_scope_struct;
    };
} SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;

#define _SS_MAXSIZE 128
#define _SS_ALIGNSIZE 8
#define _SS_PAD1SIZE (_SS_ALIGNSIZE - 2)
#define _SS_PAD2SIZE (_SS_MAXSIZE - (2 + _SS_PAD1SIZE + _SS_ALIGNSIZE))

typedef struct sockaddr_storage {
    ADDRESS_FAMILY ss_family;
    char __ss_pad1[_SS_PAD1SIZE];
    int64_t __ss_align;
    char __ss_pad2[_SS_PAD2SIZE];
} SOCKADDR_STORAGE, *PSOCKADDR_STORAGE, *LPSOCKADDR_STORAGE;

typedef struct _SOCKET_ADDRESS {
    LPSOCKADDR lpSockaddr;
    INT iSockaddrLength;
} SOCKET_ADDRESS, *PSOCKET_ADDRESS, *LPSOCKET_ADDRESS;

typedef struct _SOCKET_ADDRESS_LIST {
    INT iAddressCount;
    SOCKET_ADDRESS Address[1];
} SOCKET_ADDRESS_LIST, *PSOCKET_ADDRESS_LIST, *LPSOCKET_ADDRESS_LIST;

/* ---- Families, socket types, protocols (REFERENCE 1.5) ------------------ */

#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_NS 6
#define AF_IPX AF_NS
#define AF_NETBIOS 17
#define AF_ATM 22
#define AF_INET6 23
#define AF_IRDA 26
#define AF_BTH 32

#define PF_UNSPEC AF_UNSPEC
#define PF_UNIX AF_UNIX
#define PF_INET AF_INET
#define PF_NS AF_NS
#define PF_IPX AF_IPX
#define PF_NETBIOS AF_NETBIOS
#define PF_ATM AF_ATM
#define PF_INET6 AF_INET6
#define PF_IRDA AF_IRDA
#define PF_BTH AF_BTH

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5

#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_IGMP 2
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_ICMPV6 58
#define IPPROTO_RM 113
#define IPPROTO_PGM 113
#define IPPROTO_RAW 255

/* ---- Protocol catalog entries (REFERENCE 1.5) --------------------------- */

#define MAX_PROTOCOL_CHAIN 7
#define BASE_PROTOCOL 1
#define LAYERED_PROTOCOL 0

typedef struct _WSAPROTOCOLCHAIN {
    int ChainLen; /* 0 = layer, 1 = base protocol, >1 = chain */
    DWORD ChainEntries[MAX_PROTOCOL_CHAIN];
} WSAPROTOCOLCHAIN, *LPWSAPROTOCOLCHAIN;

#define WSAPROTOCOL_LEN 255

typedef struct _WSAPROTOCOL_INFOA {
    DWORD dwServiceFlags1;
    DWORD dwServiceFlags2;
    DWORD dwServiceFlags3;
    DWORD dwServiceFlags4;
    DWORD dwProviderFlags;
    GUID ProviderId;
    DWORD dwCatalogEntryId;
    WSAPROTOCOLCHAIN ProtocolChain;
    int iVersion;
    int iAddressFamily;
    int iMaxSockAddr;
    int iMinSockAddr;
    int iSocketType;
    int iProtocol;
    int iProtocolMaxOffset;
    int iNetworkByteOrder;
    int iSecurityScheme;
    DWORD dwMessageSize;
    DWORD dwProviderReserved;
    CHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOA, *LPWSAPROTOCOL_INFOA;

typedef struct _WSAPROTOCOL_INFOW {
    DWORD dwServiceFlags1;   /* XP1_* */
    DWORD dwServiceFlags2;   /* reserved */
    DWORD dwServiceFlags3;   /* reserved */
    DWORD dwServiceFlags4;   /* reserved */
    DWORD dwProviderFlags;   /* PFL_* */
    GUID ProviderId;
    DWORD dwCatalogEntryId;
    WSAPROTOCOLCHAIN ProtocolChain;
    int iVersion;
    int iAddressFamily;
    int iMaxSockAddr;
    int iMinSockAddr;
    int iSocketType;
    int iProtocol;
    int iProtocolMaxOffset;
    int iNetworkByteOrder;   /* BIGENDIAN or LITTLEENDIAN */
    int iSecurityScheme;
    DWORD dwMessageSize;     /* 0 stream, 1 MTU-dependent, 0xFFFFFFFF unlimited */
    DWORD dwProviderReserved;
    WCHAR szProtocol[WSAPROTOCOL_LEN + 1];
} WSAPROTOCOL_INFOW, *LPWSAPROTOCOL_INFOW;

#define XP1_CONNECTIONLESS 0x00000001
#define XP1_GUARANTEED_DELIVERY 0x00000002
#define XP1_GUARANTEED_ORDER 0x00000004
#define XP1_MESSAGE_ORIENTED 0x00000008
#define XP1_PSEUDO_STREAM 0x00000010
#define XP1_GRACEFUL_CLOSE 0x00000020
#define XP1_EXPEDITED_DATA 0x00000040
#define XP1_CONNECT_DATA 0x00000080
#define XP1_DISCONNECT_DATA 0x00000100
#define XP1_SUPPORT_BROADCAST 0x00000200
#define XP1_SUPPORT_MULTIPOINT 0x00000400
#define XP1_MULTIPOINT_CONTROL_PLANE 0x00000800
#define XP1_MULTIPOINT_DATA_PLANE 0x00001000
#define XP1_QOS_SUPPORTED 0x00002000
#define XP1_INTERRUPT 0x00004000
#define XP1_UNI_SEND 0x00008000
#define XP1_UNI_RECV 0x00010000
#define XP1_IFS_HANDLES 0x00020000
#define XP1_PARTIAL_MESSAGE 0x00040000
#define XP1_SAN_SUPPORT_SDP 0x00080000

#define PFL_MULTIPLE_PROTO_ENTRIES 0x00000001
#define PFL_RECOMMENDED_PROTO_ENTRY 0x00000002
#define PFL_HIDDEN 0x00000004
#define PFL_MATCHES_PROTOCOL_ZERO 0x00000008
#define PFL_NETWORKDIRECT_PROVIDER 0x00000010

#define FROM_PROTOCOL_INFO (-1)
#define BIGENDIAN 0x0000
#define LITTLEENDIAN 0x0001
#define SECURITY_PROTOCOL_NONE 0x0000

/* ---- Buffers, overlapped I/O, callbacks (REFERENCE 1.6) ----------------- */

typedef struct _WSABUF {
    u_long len; /* 32-bit length first */
    char *buf;
} WSABUF, *LPWSABUF;

#define WSAOVERLAPPED OVERLAPPED
typedef struct _OVERLAPPED *LPWSAOVERLAPPED;

typedef void (CALLBACK *LPWSAOVERLAPPED_COMPLETION_ROUTINE)(
    DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED lpOverlapped, DWORD dwFlags);

/* ---- Messages with control data (ws2def.h; WSARecvMsg, WSASendMsg) ----- */

/* The Posix.1g msghdr, Winsock's way: names, gather/scatter buffers, a
 * control-data buffer and flags. */
typedef struct _WSAMSG {
    LPSOCKADDR name;     /* address of the peer (nullable) */
    INT namelen;         /* its size in bytes; receive: set to the size written */
    LPWSABUF lpBuffers;  /* the data */
    ULONG dwBufferCount;
    WSABUF Control;      /* control data (WSACMSGHDR items); receive: len set */
    ULONG dwFlags;       /* WSARecvMsg: MSG_PEEK in; MSG_TRUNC, MSG_CTRUNC... out */
} WSAMSG, *PWSAMSG, *LPWSAMSG;

/* One control-data item, its data following the header at an aligned
 * offset; items are aligned to a SIZE_T. */
typedef struct _WSACMSGHDR {
    SIZE_T cmsg_len; /* header + data, without the trailing padding */
    INT cmsg_level;
    INT cmsg_type;
} WSACMSGHDR, *PWSACMSGHDR, *LPWSACMSGHDR;

#define WSA_CMSG_ALIGN_(n) (((SIZE_T)(n) + sizeof(SIZE_T) - 1) & ~(SIZE_T)(sizeof(SIZE_T) - 1))
#define WSA_CMSG_DATA(cmsg) ((UCHAR *)(cmsg) + WSA_CMSG_ALIGN_(sizeof(WSACMSGHDR)))
#define WSA_CMSG_LEN(length) (WSA_CMSG_ALIGN_(sizeof(WSACMSGHDR)) + (SIZE_T)(length))
#define WSA_CMSG_SPACE(length) WSA_CMSG_ALIGN_(sizeof(WSACMSGHDR) + WSA_CMSG_ALIGN_(length))
#define WSA_CMSG_FIRSTHDR(msg) \
    ((msg)->Control.len >= sizeof(WSACMSGHDR) ? (LPWSACMSGHDR)(void *)(msg)->Control.buf \
                                              : (LPWSACMSGHDR)NULL)
#define WSA_CMSG_NXTHDR(msg, cmsg) \
    ((cmsg) == NULL ? WSA_CMSG_FIRSTHDR(msg) \
     : ((UCHAR *)(cmsg) + WSA_CMSG_ALIGN_((cmsg)->cmsg_len) + sizeof(WSACMSGHDR) > \
        (UCHAR *)(msg)->Control.buf + (msg)->Control.len) \
         ? (LPWSACMSGHDR)NULL \
         : (LPWSACMSGHDR)(void *)((UCHAR *)(cmsg) + WSA_CMSG_ALIGN_((cmsg)->cmsg_len)))

/* ---- QoS (REFERENCE 1.9); FLOWSPEC & co. are in qos.h ------------------- */

#include <wspsim/qos.h>

typedef struct _QualityOfService {
    FLOWSPEC SendingFlowspec;
    FLOWSPEC ReceivingFlowspec;
    WSABUF ProviderSpecific; /* buf NULL, len 0 when there are no objects */
} QOS, *LPQOS;

typedef int (CALLBACK *LPCONDITIONPROC)(
    LPWSABUF lpCallerId, LPWSABUF lpCallerData, LPQOS lpSQOS, LPQOS lpGQOS,
    LPWSABUF lpCalleeId, LPWSABUF lpCalleeData, GROUP *g, DWORD_PTR dwCallbackData);

#define CF_ACCEPT 0x0000
#define CF_REJECT 0x0001
#define CF_DEFER 0x0002

/* ---- Network events (REFERENCE 1.7) ------------------------------------- */

#define FD_READ_BIT 0
#define FD_READ (1 << FD_READ_BIT)
#define FD_WRITE_BIT 1
#define FD_WRITE (1 << FD_WRITE_BIT)
#define FD_OOB_BIT 2
#define FD_OOB (1 << FD_OOB_BIT)
#define FD_ACCEPT_BIT 3
#define FD_ACCEPT (1 << FD_ACCEPT_BIT)
#define FD_CONNECT_BIT 4
#define FD_CONNECT (1 << FD_CONNECT_BIT)
#define FD_CLOSE_BIT 5
#define FD_CLOSE (1 << FD_CLOSE_BIT)
#define FD_QOS_BIT 6
#define FD_QOS (1 << FD_QOS_BIT)
#define FD_GROUP_QOS_BIT 7
#define FD_GROUP_QOS (1 << FD_GROUP_QOS_BIT)
#define FD_ROUTING_INTERFACE_CHANGE_BIT 8
#define FD_ROUTING_INTERFACE_CHANGE (1 << FD_ROUTING_INTERFACE_CHANGE_BIT)
#define FD_ADDRESS_LIST_CHANGE_BIT 9
#define FD_ADDRESS_LIST_CHANGE (1 << FD_ADDRESS_LIST_CHANGE_BIT)
#define FD_MAX_EVENTS 10
#define FD_ALL_EVENTS ((1 << FD_MAX_EVENTS) - 1)

typedef struct _WSANETWORKEVENTS {
    LONG lNetworkEvents;             /* FD_* bits that occurred */
    int iErrorCode[FD_MAX_EVENTS];   /* indexed by FD_*_BIT */
} WSANETWORKEVENTS, *LPWSANETWORKEVENTS;

/* WSPAsyncSelect message: wParam = socket, lParam = MAKELONG(event, error). */
#define WSAMAKESELECTREPLY(event, error) MAKELONG(event, error)
#define WSAGETSELECTEVENT(lParam) LOWORD(lParam)
#define WSAGETSELECTERROR(lParam) HIWORD(lParam)
#define WSAMAKEASYNCREPLY(buflen, error) MAKELONG(buflen, error)
#define WSAGETASYNCBUFLEN(lParam) LOWORD(lParam)
#define WSAGETASYNCERROR(lParam) HIWORD(lParam)

/* ---- Event objects (REFERENCE 1.14) ------------------------------------- */

#define WSA_INVALID_EVENT ((WSAEVENT)NULL)
#define WSA_MAXIMUM_WAIT_EVENTS MAXIMUM_WAIT_OBJECTS
#define WSA_WAIT_FAILED WAIT_FAILED
#define WSA_WAIT_EVENT_0 WAIT_OBJECT_0
#define WSA_WAIT_IO_COMPLETION WAIT_IO_COMPLETION
#define WSA_WAIT_TIMEOUT WAIT_TIMEOUT
#define WSA_INFINITE INFINITE

/* ---- fd_set and timeval, the Winsock way (REFERENCE 1.8) ---------------- */

/* Expands to struct wspsim_fd_set: an unordered array, not a bitmap. */
typedef struct fd_set {
    u_int fd_count;               /* number of valid entries */
    SOCKET fd_array[FD_SETSIZE];  /* no duplicates */
} fd_set, FD_SET, *PFD_SET, *LPFD_SET;

/* Expands to struct wspsim_timeval: two 32-bit longs. */
struct timeval {
    LONG tv_sec;
    LONG tv_usec;
};
typedef struct timeval TIMEVAL, *PTIMEVAL, *LPTIMEVAL;

#ifndef timerisset
#define timerisset(tvp) ((tvp)->tv_sec || (tvp)->tv_usec)
#endif
#ifndef timercmp
#define timercmp(tvp, uvp, cmp) \
    ((tvp)->tv_sec cmp (uvp)->tv_sec || \
     ((tvp)->tv_sec == (uvp)->tv_sec && (tvp)->tv_usec cmp (uvp)->tv_usec))
#endif
#ifndef timerclear
#define timerclear(tvp) ((tvp)->tv_sec = (tvp)->tv_usec = 0)
#endif

/* Implemented by the application-side Winsock layer (ws2/), like Ws2_32.dll;
 * a provider tests membership with the WPUFDIsSet upcall instead. */
int WSAAPI __WSAFDIsSet(SOCKET fd, fd_set *set);

/* FD_SET appends when absent and not full. */
static inline void
wspsim_fd_set_add(SOCKET fd, fd_set *set)
{
    u_int i;

    for (i = 0; i < set->fd_count; i++)
        if (set->fd_array[i] == fd)
            return;
    if (set->fd_count < FD_SETSIZE)
        set->fd_array[set->fd_count++] = fd;
}

/* FD_CLR removes and closes the gap, keeping the order of the others. */
static inline void
wspsim_fd_set_remove(SOCKET fd, fd_set *set)
{
    u_int i;

    for (i = 0; i < set->fd_count; i++) {
        if (set->fd_array[i] == fd) {
            for (; i + 1 < set->fd_count; i++)
                set->fd_array[i] = set->fd_array[i + 1];
            set->fd_count--;
            return;
        }
    }
}

#define FD_ZERO(set) ((void)((set)->fd_count = 0))
#define FD_SET(fd, set) wspsim_fd_set_add((SOCKET)(fd), (set))
#define FD_CLR(fd, set) wspsim_fd_set_remove((SOCKET)(fd), (set))
#define FD_ISSET(fd, set) __WSAFDIsSet((SOCKET)(fd), (set))

/* ---- Groups, join and socket flags (REFERENCE 1.10) --------------------- */

#define SG_UNCONSTRAINED_GROUP 0x01
#define SG_CONSTRAINED_GROUP 0x02

#define JL_SENDER_ONLY 0x01
#define JL_RECEIVER_ONLY 0x02
#define JL_BOTH 0x04

#define WSA_FLAG_OVERLAPPED 0x01
#define WSA_FLAG_MULTIPOINT_C_ROOT 0x02
#define WSA_FLAG_MULTIPOINT_C_LEAF 0x04
#define WSA_FLAG_MULTIPOINT_D_ROOT 0x08
#define WSA_FLAG_MULTIPOINT_D_LEAF 0x10
#define WSA_FLAG_ACCESS_SYSTEM_SECURITY 0x40
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#define WSA_FLAG_REGISTERED_IO 0x100

/* ---- Message flags, shutdown, backlog (REFERENCE 1.11) ------------------ */

#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_WAITALL 0x8
#define MSG_INTERRUPT 0x10
#define MSG_PUSH_IMMEDIATE 0x20
#define MSG_PARTIAL 0x8000
#define MSG_MAXIOVLEN 16
/* Output flags of WSARecvMsg (ws2def.h; outside REFERENCE 1.11). */
#define MSG_TRUNC 0x0100
#define MSG_CTRUNC 0x0200
#define MSG_BCAST 0x0400
#define MSG_MCAST 0x0800

#define SD_RECEIVE 0x00
#define SD_SEND 0x01
#define SD_BOTH 0x02

#define SOMAXCONN 0x7fffffff

/* ---- Socket options (REFERENCE 1.12) ------------------------------------ */

#define SOL_SOCKET 0xffff

#define SO_DEBUG 0x0001
#define SO_ACCEPTCONN 0x0002
#define SO_REUSEADDR 0x0004
#define SO_KEEPALIVE 0x0008
#define SO_DONTROUTE 0x0010
#define SO_BROADCAST 0x0020
#define SO_USELOOPBACK 0x0040
#define SO_LINGER 0x0080
#define SO_OOBINLINE 0x0100
#define SO_DONTLINGER ((int)(~SO_LINGER))
#define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))

#define SO_SNDBUF 0x1001
#define SO_RCVBUF 0x1002
#define SO_SNDLOWAT 0x1003
#define SO_RCVLOWAT 0x1004
#define SO_SNDTIMEO 0x1005
#define SO_RCVTIMEO 0x1006
#define SO_ERROR 0x1007
#define SO_TYPE 0x1008

#define SO_GROUP_ID 0x2001
#define SO_GROUP_PRIORITY 0x2002
#define SO_MAX_MSG_SIZE 0x2003
#define SO_PROTOCOL_INFOA 0x2004
#define SO_PROTOCOL_INFOW 0x2005

#define PVD_CONFIG 0x3001
#define SO_CONDITIONAL_ACCEPT 0x3002

#define TCP_NODELAY 0x0001 /* level IPPROTO_TCP */

typedef struct linger {
    u_short l_onoff;  /* nonzero = linger on close */
    u_short l_linger; /* seconds */
} LINGER, *PLINGER, *LPLINGER;

/* ---- IOCTL codes (REFERENCE 1.13) --------------------------------------- */

#define IOCPARM_MASK 0x7f
#define IOC_VOID 0x20000000
#define IOC_OUT 0x40000000
#define IOC_IN 0x80000000
#define IOC_INOUT (IOC_IN | IOC_OUT)

/* BSD-compatible codes; the size field is taken from the 32-bit u_long. */
#define _IO(x, y) (IOC_VOID | ((x) << 8) | (y))
#define _IOR(x, y, t) (IOC_OUT | (((LONG)sizeof(t) & IOCPARM_MASK) << 16) | ((x) << 8) | (y))
#define _IOW(x, y, t) (IOC_IN | (((LONG)sizeof(t) & IOCPARM_MASK) << 16) | ((x) << 8) | (y))

#define FIONREAD _IOR('f', 127, u_long)
#define FIONBIO _IOW('f', 126, u_long)
#define FIOASYNC _IOW('f', 125, u_long)
#define SIOCATMARK _IOR('s', 7, u_long)

#define IOC_UNIX 0x00000000
#define IOC_WS2 0x08000000
#define IOC_PROTOCOL 0x10000000
#define IOC_VENDOR 0x18000000

#define _WSAIO(x, y) (IOC_VOID | (x) | (y))
#define _WSAIOR(x, y) (IOC_OUT | (x) | (y))
#define _WSAIOW(x, y) (IOC_IN | (x) | (y))
#define _WSAIORW(x, y) (IOC_INOUT | (x) | (y))

#define SIO_ASSOCIATE_HANDLE _WSAIOW(IOC_WS2, 1)
#define SIO_ENABLE_CIRCULAR_QUEUEING _WSAIO(IOC_WS2, 2)
#define SIO_FIND_ROUTE _WSAIOR(IOC_WS2, 3)
#define SIO_FLUSH _WSAIO(IOC_WS2, 4)
#define SIO_GET_BROADCAST_ADDRESS _WSAIOR(IOC_WS2, 5)
#define SIO_GET_EXTENSION_FUNCTION_POINTER _WSAIORW(IOC_WS2, 6)
#define SIO_GET_QOS _WSAIORW(IOC_WS2, 7)
#define SIO_GET_GROUP_QOS _WSAIORW(IOC_WS2, 8)
#define SIO_MULTIPOINT_LOOPBACK _WSAIOW(IOC_WS2, 9)
#define SIO_MULTICAST_SCOPE _WSAIOW(IOC_WS2, 10)
#define SIO_SET_QOS _WSAIOW(IOC_WS2, 11)
#define SIO_SET_GROUP_QOS _WSAIOW(IOC_WS2, 12)
#define SIO_TRANSLATE_HANDLE _WSAIORW(IOC_WS2, 13)
#define SIO_ROUTING_INTERFACE_QUERY _WSAIORW(IOC_WS2, 20)
#define SIO_ROUTING_INTERFACE_CHANGE _WSAIOW(IOC_WS2, 21)
#define SIO_ADDRESS_LIST_QUERY _WSAIOR(IOC_WS2, 22)
#define SIO_ADDRESS_LIST_CHANGE _WSAIO(IOC_WS2, 23)
#define SIO_QUERY_TARGET_PNP_HANDLE _WSAIOR(IOC_WS2, 24)
#define SIO_ADDRESS_LIST_SORT _WSAIORW(IOC_WS2, 25)

/* Companion-interface ids for SIO_ASSOCIATE_HANDLE / SIO_TRANSLATE_HANDLE. */
#define TH_NETDEV 0x00000001
#define TH_TAPI 0x00000002

/* ---- Error codes (REFERENCE 1.14) --------------------------------------- */

#define WSA_IO_PENDING (ERROR_IO_PENDING)
#define WSA_IO_INCOMPLETE (ERROR_IO_INCOMPLETE)
#define WSA_INVALID_HANDLE (ERROR_INVALID_HANDLE)
#define WSA_INVALID_PARAMETER (ERROR_INVALID_PARAMETER)
#define WSA_NOT_ENOUGH_MEMORY (ERROR_NOT_ENOUGH_MEMORY)
#define WSA_OPERATION_ABORTED (ERROR_OPERATION_ABORTED)

#define WSABASEERR 10000
#define WSAEINTR (WSABASEERR + 4)
#define WSAEBADF (WSABASEERR + 9)
#define WSAEACCES (WSABASEERR + 13)
#define WSAEFAULT (WSABASEERR + 14)
#define WSAEINVAL (WSABASEERR + 22)
#define WSAEMFILE (WSABASEERR + 24)
#define WSAEWOULDBLOCK (WSABASEERR + 35)
#define WSAEINPROGRESS (WSABASEERR + 36)
#define WSAEALREADY (WSABASEERR + 37)
#define WSAENOTSOCK (WSABASEERR + 38)
#define WSAEDESTADDRREQ (WSABASEERR + 39)
#define WSAEMSGSIZE (WSABASEERR + 40)
#define WSAEPROTOTYPE (WSABASEERR + 41)
#define WSAENOPROTOOPT (WSABASEERR + 42)
#define WSAEPROTONOSUPPORT (WSABASEERR + 43)
#define WSAESOCKTNOSUPPORT (WSABASEERR + 44)
#define WSAEOPNOTSUPP (WSABASEERR + 45)
#define WSAEPFNOSUPPORT (WSABASEERR + 46)
#define WSAEAFNOSUPPORT (WSABASEERR + 47)
#define WSAEADDRINUSE (WSABASEERR + 48)
#define WSAEADDRNOTAVAIL (WSABASEERR + 49)
#define WSAENETDOWN (WSABASEERR + 50)
#define WSAENETUNREACH (WSABASEERR + 51)
#define WSAENETRESET (WSABASEERR + 52)
#define WSAECONNABORTED (WSABASEERR + 53)
#define WSAECONNRESET (WSABASEERR + 54)
#define WSAENOBUFS (WSABASEERR + 55)
#define WSAEISCONN (WSABASEERR + 56)
#define WSAENOTCONN (WSABASEERR + 57)
#define WSAESHUTDOWN (WSABASEERR + 58)
#define WSAETOOMANYREFS (WSABASEERR + 59)
#define WSAETIMEDOUT (WSABASEERR + 60)
#define WSAECONNREFUSED (WSABASEERR + 61)
#define WSAELOOP (WSABASEERR + 62)
#define WSAENAMETOOLONG (WSABASEERR + 63)
#define WSAEHOSTDOWN (WSABASEERR + 64)
#define WSAEHOSTUNREACH (WSABASEERR + 65)
#define WSAENOTEMPTY (WSABASEERR + 66)
#define WSAEPROCLIM (WSABASEERR + 67)
#define WSAEUSERS (WSABASEERR + 68)
#define WSAEDQUOT (WSABASEERR + 69)
#define WSAESTALE (WSABASEERR + 70)
#define WSAEREMOTE (WSABASEERR + 71)
#define WSASYSNOTREADY (WSABASEERR + 91)
#define WSAVERNOTSUPPORTED (WSABASEERR + 92)
#define WSANOTINITIALISED (WSABASEERR + 93)
#define WSAEDISCON (WSABASEERR + 101)
#define WSAENOMORE (WSABASEERR + 102)
#define WSAECANCELLED (WSABASEERR + 103)
#define WSAEINVALIDPROCTABLE (WSABASEERR + 104)
#define WSAEINVALIDPROVIDER (WSABASEERR + 105)
#define WSAEPROVIDERFAILEDINIT (WSABASEERR + 106)
#define WSASYSCALLFAILURE (WSABASEERR + 107)
#define WSASERVICE_NOT_FOUND (WSABASEERR + 108)
#define WSATYPE_NOT_FOUND (WSABASEERR + 109)
#define WSA_E_NO_MORE (WSABASEERR + 110)
#define WSA_E_CANCELLED (WSABASEERR + 111)
#define WSAEREFUSED (WSABASEERR + 112)

#define WSAHOST_NOT_FOUND (WSABASEERR + 1001)
#define WSATRY_AGAIN (WSABASEERR + 1002)
#define WSANO_RECOVERY (WSABASEERR + 1003)
#define WSANO_DATA (WSABASEERR + 1004)

#define WSA_QOS_RECEIVERS (WSABASEERR + 1005)
#define WSA_QOS_SENDERS (WSABASEERR + 1006)
#define WSA_QOS_NO_SENDERS (WSABASEERR + 1007)
#define WSA_QOS_NO_RECEIVERS (WSABASEERR + 1008)
#define WSA_QOS_REQUEST_CONFIRMED (WSABASEERR + 1009)
#define WSA_QOS_ADMISSION_FAILURE (WSABASEERR + 1010)
#define WSA_QOS_POLICY_FAILURE (WSABASEERR + 1011)
#define WSA_QOS_BAD_STYLE (WSABASEERR + 1012)
#define WSA_QOS_BAD_OBJECT (WSABASEERR + 1013)
#define WSA_QOS_TRAFFIC_CTRL_ERROR (WSABASEERR + 1014)
#define WSA_QOS_GENERIC_ERROR (WSABASEERR + 1015)
#define WSA_QOS_ESERVICETYPE (WSABASEERR + 1016)
#define WSA_QOS_EFLOWSPEC (WSABASEERR + 1017)
#define WSA_QOS_EPROVSPECBUF (WSABASEERR + 1018)
#define WSA_QOS_EFILTERSTYLE (WSABASEERR + 1019)
#define WSA_QOS_EFILTERTYPE (WSABASEERR + 1020)
#define WSA_QOS_EFILTERCOUNT (WSABASEERR + 1021)
#define WSA_QOS_EOBJLENGTH (WSABASEERR + 1022)
#define WSA_QOS_EFLOWCOUNT (WSABASEERR + 1023)
#define WSA_QOS_EUNKNOWNPSOBJ (WSABASEERR + 1024)
#define WSA_QOS_EUNKOWNPSOBJ WSA_QOS_EUNKNOWNPSOBJ /* the documentation's spelling */
#define WSA_QOS_EPOLICYOBJ (WSABASEERR + 1025)
#define WSA_QOS_EFLOWDESC (WSABASEERR + 1026)
#define WSA_QOS_EPSFLOWSPEC (WSABASEERR + 1027)
#define WSA_QOS_EPSFILTERSPEC (WSABASEERR + 1028)
#define WSA_QOS_ESDMODEOBJ (WSABASEERR + 1029)
#define WSA_QOS_ESHAPERATEOBJ (WSABASEERR + 1030)
#define WSA_QOS_RESERVED_PETYPE (WSABASEERR + 1031)

/* ==== Application API (ws2_32) ==========================================
 *
 * The Winsock 2 functions an application calls, implemented by the
 * application-side layer (ws2/, the simulated ws2_32.dll) over the
 * provider's WSPPROC_TABLE.  doc/ws2.md explains the zero set-up default
 * world, the environment variables and the limitations.
 *
 * Names the C library also owns (socket, bind, connect, select, send, recv,
 * htons, inet_pton, getaddrinfo, struct addrinfo ...) are mapped by macros
 * onto wspsim_* symbols, so a Winsock program compiles and links unchanged
 * on Linux without ever reaching glibc's BSD sockets.  Define
 * WSPSIM_NO_API_RENAMES before including this header to keep the short
 * names untouched (then call the wspsim_* names).  glibc's own select()
 * stays reachable as wspsim_posix_select().
 */

/* glibc's select(), declared by <sys/select.h> above, before the rename. */
static inline int
wspsim_posix_select(int nfds, wspsim_posix_fd_set *r, wspsim_posix_fd_set *w,
                    wspsim_posix_fd_set *e, wspsim_posix_timeval *timeout)
{
    return select(nfds, r, w, e, timeout);
}

#ifndef WSPSIM_NO_API_RENAMES
#define socket wspsim_socket
#define bind wspsim_bind
#define listen wspsim_listen
#define accept wspsim_accept
#define connect wspsim_connect
#define send wspsim_send
#define sendto wspsim_sendto
#define recv wspsim_recv
#define recvfrom wspsim_recvfrom
#define select wspsim_select
#define shutdown wspsim_shutdown
#define getsockname wspsim_getsockname
#define getpeername wspsim_getpeername
#define getsockopt wspsim_getsockopt
#define setsockopt wspsim_setsockopt
#undef htons
#undef htonl
#undef ntohs
#undef ntohl
#define htons wspsim_htons
#define htonl wspsim_htonl
#define ntohs wspsim_ntohs
#define ntohl wspsim_ntohl
#define inet_addr wspsim_inet_addr
#define inet_ntoa wspsim_inet_ntoa
#endif

#define WSADESCRIPTION_LEN 256
#define WSASYS_STATUS_LEN 128

/* WSAStartup's answer; member order differs between Win64 and Win32. */
typedef struct WSAData {
    WORD wVersion;
    WORD wHighVersion;
#if UINTPTR_MAX > 0xffffffffu
    unsigned short iMaxSockets;
    unsigned short iMaxUdpDg;
    char *lpVendorInfo;
    char szDescription[WSADESCRIPTION_LEN + 1];
    char szSystemStatus[WSASYS_STATUS_LEN + 1];
#else
    char szDescription[WSADESCRIPTION_LEN + 1];
    char szSystemStatus[WSASYS_STATUS_LEN + 1];
    unsigned short iMaxSockets;
    unsigned short iMaxUdpDg;
    char *lpVendorInfo;
#endif
} WSADATA, *LPWSADATA;

/* Start-up, errors, cancellation. */
int WSAAPI WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData);
int WSAAPI WSACleanup(void);
int WSAAPI WSAGetLastError(void);
void WSAAPI WSASetLastError(int iError);
int WSAAPI WSACancelBlockingCall(void);

/* Sockets. */
SOCKET WSAAPI wspsim_socket(int af, int type, int protocol);
SOCKET WSAAPI WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW lpProtocolInfo,
                         GROUP g, DWORD dwFlags);
#define WSASocket WSASocketW
int WSAAPI wspsim_bind(SOCKET s, const struct sockaddr *name, int namelen);
int WSAAPI wspsim_listen(SOCKET s, int backlog);
SOCKET WSAAPI wspsim_accept(SOCKET s, struct sockaddr *addr, int *addrlen);
SOCKET WSAAPI WSAAccept(SOCKET s, struct sockaddr *addr, LPINT addrlen,
                        LPCONDITIONPROC lpfnCondition, DWORD_PTR dwCallbackData);
int WSAAPI wspsim_connect(SOCKET s, const struct sockaddr *name, int namelen);
int WSAAPI WSAConnect(SOCKET s, const struct sockaddr *name, int namelen, LPWSABUF lpCallerData,
                      LPWSABUF lpCalleeData, LPQOS lpSQOS, LPQOS lpGQOS);
int WSAAPI wspsim_shutdown(SOCKET s, int how);
int WSAAPI closesocket(SOCKET s);
int WSAAPI WSASendDisconnect(SOCKET s, LPWSABUF lpOutboundDisconnectData);
int WSAAPI WSARecvDisconnect(SOCKET s, LPWSABUF lpInboundDisconnectData);
SOCKET WSAAPI WSAJoinLeaf(SOCKET s, const struct sockaddr *name, int namelen,
                          LPWSABUF lpCallerData, LPWSABUF lpCalleeData, LPQOS lpSQOS,
                          LPQOS lpGQOS, DWORD dwFlags);
int WSAAPI WSADuplicateSocketW(SOCKET s, DWORD dwProcessId, LPWSAPROTOCOL_INFOW lpProtocolInfo);
#define WSADuplicateSocket WSADuplicateSocketW

/* Data. */
int WSAAPI wspsim_send(SOCKET s, const char *buf, int len, int flags);
int WSAAPI wspsim_sendto(SOCKET s, const char *buf, int len, int flags, const struct sockaddr *to,
                         int tolen);
int WSAAPI wspsim_recv(SOCKET s, char *buf, int len, int flags);
int WSAAPI wspsim_recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from,
                           int *fromlen);
int WSAAPI WSASend(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesSent, DWORD dwFlags, LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSASendTo(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                     LPDWORD lpNumberOfBytesSent, DWORD dwFlags, const struct sockaddr *lpTo,
                     int iTolen, LPWSAOVERLAPPED lpOverlapped,
                     LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSARecv(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                   LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, LPWSAOVERLAPPED lpOverlapped,
                   LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
int WSAAPI WSARecvFrom(SOCKET s, LPWSABUF lpBuffers, DWORD dwBufferCount,
                       LPDWORD lpNumberOfBytesRecvd, LPDWORD lpFlags, struct sockaddr *lpFrom,
                       LPINT lpFromlen, LPWSAOVERLAPPED lpOverlapped,
                       LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
BOOL WSAAPI WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED lpOverlapped, LPDWORD lpcbTransfer,
                                   BOOL fWait, LPDWORD lpdwFlags);

/* Names and options. */
int WSAAPI wspsim_getsockname(SOCKET s, struct sockaddr *name, int *namelen);
int WSAAPI wspsim_getpeername(SOCKET s, struct sockaddr *name, int *namelen);
int WSAAPI wspsim_getsockopt(SOCKET s, int level, int optname, char *optval, int *optlen);
int WSAAPI wspsim_setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen);
int WSAAPI ioctlsocket(SOCKET s, LONG cmd, u_long *argp);
int WSAAPI WSAIoctl(SOCKET s, DWORD dwIoControlCode, LPVOID lpvInBuffer, DWORD cbInBuffer,
                    LPVOID lpvOutBuffer, DWORD cbOutBuffer, LPDWORD lpcbBytesReturned,
                    LPWSAOVERLAPPED lpOverlapped,
                    LPWSAOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine);
BOOL WSAAPI WSAGetQOSByName(SOCKET s, LPWSABUF lpQOSName, LPQOS lpQOS);

/* Readiness and notification. */
int WSAAPI wspsim_select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
                         const struct timeval *timeout);
int WSAAPI WSAEventSelect(SOCKET s, WSAEVENT hEventObject, LONG lNetworkEvents);
int WSAAPI WSAEnumNetworkEvents(SOCKET s, WSAEVENT hEventObject,
                                LPWSANETWORKEVENTS lpNetworkEvents);
int WSAAPI WSAAsyncSelect(SOCKET s, HWND hWnd, u_int wMsg, LONG lEvent);
WSAEVENT WSAAPI WSACreateEvent(void);
BOOL WSAAPI WSASetEvent(WSAEVENT hEvent);
BOOL WSAAPI WSAResetEvent(WSAEVENT hEvent);
BOOL WSAAPI WSACloseEvent(WSAEVENT hEvent);
DWORD WSAAPI WSAWaitForMultipleEvents(DWORD cEvents, const WSAEVENT *lphEvents, BOOL fWaitAll,
                                      DWORD dwTimeout, BOOL fAlertable);

/* Byte order and IPv4 text (inet_pton/inet_ntop are in ws2tcpip.h). */
u_short WSAAPI wspsim_htons(u_short hostshort);
u_long WSAAPI wspsim_htonl(u_long hostlong);
u_short WSAAPI wspsim_ntohs(u_short netshort);
u_long WSAAPI wspsim_ntohl(u_long netlong);
u_long WSAAPI wspsim_inet_addr(const char *cp);
char *WSAAPI wspsim_inet_ntoa(struct in_addr in);

/* ==== end of Application API (ws2_32) ==================================== */

/* ---- Layout checks (REFERENCE 1.15) ------------------------------------- */

WSPSIM_STATIC_ASSERT(sizeof(u_long) == 4, "u_long is 32 bits");
WSPSIM_STATIC_ASSERT(sizeof(struct timeval) == 8, "timeval is two 32-bit longs");
WSPSIM_STATIC_ASSERT(sizeof(SOCKET) == sizeof(void *), "SOCKET is pointer-sized");
WSPSIM_STATIC_ASSERT(sizeof(WSAPROTOCOL_INFOW) == 628, "WSAPROTOCOL_INFOW size");
WSPSIM_STATIC_ASSERT(sizeof(WSABUF) == (WSPSIM_WIN64 ? 16 : 8), "WSABUF size");
WSPSIM_STATIC_ASSERT(sizeof(QOS) == (WSPSIM_WIN64 ? 80 : 72), "QOS size");
WSPSIM_STATIC_ASSERT(sizeof(WSAMSG) == (WSPSIM_WIN64 ? 56 : 28), "WSAMSG size");
WSPSIM_STATIC_ASSERT(sizeof(WSANETWORKEVENTS) == 44, "WSANETWORKEVENTS size");
WSPSIM_STATIC_ASSERT(sizeof(struct linger) == 4, "linger size");
WSPSIM_STATIC_ASSERT(sizeof(struct sockaddr) == 16, "sockaddr size");
WSPSIM_STATIC_ASSERT(sizeof(struct sockaddr_in) == 16, "sockaddr_in size");
WSPSIM_STATIC_ASSERT(FD_SETSIZE != 64 ||
                         sizeof(fd_set) == (WSPSIM_WIN64 ? 520 : 260),
                     "fd_set size");

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_WINSOCK2_H */
