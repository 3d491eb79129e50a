# SPDX-License-Identifier: MIT
"""SIGHUP reads the TLS certificate and key again: new connections get the new pair, an open
connection goes on with the old one, and a bad pair is refused with the old one kept."""
import shutil
import signal
import socket
import ssl
import time

from e2e_lib import Server, make_cert, read_until_closed


def served_cert(port):
    """The DER certificate the server presents to a new connection."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw) as s:
            return s.getpeercert(binary_form=True)


def wait_for_cert(port, want, timeout=5.0):
    deadline = time.monotonic() + timeout
    while served_cert(port) != want:
        assert time.monotonic() < deadline, "the server still presents the old certificate"
        time.sleep(0.1)


def test_sighup_reloads_the_certificate(tmp_path):
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = make_cert(tmp_path / "first")
    second = make_cert(tmp_path / "second")
    live = tmp_path / "live"
    live.mkdir()
    cert, key = live / "cert.pem", live / "key.pem"
    shutil.copy(first[0], cert)
    shutil.copy(first[1], key)
    s = Server(tmp_path / "srv", cert, key)
    s.init()
    cred = s.account_with_secret("reload")
    s.start()
    try:
        old = served_cert(s.port)
        conn = s.conn()  # opened with the first pair, kept open
        assert s.request("GET", "/dev/v1/projects", cred=cred).status in (200, 201)
        shutil.copy(second[0], cert)
        shutil.copy(second[1], key)
        s.proc.send_signal(signal.SIGHUP)
        new = ssl.PEM_cert_to_DER_cert(second[0].read_text())
        assert new != old
        wait_for_cert(s.port, new)
        r = s.request("GET", "/dev/v1/projects", cred=cred, conn=conn)
        assert r.status in (200, 201), r
        key.write_text("not a key\n")
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while "keeping the current TLS certificate" not in s.stderr_text():
            assert time.monotonic() < deadline, s.stderr_text()[-2000:]
            time.sleep(0.1)
        assert served_cert(s.port) == new
    finally:
        s.stop()


def test_reload_while_a_client_has_not_said_hello(tmp_path):
    """A connection accepted before a reload whose client sends its hello only after it: the
    handshake uses the context of the accept, kept alive until then (the reload frees it
    otherwise: no other connection holds it)."""
    cert, key = make_cert(tmp_path)
    s = Server(tmp_path / "srv", cert, key)
    s.init()
    s.start()
    try:
        old = served_cert(s.port)
        raw = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        time.sleep(0.2)  # accepted, no byte sent
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while "reloaded --tls-cert" not in s.stderr_text():
            assert time.monotonic() < deadline, s.stderr_text()[-2000:]
            time.sleep(0.05)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with ctx.wrap_socket(raw) as tls:
            assert tls.getpeercert(binary_form=True) == old
        assert s.proc.poll() is None
        assert served_cert(s.port) == old
    finally:
        s.stop()


def test_sessions_resume_across_a_reload(tmp_path):
    """Session tickets are sealed with keys every event loop shares, and a reload keeps them:
    a session from before the SIGHUP resumes after it."""
    cert, key = make_cert(tmp_path)
    s = Server(tmp_path / "srv", cert, key)
    s.init()
    cred = s.account_with_secret("resume")
    s.start()
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        conn = s.conn()  # the suite's own client, for a request and its reply
        assert s.request("GET", "/dev/v1/projects", cred=cred, conn=conn).status in (200, 201)
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
            with ctx.wrap_socket(raw) as tls:
                tls.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                read_until_closed(tls)
                session = tls.session
        assert session is not None and session.has_ticket
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while "reloaded --tls-cert" not in s.stderr_text():
            assert time.monotonic() < deadline, s.stderr_text()[-2000:]
            time.sleep(0.05)
        for _ in range(6):  # any event loop may answer
            with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
                with ctx.wrap_socket(raw, session=session) as tls:
                    assert tls.session_reused
    finally:
        s.stop()
