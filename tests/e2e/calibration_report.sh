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
exit 0
