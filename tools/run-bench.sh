#!/bin/sh
# Runs every benchmark; each prints one JSON object per measurement.
# Usage: run-bench.sh BUILD_DIR
set -eu
build=$1
for b in "$build"/bench/*; do
	[ -x "$b" ] || continue
	"$b"
done
