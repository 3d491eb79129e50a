# SPDX-License-Identifier: MIT
"""Helpers for the restauthd end-to-end tests: starting servers, running the CLI and talking
HTTP(S) to 127.0.0.1 with curl, http.client and raw TLS sockets. Every response read through
Server.request and Server.curl is checked against the OpenAPI documents (openapi_check.py)."""

import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

import openapi_check

REPO = Path(__file__).resolve().parents[2]
HEX32 = re.compile(r"\A[0-9a-f]{32}\Z")
PROJECT_ID = re.compile(r"\A[A-Za-z0-9]{1,16}\Z")
ISO_UTC = re.compile(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")

SINGLE_KEYS = ["id", "name", "vendor_key", "sign_key", "recording_server", "status", "created"]
LIST_KEYS = ["id", "name", "sign_key", "vendor_key", "recording_server", "status", "created"]

WWW_AUTH = 'Basic realm="restauth", charset="UTF-8"'
BODY_UNAUTHORIZED = b'{"message":"Unauthorized"}'
BODY_INVALID = b'{"message":"Invalid authentication credentials"}'
BODY_BAD_REQUEST = b'{"message":"Bad Request"}'
BODY_NO_ROUTE = b'{"message":"no Route matched with those values"}'
BODY_TOO_LARGE = b'{"message":"Request body too large"}'
BODY_HDR_TOO_LARGE = b'{"message":"Request header fields too large"}'
BODY_415 = b'{"status":"error","message":"Content-Type must be application/json"}'
BODY_RATE = b'{"message":"API rate limit exceeded"}'
BODY_AUTH_THROTTLE = b'{"message":"Too many failed authentication attempts"}'
BODY_NOT_EXIST = b'{"status":"error","message":"project not exist"}'
BODY_LEGACY_NOT_EXIST = b'{"error_msg":"project not exist"}'
BODY_LEGACY_OK = b'{"success":true}'
BODY_DUP = b'{"status":"error","message":"project name already exists"}'
BODY_QUOTA = b'{"status":"error","message":"number of projects exceeds the maximum limit"}'

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def binary():
    """Path of restauthd: $RESTAUTHD, else build/bin/restauthd of this repository."""
    path = os.environ.get("RESTAUTHD") or str(REPO / "build" / "bin" / "restauthd")
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        pytest.fail(f"restauthd binary not found or not executable: {path} (set RESTAUTHD)")
    return path


def require_tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"required tool `{name}` is not installed; the e2e suite cannot run")
    return path


def make_cert(directory):
    """A throwaway self-signed certificate for 127.0.0.1; returns (cert, key) paths."""
    openssl = require_tool("openssl")
    directory = Path(directory)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2",
         "-keyout", str(key), "-out", str(cert)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    return cert, key


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def basic_value(cred, scheme="basic"):
    """Authorization value for cred=(id, secret); lowercase `basic` like Agora's Python sample."""
    return f"{scheme} {b64(cred[0] + ':' + cred[1])}"


def compact(value):
    """Compact serialisation of a value parsed with object_pairs_hook=list."""
    if isinstance(value, list) and all(isinstance(x, tuple) for x in value) and value:
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + compact(v)
                              for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(compact(x) for x in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def pairs(body):
    """Parse JSON keeping key order: objects become lists of (key, value) tuples."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return json.loads(body, object_pairs_hook=list)


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value), in order
        self.body = body        # bytes

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def pairs(self):
        return pairs(self.body)

    def __repr__(self):
        return f"<Resp {self.status} {self.headers!r} {self.body[:300]!r}>"


def expect(resp, status, body=None):
    """Assert status, JSON content type and (if given) the exact body bytes."""
    assert resp.status == status, f"expected {status}, got {resp!r}"
    ctype = resp.header("Content-Type")
    assert ctype is not None and ctype.split(";")[0].strip().lower() == "application/json", \
        f"bad Content-Type in {resp!r}"
    if body is not None:
        assert resp.body == body, f"expected body {body!r}, got {resp!r}"
    return resp


def check_project(obj, keys, name=None):
    """obj is a project parsed with object_pairs_hook=list; asserts order, types and formats.
    Returns it as a dict."""
    assert isinstance(obj, list), obj
    assert [k for k, _ in obj] == keys, f"key order {[k for k, _ in obj]} != {keys}"
    p = dict(obj)
    assert isinstance(p["id"], str) and PROJECT_ID.match(p["id"]), p
    assert isinstance(p["name"], str) and p["name"], p
    if name is not None:
        assert p["name"] == name
    assert isinstance(p["vendor_key"], str) and HEX32.match(p["vendor_key"]), p
    assert isinstance(p["sign_key"], str) and (p["sign_key"] == "" or HEX32.match(p["sign_key"])), p
    assert p["recording_server"] is None or isinstance(p["recording_server"], str), p
    assert type(p["status"]) is int and p["status"] in (0, 1), p
    assert type(p["created"]) is int and abs(p["created"] - time.time()) < 600, p
    return p


def single_project(resp, name=None, status=201):
    """Check a {"project":{...}} response and return the project as a dict."""
    expect(resp, status)
    top = resp.pairs()
    assert [k for k, _ in top] == ["project"], resp
    assert resp.body.decode("utf-8") == compact(top), f"not compact JSON: {resp!r}"
    return check_project(top[0][1], SINGLE_KEYS, name)


def project_list(resp, status=201):
    """Check a {"projects":[...]} response and return the list of dicts."""
    expect(resp, status)
    top = resp.pairs()
    assert isinstance(top, list) and [k for k, _ in top] == ["projects"], resp
    assert resp.body.decode("utf-8") == compact(top) or top[0][1] == [], \
        f"not compact JSON: {resp!r}"
    items = top[0][1]
    assert isinstance(items, list)
    return [check_project(x, LIST_KEYS) for x in items]


def error_body(resp, status):
    """Check an application error {"status":"error","message":"..."}; returns the message."""
    expect(resp, status)
    top = resp.pairs()
    assert [k for k, _ in top] == ["status", "message"], resp
    d = dict(top)
    assert d["status"] == "error" and isinstance(d["message"], str) and d["message"], resp
    assert resp.body.decode("utf-8") == compact(top), resp
    return d["message"]


# ----------------------------------------------------------------------------------------
# Raw HTTP over TLS

def read_until_closed(sock, size=65536):
    """Everything the peer sends on sock until it closes its side."""
    data = b""
    while True:
        chunk = sock.recv(size)
        if not chunk:
            return data
        data += chunk


def parse_response(buf):
    """Parse one HTTP response from buf. Returns (Resp, rest) or None if incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("iso-8859-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", head[0])
    assert m, f"bad status line {head[0]!r}"
    headers = []
    for line in head[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    resp = Resp(int(m.group(1)), headers, b"")
    rest = buf[end + 4:]
    te = resp.header("Transfer-Encoding")
    if te and "chunked" in te.lower():
        body = b""
        while True:
            nl = rest.find(b"\r\n")
            if nl < 0:
                return None
            size = int(rest[:nl].split(b";")[0], 16)
            if len(rest) < nl + 2 + size + 2:
                return None
            body += rest[nl + 2:nl + 2 + size]
            rest = rest[nl + 2 + size + 2:]
            if size == 0:
                break
        resp.body = body
        return resp, rest
    length = int(resp.header("Content-Length") or 0)
    if len(rest) < length:
        return None
    resp.body = rest[:length]
    return resp, rest[length:]


class RawConn:
    """A TLS (or plain) socket to the server for hand-written requests."""

    def __init__(self, port, ctx, timeout=5.0, tls=True):
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock = ctx.wrap_socket(sock, server_hostname="127.0.0.1") if tls else sock
        self.buf = b""
        self.eof = False

    def send(self, data):
        """Send bytes; returns False if the peer already closed/reset the connection."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            return False

    def _recv(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return None
        except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError, BrokenPipeError):
            data = b""
        except ssl.SSLError:
            data = b""
        if data == b"":
            self.eof = True
        return data

    def response(self, timeout=5.0):
        """Read one response (Resp) or return None on timeout/EOF without a full response."""
        deadline = time.monotonic() + timeout
        while True:
            parsed = parse_response(self.buf) if self.buf else None
            if parsed is not None:
                resp, self.buf = parsed
                return resp
            if self.eof:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            data = self._recv(left)
            if data is None:
                return None
            self.buf += data

    def closed_by_peer(self, timeout=3.0):
        """True if the server closes the connection within timeout (after any pending data)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            data = self._recv(left)
            if data is None:
                return False
            self.buf += data
        return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ----------------------------------------------------------------------------------------
# The server under test

class Server:
    """One restauthd store directory and (optionally) one running `serve` process."""

    def __init__(self, directory, cert, key):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.db = self.dir / "ra.db"
        self.store = f"sqlite:{self.db}"
        self.cert, self.key = Path(cert), Path(key)
        self.access_log = self.dir / "access.log"
        self.stderr_path = self.dir / "stderr.log"
        self.stdout_path = self.dir / "stdout.log"
        self.bin = binary()
        self.proc = None
        self.port = None
        self.tls = True
        self.secrets = []        # every (id, secret) created through this object
        self.cli_stderr = []     # stderr of every CLI call
        self.ctx = ssl.create_default_context(cafile=str(self.cert))
        self._conn = None
        self._conn_used = False

    # -- CLI -------------------------------------------------------------------------------
    def cli(self, *args, store=True, check=False, timeout=60):
        """Run `restauthd ARGS... --store URL`; returns CompletedProcess (text)."""
        argv = [self.bin, *args]
        if store:
            argv += ["--store", self.store]
        cp = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=timeout)
        cp.stdout = cp.stdout.decode("utf-8", "replace")
        cp.stderr = cp.stderr.decode("utf-8", "replace")
        self.cli_stderr.append(cp.stderr)
        if check and cp.returncode != 0:
            pytest.fail(f"`restauthd {' '.join(args)}` exited {cp.returncode}: {cp.stderr}")
        return cp

    def init(self):
        self.cli("init", check=True)

    def add_account(self, name):
        self.cli("account", "add", name, check=True)
        return name

    def add_secret(self, account, out=None):
        """Create a pair for account; returns (customer_id, customer_secret)."""
        if out is not None:
            cp = self.cli("secret", "add", "--account", account, "--out", str(out), check=True)
            cred = read_secret_file(out)
            assert cp.stdout.strip() == cred[0], cp.stdout
        else:
            cp = self.cli("secret", "add", "--account", account, check=True)
            m1 = re.search(r"^customer_id: ([0-9a-f]{32})$", cp.stdout, re.M)
            m2 = re.search(r"^customer_secret: ([0-9a-f]{32})$", cp.stdout, re.M)
            assert m1 and m2, f"unexpected `secret add` output: {cp.stdout!r}"
            cred = (m1.group(1), m2.group(1))
        self.secrets.append(cred)
        return cred

    def account_with_secret(self, name):
        self.add_account(name)
        return self.add_secret(name)

    # -- serve -----------------------------------------------------------------------------
    def serve_argv(self, *extra, port=None, tls=True, access_log=True):
        argv = [self.bin, "serve", "--store", self.store,
                "--listen", f"127.0.0.1:{port if port is not None else 0}"]
        if tls:
            argv += ["--tls-cert", str(self.cert), "--tls-key", str(self.key)]
        if access_log:
            argv += ["--access-log", str(self.access_log)]
        return argv + [str(x) for x in extra]

    def start(self, *extra, tls=True, access_log=True):
        """Start `serve` on a free port and wait until it accepts TCP connections."""
        assert self.proc is None
        last = ""
        for _attempt in range(3):
            port = free_port()
            argv = self.serve_argv(*extra, port=port, tls=tls, access_log=access_log)
            with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            if wait_tcp(port, proc, START_TIMEOUT):
                self.proc, self.port, self.tls = proc, port, tls
                return self
            if proc.poll() is None:
                terminate(proc)
                pytest.fail(f"restauthd did not listen on 127.0.0.1:{port} within "
                            f"{START_TIMEOUT}s: {self.stderr_text()[-2000:]}")
            last = self.stderr_text()[-2000:]
            if "in use" not in last.lower():
                break
        pytest.fail(f"restauthd serve exited early ({proc.returncode}): {last}")

    def stop(self, sig=signal.SIGTERM):
        """Signal the server (by its PID) and wait; kill -9 after STOP_TIMEOUT. Returns rc."""
        self.close_conn()
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                return "timeout"
        return proc.returncode

    def kill9(self):
        self.close_conn()
        proc, self.proc = self.proc, None
        proc.kill()
        proc.wait()

    def stderr_text(self):
        try:
            return self.stderr_path.read_text("utf-8", "replace")
        except FileNotFoundError:
            return ""

    # -- HTTP ------------------------------------------------------------------------------
    def conn(self, fresh=False):
        if fresh or self._conn is None:
            self.close_conn()
            if self.tls:
                self._conn = http.client.HTTPSConnection("127.0.0.1", self.port,
                                                         context=self.ctx, timeout=15)
            else:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        return self._conn

    def close_conn(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._conn_used = False

    def request(self, method, path, body=None, cred=None, scheme="basic", auth=None,
                ctype="application/json", headers=None, conn=None):
        """One request through http.client. body: dict/list (JSON-encoded), str or bytes.
        cred=(id, secret) sends `Authorization: <scheme> base64(id:secret)`; auth= sends a
        literal Authorization value. Retries once on a connection closed by the server."""
        hdrs = {}
        if cred is not None:
            hdrs["Authorization"] = basic_value(cred, scheme)
        if auth is not None:
            hdrs["Authorization"] = auth
        if body is not None:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
            if isinstance(body, str):
                body = body.encode("utf-8")
            if ctype is not None:
                hdrs["Content-Type"] = ctype
        if headers:
            hdrs.update(headers)
        for attempt in range(2):
            c = conn or self.conn()
            reused = conn is None and self._conn_used
            try:
                c.request(method, path, body=body, headers=hdrs)
                r = c.getresponse()
                data = r.read()
                resp = Resp(r.status, list(r.getheaders()), data)
                openapi_check.check(method, path, resp.status, resp.header("Content-Type"), data)
                if conn is None:
                    self._conn_used = True
                    if r.will_close:
                        self.close_conn()
                return resp
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    ssl.SSLEOFError) as e:
                if conn is None:
                    self.close_conn()
                if conn is not None or not reused:
                    # a fresh connection: the server really dropped this request
                    raise AssertionError(f"server closed the connection without a response "
                                         f"to {method} {path} ({type(e).__name__})") from None
        raise AssertionError("unreachable")

    def curl(self, method, path, data=None, user=None, headers=(), ctype="application/json"):
        """One request through the curl CLI (--cacert, -u id:secret); returns Resp."""
        curl = require_tool("curl")
        hfile = self.dir / "curl.headers"
        bfile = self.dir / "curl.body"
        for f in (hfile, bfile):
            if f.exists():
                f.unlink()
        argv = [curl, "-sS", "--http1.1", "--noproxy", "*", "--cacert", str(self.cert),
                "-X", method, "-D", str(hfile), "-o", str(bfile), "-w", "%{http_code}",
                "-H", "Expect:"]
        if user is not None:
            argv += ["-u", f"{user[0]}:{user[1]}"]
        if data is not None:
            if isinstance(data, (dict, list)):
                data = json.dumps(data)
            argv += ["--data-binary", data]
            if ctype is not None:
                argv += ["-H", f"Content-Type: {ctype}"]
        for h in headers:
            argv += ["-H", h]
        argv.append(f"https://127.0.0.1:{self.port}{path}")
        cp = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        assert cp.returncode == 0, f"curl failed ({cp.returncode}): {cp.stderr!r}"
        raw = hfile.read_bytes().decode("iso-8859-1")
        blocks = [b for b in raw.split("\r\n\r\n") if b.strip()]
        lines = blocks[-1].split("\r\n")
        status = int(lines[0].split()[1])
        assert status == int(cp.stdout), (status, cp.stdout)
        headers_out = []
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers_out.append((k.strip(), v.strip()))
        resp = Resp(status, headers_out, bfile.read_bytes())
        openapi_check.check(method, path, resp.status, resp.header("Content-Type"), resp.body)
        return resp

    def raw(self, timeout=5.0):
        return RawConn(self.port, self.ctx, timeout=timeout, tls=self.tls)

    def wait_auth_ok(self, cred, timeout=3.0):
        """Poll until cred authenticates (a new pair may need one store sync)."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.request("GET", "/dev/v1/projects", cred=cred)
            if r.status != 401 or time.monotonic() > deadline:
                return r
            time.sleep(0.05)

    # -- project shortcuts -----------------------------------------------------------------
    def create(self, cred, name, sign=True):
        r = self.request("POST", "/dev/v1/project", {"name": name, "enable_sign_key": sign},
                         cred=cred)
        return single_project(r, name)


def read_secret_file(path):
    data = Path(path).read_bytes()
    text = data.decode("utf-8")
    m = re.fullmatch(
        "Please keep this file safe. The Customer Secret can be downloaded only once.\r\n"
        "key\uff1a([0-9a-f]{32})\r\nsecret\uff1a([0-9a-f]{32})(\r\n)?", text)
    assert m, f"unexpected secret file layout: {data!r}"
    return m.group(1), m.group(2)


def wait_tcp(port, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def terminate(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


# ----------------------------------------------------------------------------------------
# The admin listener

def admin_get(port, path, timeout=10):
    """GET path on the admin listener (plain HTTP); returns (status, media type, body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        ctype = (r.getheader("Content-Type") or "").split(";")[0].strip()
        return r.status, ctype, r.read()
    finally:
        c.close()


def scrape(port):
    """The text of /metrics."""
    status, ctype, body = admin_get(port, "/metrics")
    assert status == 200 and ctype == "text/plain", (status, ctype, body[:200])
    return body.decode("utf-8")


def check_metrics_text(text):
    """promtool (Debian package prometheus) must accept the exposition."""
    promtool = require_tool("promtool")
    cp = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert cp.returncode == 0, f"promtool: {cp.stdout!r} {cp.stderr!r}"


SAMPLE = re.compile(r'\A([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)\Z')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Samples of an exposition: {(name, ((label, value), ...)): float}."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = tuple(sorted(LABEL.findall(m.group(2) or "")))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def metric(samples, name, **labels):
    """The value of the sample of `name` whose labels are `labels` (a label given as None may
    have any value); 0 when there is none. Exactly one sample may match."""
    found = [v for (n, ls), v in samples.items() if n == name and len(ls) == len(labels) and
             all(k in labels and (labels[k] is None or labels[k] == v2) for k, v2 in ls)]
    assert len(found) <= 1, (name, labels, found)
    return found[0] if found else 0


# ----------------------------------------------------------------------------------------
# The web console's API

def set_login(server, account, email, password):
    """Give `account` a console sign-in (e-mail and password) through the CLI."""
    pw = server.dir / f"{account}.password"
    pw.write_text(password + "\n")
    pw.chmod(0o600)
    server.cli("account", "passwd", account, "--email", email, "--password-file", str(pw),
               check=True)
    pw.unlink()


class Console:
    """A client of /console/api/: keeps the session cookie and the CSRF token like a browser
    would, and records every response it gets (to search them for secrets)."""

    def __init__(self, server):
        self.s = server
        self.token = None   # value of the ra_session cookie
        self.csrf = None
        self.responses = []

    def call(self, method, path, body=None, csrf=True, cookie=True, headers=None):
        hdrs = dict(headers or {})
        if cookie and self.token:
            hdrs["Cookie"] = f"ra_session={self.token}"
        if csrf and self.csrf and method != "GET":
            hdrs["X-CSRF-Token"] = self.csrf
        if method != "GET" and body is None:
            body = {}
        r = self.s.request(method, path if path.startswith("/") else "/console/api/" + path,
                           body=body, headers=hdrs)
        self.responses.append(r)
        for v in r.header_all("Set-Cookie"):
            m = re.match(r"ra_session=([^;]*)", v)
            if m:
                self.token = m.group(1) or None
        return r

    def signin(self, email, password):
        r = self.call("POST", "signin", {"email": email, "password": password}, csrf=False)
        if r.status == 200:
            self.csrf = r.json()["csrf_token"]
        return r

    def add_pair(self):
        r = self.call("POST", "credentials")
        assert r.status == 201, r
        return r.json()["credential"]["customer_id"]

    def download(self, customer_id):
        return self.call("POST", "credentials/download", {"customer_id": customer_id})

    def pairs(self):
        r = self.call("GET", "credentials")
        assert r.status == 200, r
        return r.json()["credentials"]
