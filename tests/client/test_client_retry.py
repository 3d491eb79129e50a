# SPDX-License-Identifier: MIT
"""Retries, back-off, Retry-After, host failover and transport failures (retry_e2e.c, under
valgrind or AddressSanitizer) against the fake API server on 127.0.0.1, plus one failover
onto a real restauthd. Each test checks its scenario's verdict and what the server saw."""

import json
import uuid

import pytest

from client_helpers import basic, clean_env, prog_path, run

FAKE_CRED = ("fake-id", "fake-secret")


@pytest.fixture(scope="module")
def outcome(fake, server, pki):
    """Run every scenario once; returns (stdout, token)."""
    path, _ = server.account("retry")
    token = uuid.uuid4().hex[:12]
    env = clean_env(RA_TOKEN=token, RA_FAKE_HTTPS_PORT=fake.https, RA_FAKE_HTTP_PORT=fake.plain,
                    RA_FAKE_WRONG_PORT=fake.wrongcert, RA_FAKE_RESET_PORT=fake.hangup,
                    RA_CLOSED_PORT=fake.closed, RA_REAL_PORT=server.port, RA_CRED_FILE=path,
                    RESTAUTH_CA_FILE=pki.ca)
    cp = run([prog_path("retry_e2e")], env, timeout=240, check_leaks=True)
    return cp, token


def verdict(outcome, name):
    cp, _ = outcome
    lines = cp.stdout.splitlines()
    assert f"ok {name}" in lines, f"scenario {name} failed:\n{cp.stdout}\n{cp.stderr}"


def hits(fake, outcome, label):
    return fake.get(outcome[1], label)


def test_program_clean(outcome):
    """No failed check, and (under valgrind or ASan) no leak or memory error."""
    cp, _ = outcome
    assert cp.returncode == 0, f"retry_e2e exited {cp.returncode}:\n{cp.stdout}\n{cp.stderr}"
    assert "not ok" not in cp.stdout
    assert sum(1 for line in cp.stdout.splitlines() if line.startswith("ok ")) == 29


def test_429_then_201(fake, outcome):
    verdict(outcome, "rate_then_ok")
    h = hits(fake, outcome, "rate")
    assert len(h) == 3
    assert all(x.auth == basic(FAKE_CRED) for x in h)
    assert all(x.method == "GET" and x.path == "/dev/v1/projects" for x in h)
    # The schedule is 10 ms then 20 ms: the attempts are spaced at least that far apart.
    assert h[1].time - h[0].time >= 0.009 and h[2].time - h[1].time >= 0.019


def test_retry_after(fake, outcome):
    verdict(outcome, "retry_after_honoured")
    h = hits(fake, outcome, "ra1")
    assert len(h) == 2 and h[1].time - h[0].time >= 0.99
    verdict(outcome, "retry_after_too_long")
    assert len(hits(fake, outcome, "ra5")) == 1


def test_retries_run_out(fake, outcome):
    verdict(outcome, "rate_exhausted")
    assert len(hits(fake, outcome, "rate-x")) == 3
    verdict(outcome, "backoff_schedule")
    assert len(hits(fake, outcome, "sched")) == 4


def test_server_errors(fake, outcome):
    verdict(outcome, "server_errors_then_ok")
    assert len(hits(fake, outcome, "5xx")) == 3


def test_dropped_connections(fake, outcome):
    verdict(outcome, "drop_get_retried")
    assert len(hits(fake, outcome, "drop-get")) == 2
    verdict(outcome, "drop_create_not_retried")
    assert len(hits(fake, outcome, "drop-create")) == 1
    verdict(outcome, "drop_create_allowed")
    assert len(hits(fake, outcome, "drop-create-ok")) == 2


def test_unsafe_calls_policy(fake, outcome):
    verdict(outcome, "server_error_create_not_retried")
    assert len(hits(fake, outcome, "5xx-create")) == 1
    verdict(outcome, "rate_create_retried")
    assert len(hits(fake, outcome, "rate-create")) == 2
    verdict(outcome, "rate_create_never")
    assert len(hits(fake, outcome, "rate-never")) == 1
    verdict(outcome, "unsafe_calls")
    for label, n in (("reset", 1), ("delete", 1), ("raw-post", 1), ("status", 2),
                     ("signkey", 2), ("recording", 2), ("raw-get", 2)):
        assert len(hits(fake, outcome, label)) == n, label


def test_refused_and_failover(fake, outcome):
    verdict(outcome, "refused")
    verdict(outcome, "refused_create_fails_over")
    assert len(hits(fake, outcome, "create-alt")) == 1
    verdict(outcome, "network_skips_alternate")
    assert len(hits(fake, outcome, "net-alt")) == 0
    assert len(hits(fake, outcome, "net-reg")) == 1
    verdict(outcome, "dns_uses_alternate")
    assert len(hits(fake, outcome, "dns-alt")) == 1
    assert len(hits(fake, outcome, "dns-reg")) == 0
    verdict(outcome, "server_errors_fail_over")
    assert [len(hits(fake, outcome, x)) for x in ("5xx-p", "5xx-alt", "5xx-reg")] == [2, 1, 1]
    verdict(outcome, "rate_stays")
    assert len(hits(fake, outcome, "rate-p")) == 2
    assert len(hits(fake, outcome, "rate-alt")) == 0
    verdict(outcome, "failover_off")
    assert len(hits(fake, outcome, "off-alt")) + len(hits(fake, outcome, "off-reg")) == 0


def test_failover_onto_real_server(outcome):
    verdict(outcome, "real_server_failover")


def test_transport_failures(outcome):
    verdict(outcome, "reset_connection")
    verdict(outcome, "timeout")
    verdict(outcome, "wrong_cert")


def test_plain_http_only_to_loopback(fake, outcome):
    verdict(outcome, "plain_http_loopback")
    h = hits(fake, outcome, "plain")
    assert len(h) == 1 and h[0].auth == basic(FAKE_CRED)


def test_bad_answers_not_retried(fake, outcome):
    verdict(outcome, "not_json")
    assert len(hits(fake, outcome, "garbage")) == 1
    verdict(outcome, "too_big")
    assert len(hits(fake, outcome, "big")) == 1
    verdict(outcome, "auth_not_retried")
    assert len(hits(fake, outcome, "auth")) == 1


def test_request_shapes(fake, outcome):
    """Method, path, query encoding, Content-Type and JSON body (in field order) of each call."""
    verdict(outcome, "request_shapes")
    h = hits(fake, outcome, "shapes")
    got = [(x.method, x.path, x.body.decode("utf-8")) for x in h]
    assert got == [
        ("POST", "/dev/v1/project", '{"name":"n\\"q\u00e9","enable_sign_key":true}'),
        ("GET", "/dev/v1/project?id=a%20b&name=x%26y%3Dz", ""),
        ("GET", "/dev/v1/project?name=only", ""),
        ("GET", "/dev/v1/projects", ""),
        ("POST", "/dev/v1/project_status", '{"id":"i","status":0}'),
        ("POST", "/dev/v1/recording_config", '{"id":"i","recording_server":"1.2.3.4:5"}'),
        ("POST", "/dev/v1/signkey", '{"id":"i","enable":false}'),
        ("POST", "/dev/v1/reset_signkey", '{"id":"i"}'),
        ("DELETE", "/dev/v1/project", '{"id":"i"}'),
    ]
    for x in h:
        assert x.content_type == "application/json"
        assert x.auth == basic(FAKE_CRED)
        if x.body:
            json.loads(x.body)
