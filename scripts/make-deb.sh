#!/usr/bin/env bash
# `make deb`: build restauth's Debian packages (debian/) with dpkg-buildpackage from a copy of
# the source tree in OUT/restauth-VERSION (the files git tracks, and new ones it does not
# ignore), then check them with lintian. The .deb files land in OUT.
# usage: scripts/make-deb.sh OUT
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
src=$out/restauth-$version

rm -rf "$src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  xargs -0 cp --parents -t "$src" 2>/dev/null || true)
# Files deleted but not yet committed are listed by git and missing: cp skips them.
[ -f "$src/debian/rules" ] || { echo "make-deb: the copy of the tree is incomplete" >&2; exit 1; }

cd "$src"
DEB_BUILD_OPTIONS="parallel=${JOBS:-2} ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b
cd "$out"
changes=$(ls restauth_"$version"_*.changes)
echo "== lintian $changes"
# Errors fail the build; warnings and the rest are shown.
lintian --fail-on error --display-info --tag-display-limit 0 "$changes"
ls -1 "$out"/*.deb
