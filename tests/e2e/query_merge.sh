#!/bin/sh
# End to end: `meshsim merge` and `meshsim query` on databases made with
# the sqlite3 shell from db/schema.sql (independent of `meshsim run`).
# Usage: query_merge.sh BUILD_DIR
set -eu
bin="$1/meshsim"
[ -x "$bin" ] || { echo "no $bin"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# two single-run databases: replications 0 and 1 of the same point
make_db() { # file uuid replication throughput
	sqlite3 "$1" < db/schema.sql
	sqlite3 "$1" "INSERT INTO run (run_uuid, scenario_name, config_hash, config_json, seed,
		replication, tool_version, started_at, status)
		VALUES ('$2', 'demo', 'h1', '{}', 1, $3, 'test', '2026-01-01T00:00:00.000Z', 'ok');
		INSERT INTO scalar VALUES (1, 'client', '', 'throughput', $4, '1/s');
		INSERT INTO run_param VALUES (1, 'qps', '100', 100);"
}
make_db "$tmp/a.db" aaaa 0 10
make_db "$tmp/b.db" bbbb 1 11

out=$("$bin" merge "$tmp/all.db" "$tmp/a.db" "$tmp/b.db") || fail "merge exit $?"
echo "$out" | grep -q "2 runs added, 0 already present" || fail "merge said: $out"
out=$("$bin" merge "$tmp/all.db" "$tmp/b.db") || fail "second merge"
echo "$out" | grep -q "0 runs added, 1 already present" || fail "second merge said: $out"

n=$("$bin" query "$tmp/all.db" runs --format csv | wc -l)
[ "$n" -eq 3 ] || fail "runs csv has $n lines"
"$bin" query "$tmp/all.db" --format table | grep -q aaaa || fail "runs table"

# mean 10.5 and 95 % t half-width 12.706 * 0.7071 / sqrt(2) = 6.353 over 2 replications
js=$("$bin" query "$tmp/all.db" compare -F json)
echo "$js" | grep -q '"n": 2' || fail "compare n: $js"
echo "$js" | grep -q '"mean": 10.5' || fail "compare mean: $js"
echo "$js" | grep -q '"ci95": 6.3531' || fail "compare ci95: $js"
v=$("$bin" query "$tmp/all.db" --sql "SELECT sum(value) FROM scalar" -F csv | tail -n 1 | tr -d '\r')
[ "$v" = "21" ] || [ "$v" = "21.0" ] || fail "sum is $v"

# errors and their exit statuses
set +e
"$bin" query "$tmp/all.db" --sql "DELETE FROM run" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "--sql DELETE exit $rc"
grep -q "must not write" "$tmp/err" || fail "--sql DELETE message: $(cat "$tmp/err")"
"$bin" query "$tmp/all.db" nosuchquery 2>/dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "unknown query exit $rc"
"$bin" query "$tmp/missing.db" 2>/dev/null; rc=$?
[ "$rc" -eq 66 ] || fail "missing db exit $rc"
echo "not a database at all, just some text to fill a page or so" > "$tmp/text.db"
"$bin" query "$tmp/text.db" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 65 ] || fail "text db exit $rc"
grep -q "not a meshsim database" "$tmp/err" || fail "text db message"
"$bin" merge "$tmp/text.db" "$tmp/a.db" 2>"$tmp/err"; rc=$?
[ "$rc" -eq 73 ] || fail "merge into text file exit $rc"
"$bin" merge 2>/dev/null; rc=$?
[ "$rc" -eq 2 ] || fail "merge usage exit $rc"

# a locked output: fails cleanly with 74, and loses nothing
(echo "BEGIN EXCLUSIVE; INSERT INTO meta VALUES ('lock', '1');"; sleep 3; echo "ROLLBACK;") |
	sqlite3 "$tmp/all.db" &
lockpid=$!
sleep 1
make_db "$tmp/c.db" cccc 2 12
MESHSIM_DB_BUSY_TIMEOUT_MS=200 "$bin" merge "$tmp/all.db" "$tmp/c.db" 2>"$tmp/err"; rc=$?
wait $lockpid
[ "$rc" -eq 74 ] || fail "locked merge exit $rc"
grep -q "locked by another process" "$tmp/err" || fail "locked message: $(cat "$tmp/err")"
set -e
"$bin" merge "$tmp/all.db" "$tmp/c.db" | grep -q "1 run added" || fail "merge after unlock"
[ "$(sqlite3 "$tmp/all.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
[ "$(sqlite3 "$tmp/all.db" 'SELECT count(*) FROM run')" = 3 ] || fail "run count"
echo ok
