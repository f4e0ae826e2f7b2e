#!/bin/sh
# End to end: `meshsim validate` and `meshsim explain` on the scenario files.
# Valid files print "FILE: ok (...)" and exit 0; every bad file exits 65 with
# FILE:LINE:COL: error: PATH: MESSAGE lines; a missing file exits 66; nothing
# is written. Usage: validate.sh BUILD_DIR (run from the repository root).
set -eu
bin="$1/meshsim"
[ -x "$bin" ] || { echo "no $bin"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect STATUS CMD...: runs CMD, stdout to $tmp/out, stderr to $tmp/err
expect() {
	want=$1; shift
	set +e
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || { cat "$tmp/out" "$tmp/err"; fail "exit $got, not $want: $*"; }
}

# valid files
for f in configs/scenarios/*.yaml tests/scenarios/*.yaml; do
	expect 0 "$bin" validate "$f"
	grep -q "^$f: ok (" "$tmp/out" || fail "$f: $(cat "$tmp/out")"
done
expect 0 "$bin" validate configs/scenarios/default.yaml tests/scenarios/minimal.yaml
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "two files, not two lines"
grep -Eq '^configs/scenarios/default.yaml: ok \(Scenario default, hash [0-9a-f]{12}\)$' \
	"$tmp/out" || fail "ok line: $(cat "$tmp/out")"

# A workload switched to closed-loop with --set alone: qps 0 (as fast as
# possible) is what a closed loop does, so it may stay.
expect 0 "$bin" validate tests/e2e/scenarios/mm1.yaml --set 'spec.workloads[0].type=closed-loop' \
	--set 'spec.workloads[0].qps=0'
expect 65 "$bin" validate tests/e2e/scenarios/mm1.yaml --set 'spec.workloads[0].type=closed-loop'

# every bad file: exit 65, one error line per error with a position, then a count
for f in tests/scenarios/bad/*.yaml; do
	[ "$f" = tests/scenarios/bad/no-scenario.yaml ] && continue # valid as a PriceSheet
	expect 65 "$bin" validate "$f"
	grep -Eq "^$f(:[0-9]+:[0-9]+)?: error: " "$tmp/err" || fail "$f: $(cat "$tmp/err")"
	tail -n 1 "$tmp/err" | grep -Eq "^$f: [0-9]+ errors?$" || fail "$f: no count line"
done

# the messages the issue names, with file:line:col and the field path
expect 65 "$bin" validate tests/scenarios/bad/out-of-range.yaml
grep -qx 'tests/scenarios/bad/out-of-range.yaml:13:12: error: spec.workloads\[0\].qps: must be >= 0 (got -5)' \
	"$tmp/err" || fail "qps message: $(cat "$tmp/err")"
[ "$(grep -c ': error: ' "$tmp/err")" -eq 4 ] || fail "not all four errors reported"
expect 65 "$bin" validate tests/scenarios/bad/bad-reference.yaml
grep -q ':13:33: error: spec.workloads\[0\].target: unknown service "ech" (did you mean "echo"?)' \
	"$tmp/err" || fail "reference message"
expect 65 "$bin" validate tests/scenarios/bad/unknown-field.yaml
grep -q ':13:7: error: spec.workloads\[0\].qsp: unknown field "qsp" (did you mean "qps"?)' \
	"$tmp/err" || fail "unknown field message"

# mesh profiles: the built-in ones and their variants are valid; every bad
# one exits 65 with FILE:LINE:COL: error: PATH: MESSAGE
for f in configs/meshes/*.yaml; do
	expect 0 "$bin" validate "$f"
	grep -q "^$f: ok (MeshProfile " "$tmp/out" || fail "$f: $(cat "$tmp/out")"
done
# the five modes' built-in profiles are there (variants such as
# cilium-ipsec.yaml are further profiles, validated above)
for m in none istio-sidecar istio-ambient cilium linkerd; do
	[ -f "configs/meshes/$m.yaml" ] || fail "no built-in profile $m"
done
for f in tests/scenarios/bad-mesh/*.yaml; do
	expect 65 "$bin" validate "$f"
	grep -Eq "^$f:[0-9]+:[0-9]+: error: spec\." "$tmp/err" || fail "$f: $(cat "$tmp/err")"
	tail -n 1 "$tmp/err" | grep -Eq "^$f: [0-9]+ errors?$" || fail "$f: no count line"
done
expect 65 "$bin" validate tests/scenarios/bad-mesh/unknown-op.yaml
grep -q ':27:16: error: spec.hops\[0\].ops\[0\].op: unknown operation "http1.parse.requets" (did you mean "http1.parse.request"?)' \
	"$tmp/err" || fail "unknown op message: $(cat "$tmp/err")"
expect 65 "$bin" validate tests/scenarios/bad-mesh/unknown-component.yaml
grep -q ':22:18: error: spec.hops\[0\].component: unknown mesh component "sidecars"' \
	"$tmp/err" || fail "unknown component message: $(cat "$tmp/err")"
expect 0 "$bin" validate --output-format json configs/meshes/cilium.yaml
grep -q '"kind": "MeshProfile"' "$tmp/out" || fail "json mesh profile"
expect 0 "$bin" explain MeshProfile.spec.hops
grep -q "FIELD:    spec.hops <\[\]Hop>" "$tmp/out" || fail "explain hops"
grep -q "frameworkShare	<number>" "$tmp/out" || fail "explain frameworkShare"
expect 0 "$bin" explain MeshProfile.spec.hops.ops.op
grep -q "cost.h" "$tmp/out" || fail "explain op"
expect 0 "$bin" explain Scenario.spec.cluster.network.bandwidth
grep -q "10G means 10" "$tmp/out" || fail "explain bandwidth unit"

# good and bad together: 65, the good one still reported ok
expect 65 "$bin" validate configs/scenarios/default.yaml tests/scenarios/bad/syntax.yaml
grep -q '^configs/scenarios/default.yaml: ok' "$tmp/out" || fail "good file not reported"
# a missing file: 66 (even next to a bad one)
expect 66 "$bin" validate "$tmp/nope.yaml"
grep -q "nope.yaml: error: cannot open" "$tmp/err" || fail "missing file message"
expect 66 "$bin" validate tests/scenarios/bad/syntax.yaml "$tmp/nope.yaml"

# --set: applied, and errors named after it
expect 0 "$bin" validate --set 'spec.workloads[0].qps=2000' configs/scenarios/default.yaml
h1=$(sed -n 's/.*hash \([0-9a-f]*\)).*/\1/p' "$tmp/out")
expect 0 "$bin" validate configs/scenarios/default.yaml
h0=$(sed -n 's/.*hash \([0-9a-f]*\)).*/\1/p' "$tmp/out")
[ "$h0" != "$h1" ] || fail "--set did not change the hash"
expect 0 "$bin" validate --set 'spec.workloads[0].qps=1000/s' configs/scenarios/default.yaml
grep -q "hash $h0" "$tmp/out" || fail "1000/s and 1000 qps hash differently"
expect 65 "$bin" validate --set 'spec.workloads[0].qps=-5' configs/scenarios/default.yaml
grep -qx -- '--set spec.workloads\[0\].qps=-5: error: spec.workloads\[0\].qps: must be >= 0 (got -5)' \
	"$tmp/err" || fail "--set message: $(cat "$tmp/err")"

# json output
expect 65 "$bin" validate --output-format json tests/scenarios/bad/duplicate-key.yaml
grep -q '"line": 11' "$tmp/out" || fail "json: $(cat "$tmp/out")"
grep -q '"path": "spec.duration"' "$tmp/out" || fail "json path"
expect 0 "$bin" validate --output-format=json tests/scenarios/multi.yaml
grep -q '"kind": "PriceSheet"' "$tmp/out" || fail "json documents"

# usage errors
expect 2 "$bin" validate
expect 2 "$bin" validate --output-format xml configs/scenarios/default.yaml
expect 2 "$bin" validate --frobnicate configs/scenarios/default.yaml

# nothing written, valid or not: the directory it runs in stays as it was
mkdir "$tmp/ro"
cp configs/scenarios/default.yaml tests/scenarios/bad/cross-field.yaml "$tmp/ro/"
before=$(ls -la "$tmp/ro")
abs=$(cd "$1" && pwd)/meshsim
(cd "$tmp/ro" && "$abs" validate default.yaml cross-field.yaml >/dev/null 2>&1) || true
[ "$(ls -la "$tmp/ro")" = "$before" ] || fail "validate wrote something"

# explain
expect 0 "$bin" explain
grep -q "Scenario" "$tmp/out" || fail "explain lists kinds"
expect 0 "$bin" explain Scenario.spec.workloads
grep -q "FIELD:    spec.workloads <\[\]Workload>" "$tmp/out" || fail "explain header"
grep -q "qps	<rate>" "$tmp/out" || fail "explain qps"
grep -q "Default: 3s" "$tmp/out" || fail "explain default"
expect 0 "$bin" explain 'Scenario.spec.workloads[0].qps'
grep -q "Range: 0 to 10000000" "$tmp/out" || fail "explain range"
expect 0 "$bin" explain Scenario --recursive
grep -q "serviceTime	<Delay>" "$tmp/out" || fail "explain recursive"
expect 2 "$bin" explain Scenario.spec.nope
grep -q 'has no field "nope"' "$tmp/err" || fail "explain unknown field"
expect 2 "$bin" explain Nope

# the JSON Schema made from the same table accepts the valid files and
# rejects an unknown field (when python3-jsonschema and python3-yaml exist)
expect 0 "$bin" explain Scenario --json-schema
cp "$tmp/out" "$tmp/scenario.schema.json"
expect 2 "$bin" explain Scenario.spec --json-schema
if python3 -c 'import jsonschema, yaml' 2>/dev/null; then
	cat >"$tmp/check.py" <<'PY'
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
want_ok = sys.argv[2] == "ok"
for f in sys.argv[3:]:
    for doc in yaml.safe_load_all(open(f)):
        if doc.get("kind") != "Scenario":
            continue
        errs = [e.message for e in v.iter_errors(doc)]
        if bool(errs) == want_ok:
            sys.exit("%s: %s" % (f, errs or "accepted"))
PY
	python3 "$tmp/check.py" "$tmp/scenario.schema.json" ok configs/scenarios/*.yaml \
		tests/scenarios/*.yaml || fail "JSON Schema rejects a valid file"
	python3 "$tmp/check.py" "$tmp/scenario.schema.json" bad \
		tests/scenarios/bad/unknown-field.yaml tests/scenarios/bad/unknown-unit.yaml \
		|| fail "JSON Schema accepts a bad file"
	expect 0 "$bin" explain MeshProfile --json-schema
	cp "$tmp/out" "$tmp/mesh.schema.json"
	sed 's/"Scenario"/"MeshProfile"/' "$tmp/check.py" >"$tmp/check_mesh.py"
	python3 "$tmp/check_mesh.py" "$tmp/mesh.schema.json" ok configs/meshes/*.yaml \
		|| fail "JSON Schema rejects a mesh profile"
	python3 "$tmp/check_mesh.py" "$tmp/mesh.schema.json" bad \
		tests/scenarios/bad-mesh/bare-number.yaml tests/scenarios/bad-mesh/bad-scope.yaml \
		|| fail "JSON Schema accepts a bad mesh profile"
fi
echo "validate.sh: ok"
