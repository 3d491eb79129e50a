# SPDX-License-Identifier: MIT
"""TLS 1.3 records of HTTP/1.1 connections, which restauthd keeps itself once OpenSSL has done
the handshake: real clients (curl, openssl s_client, Python's ssl) over 127.0.0.1 with every
TLS 1.3 suite, a request sent together with the client's Finished, KeyUpdate, bad records,
TLS 1.2 (which stays with OpenSSL), and the memory an idle TLS connection keeps."""
import os
import socket
import ssl
import subprocess
import time

import pytest

from e2e_lib import RawConn, basic_value, parse_response, read_until_closed, require_tool

SUITES = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]


def request(cred, path="/dev/v1/projects"):
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {basic_value(cred)}\r\n\r\n").encode()


def test_each_suite_keeps_alive_with_curl(shared):
    _, cred = shared.take()
    url = f"https://127.0.0.1:{shared.s.port}/dev/v1/projects"
    curl = require_tool("curl")
    for suite in SUITES:
        argv = [curl, "-sS", "-v", "--http1.1", "--tlsv1.3", "--tls13-ciphers", suite,
                "--noproxy", "*", "--cacert", str(shared.s.cert), "-u", f"{cred[0]}:{cred[1]}",
                "-o", "/dev/null", url, "-o", "/dev/null", url, "-o", "/dev/null", url]
        cp = subprocess.run(argv, capture_output=True, timeout=30)
        err = cp.stderr.decode(errors="replace")
        assert cp.returncode == 0, err
        assert f"TLSv1.3 / {suite}" in err, err
        assert err.count("< HTTP/1.1 201") == 3, err
        assert err.count("Re-using existing connection") == 2, err


def test_tls12_stays_with_openssl(shared):
    _, cred = shared.take()
    ctx = ssl.create_default_context(cafile=str(shared.s.cert))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    conn = RawConn(shared.s.port, ctx)
    try:
        assert conn.sock.version() == "TLSv1.2"
        for _ in range(3):
            assert conn.send(request(cred))
            resp = conn.response()
            assert resp is not None and resp.status == 201, resp
    finally:
        conn.close()


def test_server_order_puts_aes_128_gcm_first(shared):
    """A client offering OpenSSL's default order (AES-256-GCM first) gets AES-128-GCM, over
    TLS 1.3 and 1.2; a client offering only another suite still gets that one."""
    for version, want in ((ssl.TLSVersion.TLSv1_3, "TLS_AES_128_GCM_SHA256"),
                          (ssl.TLSVersion.TLSv1_2, "AES128-GCM-SHA256")):
        ctx = ssl.create_default_context(cafile=str(shared.s.cert))
        ctx.minimum_version = ctx.maximum_version = version
        with socket.create_connection(("127.0.0.1", shared.s.port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                assert tls.cipher()[0].endswith(want), tls.cipher()
    ctx = ssl.create_default_context(cafile=str(shared.s.cert))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ECDHE+AESGCM+AES256")
    with socket.create_connection(("127.0.0.1", shared.s.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.cipher()[0].endswith("AES256-GCM-SHA384"), tls.cipher()


class MemoryClient:
    """A TLS 1.3 client over a plain socket whose records are sent exactly when the test
    says (ssl.MemoryBIO)."""

    def __init__(self, server):
        ctx = ssl.create_default_context(cafile=str(server.cert))
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.incoming, self.outgoing, server_hostname="127.0.0.1")
        self.buf = b""

    def handshake(self):
        """Run the handshake, keeping the client's last flight (its Finished) unsent."""
        while True:
            try:
                self.obj.do_handshake()
                return
            except ssl.SSLWantReadError:
                self.flush()
                self.incoming.write(self.sock.recv(65536))

    def flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def response(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            parsed = parse_response(self.buf) if self.buf else None
            if parsed is not None:
                resp, self.buf = parsed
                return resp
            try:
                self.buf += self.obj.read(65536)
                continue
            except ssl.SSLWantReadError:
                pass
            self.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            data = self.sock.recv(65536)
            if not data:
                return None
            self.incoming.write(data)
        return None

    def closed(self, timeout=5.0):
        """How the server ended the connection: the alert it sent (OpenSSL's name for it), or
        "closed" for a close without one; None when it did not within the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                data = b""
            self.incoming.write(data)
            try:
                if self.obj.read(65536) == b"":  # how Python reports a close_notify read
                    return "close_notify"
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLZeroReturnError:
                return "close_notify"
            except ssl.SSLError as e:
                return e.reason or str(e)
            if not data:
                return "closed"
        return None

    def close(self):
        self.sock.close()

    def ask(self, cred):
        """Send one request and check its answer."""
        self.obj.write(request(cred))
        self.flush()
        resp = self.response()
        assert resp is not None and resp.status == 201, resp


def test_request_sent_with_the_clients_finished(shared):
    """The first request arrives in the same segment as the end of the handshake: OpenSSL
    opens it, and the records after it are restauthd's, numbered on from there."""
    _, cred = shared.take()
    c = MemoryClient(shared.s)
    try:
        c.handshake()
        c.obj.write(request(cred))
        c.flush()  # Finished and the request, in one send
        resp = c.response()
        assert resp is not None and resp.status == 201, resp
        for _ in range(3):
            c.ask(cred)
    finally:
        c.close()


def test_bad_records_end_the_connection(shared):
    _, cred = shared.take()
    for bad, alert in (
            (b"\x17\x03\x03\x00\x20" + os.urandom(32), "BAD_RECORD_MAC"),  # fails to open
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "UNEXPECTED_MESSAGE"),  # not a record
            (b"\x15\x03\x03\x00\x02\x01\x00", "UNEXPECTED_MESSAGE")):  # unprotected alert
        c = MemoryClient(shared.s)
        try:
            c.handshake()
            c.ask(cred)
            c.sock.sendall(bad)
            how = c.closed()
            assert how is not None and alert in how, (bad, how)
        finally:
            c.close()
    # The server goes on serving.
    c = MemoryClient(shared.s)
    try:
        c.handshake()
        c.ask(cred)
    finally:
        c.close()


class SClient:
    """openssl s_client, fed line by line; its commands ("K" = KeyUpdate, update requested)
    are on."""

    def __init__(self, server, suite):
        openssl = require_tool("openssl")
        self.proc = subprocess.Popen(
            [openssl, "s_client", "-connect", f"127.0.0.1:{server.port}", "-tls1_3",
             "-ciphersuites", suite, "-CAfile", str(server.cert), "-msg"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = b""
        os.set_blocking(self.proc.stdout.fileno(), False)

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait_for(self, needle, count, timeout=10.0):
        deadline = time.monotonic() + timeout
        while self.out.count(needle) < count and time.monotonic() < deadline:
            chunk = self.proc.stdout.read()
            if chunk:
                self.out += chunk
            else:
                time.sleep(0.02)
        return self.out.count(needle) >= count

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def test_key_update_from_the_client(shared):
    _, cred = shared.take()
    for suite in SUITES:
        c = SClient(shared.s, suite)
        try:
            assert c.wait_for(b"Verify return code: 0", 1), c.out[-3000:]
            c.send(request(cred))
            assert c.wait_for(b"HTTP/1.1 201 Created", 1), c.out[-3000:]
            c.send(b"K\n")  # a KeyUpdate, asking for ours
            assert c.wait_for(b"KEYUPDATE", 1), c.out[-3000:]
            time.sleep(0.3)  # so that the next line is read on its own, not as a command
            c.send(request(cred))
            assert c.wait_for(b"HTTP/1.1 201 Created", 2), c.out[-3000:]
            # The server's own KeyUpdate came before that reply.
            assert c.out.count(b"<<< TLS 1.3, Handshake [length 0005], KeyUpdate") == 1, \
                c.out[-3000:]
        finally:
            c.close()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_idle_tls_connections_keep_little_memory(make_server):
    """An idle TLS 1.3 connection keeps a few hundred bytes, not OpenSSL's ~14 KiB."""
    s = make_server()
    cred = s.account_with_secret("idle")
    count = 600
    s.start("--max-conns", str(count + 64), "--max-conns-per-ip", str(count + 64),
            "--rate-limit", "0", "--threads", "1")
    with open(f"/proc/{s.proc.pid}/maps") as f:
        if "libasan" in f.read():  # its allocator keeps freed memory in quarantine
            pytest.skip("memory is not measured under AddressSanitizer")
    ctx = ssl.create_default_context(cafile=str(s.cert))
    warm = [RawConn(s.port, ctx) for _ in range(32)]  # the allocator's first growth
    for c in warm:
        c.close()
    time.sleep(0.3)
    before = rss_kib(s.proc.pid)
    conns = []
    try:
        for _ in range(count):
            c = RawConn(s.port, ctx, timeout=10)
            assert c.send(request(cred))
            resp = c.response(timeout=10)
            assert resp is not None and resp.status == 201, resp
            conns.append(c)
        time.sleep(0.3)
        per_conn = (rss_kib(s.proc.pid) - before) / count
        assert per_conn < 5.0, f"{per_conn:.2f} KiB per idle TLS connection"
    finally:
        for c in conns:
            c.close()


def make_chain(directory):
    """A root CA, an intermediate CA and a leaf for 127.0.0.1 signed by the intermediate.
    Returns (root certificate, leaf + intermediate chain file, leaf key)."""
    openssl = require_tool("openssl")

    def run(*args):
        subprocess.run([openssl, *args], check=True, capture_output=True, timeout=60, cwd=directory)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    (directory / "ca.ext").write_text("basicConstraints=critical,CA:TRUE\n"
                                      "keyUsage=critical,keyCertSign,cRLSign\n")
    (directory / "leaf.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run("req", "-x509", *ec, "-subj", "/CN=root", "-days", "2", "-keyout", "root.key",
        "-out", "root.pem")
    run("req", *ec, "-subj", "/CN=intermediate", "-keyout", "mid.key", "-out", "mid.csr")
    run("x509", "-req", "-in", "mid.csr", "-CA", "root.pem", "-CAkey", "root.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ca.ext", "-out", "mid.pem")
    run("req", *ec, "-subj", "/CN=127.0.0.1", "-keyout", "leaf.key", "-out", "leaf.csr")
    run("x509", "-req", "-in", "leaf.csr", "-CA", "mid.pem", "-CAkey", "mid.key",
        "-CAcreateserial", "-days", "2", "-extfile", "leaf.ext", "-out", "leaf.pem")
    chain = directory / "chain.pem"
    chain.write_text((directory / "leaf.pem").read_text() + (directory / "mid.pem").read_text())
    return directory / "root.pem", chain, directory / "leaf.key"


def test_the_chain_sent_is_the_files(tmp_path):
    """The certificates of --tls-cert go out as they are in the file: a client that trusts
    only the root verifies the leaf through the intermediate the file holds."""
    from e2e_lib import Server
    root, chain, key = make_chain(tmp_path)
    s = Server(tmp_path / "srv", chain, key)
    s.init()
    cred = s.account_with_secret("chain")
    s.start()
    try:
        ctx = ssl.create_default_context(cafile=str(root))
        conn = RawConn(s.port, ctx)
        try:
            assert conn.send(request(cred))
            resp = conn.response()
            assert resp is not None and resp.status == 201, resp
        finally:
            conn.close()
    finally:
        s.stop()


def test_connection_close_ends_with_close_notify(shared):
    _, cred = shared.take()
    c = MemoryClient(shared.s)
    try:
        c.handshake()
        c.obj.write(request(cred).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
        c.flush()
        resp = c.response()
        assert resp is not None and resp.status == 201, resp
        assert resp.header("Connection") == "close"
        assert c.closed() == "close_notify"
    finally:
        c.close()


def test_sessions_resume(shared):
    """A TLS 1.3 session ticket reaches the client (for HTTP/1.1 with the first reply, sealed
    ahead of it; for HTTP/2 in OpenSSL's handshake) and a new connection resumes it."""
    _, cred = shared.take()
    for alpn in (None, ["http/1.1"], ["h2"]):
        ctx = ssl.create_default_context(cafile=str(shared.s.cert))
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        if alpn:
            ctx.set_alpn_protocols(alpn)
        first = RawConn(shared.s.port, ctx)
        try:
            if alpn == ["h2"]:
                assert first.sock.selected_alpn_protocol() == "h2"
                first.sock.settimeout(5)
                # The client's preface and an empty SETTINGS frame; the server's SETTINGS
                # come back (after the ticket, which came with the handshake).
                preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
                first.sock.sendall(preface)
                assert first.sock.recv(9)
            else:
                assert first.send(request(cred))
                resp = first.response()
                assert resp is not None and resp.status == 201, resp
            session = first.sock.session
            assert session is not None and session.has_ticket, alpn
        finally:
            first.close()
        # Several times: each event loop has its own context, and any of them may answer.
        for _ in range(6):
            again = socket.create_connection(("127.0.0.1", shared.s.port), timeout=5)
            second = ctx.wrap_socket(again, server_hostname="127.0.0.1", session=session)
            try:
                assert second.session_reused, alpn
                if alpn != ["h2"]:  # the resumed connection serves requests as well
                    close = b"\r\nConnection: close\r\n\r\n"
                    second.sendall(request(cred).replace(b"\r\n\r\n", close))
                    data = read_until_closed(second)
                    assert data.startswith(b"HTTP/1.1 201 "), data[:64]
            finally:
                second.close()
