#!/usr/bin/env bash
# `make cluster`: a local restauth cluster anyone can start: PostgreSQL 15 (initdb under
# ./var/cluster/pg, run as the postgres user, since PostgreSQL refuses to run as root), three
# restauthd nodes on 127.0.0.1:8451-8453 (plain HTTP on loopback) and nginx on
# https://localhost:8443 balancing requests round-robin over keep-alive connections, with TLS
# ending at nginx. Prints a working curl command; Ctrl-C stops everything it started.
#
# Why TLS at nginx: one certificate in one place, and the balancer can spread the requests of
# one keep-alive client over the nodes (it sees each request), which is what the cluster-wide
# limits assume. The nodes listen on loopback only, where plain HTTP is allowed, and trust
# nginx's X-Forwarded-For and X-Forwarded-Proto (--trusted-proxy), so that the failure
# throttle counts each client, not the balancer, and the console sees https.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/bin/restauthd}
port=${PORT:-8443}
pgport=${PGPORT_CLUSTER:-5439}
dir=$PWD/var/cluster
pgbin=/usr/lib/postgresql/15/bin
mkdir -p "$dir"
chmod 755 "$dir"

pids=()
stop_all() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ -f "$dir/pg/data/postmaster.pid" ]; then
        runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null || true
    fi
    echo "cluster: stopped"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# PostgreSQL: a data directory of its own, a role with a password kept in a 0600 passfile.
if [ ! -d "$dir/pg/data" ]; then
    mkdir -p "$dir/pg"
    chown postgres:postgres "$dir/pg"
    (umask 077 && openssl rand -hex 16 >"$dir/pg.password")
    install -o postgres -m 600 "$dir/pg.password" "$dir/pg/pwfile"
    runuser -u postgres -- "$pgbin/initdb" -D "$dir/pg/data" -U postgres --pwfile="$dir/pg/pwfile" \
        --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    rm -f "$dir/pg/pwfile"
fi
runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w \
    -o "-p $pgport -k $dir/pg -c listen_addresses=127.0.0.1" start >/dev/null
(umask 077 && printf '127.0.0.1:%s:*:postgres:%s\n' "$pgport" "$(cat "$dir/pg.password")" \
    >"$dir/pgpass")
export PGPASSFILE=$dir/pgpass
if ! runuser -u postgres -- psql -h "$dir/pg" -p "$pgport" -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'restauth'" | grep -q 1; then
    runuser -u postgres -- createdb -h "$dir/pg" -p "$pgport" restauth
fi
store="postgresql://postgres@127.0.0.1:$pgport/restauth"
key="$dir/server.key"

# The store, the server key and a demo account with one pair (written once).
if [ ! -f "$dir/key_and_secret.txt" ]; then
    "$bin" init --store "$store" --key-file "$key" --demo-credentials "$dir/key_and_secret.txt" \
        >/dev/null
else
    "$bin" init --store "$store" --key-file "$key" >/dev/null 2>&1
fi

# Three nodes.
for i in 1 2 3; do
    "$bin" serve --store "$store" --key-file "$key" --listen "127.0.0.1:$((8450 + i))" \
        --trusted-proxy 127.0.0.1 --access-log "$dir/node$i.access.log" 2>"$dir/node$i.log" &
    pids+=($!)
done

# nginx in front, with a throwaway certificate for localhost.
if [ ! -f "$dir/tls.crt" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
        -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
    chmod 600 "$dir/tls.key"
fi
mkdir -p "$dir/nginx"
sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" scripts/cluster-nginx.conf.in >"$dir/nginx/nginx.conf"
nginx -p "$dir/nginx/" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" &
pids+=($!)

for _ in $(seq 50); do
    curl -s -o /dev/null --cacert "$dir/tls.crt" "https://localhost:$port/" && break
    sleep 0.1
done
id=$(sed -n 's/^key\xef\xbc\x9a\(.*\)\r$/\1/p' "$dir/key_and_secret.txt")
cat <<MSG

cluster: PostgreSQL on 127.0.0.1:$pgport, nodes on 127.0.0.1:8451-8453, nginx on
https://localhost:$port. The demo pair is in $dir/key_and_secret.txt. Try:

  curl --cacert $dir/tls.crt -u "$id:\$(sed -n 's/^secret\xef\xbc\x9a\(.*\)\r\$/\1/p' $dir/key_and_secret.txt)" https://localhost:$port/dev/v1/projects

  PGPASSFILE=$dir/pgpass $bin cluster status --store $store --key-file $key

Ctrl-C stops the nodes, nginx and PostgreSQL.
MSG
wait -n "${pids[@]}"
