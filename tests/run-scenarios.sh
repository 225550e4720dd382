#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run-scenarios.sh: the golden-trace test.  Every scenarios/**/*.wsim runs
# with its own seed; its text trace must equal the committed .trace beside
# it byte for byte, a second run must give the same trace (determinism),
# and the exit status must be 0 — or the one a "# expect-exit: N" line in
# the file names.  Every scenarios/errors/*.wsim must be refused by
# `wspsim check` with exit 2 and exactly the message in the .err beside it.
#
#   tests/run-scenarios.sh            compare (make check)
#   tests/run-scenarios.sh --regen    rewrite the .trace/.err files (make
#                                     regen-traces), to be reviewed as a diff
set -u

regen=0
[ "${1:-}" = "--regen" ] && regen=1
srcdir=${top_srcdir:-$(dirname "$0")/..}
builddir=${top_builddir:-.}
wspsim=$(cd "$builddir" && pwd)/wspsim
cd "$srcdir" || exit 99
[ -x "$wspsim" ] || { echo "run-scenarios: $wspsim not built" >&2; exit 99; }

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

for f in $(find scenarios -name '*.wsim' ! -path 'scenarios/errors/*' | LC_ALL=C sort); do
    golden=${f%.wsim}.trace
    want=$(sed -n 's/^# expect-exit: *\([0-9]\).*/\1/p' "$f" | head -n 1)
    want=${want:-0}
    "$wspsim" run --quiet --trace "$tmp/1" "$f" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $regen -eq 1 ]; then
        cp "$tmp/1" "$golden"
        echo "wrote $golden"
    fi
    if [ "$st" -ne "$want" ]; then
        bad "$f: exit $st, expected $want"
        cat "$tmp/err"
        continue
    fi
    if [ ! -f "$golden" ]; then
        bad "$f: no golden trace $golden (make regen-traces)"
        continue
    fi
    if ! cmp -s "$golden" "$tmp/1"; then
        bad "$f: trace differs from $golden"
        diff -u "$golden" "$tmp/1" | head -n 40
        continue
    fi
    "$wspsim" run --quiet --trace "$tmp/2" "$f" >/dev/null 2>&1
    if ! cmp -s "$tmp/1" "$tmp/2"; then
        bad "$f: two runs gave different traces (not deterministic)"
        diff -u "$tmp/1" "$tmp/2" | head -n 20
        continue
    fi
    ok
done

for f in $(find scenarios/errors -name '*.wsim' 2>/dev/null | LC_ALL=C sort); do
    golden=${f%.wsim}.err
    "$wspsim" check "$f" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ $regen -eq 1 ]; then
        cp "$tmp/err" "$golden"
        echo "wrote $golden"
    fi
    if [ "$st" -ne 2 ]; then
        bad "$f: check exit $st, expected 2"
        continue
    fi
    if [ ! -f "$golden" ] || ! cmp -s "$golden" "$tmp/err"; then
        bad "$f: message differs from $golden"
        diff -u "$golden" "$tmp/err" 2>/dev/null | head -n 10
        continue
    fi
    ok
done

echo "run-scenarios: $pass passed, $fail failed"
[ $fail -eq 0 ]
