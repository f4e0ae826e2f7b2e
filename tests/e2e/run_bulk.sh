# Bulk transfer (netperf TCP_STREAM-style workloads, per flow): the rate of
# a stream is its slowest stage's or the wire's, WireGuard encrypts only
# cross-node, the MTU matters, streams share a link, the stream's CPU shows
# in the node-kernel component and the results are stored.
. "$(dirname "$0")/common.inc"
WG=configs/scenarios/calibration/c2-stream-wireguard.yaml
BASE=configs/scenarios/calibration/c2-stream-baseline.yaml
run() { # name scenario [--set ...]
	local name=$1 scn=$2
	shift 2
	"$MESHSIM" run "$scn" "$@" --progress never --output-format json >"$TMP/$name.json" ||
		fail "run $name"
}
run wg "$WG" -o "$TMP/bulk.db"
run wg-same "$WG" --set 'spec.services[0].placement.nodeIndex=0'
run wg-off "$WG" --set spec.mesh.wireguard=false
run wg-9000 "$WG" --set spec.cluster.network.mtu=9000
run shared "$BASE" --set 'spec.workloads[0].connections=2' --set spec.cluster.network.bandwidth=10G
run wg-again "$WG"
python3 - "$TMP" <<'PY' || fail "bulk results"
import json, sys
t = sys.argv[1]
def run(name):
    return json.load(open(f"{t}/{name}.json"))["runs"][0]
def gbps(name):
    w = run(name)["workloads"][0]
    assert w["kind"] == "bulk" and w["sent"] == 0, w
    return w["throughput_bps"] / 1e9
wg = gbps("wg")
# the fitted figure (calibration.md C2, 4.7 Gbit/s)
assert abs(wg - 4.7) / 4.7 < 0.01, wg
# same node: no WireGuard (Cilium encrypts only cross-node), no wire
assert gbps("wg-same") > 5 * wg, (gbps("wg-same"), wg)
assert gbps("wg-off") > 5 * wg, (gbps("wg-off"), wg)
# jumbo frames: fewer packets per byte, each priced at its size
assert 2 * wg < gbps("wg-9000") < 6 * wg, gbps("wg-9000")
# two streams over one 10 Gbit/s link: the link's payload share, 1448 of
# every 1538 bytes on the wire
assert abs(gbps("shared") - 10 * 1448 / 1538) < 1e-6, gbps("shared")
# the stream's CPU: its nodes' kernel work, as the node-kernel component
r = run("wg")
w = r["workloads"][0]
kern = [c for c in r["components"] if c["name"] == "node-kernel"][0]
both = w["client_node_cpu_cores"] + w["server_node_cpu_cores"]
assert w["client_node_cpu_cores"] > 0.5 and w["server_node_cpu_cores"] > 0.5, w
assert abs(kern["cpu_kernel_cores"] - both) < 1e-9 * both, (kern, both)
# deterministic
assert json.dumps(run("wg")["workloads"]) == json.dumps(run("wg-again")["workloads"])
PY
n=$("$MESHSIM" query "$TMP/bulk.db" --sql "SELECT count(*) AS n FROM scalar WHERE name='throughput_bits' AND value > 4.6e9" --format csv | tail -1 | tr -d "\r ")
[ "$n" = 1 ] || fail "throughput_bits not stored (got $n)"
exit 0
