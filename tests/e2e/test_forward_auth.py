# SPDX-License-Identifier: MIT
"""Forward authentication: restauthd, on a Unix socket, guards an API of the test's own behind
a reverse proxy (docs/forward-auth.md).

nginx really runs here (Debian's nginx-light has auth_request), configured with the snippets
shipped in examples/nginx/, in front of a small upstream (a Python HTTP server that records
what it receives). Envoy and Traefik are not packaged in Debian: their tests send restauthd
exactly the requests each of them sends (Envoy's ext_authz HTTP service appends the original
path to a prefix; Traefik's forwardAuth names the original in X-Forwarded-* headers) and check
the answers a proxy acts on."""

import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from e2e_lib import (BODY_AUTH_THROTTLE, BODY_INVALID, BODY_RATE, BODY_UNAUTHORIZED, REPO,
                     START_TIMEOUT, STOP_TIMEOUT, WWW_AUTH, Resp, Server, basic_value, expect,
                     free_port, wait_tcp)

NGINX = "/usr/sbin/nginx"
EXAMPLES = REPO / "examples" / "nginx"
RULES = ("GET /api/limited limited 3", "* /api/free free 0")
REVOCATION_BOUND_S = 2.0

NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;

    upstream restauthd {{
        server unix:{sock};
        keepalive 8;
    }}
    upstream api {{
        server 127.0.0.1:{api_port};
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port};
        include {examples}/restauth-verify.conf;
        location / {{
            include {examples}/restauth-protect.conf;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://api;
        }}
    }}
}}
"""


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over a Unix socket: what a proxy on the same machine opens."""

    def __init__(self, path, timeout=10):
        super().__init__("restauthd", timeout=timeout)
        self.socket_path = str(path)

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.socket_path)
        self.sock = s


def exchange(conn, method, target, headers=None, body=None):
    """One request on conn (closed afterwards); returns Resp."""
    try:
        conn.request(method, target, body=body, headers=headers or {})
        r = conn.getresponse()
        return Resp(r.status, list(r.getheaders()), r.read())
    finally:
        conn.close()


class Upstream:
    """The API behind the proxy: records every request and answers a JSON body."""

    def __init__(self):
        self.seen = []
        self.lock = threading.Lock()
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def serve(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with owner.lock:
                    owner.seen.append((self.command, self.path, list(self.headers.items()), body))
                out = json.dumps({"upstream": "ok", "method": self.command,
                                  "path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = serve

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def count(self):
        with self.lock:
            return len(self.seen)

    def last(self):
        """(method, path, {lower-case name: [values]}, body) of the last request."""
        with self.lock:
            method, path, items, body = self.seen[-1]
        headers = {}
        for k, v in items:
            headers.setdefault(k.lower(), []).append(v)
        return method, path, headers, body

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def stop_process(proc):
    """SIGTERM the process we started (by PID), SIGKILL after STOP_TIMEOUT."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Stack:
    """A store, restauthd on a Unix socket, the upstream and nginx, each started here and
    stopped by PID."""

    def __init__(self, directory, tls_files, *serve_args):
        if not os.access(NGINX, os.X_OK):
            pytest.fail(f"{NGINX} is missing: install nginx-light (scripts/deps.sh test)")
        self.dir = Path(directory)
        self.server = Server(self.dir / "store", *tls_files)
        self.server.init()
        # sun_path holds 108 bytes: the socket lives in a short directory of its own.
        self.sock_dir = Path(tempfile.mkdtemp(prefix="ra-fwd-", dir="/tmp"))
        self.sock = self.sock_dir / "restauthd.sock"
        self.serve_args = [str(a) for a in serve_args]
        self.ra = None
        self.nginx = None
        self.upstream = Upstream()
        self.start_restauthd()
        self.start_nginx()

    # -- restauthd ---------------------------------------------------------------------
    def start_restauthd(self):
        s = self.server
        argv = [s.bin, "serve", "--store", s.store, "--listen", f"unix:{self.sock}",
                "--access-log", str(s.access_log), *self.serve_args]
        with open(s.stderr_path, "ab") as err:
            self.ra = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.ra.poll() is None:
            try:
                with socket.socket(socket.AF_UNIX) as c:
                    c.connect(str(self.sock))
                    return
            except OSError:
                time.sleep(0.05)
        stop_process(self.ra)
        pytest.fail(f"restauthd did not listen on {self.sock}: {s.stderr_text()[-2000:]}")

    def stop_restauthd(self):
        proc, self.ra = self.ra, None
        stop_process(proc)
        return proc.returncode if proc is not None else None

    def verify(self, target="/auth/verify", method="GET", headers=None):
        """A request to restauthd itself, as a proxy sends it."""
        return exchange(UnixHTTPConnection(self.sock), method, target, headers)

    # -- nginx -------------------------------------------------------------------------
    def start_nginx(self):
        nd = self.dir / "nginx"
        (nd / "tmp").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        user = "user root root;" if os.geteuid() == 0 else "# workers keep this user"
        conf = NGINX_CONF.format(user=user, dir=nd, sock=self.sock, api_port=self.upstream.port,
                                 port=self.port, examples=EXAMPLES)
        (nd / "nginx.conf").write_text(conf)
        base = [NGINX, "-p", f"{nd}/", "-e", str(nd / "error.log"), "-c", str(nd / "nginx.conf")]
        cp = subprocess.run(base + ["-t", "-q"], capture_output=True, text=True, timeout=30)
        assert cp.returncode == 0, f"nginx -t: {cp.stderr}"
        self.nginx = subprocess.Popen(base, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        if not wait_tcp(self.port, self.nginx, START_TIMEOUT):
            stop_process(self.nginx)
            pytest.fail(f"nginx did not start: {self.nginx_log()[-2000:]}")

    def nginx_log(self):
        p = self.dir / "nginx" / "error.log"
        return p.read_text("utf-8", "replace") if p.exists() else ""

    def get(self, path, cred=None, method="GET", headers=None, body=None):
        """A client's request to the protected API through nginx."""
        hdrs = dict(headers or {})
        if cred is not None:
            hdrs["Authorization"] = basic_value(cred)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        return exchange(conn, method, path, hdrs, body)

    # -- accounts ----------------------------------------------------------------------
    def pair(self, account):
        """A new account with a pair, once restauthd accepts it: (name, id, (cid, secret))."""
        cred = self.server.account_with_secret(account)
        deadline = time.monotonic() + 3
        # Until the next sync the pair fails: count that against an address no test uses.
        probe = {"Authorization": basic_value(cred), "X-Forwarded-For": "203.0.113.254"}
        while self.verify(headers=probe).status != 200:
            assert time.monotonic() < deadline, "a new pair was not accepted within 3 s"
            time.sleep(0.05)
        cp = self.server.cli("account", "list", check=True)
        ids = [line.split("\t")[0] for line in cp.stdout.splitlines()[1:]
               if line.split("\t")[1] == account]
        assert len(ids) == 1, cp.stdout
        return account, ids[0], cred

    def access_log(self):
        """restauthd's access-log lines (it writes them out about once a second)."""
        time.sleep(1.3)
        text = self.server.access_log.read_text() if self.server.access_log.exists() else ""
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def close(self):
        stop_process(self.nginx)
        self.stop_restauthd()
        self.upstream.close()
        shutil.rmtree(self.sock_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, tls_files):
    s = Stack(tmp_path_factory.mktemp("fwd"), tls_files, "--auth-fail-limit", "1000",
              *[a for rule in RULES for a in ("--forward-limit", rule)])
    yield s
    s.close()


@pytest.fixture
def make_stack(tmp_path, tls_files):
    made = []

    def factory(*serve_args):
        s = Stack(tmp_path / f"stack{len(made)}", tls_files, *serve_args)
        made.append(s)
        return s

    yield factory
    for s in made:
        s.close()


# ------------------------------------------------------------------------------------------
# nginx

def test_valid_pair_reaches_the_upstream(stack):
    name, account_id, cred = stack.pair("nginx-valid")
    before = stack.upstream.count()
    r = stack.get("/api/items/7?verbose=1", cred,
                  headers={"X-Restauth-Account": "forged", "X-Restauth-Customer-Id": "forged"})
    expect(r, 200)
    assert r.json() == {"upstream": "ok", "method": "GET", "path": "/api/items/7?verbose=1"}
    assert stack.upstream.count() == before + 1
    method, path, headers, _ = stack.upstream.last()
    assert (method, path) == ("GET", "/api/items/7?verbose=1")
    assert headers["x-restauth-customer-id"] == [cred[0]]
    assert headers["x-restauth-account"] == [name]
    assert headers["x-restauth-account-id"] == [account_id]
    assert "authorization" not in headers

    # A body goes to the upstream whole; restauthd never sees it.
    r = stack.get("/api/orders", cred, method="POST", body=b'{"qty": 3}',
                  headers={"Content-Type": "application/json"})
    expect(r, 200)
    method, path, headers, body = stack.upstream.last()
    assert (method, path, body) == ("POST", "/api/orders", b'{"qty": 3}')
    assert headers["x-restauth-account"] == [name] and "authorization" not in headers

    # restauthd's access log names the original request, without its query.
    lines = [e for e in stack.access_log() if e["customer_id"] == cred[0]]
    assert {(e["method"], e["path"], e["status"]) for e in lines} >= {
        ("GET", "/api/items/7", 200), ("POST", "/api/orders", 200)}
    assert not any("verbose" in e["path"] or e["path"].startswith("/auth") for e in lines)


def test_wrong_or_missing_pair_gets_restauthds_401(stack):
    _, _, cred = stack.pair("nginx-wrong")
    before = stack.upstream.count()
    wrong = (cred[0], cred[1][:-1] + ("0" if cred[1][-1] != "0" else "1"))
    for c, body in ((wrong, BODY_INVALID), (None, BODY_UNAUTHORIZED),
                    (("not-an-id", "x"), BODY_INVALID)):
        r = stack.get("/api/items", c)
        expect(r, 401, body)
        assert r.header_all("WWW-Authenticate") == [WWW_AUTH], r
    r = stack.get("/api/items", headers={"Authorization": "Bearer abc"})
    expect(r, 401, BODY_UNAUTHORIZED)
    assert stack.upstream.count() == before


def test_revoked_pair_refused_within_the_bound(stack):
    name, _, keep = stack.pair("nginx-revoked")
    gone = stack.server.add_secret(name)
    deadline = time.monotonic() + 3
    while stack.get("/api/items", gone).status != 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    stack.server.cli("secret", "delete", gone[0], check=True)
    deleted = time.monotonic()
    while True:
        r = stack.get("/api/items", gone)
        elapsed = time.monotonic() - deleted
        if r.status == 401:
            break
        assert r.status == 200, r
        assert elapsed < REVOCATION_BOUND_S, f"still admitted {elapsed:.2f} s after the deletion"
        time.sleep(0.02)
    expect(r, 401, BODY_INVALID)
    assert elapsed < REVOCATION_BOUND_S
    print(f"revocation seen through nginx after {elapsed * 1000:.0f} ms")
    expect(stack.get("/api/items", keep), 200)


def test_over_the_limit_gets_429(stack):
    _, _, cred = stack.pair("nginx-limited")
    codes = [stack.get(f"/api/limited/{i}", cred) for i in range(5)]
    assert [r.status for r in codes[:3]] == [200, 200, 200], codes
    r = codes[3]
    expect(r, 429, BODY_RATE)
    assert r.header("Retry-After") == "1", r
    # Another class of the same account, and an unlimited one, are not touched.
    expect(stack.get("/api/items", cred), 200)
    for i in range(6):
        expect(stack.get(f"/api/free/{i}", cred), 200)
    time.sleep(1.1)
    expect(stack.get("/api/limited/again", cred), 200)


def test_failure_throttle_through_nginx(make_stack):
    s = make_stack("--auth-fail-limit", "3")
    _, _, cred = s.pair("nginx-throttle")
    wrong = (cred[0], "0" * 32)
    for _ in range(3):
        expect(s.get("/api/items", wrong), 401, BODY_INVALID)
    r = s.get("/api/items", wrong)
    expect(r, 429, BODY_AUTH_THROTTLE)
    assert 1 <= int(r.header("Retry-After")) <= 60, r
    expect(s.get("/api/items", cred), 200)  # a valid pair is never refused by it


def test_stopped_restauthd_fails_closed(make_stack):
    s = make_stack()
    _, _, cred = s.pair("nginx-closed")
    expect(s.get("/api/items", cred), 200)
    before = s.upstream.count()
    assert s.stop_restauthd() == 0
    assert not s.sock.exists()  # removed at shutdown
    for c in (cred, None):
        r = s.get("/api/items", c)
        assert 500 <= r.status < 600, r
    assert s.upstream.count() == before
    assert "auth request unexpected status: 502" in s.nginx_log()


# ------------------------------------------------------------------------------------------
# restauthd on its socket: the listening line, the file's mode, a stale file

def test_socket_file_and_listening_line(make_stack):
    s = make_stack("--socket-mode", "0600")
    assert f"restauthd: listening on unix:{s.sock}" in s.server.stderr_text()
    assert (s.sock.stat().st_mode & 0o777) == 0o600
    # Killed, it leaves its file; the next start replaces it, a second one is refused.
    s.ra.kill()
    s.ra.wait()
    s.ra = None
    assert s.sock.exists()
    s.start_restauthd()
    second = subprocess.run([s.server.bin, "serve", "--store", s.server.store,
                             "--listen", f"unix:{s.sock}"], capture_output=True, text=True,
                            timeout=30)
    assert second.returncode == 1 and "another process listens on it" in second.stderr
    assert s.sock.exists()
    tls = subprocess.run([s.server.bin, "serve", "--store", s.server.store, "--listen",
                          f"unix:{s.sock_dir}/other.sock", "--tls-cert", str(s.server.cert),
                          "--tls-key", str(s.server.key)], capture_output=True, text=True,
                         timeout=30)
    assert tls.returncode == 1 and "--tls-cert" in tls.stderr, tls.stderr


# ------------------------------------------------------------------------------------------
# Envoy: ext_authz in HTTP service mode sends the original method, and the original path
# appended to path_prefix ("/auth/verify"), with the headers allowed_headers lets through.

def envoy_check(stack, method, original_path, headers):
    return stack.verify(f"/auth/verify{original_path}", method=method,
                        headers={"Content-Length": "0", **headers})


def test_envoy_check_request(stack):
    name, account_id, cred = stack.pair("envoy")
    auth = {"Authorization": basic_value(cred), "X-Forwarded-For": "192.0.2.10"}
    r = envoy_check(stack, "GET", "/orig/path?x=1", auth)
    assert r.status == 200 and r.body == b"", r
    assert r.header("X-Restauth-Customer-Id") == cred[0]
    assert r.header("X-Restauth-Account") == name
    assert r.header("X-Restauth-Account-Id") == account_id
    assert r.header("X-Restauth-Rate-Class") == "default"
    r = envoy_check(stack, "DELETE", "/api/free/9", auth)
    assert r.status == 200 and r.header("X-Restauth-Rate-Class") == "free", r
    # The class follows the original path: three in "limited", then 429 with Retry-After.
    for i in range(3):
        r = envoy_check(stack, "GET", f"/api/limited/{i}", auth)
        assert r.status == 200 and r.header("X-Restauth-Rate-Class") == "limited", r
    r = envoy_check(stack, "GET", "/api/limited/x", auth)
    expect(r, 429, BODY_RATE)
    assert r.header("Retry-After") == "1" and r.header("X-Restauth-Rate-Class") == "limited"
    # A POST to the same path is in the default class.
    assert envoy_check(stack, "POST", "/api/limited/x", auth).status == 200
    # Denials: Envoy passes status, body and challenge to the client.
    r = envoy_check(stack, "GET", "/orig", {"X-Forwarded-For": "192.0.2.10"})
    expect(r, 401, BODY_UNAUTHORIZED)
    assert r.header("WWW-Authenticate") == WWW_AUTH
    lines = [e for e in stack.access_log() if e["customer_id"] == cred[0]]
    assert ("GET", "/orig/path", 200) in {(e["method"], e["path"], e["status"]) for e in lines}
    assert ("POST", "/api/limited/x", 200) in {(e["method"], e["path"], e["status"])
                                               for e in lines}


# ------------------------------------------------------------------------------------------
# Traefik: forwardAuth sends GET to its address with X-Forwarded-Method, -Uri, -Host,
# -Proto and -For, and the client's headers; 2xx allows, anything else goes to the client.

def traefik_check(stack, method, uri, headers, client="192.0.2.20"):
    return stack.verify("/auth/verify", headers={
        "X-Forwarded-Method": method, "X-Forwarded-Uri": uri,
        "X-Forwarded-Host": "api.example", "X-Forwarded-Proto": "https",
        "X-Forwarded-For": client, **headers})


def test_traefik_check_request(stack):
    name, account_id, cred = stack.pair("traefik")
    auth = {"Authorization": basic_value(cred)}
    r = traefik_check(stack, "PATCH", "/api/items/3?fields=a", auth)
    assert r.status == 200 and r.body == b"", r
    assert (r.header("X-Restauth-Customer-Id"), r.header("X-Restauth-Account"),
            r.header("X-Restauth-Account-Id")) == (cred[0], name, account_id)
    # Spellings of one path count in one class.
    for uri in ("/api/limited", "/api/%6cimited/a", "/api/free/../limited/b"):
        r = traefik_check(stack, "GET", uri, auth)
        assert r.status == 200 and r.header("X-Restauth-Rate-Class") == "limited", (uri, r)
    r = traefik_check(stack, "GET", "/api//limited/c", auth)
    expect(r, 429, BODY_RATE)
    assert r.header("Retry-After") == "1"
    r = traefik_check(stack, "GET", "/api/items", {"Authorization": basic_value((cred[0], "x"))})
    expect(r, 401, BODY_INVALID)
    assert r.header("WWW-Authenticate") == WWW_AUTH
    # A client's own X-Original-URI that disagrees with Traefik's headers is refused.
    r = traefik_check(stack, "GET", "/api/items", {**auth, "X-Original-URI": "/api/free"})
    expect(r, 400)
    lines = [e for e in stack.access_log() if e["customer_id"] == cred[0]]
    assert ("PATCH", "/api/items/3", 200) in {(e["method"], e["path"], e["status"])
                                              for e in lines}


def test_traefik_throttle_per_forwarded_client(make_stack):
    s = make_stack("--auth-fail-limit", "2")
    _, _, cred = s.pair("traefik-throttle")
    wrong = {"Authorization": basic_value((cred[0], "1" * 32))}
    for _ in range(2):
        expect(traefik_check(s, "GET", "/x", wrong, client="198.51.100.5"), 401, BODY_INVALID)
    r = traefik_check(s, "GET", "/x", wrong, client="198.51.100.5")
    expect(r, 429, BODY_AUTH_THROTTLE)
    assert r.header("Connection") == "close" and r.header("Retry-After") is not None
    # Another client behind the same proxy, and the right pair from the first, go on.
    expect(traefik_check(s, "GET", "/x", wrong, client="198.51.100.6"), 401, BODY_INVALID)
    r = traefik_check(s, "GET", "/x", {"Authorization": basic_value(cred)}, client="198.51.100.5")
    assert r.status == 200, r
    # Without X-Forwarded-For, every client of the socket counts as one.
    for _ in range(2):
        expect(s.verify(headers=wrong), 401, BODY_INVALID)
    expect(s.verify(headers=wrong), 429, BODY_AUTH_THROTTLE)
    assert re.search(r"listening on unix:", s.server.stderr_text())
