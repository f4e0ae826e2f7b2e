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

# Its plot too (with a stand-in for matplotlib, which the test machine may
# lack), on a database whose first run has a bulk workload: no latency
# percentiles there (the plot once failed on them).
mkdir -p "$TMP/stub/matplotlib"
echo 'def use(backend): pass' >"$TMP/stub/matplotlib/__init__.py"
cat >"$TMP/stub/matplotlib/pyplot.py" <<'PY'
class _Axes:
    def plot(self, xs, ys, **kw):
        assert all(isinstance(y, float) for y in ys), ys
    def __getattr__(self, name):
        return lambda *a, **kw: None
def subplots():
    return None, _Axes()
PY
"$MESHSIM" run tests/e2e/scenarios/mm1.yaml -o "$TMP/b.db" --replications 3 --progress never \
	--set spec.duration=2s --set spec.mesh.mode=istio-sidecar \
	--set 'spec.workloads[1]={name: b, type: bulk, target: api}' >/dev/null 2>&1
MESHSIM_DB="$TMP/b.db" PYTHONPATH="$TMP/stub" python3 tools/run-notebook.py notebooks/overview.ipynb \
	>"$TMP/out" 2>&1 || { cat "$TMP/out"; fail "the notebook's plot on a run with a bulk workload"; }
exit 0
