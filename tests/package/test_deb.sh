#!/usr/bin/env bash
# The Debian packages as an administrator meets them: install the four packages from DEBDIR
# with dpkg, check what postinst and debhelper set up, run `restauthd init` and the admin
# commands as the packaged user with the packaged configuration, `serve` (started as root: the
# configuration's `user = restauth` drops to it) on a free loopback port, list and create
# projects with the packaged `restauth` CLI, stop it, purge everything and check that nothing
# is left but the system user (kept on purge, as Debian does).
# Runs as root and changes the machine: refuses when restauthd is installed already.
# usage: test_deb.sh DEBDIR
set -euo pipefail
debs=$1
conf=/etc/restauth/restauthd.conf
pid=

[ "$(id -u)" -eq 0 ] || { echo "test_deb: needs root (it installs packages)" >&2; exit 77; }
if dpkg-query -W -f='${Status}' restauthd 2>/dev/null | grep -q "ok installed" ||
   [ -e /var/lib/restauth ] || [ -e /etc/restauth ]; then
  echo "test_deb: restauthd is installed on this machine, or its files are; not touching it" >&2
  exit 1
fi
ls "$debs"/restauthd_*.deb "$debs"/restauth_*.deb "$debs"/librestauth0_*.deb \
   "$debs"/librestauth-dev_*.deb >/dev/null

fail() { echo "test_deb: FAIL: $*" >&2; exit 1; }
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  dpkg --purge restauthd restauth librestauth-dev librestauth0 >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== dpkg -i"
dpkg -i "$debs"/restauthd_*.deb "$debs"/restauth_*.deb "$debs"/librestauth0_*.deb \
  "$debs"/librestauth-dev_*.deb

echo "== what the packages set up"
getent passwd restauth >/dev/null || fail "no user restauth"
[ "$(stat -c '%U:%G %a' /var/lib/restauth)" = "restauth:restauth 750" ] ||
  fail "/var/lib/restauth: $(stat -c '%U:%G %a' /var/lib/restauth)"
[ "$(stat -c '%U:%G %a' /var/log/restauth)" = "restauth:restauth 750" ] || fail "/var/log/restauth"
[ "$(stat -c '%G %a' "$conf")" = "restauth 640" ] || fail "$conf: $(stat -c '%G %a' "$conf")"
dpkg-query -W -f='${Conffiles}\n' restauthd | grep -q " $conf " || fail "$conf is no conffile"
dpkg-query -W -f='${Conffiles}\n' restauthd | grep -q " /etc/logrotate.d/restauthd " ||
  fail "the logrotate snippet is no conffile"
[ -f /lib/systemd/system/restauthd.service ] || fail "no unit"
[ -L /etc/systemd/system/multi-user.target.wants/restauthd.service ] || fail "unit not enabled"
systemd-analyze verify /lib/systemd/system/restauthd.service
[ -f /usr/share/man/man8/restauthd.8.gz ] || fail "no restauthd(8)"
pkg-config --exists restauth || fail "no restauth.pc"
restauthd check-config --config "$conf" >/dev/null

echo "== init and an account, as restauth"
as_user() { runuser -u restauth -- "$@"; }
as_user restauthd init --config "$conf"
[ "$(stat -c %U /var/lib/restauth/restauth.db)" = restauth ] || fail "store not owned by restauth"
as_user restauthd account add acme --config "$conf" >/dev/null
pair=$(as_user restauthd secret add --account acme --config "$conf")
id=$(sed -n 's/^customer_id: //p' <<<"$pair")
secret=$(sed -n 's/^customer_secret: //p' <<<"$pair")
[ ${#id} -eq 32 ] && [ ${#secret} -eq 32 ] || fail "no pair in: $pair"

echo "== serve (started as root, user = restauth in the configuration)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
restauthd serve --config "$conf" --listen "127.0.0.1:$port" 2>/tmp/test_deb.$$.err &
pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  kill -0 "$pid" 2>/dev/null || { cat /tmp/test_deb.$$.err >&2; fail "serve exited"; }
  sleep 0.1
done
# The port accepts as soon as it is bound; the switch to restauth follows.
uid=$(id -u restauth)
for _ in $(seq 50); do
  grep -q "^Uid:[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid$" /proc/$pid/status &&
    break
  sleep 0.1
done
grep -q "^Uid:[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid$" /proc/$pid/status ||
  fail "serve does not run as restauth: $(grep ^Uid: /proc/$pid/status)"

echo "== the packaged CLI"
export RESTAUTH_CUSTOMER_ID=$id RESTAUTH_CUSTOMER_SECRET=$secret
export RESTAUTH_BASE_URL=http://127.0.0.1:$port
restauth project create packaged-demo >/dev/null
restauth projects | grep -q '"packaged-demo"' || fail "the project is not listed"
unset RESTAUTH_CUSTOMER_ID RESTAUTH_CUSTOMER_SECRET RESTAUTH_BASE_URL

kill "$pid"
wait "$pid" || fail "serve exited with $?"
pid=
grep -q '"status":201' /var/log/restauth/access.log || fail "nothing in the packaged access log"
rm -f /tmp/test_deb.$$.err

echo "== purge"
dpkg --purge restauthd restauth librestauth-dev librestauth0
left=()
for p in /etc/restauth /var/lib/restauth /var/log/restauth /usr/sbin/restauthd /usr/bin/restauth \
         /lib/systemd/system/restauthd.service /etc/logrotate.d/restauthd /usr/include/restauth \
         /etc/systemd/system/multi-user.target.wants/restauthd.service \
         /var/lib/systemd/deb-systemd-helper-enabled/restauthd.service.dsh-also \
         /usr/share/man/man8/restauthd.8.gz /usr/share/doc/restauthd; do
  [ -e "$p" ] || [ -L "$p" ] && left+=("$p")
done
ls /usr/lib/*/librestauth* >/dev/null 2>&1 && left+=(librestauth)
[ ${#left[@]} -eq 0 ] || fail "left after purge: ${left[*]}"
for pkg in restauthd restauth librestauth-dev librestauth0; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "installed" && fail "$pkg still installed"
done
getent passwd restauth >/dev/null || fail "the user restauth was expected to stay"
echo "test_deb: ok"
