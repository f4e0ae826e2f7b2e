#!/bin/sh
# Install the Debian packages meshsim needs to build, test and run.
# Idempotent and quiet: does nothing (and needs no network) when every package is present.
set -eu

PACKAGES="build-essential pkg-config git sqlite3 valgrind python3
libgsl-dev libsqlite3-dev libyaml-dev libjansson-dev libcmocka-dev
libssl-dev libnghttp2-dev libhttp-parser-dev libpcre2-dev iptables"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
