#!/usr/bin/env bash
# Install the Debian packages restauth needs to build, run and test, skipping those present.
# libh2o-evloop-dev and libssl-dev are the HTTP engine and its TLS library.
# postgresql-15 provides the server binaries the PostgreSQL store's tests start
# (tests/pg/pg-server.sh); libpq-dev the client library restauthd links. The end-to-end tests
# check /metrics with promtool (package prometheus) and every response against the OpenAPI
# documents with python3-jsonschema and python3-yaml.
# libsystemd-dev: sd_notify; systemd: systemd-analyze, which checks the unit in dist/;
# debhelper, dpkg-dev, fakeroot and lintian build and check the Debian packages (`make deb`).
# `deps.sh cluster` adds what `make cluster` runs besides: nginx.
# `deps.sh test` also installs what the console's browser tests need: Debian's chromium,
# Node.js with npm (unless a node and an npm are on the PATH already) and the npm packages
# pinned in tests/console/package-lock.json and the OpenAPI lint's in tests/docs (npm ci, when
# node_modules is missing); and
# nginx-light, which the forward-authentication tests run in front of restauthd.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libh2o-evloop-dev libssl-dev libjansson-dev libsqlite3-dev
      libsodium-dev libcurl4-openssl-dev openssl curl python3-pytest sqlite3
      clang libclang-rt-14-dev valgrind groff-base postgresql-15 libpq-dev prometheus
      python3-jsonschema python3-yaml libsystemd-dev systemd debhelper dpkg-dev fakeroot lintian)
if [ "${1:-}" = cluster ] || [ "${1:-}" = test ]; then
  pkgs+=(nginx-light)
fi
if [ "${1:-}" = test ]; then
  pkgs+=(chromium nginx-light)
  command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = test ] && [ ! -d "$(dirname "$0")/../tests/console/node_modules" ]; then
  echo "installing the browser tests' npm packages (npm ci)"
  npm ci --prefix "$(dirname "$0")/../tests/console" --no-audit --no-fund >/dev/null
fi
if [ "${1:-}" = test ] && [ ! -d "$(dirname "$0")/../tests/docs/node_modules" ]; then
  echo "installing the OpenAPI lint's npm packages (npm ci)"
  npm ci --prefix "$(dirname "$0")/../tests/docs" --no-audit --no-fund >/dev/null
fi
