# SIGINT during a run: exit 130, the database passes integrity_check, the
# earlier finished run is intact and the interrupted one is marked so.
. "$(dirname "$0")/common.inc"

"$MESHSIM" run tests/e2e/scenarios/mm1.yaml -o "$TMP/r.db" --progress never >/dev/null
before=$(sqlite3 "$TMP/r.db" "SELECT hex(hist) FROM stat ORDER BY stat_id")

"$MESHSIM" run tests/e2e/scenarios/long.yaml -o "$TMP/r.db" --progress never >"$TMP/long.out" 2>&1 &
pid=$!
sleep 2
kill -INT "$pid"
set +e; wait "$pid"; rc=$?; set -e
[ "$rc" -eq 130 ] || { cat "$TMP/long.out"; fail "interrupted run exited $rc, expected 130"; }

[ "$(sqlite3 "$TMP/r.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
[ "$(sqlite3 "$TMP/r.db" "SELECT group_concat(status, ',') FROM (SELECT status FROM run ORDER BY run_id)")" = "ok,interrupted" ] \
	|| fail "statuses: $(sqlite3 "$TMP/r.db" 'SELECT status FROM run')"
after=$(sqlite3 "$TMP/r.db" "SELECT hex(s.hist) FROM stat s JOIN run r USING (run_id) WHERE r.status='ok' ORDER BY stat_id")
[ "$before" = "$after" ] || fail "the finished run changed"
# Interrupted runs stay out of confidence intervals.
n=$(sqlite3 "$TMP/r.db" "SELECT count(*) FROM v_point_run")
[ "$n" -eq 1 ] || fail "v_point_run counts $n runs"
exit 0
