# The calibration report: every figure of calibration.md that meshsim models
# and that is not tagged weak is within 15 % (tools/calibration_report.py).
. "$(dirname "$0")/common.inc"
python3 tools/calibration_report.py "$MESHSIM" --check >"$TMP/report" 2>"$TMP/err" \
	|| { cat "$TMP/err"; fail "calibration figures off by more than 15 %"; }
grep -q '| C1 | Istio 1.24 sidecar CPU' "$TMP/report" || fail "the report lacks C1"
# the older Istio versions' rows, from the variant profiles
for v in 1.20 1.9-1.16; do
	grep -q "| C1 | Istio $v sidecar CPU per 1000 rps .* | fit: istio-sidecar-$v frameworkPerRequest |" \
		"$TMP/report" || fail "the report lacks the C1 Istio $v sidecar CPU row"
	grep -q "| C1 | Istio $v sidecar memory" "$TMP/report" || fail "the report lacks the C1 Istio $v memory row"
done
# the 2023 latency chart: no mesh and two 1.20 sidecars at 2-64 connections,
# held rows, the known misses, and the conflicting 1.20 text
for n in 2 4 8 16 32 64; do
	grep -q "| C1 | 2023 chart p90, no mesh, $n connections |" "$TMP/report" \
		|| fail "the report lacks the C1 chart's no-mesh p90 at $n connections"
	grep -q "| C1 | 2023 chart p90, two Istio 1.20 sidecars, $n connections |" "$TMP/report" \
		|| fail "the report lacks the C1 chart's two-sidecar p90 at $n connections"
	grep -q "| C1 | 2023 chart p99, two Istio 1.20 sidecars, $n connections |" "$TMP/report" \
		|| fail "the report lacks the C1 chart's two-sidecar p99 at $n connections"
done
grep -q "| C1 | 2023 chart p90, two Istio 1.20 sidecars, 4 connections | .* | fit: istio-sidecar-1.20 wakeupDelay |" \
	"$TMP/report" || fail "the C1 chart's fitted point is not marked as the wake-up delay's fit"
grep -q '^Conflicting, reported not held' "$TMP/report" || fail "the report lacks its conflicting section"
grep -q '| C1 | Istio 1.20 text: two sidecars add to p90' "$TMP/report" \
	|| fail "the report lacks the conflicting C1 1.20 latency text"
grep -q '| C3 | ztunnel CPU (sum) at 1200 rps' "$TMP/report" || fail "the report lacks C3's levels"
grep -q '| C3 | Linkerd proxies memory (sum) at 60 rps' "$TMP/report" || fail "the report lacks C3's memory"
grep -q '| C5 | Cilium agent memory at 50,000 pods' "$TMP/report" || fail "the report lacks C5"
# C2's TCP_RR figures: the Cilium variants (profiles in configs/meshes/) are rows.
for row in 'Cilium legacy host routing TCP_RR' 'Cilium IPsec TCP_RR, MTU 1500' \
	'Cilium IPsec TCP_RR, MTU 9000' 'Cilium WireGuard TCP_RR, MTU 9000'; do
	grep -q "| C2 | $row |" "$TMP/report" || fail "the report lacks C2 $row"
done
# ... and the 32-process figure, a known miss.
grep -q '| C2 | Cilium TCP_RR with 32 processes: requests/s' "$TMP/report" \
	|| fail "the report lacks C2's 32-process TCP_RR"
grep -q '^Known misses' "$TMP/report" || fail "the report lacks its known misses"

# The check can fail: a copy of the configs whose sidecar framework CPU is
# 2.5 times the fitted one misses C1 by far, and --check says so.
W=$TMP/work
mkdir -p "$W" && cp -r configs tools "$W"/
sed -i 's/^        value: 178[0-9]*ns$/        value: 450000ns/' "$W/configs/meshes/istio-sidecar.yaml"
grep -q 'value: 450000ns' "$W/configs/meshes/istio-sidecar.yaml" || fail "could not perturb the profile"
abs_meshsim=$(cd "$(dirname "$MESHSIM")" && pwd)/$(basename "$MESHSIM")
(cd "$W" && python3 tools/calibration_report.py "$abs_meshsim" --check >/dev/null 2>"$TMP/err2") \
	&& fail "--check passed with a sidecar 2.5 times too expensive"
grep -q 'C1 Istio 1.24 sidecar CPU per 1000 rps' "$TMP/err2" || fail "the miss is not named: $(cat "$TMP/err2")"
exit 0
