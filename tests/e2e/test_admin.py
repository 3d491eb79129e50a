# SPDX-License-Identifier: MIT
"""The admin listener (`serve --admin-listen`): /healthz, /readyz (ready, draining) and
/metrics, whose exposition `promtool check metrics` accepts and whose counters move by exactly
the requests sent. Readiness with the store unreachable is in test_pg_cluster.py."""

import re
import signal
import time

from e2e_lib import (BODY_AUTH_THROTTLE, BODY_RATE, admin_get, basic_value, check_metrics_text, free_port,
                     metric, parse_metrics, scrape, wait_tcp)


def start_with_admin(s, *extra):
    """Start s with an admin listener on a free port; returns that port once it answers."""
    port = free_port()
    s.start("--admin-listen", f"127.0.0.1:{port}", *extra)
    assert wait_tcp(port, s.proc, 10), s.stderr_text()[-2000:]
    return port


def test_healthz_and_readyz(make_server):
    s = make_server()
    port = start_with_admin(s)
    status, ctype, body = admin_get(port, "/healthz")
    assert (status, body) == (200, b'{"status":"ok"}'), body
    assert ctype == "application/json"
    status, _, body = admin_get(port, "/readyz")
    assert (status, body) == (200, b'{"status":"ready","failing":[]}'), body
    status, _, body = admin_get(port, "/nope")
    assert status == 404, body
    # The target is decoded as on the API port: a query is not part of the path, and a
    # malformed escape is refused.
    status, _, body = admin_get(port, "/healthz?probe=1")
    assert (status, body) == (200, b'{"status":"ok"}'), body
    status, _, body = admin_get(port, "/healthz%zz")
    assert status == 400, body
    # The admin port asks for no credentials, and the API port does not serve it.
    assert s.request("GET", "/metrics").status == 404


def test_metrics_count_exactly_what_was_sent(make_server):
    s = make_server()
    cred = s.account_with_secret("m")
    port = start_with_admin(s, "--rate-limit", "3", "--auth-fail-limit", "4")
    before = parse_metrics(scrape(port))
    sent = {"201": 0, "401": 0, "429rate": 0, "429auth": 0, "missing": 0}
    # Successes until the rate limit answers 429 a few times.
    while sent["429rate"] < 2:
        r = s.request("GET", "/dev/v1/projects", cred=cred)
        if r.status == 201:
            sent["201"] += 1
        else:
            assert r.status == 429 and r.body == BODY_RATE, r
            sent["429rate"] += 1
    # One request without credentials: 401, not charged to the throttle.
    assert s.request("GET", "/dev/v1/project?id=x").status == 401
    sent["missing"] += 1
    # Wrong secrets and unknown ids until the failure throttle answers 429 twice.
    wrong = (cred[0], "0" * 32)
    unknown = ("f" * 32, "0" * 32)
    kinds = {"wrong": 0, "unknown": 0}
    i = 0
    while sent["429auth"] < 2:
        kind = "wrong" if i % 2 == 0 else "unknown"
        r = s.request("GET", "/dev/v1/project?id=x", cred=wrong if kind == "wrong" else unknown)
        i += 1
        if r.status == 401:
            kinds[kind] += 1
        else:
            assert r.status == 429 and r.body == BODY_AUTH_THROTTLE, r
            sent["429auth"] += 1
    total = sent["201"] + sent["429rate"] + sent["missing"] + sum(kinds.values()) + \
        sent["429auth"]

    def delta(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    # A request is counted when its exchange is over, which may be just after the client has
    # read the answer: wait until every request sent is counted.
    deadline = time.monotonic() + 5
    while True:
        after_text = scrape(port)
        after = parse_metrics(after_text)
        count = delta("restauthd_http_request_duration_seconds_count")
        if count >= total or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    check_metrics_text(after_text)

    projects = {"route": "/dev/v1/projects", "method": "GET"}
    project = {"route": "/dev/v1/project", "method": "GET"}
    assert delta("restauthd_http_requests_total", code="201", **projects) == sent["201"]
    assert delta("restauthd_http_requests_total", code="429", **projects) == sent["429rate"]
    assert delta("restauthd_http_requests_total", code="401", **project) == \
        sent["missing"] + kinds["wrong"] + kinds["unknown"]
    assert delta("restauthd_http_requests_total", code="429", **project) == sent["429auth"]
    assert delta("restauthd_rate_limited_total") == sent["429rate"]
    assert delta("restauthd_auth_failures_total", reason="missing") == sent["missing"]
    assert delta("restauthd_auth_failures_total", reason="wrong_secret") == kinds["wrong"]
    assert delta("restauthd_auth_failures_total", reason="unknown_id") == kinds["unknown"]
    assert delta("restauthd_auth_failures_total", reason="throttled") == sent["429auth"]
    assert delta("restauthd_auth_failures_total", reason="malformed") == 0
    assert count == total
    assert delta("restauthd_http_request_duration_seconds_bucket", le="+Inf") == total
    assert metric(after, "restauthd_tls_handshakes_total") >= 1
    assert metric(after, "restauthd_connections_total", tls="true") >= 1
    assert metric(after, "restauthd_credentials_loaded") == 1
    assert metric(after, "restauthd_build_info", store="sqlite", version=None) == 1
    assert metric(after, "restauthd_store_up") == 1
    assert metric(after, "restauthd_draining") == 0


def test_no_metrics_counts_nothing(make_server):
    s = make_server()
    cred = s.account_with_secret("n")
    port = start_with_admin(s, "--no-metrics")
    assert s.request("GET", "/dev/v1/projects", cred=cred).status == 201
    text = scrape(port)
    check_metrics_text(text)
    got = parse_metrics(text)
    assert not any(name == "restauthd_http_requests_total" for name, _ in got), text
    assert metric(got, "restauthd_credentials_loaded") == 1


def test_readyz_says_draining_during_shutdown(make_server):
    s = make_server()
    cred = s.account_with_secret("d")
    port = start_with_admin(s)
    # A request in flight: its body is announced and never completed, so the drain waits.
    conn = s.raw()
    auth = basic_value(cred).encode()
    assert conn.send(b"POST /dev/v1/project HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth +
                     b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
    time.sleep(0.2)
    s.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 5
    while True:
        status, _, body = admin_get(port, "/readyz")
        if status == 503 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert (status, body) == (503, b'{"status":"not ready","failing":["draining"]}'), body
    assert admin_get(port, "/healthz")[0] == 200  # still alive while it drains
    conn.close()
    assert s.stop() == 0


def test_lifecycle_refusals_counted_by_reason(make_server):
    """Disabled, expired and tripwire pairs get a wrong secret's 401, but /metrics tells them
    apart."""
    s = make_server()
    s.add_account("r")

    def pair(*extra):
        cp = s.cli("secret", "add", "--account", "r", *extra)
        assert cp.returncode == 0, cp.stderr
        return tuple(re.search(rf"^customer_{k}: ([0-9a-f]{{32}})$", cp.stdout, re.M).group(1)
                     for k in ("id", "secret"))

    live, off = pair(), pair()
    expired = pair("--expires-at", "2001-01-01T00:00:00Z")
    trip = pair("--tripwire")
    assert s.cli("secret", "disable", off[0]).returncode == 0
    port = start_with_admin(s, "--rate-limit", "0", "--auth-fail-limit", "0")
    before = parse_metrics(scrape(port))
    sent = {"disabled": (off, 2), "expired": (expired, 3), "tripwire": (trip, 1),
            "wrong_secret": ((live[0], "0" * 32), 4)}
    for cred, times in sent.values():
        for _ in range(times):
            assert s.request("GET", "/dev/v1/projects", cred=cred).status == 401
    deadline = time.monotonic() + 5
    while True:
        after = parse_metrics(scrape(port))
        got = {k: metric(after, "restauthd_auth_failures_total", reason=k) -
               metric(before, "restauthd_auth_failures_total", reason=k) for k in sent}
        if got == {k: n for k, (_, n) in sent.items()} or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert got == {k: n for k, (_, n) in sent.items()}, got
