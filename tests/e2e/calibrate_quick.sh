#!/bin/sh
# End to end: `meshsim calibrate --quick` runs every kernel in under a
# minute and writes a valid profile; bad arguments give the documented
# exit codes. JSON is checked with the sqlite3 shell's JSON functions.
# Usage: calibrate_quick.sh BUILD_DIR
set -eu
bin="$1/meshsim"
[ -x "$bin" ] || { echo "no $bin"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
prof="$tmp/profile.json"

start=$(date +%s)
"$bin" calibrate --quick -o "$prof" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; fail "calibrate exit $?"; }
secs=$(( $(date +%s) - start ))
[ "$secs" -lt 60 ] || fail "calibrate --quick took ${secs}s"
[ -s "$prof" ] || fail "no profile written"
grep -q "calibrate: \[1/" "$tmp/err" || fail "no progress on stderr"
grep -q "tls13.mtls.x25519.ecdsa.client" "$tmp/out" || fail "no summary on stdout"

q() { sqlite3 :memory: "SELECT $1 FROM (SELECT readfile('$prof') AS j);"; }
[ "$(q "json_valid(j)")" = 1 ] || fail "profile is not valid JSON"
[ "$(q "json_extract(j, '\$.format')")" = meshsim-calibration ] || fail "format"
[ "$(q "json_extract(j, '\$.version')")" = 1 ] || fail "version"
[ "$(q "json_extract(j, '\$.settings.mode')")" = quick ] || fail "mode"
[ -n "$(q "json_extract(j, '\$.host.cpu_model')")" ] || fail "host.cpu_model"
q "json_extract(j, '\$.host.libraries.openssl')" | grep -q "^OpenSSL 3" || fail "openssl version"
[ -n "$(q "json_extract(j, '\$.host.kernel.release')")" ] || fail "host.kernel"
# no kernel failed its check (skips are allowed: they say why)
failed=$(q "(SELECT count(*) FROM json_each(json_extract(j, '\$.kernels')) WHERE json_extract(value, '\$.status') = 'failed')")
[ "$failed" = 0 ] || fail "$failed kernel(s) failed"
nops=$(q "(SELECT count(*) FROM json_each(json_extract(j, '\$.operations')))")
[ "$nops" -ge 35 ] || fail "only $nops operations"
# plausible magnitudes (ns): an mTLS handshake side 20 us .. 50 ms, a syscall 10 ns .. 20 us
hs=$(q "json_extract(j, '\$.operations.\"tls13.mtls.x25519.ecdsa.server\".fixed_ns')")
awk -v x="$hs" 'BEGIN { exit !(x > 20000 && x < 5e7) }' || fail "handshake $hs ns"
sc=$(q "json_extract(j, '\$.operations.\"sys.syscall\".fixed_ns')")
awk -v x="$sc" 'BEGIN { exit !(x > 10 && x < 20000) }' || fail "syscall $sc ns"
pb=$(q "json_extract(j, '\$.operations.\"aead.aes128gcm.seal\".fit.per_unit_ns')")
awk -v x="$pb" 'BEGIN { exit !(x > 0.005 && x < 50) }' || fail "AES-GCM per byte $pb ns"
r2=$(q "json_extract(j, '\$.operations.\"aead.aes128gcm.seal\".fit.r2')")
awk -v x="$r2" 'BEGIN { exit !(x > 0.5 && x <= 1) }' || fail "AES-GCM fit R2 $r2"
[ "$(q "json_extract(j, '\$.operations.\"sys.memcpy\".model')")" = interp ] || fail "memcpy model"

# --only, --list and errors
"$bin" calibrate --quick --only http1 -o "$tmp/h.json" >/dev/null 2>&1 || fail "--only http1"
n=$(sqlite3 :memory: "SELECT count(*) FROM json_each(json_extract(readfile('$tmp/h.json'), '\$.kernels'))")
[ "$n" = 1 ] || fail "--only ran $n kernels"
"$bin" calibrate --list | grep -q "^tls " || fail "--list"
set +e
"$bin" calibrate --only nosuch >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "unknown kernel exit $rc"
"$bin" calibrate --bogus >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "bad option exit $rc"
"$bin" calibrate --quick --only http1 -o /nonexistent-dir/x.json >/dev/null 2>&1; rc=$?
[ "$rc" = 73 ] || fail "unwritable output exit $rc"
set -e
echo "calibrate_quick: ok (${secs}s)"
