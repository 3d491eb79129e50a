# SPDX-License-Identifier: MIT
"""Secrets never reach the database, the access log or stderr; the access log format."""

import base64
import http.client
import json
import os
import re
import time

from e2e_lib import b64, expect, project_list, single_project


def needles(cid, secret):
    """Encodings of a secret that must never be stored or logged."""
    raw = bytes.fromhex(secret) if re.fullmatch(r"[0-9a-f]+", secret) and len(secret) % 2 == 0 \
        else None
    out = {
        "secret": secret.encode(),
        "SECRET": secret.upper().encode(),
        "hex(secret)": secret.encode().hex().encode(),
        "b64(secret)": base64.b64encode(secret.encode()),
        "id:secret": f"{cid}:{secret}".encode(),
        "b64(id:secret)": b64(f"{cid}:{secret}").encode(),
        "b64(id:secret) unpadded": b64(f"{cid}:{secret}").rstrip("=").encode(),
    }
    if raw is not None:
        out["raw(secret)"] = raw
        out["b64(raw)"] = base64.b64encode(raw).rstrip(b"=")
    return out


def leaks(files, secrets):
    found = []
    for f in files:
        if not os.path.exists(f):
            continue
        data = open(f, "rb").read()
        for cid, secret in secrets:
            for label, needle in needles(cid, secret).items():
                if needle in data:
                    found.append(f"{label} of {cid} in {os.path.basename(f)}")
    return found


def attempt(s, *args, **kw):
    """A request whose outcome this test does not judge (a dropped connection is fine)."""
    try:
        return s.request(*args, **kw)
    except (OSError, http.client.HTTPException, AssertionError):
        s.close_conn()
        return None


def exercise(s, creds, wrong):
    """Many requests, successful and failed, through curl, http.client and raw sockets."""
    a, a2, b = creds
    p = s.create(a, "leak-check")
    for cred in (a, a2, b):
        project_list(s.request("GET", "/dev/v1/projects", cred=cred))
        project_list(s.curl("GET", "/dev/v1/projects", user=cred))
        attempt(s, "POST", "/dev/v1/signkey", {"id": p["id"], "enable": False}, cred=cred)
        attempt(s, "GET", "/dev/v1/nope", cred=cred)
        attempt(s, "POST", "/dev/v1/project", "{bad json", cred=cred)
        attempt(s, "POST", "/dev/v1/project", {"name": "x", "enable_sign_key": True},
                cred=cred, ctype="text/plain")
        attempt(s, "POST", "/dev/v1/project", {"name": "y", "enable_sign_key": True},
                auth="Basic " + b64(f"{cred[0]}:{cred[1]}x"))
    single_project(s.request("POST", "/dev/v1/reset_signkey", {"id": p["id"]}, cred=a))
    for cid, secret in wrong:
        expect(s.request("GET", "/dev/v1/projects", cred=(cid, secret)), 401)
        expect(s.curl("GET", "/dev/v1/projects", user=(cid, secret)), 401)
    for cid, secret in (a, a2, b):
        # the right secret paired with the wrong id, the secret as the id, malformed forms
        expect(s.request("GET", "/dev/v1/projects", cred=("0" * 32, secret)), 401)
        expect(s.request("GET", "/dev/v1/projects", cred=(secret, secret)), 401)
        expect(s.request("GET", "/dev/v1/projects", auth="Basic " + b64(cid + secret)), 401)
        expect(s.request("GET", "/dev/v1/projects",
                         auth="Basic " + b64(f"{cid}:{secret}").rstrip("=")), 401)
        expect(s.request("GET", "/dev/v1/projects", auth="Bearer " + secret), 401)
        c = s.raw()
        try:
            v = "Basic " + b64(f"{cid}:{secret}")
            c.send((f"GET /dev/v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: {v}\r\n"
                    f"Authorization: {v}\r\n\r\n").encode())
            c.response()
        finally:
            c.close()
        c = s.raw()
        try:
            c.send((f"GET /dev/v1/projects HTTP/1.1\r\nHost: x\r\n"
                    f"X-Secret : {secret}\r\n\r\n").encode())
            c.response()
        finally:
            c.close()


def test_secrets_absent_from_store_logs_and_stderr(make_server):
    s = make_server()
    s.add_account("alice")
    a = s.add_secret("alice", out=s.dir / "alice.txt")
    a2 = s.add_secret("alice")
    s.add_account("bob")
    b = s.add_secret("bob")
    wrong = [(a[0], os.urandom(16).hex()), (os.urandom(16).hex(), os.urandom(16).hex())]
    s.start("--rate-limit", "0", "--auth-fail-limit", "0")
    exercise(s, (a, a2, b), wrong)
    # delete a pair while running; its secret must not linger either
    cp = s.cli("secret", "delete", a2[0])
    assert cp.returncode == 0
    time.sleep(0.6)
    files = [s.db, f"{s.db}-wal", f"{s.db}-shm", f"{s.db}-journal", f"{s.db}.key",
             s.access_log, s.stderr_path, s.stdout_path]
    everything = [a, a2, b] + wrong
    found = leaks(files, everything)
    assert not found, found
    assert s.stop() == 0
    found = leaks(files, everything)
    assert not found, found
    text = "\n".join(s.cli_stderr)
    assert not [sec for _, sec in everything if sec in text]
    # the access log is non-trivial (the check above looked at real content)
    assert s.access_log.stat().st_size > 1000
    log = s.access_log.read_text("utf-8", "replace").lower()
    assert "authorization" not in log and "basic " not in log


KEY_REQ_ID = re.compile(r"req|rid|request", re.I)
KEY_CUSTOMER = re.compile(r"customer|cid|client_id|key", re.I)
KEY_MICROS = re.compile(r"(^|_)(us|usec|micros?|microseconds)$|^us_|micro|dur|latency|elapsed",
                        re.I)
KEY_TIME = re.compile(r"^(time|ts|timestamp|@timestamp|t|date|datetime)$", re.I)
KEY_PATH = re.compile(r"path|uri|url|target", re.I)


def find(obj, pattern, pred=lambda v: True):
    return [(k, v) for k, v in obj.items() if pattern.search(k) and pred(v)]


def plausible_time(v):
    now = time.time()
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return any(abs(v / m - now) < 600 for m in (1, 1e3, 1e6, 1e9))
    if isinstance(v, str):
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})", v)
        return bool(m) and abs(int(m.group(1)) - time.gmtime().tm_year) <= 1
    return False


def test_access_log_json_lines(make_server):
    s = make_server()
    a = s.account_with_secret("logger")
    s.start("--rate-limit", "0", "--auth-fail-limit", "0")
    expected = []
    project_list(s.request("GET", "/dev/v1/projects", cred=a))
    expected.append(("GET", "/dev/v1/projects", 201, a[0]))
    p = s.create(a, "logged")
    expected.append(("POST", "/dev/v1/project", 201, a[0]))
    expect(s.request("GET", "/dev/v2/none", cred=a), 404)
    expected.append(("GET", "/dev/v2/none", 404, None))
    expect(s.request("GET", "/dev/v1/projects", cred=(a[0], "1" * 32)), 401)
    expected.append(("GET", "/dev/v1/projects", 401, None))
    expect(s.request("GET", "/dev/v1/projects"), 401)
    expected.append(("GET", "/dev/v1/projects", 401, None))
    expect(s.curl("DELETE", "/dev/v1/project", {"id": p["id"]}, user=a), 200)
    expected.append(("DELETE", "/dev/v1/project", 200, a[0]))
    assert s.stop() == 0
    lines = s.access_log.read_text("utf-8").splitlines()
    objs = []
    for line in lines:
        obj = json.loads(line)  # every line is one JSON object
        assert isinstance(obj, dict), line
        objs.append(obj)
    assert len(objs) >= len(expected), lines
    # match the requests in order
    it = iter(objs)
    matched = []
    for method, path, status, cid in expected:
        for obj in it:
            vals = list(obj.values())
            if method in vals and status in vals and \
                    any(isinstance(v, str) and v.split("?")[0] == path for v in vals):
                matched.append((obj, method, path, status, cid))
                break
        else:
            raise AssertionError(f"no access log line for {method} {path} {status}: {lines}")
    req_ids = []
    for obj, method, path, status, cid in matched:
        assert find(obj, re.compile("method", re.I), lambda v: v == method), obj
        assert find(obj, KEY_PATH, lambda v: isinstance(v, str) and v.split("?")[0] == path), obj
        assert find(obj, re.compile("status", re.I), lambda v: v == status), obj
        assert find(obj, KEY_TIME, plausible_time), f"no time field: {obj}"
        micros = find(obj, KEY_MICROS, lambda v: type(v) is int and v >= 0)
        assert micros, f"no microseconds field: {obj}"
        rid = find(obj, KEY_REQ_ID, lambda v: isinstance(v, (str, int)) and v != "")
        assert rid, f"no request id field: {obj}"
        req_ids.append(rid[0][1])
        cust = find(obj, KEY_CUSTOMER)
        assert cust, f"no customer id field: {obj}"
        if cid is not None:
            assert any(v == cid for _, v in cust), obj
    assert len(set(map(str, req_ids))) == len(req_ids), f"request ids not unique: {req_ids}"
    assert "authorization" not in s.access_log.read_text("utf-8").lower()


def test_access_log_default_stdout_and_off(make_server):
    s = make_server()
    a = s.account_with_secret("stdoutlog")
    s.start("--rate-limit", "0", access_log=False)
    project_list(s.request("GET", "/dev/v1/projects", cred=a))
    assert s.stop() == 0
    lines = [json.loads(x) for x in s.stdout_path.read_text("utf-8").splitlines() if x.strip()]
    assert any("/dev/v1/projects" in obj.values() and a[0] in obj.values() for obj in lines), \
        f"default access log (stdout) lacks the request: {lines}"
    assert not s.access_log.exists()
    size = s.stdout_path.stat().st_size
    s.start("--rate-limit", "0", "--access-log", "off", access_log=False)
    project_list(s.request("GET", "/dev/v1/projects", cred=a))
    assert s.stop() == 0
    assert s.stdout_path.stat().st_size == size, "--access-log off still wrote to stdout"
    assert not s.access_log.exists()
