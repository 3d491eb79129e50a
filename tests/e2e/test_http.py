# SPDX-License-Identifier: MIT
"""HTTP layer: routing, media type, size limits, strict RFC 9112 parsing, keep-alive, TLS."""

import json
import ssl
import subprocess
import time
import http.client

import pytest

from e2e_lib import (BODY_415, BODY_BAD_REQUEST, BODY_HDR_TOO_LARGE, BODY_NO_ROUTE,
                     BODY_TOO_LARGE, b64, basic_value, expect, parse_response, project_list,
                     single_project)


def auth_line(cred):
    return f"Authorization: Basic {b64(cred[0] + ':' + cred[1])}\r\n"


@pytest.mark.parametrize("method,path", [
    ("GET", "/dev/v2/projects"),
    ("GET", "/dev/v1/Projects"),
    ("GET", "/dev/v1/projectz"),
    ("GET", "/"),
    ("GET", "/dev/v1/project_status"),
    ("PUT", "/dev/v1/project"),
    ("PATCH", "/dev/v1/project"),
    ("POST", "/dev/v1/projects"),
    ("DELETE", "/dev/v1/projects"),
    ("GET", "/dev/v1/signkey"),
    ("GET", "/dev/v1/projects//"),
])
def test_unknown_route_or_method(shared, method, path):
    _, cred = shared.pool[0]
    body = {"id": "x"} if method in ("PUT", "PATCH", "POST", "DELETE") else None
    expect(shared.s.request(method, path, body, cred=cred), 404, BODY_NO_ROUTE)


def test_unknown_route_curl(shared):
    _, cred = shared.pool[0]
    expect(shared.s.curl("GET", "/dev/v2/projects", user=cred), 404, BODY_NO_ROUTE)


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "application/jsonx", "application/xml"])
def test_415_wrong_content_type(shared, ctype):
    _, cred = shared.pool[1]
    r = shared.s.request("POST", "/dev/v1/project", {"name": "m", "enable_sign_key": True},
                         cred=cred, ctype=ctype)
    expect(r, 415, BODY_415)


def test_415_delete_and_curl_default_form_type(shared):
    _, cred = shared.pool[1]
    r = shared.s.request("DELETE", "/dev/v1/project", {"id": "x"}, cred=cred, ctype="text/plain")
    expect(r, 415, BODY_415)
    # curl -d without -H sends application/x-www-form-urlencoded
    r = shared.s.curl("POST", "/dev/v1/project", '{"name":"f","enable_sign_key":true}',
                      user=cred, ctype=None)
    expect(r, 415, BODY_415)
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert all(x["name"] not in ("m", "f") for x in items)


def test_content_type_parameters_allowed(shared):
    _, cred = shared.take()
    r = shared.s.request("POST", "/dev/v1/project", {"name": "cs", "enable_sign_key": True},
                         cred=cred, ctype="application/json; charset=utf-8")
    single_project(r, "cs")
    r = shared.s.curl("POST", "/dev/v1/project", {"name": "cs2", "enable_sign_key": True},
                      user=cred, ctype="application/json;charset=UTF-8")
    single_project(r, "cs2")


def test_get_without_content_type(shared):
    _, cred = shared.pool[1]
    r = shared.s.request("GET", "/dev/v1/projects", cred=cred, ctype=None)
    project_list(r)


def test_413_default_max_body(shared):
    _, cred = shared.take()
    name = "b" * 70000
    body = json.dumps({"name": name, "enable_sign_key": True}).encode()
    assert len(body) > 65536
    c = shared.s.raw()
    try:
        head = ("POST /dev/v1/project HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_line(cred) +
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        c.send(head)
        r = c.response(timeout=1.0)  # a server may answer from the header alone
        if r is None:
            c.send(body)
            r = c.response()
        assert r is not None, "no response to an oversized body"
        expect(r, 413, BODY_TOO_LARGE)
    finally:
        c.close()
    assert project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred)) == []


def test_body_just_under_default_limit_accepted_as_json(shared):
    _, cred = shared.take()
    # 65536 bytes exactly: valid JSON, but the name is too long -> 400, not 413
    filler = 65536 - len(json.dumps({"name": "", "enable_sign_key": True}))
    body = json.dumps({"name": "x" * filler, "enable_sign_key": True})
    assert len(body) == 65536
    r = shared.s.request("POST", "/dev/v1/project", body, cred=cred)
    assert r.status == 400 and r.body != BODY_TOO_LARGE, r


def test_431_default_max_header(shared):
    _, cred = shared.pool[2]
    c = shared.s.raw()
    try:
        c.send(("GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_line(cred) +
                "X-Pad: " + "p" * 9000 + "\r\n\r\n").encode())
        r = c.response()
        assert r is not None, "no response to an oversized header"
        expect(r, 431, BODY_HDR_TOO_LARGE)
    finally:
        c.close()
    # a header block well within 8192 bytes is fine
    r = shared.s.request("GET", "/dev/v1/projects", cred=cred, headers={"X-Pad": "p" * 4000})
    project_list(r)


def header_section_size(fields):
    """Size of a header section as restauthd counts it against --max-header
    (src/server/http/request.c): name length + value length + 4 for each field."""
    return sum(len(name) + len(value) + 4 for name, value in fields)


@pytest.mark.parametrize("limit", [1024, 3000, None], ids=["1024", "3000", "default"])
def test_431_exact_boundary(make_server, limit):
    s = make_server()
    s.add_account("edge")
    cred = s.add_secret("edge")
    if limit is None:
        s.start("--rate-limit", "0")
        limit = 8192
    else:
        s.start("--max-header", limit, "--rate-limit", "0")
    base = [("Host", "127.0.0.1"), ("Authorization", basic_value(cred, "Basic"))]
    filler = limit - header_section_size(base + [("X-Pad", "")])
    for extra in (0, 1):
        fields = base + [("X-Pad", "p" * (filler + extra))]
        assert header_section_size(fields) == limit + extra
        head = "".join(f"{name}: {value}\r\n" for name, value in fields)
        c = s.raw()  # a fresh connection for each size
        try:
            assert c.send(f"GET /dev/v1/projects HTTP/1.1\r\n{head}\r\n".encode("ascii"))
            r = c.response()
            assert r is not None, f"no response to a {limit + extra}-byte header section"
            if extra == 0:
                assert project_list(r) == []
            else:
                expect(r, 431, BODY_HDR_TOO_LARGE)
        finally:
            c.close()


def strict_case(shared, request, status=400, body=BODY_BAD_REQUEST, server=None):
    """The request gets 400 (or `status` with JSON `body`) and the connection is closed."""
    c = (server or shared.s).raw()
    try:
        c.send(request)
        r = c.response()
        assert r is not None, f"no response to {request!r}"
        expect(r, status, body)
        assert c.closed_by_peer(), f"connection left open after 400 for {request!r}"
    finally:
        c.close()


@pytest.mark.parametrize("kind", ["no-host", "space-before-colon", "two-content-lengths",
                                  "cl-and-te", "garbage-line", "garbage-binary",
                                  "bad-version", "folded-field"])
def test_strict_http_rejections(shared, kind):
    _, cred = shared.pool[3]
    a = auth_line(cred)
    body = b'{"name":"strict","enable_sign_key":true}'
    n = len(body)
    req = {
        "no-host": f"GET /dev/v1/projects HTTP/1.1\r\n{a}\r\n".encode(),
        "space-before-colon": (f"GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n{a}"
                               "X-Thing : 1\r\n\r\n").encode(),
        "two-content-lengths": (f"POST /dev/v1/project HTTP/1.1\r\nHost: 127.0.0.1\r\n{a}"
                                "Content-Type: application/json\r\n"
                                f"Content-Length: {n}\r\nContent-Length: {n + 1}\r\n\r\n"
                                ).encode() + body + b"x",
        "cl-and-te": (f"POST /dev/v1/project HTTP/1.1\r\nHost: 127.0.0.1\r\n{a}"
                      "Content-Type: application/json\r\n"
                      f"Content-Length: {n + 7}\r\nTransfer-Encoding: chunked\r\n\r\n"
                      f"{n:x}\r\n").encode() + body + b"\r\n0\r\n\r\n",
        "garbage-line": b"THIS IS NOT HTTP AT ALL\r\n\r\n",
        "garbage-binary": b"\x16\x03\x01\x00\xff\xfe garbage \x00\x01\r\n\r\n",
        "bad-version": f"GET /dev/v1/projects HTTP/9.7x\r\nHost: 127.0.0.1\r\n{a}\r\n".encode(),
        "folded-field": (f"GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n{a}"
                         "X-Thing: a\r\n  folded\r\n\r\n").encode(),  # obs-fold
    }[kind]
    strict_case(shared, req)  # a head the parser cannot read gets the same JSON 400
    if kind in ("two-content-lengths", "cl-and-te"):
        items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
        assert all(x["name"] != "strict" for x in items), "rejected request was executed"


def test_absolute_form_target(shared):
    _, cred = shared.pool[3]
    port = shared.s.port
    c = shared.s.raw()
    try:
        c.send((f"GET https://127.0.0.1:{port}/dev/v1/projects HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\n{auth_line(cred)}\r\n").encode())
        r = c.response()
        assert r is not None
        project_list(r)
    finally:
        c.close()


def test_keep_alive_several_requests(shared):
    _, cred = shared.take()
    conn = http.client.HTTPSConnection("127.0.0.1", shared.s.port, context=shared.s.ctx,
                                       timeout=10)
    try:
        conn.connect()
        sock = conn.sock
        local = sock.getsockname()
        ids = []
        for i in range(6):
            if i % 2 == 0:
                r = shared.s.request("POST", "/dev/v1/project",
                                     {"name": f"ka{i}", "enable_sign_key": True},
                                     cred=cred, conn=conn)
                ids.append(single_project(r)["id"])
            else:
                r = shared.s.request("GET", "/dev/v1/projects", cred=cred, conn=conn)
                assert len(project_list(r)) == len(ids)
            assert conn.sock is sock and sock.getsockname() == local, "connection was reopened"
    finally:
        conn.close()


def test_keep_alive_raw_pipelined(shared):
    _, cred = shared.pool[3]
    c = shared.s.raw()
    try:
        one = ("GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_line(cred) +
               "\r\n").encode()
        c.send(one * 3)
        for _ in range(3):
            r = c.response()
            assert r is not None, "pipelined request got no response"
            project_list(r)
        c.send(one)
        r = c.response()
        assert r is not None
        project_list(r)
        assert not c.eof
    finally:
        c.close()


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_tls_versions(shared, version):
    _, cred = shared.pool[3]
    ctx = ssl.create_default_context(cafile=str(shared.s.cert))
    v = ssl.TLSVersion.TLSv1_2 if version == "1.2" else ssl.TLSVersion.TLSv1_3
    ctx.minimum_version = v
    ctx.maximum_version = v
    conn = http.client.HTTPSConnection("127.0.0.1", shared.s.port, context=ctx, timeout=10)
    try:
        r = shared.s.request("GET", "/dev/v1/projects", cred=cred, conn=conn)
        project_list(r)
        assert conn.sock.version() == ("TLSv1.2" if version == "1.2" else "TLSv1.3")
    finally:
        conn.close()


@pytest.mark.parametrize("old", ["-tls1", "-tls1_1"])
def test_old_tls_versions_refused(shared, old):
    """TLS 1.0 and 1.1 are refused by the server. The client's security level is lowered so
    that it does offer them; TLS 1.2 with the same client settings is the control."""
    def handshake(flag):
        p = subprocess.run(["openssl", "s_client", flag, "-cipher", "DEFAULT:@SECLEVEL=0",
                            "-connect", f"127.0.0.1:{shared.s.port}", "-CAfile",
                            str(shared.s.cert)], input=b"", capture_output=True, timeout=20)
        return p.returncode, p.stdout.decode("latin1")

    rc, out = handshake("-tls1_2")
    assert rc == 0 and "Protocol  : TLSv1.2" in out, out[-500:]
    rc, out = handshake(old)
    assert rc != 0 and "Cipher is (NONE)" in out, out[-500:]


def test_limits_flags(make_server):
    s = make_server()
    s.add_account("lim")
    cred = s.add_secret("lim")
    s.start("--max-body", "1024", "--max-header", "2048", "--rate-limit", "0")
    long_name = "\u9879" * 255  # 255 characters, 765 bytes of UTF-8
    ok = json.dumps({"name": long_name, "enable_sign_key": True}, ensure_ascii=False)
    assert 800 <= len(ok.encode()) <= 1024
    single_project(s.request("POST", "/dev/v1/project", ok, cred=cred))
    big = json.dumps({"name": "n" * 1100, "enable_sign_key": True})
    r = s.request("POST", "/dev/v1/project", big, cred=cred)
    expect(r, 413, BODY_TOO_LARGE)
    # a chunked body over the limit
    c = s.raw()
    try:
        chunk = big.encode()
        c.send(("POST /dev/v1/project HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_line(cred) +
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
               + b"%x\r\n" % 600 + chunk[:600] + b"\r\n"
               + b"%x\r\n" % (len(chunk) - 600) + chunk[600:] + b"\r\n0\r\n\r\n")
        r = c.response()
        assert r is not None, "no response to an oversized chunked body"
        expect(r, 413, BODY_TOO_LARGE)
    finally:
        c.close()
    # headers
    c = s.raw()
    try:
        c.send(("GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_line(cred) +
                "X-Pad: " + "p" * 3000 + "\r\n\r\n").encode())
        r = c.response()
        assert r is not None
        expect(r, 431, BODY_HDR_TOO_LARGE)
    finally:
        c.close()
    r = s.request("GET", "/dev/v1/projects", cred=cred, headers={"X-Pad": "p" * 800})
    assert [x["name"] for x in project_list(r)] == [long_name]


def test_idle_timeout_closes_connection(make_server):
    s = make_server()
    cred = s.account_with_secret("idle")
    s.start("--idle-timeout", "1", "--rate-limit", "0")
    c = s.raw(timeout=10)
    try:
        c.send(("GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_line(cred) +
                "\r\n").encode())
        r = c.response()
        assert r is not None
        project_list(r)
        assert c.closed_by_peer(timeout=5), "idle connection kept open past --idle-timeout 1"
    finally:
        c.close()


def test_max_conns_per_ip(make_server):
    s = make_server()
    cred = s.account_with_secret("perip")
    s.start("--max-conns-per-ip", "2", "--rate-limit", "0")
    req = ("GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth_line(cred) +
           "\r\n").encode()
    held = []
    try:
        for _ in range(2):
            c = s.raw()
            held.append(c)
            c.send(req)
            project_list(c.response())
        refused = False
        try:
            c3 = s.raw(timeout=3)
        except (OSError, ssl.SSLError):
            refused = True
        else:
            held.append(c3)
            c3.send(req)
            refused = c3.response(timeout=3) is None
        assert refused, "a third connection from one IP was served at --max-conns-per-ip 2"
        for c in held:
            c.close()
        held = []
        deadline = time.monotonic() + 5
        while True:  # the server notices the closed connections shortly
            try:
                r = s.request("GET", "/dev/v1/projects", cred=cred)
                break
            except (AssertionError, OSError):
                s.close_conn()
                assert time.monotonic() < deadline, "no connection possible after closing two"
                time.sleep(0.1)
        project_list(r)
    finally:
        for c in held:
            c.close()


BODY_505 = b'{"message":"HTTP Version Not Supported"}'
BODY_501 = b'{"message":"Transfer-Encoding not implemented"}'
MALFORMED = ["nul-in-authorization", "ctl-in-field", "nul-in-path", "nul-in-console-path",
             "nul-in-query", "nul-in-query-name", "bad-escape-in-path", "two-hosts",
             "http-1.2", "http-1.2-with-host", "te-gzip", "te-identity", "te-gzip-chunked",
             "te-twice"]


def malformed(kind, cred):
    """(request bytes, status, JSON body) of one malformed request, sent with a valid pair."""
    a = auth_line(cred).encode()
    h = b"Host: 127.0.0.1\r\n"
    get = b"GET /dev/v1/projects HTTP/1.1\r\n"
    post = (b"POST /dev/v1/project HTTP/1.1\r\n" + h + a +
            b"Content-Type: application/json\r\n")
    bad = (400, BODY_BAD_REQUEST)
    return {
        "nul-in-authorization": (get + h + a[:-2] + b"\0junk\r\n\r\n", *bad),
        "ctl-in-field": (get + h + a + b"X-Thing: a\x01b\r\n\r\n", *bad),
        "nul-in-path": (b"GET /dev/v1/projects%00.json HTTP/1.1\r\n" + h + a + b"\r\n", *bad),
        "nul-in-console-path": (b"GET /console/index.html%00.js HTTP/1.1\r\n" + h + b"\r\n",
                                *bad),
        "nul-in-query": (b"GET /dev/v1/project?name=x%00junk HTTP/1.1\r\n" + h + a + b"\r\n",
                         *bad),
        "nul-in-query-name": (b"GET /dev/v1/project?name%00=x HTTP/1.1\r\n" + h + a + b"\r\n",
                              *bad),
        "bad-escape-in-path": (b"GET /dev/v1/projects%zz HTTP/1.1\r\n" + h + a + b"\r\n", *bad),
        "two-hosts": (get + h + b"Host: other.example\r\n" + a + b"\r\n", *bad),
        "http-1.2": (b"GET /dev/v1/projects HTTP/1.2\r\n" + a + b"\r\n", 505, BODY_505),
        "http-1.2-with-host": (b"GET /dev/v1/projects HTTP/1.2\r\n" + h + a + b"\r\n", 505,
                               BODY_505),
        "te-gzip": (post + b"Transfer-Encoding: gzip\r\n\r\n", 501, BODY_501),
        "te-identity": (post + b"Transfer-Encoding: identity\r\n\r\n", 501, BODY_501),
        "te-gzip-chunked": (post + b"Transfer-Encoding: gzip, chunked\r\n\r\n", 501, BODY_501),
        "te-twice": (post + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                     501, BODY_501),
    }[kind]


@pytest.mark.parametrize("kind", MALFORMED)
def test_malformed_refused_and_closed(shared, kind):
    """Each gets its JSON status at once (never the idle timeout) and a closed connection."""
    _, cred = shared.pool[3]
    request, status, body = malformed(kind, cred)
    strict_case(shared, request, status=status, body=body)


def test_malformed_refused_over_plain_http(make_server):
    s = make_server()
    cred = s.account_with_secret("plain")
    s.start("--rate-limit", "0", tls=False)
    for kind in MALFORMED:
        request, status, body = malformed(kind, cred)
        strict_case(None, request, status=status, body=body, server=s)


def test_nul_in_path_changes_nothing(shared):
    """POST /dev/v1/reset_signkey%00.json is not /dev/v1/reset_signkey: the key stays."""
    _, cred = shared.take()
    p = shared.s.create(cred, "nulpath")
    body = json.dumps({"id": p["id"]}).encode()
    strict_case(shared, (b"POST /dev/v1/reset_signkey%00.json HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                         auth_line(cred).encode() + b"Content-Type: application/json\r\n" +
                         f"Content-Length: {len(body)}\r\n\r\n".encode() + body))
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert items[0]["sign_key"] == p["sign_key"]


def test_query_names_are_case_sensitive(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "casename")
    r = shared.s.request("GET", f"/dev/v1/project?ID={p['id']}", cred=cred)
    expect(r, 400, b'{"status":"error","message":"id or name is required"}')
    items = project_list(shared.s.request("GET", f"/dev/v1/project?id={p['id']}", cred=cred))
    assert [x["name"] for x in items] == ["casename"]
    # A name cut at an encoded NUL would find "x": the whole query is refused instead.
    shared.s.create(cred, "x")
    expect(shared.s.request("GET", "/dev/v1/project?name=x%00junk", cred=cred), 400,
           BODY_BAD_REQUEST)


def head_and_get(s, path, headers=b""):
    """The raw bytes of HEAD path, then of GET path, each on a connection the client closes
    with its request (so that every byte the server sends is read)."""
    out = []
    for method in (b"HEAD", b"GET"):
        c = s.raw()
        try:
            c.send(method + b" " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                   headers + b"Connection: close\r\n\r\n")
            assert c.closed_by_peer(), f"{method} {path}: connection left open"
            out.append(c.buf)
        finally:
            c.close()
    return out


@pytest.mark.parametrize("path,authed", [
    ("/dev/v1/projects", True), ("/dev/v1/project?name=headproj", True),
    ("/console/", False), ("/console/console.js", False), ("/console/api/session", False),
    ("/auth/verify", True), ("/dev/v1/projects", False),
])
def test_head_on_every_get_route(shared, path, authed):
    """Same status and headers as GET, Content-Length of the GET body, and no body at all."""
    _, cred = shared.pool[4]
    if authed and "headproj" in path and not any(
            x["name"] == "headproj"
            for x in project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))):
        shared.s.create(cred, "headproj")
    head, get = head_and_get(shared.s, path, auth_line(cred).encode() if authed else b"")
    h_head, _, rest = head.partition(b"\r\n\r\n")
    g = parse_response(get)
    assert g is not None
    g = g[0]
    assert rest == b"", f"HEAD {path} sent a body: {rest[:80]!r}"
    lines = h_head.decode("iso-8859-1").split("\r\n")
    assert lines[0].split(" ")[1] == str(g.status), (lines[0], g.status)
    fields = dict(line.split(": ", 1) for line in lines[1:])
    assert int(fields.get("Content-Length", "-1")) == len(g.body), (fields, len(g.body))
    assert len(g.body) > 0 or path == "/auth/verify"  # its answers have no body
    assert fields.get("Content-Type") == g.header("Content-Type")


def test_userinfo_never_logged(shared):
    _, cred = shared.pool[3]
    port = shared.s.port
    c = shared.s.raw()
    try:
        c.send((f"GET https://someone:Hunter2Secret@127.0.0.1:{port}/dev/v1/projects?uilog=1 "
                f"HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth_line(cred)}\r\n").encode())
        project_list(c.response())
        c.send((f"GET http://someone:Hunter2Secret@127.0.0.1/console/%00 HTTP/1.1\r\n"
                "Host: 127.0.0.1\r\n\r\n").encode())
        expect(c.response(), 400, BODY_BAD_REQUEST)
    finally:
        c.close()
    deadline = time.monotonic() + 5
    while True:  # restauthd writes its access log out about once a second
        text = shared.s.access_log.read_text("utf-8", "replace")
        whole = text[:text.rfind("\n") + 1]  # a line being written out may be cut short
        lines = [json.loads(x) for x in whole.splitlines() if x.strip()]
        if sum(e["path"] in ("/dev/v1/projects", "-") for e in lines) >= 2 and \
                any(e["path"] == "-" and e["status"] == 400 for e in lines):
            break
        assert time.monotonic() < deadline, "access-log lines not written"
        time.sleep(0.2)
    assert "Hunter2Secret" not in text and "someone" not in text and "uilog" not in text
