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

# With the platform's wake-up CPU (C3's GKE nodes, a call graph, 3 client
# pods, 3 waypoint replicas): per flow corrects M/M/k's wake-up chance by
# what the sampled hops show of a request's hops arriving together, and a
# sampled hop wakes a worker or not at random with that chance. Measured,
# the worst CPU is ztunnel at 600 rps (+8.9 %), looser than the 5 % above
# (which holds without wake-ups), the worst p99 +9.4 %. This holds them to
# 10 % and 10 %.
C3=configs/scenarios/calibration/c3-faces.yaml
for q in 60 240 600 1200; do
	for f in per-request per-flow; do
		"$MESHSIM" run "$C3" --set spec.fidelity=$f --set "spec.workloads[0].qps=$q/s" \
			--progress never --output-format json >"$TMP/c3-$f-$q.json"
	done
	python3 - "$TMP/c3-per-request-$q.json" "$TMP/c3-per-flow-$q.json" <<'PY' || fail "C3 fidelity at $q rps"
import json, sys
a, b = (json.load(open(p))["runs"][0] for p in sys.argv[1:3])
for x, y in zip(a["components"], b["components"]):
    if x["name"] == "node-kernel":
        continue
    cx, cy = x["cpu_dashboard_cores"], y["cpu_dashboard_cores"]
    assert x["name"] == y["name"] and cx > 0 and y["wakeups_per_s"] > 0
    assert abs(cy - cx) / cx < 0.10, (x["name"], cx, cy)
pa, pb = (r["workloads"][0]["latency"]["percentiles"] for r in (a, b))
p99 = lambda p: p["99"]
assert p99(pa) and abs(p99(pb) - p99(pa)) / p99(pa) < 0.10, (p99(pa), p99(pb))
PY
done
exit 0
