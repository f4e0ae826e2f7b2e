# The first run is clean under valgrind: no invalid access, no leak.
. "$(dirname "$0")/common.inc"
# Under `make check` the binary carries ASan, which cannot run under
# valgrind; ASan and UBSan check it there instead.
if [ -n "${MESHSIM_SANITIZED:-}" ]; then
	echo "skipped: sanitizer build (ASan checks it)"
	exit 0
fi
command -v valgrind >/dev/null || fail "valgrind is not installed (make deps installs it)"
valgrind --quiet --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	"$MESHSIM" run tests/e2e/scenarios/mm1.yaml -o "$TMP/v.db" --progress never >"$TMP/out" 2>"$TMP/err" \
	|| { cat "$TMP/err"; fail "valgrind reported errors"; }
# And through a mesh with a call graph (pools, call records, waypoints).
valgrind --quiet --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	"$MESHSIM" run tests/e2e/scenarios/fanout.yaml --set spec.mesh.mode=istio-ambient \
	--set spec.mesh.l7=true --set spec.duration=3s --progress never >"$TMP/out" 2>"$TMP/err" \
	|| { cat "$TMP/err"; fail "valgrind reported errors on the mesh run"; }
# And a bulk stream (per-flow stages, fluid demand) through WireGuard.
valgrind --quiet --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	"$MESHSIM" run configs/scenarios/calibration/c2-stream-wireguard.yaml \
	--set 'spec.workloads[0].connections=3' -o "$TMP/b.db" --progress never >"$TMP/out" 2>"$TMP/err" \
	|| { cat "$TMP/err"; fail "valgrind reported errors on the bulk run"; }
exit 0
