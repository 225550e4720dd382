#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# compare.sh [BUILDDIR] [ANCHORS]: run wspsim's benchmarks and the peers
# measured in shared/anchors (ns-3 3.37 programs and a bare event heap) on the
# same workloads, one after another on this machine, and print them side by
# side with ratios.  The anchors are copied to a scratch folder and built
# there (shared/ is read-only); ns-3 needs `apt-get install g++ pkg-config
# libns3-dev libgsl-dev` (see shared/anchors/RESULTS.md).
#
# Wall seconds are whole-process for the anchors (as RESULTS.md measures
# them) and the benchmark's own timed loop for wspsim (set-up excluded, a few
# milliseconds).  Ratio > 1 means wspsim is faster.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/..}
anchors=${2:-$here/../../shared/anchors}
[ -d "$anchors" ] || { echo "compare.sh: no anchors at $anchors" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$anchors"/. "$scratch"/
chmod -R u+w "$scratch"
make -s -C "$scratch/limit" >/dev/null
have_ns3=1
make -s -C "$scratch/ns3" >/dev/null 2>&1 || have_ns3=0

wall() { # wall seconds of a whole command, stdout to $scratch/out
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >"$scratch/out" 2>&1
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'
}

bench() { # bench NAME: value of "BENCH NAME <v> <unit>" from our programs
    awk -v n="$1" '$1 == "BENCH" && $2 == n {print $3}' "$scratch/ours"
}

: >"$scratch/ours"
for b in bench-events bench-udp-flood bench-hosts bench-tcp bench-interp; do
    [ -x "$build/bench/$b" ] && "$build/bench/$b" >>"$scratch/ours" 2>/dev/null || true
done

row() { printf '| %-22s | %14s | %14s | %8s |\n' "$@"; }
ratio_rate() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", a / b; else print "-" }'; }
ratio_time() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", b / a; else print "-" }'; }

echo "# wspsim vs anchors on $(nproc) cores, $(date -u +%Y-%m-%d)"
row "workload" "wspsim" "peer" "ratio"
row "---" "---" "---" "---"
wall "$scratch/limit/heap" hold 10000000 1000 >/dev/null
heap1k=$(awk '/^events_per_second/ {print $2}' "$scratch/out")
wall "$scratch/limit/heap" hold 10000000 100000 >/dev/null
heap100k=$(awk '/^events_per_second/ {print $2}' "$scratch/out")
e1=$(bench events-1k); e100=$(bench events-100k)
row "events-1k (ev/s)" "${e1:--}" "$heap1k heap" "$(ratio_rate "${e1:-0}" "$heap1k")"
row "events-100k (ev/s)" "${e100:--}" "$heap100k heap" "$(ratio_rate "${e100:-0}" "$heap100k")"
if [ $have_ns3 -eq 1 ]; then
    t=$(wall "$scratch/ns3/udp_flood"); u=$(bench udp-flood)
    row "udp-flood (wall s)" "${u:--}" "$t ns-3" "$(ratio_time "${u:-0}" "$t")"
    t=$(wall "$scratch/ns3/tcp_bulk"); u=$(bench tcp-bulk)
    row "tcp-bulk (wall s)" "${u:--}" "$t ns-3" "$(ratio_time "${u:-0}" "$t")"
    t=$(wall "$scratch/ns3/many_flows"); u=$(bench many-flows)
    row "many-flows (wall s)" "${u:--}" "$t ns-3" "$(ratio_time "${u:-0}" "$t")"
else
    echo "(ns-3 not built: apt-get install g++ pkg-config libns3-dev libgsl-dev)"
fi
h=$(bench hosts); hr=$(bench hosts-rss)
row "hosts (wall s)" "${h:--}" "target 1 s" "-"
row "hosts-rss (MB)" "${hr:--}" "target 200" "-"
