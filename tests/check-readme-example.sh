#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-readme-example.sh: the scenario README.md shows under "Using it"
# (the fenced block that starts with "seed 19") parses and runs with every
# expectation holding, so the README stays true at every commit.
set -u
srcdir=${top_srcdir:-$(dirname "$0")/..}
builddir=${top_builddir:-.}
wspsim=$(cd "$builddir" && pwd)/wspsim
[ -x "$wspsim" ] || { echo "check-readme-example: $wspsim not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
awk '/^```$/ && grab { exit } grab { print } /^```$/ && !grab { start = 1; next } start && /^seed 19$/ { grab = 1; print } { start = 0 }' \
    "$srcdir/README.md" >"$tmp/readme.wsim"
if ! grep -q '^thread ' "$tmp/readme.wsim"; then
    echo "FAIL: no scenario block starting with 'seed 19' in README.md"
    exit 1
fi
if ! "$wspsim" run --quiet "$tmp/readme.wsim"; then
    echo "FAIL: the README's example scenario does not run cleanly"
    exit 1
fi
echo "PASS: README example"
