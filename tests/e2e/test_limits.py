# SPDX-License-Identifier: MIT
"""Per-account per-endpoint rate limiting and the per-IP failed-authentication throttle."""

import time

from e2e_lib import (BODY_AUTH_THROTTLE, BODY_INVALID, BODY_RATE, BODY_UNAUTHORIZED, expect,
                     project_list,
                     single_project)


def burst(s, n, method, path, cred, body=None):
    out = []
    for _ in range(n):
        out.append(s.request(method, path, body, cred=cred))
    return out


def test_rate_limit_per_endpoint_and_account(make_server):
    s = make_server()
    a = s.account_with_secret("ratea")
    b = s.account_with_secret("rateb")
    s.start("--rate-limit", "5", "--auth-fail-limit", "0")
    # A window opens at the first request, whenever that is: no waiting for a second to start.
    t0 = time.monotonic()
    rs = burst(s, 8, "GET", "/dev/v1/projects", a)
    elapsed = time.monotonic() - t0
    assert elapsed < 1.0, f"the burst took {elapsed:.2f} s, longer than one window"
    assert [r.status for r in rs] == [201] * 5 + [429] * 3, [r.status for r in rs]
    for r in rs[5:]:
        expect(r, 429, BODY_RATE)
        assert r.header("Retry-After") == "1", r
    for r in rs[:5]:
        project_list(r)
    # another endpoint of the same account still has its own budget
    r = s.request("POST", "/dev/v1/project", {"name": "other-endpoint", "enable_sign_key": True},
                  cred=a)
    single_project(r, "other-endpoint")
    # another account on the same endpoint is unaffected
    project_list(s.request("GET", "/dev/v1/projects", cred=b))
    # and the limited endpoint recovers after the window
    time.sleep(1.1)
    assert len(project_list(s.request("GET", "/dev/v1/projects", cred=a))) == 1


def test_rate_limit_with_curl(make_server):
    s = make_server()
    a = s.account_with_secret("ratec")
    s.start("--rate-limit", "2", "--auth-fail-limit", "0")
    t0 = time.monotonic()
    rs = [s.curl("GET", "/dev/v1/projects", user=a) for _ in range(4)]
    elapsed = time.monotonic() - t0
    assert elapsed < 1.0, f"four curl calls took {elapsed:.2f} s, longer than one window"
    assert [r.status for r in rs] == [201, 201, 429, 429], rs
    for r in rs[2:]:
        expect(r, 429, BODY_RATE)
        assert r.header("Retry-After") == "1"


def test_rate_limit_off(make_server):
    s = make_server()
    a = s.account_with_secret("rateoff")
    s.start("--rate-limit", "0", "--auth-fail-limit", "0")
    rs = burst(s, 40, "GET", "/dev/v1/projects", a)
    assert [r.status for r in rs] == [201] * 40


def test_default_rate_limit_is_10(make_server):
    s = make_server()
    a = s.account_with_secret("ratedef")
    s.start("--auth-fail-limit", "0")
    t0 = time.monotonic()
    rs = burst(s, 13, "GET", "/dev/v1/projects", a)
    elapsed = time.monotonic() - t0
    assert elapsed < 1.0, f"the burst took {elapsed:.2f} s, longer than one window"
    assert [r.status for r in rs] == [201] * 10 + [429] * 3, [r.status for r in rs]


def test_failed_auth_throttle(make_server):
    s = make_server()
    good = s.account_with_secret("victim")
    s.start("--auth-fail-limit", "5", "--rate-limit", "0")
    # no failures yet: the correct pair is served
    project_list(s.request("GET", "/dev/v1/projects", cred=good))
    wrong = (good[0], "f" * 32 if good[1] != "f" * 32 else "e" * 32)
    rs = [s.request("GET", "/dev/v1/projects", cred=wrong) for _ in range(12)]
    statuses = [r.status for r in rs]
    assert statuses == [401] * 5 + [429] * 7, statuses
    for r in rs[:5]:
        expect(r, 401, BODY_INVALID)
    for r in rs[5:]:
        expect(r, 429, BODY_AUTH_THROTTLE)
        ra = r.header("Retry-After")
        assert ra is not None and ra.isdigit() and 1 <= int(ra) <= 60, r
        assert r.header("Connection") == "close", r  # a guesser pays a new connection
    # curl from the same IP is throttled too
    r = s.curl("GET", "/dev/v1/projects", user=wrong)
    expect(r, 429, BODY_AUTH_THROTTLE)
    assert r.header("Retry-After") is not None
    # but the right pair from the same address always goes through
    project_list(s.request("GET", "/dev/v1/projects", cred=good))
    project_list(s.curl("GET", "/dev/v1/projects", user=good))
    # and a request without credentials is not a failure: 401, not 429
    expect(s.request("GET", "/dev/v1/projects"), 401, BODY_UNAUTHORIZED)


def test_fewer_failures_than_limit_not_throttled(make_server):
    s = make_server()
    good = s.account_with_secret("fresh")
    s.start("--auth-fail-limit", "5", "--rate-limit", "0")
    wrong = (good[0], "0" * 32)
    for _ in range(4):
        expect(s.request("GET", "/dev/v1/projects", cred=wrong), 401, BODY_INVALID)
    project_list(s.request("GET", "/dev/v1/projects", cred=good))
    project_list(s.curl("GET", "/dev/v1/projects", user=good))
