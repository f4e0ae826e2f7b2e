# The build records the revision it was built from, in `meshsim version` and
# in every run it stores: before common/build_info.c, each object file kept
# the revision of the build that last compiled it, so an incremental build
# reported the first commit's revision.
. "$(dirname "$0")/common.inc"
want=$(git describe --always --dirty 2>/dev/null || echo unknown)
got=$("$MESHSIM" version --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["git_rev"])')
[ "$got" = "$want" ] || fail "meshsim version says git $got, the sources are at $want"
"$MESHSIM" run tests/e2e/scenarios/mm1.yaml --set spec.duration=1s --progress never \
	-o "$TMP/v.db" >/dev/null
stored=$(sqlite3 "$TMP/v.db" "SELECT git_rev FROM run")
[ "$stored" = "$want" ] || fail "the run stored git $stored, the sources are at $want"
exit 0
