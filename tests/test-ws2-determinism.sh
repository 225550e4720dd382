#!/bin/sh
# SPDX-License-Identifier: MIT
# test-ws2-determinism: Winsock programs on the default world print the same
# output and write the same trace on every run (doc/ws2.md).  Runs the echo
# test (server thread + client) and the lone echo client (which retries and
# gives up: nobody listens) twice each, with WSPSIM_TRACE, and compares.
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/ws2-det.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail=0

run_twice() {
    name=$1
    shift
    for i in 1 2; do
        WSPSIM_SEED=3 WSPSIM_TRACE="$dir/$name.$i.trace" "$@" >"$dir/$name.$i.out" 2>&1
        echo $? >"$dir/$name.$i.rc"
    done
    for ext in out trace rc; do
        if ! cmp -s "$dir/$name.1.$ext" "$dir/$name.2.$ext"; then
            echo "FAIL: $name: the two runs differ ($ext)"
            diff "$dir/$name.1.$ext" "$dir/$name.2.$ext" | head -20
            fail=1
        fi
    done
    if [ ! -s "$dir/$name.1.trace" ]; then
        echo "FAIL: $name: empty trace"
        fail=1
    fi
    echo "$name: $(wc -l <"$dir/$name.1.trace") trace lines, exit $(cat "$dir/$name.1.rc"), identical twice"
}

run_twice echo-test ./tests/test-ws2-echo
run_twice echo-client ./examples/ws2-echo-client 127.0.0.1 7777 1
run_twice plain ./tests/test-ws2-plain
[ "$(cat "$dir/echo-test.1.rc")" = 0 ] || { echo "FAIL: echo test exit status"; fail=1; }
[ "$(cat "$dir/echo-client.1.rc")" = 1 ] || { echo "FAIL: lone client should give up"; fail=1; }
grep -q 'client: giving up' "$dir/echo-client.1.out" || { echo "FAIL: lone client output"; fail=1; }
exit $fail
