#!/usr/bin/env bash
# mutate.sh: a mutation check over the security-critical rules of restauthd.
#
# Each entry of the list below changes one line of one source file (a fixed string, found
# exactly once, is replaced). For every entry the script applies the change to a scratch copy
# of the tree, rebuilds it incrementally, runs the C unit tests (`ctest -L unit -LE pg`: the PostgreSQL store is not mutated) and, when the
# entry names them, pytest files of tests/e2e against the scratch build's restauthd, then
# reverts the change. A mutant is
#   KILLED      some test failed: the tests notice the change;
#   SURVIVED    every test passed: the rule is not tested;
#   BROKEN      it did not compile;
#   EQUIVALENT  it survived, and the entry says why no behaviour can tell it apart.
#
# Usage:
#   scripts/mutate.sh                 run every mutation (slow: minutes; `make mutate`)
#   scripts/mutate.sh --list          print the mutations and check that each still applies
#   scripts/mutate.sh --only NAME     run one mutation (repeat --only for more)
#   MUTATE_JOBS=N scripts/mutate.sh   build with N jobs (default 2)
#
# Output: one table row per mutation, then `mutations: N killed, N survived, N broken,
# N equivalent`. Exit status: 0, or 1 when a mutant survived, or 2 when the check itself could
# not run (an entry's text is not found exactly once, the unmutated tree fails its tests...).
#
# The working tree is never edited. The files git knows (tracked, and untracked ones it does
# not ignore) are copied to a temporary directory; the build directory there is configured
# once (RelWithDebInfo) and reused, so each mutation recompiles one file. The directory is
# removed at exit. Every test command runs under timeout(1) in its own process group; on
# interruption only that group (processes started here) is signalled.
#
# Adding an entry:
#   mutation NAME FILE FIND REPLACE [e2e=FILE.py,...] [equivalent=REASON]
# FIND must occur exactly once in FILE and lie on one line. e2e= names pytest files of
# tests/e2e to run after the unit tests. equivalent= marks a mutant that no test can kill
# because no behaviour changes; it is still run, and reported KILLED if that stops being so.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true

M_NAME=()
M_FILE=()
M_FIND=()
M_REPL=()
M_E2E=()
M_EQUIV=()

mutation() {
  local name=$1 file=$2 find=$3 repl=$4 e2e="" equiv=""
  shift 4
  for opt in "$@"; do
    case $opt in
      e2e=*) e2e=${opt#e2e=} ;;
      equivalent=*) equiv=${opt#equivalent=} ;;
      *) echo "mutate.sh: mutation $name: unknown option '$opt'" >&2; exit 2 ;;
    esac
  done
  M_NAME+=("$name") M_FILE+=("$file") M_FIND+=("$find") M_REPL+=("$repl")
  M_E2E+=("$e2e") M_EQUIV+=("$equiv")
}

# ---- the mutations -------------------------------------------------------------------------

B=src/server/auth/basic.c
mutation basic-scheme-case $B "(p[0] | 0x20) != 'b'" "p[0] != 'B'"
mutation basic-scheme-sep $B 'if (!is_ows(p[5]))' 'if (!is_ows(p[5]) && p[5] == 0)'
mutation basic-ows-tab $B "return c == ' ' || c == '\\t';" "return c == ' ';"
mutation basic-trim-leading $B 'while (p < e && is_ows(*p))' 'while (p < e && false)'
mutation basic-first-colon $B "if (c == ':' && colon == n)" "if (c == ':')"
mutation basic-ctl-del $B 'return c < 0x20 || c == 0x7f;' 'return c < 0x20;'
mutation basic-ctl-ignored $B 'if (is_ctl(c))' 'if (is_ctl(c) && c == 0)'
mutation basic-empty-secret $B 'secret_len == 0 || secret_len' 'secret_len'
mutation basic-id-max $B 'id_len > BASIC_MAX_ID' 'id_len >= BASIC_MAX_ID'
mutation basic-value-cap $B 'len > BASIC_MAX_VALUE' 'len > BASIC_MAX_VALUE + 1'

C=src/server/service/credtab.c
mutation credtab-half-hash $C 'sodium_memcmp(stored, presented, sizeof(presented))' \
  'sodium_memcmp(stored, presented, sizeof(presented) / 2)'
mutation credtab-unknown-early $C \
  'secret_hash(&t->hasher, c->id, c->id_len, c->secret, c->secret_len, presented);' \
  'if (find(t->slots, t->mask, c->id, c->id_len) == NULL) return -EACCES; secret_hash(&t->hasher, c->id, c->id_len, c->secret, c->secret_len, presented);'
mutation credtab-inactive $C 'match && e != NULL && e->active &&' 'match && e != NULL &&'
mutation credtab-pending-loaded $C 'if (c->pending)' 'if (c->pending && false)'
mutation credtab-forget-noop $C \
  'struct cred_entry *e = find(t->slots, t->mask, customer_id, strlen(customer_id));' \
  'struct cred_entry *e = NULL;' e2e=test_console_api.py
mutation credtab-forget-active $C 'e->active = false; /* the slot stays' '(void)0; /* the slot stays' \
  'equivalent=credtab_forget also zeroes the stored hash, and no keyed hash of a presented pair is all zeros'

S=src/server/auth/secret.c
mutation secret-key-mode $S '(st.st_mode & 077) != 0' '(st.st_mode & 007) != 0'
mutation secret-key-length $S 'st.st_size != SECRET_KEY_LEN' 'st.st_size < SECRET_KEY_LEN'
mutation secret-key-create-mode $S 'O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600' \
  'O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644'

G=src/server/gate/gate.c
mutation gate-duplicate-auth $G 'h->auth_count > 1' 'h->auth_count > 2' e2e=test_auth.py
mutation gate-cl-and-te $G '(h->has_te && h->cl_count > 0)' '(h->has_te && h->cl_count > 1)' \
  e2e=test_http.py
mutation gate-cl-conflict $G 'strcmp(h->content_length, value) != 0)' \
  'strcmp(h->content_length, value) != 0 && false)' e2e=test_http.py
mutation gate-bad-name $G 'h->bad_name = true;' 'h->bad_name = false;' e2e=test_http.py
mutation gate-missing-host $G '(http11 && !h->has_host))' '(http11 && false))' e2e=test_http.py
mutation gate-header-size $G 'h->bytes > (size_t)req->app->cfg->max_header' \
  'h->bytes >= (size_t)req->app->cfg->max_header'
mutation gate-absent-counted $G 'if (rc == BASIC_ABSENT)' 'if (rc == BASIC_ABSENT && false)'
mutation gate-throttle-off $G 'int wait = take(app->auth_fails,' \
  'int wait = 0 * take(app->auth_fails,'
mutation gate-throttle-keeps-conn $G '"Too many failed authentication attempts", true' \
  '"Too many failed authentication attempts", false'
mutation gate-rate-ignores-class $G "limiter_key(app->rate, 'r', id, sizeof(int64_t) + n)" \
  "limiter_key(app->rate, 'r', id, sizeof(int64_t))"
mutation gate-rate-ignores-account $G "limiter_key(app->rate, 'r', id, sizeof(int64_t) + n)" \
  "limiter_key(app->rate, 'r', id + sizeof(int64_t), n)"
mutation gate-rate-console-off $G '{"rate limit", STAGE_RUN, ROUTE_SESSION | ROUTE_RATED, phase_rate}' \
  '{"rate limit", STAGE_RUN, ROUTE_SESSION | ROUTE_RATED | ROUTE_BASIC, phase_rate}' \
  e2e=test_console_api.py
mutation gate-csrf-phase-off $G '{"csrf token", STAGE_RUN, ROUTE_CSRF, console_check_csrf}' \
  '{"csrf token", STAGE_RUN, ROUTE_CSRF | ROUTE_BASIC, console_check_csrf}' \
  e2e=test_console_api.py
mutation gate-body-limit $G 'if (n > (unsigned long long)max)' \
  'if (n > (unsigned long long)max + 1)' e2e=test_http.py
mutation gate-refused-keeps-conn $G 'req->reply.close = true; /* refused before its body' \
  'req->reply.close = false; /* refused before its body' e2e=test_http.py

L=src/server/service/limiter.c
mutation limiter-take-limit $L 'if (e->count >= limit)' 'if (e->count > limit)'
mutation limiter-window-live $L 'if (e != NULL && now_ms < e->end_ms) {' \
  'if (e != NULL && now_ms <= e->end_ms) {'
mutation limiter-window-end $L ': now_ms + l->window_ms;' ': now_ms + l->window_ms + 1;'
mutation limiter-refund-noop $L '&& --e->count == 0)' '&& e->count - 1 == 0)'
mutation limiter-v4-mapped $L 'return limiter_key(l, LIMITER_KIND_ADDR, a + 12, 4);' \
  'return limiter_key(l, LIMITER_KIND_ADDR, a, 16);'
mutation limiter-v6-prefix $L 'return limiter_key(l, LIMITER_KIND_ADDR, a, 8);' \
  'return limiter_key(l, LIMITER_KIND_ADDR, a, 16);'
mutation limiter-victim-newest $L 'if (bucket[w].end_ms < v->end_ms)' \
  'if (bucket[w].end_ms > v->end_ms)'

R=src/server/service/creds.c
mutation creds-delete-other-account $R '&& c.account_id != account_id)' \
  '&& c.account_id != account_id && false)' e2e=test_console_api.py
mutation creds-delete-table-kept $R 'apply_to_table(app, customer_id);' '(void)customer_id;' \
  e2e=test_console_api.py
mutation creds-id-charset $R "(id[i] >= 'a' && id[i] <= 'f')" "(id[i] >= 'a' && id[i] <= 'z')"
mutation creds-id-length $R 'strlen(id) != SECRET_HEX_LEN' 'strlen(id) < SECRET_HEX_LEN'

U=src/server/service/cluster.c
mutation cluster-cred-rows-ignored $U 'if (c->kind == STORE_CHANGE_CRED) {' 'if (false) {' \
  e2e=test_cluster.py
mutation cluster-no-share $U 'return share > 0 ? share : -1;' 'return limit;' \
  e2e=test_pg_cluster.py
mutation credtab-refresh-keeps-deleted $C \
  '} else if (rc == -ENOENT || rc == 0) { /* deleted, or pending */' '} else if (false) {' \
  e2e=test_cluster.py
mutation gate-proxy-trusts-anyone $G 'if (!from_trusted_proxy(req))' 'if (false)'

K=src/server/console/console.c
mutation console-origin-host $K 'strcasecmp(origin + n, host) == 0' \
  '(strcasecmp(origin + n, host) == 0 || true)' e2e=test_console_api.py
mutation console-fetch-site $K 'strcasecmp(site, "same-origin") == 0' \
  '(strcasecmp(site, "same-origin") == 0 || true)' e2e=test_console_api.py
mutation console-csrf-skipped $K 'if (session_csrf_ok(&req->session,' \
  'if (1 || session_csrf_ok(&req->session,' e2e=test_console_api.py

N=src/server/console/session.c
mutation session-absolute-expiry $N 'now >= ss->expires' 'now > ss->expires' \
  e2e=test_console_api.py
mutation session-idle-expiry $N 'now - ss->last_seen >= app->cfg->session_idle_s' \
  'now - ss->last_seen > app->cfg->session_idle_s' e2e=test_console_api.py
mutation session-never-touched $N 'if (now > ss->last_seen && o->session_touch' \
  'if (false && o->session_touch' e2e=test_console_api.py
mutation session-csrf-prefix $N 'strlen(token) != SESSION_TOKEN_LEN ||' '' \
  e2e=test_console_api.py
mutation session-csrf-half $N 'sodium_memcmp(token, ss->csrf, SESSION_TOKEN_LEN)' \
  'sodium_memcmp(token, ss->csrf, SESSION_TOKEN_LEN / 2)' e2e=test_console_api.py

I=src/server/console/signin_limit.c
mutation signin-email-case $I "folded[i] = c >= 'A' && c <= 'Z'" "folded[i] = c >= 'A' && c <= 'A'" \
  e2e=test_console_api.py
mutation signin-addr-unlimited $I 'wait = limiter_take(l, keys->addr,' 'wait = 0 * limiter_take(l, keys->addr,' \
  e2e=test_console_api.py
mutation signin-ok-keeps-count $I 'limiter_forget(l, keys->email);' '(void)0;' \
  e2e=test_console_api.py
mutation signin-ok-counts-addr $I 'limiter_refund(l, keys->addr, now_ms);' '(void)0;' \
  e2e=test_console_api.py

Q=src/server/store/store_sqlite.c
mutation store-cred-quota $Q 'rc = count_of(s, Q_CRED_COUNT, c->account_id, &n);' \
  'rc = count_of(s, Q_CRED_COUNT, c->account_id, &n), n--;'
mutation store-project-quota $Q 'int rc = count_of(s, Q_PROJECT_COUNT, p->account_id, &n);' \
  'int rc = count_of(s, Q_PROJECT_COUNT, p->account_id, &n); n--;'
mutation store-last-pair $Q 'if (rc == 0 && !force && n <= 1)' 'if (rc == 0 && !force && n < 1)'
mutation store-name-unique $Q 'return -EEXIST;' 'rc = 0;'
mutation store-name-freed $Q '" WHERE account_id = ?1 AND name = ?2 AND deleted = 0",' \
  '" WHERE account_id = ?1 AND name = ?2",'
mutation store-name-per-account $Q '" WHERE account_id = ?1 AND name = ?2 AND deleted = 0",' \
  '" WHERE ?1 IS NOT NULL AND name = ?2 AND deleted = 0",'

O=src/server/store/store_sqlite_console.c
mutation store-issue-once $O 'if (rc == 0 && !c.pending)' 'if (rc == 0 && false)' \
  'equivalent=the UPDATE in the same transaction matches only a pending pair (hash IS NULL) and turns an issued one into the same -EALREADY'
mutation store-issue-account $O 'if (rc == 0 && c.account_id != account_id)' \
  'if (rc == 0 && false)'
mutation store-session-cap $O 'sqlite3_bind_int(st, 2, STORE_SESSIONS_PER_ACCOUNT)' \
  'sqlite3_bind_int(st, 2, STORE_SESSIONS_PER_ACCOUNT + 1)'
mutation store-password-keeps-sessions $O 'if (rc == 0 && pwhash != NULL) {' 'if (false) {' \
  e2e=test_console_api.py

# ---- the machinery -------------------------------------------------------------------------

die() {
  echo "mutate.sh: $*" >&2
  exit 2
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

# The index of the mutation NAME, or die.
index_of() {
  local i
  for i in "${!M_NAME[@]}"; do
    [[ ${M_NAME[$i]} == "$1" ]] && { echo "$i"; return; }
  done
  die "no mutation named '$1' (see --list)"
}

# Occurrences of the fixed string $2 in the text $1.
count_of() {
  local text=$1 find=$2
  local rest=${text//"$find"/}
  echo $(((${#text} - ${#rest}) / ${#find}))
}

# Check every entry against the tree at $1: unique names, existing files, and FIND present
# exactly once on one line of FILE. Prints every problem and dies if there is any.
validate() {
  local root=$1 bad=0 i j text n
  for i in "${!M_NAME[@]}"; do
    for ((j = 0; j < i; j++)); do
      [[ ${M_NAME[$j]} == "${M_NAME[$i]}" ]] && { echo "duplicate name ${M_NAME[$i]}" >&2; bad=1; }
    done
    if [[ ! -f $root/${M_FILE[$i]} ]]; then
      echo "${M_NAME[$i]}: no file ${M_FILE[$i]}" >&2
      bad=1
      continue
    fi
    if [[ -z ${M_FIND[$i]} || ${M_FIND[$i]} == *$'\n'* || ${M_REPL[$i]} == *$'\n'* ]]; then
      echo "${M_NAME[$i]}: the text and its replacement must be one non-empty line" >&2
      bad=1
      continue
    fi
    [[ ${M_FIND[$i]} == "${M_REPL[$i]}" ]] && { echo "${M_NAME[$i]}: replacement is the text itself" >&2; bad=1; }
    text=$(<"$root/${M_FILE[$i]}")
    n=$(count_of "$text" "${M_FIND[$i]}")
    if ((n != 1)); then
      echo "${M_NAME[$i]}: '${M_FIND[$i]}' found $n times in ${M_FILE[$i]} (must be once)" >&2
      bad=1
    fi
    local f
    for f in ${M_E2E[$i]//,/ }; do
      [[ -f $root/tests/e2e/$f ]] || { echo "${M_NAME[$i]}: no tests/e2e/$f" >&2; bad=1; }
    done
  done
  ((bad == 0)) || die "the mutation list does not match the source; fix the entries above"
}

list() {
  local i
  printf '%-30s %-42s %s\n' NAME FILE "E2E / NOTE"
  for i in "${!M_NAME[@]}"; do
    local note=${M_E2E[$i]:--}
    [[ -n ${M_EQUIV[$i]} ]] && note="$note; equivalent: ${M_EQUIV[$i]}"
    printf '%-30s %-42s %s\n' "${M_NAME[$i]}" "${M_FILE[$i]}" "$note"
    printf '    - %s\n    + %s\n' "${M_FIND[$i]}" "${M_REPL[$i]}"
  done
}

# ---- running commands so that only what we started can be stopped --------------------------

child=""
scratch=""

cleanup() {
  if [[ -n $child ]]; then
    kill -TERM "$child" 2>/dev/null || true # timeout(1) passes it on to its process group
    wait "$child" 2>/dev/null || true
    child=""
  fi
  if [[ -n $scratch ]]; then
    rm -rf "$scratch"
    scratch=""
  fi
}

# run LOG SECONDS [VAR=VALUE...] CMD...: run CMD (with those variables) under timeout(1),
# which puts it in a process group of its own, output to LOG. It runs in the background so
# that a signal reaches our trap at once. Returns CMD's status (124 on timeout).
run() {
  local log=$1 secs=$2 rc=0
  shift 2
  timeout -k 10 "$secs" env "$@" >"$log" 2>&1 </dev/null &
  child=$!
  wait "$child" || rc=$?
  child=""
  return "$rc"
}

# ---- main ----------------------------------------------------------------------------------

only=()
do_list=0
while (($#)); do
  case $1 in
    --list) do_list=1 ;;
    --only)
      (($# >= 2)) || die "--only needs a NAME"
      only+=("$2")
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

root=$(cd "$(dirname "$0")/.." && pwd)
validate "$root"
if ((do_list)); then
  list
  exit 0
fi

selected=()
if ((${#only[@]})); then
  for name in "${only[@]}"; do selected+=("$(index_of "$name")"); done
else
  selected=("${!M_NAME[@]}")
fi

jobs=${MUTATE_JOBS:-2}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "MUTATE_JOBS must be a positive number"
command -v timeout >/dev/null || die "timeout(1) is needed"
command -v cmake >/dev/null && command -v ctest >/dev/null || die "cmake and ctest are needed"

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ra-mutate-XXXXXX")
src=$scratch/src
build=$scratch/build
logs=$scratch/logs
mkdir -p "$src" "$build" "$logs"

# The tree as it is in the working copy: tracked files and untracked ones git does not ignore.
(
  cd "$root"
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done |
    xargs -0 -r cp -P --preserve=mode --parents -t "$src" --
)

echo "mutate.sh: configuring a scratch build in $build"
run "$logs/configure" 600 cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo ||
  { cat "$logs/configure" >&2; die "cmake configure failed"; }
# What `ctest -L unit` runs, and so what to build: restauthd and each unit test executable.
mapfile -t targets < <(cd "$build" && ctest -N -L unit | sed -n 's/.*Test *#[0-9]*: unit\.\([^.]*\).*$/\1/p' | sort -u)
((${#targets[@]})) || die "ctest lists no unit tests"
targets=(restauthd "${targets[@]}")

build_tree() {
  run "$1" 1800 cmake --build "$build" -j"$jobs" --target "${targets[@]}"
}

# run_tests LOG E2E: the unit tests, then the named e2e files; sets `failed` to the first
# failing test's name (empty when all passed).
run_tests() {
  local log=$1 e2e=$2 files=() f
  failed=""
  if ! run "$log.unit" 900 ctest --test-dir "$build" -L unit -LE pg --stop-on-failure --timeout 120; then
    failed=$(sed -n 's/^[[:space:]]*[0-9]* - \(unit\.[^ ]*\).*/\1/p;T;q' "$log.unit")
    failed=${failed:-ctest}
    return
  fi
  [[ -n $e2e ]] || return 0
  for f in ${e2e//,/ }; do files+=("tests/e2e/$f"); done
  if ! run "$log.e2e" 1800 -C "$src" RESTAUTHD="$build/bin/restauthd" \
    /usr/bin/python3 -m pytest -q -x -p no:cacheprovider "${files[@]}"; then
    failed=$(sed -n 's/^FAILED \([^ ]*\).*/\1/p;T;q' "$log.e2e")
    failed=${failed:-pytest ${e2e}}
  fi
}

# The baseline: the unmutated tree must build and pass every test the selection runs.
start=$SECONDS
all_e2e=""
for i in "${selected[@]}"; do
  for f in ${M_E2E[$i]//,/ }; do
    [[ ,$all_e2e, == *,$f,* ]] || all_e2e=${all_e2e:+$all_e2e,}$f
  done
done
echo "mutate.sh: building and testing the unmutated tree (unit${all_e2e:+, $all_e2e})"
build_tree "$logs/base.build" || { tail -40 "$logs/base.build" >&2; die "the unmutated tree does not build"; }
run_tests "$logs/base" "$all_e2e"
if [[ -n $failed ]]; then
  tail -40 "$logs/base.unit" "$logs/base.e2e" 2>/dev/null >&2 || true
  die "the unmutated tree fails $failed"
fi

killed=0 survived=0 broken=0 equivalent=0
rows=()
for i in "${selected[@]}"; do
  name=${M_NAME[$i]} file=${M_FILE[$i]}
  t0=$SECONDS
  original=$(<"$src/$file")
  cp -p "$src/$file" "$scratch/original"
  printf '%s\n' "${original//"${M_FIND[$i]}"/"${M_REPL[$i]}"}" >"$src/$file"
  detail=""
  if ! build_tree "$logs/$name.build"; then
    result=BROKEN
    detail=$(sed -n 's/^.*error: //p;T;q' "$logs/$name.build")
  else
    run_tests "$logs/$name" "${M_E2E[$i]}"
    if [[ -n $failed ]]; then
      result=KILLED
      detail="by $failed"
      [[ -n ${M_EQUIV[$i]} ]] && detail="$detail (marked equivalent: drop the mark)"
    elif [[ -n ${M_EQUIV[$i]} ]]; then
      result=EQUIVALENT
      detail=${M_EQUIV[$i]}
    else
      result=SURVIVED
    fi
  fi
  # Revert with a fresh modification time, so that the next build recompiles the file.
  cat "$scratch/original" >"$src/$file"
  case $result in
    KILLED) killed=$((killed + 1)) ;;
    SURVIVED) survived=$((survived + 1)) ;;
    BROKEN) broken=$((broken + 1)) ;;
    EQUIVALENT) equivalent=$((equivalent + 1)) ;;
  esac
  row=$(printf '%-30s %-42s %-10s %4ss  %s' "$name" "$file" "$result" $((SECONDS - t0)) "$detail")
  rows+=("$row")
  echo "$row"
done

echo
printf '%-30s %-42s %-10s %5s  %s\n' MUTATION FILE RESULT TIME DETAIL
printf '%s\n' "${rows[@]}"
echo
echo "mutations: $killed killed, $survived survived, $broken broken, $equivalent equivalent" \
  "($((SECONDS - start))s)"
((survived == 0)) || exit 1
exit 0
