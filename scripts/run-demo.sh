#!/usr/bin/env bash
# Start restauthd on its embedded default: an SQLite store under ./var, a demo account with
# one credential pair (written once to ./var/key_and_secret.txt) and a console sign-in
# (demo@example.com, with a random password written once to ./var/console-password.txt),
# a self-signed certificate, HTTPS on 127.0.0.1:8443 (override with PORT=...). Ctrl-C stops it.
set -euo pipefail
bin=${1:-build/bin/restauthd}
port=${PORT:-8443}
mkdir -p var
chmod 700 var
store="sqlite:var/restauth.db"
if [ ! -f var/tls.crt ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout var/tls.key -out var/tls.crt 2>/dev/null
  chmod 600 var/tls.key
fi
if [ ! -f var/key_and_secret.txt ]; then
  "$bin" init --store "$store" --demo-credentials var/key_and_secret.txt >/dev/null
else
  "$bin" init --store "$store" >/dev/null 2>&1
fi
if [ ! -f var/console-password.txt ]; then
  (umask 077 && openssl rand -base64 18 > var/console-password.txt)
fi
"$bin" account passwd demo --store "$store" --email demo@example.com \
  --password-file var/console-password.txt
id=$(sed -n 's/^key\xef\xbc\x9a\(.*\)\r$/\1/p' var/key_and_secret.txt)
cat <<MSG

restauthd: demo account "demo"; its credential pair is in var/key_and_secret.txt
(Customer ID $id). List the demo projects with:

  curl --cacert var/tls.crt -u "$id:\$(sed -n 's/^secret\xef\xbc\x9a\(.*\)\r\$/\1/p' var/key_and_secret.txt)" https://localhost:$port/dev/v1/projects

or with the C client built beside the server:

  build/bin/restauth projects --credentials var/key_and_secret.txt \\
      --base-url https://localhost:$port --cacert var/tls.crt --table

The web console: https://localhost:$port/console/ (the certificate is self-signed: accept it
in the browser, or trust var/tls.crt). Sign in as demo@example.com with the password in
var/console-password.txt: $(cat var/console-password.txt)

MSG
exec "$bin" serve --store "$store" --listen "127.0.0.1:$port" \
  --tls-cert var/tls.crt --tls-key var/tls.key --access-log var/access.log
