# SPDX-License-Identifier: MIT
"""Per-account per-endpoint rate limiting and the per-IP failed-authentication throttle."""

import time

from e2e_lib import (BODY_AUTH_THROTTLE, BODY_INVALID, BODY_RATE, expect, project_list,
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
    time.sleep(1.1)  # start from a clean one-second window
    t0 = time.monotonic()
    rs = burst(s, 20, "GET", "/dev/v1/projects", a)
    elapsed = time.monotonic() - t0
    ok = [r for r in rs if r.status == 201]
    limited = [r for r in rs if r.status == 429]
    assert len(ok) + len(limited) == 20, rs
    assert limited, "20 requests at --rate-limit 5 were never limited"
    # 5 per second: at least one second's worth, at most what the elapsed windows allow
    assert 5 <= len(ok) <= 5 * (int(elapsed) + 2), \
        f"{len(ok)} of 20 passed at --rate-limit 5 in {elapsed:.2f} s"
    for r in limited:
        expect(r, 429, BODY_RATE)
        assert r.header("Retry-After") == "1", r
    for r in ok:
        project_list(r)
    # another endpoint of the same account still has its own budget
    r = s.request("POST", "/dev/v1/project", {"name": "other-endpoint", "enable_sign_key": True},
                  cred=a)
    single_project(r, "other-endpoint")
    # another account on the same endpoint is unaffected
    project_list(s.request("GET", "/dev/v1/projects", cred=b))
    # and the limited endpoint recovers after the window
    time.sleep(1.2)
    assert len(project_list(s.request("GET", "/dev/v1/projects", cred=a))) == 1


def test_rate_limit_with_curl(make_server):
    s = make_server()
    a = s.account_with_secret("ratec")
    s.start("--rate-limit", "2", "--auth-fail-limit", "0")
    time.sleep(1.1)
    codes = []
    for _ in range(8):
        r = s.curl("GET", "/dev/v1/projects", user=a)
        codes.append(r.status)
        if r.status == 429:
            expect(r, 429, BODY_RATE)
            assert r.header("Retry-After") == "1"
    assert 429 in codes and 201 in codes, codes


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
    time.sleep(1.1)
    t0 = time.monotonic()
    rs = burst(s, 40, "GET", "/dev/v1/projects", a)
    elapsed = time.monotonic() - t0
    ok = sum(r.status == 201 for r in rs)
    assert sum(r.status == 429 for r in rs) + ok == 40
    assert 10 <= ok <= 10 * (int(elapsed) + 2) and ok < 40, \
        f"{ok} of 40 passed with the default limit in {elapsed:.2f} s"


def test_failed_auth_throttle(make_server):
    s = make_server()
    good = s.account_with_secret("victim")
    s.start("--auth-fail-limit", "5", "--rate-limit", "0")
    # no failures yet: the correct pair is served
    project_list(s.request("GET", "/dev/v1/projects", cred=good))
    wrong = (good[0], "f" * 32 if good[1] != "f" * 32 else "e" * 32)
    rs = [s.request("GET", "/dev/v1/projects", cred=wrong) for _ in range(12)]
    statuses = [r.status for r in rs]
    assert statuses[:5] == [401] * 5, statuses
    assert statuses[-3:] == [429] * 3, statuses
    for r in rs[:5]:
        expect(r, 401, BODY_INVALID)
    for r in rs:
        if r.status == 429:
            expect(r, 429, BODY_AUTH_THROTTLE)
            ra = r.header("Retry-After")
            assert ra is not None and ra.isdigit() and 1 <= int(ra) <= 60, r
    # curl from the same IP is throttled too
    r = s.curl("GET", "/dev/v1/projects", user=wrong)
    expect(r, 429, BODY_AUTH_THROTTLE)
    assert r.header("Retry-After") is not None


def test_fewer_failures_than_limit_not_throttled(make_server):
    s = make_server()
    good = s.account_with_secret("fresh")
    s.start("--auth-fail-limit", "5", "--rate-limit", "0")
    wrong = (good[0], "0" * 32)
    for _ in range(4):
        expect(s.request("GET", "/dev/v1/projects", cred=wrong), 401, BODY_INVALID)
    project_list(s.request("GET", "/dev/v1/projects", cred=good))
    project_list(s.curl("GET", "/dev/v1/projects", user=good))
