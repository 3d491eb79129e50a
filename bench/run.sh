#!/usr/bin/env bash
# bench/run.sh: measure restauthd against nginx on loopback, in one run.
#
#   A      restauthd, plain HTTP on 127.0.0.1, GET /dev/v1/projects (3 projects)
#   A-TLS  restauthd, HTTPS with a throwaway self-signed certificate
#   B      nginx auth_basic ({SHA} entry for the same pair), the same JSON from a file
#   C      nginx, no auth, `return 200 '<same JSON>'` (the practical limit)
#
# Usage: bash bench/run.sh            (ROUNDS=3, DURATION=8, about two and a half minutes)
#        QUICK=1 bash bench/run.sh    (one round of 2 s: a smoke run)
# Environment:
#   RESTAUTHD   server binary (default build/bin/restauthd, relative to the repository root)
#   BUILD=1     build a Release binary into build-bench/ first (and use it unless RESTAUTHD is set)
#   ROUNDS      interleaved rounds (3)      DURATION  seconds per measured run (8)
#   WARMUP      seconds of warm-up before every measured run (2)
#   CONNECTIONS wrk connections (64)        SERVER_CPU / CLIENT_CPU  pinning (0 / 1)
#   NGINX_WORKERS  nginx worker_processes (auto)
# Everything lives in a temporary directory removed at exit; only processes this
# script started are stopped, by PID. Results: stdout and bench/out/latest.md.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench

if [[ ${QUICK:-0} == 1 ]]; then
    : "${ROUNDS:=1}" "${DURATION:=2}" "${WARMUP:=1}"
fi
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
DURATION=${DURATION%s}
WARMUP=${WARMUP:-2}
WARMUP=${WARMUP%s}
CONNECTIONS=${CONNECTIONS:-64}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
for v in ROUNDS DURATION WARMUP CONNECTIONS SERVER_CPU CLIENT_CPU; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench: $v must be a whole number, not '${!v}'" >&2; exit 2; }
done
((ROUNDS >= 1 && DURATION >= 1)) || { echo "bench: ROUNDS and DURATION must be at least 1" >&2; exit 2; }

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- cleanup
TMP=
PIDS=()
stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "PID $pid did not stop on SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        stop_pid "$pid"
    done
    if [[ -n $TMP && -d $TMP ]]; then
        rm -rf -- "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools
if [[ ${BUILD:-0} == 1 ]]; then
    log "BUILD=1: building a Release restauthd in build-bench/"
    cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build "$ROOT/build-bench" -j"$(nproc)" --target restauthd >&2
    : "${RESTAUTHD:=build-bench/bin/restauthd}"
fi
RESTAUTHD=${RESTAUTHD:-build/bin/restauthd}
if [[ $RESTAUTHD != /* ]]; then
    if [[ -x $PWD/$RESTAUTHD && $PWD != "$ROOT" ]]; then
        RESTAUTHD=$PWD/$RESTAUTHD
    else
        RESTAUTHD=$ROOT/$RESTAUTHD
    fi
fi
[[ -x $RESTAUTHD ]] || die "no restauthd binary at $RESTAUTHD (build it, set RESTAUTHD=..., or run with BUILD=1)"

find_nginx() {
    if [[ -x /usr/sbin/nginx ]]; then echo /usr/sbin/nginx; else command -v nginx || true; fi
}
NGINX=$(find_nginx)
WRK=$(command -v wrk || true)
if [[ -z $NGINX || -z $WRK ]]; then
    [[ $(id -u) == 0 ]] || die "nginx and wrk are needed: apt-get install -y nginx-light wrk (as root)"
    log "installing nginx-light and wrk with apt-get"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light wrk >&2; then
        DEBIAN_FRONTEND=noninteractive apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light wrk >&2
    fi
    NGINX=$(find_nginx)
    WRK=$(command -v wrk || true)
    [[ -n $NGINX && -n $WRK ]] || die "nginx or wrk still missing after apt-get"
fi
for t in curl openssl taskset base64 getconf timeout; do
    command -v "$t" >/dev/null || die "$t is needed"
done

NCPU=$(nproc --all 2>/dev/null || nproc)
PIN=1
if ((NCPU < 2)) || ((SERVER_CPU == CLIENT_CPU)) || ((SERVER_CPU >= NCPU || CLIENT_CPU >= NCPU)); then
    log "cannot pin servers and wrk to different CPUs here ($NCPU CPUs); running unpinned"
    PIN=0
fi
# Prefixes, not functions: a background "prefix cmd &" keeps $! the server's own PID
# (taskset execs the command).
ON_SERVER_CPU=()
ON_CLIENT_CPU=()
if ((PIN)); then
    ON_SERVER_CPU=(taskset -c "$SERVER_CPU")
    ON_CLIENT_CPU=(taskset -c "$CLIENT_CPU")
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/restauth-bench.XXXXXX")
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------- helpers
# A port that nothing uses (listening or connected), below the ephemeral range wrk uses.
pick_port() {
    local p hex i
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + RANDOM % 10000))
        printf -v hex '%04X' "$p"
        if ! grep -q ":$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    die "no free port found"
}

# Wait for "restauthd: listening on http(s)://ADDR:PORT" in $2 from PID $1; print PORT.
wait_listening() {
    local pid=$1 errf=$2 i port
    for ((i = 0; i < 100; i++)); do
        port=$(sed -n 's#.*listening on https\{0,1\}://.*:\([0-9][0-9]*\).*#\1#p' "$errf" | head -n1)
        if [[ -n $port ]]; then
            echo "$port"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || { cat "$errf" >&2; die "restauthd (PID $pid) exited during start"; }
        sleep 0.1
    done
    cat "$errf" >&2
    die "restauthd (PID $pid) did not report its port within 10 s"
}

# utime+stime (clock ticks) of PIDs, summed; a process that is gone counts 0.
cpu_ticks() {
    local pid s total=0 f
    for pid in "$@"; do
        s=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        s=${s##*) }
        read -r -a f <<<"$s"
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

# VmRSS (KiB) of PIDs, summed.
rss_kib() {
    local pid total=0 v
    for pid in "$@"; do
        v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

# The nginx master and its workers.
nginx_pids() {
    local s pid ppid
    echo "$NGINX_PID"
    for s in /proc/[0-9]*/stat; do
        pid=${s#/proc/}
        pid=${pid%/stat}
        ppid=$(cat "$s" 2>/dev/null) || continue
        ppid=${ppid##*) }
        read -r _ ppid _ <<<"$ppid"
        [[ $ppid == "$NGINX_PID" ]] && echo "$pid"
    done
    return 0
}

# curl to a target: curl_code URL OUTFILE AUTH [extra curl args]; prints the status code.
curl_code() {
    local url=$1 out=$2 auth=$3
    shift 3
    curl -sS --max-time 5 -o "$out" -w '%{http_code}' -H "Authorization: Basic $auth" "$@" "$url" || echo 000
}

# ---------------------------------------------------------------- restauthd
STORE_PATH=$TMP/store/restauth.db
mkdir -p "$TMP/store" "$TMP/tls" "$TMP/logs" "$TMP/wrk"
STORE="sqlite:$STORE_PATH"
KEYF=$STORE_PATH.key
ra() { "$RESTAUTHD" "$@" --store "$STORE" --key-file "$KEYF"; }

log "restauthd: $RESTAUTHD"
SETUP_ERR=$TMP/logs/setup.err
ra_quiet() { ra "$@" >/dev/null 2>>"$SETUP_ERR" || { cat "$SETUP_ERR" >&2; die "restauthd $* failed"; }; }
ra_quiet init
ra_quiet account add bench
CRED=$TMP/store/credentials.txt
ra_quiet secret add --account bench --out "$CRED"
CID=$(sed -n 's/^key：\(.*\)$/\1/p' "$CRED" | tr -d '\r\n')
SECRET=$(sed -n 's/^secret：\(.*\)$/\1/p' "$CRED" | tr -d '\r\n')
[[ $CID =~ ^[0-9a-f]{32}$ && $SECRET =~ ^[0-9a-f]{32}$ ]] || die "could not read the credential file"
if [[ ${SECRET: -1} == 0 ]]; then WRONG=${SECRET%?}1; else WRONG=${SECRET%?}0; fi
AUTH=$(printf '%s:%s' "$CID" "$SECRET" | base64 -w0)
BAD_AUTH=$(printf '%s:%s' "$CID" "$WRONG" | base64 -w0)

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

# Long, realistic names make the list about 785 bytes, the size bench-notes measured with.
for i in 1 2 3; do
    name="bench-project-$i-loopback-benchmark-of-restauthd-against-nginx-auth-basic-peer"
    code=$(curl_code "http://127.0.0.1:$A_PORT/dev/v1/project" "$TMP/resp" "$AUTH" \
        -H 'Content-Type: application/json' --data "{\"name\":\"$name\",\"enable_sign_key\":true}")
    [[ $code == 201 ]] || die "POST /dev/v1/project answered $code: $(head -c 300 "$TMP/resp")"
done

# The JSON every target must answer, byte for byte.
JSON_FILE=$TMP/projects.json
code=$(curl_code "$A_URL" "$JSON_FILE" "$AUTH")
[[ $code == 200 || $code == 201 ]] || die "GET /dev/v1/projects answered $code"
JSON=$(<"$JSON_FILE")
[[ $JSON == '{"projects":['* ]] || die "unexpected GET /dev/v1/projects body: ${JSON:0:200}"
nproj=$(grep -o '"vendor_key"' "$JSON_FILE" | wc -l)
((nproj == 3)) || die "expected 3 projects, got $nproj"
JSON_BYTES=$(wc -c <"$JSON_FILE")
# The JSON goes into an nginx single-quoted string: refuse characters that would need escaping.
[[ $JSON != *[\'\$\\]* && $JSON != *$'\n'* ]] || die "the JSON has characters that nginx 'return' would need escaped"
log "GET /dev/v1/projects: $nproj projects, $JSON_BYTES bytes (status $code)"

# ---------------------------------------------------------------- nginx
ND=$TMP/nginx
mkdir -p "$ND/www" "$ND/tmp"
cp "$JSON_FILE" "$ND/www/projects.json"
sha=$(printf '%s' "$SECRET" | openssl dgst -sha1 -binary | base64 -w0)
printf '%s:{SHA}%s\n' "$CID" "$sha" >"$ND/htpasswd"
USER_LINE="# master not root: workers keep this user"
if [[ $(id -u) == 0 ]]; then
    # Workers drop to nobody: let them reach the files they read (the pid and logs are
    # opened by the root master). The temporary directory itself stays unlistable.
    ngroup=$(id -gn nobody 2>/dev/null || echo nogroup)
    USER_LINE="user nobody $ngroup;"
    chmod 0711 "$TMP"
    chgrp -R "$ngroup" "$ND"
    chmod 0750 "$ND" "$ND/www"
    chmod 0640 "$ND/htpasswd" "$ND/www/projects.json"
fi
PORT_B=$(pick_port)
PORT_C=$(pick_port)
while [[ $PORT_C == "$PORT_B" ]]; do PORT_C=$(pick_port); done
NGINX_WORKERS=${NGINX_WORKERS:-auto}
conf=$(<"$BENCH/nginx.conf.in")
conf=${conf//@USER_LINE@/"$USER_LINE"}
conf=${conf//@WORKERS@/"$NGINX_WORKERS"}
conf=${conf//@DIR@/"$ND"}
conf=${conf//@PORT_B@/"$PORT_B"}
conf=${conf//@PORT_C@/"$PORT_C"}
conf=${conf//@JSON@/"$JSON"}
printf '%s\n' "$conf" >"$ND/nginx.conf"
"$NGINX" -q -t -p "$ND/" -e "$ND/error.log" -c "$ND/nginx.conf" 2>"$TMP/logs/nginx-t.err" ||
    { cat "$TMP/logs/nginx-t.err" "$ND/error.log" >&2 2>/dev/null; die "nginx rejected the configuration"; }
"${ON_SERVER_CPU[@]}" "$NGINX" -p "$ND/" -e "$ND/error.log" -c "$ND/nginx.conf" >/dev/null 2>"$TMP/logs/nginx.err" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
B_URL=http://127.0.0.1:$PORT_B/dev/v1/projects
C_URL=http://127.0.0.1:$PORT_C/dev/v1/projects
for ((i = 0; i < 100; i++)); do
    code=$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "$C_URL" || true)
    [[ $code == 200 ]] && break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$ND/error.log" >&2; die "nginx exited during start"; }
    sleep 0.1
done
[[ $code == 200 ]] || { cat "$ND/error.log" >&2; die "nginx did not answer within 10 s"; }
mapfile -t NGINX_ALL < <(nginx_pids)
NGINX_NWORKERS=$((${#NGINX_ALL[@]} - 1))
log "nginx B on 127.0.0.1:$PORT_B, C on 127.0.0.1:$PORT_C (master PID $NGINX_PID, $NGINX_NWORKERS workers)"

# ---------------------------------------------------------------- verification
# verify NAME URL AUTHED [curl args]: a wrong secret gets 401, the right one 200/201 with the JSON.
verify() {
    local name=$1 url=$2 authed=$3 code
    shift 3
    if [[ $authed == 1 ]]; then
        code=$(curl_code "$url" "$TMP/resp" "$BAD_AUTH" "$@")
        [[ $code == 401 ]] || die "$name: a wrong secret got $code, not 401"
        code=$(curl -sS --max-time 5 -o "$TMP/resp" -w '%{http_code}' "$@" "$url" || echo 000)
        [[ $code == 401 ]] || die "$name: no Authorization got $code, not 401"
    fi
    code=$(curl_code "$url" "$TMP/resp" "$AUTH" "$@")
    [[ $code == 200 || $code == 201 ]] || die "$name: the right secret got $code"
    cmp -s "$TMP/resp" "$JSON_FILE" || die "$name: the body differs from restauthd's JSON"
}

TARGETS=(A A-TLS B C)
declare -A URL DESC AUTHED CURLX
URL[A]=$A_URL;        DESC[A]="restauthd, HTTP";                          AUTHED[A]=1
URL[A-TLS]=$ATLS_URL; DESC[A-TLS]="restauthd, HTTPS (TLS, P-256 cert)";   AUTHED[A-TLS]=1
URL[B]=$B_URL;        DESC[B]="nginx auth_basic {SHA}, JSON from file";   AUTHED[B]=1
URL[C]=$C_URL;        DESC[C]="nginx, no auth, return 200 (limit)";       AUTHED[C]=0
CURLX[A-TLS]=1
verify_target() {
    local t=$1
    if [[ -n ${CURLX[$t]:-} ]]; then verify "$t" "${URL[$t]}" "${AUTHED[$t]}" "${TLS_CURL[@]}"
    else verify "$t" "${URL[$t]}" "${AUTHED[$t]}"; fi
}
server_pids() {
    case $1 in
    A) echo "$A_PID" ;;
    A-TLS) echo "$ATLS_PID" ;;
    *) printf '%s\n' "${NGINX_ALL[@]}" ;;
    esac
}
access_log_of() {
    case $1 in
    A) echo "$TMP/logs/a.log" ;;
    A-TLS) echo "$TMP/logs/atls.log" ;;
    *) echo "$ND/access.log" ;;
    esac
}
for t in "${TARGETS[@]}"; do verify_target "$t"; done
log "verified: wrong secret -> 401 and right secret -> the same $JSON_BYTES JSON bytes on A, A-TLS, B; C answers the JSON"

# ---------------------------------------------------------------- measuring
# Parse wrk --latency output: prints "rps p50_us p99_us requests non2xx socket_errors".
parse_wrk() {
    awk '
    function us(v,   n, u) {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") return n
        if (u == "ms") return n * 1000
        if (u == "s") return n * 1000000
        if (u == "m") return n * 60000000
        return -1
    }
    $1 == "50%" { p50 = us($2) }
    $1 == "99%" { p99 = us($2) }
    / requests in / { reqs = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { line = $0; sub(/.*Socket errors:/, "", line); gsub(/[^0-9 ]/, " ", line)
                       n = split(line, a, " "); for (i = 1; i <= n; i++) sockerr += a[i] }
    END { printf "%s %s %s %s %d %d\n", (rps == "" ? "NA" : rps), (p50 == "" ? "NA" : p50),
          (p99 == "" ? "NA" : p99), (reqs == "" ? 0 : reqs), non2xx, sockerr }'
}

run_wrk() { # SECONDS URL OUTFILE
    "${ON_CLIENT_CPU[@]}" timeout --foreground -k 5 $(($1 + 30)) "$WRK" -t1 -c"$CONNECTIONS" -d"$1s" --latency \
        -H "Authorization: Basic $AUTH" "$2" >"$3" 2>&1 || true
}

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
RESULTS=$TMP/results.tsv
: >"$RESULTS"
total_s=$((ROUNDS * ${#TARGETS[@]} * (DURATION + WARMUP + 2)))
log "measuring: ${#TARGETS[@]} targets x $ROUNDS rounds x (${WARMUP}s warm-up + ${DURATION}s), about ${total_s}s"
if ((PIN)); then
    log "pinning: servers on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU (taskset -c)"
fi
for ((r = 1; r <= ROUNDS; r++)); do
    for t in "${TARGETS[@]}"; do
        verify_target "$t"
        mapfile -t pids < <(server_pids "$t")
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null || die "$t: server PID $pid is gone"
        done
        if ((WARMUP > 0)); then
            run_wrk "$WARMUP" "${URL[$t]}" "$TMP/wrk/warmup.txt"
        fi
        alog=$(access_log_of "$t")
        : >"$alog"
        out=$TMP/wrk/$t-$r.txt
        c0=$(cpu_ticks "${pids[@]}")
        run_wrk "$DURATION" "${URL[$t]}" "$out"
        c1=$(cpu_ticks "${pids[@]}")
        rss=$(rss_kib "${pids[@]}")
        sleep 1.2 # both servers write their buffered access log out at least once a second
        loglines=$(wc -l <"$alog")
        : >"$alog"
        read -r rps p50 p99 reqs non2xx sockerr < <(parse_wrk <"$out")
        valid=yes
        why=- # a placeholder: read with IFS=tab would merge an empty field
        if [[ $rps == NA || $p99 == NA || $reqs == 0 ]]; then
            valid=no; why=" (wrk output not understood)"
        elif ((non2xx > 0)); then
            valid=no; why=" ($non2xx non-2xx responses)"
        elif ((sockerr > 0)); then
            valid=no; why=" ($sockerr socket errors)"
        fi
        cpu_us=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$reqs" \
            'BEGIN { if (n > 0) printf "%.2f", d / hz * 1e6 / n; else print "NA" }')
        printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$r" "$rps" "$p50" "$p99" \
            "$rss" "$cpu_us" "$reqs" "$loglines" "$valid" "$why" "$((c1 - c0))" >>"$RESULTS"
        if [[ $valid == yes ]]; then
            log "round $r $t: $rps req/s, p50 ${p50}us, p99 ${p99}us, RSS ${rss} KiB, CPU ${cpu_us} us/req"
        else
            log "round $r $t: INVALID$why"
            sed 's/^/    /' "$out" >&2
        fi
    done
done

# ---------------------------------------------------------------- report
# median COLUMN TARGET: median over the valid runs of TARGET, or NA.
median() {
    awk -F'\t' -v c="$1" -v t="$2" '$1 == t && $10 == "yes" && $c != "NA" { print $c }' "$RESULTS" |
        sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "NA"
            else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
fmt() { # FORMAT VALUE [SCALE]: printf VALUE/SCALE, or n/a
    awk -v f="$1" -v v="$2" -v s="${3:-1}" 'BEGIN { if (v == "NA") print "n/a"; else printf f, v / s }'
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NA" || b == "NA" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

declare -A M_RPS M_P50 M_P99 M_RSS M_CPU NVALID
for t in "${TARGETS[@]}"; do
    M_RPS[$t]=$(median 3 "$t")
    M_P50[$t]=$(median 4 "$t")
    M_P99[$t]=$(median 5 "$t")
    M_RSS[$t]=$(median 6 "$t")
    M_CPU[$t]=$(median 7 "$t")
    NVALID[$t]=$(awk -F'\t' -v t="$t" '$1 == t && $10 == "yes"' "$RESULTS" | wc -l)
done

LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "none (no commit yet)")
if [[ $COMMIT != none* ]] && [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
    COMMIT="$COMMIT (with uncommitted changes)"
fi
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
A_THREADS=$(awk '/^Threads:/ { print $2 }' "/proc/$A_PID/status" 2>/dev/null || echo "?")
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')
WRK_VERSION=$( { "$WRK" -v 2>&1 || true; } | awk 'NR == 1 { print $2 }')
if ((PIN)); then
    PINNING="servers pinned to CPU $SERVER_CPU, wrk to CPU $CLIENT_CPU (taskset -c)"
else
    PINNING="not pinned (fewer than 2 CPUs or SERVER_CPU == CLIENT_CPU)"
fi

mkdir -p "$BENCH/out"
REPORT=$TMP/report.md
{
    echo "### restauthd benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- machine: $NCPU CPUs, $CPU_MODEL; kernel $(uname -r)"
    echo "- commit: $COMMIT; binary: ${RESTAUTHD#"$ROOT"/}"
    echo "- pinning: $PINNING"
    echo "- 1-minute load average at start / end: $LOAD_START / $LOAD_END" \
        "(the run itself adds about 2; much more means other work shared the CPUs)"
    echo "- load: wrk $WRK_VERSION, \`wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency\` on 127.0.0.1, keep-alive," \
        "every request with \`Authorization: Basic\`; ${WARMUP}s warm-up before every run;" \
        "$ROUNDS interleaved round(s) of ${TARGETS[*]}; medians over valid runs"
    echo "- request: GET /dev/v1/projects, 3 projects, $JSON_BYTES-byte JSON body, identical on every target"
    echo "- restauthd: \`--threads\` default (one per online CPU; $A_THREADS threads in the process" \
        "counting the main one), \`--rate-limit 0 --auth-fail-limit 0\`, access log on (to a file," \
        "buffered, written out every second)"
    echo "- nginx $NGINX_VERSION: \`worker_processes $NGINX_WORKERS\` ($NGINX_NWORKERS workers)," \
        "\`sendfile off\`, keep-alive on (\`keepalive_requests 1000000\`), access log on (to a file," \
        "\`buffer=64k flush=1s\`), error log to a file;" \
        "RSS is master + workers"
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
EXPECTED='listening on|restauthd: info:|\[notice\]|password mismatch|no user/password was provided'
for f in "A:$TMP/logs/a.err" "A-TLS:$TMP/logs/atls.err" "nginx:$ND/error.log" "nginx:$TMP/logs/nginx.err"; do
    if grep -Ev "$EXPECTED" "${f#*:}" 2>/dev/null | grep -q .; then
        log "messages from ${f%%:*} (stderr / error log):"
        grep -Ev "$EXPECTED" "${f#*:}" | head -n 20 | sed 's/^/    /' >&2
    fi
done
echo
cat "$REPORT"
echo
log "written to bench/out/latest.md"
invalid=$(awk -F'\t' '$10 != "yes"' "$RESULTS" | wc -l)
if ((invalid > 0)); then
    log "$invalid run(s) were invalid; see the table"
    exit 3
fi
