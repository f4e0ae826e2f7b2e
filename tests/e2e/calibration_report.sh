# The calibration report: every figure of calibration.md that meshsim models
# and that is not tagged weak is within 15 % (tools/calibration_report.py).
. "$(dirname "$0")/common.inc"
python3 tools/calibration_report.py "$MESHSIM" --check >"$TMP/report" 2>"$TMP/err" \
	|| { cat "$TMP/err"; fail "calibration figures off by more than 15 %"; }
grep -q '| C1 | Istio 1.24 sidecar CPU' "$TMP/report" || fail "the report lacks C1"
# C2's TCP_RR figures: the Cilium variants (profiles in configs/meshes/) are rows.
for row in 'Cilium legacy host routing TCP_RR' 'Cilium IPsec TCP_RR, MTU 1500' \
	'Cilium IPsec TCP_RR, MTU 9000' 'Cilium WireGuard TCP_RR, MTU 9000'; do
	grep -q "| C2 | $row |" "$TMP/report" || fail "the report lacks C2 $row"
done
# ... and the 32-process figure, shown as predicted but not held.
grep -q '| C2 | Cilium TCP_RR with 32 processes: requests/s' "$TMP/report" \
	|| fail "the report lacks C2's 32-process TCP_RR"
exit 0
