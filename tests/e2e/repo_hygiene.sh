# The tracked files hold no merge-conflict markers: docs/meshes.md once
# shipped with one, which no other test reads closely enough to notice.
. "$(dirname "$0")/common.inc"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	if git grep -n -I -E '^(<<<<<<<|>>>>>>>)( |$)' -- . >"$TMP/markers"; then
		cat "$TMP/markers" >&2
		fail "merge-conflict markers in tracked files"
	fi
fi
exit 0
