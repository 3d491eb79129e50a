# bench/lib.sh: what the benchmarks in bench/ share, sourced by run.sh and forward.sh once they
# have set BENCH_NAME (the prefix of their messages and of their temporary directory):
# settings from the environment, the clean-up of every process they start (by the PID they
# record in PIDS) and of their temporary directory TMP, the tools (restauthd, nginx, wrk, with
# BUILD=1 and the apt-get fallback), the pinning prefixes ON_SERVER_CPU and ON_CLIENT_CPU,
# readings of CPU time and RSS, wrk's output, the measured rounds and the medians.
# It runs nothing by itself.
# shellcheck shell=bash disable=SC2034  # it sets variables for the scripts that source it
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
: "${BENCH_NAME:=bench}"

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
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "$BENCH_NAME: $v must be a whole number, not '${!v}'" >&2; exit 2; }
done
((ROUNDS >= 1 && DURATION >= 1)) || { echo "$BENCH_NAME: ROUNDS and DURATION must be at least 1" >&2; exit 2; }

log() { printf '%s: %s\n' "$BENCH_NAME" "$*" >&2; }
die() { printf '%s: error: %s\n' "$BENCH_NAME" "$*" >&2; exit 1; }

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

TMP=$(mktemp -d "${TMPDIR:-/tmp}/restauth-$BENCH_NAME.XXXXXX")
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
STORE="sqlite:$STORE_PATH"
KEYF=$STORE_PATH.key
SETUP_ERR=$TMP/logs/setup.err
mkdir -p "$TMP/store" "$TMP/tls" "$TMP/logs" "$TMP/wrk"
ra() { "$RESTAUTHD" "$@" --store "$STORE" --key-file "$KEYF"; }
ra_quiet() { ra "$@" >/dev/null 2>>"$SETUP_ERR" || { cat "$SETUP_ERR" >&2; die "restauthd $* failed"; }; }

# bench_store: a new store with account "bench" and one pair, read back from its file: CID,
# SECRET, and the Basic values AUTH (the pair) and BAD_AUTH (a wrong secret).
bench_store() {
    local cred=$TMP/store/credentials.txt wrong
    log "restauthd: $RESTAUTHD"
    ra_quiet init
    ra_quiet account add bench
    ra_quiet secret add --account bench --out "$cred"
    CID=$(sed -n 's/^key：\(.*\)$/\1/p' "$cred" | tr -d '\r\n')
    SECRET=$(sed -n 's/^secret：\(.*\)$/\1/p' "$cred" | tr -d '\r\n')
    [[ $CID =~ ^[0-9a-f]{32}$ && $SECRET =~ ^[0-9a-f]{32}$ ]] || die "could not read the credential file"
    if [[ ${SECRET: -1} == 0 ]]; then wrong=${SECRET%?}1; else wrong=${SECRET%?}0; fi
    AUTH=$(printf '%s:%s' "$CID" "$SECRET" | base64 -w0)
    BAD_AUTH=$(printf '%s:%s' "$CID" "$wrong" | base64 -w0)
}

# bench_projects BASE [curl args]: three projects made through restauthd at BASE, and the JSON
# of GET /dev/v1/projects every target must answer, byte for byte: JSON_FILE, JSON, JSON_BYTES.
bench_projects() {
    local base=$1 i name code nproj
    shift
    # Long, realistic names make the list about 785 bytes, the size of a realistic project list.
    for i in 1 2 3; do
        name="bench-project-$i-loopback-benchmark-of-restauthd-against-nginx-auth-basic-peer"
        code=$(curl_code "$base/dev/v1/project" "$TMP/resp" "$AUTH" "$@" \
            -H 'Content-Type: application/json' --data "{\"name\":\"$name\",\"enable_sign_key\":true}")
        [[ $code == 201 ]] || die "POST /dev/v1/project answered $code: $(head -c 300 "$TMP/resp")"
    done
    JSON_FILE=$TMP/projects.json
    code=$(curl_code "$base/dev/v1/projects" "$JSON_FILE" "$AUTH" "$@")
    [[ $code == 200 || $code == 201 ]] || die "GET /dev/v1/projects answered $code"
    JSON=$(<"$JSON_FILE")
    [[ $JSON == '{"projects":['* ]] || die "unexpected GET /dev/v1/projects body: ${JSON:0:200}"
    nproj=$(grep -o '"vendor_key"' "$JSON_FILE" | wc -l)
    ((nproj == 3)) || die "expected 3 projects, got $nproj"
    JSON_BYTES=$(wc -c <"$JSON_FILE")
    # The JSON may go into an nginx single-quoted string: refuse what would need escaping.
    [[ $JSON != *[\'\$\\]* && $JSON != *$'\n'* ]] || die "the JSON has characters that nginx 'return' would need escaped"
    log "GET /dev/v1/projects: $nproj projects, $JSON_BYTES bytes (status $code)"
}

# nginx_workers_user DIR... -- FILE...: the user line of nginx.conf in NGINX_USER_LINE. As
# root, the workers drop to nobody, and may then list and read only these directories and
# files (the pid and logs are opened by the root master); the temporary directory itself
# stays unlistable.
nginx_workers_user() {
    local dirs=() files=()
    while (($# > 0)) && [[ $1 != -- ]]; do dirs+=("$1"); shift; done
    (($# > 0)) && shift
    files=("$@")
    NGINX_USER_LINE="# master not root: workers keep this user"
    if [[ $(id -u) == 0 ]]; then
        NGINX_GROUP=$(id -gn nobody 2>/dev/null || echo nogroup)
        NGINX_USER_LINE="user nobody $NGINX_GROUP;"
        chmod 0711 "$TMP"
        chgrp "$NGINX_GROUP" "${dirs[@]}" "${files[@]}"
        chmod 0750 "${dirs[@]}"
        chmod 0640 "${files[@]}"
    fi
}

# nginx_conf TEMPLATE NAME=VALUE...: write $ND/nginx.conf from TEMPLATE, with @USER_LINE@,
# @WORKERS@ (NGINX_WORKERS, default auto) and @DIR@ ($ND) filled in, and each @NAME@ given.
nginx_conf() {
    local conf kv
    conf=$(<"$1")
    shift
    conf=${conf//@USER_LINE@/"$NGINX_USER_LINE"}
    conf=${conf//@WORKERS@/"${NGINX_WORKERS:-auto}"}
    conf=${conf//@DIR@/"$ND"}
    for kv in "$@"; do
        conf=${conf//"@${kv%%=*}@"/"${kv#*=}"}
    done
    printf '%s\n' "$conf" >"$ND/nginx.conf"
}

# nginx_start DIR URL: check DIR/nginx.conf, start nginx on it (pinned like the servers,
# tracked by PID) and wait until URL answers 200: NGINX_PID, NGINX_ALL (master and workers),
# NGINX_NWORKERS.
nginx_start() {
    local nd=$1 url=$2 i code=000
    "$NGINX" -q -t -p "$nd/" -e "$nd/error.log" -c "$nd/nginx.conf" 2>"$TMP/logs/nginx-t.err" ||
        { cat "$TMP/logs/nginx-t.err" "$nd/error.log" >&2 2>/dev/null; die "nginx rejected the configuration"; }
    "${ON_SERVER_CPU[@]}" "$NGINX" -p "$nd/" -e "$nd/error.log" -c "$nd/nginx.conf" >/dev/null 2>"$TMP/logs/nginx.err" &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    for ((i = 0; i < 100; i++)); do
        code=$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "$url" || true)
        [[ $code == 200 ]] && break
        kill -0 "$NGINX_PID" 2>/dev/null || { cat "$nd/error.log" >&2; die "nginx exited during start"; }
        sleep 0.1
    done
    [[ $code == 200 ]] || { cat "$nd/error.log" >&2; die "nginx did not answer within 10 s"; }
    mapfile -t NGINX_ALL < <(nginx_pids)
    NGINX_NWORKERS=$((${#NGINX_ALL[@]} - 1))
}

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

run_wrk() { # SECONDS URL OUTFILE [MORE WRK ARGUMENTS]
    "${ON_CLIENT_CPU[@]}" timeout --foreground -k 5 $(($1 + 30)) "$WRK" -t1 -c"$CONNECTIONS" -d"$1s" --latency \
        -H "Authorization: Basic $AUTH" "${@:4}" "$2" >"$3" 2>&1 || true
}

# measure_rounds: ROUNDS interleaved rounds over the targets of TARGETS. The script defines
# verify_target T (its checks; dies on a failure), server_pids T (the processes whose CPU and
# RSS count for T), access_log_of T (the file whose lines show logging was on) and, if it wants
# part of that CPU apart, side_pids T; and, for more wrk arguments (such as a header), wrk_args T.
# Each run: the checks, WARMUP seconds of load, then
# DURATION seconds of wrk against URL[T] with the CPU read before and after. One line per run
# goes to $RESULTS, tab-separated: target, round, req/s, p50 and p99 (us), RSS (KiB), CPU per
# request (us), requests, access-log lines, valid (yes/no), why ("-" when valid), CPU ticks,
# CPU ticks of side_pids.
measure_rounds() {
    local r t pid alog out c0 c1 s0 s1 rss loglines rps p50 p99 reqs non2xx sockerr valid why cpu_us
    local -a pids side extra
    for ((r = 1; r <= ROUNDS; r++)); do
        for t in "${TARGETS[@]}"; do
            verify_target "$t"
            mapfile -t pids < <(server_pids "$t")
            side=()
            if declare -F side_pids >/dev/null; then mapfile -t side < <(side_pids "$t"); fi
            extra=()
            if declare -F wrk_args >/dev/null; then mapfile -t extra < <(wrk_args "$t"); fi
            for pid in "${pids[@]}"; do
                kill -0 "$pid" 2>/dev/null || die "$t: server PID $pid is gone"
            done
            if ((WARMUP > 0)); then
                run_wrk "$WARMUP" "${URL[$t]}" "$TMP/wrk/warmup.txt" "${extra[@]}"
            fi
            alog=$(access_log_of "$t")
            : >"$alog"
            out=$TMP/wrk/$t-$r.txt
            c0=$(cpu_ticks "${pids[@]}")
            s0=$(cpu_ticks "${side[@]}")
            run_wrk "$DURATION" "${URL[$t]}" "$out" "${extra[@]}"
            c1=$(cpu_ticks "${pids[@]}")
            s1=$(cpu_ticks "${side[@]}")
            rss=$(rss_kib "${pids[@]}")
            sleep 1.2 # the servers write their buffered access logs out at least once a second
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
            printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$r" "$rps" "$p50" \
                "$p99" "$rss" "$cpu_us" "$reqs" "$loglines" "$valid" "$why" "$((c1 - c0))" \
                "$((s1 - s0))" >>"$RESULTS"
            if [[ $valid == yes ]]; then
                log "round $r $t: $rps req/s, p50 ${p50}us, p99 ${p99}us, RSS ${rss} KiB, CPU ${cpu_us} us/req"
            else
                log "round $r $t: INVALID$why"
                sed 's/^/    /' "$out" >&2
            fi
        done
    done
}

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

# The facts every report starts with: machine, commit, binary, pinning, load average, wrk.
report_facts() {
    local commit cpu_model wrk_version pinning
    commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "none (no commit yet)")
    if [[ $commit != none* ]] && [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
        commit="$commit (with uncommitted changes)"
    fi
    cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    wrk_version=$( { "$WRK" -v 2>&1 || true; } | awk 'NR == 1 { print $2 }')
    if ((PIN)); then
        pinning="servers pinned to CPU $SERVER_CPU, wrk to CPU $CLIENT_CPU (taskset -c)"
    else
        pinning="not pinned (fewer than 2 CPUs or SERVER_CPU == CLIENT_CPU)"
    fi
    echo "- machine: $NCPU CPUs, $cpu_model; kernel $(uname -r)"
    echo "- commit: $commit; binary: ${RESTAUTHD#"$ROOT"/}"
    echo "- pinning: $pinning"
    echo "- 1-minute load average at start / end: $LOAD_START / $LOAD_END" \
        "(the run itself adds about 2; much more means other work shared the CPUs)"
    echo "- load: wrk $wrk_version, \`wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency\` on 127.0.0.1, keep-alive," \
        "every request with \`Authorization: Basic\`; ${WARMUP}s warm-up before every run;" \
        "$ROUNDS interleaved round(s) of ${TARGETS[*]}; medians over valid runs"
}

# show_messages PATTERN NAME:FILE...: what the servers logged that PATTERN does not expect.
show_messages() {
    local expected=$1 f
    shift
    for f in "$@"; do
        if grep -Ev "$expected" "${f#*:}" 2>/dev/null | grep -q .; then
            log "messages from ${f%%:*} (stderr / error log):"
            grep -Ev "$expected" "${f#*:}" | head -n 20 | sed 's/^/    /' >&2
        fi
    done
}

# Exit 3 when some run was invalid (the report says which and why).
exit_if_invalid() {
    local invalid
    invalid=$(awk -F'\t' '$10 != "yes"' "$RESULTS" | wc -l)
    if ((invalid > 0)); then
        log "$invalid run(s) were invalid; see the table"
        exit 3
    fi
}
