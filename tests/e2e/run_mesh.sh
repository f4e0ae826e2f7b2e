# Runs through a mesh: Little's law in a closed loop, every request
# accounted for, mTLS off lowers the sidecars' CPU, cross-node WireGuard
# costs kernel CPU that same-node traffic does not, and the same seed gives
# byte-identical results.
. "$(dirname "$0")/common.inc"
S=tests/e2e/scenarios/closed.yaml

json() { "$MESHSIM" run "$@" --progress never --output-format json; }
json "$S" >"$TMP/a.json"
json "$S" >"$TMP/b.json"
json "$S" --set spec.mesh.mtls=false >"$TMP/plain.json"
python3 - "$TMP/a.json" "$TMP/b.json" "$TMP/plain.json" <<'PY'
import json, sys
a, b, plain = (json.load(open(p)) for p in sys.argv[1:4])
r = a["runs"][0]; w = r["workloads"][0]
# Little's law: X * W = N (10 in flight), up to the window's edges.
n = w["throughput"] * w["latency"]["mean"]
assert abs(n - 10) / 10 < 0.01, n
# Conservation: every request sent in the window is answered or in flight.
assert w["sent"] == w["ok"] + w["timeouts"] + w["failed"] + w["in_flight"], w
assert w["timeouts"] == 0 and w["failed"] == 0
# Determinism.
for run in (a, b):
    for x in run["runs"]:
        x.pop("wall_s")
assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
# mTLS off: less sidecar CPU per request, same number of sidecars.
def per_req(doc, name):
    r = doc["runs"][0]
    c = [c for c in r["components"] if c["name"] == name][0]
    return (c["cpu_user_cores"] + c["cpu_kernel_cores"]) / r["workloads"][0]["throughput"], c["instances"]
on, n_on = per_req(a, "sidecar")
off, n_off = per_req(plain, "sidecar")
assert n_on == n_off == 2 and off < on, (on, off)
PY

# North-south: a client outside the cluster has no sidecar; the server's
# sidecar is the only one. The client is outside the mesh too and speaks
# plaintext: turning mTLS off changes nothing (it once charged the server's
# sidecar for TLS records the client never sent).
json "$S" --set 'spec.workloads[0].source=outside' >"$TMP/ns.json"
json "$S" --set 'spec.workloads[0].source=outside' --set spec.mesh.mtls=false >"$TMP/ns-plain.json"
python3 - "$TMP/ns.json" "$TMP/ns-plain.json" <<'PY'
import json, sys
r, plain = (json.load(open(p))["runs"][0] for p in sys.argv[1:3])
sidecars = [c for c in r["components"] if c["name"] == "sidecar"][0]
assert sidecars["instances"] == 1, sidecars
assert r["workloads"][0]["ok"] > 0
for k in ("components", "workloads", "services"):
    assert r[k] == plain[k], (k, r[k], plain[k])
PY

# Cilium with WireGuard: kernel CPU for encryption only cross-node.
cil="--set spec.mesh.mode=cilium --set spec.mesh.mtls=false --set spec.mesh.wireguard=true --set spec.mesh.authorization.l7Rules=0"
json "$S" $cil >"$TMP/cross.json" 2>"$TMP/cross.err"
json "$S" $cil --set spec.services[0].placement.nodeIndex=0 >"$TMP/same.json" 2>"$TMP/same.err"
# ... and says so when no traffic goes between nodes.
grep -q "warning: spec.mesh.wireguard: no traffic goes between nodes" "$TMP/same.err" ||
	fail "no warning for WireGuard without cross-node traffic"
! grep -q "spec.mesh.wireguard" "$TMP/cross.err" || fail "a WireGuard warning with cross-node traffic"
python3 - "$TMP/cross.json" "$TMP/same.json" <<'PY'
import json, sys
cross, same = (json.load(open(p))["runs"][0] for p in sys.argv[1:3])
def kernel_per_req(r):
    k = [c for c in r["components"] if c["name"] == "node-kernel"][0]
    return k["cpu_kernel_cores"] / r["workloads"][0]["throughput"]
# WireGuard seal+open of a 1420 B packet is about 1.6 us (reference profile):
# cross-node requests pay it for each packet both ways.
assert kernel_per_req(cross) > kernel_per_req(same) + 2e-6, (kernel_per_req(cross), kernel_per_req(same))
PY
exit 0
