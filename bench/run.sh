#!/usr/bin/env bash
# bench/run.sh: measure restauthd against nginx on loopback, in one run.
#
#   A          restauthd, plain HTTP on 127.0.0.1, GET /dev/v1/projects (3 projects)
#   A-TLS      restauthd, HTTPS with a throwaway self-signed P-256 certificate
#   B          nginx auth_basic ({SHA} entry for the same pair), the same JSON from a file
#   B-TLS      B over TLS, with the same certificate
#   C          nginx, no auth, `return 200 '<same JSON>'` (the practical limit)
#   C-TLS      C over TLS
#   A-TLS-NEW  A-TLS with a new connection (and TLS handshake) per request
#   B-TLS-NEW  B-TLS with a new connection per request
# Every target is keep-alive except the -NEW ones, where wrk sends `Connection: close`.
#
# Usage: bash bench/run.sh            (ROUNDS=9, DURATION=4, about ten minutes)
#        QUICK=1 bash bench/run.sh    (one round of 2 s: a smoke run)
# Environment:
#   RESTAUTHD   server binary (default build/bin/restauthd, relative to the repository root)
#   BUILD=1     build a Release binary into build-bench/ first (and use it unless RESTAUTHD is set)
#   ROUNDS      interleaved rounds (9)      DURATION  seconds per measured run (4)
#   WARMUP      seconds of warm-up before every measured run (2)
#   CONNECTIONS wrk connections (64)        SERVER_CPU / CLIENT_CPU  pinning (0 / 1)
#   NGINX_WORKERS  nginx worker_processes (auto)
#   NGINX_SAME_SUITES=1  nginx gets restauthd's TLS 1.3 order (AES-128-GCM first, the server's
#               choice) instead of its default (the client's choice, AES-256-GCM for wrk)
#   TARGETS     the targets to measure, separated by spaces (all of them)
# Everything lives in a temporary directory removed at exit; only processes this
# script started are stopped, by PID. Results: stdout and bench/out/latest.md.
set -euo pipefail
BENCH_NAME=bench
# Nine short rounds rather than lib.sh's three long ones: on a shared machine the same server
# moves by 10-25 % from round to round, and the median of nine holds still where that of three
# does not.
if [[ ${QUICK:-0} != 1 ]]; then
    : "${ROUNDS:=9}" "${DURATION:=4}"
fi
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------- restauthd
bench_store

# Throwaway self-signed certificate (P-256) for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" 2>/dev/null || die "openssl could not make a certificate"

SERVE_OPTS=(--rate-limit 0 --auth-fail-limit 0)
"${ON_SERVER_CPU[@]}" "$RESTAUTHD" serve --store "$STORE" --key-file "$KEYF" --listen 127.0.0.1:0 \
    "${SERVE_OPTS[@]}" --access-log "$TMP/logs/a.log" >/dev/null 2>"$TMP/logs/a.err" &
A_PID=$!
PIDS+=("$A_PID")
"${ON_SERVER_CPU[@]}" "$RESTAUTHD" serve --store "$STORE" --key-file "$KEYF" --listen 127.0.0.1:0 \
    --tls-cert "$TMP/tls/cert.pem" --tls-key "$TMP/tls/key.pem" \
    "${SERVE_OPTS[@]}" --access-log "$TMP/logs/atls.log" >/dev/null 2>"$TMP/logs/atls.err" &
ATLS_PID=$!
PIDS+=("$ATLS_PID")
A_PORT=$(wait_listening "$A_PID" "$TMP/logs/a.err")
ATLS_PORT=$(wait_listening "$ATLS_PID" "$TMP/logs/atls.err")
A_URL=http://127.0.0.1:$A_PORT/dev/v1/projects
ATLS_URL=https://127.0.0.1:$ATLS_PORT/dev/v1/projects
TLS_CURL=(--cacert "$TMP/tls/cert.pem")
log "restauthd A on 127.0.0.1:$A_PORT (PID $A_PID), A-TLS on 127.0.0.1:$ATLS_PORT (PID $ATLS_PID)"

bench_projects "http://127.0.0.1:$A_PORT"

# ---------------------------------------------------------------- nginx
ND=$TMP/nginx
mkdir -p "$ND/www" "$ND/tmp"
cp "$JSON_FILE" "$ND/www/projects.json"
sha=$(printf '%s' "$SECRET" | openssl dgst -sha1 -binary | base64 -w0)
printf '%s:{SHA}%s\n' "$CID" "$sha" >"$ND/htpasswd"
nginx_workers_user "$ND" "$ND/www" -- "$ND/htpasswd" "$ND/www/projects.json"
PORT_B=$(pick_port)
declare -A TAKEN=()
other_port() { # a free port that none of the earlier calls returned
    local p
    p=$(pick_port)
    while [[ -n ${TAKEN[$p]:-} ]]; do p=$(pick_port); done
    TAKEN[$p]=1
    echo "$p"
}
TAKEN[$PORT_B]=1
PORT_C=$(other_port)
PORT_BT=$(other_port)
PORT_CT=$(other_port)
NGINX_WORKERS=${NGINX_WORKERS:-auto}
TLS_SUITES="# (OpenSSL's default)"
if [[ ${NGINX_SAME_SUITES:-0} == 1 ]]; then
    TLS_SUITES="ssl_prefer_server_ciphers on; ssl_conf_command Ciphersuites"
    TLS_SUITES+=" TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256;"
fi
nginx_conf "$BENCH/nginx.conf.in" PORT_B="$PORT_B" PORT_C="$PORT_C" PORT_BT="$PORT_BT" \
    PORT_CT="$PORT_CT" CERT="$TMP/tls/cert.pem" KEY="$TMP/tls/key.pem" JSON="$JSON" TLS_SUITES="$TLS_SUITES"
B_URL=http://127.0.0.1:$PORT_B/dev/v1/projects
C_URL=http://127.0.0.1:$PORT_C/dev/v1/projects
BT_URL=https://127.0.0.1:$PORT_BT/dev/v1/projects
CT_URL=https://127.0.0.1:$PORT_CT/dev/v1/projects
nginx_start "$ND" "$C_URL"
log "nginx B on 127.0.0.1:$PORT_B, C on 127.0.0.1:$PORT_C, B-TLS on 127.0.0.1:$PORT_BT, C-TLS on" \
    "127.0.0.1:$PORT_CT (master PID $NGINX_PID, $NGINX_NWORKERS workers)"

# ---------------------------------------------------------------- verification
ALL_TARGETS=(A A-TLS A-TLS-NEW B B-TLS B-TLS-NEW C C-TLS)
read -r -a TARGETS <<<"${TARGETS:-${ALL_TARGETS[*]}}"
declare -A URL DESC AUTHED CURLX NEWCONN
URL[A]=$A_URL;            DESC[A]="restauthd, HTTP";                                AUTHED[A]=1
URL[A-TLS]=$ATLS_URL;     DESC[A-TLS]="restauthd, HTTPS (TLS, P-256 cert)";         AUTHED[A-TLS]=1
URL[A-TLS-NEW]=$ATLS_URL; DESC[A-TLS-NEW]="restauthd, HTTPS, new connection each"; AUTHED[A-TLS-NEW]=1
URL[B]=$B_URL;            DESC[B]="nginx auth_basic {SHA}, JSON from file";         AUTHED[B]=1
URL[B-TLS]=$BT_URL;       DESC[B-TLS]="nginx auth_basic {SHA}, HTTPS";              AUTHED[B-TLS]=1
URL[B-TLS-NEW]=$BT_URL;   DESC[B-TLS-NEW]="nginx auth_basic, HTTPS, new connection each"; AUTHED[B-TLS-NEW]=1
URL[C]=$C_URL;            DESC[C]="nginx, no auth, return 200 (limit)";             AUTHED[C]=0
URL[C-TLS]=$CT_URL;       DESC[C-TLS]="nginx, no auth, HTTPS (limit)";              AUTHED[C-TLS]=0
for t in "${TARGETS[@]}"; do
    [[ -n ${URL[$t]:-} ]] || die "unknown target '$t' (known: ${ALL_TARGETS[*]})"
    [[ ${URL[$t]} == https:* ]] && CURLX[$t]=1
    [[ $t == *-NEW ]] && NEWCONN[$t]=1
done
wrk_args() {
    if [[ -n ${NEWCONN[$1]:-} ]]; then printf '%s\n' -H 'Connection: close'; fi
}
verify_target() {
    local t=$1
    if [[ -n ${CURLX[$t]:-} ]]; then verify "$t" "${URL[$t]}" "${AUTHED[$t]}" "${TLS_CURL[@]}"
    else verify "$t" "${URL[$t]}" "${AUTHED[$t]}"; fi
}
server_pids() {
    case $1 in
    A) echo "$A_PID" ;;
    A-TLS*) echo "$ATLS_PID" ;;
    *) printf '%s\n' "${NGINX_ALL[@]}" ;;
    esac
}
access_log_of() {
    case $1 in
    A) echo "$TMP/logs/a.log" ;;
    A-TLS*) echo "$TMP/logs/atls.log" ;;
    *) echo "$ND/access.log" ;;
    esac
}
for t in "${TARGETS[@]}"; do verify_target "$t"; done
log "verified: wrong secret -> 401 and right secret -> the same $JSON_BYTES JSON bytes on every target with auth; the others answer the JSON"

# ---------------------------------------------------------------- measuring
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
RESULTS=$TMP/results.tsv
: >"$RESULTS"
total_s=$((ROUNDS * ${#TARGETS[@]} * (DURATION + WARMUP + 2)))
log "measuring: ${#TARGETS[@]} targets x $ROUNDS rounds x (${WARMUP}s warm-up + ${DURATION}s), about ${total_s}s"
if ((PIN)); then
    log "pinning: servers on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU (taskset -c)"
fi
measure_rounds

# ---------------------------------------------------------------- report
declare -A M_RPS M_P50 M_P99 M_RSS M_CPU NVALID
for t in "${ALL_TARGETS[@]}"; do # a target left out has NA everywhere
    M_RPS[$t]=$(median 3 "$t")
    M_P50[$t]=$(median 4 "$t")
    M_P99[$t]=$(median 5 "$t")
    M_RSS[$t]=$(median 6 "$t")
    M_CPU[$t]=$(median 7 "$t")
    NVALID[$t]=$(awk -F'\t' -v t="$t" '$1 == t && $10 == "yes"' "$RESULTS" | wc -l)
done

LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
A_THREADS=$(awk '/^Threads:/ { print $2 }' "/proc/$A_PID/status" 2>/dev/null || echo "?")
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
# The TLS 1.3 suite each server chooses for a client with OpenSSL's defaults, as wrk's are.
suite_of() {
    openssl s_client -connect "127.0.0.1:$1" -tls1_3 </dev/null 2>/dev/null |
        sed -n 's/^New, TLSv1.3, Cipher is \(.*\)$/\1/p' | head -n1
}
A_SUITE=$(suite_of "$ATLS_PORT")
B_SUITE=$(suite_of "$PORT_BT")

mkdir -p "$BENCH/out"
REPORT=$TMP/report.md
{
    echo "### restauthd benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    report_facts
    echo "- request: GET /dev/v1/projects, 3 projects, $JSON_BYTES-byte JSON body, identical on every target"
    echo "- restauthd: \`--threads\` default (one per CPU in its affinity mask; $A_THREADS threads in the process" \
        "counting the main one), \`--rate-limit 0 --auth-fail-limit 0\`, access log on (to a file," \
        "buffered, written out every second)"
    echo "- nginx $NGINX_VERSION: \`worker_processes $NGINX_WORKERS\` ($NGINX_NWORKERS workers)," \
        "\`sendfile off\`, keep-alive on (\`keepalive_requests 1000000\`), access log on (to a file," \
        "\`buffer=64k flush=1s\`), error log to a file;" \
        "RSS is master + workers"
    echo "- TLS 1.3 suite chosen for an OpenSSL client such as wrk: restauthd ${A_SUITE:-?}," \
        "nginx ${B_SUITE:-?}$([[ ${NGINX_SAME_SUITES:-0} == 1 ]] && echo ' (NGINX_SAME_SUITES=1)')"
    echo
    echo "| target | server | req/s | p50 (ms) | p99 (ms) | RSS (MiB) | server CPU (us/req) | valid runs |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    for t in "${TARGETS[@]}"; do
        echo "| $t | ${DESC[$t]} | $(fmt '%.0f' "${M_RPS[$t]}") | $(fmt '%.3f' "${M_P50[$t]}" 1000) |" \
            "$(fmt '%.3f' "${M_P99[$t]}" 1000) | $(fmt '%.1f' "${M_RSS[$t]}" 1024) |" \
            "$(fmt '%.1f' "${M_CPU[$t]}") | ${NVALID[$t]}/$ROUNDS |"
    done
    echo
    echo "| ratio | value |"
    echo "|---|---:|"
    echo "| req/s A / B (restauthd vs nginx auth_basic) | $(ratio "${M_RPS[A]}" "${M_RPS[B]}") |"
    echo "| req/s A / C (restauthd vs the no-auth limit) | $(ratio "${M_RPS[A]}" "${M_RPS[C]}") |"
    echo "| req/s A-TLS / B (restauthd over TLS vs nginx auth_basic in plain HTTP) | $(ratio "${M_RPS[A-TLS]}" "${M_RPS[B]}") |"
    echo "| req/s A-TLS / B-TLS (over TLS, keep-alive) | $(ratio "${M_RPS[A-TLS]}" "${M_RPS[B-TLS]}") |"
    echo "| req/s A-TLS / C-TLS (over TLS, vs the no-auth limit) | $(ratio "${M_RPS[A-TLS]}" "${M_RPS[C-TLS]}") |"
    echo "| req/s A-TLS-NEW / B-TLS-NEW (a new TLS connection per request) | $(ratio "${M_RPS[A-TLS-NEW]}" "${M_RPS[B-TLS-NEW]}") |"
    echo "| CPU per request A-TLS-NEW / B-TLS-NEW | $(ratio "${M_CPU[A-TLS-NEW]}" "${M_CPU[B-TLS-NEW]}") |"
    echo "| p99 A-TLS / B-TLS | $(ratio "${M_P99[A-TLS]}" "${M_P99[B-TLS]}") |"
    echo "| p99 A-TLS-NEW / B-TLS-NEW | $(ratio "${M_P99[A-TLS-NEW]}" "${M_P99[B-TLS-NEW]}") |"
    echo "| p99 A / B ($(fmt '%.3f' "${M_P99[A]}" 1000) ms vs $(fmt '%.3f' "${M_P99[B]}" 1000) ms) | $(ratio "${M_P99[A]}" "${M_P99[B]}") |"
    echo "| CPU per request A / B | $(ratio "${M_CPU[A]}" "${M_CPU[B]}") |"
    echo
    echo "<details><summary>every run</summary>"
    echo
    echo "| round | target | req/s | p50 (ms) | p99 (ms) | RSS (MiB) | CPU (us/req) | requests | access-log lines | valid |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
    sort -t$'\t' -k2,2n -s "$RESULTS" | while IFS=$'\t' read -r t r rps p50 p99 rss cpu reqs lines valid why _; do
        echo "| $r | $t | $(fmt '%.0f' "$rps") | $(fmt '%.3f' "$p50" 1000) | $(fmt '%.3f' "$p99" 1000) |" \
            "$(fmt '%.1f' "$rss" 1024) | $cpu | $reqs | $lines | $valid${why#-} |"
    done
    echo
    echo "</details>"
} >"$REPORT"
cp "$REPORT" "$BENCH/out/latest.md"
# Anything the servers complained about during the run, less what is expected: the
# start-up lines, and nginx logging the wrong-secret and no-secret checks.
show_messages 'listening on|restauthd: info:|\[notice\]|password mismatch|no user/password was provided' \
    "A:$TMP/logs/a.err" "A-TLS:$TMP/logs/atls.err" "nginx:$ND/error.log" "nginx:$TMP/logs/nginx.err"
echo
cat "$REPORT"
echo
log "written to bench/out/latest.md"
exit_if_invalid
