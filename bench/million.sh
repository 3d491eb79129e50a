#!/usr/bin/env bash
# bench/million.sh: restauthd with a million credentials in its store.
#
#   start-up   time from exec to the listening line, and RSS once listening
#   auth       authenticated GET /dev/v1/projects req/s against one credential, with the million
#              loaded and with an empty table (wrk, keep-alive, pinned as in run.sh)
#   revocation an outside deletion (`restauthd secret delete` in another process): time until the
#              running server refuses the pair, and the server CPU that cost (the CPU of the
#              thread that applies outside changes over that time, less its idle CPU over a
#              window of the same length)
#
# Usage: bash bench/million.sh                 (SQLite, N=1000000)
#        KIND=postgresql bash bench/million.sh (a throwaway PostgreSQL 15 via tests/pg/pg-server.sh)
# Environment: N (credentials), RESTAUTHD (default build/bin/restauthd), DURATION (wrk seconds, 5),
#              ROUNDS (deletions timed, 5), SERVER_CPU / CLIENT_CPU (0 / 1).
# Everything lives in a temporary directory removed at exit; only processes this script started
# are stopped, by PID. Output: a Markdown table on stdout and in bench/out/million-KIND.md.
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KIND=${KIND:-sqlite}
N=${N:-1000000}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-5}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
RESTAUTHD=${RESTAUTHD:-$ROOT/build/bin/restauthd}
[[ $RESTAUTHD == /* ]] || RESTAUTHD=$ROOT/$RESTAUTHD
[[ -x $RESTAUTHD ]] || { echo "million: no restauthd at $RESTAUTHD" >&2; exit 1; }
for t in wrk curl sqlite3 taskset; do
    command -v "$t" >/dev/null || { echo "million: $t is needed (apt-get install wrk curl sqlite3)" >&2; exit 1; }
done
log() { printf 'million: %s\n' "$*" >&2; }

TMP=$(mktemp -d /tmp/restauth-million.XXXXXX)
chmod 755 "$TMP"
PIDS=()
PG_DIR=
cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n $PG_DIR ]]; then
        bash "$ROOT/tests/pg/pg-server.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
    fi
    rm -rf -- "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

KEYF=$TMP/server.key
if [[ $KIND == sqlite ]]; then
    DB=$TMP/restauth.db
    STORE=sqlite:$DB
elif [[ $KIND == postgresql ]]; then
    PG_DIR=/tmp/restauth-million-pg-$$ # the postgres user must reach it: not under $TMP
    STORE=$(bash "$ROOT/tests/pg/pg-server.sh" start "$PG_DIR" | tail -n1)
else
    echo "million: KIND is sqlite or postgresql" >&2
    exit 2
fi
ra() { "$RESTAUTHD" "$@" --store "$STORE" --key-file "$KEYF"; }

# A store with three real pairs (so that one can be deleted) and N bulk ones.
ra init >/dev/null 2>&1
ra account add bench >/dev/null
ra account add bulk >/dev/null
pair() { ra secret add --account bench | awk '{print $2}' | paste -sd: -; }
REAL=$(pair)
VICTIMS=()
for ((i = 0; i < ROUNDS; i++)); do VICTIMS+=("$(pair)"); done
log "loading $N bulk credentials into $KIND"
t0=$(date +%s.%N)
if [[ $KIND == sqlite ]]; then
    sqlite3 "$DB" "PRAGMA synchronous=OFF; BEGIN;
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $N)
        INSERT INTO credentials (customer_id, account_id, hash, created, last_used, status, issued)
        SELECT lower(hex(randomblob(16))), (SELECT id FROM accounts WHERE name = 'bulk'),
               randomblob(32), 1000, 0, 1, 1000 FROM c;
        DELETE FROM changes; COMMIT;"
else
    psql "$STORE" -q -v ON_ERROR_STOP=1 -c "BEGIN;
        INSERT INTO credentials (customer_id, account_id, hash, created, last_used, status, issued)
        SELECT md5(random()::text || g), (SELECT id FROM accounts WHERE name = 'bulk'),
               decode(md5(g::text) || md5(random()::text), 'hex'), 1000, 0, 1, 1000
        FROM generate_series(1, $N) g;
        DELETE FROM changes; COMMIT;" >/dev/null
fi
log "loaded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

port() { awk 'BEGIN { srand(); print 20000 + int(rand() * 10000) }'; }
# serve LOGFILE: start a node, wait for its listening line; prints "PID PORT SECONDS".
serve() {
    local err=$1 p i t0 t1
    p=$(port)
    t0=$(date +%s.%N)
    taskset -c "$SERVER_CPU" "$RESTAUTHD" serve --store "$STORE" --key-file "$KEYF" \
        --listen "127.0.0.1:$p" --access-log off --rate-limit 0 --auth-fail-limit 0 2>"$err" &
    local pid=$!
    for ((i = 0; i < 1200; i++)); do
        if grep -q "listening on" "$err"; then
            t1=$(date +%s.%N)
            echo "$pid $p $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$err" >&2; exit 1; }
        sleep 0.05
    done
    kill -TERM "$pid"
    echo "million: the server did not start within 60 s" >&2
    exit 1
}
rss() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
# CPU time, in nanoseconds (schedstat: far finer than clock ticks), of the thread of PID that
# applies outside changes (named ra-sync): the work a deletion made elsewhere costs the server.
# The request threads are left out: they serve the prober's requests.
cpu_ns() {
    local t
    for t in /proc/"$1"/task/*; do
        if [[ $(cat "$t/comm") == ra-sync ]]; then
            awk '{ print $1 }' "$t/schedstat"
            return
        fi
    done
    echo "million: no ra-sync thread in PID $1" >&2
    exit 1
}
rps() { # rps PORT CREDENTIAL
    local auth
    auth=$(printf '%s' "$2" | base64 -w0)
    taskset -c "$CLIENT_CPU" wrk -t1 -c32 -d"${DURATION}s" -H "Authorization: Basic $auth" \
        "http://127.0.0.1:$1/dev/v1/projects" | awk '/^Requests\/sec:/ {printf "%.0f", $2}'
}

read -r PID PORT STARTUP < <(serve "$TMP/full.err")
PIDS+=("$PID") # serve ran in a subshell: its PIDS+= did not reach this one
RSS_FULL=$(rss "$PID")
log "start-up with $N credentials: ${STARTUP} s, RSS ${RSS_FULL} MiB"
RPS_FULL=$(rps "$PORT" "$REAL")
log "authenticated req/s with $N credentials: $RPS_FULL"

# Outside deletions: time to refusal, and the server's CPU for it.
times=() cpus=()
for v in "${VICTIMS[@]}"; do
    id=${v%%:*}
    c0=$(cpu_ns "$PID"); sleep 1; c1=$(cpu_ns "$PID")
    idle=$((c1 - c0))
    c0=$(cpu_ns "$PID")
    ms=$(/usr/bin/python3 - "$RESTAUTHD" "$STORE" "$KEYF" "$PORT" "$v" <<'PY'
import base64, http.client, subprocess, sys, time
binary, store, key, port, cred = sys.argv[1:]
auth = "Basic " + base64.b64encode(cred.encode()).decode()
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=5)
def status():
    conn.request("GET", "/dev/v1/projects", headers={"Authorization": auth})
    r = conn.getresponse(); r.read(); return r.status
assert status() == 201
cid = cred.split(":")[0]
subprocess.run([binary, "secret", "delete", cid, "--store", store, "--key-file", key], check=True)
t0 = time.monotonic()
while status() != 401:
    if time.monotonic() - t0 > 30:
        sys.exit("not refused within 30 s")
    time.sleep(0.001)
print(f"{(time.monotonic() - t0) * 1000:.1f}")
PY
)
    c1=$(cpu_ns "$PID")
    # Less what the thread spends idle-polling over a window of the same length.
    cpu=$(awk -v d=$((c1 - c0)) -v i="$idle" -v ms="$ms" \
        'BEGIN { v = (d - i * ms / 1000) / 1e6; if (v < 0) v = 0; printf "%.2f", v }')
    log "deletion of $id refused after $ms ms, server CPU about $cpu ms"
    times+=("$ms")
    cpus+=("$cpu")
done
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true

# The same server over an empty table (only the real pairs), for the authentication rate.
if [[ $KIND == sqlite ]]; then
    sqlite3 "$DB" "DELETE FROM credentials WHERE account_id = (SELECT id FROM accounts WHERE name = 'bulk');"
else
    psql "$STORE" -q -v ON_ERROR_STOP=1 -c \
        "DELETE FROM credentials WHERE account_id = (SELECT id FROM accounts WHERE name = 'bulk');" >/dev/null
fi
read -r PID2 PORT2 STARTUP2 < <(serve "$TMP/empty.err")
PIDS+=("$PID2")
RSS_EMPTY=$(rss "$PID2")
RPS_EMPTY=$(rps "$PORT2" "$REAL")
log "authenticated req/s with an empty table: $RPS_EMPTY (start-up ${STARTUP2} s, RSS ${RSS_EMPTY} MiB)"

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mkdir -p "$ROOT/bench/out"
{
    echo "### $N credentials on $KIND ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD))"
    echo
    echo "| measure | value |"
    echo "|---|---:|"
    echo "| start-up, $N credentials | ${STARTUP} s |"
    echo "| RSS once listening, $N credentials | ${RSS_FULL} MiB |"
    echo "| RSS once listening, empty table | ${RSS_EMPTY} MiB |"
    echo "| authenticated req/s, $N credentials | $RPS_FULL |"
    echo "| authenticated req/s, empty table | $RPS_EMPTY |"
    echo "| outside deletion refused after (median of $ROUNDS; all: ${times[*]}) | $(median "${times[@]}") ms |"
    echo "| server CPU for it (median; all: ${cpus[*]}) | $(median "${cpus[@]}") ms |"
} | tee "$ROOT/bench/out/million-$KIND.md"
