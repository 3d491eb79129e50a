#!/usr/bin/env bash
# bench/cluster.sh: three restauthd nodes on one PostgreSQL 15, on this machine.
#
#   throughput  authenticated GET /dev/v1/projects req/s of one node alone, then of the three
#               nodes at once (one wrk per node, the same total connections), keep-alive
#   queries     PostgreSQL transactions per authenticated request in steady state, from
#               pg_stat_database over the cluster run, less what the nodes do when idle
#               (heartbeats, feed polls) over a window of the same length: it must be 0
#
# Usage: bash bench/cluster.sh     Environment: RESTAUTHD, DURATION (8), CONNECTIONS (60).
# A throwaway PostgreSQL (tests/pg/pg-server.sh) and everything else are removed at exit;
# only processes this script started are stopped, by PID. Output: a Markdown table on stdout
# and in bench/out/cluster.md. On a 2-core machine the nodes, PostgreSQL and wrk share the
# same two cores: the cluster cannot be faster than one node here, and the table says so.
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-8}
CONNECTIONS=${CONNECTIONS:-60}
RESTAUTHD=${RESTAUTHD:-$ROOT/build/bin/restauthd}
[[ $RESTAUTHD == /* ]] || RESTAUTHD=$ROOT/$RESTAUTHD
for t in wrk psql; do
    command -v "$t" >/dev/null || { echo "cluster: $t is needed" >&2; exit 1; }
done
log() { printf 'cluster: %s\n' "$*" >&2; }

TMP=$(mktemp -d /tmp/restauth-cluster.XXXXXX)
PG_DIR=/tmp/restauth-cluster-pg-$$
PIDS=()
cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    bash "$ROOT/tests/pg/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
    rm -rf -- "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STORE=$(bash "$ROOT/tests/pg/pg-server.sh" start "$PG_DIR" | tail -n1)
KEYF=$TMP/server.key
ra() { "$RESTAUTHD" "$@" --store "$STORE" --key-file "$KEYF"; }
ra init >/dev/null 2>&1
ra account add bench >/dev/null
CRED=$(ra secret add --account bench | awk '{print $2}' | paste -sd: -)
AUTH=$(printf '%s' "$CRED" | base64 -w0)

ports=()
for i in 1 2 3; do
    p=$((21000 + RANDOM % 9000 + i))
    "$RESTAUTHD" serve --store "$STORE" --key-file "$KEYF" --listen "127.0.0.1:$p" \
        --access-log off --rate-limit 0 --auth-fail-limit 0 2>"$TMP/node$i.err" &
    PIDS+=($!)
    ports+=("$p")
done
for i in 1 2 3; do
    for _ in $(seq 100); do grep -q "listening on" "$TMP/node$i.err" && break; sleep 0.1; done
    grep -q "listening on" "$TMP/node$i.err" || { cat "$TMP/node$i.err" >&2; exit 1; }
done
url() { echo "http://127.0.0.1:$1/dev/v1/projects"; }
for p in "${ports[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $AUTH" "$(url "$p")")
    [[ $code == 201 ]] || { echo "cluster: node on $p answered $code" >&2; exit 1; }
done
# A PostgreSQL 15 backend publishes its statistics at most once a second while busy, and
# within 10 s once idle: wait that long before each reading.
xacts() {
    sleep 11
    psql "$STORE" -tAq -c "SELECT xact_commit + xact_rollback FROM pg_stat_database
                           WHERE datname = current_database()"
}
wrk_rps() { # wrk_rps CONNECTIONS URL OUT
    wrk -t1 -c"$1" -d"${DURATION}s" -H "Authorization: Basic $AUTH" "$2" >"$3"
    awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$3"
}
reqs_of() { awk '/requests in/ {print $1}' "$1"; }

log "one node alone, $CONNECTIONS connections, ${DURATION}s"
ONE=$(wrk_rps "$CONNECTIONS" "$(url "${ports[0]}")" "$TMP/one.txt")

log "idle window, ${DURATION}s (and the statistics' delay)"
x0=$(xacts); t0=$(date +%s.%N); sleep "$DURATION"; x1=$(xacts); t1=$(date +%s.%N)
IDLE_RATE=$(awk -v d=$((x1 - x0 - 1)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", d / (b - a) }')

log "three nodes at once, $((CONNECTIONS / 3)) connections each, ${DURATION}s"
x0=$(xacts)
t0=$(date +%s.%N)
wrks=()
for i in 0 1 2; do
    wrk_rps $((CONNECTIONS / 3)) "$(url "${ports[$i]}")" "$TMP/three$i.txt" >"$TMP/rps$i" &
    wrks+=($!)
done
wait "${wrks[@]}" # the three loads only: the nodes are children too
x1=$(xacts)
t1=$(date +%s.%N)
THREE=0 REQS=0
for i in 0 1 2; do
    THREE=$((THREE + $(cat "$TMP/rps$i")))
    REQS=$((REQS + $(reqs_of "$TMP/three$i.txt")))
done
BUSY=$((x1 - x0 - 1))
IDLE=$(awk -v r="$IDLE_RATE" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", r * (b - a) }')
PER=$(awk -v b="$BUSY" -v i="$IDLE" -v n="$REQS" 'BEGIN { d = b - i; if (d < 0) d = 0; printf "%.6f", d / n }')
mkdir -p "$ROOT/bench/out"
{
    echo "### three nodes on one PostgreSQL 15 ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) CPUs shared by the nodes, PostgreSQL and wrk)"
    echo
    echo "| measure | value |"
    echo "|---|---:|"
    echo "| authenticated req/s, one node alone | $ONE |"
    echo "| authenticated req/s, three nodes at once (sum) | $THREE |"
    echo "| PostgreSQL transactions during the three-node run | $BUSY |"
    echo "| PostgreSQL transactions idle nodes make over the same time ($IDLE_RATE/s) | $IDLE |"
    echo "| PostgreSQL transactions per authenticated request ((busy - idle) / $REQS requests) | $PER |"
} | tee "$ROOT/bench/out/cluster.md"
