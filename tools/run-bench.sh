#!/bin/sh
# Runs every benchmark; each prints one JSON object per measurement.
# Compiled benchmarks are build/bench/*; scripted ones bench/*.sh get the
# build directory as their argument.
# Usage: run-bench.sh BUILD_DIR
set -eu
build=$1
for b in "$build"/bench/*; do
	case "$b" in *.d) continue ;; esac
	[ -x "$b" ] || continue
	"$b"
done
for s in bench/*.sh; do
	[ -e "$s" ] || continue
	sh "$s" "$build"
done
