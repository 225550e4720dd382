/* SPDX-License-Identifier: MIT
 *
 * wsp-address.c: the two address-string slots of the proc table
 * (WSPAddressToString, WSPStringToAddress).
 */
#include "config.h"

#include <string.h>

#include "wsp-private.h"

#define CALL_BEGIN(call, name, lpErrno)                                                          \
    do {                                                                                         \
        int err_;                                                                                \
        if (!wsp_call_begin(&(call), name, &err_))                                               \
            return wsp_call_fail(&(call), lpErrno, err_);                                        \
    } while (0)

/* ---- Address strings ----------------------------------------------------- */

/**
 * WSPAddressToString:
 *
 * "10.0.0.1:80", "10.0.0.1" (port 0), "[fd00::1]:80", "fd00::1", in UTF-16.
 * *@lpdwAddressStringLength counts WCHARs with the terminator; when it is
 * too small the call fails with WSAEFAULT and sets the size needed.
 *
 * Returns: 0; SOCKET_ERROR with WSAEFAULT or WSAEINVAL (not an IPv4/IPv6
 * address).
 */
INT WSPAPI
WSPAddressToString(LPSOCKADDR lpsaAddress, DWORD dwAddressLength,
                   LPWSAPROTOCOL_INFOW lpProtocolInfo, LPWSTR lpszAddressString,
                   LPDWORD lpdwAddressStringLength, LPINT lpErrno)
{
    char text[SIM_SOCKADDR_STRLEN];
    WspCall call;
    SimSockAddr sa;
    size_t n;
    int err;

    (void) lpProtocolInfo;
    CALL_BEGIN(call, "WSPAddressToString", lpErrno);
    /* sa_family is read only once the length says it is there. */
    if (lpsaAddress == NULL || lpdwAddressStringLength == NULL ||
        dwAddressLength < sizeof lpsaAddress->sa_family)
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    err = wsp_sockaddr_in(lpsaAddress, (int) MIN(dwAddressLength, (DWORD) G_MAXINT),
                          lpsaAddress->sa_family == AF_INET6 ? SIM_AF_INET6 : SIM_AF_INET, &sa);
    if (err != 0)
        return wsp_call_fail(&call, lpErrno, err == WSAEFAULT ? WSAEFAULT : WSAEINVAL);
    if (sa.port != 0)
        sim_sockaddr_to_string(&sa, text);
    else
        sim_addr_to_string(&sa.addr, text);
    n = strlen(text) + 1;
    if (lpszAddressString == NULL || *lpdwAddressStringLength < n) {
        *lpdwAddressStringLength = (DWORD) n;
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    }
    for (size_t i = 0; i < n; i++)
        lpszAddressString[i] = (WCHAR) (guint8) text[i];
    *lpdwAddressStringLength = (DWORD) n;
    wsp_call_end(&call, "0 \"%s\"", text);
    return 0;
}

/**
 * WSPStringToAddress:
 *
 * Parses "a.b.c.d", "a.b.c.d:port", "v6" or "[v6]:port" for @AddressFamily
 * AF_INET or AF_INET6.
 *
 * Returns: 0; SOCKET_ERROR with WSAEFAULT (NULL, or *@lpAddressLength too
 * small: set to the size needed) or WSAEINVAL (not parseable, wrong family).
 */
INT WSPAPI
WSPStringToAddress(LPWSTR AddressString, INT AddressFamily, LPWSAPROTOCOL_INFOW lpProtocolInfo,
                   LPSOCKADDR lpAddress, LPINT lpAddressLength, LPINT lpErrno)
{
    char text[SIM_SOCKADDR_STRLEN + 8];
    WspCall call;
    SimSockAddr sa;
    size_t i;
    int need;

    (void) lpProtocolInfo;
    CALL_BEGIN(call, "WSPStringToAddress", lpErrno);
    if (AddressString == NULL || lpAddressLength == NULL)
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    for (i = 0; i + 1 < sizeof text && AddressString[i] != 0; i++) {
        if (AddressString[i] > 0x7f)
            return wsp_call_fail(&call, lpErrno, WSAEINVAL);
        text[i] = (char) AddressString[i];
    }
    text[i] = '\0';
    if (AddressString[i] != 0)
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    wsp_call_args(&call, "\"%s\"", text);
    memset(&sa, 0, sizeof sa);
    if (!sim_sockaddr_parse(text, &sa) && !sim_addr_parse(text, &sa.addr))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    if ((AddressFamily == AF_INET && sa.addr.family != SIM_AF_INET) ||
        (AddressFamily == AF_INET6 && sa.addr.family != SIM_AF_INET6) ||
        (AddressFamily != AF_INET && AddressFamily != AF_INET6))
        return wsp_call_fail(&call, lpErrno, WSAEINVAL);
    need = wsp_sockaddr_size((SimFamily) sa.addr.family);
    if (lpAddress == NULL || *lpAddressLength < need) {
        *lpAddressLength = need;
        return wsp_call_fail(&call, lpErrno, WSAEFAULT);
    }
    wsp_sockaddr_out(&sa, lpAddress, lpAddressLength);
    return wsp_call_ok(&call);
}
