/* SPDX-License-Identifier: MIT
 *
 * wsp-extension.h: the Microsoft extension functions (AcceptEx, ConnectEx,
 * GetAcceptExSockaddrs, DisconnectEx, TransmitFile, TransmitPackets,
 * WSARecvMsg, WSASendMsg) that WSPIoctl hands out through
 * SIO_GET_EXTENSION_FUNCTION_POINTER (spi/wsp-extension.c).
 */
#ifndef WSP_EXTENSION_H
#define WSP_EXTENSION_H

#include "wsp-private.h"

G_BEGIN_DECLS

/* SIO_GET_EXTENSION_FUNCTION_POINTER: 0 with the function pointer in @out
 * and *@ret = its size; WSAEFAULT (NULL or short buffers), WSAEINVAL
 * (unknown GUID). */
int wsp_ext_ioctl(const void *in, DWORD cbin, void *out, DWORD cbout, DWORD *ret);

/* End @ws's pending extension requests (WSA_OPERATION_ABORTED). */
void wsp_ext_abort(WspSocket *ws, bool notify);

/* @world is being torn down: its pending requests are dropped without a
 * completion (their WSAOVERLAPPED may be gone already). */
void wsp_ext_world_free(SimWorld *world);

/* A receive took data from @ws: a TF_REUSE_SOCKET disconnect waiting for
 * the peer's data to be read looks again (after the current call). */
void wsp_ext_after_recv(WspSocket *ws);

G_END_DECLS

#endif /* WSP_EXTENSION_H */
