#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A throwaway PostgreSQL 15 server for the tests of the PostgreSQL store.
#
#   pg-server.sh start DIR   make DIR (owned by the postgres user when run as root: PostgreSQL
#                            refuses to run as root), initdb DIR/data, start the server on a
#                            free 127.0.0.1 port with its socket in DIR, create the database
#                            "restauth" and print its connection URI (also written to DIR/uri)
#   pg-server.sh halt DIR    stop the server of DIR, keeping its data (pg_ctl stop)
#   pg-server.sh resume DIR  start it again on the same port (pg_ctl start)
#   pg-server.sh stop DIR    stop the server of DIR and remove DIR
#
# The superuser "restauth" gets a random password; connections over TCP must give it
# (scram-sha-256), connections on the socket in DIR are trusted (this script's own use). The
# URI carries the password, so DIR/uri is readable by its owner only. fsync is off: the
# server serves tests only and its data is thrown away.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MARK=.restauth-pg-server

usage() {
  echo "usage: $0 start|halt|resume|stop DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

# Run a PostgreSQL program as the postgres user when we are root, else as ourselves.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

ctl_stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" stop -m fast -w -t 30 >/dev/null
  fi
}

ctl_start() {
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null
}

# Remove DIR, but only a directory this script made.
remove_dir() {
  if [ -d "$dir" ]; then
    [ -f "$dir/$MARK" ] || { echo "$0: $dir was not made by this script" >&2; exit 1; }
    rm -rf -- "$dir"
  fi
}

start() {
  if [ -d "$dir" ]; then
    ctl_stop || true
    remove_dir
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  touch "$dir/$MARK"
  chmod 0700 "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  local pw
  pw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  (umask 077 && printf '%s\n' "$pw" >"$dir/pwfile")
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/pwfile"
  as_pg "$PGBIN/initdb" -D "$dir/data" -U restauth --pwfile="$dir/pwfile" -E UTF8 \
    --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pwfile"
  local port="" tries
  for tries in 1 2 3; do
    port=$(free_port)
    as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 200
EOF
    if ctl_start; then
      break
    fi
    port=""
  done
  [ -n "$port" ] || { cat "$dir/server.log" >&2; exit 1; }
  as_pg "$PGBIN/createdb" -h "$dir" -p "$port" -U restauth restauth
  local uri="postgresql://restauth:$pw@127.0.0.1:$port/restauth?sslmode=disable"
  (umask 077 && printf '%s\n' "$uri" >"$dir/uri")
  printf '%s\n' "$uri"
}

case "$cmd" in
start) start ;;
halt) ctl_stop ;;
resume) ctl_start ;;
stop)
  if [ -d "$dir" ]; then
    ctl_stop || true
    remove_dir
  fi
  ;;
*) usage ;;
esac
