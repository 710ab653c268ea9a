#!/bin/bash
# reflectord@.service as systemd itself reads it: `systemd-analyze verify` accepts it, and
# `systemd-analyze security --offline=true` rates its exposure at most 2.5, at the figure the
# README gives. verify wants ExecStart='s binary where the unit says; a private mount
# namespace puts the built one at /usr/sbin/reflectord without touching the host.
#   usage: unit_analyze_test.sh UNIT REFLECTORD README
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
unit=$(realpath "$1"); reflectord=$(realpath "$2"); readme=$(realpath "$3")
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (tools/setup.sh installs systemd)"

scratch=$(mktemp -d /tmp/reflectord-analyze.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
cp "$unit" "$scratch/reflectord@.service"

out=$(unshare --mount --propagation private sh -c '
  mount -t tmpfs reflectord-analyze /usr/sbin && cp "$1" /usr/sbin/reflectord &&
  systemd-analyze verify --man=no "$2/reflectord@.service" 2>&1' sh "$reflectord" "$scratch") ||
  fail "systemd-analyze verify: $out"
[[ -z "$out" ]] || fail "systemd-analyze verify complains: $out"
echo "ok: systemd-analyze verify"

security=$(cd "$scratch" && systemd-analyze security --offline=true --no-pager \
  ./reflectord@.service 2>&1) || fail "systemd-analyze security: $security"
[[ "$security" =~ "Overall exposure level for reflectord@"[^:]*": "([0-9]+\.[0-9])" " ]] ||
  fail "no exposure figure in: $security"
exposure=${BASH_REMATCH[1]}
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.5) }' || fail "exposure $exposure > 2.5: $security"
grep -q "rates its exposure at $exposure " "$readme" ||
  fail "README.md does not say \"rates its exposure at $exposure \" (systemd-analyze security says $exposure)"
echo "ok: exposure $exposure"
