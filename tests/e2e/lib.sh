# Shared helpers for the end-to-end scripts (sourced, not run).
# $1 of each script is the build directory holding the meshsim binary.
set -eu
BUILD=${1:?build directory}
MESHSIM="$BUILD/meshsim"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # expect_exit CODE command...
	want=$1; shift
	set +e; "$@" >"$TMP/out" 2>"$TMP/err"; got=$?; set -e
	[ "$got" -eq "$want" ] || { cat "$TMP/out" "$TMP/err" >&2; fail "$* exited $got, expected $want"; }
}
