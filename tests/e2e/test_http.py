# SPDX-License-Identifier: MIT
"""HTTP layer: routing, media type, size limits, strict RFC 9112 parsing, keep-alive, TLS."""

import json
import ssl
import subprocess
import time
import http.client

import pytest

from e2e_lib import (BODY_415, BODY_BAD_REQUEST, BODY_HDR_TOO_LARGE, BODY_NO_ROUTE,
                     BODY_TOO_LARGE, b64, basic_value, expect, project_list, single_project)


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


def strict_case(shared, request, json_body=True):
    """The request gets 400 and the connection is closed. Request lines that libmicrohttpd
    cannot parse never reach restauthd: those get the engine's own 400 page (json_body=False)."""
    c = shared.s.raw()
    try:
        c.send(request)
        r = c.response()
        assert r is not None, f"no response to {request!r}"
        if json_body:
            expect(r, 400, BODY_BAD_REQUEST)
        else:
            assert r.status == 400, f"{r.status} for {request!r}"
        assert c.closed_by_peer(), f"connection left open after 400 for {request!r}"
    finally:
        c.close()


@pytest.mark.parametrize("kind", ["no-host", "space-before-colon", "two-content-lengths",
                                  "cl-and-te", "garbage-line", "garbage-binary",
                                  "bad-version"])
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
    }[kind]
    strict_case(shared, req, json_body=kind not in ("garbage-line", "garbage-binary",
                                                    "bad-version"))
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
