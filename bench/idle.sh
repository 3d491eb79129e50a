#!/usr/bin/env bash
# bench/idle.sh: RSS of restauthd per idle keep-alive connection, plain and over TLS
# (bench/idle.py does the work). Raises the limit on open files for itself and the server it
# starts, listens on 127.0.0.1 only, and ends by itself.
#   RESTAUTHD=build/bin/restauthd CONNECTIONS=10000 bench/idle.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONNECTIONS=${CONNECTIONS:-10000}
need=$((CONNECTIONS + 1024)) # the client and the server each hold one end
if (($(ulimit -Hn) < need)); then
    ulimit -Hn "$need" 2>/dev/null || { echo "idle: cannot raise the open-file limit to $need (run as root)" >&2; exit 2; }
fi
ulimit -Sn "$need"
cd "$ROOT"
exec /usr/bin/python3 "$ROOT/bench/idle.py" --restauthd "${RESTAUTHD:-build/bin/restauthd}" \
    --connections "$CONNECTIONS" "$@"
