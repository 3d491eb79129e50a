# SPDX-License-Identifier: MIT
"""HTTP/2 over TLS (ALPN "h2"), and ALPN's choice of HTTP/1.1, X25519 for the key exchange."""
import json
import socket
import ssl
import subprocess

from e2e_lib import require_tool


def curl_h2(server, *args):
    """curl --http2 -v with ARGS against the server; returns (stdout, stderr) as text."""
    argv = [require_tool("curl"), "-sS", "-v", "--http2", "--noproxy", "*", "--cacert",
            str(server.cert), *args]
    cp = subprocess.run(argv, capture_output=True, timeout=30)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout.decode(), cp.stderr.decode()


def test_http2_requests_share_one_connection(shared):
    _, cred = shared.take()
    url = f"https://127.0.0.1:{shared.s.port}"
    body = json.dumps({"name": "over-h2", "enable_sign_key": True})
    out, err = curl_h2(shared.s, "-u", f"{cred[0]}:{cred[1]}",
                       "-H", "Content-Type: application/json", "--data-binary", body,
                       f"{url}/dev/v1/project", "--next", "--http2", "--cacert",
                       str(shared.s.cert), "-u", f"{cred[0]}:{cred[1]}",
                       f"{url}/dev/v1/projects")
    assert "ALPN: server accepted h2" in err, err
    assert err.count("< HTTP/2 201") == 2, err
    assert "Re-using existing connection" in err or "re-using" in err.lower(), err
    made, listed = out[:out.index("}}") + 2], out[out.index("}}") + 2:]
    assert json.loads(made)["project"]["name"] == "over-h2"
    assert [p["name"] for p in json.loads(listed)["projects"]] == ["over-h2"]


def test_http2_refusals_are_json(shared):
    url = f"https://127.0.0.1:{shared.s.port}"
    out, err = curl_h2(shared.s, f"{url}/dev/v1/projects")
    assert "< HTTP/2 401" in err, err
    assert 'www-authenticate: basic realm="restauth"' in err.lower(), err
    assert json.loads(out) == {"message": "Unauthorized"}
    out, err = curl_h2(shared.s, f"{url}/nothing/here")
    assert "< HTTP/2 404" in err, err
    assert json.loads(out) == {"message": "no Route matched with those values"}


def test_http2_body_limits(shared):
    _, cred = shared.take()
    url = f"https://127.0.0.1:{shared.s.port}/dev/v1/project"
    out, err = curl_h2(shared.s, "-u", f"{cred[0]}:{cred[1]}", "-X", "DELETE",
                       "-H", "Content-Type: application/json", "--data-binary",
                       '{"id":"nope"}', url)
    assert "< HTTP/2 404" in err, err
    assert json.loads(out) == {"error_msg": "project not exist"}
    out, err = curl_h2(shared.s, "-u", f"{cred[0]}:{cred[1]}", "-H",
                       "Content-Type: text/plain", "--data-binary", "x", url)
    assert "< HTTP/2 415" in err, err


def test_alpn_http11_and_x25519(shared):
    _, cred = shared.take()
    ctx = ssl.create_default_context(cafile=str(shared.s.cert))
    ctx.set_alpn_protocols(["http/1.1"])
    with socket.create_connection(("127.0.0.1", shared.s.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            assert s.selected_alpn_protocol() == "http/1.1"
    # The server prefers X25519: openssl s_client offering P-256 first still gets X25519.
    openssl = require_tool("openssl")
    cp = subprocess.run([openssl, "s_client", "-connect", f"127.0.0.1:{shared.s.port}",
                         "-groups", "P-256:X25519", "-tls1_2", "-CAfile", str(shared.s.cert)],
                        input=b"", capture_output=True, timeout=20)
    text = cp.stdout.decode(errors="replace")
    assert "Server Temp Key: X25519" in text, text[-2000:]


def test_http2_field_names_are_lower_case(shared):
    """HTTP/2 forbids upper case in field names (browsers drop the stream): the console's
    headers, written in the usual mixed case, go out in lower case."""
    out, err = curl_h2(shared.s, f"https://127.0.0.1:{shared.s.port}/console/")
    assert "< HTTP/2 200" in err, err
    names = [line[2:].split(":", 1)[0] for line in err.splitlines()
             if line.startswith("< ") and ":" in line and not line.startswith("< HTTP/")]
    assert "content-security-policy" in names, names
    assert all(n == n.lower() for n in names), names


def test_http2_rate_limit_says_when_to_retry(make_server):
    """A 429 over HTTP/2 carries Retry-After: 1, like HTTP/1.1 (its value outlives the
    function that made it)."""
    s = make_server()
    cred = s.account_with_secret("h2rate")
    s.start("--rate-limit", "1", "--auth-fail-limit", "0")
    url = f"https://127.0.0.1:{s.port}/dev/v1/projects"
    args = []
    for _ in range(3):
        args += ["--next", "--http2", "--cacert", str(s.cert), "-u", f"{cred[0]}:{cred[1]}", url]
    _, err = curl_h2(s, *args[1:])
    assert err.count("< HTTP/2 201") == 1, err
    assert err.count("< HTTP/2 429") == 2, err
    assert err.lower().count("< retry-after: 1\r\n") == 2, err
