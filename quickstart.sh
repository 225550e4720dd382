#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# quickstart.sh demo   build wspsim and run the flagship classroom scenario,
#                      printing its trace
# quickstart.sh test   build wspsim and run the whole test suite (what CI
#                      runs): normal and ASan/UBSan builds, valgrind, the
#                      fuzz targets (FUZZ_SECONDS each, default 60) and the
#                      coverage gate, ending with one line "N passed, N failed"
#
# Each does all of its own set-up on a fresh Debian 12 machine (as root, or
# with sudo available): missing packages, autoreconf, configure, make.
set -euo pipefail
cd "$(dirname "$0")"

packages=(autoconf automake libtool pkg-config gcc make libglib2.0-dev libcmocka-dev)
test_packages=(clang libclang-rt-14-dev valgrind gcovr tcpdump libxml2-utils python3)

install_missing() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "quickstart: installing ${missing[*]}" >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

# build DIR [configure args...]: configure and build in DIR (out of tree).
build() {
    local dir=$1
    shift
    [ -x configure ] || autoreconf -fi >&2
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/Makefile" ]; then
        (cd "$dir" && ../configure -q "$@" >&2)
    fi
    make -C "$dir" -j"$(nproc)" -s >&2
}

# note_failure DIR: `make check` failed in DIR.  If no test result says so
# (the tests did not build), count it as one failed item.
note_failure() {
    status=1
    if build-aux/summary "$1" | grep -q ' 0 failed$'; then
        mkdir -p "$1/reliability"
        tail -n 40 "$1/make-check.out" >"$1/reliability/make-check.log"
        echo ":test-result: FAIL" >"$1/reliability/make-check.trs"
    fi
}

case "${1:-}" in
demo)
    install_missing "${packages[@]}"
    build build
    if [ -x build/wspsim ] && [ -f scenarios/classroom/01-select-after-shutdown.wsim ]; then
        exec build/wspsim run --trace - scenarios/classroom/01-select-after-shutdown.wsim
    fi
    # Before the scenario runner lands: the C demo of the simulated network.
    exec build/examples/sim-demo
    ;;
test)
    install_missing "${packages[@]}" "${test_packages[@]}"
    status=0
    rm -rf build/reliability build-asan/reliability build-cov/reliability
    build build --enable-werror
    make -C build -s check-banned check-layering || status=1
    make -C build -j"$(nproc)" check >build/make-check.out 2>&1 || note_failure build
    build-aux/summary build "normal build"
    # The same suite under AddressSanitizer + UndefinedBehaviorSanitizer,
    # halting on the first error.
    build build-asan --enable-werror --enable-sanitizers
    ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        make -C build-asan -j"$(nproc)" check >build-asan/make-check.out 2>&1 || note_failure build-asan
    build-aux/summary build-asan "sanitizer build"
    # Reliability (doc/reliability.md): memcheck on every unit test of the
    # normal build, each libFuzzer target for FUZZ_SECONDS (60 unless set),
    # and the coverage gate of sim/ and spi/ (.ci/coverage-thresholds).
    make -C build -s check-valgrind VALGRIND_JOBS="$(nproc)" >/dev/null 2>&1 || status=1
    make -C build -s fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}" FUZZ_JOBS="$(nproc)" >&2 || status=1
    build build-cov --enable-coverage
    make -C build-cov -j"$(nproc)" check >/dev/null 2>&1 || true
    make -C build-cov -s coverage-gate 2>/dev/null | grep -E '^coverage ' >&2 || status=1
    build-aux/summary build/reliability "valgrind + fuzz"
    build-aux/summary build-cov/reliability "coverage gate"
    # Failures in detail, then the one line CI reads.
    for d in build build-asan build-cov/reliability; do
        { grep -l -E '^:test-result: (FAIL|ERROR)' $(find "$d" -name '*.trs') 2>/dev/null || true; } |
            while read -r trs; do
                echo "---- ${trs%.trs}.log"; tail -n 40 "${trs%.trs}.log"
            done
    done
    total=$( (build-aux/summary build; build-aux/summary build-asan; build-aux/summary build-cov/reliability) |
        awk '{p+=$1; f+=$3} END {printf "%d passed, %d failed", p, f}')
    echo "$total"
    exit $status
    ;;
*)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
