#!/usr/bin/env bash
# bench/metrics.sh: what the per-request metrics cost. Two restauthd processes on one store,
# alike but for --no-metrics, both pinned to SERVER_CPU; wrk (keep-alive, pinned to CLIENT_CPU)
# sends GET /dev/v1/projects with a valid pair to each in turn, over plain HTTP on 127.0.0.1.
# The figure is the server's CPU time per request (utime + stime from /proc/PID/stat), the
# median of ROUNDS interleaved rounds, with and without metrics. It ends by itself and stops
# only the processes it started. Settings as in bench/lib.sh (ROUNDS, DURATION, WARMUP,
# CONNECTIONS, SERVER_CPU, CLIENT_CPU, QUICK=1, RESTAUTHD, BUILD=1). On a shared or busy
# machine the two figures move with the load: compare them within one run only.
set -euo pipefail
BENCH_NAME=metrics
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

bench_store
declare -A URL PID ALOG
TARGETS=(metrics no-metrics)
for t in "${TARGETS[@]}"; do
    ALOG[$t]=$TMP/logs/$t.access.log
    extra=()
    [[ $t == no-metrics ]] && extra=(--no-metrics)
    "${ON_SERVER_CPU[@]}" "$RESTAUTHD" serve --store "$STORE" --key-file "$KEYF" \
        --listen "127.0.0.1:$(pick_port)" --rate-limit 0 --auth-fail-limit 0 \
        --access-log "${ALOG[$t]}" "${extra[@]}" 2>"$TMP/logs/$t.err" &
    PID[$t]=$!
    PIDS+=("${PID[$t]}")
    URL[$t]=http://127.0.0.1:$(wait_listening "${PID[$t]}" "$TMP/logs/$t.err")/dev/v1/projects
done

verify_target() {
    local code
    code=$(curl_code "${URL[$1]}" "$TMP/resp" "$AUTH")
    [[ $code == 201 ]] || die "$1: GET /dev/v1/projects answered $code"
    code=$(curl_code "${URL[$1]}" "$TMP/resp" "$BAD_AUTH")
    [[ $code == 401 ]] || die "$1: a wrong secret answered $code"
}
server_pids() { echo "${PID[$1]}"; }
access_log_of() { echo "${ALOG[$1]}"; }

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
RESULTS=$TMP/results.tsv
: >"$RESULTS"
log "measuring: ${#TARGETS[@]} targets x $ROUNDS rounds x (${WARMUP}s warm-up + ${DURATION}s)"
measure_rounds
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)

{
    echo "### restauthd: the cost of per-request metrics, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    report_facts
    echo
    echo "| server | CPU us/request | req/s | p50 us | p99 us | valid runs |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    for t in "${TARGETS[@]}"; do
        n=$(awk -F'\t' -v t="$t" '$1 == t && $10 == "yes"' "$RESULTS" | wc -l)
        echo "| $t | $(fmt %.2f "$(median 7 "$t")") | $(fmt %.0f "$(median 3 "$t")") |" \
            "$(fmt %.0f "$(median 4 "$t")") | $(fmt %.0f "$(median 5 "$t")") | $n of $ROUNDS |"
    done
    echo
    echo "CPU per request with metrics / without: $(ratio "$(median 7 metrics)" "$(median 7 no-metrics)")"
} | tee "$TMP/report.md"
mkdir -p "$BENCH/out"
cp "$TMP/report.md" "$BENCH/out/metrics-$(date -u +%Y%m%d-%H%M%S).md"
