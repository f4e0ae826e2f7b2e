# Two fidelities on about 200 pods: per request and per flow (one connection
# in ten as events, the rest fluid) agree within 5 % on CPU per component
# and 10 % on the p99 of all requests, with a tenth of the events.
. "$(dirname "$0")/common.inc"
S=tests/e2e/scenarios/fidelity.yaml
for f in per-request per-flow; do
	"$MESHSIM" run "$S" --set spec.fidelity=$f --set 'spec.workloads[0].qps=3000/s' \
		--progress never -o "$TMP/f.db" --output-format json >"$TMP/$f.json"
done
python3 - "$TMP/per-request.json" "$TMP/per-flow.json" "$TMP/f.db" <<'PY'
import json, sqlite3, sys
a, b = (json.load(open(p))["runs"][0] for p in sys.argv[1:3])
for x, y in zip(a["components"], b["components"]):
    cx = x["cpu_user_cores"] + x["cpu_kernel_cores"]
    cy = y["cpu_user_cores"] + y["cpu_kernel_cores"]
    assert x["name"] == y["name"] and cx > 0
    assert abs(cy - cx) / cx < 0.05, (x["name"], cx, cy)
db = sqlite3.connect(sys.argv[3])
(p1, n1), (p2, n2) = db.execute(
    "SELECT p99, count FROM stat WHERE entity_kind='client' AND entity='' ORDER BY run_id").fetchall()
assert abs(p2 - p1) / p1 < 0.10, (p1, p2)
assert n2 < n1 / 5 and b["events"] < a["events"] / 5, (n1, n2, a["events"], b["events"])
w = b["workloads"][0]
assert w["sampled_connections"] == 4 and w["connections"] == 40, w
assert abs(w["throughput"] - 3000) / 3000 < 0.01, w["throughput"]
PY
exit 0
