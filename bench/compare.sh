#!/usr/bin/env bash
# bench/compare.sh: two restauthd binaries side by side, interleaved in one run: the
# authenticated GET /dev/v1/projects over plain HTTP keep-alive, pinned as bench/run.sh pins
# (server on CPU 0, wrk on CPU 1), each binary on its own store (a binary may refuse a newer
# schema) with the same three projects. Reports req/s, server CPU per request and the user-space
# part of it (medians).
#
# Usage: bash bench/compare.sh OLD_BINARY NEW_BINARY    Environment: ROUNDS (5), DURATION (6),
# MODE: plain (keep-alive, the default), tls (keep-alive over TLS, a throwaway P-256
# certificate) or tls-new (over TLS, a new connection and handshake per request).
# On a shared machine CPU time per request varies by a third from run to run: use many short
# rounds (e.g. ROUNDS=15 DURATION=3) and read the medians. The binary given first has been seen
# to come out about 5 % ahead (it is set up first): run both orders.
# Everything lives in a temporary directory removed at exit; only processes this script
# started are stopped, by PID.
set -euo pipefail
export LC_ALL=C
OLD=$1
NEW=$2
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-6}
MODE=${MODE:-plain}
TMP=$(mktemp -d /tmp/restauth-compare.XXXXXX)
PIDS=()
cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf -- "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log() { printf 'compare: %s\n' "$*" >&2; }

declare -A PORT AUTH PID
SCHEME=http
TLS_OPTS=()
CURL_OPTS=()
WRK_OPTS=()
case $MODE in
plain) ;;
tls | tls-new)
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
        -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
    SCHEME=https
    TLS_OPTS=(--tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem")
    CURL_OPTS=(--cacert "$TMP/cert.pem")
    [[ $MODE == tls-new ]] && WRK_OPTS=(-H 'Connection: close')
    ;;
*) log "MODE is plain, tls or tls-new"; exit 2 ;;
esac
# setup NAME BINARY: a store, an account, a pair, three projects and a running server.
setup() {
    local name=$1 bin=$2 dir=$TMP/$1 out id secret i p
    mkdir -p "$dir"
    "$bin" init --store "sqlite:$dir/ra.db" >/dev/null 2>&1
    "$bin" account add bench --store "sqlite:$dir/ra.db" >/dev/null
    out=$("$bin" secret add --account bench --store "sqlite:$dir/ra.db")
    id=$(sed -n 's/^customer_id: //p' <<<"$out")
    secret=$(sed -n 's/^customer_secret: //p' <<<"$out")
    AUTH[$name]=$(printf '%s:%s' "$id" "$secret" | base64 -w0)
    taskset -c 0 "$bin" serve --store "sqlite:$dir/ra.db" --listen 127.0.0.1:0 --rate-limit 0 \
        --auth-fail-limit 0 --access-log "$dir/access.log" "${TLS_OPTS[@]}" 2>"$dir/err" &
    PID[$name]=$!
    PIDS+=("${PID[$name]}")
    for ((i = 0; i < 100; i++)); do
        p=$(sed -n "s#.*listening on $SCHEME://.*:\\([0-9]*\\)\$#\\1#p" "$dir/err")
        [[ -n $p ]] && break
        sleep 0.1
    done
    [[ -n $p ]] || { cat "$dir/err" >&2; exit 1; }
    PORT[$name]=$p
    for i in 1 2 3; do
        curl -sf -o /dev/null "${CURL_OPTS[@]}" -H "Authorization: Basic ${AUTH[$name]}" \
            -H 'Content-Type: application/json' \
            --data "{\"name\":\"bench-project-$i-loopback-benchmark-of-restauthd-against-nginx\",\"enable_sign_key\":true}" \
            "$SCHEME://127.0.0.1:$p/dev/v1/project"
    done
}
setup old "$OLD"
setup new "$NEW"
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ t += $1 } END { printf "%.0f", t }'; }
# The process's user-space CPU time in clock ticks (utime, /proc/PID/stat): the share of the
# CPU per request that is the server's own code and libraries, not the kernel's.
user_ticks() { sed 's/.*) //' /proc/"$1"/stat | awk '{ print $12 }'; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

RES=$TMP/results
: >"$RES"
for ((r = 1; r <= ROUNDS; r++)); do
    order="old new"
    ((r % 2 == 0)) && order="new old" # alternate, so that a drift favours neither
    for name in $order; do
        url="$SCHEME://127.0.0.1:${PORT[$name]}/dev/v1/projects"
        taskset -c 1 wrk -t1 -c64 -d2s "${WRK_OPTS[@]}" -H "Authorization: Basic ${AUTH[$name]}" \
            "$url" >/dev/null
        c0=$(cpu_ns "${PID[$name]}")
        u0=$(user_ticks "${PID[$name]}")
        out=$(taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" "${WRK_OPTS[@]}" \
            -H "Authorization: Basic ${AUTH[$name]}" "$url")
        c1=$(cpu_ns "${PID[$name]}")
        u1=$(user_ticks "${PID[$name]}")
        reqs=$(awk '/requests in/ {print $1}' <<<"$out")
        rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
        non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
        [[ -z $non2xx ]] || { echo "$out" >&2; exit 1; }
        us=$(awk -v d=$((c1 - c0)) -v n="$reqs" 'BEGIN { printf "%.2f", d / 1000 / n }')
        user=$(awk -v d=$(((u1 - u0) * TICK_US)) -v n="$reqs" 'BEGIN { printf "%.2f", d / n }')
        log "round $r $name: $rps req/s, $us us CPU/request ($user in user space)"
        printf '%s %s %s %s\n' "$name" "$rps" "$us" "$user" >>"$RES"
    done
done
median() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$RES" | sort -g |
    awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "| binary | req/s (median) | server CPU per request, us (median) | of it in user space, us (median) |"
echo "|---|---:|---:|---:|"
echo "| old: $OLD | $(median old 2) | $(median old 3) | $(median old 4) |"
echo "| new: $NEW | $(median new 2) | $(median new 3) | $(median new 4) |"
awk -v a="$(median old 3)" -v b="$(median new 3)" 'BEGIN { printf "\nCPU per request, new / old: %.3f\n", b / a }'
