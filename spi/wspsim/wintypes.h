/* SPDX-License-Identifier: MIT */
/*
 * wspsim/wintypes.h - the minimal Win32 base types the Winsock 2 and SPI
 * headers need, with Windows (LLP64) widths on Linux (LP64): DWORD, LONG and
 * ULONG are 32 bits, WCHAR is UTF-16, HANDLE and the *_PTR types are
 * pointer-sized.  See spi/REFERENCE.md section 0.
 *
 * Only <stddef.h> and <stdint.h> are included; nothing here clashes with the
 * C library.  The macros that other headers also like to define (TRUE, FALSE,
 * VOID, CONST, FAR, NEAR, PASCAL, WINAPI, CALLBACK) are guarded with #ifndef.
 */
#ifndef WSPSIM_WINTYPES_H
#define WSPSIM_WINTYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Calling conventions.  Nothing here calls into real Windows binaries, so
 * __stdcall is never needed; on x86-64 it is the only convention anyway. */
#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef PASCAL
#define PASCAL
#endif
#ifndef FAR
#define FAR
#endif
#ifndef NEAR
#define NEAR
#endif
#ifndef VOID
#define VOID void
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef TRUE
#define TRUE 1
#endif

/* Compile-time layout checks usable from C11 and C++11 alike. */
#ifdef __cplusplus
#define WSPSIM_STATIC_ASSERT(expr, msg) static_assert(expr, msg)
#else
#define WSPSIM_STATIC_ASSERT(expr, msg) _Static_assert(expr, msg)
#endif
/* 8-byte alignment where MSVC gives 64-bit members it on Win32 too. */
#ifdef __cplusplus
#define WSPSIM_ALIGN8 alignas(8)
#else
#define WSPSIM_ALIGN8 _Alignas(8)
#endif
/* Nonzero on 64-bit targets, where the Win64 sizes of REFERENCE 1.15 apply. */
#define WSPSIM_WIN64 (sizeof(void *) == 8)

/* ---- Integer types (fixed widths, never the Linux long) ---------------- */

typedef uint8_t BYTE, *PBYTE, *LPBYTE;
typedef uint8_t UCHAR, *PUCHAR;
typedef uint8_t BOOLEAN, *PBOOLEAN;
typedef char CHAR, *PCHAR;
typedef uint16_t WORD, *PWORD, *LPWORD;
typedef uint16_t USHORT, *PUSHORT;
typedef int16_t SHORT, *PSHORT;
typedef uint32_t DWORD, *PDWORD, *LPDWORD;
typedef int32_t LONG, *PLONG, *LPLONG;
typedef uint32_t ULONG, *PULONG;
typedef int INT, *PINT, *LPINT;
typedef unsigned int UINT, *PUINT, *LPUINT;
typedef int BOOL, *PBOOL, *LPBOOL;
typedef int64_t LONGLONG;
typedef uint64_t ULONGLONG;

/* Pointer-sized integers. */
typedef intptr_t INT_PTR, *PINT_PTR;
typedef uintptr_t UINT_PTR, *PUINT_PTR;
typedef intptr_t LONG_PTR, *PLONG_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef uintptr_t DWORD_PTR, *PDWORD_PTR;
typedef ULONG_PTR SIZE_T, *PSIZE_T;

/* A 64-bit value in two halves or whole (winnt.h), 8-byte aligned. */
typedef union _LARGE_INTEGER {
    struct {
        DWORD LowPart;
        LONG HighPart;
    };
    struct {
        DWORD LowPart;
        LONG HighPart;
    } u;
    WSPSIM_ALIGN8 LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

/* UTF-16 code unit: Linux wchar_t is 32 bits, so it cannot be used here. */
typedef uint16_t WCHAR, *PWCHAR;

typedef CHAR *PSTR, *LPSTR;
typedef const CHAR *PCSTR, *LPCSTR;
typedef WCHAR *PWSTR, *LPWSTR;
typedef const WCHAR *PCWSTR, *LPCWSTR;

typedef void *PVOID, *LPVOID;
typedef const void *LPCVOID;

/* ---- Handles and window-message types ----------------------------------- */

typedef void *HANDLE, *PHANDLE, *LPHANDLE;
typedef HANDLE HWND;
typedef UINT_PTR WPARAM;
typedef LONG_PTR LPARAM;
typedef LONG_PTR LRESULT;

#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)

/* ---- GUID --------------------------------------------------------------- */

typedef struct _GUID {
    DWORD Data1;
    WORD Data2;
    WORD Data3;
    BYTE Data4[8];
} GUID, *LPGUID;
typedef const GUID *LPCGUID;
typedef const GUID *REFGUID;

/* ---- Word/byte packing (minwindef.h) ------------------------------------ */

#define MAKEWORD(a, b) \
    ((WORD)(((BYTE)((DWORD_PTR)(a) & 0xff)) | ((WORD)((BYTE)((DWORD_PTR)(b) & 0xff))) << 8))
#define MAKELONG(a, b) \
    ((LONG)(((WORD)((DWORD_PTR)(a) & 0xffff)) | ((DWORD)((WORD)((DWORD_PTR)(b) & 0xffff))) << 16))
#define LOWORD(l) ((WORD)((DWORD_PTR)(l) & 0xffff))
#define HIWORD(l) ((WORD)(((DWORD_PTR)(l) >> 16) & 0xffff))
#define LOBYTE(w) ((BYTE)((DWORD_PTR)(w) & 0xff))
#define HIBYTE(w) ((BYTE)(((DWORD_PTR)(w) >> 8) & 0xff))

/* ---- Win32 codes that Winsock aliases (winerror.h, winbase.h) ----------- */

/* Windows spells these with an L suffix; a Linux long is 64 bits, so they are
 * plain ints here, which is what *lpErrno holds. */
#define ERROR_SUCCESS 0
#define NO_ERROR 0
#define ERROR_INVALID_HANDLE 6
#define ERROR_NOT_ENOUGH_MEMORY 8
#define ERROR_INVALID_PARAMETER 87
#define ERROR_OPERATION_ABORTED 995
#define ERROR_IO_INCOMPLETE 996
#define ERROR_IO_PENDING 997

#define INFINITE 0xFFFFFFFF
#define MAXIMUM_WAIT_OBJECTS 64
#define WAIT_OBJECT_0 ((DWORD)0x00000000)
#define WAIT_ABANDONED_0 ((DWORD)0x00000080)
#define WAIT_IO_COMPLETION ((DWORD)0x000000C0) /* STATUS_USER_APC */
#define WAIT_TIMEOUT ((DWORD)258)
#define WAIT_FAILED ((DWORD)0xFFFFFFFF)

/* ---- OVERLAPPED (minwinbase.h); WSAOVERLAPPED is this, REFERENCE 1.6 ---- */

typedef struct _OVERLAPPED {
    ULONG_PTR Internal;     /* owner of the overlapped I/O */
    ULONG_PTR InternalHigh; /* likewise (byte count with WPUCompleteOverlappedRequest) */
    union {
        struct {
            DWORD Offset;
            DWORD OffsetHigh;
        };
        PVOID Pointer;
    };
    HANDLE hEvent;
} OVERLAPPED, *LPOVERLAPPED;

WSPSIM_STATIC_ASSERT(sizeof(OVERLAPPED) == (WSPSIM_WIN64 ? 32 : 20),
                     "OVERLAPPED size (REFERENCE 1.15)");

#ifdef __cplusplus
}
#endif

#endif /* WSPSIM_WINTYPES_H */
