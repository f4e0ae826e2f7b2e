# meshsim run -o: a stored run queried back gives the printed numbers;
# replications carry means and 95 % t intervals; merging two databases
# equals running both into one.
. "$(dirname "$0")/common.inc"
S=tests/e2e/scenarios/mm1.yaml

expect_exit 0 "$MESHSIM" run "$S" -o "$TMP/r.db" --progress never --output-format json
python3 - "$TMP/out" "$TMP/r.db" <<'PY'
import json, sqlite3, sys
d = json.load(open(sys.argv[1]))
w = d["runs"][0]["workloads"][0]
db = sqlite3.connect(sys.argv[2])
(status, n) = db.execute("SELECT status, count(*) FROM run").fetchone()
assert status == "ok" and n == 1
p99, cnt, mean = db.execute("SELECT p99, count, mean FROM stat WHERE entity='fortio' AND name='latency'").fetchone()
assert cnt == w["latency"]["count"], (cnt, w)
assert p99 == w["latency"]["percentiles"]["99"], (p99, w)
assert abs(mean - w["latency"]["mean"]) < 1e-15
(tp,) = db.execute("SELECT value FROM scalar WHERE entity='fortio' AND name='throughput'").fetchone()
assert tp == w["throughput"]
(kpi,) = db.execute("SELECT count(*) FROM v_kpi").fetchone()
assert kpi == 1
attrs = dict(db.execute("SELECT name, value FROM run_attr"))
assert attrs["calibration.sha256"] == d["calibration"]["sha256"] and len(attrs["calibration.sha256"]) == 64
assert attrs["calibration.source"].endswith("configs/calibration/reference.json")
PY

# Replications: three runs, a summary with intervals, and v_point_ci.
expect_exit 0 "$MESHSIM" run "$S" -o "$TMP/reps.db" --progress never --replications 3
grep -q 'summary over 3 replications' "$TMP/out" || fail "no replication summary"
n=$(sqlite3 "$TMP/reps.db" "SELECT count(DISTINCT replication) FROM run WHERE status='ok'")
[ "$n" -eq 3 ] || fail "expected 3 replications, got $n"
expect_exit 0 "$MESHSIM" query "$TMP/reps.db" compare --format csv
grep -q 'latency' "$TMP/out" || fail "compare shows no latency"

# Points made with --set are told apart by their overrides (run_param: those
# no later override replaces, by the same path or an object holding it; not
# the seed): compare shows which mesh is which.
for m in none linkerd; do
	"$MESHSIM" run "$S" -o "$TMP/set.db" --progress never --seed 5 \
		--set spec.mesh.mode=istio-sidecar --set spec.mesh.mode=$m >/dev/null
done
"$MESHSIM" run "$S" -o "$TMP/set.db" --progress never --set spec.mesh.mode=linkerd \
	--set 'spec.mesh={mode: istio-sidecar}' --set spec.mesh.mtls=false >/dev/null
got=$(sqlite3 "$TMP/set.db" "SELECT group_concat(name || '=' || value, ' ') FROM
                             (SELECT name, value FROM run_param ORDER BY run_id, name)")
[ "$got" = "spec.mesh.mode=none spec.mesh.mode=linkerd spec.mesh={mode: istio-sidecar} spec.mesh.mtls=false" ] ||
	fail "run_param: $got"
expect_exit 0 "$MESHSIM" query "$TMP/set.db" compare --format csv
grep -q '"{""spec.mesh.mode"":""linkerd""}"' "$TMP/out" || { cat "$TMP/out"; fail "compare shows no params"; }

# merge(a, b) holds the same results as running both into one database.
"$MESHSIM" run "$S" -o "$TMP/a.db" --progress never >/dev/null
"$MESHSIM" run "$S" -o "$TMP/b.db" --progress never --seed 99 >/dev/null
"$MESHSIM" run "$S" -o "$TMP/both.db" --progress never >/dev/null
"$MESHSIM" run "$S" -o "$TMP/both.db" --progress never --seed 99 >/dev/null
expect_exit 0 "$MESHSIM" merge "$TMP/m.db" "$TMP/a.db" "$TMP/b.db"
dump() {
	sqlite3 "$1" "SELECT r.seed, s.entity_kind, s.entity, s.name, s.count, quote(s.sum), hex(s.hist)
	              FROM stat s JOIN run r USING (run_id) ORDER BY 1,2,3,4;
	              SELECT r.seed, s.entity_kind, s.entity, s.name, quote(s.value)
	              FROM scalar s JOIN run r USING (run_id) ORDER BY 1,2,3,4;"
}
[ "$(dump "$TMP/m.db")" = "$(dump "$TMP/both.db")" ] || fail "merge differs from running both into one"
[ "$(sqlite3 "$TMP/m.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
exit 0
