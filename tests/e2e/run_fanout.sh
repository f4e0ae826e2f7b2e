# Call graphs: a front service calls two others for each request, in
# parallel, through the mesh. Every call is served, and the latency is the
# front's time plus the slower call plus the mesh's overhead.
. "$(dirname "$0")/common.inc"
"$MESHSIM" run tests/e2e/scenarios/fanout.yaml --progress never --output-format json >"$TMP/f.json"
python3 - "$TMP/f.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
w = r["workloads"][0]
served = {s["name"]: s["served"] for s in r["services"]}
# Each front request made one call to each backend (the last few may be
# in flight at the end of the run).
assert 0 <= served["face"] - served["smiley"] <= w["in_flight"] + 2, served
assert 0 <= served["face"] - served["color"] <= w["in_flight"] + 2, served
lat = w["latency"]
# 2 ms at the front, then the 5 ms call (the 1 ms one runs alongside).
assert 0.007 < lat["min"] and lat["max"] < 0.0085, lat
proxies = [c for c in r["components"] if c["name"] == "proxy"][0]
# 9 server pods and 1 client pod, each with a linkerd2-proxy.
assert proxies["instances"] == 10, proxies
PY
# Without the calls, the same front service answers in its own 2 ms plus
# the mesh: the calls are what make the latency.
sed '/calls:/,/service: color, count: 1/d' tests/e2e/scenarios/fanout.yaml >"$TMP/nocalls.yaml"
"$MESHSIM" run "$TMP/nocalls.yaml" --progress never --output-format json >"$TMP/n.json"
python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))["runs"][0]["workloads"][0]
assert 0.002 < w["latency"]["max"] < 0.003, w["latency"]' "$TMP/n.json"
exit 0
