#!/bin/sh
# Runs the cmocka unit-test binaries, then the end-to-end scripts in
# tests/e2e/ (each gets the build directory as $1), and ends with one line
# "tests: N passed, N failed". Exits non-zero if anything failed.
# Usage: run-tests.sh [--unit-only] BUILD_DIR TEST_BINARY...
set -u
unit_only=0
if [ "${1:-}" = "--unit-only" ]; then unit_only=1; shift; fi
build=$1; shift

passed=0
failed=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or failed outside a test
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures="$failures $t"
		cat "$log"
	fi
	printf '%-50s %3d passed, %d failed\n' "${t#"$build"/}" "$p" "$f"
done

if [ "$unit_only" -eq 0 ]; then
	for s in tests/e2e/*.sh; do
		[ -e "$s" ] || continue
		if sh "$s" "$build" >"$log" 2>&1; then
			passed=$((passed + 1))
			printf '%-50s ok\n' "$s"
		else
			failed=$((failed + 1))
			failures="$failures $s"
			cat "$log"
			printf '%-50s FAILED\n' "$s"
		fi
	done
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
