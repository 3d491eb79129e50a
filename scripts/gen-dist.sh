#!/usr/bin/env bash
# Write what is generated from restauthd's option and command tables: dist/restauthd.conf
# (`restauthd config-example` with the packaged paths) and the COMMANDS and OPTIONS sections
# of docs/man/restauthd.8 (`restauthd manual`, between its GENERATED markers).
# usage: scripts/gen-dist.sh RESTAUTHD          rewrite both files
#        scripts/gen-dist.sh RESTAUTHD --check  fail, with the difference, if either is stale
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
mode=${2:-write}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" config-example --store sqlite:/var/lib/restauth/restauth.db \
  --access-log /var/log/restauth/access.log --user restauth >"$tmp/restauthd.conf"
"$bin" manual >"$tmp/sections"
awk -v sections="$tmp/sections" '
  /^\.\\" BEGIN GENERATED/ { print; while ((getline line < sections) > 0) print line; skip = 1; next }
  /^\.\\" END GENERATED/   { skip = 0 }
  !skip                    { print }
' "$root/docs/man/restauthd.8" >"$tmp/restauthd.8"
grep -q '^\.SH OPTIONS' "$tmp/restauthd.8" || { echo "gen-dist: no GENERATED markers" >&2; exit 1; }

status=0
for pair in "restauthd.conf:dist/restauthd.conf" "restauthd.8:docs/man/restauthd.8"; do
  fresh=$tmp/${pair%%:*}
  committed=$root/${pair#*:}
  if [ "$mode" = --check ]; then
    if ! diff -u "$committed" "$fresh"; then
      echo "gen-dist: ${pair#*:} differs from a fresh one; run scripts/gen-dist.sh $bin" >&2
      status=1
    fi
  else
    cp "$fresh" "$committed"
  fi
done
exit $status
