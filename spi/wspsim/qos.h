/* SPDX-License-Identifier: MIT */
/*
 * wspsim/qos.h - Winsock 2 quality of service: FLOWSPEC, service types and
 * the provider-specific QoS objects (qos.h and qossp.h on Windows).
 * See spi/REFERENCE.md section 1.9.
 *
 * As on Windows, the QOS structure itself (two FLOWSPECs and a WSABUF) lives
 * in winsock2.h, which includes this file; this file in turn pulls in
 * winsock2.h at its end, so including either one gives both.
 */
#ifndef WSPSIM_QOS_H
#define WSPSIM_QOS_H

#include <wspsim/wintypes.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Service types (REFERENCE 1.9) -------------------------------------- */

typedef ULONG SERVICETYPE;

#define SERVICETYPE_NOTRAFFIC 0x00000000
#define SERVICETYPE_BESTEFFORT 0x00000001
#define SERVICETYPE_CONTROLLEDLOAD 0x00000002
#define SERVICETYPE_GUARANTEED 0x00000003
#define SERVICETYPE_NETWORK_UNAVAILABLE 0x00000004
#define SERVICETYPE_GENERAL_INFORMATION 0x00000005
#define SERVICETYPE_NOCHANGE 0x00000006
#define SERVICETYPE_NONCONFORMING 0x00000009
#define SERVICETYPE_NETWORK_CONTROL 0x0000000A
#define SERVICETYPE_QUALITATIVE 0x0000000D

#define SERVICE_BESTEFFORT 0x80010000
#define SERVICE_CONTROLLEDLOAD 0x80020000
#define SERVICE_GUARANTEED 0x80040000
#define SERVICE_QUALITATIVE 0x80200000

/* Flags that may be or-ed into a service type. */
#define SERVICE_NO_TRAFFIC_CONTROL 0x81000000
#define SERVICE_NO_QOS_SIGNALING 0x40000000

/* ---- FLOWSPEC (REFERENCE 1.9) ------------------------------------------- */

typedef struct _flowspec {
    ULONG TokenRate;          /* bytes/s */
    ULONG TokenBucketSize;    /* bytes */
    ULONG PeakBandwidth;      /* bytes/s */
    ULONG Latency;            /* microseconds */
    ULONG DelayVariation;     /* microseconds */
    SERVICETYPE ServiceType;
    ULONG MaxSduSize;         /* bytes */
    ULONG MinimumPolicedSize; /* bytes */
} FLOWSPEC, *PFLOWSPEC, *LPFLOWSPEC;

#define QOS_NOT_SPECIFIED 0xFFFFFFFF      /* "use the default" for a member */
#define POSITIVE_INFINITY_RATE 0xFFFFFFFE /* unlimited TokenRate/PeakBandwidth */

/* ---- Provider-specific buffer objects (REFERENCE 1.9) ------------------- */

typedef struct {
    ULONG ObjectType;
    ULONG ObjectLength; /* bytes, including this header */
} QOS_OBJECT_HDR, *LPQOS_OBJECT_HDR;

#define QOS_GENERAL_ID_BASE 2000
#define QOS_OBJECT_END_OF_LIST (0x00000001 + QOS_GENERAL_ID_BASE)
#define QOS_OBJECT_SD_MODE (0x00000002 + QOS_GENERAL_ID_BASE)
#define QOS_OBJECT_SHAPING_RATE (0x00000003 + QOS_GENERAL_ID_BASE)
#define QOS_OBJECT_DESTADDR (0x00000004 + QOS_GENERAL_ID_BASE)

/* Shape/discard mode for non-conforming packets. */
typedef struct _QOS_SD_MODE {
    QOS_OBJECT_HDR ObjectHdr;
    ULONG ShapeDiscardMode; /* TC_NONCONF_* */
} QOS_SD_MODE, *LPQOS_SD_MODE;

#define TC_NONCONF_BORROW 0
#define TC_NONCONF_SHAPE 1
#define TC_NONCONF_DISCARD 2
#define TC_NONCONF_BORROW_PLUS 3

typedef struct _QOS_SHAPING_RATE {
    QOS_OBJECT_HDR ObjectHdr;
    ULONG ShapingRate; /* bytes/s */
} QOS_SHAPING_RATE, *LPQOS_SHAPING_RATE;

/* Destination of a connectionless QoS flow (qossp.h). */
typedef struct _QOS_DESTADDR {
    QOS_OBJECT_HDR ObjectHdr;
    const struct sockaddr *SocketAddress;
    ULONG SocketAddressLength;
} QOS_DESTADDR, *LPQOS_DESTADDR;
typedef const QOS_DESTADDR *LPCQOS_DESTADDR;

/* RSVP status report carried back in ProviderSpecific (qossp.h). */
#define RSVP_OBJECT_ID_BASE 1000
#define RSVP_OBJECT_STATUS_INFO (0x00000000 + RSVP_OBJECT_ID_BASE)

typedef struct _RSVP_STATUS_INFO {
    QOS_OBJECT_HDR ObjectHdr;
    ULONG StatusCode; /* a WSA_QOS_* code */
    ULONG ExtendedStatus1;
    ULONG ExtendedStatus2;
} RSVP_STATUS_INFO, *LPRSVP_STATUS_INFO;
typedef const RSVP_STATUS_INFO *LPCRSVP_STATUS_INFO;

WSPSIM_STATIC_ASSERT(sizeof(FLOWSPEC) == 32, "FLOWSPEC size (REFERENCE 1.15)");

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_QOS_H */

/* Outside the guard on purpose: QOS (winsock2.h) needs FLOWSPEC from above. */
#include <wspsim/winsock2.h>
