#!/usr/bin/env bash
# dist/restauthd.service: `systemd-analyze verify` finds nothing wrong with it, and its
# exposure score (`systemd-analyze security`) is 2.0 or lower. The unit names
# /usr/sbin/restauthd and restauthd(8), which a build tree does not install: a copy of the
# unit points at the built binary and MANPATH at the page in the source tree.
# usage: verify-unit.sh UNIT RESTAUTHD MANPAGE
set -euo pipefail
unit=$1 bin=$2 page=$3
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is missing (scripts/deps.sh)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/man/man8"
cp "$page" "$tmp/man/man8/restauthd.8"
sed "s|/usr/sbin/restauthd|$bin|" "$unit" >"$tmp/restauthd.service"
grep -q "^ExecStart=$bin serve" "$tmp/restauthd.service"

if ! MANPATH=$tmp/man systemd-analyze verify "$tmp/restauthd.service" >"$tmp/out" 2>&1 ||
   grep -q . "$tmp/out"; then
  cat "$tmp/out" >&2
  echo "verify-unit: systemd-analyze verify complains about $unit" >&2
  exit 1
fi

score=$(systemd-analyze security --offline=true "$tmp/restauthd.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for restauthd.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || { echo "verify-unit: no exposure score" >&2; exit 1; }
echo "exposure score: $score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || {
  echo "verify-unit: exposure score $score is above 2.0" >&2
  exit 1
}
