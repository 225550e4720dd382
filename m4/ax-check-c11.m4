# SPDX-License-Identifier: MIT
# AX_CHECK_C11: make sure the compiler builds C11 (_Static_assert, _Alignof);
# add -std=gnu11 when it needs telling.
AC_DEFUN([AX_CHECK_C11], [
  AC_MSG_CHECKING([whether $CC compiles C11])
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[_Static_assert(1, "c11");]], [[return _Alignof(long) > 0 ? 0 : 1;]])],
    [AC_MSG_RESULT([yes])],
    [CC="$CC -std=gnu11"; AC_MSG_RESULT([adding -std=gnu11])])
])
