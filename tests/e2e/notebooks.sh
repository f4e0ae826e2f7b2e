# The notebooks run top to bottom against a database of real runs
# (three replications of two meshes), with plain Python.
. "$(dirname "$0")/common.inc"
S=tests/e2e/scenarios/closed.yaml
"$MESHSIM" run "$S" -o "$TMP/r.db" --replications 3 --progress never >/dev/null
"$MESHSIM" run "$S" -o "$TMP/r.db" --set spec.mesh.mtls=false --progress never >/dev/null
for nb in notebooks/*.ipynb; do
	MESHSIM_DB="$TMP/r.db" python3 tools/run-notebook.py "$nb" >"$TMP/out" 2>&1 \
		|| { cat "$TMP/out"; fail "$nb failed"; }
	grep -q "sidecar" "$TMP/out" || { cat "$TMP/out"; fail "$nb showed no component"; }
	# The interval over the three replications is there (n = 3, a half-width).
	grep -Eq "latency +p99 +s +3 +[0-9.e-]+ +[0-9.e-]+" "$TMP/out" || { cat "$TMP/out"; fail "$nb showed no interval"; }
done
exit 0
