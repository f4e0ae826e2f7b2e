# meshsim run on the default scenario: the numbers follow from the model
# (8 synchronised connections at 125 rps each, 4 workers, fixed 1 ms), the
# output formats agree, and the same seed gives byte-identical results.
. "$(dirname "$0")/common.inc"

# With a profile that has no hops, the figures follow by hand.
NOHOPS="--set spec.mesh.profile=$(pwd)/tests/e2e/scenarios/no-hops.yaml"
expect_exit 0 "$MESHSIM" run configs/scenarios/default.yaml --progress never $NOHOPS
out="$TMP/out"
grep -q 'throughput: 1000.0 req/s' "$out" || fail "throughput"
grep -q 'sent=9000, ok=9000, timeouts=0' "$out" || fail "counts"
# Every 8 ms all 8 connections send at once: 4 are served at once (1 ms),
# 4 wait for a worker (2 ms), so p50 = 1 ms, p90 = 2 ms, mean 1.5 ms.
grep -q 'avg=1.500' "$out" || fail "mean latency"
grep -q '50.00th=\[    1.000\],  90.00th=\[    2.000\]' "$out" || fail "percentiles"
grep -q 'worker utilization 25.0%' "$out" || fail "utilization"

# The real no-mesh profile adds the kernel's share: a few tens of µs.
expect_exit 0 "$MESHSIM" run configs/scenarios/default.yaml --progress never --output-format json
python3 - "$TMP/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p50 = d["runs"][0]["workloads"][0]["latency"]["percentiles"]["50"]
assert 0.001 < p50 < 0.0011, p50
k = [c for c in d["runs"][0]["components"] if c["name"] == "node-kernel"][0]
assert k["cpu_kernel_cores"] > 0 and k["cpu_dashboard_cores"] == 0, k
PY

# JSON and Fortio JSON carry the same figures.
expect_exit 0 "$MESHSIM" run configs/scenarios/default.yaml --progress never --output-format json $NOHOPS
python3 - "$TMP/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
w = d["runs"][0]["workloads"][0]
assert w["ok"] == 9000 and abs(w["throughput"] - 1000) < 1e-9, w
assert abs(w["latency"]["mean"] - 0.0015) < 1e-12, w["latency"]
assert w["latency"]["percentiles"]["99"] == 0.002
PY

# No request completes (a service without pods): the latency statistics
# are null in JSON, not 0 s, and the failures are counted.
expect_exit 0 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --progress never --output-format json \
	--set 'spec.services[0].replicas=0' --set spec.duration=2s
python3 - "$TMP/out" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))["runs"][0]["workloads"][0]
lat = w["latency"]
assert lat["count"] == 0 and w["ok"] == 0 and w["failed"] > 0, w
assert all(lat[k] is None for k in ("min", "max", "mean", "stddev", "percentiles")), lat
PY

# A workload that sends for part of the run: its throughput and window are
# those of the time it sends (4 s to 6 s), not the whole statistics window;
# one that sends only in the warm-up says its requests are not counted.
# The run's throughput (its KPI) is over the whole statistics window.
expect_exit 0 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --progress never --output-format json \
	--set spec.duration=10s --set spec.warmup=1s --set 'spec.workloads[0].start=4s' \
	--set 'spec.workloads[0].duration=2s' -o "$TMP/part.db"
python3 - "$TMP/out" "$TMP/part.db" <<'PY'
import json, sqlite3, sys
w = json.load(open(sys.argv[1]))["runs"][0]["workloads"][0]
assert w["window_s"] == 2 and abs(w["throughput"] - w["requested_qps"]) < 0.01 * w["requested_qps"], w
(kpi,), = sqlite3.connect(sys.argv[2]).execute(
    "SELECT value FROM scalar WHERE entity_kind = 'client' AND entity = '' AND name = 'throughput'").fetchall()
assert abs(kpi - w["throughput"] * 2 / 9) < 1e-6 * kpi, (kpi, w["throughput"])
PY
expect_exit 0 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --progress never \
	--set spec.duration=10s --set spec.warmup=3s --set 'spec.workloads[0].duration=2s'
grep -q "warning: workload fortio: sends only during the warm-up" "$TMP/err" || fail "no warm-up warning"

# An application's CPU requests and limits are not modelled: said, not
# silently dropped.
expect_exit 0 "$MESHSIM" run tests/e2e/scenarios/mm1.yaml --progress never --set spec.duration=1s \
	--set 'spec.services[0].resources={limits: {cpu: 100m}}'
grep -q "warning: spec.services\[0\].resources: an application's requests and limits are not modelled" \
	"$TMP/err" || fail "no warning for a service's resources"

# fortio-json: the fields and types of Fortio's result file (times in
# seconds, RequestedQPS a string, cumulative Percent in Data).
expect_exit 0 "$MESHSIM" run configs/scenarios/default.yaml --progress never --output-format fortio-json $NOHOPS
python3 - "$TMP/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
types = {"RunType": str, "Labels": str, "StartTime": str, "RequestedQPS": str,
         "RequestedDuration": str, "ActualQPS": float, "ActualDuration": int,
         "NumThreads": int, "DurationHistogram": dict, "RetCodes": dict}
for k, t in types.items():
    assert isinstance(d[k], t), (k, type(d[k]))
h = d["DurationHistogram"]
for k in ("Count", "Min", "Max", "Sum", "Avg", "StdDev", "Data", "Percentiles"):
    assert k in h, k
assert h["Count"] == 9000 and d["RetCodes"]["200"] == 9000 and d["NumThreads"] == 8
assert d["RequestedQPS"] == "1000" and abs(d["ActualQPS"] - 1000) < 1e-9
assert abs(h["Avg"] - 0.0015) < 1e-12 and h["Min"] == 0.001 and h["Max"] == 0.002
assert [p["Percentile"] for p in h["Percentiles"]] == [50, 75, 90, 99, 99.9]
assert abs(h["Data"][-1]["Percent"] - 100) < 1e-9
assert sum(b["Count"] for b in h["Data"]) == 9000
assert all(b["Start"] < b["End"] for b in h["Data"])
PY

# Determinism: same seed, byte-identical stored results and JSON figures.
"$MESHSIM" run tests/e2e/scenarios/mm1.yaml -o "$TMP/a.db" --progress never --output-format json >"$TMP/a.json"
"$MESHSIM" run tests/e2e/scenarios/mm1.yaml -o "$TMP/a0.db" --progress never $NOHOPS >/dev/null
"$MESHSIM" run tests/e2e/scenarios/mm1.yaml -o "$TMP/b.db" --progress never --output-format json >"$TMP/b.json"
"$MESHSIM" run tests/e2e/scenarios/mm1.yaml -o "$TMP/c.db" --progress never --seed 12 --output-format json >"$TMP/c.json"
dump() {
	sqlite3 "$1" "SELECT entity_kind, entity, name, count, quote(sum), quote(p99), hex(hist) FROM stat ORDER BY 1,2,3;
	              SELECT entity_kind, entity, name, quote(value) FROM scalar ORDER BY 1,2,3;
	              SELECT config_hash, seed, replication, events, status FROM run;"
}
dump "$TMP/a.db" >"$TMP/a.dump"
dump "$TMP/b.db" >"$TMP/b.dump"
dump "$TMP/c.db" >"$TMP/c.dump"
cmp -s "$TMP/a.dump" "$TMP/b.dump" || fail "same seed gave different stored results"
cmp -s "$TMP/a.dump" "$TMP/c.dump" && fail "another seed gave the same results"
# Common random numbers: another service and workload added in front
# leave the api service's results byte-identical (without hops, so that
# the two services share no CPU and only the random numbers could differ).
"$MESHSIM" run tests/e2e/scenarios/crn.yaml -o "$TMP/crn.db" --progress never $NOHOPS >/dev/null
q="SELECT name, count, quote(sum), hex(hist) FROM stat WHERE entity='fortio'"
[ "$(sqlite3 "$TMP/a0.db" "$q")" = "$(sqlite3 "$TMP/crn.db" "$q")" ] || fail "adding a service changed another's random numbers"

strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [r.pop(k) for r in d["runs"] for k in ("wall_s","run_uuid")]; print(json.dumps(d, sort_keys=True))' "$1"; }
[ "$(strip "$TMP/a.json")" = "$(strip "$TMP/b.json")" ] || fail "same seed gave different JSON"

# A wrk2-style generator on a 1 ms timer (timerResolution) sends a request that
# waits for its turn up to a tick late: its mean latency, counted from its
# turn, grows by about half a tick; the rate holds.
for t in 0s 1ms; do
	"$MESHSIM" run tests/e2e/scenarios/mm1.yaml --set "spec.workloads[0].timerResolution=$t" \
		--set "spec.workloads[0].type=constant-throughput" \
		--progress never --output-format json >"$TMP/tick-$t.json"
done
python3 - "$TMP/tick-0s.json" "$TMP/tick-1ms.json" <<'PY' || fail "timerResolution"
import json, sys
a, b = (json.load(open(p))["runs"][0]["workloads"][0] for p in sys.argv[1:3])
grow = b["latency"]["mean"] - a["latency"]["mean"]
assert 0.3e-3 < grow < 0.7e-3, grow
assert abs(b["throughput"] - a["throughput"]) / a["throughput"] < 0.01, (a["throughput"], b["throughput"])
PY
exit 0
