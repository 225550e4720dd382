#!/bin/sh
# SPDX-License-Identifier: MIT
# test-ws2-scenarios: the unchanged Winsock echo examples run inside real
# scenario files (WSPSIM_SCENARIO + WSPSIM_HOST, doc/ws2.md "Scenarios"),
# beside the scenario's own actors, under its links and faults; the runner
# (runner/embed.c, reached through libwspsim.so) builds the world and
# checks the scenario's expectations when the program ends.
#
#   echo-under-loss         client app vs a script server: a partition
#                           shorter than the retry budget, then a lossy,
#                           slowed link; the exchange completes (exit 0)
#   echo-partition-timeout  a partition longer than the retry budget: the
#                           client reports time-outs (10060) and gives up
#   echo-server-under-loss  server app vs two script clients
#   a short client          the script's expectation fails: exit 1 although
#                           the program itself succeeded
#   no such host            refused with a message
# Each run twice with the same seed: identical trace, output and status.
set -u
srcdir=${top_srcdir:-$(dirname "$0")/..}
builddir=${top_builddir:-.}
client=$builddir/examples/ws2-echo-client
server=$builddir/examples/ws2-echo-server
dir=$(mktemp -d "${TMPDIR:-/tmp}/ws2-scen.XXXXXX") || exit 99
trap 'rm -rf "$dir"' EXIT INT TERM
fail=0

bad() {
    echo "FAIL: $*"
    fail=1
}

# run NAME SCENARIO HOST PROGRAM ARGS...: twice, compared; leaves
# $dir/NAME.1.{out,err,trace,rc}
run() {
    name=$1 scen=$2 host=$3
    shift 3
    for i in 1 2; do
        WSPSIM_SCENARIO="$srcdir/examples/$scen" WSPSIM_HOST=$host WSPSIM_PROCESS=app \
            WSPSIM_TRACE="$dir/$name.$i.trace" "$@" >"$dir/$name.$i.out" 2>"$dir/$name.$i.raw"
        echo $? >"$dir/$name.$i.rc"
        # The sanitizer build's notes carry the pid (==PID==): not the program's.
        grep -v '^==[0-9]*==WARNING: ASan' "$dir/$name.$i.raw" >"$dir/$name.$i.err"
    done
    for ext in out err trace rc; do
        if ! cmp -s "$dir/$name.1.$ext" "$dir/$name.2.$ext"; then
            bad "$name: the two runs differ ($ext)"
            diff "$dir/$name.1.$ext" "$dir/$name.2.$ext" | head -20
        fi
    done
    echo "$name: exit $(cat "$dir/$name.1.rc"), $(wc -l <"$dir/$name.1.trace") trace lines, identical twice"
}

expect() { # NAME FILE-EXT PATTERN
    grep -q -- "$3" "$dir/$1.1.$2" || {
        bad "$1: no '$3' in its $2"
        sed 's/^/  | /' "$dir/$1.1.$2" | head -30
    }
}

status() { # NAME WANT
    [ "$(cat "$dir/$1.1.rc")" = "$2" ] || {
        bad "$1: exit $(cat "$dir/$1.1.rc"), expected $2"
        sed 's/^/  | /' "$dir/$1.1.out" "$dir/$1.1.err" | head -40
    }
}

run loss echo-under-loss.wsim client "$client" server 7000 3
status loss 0
expect loss out 'client: connect (IPv4) failed: 10060'
expect loss out 'client: echo 2 ok'
expect loss out 'client: server closed'
expect loss err '^wspsim: ok .*echo-under-loss.wsim (seed 12,'
expect loss err '^wspsim: fingerprint 0x'
expect loss trace 'NOTE  scenario echo-under-loss.wsim seed 12'
expect loss trace 'FAULT partition {client}'
expect loss trace 'client   CALL  \[main\] WSPConnect'
expect loss trace 'server   CALL  \[main\] WSPRecv(.*"hello 2 from the client"'
expect loss trace 'TCP   rto'

run timeout echo-partition-timeout.wsim client "$client" server 7000 3
status timeout 1
expect timeout out 'client: attempt 8 failed'
expect timeout out 'client: giving up'
[ "$(grep -c 'connect (IPv4) failed: 10060' "$dir/timeout.1.out")" = 8 ] ||
    bad "timeout: expected 8 time-outs (WSAETIMEDOUT)"
expect timeout err '^wspsim: ok .*echo-partition-timeout.wsim'
expect timeout trace 'WSPAccept(s=0x100) = INVALID_SOCKET WSAEWOULDBLOCK'

run server echo-server-under-loss.wsim server "$server" 7000 2
status server 0
expect server out 'server: client from 10.0.0.1'
expect server out 'server: echoed 3000 bytes'
expect server err '^wspsim: ok .*echo-server-under-loss.wsim'
expect server trace 'client2  CALL  \[main\] WSPRecv(s=0x100, len=3000) = 3000 '

# The program succeeds, the scenario's server expects a third message: the
# runner's verdict becomes the exit status.
run short echo-under-loss.wsim client "$client" server 7000 2
status short 1
expect short out 'client: echo 1 ok'
expect short err 'echo-under-loss.wsim:34: WSPRecv(c, 23, MSG_WAITALL) expected "hello 2 from the client", got 0'
expect short err '^wspsim: FAIL '

# WSPSIM_SEED overrides the script's seed.
WSPSIM_SEED=77 WSPSIM_SCENARIO="$srcdir/examples/echo-under-loss.wsim" WSPSIM_HOST=client \
    "$client" server 7000 3 >"$dir/seed.out" 2>"$dir/seed.err"
grep -q '^wspsim: ok .*(seed 77,' "$dir/seed.err" || bad "WSPSIM_SEED=77 not applied"

WSPSIM_SCENARIO="$srcdir/examples/echo-under-loss.wsim" WSPSIM_HOST=nosuch \
    "$client" server 7000 1 >"$dir/nohost.out" 2>"$dir/nohost.err"
[ $? -ne 0 ] || bad "no such host: exit 0"
grep -q "no host 'nosuch'" "$dir/nohost.err" || bad "no such host: no message"

exit $fail
