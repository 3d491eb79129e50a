#!/usr/bin/env bash
# bench/forward.sh: what forward authentication costs, measured in one run on loopback, side by
# side with what nginx does alone. Every target serves the same JSON body from the same file:
#
#   F  nginx auth_request -> restauthd /auth/verify over a Unix socket (keep-alive upstream),
#      with the snippets of examples/nginx/ (docs/forward-auth.md)
#   B  nginx auth_basic ({SHA} entry for the same pair)
#   N  nginx, no authentication
#
# For each: req/s, p50, p99, and the CPU per request of nginx and restauthd together (their
# utime + stime over the run, divided by the requests wrk completed), with restauthd's part.
#
# Usage: bash bench/forward.sh           (ROUNDS=3, DURATION=8, about two minutes)
#        QUICK=1 bash bench/forward.sh   (one round of 2 s: a smoke run)
# Environment: as bench/run.sh (RESTAUTHD, BUILD=1, ROUNDS, DURATION, WARMUP, CONNECTIONS,
# SERVER_CPU, CLIENT_CPU, NGINX_WORKERS). nginx and restauthd are both pinned to SERVER_CPU,
# wrk to CLIENT_CPU. Everything lives in a temporary directory removed at exit; only processes
# this script started are stopped, by PID. Results: stdout and bench/out/forward.md.
set -euo pipefail
BENCH_NAME=bench-forward
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------- restauthd
bench_store
RUN_DIR=$TMP/run
mkdir -p "$RUN_DIR"
SOCK=$RUN_DIR/restauthd.sock
"${ON_SERVER_CPU[@]}" "$RESTAUTHD" serve --store "$STORE" --key-file "$KEYF" --listen "unix:$SOCK" \
    --rate-limit 0 --auth-fail-limit 0 --access-log "$TMP/logs/ra.log" >/dev/null 2>"$TMP/logs/ra.err" &
RA_PID=$!
PIDS+=("$RA_PID")
for ((i = 0; i < 100; i++)); do
    grep -q "listening on unix:$SOCK" "$TMP/logs/ra.err" && break
    kill -0 "$RA_PID" 2>/dev/null || { cat "$TMP/logs/ra.err" >&2; die "restauthd exited during start"; }
    sleep 0.1
done
grep -q "listening on unix:$SOCK" "$TMP/logs/ra.err" || die "restauthd did not listen on $SOCK"
log "restauthd on unix:$SOCK (PID $RA_PID)"
bench_projects http://restauthd --unix-socket "$SOCK"

# ---------------------------------------------------------------- nginx
ND=$TMP/nginx
mkdir -p "$ND/www" "$ND/tmp"
cp "$JSON_FILE" "$ND/www/projects.json"
sha=$(printf '%s' "$SECRET" | openssl dgst -sha1 -binary | base64 -w0)
printf '%s:{SHA}%s\n' "$CID" "$sha" >"$ND/htpasswd"
nginx_workers_user "$ND" "$ND/www" -- "$ND/htpasswd" "$ND/www/projects.json"
if [[ -n ${NGINX_GROUP:-} ]]; then
    # As a deployment would: the workers' group may use the socket (mode 0660), nothing more.
    chgrp "$NGINX_GROUP" "$RUN_DIR" "$SOCK"
    chmod 0710 "$RUN_DIR"
fi
PORT_F=$(pick_port)
PORT_B=$(pick_port)
PORT_N=$(pick_port)
while [[ $PORT_B == "$PORT_F" || $PORT_N == "$PORT_F" || $PORT_N == "$PORT_B" ]]; do
    PORT_B=$(pick_port)
    PORT_N=$(pick_port)
done
NGINX_WORKERS=${NGINX_WORKERS:-auto}
nginx_conf "$BENCH/nginx-forward.conf.in" SOCKET="$SOCK" EXAMPLES="$ROOT/examples/nginx" \
    PORT_F="$PORT_F" PORT_B="$PORT_B" PORT_N="$PORT_N"
F_URL=http://127.0.0.1:$PORT_F/dev/v1/projects
B_URL=http://127.0.0.1:$PORT_B/dev/v1/projects
N_URL=http://127.0.0.1:$PORT_N/dev/v1/projects
nginx_start "$ND" "$N_URL"
log "nginx F on :$PORT_F, B on :$PORT_B, N on :$PORT_N (master PID $NGINX_PID, $NGINX_NWORKERS workers)"

# ---------------------------------------------------------------- verification
TARGETS=(F B N)
declare -A URL DESC AUTHED
URL[F]=$F_URL; DESC[F]="nginx auth_request -> restauthd (Unix socket)"; AUTHED[F]=1
URL[B]=$B_URL; DESC[B]="nginx auth_basic {SHA}";                        AUTHED[B]=1
URL[N]=$N_URL; DESC[N]="nginx, no authentication";                      AUTHED[N]=0
verify_target() {
    verify "$1" "${URL[$1]}" "${AUTHED[$1]}"
}
server_pids() {
    printf '%s\n' "${NGINX_ALL[@]}"
    [[ $1 != F ]] || echo "$RA_PID"
}
side_pids() {
    [[ $1 != F ]] || echo "$RA_PID"
}
access_log_of() {
    if [[ $1 == F ]]; then echo "$TMP/logs/ra.log"; else echo "$ND/access.log"; fi
}
for t in "${TARGETS[@]}"; do verify_target "$t"; done
# restauthd's own refusal reaches the client through nginx: its body and its challenge.
code=$(curl_code "$F_URL" "$TMP/resp" "$BAD_AUTH" -D "$TMP/resp.h")
[[ $code == 401 && $(<"$TMP/resp") == '{"message":"Invalid authentication credentials"}' ]] ||
    die "F: a wrong secret did not get restauthd's 401 body"
grep -qi '^WWW-Authenticate: Basic realm="restauth"' "$TMP/resp.h" || die "F: no Basic challenge"
log "verified: wrong secret -> 401 and right secret -> the same $JSON_BYTES JSON bytes on F and B; N answers the JSON"

# ---------------------------------------------------------------- measuring
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
RESULTS=$TMP/results.tsv
: >"$RESULTS"
log "measuring: ${#TARGETS[@]} targets x $ROUNDS rounds x (${WARMUP}s warm-up + ${DURATION}s)"
measure_rounds

# ---------------------------------------------------------------- report
declare -A M_RPS M_P50 M_P99 M_CPU M_RA NVALID
for t in "${TARGETS[@]}"; do
    M_RPS[$t]=$(median 3 "$t")
    M_P50[$t]=$(median 4 "$t")
    M_P99[$t]=$(median 5 "$t")
    M_CPU[$t]=$(median 7 "$t")
    # restauthd's share of the CPU per request: its ticks over the run's requests.
    M_RA[$t]=$(awk -F'\t' -v t="$t" -v hz="$CLK_TCK" '$1 == t && $10 == "yes" && $8 > 0 {
        printf "%.2f\n", $13 / hz * 1e6 / $8 }' "$RESULTS" | sort -g |
        awk '{ a[NR] = $1 } END { if (NR == 0) print "NA"
             else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    NVALID[$t]=$(awk -F'\t' -v t="$t" '$1 == t && $10 == "yes"' "$RESULTS" | wc -l)
done
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
RA_THREADS=$(awk '/^Threads:/ { print $2 }' "/proc/$RA_PID/status" 2>/dev/null || echo "?")
sub() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA") print "n/a"; else printf "%.1f", a - b }'; }

mkdir -p "$BENCH/out"
REPORT=$TMP/report.md
{
    echo "### forward authentication benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    report_facts
    echo "- request: GET /dev/v1/projects, the same $JSON_BYTES-byte JSON from one file on every target"
    echo "- restauthd: \`--listen unix:...\`, \`--threads\` default ($RA_THREADS threads in the process" \
        "counting the main one), \`--rate-limit 0 --auth-fail-limit 0\`, access log on (to a file)"
    echo "- nginx $NGINX_VERSION: \`worker_processes $NGINX_WORKERS\` ($NGINX_NWORKERS workers), keep-alive" \
        "to restauthd (\`keepalive 32\`), access log on (\`buffer=64k flush=1s\`); nginx and restauthd" \
        "share the server CPU"
    echo
    echo "| target | what | req/s | p50 (ms) | p99 (ms) | CPU nginx + restauthd (us/req) | of which restauthd | valid runs |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    for t in "${TARGETS[@]}"; do
        ra_part=$([[ $t == F ]] && fmt '%.1f' "${M_RA[$t]}" || echo "-")
        echo "| $t | ${DESC[$t]} | $(fmt '%.0f' "${M_RPS[$t]}") | $(fmt '%.3f' "${M_P50[$t]}" 1000) |" \
            "$(fmt '%.3f' "${M_P99[$t]}" 1000) | $(fmt '%.1f' "${M_CPU[$t]}") | $ra_part | ${NVALID[$t]}/$ROUNDS |"
    done
    echo
    echo "| comparison | value |"
    echo "|---|---:|"
    echo "| req/s F / B (auth_request to restauthd vs auth_basic) | $(ratio "${M_RPS[F]}" "${M_RPS[B]}") |"
    echo "| req/s F / N (vs no authentication) | $(ratio "${M_RPS[F]}" "${M_RPS[N]}") |"
    echo "| CPU per request F - N: what forward authentication adds (us) | $(sub "${M_CPU[F]}" "${M_CPU[N]}") |"
    echo "| CPU per request B - N: what auth_basic adds (us) | $(sub "${M_CPU[B]}" "${M_CPU[N]}") |"
    echo "| CPU per request F - N - restauthd: nginx's subrequest alone (us) | $(sub "$(sub "${M_CPU[F]}" "${M_CPU[N]}")" "${M_RA[F]}") |"
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
cp "$REPORT" "$BENCH/out/forward.md"
show_messages 'listening on|restauthd: info:|\[notice\]|password mismatch|no user/password was provided' \
    "restauthd:$TMP/logs/ra.err" "nginx:$ND/error.log" "nginx:$TMP/logs/nginx.err"
echo
cat "$REPORT"
echo
log "written to bench/out/forward.md"
exit_if_invalid
