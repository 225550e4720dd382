/* SPDX-License-Identifier: MIT */
/*
 * wspsim/windows.h - the small Win32 subset that Winsock applications use
 * around their sockets, implemented by ws2/ over the simulated OS objects of
 * wspsim-os.h: threads (CreateThread runs a simulated thread, an actor of
 * the calling process), event objects, waits, Sleep/SleepEx (alertable:
 * APCs run), simulated time (GetTickCount), window message queues for
 * WSAAsyncSelect, and the thread's last-error value (which WSAGetLastError
 * shares, as on Windows).  Every wait advances simulated time, never the
 * wall clock.  doc/ws2.md lists what is not there.
 *
 * Windows have no window procedure here: wspsim_create_window() makes a
 * message queue owned by the calling process, WSAAsyncSelect posts to it,
 * and GetMessage/PeekMessage read it.
 */
#ifndef WSPSIM_WINDOWS_H
#define WSPSIM_WINDOWS_H

#include <wspsim/winsock2.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

typedef DWORD (WINAPI *LPTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);
typedef VOID (CALLBACK *PAPCFUNC)(ULONG_PTR Parameter);

#define STILL_ACTIVE 259
#define CREATE_SUSPENDED 0x00000004

/* Threads. */
HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES lpThreadAttributes, size_t dwStackSize,
                           LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter,
                           DWORD dwCreationFlags, LPDWORD lpThreadId);
BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode);
DWORD WINAPI GetCurrentThreadId(void);
DWORD WINAPI GetCurrentProcessId(void);
DWORD WINAPI QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData);

/* Events and waits. */
HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCSTR lpName);
#define CreateEvent CreateEventA
BOOL WINAPI SetEvent(HANDLE hEvent);
BOOL WINAPI ResetEvent(HANDLE hEvent);
BOOL WINAPI CloseHandle(HANDLE hObject);
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
DWORD WINAPI WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable);
DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                    DWORD dwMilliseconds);
DWORD WINAPI WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                      DWORD dwMilliseconds, BOOL bAlertable);

/* Time (simulated). */
VOID WINAPI Sleep(DWORD dwMilliseconds);
DWORD WINAPI SleepEx(DWORD dwMilliseconds, BOOL bAlertable);
DWORD WINAPI GetTickCount(void);
ULONGLONG WINAPI GetTickCount64(void);

/* The thread's last error (WSAGetLastError reads the same value). */
DWORD WINAPI GetLastError(void);
VOID WINAPI SetLastError(DWORD dwErrCode);

/* Window messages (winuser.h). */
typedef struct tagPOINT {
    LONG x;
    LONG y;
} POINT, *PPOINT, *LPPOINT;

typedef struct tagMSG {
    HWND hwnd;
    UINT message;
    WPARAM wParam;
    LPARAM lParam;
    DWORD time; /* simulated milliseconds, as GetTickCount() */
    POINT pt;   /* always 0,0 */
} MSG, *PMSG, *LPMSG;

#define WM_NULL 0x0000
#define WM_QUIT 0x0012
#define WM_USER 0x0400
#define PM_NOREMOVE 0x0000
#define PM_REMOVE 0x0001

/* A simulated window: a message queue owned by the calling process (NULL
 * only when no simulated thread calls).  DestroyWindow closes it. */
HWND WINAPI wspsim_create_window(void);
BOOL WINAPI DestroyWindow(HWND hWnd);
BOOL WINAPI PostMessageA(HWND hWnd, UINT Msg, WPARAM wParam, LPARAM lParam);
#define PostMessage PostMessageA
VOID WINAPI PostQuitMessage(int nExitCode);
/* GetMessage blocks (in simulated time) until a message arrives for @hWnd
 * (NULL: any window of the calling process); FALSE for WM_QUIT, -1 for a
 * bad window.  The message filters are not supported: every message
 * matches.  PostQuitMessage posts WM_QUIT to the process's first window. */
BOOL WINAPI GetMessageA(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax);
#define GetMessage GetMessageA
BOOL WINAPI PeekMessageA(LPMSG lpMsg, HWND hWnd, UINT wMsgFilterMin, UINT wMsgFilterMax,
                         UINT wRemoveMsg);
#define PeekMessage PeekMessageA

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_WINDOWS_H */
