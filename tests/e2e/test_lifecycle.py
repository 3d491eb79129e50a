# SPDX-License-Identifier: MIT
"""Process lifecycle: clean exit on SIGTERM/SIGINT, durability across kill -9."""

import http.client
import signal
import threading
import time

from e2e_lib import HEX32, b64, project_list, single_project


def test_sigterm_exits_0(make_server):
    s = make_server()
    cred = s.account_with_secret("term")
    s.start("--rate-limit", "0")
    project_list(s.request("GET", "/dev/v1/projects", cred=cred))
    t0 = time.monotonic()
    assert s.stop(signal.SIGTERM) == 0
    assert time.monotonic() - t0 < 5


def test_sigint_exits_0(make_server):
    s = make_server()
    cred = s.account_with_secret("int")
    s.start("--rate-limit", "0")
    project_list(s.request("GET", "/dev/v1/projects", cred=cred))
    assert s.stop(signal.SIGINT) == 0


def test_sigterm_with_idle_keepalive_connection(make_server):
    s = make_server()
    cred = s.account_with_secret("idle")
    s.start("--rate-limit", "0")
    conn = http.client.HTTPSConnection("127.0.0.1", s.port, context=s.ctx, timeout=10)
    try:
        project_list(s.request("GET", "/dev/v1/projects", cred=cred, conn=conn))
        # the connection stays open and idle (idle timeout is 30 s by default)
        t0 = time.monotonic()
        rc = s.stop(signal.SIGTERM)
        assert rc == 0, rc
        assert time.monotonic() - t0 < 5, "SIGTERM waited for an idle keep-alive connection"
    finally:
        conn.close()


def test_sigterm_finishes_in_flight_request(make_server):
    s = make_server()
    cred = s.account_with_secret("inflight")
    s.start("--rate-limit", "0")
    body = b'{"name":"inflight","enable_sign_key":true}'
    c = s.raw(timeout=10)
    result = {}
    try:
        # send the head and half the body, signal, then complete the request
        head = ("POST /dev/v1/project HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Basic {b64(cred[0] + ':' + cred[1])}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        c.send(head + body[:10])
        time.sleep(0.3)
        proc = s.proc

        def waiter():
            try:
                result["rc"] = proc.wait(15)
            except Exception as e:  # noqa: BLE001
                result["rc"] = e

        proc.send_signal(signal.SIGTERM)
        t = threading.Thread(target=waiter)
        t.start()
        time.sleep(0.3)
        c.send(body[10:])
        r = c.response(timeout=8)
        t.join(20)
    finally:
        c.close()
        if s.proc is not None and s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()
        s.proc = None
    assert r is not None, "in-flight request got no response after SIGTERM"
    single_project(r, "inflight")
    assert result.get("rc") == 0, result


def test_kill9_durability(make_server):
    s = make_server()
    cred = s.account_with_secret("durable")
    created = []
    for i in range(5):
        s.start("--rate-limit", "0")
        items = project_list(s.request("GET", "/dev/v1/projects", cred=cred))
        got = {x["id"]: x for x in items}
        assert sorted(got) == sorted(p["id"] for p in created), \
            f"round {i}: projects lost or invented after kill -9: {items} vs {created}"
        for p in created:
            assert got[p["id"]]["sign_key"] == p["sign_key"], (got[p["id"]], p)
            assert got[p["id"]]["status"] == p["status"]
        # one create, and one update of the previous project, each acknowledged, then kill -9
        r = s.request("POST", "/dev/v1/project", {"name": f"dur{i}", "enable_sign_key": True},
                      cred=cred)
        p = single_project(r, f"dur{i}")
        if created:
            prev = created[-1]
            r = s.request("POST", "/dev/v1/reset_signkey", {"id": prev["id"]}, cred=cred)
            q = single_project(r)
            assert HEX32.match(q["sign_key"]) and q["sign_key"] != prev["sign_key"]
            created[-1] = q
        created.append(p)
        s.kill9()
    s.start("--rate-limit", "0")
    items = project_list(s.request("GET", "/dev/v1/projects", cred=cred))
    assert sorted((x["id"], x["sign_key"]) for x in items) == \
        sorted((p["id"], p["sign_key"]) for p in created)
