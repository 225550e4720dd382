#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-classroom-charts.sh: every scenarios/classroom/NAME.wsim has its
# committed sequence chart doc/images/classroom/NAME.svg (and the PNG the
# tutorial shows), and every chart belongs to a scenario.  `make
# msc-charts` writes them; the tutorial page doc/tutorial/NAME.md explains
# each.  Exists-and-is-an-SVG only: the charts are regenerated (and
# reviewed as pictures) when traces change, not compared byte for byte.
set -u
srcdir=${top_srcdir:-$(dirname "$0")/..}
cd "$srcdir" || exit 99
fail=0
n=0
for f in scenarios/classroom/*.wsim; do
    name=$(basename "$f" .wsim)
    n=$((n + 1))
    svg=doc/images/classroom/$name.svg
    if [ ! -s "$svg" ] || ! grep -q '<svg' "$svg"; then
        echo "FAIL: $f has no chart $svg (make msc-charts)"
        fail=$((fail + 1))
    fi
    if [ ! -s "doc/images/classroom/$name.png" ]; then
        echo "FAIL: $f has no picture doc/images/classroom/$name.png (make msc-charts, needs rsvg-convert)"
        fail=$((fail + 1))
    fi
    if [ ! -f "doc/tutorial/$name.md" ]; then
        echo "FAIL: $f has no tutorial page doc/tutorial/$name.md"
        fail=$((fail + 1))
    fi
done
for svg in doc/images/classroom/*.svg; do
    [ -f "$svg" ] || continue
    name=$(basename "$svg" .svg)
    if [ ! -f "scenarios/classroom/$name.wsim" ]; then
        echo "FAIL: $svg has no scenario scenarios/classroom/$name.wsim"
        fail=$((fail + 1))
    fi
done
echo "check-classroom-charts: $n scenarios, $fail problems"
[ $fail -eq 0 ]
