# meshsim.1 stays in step with --help: every long option that a command's
# --help shows appears in the man page, and so does every command.
. "$(dirname "$0")/common.inc"
for cmd in run validate explain query merge calibrate version; do
	set +e; "$MESHSIM" "$cmd" --help >"$TMP/help" 2>&1; set -e
	grep -q "meshsim $cmd\|^\.B meshsim $cmd" meshsim.1 || fail "meshsim.1 lacks command $cmd"
	for opt in $(grep -o -- '--[a-z][a-z-]*' "$TMP/help" | sort -u); do
		[ "$opt" = "--help" ] && continue
		man_opt=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		grep -q -- "$man_opt" meshsim.1 || fail "meshsim.1 lacks $cmd $opt (shown by --help)"
	done
done
exit 0
