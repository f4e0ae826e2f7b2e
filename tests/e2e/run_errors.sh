# Bad input gets a clear error and nothing is written: an invalid scenario
# exits 65 naming file:line:col and the field path without creating the
# database; a missing file exits 66; an unwritable or foreign database
# exits 73 and is left alone.
. "$(dirname "$0")/common.inc"

sed 's/qps: 800\/s/qps: -5/' tests/e2e/scenarios/mm1.yaml >"$TMP/bad.yaml"
expect_exit 65 "$MESHSIM" run "$TMP/bad.yaml" -o "$TMP/never.db"
grep -q "bad.yaml:[0-9]*:[0-9]*: .*spec.workloads\[0\].qps" "$TMP/err" || { cat "$TMP/err"; fail "error lacks position or path"; }
[ ! -e "$TMP/never.db" ] || fail "an invalid scenario created the database"

expect_exit 66 "$MESHSIM" run "$TMP/missing.yaml"
expect_exit 65 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --set spec.duration=-1s -o "$TMP/never.db"
[ ! -e "$TMP/never.db" ] || fail "an invalid override created the database"
expect_exit 2 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --set spec.duration -o "$TMP/never.db"
expect_exit 2 "$MESHSIM" validate tests/e2e/scenarios/mm1.yaml --set spec.duration
expect_exit 2 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --output-format xml
expect_exit 2 "$MESHSIM" run

# A calibration profile that is missing (66) or not a profile (65).
expect_exit 66 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --calibration "$TMP/none.json" -o "$TMP/never.db"
echo '{"format": "something else"}' >"$TMP/notprofile.json"
expect_exit 65 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --calibration "$TMP/notprofile.json" -o "$TMP/never.db"
[ ! -e "$TMP/never.db" ] || fail "a bad calibration profile created the database"

# A mesh profile that does not exist is bad input in the scenario: run and
# validate both exit 65 at spec.mesh.profile's line and column (or its
# --set), before any database is opened.
sed -e 's/^spec:$/spec:\n  mesh: {mode: istio-sidecar, profile: istio-sidecar-9.99}/' \
	tests/e2e/scenarios/mm1.yaml >"$TMP/noprof2.yaml"
for cmd in "run -o $TMP/never.db --progress never" validate; do
	expect_exit 65 "$MESHSIM" $cmd "$TMP/noprof2.yaml"
	grep -q "noprof2.yaml:[0-9]*:[0-9]*: error: spec.mesh.profile: mesh profile \"istio-sidecar-9.99\" not found" \
		"$TMP/err" || { cat "$TMP/err"; fail "$cmd: a missing mesh profile lacks its position"; }
	expect_exit 65 "$MESHSIM" $cmd tests/e2e/scenarios/mm1.yaml --set spec.mesh.profile=nope
	grep -q "^--set spec.mesh.profile=nope: error: spec.mesh.profile" "$TMP/err" ||
		{ cat "$TMP/err"; fail "$cmd: a missing mesh profile set by --set is not named so"; }
done
expect_exit 65 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --set spec.mesh.mode=linkerd \
	--set spec.mesh.profile=nope.yaml -o "$TMP/never.db"
grep -q "^--set spec.mesh.profile=nope.yaml: error: spec.mesh.profile: mesh profile file .*nope.yaml not found" \
	"$TMP/err" || { cat "$TMP/err"; fail "a missing mesh profile file is not named as the scenario's error"; }
[ ! -e "$TMP/never.db" ] || fail "a missing mesh profile created the database"
# A profile file with an error: validate of the scenario names its line.
sed -e 's/op: sys.epoll_wait/op: sys.epol_wait/' configs/meshes/linkerd.yaml >"$TMP/typo.yaml"
expect_exit 65 "$MESHSIM" validate tests/e2e/scenarios/mm1.yaml --set spec.mesh.mode=linkerd \
	--set "spec.mesh.profile=$TMP/typo.yaml"
grep -q "typo.yaml:[0-9]*:[0-9]*: error: spec.hops\[[0-9]*\].ops\[[0-9]*\].op: unknown operation \"sys.epol_wait\"" \
	"$TMP/err" || { cat "$TMP/err"; fail "validate passed a scenario whose profile has an error"; }

echo "not a database" >"$TMP/foreign.db"
cp "$TMP/foreign.db" "$TMP/foreign.orig"
expect_exit 73 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml -o "$TMP/foreign.db" --progress never
cmp -s "$TMP/foreign.db" "$TMP/foreign.orig" || fail "a foreign file was modified"
exit 0
