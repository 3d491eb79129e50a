# SPDX-License-Identifier: MIT
"""Basic authentication: accepted forms, every 401 variant, revocation, duplicate headers."""

import time

import pytest

from e2e_lib import (BODY_BAD_REQUEST, BODY_INVALID, BODY_UNAUTHORIZED, WWW_AUTH, b64, expect,
                     project_list, single_project)


def expect_401(resp, body):
    expect(resp, 401, body)
    values = resp.header_all("WWW-Authenticate")
    assert values == [WWW_AUTH], f"WWW-Authenticate {values!r} in {resp!r}"


def test_secret_file_pair_works(shared):
    r = shared.s.request("GET", "/dev/v1/projects", cred=shared.file_cred)
    project_list(r)
    r = shared.s.curl("GET", "/dev/v1/projects", user=shared.file_cred)
    project_list(r)


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/dev/v1/projects", None),
    ("GET", "/dev/v1/project?id=a&name=b", None),
    ("POST", "/dev/v1/project", {"name": "x", "enable_sign_key": True}),
    ("POST", "/dev/v1/project_status", {"id": "x", "status": 0}),
    ("POST", "/dev/v1/recording_config", {"id": "x", "recording_server": "1.1.1.1:1"}),
    ("POST", "/dev/v1/signkey", {"id": "x", "enable": True}),
    ("POST", "/dev/v1/reset_signkey", {"id": "x"}),
    ("DELETE", "/dev/v1/project", {"id": "x"}),
])
def test_missing_authorization(shared, method, path, body):
    expect_401(shared.s.request(method, path, body), BODY_UNAUTHORIZED)


def test_missing_authorization_curl(shared):
    expect_401(shared.s.curl("GET", "/dev/v1/projects"), BODY_UNAUTHORIZED)


@pytest.mark.parametrize("value", [
    "Bearer abcdef",
    "Digest username=\"x\", realm=\"restauth\"",
    "Negotiate YII=",
    "Token {b64pair}",
    "Basicx {b64pair}",
    "{b64pair}",
])
def test_other_scheme_is_unauthorized(shared, value):
    _, cred = shared.pool[0]
    value = value.replace("{b64pair}", b64(cred[0] + ":" + cred[1]))
    expect_401(shared.s.request("GET", "/dev/v1/projects", auth=value), BODY_UNAUTHORIZED)


@pytest.mark.parametrize("kind", [
    "bad-base64", "no-colon", "empty-id", "empty-secret", "missing-padding",
    "two-tokens", "trailing-garbage", "inner-space", "scheme-only",
])
def test_malformed_basic_is_invalid(shared, kind):
    _, (cid, sec) = shared.pool[0]
    good = b64(cid + ":" + sec)
    value = {
        "bad-base64": "Basic !!!not*base64!!!",
        "no-colon": "Basic " + b64(cid + sec),
        "empty-id": "Basic " + b64(":" + sec),
        "empty-secret": "Basic " + b64(cid + ":"),
        "missing-padding": "Basic " + good.rstrip("="),
        "two-tokens": "Basic " + good + " " + good,
        "trailing-garbage": "Basic " + good + "AAAA$",
        "inner-space": "Basic " + good[:10] + " " + good[10:],
        "scheme-only": "Basic ",
    }[kind]
    assert "=" in good  # the pair is 65 bytes, so the canonical form has padding
    expect_401(shared.s.request("GET", "/dev/v1/projects", auth=value), BODY_INVALID)


def test_wrong_pairs_are_invalid(shared):
    _, (cid, sec) = shared.pool[0]
    _, (cid2, sec2) = shared.pool[1]
    bad = [
        (cid, sec[:-1] + ("0" if sec[-1] != "0" else "1")),   # wrong secret
        (cid, sec + "0"),                                    # secret with an extra char
        (cid, sec[:-1]),                                     # truncated secret
        (cid, sec.upper()),                                  # case matters
        ("0" * 32, sec),                                     # unknown id
        (cid[:-1] + ("a" if cid[-1] != "a" else "b"), sec),  # unknown id, near miss
        (sec, cid),                                          # swapped
        (cid, sec2),                                         # another account's secret
        (cid2, sec),
        (cid, sec + ":" + sec),
    ]
    for pair in bad:
        expect_401(shared.s.request("GET", "/dev/v1/projects", cred=pair), BODY_INVALID)
    r = shared.s.curl("GET", "/dev/v1/projects", user=(cid, "nope"))
    expect_401(r, BODY_INVALID)
    # the genuine pair still works afterwards
    project_list(shared.s.request("GET", "/dev/v1/projects", cred=(cid, sec)))


@pytest.mark.parametrize("fmt", [
    "Basic {}", "basic {}", "BASIC {}", "bAsIc {}", "Basic     {}", "basic  {}",
])
def test_accepted_scheme_forms(shared, fmt):
    _, cred = shared.pool[2]
    value = fmt.format(b64(cred[0] + ":" + cred[1]))
    r = shared.s.request("GET", "/dev/v1/projects", auth=value)
    project_list(r)


def test_curl_and_python_clients_agree(shared):
    _, cred = shared.take()
    p = single_project(shared.s.curl("POST", "/dev/v1/project",
                                     {"name": "c1", "enable_sign_key": True}, user=cred), "c1")
    items_py = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    items_curl = project_list(shared.s.curl("GET", "/dev/v1/projects", user=cred))
    assert items_py == items_curl == [dict(p)]


def test_new_pair_accepted_and_deleted_pair_rejected_within_1s(shared):
    name, first = shared.take()
    second = shared.s.add_secret(name)
    r = shared.s.wait_auth_ok(second, timeout=3.0)
    project_list(r)
    cp = shared.s.cli("secret", "delete", second[0])
    assert cp.returncode == 0, cp.stderr
    t0 = time.monotonic()
    while True:
        r = shared.s.request("GET", "/dev/v1/projects", cred=second)
        if r.status == 401:
            break
        assert r.status == 201, r
        assert time.monotonic() - t0 < 1.25, "deleted pair still accepted after 1 s"
        time.sleep(0.05)
    expect_401(r, BODY_INVALID)
    # a fresh connection too (no per-connection auth caching)
    shared.s.close_conn()
    expect_401(shared.s.request("GET", "/dev/v1/projects", cred=second), BODY_INVALID)
    expect_401(shared.s.curl("GET", "/dev/v1/projects", user=second), BODY_INVALID)
    # the account's other pair is unaffected
    project_list(shared.s.request("GET", "/dev/v1/projects", cred=first))


def test_two_authorization_headers(shared):
    _, cred = shared.pool[3]
    v = "Basic " + b64(cred[0] + ":" + cred[1])
    for second in (v, "Basic " + b64(cred[0] + ":wrong")):
        c = shared.s.raw()
        try:
            c.send(("GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: {v}\r\nAuthorization: {second}\r\n\r\n").encode())
            r = c.response()
            assert r is not None, "no response to two Authorization headers"
            expect(r, 400, BODY_BAD_REQUEST)
            assert c.closed_by_peer(), "connection not closed after 400"
        finally:
            c.close()


def test_curl_explicit_authorization_header(shared):
    _, cred = shared.pool[4]
    token = b64(cred[0] + ":" + cred[1])
    for scheme in ("Basic", "basic"):
        r = shared.s.curl("GET", "/dev/v1/projects", headers=[f"Authorization: {scheme} {token}"])
        project_list(r)
    r = shared.s.curl("GET", "/dev/v1/projects", headers=[f"Authorization: Bearer {token}"])
    expect_401(r, BODY_UNAUTHORIZED)
    r = shared.s.curl("GET", "/dev/v1/projects",
                      headers=["Authorization: Basic " + b64(cred[0] + ":" + cred[1][::-1])])
    expect_401(r, BODY_INVALID)
