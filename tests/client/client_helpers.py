# SPDX-License-Identifier: MIT
"""Helpers for the client's end-to-end tests: a throwaway CA, a real restauthd on 127.0.0.1,
a small fake API server for retry and failover tests, and running programs (under valgrind
when the build is not sanitized). Standard library only; every socket is on 127.0.0.1."""

import base64
import http.client
import json
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

START_TIMEOUT = 15.0


def need_path(var):
    """The file named by environment variable `var` (set by CTest); fails the test if absent."""
    path = os.environ.get(var)
    if not path or not os.path.exists(path):
        pytest.fail(f"{var} does not name an existing file ({path!r}); run through CTest")
    return path


def prog_path(name):
    return os.path.join(need_path("RA_CLIENT_TEST_BIN"), name)


def clean_env(**extra):
    """The environment for a child: no proxies, no inherited RESTAUTH_* settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith("RESTAUTH_")}
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


def valgrind_prefix():
    """valgrind argv prefix when the build is not sanitized and valgrind is available."""
    vg = os.environ.get("RA_VALGRIND", "")
    if os.environ.get("RA_SANITIZE") == "1" or not vg:
        return []
    return [vg, "--quiet", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect", "--error-exitcode=99"]


def run(argv, env, timeout=120, input_text=None, check_leaks=False):
    """Run a program; returns CompletedProcess with text output."""
    prefix = valgrind_prefix() if check_leaks else []
    return subprocess.run(prefix + [str(a) for a in argv], env=env, input=input_text,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, stdin=None if input_text is not None
                          else subprocess.DEVNULL)


# ---- certificates -----------------------------------------------------------------------

class PKI:
    """A throwaway CA, a server certificate for 127.0.0.1/localhost signed by it, and one for
    a name no test uses (to provoke a host-name mismatch)."""

    def __init__(self, directory):
        d = Path(directory)
        self.dir = d
        self.ca, self.ca_key = d / "ca.pem", d / "ca.key"
        self.cert, self.key = d / "server.pem", d / "server.key"
        self.wrong_cert, self.wrong_key = d / "wrong.pem", d / "wrong.key"
        self._openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                      "-subj", "/CN=restauth test CA", "-keyout", self.ca_key, "-out", self.ca)
        self._issue(self.cert, self.key, "subjectAltName=IP:127.0.0.1,DNS:localhost")
        self._issue(self.wrong_cert, self.wrong_key, "subjectAltName=DNS:wrong.invalid")

    def _openssl(self, *args):
        subprocess.run(["openssl", *[str(a) for a in args]], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)

    def _issue(self, cert, key, san):
        csr = self.dir / (cert.stem + ".csr")
        ext = self.dir / (cert.stem + ".ext")
        ext.write_text(san + "\n")
        self._openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=restauth test",
                      "-keyout", key, "-out", csr)
        self._openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                      "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert)


# ---- the real server ----------------------------------------------------------------------

def read_cred_file(path):
    text = Path(path).read_text(encoding="utf-8")
    cid = re.search(r"^key\uff1a(\S+)\r?$", text, re.M).group(1)
    sec = re.search(r"^secret\uff1a(\S+)\r?$", text, re.M).group(1)
    return cid, sec


class Restauthd:
    """A restauthd store in `directory` and its `serve` process on 127.0.0.1 (port 0)."""

    def __init__(self, directory, pki):
        self.bin = need_path("RESTAUTHD")
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.store = f"sqlite:{self.dir / 'x.db'}"
        self.pki = pki
        self.proc = None
        self.port = None
        self.cli("init")

    def cli(self, *args):
        cp = subprocess.run([self.bin, *[str(a) for a in args], "--store", self.store],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            timeout=60, env=clean_env())
        if cp.returncode != 0:
            pytest.fail(f"restauthd {' '.join(map(str, args))}: {cp.stderr}")
        return cp.stdout

    def account(self, name):
        """Create account `name` with one pair written to a key_and_secret.txt file; returns
        (path of the file, (customer id, customer secret))."""
        self.cli("account", "add", name)
        path = self.dir / f"{name}_key_and_secret.txt"
        self.cli("secret", "add", "--account", name, "--out", path)
        cred = read_cred_file(path)
        if self.proc is not None:
            self.wait_accepts(cred)
        return path, cred

    def wait_accepts(self, cred, timeout=5.0):
        """A running server picks up new credentials at its next store poll (250 ms by
        default): wait until it accepts `cred`."""
        ctx = ssl.create_default_context(cafile=str(self.pki.ca))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=5)
            try:
                conn.request("GET", "/dev/v1/projects", headers={"Authorization": basic(cred)})
                if conn.getresponse().status == 201:
                    return
            finally:
                conn.close()
            time.sleep(0.05)
        pytest.fail("restauthd did not pick up a new credential in time")

    def start(self, *extra):
        log = self.dir / "serve.stderr"
        argv = [self.bin, "serve", "--store", self.store, "--listen", "127.0.0.1:0",
                "--tls-cert", self.pki.cert, "--tls-key", self.pki.key,
                "--access-log", self.dir / "access.log", *extra]
        with open(log, "wb") as err:
            self.proc = subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err,
                                         env=clean_env())
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            m = re.search(r"listening on https://127\.0\.0\.1:(\d+)", log.read_text())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"restauthd did not start: {log.read_text()[-2000:]}")

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self.proc = None


# ---- the fake API server ------------------------------------------------------------------

PROJECT = {"id": "fake01", "name": "fake", "vendor_key": "0" * 32, "sign_key": "",
           "recording_server": None, "status": 1, "created": 1700000000}


class Hit:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.auth = headers.get("Authorization")
        self.content_type = headers.get("Content-Type")
        self.body = body
        self.time = time.monotonic()


class FakeHandler(BaseHTTPRequestHandler):
    """Paths are /t/<token>/<label>/<script>/<API path>. Each (token, label) counts its
    requests; request n gets action n of the "+"-separated script (the last one repeats):
    200 or 201 (a valid answer for the API path), 429 (Retry-After: 0), 429rN (Retry-After: N),
    401, 500, 502, 503, drop (close without answering), hang (wait 5 s, then close),
    garbage (201 that is not JSON), big (201 of 9 MiB), evil (201 with control characters in
    the project name)."""

    protocol_version = "HTTP/1.0"  # one request per connection: no hidden curl re-sends
    server_version = "fake"
    sys_version = ""

    def log_message(self, *args):
        pass

    def _reply(self, status, obj=None, raw=None, headers=()):
        data = raw if raw is not None else json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = self.path.split("/", 5)
        if len(parts) < 5 or parts[1] != "t":
            return self._reply(404, {"message": "no Route matched with those values"})
        token, label, script = parts[2], parts[3], parts[4]
        api = "/" + (parts[5] if len(parts) > 5 else "")
        n = self.server.fake.record(token, label, Hit(self.command, api, self.headers, body))
        actions = script.split("+")
        self._act(actions[min(n, len(actions) - 1)], api)

    def _act(self, action, api):
        if action in ("200", "201"):
            if self.command == "DELETE":
                return self._reply(200, {"success": True})
            if self.command == "GET":
                return self._reply(int(action), {"projects": [PROJECT]})
            return self._reply(int(action), {"project": PROJECT})
        if action.startswith("429"):
            after = action[4:] if action.startswith("429r") else "0"
            return self._reply(429, {"message": "API rate limit exceeded"},
                               headers=[("Retry-After", after)])
        if action == "401":
            return self._reply(401, {"message": "Invalid authentication credentials"})
        if action in ("500", "502", "503"):
            return self._reply(int(action), {"message": "internal error"})
        if action == "evil":
            p = dict(PROJECT, name="evil\x1b[31mred\x7f\x85end")
            return self._reply(201, {"projects": [p]} if self.command == "GET" else {"project": p})
        if action == "garbage":
            return self._reply(201, raw=b"<html>not json</html>")
        if action == "big":
            return self._reply(201, raw=b'{"projects":[' + b" " * (9 << 20) + b"]}")
        if action == "hang":
            time.sleep(5)
        # "drop", "hang" and anything unknown: close without a response.
        self.close_connection = True

    do_GET = do_POST = do_DELETE = do_PUT = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake, ctx):
        self.fake = fake
        self.ctx = ctx
        super().__init__(("127.0.0.1", 0), FakeHandler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread.
        if self.ctx is not None:
            try:
                request = self.ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        try:
            self.RequestHandlerClass(request, client_address, self)
        except (ssl.SSLError, OSError):
            pass
        finally:
            request.close()


class FakeAPI:
    """HTTPS (good certificate), HTTPS (certificate for another name), plain HTTP, a port that
    resets every connection during the TLS handshake, and a port nobody listens on. All on
    127.0.0.1."""

    def __init__(self, pki):
        self.lock = threading.Lock()
        self.hits = {}
        self.servers = []
        good = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        good.load_cert_chain(pki.cert, pki.key)
        wrong = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        wrong.load_cert_chain(pki.wrong_cert, pki.wrong_key)
        self.https = self._serve(good)
        self.wrongcert = self._serve(wrong)
        self.plain = self._serve(None)
        self.hangup = self._resetter()
        self.closed = self._closed_port()

    def _serve(self, ctx):
        srv = _Server(self, ctx)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        self.servers.append(srv)
        return srv.server_address[1]

    def _resetter(self):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        self._reset_sock = sock

        def loop():
            while True:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    return
                # Wait for the TLS ClientHello, then reset: the client has connected but
                # no TLS session (and so no request) ever exists.
                conn.settimeout(2)
                try:
                    conn.recv(4096)
                except OSError:
                    pass
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()

        threading.Thread(target=loop, daemon=True).start()
        return sock.getsockname()[1]

    @staticmethod
    def _closed_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def record(self, token, label, hit):
        with self.lock:
            lst = self.hits.setdefault((token, label), [])
            lst.append(hit)
            return len(lst) - 1

    def get(self, token, label):
        with self.lock:
            return list(self.hits.get((token, label), []))

    def url(self, token, label, script, scheme="https"):
        port = self.plain if scheme == "http" else self.https
        return f"{scheme}://127.0.0.1:{port}/t/{token}/{label}/{script}"

    def stop(self):
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
        self._reset_sock.close()


def basic(cred):
    return "Basic " + base64.b64encode(f"{cred[0]}:{cred[1]}".encode()).decode()
