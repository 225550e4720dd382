# SPDX-License-Identifier: MIT
# WSPSIM_WARN_CFLAGS: probe each warning flag the house style asks for and
# keep those the compiler accepts, in WARN_CFLAGS.
AC_DEFUN([WSPSIM_WARN_CFLAGS], [
  WARN_CFLAGS=""
  AC_LANG_PUSH([C])
  for flag in -Wall -Wextra -Wswitch-enum -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
              -Wpointer-arith -Wformat=2 -Wno-unused-parameter; do
    save_CFLAGS="$CFLAGS"
    CFLAGS="$CFLAGS -Werror $flag"
    AC_MSG_CHECKING([whether $CC accepts $flag])
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
      [AC_MSG_RESULT([yes]); WARN_CFLAGS="$WARN_CFLAGS $flag"],
      [AC_MSG_RESULT([no])])
    CFLAGS="$save_CFLAGS"
  done
  AC_LANG_POP([C])
])
